// SPDX-License-Identifier: GPL-2.0
//
// What a peer may claim in signalling, and the checks that keep a claim
// from becoming kernel state when it should not (Documentation/security.rst).
// A Home Network Prefix, a Previous MAAR option's prefix, a Local Prefix
// or a DLIF identity arrives from the network; the cores install it as
// entries, routes and addresses. These checks hold with or without IPsec:
// IPsec says who sent a message, these say whether what it says is
// possible in the domain as configured.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "dlif/dmm/config.hpp"
#include "dlif/dmm/types.hpp"

namespace dlif::dmm {

// Why a claim is refused; nullopt when it is acceptable. The strings are
// stable log values.
using ClaimProblem = std::optional<std::string_view>;

// A prefix `claimant` (a MAAR of `domain`) says it anchors for a node.
// Refused: ::/0 and anything shorter than the claimant's prefix length
// or of another length, a prefix outside the claimant's configured pool
// (when the domain lists pools), and one that overlaps `own` (the
// receiver's own address, pool and local networks).
ClaimProblem home_prefix_problem(const Domain &domain, const Ipv6Address &claimant, const Ipv6Prefix &prefix,
				 std::span<const Ipv6Prefix> own);

// A prefix a partner domain's home LMA says it anchors for a node
// visiting here (seed 004 §5). Refused: ::/0, a prefix of another length
// than the LMA's, one outside its blocks, and one that overlaps `own`.
ClaimProblem home_lma_prefix_problem(const HomeLma &lma, const Ipv6Prefix &prefix, std::span<const Ipv6Prefix> own);

// A network `claimant` says is reachable only through it (Local Prefix
// option). Refused: ::/0, a prefix that overlaps `own`, and, when the
// domain lists what each MAAR may claim, one that is not inside the
// claimant's configured local prefixes.
ClaimProblem local_prefix_problem(const Domain &domain, const Ipv6Address &claimant, const Ipv6Prefix &prefix,
				  std::span<const Ipv6Prefix> own);

// A DLIF identity from the DLIF Link-layer / Link-local options: a
// unicast, non-zero MAC and a link-local unicast address (fe80::/64).
ClaimProblem dlif_identity_problem(const DlifIdentity &identity);

} // namespace dlif::dmm
