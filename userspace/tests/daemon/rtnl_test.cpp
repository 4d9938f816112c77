// SPDX-License-Identifier: GPL-2.0
//
// rtnetlink requests for DLIFs and addresses, read back with the reply
// parsers (a request to create a link has the layout of a link reply).
#include <gtest/gtest.h>

#include <net/if.h>

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/ip6_tunnel.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dlif/nl/rtnl.hpp"

namespace dlif::nl {
namespace {

struct Buffer {
	alignas(NLMSG_ALIGNTO) std::array<std::byte, 4096> bytes{};
	std::span<std::byte> span() { return bytes; }
	const nlmsghdr &header() const { return *reinterpret_cast<const nlmsghdr *>(bytes.data()); }
};

Ipv6Address ip(const char *text)
{
	return *Ipv6Address::from_string(text);
}

MacAddress mac(const char *text)
{
	return *MacAddress::from_string(text);
}

TEST(Rtnl, CreateDlifCarriesEverythingTheKernelNeeds)
{
	Buffer buffer;
	DlifLinkSpec spec{"mn1mar1", 3, mac("02:11:22:33:01:01"), mac("02:00:00:00:00:01"), ip("2001:db8::1")};
	const std::size_t size = build_create_dlif(buffer.span(), 77, spec);
	ASSERT_GT(size, 0u);
	EXPECT_EQ(buffer.header().nlmsg_len, size);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_NEWLINK);
	EXPECT_EQ(buffer.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	EXPECT_EQ(buffer.header().nlmsg_seq, 77u);
	auto link = parse_link(buffer.header());
	ASSERT_TRUE(link);
	EXPECT_EQ(link->name, "mn1mar1");
	EXPECT_EQ(link->link, 3u);
	EXPECT_EQ(link->address, mac("02:11:22:33:01:01"));
	EXPECT_EQ(link->kind, "dlif");
	EXPECT_EQ(link->dlif_mn, mac("02:00:00:00:00:01"));
	EXPECT_EQ(link->dlif_maar, ip("2001:db8::1"));
	// Refused by the kernel at creation: set afterwards (ChangeLink).
	EXPECT_FALSE(link->addr_gen_mode);
	EXPECT_FALSE(link->up());
}

TEST(Rtnl, AddressGenerationIsTurnedOffByAChange)
{
	Buffer buffer;
	LinkChange change;
	change.ifindex = 4;
	change.addr_gen_mode = IN6_ADDR_GEN_MODE_NONE;
	ASSERT_GT(build_change_link(buffer.span(), 1, change), 0u);
	auto link = parse_link(buffer.header());
	ASSERT_TRUE(link);
	EXPECT_EQ(link->addr_gen_mode, IN6_ADDR_GEN_MODE_NONE);
	EXPECT_TRUE(link->kind.empty());
}

TEST(Rtnl, ChangeLinkSetsOnlyWhatIsAsked)
{
	Buffer buffer;
	LinkChange change;
	change.ifindex = 9;
	change.up = true;
	ASSERT_GT(build_change_link(buffer.span(), 1, change), 0u);
	EXPECT_EQ(buffer.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	ifinfomsg ifi;
	std::memcpy(&ifi, NLMSG_DATA(&buffer.header()), sizeof(ifi));
	EXPECT_EQ(ifi.ifi_index, 9);
	EXPECT_EQ(ifi.ifi_change, static_cast<unsigned>(IFF_UP));
	EXPECT_EQ(ifi.ifi_flags, static_cast<unsigned>(IFF_UP));
	auto link = parse_link(buffer.header());
	ASSERT_TRUE(link);
	EXPECT_TRUE(link->kind.empty());
	EXPECT_FALSE(link->address);

	Buffer rebind;
	LinkChange node;
	node.ifindex = 9;
	node.mn = mac("02:00:00:00:00:02");
	ASSERT_GT(build_change_link(rebind.span(), 2, node), 0u);
	auto rebound = parse_link(rebind.header());
	ASSERT_TRUE(rebound);
	EXPECT_EQ(rebound->kind, "dlif");	// IFLA_INFO_DATA needs the kind
	EXPECT_EQ(rebound->dlif_mn, mac("02:00:00:00:00:02"));
	EXPECT_FALSE(rebound->dlif_maar);
}

TEST(Rtnl, AddressesWithoutDad)
{
	Buffer buffer;
	InterfaceAddress address{5, ip("fe80::11:22ff:fe33:101"), 64, IFA_F_NODAD, 0, std::nullopt};
	ASSERT_GT(build_address(buffer.span(), 3, true, address), 0u);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_NEWADDR);
	EXPECT_EQ(buffer.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
	auto parsed = parse_address(buffer.header());
	ASSERT_TRUE(parsed);
	EXPECT_EQ(*parsed, address);

	Buffer removal;
	ASSERT_GT(build_address(removal.span(), 4, false, address), 0u);
	EXPECT_EQ(removal.header().nlmsg_type, RTM_DELADDR);
	EXPECT_FALSE(parse_address(removal.header()));	// not a reply type
}

TEST(Rtnl, AddressesWithALifetime)
{
	Buffer buffer;
	InterfaceAddress address{5, ip("2001:db8::100"), 128, IFA_F_NODAD, 0, 6};
	ASSERT_GT(build_address(buffer.span(), 3, true, address), 0u);
	auto parsed = parse_address(buffer.header());
	ASSERT_TRUE(parsed);
	EXPECT_EQ(parsed->lifetime_s, 6u);
	EXPECT_EQ(*parsed, address);
}

TEST(Rtnl, RequestsThatDoNotFitAreRefused)
{
	alignas(NLMSG_ALIGNTO) std::array<std::byte, 32> tiny{};
	DlifLinkSpec spec{"mn1mar1", 3, mac("02:11:22:33:01:01"), std::nullopt, std::nullopt};
	EXPECT_EQ(build_create_dlif(tiny, 1, spec), 0u);
}

TEST(Rtnl, DumpsAndDeletes)
{
	Buffer buffer;
	ASSERT_GT(build_dump_links(buffer.span(), 1), 0u);
	EXPECT_EQ(buffer.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	ASSERT_GT(build_dump_addresses(buffer.span(), 2), 0u);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_GETADDR);
	// One device's addresses: the kernel filters by ifa_index (strict
	// checking), so the dump does not grow with the other devices.
	ASSERT_GT(build_dump_addresses(buffer.span(), 2, 7), 0u);
	ifaddrmsg ifa;
	std::memcpy(&ifa, NLMSG_DATA(&buffer.header()), sizeof(ifa));
	EXPECT_EQ(ifa.ifa_family, AF_INET6);
	EXPECT_EQ(ifa.ifa_index, 7u);
	EXPECT_EQ(ifa.ifa_prefixlen, 0);	// strict checking refuses anything else
	EXPECT_EQ(ifa.ifa_flags, 0);
	EXPECT_EQ(ifa.ifa_scope, 0);
	ASSERT_GT(build_delete_link(buffer.span(), 3, 12), 0u);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_DELLINK);
	ASSERT_GT(build_get_link(buffer.span(), 4, "eth0"), 0u);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_GETLINK);
}

// The attributes after a request's fixed header, by type (the last of a
// type wins), as the kernel's nlmsg_parse would see them.
std::map<unsigned, std::vector<uint8_t>> attributes_of(const nlmsghdr &header, std::size_t fixed)
{
	std::map<unsigned, std::vector<uint8_t>> out;
	const auto *base = reinterpret_cast<const uint8_t *>(NLMSG_DATA(&header)) + NLMSG_ALIGN(fixed);
	auto left = static_cast<int>(header.nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(fixed)));
	for (auto *rta = reinterpret_cast<const rtattr *>(base); RTA_OK(rta, left); rta = RTA_NEXT(rta, left)) {
		const auto *data = static_cast<const uint8_t *>(RTA_DATA(rta));
		out[rta->rta_type] = std::vector<uint8_t>(data, data + RTA_PAYLOAD(rta));
	}
	return out;
}

