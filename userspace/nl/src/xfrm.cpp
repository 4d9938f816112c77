// SPDX-License-Identifier: GPL-2.0
#include "dlif/nl/xfrm.hpp"

#include <linux/xfrm.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "dlif/nl/transaction.hpp"

namespace dlif::nl {

Result<XfrmPolicy> decode_xfrm_policy(const nlmsghdr &message)
{
	if (message.nlmsg_type != XFRM_MSG_NEWPOLICY)
		return make_error(EPROTO, "not an xfrm policy (type " + std::to_string(message.nlmsg_type) + ")");
	if (message.nlmsg_len < NLMSG_LENGTH(sizeof(xfrm_userpolicy_info)))
		return make_error(EPROTO, "truncated xfrm policy");
	xfrm_userpolicy_info info;
	std::memcpy(&info, NLMSG_DATA(&message), sizeof(info));
	XfrmPolicy policy;
	switch (info.dir) {
	case XFRM_POLICY_IN:
		policy.direction = XfrmPolicy::Direction::in;
		break;
	case XFRM_POLICY_OUT:
		policy.direction = XfrmPolicy::Direction::out;
		break;
	default:
		policy.direction = XfrmPolicy::Direction::forward;
		break;
	}
	policy.allow = info.action == XFRM_POLICY_ALLOW;
	policy.ipv6 = info.sel.family == AF_INET6;
	std::memcpy(policy.source.data(), &info.sel.saddr, 16);
	std::memcpy(policy.destination.data(), &info.sel.daddr, 16);
	policy.source_length = info.sel.prefixlen_s;
	policy.destination_length = info.sel.prefixlen_d;
	policy.protocol = info.sel.proto;
	policy.priority = info.priority;
	// For the Mobility Header the selector's source "port" holds the MH
	// type (RFC 3775 §10.6 / xfrm): a mask selects some types only.
	policy.all_mh_types = info.sel.sport_mask == 0;

	// Attributes follow the fixed part, each 4-octet aligned.
	const auto *base = reinterpret_cast<const std::uint8_t *>(NLMSG_DATA(&message));
	std::size_t offset = NLMSG_ALIGN(sizeof(info));
	const std::size_t end = message.nlmsg_len - NLMSG_HDRLEN;
	while (offset + sizeof(nlattr) <= end) {
		nlattr attr;
		std::memcpy(&attr, base + offset, sizeof(attr));
		if (attr.nla_len < sizeof(nlattr) || offset + attr.nla_len > end)
			return make_error(EPROTO, "malformed xfrm policy attribute");
		if ((attr.nla_type & NLA_TYPE_MASK) == XFRMA_TMPL) {
			const std::size_t count = (attr.nla_len - NLA_HDRLEN) / sizeof(xfrm_user_tmpl);
			for (std::size_t i = 0; i < count; ++i) {
				xfrm_user_tmpl tmpl;
				std::memcpy(&tmpl, base + offset + NLA_HDRLEN + i * sizeof(tmpl), sizeof(tmpl));
				if (tmpl.id.proto == IPPROTO_ESP && tmpl.optional == 0)
					policy.requires_esp = true;
			}
		}
		offset += NLA_ALIGN(attr.nla_len);
	}
	return policy;
}

Result<std::vector<XfrmPolicy>> dump_xfrm_policies()
{
	auto socket = Socket::open(NETLINK_XFRM);
	if (!socket)
		return socket.error();
	// Like iproute2's: a header and a family octet, no selector (the
	// kernel dumps every policy of the namespace).
	alignas(nlmsghdr) std::byte request[NLMSG_LENGTH(4)]{};
	auto *header = reinterpret_cast<nlmsghdr *>(request);
	header->nlmsg_len = NLMSG_LENGTH(4);
	header->nlmsg_type = XFRM_MSG_GETPOLICY;
	header->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	header->nlmsg_seq = socket->next_seq();
	std::vector<XfrmPolicy> policies;
	auto summary = dump(*socket, request, [&](const nlmsghdr &message) -> Status {
		auto policy = decode_xfrm_policy(message);
		if (!policy)
			return policy.error();
		policies.push_back(*policy);
		return {};
	});
	if (!summary)
		return summary.error();
	return policies;
}

Result<Socket> open_xfrm_policy_monitor()
{
	auto socket = Socket::open(NETLINK_XFRM);
	if (!socket)
		return socket.error();
	if (auto joined = socket->join_group(XFRMNLGRP_POLICY); !joined)
		return joined.error();
	return socket;
}

} // namespace dlif::nl
