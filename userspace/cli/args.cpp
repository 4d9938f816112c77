// SPDX-License-Identifier: GPL-2.0
#include "args.hpp"

#include <net/if.h>

#include <cerrno>
#include <charconv>

namespace dlif::cli {

namespace {

using nl::Error;
using nl::Result;

Error usage(std::string message)
{
	return nl::make_error(EINVAL, std::move(message));
}

std::string quoted(std::string_view word)
{
	return "\"" + std::string(word) + "\"";
}

// iproute2's rule for object and command names: any non-empty prefix of
// the keyword ("r" for route, "sh" for show). Candidates are tried in the
// order of the caller, which settles ambiguous prefixes.
bool matches(std::string_view word, std::string_view keyword)
{
	return !word.empty() && keyword.starts_with(word);
}

// Hands out the words of a command one by one.
class Words {
public:
	explicit Words(std::span<const std::string_view> words) : words_(words) {}

	bool empty() const { return pos_ >= words_.size(); }
	std::string_view next() { return words_[pos_++]; }
	std::string_view peek() const { return words_[pos_]; }
	// The value after keyword, or a usage error naming the keyword.
	Result<std::string_view> value_of(std::string_view keyword)
	{
		if (empty())
			return usage(quoted(keyword) + " needs a value");
		return next();
	}

private:
	std::span<const std::string_view> words_;
	std::size_t pos_ = 0;
};

template <typename T>
Result<T> parsed(std::optional<T> value, std::string_view what, std::string_view text)
{
	if (!value)
		return usage("invalid " + std::string(what) + " " + quoted(text));
	return std::move(*value);
}

// The prefix syntax of ip-route(8): "ADDR/LEN", a bare address (a host
// prefix, /128) or "default" (::/0). Host bits are cleared, not refused,
// as ip(8) does.
std::optional<Ipv6Prefix> route_prefix(std::string_view text)
{
	if (text == "default")
		return Ipv6Prefix{};
	if (text.find('/') == std::string_view::npos) {
		const auto host = Ipv6Address::from_string(text);
		return host ? Ipv6Prefix::make(*host, kMaxPrefixLength) : std::nullopt;
	}
	const auto prefix = Ipv6Prefix::from_string(text);
	return prefix ? std::optional(prefix->masked()) : std::nullopt;
}

Result<Ipv6Prefix> parse_prefix(std::string_view text)
{
	return parsed(route_prefix(text), "prefix", text);
}

Result<Ipv6Address> parse_address(std::string_view what, std::string_view text)
{
	return parsed(Ipv6Address::from_string(text), what, text);
}

Result<nl::Role> parse_role_word(std::string_view text)
{
	if (auto role = nl::parse_role(text))
		return *role;
	return usage("invalid role " + quoted(text) +
		     " (anchor, serving, local-net, local-export or attached)");
}

Result<uint8_t> parse_hop_limit(std::string_view text)
{
	unsigned value = 0;
	auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
	if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 255)
		return usage("invalid hoplimit " + quoted(text) + " (1..255)");
	return static_cast<uint8_t>(value);
}

Result<MacAddress> parse_mac(std::string_view text)
{
	return parsed(MacAddress::from_string(text), "MAC address", text);
}

Result<std::string> parse_ifname(std::string_view text)
{
	if (text.empty() || text.size() >= IFNAMSIZ || text.find_first_of("/ \t\n:") != text.npos)
		return usage("invalid device name " + quoted(text));
	return std::string(text);
}

// Records a keyword's value, refusing a second one.
template <typename T>
std::optional<Error> set_once(std::optional<T> &slot, Result<T> value, std::string_view keyword)
{
	if (!value)
		return value.error();
	if (slot)
		return usage("duplicate " + quoted(keyword));
	slot = std::move(*value);
	return std::nullopt;
}

Error unexpected(std::string_view word, std::string_view command)
{
	return usage("unexpected argument " + quoted(word) + " for " + std::string(command));
}

Result<Command> parse_route_modify(Words &words, nl::EntryOpKind kind, std::string_view command)
{
	std::optional<Ipv6Prefix> prefix;
	std::optional<nl::Role> role;
	std::optional<Ipv6Address> peer, local;
	std::optional<std::string> dev;
	std::optional<MacAddress> mn;
	std::optional<uint8_t> hop_limit;
	while (!words.empty()) {
		std::string_view word = words.next();
		std::optional<Error> error;
		if (word == "role") {
			auto v = words.value_of(word);
			error = v ? set_once(role, parse_role_word(*v), word) : v.error();
		} else if (word == "peer") {
			auto v = words.value_of(word);
			error = v ? set_once(peer, parse_address("peer address", *v), word) : v.error();
		} else if (word == "local") {
			auto v = words.value_of(word);
			error = v ? set_once(local, parse_address("local address", *v), word) : v.error();
		} else if (word == "dev") {
			auto v = words.value_of(word);
			error = v ? set_once(dev, parse_ifname(*v), word) : v.error();
		} else if (word == "mn") {
			auto v = words.value_of(word);
			error = v ? set_once(mn, parse_mac(*v), word) : v.error();
		} else if (word == "hoplimit") {
			auto v = words.value_of(word);
			error = v ? set_once(hop_limit, parse_hop_limit(*v), word) : v.error();
		} else if (!prefix) {
			auto p = parse_prefix(word);
			if (!p)
				return p.error();
			prefix = *p;
		} else {
			return unexpected(word, command);
		}
		if (error)
			return *error;
	}
	if (!prefix)
		return usage(std::string(command) + ": missing PREFIX");
	if (!role)
		return usage(std::string(command) + ": missing \"role\"");
	if (mn && !dev)
		return usage(std::string(command) + ": \"mn\" names a node of the entry's DLIF: give \"dev\"");
	RouteModify modify;
	modify.kind = kind;
	modify.entry.prefix = *prefix;
	modify.entry.role = *role;
	modify.entry.peer = peer;
	modify.entry.local = local.value_or(Ipv6Address{});
	modify.entry.hop_limit = hop_limit.value_or(nl::default_hop_limit);
	modify.entry.mn = mn;
	modify.dev = dev;
	return Command(std::move(modify));
}

Result<Ipv6Prefix> parse_single_prefix(Words &words, std::string_view command)
{
	if (words.empty())
		return usage(std::string(command) + ": missing PREFIX");
	auto prefix = parse_prefix(words.next());
	if (!prefix)
		return prefix;
	if (!words.empty())
		return unexpected(words.peek(), command);
	return prefix;
}

Result<Command> parse_route_show(Words &words)
{
	RouteShow show;
	while (!words.empty()) {
		std::string_view word = words.next();
		std::optional<Error> error;
		if (word == "role") {
			auto v = words.value_of(word);
			error = v ? set_once(show.role, parse_role_word(*v), word) : v.error();
		} else if (word == "peer") {
			auto v = words.value_of(word);
			error = v ? set_once(show.peer, parse_address("peer address", *v), word) : v.error();
		} else if (word == "dev") {
			auto v = words.value_of(word);
			error = v ? set_once(show.dev, parse_ifname(*v), word) : v.error();
		} else if (word == "mn") {
			auto v = words.value_of(word);
			error = v ? set_once(show.mn, parse_mac(*v), word) : v.error();
		} else {
			return unexpected(word, "route show");
		}
		if (error)
			return *error;
	}
	return Command(std::move(show));
}

Result<Command> parse_route_flush(Words &words)
{
	RouteFlush flush;
	while (!words.empty()) {
		std::string_view word = words.next();
		std::optional<Error> error;
		if (word == "peer") {
			auto v = words.value_of(word);
			error = v ? set_once(flush.peer, parse_address("peer address", *v), word) : v.error();
		} else if (word == "dev") {
			auto v = words.value_of(word);
			error = v ? set_once(flush.dev, parse_ifname(*v), word) : v.error();
		} else {
			return unexpected(word, "route flush");
		}
		if (error)
			return *error;
	}
	return Command(std::move(flush));
}

Result<Command> parse_route(Words &words)
{
	if (words.empty())
		return Command(RouteShow{});	// like "ip route"
	std::string_view word = words.next();
	if (matches(word, "add"))
		return parse_route_modify(words, nl::EntryOpKind::add, "route add");
	if (matches(word, "replace"))
		return parse_route_modify(words, nl::EntryOpKind::replace, "route replace");
	if (matches(word, "delete") || word == "del") {
		auto prefix = parse_single_prefix(words, "route del");
		if (!prefix)
			return prefix.error();
		return Command(RouteDelete{*prefix});
	}
	if (matches(word, "get")) {
		auto prefix = parse_single_prefix(words, "route get");
		if (!prefix)
			return prefix.error();
		return Command(RouteGet{*prefix});
	}
	if (matches(word, "show") || matches(word, "list") || word == "ls")
		return parse_route_show(words);
	if (matches(word, "flush"))
		return parse_route_flush(words);
	if (matches(word, "help"))
		return Command(Help{});
	return usage("unknown route command " + quoted(word) + "; try \"dlifctl help\"");
}

Result<Command> parse_dev(Words &words)
{
	if (words.empty())
		return Command(DevShow{});
	std::string_view word = words.next();
	if (matches(word, "show") || matches(word, "list") || word == "ls") {
		DevShow show;
		if (!words.empty() && words.peek() == "dev")
			words.next();
		if (!words.empty()) {
			auto name = parse_ifname(words.next());
			if (!name)
				return name.error();
			show.name = *name;
		}
		if (!words.empty())
			return unexpected(words.peek(), "dev show");
		return Command(std::move(show));
	}
	if (matches(word, "set")) {
		DevSet set;
		if (!words.empty() && words.peek() == "dev")
			words.next();
		if (words.empty())
			return usage("dev set: missing IFNAME");
		auto name = parse_ifname(words.next());
		if (!name)
			return name.error();
		set.name = *name;
		while (!words.empty()) {
			std::string_view key = words.next();
			std::optional<Error> error;
			if (key == "mn") {
				auto v = words.value_of(key);
				error = v ? set_once(set.mn, parsed(MacAddress::from_string(*v), "MAC address", *v),
						     key)
					  : v.error();
			} else if (key == "maar") {
				auto v = words.value_of(key);
				error = v ? set_once(set.maar, parse_address("MAAR address", *v), key) : v.error();
			} else {
				return unexpected(key, "dev set");
			}
			if (error)
				return *error;
		}
		if (!set.mn && !set.maar)
			return usage("dev set: nothing to set (mn MAC and/or maar ADDR)");
		return Command(std::move(set));
	}
	if (matches(word, "help"))
		return Command(Help{});
	return usage("unknown dev command " + quoted(word) + "; try \"dlifctl help\"");
}

// binding { add | del } dev IFNAME mn MAC [ router MAC ];
// binding show [ dev IFNAME [ mn MAC ] ]
Result<Command> parse_binding(Words &words)
{
	if (words.empty())
		return Command(BindingShow{});
	std::string_view word = words.next();
	if (matches(word, "show") || matches(word, "list") || word == "ls") {
		BindingShow show;
		if (!words.empty() && words.peek() == "dev") {
			auto v = words.value_of(words.next());
			if (!v)
				return v.error();
			auto name = parse_ifname(*v);
			if (!name)
				return name.error();
			show.dev = *name;
			if (!words.empty() && words.peek() == "mn") {
				auto m = words.value_of(words.next());
				if (!m)
					return m.error();
				auto mac = parse_mac(*m);
				if (!mac)
					return mac.error();
				show.mn = *mac;
			}
		}
		if (!words.empty())
			return unexpected(words.peek(), "binding show");
		return Command(std::move(show));
	}
	bool add = matches(word, "add");
	if (!add && !matches(word, "delete"))
		return matches(word, "help") ? Result<Command>(Command(Help{}))
					     : usage("unknown binding command " + quoted(word) +
						     "; try \"dlifctl help\"");
	std::string_view command = add ? "binding add" : "binding del";
	std::optional<std::string> dev;
	std::optional<MacAddress> mn, router;
	std::optional<Ipv6Address> router_ll;
	while (!words.empty()) {
		std::string_view key = words.next();
		std::optional<Error> error;
		if (key == "dev") {
			auto v = words.value_of(key);
			error = v ? set_once(dev, parse_ifname(*v), key) : v.error();
		} else if (key == "mn") {
			auto v = words.value_of(key);
			error = v ? set_once(mn, parse_mac(*v), key) : v.error();
		} else if (key == "router" && add) {
			auto v = words.value_of(key);
			error = v ? set_once(router, parse_mac(*v), key) : v.error();
		} else if (key == "router-ll" && add) {
			auto v = words.value_of(key);
			error = v ? set_once(router_ll, parse_address("router link-local address", *v), key)
				  : v.error();
		} else {
			return unexpected(key, command);
		}
		if (error)
			return *error;
	}
	if (!dev)
		return usage(std::string(command) + ": missing dev IFNAME");
	if (!mn)
		return usage(std::string(command) + ": missing mn MAC");
	if (add && !router)
		return usage("binding add: missing router MAC");
	return Command(BindingModify{add, *dev, *mn, router, router_ll});
}

Result<Command> parse_mn(Words &words)
{
	if (words.empty())
		return Command(MnList{});	// like "dlifctl route"
	std::string_view word = words.next();
	if (matches(word, "list") || word == "ls") {
		if (!words.empty())
			return unexpected(words.peek(), "mn list");
		return Command(MnList{});
	}
	if (matches(word, "show")) {
		if (words.empty())
			return usage("mn show: missing ID (an MN-ID or a MAC address)");
		MnShow show{std::string(words.next())};
		if (!words.empty())
			return unexpected(words.peek(), "mn show");
		return Command(std::move(show));
	}
	if (matches(word, "help"))
		return Command(Help{});
	return usage("unknown mn command " + quoted(word) + "; try \"dlifctl help\"");
}

Result<Command> parse_attach(Words &words)
{
	if (words.empty())
		return usage("attach: missing IFNAME");
	auto ifname = parse_ifname(words.next());
	if (!ifname)
		return ifname.error();
	if (words.empty())
		return usage("attach: missing MAC");
	auto mac = parse_mac(words.next());
	if (!mac)
		return mac.error();
	if (!words.empty())
		return unexpected(words.peek(), "attach");
	return Command(Attach{*ifname, *mac});
}

Result<Command> parse_detach(Words &words)
{
	if (words.empty())
		return usage("detach: missing MAC");
	auto mac = parse_mac(words.next());
	if (!mac)
		return mac.error();
	if (!words.empty())
		return unexpected(words.peek(), "detach");
	return Command(Detach{*mac});
}

// A command without arguments ("status", "counters").
template <typename T>
Result<Command> parse_bare(Words &words, std::string_view command)
{
	if (!words.empty())
		return unexpected(words.peek(), command);
	return Command(T{});
}

}  // namespace

