// SPDX-License-Identifier: GPL-2.0
//
// dlifd's configuration: what a valid file gives, and every mistake
// reported with its file, line, column and a clear problem.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "config.hpp"

namespace dlif::daemon {
namespace {

using namespace std::chrono_literals;

const char *const kMaar = R"(# a MAAR
[daemon]
role = "maar"

[domain]
maars = ["2001:db8::1", "2001:db8::2", "2001:db8::3"]

[maar]
address = "2001:db8::2"
cmd = "2001:db8::100"
access_interfaces = ["eth1"]
prefix_pool = "2001:db8:2000::/48"
)";

const char *const kCmd = R"([daemon]
role = "cmd"

[domain]
maars = ["2001:db8::1", "2001:db8::2"]

[cmd]
address = "2001:db8::100"
)";

Config valid(const std::string &text)
{
	auto config = config_from_toml(text, "test.toml");
	EXPECT_TRUE(config) << (config ? "" : config.error().to_string());
	return config ? *config : Config{};
}

// "LINE:COLUMN: message" of the error (the file name is checked once).
std::string error_of(const std::string &text)
{
	auto config = config_from_toml(text, "test.toml");
	EXPECT_FALSE(config) << "accepted:\n" << text;
	if (config)
		return {};
	EXPECT_EQ(config.error().file, "test.toml");
	return std::to_string(config.error().line) + ":" + std::to_string(config.error().column) + ": " +
	       config.error().message;
}

bool starts_with(const std::string &text, const std::string &prefix)
{
	return text.starts_with(prefix);
}

std::string with(const char *base, const std::string &extra)
{
	return std::string(base) + extra;
}

std::string replaced(const char *base, const std::string &from, const std::string &to)
{
	std::string text(base);
	const auto at = text.find(from);
	EXPECT_NE(at, std::string::npos) << from;
	if (at != std::string::npos)
		text.replace(at, from.size(), to);
	return text;
}

TEST(Config, MaarDefaults)
{
	const Config config = valid(kMaar);
	EXPECT_EQ(config.role, Role::maar);
	EXPECT_EQ(config.log_level, dmm::LogLevel::info);
	EXPECT_EQ(config.control_socket, "/run/dlifd/dlifd.sock");
	EXPECT_EQ(config.state_dir, "/var/lib/dlifd");
	EXPECT_TRUE(config.obsolete_keys.empty());
	ASSERT_TRUE(config.maar);
	EXPECT_FALSE(config.cmd);
	const dmm::MaarConfig &maar = *config.maar;
	EXPECT_EQ(maar.address.to_string(), "2001:db8::2");
	EXPECT_EQ(maar.cmd.to_string(), "2001:db8::100");
	EXPECT_EQ(maar.domain.maars.size(), 3u);
	EXPECT_EQ(maar.domain.realm, "dlif.example");
	EXPECT_EQ(maar.access_interfaces, std::vector<std::string>{"eth1"});
	EXPECT_EQ(maar.prefix_pool.to_string(), "2001:db8:2000::/48");
	EXPECT_EQ(maar.prefix_length, 64);
	EXPECT_EQ(maar.ra_interval, 30s);
	EXPECT_EQ(maar.router_lifetime, 1800s);
	EXPECT_EQ(maar.cmd_mode, dmm::CmdMode::proxy);
	EXPECT_EQ(maar.timers.lifetime, 3600s);
	EXPECT_EQ(config.ra.initial_count, 3u);
	EXPECT_EQ(config.ra.initial_interval, 500ms);
	EXPECT_EQ(config.ra.interval, 30s);
	EXPECT_EQ(config.address().to_string(), "2001:db8::2");
	EXPECT_EQ(maar.detach_after, 60s);
}

TEST(Config, EveryMaarKey)
{
	const Config config = valid(R"([daemon]
role = "maar"
log_level = "debug"
control_socket = "/tmp/x/dlifd.sock"
state_dir = "/tmp/x/state"

[domain]
maars = ["2001:db8::1", "2001:db8::2"]
realm = "example.net"

[signalling]
ordering = "timestamp"
lifetime = 400
initial_retransmission = 0.5
max_retransmission = 8
max_retransmissions = 3
refresh_fraction = 0.5
timestamp_window = 1.5

[maar]
address = "2001:db8::1"
cmd = "2001:db8::100"
access_interfaces = ["eth1", "wlan0"]
prefix_pool = "2001:db8:1000::/40"
prefix_length = 56
local_prefixes = ["2001:db8:f100::/48", "2001:db8:f200::/48"]
legacy_mag = true
cmd_mode = "relay"
deregistration = "b"
access_technology = "ieee802.11"

[maar.ra]
interval = 10
router_lifetime = 600
prefix_valid_lifetime = 7200
prefix_preferred_lifetime = 3600
mtu = 1400
low_preference_for_other_maars = true
initial_interval = 0.25
initial_count = 2
min_solicited_interval = 1
)");
	EXPECT_EQ(config.log_level, dmm::LogLevel::debug);
	EXPECT_EQ(config.control_socket, "/tmp/x/dlifd.sock");
	EXPECT_EQ(config.state_dir, "/tmp/x/state");
	const dmm::MaarConfig &maar = *config.maar;
	EXPECT_EQ(maar.domain.realm, "example.net");
	EXPECT_EQ(maar.ordering, dmm::Ordering::timestamp);
	EXPECT_EQ(maar.timers.lifetime, 400s);
	EXPECT_EQ(maar.timers.initial_retransmission, 500ms);
	EXPECT_EQ(maar.timers.max_retransmission, 8s);
	EXPECT_EQ(maar.timers.max_retransmissions, 3u);
	EXPECT_DOUBLE_EQ(maar.timers.refresh_fraction, 0.5);
	EXPECT_EQ(maar.timers.timestamp_window, 1500ms);
	EXPECT_EQ(maar.access_interfaces, (std::vector<std::string>{"eth1", "wlan0"}));
	EXPECT_EQ(maar.prefix_length, 56);
	ASSERT_EQ(maar.local_prefixes.size(), 2u);
	EXPECT_EQ(maar.local_prefixes[1].to_string(), "2001:db8:f200::/48");
	EXPECT_TRUE(maar.legacy_mag);
	EXPECT_EQ(maar.cmd_mode, dmm::CmdMode::relay);
	EXPECT_EQ(maar.deregistration, dmm::Deregistration::b);
	EXPECT_EQ(maar.access_technology, mh::AccessTechnologyType::Ieee80211);
	EXPECT_EQ(maar.ra_interval, 10s);
	EXPECT_EQ(maar.router_lifetime, 600s);
	EXPECT_EQ(maar.prefix_valid_lifetime, 7200s);
	EXPECT_EQ(maar.prefix_preferred_lifetime, 3600s);
	EXPECT_EQ(maar.ra_mtu, 1400u);
	EXPECT_TRUE(maar.deprecated_router_low_preference);
	EXPECT_EQ(config.ra.initial_interval, 250ms);
	EXPECT_EQ(config.ra.initial_count, 2u);
	EXPECT_EQ(config.ra.min_solicited_interval, 1s);
	EXPECT_EQ(config.ra.interval, 10s);
}

