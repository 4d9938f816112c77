// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <sstream>

#include "dlif/address.hpp"

namespace dlif {
namespace {

Ipv6Address addr(const char *text)
{
	auto parsed = Ipv6Address::from_string(text);
	EXPECT_TRUE(parsed) << text;
	return parsed.value_or(Ipv6Address{});
}

TEST(Ipv6Address, ParsesAndFormatsCanonically)
{
	EXPECT_EQ(addr("2001:0db8:0:0:0:0:0:1").to_string(), "2001:db8::1");
	EXPECT_EQ(addr("::").to_string(), "::");
	EXPECT_TRUE(addr("::").is_unspecified());
	EXPECT_FALSE(addr("::1").is_unspecified());
	EXPECT_EQ(addr("::ffff:192.0.2.1").to_string(), "::ffff:192.0.2.1");
}

TEST(Ipv6Address, RejectsWhatIsNotAnAddress)
{
	for (const char *bad : {"", "2001:db8::g", "2001:db8::1/64", "192.0.2.1", " ::1",
				"fe80::1%eth0", "[::1]", "1:2:3:4:5:6:7:8:9"})
		EXPECT_FALSE(Ipv6Address::from_string(bad)) << bad;
	EXPECT_FALSE(Ipv6Address::from_string(std::string(100, '1')));
}

TEST(Ipv6Address, RoundTripsThroughIn6)
{
	Ipv6Address a = addr("2001:db8:1:2:3:4:5:6");
	EXPECT_EQ(Ipv6Address::from_in6(a.to_in6()), a);
}

TEST(Ipv6Prefix, ParsesLengths)
{
	auto p = Ipv6Prefix::from_string("2001:db8:a::/64");
	ASSERT_TRUE(p);
	EXPECT_EQ(p->length, 64);
	EXPECT_EQ(p->address, addr("2001:db8:a::"));
	EXPECT_EQ(p->to_string(), "2001:db8:a::/64");
}

TEST(Ipv6Prefix, ZeroAndFullLength)
{
	auto all = Ipv6Prefix::from_string("::/0");
	ASSERT_TRUE(all);
	EXPECT_EQ(all->length, 0);
	EXPECT_EQ(all->to_string(), "::/0");
	EXPECT_EQ(Ipv6Prefix::from_string("2001:db8::1/0")->to_string(), "::/0");

	auto host = Ipv6Prefix::from_string("2001:db8::1/128");
	ASSERT_TRUE(host);
	EXPECT_EQ(host->to_string(), "2001:db8::1/128");
	// A length is required: ip-route(8)'s "default" and bare addresses
	// are dlifctl's syntax (tests/cli), not the configuration's.
	EXPECT_FALSE(Ipv6Prefix::from_string("2001:db8::1"));
	EXPECT_FALSE(Ipv6Prefix::from_string("default"));
}

TEST(Ipv6Prefix, RejectsBadLengths)
{
	for (const char *bad : {"2001:db8::/129", "2001:db8::/", "2001:db8::/-1", "2001:db8::/+64",
				"2001:db8::/64 ", "2001:db8::/0x40", "2001:db8::/1000", "2001:db8::/6a",
				"/64", "2001:db8::/64/64", "10.0.0.0/8", ""})
		EXPECT_FALSE(Ipv6Prefix::from_string(bad)) << bad;
	EXPECT_FALSE(Ipv6Prefix::make(Ipv6Address{}, 129));
}

TEST(Ipv6Prefix, ComparesAndPrintsWithoutHostBits)
{
	// from_string keeps the bits as written (a configuration reader points
	// them out); every comparison and the text form ignore them.
	const auto written = *Ipv6Prefix::from_string("2001:db8:a:b:c:d:e:f/64");
	EXPECT_EQ(written.address, addr("2001:db8:a:b:c:d:e:f"));
	EXPECT_EQ(written.masked().address, addr("2001:db8:a:b::"));
	EXPECT_EQ(Ipv6Prefix::make(addr("2001:db8:a:b:c:d:e:f"), 64)->address, addr("2001:db8:a:b::"));
	EXPECT_EQ(written.to_string(), "2001:db8:a:b::/64");
	EXPECT_EQ(Ipv6Prefix::from_string("2001:db8:ffff::/33")->to_string(), "2001:db8:8000::/33");
	EXPECT_EQ(Ipv6Prefix::from_string("ffff:ffff::/1")->to_string(), "8000::/1");
	EXPECT_EQ(Ipv6Prefix::from_string("2001:db8::ff/127")->to_string(), "2001:db8::fe/127");
	EXPECT_EQ(Ipv6Prefix::from_string("2001:db8::1/64"), Ipv6Prefix::from_string("2001:db8::/64"));
	EXPECT_EQ(*Ipv6Prefix::from_string("2001:db8::1/64") <=> *Ipv6Prefix::from_string("2001:db8::/64"),
		  std::strong_ordering::equal);
	EXPECT_NE(Ipv6Prefix::from_string("2001:db8::/64"), Ipv6Prefix::from_string("2001:db8::/48"));
	// Ordered by address, then length: 2001:db8::/48 < 2001:db8::/64 < 2001:db8:0:1::/64.
	EXPECT_LT(*Ipv6Prefix::from_string("2001:db8::/48"), *Ipv6Prefix::from_string("2001:db8::/64"));
	EXPECT_LT(*Ipv6Prefix::from_string("2001:db8::ff/64"), *Ipv6Prefix::from_string("2001:db8:0:1::/64"));
	// Leading zeros in the length are still decimal.
	EXPECT_EQ(Ipv6Prefix::from_string("2001:db8::/064"), Ipv6Prefix::from_string("2001:db8::/64"));
}

TEST(Ipv6Prefix, Contains)
{
	auto p = *Ipv6Prefix::from_string("2001:db8:a::/48");
	EXPECT_TRUE(p.contains(addr("2001:db8:a:1::5")));
	EXPECT_FALSE(p.contains(addr("2001:db8:b::5")));
	EXPECT_TRUE(Ipv6Prefix().contains(addr("2001:db8::1")));
}

TEST(MacAddress, ParsesAndFormats)
{
	auto mac = MacAddress::from_string("02:00:0A:b:00:01");
	ASSERT_TRUE(mac);
	EXPECT_EQ(mac->bytes, (MacAddress::Bytes{0x02, 0x00, 0x0a, 0x0b, 0x00, 0x01}));
	EXPECT_EQ(mac->to_string(), "02:00:0a:0b:00:01");
	// The MN-ID form: dashes, one separator throughout.
	EXPECT_EQ(MacAddress::from_string("02-00-0a-0b-00-01"), mac);
	EXPECT_FALSE(mac->is_zero());
	EXPECT_TRUE(MacAddress{}.is_zero());
	for (const char *bad : {"", "02:00:00:00:00", "02:00:00:00:00:01:02", "02:00-00:00:00:01",
				"002:00:00:00:00:01", "02:00:00:00:00:0g", "02:00:00:00:00:", ":02:00:00:00:00:01",
				"02:00:00:00:00:001", "0200.0000.0001", "02:00:00:00:00:01 ", "02::00:00:00:00:01"})
		EXPECT_FALSE(MacAddress::from_string(bad)) << bad;
}

TEST(MacAddress, MapsIpv6MulticastGroups)
{
	EXPECT_EQ(MacAddress::for_multicast(addr("ff02::1")).to_string(), "33:33:00:00:00:01");
	EXPECT_EQ(MacAddress::for_multicast(addr("ff02::1:ff12:3456")).to_string(), "33:33:ff:12:34:56");
	EXPECT_TRUE(addr("ff02::1").is_multicast());
	EXPECT_FALSE(addr("fe80::1").is_multicast());
}

TEST(Addresses, PrintToStreams)
{
	std::ostringstream out;
	out << addr("2001:db8::1") << ' ' << *Ipv6Prefix::from_string("2001:db8::1/64") << ' '
	    << *MacAddress::from_string("2:0:0:0:0:1");
	EXPECT_EQ(out.str(), "2001:db8::1 2001:db8::/64 02:00:00:00:00:01");
}

}  // namespace
}  // namespace dlif
