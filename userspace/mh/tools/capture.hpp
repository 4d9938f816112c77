// SPDX-License-Identifier: GPL-2.0
//
// Just enough of IPv6 and the classic pcap file format to put Mobility
// Headers into captures and get them out again: used by mhtool and by the
// tests that cross-check the codec against tshark and scapy. Not part of
// the codec (that one does no I/O).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dlif/mh/address.hpp"

namespace dlif::mh::capture {

// An IPv6 packet (Next Header 135, Hop Limit 64) around a Mobility Header,
// whose checksum is set for this source and destination.
std::vector<std::uint8_t> ipv6_packet(const Ipv6Address &source, const Ipv6Address &destination,
				      std::span<const std::uint8_t> mobility_header);

struct MobilityPacket {
	Ipv6Address source;
	Ipv6Address destination;
	std::vector<std::uint8_t> mobility_header;
};

// The Mobility Header of an IPv6 packet, after any Hop-by-Hop, Routing or
// Destination Options headers; nullopt if there is none.
std::optional<MobilityPacket> mobility_header_of(std::span<const std::uint8_t> ipv6);

// Writes raw IPv6 packets (LINKTYPE_RAW) to a pcap file; false on I/O error.
bool write_pcap(const std::string &path, const std::vector<std::vector<std::uint8_t>> &packets);

// The IPv6 packets of a pcap file (raw IP, IPv6, Ethernet or Linux cooked
// link types); nullopt if the file cannot be read as pcap.
std::optional<std::vector<std::vector<std::uint8_t>>> read_pcap(const std::string &path);

// "3b 01 05 00" or "3b010500" to octets; nullopt on anything else.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text);
std::string to_hex(std::span<const std::uint8_t> bytes);

} // namespace dlif::mh::capture
