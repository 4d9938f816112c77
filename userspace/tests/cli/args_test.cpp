// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <cerrno>

#include "args.hpp"

namespace dlif::cli {
namespace {

nl::Result<Invocation> parse(std::initializer_list<std::string_view> words)
{
	std::vector<std::string_view> args(words);
	return parse_invocation(std::span<const std::string_view>(args));
}

template <typename T>
T command_of(std::initializer_list<std::string_view> words)
{
	auto invocation = parse(words);
	EXPECT_TRUE(invocation) << (invocation ? "" : invocation.error().message);
	if (!invocation)
		return T{};
	const T *command = std::get_if<T>(&invocation->command);
	EXPECT_NE(command, nullptr);
	return command ? *command : T{};
}

std::string error_of(std::initializer_list<std::string_view> words)
{
	auto invocation = parse(words);
	EXPECT_FALSE(invocation);
	if (invocation)
		return {};
	EXPECT_EQ(invocation.error().code, EINVAL);
	return invocation.error().message;
}

Ipv6Address addr(const char *text)
{
	return *Ipv6Address::from_string(text);
}

TEST(Args, RouteAddEverything)
{
	auto add = command_of<RouteModify>({"route", "add", "2001:db8:a::/64", "role", "serving", "peer",
					    "2001:db8::1", "local", "2001:db8::2", "dev", "mn1mar1",
					    "hoplimit", "10"});
	EXPECT_EQ(add.kind, nl::EntryOpKind::add);
	EXPECT_EQ(add.entry.prefix.to_string(), "2001:db8:a::/64");
	EXPECT_EQ(add.entry.role, nl::Role::serving);
	EXPECT_EQ(add.entry.peer, addr("2001:db8::1"));
	EXPECT_EQ(add.entry.local, addr("2001:db8::2"));
	EXPECT_EQ(add.dev, "mn1mar1");
	EXPECT_EQ(add.entry.hop_limit, 10);
	EXPECT_EQ(add.entry.ifindex, 0u);	// resolved when run
}

TEST(Args, RouteAddNamingANodeOfTheDevice)
{
	auto add = command_of<RouteModify>({"route", "add", "2001:db8:5::/64", "role", "attached", "dev",
					    "d1", "mn", "02:00:00:00:01:02"});
	EXPECT_EQ(add.entry.role, nl::Role::attached);
	EXPECT_EQ(add.dev, "d1");
	EXPECT_EQ(add.entry.mn, MacAddress::from_string("02:00:00:00:01:02"));
	EXPECT_EQ(error_of({"route", "add", "2001:db8:5::/64", "role", "attached", "mn", "02:00:00:00:01:02"}),
		  "route add: \"mn\" names a node of the entry's DLIF: give \"dev\"");
	EXPECT_EQ(error_of({"route", "add", "2001:db8:5::/64", "role", "attached", "dev", "d1", "mn", "x"}),
		  "invalid MAC address \"x\"");
}

TEST(Args, RouteReplaceMinimalWithDefaults)
{
	auto replace = command_of<RouteModify>({"route", "replace", "2001:db8:b::/48", "role", "local-export"});
	EXPECT_EQ(replace.kind, nl::EntryOpKind::replace);
	EXPECT_EQ(replace.entry.role, nl::Role::local_export);
	EXPECT_FALSE(replace.entry.peer);
	EXPECT_TRUE(replace.entry.local.is_unspecified());
	EXPECT_FALSE(replace.dev);
	EXPECT_EQ(replace.entry.hop_limit, 64);
}

TEST(Args, KeywordsInAnyOrderAndHostBitsMasked)
{
	auto add = command_of<RouteModify>({"route", "add", "role", "anchor", "peer", "2001:db8::1",
					    "2001:db8:a::5/64"});
	EXPECT_EQ(add.entry.prefix.to_string(), "2001:db8:a::/64");
	EXPECT_EQ(add.entry.role, nl::Role::anchor);
}

TEST(Args, Abbreviations)
{
	EXPECT_EQ(command_of<RouteModify>({"r", "a", "::/0", "role", "local-net"}).entry.role,
		  nl::Role::local_net);
	command_of<RouteShow>({"ro", "sh"});
	command_of<RouteShow>({"route", "list"});
	command_of<RouteShow>({"route", "ls"});
	command_of<RouteShow>({"route"});
	command_of<RouteDelete>({"route", "del", "2001:db8::/64"});
	command_of<RouteDelete>({"route", "delete", "2001:db8::/64"});
	command_of<RouteGet>({"route", "g", "2001:db8::/64"});
	command_of<RouteFlush>({"route", "f"});
	command_of<DevShow>({"d"});
	command_of<DevShow>({"device", "show"});
	command_of<Monitor>({"mon"});
	command_of<Help>({"help"});
}

TEST(Args, PrefixesTakeIpRouteSyntax)
{
	// As ip-route(8): "default", a bare address as a host prefix, host
	// bits cleared rather than refused.
	const auto prefix_of = [](std::string_view text) {
		std::vector<std::string_view> words{"route", "get", text};
		auto command = parse_command(words);
		return command ? std::get<RouteGet>(*command).prefix.to_string() : std::string("error");
	};
	EXPECT_EQ(prefix_of("default"), "::/0");
	EXPECT_EQ(prefix_of("2001:db8::1"), "2001:db8::1/128");
	EXPECT_EQ(prefix_of("2001:db8::1/64"), "2001:db8::/64");
	EXPECT_EQ(prefix_of("2001:db8::/064"), "2001:db8::/64");
	EXPECT_EQ(prefix_of("2001:db8::/129"), "error");
	EXPECT_EQ(prefix_of("defaults"), "error");
}

TEST(Args, RouteErrors)
{
	EXPECT_EQ(error_of({"route", "add", "2001:db8::/129", "role", "serving"}),
		  "invalid prefix \"2001:db8::/129\"");
	EXPECT_EQ(error_of({"route", "add", "2001:db8::/64"}), "route add: missing \"role\"");
	EXPECT_EQ(error_of({"route", "add", "role", "serving"}), "route add: missing PREFIX");
	EXPECT_EQ(error_of({"route", "add", "2001:db8::/64", "role", "boss"}),
		  "invalid role \"boss\" (anchor, serving, local-net, local-export or attached)");
	EXPECT_EQ(error_of({"route", "add", "2001:db8::/64", "role"}), "\"role\" needs a value");
	EXPECT_EQ(error_of({"route", "add", "2001:db8::/64", "role", "serving", "peer", "x"}),
		  "invalid peer address \"x\"");
	EXPECT_EQ(error_of({"route", "add", "2001:db8::/64", "role", "serving", "local", "1.2.3.4"}),
		  "invalid local address \"1.2.3.4\"");
	EXPECT_EQ(error_of({"route", "add", "2001:db8::/64", "role", "serving", "hoplimit", "0"}),
		  "invalid hoplimit \"0\" (1..255)");
	EXPECT_EQ(error_of({"route", "add", "2001:db8::/64", "role", "serving", "hoplimit", "256"}),
		  "invalid hoplimit \"256\" (1..255)");
	EXPECT_EQ(error_of({"route", "add", "2001:db8::/64", "role", "serving", "hoplimit", "6x"}),
		  "invalid hoplimit \"6x\" (1..255)");
	EXPECT_EQ(error_of({"route", "add", "2001:db8::/64", "role", "serving", "role", "anchor"}),
		  "duplicate \"role\"");
	EXPECT_EQ(error_of({"route", "add", "2001:db8::/64", "role", "serving", "2001:db8:1::/64"}),
		  "unexpected argument \"2001:db8:1::/64\" for route add");
	EXPECT_EQ(error_of({"route", "add", "2001:db8::/64", "role", "serving", "dev",
			    "a-name-far-too-long"}),
		  "invalid device name \"a-name-far-too-long\"");
	EXPECT_EQ(error_of({"route", "del"}), "route del: missing PREFIX");
	EXPECT_EQ(error_of({"route", "del", "2001:db8::/64", "role", "serving"}),
		  "unexpected argument \"role\" for route del");
	EXPECT_EQ(error_of({"route", "get", "zz"}), "invalid prefix \"zz\"");
	EXPECT_EQ(error_of({"route", "show", "local", "::1"}),
		  "unexpected argument \"local\" for route show");
	EXPECT_EQ(error_of({"route", "flush", "role", "anchor"}),
		  "unexpected argument \"role\" for route flush");
	EXPECT_EQ(error_of({"route", "frobnicate"}),
		  "unknown route command \"frobnicate\"; try \"dlifctl help\"");
}

TEST(Args, RouteShowAndFlushFilters)
{
	auto show = command_of<RouteShow>({"route", "show", "role", "anchor", "peer", "2001:db8::1",
					   "dev", "d0", "mn", "02:00:00:00:01:02"});
	EXPECT_EQ(show.role, nl::Role::anchor);
	EXPECT_EQ(show.peer, addr("2001:db8::1"));
	EXPECT_EQ(show.dev, "d0");
	EXPECT_EQ(show.mn, MacAddress::from_string("02:00:00:00:01:02"));

	auto flush = command_of<RouteFlush>({"route", "flush", "dev", "d0", "peer", "2001:db8::1"});
	EXPECT_EQ(flush.peer, addr("2001:db8::1"));
	EXPECT_EQ(flush.dev, "d0");
	auto all = command_of<RouteFlush>({"route", "flush"});
	EXPECT_FALSE(all.peer);
	EXPECT_FALSE(all.dev);
}

TEST(Args, Devices)
{
	EXPECT_FALSE(command_of<DevShow>({"dev", "show"}).name);
	EXPECT_EQ(command_of<DevShow>({"dev", "show", "mn1mar1"}).name, "mn1mar1");
	EXPECT_EQ(command_of<DevShow>({"dev", "show", "dev", "mn1mar1"}).name, "mn1mar1");

	auto set = command_of<DevSet>({"dev", "set", "mn1mar1", "mn", "02:00:00:00:00:01", "maar",
				       "2001:db8::1"});
	EXPECT_EQ(set.name, "mn1mar1");
	EXPECT_EQ(set.mn, MacAddress::from_string("02:00:00:00:00:01"));
	EXPECT_EQ(set.maar, addr("2001:db8::1"));
	EXPECT_FALSE(command_of<DevSet>({"dev", "set", "d0", "maar", "::1"}).mn);

	EXPECT_EQ(error_of({"dev", "set", "d0"}), "dev set: nothing to set (mn MAC and/or maar ADDR)");
	EXPECT_EQ(error_of({"dev", "set"}), "dev set: missing IFNAME");
	EXPECT_EQ(error_of({"dev", "set", "d0", "mn", "02:00"}), "invalid MAC address \"02:00\"");
	EXPECT_EQ(error_of({"dev", "set", "d0", "maar", "nope"}), "invalid MAAR address \"nope\"");
	EXPECT_EQ(error_of({"dev", "show", "a", "b"}), "unexpected argument \"b\" for dev show");
}

TEST(Args, Bindings)
{
	auto add = command_of<BindingModify>({"binding", "add", "dev", "d0", "mn", "02:00:00:00:00:01",
					      "router", "02:00:00:00:00:aa"});
	EXPECT_TRUE(add.add);
	EXPECT_EQ(add.dev, "d0");
	EXPECT_EQ(add.mn, MacAddress::from_string("02:00:00:00:00:01"));
	EXPECT_EQ(add.router, MacAddress::from_string("02:00:00:00:00:aa"));
	EXPECT_FALSE(add.router_ll);
	auto with_ll = command_of<BindingModify>({"binding", "add", "dev", "d0", "mn", "02:00:00:00:00:01",
						  "router", "02:00:00:00:00:aa", "router-ll", "fe80::aa"});
	EXPECT_EQ(with_ll.router_ll, addr("fe80::aa"));
	EXPECT_EQ(error_of({"binding", "del", "dev", "d0", "mn", "02:00:00:00:00:01", "router-ll", "fe80::aa"}),
		  "unexpected argument \"router-ll\" for binding del");
	auto del = command_of<BindingModify>({"binding", "del", "mn", "02:00:00:00:00:01", "dev", "d0"});
	EXPECT_FALSE(del.add);
	EXPECT_EQ(del.dev, "d0");
	EXPECT_FALSE(del.router);
	EXPECT_FALSE(command_of<BindingShow>({"binding", "show"}).dev);
	EXPECT_FALSE(command_of<BindingShow>({"binding"}).dev);
	EXPECT_EQ(command_of<BindingShow>({"binding", "show", "dev", "d0"}).dev, "d0");
	EXPECT_FALSE(command_of<BindingShow>({"binding", "show", "dev", "d0"}).mn);
	EXPECT_EQ(command_of<BindingShow>({"binding", "show", "dev", "d0", "mn", "02:00:00:00:00:01"}).mn,
		  MacAddress::from_string("02:00:00:00:00:01"));
	EXPECT_EQ(error_of({"binding", "show", "mn", "02:00:00:00:00:01"}), "unexpected argument \"mn\" for binding show");

	EXPECT_EQ(error_of({"binding", "add", "dev", "d0", "mn", "02:00:00:00:00:01"}),
		  "binding add: missing router MAC");
	EXPECT_EQ(error_of({"binding", "del", "dev", "d0"}), "binding del: missing mn MAC");
	EXPECT_EQ(error_of({"binding", "del", "mn", "02:00:00:00:00:01"}), "binding del: missing dev IFNAME");
	EXPECT_EQ(error_of({"binding", "del", "dev", "d0", "mn", "02:00:00:00:00:01", "router",
			    "02:00:00:00:00:aa"}),
		  "unexpected argument \"router\" for binding del");
	EXPECT_EQ(error_of({"binding", "add", "dev", "d0", "mn", "02:00"}), "invalid MAC address \"02:00\"");
	EXPECT_EQ(error_of({"binding", "show", "d0"}), "unexpected argument \"d0\" for binding show");
	EXPECT_EQ(error_of({"binding", "move"}), "unknown binding command \"move\"; try \"dlifctl help\"");
}

TEST(Args, Options)
{
	auto invocation = parse({"-j", "-s", "route", "show"});
	ASSERT_TRUE(invocation);
	EXPECT_TRUE(invocation->options.json);
	EXPECT_TRUE(invocation->options.stats);

	invocation = parse({"--json", "-statistics", "route", "show"});
	ASSERT_TRUE(invocation);
	EXPECT_TRUE(invocation->options.json);
	EXPECT_TRUE(invocation->options.stats);

	for (auto v : {"-V", "--version", "-Version"})
		EXPECT_TRUE(std::holds_alternative<Version>(parse({v})->command)) << v;
	for (auto h : {"-h", "--help", "-help"})
		EXPECT_TRUE(std::holds_alternative<Help>(parse({h, "route"})->command)) << h;

	invocation = parse({"-n", "maar1", "-S", "/run/m1.sock", "counters"});
	ASSERT_TRUE(invocation);
	EXPECT_EQ(invocation->options.netns, "maar1");
	EXPECT_EQ(invocation->options.daemon_socket, "/run/m1.sock");
	EXPECT_EQ(parse({"--netns", "/proc/1/ns/net", "route"})->options.netns, "/proc/1/ns/net");
	EXPECT_FALSE(parse({"route"})->options.netns);
	EXPECT_EQ(error_of({"-n"}), "\"-n\" needs a network namespace name");
	EXPECT_EQ(error_of({"-netns", ""}), "\"-netns\" needs a network namespace name");

	EXPECT_EQ(error_of({"-x", "route"}), "unknown option \"-x\"; try \"dlifctl help\"");
	EXPECT_EQ(error_of({}), "missing command; try \"dlifctl help\"");
	EXPECT_EQ(error_of({"-j"}), "missing command; try \"dlifctl help\"");
	EXPECT_EQ(error_of({"bogus"}), "unknown object \"bogus\"; try \"dlifctl help\"");
	EXPECT_EQ(error_of({"-force", "route", "show"}), "-force only applies to -batch");
}

TEST(Args, Batch)
{
	auto invocation = parse({"-j", "-batch", "cmds.txt", "-force"});
	ASSERT_TRUE(invocation);
	EXPECT_TRUE(std::holds_alternative<RunBatch>(invocation->command));
	EXPECT_EQ(invocation->options.batch_file, "cmds.txt");
	EXPECT_TRUE(invocation->options.force);
	EXPECT_TRUE(invocation->options.json);

	invocation = parse({"-b", "-"});
	ASSERT_TRUE(invocation);
	EXPECT_EQ(invocation->options.batch_file, "-");
	EXPECT_FALSE(invocation->options.force);

	EXPECT_EQ(error_of({"-batch"}), "\"-batch\" needs a file name");
	EXPECT_EQ(error_of({"-batch", "f", "route", "show"}),
		  "-batch takes no command, found \"route\"");
}

TEST(Args, TimestampIsForTheMonitor)
{
	for (auto option : {"-t", "-timestamp", "--timestamp"}) {
		auto invocation = parse({option, "-j", "monitor"});
		ASSERT_TRUE(invocation) << option;
		EXPECT_TRUE(std::holds_alternative<Monitor>(invocation->command));
		EXPECT_TRUE(invocation->options.timestamp);
		EXPECT_TRUE(invocation->options.json);
	}
	EXPECT_FALSE(parse({"monitor"})->options.timestamp);
	EXPECT_EQ(error_of({"-t", "route", "show"}), "-timestamp only applies to monitor");
	EXPECT_EQ(error_of({"-t", "-batch", "cmds.txt"}), "-timestamp only applies to monitor");
}

TEST(Args, ParseCommandIsTheBatchLineGrammar)
{
	std::vector<std::string_view> words{"route", "del", "2001:db8::/64"};
	auto command = parse_command(words);
	ASSERT_TRUE(command);
	EXPECT_EQ(std::get<RouteDelete>(*command).prefix.to_string(), "2001:db8::/64");
	std::vector<std::string_view> option{"-j", "route", "show"};
	EXPECT_FALSE(parse_command(option));
}

TEST(SplitBatchLine, WordsCommentsAndQuotes)
{
	using V = std::vector<std::string>;
	EXPECT_EQ(*split_batch_line("  route add  2001:db8::/64\trole serving\n"),
		  (V{"route", "add", "2001:db8::/64", "role", "serving"}));
	EXPECT_EQ(*split_batch_line("# a comment"), V{});
	EXPECT_EQ(*split_batch_line(""), V{});
	EXPECT_EQ(*split_batch_line("   \r\n"), V{});
	EXPECT_EQ(*split_batch_line("route show # trailing"), (V{"route", "show"}));
	EXPECT_EQ(*split_batch_line("dev show \"my dev\" 'x#y' \"\""), (V{"dev", "show", "my dev", "x#y", ""}));
	EXPECT_FALSE(split_batch_line("dev show \"unterminated"));
}

TEST(Usage, MentionsEveryCommand)
{
	std::string_view text = usage_text();
	for (auto word : {"route { add | replace }", "route del", "route get", "route show", "route flush",
			  "dev show", "dev set", "monitor", "-batch", "-force", "-j", "-s", "-t[imestamp]", "local-export"})
		EXPECT_NE(text.find(word), std::string_view::npos) << word;
}

}  // namespace
}  // namespace dlif::cli
