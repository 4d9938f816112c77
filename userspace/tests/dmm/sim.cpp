// SPDX-License-Identifier: GPL-2.0
#include "sim.hpp"

#include <algorithm>
#include <set>
#include <sstream>

namespace dlif::sim {

Ipv6Address addr(const char *text)
{
	return *Ipv6Address::from_string(text);
}

Ipv6Prefix pfx(const char *text)
{
	return *Ipv6Prefix::from_string(text);
}

MacAddress mac(const char *text)
{
	return *MacAddress::from_string(text);
}

// ------------------------------------------------------------------ Kernel

void Kernel::apply(const Action &action)
{
	if (const auto *install = std::get_if<InstallDlif>(&action)) {
		dlifs[install->name] = *install;
	} else if (const auto *remove = std::get_if<RemoveDlif>(&action)) {
		if (!dlifs.erase(remove->name))
			problems.push_back("RemoveDlif of unknown " + remove->name);
		// The kernel removes a DLIF's entries with it.
		for (auto it = entries.begin(); it != entries.end();)
			it = it->second.dlif == remove->name ? entries.erase(it) : std::next(it);
	} else if (const auto *entry = std::get_if<InstallEntry>(&action)) {
		if (entry->dlif && !dlifs.contains(*entry->dlif))
			problems.push_back("InstallEntry " + entry->prefix.to_string() + " names missing DLIF " + *entry->dlif);
		entries[entry->prefix.to_string()] = *entry;
	} else if (const auto *gone = std::get_if<RemoveEntry>(&action)) {
		if (!entries.erase(gone->prefix.to_string()))
			problems.push_back("RemoveEntry of unknown " + gone->prefix.to_string());
	} else if (const auto *relay = std::get_if<InstallRelay>(&action)) {
		relays[relay->prefix.to_string()] = *relay;
	} else if (const auto *unrelay = std::get_if<RemoveRelay>(&action)) {
		if (!relays.erase(unrelay->prefix.to_string()))
			problems.push_back("RemoveRelay of unknown " + unrelay->prefix.to_string());
	} else if (const auto *advertise = std::get_if<AdvertiseNow>(&action)) {
		advertised.push_back(advertise->dlif);
		const auto it = dlifs.find(advertise->dlif);
		if (it == dlifs.end() || !it->second.advertise)
			problems.push_back("AdvertiseNow on a silent or missing DLIF " + advertise->dlif);
	}
}

const InstallEntry *Kernel::entry(const Ipv6Prefix &prefix) const
{
	const auto it = entries.find(prefix.to_string());
	return it == entries.end() ? nullptr : &it->second;
}

const InstallDlif *Kernel::dlif(const std::string &name) const
{
	const auto it = dlifs.find(name);
	return it == dlifs.end() ? nullptr : &it->second;
}

bool Kernel::empty_of_sessions() const
{
	if (!dlifs.empty())
		return false;
	for (const auto &[key, entry] : entries)
		if (entry.role != TunnelRole::local_export)
			return false;
	return true;
}

// ----------------------------------------------------------------- Network

SignallingTimers SimOptions::default_timers()
{
	SignallingTimers timers;
	timers.initial_retransmission = Duration(1500);
	timers.max_retransmission = Duration(32000);
	timers.max_retransmissions = 5;
	timers.lifetime = Duration(400000);
	timers.refresh_fraction = 0.8;
	timers.timestamp_window = Duration(300);
	return timers;
}

Ipv6Address Network::address(NodeId node)
{
	Ipv6Address address = addr("2001:db8::");
	address.bytes[15] = node == kCmd ? 0x0c : static_cast<std::uint8_t>(node);
	return address;
}

NodeId Network::node_of(const Ipv6Address &address) const
{
	for (NodeId node = 0; node <= kMaars; ++node)
		if (Network::address(node) == address)
			return node;
	return -1;
}

Network::Network(SimOptions options) : options_(std::move(options)), random_(options_.seed)
{
	Domain domain;
	for (NodeId node = 1; node <= kMaars; ++node)
		domain.maars.push_back(address(node));
	domain.realm = "dlif.example";
	if (options_.domain_claims) {
		for (NodeId node = 1; node <= kMaars; ++node) {
			MaarClaims claims;
			claims.pool = pfx("2001:db8::/48");
			claims.pool.address.bytes[5] = static_cast<std::uint8_t>(node);
			claims.local_prefixes = options_.local_prefixes.at(static_cast<std::size_t>(node - 1));
			domain.claims.push_back(claims);
		}
	}

	cmd_config_.address = address(kCmd);
	cmd_config_.mode = options_.mode;
	cmd_config_.deregistration = options_.deregistration;
	cmd_config_.ordering = options_.ordering;
	cmd_config_.timers = options_.timers;
	cmd_config_.domain = domain;
	cmd_config_.rfc8885 = options_.rfc8885;
	cmd_config_.legacy_d_flag = options_.legacy_d_flag;
	cmd_config_.relay_timeout = options_.relay_timeout;
	if (options_.lma)
		cmd_config_.lma = LmaConfig{pfx("2001:db8:f::/48"), 64, "lma0"};

	for (NodeId node = 1; node <= kMaars; ++node) {
		MaarConfig config;
		config.address = address(node);
		config.cmd = address(kCmd);
		config.timers = options_.timers;
		config.ordering = options_.ordering;
		config.deregistration = options_.deregistration;
		config.domain = domain;
		config.access_interfaces = {"wlan0"};
		Ipv6Prefix pool = pfx("2001:db8::/48");
		pool.address.bytes[5] = static_cast<std::uint8_t>(node);
		config.prefix_pool = pool;
		config.prefix_length = 64;
		config.local_prefixes = options_.local_prefixes.at(static_cast<std::size_t>(node - 1));
		config.legacy_mag = options_.legacy_mag.at(static_cast<std::size_t>(node - 1));
		config.cmd_mode = options_.mode;
		config.direct = options_.direct;
		config.discovery = options_.discovery;
		config.deprecated_router_low_preference = options_.low_preference;
		config.admission = options_.admission;
		config.release_idle_after = options_.release_idle_after;
		maar_configs_.push_back(config);
	}
	if (options_.inter_domain) {
		constexpr std::size_t kVisited = kMaars - 1;
		Domain home = domain;
		home.maars.pop_back();
		if (!home.claims.empty())
			home.claims.pop_back();
		cmd_config_.domain = home;
		cmd_config_.roaming = RoamingConfig{{address(kMaars)}};
		for (std::size_t i = 0; i < kVisited; ++i)
			maar_configs_[i].domain = home;
		MaarConfig &visited = maar_configs_[kVisited];
		Domain partner;
		partner.maars = {address(kMaars)};
		partner.realm = "partner.example";
		if (!domain.claims.empty())
			partner.claims = {domain.claims.back()};
		visited.domain = partner;
		visited.direct = true;
		visited.cmd = Ipv6Address{};
		visited.discovery = MaarConfig::Discovery::query;
		visited.home_lmas = {HomeLma{"dlif.example", address(kCmd), {pfx("2001:db8:1::/48"), pfx("2001:db8:2::/48")}, 64}};
		for (const auto &visitor : options_.visitors)
			visited.admission.identities.emplace_back(visitor, mn_id_from_mac(visitor, "dlif.example").nai);
		std::sort(visited.admission.identities.begin(), visited.admission.identities.end());
	}
	cmd_ = std::make_unique<cmd::CmdCore>(cmd_config_);
	for (const auto &config : maar_configs_)
		maars_.push_back(std::make_unique<maar::MaarCore>(config));
	kernels_.resize(kMaars + 1);
	down_.assign(kMaars + 1, false);
	apply(kCmd, cmd_->start(now_));
	for (NodeId node = 1; node <= kMaars; ++node)
		apply(node, maar(node).start(now_));
}

void Network::dispatch(NodeId node, const Event &event)
{
	apply(node, node == kCmd ? cmd_->handle(event, now_) : maar(node).handle(event, now_));
}

void Network::apply(NodeId node, Actions actions)
{
	bool state_changed = false;
	for (auto &action : actions) {
		if (auto *send_mh = std::get_if<SendMh>(&action)) {
			send(node, address(node), node_of(send_mh->destination), send_mh->message);
		} else if (const auto *start = std::get_if<StartTimer>(&action)) {
			const std::uint64_t token = ++token_;
			timers_[{node, start->id}] = token;
			queue_.push(Item{now_ + start->after, order_++, Fire{node, start->id, token}});
		} else if (const auto *stop = std::get_if<StopTimer>(&action)) {
			timers_.erase({node, stop->id});
		} else if (const auto *changed = std::get_if<StateChanged>(&action)) {
			store(node, changed->mn);
			state_changed = true;
		} else if (auto *log = std::get_if<Log>(&action)) {
			logs_.push_back(std::move(*log));
		} else if (const auto *lookup = std::get_if<LookupSessions>(&action)) {
			++in_flight_;
			queue_.push(Item{now_ + options_.database_delay, order_++, Lookup{node, lookup->mn}});
		} else if (const auto *publish = std::get_if<PublishSession>(&action)) {
			if (!options_.direct || options_.discovery == MaarConfig::Discovery::query)
				problems_.push_back("node " + std::to_string(node) + ": a session database write "
						    "without a session database");
			if (database_down_)
				continue;	// what the daemon retries; not modelled
			if (publish->record)
				database_[publish->mn][address(node)] = *publish->record;
			else if (const auto it = database_.find(publish->mn); it != database_.end()) {
				it->second.erase(address(node));
				if (it->second.empty())
					database_.erase(it);
			}
		} else {
			kernels_[static_cast<std::size_t>(node)].apply(action);
		}
	}
	// dlifd commits once per event-loop iteration, after the core has
	// handled the event: what a restart can find is the state between
	// two events, so that is where it is compared with the snapshot.
	if (state_changed && options_.check_snapshots)
		check_snapshot(node);
	for (auto &problem : kernels_[static_cast<std::size_t>(node)].problems)
		problems_.push_back("node " + std::to_string(node) + ": " + problem);
	kernels_[static_cast<std::size_t>(node)].problems.clear();
}

void Network::send(NodeId from, const Ipv6Address &source, NodeId to, const mh::Message &message)
{
	// Every message crosses the wire format.
	const auto bytes = mh::build(message);
	if (!bytes) {
		problems_.push_back("build failed: " + mh::to_string(bytes.error()));
		return;
	}
	const auto parsed = mh::parse(*bytes);
	if (!parsed) {
		problems_.push_back("parse failed: " + mh::to_string(parsed.error()));
		return;
	}
	if (!(parsed->message == message))
		problems_.push_back("codec round trip changed " + mh::to_string(message));

	Wire wire{now_, from, to, parsed->message, false};
	LinkRule &rule = links_[{from, to}];
	if (to < 0 || down_[static_cast<std::size_t>(to)] || (from >= 0 && down_[static_cast<std::size_t>(from)])) {
		wire.dropped = true;
	} else if (rule.drop_next > 0) {
		--rule.drop_next;
		wire.dropped = true;
	} else if (rule.drop_if && rule.drop_if(message)) {
		wire.dropped = true;
	} else if (rule.loss > 0 && std::uniform_real_distribution<double>(0, 1)(random_) < rule.loss) {
		wire.dropped = true;
	}
	trace_.push_back(wire);
	if (wire.dropped)
		return;
	Duration delay = rule.delay;
	if (rule.jitter > Duration::zero())
		delay += Duration(std::uniform_int_distribution<std::int64_t>(0, rule.jitter.count())(random_));
	++in_flight_;
	queue_.push(Item{now_ + delay, order_++, Delivery{to, source, parsed->message}});
}

void Network::inject(NodeId from, NodeId to, mh::Message message)
{
	send(from, address(from), to, message);
}

void Network::inject_from(const Ipv6Address &source, NodeId to, mh::Message message)
{
	++in_flight_;
	queue_.push(Item{now_ + Duration(1), order_++, Delivery{to, source, std::move(message)}});
}

void Network::step(const Item &item)
{
	now_ = item.at;
	if (const auto *delivery = std::get_if<Delivery>(&item.what)) {
		--in_flight_;
		if (down_[static_cast<std::size_t>(delivery->to)])
			return;
		dispatch(delivery->to, MhReceived{delivery->source, address(delivery->to), delivery->message});
	} else if (const auto *lookup = std::get_if<Lookup>(&item.what)) {
		--in_flight_;
		if (down_[static_cast<std::size_t>(lookup->node)])
			return;
		SessionsFound found;
		found.mn = lookup->mn;
		if (database_down_) {
			found.error = "database down";
		} else if (const auto it = database_.find(lookup->mn); it != database_.end()) {
			for (const auto &[maar, record] : it->second)
				found.records.push_back(record);
		}
		dispatch(lookup->node, found);
	} else {
		const auto &fire = std::get<Fire>(item.what);
		const auto it = timers_.find({fire.node, fire.id});
		if (it == timers_.end() || it->second != fire.token)
			return;
		timers_.erase(it);
		dispatch(fire.node, TimerFired{fire.id});
	}
}

void Network::run_for(Duration duration)
{
	const TimePoint end = now_ + duration;
	while (!queue_.empty() && queue_.top().at <= end) {
		const Item item = queue_.top();
		queue_.pop();
		step(item);
	}
	now_ = end;
}

bool Network::quiet() const
{
	if (in_flight_ != 0)
		return false;
	for (const auto &view : cmd_->bindings())
		if (view.state != cmd::BindingState::registered)
			return false;
	for (const auto &core : maars_)
		for (const auto &session : core->sessions())
			if (session.exchange || session.verifying || session.state == maar::SessionState::registering ||
			    session.state == maar::SessionState::deregistering)
				return false;
	return true;
}

bool Network::settle(Duration limit)
{
	const TimePoint end = now_ + limit;
	while (!quiet()) {
		if (queue_.empty() || queue_.top().at > end)
			break;
		const Item item = queue_.top();
		queue_.pop();
		step(item);
	}
	return quiet();
}

void Network::attach(NodeId maar_node, const MacAddress &mn, const std::string &interface)
{
	events_.emplace_back(now_, "attach " + mn.to_string() + " at MAAR" + std::to_string(maar_node));
	dispatch(maar_node, MnAttached{mn, interface});
}

void Network::detach(NodeId maar_node, const MacAddress &mn)
{
	events_.emplace_back(now_, "detach " + mn.to_string() + " at MAAR" + std::to_string(maar_node));
	dispatch(maar_node, MnDetached{mn});
}

void Network::sample_traffic(NodeId maar_node, const std::map<Ipv6Prefix, std::uint64_t> &packets)
{
	TrafficSampled sample;
	for (const auto &[key, entry] : kernels_.at(maar_node).entries) {
		if (entry.role != TunnelRole::serving)
			continue;
		const auto it = packets.find(entry.prefix);
		sample.serving_packets.emplace_back(entry.prefix, it == packets.end() ? 0 : it->second);
	}
	dispatch(maar_node, sample);
}

void Network::move(const MacAddress &mn, std::optional<NodeId> from, NodeId to)
{
	if (from)
		detach(*from, mn);
	attach(to, mn);
}

void Network::set_down(NodeId node, bool down)
{
	down_[static_cast<std::size_t>(node)] = down;
}

namespace {

std::vector<std::string> records_of(const std::map<std::string, std::string> &records)
{
	std::vector<std::string> list;
	list.reserve(records.size());
	for (const auto &[mn, record] : records)
		list.push_back(record);
	return list;
}

template <class Core>
void store_into(const Core &core, const std::string &mn, std::string &header,
		std::map<std::string, std::string> &records)
{
	header = core.snapshot_header();
	if (auto record = core.snapshot_record(mn))
		records[mn] = std::move(*record);
	else
		records.erase(mn);
}

// Restores `first` (a snapshot) and the stored parts into scratch cores:
// both must give `first` back.
template <class Core, class Config>
void check_round_trips(const Config &config, const std::string &first, const Network::Stored *stored,
		       TimePoint now, const std::string &who, std::vector<std::string> &problems)
{
	Core scratch(config);
	if (!scratch.restore(first, now))
		problems.push_back(who + ": snapshot does not restore");
	else if (const std::string second = scratch.snapshot(); first != second)
		problems.push_back(who + ": snapshot round trip differs:\n" + first + "\n" + second);
	if (stored == nullptr)
		return;
	Core from_records(config);
	if (auto restored = from_records.restore(stored->header, records_of(stored->records), now); !restored)
		problems.push_back(who + ": stored records do not restore: " + restored.error());
	else if (const std::string second = from_records.snapshot(); first != second)
		problems.push_back(who + ": stored records differ from the snapshot:\n" + first + "\n" + second);
}

} // namespace

void Network::store(NodeId node, const std::string &mn)
{
	Stored &stored = stored_[node];
	if (node == kCmd)
		store_into(*cmd_, mn, stored.header, stored.records);
	else
		store_into(maar(node), mn, stored.header, stored.records);
}

void Network::check_snapshot(NodeId node)
{
	const auto it = stored_.find(node);
	const Stored *stored = it == stored_.end() ? nullptr : &it->second;
	const std::string who = "node " + std::to_string(node);
	if (node == kCmd)
		check_round_trips<cmd::CmdCore>(cmd_config_, cmd_->snapshot(), stored, now_, who, problems_);
	else
		check_round_trips<maar::MaarCore>(maar_configs_.at(static_cast<std::size_t>(node - 1)),
						  maar(node).snapshot(), stored, now_, who, problems_);
}

void Network::restart(NodeId node)
{
	events_.emplace_back(now_, "restart node " + std::to_string(node));
	// The old process's timers die with it.
	for (auto it = timers_.begin(); it != timers_.end();)
		it = it->first.first == node ? timers_.erase(it) : std::next(it);
	Actions actions;
	// As dlifd restores from its state database: the header and the
	// records (the whole snapshot for a node that never stored any).
	const auto it = stored_.find(node);
	const Stored *stored = it == stored_.end() ? nullptr : &it->second;
	const auto restore = [&](auto &core, const std::string &snapshot) {
		return stored != nullptr ? core.restore(stored->header, records_of(stored->records), now_)
					 : core.restore(snapshot, now_);
	};
	if (node == kCmd) {
		const std::string text = cmd_->snapshot();
		cmd_ = std::make_unique<cmd::CmdCore>(cmd_config_);
		auto restored = restore(*cmd_, text);
		if (!restored) {
			problems_.push_back("CMD restore failed: " + restored.error());
			return;
		}
		actions = std::move(*restored);
	} else {
		const std::string text = maar(node).snapshot();
		auto &slot = maars_.at(static_cast<std::size_t>(node - 1));
		slot = std::make_unique<maar::MaarCore>(maar_configs_.at(static_cast<std::size_t>(node - 1)));
		auto restored = restore(*slot, text);
		if (!restored) {
			problems_.push_back("MAAR restore failed: " + restored.error());
			return;
		}
		actions = std::move(*restored);
	}
	// The daemon's reconciliation: keep what is re-issued (create or
	// replace), remove the rest.
	std::set<std::string> dlifs;
	std::set<std::string> entries;
	std::set<std::string> relays;
	for (const auto &action : actions) {
		if (const auto *dlif = std::get_if<InstallDlif>(&action))
			dlifs.insert(dlif->name);
		else if (const auto *entry = std::get_if<InstallEntry>(&action))
			entries.insert(entry->prefix.to_string());
		else if (const auto *relay = std::get_if<InstallRelay>(&action))
			relays.insert(relay->prefix.to_string());
	}
	apply(node, std::move(actions));
	Kernel &kernel = kernels_[static_cast<std::size_t>(node)];
	std::erase_if(kernel.entries, [&](const auto &entry) { return !entries.contains(entry.first); });
	std::erase_if(kernel.relays, [&](const auto &relay) { return !relays.contains(relay.first); });
	std::erase_if(kernel.dlifs, [&](const auto &dlif) { return !dlifs.contains(dlif.first); });
}

std::string Network::dump(std::size_t last) const
{
	std::ostringstream out;
	const auto ms = [](TimePoint time) { return std::chrono::duration_cast<Duration>(time.time_since_epoch()).count(); };
	const auto name = [](NodeId node) { return node == kCmd ? std::string("CMD") : "MAAR" + std::to_string(node); };
	out << "--- events\n";
	for (const auto &[time, text] : events_)
		out << ms(time) << " " << text << "\n";
	out << "--- last messages\n";
	const std::size_t from = trace_.size() > last ? trace_.size() - last : 0;
	for (std::size_t i = from; i < trace_.size(); ++i) {
		const Wire &wire = trace_[i];
		out << ms(wire.sent) << " " << name(wire.from) << " -> " << name(wire.to) << (wire.dropped ? " (dropped) " : " ")
		    << mh::to_string(wire.message) << "\n";
	}
	out << "--- last logs\n";
	const std::size_t log_from = logs_.size() > last ? logs_.size() - last : 0;
	for (std::size_t i = log_from; i < logs_.size(); ++i) {
		out << logs_[i].event;
		for (const auto &[key, value] : logs_[i].fields)
			out << " " << key << "=" << value;
		out << "\n";
	}
	out << "--- CMD\n" << cmd_->bindings_json(now_) << "\n";
	for (NodeId node = 1; node <= kMaars; ++node)
		out << "--- MAAR" << node << "\n" << maars_[static_cast<std::size_t>(node - 1)]->sessions_json(now_) << "\n";
	return out.str();
}

std::vector<Wire> Network::sent_since(std::size_t from) const
{
	return std::vector<Wire>(trace_.begin() + static_cast<std::ptrdiff_t>(std::min(from, trace_.size())),
				 trace_.end());
}

std::uint64_t Network::counter(NodeId node, const std::string &name)
{
	const CounterMap counters = node == kCmd ? cmd_->counters() : maar(node).counters();
	const auto it = counters.find(name);
	return it == counters.end() ? ~std::uint64_t{0} : it->second;
}

std::vector<std::string> Network::invariant_violations(const std::set<MacAddress> &departed)
{
	std::vector<std::string> violations = problems_;
	const auto prefix_owner = [&](const Ipv6Prefix &prefix) -> NodeId {
		for (NodeId node = 1; node <= kMaars; ++node) {
			const auto &pool = maar_configs_[static_cast<std::size_t>(node - 1)].prefix_pool;
			if (pool.contains(prefix.address) && prefix.length >= pool.length)
				return node;
		}
		return -1;
	};
	const std::string &realm = cmd_config_.domain.realm;

	// A12: the CMD dropped a previous MAAR that lost the node and told the
	// serving MAAR in a PBA that nobody retransmits; if that PBA is lost,
	// the serving MAAR keeps naming the MAAR until its next refresh. Such a
	// stale remote (its MAAR holds nothing for the node, the CMD does not
	// list it) is tolerated.
	const auto dropped_remote = [&](const MacAddress &node, NodeId anchor) {
		const MnId mn = mn_id_from_mac(node, cmd_config_.domain.realm);
		if (maar(anchor).session(mn))
			return false;
		const auto binding = cmd_->binding(mn);
		if (binding)
			for (const auto &element : binding->previous_maars)
				if (element.maar == address(anchor))
					return false;
		return true;
	};
	// dlifctl status's counts per serving MAAR, kept by the CMD as its
	// bindings change, are what counting its bindings gives.
	if (cmd_) {
		std::map<Ipv6Address, cmd::CmdCore::ServingCount> counted;
		for (const auto &binding : cmd_->bindings()) {
			auto &count = counted[binding.serving_maar];
			++count.bindings;
			if (binding.state == cmd::BindingState::registered)
				++count.registered;
		}
		if (cmd_->bindings_by_serving_maar() != counted)
			violations.push_back("the CMD's counts of bindings per serving MAAR differ from its bindings");
	}
	std::map<std::string, std::vector<NodeId>> anchored_at;
	std::map<std::string, std::vector<NodeId>> served_at;
	for (NodeId node = 1; node <= kMaars; ++node) {
		const Kernel &kernel = kernels_[static_cast<std::size_t>(node)];
		for (const auto &[key, entry] : kernel.entries) {
			const std::string where = "MAAR" + std::to_string(node) + " " + key + ": ";
			if (entry.dlif) {
				const InstallDlif *owner = kernel.dlif(*entry.dlif);
				if (owner && departed.contains(owner->mn))
					continue;
			}
			if (entry.dlif && !kernel.dlif(*entry.dlif))
				violations.push_back(where + "names a missing DLIF");
			if (entry.role == TunnelRole::anchor) {
				anchored_at[key].push_back(node);
				if (prefix_owner(entry.prefix) != node)
					violations.push_back(where + "anchored outside its pool's MAAR");
				const NodeId serving = entry.peer ? node_of(*entry.peer) : -1;
				if (serving < 1 || serving == node) {
					violations.push_back(where + "anchor towards a non-MAAR or itself");
					continue;
				}
				const InstallEntry *back = kernels_[static_cast<std::size_t>(serving)].entry(entry.prefix);
				if (!back || back->role != TunnelRole::serving || back->peer != address(node))
					violations.push_back(where + "serving MAAR" + std::to_string(serving) +
							     " has no serving entry back");
				if (back && back->role == TunnelRole::anchor)
					violations.push_back(where + "chained tunnel");
			} else if (entry.role == TunnelRole::serving) {
				served_at[key].push_back(node);
				const NodeId anchor = entry.peer ? node_of(*entry.peer) : -1;
				if (anchor == kCmd)
					continue;	// legacy: the LMA anchors it
				if (anchor < 1 || anchor == node) {
					violations.push_back(where + "serving towards a non-MAAR or itself");
					continue;
				}
				if (prefix_owner(entry.prefix) != anchor)
					violations.push_back(where + "peer does not own the prefix");
				const InstallDlif *mirrored = entry.dlif ? kernel.dlif(*entry.dlif) : nullptr;
				if (mirrored && dropped_remote(mirrored->mn, anchor))
					continue;
				const InstallEntry *back = kernels_[static_cast<std::size_t>(anchor)].entry(entry.prefix);
				if (!back || back->role != TunnelRole::anchor || back->peer != address(node))
					violations.push_back(where + "anchoring MAAR" + std::to_string(anchor) +
							     " does not anchor it back");
			}
		}
		for (const auto &item : kernel.dlifs) {
			// Not a structured binding: clang 14 cannot capture one.
			const std::string &name = item.first;
			const InstallDlif &dlif = item.second;
			const MnId mn = mn_id_from_mac(dlif.mn, realm);
			if (dlif.identity != derive_dlif_identity(dlif.anchoring_maar, mn))
				violations.push_back("MAAR" + std::to_string(node) + " " + name + ": identity differs from the domain's");
			const auto position = [&]() -> std::string {
				if (dlif.anchoring_maar == address(kCmd))
					return "lma";
				return "mar" + std::to_string(node_of(dlif.anchoring_maar));
			}();
			if (name.size() > 15 || name.find(position) == std::string::npos)
				violations.push_back("MAAR" + std::to_string(node) + " " + name + ": bad DLIF name");
		}
	}
	for (const auto &[key, nodes] : anchored_at)
		if (nodes.size() > 1)
			violations.push_back(key + " anchored at several MAARs");
	for (const auto &[key, nodes] : served_at)
		if (nodes.size() > 1)
			violations.push_back(key + " served at several MAARs");

	if (options_.direct) {
		check_database(departed, violations);
		return violations;
	}
	// The CMD's view against the MAARs'.
	const auto gone = [&](const MnId &mn) {
		for (const auto &node : departed)
			if (mn_id_from_mac(node, realm) == mn)
				return true;
		return false;
	};
	for (const auto &binding : cmd_->bindings()) {
		if (binding.lma || binding.state != cmd::BindingState::registered || gone(binding.mn))
			continue;
		const NodeId serving = node_of(binding.serving_maar);
		const auto session = maar(serving).session(binding.mn);
		const std::string who = binding.mn.nai + ": ";
		if (!session || session->state != maar::SessionState::serving) {
			violations.push_back(who + "serving MAAR" + std::to_string(serving) + " does not serve it");
			continue;
		}
		std::set<std::string> expected;
		for (const auto &element : binding.previous_maars) {
			const NodeId node = node_of(element.maar);
			const auto anchor = maar(node).session(binding.mn);
			if (!anchor || anchor->state != maar::SessionState::anchor ||
			    anchor->serving_maar != binding.serving_maar)
				violations.push_back(who + "MAAR" + std::to_string(node) + " is not its anchor towards MAAR" +
						     std::to_string(serving));
			for (const auto &prefix : element.prefixes)
				expected.insert(element.maar.to_string() + " " + prefix.to_string());
		}
		std::set<std::string> actual;
		for (const auto &anchor : session->anchors) {
			if (dropped_remote(session->mac, node_of(anchor.maar)))
				continue;
			for (const auto &prefix : anchor.prefixes)
				actual.insert(anchor.maar.to_string() + " " + prefix.to_string());
		}
		if (expected != actual)
			violations.push_back(who + "serving MAAR's previous MAARs differ from the CMD's");
	}
	for (NodeId node = 1; node <= kMaars; ++node)
		for (const auto &session : maar(node).sessions()) {
			if (gone(session.mn))
				continue;
			const auto binding = cmd_->binding(session.mn);
			if (session.state == maar::SessionState::serving && !session.legacy &&
			    (!binding || binding->serving_maar != address(node)))
				violations.push_back(session.mn.nai + ": MAAR" + std::to_string(node) +
						     " serves it but the CMD says otherwise");
			if (session.state == maar::SessionState::anchor) {
				bool listed = false;
				if (binding)
					for (const auto &element : binding->previous_maars)
						listed = listed || element.maar == address(node);
				if (!listed)
					violations.push_back(session.mn.nai + ": MAAR" + std::to_string(node) +
							     " anchors it but is not in the CMD's list");
			}
		}
	return violations;
}

// Direct mode: the database, the MAARs' sessions and the serving MAAR's
// view of the anchors all tell the same story.
void Network::check_database(const std::set<MacAddress> &departed, std::vector<std::string> &violations)
{
	const std::string &realm = maar_configs_.front().domain.realm;
	std::set<std::string> gone;
	for (const auto &node : departed)
		gone.insert(mn_id_from_mac(node, realm).nai);
	std::map<std::string, std::map<NodeId, maar::SessionView>> sessions;
	for (NodeId node = 1; node <= kMaars; ++node)
		for (auto &session : maar(node).sessions())
			if (!gone.contains(session.mn.nai))
				sessions[session.mn.nai].emplace(node, std::move(session));
	for (const auto &[mn, records] : database_) {
		if (gone.contains(mn))
			continue;
		for (const auto &[maar, record] : records) {
			const auto found = sessions.find(mn);
			if (found == sessions.end() || !found->second.contains(node_of(maar)))
				violations.push_back(mn + ": a record of MAAR" + std::to_string(node_of(maar)) +
						     ", which holds no session");
		}
	}
	for (const auto &[mn, at] : sessions) {
		std::optional<NodeId> serving;
		for (const auto &[node, session] : at) {
			const std::string who = mn + " at MAAR" + std::to_string(node) + ": ";
			const auto records = database_.find(mn);
			const SessionRecord *record = nullptr;
			if (records != database_.end())
				if (const auto it = records->second.find(address(node)); it != records->second.end())
					record = &it->second;
			if (options_.discovery == MaarConfig::Discovery::database) {
				if (!record)
					violations.push_back(who + "no record in the database");
				else if (record->prefixes != session.anchored_prefixes)
					violations.push_back(who + "the record's prefixes differ from the session's");
			}
			if (session.state == maar::SessionState::serving) {
				if (serving)
					violations.push_back(mn + ": served at MAAR" + std::to_string(*serving) +
							     " and MAAR" + std::to_string(node));
				serving = node;
			}
		}
		if (!serving)
			continue;
		std::set<std::string> expected;
		for (const auto &[node, session] : at) {
			if (node == *serving)
				continue;
			if (session.state != maar::SessionState::anchor || session.serving_maar != address(*serving))
				violations.push_back(mn + ": MAAR" + std::to_string(node) +
						     " is not its anchor towards MAAR" + std::to_string(*serving));
			for (const auto &prefix : session.anchored_prefixes)
				expected.insert(address(node).to_string() + " " + prefix.to_string());
		}
		std::set<std::string> actual;
		for (const auto &anchor : at.at(*serving).anchors)
			for (const auto &prefix : anchor.prefixes)
				actual.insert(anchor.maar.to_string() + " " + prefix.to_string());
		if (expected != actual)
			violations.push_back(mn + ": the serving MAAR's anchors differ from the anchors' sessions");
	}
}

// ------------------------------------------------------------------ traces

bool is_pbu(const Wire &wire)
{
	return std::holds_alternative<mh::ProxyBindingUpdate>(wire.message);
}

bool is_pba(const Wire &wire)
{
	return std::holds_alternative<mh::ProxyBindingAck>(wire.message);
}

const mh::ProxyBindingUpdate &pbu_of(const Wire &wire)
{
	return std::get<mh::ProxyBindingUpdate>(wire.message);
}

const mh::ProxyBindingAck &pba_of(const Wire &wire)
{
	return std::get<mh::ProxyBindingAck>(wire.message);
}

std::string describe(const std::vector<Wire> &wires)
{
	std::ostringstream out;
	const auto name = [](NodeId node) { return node == kCmd ? std::string("CMD") : "MAAR" + std::to_string(node); };
	for (const auto &wire : wires)
		out << name(wire.from) << " -> " << name(wire.to) << (wire.dropped ? " (dropped) " : " ")
		    << mh::to_string(wire.message) << "\n";
	return out.str();
}

} // namespace dlif::sim
