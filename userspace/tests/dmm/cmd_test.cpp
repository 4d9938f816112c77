// SPDX-License-Identifier: GPL-2.0
//
// The CMD core on its own: one rule per test.
#include <nlohmann/json.hpp>

#include <functional>
#include <set>

#include "core_util.hpp"

namespace dlif::sim {
namespace {

using mh::BaFlag;
using mh::BuFlag;
using mh::HandoffIndicator;
using mh::Status;

class Cmd : public ::testing::Test {
protected:
	TimePoint now{};
	Actions send(cmd::CmdCore &core, NodeId from, mh::Message message)
	{
		return core.handle(received(from, std::move(message)), now);
	}
};

TEST_F(Cmd, InitialRegistrationActions)
{
	cmd::CmdCore core(test_cmd_config());
	auto pbu = make_pbu(7, kMn, pref(M1));
	pbu.options.mobile_node_link_layer_identifier = to_link_layer(kMn);
	const Actions actions = send(core, M1, pbu);
	const auto answers = pbas(actions);
	ASSERT_EQ(answers.size(), 1u);
	EXPECT_EQ(answers[0].status, Status::Accepted);
	EXPECT_EQ(answers[0].sequence, 7);
	EXPECT_TRUE(answers[0].flags.has(BaFlag::Dmm));
	EXPECT_EQ(answers[0].options.mobile_node_identifier, pbu.options.mobile_node_identifier);
	EXPECT_EQ(answers[0].options.handoff_indicator, HandoffIndicator::HandoffStateUnknown);
	EXPECT_EQ(answers[0].options.mobile_node_link_layer_identifier, pbu.options.mobile_node_link_layer_identifier);
	EXPECT_EQ(all<SendMh>(actions)[0].destination, Network::address(M1));
	// The expiry: the lifetime plus one retransmission timeout of grace.
	const auto timers = all<StartTimer>(actions);
	ASSERT_EQ(timers.size(), 1u);
	EXPECT_EQ(timers[0].after, Duration(400000 + 1500));
	EXPECT_EQ(all<StateChanged>(actions).size(), 1u);
	EXPECT_TRUE(logged(actions, "registered"));
	EXPECT_EQ(core.binding_count(), 1u);
	EXPECT_EQ(core.counters().at("registrations"), 1u);
}

TEST_F(Cmd, GrantedLifetimeNeverAboveConfiguredOrRequested)
{
	CmdConfig config = test_cmd_config();
	config.timers.lifetime = Duration(100000);	// 25 units
	cmd::CmdCore core(config);
	EXPECT_EQ(pbas(send(core, M1, make_pbu(1, kMn, pref(M1), HandoffIndicator::HandoffStateUnknown, 1000)))[0]
			  .lifetime.units(),
		  25);
	EXPECT_EQ(pbas(send(core, M2, make_pbu(1, kMn2, pref(M2), HandoffIndicator::HandoffStateUnknown, 10)))[0]
			  .lifetime.units(),
		  10);
}

TEST_F(Cmd, BindingUpdateWithoutPFlagIsIgnored)
{
	cmd::CmdCore core(test_cmd_config());
	auto pbu = make_pbu(1, kMn, pref(M1));
	pbu.flags.set(BuFlag::ProxyRegistration, false);
	EXPECT_TRUE(all<SendMh>(send(core, M1, pbu)).empty());
	EXPECT_EQ(core.counters().at("drop_not_proxy"), 1u);
	EXPECT_EQ(core.binding_count(), 0u);
}

TEST_F(Cmd, NonNaiIdentifierCountsAsMissing)
{
	cmd::CmdCore core(test_cmd_config());
	auto pbu = make_pbu(1, kMn, pref(M1));
	pbu.options.mobile_node_identifier->subtype = static_cast<mh::MnIdSubtype>(3);
	EXPECT_EQ(pbas(send(core, M1, pbu)).at(0).status, Status::MissingMnIdentifierOption);
}

// Found by cores_fuzz: an NAI of octets that are not UTF-8 became a binding
// whose snapshot could not be serialised (the JSON writer threw, the
// daemon ended at its next state save).
TEST_F(Cmd, NaiThatIsNotTextCountsAsMissing)
{
	cmd::CmdCore core(test_cmd_config());
	auto pbu = make_pbu(1, kMn, pref(M1));
	pbu.options.mobile_node_identifier = mh::MobileNodeIdentifier::nai("mn\xb8@dlif.example");
	const auto answers = pbas(send(core, M1, pbu));
	ASSERT_EQ(answers.size(), 1u);
	EXPECT_EQ(answers[0].status, Status::MissingMnIdentifierOption);
	EXPECT_EQ(core.binding_count(), 0u);
	EXPECT_NO_THROW(core.snapshot());
}

TEST_F(Cmd, DeregistrationOfUnknownNodeIsAcknowledged)
{
	cmd::CmdCore core(test_cmd_config());
	const auto answers =
		pbas(send(core, M1, make_pbu(3, kMn, pref(M1), HandoffIndicator::HandoffStateUnknown, 0)));
	ASSERT_EQ(answers.size(), 1u);
	EXPECT_EQ(answers[0].status, Status::Accepted);
	EXPECT_TRUE(answers[0].lifetime.is_deregistration());
	EXPECT_EQ(core.binding_count(), 0u);
}

TEST_F(Cmd, BindingErrorsAndStaleTimersAreCountedOnly)
{
	cmd::CmdCore core(test_cmd_config());
	EXPECT_TRUE(all<SendMh>(send(core, M1, mh::BindingError{})).empty());
	EXPECT_TRUE(core.handle(TimerFired{12345}, now).empty());
	EXPECT_TRUE(core.handle(TimerFired{~TimerId{0}}, now).empty());
	EXPECT_TRUE(core.handle(MnAttached{kMn, "wlan0"}, now).empty());
	EXPECT_EQ(core.counters().at("rx_binding_error"), 1u);
	EXPECT_EQ(core.counters().at("drop_stale_timer"), 2u);
}

// R84/A15 (alternative B): a previous MAAR's lifetime-0 PBU renews it for
// what is left of the binding's lifetime; never lifetime 0 while the node
// is attached elsewhere.
TEST_F(Cmd, PreviousMaarDeregistrationIsRenewed)
{
	CmdConfig config = test_cmd_config();
	config.deregistration = Deregistration::b;
	cmd::CmdCore core(config);
	send(core, M1, make_pbu(1, kMn, pref(M1)));
	send(core, M2, make_pbu(1, kMn, pref(M2)));
	send(core, M1, mh::ProxyBindingAck{Status::Accepted, {BaFlag::ProxyRegistration, BaFlag::Dmm},
					   1, mh::Lifetime::from_units(100), {}});
	now += std::chrono::seconds(100);
	const auto answers = pbas(send(core, M1, make_pbu(9, kMn, pref(M1), HandoffIndicator::HandoffStateUnknown, 0)));
	ASSERT_EQ(answers.size(), 1u);
	EXPECT_EQ(answers[0].status, Status::Accepted);
	EXPECT_FALSE(answers[0].lifetime.is_deregistration());
	EXPECT_LE(answers[0].lifetime.duration(), std::chrono::seconds(302));
	EXPECT_EQ(answers[0].options.home_network_prefixes[0], pref(M1));
	EXPECT_EQ(core.counters().at("renewals"), 1u);
	EXPECT_EQ(core.binding(mn_id(kMn))->serving_maar, Network::address(M2));
}

// A37: a third MAAR's PBU during a handover waits; the queue shows in the view.
TEST_F(Cmd, SecondHandoverWaitsForTheFirst)
{
	cmd::CmdCore core(test_cmd_config(CmdMode::relay));
	send(core, M1, make_pbu(1, kMn, pref(M1)));
	const Actions first = send(core, M2, make_pbu(1, kMn, pref(M2)));
	EXPECT_EQ(pbus(first).size(), 1u);	// to MAAR1
	const Actions second = send(core, M3, make_pbu(1, kMn, pref(M3)));
	EXPECT_TRUE(all<SendMh>(second).empty());
	auto view = core.binding(mn_id(kMn));
	EXPECT_EQ(view->state, cmd::BindingState::handover);
	EXPECT_EQ(view->queued, 1u);
	EXPECT_EQ(view->outstanding, 1u);
	// MAAR1 answers: the relay PBA goes to MAAR2, then MAAR3's handover starts.
	const auto forwarded = pbus(first)[0];
	mh::ProxyBindingAck answer;
	answer.flags.set(BaFlag::Dmm);
	answer.sequence = forwarded.sequence;
	answer.lifetime = forwarded.lifetime;
	answer.options.mobile_node_identifier = to_option(mn_id(kMn));
	answer.options.home_network_prefixes.push_back(pref(M1));
	const Actions done = send(core, M1, answer);
	const auto sends = all<SendMh>(done);
	ASSERT_EQ(sends.size(), 3u);	// PBA to MAAR2, PBUs to MAAR2 and MAAR1
	EXPECT_EQ(sends[0].destination, Network::address(M2));
	EXPECT_TRUE(std::holds_alternative<mh::ProxyBindingAck>(sends[0].message));
	view = core.binding(mn_id(kMn));
	EXPECT_EQ(view->serving_maar, Network::address(M3));
	EXPECT_EQ(view->queued, 0u);
	EXPECT_EQ(view->previous_maars.size(), 2u);
}

// dlifctl status's bindings per serving MAAR: a node whose handover is
// in flight counts at its new MAAR, and not yet as registered there.
TEST_F(Cmd, BindingsAreCountedPerServingMaar)
{
	cmd::CmdCore core(test_cmd_config(CmdMode::relay));
	EXPECT_TRUE(core.bindings_by_serving_maar().empty());
	send(core, M1, make_pbu(1, kMn, pref(M1)));
	send(core, M1, make_pbu(1, kMn2, pref(M1, 1)));
	using Count = cmd::CmdCore::ServingCount;
	EXPECT_EQ(core.bindings_by_serving_maar(),
		  (std::map<Ipv6Address, Count>{{Network::address(M1), Count{2, 2}}}));
	send(core, M2, make_pbu(1, kMn, pref(M2)));	// relay: waits for MAAR1
	EXPECT_EQ(core.bindings_by_serving_maar(),
		  (std::map<Ipv6Address, Count>{{Network::address(M1), Count{1, 1}},
						{Network::address(M2), Count{1, 0}}}));
}

// A14: a node that roams through 61 MAARs in one binding. Every PBA to
// the serving MAAR lists every previous MAAR, 40 octets each: the oldest
// are pruned, and released at their anchor (lifetime-0 PBU), so that every
// message still fits in one Mobility Header.
TEST_F(Cmd, PreviousMaarsArePrunedSoThatEveryPbaFits)
{
	const auto maar = [](unsigned k) {
		Ipv6Address address = addr("2001:db8:ff::");
		address.bytes[15] = static_cast<std::uint8_t>(k);
		return address;
	};
	CmdConfig config = test_cmd_config();
	config.domain.maars.clear();
	for (unsigned k = 1; k <= 61; ++k)
		config.domain.maars.push_back(maar(k));
	cmd::CmdCore core(config);
	std::size_t messages = 0, largest = 0, releases = 0;
	std::set<Ipv6Address> released;
	// Delivers the CMD's messages; each previous MAAR accepts its PBU.
	std::function<void(const Actions &)> deliver = [&](const Actions &actions) {
		for (const auto &sent : all<SendMh>(actions)) {
			++messages;
			const auto size = mh::encoded_size(sent.message);
			ASSERT_TRUE(size.has_value()) << "a message to " << sent.destination.to_string() << " does not fit";
			largest = std::max(largest, *size);
			const auto *pbu = std::get_if<mh::ProxyBindingUpdate>(&sent.message);
			if (!pbu)
				continue;
			if (pbu->lifetime.units() == 0) {
				++releases;
				released.insert(sent.destination);
				continue;
			}
			mh::ProxyBindingAck answer;
			answer.flags.set(BaFlag::Dmm);
			answer.sequence = pbu->sequence;
			answer.lifetime = pbu->lifetime;
			answer.options.mobile_node_identifier = pbu->options.mobile_node_identifier;
			answer.options.home_network_prefixes = pbu->options.home_network_prefixes;
			deliver(core.handle(MhReceived{sent.destination, config.address, answer}, now));
		}
	};
	for (unsigned k = 1; k <= 61; ++k) {
		deliver(core.handle(MhReceived{maar(k), config.address, make_pbu(1, kMn, pref(static_cast<NodeId>(k)))}, now));
		now += std::chrono::seconds(1);
	}
	const auto view = core.binding(mn_id(kMn));
	ASSERT_TRUE(view);
	EXPECT_EQ(view->serving_maar, maar(61));
	const std::size_t kept = view->previous_maars.size();
	EXPECT_GE(kept, 40u);
	EXPECT_LT(kept, 60u);
	EXPECT_EQ(core.counters().at("previous_maars_pruned"), 60u - kept);
	EXPECT_EQ(releases, 60u - kept);
	// The oldest went: MAAR1 first.
	EXPECT_TRUE(released.contains(maar(1)));
	EXPECT_FALSE(released.contains(maar(60)));
	EXPECT_LE(largest, mh::kMaxMessageSize);
	EXPECT_GT(messages, 60u);
	RecordProperty("previous_maars_kept", static_cast<int>(kept));
	RecordProperty("largest_message", static_cast<int>(largest));
}

// Pacing (cmd_pacing.cpp): nodes that leave MAAR1 together.
class Paced : public Cmd {
protected:
	static MacAddress node(unsigned k)
	{
		MacAddress mac = kMn;
		mac.bytes[4] = static_cast<std::uint8_t>(k >> 8);
		mac.bytes[5] = static_cast<std::uint8_t>(k);
		return mac;
	}
	// PBUs to `to` among `actions`.
	static std::vector<mh::ProxyBindingUpdate> pbus_to(const Actions &actions, NodeId to)
	{
		std::vector<mh::ProxyBindingUpdate> out;
		for (const auto &sent : all<SendMh>(actions))
			if (const auto *pbu = std::get_if<mh::ProxyBindingUpdate>(&sent.message);
			    pbu && sent.destination == Network::address(to))
				out.push_back(*pbu);
		return out;
	}
	static mh::ProxyBindingAck accept(const mh::ProxyBindingUpdate &pbu)
	{
		mh::ProxyBindingAck answer;
		answer.flags.set(BaFlag::Dmm);
		answer.sequence = pbu.sequence;
		answer.lifetime = pbu.lifetime;
		answer.options.mobile_node_identifier = pbu.options.mobile_node_identifier;
		answer.options.home_network_prefixes = pbu.options.home_network_prefixes;
		return answer;
	}
	// `nodes` nodes registered at MAAR1 move to MAAR2: the PBUs MAAR1 gets.
	std::vector<mh::ProxyBindingUpdate> move_all(cmd::CmdCore &core, unsigned nodes)
	{
		for (unsigned k = 1; k <= nodes; ++k)
			send(core, M1, make_pbu(1, node(k), pref(M1, k)));
		std::vector<mh::ProxyBindingUpdate> to_maar1;
		for (unsigned k = 1; k <= nodes; ++k)
			for (auto &pbu : pbus_to(send(core, M2, make_pbu(1, node(k), pref(M2, k))), M1))
				to_maar1.push_back(std::move(pbu));
		return to_maar1;
	}
};

// At most previous_maar_window PBUs to one MAAR are unanswered; each
// answer lets the next one go, in order, and none is lost.
TEST_F(Paced, UpdatesToOneMaarWaitForAPlaceInItsWindow)
{
	CmdConfig config = test_cmd_config();
	config.previous_maar_window = 4;
	cmd::CmdCore core(config);
	std::vector<mh::ProxyBindingUpdate> in_flight = move_all(core, 10);
	ASSERT_EQ(in_flight.size(), 4u);
	EXPECT_EQ(core.counters().at("paced_pbus"), 6u);
	std::set<std::string> updated;
	while (!in_flight.empty()) {
		const mh::ProxyBindingUpdate pbu = in_flight.front();
		in_flight.erase(in_flight.begin());
		updated.insert(std::string(pbu.options.mobile_node_identifier->text()));
		const auto next = pbus_to(send(core, M1, accept(pbu)), M1);
		ASSERT_LE(next.size(), 1u);
		for (const auto &more : next)
			in_flight.push_back(more);
		EXPECT_LE(in_flight.size(), 4u);
	}
	EXPECT_EQ(updated.size(), 10u);
	EXPECT_EQ(core.counters().at("previous_maar_failures"), 0u);
	EXPECT_EQ(core.counters().at("retransmissions"), 0u);
	for (unsigned k = 1; k <= 10; ++k)
		EXPECT_EQ(core.binding(mn_id(node(k)))->state, cmd::BindingState::registered) << k;
}

// Without a limit every update leaves at once, as before.
TEST_F(Paced, WindowZeroSendsEveryUpdateAtOnce)
{
	CmdConfig config = test_cmd_config();
	config.previous_maar_window = 0;
	cmd::CmdCore core(config);
	EXPECT_EQ(move_all(core, 10).size(), 10u);
	EXPECT_EQ(core.counters().at("paced_pbus"), 0u);
}

// A MAAR that takes 5 s to answer gets a first timeout of SRTT + 4 RTTVAR
// (5 + 4 x 2.5 s) for its next update, instead of 1.5 s. A timeout that
// backs off holds for the MAAR's next updates until an answer is measured;
// an answer to a retransmitted copy is measured from that copy (each copy
// has its own sequence number).
TEST_F(Paced, FirstTimeoutFollowsTheMaarsAnswerTime)
{
	cmd::CmdCore core(test_cmd_config());
	const auto timeout_of = [](const Actions &actions) {
		const auto timers = all<StartTimer>(actions);
		return timers.empty() ? Duration(0) : timers.back().after;
	};
	const auto move = [&](unsigned k) {
		send(core, M1, make_pbu(1, node(k), pref(M1, k)));
		return send(core, M2, make_pbu(1, node(k), pref(M2, k)));
	};
	const Actions moved = move(1);
	EXPECT_EQ(timeout_of(moved), Duration(1500));
	now += std::chrono::seconds(5);
	send(core, M1, accept(pbus_to(moved, M1).at(0)));

	const Actions slow = move(2);
	EXPECT_EQ(timeout_of(slow), Duration(15000));
	// Its timer fires: the copy waits 30 s, and so does a new update.
	const auto timer = all<StartTimer>(slow).back();
	now += timer.after;
	const Actions again = core.handle(TimerFired{timer.id}, now);
	ASSERT_EQ(pbus_to(again, M1).size(), 1u);
	EXPECT_EQ(timeout_of(again), Duration(30000));
	EXPECT_EQ(timeout_of(move(3)), Duration(30000));
	// The copy is answered in 2 s: SRTT 4.625 s, RTTVAR 2.625 s.
	now += std::chrono::seconds(2);
	send(core, M1, accept(pbus_to(again, M1).at(0)));
	EXPECT_EQ(timeout_of(move(4)), Duration(4625 + 4 * 2625));
	EXPECT_EQ(core.counters().at("previous_maar_failures"), 0u);
}

// An exchange that waited and was overtaken (the node deregistered) is
// never sent; its place goes to the next.
TEST_F(Paced, AWaitingUpdateThatIsNoLongerWantedIsSkipped)
{
	CmdConfig config = test_cmd_config();
	config.previous_maar_window = 1;
	cmd::CmdCore core(config);
	const auto first = move_all(core, 2);
	ASSERT_EQ(first.size(), 1u);
	// The second node's serving MAAR ends its session: its handover
	// update to MAAR1 is replaced by the release, which waits too.
	auto release = make_pbu(2, node(2), pref(M2, 2), mh::HandoffIndicator::HandoffStateUnknown, 0);
	EXPECT_TRUE(pbus_to(send(core, M2, release), M1).empty());
	const auto next = pbus_to(send(core, M1, accept(first[0])), M1);
	ASSERT_EQ(next.size(), 1u);
	EXPECT_EQ(next[0].lifetime.units(), 0);
	EXPECT_EQ(next[0].options.mobile_node_identifier, to_option(mn_id(node(2))));
	send(core, M1, accept(next[0]));
	EXPECT_FALSE(core.binding(mn_id(node(2))));
	EXPECT_EQ(core.counters().at("previous_maar_failures"), 0u);
}

// A CMD restarted from a snapshot taken while updates waited sends them
// as places free up.
TEST_F(Paced, WaitingUpdatesSurviveARestart)
{
	CmdConfig config = test_cmd_config();
	config.previous_maar_window = 2;
	cmd::CmdCore core(config);
	const auto in_flight = move_all(core, 5);
	ASSERT_EQ(in_flight.size(), 2u);
	cmd::CmdCore restarted(config);
	const auto restored = restarted.restore(core.snapshot(), now);
	ASSERT_TRUE(restored.has_value()) << restored.error();
	EXPECT_TRUE(pbus_to(*restored, M1).empty());
	std::vector<mh::ProxyBindingUpdate> queue = in_flight;
	std::size_t answered = 0;
	while (!queue.empty()) {
		const auto pbu = queue.front();
		queue.erase(queue.begin());
		++answered;
		for (const auto &more : pbus_to(restarted.handle(received(M1, accept(pbu)), now), M1))
			queue.push_back(more);
	}
	EXPECT_EQ(answered, 5u);
	for (unsigned k = 1; k <= 5; ++k)
		EXPECT_EQ(restarted.binding(mn_id(node(k)))->state, cmd::BindingState::registered) << k;
}

// A PBA that matches nothing the CMD is waiting for changes nothing.
TEST_F(Cmd, UnmatchedPbaIsCounted)
{
	cmd::CmdCore core(test_cmd_config());
	send(core, M1, make_pbu(1, kMn, pref(M1)));
	mh::ProxyBindingAck pba;
	pba.sequence = 99;
	pba.options.mobile_node_identifier = to_option(mn_id(kMn));
	const Actions actions = send(core, M2, pba);
	EXPECT_TRUE(all<SendMh>(actions).empty());
	EXPECT_TRUE(logged(actions, "pba-unmatched"));
	EXPECT_EQ(core.counters().at("drop_unmatched_pba"), 1u);
	mh::ProxyBindingAck anonymous;
	EXPECT_TRUE(logged(send(core, M2, anonymous), "pba-without-mn-id"));
	EXPECT_EQ(core.counters().at("drop_malformed"), 1u);
}

// R27 with a configured status.
TEST_F(Cmd, LegacyStatusIsConfigurable)
{
	CmdConfig config = test_cmd_config();
	config.rfc8885 = false;
	config.legacy_status = 129;
	cmd::CmdCore core(config);
	const auto answers = pbas(send(core, M1, make_pbu(1, kMn, pref(M1))));
	ASSERT_EQ(answers.size(), 1u);
	EXPECT_EQ(answers[0].status, Status::AdministrativelyProhibited);
	EXPECT_FALSE(answers[0].flags.has(BaFlag::Dmm));
	EXPECT_EQ(core.binding_count(), 0u);
}

class Lma : public Cmd {
protected:
	CmdConfig config()
	{
		CmdConfig c = test_cmd_config();
		c.lma = LmaConfig{pfx("2001:db8:f::/62"), 64, "lma0"};
		return c;
	}
	mh::ProxyBindingUpdate plain(const MacAddress &node, const Ipv6Prefix &prefix, std::uint16_t seq = 1)
	{
		return make_pbu(seq, node, prefix, HandoffIndicator::AttachmentOverNewInterface, 100, false);
	}
};

TEST_F(Lma, AssignsFromThePoolAndInstallsTheAnchorRole)
{
	cmd::CmdCore core(config());
	const Actions actions = send(core, M1, plain(kMn, Ipv6Prefix{}));
	const auto answers = pbas(actions);
	ASSERT_EQ(answers.size(), 1u);
	EXPECT_FALSE(answers[0].flags.has(BaFlag::Dmm));
	EXPECT_EQ(answers[0].options.home_network_prefixes[0], pfx("2001:db8:f::/64"));
	const auto dlifs = all<InstallDlif>(actions);
	ASSERT_EQ(dlifs.size(), 1u);
	EXPECT_EQ(dlifs[0].name, "mn1lma");
	EXPECT_EQ(dlifs[0].lower, "lma0");
	EXPECT_EQ(dlifs[0].anchoring_maar, Network::address(kCmd));
	const auto entries = all<InstallEntry>(actions);
	ASSERT_EQ(entries.size(), 1u);
	EXPECT_EQ(entries[0], (InstallEntry{pfx("2001:db8:f::/64"), TunnelRole::anchor, Network::address(M1), "mn1lma"}));
	// A refresh from the same MAG re-issues nothing.
	const Actions refresh = send(core, M1, plain(kMn, pfx("2001:db8:f::/64"), 2));
	EXPECT_TRUE(all<InstallDlif>(refresh).empty());
	EXPECT_EQ(pbas(refresh)[0].options.home_network_prefixes[0], pfx("2001:db8:f::/64"));
}

TEST_F(Lma, HonoursAValidRequestOtherwisePicks)
{
	cmd::CmdCore core(config());
	EXPECT_EQ(pbas(send(core, M1, plain(kMn, pfx("2001:db8:f:2::/64"))))[0].options.home_network_prefixes[0],
		  pfx("2001:db8:f:2::/64"));
	// Outside the pool: the LMA picks (a deployed LMA assigns by policy).
	EXPECT_EQ(pbas(send(core, M1, plain(kMn2, pref(M1))))[0].options.home_network_prefixes[0],
		  pfx("2001:db8:f::/64"));
}

TEST_F(Lma, ExhaustedPoolRefusesWith130)
{
	cmd::CmdCore core(config());
	for (std::uint8_t i = 1; i <= 4; ++i)
		send(core, M1, plain(MacAddress{{2, 0, 0, 0, 9, i}}, Ipv6Prefix{}));
	const auto answers = pbas(send(core, M1, plain(kMn, Ipv6Prefix{})));
	EXPECT_EQ(answers.at(0).status, Status::InsufficientResources);
	EXPECT_EQ(core.counters().at("rejected_no_prefix"), 1u);
}

TEST_F(Lma, DeregistrationRemovesTheKernelState)
{
	cmd::CmdCore core(config());
	send(core, M1, plain(kMn, Ipv6Prefix{}));
	auto dereg = plain(kMn, pfx("2001:db8:f::/64"), 2);
	dereg.lifetime = mh::Lifetime::from_units(0);
	const Actions actions = send(core, M1, dereg);
	EXPECT_EQ(all<RemoveEntry>(actions).size(), 1u);
	EXPECT_EQ(all<RemoveDlif>(actions).at(0).name, "mn1lma");
	EXPECT_EQ(core.binding_count(), 0u);
	// The DLIF number and the prefix can be reused.
	EXPECT_EQ(all<InstallDlif>(send(core, M1, plain(kMn2, Ipv6Prefix{}))).at(0).name, "mn1lma");
}

TEST_F(Lma, DFlaggedPbuServedAsPlainWhenIgnored)
{
	CmdConfig c = config();
	c.rfc8885 = false;
	c.legacy_d_flag = LegacyDFlag::ignore;
	cmd::CmdCore core(c);
	auto pbu = make_pbu(1, kMn, pref(M1));
	pbu.options.local_prefixes.push_back(pfx("2001:db8:100::/56"));
	const auto answers = pbas(send(core, M1, pbu));
	ASSERT_EQ(answers.size(), 1u);
	EXPECT_EQ(answers[0].status, Status::Accepted);
	EXPECT_FALSE(answers[0].flags.has(BaFlag::Dmm));
	EXPECT_TRUE(answers[0].options.previous_maars.empty());
	EXPECT_TRUE(core.binding(mn_id(kMn))->lma);
}

TEST_F(Cmd, ViewsAndJson)
{
	cmd::CmdCore core(test_cmd_config());
	send(core, M1, make_pbu(1, kMn, pref(M1)));
	send(core, M2, make_pbu(1, kMn, pref(M2)));
	const auto views = core.bindings();
	ASSERT_EQ(views.size(), 1u);
	EXPECT_EQ(views[0].serving_maar, Network::address(M2));
	EXPECT_EQ(views[0].previous_maars.at(0).maar, Network::address(M1));
	EXPECT_FALSE(views[0].previous_maars.at(0).confirmed);
	EXPECT_EQ(views[0].state, cmd::BindingState::handover);
	const auto json = nlohmann::json::parse(core.bindings_json(now));
	EXPECT_EQ(json.at(0).at("mn"), mn_id(kMn).nai);
	EXPECT_EQ(json.at(0).at("state"), "handover");
	EXPECT_EQ(json.at(0).at("previous_maars").at(0).at("maar"), "2001:db8::1");
	const auto counters = nlohmann::json::parse(core.counters_json());
	EXPECT_EQ(counters.at("handovers"), 1);
	EXPECT_EQ(counters.size(), core.counters().size());
}

} // namespace
} // namespace dlif::sim
