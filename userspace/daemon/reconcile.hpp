// SPDX-License-Identifier: GPL-2.0
//
// The decisions that bring the kernel to what a core wants, as pure
// functions of the wanted state and what the kernel reports, so that the
// rules are tested without a kernel:
//
// * plan_dlif(): InstallDlif is idempotent. A missing DLIF is created; an
//   existing one is changed in place (MAC, node, anchoring MAAR, up,
//   addresses, routes) and never deleted, so that a flow through it survives a
//   daemon restart. Only a DLIF on another lower device must be
//   re-created; a non-dlif link with the name is a conflict left alone.
// * plan_reconcile(): at start, after restore(), the kernel's DLIFs and
//   entries that the restored state does not own are removed, owned ones
//   are kept as they are, and what is not in the kernel is created.
//   "Ours" is scoped: DLIFs on this daemon's access (or LMA) interfaces,
//   entries whose peer is a domain node or whose DLIF is ours, and
//   local-export entries open to every peer; anything else in the
//   namespace is foreign and left untouched.
// * plan_relays(): a home LMA's relays (dmm::InstallRelay) converge the
//   same way, on a restart or whenever the core's whole list is known.
//   What is a relay's is recognised without any record: dlifd names its
//   relay tunnels "dlr..." (kRelayDevicePrefix), so an ip6tnl link so
//   named is a relay tunnel; a rule whose input interface (FRA_IIFNAME)
//   is so named is a relay rule, even when the device is gone (the kernel
//   keeps a rule that names a missing device); a static route without a
//   gateway through a relay tunnel is a relay route. Those the list does
//   not want are removed; anything else is the operator's and left alone.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dlif/dmm/io.hpp"
#include "kernel.hpp"

namespace dlif::daemon {

// The addresses an InstallDlif puts on its DLIF: the identity's link-local
// /64 and the router address (prefix::1) of each prefix with the prefix's
// length, the latter without the kernel's connected route: the prefix is
// routed by way of the node's gateway address instead (node_gateway).
std::vector<KernelAddress> wanted_addresses(const dmm::InstallDlif &dlif);

// The gateway of the routes to a node's prefixes through its DLIF: the
// modified-EUI-64 link-local address of the node's MAC. On the DLIF (a
// point-to-point link to one node, Documentation/design.rst) any gateway
// reaches the node; one fixed gateway makes the kernel keep one neighbour
// entry per DLIF instead of one per destination address, and dlifd makes
// it permanent, so that no neighbour table limit applies.
Ipv6Address node_gateway(const MacAddress &mn);

struct DlifPlan {
	bool create = false;
	bool recreate = false;			// delete first: it sits on another lower device
	std::optional<std::string> conflict;	// refuse: why
	DlifUpdate update;			// on an existing DLIF
	// configure_ipv6: on a new DLIF, and on one whose IPv6 settings the
	// kernel did not report as configure_ipv6 leaves them (three sysctl
	// writes, on every install before).
	bool configure = true;
	bool bring_up = false;
	// In this order: the neighbour, the routes added (their metric, 1024,
	// is not the connected route's 256, so an address that gives up its
	// connected route hands over to the gateway route without a gap),
	// the routes and addresses removed, the addresses added. Routes are
	// set (created or replaced: a route left with another node's gateway
	// is corrected) when their address is added, so that an unchanged
	// DLIF costs no route request.
	std::optional<KernelNeighbour> neighbour;	// set (permanent) when a route is added
	std::optional<KernelNeighbour> stale_neighbour;	// the previous node's, deleted
	std::vector<KernelRoute> add_routes;
	std::vector<KernelRoute> remove_routes;
	std::vector<KernelAddress> remove_addresses;
	std::vector<KernelAddress> add_addresses;	// an existing one is replaced (its flags)