TEST(Config, EveryCmdKey)
{
	const Config config = valid(R"([daemon]
role = "cmd"
[domain]
maars = ["2001:db8::1", "2001:db8::2"]
[signalling]
lifetime = 1000
[cmd]
address = "2001:db8::100"
mode = "locator"
deregistration = "b"
rfc8885 = false
legacy_status = 129
legacy_d_flag = "ignore"
relay_timeout = 2.5
[cmd.lma]
pool = "2001:db8:9000::/48"
prefix_length = 64
interface = "lma0"
)");
	ASSERT_TRUE(config.cmd);
	const dmm::CmdConfig &cmd = *config.cmd;
	EXPECT_EQ(cmd.address.to_string(), "2001:db8::100");
	EXPECT_EQ(cmd.mode, dmm::CmdMode::locator);
	EXPECT_EQ(cmd.deregistration, dmm::Deregistration::b);
	EXPECT_FALSE(cmd.rfc8885);
	EXPECT_EQ(cmd.legacy_status, 129);
	EXPECT_EQ(cmd.legacy_d_flag, dmm::LegacyDFlag::ignore);
	EXPECT_EQ(cmd.relay_timeout, 2500ms);
	EXPECT_EQ(cmd.timers.lifetime, 1000s);
	ASSERT_TRUE(cmd.lma);
	EXPECT_EQ(cmd.lma->pool.to_string(), "2001:db8:9000::/48");
	EXPECT_EQ(cmd.lma->interface, "lma0");
	EXPECT_EQ(cmd.domain.maars.size(), 2u);
}

TEST(Config, CmdDefaults)
{
	const Config config = valid(kCmd);
	EXPECT_EQ(config.role, Role::cmd);
	EXPECT_EQ(config.cmd->mode, dmm::CmdMode::proxy);
	EXPECT_EQ(config.cmd->deregistration, dmm::Deregistration::a);
	EXPECT_TRUE(config.cmd->rfc8885);
	EXPECT_EQ(config.cmd->legacy_status, 128);
	EXPECT_FALSE(config.cmd->lma);
}

// [[domain.maar]]: what each MAAR may claim (Documentation/security.rst).
const char *const kClaims = R"(
[[domain.maar]]
address = "2001:db8::1"
prefix_pool = "2001:db8:1000::/48"
local_prefixes = ["2001:db8:100::/56"]

[[domain.maar]]
address = "2001:db8::2"
prefix_pool = "2001:db8:2000::/48"

[[domain.maar]]
address = "2001:db8::3"
prefix_pool = "2001:db8:3000::/48"
prefix_length = 60
)";

std::string with_claims(const std::string &claims)
{
	return replaced(kMaar, "\n[maar]\n", claims + "\n[maar]\n");
}

TEST(Config, DomainClaims)
{
	const Config config = valid(with_claims(kClaims));
	const auto &claims = config.domain().claims;
	ASSERT_EQ(claims.size(), 3u);
	EXPECT_EQ(claims[0].local_prefixes.size(), 1u);
	EXPECT_EQ(claims[1].pool.to_string(), "2001:db8:2000::/48");
	EXPECT_EQ(claims[1].prefix_length, 64);
	EXPECT_EQ(claims[2].prefix_length, 60);
	ASSERT_NE(config.domain().claims_of(*Ipv6Address::from_string("2001:db8::3")), nullptr);
	// Without the tables: shape checks only.
	EXPECT_TRUE(valid(kMaar).domain().claims.empty());
}

TEST(ConfigErrors, DomainClaims)
{
	// All or none.
	EXPECT_EQ(error_of(with_claims("[[domain.maar]]\naddress = \"2001:db8::2\"\nprefix_pool = "
				       "\"2001:db8:2000::/48\"\n")),
		  "7:1: domain.maar: 2001:db8::1 has no [[domain.maar]] table (list every MAAR of domain.maars, or "
		  "none)");
	EXPECT_PRED2(starts_with,
		     error_of(with_claims(replaced(kClaims, "address = \"2001:db8::3\"", "address = \"2001:db8::9\""))),
		     "18:11: domain.maar.address: 2001:db8::9 is not one of domain.maars");
	EXPECT_PRED2(starts_with,
		     error_of(with_claims(replaced(kClaims, "2001:db8:3000::/48", "2001:db8:2000::/40"))),
		     "19:15: domain.maar.prefix_pool: 2001:db8:2000::/40 overlaps the pool 2001:db8:2000::/48 of "
		     "2001:db8::2");
	// This MAAR's own table must say what its [maar] section says.
	EXPECT_PRED2(starts_with,
		     error_of(with_claims(replaced(kClaims, "2001:db8:2000::/48", "2001:db8:2800::/48"))),
		     "23:11: maar: prefix_pool, prefix_length and local_prefixes must be those of this MAAR's "
		     "[[domain.maar]] table (2001:db8:2800::/48");
}

