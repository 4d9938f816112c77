// SPDX-License-Identifier: GPL-2.0
//
// Router Advertisements built from RaPlans, Router Solicitations parsed
// from ICMPv6 messages and Ethernet frames, the AF_PACKET filter.
#include <gtest/gtest.h>

#include <algorithm>

#include <chrono>

#include "dlif/nd/nd.hpp"

namespace dlif::nd {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

Ipv6Address address(const char *text)
{
	return *Ipv6Address::from_string(text);
}

Ipv6Prefix prefix(const char *text)
{
	return *Ipv6Prefix::from_string(text);
}

MacAddress mac(const char *text)
{
	return *MacAddress::from_string(text);
}

dmm::RaPlan own_dlif_plan()
{
	dmm::RaPlan plan;
	plan.router_lifetime = 1800s;
	plan.prefixes.push_back({prefix("2001:db8:1::/64"), 3600s, 1800s});
	plan.mtu = 1480;
	return plan;
}

TEST(RouterAdvertisement, FixedPartAndOptionsAreWhereRfc4861PutsThem)
{
	const Bytes ra = build_router_advertisement(own_dlif_plan(), mac("02:11:22:33:01:01"));
	// 16 fixed + SLLAO 8 + MTU 8 + PIO 32.
	ASSERT_EQ(ra.size(), 64u);
	const Bytes fixed{134, 0, 0, 0, 64, 0x00, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0};
	EXPECT_EQ(Bytes(ra.begin(), ra.begin() + 16), fixed);
	const Bytes sllao{1, 1, 0x02, 0x11, 0x22, 0x33, 0x01, 0x01};
	EXPECT_EQ(Bytes(ra.begin() + 16, ra.begin() + 24), sllao);
	const Bytes mtu{5, 1, 0, 0, 0, 0, 0x05, 0xc8};
	EXPECT_EQ(Bytes(ra.begin() + 24, ra.begin() + 32), mtu);
	const Bytes pio{3, 4, 64, 0xc0, 0, 0, 0x0e, 0x10, 0, 0, 0x07, 0x08, 0, 0, 0, 0,
			0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	EXPECT_EQ(Bytes(ra.begin() + 32, ra.end()), pio);
}

TEST(RouterAdvertisement, RoundTripsThroughTheParser)
{
	dmm::RaPlan plan = own_dlif_plan();
	plan.preference = dmm::RouterPreference::low;
	plan.prefixes.push_back({prefix("2001:db8:2::/64"), 3600s, 0s});	// deprecated (R99)
	plan.routes.push_back({prefix("2001:db8:100::/48"), 600s, dmm::RouterPreference::high});
	const auto parsed = parse_router_advertisement(build_router_advertisement(plan, mac("02:00:00:00:00:aa")));
	ASSERT_TRUE(parsed);
	EXPECT_EQ(parsed->cur_hop_limit, 64);
	EXPECT_EQ(parsed->preference_bits(), 0x3);
	EXPECT_EQ(parsed->router_lifetime_s, 1800);
	EXPECT_EQ(parsed->source_link_layer, mac("02:00:00:00:00:aa"));
	EXPECT_EQ(parsed->mtu, 1480u);
	ASSERT_EQ(parsed->prefixes.size(), 2u);
	EXPECT_EQ(parsed->prefixes[1], (PrefixInformation{prefix("2001:db8:2::/64"), true, true, 3600, 0}));
	ASSERT_EQ(parsed->routes.size(), 1u);
	EXPECT_EQ(parsed->routes[0], (RouteInformation{prefix("2001:db8:100::/48"), 0x1, 600}));
}

TEST(RouterAdvertisement, RouteInformationLengthFollowsThePrefixLength)
{
	dmm::RaPlan plan;
	plan.router_lifetime = 0s;
	plan.routes.push_back({prefix("::/0"), 60s, dmm::RouterPreference::medium});
	plan.routes.push_back({prefix("2001:db8:100::/64"), 60s, dmm::RouterPreference::medium});
	plan.routes.push_back({prefix("2001:db8:100::80/121"), 60s, dmm::RouterPreference::medium});
	const Bytes ra = build_router_advertisement(plan, mac("02:00:00:00:00:01"));
	// 16 + SLLAO 8, then RIOs of 8, 16 and 24 octets with length 1, 2, 3.
	ASSERT_EQ(ra.size(), 16u + 8 + 8 + 16 + 24);
	EXPECT_EQ(ra[24], 24);
	EXPECT_EQ(ra[25], 1);
	EXPECT_EQ(ra[32], 24);
	EXPECT_EQ(ra[33], 2);
	EXPECT_EQ(ra[48], 24);
	EXPECT_EQ(ra[49], 3);
	const auto parsed = parse_router_advertisement(ra);
	ASSERT_TRUE(parsed);
	ASSERT_EQ(parsed->routes.size(), 3u);
	EXPECT_EQ(parsed->routes[2].prefix, prefix("2001:db8:100::80/121"));
}

TEST(RouterAdvertisement, HostBitsOfPrefixesAreNotSent)
{
	dmm::RaPlan plan;
	plan.router_lifetime = 1800s;
	plan.prefixes.push_back({Ipv6Prefix{address("2001:db8:1::1"), 64}, 60s, 60s});
	plan.routes.push_back({Ipv6Prefix{address("2001:db8:100:ff::1"), 48}, 60s, dmm::RouterPreference::low});
	const Bytes ra = build_router_advertisement(plan, mac("02:00:00:00:00:01"));
	EXPECT_EQ(ra[24 + 16 + 15], 0);		// the PIO's last prefix octet
	EXPECT_EQ(ra[56 + 8 + 7], 0);		// octet 7 of the RIO prefix (/48)
	EXPECT_EQ(ra[56 + 3], 0x18);		// RIO Prf low
}

TEST(RouterAdvertisement, PreferredLifetimeNeverExceedsValid)
{
	dmm::RaPlan plan;
	plan.router_lifetime = 1800s;
	plan.prefixes.push_back({prefix("2001:db8:1::/64"), 60s, 3600s});
	const auto parsed = parse_router_advertisement(build_router_advertisement(plan, mac("02:00:00:00:00:01")));
	ASSERT_TRUE(parsed);
	EXPECT_EQ(parsed->prefixes[0].preferred_lifetime_s, 60u);
}

TEST(RouterAdvertisement, LifetimesSaturate)
{
	EXPECT_EQ(lifetime_seconds(dmm::Duration::max()), kInfiniteLifetime);
	EXPECT_EQ(lifetime_seconds(999ms), 0u);
	EXPECT_EQ(lifetime_seconds(std::chrono::duration_cast<dmm::Duration>(std::chrono::hours(24 * 365 * 200))),
		  kInfiniteLifetime - 1);
	EXPECT_EQ(router_lifetime_seconds(100000s), 0xffff);
	EXPECT_EQ(router_lifetime_seconds(-5s), 0);
	EXPECT_EQ(preference_bits(dmm::RouterPreference::high), 1);
	EXPECT_EQ(preference_bits(dmm::RouterPreference::medium), 0);
	EXPECT_EQ(preference_bits(dmm::RouterPreference::low), 3);
}

TEST(RouterAdvertisement, ParserRefusesMalformedOptions)
{
	Bytes ra = build_router_advertisement(own_dlif_plan(), mac("02:00:00:00:00:01"));
	Bytes zero_length = ra;
	zero_length[17] = 0;
	EXPECT_EQ(parse_router_advertisement(zero_length).error().code, NdErrorCode::ZeroLengthOption);
	Bytes too_long = ra;
	too_long[33] = 5;
	EXPECT_EQ(parse_router_advertisement(too_long).error().code, NdErrorCode::Truncated);
	Bytes code = ra;
	code[1] = 1;
	EXPECT_EQ(parse_router_advertisement(code).error().code, NdErrorCode::NonZeroCode);
}

Bytes solicitation(bool with_sllao)
{
	Bytes rs{133, 0, 0, 0, 0, 0, 0, 0};
	if (with_sllao) {
		const Bytes sllao{1, 1, 0x02, 0, 0, 0, 0, 0x01};
		rs.insert(rs.end(), sllao.begin(), sllao.end());
	}
	return rs;
}

TEST(RouterSolicitation, TakesTheSourceLinkLayerAddress)
{
	const auto rs = parse_router_solicitation(solicitation(true), false);
	ASSERT_TRUE(rs);
	EXPECT_EQ(rs->source_link_layer, mac("02:00:00:00:00:01"));
	const auto bare = parse_router_solicitation(solicitation(false), true);
	ASSERT_TRUE(bare);
	EXPECT_FALSE(bare->source_link_layer);
}

TEST(RouterSolicitation, FollowsTheValidityRulesOfRfc4861)
{
	EXPECT_EQ(parse_router_solicitation(solicitation(true), true).error().code, NdErrorCode::SllaoFromUnspecified);
	EXPECT_EQ(parse_router_solicitation(Bytes{133, 0, 0, 0}, false).error().code, NdErrorCode::Truncated);
	EXPECT_EQ(parse_router_solicitation(Bytes{134, 0, 0, 0, 0, 0, 0, 0}, false).error().code,
		  NdErrorCode::WrongType);
	EXPECT_EQ(parse_router_solicitation(Bytes{133, 1, 0, 0, 0, 0, 0, 0}, false).error().code,
		  NdErrorCode::NonZeroCode);
	EXPECT_EQ(parse_router_solicitation(Bytes{133, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, false).error().code,
		  NdErrorCode::ZeroLengthOption);
}

Bytes ethernet(const Bytes &ipv6, bool vlan)
{
	Bytes frame{0x33, 0x33, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 0x07};
	if (vlan) {
		frame.push_back(0x81);
		frame.push_back(0x00);
		frame.push_back(0x00);
		frame.push_back(0x0a);
	}
	frame.push_back(0x86);
	frame.push_back(0xdd);
	frame.insert(frame.end(), ipv6.begin(), ipv6.end());
	return frame;
}

TEST(SolicitationFrame, GivesTheEthernetSourceEvenFromTheUnspecifiedAddress)
{
	const auto packet = icmpv6_packet(Ipv6Address{}, address("ff02::2"), 255, solicitation(false));
	for (bool vlan : {false, true}) {
		Bytes frame = ethernet(packet, vlan);
		frame.resize(frame.size() + 10);	// Ethernet padding
		const auto parsed = parse_solicitation_frame(frame);
		ASSERT_TRUE(parsed) << name(parsed.error().code);
		EXPECT_EQ(parsed->ethernet_source, mac("02:00:00:00:00:07"));
		EXPECT_EQ(parsed->source, Ipv6Address{});
		EXPECT_EQ(parsed->destination, address("ff02::2"));
	}
}

TEST(SolicitationFrame, RefusesWhatRfc4861Refuses)
{
	const Ipv6Address source = address("fe80::7");
	auto parse = [&](Bytes packet) { return parse_solicitation_frame(ethernet(packet, false)); };
	EXPECT_TRUE(parse(icmpv6_packet(source, address("ff02::2"), 255, solicitation(true))));
	EXPECT_EQ(parse(icmpv6_packet(source, address("ff02::2"), 254, solicitation(true))).error().code,
		  NdErrorCode::BadHopLimit);
	Bytes corrupt = icmpv6_packet(source, address("ff02::2"), 255, solicitation(true));
	corrupt.back() ^= 1;
	EXPECT_EQ(parse(corrupt).error().code, NdErrorCode::BadChecksum);
	Bytes udp = icmpv6_packet(source, address("ff02::2"), 255, solicitation(true));
	udp[6] = 17;
	EXPECT_EQ(parse(udp).error().code, NdErrorCode::NotIcmpv6);
	Bytes short_payload = icmpv6_packet(source, address("ff02::2"), 255, solicitation(true));
	short_payload[5] = 200;
	EXPECT_EQ(parse(short_payload).error().code, NdErrorCode::Truncated);
	Bytes arp = ethernet({}, false);
	arp[12] = 0x08;
	arp[13] = 0x06;
	EXPECT_EQ(parse_solicitation_frame(arp).error().code, NdErrorCode::NotIpv6);
}

TEST(Checksum, VerifiesToZeroOnceSet)
{
	const Ipv6Address source = address("fe80::1");
	const Ipv6Address destination = address("ff02::1");
	const Bytes packet = icmpv6_packet(source, destination, 255, solicitation(true));
	EXPECT_EQ(icmpv6_checksum(source, destination, std::span(packet).subspan(40)), 0);
	// An odd length is padded with a zero octet (RFC 4443 §2.3).
	const Bytes odd{128, 0, 0, 0, 0, 1, 0, 1, 0x42};
	const Bytes odd_packet = icmpv6_packet(source, destination, 64, odd);
	EXPECT_EQ(icmpv6_checksum(source, destination, std::span(odd_packet).subspan(40)), 0);
}

TEST(Filter, KeepsRouterSolicitationsOnly)
{
	const auto filter = router_solicitation_filter();
	const Bytes rs = icmpv6_packet(address("fe80::7"), address("ff02::2"), 255, solicitation(true));
	EXPECT_NE(run_filter(filter, ethernet(rs, false)), 0u);
	EXPECT_NE(run_filter(filter, ethernet(rs, true)), 0u);

	const Bytes ra = icmpv6_packet(address("fe80::7"), address("ff02::1"), 255,
				       build_router_advertisement(own_dlif_plan(), mac("02:00:00:00:00:01")));
	EXPECT_EQ(run_filter(filter, ethernet(ra, false)), 0u);
	EXPECT_EQ(run_filter(filter, ethernet(ra, true)), 0u);
	Bytes udp = rs;
	udp[6] = 17;
	EXPECT_EQ(run_filter(filter, ethernet(udp, false)), 0u);
	Bytes arp = ethernet(rs, false);
	arp[12] = 0x08;
	arp[13] = 0x06;
	EXPECT_EQ(run_filter(filter, arp), 0u);
	EXPECT_EQ(run_filter(filter, Bytes{1, 2, 3}), 0u);
}

TEST(NeighborAdvertisement, AnUnsolicitedOneOverrides)
{
	const auto target = *Ipv6Address::from_string("2001:db8::100");
	const auto na = build_unsolicited_neighbor_advertisement(target, *MacAddress::from_string("02:11:22:33:44:55"));
	ASSERT_EQ(na.size(), 32u);
	EXPECT_EQ(na[0], 136);	// type
	EXPECT_EQ(na[1], 0);	// code
	EXPECT_EQ(na[4], 0x20) << "Override only: not Router, not Solicited";
	EXPECT_TRUE(std::equal(target.bytes.begin(), target.bytes.end(), na.begin() + 8));
	EXPECT_EQ(na[24], 2);	// Target Link-Layer Address
	EXPECT_EQ(na[25], 1);	// 8 octets
	EXPECT_EQ(na[26], 0x02);
	EXPECT_EQ(na[31], 0x55);
}

TEST(NeighborSolicitation, AProbeAsRfc4861LaysItOut)
{
	const auto target = *Ipv6Address::from_string("fe80::1234");
	const auto ns = build_neighbor_solicitation(target, *MacAddress::from_string("02:11:22:33:44:55"));
	ASSERT_EQ(ns.size(), 32u);
	EXPECT_EQ(ns[0], 135);	// type
	EXPECT_EQ(ns[1], 0);	// code
	for (int i = 2; i < 8; ++i)
		EXPECT_EQ(ns[i], 0) << "checksum and reserved, octet " << i;
	EXPECT_TRUE(std::equal(target.bytes.begin(), target.bytes.end(), ns.begin() + 8));
	EXPECT_EQ(ns[24], 1);	// Source Link-Layer Address
	EXPECT_EQ(ns[25], 1);	// 8 octets
	EXPECT_EQ(ns[26], 0x02);
	EXPECT_EQ(ns[31], 0x55);
}

} // namespace
} // namespace dlif::nd
