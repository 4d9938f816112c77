// SPDX-License-Identifier: GPL-2.0
#include "dlif/mh/address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <ostream>

#include "dlif/mh/wire.hpp"

namespace dlif::mh {

std::optional<LinkLayerAddress> LinkLayerAddress::from_string(std::string_view text)
{
	LinkLayerAddress result;
	std::size_t pos = 0;
	while (pos < text.size()) {
		std::uint8_t octet = 0;
		const auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + std::min<std::size_t>(2, text.size() - pos),
						       octet, 16);
		if (ec != std::errc() || end != text.data() + pos + 2)
			return std::nullopt;
		result.bytes.push_back(octet);
		pos += 2;
		if (pos == text.size())
			break;
		if (text[pos] != ':' && text[pos] != '-')
			return std::nullopt;
		if (++pos == text.size())
			return std::nullopt; // trailing separator
	}
	if (result.bytes.empty() || result.bytes.size() > kMaxLinkLayerAddressSize)
		return std::nullopt;
	return result;
}

std::string LinkLayerAddress::to_string() const
{
	return hex_octets(bytes.span(), ':');
}

std::ostream &operator<<(std::ostream &os, const LinkLayerAddress &address)
{
	return os << address.to_string();
}

} // namespace dlif::mh
