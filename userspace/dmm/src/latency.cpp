// SPDX-License-Identifier: GPL-2.0
#include "dlif/dmm/latency.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace dlif::dmm {

namespace {

constexpr double kFirstBoundUs = 64.0;
constexpr double kBucketsPerOctave = 4.0;

// Each bucket's upper bound in whole microseconds, computed once.
const std::array<std::int64_t, LatencyHistogram::kBuckets> &bounds_us()
{
	static const auto bounds = [] {
		std::array<std::int64_t, LatencyHistogram::kBuckets> table{};
		for (std::size_t i = 0; i < table.size(); ++i)
			table[i] = std::llround(kFirstBoundUs * std::exp2(static_cast<double>(i) / kBucketsPerOctave));
		return table;
	}();
	return bounds;
}

} // namespace

std::chrono::microseconds LatencyHistogram::upper_bound(std::size_t bucket) noexcept
{
	return std::chrono::microseconds(bounds_us()[bucket]);
}

std::size_t LatencyHistogram::bucket_of(std::chrono::nanoseconds elapsed) noexcept
{
	// The first bound the value does not exceed; the last bucket also
	// takes everything longer.
	const double us = static_cast<double>(elapsed.count()) / 1000.0;
	const auto &bounds = bounds_us();
	const auto at = std::lower_bound(bounds.begin(), bounds.end() - 1, us,
					 [](std::int64_t bound, double value) { return static_cast<double>(bound) < value; });
	return static_cast<std::size_t>(at - bounds.begin());
}

void LatencyHistogram::observe(std::chrono::nanoseconds elapsed) noexcept
{
	++buckets_[bucket_of(elapsed)];
	++count_;
	if (elapsed.count() > 0)
		sum_ += elapsed;
}

std::chrono::microseconds LatencyHistogram::percentile(double fraction) const noexcept
{
	if (count_ == 0)
		return std::chrono::microseconds(0);
	const auto wanted = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(count_)));
	std::uint64_t seen = 0;
	for (std::size_t i = 0; i < kBuckets; ++i) {
		seen += buckets_[i];
		if (seen >= wanted && seen > 0)
			return upper_bound(i);
	}
	return upper_bound(kBuckets - 1);
}

nlohmann::json to_json(const LatencyHistogram &histogram)
{
	auto ms = [](std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; };
	nlohmann::json buckets = nlohmann::json::array();
	for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i)
		if (const auto n = histogram.buckets()[i])
			buckets.push_back({LatencyHistogram::upper_bound(i).count(), n});
	return {{"count", histogram.count()},
		{"sum_s", std::chrono::duration<double>(histogram.sum()).count()},
		{"p50_ms", ms(histogram.percentile(0.5))},
		{"p99_ms", ms(histogram.percentile(0.99))},
		{"buckets", std::move(buckets)}};
}

} // namespace dlif::dmm
