// SPDX-License-Identifier: GPL-2.0
//
// The protocol core the daemon runs (CmdCore or MaarCore, chosen by
// daemon.role), behind the few calls the daemon makes, so that the event
// loop, the executor and the control socket are the same for both roles
// and tests can run them with a fake core.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "config.hpp"
#include "dlif/dmm/core.hpp"
#include "dlif/dmm/io.hpp"
#include "dlif/mh/result.hpp"

namespace dlif::daemon {

class ProtocolCore {
public:
	virtual ~ProtocolCore() = default;

	virtual dmm::Actions start(dmm::TimePoint now) = 0;
	virtual dmm::Actions handle(const dmm::Event &event, dmm::TimePoint now) = 0;
	virtual void set_wall_clock(dmm::TimePoint steady_now, dmm::WallTime wall_now) = 0;
	virtual std::string snapshot() const = 0;
	virtual mh::Result<dmm::Actions, std::string> restore(std::string_view snapshot, dmm::TimePoint now) = 0;
	// The same state in parts (see CmdCore::snapshot_header()): what the
	// state database stores, a row per mobile node.
	virtual std::string snapshot_header() const = 0;
	virtual std::optional<std::string> snapshot_record(std::string_view mn) const = 0;
	// Every node's record by MN-ID (a full rewrite: after a clock step).
	virtual std::vector<std::pair<std::string, std::string>> snapshot_records() const = 0;
	virtual mh::Result<dmm::Actions, std::string> restore(std::string_view header,
							      std::span<const std::string> records,
							      dmm::TimePoint now) = 0;

	// The core's view of its mobile nodes: a JSON array of objects, each
	// with at least "mn" (the MN-ID) and, when known, "mac" or "mn_mac".
	virtual nlohmann::json mobile_nodes(dmm::TimePoint now) const = 0;
	// One page of mobile_nodes(): {"nodes":[at most `limit`], "next":
	// cursor|null}, the nodes after `after` (a previous page's "next";
	// none: from the first). Costs O(limit log N) at a MAAR and O(N) at a
	// CMD (one pass over its hash table), never a serialisation of every
	// node. An `after` that is no cursor of this core: nullopt.
	virtual std::optional<nlohmann::json> mobile_nodes_page(const std::optional<std::string> &after,
								std::size_t limit, dmm::TimePoint now) const = 0;
	// The element of mobile_nodes() that find_mobile_node() would return,
	// found through the core's indexes instead of serialising every node.
	virtual std::optional<nlohmann::json> mobile_node(std::string_view id, std::string_view realm,
							  dmm::TimePoint now) const = 0;
	virtual std::size_t mobile_node_count() const = 0;
	// A CMD: its bindings per serving MAAR, {"ADDRESS": {"bindings": N,
	// "registered": M}} (M: nothing outstanding); null at a MAAR.
	virtual nlohmann::json serving_maars() const = 0;
	// Direct mode: the MAAR's records for the session database (none for
	// a CMD or a MAAR with a CMD).
	virtual std::vector<dmm::PublishSession> session_records() const = 0;
	virtual dmm::CounterMap counters() const = 0;
	// The core's latency histograms by name (dmm::to_json of each): a
	// MAAR's registrations; none at a CMD.
	virtual nlohmann::json latencies() const = 0;
};

std::unique_ptr<ProtocolCore> make_core(const Config &config);

// The element of `nodes` (a mobile_nodes() array) that `id` names: its
// MN-ID, its MAC, or the MN-ID a MAAR derives from that MAC in `realm`.
std::optional<nlohmann::json> find_mobile_node(const nlohmann::json &nodes, std::string_view id,
					       std::string_view realm);

} // namespace dlif::daemon
