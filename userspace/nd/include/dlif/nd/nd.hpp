// SPDX-License-Identifier: GPL-2.0
//
// Neighbor Discovery messages dlifd sends and receives on access links:
// Router Advertisements built from a core's RaPlan (RFC 4861 §4.2 with the
// RFC 4191 router preference and Route Information options), Router
// Solicitations parsed from the ICMPv6 socket or from raw Ethernet frames,
// and the classic BPF program that lets only solicitations through an
// AF_PACKET socket. Pure functions: no I/O, no clock, no exceptions.
//
// The byte strings are ICMPv6 messages (type first) unless a name says
// "frame" (Ethernet) or "packet" (IPv6).
#pragma once

#include <linux/filter.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dlif/dmm/io.hpp"
#include "dlif/dmm/types.hpp"
#include "dlif/mh/result.hpp"

namespace dlif::nd {


inline constexpr std::uint8_t kIcmpv6RouterSolicitation = 133;
inline constexpr std::uint8_t kIcmpv6RouterAdvertisement = 134;
inline constexpr std::uint8_t kIcmpv6NeighborSolicitation = 135;
inline constexpr std::uint8_t kIcmpv6NeighborAdvertisement = 136;
inline constexpr std::uint8_t kNextHeaderIcmpv6 = 58;
// RFC 4861 §6.1: RS and RA must arrive with Hop Limit 255 (not forwarded).
inline constexpr std::uint8_t kNdHopLimit = 255;

// Lifetimes in the 32-bit fields of PIOs and RIOs: seconds, all ones
// meaning infinity (RFC 4861 §4.6.2).
inline constexpr std::uint32_t kInfiniteLifetime = 0xffffffffu;

// The fixed fields of an RA that RaPlan does not carry.
struct RaHeader {
	std::uint8_t cur_hop_limit = 64;	// what hosts put in their packets
	bool managed = false;			// M: no DHCPv6 in a PMIPv6 domain
	bool other = false;			// O
	std::uint32_t reachable_time_ms = 0;	// 0: unspecified, hosts keep theirs
	std::uint32_t retrans_timer_ms = 0;
};

// The RA of a DLIF: header, Source Link-Layer Address (the DLIF's MAC, so
// that the node needs no NS to reach its router), MTU when planned, one
// Prefix Information option per prefix (L and A set) and one Route
// Information option per route. Checksum 0 (the kernel fills it in on a
// raw ICMPv6 socket; icmpv6_checksum() otherwise).
std::vector<std::uint8_t> build_router_advertisement(const dmm::RaPlan &plan, const MacAddress &dlif_mac,
						     const RaHeader &header = {});

// RFC 4861 §7.3.3 unicast probe: a Neighbor Solicitation for `target`
// with the sender's MAC as Source Link-Layer Address (the node answers
// without resolving the DLIF first). Checksum 0, as for the RA.
std::vector<std::uint8_t> build_neighbor_solicitation(const Ipv6Address &target, const MacAddress &source_mac);

// RFC 4861 §7.2.6 unsolicited Neighbor Advertisement for `target`, with
// the Override flag and the Target Link-Layer Address: neighbours that
// cache the address move to `target_mac` (an address that moved to
// another node). Checksum 0, as for the RA.
std::vector<std::uint8_t> build_unsolicited_neighbor_advertisement(const Ipv6Address &target,
								   const MacAddress &target_mac);

// Seconds for a 32-bit lifetime field: whole seconds, rounded down,
// saturating below infinity (only Duration::max() is "infinite").
std::uint32_t lifetime_seconds(dmm::Duration duration) noexcept;
// The 16-bit Router Lifetime: whole seconds, saturated at 65535 s (RFC 8319).
std::uint16_t router_lifetime_seconds(dmm::Duration duration) noexcept;
// RFC 4191 §2.1: high 01, medium 00, low 11.
std::uint8_t preference_bits(dmm::RouterPreference preference) noexcept;

enum class NdErrorCode : std::uint8_t {
	Truncated,		// shorter than its fixed part, or than an option says
	WrongType,		// not the ICMPv6 type asked for
	NonZeroCode,		// RFC 4861 §6.1: code must be 0
	ZeroLengthOption,	// RFC 4861 §6.1: every option must have length > 0
	SllaoFromUnspecified,	// RFC 4861 §6.1.1: no SLLAO when the source is ::
	NotIpv6,		// a frame that does not carry IPv6
	NotIcmpv6,		// an IPv6 packet that does not carry ICMPv6 directly
	BadHopLimit,		// not 255
	BadChecksum,		// the ICMPv6 checksum does not verify
	BadOption,		// an option with a length its type forbids
};

struct NdError {
	NdErrorCode code;
	friend bool operator==(const NdError &, const NdError &) = default;
};

std::string_view name(NdErrorCode code) noexcept;

// An RS as RFC 4861 §6.1.1 validates it (without the IPv6 header checks,
// which need the packet: see parse_solicitation_frame()).
struct RouterSolicitation {
	std::optional<MacAddress> source_link_layer;	// SLLAO, when 6 octets
};

mh::Result<RouterSolicitation, NdError> parse_router_solicitation(std::span<const std::uint8_t> icmp,
								 bool source_unspecified) noexcept;

struct PrefixInformation {
	Ipv6Prefix prefix;
	bool on_link = false;
	bool autonomous = false;
	std::uint32_t valid_lifetime_s = 0;
	std::uint32_t preferred_lifetime_s = 0;
	friend bool operator==(const PrefixInformation &, const PrefixInformation &) = default;
};

struct RouteInformation {
	Ipv6Prefix prefix;
	std::uint8_t preference_bits = 0;
	std::uint32_t lifetime_s = 0;
	friend bool operator==(const RouteInformation &, const RouteInformation &) = default;
};

// An RA read back: what tests and the smoke tools check.
struct RouterAdvertisement {
	std::uint8_t cur_hop_limit = 0;
	std::uint8_t flags = 0;		// M O H Prf P, as on the wire
	std::uint16_t router_lifetime_s = 0;
	std::uint32_t reachable_time_ms = 0;
	std::uint32_t retrans_timer_ms = 0;
	std::optional<MacAddress> source_link_layer;
	std::optional<std::uint32_t> mtu;
	std::vector<PrefixInformation> prefixes;
	std::vector<RouteInformation> routes;