bool is_daemon_command(const Command &command)
{
	return std::holds_alternative<DaemonStatus>(command) || std::holds_alternative<MnList>(command) ||
	       std::holds_alternative<MnShow>(command) || std::holds_alternative<DaemonCounters>(command) ||
	       std::holds_alternative<Attach>(command) || std::holds_alternative<Detach>(command);
}

Result<Command> parse_command(std::span<const std::string_view> args)
{
	Words words(args);
	if (words.empty())
		return usage("missing command; try \"dlifctl help\"");
	std::string_view object = words.next();
	if (matches(object, "route"))
		return parse_route(words);
	if (matches(object, "dev") || object == "device")
		return parse_dev(words);
	if (object == "mn")
		return parse_mn(words);
	if (matches(object, "binding"))
		return parse_binding(words);
	if (matches(object, "monitor")) {
		if (!words.empty())
			return unexpected(words.peek(), "monitor");
		return Command(Monitor{});
	}
	if (matches(object, "help"))
		return Command(Help{});
	if (matches(object, "status"))
		return parse_bare<DaemonStatus>(words, "status");
	if (matches(object, "counters"))
		return parse_bare<DaemonCounters>(words, "counters");
	if (object == "metrics")
		return parse_bare<Metrics>(words, "metrics");
	if (matches(object, "attach"))
		return parse_attach(words);
	if (matches(object, "detach"))
		return parse_detach(words);
	return usage("unknown object " + quoted(object) + "; try \"dlifctl help\"");
}

