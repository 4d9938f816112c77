// SPDX-License-Identifier: GPL-2.0
//
// Shared test data for the daemon tests: addresses, a DLIF install, and an
// in-memory kernel that records what it was asked to do.
#pragma once

#include <algorithm>
#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "dlif/dmm/types.hpp"
#include "kernel.hpp"

namespace dlif::daemon::test {

using namespace std::chrono_literals;

inline Ipv6Address address(const char *text)
{
	return *Ipv6Address::from_string(text);
}

inline Ipv6Prefix prefix(const char *text)
{
	return *Ipv6Prefix::from_string(text);
}

inline MacAddress mac(const char *text)
{
	return *MacAddress::from_string(text);
}

// The DLIF a MAAR 2001:db8::1 installs for node 02:00:00:00:00:01 on eth1.
inline dmm::InstallDlif dlif_install(const char *name = "mn1mar1", const char *node = "02:00:00:00:00:01")
{
	dmm::InstallDlif dlif;
	dlif.name = name;
	dlif.lower = "eth1";
	dlif.mn = mac(node);
	dlif.anchoring_maar = address("2001:db8::1");
	dlif.identity = dmm::derive_dlif_identity(dlif.anchoring_maar, dmm::MnId{"mn1@dlif.example"});
	dlif.prefixes = {prefix("2001:db8:1:1::/64")};
	dlif.ra.router_lifetime = 1800s;
	dlif.ra.prefixes.push_back({dlif.prefixes[0], 3600s, 1800s});
	return dlif;
}

// A kernel in memory: links, addresses per link, entries; every call is
// recorded as a line ("create mn1mar1", "up mn1mar1", ...). A call can be
// made to fail with set_failure(prefix of the line, errno).
class FakeKernel final : public Kernel {
public:
	std::map<std::string, KernelLink> links;
	std::map<std::string, std::vector<KernelAddress>> addrs;
	std::map<std::string, std::vector<KernelRoute>> routes;
	std::map<std::string, std::vector<KernelNeighbour>> neighbours;
	std::vector<KernelEntry> table;
	std::vector<KernelDeviceRoute> device_route_table;	// relays' routes, every table
	std::vector<KernelRule> rule_list;
	std::vector<std::string> calls;
	std::map<std::string, int> failures;

	void set_failure(const std::string &call, int code) { failures[call] = code; }

	Status record(const std::string &call)
	{
		calls.push_back(call);
		for (const auto &[prefix, code] : failures)
			if (call.starts_with(prefix))
				return nl::make_error(code, "fake failure of " + call);
		return {};
	}

	void add_link(KernelLink link) { links[link.name] = std::move(link); }