TEST(Config, AdmissionPolicyFile)
{
	const std::string path = ::testing::TempDir() + "dlif-nodes.allow";
	{
		std::ofstream out(path);
		out << "# the nodes\n02:00:00:00:00:02\n\n  02-00-00-00-00-01@dlif.example  # by MN-ID\n"
		       "02:00:00:00:00:02\n";
	}
	const Config config = valid(with(kMaar, "[maar.admission]\npolicy_file = \"" + path +
						  "\"\nmax_sessions = 100\nnew_sessions_per_second = 2.5\nburst = 4\n"));
	const dmm::Admission &admission = config.maar->admission;
	EXPECT_TRUE(admission.restricted);
	EXPECT_EQ(admission.macs.size(), 1u);	// listed twice, kept once
	EXPECT_EQ(admission.nais, std::vector<std::string>{"02-00-00-00-00-01@dlif.example"});
	EXPECT_EQ(admission.max_sessions, 100u);
	EXPECT_EQ(admission.rate, 2.5);
	EXPECT_EQ(admission.burst, 4u);
	EXPECT_FALSE(valid(kMaar).maar->admission.restricted);

	{
		std::ofstream out(path);
		out << "02:00:00:00:00:02\nnot-a-node\n";
	}
	auto refused = config_from_toml(with(kMaar, "[maar.admission]\npolicy_file = \"" + path + "\"\n"), "test.toml");
	ASSERT_FALSE(refused);
	EXPECT_EQ(refused.error().to_string(),
		  path + ":2:1: \"not-a-node\" is neither a MAC (02:00:00:00:00:01) nor an MN-ID (user@realm)");
	std::remove(path.c_str());
	EXPECT_PRED2(starts_with,
		     error_of(with(kMaar, "[maar.admission]\npolicy_file = \"" + path + "\"\n")),
		     "14:15: maar.admission.policy_file: cannot read \"" + path + "\"");
}

TEST(ConfigErrors, SyntaxErrorsComeFromTheParserWithTheirPlace)
{
	const std::string message = error_of("[daemon]\nrole = \"maar\n");
	EXPECT_EQ(message.substr(0, 2), "2:") << message;
	EXPECT_NE(error_of("[daemon\n").find("1:"), std::string::npos);
}

TEST(ConfigErrors, UnknownKeysWithSuggestions)
{
	EXPECT_EQ(error_of(replaced(kMaar, "prefix_pool =", "prefix_pol =")),
		  "12:1: unknown key \"prefix_pol\" in [maar] (did you mean \"prefix_pool\"?); known keys: address, cmd, "
		  "access_interfaces, prefix_pool, prefix_length, local_prefixes, legacy_mag, cmd_mode, deregistration, "
		  "access_technology, detach_after, release_idle_after, shared_dlifs, shared_dlif_linger, admission, ra, sessions, "
		  "discovery, home_lma");
	EXPECT_PRED2(starts_with, error_of(with(kMaar, "[signalling]\nlifetme = 10\n")),
		  "14:1: unknown key \"lifetme\" in [signalling] (did you mean \"lifetime\"?); k");
	EXPECT_PRED2(starts_with, error_of(with(kMaar, "[maar.ra]\nfoo = 1\n")), "14:1: unknown key \"foo\" in [maar.ra]");
	EXPECT_EQ(error_of(replaced(kMaar, "[daemon]\n", "[daemon]\nlog-level = \"info\"\n")).substr(0, 77),
		  "3:1: unknown key \"log-level\" in [daemon] (did you mean \"log_level\"?); known k");
}

TEST(ConfigErrors, UnknownSections)
{
	EXPECT_PRED2(starts_with, error_of(with(kMaar, "[signaling]\nlifetime = 10\n")),
		  "13:2: unknown key \"signaling\" at the top level (did you mean \"signalling\"?); known keys");
}

TEST(ConfigErrors, WrongTypes)
{
	EXPECT_EQ(error_of(replaced(kMaar, "role = \"maar\"", "role = 1")),
		  "3:8: daemon.role: expected a string, found an integer");
	EXPECT_EQ(error_of(replaced(kMaar, "access_interfaces = [\"eth1\"]", "access_interfaces = \"eth1\"")),
		  "11:21: maar.access_interfaces: expected an array of interface names, found a string");
	EXPECT_EQ(error_of(with(kMaar, "legacy_mag = \"yes\"\n")),
		  "13:14: maar.legacy_mag: expected a boolean (true or false), found a string");
	EXPECT_EQ(error_of(with(kMaar, "[signalling]\nlifetime = \"1h\"\n")),
		  "14:12: signalling.lifetime: expected a number, found a string");
	EXPECT_EQ(error_of(with(kMaar, "prefix_length = 64.5\n")),
		  "13:17: maar.prefix_length: expected an integer, found a floating-point number");
	EXPECT_EQ(error_of(replaced(kMaar, "maars = [\"2001:db8::1\", \"2001:db8::2\", \"2001:db8::3\"]", "maars = [1]")),
		  "6:10: domain.maars: expected an IPv6 address in a string, found an integer");
	EXPECT_EQ(error_of("maar = 3\n[daemon]\nrole = \"maar\"\n[domain]\nmaars = [\"2001:db8::1\"]\n"),
		  "1:8: maar: expected a table, found an integer");
}

TEST(ConfigErrors, BadAddressesAndPrefixes)
{
	EXPECT_EQ(error_of(replaced(kMaar, "cmd = \"2001:db8::100\"", "cmd = \"2001:db8::g\"")),
		  "10:7: maar.cmd: \"2001:db8::g\" is not an IPv6 address");
	EXPECT_EQ(error_of(replaced(kMaar, "cmd = \"2001:db8::100\"", "cmd = \"fe80::1\"")),
		  "10:7: maar.cmd: fe80::1 is link-local; a global (or unique local) address is needed");
	EXPECT_EQ(error_of(replaced(kMaar, "cmd = \"2001:db8::100\"", "cmd = \"ff02::1\"")),
		  "10:7: maar.cmd: ff02::1 is a multicast address");
	EXPECT_EQ(error_of(replaced(kMaar, "\"2001:db8::3\"]", "\"::\"]")),
		  "6:40: domain.maars: the unspecified address cannot be a node's address");
	EXPECT_EQ(error_of(replaced(kMaar, "\"2001:db8::3\"]", "\"2001:db8::1\"]")),
		  "6:40: domain.maars: 2001:db8::1 is listed twice (the order names the DLIFs: each MAAR once)");
	EXPECT_EQ(error_of(replaced(kMaar, "\"2001:db8:2000::/48\"", "\"2001:db8:2000::\"")),
		  "12:15: maar.prefix_pool: \"2001:db8:2000::\" is not an IPv6 prefix (ADDRESS/LENGTH, e.g. "
		  "2001:db8:1::/48)");
	EXPECT_EQ(error_of(replaced(kMaar, "\"2001:db8:2000::/48\"", "\"2001:db8:2000::/129\"")).substr(0, 62),
		  "12:15: maar.prefix_pool: \"2001:db8:2000::/129\" is not an IPv6 ");
	EXPECT_EQ(error_of(replaced(kMaar, "\"2001:db8:2000::/48\"", "\"2001:db8:2000::1/48\"")),
		  "12:15: maar.prefix_pool: \"2001:db8:2000::1/48\" has bits set past its length; did you mean "
		  "2001:db8:2000::/48?");
}

