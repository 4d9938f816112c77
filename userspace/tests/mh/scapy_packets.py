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
# /usr/bin/python3 (python3-scapy); scapy 2.5 has the BU/BA/BE messages and
# the MN Identifier option but none of the RFC 5213 or RFC 8885 options,
# so they are defined here from the RFC layouts, with the alignment each
# RFC gives (scapy pads options to x*n+y itself).

import sys

try:
    from scapy.fields import (ByteField, FieldLenField, IP6Field, LongField,
                              ShortField, StrLenField)
    from scapy.layers.inet6 import (IPv6, MIP6MH_BA, MIP6MH_BE, MIP6MH_BU,
                                    MIP6OptMNID, MIP6OptUnknown,
                                    _MIP6OptAlign)
except ImportError as error:
    print(f"scapy is not available: {error}", file=sys.stderr)
    sys.exit(77)


class PrefixOption(_MIP6OptAlign):
    """Home Network Prefix (22, RFC 5213 8.3), Anchored Prefix (65) and
    Local Prefix (66, RFC 8885 4.3/4.4): Reserved, Prefix Length, Prefix."""
    name = "Prefix option"
    fields_desc = [ByteField("otype", 22), ByteField("olen", 18),
                   ByteField("reserved", 0), ByteField("plen", 64),
                   IP6Field("prefix", "::")]
    x = 8
    y = 4


class OctetOption(_MIP6OptAlign):
    """Handoff Indicator (23) and Access Technology Type (24): Reserved, value."""
    name = "One-octet option"
    fields_desc = [ByteField("otype", 23), ByteField("olen", 2),
                   ByteField("reserved", 0), ByteField("value", 0)]
    x = 0
    y = 0


class LinkLayerOption(_MIP6OptAlign):
    """MN Link-layer Identifier (25) and DLIF Link-layer Address (70):
    Reserved (2 octets), address."""
    name = "Link-layer option"
    fields_desc = [ByteField("otype", 25),
                   FieldLenField("olen", None, length_of="address", fmt="B",
                                 adjust=lambda pkt, x: x + 2),
                   ShortField("reserved", 0),
                   StrLenField("address", b"",
                               length_from=lambda pkt: pkt.olen - 2)]
    x = 8
    y = 2


class AddressOption(_MIP6OptAlign):
    """Link-local Address (26), Serving MAAR (68), DLIF Link-local Address (69)."""
    name = "Address option"
    fields_desc = [ByteField("otype", 26), ByteField("olen", 16),
                   IP6Field("address", "::")]
    x = 8
    y = 6


class TimestampOption(_MIP6OptAlign):
    """Timestamp (27, RFC 5213 8.8): 48-bit seconds, 16-bit fraction."""
    name = "Timestamp option"
    fields_desc = [ByteField("otype", 27), ByteField("olen", 8),
                   LongField("timestamp", 0)]
    x = 8
    y = 2


class PreviousMaarOption(_MIP6OptAlign):
    """Previous MAAR (67, RFC 8885 4.5): Reserved, Prefix Length, P-MAAR
    address, Home Network Prefix."""
    name = "Previous MAAR option"
    fields_desc = [ByteField("otype", 67), ByteField("olen", 34),
                   ByteField("reserved", 0), ByteField("plen", 64),
                   IP6Field("maar", "::"), IP6Field("prefix", "::")]
    x = 8
    y = 4


MAC = bytes.fromhex("001122330101")
TIMESTAMP = (1700000000 << 16) | 0x8000
D_FLAG_BU = 0x10  # scapy's 9 reserved BU bits hold F T B S D ....
D_FLAG_BA = 0x02  # scapy's 5 reserved BA bits hold T B S D .


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
