// SPDX-License-Identifier: GPL-2.0
//
// Address value types carried in mobility options: IPv6 addresses and
// prefixes (dlif/address.hpp) and link-layer addresses of any length.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "dlif/address.hpp"
#include "dlif/mh/small_vector.hpp"

namespace dlif::mh {

// A link-layer address of any length (RFC 4861 §4.6 leaves the format to
// the link type: 6 octets for Ethernet/802.11, 8 for EUI-64, ...).
struct LinkLayerAddress {
	SmallVector<std::uint8_t, 16> bytes;

	// "00:11:22:33:01:01" (hex octets separated by ':' or '-').
	static std::optional<LinkLayerAddress> from_string(std::string_view text);
	std::string to_string() const;

	friend bool operator==(const LinkLayerAddress &, const LinkLayerAddress &) = default;
};

std::ostream &operator<<(std::ostream &os, const LinkLayerAddress &address);

} // namespace dlif::mh
