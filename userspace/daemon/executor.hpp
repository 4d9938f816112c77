// SPDX-License-Identifier: GPL-2.0
//
// Carries out a core's actions: DLIFs, table entries and a home LMA's
// relays in the kernel
// (through Kernel, idempotently: see reconcile.hpp), Mobility Headers
// (through an MhSender), timers (TimerHeap), Router Advertisements
// (RaEngine), state saves (a callback; the daemon coalesces them) and log
// lines. Kernel errors are logged with the kernel's own explanation and
// counted; nothing here throws or stops the daemon. A DLIF or entry the
// kernel refused is tried again, 1 s later, then 2, 4, ... up to a minute
// apart, until the kernel takes it or a newer action for the same object
// replaces it: a transient failure (ENOMEM, a module reloaded, a lower
// device that comes back) never leaves the kernel short of what the core
// believes installed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dlif/dmm/core.hpp"
#include "dlif/dmm/io.hpp"
#include "kernel.hpp"
#include "log.hpp"
#include "ra_engine.hpp"
#include "reconcile.hpp"
#include "shared_dlifs.hpp"
#include "timers.hpp"

namespace dlif::daemon {

// A DLIF, table entry or relay to install or remove: what the executor carries
// out through the Kernel (and retries), as opposed to messages, timers,
// RAs, state and log lines.
bool is_kernel_action(const dmm::Action &action);

class MhSender {
public:
	virtual ~MhSender() = default;
	virtual void send(const Ipv6Address &destination, const mh::Message &message) = 0;
};

class Executor {
public:
	// kernel may be null for a role that never touches the kernel (a CMD
	// without an LMA): a kernel action is then an error, logged.
	Executor(Kernel *kernel, MhSender &mh, TimerHeap &timers, RaEngine &ra, Logger &log);

	void on_state_changed(std::function<void(const std::string &mn)> callback) { state_changed_ = std::move(callback); }
	// Direct mode's session database (session_directory.hpp): without a
	// callback, the action is an error, logged.
	void on_lookup(std::function<void(const dmm::LookupSessions &)> callback) { lookup_ = std::move(callback); }
	void on_publish(std::function<void(const dmm::PublishSession &)> callback) { publish_ = std::move(callback); }
	// Just before an advertising DLIF is removed, with what it advertised:
	// the daemon's final Router Advertisement on it (RFC 4861 §6.2.5).
	void on_farewell(std::function<void(const dmm::InstallDlif &)> callback) { farewell_ = std::move(callback); }

	// [maar] shared_dlifs: the cores' DLIFs go on shared netdevices
	// (shared_dlifs.hpp) from now on, one left by its last node kept for
	// `linger`. Before the first action.
	void share_dlifs(dmm::Duration linger = dmm::Duration::zero());
	bool sharing() const noexcept { return shared_.has_value(); }
	// Where frames for a DLIF of the cores go: its netdevice and, on a
	// shared one, the node's MAC (its frames name their node by
	// destination MAC). Nothing if it is not installed.
	struct Link {
		std::string device;
		std::optional<MacAddress> node;
	};
	std::optional<Link> link_of(const std::string &dlif) const;
	// On a shared netdevice: the node whose prefix holds `address`, if
	// one of the netdevice's nodes has it.
	std::optional<MacAddress> node_at(const std::string &device, const Ipv6Address &address) const;
	bool is_shared_device(const std::string &name) const { return shared_ && shared_->is_device(name); }

	void apply(const dmm::Actions &actions, dmm::TimePoint now);
	void apply(const dmm::Action &action, dmm::TimePoint now);

	// Answers before clean-up: with this on, a DLIF that a batch removes
	// and that nothing later in the batch names (nor an entry of a prefix
	// routed to it) is removed by finish_departures(), which the daemon
	// calls once the iteration's messages have left, or before the next
	// batch, whichever comes first. A previous MAAR's PBA then does not
	// wait for the deletion of the netdevices of a node that left (tens
	// of ms each: unregistering a netdevice waits for RCU).
	void defer_departures(bool on) noexcept { defer_departures_ = on; }
	void finish_departures(dmm::TimePoint now);
	std::size_t pending_departures() const noexcept { return departures_.size(); }

