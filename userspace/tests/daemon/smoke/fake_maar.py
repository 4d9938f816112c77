#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# A stand-in MAAR for dlifd's smoke test: raw IPPROTO_MH sockets, Mobility
# Headers built by hand (independently of the C++ codec).
#
#   fake_maar.py register SRC CMD NAI PREFIX   PBU (A P D), expect an accepting PBA
#   fake_maar.py unknown-type SRC CMD          MH type 50, expect a Binding Error (2)
#   fake_maar.py silent SRC CMD NAI PREFIX     PBU, expect no answer at all
#
# Exit status 0 when the expectation holds, 1 otherwise; one line of
# explanation on stdout.
import socket
import struct
import sys

IPPROTO_MH = 135
NO_NEXT_HEADER = 59


def option(kind, data):
    return bytes([kind, len(data)]) + data


def mobility_header(mh_type, body):
    # Payload Proto, Header Len, MH Type, Reserved, Checksum (the kernel
    # fills it in on a raw IPPROTO_MH socket), then the message, padded
    # with PadN to a multiple of 8 octets.
    length = 6 + len(body)
    pad = (-length) % 8
    if pad == 1:
        body += b"\x00"
    elif pad > 1:
        body += bytes([1, pad - 2]) + bytes(pad - 2)
    length = 6 + len(body)
    return bytes([NO_NEXT_HEADER, length // 8 - 1, mh_type, 0, 0, 0]) + body


def proxy_binding_update(sequence, nai, prefix):
    address, length = prefix.split("/")
    flags = 0x8000 | 0x0200 | 0x0010   # A, P, D
    body = struct.pack("!HHH", sequence, flags, 100)   # lifetime 400 s
    body += option(8, b"\x01" + nai.encode())                              # MN-ID (NAI)
    body += option(22, bytes([0, int(length)]) + socket.inet_pton(socket.AF_INET6, address))  # HNP
    body += option(23, bytes([0, 1]))                                      # HI: attachment over a new interface
    body += option(24, bytes([0, 3]))                                      # ATT: IEEE 802.3
    return mobility_header(5, body)


def open_socket(source):
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, IPPROTO_MH)
    sock.bind((source, 0))
    sock.settimeout(3)
    return sock


def exchange(source, destination, message):
    sock = open_socket(source)
    sock.sendto(message, (destination, 0))
    try:
        while True:
            data, sender = sock.recvfrom(4096)
            if sender[0] == destination:
                return data
    except socket.timeout:
        return None


def main(argv):
    command = argv[1]
    if command in ("register", "silent", "refused"):
        # refused: a PBA with the status given after the prefix.
        source, cmd, nai, prefix = argv[2:6]
        reply = exchange(source, cmd, proxy_binding_update(7, nai, prefix))
        if command == "silent":
            print("no answer" if reply is None else "unexpected answer " + reply.hex())
            return 0 if reply is None else 1
        if reply is None:
            print("no PBA")
            return 1
        mh_type, status, flags, sequence = reply[2], reply[6], reply[7], struct.unpack("!H", reply[8:10])[0]
        print("PBA type=%d status=%d flags=0x%02x seq=%d" % (mh_type, status, flags, sequence))
        if command == "refused":
            return 0 if mh_type == 6 and status == int(argv[6]) and sequence == 7 else 1
        return 0 if mh_type == 6 and status < 128 and sequence == 7 else 1
    if command == "unknown-type":
        source, cmd = argv[2:4]
        reply = exchange(source, cmd, mobility_header(50, bytes(10)))
        if reply is None:
            print("no Binding Error")
            return 1
        print("BE type=%d status=%d" % (reply[2], reply[6]))
        return 0 if reply[2] == 7 and reply[6] == 2 else 1
    print("unknown command " + command)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
