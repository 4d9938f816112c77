// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <cerrno>

#include "dlif/nl/transaction.hpp"
#include "test_util.hpp"

namespace dlif::nl {
namespace {

using test::Bytes;

constexpr uint32_t port = 4321;
constexpr uint16_t family = 0x1c;

Bytes reply(uint32_t seq, uint32_t value, uint16_t flags = 0, uint32_t pid = port)
{
	Bytes m;
	m.put(test::header(family, flags, seq, pid));
	m.put(value);
	m.set_u32(0, static_cast<uint32_t>(m.size()));
	return m;
}

Bytes request(uint32_t seq)
{
	Bytes r;
	r.put(test::header(family, NLM_F_REQUEST | NLM_F_ACK, seq, 0, NLMSG_HDRLEN));
	return r;
}

Bytes ack(uint32_t seq, int error, const std::string &message = {})
{
	Bytes tlvs;
	if (!message.empty())
		tlvs.attr_string(NLMSGERR_ATTR_MSG, message);
	return test::error_message(error, request(seq), true, tlvs, port);
}

Bytes join(std::initializer_list<Bytes> parts)
{
	Bytes all;
	for (const auto &p : parts)
		all.concat(p);
	return all;
}

uint32_t value_of(const nlmsghdr &msg)
{
	uint32_t v;
	std::memcpy(&v, message_payload(msg).data(), sizeof(v));
	return v;
}

TEST(ReplyTracker, RepliesThenAck)
{
	std::vector<uint32_t> seen;
	ReplyTracker t(7, port, RequestKind::acked, [&](const nlmsghdr &m) -> Status {
		seen.push_back(value_of(m));
		return {};
	});
	t.feed(join({reply(7, 1), reply(7, 2)}));
	EXPECT_FALSE(t.finished());
	t.feed(ack(7, 0));
	ASSERT_TRUE(t.finished());
	EXPECT_TRUE(t.outcome().ok());
	EXPECT_EQ(seen, (std::vector<uint32_t>{1, 2}));
	EXPECT_EQ(t.replies(), 2u);
}

TEST(ReplyTracker, ErrorCarriesExtack)
{
	ReplyTracker t(7, port, RequestKind::acked, {});
	t.feed(ack(7, EPERM, "need CAP_NET_ADMIN"));
	ASSERT_TRUE(t.finished());
	ASSERT_FALSE(t.outcome().ok());
	EXPECT_EQ(t.outcome().error().code, EPERM);
	EXPECT_EQ(t.outcome().error().message, "need CAP_NET_ADMIN");
}

TEST(ReplyTracker, SkipsStaleSequenceNumbersAndOtherPorts)
{
	int calls = 0;
	ReplyTracker t(8, port, RequestKind::acked, [&](const nlmsghdr &) -> Status {
		++calls;
		return {};
	});
	t.feed(join({reply(7, 1), ack(7, EEXIST), reply(8, 2, 0, port + 1)}));
	EXPECT_FALSE(t.finished());
	EXPECT_EQ(calls, 0);
	t.feed(join({reply(8, 3), ack(8, 0)}));
	EXPECT_TRUE(t.finished());
	EXPECT_TRUE(t.outcome().ok());
	EXPECT_EQ(calls, 1);
}

TEST(ReplyTracker, MultipartDumpAcrossDatagrams)
{
	std::vector<uint32_t> seen;
	ReplyTracker t(9, port, RequestKind::dump, [&](const nlmsghdr &m) -> Status {
		seen.push_back(value_of(m));
		return {};
	});
	t.feed(join({reply(9, 1, NLM_F_MULTI), reply(9, 2, NLM_F_MULTI)}));
	t.feed(join({reply(9, 3, NLM_F_MULTI)}));
	EXPECT_FALSE(t.finished());
	t.feed(test::done_message(9, port));
	ASSERT_TRUE(t.finished());
	EXPECT_TRUE(t.outcome().ok());
	EXPECT_FALSE(t.interrupted());
	EXPECT_EQ(seen, (std::vector<uint32_t>{1, 2, 3}));
}

TEST(ReplyTracker, DumpInterrupted)
{
	ReplyTracker t(9, port, RequestKind::dump, {});
	t.feed(join({reply(9, 1, NLM_F_MULTI), reply(9, 2, NLM_F_MULTI | NLM_F_DUMP_INTR)}));
	t.feed(test::done_message(9, port));
	ASSERT_TRUE(t.finished());
	EXPECT_TRUE(t.outcome().ok());
	EXPECT_TRUE(t.interrupted());
}

TEST(ReplyTracker, DumpEndingInError)
{
	Bytes tlvs;
	tlvs.attr_string(NLMSGERR_ATTR_MSG, "filter role out of range");
	ReplyTracker t(9, port, RequestKind::dump, {});
	t.feed(join({reply(9, 1, NLM_F_MULTI), test::done_message(9, port, ERANGE, tlvs)}));
	ASSERT_TRUE(t.finished());
	ASSERT_FALSE(t.outcome().ok());
	EXPECT_EQ(t.outcome().error().code, ERANGE);
	EXPECT_EQ(t.outcome().error().message, "filter role out of range");
}

TEST(ReplyTracker, DumpRefusedUpFront)
{
	ReplyTracker t(9, port, RequestKind::dump, {});
	t.feed(ack(9, EOPNOTSUPP));
	ASSERT_TRUE(t.finished());
	EXPECT_EQ(t.outcome().error().code, EOPNOTSUPP);
}

TEST(ReplyTracker, HandlerErrorStopsCallbacksButDrains)
{
	int calls = 0;
	ReplyTracker t(9, port, RequestKind::dump, [&](const nlmsghdr &) -> Status {
		++calls;
		return make_error(EBADMSG, "cannot decode");
	});
	t.feed(join({reply(9, 1, NLM_F_MULTI), reply(9, 2, NLM_F_MULTI)}));
	EXPECT_FALSE(t.finished());
	t.feed(test::done_message(9, port));
	ASSERT_TRUE(t.finished());
	EXPECT_EQ(calls, 1);
	EXPECT_EQ(t.outcome().error().message, "cannot decode");
}

TEST(ReplyTracker, WarningsAreCollected)
{
	ReplyTracker t(3, port, RequestKind::acked, {});
	t.feed(ack(3, 0, "peer is not reachable yet"));
	ASSERT_TRUE(t.finished());
	EXPECT_TRUE(t.outcome().ok());
	ASSERT_EQ(t.warnings().size(), 1u);
	EXPECT_EQ(t.warnings()[0], "peer is not reachable yet");
}

TEST(ReplyTracker, TruncatedDatagramFails)
{
	ReplyTracker t(3, port, RequestKind::acked, {});
	Bytes r = reply(3, 1);
	t.feed(r.span().first(r.size() - 1));
	ASSERT_TRUE(t.finished());
	EXPECT_EQ(t.outcome().error().code, EBADMSG);
}

TEST(ReplyTracker, KernelPortZeroIsAccepted)
{
	ReplyTracker t(3, port, RequestKind::acked, {});
	Bytes a = test::error_message(0, request(3), true, {}, 0);
	t.feed(a);
	EXPECT_TRUE(t.finished());
}

}  // namespace
}  // namespace dlif::nl
