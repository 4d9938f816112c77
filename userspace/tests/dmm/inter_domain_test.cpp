// SPDX-License-Identifier: GPL-2.0
//
// Inter-domain session continuity through the home LMA (seed 004 §5,
// R112-R116): MAAR1 and MAAR2 with the CMD are the node's home domain,
// MAAR3 a direct-mode MAAR of a partner domain. The CMD, as home LMA, is
// the serving node the home anchors see and the anchor MAAR3 sees, and
// relays the home prefixes between the two tunnels.
#include <gtest/gtest.h>

#include "test_util.hpp"

namespace dlif::sim {
namespace {

using mh::BaFlag;
using mh::BuFlag;
using namespace std::chrono_literals;

SimOptions two_domains()
{
	SimOptions o;
	o.inter_domain = true;
	o.visitors = {kMn};
	o.domain_claims = true;
	o.check_snapshots = true;
	return o;
}

const Ipv6Address kLma = Network::address(kCmd);

// MAAR3 names the DLIFs of home MAARs after its peers (its domain's one
// MAAR and the LMA), in address order: MAAR1's, then MAAR2's.
const std::string kHomeDlif = dlif_name(1, 3);
const std::string kSecondHomeDlif = dlif_name(1, 4);

void expect_relayed(Network &net, const Ipv6Prefix &prefix, NodeId anchor)
{
	const auto &relays = net.kernel(kCmd).relays;
	const auto it = relays.find(prefix.to_string());
	ASSERT_NE(it, relays.end()) << net.dump();
	EXPECT_EQ(it->second.anchor.remote, Network::address(anchor));
	EXPECT_EQ(it->second.anchor.device, "dlra" + std::to_string(anchor));
	EXPECT_EQ(it->second.serving.remote, Network::address(M3));
	EXPECT_EQ(it->second.serving.device, "dlrv1");
	EXPECT_EQ(it->second.local, kLma);
	EXPECT_EQ(it->second.table, 10000u + static_cast<unsigned>(anchor));
}

// A -> B -> A (004 Fig 5): the two exchanges, the two tunnels through the
// LMA, the home DLIF at the visited MAAR, and nothing left at the LMA
// after the return.
TEST(InterDomain, VisitAndReturn)
{
	Network net(two_domains());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle()) << net.dump();
	const DlifIdentity home_identity = net.kernel(M1).dlif(dlif_name(1, 1))->identity;

	std::size_t mark = net.trace().size();
	net.move(kMn, M1, M3);
	ASSERT_TRUE(net.settle()) << net.dump();
	auto wires = net.sent_since(mark);
	// 004 §5: visited MAAR <-> LMA, LMA <-> anchoring MAAR, nothing
	// between the two operators' MAARs.
	EXPECT_TRUE(messages(wires, M3, M1).empty()) << describe(wires);
	EXPECT_TRUE(messages(wires, M1, M3).empty()) << describe(wires);
	const auto to_lma = messages(wires, M3, kCmd);
	const auto to_anchor = messages(wires, kCmd, M1);
	const auto from_anchor = messages(wires, M1, kCmd);
	const auto from_lma = messages(wires, kCmd, M3);
	ASSERT_EQ(to_lma.size(), 1u) << describe(wires);
	ASSERT_EQ(to_anchor.size(), 1u) << describe(wires);
	ASSERT_EQ(from_anchor.size(), 1u) << describe(wires);
	ASSERT_EQ(from_lma.size(), 1u) << describe(wires);
	EXPECT_EQ(pbu_of(to_lma.front()).options.mobile_node_identifier->text(), mn_id(kMn).nai);
	// The anchor sees the LMA as the serving node.
	EXPECT_EQ(pbu_of(to_anchor.front()).options.serving_maar, kLma);
	// The visited MAAR sees the LMA as the anchor, answering as a CMD:
	// each home prefix in a Previous MAAR option naming its home MAAR,
	// that MAAR's DLIF identity, no Local Prefix.
	const auto &pba = pba_of(from_lma.front());
	EXPECT_TRUE(pba.flags.has(BaFlag::Dmm));
	EXPECT_EQ(pba.status, mh::Status::Accepted);
	ASSERT_EQ(pba.options.previous_maars.size(), 1u);
	EXPECT_EQ(pba.options.previous_maars.front().address, Network::address(M1));
	EXPECT_EQ(pba.options.previous_maars.front().home_network_prefix, pref(M1));
	EXPECT_EQ(pba.options.dlif_link_local_address, home_identity.link_local);
	EXPECT_TRUE(pba.options.local_prefixes.empty());

