// SPDX-License-Identifier: GPL-2.0
//
// Cross-check with an independent decoder: Router Advertisements built by
// dlif_nd, in IPv6 packets from a DLIF's link-local address to ff02::1
// with hop limit 255 and the checksum set, decoded by tshark to the same
// fields. Skipped where tshark is not installed.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "capture.hpp"
#include "dlif/nd/nd.hpp"
#include "support.hpp"

namespace dlif::nd {
namespace {

using namespace std::chrono_literals;
using Column = std::vector<std::string>;

Ipv6Prefix prefix(const char *text)
{
	return *Ipv6Prefix::from_string(text);
}

class NdTshark : public testing::Test {
protected:
	void SetUp() override
	{
		if (!mh::test::have_program("tshark"))
			GTEST_SKIP() << "tshark is not installed";
		const MacAddress dlif_mac = *MacAddress::from_string("02:11:22:33:01:01");
		const Ipv6Address source = dmm::link_local_from_mac(dlif_mac);
		const Ipv6Address all_nodes = *Ipv6Address::from_string("ff02::1");

		// Frame 1: the serving MAAR's own DLIF. Frame 2: a mirrored DLIF
		// (deprecated prefix, low preference, a Local Prefix route).
		dmm::RaPlan own;
		own.router_lifetime = 1800s;
		own.prefixes.push_back({prefix("2001:db8:1::/64"), 3600s, 1800s});
		own.mtu = 1480;
		dmm::RaPlan mirrored;
		mirrored.router_lifetime = 1800s;
		mirrored.preference = dmm::RouterPreference::low;
		mirrored.prefixes.push_back({prefix("2001:db8:2::/64"), 3600s, 0s});
		mirrored.routes.push_back({prefix("2001:db8:100::/48"), 600s, dmm::RouterPreference::high});
		mirrored.routes.push_back({prefix("2001:db8:200::80/121"), 600s, dmm::RouterPreference::low});

		std::vector<std::vector<std::uint8_t>> packets;
		for (const auto &plan : {own, mirrored})
			packets.push_back(icmpv6_packet(source, all_nodes, kNdHopLimit,
							build_router_advertisement(plan, dlif_mac)));
		path_ = mh::test::scratch_path("nd-ra.pcap");
		ASSERT_TRUE(mh::capture::write_pcap(path_, packets));
	}

	void TearDown() override
	{
		if (!path_.empty())
			unlink(path_.c_str());
	}

	// One field per frame; repeated occurrences joined with ','.
	Column column(const std::string &field) const
	{
		const auto result = mh::test::run("TZ=UTC tshark -n -r '" + path_ +
						  "' -T fields -E occurrence=a -E aggregator=, -e " + field);
		return mh::test::lines(result.output);
	}

	std::string path_;
};

TEST_F(NdTshark, SeesRouterAdvertisementsWithAGoodChecksum)
{
	EXPECT_EQ(column("icmpv6.type"), (Column{"134", "134"}));
	EXPECT_EQ(column("icmpv6.checksum.status"), (Column{"1", "1"}));
	EXPECT_EQ(column("ipv6.hlim"), (Column{"255", "255"}));
	EXPECT_EQ(column("ipv6.src"), (Column{"fe80::11:22ff:fe33:101", "fe80::11:22ff:fe33:101"}));
}

TEST_F(NdTshark, SeesTheHeaderFields)
{
	EXPECT_EQ(column("icmpv6.nd.ra.cur_hop_limit"), (Column{"64", "64"}));
	EXPECT_EQ(column("icmpv6.nd.ra.router_lifetime"), (Column{"1800", "1800"}));
	EXPECT_EQ(column("icmpv6.nd.ra.flag.prf"), (Column{"0", "3"}));
	EXPECT_EQ(column("icmpv6.nd.ra.flag.m"), (Column{"0", "0"}));
	EXPECT_EQ(column("icmpv6.nd.ra.reachable_time"), (Column{"0", "0"}));
}

TEST_F(NdTshark, SeesTheLinkLayerAddressAndMtu)
{
	EXPECT_EQ(column("icmpv6.opt.linkaddr"), (Column{"02:11:22:33:01:01", "02:11:22:33:01:01"}));
	EXPECT_EQ(column("icmpv6.opt.mtu"), (Column{"1480", ""}));
}

TEST_F(NdTshark, SeesThePrefixInformation)
{
	EXPECT_EQ(column("icmpv6.opt.prefix.length"), (Column{"64", "64,48,121"}));
	EXPECT_EQ(column("icmpv6.opt.prefix.flag.l"), (Column{"1", "1"}));
	EXPECT_EQ(column("icmpv6.opt.prefix.flag.a"), (Column{"1", "1"}));
	EXPECT_EQ(column("icmpv6.opt.prefix.valid_lifetime"), (Column{"3600", "3600"}));
	EXPECT_EQ(column("icmpv6.opt.prefix.preferred_lifetime"), (Column{"1800", "0"}));
}

TEST_F(NdTshark, SeesTheRouteInformation)
{
	EXPECT_EQ(column("icmpv6.opt.prefix"), (Column{"2001:db8:1::", "2001:db8:2::,2001:db8:100::,2001:db8:200::80"}));
	EXPECT_EQ(column("icmpv6.opt.route_info.flag.route_preference"), (Column{"", "1,3"}));
	EXPECT_EQ(column("icmpv6.opt.route_lifetime"), (Column{"", "600,600"}));
	EXPECT_EQ(column("icmpv6.opt.length"), (Column{"1,1,4", "1,4,2,3"}));
}

// The unsolicited NA a CMD that takes the leadership sends for its address.
TEST(NdTsharkNa, SeesAnUnsolicitedOverridingAdvertisement)
{
	if (!mh::test::have_program("tshark"))
		GTEST_SKIP() << "tshark is not installed";
	const Ipv6Address target = *Ipv6Address::from_string("2001:db8::100");
	const Ipv6Address all_nodes = *Ipv6Address::from_string("ff02::1");
	const std::string path = mh::test::scratch_path("nd-na.pcap");
	ASSERT_TRUE(mh::capture::write_pcap(
		path, {icmpv6_packet(target, all_nodes, kNdHopLimit,
				     build_unsolicited_neighbor_advertisement(
					     target, *MacAddress::from_string("02:00:00:00:00:02")))}));
	const auto result = mh::test::run("TZ=UTC tshark -n -r '" + path +
					  "' -T fields -E separator=, -e icmpv6.type -e icmpv6.checksum.status "
					  "-e icmpv6.nd.na.flag.r -e icmpv6.nd.na.flag.s -e icmpv6.nd.na.flag.o "
					  "-e icmpv6.nd.na.target_address -e icmpv6.opt.linkaddr");
	unlink(path.c_str());
	EXPECT_EQ(mh::test::lines(result.output),
		  (Column{"136,1,0,0,1,2001:db8::100,02:00:00:00:00:02"}))
		<< result.output;
}

} // namespace
} // namespace dlif::nd
