// SPDX-License-Identifier: GPL-2.0
#include "ipsec.hpp"

#include <algorithm>
#include <cstring>

namespace dlif::daemon {

namespace {

constexpr std::uint8_t kMobilityHeader = 135;

bool selects(const std::array<std::uint8_t, 16> &bytes, std::uint8_t length, const dmm::Ipv6Address &address)
{
	dmm::Ipv6Prefix prefix;
	std::memcpy(prefix.address.bytes.data(), bytes.data(), 16);
	prefix.length = length;
	return prefix.contains(address);
}

bool covers(const nl::XfrmPolicy &policy, nl::XfrmPolicy::Direction direction, const dmm::Ipv6Address &from,
	    const dmm::Ipv6Address &to)
{
	return policy.direction == direction && policy.allow && policy.ipv6 && policy.requires_esp &&
	       (policy.protocol == 0 || (policy.protocol == kMobilityHeader && policy.all_mh_types)) &&
	       selects(policy.source, policy.source_length, from) &&
	       selects(policy.destination, policy.destination_length, to);
}

} // namespace

std::vector<dmm::Ipv6Address> signalling_peers(const Config &config)
{
	if (config.cmd)
		return config.cmd->domain.maars;
	std::vector<dmm::Ipv6Address> peers{config.maar->cmd};
	if (config.maar->cmd_mode == dmm::CmdMode::locator)
		for (const auto &maar : config.maar->domain.maars)
			if (maar != config.maar->address)
				peers.push_back(maar);
	return peers;
}

std::vector<std::string> ipsec_gaps(const std::vector<nl::XfrmPolicy> &policies, const dmm::Ipv6Address &own,
				    const std::vector<dmm::Ipv6Address> &peers)
{
	using Direction = nl::XfrmPolicy::Direction;
	std::vector<std::string> gaps;
	auto check = [&](Direction direction, const dmm::Ipv6Address &from, const dmm::Ipv6Address &to) {
		const bool covered = std::any_of(policies.begin(), policies.end(), [&](const nl::XfrmPolicy &policy) {
			return covers(policy, direction, from, to);
		});
		if (!covered)
			gaps.push_back("no IPsec policy requires ESP for Mobility Headers from " + from.to_string() +
				       " to " + to.to_string() + " (dir " +
				       (direction == Direction::out ? "out" : "in") + ")");
	};
	for (const auto &peer : peers) {
		check(Direction::out, own, peer);
		check(Direction::in, peer, own);
	}
	return gaps;
}

} // namespace dlif::daemon
