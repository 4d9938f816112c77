// SPDX-License-Identifier: GPL-2.0
#include "capture.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "dlif/mh/checksum.hpp"
#include "dlif/mh/wire.hpp"

namespace dlif::mh::capture {
namespace {

constexpr std::size_t kIpv6HeaderSize = 40;
constexpr std::uint32_t kPcapMagicMicros = 0xa1b2c3d4;
constexpr std::uint32_t kPcapMagicNanos = 0xa1b23c4d;
constexpr std::uint32_t kLinktypeEthernet = 1;
constexpr std::uint32_t kLinktypeRaw = 101;
constexpr std::uint32_t kLinktypeLinuxSll = 113;
constexpr std::uint32_t kLinktypeIpv6 = 229;
constexpr std::uint32_t kLinktypeLinuxSll2 = 276;
constexpr std::uint16_t kEthertypeIpv6 = 0x86dd;
constexpr std::uint16_t kEthertypeVlan = 0x8100;

void put32(std::vector<std::uint8_t> &out, std::uint32_t value)
{
	// pcap files are written in the writer's byte order; readers look at
	// the magic. Little-endian here, explicitly, so files are the same
	// on every host.
	for (int i = 0; i < 4; ++i)
		out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

void put16(std::vector<std::uint8_t> &out, std::uint16_t value)
{
	out.push_back(static_cast<std::uint8_t>(value));
	out.push_back(static_cast<std::uint8_t>(value >> 8));
}

std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at)
{
	return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

std::optional<std::vector<std::uint8_t>> ipv6_of_frame(std::uint32_t linktype, std::span<const std::uint8_t> frame)
{
	std::size_t offset = 0;
	switch (linktype) {
	case kLinktypeRaw:
	case kLinktypeIpv6:
		break;
	case kLinktypeEthernet: {
		offset = 12;
		while (frame.size() >= offset + 2 && be16(frame, offset) == kEthertypeVlan)
			offset += 4;
		if (frame.size() < offset + 2 || be16(frame, offset) != kEthertypeIpv6)
			return std::nullopt;
		offset += 2;
		break;
	}
	case kLinktypeLinuxSll:
		if (frame.size() < 16 || be16(frame, 14) != kEthertypeIpv6)
			return std::nullopt;
		offset = 16;
		break;
	case kLinktypeLinuxSll2:
		if (frame.size() < 20 || be16(frame, 0) != kEthertypeIpv6)
			return std::nullopt;
		offset = 20;
		break;
	default:
		return std::nullopt;
	}
	if (frame.size() <= offset || (frame[offset] >> 4) != 6)
		return std::nullopt;
	return std::vector<std::uint8_t>(frame.begin() + static_cast<std::ptrdiff_t>(offset), frame.end());
}

} // namespace

std::vector<std::uint8_t> ipv6_packet(const Ipv6Address &source, const Ipv6Address &destination,
				      std::span<const std::uint8_t> mobility_header)
{
	// Sized once: GCC 12 warns falsely (-Warray-bounds) on a growing insert.
	std::vector<std::uint8_t> packet(kIpv6HeaderSize + mobility_header.size());
	packet[0] = 0x60;
	packet[4] = static_cast<std::uint8_t>(mobility_header.size() >> 8);
	packet[5] = static_cast<std::uint8_t>(mobility_header.size());
	packet[6] = kIpProtoMobilityHeader;
	packet[7] = 64;
	std::copy(source.bytes.begin(), source.bytes.end(), packet.begin() + 8);
	std::copy(destination.bytes.begin(), destination.bytes.end(), packet.begin() + 24);
	std::copy(mobility_header.begin(), mobility_header.end(), packet.begin() + kIpv6HeaderSize);
	set_mh_checksum(source, destination, std::span(packet).subspan(kIpv6HeaderSize));
	return packet;
}

std::optional<MobilityPacket> mobility_header_of(std::span<const std::uint8_t> ipv6)
{
	if (ipv6.size() < kIpv6HeaderSize || (ipv6[0] >> 4) != 6)
		return std::nullopt;
	MobilityPacket packet;
	std::copy(ipv6.begin() + 8, ipv6.begin() + 24, packet.source.bytes.begin());
	std::copy(ipv6.begin() + 24, ipv6.begin() + 40, packet.destination.bytes.begin());
	const std::size_t end = std::min(ipv6.size(), kIpv6HeaderSize + be16(ipv6, 4));
	std::uint8_t next = ipv6[6];
	std::size_t offset = kIpv6HeaderSize;
	// Hop-by-Hop (0), Routing (43) and Destination Options (60) share the
	// "Next Header, Hdr Ext Len in 8-octet units beyond the first" layout.
	while (next == 0 || next == 43 || next == 60) {
		if (offset + 2 > end)
			return std::nullopt;
		next = ipv6[offset];
		offset += (ipv6[offset + 1] + 1u) * 8;
	}
	if (next != kIpProtoMobilityHeader || offset > end)
		return std::nullopt;
	packet.mobility_header.assign(ipv6.begin() + static_cast<std::ptrdiff_t>(offset),
				      ipv6.begin() + static_cast<std::ptrdiff_t>(end));
	return packet;
}

bool write_pcap(const std::string &path, const std::vector<std::vector<std::uint8_t>> &packets)
{
	std::vector<std::uint8_t> out;
	put32(out, kPcapMagicMicros);
	put16(out, 2);
	put16(out, 4);
	put32(out, 0); // thiszone
	put32(out, 0); // sigfigs
	put32(out, 65535);
	put32(out, kLinktypeRaw);
	std::uint32_t second = 1;
	for (const auto &packet : packets) {
		put32(out, second++); // distinct, deterministic timestamps
		put32(out, 0);
		put32(out, static_cast<std::uint32_t>(packet.size()));
		put32(out, static_cast<std::uint32_t>(packet.size()));
		out.insert(out.end(), packet.begin(), packet.end());
	}
	std::ofstream file(path, std::ios::binary | std::ios::trunc);
	file.write(reinterpret_cast<const char *>(out.data()), static_cast<std::streamsize>(out.size()));
	return static_cast<bool>(file);
}

std::optional<std::vector<std::vector<std::uint8_t>>> read_pcap(const std::string &path)
{
	std::ifstream file(path, std::ios::binary);
	if (!file)
		return std::nullopt;
	const std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
	if (data.size() < 24)
		return std::nullopt;
	auto le32 = [&](std::size_t at) {
		return static_cast<std::uint32_t>(data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) |
						  (static_cast<std::uint32_t>(data[at + 3]) << 24));
	};
	auto swap32 = [](std::uint32_t v) {
		return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
	};
	bool swapped = false;
	const std::uint32_t magic = le32(0);
	if (magic != kPcapMagicMicros && magic != kPcapMagicNanos) {
		if (swap32(magic) != kPcapMagicMicros && swap32(magic) != kPcapMagicNanos)
			return std::nullopt;
		swapped = true;
	}
	auto field32 = [&](std::size_t at) { return swapped ? swap32(le32(at)) : le32(at); };
	const std::uint32_t linktype = field32(20);
	std::vector<std::vector<std::uint8_t>> packets;
	std::size_t offset = 24;
	while (offset + 16 <= data.size()) {
		const std::size_t length = field32(offset + 8);
		offset += 16;
		if (length > data.size() - offset)
			return std::nullopt;
		if (auto ipv6 = ipv6_of_frame(linktype, std::span(data).subspan(offset, length)))
			packets.push_back(std::move(*ipv6));
		offset += length;
	}
	return packets;
}

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text)
{
	auto nibble = [](char c) -> int {
		if (c >= '0' && c <= '9')
			return c - '0';
		if (c >= 'a' && c <= 'f')
			return c - 'a' + 10;
		if (c >= 'A' && c <= 'F')
			return c - 'A' + 10;
		return -1;
	};
	std::vector<std::uint8_t> bytes;
	int high = -1;
	for (char c : text) {
		if (c == ' ' || c == '\n' || c == '\t' || c == ':')
			continue;
		const int value = nibble(c);
		if (value < 0)
			return std::nullopt;
		if (high < 0) {
			high = value;
		} else {
			bytes.push_back(static_cast<std::uint8_t>((high << 4) | value));
			high = -1;
		}
	}
	if (high >= 0)
		return std::nullopt;
	return bytes;
}

std::string to_hex(std::span<const std::uint8_t> bytes)
{
	static constexpr char kHex[] = "0123456789abcdef";
	std::string text;
	text.reserve(bytes.size() * 2);
	for (std::uint8_t b : bytes) {
		text += kHex[b >> 4];
		text += kHex[b & 0xf];
	}
	return text;
}

} // namespace dlif::mh::capture
