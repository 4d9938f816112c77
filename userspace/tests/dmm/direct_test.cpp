// SPDX-License-Identifier: GPL-2.0
//
// Direct mode (no CMD, a session database): seed 002's walk
// MAR1 -> MAR2 -> MAR3 -> MAR1, refreshes, the end of a session, a
// database that is away, an anchor that is away, and peers that lie.
#include <gtest/gtest.h>

#include "test_util.hpp"

namespace dlif::sim {
namespace {

using mh::BaFlag;
using mh::BuFlag;
using mh::HandoffIndicator;
using namespace std::chrono_literals;

SimOptions direct_options()
{
	SimOptions o;
	o.direct = true;
	o.check_snapshots = true;
	o.local_prefixes = {{pfx("2001:db8:100::/56")}, {}, {pfx("2001:db8:300::/56")}};
	return o;
}

bool touches_cmd(const std::vector<Wire> &wires)
{
	for (const auto &wire : wires)
		if (wire.from == kCmd || wire.to == kCmd)
			return true;
	return false;
}

const InstallEntry *entry_at(Network &net, NodeId node, const Ipv6Prefix &prefix)
{
	return net.kernel(node).entry(prefix);
}

TEST(DirectMode, FirstAttachmentNeedsNoMessage)
{
	Network net(direct_options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_TRUE(net.sent_since(0).empty()) << describe(net.sent_since(0));
	const auto session = net.maar(M1).session(mn_id(kMn));
	ASSERT_TRUE(session);
	EXPECT_EQ(session->state, maar::SessionState::serving);
	ASSERT_EQ(net.database().count(mn_id(kMn).nai), 1u);
	const auto &record = net.database().at(mn_id(kMn).nai).at(Network::address(M1));
	EXPECT_EQ(record.prefixes, std::vector<Ipv6Prefix>{pref(M1)});
	EXPECT_EQ(record.identity, derive_dlif_identity(Network::address(M1), mn_id(kMn)));
	EXPECT_EQ(record.local_prefixes, std::vector<Ipv6Prefix>{pfx("2001:db8:100::/56")});
	EXPECT_EQ(net.counter(M1, "registrations"), 1u);
	EXPECT_EQ(net.counter(M1, "session_lookups"), 1u);
	EXPECT_INVARIANTS(net);
}

// Seed 002 §4.8 and 004 §4.2: every PBU and PBA between MAARs, the
// anchors re-pointed (MAR1-MAR2 becomes MAR1-MAR3), the node's first
// prefix kept all the way round.
TEST(DirectMode, WalkThroughThreeMaarsAndBack)
{
	Network net(direct_options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());

	std::size_t mark = net.trace().size();
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle()) << net.dump();
	auto wires = net.sent_since(mark);
	EXPECT_FALSE(touches_cmd(wires));
	const auto pbus = messages(wires, M2, M1);
	const auto pbas = messages(wires, M1, M2);
	ASSERT_EQ(pbus.size(), 1u) << describe(wires);
	ASSERT_EQ(pbas.size(), 1u) << describe(wires);
	const auto &pbu = pbu_of(pbus.front());
	EXPECT_TRUE(pbu.flags.has(BuFlag::Dmm));
	EXPECT_EQ(pbu.options.mobile_node_identifier->text(), mn_id(kMn).nai);
	// 004 §4.2 step 7: the anchored prefix, the DLIF's addresses and the
	// anchor's local networks.
	const auto &pba = pba_of(pbas.front());
	EXPECT_TRUE(pba.flags.has(BaFlag::Dmm));
	EXPECT_TRUE(mh::is_accepted(pba.status));
	ASSERT_EQ(pba.options.home_network_prefixes.size(), 1u);
	EXPECT_EQ(pba.options.home_network_prefixes[0], pref(M1));
	const DlifIdentity m1_identity = derive_dlif_identity(Network::address(M1), mn_id(kMn));
	EXPECT_EQ(pba.options.dlif_link_local_address, m1_identity.link_local);
	EXPECT_EQ(mac_from_link_layer(*pba.options.dlif_link_layer_address), m1_identity.mac);
	ASSERT_EQ(pba.options.local_prefixes.size(), 1u);
	EXPECT_FALSE(pba.options.serving_maar.has_value());
	ASSERT_TRUE(entry_at(net, M1, pref(M1)));
	EXPECT_EQ(entry_at(net, M1, pref(M1))->role, TunnelRole::anchor);
	EXPECT_EQ(entry_at(net, M1, pref(M1))->peer, Network::address(M2));
	ASSERT_TRUE(entry_at(net, M2, pref(M1)));
	EXPECT_EQ(entry_at(net, M2, pref(M1))->role, TunnelRole::serving);
	EXPECT_INVARIANTS(net);

	mark = net.trace().size();
	net.move(kMn, M2, M3);
	ASSERT_TRUE(net.settle()) << net.dump();
	wires = net.sent_since(mark);
	EXPECT_FALSE(touches_cmd(wires));
	EXPECT_EQ(messages(wires, M3, M1).size(), 1u) << describe(wires);
	EXPECT_EQ(messages(wires, M3, M2).size(), 1u) << describe(wires);
	EXPECT_TRUE(messages(wires, M2, M1).empty()) << describe(wires);
	// The MAR1-MAR2 tunnel is now MAR1-MAR3; MAR2 anchors its own prefix.
	EXPECT_EQ(entry_at(net, M1, pref(M1))->peer, Network::address(M3));
	EXPECT_FALSE(entry_at(net, M2, pref(M1)));
	EXPECT_EQ(entry_at(net, M2, pref(M2))->role, TunnelRole::anchor);
	EXPECT_EQ(entry_at(net, M2, pref(M2))->peer, Network::address(M3));
	EXPECT_EQ(entry_at(net, M3, pref(M1))->peer, Network::address(M1));
	EXPECT_EQ(entry_at(net, M3, pref(M2))->peer, Network::address(M2));
	EXPECT_INVARIANTS(net);

	mark = net.trace().size();
	net.move(kMn, M3, M1);
	ASSERT_TRUE(net.settle()) << net.dump();
	wires = net.sent_since(mark);
	EXPECT_FALSE(touches_cmd(wires));
	const auto back = net.maar(M1).session(mn_id(kMn));
	ASSERT_TRUE(back);
	EXPECT_EQ(back->state, maar::SessionState::serving);
	EXPECT_EQ(back->anchored_prefixes, std::vector<Ipv6Prefix>{pref(M1)});
	EXPECT_EQ(back->anchors.size(), 2u);
	EXPECT_FALSE(entry_at(net, M1, pref(M1)));	// native again
	EXPECT_EQ(entry_at(net, M2, pref(M2))->peer, Network::address(M1));
	EXPECT_EQ(entry_at(net, M3, pref(M3))->peer, Network::address(M1));
	EXPECT_EQ(net.counter(M1, "returns"), 1u);
	EXPECT_INVARIANTS(net);
	EXPECT_TRUE(net.problems().empty()) << ::testing::PrintToString(net.problems());
}

// The serving MAAR refreshes its anchors; when the node is gone for a
// lifetime, every MAAR releases its prefix and its record.
TEST(DirectMode, RefreshesKeepAnchorsAndTheEndReleasesEverything)
{
	Network net(direct_options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	const Duration lifetime = net.maar_config(M1).timers.lifetime;
	net.run_for(lifetime * 3);
	ASSERT_TRUE(net.settle());
	EXPECT_GE(net.counter(M1, "renewals"), 2u);
	EXPECT_EQ(net.maar(M1).session(mn_id(kMn))->state, maar::SessionState::anchor);
	EXPECT_INVARIANTS(net);

	net.detach(M2, kMn);
	net.run_for(lifetime * 2);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_FALSE(net.maar(M1).session(mn_id(kMn)));
	EXPECT_FALSE(net.maar(M2).session(mn_id(kMn)));
	EXPECT_TRUE(net.database().empty());
	EXPECT_TRUE(net.kernel(M1).empty_of_sessions());
	EXPECT_TRUE(net.kernel(M2).empty_of_sessions());
	// M1 heard the end from M2 (a cleanup), not from its own expiry.
	EXPECT_EQ(net.counter(M1, "cleanups"), 1u);
}

// An anchor whose serving MAAR went silent ends its binding itself.
TEST(DirectMode, AnchorExpiresWithoutItsServingMaar)
{
	Network net(direct_options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	net.set_down(M2, true);
	net.run_for(net.maar_config(M1).timers.lifetime * 2);
	EXPECT_FALSE(net.maar(M1).session(mn_id(kMn)));
	EXPECT_TRUE(net.kernel(M1).empty_of_sessions());
	EXPECT_EQ(net.database().at(mn_id(kMn).nai).count(Network::address(M1)), 0u);
}

// The database is away when the node moves: it is served at once with its
// new prefix, and its older one comes back when the database does.
TEST(DirectMode, DatabaseAwayThenBack)
{
	Network net(direct_options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.set_database_down(true);
	net.move(kMn, M1, M2);
	net.run_for(100ms);
	const auto served = net.maar(M2).session(mn_id(kMn));
	ASSERT_TRUE(served);
	EXPECT_EQ(served->state, maar::SessionState::serving);
	EXPECT_TRUE(served->anchors.empty());
	EXPECT_EQ(net.counter(M2, "session_lookup_failures"), 1u);
	net.set_database_down(false);
	ASSERT_TRUE(net.settle()) << net.dump();
	const auto later = net.maar(M2).session(mn_id(kMn));
	ASSERT_EQ(later->anchors.size(), 1u);
	EXPECT_EQ(later->anchors.front().prefixes, std::vector<Ipv6Prefix>{pref(M1)});
	EXPECT_EQ(entry_at(net, M1, pref(M1))->peer, Network::address(M2));
	// M2's own record was written while the database was down: lost here
	// (the daemon retries it), so only M1's invariants are checked.
	EXPECT_EQ(net.database().at(mn_id(kMn).nai).count(Network::address(M1)), 1u);
}

// An anchor that never answers is given up after the retransmissions; the
// node keeps its new prefix.
TEST(DirectMode, UnreachableAnchorIsGivenUp)
{
	Network net(direct_options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.set_down(M1, true);
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle()) << net.dump();
	const auto served = net.maar(M2).session(mn_id(kMn));
	ASSERT_TRUE(served);
	EXPECT_EQ(served->state, maar::SessionState::serving);
	EXPECT_TRUE(served->anchors.empty());
	EXPECT_EQ(net.counter(M2, "anchor_failures"), 1u);
	EXPECT_EQ(net.counter(M2, "retransmissions"), net.maar_config(M2).timers.max_retransmissions);
}

// Lost PBAs are retransmitted; the anchor answers a repeated PBU again
// without acting twice.
TEST(DirectMode, LostAnswersAreRepeated)
{
	Network net(direct_options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.link(M1, M2).drop_next = 2;
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_EQ(net.counter(M2, "retransmissions"), 2u);
	EXPECT_EQ(net.maar(M2).session(mn_id(kMn))->anchors.size(), 1u);
	EXPECT_INVARIANTS(net);
}

// A MAAR may speak only for itself, and only the node's serving MAAR may
// end an anchor's binding.
TEST(DirectMode, PeersThatLieChangeNothing)
{
	Network net(direct_options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());

	// M3 claims the node is served at M2's address... from M3.
	auto pbu = make_pbu(40000, kMn, pref(M1));
	pbu.options.serving_maar = Network::address(M2);
	net.inject(M3, M1, pbu);
	// M3, which never served it, ends M1's binding.
	auto cleanup = make_pbu(40001, kMn, pref(M1), HandoffIndicator::HandoffStateUnknown, 0);
	net.inject(M3, M1, cleanup);
	// A stranger signals M1.
	net.inject_from(addr("2001:db8:ffff::1"), M1, make_pbu(40002, kMn, pref(M1)));
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.counter(M1, "drop_pbu_not_from_serving"), 1u);
	EXPECT_EQ(net.counter(M1, "drop_stale_cleanup"), 1u);
	EXPECT_EQ(net.counter(M1, "drop_unknown_peer"), 1u);
	EXPECT_EQ(entry_at(net, M1, pref(M1))->peer, Network::address(M2));
	EXPECT_INVARIANTS(net);
}

// Random walks with loss and reordering: once quiet, the database and
// every MAAR agree (direct mode's invariants), with snapshots checked
// after every change.
void random_walks_converge(MaarConfig::Discovery discovery)
{
	for (std::uint64_t seed = 1; seed <= 20; ++seed) {
		SimOptions options = direct_options();
		options.discovery = discovery;
		options.seed = seed;
		Network net(options);
		for (NodeId from = 1; from <= kMaars; ++from)
			for (NodeId to = 1; to <= kMaars; ++to)
				if (from != to) {
					net.link(from, to).loss = 0.1;
					net.link(from, to).jitter = 20ms;
				}
		std::mt19937_64 random(seed);
		NodeId at = 1 + static_cast<NodeId>(random() % kMaars);
		net.attach(at, kMn);
		for (int step = 0; step < 6; ++step) {
			NodeId next = at;
			while (next == at)
				next = 1 + static_cast<NodeId>(random() % kMaars);
			net.run_for(std::chrono::milliseconds(random() % 3000));
			net.move(kMn, at, next);
			at = next;
		}
		ASSERT_TRUE(net.settle()) << "seed " << seed << "\n" << net.dump();
		const auto violations = net.invariant_violations();
		EXPECT_TRUE(violations.empty()) << "seed " << seed << ": " << ::testing::PrintToString(violations)
						<< "\n" << net.dump();
		const auto session = net.maar(at).session(mn_id(kMn));
		ASSERT_TRUE(session) << "seed " << seed;
		EXPECT_EQ(session->state, maar::SessionState::serving) << "seed " << seed;
		EXPECT_TRUE(net.problems().empty()) << "seed " << seed << ::testing::PrintToString(net.problems());
	}
}

TEST(DirectMode, RandomWalksConverge)
{
	random_walks_converge(MaarConfig::Discovery::database);
}

// 004 App A.5 (R111): an anchor that answers as a plain RFC 5213 LMA
// (no D flag, no DLIF or Local Prefix option) still gets its prefix
// tunnelled, under a DLIF with the derived identity.
TEST(DirectMode, AnchorWithoutTheDFlag)
{
	Network net(direct_options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	// M1's own answer is lost; a legacy LMA's stands in for it.
	net.link(M1, M2).drop_if = [](const mh::Message &message) {
		return std::holds_alternative<mh::ProxyBindingAck>(message);
	};
	const std::size_t mark = net.trace().size();
	net.move(kMn, M1, M2);
	net.run_for(50ms);
	const auto pbus = messages(net.sent_since(mark), M2, M1);
	ASSERT_EQ(pbus.size(), 1u) << describe(net.sent_since(mark));
	mh::ProxyBindingAck legacy;
	legacy.sequence = pbu_of(pbus.front()).sequence;
	legacy.lifetime = pbu_of(pbus.front()).lifetime;
	legacy.options.mobile_node_identifier = to_option(mn_id(kMn));
	legacy.options.home_network_prefixes.push_back(pref(M1));
	net.link(M1, M2).drop_if = nullptr;
	net.inject(M1, M2, legacy);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_EQ(net.counter(M2, "legacy_anchors"), 1u);
	const auto served = net.maar(M2).session(mn_id(kMn));
	ASSERT_EQ(served->anchors.size(), 1u);
	EXPECT_EQ(served->anchors.front().prefixes, std::vector<Ipv6Prefix>{pref(M1)});
	EXPECT_FALSE(served->anchors.front().identity_from_options);
	EXPECT_TRUE(served->anchors.front().local_prefixes.empty());
	ASSERT_TRUE(entry_at(net, M2, pref(M1)));
	EXPECT_EQ(entry_at(net, M2, pref(M1))->peer, Network::address(M1));
	EXPECT_EQ(entry_at(net, M1, pref(M1))->peer, Network::address(M2));
}

// A MAAR restarted at any point of a handover (its state from the stored
// records, as dlifd restores it) finishes what it started: the lookup
// or the anchors' PBUs are repeated by the restored timers.
TEST(DirectMode, RestartDuringHandover)
{
	for (const Duration at : {Duration(0), Duration(1), Duration(3), Duration(8), Duration(2000)}) {
		for (const NodeId restarted : {M1, M2}) {
			Network net(direct_options());
			net.attach(M1, kMn);
			ASSERT_TRUE(net.settle());
			net.link(M2, M1).drop_next = 1;	// the first PBU: M2 retransmits
			net.move(kMn, M1, M2);
			net.run_for(at);
			net.restart(restarted);
			ASSERT_TRUE(net.settle()) << "restart of MAAR" << restarted << " after " << at.count() << " ms\n"
						  << net.dump();
			const auto violations = net.invariant_violations();
			EXPECT_TRUE(violations.empty()) << "restart of MAAR" << restarted << " after " << at.count()
							<< " ms: " << ::testing::PrintToString(violations);
			EXPECT_EQ(net.maar(M2).session(mn_id(kMn))->anchors.size(), 1u)
				<< "restart of MAAR" << restarted << " after " << at.count() << " ms";
			EXPECT_TRUE(net.problems().empty()) << ::testing::PrintToString(net.problems());
		}
	}
}

// Distributed discovery (003 §4): no database; the MAAR where the node
// attaches asks every other MAAR, and those holding nothing answer 133.
TEST(DirectQuery, WalkThroughThreeMaarsAndBack)
{
	SimOptions options = direct_options();
	options.discovery = MaarConfig::Discovery::query;
	Network net(options);
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_EQ(net.counter(M1, "discovery_misses"), 2u);
	EXPECT_EQ(net.counter(M1, "anchor_failures"), 0u);
	EXPECT_TRUE(net.database().empty());
	EXPECT_TRUE(net.maar(M2).sessions().empty());

	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_EQ(entry_at(net, M1, pref(M1))->peer, Network::address(M2));
	EXPECT_EQ(net.counter(M2, "discovery_misses"), 1u);
	EXPECT_INVARIANTS(net);

	std::size_t mark = net.trace().size();
	net.move(kMn, M2, M3);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_FALSE(touches_cmd(net.sent_since(mark)));
	EXPECT_EQ(entry_at(net, M1, pref(M1))->peer, Network::address(M3));
	EXPECT_EQ(entry_at(net, M2, pref(M2))->peer, Network::address(M3));
	EXPECT_EQ(net.maar(M3).session(mn_id(kMn))->anchors.size(), 2u);
	EXPECT_INVARIANTS(net);

	net.move(kMn, M3, M1);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_EQ(net.maar(M1).session(mn_id(kMn))->anchors.size(), 2u);
	EXPECT_FALSE(entry_at(net, M1, pref(M1)));
	EXPECT_INVARIANTS(net);
	EXPECT_EQ(net.counter(M1, "anchor_failures") + net.counter(M2, "anchor_failures") +
			  net.counter(M3, "anchor_failures"),
		  0u);

	// The node leaves: every MAAR releases its prefix, and none writes to
	// a session database there is none of.
	net.detach(M1, kMn);
	net.run_for(net.maar_config(M1).timers.lifetime * 2);
	ASSERT_TRUE(net.settle()) << net.dump();
	for (NodeId node = 1; node <= kMaars; ++node)
		EXPECT_TRUE(net.maar(node).sessions().empty()) << "MAAR" << node;
	EXPECT_TRUE(net.problems().empty()) << ::testing::PrintToString(net.problems());
}

// A MAAR that is away during a query only delays its own answer; the
// node is served, and its prefixes elsewhere come back.
TEST(DirectQuery, MaarAwayIsGivenUp)
{
	SimOptions options = direct_options();
	options.discovery = MaarConfig::Discovery::query;
	Network net(options);
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.set_down(M3, true);
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_EQ(net.maar(M2).session(mn_id(kMn))->anchors.size(), 1u);
	EXPECT_EQ(net.counter(M2, "anchor_failures"), 1u);	// M3, never answered
	EXPECT_EQ(entry_at(net, M1, pref(M1))->peer, Network::address(M2));
}

TEST(DirectQuery, RandomWalksConverge)
{
	random_walks_converge(MaarConfig::Discovery::query);
}

} // namespace
} // namespace dlif::sim
