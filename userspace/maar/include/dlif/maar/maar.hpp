// SPDX-License-Identifier: GPL-2.0
//
// The Mobility Anchor and Access Router (RFC 8885 §3): a MAG with LMA
// functions, one session per mobile node it serves or anchors. A pure
// state machine, like the CMD:
//
//     MaarCore core(config);
//     daemon.apply(core.start(now));         // local-export entries
//     for (;;) daemon.apply(core.handle(next_event(), now()));
//
// It decides the DLIFs (InstallDlif, with their Router Advertisement
// plans) and the table entries (InstallEntry) of every node, and the
// Proxy Binding Updates and Acknowledgements it exchanges with the CMD
// and, in locator mode, with other MAARs. See dlif/dmm/io.hpp and
// Documentation/dlifd-design.rst ("Protocol cores").
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dlif/dmm/config.hpp"
#include "dlif/dmm/core.hpp"
#include "dlif/dmm/io.hpp"
#include "dlif/dmm/latency.hpp"
#include "dlif/dmm/types.hpp"
#include "dlif/mh/result.hpp"

namespace dlif::maar {

using dmm::Actions;
using dmm::CounterMap;
using dmm::DlifIdentity;
using dmm::Duration;
using dmm::Event;
using dmm::InstallDlif;
using dmm::InstallEntry;
using dmm::MaarConfig;
using dmm::MnId;
using dmm::TimePoint;
using dmm::WallTime;

enum class SessionState : std::uint8_t {
	registering,	// temporary BCE: PBU sent, no PBA yet (R20)
	serving,	// registered; the node is (or was last) attached here
	anchor,		// previous MAAR: the node is served elsewhere, its prefixes tunnelled there
	deregistering,	// lifetime over: lifetime-0 PBU sent, kernel state already removed
};
std::string_view name(SessionState state) noexcept;

// A previous MAAR of a node this MAAR serves (the "MAAR list", R21).
struct AnchorView {
	Ipv6Address maar;
	std::vector<Ipv6Prefix> prefixes;
	std::vector<Ipv6Prefix> local_prefixes;
	DlifIdentity identity;
	bool identity_from_options = false;	// else derived (types.hpp)
	std::string dlif;			// the mirrored DLIF representing it
	std::optional<Ipv6Address> via;		// a partner's home MAAR: its home LMA
};

struct SessionView {
	MnId mn;
	MacAddress mac;
	std::uint32_t number = 0;		// N of "mn<N>mar<K>"
	SessionState state = SessionState::registering;
	bool attached = false;			// layer 2 (MnAttached / MnDetached)
	bool returning = false;			// registering as a node back at its anchor (A17)
	bool legacy = false;			// plain RFC 5213 MAG towards an LMA
	std::string access_interface;
	std::vector<Ipv6Prefix> anchored_prefixes;	// from this MAAR's pool
	std::vector<Ipv6Prefix> serving_prefixes;	// advertised as preferred here
	std::optional<Ipv6Address> serving_maar;	// anchor: where the node is
	std::optional<Ipv6Address> lma;		// legacy: the LMA (the configured CMD)
	std::vector<AnchorView> anchors;	// serving: the previous MAARs
	std::vector<InstallDlif> dlifs;		// as installed (identities, prefixes, RA plans)
	std::vector<InstallEntry> entries;	// the table entries of this node
	Duration lifetime{0};			// granted
	std::optional<TimePoint> expires_at;
	std::optional<TimePoint> refresh_at;
	bool verifying = false;			// an early refresh will check the P-MAAR list (locator)
	std::optional<std::string> exchange;	// "registration", "refresh", ... in progress
	std::optional<std::uint16_t> last_sequence;	// of the exchange in progress
	unsigned retransmissions = 0;
};

// Everything this MAAR wants in the kernel: what a daemon reconciling
// after a restart keeps; any other DLIF or entry it owns can go.
struct KernelState {
	std::vector<InstallDlif> dlifs;
	std::vector<InstallEntry> entries;
};

class MaarCore {
public:
	explicit MaarCore(MaarConfig config);
	~MaarCore();
	MaarCore(MaarCore &&) noexcept;
	MaarCore &operator=(MaarCore &&) noexcept;
	MaarCore(const MaarCore &) = delete;
	MaarCore &operator=(const MaarCore &) = delete;

	// At daemon start with no saved state: the local-export entries of
	// the Local Prefixes (no peer: accepted from any peer).
	Actions start(TimePoint now);

	// One event in, the actions it causes out. Never throws.
	Actions handle(const Event &event, TimePoint now) noexcept;

	// How the daemon's steady clock maps to the wall clock. Call before
	// restore().
	void set_wall_clock(TimePoint steady_now, WallTime wall_now) noexcept;

	// Sessions (state, prefixes, previous MAARs, exchange in progress,
	// deadlines as wall-clock ms), the pool cursor: JSON text. restore()
	// of it then snapshot() gives the same text.
	std::string snapshot() const;

	// Replaces the state with a snapshot; returns what start() returns
	// plus every DLIF and entry of every session (create-or-replace) and
	// the timers at their remaining time. Fails without change on
	// malformed text or one that does not fit the configuration.
	mh::Result<Actions, std::string> restore(std::string_view snapshot, TimePoint now);

	// The same state in parts, for a store that writes only what changed:
	// the header (pool cursor, numbering) and one record per session,
	// keyed by its MN-ID. StateChanged names the record that changed;
	// snapshot_record() is nullopt once the session is gone. restore() of
	// the header and every record is restore() of the snapshot.
	std::string snapshot_header() const;
	std::optional<std::string> snapshot_record(std::string_view mn) const;
	mh::Result<Actions, std::string> restore(std::string_view header, std::span<const std::string> records,
						 TimePoint now);

	std::vector<SessionView> sessions() const;
	// The first `limit` sessions (by number) after session `after` (none:
	// from the first).
	std::vector<SessionView> sessions_page(std::optional<std::uint32_t> after, std::size_t limit) const;
	std::optional<SessionView> session(const MacAddress &mn) const;
	std::optional<SessionView> session(const MnId &mn) const;
	std::size_t session_count() const noexcept;
	KernelState kernel_state() const;
	// Direct mode with a session database: this MAAR's record of every
	// node it holds prefixes for, as PublishSession would write it (what a
	// restarted daemon writes again). Empty in every other mode.
	std::vector<dmm::PublishSession> session_records() const;
	CounterMap counters() const;
	// How long registrations took, in the core's time (the "now" of its
	// events): from a node's attachment to the PBA that completes its
	// registration, and from that exchange's first PBU to the PBA.
	struct Latencies {
		dmm::LatencyHistogram attach_to_registered;
		dmm::LatencyHistogram pbu_to_pba;
	};
	const Latencies &latencies() const noexcept;
	// Every session as JSON text (what the control socket returns), or one.
	std::string sessions_json(TimePoint now) const;
	std::string session_json(const SessionView &view, TimePoint now) const;
	std::string counters_json() const;

	const MaarConfig &config() const noexcept;

	struct Impl;

private:
	std::unique_ptr<Impl> impl_;
};

} // namespace dlif::maar
