// SPDX-License-Identifier: GPL-2.0
#include "config.hpp"

#include <net/if.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "dlif/dmm/pool.hpp"
#include "dlif/mh/format.hpp"

namespace dlif::daemon {

namespace {

using dmm::Duration;

// Thrown inside this file only, caught by config_from_toml(): the first
// problem found ends validation.
struct Invalid {
	ConfigError error;
};

std::string prefixes_text(const std::vector<Ipv6Prefix> &prefixes);

std::string quoted(std::string_view text)
{
	return "\"" + std::string(text) + "\"";
}

std::string_view type_name(toml::node_type type)
{
	switch (type) {
	case toml::node_type::string:
		return "a string";
	case toml::node_type::integer:
		return "an integer";
	case toml::node_type::floating_point:
		return "a floating-point number";
	case toml::node_type::boolean:
		return "a boolean";
	case toml::node_type::array:
		return "an array";
	case toml::node_type::table:
		return "a table";
	case toml::node_type::date:
		return "a date";
	case toml::node_type::time:
		return "a time";
	case toml::node_type::date_time:
		return "a date-time";
	case toml::node_type::none:
		break;
	}
	return "nothing";
}

// Levenshtein distance, for "did you mean" on misspelt keys.
std::size_t edit_distance(std::string_view a, std::string_view b)
{
	std::vector<std::size_t> row(b.size() + 1);
	for (std::size_t j = 0; j <= b.size(); ++j)
		row[j] = j;
	for (std::size_t i = 1; i <= a.size(); ++i) {
		std::size_t diagonal = row[0];
		row[0] = i;
		for (std::size_t j = 1; j <= b.size(); ++j) {
			const std::size_t above = row[j];
			row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
			diagonal = above;
		}
	}
	return row[b.size()];
}

std::string suggestion(std::string_view word, const std::vector<std::string_view> &known)
{
	std::string_view best;
	std::size_t best_distance = 3;
	for (auto candidate : known) {
		const std::size_t distance = edit_distance(word, candidate);
		if (distance < best_distance) {
			best = candidate;
			best_distance = distance;
		}
	}
	return best.empty() ? std::string() : " (did you mean " + quoted(best) + "?)";
}

std::string join(const std::vector<std::string_view> &words)
{
	std::string text;
	for (auto word : words)
		text += (text.empty() ? "" : ", ") + std::string(word);
	return text;
}

bool is_multicast(const Ipv6Address &address)
{
	return address.bytes[0] == 0xff;
}

bool is_link_local(const Ipv6Address &address)
{
	return address.bytes[0] == 0xfe && (address.bytes[1] & 0xc0) == 0x80;
}

bool is_loopback(const Ipv6Address &address)
{
	Ipv6Address loopback;
	loopback.bytes[15] = 1;
	return address == loopback;
}

// A node address of the domain must be a routable unicast address: the
// tunnels and the signalling run between such addresses.
std::optional<std::string> address_problem(const Ipv6Address &address)
{
	if (address == Ipv6Address{})
		return "the unspecified address cannot be a node's address";
	if (is_multicast(address))
		return address.to_string() + " is a multicast address";
	if (is_link_local(address))
		return address.to_string() + " is link-local; a global (or unique local) address is needed";
	if (is_loopback(address))
		return "the loopback address cannot be a node's address";
	return std::nullopt;
}

bool valid_ifname(std::string_view name)
{
	return !name.empty() && name.size() < IFNAMSIZ && name.find_first_of("/ \t\n:") == name.npos && name != "." &&
	       name != "..";
}

template <typename Enum>
using Choices = std::vector<std::pair<std::string_view, Enum>>;

class Reader {
public:
	explicit Reader(std::string file) : file_(std::move(file)) {}

	[[noreturn]] void fail(const toml::source_position &where, std::string message) const
	{
		throw Invalid{ConfigError{file_, where.line, where.column, std::move(message)}};
	}
	[[noreturn]] void fail(const toml::node &node, std::string message) const
	{
		fail(node.source().begin, std::move(message));
	}

private:
	std::string file_;
};

// One table of the file. Construction rejects unknown keys first, so that
// a misspelt key is reported as such rather than as a missing one.
class Section {
public:
	Section(const Reader &reader, const toml::table &table, std::string name, std::vector<std::string_view> known)
		: reader_(reader), table_(table), name_(std::move(name)), known_(std::move(known))
	{
		for (const auto &[key, node] : table_) {
			if (std::find(known_.begin(), known_.end(), key.str()) != known_.end())
				continue;
			std::string where = name_.empty() ? "at the top level" : "in [" + name_ + "]";
			reader_.fail(key.source().begin, "unknown key " + quoted(key.str()) + " " + where +
							     suggestion(key.str(), known_) + "; known keys: " +
							     join(known_));
		}
	}

	const std::string &name() const { return name_; }
	std::string path(std::string_view key) const { return name_.empty() ? std::string(key) : name_ + "." + std::string(key); }
	const toml::table &table() const { return table_; }
	const Reader &reader() const { return reader_; }

	const toml::node *node(std::string_view key) const { return table_.get(key); }

	const toml::node &require(std::string_view key) const
	{
		const toml::node *found = node(key);
		if (found == nullptr)
			reader_.fail(table_.source().begin.line ? table_.source().begin : toml::source_position{1, 1},
				     "missing required key " + quoted(key) + " in [" + name_ + "]");
		return *found;
	}

	template <typename T>
	const T &typed(const toml::node &node, std::string_view key, std::string_view expected) const
	{
		const T *value = node.as<T>();
		if (value == nullptr)
			reader_.fail(node, path(key) + ": expected " + std::string(expected) + ", found " +
						   std::string(type_name(node.type())));
		return *value;
	}

	std::optional<std::string> string(std::string_view key) const
	{
		const toml::node *found = node(key);
		if (found == nullptr)
			return std::nullopt;
		return typed<toml::value<std::string>>(*found, key, "a string").get();
	}

	std::optional<bool> boolean(std::string_view key) const
	{
		const toml::node *found = node(key);
		if (found == nullptr)
			return std::nullopt;
		return typed<toml::value<bool>>(*found, key, "a boolean (true or false)").get();
	}

	std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const
	{
		const toml::node *found = node(key);
		if (found == nullptr)
			return std::nullopt;
		const std::int64_t value = typed<toml::value<std::int64_t>>(*found, key, "an integer").get();
		if (value < min || value > max)
			reader_.fail(*found, path(key) + ": " + std::to_string(value) + " is out of range (" +
						     std::to_string(min) + ".." + std::to_string(max) + ")");
		return value;
	}

	std::optional<double> number(std::string_view key) const
	{
		const toml::node *found = node(key);
		if (found == nullptr)
			return std::nullopt;
		if (const auto *integer_value = found->as_integer())
			return static_cast<double>(integer_value->get());
		const double value = typed<toml::value<double>>(*found, key, "a number").get();
		if (!std::isfinite(value))
			reader_.fail(*found, path(key) + ": must be a finite number");
		return value;
	}

	// Durations are written in seconds, fractions allowed (1.5), and kept
	// in milliseconds.
	std::optional<Duration> seconds(std::string_view key, double min_s, double max_s) const
	{
		const auto value = number(key);
		if (!value)
			return std::nullopt;
		if (*value < min_s || *value > max_s) {
			std::ostringstream range;
			range << min_s << ".." << max_s;
			reader_.fail(*node(key), path(key) + ": " + format_number(*value) + " s is out of range (" +
							 range.str() + " s)");
		}
		return Duration(static_cast<Duration::rep>(std::llround(*value * 1000.0)));
	}

	Ipv6Address address_value(const toml::node &node, std::string_view key) const
	{
		const auto &text = typed<toml::value<std::string>>(node, key, "an IPv6 address in a string").get();
		const auto address = Ipv6Address::from_string(text);
		if (!address)
			reader_.fail(node, path(key) + ": " + quoted(text) + " is not an IPv6 address");
		return *address;
	}

	std::optional<Ipv6Address> address(std::string_view key) const
	{
		const toml::node *found = node(key);
		if (found == nullptr)
			return std::nullopt;
		return address_value(*found, key);
	}

