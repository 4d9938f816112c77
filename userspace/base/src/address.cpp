// SPDX-License-Identifier: GPL-2.0
#include "dlif/address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <ostream>

namespace dlif {

std::optional<Ipv6Address> Ipv6Address::from_string(std::string_view text)
{
	// inet_pton wants a terminated string; no valid address is longer.
	char buffer[INET6_ADDRSTRLEN];
	if (text.size() >= sizeof(buffer))
		return std::nullopt;
	std::copy(text.begin(), text.end(), buffer);
	buffer[text.size()] = '\0';
	Ipv6Address address;
	if (inet_pton(AF_INET6, buffer, address.bytes.data()) != 1)
		return std::nullopt;
	return address;
}

Ipv6Address Ipv6Address::from_in6(const in6_addr &address) noexcept
{
	Ipv6Address result;
	std::memcpy(result.bytes.data(), &address, size);
	return result;
}

in6_addr Ipv6Address::to_in6() const noexcept
{
	in6_addr address;
	std::memcpy(&address, bytes.data(), size);
	return address;
}

std::string Ipv6Address::to_string() const
{
	char buffer[INET6_ADDRSTRLEN];
	if (inet_ntop(AF_INET6, bytes.data(), buffer, sizeof(buffer)) == nullptr)
		return "?";
	return buffer;
}

std::optional<Ipv6Prefix> Ipv6Prefix::make(const Ipv6Address &address, unsigned length) noexcept
{
	if (length > kMaxPrefixLength)
		return std::nullopt;
	return Ipv6Prefix{address, static_cast<std::uint8_t>(length)}.masked();
}

std::optional<Ipv6Prefix> Ipv6Prefix::from_string(std::string_view text)
{
	const auto slash = text.find('/');
	if (slash == std::string_view::npos)
		return std::nullopt;
	const auto address = Ipv6Address::from_string(text.substr(0, slash));
	const auto digits = text.substr(slash + 1);
	// Plain decimal: from_chars takes no sign, space or base prefix.
	unsigned length = 0;
	const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
	if (!address || digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
	    length > kMaxPrefixLength)
		return std::nullopt;
	return Ipv6Prefix{*address, static_cast<std::uint8_t>(length)};
}

std::string Ipv6Prefix::to_string() const
{
	return masked().address.to_string() + "/" + std::to_string(length);
}

Ipv6Prefix Ipv6Prefix::masked() const noexcept
{
	Ipv6Prefix result = *this;
	if (length >= kMaxPrefixLength)
		return result;
	std::size_t whole = length / 8;
	const unsigned rest = length % 8;
	if (rest != 0) {
		result.address.bytes[whole] &= static_cast<std::uint8_t>(0xff00u >> rest);
		++whole;
	}
	std::fill(result.address.bytes.begin() + static_cast<std::ptrdiff_t>(whole), result.address.bytes.end(), 0);
	return result;
}

bool Ipv6Prefix::contains(const Ipv6Address &candidate) const noexcept
{
	const std::uint8_t bits = std::min(length, kMaxPrefixLength);
	return Ipv6Prefix{candidate, bits}.masked().address == Ipv6Prefix{address, bits}.masked().address;
}

std::optional<MacAddress> MacAddress::from_string(std::string_view text)
{
	MacAddress mac;
	std::size_t pos = 0;
	char separator = 0;
	for (std::size_t i = 0; i < size; ++i) {
		if (i > 0) {
			if (pos >= text.size())
				return std::nullopt;
			if (separator == 0 && (text[pos] == ':' || text[pos] == '-'))
				separator = text[pos];
			if (text[pos] != separator)
				return std::nullopt;
			++pos;
		}
		// One or two hex digits (from_chars takes no sign or "0x").
		const char *first = text.data() + pos;
		const auto [end, ec] = std::from_chars(first, first + std::min<std::size_t>(2, text.size() - pos),
						       mac.bytes[i], 16);
		if (ec != std::errc())
			return std::nullopt;
		pos += static_cast<std::size_t>(end - first);
	}
	if (pos != text.size())
		return std::nullopt;
	return mac;
}

std::string MacAddress::to_string() const
{
	return hex_octets(bytes, ':');
}

std::string hex_octets(std::span<const std::uint8_t> octets, char separator)
{
	static constexpr char kHex[] = "0123456789abcdef";
	std::string text;
	text.reserve(octets.size() * 3);
	for (const std::uint8_t octet : octets) {
		if (!text.empty())
			text += separator;
		text += kHex[octet >> 4];
		text += kHex[octet & 0xf];
	}
	return text;
}

std::ostream &operator<<(std::ostream &os, const Ipv6Address &address)
{
	return os << address.to_string();
}

std::ostream &operator<<(std::ostream &os, const Ipv6Prefix &prefix)
{
	return os << prefix.to_string();
}

std::ostream &operator<<(std::ostream &os, const MacAddress &mac)
{
	return os << mac.to_string();
}

} // namespace dlif
