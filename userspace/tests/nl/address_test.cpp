// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "dlif/nl/address.hpp"

namespace dlif::nl {
namespace {

Ipv6Address addr(const char *text)
{
	auto parsed = Ipv6Address::parse(text);
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
		EXPECT_FALSE(Ipv6Address::parse(bad)) << bad;
	EXPECT_FALSE(Ipv6Address::parse(std::string(100, '1')));
}

TEST(Ipv6Address, RoundTripsThroughIn6)
{
	Ipv6Address a = addr("2001:db8:1:2:3:4:5:6");
	EXPECT_EQ(Ipv6Address::from_in6(a.to_in6()), a);
}

TEST(Prefix, ParsesLengths)
{
	auto p = Prefix::parse("2001:db8:a::/64");
	ASSERT_TRUE(p);
	EXPECT_EQ(p->length(), 64);
	EXPECT_EQ(p->address(), addr("2001:db8:a::"));
	EXPECT_EQ(p->to_string(), "2001:db8:a::/64");
}

TEST(Prefix, ZeroAndFullLength)
{
	auto all = Prefix::parse("::/0");
	ASSERT_TRUE(all);
	EXPECT_EQ(all->length(), 0);
	EXPECT_EQ(all->to_string(), "::/0");
	EXPECT_EQ(Prefix::parse("2001:db8::1/0")->to_string(), "::/0");
	EXPECT_EQ(Prefix::parse("default"), all);

	auto host = Prefix::parse("2001:db8::1/128");
	ASSERT_TRUE(host);
	EXPECT_EQ(host->to_string(), "2001:db8::1/128");
	// A bare address is a host prefix.
	EXPECT_EQ(Prefix::parse("2001:db8::1"), host);
}

TEST(Prefix, RejectsBadLengths)
{
	for (const char *bad : {"2001:db8::/129", "2001:db8::/", "2001:db8::/-1", "2001:db8::/+64",
				"2001:db8::/64 ", "2001:db8::/0x40", "2001:db8::/1000", "2001:db8::/6a",
				"/64", "2001:db8::/64/64", "10.0.0.0/8", ""})
		EXPECT_FALSE(Prefix::parse(bad)) << bad;
	EXPECT_FALSE(Prefix::make(Ipv6Address{}, 129));
}

TEST(Prefix, ClearsHostBits)
{
	EXPECT_EQ(Prefix::parse("2001:db8:a:b:c:d:e:f/64")->to_string(), "2001:db8:a:b::/64");
	EXPECT_EQ(Prefix::parse("2001:db8:ffff::/33")->to_string(), "2001:db8:8000::/33");
	EXPECT_EQ(Prefix::parse("ffff:ffff::/1")->to_string(), "8000::/1");
	EXPECT_EQ(Prefix::parse("2001:db8::ff/127")->to_string(), "2001:db8::fe/127");
	EXPECT_EQ(Prefix::parse("2001:db8::1/64"), Prefix::parse("2001:db8::/64"));
	// Leading zeros in the length are still decimal.
	EXPECT_EQ(Prefix::parse("2001:db8::/064"), Prefix::parse("2001:db8::/64"));
}

TEST(Prefix, Contains)
{
	auto p = *Prefix::parse("2001:db8:a::/48");
	EXPECT_TRUE(p.contains(addr("2001:db8:a:1::5")));
	EXPECT_FALSE(p.contains(addr("2001:db8:b::5")));
	EXPECT_TRUE(Prefix().contains(addr("2001:db8::1")));
}

TEST(MacAddress, ParsesAndFormats)
{
	auto mac = MacAddress::parse("02:00:0A:b:00:01");
	ASSERT_TRUE(mac);
	EXPECT_EQ(mac->to_string(), "02:00:0a:0b:00:01");
	for (const char *bad : {"", "02:00:00:00:00", "02:00:00:00:00:01:02", "02-00-00-00-00-01",
				"002:00:00:00:00:01", "02:00:00:00:00:0g", "02:00:00:00:00:", ":02:00:00:00:00:01"})
		EXPECT_FALSE(MacAddress::parse(bad)) << bad;
}

}  // namespace
}  // namespace dlif::nl
