// SPDX-License-Identifier: GPL-2.0
//
// What the executor needs of the kernel, in the cores' vocabulary: DLIFs
// (rtnetlink links of kind "dlif", their IPv6 addresses, sysctls, routes
// and neighbour), tunnel table entries (the dlif generic netlink family)
// and, for a home LMA's relays, ip6tnl links, routes without a gateway in
// any table and IPv6 policy rules. LinuxKernel
// (linux_kernel.hpp) talks netlink; tests use an in-memory fake. No
// method throws; failures carry the kernel's extack text.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dlif/dmm/io.hpp"
#include "dlif/dmm/types.hpp"
#include "dlif/nl/result.hpp"

namespace dlif::daemon {

using nl::Result;
using nl::Status;

// A link as the kernel has it (any kind: a non-dlif link with a DLIF's
// name is a conflict the executor must not paper over).
struct KernelLink {
	std::string name;
	std::uint32_t ifindex = 0;
	std::string kind;		// "dlif" for DLIFs
	std::string lower;		// name of IFLA_LINK, empty if none
	MacAddress mac;
	std::optional<MacAddress> mn;
	std::optional<Ipv6Address> maar;
	bool up = false;
	bool addr_gen_none = false;	// IPv6 address generation off
	// Forwarding on and accept_ra off, as configure_ipv6 sets them; none
	// when the kernel did not say.
	std::optional<bool> ipv6_router;
	std::optional<std::uint32_t> mtu;	// IFLA_MTU, if the kernel said
	// Kind "ip6tnl": the tunnel's outer addresses.
	std::optional<Ipv6Address> tunnel_local;
	std::optional<Ipv6Address> tunnel_remote;

	bool is_dlif() const { return kind == "dlif"; }
	bool is_ip6tnl() const { return kind == "ip6tnl"; }
	friend bool operator==(const KernelLink &, const KernelLink &) = default;
};

struct KernelAddress {
	Ipv6Address address;
	std::uint8_t prefix_length = 0;
	// The kernel's own route to the prefix through the link (a connected
	// route); false is IFA_F_NOPREFIXROUTE.
	bool prefix_route = true;

	bool same_address(const KernelAddress &other) const
	{
		return address == other.address && prefix_length == other.prefix_length;
	}
	friend bool operator==(const KernelAddress &, const KernelAddress &) = default;
	friend auto operator<=>(const KernelAddress &a, const KernelAddress &b)
	{
		if (auto c = a.address <=> b.address; c != 0)
			return c;
		if (auto c = a.prefix_length <=> b.prefix_length; c != 0)
			return c;
		return a.prefix_route <=> b.prefix_route;
	}
};

// A route to a node's prefix through its DLIF by way of one link-local
// gateway, so that the kernel keeps one neighbour entry per DLIF, not one
// per destination address (Documentation/design.rst).
struct KernelRoute {
	Ipv6Prefix prefix;
	Ipv6Address gateway;

	friend bool operator==(const KernelRoute &, const KernelRoute &) = default;
};

// A permanent neighbour entry on a DLIF.
struct KernelNeighbour {
	Ipv6Address address;
	MacAddress mac;

	friend bool operator==(const KernelNeighbour &, const KernelNeighbour &) = default;
};

struct KernelEntry {
	Ipv6Prefix prefix;
	dmm::TunnelRole role = dmm::TunnelRole::serving;
	std::optional<Ipv6Address> peer;
	std::optional<std::string> dlif;	// name of the entry's DLIF
	// The node of the DLIF the prefix is for, on a DLIF shared by several
	// nodes; none: the DLIF's own node.
	std::optional<MacAddress> mn;

	friend bool operator==(const KernelEntry &, const KernelEntry &) = default;
};

// A node's binding to a DLIF shared by several nodes: the DLIF receives
// the node's frames sent to `router`, and the kernel answers the node's
// Neighbor Solicitations for `router_ll` (Documentation/kernel.rst).
struct KernelBinding {
	MacAddress mn;
	MacAddress router;
	Ipv6Address router_ll;

	friend bool operator==(const KernelBinding &, const KernelBinding &) = default;
};

// A relay tunnel: an ip6tnl link carrying IPv6 in IPv6 from `local` to
// `remote`, without the encapsulation-limit option, up.
struct KernelTunnel {
	std::string name;
	Ipv6Address local;
	Ipv6Address remote;

	friend bool operator==(const KernelTunnel &, const KernelTunnel &) = default;
};

// A route through a tunnel, without a gateway, in routing table `table`,
// protocol "static" (the mark of the routes dlifd makes).
struct KernelDeviceRoute {
	Ipv6Prefix prefix;
	std::string device;
	std::uint32_t table = kMainTable;

	static constexpr std::uint32_t kMainTable = 254;	// RT_TABLE_MAIN
	friend bool operator==(const KernelDeviceRoute &, const KernelDeviceRoute &) = default;
};

// An IPv6 policy rule: what comes from `source` in by `iif` is looked up
// in `table`, at `priority`.
struct KernelRule {
	std::uint32_t priority = 0;
	Ipv6Prefix source;
	std::string iif;
	std::uint32_t table = 0;

