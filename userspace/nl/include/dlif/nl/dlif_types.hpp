// SPDX-License-Identifier: GPL-2.0
//
// Value types of the dlif generic netlink family (uapi/linux/dlif.h): the
// tunnel table entries, their counters, the DLIF devices, filters and
// notifications. Plain data: no I/O, no netlink.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dlif/address.hpp"

namespace dlif::nl {

// Values are those of enum dlif_role. A newer kernel may report a role
// this code does not know; it is kept as its number.
enum class Role : uint8_t {
	anchor = 1,
	serving = 2,
	local_net = 3,
	local_export = 4,
	attached = 5,
};

// "anchor", "serving", "local-net", "local-export", "attached"; "role-N"
// for others.
std::string role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

struct EntryStats {
	uint64_t encap_packets = 0;
	uint64_t encap_bytes = 0;	// inner packet bytes
	uint64_t decap_packets = 0;
	uint64_t decap_bytes = 0;	// inner packet bytes
	uint64_t drop_spoof = 0;
	uint64_t drop_too_big = 0;
	uint64_t drop_no_route = 0;
	uint64_t drop_hop_limit = 0;
	uint64_t drop_ecn = 0;
	uint64_t drop_other = 0;

	bool operator==(const EntryStats &) const = default;
	// Field by field: totals over entries (dlifctl metrics).
	EntryStats &operator+=(const EntryStats &other)
	{
		encap_packets += other.encap_packets;
		encap_bytes += other.encap_bytes;
		decap_packets += other.decap_packets;
		decap_bytes += other.decap_bytes;
		drop_spoof += other.drop_spoof;
		drop_too_big += other.drop_too_big;
		drop_no_route += other.drop_no_route;
		drop_hop_limit += other.drop_hop_limit;
		drop_ecn += other.drop_ecn;
		drop_other += other.drop_other;
		return *this;
	}
};

inline constexpr uint8_t default_hop_limit = 64;

// One tunnel table entry; the prefix is its key.
struct Entry {
	Ipv6Prefix prefix;
	Role role = Role::serving;
	std::optional<Ipv6Address> peer;	// the other MAAR; none for attached, optional for local-export
	Ipv6Address local;			// outer source; :: = chosen by route
	uint32_t ifindex = 0;			// the entry's DLIF; 0 = none
	std::optional<MacAddress> mn;		// the DLIF's node it names; none = its primary
	uint8_t hop_limit = default_hop_limit;	// outer hop limit, 1..255
	std::optional<EntryStats> stats;	// in replies to get and dump only

	bool operator==(const Entry &) const = default;
};

// Which entries a dump returns; every field set must match.
struct EntryFilter {
	std::optional<Role> role;
	std::optional<Ipv6Address> peer;
	std::optional<uint32_t> ifindex;
	std::optional<MacAddress> mn;

	bool operator==(const EntryFilter &) const = default;
	bool matches(const Entry &entry) const;
};

// Which entries a flush deletes: all when nothing is set.
struct FlushFilter {
	std::optional<Ipv6Address> peer;
	std::optional<uint32_t> ifindex;

	bool operator==(const FlushFilter &) const = default;
};

// A DLIF (the dlif netdevice) as the kernel reports it.
struct DlifDevice {
	uint32_t ifindex = 0;
	std::string name;
	uint32_t link = 0;			// the lower (access) device
	MacAddress address;			// the DLIF's own MAC
	std::optional<MacAddress> mn;		// the mobile node's MAC
	std::optional<Ipv6Address> maar;	// the anchoring MAAR it represents

	bool operator==(const DlifDevice &) const = default;
};

// DLIF_CMD_DEV_SET: the fields set are changed, the others kept.
struct DeviceUpdate {
	uint32_t ifindex = 0;
	std::optional<MacAddress> mn;
	std::optional<Ipv6Address> maar;

	bool operator==(const DeviceUpdate &) const = default;
};

// A mobile node's binding to a DLIF (DLIF_CMD_BINDING_*): the DLIF receives
// the node's frames sent to the router MAC, and the kernel answers the
// node's Neighbor Solicitations for the router link-local address. The
// primary binding is the one DLIF_CMD_DEV_SET sets (router = the DLIF's own
// MAC and addresses); dumps report it.
struct Binding {
	uint32_t ifindex = 0;
	MacAddress mn;
	MacAddress router;
	bool primary = false;
	std::optional<Ipv6Address> router_ll;	// not primary; optional
	// Frames the node sent to the router MAC; dumps of bindings that are
	// not primary.
	std::optional<uint64_t> rx_packets;

	bool operator==(const Binding &) const = default;
};

enum class EntryEvent : uint8_t {
	added,		// DLIF_CMD_ENTRY_NEW
	replaced,	// DLIF_CMD_ENTRY_SET
	deleted,	// DLIF_CMD_ENTRY_DEL
};

std::string_view event_name(EntryEvent event);

struct Notification {
	EntryEvent event = EntryEvent::added;
	Entry entry;

	bool operator==(const Notification &) const = default;
};

// A binding added (BINDING_NEW) or deleted (BINDING_DEL, or with its DLIF).
struct BindingNotification {
	bool added = true;
	Binding binding;

	bool operator==(const BindingNotification &) const = default;
};

// An operation of a pipelined batch.
enum class EntryOpKind : uint8_t {
	add,		// DLIF_CMD_ENTRY_NEW
	replace,	// DLIF_CMD_ENTRY_SET
	remove,		// DLIF_CMD_ENTRY_DEL (only the prefix is used)
};

struct EntryOp {
	EntryOpKind kind = EntryOpKind::add;
	Entry entry;
};

}  // namespace dlif::nl
