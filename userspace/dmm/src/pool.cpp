// SPDX-License-Identifier: GPL-2.0
#include "dlif/dmm/pool.hpp"

#include <algorithm>

namespace dlif::dmm {

bool overlaps(const Ipv6Prefix &a, const Ipv6Prefix &b) noexcept
{
	const std::uint8_t shorter = std::min(a.length, b.length);
	return Ipv6Prefix{a.address, shorter} == Ipv6Prefix{b.address, shorter};
}

PrefixPool::PrefixPool(Ipv6Prefix pool, std::uint8_t length, std::vector<Ipv6Address> reserved,
		       std::vector<Ipv6Prefix> reserved_prefixes)
	: pool_(pool.masked()), length_(length), reserved_(std::move(reserved)),
	  reserved_prefixes_(std::move(reserved_prefixes))
{
	if (length_ < pool_.length || length_ > kMaxPrefixLength)
		return;
	// Indices are 64-bit; a pool wider than that is capped (nobody
	// hands out 2^63 prefixes).
	const unsigned bits = std::min<unsigned>(length_ - pool_.length, 63);
	capacity_ = std::uint64_t{1} << bits;
}

Ipv6Prefix PrefixPool::prefix_at(std::uint64_t index) const noexcept
{
	Ipv6Prefix prefix{pool_.address, length_};
	// Add index << (128 - length) to the 128-bit address.
	unsigned shift = 128u - length_;
	std::uint64_t carry = 0;
	for (int byte = 15; byte >= 0; --byte) {
		const unsigned bit_low = static_cast<unsigned>(15 - byte) * 8;	// bit position of this byte's LSB
		std::uint64_t add = carry;
		if (bit_low + 8 > shift && bit_low < shift + 64) {
			// Bits of (index << shift) that land in this byte.
			const int offset = static_cast<int>(bit_low) - static_cast<int>(shift);
			const std::uint64_t part = offset >= 0 ? (index >> offset) : (index << -offset);
			add += part & 0xffu;
		}
		const std::uint64_t sum = prefix.address.bytes[static_cast<std::size_t>(byte)] + add;
		prefix.address.bytes[static_cast<std::size_t>(byte)] = static_cast<std::uint8_t>(sum);
		carry = sum >> 8;
	}
	return prefix.masked();
}

std::optional<std::uint64_t> PrefixPool::index_of(const Ipv6Prefix &prefix) const noexcept
{
	if (capacity_ == 0 || prefix.length != length_ || !pool_.contains(prefix.address))
		return std::nullopt;
	// The bits between the pool's length and the prefix length.
	std::uint64_t index = 0;
	const Ipv6Prefix masked = prefix.masked();
	for (unsigned bit = pool_.length; bit < length_; ++bit) {
		const unsigned byte = bit / 8;
		const unsigned within = 7 - bit % 8;
		index = (index << 1) | ((masked.address.bytes[byte] >> within) & 1u);
	}
	if (index >= capacity_)
		return std::nullopt;
	return index;
}

bool PrefixPool::reserved(const Ipv6Prefix &prefix) const noexcept
{
	for (const auto &address : reserved_)
		if (prefix.contains(address))
			return true;
	for (const auto &other : reserved_prefixes_)
		if (overlaps(prefix, other))
			return true;
	return false;
}

std::optional<Ipv6Prefix> PrefixPool::allocate()
{
	if (used_.size() >= capacity_)
		return std::nullopt;
	// Bounded: at most the capacity, and in practice the number of
	// consecutive used or reserved prefixes after the cursor.
	for (std::uint64_t tried = 0; tried < capacity_; ++tried) {
		const std::uint64_t index = cursor_;
		cursor_ = (cursor_ + 1) % capacity_;
		if (used_.contains(index))
			continue;
		const Ipv6Prefix prefix = prefix_at(index);
		if (reserved(prefix))
			continue;
		used_.insert(index);
		return prefix;
	}
	return std::nullopt;
}

bool PrefixPool::claim(const Ipv6Prefix &prefix)
{
	const auto index = index_of(prefix);
	if (!index || reserved(prefix))
		return false;
	return used_.insert(*index).second;
}

void PrefixPool::release(const Ipv6Prefix &prefix)
{
	if (const auto index = index_of(prefix))
		used_.erase(*index);
}

bool PrefixPool::contains(const Ipv6Prefix &prefix) const noexcept
{
	return index_of(prefix).has_value();
}

bool PrefixPool::in_use(const Ipv6Prefix &prefix) const
{
	const auto index = index_of(prefix);
	return index && used_.contains(*index);
}

} // namespace dlif::dmm
