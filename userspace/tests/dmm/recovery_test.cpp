// SPDX-License-Identifier: GPL-2.0
//
// Lost signalling recovered by retransmission, registrations that fail,
// previous MAARs that do not answer, messages from peers outside the
// domain, stale and duplicate sequence numbers and timestamps.
#include <optional>
#include <set>

#include "test_util.hpp"

namespace dlif::sim {
namespace {

using mh::Status;

class Recovery : public ::testing::TestWithParam<CmdMode> {
protected:
	SimOptions options()
	{
		SimOptions o;
		o.mode = GetParam();
		o.check_snapshots = true;
		return o;
	}
	// A node registered at MAAR1, about to move to MAAR2.
	void registered_at_maar1(Network &net)
	{
		net.attach(M1, kMn);
		ASSERT_TRUE(net.settle());
	}
	SimOptions hour_long_bindings()
	{
		SimOptions o = options();
		o.timers.lifetime = std::chrono::hours(1);	// a refresh at 48 minutes
		return o;
	}
	// The node registered at MAAR1, then the CMD down a second before
	// the node's refresh: the session as it was.
	std::optional<maar::SessionView> cmd_down_before_the_refresh(Network &net)
	{
		net.attach(M1, kMn);
		if (!net.settle())
			return std::nullopt;
		auto first = net.maar(M1).session(kMn);
		if (!first || !first->refresh_at || !first->expires_at)
			return std::nullopt;
		net.run_for(std::chrono::ceil<Duration>(*first->refresh_at - net.now()) - std::chrono::seconds(1));
		net.set_down(kCmd, true);
		return first;
	}
	void expect_moved_to_maar2(Network &net)
	{
		ASSERT_TRUE(net.settle());
		const auto binding = net.cmd().binding(mn_id(kMn));
		ASSERT_TRUE(binding);
		EXPECT_EQ(binding->serving_maar, Network::address(M2));
		ASSERT_EQ(binding->previous_maars.size(), 1u);
		const auto session = net.maar(M2).session(kMn);
		ASSERT_TRUE(session);
		EXPECT_EQ(session->state, maar::SessionState::serving);
		ASSERT_EQ(session->anchors.size(), 1u);
		EXPECT_EQ(session->anchors[0].prefixes, std::vector<Ipv6Prefix>{pref(M1)});
		EXPECT_EQ(net.kernel(M1).entry(pref(M1))->peer, Network::address(M2));
		EXPECT_INVARIANTS(net);
	}
};

// R164/R162: the serving MAAR's PBU lost twice: retransmitted with the
// timeout doubled and a new sequence number each time.
TEST_P(Recovery, ServingMaarPbuLost)
{
	Network net(options());
	registered_at_maar1(net);
	net.link(M2, kCmd).drop_next = 2;
	const std::size_t mark = net.trace().size();
	net.move(kMn, M1, M2);
	expect_moved_to_maar2(net);
	std::vector<Wire> pbus;
	for (const auto &wire : messages(net.sent_since(mark), M2, kCmd))
		if (pbu_of(wire).options.handoff_indicator != mh::HandoffIndicator::HandoffStateNotChanged)
			pbus.push_back(wire);	// not locator's early refresh
	ASSERT_EQ(pbus.size(), 3u);
	EXPECT_TRUE(pbus[0].dropped && pbus[1].dropped && !pbus[2].dropped);
	EXPECT_EQ(pbus[1].sent - pbus[0].sent, Duration(1500));
	EXPECT_EQ(pbus[2].sent - pbus[1].sent, Duration(3000));
	EXPECT_EQ(pbu_of(pbus[1]).sequence, pbu_of(pbus[0]).sequence + 1);
	EXPECT_EQ(pbu_of(pbus[2]).sequence, pbu_of(pbus[1]).sequence + 1);
	EXPECT_EQ(net.counter(M2, "retransmissions"), 2u);
}

// The CMD's PBU to the previous MAAR lost: the CMD retransmits it.
TEST_P(Recovery, ForwardedPbuLost)
{
	Network net(options());
	registered_at_maar1(net);
	net.link(kCmd, M1).drop_next = 2;
	const std::size_t mark = net.trace().size();
	net.move(kMn, M1, M2);
	expect_moved_to_maar2(net);
	const auto pbus = messages(net.sent_since(mark), kCmd, M1);
	ASSERT_GE(pbus.size(), 3u);
	if (GetParam() == CmdMode::locator) {
		// Always a number the serving MAAR used: the direct PBA must
		// carry one (A10).
		std::set<std::uint16_t> used;
		for (const auto &own : messages(net.sent_since(mark), M2, kCmd))
			used.insert(pbu_of(own).sequence);
		for (const auto &pbu : pbus)
			EXPECT_TRUE(used.contains(pbu_of(pbu).sequence));
	} else {
		EXPECT_NE(pbu_of(pbus[1]).sequence, pbu_of(pbus[0]).sequence);
	}
	EXPECT_GE(net.counter(kCmd, "retransmissions"), 1u);
}

// The previous MAAR's PBA lost: the CMD retransmits, the previous MAAR
// answers again without changing anything.
TEST_P(Recovery, PreviousMaarPbaLost)
{
	Network net(options());
	registered_at_maar1(net);
	net.link(M1, kCmd).drop_next = 1;
	net.move(kMn, M1, M2);
	expect_moved_to_maar2(net);
	EXPECT_EQ(net.counter(kCmd, "retransmissions"), 1u);
	EXPECT_EQ(net.counter(kCmd, "previous_maar_failures"), 0u);
}

// The PBA to the serving MAAR lost (relay, proxy) or the previous MAAR's
// direct PBA lost (locator): the serving MAAR retransmits and gets the
// previous MAARs again.
TEST_P(Recovery, AnswerToServingMaarLost)
{
	Network net(options());
	registered_at_maar1(net);
	if (GetParam() == CmdMode::locator)
		net.link(M1, M2).drop_next = 1;
	else
		net.link(kCmd, M2).drop_next = 1;
	net.move(kMn, M1, M2);
	expect_moved_to_maar2(net);
	EXPECT_EQ(net.counter(M2, "retransmissions"), 1u);
	EXPECT_GE(net.counter(kCmd, "reregistrations"), 1u);
}

// Losses everywhere at once, in both directions of every link.
TEST_P(Recovery, LossOnEveryLink)
{
	Network net(options());
	registered_at_maar1(net);
	for (NodeId a = 0; a <= kMaars; ++a)
		for (NodeId b = 0; b <= kMaars; ++b)
			if (a != b)
				net.link(a, b).drop_next = 1;
	net.move(kMn, M1, M2);
	expect_moved_to_maar2(net);
	net.move(kMn, M2, M3);
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.cmd().binding(mn_id(kMn))->previous_maars.size(), 2u);
	EXPECT_INVARIANTS(net);
}

// A12 (proxy) / relay / locator: a previous MAAR that never answers is
// dropped from the P-MAAR list after the retransmissions; the rest goes on.
TEST_P(Recovery, PreviousMaarUnreachable)
{
	Network net(options());
	registered_at_maar1(net);
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	net.set_down(M1, true);
	net.move(kMn, M2, M3);
	ASSERT_TRUE(net.settle(std::chrono::minutes(10)));
	const auto binding = net.cmd().binding(mn_id(kMn));
	ASSERT_TRUE(binding);
	EXPECT_EQ(binding->serving_maar, Network::address(M3));
	ASSERT_EQ(binding->previous_maars.size(), 1u);
	EXPECT_EQ(binding->previous_maars[0].maar, Network::address(M2));
	EXPECT_EQ(net.counter(kCmd, "previous_maar_failures"), 1u);
	EXPECT_EQ(net.counter(kCmd, "retransmissions"), 5u);
	// MAAR2's prefix still reaches the node.
	EXPECT_EQ(net.kernel(M2).entry(pref(M2))->peer, Network::address(M3));
	EXPECT_EQ(net.kernel(M3).entry(pref(M2))->peer, Network::address(M2));
	EXPECT_EQ(net.maar(M3).session(kMn)->state, maar::SessionState::serving);
}

// No PBA at all while the node stays: the registration is not given up. The
// retransmissions run out (R164) and go on at the longest interval, the
// DLIF silent, until the CMD answers: a CMD that fails over to its standby
// or is cut off for a while does not strand the nodes attached meanwhile.
TEST_P(Recovery, UnansweredRegistrationGoesOnWhileTheNodeStays)
{
	Network net(options());
	net.set_down(kCmd, true);
	net.attach(M1, kMn);
	net.run_for(std::chrono::minutes(3));
	const auto session = net.maar(M1).session(kMn);
	ASSERT_TRUE(session);
	EXPECT_EQ(session->state, maar::SessionState::registering);
	EXPECT_TRUE(net.kernel(M1).advertised.empty());
	EXPECT_EQ(net.counter(M1, "registration_failures"), 0u);
	EXPECT_EQ(net.counter(M1, "registration_retries"), 1u);
	// 0, 1.5, 4.5, 10.5, 22.5 and 46.5 s (R164), then every 32 s: 78.5,
	// 110.5, 142.5 and 174.5 s (a round of five, the first at 78.5 s); a
	// new sequence number each time.
	const auto pbus = messages(net.trace(), M1, kCmd);
	ASSERT_EQ(pbus.size(), 10u);
	for (std::size_t i = 1; i < pbus.size(); ++i)
		EXPECT_EQ(pbu_of(pbus[i]).sequence, pbu_of(pbus[i - 1]).sequence + 1);
	net.set_down(kCmd, false);
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.maar(M1).session(kMn)->state, maar::SessionState::serving);
	EXPECT_EQ(net.cmd().binding(mn_id(kMn))->serving_maar, Network::address(M1));
	EXPECT_FALSE(net.kernel(M1).advertised.empty());
	EXPECT_INVARIANTS(net);
}

