// SPDX-License-Identifier: GPL-2.0
#include "dlif/dmm/claims.hpp"

#include <algorithm>

#include "dlif/dmm/pool.hpp"

namespace dlif::dmm {

namespace {

bool overlaps_any(const Ipv6Prefix &prefix, std::span<const Ipv6Prefix> own)
{
	return std::any_of(own.begin(), own.end(), [&](const Ipv6Prefix &mine) { return overlaps(mine, prefix); });
}

bool inside(const Ipv6Prefix &outer, const Ipv6Prefix &inner)
{
	return inner.length >= outer.length && outer.contains(inner.address);
}

} // namespace

const MaarClaims *Domain::claims_of(const Ipv6Address &maar) const noexcept
{
	if (claims.size() != maars.size())
		return nullptr;
	const auto it = std::find(maars.begin(), maars.end(), maar);
	return it == maars.end() ? nullptr : &claims[static_cast<std::size_t>(it - maars.begin())];
}

ClaimProblem home_prefix_problem(const Domain &domain, const Ipv6Address &claimant, const Ipv6Prefix &prefix,
				 std::span<const Ipv6Prefix> own)
{
	if (prefix.length == 0)
		return "default-prefix";
	const MaarClaims *claims = domain.claims_of(claimant);
	const std::uint8_t length = claims ? claims->prefix_length : domain.prefix_length;
	if (prefix.length != length)
		return "prefix-length";
	if (claims && !inside(claims->pool, prefix))
		return "outside-pool";
	if (overlaps_any(prefix, own))
		return "overlaps-own";
	return std::nullopt;
}

ClaimProblem home_lma_prefix_problem(const HomeLma &lma, const Ipv6Prefix &prefix, std::span<const Ipv6Prefix> own)
{
	if (prefix.length == 0)
		return "default-prefix";
	if (prefix.length != lma.prefix_length)
		return "prefix-length";
	const bool in_blocks = std::any_of(lma.prefixes.begin(), lma.prefixes.end(),
					   [&](const Ipv6Prefix &block) { return inside(block, prefix); });
	if (!in_blocks)
		return "outside-home-prefixes";
	if (overlaps_any(prefix, own))
		return "overlaps-own";
	return std::nullopt;
}

ClaimProblem local_prefix_problem(const Domain &domain, const Ipv6Address &claimant, const Ipv6Prefix &prefix,
				  std::span<const Ipv6Prefix> own)
{
	if (prefix.length == 0)
		return "default-prefix";
	if (overlaps_any(prefix, own))
		return "overlaps-own";
	if (const MaarClaims *claims = domain.claims_of(claimant)) {
		const bool configured = std::any_of(claims->local_prefixes.begin(), claims->local_prefixes.end(),
						    [&](const Ipv6Prefix &allowed) { return inside(allowed, prefix); });
		if (!configured)
			return "not-configured";
	}
	return std::nullopt;
}

ClaimProblem dlif_identity_problem(const DlifIdentity &identity)
{
	if (identity.mac.is_zero() || (identity.mac.bytes[0] & 0x01) != 0)
		return "dlif-mac";
	static const Ipv6Prefix link_local{Ipv6Address::from_string("fe80::").value(), 64};
	if (!link_local.contains(identity.link_local) || identity.link_local == link_local.address)
		return "dlif-link-local";
	return std::nullopt;
}

} // namespace dlif::dmm
