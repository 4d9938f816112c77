// SPDX-License-Identifier: GPL-2.0
//
// dlifctl's commands for dlifd: parsing, the requests they make, the text
// rendering of the replies, and the error when no daemon answers.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "args.hpp"
#include "daemon.hpp"
#include "run.hpp"

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
	return invocation ? std::string() : invocation.error().message;
}

TEST(DaemonArgs, Commands)
{
	command_of<DaemonStatus>({"status"});
	command_of<DaemonStatus>({"st"});
	command_of<MnList>({"mn"});
	command_of<MnList>({"mn", "list"});
	command_of<MnList>({"mn", "ls"});
	EXPECT_EQ(command_of<MnShow>({"mn", "show", "mn1@dlif.example"}).id, "mn1@dlif.example");
	EXPECT_EQ(command_of<MnShow>({"mn", "sh", "02:00:00:00:00:01"}).id, "02:00:00:00:00:01");
	command_of<DaemonCounters>({"counters"});
	const Attach attach = command_of<Attach>({"attach", "eth1", "02:00:00:00:00:01"});
	EXPECT_EQ(attach.ifname, "eth1");
	EXPECT_EQ(attach.mac.to_string(), "02:00:00:00:00:01");
	EXPECT_EQ(command_of<Detach>({"detach", "2:0:0:0:0:1"}).mac.to_string(), "02:00:00:00:00:01");
	// "d" and "de" stay "dev", as before these commands existed.
	command_of<DevShow>({"d"});
	command_of<DevShow>({"de"});
}

TEST(DaemonArgs, SocketOption)
{
	auto invocation = parse({"-S", "/tmp/x.sock", "-j", "status"});
	ASSERT_TRUE(invocation);
	EXPECT_EQ(invocation->options.daemon_socket, "/tmp/x.sock");
	EXPECT_TRUE(invocation->options.json);
	auto defaults = parse({"status"});
	ASSERT_TRUE(defaults);
	EXPECT_EQ(defaults->options.daemon_socket, "/run/dlifd/dlifd.sock");
	auto long_form = parse({"--socket", "/s", "counters"});
	ASSERT_TRUE(long_form);
	EXPECT_EQ(long_form->options.daemon_socket, "/s");
	EXPECT_EQ(error_of({"-S"}), "\"-S\" needs a socket path");
}

TEST(DaemonArgs, Mistakes)
{
	EXPECT_EQ(error_of({"mn", "show"}), "mn show: missing ID (an MN-ID or a MAC address)");
	EXPECT_EQ(error_of({"mn", "show", "a", "b"}), "unexpected argument \"b\" for mn show");
	EXPECT_EQ(error_of({"mn", "flush"}), "unknown mn command \"flush\"; try \"dlifctl help\"");
	EXPECT_EQ(error_of({"mn", "list", "x"}), "unexpected argument \"x\" for mn list");
	EXPECT_EQ(error_of({"attach"}), "attach: missing IFNAME");
	EXPECT_EQ(error_of({"attach", "eth1"}), "attach: missing MAC");
	EXPECT_EQ(error_of({"attach", "eth1", "zz"}), "invalid MAC address \"zz\"");
	EXPECT_EQ(error_of({"attach", "eth/1", "02:00:00:00:00:01"}), "invalid device name \"eth/1\"");
	EXPECT_EQ(error_of({"detach"}), "detach: missing MAC");
	EXPECT_EQ(error_of({"status", "now"}), "unexpected argument \"now\" for status");
	EXPECT_EQ(error_of({"counters", "x"}), "unexpected argument \"x\" for counters");
}

TEST(DaemonArgs, BatchLinesTakeThemToo)
{
	auto command = parse_command(std::vector<std::string_view>{"mn", "show", "x"});
	ASSERT_TRUE(command);
	EXPECT_TRUE(is_daemon_command(*command));
	auto route = parse_command(std::vector<std::string_view>{"route", "show"});
	ASSERT_TRUE(route);
	EXPECT_FALSE(is_daemon_command(*route));
}

TEST(DaemonRequests, OnePerCommand)
{
	EXPECT_EQ(daemon_request(DaemonStatus{}), control::Request(control::StatusRequest{}));
	EXPECT_EQ(daemon_request(MnList{}), control::Request(control::MnListRequest{}));
	EXPECT_EQ(daemon_request(MnShow{"x"}), control::Request(control::MnShowRequest{"x"}));
	EXPECT_EQ(daemon_request(DaemonCounters{}), control::Request(control::CountersRequest{}));
	EXPECT_EQ(daemon_request(Attach{"eth1", *MacAddress::from_string("02:00:00:00:00:01")}),
		  control::Request(control::AttachRequest{"eth1", "02:00:00:00:00:01"}));
	EXPECT_EQ(daemon_request(Detach{*MacAddress::from_string("02:00:00:00:00:01")}),
		  control::Request(control::DetachRequest{"02:00:00:00:00:01"}));
}

TEST(DaemonFormat, MobileNodeFirstLineThenNestedBlocks)
{
	const auto node = control::Json::parse(R"({
		"mn": "mn1@dlif.example", "mac": "02:00:00:00:00:01", "state": "serving", "attached": true,
		"serving_prefixes": ["2001:db8:2:1::/64"], "anchored_prefixes": [], "serving_maar": null,
		"anchors": [{"maar": "2001:db8::1", "prefixes": ["2001:db8:1:1::/64"], "dlif": "mn1mar1",
			     "identity": {"mac": "02:11:22:33:01:01", "link_local": "fe80::11:22ff:fe33:101"}}],
		"kernel": {"dlifs": [{"name": "mn1mar2", "ifindex": 7}], "tunnels": []}
	})");
	EXPECT_EQ(format_mobile_node(node),
		  "mn1@dlif.example anchored_prefixes none attached yes mac 02:00:00:00:00:01 "
		  "serving_prefixes 2001:db8:2:1::/64 state serving\n"
		  "    anchors:\n"
		  "        dlif mn1mar1 maar 2001:db8::1 prefixes 2001:db8:1:1::/64\n"
		  "            identity: link_local fe80::11:22ff:fe33:101 mac 02:11:22:33:01:01\n"
		  "    kernel: tunnels none\n"
		  "        dlifs:\n"
		  "            ifindex 7 name mn1mar2\n");
}