Result<Invocation> parse_invocation(std::span<const std::string_view> args)
{
	Invocation invocation;
	std::size_t i = 0;
	for (; i < args.size() && args[i].size() > 1 && args[i][0] == '-'; ++i) {
		std::string_view option = args[i];
		if (option == "--") {
			++i;
			break;
		}
		// iproute2 takes both -json and --json.
		std::string_view name = option.substr(option.starts_with("--") ? 2 : 1);
		if (name == "j" || name == "json") {
			invocation.options.json = true;
		} else if (name == "s" || name == "stats" || name == "statistics") {
			invocation.options.stats = true;
		} else if (name == "force") {
			invocation.options.force = true;
		} else if (name == "t" || name == "timestamp") {
			invocation.options.timestamp = true;
		} else if (name == "S" || name == "socket") {
			if (i + 1 >= args.size())
				return usage("\"" + std::string(option) + "\" needs a socket path");
			invocation.options.daemon_socket = std::string(args[++i]);
		} else if (name == "n" || name == "netns") {
			if (i + 1 >= args.size() || args[i + 1].empty())
				return usage("\"" + std::string(option) + "\" needs a network namespace name");
			invocation.options.netns = std::string(args[++i]);
		} else if (name == "b" || name == "batch") {
			if (i + 1 >= args.size())
				return usage("\"" + std::string(option) + "\" needs a file name");
			invocation.options.batch_file = std::string(args[++i]);
		} else if (name == "V" || name == "Version" || name == "version") {
			invocation.command = Version{};
			return invocation;
		} else if (name == "h" || name == "help") {
			invocation.command = Help{};
			return invocation;
		} else {
			return usage("unknown option " + quoted(option) + "; try \"dlifctl help\"");
		}
	}
	auto rest = args.subspan(i);
	if (invocation.options.timestamp && invocation.options.batch_file)
		return usage("-timestamp only applies to monitor");
	if (invocation.options.batch_file) {
		if (!rest.empty())
			return usage("-batch takes no command, found " + quoted(rest.front()));
		invocation.command = RunBatch{};
		return invocation;
	}
	if (invocation.options.force)
		return usage("-force only applies to -batch");
	auto command = parse_command(rest);
	if (!command)
		return command.error();
	if (invocation.options.timestamp && !std::holds_alternative<Monitor>(*command))
		return usage("-timestamp only applies to monitor");
	invocation.command = std::move(*command);
	return invocation;
}

