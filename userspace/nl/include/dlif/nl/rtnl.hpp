// SPDX-License-Identifier: GPL-2.0
//
// rtnetlink for dlifd: dlif links (create with their MAC, lower device,
// mobile node and anchoring MAAR; change; bring up; delete; get; dump) and
// IPv6 addresses (add without DAD, delete, dump), IPv6 routes through a
// link (add, replace, delete) and permanent neighbours; for a home LMA's
// relays, ip6tnl links, routes without a gateway in any table (add,
// replace, delete, dump) and IPv6 policy rules (add, delete, dump). Message
// building and
// parsing are pure functions of buffers, tested without a kernel;
// RtnlClient owns a NETLINK_ROUTE socket and does the round trips.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dlif/address.hpp"
#include "dlif/nl/result.hpp"
#include "dlif/nl/socket.hpp"

namespace dlif::nl {

// What RTM_NEWLINK creates: a dlif on `lower` (IFLA_LINK) with its own MAC
// (IFLA_ADDRESS), bound to the node `mn` and representing `maar`
// (IFLA_INFO_DATA), down. Turn IPv6 address generation off with
// LinkChange::addr_gen_mode (or the addr_gen_mode sysctl) before bringing
// it up, so that the kernel gives it no link-local address of its own.
struct DlifLinkSpec {
	std::string name;
	uint32_t lower = 0;
	MacAddress address;
	std::optional<MacAddress> mn;
	std::optional<Ipv6Address> maar;
};

// RTM_NEWLINK on an existing link: only the fields set change. `mn` and
// `maar` need the kind "dlif" (they travel in IFLA_INFO_DATA).
struct LinkChange {
	uint32_t ifindex = 0;
	std::optional<MacAddress> address;
	std::optional<MacAddress> mn;
	std::optional<Ipv6Address> maar;
	std::optional<bool> up;
	std::optional<uint8_t> addr_gen_mode;	// IN6_ADDR_GEN_MODE_*
};

struct LinkInfo {
	uint32_t ifindex = 0;
	std::string name;
	uint32_t link = 0;			// IFLA_LINK (the lower device), 0 if none
	std::optional<MacAddress> address;
	std::optional<uint32_t> mtu;		// IFLA_MTU
	uint32_t flags = 0;			// IFF_*
	std::string kind;			// IFLA_INFO_KIND, empty for plain devices
	std::optional<MacAddress> dlif_mn;	// IFLA_DLIF_MN_ADDR
	std::optional<Ipv6Address> dlif_maar;	// IFLA_DLIF_MAAR_ADDR
	std::optional<uint8_t> addr_gen_mode;	// IFLA_AF_SPEC / AF_INET6
	// The link's IPv6 sysctls forwarding and accept_ra (IFLA_AF_SPEC /
	// AF_INET6 / IFLA_INET6_CONF).
	std::optional<int32_t> ipv6_forwarding;
	std::optional<int32_t> ipv6_accept_ra;
	std::optional<uint64_t> rx_packets;	// IFLA_STATS64
	// Kind "ip6tnl": the outer addresses (IFLA_INFO_DATA IFLA_IPTUN_*).
	std::optional<Ipv6Address> tunnel_local;
	std::optional<Ipv6Address> tunnel_remote;

	bool up() const;
	bool operator==(const LinkInfo &) const = default;
};

struct InterfaceAddress {
	uint32_t ifindex = 0;
	Ipv6Address address;
	uint8_t prefix_length = 0;
	uint32_t flags = 0;	// IFA_F_*
	uint8_t scope = 0;	// RT_SCOPE_*
	// Valid and preferred lifetime in seconds (IFA_CACHEINFO); none:
	// permanent. The kernel removes the address when it runs out.
	std::optional<uint32_t> lifetime_s;

	bool operator==(const InterfaceAddress &) const = default;
};

// An IPv6 route in the main table through `ifindex`, by way of `gateway`
// (a link-local address), with the kernel's default metric for routes
// that userspace adds (1024) and protocol "static".
struct Route {
	uint32_t ifindex = 0;
	Ipv6Prefix destination;
	Ipv6Address gateway;

	bool operator==(const Route &) const = default;
};

// What RTM_NEWLINK creates for a relay: an ip6tnl link carrying IPv6 in
// IPv6 from `local` to `remote`, without the encapsulation-limit option
// (its destination option would make the peer's decapsulation path, and
// any middlebox, see an extension header on every packet), up.
struct Ip6TunnelSpec {
	std::string name;
	Ipv6Address local;
	Ipv6Address remote;
};

// An IPv6 route through `ifindex` with no gateway (a point-to-point
// tunnel needs none) in routing table `table`, protocol "static", the
// kernel's default metric. Routes with a gateway are Route's.
struct DeviceRoute {
	uint32_t ifindex = 0;
	Ipv6Prefix destination;
	uint32_t table = 254;	// RT_TABLE_MAIN

	bool operator==(const DeviceRoute &) const = default;
};

// An IPv6 route as a dump reports it.
struct RouteInfo {
	uint32_t table = 0;
	Ipv6Prefix destination;
	uint32_t ifindex = 0;			// RTA_OIF; 0 for multipath routes
	std::optional<Ipv6Address> gateway;
	uint8_t protocol = 0;			// RTPROT_*
	uint8_t type = 0;			// RTN_*

