// SPDX-License-Identifier: GPL-2.0
//
// Mobility option value types and MobilityOptions, the options of one
// message as typed fields. Option order on the wire carries no meaning in
// PMIPv6, except among instances of one repeatable option, whose order is
// kept.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string_view>

#include "dlif/mh/address.hpp"
#include "dlif/mh/small_vector.hpp"

namespace dlif::mh {

// RFC 4283 subtype; other values (RFC 8371 adds several) are kept as
// numbers.
enum class MnIdSubtype : std::uint8_t {
	Nai = 1,
};

// Mobile Node Identifier option (type 8, RFC 4283).
struct MobileNodeIdentifier {
	// An identifier fits in one option: 255 octets of data minus the Subtype.
	static constexpr std::size_t kMaxSize = 254;

	MnIdSubtype subtype = MnIdSubtype::Nai;
	SmallVector<std::uint8_t, 64> identifier;

	static MobileNodeIdentifier nai(std::string_view text);
	// The identifier octets as characters (an NAI is text).
	std::string_view text() const noexcept;

	friend bool operator==(const MobileNodeIdentifier &, const MobileNodeIdentifier &) = default;
};

// Handoff Indicator option value (type 23, RFC 5213 §8.4).
enum class HandoffIndicator : std::uint8_t {
	Reserved = 0,
	AttachmentOverNewInterface = 1,
	HandoffBetweenInterfacesOfMobileNode = 2,
	HandoffBetweenMags = 3,
	HandoffStateUnknown = 4,
	HandoffStateNotChanged = 5, // re-registration
};

// Access Technology Type option value (type 24, RFC 5213 §8.5).
enum class AccessTechnologyType : std::uint8_t {
	Reserved = 0,
	Virtual = 1,
	Ppp = 2,
	Ieee8023 = 3,
	Ieee80211 = 4, // IEEE 802.11a/b/g
	Ieee80216e = 5,
};

// Timestamp option value (type 27, RFC 5213 §8.8): 48 bits of seconds
// since 1970-01-01 00:00 UTC, then 16 bits of 1/65536 s. The raw value
// orders chronologically, which is what the "newer than" checks need.
class Timestamp {
public:
	constexpr Timestamp() = default;
	static constexpr Timestamp from_raw(std::uint64_t raw) noexcept { return Timestamp(raw); }
	static constexpr Timestamp from_parts(std::uint64_t seconds, std::uint16_t fraction) noexcept
	{
		return Timestamp(((seconds & kSecondsMask) << 16) | fraction);
	}
	// Times before 1970 become 0; the fraction is truncated.
	static Timestamp from_time_point(std::chrono::system_clock::time_point time) noexcept;

	constexpr std::uint64_t raw() const noexcept { return raw_; }
	constexpr std::uint64_t seconds() const noexcept { return raw_ >> 16; }
	constexpr std::uint16_t fraction() const noexcept { return static_cast<std::uint16_t>(raw_ & 0xffff); }
	std::chrono::system_clock::time_point to_time_point() const noexcept;

	friend constexpr bool operator==(Timestamp, Timestamp) = default;
	friend constexpr auto operator<=>(Timestamp, Timestamp) = default;

private:
	static constexpr std::uint64_t kSecondsMask = (std::uint64_t{1} << 48) - 1;
	constexpr explicit Timestamp(std::uint64_t raw) : raw_(raw) {}
	std::uint64_t raw_ = 0;
};

// Previous MAAR option (type 67, RFC 8885 §4.5): a P-MAAR's global address
// and the prefix anchored there.
struct PreviousMaar {
	Ipv6Address address; // a full address: the prefix length does not apply
	Ipv6Prefix home_network_prefix;

	friend bool operator==(const PreviousMaar &, const PreviousMaar &) = default;
};

// Inline room for the repeatable options; more instances spill to the heap.
using PrefixList = SmallVector<Ipv6Prefix, 4>;
using PreviousMaarList = SmallVector<PreviousMaar, 4>;

// The options of a PBU, PBA or BE. The builder emits them in the order of
// the fields below, each padded to its alignment; the parser accepts any
// order and alignment. Repeatable options are lists; any other option
// appearing twice is a parse error.
struct MobilityOptions {
	std::optional<MobileNodeIdentifier> mobile_node_identifier;             // 8
	PrefixList home_network_prefixes;                                       // 22, repeatable
	std::optional<HandoffIndicator> handoff_indicator;                      // 23
	std::optional<AccessTechnologyType> access_technology_type;             // 24
	std::optional<LinkLayerAddress> mobile_node_link_layer_identifier;      // 25
	std::optional<Ipv6Address> link_local_address;                          // 26
	std::optional<Timestamp> timestamp;                                     // 27
	PrefixList anchored_prefixes;                                           // 65, repeatable
	PrefixList local_prefixes;                                              // 66, repeatable
	PreviousMaarList previous_maars;                                        // 67, repeatable
	std::optional<Ipv6Address> serving_maar;                                // 68
	std::optional<Ipv6Address> dlif_link_local_address;                     // 69
	std::optional<LinkLayerAddress> dlif_link_layer_address;                // 70

	friend bool operator==(const MobilityOptions &, const MobilityOptions &) = default;
};

} // namespace dlif::mh
