// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <chrono>

#include "dlif/time_format.hpp"

namespace dlif {
namespace {

using namespace std::chrono;

system_clock::time_point at(microseconds since_epoch)
{
	return system_clock::time_point(duration_cast<system_clock::duration>(since_epoch));
}

TEST(Rfc3339, MillisecondsByDefault)
{
	EXPECT_EQ(rfc3339(at(0us)), "1970-01-01T00:00:00.000Z");
	EXPECT_EQ(rfc3339(at(1'700'000'000'123'456us)), "2023-11-14T22:13:20.123Z");
}

TEST(Rfc3339, Microseconds)
{
	EXPECT_EQ(rfc3339(at(1'700'000'000'123'456us), SubSecond::microseconds), "2023-11-14T22:13:20.123456Z");
	EXPECT_EQ(rfc3339(at(1'700'000'000'000'007us), SubSecond::microseconds), "2023-11-14T22:13:20.000007Z");
}

// A clock set before 1970 still gives a valid stamp: the second rounds
// down and the fraction counts up from it.
TEST(Rfc3339, BeforeTheEpoch)
{
	EXPECT_EQ(rfc3339(at(-250'000us), SubSecond::microseconds), "1969-12-31T23:59:59.750000Z");
	EXPECT_EQ(rfc3339(at(-1us)), "1969-12-31T23:59:59.999Z");
}

// Stamps of one precision have one width, so that they sort as strings.
TEST(Rfc3339, SortAsStrings)
{
	EXPECT_LT(rfc3339(at(9'999'999us), SubSecond::microseconds),
		  rfc3339(at(10'000'000us), SubSecond::microseconds));
	EXPECT_LT(rfc3339(at(999'999us)), rfc3339(at(1'000'000us)));
}

} // namespace
} // namespace dlif
