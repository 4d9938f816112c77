// SPDX-License-Identifier: GPL-2.0
//
// Interworking with RFC 5213 nodes: a CMD without RFC 8885 support (R27),
// a CMD serving plain MAGs as an LMA, a MAAR detecting an LMA that does
// not know the D flag (000 §4.2), a MAAR configured as a plain MAG.
#include "test_util.hpp"

namespace dlif::sim {
namespace {

using mh::BaFlag;
using mh::BuFlag;
using mh::Status;

const Ipv6Prefix kLmaPool = pfx("2001:db8:f::/48");

// R27 / E-D1: a legacy LMA refuses a D-flagged PBU: an error PBA, no state.
TEST(Legacy, LmaRefusesTheDFlag)
{
	SimOptions o;
	o.rfc8885 = false;
	Network net(o);
	net.attach(M1, kMn);
	net.run_for(std::chrono::minutes(2));
	EXPECT_EQ(net.cmd().binding_count(), 0u);
	const auto answers = messages(net.trace(), kCmd, M1);
	ASSERT_EQ(answers.size(), 1u);
	const auto &pba = pba_of(answers[0]);
	EXPECT_EQ(pba.status, Status::ReasonUnspecified);
	EXPECT_FALSE(pba.flags.has(BaFlag::Dmm));
	EXPECT_EQ(pba.sequence, pbu_of(net.trace().front()).sequence);
	EXPECT_EQ(net.counter(kCmd, "rejected_d_flag"), 1u);
	// The MAAR gives the node nothing: no prefix, no DLIF, no RA (A34).
	EXPECT_EQ(net.maar(M1).session_count(), 0u);
	EXPECT_TRUE(net.kernel(M1).dlifs.empty());
	EXPECT_TRUE(net.kernel(M1).advertised.empty());
	EXPECT_TRUE(net.kernel(kCmd).dlifs.empty());
}

// A CMD with RFC 8885 support but no LMA service refuses plain MAGs (152).
TEST(Legacy, PlainMagWithoutLmaService)
{
	Network net;
	net.inject(M1, kCmd, make_pbu(1, kMn, Ipv6Prefix{}, mh::HandoffIndicator::HandoffStateUnknown, 100, false));
	net.run_for(Duration(50));
	const auto answers = messages(net.trace(), kCmd, M1);
	ASSERT_EQ(answers.size(), 1u);
	EXPECT_EQ(pba_of(answers[0]).status, Status::ProxyRegNotEnabled);
	EXPECT_EQ(net.cmd().binding_count(), 0u);
}

// The CMD as an RFC 5213 LMA for plain MAGs: a prefix from its pool, the
// anchor role of the kernel table towards the MAG, moved with the node.
TEST(Legacy, CmdServesPlainMags)
{
	SimOptions o;
	o.lma = true;
	o.legacy_mag = {true, true, false};
	o.check_snapshots = true;
	Network net(o);
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());

	const auto pbu = pbu_of(net.trace().at(0));
	EXPECT_TRUE(pbu.flags.has(BuFlag::Acknowledge));
	EXPECT_TRUE(pbu.flags.has(BuFlag::ProxyRegistration));
	EXPECT_FALSE(pbu.flags.has(BuFlag::Dmm));
	ASSERT_EQ(pbu.options.home_network_prefixes.size(), 1u);
	EXPECT_EQ(pbu.options.home_network_prefixes[0], Ipv6Prefix{});	// ::/0: the LMA assigns
	EXPECT_FALSE(pbu.options.dlif_link_local_address || pbu.options.dlif_link_layer_address);
	EXPECT_TRUE(pbu.options.local_prefixes.empty() && pbu.options.anchored_prefixes.empty());

	const auto pba = pba_of(net.trace().at(1));
	EXPECT_EQ(pba.status, Status::Accepted);
	EXPECT_FALSE(pba.flags.has(BaFlag::Dmm));
	ASSERT_EQ(pba.options.home_network_prefixes.size(), 1u);
	const Ipv6Prefix assigned = pba.options.home_network_prefixes[0];
	EXPECT_TRUE(kLmaPool.contains(assigned.address));
	EXPECT_EQ(assigned.length, 64);

	// The LMA: the node's DLIF on its dummy device and the anchor entry.
	const auto binding = net.cmd().binding(mn_id(kMn));
	ASSERT_TRUE(binding);
	EXPECT_TRUE(binding->lma);
	const Kernel &lma = net.kernel(kCmd);
	const InstallDlif *dlif = lma.dlif("mn1lma");
	ASSERT_TRUE(dlif);
	EXPECT_EQ(dlif->lower, "lma0");
	EXPECT_EQ(dlif->identity, derive_dlif_identity(Network::address(kCmd), mn_id(kMn)));
	EXPECT_EQ(dlif->prefixes, std::vector<Ipv6Prefix>{assigned});
	EXPECT_EQ(dlif->mn, kMn);
	EXPECT_FALSE(dlif->advertise);
	const InstallEntry *anchor = lma.entry(assigned);
	ASSERT_TRUE(anchor);
	EXPECT_EQ(anchor->role, TunnelRole::anchor);
	EXPECT_EQ(anchor->peer, Network::address(M1));
	EXPECT_EQ(anchor->dlif, "mn1lma");