Result<Invocation> parse_invocation(int argc, char **argv)
{
	std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
	return parse_invocation(std::span<const std::string_view>(args));
}

Result<std::vector<std::string>> split_batch_line(std::string_view line)
{
	std::vector<std::string> words;
	std::string word;
	bool in_word = false;
	char quote = 0;
	for (char c : line) {
		if (quote) {
			if (c == quote)
				quote = 0;
			else
				word += c;
		} else if (c == '"' || c == '\'') {
			quote = c;
			in_word = true;
		} else if (c == '#') {
			break;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			if (in_word)
				words.push_back(std::move(word));
			word.clear();
			in_word = false;
		} else {
			word += c;
			in_word = true;
		}
	}
	if (quote)
		return usage("unterminated quote");
	if (in_word)
		words.push_back(std::move(word));
	return words;
}

std::string_view usage_text()
{
	return "Usage: dlifctl [ OPTIONS ] OBJECT COMMAND [ ARGS ]\n"
	       "       dlifctl [ OPTIONS ] -batch FILE [ -force ]\n"
	       "\n"
	       "  route { add | replace } PREFIX role ROLE [ peer ADDR ] [ local ADDR ]\n"
	       "                          [ dev IFNAME [ mn MAC ] ] [ hoplimit N ]\n"
	       "  route del PREFIX\n"
	       "  route get PREFIX\n"
	       "  route show [ role ROLE ] [ peer ADDR ] [ dev IFNAME ] [ mn MAC ]\n"
	       "  route flush [ peer ADDR ] [ dev IFNAME ]\n"
	       "  dev show [ IFNAME ]\n"
	       "  dev set IFNAME [ mn MAC ] [ maar ADDR ]\n"
	       "  binding add dev IFNAME mn MAC router MAC [ router-ll ADDR ]\n"
	       "  binding del dev IFNAME mn MAC\n"
	       "  binding show [ dev IFNAME [ mn MAC ] ]\n"
	       "  monitor\n"
	       "  help\n"
	       "\n"
	       "  Asking a running dlifd (its control socket, -S PATH, default /run/dlifd/dlifd.sock):\n"
	       "  status\n"
	       "  mn list\n"
	       "  mn show { MN-ID | MAC }\n"
	       "  counters\n"
	       "  attach IFNAME MAC\n"
	       "  detach MAC\n"
	       "  metrics            the above's counters and the kernel's, Prometheus text\n"
	       "\n"
	       "ROLE    := { anchor | serving | local-net | local-export | attached }\n"
	       "PREFIX  := IPV6-ADDRESS[/LENGTH] | default\n"
	       "OPTIONS := { -j[son] | -s[tats] | -t[imestamp] | -n[etns] NAME |\n"
	       "            -S[ocket] PATH | -b[atch] FILE | -force | -V[ersion] | -h[elp] }\n"
	       "\n"
	       "-batch FILE reads one command per line (\"-\" = standard input); route add,\n"
	       "replace and del lines are pipelined. It stops at the first failing line\n"
	       "unless -force is given.\n";
}

}  // namespace dlif::cli
