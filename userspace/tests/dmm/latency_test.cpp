// SPDX-License-Identifier: GPL-2.0
//
// The latency histogram the MAAR keeps of its handovers
// (userspace/dmm/include/dlif/dmm/latency.hpp).
#include <gtest/gtest.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "dlif/dmm/latency.hpp"

namespace {

using dlif::dmm::LatencyHistogram;
using namespace std::chrono_literals;

TEST(LatencyHistogram, BucketsAreGeometricFourPerOctave)
{
	EXPECT_EQ(LatencyHistogram::upper_bound(0), 64us);
	EXPECT_EQ(LatencyHistogram::upper_bound(4), 128us);
	EXPECT_EQ(LatencyHistogram::upper_bound(40), 65536us);
	for (std::size_t i = 1; i < LatencyHistogram::kBuckets; ++i) {
		const double ratio = static_cast<double>(LatencyHistogram::upper_bound(i).count()) /
				     static_cast<double>(LatencyHistogram::upper_bound(i - 1).count());
		EXPECT_NEAR(ratio, 1.189, 0.01) << "bucket " << i;
	}
	EXPECT_GT(LatencyHistogram::upper_bound(LatencyHistogram::kBuckets - 1), 150s);
}

TEST(LatencyHistogram, AValueGoesToTheFirstBucketItDoesNotExceed)
{
	EXPECT_EQ(LatencyHistogram::bucket_of(0ns), 0u);
	EXPECT_EQ(LatencyHistogram::bucket_of(64us), 0u);
	EXPECT_EQ(LatencyHistogram::bucket_of(65us), 1u);
	EXPECT_EQ(LatencyHistogram::bucket_of(128us), 4u);
	EXPECT_EQ(LatencyHistogram::bucket_of(129us), 5u);
	EXPECT_EQ(LatencyHistogram::bucket_of(-5ms), 0u);
	EXPECT_EQ(LatencyHistogram::bucket_of(24h), LatencyHistogram::kBuckets - 1);
	for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
		const auto bound = LatencyHistogram::upper_bound(i);
		EXPECT_LE(LatencyHistogram::bucket_of(bound), i) << "bucket " << i;
		if (i + 1 < LatencyHistogram::kBuckets) {
			EXPECT_EQ(LatencyHistogram::bucket_of(bound + 1us), i + 1) << "bucket " << i;
		}
	}
}

TEST(LatencyHistogram, PercentilesAreUpperEstimatesWithinABucket)
{
	LatencyHistogram histogram;
	EXPECT_EQ(histogram.percentile(0.5), 0us);
	for (int ms = 1; ms <= 100; ++ms)
		histogram.observe(std::chrono::milliseconds(ms));
	EXPECT_EQ(histogram.count(), 100u);
	const auto p50 = histogram.percentile(0.5);
	const auto p99 = histogram.percentile(0.99);
	EXPECT_GE(p50, 50ms);
	EXPECT_LT(p50, 50ms * 1.19);
	EXPECT_GE(p99, 99ms);
	EXPECT_LT(p99, 99ms * 1.19);
	EXPECT_GE(histogram.percentile(1.0), 100ms);
	EXPECT_LE(histogram.percentile(0.001), 1100us);
}

TEST(LatencyHistogram, JsonListsTheNonEmptyBuckets)
{
	LatencyHistogram histogram;
	histogram.observe(1ms);
	histogram.observe(1ms);
	histogram.observe(3s);
	const nlohmann::json json = to_json(histogram);
	EXPECT_EQ(json["count"], 3);
	ASSERT_EQ(json["buckets"].size(), 2u);
	EXPECT_EQ(json["buckets"][0][1], 2);
	EXPECT_GE(json["buckets"][0][0].get<long>(), 1000);
	EXPECT_EQ(json["buckets"][1][1], 1);
	EXPECT_GE(json["p99_ms"].get<double>(), 3000.0);
	EXPECT_LT(json["p50_ms"].get<double>(), 1.2);
}

} // namespace
