// SPDX-License-Identifier: GPL-2.0
//
// [maar] shared_dlifs: one DLIF netdevice per (access interface, anchoring
// MAAR), shared by every node that has a prefix from that MAAR, instead of
// one per (node, anchoring MAAR). Creating and deleting a netdevice walks
// the kernel's whole FIB, so with a netdevice per node a handover costs
// more the more nodes a MAAR has (Documentation/performance.rst); on a
// shared DLIF a node's arrival is a binding, a route and an entry.
//
// The cores still plan one DLIF per (node, anchoring MAAR), by name (the
// "logical" DLIF: its RAs, its entries); this class places each on its
// shared netdevice:
// * the netdevice ("dls<N>") is created for the first node of an anchoring
//   MAAR on the interface, with a placeholder node and router MAC derived
//   from the MAAR (shared_placeholder()), so that every real node is a
//   binding alike and what reaches no node's entry goes to no node; when
//   its last node leaves it is kept for `linger` ([maar]
//   shared_dlif_linger), for the next node of that MAAR to take without
//   a netdevice's creation (a lone node walking back and forth, churn),
//   then deleted (expire()); recognised after a restart by its
//   placeholders (adopt());
// * each node is a binding (its router MAC and link-local: the identity it
//   sees), a permanent neighbour for its gateway address and a route per
//   prefix through it, as on a DLIF of its own;
// * the executor gives each of the node's prefixes an entry naming the
//   node (an "attached" one unless the core planned another), which is
//   how the kernel finds the node of what is routed into the netdevice.
// Removing a binding removes the node's entries with it (the kernel).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dlif/dmm/core.hpp"
#include "dlif/dmm/io.hpp"
#include "kernel.hpp"
#include "log.hpp"

namespace dlif::daemon {

// The primary node and router MAC of the shared netdevice of an anchoring
// MAAR: addresses no real node or identity has.
struct SharedPlaceholder {
	MacAddress mn;
	MacAddress router;
};
SharedPlaceholder shared_placeholder(const Ipv6Address &anchoring_maar);

inline constexpr std::string_view kSharedDevicePrefix = "dls";

class SharedDlifs {
public:
	// `failed` reports a kernel error (the executor logs and counts it).
	using Failure = std::function<void(std::string_view event, const nl::Error &error, LogFields fields)>;
	// `linger`: how long a netdevice without a node is kept (0: deleted
	// with its last node).
	SharedDlifs(Kernel &kernel, Logger &log, dmm::CounterMap &counters, Failure failed,
		    dmm::Duration linger = dmm::Duration::zero());

	// Where a logical DLIF is: its netdevice and node, and the prefixes
	// routed there.
	struct Placement {
		std::string device;
		MacAddress mn;
		std::vector<Ipv6Prefix> prefixes;
	};
	const Placement *placement(const std::string &logical) const;

	// Creates the netdevice if needed, then the node's binding, neighbour
	// and routes (those to prefixes the name no longer has go).
	// Idempotent. `entries_lost` is set when a binding was replaced or
	// moved: the kernel removed the node's entries on the netdevice with
	// it, to be installed again. The name is placed even when a later
	// step failed (to be tried again).
	bool install(const dmm::InstallDlif &dlif, dmm::TimePoint now, bool &entries_lost);
	// The node's routes, neighbour and binding; the netdevice if it was
	// the last node and nothing lingers, else it is idle from `now`. An
	// unknown name changes nothing; the name stays placed until its
	// binding is gone.
	bool remove(const std::string &logical, dmm::TimePoint now);
	// Deletes the netdevices idle for the linger time by `now`; one the
	// kernel refuses is tried again a linger time later.
	void expire(dmm::TimePoint now);
	// When expire() has something to do, if ever.
	std::optional<dmm::TimePoint> next_expiry() const;

	bool is_device(const std::string &name) const { return names_.contains(name); }
	std::optional<std::string> device_of(const std::string &lower, const Ipv6Address &anchoring_maar) const;
	// A netdevice found gone (deleted behind the daemon's back): forgotten
	// with its bindings; returns the logical DLIFs it had, to install again.
	std::vector<std::string> forget_device(const std::string &name);
	std::vector<std::string> devices() const;
	// The netdevices whose logical DLIFs a restart wants: those of `links`
	// (the kernel's DLIFs) on `lowers` with a shared placeholder are taken
	// as this daemon's (kept, with their bindings, which install() finds),
	// the others are left to the reconciliation.
	void adopt(const std::vector<KernelLink> &links, const std::set<std::string> &lowers);
	// After a restart's installs: adopted netdevices no logical DLIF came
	// back to, and bindings nobody installed, are removed.
	void drop_unclaimed();

private:
	struct Device {
		std::string name;
		std::map<MacAddress, KernelBinding> bindings;	// as the kernel has them
		std::set<std::string> logical;			// the logical DLIFs on it
		bool bindings_known = true;			// false: adopted, not dumped yet
		std::optional<dmm::TimePoint> idle_since;	// no node since then
	};
	using Key = std::pair<std::string, Ipv6Address>;	// (lower, anchoring MAAR)

	Device *ensure_device(const dmm::InstallDlif &dlif);
	// Deletes the netdevice and forgets it; false (kept) if the kernel
	// refuses. `why`: more log fields.
	bool delete_device(std::map<Key, Device>::iterator it, LogFields why);
	bool ensure_binding(Device &device, const dmm::InstallDlif &dlif, bool &entries_lost);
	std::string next_name();
	void count(const std::string &name) { ++counters_[name]; }

	Kernel &kernel_;
	Logger &log_;
	dmm::CounterMap &counters_;
	Failure failed_;
	dmm::Duration linger_;
	std::map<Key, Device> devices_;
	std::map<std::string, Key> names_;		// device name -> key
	std::map<std::string, Placement> placements_;	// by logical name
	std::uint64_t next_number_ = 0;
};

} // namespace dlif::daemon
