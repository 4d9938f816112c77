// SPDX-License-Identifier: GPL-2.0
//
// The cores behind ProtocolCore: finding a node by MN-ID or MAC in their
// views, and a CMD and a MAAR core answering the daemon's calls.
#include <gtest/gtest.h>

#include "config.hpp"
#include "core.hpp"

namespace dlif::daemon {
namespace {

TEST(FindMobileNode, ByNaiMacOrDerivedNai)
{
	const nlohmann::json nodes = nlohmann::json::parse(R"([
		{"mn":"alice@example.net","mn_mac":"02:00:00:00:00:0a"},
		{"mn":"02-00-00-00-00-0b@dlif.example","mac":"02:00:00:00:00:0b"},
		{"mn":"02-00-00-00-00-0c@dlif.example"}
	])");
	EXPECT_EQ((*find_mobile_node(nodes, "alice@example.net", "dlif.example"))["mn"], "alice@example.net");
	EXPECT_EQ((*find_mobile_node(nodes, "02:00:00:00:00:0A", "dlif.example"))["mn"], "alice@example.net");
	EXPECT_EQ((*find_mobile_node(nodes, "02:00:00:00:00:0b", "dlif.example"))["mac"], "02:00:00:00:00:0b");
	EXPECT_EQ((*find_mobile_node(nodes, "02:00:00:00:00:0c", "dlif.example"))["mn"],
		  "02-00-00-00-00-0c@dlif.example");
	EXPECT_FALSE(find_mobile_node(nodes, "bob", "dlif.example"));
	EXPECT_FALSE(find_mobile_node(nlohmann::json::object(), "bob", "dlif.example"));
}

Config config_of(const char *text)
{
	auto config = config_from_toml(text, "t.toml");
	EXPECT_TRUE(config) << (config ? "" : config.error().to_string());
	return *config;
}

TEST(Cores, CmdStartsEmptyAndRoundTripsItsSnapshot)
{
	auto core = make_core(config_of(R"([daemon]
role = "cmd"
[domain]
maars = ["2001:db8::1"]
[cmd]
address = "2001:db8::100"
)"));
	const dmm::TimePoint now{std::chrono::seconds(10)};
	core->set_wall_clock(now, dmm::WallTime(std::chrono::seconds(1700000000)));
	core->start(now);
	EXPECT_EQ(core->mobile_node_count(), 0u);
	EXPECT_TRUE(core->mobile_nodes(now).is_array());
	const std::string snapshot = core->snapshot();
	auto restored = core->restore(snapshot, now);
	ASSERT_TRUE(restored) << restored.error();
	EXPECT_EQ(core->snapshot(), snapshot);
	EXPECT_FALSE(core->restore("not json", now));
}

TEST(Cores, MaarAttachesANodeAndShowsIt)
{
	auto core = make_core(config_of(R"([daemon]
role = "maar"
[domain]
maars = ["2001:db8::1", "2001:db8::2"]
[maar]
address = "2001:db8::1"
cmd = "2001:db8::100"
access_interfaces = ["eth1"]
prefix_pool = "2001:db8:1000::/48"
)"));
	const dmm::TimePoint now{std::chrono::seconds(10)};
	core->set_wall_clock(now, dmm::WallTime(std::chrono::seconds(1700000000)));
	core->start(now);
	const auto mac = *MacAddress::from_string("02:00:00:00:00:01");
	const dmm::Actions actions = core->handle(dmm::MnAttached{mac, "eth1"}, now);
	bool sent_pbu = false;
	for (const auto &action : actions)
		if (const auto *send = std::get_if<dmm::SendMh>(&action))
			sent_pbu = sent_pbu || (send->destination.to_string() == "2001:db8::100");
	EXPECT_TRUE(sent_pbu);
	EXPECT_EQ(core->mobile_node_count(), 1u);
	auto node = find_mobile_node(core->mobile_nodes(now), "02:00:00:00:00:01", "dlif.example");
	ASSERT_TRUE(node);
	EXPECT_EQ((*node)["mac"], "02:00:00:00:00:01");
}

// mn show looks the node up through the core's indexes: the same node as
// a search of the whole list, for an MN-ID, a MAC in either case, the
// MN-ID derived from a MAC, and nothing for an unknown name.
TEST(Cores, MobileNodeIsWhatASearchOfTheListFinds)
{
	auto core = make_core(config_of(R"([daemon]
role = "maar"
[domain]
maars = ["2001:db8::1", "2001:db8::2"]
realm = "dlif.example"
[maar]
address = "2001:db8::1"
cmd = "2001:db8::100"
access_interfaces = ["eth1"]
prefix_pool = "2001:db8:1000::/48"
)"));
	const dmm::TimePoint now{std::chrono::seconds(10)};
	core->set_wall_clock(now, dmm::WallTime(std::chrono::seconds(1700000000)));
	core->start(now);
	for (const char *mac : {"02:00:00:00:00:03", "02:00:00:00:00:01", "02:00:00:00:00:0a"})
		core->handle(dmm::MnAttached{*MacAddress::from_string(mac), "eth1"}, now);
	ASSERT_EQ(core->mobile_node_count(), 3u);
	const nlohmann::json all = core->mobile_nodes(now);
	for (const char *id : {"02:00:00:00:00:01", "02:00:00:00:00:0A", "02-00-00-00-00-03@dlif.example",
			       "02:00:00:00:00:03", "02:00:00:00:00:04", "bob", ""}) {
		SCOPED_TRACE(id);
		const auto searched = find_mobile_node(all, id, "dlif.example");
		const auto looked_up = core->mobile_node(id, "dlif.example", now);
		ASSERT_EQ(searched.has_value(), looked_up.has_value());
		if (searched) {
			EXPECT_EQ(*searched, *looked_up);
		}
	}
	EXPECT_TRUE(core->mobile_node("02:00:00:00:00:0a", "dlif.example", now).has_value());
	EXPECT_FALSE(core->mobile_node("bob", "dlif.example", now).has_value());
}

// Every node of a listing in pages, once each and in the order of the
// whole list, whatever the page size.
std::vector<nlohmann::json> all_pages(const ProtocolCore &core, std::size_t limit, dmm::TimePoint now)
{
	std::vector<nlohmann::json> nodes;
	std::optional<std::string> after;
	for (int pages = 0; pages < 1000; ++pages) {
		const auto page = core.mobile_nodes_page(after, limit, now);
		EXPECT_TRUE(page.has_value());
		if (!page)
			break;
		EXPECT_LE((*page)["nodes"].size(), limit);
		for (const auto &node : (*page)["nodes"])
			nodes.push_back(node);
		if ((*page)["next"].is_null())
			break;
		after = (*page)["next"].get<std::string>();
	}
	return nodes;
}

TEST(Cores, MaarListsItsNodesInPages)
{
	auto core = make_core(config_of(R"([daemon]
role = "maar"
[domain]
maars = ["2001:db8::1"]
[maar]
address = "2001:db8::1"
cmd = "2001:db8::100"
access_interfaces = ["eth1"]
prefix_pool = "2001:db8:1000::/48"
)"));
	const dmm::TimePoint now{std::chrono::seconds(10)};
	core->set_wall_clock(now, dmm::WallTime(std::chrono::seconds(1700000000)));
	core->start(now);
	for (unsigned i = 1; i <= 25; ++i) {
		MacAddress mac{};
		mac.bytes = {0x02, 0, 0, 0, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
		core->handle(dmm::MnAttached{mac, "eth1"}, now);
	}
	const auto whole = core->mobile_nodes(now);
	ASSERT_EQ(whole.size(), 25u);
	for (std::size_t limit : {1u, 7u, 25u, 100u}) {
		SCOPED_TRACE(limit);
		const auto paged = all_pages(*core, limit, now);
		EXPECT_EQ(nlohmann::json(paged), whole);
	}
	EXPECT_FALSE(core->mobile_nodes_page(std::string("seven"), 5, now));
	EXPECT_FALSE(core->mobile_nodes_page(std::string(""), 5, now));
	EXPECT_TRUE((*core->mobile_nodes_page(std::string("4000000000"), 5, now))["nodes"].empty());
}

TEST(Cores, CmdListsItsBindingsInPagesByMnId)
{
	auto core = make_core(config_of(R"([daemon]
role = "cmd"
[domain]
maars = ["2001:db8::1"]
[cmd]
address = "2001:db8::100"
)"));
	const dmm::TimePoint now{std::chrono::seconds(10)};
	core->set_wall_clock(now, dmm::WallTime(std::chrono::seconds(1700000000)));
	core->start(now);
	const auto maar = *Ipv6Address::from_string("2001:db8::1");
	const auto cmd = *Ipv6Address::from_string("2001:db8::100");
	for (unsigned i = 0; i < 30; ++i) {
		mh::ProxyBindingUpdate pbu;
		pbu.sequence = static_cast<std::uint16_t>(i + 1);
		pbu.flags.set(mh::BuFlag::Dmm, true);
		pbu.lifetime = mh::Lifetime::from_units(100);
		// Names whose hash order is not their sort order.
		pbu.options.mobile_node_identifier = mh::MobileNodeIdentifier::nai("mn" + std::to_string(i * 7919 % 30) + "@x");
		pbu.options.home_network_prefixes.push_back(
			*Ipv6Prefix::from_string("2001:db8:1:" + std::to_string(i) + "::/64"));
		pbu.options.handoff_indicator = mh::HandoffIndicator::HandoffStateUnknown;
		pbu.options.access_technology_type = mh::AccessTechnologyType::Ieee8023;
		core->handle(dmm::MhReceived{maar, cmd, pbu}, now);
	}
	const auto whole = core->mobile_nodes(now);
	ASSERT_EQ(whole.size(), 30u);
	for (std::size_t limit : {1u, 4u, 30u, 31u}) {
		SCOPED_TRACE(limit);
		EXPECT_EQ(nlohmann::json(all_pages(*core, limit, now)), whole);
	}
	// Any text is a cursor here: the nodes after it by MN-ID.
	const auto page = core->mobile_nodes_page(std::string("mn8@x"), 10, now);
	ASSERT_TRUE(page);
	ASSERT_EQ((*page)["nodes"].size(), 1u);
	EXPECT_EQ((*page)["nodes"][0]["mn"], "mn9@x");
	EXPECT_TRUE((*page)["next"].is_null());
}

TEST(Cores, CmdMobileNodeOfAnEmptyCoreIsNone)
{
	auto core = make_core(config_of(R"([daemon]
role = "cmd"
[domain]
maars = ["2001:db8::1"]
[cmd]
address = "2001:db8::100"
)"));
	const dmm::TimePoint now{std::chrono::seconds(10)};
	core->start(now);
	EXPECT_FALSE(core->mobile_node("02:00:00:00:00:01", "dlif.example", now).has_value());
	EXPECT_FALSE(core->mobile_node("alice@example.net", "dlif.example", now).has_value());
}

} // namespace
} // namespace dlif::daemon
