// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <array>
#include <cerrno>

#include "dlif/nl/message.hpp"
#include "test_util.hpp"

namespace dlif::nl {
namespace {

using test::Bytes;

TEST(MessageBuilder, WritesHeaderAndAttributes)
{
	alignas(8) std::byte buf[256];
	MessageBuilder msg(buf, 0x20, NLM_F_REQUEST | NLM_F_ACK, 77);
	msg.put_u8(1, 0xab);
	msg.put_u16(2, 0x1234);
	msg.put_u32(3, 0xdeadbeef);
	msg.put_string(4, "abc");
	msg.put_ipv6(5, *Ipv6Address::from_string("2001:db8::1"));
	msg.put_mac(6, *MacAddress::from_string("02:00:00:00:00:01"));
	ASSERT_TRUE(msg.ok());

	// 16 header + u8 8 + u16 8 + u32 8 + "abc\0" 8 + in6 20 + mac 12 (10 aligned)
	EXPECT_EQ(msg.size(), 16u + 8 + 8 + 8 + 8 + 20 + 12);
	const nlmsghdr *h = msg.header();
	EXPECT_EQ(h->nlmsg_type, 0x20);
	EXPECT_EQ(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	EXPECT_EQ(h->nlmsg_seq, 77u);

	std::array<const nlattr *, 8> tb{};
	ASSERT_TRUE(parse_attributes(message_payload(*h), tb));
	EXPECT_EQ(read_u8(tb[1]), 0xab);
	EXPECT_EQ(read_u16(tb[2]), 0x1234);
	EXPECT_EQ(read_u32(tb[3]), 0xdeadbeefu);
	EXPECT_EQ(read_string(tb[4]), "abc");
	EXPECT_EQ(read_ipv6(tb[5]), Ipv6Address::from_string("2001:db8::1"));
	EXPECT_EQ(read_mac(tb[6]), MacAddress::from_string("02:00:00:00:00:01"));
	EXPECT_EQ(tb[7], nullptr);
	// Lengths are checked exactly: a u32 is not a u8 nor an address.
	EXPECT_FALSE(read_u8(tb[3]));
	EXPECT_FALSE(read_ipv6(tb[3]));
	EXPECT_FALSE(read_u64(tb[3]));
}

TEST(MessageBuilder, NestsAndAlignsU64)
{
	alignas(8) std::byte buf[256];
	MessageBuilder msg(buf, 0x20, NLM_F_REQUEST, 1);
	auto nest = msg.begin_nest(1);
	msg.put_u64(2, 0x0102030405060708ull, 9);	// aligned as it comes
	msg.put_u64(4, 0x1112131415161718ull, 9);	// needs a pad first
	msg.end_nest(nest);
	ASSERT_TRUE(msg.ok());
	std::array<const nlattr *, 3> top{};
	ASSERT_TRUE(parse_attributes(message_payload(*msg.header()), top));
	ASSERT_NE(top[1], nullptr);
	std::array<const nlattr *, 10> inner{};
	ASSERT_TRUE(parse_nested(*top[1], inner));
	ASSERT_NE(inner[2], nullptr);
	ASSERT_NE(inner[4], nullptr);
	EXPECT_EQ(read_u64(inner[2]), 0x0102030405060708ull);
	EXPECT_EQ(read_u64(inner[4]), 0x1112131415161718ull);
	// Both values sit 8-byte aligned within the message.
	for (int type : {2, 4}) {
		auto offset = attribute_payload(*inner[type]).data() - buf;
		EXPECT_EQ(offset % 8, 0) << type;
	}
	EXPECT_NE(inner[9], nullptr);
	// 16 + nest 4 + u64 12 + pad 4 + u64 12
	EXPECT_EQ(msg.size(), 48u);
}

TEST(MessageBuilder, TurnsNotOkWhenFull)
{
	alignas(8) std::byte buf[40];
	MessageBuilder msg(buf, 0x20, 0, 1);
	msg.put_u32(1, 1);	// 24
	msg.put_u32(2, 2);	// 32
	EXPECT_TRUE(msg.ok());
	msg.put_ipv6(3, Ipv6Address{});	// would be 52
	EXPECT_FALSE(msg.ok());
	EXPECT_EQ(msg.size(), 0u);
	msg.put_u8(4, 1);	// ignored
	EXPECT_FALSE(msg.ok());
	EXPECT_TRUE(msg.bytes().empty());
}

TEST(MessageBuilder, RefusesTinyOrMisalignedBuffers)
{
	alignas(8) std::byte buf[32];
	EXPECT_FALSE(MessageBuilder(std::span(buf, 8), 1, 0, 0).ok());
	EXPECT_FALSE(MessageBuilder(std::span(buf + 1, 20), 1, 0, 0).ok());
}

TEST(MessageBuilder, StringWithoutTerminatorInTheView)
{
	alignas(8) std::byte buf[64];
	std::string_view text = std::string_view("abcdef").substr(0, 3);
	MessageBuilder msg(buf, 1, 0, 0);
	msg.put_string(1, text);
	std::array<const nlattr *, 2> tb{};
	ASSERT_TRUE(parse_attributes(message_payload(*msg.header()), tb));
	EXPECT_EQ(read_string(tb[1]), "abc");
	EXPECT_EQ(tb[1]->nla_len, NLA_HDRLEN + 4);
}

TEST(ParseAttributes, SkipsUnknownTypesAndStripsFlags)
{
	Bytes b;
	b.attr_value<uint32_t>(1, 5);
	b.attr_value<uint32_t>(200, 6);	// newer than the table
	b.attr_value<uint32_t>(2 | NLA_F_NESTED, 7);
	std::array<const nlattr *, 3> tb{};
	ASSERT_TRUE(parse_attributes(b, tb));
	EXPECT_EQ(read_u32(tb[1]), 5u);
	EXPECT_EQ(read_u32(tb[2]), 7u);
}

TEST(ParseAttributes, RejectsOverlongAndShortAttributes)
{
	Bytes b;
	b.attr_value<uint32_t>(1, 5);
	b.set_u16(0, 200);	// nla_len past the end
	std::array<const nlattr *, 3> tb{};
	EXPECT_FALSE(parse_attributes(b, tb));

	Bytes c;
	c.attr_value<uint32_t>(1, 5);
	c.set_u16(0, 2);	// shorter than its own header
	EXPECT_FALSE(parse_attributes(c, tb));

	// Fewer trailing bytes than a header are ignored, as by the kernel.
	Bytes d;
	d.attr_value<uint32_t>(1, 5);
	d.append("\x01\x02", 2);
	EXPECT_TRUE(parse_attributes(d, tb));
	EXPECT_EQ(read_u32(tb[1]), 5u);
	EXPECT_TRUE(parse_attributes({}, tb));
	EXPECT_EQ(tb[1], nullptr);
}

TEST(ForEachMessage, WalksAndDetectsTruncation)
{
	Bytes d;
	for (uint32_t seq = 1; seq <= 3; ++seq) {
		d.put(test::header(NLMSG_NOOP, 0, seq, 0, NLMSG_HDRLEN + 4));
		d.put(uint32_t{0});
	}
	std::vector<uint32_t> seqs;
	EXPECT_TRUE(for_each_message(d.span(), [&](const nlmsghdr &m) {
		seqs.push_back(m.nlmsg_seq);
		return true;
	}));
	EXPECT_EQ(seqs, (std::vector<uint32_t>{1, 2, 3}));

	seqs.clear();
	EXPECT_TRUE(for_each_message(d.span(), [&](const nlmsghdr &m) {
		seqs.push_back(m.nlmsg_seq);
		return false;
	}));
	EXPECT_EQ(seqs.size(), 1u);

	EXPECT_FALSE(for_each_message(d.span().first(d.size() - 2), [](const nlmsghdr &) { return true; }));
	EXPECT_FALSE(for_each_message(d.span().first(10), [](const nlmsghdr &) { return true; }));
}

// A request to answer: a genl-like header and one attribute.
Bytes sample_request()
{
	Bytes r;
	r.put(test::header(0x1c, NLM_F_REQUEST | NLM_F_ACK, 42, 0));
	r.put(uint32_t{0x00000101});
	r.attr_value<uint32_t>(3, 9);
	r.set_u32(0, static_cast<uint32_t>(r.size()));
	return r;
}

Bytes extack(const std::string &text, std::optional<uint32_t> offset = {},
	     std::optional<uint32_t> missing = {})
{
	Bytes t;
	if (!text.empty())
		t.attr_string(NLMSGERR_ATTR_MSG, text);
	if (offset)
		t.attr_value(NLMSGERR_ATTR_OFFS, *offset);
	if (missing)
		t.attr_value(NLMSGERR_ATTR_MISS_TYPE, *missing);
	return t;
}

TEST(ParseErrorMessage, PositiveAck)
{
	Bytes m = test::error_message(0, sample_request(), true, {}, 1234);
	const auto *h = reinterpret_cast<const nlmsghdr *>(m.data());
	auto ack = parse_error_message(*h);
	ASSERT_TRUE(ack);
	EXPECT_EQ(ack->error, 0);
	EXPECT_TRUE(ack->message.empty());
}

TEST(ParseErrorMessage, CappedWithExtack)
{
	Bytes m = test::error_message(EEXIST, sample_request(), true,
				      extack("prefix already has an entry", 20u), 1234);
	auto ack = parse_error_message(*reinterpret_cast<const nlmsghdr *>(m.data()));
	ASSERT_TRUE(ack);
	EXPECT_EQ(ack->error, EEXIST);
	EXPECT_EQ(ack->message, "prefix already has an entry");
	EXPECT_EQ(ack->offset, 20u);
	Error e = ack->to_error();
	EXPECT_EQ(e.code, EEXIST);
	EXPECT_EQ(e.describe(), "prefix already has an entry");
}

TEST(ParseErrorMessage, UncappedEchoesTheRequestBeforeTheTlvs)
{
	Bytes m = test::error_message(EINVAL, sample_request(), false,
				      extack("bad role", {}, 5u), 1234);
	auto ack = parse_error_message(*reinterpret_cast<const nlmsghdr *>(m.data()));
	ASSERT_TRUE(ack);
	EXPECT_EQ(ack->error, EINVAL);
	EXPECT_EQ(ack->message, "bad role");
	EXPECT_EQ(ack->missing_type, 5u);
	EXPECT_FALSE(ack->offset);
}

TEST(ParseErrorMessage, ErrorWithoutExtackDescribesWithStrerror)
{
	Bytes m = test::error_message(ENOENT, sample_request(), true, {}, 1);
	auto ack = parse_error_message(*reinterpret_cast<const nlmsghdr *>(m.data()));
	ASSERT_TRUE(ack);
	EXPECT_EQ(ack->error, ENOENT);
	EXPECT_EQ(ack->to_error().describe(), "No such file or directory");
}

TEST(ParseErrorMessage, WarningOnSuccess)
{
	Bytes m = test::error_message(0, sample_request(), true, extack("hop limit clamped"), 1);
	auto ack = parse_error_message(*reinterpret_cast<const nlmsghdr *>(m.data()));
	ASSERT_TRUE(ack);
	EXPECT_EQ(ack->error, 0);
	EXPECT_EQ(ack->message, "hop limit clamped");
}

TEST(ParseErrorMessage, TooShortIsMalformed)
{
	Bytes m;
	m.put(test::header(NLMSG_ERROR, 0, 1, 1, NLMSG_HDRLEN + 4));
	m.put(int{-1});
	EXPECT_FALSE(parse_error_message(*reinterpret_cast<const nlmsghdr *>(m.data())));
}

TEST(ParseErrorMessage, MalformedTlvsKeepTheCode)
{
	Bytes tlvs;
	tlvs.attr_string(NLMSGERR_ATTR_MSG, "x");
	tlvs.set_u16(0, 300);
	Bytes m = test::error_message(EPERM, sample_request(), true, tlvs, 1);
	auto ack = parse_error_message(*reinterpret_cast<const nlmsghdr *>(m.data()));
	ASSERT_TRUE(ack);
	EXPECT_EQ(ack->error, EPERM);
	EXPECT_TRUE(ack->message.empty());
}

TEST(ParseDoneMessage, BareAndWithError)
{
	Bytes ok = test::done_message(5, 1);
	EXPECT_EQ(parse_done_message(*reinterpret_cast<const nlmsghdr *>(ok.data())).error, 0);

	Bytes failed = test::done_message(5, 1, EINVAL, extack("unknown role in filter"));
	Ack ack = parse_done_message(*reinterpret_cast<const nlmsghdr *>(failed.data()));
	EXPECT_EQ(ack.error, EINVAL);
	EXPECT_EQ(ack.message, "unknown role in filter");

	// Some families end dumps with an empty DONE.
	Bytes empty;
	empty.put(test::header(NLMSG_DONE, NLM_F_MULTI, 5, 1, NLMSG_HDRLEN));
	EXPECT_EQ(parse_done_message(*reinterpret_cast<const nlmsghdr *>(empty.data())).error, 0);
}

}  // namespace
}  // namespace dlif::nl
