// SPDX-License-Identifier: GPL-2.0
//
// CmdCore's state, shared by its translation units (core logic, snapshot,
// views). Not installed.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlif/cmd/cmd.hpp"
#include "dlif/dmm/core.hpp"
#include "dlif/dmm/pool.hpp"
#include "dlif/mh/message.hpp"
#include "dlif/mh/small_vector.hpp"

namespace dlif::cmd {

namespace mh = dlif::mh;
using namespace dlif::dmm;
using mh::Lifetime;

// A MAAR by its position in domain.maars: two octets instead of sixteen
// per reference, which keeps a binding small at a million nodes.
using MaarIndex = std::uint16_t;
inline constexpr MaarIndex kNoMaar = 0xffff;

// One prefix inline: a node has one prefix per MAAR in practice.
using PrefixList = mh::SmallVector<Ipv6Prefix, 1>;

// The P-MAAR list holds at most this many elements (the outstanding PBU
// index of a timer id is one octet).
inline constexpr std::size_t kMaxPreviousMaars = 255;

enum class TimerKind : std::uint8_t { expiry = 1, outstanding = 2, relay = 3 };

#define DLIF_CMD_COUNTERS(X)                                                                      \
	X(rx_pbu) X(rx_pba) X(rx_binding_error) X(tx_pbu) X(tx_pba) X(retransmissions)            \
	X(drop_unknown_peer) X(drop_not_proxy) X(drop_stale_sequence) X(drop_stale_timestamp)     \
	X(drop_stale_refresh) X(drop_unmatched_pba) X(drop_malformed) X(drop_stale_timer)         \
	X(rejected_missing_option) X(rejected_d_flag) X(rejected_plain_mag)                      \
	X(rejected_binding_kind) X(rejected_no_prefix) X(registrations) X(handovers) X(returns)   \
	X(refreshes) X(reregistrations) X(deregistrations) X(renewals) X(expirations)            \
	X(queued_handovers) X(previous_maar_failures) X(relay_timeouts) X(lma_registrations)      \
	X(lma_handovers) X(lma_deregistrations) X(rejected_prefix) X(refused_claims)              \
	X(duplicate_pbus) X(sequence_resyncs) X(internal_errors) X(previous_maars_pruned)         \
	X(paced_pbus) X(visited_handovers) X(visited_unknown_node) X(previous_maars_released)

enum class Counter : std::size_t {
#define DLIF_X(name) name,
	DLIF_CMD_COUNTERS(DLIF_X)
#undef DLIF_X
		count
};

// An element of the P-MAAR list.
struct Element {
	MaarIndex maar = kNoMaar;
	PrefixList prefixes;
	std::optional<DlifIdentity> identity;
	bool confirmed = false;
};

// A PBU the CMD sent to a previous MAAR and retransmits until its PBA.
struct Outstanding {
	MaarIndex maar = kNoMaar;
	std::uint16_t first_seq = 0;
	std::uint16_t last_seq = 0;
	unsigned retransmissions = 0;
	Duration timeout{0};
	TimePoint deadline{};
	TimerId timer = 0;
	bool resolved = false;
	bool resynced = false;		// renumbered once after a status 135
	// Pacing (cmd_pacing.cpp): sent and holding a place in its MAAR's
	// window, or waiting for one (never sent yet).
	bool in_flight = false;
	bool waiting = false;
	// When its first and its latest copy left. Every copy has its own
	// sequence number, which the PBA echoes, so an answer to either of
	// them measures the MAAR's answer time without Karn's ambiguity.
	std::optional<TimePoint> first_sent;
	TimePoint last_sent{};
};

// A waiting Outstanding, found again through its binding's slot; stale
// tickets (the binding gone, the exchange over) are skipped.
struct FlightTicket {
	std::uint32_t slot = 0;
	std::uint16_t first_seq = 0;
	std::uint8_t index = 0;
};

// The CMD's exchanges with one MAAR: how many are in flight, those
// waiting for a place, and the MAAR's answer time (RFC 6298's estimator)
// from which the first retransmission timeout is taken.
struct Flight {
	std::uint32_t in_flight = 0;
	std::deque<FlightTicket> waiting;
	std::optional<Duration> srtt;
	Duration rttvar{0};
	// The longest timeout a retransmission to this MAAR reached since the
	// last measurement: new exchanges start there (RFC 6298 §5.7), so that
	// a MAAR that stopped answering in time is not sent copies of every
	// new exchange until an answer tells how slow it is.
	Duration backoff{0};
};

struct QueuedPbu {
	Ipv6Address source;
	mh::ProxyBindingUpdate pbu;
};

// Work in progress on a binding; allocated only while there is some.
struct Pending {
	enum class Kind : std::uint8_t { handover, cleanup };
	Kind kind = Kind::handover;
	// handover: the new serving MAAR's PBU (the PBA answers its latest
	// sequence number and echoes its timestamp).
	std::uint16_t smaar_first_seq = 0;
	std::uint16_t smaar_seq = 0;
	std::optional<mh::Timestamp> smaar_timestamp;
	bool pba_sent = false;
	std::optional<TimePoint> relay_deadline;
	TimerId relay_timer = 0;
	std::vector<Outstanding> outstanding;
	// PBUs of later handovers, processed when this one is over (A37).
	std::vector<QueuedPbu> queue;
};

struct Binding {
	std::uint32_t slot = 0;
	bool lma = false;
	MaarIndex serving = kNoMaar;
	std::uint8_t handoff_indicator = 0;	// of the serving MAAR's last PBU (echoed)
	std::uint8_t access_technology = 0;
	std::uint16_t lifetime_units = 0;	// granted
	std::uint16_t cmd_seq = 0;		// the CMD's own PBUs about this node
	// Ordering (RFC 6275 §9.5.1 / RFC 5213 §5.5). A sequence number is
	// compared only with the last one accepted from the same proxy-CoA
	// (A32).
	bool has_seq = false;
	std::uint16_t last_seq = 0;
	MaarIndex seq_context = kNoMaar;
	std::optional<mh::Timestamp> last_timestamp;
	PrefixList prefixes;
	std::optional<DlifIdentity> serving_identity;
	std::optional<MacAddress> mn_mac;
	std::vector<Element> elements;		// newest first
	TimePoint expires_at{};
	TimerId expiry_timer = 0;
	std::uint32_t lma_number = 0;		// LMA: N of its DLIF "mn<N>lma"
	std::unique_ptr<Pending> pending;
};

using BindingMap = std::unordered_map<std::string, Binding, MnIdHash, std::equal_to<>>;
using BindingNode = BindingMap::value_type;

struct AddressHash {
	std::size_t operator()(const Ipv6Address &address) const noexcept;
};

struct CmdCore::Impl {
	explicit Impl(CmdConfig cfg);

