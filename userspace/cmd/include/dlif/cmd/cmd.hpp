// SPDX-License-Identifier: GPL-2.0
//
// The Central Mobility Database (RFC 8885 §3): the binding cache of a DMM
// domain keyed by MN-ID, the initial registration, the three handover
// modes (relay, locator, proxy), de-registration (alternatives A and B),
// and an RFC 5213 LMA for plain MAGs. A pure state machine:
//
//     CmdCore core(config);
//     daemon.apply(core.start(now));
//     for (;;) daemon.apply(core.handle(next_event(), now()));
//
// handle() never throws, reads no clock and does no I/O; see
// dlif/dmm/io.hpp for the events and actions and
// Documentation/dlifd-design.rst ("Protocol cores") for the behaviour.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dlif/dmm/config.hpp"
#include "dlif/dmm/core.hpp"
#include "dlif/dmm/io.hpp"
#include "dlif/dmm/types.hpp"
#include "dlif/mh/result.hpp"

namespace dlif::cmd {

using dmm::Actions;
using dmm::CmdConfig;
using dmm::CounterMap;
using dmm::Duration;
using dmm::Event;
using dmm::MnId;
using dmm::TimePoint;
using dmm::WallTime;

enum class BindingState : std::uint8_t {
	registered,	// nothing outstanding
	handover,	// PBUs to previous MAARs outstanding (or the relay PBA not sent yet)
	deregistering,	// the session ended; lifetime-0 PBUs to previous MAARs outstanding
};
std::string_view name(BindingState state) noexcept;

// One element of a binding's P-MAAR list (R18, A31).
struct PreviousMaarView {
	Ipv6Address maar;
	std::vector<Ipv6Prefix> prefixes;	// anchored there
	std::vector<Ipv6Prefix> local_prefixes;	// the Local Prefixes that MAAR advertises
	std::optional<dmm::DlifIdentity> identity;	// as its PBU/PBA options told (A9)
	bool confirmed = false;			// its PBA for the current serving MAAR arrived
};

struct BindingView {
	MnId mn;
	BindingState state = BindingState::registered;
	bool lma = false;			// served as an RFC 5213 LMA (a plain MAG's PBU)
	Ipv6Address serving_maar;		// Proxy-CoA
	std::vector<Ipv6Prefix> prefixes;	// delegated by the serving MAAR (or the LMA's)
	std::optional<dmm::DlifIdentity> serving_identity;
	std::vector<PreviousMaarView> previous_maars;	// newest first
	Duration lifetime{0};			// granted
	TimePoint expires_at{};
	std::optional<std::uint16_t> last_sequence;	// last accepted from the serving MAAR
	std::optional<std::uint64_t> last_timestamp;	// raw Timestamp option value
	std::size_t outstanding = 0;		// PBUs awaiting a PBA
	std::size_t queued = 0;			// PBUs of later handovers waiting (A37)
	std::optional<std::string> dlif;	// LMA: the node's DLIF on lma.interface
	std::optional<MacAddress> mn_mac;		// from the MN Link-layer Identifier option
};

class CmdCore {
public:
	explicit CmdCore(CmdConfig config);
	~CmdCore();
	CmdCore(CmdCore &&) noexcept;
	CmdCore &operator=(CmdCore &&) noexcept;
	CmdCore(const CmdCore &) = delete;
	CmdCore &operator=(const CmdCore &) = delete;

	// Actions to carry out when the daemon starts with no saved state
	// (none today for the CMD; kept for symmetry with the MAAR).
	Actions start(TimePoint now);

	// One event in, the actions it causes out. Never throws: an internal
	// failure becomes a Log action at level error.
	Actions handle(const Event &event, TimePoint now) noexcept;

	// How the daemon's steady clock maps to the wall clock (for the
	// Timestamp option and snapshot deadlines). Call before restore().
	void set_wall_clock(TimePoint steady_now, WallTime wall_now) noexcept;

	// The persistent state as JSON text: bindings with their P-MAAR lists,
	// ordering state, deadlines (wall-clock ms), outstanding exchanges and
	// queued PBUs, the LMA pool. restore() of it then snapshot() gives
	// the same text.
	std::string snapshot() const;

	// Replaces the state with a snapshot and returns what to re-issue:
	// the timers (at their remaining time; one already due fires at
	// once) and, for LMA bindings, InstallDlif/InstallEntry (idempotent
	// on the daemon side). Fails without changing anything on malformed
	// text or a snapshot that does not fit the configuration.
	mh::Result<Actions, std::string> restore(std::string_view snapshot, TimePoint now);

	// The same state in parts, for a store that writes only what changed:
	// the header (LMA pool, local networks) and one record per binding,
	// keyed by its MN-ID. StateChanged names the record that changed;
	// snapshot_record() is nullopt once the binding is gone. restore()
	// of the header and every record is restore() of the snapshot.
	std::string snapshot_header() const;
	std::optional<std::string> snapshot_record(std::string_view mn) const;
	mh::Result<Actions, std::string> restore(std::string_view header, std::span<const std::string> records,
						 TimePoint now);

	// Queries for the control socket and dlifctl.
	std::vector<BindingView> bindings() const;
	// The first `limit` bindings (by MN-ID) whose MN-ID sorts after
	// `after` ("": from the first): one pass over the table and a partial
	// sort, so a listing in pages never sorts everything.
	std::vector<BindingView> bindings_page(std::string_view after, std::size_t limit) const;
	std::optional<BindingView> binding(const MnId &mn) const;
	std::size_t binding_count() const noexcept;
	// How many bindings each serving MAAR (or, for an LMA binding, MAG)
	// holds, and how many of those have nothing outstanding, for dlifctl
	// status: kept as the bindings change, so asking costs no pass over
	// them (O(MAARs)).
	struct ServingCount {
		std::size_t bindings = 0;
		std::size_t registered = 0;
		friend bool operator==(const ServingCount &, const ServingCount &) = default;
	};
	std::map<Ipv6Address, ServingCount> bindings_by_serving_maar() const;
	// Home LMA (config.roaming): every relay the kernel should hold, what
	// a restarted daemon converges to.
	std::vector<dmm::InstallRelay> relays() const;
	CounterMap counters() const;
	// The binding a plain MAG's node has under its MAC (MN-LLI), the
	// lowest MN-ID first if several. A walk of the bindings (no index by
	// MAC), but without building their views.
	std::optional<BindingView> binding_with_mac(const MacAddress &mn) const;
	// The same as JSON text (what the control socket returns): every
	// binding, or one.
	std::string bindings_json(TimePoint now) const;
	std::string binding_json(const BindingView &view, TimePoint now) const;
	std::string counters_json() const;

	const CmdConfig &config() const noexcept;

	struct Impl;

private:
	std::unique_ptr<Impl> impl_;
};

} // namespace dlif::cmd
