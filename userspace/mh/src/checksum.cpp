// SPDX-License-Identifier: GPL-2.0
#include "dlif/mh/checksum.hpp"

#include <cstdint>

#include "dlif/mh/wire.hpp"

namespace dlif::mh {
namespace {

// One's complement sum of 16-bit big-endian words (RFC 1071), with the
// octets at `skip` and `skip + 1` read as zero.
std::uint32_t add_words(std::uint32_t sum, std::span<const std::uint8_t> data, std::size_t skip = SIZE_MAX) noexcept
{
	for (std::size_t i = 0; i < data.size(); i += 2) {
		const std::uint32_t high = i == skip ? 0 : data[i];
		const std::uint32_t low = i + 1 >= data.size() || i == skip ? 0 : data[i + 1];
		sum += (high << 8) | low;
	}
	return sum;
}

std::uint16_t fold(std::uint32_t sum) noexcept
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return static_cast<std::uint16_t>(sum);
}

// Sum of the pseudo-header (RFC 8200 §8.1) and the Mobility Header.
std::uint32_t sum_with_pseudo_header(const Ipv6Address &source, const Ipv6Address &destination,
				     std::span<const std::uint8_t> mh, std::size_t skip) noexcept
{
	std::uint32_t sum = add_words(0, source.bytes);
	sum = add_words(sum, destination.bytes);
	const auto length = static_cast<std::uint32_t>(mh.size());
	sum += (length >> 16) + (length & 0xffff);
	sum += kIpProtoMobilityHeader;
	return add_words(sum, mh, skip);
}

} // namespace

std::uint16_t mh_checksum(const Ipv6Address &source, const Ipv6Address &destination,
			  std::span<const std::uint8_t> mobility_header) noexcept
{
	const auto sum = sum_with_pseudo_header(source, destination, mobility_header, kOffsetChecksum);
	return static_cast<std::uint16_t>(~fold(sum));
}

void set_mh_checksum(const Ipv6Address &source, const Ipv6Address &destination,
		     std::span<std::uint8_t> mobility_header) noexcept
{
	if (mobility_header.size() < kOffsetChecksum + 2)
		return;
	const std::uint16_t checksum = mh_checksum(source, destination, mobility_header);
	mobility_header[kOffsetChecksum] = static_cast<std::uint8_t>(checksum >> 8);
	mobility_header[kOffsetChecksum + 1] = static_cast<std::uint8_t>(checksum);
}

bool mh_checksum_is_valid(const Ipv6Address &source, const Ipv6Address &destination,
			  std::span<const std::uint8_t> mobility_header) noexcept
{
	if (mobility_header.size() < kOffsetChecksum + 2)
		return false;
	return fold(sum_with_pseudo_header(source, destination, mobility_header, SIZE_MAX)) == 0xffff;
}

} // namespace dlif::mh
