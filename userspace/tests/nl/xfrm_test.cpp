// SPDX-License-Identifier: GPL-2.0
//
// Decoding an XFRM_MSG_NEWPOLICY as the kernel sends it in a dump, built
// here from the uapi structures (the daemon's smoke test reads the host
// kernel's own).
#include <gtest/gtest.h>

#include <linux/xfrm.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <vector>

#include "dlif/nl/xfrm.hpp"

namespace dlif::nl {
namespace {

struct PolicyMessage {
	std::vector<std::byte> bytes;
	const nlmsghdr &header() const { return *reinterpret_cast<const nlmsghdr *>(bytes.data()); }
};

// "ip xfrm policy add src 2001:db8::1/128 dst 2001:db8::2/128 proto 135
// dir in priority 42 tmpl ... proto esp mode transport [level use]".
PolicyMessage policy_message(std::uint8_t esp_optional, std::uint8_t action = XFRM_POLICY_ALLOW)
{
	xfrm_userpolicy_info info{};
	info.sel.family = AF_INET6;
	info.sel.saddr.a6[0] = htonl(0x20010db8);
	info.sel.saddr.a6[3] = htonl(1);
	info.sel.daddr.a6[0] = htonl(0x20010db8);
	info.sel.daddr.a6[3] = htonl(2);
	info.sel.prefixlen_s = 128;
	info.sel.prefixlen_d = 128;
	info.sel.proto = 135;
	info.dir = XFRM_POLICY_IN;
	info.action = action;
	info.priority = 42;
	xfrm_user_tmpl tmpl{};
	tmpl.id.proto = IPPROTO_ESP;
	tmpl.family = AF_INET6;
	tmpl.mode = XFRM_MODE_TRANSPORT;
	tmpl.optional = esp_optional;

	const std::size_t attr_len = NLA_HDRLEN + sizeof(tmpl);
	const std::size_t length = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(info)) + NLA_ALIGN(attr_len));
	PolicyMessage message;
	message.bytes.resize(NLMSG_ALIGN(length) + alignof(nlmsghdr));
	auto *header = reinterpret_cast<nlmsghdr *>(message.bytes.data());
	header->nlmsg_len = static_cast<std::uint32_t>(length);
	header->nlmsg_type = XFRM_MSG_NEWPOLICY;
	auto *data = static_cast<std::uint8_t *>(NLMSG_DATA(header));
	std::memcpy(data, &info, sizeof(info));
	nlattr attr{static_cast<std::uint16_t>(attr_len), XFRMA_TMPL};
	std::memcpy(data + NLMSG_ALIGN(sizeof(info)), &attr, sizeof(attr));
	std::memcpy(data + NLMSG_ALIGN(sizeof(info)) + NLA_HDRLEN, &tmpl, sizeof(tmpl));
	return message;
}

TEST(Xfrm, DecodesAPolicyWithItsTemplateAndPriority)
{
	const auto message = policy_message(0);
	auto policy = decode_xfrm_policy(message.header());
	ASSERT_TRUE(policy) << policy.error().describe();
	EXPECT_EQ(policy->direction, XfrmPolicy::Direction::in);
	EXPECT_TRUE(policy->allow);
	EXPECT_TRUE(policy->ipv6);
	EXPECT_EQ(policy->source[0], 0x20);
	EXPECT_EQ(policy->source[15], 1);
	EXPECT_EQ(policy->destination[15], 2);
	EXPECT_EQ(policy->source_length, 128);
	EXPECT_EQ(policy->protocol, 135);
	EXPECT_TRUE(policy->all_mh_types);
	EXPECT_TRUE(policy->requires_esp);
	EXPECT_EQ(policy->priority, 42u);
}

TEST(Xfrm, AnOptionalTemplateRequiresNothing)
{
	const auto message = policy_message(1);
	auto policy = decode_xfrm_policy(message.header());
	ASSERT_TRUE(policy);
	EXPECT_FALSE(policy->requires_esp);
	const auto blocking = policy_message(0, XFRM_POLICY_BLOCK);
	EXPECT_FALSE(decode_xfrm_policy(blocking.header())->allow);
}

TEST(Xfrm, TruncatedOrForeignMessagesAreErrors)
{
	auto message = policy_message(0);
	auto *header = reinterpret_cast<nlmsghdr *>(message.bytes.data());
	header->nlmsg_len -= 4;	// the template attribute now overruns
	EXPECT_FALSE(decode_xfrm_policy(*header));
	header->nlmsg_len = NLMSG_LENGTH(8);
	EXPECT_FALSE(decode_xfrm_policy(*header));
	header->nlmsg_type = XFRM_MSG_NEWSA;
	EXPECT_FALSE(decode_xfrm_policy(*header));
}

} // namespace
} // namespace dlif::nl