	// The tunnels: MAAR1 -> LMA, LMA -> MAAR3.
	ASSERT_TRUE(net.kernel(M1).entry(pref(M1)));
	EXPECT_EQ(net.kernel(M1).entry(pref(M1))->role, TunnelRole::anchor);
	EXPECT_EQ(net.kernel(M1).entry(pref(M1))->peer, kLma);
	ASSERT_TRUE(net.kernel(M3).entry(pref(M1)));
	EXPECT_EQ(net.kernel(M3).entry(pref(M1))->role, TunnelRole::serving);
	EXPECT_EQ(net.kernel(M3).entry(pref(M1))->peer, kLma);
	expect_relayed(net, pref(M1), M1);
	// R116: MAAR3 shows the home DLIF (MAAR1's identity, prefix
	// deprecated) and its own.
	const InstallDlif *home = net.kernel(M3).dlif(kHomeDlif);
	ASSERT_NE(home, nullptr) << net.dump();
	EXPECT_EQ(home->identity, home_identity);
	ASSERT_EQ(home->ra.prefixes.size(), 1u);
	EXPECT_EQ(home->ra.prefixes.front().prefix, pref(M1));
	EXPECT_EQ(home->ra.prefixes.front().preferred_lifetime, Duration::zero());
	ASSERT_NE(net.kernel(M3).dlif(dlif_name(1, 1)), nullptr);
	EXPECT_EQ(net.counter(kCmd, "visited_handovers"), 1u);

	// Back home: MAAR1 serves its prefix natively, the relay goes.
	mark = net.trace().size();
	net.move(kMn, M3, M1);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_TRUE(net.kernel(kCmd).relays.empty()) << net.dump();
	const auto session = net.maar(M1).session(mn_id(kMn));
	ASSERT_TRUE(session);
	EXPECT_EQ(session->state, maar::SessionState::serving);
	EXPECT_EQ(net.kernel(M1).entry(pref(M1)), nullptr);
	EXPECT_TRUE(messages(net.sent_since(mark), kCmd, M3).empty());
	EXPECT_TRUE(net.problems().empty()) << ::testing::PrintToString(net.problems());

	// The visited MAAR lets go after the node's lifetime; its last word to
	// the LMA changes nothing at home.
	net.run_for(net.maar_config(M3).timers.lifetime + 2 * net.maar_config(M3).detach_after + 10s);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_EQ(net.maar(M3).session_count(), 0u) << net.dump();
	EXPECT_TRUE(net.kernel(M3).empty_of_sessions());
	EXPECT_TRUE(net.kernel(kCmd).relays.empty());
	ASSERT_TRUE(net.maar(M1).session(mn_id(kMn)));
	EXPECT_EQ(net.maar(M1).session(mn_id(kMn))->state, maar::SessionState::serving);
}

// Home prefixes from two MAARs: both relayed, each to its own anchor; the
// return to MAAR2 re-points MAAR1 from the LMA to MAAR2.
TEST(InterDomain, TwoHomeAnchorsThenReturnElsewhere)
{
	Network net(two_domains());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle()) << net.dump();
	net.move(kMn, M2, M3);
	ASSERT_TRUE(net.settle()) << net.dump();
	expect_relayed(net, pref(M1), M1);
	expect_relayed(net, pref(M2), M2);
	EXPECT_EQ(net.kernel(M1).entry(pref(M1))->peer, kLma);
	EXPECT_EQ(net.kernel(M2).entry(pref(M2))->peer, kLma);
	// R116: one DLIF per home MAAR, each with that MAAR's identity.
	const InstallDlif *first = net.kernel(M3).dlif(kHomeDlif);
	const InstallDlif *second = net.kernel(M3).dlif(kSecondHomeDlif);
	ASSERT_NE(first, nullptr) << net.dump();
	ASSERT_NE(second, nullptr) << net.dump();
	EXPECT_EQ(first->prefixes, std::vector<Ipv6Prefix>{pref(M1)});
	EXPECT_EQ(second->prefixes, std::vector<Ipv6Prefix>{pref(M2)});
	EXPECT_EQ(first->identity, net.kernel(M1).dlif(dlif_name(1, 1))->identity);
	EXPECT_EQ(second->identity, net.kernel(M2).dlif(dlif_name(1, 2))->identity);
	EXPECT_EQ(first->anchoring_maar, Network::address(M1));
	EXPECT_EQ(net.kernel(M3).entry(pref(M2))->peer, kLma);