	CmdConfig config;
	std::vector<Ipv6Address> maars;		// domain.maars
	std::unordered_map<Ipv6Address, MaarIndex, AddressHash> maar_index;
	std::vector<std::vector<Ipv6Prefix>> local_prefixes;	// per MAAR, from its PBUs/PBAs
	BindingMap bindings;
	std::vector<BindingNode *> slots;	// slot -> binding, for timers
	std::vector<std::uint32_t> free_slots;
	std::uint16_t generation = 0;
	WallClockMap wall;
	PrefixPool lma_pool;
	std::uint32_t next_lma_number = 1;
	// Released LMA DLIF numbers; the lowest is reused first. A set, so
	// that a registration does not sort them all.
	std::set<std::uint32_t> free_lma_numbers;
	std::array<std::uint64_t, static_cast<std::size_t>(Counter::count)> counters{};
	// The CMD's own address and LMA pool: what no MAAR may claim.
	std::vector<Ipv6Prefix> own_prefixes;
	// Per MAAR (domain.maars): the pacing of the CMD's PBUs to it, and the
	// MAARs whose window gained a place during the current event.
	std::vector<Flight> flights;
	std::vector<MaarIndex> landed;
	// Home LMA (config.roaming): the relays installed for each node served
	// by a visited MAAR, to diff against after every event.
	std::unordered_map<std::string, std::vector<InstallRelay>> relayed;
	// bindings_by_serving_maar() by MAAR index, kept as bindings change
	// so that asking costs no pass over them: every change of a
	// binding's serving MAAR or pending exchange goes through
	// set_serving() or set_pending(), and erase() takes the binding out.
	std::vector<CmdCore::ServingCount> serving_counts;
	void tally(const Binding &binding, bool add);
	void set_serving(Binding &binding, MaarIndex maar);
	void set_pending(Binding &binding, std::unique_ptr<Pending> pending);

