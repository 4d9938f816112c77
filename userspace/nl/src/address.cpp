// SPDX-License-Identifier: GPL-2.0
#include "dlif/nl/address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace dlif::nl {

Ipv6Address Ipv6Address::from_in6(const in6_addr &addr)
{
	Bytes bytes;
	std::memcpy(bytes.data(), &addr, size);
	return Ipv6Address(bytes);
}

in6_addr Ipv6Address::to_in6() const
{
	in6_addr addr;
	std::memcpy(&addr, bytes_.data(), size);
	return addr;
}

std::optional<Ipv6Address> Ipv6Address::parse(std::string_view text)
{
	// inet_pton needs a NUL-terminated string; the longest valid form
	// (with an embedded IPv4 suffix) is 45 characters.
	char buf[INET6_ADDRSTRLEN + 1];
	if (text.empty() || text.size() >= sizeof(buf))
		return std::nullopt;
	std::memcpy(buf, text.data(), text.size());
	buf[text.size()] = '\0';
	in6_addr addr;
	if (inet_pton(AF_INET6, buf, &addr) != 1)
		return std::nullopt;
	return from_in6(addr);
}

std::string Ipv6Address::to_string() const
{
	char buf[INET6_ADDRSTRLEN];
	in6_addr addr = to_in6();
	inet_ntop(AF_INET6, &addr, buf, sizeof(buf));
	return buf;
}

std::optional<Prefix> Prefix::make(const Ipv6Address &address, unsigned length)
{
	if (length > max_length)
		return std::nullopt;
	Ipv6Address::Bytes bytes = address.bytes();
	for (unsigned i = 0; i < Ipv6Address::size; ++i) {
		unsigned first_bit = i * 8;
		if (first_bit >= length)
			bytes[i] = 0;
		else if (length - first_bit < 8)
			bytes[i] = static_cast<uint8_t>(bytes[i] & (0xff00u >> (length - first_bit)));
	}
	return Prefix(Ipv6Address(bytes), static_cast<uint8_t>(length));
}

std::optional<Prefix> Prefix::parse(std::string_view text)
{
	if (text == "default")
		return Prefix();
	std::size_t slash = text.find('/');
	unsigned length = max_length;
	if (slash != std::string_view::npos) {
		std::string_view digits = text.substr(slash + 1);
		// Plain decimal only: no sign, no spaces, no "0x", at most 3 digits.
		if (digits.empty() || digits.size() > 3)
			return std::nullopt;
		for (char c : digits)
			if (c < '0' || c > '9')
				return std::nullopt;
		std::from_chars(digits.data(), digits.data() + digits.size(), length);
		text = text.substr(0, slash);
	}
	auto address = Ipv6Address::parse(text);
	if (!address)
		return std::nullopt;
	return make(*address, length);
}

bool Prefix::contains(const Ipv6Address &address) const
{
	auto masked = make(address, length_);
	return masked && masked->address_ == address_;
}

std::string Prefix::to_string() const
{
	return address_.to_string() + "/" + std::to_string(length_);
}

std::optional<MacAddress> MacAddress::parse(std::string_view text)
{
	Bytes bytes{};
	std::size_t pos = 0;
	for (std::size_t i = 0; i < size; ++i) {
		if (i > 0) {
			if (pos >= text.size() || text[pos] != ':')
				return std::nullopt;
			++pos;
		}
		std::size_t start = pos;
		unsigned value = 0;
		while (pos < text.size() && pos - start < 2) {
			char c = text[pos];
			unsigned digit;
			if (c >= '0' && c <= '9')
				digit = static_cast<unsigned>(c - '0');
			else if (c >= 'a' && c <= 'f')
				digit = static_cast<unsigned>(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				digit = static_cast<unsigned>(c - 'A' + 10);
			else
				break;
			value = value * 16 + digit;
			++pos;
		}
		if (pos == start)
			return std::nullopt;
		bytes[i] = static_cast<uint8_t>(value);
	}
	if (pos != text.size())
		return std::nullopt;
	return MacAddress(bytes);
}

std::string MacAddress::to_string() const
{
	static constexpr char hex[] = "0123456789abcdef";
	std::string text;
	text.reserve(3 * size - 1);
	for (std::size_t i = 0; i < size; ++i) {
		if (i > 0)
			text += ':';
		text += hex[bytes_[i] >> 4];
		text += hex[bytes_[i] & 0xf];
	}
	return text;
}

}  // namespace dlif::nl
