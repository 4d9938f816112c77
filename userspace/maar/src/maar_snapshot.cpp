// SPDX-License-Identifier: GPL-2.0
//
// The MAAR's snapshot (persistence) and its views (queries).
#include <algorithm>

#include "dlif/dmm/core_entry.hpp"
#include "dlif/dmm/json.hpp"
#include "dlif/dmm/json_writer.hpp"
#include "maar_impl.hpp"

namespace dlif::maar {

namespace {

using json::Json;
using json::SnapshotError;

constexpr const char *kFormat = "dlifd-maar-snapshot";
constexpr std::int64_t kVersion = 1;

std::uint16_t u16(const Json &value)
{
	return static_cast<std::uint16_t>(json::unsigned_from(value, 0xffff));
}

Duration remaining(TimePoint deadline, TimePoint now)
{
	return deadline > now ? std::chrono::ceil<Duration>(deadline - now) : Duration::zero();
}

std::optional<SessionState> state_from(const std::string &text)
{
	for (const auto state : {SessionState::registering, SessionState::serving, SessionState::anchor,
				 SessionState::deregistering})
		if (name(state) == text)
			return state;
	return std::nullopt;
}

std::optional<ExchangeKind> kind_from(const std::string &text)
{
	for (const auto kind : {ExchangeKind::registration, ExchangeKind::refresh, ExchangeKind::deregistration,
				ExchangeKind::anchor_deregistration})
		if (name(kind) == text)
			return kind;
	return std::nullopt;
}

} // namespace

std::string MaarCore::Impl::snapshot_record(const Session &session) const
{
	json::Writer out;
	const auto optional_time = [&](std::string_view key, const std::optional<TimePoint> &time) {
		out.key(key);
		time ? out.value(wall.to_wall_ms(*time)) : out.value(nullptr);
	};
	out.begin_object();
	out.member("number", session.number);
	out.member("mac", session.mac);
	out.member("mn", session.mn.nai);
	out.member("interface", session.interface);
	out.member("state", name(session.state));
	out.member("attached", session.attached);
	out.member("returning", session.returning);
	out.member("legacy", session.legacy);
	out.member("reattach", session.reattach);
	out.member("prefixes", session.prefixes);
	out.member("legacy_prefix", session.legacy_prefix);
	out.member("serving_maar", session.serving_maar);
	out.key("remotes").begin_array();
	for (const auto &remote : session.remotes) {
		out.begin_object();
		out.member("maar", remote.maar);
		out.member("prefixes", remote.prefixes);
		out.member("local_prefixes", remote.local_prefixes);
		out.member("identity", remote.identity);
		out.member("identity_from_options", remote.identity_from_options);
		if (remote.via)
			out.member("via", *remote.via);
		out.end_object();
	}
	out.end_array();
	out.member("next_seq", session.next_seq);
	out.key("exchange");
	if (session.exchange) {
		const Exchange &e = *session.exchange;
		out.begin_object();
		out.member("kind", name(e.kind));
		out.member("first_seq", e.first_seq);
		out.member("last_seq", e.last_seq);
		out.member("retransmissions", e.retransmissions);
		out.member("timeout_ms", e.timeout.count());
		out.member("deadline_ms", wall.to_wall_ms(e.deadline));
		if (e.lookup)
			out.member("lookup", true);
		if (!e.pending.empty()) {
			out.key("pending").begin_array();
			for (const auto &maar : e.pending)
				out.value(maar);
			out.end_array();
		}
		out.end_object();
	} else {
		out.value(nullptr);
	}
	out.key("registration_range");
	if (session.registration_range)
		out.begin_array()
			.value(session.registration_range->first)
			.value(session.registration_range->last)
			.end_array();
	else
		out.value(nullptr);
	out.member("lifetime_units", session.lifetime_units);
	optional_time("expires_at_ms", session.expires_at);
	optional_time("refresh_at_ms", session.refresh_at);
	out.member("verifying", session.verifying);
	out.member("cmd_last_timestamp", session.cmd_last_timestamp);
	out.member("cmd_last_seq", session.cmd_last_seq);
	out.member("cmd_seq_context", session.cmd_seq_context);
	out.end_object();
	return out.take();
}

Json MaarCore::Impl::snapshot_header() const
{
	return Json{{"format", kFormat},
		    {"version", kVersion},
		    {"address", json::to_json(config.address)},
		    {"pool_cursor", pool.cursor()},
		    {"next_number", next_number},
		    {"sequence_seed", sequence_seed}};
}

std::string MaarCore::Impl::snapshot() const
{
	const Json header = snapshot_header();
	json::Writer out;
	out.begin_object();
	for (const auto &[name, value] : header.items())
		out.key(name).raw(value.dump());
	out.key("sessions").begin_array();
	for (const auto &[number, session] : sessions)
		out.raw(snapshot_record(session));
	out.end_array();
	out.end_object();
	return out.take();
}

Actions MaarCore::Impl::restore(const Json &snapshot, const RecordVisitor &records, TimePoint now)
{
	if (json::string_from(json::member(snapshot, "format")) != kFormat)
		throw SnapshotError("not a MAAR snapshot");
	if (json::integer_from(json::member(snapshot, "version")) != kVersion)
		throw SnapshotError("unsupported snapshot version");
	if (json::address_from(json::member(snapshot, "address")) != config.address)
		throw SnapshotError("snapshot of another MAAR");
	pool.set_cursor(json::unsigned_from(json::member(snapshot, "pool_cursor"), UINT64_MAX));
	next_number = static_cast<std::uint32_t>(json::unsigned_from(json::member(snapshot, "next_number"), UINT32_MAX));
	sequence_seed = u16(json::member(snapshot, "sequence_seed"));

	const auto optional_time = [&](const Json &value) -> std::optional<TimePoint> {
		if (value.is_null())
			return std::nullopt;
		return wall.from_wall_ms(json::integer_from(value));
	};

	Actions out;
	records([&](const Json &item) {
		Session session;
		session.number = static_cast<std::uint32_t>(json::unsigned_from(json::member(item, "number"), UINT32_MAX));
		if (session.number == 0 || session.number >= next_number || sessions.contains(session.number))
			throw SnapshotError("bad session number " + std::to_string(session.number));
		session.mac = json::mac_from(json::member(item, "mac"));
		session.mn = MnId{json::string_from(json::member(item, "mn"))};
		if (by_mac.contains(session.mac) || by_mn.contains(session.mn.nai))
			throw SnapshotError("node listed twice: " + session.mn.nai);
		session.interface = json::string_from(json::member(item, "interface"));
		const auto state = state_from(json::string_from(json::member(item, "state")));
		if (!state)
			throw SnapshotError("unknown session state");
		session.state = *state;
		session.attached = json::bool_from(json::member(item, "attached"));
		session.returning = json::bool_from(json::member(item, "returning"));
		session.legacy = json::bool_from(json::member(item, "legacy"));
		session.reattach = json::bool_from(json::member(item, "reattach"));
		session.prefixes = json::prefixes_from(json::member(item, "prefixes"));
		for (const auto &prefix : session.prefixes)
			if (!pool.claim(prefix))
				throw SnapshotError("prefix " + prefix.to_string() + " not in the pool or used twice");
		const Json &legacy_prefix = json::member(item, "legacy_prefix");
		if (!legacy_prefix.is_null()) {
			session.legacy_prefix = json::prefix_from(legacy_prefix);
			// An LMA's echo of one of this MAAR's own prefixes.
			if (pool.contains(*session.legacy_prefix) && !pool.claim(*session.legacy_prefix))
				throw SnapshotError("prefix " + session.legacy_prefix->to_string() + " used twice");
		}
		const Json &serving = json::member(item, "serving_maar");
		if (!serving.is_null())
			session.serving_maar = json::address_from(serving);
		if (session.state == SessionState::anchor && !session.serving_maar)
			throw SnapshotError("anchor session without a serving MAAR");
		for (const auto &value : json::member(item, "remotes")) {
			Remote remote;
			remote.maar = json::address_from(json::member(value, "maar"));
			// Absent before inter-domain continuity: none was reached
			// through a home LMA.
			if (const auto via = value.find("via"); via != value.end()) {
				remote.via = json::address_from(*via);
				if (!is_home_lma(*remote.via))
					throw SnapshotError("previous MAAR " + remote.maar.to_string() + " through " +
							    remote.via->to_string() + ", not a home LMA");
			} else if (!is_domain_maar(remote.maar)) {
				throw SnapshotError("previous MAAR " + remote.maar.to_string() + " not in domain.maars");
			}
			remote.prefixes = json::prefixes_from(json::member(value, "prefixes"));
			remote.local_prefixes = json::prefixes_from(json::member(value, "local_prefixes"));
			remote.identity = json::identity_from(json::member(value, "identity"));
			remote.identity_from_options = json::bool_from(json::member(value, "identity_from_options"));
			session.remotes.push_back(std::move(remote));
		}
		session.next_seq = u16(json::member(item, "next_seq"));
		const Json &exchange = json::member(item, "exchange");
		if (!exchange.is_null()) {
			Exchange e;
			const auto kind = kind_from(json::string_from(json::member(exchange, "kind")));
			if (!kind)
				throw SnapshotError("unknown exchange kind");
			e.kind = *kind;
			e.first_seq = u16(json::member(exchange, "first_seq"));
			e.last_seq = u16(json::member(exchange, "last_seq"));
			e.retransmissions = static_cast<unsigned>(
				json::unsigned_from(json::member(exchange, "retransmissions"), UINT32_MAX));
			e.timeout = Duration(json::integer_from(json::member(exchange, "timeout_ms")));
			e.deadline = wall.from_wall_ms(json::integer_from(json::member(exchange, "deadline_ms")));
			// Direct mode only.
			if (const auto lookup = exchange.find("lookup"); lookup != exchange.end())
				e.lookup = json::bool_from(*lookup);
			if (const auto pending = exchange.find("pending"); pending != exchange.end()) {
				if (!pending->is_array())
					throw SnapshotError("bad exchange pending");
				for (const auto &maar : *pending) {
					e.pending.push_back(json::address_from(maar));
					if (!is_domain_maar(e.pending.back()) && !is_home_lma(e.pending.back()))
						throw SnapshotError("pending MAAR " + e.pending.back().to_string() +
								    " not in domain.maars");
				}
			}
			session.exchange = e;
		}
		const Json &range = json::member(item, "registration_range");
		if (!range.is_null()) {
			if (!range.is_array() || range.size() != 2)
				throw SnapshotError("bad registration_range");
			session.registration_range = SeqRange{u16(range[0]), u16(range[1])};
		}
		session.lifetime_units = u16(json::member(item, "lifetime_units"));
		session.expires_at = optional_time(json::member(item, "expires_at_ms"));
		session.refresh_at = optional_time(json::member(item, "refresh_at_ms"));
		session.verifying = json::bool_from(json::member(item, "verifying"));
		const Json &timestamp = json::member(item, "cmd_last_timestamp");
		if (!timestamp.is_null())
			session.cmd_last_timestamp = mh::Timestamp::from_raw(json::unsigned_from(timestamp, UINT64_MAX));
		// Absent from snapshots of earlier versions: the window starts
		// again with the CMD's next PBU.
		if (const auto seq = item.find("cmd_last_seq"); seq != item.end() && !seq->is_null())
			session.cmd_last_seq = u16(*seq);
		if (const auto context = item.find("cmd_seq_context"); context != item.end() && !context->is_null())
			session.cmd_seq_context = json::address_from(*context);

		const std::uint32_t number = session.number;
		by_mac.emplace(session.mac, number);
		by_mn.emplace(session.mn.nai, number);
		Session &stored = *sessions.emplace(number, std::move(session)).first;
		if (stored.exchange)
			stored.exchange->timer = arm(out, stored, TimerKind::exchange, remaining(stored.exchange->deadline, now));
		if (stored.expires_at)
			stored.expiry_timer = arm(out, stored, TimerKind::expiry, remaining(*stored.expires_at, now));
		if (stored.refresh_at)
			stored.refresh_timer = arm(out, stored, TimerKind::refresh, remaining(*stored.refresh_at, now));
	});
	for (std::uint32_t number = 1; number < next_number; ++number)
		if (!sessions.contains(number))
			free_numbers.insert(number);
	// What the daemon reconciles the kernel with: every object this MAAR
	// owns, create-or-replace, so flows are not torn down.
	for (auto &&[number, session] : sessions)
		claim_shared(session);
	sync_shared(out);
	for (auto &&[number, session] : sessions)
		sync(session, out);
	return out;
}

SessionView MaarCore::Impl::view(const Session &session) const
{
	SessionView view;
	view.mn = session.mn;
	view.mac = session.mac;
	view.number = session.number;
	view.state = session.state;
	view.attached = session.attached;
	view.returning = session.returning;
	view.legacy = session.legacy;
	view.access_interface = session.interface;
	view.anchored_prefixes = session.prefixes;
	if (session.state == SessionState::serving)
		view.serving_prefixes =
			session.legacy && session.legacy_prefix ? std::vector<Ipv6Prefix>{*session.legacy_prefix}
								: session.prefixes;
	if (session.state == SessionState::anchor || session.returning)
		view.serving_maar = session.serving_maar;
	if (session.legacy)
		view.lma = config.cmd;
	for (const auto &remote : session.remotes)
		view.anchors.push_back(AnchorView{remote.maar, remote.prefixes, remote.local_prefixes, remote.identity,
						  remote.identity_from_options, dlif_name(session, remote.maar), remote.via});
	view.dlifs = session.installed_dlifs;
	view.entries = session.installed_entries;
	view.lifetime = std::chrono::duration_cast<Duration>(Lifetime::from_units(session.lifetime_units).duration());
	view.expires_at = session.expires_at;
	view.refresh_at = session.refresh_at;
	view.verifying = session.verifying;
	if (session.exchange) {
		view.exchange = std::string(name(session.exchange->kind));
		view.last_sequence = session.exchange->last_seq;
		view.retransmissions = session.exchange->retransmissions;
	}
	return view;
}

std::string MaarCore::snapshot() const
{
	return impl_->snapshot();
}

std::string MaarCore::snapshot_header() const
{
	return impl_->snapshot_header().dump();
}

std::optional<std::string> MaarCore::snapshot_record(std::string_view mn) const
{
	const auto it = impl_->by_mn.find(mn);
	if (it == impl_->by_mn.end())
		return std::nullopt;
	return impl_->snapshot_record(impl_->sessions.at(it->second));
}

mh::Result<Actions, std::string> MaarCore::restore(std::string_view text, TimePoint now)
{
	return dmm::detail::restore_snapshot(impl_, text, "sessions", now);
}

mh::Result<Actions, std::string> MaarCore::restore(std::string_view header, std::span<const std::string> records,
						   TimePoint now)
{
	return dmm::detail::restore_records(impl_, header, records, now);
}

std::vector<SessionView> MaarCore::sessions() const
{
	std::vector<SessionView> views;
	for (const auto &[number, session] : impl_->sessions)
		views.push_back(impl_->view(session));
	return views;
}

std::vector<SessionView> MaarCore::sessions_page(std::optional<std::uint32_t> after, std::size_t limit) const
{
	std::vector<SessionView> views;
	auto it = after ? impl_->sessions.upper_bound(*after) : impl_->sessions.begin();
	for (; it != impl_->sessions.end() && views.size() < limit; ++it)
		views.push_back(impl_->view((*it).second));
	return views;
}

std::optional<SessionView> MaarCore::session(const MacAddress &mn) const
{
	const auto it = impl_->by_mac.find(mn);
	if (it == impl_->by_mac.end())
		return std::nullopt;
	return impl_->view(impl_->sessions.at(it->second));
}

std::optional<SessionView> MaarCore::session(const MnId &mn) const
{
	const auto it = impl_->by_mn.find(mn.nai);
	if (it == impl_->by_mn.end())
		return std::nullopt;
	return impl_->view(impl_->sessions.at(it->second));
}

namespace {

Json session_item(const SessionView &view, TimePoint now)
{
	const auto optional_remaining = [&](const std::optional<TimePoint> &time) {
		return time ? Json(remaining(*time, now).count()) : Json(nullptr);
	};
	Json anchors = Json::array();
	for (const auto &anchor : view.anchors) {
		anchors.push_back({{"maar", json::to_json(anchor.maar)},
				   {"prefixes", json::to_json(anchor.prefixes)},
				   {"local_prefixes", json::to_json(anchor.local_prefixes)},
				   {"identity", json::to_json(anchor.identity)},
				   {"identity_from_options", anchor.identity_from_options},
				   {"dlif", anchor.dlif}});
		if (anchor.via)
			anchors.back()["via"] = json::to_json(*anchor.via);
	}
	Json dlifs = Json::array();
	for (const auto &dlif : view.dlifs)
		dlifs.push_back(json::to_json(dlif));
	Json entries = Json::array();
	for (const auto &entry : view.entries)
		entries.push_back(json::to_json(entry));
	Json item{{"mn", view.mn.nai},
		  {"mac", json::to_json(view.mac)},
		  {"number", view.number},
		  {"state", name(view.state)},
		  {"attached", view.attached},
		  {"returning", view.returning},
		  {"legacy", view.legacy},
		  {"interface", view.access_interface},
		  {"anchored_prefixes", json::to_json(view.anchored_prefixes)},
		  {"serving_prefixes", json::to_json(view.serving_prefixes)},
		  {"serving_maar", view.serving_maar ? json::to_json(*view.serving_maar) : Json(nullptr)},
		  {"lma", view.lma ? json::to_json(*view.lma) : Json(nullptr)},
		  {"anchors", std::move(anchors)},
		  {"dlifs", std::move(dlifs)},
		  {"entries", std::move(entries)},
		  {"lifetime_s", std::chrono::duration_cast<std::chrono::seconds>(view.lifetime).count()},
		  {"expires_in_ms", optional_remaining(view.expires_at)},
		  {"refresh_in_ms", optional_remaining(view.refresh_at)},
		  {"verifying", view.verifying},
		  {"exchange", view.exchange ? Json(*view.exchange) : Json(nullptr)},
		  {"retransmissions", view.retransmissions}};
	if (view.last_sequence)
		item["last_sequence"] = *view.last_sequence;
	return item;
}

} // namespace

std::string MaarCore::sessions_json(TimePoint now) const
{
	Json list = Json::array();
	for (const auto &view : sessions())
		list.push_back(session_item(view, now));
	return list.dump();
}

std::string MaarCore::session_json(const SessionView &view, TimePoint now) const
{
	return session_item(view, now).dump();
}

std::string MaarCore::counters_json() const
{
	Json object = Json::object();
	for (const auto &[key, value] : counters())
		object[key] = value;
	return object.dump();
}

} // namespace dlif::maar
