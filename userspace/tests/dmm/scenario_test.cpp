// SPDX-License-Identifier: GPL-2.0
//
// The message sequences of requirements §4.1-§4.5, message by message,
// in each CMD mode, and the kernel state they leave at every node.
#include <gtest/gtest.h>

#include <algorithm>

#include "test_util.hpp"

namespace dlif::sim {
namespace {

using mh::BaFlag;
using mh::BuFlag;
using mh::HandoffIndicator;
using namespace std::chrono_literals;

std::string dlif(unsigned number, NodeId anchoring)
{
	return dlif_name(number, anchoring);
}

const mh::PreviousMaar previous(NodeId maar, const Ipv6Prefix &prefix)
{
	return mh::PreviousMaar{Network::address(maar), prefix};
}

struct Expected {
	NodeId from;
	NodeId to;
	bool pbu;
};

void expect_sequence(const std::vector<Wire> &wires, const std::vector<Expected> &expected)
{
	ASSERT_EQ(wires.size(), expected.size()) << describe(wires);
	for (std::size_t i = 0; i < wires.size(); ++i) {
		EXPECT_EQ(wires[i].from, expected[i].from) << "message " << i << "\n" << describe(wires);
		EXPECT_EQ(wires[i].to, expected[i].to) << "message " << i << "\n" << describe(wires);
		EXPECT_EQ(is_pbu(wires[i]), expected[i].pbu) << "message " << i << "\n" << describe(wires);
	}
}

class ModeTest : public ::testing::TestWithParam<CmdMode> {
protected:
	SimOptions options()
	{
		SimOptions o;
		o.mode = GetParam();
		o.check_snapshots = true;
		o.local_prefixes = {{pfx("2001:db8:100::/56")}, {}, {pfx("2001:db8:300::/56")}};
		return o;
	}
};

// §4.1: initial registration, the same in every mode.
TEST_P(ModeTest, InitialRegistration)
{
	Network net(options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	const auto wires = net.sent_since(0);
	expect_sequence(wires, {{M1, kCmd, true}, {kCmd, M1, false}});

	const auto &pbu = pbu_of(wires[0]);
	EXPECT_TRUE(pbu.flags.has(BuFlag::Acknowledge));
	EXPECT_TRUE(pbu.flags.has(BuFlag::ProxyRegistration));
	EXPECT_TRUE(pbu.flags.has(BuFlag::Dmm));
	EXPECT_EQ(pbu.options.mobile_node_identifier->text(), mn_id(kMn).nai);
	ASSERT_EQ(pbu.options.home_network_prefixes.size(), 1u);
	EXPECT_EQ(pbu.options.home_network_prefixes[0], pref(M1));
	EXPECT_EQ(pbu.options.handoff_indicator, HandoffIndicator::HandoffStateUnknown);
	EXPECT_TRUE(pbu.options.access_technology_type.has_value());
	EXPECT_FALSE(pbu.options.timestamp.has_value());
	// A9: its own DLIF's identity and its Local Prefixes.
	const DlifIdentity identity = derive_dlif_identity(Network::address(M1), mn_id(kMn));
	EXPECT_EQ(pbu.options.dlif_link_local_address, identity.link_local);
	EXPECT_EQ(mac_from_link_layer(*pbu.options.dlif_link_layer_address), identity.mac);
	ASSERT_EQ(pbu.options.local_prefixes.size(), 1u);
	EXPECT_EQ(pbu.options.local_prefixes[0], pfx("2001:db8:100::/56"));
	EXPECT_EQ(mac_from_link_layer(*pbu.options.mobile_node_link_layer_identifier), kMn);

	const auto &pba = pba_of(wires[1]);
	EXPECT_EQ(pba.status, mh::Status::Accepted);
	EXPECT_TRUE(pba.flags.has(BaFlag::ProxyRegistration));
	EXPECT_TRUE(pba.flags.has(BaFlag::Dmm));	// A3
	EXPECT_EQ(pba.sequence, pbu.sequence);
	EXPECT_LE(pba.lifetime, pbu.lifetime);
	EXPECT_EQ(pba.options.home_network_prefixes[0], pref(M1));
	EXPECT_TRUE(pba.options.previous_maars.empty());	// R44

	// CMD binding.
	const auto binding = net.cmd().binding(mn_id(kMn));
	ASSERT_TRUE(binding);
	EXPECT_EQ(binding->serving_maar, Network::address(M1));
	EXPECT_EQ(binding->prefixes, std::vector<Ipv6Prefix>{pref(M1)});
	EXPECT_TRUE(binding->previous_maars.empty());

	// MAAR1: its DLIF mn1mar1 with the node's identity, the prefix with
	// normal lifetimes, no tunnel entry (plain routing).
	const Kernel &k1 = net.kernel(M1);
	ASSERT_EQ(k1.dlifs.size(), 1u);
	const InstallDlif *own = k1.dlif(dlif(1, M1));
	ASSERT_TRUE(own);
	EXPECT_EQ(own->identity, identity);
	EXPECT_EQ(own->mn, kMn);
	EXPECT_EQ(own->lower, "wlan0");
	EXPECT_TRUE(own->advertise);
	EXPECT_EQ(own->prefixes, std::vector<Ipv6Prefix>{pref(M1)});
	ASSERT_EQ(own->ra.prefixes.size(), 1u);
	EXPECT_GT(own->ra.prefixes[0].preferred_lifetime, Duration::zero());
	EXPECT_GT(own->ra.prefixes[0].valid_lifetime, Duration::zero());
	EXPECT_GT(own->ra.router_lifetime, Duration::zero());
	EXPECT_EQ(k1.entry(pref(M1)), nullptr);
	EXPECT_EQ(std::count(k1.advertised.begin(), k1.advertised.end(), dlif(1, M1)), 1);
	EXPECT_TRUE(net.invariant_violations().empty()) << ::testing::PrintToString(net.invariant_violations());
}

// The MAAR times each registration (dlifctl counters' "latency"): in the
// network's time, 5 ms a hop, each takes at least one round trip.
TEST_P(ModeTest, RegistrationsAreTimed)
{
	Network net(options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	const auto &first = net.maar(M1).latencies();
	EXPECT_EQ(first.attach_to_registered.count(), 1u);
	EXPECT_EQ(first.pbu_to_pba.count(), 1u);
	EXPECT_GE(first.attach_to_registered.percentile(1.0), 10ms);
	EXPECT_LT(first.attach_to_registered.percentile(1.0), 12ms);

	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	const auto &second = net.maar(M2).latencies();
	EXPECT_EQ(second.attach_to_registered.count(), 1u);
	EXPECT_EQ(second.pbu_to_pba.count(), 1u);
	EXPECT_GE(second.attach_to_registered.percentile(1.0), 10ms);
	EXPECT_GE(second.pbu_to_pba.percentile(1.0), 10ms);
	EXPECT_GE(second.attach_to_registered.percentile(1.0), second.pbu_to_pba.percentile(1.0));
	// A refresh is no attachment.
	EXPECT_EQ(net.maar(M1).latencies().attach_to_registered.count(), 1u);
}

// The DLIF exists from the attachment, silent until the PBA (A34).
TEST_P(ModeTest, NoRouterAdvertisementBeforeThePba)
{
	Network net(options());
	net.link(kCmd, M1).delay = Duration(100);
	net.attach(M1, kMn);
	net.run_for(Duration(50));
	const InstallDlif *own = net.kernel(M1).dlif(dlif(1, M1));
	ASSERT_TRUE(own);
	EXPECT_FALSE(own->advertise);
	EXPECT_TRUE(net.kernel(M1).advertised.empty());
	net.run_for(Duration(100));
	EXPECT_TRUE(net.kernel(M1).dlif(dlif(1, M1))->advertise);
}

// Kernel state of a node served at `serving` after visiting `anchors`.
void expect_served(Network &net, const MacAddress &mn, NodeId serving, unsigned number,
		   const std::vector<std::pair<NodeId, Ipv6Prefix>> &anchors, const Ipv6Prefix &own_prefix)
{
	const Kernel &k = net.kernel(serving);
	const MnId id = mn_id(mn);
	const InstallDlif *own = k.dlif(dlif(number, serving));
	ASSERT_TRUE(own) << "own DLIF at MAAR" << serving;
	EXPECT_EQ(own->identity, derive_dlif_identity(Network::address(serving), id));
	EXPECT_EQ(own->prefixes, std::vector<Ipv6Prefix>{own_prefix});
	EXPECT_GT(own->ra.prefixes.at(0).preferred_lifetime, Duration::zero());
	EXPECT_EQ(k.entry(own_prefix), nullptr);
	for (const auto &[anchor, prefix] : anchors) {
		const InstallDlif *mirrored = k.dlif(dlif(number, anchor));
		ASSERT_TRUE(mirrored) << "mirrored DLIF for MAAR" << anchor << " at MAAR" << serving;
		// The same identity the anchoring MAAR showed the node.
		EXPECT_EQ(mirrored->identity, derive_dlif_identity(Network::address(anchor), id));
		EXPECT_EQ(mirrored->anchoring_maar, Network::address(anchor));
		EXPECT_EQ(mirrored->prefixes, std::vector<Ipv6Prefix>{prefix});
		EXPECT_TRUE(mirrored->advertise);
		ASSERT_EQ(mirrored->ra.prefixes.size(), 1u);
		EXPECT_EQ(mirrored->ra.prefixes[0].preferred_lifetime, Duration::zero());	// A18
		EXPECT_GT(mirrored->ra.prefixes[0].valid_lifetime, Duration::zero());
		EXPECT_GT(mirrored->ra.router_lifetime, Duration::zero());
		const InstallEntry *entry = k.entry(prefix);
		ASSERT_TRUE(entry);
		EXPECT_EQ(entry->role, TunnelRole::serving);
		EXPECT_EQ(entry->peer, Network::address(anchor));
		EXPECT_EQ(entry->dlif, dlif(number, anchor));
		// And the anchoring MAAR tunnels it here.
		const InstallEntry *back = net.kernel(anchor).entry(prefix);
		ASSERT_TRUE(back);
		EXPECT_EQ(back->role, TunnelRole::anchor);
		EXPECT_EQ(back->peer, Network::address(serving));
	}
	const auto of_node = std::count_if(k.dlifs.begin(), k.dlifs.end(),
					   [&](const auto &item) { return item.second.mn == mn; });
	EXPECT_EQ(static_cast<std::size_t>(of_node), anchors.size() + 1) << "no other DLIF for the node";
}

// §4.2/§4.3/§4.4: MAAR1 -> MAAR2 -> MAAR3, message by message.
TEST_P(ModeTest, HandoverSequences)
{
	const CmdMode mode = GetParam();
	Network net(options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());

	// ---- MAAR1 -> MAAR2
	std::size_t mark = net.trace().size();
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	auto wires = net.sent_since(mark);
	switch (mode) {
	case CmdMode::relay:
		// PBU M2->C, PBU* C->M1, PBA* M1->C, PBA* C->M2.
		expect_sequence(wires, {{M2, kCmd, true}, {kCmd, M1, true}, {M1, kCmd, false}, {kCmd, M2, false}});
		break;
	case CmdMode::locator:
		// PBU M2->C, PBU* C->M1, PBA M1->M2 (6a), PBA* M1->C (6b); no PBA
		// C->M2 answers the PBU. Then (dlifd's addition, A11) MAAR2's
		// early refresh checks it heard from every previous MAAR.
		expect_sequence(wires, {{M2, kCmd, true},
					{kCmd, M1, true},
					{M1, M2, false},
					{M1, kCmd, false},
					{M2, kCmd, true},
					{kCmd, M2, false}});
		EXPECT_EQ(pbu_of(wires[4]).options.handoff_indicator, HandoffIndicator::HandoffStateNotChanged);
		// One retransmission timeout after the direct PBA arrived (5 ms).
		EXPECT_EQ(wires[4].sent - wires[2].sent, Duration(1505));
		ASSERT_EQ(pba_of(wires[5]).options.previous_maars.size(), 1u);
		break;
	case CmdMode::proxy:
		// PBU M2->C, then at once PBA* C->M2 and PBU* C->M1, then PBA* M1->C.
		expect_sequence(wires, {{M2, kCmd, true}, {kCmd, M2, false}, {kCmd, M1, true}, {M1, kCmd, false}});
		break;
	}
	const auto find = [&](NodeId from, NodeId to, bool pbu) -> const Wire & {
		for (const auto &wire : wires)
			if (wire.from == from && wire.to == to && is_pbu(wire) == pbu)
				return wire;
		ADD_FAILURE() << "no such message";
		return wires.front();
	};
	const auto &plain = pbu_of(find(M2, kCmd, true));
	EXPECT_TRUE(plain.flags.has(BuFlag::Dmm));
	EXPECT_EQ(plain.options.home_network_prefixes[0], pref(M2));
	EXPECT_FALSE(plain.options.serving_maar);
	EXPECT_TRUE(plain.options.previous_maars.empty());

	const auto &forwarded = pbu_of(find(kCmd, M1, true));
	EXPECT_TRUE(forwarded.flags.has(BuFlag::Dmm));	// A3
	EXPECT_EQ(forwarded.options.serving_maar, Network::address(M2));
	EXPECT_EQ(forwarded.options.home_network_prefixes[0], pref(M1));	// A10
	EXPECT_EQ(forwarded.options.mobile_node_identifier->text(), mn_id(kMn).nai);
	if (mode == CmdMode::locator) {
		EXPECT_EQ(forwarded.sequence, plain.sequence);	// A10
	}

	const auto &answer = pba_of(find(M1, kCmd, false));
	EXPECT_EQ(answer.status, mh::Status::Accepted);
	EXPECT_TRUE(answer.flags.has(BaFlag::Dmm));
	EXPECT_EQ(answer.sequence, forwarded.sequence);
	EXPECT_EQ(answer.options.serving_maar, Network::address(M2));
	EXPECT_EQ(answer.options.home_network_prefixes[0], pref(M1));
	EXPECT_EQ(answer.options.local_prefixes.size(), 1u);
	EXPECT_TRUE(answer.options.dlif_link_local_address);

	if (mode == CmdMode::locator) {
		const auto &direct = pba_of(find(M1, M2, false));
		EXPECT_EQ(direct.sequence, plain.sequence);
		EXPECT_EQ(direct.options.home_network_prefixes[0], pref(M1));
		EXPECT_FALSE(direct.options.serving_maar);
		EXPECT_TRUE(direct.options.previous_maars.empty());	// "no new options"
	} else {
		const auto &aggregated = pba_of(find(kCmd, M2, false));
		EXPECT_EQ(aggregated.sequence, plain.sequence);
		EXPECT_EQ(aggregated.options.home_network_prefixes[0], pref(M2));
		ASSERT_EQ(aggregated.options.previous_maars.size(), 1u);
		EXPECT_EQ(aggregated.options.previous_maars[0], previous(M1, pref(M1)));
		// One previous MAAR: its details ride along (A9).
		EXPECT_EQ(aggregated.options.dlif_link_local_address,
			  derive_dlif_identity(Network::address(M1), mn_id(kMn)).link_local);
		ASSERT_EQ(aggregated.options.local_prefixes.size(), 1u);
		EXPECT_EQ(aggregated.options.local_prefixes[0], pfx("2001:db8:100::/56"));
	}

	auto binding = net.cmd().binding(mn_id(kMn));
	ASSERT_TRUE(binding);
	EXPECT_EQ(binding->serving_maar, Network::address(M2));
	EXPECT_EQ(binding->prefixes, std::vector<Ipv6Prefix>{pref(M2)});
	ASSERT_EQ(binding->previous_maars.size(), 1u);
	EXPECT_EQ(binding->previous_maars[0].maar, Network::address(M1));
	EXPECT_TRUE(binding->previous_maars[0].confirmed);

	expect_served(net, kMn, M2, 1, {{M1, pref(M1)}}, pref(M2));
	// The mirrored DLIF carries the Local Prefix of MAAR1 as an RIO, and
	// MAAR2 tunnels that local network to MAAR1.
	const InstallDlif *mirrored = net.kernel(M2).dlif(dlif(1, M1));
	ASSERT_TRUE(mirrored);
	ASSERT_EQ(mirrored->ra.routes.size(), 1u);
	EXPECT_EQ(mirrored->ra.routes[0].prefix, pfx("2001:db8:100::/56"));
	const InstallEntry *local_net = net.kernel(M2).entry(pfx("2001:db8:100::/56"));
	ASSERT_TRUE(local_net);
	EXPECT_EQ(local_net->role, TunnelRole::local_net);
	EXPECT_EQ(local_net->peer, Network::address(M1));
	// MAAR1 keeps the node's DLIF and route, silent, and tunnels the prefix.
	const InstallDlif *kept = net.kernel(M1).dlif(dlif(1, M1));
	ASSERT_TRUE(kept);
	EXPECT_FALSE(kept->advertise);
	EXPECT_EQ(net.kernel(M1).entry(pref(M1))->dlif, dlif(1, M1));
	EXPECT_EQ(net.kernel(M1).entry(pfx("2001:db8:100::/56"))->role, TunnelRole::local_export);
	EXPECT_TRUE(net.invariant_violations().empty()) << ::testing::PrintToString(net.invariant_violations());

	// ---- MAAR2 -> MAAR3: copies to both previous MAARs.
	mark = net.trace().size();
	net.move(kMn, M2, M3);
	ASSERT_TRUE(net.settle());
	wires = net.sent_since(mark);
	switch (mode) {
	case CmdMode::relay:
		expect_sequence(wires, {{M3, kCmd, true},
					{kCmd, M2, true},
					{kCmd, M1, true},
					{M2, kCmd, false},
					{M1, kCmd, false},
					{kCmd, M3, false},	// aggregated
					{kCmd, M3, false}});	// MAAR1's details (its Local Prefix)
		break;
	case CmdMode::locator:
		expect_sequence(wires, {{M3, kCmd, true},
					{kCmd, M2, true},
					{kCmd, M1, true},
					{M2, M3, false},
					{M2, kCmd, false},
					{M1, M3, false},
					{M1, kCmd, false},
					{M3, kCmd, true},	// the early refresh
					{kCmd, M3, false}});
		break;
	case CmdMode::proxy:
		expect_sequence(wires, {{M3, kCmd, true},
					{kCmd, M3, false},
					{kCmd, M3, false},
					{kCmd, M2, true},
					{kCmd, M1, true},
					{M2, kCmd, false},
					{M1, kCmd, false}});
		break;
	}
	if (mode != CmdMode::locator) {
		std::vector<const Wire *> to_serving;
		for (const auto &wire : wires)
			if (wire.from == kCmd && wire.to == M3)
				to_serving.push_back(&wire);
		ASSERT_EQ(to_serving.size(), 2u);
		const auto &aggregated = pba_of(*to_serving[0]).options;
		// §4.2 step 14: one PBA naming both, newest first; its DLIF and
		// Local Prefix options describe the first (MAAR2: no local
		// network).
		ASSERT_EQ(aggregated.previous_maars.size(), 2u);
		EXPECT_EQ(aggregated.previous_maars[0], previous(M2, pref(M2)));
		EXPECT_EQ(aggregated.previous_maars[1], previous(M1, pref(M1)));
		EXPECT_EQ(aggregated.dlif_link_local_address,
			  derive_dlif_identity(Network::address(M2), mn_id(kMn)).link_local);
		EXPECT_TRUE(aggregated.local_prefixes.empty());
		// Then MAAR1's details, MAAR1 first, the list still complete.
		const auto &details = pba_of(*to_serving[1]).options;
		ASSERT_EQ(details.previous_maars.size(), 2u);
		EXPECT_EQ(details.previous_maars[0], previous(M1, pref(M1)));
		EXPECT_EQ(details.previous_maars[1], previous(M2, pref(M2)));
		EXPECT_EQ(details.dlif_link_local_address,
			  derive_dlif_identity(Network::address(M1), mn_id(kMn)).link_local);
		ASSERT_EQ(details.local_prefixes.size(), 1u);
		EXPECT_EQ(details.local_prefixes[0], pfx("2001:db8:100::/56"));
	}
	for (const auto &wire : wires) {
		if (wire.to == M2 && is_pbu(wire)) {
			EXPECT_EQ(pbu_of(wire).options.serving_maar, Network::address(M3));
		}
	}

	binding = net.cmd().binding(mn_id(kMn));
	ASSERT_EQ(binding->previous_maars.size(), 2u);
	EXPECT_EQ(binding->previous_maars[0].maar, Network::address(M2));
	EXPECT_EQ(binding->previous_maars[1].maar, Network::address(M1));
	expect_served(net, kMn, M3, 1, {{M1, pref(M1)}, {M2, pref(M2)}}, pref(M3));
	// No MAAR1-MAAR2 tunnel remains (R73): MAAR2 dropped its MAAR list.
	EXPECT_EQ(net.kernel(M2).entry(pref(M1)), nullptr);
	EXPECT_EQ(net.kernel(M2).dlif(dlif(1, M1)), nullptr);
	EXPECT_EQ(net.kernel(M1).entry(pref(M1))->peer, Network::address(M3));
	EXPECT_EQ(net.kernel(M2).entry(pref(M2))->peer, Network::address(M3));
	// MAAR3 reaches MAAR1's local network through MAAR1.
	EXPECT_EQ(net.kernel(M3).entry(pfx("2001:db8:100::/56"))->role, TunnelRole::local_net);
	EXPECT_EQ(net.kernel(M3).dlif(dlif(1, M1))->ra.routes.size(), 1u);
	EXPECT_EQ(net.kernel(M2).entry(pfx("2001:db8:100::/56")), nullptr);
	EXPECT_TRUE(net.invariant_violations().empty()) << ::testing::PrintToString(net.invariant_violations());
}

// A17: back to MAAR1 after MAAR2 and MAAR3.
TEST_P(ModeTest, ReturnToTheFirstMaar)
{
	Network net(options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M2, M3);
	ASSERT_TRUE(net.settle());

	const std::size_t mark = net.trace().size();
	net.move(kMn, M3, M1);
	// At once, before any answer: the prefix anchored at MAAR1 is local again.
	EXPECT_EQ(net.kernel(M1).entry(pref(M1)), nullptr);
	ASSERT_TRUE(net.settle());
	const auto wires = net.sent_since(mark);
	// MAAR1 never gets a Serving-MAAR PBU about itself.
	for (const auto &wire : wires)
		if (wire.to == M1 && is_pbu(wire))
			ADD_FAILURE() << "PBU to the returning MAAR: " << describe({wire});
	const auto &pbu = pbu_of(wires.front());
	EXPECT_EQ(wires.front().from, M1);
	EXPECT_EQ(pbu.options.handoff_indicator, HandoffIndicator::HandoffBetweenMags);
	EXPECT_EQ(pbu.options.home_network_prefixes[0], pref(M1));	// reused

	const auto binding = net.cmd().binding(mn_id(kMn));
	ASSERT_TRUE(binding);
	EXPECT_EQ(binding->serving_maar, Network::address(M1));
	EXPECT_EQ(binding->prefixes, std::vector<Ipv6Prefix>{pref(M1)});
	ASSERT_EQ(binding->previous_maars.size(), 2u);
	EXPECT_EQ(binding->previous_maars[0].maar, Network::address(M3));
	EXPECT_EQ(binding->previous_maars[1].maar, Network::address(M2));
	expect_served(net, kMn, M1, 1, {{M2, pref(M2)}, {M3, pref(M3)}}, pref(M1));
	EXPECT_TRUE(net.kernel(M1).dlif(dlif(1, M1))->advertise);
	EXPECT_EQ(net.counter(M1, "returns"), 1u);
	EXPECT_EQ(net.counter(kCmd, "returns"), 1u);
	EXPECT_TRUE(net.invariant_violations().empty()) << ::testing::PrintToString(net.invariant_violations());
}

// Two nodes roaming at once, in opposite directions.
TEST_P(ModeTest, TwoNodesRoaming)
{
	Network net(options());
	net.attach(M1, kMn);
	net.attach(M3, kMn2);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	net.move(kMn2, M3, M2);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M2, M3);
	net.move(kMn2, M2, M1);
	ASSERT_TRUE(net.settle());
	EXPECT_TRUE(net.invariant_violations().empty()) << ::testing::PrintToString(net.invariant_violations());
	// MN1 is MAAR3's second node (MN2 was its first).
	expect_served(net, kMn, M3, 2, {{M1, pref(M1)}, {M2, pref(M2, 0)}}, pref(M3, 1));
	expect_served(net, kMn2, M1, 2, {{M3, pref(M3, 0)}, {M2, pref(M2, 1)}}, pref(M1, 1));
}

// A local network claimed through two previous MAARs: one entry at the
// serving MAAR, to the MAAR of the node that registered there first; when
// that node leaves, the entry turns to the other claimant, and it goes with
// the last one. (MaarCore re-decides only the prefixes an event touched.)
TEST_P(ModeTest, SharedLocalNetworkPassesToTheNextClaimant)
{
	SimOptions o = options();
	o.local_prefixes = {{pfx("2001:db8:100::/56")}, {}, {pfx("2001:db8:100::/56")}};
	Network net(o);
	const Ipv6Prefix shared = pfx("2001:db8:100::/56");
	net.attach(M1, kMn);
	net.attach(M3, kMn2);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	net.move(kMn2, M3, M2);
	ASSERT_TRUE(net.settle());
	const InstallEntry *entry = net.kernel(M2).entry(shared);
	ASSERT_TRUE(entry);
	EXPECT_EQ(entry->role, TunnelRole::local_net);
	EXPECT_EQ(entry->peer, Network::address(M1));

	net.move(kMn, M2, M1);
	ASSERT_TRUE(net.settle());
	entry = net.kernel(M2).entry(shared);
	ASSERT_TRUE(entry);
	EXPECT_EQ(entry->peer, Network::address(M3));
	const auto &installed = net.maar(M2).kernel_state().entries;
	EXPECT_EQ(std::count_if(installed.begin(), installed.end(),
				[&](const InstallEntry &e) { return e.prefix == shared; }),
		  1);

	net.move(kMn2, M2, M1);
	ASSERT_TRUE(net.settle());
	EXPECT_FALSE(net.kernel(M2).entry(shared));
	EXPECT_TRUE(net.kernel(M2).problems.empty()) << ::testing::PrintToString(net.kernel(M2).problems);
}

// Refresh over several lifetimes: the state does not change, only
// HI=5 PBUs from the serving MAAR and their PBAs go on the wire.
TEST_P(ModeTest, RefreshOverSeveralLifetimes)
{
	Network net(options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	const auto kernels = std::vector<Kernel>{net.kernel(M1), net.kernel(M2), net.kernel(M3)};
	const std::size_t mark = net.trace().size();
	net.run_for(std::chrono::seconds(400 * 4));
	const auto wires = net.sent_since(mark);
	ASSERT_GE(wires.size(), 8u);
	for (const auto &wire : wires) {
		if (is_pbu(wire)) {
			EXPECT_EQ(wire.from, M2);
			EXPECT_EQ(pbu_of(wire).options.handoff_indicator, HandoffIndicator::HandoffStateNotChanged);
		} else {
			EXPECT_EQ(wire.to, M2);
			// Every PBA to the serving MAAR lists its previous MAARs.
			ASSERT_EQ(pba_of(wire).options.previous_maars.size(), 1u);
			EXPECT_EQ(pba_of(wire).options.previous_maars[0], previous(M1, pref(M1)));
		}
	}
	EXPECT_EQ(net.kernel(M1).dlifs, kernels[0].dlifs);
	EXPECT_EQ(net.kernel(M1).entries, kernels[0].entries);
	EXPECT_EQ(net.kernel(M2).dlifs, kernels[1].dlifs);
	EXPECT_EQ(net.kernel(M2).entries, kernels[1].entries);
	EXPECT_TRUE(net.cmd().binding(mn_id(kMn)).has_value());
	EXPECT_GE(net.counter(kCmd, "refreshes"), 4u);
	EXPECT_TRUE(net.invariant_violations().empty()) << ::testing::PrintToString(net.invariant_violations());
}

// The CMD serialises handovers of a node (A37): a second move while the
// first is in progress waits, then runs; the end state is consistent.
TEST_P(ModeTest, HandoverDuringHandover)
{
	Network net(options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.link(kCmd, M1).delay = Duration(300);	// slow previous MAAR
	net.move(kMn, M1, M2);
	net.run_for(Duration(20));
	net.move(kMn, M2, M3);
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.counter(kCmd, "queued_handovers"), 1u);
	EXPECT_EQ(net.counter(kCmd, "handovers"), 2u);
	const auto binding = net.cmd().binding(mn_id(kMn));
	EXPECT_EQ(binding->serving_maar, Network::address(M3));
	expect_served(net, kMn, M3, 1, {{M1, pref(M1)}, {M2, pref(M2)}}, pref(M3));
	EXPECT_TRUE(net.invariant_violations().empty()) << ::testing::PrintToString(net.invariant_violations());
}

// The node comes back to MAAR1 while the CMD still processes its move to
// MAAR2: MAAR1's registration waits at the CMD, MAAR1 keeps delivering
// natively, and the return wins.
TEST_P(ModeTest, QuickReturnDuringHandover)
{
	Network net(options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	net.link(kCmd, M1).delay = Duration(300);
	net.move(kMn, M2, M3);
	net.run_for(Duration(20));
	net.move(kMn, M3, M1);
	ASSERT_TRUE(net.settle());
	const auto binding = net.cmd().binding(mn_id(kMn));
	EXPECT_EQ(binding->serving_maar, Network::address(M1));
	expect_served(net, kMn, M1, 1, {{M2, pref(M2)}, {M3, pref(M3)}}, pref(M1));
	EXPECT_TRUE(net.invariant_violations().empty()) << ::testing::PrintToString(net.invariant_violations());
}

// A detach followed by an attachment at the same MAAR resumes the session.
TEST_P(ModeTest, ReattachBeforeExpiryResumes)
{
	Network net(options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.detach(M1, kMn);
	EXPECT_FALSE(net.kernel(M1).dlif(dlif(1, M1))->advertise);
	net.run_for(std::chrono::seconds(300));
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	EXPECT_TRUE(net.kernel(M1).dlif(dlif(1, M1))->advertise);
	net.run_for(std::chrono::seconds(1200));
	EXPECT_TRUE(net.cmd().binding(mn_id(kMn)).has_value());
	EXPECT_EQ(net.maar(M1).session(kMn)->state, maar::SessionState::serving);
	EXPECT_EQ(net.kernel(M1).dlif(dlif(1, M1))->prefixes, std::vector<Ipv6Prefix>{pref(M1)});
}

INSTANTIATE_TEST_SUITE_P(Modes, ModeTest, ::testing::Values(CmdMode::relay, CmdMode::locator, CmdMode::proxy),
			 [](const ::testing::TestParamInfo<CmdMode> &mode) { return std::string(dmm::json::name(mode.param)); });

// ------------------------------------------------------ de-registration

class DeregistrationTest : public ::testing::TestWithParam<std::tuple<CmdMode, Deregistration>> {
protected:
	SimOptions options()
	{
		SimOptions o;
		o.mode = std::get<0>(GetParam());
		o.deregistration = std::get<1>(GetParam());
		o.check_snapshots = true;
		return o;
	}
	static void expect_empty(Network &net)
	{
		EXPECT_EQ(net.cmd().binding_count(), 0u);
		for (NodeId node = 1; node <= kMaars; ++node) {
			EXPECT_EQ(net.maar(node).session_count(), 0u) << "MAAR" << node;
			EXPECT_TRUE(net.kernel(node).empty_of_sessions()) << "MAAR" << node;
		}
		EXPECT_TRUE(net.problems().empty()) << ::testing::PrintToString(net.problems());
	}
};

// §4.5: the node leaves the domain; no layer-2 trigger de-registers
// (R82); the serving MAAR de-registers when the lifetime runs out and the
// CMD cleans the previous MAARs up (R86, A15).
TEST_P(DeregistrationTest, NodeLeavesTheDomain)
{
	Network net(options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M2, M3);
	ASSERT_TRUE(net.settle());
	const std::size_t mark = net.trace().size();
	net.detach(M3, kMn);
	// Nothing on the wire because of the detachment.
	net.run_for(std::chrono::seconds(60));
	EXPECT_EQ(net.trace().size(), mark);
	EXPECT_TRUE(net.cmd().binding(mn_id(kMn)).has_value());
	net.run_for(std::chrono::seconds(400));
	expect_empty(net);

	const auto wires = net.sent_since(mark);
	bool serving_deregistered = false;
	for (const auto &wire : wires) {
		if (!is_pbu(wire) || !pbu_of(wire).lifetime.is_deregistration())
			continue;
		if (wire.from == M3)
			serving_deregistered = true;
		if (std::get<1>(GetParam()) == Deregistration::a) {
			// R81/R83: a previous MAAR never de-registers in A.
			EXPECT_TRUE(wire.from == M3 || wire.from == kCmd) << describe({wire});
		}
	}
	EXPECT_TRUE(serving_deregistered);
	if (std::get<1>(GetParam()) == Deregistration::a) {
		expect_sequence(wires, {{M3, kCmd, true},
					{kCmd, M3, false},
					{kCmd, M2, true},
					{kCmd, M1, true},
					{M2, kCmd, false},
					{M1, kCmd, false}});
		EXPECT_TRUE(pba_of(wires[1]).lifetime.is_deregistration());
		EXPECT_TRUE(pbu_of(wires[2]).lifetime.is_deregistration());
		EXPECT_FALSE(pbu_of(wires[2]).options.serving_maar.has_value());
	}
}

// Alternative B while the node stays attached: previous MAARs ask on
// expiry and the CMD renews them (never lifetime 0 while the node is in
// the domain); the state stays.
TEST_P(DeregistrationTest, PreviousMaarsWhileTheNodeStays)
{
	Network net(options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	const Kernel before = net.kernel(M1);
	const std::size_t mark = net.trace().size();
	net.run_for(std::chrono::seconds(1300));
	unsigned asked = 0;
	for (const auto &wire : net.sent_since(mark)) {
		if (wire.from == M1 && is_pbu(wire)) {
			EXPECT_TRUE(pbu_of(wire).lifetime.is_deregistration());
			++asked;
		}
		if (wire.to == M1 && is_pba(wire)) {
			EXPECT_FALSE(pba_of(wire).lifetime.is_deregistration()) << describe({wire});
		}
	}
	if (std::get<1>(GetParam()) == Deregistration::a)
		EXPECT_EQ(asked, 0u);
	else
		EXPECT_GE(asked, 2u);
	EXPECT_EQ(net.kernel(M1).entries, before.entries);
	EXPECT_EQ(net.maar(M1).session(kMn)->state, maar::SessionState::anchor);
	EXPECT_TRUE(net.invariant_violations().empty()) << ::testing::PrintToString(net.invariant_violations());
	net.detach(M2, kMn);
	net.run_for(std::chrono::seconds(500));
	expect_empty(net);
}

// The serving MAAR disappears: the CMD's binding expires and the CMD
// cleans the previous MAARs up.
TEST_P(DeregistrationTest, BindingExpiresAtTheCmd)
{
	Network net(options());
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	net.set_down(M2, true);
	net.run_for(std::chrono::seconds(600));
	EXPECT_EQ(net.cmd().binding_count(), 0u);
	EXPECT_EQ(net.maar(M1).session_count(), 0u);
	EXPECT_TRUE(net.kernel(M1).empty_of_sessions());
	EXPECT_GE(net.counter(kCmd, "expirations"), 1u);
	net.run_for(std::chrono::seconds(600));
	expect_empty(net);
}

INSTANTIATE_TEST_SUITE_P(Alternatives, DeregistrationTest,
			 ::testing::Combine(::testing::Values(CmdMode::relay, CmdMode::locator, CmdMode::proxy),
					    ::testing::Values(Deregistration::a, Deregistration::b)),
			 [](const ::testing::TestParamInfo<std::tuple<CmdMode, Deregistration>> &param) {
				 return std::string(dmm::json::name(std::get<0>(param.param))) + "_" +
					std::string(dmm::json::name(std::get<1>(param.param)));
			 });

// ------------------------------------------------------------ variants

// R58/A13: the relay PBA leaves after the timeout instead of waiting for
// a slow previous MAAR. It lists that previous MAAR all the same (every
// PBA to a serving MAAR is complete, as any can be lost); a later PBA with
// the same sequence number carries its details when it answers.
TEST(RelayTimeout, LatePreviousMaarIsPassedOn)
{
	SimOptions o;
	o.mode = CmdMode::relay;
	o.relay_timeout = Duration(200);
	o.check_snapshots = true;
	o.local_prefixes = {{pfx("2001:db8:100::/56")}, {}, {}};
	Network net(o);
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.link(kCmd, M1).delay = Duration(600);
	const std::size_t mark = net.trace().size();
	net.move(kMn, M1, M2);
	net.run_for(Duration(250));
	auto wires = net.sent_since(mark);
	expect_sequence(wires, {{M2, kCmd, true}, {kCmd, M1, true}, {kCmd, M2, false}});
	ASSERT_EQ(pba_of(wires[2]).options.previous_maars.size(), 1u);
	EXPECT_EQ(net.maar(M2).session(kMn)->state, maar::SessionState::serving);
	ASSERT_TRUE(net.kernel(M2).dlif(dlif(1, M1)));
	ASSERT_TRUE(net.settle());
	wires = net.sent_since(mark);
	expect_sequence(wires, {{M2, kCmd, true}, {kCmd, M1, true}, {kCmd, M2, false}, {M1, kCmd, false}, {kCmd, M2, false}});
	EXPECT_EQ(pba_of(wires[4]).sequence, pba_of(wires[2]).sequence);
	ASSERT_EQ(pba_of(wires[4]).options.previous_maars.size(), 1u);
	EXPECT_EQ(pba_of(wires[4]).options.local_prefixes.size(), 1u);
	expect_served(net, kMn, M2, 1, {{M1, pref(M1)}}, pref(M2));
	EXPECT_EQ(net.kernel(M2).dlif(dlif(1, M1))->ra.routes.size(), 1u);
	EXPECT_EQ(net.counter(kCmd, "relay_timeouts"), 1u);
	EXPECT_INVARIANTS(net);
}

// Timestamp ordering (RFC 5213 §5.5) end to end: every PBU carries a
// Timestamp option, every PBA echoes it.
TEST_P(ModeTest, TimestampOrdering)
{
	SimOptions o = options();
	o.ordering = Ordering::timestamp;
	Network net(o);
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M2, M3);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M3, M1);
	ASSERT_TRUE(net.settle());
	for (const auto &wire : net.trace()) {
		if (is_pbu(wire))
			EXPECT_TRUE(pbu_of(wire).options.timestamp.has_value()) << describe({wire});
		else
			EXPECT_TRUE(pba_of(wire).options.timestamp.has_value()) << describe({wire});
	}
	EXPECT_EQ(net.cmd().binding(mn_id(kMn))->serving_maar, Network::address(M1));
	expect_served(net, kMn, M1, 1, {{M2, pref(M2)}, {M3, pref(M3)}}, pref(M1));
	EXPECT_TRUE(net.invariant_violations().empty()) << ::testing::PrintToString(net.invariant_violations());
	net.run_for(std::chrono::seconds(1000));
	EXPECT_TRUE(net.invariant_violations().empty()) << ::testing::PrintToString(net.invariant_violations());
}

// R100 option: the other MAARs' logical routers with a low preference.
TEST(RouterAdvertisements, LowPreferenceForDeprecatedRouters)
{
	SimOptions o;
	o.low_preference = true;
	Network net(o);
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.kernel(M2).dlif(dlif(1, M1))->ra.preference, RouterPreference::low);
	EXPECT_EQ(net.kernel(M2).dlif(dlif(1, M2))->ra.preference, RouterPreference::medium);
}

} // namespace
} // namespace dlif::sim
