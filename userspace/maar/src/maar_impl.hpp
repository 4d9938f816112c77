// SPDX-License-Identifier: GPL-2.0
//
// MaarCore's state, shared by its translation units. Not installed.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlif/dmm/claims.hpp"
#include "dlif/dmm/core.hpp"
#include "dlif/dmm/pool.hpp"
#include "dlif/maar/maar.hpp"
#include "dlif/mh/message.hpp"
#include "numbered.hpp"

namespace dlif::maar {

namespace mh = dlif::mh;
using namespace dlif::dmm;
using mh::Lifetime;

enum class TimerKind : std::uint8_t { exchange = 1, expiry = 2, refresh = 3 };

enum class ExchangeKind : std::uint8_t {
	registration,		// initial, handover or return (HI 4 or 3)
	refresh,		// HI 5
	deregistration,		// lifetime 0 from the serving MAAR
	anchor_deregistration,	// lifetime 0 from a previous MAAR (alternative B)
};
std::string_view name(ExchangeKind kind) noexcept;

#define DLIF_MAAR_COUNTERS(X)                                                                        \
	X(rx_pbu) X(rx_pba) X(rx_binding_error) X(tx_pbu) X(tx_pba) X(retransmissions)               \
	X(drop_unknown_peer) X(drop_pbu_from_maar) X(drop_unmatched_pba) X(drop_malformed)           \
	X(drop_d_flag_in_mag_mode) X(drop_serving_is_self) X(drop_stale_cleanup) X(drop_stale_timer) \
	X(drop_stale_timestamp) X(drop_previous_maar_is_self) X(drop_unknown_previous_maar)         \
	X(rejected_unknown_node) X(attachments) X(duplicate_attachments) X(detachments)              \
	X(reattachments) X(returns) X(registrations) X(registration_failures) X(registration_retries) \
	X(refreshes) X(refresh_failures) X(refresh_retries) X(deregistrations) X(expirations)         \
	X(handovers_as_previous)                                                                     \
	X(cleanups) X(renewals) X(legacy_lma_detected) X(pool_exhausted) X(sequence_resyncs)        \
	X(late_previous_maar_merges) X(local_prefix_conflicts) X(drop_pba_not_expected)             \
	X(drop_stale_sequence) X(duplicate_pbus) X(refused_claims) X(refused_not_authorised)        \
	X(refused_session_limit) X(refused_rate_limit) X(legacy_prefix_conflicts) X(internal_errors)         \
	X(session_lookups) X(session_lookup_failures) X(drop_unmatched_lookup) X(anchor_failures)           \
	X(drop_pbu_not_from_serving) X(discovery_misses) X(legacy_anchors) X(idle_releases)            \
	X(idle_releases_kept)

enum class Counter : std::size_t {
#define DLIF_X(name) name,
	DLIF_MAAR_COUNTERS(DLIF_X)
#undef DLIF_X
		count
};
std::string_view counter_name(Counter counter) noexcept;

struct Exchange {
	ExchangeKind kind = ExchangeKind::registration;
	std::uint16_t first_seq = 0;
	std::uint16_t last_seq = 0;
	unsigned retransmissions = 0;
	Duration timeout{0};
	TimePoint deadline{};
	TimerId timer = 0;
	TimePoint started{};	// its first PBU
	// A registration or refresh that outlasted its retransmissions while
	// the node stayed: the rounds since (keeps_trying).
	unsigned rounds = 0;
	// Direct mode: the registration waits for the session database, and
	// then for the anchors that have not answered yet (maar_direct.cpp).
	bool lookup = false;
	std::vector<Ipv6Address> pending;
};

struct Remote {
	Ipv6Address maar;
	std::vector<Ipv6Prefix> prefixes;
	std::vector<Ipv6Prefix> local_prefixes;
	DlifIdentity identity;
	bool identity_from_options = false;
	// A MAAR of a partner's home domain, reached through its home LMA
	// (seed 004 §5): the tunnel and the signalling go there.
	std::optional<Ipv6Address> via;
	// [maar] release_idle_after: the packets its prefixes' serving
	// entries had carried at the last sample that changed them, and when
	// that was (unset until the first sample: a restarted daemon starts
	// the clock again rather than release on a guess).
	std::uint64_t packets = 0;
	std::optional<TimePoint> active_at;