	void count(Counter counter, std::uint64_t by = 1) noexcept
	{
		counters[static_cast<std::size_t>(counter)] += by;
	}
	std::optional<MaarIndex> index_of(const Ipv6Address &address) const;
	// A MAAR of a partner domain (config.roaming), past domain.maars.
	bool is_visited(MaarIndex index) const noexcept
	{
		return index != kNoMaar && index >= config.domain.maars.size();
	}
	const Ipv6Address &address_of(MaarIndex index) const { return maars.at(index); }

	// Events.
	void on_event(const Event &event, TimePoint now, Actions &out);
	void on_pbu(const Ipv6Address &source, const mh::ProxyBindingUpdate &pbu, TimePoint now, Actions &out,
		    bool requeued);
	void on_pba(const Ipv6Address &source, const mh::ProxyBindingAck &pba, TimePoint now, Actions &out);
	void on_timer(TimerId id, TimePoint now, Actions &out);

	// DMM bindings.
	void dmm_pbu(MaarIndex maar, std::string_view mn, const mh::ProxyBindingUpdate &pbu, TimePoint now,
		     Actions &out, bool requeued);
	void register_initial(MaarIndex maar, std::string_view mn, const mh::ProxyBindingUpdate &pbu, TimePoint now,
			      Actions &out);
	void from_serving(BindingNode &node, const mh::ProxyBindingUpdate &pbu, TimePoint now, Actions &out);
	void start_handover(BindingNode &node, MaarIndex maar, const mh::ProxyBindingUpdate &pbu, TimePoint now,
			    Actions &out);
	void deregistration(BindingNode &node, MaarIndex maar, const mh::ProxyBindingUpdate &pbu, TimePoint now,
			    Actions &out);
	void start_cleanup(BindingNode &node, TimePoint now, Actions &out, bool include_serving);
	void resolve(BindingNode &node, std::size_t outstanding, bool accepted, const mh::ProxyBindingAck *pba,
		     TimePoint now, Actions &out);
	void maybe_complete(BindingNode &node, TimePoint now, Actions &out);
	void drain(std::vector<QueuedPbu> queue, TimePoint now, Actions &out);

	// LMA service for plain MAGs.
	void lma_pbu(MaarIndex maar, std::string_view mn, const mh::ProxyBindingUpdate &pbu, TimePoint now,
		     Actions &out, bool requeued);
	void lma_remove(BindingNode &node, Actions &out);
	std::string lma_dlif_name(const Binding &binding) const;
	InstallDlif lma_dlif(const BindingNode &node) const;

	bool is_repeat(const Binding &binding, MaarIndex maar, const mh::ProxyBindingUpdate &pbu) const;
	void answer_repeat(const BindingNode &node, const mh::ProxyBindingUpdate &pbu, Actions &out);

	// What MAARs claim (claims.hpp): refused claims are counted and logged.
	void refuse_claim(Actions &out, std::string_view mn, MaarIndex claimant, std::string_view option,
			  std::string value, std::string_view why);
	PrefixList valid_prefixes(const mh::MobilityOptions &options, MaarIndex claimant, std::string_view mn,
				  Actions &out);
	std::optional<DlifIdentity> valid_identity(const mh::MobilityOptions &options, MaarIndex claimant,
						   std::string_view mn, Actions &out);
	void take_local_prefixes(const mh::MobilityOptions &options, MaarIndex claimant, std::string_view mn,
				 Actions &out);

