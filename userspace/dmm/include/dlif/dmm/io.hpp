// SPDX-License-Identifier: GPL-2.0
//
// What flows into and out of the pure protocol cores of dlifd. A core is a
// state machine: (state, event, now) -> (state, actions). It never does
// I/O, never reads a clock, never throws; the daemon (daemon/) turns
// sockets, timers, signals and the control socket into Events and carries
// out the Actions (raw IPPROTO_MH sockets, the dlif generic netlink family,
// rtnetlink, the Router Advertisement engine, the state file).
//
// A message's way through the daemon reads in one direction:
//   socket -> codec -> core.handle(event) -> actions -> netlink / socket
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "dlif/dmm/types.hpp"
#include "dlif/mh/message.hpp"

namespace dlif::dmm {

// ------------------------------------------------------------------ events

// A Mobility Header that parsed, from `source` to `destination` (one of
// this node's addresses). Messages that do not parse are counted by the
// daemon and never reach a core.
struct MhReceived {
	Ipv6Address source;
	Ipv6Address destination;
	mh::Message message;
};

// A mobile node appeared on an access interface: a Router Solicitation
// from a MAC with no DLIF there, or `dlifctl attach` (a layer-2 event
// from an access point).
struct MnAttached {
	MacAddress mn;
	std::string access_interface;
};

// A layer-2 detachment (`dlifctl detach`). RFC 8885 §3.5: never a
// de-registration by itself; the serving MAAR stops refreshing and the
// binding de-registers when its lifetime runs out, unless the node shows
// up again first.
struct MnDetached {
	MacAddress mn;
};

using TimerId = std::uint64_t;

struct TimerFired {
	TimerId id;
};

// Direct mode (a MAAR without a CMD, seeds 002 and 004): what one MAAR
// holds for a node, as the domain's session database keeps it. The MAAR
// writes it when it allocates the node's prefixes and removes it when it
// releases them; a MAAR where the node attaches reads every MAAR's record
// of the node to learn its anchors (Documentation/design.rst).
struct SessionRecord {
	Ipv6Address maar;
	std::vector<Ipv6Prefix> prefixes;
	DlifIdentity identity;
	std::vector<Ipv6Prefix> local_prefixes;

	friend bool operator==(const SessionRecord &, const SessionRecord &) = default;
};

// The answer to LookupSessions: every record of the node (this MAAR's
// own included), or why the database could not be read.
struct SessionsFound {
	std::string mn;
	std::vector<SessionRecord> records;
	std::optional<std::string> error;
};

// What this MAAR's serving entries (a previous MAAR's prefix tunnelled
// here) have carried: per prefix, the packets encapsulated plus those
// decapsulated since the entry was made. The daemon samples the kernel's
// counters every so often when [maar] release_idle_after is set; only a
// change of a value means traffic.
struct TrafficSampled {
	std::vector<std::pair<Ipv6Prefix, std::uint64_t>> serving_packets;
};

using Event = std::variant<MhReceived, MnAttached, MnDetached, TimerFired, SessionsFound, TrafficSampled>;

// ----------------------------------------------------------------- actions

// Send a Mobility Header from this node's configured address.
struct SendMh {
	Ipv6Address destination;
	mh::Message message;
};

// Start (or restart) the timer `id`; it fires once, `after` from the now
// of the event that asked for it.
struct StartTimer {
	TimerId id;
	Duration after;
};

struct StopTimer {
	TimerId id;
};

enum class RouterPreference : std::uint8_t { low, medium, high };

// One Prefix Information Option (RFC 4861 §4.6.2; L and A set).
struct RaPrefix {
	Ipv6Prefix prefix;
	Duration valid_lifetime;
	Duration preferred_lifetime;	// 0: deprecated, still valid (RFC 8885 §3.6)

	friend bool operator==(const RaPrefix &, const RaPrefix &) = default;
};

// One Route Information Option (RFC 4191 §2.3): a Local Prefix reachable
// through the router this DLIF represents.
struct RaRoute {
	Ipv6Prefix prefix;
	Duration lifetime;
	RouterPreference preference = RouterPreference::medium;

	friend bool operator==(const RaRoute &, const RaRoute &) = default;
};

// What a DLIF advertises to its node, unicast, on the node's RS and
// periodically (the daemon's RA engine repeats it until told otherwise).
struct RaPlan {
	Duration router_lifetime;
	RouterPreference preference = RouterPreference::medium;
	std::vector<RaPrefix> prefixes;
	std::vector<RaRoute> routes;
	std::optional<std::uint32_t> mtu;

