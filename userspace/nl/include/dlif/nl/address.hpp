// SPDX-License-Identifier: GPL-2.0
//
// Small value types for the addresses that travel in dlif messages: IPv6
// addresses, IPv6 prefixes (address + length, host bits always zero) and
// Ethernet MAC addresses. Parsing accepts the text forms the tools take on
// their command lines; formatting gives the canonical text (RFC 5952 for
// IPv6, lower-case colon-separated for MACs).
#pragma once

#include <netinet/in.h>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dlif::nl {

class Ipv6Address {
public:
	static constexpr std::size_t size = 16;
	using Bytes = std::array<uint8_t, size>;

	constexpr Ipv6Address() = default;	// ::
	constexpr explicit Ipv6Address(const Bytes &bytes) : bytes_(bytes) {}
	static Ipv6Address from_in6(const in6_addr &addr);

	// Any form inet_pton(AF_INET6) accepts; nothing else (no zone, no brackets).
	static std::optional<Ipv6Address> parse(std::string_view text);

	std::string to_string() const;
	in6_addr to_in6() const;
	const Bytes &bytes() const { return bytes_; }
	bool is_unspecified() const { return *this == Ipv6Address{}; }

	auto operator<=>(const Ipv6Address &) const = default;

private:
	Bytes bytes_{};
};

// An IPv6 prefix. The address never has bits set past the length, so two
// spellings of one prefix compare equal.
class Prefix {
public:
	static constexpr uint8_t max_length = 128;

	constexpr Prefix() = default;	// ::/0
	// nullopt when length > 128; host bits of address are cleared.
	static std::optional<Prefix> make(const Ipv6Address &address, unsigned length);
	// "ADDR/LEN" with LEN 0..128 in decimal, "ADDR" alone (= /128), or
	// "default" (= ::/0). Host bits are cleared, not rejected.
	static std::optional<Prefix> parse(std::string_view text);

	const Ipv6Address &address() const { return address_; }
	uint8_t length() const { return length_; }
	bool contains(const Ipv6Address &address) const;
	std::string to_string() const;	// "2001:db8::/64", always with the length

	auto operator<=>(const Prefix &) const = default;

private:
	Prefix(const Ipv6Address &address, uint8_t length) : address_(address), length_(length) {}

	Ipv6Address address_;
	uint8_t length_ = 0;
};

class MacAddress {
public:
	static constexpr std::size_t size = 6;
	using Bytes = std::array<uint8_t, size>;

	constexpr MacAddress() = default;
	constexpr explicit MacAddress(const Bytes &bytes) : bytes_(bytes) {}

	// Six groups of one or two hex digits separated by ':'.
	static std::optional<MacAddress> parse(std::string_view text);

	std::string to_string() const;	// "02:00:00:00:00:01"
	const Bytes &bytes() const { return bytes_; }

	auto operator<=>(const MacAddress &) const = default;

private:
	Bytes bytes_{};
};

}  // namespace dlif::nl
