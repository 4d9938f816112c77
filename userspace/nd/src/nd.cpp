// SPDX-License-Identifier: GPL-2.0
#include "dlif/nd/nd.hpp"

#include <algorithm>
#include <limits>

namespace dlif::nd {

namespace {

// RFC 4861 §4.6 option types; RFC 4191 §2.3.
constexpr std::uint8_t kOptionSourceLinkLayer = 1;
constexpr std::uint8_t kOptionTargetLinkLayer = 2;
constexpr std::uint8_t kOptionPrefixInformation = 3;
constexpr std::uint8_t kOptionMtu = 5;
constexpr std::uint8_t kOptionRouteInformation = 24;

constexpr std::size_t kRaFixedSize = 16;	// type .. retrans timer
constexpr std::size_t kRsFixedSize = 8;		// type .. reserved
constexpr std::size_t kIpv6HeaderSize = 40;
constexpr std::size_t kEthernetHeaderSize = 14;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr std::uint16_t kEtherTypeVlan = 0x8100;

constexpr std::uint8_t kPrefixFlagOnLink = 0x80;
constexpr std::uint8_t kPrefixFlagAutonomous = 0x40;

void put16(std::vector<std::uint8_t> &out, std::uint16_t value)
{
	out.push_back(static_cast<std::uint8_t>(value >> 8));
	out.push_back(static_cast<std::uint8_t>(value));
}

void put32(std::vector<std::uint8_t> &out, std::uint32_t value)
{
	for (int shift = 24; shift >= 0; shift -= 8)
		out.push_back(static_cast<std::uint8_t>(value >> shift));
}

std::uint16_t get16(std::span<const std::uint8_t> in, std::size_t at)
{
	return static_cast<std::uint16_t>((in[at] << 8) | in[at + 1]);
}

std::uint32_t get32(std::span<const std::uint8_t> in, std::size_t at)
{
	return (static_cast<std::uint32_t>(in[at]) << 24) | (static_cast<std::uint32_t>(in[at + 1]) << 16) |
	       (static_cast<std::uint32_t>(in[at + 2]) << 8) | in[at + 3];
}

Ipv6Address address_at(std::span<const std::uint8_t> in, std::size_t at)
{
	Ipv6Address address;
	std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(at), 16, address.bytes.begin());
	return address;
}

void put_prefix_octets(std::vector<std::uint8_t> &out, const Ipv6Prefix &prefix, std::size_t octets)
{
	const auto masked = prefix.masked();
	out.insert(out.end(), masked.address.bytes.begin(),
		   masked.address.bytes.begin() + static_cast<std::ptrdiff_t>(octets));
}

template <typename T>
mh::Result<T, NdError> fail(NdErrorCode code)
{
	return mh::unexpected(NdError{code});
}

// Walks the options after the fixed part; visit(type, option bytes
// including type and length) returns false to reject the message.
template <typename Visit>
std::optional<NdErrorCode> walk_options(std::span<const std::uint8_t> options, Visit &&visit)
{
	std::size_t at = 0;
	while (at < options.size()) {
		if (options.size() - at < 2)
			return NdErrorCode::Truncated;
		const std::size_t length = options[at + 1] * 8u;
		if (length == 0)
			return NdErrorCode::ZeroLengthOption;
		if (length > options.size() - at)
			return NdErrorCode::Truncated;
		if (auto error = visit(options[at], options.subspan(at, length)))
			return error;
		at += length;
	}
	return std::nullopt;
}

std::optional<MacAddress> mac_of_link_layer_option(std::span<const std::uint8_t> option)
{
	// Ethernet (RFC 2464 §6): one 8-octet unit holding the 6-octet MAC.
	if (option.size() != 8)
		return std::nullopt;
	MacAddress mac;
	std::copy_n(option.begin() + 2, 6, mac.bytes.begin());
	return mac;
}

std::uint32_t fold(std::uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return sum;
}

std::uint32_t add_bytes(std::uint32_t sum, std::span<const std::uint8_t> bytes)
{
	std::size_t i = 0;
	for (; i + 1 < bytes.size(); i += 2)
		sum += static_cast<std::uint32_t>((bytes[i] << 8) | bytes[i + 1]);
	if (i < bytes.size())
		sum += static_cast<std::uint32_t>(bytes[i] << 8);
	return fold(sum);
}

} // namespace

