// SPDX-License-Identifier: GPL-2.0
#include "interface_names.hpp"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace dlif::daemon {

nl::Result<InterfaceNames> InterfaceNames::open()
{
	// Any socket reaches the namespace's device ioctls; glibc uses this
	// kind too.
	UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	if (!fd)
		return nl::make_error(errno, std::string("cannot open a socket for interface names: ") +
						     std::strerror(errno));
	return InterfaceNames(std::move(fd));
}

std::uint32_t InterfaceNames::index(const std::string &name) const
{
	ifreq request{};
	if (name.empty() || name.size() >= sizeof(request.ifr_name))
		return 0;
	std::memcpy(request.ifr_name, name.data(), name.size());
	if (::ioctl(fd_.get(), SIOCGIFINDEX, &request) < 0 || request.ifr_ifindex <= 0)
		return 0;
	return static_cast<std::uint32_t>(request.ifr_ifindex);
}

std::string InterfaceNames::name(std::uint32_t index) const
{
	ifreq request{};
	request.ifr_ifindex = static_cast<int>(index);
	if (index == 0 || ::ioctl(fd_.get(), SIOCGIFNAME, &request) < 0)
		return {};
	return std::string(request.ifr_name, ::strnlen(request.ifr_name, sizeof(request.ifr_name)));
}

} // namespace dlif::daemon
