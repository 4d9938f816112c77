#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send one raw request to the "dlif" generic netlink family and print the
kernel's answer. The selftests use it for what dlifctl (rightly) refuses
to send: wrong attribute lengths, missing attributes, out-of-range values.
It is a second, independent encoder of the family's messages.

usage: nlraw.py COMMAND NEST [NAME=TYPE:VALUE ...] [-- NAME=TYPE:VALUE ...]...
       nlraw.py --batch < FILE
  COMMAND  entry-new | entry-set | entry-del | entry-get | entry-flush |
           dev-get | dev-set | <number>
  NEST     entry | dev | none (attributes at the top level) | <number>
  NAME     an attribute of the nest (prefix, prefix_len, role, peer, local,
           ifindex, hop_limit, stats | ifindex, mn_addr, maar_addr, ...) or
           a number
  TYPE     u8 u16 u32 in6 mac hex str  (hex: raw bytes, any length)
  --       starts another nest of the same type (a bulk request)

Prints "ok" (and the reply's attributes for GETs) or
"error <errno-name>: <extack message>"; exits 0 on success, 1 on error.
With NLRAW_FAIL_NTH=N in the environment (a kernel with fault injection),
the N-th allocation the request reaches fails, and a line says whether
the fault was injected ("fault injected" or "fault not reached").

With --batch, each line of the standard input is one request in the same
words, sent in turn on one socket, and one line is printed for each: "ok"
or "error ..." (a GET's attributes are left out). Starting Python once
matters on the debug kernel under emulation, where it takes seconds.
"""

import errno
import ipaddress
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_DUMP = 0x300
NLA_F_NESTED = 0x8000
NETLINK_EXT_ACK = 11
NLMSGERR_ATTR_MSG = 1
NLM_F_ACK_TLVS = 0x200
NLM_F_CAPPED = 0x100

COMMANDS = {"entry-new": 1, "entry-set": 2, "entry-del": 3, "entry-get": 4,
            "entry-flush": 5, "dev-get": 6, "dev-set": 7, "binding-new": 8,
            "binding-del": 9}
NESTS = {"entry": 1, "dev": 2, "binding": 3, "none": 0}
ENTRY_ATTRS = {"prefix": 2, "prefix_len": 3, "role": 4, "peer": 5, "local": 6,
               "ifindex": 7, "hop_limit": 8, "stats": 9, "mn_addr": 10}
DEV_ATTRS = {"ifindex": 1, "ifname": 2, "link": 3, "address": 4, "mn_addr": 5,
             "maar_addr": 6}
BINDING_ATTRS = {"ifindex": 1, "mn_addr": 2, "router_addr": 3, "primary": 4, "router_ll": 5}


def nla(atype, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, atype) + payload + b"\0" * ((4 - length % 4) % 4)


def encode(kind, value):
    if kind == "u8":
        return struct.pack("=B", int(value, 0))
    if kind == "u16":
        return struct.pack("=H", int(value, 0))
    if kind == "u32":
        return struct.pack("=I", int(value, 0))
    if kind == "in6":
        return ipaddress.IPv6Address(value).packed
    if kind == "mac":
        return bytes(int(b, 16) for b in value.split(":"))
    if kind == "hex":
        return bytes.fromhex(value)
    if kind == "str":
        return value.encode() + b"\0"
    raise SystemExit(f"nlraw.py: unknown type {kind}")


def request(sock, msg_type, flags, cmd, attrs, seq):
    payload = struct.pack("=BBH", cmd, 1, 0) + attrs
    hdr = struct.pack("=IHHII", 16 + len(payload), msg_type, flags, seq, 0)
    sock.send(hdr + payload)


def receive(sock, seq):
    """Yield (type, payload) of the replies to seq until the ack, the error
    or the end of a dump."""
    while True:
        data = sock.recv(1 << 20)
        off = 0
        while off < len(data):
            length, mtype, flags, mseq, _ = struct.unpack_from("=IHHII", data, off)
            body = data[off + 16:off + length]
            off += (length + 3) & ~3
            if mseq != seq:
                continue
            yield mtype, flags, body
            if mtype in (NLMSG_ERROR, NLMSG_DONE):
                return


def attributes(buf):
    off = 0
    while off + 4 <= len(buf):
        length, atype = struct.unpack_from("=HH", buf, off)
        yield atype & 0x3fff, buf[off + 4:off + length]
        off += (length + 3) & ~3


def family_id(sock):
    request(sock, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY,
            nla(CTRL_ATTR_FAMILY_NAME, b"dlif\0"), 1)
    fid = None
    for mtype, _, body in receive(sock, 1):
        if mtype == NLMSG_ERROR:
            err = struct.unpack_from("=i", body)[0]
            if err:
                raise SystemExit(f"error {errno.errorcode.get(-err, err)}: family dlif not found")
        else:
            for atype, val in attributes(body[4:]):
                if atype == CTRL_ATTR_FAMILY_ID:
                    fid = struct.unpack("=H", val[:2])[0]
    return fid


def arm_fault(nth):
    """With NLRAW_FAIL_NTH=N, the N-th fault-injection point (failslab,
    fail_page_alloc) that this thread reaches in the request fails. Returns
    the open /proc/thread-self/fail-nth, or None."""
    if not nth:
        return None
    fd = os.open("/proc/thread-self/fail-nth", os.O_RDWR)
    os.write(fd, nth.encode())
    return fd


def disarm_fault(fd):
    """Say whether the fault was injected (the count reached zero)."""
    if fd is None:
        return
    left = int(os.pread(fd, 32, 0).split()[0] or b"0")
    os.pwrite(fd, b"0", 0)
    os.close(fd)
    print("fault injected" if left == 0 else "fault not reached")


def parse(words):
    """The command number and the attributes of the request in WORDS."""
    cmd = COMMANDS.get(words[0]) or int(words[0], 0)
    nest = NESTS[words[1]] if words[1] in NESTS else int(words[1], 0)
    names = {2: DEV_ATTRS, 3: BINDING_ATTRS}.get(nest, ENTRY_ATTRS)
    bodies = [b""]
    for spec in words[2:]:
        if spec == "--":
            bodies.append(b"")
            continue
        name, _, typed = spec.partition("=")
        kind, _, value = typed.partition(":")
        atype = names[name] if name in names else int(name, 0)
        bodies[-1] += nla(atype, encode(kind, value))
    attrs = b"".join(nla(nest | NLA_F_NESTED, body) if nest else body for body in bodies)
    return cmd, attrs


def execute(sock, fid, cmd, attrs, seq):
    """Send one request; return the lines to print and the exit status."""
    fail_nth = arm_fault(os.environ.get("NLRAW_FAIL_NTH"))
    lines = []
    try:
        request(sock, fid, NLM_F_REQUEST | NLM_F_ACK, cmd, attrs, seq)
        replies = list(receive(sock, seq))
    except OSError as e:
        # The socket layer itself refused (no memory for the message).
        disarm_fault(fail_nth)
        return [f"error {errno.errorcode.get(e.errno, e.errno)}: {e.strerror}"], 1
    disarm_fault(fail_nth)
    for mtype, flags, body in replies:
        if mtype != NLMSG_ERROR:
            inner = dict(attributes(body[4:]))
            for atype, val in attributes(next(iter(inner.values()), b"")):
                lines.append(f"attr {atype} {val.hex()}")
            continue
        err = struct.unpack_from("=i", body)[0]
        if not err:
            return lines + ["ok"], 0
        msg = ""
        if flags & NLM_F_ACK_TLVS:
            # The request comes back after the error code: its header
            # only when capped, else whole; the extack TLVs follow it.
            orig_len = struct.unpack_from("=I", body, 4)[0]
            tlv_off = 4 + (16 if flags & NLM_F_CAPPED else (orig_len + 3) & ~3)
            for atype, val in attributes(body[tlv_off:]):
                if atype == NLMSGERR_ATTR_MSG:
                    msg = val.rstrip(b"\0").decode()
        name = "EOPNOTSUPP" if -err == errno.EOPNOTSUPP else errno.errorcode.get(-err, str(err))
        return lines + [f"error {name}: {msg}"], 1
    return lines, 1


def main(argv):
    batch = argv[1:] == ["--batch"]
    if not batch and len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    sock.setsockopt(270, NETLINK_EXT_ACK, 1)
    sock.bind((0, 0))
    fid = family_id(sock)
    if not batch:
        lines, status = execute(sock, fid, *parse(argv[1:]), 2)
        for line in lines:
            print(line)
        return status
    status = 0
    for seq, line in enumerate((l for l in sys.stdin if l.strip()), start=2):
        lines, rc = execute(sock, fid, *parse(line.split()), seq)
        print(lines[-1] if lines else "error: no answer", flush=True)
        status = status or rc
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
