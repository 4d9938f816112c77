// SPDX-License-Identifier: GPL-2.0
//
// The address value types every part of dlif speaks: the Mobility Header
// codec (mh/), the netlink clients (nl/), the protocol cores (dmm/, cmd/,
// maar/), neighbour discovery (nd/), the daemon and dlifctl. One type per
// concept, so nothing converts between spellings of the same address.
//
// Text forms: IPv6 as inet_pton(3) reads it and RFC 5952 writes it; MACs
// as six hex octets separated by ':' (or '-', as in MN-IDs), written in
// lower case with ':'.
#pragma once

#include <netinet/in.h>

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dlif {

struct Ipv6Address {
	static constexpr std::size_t size = 16;
	using Bytes = std::array<std::uint8_t, size>;

	Bytes bytes{};	// network order

	// Any form inet_pton(AF_INET6) accepts; nothing else (no zone, no
	// brackets, no length).
	static std::optional<Ipv6Address> from_string(std::string_view text);
	static Ipv6Address from_in6(const in6_addr &address) noexcept;

	std::string to_string() const;
	in6_addr to_in6() const noexcept;
	bool is_unspecified() const noexcept { return *this == Ipv6Address{}; }
	bool is_multicast() const noexcept { return bytes[0] == 0xff; }

	friend bool operator==(const Ipv6Address &, const Ipv6Address &) = default;
	friend auto operator<=>(const Ipv6Address &, const Ipv6Address &) = default;
};

inline constexpr std::uint8_t kMaxPrefixLength = 128;

// An IPv6 prefix. The bits of `address` beyond `length` carry no meaning:
// RFC 8885 and RFC 5213 say they are ignored on receipt and sent as zero.
// Comparison therefore uses the masked value. from_string() keeps the
// bits as written, so that a configuration reader can point out a prefix
// with host bits set; make() and masked() clear them.
struct Ipv6Prefix {
	Ipv6Address address;
	std::uint8_t length = 0;

	// The prefix of `length` bits of `address`, host bits cleared;
	// nullopt when length > 128.
	static std::optional<Ipv6Prefix> make(const Ipv6Address &address, unsigned length) noexcept;
	// "2001:db8:1::/64": an address, '/', and a decimal length up to 128.
	static std::optional<Ipv6Prefix> from_string(std::string_view text);
	std::string to_string() const;	// masked, always with the length

	// The same prefix with the bits beyond `length` cleared (a length over
	// 128, which only a caller can produce, keeps all bits).
	Ipv6Prefix masked() const noexcept;
	bool contains(const Ipv6Address &address) const noexcept;

	friend bool operator==(const Ipv6Prefix &a, const Ipv6Prefix &b) noexcept
	{
		return a.length == b.length && a.masked().address == b.masked().address;
	}
	// By masked address, then by length: the order of a routing table dump.
	friend std::strong_ordering operator<=>(const Ipv6Prefix &a, const Ipv6Prefix &b) noexcept
	{
		if (const auto order = a.masked().address <=> b.masked().address; order != 0)
			return order;
		return a.length <=> b.length;
	}
};

// An Ethernet (EUI-48) MAC address.
struct MacAddress {
	static constexpr std::size_t size = 6;
	using Bytes = std::array<std::uint8_t, size>;

	Bytes bytes{};

	// Six groups of one or two hex digits, separated by ':' or by '-'
	// (one kind throughout): "02:00:00:00:00:01", "2-0-0-0-0-1".
	static std::optional<MacAddress> from_string(std::string_view text);
	std::string to_string() const;	// "02:00:00:00:00:01"
	bool is_zero() const noexcept { return *this == MacAddress{}; }
	// The Ethernet group address an IPv6 multicast address maps to
	// (RFC 2464 §7: 33:33 and the low 32 bits).
	static MacAddress for_multicast(const Ipv6Address &group) noexcept
	{
		return {{0x33, 0x33, group.bytes[12], group.bytes[13], group.bytes[14], group.bytes[15]}};
	}

	friend bool operator==(const MacAddress &, const MacAddress &) = default;
	friend auto operator<=>(const MacAddress &, const MacAddress &) = default;
};

// Octets as lower-case hex pairs joined by `separator`: the text form of
// every link-layer address ("02:00:00:00:00:01") and of the MAC in an
// MN-ID ("02-00-00-00-00-01").
std::string hex_octets(std::span<const std::uint8_t> octets, char separator);

std::ostream &operator<<(std::ostream &os, const Ipv6Address &address);
std::ostream &operator<<(std::ostream &os, const Ipv6Prefix &prefix);
std::ostream &operator<<(std::ostream &os, const MacAddress &mac);

} // namespace dlif
