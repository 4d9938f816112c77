// SPDX-License-Identifier: GPL-2.0
//
// What a peer (or someone using a peer's address) may claim, and what the
// cores make of it (Documentation/security.rst): prefixes and identities
// checked before they become kernel state, replays refused, PBAs only from
// those that may send them, admission at the MAAR, and the interoperability
// fixes learnt from a real RFC 5213 implementation.
#include "core_util.hpp"
#include "dlif/dmm/claims.hpp"
#include "test_util.hpp"

namespace dlif::sim {
namespace {

using mh::BaFlag;
using mh::BuFlag;
using mh::HandoffIndicator;
using mh::Status;

std::size_t installed_entries(Network &net, NodeId node)
{
	return net.kernel(node).entries.size();
}

// -------------------------------------------------------------- claims.hpp

TEST(Claims, HomePrefixShape)
{
	Domain domain;
	domain.maars = {Network::address(M1), Network::address(M2)};
	const std::vector<Ipv6Prefix> own = {pfx("2001:db8::c/128")};
	const Ipv6Address m1 = Network::address(M1);
	EXPECT_FALSE(home_prefix_problem(domain, m1, pref(M1), own));
	EXPECT_EQ(home_prefix_problem(domain, m1, pfx("::/0"), own), "default-prefix");
	EXPECT_EQ(home_prefix_problem(domain, m1, pfx("2001:db8:1::/48"), own), "prefix-length");
	EXPECT_EQ(home_prefix_problem(domain, m1, pfx("2001:db8::/64"), own), "overlaps-own");
	// Without [[domain.maar]] any pool is possible; with it, only the
	// claimant's.
	EXPECT_FALSE(home_prefix_problem(domain, m1, pref(M2), own));
	domain.claims = {MaarClaims{pfx("2001:db8:1::/48"), 64, {}}, MaarClaims{pfx("2001:db8:2::/48"), 64, {}}};
	EXPECT_EQ(home_prefix_problem(domain, m1, pref(M2), own), "outside-pool");
	EXPECT_FALSE(home_prefix_problem(domain, Network::address(M2), pref(M2), own));
}

// A partner's home LMA: its blocks and its length, whatever this domain
// uses (here /64 at home, /56 for the LMA's nodes).
TEST(Claims, HomeLmaPrefix)
{
	const HomeLma lma{"home.example", addr("2001:db8:a::100"), {pfx("2001:db8:a000::/36"), pfx("2001:db8:c000::/40")}, 56};
	const std::vector<Ipv6Prefix> own = {pfx("2001:db8:a100::/48")};
	EXPECT_FALSE(home_lma_prefix_problem(lma, pfx("2001:db8:a001:100::/56"), own));
	EXPECT_FALSE(home_lma_prefix_problem(lma, pfx("2001:db8:c000:200::/56"), own));
	EXPECT_EQ(home_lma_prefix_problem(lma, pfx("::/0"), own), "default-prefix");
	EXPECT_EQ(home_lma_prefix_problem(lma, pfx("2001:db8:a001:100::/64"), own), "prefix-length");
	EXPECT_EQ(home_lma_prefix_problem(lma, pfx("2001:db8:b000::/56"), own), "outside-home-prefixes");
	EXPECT_EQ(home_lma_prefix_problem(lma, pfx("2001:db8:a100::/56"), own), "overlaps-own");
}

TEST(Claims, LocalPrefixAndIdentity)
{
	Domain domain;
	domain.maars = {Network::address(M1)};
	const std::vector<Ipv6Prefix> own = {pfx("2001:db8:9::/48")};
	const Ipv6Address m1 = Network::address(M1);
	EXPECT_EQ(local_prefix_problem(domain, m1, pfx("::/0"), own), "default-prefix");
	EXPECT_EQ(local_prefix_problem(domain, m1, pfx("2001:db8::/32"), own), "overlaps-own");
	EXPECT_FALSE(local_prefix_problem(domain, m1, pfx("2001:db8:100::/64"), own));
	domain.claims = {MaarClaims{pfx("2001:db8:1::/48"), 64, {pfx("2001:db8:100::/56")}}};
	EXPECT_FALSE(local_prefix_problem(domain, m1, pfx("2001:db8:100::/64"), own));
	EXPECT_EQ(local_prefix_problem(domain, m1, pfx("2001:db8:200::/64"), own), "not-configured");

	EXPECT_FALSE(dlif_identity_problem(DlifIdentity{mac("02:11:22:33:44:55"), addr("fe80::11:22ff:fe33:4455")}));
	EXPECT_EQ(dlif_identity_problem(DlifIdentity{mac("02:11:22:33:44:55"), addr("2001:db8::1")}),
		  "dlif-link-local");
	EXPECT_EQ(dlif_identity_problem(DlifIdentity{mac("02:11:22:33:44:55"), addr("fe80:0:0:1::1")}),
		  "dlif-link-local");
	EXPECT_EQ(dlif_identity_problem(DlifIdentity{mac("03:11:22:33:44:55"), addr("fe80::1")}), "dlif-mac");
	EXPECT_EQ(dlif_identity_problem(DlifIdentity{mac("00:00:00:00:00:00"), addr("fe80::1")}), "dlif-mac");
}

// ------------------------------------------------------------------- CMD

TEST(CmdClaims, PrefixOutsideTheMaarsPoolIsRefusedWith155)
{
	CmdConfig config = test_cmd_config();
	for (NodeId node = 1; node <= kMaars; ++node) {
		Ipv6Prefix pool = pfx("2001:db8::/48");
		pool.address.bytes[5] = static_cast<std::uint8_t>(node);
		config.domain.claims.push_back(MaarClaims{pool, 64, {}});
	}
	cmd::CmdCore core(config);
	TimePoint now{};
	// MAAR1 claims MAAR2's prefix: a node's traffic would be diverted.
	auto answers = pbas(core.handle(received(M1, make_pbu(1, kMn, pref(M2))), now));
	ASSERT_EQ(answers.size(), 1u);
	EXPECT_EQ(answers[0].status, Status::NotAuthorizedForHomeNetworkPrefix);
	EXPECT_EQ(core.binding_count(), 0u);
	// ::/0 and a /48: refused too.
	answers = pbas(core.handle(received(M1, make_pbu(2, kMn, pfx("::/0"))), now));
	EXPECT_EQ(answers[0].status, Status::NotAuthorizedForHomeNetworkPrefix);
	answers = pbas(core.handle(received(M1, make_pbu(3, kMn, pfx("2001:db8:1::/48"))), now));
	EXPECT_EQ(answers[0].status, Status::NotAuthorizedForHomeNetworkPrefix);
	EXPECT_EQ(core.binding_count(), 0u);
	EXPECT_EQ(core.counters().at("rejected_prefix"), 3u);
	// Its own prefix: accepted.
	answers = pbas(core.handle(received(M1, make_pbu(4, kMn, pref(M1))), now));
	EXPECT_EQ(answers[0].status, Status::Accepted);
	EXPECT_EQ(core.binding_count(), 1u);
}

TEST(CmdClaims, UnconfiguredLocalPrefixesAreNotPassedOn)
{
	SimOptions o;
	o.domain_claims = true;
	o.local_prefixes = {{pfx("2001:db8:100::/64")}, {}, {}};
	Network net(o);
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	// A PBU in MAAR2's name announcing ::/0 and a prefix it was not
	// given: both refused, and MAAR2's real registration still works.
	auto pbu = make_pbu(900, kMn2, pref(M2));
	pbu.options.local_prefixes.push_back(pfx("::/0"));
	pbu.options.local_prefixes.push_back(pfx("2001:db8:200::/64"));
	net.inject(M2, kCmd, pbu);
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.counter(kCmd, "refused_claims"), 2u);
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	// MAAR1's real local prefix reaches MAAR2; nothing else does.
	std::size_t local_nets = 0;
	for (const auto &[prefix, entry] : net.kernel(M2).entries)
		if (entry.role == TunnelRole::local_net) {
			++local_nets;
			EXPECT_EQ(entry.prefix, pfx("2001:db8:100::/64"));
		}
	EXPECT_EQ(local_nets, 1u);
	// The spoofed PBU itself made a binding for a node MAAR2 never saw:
	// possible without IPsec (Documentation/security.rst).
	const auto violations = net.invariant_violations({kMn2});
	EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
}

TEST(CmdClaims, ExactRepeatFromTheServingMaarIsAnsweredAgain)
{
	// An RFC 5213 MAG that retransmits with the same number (OPMIP does)
	// gets the same answer, not 135, and the binding does not change.
	cmd::CmdCore core(test_cmd_config());
	TimePoint now{};
	const auto pbu = make_pbu(41, kMn, pref(M1));
	ASSERT_EQ(pbas(core.handle(received(M1, pbu), now))[0].status, Status::Accepted);
	const auto before = core.binding(mn_id(kMn));
	const auto again = pbas(core.handle(received(M1, pbu), now));
	ASSERT_EQ(again.size(), 1u);
	EXPECT_EQ(again[0].status, Status::Accepted);
	EXPECT_EQ(again[0].sequence, 41);
	EXPECT_EQ(core.binding(mn_id(kMn))->prefixes, before->prefixes);
	EXPECT_EQ(core.binding(mn_id(kMn))->serving_maar, before->serving_maar);
	// An older number is still refused.
	const auto older = pbas(core.handle(received(M1, make_pbu(40, kMn, pref(M1))), now));
	EXPECT_EQ(older[0].status, Status::SequenceNumberOutOfWindow);
	EXPECT_EQ(older[0].sequence, 41);
}

TEST(CmdClaims, PlainMagRepeatingItsNumberKeepsItsBinding)
{
	CmdConfig config = test_cmd_config();
	config.lma = LmaConfig{pfx("2001:db8:f::/48"), 64, "lma0"};
	cmd::CmdCore core(config);
	TimePoint now{};
	const auto pbu = make_pbu(7, kMn, pfx("::/0"), HandoffIndicator::HandoffStateUnknown, 100, false);
	const auto first = pbas(core.handle(received(M1, pbu), now));
	ASSERT_EQ(first[0].status, Status::Accepted);
	const auto again = pbas(core.handle(received(M1, pbu), now));
	ASSERT_EQ(again.size(), 1u);
	EXPECT_EQ(again[0].status, Status::Accepted);
	EXPECT_EQ(again[0].lifetime.units(), first[0].lifetime.units());
	EXPECT_EQ(again[0].options.home_network_prefixes, first[0].options.home_network_prefixes);
	EXPECT_EQ(core.binding_count(), 1u);
}

// ------------------------------------------------------------------ MAAR

class MaarClaimsTest : public ::testing::TestWithParam<CmdMode> {};

TEST(MaarClaims, PbaFromAnotherMaarOutsideLocatorModeIsDropped)
{
	SimOptions o;
	o.mode = CmdMode::proxy;
	Network net(o);
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	const std::size_t entries = installed_entries(net, M1);
	// MAAR2's address "answers" with a previous-MAAR prefix for the node.
	mh::ProxyBindingAck pba;
	pba.status = Status::Accepted;
	pba.flags.set(BaFlag::Dmm);
	pba.flags.set(BaFlag::ProxyRegistration);
	pba.sequence = net.maar(M1).session(kMn)->last_sequence.value_or(1);
	pba.lifetime = mh::Lifetime::from_units(100);
	pba.options.mobile_node_identifier = to_option(mn_id(kMn));
	pba.options.home_network_prefixes.push_back(pref(M2, 9));
	net.inject(M2, M1, pba);
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.counter(M1, "drop_pba_not_expected"), 1u);
	EXPECT_EQ(installed_entries(net, M1), entries);
}