std::vector<uint8_t> bytes_of(const Ipv6Address &address)
{
	const auto &octets = address.bytes;
	return {octets.begin(), octets.end()};
}

// dlifd's route to a node's prefix: through its DLIF by way of one
// link-local gateway, in the main table, the kernel's default metric.
TEST(Rtnl, RoutesThroughAGateway)
{
	const Route route{7, *Ipv6Prefix::from_string("2001:db8:1:5::/64"), ip("fe80::11:22ff:fe33:101")};
	Buffer buffer;
	ASSERT_GT(build_route(buffer.span(), 3, RouteWrite::create, route), 0u);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_NEWROUTE);
	EXPECT_EQ(buffer.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	rtmsg rtm;
	std::memcpy(&rtm, NLMSG_DATA(&buffer.header()), sizeof(rtm));
	EXPECT_EQ(rtm.rtm_family, AF_INET6);
	EXPECT_EQ(rtm.rtm_dst_len, 64);
	EXPECT_EQ(rtm.rtm_table, RT_TABLE_MAIN);
	EXPECT_EQ(rtm.rtm_protocol, RTPROT_STATIC);
	EXPECT_EQ(rtm.rtm_type, RTN_UNICAST);
	auto attributes = attributes_of(buffer.header(), sizeof(rtmsg));
	EXPECT_EQ(attributes[RTA_DST], bytes_of(ip("2001:db8:1:5::")));
	EXPECT_EQ(attributes[RTA_GATEWAY], bytes_of(route.gateway));
	uint32_t oif = 0;
	ASSERT_EQ(attributes[RTA_OIF].size(), sizeof(oif));
	std::memcpy(&oif, attributes[RTA_OIF].data(), sizeof(oif));
	EXPECT_EQ(oif, 7u);
	EXPECT_FALSE(attributes.contains(RTA_PRIORITY));	// the kernel's default for userspace routes

	ASSERT_GT(build_route(buffer.span(), 4, RouteWrite::replace, route), 0u);
	EXPECT_EQ(buffer.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
	ASSERT_GT(build_route(buffer.span(), 5, RouteWrite::remove, route), 0u);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_DELROUTE);
	EXPECT_EQ(buffer.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
}

TEST(Rtnl, RoutesGoToTheMaskedPrefix)
{
	const Route route{7, *Ipv6Prefix::from_string("2001:db8:1:5::1/64"), ip("fe80::1")};
	Buffer buffer;
	ASSERT_GT(build_route(buffer.span(), 3, RouteWrite::create, route), 0u);
	EXPECT_EQ(attributes_of(buffer.header(), sizeof(rtmsg))[RTA_DST], bytes_of(ip("2001:db8:1:5::")));
}

TEST(Rtnl, PermanentNeighbours)
{
	const Neighbour neighbour{7, ip("fe80::11:22ff:fe33:101"), mac("02:11:22:33:01:01")};
	Buffer buffer;
	ASSERT_GT(build_neighbour(buffer.span(), 3, true, neighbour), 0u);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_NEWNEIGH);
	EXPECT_EQ(buffer.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
	ndmsg ndm;
	std::memcpy(&ndm, NLMSG_DATA(&buffer.header()), sizeof(ndm));
	EXPECT_EQ(ndm.ndm_family, AF_INET6);
	EXPECT_EQ(ndm.ndm_ifindex, 7);
	EXPECT_EQ(ndm.ndm_state, NUD_PERMANENT);
	auto attributes = attributes_of(buffer.header(), sizeof(ndmsg));
	EXPECT_EQ(attributes[NDA_DST], bytes_of(neighbour.address));
	EXPECT_EQ(attributes[NDA_LLADDR], (std::vector<uint8_t>{0x02, 0x11, 0x22, 0x33, 0x01, 0x01}));

	ASSERT_GT(build_neighbour(buffer.span(), 4, false, neighbour), 0u);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_DELNEIGH);
	EXPECT_FALSE(attributes_of(buffer.header(), sizeof(ndmsg)).contains(NDA_LLADDR));
}