TEST(ConfigErrors, PoolsEmptyOrOverlapping)
{
	EXPECT_EQ(error_of(with(kMaar, "prefix_length = 40\n")),
		  "13:17: maar.prefix_pool: 2001:db8:2000::/48 is empty: it holds no /40 (maar.prefix_length)");
	EXPECT_EQ(error_of(with(kMaar, "local_prefixes = [\"2001:db8:2000:5::/64\"]\n")),
		  "13:19: maar.local_prefixes: 2001:db8:2000:5::/64 overlaps maar.prefix_pool 2001:db8:2000::/48");
	EXPECT_EQ(error_of(with(kMaar, "local_prefixes = [\"2001:db8:f000::/36\", \"2001:db8:f100::/48\"]\n")),
		  "13:41: maar.local_prefixes: 2001:db8:f100::/48 overlaps 2001:db8:f000::/36");
	EXPECT_EQ(error_of(with(kCmd, "[cmd.lma]\npool = \"2001:db8:9000::/64\"\nprefix_length = 48\ninterface = \"lma0\"\n")),
		  "11:17: cmd.lma.pool: 2001:db8:9000::/64 is empty: it holds no /48 (cmd.lma.prefix_length)");
}

TEST(ConfigErrors, OwnAddressMustBeInTheDomain)
{
	EXPECT_EQ(error_of(replaced(kMaar, "address = \"2001:db8::2\"", "address = \"2001:db8::9\"")),
		  "9:11: maar.address: 2001:db8::9 is not one of domain.maars (every MAAR of the domain, this one "
		  "included, in the same order everywhere)");
	EXPECT_EQ(error_of(replaced(kMaar, "cmd = \"2001:db8::100\"", "cmd = \"2001:db8::3\"")),
		  "10:7: maar.cmd: 2001:db8::3 is one of domain.maars; the CMD is not a MAAR");
	EXPECT_EQ(error_of(replaced(kCmd, "address = \"2001:db8::100\"", "address = \"2001:db8::2\"")),
		  "8:11: cmd.address: 2001:db8::2 is one of domain.maars; the CMD is not a MAAR");
}

TEST(ConfigErrors, MissingRequiredKeysAndSections)
{
	EXPECT_EQ(error_of(replaced(kMaar, "cmd = \"2001:db8::100\"\n", "")),
		  "8:1: maar: without maar.cmd (direct mode) a MAAR needs [maar.sessions], the session database "
		  "that names each node's anchors, e.g. endpoints = [\"http://192.0.2.1:2379\"]");
	EXPECT_EQ(error_of(replaced(kMaar, "role = \"maar\"\n", "")), "2:1: missing required key \"role\" in [daemon]");
	EXPECT_EQ(error_of(replaced(kMaar, "[daemon]\nrole = \"maar\"\n", "")),
		  "1:1: missing section [daemon] (it says role = \"cmd\" or \"maar\")");
	EXPECT_EQ(error_of(replaced(kMaar, "[domain]\nmaars = [\"2001:db8::1\", \"2001:db8::2\", \"2001:db8::3\"]\n", "")),
		  "3:8: missing section [domain] (domain.maars lists the MAARs)");
	EXPECT_EQ(error_of(replaced(kMaar, "maars = [\"2001:db8::1\", \"2001:db8::2\", \"2001:db8::3\"]", "maars = []")),
		  "6:9: domain.maars: the domain needs at least one MAAR");
	EXPECT_EQ(error_of(replaced(kMaar, "access_interfaces = [\"eth1\"]", "access_interfaces = []")),
		  "11:21: maar.access_interfaces: a MAAR needs at least one access interface");
	EXPECT_EQ(error_of(with(kCmd, "[cmd.lma]\npool = \"2001:db8:9000::/48\"\n")),
		  "9:1: missing required key \"interface\" in [cmd.lma]");
}

TEST(ConfigErrors, RoleSections)
{
	EXPECT_EQ(error_of(replaced(kCmd, "[cmd]\naddress = \"2001:db8::100\"\n", "")),
		  "2:8: role \"cmd\" needs a [cmd] section");
	EXPECT_EQ(error_of(with(kCmd, "[maar]\naddress = \"2001:db8::1\"\n")),
		  "9:1: section [maar] does not apply: [daemon] role is \"cmd\"");
	EXPECT_EQ(error_of(replaced(kMaar, "role = \"maar\"", "role = \"mar\"")),
		  "3:8: daemon.role: \"mar\" is not one of cmd, maar (did you mean \"maar\"?)");
}