	bool changes_nothing() const
	{
		return !create && !recreate && !conflict && update.empty() && !bring_up && add_addresses.empty() &&
		       remove_addresses.empty() && add_routes.empty() && remove_routes.empty() && !neighbour &&
		       !stale_neighbour;
	}
};

DlifPlan plan_dlif(const dmm::InstallDlif &wanted, const std::optional<KernelLink> &current,
		   const std::vector<KernelAddress> &current_addresses);

KernelEntry to_kernel_entry(const dmm::InstallEntry &entry);

struct Scope {
	std::set<std::string> lowers;		// access interfaces / the LMA interface
	std::set<Ipv6Address> peers;	// domain nodes
	// The relay tunnels, rules and routes (dlr*) are ours to converge: a
	// CMD's, which may be or have been a home LMA. A MAAR never relays.
	bool relays = false;
};

struct Wanted {
	std::vector<std::string> dlifs;			// names, in install order
	std::vector<Ipv6Prefix> entries;
};

// What a sequence of actions leaves installed (a later Remove cancels an
// earlier Install).
Wanted wanted_by(const dmm::Actions &actions);

inline constexpr std::string_view kRelayDevicePrefix = "dlr";
bool is_relay_device_name(std::string_view name) noexcept;

// What a relay wants in the kernel besides its two tunnels.
KernelRule relay_rule(const dmm::InstallRelay &relay);
KernelDeviceRoute relay_downlink_route(const dmm::InstallRelay &relay);	// prefix -> serving, main table
KernelDeviceRoute relay_uplink_route(const dmm::InstallRelay &relay);	// ::/0 -> anchor, relay.table

struct RelayPlan {
	std::vector<KernelRule> remove_rules;
	// Through relay tunnels that stay (a tunnel removed takes its routes).
	std::vector<KernelDeviceRoute> remove_routes;
	// Relay tunnels no relay wants, or wanted with other addresses than
	// the kernel's (re-created by the install that follows).
	std::vector<std::string> remove_tunnels;

	bool empty() const { return remove_rules.empty() && remove_routes.empty() && remove_tunnels.empty(); }
};

// `tunnels`: the kernel's ip6tnl links; `routes`: the device routes
// through those of them that are relay tunnels.
RelayPlan plan_relays(const std::vector<dmm::InstallRelay> &wanted, const std::vector<KernelLink> &tunnels,
		      const std::vector<KernelRule> &rules, const std::vector<KernelDeviceRoute> &routes);

// What a sequence of actions leaves relayed (a later RemoveRelay cancels
// an earlier InstallRelay of the prefix, a later InstallRelay replaces it).
std::vector<dmm::InstallRelay> relays_wanted_by(const dmm::Actions &actions);

struct ReconcilePlan {
	std::vector<std::string> keep_dlifs;
	std::vector<std::string> create_dlifs;
	std::vector<std::string> remove_dlifs;
	std::vector<std::string> foreign_dlifs;
	std::vector<Ipv6Prefix> keep_entries;
	std::vector<Ipv6Prefix> create_entries;
	std::vector<Ipv6Prefix> remove_entries;
	std::vector<Ipv6Prefix> foreign_entries;
	RelayPlan relays;	// Executor::reconcile converges the relays too
};

// The MTU a MAAR advertises when maar.ra.mtu is not set: the smallest MTU
// of its access interfaces less the 40 octets of the outer IPv6 header
// (RFC 2473). A node then sends, and through its TCP MSS asks its
// correspondents for, packets that still fit once tunnelled, so no flow
// through an anchor depends on a Packet Too Big reaching its sender (a
// core that filters ICMPv6 would black-hole it). The core is assumed to
// carry the access links' MTU; where it carries less, maar.ra.mtu says
// so. An error says why no MTU can be derived: the kernel refused, an
// interface is missing or reports no MTU, or what is left inside a
// tunnel is below IPv6's minimum of 1280.
inline constexpr std::uint32_t kTunnelOverhead = 40;
dlif::Result<std::uint32_t, std::string> tunnel_safe_mtu(Kernel &kernel, const std::vector<std::string> &interfaces);

ReconcilePlan plan_reconcile(const Wanted &wanted, const std::vector<KernelLink> &kernel_dlifs,
			     const std::vector<KernelEntry> &kernel_entries, const Scope &scope);

} // namespace dlif::daemon
