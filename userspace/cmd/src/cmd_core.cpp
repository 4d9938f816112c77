// SPDX-License-Identifier: GPL-2.0
//
// The CMD's protocol logic. Message sequences: requirements §4.1-§4.5;
// choices on the ambiguities: Documentation/dlifd-design.rst.
#include <algorithm>
#include <exception>
#include <functional>

#include "cmd_impl.hpp"
#include "dlif/dmm/claims.hpp"
#include "dlif/dmm/core_entry.hpp"
#include "dlif/dmm/json.hpp"
#include "dlif/mh/format.hpp"

namespace dlif::cmd {

namespace {

using mh::BaFlag;
using mh::BuFlag;
using mh::HandoffIndicator;
using mh::Status;

std::string text(const Ipv6Address &address)
{
	return address.to_string();
}

std::string text(const PrefixList &prefixes)
{
	std::string out;
	for (const auto &prefix : prefixes) {
		if (!out.empty())
			out += ',';
		out += prefix.to_string();
	}
	return out;
}

// The DLIF identity the options carry, if they carry a valid one (an
// invalid one was counted where the message arrived: valid_identity()).
std::optional<DlifIdentity> identity_in(const mh::MobilityOptions &options)
{
	if (!options.dlif_link_layer_address || !options.dlif_link_local_address)
		return std::nullopt;
	const auto mac = mac_from_link_layer(*options.dlif_link_layer_address);
	if (!mac)
		return std::nullopt;
	const DlifIdentity identity{*mac, *options.dlif_link_local_address};
	if (dlif_identity_problem(identity))
		return std::nullopt;
	return identity;
}

PrefixList prefixes_in(const mh::MobilityOptions &options)
{
	PrefixList prefixes;
	for (const auto &prefix : options.home_network_prefixes)
		prefixes.push_back(prefix.masked());
	return prefixes;
}

Duration duration_of(Lifetime lifetime)
{
	return std::chrono::duration_cast<Duration>(lifetime.duration());
}

bool is_refresh(const mh::ProxyBindingUpdate &pbu)
{
	return pbu.options.handoff_indicator == HandoffIndicator::HandoffStateNotChanged;
}

} // namespace

std::size_t AddressHash::operator()(const Ipv6Address &address) const noexcept
{
	return MnIdHash{}(std::string_view(reinterpret_cast<const char *>(address.bytes.data()), address.bytes.size()));
}

std::string_view counter_name(Counter counter) noexcept
{
	switch (counter) {
#define DLIF_X(name)          \
	case Counter::name:   \
		return #name;
		DLIF_CMD_COUNTERS(DLIF_X)
#undef DLIF_X
	case Counter::count:
		break;
	}
	return "?";
}

std::string_view name(BindingState state) noexcept
{
	switch (state) {
	case BindingState::registered:
		return "registered";
	case BindingState::handover:
		return "handover";
	case BindingState::deregistering:
		return "deregistering";
	}
	return "?";
}

CmdCore::Impl::Impl(CmdConfig cfg) : config(std::move(cfg))
{
	maars = config.domain.maars;
	if (config.roaming)
		maars.insert(maars.end(), config.roaming->visited.begin(), config.roaming->visited.end());
	local_prefixes.resize(maars.size());
	flights.resize(maars.size());
	for (std::size_t i = 0; i < maars.size() && i < kNoMaar; ++i)
		maar_index.emplace(maars[i], static_cast<MaarIndex>(i));
	if (config.lma)
		lma_pool = PrefixPool(config.lma->pool, config.lma->prefix_length, {config.address});
	own_prefixes.push_back(Ipv6Prefix{config.address, 128});
	if (config.lma)
		own_prefixes.push_back(config.lma->pool);
}

void CmdCore::Impl::refuse_claim(Actions &out, std::string_view mn, MaarIndex claimant, std::string_view option,
				 std::string value, std::string_view why)
{
	count(Counter::refused_claims);
	log(out, LogLevel::warning, "claim-refused",
	    {{"mn", std::string(mn)},
	     {"from", text(address_of(claimant))},
	     {"option", std::string(option)},
	     {"value", std::move(value)},
	     {"reason", std::string(why)}});
}

PrefixList CmdCore::Impl::valid_prefixes(const mh::MobilityOptions &options, MaarIndex claimant, std::string_view mn,
					 Actions &out)
{
	PrefixList valid;
	for (const auto &prefix : options.home_network_prefixes) {
		if (const auto problem = home_prefix_problem(config.domain, address_of(claimant), prefix, own_prefixes))
			refuse_claim(out, mn, claimant, "home-network-prefix", prefix.to_string(), *problem);
		else
			valid.push_back(prefix.masked());
	}
	return valid;
}

std::optional<DlifIdentity> CmdCore::Impl::valid_identity(const mh::MobilityOptions &options, MaarIndex claimant,
							  std::string_view mn, Actions &out)
{
	if (!options.dlif_link_layer_address || !options.dlif_link_local_address)
		return std::nullopt;
	const auto identity = identity_in(options);
	if (!identity)
		refuse_claim(out, mn, claimant, "dlif-identity",
			     options.dlif_link_local_address->to_string(), "dlif-identity");
	return identity;
}

// A4: a MAAR's Local Prefix options replace what it announced before;
// each is passed to serving MAARs, which install it namespace-wide.
void CmdCore::Impl::take_local_prefixes(const mh::MobilityOptions &options, MaarIndex claimant, std::string_view mn,
					Actions &out)
{
	auto &mine = local_prefixes[claimant];
	mine.clear();
	for (const auto &local : options.local_prefixes) {
		if (const auto problem = local_prefix_problem(config.domain, address_of(claimant), local, own_prefixes))
			refuse_claim(out, mn, claimant, "local-prefix", local.to_string(), *problem);
		else
			mine.push_back(local);
	}
}

std::optional<MaarIndex> CmdCore::Impl::index_of(const Ipv6Address &address) const
{
	const auto it = maar_index.find(address);
	if (it == maar_index.end())
		return std::nullopt;
	return it->second;
}

void CmdCore::Impl::log(Actions &out, LogLevel level, std::string event,
			std::initializer_list<std::pair<std::string, std::string>> fields)
{
	out.push_back(make_log(level, std::move(event), fields));
}

// ------------------------------------------------------------ bookkeeping

BindingNode &CmdCore::Impl::insert(std::string_view mn)
{
	auto [it, inserted] = bindings.try_emplace(std::string(mn));
	(void)inserted;
	std::uint32_t slot;
	if (!free_slots.empty()) {
		slot = free_slots.back();
		free_slots.pop_back();
	} else {
		slot = static_cast<std::uint32_t>(slots.size());
		slots.push_back(nullptr);
	}
	slots[slot] = &*it;
	it->second.slot = slot;
	return *it;
}

void CmdCore::Impl::tally(const Binding &binding, bool add)
{
	if (binding.serving == kNoMaar)
		return;
	if (binding.serving >= serving_counts.size())
		serving_counts.resize(binding.serving + 1u);
	CmdCore::ServingCount &count = serving_counts[binding.serving];
	count.bindings = add ? count.bindings + 1 : count.bindings - 1;
	if (!binding.pending)
		count.registered = add ? count.registered + 1 : count.registered - 1;
}

void CmdCore::Impl::set_serving(Binding &binding, MaarIndex maar)
{
	tally(binding, false);
	binding.serving = maar;
	tally(binding, true);
}

void CmdCore::Impl::set_pending(Binding &binding, std::unique_ptr<Pending> pending)
{
	tally(binding, false);
	binding.pending = std::move(pending);
	tally(binding, true);
}

void CmdCore::Impl::erase(BindingNode &node, Actions &out)
{
	Binding &binding = node.second;
	tally(binding, false);
	if (binding.expiry_timer != 0)
		out.push_back(StopTimer{binding.expiry_timer});
	stop_pending_timers(binding, out);
	if (binding.lma && binding.lma_number != 0)
		free_lma_numbers.insert(binding.lma_number);
	slots[binding.slot] = nullptr;
	free_slots.push_back(binding.slot);
	bindings.erase(bindings.find(node.first));
}

TimerId CmdCore::Impl::arm(Actions &out, const Binding &binding, TimerKind kind, std::uint8_t index,
			   Duration after)
{
	if (++generation == 0)
		++generation;
	const TimerId id = TimerKey{binding.slot, static_cast<std::uint8_t>(kind), index, generation}.id();
	out.push_back(StartTimer{id, after});
	return id;
}

void CmdCore::Impl::restart_expiry(Binding &binding, TimePoint now, Actions &out)
{
	// The serving MAAR's copy of the lifetime starts when our PBA reaches
	// it and ends its session with a lifetime-0 PBU (§4.5); the CMD's
	// copy runs a little longer so that this PBU, not the CMD's own
	// expiry, normally ends the session.
	const Duration lifetime =
		duration_of(Lifetime::from_units(binding.lifetime_units)) + config.timers.initial_retransmission;
	if (binding.expiry_timer != 0)
		out.push_back(StopTimer{binding.expiry_timer});
	binding.expires_at = now + lifetime;
	binding.expiry_timer = arm(out, binding, TimerKind::expiry, 0, lifetime);
}

void CmdCore::Impl::stop_pending_timers(Binding &binding, Actions &out)
{
	if (!binding.pending)
		return;
	for (auto &outstanding : binding.pending->outstanding) {
		if (outstanding.resolved)
			continue;
		land(outstanding);
		if (outstanding.timer != 0) {
			out.push_back(StopTimer{outstanding.timer});
			outstanding.timer = 0;
		}
	}
	if (binding.pending->relay_timer != 0) {
		out.push_back(StopTimer{binding.pending->relay_timer});
		binding.pending->relay_timer = 0;
		binding.pending->relay_deadline.reset();
	}
}

Lifetime CmdCore::Impl::grant(const mh::ProxyBindingUpdate &pbu) const
{
	const Lifetime most =
		Lifetime::at_most(std::chrono::duration_cast<std::chrono::seconds>(config.timers.lifetime));
	const Lifetime granted = std::min(pbu.lifetime, most);
	// A grant that rounds to zero would read as a de-registration.
	return granted.units() == 0 ? Lifetime::from_units(1) : granted;
}

std::optional<mh::Status> CmdCore::Impl::check_order(const Binding *binding, MaarIndex maar,
						     const mh::ProxyBindingUpdate &pbu, TimePoint now, bool requeued,
						     std::uint16_t &answer_seq,
						     std::optional<mh::Timestamp> &answer_timestamp) const
{
	answer_seq = pbu.sequence;
	answer_timestamp = pbu.options.timestamp;
	if (config.ordering == Ordering::timestamp) {
		const mh::Timestamp here = wall.timestamp(now);
		if (!pbu.options.timestamp) {
			answer_timestamp = here;
			return Status::TimestampMismatch;
		}
		// A PBU that waited in the queue (A37) passed the window check
		// when it arrived; only "newer than the last accepted" is left.
		const std::optional<Duration> window =
			requeued ? std::nullopt : std::optional<Duration>(config.timers.timestamp_window);
		switch (check_timestamp(*pbu.options.timestamp, here, window,
					binding ? binding->last_timestamp : std::nullopt)) {
		case TimestampVerdict::mismatch:
			answer_timestamp = here;
			return Status::TimestampMismatch;
		case TimestampVerdict::not_newer:
			return Status::TimestampLowerThanPrevAccepted;
		case TimestampVerdict::ok:
			break;
		}
		return std::nullopt;
	}
	if (binding && binding->has_seq && binding->seq_context == maar &&
	    !sequence_newer(pbu.sequence, binding->last_seq)) {
		answer_seq = binding->last_seq;
		return Status::SequenceNumberOutOfWindow;
	}
	return std::nullopt;
}

void CmdCore::Impl::note_accepted(Binding &binding, MaarIndex maar, const mh::ProxyBindingUpdate &pbu)
{
	binding.has_seq = true;
	binding.last_seq = pbu.sequence;
	binding.seq_context = maar;
	if (pbu.options.timestamp)
		binding.last_timestamp = pbu.options.timestamp;
}

Element *CmdCore::Impl::element_of(Binding &binding, MaarIndex maar)
{
	for (auto &element : binding.elements)
		if (element.maar == maar)
			return &element;
	return nullptr;
}

// The serving MAAR repeats the PBU last accepted from it, same number (and
// same timestamp): an RFC 5213 MAG may retransmit so (OPMIP does), and a
// 135 for it stops such a MAG refreshing. Answered again, nothing changed.
bool CmdCore::Impl::is_repeat(const Binding &binding, MaarIndex maar, const mh::ProxyBindingUpdate &pbu) const
{
	if (maar != binding.serving || binding.seq_context != maar || !binding.has_seq ||
	    pbu.lifetime.is_deregistration())
		return false;
	if (pbu.sequence != binding.last_seq)
		return false;
	if (config.ordering == Ordering::timestamp)
		return pbu.options.timestamp && binding.last_timestamp &&
		       pbu.options.timestamp->raw() == binding.last_timestamp->raw();
	return true;
}

void CmdCore::Impl::answer_repeat(const BindingNode &node, const mh::ProxyBindingUpdate &pbu, Actions &out)
{
	count(Counter::duplicate_pbus);
	if (node.second.lma)
		reply(out, node.second.serving, answer(node, pbu.sequence, pbu.options.timestamp, false));
	else
		send_serving_pbas(node, pbu.sequence, pbu.options.timestamp, nullptr,
				  node.second.pending || !is_refresh(pbu), out);
}

bool CmdCore::Impl::has_details(const Element &element, const std::string &mn) const
{
	if (!local_prefixes[element.maar].empty())
		return true;
	return element.identity && *element.identity != derive_dlif_identity(address_of(element.maar), MnId{mn});
}

// ---------------------------------------------------------------- messages

void CmdCore::Impl::send(Actions &out, MaarIndex to, mh::Message message)
{
	count(std::holds_alternative<mh::ProxyBindingUpdate>(message) ? Counter::tx_pbu : Counter::tx_pba);
	out.push_back(SendMh{address_of(to), std::move(message)});
}

mh::ProxyBindingAck CmdCore::Impl::rejection(const mh::ProxyBindingUpdate &pbu, mh::Status status, bool dmm) const
{
	mh::ProxyBindingAck pba;
	pba.status = status;
	pba.flags.set(BaFlag::Dmm, dmm);
	pba.sequence = pbu.sequence;
	pba.lifetime = Lifetime::from_units(0);
	pba.options.mobile_node_identifier = pbu.options.mobile_node_identifier;
	pba.options.timestamp = pbu.options.timestamp;
	return pba;
}

mh::ProxyBindingAck CmdCore::Impl::answer(const BindingNode &node, std::uint16_t seq,
					  std::optional<mh::Timestamp> echo, bool dmm) const
{
	const Binding &binding = node.second;
	mh::ProxyBindingAck pba;
	pba.flags.set(BaFlag::Dmm, dmm);
	pba.sequence = seq;
	pba.lifetime = Lifetime::from_units(binding.lifetime_units);
	pba.options.mobile_node_identifier = mh::MobileNodeIdentifier::nai(node.first);
	pba.options.home_network_prefixes.assign(binding.prefixes.span());
	pba.options.handoff_indicator = static_cast<HandoffIndicator>(binding.handoff_indicator);
	pba.options.access_technology_type = static_cast<mh::AccessTechnologyType>(binding.access_technology);
	pba.options.timestamp = echo;
	if (binding.mn_mac)
		pba.options.mobile_node_link_layer_identifier = to_link_layer(*binding.mn_mac);
	return pba;
}

// The PBA(s) to the serving MAAR naming previous MAARs (R55, R67). Every
// PBA the CMD sends a serving MAAR lists the binding's whole P-MAAR list,
// so that whichever of them arrives (they can be lost, and are not
// retransmitted) gives the complete picture. The DLIF and Local Prefix
// options of a PBA describe the P-MAAR of its first Previous MAAR option
// (the newest, or `first`); with `details_of_others`, one more PBA per
// other P-MAAR that has such details follows, with that one first. A
// visited MAAR of a partner domain gets the same (004 §5): it reaches the
// P-MAARs through this CMD, its home LMA, and shows a DLIF for each.
void CmdCore::Impl::send_serving_pbas(const BindingNode &node, std::uint16_t seq, std::optional<mh::Timestamp> echo,
				      const Element *first, bool details_of_others, Actions &out)
{
	const Binding &binding = node.second;
	const Element *lead = first ? first : (binding.elements.empty() ? nullptr : &binding.elements.front());
	send(out, binding.serving, serving_pba(node, seq, echo, lead));
	if (!details_of_others)
		return;
	for (const auto &element : binding.elements)
		if (&element != lead && has_details(element, node.first))
			send(out, binding.serving, serving_pba(node, seq, echo, &element));
}

mh::ProxyBindingAck CmdCore::Impl::serving_pba(const BindingNode &node, std::uint16_t seq,
						std::optional<mh::Timestamp> echo, const Element *lead) const
{
	const Binding &binding = node.second;
	mh::ProxyBindingAck pba = answer(node, seq, echo, true);
	std::vector<const Element *> order;
	if (lead)
		order.push_back(lead);
	for (const auto &element : binding.elements)
		if (&element != lead)
			order.push_back(&element);
	for (const Element *element : order)
		for (const auto &prefix : element->prefixes)
			pba.options.previous_maars.push_back(mh::PreviousMaar{address_of(element->maar), prefix});
	if (!order.empty()) {
		const Element &described = *order.front();
		if (described.identity) {
			pba.options.dlif_link_local_address = described.identity->link_local;
			pba.options.dlif_link_layer_address = to_link_layer(described.identity->mac);
		}
		// A home MAAR's local networks stay in its domain: a visited
		// MAAR gets the node's prefixes only (004 §5).
		if (!is_visited(binding.serving))
			pba.options.local_prefixes.assign(std::span<const Ipv6Prefix>(local_prefixes[described.maar]));
	}
	return pba;
}

std::vector<InstallRelay> CmdCore::Impl::relays_of(const BindingNode &node) const
{
	const Binding &binding = node.second;
	std::vector<InstallRelay> relays;
	if (!config.roaming || !is_visited(binding.serving) ||
	    (binding.pending && binding.pending->kind == Pending::Kind::cleanup))
		return relays;
	const auto &roaming = *config.roaming;
	const std::size_t domain_size = config.domain.maars.size();
	const RelayTunnel serving{address_of(binding.serving), "dlrv" + std::to_string(binding.serving - domain_size + 1)};
	for (const auto &element : binding.elements) {
		const RelayTunnel anchor{address_of(element.maar), "dlra" + std::to_string(element.maar + 1)};
		for (const auto &prefix : element.prefixes)
			relays.push_back(InstallRelay{prefix, config.address, anchor, serving,
						      roaming.table_base + element.maar + 1u, roaming.rule_priority});
	}
	return relays;
}

void CmdCore::Impl::sync_relays(std::size_t from, Actions &out)
{
	std::vector<std::string> changed;
	for (std::size_t i = from; i < out.size(); ++i)
		if (const auto *state = std::get_if<StateChanged>(&out[i]))
			if (std::find(changed.begin(), changed.end(), state->mn) == changed.end())
				changed.push_back(state->mn);
	for (const auto &mn : changed) {
		const auto it = bindings.find(mn);
		std::vector<InstallRelay> wanted;
		if (it != bindings.end())
			wanted = relays_of(*it);
		const auto installed = relayed.find(mn);
		if (installed != relayed.end())
			for (const auto &relay : installed->second) {
				const bool kept = std::any_of(wanted.begin(), wanted.end(), [&](const InstallRelay &w) {
					return w.prefix == relay.prefix;
				});
				if (!kept)
					out.push_back(RemoveRelay{relay.prefix});
			}
		for (const auto &relay : wanted) {
			const bool same = installed != relayed.end() &&
					  std::find(installed->second.begin(), installed->second.end(), relay) !=
						  installed->second.end();
			if (!same)
				out.push_back(relay);
		}
		if (wanted.empty()) {
			if (installed != relayed.end())
				relayed.erase(installed);
		} else {
			relayed[mn] = std::move(wanted);
		}
	}
}

std::vector<InstallRelay> CmdCore::relays() const
{
	std::vector<InstallRelay> all;
	for (const auto &[mn, relays] : impl_->relayed)
		all.insert(all.end(), relays.begin(), relays.end());
	return all;
}

bool CmdCore::Impl::serving_pbas_fit(const BindingNode &node) const
{
	const Binding &binding = node.second;
	if (binding.elements.empty())
		return true;
	// Every PBA lists every previous MAAR; they differ in the details of
	// their lead, the largest of which are the most Local Prefix options.
	// An identity is assumed for each (its options are small and fixed),
	// and a Timestamp option for every ordering.
	Element lead = binding.elements.front();
	for (const auto &element : binding.elements)
		if (local_prefixes[element.maar].size() > local_prefixes[lead.maar].size())
			lead.maar = element.maar;
	if (!lead.identity)
		lead.identity = DlifIdentity{};
	const auto size = mh::encoded_size(serving_pba(node, 0, mh::Timestamp{}, &lead));
	return size.has_value();
}

void CmdCore::Impl::prune_previous_maars(BindingNode &node, TimePoint now, Actions &out)
{
	Binding &binding = node.second;
	while (!binding.elements.empty() && !serving_pbas_fit(node)) {
		const Element pruned = std::move(binding.elements.back());
		binding.elements.pop_back();
		count(Counter::previous_maars_pruned);
		log(out, LogLevel::notice, "previous-maar-pruned",
		    {{"mn", node.first},
		     {"maar", text(address_of(pruned.maar))},
		     {"previous_maars", std::to_string(binding.elements.size())}});
		// RFC 8885 de-registration of that part of the session: the
		// anchor releases the prefix. Not awaited: a lost PBU leaves it
		// to the anchor's lifetime, as for a MAAR that cannot be reached.
		send(out, pruned.maar, forward(node, pruned, ++binding.cmd_seq, true, now));
	}
}

// A refresh from the serving MAAR that names previous MAARs (dlif's use of
// the Previous MAAR option in a PBU, Documentation/design.rst): no packet
// of their prefixes crossed the serving MAAR for its [maar]
// release_idle_after (A14). Each named prefix leaves the binding; a
// previous MAAR left with none gets the lifetime-0 PBU of RFC 8885's
// de-registration of that part of the session, as a pruned one does, and
// the answer to the refresh lists what is left. Only the serving MAAR
// may ask (R81), and only between exchanges: during a handover's updates
// the refresh is answered as usual and the serving MAAR asks again later.
void CmdCore::Impl::release_previous_maars(BindingNode &node, const mh::ProxyBindingUpdate &pbu, TimePoint now,
					   Actions &out)
{
	Binding &binding = node.second;
	if (binding.pending)
		return;
	const auto named = [&](MaarIndex maar, const Ipv6Prefix &prefix) {
		return std::any_of(pbu.options.previous_maars.begin(), pbu.options.previous_maars.end(),
				   [&](const mh::PreviousMaar &previous) {
					   return previous.home_network_prefix == prefix.masked() &&
						  index_of(previous.address) == maar;
				   });
	};
	std::vector<Element> kept;
	kept.reserve(binding.elements.size());
	for (auto &element : binding.elements) {
		PrefixList left;
		for (const auto &prefix : element.prefixes)
			if (!named(element.maar, prefix))
				left.push_back(prefix);
		if (left.size() == element.prefixes.size()) {
			kept.push_back(std::move(element));
			continue;
		}
		count(Counter::previous_maars_released);
		log(out, LogLevel::info, "previous-maar-released",
		    {{"mn", node.first},
		     {"maar", text(address_of(element.maar))},
		     {"released", std::to_string(element.prefixes.size() - left.size())},
		     {"kept", std::to_string(left.size())}});
		if (!left.empty()) {
			// Part of what it anchors: it is told the rest at the next
			// handover; the released prefix goes with the session.
			element.prefixes = std::move(left);
			kept.push_back(std::move(element));
			continue;
		}
		// Not awaited: a lost PBU leaves it to the anchor's lifetime,
		// as for a MAAR that cannot be reached.
		send(out, element.maar, forward(node, element, ++binding.cmd_seq, true, now));
	}
	binding.elements = std::move(kept);
}

// The PBU to a previous MAAR (A10): MN-ID, the prefixes anchored there in
// HNP options (so the RFC 5213 mandatory option is present), the Serving
// MAAR option (none in a lifetime-0 cleanup), D set (A3).
mh::ProxyBindingUpdate CmdCore::Impl::forward(const BindingNode &node, const Element &element, std::uint16_t seq,
					      bool cleanup, TimePoint now) const
{
	const Binding &binding = node.second;
	mh::ProxyBindingUpdate pbu;
	pbu.sequence = seq;
	pbu.flags.set(BuFlag::Dmm);
	pbu.lifetime = cleanup ? Lifetime::from_units(0) : Lifetime::from_units(binding.lifetime_units);
	pbu.options.mobile_node_identifier = mh::MobileNodeIdentifier::nai(node.first);
	pbu.options.home_network_prefixes.assign(element.prefixes.span());
	pbu.options.handoff_indicator =
		cleanup ? HandoffIndicator::HandoffStateUnknown : HandoffIndicator::HandoffBetweenMags;
	pbu.options.access_technology_type = static_cast<mh::AccessTechnologyType>(binding.access_technology);
	if (config.ordering == Ordering::timestamp)
		pbu.options.timestamp = wall.timestamp(now);
	if (!cleanup)
		// A visited MAAR is reached through the CMD (004 §5): the anchor
		// tunnels to the CMD, which relays.
		pbu.options.serving_maar = is_visited(binding.serving) ? config.address : address_of(binding.serving);
	return pbu;
}

void CmdCore::Impl::send_outstanding(BindingNode &node, std::size_t index, TimePoint now, Actions &out)
{
	Binding &binding = node.second;
	Pending &pending = *binding.pending;
	Outstanding &outstanding = pending.outstanding[index];
	const Element *element = element_of(binding, outstanding.maar);
	if (!element) {
		outstanding.resolved = true;
		land(outstanding);
		return;
	}
	if (!take_off(binding, outstanding, index))
		return;	// its turn comes when an answer frees a place
	send(out, outstanding.maar,
	     forward(node, *element, outstanding.last_seq, pending.kind == Pending::Kind::cleanup, now));
	if (!outstanding.first_sent)
		outstanding.first_sent = now;
	outstanding.last_sent = now;
	outstanding.deadline = now + outstanding.timeout;
	outstanding.timer =
		arm(out, binding, TimerKind::outstanding, static_cast<std::uint8_t>(index), outstanding.timeout);
}

// ------------------------------------------------------------------ events

void CmdCore::Impl::on_event(const Event &event, TimePoint now, Actions &out)
{
	if (const auto *received = std::get_if<MhReceived>(&event)) {
		if (const auto *pbu = std::get_if<mh::ProxyBindingUpdate>(&received->message))
			on_pbu(received->source, *pbu, now, out, false);
		else if (const auto *pba = std::get_if<mh::ProxyBindingAck>(&received->message))
			on_pba(received->source, *pba, now, out);
		else {
			count(Counter::rx_binding_error);
			log(out, LogLevel::notice, "binding-error-received",
			    {{"source", text(received->source)}, {"message", mh::to_string(received->message)}});
		}
	} else if (const auto *fired = std::get_if<TimerFired>(&event)) {
		on_timer(fired->id, now, out);
	}
	launch_waiting(now, out);
	if (config.roaming)
		sync_relays(0, out);
	// MnAttached / MnDetached concern MAARs only.
}

void CmdCore::Impl::on_pbu(const Ipv6Address &source, const mh::ProxyBindingUpdate &pbu, TimePoint now,
			   Actions &out, bool requeued)
{
	if (!requeued)
		count(Counter::rx_pbu);
	const auto maar = index_of(source);
	if (!maar) {
		count(Counter::drop_unknown_peer);
		log(out, LogLevel::warning, "pbu-from-unknown-peer",
		    {{"source", text(source)}, {"seq", std::to_string(pbu.sequence)}});
		return;
	}
	if (!pbu.flags.has(BuFlag::ProxyRegistration)) {
		// A Mobile IPv6 home registration: not ours to serve.
		count(Counter::drop_not_proxy);
		log(out, LogLevel::notice, "bu-without-p-flag", {{"source", text(source)}});
		return;
	}
	bool dmm = pbu.flags.has(BuFlag::Dmm);
	if (dmm && !config.rfc8885) {
		if (config.legacy_d_flag == LegacyDFlag::refuse || !config.lma) {
			// R27: not processed, an error returned, no state.
			count(Counter::rejected_d_flag);
			reply(out, *maar, rejection(pbu, static_cast<Status>(config.legacy_status), false));
			log(out, LogLevel::notice, "pbu-d-flag-refused",
			    {{"source", text(source)}, {"status", std::to_string(config.legacy_status)}});
			return;
		}
		// A deployed RFC 5213 LMA: the D bit is reserved to it.
		dmm = false;
	}
	if (!dmm && !config.lma) {
		count(Counter::rejected_plain_mag);
		reply(out, *maar, rejection(pbu, Status::ProxyRegNotEnabled, false));
		log(out, LogLevel::notice, "pbu-from-plain-mag-refused", {{"source", text(source)}});
		return;
	}
	// RFC 5213 §5.3.1 (R171, E-M4).
	// The NAI as a view into the message: no string is built for the
	// lookup of an existing binding (the hash is transparent).
	// An identifier that is not a usable NAI (octets that are not UTF-8
	// text) counts as missing: it would key a binding that cannot be
	// saved, logged or listed.
	std::string_view mn;
	if (pbu.options.mobile_node_identifier && pbu.options.mobile_node_identifier->subtype == mh::MnIdSubtype::Nai &&
	    dmm::usable_nai(pbu.options.mobile_node_identifier->text()))
		mn = pbu.options.mobile_node_identifier->text();
	std::optional<Status> missing;
	if (mn.empty())
		missing = Status::MissingMnIdentifierOption;
	else if (pbu.options.home_network_prefixes.empty())
		missing = Status::MissingHomeNetworkPrefixOption;
	else if (!pbu.options.handoff_indicator)
		missing = Status::MissingHandoffIndicatorOption;
	else if (!pbu.options.access_technology_type)
		missing = Status::MissingAccessTechTypeOption;
	if (missing) {
		count(Counter::rejected_missing_option);
		reply(out, *maar, rejection(pbu, *missing, dmm));
		log(out, LogLevel::notice, "pbu-missing-option",
		    {{"source", text(source)}, {"status", std::string(mh::name(*missing))}});
		return;
	}
	if (dmm) {
		// What the MAAR claims becomes entries and routes at other
		// MAARs: a prefix it may not anchor refuses the PBU (RFC 5213
		// status 155), with no state.
		if (!requeued && valid_prefixes(pbu.options, *maar, mn, out).size() != pbu.options.home_network_prefixes.size()) {
			count(Counter::rejected_prefix);
			reply(out, *maar, rejection(pbu, Status::NotAuthorizedForHomeNetworkPrefix, true));
			return;
		}
		if (!requeued)
			valid_identity(pbu.options, *maar, mn, out);
		// A4: Local Prefix options count only in D messages.
		take_local_prefixes(pbu.options, *maar, mn, out);
		dmm_pbu(*maar, mn, pbu, now, out, requeued);
	} else {
		lma_pbu(*maar, mn, pbu, now, out, requeued);
	}
}

static void enqueue(Pending &pending, const Ipv6Address &source, const mh::ProxyBindingUpdate &pbu,
		    std::string_view mn, Actions &out)
{
	// One PBU per MAAR, in the order of their latest arrival: a repeat
	// replaces what it repeats, and says the node was there later.
	std::erase_if(pending.queue, [&](const QueuedPbu &queued) { return queued.source == source; });
	pending.queue.push_back(QueuedPbu{source, pbu});
	out.push_back(StateChanged{std::string(mn)});	// the queue is in the binding's record
}

void CmdCore::Impl::dmm_pbu(MaarIndex maar, std::string_view mn, const mh::ProxyBindingUpdate &pbu, TimePoint now,
			    Actions &out, bool requeued)
{
	const auto it = bindings.find(mn);
	Binding *binding = it == bindings.end() ? nullptr : &it->second;
	if (binding && binding->lma) {
		// A binding keeps its kind until it ends.
		count(Counter::rejected_binding_kind);
		reply(out, maar, rejection(pbu, Status::AdministrativelyProhibited, true));
		log(out, LogLevel::notice, "pbu-binding-kind-mismatch", {{"mn", std::string(mn)}, {"source", text(address_of(maar))}});
		return;
	}
	if (binding && !requeued && is_repeat(*binding, maar, pbu)) {
		answer_repeat(*it, pbu, out);
		return;
	}
	std::uint16_t answer_seq = 0;
	std::optional<mh::Timestamp> answer_timestamp;
	if (const auto stale = check_order(binding, maar, pbu, now, requeued, answer_seq, answer_timestamp)) {
		count(*stale == Status::SequenceNumberOutOfWindow ? Counter::drop_stale_sequence
								  : Counter::drop_stale_timestamp);
		auto pba = rejection(pbu, *stale, true);
		pba.sequence = answer_seq;
		pba.options.timestamp = answer_timestamp;
		reply(out, maar, std::move(pba));
		log(out, LogLevel::info, "pbu-out-of-order",
		    {{"mn", std::string(mn)},
		     {"source", text(address_of(maar))},
		     {"seq", std::to_string(pbu.sequence)},
		     {"status", std::string(mh::name(*stale))}});
		return;
	}
	if (!binding) {
		if (pbu.lifetime.is_deregistration()) {
			// Nothing to remove: acknowledge, so that a retransmitted
			// de-registration whose first PBA was lost completes.
			auto pba = rejection(pbu, Status::Accepted, true);
			pba.options.home_network_prefixes = pbu.options.home_network_prefixes;
			reply(out, maar, std::move(pba));
			return;
		}
		if (is_visited(maar)) {
			// A home LMA anchors what its domain's MAARs anchor: a node
			// with none has nothing to keep here.
			count(Counter::visited_unknown_node);
			reply(out, maar, rejection(pbu, Status::NotLmaForThisMobileNode, true));
			log(out, LogLevel::info, "visited-node-unknown", {{"mn", std::string(mn)}, {"source", text(address_of(maar))}});
			return;
		}
		register_initial(maar, mn, pbu, now, out);
		return;
	}
	BindingNode &node = *it;
	if (pbu.lifetime.is_deregistration()) {
		deregistration(node, maar, pbu, now, out);
		return;
	}
	if (binding->pending && binding->pending->kind == Pending::Kind::cleanup) {
		count(Counter::queued_handovers);
		enqueue(*binding->pending, address_of(maar), pbu, mn, out);
		return;
	}
	if (binding->pending && !binding->pending->queue.empty()) {
		// PBUs are taken in the order they came: one from the pending
		// handover's serving MAAR waits behind an older one queued from
		// elsewhere (the node went there and came back).
		count(Counter::queued_handovers);
		enqueue(*binding->pending, address_of(maar), pbu, mn, out);
		return;
	}
	if (maar == binding->serving) {
		from_serving(node, pbu, now, out);
		return;
	}
	if (is_refresh(pbu)) {
		// A re-registration from a MAAR that no longer serves the node:
		// sent before the handover, delivered after it. Acting on it
		// would move the node back.
		count(Counter::drop_stale_refresh);
		log(out, LogLevel::info, "stale-refresh-ignored",
		    {{"mn", std::string(mn)}, {"source", text(address_of(maar))}, {"seq", std::to_string(pbu.sequence)}});
		return;
	}
	if (binding->pending) {
		count(Counter::queued_handovers);
		enqueue(*binding->pending, address_of(maar), pbu, mn, out);
		log(out, LogLevel::info, "handover-queued", {{"mn", std::string(mn)}, {"source", text(address_of(maar))}});
		return;
	}
	start_handover(node, maar, pbu, now, out);
}

void CmdCore::Impl::register_initial(MaarIndex maar, std::string_view mn, const mh::ProxyBindingUpdate &pbu,
				     TimePoint now, Actions &out)
{
	BindingNode &node = insert(mn);
	Binding &binding = node.second;
	set_serving(binding, maar);
	binding.handoff_indicator = static_cast<std::uint8_t>(*pbu.options.handoff_indicator);
	binding.access_technology = static_cast<std::uint8_t>(*pbu.options.access_technology_type);
	binding.lifetime_units = grant(pbu).units();
	binding.prefixes = prefixes_in(pbu.options);
	binding.serving_identity = identity_in(pbu.options);
	if (pbu.options.mobile_node_link_layer_identifier)
		binding.mn_mac = mac_from_link_layer(*pbu.options.mobile_node_link_layer_identifier);
	note_accepted(binding, maar, pbu);
	restart_expiry(binding, now, out);
	// R44: no Previous MAAR option, the registration is fresh.
	reply(out, maar, answer(node, pbu.sequence, pbu.options.timestamp, true));
	count(Counter::registrations);
	log(out, LogLevel::info, "registered",
	    {{"mn", std::string(mn)}, {"maar", text(address_of(maar))}, {"prefixes", text(binding.prefixes)}});
	out.push_back(StateChanged{std::string(mn)});
}

void CmdCore::Impl::from_serving(BindingNode &node, const mh::ProxyBindingUpdate &pbu, TimePoint now,
				 Actions &out)
{
	Binding &binding = node.second;
	note_accepted(binding, binding.serving, pbu);
	binding.handoff_indicator = static_cast<std::uint8_t>(*pbu.options.handoff_indicator);
	binding.access_technology = static_cast<std::uint8_t>(*pbu.options.access_technology_type);
	binding.lifetime_units = grant(pbu).units();
	if (pbu.options.mobile_node_link_layer_identifier)
		binding.mn_mac = mac_from_link_layer(*pbu.options.mobile_node_link_layer_identifier);
	if (const auto identity = identity_in(pbu.options))
		binding.serving_identity = identity;
	restart_expiry(binding, now, out);

	if (binding.pending) {
		// The new serving MAAR repeats its handover PBU: its PBA (or,
		// in locator mode, a previous MAAR's) was lost or is late.
		Pending &pending = *binding.pending;
		if (!is_refresh(pbu)) {
			// Later PBAs of the handover (A12, A13) go out under the
			// number of its registration, which a refresh is not.
			pending.smaar_seq = pbu.sequence;
			pending.smaar_timestamp = pbu.options.timestamp;
		}
		count(Counter::reregistrations);
		switch (config.mode) {
		case CmdMode::proxy:
			send_serving_pbas(node, pbu.sequence, pbu.options.timestamp, nullptr, true, out);
			break;
		case CmdMode::relay:
			// The serving MAAR would give up before the CMD gives up
			// on a silent previous MAAR: its repeat acts as the relay
			// timeout (R58).
			send_serving_pbas(node, pbu.sequence, pbu.options.timestamp, nullptr, true, out);
			pending.pba_sent = true;
			break;
		case CmdMode::locator:
			// The serving MAAR lacks the previous MAARs' direct PBAs
			// (lost, or slow): the CMD, which has the whole list,
			// answers the repeat itself (the first PBU gets no PBA
			// from the CMD, §4.3 step 7). Its own retransmissions to
			// the previous MAARs carry the number now expected (A10).
			for (auto &outstanding : pending.outstanding)
				if (!outstanding.resolved)
					outstanding.last_seq = pbu.sequence;
			send_serving_pbas(node, pbu.sequence, pbu.options.timestamp, nullptr, true, out);
			break;
		}
		out.push_back(StateChanged{node.first});
		return;
	}

	const PrefixList prefixes = prefixes_in(pbu.options);
	if (!(prefixes == binding.prefixes)) {
		log(out, LogLevel::notice, "serving-prefixes-changed",
		    {{"mn", node.first}, {"from", text(binding.prefixes)}, {"to", text(prefixes)}});
		binding.prefixes = prefixes;
	}
	if (is_refresh(pbu) && !pbu.options.previous_maars.empty())
		release_previous_maars(node, pbu, now, out);
	if (is_refresh(pbu) || binding.elements.empty()) {
		// A refresh answer lists the P-MAARs too: a serving MAAR that
		// missed one (locator's direct PBAs, A11) completes its list.
		count(is_refresh(pbu) ? Counter::refreshes : Counter::reregistrations);
		send_serving_pbas(node, pbu.sequence, pbu.options.timestamp, nullptr, false, out);
	} else {
		// Not a refresh: the serving MAAR repeats a registration whose
		// answer it missed, or lost its state. Tell it everything again.
		count(Counter::reregistrations);
		send_serving_pbas(node, pbu.sequence, pbu.options.timestamp, nullptr, true, out);
	}
	out.push_back(StateChanged{node.first});
}

void CmdCore::Impl::start_handover(BindingNode &node, MaarIndex maar, const mh::ProxyBindingUpdate &pbu,
				   TimePoint now, Actions &out)
{
	Binding &binding = node.second;
	const MaarIndex previous = binding.serving;

	// The former serving MAAR becomes the newest P-MAAR (R54). A MAAR the
	// node returns to leaves the list: its prefixes are served plainly
	// again and it gets no Serving-MAAR PBU about itself (A17).
	PrefixList returned;
	std::vector<Element> elements;
	elements.reserve(binding.elements.size() + 1);
	// A visited MAAR of a partner domain anchors nothing for this domain
	// (004 §5: no tunnels between operators' MAARs): its prefixes end
	// with the visit.
	if (!is_visited(previous))
		elements.push_back(Element{previous, binding.prefixes, binding.serving_identity, false});
	for (auto &element : binding.elements) {
		if (element.maar == maar) {
			for (const auto &prefix : element.prefixes)
				returned.push_back(prefix);
			continue;
		}
		element.confirmed = false;
		elements.push_back(std::move(element));
	}
	binding.elements = std::move(elements);

	set_serving(binding, maar);
	binding.prefixes = prefixes_in(pbu.options);
	for (const auto &prefix : returned)
		if (std::find(binding.prefixes.begin(), binding.prefixes.end(), prefix) == binding.prefixes.end())
			binding.prefixes.push_back(prefix);
	binding.serving_identity = identity_in(pbu.options);
	binding.handoff_indicator = static_cast<std::uint8_t>(*pbu.options.handoff_indicator);
	binding.access_technology = static_cast<std::uint8_t>(*pbu.options.access_technology_type);
	binding.lifetime_units = grant(pbu).units();
	if (pbu.options.mobile_node_link_layer_identifier)
		binding.mn_mac = mac_from_link_layer(*pbu.options.mobile_node_link_layer_identifier);
	note_accepted(binding, maar, pbu);
	restart_expiry(binding, now, out);
	// The list grows by one per handover and every PBA to the serving
	// MAAR carries it whole: the oldest go when it would not fit (A14).
	prune_previous_maars(node, now, out);

	auto pending = std::make_unique<Pending>();
	pending->kind = Pending::Kind::handover;
	pending->smaar_first_seq = pbu.sequence;
	pending->smaar_seq = pbu.sequence;
	pending->smaar_timestamp = pbu.options.timestamp;
	for (const auto &element : binding.elements) {
		Outstanding outstanding;
		outstanding.maar = element.maar;
		// Locator: the forwarded PBU carries the serving MAAR's sequence
		// number, which the previous MAAR copies into its PBA to it
		// (A10). Otherwise the CMD's own numbering.
		const std::uint16_t seq =
			config.mode == CmdMode::locator ? pbu.sequence : ++binding.cmd_seq;
		outstanding.first_seq = seq;
		outstanding.last_seq = seq;
		outstanding.timeout = config.timers.initial_retransmission;
		pending->outstanding.push_back(outstanding);
	}
	set_pending(binding, std::move(pending));

	count(Counter::handovers);
	if (is_visited(maar))
		count(Counter::visited_handovers);
	if (!returned.empty())
		count(Counter::returns);
	log(out, LogLevel::info, "handover",
	    {{"mn", node.first},
	     {"from", text(address_of(previous))},
	     {"to", text(address_of(maar))},
	     {"mode", std::string(json::name(config.mode))},
	     {"previous_maars", std::to_string(binding.elements.size())}});

	if (config.mode == CmdMode::proxy) {
		// R67: the PBA first, from what the binding already holds.
		send_serving_pbas(node, pbu.sequence, pbu.options.timestamp, nullptr, true, out);
		binding.pending->pba_sent = true;
	}
	for (std::size_t i = 0; i < binding.pending->outstanding.size(); ++i)
		send_outstanding(node, i, now, out);
	if (config.mode == CmdMode::relay && config.relay_timeout > Duration::zero()) {
		binding.pending->relay_deadline = now + config.relay_timeout;
		binding.pending->relay_timer = arm(out, binding, TimerKind::relay, 0, config.relay_timeout);
	}
	out.push_back(StateChanged{node.first});
	if (binding.pending->outstanding.empty())
		// Back home from a visited MAAR with nothing anchored elsewhere:
		// no previous MAAR to update.
		maybe_complete(node, now, out);
}

void CmdCore::Impl::deregistration(BindingNode &node, MaarIndex maar, const mh::ProxyBindingUpdate &pbu,
				   TimePoint now, Actions &out)
{
	Binding &binding = node.second;
	const bool cleaning = binding.pending && binding.pending->kind == Pending::Kind::cleanup;
	if (maar == binding.serving) {
		// R81: the serving MAAR ends the whole session.
		note_accepted(binding, maar, pbu);
		auto pba = rejection(pbu, Status::Accepted, true);
		pba.options.home_network_prefixes.assign(binding.prefixes.span());
		reply(out, maar, std::move(pba));
		if (cleaning)
			return;
		count(Counter::deregistrations);
		log(out, LogLevel::info, "deregistered", {{"mn", node.first}, {"maar", text(address_of(maar))}});
		start_cleanup(node, now, out, false);
		return;
	}
	const Element *element = element_of(binding, maar);
	if (element && !cleaning) {
		// R84 (alternative B; also taken in A, where a previous MAAR
		// should not ask): the node is attached elsewhere, so the
		// session is renewed for what is left of its lifetime (A15).
		const auto remaining = std::chrono::duration_cast<std::chrono::seconds>(
			binding.expires_at > now ? binding.expires_at - now : Duration::zero());
		Lifetime renewed = Lifetime::at_most(remaining);
		if (renewed.units() == 0)
			renewed = Lifetime::from_units(1);
		auto pba = rejection(pbu, Status::Accepted, true);
		pba.lifetime = renewed;
		pba.options.home_network_prefixes.assign(element->prefixes.span());
		reply(out, maar, std::move(pba));
		count(Counter::renewals);
		log(out, LogLevel::info, "previous-maar-renewed",
		    {{"mn", node.first}, {"maar", text(address_of(maar))}, {"lifetime_s", std::to_string(renewed.duration().count())}});
		return;
	}
	// Not part of the session (any more): nothing to keep for it.
	auto pba = rejection(pbu, Status::Accepted, true);
	pba.options.home_network_prefixes = pbu.options.home_network_prefixes;
	reply(out, maar, std::move(pba));
}

void CmdCore::Impl::start_cleanup(BindingNode &node, TimePoint now, Actions &out, bool include_serving)
{
	Binding &binding = node.second;
	if (include_serving && !is_visited(binding.serving) && !element_of(binding, binding.serving)) {
		// The binding expired: the serving MAAR stopped refreshing it.
		// It gets the lifetime-0 PBU too, in case it is still there
		// and holds state for the node (as an anchor, say).
		binding.elements.insert(binding.elements.begin(),
					Element{binding.serving, binding.prefixes, binding.serving_identity, false});
	}
	if (binding.expiry_timer != 0) {
		out.push_back(StopTimer{binding.expiry_timer});
		binding.expiry_timer = 0;
	}
	std::vector<QueuedPbu> queue;
	if (binding.pending) {
		stop_pending_timers(binding, out);
		queue = std::move(binding.pending->queue);
	}
	auto pending = std::make_unique<Pending>();
	pending->kind = Pending::Kind::cleanup;
	pending->queue = std::move(queue);
	for (const auto &element : binding.elements) {
		Outstanding outstanding;
		outstanding.maar = element.maar;
		outstanding.first_seq = outstanding.last_seq = ++binding.cmd_seq;
		outstanding.timeout = config.timers.initial_retransmission;
		pending->outstanding.push_back(outstanding);
	}
	set_pending(binding, std::move(pending));
	// R86 / A15: every previous MAAR removes its part of the session.
	for (std::size_t i = 0; i < binding.pending->outstanding.size(); ++i)
		send_outstanding(node, i, now, out);
	out.push_back(StateChanged{node.first});
	maybe_complete(node, now, out);
}

void CmdCore::Impl::on_pba(const Ipv6Address &source, const mh::ProxyBindingAck &pba, TimePoint now, Actions &out)
{
	count(Counter::rx_pba);
	const auto maar = index_of(source);
	if (!maar) {
		count(Counter::drop_unknown_peer);
		log(out, LogLevel::warning, "pba-from-unknown-peer", {{"source", text(source)}});
		return;
	}
	std::optional<MnId> mn;
	if (pba.options.mobile_node_identifier)
		mn = mn_id_from_option(*pba.options.mobile_node_identifier);
	if (!mn) {
		count(Counter::drop_malformed);
		log(out, LogLevel::notice, "pba-without-mn-id", {{"source", text(source)}});
		return;
	}
	const auto it = bindings.find(mn->nai);
	if (it == bindings.end() || !it->second.pending) {
		count(Counter::drop_unmatched_pba);
		log(out, LogLevel::debug, "pba-unmatched",
		    {{"mn", mn->nai}, {"source", text(source)}, {"seq", std::to_string(pba.sequence)}});
		return;
	}
	Binding &binding = it->second;
	auto &outstanding = binding.pending->outstanding;
	if (pba.status == Status::SequenceNumberOutOfWindow) {
		// The previous MAAR has seen a newer number of ours for this
		// node (this binding is newer than its session): go on after
		// the number its PBA carries, once per PBU (RFC 6275 §11.7.1).
		// Not in a locator handover, whose number is the serving MAAR's.
		const bool own_numbers =
			!(config.mode == CmdMode::locator && binding.pending->kind == Pending::Kind::handover);
		for (std::size_t i = 0; i < outstanding.size(); ++i) {
			Outstanding &candidate = outstanding[i];
			if (candidate.maar != *maar || candidate.resolved || candidate.resynced || !own_numbers)
				continue;
			count(Counter::sequence_resyncs);
			candidate.resynced = true;
			binding.cmd_seq = pba.sequence;
			candidate.last_seq = ++binding.cmd_seq;
			if (candidate.timer != 0)
				out.push_back(StopTimer{candidate.timer});
			send_outstanding(*it, i, now, out);
			out.push_back(StateChanged{it->first});
			return;
		}
	}
	for (std::size_t i = 0; i < outstanding.size(); ++i) {
		const Outstanding &candidate = outstanding[i];
		if (candidate.maar != *maar || candidate.resolved ||
		    !sequence_in_range(pba.sequence, candidate.first_seq, candidate.last_seq))
			continue;
		if (pba.flags.has(BaFlag::Dmm)) {
			take_local_prefixes(pba.options, *maar, mn->nai, out);
			valid_identity(pba.options, *maar, mn->nai, out);
		}
		if (config.ordering == Ordering::timestamp &&
		    (pba.status == Status::TimestampMismatch || pba.status == Status::TimestampLowerThanPrevAccepted)) {
			// The retransmission carries a fresh timestamp.
			log(out, LogLevel::info, "pba-timestamp-refused",
			    {{"mn", mn->nai}, {"source", text(source)}, {"status", std::string(mh::name(pba.status))}});
			return;
		}
		resolve(*it, i, mh::is_accepted(pba.status), &pba, now, out);
		return;
	}
	// A duplicate, or the answer to a PBU given up on.
	count(Counter::drop_unmatched_pba);
	log(out, LogLevel::debug, "pba-unmatched",
	    {{"mn", mn->nai}, {"source", text(source)}, {"seq", std::to_string(pba.sequence)}});
}

void CmdCore::Impl::resolve(BindingNode &node, std::size_t index, bool accepted, const mh::ProxyBindingAck *pba,
			    TimePoint now, Actions &out)
{
	Binding &binding = node.second;
	Pending &pending = *binding.pending;
	Outstanding &outstanding = pending.outstanding[index];
	outstanding.resolved = true;
	if (pba)
		measure(outstanding, pba->sequence, now);
	land(outstanding);
	if (outstanding.timer != 0) {
		out.push_back(StopTimer{outstanding.timer});
		outstanding.timer = 0;
	}
	if (pending.kind == Pending::Kind::handover) {
		Element *element = element_of(binding, outstanding.maar);
		if (element && accepted) {
			element->confirmed = true;
			if (pba) {
				const PrefixList claimed = valid_prefixes(pba->options, outstanding.maar, node.first, out);
				if (!claimed.empty())
					element->prefixes = claimed;
				if (const auto identity = identity_in(pba->options))
					element->identity = identity;
			}
			if (config.mode == CmdMode::relay && pending.pba_sent)
				// A13: after the relay timeout, each late PBA is passed
				// on, with its details (the list is the whole one).
				send_serving_pbas(node, pending.smaar_seq, pending.smaar_timestamp, element, false, out);
		} else if (element) {
			// A12: the previous MAAR could not take the update; its
			// prefix is lost to the node.
			count(Counter::previous_maar_failures);
			log(out, LogLevel::warning, "previous-maar-failed",
			    {{"mn", node.first},
			     {"maar", text(address_of(outstanding.maar))},
			     {"status", pba ? std::to_string(static_cast<unsigned>(pba->status)) : "no answer"}});
			binding.elements.erase(binding.elements.begin() + (element - binding.elements.data()));
			// A12: a serving MAAR that was already told about it (proxy,
			// relay after a partial PBA, locator's list check) gets the
			// list without it, unsolicited, under its registration's
			// number.
			if (pending.pba_sent || config.mode == CmdMode::locator)
				send_serving_pbas(node, pending.smaar_seq, pending.smaar_timestamp, nullptr, false, out);
		}
	} else if (!accepted) {
		log(out, LogLevel::warning, "previous-maar-cleanup-failed",
		    {{"mn", node.first}, {"maar", text(address_of(outstanding.maar))}});
	}
	out.push_back(StateChanged{node.first});
	maybe_complete(node, now, out);
}

void CmdCore::Impl::maybe_complete(BindingNode &node, TimePoint now, Actions &out)
{
	Binding &binding = node.second;
	Pending &pending = *binding.pending;
	for (const auto &outstanding : pending.outstanding)
		if (!outstanding.resolved)
			return;
	std::vector<QueuedPbu> queue = std::move(pending.queue);
	if (pending.kind == Pending::Kind::handover) {
		if (config.mode == CmdMode::relay && !pending.pba_sent)
			// R55/R57: one PBA, every P-MAAR that answered (a failed
			// one has left the list, A12).
			send_serving_pbas(node, pending.smaar_seq, pending.smaar_timestamp, nullptr, true, out);
		if (config.mode == CmdMode::locator && binding.elements.empty())
			// No previous MAAR could answer the serving MAAR: the CMD
			// does, as for a node without one (R65).
			send_serving_pbas(node, pending.smaar_seq, pending.smaar_timestamp, nullptr, false, out);
		stop_pending_timers(binding, out);
		set_pending(binding, nullptr);
		out.push_back(StateChanged{node.first});
	} else {
		log(out, LogLevel::info, "binding-removed", {{"mn", node.first}});
		std::string mn = node.first;
		erase(node, out);
		out.push_back(StateChanged{std::move(mn)});
	}
	drain(std::move(queue), now, out);
}

void CmdCore::Impl::drain(std::vector<QueuedPbu> queue, TimePoint now, Actions &out)
{
	for (auto &queued : queue)
		on_pbu(queued.source, queued.pbu, now, out, true);
}

void CmdCore::Impl::on_timer(TimerId id, TimePoint now, Actions &out)
{
	const TimerKey key = TimerKey::from(id);
	BindingNode *node = key.owner < slots.size() ? slots[key.owner] : nullptr;
	if (!node) {
		count(Counter::drop_stale_timer);
		return;
	}
	Binding &binding = node->second;
	switch (static_cast<TimerKind>(key.kind)) {
	case TimerKind::expiry:
		if (binding.expiry_timer != id)
			break;
		binding.expiry_timer = 0;
		count(Counter::expirations);
		log(out, LogLevel::info, "binding-expired", {{"mn", node->first}});
		if (binding.lma) {
			std::string mn = node->first;
			lma_remove(*node, out);
			erase(*node, out);
			out.push_back(StateChanged{std::move(mn)});
		} else {
			start_cleanup(*node, now, out, true);
		}
		return;
	case TimerKind::outstanding: {
		if (!binding.pending || key.index >= binding.pending->outstanding.size())
			break;
		Outstanding &outstanding = binding.pending->outstanding[key.index];
		if (outstanding.timer != id || outstanding.resolved)
			break;
		outstanding.timer = 0;
		if (outstanding.retransmissions >= config.timers.max_retransmissions) {
			resolve(*node, key.index, false, nullptr, now, out);
			return;
		}
		++outstanding.retransmissions;
		count(Counter::retransmissions);
		outstanding.timeout = next_backoff(outstanding.timeout, config.timers.max_retransmission);
		backed_off(outstanding);
		// R162: a retransmission carries a new sequence number, except
		// in locator mode, where it must stay the serving MAAR's.
		if (binding.pending->kind == Pending::Kind::handover && config.mode == CmdMode::locator)
			outstanding.last_seq = binding.pending->smaar_seq;
		else
			outstanding.last_seq = ++binding.cmd_seq;
		send_outstanding(*node, key.index, now, out);
		out.push_back(StateChanged{node->first});
		return;
	}
	case TimerKind::relay: {
		if (!binding.pending || binding.pending->relay_timer != id)
			break;
		Pending &pending = *binding.pending;
		pending.relay_timer = 0;
		pending.relay_deadline.reset();
		if (pending.pba_sent)
			return;
		// R58: the serving MAAR need not wait for the slowest P-MAAR.
		// The PBA lists every P-MAAR of the binding, as a proxy-mode
		// PBA does (each PBA must be complete, as any can be lost); the
		// late ones' details follow as they answer (A13).
		count(Counter::relay_timeouts);
		send_serving_pbas(*node, pending.smaar_seq, pending.smaar_timestamp, nullptr, true, out);
		pending.pba_sent = true;
		out.push_back(StateChanged{node->first});
		return;
	}
	}
	count(Counter::drop_stale_timer);
}

// -------------------------------------------------------------------- LMA

std::string CmdCore::Impl::lma_dlif_name(const Binding &binding) const
{
	return "mn" + std::to_string(binding.lma_number) + "lma";
}

InstallDlif CmdCore::Impl::lma_dlif(const BindingNode &node) const
{
	const Binding &binding = node.second;
	InstallDlif dlif;
	dlif.name = lma_dlif_name(binding);
	dlif.lower = config.lma ? config.lma->interface : std::string();
	dlif.identity = derive_dlif_identity(config.address, MnId{node.first});
	dlif.mn = binding.mn_mac.value_or(MacAddress{});
	dlif.anchoring_maar = config.address;
	dlif.prefixes.assign(binding.prefixes.begin(), binding.prefixes.end());
	// No node on the LMA's dummy device: the DLIF only carries the anchor
	// role's route into the tunnel.
	dlif.advertise = false;
	return dlif;
}

void CmdCore::Impl::lma_remove(BindingNode &node, Actions &out)
{
	Binding &binding = node.second;
	for (const auto &prefix : binding.prefixes) {
		out.push_back(RemoveEntry{prefix});
		lma_pool.release(prefix);
	}
	out.push_back(RemoveDlif{lma_dlif_name(binding)});
}

void CmdCore::Impl::lma_pbu(MaarIndex maar, std::string_view mn, const mh::ProxyBindingUpdate &pbu, TimePoint now,
			    Actions &out, bool requeued)
{
	const auto it = bindings.find(mn);
	Binding *binding = it == bindings.end() ? nullptr : &it->second;
	if (binding && !binding->lma) {
		count(Counter::rejected_binding_kind);
		reply(out, maar, rejection(pbu, Status::AdministrativelyProhibited, false));
		log(out, LogLevel::notice, "pbu-binding-kind-mismatch", {{"mn", std::string(mn)}, {"source", text(address_of(maar))}});
		return;
	}
	if (binding && !requeued && is_repeat(*binding, maar, pbu)) {
		answer_repeat(*it, pbu, out);
		return;
	}
	std::uint16_t answer_seq = 0;
	std::optional<mh::Timestamp> answer_timestamp;
	if (const auto stale = check_order(binding, maar, pbu, now, requeued, answer_seq, answer_timestamp)) {
		count(*stale == Status::SequenceNumberOutOfWindow ? Counter::drop_stale_sequence
								  : Counter::drop_stale_timestamp);
		auto pba = rejection(pbu, *stale, false);
		pba.sequence = answer_seq;
		pba.options.timestamp = answer_timestamp;
		reply(out, maar, std::move(pba));
		return;
	}
	if (pbu.lifetime.is_deregistration()) {
		auto pba = rejection(pbu, Status::Accepted, false);
		if (binding && maar == binding->serving) {
			pba.options.home_network_prefixes.assign(binding->prefixes.span());
			reply(out, maar, std::move(pba));
			count(Counter::lma_deregistrations);
			log(out, LogLevel::info, "lma-deregistered", {{"mn", std::string(mn)}, {"mag", text(address_of(maar))}});
			lma_remove(*it, out);
			erase(*it, out);
			out.push_back(StateChanged{std::string(mn)});
		} else {
			// From a MAG the node has left: the binding stays.
			pba.options.home_network_prefixes = pbu.options.home_network_prefixes;
			reply(out, maar, std::move(pba));
		}
		return;
	}
	if (binding && maar != binding->serving && is_refresh(pbu)) {
		count(Counter::drop_stale_refresh);
		return;
	}
	BindingNode *node = binding ? &*it : nullptr;
	bool fresh = false;
	if (!node) {
		// RFC 5213 §5.3.1, §6.9.1.1: the prefix the MAG asked for when it
		// is one of the pool's and free, otherwise (::/0 or not ours)
		// one the LMA picks.
		const Ipv6Prefix &requested = pbu.options.home_network_prefixes.front();
		std::optional<Ipv6Prefix> prefix;
		if (requested.length != 0 && lma_pool.claim(requested.masked()))
			prefix = requested.masked();
		else
			prefix = lma_pool.allocate();
		if (!prefix) {
			count(Counter::rejected_no_prefix);
			reply(out, maar, rejection(pbu, Status::InsufficientResources, false));
			log(out, LogLevel::warning, "lma-pool-exhausted", {{"mn", std::string(mn)}});
			return;
		}
		node = &insert(mn);
		binding = &node->second;
		binding->lma = true;
		binding->prefixes.push_back(*prefix);
		if (!free_lma_numbers.empty()) {
			binding->lma_number = *free_lma_numbers.begin();
			free_lma_numbers.erase(free_lma_numbers.begin());
		} else {
			binding->lma_number = next_lma_number++;
		}
		fresh = true;
	}
	const bool moved = !fresh && binding->serving != maar;
	const auto previous_mac = binding->mn_mac;
	set_serving(*binding, maar);
	binding->handoff_indicator = static_cast<std::uint8_t>(*pbu.options.handoff_indicator);
	binding->access_technology = static_cast<std::uint8_t>(*pbu.options.access_technology_type);
	binding->lifetime_units = grant(pbu).units();
	if (pbu.options.mobile_node_link_layer_identifier)
		binding->mn_mac = mac_from_link_layer(*pbu.options.mobile_node_link_layer_identifier);
	note_accepted(*binding, maar, pbu);
	restart_expiry(*binding, now, out);
	if (fresh || moved || previous_mac != binding->mn_mac) {
		// The anchor role of the kernel table (Documentation/kernel.rst):
		// the node's prefix is routed into its DLIF and tunnelled to the MAG.
		const InstallDlif dlif = lma_dlif(*node);
		out.push_back(dlif);
		for (const auto &prefix : binding->prefixes)
			out.push_back(InstallEntry{prefix, TunnelRole::anchor, address_of(maar), dlif.name});
	}
	reply(out, maar, answer(*node, pbu.sequence, pbu.options.timestamp, false));
	if (fresh || moved) {
		count(fresh ? Counter::lma_registrations : Counter::lma_handovers);
		log(out, LogLevel::info, fresh ? "lma-registered" : "lma-handover",
		    {{"mn", std::string(mn)}, {"mag", text(address_of(maar))}, {"prefix", text(binding->prefixes)}});
	} else {
		count(Counter::refreshes);
	}
	out.push_back(StateChanged{std::string(mn)});
}

// ------------------------------------------------------------- public API

CmdCore::CmdCore(CmdConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
CmdCore::~CmdCore() = default;
CmdCore::CmdCore(CmdCore &&) noexcept = default;
CmdCore &CmdCore::operator=(CmdCore &&) noexcept = default;

Actions CmdCore::start(TimePoint now)
{
	(void)now;
	return {};
}

Actions CmdCore::handle(const Event &event, TimePoint now) noexcept
{
	return dmm::detail::handle_guarded(*impl_, Counter::internal_errors, event, now, 4);
}

void CmdCore::set_wall_clock(TimePoint steady_now, WallTime wall_now) noexcept
{
	impl_->wall.set(steady_now, wall_now);
}

std::size_t CmdCore::binding_count() const noexcept
{
	return impl_->bindings.size();
}

CounterMap CmdCore::counters() const
{
	CounterMap map;
	for (std::size_t i = 0; i < static_cast<std::size_t>(Counter::count); ++i)
		map.emplace(std::string(counter_name(static_cast<Counter>(i))), impl_->counters[i]);
	return map;
}

const CmdConfig &CmdCore::config() const noexcept
{
	return impl_->config;
}

} // namespace dlif::cmd
