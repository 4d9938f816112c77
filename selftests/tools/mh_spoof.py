#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# The rogue node's tool (selftests/dlifd_security.sh): sends a Proxy Binding
# Update or Acknowledgement, built by scapy with any source address, or
# replays a Mobility Header captured on the core, byte for byte. Run in the
# rogue's namespace.
#
#   mh_spoof.py pbu SRC DST --seq N --mn NAI [--hnp P] [--lifetime UNITS]
#               [--dmm] [--serving ADDR] [--local P]...
#   mh_spoof.py pba SRC DST --seq N --mn NAI [--status S] [--hnp P]...
#               [--pmaar ADDR=PREFIX]... [--dlif ADDR=MAC] [--local P]...
#   mh_spoof.py mh-type SRC DST TYPE       (a header of an unknown type)
#   mh_spoof.py replay PCAP SRC DST pbu|pba|esp [INDEX]
#                                          (the INDEX-th such packet, default last)

import argparse
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    from scapy.all import conf, rdpcap
    from scapy.layers.inet6 import IPv6, MIP6MH_BA, MIP6MH_BU, MIP6MH_Generic, MIP6OptMNID
    from pmip_scapy import (D_FLAG_BA, D_FLAG_BU, AddressOption, LinkLayerOption,
                            OctetOption, PrefixOption, PreviousMaarOption)
except ImportError as error:
    print(f"scapy is not available: {error}", file=sys.stderr)
    sys.exit(2)

conf.verb = 0


def send(packet):
    """Through the kernel (its routes and neighbours), the IPv6 header as
    built: an IPPROTO_RAW socket takes it as it is, source included."""
    with socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW) as raw:
        raw.sendto(bytes(packet), (packet[IPv6].dst, 0))


def prefix_option(otype, text):
    address, length = text.split("/")
    return PrefixOption(otype=otype, plen=int(length), prefix=address)


def common_options(args):
    options = [MIP6OptMNID(id=args.mn.encode())]
    options += [prefix_option(22, p) for p in args.hnp]
    return options


def build_pbu(args):
    options = common_options(args)
    options += [OctetOption(otype=23, value=args.hi), OctetOption(otype=24, value=4)]
    if args.serving:
        options.append(AddressOption(otype=68, address=args.serving))
    options += [prefix_option(66, p) for p in args.local]
    return MIP6MH_BU(seq=args.seq, flags="AP", reserved=D_FLAG_BU if args.dmm else 0,
                     mhtime=args.lifetime, options=options)


def build_pba(args):
    options = common_options(args)
    options += [OctetOption(otype=23, value=args.hi), OctetOption(otype=24, value=4)]
    for item in args.pmaar:
        maar, prefix = item.split("=")
        address, length = prefix.split("/")
        options.append(PreviousMaarOption(plen=int(length), maar=maar, prefix=address))
    if args.dlif:
        address, mac = args.dlif.split("=")
        options.append(AddressOption(otype=69, address=address))
        options.append(LinkLayerOption(otype=70, address=bytes.fromhex(mac.replace(":", ""))))
    options += [prefix_option(66, p) for p in args.local]
    return MIP6MH_BA(status=args.status, flags="P", res2=D_FLAG_BA if args.dmm else 0,
                     seq=args.seq, mhtime=args.lifetime, options=options)


def replay(pcap, src, dst, kind, index):
    def wanted(packet):
        if kind == "esp":
            return packet.nh == 50
        return (MIP6MH_BU if kind == "pbu" else MIP6MH_BA) in packet
    found = [p[IPv6] for p in rdpcap(pcap)
             if IPv6 in p and p[IPv6].src == src and p[IPv6].dst == dst and wanted(p[IPv6])]
    if not found:
        print(f"no {kind} from {src} to {dst} in {pcap}", file=sys.stderr)
        return 1
    packet = found[index]
    # The captured bytes as they were: same addresses, same checksum (or
    # the same ESP sequence number and ICV).
    send(IPv6(bytes(packet)))
    if kind == "esp":
        print(f"replayed esp spi={int.from_bytes(bytes(packet.payload)[:4], 'big'):#x}")
    else:
        print(f"replayed seq={packet[MIP6MH_BU if kind == 'pbu' else MIP6MH_BA].seq}")
    return 0


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("pbu", "pba"):
        p = sub.add_parser(name)
        p.add_argument("src")
        p.add_argument("dst")
        p.add_argument("--seq", type=int, required=True)
        p.add_argument("--mn", required=True)
        p.add_argument("--hnp", action="append", default=[])
        p.add_argument("--lifetime", type=int, default=100)
        p.add_argument("--dmm", action="store_true")
        p.add_argument("--hi", type=int, default=4)
        p.add_argument("--local", action="append", default=[])
        if name == "pbu":
            p.add_argument("--serving")
        else:
            p.add_argument("--status", type=int, default=0)
            p.add_argument("--pmaar", action="append", default=[])
            p.add_argument("--dlif")
    p = sub.add_parser("mh-type")
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("type", type=int)
    p = sub.add_parser("replay")
    p.add_argument("pcap")
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("kind", choices=("pbu", "pba", "esp"))
    p.add_argument("index", type=int, nargs="?", default=-1)
    args = parser.parse_args()

    if args.command == "replay":
        return replay(args.pcap, args.src, args.dst, args.kind, args.index)
    if args.command == "mh-type":
        mh = MIP6MH_Generic(mhtype=args.type, msg=b"\x00" * 10)  # 16 octets: Header Len 1
    elif args.command == "pbu":
        mh = build_pbu(args)
    else:
        mh = build_pba(args)
    send(IPv6(src=args.src, dst=args.dst) / mh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
