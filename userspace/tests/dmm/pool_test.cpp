// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <set>

#include "dlif/dmm/pool.hpp"

namespace dlif::dmm {
namespace {

Ipv6Prefix pfx(const char *text)
{
	return *Ipv6Prefix::from_string(text);
}

TEST(PrefixPool, HandsOutPrefixesInOrder)
{
	PrefixPool pool(pfx("2001:db8:1::/48"), 64);
	EXPECT_EQ(pool.capacity(), 65536u);
	EXPECT_EQ(pool.allocate(), pfx("2001:db8:1::/64"));
	EXPECT_EQ(pool.allocate(), pfx("2001:db8:1:1::/64"));
	EXPECT_EQ(pool.allocate(), pfx("2001:db8:1:2::/64"));
	EXPECT_EQ(pool.used(), 3u);
	EXPECT_TRUE(pool.in_use(pfx("2001:db8:1:1::/64")));
}

TEST(PrefixPool, SkipsPrefixesHoldingReservedAddressesOrNetworks)
{
	// The node's own address is in :0, a local network covers :2 and :3.
	PrefixPool pool(pfx("2001:db8:1::/48"), 64, {*Ipv6Address::from_string("2001:db8:1::1")},
			{pfx("2001:db8:1:2::/63")});
	EXPECT_EQ(pool.allocate(), pfx("2001:db8:1:1::/64"));
	EXPECT_EQ(pool.allocate(), pfx("2001:db8:1:4::/64"));
	EXPECT_FALSE(pool.claim(pfx("2001:db8:1::/64")));
	EXPECT_FALSE(pool.claim(pfx("2001:db8:1:3::/64")));
}

TEST(PrefixPool, NextFitReusesReleasedPrefixesLast)
{
	PrefixPool pool(pfx("2001:db8:1::/62"), 64);
	const auto a = pool.allocate();
	const auto b = pool.allocate();
	pool.release(*a);
	EXPECT_EQ(pool.allocate(), pfx("2001:db8:1:2::/64"));
	EXPECT_EQ(pool.allocate(), pfx("2001:db8:1:3::/64"));
	EXPECT_EQ(pool.allocate(), a);	// wrapped round
	EXPECT_FALSE(pool.allocate());	// exhausted
	pool.release(*b);
	EXPECT_EQ(pool.allocate(), b);
}

TEST(PrefixPool, ClaimAndContains)
{
	PrefixPool pool(pfx("2001:db8:f::/48"), 64);
	EXPECT_TRUE(pool.contains(pfx("2001:db8:f:99::/64")));
	EXPECT_FALSE(pool.contains(pfx("2001:db8:f:99::/56")));	// wrong length
	EXPECT_FALSE(pool.contains(pfx("2001:db8:e:99::/64")));	// outside
	EXPECT_TRUE(pool.claim(pfx("2001:db8:f:99::/64")));
	EXPECT_FALSE(pool.claim(pfx("2001:db8:f:99::/64")));	// twice
	pool.release(pfx("2001:db8:f:99::/64"));
	EXPECT_FALSE(pool.in_use(pfx("2001:db8:f:99::/64")));
	pool.release(pfx("2001:db8:e::/64"));	// not ours: no-op
}

TEST(PrefixPool, LengthsNotOnOctetBoundaries)
{
	PrefixPool pool(pfx("2001:db8:8::/45"), 61);
	std::set<std::string> seen;
	for (int i = 0; i < 10; ++i) {
		const auto prefix = pool.allocate();
		ASSERT_TRUE(prefix);
		EXPECT_EQ(prefix->length, 61);
		EXPECT_TRUE(pfx("2001:db8:8::/45").contains(prefix->address));
		EXPECT_TRUE(seen.insert(prefix->to_string()).second);
	}
	// The index bits are bits 45-60: index 1 sets bit 60, in the fourth
	// 16-bit group (value 8).
	EXPECT_TRUE(seen.contains("2001:db8:8::/61"));
	EXPECT_TRUE(seen.contains("2001:db8:8:8::/61"));
	EXPECT_TRUE(seen.contains("2001:db8:8:48::/61"));
	EXPECT_EQ(pool.capacity(), 1u << 16);
}

TEST(PrefixPool, CursorSurvivesInSnapshots)
{
	PrefixPool pool(pfx("2001:db8:1::/48"), 64);
	pool.allocate();
	pool.allocate();
	PrefixPool copy(pfx("2001:db8:1::/48"), 64);
	copy.set_cursor(pool.cursor());
	EXPECT_EQ(copy.allocate(), pool.allocate());
}

TEST(PrefixPool, ImpossibleConfigurationsHandOutNothing)
{
	PrefixPool shorter(pfx("2001:db8:1::/64"), 48);
	EXPECT_EQ(shorter.capacity(), 0u);
	EXPECT_FALSE(shorter.allocate());
	PrefixPool single(pfx("2001:db8:1::/64"), 64);
	EXPECT_EQ(single.allocate(), pfx("2001:db8:1::/64"));
	EXPECT_FALSE(single.allocate());
}

TEST(Overlaps, EitherContainsTheOther)
{
	EXPECT_TRUE(overlaps(pfx("2001:db8::/32"), pfx("2001:db8:1::/48")));
	EXPECT_TRUE(overlaps(pfx("2001:db8:1::/48"), pfx("2001:db8::/32")));
	EXPECT_FALSE(overlaps(pfx("2001:db8:1::/48"), pfx("2001:db8:2::/48")));
}

} // namespace
} // namespace dlif::dmm
