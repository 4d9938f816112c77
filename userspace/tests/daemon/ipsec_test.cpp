// SPDX-License-Identifier: GPL-2.0
//
// [security] require_ipsec: which IPsec policies protect the Mobility
// Header with a peer (the daemon's smoke test runs the same check against
// the kernel's own policies).
#include <gtest/gtest.h>

#include <cstring>

#include "ipsec.hpp"

namespace dlif::daemon {
namespace {

using Direction = nl::XfrmPolicy::Direction;

Ipv6Address ip(const char *text)
{
	return *Ipv6Address::from_string(text);
}

nl::XfrmPolicy esp(Direction direction, const char *source, std::uint8_t source_length, const char *destination,
		   std::uint8_t destination_length, std::uint8_t protocol = 135)
{
	nl::XfrmPolicy policy;
	policy.direction = direction;
	std::memcpy(policy.source.data(), ip(source).bytes.data(), 16);
	std::memcpy(policy.destination.data(), ip(destination).bytes.data(), 16);
	policy.source_length = source_length;
	policy.destination_length = destination_length;
	policy.protocol = protocol;
	policy.requires_esp = true;
	return policy;
}

const Ipv6Address kCmd = ip("2001:db8:ff::100");
const std::vector<Ipv6Address> kMaars = {ip("2001:db8:ff::1"), ip("2001:db8:ff::2")};

TEST(Ipsec, PoliciesForEachPeerBothWays)
{
	std::vector<nl::XfrmPolicy> policies;
	for (const auto &maar : {"2001:db8:ff::1", "2001:db8:ff::2"}) {
		policies.push_back(esp(Direction::out, "2001:db8:ff::100", 128, maar, 128));
		policies.push_back(esp(Direction::in, maar, 128, "2001:db8:ff::100", 128));
	}
	EXPECT_TRUE(ipsec_gaps(policies, kCmd, kMaars).empty());
	policies.pop_back();
	const auto gaps = ipsec_gaps(policies, kCmd, kMaars);
	ASSERT_EQ(gaps.size(), 1u);
	EXPECT_EQ(gaps[0], "no IPsec policy requires ESP for Mobility Headers from 2001:db8:ff::2 to "
			   "2001:db8:ff::100 (dir in)");
}

TEST(Ipsec, ASubnetPolicyOrAnyProtocolCovers)
{
	const std::vector<nl::XfrmPolicy> policies = {
		esp(Direction::out, "2001:db8:ff::", 64, "2001:db8:ff::", 64, 0),
		esp(Direction::in, "2001:db8:ff::", 64, "2001:db8:ff::", 64, 0)};
	EXPECT_TRUE(ipsec_gaps(policies, kCmd, kMaars).empty());
}

TEST(Ipsec, WhatDoesNotCount)
{
	auto out = esp(Direction::out, "::", 0, "::", 0);
	auto in = esp(Direction::in, "::", 0, "::", 0);
	EXPECT_TRUE(ipsec_gaps({out, in}, kCmd, kMaars).empty());
	auto variant = [&](auto change) {
		auto changed_out = out;
		auto changed_in = in;
		change(changed_out);
		change(changed_in);
		return ipsec_gaps({changed_out, changed_in}, kCmd, kMaars).size();
	};
	EXPECT_EQ(variant([](nl::XfrmPolicy &p) { p.requires_esp = false; }), 4u);	// optional or AH only
	EXPECT_EQ(variant([](nl::XfrmPolicy &p) { p.allow = false; }), 4u);		// block
	EXPECT_EQ(variant([](nl::XfrmPolicy &p) { p.protocol = 17; }), 4u);		// UDP
	EXPECT_EQ(variant([](nl::XfrmPolicy &p) { p.all_mh_types = false; }), 4u);	// one MH type
	EXPECT_EQ(variant([](nl::XfrmPolicy &p) { p.ipv6 = false; }), 4u);
	EXPECT_EQ(variant([](nl::XfrmPolicy &p) { p.direction = Direction::forward; }), 4u);
}

TEST(Ipsec, APreferredPolicyThatLetsMhThroughOpensAGap)
{
	std::vector<nl::XfrmPolicy> policies;
	for (const auto &maar : {"2001:db8:ff::1", "2001:db8:ff::2"}) {
		policies.push_back(esp(Direction::out, "2001:db8:ff::100", 128, maar, 128));
		policies.push_back(esp(Direction::in, maar, 128, "2001:db8:ff::100", 128));
		policies.back().priority = 100;
	}
	// "ip xfrm policy add ... proto 135 type 5 dir in priority 10" with no
	// template: PBUs from MAAR2 would bypass ESP.
	auto bypass = esp(Direction::in, "2001:db8:ff::2", 128, "2001:db8:ff::100", 128);
	bypass.requires_esp = false;
	bypass.all_mh_types = false;
	bypass.priority = 10;
	policies.push_back(bypass);
	auto coverage = ipsec_coverage(policies, kCmd, kMaars);
	EXPECT_EQ(coverage.unprotected_from, std::vector<Ipv6Address>{kMaars[1]});
	// Preferred but blocking, or requiring ESP itself: nothing leaks.
	policies.back().allow = false;
	EXPECT_TRUE(ipsec_coverage(policies, kCmd, kMaars).complete());
	policies.back().allow = true;
	policies.back().requires_esp = true;
	EXPECT_TRUE(ipsec_coverage(policies, kCmd, kMaars).complete());
	// Less preferred than the ESP policy: never applied.
	policies.back().requires_esp = false;
	policies.back().priority = 200;
	EXPECT_TRUE(ipsec_coverage(policies, kCmd, kMaars).complete());
}

TEST(Ipsec, CoverageSaysWhichWayIsUnprotected)
{
	std::vector<nl::XfrmPolicy> policies = {esp(Direction::out, "2001:db8:ff::100", 128, "2001:db8:ff::1", 128),
						esp(Direction::in, "2001:db8:ff::1", 128, "2001:db8:ff::100", 128),
						esp(Direction::out, "2001:db8:ff::100", 128, "2001:db8:ff::2", 128)};
	const auto coverage = ipsec_coverage(policies, kCmd, kMaars);
	EXPECT_FALSE(coverage.complete());
	EXPECT_TRUE(coverage.protects_from(kMaars[0]));
	EXPECT_TRUE(coverage.protects_to(kMaars[0]));
	EXPECT_FALSE(coverage.protects_from(kMaars[1]));	// its inbound policy is missing
	EXPECT_TRUE(coverage.protects_to(kMaars[1]));
	EXPECT_EQ(ipsec_gaps(coverage, kCmd).size(), 1u);
	// A node that is no peer is never "protected": it is not checked.
	EXPECT_EQ(coverage.unprotected_from, std::vector<Ipv6Address>{kMaars[1]});
}

TEST(Ipsec, ChangesNameEachDirectionLostOrRestored)
{
	std::vector<nl::XfrmPolicy> policies;
	for (const auto &maar : {"2001:db8:ff::1", "2001:db8:ff::2"}) {
		policies.push_back(esp(Direction::out, "2001:db8:ff::100", 128, maar, 128));
		policies.push_back(esp(Direction::in, maar, 128, "2001:db8:ff::100", 128));
	}
	const auto whole = ipsec_coverage(policies, kCmd, kMaars);
	EXPECT_TRUE(ipsec_changes(whole, whole).empty());
	// "ip xfrm policy flush": every direction of every peer is lost.
	const auto none = ipsec_coverage({}, kCmd, kMaars);
	EXPECT_EQ(ipsec_changes(whole, none).size(), 4u);
	// The inbound policy of MAAR2 deleted, then added again.
	auto fewer = policies;
	fewer.pop_back();
	const auto partial = ipsec_coverage(fewer, kCmd, kMaars);
	EXPECT_EQ(ipsec_changes(whole, partial), (std::vector<IpsecChange>{{kMaars[1], Direction::in, true}}));
	EXPECT_EQ(ipsec_changes(partial, whole), (std::vector<IpsecChange>{{kMaars[1], Direction::in, false}}));
}

TEST(Ipsec, PeersOfEachRole)
{
	Config cmd;
	cmd.cmd = dmm::CmdConfig{};
	cmd.cmd->domain.maars = kMaars;
	EXPECT_EQ(signalling_peers(cmd), kMaars);
	Config maar;
	maar.role = Role::maar;
	maar.maar = dmm::MaarConfig{};
	maar.maar->address = kMaars[0];
	maar.maar->cmd = kCmd;
	maar.maar->domain.maars = kMaars;
	EXPECT_EQ(signalling_peers(maar), std::vector<Ipv6Address>{kCmd});
	// Locator mode: previous MAARs answer the serving MAAR directly.
	maar.maar->cmd_mode = dmm::CmdMode::locator;
	EXPECT_EQ(signalling_peers(maar), (std::vector<Ipv6Address>{kCmd, kMaars[1]}));
	// Direct mode: no CMD; every other MAAR is a peer.
	maar.maar->direct = true;
	EXPECT_EQ(signalling_peers(maar), std::vector<Ipv6Address>{kMaars[1]});
}

} // namespace
} // namespace dlif::daemon
