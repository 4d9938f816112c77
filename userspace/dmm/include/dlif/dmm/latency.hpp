// SPDX-License-Identifier: GPL-2.0
//
// How long something took, over many occurrences: a histogram of fixed,
// geometric buckets (four per octave, from 64 µs to about 160 s), so that
// recording is one increment, the memory is fixed, and two snapshots can
// be subtracted to get the percentiles of what happened between them (the
// load run does that per round).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include <nlohmann/json_fwd.hpp>

namespace dlif::dmm {

class LatencyHistogram {
public:
	static constexpr std::size_t kBuckets = 86;

	void observe(std::chrono::nanoseconds elapsed) noexcept;

	std::uint64_t count() const noexcept { return count_; }
	std::chrono::nanoseconds sum() const noexcept { return sum_; }

	// The least bucket bound that at least `fraction` (0 < fraction <= 1)
	// of the observations do not exceed: an upper estimate within one
	// bucket (19 %). Zero when nothing was observed.
	std::chrono::microseconds percentile(double fraction) const noexcept;

	// Bucket i holds the observations in (upper_bound(i - 1), upper_bound(i)];
	// the last one also everything longer.
	static std::chrono::microseconds upper_bound(std::size_t bucket) noexcept;
	static std::size_t bucket_of(std::chrono::nanoseconds elapsed) noexcept;

	const std::array<std::uint64_t, kBuckets> &buckets() const noexcept { return buckets_; }

private:
	std::array<std::uint64_t, kBuckets> buckets_{};
	std::uint64_t count_ = 0;
	std::chrono::nanoseconds sum_{0};
};

// {"count": N, "sum_s": s, "p50_ms": x, "p99_ms": y,
//  "buckets": [[upper_µs, n], ...]} with the non-empty buckets only.
nlohmann::json to_json(const LatencyHistogram &histogram);

} // namespace dlif::dmm
