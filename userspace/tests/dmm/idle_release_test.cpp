// SPDX-License-Identifier: GPL-2.0
//
// [maar] release_idle_after (A14): a previous MAAR whose prefixes carried
// no packet through the serving MAAR for that long is named in an early
// refresh, dropped from the CMD's binding, de-registered at the anchor
// (lifetime-0 PBU) and removed at the serving MAAR, in every CMD mode
// and in direct mode; one with traffic stays.
#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>

#include "test_util.hpp"

namespace dlif::sim {
namespace {

using namespace std::chrono_literals;

constexpr Duration kIdle = 30s;

class IdleRelease : public ::testing::TestWithParam<CmdMode> {
protected:
	SimOptions options()
	{
		SimOptions o;
		o.mode = GetParam();
		o.check_snapshots = true;
		o.release_idle_after = kIdle;
		return o;
	}
};

bool has_remote(Network &net, NodeId serving, NodeId anchor)
{
	const auto session = net.maar(serving).session(mn_id(kMn));
	if (!session)
		return false;
	for (const auto &remote : session->anchors)
		if (remote.maar == Network::address(anchor))
			return true;
	return false;
}

std::vector<Ipv6Address> cmd_previous_maars(Network &net)
{
	std::vector<Ipv6Address> out;
	if (const auto binding = net.cmd().binding(mn_id(kMn)))
		for (const auto &previous : binding->previous_maars)
			out.push_back(previous.maar);
	return out;
}

// The node attaches at the first MAAR and moves on to each next one.
void walk(Network &net, std::initializer_list<NodeId> maars)
{
	std::optional<NodeId> at;
	for (const NodeId maar : maars) {
		if (at)
			net.move(kMn, *at, maar);
		else
			net.attach(maar, kMn);
		ASSERT_TRUE(net.settle()) << net.dump();
		at = maar;
	}
}

// From MAAR3, after MAAR1 was released: back at MAAR1 the node gets a
// new prefix there, and MAAR2 and MAAR3 anchor theirs.
void back_to_maar1_after_maar1_went(Network &net)
{
	net.move(kMn, M3, M1);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_TRUE(has_remote(net, M1, M2));
	EXPECT_TRUE(has_remote(net, M1, M3));
	EXPECT_INVARIANTS(net);
}

// Samples `count` times, `every` apart, with the given counters.
void sample_for(Network &net, NodeId maar, const std::map<Ipv6Prefix, std::uint64_t> &packets, int count,
		Duration every)
{
	for (int i = 0; i < count; ++i) {
		net.sample_traffic(maar, packets);
		net.run_for(every);
	}
}

TEST_P(IdleRelease, AnIdlePreviousMaarIsReleasedEverywhere)
{
	Network net(options());
	ASSERT_NO_FATAL_FAILURE(walk(net, {M1, M2}));
	ASSERT_TRUE(has_remote(net, M2, M1));
	ASSERT_NE(net.kernel(M2).dlif(dlif_name(1, M1)), nullptr);

	// Traffic on MAAR1's prefix: each sample sees the counter move.
	std::uint64_t packets = 0;
	for (int i = 0; i < 12; ++i) {
		net.sample_traffic(M2, {{pref(M1), packets += 3}});
		net.run_for(kIdle / 4);
	}
	ASSERT_TRUE(net.settle());
	EXPECT_TRUE(has_remote(net, M2, M1)) << net.dump();
	EXPECT_EQ(net.counter(M2, "idle_releases"), 0u);

	// Then none: the first sample that finds it idle for kIdle releases.
	const std::size_t mark = net.trace().size();
	sample_for(net, M2, {{pref(M1), packets}}, 6, kIdle / 4);
	ASSERT_TRUE(net.settle());

	const auto wires = net.sent_since(mark);
	const auto refreshes = messages(wires, M2, kCmd);
	ASSERT_EQ(refreshes.size(), 1u) << describe(wires);
	const auto &pbu = pbu_of(refreshes[0]);
	EXPECT_EQ(pbu.options.handoff_indicator, mh::HandoffIndicator::HandoffStateNotChanged);
	ASSERT_EQ(pbu.options.previous_maars.size(), 1u);
	EXPECT_EQ(pbu.options.previous_maars[0].address, Network::address(M1));
	EXPECT_EQ(pbu.options.previous_maars[0].home_network_prefix, pref(M1));
	// The CMD de-registers that part of the session at MAAR1 (R86).
	const auto to_anchor = messages(wires, kCmd, M1);
	ASSERT_EQ(to_anchor.size(), 1u) << describe(wires);
	EXPECT_TRUE(pbu_of(to_anchor[0]).lifetime.is_deregistration());

	EXPECT_FALSE(has_remote(net, M2, M1));
	EXPECT_EQ(net.kernel(M2).dlif(dlif_name(1, M1)), nullptr);
	EXPECT_EQ(net.kernel(M2).entry(pref(M1)), nullptr);
	EXPECT_FALSE(net.maar(M1).session(mn_id(kMn)).has_value()) << net.dump();
	EXPECT_TRUE(net.kernel(M1).empty_of_sessions());
	EXPECT_TRUE(cmd_previous_maars(net).empty());
	EXPECT_EQ(net.counter(M2, "idle_releases"), 1u);
	EXPECT_EQ(net.counter(kCmd, "previous_maars_released"), 1u);
	// The node stays registered at MAAR2 with its own prefix.
	const auto session = net.maar(M2).session(mn_id(kMn));
	ASSERT_TRUE(session);
	EXPECT_EQ(session->state, maar::SessionState::serving);
	EXPECT_NE(net.kernel(M2).dlif(dlif_name(1, M2)), nullptr);
	EXPECT_INVARIANTS(net);
}

// Of two previous MAARs, only the idle one goes; a later handover still
// finds the other.
TEST_P(IdleRelease, OnlyTheIdleOneOfTwoGoes)
{
	Network net(options());
	ASSERT_NO_FATAL_FAILURE(walk(net, {M1, M2, M3}));
	ASSERT_TRUE(has_remote(net, M3, M1));
	ASSERT_TRUE(has_remote(net, M3, M2));

	std::uint64_t packets = 0;
	for (int i = 0; i < 8; ++i) {
		net.sample_traffic(M3, {{pref(M1), 0}, {pref(M2), ++packets}});
		net.run_for(kIdle / 4);
	}
	ASSERT_TRUE(net.settle());
	EXPECT_FALSE(has_remote(net, M3, M1)) << net.dump();
	EXPECT_TRUE(has_remote(net, M3, M2));
	EXPECT_EQ(cmd_previous_maars(net), std::vector<Ipv6Address>{Network::address(M2)});
	EXPECT_FALSE(net.maar(M1).session(mn_id(kMn)).has_value());
	EXPECT_EQ(net.maar(M2).session(mn_id(kMn))->state, maar::SessionState::anchor);
	EXPECT_INVARIANTS(net);

	// Back to MAAR1: a new prefix there, MAAR2 and MAAR3 anchor theirs.
	ASSERT_NO_FATAL_FAILURE(back_to_maar1_after_maar1_went(net));
}

// The release's refresh or its answer lost: the retransmission carries
// the same request and the CMD, which already acted, answers the repeat
// from the binding.
TEST_P(IdleRelease, LostMessagesOfTheRelease)
{
	for (const bool lose_answer : {false, true}) {
		SCOPED_TRACE(lose_answer ? "answer lost" : "refresh lost");
		Network net(options());
		ASSERT_NO_FATAL_FAILURE(walk(net, {M1, M2}));
		if (lose_answer)
			net.link(kCmd, M2).drop_next = 1;
		else
			net.link(M2, kCmd).drop_next = 1;
		sample_for(net, M2, {}, 6, kIdle / 4);
		ASSERT_TRUE(net.settle());
		EXPECT_FALSE(has_remote(net, M2, M1)) << net.dump();
		EXPECT_TRUE(cmd_previous_maars(net).empty());
		EXPECT_FALSE(net.maar(M1).session(mn_id(kMn)).has_value());
		EXPECT_EQ(net.counter(M2, "idle_releases"), 1u);
		EXPECT_EQ(net.counter(kCmd, "previous_maars_released"), 1u);
		EXPECT_GE(net.counter(M2, "retransmissions"), 1u);
		EXPECT_INVARIANTS(net);
	}
}

// The CMD unreachable during the release: its early refresh fails, and
// the refresh it brought forward is still made when due, so the session
// does not end for a lost early one.
TEST_P(IdleRelease, AnUnansweredReleaseLeavesThePlannedRefresh)
{
	Network net(options());
	ASSERT_NO_FATAL_FAILURE(walk(net, {M1, M2}));
	const auto planned = net.maar(M2).session(mn_id(kMn))->refresh_at;
	ASSERT_TRUE(planned);
	net.set_down(kCmd, true);
	sample_for(net, M2, {}, 6, kIdle / 4);
	net.run_for(std::chrono::minutes(2));	// every retransmission spent
	EXPECT_EQ(net.counter(M2, "refresh_failures"), 1u) << net.dump();
	const auto after = net.maar(M2).session(mn_id(kMn));
	ASSERT_TRUE(after);
	EXPECT_EQ(after->refresh_at, planned);
	net.set_down(kCmd, false);
	const auto refreshes = net.counter(M2, "refreshes");
	net.run_for(std::chrono::ceil<Duration>(*planned - net.now()) + std::chrono::seconds(10));
	EXPECT_GT(net.counter(M2, "refreshes"), refreshes) << net.dump();
	EXPECT_EQ(net.maar(M2).session(mn_id(kMn))->state, maar::SessionState::serving);
}

// A restarted MAAR starts the idle clock again: it releases only after a
// whole idle period of its own samples.
TEST_P(IdleRelease, ARestartStartsTheClockAgain)
{
	Network net(options());
	ASSERT_NO_FATAL_FAILURE(walk(net, {M1, M2}));
	sample_for(net, M2, {}, 3, kIdle / 4);
	net.restart(M2);
	sample_for(net, M2, {}, 4, kIdle / 4);
	ASSERT_TRUE(net.settle());
	EXPECT_TRUE(has_remote(net, M2, M1)) << net.dump();
	sample_for(net, M2, {}, 2, kIdle / 4);
	ASSERT_TRUE(net.settle());
	EXPECT_FALSE(has_remote(net, M2, M1)) << net.dump();
	EXPECT_INVARIANTS(net);
}

// A node that moved on before the release: the new serving MAAR has its
// own clock, and the old one, now an anchor, asks for nothing.
TEST_P(IdleRelease, NothingIsAskedOnceTheNodeMovedOn)
{
	Network net(options());
	ASSERT_NO_FATAL_FAILURE(walk(net, {M1, M2}));
	sample_for(net, M2, {}, 3, kIdle / 4);
	net.move(kMn, M2, M3);
	ASSERT_TRUE(net.settle());
	const std::size_t mark = net.trace().size();
	sample_for(net, M2, {}, 8, kIdle / 4);
	ASSERT_TRUE(net.settle());
	EXPECT_TRUE(messages(net.sent_since(mark), M2, kCmd).empty());
	EXPECT_TRUE(has_remote(net, M3, M1));
	EXPECT_EQ(cmd_previous_maars(net).size(), 2u);
	EXPECT_INVARIANTS(net);
}

INSTANTIATE_TEST_SUITE_P(Modes, IdleRelease, ::testing::Values(CmdMode::relay, CmdMode::locator, CmdMode::proxy),
			 mode_name);

// Without a CMD (direct mode, on the session database or by queries) the
// serving MAAR ends the idle anchor's binding itself; the anchor's record
// leaves the database with it.
TEST(IdleReleaseDirect, TheServingMaarEndsTheIdleAnchorsBinding)
{
	for (const auto discovery : {MaarConfig::Discovery::database, MaarConfig::Discovery::query}) {
		SCOPED_TRACE(discovery == MaarConfig::Discovery::database ? "database" : "query");
		SimOptions o;
		o.direct = true;
		o.discovery = discovery;
		o.check_snapshots = true;
		o.release_idle_after = kIdle;
		Network net(o);
		ASSERT_NO_FATAL_FAILURE(walk(net, {M1, M2, M3}));
		ASSERT_TRUE(has_remote(net, M3, M1));
		ASSERT_TRUE(has_remote(net, M3, M2));

		const std::size_t mark = net.trace().size();
		std::uint64_t packets = 0;
		for (int i = 0; i < 8; ++i) {
			net.sample_traffic(M3, {{pref(M2), ++packets}});
			net.run_for(kIdle / 4);
		}
		ASSERT_TRUE(net.settle());
		const auto to_m1 = messages(net.sent_since(mark), M3, M1);
		ASSERT_EQ(to_m1.size(), 1u) << describe(net.sent_since(mark));
		EXPECT_TRUE(pbu_of(to_m1[0]).lifetime.is_deregistration());
		EXPECT_FALSE(has_remote(net, M3, M1)) << net.dump();
		EXPECT_TRUE(has_remote(net, M3, M2));
		EXPECT_EQ(net.kernel(M3).entry(pref(M1)), nullptr);
		EXPECT_FALSE(net.maar(M1).session(mn_id(kMn)).has_value());
		EXPECT_TRUE(net.kernel(M1).empty_of_sessions());
		EXPECT_EQ(net.counter(M3, "idle_releases"), 1u);
		if (discovery == MaarConfig::Discovery::database) {
			const auto &records = net.database().at(mn_id(kMn).nai);
			EXPECT_FALSE(records.contains(Network::address(M1)));
			EXPECT_TRUE(records.contains(Network::address(M2)));
		}
		EXPECT_INVARIANTS(net);

		// The next move finds MAAR2's prefix only.
		ASSERT_NO_FATAL_FAILURE(back_to_maar1_after_maar1_went(net));
	}
}

// Off (the default): idle previous MAARs stay for the session's life.
TEST(IdleReleaseOff, SamplesChangeNothing)
{
	Network net;
	ASSERT_NO_FATAL_FAILURE(walk(net, {M1, M2}));
	const std::size_t mark = net.trace().size();
	sample_for(net, M2, {}, 10, 30s);
	EXPECT_TRUE(messages(net.sent_since(mark), M2, kCmd).empty());
	EXPECT_TRUE(has_remote(net, M2, M1));
}

// While the CMD still updates the previous MAARs of a handover (proxy
// mode answers the serving MAAR first), a release is not taken: the
// answer lists the previous MAAR, which the serving MAAR keeps for
// another idle period.
TEST(IdleReleaseProxy, NotTakenDuringTheHandoversUpdates)
{
	SimOptions o;
	o.mode = CmdMode::proxy;
	o.release_idle_after = kIdle;
	Network net(o);
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.set_down(M1, true);	// MAAR1 does not answer the CMD's update
	net.move(kMn, M1, M2);
	net.run_for(1s);
	ASSERT_TRUE(net.cmd().binding(mn_id(kMn))->state != cmd::BindingState::registered) << net.dump();
	sample_for(net, M2, {}, 1, 1s);
	net.sample_traffic(M2, {});
	net.run_for(kIdle);
	net.sample_traffic(M2, {});
	net.run_for(500ms);
	EXPECT_EQ(net.counter(M2, "idle_releases_kept"), 1u) << net.dump();
	EXPECT_EQ(net.counter(kCmd, "previous_maars_released"), 0u);
}

} // namespace
} // namespace dlif::sim