	// The MAG: the LMA's prefix on the node's DLIF, everything tunnelled
	// to the LMA.
	const auto session = net.maar(M1).session(kMn);
	ASSERT_TRUE(session);
	EXPECT_TRUE(session->legacy);
	EXPECT_EQ(session->lma, Network::address(kCmd));
	EXPECT_EQ(session->serving_prefixes, std::vector<Ipv6Prefix>{assigned});
	const InstallDlif *mag = net.kernel(M1).dlif("mn1lma");
	ASSERT_TRUE(mag);
	EXPECT_TRUE(mag->advertise);
	EXPECT_EQ(mag->identity, dlif->identity);	// the same router at every MAG
	EXPECT_GT(mag->ra.prefixes.at(0).preferred_lifetime, Duration::zero());
	EXPECT_EQ(net.kernel(M1).entry(assigned)->role, TunnelRole::serving);
	EXPECT_EQ(net.kernel(M1).entry(assigned)->peer, Network::address(kCmd));

	// Handover to another MAG: the same prefix, the entry re-pointed.
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.kernel(kCmd).entry(assigned)->peer, Network::address(M2));
	EXPECT_EQ(net.maar(M2).session(kMn)->serving_prefixes, std::vector<Ipv6Prefix>{assigned});
	EXPECT_EQ(net.kernel(M2).dlif("mn1lma")->identity, dlif->identity);
	EXPECT_EQ(net.counter(kCmd, "lma_handovers"), 1u);

	// MAG1's de-registration at the end of its lifetime leaves the binding.
	net.run_for(std::chrono::seconds(450));
	EXPECT_EQ(net.maar(M1).session_count(), 0u);
	EXPECT_TRUE(net.kernel(M1).empty_of_sessions());
	EXPECT_TRUE(net.cmd().binding(mn_id(kMn)).has_value());
	EXPECT_EQ(net.kernel(kCmd).entry(assigned)->peer, Network::address(M2));

	// The node leaves: MAG2 de-registers, the LMA removes its state.
	net.detach(M2, kMn);
	net.run_for(std::chrono::seconds(450));
	EXPECT_EQ(net.cmd().binding_count(), 0u);
	EXPECT_TRUE(net.kernel(kCmd).dlifs.empty());
	EXPECT_TRUE(net.kernel(kCmd).entries.empty());
	EXPECT_TRUE(net.problems().empty()) << ::testing::PrintToString(net.problems());
}

// The LMA's DLIF numbers of nodes that left are reused lowest first, in
// whatever order they were released, before new numbers are taken.
TEST(Legacy, LmaReusesTheLowestFreeDlifNumber)
{
	SimOptions o;
	o.lma = true;
	o.legacy_mag = {true, false, false};
	o.check_snapshots = true;
	Network net(o);
	const std::vector<MacAddress> nodes = {mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"),
					       mac("02:00:00:00:00:03"), mac("02:00:00:00:00:04"),
					       mac("02:00:00:00:00:05"), mac("02:00:00:00:00:06")};
	const auto dlif_of = [&](const MacAddress &node) { return net.cmd().binding(mn_id(node))->dlif.value_or(""); };
	for (std::size_t i = 0; i < 3; ++i) {
		net.attach(M1, nodes[i]);
		ASSERT_TRUE(net.settle());
	}
	EXPECT_EQ(dlif_of(nodes[2]), "mn3lma");
	net.detach(M1, nodes[2]);
	net.run_for(std::chrono::seconds(450));
	net.detach(M1, nodes[0]);
	net.run_for(std::chrono::seconds(450));
	ASSERT_EQ(net.cmd().binding_count(), 1u);
	for (std::size_t i = 3; i < 6; ++i) {
		net.attach(M1, nodes[i]);
		ASSERT_TRUE(net.settle());
	}
	EXPECT_EQ(dlif_of(nodes[3]), "mn1lma");
	EXPECT_EQ(dlif_of(nodes[4]), "mn3lma");
	EXPECT_EQ(dlif_of(nodes[5]), "mn4lma");
	EXPECT_TRUE(net.problems().empty()) << ::testing::PrintToString(net.problems());
}

// The LMA's binding expires when the MAG goes silent.
TEST(Legacy, LmaBindingExpires)
{
	SimOptions o;
	o.lma = true;
	o.legacy_mag = {true, false, false};
	Network net(o);
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.set_down(M1, true);
	net.run_for(std::chrono::seconds(500));
	EXPECT_EQ(net.cmd().binding_count(), 0u);
	EXPECT_TRUE(net.kernel(kCmd).dlifs.empty());
	EXPECT_TRUE(net.kernel(kCmd).entries.empty());
}

