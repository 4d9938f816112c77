// SPDX-License-Identifier: GPL-2.0
//
// Error and Result: how every dlif::nl operation reports failure. No
// exception leaves the library; a failed operation hands back the errno the
// kernel (or the library) chose and, when the kernel said why, its extended
// ack text, so that a tool can print "Error: <message>." like iproute2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "dlif/result.hpp"

namespace dlif::nl {

struct Error {
	int code = 0;			// positive errno value
	std::string message;		// extack text (NLMSGERR_ATTR_MSG) or our own
	std::optional<uint32_t> offset;	// NLMSGERR_ATTR_OFFS: offending attribute's byte offset in the request
	std::optional<uint32_t> missing_type;	// NLMSGERR_ATTR_MISS_TYPE: a required attribute the request lacked

	// The message when there is one, otherwise strerror(code).
	std::string describe() const;
	bool operator==(const Error &) const = default;
};

Error make_error(int code, std::string message = {});

// A value or an Error: the project's one result type (dlif/result.hpp)
// with netlink's error.
template <typename T>
using Result = dlif::Result<T, Error>;

using Status = Result<void>;

}  // namespace dlif::nl