TEST(ConfigErrors, ChoicesAndRanges)
{
	EXPECT_EQ(error_of(with(kCmd, "mode = \"proxi\"\n")),
		  "9:8: cmd.mode: \"proxi\" is not one of relay, locator, proxy (did you mean \"proxy\"?)");
	EXPECT_EQ(error_of(with(kCmd, "deregistration = \"c\"\n")),
		  "9:18: cmd.deregistration: \"c\" is not one of a, b (did you mean \"a\"?)");
	EXPECT_EQ(error_of(with(kCmd, "legacy_status = 12\n")),
		  "9:17: cmd.legacy_status: 12 is out of range (128..255)");
	EXPECT_EQ(error_of(with(kCmd, "legacy_d_flag = \"ignore\"\n")),
		  "9:17: cmd.legacy_d_flag = \"ignore\" serves D-flag PBUs as a plain LMA: it needs [cmd.lma]");
	EXPECT_EQ(error_of(with(kMaar, "[signalling]\nlifetime = 0\n")),
		  "14:12: signalling.lifetime: 0 s is out of range (4..262140 s)");
	EXPECT_EQ(error_of(with(kMaar, "[signalling]\nrefresh_fraction = 1\n")),
		  "14:20: signalling.refresh_fraction: 1 must lie strictly between 0 and 1");
	EXPECT_EQ(error_of(with(kMaar, "[signalling]\ninitial_retransmission = 10\nmax_retransmission = 5\n")),
		  "15:22: signalling.max_retransmission must not be below signalling.initial_retransmission");
	EXPECT_EQ(error_of(with(kMaar, "[maar.ra]\ninterval = 100\nrouter_lifetime = 50\n")),
		  "15:19: maar.ra.router_lifetime must be 0 or at least maar.ra.interval (RFC 4861 §6.2.1)");
	EXPECT_EQ(error_of(with(kMaar, "[maar.ra]\nprefix_valid_lifetime = 10\nprefix_preferred_lifetime = 20\n")),
		  "15:29: maar.ra.prefix_preferred_lifetime must not exceed maar.ra.prefix_valid_lifetime");
	EXPECT_EQ(error_of(with(kMaar, "[maar.ra]\nmtu = 1000\n")), "14:7: maar.ra.mtu: 1000 is out of range (1280..65535)");
	EXPECT_EQ(valid(with(kMaar, "detach_after = 90\n")).maar->detach_after, 90s);
	EXPECT_EQ(error_of(with(kMaar, "detach_after = 2\n")),
		  "13:16: maar.detach_after: 0 (off) or at least 5 s: a node answers probes only between its own "
		  "neighbour checks");
	EXPECT_EQ(error_of(replaced(kMaar, "[daemon]\n", "[daemon]\nlog_level = \"verbose\"\n")),
		  "3:13: daemon.log_level: \"verbose\" is not one of debug, info, notice, warning, error");
}

TEST(ConfigErrors, NamesAndPaths)
{
	EXPECT_EQ(error_of(replaced(kMaar, "[\"eth1\"]", "[\"eth1\", \"eth1\"]")),
		  "11:30: maar.access_interfaces: \"eth1\" is listed twice");
	EXPECT_EQ(error_of(replaced(kMaar, "[\"eth1\"]", "[\"a-very-long-interface-name\"]")),
		  "11:22: maar.access_interfaces: \"a-very-long-interface-name\" is not a valid interface name");
	EXPECT_EQ(error_of(replaced(kMaar, "[daemon]\n", "[daemon]\nstate_dir = \"var/lib\"\n")),
		  "3:13: daemon.state_dir: \"var/lib\" must be an absolute path");
	EXPECT_EQ(error_of(replaced(kMaar, "[daemon]\n", "[daemon]\ncontrol_socket = \"/" + std::string(120, 'x') + "\"\n")),
		  "3:18: daemon.control_socket: the path is too long (121 characters, at most 107)");
	EXPECT_EQ(error_of(replaced(kMaar, "[domain]\n", "[domain]\nrealm = \"a@b\"\n")),
		  "6:9: domain.realm: \"a@b\" is not a realm (no '@' or blanks)");
}

TEST(Config, StateSaveIntervalIsObsoleteNotAnError)
{
	// Files written for earlier dlifds still load; the daemon logs that
	// the key does nothing now.
	EXPECT_EQ(valid(replaced(kMaar, "[daemon]\n", "[daemon]\nstate_save_interval = 0.25\n")).obsolete_keys,
		  std::vector<std::string>{"daemon.state_save_interval"});
	EXPECT_TRUE(valid(kMaar).obsolete_keys.empty());
}

TEST(Config, ReconcileInterval)
{
	EXPECT_EQ(valid(kMaar).reconcile_interval, 30s);
	EXPECT_EQ(valid(replaced(kMaar, "[daemon]\n", "[daemon]\nreconcile_interval = 0\n")).reconcile_interval, 0s);
	EXPECT_EQ(error_of(replaced(kMaar, "[daemon]\n", "[daemon]\nreconcile_interval = 3601\n")),
		  "3:22: daemon.reconcile_interval: 3601 s is out of range (0..3600 s)");
	const Reload reload =
		plan_reload(valid(kMaar), valid(replaced(kMaar, "[daemon]\n", "[daemon]\nreconcile_interval = 5\n")));
	EXPECT_EQ(reload.changed, std::vector<std::string>{"daemon.reconcile_interval"});
	EXPECT_EQ(reload.applied.reconcile_interval, 5s);
}

TEST(Config, EtcdStore)
{
	EXPECT_EQ(valid(kCmd).store.backend, StoreConfig::Backend::sqlite);
	const Config config = valid(with(kCmd, "[store]\nbackend = \"etcd\"\n"
					       "endpoints = [\"http://[2001:db8::e]:2379/\", \"https://etcd.example:2379\"]\n"
					       "service_interface = \"core0\"\nlease_ttl = 3\n"));
	EXPECT_EQ(config.store.backend, StoreConfig::Backend::etcd);
	EXPECT_EQ(config.store.endpoints,
		  (std::vector<std::string>{"http://[2001:db8::e]:2379", "https://etcd.example:2379"}));
	EXPECT_EQ(config.store.prefix, "/dlif/cmd/");
	EXPECT_EQ(config.store.name, "");
	EXPECT_EQ(config.store.lease_ttl, 3s);
	EXPECT_EQ(config.store.request_timeout, 1s);
	EXPECT_EQ(config.store.service_interface, "core0");
	// Not at run time: a reload keeps the store it started with.
	const Reload reload = plan_reload(valid(kCmd), config);
	EXPECT_NE(std::find(reload.needs_restart.begin(), reload.needs_restart.end(), "store.backend"),
		  reload.needs_restart.end());
	EXPECT_EQ(reload.applied.store.backend, StoreConfig::Backend::sqlite);
}

