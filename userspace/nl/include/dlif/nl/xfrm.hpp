// SPDX-License-Identifier: GPL-2.0
//
// The IPsec policies of the namespace (NETLINK_XFRM, XFRM_MSG_GETPOLICY
// dump), reduced to what dlifd checks before it trusts signalling: which
// IPv6 traffic each policy selects and whether it requires ESP. The
// decoding is a pure function of a message, tested without a kernel.
#pragma once

#include <linux/netlink.h>

#include <array>
#include <cstdint>
#include <vector>

#include "dlif/nl/result.hpp"
#include "dlif/nl/socket.hpp"

namespace dlif::nl {

struct XfrmPolicy {
	enum class Direction : std::uint8_t { in, out, forward };
	Direction direction = Direction::out;
	bool allow = true;			// XFRM_POLICY_ALLOW (else BLOCK)
	bool ipv6 = true;			// selector family AF_INET6
	std::array<std::uint8_t, 16> source{};
	std::uint8_t source_length = 0;
	std::array<std::uint8_t, 16> destination{};
	std::uint8_t destination_length = 0;
	std::uint8_t protocol = 0;		// 0: any
	bool all_mh_types = true;		// proto 135: no MH type selected
	// A template asks for ESP and is not optional ("level required").
	bool requires_esp = false;
	// Of the policies that match a packet, the kernel applies the one
	// with the lowest value.
	std::uint32_t priority = 0;
};

// One XFRM_MSG_NEWPOLICY message of a dump; an error for anything else or
// a truncated one.
Result<XfrmPolicy> decode_xfrm_policy(const nlmsghdr &message);

// Every policy of the main policy database of the caller's namespace.
Result<std::vector<XfrmPolicy>> dump_xfrm_policies();

// A socket subscribed to the namespace's policy changes (XFRMNLGRP_POLICY):
// readable whenever a policy is added, changed, deleted or flushed. Open it
// before the dump it complements, so that no change falls between them.
Result<Socket> open_xfrm_policy_monitor();

} // namespace dlif::nl