// R20/A34: no PBA, and the node gone: after the retransmissions the MAAR
// frees the prefix and removes the DLIF; it never advertised the prefix.
TEST_P(Recovery, UnansweredRegistrationOfANodeThatLeftFrees)
{
	Network net(options());
	net.set_down(kCmd, true);
	net.attach(M1, kMn);
	net.run_for(std::chrono::seconds(5));
	net.detach(M1, kMn);
	net.run_for(std::chrono::minutes(3));
	EXPECT_EQ(net.maar(M1).session_count(), 0u);
	EXPECT_TRUE(net.kernel(M1).dlifs.empty());
	EXPECT_TRUE(net.kernel(M1).advertised.empty());
	EXPECT_EQ(net.counter(M1, "registration_failures"), 1u);
	EXPECT_EQ(net.counter(M1, "registration_retries"), 0u);
	// Sent at 0, 1.5 and 4.5 s; none after the node left.
	EXPECT_EQ(messages(net.trace(), M1, kCmd).size(), 3u);
	// The prefix went back to the pool: the next node can have one.
	net.set_down(kCmd, false);
	net.attach(M1, kMn2);
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.maar(M1).session(kMn2)->state, maar::SessionState::serving);
}

// The CMD answers a registration late (it was stopped, its socket
// holding the PBUs) after the MAAR gave it up because the node left. The
// PBA finds no session and is dropped; the CMD holds the node at MAAR1,
// as after any departure without de-registration (R82), until the node
// registers elsewhere: MAAR1 then refuses the update for a node it does
// not know, and the CMD drops it from the binding. No prefix of MAAR1's
// reaches the node, and nothing is left at MAAR1.
TEST_P(Recovery, LateAnswerToARegistrationGivenUp)
{
	Network net(options());
	net.link(M1, kCmd).delay = std::chrono::seconds(60);
	net.attach(M1, kMn);
	net.run_for(std::chrono::seconds(5));
	net.detach(M1, kMn);
	net.run_for(std::chrono::seconds(10));
	ASSERT_EQ(net.maar(M1).session_count(), 0u);
	ASSERT_EQ(net.counter(M1, "registration_failures"), 1u);
	net.link(M1, kCmd).delay = LinkRule{}.delay;
	net.run_for(std::chrono::minutes(1));
	const auto held = net.cmd().binding(mn_id(kMn));
	ASSERT_TRUE(held) << net.dump();
	EXPECT_EQ(held->serving_maar, Network::address(M1));
	EXPECT_GE(net.counter(M1, "drop_unmatched_pba"), 1u);
	EXPECT_EQ(net.maar(M1).session_count(), 0u);
	EXPECT_TRUE(net.kernel(M1).dlifs.empty());

	net.attach(M2, kMn);
	ASSERT_TRUE(net.settle()) << net.dump();
	const auto binding = net.cmd().binding(mn_id(kMn));
	ASSERT_TRUE(binding);
	EXPECT_EQ(binding->serving_maar, Network::address(M2));
	EXPECT_TRUE(binding->previous_maars.empty()) << net.dump();
	EXPECT_EQ(net.counter(M1, "rejected_unknown_node"), 1u);
	EXPECT_EQ(net.maar(M1).session_count(), 0u);
	EXPECT_TRUE(net.kernel(M1).dlifs.empty());
	const auto session = net.maar(M2).session(kMn);
	ASSERT_TRUE(session);
	EXPECT_EQ(session->state, maar::SessionState::serving);
	EXPECT_TRUE(net.invariant_violations().empty()) << net.dump();
}

