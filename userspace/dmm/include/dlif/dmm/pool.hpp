// SPDX-License-Identifier: GPL-2.0
//
// A pool of equal-length prefixes carved from a larger one: a MAAR's
// exclusive pool (RFC 8885 §3, R12) or the CMD's LMA pool. Next-fit
// allocation: a released prefix is handed out again only after the rest
// of the pool, so that stale traffic for a node that just left does not
// reach the next node at once.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_set>
#include <vector>

#include "dlif/dmm/types.hpp"

namespace dlif::dmm {

class PrefixPool {
public:
	PrefixPool() = default;
	// Prefixes of `length` inside `pool`. A prefix containing one of
	// `reserved` (the node's own addresses) or overlapping one of
	// `reserved_prefixes` (its local networks) is never handed out.
	PrefixPool(Ipv6Prefix pool, std::uint8_t length, std::vector<Ipv6Address> reserved = {},
		   std::vector<Ipv6Prefix> reserved_prefixes = {});

	std::optional<Ipv6Prefix> allocate();
	// Marks a given prefix as used; false if it is not one of the pool's,
	// is reserved, or is already in use.
	bool claim(const Ipv6Prefix &prefix);
	// Back to the pool (no-op for a prefix not in use).
	void release(const Ipv6Prefix &prefix);

	bool contains(const Ipv6Prefix &prefix) const noexcept;	// one of the pool's prefixes
	bool in_use(const Ipv6Prefix &prefix) const;
	std::size_t used() const noexcept { return used_.size(); }
	std::uint64_t capacity() const noexcept { return capacity_; }

	// Where the next search starts (kept in snapshots so that a restored
	// core allocates what the original would have).
	std::uint64_t cursor() const noexcept { return cursor_; }
	void set_cursor(std::uint64_t cursor) noexcept { cursor_ = capacity_ == 0 ? 0 : cursor % capacity_; }

private:
	std::optional<std::uint64_t> index_of(const Ipv6Prefix &prefix) const noexcept;
	Ipv6Prefix prefix_at(std::uint64_t index) const noexcept;
	bool reserved(const Ipv6Prefix &prefix) const noexcept;

	Ipv6Prefix pool_{};
	std::uint8_t length_ = 0;
	std::uint64_t capacity_ = 0;
	std::uint64_t cursor_ = 0;
	std::vector<Ipv6Address> reserved_;
	std::vector<Ipv6Prefix> reserved_prefixes_;
	std::unordered_set<std::uint64_t> used_;
};

// True if the two prefixes share an address.
bool overlaps(const Ipv6Prefix &a, const Ipv6Prefix &b) noexcept;

} // namespace dlif::dmm
