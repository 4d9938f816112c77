// SPDX-License-Identifier: GPL-2.0
//
// dlifctl's command line, as data: parsing turns words into a Command
// without touching the system (device names stay names until the command
// runs), so every syntax rule is unit-tested.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dlif/address.hpp"
#include "dlif/nl/dlif_types.hpp"
#include "dlif/nl/result.hpp"

namespace dlif::cli {

// Where dlifd listens unless -S says otherwise.
inline constexpr std::string_view default_daemon_socket = "/run/dlifd/dlifd.sock";

struct Options {
	bool json = false;
	std::string daemon_socket{default_daemon_socket};	// -S PATH
	std::optional<std::string> netns;	// -n NAME: run in that namespace
	bool stats = false;
	bool force = false;			// -batch: go on after a failing line
	bool timestamp = false;			// -t: monitor lines start with when they were read
	std::optional<std::string> batch_file;	// "-" = standard input
};

// route add | replace PREFIX role ROLE [peer A] [local A] [dev IF [mn MAC]] [hoplimit N]
struct RouteModify {
	nl::EntryOpKind kind = nl::EntryOpKind::add;
	nl::Entry entry;
	std::optional<std::string> dev;
};
struct RouteDelete {
	Ipv6Prefix prefix;
};
struct RouteGet {
	Ipv6Prefix prefix;
};
struct RouteShow {
	std::optional<nl::Role> role;
	std::optional<Ipv6Address> peer;
	std::optional<std::string> dev;
	std::optional<MacAddress> mn;
};
struct RouteFlush {
	std::optional<Ipv6Address> peer;
	std::optional<std::string> dev;
};
struct DevShow {
	std::optional<std::string> name;
};
struct DevSet {
	std::string name;
	std::optional<MacAddress> mn;
	std::optional<Ipv6Address> maar;
};
// A binding of a mobile node to a DLIF other than its primary one.
struct BindingModify {
	bool add = true;			// binding add, or binding del
	std::string dev;
	MacAddress mn;
	std::optional<MacAddress> router;	// add only
	std::optional<Ipv6Address> router_ll;	// add only, optional
};
struct BindingShow {
	std::optional<std::string> dev;
	std::optional<MacAddress> mn;	// with dev: that node's binding only
};
// Commands answered by a running dlifd over its control socket.
struct DaemonStatus {};
struct MnList {};
struct MnShow {
	std::string id;		// an MN-ID or a MAC
};
struct DaemonCounters {};
struct Metrics {};		// the daemon's and the kernel's, for Prometheus
struct Attach {
	std::string ifname;
	MacAddress mac;
};
struct Detach {
	MacAddress mac;
};
struct Monitor {};
struct Help {};
struct Version {};
struct RunBatch {};	// the file is in Options

using Command = std::variant<RouteModify, RouteDelete, RouteGet, RouteShow, RouteFlush, DevShow,
			     DevSet, Monitor, Help, Version, RunBatch, DaemonStatus, MnList, MnShow,
			     DaemonCounters, Attach, Detach, Metrics, BindingModify, BindingShow>;

// Whether a command talks to dlifd rather than to the kernel.
bool is_daemon_command(const Command &command);

struct Invocation {
	Options options;
	Command command;
};

// All arguments after the program name. A failure is a usage error; its
// message is meant to follow "dlifctl: ".
nl::Result<Invocation> parse_invocation(std::span<const std::string_view> args);
nl::Result<Invocation> parse_invocation(int argc, char **argv);

// One command without options (a -batch line, split into words).
nl::Result<Command> parse_command(std::span<const std::string_view> words);

// Splits a -batch line into words: blanks separate, '#' starts a comment
// outside quotes, "double" and 'single' quotes group. Fails on an
// unterminated quote.
nl::Result<std::vector<std::string>> split_batch_line(std::string_view line);

std::string_view usage_text();

}  // namespace dlif::cli
