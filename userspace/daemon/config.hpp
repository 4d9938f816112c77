// SPDX-License-Identifier: GPL-2.0
//
// dlifd's configuration file (TOML, read with toml++), validated as a
// whole before anything starts: every mistake (unknown or misspelt key,
// wrong type, bad address or prefix, empty or overlapping pool, own
// address missing from the domain, missing key or section) is reported as
// "FILE:LINE:COLUMN: problem". Pure: config_from_toml() reads only its
// text; load_config() adds the file read. The keys are documented in
// Documentation/admin-guide.rst and contrib/dlifd/*.toml.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dlif/dmm/config.hpp"
#include "dlif/dmm/io.hpp"
#include "dlif/mh/result.hpp"

namespace dlif::daemon {

enum class Role : std::uint8_t { cmd, maar };
std::string_view name(Role role) noexcept;

std::string_view name(dmm::LogLevel level) noexcept;
std::optional<dmm::LogLevel> log_level_from(std::string_view text) noexcept;

// The RA engine's own timing (the daemon's, not the core's): RFC 4861
// §6.2.4 initial advertisements, shortened because they are unicast, and
// how often a solicitation is answered at most.
struct RaTiming {
	dmm::Duration initial_interval{500};
	unsigned initial_count = 3;		// MAX_INITIAL_RTR_ADVERTISEMENTS
	dmm::Duration min_solicited_interval{500};
	dmm::Duration interval{30000};		// = MaarConfig::ra_interval

	friend bool operator==(const RaTiming &, const RaTiming &) = default;
};

// [store]: where the state is kept. SQLite (state_db.hpp) in state_dir by
// default; etcd (etcd_store.hpp) for several CMD instances of which the
// leader answers and holds the CMD's address on service_interface.
struct StoreConfig {
	enum class Backend { sqlite, etcd };
	Backend backend = Backend::sqlite;
	std::vector<std::string> endpoints;	// http://HOST:PORT each
	std::string prefix = "/dlif/cmd/";
	std::string name;			// this instance; empty: the host name
	dmm::Duration lease_ttl{5000};
	dmm::Duration request_timeout{1000};
	std::string service_interface;
	// TLS toward https:// endpoints, PEM files: the cluster's CA (empty:
	// the system's), this instance's certificate and key (empty: none).
	std::string ca_file;
	std::string cert_file;
	std::string key_file;

	friend bool operator==(const StoreConfig &, const StoreConfig &) = default;
};

// [maar.sessions]: direct mode's session database on etcd
// (session_directory.hpp). Present exactly when [maar] names no CMD.
struct SessionDirectoryConfig {
	std::vector<std::string> endpoints;	// http://HOST:PORT each
	std::string prefix = "/dlif/sessions/";
	dmm::Duration request_timeout{1000};
	// The records live on a lease of this MAAR's, renewed while dlifd
	// runs: a MAAR gone for this long leaves no records behind.
	dmm::Duration lease_ttl{10000};

	friend bool operator==(const SessionDirectoryConfig &, const SessionDirectoryConfig &) = default;
};

struct Config {
	std::string file;			// where it was read from
	Role role = Role::maar;
	dmm::LogLevel log_level = dmm::LogLevel::info;
	std::string control_socket = "/run/dlifd/dlifd.sock";
	std::string state_dir = "/var/lib/dlifd";
	// Keys the file sets that no longer do anything (the daemon says so
	// in its log): daemon.state_save_interval, since every change is
	// committed to the state database before the messages it causes.
	std::vector<std::string> obsolete_keys;
	// How often the kernel is compared with what dlifd installed, and
	// what changed behind its back put back (Executor::repair); 0: never.
	dmm::Duration reconcile_interval{30000};
	StoreConfig store;
	std::optional<dmm::CmdConfig> cmd;	// role cmd
	std::optional<dmm::MaarConfig> maar;	// role maar
	std::optional<SessionDirectoryConfig> sessions;	// role maar, direct mode
	RaTiming ra;				// role maar
	// [maar] shared_dlifs: one DLIF netdevice per (access interface,
	// anchoring MAAR) for all its nodes (shared_dlifs.hpp) instead of one
	// per (node, anchoring MAAR). Not changed by a reload.
	bool shared_dlifs = false;		// role maar
	// [maar] shared_dlif_linger: how long a shared netdevice its last
	// node left is kept for the next (0: deleted with its last node).
	dmm::Duration shared_dlif_linger{60000};	// role maar
	// [security]: refuse to start unless IPsec policies require ESP for
	// the Mobility Header with every peer (ipsec.hpp).
	bool require_ipsec = false;

	const dmm::Domain &domain() const { return cmd ? cmd->domain : maar->domain; }
	const Ipv6Address &address() const { return cmd ? cmd->address : maar->address; }
};

struct ConfigError {
	std::string file;
	unsigned line = 0;	// 0: not about a place in the file (it cannot be read)
	unsigned column = 0;
	std::string message;

	// "FILE:LINE:COLUMN: message", or "FILE: message" without a place.
	std::string to_string() const;
	friend bool operator==(const ConfigError &, const ConfigError &) = default;
};

mh::Result<Config, ConfigError> config_from_toml(std::string_view text, std::string_view filename);
mh::Result<Config, ConfigError> load_config(const std::string &path);

// Every setting as "section.key" and its value as text, in file order:
// what --check prints and what a reload compares.
std::vector<std::pair<std::string, std::string>> describe(const Config &config);

// SIGHUP: the settings that may change in a running daemon (the log level
// and the Router Advertisement parameters) are taken from `next`; the
// keys of every other setting that differs are returned (they need a
// restart and keep their running values).
struct Reload {
	Config applied;
	std::vector<std::string> needs_restart;
	std::vector<std::string> changed;	// applied
};
Reload plan_reload(const Config &running, const Config &next);

} // namespace dlif::daemon