std::uint32_t lifetime_seconds(dmm::Duration duration) noexcept
{
	if (duration == dmm::Duration::max())
		return kInfiniteLifetime;
	const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration).count();
	if (seconds <= 0)
		return 0;
	if (static_cast<std::uint64_t>(seconds) >= kInfiniteLifetime)
		return kInfiniteLifetime - 1;
	return static_cast<std::uint32_t>(seconds);
}

std::uint16_t router_lifetime_seconds(dmm::Duration duration) noexcept
{
	const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration).count();
	if (seconds <= 0)
		return 0;
	return static_cast<std::uint16_t>(std::min<std::int64_t>(seconds, 0xffff));
}

std::uint8_t preference_bits(dmm::RouterPreference preference) noexcept
{
	switch (preference) {
	case dmm::RouterPreference::high:
		return 0x1;
	case dmm::RouterPreference::low:
		return 0x3;
	case dmm::RouterPreference::medium:
		break;
	}
	return 0x0;
}

namespace {

// RFC 4861 §4.3 and §4.4 share a layout: type, code, checksum, a 32-bit
// word (reserved / flags), the target, then one link-layer address option.
std::vector<std::uint8_t> neighbor_message(std::uint8_t type, std::uint32_t word, const Ipv6Address &target,
					    std::uint8_t option, const MacAddress &mac)
{
	std::vector<std::uint8_t> out;
	out.reserve(32);
	out.push_back(type);
	out.push_back(0);	// code
	put16(out, 0);		// checksum
	put32(out, word);
	out.insert(out.end(), target.bytes.begin(), target.bytes.end());
	out.push_back(option);
	out.push_back(1);	// 8 octets
	out.insert(out.end(), mac.bytes.begin(), mac.bytes.end());
	return out;
}

} // namespace

std::vector<std::uint8_t> build_neighbor_solicitation(const Ipv6Address &target, const MacAddress &source_mac)
{
	return neighbor_message(kIcmpv6NeighborSolicitation, 0, target, kOptionSourceLinkLayer, source_mac);
}

std::vector<std::uint8_t> build_unsolicited_neighbor_advertisement(const Ipv6Address &target,
								   const MacAddress &target_mac)
{
	// Override; not Solicited, not Router.
	return neighbor_message(kIcmpv6NeighborAdvertisement, 0x20000000, target, kOptionTargetLinkLayer, target_mac);
}