	// At start: removes what the kernel has in `scope` that `reissued`
	// (a restored core's actions) does not install, remembers the entries
	// it keeps (so that re-installing them changes nothing), then applies
	// `reissued`. Returns the plan it followed.
	ReconcilePlan reconcile(const dmm::Actions &reissued, const Scope &scope, dmm::TimePoint now);

	// Periodically ([daemon] reconcile_interval): puts back what changed
	// in the kernel behind this daemon's back (an operator's `ip link del`,
	// another program's netlink), found with one dump per table. Its own
	// DLIFs that are missing or no longer what it made (lower device, MAC,
	// node, anchoring MAAR, down) and its own entries that are missing or
	// changed are installed again; objects in `scope` it does not own are
	// removed. A DLIF's addresses are not compared (a dump per DLIF).
	// Returns how many objects it repaired.
	std::size_t repair(const Scope &scope, dmm::TimePoint now);

	// A home LMA's relays, all at once (at start, or whenever the core's
	// whole list is known): removes the relay rules, routes and tunnels
	// the kernel has that `wanted` does not (reconcile.hpp says how they
	// are recognised without a record), forgets every relay it knew, then
	// installs `wanted`. reconcile() calls it with the relays of its
	// actions. Returns what it removed.
	RelayPlan converge_relays(const std::vector<dmm::InstallRelay> &wanted, dmm::TimePoint now);

	const std::map<std::string, dmm::InstallDlif> &dlifs() const noexcept { return dlifs_; }
	// The relays installed, by prefix text.
	const std::map<std::string, dmm::InstallRelay> &relays() const noexcept { return relays_; }
	// How many relays use `device` (as their anchor or serving tunnel).
	std::size_t relay_tunnel_users(const std::string &device) const;
	const std::map<std::string, KernelEntry> &entries() const noexcept { return entries_; }
	// Whether the node has a DLIF on that lower device (its frames then go
	// to its DLIFs: an RS seen on the lower device is not an attachment).
	bool has_dlif(const std::string &lower, const MacAddress &mn) const;
	// The names of the DLIFs shown to a node, and the keys (in entries())
	// of the entries naming a DLIF: what `mn show` reports, without a walk
	// of every DLIF and entry.
	std::set<std::string> dlifs_of(const MacAddress &mn) const;
	std::set<std::string> entry_keys_of(const std::string &dlif) const;

	const dmm::CounterMap &counters() const noexcept { return counters_; }

	// Kernel actions that failed and wait for their next try.
	std::size_t pending_retries() const noexcept { return retries_.size(); }
	std::optional<dmm::TimePoint> next_retry() const;
	// Tries again what is due: DLIFs before entries, since an entry
	// names its DLIF. Also deletes the shared netdevices idle for their
	// linger time.
	void retry_due(dmm::TimePoint now);
	// When an idle shared netdevice is to be deleted, if ever.
	std::optional<dmm::TimePoint> next_expiry() const;

	static constexpr dmm::Duration kFirstRetry{1000};
	static constexpr dmm::Duration kMaxRetry{60000};

private:
	struct Retry {
		dmm::Action action;
		unsigned attempts;	// failed tries so far
		dmm::TimePoint due;
	};

