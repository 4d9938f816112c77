// SPDX-License-Identifier: GPL-2.0
//
// The reconciliation decisions as pure functions: what InstallDlif does
// to an existing DLIF, and what a restarted daemon keeps, creates and
// removes.
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "reconcile.hpp"

namespace dlif::daemon {
namespace {

using namespace test;

KernelLink link_of(const dmm::InstallDlif &dlif)
{
	KernelLink link;
	link.name = dlif.name;
	link.ifindex = 7;
	link.kind = "dlif";
	link.lower = dlif.lower;
	link.mac = dlif.identity.mac;
	link.mn = dlif.mn;
	link.maar = dlif.anchoring_maar;
	link.up = true;
	link.addr_gen_none = true;
	link.ipv6_router = true;
	return link;
}

TEST(WantedAddresses, LinkLocalAndOneRouterAddressPerPrefix)
{
	dmm::InstallDlif dlif = dlif_install();
	dlif.prefixes.push_back(prefix("2001:db8:2:2::/64"));
	const auto addresses = wanted_addresses(dlif);
	ASSERT_EQ(addresses.size(), 3u);
	EXPECT_EQ(addresses[0], (KernelAddress{dlif.identity.link_local, 64, true}));
	// The prefixes are routed by way of the node's gateway, not by the
	// kernel's connected route (one neighbour per DLIF).
	EXPECT_EQ(addresses[1], (KernelAddress{address("2001:db8:1:1::1"), 64, false}));
	EXPECT_EQ(addresses[2], (KernelAddress{address("2001:db8:2:2::1"), 64, false}));
}

TEST(PlanDlif, ANewDlifRoutesEachPrefixByWayOfTheNodesPermanentNeighbour)
{
	dmm::InstallDlif dlif = dlif_install();
	dlif.prefixes.push_back(prefix("2001:db8:2:2::/64"));
	const auto plan = plan_dlif(dlif, std::nullopt, {});
	const Ipv6Address gateway = node_gateway(dlif.mn);
	EXPECT_EQ(gateway, dmm::link_local_from_mac(dlif.mn));
	EXPECT_EQ(plan.add_routes, (std::vector<KernelRoute>{{prefix("2001:db8:1:1::/64"), gateway},
							      {prefix("2001:db8:2:2::/64"), gateway}}));
	EXPECT_EQ(plan.neighbour, (KernelNeighbour{gateway, dlif.mn}));
	EXPECT_FALSE(plan.stale_neighbour);
}

TEST(PlanDlif, AnUnchangedDlifCostsNoRouteRequest)
{
	const dmm::InstallDlif dlif = dlif_install();
	const auto plan = plan_dlif(dlif, link_of(dlif), wanted_addresses(dlif));
	EXPECT_TRUE(plan.changes_nothing());
	EXPECT_TRUE(plan.add_routes.empty());
	EXPECT_FALSE(plan.neighbour);
}

// Its IPv6 sysctls are written only when the kernel says they differ (or
// does not say): three sysctl writes on every install before.
TEST(PlanDlif, IpSettingsAreWrittenOnlyWhereTheyDiffer)
{
	const dmm::InstallDlif dlif = dlif_install();
	EXPECT_FALSE(plan_dlif(dlif, link_of(dlif), wanted_addresses(dlif)).configure);
	EXPECT_TRUE(plan_dlif(dlif, std::nullopt, {}).configure);
	KernelLink link = link_of(dlif);
	link.ipv6_router = false;
	EXPECT_TRUE(plan_dlif(dlif, link, wanted_addresses(dlif)).configure);
	link.ipv6_router.reset();
	EXPECT_TRUE(plan_dlif(dlif, link, wanted_addresses(dlif)).configure);
	link = link_of(dlif);
	link.addr_gen_none = false;
	EXPECT_TRUE(plan_dlif(dlif, link, wanted_addresses(dlif)).configure);
	link = link_of(dlif);
	link.lower = "other0";
	EXPECT_TRUE(plan_dlif(dlif, link, wanted_addresses(dlif)).configure);	// re-made
}

// A DLIF of an earlier dlifd, whose prefix address has the kernel's
// connected route: the address is replaced with the new flag (not removed,
// which would cut the node off) and the gateway route added.
TEST(PlanDlif, AConnectedRouteOfAnEarlierVersionHandsOverToTheGatewayRoute)
{
	const dmm::InstallDlif dlif = dlif_install();
	const std::vector<KernelAddress> earlier{{dlif.identity.link_local, 64, true},
						 {address("2001:db8:1:1::1"), 64, true}};
	const auto plan = plan_dlif(dlif, link_of(dlif), earlier);
	EXPECT_TRUE(plan.remove_addresses.empty());
	EXPECT_TRUE(plan.remove_routes.empty());
	EXPECT_EQ(plan.add_addresses, (std::vector<KernelAddress>{{address("2001:db8:1:1::1"), 64, false}}));
	EXPECT_EQ(plan.add_routes,
		  (std::vector<KernelRoute>{{prefix("2001:db8:1:1::/64"), node_gateway(dlif.mn)}}));
	EXPECT_TRUE(plan.neighbour);
}

TEST(PlanDlif, APrefixThatGoesTakesItsRouteAlong)
{
	const dmm::InstallDlif before = dlif_install();
	dmm::InstallDlif after = before;
	after.prefixes = {prefix("2001:db8:1:9::/64")};
	const auto plan = plan_dlif(after, link_of(before), wanted_addresses(before));
	const Ipv6Address gateway = node_gateway(before.mn);
	EXPECT_EQ(plan.remove_routes, (std::vector<KernelRoute>{{prefix("2001:db8:1:1::/64"), gateway}}));
	EXPECT_EQ(plan.add_routes, (std::vector<KernelRoute>{{prefix("2001:db8:1:9::/64"), gateway}}));
	// A removed address that had a connected route has no route of ours.
	const auto earlier = plan_dlif(after, link_of(before), {{address("2001:db8:1:1::1"), 64, true}});
	EXPECT_TRUE(earlier.remove_routes.empty());
}

TEST(PlanDlif, ANewNodeOnTheDlifMovesEveryRouteToItsGateway)
{
	const dmm::InstallDlif before = dlif_install();
	dmm::InstallDlif after = before;
	after.mn = mac("02:00:00:00:00:42");
	const auto plan = plan_dlif(after, link_of(before), wanted_addresses(before));
	EXPECT_EQ(plan.add_routes,
		  (std::vector<KernelRoute>{{prefix("2001:db8:1:1::/64"), node_gateway(after.mn)}}));
	EXPECT_EQ(plan.neighbour, (KernelNeighbour{node_gateway(after.mn), after.mn}));
	EXPECT_EQ(plan.stale_neighbour, (KernelNeighbour{node_gateway(before.mn), before.mn}));
}

TEST(PlanDlif, AMissingDlifIsCreatedUpWithItsAddresses)
{
	const auto plan = plan_dlif(dlif_install(), std::nullopt, {});
	EXPECT_TRUE(plan.create);
	EXPECT_FALSE(plan.recreate);
	EXPECT_TRUE(plan.bring_up);
	EXPECT_EQ(plan.add_addresses.size(), 2u);
	EXPECT_TRUE(plan.remove_addresses.empty());
}

TEST(PlanDlif, AnIdenticalDlifIsLeftAlone)
{
	const auto dlif = dlif_install();
	const auto plan = plan_dlif(dlif, link_of(dlif), wanted_addresses(dlif));
	EXPECT_TRUE(plan.changes_nothing());
	EXPECT_FALSE(plan.create);
}

TEST(PlanDlif, AnExistingDlifIsChangedInPlaceNeverDeleted)
{
	dmm::InstallDlif dlif = dlif_install();
	KernelLink current = link_of(dlif);
	current.up = false;
	current.mn = mac("02:00:00:00:00:99");
	current.maar = std::nullopt;
	current.mac = mac("02:aa:aa:aa:aa:aa");
	std::vector<KernelAddress> addresses = wanted_addresses(dlif);
	addresses.push_back({address("2001:db8:9:9::1"), 64});	// a prefix it no longer has
	addresses.erase(addresses.begin());			// its link-local is missing
	const auto plan = plan_dlif(dlif, current, addresses);
	EXPECT_FALSE(plan.create);
	EXPECT_FALSE(plan.recreate);
	EXPECT_EQ(plan.update.mn, dlif.mn);
	EXPECT_EQ(plan.update.maar, dlif.anchoring_maar);
	EXPECT_EQ(plan.update.mac, dlif.identity.mac);
	EXPECT_TRUE(plan.bring_up);
	EXPECT_EQ(plan.add_addresses, (std::vector<KernelAddress>{{dlif.identity.link_local, 64}}));
	EXPECT_EQ(plan.remove_addresses, (std::vector<KernelAddress>{{address("2001:db8:9:9::1"), 64}}));
}

TEST(PlanDlif, OnlyAnotherLowerDeviceForcesARecreation)
{
	dmm::InstallDlif dlif = dlif_install();
	KernelLink current = link_of(dlif);
	current.lower = "eth2";
	const auto plan = plan_dlif(dlif, current, wanted_addresses(dlif));
	EXPECT_TRUE(plan.recreate);
	EXPECT_EQ(plan.add_addresses.size(), 2u);
}

TEST(PlanDlif, ALinkOfAnotherKindIsAConflict)
{
	dmm::InstallDlif dlif = dlif_install();
	KernelLink current = link_of(dlif);
	current.kind = "dummy";
	const auto plan = plan_dlif(dlif, current, {});
	ASSERT_TRUE(plan.conflict);
	EXPECT_EQ(*plan.conflict, "a dummy link named mn1mar1 exists");
	EXPECT_FALSE(plan.create);
	EXPECT_FALSE(plan.configure);
}

TEST(WantedBy, ALaterRemoveCancelsAnInstall)
{
	dmm::InstallEntry entry{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"), "mn1mar1"};
	const dmm::Actions actions{dlif_install("a"), dlif_install("b"), entry, dmm::RemoveDlif{"a"},
				   dmm::InstallEntry{prefix("2001:db8:5::/48"), dmm::TunnelRole::local_export, {}, {}},
				   dmm::RemoveEntry{prefix("2001:db8:5::/48")}, dmm::StateChanged{}};
	const Wanted wanted = wanted_by(actions);
	EXPECT_EQ(wanted.dlifs, std::vector<std::string>{"b"});
	EXPECT_EQ(wanted.entries, std::vector<Ipv6Prefix>{prefix("2001:db8:1:1::/64")});
}

// Each object in the order of the install that made it present: a repeated
// install keeps its place, one after a Remove goes to the end; an entry's
// prefix counts masked.
TEST(WantedBy, InstallOrderAfterRepeatsAndRemoves)
{
	const dmm::Actions actions{dlif_install("a"), dlif_install("b"), dlif_install("c"), dlif_install("a"),
				   dmm::RemoveDlif{"b"}, dlif_install("b"),
				   dmm::InstallEntry{prefix("2001:db8:1::/64"), dmm::TunnelRole::anchor, {}, "a"},
				   dmm::InstallEntry{prefix("2001:db8:2::1/64"), dmm::TunnelRole::anchor, {}, "a"},
				   dmm::RemoveEntry{prefix("2001:db8:1::5/64")},
				   dmm::InstallEntry{prefix("2001:db8:1::/64"), dmm::TunnelRole::anchor, {}, "b"},
				   dmm::InstallEntry{prefix("2001:db8:2::/64"), dmm::TunnelRole::anchor, {}, "c"}};
	const Wanted wanted = wanted_by(actions);
	EXPECT_EQ(wanted.dlifs, (std::vector<std::string>{"a", "c", "b"}));
	EXPECT_EQ(wanted.entries, (std::vector<Ipv6Prefix>{prefix("2001:db8:2::/64"), prefix("2001:db8:1::/64")}));
}

TEST(PlanReconcile, KeepsOwnedRemovesUnownedLeavesForeign)
{
	Scope scope;
	scope.lowers = {"eth1"};
	scope.peers = {address("2001:db8::1"), address("2001:db8::2")};
	Wanted wanted;
	wanted.dlifs = {"mn1mar1", "mn3mar1"};
	wanted.entries = {prefix("2001:db8:1:1::/64"), prefix("2001:db8:1:3::/64")};

	KernelLink kept = link_of(dlif_install("mn1mar1"));
	KernelLink stale = link_of(dlif_install("mn2mar1", "02:00:00:00:00:02"));
	KernelLink foreign = link_of(dlif_install("other0", "02:00:00:00:00:05"));
	foreign.lower = "eth9";
	KernelLink dummy;
	dummy.name = "dummy0";
	dummy.kind = "dummy";

	const std::vector<KernelEntry> entries{
		{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"), "mn1mar1", std::nullopt},
		{prefix("2001:db8:1:2::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"), "mn2mar1", std::nullopt},
		{prefix("2001:db8:2:7::/64"), dmm::TunnelRole::serving, address("2001:db8::2"), std::nullopt, std::nullopt},
		{prefix("2001:db8:f::/48"), dmm::TunnelRole::local_export, std::nullopt, std::nullopt, std::nullopt},
		{prefix("2001:db8:e::/48"), dmm::TunnelRole::local_net, address("2001:db8::77"), "other0", std::nullopt},
	};
	const auto plan = plan_reconcile(wanted, {kept, stale, foreign, dummy}, entries, scope);
	EXPECT_EQ(plan.keep_dlifs, std::vector<std::string>{"mn1mar1"});
	EXPECT_EQ(plan.create_dlifs, std::vector<std::string>{"mn3mar1"});
	EXPECT_EQ(plan.remove_dlifs, std::vector<std::string>{"mn2mar1"});
	EXPECT_EQ(plan.foreign_dlifs, std::vector<std::string>{"other0"});
	EXPECT_EQ(plan.keep_entries, std::vector<Ipv6Prefix>{prefix("2001:db8:1:1::/64")});
	EXPECT_EQ(plan.create_entries, std::vector<Ipv6Prefix>{prefix("2001:db8:1:3::/64")});
	EXPECT_EQ(plan.remove_entries, (std::vector<Ipv6Prefix>{prefix("2001:db8:1:2::/64"),
								prefix("2001:db8:2:7::/64"), prefix("2001:db8:f::/48")}));
	EXPECT_EQ(plan.foreign_entries, std::vector<Ipv6Prefix>{prefix("2001:db8:e::/48")});
}

TEST(PlanReconcile, NothingOwnedAfterALostStateRemovesEverythingInScope)
{
	Scope scope;
	scope.lowers = {"eth1"};
	const auto plan = plan_reconcile({}, {link_of(dlif_install())}, {}, scope);
	EXPECT_EQ(plan.remove_dlifs, std::vector<std::string>{"mn1mar1"});
	EXPECT_TRUE(plan.keep_dlifs.empty());
}

KernelLink access_link(const std::string &name, std::optional<std::uint32_t> mtu)
{
	KernelLink link;
	link.name = name;
	link.kind = "veth";
	link.mtu = mtu;
	return link;
}

TEST(TunnelSafeMtu, TheSmallestAccessMtuLessTheOuterHeader)
{
	FakeKernel kernel;
	kernel.add_link(access_link("eth1", 1500));
	kernel.add_link(access_link("eth2", 9000));
	auto mtu = tunnel_safe_mtu(kernel, {"eth2", "eth1"});
	ASSERT_TRUE(mtu) << mtu.error();
	EXPECT_EQ(*mtu, 1460u);
}

TEST(TunnelSafeMtu, TheSmallestThatStillCarries1280InsideATunnel)
{
	FakeKernel kernel;
	kernel.add_link(access_link("eth1", 1320));
	auto mtu = tunnel_safe_mtu(kernel, {"eth1"});
	ASSERT_TRUE(mtu) << mtu.error();
	EXPECT_EQ(*mtu, 1280u);

	kernel.add_link(access_link("eth2", 1319));
	mtu = tunnel_safe_mtu(kernel, {"eth1", "eth2"});
	ASSERT_FALSE(mtu);
	EXPECT_EQ(mtu.error(), "access MTU 1319 leaves less than 1280 inside a tunnel");
}

TEST(TunnelSafeMtu, NoMtuWhenAnInterfaceIsMissingOrSaysNothing)
{
	FakeKernel kernel;
	kernel.add_link(access_link("eth1", 1500));
	auto mtu = tunnel_safe_mtu(kernel, {"eth1", "eth9"});
	ASSERT_FALSE(mtu);
	EXPECT_EQ(mtu.error(), "eth9: no such interface");

	kernel.add_link(access_link("eth9", std::nullopt));
	mtu = tunnel_safe_mtu(kernel, {"eth1", "eth9"});
	ASSERT_FALSE(mtu);
	EXPECT_EQ(mtu.error(), "eth9: the kernel reports no MTU");

	mtu = tunnel_safe_mtu(kernel, {});
	ASSERT_FALSE(mtu);
	EXPECT_EQ(mtu.error(), "no access interfaces");
}

TEST(TunnelSafeMtu, AKernelThatRefusesNamesTheInterfaceAndItsError)
{
	FakeKernel kernel;
	kernel.add_link(access_link("eth1", 1500));
	kernel.set_failure("get link", ENOBUFS);
	const auto mtu = tunnel_safe_mtu(kernel, {"eth1"});
	ASSERT_FALSE(mtu);
	EXPECT_TRUE(mtu.error().starts_with("eth1: ")) << mtu.error();
	EXPECT_NE(mtu.error().find("fake failure of get link eth1"), std::string::npos) << mtu.error();
}

// Relay state is recognised by the "dlr" names alone: a rule naming a
// relay tunnel that is gone is still a relay rule; the operator's tunnel
// and rules are never in the plan; a relay tunnel with other addresses
// than wanted goes (the install re-creates it), with its routes.
TEST(PlanRelays, RemovesWhatNoRelayWantsByNameAlone)
{
	dmm::InstallRelay wanted;
	wanted.prefix = prefix("2001:db8:5::/48");
	wanted.local = address("2001:db8::100");
	wanted.anchor = dmm::RelayTunnel{address("2001:db8::1"), "dlra1"};
	wanted.serving = dmm::RelayTunnel{address("2001:db8:2::1"), "dlrs1"};
	wanted.table = 1001;
	wanted.rule_priority = 1000;
	auto tunnel = [](const char *name, const char *remote) {
		KernelLink link;
		link.name = name;
		link.kind = "ip6tnl";
		link.tunnel_local = address("2001:db8::100");
		link.tunnel_remote = address(remote);
		return link;
	};
	const std::vector<KernelLink> tunnels{tunnel("dlra1", "2001:db8::1"), tunnel("dlrs1", "2001:db8:2::99"),
					      tunnel("ip6tnl0", "::"), tunnel("dlrold", "2001:db8::7")};
	const std::vector<KernelRule> rules{{1000, prefix("2001:db8:5::/48"), "dlrs1", 1001},
					    {1000, prefix("2001:db8:6::/48"), "dlrgone", 1001},
					    {900, prefix("2001:db8:6::/48"), "eth0", 1001}};
	const std::vector<KernelDeviceRoute> routes{{Ipv6Prefix{}, "dlra1", 1001},
						    {Ipv6Prefix{}, "dlra1", 1009},
						    {prefix("2001:db8:5::/48"), "dlrs1", 254},
						    {prefix("2001:db8:8::/48"), "dlrold", 254}};
	const RelayPlan plan = plan_relays({wanted}, tunnels, rules, routes);
	EXPECT_EQ(plan.remove_tunnels, (std::vector<std::string>{"dlrs1", "dlrold"}));
	EXPECT_EQ(plan.remove_rules, (std::vector<KernelRule>{{1000, prefix("2001:db8:6::/48"), "dlrgone", 1001}}));
	EXPECT_EQ(plan.remove_routes, (std::vector<KernelDeviceRoute>{{Ipv6Prefix{}, "dlra1", 1009}}));

	EXPECT_TRUE(plan_relays({wanted}, {tunnel("dlra1", "2001:db8::1"), tunnel("dlrs1", "2001:db8:2::1")},
				{rules[0]}, {routes[0], routes[2]})
			    .empty());
}

TEST(PlanRelays, TheLastActionForAPrefixWins)
{
	dmm::InstallRelay a;
	a.prefix = prefix("2001:db8:5::/48");
	a.table = 1;
	dmm::InstallRelay b = a;
	b.table = 2;
	dmm::InstallRelay c = a;
	c.prefix = prefix("2001:db8:6::/48");
	EXPECT_EQ(relays_wanted_by({a, c, b}), (std::vector<dmm::InstallRelay>{c, b}));
	EXPECT_EQ(relays_wanted_by({a, c, dmm::RemoveRelay{prefix("2001:db8:5::/48")}}), (std::vector<dmm::InstallRelay>{c}));
}

} // namespace
} // namespace dlif::daemon