	Ipv6Prefix prefix_value(const toml::node &node, std::string_view key) const
	{
		const auto &text = typed<toml::value<std::string>>(node, key, "an IPv6 prefix in a string").get();
		const auto prefix = Ipv6Prefix::from_string(text);
		if (!prefix || text.find('/') == std::string::npos)
			reader_.fail(node, path(key) + ": " + quoted(text) +
						   " is not an IPv6 prefix (ADDRESS/LENGTH, e.g. 2001:db8:1::/48)");
		if (prefix->masked().address != prefix->address)
			reader_.fail(node, path(key) + ": " + quoted(text) + " has bits set past its length; did you mean " +
						   prefix->masked().to_string() + "?");
		return *prefix;
	}

	std::optional<Ipv6Prefix> prefix(std::string_view key) const
	{
		const toml::node *found = node(key);
		if (found == nullptr)
			return std::nullopt;
		return prefix_value(*found, key);
	}

	const toml::array *array(std::string_view key) const
	{
		const toml::node *found = node(key);
		if (found == nullptr)
			return nullptr;
		return &typed<toml::array>(*found, key, "an array");
	}

	template <typename Enum>
	std::optional<Enum> choice(std::string_view key, const Choices<Enum> &choices) const
	{
		const auto text = string(key);
		if (!text)
			return std::nullopt;
		for (const auto &[word, value] : choices)
			if (word == *text)
				return value;
		std::vector<std::string_view> words;
		for (const auto &choice : choices)
			words.push_back(choice.first);
		reader_.fail(*node(key), path(key) + ": " + quoted(*text) + " is not one of " + join(words) +
						 suggestion(*text, words));
	}

	// A sub-table ([cmd.lma]); nullptr when absent.
	const toml::table *subtable(std::string_view key) const
	{
		const toml::node *found = node(key);
		if (found == nullptr)
			return nullptr;
		return &typed<toml::table>(*found, key, "a table");
	}

