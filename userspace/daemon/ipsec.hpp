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
std::vector<dmm::Ipv6Address> signalling_peers(const Config &config);

// One line per missing direction, e.g. "no IPsec policy requires ESP for
// Mobility Headers from 2001:db8:ff::1 to 2001:db8:ff::100 (dir out)";
// empty when every peer is covered. A policy covers a direction when it is
// an IPv6 "allow" policy of that direction whose selector contains both
// addresses, selects protocol 135 (every MH type) or any protocol, and has
// a non-optional ESP template.
std::vector<std::string> ipsec_gaps(const std::vector<nl::XfrmPolicy> &policies, const dmm::Ipv6Address &own,
				    const std::vector<dmm::Ipv6Address> &peers);

} // namespace dlif::daemon
