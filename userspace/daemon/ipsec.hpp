// SPDX-License-Identifier: GPL-2.0
//
// [security] require_ipsec: before dlifd trusts a peer's signalling it
// checks that the namespace's IPsec policies (RFC 5213 §4, RFC 4877)
// require ESP for the Mobility Header both ways between this node and
// each peer it signals with. Pure: the policies come from nl/xfrm.hpp.
#pragma once

#include <string>
#include <vector>

#include "config.hpp"
#include "dlif/nl/xfrm.hpp"

namespace dlif::daemon {

// The peers this node exchanges Mobility Headers with: the MAARs for the
// CMD; the CMD for a MAAR, and the other MAARs in locator mode (previous
// MAARs answer the serving MAAR directly).
std::vector<Ipv6Address> signalling_peers(const Config &config);

// Which directions of Mobility Header traffic with each peer the policies
// protect. A policy covers a direction when it is an IPv6 "allow" policy
// of that direction whose selector contains both addresses, selects
// protocol 135 (every MH type) or any protocol, and has a non-optional
// ESP template.
struct IpsecCoverage {
	std::vector<Ipv6Address> unprotected_from;	// peer -> this node
	std::vector<Ipv6Address> unprotected_to;	// this node -> peer

	bool protects_from(const Ipv6Address &peer) const;
	bool protects_to(const Ipv6Address &peer) const;
	bool complete() const { return unprotected_from.empty() && unprotected_to.empty(); }
	bool operator==(const IpsecCoverage &) const = default;
};

IpsecCoverage ipsec_coverage(const std::vector<nl::XfrmPolicy> &policies, const Ipv6Address &own,
			     const std::vector<Ipv6Address> &peers);

// What changed between two coverages of the same peers: each direction
// that lost its protection or got it back, for the log.
struct IpsecChange {
	Ipv6Address peer;
	nl::XfrmPolicy::Direction direction;	// in: from the peer; out: to it
	bool lost;
	bool operator==(const IpsecChange &) const = default;
};
std::vector<IpsecChange> ipsec_changes(const IpsecCoverage &before, const IpsecCoverage &after);

// One line per missing direction, e.g. "no IPsec policy requires ESP for
// Mobility Headers from 2001:db8:ff::1 to 2001:db8:ff::100 (dir in)";
// empty when every peer is covered.
std::vector<std::string> ipsec_gaps(const IpsecCoverage &coverage, const Ipv6Address &own);
std::vector<std::string> ipsec_gaps(const std::vector<nl::XfrmPolicy> &policies, const Ipv6Address &own,
				    const std::vector<Ipv6Address> &peers);

} // namespace dlif::daemon