// A node that leaves while its registration goes on at the longest
// interval: the next timeout ends it, as in the first round.
TEST_P(Recovery, UnansweredRegistrationEndsWhenTheNodeLeavesLater)
{
	Network net(options());
	net.set_down(kCmd, true);
	net.attach(M1, kMn);
	net.run_for(std::chrono::minutes(2));
	ASSERT_EQ(net.counter(M1, "registration_retries"), 1u);
	net.detach(M1, kMn);
	net.run_for(std::chrono::minutes(1));
	EXPECT_EQ(net.maar(M1).session_count(), 0u);
	EXPECT_TRUE(net.kernel(M1).dlifs.empty());
	EXPECT_EQ(net.counter(M1, "registration_failures"), 1u);
	net.set_down(kCmd, false);
	ASSERT_TRUE(net.settle());
	EXPECT_FALSE(net.cmd().binding(mn_id(kMn)));
}

// The CMD away when an attached node's refresh is due, for longer than the
// retransmissions last but not the lifetime: the refresh goes on at the
// longest interval and, answered, extends the lifetime. Before, the session
// ended with the lifetime (its de-registration) although the node was
// there and the CMD back.
TEST_P(Recovery, UnansweredRefreshGoesOnWithinTheLifetime)
{
	Network net(hour_long_bindings());
	const auto first = cmd_down_before_the_refresh(net);
	ASSERT_TRUE(first);
	net.run_for(std::chrono::minutes(4));
	// Rounds begin 78.5 s after the first PBU, then every 5 x 32 s.
	EXPECT_EQ(net.counter(M1, "refresh_retries"), 2u);
	EXPECT_EQ(net.counter(M1, "refresh_failures"), 0u);
	net.set_down(kCmd, false);
	net.run_for(std::chrono::minutes(1));
	const auto after = net.maar(M1).session(kMn);
	ASSERT_TRUE(after && after->expires_at);
	EXPECT_EQ(after->state, maar::SessionState::serving);
	EXPECT_GT(*after->expires_at, *first->expires_at + std::chrono::minutes(30));
	EXPECT_EQ(net.counter(M1, "refresh_failures"), 0u);
	net.run_for(std::chrono::minutes(20));	// past the first lifetime
	const auto later = net.maar(M1).session(kMn);
	ASSERT_TRUE(later);
	EXPECT_EQ(later->state, maar::SessionState::serving);
	EXPECT_TRUE(net.cmd().binding(mn_id(kMn)));
	EXPECT_INVARIANTS(net);
}

