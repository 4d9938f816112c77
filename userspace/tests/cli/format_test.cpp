// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <cerrno>

#include "format.hpp"

namespace dlif::cli {
namespace {

Ipv6Address addr(const char *text)
{
	return *Ipv6Address::from_string(text);
}

std::string fake_ifname(uint32_t index)
{
	switch (index) {
	case 5:
		return "mn1mar1";
	case 2:
		return "veth0";
	default:
		return "if" + std::to_string(index);
	}
}

nl::Entry serving_entry()
{
	nl::Entry e;
	e.prefix = *Ipv6Prefix::from_string("2001:db8:a::/64");
	e.role = nl::Role::serving;
	e.peer = addr("2001:db8::1");
	e.local = addr("2001:db8::2");
	e.ifindex = 5;
	e.hop_limit = 64;
	return e;
}

nl::EntryStats sample_stats()
{
	return {10, 1040, 9, 936, 1, 2, 3, 4, 5, 6};
}

TEST(FormatEntry, FullLine)
{
	EXPECT_EQ(format_entry(serving_entry(), fake_ifname, false),
		  "2001:db8:a::/64 role serving peer 2001:db8::1 local 2001:db8::2 dev mn1mar1 "
		  "hoplimit 64\n");
}

TEST(FormatEntry, NodeOfTheDevice)
{
	nl::Entry e;
	e.prefix = *Ipv6Prefix::from_string("2001:db8:5::/64");
	e.role = nl::Role::attached;
	e.ifindex = 5;
	e.mn = MacAddress::from_string("02:00:00:00:01:02");
	EXPECT_EQ(format_entry(e, fake_ifname, false),
		  "2001:db8:5::/64 role attached dev mn1mar1 mn 02:00:00:00:01:02 hoplimit 64\n");
	EXPECT_EQ(json_text(entry_json(e, fake_ifname, false)),
		  R"({"prefix":"2001:db8:5::/64","role":"attached","dev":"mn1mar1","ifindex":5,)"
		  R"("mn":"02:00:00:00:01:02","hoplimit":64})");
}

TEST(FormatBinding, PrimaryAndWithRouterLinkLocal)
{
	nl::Binding b{5, *MacAddress::from_string("02:00:00:00:01:01"),
		      *MacAddress::from_string("02:11:22:33:01:01"), true, std::nullopt, std::nullopt};
	EXPECT_EQ(format_binding(b, fake_ifname), "mn1mar1 mn 02:00:00:00:01:01 router 02:11:22:33:01:01 primary\n");
	b.primary = false;
	b.router_ll = Ipv6Address::from_string("fe80::2:1");
	EXPECT_EQ(format_binding(b, fake_ifname),
		  "mn1mar1 mn 02:00:00:00:01:01 router 02:11:22:33:01:01 router-ll fe80::2:1\n");
	EXPECT_EQ(json_text(binding_json(b, fake_ifname)),
		  R"({"dev":"mn1mar1","ifindex":5,"mn":"02:00:00:00:01:01","router":"02:11:22:33:01:01",)"
		  R"("router_ll":"fe80::2:1","primary":false})");
	b.rx_packets = 42;
	EXPECT_EQ(format_binding(b, fake_ifname),
		  "mn1mar1 mn 02:00:00:00:01:01 router 02:11:22:33:01:01 router-ll fe80::2:1 rx-packets 42\n");
}

TEST(FormatBinding, Notifications)
{
	nl::BindingNotification n{true, {5, *MacAddress::from_string("02:00:00:00:01:02"),
					 *MacAddress::from_string("02:aa:00:00:01:02"), false, std::nullopt, std::nullopt}};
	EXPECT_EQ(format_binding_notification(n, fake_ifname),
		  "added binding mn1mar1 mn 02:00:00:00:01:02 router 02:aa:00:00:01:02\n");
	n.added = false;
	EXPECT_EQ(format_binding_notification_json(n, fake_ifname),
		  R"({"event":"deleted","binding":{"dev":"mn1mar1","ifindex":5,"mn":"02:00:00:00:01:02",)"
		  R"("router":"02:aa:00:00:01:02","primary":false}})"
		  "\n");
}

TEST(FormatEntry, OmitsUnsetLocalDevAndPeer)
{
	nl::Entry e;
	e.prefix = *Ipv6Prefix::from_string("2001:db8:b::/48");
	e.role = nl::Role::local_export;
	e.hop_limit = 7;
	EXPECT_EQ(format_entry(e, fake_ifname, false), "2001:db8:b::/48 role local-export hoplimit 7\n");
}

TEST(FormatEntry, StatsLineOnlyWithStats)
{
	nl::Entry e = serving_entry();
	// -s without counters in the reply: nothing to print.
	EXPECT_EQ(format_entry(e, fake_ifname, true), format_entry(e, fake_ifname, false));
	e.stats = sample_stats();
	EXPECT_EQ(format_entry(e, fake_ifname, false).find('\n'), format_entry(e, fake_ifname, false).size() - 1);
	EXPECT_EQ(format_entry(e, fake_ifname, true),
		  "2001:db8:a::/64 role serving peer 2001:db8::1 local 2001:db8::2 dev mn1mar1 "
		  "hoplimit 64\n"
		  "    encap 10 pkts 1040 bytes decap 9 pkts 936 bytes drops spoof 1 too-big 2 "
		  "no-route 3 hop-limit 4 ecn 5 other 6\n");
}

TEST(FormatEntry, UnknownIfindexAndRole)
{
	nl::Entry e = serving_entry();
	e.ifindex = 99;
	e.role = static_cast<nl::Role>(7);
	EXPECT_EQ(format_entry(e, fake_ifname, false),
		  "2001:db8:a::/64 role role-7 peer 2001:db8::1 local 2001:db8::2 dev if99 hoplimit 64\n");
}

TEST(EntryJson, FullObject)
{
	nl::Entry e = serving_entry();
	e.stats = sample_stats();
	EXPECT_EQ(json_text(entry_json(e, fake_ifname, false)), R"({"prefix":"2001:db8:a::/64","role":"serving","peer":"2001:db8::1",)"
		       R"("local":"2001:db8::2","dev":"mn1mar1","ifindex":5,"hoplimit":64})");
}

TEST(EntryJson, WithStats)
{
	nl::Entry e;
	e.prefix = *Ipv6Prefix::from_string("::/0");
	e.role = nl::Role::local_net;
	e.peer = addr("2001:db8::1");
	e.stats = sample_stats();
	EXPECT_EQ(json_text(Json::array({entry_json(e, fake_ifname, true), entry_json(e, fake_ifname, false)})), R"([{"prefix":"::/0","role":"local-net","peer":"2001:db8::1","hoplimit":64,)"
		       R"("stats":{"encap_packets":10,"encap_bytes":1040,"decap_packets":9,"decap_bytes":936,)"
		       R"("drop_spoof":1,"drop_too_big":2,"drop_no_route":3,"drop_hop_limit":4,)"
		       R"("drop_ecn":5,"drop_other":6}},)"
		       R"({"prefix":"::/0","role":"local-net","peer":"2001:db8::1","hoplimit":64}])");
}

nl::DlifDevice device()
{
	nl::DlifDevice d;
	d.ifindex = 5;
	d.name = "mn1mar1";
	d.link = 2;
	d.address = *MacAddress::from_string("00:11:22:33:01:01");
	d.mn = MacAddress::from_string("02:00:00:00:00:01");
	d.maar = addr("2001:db8::1");
	return d;
}

TEST(FormatDevice, TextAndJson)
{
	EXPECT_EQ(format_device(device(), fake_ifname),
		  "mn1mar1: link veth0 address 00:11:22:33:01:01 mn 02:00:00:00:00:01 maar 2001:db8::1\n");
	EXPECT_EQ(json_text(device_json(device(), fake_ifname)), R"({"ifname":"mn1mar1","ifindex":5,"link":"veth0","link_ifindex":2,)"
		       R"("address":"00:11:22:33:01:01","mn":"02:00:00:00:00:01","maar":"2001:db8::1"})");
}

TEST(FormatDevice, WithoutMnAndMaar)
{
	nl::DlifDevice d = device();
	d.mn.reset();
	d.maar.reset();
	d.name.clear();
	EXPECT_EQ(format_device(d, fake_ifname), "mn1mar1: link veth0 address 00:11:22:33:01:01\n");
	EXPECT_EQ(json_text(device_json(d, fake_ifname)), R"({"ifname":"mn1mar1","ifindex":5,"link":"veth0","link_ifindex":2,)"
		       R"("address":"00:11:22:33:01:01"})");
}

TEST(FormatNotification, TextAndJson)
{
	nl::Notification n{nl::EntryEvent::replaced, serving_entry()};
	n.entry.stats = sample_stats();	// never printed for events
	EXPECT_EQ(format_notification(n, fake_ifname),
		  "replaced 2001:db8:a::/64 role serving peer 2001:db8::1 local 2001:db8::2 dev "
		  "mn1mar1 hoplimit 64\n");
	EXPECT_EQ(format_notification_json(n, fake_ifname),
		  R"({"event":"replaced","prefix":"2001:db8:a::/64","role":"serving",)"
		  R"("peer":"2001:db8::1","local":"2001:db8::2","dev":"mn1mar1","ifindex":5,)"
		  R"("hoplimit":64})"
		  "\n");
	n.event = nl::EntryEvent::added;
	EXPECT_EQ(format_notification(n, fake_ifname).substr(0, 6), "added ");
	n.event = nl::EntryEvent::deleted;
	EXPECT_EQ(format_notification(n, fake_ifname).substr(0, 8), "deleted ");
}

TEST(FormatNotification, StampedWithTheTimeItWasRead)
{
	const nl::Notification n{nl::EntryEvent::added, serving_entry()};
	const std::string time = "2026-12-07T05:40:01.123456Z";
	EXPECT_EQ(stamped_line(format_notification(n, fake_ifname), time, false),
		  "[2026-12-07T05:40:01.123456Z] added 2001:db8:a::/64 role serving peer 2001:db8::1 local "
		  "2001:db8::2 dev mn1mar1 hoplimit 64\n");
	const std::string json = stamped_line(format_notification_json(n, fake_ifname), time, true);
	const std::string_view head = R"({"ts":"2026-12-07T05:40:01.123456Z","event":"added",)";
	EXPECT_EQ(json.substr(0, head.size()), head);
	// Still one object per line, which a JSON reader takes whole.
	const auto parsed = Json::parse(json);
	EXPECT_EQ(parsed["ts"], time);
	EXPECT_EQ(parsed["prefix"], "2001:db8:a::/64");
	EXPECT_EQ(json.back(), '\n');
}

TEST(FormatError, ExtackOrStrerror)
{
	EXPECT_EQ(format_error(nl::make_error(EEXIST, "prefix already has an entry")),
		  "Error: prefix already has an entry.");
	EXPECT_EQ(format_error(nl::make_error(EEXIST)), "Error: File exists.");
	EXPECT_EQ(format_error(nl::make_error(EINVAL, "ends with a period.")),
		  "Error: ends with a period.");
	nl::Error missing = nl::make_error(EINVAL);
	missing.missing_type = 5;
	EXPECT_EQ(format_error(missing), "Error: Invalid argument (missing attribute 5).");
}

TEST(Json, InterfaceNamesThatAreNotUtf8AreReplaced)
{
	nl::DlifDevice d = device();
	d.name = "mn\xff";
	EXPECT_EQ(json_text(device_json(d, fake_ifname)).substr(0, 23), "{\"ifname\":\"mn\xef\xbf\xbd\",\"ifin");
}

}  // namespace
}  // namespace dlif::cli