	net.move(kMn, M3, M1);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_TRUE(net.kernel(kCmd).relays.empty()) << net.dump();
	ASSERT_TRUE(net.kernel(M2).entry(pref(M2)));
	EXPECT_EQ(net.kernel(M2).entry(pref(M2))->peer, Network::address(M1));
	EXPECT_EQ(net.kernel(M1).entry(pref(M2))->peer, Network::address(M2));
	EXPECT_EQ(net.kernel(M1).entry(pref(M1)), nullptr);
}

// A node that never comes back: the visited MAAR ends its binding at the
// LMA, which ends the session at home (R81): the home prefix goes back to
// its pool and no relay is left.
TEST(InterDomain, VisitorThatStaysAwayIsCleanedUp)
{
	Network net(two_domains());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M3);
	ASSERT_TRUE(net.settle());
	// Refreshes keep everything while the node is there.
	net.run_for(net.maar_config(M3).timers.lifetime * 2);
	ASSERT_TRUE(net.settle()) << net.dump();
	expect_relayed(net, pref(M1), M1);
	EXPECT_GE(net.counter(M3, "refreshes"), 1u);

	net.detach(M3, kMn);
	net.run_for(net.maar_config(M3).timers.lifetime * 3);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_TRUE(net.kernel(kCmd).relays.empty()) << net.dump();
	EXPECT_EQ(net.cmd().binding_count(), 0u) << net.dump();
	EXPECT_EQ(net.maar(M1).session_count(), 0u) << net.dump();
	EXPECT_TRUE(net.kernel(M1).empty_of_sessions());
	EXPECT_TRUE(net.problems().empty()) << ::testing::PrintToString(net.problems());
}

// A visitor the home domain does not know: the LMA refuses (153), keeps
// nothing, and the visited MAAR serves the node with its own prefix only.
TEST(InterDomain, UnknownVisitorKeepsNothingAtTheLma)
{
	Network net(two_domains());
	net.attach(M3, kMn);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_EQ(net.cmd().binding_count(), 0u);
	EXPECT_EQ(net.counter(kCmd, "visited_unknown_node"), 1u);
	EXPECT_EQ(net.counter(M3, "discovery_misses"), 1u);
	const auto session = net.maar(M3).session(mn_id(kMn));
	ASSERT_TRUE(session);
	EXPECT_EQ(session->state, maar::SessionState::serving);
	EXPECT_TRUE(session->anchors.empty());
	EXPECT_EQ(net.kernel(M3).dlif(kHomeDlif), nullptr);
}

// A node of the partner's own realm is never sent to the home LMA, and
// the LMA refuses a PBU from a MAAR that is not a roaming partner.
TEST(InterDomain, OnlyVisitorsGoToTheLma)
{
	Network net(two_domains());
	const MacAddress local = mac("02:00:00:00:00:07");
	std::size_t mark = net.trace().size();
	net.attach(M3, local);
	ASSERT_TRUE(net.settle());
	EXPECT_TRUE(messages(net.sent_since(mark), M3, kCmd).empty());
	EXPECT_EQ(net.maar(M3).session(mac("02:00:00:00:00:07"))->mn.nai,
		  mn_id_from_mac(local, "partner.example").nai);

	mark = net.trace().size();
	net.inject_from(addr("2001:db8::99"), kCmd, make_pbu(1, kMn, pref(M3)));
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.counter(kCmd, "drop_unknown_peer"), 1u);
	EXPECT_TRUE(net.kernel(kCmd).relays.empty());
}