// The CMD away until the lifetime runs out: the refresh goes on until
// then, and the session ends with its lifetime, as before.
TEST_P(Recovery, UnansweredRefreshEndsWithTheLifetime)
{
	Network net(hour_long_bindings());
	const auto first = cmd_down_before_the_refresh(net);
	ASSERT_TRUE(first);
	net.run_for(std::chrono::ceil<Duration>(*first->expires_at - net.now()) + std::chrono::minutes(1));
	EXPECT_EQ(net.counter(M1, "refresh_failures"), 1u);
	// Rounds at 78.5, 238.5, 398.5 and 558.5 s into the 12 minutes left;
	// one at 718.5 s would outlast the lifetime.
	EXPECT_EQ(net.counter(M1, "refresh_retries"), 4u);
	EXPECT_EQ(net.counter(M1, "expirations"), 1u);
	const auto ended = net.maar(M1).session(kMn);
	EXPECT_TRUE(!ended || ended->state == maar::SessionState::deregistering);
	EXPECT_TRUE(net.kernel(M1).dlifs.empty());
}

// A PBU from a node outside the domain is counted, logged, never acted on.
TEST_P(Recovery, PbuFromUnconfiguredPeer)
{
	Network net(options());
	const Ipv6Address stranger = addr("2001:db8::99");
	net.inject_from(stranger, kCmd, make_pbu(1, kMn, pref(M1)));
	net.run_for(Duration(100));
	EXPECT_EQ(net.cmd().binding_count(), 0u);
	EXPECT_EQ(net.counter(kCmd, "drop_unknown_peer"), 1u);
	EXPECT_TRUE(net.trace().empty());
	bool logged = false;
	for (const auto &log : net.logs())
		logged = logged || log.event == "pbu-from-unknown-peer";
	EXPECT_TRUE(logged);

	// At a MAAR: a PBU from anyone but the CMD, a PBA from a stranger.
	registered_at_maar1(net);
	const std::size_t mark = net.trace().size();
	net.inject_from(stranger, M1, make_pbu(9, kMn, pref(M1)));
	mh::ProxyBindingAck pba;
	pba.sequence = 1;
	pba.options.mobile_node_identifier = to_option(mn_id(kMn));
	net.inject_from(stranger, M1, pba);
	net.inject(M2, M1, make_pbu(9, kMn, pref(M1)));
	net.run_for(Duration(100));
	EXPECT_EQ(net.counter(M1, "drop_unknown_peer"), 2u);
	EXPECT_EQ(net.counter(M1, "drop_pbu_from_maar"), 1u);
	EXPECT_EQ(net.sent_since(mark).size(), 1u);	// the injected one only
	EXPECT_EQ(net.maar(M1).session(kMn)->state, maar::SessionState::serving);
}