	// A kernel action, retried while it fails; `attempts` tries failed
	// before this one.
	void perform(const dmm::Action &action, dmm::TimePoint now, unsigned attempts);
	bool install_dlif(const dmm::InstallDlif &dlif, dmm::TimePoint now);
	bool install_shared_dlif(const dmm::InstallDlif &dlif, dmm::TimePoint now);
	bool remove_shared_dlif(const std::string &name, dmm::TimePoint now);
	// An entry as the kernel takes it: on a shared netdevice, the
	// netdevice's name and the node's MAC instead of the DLIF's name.
	Result<KernelEntry> kernel_form(const KernelEntry &entry) const;
	bool put_entry(const KernelEntry &entry);
	// Shared netdevices: a prefix of an installed DLIF that the cores gave
	// no entry gets an attached one naming its node.
	bool attach_prefix(const Ipv6Prefix &prefix, const std::string &dlif);
	// What the kernel has of a DLIF, from the restart's dumps if they
	// have it (once: what an install changes is not in them), else asked.
	struct DlifSeen {
		std::optional<KernelLink> link;
		std::vector<KernelAddress> addresses;
	};
	Result<DlifSeen> seen(const std::string &name);
	bool remove_dlif(const std::string &name, dmm::TimePoint now);
	bool install_entry(const dmm::InstallEntry &entry);
	bool remove_entry(const Ipv6Prefix &prefix);
	bool install_relay(const dmm::InstallRelay &relay);
	bool remove_relay(const Ipv6Prefix &prefix);
	bool remove_unrecorded_relay(const Ipv6Prefix &prefix);
	bool ensure_relay_tunnel(const dmm::InstallRelay &relay, const dmm::RelayTunnel &tunnel);
	bool release_relay_tunnels(const dmm::InstallRelay &gone);
	bool delete_unused_relay_tunnels();
	bool kernel_failed(std::string_view event, const nl::Error &error, LogFields fields);
	void track(const dmm::InstallDlif &dlif);
	void untrack(const std::string &name);
	void forget_dlif(const std::string &name);
	void remember_entry(const KernelEntry &entry);
	void forget_entry(const std::string &key);
	void count(const std::string &name, std::uint64_t by = 1) { counters_[name] += by; }

	Kernel *kernel_;
	MhSender &mh_;
	TimerHeap &timers_;
	RaEngine &ra_;
	Logger &log_;
	std::function<void(const std::string &)> state_changed_;
	std::function<void(const dmm::LookupSessions &)> lookup_;
	std::function<void(const dmm::PublishSession &)> publish_;
	std::function<void(const dmm::InstallDlif &)> farewell_;
	// During reconcile(): every DLIF as one link dump and one address dump
	// found it, by name, so that re-installing N DLIFs does not ask the
	// kernel 2N times.
	std::map<std::string, DlifSeen> restart_view_;
	std::map<std::string, dmm::InstallDlif> dlifs_;
	std::map<std::string, KernelEntry> entries_;		// by prefix text
	// The keys of entries_ naming each DLIF: forgetting a DLIF's entries
	// then costs what it has, not a walk of every entry.
	std::map<std::string, std::set<std::string>> entry_keys_by_dlif_;
	std::map<std::string, dmm::InstallRelay> relays_;	// by prefix text
	// Relay tunnels no relay uses whose deletion failed: tried again.
	std::set<std::string> unused_relay_tunnels_;
	std::optional<SharedDlifs> shared_;
	// Shared netdevices: the DLIF each prefix of an installed DLIF is
	// routed to (by prefix text), and the attached entries made for them.
	std::map<std::string, std::string> prefix_owner_;
	std::set<std::string> attached_keys_;
	// In the batch of actions being applied, on shared netdevices: the
	// DLIFs it removes, and the prefixes (text) it installs entries for.
	struct Batch {
		std::set<std::string> leaving;
		std::set<std::string> entries;
	};
	Batch batch_;
	bool defer_departures_ = false;
	std::vector<std::string> departures_;	// DLIF names, in the cores' order
	// Which RemoveDlif of `actions` may wait for finish_departures().
	std::vector<bool> deferrable(const dmm::Actions &actions) const;
	std::set<std::uint8_t> prefix_lengths_;	// of prefix_owner_'s prefixes
	std::multiset<std::pair<std::string, MacAddress>> nodes_;	// (lower, mn) of dlifs_
	std::map<MacAddress, std::set<std::string>> dlif_names_by_mn_;	// names in dlifs_, by node
	// By object, and by when each is due ("dlif NAME" sorts before
	// "entry PREFIX" at equal times): O(log n) per failure and per loop.
	std::map<std::string, Retry> retries_;
	std::set<std::pair<dmm::TimePoint, std::string>> retry_schedule_;
	void drop_retry(const std::string &object);
	dmm::CounterMap counters_;
};

std::string_view name(dmm::TunnelRole role) noexcept;

} // namespace dlif::daemon