	// Messages.
	void send(Actions &out, MaarIndex to, mh::Message message);
	void reply(Actions &out, MaarIndex to, mh::ProxyBindingAck pba) { send(out, to, std::move(pba)); }
	mh::ProxyBindingAck rejection(const mh::ProxyBindingUpdate &pbu, mh::Status status, bool dmm) const;
	mh::ProxyBindingAck answer(const BindingNode &node, std::uint16_t seq, std::optional<mh::Timestamp> echo,
				   bool dmm) const;
	void send_serving_pbas(const BindingNode &node, std::uint16_t seq, std::optional<mh::Timestamp> echo,
			       const Element *first, bool details_of_others, Actions &out);
	// The PBA to the serving MAAR with every previous MAAR, the details
	// (DLIF, Local Prefix options) of `lead`'s.
	mh::ProxyBindingAck serving_pba(const BindingNode &node, std::uint16_t seq, std::optional<mh::Timestamp> echo,
					const Element *lead) const;
	// Home LMA: what the kernel should relay for a node, and the actions
	// that bring the installed relays of each node named by a StateChanged
	// among out[from...] there.
	std::vector<InstallRelay> relays_of(const BindingNode &node) const;
	void sync_relays(std::size_t from, Actions &out);
	// Whether every PBA the serving MAAR may get for this binding fits in
	// one Mobility Header (2,048 octets).
	bool serving_pbas_fit(const BindingNode &node) const;
	// Drops the oldest previous MAARs until the serving PBAs fit; each
	// dropped one is told to release the node's prefix (lifetime-0 PBU).
	void prune_previous_maars(BindingNode &node, TimePoint now, Actions &out);
	// A refresh from the serving MAAR naming idle previous MAARs.
	void release_previous_maars(BindingNode &node, const mh::ProxyBindingUpdate &pbu, TimePoint now,
				    Actions &out);
	mh::ProxyBindingUpdate forward(const BindingNode &node, const Element &element, std::uint16_t seq,
				       bool cleanup, TimePoint now) const;
	void send_outstanding(BindingNode &node, std::size_t index, TimePoint now, Actions &out);

	// Pacing of the PBUs to previous MAARs (cmd_pacing.cpp). take_off:
	// whether the exchange may be sent now (else it waits for a place in
	// its MAAR's window). land: the exchange leaves the window or the
	// queue. launch_waiting: after an event, waiting exchanges take the
	// places that were freed.
	bool take_off(Binding &binding, Outstanding &outstanding, std::size_t index);
	void land(Outstanding &outstanding);
	void measure(Outstanding &outstanding, std::uint16_t answered_seq, TimePoint now);
	void backed_off(const Outstanding &outstanding);
	void launch_waiting(TimePoint now, Actions &out);
	Duration first_timeout(MaarIndex maar) const;

	// Bindings and timers.
	BindingNode &insert(std::string_view mn);
	void erase(BindingNode &node, Actions &out);
	TimerId arm(Actions &out, const Binding &binding, TimerKind kind, std::uint8_t index, Duration after);
	void restart_expiry(Binding &binding, TimePoint now, Actions &out);
	void stop_pending_timers(Binding &binding, Actions &out);
	Lifetime grant(const mh::ProxyBindingUpdate &pbu) const;
	std::optional<mh::Status> check_order(const Binding *binding, MaarIndex maar, const mh::ProxyBindingUpdate &pbu,
					      TimePoint now, bool requeued, std::uint16_t &answer_seq,
					      std::optional<mh::Timestamp> &answer_timestamp) const;
	void note_accepted(Binding &binding, MaarIndex maar, const mh::ProxyBindingUpdate &pbu);
	Element *element_of(Binding &binding, MaarIndex maar);
	bool has_details(const Element &element, const std::string &mn) const;
	void log(Actions &out, LogLevel level, std::string event,
		 std::initializer_list<std::pair<std::string, std::string>> fields);

	// Snapshot and views (cmd_snapshot.cpp). The snapshot is the header
	// with the list of every binding's record.
	std::string snapshot() const;
	nlohmann::json snapshot_header() const;
	std::string snapshot_record(const BindingNode &node) const;	// JSON text
	// The header (or a whole snapshot) and each record, which `records`
	// hands to its argument one after the other.
	using RecordVisitor = std::function<void(const std::function<void(const nlohmann::json &)> &)>;
	Actions restore(const nlohmann::json &header, const RecordVisitor &records, TimePoint now);	// throws json::SnapshotError
	BindingView view(const BindingNode &node) const;
};

std::string_view counter_name(Counter counter) noexcept;

} // namespace dlif::cmd
