// SPDX-License-Identifier: GPL-2.0
//
// The configuration of the protocol cores, as plain values. The daemon
// loads it from the TOML file (daemon/config.cpp), validates it there and
// reports errors with the file, line and problem; the cores trust it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dlif/dmm/types.hpp"

namespace dlif::dmm {

// RFC 5213 §5.5: how PBUs are ordered.
enum class Ordering : std::uint8_t { sequence_number, timestamp };

// RFC 6275 §11.8 / RFC 5213 §6.9.4 retransmission, and lifetimes.
struct SignallingTimers {
	Duration initial_retransmission{1500};	// InitialBindackTimeoutFirstReg
	Duration max_retransmission{32000};	// MAX_BINDACK_TIMEOUT
	unsigned max_retransmissions = 5;	// then the exchange fails
	Duration lifetime{3600000};		// requested by MAARs, granted at most by the CMD
	// A serving MAAR refreshes its binding this far into the lifetime.
	double refresh_fraction = 0.8;
	// RFC 5213 TimestampValidityWindow.
	Duration timestamp_window{300};
};

// What one MAAR of the domain may claim in signalling ([[domain.maar]]):
// the pool its nodes' prefixes come from and the local networks it may
// announce. Every node of the domain knows every MAAR's (claims.hpp).
struct MaarClaims {
	Ipv6Prefix pool;
	std::uint8_t prefix_length = 64;
	std::vector<Ipv6Prefix> local_prefixes;
};

// The MAARs of a domain, in an order every node shares: the position of a
// MAAR (from 1) names its DLIFs ("mn<N>mar<K>").
struct Domain {
	std::vector<Ipv6Address> maars;
	std::string realm = "dlif.example";	// NAI realm of MAC-derived MN-IDs
	// Parallel to `maars` when the configuration lists each MAAR's claims;
	// empty: claims are checked for their shape only.
	std::vector<MaarClaims> claims;
	// The length of every node's prefix where `claims` does not say.
	std::uint8_t prefix_length = 64;

