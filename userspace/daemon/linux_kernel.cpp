// SPDX-License-Identifier: GPL-2.0
#include "linux_kernel.hpp"

#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dlif/unique_fd.hpp"

namespace dlif::daemon {

nl::Role to_nl(dmm::TunnelRole role)
{
	switch (role) {
	case dmm::TunnelRole::anchor:
		return nl::Role::anchor;
	case dmm::TunnelRole::serving:
		return nl::Role::serving;
	case dmm::TunnelRole::local_net:
		return nl::Role::local_net;
	case dmm::TunnelRole::local_export:
		return nl::Role::local_export;
	case dmm::TunnelRole::attached:
		return nl::Role::attached;
	}
	return nl::Role::serving;
}

std::optional<dmm::TunnelRole> from_nl(nl::Role role)
{
	switch (role) {
	case nl::Role::anchor:
		return dmm::TunnelRole::anchor;
	case nl::Role::serving:
		return dmm::TunnelRole::serving;
	case nl::Role::local_net:
		return dmm::TunnelRole::local_net;
	case nl::Role::local_export:
		return dmm::TunnelRole::local_export;
	case nl::Role::attached:
		return dmm::TunnelRole::attached;
	}
	return std::nullopt;
}

Status write_ipv6_sysctl(const std::string &interface, const std::string &key, const std::string &value)
{
	const std::string path = "/proc/sys/net/ipv6/conf/" + interface + "/" + key;
	UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
	if (!fd)
		return nl::make_error(errno, "cannot open " + path + ": " + std::strerror(errno));
	if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
		return nl::make_error(errno, "cannot write " + path + ": " + std::strerror(errno));
	return {};
}

namespace {

KernelAddress kernel_address(const nl::InterfaceAddress &address)
{
	return KernelAddress{address.address, address.prefix_length, (address.flags & IFA_F_NOPREFIXROUTE) == 0};
}

constexpr const char *kNoDlifFamily = "the dlif generic netlink family is missing (is dlif.ko loaded? modprobe dlif)";

} // namespace

Result<LinuxKernel> LinuxKernel::open(const Ipv6Address &local, bool need_dlif)
{
	auto rtnl = nl::RtnlClient::open();
	if (!rtnl)
		return rtnl.error();
	auto names = InterfaceNames::open();
	if (!names)
		return names.error();
	auto dlif = nl::DlifClient::open();
	if (!dlif) {
		nl::Error error = dlif.error();
		if (error.code != ENOENT)
			return error;
		if (need_dlif) {
			error.message = kNoDlifFamily;
			return error;
		}
		return LinuxKernel(std::move(*rtnl), std::nullopt, std::move(*names), local);
	}
	return LinuxKernel(std::move(*rtnl), std::move(*dlif), std::move(*names), local);
}

Result<nl::DlifClient *> LinuxKernel::dlif()
{
	if (!dlif_)
		return nl::make_error(ENOENT, kNoDlifFamily);
	return &*dlif_;
}

Result<std::uint32_t> LinuxKernel::ifindex_of(const std::string &name)
{
	const std::uint32_t index = names_.index(name);
	if (index == 0)
		return nl::make_error(ENODEV, "no device " + name);
	return index;
}

std::string LinuxKernel::name_of(std::uint32_t ifindex)
{
	return names_.name(ifindex);
}

KernelLink LinuxKernel::to_kernel(const nl::LinkInfo &link)
{
	KernelLink out;
	out.name = link.name;
	out.ifindex = link.ifindex;
	out.kind = link.kind;
	out.lower = name_of(link.link);
	if (link.address)
		out.mac = *link.address;
	if (link.dlif_mn)
		out.mn = *link.dlif_mn;
	if (link.dlif_maar)
		out.maar = *link.dlif_maar;
	out.up = link.up();
	out.addr_gen_none = link.addr_gen_mode == IN6_ADDR_GEN_MODE_NONE;
	if (link.ipv6_forwarding && link.ipv6_accept_ra)
		out.ipv6_router = *link.ipv6_forwarding == 1 && *link.ipv6_accept_ra == 0;
	out.mtu = link.mtu;
	out.tunnel_local = link.tunnel_local;
	out.tunnel_remote = link.tunnel_remote;
	return out;
}

Result<std::vector<KernelLink>> LinuxKernel::dlifs()
{
	auto links = rtnl_.list_links();
	if (!links)
		return links.error();
	std::vector<KernelLink> out;
	for (const auto &link : *links)
		if (link.kind == "dlif")
			out.push_back(to_kernel(link));
	return out;
}

Result<std::optional<KernelLink>> LinuxKernel::link(const std::string &name)
{
	auto link = rtnl_.get_link(name);
	if (!link)
		return link.error();
	if (!*link)
		return std::optional<KernelLink>();
	return std::optional<KernelLink>(to_kernel(**link));
}

Result<std::optional<std::uint64_t>> LinuxKernel::received_frames(const std::string &name)
{
	auto link = rtnl_.get_link(name);
	if (!link)
		return link.error();
	if (!*link)
		return std::optional<std::uint64_t>();
	if (!(*link)->rx_packets)
		return nl::make_error(EPROTO, "no IFLA_STATS64 for " + name);
	return (*link)->rx_packets;
}

Result<std::vector<KernelAddress>> LinuxKernel::addresses(const std::string &dlif)
{
	auto index = ifindex_of(dlif);
	if (!index)
		return index.error();
	auto listed = rtnl_.list_addresses(*index);
	if (!listed)
		return listed.error();
	std::vector<KernelAddress> out;
	for (const auto &address : *listed)
		out.push_back(kernel_address(address));
	return out;
}

Result<std::map<std::uint32_t, std::vector<KernelAddress>>> LinuxKernel::all_addresses()
{
	auto listed = rtnl_.list_addresses();
	if (!listed)
		return listed.error();
	std::map<std::uint32_t, std::vector<KernelAddress>> out;
	for (const auto &address : *listed)
		out[address.ifindex].push_back(kernel_address(address));
	return out;
}

Status LinuxKernel::create_dlif(const DlifCreate &create)
{
	auto lower = ifindex_of(create.lower);
	if (!lower)
		return lower.error();
	nl::DlifLinkSpec spec;
	spec.name = create.name;
	spec.lower = *lower;
	spec.address = create.mac;
	spec.mn = create.mn;
	spec.maar = create.maar;
	return rtnl_.create_dlif(spec);
}

Status LinuxKernel::update_dlif(const std::string &name, const DlifUpdate &update)
{
	auto index = ifindex_of(name);
	if (!index)
		return index.error();
	if (update.mac) {
		nl::LinkChange change;
		change.ifindex = *index;
		change.address = *update.mac;
		if (auto status = rtnl_.change_link(change); !status)
			return status;
	}
	if (!update.mn && !update.maar)
		return {};
	// Over the dlif family, not IFLA_LINKINFO: rtnetlink announces any
	// link-info change as NETDEV_CHANGE, on which IPv6 walks the whole
	// FIB; dlif.ko announces these with NETDEV_CHANGEINFODATA, which
	// still sends RTM_NEWLINK and walks nothing.
	auto client = dlif();
	if (!client)
		return client.error();
	return (*client)->set_device(nl::DeviceUpdate{*index, update.mn, update.maar});
}

// Through the sysctls, not rtnetlink: an IFLA_AF_SPEC change makes the
// kernel announce NETDEV_CHANGE even when nothing changed, and IPv6 walks
// the namespace's whole FIB on each (rt6_sync_up), a cost that grows with
// the DLIFs present on every re-install of an up DLIF. A sysctl write of
// the value it already has does nothing.
Status LinuxKernel::configure_ipv6(const std::string &name)
{
	if (auto status = write_ipv6_sysctl(name, "addr_gen_mode", std::to_string(IN6_ADDR_GEN_MODE_NONE)); !status)
		return status;
	// The DLIF is a router interface (R191): it forwards (which also
	// joins ff02::2, so that the node's RSs reach the RA engine) and
	// never configures itself from RAs.
	if (auto status = write_ipv6_sysctl(name, "accept_ra", "0"); !status)
		return status;
	return write_ipv6_sysctl(name, "forwarding", "1");
}

Status LinuxKernel::set_up(const std::string &name)
{
	auto index = ifindex_of(name);
	if (!index)
		return index.error();
	nl::LinkChange change;
	change.ifindex = *index;
	change.up = true;
	return rtnl_.change_link(change);
}

Status LinuxKernel::delete_dlif(const std::string &name)
{
	auto index = ifindex_of(name);
	if (!index)
		return index.error();
	return rtnl_.delete_link(*index);
}

Status LinuxKernel::add_address(const std::string &dlif, const KernelAddress &address)
{
	auto index = ifindex_of(dlif);
	if (!index)
		return index.error();
	nl::InterfaceAddress request;
	request.ifindex = *index;
	request.address = address.address;
	request.prefix_length = address.prefix_length;
	// Mirrored addresses exist on another MAAR's DLIF too: no DAD (R191).
	request.flags = IFA_F_NODAD | (address.prefix_route ? 0u : static_cast<uint32_t>(IFA_F_NOPREFIXROUTE));
	return rtnl_.add_address(request);
}

Status LinuxKernel::delete_address(const std::string &dlif, const KernelAddress &address)
{
	auto index = ifindex_of(dlif);
	if (!index)
		return index.error();
	nl::InterfaceAddress request;
	request.ifindex = *index;
	request.address = address.address;
	request.prefix_length = address.prefix_length;
	return rtnl_.delete_address(request);
}

Result<std::vector<KernelEntry>> LinuxKernel::entries()
{
	std::vector<KernelEntry> out;
	if (!dlif_)
		return out;	// without the module there are none
	auto listed = dlif_->list_entries();
	if (!listed)
		return listed.error();
	for (const auto &entry : *listed) {
		const auto role = from_nl(entry.role);
		if (!role)
			continue;	// a role this daemon does not know: not ours
		KernelEntry kernel;
		kernel.prefix = entry.prefix;
		kernel.role = *role;
		if (entry.peer)
			kernel.peer = *entry.peer;
		if (entry.ifindex != 0)
			kernel.dlif = name_of(entry.ifindex);
		kernel.mn = entry.mn;
		out.push_back(std::move(kernel));
	}
	return out;
}

Result<std::vector<std::pair<Ipv6Prefix, std::uint64_t>>> LinuxKernel::serving_traffic()
{
	std::vector<std::pair<Ipv6Prefix, std::uint64_t>> out;
	if (!dlif_)
		return out;
	// One dump filtered by role in the kernel; no name lookups.
	nl::EntryFilter serving;
	serving.role = nl::Role::serving;
	auto dumped = dlif_->dump_entries(serving, [&](const nl::Entry &entry) {
		const nl::EntryStats stats = entry.stats.value_or(nl::EntryStats{});
		out.emplace_back(entry.prefix, stats.encap_packets + stats.decap_packets);
		return nl::Status{};
	});
	if (!dumped)
		return dumped.error();
	return out;
}

Status LinuxKernel::replace_entry(const KernelEntry &entry)
{
	nl::Entry request;
	request.prefix = entry.prefix;
	request.role = to_nl(entry.role);
	if (entry.peer)
		request.peer = *entry.peer;
	request.local = local_;
	if (entry.dlif) {
		auto index = ifindex_of(*entry.dlif);
		if (!index)
			return index.error();
		request.ifindex = *index;
	}
	request.mn = entry.mn;
	auto client = dlif();
	if (!client)
		return client.error();
	return (*client)->replace_entry(request);
}

Status LinuxKernel::remove_entry(const Ipv6Prefix &prefix)
{
	auto client = dlif();
	if (!client)
		return client.error();
	return (*client)->remove_entry(prefix);
}

Result<LinuxKernel::BindingTarget> LinuxKernel::binding_target(const std::string &dlif)
{
	auto index = ifindex_of(dlif);
	if (!index)
		return index.error();
	auto client = this->dlif();
	if (!client)
		return client.error();
	return BindingTarget{*index, *client};
}

Result<std::vector<KernelBinding>> LinuxKernel::bindings(const std::string &dlif)
{
	auto target = binding_target(dlif);
	if (!target)
		return target.error();
	std::vector<KernelBinding> out;
	auto dumped = target->client->dump_bindings(target->ifindex, [&](const nl::Binding &binding) {
		if (!binding.primary)
			out.push_back(KernelBinding{binding.mn, binding.router, binding.router_ll.value_or(Ipv6Address{})});
		return nl::Status{};
	});
	if (!dumped)
		return dumped.error();
	return out;
}

Status LinuxKernel::add_binding(const std::string &dlif, const KernelBinding &binding)
{
	auto target = binding_target(dlif);
	if (!target)
		return target.error();
	const nl::Binding request{target->ifindex, binding.mn, binding.router, false, binding.router_ll, std::nullopt};
	return target->client->add_bindings(std::span(&request, 1));
}

Result<std::optional<std::uint64_t>> LinuxKernel::binding_frames(const std::string &dlif, const MacAddress &mn)
{
	auto target = binding_target(dlif);
	if (!target)
		return target.error();
	// One lookup in the kernel's index of the node, not a dump.
	std::optional<std::uint64_t> frames;
	auto dumped = target->client->dump_bindings(
		target->ifindex,
		[&](const nl::Binding &binding) {
			if (binding.mn == mn)
				frames = binding.rx_packets.value_or(0);
			return nl::Status{};
		},
		mn);
	if (!dumped)
		return dumped.error();
	return frames;
}

Status LinuxKernel::remove_binding(const std::string &dlif, const MacAddress &mn)
{
	auto target = binding_target(dlif);
	if (!target)
		return target.error();
	nl::Binding request;
	request.ifindex = target->ifindex;
	request.mn = mn;
	return target->client->remove_bindings(std::span(&request, 1));
}

Status LinuxKernel::set_route(const std::string &dlif, const KernelRoute &route)
{
	auto index = ifindex_of(dlif);
	if (!index)
		return index.error();
	return rtnl_.write_route(nl::RouteWrite::replace, nl::Route{*index, route.prefix, route.gateway});
}

Status LinuxKernel::delete_route(const std::string &dlif, const KernelRoute &route)
{
	auto index = ifindex_of(dlif);
	if (!index)
		return index.error();
	return rtnl_.write_route(nl::RouteWrite::remove, nl::Route{*index, route.prefix, route.gateway});
}

Status LinuxKernel::set_neighbour(const std::string &dlif, const KernelNeighbour &neighbour)
{
	auto index = ifindex_of(dlif);
	if (!index)
		return index.error();
	return rtnl_.set_neighbour(nl::Neighbour{*index, neighbour.address, neighbour.mac});
}

Status LinuxKernel::delete_neighbour(const std::string &dlif, const KernelNeighbour &neighbour)
{
	auto index = ifindex_of(dlif);
	if (!index)
		return index.error();
	return rtnl_.delete_neighbour(nl::Neighbour{*index, neighbour.address, neighbour.mac});
}

Result<std::vector<KernelLink>> LinuxKernel::tunnels()
{
	auto links = rtnl_.list_links();
	if (!links)
		return links.error();
	std::vector<KernelLink> out;
	for (const auto &link : *links)
		if (link.kind == "ip6tnl")
			out.push_back(to_kernel(link));
	return out;
}

Status LinuxKernel::create_tunnel(const KernelTunnel &tunnel)
{
	return rtnl_.create_ip6tnl(nl::Ip6TunnelSpec{tunnel.name, tunnel.local, tunnel.remote});
}

Status LinuxKernel::delete_tunnel(const std::string &name)
{
	auto index = ifindex_of(name);
	if (!index)
		return index.error();
	return rtnl_.delete_link(*index);
}

Result<std::vector<KernelDeviceRoute>> LinuxKernel::device_routes(const std::string &device)
{
	auto index = ifindex_of(device);
	if (!index)
		return index.error();
	auto listed = rtnl_.list_routes(*index);
	if (!listed)
		return listed.error();
	std::vector<KernelDeviceRoute> out;
	for (const auto &route : *listed)
		if (route.protocol == RTPROT_STATIC && route.type == RTN_UNICAST && !route.gateway)
			out.push_back(KernelDeviceRoute{route.destination, device, route.table});
	return out;
}

Status LinuxKernel::set_device_route(const KernelDeviceRoute &route)
{
	auto index = ifindex_of(route.device);
	if (!index)
		return index.error();
	return rtnl_.write_device_route(nl::RouteWrite::replace, nl::DeviceRoute{*index, route.prefix, route.table});
}

Status LinuxKernel::delete_device_route(const KernelDeviceRoute &route)
{
	auto index = ifindex_of(route.device);
	if (!index)
		return index.error();
	return rtnl_.write_device_route(nl::RouteWrite::remove, nl::DeviceRoute{*index, route.prefix, route.table});
}

Result<std::vector<KernelRule>> LinuxKernel::rules()
{
	auto listed = rtnl_.list_rules();
	if (!listed)
		return listed.error();
	std::vector<KernelRule> out;
	for (const auto &rule : *listed)
		if (rule.source && !rule.iif.empty())
			out.push_back(KernelRule{rule.priority, *rule.source, rule.iif, rule.table});
	return out;
}

Status LinuxKernel::add_rule(const KernelRule &rule)
{
	return rtnl_.add_rule(nl::Rule{rule.priority, rule.source, rule.iif, rule.table});
}

Status LinuxKernel::delete_rule(const KernelRule &rule)
{
	return rtnl_.delete_rule(nl::Rule{rule.priority, rule.source, rule.iif, rule.table});
}

} // namespace dlif::daemon
