// SPDX-License-Identifier: GPL-2.0
//
// [maar] detach_after: which attached nodes are still there. A node is
// heard whenever it sends Neighbor Discovery on one of its DLIFs (RS, NS,
// NA: a host resolving or checking its router does so on its own) or
// attaches. One not heard for `idle` is checked: if its DLIFs received
// frames since the last check it is still there. A host whose router is
// confirmed by its TCP acknowledgements sends no Neighbor Discovery at
// all while it talks, and the MAAR never solicits it (a DLIF's neighbour
// is NOARP), so the frame count is the only sign of it. Otherwise it gets
// unicast Neighbor Solicitations (RFC 4861 §7.3.3 probes) to the
// address it sent from: its link-local address if it used one, else a
// global one (a host checking its router does so from the address of the
// packet that needed it); or, with no address known, it is watched for
// as long as the probes would take. One that neither answers nor sends
// is gone, and the daemon reports it detached, as a layer-2 detach would
// (the core stops refreshing, the binding ends with its lifetime, R82).
// Without it, a node that leaves without a detach event is refreshed for
// ever, and a flood of Router Solicitations from made-up MACs holds the
// pool.
//
// Pure: times come in, probes and departures go out; the daemon sends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
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
		Ipv6Address target;		// the node's link-local, or a global address
	};
	struct Due {
		std::vector<Probe> probes;
		std::vector<MacAddress> gone;
		std::vector<MacAddress> sending;	// kept: their DLIFs received frames
	};
	// The frames a node's DLIFs have received in all, if known.
	using FramesFrom = std::function<std::optional<std::uint64_t>(const MacAddress &)>;

	explicit Liveness(Settings settings = {}) : settings_(settings) {}

	bool enabled() const noexcept { return settings_.idle.count() > 0; }
	// The node sent something from `source`: the probes' target, a
	// link-local source before any other (:: only says it is there).
	void heard(const MacAddress &mn, const Ipv6Address &source, dmm::TimePoint now);
	// It attached here (no address known from this).
	void attached(const MacAddress &mn, dmm::TimePoint now);
	void forget(const MacAddress &mn);
	// What is due at `now`: probes to send and nodes gone (forgotten here).
	// `frames` is asked only for the nodes whose deadline has come.
	Due take_due(dmm::TimePoint now, const FramesFrom &frames = {});
	std::optional<dmm::TimePoint> next_deadline() const;
	std::size_t tracked() const noexcept { return nodes_.size(); }
	// The nodes whose probes go to `address` (on a DLIF shared by several
	// nodes, an answer names its node only by the address it comes from;
	// link-local addresses are unique per link only, hence several).
	std::vector<MacAddress> probed_at(const Ipv6Address &address) const;

private:
	struct Node {
		dmm::TimePoint deadline;
		std::optional<Ipv6Address> target;
		bool target_is_link_local = false;
		int probes_sent = 0;		// or, with no address known, watch periods
		std::optional<std::uint64_t> frames;	// at the last check
	};
	void schedule(const MacAddress &mn, Node &node, dmm::TimePoint deadline);
	void set_target(const MacAddress &mn, Node &node, const Ipv6Address &target, bool link_local);

	Settings settings_;
	std::map<MacAddress, Node> nodes_;
	std::set<std::pair<dmm::TimePoint, MacAddress>> deadlines_;	// earliest first
	std::set<std::pair<Ipv6Address, MacAddress>> targets_;		// (target, node) of nodes_
};

} // namespace dlif::daemon
