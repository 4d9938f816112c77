// SPDX-License-Identifier: GPL-2.0
#include "shared_dlifs.hpp"

#include <algorithm>
#include <cerrno>

#include "reconcile.hpp"

namespace dlif::daemon {

SharedPlaceholder shared_placeholder(const Ipv6Address &anchoring_maar)
{
	// Spaces cannot occur in an NAI (RFC 7542): no node derives these.
	return {dmm::derive_dlif_identity(anchoring_maar, dmm::MnId{"shared dlif node"}).mac,
		dmm::derive_dlif_identity(anchoring_maar, dmm::MnId{"shared dlif router"}).mac};
}

SharedDlifs::SharedDlifs(Kernel &kernel, Logger &log, dmm::CounterMap &counters, Failure failed,
			 dmm::Duration linger)
	: kernel_(kernel), log_(log), counters_(counters), failed_(std::move(failed)), linger_(linger)
{
}

const SharedDlifs::Placement *SharedDlifs::placement(const std::string &logical) const
{
	const auto it = placements_.find(logical);
	return it == placements_.end() ? nullptr : &it->second;
}

std::vector<std::string> SharedDlifs::devices() const
{
	std::vector<std::string> out;
	out.reserve(names_.size());
	for (const auto &[name, key] : names_)
		out.push_back(name);
	return out;
}

std::optional<std::string> SharedDlifs::device_of(const std::string &lower, const Ipv6Address &anchoring_maar) const
{
	const auto it = devices_.find(Key{lower, anchoring_maar});
	return it == devices_.end() ? std::nullopt : std::optional<std::string>(it->second.name);
}

std::vector<std::string> SharedDlifs::forget_device(const std::string &name)
{
	const auto named = names_.find(name);
	if (named == names_.end())
		return {};
	const auto device = devices_.find(named->second);
	std::vector<std::string> logical(device->second.logical.begin(), device->second.logical.end());
	for (const auto &dlif : logical)
		placements_.erase(dlif);
	devices_.erase(device);
	names_.erase(named);
	return logical;
}

std::string SharedDlifs::next_name()
{
	return std::string(kSharedDevicePrefix) + std::to_string(next_number_++);
}

SharedDlifs::Device *SharedDlifs::ensure_device(const dmm::InstallDlif &dlif)
{
	const Key key{dlif.lower, dlif.anchoring_maar};
	if (auto it = devices_.find(key); it != devices_.end()) {
		if (it->second.idle_since) {
			it->second.idle_since.reset();
			count("shared_dlifs_reused");
			log_.debug("dlif.shared.reused", {{"dlif", it->second.name}});
		}
		return &it->second;
	}
	const SharedPlaceholder placeholder = shared_placeholder(dlif.anchoring_maar);
	const LogFields where{{"lower", dlif.lower}, {"maar", dlif.anchoring_maar.to_string()}};
	// A name another link holds (the operator's, or a device this daemon
	// left behind and no longer knows) is skipped.
	std::string name;
	for (int tries = 0;; ++tries) {
		name = next_name();
		auto status = kernel_.create_dlif(DlifCreate{name, dlif.lower, placeholder.router, placeholder.mn,
							     dlif.anchoring_maar});
		if (status)
			break;
		if (status.error().code != EEXIST || tries == 16) {
			LogFields fields = where;
			fields.emplace_back("dlif", name);
			failed_("dlif.create.failed", status.error(), fields);
			return nullptr;
		}
	}
	count("dlifs_created");
	count("shared_dlifs_created");
	LogFields fields = where;
	fields.emplace_back("dlif", name);
	bool ready = true;
	if (auto status = kernel_.configure_ipv6(name); !status) {
		failed_("dlif.ipv6.failed", status.error(), fields);
		ready = false;
	}
	if (auto status = kernel_.set_up(name); !status) {
		failed_("dlif.up.failed", status.error(), fields);
		ready = false;
	}
	if (!ready) {
		// Not half-made: deleted, and made again on the next try.
		(void)kernel_.delete_dlif(name);
		return nullptr;
	}
	log_.info("dlif.shared.created", fields);
	names_.emplace(name, key);
	return &devices_.emplace(key, Device{name, {}, {}, true, std::nullopt}).first->second;
}

bool SharedDlifs::ensure_binding(Device &device, const dmm::InstallDlif &dlif, bool &entries_lost)
{
	const KernelBinding wanted{dlif.mn, dlif.identity.mac, dlif.identity.link_local};
	const LogFields where{{"dlif", device.name}, {"mn", dlif.mn.to_string()}};
	if (!device.bindings_known) {
		// Adopted at a restart: what the kernel kept.
		auto listed = kernel_.bindings(device.name);
		if (!listed) {
			failed_("dlif.binding.dump.failed", listed.error(), where);
			return false;
		}
		device.bindings.clear();
		for (const auto &binding : *listed)
			device.bindings.emplace(binding.mn, binding);
		device.bindings_known = true;
	}
	const auto found = device.bindings.find(dlif.mn);
	if (found != device.bindings.end() && found->second == wanted)
		return true;
	if (found != device.bindings.end()) {
		// Another identity for the node (its router changed): the kernel
		// takes the node's entries with the old binding.
		if (auto status = kernel_.remove_binding(device.name, dlif.mn); !status && status.error().code != ENOENT) {
			failed_("dlif.binding.remove.failed", status.error(), where);
			return false;
		}
		device.bindings.erase(found);
		entries_lost = true;
	}
	if (auto status = kernel_.add_binding(device.name, wanted); !status) {
		failed_("dlif.binding.add.failed", status.error(), where);
		return false;
	}
	device.bindings.emplace(dlif.mn, wanted);
	count("bindings_added");
	return true;
}

bool SharedDlifs::install(const dmm::InstallDlif &dlif, dmm::TimePoint now, bool &entries_lost)
{
	const LogFields where{{"dlif", dlif.name}, {"lower", dlif.lower}, {"mn", dlif.mn.to_string()}};
	std::vector<Ipv6Prefix> routed;
	if (const auto it = placements_.find(dlif.name); it != placements_.end()) {
		if (names_.at(it->second.device) != Key{dlif.lower, dlif.anchoring_maar} || it->second.mn != dlif.mn) {
			// Another netdevice or node: out of the old one first.
			if (!remove(dlif.name, now))
				return false;
			entries_lost = true;
		} else {
			routed = it->second.prefixes;
		}
	}
	Device *device = ensure_device(dlif);
	if (device == nullptr)
		return false;
	Placement &placement = placements_[dlif.name];
	placement.device = device->name;
	placement.mn = dlif.mn;
	device->logical.insert(dlif.name);
	if (!ensure_binding(*device, dlif, entries_lost))
		return false;

	bool complete = true;
	const Ipv6Address gateway = node_gateway(dlif.mn);
	if (auto status = kernel_.set_neighbour(device->name, KernelNeighbour{gateway, dlif.mn}); !status) {
		failed_("dlif.neighbour.failed", status.error(), where);
		complete = false;
	}
	for (const auto &prefix : dlif.prefixes) {
		if (std::find(routed.begin(), routed.end(), prefix) != routed.end())
			continue;
		if (auto status = kernel_.set_route(device->name, KernelRoute{prefix.masked(), gateway}); !status) {
			LogFields fields = where;
			fields.emplace_back("prefix", prefix.to_string());
			failed_("dlif.route.add.failed", status.error(), fields);
			complete = false;
			continue;
		}
		routed.push_back(prefix);
	}
	for (auto it = routed.begin(); it != routed.end();) {
		if (std::find(dlif.prefixes.begin(), dlif.prefixes.end(), *it) != dlif.prefixes.end()) {
			++it;
			continue;
		}
		if (auto status = kernel_.delete_route(device->name, KernelRoute{it->masked(), gateway});
		    !status && status.error().code != ESRCH) {
			failed_("dlif.route.delete.failed", status.error(), where);
			complete = false;
			++it;
			continue;
		}
		it = routed.erase(it);
	}
	placement.prefixes = std::move(routed);
	return complete;
}

bool SharedDlifs::remove(const std::string &logical, dmm::TimePoint now)
{
	const auto placed = placements_.find(logical);
	if (placed == placements_.end())
		return true;
	Placement &placement = placed->second;
	const Key key = names_.at(placement.device);
	Device &device = devices_.at(key);
	const LogFields where{{"dlif", placement.device}, {"mn", placement.mn.to_string()}};
	const Ipv6Address gateway = node_gateway(placement.mn);
	// Routes and neighbour first, so that nothing is routed to a node
	// without a binding; what fails is tried again with the binding.
	bool complete = true;
	for (auto it = placement.prefixes.begin(); it != placement.prefixes.end();) {
		if (auto status = kernel_.delete_route(placement.device, KernelRoute{it->masked(), gateway});
		    !status && status.error().code != ESRCH && status.error().code != ENODEV) {
			failed_("dlif.route.delete.failed", status.error(), where);
			complete = false;
			++it;
			continue;
		}
		it = placement.prefixes.erase(it);
	}
	if (auto status = kernel_.delete_neighbour(placement.device, KernelNeighbour{gateway, placement.mn});
	    !status && status.error().code != ENOENT && status.error().code != ENODEV) {
		failed_("dlif.neighbour.failed", status.error(), where);
		complete = false;
	}
	if (!complete)
		return false;
	if (auto status = kernel_.remove_binding(placement.device, placement.mn);
	    !status && status.error().code != ENOENT && status.error().code != ENODEV) {
		failed_("dlif.binding.remove.failed", status.error(), where);
		return false;
	}
	device.bindings.erase(placement.mn);
	device.logical.erase(logical);
	placements_.erase(placed);
	count("bindings_removed");
	if (!device.logical.empty())
		return true;
	if (linger_ == dmm::Duration::zero()) {
		// Kept, known, if the kernel refuses: the next node of that
		// MAAR uses it again.
		delete_device(devices_.find(key), {});
		return true;
	}
	device.idle_since = now;
	log_.debug("dlif.shared.idle", {{"dlif", device.name}});
	return true;
}

void SharedDlifs::expire(dmm::TimePoint now)
{
	for (auto it = devices_.begin(); it != devices_.end();) {
		const auto next = std::next(it);
		Device &device = it->second;
		if (device.idle_since && *device.idle_since + linger_ <= now && device.logical.empty() &&
		    !delete_device(it, {{"reason", "idle"}}))
			device.idle_since = now;
		it = next;
	}
}

std::optional<dmm::TimePoint> SharedDlifs::next_expiry() const
{
	std::optional<dmm::TimePoint> next;
	for (const auto &[key, device] : devices_)
		if (device.idle_since && (!next || *device.idle_since + linger_ < *next))
			next = *device.idle_since + linger_;
	return next;
}

bool SharedDlifs::delete_device(std::map<Key, Device>::iterator it, LogFields why)
{
	const std::string name = it->second.name;
	if (auto status = kernel_.delete_dlif(name); !status && status.error().code != ENODEV) {
		failed_("dlif.delete.failed", status.error(), {{"dlif", name}});
		return false;
	}
	count("dlifs_removed");
	why.insert(why.begin(), {"dlif", name});
	log_.info("dlif.shared.removed", why);
	names_.erase(name);
	devices_.erase(it);
	return true;
}

void SharedDlifs::adopt(const std::vector<KernelLink> &links, const std::set<std::string> &lowers)
{
	for (const auto &link : links) {
		if (!link.is_dlif() || !link.maar || !link.mn || !lowers.contains(link.lower) ||
		    !std::string_view(link.name).starts_with(kSharedDevicePrefix))
			continue;
		const SharedPlaceholder placeholder = shared_placeholder(*link.maar);
		if (*link.mn != placeholder.mn || link.mac != placeholder.router)
			continue;
		const Key key{link.lower, *link.maar};
		if (devices_.contains(key) || names_.contains(link.name))
			continue;
		devices_.emplace(key, Device{link.name, {}, {}, false, std::nullopt});
		names_.emplace(link.name, key);
		// New names after the highest adopted one.
		const std::string_view digits = std::string_view(link.name).substr(kSharedDevicePrefix.size());
		std::uint64_t number = 0;
		bool numeric = !digits.empty() && digits.size() < 19;
		for (const char c : digits) {
			if (c < '0' || c > '9') {
				numeric = false;
				break;
			}
			number = number * 10 + static_cast<std::uint64_t>(c - '0');
		}
		if (numeric)
			next_number_ = std::max(next_number_, number + 1);
		log_.info("dlif.shared.adopted", {{"dlif", link.name}, {"lower", link.lower}, {"maar", link.maar->to_string()}});
	}
}

void SharedDlifs::drop_unclaimed()
{
	std::map<std::string, std::set<MacAddress>> wanted_on;
	for (const auto &[name, placement] : placements_)
		wanted_on[placement.device].insert(placement.mn);
	for (auto it = devices_.begin(); it != devices_.end();) {
		Device &device = it->second;
		if (device.logical.empty()) {
			const auto next = std::next(it);
			if (delete_device(it, {{"reason", "no node after the restart"}}))
				it = next;
			else
				++it;
			continue;
		}
		if (!device.bindings_known) {
			++it;
			continue;
		}
		// Bindings of nodes no logical DLIF wants any more.
		const std::set<MacAddress> &wanted = wanted_on[device.name];
		for (auto binding = device.bindings.begin(); binding != device.bindings.end();) {
			if (wanted.contains(binding->first)) {
				++binding;
				continue;
			}
			if (auto status = kernel_.remove_binding(device.name, binding->first);
			    !status && status.error().code != ENOENT) {
				failed_("dlif.binding.remove.failed", status.error(),
					{{"dlif", device.name}, {"mn", binding->first.to_string()}});
				++binding;
				continue;
			}
			log_.info("dlif.binding.removed", {{"dlif", device.name},
							   {"mn", binding->first.to_string()},
							   {"reason", "no session after the restart"}});
			binding = device.bindings.erase(binding);
		}
		++it;
	}
}

} // namespace dlif::daemon