std::map<unsigned, std::vector<uint8_t>> nested_of(const std::vector<uint8_t> &payload)
{
	std::map<unsigned, std::vector<uint8_t>> out;
	auto left = static_cast<int>(payload.size());
	for (auto *rta = reinterpret_cast<const rtattr *>(payload.data()); RTA_OK(rta, left); rta = RTA_NEXT(rta, left)) {
		const auto *data = static_cast<const uint8_t *>(RTA_DATA(rta));
		out[rta->rta_type & NLA_TYPE_MASK] = std::vector<uint8_t>(data, data + RTA_PAYLOAD(rta));
	}
	return out;
}

uint32_t u32_of(const std::vector<uint8_t> &bytes)
{
	uint32_t value = 0;
	EXPECT_EQ(bytes.size(), sizeof(value));
	std::memcpy(&value, bytes.data(), std::min(bytes.size(), sizeof(value)));
	return value;
}

// A relay tunnel: ip6ip6 between two fixed addresses, no
// encapsulation-limit option, created up.
TEST(Rtnl, CreateIp6tnlIsIp6ip6WithoutEncapsulationLimitAndUp)
{
	Buffer buffer;
	const Ip6TunnelSpec spec{"dlra1", ip("2001:db8::100"), ip("2001:db8::1")};
	const std::size_t size = build_create_ip6tnl(buffer.span(), 8, spec);
	ASSERT_GT(size, 0u);
	EXPECT_EQ(buffer.header().nlmsg_len, size);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_NEWLINK);
	EXPECT_EQ(buffer.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	auto link = parse_link(buffer.header());
	ASSERT_TRUE(link);
	EXPECT_EQ(link->name, "dlra1");
	EXPECT_EQ(link->kind, "ip6tnl");
	EXPECT_EQ(link->tunnel_local, ip("2001:db8::100"));
	EXPECT_EQ(link->tunnel_remote, ip("2001:db8::1"));
	EXPECT_TRUE(link->up());
	EXPECT_FALSE(link->dlif_mn);
	ifinfomsg ifi;
	std::memcpy(&ifi, NLMSG_DATA(&buffer.header()), sizeof(ifi));
	EXPECT_EQ(ifi.ifi_change, static_cast<unsigned>(IFF_UP));
	auto info = nested_of(attributes_of(buffer.header(), sizeof(ifinfomsg))[IFLA_LINKINFO | NLA_F_NESTED]);
	auto data = nested_of(info[IFLA_INFO_DATA]);
	EXPECT_EQ(data[IFLA_IPTUN_PROTO], (std::vector<uint8_t>{IPPROTO_IPV6}));
	EXPECT_EQ(u32_of(data[IFLA_IPTUN_FLAGS]), static_cast<uint32_t>(IP6_TNL_F_IGN_ENCAP_LIMIT));
	EXPECT_FALSE(data.contains(IFLA_IPTUN_ENCAP_LIMIT));
}

