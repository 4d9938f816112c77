// SPDX-License-Identifier: GPL-2.0
//
// An in-process DMM domain for tests: one CmdCore and three MaarCores,
// each with a model of its kernel (DLIFs, table entries), a message
// router that builds every Mobility Header with the codec and parses it
// back (so all signalling crosses the real wire format), a manual clock
// firing timers in order, and per-link loss, delay and reordering.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "dlif/cmd/cmd.hpp"
#include "dlif/dmm/config.hpp"
#include "dlif/dmm/io.hpp"
#include "dlif/maar/maar.hpp"
#include "dlif/mh/mh.hpp"

namespace dlif::sim {

using namespace dlif::dmm;
namespace mh = dlif::mh;

// Node 0 is the CMD, 1..3 are MAAR1..MAAR3.
using NodeId = int;
inline constexpr NodeId kCmd = 0;
inline constexpr int kMaars = 3;

Ipv6Address addr(const char *text);
Ipv6Prefix pfx(const char *text);
MacAddress mac(const char *text);

// What a node's kernel holds, as the daemon would leave it.
struct Kernel {
	std::map<std::string, InstallDlif> dlifs;
	std::map<std::string, InstallEntry> entries;	// by prefix text
	std::map<std::string, InstallRelay> relays;	// by prefix text (a home LMA's)
	std::vector<std::string> advertised;		// AdvertiseNow, in order
	std::vector<std::string> problems;		// e.g. an entry naming no DLIF

	void apply(const Action &action);
	const InstallEntry *entry(const Ipv6Prefix &prefix) const;
	const InstallDlif *dlif(const std::string &name) const;
	// Everything but the local-export entries (which live from start).
	bool empty_of_sessions() const;
};

// One Mobility Header that went on a link.
struct Wire {
	TimePoint sent;
	NodeId from;
	NodeId to;
	mh::Message message;
	bool dropped = false;
};

struct LinkRule {
	unsigned drop_next = 0;			// drop the next N messages
	double loss = 0.0;			// probability of dropping each message
	Duration delay{5};
	Duration jitter{0};			// uniform extra delay: reorders
	std::function<bool(const mh::Message &)> drop_if;
};

struct SimOptions {
	CmdMode mode = CmdMode::proxy;
	Deregistration deregistration = Deregistration::a;
	Ordering ordering = Ordering::sequence_number;
	SignallingTimers timers = default_timers();
	Duration relay_timeout{0};
	bool rfc8885 = true;
	LegacyDFlag legacy_d_flag = LegacyDFlag::refuse;
	bool lma = false;			// the CMD also serves plain MAGs
	std::vector<bool> legacy_mag = {false, false, false};
	// Local Prefixes per MAAR (index 0 = MAAR1).
	std::vector<std::vector<Ipv6Prefix>> local_prefixes = {{}, {}, {}};
	bool low_preference = false;
	// [[domain.maar]]: every node knows each MAAR's pool (2001:db8:k::/48)
	// and its local prefixes (those above), and checks claims against them.
	bool domain_claims = false;
	Admission admission;			// every MAAR's
	// After every StateChanged: snapshot, restore into a scratch core and
	// snapshot again; the texts must be equal. The same for the stored
	// records (below) restored into a scratch core.
	bool check_snapshots = false;
	// Direct mode: the MAARs have no CMD (node 0 stays silent) and learn
	// each node's anchors from a session database the network models;
	// a lookup is answered this long after it is asked.
	bool direct = false;
	MaarConfig::Discovery discovery = MaarConfig::Discovery::database;
	Duration database_delay{2};
	// Two operators (seed 004 §5): MAAR1 and MAAR2 with the CMD are the
	// home domain (realm dlif.example); MAAR3 is alone in a partner
	// domain (realm partner.example), in direct mode, and reaches the
	// home prefixes of the nodes in `visitors` through the CMD as home
	// LMA.
	bool inter_domain = false;
	std::vector<MacAddress> visitors;
	// Every MAAR's [maar] release_idle_after (0: off).
	Duration release_idle_after{0};
	std::uint64_t seed = 1;

	static SignallingTimers default_timers();
};

class Network {
public:
	explicit Network(SimOptions options = {});

	// Addresses: CMD 2001:db8::c, MAARk 2001:db8::k; MAARk's pool
	// 2001:db8:k::/48 (one /64 per node).
	static Ipv6Address address(NodeId node);
	NodeId node_of(const Ipv6Address &address) const;

	TimePoint now() const { return now_; }
	void attach(NodeId maar, const MacAddress &mn, const std::string &interface = "wlan0");
	void detach(NodeId maar, const MacAddress &mn);
	// A layer-2 move: detach from `from` (if given), attach at `to`.
	void move(const MacAddress &mn, std::optional<NodeId> from, NodeId to);
	// What the MAAR's daemon samples for [maar] release_idle_after: its
	// serving entries' packet counters (a prefix not in `packets`: 0).
	void sample_traffic(NodeId maar, const std::map<Ipv6Prefix, std::uint64_t> &packets = {});
	// Inject a message as if `from` had sent it to `to`.
	void inject(NodeId from, NodeId to, mh::Message message);
	void inject_from(const Ipv6Address &source, NodeId to, mh::Message message);