TEST(MaarClaims, HarmfulClaimsInTheCmdsPbaAreNotInstalled)
{
	SimOptions o;
	o.domain_claims = true;
	Network net(o);
	// The CMD cannot be made to say these; someone with its address can.
	net.set_down(kCmd, true);
	net.attach(M2, kMn);
	net.run_for(Duration(100));
	const auto session = net.maar(M2).session(kMn);
	ASSERT_TRUE(session && session->last_sequence);
	mh::ProxyBindingAck pba;
	pba.status = Status::Accepted;
	pba.flags.set(BaFlag::Dmm);
	pba.flags.set(BaFlag::ProxyRegistration);
	pba.sequence = *session->last_sequence;
	pba.lifetime = mh::Lifetime::from_units(100);
	pba.options.mobile_node_identifier = to_option(mn_id(kMn));
	pba.options.home_network_prefixes = {session->anchored_prefixes.at(0)};
	// ::/0 from MAAR1, a prefix of MAAR3's pool in MAAR1's name, a prefix
	// of MAAR2's own pool, and a valid one.
	pba.options.previous_maars = {mh::PreviousMaar{Network::address(M1), pfx("::/0")},
				      mh::PreviousMaar{Network::address(M1), pref(M3, 4)},
				      mh::PreviousMaar{Network::address(M1), pref(M2, 7)},
				      mh::PreviousMaar{Network::address(M1), pref(M1, 3)}};
	pba.options.dlif_link_layer_address = to_link_layer(mac("02:aa:bb:cc:dd:ee"));
	pba.options.dlif_link_local_address = addr("2001:db8:ffff::1");	// not link-local
	pba.options.local_prefixes = {pfx("::/0")};
	net.set_down(kCmd, false);
	net.inject(kCmd, M2, pba);
	net.run_for(Duration(100));
	Kernel &kernel = net.kernel(M2);
	EXPECT_EQ(kernel.entry(pfx("::/0")), nullptr);
	EXPECT_EQ(kernel.entry(pref(M3, 4)), nullptr);
	ASSERT_NE(kernel.entry(pref(M1, 3)), nullptr);
	EXPECT_EQ(kernel.entry(pref(M1, 3))->role, TunnelRole::serving);
	for (const auto &[name, dlif] : kernel.dlifs)
		EXPECT_NE(dlif.identity.link_local, addr("2001:db8:ffff::1")) << name;
	for (const auto &[prefix, entry] : kernel.entries)
		EXPECT_NE(entry.role, TunnelRole::local_net) << prefix;
	EXPECT_EQ(net.counter(M2, "refused_claims"), 5u);
}