// Relay routes: no gateway, a table of any size (ids from 256 up only in
// RTA_TABLE), ::/0 as dst_len 0 without RTA_DST.
TEST(Rtnl, DeviceRoutesInAnyTableWithoutAGateway)
{
	Buffer buffer;
	const DeviceRoute uplink{9, Ipv6Prefix{}, 1000};
	ASSERT_GT(build_device_route(buffer.span(), 1, RouteWrite::replace, uplink), 0u);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_NEWROUTE);
	EXPECT_EQ(buffer.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
	rtmsg rtm;
	std::memcpy(&rtm, NLMSG_DATA(&buffer.header()), sizeof(rtm));
	EXPECT_EQ(rtm.rtm_table, RT_TABLE_UNSPEC);
	EXPECT_EQ(rtm.rtm_dst_len, 0);
	EXPECT_EQ(rtm.rtm_protocol, RTPROT_STATIC);
	auto attributes = attributes_of(buffer.header(), sizeof(rtmsg));
	EXPECT_FALSE(attributes.contains(RTA_DST));
	EXPECT_FALSE(attributes.contains(RTA_GATEWAY));
	EXPECT_EQ(u32_of(attributes[RTA_TABLE]), 1000u);
	EXPECT_EQ(u32_of(attributes[RTA_OIF]), 9u);
	auto parsed = parse_route(buffer.header());
	ASSERT_TRUE(parsed);
	EXPECT_EQ(parsed->table, 1000u);
	EXPECT_EQ(parsed->destination, Ipv6Prefix{});
	EXPECT_EQ(parsed->ifindex, 9u);
	EXPECT_FALSE(parsed->gateway);
	EXPECT_EQ(parsed->protocol, RTPROT_STATIC);
	EXPECT_EQ(parsed->type, RTN_UNICAST);

	const DeviceRoute downlink{10, *Ipv6Prefix::from_string("2001:db8:5::1/48")};
	ASSERT_GT(build_device_route(buffer.span(), 2, RouteWrite::remove, downlink), 0u);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_DELROUTE);
	std::memcpy(&rtm, NLMSG_DATA(&buffer.header()), sizeof(rtm));
	EXPECT_EQ(rtm.rtm_table, RT_TABLE_MAIN);
	EXPECT_EQ(rtm.rtm_dst_len, 48);
	attributes = attributes_of(buffer.header(), sizeof(rtmsg));
	EXPECT_EQ(attributes[RTA_DST], bytes_of(ip("2001:db8:5::")));
	EXPECT_EQ(u32_of(attributes[RTA_TABLE]), static_cast<uint32_t>(RT_TABLE_MAIN));

	ASSERT_GT(build_dump_routes(buffer.span(), 3, 10), 0u);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_GETROUTE);
	EXPECT_EQ(buffer.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	std::memcpy(&rtm, NLMSG_DATA(&buffer.header()), sizeof(rtm));
	EXPECT_EQ(rtm.rtm_family, AF_INET6);
	EXPECT_EQ(rtm.rtm_table, 0);	// strict checking refuses other header fields
	EXPECT_EQ(u32_of(attributes_of(buffer.header(), sizeof(rtmsg))[RTA_OIF]), 10u);
}