TEST(DaemonFormat, ListStatusCountersAndQuietCommands)
{
	const auto list = control::Json::parse(R"([{"mn":"a","state":"registered"},{"mn":"b","state":"handover"}])");
	EXPECT_EQ(format_daemon_result(MnList{}, list), "a state registered\nb state handover\n");
	EXPECT_EQ(format_daemon_result(MnList{}, control::Json::array()), "");
	const auto status = control::Json::parse(R"({"role":"maar","mobile_nodes":2,"kernel":true})");
	EXPECT_EQ(format_daemon_result(DaemonStatus{}, status), "kernel yes\nmobile_nodes 2\nrole maar\n");
	const auto counters = control::Json::parse(R"({"core":{"rx_pbu":3},"daemon":{"mh_rx":4,"ra_tx":9}})");
	EXPECT_EQ(format_daemon_result(DaemonCounters{}, counters),
		  "core:\n    rx_pbu 3\ndaemon:\n    mh_rx 4\n    ra_tx 9\n");
	const auto latency = control::Json::parse(
		R"({"latency":{"pbu_to_pba":{"count":2,"sum_s":0.01,"p50_ms":4.096,"p99_ms":6.889,"buckets":[[4096,1],[6889,1]]}}})");
	EXPECT_EQ(format_daemon_result(DaemonCounters{}, latency),
		  "latency:\n    pbu_to_pba count 2 p50_ms 4.096 p99_ms 6.889\n");
	EXPECT_EQ(format_daemon_result(Detach{}, control::Json{{"detached", "x"}}), "");
}

TEST(DaemonClient, NoDaemonIsAClearError)
{
	auto reply = ask_daemon("/nonexistent/dlifd.sock", control::StatusRequest{});
	ASSERT_FALSE(reply);
	EXPECT_EQ(reply.error().code, ENOENT);
	EXPECT_EQ(reply.error().describe(), "cannot reach dlifd at /nonexistent/dlifd.sock: No such file or directory");
}

// A daemon of 2,500 nodes that answers mn-list in pages, as dlifd does:
// dlifctl asks page after page and prints one list, in order.
TEST(DaemonClient, MnListFetchesEveryPage)
{
	char dir[] = "/tmp/dlifctl-test-XXXXXX";
	ASSERT_NE(::mkdtemp(dir), nullptr);
	const std::string path = std::string(dir) + "/dlifd.sock";
	const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_GE(listener, 0);
	sockaddr_un address{};
	address.sun_family = AF_UNIX;
	std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
	ASSERT_EQ(::bind(listener, reinterpret_cast<const sockaddr *>(&address), sizeof(address)), 0);
	ASSERT_EQ(::listen(listener, 4), 0);
	timeval timeout{5, 0};
	::setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));

	std::vector<std::string> requests;
	std::thread daemon([&] {
		for (;;) {
			const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
			if (client < 0)
				return;	// nobody asked for 5 s
			std::string line;
			char c;
			while (::recv(client, &c, 1, 0) == 1 && c != '\n')
				line += c;
			requests.push_back(line);
			const auto request = control::decode_request(line);
			const auto *list = request ? std::get_if<control::MnListRequest>(&*request) : nullptr;
			control::Reply reply = control::failure("not mn-list with a limit");
			if (list && list->limit) {
				const unsigned first = list->after ? static_cast<unsigned>(std::stoul(*list->after)) + 1 : 0;
				control::Json nodes = control::Json::array();
				for (unsigned n = first; n < 2500 && nodes.size() < *list->limit; ++n)
					nodes.push_back({{"mn", "mn" + std::to_string(n) + "@x"}, {"n", n}});
				control::Json next = nullptr;
				if (nodes.size() == *list->limit)
					next = std::to_string(nodes.back()["n"].get<unsigned>());
				reply = control::success({{"nodes", std::move(nodes)}, {"next", std::move(next)}});
			}
			const std::string text = control::encode_reply(reply) + "\n";
			::send(client, text.data(), text.size(), MSG_NOSIGNAL);
			::close(client);
			if (!list || !list->limit || reply.result["next"].is_null())
				return;
		}
	});

	char *text = nullptr;
	std::size_t size = 0;
	std::FILE *out = open_memstream(&text, &size);
	Options options;
	options.json = true;
	options.daemon_socket = path;
	const int status = Runner(options, out, stderr).run(Command(MnList{}));
	std::fclose(out);
	daemon.join();
	::close(listener);
	::unlink(path.c_str());
	::rmdir(dir);
	EXPECT_EQ(status, 0);
	const auto printed = control::Json::parse(std::string(text, size), nullptr, false);
	std::free(text);
	ASSERT_TRUE(printed.is_array());
	ASSERT_EQ(printed.size(), 2500u);
	for (unsigned n = 0; n < 2500; ++n)
		ASSERT_EQ(printed[n]["n"], n);
	ASSERT_EQ(requests.size(), 3u);
	EXPECT_EQ(requests[0], R"({"command":"mn-list","limit":1000})");
	EXPECT_EQ(requests[2], R"({"after":"1999","command":"mn-list","limit":1000})");
}

} // namespace
} // namespace dlif::cli
