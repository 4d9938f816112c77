// SPDX-License-Identifier: GPL-2.0
//
// [maar] detach_after: which attached nodes are still there. A node is
// heard whenever it sends Neighbor Discovery on one of its DLIFs (RS, NS,
// NA: a host resolving or checking its router does so on its own) or
// attaches. One not heard for `idle` gets unicast Neighbor Solicitations
// to its link-local address (RFC 4861 §7.3.3 probes, the address learned
// from what it sent); one that answers none is gone, and the daemon
// reports it detached, as a layer-2 detach would (the core stops
// refreshing, the binding ends with its lifetime, R82). Without it, a
// node that leaves without a detach event is refreshed for ever, and a
// flood of Router Solicitations from made-up MACs holds the pool.
//
// Pure: times come in, probes and departures go out; the daemon sends.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "dlif/dmm/types.hpp"

namespace dlif::daemon {

struct LivenessSettings {
	dmm::Duration idle{0};			// 0: off
	int probes = 3;				// RFC 4861 MAX_UNICAST_SOLICIT
	dmm::Duration probe_interval{1000};	// RFC 4861 RETRANS_TIMER
};

class Liveness {
public:
	using Settings = LivenessSettings;
	struct Probe {
		MacAddress mn;
		Ipv6Address target;		// the node's link-local
	};
	struct Due {
		std::vector<Probe> probes;
		std::vector<MacAddress> gone;
	};

	explicit Liveness(Settings settings = {}) : settings_(settings) {}

	bool enabled() const noexcept { return settings_.idle.count() > 0; }
	// The node sent something from `source` (a link-local source is kept
	// as the probes' target; others, :: included, only say it is there).
	void heard(const MacAddress &mn, const Ipv6Address &source, dmm::TimePoint now);
	// It attached here (no address known from this).
	void attached(const MacAddress &mn, dmm::TimePoint now);
	void forget(const MacAddress &mn);
	// What is due at `now`: probes to send and nodes gone (forgotten here).
	Due take_due(dmm::TimePoint now);
	std::optional<dmm::TimePoint> next_deadline() const;
	std::size_t tracked() const noexcept { return nodes_.size(); }

private:
	struct Node {
		dmm::TimePoint deadline;
		std::optional<Ipv6Address> link_local;
		int probes_sent = 0;
	};
	void schedule(const MacAddress &mn, Node &node, dmm::TimePoint deadline);

	Settings settings_;
	std::map<MacAddress, Node> nodes_;
	std::set<std::pair<dmm::TimePoint, MacAddress>> deadlines_;	// earliest first
};

} // namespace dlif::daemon