// Direct mode: no CMD, a session database.
TEST(Config, DirectMode)
{
	const std::string direct = replaced(kMaar, "cmd = \"2001:db8::100\"\n", "") +
				   "[maar.sessions]\nendpoints = [\"http://[2001:db8::e]:2379/\"]\n";
	const Config config = valid(direct);
	ASSERT_TRUE(config.maar);
	EXPECT_TRUE(config.maar->direct);
	ASSERT_TRUE(config.sessions);
	EXPECT_EQ(config.sessions->endpoints, std::vector<std::string>{"http://[2001:db8::e]:2379"});
	EXPECT_EQ(config.sessions->prefix, "/dlif/sessions/");
	EXPECT_EQ(config.sessions->request_timeout, 1s);
	EXPECT_EQ(config.sessions->lease_ttl, 10s);
	EXPECT_FALSE(valid(kMaar).sessions);
	EXPECT_FALSE(valid(kMaar).maar->direct);
	const Config other = valid(direct + "prefix = \"/x/\"\nrequest_timeout = 0.5\n");
	EXPECT_EQ(other.sessions->prefix, "/x/");
	EXPECT_EQ(other.sessions->request_timeout, 500ms);
	EXPECT_EQ(config.maar->discovery, dmm::MaarConfig::Discovery::database);
	const Config query =
		valid(replaced(kMaar, "cmd = \"2001:db8::100\"\n", "discovery = \"query\"\n"));
	EXPECT_TRUE(query.maar->direct);
	EXPECT_EQ(query.maar->discovery, dmm::MaarConfig::Discovery::query);
	EXPECT_FALSE(query.sessions);
	// A CMD cannot be added or removed by a reload.
	const Reload reload = plan_reload(valid(kMaar), config);
	EXPECT_NE(std::find(reload.needs_restart.begin(), reload.needs_restart.end(), "maar.cmd"),
		  reload.needs_restart.end());
}

// [maar] release_idle_after: seconds, 0 (the default) off; for a MAAR
// with a CMD, which takes the release.
TEST(Config, ReleaseIdleAfter)
{
	EXPECT_EQ(valid(kMaar).maar->release_idle_after, 0s);
	EXPECT_EQ(valid(with(kMaar, "release_idle_after = 600\n")).maar->release_idle_after, 600s);
	EXPECT_EQ(valid(with(kMaar, "release_idle_after = 0\n")).maar->release_idle_after, 0s);
	EXPECT_EQ(error_of(with(kMaar, "release_idle_after = 2\n")), "13:22: maar.release_idle_after: 0 (off) or at least 5 s: traffic is sampled a few times in that time");
	EXPECT_EQ(error_of(with(kMaar, "release_idle_after = 700000\n")), "13:22: maar.release_idle_after: 700000 s is out of range (0..604800 s)");
	EXPECT_EQ(error_of(with(kMaar, "legacy_mag = true\nrelease_idle_after = 60\n")), "14:22: maar.release_idle_after does not apply to a plain MAG (legacy_mag)");
	// Direct mode too: the serving MAAR ends the idle anchors' bindings.
	EXPECT_EQ(valid(replaced(kMaar, "cmd = \"2001:db8::100\"\n", "discovery = \"query\"\n") +
			"release_idle_after = 60\n")
			  .maar->release_idle_after,
		  60s);
}

// [maar] shared_dlif_linger: seconds a shared netdevice without a node is
// kept, 60 by default, 0 to delete it with its last node.
TEST(Config, SharedDlifLinger)
{
	EXPECT_EQ(valid(kMaar).shared_dlif_linger, 60s);
	EXPECT_EQ(valid(with(kMaar, "shared_dlif_linger = 5\n")).shared_dlif_linger, 5s);
	EXPECT_EQ(valid(with(kMaar, "shared_dlif_linger = 0\n")).shared_dlif_linger, 0s);
	EXPECT_EQ(error_of(with(kMaar, "shared_dlif_linger = 90000\n")),
		  "13:22: maar.shared_dlif_linger: 90000 s is out of range (0..86400 s)");
}

TEST(ConfigErrors, DirectMode)
{
	const std::string direct = replaced(kMaar, "cmd = \"2001:db8::100\"\n", "");
	const std::string sessions = "[maar.sessions]\nendpoints = [\"http://192.0.2.1:2379\"]\n";
	EXPECT_EQ(error_of(with(kMaar, sessions)),
		  "13:1: maar.sessions: the session database is for direct mode, a MAAR without maar.cmd; this one "
		  "has a CMD");
	EXPECT_EQ(error_of(replaced(direct.c_str(), "[maar]\n", "[maar]\ncmd_mode = \"relay\"\n") + sessions),
		  "9:12: maar.cmd_mode applies to a MAAR with a CMD (maar.cmd); without one (direct mode) it has no "
		  "meaning");
	EXPECT_EQ(error_of(direct + "[maar.sessions]\nendpoints = []\n"),
		  "13:13: maar.sessions.endpoints: the etcd cluster's client URLs, e.g. [\"http://192.0.2.1:2379\"]");
	EXPECT_EQ(error_of(direct + "[maar.sessions]\nendpoints = [\"https://e:2379\"]\n"),
		  "13:14: maar.sessions.endpoints: \"https://e:2379\" is not an http:// URL (TLS is not supported "
		  "here yet)");
	EXPECT_EQ(error_of(direct + sessions + "prefix = \"dlif\"\n"),
		  "14:10: maar.sessions.prefix: \"dlif\" must start and end with '/', e.g. \"/dlif/sessions/\"");
	EXPECT_EQ(error_of(replaced(kMaar, "[maar]\n", "[maar]\ndiscovery = \"query\"\n")),
		  "9:13: maar.discovery applies to direct mode, a MAAR without maar.cmd; with a CMD, the CMD knows "
		  "each node's anchors");
	EXPECT_EQ(error_of(replaced(direct.c_str(), "[maar]\n", "[maar]\ndiscovery = \"query\"\n") + sessions),
		  "13:1: maar.sessions: discovery = \"query\" asks the other MAARs and keeps no session database; "
		  "remove [maar.sessions] or set discovery = \"database\"");
	EXPECT_EQ(error_of(direct + sessions + "lease = 3\n"),
		  "14:1: unknown key \"lease\" in [maar.sessions]; known keys: endpoints, prefix, request_timeout, "
		  "lease_ttl");
	EXPECT_EQ(error_of(direct + sessions + "lease_ttl = 3\nrequest_timeout = 2\n"),
		  "15:19: maar.sessions.request_timeout: 2s is more than a third of maar.sessions.lease_ttl (3s): the "
		  "records could expire while a renewal waits for etcd");
}

