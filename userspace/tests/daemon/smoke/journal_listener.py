#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# A stand-in for journald's native socket: binds SOCKET (a datagram UNIX
# socket, as /run/systemd/journal/socket is), decodes each entry of the
# native protocol (systemd's JOURNAL_NATIVE_PROTOCOL: "NAME=value\n", or
# "NAME\n" + 64-bit little-endian length + value + "\n" for values with a
# newline) and appends it to OUT as one JSON object per line.
#
# usage: journal_listener.py SOCKET OUT
import json
import socket
import struct
import sys


def decode(datagram):
    fields = {}
    at = 0
    while at < len(datagram):
        end = datagram.index(b"\n", at)
        line = datagram[at:end]
        if b"=" in line:
            name, value = line.split(b"=", 1)
            at = end + 1
        else:
            name = line
            (size,) = struct.unpack_from("<Q", datagram, end + 1)
            value = datagram[end + 9:end + 9 + size]
            at = end + 9 + size + 1
        fields[name.decode()] = value.decode(errors="replace")
    return fields


sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        data, _ = sock.recvfrom(1 << 20)
        out.write(json.dumps(decode(data)) + "\n")