	const Ipv6Address &peer() const noexcept { return via ? *via : maar; }
};

struct SeqRange {
	std::uint16_t first = 0;
	std::uint16_t last = 0;
};

struct Session {
	std::uint32_t number = 0;
	MacAddress mac;
	MnId mn;
	std::string interface;
	SessionState state = SessionState::registering;
	bool attached = true;
	bool returning = false;
	bool legacy = false;
	bool reattach = false;			// attached again while de-registering
	std::optional<TimePoint> attached_at;	// until the registration completes
	std::vector<Ipv6Prefix> prefixes;	// anchored here
	std::optional<Ipv6Prefix> legacy_prefix;	// assigned by the LMA
	std::optional<Ipv6Address> serving_maar;
	std::vector<Remote> remotes;
	std::uint16_t next_seq = 1;
	std::optional<Exchange> exchange;
	std::optional<SeqRange> registration_range;	// late PBAs of the last registration
	std::uint16_t lifetime_units = 0;
	std::optional<TimePoint> expires_at;
	TimerId expiry_timer = 0;
	std::optional<TimePoint> refresh_at;
	TimerId refresh_timer = 0;
	bool verifying = false;			// the next refresh checks the P-MAAR list (locator)
	std::optional<mh::Timestamp> cmd_last_timestamp;
	// The CMD's last accepted sequence number for this node (RFC 5213
	// §5.5 window): a captured PBU replayed later is refused.
	std::optional<std::uint16_t> cmd_last_seq;
	std::optional<Ipv6Address> cmd_seq_context;	// locator mode: whose number it is
	// What was last emitted for this node (diffed on every change).
	std::vector<InstallDlif> installed_dlifs;
	std::vector<InstallEntry> installed_entries;
	// The local networks of its previous MAARs it claims in
	// Impl::shared_claims, withdrawn when it changes or goes.
	std::vector<Ipv6Prefix> shared_claims;
	// The idle previous MAARs the refresh in flight names for release
	// (Previous MAAR options in the PBU): each the CMD's answer no longer
	// lists is dropped. The refresh it brought forward stays planned, in
	// case this one gets no answer.
	std::vector<Ipv6Address> releasing;
	std::optional<TimePoint> planned_refresh;
};

struct PrefixLess {
	bool operator()(const Ipv6Prefix &a, const Ipv6Prefix &b) const noexcept
	{
		const Ipv6Prefix ma = a.masked();
		const Ipv6Prefix mb = b.masked();
		if (ma.address != mb.address)
			return ma.address < mb.address;
		return ma.length < mb.length;
	}
};

// Who claims a shared entry's prefix. Session 0 is this MAAR's own
// configuration; among nodes the lowest session number wins, then the order
// of its previous MAARs and of their local networks: the entry a walk of
// every session in order would have found first.
struct ClaimKey {
	std::uint32_t session = 0;
	std::uint32_t remote = 0;
	std::uint32_t local = 0;
	auto operator<=>(const ClaimKey &) const = default;
};
using Claims = std::map<ClaimKey, InstallEntry>;

struct MaarCore::Impl {
	explicit Impl(MaarConfig cfg);

	MaarConfig config;
	std::optional<std::size_t> self_position;	// in domain.maars, from 0
	PrefixPool pool;
	Numbered<Session> sessions;	// by N
	std::unordered_map<MacAddress, std::uint32_t, dmm::MacHash> by_mac;
	std::unordered_map<std::string, std::uint32_t, MnIdHash, std::equal_to<>> by_mn;
	std::uint32_t next_number = 1;
	std::set<std::uint32_t> free_numbers;
	// First sequence number of the next session: sessions of one node at
	// this MAAR must not reuse numbers that stale answers may still carry.
	std::uint16_t sequence_seed = 1;
	std::uint16_t generation = 0;
	WallClockMap wall;
	// local-export and local-net entries, shared by all nodes.
	std::map<Ipv6Prefix, InstallEntry, PrefixLess> shared_installed;
	// Every claim on a shared prefix, so that an event re-decides only the
	// prefixes it touched (shared_dirty) instead of walking every session.
	std::map<Ipv6Prefix, Claims, PrefixLess> shared_claims;
	std::set<Ipv6Prefix, PrefixLess> shared_dirty;
	std::array<std::uint64_t, static_cast<std::size_t>(Counter::count)> counters{};
	MaarCore::Latencies latencies;
	// This MAAR's own address, pool and local networks: what no peer may
	// claim (claims.hpp).
	std::vector<Ipv6Prefix> own_prefixes;
	// Admission's token bucket for new sessions.
	double admission_tokens = 0;
	std::optional<TimePoint> admission_refilled;

