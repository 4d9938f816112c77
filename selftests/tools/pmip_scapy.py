# SPDX-License-Identifier: GPL-2.0
#
# The RFC 5213 and RFC 8885 Mobility options as scapy layers, from the RFC
# layouts, with the alignment each RFC gives (scapy pads options to x*n+y
# itself). scapy 2.5 has the BU/BA/BE messages and the MN Identifier
# option but none of these. Shared by the codec's cross-check
# (userspace/tests/mh/scapy_packets.py) and the selftests' spoofing tool
# (selftests/tools/mh_spoof.py). Run with Debian's python3-scapy.

from scapy.fields import (ByteField, FieldLenField, IP6Field, LongField,
                          ShortField, StrLenField)
from scapy.layers.inet6 import _MIP6OptAlign

D_FLAG_BU = 0x10  # scapy's 9 reserved BU bits hold F T B S D ....
D_FLAG_BA = 0x02  # scapy's 5 reserved BA bits hold T B S D .


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