std::vector<std::uint8_t> build_router_advertisement(const dmm::RaPlan &plan, const MacAddress &dlif_mac,
						     const RaHeader &header)
{
	std::vector<std::uint8_t> out;
	out.reserve(kRaFixedSize + 8 + 8 + plan.prefixes.size() * 32 + plan.routes.size() * 24);
	out.push_back(kIcmpv6RouterAdvertisement);
	out.push_back(0);	// code
	put16(out, 0);		// checksum
	out.push_back(header.cur_hop_limit);
	std::uint8_t flags = static_cast<std::uint8_t>(preference_bits(plan.preference) << 3);
	if (header.managed)
		flags |= 0x80;
	if (header.other)
		flags |= 0x40;
	out.push_back(flags);
	put16(out, router_lifetime_seconds(plan.router_lifetime));
	put32(out, header.reachable_time_ms);
	put32(out, header.retrans_timer_ms);

	out.push_back(kOptionSourceLinkLayer);
	out.push_back(1);
	out.insert(out.end(), dlif_mac.bytes.begin(), dlif_mac.bytes.end());

	if (plan.mtu) {
		out.push_back(kOptionMtu);
		out.push_back(1);
		put16(out, 0);
		put32(out, *plan.mtu);
	}

	for (const auto &prefix : plan.prefixes) {
		out.push_back(kOptionPrefixInformation);
		out.push_back(4);
		out.push_back(prefix.prefix.length);
		out.push_back(kPrefixFlagOnLink | kPrefixFlagAutonomous);
		put32(out, lifetime_seconds(prefix.valid_lifetime));
		// RFC 4861 §6.2.1: preferred must not exceed valid.
		put32(out, std::min(lifetime_seconds(prefix.preferred_lifetime), lifetime_seconds(prefix.valid_lifetime)));
		put32(out, 0);	// reserved
		put_prefix_octets(out, prefix.prefix, 16);
	}

	for (const auto &route : plan.routes) {
		// RFC 4191 §2.3: 1 unit for ::/0, 2 up to /64, 3 beyond; the
		// prefix field holds only the octets the length needs.
		const std::uint8_t units = route.prefix.length == 0 ? 1 : route.prefix.length <= 64 ? 2 : 3;
		out.push_back(kOptionRouteInformation);
		out.push_back(units);
		out.push_back(route.prefix.length);
		out.push_back(static_cast<std::uint8_t>(preference_bits(route.preference) << 3));
		put32(out, lifetime_seconds(route.lifetime));
		put_prefix_octets(out, route.prefix, (units - 1u) * 8u);
	}
	return out;
}

std::string_view name(NdErrorCode code) noexcept
{
	switch (code) {
	case NdErrorCode::Truncated:
		return "truncated";
	case NdErrorCode::WrongType:
		return "wrong-type";
	case NdErrorCode::NonZeroCode:
		return "non-zero-code";
	case NdErrorCode::ZeroLengthOption:
		return "zero-length-option";
	case NdErrorCode::SllaoFromUnspecified:
		return "sllao-from-unspecified";
	case NdErrorCode::NotIpv6:
		return "not-ipv6";
	case NdErrorCode::NotIcmpv6:
		return "not-icmpv6";
	case NdErrorCode::BadHopLimit:
		return "bad-hop-limit";
	case NdErrorCode::BadChecksum:
		return "bad-checksum";
	case NdErrorCode::BadOption:
		return "bad-option";
	}
	return "unknown";
}

mh::Result<RouterSolicitation, NdError> parse_router_solicitation(std::span<const std::uint8_t> icmp,
								 bool source_unspecified) noexcept
{
	if (icmp.size() < kRsFixedSize)
		return fail<RouterSolicitation>(NdErrorCode::Truncated);
	if (icmp[0] != kIcmpv6RouterSolicitation)
		return fail<RouterSolicitation>(NdErrorCode::WrongType);
	if (icmp[1] != 0)
		return fail<RouterSolicitation>(NdErrorCode::NonZeroCode);
	RouterSolicitation rs;
	auto error = walk_options(icmp.subspan(kRsFixedSize), [&](std::uint8_t type, std::span<const std::uint8_t> option)
								  -> std::optional<NdErrorCode> {
		if (type != kOptionSourceLinkLayer)
			return std::nullopt;	// unknown options are ignored (§6.1)
		if (source_unspecified)
			return NdErrorCode::SllaoFromUnspecified;
		rs.source_link_layer = mac_of_link_layer_option(option);
		return std::nullopt;
	});
	if (error)
		return fail<RouterSolicitation>(*error);
	return rs;
}