// The LMA may claim for its nodes only prefixes of the home blocks the
// visited MAAR is configured with.
TEST(InterDomain, LmaClaimsOnlyHomePrefixes)
{
	Network net(two_domains());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	std::size_t mark = net.trace().size();
	net.move(kMn, M1, M3);
	ASSERT_TRUE(net.settle()) << net.dump();
	const auto pbus = messages(net.sent_since(mark), M3, kCmd);
	ASSERT_FALSE(pbus.empty());
	const auto refused = net.counter(M3, "refused_claims");
	const mh::ProxyBindingAck answer = pba_of(messages(net.sent_since(mark), kCmd, M3).back());
	for (const char *foreign : {"2001:db8:9::/64", "2001:db8:3:5::/64", "2001:db8:1::/56"}) {
		mh::ProxyBindingAck pba = answer;
		pba.sequence = pbu_of(pbus.back()).sequence;
		pba.options.previous_maars.push_back(mh::PreviousMaar{Network::address(M1), pfx(foreign)});
		net.inject(kCmd, M3, pba);
		ASSERT_TRUE(net.settle());
		EXPECT_EQ(net.kernel(M3).entry(pfx(foreign)), nullptr) << foreign;
	}
	EXPECT_EQ(net.counter(M3, "refused_claims"), refused + 3);
	// No Local Prefix crosses domains.
	mh::ProxyBindingAck pba = answer;
	pba.sequence = pbu_of(pbus.back()).sequence;
	pba.options.local_prefixes.push_back(pfx("2001:db8:100::/56"));
	net.inject(kCmd, M3, pba);
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.counter(M3, "refused_claims"), refused + 4);
	EXPECT_EQ(net.kernel(M3).entry(pfx("2001:db8:100::/56")), nullptr);
	// The home prefix stays.
	ASSERT_TRUE(net.kernel(M3).entry(pref(M1)));
}

// The LMA restarts while relaying: the relays are re-issued from its
// state and the visit goes on.
TEST(InterDomain, LmaRestartKeepsTheRelay)
{
	Network net(two_domains());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M3);
	ASSERT_TRUE(net.settle());
	net.restart(kCmd);
	ASSERT_TRUE(net.problems().empty()) << ::testing::PrintToString(net.problems());
	expect_relayed(net, pref(M1), M1);
	EXPECT_EQ(net.cmd().relays().size(), 1u);
	net.move(kMn, M3, M1);
	ASSERT_TRUE(net.settle()) << net.dump();
	EXPECT_TRUE(net.kernel(kCmd).relays.empty()) << net.dump();
}

// Random moves between the two domains with loss: after every settle the
// LMA relays exactly the home prefixes of a node that is away, towards
// their anchors, and nothing when it is home.
TEST(InterDomain, RandomWalksWithLoss)
{
	for (std::uint64_t seed = 1; seed <= 20; ++seed) {
		SimOptions options = two_domains();
		options.seed = seed;
		Network net(options);
		for (NodeId a = kCmd; a <= M3; ++a)
			for (NodeId b = kCmd; b <= M3; ++b)
				if (a != b) {
					net.link(a, b).loss = 0.1;
					net.link(a, b).jitter = 20ms;
				}
		std::mt19937 random(static_cast<std::mt19937::result_type>(seed));
		NodeId at = M1;
		net.attach(M1, kMn);
		ASSERT_TRUE(net.settle()) << "seed " << seed << net.dump();
		for (int step = 0; step < 8; ++step) {
			NodeId next = at;
			while (next == at)
				next = static_cast<NodeId>(1 + random() % 3);
			net.move(kMn, at, next);
			at = next;
			ASSERT_TRUE(net.settle()) << "seed " << seed << net.dump();
			ASSERT_TRUE(net.problems().empty()) << "seed " << seed << ::testing::PrintToString(net.problems());
			const auto binding = net.cmd().binding(mn_id(kMn));
			ASSERT_TRUE(binding) << "seed " << seed << net.dump();
			if (at == M3) {
				EXPECT_EQ(binding->serving_maar, Network::address(M3)) << "seed " << seed;
				for (const auto &previous : binding->previous_maars)
					for (const auto &prefix : previous.prefixes) {
						const auto &relays = net.kernel(kCmd).relays;
						const auto it = relays.find(prefix.to_string());
						ASSERT_NE(it, relays.end()) << "seed " << seed << net.dump();
						EXPECT_EQ(it->second.anchor.remote, previous.maar) << "seed " << seed;
						ASSERT_TRUE(net.kernel(net.node_of(previous.maar)).entry(prefix));
						EXPECT_EQ(net.kernel(net.node_of(previous.maar)).entry(prefix)->peer, kLma)
							<< "seed " << seed << net.dump();
					}
			} else {
				EXPECT_TRUE(net.kernel(kCmd).relays.empty()) << "seed " << seed << net.dump();
			}
		}
	}
}

} // namespace
} // namespace dlif::sim
