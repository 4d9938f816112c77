// SPDX-License-Identifier: GPL-2.0
//
// The Mobility Header checksum (RFC 6275 §6.1.1): the Internet checksum
// over the IPv6 pseudo-header (source, destination, upper-layer length,
// Next Header 135) and the whole Mobility Header. The kernel computes and
// verifies it on raw IPPROTO_MH sockets; these helpers serve tests,
// captures and packet injection.
#pragma once

#include <cstdint>
#include <span>

#include "dlif/mh/address.hpp"

namespace dlif::mh {

// The checksum of `mobility_header` as if its Checksum field were zero.
std::uint16_t mh_checksum(const Ipv6Address &source, const Ipv6Address &destination,
			  std::span<const std::uint8_t> mobility_header) noexcept;

// Writes mh_checksum() into octets 4-5 (no-op if the header is shorter).
void set_mh_checksum(const Ipv6Address &source, const Ipv6Address &destination,
		     std::span<std::uint8_t> mobility_header) noexcept;

// True if the Checksum field holds the right value.
bool mh_checksum_is_valid(const Ipv6Address &source, const Ipv6Address &destination,
			  std::span<const std::uint8_t> mobility_header) noexcept;

} // namespace dlif::mh
