// SPDX-License-Identifier: GPL-2.0
//
// Address value types carried in mobility options: IPv6 addresses,
// IPv6 prefixes and link-layer addresses.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "dlif/mh/small_vector.hpp"

namespace dlif::mh {

struct Ipv6Address {
	std::array<std::uint8_t, 16> bytes{};

	// "2001:db8::1" (inet_pton syntax); nullopt if it is not an address.
	static std::optional<Ipv6Address> from_string(std::string_view text);
	std::string to_string() const;

	friend bool operator==(const Ipv6Address &, const Ipv6Address &) = default;
	friend auto operator<=>(const Ipv6Address &, const Ipv6Address &) = default;
};

inline constexpr std::uint8_t kMaxPrefixLength = 128;

// An IPv6 prefix. The bits of `address` beyond `length` carry no meaning:
// RFC 8885 and RFC 5213 say they are ignored on receipt and sent as zero.
// Equality therefore compares the masked value, the parser stores masked
// prefixes and the builder writes masked ones.
struct Ipv6Prefix {
	Ipv6Address address;
	std::uint8_t length = 0;

	// "2001:db8:1::/64"; nullopt if malformed or the length exceeds 128.
	static std::optional<Ipv6Prefix> from_string(std::string_view text);
	std::string to_string() const;

	// The same prefix with the bits beyond `length` cleared (a length over
	// 128, which only a caller can produce, keeps all bits).
	Ipv6Prefix masked() const noexcept;
	bool contains(const Ipv6Address &address) const noexcept;

	friend bool operator==(const Ipv6Prefix &a, const Ipv6Prefix &b) noexcept
	{
		return a.length == b.length && a.masked().address == b.masked().address;
	}
};

// A link-layer address of any length (RFC 4861 §4.6 leaves the format to
// the link type: 6 octets for Ethernet/802.11, 8 for EUI-64, ...).
struct LinkLayerAddress {
	SmallVector<std::uint8_t, 16> bytes;

	// "00:11:22:33:01:01" (hex octets separated by ':' or '-').
	static std::optional<LinkLayerAddress> from_string(std::string_view text);
	std::string to_string() const;

	friend bool operator==(const LinkLayerAddress &, const LinkLayerAddress &) = default;
};

std::ostream &operator<<(std::ostream &os, const Ipv6Address &address);
std::ostream &operator<<(std::ostream &os, const Ipv6Prefix &prefix);
std::ostream &operator<<(std::ostream &os, const LinkLayerAddress &address);

} // namespace dlif::mh
