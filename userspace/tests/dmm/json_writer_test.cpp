// SPDX-License-Identifier: GPL-2.0
//
// json::Writer: what it writes is JSON that nlohmann reads back to the
// values written, and its addresses, prefixes and MACs read as json.hpp's
// to_json() writes them (the records' readers are json.hpp's).
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dlif/dmm/json.hpp"
#include "dlif/dmm/json_writer.hpp"

namespace dlif::dmm::json {
namespace {

Json parsed(const Writer &writer)
{
	return Json::parse(writer.text());
}

TEST(JsonWriter, PlacesCommasInNestedObjectsAndArrays)
{
	Writer out;
	out.begin_object();
	out.member("a", 1);
	out.key("empty_array").begin_array().end_array();
	out.key("empty_object").begin_object().end_object();
	out.key("list").begin_array();
	out.begin_object().member("x", true).member("y", nullptr).end_object();
	out.value(2).begin_array().value("z").end_array();
	out.end_array();
	out.member("last", false);
	out.end_object();

	EXPECT_EQ(out.text(), R"({"a":1,"empty_array":[],"empty_object":{},"list":[{"x":true,"y":null},2,["z"]],"last":false})");
	const Json expected = {{"a", 1},
			       {"empty_array", Json::array()},
			       {"empty_object", Json::object()},
			       {"list", Json::array({Json{{"x", true}, {"y", nullptr}}, 2, Json::array({"z"})})},
			       {"last", false}};
	EXPECT_EQ(parsed(out), expected);
}

TEST(JsonWriter, EscapesWhatJsonRequiresAndKeepsUtf8)
{
	const std::vector<std::string> texts = {
		"",
		"plain@dlif.example",
		"quote\" backslash\\ slash/",
		"line\nreturn\rtab\t",
		std::string("nul\0one\x01unit\x1f", 13),
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xb1",
	};
	for (const auto &text : texts) {
		Writer out;
		out.begin_array().value(text).end_array();
		SCOPED_TRACE(out.text());
		EXPECT_EQ(parsed(out).at(0).get<std::string>(), text);
		for (const char c : out.text())
			EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "a control character left raw";
	}
	Writer key;
	key.begin_object().member("a\"b", 1).end_object();
	EXPECT_EQ(parsed(key), (Json{{"a\"b", 1}}));
}

TEST(JsonWriter, WritesEveryIntegerTypeExactly)
{
	Writer out;
	out.begin_array();
	out.value(std::numeric_limits<std::int64_t>::min());
	out.value(std::numeric_limits<std::uint64_t>::max());
	out.value(std::uint8_t{200});
	out.value(std::uint16_t{65535});
	out.value(-1);
	out.value(0u);
	out.end_array();

	const Json list = parsed(out);
	EXPECT_EQ(list.at(0).get<std::int64_t>(), std::numeric_limits<std::int64_t>::min());
	EXPECT_EQ(list.at(1).get<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());
	EXPECT_EQ(list.at(2), 200);
	EXPECT_EQ(list.at(3), 65535);
	EXPECT_EQ(list.at(4), -1);
	EXPECT_EQ(list.at(5), 0);
}

TEST(JsonWriter, WritesValueTypesAsToJsonDoes)
{
	const auto address = *Ipv6Address::from_string("2001:db8::1");
	// Bits beyond the length are not written (to_json() masks them too).
	const auto prefix = *Ipv6Prefix::from_string("2001:db8:1:2::5/64");
	const auto mac = *MacAddress::from_string("02:00:00:00:00:0a");
	const DlifIdentity identity{mac, *Ipv6Address::from_string("fe80::a")};
	const std::vector<Ipv6Prefix> prefixes = {prefix, *Ipv6Prefix::from_string("2001:db8:ff::/48")};
	const std::optional<MacAddress> none;

	Writer out;
	out.begin_object();
	out.member("address", address);
	out.member("prefix", prefix);
	out.member("mac", mac);
	out.member("identity", identity);
	out.member("prefixes", prefixes);
	out.member("some", std::optional<MacAddress>(mac));
	out.member("none", none);
	out.member("timestamp", std::optional(mh::Timestamp::from_raw(0xfedcba9876543210)));
	out.end_object();

	const Json record = parsed(out);
	EXPECT_EQ(record.at("address"), to_json(address));
	EXPECT_EQ(record.at("prefix"), to_json(prefix));
	EXPECT_EQ(record.at("prefix"), "2001:db8:1:2::/64");
	EXPECT_EQ(record.at("mac"), to_json(mac));
	EXPECT_EQ(record.at("identity"), to_json(identity));
	EXPECT_EQ(identity_from(record.at("identity")), identity);
	EXPECT_EQ(record.at("prefixes"), to_json(prefixes));
	EXPECT_EQ(record.at("some"), to_json(mac));
	EXPECT_TRUE(record.at("none").is_null());
	EXPECT_EQ(record.at("timestamp").get<std::uint64_t>(), 0xfedcba9876543210u);
}

TEST(JsonWriter, EmbedsJsonTextAsAValue)
{
	Writer out;
	out.begin_object().key("nested").raw(R"({"b":[1,2]})").member("after", 3).end_object();
	EXPECT_EQ(parsed(out), (Json{{"nested", {{"b", {1, 2}}}}, {"after", 3}}));
}

} // namespace
} // namespace dlif::dmm::json