	const MaarClaims *claims_of(const Ipv6Address &maar) const noexcept;
};

// RFC 8885 §3.2-3.4.
enum class CmdMode : std::uint8_t { relay, locator, proxy };

// RFC 8885 §3.5: A = a P-MAAR stops its BCE timer on the CMD's PBU with a
// Serving MAAR option (default); B = P-MAARs de-register on expiry and the
// CMD renews them while the node is attached elsewhere.
enum class Deregistration : std::uint8_t { a, b };

// An RFC 5213 LMA for plain MAGs (PBUs without the D flag): a binding, a
// prefix from `pool`, and the anchor role of the kernel table through a
// DLIF per node on `interface` (a dummy device).
struct LmaConfig {
	Ipv6Prefix pool;
	std::uint8_t prefix_length = 64;
	std::string interface;
};

// What a CMD without RFC 8885 support (rfc8885 = false) does with a PBU
// carrying the D flag. refuse: R27 as written, an error PBA with
// `legacy_status` and no state. ignore: what a deployed RFC 5213 LMA
// does, since the D bit is a reserved bit to it: serve the PBU as a plain
// MAG's (needs `lma`), status 0, no D in the PBA, options 65-70 ignored.
enum class LegacyDFlag : std::uint8_t { refuse, ignore };

// Inter-domain session continuity (seed 004 §5, R112-R116): the CMD is
// also its domain's home LMA for nodes that roam into other operators'
// domains. A PBU from one of `visited` (a MAAR of a partner domain)
// makes the CMD the node's serving node towards the MAARs anchoring its
// prefixes here, and their anchor towards the visited MAAR; the kernel
// relays each prefix between the two tunnels (InstallRelay): its uplink
// through routing table `table_base` + K (K: the anchor's position in
// domain.maars, from 1), selected by a rule at `rule_priority`.
struct RoamingConfig {
	std::vector<Ipv6Address> visited;
	std::uint32_t table_base = 10000;
	std::uint32_t rule_priority = 100;
};

struct CmdConfig {
	Ipv6Address address;
	CmdMode mode = CmdMode::proxy;
	Deregistration deregistration = Deregistration::a;
	Ordering ordering = Ordering::sequence_number;
	SignallingTimers timers;
	Domain domain;				// the MAARs it accepts PBUs from
	// RFC 8885 support. false: a legacy LMA (R27): a PBU with the D flag is
	// refused with `legacy_status` and leaves no state.
	bool rfc8885 = true;
	std::uint8_t legacy_status = 128;	// Reason unspecified
	// Relay mode (R58): send the PBA with the Previous MAAR options
	// collected so far after this long (0: wait for every P-MAAR).
	Duration relay_timeout{0};
	std::optional<LmaConfig> lma;
	LegacyDFlag legacy_d_flag = LegacyDFlag::refuse;
	// At most this many PBUs to one MAAR unanswered at a time; the rest
	// wait their turn (0: no limit). A MAAR that many handovers leave at
	// once then gets the updates as fast as it answers them, instead of
	// all at once and again as retransmissions.
	unsigned previous_maar_window = 64;
	std::optional<RoamingConfig> roaming;
};

// A visited MAAR's view of a partner domain (seed 004 §5): nodes whose
// MN-ID is of `realm` keep their home prefixes through the home LMA at
// `address`, which may claim prefixes of `prefix_length` inside
// `prefixes` (the home domain's blocks) for them.
struct HomeLma {
	std::string realm;
	Ipv6Address address;
	std::vector<Ipv6Prefix> prefixes;
	std::uint8_t prefix_length = 64;
};

// Who may attach at a MAAR (R11, the RFC 5213 policy store) and how many
// sessions it holds: a flood of Router Solicitations from made-up MACs
// must neither exhaust the pool nor grow memory without bound.
struct Admission {
	// false: any node. true: only the MACs and MN-IDs (NAIs) listed
	// (sorted, from the policy file the daemon reads).
	bool restricted = false;
	std::string policy_file;		// where the lists came from (for logs)
	std::vector<MacAddress> macs;
	std::vector<std::string> nais;
	// MN-IDs the policy file gives (a line "MAC NAI"), sorted by MAC: a
	// node from another domain is known by its home NAI, not the one this
	// domain would derive from its MAC.
	std::vector<std::pair<MacAddress, std::string>> identities;
	std::size_t max_sessions = 0;		// 0: the pool is the limit
	// Token bucket for new sessions: `rate` per second, `burst` at once
	// (rate 0: no limit).
	double rate = 0;
	unsigned burst = 32;
};

struct MaarConfig {
	Ipv6Address address;			// global, on the core; PBUs come from it
	Ipv6Address cmd;
	SignallingTimers timers;
	Ordering ordering = Ordering::sequence_number;
	Deregistration deregistration = Deregistration::a;
	Domain domain;				// must list `address`
	std::vector<std::string> access_interfaces;
	Ipv6Prefix prefix_pool;			// exclusive to this MAAR (R12)
	std::uint8_t prefix_length = 64;
	std::vector<Ipv6Prefix> local_prefixes;	// networks reachable only here (R204)
	// Plain RFC 5213 MAG on the wire: P flag only, no D, no options 65-70.
	bool legacy_mag = false;
	// Router Advertisements (RFC 4861 §6.2.1 defaults, lifetimes for PIOs).
	Duration ra_interval{30000};
	Duration router_lifetime{1800000};
	Duration prefix_valid_lifetime{3600000};
	Duration prefix_preferred_lifetime{1800000};
	std::optional<std::uint32_t> ra_mtu;
	// Advertise other MAARs' DLIFs with a low router preference (004's option).
	bool deprecated_router_low_preference = false;
	// The mode of the domain's CMD: in locator mode a previous MAAR also
	// answers the CMD's PBU with a PBA straight to the serving MAAR
	// (RFC 8885 §3.3). Must match CmdConfig::mode.
	CmdMode cmd_mode = CmdMode::proxy;
	// Direct mode: no CMD (`cmd` unused). The node's anchors come from the
	// domain's session database (LookupSessions); this MAAR signals each
	// of them itself, refreshes them and ends their bindings.
	bool direct = false;
	// How a direct-mode MAAR learns a node's anchors: from the session
	// database, or by asking every other MAAR of the domain (a PBU to
	// each; one holding nothing for the node answers 133).
	enum class Discovery : std::uint8_t { database, query };
	Discovery discovery = Discovery::database;
	// Direct mode: the home LMAs of nodes from partner domains. Each is
	// signalled like one more anchor of such a node (seed 004 §5).
	std::vector<HomeLma> home_lmas;
	// Access Technology Type option of the PBUs (RFC 5213 §8.5).
	mh::AccessTechnologyType access_technology = mh::AccessTechnologyType::Ieee8023;
	Admission admission;
	// A node heard from on none of its DLIFs for this long is probed with
	// Neighbor Solicitations and, silent, taken as detached (the daemon's
	// liveness check; 0: only layer-2 detach events count). On by default:
	// without it a flood of made-up MACs holds the pool for ever.
	Duration detach_after{60000};
	// A previous MAAR whose prefixes carried no packet through this
	// MAAR (the serving entries' counters) for this long is released:
	// named in a refresh to the CMD, which de-registers that part of the
	// session at the anchor (A14). 0: kept for the session's life.
	Duration release_idle_after{0};
};

} // namespace dlif::dmm
