// SPDX-License-Identifier: GPL-2.0
#include "executor.hpp"

#include <algorithm>
#include <cerrno>
#include <vector>

#include "dlif/dmm/json.hpp"
#include "dlif/overloaded.hpp"

namespace dlif::daemon {

namespace {

std::string key_of(const Ipv6Prefix &prefix)
{
	return prefix.masked().to_string();
}

std::string addresses_text(const std::vector<KernelAddress> &addresses)
{
	std::string text;
	for (const auto &address : addresses)
		text += (text.empty() ? "" : ",") + address.address.to_string() + "/" + std::to_string(address.prefix_length);
	return text;
}

LogFields relay_fields(const dmm::InstallRelay &relay)
{
	return {{"prefix", relay.prefix.masked().to_string()},
		{"anchor", relay.anchor.remote.to_string()},
		{"anchor_device", relay.anchor.device},
		{"serving", relay.serving.remote.to_string()},
		{"serving_device", relay.serving.device},
		{"table", std::to_string(relay.table)},
		{"priority", std::to_string(relay.rule_priority)}};
}

LogFields rule_fields(const KernelRule &rule)
{
	return {{"priority", std::to_string(rule.priority)},
		{"source", rule.source.to_string()},
		{"iif", rule.iif},
		{"table", std::to_string(rule.table)}};
}

LogFields route_fields(const KernelDeviceRoute &route)
{
	return {{"prefix", route.prefix.to_string()}, {"device", route.device}, {"table", std::to_string(route.table)}};
}

// A device route that is not there (ESRCH), or whose device is gone and
// took it along (ENODEV), is deleted as asked.
bool route_delete_failed(const Status &status)
{
	return !status && status.error().code != ESRCH && status.error().code != ENODEV;
}

// Whether a relay still routes the default of `table` through `device`.
bool uses_uplink(const std::map<std::string, dmm::InstallRelay> &relays, std::uint32_t table,
		 const std::string &device)
{
	return std::any_of(relays.begin(), relays.end(), [&](const auto &item) {
		return item.second.table == table && item.second.anchor.device == device;
	});
}

LogFields entry_fields(const KernelEntry &entry)
{
	LogFields fields{{"prefix", entry.prefix.to_string()}, {"role", std::string(name(entry.role))}};
	if (entry.peer)
		fields.emplace_back("peer", entry.peer->to_string());
	if (entry.dlif)
		fields.emplace_back("dlif", *entry.dlif);
	return fields;
}

} // namespace

std::string_view name(dmm::TunnelRole role) noexcept
{
	return dmm::json::name(role);
}

Executor::Executor(Kernel *kernel, MhSender &mh, TimerHeap &timers, RaEngine &ra, Logger &log)
	: kernel_(kernel), mh_(mh), timers_(timers), ra_(ra), log_(log)
{
}

void Executor::apply(const dmm::Actions &actions, dmm::TimePoint now)
{
	// The last batch's departures first: batches stay in the cores' order.
	finish_departures(now);
	// A core installs a DLIF before the entries naming it and removes it
	// after them (MaarCore's order). On a shared netdevice a prefix the
	// batch installs an entry for need not be attached to its DLIF
	// first, nor one whose DLIF the batch removes be handed back to it:
	// the binding's removal takes the entry.
	if (shared_)
		for (const auto &action : actions) {
			if (const auto *remove = std::get_if<dmm::RemoveDlif>(&action))
				batch_.leaving.insert(remove->name);
			else if (const auto *entry = std::get_if<dmm::InstallEntry>(&action))
				batch_.entries.insert(key_of(entry->prefix));
		}
	const std::vector<bool> deferred = deferrable(actions);
	for (std::size_t i = 0; i < actions.size(); ++i) {
		if (deferred[i]) {
			const auto &name = std::get<dmm::RemoveDlif>(actions[i]).name;
			drop_retry("dlif " + name);
			departures_.push_back(name);
			continue;
		}
		apply(actions[i], now);
	}
	batch_ = {};
}

std::vector<bool> Executor::deferrable(const dmm::Actions &actions) const
{
	std::vector<bool> result(actions.size(), false);
	if (!defer_departures_)
		return result;
	// From the end: the DLIFs the rest of the batch names, directly or
	// by an entry of a prefix routed to one (shared netdevices).
	std::set<std::string> named;
	const auto name_owner = [&](const Ipv6Prefix &prefix) {
		if (const auto owner = prefix_owner_.find(key_of(prefix)); owner != prefix_owner_.end())
			named.insert(owner->second);
	};
	for (std::size_t i = actions.size(); i-- > 0;) {
		const dmm::Action &action = actions[i];
		if (const auto *remove = std::get_if<dmm::RemoveDlif>(&action)) {
			result[i] = !named.contains(remove->name);
			named.insert(remove->name);
		} else if (const auto *dlif = std::get_if<dmm::InstallDlif>(&action)) {
			named.insert(dlif->name);
		} else if (const auto *entry = std::get_if<dmm::InstallEntry>(&action)) {
			if (entry->dlif)
				named.insert(*entry->dlif);
			name_owner(entry->prefix);
		} else if (const auto *gone = std::get_if<dmm::RemoveEntry>(&action)) {
			name_owner(gone->prefix);
		}
	}
	return result;
}

void Executor::finish_departures(dmm::TimePoint now)
{
	if (departures_.empty())
		return;
	std::vector<std::string> names;
	names.swap(departures_);
	for (auto &name : names)
		perform(dmm::RemoveDlif{std::move(name)}, now, 0);
}

void Executor::apply(const dmm::Action &action, dmm::TimePoint now)
{
	std::visit(Overloaded{
			   [&](const dmm::SendMh &send) { mh_.send(send.destination, send.message); },
			   [&](const dmm::StartTimer &timer) { timers_.start(timer.id, now + timer.after); },
			   [&](const dmm::StopTimer &timer) { timers_.stop(timer.id); },
			   [&](const dmm::InstallDlif &) { perform(action, now, 0); },
			   [&](const dmm::RemoveDlif &) { perform(action, now, 0); },
			   [&](const dmm::InstallEntry &) { perform(action, now, 0); },
			   [&](const dmm::RemoveEntry &) { perform(action, now, 0); },
			   [&](const dmm::InstallRelay &) { perform(action, now, 0); },
			   [&](const dmm::RemoveRelay &) { perform(action, now, 0); },
			   [&](const dmm::AdvertiseNow &advertise) { ra_.advertise_now(advertise.dlif, now); },
			   [&](const dmm::StateChanged &changed) {
				   if (state_changed_)
					   state_changed_(changed.mn);
			   },
			   [&](const dmm::Log &entry) { log_.log(entry); },
			   [&](const dmm::LookupSessions &lookup) {
				   if (lookup_)
					   lookup_(lookup);
				   else
					   log_.error("session-database.missing", {{"mn", lookup.mn}});
			   },
			   [&](const dmm::PublishSession &publish) {
				   if (publish_)
					   publish_(publish);
				   else
					   log_.error("session-database.missing", {{"mn", publish.mn}});
			   },
		   },
		   action);
}

namespace {

// The object a kernel action is about: a newer action for it replaces a
// pending retry.
std::string object_of(const dmm::Action &action)
{
	if (const auto *dlif = std::get_if<dmm::InstallDlif>(&action))
		return "dlif " + dlif->name;
	if (const auto *dlif = std::get_if<dmm::RemoveDlif>(&action))
		return "dlif " + dlif->name;
	if (const auto *entry = std::get_if<dmm::InstallEntry>(&action))
		return "entry " + entry->prefix.masked().to_string();
	if (const auto *entry = std::get_if<dmm::RemoveEntry>(&action))
		return "entry " + entry->prefix.masked().to_string();
	if (const auto *relay = std::get_if<dmm::InstallRelay>(&action))
		return "relay " + relay->prefix.masked().to_string();
	if (const auto *relay = std::get_if<dmm::RemoveRelay>(&action))
		return "relay " + relay->prefix.masked().to_string();
	return {};
}

} // namespace

bool is_kernel_action(const dmm::Action &action)
{
	return std::holds_alternative<dmm::InstallDlif>(action) || std::holds_alternative<dmm::RemoveDlif>(action) ||
	       std::holds_alternative<dmm::InstallEntry>(action) || std::holds_alternative<dmm::RemoveEntry>(action) ||
	       std::holds_alternative<dmm::InstallRelay>(action) || std::holds_alternative<dmm::RemoveRelay>(action);
}

void Executor::perform(const dmm::Action &action, dmm::TimePoint now, unsigned attempts)
{
	const std::string object = object_of(action);
	drop_retry(object);
	bool done = true;
	if (const auto *dlif = std::get_if<dmm::InstallDlif>(&action))
		done = install_dlif(*dlif, now);
	else if (const auto *remove = std::get_if<dmm::RemoveDlif>(&action))
		done = remove_dlif(remove->name, now);
	else if (const auto *entry = std::get_if<dmm::InstallEntry>(&action))
		done = install_entry(*entry);
	else if (const auto *gone = std::get_if<dmm::RemoveEntry>(&action))
		done = remove_entry(gone->prefix);
	else if (const auto *relay = std::get_if<dmm::InstallRelay>(&action))
		done = install_relay(*relay);
	else if (const auto *unrelay = std::get_if<dmm::RemoveRelay>(&action))
		done = remove_relay(unrelay->prefix);
	if (done) {
		if (attempts > 0) {
			count("kernel_retries_succeeded");
			log_.notice("kernel.retry.succeeded", {{"object", object}, {"attempts", std::to_string(attempts + 1)}});
		}
		return;
	}
	// No kernel for this role: nothing will ever take it.
	if (kernel_ == nullptr)
		return;
	const auto backoff = std::min<dmm::Duration>(kMaxRetry, kFirstRetry * (1LL << std::min(attempts, 6u)));
	retries_.insert_or_assign(object, Retry{action, attempts + 1, now + backoff});
	retry_schedule_.emplace(now + backoff, object);
	log_.debug("kernel.retry.scheduled", {{"object", object},
					      {"attempts", std::to_string(attempts + 1)},
					      {"in", std::to_string(backoff.count()) + "ms"}});
}

void Executor::drop_retry(const std::string &object)
{
	const auto it = retries_.find(object);
	if (it == retries_.end())
		return;
	retry_schedule_.erase({it->second.due, object});
	retries_.erase(it);
}

std::optional<dmm::TimePoint> Executor::next_retry() const
{
	if (retry_schedule_.empty())
		return std::nullopt;
	return retry_schedule_.begin()->first;
}

void Executor::retry_due(dmm::TimePoint now)
{
	std::vector<Retry> due;
	while (!retry_schedule_.empty() && retry_schedule_.begin()->first <= now) {
		auto node = retries_.extract(retry_schedule_.begin()->second);
		retry_schedule_.erase(retry_schedule_.begin());
		due.push_back(std::move(node.mapped()));
	}
	for (const auto &retry : due) {
		// An entry whose DLIF is no longer wanted would fail for ever.
		if (const auto *entry = std::get_if<dmm::InstallEntry>(&retry.action);
		    entry && entry->dlif && !dlifs_.contains(*entry->dlif) && !retries_.contains("dlif " + *entry->dlif)) {
			log_.debug("kernel.retry.dropped", {{"object", object_of(retry.action)}, {"dlif", *entry->dlif}});
			continue;
		}
		count("kernel_retries");
		perform(retry.action, now, retry.attempts);
	}
	if (shared_)
		shared_->expire(now);
}

std::optional<dmm::TimePoint> Executor::next_expiry() const
{
	return shared_ ? shared_->next_expiry() : std::nullopt;
}

bool Executor::kernel_failed(std::string_view event, const nl::Error &error, LogFields fields)
{
	count("netlink_errors");
	fields.emplace_back("error", error.describe());
	fields.emplace_back("errno", std::to_string(error.code));
	log_.error(event, fields);
	return true;
}

void Executor::untrack(const std::string &name)
{
	auto it = dlifs_.find(name);
	if (it == dlifs_.end())
		return;
	auto node = nodes_.find({it->second.lower, it->second.mn});
	if (node != nodes_.end())
		nodes_.erase(node);
	if (auto names = dlif_names_by_mn_.find(it->second.mn); names != dlif_names_by_mn_.end()) {
		names->second.erase(name);
		if (names->second.empty())
			dlif_names_by_mn_.erase(names);
	}
	dlifs_.erase(it);
}

void Executor::track(const dmm::InstallDlif &dlif)
{
	untrack(dlif.name);
	nodes_.insert({dlif.lower, dlif.mn});
	dlif_names_by_mn_[dlif.mn].insert(dlif.name);
	dlifs_[dlif.name] = dlif;
}

std::set<std::string> Executor::dlifs_of(const MacAddress &mn) const
{
	const auto names = dlif_names_by_mn_.find(mn);
	return names == dlif_names_by_mn_.end() ? std::set<std::string>{} : names->second;
}

std::set<std::string> Executor::entry_keys_of(const std::string &dlif) const
{
	const auto keys = entry_keys_by_dlif_.find(dlif);
	return keys == entry_keys_by_dlif_.end() ? std::set<std::string>{} : keys->second;
}

void Executor::forget_dlif(const std::string &name)
{
	untrack(name);
	// The kernel deletes a DLIF's entries with it.
	const auto named = entry_keys_by_dlif_.find(name);
	if (named == entry_keys_by_dlif_.end())
		return;
	for (const auto &key : named->second)
		entries_.erase(key);
	entry_keys_by_dlif_.erase(named);
}

void Executor::remember_entry(const KernelEntry &entry)
{
	const std::string key = key_of(entry.prefix);
	forget_entry(key);
	if (entry.dlif)
		entry_keys_by_dlif_[*entry.dlif].insert(key);
	entries_[key] = entry;
}

void Executor::forget_entry(const std::string &key)
{
	const auto it = entries_.find(key);
	if (it == entries_.end())
		return;
	if (it->second.dlif) {
		const auto named = entry_keys_by_dlif_.find(*it->second.dlif);
		if (named != entry_keys_by_dlif_.end()) {
			named->second.erase(key);
			if (named->second.empty())
				entry_keys_by_dlif_.erase(named);
		}
	}
	entries_.erase(it);
}

Result<Executor::DlifSeen> Executor::seen(const std::string &name)
{
	if (const auto it = restart_view_.find(name); it != restart_view_.end()) {
		DlifSeen found = std::move(it->second);
		restart_view_.erase(it);
		return found;
	}
	auto link = kernel_->link(name);
	if (!link)
		return link.error();
	DlifSeen found{std::move(*link), {}};
	if (found.link && found.link->is_dlif()) {
		auto listed = kernel_->addresses(name);
		if (!listed)
			return listed.error();
		found.addresses = std::move(*listed);
	}
	return found;
}

bool Executor::install_dlif(const dmm::InstallDlif &dlif, dmm::TimePoint now)
{
	const LogFields where{{"dlif", dlif.name}, {"lower", dlif.lower}, {"mn", dlif.mn.to_string()}};
	if (kernel_ == nullptr) {
		count("kernel_unavailable");
		log_.error("dlif.install.failed", {{"dlif", dlif.name}, {"error", "no kernel interface for this role"}});
		return false;
	}
	if (shared_)
		return install_shared_dlif(dlif, now);
	auto current = seen(dlif.name);
	if (!current) {
		kernel_failed("dlif.lookup.failed", current.error(), where);
		return false;
	}
	const DlifPlan plan = plan_dlif(dlif, current->link, current->addresses);
	if (plan.conflict) {
		count("dlif_conflicts");
		LogFields fields = where;
		fields.emplace_back("error", *plan.conflict);
		log_.error("dlif.install.refused", fields);
		return false;
	}
	if (plan.recreate) {
		forget_dlif(dlif.name);
		if (auto status = kernel_->delete_dlif(dlif.name); !status && status.error().code != ENODEV) {
			kernel_failed("dlif.delete.failed", status.error(), where);
			return false;
		}
		log_.notice("dlif.recreated", where);
	}
	if (plan.create || plan.recreate) {
		const DlifCreate create{dlif.name, dlif.lower, dlif.identity.mac, dlif.mn, dlif.anchoring_maar};
		if (auto status = kernel_->create_dlif(create); !status) {
			kernel_failed("dlif.create.failed", status.error(), where);
			return false;
		}
		count("dlifs_created");
	}
	if (!plan.update.empty()) {
		if (auto status = kernel_->update_dlif(dlif.name, plan.update); !status) {
			kernel_failed("dlif.update.failed", status.error(), where);
			return false;
		}
		count("dlifs_updated");
	}
	// From here the DLIF exists: what fails is noted, the rest still done,
	// and the whole install tried again (it is idempotent).
	bool complete = true;
	if (plan.configure) {
		if (auto status = kernel_->configure_ipv6(dlif.name); !status)
			complete = !kernel_failed("dlif.ipv6.failed", status.error(), where);
	}
	if (plan.bring_up) {
		if (auto status = kernel_->set_up(dlif.name); !status)
			complete = !kernel_failed("dlif.up.failed", status.error(), where);
	}
	if (plan.neighbour)
		if (auto status = kernel_->set_neighbour(dlif.name, *plan.neighbour); !status)
			complete = !kernel_failed("dlif.neighbour.failed", status.error(), where);
	if (plan.stale_neighbour)
		if (auto status = kernel_->delete_neighbour(dlif.name, *plan.stale_neighbour);
		    !status && status.error().code != ENOENT)
			complete = !kernel_failed("dlif.neighbour.failed", status.error(), where);
	for (const auto &route : plan.add_routes)
		if (auto status = kernel_->set_route(dlif.name, route); !status) {
			LogFields fields = where;
			fields.emplace_back("prefix", route.prefix.to_string());
			complete = !kernel_failed("dlif.route.add.failed", status.error(), fields);
		}
	for (const auto &route : plan.remove_routes)
		if (auto status = kernel_->delete_route(dlif.name, route); !status && status.error().code != ESRCH)
			complete = !kernel_failed("dlif.route.delete.failed", status.error(), where);
	for (const auto &address : plan.remove_addresses)
		if (auto status = kernel_->delete_address(dlif.name, address); !status && status.error().code != EADDRNOTAVAIL)
			complete = !kernel_failed("dlif.address.delete.failed", status.error(), where);
	for (const auto &address : plan.add_addresses)
		if (auto status = kernel_->add_address(dlif.name, address); !status) {
			LogFields fields = where;
			fields.emplace_back("address", address.address.to_string() + "/" + std::to_string(address.prefix_length));
			complete = !kernel_failed("dlif.address.add.failed", status.error(), fields);
		}

	const auto previous = dlifs_.find(dlif.name);
	const bool advertise_changed = previous != dlifs_.end() && previous->second.advertise != dlif.advertise;
	track(dlif);
	ra_.install(dlif, now);

	LogFields fields = where;
	fields.emplace_back("mac", dlif.identity.mac.to_string());
	fields.emplace_back("maar", dlif.anchoring_maar.to_string());
	fields.emplace_back("advertise", dlif.advertise ? "yes" : "no");
	if (!plan.add_addresses.empty())
		fields.emplace_back("added", addresses_text(plan.add_addresses));
	if (!plan.remove_addresses.empty())
		fields.emplace_back("removed", addresses_text(plan.remove_addresses));
	if (plan.create || plan.recreate)
		log_.info("dlif.created", fields);
	else if (plan.changes_nothing() && advertise_changed)
		log_.info(dlif.advertise ? "dlif.advertising" : "dlif.silent", fields);
	else if (plan.changes_nothing())
		log_.debug("dlif.unchanged", fields);
	else
		log_.info("dlif.updated", fields);
	return complete;
}

bool Executor::remove_dlif(const std::string &name, dmm::TimePoint now)
{
	restart_view_.erase(name);
	if (const dmm::InstallDlif *dlif = ra_.find(name); dlif && dlif->advertise && farewell_)
		farewell_(*dlif);
	ra_.remove(name);
	if (shared_)
		return remove_shared_dlif(name, now);
	forget_dlif(name);
	if (kernel_ == nullptr)
		return true;
	if (auto status = kernel_->delete_dlif(name); !status) {
		if (status.error().code == ENODEV) {
			log_.debug("dlif.already.gone", {{"dlif", name}});
			return true;
		}
		kernel_failed("dlif.delete.failed", status.error(), {{"dlif", name}});
		return false;
	}
	count("dlifs_removed");
	log_.info("dlif.removed", {{"dlif", name}});
	return true;
}

void Executor::share_dlifs(dmm::Duration linger)
{
	if (kernel_ == nullptr || shared_)
		return;
	shared_.emplace(
		*kernel_, log_, counters_,
		[this](std::string_view event, const nl::Error &error, LogFields fields) {
			kernel_failed(event, error, std::move(fields));
		},
		linger);
}

std::optional<Executor::Link> Executor::link_of(const std::string &dlif) const
{
	if (!dlifs_.contains(dlif))
		return std::nullopt;
	if (!shared_)
		return Link{dlif, std::nullopt};
	const SharedDlifs::Placement *placement = shared_->placement(dlif);
	if (placement == nullptr)
		return std::nullopt;
	return Link{placement->device, placement->mn};
}

std::optional<MacAddress> Executor::node_at(const std::string &device, const Ipv6Address &address) const
{
	if (!shared_)
		return std::nullopt;
	for (const auto length : prefix_lengths_) {
		const auto prefix = Ipv6Prefix::make(address, length);
		if (!prefix)
			continue;
		const auto owner = prefix_owner_.find(key_of(*prefix));
		if (owner == prefix_owner_.end())
			continue;
		const SharedDlifs::Placement *placement = shared_->placement(owner->second);
		if (placement != nullptr && placement->device == device)
			return placement->mn;
	}
	return std::nullopt;
}

bool Executor::install_shared_dlif(const dmm::InstallDlif &dlif, dmm::TimePoint now)
{
	const LogFields where{{"dlif", dlif.name}, {"lower", dlif.lower}, {"mn", dlif.mn.to_string()}};
	bool entries_lost = false;
	bool complete = shared_->install(dlif, now, entries_lost);
	const SharedDlifs::Placement *placement = shared_->placement(dlif.name);
	if (placement == nullptr)
		return false;	// no netdevice for it yet: tried again
	const std::string device = placement->device;

	const auto previous = dlifs_.find(dlif.name);
	const bool created = previous == dlifs_.end();
	const bool advertise_changed = !created && previous->second.advertise != dlif.advertise;
	if (!created)
		for (const auto &prefix : previous->second.prefixes) {
			if (std::find(dlif.prefixes.begin(), dlif.prefixes.end(), prefix) != dlif.prefixes.end())
				continue;
			const std::string key = key_of(prefix);
			prefix_owner_.erase(key);
			if (attached_keys_.contains(key)) {
				attached_keys_.erase(key);
				forget_entry(key);
				if (auto status = kernel_->remove_entry(prefix.masked()); !status && status.error().code != ENOENT)
					complete = !kernel_failed("entry.remove.failed", status.error(), where);
			}
		}
	// track() keeps the entries naming the DLIF: only its DLIF record is
	// replaced.
	track(dlif);
	ra_.install(dlif, now);
	for (const auto &prefix : dlif.prefixes) {
		prefix_owner_[key_of(prefix)] = dlif.name;
		prefix_lengths_.insert(prefix.length);
	}
	if (entries_lost)
		// The kernel took the node's entries with its old binding.
		for (const auto &key : entry_keys_of(dlif.name)) {
			const KernelEntry entry = entries_.at(key);
			if (!put_entry(entry))
				complete = false;
		}
	for (const auto &prefix : dlif.prefixes) {
		const std::string key = key_of(prefix);
		if (!entries_.contains(key) && !batch_.entries.contains(key) && !attach_prefix(prefix, dlif.name))
			complete = false;
	}

	LogFields fields = where;
	fields.emplace_back("device", device);
	fields.emplace_back("mac", dlif.identity.mac.to_string());
	fields.emplace_back("maar", dlif.anchoring_maar.to_string());
	fields.emplace_back("advertise", dlif.advertise ? "yes" : "no");
	if (created)
		log_.info("dlif.bound", fields);
	else if (advertise_changed)
		log_.info(dlif.advertise ? "dlif.advertising" : "dlif.silent", fields);
	else
		log_.debug("dlif.updated", fields);
	return complete;
}

bool Executor::remove_shared_dlif(const std::string &name, dmm::TimePoint now)
{
	if (const auto it = dlifs_.find(name); it != dlifs_.end())
		for (const auto &prefix : it->second.prefixes) {
			const std::string key = key_of(prefix);
			if (const auto owner = prefix_owner_.find(key); owner != prefix_owner_.end() && owner->second == name)
				prefix_owner_.erase(owner);
			attached_keys_.erase(key);
		}
	// The kernel removes the node's entries on the netdevice with its
	// binding.
	forget_dlif(name);
	if (!shared_->remove(name, now))
		return false;
	log_.info("dlif.unbound", {{"dlif", name}});
	return true;
}

bool Executor::install_entry(const dmm::InstallEntry &entry)
{
	const KernelEntry wanted = to_kernel_entry(entry);
	const std::string key = key_of(wanted.prefix);
	if (auto it = entries_.find(key); it != entries_.end() && it->second == wanted) {
		// Replacing an identical entry would still reset its counters.
		log_.debug("entry.unchanged", entry_fields(wanted));
		return true;
	}
	if (kernel_ == nullptr) {
		count("kernel_unavailable");
		log_.error("entry.install.failed", {{"prefix", wanted.prefix.to_string()}, {"error", "no kernel interface for this role"}});
		return false;
	}
	if (!put_entry(wanted))
		return false;
	if (wanted.role != dmm::TunnelRole::attached)
		attached_keys_.erase(key);
	count("entries_installed");
	log_.info("entry.installed", entry_fields(wanted));
	return true;
}

Result<KernelEntry> Executor::kernel_form(const KernelEntry &entry) const
{
	if (!shared_ || !entry.dlif)
		return entry;
	const SharedDlifs::Placement *placement = shared_->placement(*entry.dlif);
	if (placement == nullptr)
		return nl::make_error(ENODEV, "DLIF " + *entry.dlif + " is not installed");
	KernelEntry kernel = entry;
	kernel.dlif = placement->device;
	kernel.mn = placement->mn;
	return kernel;
}

bool Executor::put_entry(const KernelEntry &entry)
{
	auto kernel = kernel_form(entry);
	auto status = kernel ? kernel_->replace_entry(*kernel) : Status(kernel.error());
	if (!status) {
		kernel_failed("entry.install.failed", status.error(), entry_fields(entry));
		return false;
	}
	remember_entry(entry);
	return true;
}

bool Executor::attach_prefix(const Ipv6Prefix &prefix, const std::string &dlif)
{
	const KernelEntry attached{prefix.masked(), dmm::TunnelRole::attached, std::nullopt, dlif, std::nullopt};
	const std::string key = key_of(prefix);
	if (auto it = entries_.find(key); it != entries_.end() && it->second == attached)
		return true;
	if (!put_entry(attached))
		return false;
	attached_keys_.insert(key);
	count("entries_attached");
	log_.debug("entry.attached", entry_fields(attached));
	return true;
}

bool Executor::remove_entry(const Ipv6Prefix &prefix)
{
	if (shared_) {
		// A prefix still routed to its node's shared netdevice keeps an
		// entry naming the node: the core's goes, an attached one
		// replaces it (ENTRY_SET, no gap).
		const auto owner = prefix_owner_.find(key_of(prefix));
		if (owner != prefix_owner_.end() && dlifs_.contains(owner->second)) {
			if (batch_.leaving.contains(owner->second)) {
				// The DLIF goes later in this batch and takes the
				// entry with its binding (then, or when its removal
				// is retried; an install meanwhile attaches the
				// prefix again).
				forget_entry(key_of(prefix));
				attached_keys_.erase(key_of(prefix));
				count("entries_removed");
				log_.info("entry.removed",
					  {{"prefix", prefix.masked().to_string()}, {"with", owner->second}});
				return true;
			}
			if (!attach_prefix(prefix, owner->second))
				return false;
			count("entries_removed");
			log_.info("entry.removed", {{"prefix", prefix.masked().to_string()}, {"attached", owner->second}});
			return true;
		}
	}
	forget_entry(key_of(prefix));
	attached_keys_.erase(key_of(prefix));
	if (kernel_ == nullptr)
		return true;
	if (auto status = kernel_->remove_entry(prefix.masked()); !status) {
		if (status.error().code == ENOENT) {
			log_.debug("entry.already.gone", {{"prefix", prefix.masked().to_string()}});
			return true;
		}
		kernel_failed("entry.remove.failed", status.error(), {{"prefix", prefix.masked().to_string()}});
		return false;
	}
	count("entries_removed");
	log_.info("entry.removed", {{"prefix", prefix.masked().to_string()}});
	return true;
}

std::size_t Executor::relay_tunnel_users(const std::string &device) const
{
	return static_cast<std::size_t>(std::count_if(relays_.begin(), relays_.end(), [&](const auto &item) {
		return item.second.anchor.device == device || item.second.serving.device == device;
	}));
}

// A tunnel of that name is reused when it is an ip6tnl with the relay's
// addresses; anything else with the name is the operator's (or another
// program's) and is neither changed nor deleted: the relay waits, retried,
// until the name is free.
bool Executor::ensure_relay_tunnel(const dmm::InstallRelay &relay, const dmm::RelayTunnel &tunnel)
{
	LogFields where = relay_fields(relay);
	where.emplace_back("device", tunnel.device);
	auto current = kernel_->link(tunnel.device);
	if (!current) {
		kernel_failed("relay.tunnel.lookup.failed", current.error(), where);
		return false;
	}
	if (!*current) {
		if (auto status = kernel_->create_tunnel(KernelTunnel{tunnel.device, relay.local, tunnel.remote}); !status) {
			kernel_failed("relay.tunnel.create.failed", status.error(), where);
			return false;
		}
		count("relay_tunnels_created");
		log_.info("relay.tunnel.created", {{"device", tunnel.device},
						   {"local", relay.local.to_string()},
						   {"remote", tunnel.remote.to_string()}});
		return true;
	}
	const KernelLink &link = **current;
	std::optional<std::string> conflict;
	if (!link.is_ip6tnl())
		conflict = "a " + (link.kind.empty() ? std::string("non-ip6tnl") : link.kind) + " link named " +
			   tunnel.device + " exists";
	else if (link.tunnel_local != relay.local || link.tunnel_remote != tunnel.remote)
		conflict = "the ip6tnl link " + tunnel.device + " runs from " +
			   (link.tunnel_local ? link.tunnel_local->to_string() : std::string("any")) + " to " +
			   (link.tunnel_remote ? link.tunnel_remote->to_string() : std::string("any")) + ", not from " +
			   relay.local.to_string() + " to " + tunnel.remote.to_string();
	if (conflict) {
		count("relay_conflicts");
		where.emplace_back("error", *conflict);
		log_.error("relay.install.refused", where);
		return false;
	}
	if (!link.up) {
		if (auto status = kernel_->set_up(tunnel.device); !status) {
			kernel_failed("relay.tunnel.up.failed", status.error(), where);
			return false;
		}
	}
	return true;
}

// In the order that keeps traffic flowing when a relay is replaced: the
// tunnels, the uplink table's default route, the downlink route (replaced
// in place), the old rule out and the new one in, then what the previous
// version of the relay used and nothing uses any more.
bool Executor::install_relay(const dmm::InstallRelay &relay)
{
	const LogFields where = relay_fields(relay);
	if (kernel_ == nullptr) {
		count("kernel_unavailable");
		log_.error("relay.install.failed", {{"prefix", relay.prefix.masked().to_string()},
						    {"error", "no kernel interface for this role"}});
		return false;
	}
	if (!ensure_relay_tunnel(relay, relay.anchor) || !ensure_relay_tunnel(relay, relay.serving))
		return false;
	const std::string key = key_of(relay.prefix);
	std::optional<dmm::InstallRelay> previous;
	if (const auto it = relays_.find(key); it != relays_.end())
		previous = it->second;

	bool complete = true;
	for (const auto &route : {relay_uplink_route(relay), relay_downlink_route(relay)})
		if (auto status = kernel_->set_device_route(route); !status) {
			LogFields fields = where;
			fields.emplace_back("route", route.prefix.to_string());
			complete = !kernel_failed("relay.route.failed", status.error(), fields);
		}
	const KernelRule rule = relay_rule(relay);
	if (previous && relay_rule(*previous) != rule) {
		// Any rule from the prefix at the old priority: only one is ours.
		const KernelRule old{previous->rule_priority, rule.source, {}, 0};
		if (auto status = kernel_->delete_rule(old); !status && status.error().code != ENOENT)
			complete = !kernel_failed("relay.rule.delete.failed", status.error(), rule_fields(old));
	}
	if (auto status = kernel_->add_rule(rule); !status && status.error().code != EEXIST)
		complete = !kernel_failed("relay.rule.failed", status.error(), rule_fields(rule));

	// Recorded even when a step failed: the retry, or a RemoveRelay,
	// then knows what this relay may have left in the kernel.
	relays_[key] = relay;
	unused_relay_tunnels_.erase(relay.anchor.device);
	unused_relay_tunnels_.erase(relay.serving.device);
	if (previous && !release_relay_tunnels(*previous))
		complete = false;
	count("relays_installed");
	if (previous && *previous == relay)
		log_.debug("relay.unchanged", where);
	else
		log_.info(previous ? "relay.replaced" : "relay.installed", where);
	return complete;
}

// The tunnels `gone` used that no relay uses now go (with their routes);
// an anchor tunnel that stays loses the default route of gone's table
// when no relay routes that table through it any more.
bool Executor::release_relay_tunnels(const dmm::InstallRelay &gone)
{
	bool complete = true;
	for (const auto *device : {&gone.anchor.device, &gone.serving.device})
		if (relay_tunnel_users(*device) == 0)
			unused_relay_tunnels_.insert(*device);
	if (relay_tunnel_users(gone.anchor.device) > 0 && !uses_uplink(relays_, gone.table, gone.anchor.device)) {
		const KernelDeviceRoute route = relay_uplink_route(gone);
		if (auto status = kernel_->delete_device_route(route); route_delete_failed(status))
			complete = !kernel_failed("relay.route.delete.failed", status.error(), route_fields(route));
	}
	return delete_unused_relay_tunnels() && complete;
}

bool Executor::delete_unused_relay_tunnels()
{
	bool complete = true;
	for (auto it = unused_relay_tunnels_.begin(); it != unused_relay_tunnels_.end();) {
		const std::string device = *it;
		if (relay_tunnel_users(device) > 0) {
			it = unused_relay_tunnels_.erase(it);
			continue;
		}
		if (auto status = kernel_->delete_tunnel(device); !status && status.error().code != ENODEV) {
			complete = !kernel_failed("relay.tunnel.delete.failed", status.error(), {{"device", device}});
			++it;
			continue;
		}
		count("relay_tunnels_removed");
		log_.info("relay.tunnel.removed", {{"device", device}});
		it = unused_relay_tunnels_.erase(it);
	}
	return complete;
}

bool Executor::remove_relay(const Ipv6Prefix &prefix)
{
	const std::string key = key_of(prefix);
	if (kernel_ == nullptr) {
		relays_.erase(key);
		return true;
	}
	const auto it = relays_.find(key);
	if (it == relays_.end())
		return remove_unrecorded_relay(prefix);
	const dmm::InstallRelay relay = it->second;
	bool complete = true;
	const KernelRule rule = relay_rule(relay);
	if (auto status = kernel_->delete_rule(rule); !status && status.error().code != ENOENT)
		complete = !kernel_failed("relay.rule.delete.failed", status.error(), rule_fields(rule));
	const KernelDeviceRoute route = relay_downlink_route(relay);
	if (auto status = kernel_->delete_device_route(route); route_delete_failed(status))
		complete = !kernel_failed("relay.route.delete.failed", status.error(), route_fields(route));
	// Kept for the retry: it still knows the rule's priority and devices.
	if (!complete)
		return false;
	relays_.erase(it);
	count("relays_removed");
	log_.info("relay.removed", relay_fields(relay));
	return release_relay_tunnels(relay);
}

// A RemoveRelay for a prefix this executor has no record of (a restarted
// daemon that did not converge, a retry after a tunnel's deletion failed):
// the relay rules from the prefix say which serving tunnel its route goes
// through. Tunnels are left to converge_relays(): without the full list,
// whether another relay still needs one is not known here.
bool Executor::remove_unrecorded_relay(const Ipv6Prefix &prefix)
{
	bool complete = delete_unused_relay_tunnels();
	auto rules = kernel_->rules();
	if (!rules) {
		kernel_failed("relay.rules.dump.failed", rules.error(), {{"prefix", prefix.masked().to_string()}});
		return false;
	}
	for (const auto &rule : *rules) {
		if (rule.source != prefix || !is_relay_device_name(rule.iif))
			continue;
		if (auto status = kernel_->delete_rule(rule); !status && status.error().code != ENOENT)
			complete = !kernel_failed("relay.rule.delete.failed", status.error(), rule_fields(rule));
		const KernelDeviceRoute route{prefix.masked(), rule.iif, KernelDeviceRoute::kMainTable};
		if (auto status = kernel_->delete_device_route(route); route_delete_failed(status))
			complete = !kernel_failed("relay.route.delete.failed", status.error(), route_fields(route));
		log_.info("relay.removed", {{"prefix", prefix.masked().to_string()}, {"serving_device", rule.iif}});
	}
	return complete;
}

RelayPlan Executor::converge_relays(const std::vector<dmm::InstallRelay> &wanted, dmm::TimePoint now)
{
	RelayPlan plan;
	if (kernel_ != nullptr) {
		auto tunnels = kernel_->tunnels();
		auto rules = kernel_->rules();
		if (!tunnels)
			kernel_failed("relay.converge.dump.failed", tunnels.error(), {{"what", "tunnels"}});
		if (!rules)
			kernel_failed("relay.converge.dump.failed", rules.error(), {{"what", "rules"}});
		if (tunnels && rules) {
			std::vector<KernelDeviceRoute> routes;
			for (const auto &link : *tunnels) {
				if (!link.is_ip6tnl() || !is_relay_device_name(link.name))
					continue;
				auto through = kernel_->device_routes(link.name);
				if (!through) {
					kernel_failed("relay.converge.dump.failed", through.error(), {{"what", "routes"}, {"device", link.name}});
					continue;
				}
				routes.insert(routes.end(), through->begin(), through->end());
			}
			plan = plan_relays(wanted, *tunnels, *rules, routes);
			for (const auto &rule : plan.remove_rules) {
				if (auto status = kernel_->delete_rule(rule); !status && status.error().code != ENOENT)
					kernel_failed("relay.converge.rule.failed", status.error(), rule_fields(rule));
				else
					log_.notice("relay.converge.rule.removed", rule_fields(rule));
			}
			for (const auto &route : plan.remove_routes) {
				if (auto status = kernel_->delete_device_route(route); route_delete_failed(status))
					kernel_failed("relay.converge.route.failed", status.error(), route_fields(route));
				else
					log_.notice("relay.converge.route.removed", route_fields(route));
			}
			for (const auto &device : plan.remove_tunnels) {
				if (auto status = kernel_->delete_tunnel(device); !status && status.error().code != ENODEV)
					kernel_failed("relay.converge.tunnel.failed", status.error(), {{"device", device}});
				else
					log_.notice("relay.converge.tunnel.removed", {{"device", device}});
			}
		}
	}
	// What was known is replaced by the list: the installs below then
	// compare with nothing, and a pending retry of an older version of a
	// relay does not undo them.
	relays_.clear();
	unused_relay_tunnels_.clear();
	std::vector<std::string> relay_retries;
	for (const auto &[object, retry] : retries_)
		if (object.starts_with("relay "))
			relay_retries.push_back(object);
	for (const auto &object : relay_retries)
		drop_retry(object);
	for (const auto &relay : wanted)
		perform(relay, now, 0);
	log_.info("relay.converge.done", {{"relays", std::to_string(wanted.size())},
					  {"rules_removed", std::to_string(plan.remove_rules.size())},
					  {"routes_removed", std::to_string(plan.remove_routes.size())},
					  {"tunnels_removed", std::to_string(plan.remove_tunnels.size())}});
	return plan;
}

bool Executor::has_dlif(const std::string &lower, const MacAddress &mn) const
{
	return nodes_.contains({lower, mn});
}

ReconcilePlan Executor::reconcile(const dmm::Actions &reissued, const Scope &scope, dmm::TimePoint now)
{
	ReconcilePlan plan;
	if (kernel_ != nullptr) {
		auto dlifs = kernel_->dlifs();
		auto entries = kernel_->entries();
		if (!dlifs)
			kernel_failed("reconcile.dump.failed", dlifs.error(), {{"what", "dlifs"}});
		if (!entries)
			kernel_failed("reconcile.dump.failed", entries.error(), {{"what", "entries"}});
		if (dlifs && entries) {
			Wanted wanted = wanted_by(reissued);
			// The logical DLIF each (shared netdevice, node) carries.
			std::map<std::pair<std::string, MacAddress>, std::string> placed;
			if (shared_) {
				// The cores' DLIFs are not links: the shared netdevices
				// they go on are, and each of their prefixes has an entry.
				shared_->adopt(*dlifs, scope.lowers);
				std::set<std::string> devices;
				for (const auto &action : reissued)
					if (const auto *dlif = std::get_if<dmm::InstallDlif>(&action)) {
						if (auto device = shared_->device_of(dlif->lower, dlif->anchoring_maar)) {
							devices.insert(*device);
							placed[{*device, dlif->mn}] = dlif->name;
						}
						wanted.entries.insert(wanted.entries.end(), dlif->prefixes.begin(),
								      dlif->prefixes.end());
					}
				wanted.dlifs.assign(devices.begin(), devices.end());
			}
			plan = plan_reconcile(wanted, *dlifs, *entries, scope);
			// Entries first: removing a DLIF takes its entries with it.
			for (const auto &prefix : plan.remove_entries) {
				if (auto status = kernel_->remove_entry(prefix); !status && status.error().code != ENOENT)
					kernel_failed("reconcile.entry.remove.failed", status.error(), {{"prefix", prefix.to_string()}});
				else
					log_.notice("reconcile.entry.removed", {{"prefix", prefix.to_string()}});
			}
			for (const auto &name : plan.remove_dlifs) {
				if (auto status = kernel_->delete_dlif(name); !status && status.error().code != ENODEV)
					kernel_failed("reconcile.dlif.remove.failed", status.error(), {{"dlif", name}});
				else
					log_.notice("reconcile.dlif.removed", {{"dlif", name}});
				if (shared_)
					shared_->forget_device(name);
			}
			std::set<std::string> kept;
			for (const auto &prefix : plan.keep_entries)
				kept.insert(key_of(prefix));
			// Kept entries are remembered as installed, so that the
			// installs below leave those the state still wants alone:
			// setting one again would reset its counters. A shared
			// netdevice's entry is remembered in the core's name, the
			// logical DLIF of its node; one whose node no logical DLIF
			// placed there is set again by the installs.
			for (const auto &entry : *entries) {
				const std::string key = key_of(entry.prefix);
				if (!kept.contains(key))
					continue;
				if (!shared_ || !entry.dlif) {
					remember_entry(entry);
					continue;
				}
				const auto logical = entry.mn ? placed.find({*entry.dlif, *entry.mn}) : placed.end();
				if (logical == placed.end())
					continue;
				KernelEntry named = entry;
				named.dlif = logical->second;
				named.mn.reset();
				remember_entry(named);
				if (named.role == dmm::TunnelRole::attached)
					attached_keys_.insert(key);
			}
			for (const auto &name : plan.foreign_dlifs)
				log_.debug("reconcile.dlif.foreign", {{"dlif", name}});
			// The DLIFs kept, as the dumps found them, for the installs
			// below; without the address dump, each install asks.
			if (auto addresses = kernel_->all_addresses(); addresses) {
				const std::set<std::string> kept_dlifs(plan.keep_dlifs.begin(), plan.keep_dlifs.end());
				for (const auto &link : *dlifs) {
					if (!kept_dlifs.contains(link.name))
						continue;
					const auto found = addresses->find(link.ifindex);
					restart_view_[link.name] = DlifSeen{
						link, found == addresses->end() ? std::vector<KernelAddress>{} : found->second};
				}
			} else {
				kernel_failed("reconcile.dump.failed", addresses.error(), {{"what", "addresses"}});
			}
			for (const auto &prefix : plan.foreign_entries)
				log_.debug("reconcile.entry.foreign", {{"prefix", prefix.to_string()}});
			log_.info("reconcile.done", {{"dlifs_kept", std::to_string(plan.keep_dlifs.size())},
						     {"dlifs_created", std::to_string(plan.create_dlifs.size())},
						     {"dlifs_removed", std::to_string(plan.remove_dlifs.size())},
						     {"entries_kept", std::to_string(plan.keep_entries.size())},
						     {"entries_created", std::to_string(plan.create_entries.size())},
						     {"entries_removed", std::to_string(plan.remove_entries.size())},
						     {"foreign", std::to_string(plan.foreign_dlifs.size() + plan.foreign_entries.size())}});
		}
	}
	// The relays converge as a whole (converge_relays installs them);
	// everything else is applied in order.
	bool relays = false;
	for (const auto &action : reissued) {
		if (std::holds_alternative<dmm::InstallRelay>(action) || std::holds_alternative<dmm::RemoveRelay>(action))
			relays = true;
		else
			apply(action, now);
	}
	restart_view_.clear();
	if (shared_)
		shared_->drop_unclaimed();
	// Also with no relay wanted: a home LMA restarted after its last
	// node left (or without [cmd.roaming] now) must lose the relays it
	// had. A MAAR has none to look for.
	if (relays || scope.relays)
		plan.relays = converge_relays(relays_wanted_by(reissued), now);
	return plan;
}

std::size_t Executor::repair(const Scope &scope, dmm::TimePoint now)
{
	if (kernel_ == nullptr)
		return 0;
	auto links = kernel_->dlifs();
	auto entries = kernel_->entries();
	if (!links || !entries) {
		kernel_failed("repair.dump.failed", !links ? links.error() : entries.error(), {});
		return 0;
	}
	count("repair_runs");
	Wanted wanted;
	if (shared_)
		wanted.dlifs = shared_->devices();
	else
		for (const auto &[name, dlif] : dlifs_)
			wanted.dlifs.push_back(name);
	for (const auto &[key, entry] : entries_)
		wanted.entries.push_back(entry.prefix);
	const ReconcilePlan plan = plan_reconcile(wanted, *links, *entries, scope);

	std::map<std::string, const KernelLink *> link_named;
	for (const auto &link : *links)
		link_named.emplace(link.name, &link);
	std::vector<dmm::InstallDlif> dlifs_again;
	for (const auto &name : plan.create_dlifs) {
		if (!shared_) {
			dlifs_again.push_back(dlifs_.at(name));
			continue;
		}
		// A shared netdevice gone: every node on it is bound again.
		for (const auto &logical : shared_->forget_device(name))
			dlifs_again.push_back(dlifs_.at(logical));
	}
	for (const auto &name : plan.keep_dlifs) {
		if (shared_)
			break;	// no node of its own to compare; bindings are not compared
		const KernelLink &link = *link_named.at(name);
		const dmm::InstallDlif &dlif = dlifs_.at(name);
		if (link.lower != dlif.lower || link.mac != dlif.identity.mac || link.mn != dlif.mn ||
		    link.maar != dlif.anchoring_maar || !link.up)
			dlifs_again.push_back(dlif);
	}
	std::set<std::string> dlifs_touched;
	for (const auto &dlif : dlifs_again)
		dlifs_touched.insert(dlif.name);

	std::map<std::string, const KernelEntry *> entry_at;
	for (const auto &entry : *entries)
		entry_at.emplace(key_of(entry.prefix), &entry);
	std::vector<KernelEntry> entries_again;
	for (const auto &[key, entry] : entries_) {
		const auto found = entry_at.find(key);
		const auto kernel = kernel_form(entry);
		// A re-made DLIF comes back without the entries naming it.
		if (found == entry_at.end() || !kernel || !(*found->second == *kernel) ||
		    (entry.dlif && dlifs_touched.contains(*entry.dlif)))
			entries_again.push_back(entry);
	}

	std::size_t repaired = 0;
	for (const auto &prefix : plan.remove_entries) {
		if (auto status = kernel_->remove_entry(prefix); !status && status.error().code != ENOENT) {
			kernel_failed("repair.entry.remove.failed", status.error(), {{"prefix", prefix.to_string()}});
			continue;
		}
		++repaired;
		log_.notice("repair.entry.removed", {{"prefix", prefix.to_string()}, {"reason", "not installed by dlifd"}});
	}
	for (const auto &name : plan.remove_dlifs) {
		if (auto status = kernel_->delete_dlif(name); !status && status.error().code != ENODEV) {
			kernel_failed("repair.dlif.remove.failed", status.error(), {{"dlif", name}});
			continue;
		}
		++repaired;
		log_.notice("repair.dlif.removed", {{"dlif", name}, {"reason", "not installed by dlifd"}});
	}
	for (const auto &dlif : dlifs_again) {
		log_.notice("repair.dlif", {{"dlif", dlif.name},
					    {"found", link_named.contains(dlif.name) ? "changed" : "missing"}});
		++repaired;
		perform(dlif, now, 0);
	}
	for (const auto &entry : entries_again) {
		const std::string key = key_of(entry.prefix);
		log_.notice("repair.entry", {{"prefix", entry.prefix.to_string()},
					     {"found", entry_at.contains(key) ? "changed" : "missing"}});
		++repaired;
		forget_entry(key);	// or the install takes it for unchanged
		perform(dmm::InstallEntry{entry.prefix, entry.role, entry.peer, entry.dlif}, now, 0);
	}
	if (repaired > 0)
		count("repairs", repaired);
	return repaired;
}

} // namespace dlif::daemon