	void count(Counter counter) noexcept { ++counters[static_cast<std::size_t>(counter)]; }
	bool admit(const MacAddress &mac, TimePoint now, Actions &out);
	// A claim refused: counted and logged, never installed.
	void refuse_claim(Actions &out, const Session &session, const Ipv6Address &claimant, std::string_view what,
			  std::string value, std::string_view why);
	void log(Actions &out, LogLevel level, std::string event,
		 std::initializer_list<std::pair<std::string, std::string>> fields);
	std::optional<std::size_t> position_of(const Ipv6Address &maar) const;
	bool is_domain_maar(const Ipv6Address &address) const;
	bool is_home_lma(const Ipv6Address &address) const;
	// The home LMA of a node from a partner domain (by its MN-ID's realm).
	std::optional<Ipv6Address> home_lma_of(const Session &session) const;
	// What the home LMA at `lma_address` may claim for a node
	// (claims.hpp).
	ClaimProblem home_lma_claim_problem(const Ipv6Address &lma_address, const Ipv6Prefix &prefix) const;
	MnId mn_id_of(const MacAddress &mac) const;
	Session *find(const MacAddress &mac);
	Session *find(std::string_view mn);

	// Events.
	void on_event(const Event &event, TimePoint now, Actions &out);
	void on_attached(const MnAttached &attached, TimePoint now, Actions &out);
	void on_detached(const MnDetached &detached, TimePoint now, Actions &out);
	void on_pbu(const Ipv6Address &source, const mh::ProxyBindingUpdate &pbu, TimePoint now, Actions &out);
	void on_pba(const Ipv6Address &source, const mh::ProxyBindingAck &pba, TimePoint now, Actions &out);
	void on_timer(TimerId id, TimePoint now, Actions &out);
	// [maar] release_idle_after: previous MAARs idle for that long are
	// named in an early refresh, which the CMD answers without them.
	void on_traffic(const TrafficSampled &sample, TimePoint now, Actions &out);
	void settle_releases(Session &session, const mh::ProxyBindingAck &pba, TimePoint now, Actions &out);

	// Sessions.
	Session *create(const MacAddress &mac, const std::string &interface, TimePoint now, Actions &out);
	void remove(Session &session, TimePoint now, Actions &out);
	// A new exchange of the session's (the one running is cancelled),
	// numbered and timed from now; the caller sends and arms it.
	Exchange new_exchange(Session &session, ExchangeKind kind, TimePoint now, Actions &out);
	void start_exchange(Session &session, ExchangeKind kind, TimePoint now, Actions &out);
	// The exchange's next PBU gets a new sequence number; answers to the
	// earlier ones still count (registration_range).
	void renumber(Session &session, Exchange &exchange);
	// A retransmission: counted, the timeout doubled, renumbered.
	void back_off(Session &session, Exchange &exchange, TimePoint now);
	bool keeps_trying(const Session &session, TimePoint now) const;
	void another_round(Session &session, Exchange &exchange, Actions &out);
	// An accepted answer to a registration already completed (A11, A13):
	// its previous MAARs merged into the session.
	void merge_late(Session &session, const Ipv6Address &source, const mh::ProxyBindingAck &pba, Actions &out);
	void cancel_exchange(Session &session, Actions &out);
	void exchange_failed(Session &session, std::optional<mh::Status> status, TimePoint now, Actions &out);
	void complete_registration(Session &session, const Ipv6Address &source, const mh::ProxyBindingAck &pba,
				   TimePoint now, Actions &out);
	void merge_previous_maars(Session &session, const Ipv6Address &source, const mh::ProxyBindingAck &pba,
				  Actions &out);
	void become_anchor(Session &session, const Ipv6Address &serving, const mh::ProxyBindingUpdate &pbu,
			   TimePoint now, Actions &out);
	void start_deregistration(Session &session, TimePoint now, Actions &out);
	bool take_legacy_prefix(Session &session, const Ipv6Prefix &assigned, Actions &out);
	void refuse_accepted_registration(Session &session, std::string_view why, TimePoint now, Actions &out);
	void arm_lifetime(Session &session, Duration lifetime, TimePoint now, Actions &out, bool refresh);
	void stop_timer(TimerId &timer, Actions &out);
	TimerId arm(Actions &out, const Session &session, TimerKind kind, Duration after);

