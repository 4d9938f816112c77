// SPDX-License-Identifier: GPL-2.0
//
// Direct mode: a MAAR without a CMD (seed 004 §3-§4.2, seed 002's session
// database). The domain's session database holds, per node, one record
// per MAAR that anchors prefixes of it (SessionRecord). Where the node
// attaches, the MAAR allocates a prefix, writes its own record, reads the
// others (LookupSessions) and serves the node at once with its new
// prefix. It then sends a PBU (D flag, its own Serving MAAR address) to
// every other MAAR with a record, which re-points its anchor entry here and
// answers with the anchored prefixes, its DLIF identity and its Local
// Prefixes (004 §4.2 step 7): the same options a previous MAAR gives the
// CMD, so the rest is the locator-mode merge. The serving MAAR refreshes
// each anchor before its lifetime runs out and ends their bindings with a
// lifetime-0 PBU when its own session ends; an anchor that hears nothing
// for a lifetime ends its binding itself. See Documentation/design.rst
// ("Direct mode").
#include <algorithm>

#include "dlif/dmm/claims.hpp"
#include "maar_impl.hpp"

namespace dlif::maar {

namespace {

using mh::BaFlag;

bool has(const std::vector<Ipv6Address> &addresses, const Ipv6Address &address)
{
	return std::find(addresses.begin(), addresses.end(), address) != addresses.end();
}

} // namespace

SessionRecord MaarCore::Impl::record_of(const Session &session) const
{
	SessionRecord record;
	record.maar = config.address;
	record.prefixes = session.prefixes;
	record.identity = own_identity(session);
	record.local_prefixes = config.local_prefixes;
	return record;
}

void MaarCore::Impl::publish(const Session &session, Actions &out) const
{
	if (keeps_records())
		out.push_back(PublishSession{session.mn.nai, record_of(session)});
}

std::vector<PublishSession> MaarCore::session_records() const
{
	std::vector<PublishSession> records;
	if (!impl_->keeps_records())
		return records;
	for (const auto &[number, session] : impl_->sessions)
		if (!session.prefixes.empty() && session.state != SessionState::deregistering)
			records.push_back(PublishSession{session.mn.nai, impl_->record_of(session)});
	return records;
}

void MaarCore::Impl::start_direct_exchange(Session &session, ExchangeKind kind, TimePoint now, Actions &out)
{
	if (kind == ExchangeKind::deregistration || kind == ExchangeKind::anchor_deregistration)
		return;	// end_direct_session() and the anchor's expiry need no exchange
	Exchange exchange = new_exchange(session, kind, now, out);
	if (kind == ExchangeKind::registration) {
		// The anchors first: the database answers through the daemon.
		exchange.lookup = true;
		if (querying()) {
			// Distributed discovery (003 §4, R137): every other MAAR
			// of the domain is asked.
			std::vector<Ipv6Address> others;
			for (const auto &maar : config.domain.maars)
				if (maar != config.address)
					others.push_back(maar);
			session.exchange = std::move(exchange);
			anchors_found(session, std::move(others), now, out);
			return;
		}
		count(Counter::session_lookups);
		out.push_back(LookupSessions{session.mn.nai});
	} else {
		// A refresh. This MAAR grants its own lifetime; the anchors are
		// asked to keep theirs.
		count(Counter::refreshes);
		arm_lifetime(session, config.timers.lifetime, now, out, true);
		exchange.pending = anchor_peers(session);
		if (exchange.pending.empty()) {
			out.push_back(StateChanged{session.mn.nai});
			return;
		}
		for (const auto &maar : exchange.pending)
			send(out, maar, make_pbu(session, kind, exchange.first_seq, now));
	}
	exchange.timer = arm(out, session, TimerKind::exchange, exchange.timeout);
	session.exchange = std::move(exchange);
	out.push_back(StateChanged{session.mn.nai});
}

void MaarCore::Impl::register_directly(Session &session, TimePoint now, Actions &out)
{
	if (session.attached_at) {
		latencies.attach_to_registered.observe(now - *session.attached_at);
		session.attached_at.reset();
	}
	const bool returned = session.returning;
	session.state = SessionState::serving;
	session.returning = false;
	session.serving_maar.reset();
	const auto lifetime = mh::Lifetime::at_most(std::chrono::duration_cast<std::chrono::seconds>(config.timers.lifetime));
	session.lifetime_units = lifetime.units();
	arm_lifetime(session, config.timers.lifetime, now, out, true);
	sync(session, out);
	sync_shared(out);
	count(Counter::registrations);
	log(out, LogLevel::info, returned ? "registered-returned" : "registered",
	    {{"mn", session.mn.nai},
	     {"prefixes", session.prefixes.empty() ? std::string() : session.prefixes.front().to_string()},
	     {"previous_maars", std::to_string(session.remotes.size())},
	     {"direct", "yes"}});
	out.push_back(StateChanged{session.mn.nai});
}

void MaarCore::Impl::on_sessions_found(const SessionsFound &found, TimePoint now, Actions &out)
{
	Session *session = find(std::string_view(found.mn));
	if (!session || !session->exchange || !session->exchange->lookup ||
	    session->state == SessionState::deregistering) {
		// An answer for a registration since finished or given up.
		count(Counter::drop_unmatched_lookup);
		return;
	}
	if (found.error) {
		// Served at once with its new prefix all the same; the lookup is
		// repeated with the exchange's timer, and the node's older
		// prefixes come back when the database does.
		count(Counter::session_lookup_failures);
		log(out, LogLevel::warning, "session-database-failed", {{"mn", session->mn.nai}, {"error", *found.error}});
		if (session->state != SessionState::serving)
			register_directly(*session, now, out);
		return;
	}
	std::vector<Ipv6Address> anchors;
	for (const auto &record : found.records) {
		if (record.maar == config.address || record.prefixes.empty() || has(anchors, record.maar))
			continue;
		if (!is_domain_maar(record.maar)) {
			count(Counter::drop_unknown_previous_maar);
			log(out, LogLevel::warning, "unknown-previous-maar",
			    {{"mn", session->mn.nai}, {"maar", record.maar.to_string()}});
			continue;
		}
		anchors.push_back(record.maar);
	}
	anchors_found(*session, std::move(anchors), now, out);
}

void MaarCore::Impl::anchors_found(Session &session, std::vector<Ipv6Address> anchors, TimePoint now, Actions &out)
{
	session.exchange->lookup = false;
	// A node from a partner domain: its home LMA anchors its home
	// prefixes, as the domain's MAARs anchor theirs (004 §5).
	if (const auto lma = home_lma_of(session); lma && !has(anchors, *lma))
		anchors.push_back(*lma);
	if (session.state != SessionState::serving)
		register_directly(session, now, out);
	if (anchors.empty()) {
		cancel_exchange(session, out);
		out.push_back(StateChanged{session.mn.nai});
		return;
	}
	session.exchange->pending = std::move(anchors);
	signal_anchors(session, now, out);
}

// (Re)sends the registration's PBU to every anchor that has not answered,
// with a fresh sequence number and a fresh timer.
void MaarCore::Impl::signal_anchors(Session &session, TimePoint now, Actions &out)
{
	Exchange &exchange = *session.exchange;
	stop_timer(exchange.timer, out);
	exchange.retransmissions = 0;
	exchange.timeout = config.timers.initial_retransmission;
	exchange.deadline = now + exchange.timeout;
	exchange.started = now;
	renumber(session, exchange);
	for (const auto &maar : exchange.pending)
		send(out, maar, make_pbu(session, exchange.kind, exchange.last_seq, now));
	exchange.timer = arm(out, session, TimerKind::exchange, exchange.timeout);
	out.push_back(StateChanged{session.mn.nai});
}

void MaarCore::Impl::merge_anchor_answer(Session &session, const Ipv6Address &source,
					 const mh::ProxyBindingAck &pba, Actions &out)
{
	if (!pba.flags.has(BaFlag::Dmm))
		count(Counter::legacy_anchors);
	merge_previous_maars(session, source, pba, out);
}

void MaarCore::Impl::drop_remote(Session &session, const Ipv6Address &maar)
{
	// A home LMA takes the MAARs reached through it along.
	session.remotes.erase(std::remove_if(session.remotes.begin(), session.remotes.end(),
					     [&](const Remote &remote) { return remote.peer() == maar; }),
			      session.remotes.end());
}

void MaarCore::Impl::on_direct_pba(Session &session, const Ipv6Address &source, const mh::ProxyBindingAck &pba,
				   TimePoint now, Actions &out)
{
	// 004 App A.5 (R111): an anchor without RFC 8885 support answers as a
	// plain RFC 5213 LMA, without the D flag and without the DLIF and
	// Local Prefix options. Its prefixes are still tunnelled; the DLIF
	// shown for it takes the derived identity.
	const bool accepted = mh::is_accepted(pba.status) && !pba.lifetime.is_deregistration();
	Exchange *exchange = session.exchange ? &*session.exchange : nullptr;
	if (exchange && !exchange->lookup && has(exchange->pending, source) &&
	    sequence_in_range(pba.sequence, exchange->first_seq, exchange->last_seq)) {
		std::erase(exchange->pending, source);
		if (accepted) {
			if (exchange->kind == ExchangeKind::registration)
				latencies.pbu_to_pba.observe(now - exchange->started);
			merge_anchor_answer(session, source, pba, out);
		} else if ((querying() || is_home_lma(source)) && pba.status == mh::Status::NotLmaForThisMobileNode &&
			   exchange->kind == ExchangeKind::registration) {
			// Asked, and it anchors nothing of the node's (a home LMA:
			// the node has no session in its home domain).
			count(Counter::discovery_misses);
			drop_remote(session, source);
		} else {
			// It holds no binding for the node any more (or refuses
			// one): what it anchored is gone.
			count(Counter::anchor_failures);
			log(out, LogLevel::warning, "anchor-refused",
			    {{"mn", session.mn.nai},
			     {"maar", source.to_string()},
			     {"status", std::to_string(static_cast<unsigned>(pba.status))}});
			drop_remote(session, source);
		}
		if (exchange->pending.empty())
			cancel_exchange(session, out);
		sync(session, out);
		sync_shared(out);
		out.push_back(StateChanged{session.mn.nai});
		return;
	}
	if (session.state == SessionState::serving && session.registration_range && accepted &&
	    sequence_in_range(pba.sequence, session.registration_range->first, session.registration_range->last)) {
		// An anchor's answer to a PBU already repeated (counted as
		// legacy, if it is, with its first answer).
		merge_late(session, source, pba, out);
		return;
	}
	count(Counter::drop_unmatched_pba);
	log(out, LogLevel::debug, "pba-unmatched",
	    {{"mn", session.mn.nai}, {"source", source.to_string()}, {"seq", std::to_string(pba.sequence)}});
}

void MaarCore::Impl::direct_exchange_timeout(Session &session, TimePoint now, Actions &out)
{
	Exchange &exchange = *session.exchange;
	if (exchange.retransmissions >= config.timers.max_retransmissions) {
		if (exchange.lookup) {
			log(out, LogLevel::warning, "session-database-unreachable", {{"mn", session.mn.nai}});
		} else {
			for (const auto &maar : exchange.pending) {
				// Unreachable for as long as the retransmissions
				// lasted: its prefixes cannot reach the node.
				count(Counter::anchor_failures);
				log(out, LogLevel::warning, "anchor-unanswered",
				    {{"mn", session.mn.nai}, {"maar", maar.to_string()}, {"exchange", std::string(name(exchange.kind))}});
				drop_remote(session, maar);
			}
		}
		cancel_exchange(session, out);
		if (session.state == SessionState::registering)
			register_directly(session, now, out);
		sync(session, out);
		sync_shared(out);
		out.push_back(StateChanged{session.mn.nai});
		return;
	}
	back_off(session, exchange, now);
	if (exchange.lookup) {
		count(Counter::session_lookups);
		out.push_back(LookupSessions{session.mn.nai});
	} else {
		for (const auto &maar : exchange.pending)
			send(out, maar, make_pbu(session, exchange.kind, exchange.last_seq, now));
	}
	exchange.timer = arm(out, session, TimerKind::exchange, exchange.timeout);
	out.push_back(StateChanged{session.mn.nai});
}

// The serving MAAR's session ends (lifetime over, R82): each anchor is
// told once, and would end its binding at its own expiry anyway.
void MaarCore::Impl::end_direct_session(Session &session, TimePoint now, Actions &out)
{
	const std::uint16_t seq = session.next_seq++;
	for (const auto &peer : anchor_peers(session))
		send(out, peer, make_pbu(session, ExchangeKind::deregistration, seq, now));
	count(Counter::deregistrations);
	remove(session, now, out);
}

// Idle anchors ([maar] release_idle_after): this MAAR, serving the node,
// may end a part of its session (R81): each is told with a lifetime-0 PBU,
// once, as at the session's end, and would end its binding at its own
// expiry anyway, since nobody refreshes it any more.
void MaarCore::Impl::release_directly(Session &session, const std::vector<Ipv6Address> &anchors, TimePoint now,
				      Actions &out)
{
	const std::uint16_t seq = session.next_seq++;
	for (const auto &maar : anchors) {
		send(out, maar, make_pbu(session, ExchangeKind::deregistration, seq, now));
		drop_remote(session, maar);
		count(Counter::idle_releases);
		log(out, LogLevel::info, "previous-maar-released", {{"mn", session.mn.nai}, {"maar", maar.to_string()}});
	}
	sync(session, out);
	sync_shared(out);
	out.push_back(StateChanged{session.mn.nai});
}

} // namespace dlif::maar