	// Runs events up to now + duration.
	void run_for(Duration duration);
	// Runs until no message is in flight and no exchange is outstanding,
	// at most `limit`; false if it did not get there.
	bool settle(Duration limit = std::chrono::minutes(5));
	bool quiet() const;

	// Snapshot, destroy and restore a node's core (a daemon restart);
	// the kernel is reconciled with what restore() re-issues.
	void restart(NodeId node);
	// Cut a node off (messages to and from it are lost) / reconnect it.
	void set_down(NodeId node, bool down);

	LinkRule &link(NodeId from, NodeId to) { return links_[{from, to}]; }

	// Direct mode's session database: by MN-ID, each MAAR's record. While
	// it is down, lookups are answered with an error and writes are lost.
	using Database = std::map<std::string, std::map<Ipv6Address, SessionRecord>>;
	const Database &database() const { return database_; }
	void set_database_down(bool down) { database_down_ = down; }

	cmd::CmdCore &cmd() { return *cmd_; }
	maar::MaarCore &maar(NodeId node) { return *maars_.at(node - 1); }
	Kernel &kernel(NodeId node) { return kernels_.at(node); }
	const CmdConfig &cmd_config() const { return cmd_config_; }
	const MaarConfig &maar_config(NodeId node) const { return maar_configs_.at(node - 1); }

	std::vector<Wire> &trace() { return trace_; }
	void clear_trace() { trace_.clear(); }
	// Messages on the wire since `from` (an index into trace()).
	std::vector<Wire> sent_since(std::size_t from) const;
	std::vector<Log> &logs() { return logs_; }
	std::vector<std::string> &problems() { return problems_; }

	std::uint64_t counter(NodeId node, const std::string &name);

	// Network-wide invariants (checked when quiet()): each prefix anchored
	// at exactly one MAAR (its pool's), no chained tunnels, every serving
	// entry's peer anchors the prefix back towards it, DLIF identities the
	// same for a node and an anchoring MAAR wherever shown, the CMD's
	// binding matching the MAARs' sessions. Empty if all hold. Nodes in
	// `departed` (attached nowhere) are left out: a node that leaves the
	// domain while signalling about it is lost can leave state behind
	// until its lifetime ends (which tests check separately).
	std::vector<std::string> invariant_violations(const std::set<MacAddress> &departed = {});

	// The last messages and log lines, the CMD's bindings and every
	// MAAR's sessions as JSON: what a failing test prints.
	std::string dump(std::size_t last = 60) const;

	// What the daemon's state database would hold: on each StateChanged,
	// the header and the named node's record. restart() restores from
	// it, as dlifd does.
	struct Stored {
		std::string header;
		std::map<std::string, std::string> records;
	};

private:
	struct Delivery {
		NodeId to;
		Ipv6Address source;
		mh::Message message;
	};
	struct Fire {
		NodeId node;
		TimerId id;
		std::uint64_t token;
	};
	struct Lookup {
		NodeId node;
		std::string mn;
	};
	struct Item {
		TimePoint at;
		std::uint64_t order;
		std::variant<Delivery, Fire, Lookup> what;
		bool operator>(const Item &other) const
		{
			return at != other.at ? at > other.at : order > other.order;
		}
	};

	void dispatch(NodeId node, const Event &event);
	void apply(NodeId node, Actions actions);
	void send(NodeId from, const Ipv6Address &source, NodeId to, const mh::Message &message);
	void step(const Item &item);
	void check_snapshot(NodeId node);
	void store(NodeId node, const std::string &mn);


	Database database_;
	bool database_down_ = false;
	void check_database(const std::set<MacAddress> &departed, std::vector<std::string> &violations);
	SimOptions options_;
	CmdConfig cmd_config_;
	std::vector<MaarConfig> maar_configs_;
	std::unique_ptr<cmd::CmdCore> cmd_;
	std::vector<std::unique_ptr<maar::MaarCore>> maars_;
	std::vector<Kernel> kernels_;
	std::map<std::pair<NodeId, NodeId>, LinkRule> links_;
	std::vector<bool> down_;
	TimePoint now_{};
	std::uint64_t order_ = 0;
	std::priority_queue<Item, std::vector<Item>, std::greater<>> queue_;
	std::map<std::pair<NodeId, TimerId>, std::uint64_t> timers_;	// armed -> token
	std::uint64_t token_ = 0;
	std::size_t in_flight_ = 0;
	std::vector<Wire> trace_;
	std::vector<Log> logs_;
	std::vector<std::pair<TimePoint, std::string>> events_;	// attach/detach/restart, for dump()
	std::vector<std::string> problems_;
	std::map<NodeId, Stored> stored_;
	std::mt19937_64 random_;
};

// Filters over a trace.
bool is_pbu(const Wire &wire);
bool is_pba(const Wire &wire);
const mh::ProxyBindingUpdate &pbu_of(const Wire &wire);
const mh::ProxyBindingAck &pba_of(const Wire &wire);
std::string describe(const std::vector<Wire> &wires);

} // namespace dlif::sim