	// Messages.
	void send(Actions &out, const Ipv6Address &to, mh::Message message);
	mh::ProxyBindingUpdate make_pbu(const Session &session, ExchangeKind kind, std::uint16_t seq,
					TimePoint now) const;
	mh::ProxyBindingAck anchor_answer(const Session &session, const mh::ProxyBindingUpdate &pbu,
					  bool with_serving) const;
	mh::ProxyBindingAck rejection(const mh::ProxyBindingUpdate &pbu, mh::Status status) const;

	// Kernel state.
	std::string dlif_name(const Session &session, const Ipv6Address &anchoring) const;
	// Where the session's anchors are signalled: each remote's peer(), once.
	static std::vector<Ipv6Address> anchor_peers(const Session &session);
	std::string own_dlif_name(const Session &session) const;
	DlifIdentity own_identity(const Session &session) const;
	RaPlan own_plan(const std::vector<Ipv6Prefix> &prefixes) const;
	RaPlan mirrored_plan(const Remote &remote) const;
	void desired(const Session &session, std::vector<InstallDlif> &dlifs, std::vector<InstallEntry> &entries) const;
	void sync(Session &session, Actions &out);
	// Records what the session claims now (called by sync(): every change
	// of its state, legacy flag or previous MAARs is followed by one).
	void claim_shared(Session &session);
	void withdraw_shared(Session &session);
	// Emits the shared entries whose winner changed since the last call.
	void sync_shared(Actions &out);

	// Direct mode, no CMD (maar_direct.cpp): the session database names
	// the node's anchors and this MAAR signals each of them itself.
	SessionRecord record_of(const Session &session) const;
	void publish(const Session &session, Actions &out) const;
	void start_direct_exchange(Session &session, ExchangeKind kind, TimePoint now, Actions &out);
	void on_sessions_found(const SessionsFound &found, TimePoint now, Actions &out);
	void register_directly(Session &session, TimePoint now, Actions &out);
	void signal_anchors(Session &session, TimePoint now, Actions &out);
	// The lookup's answer: the node is served here, and each anchor named
	// is signalled.
	void anchors_found(Session &session, std::vector<Ipv6Address> anchors, TimePoint now, Actions &out);
	bool querying() const noexcept { return config.direct && config.discovery == MaarConfig::Discovery::query; }
	// Direct mode on a session database: this MAAR writes its records.
	bool keeps_records() const noexcept { return config.direct && !querying(); }
	// An anchor's accepted PBA (004 §4.2 step 7, or without D: R111).
	void merge_anchor_answer(Session &session, const Ipv6Address &source, const mh::ProxyBindingAck &pba,
				 Actions &out);
	void on_direct_pba(Session &session, const Ipv6Address &source, const mh::ProxyBindingAck &pba, TimePoint now,
			   Actions &out);
	void direct_exchange_timeout(Session &session, TimePoint now, Actions &out);
	void end_direct_session(Session &session, TimePoint now, Actions &out);
	// [maar] release_idle_after without a CMD: the serving MAAR ends the
	// idle anchors' bindings itself.
	void release_directly(Session &session, const std::vector<Ipv6Address> &anchors, TimePoint now, Actions &out);
	void drop_remote(Session &session, const Ipv6Address &maar);
	// How long an anchor keeps a binding it was granted.
	Duration anchor_lifetime(mh::Lifetime granted) const;

	// Snapshot and views (maar_snapshot.cpp). The snapshot is the header
	// with the list of every session's record.
	std::string snapshot() const;
	nlohmann::json snapshot_header() const;
	std::string snapshot_record(const Session &session) const;	// JSON text
	// The header (or a whole snapshot) and each record, which `records`
	// hands to its argument one after the other.
	using RecordVisitor = std::function<void(const std::function<void(const nlohmann::json &)> &)>;
	Actions restore(const nlohmann::json &header, const RecordVisitor &records, TimePoint now);	// throws json::SnapshotError
	SessionView view(const Session &session) const;
};

} // namespace dlif::maar