mh::Result<RouterAdvertisement, NdError> parse_router_advertisement(std::span<const std::uint8_t> icmp)
{
	if (icmp.size() < kRaFixedSize)
		return fail<RouterAdvertisement>(NdErrorCode::Truncated);
	if (icmp[0] != kIcmpv6RouterAdvertisement)
		return fail<RouterAdvertisement>(NdErrorCode::WrongType);
	if (icmp[1] != 0)
		return fail<RouterAdvertisement>(NdErrorCode::NonZeroCode);
	RouterAdvertisement ra;
	ra.cur_hop_limit = icmp[4];
	ra.flags = icmp[5];
	ra.router_lifetime_s = get16(icmp, 6);
	ra.reachable_time_ms = get32(icmp, 8);
	ra.retrans_timer_ms = get32(icmp, 12);
	auto error = walk_options(icmp.subspan(kRaFixedSize), [&](std::uint8_t type, std::span<const std::uint8_t> option)
								  -> std::optional<NdErrorCode> {
		switch (type) {
		case kOptionSourceLinkLayer:
			ra.source_link_layer = mac_of_link_layer_option(option);
			return std::nullopt;
		case kOptionMtu:
			if (option.size() != 8)
				return NdErrorCode::BadOption;
			ra.mtu = get32(option, 4);
			return std::nullopt;
		case kOptionPrefixInformation: {
			if (option.size() != 32 || option[2] > 128)
				return NdErrorCode::BadOption;
			PrefixInformation pio;
			pio.prefix = Ipv6Prefix{address_at(option, 16), option[2]}.masked();
			pio.on_link = (option[3] & kPrefixFlagOnLink) != 0;
			pio.autonomous = (option[3] & kPrefixFlagAutonomous) != 0;
			pio.valid_lifetime_s = get32(option, 4);
			pio.preferred_lifetime_s = get32(option, 8);
			ra.prefixes.push_back(pio);
			return std::nullopt;
		}
		case kOptionRouteInformation: {
			const std::size_t units = option.size() / 8;
			const std::uint8_t length = option[2];
			const std::size_t needed = length == 0 ? 1 : length <= 64 ? 2 : 3;
			if (length > 128 || units < needed || units > 3)
				return NdErrorCode::BadOption;
			RouteInformation rio;
			Ipv6Address address;
			std::copy_n(option.begin() + 8, (units - 1) * 8, address.bytes.begin());
			rio.prefix = Ipv6Prefix{address, length}.masked();
			rio.preference_bits = static_cast<std::uint8_t>((option[3] >> 3) & 0x3);
			rio.lifetime_s = get32(option, 4);
			ra.routes.push_back(rio);
			return std::nullopt;
		}
		default:
			return std::nullopt;
		}
	});
	if (error)
		return fail<RouterAdvertisement>(*error);
	return ra;
}

mh::Result<SolicitationFrame, NdError> parse_solicitation_frame(std::span<const std::uint8_t> frame) noexcept
{
	if (frame.size() < kEthernetHeaderSize)
		return fail<SolicitationFrame>(NdErrorCode::Truncated);
	SolicitationFrame result;
	std::copy_n(frame.begin() + 6, 6, result.ethernet_source.bytes.begin());
	std::size_t at = 12;
	std::uint16_t ether_type = get16(frame, at);
	if (ether_type == kEtherTypeVlan) {
		if (frame.size() < kEthernetHeaderSize + 4)
			return fail<SolicitationFrame>(NdErrorCode::Truncated);
		at += 4;
		ether_type = get16(frame, at);
	}
	if (ether_type != kEtherTypeIpv6)
		return fail<SolicitationFrame>(NdErrorCode::NotIpv6);
	const auto packet = frame.subspan(at + 2);
	if (packet.size() < kIpv6HeaderSize || (packet[0] >> 4) != 6)
		return fail<SolicitationFrame>(NdErrorCode::NotIpv6);
	const std::size_t payload_length = get16(packet, 4);
	if (packet[6] != kNextHeaderIcmpv6)
		return fail<SolicitationFrame>(NdErrorCode::NotIcmpv6);
	if (packet[7] != kNdHopLimit)
		return fail<SolicitationFrame>(NdErrorCode::BadHopLimit);
	// Ethernet pads short frames: the payload length says where IPv6 ends.
	if (packet.size() - kIpv6HeaderSize < payload_length)
		return fail<SolicitationFrame>(NdErrorCode::Truncated);
	result.source = address_at(packet, 8);
	result.destination = address_at(packet, 24);
	const auto icmp = packet.subspan(kIpv6HeaderSize, payload_length);
	if (icmp.size() < 4)
		return fail<SolicitationFrame>(NdErrorCode::Truncated);
	if (icmpv6_checksum(result.source, result.destination, icmp) != 0)
		return fail<SolicitationFrame>(NdErrorCode::BadChecksum);
	auto rs = parse_router_solicitation(icmp, result.source == Ipv6Address{});
	if (!rs)
		return mh::unexpected(rs.error());
	result.solicitation = *rs;
	return result;
}

