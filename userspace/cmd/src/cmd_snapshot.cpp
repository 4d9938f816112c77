// SPDX-License-Identifier: GPL-2.0
//
// The CMD's snapshot (persistence) and its views (queries).
#include <algorithm>
#include <cstdio>

#include "cmd_impl.hpp"
#include "dlif/dmm/core_entry.hpp"
#include "dlif/dmm/json.hpp"
#include "dlif/dmm/json_writer.hpp"
#include "dlif/mh/codec.hpp"

namespace dlif::cmd {

namespace {

using json::Json;
using json::SnapshotError;

constexpr const char *kFormat = "dlifd-cmd-snapshot";
constexpr std::int64_t kVersion = 1;

std::string hex(const std::vector<std::uint8_t> &bytes)
{
	static const char digits[] = "0123456789abcdef";
	std::string out;
	out.reserve(bytes.size() * 2);
	for (const auto octet : bytes) {
		out += digits[octet >> 4];
		out += digits[octet & 0x0f];
	}
	return out;
}

std::vector<std::uint8_t> unhex(const std::string &text)
{
	if (text.size() % 2 != 0)
		throw SnapshotError("odd-length hex string");
	std::vector<std::uint8_t> bytes;
	bytes.reserve(text.size() / 2);
	const auto value = [](char c) -> int {
		if (c >= '0' && c <= '9')
			return c - '0';
		if (c >= 'a' && c <= 'f')
			return c - 'a' + 10;
		throw SnapshotError("not a hex digit");
	};
	for (std::size_t i = 0; i < text.size(); i += 2)
		bytes.push_back(static_cast<std::uint8_t>(value(text[i]) * 16 + value(text[i + 1])));
	return bytes;
}

PrefixList prefix_list_from(const Json &value)
{
	PrefixList list;
	for (const auto &prefix : json::prefixes_from(value))
		list.push_back(prefix);
	return list;
}

Json optional_identity(const std::optional<DlifIdentity> &identity)
{
	return identity ? json::to_json(*identity) : Json(nullptr);
}

std::optional<DlifIdentity> optional_identity_from(const Json &value)
{
	if (value.is_null())
		return std::nullopt;
	return json::identity_from(value);
}

std::uint16_t u16(const Json &value)
{
	return static_cast<std::uint16_t>(json::unsigned_from(value, 0xffff));
}

std::uint8_t u8(const Json &value)
{
	return static_cast<std::uint8_t>(json::unsigned_from(value, 0xff));
}

Duration remaining(TimePoint deadline, TimePoint now)
{
	return deadline > now ? std::chrono::ceil<Duration>(deadline - now) : Duration::zero();
}

} // namespace

std::string CmdCore::Impl::snapshot_record(const BindingNode &node) const
{
	const Binding &binding = node.second;
	json::Writer out;
	out.begin_object();
	out.member("mn", node.first);
	out.member("lma", binding.lma);
	out.member("serving", address_of(binding.serving));
	out.member("handoff_indicator", binding.handoff_indicator);
	out.member("access_technology", binding.access_technology);
	out.member("lifetime_units", binding.lifetime_units);
	out.member("cmd_seq", binding.cmd_seq);
	out.key("last_seq");
	binding.has_seq ? out.value(binding.last_seq) : out.value(nullptr);
	out.key("seq_context");
	binding.has_seq && binding.seq_context != kNoMaar ? out.value(address_of(binding.seq_context))
							  : out.value(nullptr);
	out.member("last_timestamp", binding.last_timestamp);
	out.member("prefixes", binding.prefixes);
	out.member("serving_identity", binding.serving_identity);
	out.member("mn_mac", binding.mn_mac);
	out.key("elements").begin_array();
	for (const auto &element : binding.elements) {
		out.begin_object();
		out.member("maar", address_of(element.maar));
		out.member("prefixes", element.prefixes);
		out.member("identity", element.identity);
		out.member("confirmed", element.confirmed);
		out.end_object();
	}
	out.end_array();
	out.member("expires_at_ms", wall.to_wall_ms(binding.expires_at));
	out.member("expiry_armed", binding.expiry_timer != 0);
	out.member("lma_number", binding.lma_number);
	out.key("pending");
	if (!binding.pending) {
		out.value(nullptr);
	} else {
		const Pending &p = *binding.pending;
		out.begin_object();
		out.member("kind", p.kind == Pending::Kind::handover ? "handover" : "cleanup");
		out.member("smaar_first_seq", p.smaar_first_seq);
		out.member("smaar_seq", p.smaar_seq);
		out.member("smaar_timestamp", p.smaar_timestamp);
		out.member("pba_sent", p.pba_sent);
		out.key("relay_deadline_ms");
		p.relay_deadline ? out.value(wall.to_wall_ms(*p.relay_deadline)) : out.value(nullptr);
		out.key("outstanding").begin_array();
		for (const auto &o : p.outstanding) {
			out.begin_object();
			out.member("maar", address_of(o.maar));
			out.member("first_seq", o.first_seq);
			out.member("last_seq", o.last_seq);
			out.member("retransmissions", o.retransmissions);
			out.member("timeout_ms", o.timeout.count());
			out.member("deadline_ms", wall.to_wall_ms(o.deadline));
			out.member("resolved", o.resolved);
			out.member("waiting", o.waiting);
			out.end_object();
		}
		out.end_array();
		out.key("queue").begin_array();
		for (const auto &queued : p.queue) {
			const auto bytes = mh::build(queued.pbu);
			if (!bytes)
				continue;
			out.begin_object();
			out.member("source", queued.source);
			out.member("pbu", hex(*bytes));
			out.end_object();
		}
		out.end_array();
		out.end_object();
	}
	out.end_object();
	return out.take();
}

Json CmdCore::Impl::snapshot_header() const
{
	Json local = Json::array();
	for (std::size_t i = 0; i < local_prefixes.size(); ++i)
		if (!local_prefixes[i].empty())
			local.push_back({{"maar", json::to_json(maars[i])}, {"prefixes", json::to_json(local_prefixes[i])}});
	const std::vector<std::uint32_t> free_numbers(free_lma_numbers.begin(), free_lma_numbers.end());
	return Json{{"format", kFormat},
		    {"version", kVersion},
		    {"lma", {{"cursor", lma_pool.cursor()}, {"next_number", next_lma_number}, {"free_numbers", free_numbers}}},
		    {"local_prefixes", std::move(local)}};
}

std::string CmdCore::Impl::snapshot() const
{
	std::vector<const BindingNode *> sorted;
	sorted.reserve(bindings.size());
	for (const auto &node : bindings)
		sorted.push_back(&node);
	std::sort(sorted.begin(), sorted.end(), [](const BindingNode *a, const BindingNode *b) { return a->first < b->first; });

	const Json header = snapshot_header();
	json::Writer out;
	out.begin_object();
	for (const auto &[name, value] : header.items())
		out.key(name).raw(value.dump());
	out.key("bindings").begin_array();
	for (const BindingNode *node : sorted)
		out.raw(snapshot_record(*node));
	out.end_array();
	out.end_object();
	return out.take();
}

Actions CmdCore::Impl::restore(const Json &snapshot, const RecordVisitor &records, TimePoint now)
{
	if (json::string_from(json::member(snapshot, "format")) != kFormat)
		throw SnapshotError("not a CMD snapshot");
	if (json::integer_from(json::member(snapshot, "version")) != kVersion)
		throw SnapshotError("unsupported snapshot version");

	const auto maar_from = [&](const Json &value) -> MaarIndex {
		const Ipv6Address address = json::address_from(value);
		const auto index = index_of(address);
		if (!index)
			throw SnapshotError("MAAR " + address.to_string() + " is not in domain.maars or roaming.visited");
		return *index;
	};

	Actions out;
	const Json &lma = json::member(snapshot, "lma");
	lma_pool.set_cursor(json::unsigned_from(json::member(lma, "cursor"), UINT64_MAX));
	next_lma_number = static_cast<std::uint32_t>(json::unsigned_from(json::member(lma, "next_number"), UINT32_MAX));
	for (const auto &number : json::member(lma, "free_numbers"))
		free_lma_numbers.insert(static_cast<std::uint32_t>(json::unsigned_from(number, UINT32_MAX)));

	for (const auto &item : json::member(snapshot, "local_prefixes"))
		local_prefixes[maar_from(json::member(item, "maar"))] = json::prefixes_from(json::member(item, "prefixes"));

	records([&](const Json &item) {
		const MnId mn{json::string_from(json::member(item, "mn"))};
		if (bindings.contains(mn.nai))
			throw SnapshotError("binding listed twice: " + mn.nai);
		BindingNode &node = insert(mn.nai);
		Binding &binding = node.second;
		binding.lma = json::bool_from(json::member(item, "lma"));
		set_serving(binding, maar_from(json::member(item, "serving")));
		binding.handoff_indicator = u8(json::member(item, "handoff_indicator"));
		binding.access_technology = u8(json::member(item, "access_technology"));
		binding.lifetime_units = u16(json::member(item, "lifetime_units"));
		binding.cmd_seq = u16(json::member(item, "cmd_seq"));
		const Json &last_seq = json::member(item, "last_seq");
		binding.has_seq = !last_seq.is_null();
		if (binding.has_seq) {
			binding.last_seq = u16(last_seq);
			const Json &context = json::member(item, "seq_context");
			binding.seq_context = context.is_null() ? kNoMaar : maar_from(context);
		}
		const Json &last_timestamp = json::member(item, "last_timestamp");
		if (!last_timestamp.is_null())
			binding.last_timestamp = mh::Timestamp::from_raw(json::unsigned_from(last_timestamp, UINT64_MAX));
		binding.prefixes = prefix_list_from(json::member(item, "prefixes"));
		binding.serving_identity = optional_identity_from(json::member(item, "serving_identity"));
		const Json &mn_mac = json::member(item, "mn_mac");
		if (!mn_mac.is_null())
			binding.mn_mac = json::mac_from(mn_mac);
		for (const auto &value : json::member(item, "elements")) {
			Element element;
			element.maar = maar_from(json::member(value, "maar"));
			element.prefixes = prefix_list_from(json::member(value, "prefixes"));
			element.identity = optional_identity_from(json::member(value, "identity"));
			element.confirmed = json::bool_from(json::member(value, "confirmed"));
			binding.elements.push_back(std::move(element));
		}
		if (binding.elements.size() > kMaxPreviousMaars)
			throw SnapshotError("P-MAAR list too long for " + mn.nai);
		binding.expires_at = wall.from_wall_ms(json::integer_from(json::member(item, "expires_at_ms")));
		if (json::bool_from(json::member(item, "expiry_armed")))
			binding.expiry_timer =
				arm(out, binding, TimerKind::expiry, 0, remaining(binding.expires_at, now));
		binding.lma_number = static_cast<std::uint32_t>(json::unsigned_from(json::member(item, "lma_number"), UINT32_MAX));

		const Json &pending = json::member(item, "pending");
		if (!pending.is_null()) {
			auto p = std::make_unique<Pending>();
			const std::string kind = json::string_from(json::member(pending, "kind"));
			if (kind != "handover" && kind != "cleanup")
				throw SnapshotError("unknown pending kind " + kind);
			p->kind = kind == "handover" ? Pending::Kind::handover : Pending::Kind::cleanup;
			p->smaar_first_seq = u16(json::member(pending, "smaar_first_seq"));
			p->smaar_seq = u16(json::member(pending, "smaar_seq"));
			const Json &smaar_timestamp = json::member(pending, "smaar_timestamp");
			if (!smaar_timestamp.is_null())
				p->smaar_timestamp = mh::Timestamp::from_raw(json::unsigned_from(smaar_timestamp, UINT64_MAX));
			p->pba_sent = json::bool_from(json::member(pending, "pba_sent"));
			const Json &relay_deadline = json::member(pending, "relay_deadline_ms");
			if (!relay_deadline.is_null())
				p->relay_deadline = wall.from_wall_ms(json::integer_from(relay_deadline));
			for (const auto &value : json::member(pending, "outstanding")) {
				Outstanding o;
				o.maar = maar_from(json::member(value, "maar"));
				o.first_seq = u16(json::member(value, "first_seq"));
				o.last_seq = u16(json::member(value, "last_seq"));
				o.retransmissions = static_cast<unsigned>(
					json::unsigned_from(json::member(value, "retransmissions"), UINT32_MAX));
				o.timeout = Duration(json::integer_from(json::member(value, "timeout_ms")));
				o.deadline = wall.from_wall_ms(json::integer_from(json::member(value, "deadline_ms")));
				o.resolved = json::bool_from(json::member(value, "resolved"));
				// Absent before paced PBUs: every exchange was in flight.
				if (const auto waiting = value.find("waiting"); waiting != value.end())
					o.waiting = json::bool_from(*waiting) && !o.resolved;
				p->outstanding.push_back(o);
			}
			if (p->outstanding.size() > kMaxPreviousMaars)
				throw SnapshotError("too many outstanding PBUs for " + mn.nai);
			for (const auto &value : json::member(pending, "queue")) {
				const auto bytes = unhex(json::string_from(json::member(value, "pbu")));
				const auto parsed = mh::parse(bytes);
				if (!parsed || !std::holds_alternative<mh::ProxyBindingUpdate>(parsed->message))
					throw SnapshotError("queued PBU does not parse");
				p->queue.push_back(QueuedPbu{json::address_from(json::member(value, "source")),
							     std::get<mh::ProxyBindingUpdate>(parsed->message)});
			}
			set_pending(binding, std::move(p));
			Pending &restored = *binding.pending;
			for (std::size_t i = 0; i < restored.outstanding.size(); ++i) {
				Outstanding &o = restored.outstanding[i];
				if (o.resolved)
					continue;
				Flight &flight = flights.at(o.maar);
				if (o.waiting) {
					flight.waiting.push_back(FlightTicket{binding.slot, o.first_seq,
									      static_cast<std::uint8_t>(i)});
					landed.push_back(o.maar);
					continue;
				}
				o.in_flight = true;
				++flight.in_flight;
				o.timer = arm(out, binding, TimerKind::outstanding, static_cast<std::uint8_t>(i),
					      remaining(o.deadline, now));
			}
			if (restored.relay_deadline)
				restored.relay_timer =
					arm(out, binding, TimerKind::relay, 0, remaining(*restored.relay_deadline, now));
		}
		if (binding.lma) {
			if (!config.lma)
				throw SnapshotError("LMA binding " + mn.nai + " but no [lma] configured");
			for (const auto &prefix : binding.prefixes)
				if (!lma_pool.claim(prefix))
					throw SnapshotError("LMA prefix " + prefix.to_string() + " not in the pool or used twice");
			// The daemon reconciles: both are create-or-replace.
			const InstallDlif dlif = lma_dlif(node);
			out.push_back(dlif);
			for (const auto &prefix : binding.prefixes)
				out.push_back(InstallEntry{prefix, TunnelRole::anchor, address_of(binding.serving), dlif.name});
		}
		// Home LMA: the relays of a node served in a partner domain
		// (create-or-replace, like the rest).
		if (auto relays = relays_of(node); !relays.empty()) {
			out.insert(out.end(), relays.begin(), relays.end());
			relayed[node.first] = std::move(relays);
		}
	});
	// Exchanges that waited for a place take those that are free.
	launch_waiting(now, out);
	return out;
}

BindingView CmdCore::Impl::view(const BindingNode &node) const
{
	const Binding &binding = node.second;
	BindingView view;
	view.mn = MnId{node.first};
	view.state = !binding.pending ? BindingState::registered
		     : binding.pending->kind == Pending::Kind::handover ? BindingState::handover
									 : BindingState::deregistering;
	view.lma = binding.lma;
	view.serving_maar = address_of(binding.serving);
	view.prefixes.assign(binding.prefixes.begin(), binding.prefixes.end());
	view.serving_identity = binding.serving_identity;
	for (const auto &element : binding.elements) {
		PreviousMaarView p;
		p.maar = address_of(element.maar);
		p.prefixes.assign(element.prefixes.begin(), element.prefixes.end());
		p.local_prefixes = local_prefixes[element.maar];
		p.identity = element.identity;
		p.confirmed = element.confirmed;
		view.previous_maars.push_back(std::move(p));
	}
	view.lifetime = std::chrono::duration_cast<Duration>(Lifetime::from_units(binding.lifetime_units).duration());
	view.expires_at = binding.expires_at;
	if (binding.has_seq)
		view.last_sequence = binding.last_seq;
	if (binding.last_timestamp)
		view.last_timestamp = binding.last_timestamp->raw();
	if (binding.pending) {
		for (const auto &o : binding.pending->outstanding)
			if (!o.resolved)
				++view.outstanding;
		view.queued = binding.pending->queue.size();
	}
	if (binding.lma)
		view.dlif = lma_dlif_name(binding);
	view.mn_mac = binding.mn_mac;
	return view;
}

std::string CmdCore::snapshot() const
{
	return impl_->snapshot();
}

std::string CmdCore::snapshot_header() const
{
	return impl_->snapshot_header().dump();
}

std::optional<std::string> CmdCore::snapshot_record(std::string_view mn) const
{
	const auto it = impl_->bindings.find(mn);
	if (it == impl_->bindings.end())
		return std::nullopt;
	return impl_->snapshot_record(*it);
}

mh::Result<Actions, std::string> CmdCore::restore(std::string_view text, TimePoint now)
{
	return dmm::detail::restore_snapshot(impl_, text, "bindings", now);
}

mh::Result<Actions, std::string> CmdCore::restore(std::string_view header, std::span<const std::string> records,
						  TimePoint now)
{
	return dmm::detail::restore_records(impl_, header, records, now);
}

std::vector<BindingView> CmdCore::bindings() const
{
	std::vector<BindingView> views;
	views.reserve(impl_->bindings.size());
	for (const auto &node : impl_->bindings)
		views.push_back(impl_->view(node));
	std::sort(views.begin(), views.end(), [](const BindingView &a, const BindingView &b) { return a.mn < b.mn; });
	return views;
}

std::vector<BindingView> CmdCore::bindings_page(std::string_view after, std::size_t limit) const
{
	std::vector<const BindingMap::value_type *> later;
	for (const auto &node : impl_->bindings)
		if (node.first > after)
			later.push_back(&node);
	const auto by_mn = [](const auto *a, const auto *b) { return a->first < b->first; };
	const std::size_t count = std::min(limit, later.size());
	std::partial_sort(later.begin(), later.begin() + static_cast<std::ptrdiff_t>(count), later.end(), by_mn);
	std::vector<BindingView> views;
	views.reserve(count);
	for (std::size_t i = 0; i < count; ++i)
		views.push_back(impl_->view(*later[i]));
	return views;
}

std::optional<BindingView> CmdCore::binding(const MnId &mn) const
{
	const auto it = impl_->bindings.find(mn.nai);
	if (it == impl_->bindings.end())
		return std::nullopt;
	return impl_->view(*it);
}

std::map<Ipv6Address, CmdCore::ServingCount> CmdCore::bindings_by_serving_maar() const
{
	std::map<Ipv6Address, ServingCount> counts;
	for (std::size_t index = 0; index < impl_->serving_counts.size(); ++index)
		if (impl_->serving_counts[index].bindings > 0)
			counts.emplace(impl_->maars.at(index), impl_->serving_counts[index]);
	return counts;
}

std::optional<BindingView> CmdCore::binding_with_mac(const MacAddress &mn) const
{
	const BindingNode *found = nullptr;
	for (const auto &node : impl_->bindings)
		if (node.second.mn_mac == mn && (!found || node.first < found->first))
			found = &node;
	if (!found)
		return std::nullopt;
	return impl_->view(*found);
}

namespace {

Json binding_item(const BindingView &view, CmdMode mode, TimePoint now)
{
	Json previous = Json::array();
	for (const auto &p : view.previous_maars)
		previous.push_back({{"maar", json::to_json(p.maar)},
				    {"prefixes", json::to_json(p.prefixes)},
				    {"local_prefixes", json::to_json(p.local_prefixes)},
				    {"identity", optional_identity(p.identity)},
				    {"confirmed", p.confirmed}});
	Json item{{"mn", view.mn.nai},
		  {"state", name(view.state)},
		  {"lma", view.lma},
		  {"serving_maar", json::to_json(view.serving_maar)},
		  {"prefixes", json::to_json(view.prefixes)},
		  {"serving_identity", optional_identity(view.serving_identity)},
		  {"previous_maars", std::move(previous)},
		  {"lifetime_s", std::chrono::duration_cast<std::chrono::seconds>(view.lifetime).count()},
		  {"remaining_ms", remaining(view.expires_at, now).count()},
		  {"outstanding", view.outstanding},
		  {"queued", view.queued},
		  {"mode", json::name(mode)}};
	if (view.last_sequence)
		item["last_sequence"] = *view.last_sequence;
	if (view.last_timestamp)
		item["last_timestamp"] = *view.last_timestamp;
	if (view.dlif)
		item["dlif"] = *view.dlif;
	if (view.mn_mac)
		item["mn_mac"] = json::to_json(*view.mn_mac);
	return item;
}

} // namespace

std::string CmdCore::bindings_json(TimePoint now) const
{
	Json list = Json::array();
	for (const auto &view : bindings())
		list.push_back(binding_item(view, impl_->config.mode, now));
	return list.dump();
}

std::string CmdCore::binding_json(const BindingView &view, TimePoint now) const
{
	return binding_item(view, impl_->config.mode, now).dump();
}

std::string CmdCore::counters_json() const
{
	Json object = Json::object();
	for (const auto &[key, value] : counters())
		object[key] = value;
	return object.dump();
}

} // namespace dlif::cmd
