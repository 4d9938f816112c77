// SPDX-License-Identifier: GPL-2.0
#include "dlif/dmm/latency.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

namespace dlif::dmm {

namespace {

constexpr double kFirstBoundUs = 64.0;
constexpr double kBucketsPerOctave = 4.0;

} // namespace

std::chrono::microseconds LatencyHistogram::upper_bound(std::size_t bucket) noexcept
{
	return std::chrono::microseconds(
		std::llround(kFirstBoundUs * std::exp2(static_cast<double>(bucket) / kBucketsPerOctave)));
}

std::size_t LatencyHistogram::bucket_of(std::chrono::nanoseconds elapsed) noexcept
{
	const double us = static_cast<double>(elapsed.count()) / 1000.0;
	if (!(us > kFirstBoundUs))
		return 0;
	const double position = std::ceil(kBucketsPerOctave * std::log2(us / kFirstBoundUs));
	if (position >= static_cast<double>(kBuckets - 1))
		return kBuckets - 1;
	// The bounds are whole microseconds: settle on the bucket whose
	// rounded bounds hold the value (at most one step either way).
	auto bucket = static_cast<std::size_t>(position);
	if (bucket > 0 && us <= static_cast<double>(upper_bound(bucket - 1).count()))
		--bucket;
	else if (us > static_cast<double>(upper_bound(bucket).count()))
		++bucket;
	return bucket;
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