TEST(ConfigErrors, EtcdStore)
{
	const std::string etcd = "[store]\nbackend = \"etcd\"\nendpoints = [\"http://192.0.2.1:2379\"]\n";
	EXPECT_EQ(error_of(with(kCmd, etcd)),
		  "10:11: store.service_interface: backend \"etcd\" needs the interface on which the leader "
		  "holds the CMD's address (an interface name)");
	EXPECT_NE(error_of(with(kMaar, etcd + "service_interface = \"core0\"\n")).find("is for the cmd role"),
		  std::string::npos);
	EXPECT_NE(error_of(with(kCmd, "[store]\nbackend = \"etcd\"\nservice_interface = \"core0\"\n"))
			  .find("store.endpoints: backend \"etcd\" needs the cluster's client URLs"),
		  std::string::npos);
	EXPECT_NE(error_of(with(kCmd, "[store]\nbackend = \"etcd\"\nendpoints = [\"192.0.2.1:2379\"]\n"
				      "service_interface = \"core0\"\n"))
			  .find("is not an http:// or https:// URL"),
		  std::string::npos);
	EXPECT_NE(error_of(with(kCmd, etcd + "service_interface = \"core0\"\nlease_ttl = 2\nrequest_timeout = 1\n"))
			  .find("store.request_timeout: 1s is more than a third of store.lease_ttl (2s)"),
		  std::string::npos);
	// An etcd lease has whole seconds only.
	EXPECT_NE(error_of(with(kCmd, etcd + "service_interface = \"core0\"\nlease_ttl = 2.5\n"))
			  .find("store.lease_ttl: expected an integer"),
		  std::string::npos);
	EXPECT_NE(error_of(with(kCmd, etcd + "service_interface = \"core0\"\nlease_ttl = 61\n"))
			  .find("store.lease_ttl: 61 is out of range (2..60)"),
		  std::string::npos);
	EXPECT_NE(error_of(with(kCmd, etcd + "service_interface = \"core0\"\nprefix = \"dlif\"\n"))
			  .find("must start and end with '/'"),
		  std::string::npos);
	EXPECT_NE(error_of(with(kCmd, "[store]\nname = \"a\"\n")).find("store.name applies to backend \"etcd\" only"),
		  std::string::npos);
	EXPECT_NE(error_of(with(kCmd, "[store]\nbackend = \"zookeeper\"\n")).find("is not one of"),
		  std::string::npos);
}

// store.ca_file, cert_file, key_file: TLS toward an https:// cluster.
TEST(Config, EtcdStoreOverTls)
{
	const std::string directory = testing::TempDir();
	const std::string ca = directory + "dlif-config-ca.pem";
	const std::string cert = directory + "dlif-config-cert.pem";
	const std::string key = directory + "dlif-config-key.pem";
	for (const auto &file : {ca, cert, key})
		std::ofstream(file) << "PEM\n";
	const std::string https = "[store]\nbackend = \"etcd\"\nendpoints = [\"https://192.0.2.1:2379\"]\n"
				  "service_interface = \"core0\"\n";
	const Config config = valid(with(kCmd, https + "ca_file = \"" + ca + "\"\ncert_file = \"" + cert +
						 "\"\nkey_file = \"" + key + "\"\n"));
	EXPECT_EQ(config.store.ca_file, ca);
	EXPECT_EQ(config.store.cert_file, cert);
	EXPECT_EQ(config.store.key_file, key);
	// The system's CAs, no client certificate: none of them needed.
	EXPECT_EQ(valid(with(kCmd, https)).store.ca_file, "");

	EXPECT_NE(error_of(with(kCmd, https + "cert_file = \"" + cert + "\"\n"))
			  .find("store.cert_file: store.cert_file and store.key_file go together"),
		  std::string::npos);
	EXPECT_NE(error_of(with(kCmd, https + "ca_file = \"/nonexistent/ca.pem\"\n"))
			  .find("store.ca_file: cannot read \"/nonexistent/ca.pem\": No such file or directory"),
		  std::string::npos);
	EXPECT_NE(error_of(with(kCmd, https + "ca_file = \"ca.pem\"\n")).find("must be an absolute path"),
		  std::string::npos);
	EXPECT_NE(error_of(with(kCmd, "[store]\nbackend = \"etcd\"\nendpoints = [\"http://192.0.2.1:2379\"]\n"
				      "service_interface = \"core0\"\nca_file = \"" + ca + "\"\n"))
			  .find("every store.endpoints URL is http://"),
		  std::string::npos);
	EXPECT_NE(error_of(with(kCmd, "[store]\nca_file = \"" + ca + "\"\n"))
			  .find("store.ca_file applies to backend \"etcd\" only"),
		  std::string::npos);
}

TEST(ConfigErrors, FileThatCannotBeRead)
{
	auto config = load_config("/nonexistent/dlifd.toml");
	ASSERT_FALSE(config);
	EXPECT_EQ(config.error().to_string(),
		  "/nonexistent/dlifd.toml: cannot read the configuration: No such file or directory");
}

TEST(ConfigReload, LogLevelAndRaParametersApplyTheRestWaits)
{
	const Config running = valid(kMaar);
	const std::string next_text =
		replaced(replaced(kMaar, "[daemon]\n", "[daemon]\nlog_level = \"debug\"\n").c_str(), "prefix_pool = \"2001:db8:2000::/48\"",
			 "prefix_pool = \"2001:db8:3000::/48\"\n[maar.ra]\ninterval = 10\nmtu = 1400\n");
	const Config next = valid(next_text);
	const Reload reload = plan_reload(running, next);
	EXPECT_EQ(reload.changed, (std::vector<std::string>{"daemon.log_level", "maar.ra.interval", "maar.ra.mtu"}));
	EXPECT_EQ(reload.needs_restart, std::vector<std::string>{"maar.prefix_pool"});
	EXPECT_EQ(reload.applied.log_level, dmm::LogLevel::debug);
	EXPECT_EQ(reload.applied.maar->ra_interval, 10s);
	EXPECT_EQ(reload.applied.ra.interval, 10s);
	EXPECT_EQ(reload.applied.maar->ra_mtu, 1400u);
	EXPECT_EQ(reload.applied.maar->prefix_pool.to_string(), "2001:db8:2000::/48");
}

TEST(ConfigReload, ARoleChangeNeedsARestart)
{
	const Reload reload = plan_reload(valid(kMaar), valid(kCmd));
	EXPECT_TRUE(reload.changed.empty());
	EXPECT_FALSE(reload.needs_restart.empty());
	EXPECT_EQ(reload.needs_restart.front(), "daemon.role");
	EXPECT_EQ(reload.applied.role, Role::maar);
}

TEST(ConfigReload, NothingChanged)
{
	const Reload reload = plan_reload(valid(kCmd), valid(kCmd));
	EXPECT_TRUE(reload.changed.empty());
	EXPECT_TRUE(reload.needs_restart.empty());
}

