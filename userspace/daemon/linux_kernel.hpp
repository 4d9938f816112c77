// SPDX-License-Identifier: GPL-2.0
//
// Kernel over netlink: rtnetlink for the DLIF links and their addresses
// (and a home LMA's relay tunnels, routes and rules),
// the dlif generic netlink family for the table entries, and direct
// writes under /proc/sys/net/ipv6/conf for the per-DLIF sysctls (R191).
// Nothing is configured by running ip(8).
#pragma once

#include <optional>
#include <string>

#include "dlif/nl/dlif_client.hpp"
#include "dlif/nl/rtnl.hpp"
#include "interface_names.hpp"
#include "kernel.hpp"

namespace dlif::daemon {

class LinuxKernel final : public Kernel {
public:
	// local: the outer source address of the tunnels (this node's
	// configured address, which the peers check). Without `need_dlif`
	// (a home LMA that relays with ip6tnl only), a kernel without dlif.ko
	// is fine: there are no DLIF entries then, and what needs them fails
	// with the reason.
	static Result<LinuxKernel> open(const Ipv6Address &local, bool need_dlif = true);

	Result<std::vector<KernelLink>> dlifs() override;
	Result<std::optional<KernelLink>> link(const std::string &name) override;
	Result<std::optional<std::uint64_t>> received_frames(const std::string &name) override;
	Result<std::vector<KernelAddress>> addresses(const std::string &dlif) override;
	Result<std::map<std::uint32_t, std::vector<KernelAddress>>> all_addresses() override;
	Status create_dlif(const DlifCreate &create) override;
	Status update_dlif(const std::string &name, const DlifUpdate &update) override;
	Status configure_ipv6(const std::string &name) override;
	Status set_up(const std::string &name) override;
	Status delete_dlif(const std::string &name) override;
	Status add_address(const std::string &dlif, const KernelAddress &address) override;
	Status delete_address(const std::string &dlif, const KernelAddress &address) override;
	Status set_route(const std::string &dlif, const KernelRoute &route) override;
	Status delete_route(const std::string &dlif, const KernelRoute &route) override;
	Status set_neighbour(const std::string &dlif, const KernelNeighbour &neighbour) override;
	Status delete_neighbour(const std::string &dlif, const KernelNeighbour &neighbour) override;
	Result<std::vector<KernelEntry>> entries() override;
	Result<std::vector<std::pair<Ipv6Prefix, std::uint64_t>>> serving_traffic() override;
	Status replace_entry(const KernelEntry &entry) override;
	Status remove_entry(const Ipv6Prefix &prefix) override;
	Result<std::vector<KernelBinding>> bindings(const std::string &dlif) override;
	Status add_binding(const std::string &dlif, const KernelBinding &binding) override;
	Status remove_binding(const std::string &dlif, const MacAddress &mn) override;
	Result<std::optional<std::uint64_t>> binding_frames(const std::string &dlif, const MacAddress &mn) override;
	Result<std::vector<KernelLink>> tunnels() override;
	Status create_tunnel(const KernelTunnel &tunnel) override;
	Status delete_tunnel(const std::string &name) override;
	Result<std::vector<KernelDeviceRoute>> device_routes(const std::string &device) override;
	Status set_device_route(const KernelDeviceRoute &route) override;
	Status delete_device_route(const KernelDeviceRoute &route) override;
	Result<std::vector<KernelRule>> rules() override;
	Status add_rule(const KernelRule &rule) override;
	Status delete_rule(const KernelRule &rule) override;

	// None when opened without dlif.ko (see open()).
	nl::DlifClient *dlif_client() { return dlif_ ? &*dlif_ : nullptr; }

private:
	LinuxKernel(nl::RtnlClient rtnl, std::optional<nl::DlifClient> dlif, InterfaceNames names, const Ipv6Address &local)
		: rtnl_(std::move(rtnl)), dlif_(std::move(dlif)), names_(std::move(names)), local_(local)
	{
	}

	Result<std::uint32_t> ifindex_of(const std::string &name);
	std::string name_of(std::uint32_t ifindex);
	KernelLink to_kernel(const nl::LinkInfo &link);
	Result<nl::DlifClient *> dlif();
	// A DLIF's ifindex and the family's client: what a binding request needs.
	struct BindingTarget {
		std::uint32_t ifindex;
		nl::DlifClient *client;
	};
	Result<BindingTarget> binding_target(const std::string &dlif);

	nl::RtnlClient rtnl_;
	std::optional<nl::DlifClient> dlif_;
	InterfaceNames names_;
	Ipv6Address local_;
};

// A tunnel role as the cores and the kernel's netlink family spell it.
nl::Role to_nl(dmm::TunnelRole role);
std::optional<dmm::TunnelRole> from_nl(nl::Role role);

// Writes "value" to /proc/sys/net/ipv6/conf/<interface>/<key>.
Status write_ipv6_sysctl(const std::string &interface, const std::string &key, const std::string &value);

} // namespace dlif::daemon