	friend bool operator==(const RaPlan &, const RaPlan &) = default;
};

// Create a DLIF, or bring an existing one with this name to this state
// (idempotent: a restarted MAAR re-issues it for what it finds). The
// daemon creates it on `lower` with identity.mac, binds it to `mn`,
// disables address autoconfiguration on it, adds identity.link_local
// and one router address per prefix (without DAD), and starts the RA
// engine on it with `ra`.
//
// `advertise` false keeps the RA engine silent on it (no periodic RA, no
// answer to a solicitation): a DLIF kept for a node that has moved away
// (the anchor role routes its prefix into it), or not yet registered (no
// RA before the PBA, RFC 8885 §3.1 step 5). A Router Solicitation that
// arrives on a silent DLIF means the node is back on this link: the
// daemon reports it as MnAttached.
struct InstallDlif {
	std::string name;
	std::string lower;
	DlifIdentity identity;
	MacAddress mn;
	Ipv6Address anchoring_maar;
	std::vector<Ipv6Prefix> prefixes;
	RaPlan ra;
	bool advertise = true;

	friend bool operator==(const InstallDlif &, const InstallDlif &) = default;
};

// Stop its RAs and delete it (the kernel removes its table entries).
struct RemoveDlif {
	std::string name;
};

// attached: a prefix anchored here whose node is here, on a DLIF shared by
// several nodes ([maar] shared_dlifs): what is routed into the DLIF finds
// its node by it. Only the executor makes them; no core plans one.
enum class TunnelRole : std::uint8_t { anchor, serving, local_net, local_export, attached };

// Create or atomically replace the table entry of `prefix` (ENTRY_SET).
struct InstallEntry {
	Ipv6Prefix prefix;
	TunnelRole role;
	std::optional<Ipv6Address> peer;
	std::optional<std::string> dlif;	// a DLIF name; the anchor and serving roles need one

	friend bool operator==(const InstallEntry &, const InstallEntry &) = default;
};

struct RemoveEntry {
	Ipv6Prefix prefix;
};

// Send the RA of this DLIF now (its plan changed, or a solicitation was
// answered by the core rather than the engine).
struct AdvertiseNow {
	std::string dlif;
};

// The core's persistent state changed: the record of this mobile node (its
// binding or session, by MN-ID; gone when the core has none any more) and
// perhaps the header. The daemon writes them before it sends the messages
// of the same events.
struct StateChanged {
	std::string mn;
};

enum class LogLevel : std::uint8_t { debug, info, notice, warning, error };

// One structured log line: an event name and key=value fields.
struct Log {
	LogLevel level;
	std::string event;
	std::vector<std::pair<std::string, std::string>> fields;
};

// Direct mode: read every record of the node from the session database;
// the daemon answers with SessionsFound.
struct LookupSessions {
	std::string mn;
};

// Direct mode: write this MAAR's record of the node, or remove it
// (nullopt). The daemon keeps trying until the database takes it.
struct PublishSession {
	std::string mn;
	std::optional<SessionRecord> record;
};

// Home LMA (inter-domain continuity, seed 004 §5): one end of a relay
// tunnel, a stock ip6tnl device from this node's address to `remote`.
struct RelayTunnel {
	Ipv6Address remote;
	std::string device;

	friend bool operator==(const RelayTunnel &, const RelayTunnel &) = default;
};

// Home LMA: relay `prefix` between the tunnel to the home-domain MAAR that
// anchors it and the tunnel to the visited MAAR that serves the node.
// Downlink: what arrives from the anchor for the prefix leaves by the
// serving tunnel (a route to `prefix` through serving.device). Uplink: what
// arrives on serving.device from the prefix is looked up in `table`, whose
// default route is anchor.device (a rule at `rule_priority`). Create or
// replace: the tunnels are made when missing.
struct InstallRelay {
	Ipv6Prefix prefix;
	Ipv6Address local;
	RelayTunnel anchor;
	RelayTunnel serving;
	std::uint32_t table = 0;
	std::uint32_t rule_priority = 0;

	friend bool operator==(const InstallRelay &, const InstallRelay &) = default;
};

// Home LMA: the prefix is relayed no more (its route and rule go; a tunnel
// no relay uses any more goes with them).
struct RemoveRelay {
	Ipv6Prefix prefix;

	friend bool operator==(const RemoveRelay &, const RemoveRelay &) = default;
};

using Action = std::variant<SendMh, StartTimer, StopTimer, InstallDlif, RemoveDlif,
			    InstallEntry, RemoveEntry, AdvertiseNow, StateChanged, Log,
			    LookupSessions, PublishSession, InstallRelay, RemoveRelay>;
using Actions = std::vector<Action>;

} // namespace dlif::dmm
