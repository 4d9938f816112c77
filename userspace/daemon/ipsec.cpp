// SPDX-License-Identifier: GPL-2.0
#include "ipsec.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

namespace dlif::daemon {

namespace {

constexpr std::uint8_t kMobilityHeader = 135;

bool selects(const std::array<std::uint8_t, 16> &bytes, std::uint8_t length, const Ipv6Address &address)
{
	Ipv6Prefix prefix;
	std::memcpy(prefix.address.bytes.data(), bytes.data(), 16);
	prefix.length = length;
	return prefix.contains(address);
}

// The policy selects some or all Mobility Headers between the addresses.
bool applies(const nl::XfrmPolicy &policy, nl::XfrmPolicy::Direction direction, const Ipv6Address &from,
	     const Ipv6Address &to)
{
	return policy.direction == direction && policy.ipv6 &&
	       (policy.protocol == 0 || policy.protocol == kMobilityHeader) &&
	       selects(policy.source, policy.source_length, from) &&
	       selects(policy.destination, policy.destination_length, to);
}

// What it does to the packets it applies to leaves none in the clear: it
// requires ESP, or it drops them.
bool keeps_mh_protected(const nl::XfrmPolicy &policy)
{
	return !policy.allow || policy.requires_esp;
}

// ESP is required for every MH between the addresses: a policy that
// applies to all of them requires it, and no policy the kernel would
// prefer (a lower or equal priority value: equal ones are applied in an
// order the dump does not show) lets some through in the clear.
bool covers(const std::vector<nl::XfrmPolicy> &policies, nl::XfrmPolicy::Direction direction,
	    const Ipv6Address &from, const Ipv6Address &to)
{
	std::optional<std::uint32_t> best;
	for (const auto &policy : policies)
		if (applies(policy, direction, from, to) && policy.allow && policy.requires_esp &&
		    (policy.protocol == 0 || policy.all_mh_types))
			best = std::min(best.value_or(policy.priority), policy.priority);
	if (!best)
		return false;
	return std::none_of(policies.begin(), policies.end(), [&](const nl::XfrmPolicy &policy) {
		return applies(policy, direction, from, to) && policy.priority <= *best && !keeps_mh_protected(policy);
	});
}

} // namespace

std::vector<Ipv6Address> signalling_peers(const Config &config)
{
	if (config.cmd) {
		// And the visited MAARs of partner domains (R117).
		std::vector<Ipv6Address> peers = config.cmd->domain.maars;
		if (config.cmd->roaming)
			peers.insert(peers.end(), config.cmd->roaming->visited.begin(), config.cmd->roaming->visited.end());
		return peers;
	}
	std::vector<Ipv6Address> peers;
	for (const auto &lma : config.maar->home_lmas)
		peers.push_back(lma.address);
	if (!config.maar->direct)
		peers.push_back(config.maar->cmd);
	if (config.maar->direct || config.maar->cmd_mode == dmm::CmdMode::locator)
		for (const auto &maar : config.maar->domain.maars)
			if (maar != config.maar->address)
				peers.push_back(maar);
	return peers;
}

bool IpsecCoverage::protects_from(const Ipv6Address &peer) const
{
	return std::find(unprotected_from.begin(), unprotected_from.end(), peer) == unprotected_from.end();
}

bool IpsecCoverage::protects_to(const Ipv6Address &peer) const
{
	return std::find(unprotected_to.begin(), unprotected_to.end(), peer) == unprotected_to.end();
}

IpsecCoverage ipsec_coverage(const std::vector<nl::XfrmPolicy> &policies, const Ipv6Address &own,
			     const std::vector<Ipv6Address> &peers)
{
	using Direction = nl::XfrmPolicy::Direction;
	IpsecCoverage coverage;
	for (const auto &peer : peers) {
		if (!covers(policies, Direction::out, own, peer))
			coverage.unprotected_to.push_back(peer);
		if (!covers(policies, Direction::in, peer, own))
			coverage.unprotected_from.push_back(peer);
	}
	return coverage;
}

std::vector<IpsecChange> ipsec_changes(const IpsecCoverage &before, const IpsecCoverage &after)
{
	using Direction = nl::XfrmPolicy::Direction;
	std::vector<IpsecChange> changes;
	auto compare = [&](const std::vector<Ipv6Address> &was, const std::vector<Ipv6Address> &is,
			   Direction direction) {
		auto has = [](const std::vector<Ipv6Address> &peers, const Ipv6Address &peer) {
			return std::find(peers.begin(), peers.end(), peer) != peers.end();
		};
		for (const auto &peer : is)
			if (!has(was, peer))
				changes.push_back({peer, direction, true});
		for (const auto &peer : was)
			if (!has(is, peer))
				changes.push_back({peer, direction, false});
	};
	compare(before.unprotected_from, after.unprotected_from, Direction::in);
	compare(before.unprotected_to, after.unprotected_to, Direction::out);
	return changes;
}

std::vector<std::string> ipsec_gaps(const IpsecCoverage &coverage, const Ipv6Address &own)
{
	auto gap = [](const Ipv6Address &from, const Ipv6Address &to, const char *direction) {
		return "no IPsec policy requires ESP for Mobility Headers from " + from.to_string() + " to " +
		       to.to_string() + " (dir " + direction + ")";
	};
	std::vector<std::string> gaps;
	for (const auto &peer : coverage.unprotected_to)
		gaps.push_back(gap(own, peer, "out"));
	for (const auto &peer : coverage.unprotected_from)
		gaps.push_back(gap(peer, own, "in"));
	return gaps;
}

std::vector<std::string> ipsec_gaps(const std::vector<nl::XfrmPolicy> &policies, const Ipv6Address &own,
				    const std::vector<Ipv6Address> &peers)
{
	return ipsec_gaps(ipsec_coverage(policies, own, peers), own);
}

} // namespace dlif::daemon