std::uint16_t icmpv6_checksum(const Ipv6Address &source, const Ipv6Address &destination,
			      std::span<const std::uint8_t> icmp) noexcept
{
	std::uint32_t sum = 0;
	sum = add_bytes(sum, source.bytes);
	sum = add_bytes(sum, destination.bytes);
	const auto length = static_cast<std::uint32_t>(icmp.size());
	sum += length >> 16;
	sum += length & 0xffffu;
	sum += kNextHeaderIcmpv6;
	sum = add_bytes(fold(sum), icmp);
	return static_cast<std::uint16_t>(~sum & 0xffffu);
}

std::vector<std::uint8_t> icmpv6_packet(const Ipv6Address &source, const Ipv6Address &destination,
					std::uint8_t hop_limit, std::span<const std::uint8_t> icmp)
{
	std::vector<std::uint8_t> packet;
	packet.reserve(kIpv6HeaderSize + icmp.size());
	put32(packet, 0x60000000u);
	put16(packet, static_cast<std::uint16_t>(icmp.size()));
	packet.push_back(kNextHeaderIcmpv6);
	packet.push_back(hop_limit);
	packet.insert(packet.end(), source.bytes.begin(), source.bytes.end());
	packet.insert(packet.end(), destination.bytes.begin(), destination.bytes.end());
	const std::size_t icmp_at = packet.size();
	packet.insert(packet.end(), icmp.begin(), icmp.end());
	if (icmp.size() >= 4) {
		packet[icmp_at + 2] = 0;
		packet[icmp_at + 3] = 0;
		const std::uint16_t checksum =
			icmpv6_checksum(source, destination, std::span(packet).subspan(icmp_at));
		packet[icmp_at + 2] = static_cast<std::uint8_t>(checksum >> 8);
		packet[icmp_at + 3] = static_cast<std::uint8_t>(checksum);
	}
	return packet;
}

std::vector<sock_filter> router_solicitation_filter()
{
	// Offsets without a VLAN tag: EtherType 12, next header 14+6, ICMPv6
	// type 14+40; with one tag everything moves by 4. A kernel that
	// strips the tag into metadata (most drivers) shows the untagged
	// layout.
	return {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kEtherTypeIpv6, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kEtherTypeVlan, 0, 11),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 16),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kEtherTypeIpv6, 4, 9),
		// untagged
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kNextHeaderIcmpv6, 0, 7),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 54),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kIcmpv6RouterSolicitation, 4, 5),
		// tagged
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 24),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kNextHeaderIcmpv6, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 58),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kIcmpv6RouterSolicitation, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
}

std::uint32_t run_filter(std::span<const sock_filter> program, std::span<const std::uint8_t> frame)
{
	std::uint32_t accumulator = 0;
	std::size_t pc = 0;
	while (pc < program.size()) {
		const sock_filter &insn = program[pc++];
		switch (insn.code) {
		case BPF_LD | BPF_H | BPF_ABS:
			if (insn.k + 2u > frame.size())
				return 0;	// the kernel ends the program on a read past the end
			accumulator = get16(frame, insn.k);
			break;
		case BPF_LD | BPF_B | BPF_ABS:
			if (insn.k + 1u > frame.size())
				return 0;
			accumulator = frame[insn.k];
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += accumulator == insn.k ? insn.jt : insn.jf;
			break;
		case BPF_RET | BPF_K:
			return insn.k;
		default:
			return 0;	// an instruction this interpreter does not know
		}
	}
	return 0;
}

} // namespace dlif::nd
