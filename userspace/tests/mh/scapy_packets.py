#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Builds PMIPv6 / RFC 8885 Mobility Header packets with scapy, which knows
# nothing of the dlif codec, and prints one line per packet:
#
#     NAME HEX
#
# where HEX is the whole IPv6 packet, MH checksum computed by scapy.
# scapy_test.cpp parses them with the codec. Run with Debian's
# /usr/bin/python3 (python3-scapy). The RFC 5213 and RFC 8885 options are
# scapy layers of selftests/tools/pmip_scapy.py.

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "../../../selftests/tools"))
try:
    from scapy.layers.inet6 import (IPv6, MIP6MH_BA, MIP6MH_BE, MIP6MH_BU,
                                    MIP6OptMNID, MIP6OptUnknown)
    from pmip_scapy import (D_FLAG_BA, D_FLAG_BU, AddressOption,
                            LinkLayerOption, OctetOption, PrefixOption,
                            PreviousMaarOption, TimestampOption)
except ImportError as error:
    print(f"scapy is not available: {error}", file=sys.stderr)
    sys.exit(77)


MAC = bytes.fromhex("001122330101")
TIMESTAMP = (1700000000 << 16) | 0x8000


def ipv6(mh):
    return IPv6(src="2001:db8::a", dst="2001:db8::b") / mh


PACKETS = {
    "pbu_initial_registration": ipv6(MIP6MH_BU(
        seq=1, flags="AP", mhtime=900, options=[
            MIP6OptMNID(id=b"mn1@example.net"),
            PrefixOption(otype=22, plen=64, prefix="2001:db8:1::"),
            OctetOption(otype=23, value=1),
            OctetOption(otype=24, value=4),
            TimestampOption(timestamp=TIMESTAMP)])),
    "pbu_maar_handover": ipv6(MIP6MH_BU(
        seq=2, flags="AP", reserved=D_FLAG_BU, mhtime=900, options=[
            MIP6OptMNID(id=b"mn1"),
            PrefixOption(otype=22, plen=64, prefix="2001:db8:2::"),
            OctetOption(otype=23, value=4),
            OctetOption(otype=24, value=4),
            AddressOption(otype=68, address="2001:db8::2")])),
    "pba_relayed_to_serving_maar": ipv6(MIP6MH_BA(
        status=0, flags="P", res2=D_FLAG_BA, seq=2, mhtime=900, options=[
            MIP6OptMNID(id=b"mn1"),
            PrefixOption(otype=22, plen=64, prefix="2001:db8:2::"),
            OctetOption(otype=23, value=4),
            OctetOption(otype=24, value=4),
            PreviousMaarOption(plen=64, maar="2001:db8::1", prefix="2001:db8:1::"),
            PreviousMaarOption(plen=56, maar="2001:db8::3", prefix="2001:db8:3::")])),
    "pba_rejected_timestamp": ipv6(MIP6MH_BA(
        status=157, flags="P", res2=0, seq=3, mhtime=0, options=[
            MIP6OptMNID(id=b"mn1"),
            TimestampOption(timestamp=TIMESTAMP)])),
    "pba_locator_to_serving_maar": ipv6(MIP6MH_BA(
        status=0, flags="P", res2=D_FLAG_BA, seq=4, mhtime=450, options=[
            PrefixOption(otype=65, plen=64, prefix="2001:db8:1::"),
            PrefixOption(otype=66, plen=48, prefix="2001:db8:1c::"),
            PrefixOption(otype=66, plen=48, prefix="2001:db8:1d::"),
            AddressOption(otype=69, address="fe80::211:22ff:fe33:101"),
            LinkLayerOption(otype=70, address=MAC)])),
    "pbu_every_flag_and_link_options": ipv6(MIP6MH_BU(
        seq=0xfffe, flags="PRMKLHA", reserved=0x1f0, mhtime=0xffff, options=[
            LinkLayerOption(otype=25, address=bytes.fromhex("001122334455")),
            AddressOption(otype=26, address="fe80::1")])),
    "pbu_unknown_option": ipv6(MIP6MH_BU(
        seq=5, flags="AP", mhtime=1, options=[
            OctetOption(otype=23, value=1),
            MIP6OptUnknown(otype=200, odata=b"\x01\x02\x03\x04\x05"),
            OctetOption(otype=24, value=4)])),
    # No padding at all: receivers accept any alignment.
    "pbu_unaligned_options": ipv6(MIP6MH_BU(
        seq=6, flags="AP", mhtime=1, autopad=0, options=[
            MIP6OptMNID(id=b"mn1"),
            PrefixOption(otype=22, plen=64, prefix="2001:db8:1::"),
            AddressOption(otype=68, address="2001:db8::2")])),
    "be_unrecognized_mh_type": ipv6(MIP6MH_BE(status=2, ha="2001:db8::5")),
}

for name, packet in PACKETS.items():
    print(name, bytes(packet).hex())