// E-M5 / R162: an old or repeated sequence number from the serving MAAR
// is answered with 135 and the last accepted number; nothing changes.
TEST_P(Recovery, StaleAndDuplicateSequenceNumbers)
{
	Network net(options());
	registered_at_maar1(net);
	const auto first = pbu_of(messages(net.trace(), M1, kCmd).front());
	const auto before = net.cmd().binding(mn_id(kMn));
	const std::size_t mark = net.trace().size();
	net.inject(M1, kCmd, first);	// a duplicate
	auto older = first;
	older.sequence = static_cast<std::uint16_t>(first.sequence - 10);
	net.inject(M1, kCmd, older);
	net.run_for(Duration(100));
	const auto answers = messages(net.sent_since(mark), kCmd, M1);
	ASSERT_EQ(answers.size(), 2u);
	// The exact repeat is answered again (issue 11: an RFC 5213 MAG that
	// retransmits with the same number must not be told 135); the older
	// number is refused. Neither changes the binding.
	EXPECT_EQ(pba_of(answers[0]).status, Status::Accepted);
	EXPECT_EQ(pba_of(answers[1]).status, Status::SequenceNumberOutOfWindow);
	for (const auto &answer : answers)
		EXPECT_EQ(pba_of(answer).sequence, first.sequence);
	EXPECT_EQ(net.counter(kCmd, "duplicate_pbus"), 1u);
	EXPECT_EQ(net.counter(kCmd, "drop_stale_sequence"), 1u);
	EXPECT_EQ(net.cmd().binding(mn_id(kMn))->expires_at, before->expires_at);
	// The MAAR, with nothing in progress, changes nothing for either
	// (the repeat's answer is merged as a late PBA of its registration).
	EXPECT_EQ(net.counter(M1, "drop_unmatched_pba") + net.counter(M1, "late_previous_maar_merges"), 2u);
	EXPECT_INVARIANTS(net);
}

