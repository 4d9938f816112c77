// SPDX-License-Identifier: GPL-2.0
//
// Small helpers shared by the dmm test files.
#pragma once

#include <gtest/gtest.h>

#include "dlif/dmm/json.hpp"
#include "sim.hpp"

namespace dlif::sim {

inline const MacAddress kMn = mac("02:00:00:00:00:01");
inline const MacAddress kMn2 = mac("02:00:00:00:00:02");
inline constexpr NodeId M1 = 1;
inline constexpr NodeId M2 = 2;
inline constexpr NodeId M3 = 3;

inline MnId mn_id(const MacAddress &node)
{
	return mn_id_from_mac(node, "dlif.example");
}

// The prefix MAARk gives its n-th node (from 0): 2001:db8:k:n::/64.
inline Ipv6Prefix pref(NodeId maar, unsigned n = 0)
{
	Ipv6Prefix prefix = pfx("2001:db8::/64");
	prefix.address.bytes[5] = static_cast<std::uint8_t>(maar);
	prefix.address.bytes[7] = static_cast<std::uint8_t>(n);
	return prefix;
}

inline std::string dlif_name(unsigned number, NodeId anchoring)
{
	return "mn" + std::to_string(number) + "mar" + std::to_string(anchoring);
}

// A PBU as a MAAR would send it.
inline mh::ProxyBindingUpdate make_pbu(std::uint16_t seq, const MacAddress &node, const Ipv6Prefix &prefix,
				       mh::HandoffIndicator hi = mh::HandoffIndicator::HandoffStateUnknown,
				       std::uint16_t lifetime_units = 100, bool dmm = true)
{
	mh::ProxyBindingUpdate pbu;
	pbu.sequence = seq;
	pbu.flags.set(mh::BuFlag::Dmm, dmm);
	pbu.lifetime = mh::Lifetime::from_units(lifetime_units);
	pbu.options.mobile_node_identifier = to_option(mn_id(node));
	pbu.options.home_network_prefixes.push_back(prefix);
	pbu.options.handoff_indicator = hi;
	pbu.options.access_technology_type = mh::AccessTechnologyType::Ieee8023;
	return pbu;
}

inline std::vector<Wire> messages(const std::vector<Wire> &wires, NodeId from, NodeId to)
{
	std::vector<Wire> out;
	for (const auto &wire : wires)
		if (wire.from == from && wire.to == to)
			out.push_back(wire);
	return out;
}

#define EXPECT_INVARIANTS(net)                                                      \
	do {                                                                        \
		const auto violations_ = (net).invariant_violations();             \
		EXPECT_TRUE(violations_.empty()) << ::testing::PrintToString(violations_); \
	} while (0)

inline std::string mode_name(const ::testing::TestParamInfo<CmdMode> &mode)
{
	return std::string(dmm::json::name(mode.param));
}

} // namespace dlif::sim