TEST(MaarClaims, ReplayedCmdPbuDoesNotMoveTheNode)
{
	// The node goes MAAR1 -> MAAR2 -> MAAR1. The CMD's PBU to MAAR1 that
	// moved it to MAAR2, captured and sent again later, must not move it
	// away from MAAR1 again.
	Network net;
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	const std::size_t mark = net.trace().size();
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	std::optional<mh::ProxyBindingUpdate> captured;
	for (const auto &wire : messages(net.sent_since(mark), kCmd, M1))
		if (std::holds_alternative<mh::ProxyBindingUpdate>(wire.message))
			captured = pbu_of(wire);
	ASSERT_TRUE(captured);
	net.move(kMn, M2, M1);
	ASSERT_TRUE(net.settle());
	ASSERT_EQ(net.maar(M1).session(kMn)->state, maar::SessionState::serving);
	const std::size_t entries = installed_entries(net, M1);
	net.inject(kCmd, M1, *captured);
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.maar(M1).session(kMn)->state, maar::SessionState::serving);
	EXPECT_EQ(installed_entries(net, M1), entries);
	// The CMD's last PBU to MAAR1 again: refused as a repeat of what
	// was already acted on (the node has since come back).
	EXPECT_EQ(net.counter(M1, "drop_stale_sequence") + net.counter(M1, "duplicate_pbus"), 1u);
	EXPECT_INVARIANTS(net);
}