	// Dumps are not recorded in calls; set_failure("dump", ...) fails them.
	Result<std::vector<KernelLink>> dlifs() override
	{
		if (const auto it = failures.find("dump"); it != failures.end())
			return nl::make_error(it->second, "fake failure of the link dump");
		std::vector<KernelLink> out;
		for (const auto &[name, link] : links)
			if (link.is_dlif())
				out.push_back(link);
		return out;
	}
	// Not recorded in calls either; set_failure("get link", ...) fails it.
	Result<std::optional<KernelLink>> link(const std::string &name) override
	{
		if (const auto it = failures.find("get link"); it != failures.end())
			return nl::make_error(it->second, "fake failure of get link " + name);
		auto it = links.find(name);
		return it == links.end() ? std::optional<KernelLink>() : std::optional<KernelLink>(it->second);
	}
	// No test counts frames here (liveness reads them through the Linux
	// kernel only): a device has received none.
	Result<std::optional<std::uint64_t>> received_frames(const std::string &name) override
	{
		if (const auto it = failures.find("get link"); it != failures.end())
			return nl::make_error(it->second, "fake failure of get link " + name);
		return links.contains(name) ? std::optional<std::uint64_t>(0) : std::nullopt;
	}
	Result<std::vector<KernelAddress>> addresses(const std::string &dlif) override { return addrs[dlif]; }
	// Not recorded in calls; set_failure("dump", ...) fails it.
	Result<std::map<std::uint32_t, std::vector<KernelAddress>>> all_addresses() override
	{
		if (const auto it = failures.find("dump"); it != failures.end())
			return nl::make_error(it->second, "fake failure of the address dump");
		std::map<std::uint32_t, std::vector<KernelAddress>> out;
		for (const auto &[name, addresses] : addrs)
			if (const auto link = links.find(name); link != links.end() && !addresses.empty())
				out[link->second.ifindex] = addresses;
		return out;
	}
	Status create_dlif(const DlifCreate &create) override
	{
		if (auto status = record("create " + create.name); !status)
			return status;
		if (links.contains(create.name))
			return nl::make_error(EEXIST, "exists");
		KernelLink link;
		link.name = create.name;
		link.ifindex = static_cast<std::uint32_t>(100 + links.size());
		link.kind = "dlif";
		link.lower = create.lower;
		link.mac = create.mac;
		link.mn = create.mn;
		link.maar = create.maar;
		links[create.name] = link;
		return {};
	}
	Status update_dlif(const std::string &name, const DlifUpdate &update) override
	{
		if (auto status = record("update " + name); !status)
			return status;
		KernelLink &link = links.at(name);
		if (update.mac)
			link.mac = *update.mac;
		if (update.mn)
			link.mn = *update.mn;
		if (update.maar)
			link.maar = *update.maar;
		return {};
	}
	Status configure_ipv6(const std::string &name) override
	{
		if (auto status = record("ipv6 " + name); !status)
			return status;
		links.at(name).addr_gen_none = true;
		links.at(name).ipv6_router = true;
		return {};
	}
	Status set_up(const std::string &name) override
	{
		if (auto status = record("up " + name); !status)
			return status;
		links.at(name).up = true;
		return {};
	}
	Status delete_dlif(const std::string &name) override
	{
		if (auto status = record("delete " + name); !status)
			return status;
		if (links.erase(name) == 0)
			return nl::make_error(ENODEV, "no device");
		addrs.erase(name);
		routes.erase(name);
		neighbours.erase(name);
		binding_table.erase(name);
		std::erase_if(table, [&](const KernelEntry &entry) { return entry.dlif == name; });
		return {};
	}

