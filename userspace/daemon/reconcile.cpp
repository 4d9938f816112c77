// SPDX-License-Identifier: GPL-2.0
#include "reconcile.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

namespace dlif::daemon {

std::vector<KernelAddress> wanted_addresses(const dmm::InstallDlif &dlif)
{
	std::vector<KernelAddress> addresses;
	addresses.push_back(KernelAddress{dlif.identity.link_local, 64, true});
	for (const auto &prefix : dlif.prefixes) {
		KernelAddress router{dmm::router_address_in(prefix), prefix.length, false};
		if (std::find(addresses.begin(), addresses.end(), router) == addresses.end())
			addresses.push_back(router);
	}
	return addresses;
}

Ipv6Address node_gateway(const MacAddress &mn)
{
	return dmm::link_local_from_mac(mn);
}

namespace {

// The route that stands for an address without a connected route.
std::optional<KernelRoute> route_of(const KernelAddress &address, const Ipv6Address &gateway)
{
	if (address.prefix_route)
		return std::nullopt;
	auto prefix = Ipv6Prefix::make(address.address, address.prefix_length);
	if (!prefix)
		return std::nullopt;
	return KernelRoute{*prefix, gateway};
}

// Routes, and the neighbour they use, for the addresses being added.
void plan_routes(DlifPlan &plan, const MacAddress &mn, const std::vector<KernelAddress> &addresses)
{
	const Ipv6Address gateway = node_gateway(mn);
	for (const auto &address : addresses)
		if (auto route = route_of(address, gateway); route && std::find(plan.add_routes.begin(),
										  plan.add_routes.end(), *route) == plan.add_routes.end())
			plan.add_routes.push_back(*route);
	if (!plan.add_routes.empty())
		plan.neighbour = KernelNeighbour{gateway, mn};
}

} // namespace

DlifPlan plan_dlif(const dmm::InstallDlif &wanted, const std::optional<KernelLink> &current,
		   const std::vector<KernelAddress> &current_addresses)
{
	DlifPlan plan;
	const auto addresses = wanted_addresses(wanted);
	if (!current) {
		plan.create = true;
		plan.bring_up = true;
		plan.add_addresses = addresses;
		plan_routes(plan, wanted.mn, addresses);
		return plan;
	}
	if (!current->is_dlif()) {
		plan.conflict = "a " + (current->kind.empty() ? std::string("non-dlif") : current->kind) +
				" link named " + wanted.name + " exists";
		plan.configure = false;
		return plan;
	}
	if (current->lower != wanted.lower) {
		// The lower device of a link cannot change: the only case where
		// a DLIF is deleted to install it.
		plan.recreate = true;
		plan.bring_up = true;
		plan.add_addresses = addresses;
		plan_routes(plan, wanted.mn, addresses);
		return plan;
	}
	plan.configure = !(current->addr_gen_none && current->ipv6_router == true);
	if (current->mac != wanted.identity.mac)
		plan.update.mac = wanted.identity.mac;
	if (current->mn != wanted.mn)
		plan.update.mn = wanted.mn;
	if (current->maar != wanted.anchoring_maar)
		plan.update.maar = wanted.anchoring_maar;
	plan.bring_up = !current->up;
	for (const auto &address : addresses)
		if (std::find(current_addresses.begin(), current_addresses.end(), address) == current_addresses.end())
			plan.add_addresses.push_back(address);
	// Whatever else is on it (a prefix it no longer has, a link-local
	// the kernel generated before addr_gen_mode was set) goes, with the
	// route that stood for it. An address that is only to change its
	// flags is replaced, not removed.
	const Ipv6Address old_gateway = node_gateway(current->mn.value_or(wanted.mn));
	for (const auto &address : current_addresses) {
		const bool kept = std::any_of(addresses.begin(), addresses.end(),
					      [&](const KernelAddress &a) { return a.same_address(address); });
		if (kept)
			continue;
		plan.remove_addresses.push_back(address);
		if (auto route = route_of(address, old_gateway))
			plan.remove_routes.push_back(*route);
	}
	if (plan.update.mn) {
		// Another node on this DLIF: every route moves to its gateway.
		plan_routes(plan, wanted.mn, addresses);
		if (current->mn && node_gateway(*current->mn) != node_gateway(wanted.mn))
			plan.stale_neighbour = KernelNeighbour{node_gateway(*current->mn), *current->mn};
	} else {
		plan_routes(plan, wanted.mn, plan.add_addresses);
	}
	return plan;
}

KernelEntry to_kernel_entry(const dmm::InstallEntry &entry)
{
	return KernelEntry{entry.prefix.masked(), entry.role, entry.peer, entry.dlif, std::nullopt};
}

namespace {

// A masked prefix as a key: Ipv6Prefix's == compares masked prefixes.
using PrefixKey = std::pair<Ipv6Address, std::uint8_t>;
PrefixKey key_of(const Ipv6Prefix &prefix)
{
	const Ipv6Prefix masked = prefix.masked();
	return {masked.address, masked.length};
}

// Objects in the order of the install that made them present (a Remove
// then an Install puts one at the end again), with lookups in a map: a
// restart with N objects costs N log N instead of N².
template <class Key, class Value>
class InstallOrder {
public:
	void install(const Key &key, const Value &value)
	{
		if (!present_.contains(key))
			present_.emplace(key, std::pair{next_++, value});
	}
	void remove(const Key &key) { present_.erase(key); }
	std::vector<Value> in_order() const
	{
		std::map<std::uint64_t, Value> ordered;
		for (const auto &[key, item] : present_)
			ordered.emplace(item.first, item.second);
		std::vector<Value> values;
		values.reserve(ordered.size());
		for (auto &[position, value] : ordered)
			values.push_back(std::move(value));
		return values;
	}

private:
	std::map<Key, std::pair<std::uint64_t, Value>> present_;
	std::uint64_t next_ = 0;
};

} // namespace

Wanted wanted_by(const dmm::Actions &actions)
{
	InstallOrder<std::string, std::string> dlifs;
	InstallOrder<PrefixKey, Ipv6Prefix> entries;
	for (const auto &action : actions) {
		if (const auto *install = std::get_if<dmm::InstallDlif>(&action)) {
			dlifs.install(install->name, install->name);
		} else if (const auto *remove = std::get_if<dmm::RemoveDlif>(&action)) {
			dlifs.remove(remove->name);
		} else if (const auto *entry = std::get_if<dmm::InstallEntry>(&action)) {
			entries.install(key_of(entry->prefix), entry->prefix.masked());
		} else if (const auto *remove_entry = std::get_if<dmm::RemoveEntry>(&action)) {
			entries.remove(key_of(remove_entry->prefix));
		}
	}
	return Wanted{dlifs.in_order(), entries.in_order()};
}

ReconcilePlan plan_reconcile(const Wanted &wanted, const std::vector<KernelLink> &kernel_dlifs,
			     const std::vector<KernelEntry> &kernel_entries, const Scope &scope)
{
	ReconcilePlan plan;
	const std::set<std::string> wanted_dlifs(wanted.dlifs.begin(), wanted.dlifs.end());
	std::set<PrefixKey> wanted_entries;
	for (const auto &prefix : wanted.entries)
		wanted_entries.insert(key_of(prefix));
	auto wanted_dlif = [&](const std::string &name) { return wanted_dlifs.contains(name); };
	auto wanted_entry = [&](const Ipv6Prefix &prefix) { return wanted_entries.contains(key_of(prefix)); };
	std::set<std::string> ours;
	for (const auto &link : kernel_dlifs) {
		if (!link.is_dlif())
			continue;
		if (wanted_dlif(link.name)) {
			plan.keep_dlifs.push_back(link.name);
			ours.insert(link.name);
		} else if (scope.lowers.contains(link.lower)) {
			plan.remove_dlifs.push_back(link.name);
			ours.insert(link.name);
		} else {
			plan.foreign_dlifs.push_back(link.name);
		}
	}
	const std::set<std::string> kept_dlifs(plan.keep_dlifs.begin(), plan.keep_dlifs.end());
	for (const auto &name : wanted.dlifs)
		if (!kept_dlifs.contains(name))
			plan.create_dlifs.push_back(name);

	for (const auto &entry : kernel_entries) {
		if (wanted_entry(entry.prefix)) {
			plan.keep_entries.push_back(entry.prefix);
			continue;
		}
		const bool our_dlif = entry.dlif && ours.contains(*entry.dlif);
		const bool our_peer = entry.peer && scope.peers.contains(*entry.peer);
		// A local-export entry open to every peer is how a MAAR exports
		// its Local Prefixes: the daemon manages those too.
		const bool our_export = entry.role == dmm::TunnelRole::local_export && !entry.peer && !entry.dlif;
		if (our_dlif || our_peer || our_export)
			plan.remove_entries.push_back(entry.prefix);
		else
			plan.foreign_entries.push_back(entry.prefix);
	}
	std::set<PrefixKey> kept_entries;
	for (const auto &prefix : plan.keep_entries)
		kept_entries.insert(key_of(prefix));
	for (const auto &prefix : wanted.entries)
		if (!kept_entries.contains(key_of(prefix)))
			plan.create_entries.push_back(prefix);
	return plan;
}

bool is_relay_device_name(std::string_view name) noexcept
{
	return name.starts_with(kRelayDevicePrefix);
}

KernelRule relay_rule(const dmm::InstallRelay &relay)
{
	return KernelRule{relay.rule_priority, relay.prefix.masked(), relay.serving.device, relay.table};
}

KernelDeviceRoute relay_downlink_route(const dmm::InstallRelay &relay)
{
	return KernelDeviceRoute{relay.prefix.masked(), relay.serving.device, KernelDeviceRoute::kMainTable};
}

KernelDeviceRoute relay_uplink_route(const dmm::InstallRelay &relay)
{
	return KernelDeviceRoute{Ipv6Prefix{}, relay.anchor.device, relay.table};
}

RelayPlan plan_relays(const std::vector<dmm::InstallRelay> &wanted, const std::vector<KernelLink> &tunnels,
		      const std::vector<KernelRule> &rules, const std::vector<KernelDeviceRoute> &routes)
{
	// Device name -> the remote it is wanted with.
	std::map<std::string, std::pair<Ipv6Address, Ipv6Address>> wanted_tunnels;
	std::vector<KernelRule> wanted_rules;
	std::vector<KernelDeviceRoute> wanted_routes;
	for (const auto &relay : wanted) {
		wanted_tunnels.emplace(relay.anchor.device, std::pair{relay.local, relay.anchor.remote});
		wanted_tunnels.emplace(relay.serving.device, std::pair{relay.local, relay.serving.remote});
		wanted_rules.push_back(relay_rule(relay));
		wanted_routes.push_back(relay_downlink_route(relay));
		wanted_routes.push_back(relay_uplink_route(relay));
	}
	auto contains = [](const auto &list, const auto &item) {
		return std::find(list.begin(), list.end(), item) != list.end();
	};

	RelayPlan plan;
	std::set<std::string> removed;
	for (const auto &link : tunnels) {
		if (!link.is_ip6tnl() || !is_relay_device_name(link.name))
			continue;
		const auto it = wanted_tunnels.find(link.name);
		if (it == wanted_tunnels.end() || link.tunnel_local != it->second.first ||
		    link.tunnel_remote != it->second.second) {
			plan.remove_tunnels.push_back(link.name);
			removed.insert(link.name);
		}
	}
	for (const auto &rule : rules) {
		KernelRule masked = rule;
		masked.source = rule.source.masked();
		if (is_relay_device_name(rule.iif) && !contains(wanted_rules, masked))
			plan.remove_rules.push_back(rule);
	}
	for (const auto &route : routes) {
		KernelDeviceRoute masked = route;
		masked.prefix = route.prefix.masked();
		if (is_relay_device_name(route.device) && !removed.contains(route.device) &&
		    !contains(wanted_routes, masked))
			plan.remove_routes.push_back(route);
	}
	return plan;
}

std::vector<dmm::InstallRelay> relays_wanted_by(const dmm::Actions &actions)
{
	InstallOrder<PrefixKey, dmm::InstallRelay> relays;
	for (const auto &action : actions) {
		if (const auto *install = std::get_if<dmm::InstallRelay>(&action)) {
			relays.remove(key_of(install->prefix));
			relays.install(key_of(install->prefix), *install);
		} else if (const auto *remove = std::get_if<dmm::RemoveRelay>(&action)) {
			relays.remove(key_of(remove->prefix));
		}
	}
	return relays.in_order();
}

dlif::Result<std::uint32_t, std::string> tunnel_safe_mtu(Kernel &kernel, const std::vector<std::string> &interfaces)
{
	constexpr std::uint32_t kIpv6MinimumMtu = 1280;
	if (interfaces.empty())
		return dlif::unexpected(std::string("no access interfaces"));
	std::uint32_t smallest = UINT32_MAX;
	for (const auto &interface : interfaces) {
		auto link = kernel.link(interface);
		if (!link)
			return dlif::unexpected(interface + ": " + link.error().describe());
		if (!*link)
			return dlif::unexpected(interface + ": no such interface");
		if (!(*link)->mtu)
			return dlif::unexpected(interface + ": the kernel reports no MTU");
		smallest = std::min(smallest, *(*link)->mtu);
	}
	if (smallest < kIpv6MinimumMtu + kTunnelOverhead)
		return dlif::unexpected("access MTU " + std::to_string(smallest) +
					" leaves less than 1280 inside a tunnel");
	return smallest - kTunnelOverhead;
}

} // namespace dlif::daemon