// A32: another MAAR's numbering is another context: no 135 across MAARs.
TEST_P(Recovery, SequenceContextPerMaar)
{
	Network net(options());
	registered_at_maar1(net);
	// MAAR2 starts at 1 whatever MAAR1 used.
	net.move(kMn, M1, M2);
	expect_moved_to_maar2(net);
	EXPECT_EQ(net.counter(kCmd, "drop_stale_sequence"), 0u);
}

// The MAAR resynchronises after a 135 (its state lost, the CMD's kept).
TEST_P(Recovery, MaarResynchronisesAfter135)
{
	Network net(options());
	registered_at_maar1(net);
	// Pretend MAAR1's numbering went back: the CMD has seen 1.
	net.inject(M1, kCmd, make_pbu(200, kMn, pref(M1), mh::HandoffIndicator::HandoffStateNotChanged));
	net.run_for(Duration(100));
	net.run_for(std::chrono::seconds(400));	// MAAR1's refresh, numbered 2 < 200
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.counter(M1, "sequence_resyncs"), 1u);
	EXPECT_EQ(net.maar(M1).session(kMn)->state, maar::SessionState::serving);
	EXPECT_TRUE(net.cmd().binding(mn_id(kMn)).has_value());
}

// A refresh sent by the old serving MAAR before a handover and delivered
// after it must not move the node back.
TEST_P(Recovery, StaleRefreshFromFormerServingMaar)
{
	Network net(options());
	registered_at_maar1(net);
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	net.inject(M1, kCmd, make_pbu(50, kMn, pref(M1), mh::HandoffIndicator::HandoffStateNotChanged));
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.counter(kCmd, "drop_stale_refresh"), 1u);
	EXPECT_EQ(net.cmd().binding(mn_id(kMn))->serving_maar, Network::address(M2));
	EXPECT_INVARIANTS(net);
}

// Reordering: every link delays by 5 to 40 ms at random.
TEST_P(Recovery, Reordering)
{
	SimOptions o = options();
	o.seed = 7;
	Network net(o);
	for (NodeId a = 0; a <= kMaars; ++a)
		for (NodeId b = 0; b <= kMaars; ++b)
			net.link(a, b).jitter = Duration(35);
	registered_at_maar1(net);
	net.move(kMn, M1, M2);
	net.attach(M3, kMn2);
	expect_moved_to_maar2(net);
	net.move(kMn, M2, M3);
	net.move(kMn2, M3, M1);
	ASSERT_TRUE(net.settle());
	EXPECT_INVARIANTS(net);
}

INSTANTIATE_TEST_SUITE_P(Modes, Recovery, ::testing::Values(CmdMode::relay, CmdMode::locator, CmdMode::proxy),
			 mode_name);