TEST(Rtnl, RulesFromAPrefixInByADeviceToATable)
{
	Buffer buffer;
	const Rule rule{1000, *Ipv6Prefix::from_string("2001:db8:5::/48"), "dlrs1", 1001};
	ASSERT_GT(build_rule(buffer.span(), 1, true, rule), 0u);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_NEWRULE);
	// Without NLM_F_EXCL the kernel would add a duplicate rule.
	EXPECT_EQ(buffer.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	fib_rule_hdr frh;
	std::memcpy(&frh, NLMSG_DATA(&buffer.header()), sizeof(frh));
	EXPECT_EQ(frh.family, AF_INET6);
	EXPECT_EQ(frh.src_len, 48);
	EXPECT_EQ(frh.table, RT_TABLE_UNSPEC);
	EXPECT_EQ(frh.action, FR_ACT_TO_TBL);
	auto attributes = attributes_of(buffer.header(), sizeof(fib_rule_hdr));
	EXPECT_EQ(attributes[FRA_SRC], bytes_of(ip("2001:db8:5::")));
	EXPECT_EQ(u32_of(attributes[FRA_PRIORITY]), 1000u);
	EXPECT_EQ(u32_of(attributes[FRA_TABLE]), 1001u);
	auto parsed = parse_rule(buffer.header());
	ASSERT_TRUE(parsed);
	EXPECT_EQ(*parsed, rule);

	// A delete matches on what it names: here any rule from the prefix
	// at the priority, whatever its device, table and action.
	const Rule any{1000, *Ipv6Prefix::from_string("2001:db8:5::/48"), {}, 0};
	ASSERT_GT(build_rule(buffer.span(), 2, false, any), 0u);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_DELRULE);
	EXPECT_EQ(buffer.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	std::memcpy(&frh, NLMSG_DATA(&buffer.header()), sizeof(frh));
	EXPECT_EQ(frh.action, FR_ACT_UNSPEC);
	attributes = attributes_of(buffer.header(), sizeof(fib_rule_hdr));
	EXPECT_FALSE(attributes.contains(FRA_IIFNAME));
	EXPECT_FALSE(attributes.contains(FRA_TABLE));
	EXPECT_TRUE(attributes.contains(FRA_SRC));

	ASSERT_GT(build_dump_rules(buffer.span(), 3), 0u);
	EXPECT_EQ(buffer.header().nlmsg_type, RTM_GETRULE);
	EXPECT_EQ(buffer.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
}

TEST(Rtnl, RulesOfOtherActionsAreNotParsed)
{
	Buffer buffer;
	const Rule rule{32766, std::nullopt, {}, RT_TABLE_MAIN};	// "from all lookup main"
	ASSERT_GT(build_rule(buffer.span(), 1, true, rule), 0u);
	auto parsed = parse_rule(buffer.header());
	ASSERT_TRUE(parsed);
	EXPECT_FALSE(parsed->source);
	EXPECT_EQ(parsed->table, static_cast<uint32_t>(RT_TABLE_MAIN));
	auto *frh = static_cast<fib_rule_hdr *>(NLMSG_DATA(reinterpret_cast<nlmsghdr *>(buffer.bytes.data())));
	frh->action = FR_ACT_UNREACHABLE;
	EXPECT_FALSE(parse_rule(buffer.header()));
}

// Needs only a network namespace's loopback: lo is there for any user.
TEST(RtnlLive, GetsAndListsLinksAndAddresses)
{
	auto client = RtnlClient::open();
	ASSERT_TRUE(client) << client.error().describe();
	auto lo = client->get_link("lo");
	ASSERT_TRUE(lo) << lo.error().describe();
	ASSERT_TRUE(*lo);
	EXPECT_EQ((*lo)->name, "lo");
	auto missing = client->get_link("no-such-dev0");
	ASSERT_TRUE(missing) << missing.error().describe();
	EXPECT_FALSE(*missing);
	auto links = client->list_links();
	ASSERT_TRUE(links);
	EXPECT_FALSE(links->empty());
	auto addresses = client->list_addresses();
	ASSERT_TRUE(addresses) << addresses.error().describe();
	// With strict checking on, the kernel accepts the filtered dump and
	// answers with that device's addresses only.
	auto of_lo = client->list_addresses((*lo)->ifindex);
	ASSERT_TRUE(of_lo) << of_lo.error().describe();
	for (const auto &address : *of_lo)
		EXPECT_EQ(address.ifindex, (*lo)->ifindex);
}

// A link's IPv6 forwarding and accept_ra, read from IFLA_INET6_CONF, are
// what the sysctls say (the kernel's own account, on lo).
TEST(RtnlLive, Ipv6SettingsAreTheSysctls)
{
	const auto sysctl = [](const char *key) -> std::optional<int32_t> {
		std::FILE *file = std::fopen((std::string("/proc/sys/net/ipv6/conf/lo/") + key).c_str(), "r");
		if (file == nullptr)
			return std::nullopt;
		int value = 0;
		const bool read = std::fscanf(file, "%d", &value) == 1;
		std::fclose(file);
		return read ? std::optional<int32_t>(value) : std::nullopt;
	};
	if (!sysctl("forwarding"))
		GTEST_SKIP() << "no IPv6 on lo here";
	auto client = RtnlClient::open();
	ASSERT_TRUE(client) << client.error().describe();
	auto lo = client->get_link("lo");
	ASSERT_TRUE(lo && *lo);
	EXPECT_EQ((*lo)->ipv6_forwarding, sysctl("forwarding"));
	EXPECT_EQ((*lo)->ipv6_accept_ra, sysctl("accept_ra"));
}

// Liveness reads a DLIF's received frames from IFLA_STATS64: one frame
// sent over loopback is one more received there.
TEST(RtnlLive, ReceivedFramesGrowWithTraffic)
{
	auto client = RtnlClient::open();
	ASSERT_TRUE(client) << client.error().describe();
	auto before = client->get_link("lo");
	ASSERT_TRUE(before && *before);
	ASSERT_TRUE((*before)->rx_packets) << "no IFLA_STATS64 parsed";
	const int fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_GE(fd, 0);
	sockaddr_in to{};
	to.sin_family = AF_INET;
	to.sin_port = htons(9);		// discard: nobody need listen
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	const char byte = 0;
	EXPECT_EQ(sendto(fd, &byte, 1, 0, reinterpret_cast<const sockaddr *>(&to), sizeof(to)), 1);
	close(fd);
	auto after = client->get_link("lo");
	ASSERT_TRUE(after && *after && (*after)->rx_packets);
	EXPECT_GT(*(*after)->rx_packets, *(*before)->rx_packets);
}

} // namespace
} // namespace dlif::nl
