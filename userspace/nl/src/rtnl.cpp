// SPDX-License-Identifier: GPL-2.0
#include "dlif/nl/rtnl.hpp"

// Before the linux/ headers: linux/if.h (from linux/if_tunnel.h) then
// leaves out what net/if.h already declared.
#include <net/if.h>

#include <linux/dlif_link.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/ip6_tunnel.h>
#include <linux/ipv6.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <type_traits>
#include <vector>

#include "dlif/nl/message.hpp"
#include "dlif/nl/transaction.hpp"

namespace dlif::nl {

namespace {

constexpr std::size_t request_buffer_bytes = 4096;

ifinfomsg *put_ifinfo(MessageBuilder &msg, uint32_t ifindex)
{
	auto *ifi = static_cast<ifinfomsg *>(msg.put_extra_header(sizeof(ifinfomsg)));
	if (ifi != nullptr) {
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_index = static_cast<int>(ifindex);
	}
	return ifi;
}

void put_dlif_info(MessageBuilder &msg, const std::optional<MacAddress> &mn, const std::optional<Ipv6Address> &maar)
{
	auto linkinfo = msg.begin_nest(IFLA_LINKINFO);
	msg.put_string(IFLA_INFO_KIND, DLIF_LINK_KIND);
	if (mn || maar) {
		auto data = msg.begin_nest(IFLA_INFO_DATA);
		if (mn)
			msg.put_mac(IFLA_DLIF_MN_ADDR, *mn);
		if (maar)
			msg.put_ipv6(IFLA_DLIF_MAAR_ADDR, *maar);
		msg.end_nest(data);
	}
	msg.end_nest(linkinfo);
}

void put_addr_gen_mode(MessageBuilder &msg, uint8_t mode)
{
	auto af_spec = msg.begin_nest(IFLA_AF_SPEC);
	auto inet6 = msg.begin_nest(AF_INET6);
	msg.put_u8(IFLA_INET6_ADDR_GEN_MODE, mode);
	msg.end_nest(inet6);
	msg.end_nest(af_spec);
}

std::size_t finish(MessageBuilder &msg)
{
	return msg.ok() ? msg.size() : 0;
}

constexpr std::string_view ip6tnl_kind = "ip6tnl";

// A table id in the one-octet header field: ids from 256 up travel in
// their attribute (RTA_TABLE, FRA_TABLE) alone, the field saying UNSPEC.
uint8_t table_field(uint32_t table)
{
	return table < 256 ? static_cast<uint8_t>(table) : static_cast<uint8_t>(RT_TABLE_UNSPEC);
}

// The header of a route request: `write` says new or delete and how a
// route of the same destination and metric is treated.
MessageBuilder route_request(std::span<std::byte> buffer, uint32_t seq, RouteWrite write)
{
	uint16_t type = RTM_NEWROUTE;
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
	if (write == RouteWrite::create)
		flags |= NLM_F_EXCL;
	else if (write == RouteWrite::replace)
		flags |= NLM_F_REPLACE;
	else {
		type = RTM_DELROUTE;
		flags = NLM_F_REQUEST | NLM_F_ACK;
	}
	return MessageBuilder(buffer, type, flags, seq);
}

rtmsg *put_rtmsg(MessageBuilder &msg, const Ipv6Prefix &destination, uint32_t table)
{
	auto *rtm = static_cast<rtmsg *>(msg.put_extra_header(sizeof(rtmsg)));
	if (rtm != nullptr) {
		rtm->rtm_family = AF_INET6;
		rtm->rtm_dst_len = destination.length;
		rtm->rtm_table = table_field(table);
		rtm->rtm_protocol = RTPROT_STATIC;
		rtm->rtm_scope = RT_SCOPE_UNIVERSE;
		rtm->rtm_type = RTN_UNICAST;
	}
	return rtm;
}

// One value of IFLA_INET6_CONF: the link's IPv6 sysctls, an array of s32
// indexed by DEVCONF_*, as long as the kernel's (older kernels have fewer).
std::optional<int32_t> read_devconf(const nlattr &conf, std::size_t index)
{
	const auto payload = attribute_payload(conf);
	if (payload.size() < (index + 1) * sizeof(int32_t))
		return std::nullopt;
	int32_t value;
	std::memcpy(&value, payload.data() + index * sizeof(int32_t), sizeof(value));
	return value;
}

}  // namespace

bool LinkInfo::up() const
{
	return (flags & IFF_UP) != 0;
}

std::size_t build_create_dlif(std::span<std::byte> buffer, uint32_t seq, const DlifLinkSpec &spec)
{
	MessageBuilder msg(buffer, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq);
	put_ifinfo(msg, 0);
	msg.put_string(IFLA_IFNAME, spec.name);
	msg.put_u32(IFLA_LINK, spec.lower);
	msg.put_mac(IFLA_ADDRESS, spec.address);
	put_dlif_info(msg, spec.mn, spec.maar);
	// No IFLA_AF_SPEC here: the kernel refuses inet6 link attributes for
	// a device that has no inet6 state yet (EAFNOSUPPORT). The link is
	// created down; set addr_gen_mode before bringing it up, which is
	// when a link-local address would be generated (change_link(), or
	// the sysctl, which dlifd uses: an IFLA_AF_SPEC change also raises
	// NETDEV_CHANGE).
	return finish(msg);
}

std::size_t build_change_link(std::span<std::byte> buffer, uint32_t seq, const LinkChange &change)
{
	MessageBuilder msg(buffer, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
	ifinfomsg *ifi = put_ifinfo(msg, change.ifindex);
	if (ifi != nullptr && change.up) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = *change.up ? IFF_UP : 0;
	}
	if (change.address)
		msg.put_mac(IFLA_ADDRESS, *change.address);
	if (change.mn || change.maar)
		put_dlif_info(msg, change.mn, change.maar);
	if (change.addr_gen_mode)
		put_addr_gen_mode(msg, *change.addr_gen_mode);
	return finish(msg);
}

std::size_t build_delete_link(std::span<std::byte> buffer, uint32_t seq, uint32_t ifindex)
{
	MessageBuilder msg(buffer, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
	put_ifinfo(msg, ifindex);
	return finish(msg);
}

std::size_t build_get_link(std::span<std::byte> buffer, uint32_t seq, const std::string &name)
{
	MessageBuilder msg(buffer, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
	put_ifinfo(msg, 0);
	msg.put_string(IFLA_IFNAME, name);
	// Skip the per-VF and statistics blocks the kernel would add otherwise.
	msg.put_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return finish(msg);
}

std::size_t build_dump_links(std::span<std::byte> buffer, uint32_t seq)
{
	MessageBuilder msg(buffer, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq);
	put_ifinfo(msg, 0);
	msg.put_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return finish(msg);
}

std::size_t build_address(std::span<std::byte> buffer, uint32_t seq, bool add, const InterfaceAddress &address)
{
	const uint16_t flags = add ? NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE : NLM_F_REQUEST | NLM_F_ACK;
	MessageBuilder msg(buffer, add ? RTM_NEWADDR : RTM_DELADDR, flags, seq);
	auto *ifa = static_cast<ifaddrmsg *>(msg.put_extra_header(sizeof(ifaddrmsg)));
	if (ifa != nullptr) {
		ifa->ifa_family = AF_INET6;
		ifa->ifa_prefixlen = address.prefix_length;
		ifa->ifa_flags = static_cast<uint8_t>(address.flags & 0xff);
		ifa->ifa_scope = address.scope;
		ifa->ifa_index = address.ifindex;
	}
	msg.put_ipv6(IFA_ADDRESS, address.address);
	if (add)
		msg.put_u32(IFA_FLAGS, address.flags);
	if (add && address.lifetime_s) {
		ifa_cacheinfo lifetimes{};
		lifetimes.ifa_prefered = *address.lifetime_s;
		lifetimes.ifa_valid = *address.lifetime_s;
		msg.put_bytes(IFA_CACHEINFO, std::span(reinterpret_cast<const uint8_t *>(&lifetimes), sizeof(lifetimes)));
	}
	return finish(msg);
}

std::size_t build_dump_addresses(std::span<std::byte> buffer, uint32_t seq, std::optional<uint32_t> ifindex)
{
	MessageBuilder msg(buffer, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq);
	auto *ifa = static_cast<ifaddrmsg *>(msg.put_extra_header(sizeof(ifaddrmsg)));
	if (ifa != nullptr) {
		ifa->ifa_family = AF_INET6;
		ifa->ifa_index = ifindex.value_or(0);
	}
	return finish(msg);
}

std::size_t build_route(std::span<std::byte> buffer, uint32_t seq, RouteWrite write, const Route &route)
{
	MessageBuilder msg = route_request(buffer, seq, write);
	const Ipv6Prefix destination = route.destination.masked();
	put_rtmsg(msg, destination, RT_TABLE_MAIN);
	msg.put_ipv6(RTA_DST, destination.address);
	msg.put_ipv6(RTA_GATEWAY, route.gateway);
	msg.put_u32(RTA_OIF, route.ifindex);
	return finish(msg);
}

std::size_t build_device_route(std::span<std::byte> buffer, uint32_t seq, RouteWrite write, const DeviceRoute &route)
{
	MessageBuilder msg = route_request(buffer, seq, write);
	const Ipv6Prefix destination = route.destination.masked();
	put_rtmsg(msg, destination, route.table);
	// The default route has no RTA_DST: ::/0 is said by rtm_dst_len 0.
	if (destination.length > 0)
		msg.put_ipv6(RTA_DST, destination.address);
	msg.put_u32(RTA_TABLE, route.table);
	msg.put_u32(RTA_OIF, route.ifindex);
	return finish(msg);
}

std::size_t build_dump_routes(std::span<std::byte> buffer, uint32_t seq, uint32_t ifindex)
{
	MessageBuilder msg(buffer, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, seq);
	auto *rtm = static_cast<rtmsg *>(msg.put_extra_header(sizeof(rtmsg)));
	if (rtm != nullptr)
		rtm->rtm_family = AF_INET6;	// strict checking refuses any other header field
	msg.put_u32(RTA_OIF, ifindex);
	return finish(msg);
}

std::size_t build_rule(std::span<std::byte> buffer, uint32_t seq, bool add, const Rule &rule)
{
	const uint16_t flags = add ? NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL : NLM_F_REQUEST | NLM_F_ACK;
	MessageBuilder msg(buffer, add ? RTM_NEWRULE : RTM_DELRULE, flags, seq);
	auto *frh = static_cast<fib_rule_hdr *>(msg.put_extra_header(sizeof(fib_rule_hdr)));
	std::optional<Ipv6Prefix> source;
	if (rule.source)
		source = rule.source->masked();
	if (frh != nullptr) {
		frh->family = AF_INET6;
		frh->src_len = source ? source->length : 0;
		frh->table = table_field(rule.table);
		// A delete without an action matches a rule of any action.
		frh->action = add ? FR_ACT_TO_TBL : FR_ACT_UNSPEC;
	}
	msg.put_u32(FRA_PRIORITY, rule.priority);
	if (source && source->length > 0)
		msg.put_ipv6(FRA_SRC, source->address);
	if (!rule.iif.empty())
		msg.put_string(FRA_IIFNAME, rule.iif);
	if (rule.table != 0)
		msg.put_u32(FRA_TABLE, rule.table);
	return finish(msg);
}

std::size_t build_dump_rules(std::span<std::byte> buffer, uint32_t seq)
{
	MessageBuilder msg(buffer, RTM_GETRULE, NLM_F_REQUEST | NLM_F_DUMP, seq);
	auto *frh = static_cast<fib_rule_hdr *>(msg.put_extra_header(sizeof(fib_rule_hdr)));
	if (frh != nullptr)
		frh->family = AF_INET6;
	return finish(msg);
}

std::size_t build_create_ip6tnl(std::span<std::byte> buffer, uint32_t seq, const Ip6TunnelSpec &spec)
{
	MessageBuilder msg(buffer, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq);
	ifinfomsg *ifi = put_ifinfo(msg, 0);
	if (ifi != nullptr) {
		// Up in the same request: a relay tunnel has no addresses or
		// sysctls to set before it carries traffic.
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = IFF_UP;
	}
	msg.put_string(IFLA_IFNAME, spec.name);
	auto linkinfo = msg.begin_nest(IFLA_LINKINFO);
	msg.put_string(IFLA_INFO_KIND, ip6tnl_kind);
	auto data = msg.begin_nest(IFLA_INFO_DATA);
	msg.put_u8(IFLA_IPTUN_PROTO, IPPROTO_IPV6);
	msg.put_ipv6(IFLA_IPTUN_LOCAL, spec.local);
	msg.put_ipv6(IFLA_IPTUN_REMOTE, spec.remote);
	msg.put_u32(IFLA_IPTUN_FLAGS, IP6_TNL_F_IGN_ENCAP_LIMIT);
	msg.end_nest(data);
	msg.end_nest(linkinfo);
	return finish(msg);
}

std::size_t build_neighbour(std::span<std::byte> buffer, uint32_t seq, bool add, const Neighbour &neighbour)
{
	const uint16_t flags = add ? NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE : NLM_F_REQUEST | NLM_F_ACK;
	MessageBuilder msg(buffer, add ? RTM_NEWNEIGH : RTM_DELNEIGH, flags, seq);
	auto *ndm = static_cast<ndmsg *>(msg.put_extra_header(sizeof(ndmsg)));
	if (ndm != nullptr) {
		ndm->ndm_family = AF_INET6;
		ndm->ndm_ifindex = static_cast<int>(neighbour.ifindex);
		ndm->ndm_state = NUD_PERMANENT;
	}
	msg.put_ipv6(NDA_DST, neighbour.address);
	if (add)
		msg.put_mac(NDA_LLADDR, neighbour.mac);
	return finish(msg);
}

std::optional<LinkInfo> parse_link(const nlmsghdr &message)
{
	if (message.nlmsg_type != RTM_NEWLINK || message.nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg)))
		return std::nullopt;
	ifinfomsg ifi;
	std::memcpy(&ifi, NLMSG_DATA(&message), sizeof(ifi));
	LinkInfo link;
	link.ifindex = static_cast<uint32_t>(ifi.ifi_index);
	link.flags = ifi.ifi_flags;
	std::array<const nlattr *, IFLA_MAX + 1> tb{};
	if (!parse_attributes(message_payload(message, NLMSG_ALIGN(sizeof(ifinfomsg))), tb))
		return std::nullopt;
	if (auto name = read_string(tb[IFLA_IFNAME]))
		link.name = std::string(*name);
	link.link = read_u32(tb[IFLA_LINK]).value_or(0);
	link.address = read_mac(tb[IFLA_ADDRESS]);
	link.mtu = read_u32(tb[IFLA_MTU]);
	if (tb[IFLA_STATS64] != nullptr) {
		// Older kernels send a shorter rtnl_link_stats64; rx_packets
		// has been its first member from the start.
		const auto stats = attribute_payload(*tb[IFLA_STATS64]);
		uint64_t rx_packets;
		if (stats.size() >= sizeof(rx_packets)) {
			std::memcpy(&rx_packets, stats.data(), sizeof(rx_packets));
			link.rx_packets = rx_packets;
		}
	}
	if (tb[IFLA_LINKINFO] != nullptr) {
		std::array<const nlattr *, IFLA_INFO_MAX + 1> info{};
		if (parse_nested(*tb[IFLA_LINKINFO], info)) {
			if (auto kind = read_string(info[IFLA_INFO_KIND]))
				link.kind = std::string(*kind);
			if (link.kind == DLIF_LINK_KIND && info[IFLA_INFO_DATA] != nullptr) {
				std::array<const nlattr *, IFLA_DLIF_MAX + 1> data{};
				if (parse_nested(*info[IFLA_INFO_DATA], data)) {
					link.dlif_mn = read_mac(data[IFLA_DLIF_MN_ADDR]);
					link.dlif_maar = read_ipv6(data[IFLA_DLIF_MAAR_ADDR]);
				}
			}
			if (link.kind == ip6tnl_kind && info[IFLA_INFO_DATA] != nullptr) {
				std::array<const nlattr *, IFLA_IPTUN_MAX + 1> data{};
				if (parse_nested(*info[IFLA_INFO_DATA], data)) {
					link.tunnel_local = read_ipv6(data[IFLA_IPTUN_LOCAL]);
					link.tunnel_remote = read_ipv6(data[IFLA_IPTUN_REMOTE]);
				}
			}
		}
	}
	if (tb[IFLA_AF_SPEC] != nullptr) {
		std::array<const nlattr *, AF_INET6 + 1> families{};
		if (parse_nested(*tb[IFLA_AF_SPEC], families) && families[AF_INET6] != nullptr) {
			std::array<const nlattr *, IFLA_INET6_MAX + 1> inet6{};
			if (parse_nested(*families[AF_INET6], inet6)) {
				link.addr_gen_mode = read_u8(inet6[IFLA_INET6_ADDR_GEN_MODE]);
				if (inet6[IFLA_INET6_CONF] != nullptr) {
					link.ipv6_forwarding = read_devconf(*inet6[IFLA_INET6_CONF], DEVCONF_FORWARDING);
					link.ipv6_accept_ra = read_devconf(*inet6[IFLA_INET6_CONF], DEVCONF_ACCEPT_RA);
				}
			}
		}
	}
	return link;
}

std::optional<InterfaceAddress> parse_address(const nlmsghdr &message)
{
	if (message.nlmsg_type != RTM_NEWADDR || message.nlmsg_len < NLMSG_LENGTH(sizeof(ifaddrmsg)))
		return std::nullopt;
	ifaddrmsg ifa;
	std::memcpy(&ifa, NLMSG_DATA(&message), sizeof(ifa));
	if (ifa.ifa_family != AF_INET6)
		return std::nullopt;
	std::array<const nlattr *, IFA_MAX + 1> tb{};
	if (!parse_attributes(message_payload(message, NLMSG_ALIGN(sizeof(ifaddrmsg))), tb))
		return std::nullopt;
	// IFA_LOCAL is the local address when a peer is set; IFA_ADDRESS otherwise.
	auto address = read_ipv6(tb[IFA_LOCAL]);
	if (!address)
		address = read_ipv6(tb[IFA_ADDRESS]);
	if (!address)
		return std::nullopt;
	InterfaceAddress result;
	result.ifindex = ifa.ifa_index;
	result.address = *address;
	result.prefix_length = ifa.ifa_prefixlen;
	result.flags = read_u32(tb[IFA_FLAGS]).value_or(ifa.ifa_flags);
	result.scope = ifa.ifa_scope;
	if (const nlattr *cache = tb[IFA_CACHEINFO];
	    cache != nullptr && cache->nla_len >= NLA_HDRLEN + sizeof(ifa_cacheinfo)) {
		ifa_cacheinfo lifetimes;
		std::memcpy(&lifetimes, reinterpret_cast<const std::byte *>(cache) + NLA_HDRLEN, sizeof(lifetimes));
		if (lifetimes.ifa_valid != 0xffffffffu)	// INFINITY_LIFE_TIME: permanent
			result.lifetime_s = lifetimes.ifa_valid;
	}
	return result;
}

std::optional<RouteInfo> parse_route(const nlmsghdr &message)
{
	if (message.nlmsg_type != RTM_NEWROUTE || message.nlmsg_len < NLMSG_LENGTH(sizeof(rtmsg)))
		return std::nullopt;
	rtmsg rtm;
	std::memcpy(&rtm, NLMSG_DATA(&message), sizeof(rtm));
	if (rtm.rtm_family != AF_INET6)
		return std::nullopt;
	std::array<const nlattr *, RTA_MAX + 1> tb{};
	if (!parse_attributes(message_payload(message, NLMSG_ALIGN(sizeof(rtmsg))), tb))
		return std::nullopt;
	auto destination = Ipv6Prefix::make(read_ipv6(tb[RTA_DST]).value_or(Ipv6Address{}), rtm.rtm_dst_len);
	if (!destination)
		return std::nullopt;
	RouteInfo route;
	route.table = read_u32(tb[RTA_TABLE]).value_or(rtm.rtm_table);
	route.destination = *destination;
	route.ifindex = read_u32(tb[RTA_OIF]).value_or(0);
	route.gateway = read_ipv6(tb[RTA_GATEWAY]);
	route.protocol = rtm.rtm_protocol;
	route.type = rtm.rtm_type;
	return route;
}

std::optional<Rule> parse_rule(const nlmsghdr &message)
{
	if (message.nlmsg_type != RTM_NEWRULE || message.nlmsg_len < NLMSG_LENGTH(sizeof(fib_rule_hdr)))
		return std::nullopt;
	fib_rule_hdr frh;
	std::memcpy(&frh, NLMSG_DATA(&message), sizeof(frh));
	if (frh.family != AF_INET6 || frh.action != FR_ACT_TO_TBL)
		return std::nullopt;
	std::array<const nlattr *, FRA_MAX + 1> tb{};
	if (!parse_attributes(message_payload(message, NLMSG_ALIGN(sizeof(fib_rule_hdr))), tb))
		return std::nullopt;
	Rule rule;
	rule.priority = read_u32(tb[FRA_PRIORITY]).value_or(0);
	if (frh.src_len > 0) {
		auto source = read_ipv6(tb[FRA_SRC]);
		if (!source)
			return std::nullopt;
		rule.source = Ipv6Prefix::make(*source, frh.src_len);
		if (!rule.source)
			return std::nullopt;
	}
	if (auto iif = read_string(tb[FRA_IIFNAME]))
		rule.iif = std::string(*iif);
	rule.table = read_u32(tb[FRA_TABLE]).value_or(frh.table);
	return rule;
}

RtnlClient::RtnlClient(Socket socket) : socket_(std::move(socket)), buffer_(request_buffer_bytes) {}

Result<RtnlClient> RtnlClient::open()
{
	auto socket = Socket::open(NETLINK_ROUTE);
	if (!socket)
		return socket.error();
	// Strict checking makes the kernel honour the filters of a dump
	// request: an address dump for one DLIF then walks that device alone,
	// not every address of a MAAR with thousands of DLIFs. Before Linux
	// 4.20 the option does not exist and the dump is filtered here only.
	int one = 1;
	setsockopt(socket->fd(), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	return RtnlClient(std::move(*socket));
}

Status RtnlClient::request(std::size_t size)
{
	if (size == 0)
		return make_error(EMSGSIZE, "rtnetlink request too large");
	return transact(socket_, std::span(buffer_).first(size));
}

Status RtnlClient::create_dlif(const DlifLinkSpec &spec)
{
	return request(build_create_dlif(buffer_, socket_.next_seq(), spec));
}

Status RtnlClient::change_link(const LinkChange &change)
{
	return request(build_change_link(buffer_, socket_.next_seq(), change));
}

Status RtnlClient::delete_link(uint32_t ifindex)
{
	return request(build_delete_link(buffer_, socket_.next_seq(), ifindex));
}

Result<std::optional<LinkInfo>> RtnlClient::get_link(const std::string &name)
{
	const std::size_t size = build_get_link(buffer_, socket_.next_seq(), name);
	if (size == 0)
		return make_error(EMSGSIZE, "rtnetlink request too large");
	std::optional<LinkInfo> found;
	Status status = transact(socket_, std::span(buffer_).first(size), [&](const nlmsghdr &message) -> Status {
		if (auto link = parse_link(message))
			found = std::move(*link);
		return {};
	});
	if (!status) {
		if (status.error().code == ENODEV)
			return std::optional<LinkInfo>();
		return status.error();
	}
	return found;
}

namespace {

// A dump's messages that `parse` turns into values (nullopt: skipped).
template <class Parse>
auto collect(Socket &socket, std::span<const std::byte> request, Parse parse)
	-> Result<std::vector<typename std::invoke_result_t<Parse, const nlmsghdr &>::value_type>>
{
	std::vector<typename std::invoke_result_t<Parse, const nlmsghdr &>::value_type> values;
	auto summary = dump(socket, request, [&](const nlmsghdr &message) -> Status {
		if (auto value = parse(message))
			values.push_back(std::move(*value));
		return {};
	});
	if (!summary)
		return summary.error();
	return values;
}

} // namespace

Result<std::vector<LinkInfo>> RtnlClient::list_links()
{
	const std::size_t size = build_dump_links(buffer_, socket_.next_seq());
	return collect(socket_, std::span(buffer_).first(size), parse_link);
}

Status RtnlClient::add_address(const InterfaceAddress &address)
{
	return request(build_address(buffer_, socket_.next_seq(), true, address));
}

Status RtnlClient::delete_address(const InterfaceAddress &address)
{
	return request(build_address(buffer_, socket_.next_seq(), false, address));
}

Result<std::vector<InterfaceAddress>> RtnlClient::list_addresses(std::optional<uint32_t> ifindex)
{
	const std::size_t size = build_dump_addresses(buffer_, socket_.next_seq(), ifindex);
	return collect(socket_, std::span(buffer_).first(size), [&](const nlmsghdr &message) {
		auto address = parse_address(message);
		if (address && ifindex && address->ifindex != *ifindex)
			address.reset();
		return address;
	});
}

Status RtnlClient::write_route(RouteWrite write, const Route &route)
{
	return request(build_route(buffer_, socket_.next_seq(), write, route));
}

Status RtnlClient::set_neighbour(const Neighbour &neighbour)
{
	return request(build_neighbour(buffer_, socket_.next_seq(), true, neighbour));
}

Status RtnlClient::delete_neighbour(const Neighbour &neighbour)
{
	return request(build_neighbour(buffer_, socket_.next_seq(), false, neighbour));
}

Status RtnlClient::create_ip6tnl(const Ip6TunnelSpec &spec)
{
	return request(build_create_ip6tnl(buffer_, socket_.next_seq(), spec));
}

Status RtnlClient::write_device_route(RouteWrite write, const DeviceRoute &route)
{
	return request(build_device_route(buffer_, socket_.next_seq(), write, route));
}

Result<std::vector<RouteInfo>> RtnlClient::list_routes(uint32_t ifindex)
{
	const std::size_t size = build_dump_routes(buffer_, socket_.next_seq(), ifindex);
	return collect(socket_, std::span(buffer_).first(size), [&](const nlmsghdr &message) {
		auto route = parse_route(message);
		if (route && route->ifindex != ifindex)
			route.reset();
		return route;
	});
}

Status RtnlClient::add_rule(const Rule &rule)
{
	return request(build_rule(buffer_, socket_.next_seq(), true, rule));
}

Status RtnlClient::delete_rule(const Rule &rule)
{
	return request(build_rule(buffer_, socket_.next_seq(), false, rule));
}

Result<std::vector<Rule>> RtnlClient::list_rules()
{
	const std::size_t size = build_dump_rules(buffer_, socket_.next_seq());
	return collect(socket_, std::span(buffer_).first(size), parse_rule);
}

}  // namespace dlif::nl