	// Relays. Dumps fail with set_failure("relay dump", ...).
	Result<std::vector<KernelLink>> tunnels() override
	{
		if (const auto it = failures.find("relay dump"); it != failures.end())
			return nl::make_error(it->second, "fake failure of the tunnel dump");
		std::vector<KernelLink> out;
		for (const auto &[name, link] : links)
			if (link.is_ip6tnl())
				out.push_back(link);
		return out;
	}
	Status create_tunnel(const KernelTunnel &tunnel) override
	{
		if (auto status = record("tunnel " + tunnel.name + " " + tunnel.local.to_string() + " " +
					 tunnel.remote.to_string());
		    !status)
			return status;
		if (links.contains(tunnel.name))
			return nl::make_error(EEXIST, "exists");
		KernelLink link;
		link.name = tunnel.name;
		link.ifindex = static_cast<std::uint32_t>(100 + links.size());
		link.kind = "ip6tnl";
		link.up = true;
		link.tunnel_local = tunnel.local;
		link.tunnel_remote = tunnel.remote;
		links[tunnel.name] = link;
		return {};
	}
	Status delete_tunnel(const std::string &name) override
	{
		if (auto status = record("tunnel del " + name); !status)
			return status;
		if (links.erase(name) == 0)
			return nl::make_error(ENODEV, "no device");
		// The kernel takes the routes through a device with it, not the
		// rules naming it.
		std::erase_if(device_route_table, [&](const KernelDeviceRoute &r) { return r.device == name; });
		return {};
	}
	Result<std::vector<KernelDeviceRoute>> device_routes(const std::string &device) override
	{
		if (const auto it = failures.find("relay dump"); it != failures.end())
			return nl::make_error(it->second, "fake failure of the route dump");
		std::vector<KernelDeviceRoute> out;
		for (const auto &route : device_route_table)
			if (route.device == device)
				out.push_back(route);
		return out;
	}
	Status set_device_route(const KernelDeviceRoute &route) override
	{
		if (auto status = record("droute " + std::to_string(route.table) + " " + route.prefix.to_string() +
					 " dev " + route.device);
		    !status)
			return status;
		if (!links.contains(route.device))
			return nl::make_error(ENODEV, "no device");
		// Replace: one route per destination and table.
		std::erase_if(device_route_table,
			      [&](const KernelDeviceRoute &r) { return r.table == route.table && r.prefix == route.prefix; });
		device_route_table.push_back(route);
		return {};
	}
	Status delete_device_route(const KernelDeviceRoute &route) override
	{
		if (auto status = record("droute del " + std::to_string(route.table) + " " + route.prefix.to_string() +
					 " dev " + route.device);
		    !status)
			return status;
		if (!links.contains(route.device))
			return nl::make_error(ENODEV, "no device");
		if (std::erase(device_route_table, route) == 0)
			return nl::make_error(ESRCH, "no such route");
		return {};
	}
	Result<std::vector<KernelRule>> rules() override
	{
		if (const auto it = failures.find("relay dump"); it != failures.end())
			return nl::make_error(it->second, "fake failure of the rule dump");
		return rule_list;
	}
	Status add_rule(const KernelRule &rule) override
	{
		if (auto status = record("rule " + std::to_string(rule.priority) + " from " + rule.source.to_string() +
					 " iif " + rule.iif + " table " + std::to_string(rule.table));
		    !status)
			return status;
		if (std::find(rule_list.begin(), rule_list.end(), rule) != rule_list.end())
			return nl::make_error(EEXIST, "rule exists");
		rule_list.push_back(rule);
		return {};
	}
	Status delete_rule(const KernelRule &rule) override
	{
		if (auto status = record("rule del " + std::to_string(rule.priority) + " from " + rule.source.to_string());
		    !status)
			return status;
		const auto it = std::find_if(rule_list.begin(), rule_list.end(), [&](const KernelRule &r) {
			return r.priority == rule.priority && r.source == rule.source &&
			       (rule.iif.empty() || r.iif == rule.iif) && (rule.table == 0 || r.table == rule.table);
		});
		if (it == rule_list.end())
			return nl::make_error(ENOENT, "no such rule");
		rule_list.erase(it);
		return {};
	}
	Status add_address(const std::string &dlif, const KernelAddress &address) override
	{
		if (auto status = record("add " + dlif + " " + address.address.to_string() + "/" +
					 std::to_string(address.prefix_length));
		    !status)
			return status;
		// NLM_F_REPLACE: an address already there takes the new flags.
		std::erase_if(addrs[dlif], [&](const KernelAddress &a) { return a.same_address(address); });
		addrs[dlif].push_back(address);
		return {};
	}
	Status delete_address(const std::string &dlif, const KernelAddress &address) override
	{
		if (auto status = record("del " + dlif + " " + address.address.to_string() + "/" +
					 std::to_string(address.prefix_length));
		    !status)
			return status;
		std::erase(addrs[dlif], address);
		return {};
	}
	Status set_route(const std::string &dlif, const KernelRoute &route) override
	{
		if (auto status = record("route " + dlif + " " + route.prefix.to_string() + " via " +
					 route.gateway.to_string());
		    !status)
			return status;
		auto &list = routes[dlif];
		std::erase_if(list, [&](const KernelRoute &r) { return r.prefix == route.prefix; });
		list.push_back(route);
		return {};
	}
	Status delete_route(const std::string &dlif, const KernelRoute &route) override
	{
		if (auto status = record("route del " + dlif + " " + route.prefix.to_string()); !status)
			return status;
		if (std::erase(routes[dlif], route) == 0)
			return nl::make_error(ESRCH, "no such route");
		return {};
	}
	Status set_neighbour(const std::string &dlif, const KernelNeighbour &neighbour) override
	{
		if (auto status = record("neigh " + dlif + " " + neighbour.address.to_string() + " " +
					 neighbour.mac.to_string());
		    !status)
			return status;
		auto &list = neighbours[dlif];
		std::erase_if(list, [&](const KernelNeighbour &n) { return n.address == neighbour.address; });
		list.push_back(neighbour);
		return {};
	}
	Status delete_neighbour(const std::string &dlif, const KernelNeighbour &neighbour) override
	{
		if (auto status = record("neigh del " + dlif + " " + neighbour.address.to_string()); !status)
			return status;
		if (std::erase(neighbours[dlif], neighbour) == 0)
			return nl::make_error(ENOENT, "no such neighbour");
		return {};
	}
	Result<std::vector<KernelEntry>> entries() override
	{
		if (const auto it = failures.find("dump"); it != failures.end())
			return nl::make_error(it->second, "fake failure of the entry dump");
		return table;
	}
	// Packets per serving entry's prefix, as a test sets them.
	std::map<std::string, std::uint64_t> packets;
	Result<std::vector<std::pair<Ipv6Prefix, std::uint64_t>>> serving_traffic() override
	{
		if (const auto it = failures.find("dump"); it != failures.end())
			return nl::make_error(it->second, "fake failure of the entry dump");
		std::vector<std::pair<Ipv6Prefix, std::uint64_t>> out;
		for (const auto &entry : table)
			if (entry.role == dmm::TunnelRole::serving)
				out.emplace_back(entry.prefix, packets[entry.prefix.to_string()]);
		return out;
	}
	Status replace_entry(const KernelEntry &entry) override
	{
		if (auto status = record("entry " + entry.prefix.to_string()); !status)
			return status;
		std::erase_if(table, [&](const KernelEntry &e) { return e.prefix == entry.prefix; });
		table.push_back(entry);
		return {};
	}
	Status remove_entry(const Ipv6Prefix &prefix) override
	{
		if (auto status = record("unentry " + prefix.to_string()); !status)
			return status;
		const auto before = table.size();
		std::erase_if(table, [&](const KernelEntry &e) { return e.prefix == prefix; });
		if (table.size() == before)
			return nl::make_error(ENOENT, "no entry");
		return {};
	}