	std::uint8_t preference_bits() const noexcept { return static_cast<std::uint8_t>((flags >> 3) & 0x3); }
};

mh::Result<RouterAdvertisement, NdError> parse_router_advertisement(std::span<const std::uint8_t> icmp);

// An RS in an Ethernet frame as an AF_PACKET socket delivers it (Ethernet
// header first; one 802.1Q tag is skipped). The Ethernet source names the
// node even when the IPv6 source is unspecified. Checks the hop limit,
// the next header and the ICMPv6 checksum.
struct SolicitationFrame {
	MacAddress ethernet_source;
	Ipv6Address source;
	Ipv6Address destination;
	RouterSolicitation solicitation;
};

mh::Result<SolicitationFrame, NdError> parse_solicitation_frame(std::span<const std::uint8_t> frame) noexcept;

// RFC 4443 §2.3: the ICMPv6 checksum over the pseudo-header and `icmp`
// (its checksum field taken as is: 0 to compute, the received value to
// verify, which then gives 0).
std::uint16_t icmpv6_checksum(const Ipv6Address &source, const Ipv6Address &destination,
			      std::span<const std::uint8_t> icmp) noexcept;

// A whole IPv6 packet around an ICMPv6 message, its checksum set: for
// captures in tests and for tools that inject packets.
std::vector<std::uint8_t> icmpv6_packet(const Ipv6Address &source, const Ipv6Address &destination,
					std::uint8_t hop_limit, std::span<const std::uint8_t> icmp);

// Classic BPF for an AF_PACKET socket on an access interface: accepts
// Ethernet frames carrying IPv6 (optionally behind one 802.1Q tag) whose
// next header is ICMPv6 and whose ICMPv6 type is Router Solicitation,
// drops the rest in the kernel.
std::vector<sock_filter> router_solicitation_filter();

// Runs a classic BPF program over a frame the way the kernel does for the
// instructions router_solicitation_filter() uses; the return value is the
// number of octets to keep (0 = drop). For tests.
std::uint32_t run_filter(std::span<const sock_filter> program, std::span<const std::uint8_t> frame);

} // namespace dlif::nd