TEST(ConfigDescribe, ListsEveryKeyOnce)
{
	const auto settings = describe(valid(kMaar));
	EXPECT_EQ(settings.front(), (std::pair<std::string, std::string>{"daemon.role", "maar"}));
	std::set<std::string> keys;
	for (const auto &[key, value] : settings)
		EXPECT_TRUE(keys.insert(key).second) << key;
	EXPECT_TRUE(keys.contains("maar.ra.min_solicited_interval"));
	EXPECT_TRUE(keys.contains("signalling.timestamp_window"));
}

} // namespace
} // namespace dlif::daemon

namespace dlif::daemon {
namespace {

// Inter-domain continuity (seed 004 §5): the CMD as home LMA, a
// direct-mode MAAR's home LMAs and its policy file's home MN-IDs.
TEST(Config, Roaming)
{
	const Config cmd = valid(with(kCmd, "[cmd.roaming]\nvisited = [\"2001:db8:b::3\"]\nrule_priority = 200\n"));
	ASSERT_TRUE(cmd.cmd->roaming);
	EXPECT_EQ(cmd.cmd->roaming->visited, std::vector<Ipv6Address>{*Ipv6Address::from_string("2001:db8:b::3")});
	EXPECT_EQ(cmd.cmd->roaming->table_base, 10000u);
	EXPECT_EQ(cmd.cmd->roaming->rule_priority, 200u);
	EXPECT_FALSE(valid(kCmd).cmd->roaming);

	const std::string path = ::testing::TempDir() + "dlif-visitors.allow";
	{
		std::ofstream out(path);
		out << "02:00:00:00:00:01   02-00-00-00-00-01@home.example # a visitor\n02:00:00:00:00:02\n";
	}
	const std::string direct = replaced(kMaar, "cmd = \"2001:db8::100\"\n", "discovery = \"query\"\n") +
				   "[[maar.home_lma]]\nrealm = \"home.example\"\naddress = \"2001:db8:a::100\"\n"
				   "prefixes = [\"2001:db8:a000::/36\", \"2001:db8:c000::/40\"]\n[maar.admission]\npolicy_file = \"" + path + "\"\n";
	const Config maar = valid(direct);
	ASSERT_EQ(maar.maar->home_lmas.size(), 1u);
	EXPECT_EQ(maar.maar->home_lmas[0].realm, "home.example");
	EXPECT_EQ(maar.maar->home_lmas[0].address, *Ipv6Address::from_string("2001:db8:a::100"));
	ASSERT_EQ(maar.maar->home_lmas[0].prefixes.size(), 2u);
	EXPECT_EQ(maar.maar->home_lmas[0].prefixes[1].to_string(), "2001:db8:c000::/40");
	EXPECT_EQ(maar.maar->home_lmas[0].prefix_length, 64);
	const auto &identities = maar.maar->admission.identities;
	ASSERT_EQ(identities.size(), 1u);
	EXPECT_EQ(identities[0].first.to_string(), "02:00:00:00:00:01");
	EXPECT_EQ(identities[0].second, "02-00-00-00-00-01@home.example");
	EXPECT_EQ(maar.maar->admission.macs.size(), 2u);

	{
		std::ofstream out(path);
		out << "02:00:00:00:00:01 a@home.example\n02:00:00:00:00:01 b@home.example\n";
	}
	auto twice = config_from_toml(direct, "test.toml");
	ASSERT_FALSE(twice);
	EXPECT_EQ(twice.error().to_string(), path + ":2:1: 02:00:00:00:00:01 has two MN-IDs: \"a@home.example\" and "
						    "\"b@home.example\"");
	{
		std::ofstream out(path);
		out << "02:00:00:00:00:01 nobody\n";
	}
	auto bad = config_from_toml(direct, "test.toml");
	ASSERT_FALSE(bad);
	EXPECT_EQ(bad.error().to_string(),
		  path + ":1:1: \"02:00:00:00:00:01 nobody\" is not \"MAC MN-ID\" (02:00:00:00:00:01 user@realm)");
	std::remove(path.c_str());
}

TEST(ConfigErrors, Roaming)
{
	EXPECT_EQ(error_of(with(kCmd, "[cmd.roaming]\nvisited = [\"2001:db8::2\"]\n")),
		  "10:12: cmd.roaming.visited: 2001:db8::2 is this domain's own; a visited MAAR belongs to a partner "
		  "domain");
	EXPECT_EQ(error_of(with(kCmd, "[cmd.roaming]\nvisited = []\n")),
		  "10:11: cmd.roaming.visited: name at least one visited MAAR");
	EXPECT_EQ(error_of(replaced(kCmd, "address = \"2001:db8::100\"\n",
				    "address = \"2001:db8::100\"\nmode = \"locator\"\n") +
			   "[cmd.roaming]\nvisited = [\"2001:db8:b::3\"]\n"),
		  "11:11: cmd.roaming needs cmd.mode \"proxy\" or \"relay\": in locator mode previous MAARs answer the "
		  "serving MAAR directly, which a visited MAAR never hears from");
	const std::string lma = "[[maar.home_lma]]\nrealm = \"home.example\"\naddress = \"2001:db8:a::100\"\n"
				"prefixes = [\"2001:db8:a000::/36\"]\n";
	EXPECT_EQ(error_of(with(kMaar, lma)),
		  "13:1: maar.home_lma applies to direct mode: with a CMD, roaming partners are the CMD's business");
	const std::string direct = replaced(kMaar, "cmd = \"2001:db8::100\"\n", "discovery = \"query\"\n");
	EXPECT_EQ(error_of(with(direct.c_str(), replaced(lma.c_str(), "home.example", "dlif.example"))),
		  "14:9: maar.home_lma.realm: \"dlif.example\" is this domain's own realm (domain.realm)");
	EXPECT_EQ(error_of(with(direct.c_str(), replaced(lma.c_str(), "2001:db8:a000::/36", "2001:db8:2000::/36"))),
		  "16:13: maar.home_lma.prefixes: 2001:db8:2000::/36 overlaps maar.prefix_pool 2001:db8:2000::/48");
	EXPECT_EQ(error_of(with(direct.c_str(), lma + lma)),
		  "18:9: maar.home_lma.realm: \"home.example\" has two [[maar.home_lma]] tables");
}

} // namespace
} // namespace dlif::daemon
