// SPDX-License-Identifier: GPL-2.0
//
// The MAAR's protocol logic. Message sequences: requirements §4.1-§4.5;
// choices on the ambiguities: Documentation/dlifd-design.rst.
#include <algorithm>
#include <exception>

#include "dlif/dmm/claims.hpp"
#include "dlif/dmm/core_entry.hpp"
#include "dlif/dmm/json.hpp"
#include "dlif/mh/format.hpp"
#include "maar_impl.hpp"

namespace dlif::maar {

namespace {

using mh::BaFlag;
using mh::BuFlag;
using mh::HandoffIndicator;
using mh::Status;

std::string text(const Ipv6Address &address)
{
	return address.to_string();
}

std::string text(const std::vector<Ipv6Address> &addresses)
{
	std::string out;
	for (const auto &address : addresses)
		out += (out.empty() ? "" : ",") + address.to_string();
	return out;
}

std::string text(const std::vector<Ipv6Prefix> &prefixes)
{
	std::string out;
	for (const auto &prefix : prefixes) {
		if (!out.empty())
			out += ',';
		out += prefix.to_string();
	}
	return out;
}

Duration duration_of(Lifetime lifetime)
{
	return std::chrono::duration_cast<Duration>(lifetime.duration());
}

bool contains(const std::vector<Ipv6Prefix> &prefixes, const Ipv6Prefix &prefix)
{
	return std::find(prefixes.begin(), prefixes.end(), prefix) != prefixes.end();
}

} // namespace

Duration MaarCore::Impl::anchor_lifetime(mh::Lifetime granted) const
{
	// Direct mode: the serving MAAR's session and the anchors' run for
	// the same lifetime; the anchor waits a little longer, so that the
	// serving MAAR's lifetime-0 PBU ends it rather than a race.
	const Duration lifetime = duration_of(granted);
	return config.direct ? lifetime + config.timers.initial_retransmission : lifetime;
}

std::string_view name(SessionState state) noexcept
{
	switch (state) {
	case SessionState::registering:
		return "registering";
	case SessionState::serving:
		return "serving";
	case SessionState::anchor:
		return "anchor";
	case SessionState::deregistering:
		return "deregistering";
	}
	return "?";
}

std::string_view name(ExchangeKind kind) noexcept
{
	switch (kind) {
	case ExchangeKind::registration:
		return "registration";
	case ExchangeKind::refresh:
		return "refresh";
	case ExchangeKind::deregistration:
		return "deregistration";
	case ExchangeKind::anchor_deregistration:
		return "anchor-deregistration";
	}
	return "?";
}

std::string_view counter_name(Counter counter) noexcept
{
	switch (counter) {
#define DLIF_X(name)          \
	case Counter::name:   \
		return #name;
		DLIF_MAAR_COUNTERS(DLIF_X)
#undef DLIF_X
	case Counter::count:
		break;
	}
	return "?";
}

MaarCore::Impl::Impl(MaarConfig cfg) : config(std::move(cfg))
{
	self_position = position_of(config.address);
	// Never hand out a prefix holding this MAAR's or the CMD's address, or
	// overlapping a local network.
	pool = PrefixPool(config.prefix_pool, config.prefix_length, {config.address, config.cmd},
			  config.local_prefixes);
	own_prefixes = {Ipv6Prefix{config.address, 128}, config.prefix_pool};
	own_prefixes.insert(own_prefixes.end(), config.local_prefixes.begin(), config.local_prefixes.end());
	admission_tokens = config.admission.burst;
	for (std::uint32_t l = 0; l < config.local_prefixes.size(); ++l) {
		const Ipv6Prefix &local = config.local_prefixes[l];
		shared_claims[local].emplace(ClaimKey{0, 0, l},
					     InstallEntry{local, TunnelRole::local_export, std::nullopt, std::nullopt});
		shared_dirty.insert(local);
	}
}

bool MaarCore::Impl::admit(const MacAddress &mac, TimePoint now, Actions &out)
{
	const Admission &admission = config.admission;
	if (admission.restricted &&
	    !std::binary_search(admission.macs.begin(), admission.macs.end(), mac) &&
	    !std::binary_search(admission.nais.begin(), admission.nais.end(), mn_id_of(mac).nai)) {
		// R11: not in the policy store. Per-message lines only at debug
		// level: a flood must not flood the log as well.
		count(Counter::refused_not_authorised);
		log(out, LogLevel::debug, "attach-not-authorised", {{"mac", mac.to_string()}});
		return false;
	}
	if (admission.max_sessions != 0 && sessions.size() >= admission.max_sessions) {
		count(Counter::refused_session_limit);
		log(out, LogLevel::debug, "attach-session-limit", {{"mac", mac.to_string()}});
		return false;
	}
	if (admission.rate > 0) {
		if (admission_refilled) {
			const double elapsed = std::chrono::duration<double>(now - *admission_refilled).count();
			admission_tokens = std::min<double>(admission.burst, admission_tokens + elapsed * admission.rate);
		}
		admission_refilled = now;
		if (admission_tokens < 1) {
			count(Counter::refused_rate_limit);
			log(out, LogLevel::debug, "attach-rate-limited", {{"mac", mac.to_string()}});
			return false;
		}
		admission_tokens -= 1;
	}
	return true;
}

void MaarCore::Impl::refuse_claim(Actions &out, const Session &session, const Ipv6Address &claimant,
				  std::string_view what, std::string value, std::string_view why)
{
	count(Counter::refused_claims);
	log(out, LogLevel::warning, "claim-refused",
	    {{"mn", session.mn.nai},
	     {"from", text(claimant)},
	     {"option", std::string(what)},
	     {"value", std::move(value)},
	     {"reason", std::string(why)}});
}

void MaarCore::Impl::log(Actions &out, LogLevel level, std::string event,
			 std::initializer_list<std::pair<std::string, std::string>> fields)
{
	out.push_back(make_log(level, std::move(event), fields));
}

std::optional<std::size_t> MaarCore::Impl::position_of(const Ipv6Address &maar) const
{
	const auto &maars = config.domain.maars;
	const auto it = std::find(maars.begin(), maars.end(), maar);
	if (it == maars.end())
		return std::nullopt;
	return static_cast<std::size_t>(it - maars.begin());
}

bool MaarCore::Impl::is_domain_maar(const Ipv6Address &address) const
{
	return address != config.address && position_of(address).has_value();
}

bool MaarCore::Impl::is_home_lma(const Ipv6Address &address) const
{
	return std::any_of(config.home_lmas.begin(), config.home_lmas.end(),
			   [&](const HomeLma &lma) { return lma.address == address; });
}

std::optional<Ipv6Address> MaarCore::Impl::home_lma_of(const Session &session) const
{
	const auto at = session.mn.nai.rfind('@');
	if (at == std::string::npos)
		return std::nullopt;
	const std::string_view realm = std::string_view(session.mn.nai).substr(at + 1);
	if (realm == config.domain.realm)
		return std::nullopt;
	for (const auto &lma : config.home_lmas)
		if (lma.realm == realm)
			return lma.address;
	return std::nullopt;
}

ClaimProblem MaarCore::Impl::home_lma_claim_problem(const Ipv6Address &lma_address, const Ipv6Prefix &prefix) const
{
	const auto lma = std::find_if(config.home_lmas.begin(), config.home_lmas.end(),
				      [&](const HomeLma &candidate) { return candidate.address == lma_address; });
	if (lma == config.home_lmas.end())
		return "not-a-home-lma";
	return home_lma_prefix_problem(*lma, prefix, own_prefixes);
}

MnId MaarCore::Impl::mn_id_of(const MacAddress &mac) const
{
	// The policy store's MN-ID (RFC 5213 §6.2), else one derived in this
	// domain's realm.
	const auto &identities = config.admission.identities;
	const auto it = std::lower_bound(identities.begin(), identities.end(), mac,
					 [](const auto &entry, const MacAddress &key) { return entry.first < key; });
	if (it != identities.end() && it->first == mac)
		return MnId{it->second};
	return mn_id_from_mac(mac, config.domain.realm);
}

Session *MaarCore::Impl::find(const MacAddress &mac)
{
	const auto it = by_mac.find(mac);
	return it == by_mac.end() ? nullptr : &sessions.at(it->second);
}

Session *MaarCore::Impl::find(std::string_view mn)
{
	const auto it = by_mn.find(mn);
	return it == by_mn.end() ? nullptr : &sessions.at(it->second);
}

// ------------------------------------------------------------ kernel state

std::string MaarCore::Impl::dlif_name(const Session &session, const Ipv6Address &anchoring) const
{
	// "mn<N>mar<K>": N this MAAR's number for the node, K the anchoring
	// MAAR's position in domain.maars from 1. At most 2+8+3+2 = 15
	// characters for 10^8 nodes and 99 MAARs (IFNAMSIZ - 1).
	auto position = position_of(anchoring);
	if (!position) {
		// A home MAAR of a partner domain (reached through its LMA): after
		// the domain's MAARs and the home LMAs, in address order among the
		// session's such MAARs, which stay the same for the length of a
		// visit.
		std::size_t rank = 0;
		for (const auto &remote : session.remotes)
			if (remote.via && remote.maar < anchoring)
				++rank;
		position = config.domain.maars.size() + config.home_lmas.size() + rank;
	}
	return "mn" + std::to_string(session.number) + "mar" + std::to_string(*position + 1);
}

std::vector<Ipv6Address> MaarCore::Impl::anchor_peers(const Session &session)
{
	std::vector<Ipv6Address> peers;
	for (const auto &remote : session.remotes)
		if (std::find(peers.begin(), peers.end(), remote.peer()) == peers.end())
			peers.push_back(remote.peer());
	return peers;
}

std::string MaarCore::Impl::own_dlif_name(const Session &session) const
{
	if (session.legacy)
		return "mn" + std::to_string(session.number) + "lma";
	return dlif_name(session, config.address);
}

DlifIdentity MaarCore::Impl::own_identity(const Session &session) const
{
	// A plain MAG shows every node the identity of the LMA's router, the
	// same at every MAG (RFC 5213 §6.9.3's fixed link-local and
	// link-layer addresses, per node here).
	return derive_dlif_identity(session.legacy ? config.cmd : config.address, session.mn);
}

RaPlan MaarCore::Impl::own_plan(const std::vector<Ipv6Prefix> &prefixes) const
{
	RaPlan plan;
	plan.router_lifetime = config.router_lifetime;
	plan.preference = RouterPreference::medium;
	for (const auto &prefix : prefixes)
		plan.prefixes.push_back(RaPrefix{prefix, config.prefix_valid_lifetime, config.prefix_preferred_lifetime});
	plan.mtu = config.ra_mtu;
	return plan;
}

RaPlan MaarCore::Impl::mirrored_plan(const Remote &remote) const
{
	// R99/A18: deprecated (preferred 0) but valid; R100: optionally a low
	// router preference; R102/R103: the anchoring MAAR's local networks
	// as Route Information Options through its logical router.
	RaPlan plan;
	plan.router_lifetime = config.router_lifetime;
	plan.preference =
		config.deprecated_router_low_preference ? RouterPreference::low : RouterPreference::medium;
	for (const auto &prefix : remote.prefixes)
		plan.prefixes.push_back(RaPrefix{prefix, config.prefix_valid_lifetime, Duration::zero()});
	for (const auto &local : remote.local_prefixes)
		plan.routes.push_back(RaRoute{local, config.router_lifetime, RouterPreference::medium});
	plan.mtu = config.ra_mtu;
	return plan;
}

void MaarCore::Impl::desired(const Session &session, std::vector<InstallDlif> &dlifs,
			     std::vector<InstallEntry> &entries) const
{
	dlifs.clear();
	entries.clear();
	if (session.state == SessionState::deregistering)
		return;

	InstallDlif own;
	own.name = own_dlif_name(session);
	own.lower = session.interface;
	own.identity = own_identity(session);
	own.mn = session.mac;
	own.anchoring_maar = session.legacy ? config.cmd : config.address;
	if (session.legacy) {
		if (session.legacy_prefix)
			own.prefixes.push_back(*session.legacy_prefix);
	} else {
		own.prefixes = session.prefixes;
	}
	own.ra = own_plan(own.prefixes);
	// A34: no RA before the PBA; none to a node that has gone (anchor) or
	// left the link.
	own.advertise = session.state == SessionState::serving && session.attached;
	dlifs.push_back(own);

	if (session.state == SessionState::serving) {
		if (session.legacy) {
			// The LMA anchors the prefix; all the node's traffic from it
			// goes there (reverse tunnelling).
			if (session.legacy_prefix)
				entries.push_back(
					InstallEntry{*session.legacy_prefix, TunnelRole::serving, config.cmd, own.name});
			return;
		}
		for (const auto &remote : session.remotes) {
			InstallDlif mirrored;
			mirrored.name = dlif_name(session, remote.maar);
			mirrored.lower = session.interface;
			mirrored.identity = remote.identity;
			mirrored.mn = session.mac;
			mirrored.anchoring_maar = remote.maar;
			mirrored.prefixes = remote.prefixes;
			mirrored.ra = mirrored_plan(remote);
			mirrored.advertise = session.attached;
			for (const auto &prefix : remote.prefixes)
				entries.push_back(InstallEntry{prefix, TunnelRole::serving, remote.peer(), mirrored.name});
			dlifs.push_back(std::move(mirrored));
		}
	} else if (session.state == SessionState::anchor && session.serving_maar) {
		// The node's DLIF and route stay; the entry tunnels what is
		// routed into it to the serving MAAR (Documentation/kernel.rst).
		for (const auto &prefix : session.prefixes)
			entries.push_back(InstallEntry{prefix, TunnelRole::anchor, *session.serving_maar, own.name});
	}
}

void MaarCore::Impl::sync(Session &session, Actions &out)
{
	std::vector<InstallDlif> dlifs;
	std::vector<InstallEntry> entries;
	desired(session, dlifs, entries);

	const auto find_dlif = [](const std::vector<InstallDlif> &list, const std::string &name) -> const InstallDlif * {
		for (const auto &dlif : list)
			if (dlif.name == name)
				return &dlif;
		return nullptr;
	};
	const auto find_entry = [](const std::vector<InstallEntry> &list, const Ipv6Prefix &prefix) -> const InstallEntry * {
		for (const auto &entry : list)
			if (entry.prefix == prefix)
				return &entry;
		return nullptr;
	};

	// Entries that go first, DLIFs before the entries naming them, DLIFs
	// that go last (the kernel would drop their entries with them).
	for (const auto &entry : session.installed_entries)
		if (!find_entry(entries, entry.prefix))
			out.push_back(RemoveEntry{entry.prefix});
	std::vector<std::string> advertise;
	for (const auto &dlif : dlifs) {
		const InstallDlif *old = find_dlif(session.installed_dlifs, dlif.name);
		if (old && *old == dlif)
			continue;
		out.push_back(dlif);
		if (dlif.advertise)
			advertise.push_back(dlif.name);
	}
	for (const auto &entry : entries) {
		const InstallEntry *old = find_entry(session.installed_entries, entry.prefix);
		if (!old || !(*old == entry))
			out.push_back(entry);
	}
	for (const auto &dlif : session.installed_dlifs)
		if (!find_dlif(dlifs, dlif.name))
			out.push_back(RemoveDlif{dlif.name});
	for (auto &name : advertise)
		out.push_back(AdvertiseNow{std::move(name)});
	session.installed_dlifs = std::move(dlifs);
	session.installed_entries = std::move(entries);
	claim_shared(session);
}

void MaarCore::Impl::withdraw_shared(Session &session)
{
	for (const auto &prefix : session.shared_claims) {
		const auto it = shared_claims.find(prefix);
		if (it == shared_claims.end())
			continue;
		Claims &claims = it->second;
		auto claim = claims.lower_bound(ClaimKey{session.number, 0, 0});
		while (claim != claims.end() && claim->first.session == session.number)
			claim = claims.erase(claim);
		if (claims.empty())
			shared_claims.erase(it);
		shared_dirty.insert(prefix);
	}
	session.shared_claims.clear();
}

void MaarCore::Impl::claim_shared(Session &session)
{
	withdraw_shared(session);
	if (session.state != SessionState::serving || session.legacy)
		return;
	for (std::uint32_t r = 0; r < session.remotes.size(); ++r) {
		const Remote &remote = session.remotes[r];
		for (std::uint32_t l = 0; l < remote.local_prefixes.size(); ++l) {
			const Ipv6Prefix &local = remote.local_prefixes[l];
			bool clash = false;
			for (const auto &own : config.local_prefixes)
				clash = clash || overlaps(own, local);
			if (clash)
				continue;
			// One entry per prefix, for every node here: the first
			// MAAR to claim a local network keeps it (ClaimKey).
			shared_claims[local].emplace(ClaimKey{session.number, r, l},
						     InstallEntry{local, TunnelRole::local_net, remote.peer(), std::nullopt});
			session.shared_claims.push_back(local);
			shared_dirty.insert(local);
		}
	}
}

void MaarCore::Impl::sync_shared(Actions &out)
{
	// Removals first, then installs, each in prefix order: what comparing
	// the whole desired set with the installed one gave.
	const auto winner = [this](const Ipv6Prefix &prefix) -> const InstallEntry * {
		const auto it = shared_claims.find(prefix);
		return it == shared_claims.end() ? nullptr : &it->second.begin()->second;
	};
	for (const auto &prefix : shared_dirty) {
		const auto installed = shared_installed.find(prefix);
		if (installed != shared_installed.end() && !winner(prefix)) {
			out.push_back(RemoveEntry{installed->first});
			shared_installed.erase(installed);
		}
	}
	for (const auto &prefix : shared_dirty) {
		const InstallEntry *entry = winner(prefix);
		if (!entry)
			continue;
		const auto installed = shared_installed.find(prefix);
		if (installed != shared_installed.end() && installed->second == *entry)
			continue;
		out.push_back(*entry);
		// Keyed by the winner's own spelling of the prefix, which a
		// later RemoveEntry names.
		if (installed != shared_installed.end())
			shared_installed.erase(installed);
		shared_installed.emplace(entry->prefix, *entry);
	}
	shared_dirty.clear();
}

// ------------------------------------------------------------------ timers

TimerId MaarCore::Impl::arm(Actions &out, const Session &session, TimerKind kind, Duration after)
{
	if (++generation == 0)
		++generation;
	const TimerId id = TimerKey{session.number, static_cast<std::uint8_t>(kind), 0, generation}.id();
	out.push_back(StartTimer{id, after < Duration::zero() ? Duration::zero() : after});
	return id;
}

void MaarCore::Impl::stop_timer(TimerId &timer, Actions &out)
{
	if (timer != 0)
		out.push_back(StopTimer{timer});
	timer = 0;
}

void MaarCore::Impl::arm_lifetime(Session &session, Duration lifetime, TimePoint now, Actions &out, bool refresh)
{
	session.expires_at = now + lifetime;
	stop_timer(session.expiry_timer, out);
	session.expiry_timer = arm(out, session, TimerKind::expiry, lifetime);
	stop_timer(session.refresh_timer, out);
	session.refresh_at.reset();
	session.verifying = false;
	if (refresh && session.attached) {
		const auto at = std::chrono::duration_cast<Duration>(lifetime * config.timers.refresh_fraction);
		session.refresh_at = now + at;
		session.refresh_timer = arm(out, session, TimerKind::refresh, at);
	}
}

// ---------------------------------------------------------------- messages

void MaarCore::Impl::send(Actions &out, const Ipv6Address &to, mh::Message message)
{
	count(std::holds_alternative<mh::ProxyBindingUpdate>(message) ? Counter::tx_pbu : Counter::tx_pba);
	out.push_back(SendMh{to, std::move(message)});
}

mh::ProxyBindingUpdate MaarCore::Impl::make_pbu(const Session &session, ExchangeKind kind, std::uint16_t seq,
						TimePoint now) const
{
	const bool plain = config.legacy_mag || session.legacy;
	mh::ProxyBindingUpdate pbu;
	pbu.sequence = seq;
	// R26: D in every PBU of a MAAR; a plain MAG sends A and P only.
	pbu.flags.set(BuFlag::Dmm, !plain);
	const bool deregistration =
		kind == ExchangeKind::deregistration || kind == ExchangeKind::anchor_deregistration;
	pbu.lifetime = deregistration ? Lifetime::from_units(0)
				      : Lifetime::at_most(std::chrono::duration_cast<std::chrono::seconds>(
						config.timers.lifetime));
	if (!deregistration && pbu.lifetime.units() == 0)
		pbu.lifetime = Lifetime::from_units(1);
	pbu.options.mobile_node_identifier = to_option(session.mn);
	if (session.legacy) {
		// RFC 5213 §6.9.1.1: the prefix the LMA assigned, or ::/0 to ask
		// it for one.
		pbu.options.home_network_prefixes.push_back(session.legacy_prefix.value_or(Ipv6Prefix{}));
	} else {
		for (const auto &prefix : session.prefixes)
			pbu.options.home_network_prefixes.push_back(prefix);
	}
	switch (kind) {
	case ExchangeKind::registration:
		// A27: the MAAR cannot tell a first attachment from a handover
		// (it has no memory of the node, R8) except for a node back at
		// its anchor.
		pbu.options.handoff_indicator =
			session.returning ? HandoffIndicator::HandoffBetweenMags : HandoffIndicator::HandoffStateUnknown;
		break;
	case ExchangeKind::refresh:
		pbu.options.handoff_indicator = HandoffIndicator::HandoffStateNotChanged;
		// Idle previous MAARs to release (dlif's use of the Previous
		// MAAR option in a PBU: Documentation/design.rst).
		for (const auto &maar : session.releasing)
			for (const auto &remote : session.remotes)
				if (remote.maar == maar)
					for (const auto &prefix : remote.prefixes)
						pbu.options.previous_maars.push_back(mh::PreviousMaar{maar, prefix});
		break;
	case ExchangeKind::deregistration:
	case ExchangeKind::anchor_deregistration:
		pbu.options.handoff_indicator = HandoffIndicator::HandoffStateUnknown;
		break;
	}
	pbu.options.access_technology_type = config.access_technology;
	pbu.options.mobile_node_link_layer_identifier = to_link_layer(session.mac);
	if (config.ordering == Ordering::timestamp)
		pbu.options.timestamp = wall.timestamp(now);
	if (!plain) {
		// A9: this MAAR's DLIF identity and Local Prefixes, for the CMD
		// to pass on (relay) or keep (proxy).
		const DlifIdentity identity = own_identity(session);
		pbu.options.dlif_link_local_address = identity.link_local;
		pbu.options.dlif_link_layer_address = to_link_layer(identity.mac);
		pbu.options.local_prefixes.assign(std::span<const Ipv6Prefix>(config.local_prefixes));
	}
	return pbu;
}

mh::ProxyBindingAck MaarCore::Impl::rejection(const mh::ProxyBindingUpdate &pbu, mh::Status status) const
{
	mh::ProxyBindingAck pba;
	pba.status = status;
	pba.flags.set(BaFlag::Dmm, !config.legacy_mag);
	pba.sequence = pbu.sequence;
	pba.lifetime = Lifetime::from_units(0);
	pba.options.mobile_node_identifier = pbu.options.mobile_node_identifier;
	pba.options.timestamp = pbu.options.timestamp;
	return pba;
}

// A previous MAAR's answer to the CMD's PBU (R53, §4.2 step 6) and, in
// locator mode, to the serving MAAR (§4.3 step 6a, without the Serving
// MAAR option): the prefixes anchored here, this MAAR's DLIF identity
// for the node and its Local Prefixes (A9).
mh::ProxyBindingAck MaarCore::Impl::anchor_answer(const Session &session, const mh::ProxyBindingUpdate &pbu,
						  bool with_serving) const
{
	mh::ProxyBindingAck pba;
	pba.flags.set(BaFlag::Dmm);
	pba.sequence = pbu.sequence;
	pba.lifetime = pbu.lifetime;
	pba.options.mobile_node_identifier = to_option(session.mn);
	for (const auto &prefix : session.prefixes)
		pba.options.home_network_prefixes.push_back(prefix);
	pba.options.handoff_indicator = pbu.options.handoff_indicator;
	pba.options.access_technology_type = pbu.options.access_technology_type;
	pba.options.timestamp = pbu.options.timestamp;
	if (with_serving)
		pba.options.serving_maar = pbu.options.serving_maar;
	const DlifIdentity identity = own_identity(session);
	pba.options.dlif_link_local_address = identity.link_local;
	pba.options.dlif_link_layer_address = to_link_layer(identity.mac);
	pba.options.local_prefixes.assign(std::span<const Ipv6Prefix>(config.local_prefixes));
	return pba;
}

// ---------------------------------------------------------------- sessions

Session *MaarCore::Impl::create(const MacAddress &mac, const std::string &interface, TimePoint now, Actions &out)
{
	(void)now;
	Session session;
	session.mac = mac;
	session.mn = mn_id_of(mac);
	session.interface = interface;
	session.state = SessionState::registering;
	session.attached = true;
	session.next_seq = sequence_seed;
	sequence_seed = static_cast<std::uint16_t>(sequence_seed + 256);
	if (config.legacy_mag) {
		session.legacy = true;
	} else {
		const auto prefix = pool.allocate();
		if (!prefix) {
			count(Counter::pool_exhausted);
			log(out, LogLevel::warning, "prefix-pool-exhausted", {{"mn", session.mn.nai}});
			return nullptr;
		}
		session.prefixes.push_back(*prefix);
	}
	if (!free_numbers.empty()) {
		session.number = *free_numbers.begin();
		free_numbers.erase(free_numbers.begin());
	} else {
		session.number = next_number++;
	}
	const std::uint32_t number = session.number;
	by_mac.emplace(mac, number);
	by_mn.emplace(session.mn.nai, number);
	Session *created = sessions.emplace(number, std::move(session)).first;
	publish(*created, out);
	return created;
}

void MaarCore::Impl::remove(Session &session, TimePoint now, Actions &out)
{
	cancel_exchange(session, out);
	stop_timer(session.expiry_timer, out);
	stop_timer(session.refresh_timer, out);
	session.state = SessionState::deregistering;
	sync(session, out);
	for (const auto &prefix : session.prefixes)
		pool.release(prefix);
	if (session.legacy_prefix)
		pool.release(*session.legacy_prefix);
	const bool reattach = session.reattach;
	const MacAddress mac = session.mac;
	const std::string interface = session.interface;
	const std::uint32_t number = session.number;
	std::string mn = session.mn.nai;
	log(out, LogLevel::info, "session-removed", {{"mn", mn}, {"mac", mac.to_string()}});
	by_mac.erase(mac);
	by_mn.erase(session.mn.nai);
	withdraw_shared(session);
	sessions.erase(number);
	free_numbers.insert(number);
	sync_shared(out);
	if (keeps_records())
		out.push_back(PublishSession{mn, std::nullopt});
	out.push_back(StateChanged{std::move(mn)});
	if (reattach) {
		// The node came back while its old session was being
		// de-registered: a new one starts now.
		if (Session *fresh = create(mac, interface, now, out)) {
			start_exchange(*fresh, ExchangeKind::registration, now, out);
			sync(*fresh, out);
		}
	}
}

void MaarCore::Impl::cancel_exchange(Session &session, Actions &out)
{
	if (!session.exchange)
		return;
	stop_timer(session.exchange->timer, out);
	session.exchange.reset();
}

Exchange MaarCore::Impl::new_exchange(Session &session, ExchangeKind kind, TimePoint now, Actions &out)
{
	cancel_exchange(session, out);
	Exchange exchange;
	exchange.kind = kind;
	exchange.first_seq = exchange.last_seq = session.next_seq++;
	exchange.timeout = config.timers.initial_retransmission;
	exchange.deadline = now + exchange.timeout;
	exchange.started = now;
	if (kind != ExchangeKind::refresh) {
		session.releasing.clear();	// only a refresh carries releases
		session.planned_refresh.reset();
	}
	if (kind == ExchangeKind::registration)
		session.registration_range = SeqRange{exchange.first_seq, exchange.last_seq};
	return exchange;
}

void MaarCore::Impl::renumber(Session &session, Exchange &exchange)
{
	exchange.last_seq = session.next_seq++;
	if (exchange.kind == ExchangeKind::registration && session.registration_range)
		session.registration_range->last = exchange.last_seq;
}

void MaarCore::Impl::back_off(Session &session, Exchange &exchange, TimePoint now)
{
	// R162/R164: a new sequence number, the timeout doubled.
	++exchange.retransmissions;
	count(Counter::retransmissions);
	exchange.timeout = next_backoff(exchange.timeout, config.timers.max_retransmission);
	exchange.deadline = now + exchange.timeout;
	renumber(session, exchange);
}

// An exchange the CMD has not answered for a node still attached here is
// not given up while it can still help: the CMD may be failing over to a
// standby, or briefly cut off. A registration goes on until the CMD answers
// or the node leaves (on_detached ends the retransmissions): a node
// attached by its access point's notification would not come again by
// itself, and R20's drop is for a refusal and a node that left. A refresh
// goes on until the lifetime it would extend runs out (then the expiry
// ends the session as before); one that carries idle releases falls back
// to the refresh it brought forward instead (exchange_failed).
bool MaarCore::Impl::keeps_trying(const Session &session, TimePoint now) const
{
	if (!session.exchange || !session.attached)
		return false;
	switch (session.exchange->kind) {
	case ExchangeKind::registration:
		return session.state == SessionState::registering;
	case ExchangeKind::refresh:
		return session.state == SessionState::serving && !session.planned_refresh && session.expires_at &&
		       now + config.timers.max_retransmission < *session.expires_at;
	case ExchangeKind::deregistration:
	case ExchangeKind::anchor_deregistration:
		return false;
	}
	return false;
}

// The next round of retransmissions goes at the longest interval. Only the
// answer to the last PBU of the round before still counts with this one's:
// the range of sequence numbers stays short however long the CMD is away.
void MaarCore::Impl::another_round(Session &session, Exchange &exchange, Actions &out)
{
	const bool registration = exchange.kind == ExchangeKind::registration;
	count(registration ? Counter::registration_retries : Counter::refresh_retries);
	if (exchange.rounds++ == 0)
		log(out, LogLevel::warning, std::string(name(exchange.kind)) + "-unanswered",
		    {{"mn", session.mn.nai},
		     {"retransmissions", std::to_string(exchange.retransmissions)},
		     {"again_every_ms", std::to_string(config.timers.max_retransmission.count())}});
	exchange.retransmissions = 0;
	exchange.timeout = config.timers.max_retransmission;
	exchange.first_seq = exchange.last_seq;
	if (registration && session.registration_range)
		session.registration_range->first = exchange.last_seq;
}

void MaarCore::Impl::merge_late(Session &session, const Ipv6Address &source, const mh::ProxyBindingAck &pba,
				Actions &out)
{
	count(Counter::late_previous_maar_merges);
	merge_previous_maars(session, source, pba, out);
	sync(session, out);
	sync_shared(out);
	out.push_back(StateChanged{session.mn.nai});
}

void MaarCore::Impl::start_exchange(Session &session, ExchangeKind kind, TimePoint now, Actions &out)
{
	if (config.direct) {
		start_direct_exchange(session, kind, now, out);
		return;
	}
	Exchange exchange = new_exchange(session, kind, now, out);
	send(out, config.cmd, make_pbu(session, kind, exchange.first_seq, now));
	exchange.timer = arm(out, session, TimerKind::exchange, exchange.timeout);
	session.exchange = exchange;
	out.push_back(StateChanged{session.mn.nai});
}

void MaarCore::Impl::exchange_failed(Session &session, std::optional<mh::Status> status, TimePoint now,
				     Actions &out)
{
	const ExchangeKind kind = session.exchange->kind;
	cancel_exchange(session, out);
	const std::string why = status ? std::string(mh::name(*status)).empty()
						 ? std::to_string(static_cast<unsigned>(*status))
						 : std::string(mh::name(*status))
				       : std::string("no answer");
	switch (kind) {
	case ExchangeKind::registration:
		count(Counter::registration_failures);
		log(out, LogLevel::warning, "registration-failed",
		    {{"mn", session.mn.nai}, {"status", why}, {"returning", session.returning ? "yes" : "no"}});
		if (session.state == SessionState::serving) {
			// A re-registration (the node came back): the session
			// stands, as after a failed refresh.
			out.push_back(StateChanged{session.mn.nai});
			return;
		}
		if (session.serving_maar) {
			// Still the anchor: tunnel the prefixes to where the CMD
			// last said the node was.
			session.returning = false;
			session.state = SessionState::anchor;
			if (config.deregistration == Deregistration::b)
				arm_lifetime(session, duration_of(Lifetime::from_units(session.lifetime_units)), now, out,
					     false);
			sync(session, out);
			out.push_back(StateChanged{session.mn.nai});
			return;
		}
		// R20/A34: no binding, so no prefix, no DLIF, no RA.
		remove(session, now, out);
		return;
	case ExchangeKind::refresh:
		// The expiry timer still runs (or ran out while this was in
		// flight, and waits for it): the session ends with it. Idle
		// previous MAARs it named are tried again at a later sample.
		session.releasing.clear();
		count(Counter::refresh_failures);
		log(out, LogLevel::warning, "refresh-failed", {{"mn", session.mn.nai}, {"status", why}});
		if (const auto planned = std::exchange(session.planned_refresh, std::nullopt);
		    planned && !status && session.attached) {
			// A release's early refresh went unanswered: the refresh
			// it brought forward is tried when it was due (at once if
			// that has passed).
			session.refresh_at = std::max(*planned, now);
			session.refresh_timer = arm(out, session, TimerKind::refresh,
						     std::chrono::ceil<Duration>(*session.refresh_at - now));
		}
		if (status) {
			// Refused: the CMD holds no binding for us any more.
			remove(session, now, out);
			return;
		}
		out.push_back(StateChanged{session.mn.nai});
		return;
	case ExchangeKind::deregistration:
	case ExchangeKind::anchor_deregistration:
		log(out, LogLevel::info, "deregistration-unanswered", {{"mn", session.mn.nai}, {"status", why}});
		remove(session, now, out);
		return;
	}
}

void MaarCore::Impl::start_deregistration(Session &session, TimePoint now, Actions &out)
{
	// R82: only here, at the end of the lifetime. The kernel state goes at
	// once; the prefix returns to the pool when the CMD has answered.
	stop_timer(session.refresh_timer, out);
	session.refresh_at.reset();
	session.verifying = false;
	stop_timer(session.expiry_timer, out);
	session.expires_at.reset();
	if (config.direct) {
		end_direct_session(session, now, out);
		return;
	}
	session.state = SessionState::deregistering;
	session.remotes.clear();
	sync(session, out);
	sync_shared(out);
	start_exchange(session, ExchangeKind::deregistration, now, out);
}

void MaarCore::Impl::merge_previous_maars(Session &session, const Ipv6Address &source, const mh::ProxyBindingAck &pba,
					  Actions &out)
{
	// (P-MAAR, prefix) pairs: Previous MAAR options from the CMD or a home
	// LMA, or the HNP options of a previous MAAR answering directly
	// (locator, direct mode).
	// A home LMA answers like a CMD (004 §5): its Previous MAAR options
	// name the home MAARs, reached through it; its HNP options are this
	// MAAR's own.
	const bool from_lma = config.direct && is_home_lma(source);
	const bool lists_all = source == config.cmd || from_lma;
	std::vector<std::pair<Ipv6Address, Ipv6Prefix>> pairs;
	auto take = [&](const Ipv6Address &owner, const Ipv6Prefix &prefix, std::string_view option) {
		// Each prefix becomes a serving entry and a connected route
		// here: only one its anchor may have (claims.hpp).
		// Through a home LMA, the LMA's blocks and length say what is
		// possible, not this domain's claims.
		if (const auto problem = from_lma ? home_lma_claim_problem(source, prefix)
						  : home_prefix_problem(config.domain, owner, prefix, own_prefixes)) {
			refuse_claim(out, session, owner, option, prefix.to_string(), *problem);
			return;
		}
		pairs.emplace_back(owner, prefix.masked());
	};
	for (const auto &previous : pba.options.previous_maars)
		take(previous.address, previous.home_network_prefix, "previous-maar");
	if (!lists_all)
		for (const auto &prefix : pba.options.home_network_prefixes)
			take(source, prefix, "home-network-prefix");
	std::vector<Ipv6Address> maars;
	for (const auto &[maar, prefix] : pairs)
		if (std::find(maars.begin(), maars.end(), maar) == maars.end())
			maars.push_back(maar);
	// DLIF and Local Prefix options describe the previous MAAR answering
	// directly, or the first one a CMD's PBA names (A9; without them the
	// identity is derived).
	std::optional<Ipv6Address> described;
	if (pba.flags.has(BaFlag::Dmm) && !maars.empty())
		described = lists_all ? maars.front() : source;

	for (const auto &maar : maars) {
		if (maar == config.address) {
			// A17: the CMD should not name this MAAR; its own prefixes
			// are served plainly here.
			count(Counter::drop_previous_maar_is_self);
			continue;
		}
		// Through a home LMA: any MAAR of its domain, none of ours.
		if (from_lma ? is_domain_maar(maar) || is_home_lma(maar) : !is_domain_maar(maar)) {
			count(Counter::drop_unknown_previous_maar);
			log(out, LogLevel::warning, "unknown-previous-maar", {{"mn", session.mn.nai}, {"maar", text(maar)}});
			continue;
		}
		auto it = std::find_if(session.remotes.begin(), session.remotes.end(),
				       [&](const Remote &remote) { return remote.maar == maar; });
		if (it == session.remotes.end()) {
			Remote remote;
			remote.maar = maar;
			remote.identity = derive_dlif_identity(maar, session.mn);
			session.remotes.push_back(std::move(remote));
			it = session.remotes.end() - 1;
		}
		it->via = from_lma ? std::optional(source) : std::nullopt;
		for (const auto &[owner, prefix] : pairs) {
			if (owner != maar || contains(session.prefixes, prefix))
				continue;
			// A prefix has one anchor: move it if another remote had it.
			for (auto &other : session.remotes)
				if (other.maar != maar)
					other.prefixes.erase(std::remove(other.prefixes.begin(), other.prefixes.end(), prefix),
							     other.prefixes.end());
			if (!contains(it->prefixes, prefix))
				it->prefixes.push_back(prefix);
		}
		if (described == maar) {
			if (pba.options.dlif_link_layer_address && pba.options.dlif_link_local_address) {
				if (const auto mac = mac_from_link_layer(*pba.options.dlif_link_layer_address)) {
					// Installed as the DLIF's MAC and link-local address.
					const DlifIdentity identity{*mac, *pba.options.dlif_link_local_address};
					if (const auto problem = dlif_identity_problem(identity)) {
						refuse_claim(out, session, maar, "dlif-identity",
							     mac->to_string() + " " + identity.link_local.to_string(),
							     *problem);
					} else {
						it->identity = identity;
						it->identity_from_options = true;
					}
				}
			}
			it->local_prefixes.clear();
			for (const auto &local : pba.options.local_prefixes) {
				// Each becomes a namespace-wide local-net entry. The
				// LMA relays the node's prefixes only.
				if (from_lma)
					refuse_claim(out, session, maar, "local-prefix", local.to_string(), "from-partner-domain");
				else if (const auto problem = local_prefix_problem(config.domain, maar, local, own_prefixes))
					refuse_claim(out, session, maar, "local-prefix", local.to_string(), *problem);
				else
					it->local_prefixes.push_back(local);
			}
			for (const auto &local : it->local_prefixes) {
				bool clash = false;
				for (const auto &own : config.local_prefixes)
					clash = clash || overlaps(own, local);
				if (clash) {
					count(Counter::local_prefix_conflicts);
					log(out, LogLevel::warning, "local-prefix-conflict",
					    {{"mn", session.mn.nai}, {"maar", text(maar)}, {"prefix", local.to_string()}});
				}
			}
		}
	}
	if (lists_all) {
		// Every PBA from the CMD lists the node's whole P-MAAR list: a
		// previous MAAR it no longer names is gone (A12), as are prefixes
		// it no longer gives. A home LMA's lists its domain's part.
		for (auto &remote : session.remotes) {
			if (from_lma ? remote.via != source : remote.via.has_value())
				continue;
			std::vector<Ipv6Prefix> kept;
			for (const auto &prefix : remote.prefixes)
				for (const auto &[owner, named] : pairs)
					if (owner == remote.maar && named == prefix && !contains(kept, prefix))
						kept.push_back(prefix);
			remote.prefixes = std::move(kept);
		}
	}
	// A remote left without prefixes has nothing to represent.
	session.remotes.erase(std::remove_if(session.remotes.begin(), session.remotes.end(),
					     [](const Remote &remote) { return remote.prefixes.empty(); }),
			      session.remotes.end());
}

void MaarCore::Impl::complete_registration(Session &session, const Ipv6Address &source,
					   const mh::ProxyBindingAck &pba, TimePoint now, Actions &out)
{
	if (source == config.cmd && !session.legacy && !pba.flags.has(BaFlag::Dmm)) {
		// 000 §4.2: the answer of an LMA without RFC 8885 support. Serve
		// the node as a plain RFC 5213 MAG with the prefix it assigned.
		if (pba.options.home_network_prefixes.empty()) {
			refuse_accepted_registration(session, "no-home-network-prefix", now, out);
			return;
		}
		count(Counter::legacy_lma_detected);
		log(out, LogLevel::notice, "legacy-lma",
		    {{"mn", session.mn.nai}, {"lma", text(config.cmd)}, {"prefix", pba.options.home_network_prefixes.front().to_string()}});
		session.legacy = true;
		for (const auto &prefix : session.prefixes)
			pool.release(prefix);
		session.prefixes.clear();
	}
	if (session.legacy) {
		if (pba.options.home_network_prefixes.empty() || pba.options.home_network_prefixes.front().length == 0) {
			refuse_accepted_registration(session, "no-home-network-prefix", now, out);
			return;
		}
		const Ipv6Prefix assigned = pba.options.home_network_prefixes.front().masked();
		if (!take_legacy_prefix(session, assigned, out)) {
			refuse_accepted_registration(session, "prefix-in-use", now, out);
			return;
		}
	}
	if (pba.lifetime.is_deregistration()) {
		exchange_failed(session, pba.status, now, out);
		return;
	}
	if (session.exchange && session.exchange->kind == ExchangeKind::registration)
		latencies.pbu_to_pba.observe(now - session.exchange->started);
	if (session.attached_at) {
		latencies.attach_to_registered.observe(now - *session.attached_at);
		session.attached_at.reset();
	}
	cancel_exchange(session, out);
	const bool returned = session.returning;
	session.state = SessionState::serving;
	session.returning = false;
	session.serving_maar.reset();
	session.lifetime_units = pba.lifetime.units();
	arm_lifetime(session, duration_of(pba.lifetime), now, out, true);
	if (source != config.cmd) {
		// Locator mode: this PBA came from one previous MAAR, and there
		// is no telling how many will (A11), nor whether one was lost.
		// An early refresh fetches the CMD's complete list.
		stop_timer(session.refresh_timer, out);
		session.refresh_at = now + config.timers.initial_retransmission;
		session.refresh_timer = arm(out, session, TimerKind::refresh, config.timers.initial_retransmission);
		session.verifying = true;
	}
	if (!session.legacy)
		merge_previous_maars(session, source, pba, out);
	sync(session, out);
	sync_shared(out);
	count(Counter::registrations);
	log(out, LogLevel::info, returned ? "registered-returned" : "registered",
	    {{"mn", session.mn.nai},
	     {"prefixes", session.legacy ? session.legacy_prefix->to_string() : text(session.prefixes)},
	     {"previous_maars", std::to_string(session.remotes.size())},
	     {"legacy", session.legacy ? "yes" : "no"}});
	out.push_back(StateChanged{session.mn.nai});
}

// The LMA's prefix for a node served as a plain MAG. One from this MAAR's
// own pool (an LMA that echoes what a MAAR proposed) is taken from the
// pool while the session lasts, so that it is never handed to a second
// node; one already in use by another node is refused.
bool MaarCore::Impl::take_legacy_prefix(Session &session, const Ipv6Prefix &assigned, Actions &out)
{
	if (session.legacy_prefix == assigned)
		return true;
	if (pool.contains(assigned) && !pool.claim(assigned)) {
		count(Counter::legacy_prefix_conflicts);
		log(out, LogLevel::warning, "legacy-prefix-in-use", {{"mn", session.mn.nai}, {"prefix", assigned.to_string()}});
		return false;
	}
	if (session.legacy_prefix)
		pool.release(*session.legacy_prefix);
	session.legacy_prefix = assigned;
	return true;
}

// A status-0 PBA this MAAR cannot act on: the CMD (or LMA) holds a binding
// for the node all the same, so it is de-registered rather than left to
// linger until its lifetime runs out.
void MaarCore::Impl::refuse_accepted_registration(Session &session, std::string_view why, TimePoint now,
						  Actions &out)
{
	count(Counter::registration_failures);
	log(out, LogLevel::warning, "registration-refused", {{"mn", session.mn.nai}, {"reason", std::string(why)}});
	cancel_exchange(session, out);
	if (session.state == SessionState::serving || session.serving_maar) {
		// A re-registration, or a node some of whose prefixes are still
		// anchored here: the session stands as it was.
		out.push_back(StateChanged{session.mn.nai});
		return;
	}
	start_deregistration(session, now, out);
}

void MaarCore::Impl::become_anchor(Session &session, const Ipv6Address &serving, const mh::ProxyBindingUpdate &pbu,
				   TimePoint now, Actions &out)
{
	// 000 App B (R23), in order: routing state for the prefixes anchored
	// here, the BCE timer, the MAAR list.
	cancel_exchange(session, out);
	stop_timer(session.refresh_timer, out);
	session.refresh_at.reset();
	session.verifying = false;
	const bool repoint = session.state == SessionState::anchor;
	session.state = SessionState::anchor;
	session.returning = false;
	session.serving_maar = serving;
	session.lifetime_units = pbu.lifetime.units();
	if (config.deregistration == Deregistration::a && !config.direct) {
		// R83: only the serving MAAR may end the session.
		stop_timer(session.expiry_timer, out);
		session.expires_at.reset();
	} else {
		// R84: this MAAR's own binding runs for what the CMD granted.
		arm_lifetime(session, anchor_lifetime(pbu.lifetime), now, out, false);
	}
	session.remotes.clear();
	sync(session, out);
	sync_shared(out);
	count(Counter::handovers_as_previous);
	log(out, LogLevel::info, repoint ? "anchor-repointed" : "became-previous-maar",
	    {{"mn", session.mn.nai}, {"serving_maar", text(serving)}, {"prefixes", text(session.prefixes)}});
	if (config.direct) {
		send(out, serving, anchor_answer(session, pbu, false));
	} else {
		if (config.cmd_mode == CmdMode::locator)
			send(out, serving, anchor_answer(session, pbu, false));
		send(out, config.cmd, anchor_answer(session, pbu, true));
	}
	// The CMD knows better than a layer-2 state that may never have seen
	// the node leave: a node coming back shows itself (its RS on the
	// silent DLIF is reported as MnAttached).
	session.attached = false;
	out.push_back(StateChanged{session.mn.nai});
}

// ------------------------------------------------------------------ events

void MaarCore::Impl::on_event(const Event &event, TimePoint now, Actions &out)
{
	if (const auto *received = std::get_if<MhReceived>(&event)) {
		if (const auto *pbu = std::get_if<mh::ProxyBindingUpdate>(&received->message))
			on_pbu(received->source, *pbu, now, out);
		else if (const auto *pba = std::get_if<mh::ProxyBindingAck>(&received->message))
			on_pba(received->source, *pba, now, out);
		else {
			count(Counter::rx_binding_error);
			log(out, LogLevel::notice, "binding-error-received",
			    {{"source", text(received->source)}, {"message", mh::to_string(received->message)}});
		}
	} else if (const auto *attached = std::get_if<MnAttached>(&event)) {
		on_attached(*attached, now, out);
	} else if (const auto *detached = std::get_if<MnDetached>(&event)) {
		on_detached(*detached, now, out);
	} else if (const auto *fired = std::get_if<TimerFired>(&event)) {
		on_timer(fired->id, now, out);
	} else if (const auto *found = std::get_if<SessionsFound>(&event)) {
		if (config.direct)
			on_sessions_found(*found, now, out);
	} else if (const auto *sample = std::get_if<TrafficSampled>(&event)) {
		on_traffic(*sample, now, out);
	}
}

void MaarCore::Impl::on_traffic(const TrafficSampled &sample, TimePoint now, Actions &out)
{
	const Duration idle = config.release_idle_after;
	if (idle == Duration::zero() || config.legacy_mag)
		return;
	std::map<Ipv6Prefix, std::uint64_t, PrefixLess> packets;
	for (const auto &[prefix, count] : sample.serving_packets)
		packets[prefix.masked()] += count;
	for (auto &&[number, session] : sessions) {
		if (session.state != SessionState::serving || session.legacy || session.remotes.empty())
			continue;
		std::vector<Ipv6Address> idle_remotes;
		for (auto &remote : session.remotes) {
			// Through a home LMA the CMD is not the one to ask.
			if (remote.via)
				continue;
			std::uint64_t total = 0;
			for (const auto &prefix : remote.prefixes)
				if (const auto it = packets.find(prefix); it != packets.end())
					total += it->second;
			if (!remote.active_at || total != remote.packets) {
				remote.packets = total;
				remote.active_at = now;
			} else if (now - *remote.active_at >= idle) {
				idle_remotes.push_back(remote.maar);
			}
		}
		// One release at a time, and not across another exchange: the
		// next sample finds them still idle.
		if (idle_remotes.empty() || session.exchange || !session.attached)
			continue;
		log(out, LogLevel::info, "previous-maars-idle",
		    {{"mn", session.mn.nai}, {"maars", text(idle_remotes)}});
		if (config.direct) {
			release_directly(session, idle_remotes, now, out);
			continue;
		}
		session.releasing = std::move(idle_remotes);
		session.planned_refresh = session.refresh_at;
		stop_timer(session.refresh_timer, out);
		session.refresh_at.reset();
		session.verifying = false;
		start_exchange(session, ExchangeKind::refresh, now, out);
	}
}

// The answer to a refresh that named idle previous MAARs: the CMD lists
// the whole binding, so one it no longer lists is gone from it (and told
// to release its prefixes); one it still lists stays, and waits another
// idle period (a CMD that does not know the release keeps them all).
void MaarCore::Impl::settle_releases(Session &session, const mh::ProxyBindingAck &pba, TimePoint now, Actions &out)
{
	for (const auto &maar : std::exchange(session.releasing, {})) {
		const bool listed = std::any_of(pba.options.previous_maars.begin(), pba.options.previous_maars.end(),
						[&](const mh::PreviousMaar &previous) { return previous.address == maar; });
		if (listed) {
			count(Counter::idle_releases_kept);
			for (auto &remote : session.remotes)
				if (remote.maar == maar)
					remote.active_at = now;
			log(out, LogLevel::notice, "previous-maar-kept", {{"mn", session.mn.nai}, {"maar", text(maar)}});
			continue;
		}
		count(Counter::idle_releases);
		drop_remote(session, maar);
		log(out, LogLevel::info, "previous-maar-released", {{"mn", session.mn.nai}, {"maar", text(maar)}});
	}
}

void MaarCore::Impl::on_attached(const MnAttached &attached, TimePoint now, Actions &out)
{
	Session *session = find(attached.mn);
	if (!session) {
		if (!admit(attached.mn, now, out))
			return;
		count(Counter::attachments);
		session = create(attached.mn, attached.access_interface, now, out);
		if (!session)
			return;
		log(out, LogLevel::info, "attached",
		    {{"mn", session->mn.nai},
		     {"mac", attached.mn.to_string()},
		     {"interface", attached.access_interface},
		     {"prefix", session->legacy ? std::string("(from the LMA)") : text(session->prefixes)}});
		// R47/A34: the DLIF now, silent until the PBA.
		session->attached_at = now;
		sync(*session, out);
		start_exchange(*session, ExchangeKind::registration, now, out);
		return;
	}
	const bool moved_interface = session->interface != attached.access_interface;
	session->interface = attached.access_interface;
	switch (session->state) {
	case SessionState::registering:
		if (session->attached) {
			if (moved_interface) {
				sync(*session, out);
				out.push_back(StateChanged{session->mn.nai});
			} else {
				count(Counter::duplicate_attachments);
			}
			return;
		}
		// Back after leaving during its registration: whatever the CMD
		// made of the first PBU is older than this. A new exchange (new
		// numbers: answers to the old one no longer count) puts the
		// node here again, after anything the CMD did meanwhile.
		count(Counter::reattachments);
		session->attached = true;
		log(out, LogLevel::info, "reattached", {{"mn", session->mn.nai}});
		session->attached_at = now;
		sync(*session, out);
		start_exchange(*session, ExchangeKind::registration, now, out);
		return;
	case SessionState::serving:
		if (session->attached && !moved_interface) {
			count(Counter::duplicate_attachments);
			return;
		}
		count(Counter::reattachments);
		session->attached = true;
		log(out, LogLevel::info, "reattached", {{"mn", session->mn.nai}});
		// The node left and came back: maybe another MAAR registered it
		// meanwhile. Registering again (not a refresh) lets the CMD's
		// serialisation sort it out: a plain answer if nothing
		// happened, a return to this MAAR (A17) otherwise.
		session->attached_at = now;
		sync(*session, out);
		start_exchange(*session, ExchangeKind::registration, now, out);
		return;
	case SessionState::anchor:
		// A17: back at a MAAR that anchors some of its prefixes. They
		// are local again at once (the DLIF and its route were kept);
		// the anchored prefix is reused as the serving prefix.
		count(Counter::returns);
		log(out, LogLevel::info, "node-returned",
		    {{"mn", session->mn.nai}, {"prefixes", text(session->prefixes)}});
		session->state = SessionState::registering;
		session->returning = true;
		session->attached = true;
		stop_timer(session->expiry_timer, out);
		session->expires_at.reset();
		session->attached_at = now;
		sync(*session, out);
		start_exchange(*session, ExchangeKind::registration, now, out);
		return;
	case SessionState::deregistering:
		session->attached_at = now;
		session->reattach = true;
		session->attached = true;
		log(out, LogLevel::info, "attached-while-deregistering", {{"mn", session->mn.nai}});
		out.push_back(StateChanged{session->mn.nai});
		return;
	}
}

void MaarCore::Impl::on_detached(const MnDetached &detached, TimePoint, Actions &out)
{
	Session *session = find(detached.mn);
	if (!session || !session->attached)
		return;
	count(Counter::detachments);
	session->attached = false;
	session->reattach = false;
	if (session->exchange && session->exchange->kind == ExchangeKind::registration) {
		// Gone before its registration completed. A PBU repeated now
		// could reach the CMD after the node's registration elsewhere
		// and pull it back here (sequence numbers do not order PBUs of
		// different MAARs, A32): no more repeats. The answer to what
		// was sent still counts until the current timeout runs out.
		log(out, LogLevel::info, "left-during-registration", {{"mn", session->mn.nai}});
		session->exchange->retransmissions = config.timers.max_retransmissions;
	}
	// R82/R186: no de-registration; refreshing stops and the lifetime runs
	// out unless the node shows up again. (Locator's early check of the
	// P-MAAR list still happens: it is about the list, not the node.)
	if (!session->verifying) {
		stop_timer(session->refresh_timer, out);
		session->refresh_at.reset();
	}
	if (session->exchange && session->exchange->kind == ExchangeKind::refresh)
		cancel_exchange(*session, out);
	log(out, LogLevel::info, "detached", {{"mn", session->mn.nai}});
	sync(*session, out);
	out.push_back(StateChanged{session->mn.nai});
}

void MaarCore::Impl::on_pbu(const Ipv6Address &source, const mh::ProxyBindingUpdate &pbu, TimePoint now,
			    Actions &out)
{
	count(Counter::rx_pbu);
	// Direct mode: the serving MAAR itself signals the anchors (004 §4.2).
	const bool from_maar = config.direct && source != config.address && is_domain_maar(source);
	if (source != config.cmd && !from_maar) {
		count(is_domain_maar(source) ? Counter::drop_pbu_from_maar : Counter::drop_unknown_peer);
		log(out, LogLevel::warning, "pbu-not-from-cmd", {{"source", text(source)}});
		return;
	}
	if (config.legacy_mag) {
		// A plain MAG takes no PBU (E-D2: dropped, counted).
		count(Counter::drop_d_flag_in_mag_mode);
		log(out, LogLevel::notice, "pbu-in-mag-mode", {{"source", text(source)}});
		return;
	}
	std::optional<MnId> mn;
	if (pbu.options.mobile_node_identifier)
		mn = mn_id_from_option(*pbu.options.mobile_node_identifier);
	if (!mn) {
		count(Counter::drop_malformed);
		send(out, source, rejection(pbu, Status::MissingMnIdentifierOption));
		return;
	}
	Session *session = find(mn->nai);
	if (config.ordering == Ordering::timestamp) {
		const mh::Timestamp here = wall.timestamp(now);
		const bool has_last = session && session->cmd_last_timestamp.has_value();
		const std::uint64_t last = has_last ? session->cmd_last_timestamp->raw() : 0;
		const std::uint64_t received = pbu.options.timestamp ? pbu.options.timestamp->raw() : 0;
		auto verdict = pbu.options.timestamp
				       ? check_timestamp(mh::Timestamp::from_raw(received), here,
							 config.timers.timestamp_window,
							 has_last ? std::optional(mh::Timestamp::from_raw(last)) : std::nullopt)
				       : TimestampVerdict::mismatch;
		// The same timestamp again is the CMD repeating a PBU whose
		// answer was lost: answered again, idempotently.
		if (verdict == TimestampVerdict::not_newer && has_last && received == last)
			verdict = TimestampVerdict::ok;
		if (verdict != TimestampVerdict::ok) {
			count(Counter::drop_stale_timestamp);
			auto pba = rejection(pbu, verdict == TimestampVerdict::mismatch ? Status::TimestampMismatch
											: Status::TimestampLowerThanPrevAccepted);
			if (verdict == TimestampVerdict::mismatch)
				pba.options.timestamp = here;
			send(out, source, std::move(pba));
			return;
		}
	}
	if (session && pbu.options.timestamp)
		session->cmd_last_timestamp = pbu.options.timestamp;
	// In locator mode the CMD forwards each serving MAAR's own number
	// (A10): numbers compare only within one serving MAAR's (A32).
	std::optional<Ipv6Address> seq_context;
	if (config.cmd_mode == CmdMode::locator)
		seq_context = pbu.options.serving_maar;
	if (config.direct)
		seq_context = source;
	if (config.ordering == Ordering::sequence_number && session && session->cmd_last_seq &&
	    session->cmd_seq_context == seq_context) {
		// RFC 5213 §5.5 as the CMD applies it to MAARs: a number not
		// newer than the last accepted one is a replay or a late copy.
		const std::uint16_t last = *session->cmd_last_seq;
		if (pbu.sequence == last) {
			// The CMD repeats a PBU whose answer it lost: answer again
			// if nothing has changed since, without acting twice.
			count(Counter::duplicate_pbus);
			const auto serving = config.direct ? std::optional(source) : pbu.options.serving_maar;
			if (serving && session->serving_maar == *serving && !pbu.lifetime.is_deregistration())
				send(out, source, anchor_answer(*session, pbu, !config.direct));
			return;
		}
		if (!sequence_newer(pbu.sequence, last)) {
			count(Counter::drop_stale_sequence);
			auto pba = rejection(pbu, Status::SequenceNumberOutOfWindow);
			pba.sequence = last;
			send(out, source, std::move(pba));
			log(out, LogLevel::notice, "pbu-out-of-window",
			    {{"mn", mn->nai}, {"seq", std::to_string(pbu.sequence)}, {"last", std::to_string(last)}});
			return;
		}
	}
	if (session) {
		session->cmd_last_seq = pbu.sequence;
		session->cmd_seq_context = seq_context;
	}

	if (config.direct && pbu.lifetime.is_deregistration() && session &&
	    session->state == SessionState::anchor && session->serving_maar != source) {
		// From a MAAR the node has since left: the anchor stays.
		count(Counter::drop_stale_cleanup);
		log(out, LogLevel::info, "cleanup-from-former-serving-maar-ignored",
		    {{"mn", mn->nai}, {"source", text(source)}});
		return;
	}
	if (pbu.lifetime.is_deregistration()) {
		// The CMD (direct mode: the serving MAAR) ends the session here
		// (R86, A15).
		if (session && (session->state == SessionState::serving ||
				(session->state == SessionState::registering && session->attached))) {
			// Only previous MAARs are cleaned up: this one is for an
			// older session of the node.
			count(Counter::drop_stale_cleanup);
			log(out, LogLevel::info, "cleanup-for-served-node-ignored", {{"mn", mn->nai}});
			return;
		}
		auto pba = rejection(pbu, Status::Accepted);
		if (session) {
			for (const auto &prefix : session->prefixes)
				pba.options.home_network_prefixes.push_back(prefix);
			count(Counter::cleanups);
			log(out, LogLevel::info, "cleanup", {{"mn", mn->nai}});
			remove(*session, now, out);
		} else {
			pba.options.home_network_prefixes = pbu.options.home_network_prefixes;
		}
		send(out, source, std::move(pba));
		return;
	}
	if (config.direct && pbu.options.serving_maar && *pbu.options.serving_maar != source) {
		// A MAAR speaks for itself only.
		count(Counter::drop_pbu_not_from_serving);
		send(out, source, rejection(pbu, Status::ReasonUnspecified));
		log(out, LogLevel::warning, "pbu-for-another-serving-maar",
		    {{"mn", mn->nai}, {"source", text(source)}, {"serving_maar", text(*pbu.options.serving_maar)}});
		return;
	}
	if (!pbu.options.serving_maar && !config.direct) {
		count(Counter::drop_malformed);
		send(out, source, rejection(pbu, Status::ReasonUnspecified));
		return;
	}
	const Ipv6Address serving = config.direct ? source : *pbu.options.serving_maar;
	if (serving == config.address) {
		// A17: never about itself.
		count(Counter::drop_serving_is_self);
		log(out, LogLevel::warning, "serving-maar-is-self", {{"mn", mn->nai}});
		return;
	}
	// The CMD names itself when it relays for a node visiting a partner
	// domain (004 §5): it is then the node's serving node here.
	if (!is_domain_maar(serving) && !(serving == config.cmd && !config.direct)) {
		count(Counter::drop_unknown_peer);
		send(out, source, rejection(pbu, Status::ReasonUnspecified));
		log(out, LogLevel::warning, "serving-maar-unknown", {{"mn", mn->nai}, {"serving_maar", text(serving)}});
		return;
	}
	if (!session || session->legacy || session->prefixes.empty()) {
		count(Counter::rejected_unknown_node);
		send(out, source, rejection(pbu, Status::NotLmaForThisMobileNode));
		log(out, LogLevel::notice, "previous-maar-update-for-unknown-node", {{"mn", mn->nai}});
		return;
	}
	if (session->attached && session->exchange && session->exchange->kind == ExchangeKind::registration) {
		// The node is here and our registration is still unanswered:
		// it reaches the CMD after this update (queued behind it, A37,
		// or a retransmission) and will move the node back here. Answer,
		// keep delivering natively, and remember where to tunnel should
		// our registration fail. (Without layer-2 detach events, a node
		// that left during its registration looks the same: see
		// Documentation/dlifd-design.rst.)
		session->serving_maar = serving;
		send(out, source, anchor_answer(*session, pbu, true));
		out.push_back(StateChanged{session->mn.nai});
		return;
	}
	if (config.direct && session->state == SessionState::anchor && session->serving_maar == serving &&
	    pbu.options.handoff_indicator == HandoffIndicator::HandoffStateNotChanged) {
		// The serving MAAR's refresh: the anchor's lifetime again.
		count(Counter::renewals);
		session->lifetime_units = pbu.lifetime.units();
		arm_lifetime(*session, anchor_lifetime(pbu.lifetime), now, out, false);
		send(out, source, anchor_answer(*session, pbu, false));
		out.push_back(StateChanged{session->mn.nai});
		return;
	}
	become_anchor(*session, serving, pbu, now, out);
}

void MaarCore::Impl::on_pba(const Ipv6Address &source, const mh::ProxyBindingAck &pba, TimePoint now, Actions &out)
{
	count(Counter::rx_pba);
	const bool from_cmd = source == config.cmd;
	if (!from_cmd && !is_domain_maar(source) && !(config.direct && is_home_lma(source))) {
		count(Counter::drop_unknown_peer);
		log(out, LogLevel::warning, "pba-from-unknown-peer", {{"source", text(source)}});
		return;
	}
	if (!from_cmd && config.cmd_mode != CmdMode::locator && !config.direct) {
		// Only in locator mode do previous MAARs answer the serving MAAR
		// directly (RFC 8885 §3.3); in relay and proxy mode every PBA
		// comes from the CMD.
		count(Counter::drop_pba_not_expected);
		log(out, LogLevel::warning, "pba-from-maar-outside-locator-mode", {{"source", text(source)}});
		return;
	}
	if (config.legacy_mag && pba.flags.has(BaFlag::Dmm)) {
		// 000 §4.2 (E-D2): a plain MAG ignores a D-flagged message.
		count(Counter::drop_d_flag_in_mag_mode);
		log(out, LogLevel::notice, "pba-d-flag-in-mag-mode", {{"source", text(source)}});
		return;
	}
	std::optional<MnId> mn;
	if (pba.options.mobile_node_identifier)
		mn = mn_id_from_option(*pba.options.mobile_node_identifier);
	Session *session = mn ? find(mn->nai) : nullptr;
	if (!session) {
		count(mn ? Counter::drop_unmatched_pba : Counter::drop_malformed);
		log(out, LogLevel::debug, mn ? "pba-unmatched" : "pba-without-mn-id",
		    {{"source", text(source)}, {"seq", std::to_string(pba.sequence)}});
		return;
	}
	if (config.direct) {
		on_direct_pba(*session, source, pba, now, out);
		return;
	}
	Exchange *exchange = session->exchange ? &*session->exchange : nullptr;

	if (from_cmd && exchange && pba.status == Status::SequenceNumberOutOfWindow) {
		// RFC 6275 §11.7.1: the CMD's last accepted number is in the
		// PBA; go on after it at once.
		count(Counter::sequence_resyncs);
		session->next_seq = static_cast<std::uint16_t>(pba.sequence + 1);
		renumber(*session, *exchange);
		send(out, config.cmd, make_pbu(*session, exchange->kind, exchange->last_seq, now));
		out.push_back(StateChanged{session->mn.nai});
		return;
	}

	if (exchange && sequence_in_range(pba.sequence, exchange->first_seq, exchange->last_seq) &&
	    (from_cmd || exchange->kind == ExchangeKind::registration)) {
		if (!from_cmd && (!mh::is_accepted(pba.status) || !pba.flags.has(BaFlag::Dmm))) {
			// A previous MAAR's refusal goes to the CMD, which acts on it.
			count(Counter::drop_unmatched_pba);
			log(out, LogLevel::debug, "pba-unmatched",
			    {{"mn", session->mn.nai}, {"source", text(source)}, {"status", std::to_string(static_cast<unsigned>(pba.status))}});
			return;
		}
		if (!mh::is_accepted(pba.status)) {
			if (pba.status == Status::TimestampMismatch ||
			    pba.status == Status::TimestampLowerThanPrevAccepted) {
				// The next retransmission carries a fresh timestamp.
				count(Counter::drop_stale_timestamp);
				log(out, LogLevel::info, "pba-timestamp-refused",
				    {{"mn", session->mn.nai}, {"status", std::string(mh::name(pba.status))}});
				return;
			}
			exchange_failed(*session, pba.status, now, out);
			return;
		}
		switch (exchange->kind) {
		case ExchangeKind::registration:
			complete_registration(*session, source, pba, now, out);
			return;
		case ExchangeKind::refresh:
			cancel_exchange(*session, out);
			if (pba.lifetime.is_deregistration()) {
				remove(*session, now, out);
				return;
			}
			count(Counter::refreshes);
			session->lifetime_units = pba.lifetime.units();
			arm_lifetime(*session, duration_of(pba.lifetime), now, out, true);
			session->planned_refresh.reset();
			if (!session->legacy) {
				settle_releases(*session, pba, now, out);
				merge_previous_maars(*session, source, pba, out);
				sync(*session, out);
				sync_shared(out);
			}
			out.push_back(StateChanged{session->mn.nai});
			return;
		case ExchangeKind::deregistration:
			cancel_exchange(*session, out);
			if (!pba.lifetime.is_deregistration()) {
				// The CMD keeps the session: another MAAR serves the
				// node and the CMD's update for this MAAR is on its way.
				// Wait for it, and try again after the lifetime.
				log(out, LogLevel::info, "deregistration-renewed", {{"mn", session->mn.nai}});
				arm_lifetime(*session, duration_of(pba.lifetime), now, out, false);
				out.push_back(StateChanged{session->mn.nai});
				return;
			}
			count(Counter::deregistrations);
			remove(*session, now, out);
			return;
		case ExchangeKind::anchor_deregistration:
			cancel_exchange(*session, out);
			if (!pba.lifetime.is_deregistration()) {
				// R84: the node is still in the domain.
				count(Counter::renewals);
				session->lifetime_units = pba.lifetime.units();
				arm_lifetime(*session, duration_of(pba.lifetime), now, out, false);
				log(out, LogLevel::info, "previous-maar-renewed", {{"mn", session->mn.nai}});
				out.push_back(StateChanged{session->mn.nai});
				return;
			}
			count(Counter::deregistrations);
			remove(*session, now, out);
			return;
		}
		return;
	}

	// After the registration: later PBAs for it (relay timeout A13, one
	// PBA per previous MAAR in locator mode A11, per-MAAR details, a
	// P-MAAR dropped by the CMD A12).
	if (session->state == SessionState::serving && !session->legacy && session->registration_range &&
	    sequence_in_range(pba.sequence, session->registration_range->first, session->registration_range->last) &&
	    mh::is_accepted(pba.status) && pba.flags.has(BaFlag::Dmm) && !pba.lifetime.is_deregistration()) {
		merge_late(*session, source, pba, out);
		return;
	}
	// A duplicate, or the answer to an exchange since finished or dropped.
	count(Counter::drop_unmatched_pba);
	log(out, LogLevel::debug, "pba-unmatched",
	    {{"mn", session->mn.nai}, {"source", text(source)}, {"seq", std::to_string(pba.sequence)}});
}

void MaarCore::Impl::on_timer(TimerId id, TimePoint now, Actions &out)
{
	const TimerKey key = TimerKey::from(id);
	Session *found = sessions.find(key.owner);
	if (found == nullptr) {
		count(Counter::drop_stale_timer);
		return;
	}
	Session &session = *found;
	switch (static_cast<TimerKind>(key.kind)) {
	case TimerKind::exchange: {
		if (!session.exchange || session.exchange->timer != id)
			break;
		Exchange &exchange = *session.exchange;
		exchange.timer = 0;
		if (config.direct) {
			direct_exchange_timeout(session, now, out);
			return;
		}
		if (exchange.retransmissions >= config.timers.max_retransmissions) {
			if (!keeps_trying(session, now)) {
				exchange_failed(session, std::nullopt, now, out);
				return;
			}
			another_round(session, exchange, out);
		}
		back_off(session, exchange, now);
		send(out, config.cmd, make_pbu(session, exchange.kind, exchange.last_seq, now));
		exchange.timer = arm(out, session, TimerKind::exchange, exchange.timeout);
		out.push_back(StateChanged{session.mn.nai});
		return;
	}
	case TimerKind::refresh: {
		if (session.refresh_timer != id)
			break;
		session.refresh_timer = 0;
		session.refresh_at.reset();
		const bool verifying = session.verifying;
		session.verifying = false;
		if (session.state == SessionState::serving && (session.attached || verifying) && !session.exchange)
			start_exchange(session, ExchangeKind::refresh, now, out);
		return;
	}
	case TimerKind::expiry:
		if (session.expiry_timer != id)
			break;
		session.expiry_timer = 0;
		if (session.state == SessionState::serving && session.attached && session.exchange &&
		    (session.exchange->kind == ExchangeKind::registration ||
		     session.exchange->kind == ExchangeKind::refresh)) {
			// The node is here and its registration is on its way:
			// its answer extends the lifetime, its failure ends it.
			const Duration wait = std::max(Duration(1), std::chrono::ceil<Duration>(session.exchange->deadline - now));
			session.expires_at = now + wait;
			session.expiry_timer = arm(out, session, TimerKind::expiry, wait);
			return;
		}
		session.expires_at.reset();
		count(Counter::expirations);
		switch (session.state) {
		case SessionState::serving:
		case SessionState::deregistering:
			log(out, LogLevel::info, "lifetime-expired", {{"mn", session.mn.nai}});
			start_deregistration(session, now, out);
			return;
		case SessionState::anchor:
			if (config.direct) {
				// No word from the serving MAAR for a lifetime.
				log(out, LogLevel::info, "previous-maar-lifetime-expired", {{"mn", session.mn.nai}});
				remove(session, now, out);
				return;
			}
			// R84 (alternative B): ask the CMD whether the node is
			// still in the domain.
			log(out, LogLevel::info, "previous-maar-lifetime-expired", {{"mn", session.mn.nai}});
			start_exchange(session, ExchangeKind::anchor_deregistration, now, out);
			return;
		case SessionState::registering:
			return;
		}
		return;
	}
	count(Counter::drop_stale_timer);
}

// ------------------------------------------------------------- public API

MaarCore::MaarCore(MaarConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
MaarCore::~MaarCore() = default;
MaarCore::MaarCore(MaarCore &&) noexcept = default;
MaarCore &MaarCore::operator=(MaarCore &&) noexcept = default;

Actions MaarCore::start(TimePoint now)
{
	(void)now;
	Actions out;
	impl_->sync_shared(out);
	return out;
}

Actions MaarCore::handle(const Event &event, TimePoint now) noexcept
{
	return dmm::detail::handle_guarded(*impl_, Counter::internal_errors, event, now, 8);
}

void MaarCore::set_wall_clock(TimePoint steady_now, WallTime wall_now) noexcept
{
	impl_->wall.set(steady_now, wall_now);
}

std::size_t MaarCore::session_count() const noexcept
{
	return impl_->sessions.size();
}

KernelState MaarCore::kernel_state() const
{
	KernelState state;
	for (const auto &[prefix, entry] : impl_->shared_installed)
		state.entries.push_back(entry);
	for (const auto &[number, session] : impl_->sessions) {
		state.dlifs.insert(state.dlifs.end(), session.installed_dlifs.begin(), session.installed_dlifs.end());
		state.entries.insert(state.entries.end(), session.installed_entries.begin(),
				     session.installed_entries.end());
	}
	return state;
}

const MaarCore::Latencies &MaarCore::latencies() const noexcept
{
	return impl_->latencies;
}

CounterMap MaarCore::counters() const
{
	CounterMap map;
	for (std::size_t i = 0; i < static_cast<std::size_t>(Counter::count); ++i)
		map.emplace(std::string(counter_name(static_cast<Counter>(i))), impl_->counters[i]);
	return map;
}

const MaarConfig &MaarCore::config() const noexcept
{
	return impl_->config;
}

} // namespace dlif::maar