	friend bool operator==(const KernelRule &, const KernelRule &) = default;
};

struct DlifCreate {
	std::string name;
	std::string lower;
	MacAddress mac;
	MacAddress mn;
	Ipv6Address maar;
};

// Fields to change on an existing DLIF; unset ones are left alone.
struct DlifUpdate {
	std::optional<MacAddress> mac;
	std::optional<MacAddress> mn;
	std::optional<Ipv6Address> maar;

	bool empty() const { return !mac && !mn && !maar; }
};

class Kernel {
public:
	virtual ~Kernel() = default;

	virtual Result<std::vector<KernelLink>> dlifs() = 0;	// every link of kind dlif
	virtual Result<std::optional<KernelLink>> link(const std::string &name) = 0;
	// The frames the device has received (IFLA_STATS64 rx_packets), or
	// nothing if there is no such device.
	virtual Result<std::optional<std::uint64_t>> received_frames(const std::string &name) = 0;
	virtual Result<std::vector<KernelAddress>> addresses(const std::string &dlif) = 0;	// IPv6
	// Every link's IPv6 addresses by ifindex, in one dump (a restart's
	// view of every DLIF at once).
	virtual Result<std::map<std::uint32_t, std::vector<KernelAddress>>> all_addresses() = 0;
	virtual Status create_dlif(const DlifCreate &create) = 0;
	virtual Status update_dlif(const std::string &name, const DlifUpdate &update) = 0;
	// R191: address generation off (no link-local of the kernel's own),
	// accept_ra 0, forwarding 1; idempotent.
	virtual Status configure_ipv6(const std::string &name) = 0;
	virtual Status set_up(const std::string &name) = 0;
	virtual Status delete_dlif(const std::string &name) = 0;
	virtual Status add_address(const std::string &dlif, const KernelAddress &address) = 0;	// without DAD
	virtual Status delete_address(const std::string &dlif, const KernelAddress &address) = 0;
	// set_route creates the route or replaces the one to the same prefix
	// with the same metric (whatever its gateway); delete_route: ESRCH
	// when there is none.
	virtual Status set_route(const std::string &dlif, const KernelRoute &route) = 0;
	virtual Status delete_route(const std::string &dlif, const KernelRoute &route) = 0;
	virtual Status set_neighbour(const std::string &dlif, const KernelNeighbour &neighbour) = 0;	// replaces
	virtual Status delete_neighbour(const std::string &dlif, const KernelNeighbour &neighbour) = 0;

	virtual Result<std::vector<KernelEntry>> entries() = 0;
	// The serving entries' packets, encapsulated plus decapsulated, per
	// prefix ([maar] release_idle_after).
	virtual Result<std::vector<std::pair<Ipv6Prefix, std::uint64_t>>> serving_traffic() = 0;
	virtual Status replace_entry(const KernelEntry &entry) = 0;
	virtual Status remove_entry(const Ipv6Prefix &prefix) = 0;

	// The bindings of a DLIF besides its own node's (BINDING_GET).
	virtual Result<std::vector<KernelBinding>> bindings(const std::string &dlif) = 0;
	// EEXIST if the node has a binding on the DLIF; the kernel removes the
	// node's entries with its binding (ENOENT if there is none).
	virtual Status add_binding(const std::string &dlif, const KernelBinding &binding) = 0;
	virtual Status remove_binding(const std::string &dlif, const MacAddress &mn) = 0;
	// The frames the node sent to its binding on the DLIF (the DLIF's own
	// counters add up all its nodes), or nothing if it has none there.
	virtual Result<std::optional<std::uint64_t>> binding_frames(const std::string &dlif, const MacAddress &mn) = 0;

	// Relays (a home LMA). Links of kind ip6tnl, with their addresses.
	virtual Result<std::vector<KernelLink>> tunnels() = 0;
	virtual Status create_tunnel(const KernelTunnel &tunnel) = 0;	// EEXIST if the name is taken
	virtual Status delete_tunnel(const std::string &name) = 0;	// ENODEV if there is none
	// The static routes without a gateway through `device`, in every
	// table (the kernel's own, such as fe80::/64, are not listed).
	virtual Result<std::vector<KernelDeviceRoute>> device_routes(const std::string &device) = 0;
	// Creates or replaces the route to the prefix in the table; delete:
	// ESRCH when there is none, ENODEV when the device is gone.
	virtual Status set_device_route(const KernelDeviceRoute &route) = 0;
	virtual Status delete_device_route(const KernelDeviceRoute &route) = 0;
	// IPv6 rules that send what comes from a prefix in by a device to a table.
	virtual Result<std::vector<KernelRule>> rules() = 0;
	virtual Status add_rule(const KernelRule &rule) = 0;	// EEXIST if the same rule is there
	// Deletes one rule at rule.priority from rule.source, also matching
	// rule.iif unless empty and rule.table unless 0; ENOENT if none.
	virtual Status delete_rule(const KernelRule &rule) = 0;
};

} // namespace dlif::daemon
