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

// On a shared DLIF an answer names its node by its source address alone.
TEST(Liveness, TheNodesProbedAtAnAddressAreKnown)
{
	auto liveness = sixty_seconds();
	liveness.heard(kNode, kGlobal, at(0));
	liveness.heard(kOther, kLinkLocal, at(0));
	EXPECT_EQ(liveness.probed_at(kGlobal), std::vector<MacAddress>{kNode});
	liveness.heard(kNode, kLinkLocal, at(1'000));	// the link-local takes over
	EXPECT_EQ(liveness.probed_at(kGlobal), std::vector<MacAddress>{});
	// The same link-local on two links: both.
	EXPECT_EQ(liveness.probed_at(kLinkLocal), (std::vector<MacAddress>{kNode, kOther}));
	liveness.forget(kOther);
	EXPECT_EQ(liveness.probed_at(kLinkLocal), std::vector<MacAddress>{kNode});
	// Gone after its probes: no longer known.
	for (int ms = 61'000; ms < 70'000; ms += 1'000)
		(void)liveness.take_due(at(ms));
	EXPECT_EQ(liveness.tracked(), 0u);
	EXPECT_EQ(liveness.probed_at(kLinkLocal), std::vector<MacAddress>{});
}

// A host checks its router from the address of the packet that needed
// it: its global address is all there may be to probe.
TEST(Liveness, WithNoLinkLocalKnownAGlobalSourceIsProbed)
{
	auto liveness = sixty_seconds();
	liveness.attached(kNode, at(0));
	liveness.heard(kNode, kGlobal, at(1000));
	const auto due = liveness.take_due(at(61'000));
	ASSERT_EQ(due.probes.size(), 1u);
	EXPECT_EQ(due.probes[0].target, kGlobal);
	liveness.heard(kNode, kLinkLocal, at(61'100));	// its NA, from its link-local
	liveness.heard(kNode, kGlobal, at(62'000));
	const auto later = liveness.take_due(at(122'000));
	ASSERT_EQ(later.probes.size(), 1u);
	EXPECT_EQ(later.probes[0].target, kLinkLocal) << "a link-local target is kept";
}

// Attached by the access point and silent since: nothing to probe.
TEST(Liveness, WithNoAddressKnownANodeIsWatchedAsLongAsProbesWouldTakeThenGone)
{
	auto liveness = sixty_seconds();
	liveness.attached(kNode, at(0));
	liveness.heard(kNode, Ipv6Address{}, at(1000));		// DAD
	for (int watch = 0; watch < 3; ++watch) {
		const auto due = liveness.take_due(at(61'000 + watch * 1000));
		EXPECT_TRUE(due.probes.empty()) << "nothing to probe";
		EXPECT_TRUE(due.gone.empty()) << "watch " << watch;
	}
	const auto due = liveness.take_due(at(64'000));
	EXPECT_EQ(due.gone, std::vector<MacAddress>{kNode});
}

// A host whose router is confirmed by its TCP acknowledgements sends no
// Neighbor Discovery while it talks: only its frames say it is there.
TEST(Liveness, ANodeWhoseDlifsReceiveFramesIsKeptWithoutAProbe)
{
	auto liveness = sixty_seconds();
	std::uint64_t frames = 100;
	const Liveness::FramesFrom frames_from = [&](const MacAddress &) { return std::optional(frames); };
	liveness.attached(kNode, at(0));	// by the access point: no address
	// The first check only takes the count; then the node is watched.
	frames = 150;
	auto due = liveness.take_due(at(60'000), frames_from);
	EXPECT_TRUE(due.gone.empty());
	EXPECT_TRUE(due.sending.empty());
	frames = 160;
	due = liveness.take_due(at(61'000), frames_from);
	EXPECT_EQ(due.sending, std::vector<MacAddress>{kNode});
	EXPECT_TRUE(due.gone.empty());
	EXPECT_EQ(liveness.next_deadline(), at(121'000));
	// From then on, one check per idle period while it keeps sending.
	frames = 900;
	due = liveness.take_due(at(121'000), frames_from);
	EXPECT_EQ(due.sending, std::vector<MacAddress>{kNode});
	EXPECT_TRUE(due.probes.empty());
	EXPECT_EQ(liveness.next_deadline(), at(181'000));
	// It stops: watched as long as the probes would take, then gone.
	for (int watch = 0; watch < 3; ++watch)
		EXPECT_TRUE(liveness.take_due(at(181'000 + watch * 1000), frames_from).gone.empty());
	EXPECT_EQ(liveness.take_due(at(184'000), frames_from).gone, std::vector<MacAddress>{kNode});
}

TEST(Liveness, FramesDuringTheProbesKeepANodeThatAnswersNone)
{
	auto liveness = sixty_seconds();
	std::optional<std::uint64_t> frames = 7;
	const Liveness::FramesFrom frames_from = [&](const MacAddress &) { return frames; };
	liveness.heard(kNode, kLinkLocal, at(0));
	auto due = liveness.take_due(at(60'000), frames_from);
	ASSERT_EQ(due.probes.size(), 1u);
	due = liveness.take_due(at(61'000), frames_from);
	ASSERT_EQ(due.probes.size(), 1u) << "nothing received: probed again";
	frames = 8;
	due = liveness.take_due(at(62'000), frames_from);
	EXPECT_TRUE(due.probes.empty());
	EXPECT_EQ(due.sending, std::vector<MacAddress>{kNode});
	// The probe count starts again.
	for (int probe = 0; probe < 3; ++probe)
		EXPECT_EQ(liveness.take_due(at(122'000 + probe * 1000), frames_from).probes.size(), 1u);
	EXPECT_EQ(liveness.take_due(at(125'000), frames_from).gone.size(), 1u);
}

TEST(Liveness, AnUnknownOrFallingCountIsNoSignOfLife)
{
	auto liveness = sixty_seconds();
	std::optional<std::uint64_t> frames = 50;
	const Liveness::FramesFrom frames_from = [&](const MacAddress &) { return frames; };
	liveness.heard(kNode, kLinkLocal, at(0));
	EXPECT_EQ(liveness.take_due(at(60'000), frames_from).probes.size(), 1u);
	frames.reset();		// the kernel could not say
	EXPECT_EQ(liveness.take_due(at(61'000), frames_from).probes.size(), 1u);
	frames = 20;		// one of its DLIFs went
	EXPECT_EQ(liveness.take_due(at(62'000), frames_from).probes.size(), 1u);
	EXPECT_EQ(liveness.take_due(at(63'000), frames_from).gone.size(), 1u);
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