	bool operator==(const RouteInfo &) const = default;
};

// An IPv6 policy rule that looks packets from `source` arriving on `iif`
// up in `table` (FR_ACT_TO_TBL) at `priority`. For a delete, the kernel
// removes the first rule matching every field given: an empty `iif` and
// table 0 match any.
struct Rule {
	uint32_t priority = 0;
	std::optional<Ipv6Prefix> source;
	std::string iif;
	uint32_t table = 0;

	bool operator==(const Rule &) const = default;
};

// A permanent neighbour entry: `address` on `ifindex` is `mac`. Permanent
// entries are exempt from the neighbour table's garbage collection and
// from its gc_thresh limits, and neighbour discovery never overrides them.
struct Neighbour {
	uint32_t ifindex = 0;
	Ipv6Address address;
	MacAddress mac;

	bool operator==(const Neighbour &) const = default;
};

// How RTM_NEWROUTE treats a route of the same destination and metric:
// `create` fails with EEXIST, `replace` replaces it.
enum class RouteWrite : uint8_t { create, replace, remove };

// ---- pure: requests into a caller's buffer (aligned like message.hpp
// says), 0 when it does not fit -------------------------------------------

std::size_t build_create_dlif(std::span<std::byte> buffer, uint32_t seq, const DlifLinkSpec &spec);
std::size_t build_change_link(std::span<std::byte> buffer, uint32_t seq, const LinkChange &change);
std::size_t build_delete_link(std::span<std::byte> buffer, uint32_t seq, uint32_t ifindex);
std::size_t build_get_link(std::span<std::byte> buffer, uint32_t seq, const std::string &name);
std::size_t build_dump_links(std::span<std::byte> buffer, uint32_t seq);
// RTM_NEWADDR with NLM_F_CREATE | NLM_F_REPLACE (idempotent), or RTM_DELADDR.
std::size_t build_address(std::span<std::byte> buffer, uint32_t seq, bool add, const InterfaceAddress &address);
std::size_t build_dump_addresses(std::span<std::byte> buffer, uint32_t seq,
				 std::optional<uint32_t> ifindex = std::nullopt);
std::size_t build_route(std::span<std::byte> buffer, uint32_t seq, RouteWrite write, const Route &route);
std::size_t build_create_ip6tnl(std::span<std::byte> buffer, uint32_t seq, const Ip6TunnelSpec &spec);
std::size_t build_device_route(std::span<std::byte> buffer, uint32_t seq, RouteWrite write, const DeviceRoute &route);
// Every IPv6 route through `ifindex` (the kernel filters when strict
// checking is on; parse_route's caller filters again for older kernels).
std::size_t build_dump_routes(std::span<std::byte> buffer, uint32_t seq, uint32_t ifindex);
// RTM_NEWRULE with NLM_F_CREATE | NLM_F_EXCL (the kernel otherwise adds
// a duplicate: EEXIST is the caller's "already there"), or RTM_DELRULE.
std::size_t build_rule(std::span<std::byte> buffer, uint32_t seq, bool add, const Rule &rule);
std::size_t build_dump_rules(std::span<std::byte> buffer, uint32_t seq);
// RTM_NEWNEIGH (NUD_PERMANENT, NLM_F_CREATE | NLM_F_REPLACE) or RTM_DELNEIGH.
std::size_t build_neighbour(std::span<std::byte> buffer, uint32_t seq, bool add, const Neighbour &neighbour);

// ---- pure: replies --------------------------------------------------------

std::optional<LinkInfo> parse_link(const nlmsghdr &message);
// IPv6 addresses only; nullopt for others and for malformed messages.
std::optional<InterfaceAddress> parse_address(const nlmsghdr &message);
// IPv6 routes only.
std::optional<RouteInfo> parse_route(const nlmsghdr &message);
// IPv6 rules with the action "to table" only (the others, such as the
// kernel's unreachable or goto rules, are not Rules).
std::optional<Rule> parse_rule(const nlmsghdr &message);

// ---- I/O ------------------------------------------------------------------

class RtnlClient {
public:
	static Result<RtnlClient> open();

	Socket &socket() { return socket_; }

	Status create_dlif(const DlifLinkSpec &spec);		// EEXIST if the name is taken
	Status change_link(const LinkChange &change);
	Status delete_link(uint32_t ifindex);
	// nullopt when there is no link of that name.
	Result<std::optional<LinkInfo>> get_link(const std::string &name);
	Result<std::vector<LinkInfo>> list_links();

	Status add_address(const InterfaceAddress &address);	// replaces an existing one
	Status delete_address(const InterfaceAddress &address);
	Result<std::vector<InterfaceAddress>> list_addresses(std::optional<uint32_t> ifindex = std::nullopt);

	Status write_route(RouteWrite write, const Route &route);
	Status set_neighbour(const Neighbour &neighbour);	// replaces an existing one
	Status delete_neighbour(const Neighbour &neighbour);

	Status create_ip6tnl(const Ip6TunnelSpec &spec);	// EEXIST if the name is taken
	Status write_device_route(RouteWrite write, const DeviceRoute &route);
	Result<std::vector<RouteInfo>> list_routes(uint32_t ifindex);
	Status add_rule(const Rule &rule);			// EEXIST if there is one like it
	Status delete_rule(const Rule &rule);			// ENOENT if none matches
	Result<std::vector<Rule>> list_rules();

private:
	explicit RtnlClient(Socket socket);

	Status request(std::size_t size);

	Socket socket_;
	std::vector<std::byte> buffer_;
};

}  // namespace dlif::nl