TEST(MaarClaims, CmdResynchronisesAfterAnAnchorRefusesItsNumber)
{
	// The anchor has seen a number of the CMD's far ahead (a CMD that
	// lost its state, say): its 135 makes the CMD go on after it, and
	// the handover completes.
	Network net;
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	auto ahead = pbu_of(messages(net.trace(), kCmd, M1).back());
	ahead.sequence = static_cast<std::uint16_t>(ahead.sequence + 20000);
	net.inject(kCmd, M1, ahead);	// the same serving MAAR: changes nothing
	ASSERT_TRUE(net.settle());
	net.move(kMn, M2, M3);
	ASSERT_TRUE(net.settle());
	EXPECT_GE(net.counter(kCmd, "sequence_resyncs"), 1u);
	EXPECT_EQ(net.counter(kCmd, "previous_maar_failures"), 0u);
	EXPECT_EQ(net.maar(M1).session(kMn)->serving_maar, Network::address(M3));
	EXPECT_INVARIANTS(net);
}

// ------------------------------------------------------------- admission

TEST(Admission, OnlyListedNodesAttach)
{
	SimOptions o;
	o.admission.restricted = true;
	o.admission.macs = {kMn};
	Network net(o);
	net.attach(M1, kMn2);
	ASSERT_TRUE(net.settle());
	EXPECT_FALSE(net.maar(M1).session(kMn2));
	EXPECT_EQ(net.cmd().binding_count(), 0u);
	EXPECT_EQ(net.counter(M1, "refused_not_authorised"), 1u);
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	EXPECT_TRUE(net.maar(M1).session(kMn));
	// By MN-ID as well.
	o.admission.macs.clear();
	o.admission.nais = {mn_id(kMn2).nai};
	Network by_nai(o);
	by_nai.attach(M1, kMn2);
	ASSERT_TRUE(by_nai.settle());
	EXPECT_TRUE(by_nai.maar(M1).session(kMn2));
}

