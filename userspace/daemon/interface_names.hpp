// SPDX-License-Identifier: GPL-2.0
//
// Interface names and indexes, asked of one socket that stays open
// (SIOCGIFINDEX, SIOCGIFNAME). glibc's if_nametoindex() and
// if_indextoname() open and close a socket on every call, and a busy MAAR
// asks on every RA, NUD probe and solicitation it handles, on every
// kernel change of a DLIF, and at a restart once per DLIF and entry.
#pragma once

#include <cstdint>
#include <string>

#include "dlif/nl/result.hpp"
#include "dlif/unique_fd.hpp"

namespace dlif::daemon {

class InterfaceNames {
public:
	// In the network namespace of the caller, as the socket stays.
	static nl::Result<InterfaceNames> open();

	// 0: no such device.
	std::uint32_t index(const std::string &name) const;
	// Empty: no such device.
	std::string name(std::uint32_t index) const;

private:
	explicit InterfaceNames(UniqueFd fd) : fd_(std::move(fd)) {}
	UniqueFd fd_;
};

} // namespace dlif::daemon