// 000 §4.2: an LMA that answers a D-flagged PBU like any other (status 0,
// no D, options 65-70 ignored): the MAAR serves that node as a plain MAG.
TEST(Legacy, MaarDetectsLegacyLma)
{
	SimOptions o;
	o.rfc8885 = false;
	o.lma = true;
	o.legacy_d_flag = LegacyDFlag::ignore;
	o.check_snapshots = true;
	Network net(o);
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	const auto pbu = pbu_of(net.trace().at(0));
	EXPECT_TRUE(pbu.flags.has(BuFlag::Dmm));
	const auto pba = pba_of(net.trace().at(1));
	EXPECT_EQ(pba.status, Status::Accepted);
	EXPECT_FALSE(pba.flags.has(BaFlag::Dmm));
	const Ipv6Prefix assigned = pba.options.home_network_prefixes[0];
	EXPECT_TRUE(kLmaPool.contains(assigned.address));

	const auto session = net.maar(M1).session(kMn);
	ASSERT_TRUE(session);
	EXPECT_TRUE(session->legacy);
	EXPECT_EQ(session->state, maar::SessionState::serving);
	EXPECT_EQ(session->serving_prefixes, std::vector<Ipv6Prefix>{assigned});
	EXPECT_TRUE(session->anchored_prefixes.empty());	// its own prefix went back
	EXPECT_EQ(net.kernel(M1).dlif(dlif_name(1, M1)), nullptr);
	ASSERT_TRUE(net.kernel(M1).dlif("mn1lma"));
	EXPECT_EQ(net.kernel(M1).entry(assigned)->role, TunnelRole::serving);
	EXPECT_EQ(net.kernel(M1).entry(assigned)->peer, Network::address(kCmd));
	EXPECT_EQ(net.kernel(kCmd).entry(assigned)->peer, Network::address(M1));
	EXPECT_EQ(net.counter(M1, "legacy_lma_detected"), 1u);
	bool logged = false;
	for (const auto &log : net.logs())
		logged = logged || log.event == "legacy-lma";
	EXPECT_TRUE(logged);

	// Refreshes go as a plain MAG's; the state stays.
	const std::size_t mark = net.trace().size();
	net.run_for(std::chrono::seconds(900));
	for (const auto &wire : messages(net.sent_since(mark), M1, kCmd))
		EXPECT_FALSE(pbu_of(wire).flags.has(BuFlag::Dmm));
	EXPECT_EQ(net.maar(M1).session(kMn)->state, maar::SessionState::serving);
	EXPECT_TRUE(net.cmd().binding(mn_id(kMn)).has_value());
	EXPECT_TRUE(net.problems().empty()) << ::testing::PrintToString(net.problems());
}

// E-D2: a plain MAG ignores a PBA (or PBU) with the D flag.
TEST(Legacy, PlainMagIgnoresDFlaggedMessages)
{
	SimOptions o;
	o.lma = true;
	o.legacy_mag = {true, false, false};
	Network net(o);
	net.link(kCmd, M1).drop_next = 1;	// the LMA's real answer is lost
	net.attach(M1, kMn);
	net.run_for(Duration(100));
	mh::ProxyBindingAck forged;
	forged.flags.set(BaFlag::Dmm);
	forged.sequence = pbu_of(net.trace().at(0)).sequence;
	forged.lifetime = mh::Lifetime::from_units(100);
	forged.options.mobile_node_identifier = to_option(mn_id(kMn));
	forged.options.home_network_prefixes.push_back(pfx("2001:db8:f:99::/64"));
	net.inject(kCmd, M1, forged);
	net.inject(kCmd, M1, make_pbu(5, kMn, pref(M1)));
	net.run_for(Duration(100));
	EXPECT_EQ(net.counter(M1, "drop_d_flag_in_mag_mode"), 2u);
	EXPECT_EQ(net.maar(M1).session(kMn)->state, maar::SessionState::registering);
	ASSERT_TRUE(net.settle());
	EXPECT_NE(net.maar(M1).session(kMn)->serving_prefixes.at(0), pfx("2001:db8:f:99::/64"));
}

// A binding keeps its kind: a D-flagged PBU for a node the LMA serves is
// refused (129), and the other way round.
TEST(Legacy, BindingKindIsFixed)
{
	SimOptions o;
	o.lma = true;
	o.legacy_mag = {true, false, false};
	Network net(o);
	net.attach(M1, kMn);
	net.attach(M2, kMn2);
	ASSERT_TRUE(net.settle());
	const std::size_t mark = net.trace().size();
	net.inject(M2, kCmd, make_pbu(10, kMn, pref(M2)));
	net.inject(M1, kCmd, make_pbu(10, kMn2, Ipv6Prefix{}, mh::HandoffIndicator::HandoffStateUnknown, 100, false));
	net.run_for(Duration(50));
	const auto wires = net.sent_since(mark);
	for (const auto &wire : wires) {
		if (wire.from == kCmd) {
			EXPECT_EQ(pba_of(wire).status, Status::AdministrativelyProhibited) << describe({wire});
		}
	}
	EXPECT_EQ(net.counter(kCmd, "rejected_binding_kind"), 2u);
}

} // namespace
} // namespace dlif::sim