TEST(Admission, FloodOfMadeUpMacsStaysBounded)
{
	SimOptions o;
	o.admission.max_sessions = 50;
	o.admission.rate = 10;
	o.admission.burst = 20;
	Network net(o);
	std::size_t attempts = 0;
	std::vector<MacAddress> flood;
	for (unsigned i = 0; i < 2000; ++i) {
		MacAddress made_up = mac("0a:00:00:00:00:00");
		made_up.bytes[4] = static_cast<std::uint8_t>(i >> 8);
		made_up.bytes[5] = static_cast<std::uint8_t>(i);
		flood.push_back(made_up);
		net.attach(M1, made_up);
		++attempts;
		if (i % 100 == 99)
			net.run_for(Duration(1000));
	}
	ASSERT_TRUE(net.settle());
	EXPECT_LE(net.maar(M1).session_count(), 50u);
	EXPECT_GT(net.counter(M1, "refused_rate_limit"), 0u);
	EXPECT_EQ(net.counter(M1, "refused_rate_limit") + net.counter(M1, "refused_session_limit") +
			  net.counter(M1, "attachments"),
		  attempts);
	// Full: a legitimate node waits until the flood's sessions end (a
	// MAAR refreshes a node it believes attached: the layer-2 detach, or
	// the end of the lifetime after it, frees the places).
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	EXPECT_FALSE(net.maar(M1).session(kMn));
	for (const auto &made_up : flood)
		net.detach(M1, made_up);
	net.run_for(std::chrono::hours(2));
	EXPECT_EQ(net.maar(M1).session_count(), 0u);
	EXPECT_EQ(net.cmd().binding_count(), 0u);
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	EXPECT_TRUE(net.maar(M1).session(kMn));
}

// ---------------------------------------------------------------- legacy

TEST(LegacyInterop, AcceptedRegistrationWithoutPrefixIsDeregistered)
{
	SimOptions o;
	Network net(o);
	net.set_down(kCmd, true);
	net.attach(M1, kMn);
	net.run_for(Duration(100));
	const auto session = net.maar(M1).session(kMn);
	ASSERT_TRUE(session && session->last_sequence);
	net.set_down(kCmd, false);
	mh::ProxyBindingAck pba;	// an LMA's answer: no D, no HNP
	pba.status = Status::Accepted;
	pba.flags.set(BaFlag::ProxyRegistration);
	pba.sequence = *session->last_sequence;
	pba.lifetime = mh::Lifetime::from_units(100);
	pba.options.mobile_node_identifier = to_option(mn_id(kMn));
	const std::size_t mark = net.trace().size();
	net.inject(kCmd, M1, pba);
	net.run_for(Duration(50));
	bool deregistered = false;
	for (const auto &wire : messages(net.sent_since(mark), M1, kCmd))
		if (std::holds_alternative<mh::ProxyBindingUpdate>(wire.message))
			deregistered = deregistered || pbu_of(wire).lifetime.is_deregistration();
	EXPECT_TRUE(deregistered);
}

TEST(LegacyInterop, EchoedPrefixIsNotHandedToASecondNode)
{
	// An LMA that echoes the prefix the MAAR proposed (OPMIP does): that
	// prefix stays taken while the node is served with it.
	Network net;
	net.set_down(kCmd, true);
	net.attach(M1, kMn);
	net.run_for(Duration(100));
	const auto first = net.maar(M1).session(kMn);
	ASSERT_TRUE(first && first->last_sequence);
	const Ipv6Prefix proposed = first->anchored_prefixes.at(0);
	net.set_down(kCmd, false);
	mh::ProxyBindingAck pba;
	pba.status = Status::Accepted;
	pba.flags.set(BaFlag::ProxyRegistration);
	pba.sequence = *first->last_sequence;
	pba.lifetime = mh::Lifetime::from_units(100);
	pba.options.mobile_node_identifier = to_option(mn_id(kMn));
	pba.options.home_network_prefixes = {proposed};
	net.inject(kCmd, M1, pba);
	net.run_for(Duration(50));
	ASSERT_TRUE(net.maar(M1).session(kMn)->legacy);
	ASSERT_EQ(net.maar(M1).session(kMn)->serving_prefixes, std::vector<Ipv6Prefix>{proposed});
	net.set_down(kCmd, true);
	net.attach(M1, kMn2);
	net.run_for(Duration(100));
	const auto second = net.maar(M1).session(kMn2);
	ASSERT_TRUE(second);
	ASSERT_FALSE(second->anchored_prefixes.empty());
	EXPECT_NE(second->anchored_prefixes.at(0), proposed);
	// The snapshot keeps it taken across a restart too.
	net.restart(M1);
	net.attach(M1, kMn2);
	EXPECT_NE(net.maar(M1).session(kMn2)->anchored_prefixes.at(0), proposed);
}

} // namespace
} // namespace dlif::sim
