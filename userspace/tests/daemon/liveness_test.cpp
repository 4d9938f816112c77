// SPDX-License-Identifier: GPL-2.0
//
// [maar] detach_after: when a node is probed and when it is declared gone.
#include <gtest/gtest.h>

#include "liveness.hpp"

namespace dlif::daemon {
namespace {

using namespace std::chrono_literals;

const MacAddress kNode = *MacAddress::from_string("02:00:00:00:00:01");
const MacAddress kOther = *MacAddress::from_string("02:00:00:00:00:02");
const Ipv6Address kLinkLocal = *Ipv6Address::from_string("fe80::1");
const Ipv6Address kGlobal = *Ipv6Address::from_string("2001:db8:1000::1");

dmm::TimePoint at(int ms)
{
	return dmm::TimePoint{} + dmm::Duration(ms);
}

Liveness sixty_seconds()
{
	return Liveness({.idle = 60s, .probes = 3, .probe_interval = 1s});
}

TEST(Liveness, OffByDefault)
{
	Liveness liveness;
	liveness.heard(kNode, kLinkLocal, at(0));
	EXPECT_EQ(liveness.tracked(), 0u);
	EXPECT_FALSE(liveness.next_deadline());
}

TEST(Liveness, ASilentNodeIsProbedThreeTimesThenGone)
{
	auto liveness = sixty_seconds();
	liveness.heard(kNode, kLinkLocal, at(0));
	EXPECT_EQ(liveness.next_deadline(), at(60'000));
	EXPECT_TRUE(liveness.take_due(at(59'999)).probes.empty());
	for (int probe = 0; probe < 3; ++probe) {
		const auto due = liveness.take_due(at(60'000 + probe * 1000));
		ASSERT_EQ(due.probes.size(), 1u) << "probe " << probe;
		EXPECT_EQ(due.probes[0].mn, kNode);
		EXPECT_EQ(due.probes[0].target, kLinkLocal);
		EXPECT_TRUE(due.gone.empty());
	}
	const auto due = liveness.take_due(at(63'000));
	EXPECT_TRUE(due.probes.empty());
	EXPECT_EQ(due.gone, std::vector<MacAddress>{kNode});
	EXPECT_EQ(liveness.tracked(), 0u);
	EXPECT_FALSE(liveness.next_deadline());
}

TEST(Liveness, AnAnswerEndsTheProbing)
{
	auto liveness = sixty_seconds();
	liveness.heard(kNode, kLinkLocal, at(0));
	EXPECT_EQ(liveness.take_due(at(60'000)).probes.size(), 1u);
	liveness.heard(kNode, kLinkLocal, at(60'100));	// its NA
	EXPECT_EQ(liveness.next_deadline(), at(120'100));
	EXPECT_TRUE(liveness.take_due(at(61'000)).probes.empty());
	// And the count starts again: three more probes before it is gone.
	for (int probe = 0; probe < 3; ++probe)
		EXPECT_EQ(liveness.take_due(at(120'100 + probe * 1000)).probes.size(), 1u);
	EXPECT_EQ(liveness.take_due(at(123'100)).gone.size(), 1u);
}

TEST(Liveness, TheLinkLocalSourceIsKeptOthersOnlyCount)
{
	auto liveness = sixty_seconds();
	liveness.heard(kNode, kLinkLocal, at(0));
	liveness.heard(kNode, kGlobal, at(10'000));	// NUD from a global address
	liveness.heard(kNode, Ipv6Address{}, at(20'000));	// DAD
	const auto due = liveness.take_due(at(80'000));
	ASSERT_EQ(due.probes.size(), 1u);
	EXPECT_EQ(due.probes[0].target, kLinkLocal);
}

TEST(Liveness, WithNoLinkLocalKnownANodeIsGoneAfterTheIdleTime)
{
	auto liveness = sixty_seconds();
	liveness.attached(kNode, at(0));
	liveness.heard(kNode, kGlobal, at(1000));
	const auto due = liveness.take_due(at(61'000));
	EXPECT_TRUE(due.probes.empty());
	EXPECT_EQ(due.gone, std::vector<MacAddress>{kNode});
}

TEST(Liveness, NodesAreDueInDeadlineOrderAndForgettingStopsIt)
{
	auto liveness = sixty_seconds();
	liveness.heard(kOther, kLinkLocal, at(5000));
	liveness.heard(kNode, kLinkLocal, at(0));
	EXPECT_EQ(liveness.next_deadline(), at(60'000));
	const auto due = liveness.take_due(at(65'000));
	ASSERT_EQ(due.probes.size(), 2u);
	EXPECT_EQ(due.probes[0].mn, kNode);
	EXPECT_EQ(due.probes[1].mn, kOther);
	liveness.forget(kNode);
	liveness.forget(kNode);	// twice: nothing
	EXPECT_EQ(liveness.tracked(), 1u);
	EXPECT_EQ(liveness.next_deadline(), at(66'000));
}

} // namespace
} // namespace dlif::daemon