	// Bindings besides each DLIF's own node's, by DLIF name.
	std::map<std::string, std::vector<KernelBinding>> binding_table;
	Result<std::vector<KernelBinding>> bindings(const std::string &dlif) override
	{
		if (const auto it = failures.find("dump"); it != failures.end())
			return nl::make_error(it->second, "fake failure of the binding dump");
		if (!links.contains(dlif))
			return nl::make_error(ENODEV, "no device");
		return binding_table[dlif];
	}
	Status add_binding(const std::string &dlif, const KernelBinding &binding) override
	{
		if (auto status = record("bind " + dlif + " " + binding.mn.to_string()); !status)
			return status;
		if (!links.contains(dlif))
			return nl::make_error(ENODEV, "no device");
		auto &list = binding_table[dlif];
		if (std::any_of(list.begin(), list.end(), [&](const KernelBinding &b) { return b.mn == binding.mn; }))
			return nl::make_error(EEXIST, "the node has a binding on this DLIF");
		list.push_back(binding);
		return {};
	}
	// Frames per (DLIF, node), as a test sets them.
	std::map<std::pair<std::string, MacAddress>, std::uint64_t> binding_rx;
	Result<std::optional<std::uint64_t>> binding_frames(const std::string &dlif, const MacAddress &mn) override
	{
		const auto &list = binding_table[dlif];
		if (std::none_of(list.begin(), list.end(), [&](const KernelBinding &b) { return b.mn == mn; }))
			return std::optional<std::uint64_t>();
		return std::optional<std::uint64_t>(binding_rx[{dlif, mn}]);
	}
	Status remove_binding(const std::string &dlif, const MacAddress &mn) override
	{
		if (auto status = record("unbind " + dlif + " " + mn.to_string()); !status)
			return status;
		auto &list = binding_table[dlif];
		if (std::erase_if(list, [&](const KernelBinding &b) { return b.mn == mn; }) == 0)
			return nl::make_error(ENOENT, "no binding");
		std::erase_if(table, [&](const KernelEntry &e) { return e.dlif == dlif && e.mn == mn; });
		return {};
	}
};

} // namespace dlif::daemon::test