// E-M6 / R163: timestamps outside the window (156, with the CMD's time)
// or not newer than the last accepted (157).
TEST(TimestampOrdering, StaleAndSkewedTimestamps)
{
	SimOptions o;
	o.ordering = Ordering::timestamp;
	Network net(o);
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	const auto accepted = pbu_of(messages(net.trace(), M1, kCmd).front());
	const std::size_t mark = net.trace().size();

	auto duplicate = accepted;
	duplicate.sequence = static_cast<std::uint16_t>(accepted.sequence + 1);
	net.inject(M1, kCmd, duplicate);	// same timestamp: not newer
	auto skewed = accepted;
	skewed.sequence = static_cast<std::uint16_t>(accepted.sequence + 2);
	skewed.options.timestamp = mh::Timestamp::from_parts(accepted.options.timestamp->seconds() + 10, 0);
	net.inject(M1, kCmd, skewed);
	auto missing = accepted;
	missing.options.timestamp.reset();
	net.inject(M1, kCmd, missing);
	net.run_for(Duration(50));

	const auto answers = messages(net.sent_since(mark), kCmd, M1);
	ASSERT_EQ(answers.size(), 3u);
	EXPECT_EQ(pba_of(answers[0]).status, Status::TimestampLowerThanPrevAccepted);
	EXPECT_EQ(pba_of(answers[1]).status, Status::TimestampMismatch);
	// The CMD's own clock in the answer (RFC 5213 §5.5).
	EXPECT_LT(pba_of(answers[1]).options.timestamp->seconds(), skewed.options.timestamp->seconds());
	EXPECT_EQ(pba_of(answers[2]).status, Status::TimestampMismatch);
	EXPECT_EQ(net.counter(kCmd, "drop_stale_timestamp"), 3u);
	EXPECT_EQ(net.cmd().binding(mn_id(kMn))->last_timestamp, accepted.options.timestamp->raw());
}

// A PBA refused for its timestamp is retried with a fresh one.
TEST(TimestampOrdering, SkewedLinkRecovers)
{
	SimOptions o;
	o.ordering = Ordering::timestamp;
	Network net(o);
	net.link(M1, kCmd).delay = Duration(400);	// beyond the 300 ms window
	net.attach(M1, kMn);
	net.run_for(Duration(500));
	EXPECT_EQ(net.counter(kCmd, "drop_stale_timestamp"), 1u);
	net.link(M1, kCmd).delay = Duration(5);
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.maar(M1).session(kMn)->state, maar::SessionState::serving);
}

// E-M4 / R171: each missing mandatory option has its status.
TEST(MandatoryOptions, RejectedWithRfc5213Statuses)
{
	Network net;
	const auto reject = [&](auto strip) {
		auto pbu = make_pbu(1, kMn, pref(M1));
		strip(pbu);
		const std::size_t mark = net.trace().size();
		net.inject(M1, kCmd, pbu);
		net.run_for(Duration(50));
		const auto answers = messages(net.sent_since(mark), kCmd, M1);
		EXPECT_EQ(answers.size(), 1u);
		return answers.empty() ? Status::Accepted : pba_of(answers[0]).status;
	};
	EXPECT_EQ(reject([](auto &p) { p.options.mobile_node_identifier.reset(); }), Status::MissingMnIdentifierOption);
	EXPECT_EQ(reject([](auto &p) { p.options.home_network_prefixes.clear(); }), Status::MissingHomeNetworkPrefixOption);
	EXPECT_EQ(reject([](auto &p) { p.options.handoff_indicator.reset(); }), Status::MissingHandoffIndicatorOption);
	EXPECT_EQ(reject([](auto &p) { p.options.access_technology_type.reset(); }), Status::MissingAccessTechTypeOption);
	EXPECT_EQ(net.cmd().binding_count(), 0u);
	EXPECT_EQ(net.counter(kCmd, "rejected_missing_option"), 4u);
}

} // namespace
} // namespace dlif::sim