	static std::string format_number(double value)
	{
		std::ostringstream text;
		text << value;
		return text.str();
	}

private:
	const Reader &reader_;
	const toml::table &table_;
	std::string name_;
	std::vector<std::string_view> known_;
};

const Choices<dmm::Ordering> kOrderings{{"sequence", dmm::Ordering::sequence_number},
					{"timestamp", dmm::Ordering::timestamp}};
const Choices<dmm::CmdMode> kModes{
	{"relay", dmm::CmdMode::relay}, {"locator", dmm::CmdMode::locator}, {"proxy", dmm::CmdMode::proxy}};
const Choices<dmm::Deregistration> kDeregistrations{{"a", dmm::Deregistration::a}, {"b", dmm::Deregistration::b}};
const Choices<dmm::MaarConfig::Discovery> kDiscoveries{{"database", dmm::MaarConfig::Discovery::database},
						   {"query", dmm::MaarConfig::Discovery::query}};
const Choices<dmm::LegacyDFlag> kLegacyDFlags{{"refuse", dmm::LegacyDFlag::refuse},
					      {"ignore", dmm::LegacyDFlag::ignore}};
const Choices<mh::AccessTechnologyType> kAccessTechnologies{
	{"virtual", mh::AccessTechnologyType::Virtual},
	{"ppp", mh::AccessTechnologyType::Ppp},
	{"ieee802.3", mh::AccessTechnologyType::Ieee8023},
	{"ieee802.11", mh::AccessTechnologyType::Ieee80211},
	{"ieee802.16e", mh::AccessTechnologyType::Ieee80216e},
};
const Choices<dmm::LogLevel> kLogLevels{{"debug", dmm::LogLevel::debug},
					{"info", dmm::LogLevel::info},
					{"notice", dmm::LogLevel::notice},
					{"warning", dmm::LogLevel::warning},
					{"error", dmm::LogLevel::error}};
const Choices<Role> kRoles{{"cmd", Role::cmd}, {"maar", Role::maar}};

template <typename Enum>
std::string_view word_of(const Choices<Enum> &choices, Enum value)
{
	for (const auto &[word, candidate] : choices)
		if (candidate == value)
			return word;
	return "?";
}

// Largest lifetime a PBU can carry: 65535 units of 4 s.
constexpr double kMaxLifetimeSeconds = 65535.0 * 4;

std::string absolute_path(const Section &section, std::string_view key, std::string fallback, std::size_t max_size)
{
	auto value = section.string(key);
	if (!value)
		return fallback;
	if (value->empty() || value->front() != '/')
		section.reader().fail(*section.node(key), section.path(key) + ": " + quoted(*value) +
								  " must be an absolute path");
	if (value->size() >= max_size)
		section.reader().fail(*section.node(key), section.path(key) + ": the path is too long (" +
								  std::to_string(value->size()) + " characters, at most " +
								  std::to_string(max_size - 1) + ")");
	return *value;
}

void check_pool(const Section &section, std::string_view pool_key, const Ipv6Prefix &pool,
		std::string_view length_key, std::uint8_t length)
{
	if (pool.length > length)
		section.reader().fail(section.node(length_key) ? *section.node(length_key) : *section.node(pool_key),
				      section.path(pool_key) + ": " + pool.to_string() + " is empty: it holds no /" +
					      std::to_string(length) + " (" + section.path(length_key) + ")");
}

// [[domain.maar]]: what each MAAR may claim. All or none: a domain that
// lists some MAARs' pools and not others' would check some claims and not
// others, which nobody would expect.
void read_claims(const Section &domain, dmm::Domain &result)
{
	const toml::node *maar_node = domain.node("maar");
	if (maar_node == nullptr)
		return;
	const auto &tables = domain.typed<toml::array>(*maar_node, "maar", "an array of tables ([[domain.maar]])");
	std::vector<std::optional<dmm::MaarClaims>> claims(result.maars.size());
	std::vector<std::string_view> known{"address", "prefix_pool", "prefix_length", "local_prefixes"};
	for (const auto &element : tables) {
		const auto &table = domain.typed<toml::table>(element, "maar", "a table ([[domain.maar]])");
		Section entry(domain.reader(), table, "domain.maar", known);
		const auto &address_node = entry.require("address");
		const Ipv6Address address = entry.address_value(address_node, "address");
		const auto it = std::find(result.maars.begin(), result.maars.end(), address);
		if (it == result.maars.end())
			domain.reader().fail(address_node, "domain.maar.address: " + address.to_string() +
								   " is not one of domain.maars");
		auto &slot = claims[static_cast<std::size_t>(it - result.maars.begin())];
		if (slot)
			domain.reader().fail(address_node, "domain.maar.address: " + address.to_string() +
								   " has two [[domain.maar]] tables");
		dmm::MaarClaims claim;
		claim.pool = entry.prefix_value(entry.require("prefix_pool"), "prefix_pool");
		claim.prefix_length = static_cast<std::uint8_t>(
			entry.integer("prefix_length", 1, 128).value_or(result.prefix_length));
		check_pool(entry, "prefix_pool", claim.pool, "prefix_length", claim.prefix_length);
		if (const toml::array *locals = entry.array("local_prefixes"))
			for (const auto &local : *locals)
				claim.local_prefixes.push_back(entry.prefix_value(local, "local_prefixes"));
		// R12: pools are exclusive to their MAAR.
		for (std::size_t i = 0; i < claims.size(); ++i)
			if (claims[i] && dmm::overlaps(claims[i]->pool, claim.pool))
				domain.reader().fail(*entry.node("prefix_pool"),
						     "domain.maar.prefix_pool: " + claim.pool.to_string() + " overlaps the pool " +
							     claims[i]->pool.to_string() + " of " + result.maars[i].to_string() +
							     " (each MAAR's pool is its own)");
		slot = std::move(claim);
	}
	for (std::size_t i = 0; i < claims.size(); ++i) {
		if (!claims[i])
			domain.reader().fail(*maar_node, "domain.maar: " + result.maars[i].to_string() +
								 " has no [[domain.maar]] table (list every MAAR of domain.maars, or none)");
		result.claims.push_back(std::move(*claims[i]));
	}
}

dmm::Domain read_domain(const Section &domain)
{
	dmm::Domain result;
	const auto &maars_node = domain.require("maars");
	const auto &maars = domain.typed<toml::array>(maars_node, "maars", "an array of IPv6 addresses");
	if (maars.empty())
		domain.reader().fail(maars_node, "domain.maars: the domain needs at least one MAAR");
	for (const auto &element : maars) {
		const Ipv6Address address = domain.address_value(element, "maars");
		if (auto problem = address_problem(address))
			domain.reader().fail(element, "domain.maars: " + *problem);
		if (std::find(result.maars.begin(), result.maars.end(), address) != result.maars.end())
			domain.reader().fail(element, "domain.maars: " + address.to_string() +
							      " is listed twice (the order names the DLIFs: each MAAR once)");
		result.maars.push_back(address);
	}
	if (auto realm = domain.string("realm")) {
		if (realm->empty() || realm->find_first_of("@ \t\n") != std::string::npos)
			domain.reader().fail(*domain.node("realm"),
					     "domain.realm: " + quoted(*realm) + " is not a realm (no '@' or blanks)");
		result.realm = *realm;
	}
	result.prefix_length =
		static_cast<std::uint8_t>(domain.integer("prefix_length", 1, 128).value_or(result.prefix_length));
	read_claims(domain, result);
	return result;
}

dmm::SignallingTimers read_timers(const Section *signalling, dmm::Ordering &ordering)
{
	dmm::SignallingTimers timers;
	if (signalling == nullptr)
		return timers;
	const Section &s = *signalling;
	ordering = s.choice("ordering", kOrderings).value_or(ordering);
	timers.lifetime = s.seconds("lifetime", 4, kMaxLifetimeSeconds).value_or(timers.lifetime);
	timers.initial_retransmission =
		s.seconds("initial_retransmission", 0.001, 3600).value_or(timers.initial_retransmission);
	timers.max_retransmission = s.seconds("max_retransmission", 0.001, 3600).value_or(timers.max_retransmission);
	if (timers.max_retransmission < timers.initial_retransmission)
		s.reader().fail(s.node("max_retransmission") ? *s.node("max_retransmission")
							     : *s.node("initial_retransmission"),
				"signalling.max_retransmission must not be below signalling.initial_retransmission");
	timers.max_retransmissions =
		static_cast<unsigned>(s.integer("max_retransmissions", 0, 100).value_or(timers.max_retransmissions));
	if (auto fraction = s.number("refresh_fraction")) {
		if (*fraction <= 0 || *fraction >= 1)
			s.reader().fail(*s.node("refresh_fraction"),
					"signalling.refresh_fraction: " + Section::format_number(*fraction) +
						" must lie strictly between 0 and 1");
		timers.refresh_fraction = *fraction;
	}
	timers.timestamp_window = s.seconds("timestamp_window", 0.001, 3600).value_or(timers.timestamp_window);
	return timers;
}


dmm::CmdConfig read_cmd(const Section &cmd, const dmm::Domain &domain, const dmm::SignallingTimers &timers,
			dmm::Ordering ordering)
{
	dmm::CmdConfig config;
	config.domain = domain;
	config.timers = timers;
	config.ordering = ordering;
	const auto &address_node = cmd.require("address");
	config.address = cmd.address_value(address_node, "address");
	if (auto problem = address_problem(config.address))
		cmd.reader().fail(address_node, "cmd.address: " + *problem);
	if (std::find(domain.maars.begin(), domain.maars.end(), config.address) != domain.maars.end())
		cmd.reader().fail(address_node, "cmd.address: " + config.address.to_string() +
							" is one of domain.maars; the CMD is not a MAAR");
	config.mode = cmd.choice("mode", kModes).value_or(config.mode);
	config.deregistration = cmd.choice("deregistration", kDeregistrations).value_or(config.deregistration);
	config.rfc8885 = cmd.boolean("rfc8885").value_or(config.rfc8885);
	config.legacy_status = static_cast<std::uint8_t>(cmd.integer("legacy_status", 128, 255).value_or(config.legacy_status));
	config.legacy_d_flag = cmd.choice("legacy_d_flag", kLegacyDFlags).value_or(config.legacy_d_flag);
	config.relay_timeout = cmd.seconds("relay_timeout", 0, 3600).value_or(config.relay_timeout);
	config.previous_maar_window = static_cast<unsigned>(
		cmd.integer("previous_maar_window", 0, 65536).value_or(config.previous_maar_window));
	if (const toml::table *lma_table = cmd.subtable("lma")) {
		Section lma(cmd.reader(), *lma_table, "cmd.lma", {"pool", "prefix_length", "interface"});
		dmm::LmaConfig lma_config;
		lma_config.pool = lma.prefix_value(lma.require("pool"), "pool");
		lma_config.prefix_length =
			static_cast<std::uint8_t>(lma.integer("prefix_length", 1, 128).value_or(lma_config.prefix_length));
		check_pool(lma, "pool", lma_config.pool, "prefix_length", lma_config.prefix_length);
		const auto &interface_node = lma.require("interface");
		lma_config.interface =
			lma.typed<toml::value<std::string>>(interface_node, "interface", "an interface name").get();
		if (!valid_ifname(lma_config.interface))
			lma.reader().fail(interface_node, "cmd.lma.interface: " + quoted(lma_config.interface) +
								  " is not a valid interface name");
		config.lma = lma_config;
	}
	if (const toml::table *roaming_table = cmd.subtable("roaming")) {
		Section roaming(cmd.reader(), *roaming_table, "cmd.roaming", {"visited", "table_base", "rule_priority"});
		dmm::RoamingConfig roaming_config;
		const auto &visited_node = roaming.require("visited");
		const auto &visited = roaming.typed<toml::array>(visited_node, "visited", "an array of IPv6 addresses");
		if (visited.empty())
			roaming.reader().fail(visited_node, "cmd.roaming.visited: name at least one visited MAAR");
		for (const auto &element : visited) {
			const Ipv6Address address = roaming.address_value(element, "visited");
			if (auto problem = address_problem(address))
				roaming.reader().fail(element, "cmd.roaming.visited: " + *problem);
			if (address == config.address ||
			    std::find(domain.maars.begin(), domain.maars.end(), address) != domain.maars.end())
				roaming.reader().fail(element, "cmd.roaming.visited: " + address.to_string() +
								       " is this domain's own; a visited MAAR belongs to a "
								       "partner domain");
			if (std::find(roaming_config.visited.begin(), roaming_config.visited.end(), address) !=
			    roaming_config.visited.end())
				roaming.reader().fail(element, "cmd.roaming.visited: " + address.to_string() + " is listed twice");
			roaming_config.visited.push_back(address);
		}
		// Tables 253-255 are the kernel's; leave room for every MAAR.
		roaming_config.table_base = static_cast<std::uint32_t>(
			roaming.integer("table_base", 256, 0x7fff0000).value_or(roaming_config.table_base));
		roaming_config.rule_priority = static_cast<std::uint32_t>(
			roaming.integer("rule_priority", 1, 32765).value_or(roaming_config.rule_priority));
		if (config.mode == dmm::CmdMode::locator)
			roaming.reader().fail(visited_node, "cmd.roaming needs cmd.mode \"proxy\" or \"relay\": in "
							    "locator mode previous MAARs answer the serving MAAR directly, "
							    "which a visited MAAR never hears from");
		config.roaming = std::move(roaming_config);
	}
	if (config.legacy_d_flag == dmm::LegacyDFlag::ignore && !config.lma)
		cmd.reader().fail(*cmd.node("legacy_d_flag"),
				  "cmd.legacy_d_flag = \"ignore\" serves D-flag PBUs as a plain LMA: it needs [cmd.lma]");
	return config;
}

void read_ra(const Section &ra, dmm::MaarConfig &config, RaTiming &timing)
{
	config.ra_interval = ra.seconds("interval", 1, 1800).value_or(config.ra_interval);
	timing.interval = config.ra_interval;
	config.router_lifetime = ra.seconds("router_lifetime", 0, 9000).value_or(config.router_lifetime);
	if (config.router_lifetime.count() != 0 && config.router_lifetime < config.ra_interval)
		ra.reader().fail(ra.node("router_lifetime") ? *ra.node("router_lifetime") : *ra.node("interval"),
				 "maar.ra.router_lifetime must be 0 or at least maar.ra.interval (RFC 4861 §6.2.1)");
	config.prefix_valid_lifetime =
		ra.seconds("prefix_valid_lifetime", 1, 4294967294.0).value_or(config.prefix_valid_lifetime);
	config.prefix_preferred_lifetime =
		ra.seconds("prefix_preferred_lifetime", 0, 4294967294.0).value_or(config.prefix_preferred_lifetime);
	if (config.prefix_preferred_lifetime > config.prefix_valid_lifetime)
		ra.reader().fail(ra.node("prefix_preferred_lifetime") ? *ra.node("prefix_preferred_lifetime")
								       : *ra.node("prefix_valid_lifetime"),
				 "maar.ra.prefix_preferred_lifetime must not exceed maar.ra.prefix_valid_lifetime");
	if (auto mtu = ra.integer("mtu", 1280, 65535))
		config.ra_mtu = static_cast<std::uint32_t>(*mtu);
	config.deprecated_router_low_preference =
		ra.boolean("low_preference_for_other_maars").value_or(config.deprecated_router_low_preference);
	timing.initial_interval = ra.seconds("initial_interval", 0.01, 16).value_or(timing.initial_interval);
	timing.initial_count = static_cast<unsigned>(ra.integer("initial_count", 1, 10).value_or(timing.initial_count));
	timing.min_solicited_interval =
		ra.seconds("min_solicited_interval", 0, 60).value_or(timing.min_solicited_interval);
}

// The admission policy file: one node per line, a MAC (02:00:00:00:00:01)
// or an MN-ID (NAI, user@realm); '#' starts a comment. Errors name the
// policy file and its line.
void read_policy_file(const Section &admission, const std::string &path, dmm::Admission &result)
{
	std::ifstream in(path);
	if (!in)
		admission.reader().fail(*admission.node("policy_file"),
					"maar.admission.policy_file: cannot read " + quoted(path) + ": " +
						std::strerror(errno));
	std::string line;
	std::size_t number = 0;
	while (std::getline(in, line)) {
		++number;
		if (const auto hash = line.find('#'); hash != std::string::npos)
			line.erase(hash);
		const auto first = line.find_first_not_of(" \t\r");
		if (first == std::string::npos)
			continue;
		const auto last = line.find_last_not_of(" \t\r");
		std::string word = line.substr(first, last - first + 1);
		if (const auto space = word.find_first_of(" \t"); space != std::string::npos) {
			// "MAC NAI": the node of that MAC is known by that MN-ID (a
			// visitor from a partner domain keeps its home NAI).
			const auto mac = MacAddress::from_string(word.substr(0, space));
			const auto nai_at = word.find_first_not_of(" \t", space);
			const std::string nai = word.substr(nai_at);
			if (!mac || nai.find('@') == std::string::npos || nai.find_first_of(" \t") != std::string::npos ||
			    !dmm::usable_nai(nai))
				throw Invalid{ConfigError{path, static_cast<unsigned>(number), static_cast<unsigned>(first + 1),
							  quoted(word) + " is not \"MAC MN-ID\" (02:00:00:00:00:01 "
									 "user@realm)"}};
			for (const auto &[known, identity] : result.identities)
				if (known == *mac && identity != nai)
					throw Invalid{ConfigError{path, static_cast<unsigned>(number),
								  static_cast<unsigned>(first + 1),
								  mac->to_string() + " has two MN-IDs: " + quoted(identity) +
									  " and " + quoted(nai)}};
			result.macs.push_back(*mac);
			result.nais.push_back(nai);
			result.identities.emplace_back(*mac, nai);
		} else if (const auto mac = MacAddress::from_string(word)) {
			result.macs.push_back(*mac);
		} else if (word.find('@') != std::string::npos && word.find_first_of(" \t") == std::string::npos) {
			result.nais.push_back(word);
		} else {
			throw Invalid{ConfigError{path, static_cast<unsigned>(number), static_cast<unsigned>(first + 1),
						  quoted(word) + " is neither a MAC (02:00:00:00:00:01) nor an MN-ID "
								 "(user@realm)"}};
		}
	}
	std::sort(result.macs.begin(), result.macs.end());
	result.macs.erase(std::unique(result.macs.begin(), result.macs.end()), result.macs.end());
	std::sort(result.nais.begin(), result.nais.end());
	result.nais.erase(std::unique(result.nais.begin(), result.nais.end()), result.nais.end());
	std::sort(result.identities.begin(), result.identities.end());
	result.identities.erase(std::unique(result.identities.begin(), result.identities.end()),
				result.identities.end());
}

void read_admission(const Section &admission, dmm::Admission &result)
{
	if (auto path = admission.string("policy_file")) {
		if (path->empty() || path->front() != '/')
			admission.reader().fail(*admission.node("policy_file"),
						"maar.admission.policy_file: " + quoted(*path) + " must be an absolute path");
		result.restricted = true;
		read_policy_file(admission, *path, result);
		result.policy_file = *path;
	}
	result.max_sessions = static_cast<std::size_t>(
		admission.integer("max_sessions", 0, 10'000'000).value_or(static_cast<std::int64_t>(result.max_sessions)));
	if (auto rate = admission.number("new_sessions_per_second")) {
		if (*rate < 0 || *rate > 1e6)
			admission.reader().fail(*admission.node("new_sessions_per_second"),
						"maar.admission.new_sessions_per_second: " + Section::format_number(*rate) +
							" is out of range (0..1000000; 0: no limit)");
		result.rate = *rate;
	}
	result.burst = static_cast<unsigned>(admission.integer("burst", 1, 1'000'000).value_or(result.burst));
}

dmm::MaarConfig read_maar(const Section &maar, const dmm::Domain &domain, const dmm::SignallingTimers &timers,
			  dmm::Ordering ordering, RaTiming &timing)
{
	dmm::MaarConfig config;
	config.domain = domain;
	config.timers = timers;
	config.ordering = ordering;
	const auto &address_node = maar.require("address");
	config.address = maar.address_value(address_node, "address");
	if (auto problem = address_problem(config.address))
		maar.reader().fail(address_node, "maar.address: " + *problem);
	if (std::find(domain.maars.begin(), domain.maars.end(), config.address) == domain.maars.end())
		maar.reader().fail(address_node, "maar.address: " + config.address.to_string() +
							 " is not one of domain.maars (every MAAR of the domain, this one "
							 "included, in the same order everywhere)");
	if (const toml::node *cmd_node = maar.node("cmd")) {
		config.cmd = maar.address_value(*cmd_node, "cmd");
		if (auto problem = address_problem(config.cmd))
			maar.reader().fail(*cmd_node, "maar.cmd: " + *problem);
		if (std::find(domain.maars.begin(), domain.maars.end(), config.cmd) != domain.maars.end())
			maar.reader().fail(*cmd_node, "maar.cmd: " + config.cmd.to_string() +
							      " is one of domain.maars; the CMD is not a MAAR");
		if (const toml::node *node = maar.node("discovery"))
			maar.reader().fail(*node, "maar.discovery applies to direct mode, a MAAR without maar.cmd; "
						  "with a CMD, the CMD knows each node's anchors");
	} else {
		// Direct mode: [maar.sessions] names the session database
		// (checked by the caller).
		config.direct = true;
		config.discovery = maar.choice("discovery", kDiscoveries).value_or(config.discovery);
		for (const char *key : {"cmd_mode", "deregistration", "legacy_mag"})
			if (const toml::node *node = maar.node(key))
				maar.reader().fail(*node, maar.path(key) + " applies to a MAAR with a CMD (maar.cmd); "
									  "without one (direct mode) it has no meaning");
	}

	const auto &interfaces_node = maar.require("access_interfaces");
	const auto &interfaces = maar.typed<toml::array>(interfaces_node, "access_interfaces", "an array of interface names");
	if (interfaces.empty())
		maar.reader().fail(interfaces_node, "maar.access_interfaces: a MAAR needs at least one access interface");
	for (const auto &element : interfaces) {
		const auto &name =
			maar.typed<toml::value<std::string>>(element, "access_interfaces", "an interface name").get();
		if (!valid_ifname(name))
			maar.reader().fail(element, "maar.access_interfaces: " + quoted(name) +
							    " is not a valid interface name");
		if (std::find(config.access_interfaces.begin(), config.access_interfaces.end(), name) !=
		    config.access_interfaces.end())
			maar.reader().fail(element, "maar.access_interfaces: " + quoted(name) + " is listed twice");
		config.access_interfaces.push_back(name);
	}

	config.prefix_pool = maar.prefix_value(maar.require("prefix_pool"), "prefix_pool");
	config.prefix_length =
		static_cast<std::uint8_t>(maar.integer("prefix_length", 1, 128).value_or(config.prefix_length));
	check_pool(maar, "prefix_pool", config.prefix_pool, "prefix_length", config.prefix_length);

	if (const toml::array *locals = maar.array("local_prefixes")) {
		for (const auto &element : *locals) {
			const Ipv6Prefix local = maar.prefix_value(element, "local_prefixes");
			if (dmm::overlaps(local, config.prefix_pool))
				maar.reader().fail(element, "maar.local_prefixes: " + local.to_string() +
								    " overlaps maar.prefix_pool " +
								    config.prefix_pool.to_string());
			for (const auto &earlier : config.local_prefixes)
				if (dmm::overlaps(local, earlier))
					maar.reader().fail(element, "maar.local_prefixes: " + local.to_string() +
									    " overlaps " + earlier.to_string());
			config.local_prefixes.push_back(local);
		}
	}
	if (const dmm::MaarClaims *own = domain.claims_of(config.address)) {
		// What the other nodes check this MAAR's signalling against.
		if (!(own->pool == config.prefix_pool) || own->prefix_length != config.prefix_length ||
		    own->local_prefixes != config.local_prefixes)
			maar.reader().fail(address_node, "maar: prefix_pool, prefix_length and local_prefixes must be "
							 "those of this MAAR's [[domain.maar]] table (" +
							 own->pool.to_string() + ", /" + std::to_string(own->prefix_length) +
							 ", " + prefixes_text(own->local_prefixes) + ")");
	}
	config.legacy_mag = maar.boolean("legacy_mag").value_or(config.legacy_mag);
	config.cmd_mode = maar.choice("cmd_mode", kModes).value_or(config.cmd_mode);
	config.deregistration = maar.choice("deregistration", kDeregistrations).value_or(config.deregistration);
	config.access_technology =
		maar.choice("access_technology", kAccessTechnologies).value_or(config.access_technology);
	config.detach_after = maar.seconds("detach_after", 0, 86400).value_or(config.detach_after);
	if (config.detach_after.count() != 0 && config.detach_after < Duration(5000))
		maar.reader().fail(*maar.node("detach_after"),
				   "maar.detach_after: 0 (off) or at least 5 s: a node answers probes only "
				   "between its own neighbour checks");
	config.release_idle_after = maar.seconds("release_idle_after", 0, 604800).value_or(config.release_idle_after);
	if (config.release_idle_after.count() != 0) {
		const toml::node &key = *maar.node("release_idle_after");
		if (config.legacy_mag)
			maar.reader().fail(key, "maar.release_idle_after does not apply to a plain MAG (legacy_mag)");
		if (config.release_idle_after < Duration(5000))
			maar.reader().fail(key, "maar.release_idle_after: 0 (off) or at least 5 s: traffic is "
						"sampled a few times in that time");
	}

	if (const toml::table *admission_table = maar.subtable("admission")) {
		Section admission(maar.reader(), *admission_table, "maar.admission",
				  {"policy_file", "max_sessions", "new_sessions_per_second", "burst"});
		read_admission(admission, config.admission);
	}

	if (const toml::node *lmas_node = maar.node("home_lma")) {
		if (!config.direct)
			maar.reader().fail(*lmas_node, "maar.home_lma applies to direct mode: with a CMD, roaming "
							"partners are the CMD's business");
		const auto &tables =
			maar.typed<toml::array>(*lmas_node, "home_lma", "an array of tables ([[maar.home_lma]])");
		for (const auto &lma_element : tables) {
			const auto &table = maar.typed<toml::table>(lma_element, "home_lma", "a table ([[maar.home_lma]])");
			Section entry(maar.reader(), table, "maar.home_lma", {"realm", "address", "prefixes", "prefix_length"});
			dmm::HomeLma lma;
			const auto &realm_node = entry.require("realm");
			lma.realm = entry.typed<toml::value<std::string>>(realm_node, "realm", "a realm in a string").get();
			if (lma.realm.empty() || lma.realm.find_first_of("@ \t") != std::string::npos)
				entry.reader().fail(realm_node, "maar.home_lma.realm: " + quoted(lma.realm) +
									" is not a realm (the part of an MN-ID after '@')");
			if (lma.realm == domain.realm)
				entry.reader().fail(realm_node, "maar.home_lma.realm: " + quoted(lma.realm) +
									" is this domain's own realm (domain.realm)");
			for (const auto &earlier : config.home_lmas)
				if (earlier.realm == lma.realm)
					entry.reader().fail(realm_node, "maar.home_lma.realm: " + quoted(lma.realm) +
										" has two [[maar.home_lma]] tables");
			const auto &lma_address_node = entry.require("address");
			lma.address = entry.address_value(lma_address_node, "address");
			if (auto problem = address_problem(lma.address))
				entry.reader().fail(lma_address_node, "maar.home_lma.address: " + *problem);
			if (std::find(domain.maars.begin(), domain.maars.end(), lma.address) != domain.maars.end())
				entry.reader().fail(lma_address_node, "maar.home_lma.address: " + lma.address.to_string() +
									  " is one of domain.maars; a home LMA is in a "
									  "partner domain");
			// What the LMA may claim for its nodes: the home domain's
			// blocks.
			lma.prefix_length = static_cast<std::uint8_t>(
				entry.integer("prefix_length", 1, 128).value_or(domain.prefix_length));
			const auto &prefixes_node = entry.require("prefixes");
			const auto &blocks =
				entry.typed<toml::array>(prefixes_node, "prefixes", "an array of IPv6 prefixes");
			if (blocks.empty())
				entry.reader().fail(prefixes_node, "maar.home_lma.prefixes: name the home domain's prefixes");
			for (const auto &element : blocks) {
				const Ipv6Prefix block = entry.prefix_value(element, "prefixes");
				if (block.length > lma.prefix_length)
					entry.reader().fail(element, "maar.home_lma.prefixes: " + block.to_string() +
									     " holds no /" + std::to_string(lma.prefix_length) +
									     " (maar.home_lma.prefix_length)");
				if (dmm::overlaps(block, config.prefix_pool))
					entry.reader().fail(element, "maar.home_lma.prefixes: " + block.to_string() +
									     " overlaps maar.prefix_pool " +
									     config.prefix_pool.to_string());
				lma.prefixes.push_back(block);
			}
			config.home_lmas.push_back(std::move(lma));
		}
	}

	timing.interval = config.ra_interval;
	if (const toml::table *ra_table = maar.subtable("ra")) {
		Section ra(maar.reader(), *ra_table, "maar.ra",
			   {"interval", "router_lifetime", "prefix_valid_lifetime", "prefix_preferred_lifetime", "mtu",
			    "low_preference_for_other_maars", "initial_interval", "initial_count",
			    "min_solicited_interval"});
		read_ra(ra, config, timing);
	}
	return config;
}

std::string seconds_text(Duration duration);

// One element of an etcd `endpoints` list: an http:// (or, with TLS,
// https://) URL, without a trailing '/'.
std::string etcd_endpoint(const Section &section, const toml::node &endpoint, bool tls)
{
	const auto &url = section.typed<toml::value<std::string>>(endpoint, "endpoints", "a URL in a string").get();
	if (!url.starts_with("http://") && !(tls && url.starts_with("https://")))
		section.reader().fail(endpoint, section.path("endpoints") + ": " + quoted(url) +
							(tls ? " is not an http:// or https:// URL"
							     : " is not an http:// URL (TLS is not supported here yet)"));
	return url.ends_with("/") ? url.substr(0, url.size() - 1) : url;
}

// The `prefix` key of an etcd section: starts and ends with '/'.
void read_etcd_prefix(const Section &section, std::string_view example, std::string &into)
{
	const auto prefix = section.string("prefix");
	if (!prefix)
		return;
	if (prefix->size() < 2 || prefix->front() != '/' || prefix->back() != '/')
		section.reader().fail(*section.node("prefix"), section.path("prefix") + ": " + quoted(*prefix) +
								       " must start and end with '/', e.g. \"" +
								       std::string(example) + "\"");
	into = *prefix;
}

// [maar.sessions], exactly when [maar] names no CMD.
std::optional<SessionDirectoryConfig> read_sessions(const Section &maar, const dmm::MaarConfig &config)
{
	const Reader &reader = maar.reader();
	const toml::table *table = maar.subtable("sessions");
	if (!config.direct) {
		if (table != nullptr)
			reader.fail(*table, "maar.sessions: the session database is for direct mode, a MAAR without "
					    "maar.cmd; this one has a CMD");
		return std::nullopt;
	}
	if (config.discovery == dmm::MaarConfig::Discovery::query) {
		if (table != nullptr)
			reader.fail(*table, "maar.sessions: discovery = \"query\" asks the other MAARs and keeps no "
					    "session database; remove [maar.sessions] or set discovery = \"database\"");
		return std::nullopt;
	}
	if (table == nullptr)
		reader.fail(maar.table(), "maar: without maar.cmd (direct mode) a MAAR needs [maar.sessions], the "
					  "session database that names each node's anchors, e.g. endpoints = "
					  "[\"http://192.0.2.1:2379\"]");
	Section sessions(reader, *table, "maar.sessions", {"endpoints", "prefix", "request_timeout", "lease_ttl"});
	SessionDirectoryConfig out;
	const toml::array *endpoints = sessions.array("endpoints");
	if (endpoints == nullptr || endpoints->empty())
		reader.fail(endpoints ? static_cast<const toml::node &>(*endpoints) : *table,
			    "maar.sessions.endpoints: the etcd cluster's client URLs, e.g. [\"http://192.0.2.1:2379\"]");
	for (const auto &endpoint : *endpoints)
		out.endpoints.push_back(etcd_endpoint(sessions, endpoint, false));
	read_etcd_prefix(sessions, "/dlif/sessions/", out.prefix);
	out.request_timeout = sessions.seconds("request_timeout", 0.1, 10).value_or(out.request_timeout);
	// Whole seconds: an etcd lease has no finer TTL.
	if (auto ttl = sessions.integer("lease_ttl", 3, 3600))
		out.lease_ttl = std::chrono::seconds(*ttl);
	if (out.request_timeout * 3 > out.lease_ttl)
		reader.fail(sessions.node("request_timeout") ? *sessions.node("request_timeout") : *table,
			    "maar.sessions.request_timeout: " + seconds_text(out.request_timeout) +
				    " is more than a third of maar.sessions.lease_ttl (" + seconds_text(out.lease_ttl) +
				    "): the records could expire while a renewal waits for etcd");
	return out;
}

const Choices<StoreConfig::Backend> kBackends = {{"sqlite", StoreConfig::Backend::sqlite},
						 {"etcd", StoreConfig::Backend::etcd}};

// store.ca_file, cert_file, key_file: readable absolute paths, a
// certificate with its key, and only for a cluster reached over https.
void read_store_tls(const Section &store, StoreConfig &out)
{
	const Reader &reader = store.reader();
	const auto path = [&](const char *key, std::string &into) {
		const auto value = store.string(key);
		if (!value)
			return;
		const toml::node &node = *store.node(key);
		if (value->empty() || value->front() != '/')
			reader.fail(node, store.path(key) + ": " + quoted(*value) + " must be an absolute path");
		if (std::ifstream file(*value); !file)
			reader.fail(node, store.path(key) + ": cannot read " + quoted(*value) + ": " + std::strerror(errno));
		into = *value;
	};
	path("ca_file", out.ca_file);
	path("cert_file", out.cert_file);
	path("key_file", out.key_file);
	if (out.cert_file.empty() != out.key_file.empty()) {
		const char *given = out.cert_file.empty() ? "key_file" : "cert_file";
		reader.fail(*store.node(given), store.path(given) + ": store.cert_file and store.key_file go together "
								    "(the instance's certificate and its private key)");
	}
	const bool tls = !out.ca_file.empty() || !out.cert_file.empty();
	const bool https = std::any_of(out.endpoints.begin(), out.endpoints.end(),
				       [](const std::string &url) { return url.starts_with("https://"); });
	if (tls && !https) {
		const char *given = !out.ca_file.empty() ? "ca_file" : "cert_file";
		reader.fail(*store.node(given), store.path(given) + ": TLS files, but every store.endpoints URL is "
								    "http:// (use https:// to reach the cluster over TLS)");
	}
}

StoreConfig read_store(const Section &store, const Config &config)
{
	const Reader &reader = store.reader();
	StoreConfig out;
	out.backend = store.choice("backend", kBackends).value_or(out.backend);
	if (out.backend == StoreConfig::Backend::sqlite) {
		for (const char *key : {"endpoints", "prefix", "name", "lease_ttl", "request_timeout", "service_interface",
					"ca_file", "cert_file", "key_file"})
			if (const toml::node *node = store.node(key))
				reader.fail(*node, store.path(key) + " applies to backend \"etcd\" only");
		return out;
	}
	const toml::node &backend = *store.node("backend");
	if (config.role != Role::cmd)
		reader.fail(backend, "store.backend: \"etcd\" is for the cmd role (a MAAR keeps its sessions in SQLite)");
	if (config.cmd && config.cmd->lma)
		reader.fail(backend, "store.backend: \"etcd\" does not support [cmd.lma] yet (its kernel entries would "
				     "have to move with the leadership)");
	const toml::array *endpoints = store.array("endpoints");
	if (endpoints == nullptr || endpoints->empty())
		reader.fail(endpoints ? static_cast<const toml::node &>(*endpoints) : backend,
			    "store.endpoints: backend \"etcd\" needs the cluster's client URLs, e.g. "
			    "[\"http://192.0.2.1:2379\"]");
	for (const auto &endpoint : *endpoints)
		out.endpoints.push_back(etcd_endpoint(store, endpoint, true));
	read_etcd_prefix(store, "/dlif/cmd/", out.prefix);
	out.name = store.string("name").value_or("");
	// Whole seconds: an etcd lease has no finer TTL, and the leader's hold
	// on the service address (its preferred lifetime) follows the lease.
	if (auto ttl = store.integer("lease_ttl", 2, 60))
		out.lease_ttl = std::chrono::seconds(*ttl);
	out.request_timeout = store.seconds("request_timeout", 0.1, 10).value_or(out.request_timeout);
	if (out.request_timeout * 3 > out.lease_ttl)
		reader.fail(store.node("request_timeout") ? *store.node("request_timeout") : backend,
			    "store.request_timeout: " + seconds_text(out.request_timeout) +
				    " is more than a third of store.lease_ttl (" + seconds_text(out.lease_ttl) +
				    "): a leader could lose its lease while it waits for etcd");
	const auto interface = store.string("service_interface");
	if (!interface || !valid_ifname(*interface))
		reader.fail(store.node("service_interface") ? *store.node("service_interface") : backend,
			    "store.service_interface: backend \"etcd\" needs the interface on which the leader "
			    "holds the CMD's address (an interface name)");
	out.service_interface = *interface;
	read_store_tls(store, out);
	return out;
}

Config read_config(const toml::table &root, const std::string &file)
{
	Reader reader(file);
	Section top(reader, root, "", {"daemon", "domain", "signalling", "security", "store", "cmd", "maar"});
	Config config;
	config.file = file;

	auto section_table = [&](std::string_view key) -> const toml::table * { return top.subtable(key); };

	const toml::table *daemon_table = section_table("daemon");
	if (daemon_table == nullptr)
		reader.fail(toml::source_position{1, 1}, "missing section [daemon] (it says role = \"cmd\" or \"maar\")");
	Section daemon(reader, *daemon_table, "daemon",
		       {"role", "log_level", "control_socket", "state_dir", "state_save_interval", "reconcile_interval"});
	daemon.require("role");
	config.role = *daemon.choice("role", kRoles);
	config.log_level = daemon.choice("log_level", kLogLevels).value_or(config.log_level);
	config.control_socket =
		absolute_path(daemon, "control_socket", config.control_socket, sizeof(sockaddr_un::sun_path));
	config.state_dir = absolute_path(daemon, "state_dir", config.state_dir, 4096);
	if (daemon.node("state_save_interval") != nullptr)
		config.obsolete_keys.emplace_back("daemon.state_save_interval");
	config.reconcile_interval =
		daemon.seconds("reconcile_interval", 0, 3600).value_or(config.reconcile_interval);

	const toml::table *domain_table = section_table("domain");
	if (domain_table == nullptr)
		reader.fail(daemon.node("role")->source().begin, "missing section [domain] (domain.maars lists the MAARs)");
	Section domain_section(reader, *domain_table, "domain", {"maars", "realm", "prefix_length", "maar"});
	const dmm::Domain domain = read_domain(domain_section);

	if (const toml::table *security_table = section_table("security")) {
		Section security(reader, *security_table, "security", {"require_ipsec"});
		config.require_ipsec = security.boolean("require_ipsec").value_or(config.require_ipsec);
	}

	dmm::Ordering ordering = dmm::Ordering::sequence_number;
	std::optional<Section> signalling;
	if (const toml::table *signalling_table = section_table("signalling"))
		signalling.emplace(reader, *signalling_table, "signalling",
				   std::vector<std::string_view>{"ordering", "lifetime", "initial_retransmission",
								 "max_retransmission", "max_retransmissions",
								 "refresh_fraction", "timestamp_window"});
	const dmm::SignallingTimers timers = read_timers(signalling ? &*signalling : nullptr, ordering);

	const std::string_view own = config.role == Role::cmd ? "cmd" : "maar";
	const std::string_view other = config.role == Role::cmd ? "maar" : "cmd";
	if (const toml::node *other_node = top.node(other))
		reader.fail(*other_node, "section [" + std::string(other) + "] does not apply: [daemon] role is " +
						 quoted(own));
	const toml::table *role_table = section_table(own);
	if (role_table == nullptr)
		reader.fail(*daemon.node("role"), "role " + quoted(own) + " needs a [" + std::string(own) + "] section");
	if (config.role == Role::cmd) {
		Section cmd(reader, *role_table, "cmd",
			    {"address", "mode", "deregistration", "rfc8885", "legacy_status", "legacy_d_flag",
			     "relay_timeout", "previous_maar_window", "lma", "roaming"});
		config.cmd = read_cmd(cmd, domain, timers, ordering);
	} else {
		Section maar(reader, *role_table, "maar",
			     {"address", "cmd", "access_interfaces", "prefix_pool", "prefix_length", "local_prefixes",
			      "legacy_mag", "cmd_mode", "deregistration", "access_technology", "detach_after",
			      "release_idle_after", "shared_dlifs", "shared_dlif_linger", "admission",
			      "ra", "sessions", "discovery", "home_lma"});
		config.maar = read_maar(maar, domain, timers, ordering, config.ra);
		config.shared_dlifs = maar.boolean("shared_dlifs").value_or(config.shared_dlifs);
		config.shared_dlif_linger =
			maar.seconds("shared_dlif_linger", 0, 86400).value_or(config.shared_dlif_linger);
		config.sessions = read_sessions(maar, *config.maar);
	}
	if (const toml::table *store_table = section_table("store")) {
		Section store(reader, *store_table, "store",
			      {"backend", "endpoints", "prefix", "name", "lease_ttl", "request_timeout",
			       "service_interface", "ca_file", "cert_file", "key_file"});
		config.store = read_store(store, config);
	}
	return config;
}

std::string seconds_text(Duration duration)
{
	const auto ms = duration.count();
	if (ms % 1000 == 0)
		return std::to_string(ms / 1000) + "s";
	return std::to_string(ms) + "ms";
}

std::string prefixes_text(const std::vector<Ipv6Prefix> &prefixes)
{
	std::string text = "[";
	for (const auto &prefix : prefixes)
		text += (text.size() > 1 ? ", " : "") + prefix.to_string();
	return text + "]";
}

} // namespace

std::string_view name(Role role) noexcept
{
	return role == Role::cmd ? "cmd" : "maar";
}

std::string_view name(dmm::LogLevel level) noexcept
{
	return word_of(kLogLevels, level);
}

std::optional<dmm::LogLevel> log_level_from(std::string_view text) noexcept
{
	for (const auto &[word, level] : kLogLevels)
		if (word == text)
			return level;
	return std::nullopt;
}

std::string ConfigError::to_string() const
{
	if (line == 0)
		return file + ": " + message;
	return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

mh::Result<Config, ConfigError> config_from_toml(std::string_view text, std::string_view filename)
{
	const std::string file(filename);
	try {
		const toml::table root = toml::parse(text, filename);
		return read_config(root, file);
	} catch (const toml::parse_error &error) {
		const auto &where = error.source().begin;
		return mh::unexpected(ConfigError{file, where.line, where.column, std::string(error.description())});
	} catch (const Invalid &invalid) {
		return mh::unexpected(invalid.error);
	}
}

mh::Result<Config, ConfigError> load_config(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	if (!in)
		return mh::unexpected(ConfigError{path, 0, 0, "cannot read the configuration: " + std::string(std::strerror(errno))});
	std::ostringstream text;
	text << in.rdbuf();
	if (in.bad())
		return mh::unexpected(ConfigError{path, 0, 0, "cannot read the configuration"});
	return config_from_toml(text.str(), path);
}

std::vector<std::pair<std::string, std::string>> describe(const Config &config)
{
	std::vector<std::pair<std::string, std::string>> out;
	auto add = [&](std::string key, std::string value) { out.emplace_back(std::move(key), std::move(value)); };
	add("daemon.role", std::string(name(config.role)));
	add("daemon.log_level", std::string(name(config.log_level)));
	add("daemon.control_socket", config.control_socket);
	add("daemon.state_dir", config.state_dir);
	add("daemon.reconcile_interval", seconds_text(config.reconcile_interval));
	const StoreConfig &store = config.store;
	if (store.backend == StoreConfig::Backend::etcd) {
		std::string endpoints;
		for (const auto &endpoint : store.endpoints)
			endpoints += (endpoints.empty() ? "" : ", ") + endpoint;
		add("store.backend", "etcd");
		add("store.endpoints", "[" + endpoints + "]");
		add("store.prefix", store.prefix);
		add("store.name", store.name);
		add("store.lease_ttl", seconds_text(store.lease_ttl));
		add("store.request_timeout", seconds_text(store.request_timeout));
		add("store.service_interface", store.service_interface);
		add("store.ca_file", store.ca_file);
		add("store.cert_file", store.cert_file);
		add("store.key_file", store.key_file);
	} else {
		add("store.backend", "sqlite");
	}
	const dmm::Domain &domain = config.domain();
	std::string maars = "[";
	for (const auto &maar : domain.maars)
		maars += (maars.size() > 1 ? ", " : "") + maar.to_string();
	add("domain.maars", maars + "]");
	add("domain.realm", domain.realm);
	add("domain.prefix_length", std::to_string(domain.prefix_length));
	for (std::size_t i = 0; i < domain.claims.size(); ++i) {
		const dmm::MaarClaims &claims = domain.claims[i];
		add("domain.maar." + domain.maars[i].to_string(),
		    claims.pool.to_string() + " /" + std::to_string(claims.prefix_length) + " local " +
			    prefixes_text(claims.local_prefixes));
	}
	const dmm::SignallingTimers &timers = config.cmd ? config.cmd->timers : config.maar->timers;
	const dmm::Ordering ordering = config.cmd ? config.cmd->ordering : config.maar->ordering;
	add("signalling.ordering", std::string(word_of(kOrderings, ordering)));
	add("signalling.lifetime", seconds_text(timers.lifetime));
	add("signalling.initial_retransmission", seconds_text(timers.initial_retransmission));
	add("signalling.max_retransmission", seconds_text(timers.max_retransmission));
	add("signalling.max_retransmissions", std::to_string(timers.max_retransmissions));
	add("signalling.refresh_fraction", Section::format_number(timers.refresh_fraction));
	add("signalling.timestamp_window", seconds_text(timers.timestamp_window));
	add("security.require_ipsec", config.require_ipsec ? "true" : "false");
	if (config.cmd) {
		const dmm::CmdConfig &cmd = *config.cmd;
		add("cmd.address", cmd.address.to_string());
		add("cmd.mode", std::string(word_of(kModes, cmd.mode)));
		add("cmd.deregistration", std::string(word_of(kDeregistrations, cmd.deregistration)));
		add("cmd.rfc8885", cmd.rfc8885 ? "true" : "false");
		add("cmd.legacy_status", std::to_string(cmd.legacy_status));
		add("cmd.legacy_d_flag", std::string(word_of(kLegacyDFlags, cmd.legacy_d_flag)));
		add("cmd.relay_timeout", seconds_text(cmd.relay_timeout));
		add("cmd.previous_maar_window", std::to_string(cmd.previous_maar_window));
		if (cmd.lma) {
			add("cmd.lma.pool", cmd.lma->pool.to_string());
			add("cmd.lma.prefix_length", std::to_string(cmd.lma->prefix_length));
			add("cmd.lma.interface", cmd.lma->interface);
		}
		if (cmd.roaming) {
			std::string visited;
			for (const auto &address : cmd.roaming->visited)
				visited += (visited.empty() ? "" : ", ") + address.to_string();
			add("cmd.roaming.visited", "[" + visited + "]");
			add("cmd.roaming.table_base", std::to_string(cmd.roaming->table_base));
			add("cmd.roaming.rule_priority", std::to_string(cmd.roaming->rule_priority));
		}
	}
	if (config.maar) {
		const dmm::MaarConfig &maar = *config.maar;
		add("maar.address", maar.address.to_string());
		if (maar.direct) {
			add("maar.cmd", "(none: direct mode)");
			add("maar.discovery", std::string(word_of(kDiscoveries, maar.discovery)));
			if (config.sessions) {
				const SessionDirectoryConfig &sessions = *config.sessions;
				std::string endpoints;
				for (const auto &url : sessions.endpoints)
					endpoints += (endpoints.empty() ? "" : ", ") + url;
				add("maar.sessions.endpoints", "[" + endpoints + "]");
				add("maar.sessions.prefix", sessions.prefix);
				add("maar.sessions.request_timeout", seconds_text(sessions.request_timeout));
				add("maar.sessions.lease_ttl", seconds_text(sessions.lease_ttl));
			}
			for (const auto &lma : maar.home_lmas)
				add("maar.home_lma." + lma.realm, lma.address.to_string() + " " + prefixes_text(lma.prefixes) +
									  " /" + std::to_string(lma.prefix_length));
		} else {
			add("maar.cmd", maar.cmd.to_string());
		}
		std::string interfaces = "[";
		for (const auto &name : maar.access_interfaces)
			interfaces += (interfaces.size() > 1 ? ", " : "") + name;
		add("maar.access_interfaces", interfaces + "]");
		add("maar.prefix_pool", maar.prefix_pool.to_string());
		add("maar.prefix_length", std::to_string(maar.prefix_length));
		add("maar.local_prefixes", prefixes_text(maar.local_prefixes));
		add("maar.legacy_mag", maar.legacy_mag ? "true" : "false");
		add("maar.cmd_mode", std::string(word_of(kModes, maar.cmd_mode)));
		add("maar.deregistration", std::string(word_of(kDeregistrations, maar.deregistration)));
		add("maar.access_technology", std::string(word_of(kAccessTechnologies, maar.access_technology)));
		add("maar.detach_after", seconds_text(maar.detach_after));
		add("maar.release_idle_after", seconds_text(maar.release_idle_after));
		add("maar.shared_dlifs", config.shared_dlifs ? "true" : "false");
		add("maar.shared_dlif_linger", seconds_text(config.shared_dlif_linger));
		const dmm::Admission &admission = maar.admission;
		std::string policy = "any node";
		if (admission.restricted) {
			// The lists, not only the path: editing the file and
			// reloading is a change.
			std::size_t digest = std::hash<std::string>{}(admission.policy_file);
			for (const auto &mac : admission.macs)
				digest = digest * 1099511628211u ^ std::hash<std::string>{}(mac.to_string());
			for (const auto &nai : admission.nais)
				digest = digest * 1099511628211u ^ std::hash<std::string>{}(nai);
			for (const auto &[mac, nai] : admission.identities)
				digest = digest * 1099511628211u ^ std::hash<std::string>{}(mac.to_string() + nai);
			std::ostringstream text;
			text << admission.policy_file << " (" << admission.macs.size() << " MACs, " << admission.nais.size()
			     << " MN-IDs, digest " << std::hex << digest << ")";
			policy = text.str();
		}
		add("maar.admission.policy_file", policy);
		add("maar.admission.max_sessions", std::to_string(admission.max_sessions));
		add("maar.admission.new_sessions_per_second", Section::format_number(admission.rate));
		add("maar.admission.burst", std::to_string(admission.burst));
		add("maar.ra.interval", seconds_text(maar.ra_interval));
		add("maar.ra.router_lifetime", seconds_text(maar.router_lifetime));
		add("maar.ra.prefix_valid_lifetime", seconds_text(maar.prefix_valid_lifetime));
		add("maar.ra.prefix_preferred_lifetime", seconds_text(maar.prefix_preferred_lifetime));
		add("maar.ra.mtu", maar.ra_mtu ? std::to_string(*maar.ra_mtu) : "none");
		add("maar.ra.low_preference_for_other_maars", maar.deprecated_router_low_preference ? "true" : "false");
		add("maar.ra.initial_interval", seconds_text(config.ra.initial_interval));
		add("maar.ra.initial_count", std::to_string(config.ra.initial_count));
		add("maar.ra.min_solicited_interval", seconds_text(config.ra.min_solicited_interval));
	}
	return out;
}

Reload plan_reload(const Config &running, const Config &next)
{
	Reload reload;
	reload.applied = running;
	// What may change at run time: the log level, the reconcile interval,
	// everything under maar.ra (the core rebuilds its RA plans, the engine
	// its timing) and maar.admission (sessions already admitted stay).
	if (running.role == next.role) {
		reload.applied.log_level = next.log_level;
		reload.applied.reconcile_interval = next.reconcile_interval;
		if (running.maar && next.maar) {
			dmm::MaarConfig &maar = *reload.applied.maar;
			maar.ra_interval = next.maar->ra_interval;
			maar.router_lifetime = next.maar->router_lifetime;
			maar.prefix_valid_lifetime = next.maar->prefix_valid_lifetime;
			maar.prefix_preferred_lifetime = next.maar->prefix_preferred_lifetime;
			maar.ra_mtu = next.maar->ra_mtu;
			maar.deprecated_router_low_preference = next.maar->deprecated_router_low_preference;
			maar.admission = next.maar->admission;
			reload.applied.ra = next.ra;
		}
	}
	const auto before = describe(running);
	const auto applied = describe(reload.applied);
	const auto wanted = describe(next);
	auto value_in = [](const auto &settings, const std::string &key) -> std::optional<std::string> {
		for (const auto &[k, v] : settings)
			if (k == key)
				return v;
		return std::nullopt;
	};
	std::set<std::string> keys;
	for (const auto &settings : {before, wanted})
		for (const auto &[key, value] : settings)
			keys.insert(key);
	// In file order where possible: running keys first, then new ones.
	std::vector<std::string> ordered;
	for (const auto &settings : {before, wanted})
		for (const auto &[key, value] : settings)
			if (keys.erase(key))
				ordered.push_back(key);
	for (const auto &key : ordered) {
		const auto old_value = value_in(before, key);
		const auto new_value = value_in(wanted, key);
		if (old_value == new_value)
			continue;
		if (value_in(applied, key) == new_value)
			reload.changed.push_back(key);
		else
			reload.needs_restart.push_back(key);
	}
	return reload;
}

} // namespace dlif::daemon
