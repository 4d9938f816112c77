// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>
#include <linux/dlif.h>
#include <linux/genetlink.h>

#include <array>
#include <cerrno>

#include "dlif/nl/dlif_codec.hpp"
#include "dlif/nl/genl.hpp"
#include "test_util.hpp"

namespace dlif::nl {
namespace {

using test::Bytes;

constexpr DlifAddressing to{0x1d, 500};

Ipv6Address addr(const char *text)
{
	return *Ipv6Address::from_string(text);
}

Entry full_entry()
{
	Entry e;
	e.prefix = *Ipv6Prefix::from_string("2001:db8:a::/64");
	e.role = Role::serving;
	e.peer = addr("2001:db8::1");
	e.local = addr("2001:db8::2");
	e.ifindex = 5;
	e.hop_limit = 32;
	return e;
}

struct Message {
	alignas(8) std::array<std::byte, max_dlif_message_bytes> bytes{};
	std::size_t size = 0;
	const nlmsghdr &header() const { return *reinterpret_cast<const nlmsghdr *>(bytes.data()); }
};

// The DLIF_A_ENTRY (or DLIF_A_DEV) attributes of a message.
template <std::size_t N>
std::array<const nlattr *, N> inner(const Message &m, uint16_t nest_type)
{
	std::array<const nlattr *, DLIF_A_MAX + 1> top{};
	EXPECT_TRUE(parse_attributes(genl_attributes(m.header()), top));
	std::array<const nlattr *, N> tb{};
	EXPECT_NE(top[nest_type], nullptr);
	if (top[nest_type]) {
		EXPECT_TRUE(parse_nested(*top[nest_type], tb));
	}
	return tb;
}

uint8_t version_of(const nlmsghdr &h)
{
	return reinterpret_cast<const genlmsghdr *>(message_payload(h).data())->version;
}

TEST(DlifCodec, AddRoundTrip)
{
	Message m;
	m.size = encode_entry_op(m.bytes, to, {EntryOpKind::add, full_entry()});
	ASSERT_GT(m.size, 0u);
	EXPECT_EQ(m.header().nlmsg_len, m.size);
	EXPECT_EQ(m.header().nlmsg_type, to.family);
	EXPECT_EQ(m.header().nlmsg_seq, to.seq);
	EXPECT_EQ(m.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	EXPECT_EQ(genl_command(m.header()), DLIF_CMD_ENTRY_NEW);
	EXPECT_EQ(version_of(m.header()), DLIF_FAMILY_VERSION);

	auto decoded = decode_entry(m.header());
	ASSERT_TRUE(decoded) << decoded.error().describe();
	EXPECT_EQ(*decoded, full_entry());

	auto tb = inner<DLIF_ENTRY_A_MAX + 1>(m, DLIF_A_ENTRY);
	EXPECT_EQ(tb[DLIF_ENTRY_A_STATS], nullptr);	// never in requests
}

TEST(DlifCodec, ReplaceUsesEntrySet)
{
	Message m;
	m.size = encode_entry_op(m.bytes, to, {EntryOpKind::replace, full_entry()});
	EXPECT_EQ(genl_command(m.header()), DLIF_CMD_ENTRY_SET);
	EXPECT_EQ(*decode_entry(m.header()), full_entry());
}

TEST(DlifCodec, MinimalEntryLeavesOptionalAttributesOut)
{
	Entry e;
	e.prefix = *Ipv6Prefix::from_string("2001:db8:b::/48");
	e.role = Role::local_export;
	Message m;
	m.size = encode_entry_op(m.bytes, to, {EntryOpKind::add, e});
	auto tb = inner<DLIF_ENTRY_A_MAX + 1>(m, DLIF_A_ENTRY);
	EXPECT_EQ(tb[DLIF_ENTRY_A_PEER], nullptr);
	EXPECT_EQ(tb[DLIF_ENTRY_A_LOCAL], nullptr);
	EXPECT_EQ(tb[DLIF_ENTRY_A_IFINDEX], nullptr);
	EXPECT_EQ(read_u8(tb[DLIF_ENTRY_A_HOP_LIMIT]), 64);
	EXPECT_EQ(read_u8(tb[DLIF_ENTRY_A_ROLE]), DLIF_ROLE_LOCAL_EXPORT);
	EXPECT_EQ(read_u8(tb[DLIF_ENTRY_A_PREFIX_LEN]), 48);
	EXPECT_EQ(*decode_entry(m.header()), e);
}

// An entry naming one node of a DLIF shared by several (attached role:
// no peer) carries the node's MAC, and decodes back to it.
TEST(DlifCodec, EntryNamingANodeOfItsDlif)
{
	Entry e;
	e.prefix = *Ipv6Prefix::from_string("2001:db8:5::/64");
	e.role = Role::attached;
	e.ifindex = 9;
	e.mn = MacAddress::from_string("02:00:00:00:01:02");
	Message m;
	m.size = encode_entry_op(m.bytes, to, {EntryOpKind::add, e});
	auto tb = inner<DLIF_ENTRY_A_MAX + 1>(m, DLIF_A_ENTRY);
	EXPECT_EQ(read_u8(tb[DLIF_ENTRY_A_ROLE]), DLIF_ROLE_ATTACHED);
	EXPECT_EQ(read_mac(tb[DLIF_ENTRY_A_MN_ADDR]), e.mn);
	EXPECT_EQ(tb[DLIF_ENTRY_A_PEER], nullptr);
	EXPECT_EQ(*decode_entry(m.header()), e);
	EXPECT_EQ(role_name(Role::attached), "attached");
	EXPECT_EQ(parse_role("attached"), Role::attached);

	Message minimal;
	minimal.size = encode_entry_op(minimal.bytes, to, {EntryOpKind::add, full_entry()});
	EXPECT_EQ((inner<DLIF_ENTRY_A_MAX + 1>(minimal, DLIF_A_ENTRY)[DLIF_ENTRY_A_MN_ADDR]), nullptr)
		<< "no node: the DLIF's primary one";
}

TEST(DlifCodec, DeleteCarriesOnlyTheKey)
{
	Message m;
	m.size = encode_entry_op(m.bytes, to, {EntryOpKind::remove, full_entry()});
	EXPECT_EQ(genl_command(m.header()), DLIF_CMD_ENTRY_DEL);
	auto tb = inner<DLIF_ENTRY_A_MAX + 1>(m, DLIF_A_ENTRY);
	EXPECT_EQ(read_ipv6(tb[DLIF_ENTRY_A_PREFIX]), addr("2001:db8:a::"));
	EXPECT_EQ(read_u8(tb[DLIF_ENTRY_A_PREFIX_LEN]), 64);
	for (uint16_t t : {DLIF_ENTRY_A_ROLE, DLIF_ENTRY_A_PEER, DLIF_ENTRY_A_LOCAL,
			   DLIF_ENTRY_A_IFINDEX, DLIF_ENTRY_A_HOP_LIMIT})
		EXPECT_EQ(tb[t], nullptr) << t;
}

TEST(DlifCodec, GetIsAckedDo)
{
	Message m;
	m.size = encode_entry_get(m.bytes, to, *Ipv6Prefix::from_string("2001:db8::/32"));
	EXPECT_EQ(m.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	EXPECT_EQ(genl_command(m.header()), DLIF_CMD_ENTRY_GET);
	auto tb = inner<DLIF_ENTRY_A_MAX + 1>(m, DLIF_A_ENTRY);
	EXPECT_EQ(read_u8(tb[DLIF_ENTRY_A_PREFIX_LEN]), 32);
}

TEST(DlifCodec, DumpWithoutFilterHasNoNest)
{
	Message m;
	m.size = encode_entry_dump(m.bytes, to, {});
	EXPECT_EQ(m.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	EXPECT_EQ(genl_command(m.header()), DLIF_CMD_ENTRY_GET);
	EXPECT_TRUE(genl_attributes(m.header()).empty());
}

TEST(DlifCodec, DumpFilter)
{
	EntryFilter f;
	f.role = Role::anchor;
	f.peer = addr("2001:db8::9");
	f.ifindex = 12;
	f.mn = MacAddress::from_string("02:00:00:00:01:02");
	Message m;
	m.size = encode_entry_dump(m.bytes, to, f);
	auto tb = inner<DLIF_ENTRY_A_MAX + 1>(m, DLIF_A_ENTRY);
	EXPECT_EQ(read_u8(tb[DLIF_ENTRY_A_ROLE]), DLIF_ROLE_ANCHOR);
	EXPECT_EQ(read_ipv6(tb[DLIF_ENTRY_A_PEER]), f.peer);
	EXPECT_EQ(read_u32(tb[DLIF_ENTRY_A_IFINDEX]), 12u);
	EXPECT_EQ(read_mac(tb[DLIF_ENTRY_A_MN_ADDR]), f.mn);
	EXPECT_EQ(tb[DLIF_ENTRY_A_PREFIX], nullptr);
}

TEST(DlifCodec, FlushAllSendsAnEmptyNest)
{
	Message m;
	m.size = encode_entry_flush(m.bytes, to, {});
	EXPECT_EQ(genl_command(m.header()), DLIF_CMD_ENTRY_FLUSH);
	EXPECT_EQ(m.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	auto tb = inner<DLIF_ENTRY_A_MAX + 1>(m, DLIF_A_ENTRY);
	for (const nlattr *a : tb)
		EXPECT_EQ(a, nullptr);

	FlushFilter f{addr("2001:db8::7"), 3};
	m.size = encode_entry_flush(m.bytes, to, f);
	tb = inner<DLIF_ENTRY_A_MAX + 1>(m, DLIF_A_ENTRY);
	EXPECT_EQ(read_ipv6(tb[DLIF_ENTRY_A_PEER]), f.peer);
	EXPECT_EQ(read_u32(tb[DLIF_ENTRY_A_IFINDEX]), 3u);
}

TEST(DlifCodec, ReplyWithStatsRoundTrip)
{
	Entry e = full_entry();
	e.stats = EntryStats{10, 1040, 9, 936, 1, 2, 3, 4, 5, 0xffffffffffffull};
	Message m;
	m.size = encode_entry_message(m.bytes, to, DLIF_CMD_ENTRY_GET, NLM_F_MULTI, e);
	ASSERT_GT(m.size, 0u);
	auto decoded = decode_entry(m.header());
	ASSERT_TRUE(decoded) << decoded.error().describe();
	EXPECT_EQ(*decoded, e);
}

// A reply assembled by hand like the kernel's nla_put_u64_64bit would on
// an architecture that pads: PAD attributes in front of every counter,
// and an attribute type this code does not know yet.
TEST(DlifCodec, DecodesKernelLayoutWithPadsAndUnknownAttributes)
{
	Bytes stats;
	uint64_t v = 7;
	for (uint16_t t = DLIF_STATS_A_ENCAP_PACKETS; t <= DLIF_STATS_A_DROP_OTHER; ++t) {
		stats.attr(DLIF_STATS_A_PAD, nullptr, 0);
		stats.attr_value(t, v++);
	}
	stats.attr_value<uint64_t>(60, 1);	// a future counter

	Bytes entry;
	auto prefix = addr("2001:db8:c::");
	entry.attr(DLIF_ENTRY_A_PREFIX, prefix.bytes.data(), 16);
	entry.attr_value<uint8_t>(DLIF_ENTRY_A_PREFIX_LEN, 56);
	entry.attr_value<uint8_t>(DLIF_ENTRY_A_ROLE, DLIF_ROLE_ANCHOR);
	auto peer = addr("2001:db8::33");
	entry.attr(DLIF_ENTRY_A_PEER, peer.bytes.data(), 16);
	entry.attr_value<uint32_t>(DLIF_ENTRY_A_IFINDEX, 9);
	entry.attr_value<uint8_t>(DLIF_ENTRY_A_HOP_LIMIT, 255);
	entry.attr(DLIF_ENTRY_A_STATS | NLA_F_NESTED, stats.data(), stats.size());
	entry.attr_value<uint32_t>(40, 1);	// a future attribute

	Bytes m;
	m.put(test::header(to.family, NLM_F_MULTI, 1, 1));
	genlmsghdr g{DLIF_CMD_ENTRY_GET, DLIF_FAMILY_VERSION, 0};
	m.put(g);
	m.attr(DLIF_A_ENTRY | NLA_F_NESTED, entry.data(), entry.size());
	m.set_u32(0, static_cast<uint32_t>(m.size()));

	auto decoded = decode_entry(*reinterpret_cast<const nlmsghdr *>(m.data()));
	ASSERT_TRUE(decoded) << decoded.error().describe();
	EXPECT_EQ(decoded->prefix.to_string(), "2001:db8:c::/56");
	EXPECT_EQ(decoded->role, Role::anchor);
	EXPECT_EQ(decoded->peer, peer);
	EXPECT_TRUE(decoded->local.is_unspecified());
	EXPECT_EQ(decoded->ifindex, 9u);
	EXPECT_EQ(decoded->hop_limit, 255);
	ASSERT_TRUE(decoded->stats);
	EXPECT_EQ(decoded->stats->encap_packets, 7u);
	EXPECT_EQ(decoded->stats->drop_other, 16u);
}

Bytes entry_message(const Bytes &entry_attrs, uint8_t cmd = DLIF_CMD_ENTRY_GET)
{
	Bytes m;
	m.put(test::header(to.family, 0, 1, 1));
	genlmsghdr g{cmd, DLIF_FAMILY_VERSION, 0};
	m.put(g);
	m.attr(DLIF_A_ENTRY | NLA_F_NESTED, entry_attrs.data(), entry_attrs.size());
	m.set_u32(0, static_cast<uint32_t>(m.size()));
	return m;
}

Bytes key(uint8_t length)
{
	Bytes b;
	auto p = addr("2001:db8::");
	b.attr(DLIF_ENTRY_A_PREFIX, p.bytes.data(), 16);
	b.attr_value<uint8_t>(DLIF_ENTRY_A_PREFIX_LEN, length);
	return b;
}

TEST(DlifCodec, RejectsMalformedEntries)
{
	auto decode = [](const Bytes &m) {
		return decode_entry(*reinterpret_cast<const nlmsghdr *>(m.data()));
	};
	Bytes no_role = key(64);
	EXPECT_EQ(decode(entry_message(no_role)).error().code, EBADMSG);

	Bytes too_long = key(129);
	too_long.attr_value<uint8_t>(DLIF_ENTRY_A_ROLE, 1);
	EXPECT_EQ(decode(entry_message(too_long)).error().code, EBADMSG);

	Bytes short_peer = key(64);
	short_peer.attr_value<uint8_t>(DLIF_ENTRY_A_ROLE, 1);
	short_peer.attr_value<uint32_t>(DLIF_ENTRY_A_PEER, 1);
	EXPECT_EQ(decode(entry_message(short_peer)).error().code, EBADMSG);

	Bytes no_prefix;
	no_prefix.attr_value<uint8_t>(DLIF_ENTRY_A_ROLE, 1);
	EXPECT_EQ(decode(entry_message(no_prefix)).error().code, EBADMSG);

	Bytes no_nest;
	no_nest.put(test::header(to.family, 0, 1, 1));
	genlmsghdr g{DLIF_CMD_ENTRY_GET, 1, 0};
	no_nest.put(g);
	no_nest.set_u32(0, static_cast<uint32_t>(no_nest.size()));
	EXPECT_EQ(decode(no_nest).error().code, EBADMSG);
}

TEST(DlifCodec, UnspecifiedPeerMeansNoPeerAndUnknownRoleIsKept)
{
	Bytes b = key(64);
	b.attr_value<uint8_t>(DLIF_ENTRY_A_ROLE, 9);
	Ipv6Address any;
	b.attr(DLIF_ENTRY_A_PEER, any.bytes.data(), 16);
	auto e = decode_entry(*reinterpret_cast<const nlmsghdr *>(entry_message(b).data()));
	ASSERT_TRUE(e);
	EXPECT_FALSE(e->peer);
	EXPECT_EQ(static_cast<int>(e->role), 9);
	EXPECT_EQ(role_name(e->role), "role-9");
	EXPECT_EQ(e->hop_limit, default_hop_limit);
}

TEST(DlifCodec, Notifications)
{
	const std::pair<uint8_t, EntryEvent> cases[] = {
		{DLIF_CMD_ENTRY_NEW, EntryEvent::added},
		{DLIF_CMD_ENTRY_SET, EntryEvent::replaced},
		{DLIF_CMD_ENTRY_DEL, EntryEvent::deleted},
	};
	for (auto [cmd, event] : cases) {
		Message m;
		m.size = encode_entry_message(m.bytes, {to.family, 0}, cmd, 0, full_entry());
		auto n = decode_notification(m.header());
		ASSERT_TRUE(n) << n.error().describe();
		EXPECT_EQ(n->event, event);
		EXPECT_EQ(n->entry, full_entry());
	}
	Message other;
	other.size = encode_entry_message(other.bytes, {to.family, 0}, DLIF_CMD_ENTRY_FLUSH, 0,
					  full_entry());
	EXPECT_EQ(decode_notification(other.header()).error().code, EOPNOTSUPP);
}

DlifDevice full_device()
{
	DlifDevice d;
	d.ifindex = 7;
	d.name = "mn1mar1";
	d.link = 3;
	d.address = *MacAddress::from_string("00:11:22:33:01:01");
	d.mn = MacAddress::from_string("02:00:00:00:00:01");
	d.maar = addr("2001:db8::1");
	return d;
}

TEST(DlifCodec, DeviceRequests)
{
	Message m;
	m.size = encode_device_get(m.bytes, to, 7);
	EXPECT_EQ(genl_command(m.header()), DLIF_CMD_DEV_GET);
	EXPECT_EQ(m.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	auto tb = inner<DLIF_DEV_A_MAX + 1>(m, DLIF_A_DEV);
	EXPECT_EQ(read_u32(tb[DLIF_DEV_A_IFINDEX]), 7u);

	m.size = encode_device_dump(m.bytes, to);
	EXPECT_EQ(m.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	EXPECT_TRUE(genl_attributes(m.header()).empty());

	DeviceUpdate u{7, MacAddress::from_string("02:00:00:00:00:02"), std::nullopt};
	m.size = encode_device_set(m.bytes, to, u);
	EXPECT_EQ(genl_command(m.header()), DLIF_CMD_DEV_SET);
	tb = inner<DLIF_DEV_A_MAX + 1>(m, DLIF_A_DEV);
	EXPECT_EQ(read_u32(tb[DLIF_DEV_A_IFINDEX]), 7u);
	EXPECT_EQ(read_mac(tb[DLIF_DEV_A_MN_ADDR]), u.mn);
	EXPECT_EQ(tb[DLIF_DEV_A_MAAR_ADDR], nullptr);
	EXPECT_EQ(tb[DLIF_DEV_A_IFNAME], nullptr);
}

TEST(DlifCodec, DeviceRoundTrip)
{
	Message m;
	m.size = encode_device_message(m.bytes, to, NLM_F_MULTI, full_device());
	auto d = decode_device(m.header());
	ASSERT_TRUE(d) << d.error().describe();
	EXPECT_EQ(*d, full_device());

	DlifDevice bare = full_device();
	bare.mn.reset();
	bare.maar.reset();
	m.size = encode_device_message(m.bytes, to, 0, bare);
	EXPECT_EQ(*decode_device(m.header()), bare);
}

// The top-level attributes of a payload, in order.
std::vector<const nlattr *> attributes_in(std::span<const std::byte> bytes)
{
	std::vector<const nlattr *> out;
	while (bytes.size() >= NLA_HDRLEN) {
		const auto *attr = reinterpret_cast<const nlattr *>(bytes.data());
		if (attr->nla_len < NLA_HDRLEN || attr->nla_len > bytes.size())
			break;
		out.push_back(attr);
		bytes = bytes.subspan(std::min<std::size_t>(NLA_ALIGN(attr->nla_len), bytes.size()));
	}
	return out;
}

TEST(DlifCodec, BindingRequests)
{
	const std::array<Binding, 2> bindings{{
		{7, *MacAddress::from_string("02:00:00:00:00:01"), *MacAddress::from_string("02:00:00:00:00:aa"), false,
		 std::nullopt, std::nullopt},
		{8, *MacAddress::from_string("02:00:00:00:00:02"), *MacAddress::from_string("02:00:00:00:00:bb"), false,
		 std::nullopt, std::nullopt},
	}};
	Message m;
	m.size = encode_binding_ops(m.bytes, to, true, bindings);
	EXPECT_EQ(genl_command(m.header()), DLIF_CMD_BINDING_NEW);
	EXPECT_EQ(m.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	std::vector<Binding> seen;
	for (const nlattr *attr : attributes_in(genl_attributes(m.header()))) {
		ASSERT_EQ(attribute_type(*attr), DLIF_A_BINDING);
		std::array<const nlattr *, DLIF_BINDING_A_MAX + 1> tb{};
		ASSERT_TRUE(parse_nested(*attr, tb));
		EXPECT_EQ(tb[DLIF_BINDING_A_PRIMARY], nullptr);
		seen.push_back({*read_u32(tb[DLIF_BINDING_A_IFINDEX]), *read_mac(tb[DLIF_BINDING_A_MN_ADDR]),
				*read_mac(tb[DLIF_BINDING_A_ROUTER_ADDR]), false, std::nullopt, std::nullopt});
	}
	EXPECT_EQ(seen, std::vector<Binding>(bindings.begin(), bindings.end()));

	// A deletion names the DLIF and the node only.
	m.size = encode_binding_ops(m.bytes, to, false, std::span(bindings).first(1));
	EXPECT_EQ(genl_command(m.header()), DLIF_CMD_BINDING_DEL);
	auto tb = inner<DLIF_BINDING_A_MAX + 1>(m, DLIF_A_BINDING);
	EXPECT_EQ(read_u32(tb[DLIF_BINDING_A_IFINDEX]), 7u);
	EXPECT_EQ(read_mac(tb[DLIF_BINDING_A_MN_ADDR]), bindings[0].mn);
	EXPECT_EQ(tb[DLIF_BINDING_A_ROUTER_ADDR], nullptr);

	m.size = encode_binding_dump(m.bytes, to, std::nullopt);
	EXPECT_EQ(m.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	EXPECT_TRUE(genl_attributes(m.header()).empty());
	m.size = encode_binding_dump(m.bytes, to, 8u);
	tb = inner<DLIF_BINDING_A_MAX + 1>(m, DLIF_A_BINDING);
	EXPECT_EQ(read_u32(tb[DLIF_BINDING_A_IFINDEX]), 8u);
	EXPECT_EQ(tb[DLIF_BINDING_A_MN_ADDR], nullptr);
	// One node's binding on the DLIF.
	m.size = encode_binding_dump(m.bytes, to, 8u, bindings[1].mn);
	tb = inner<DLIF_BINDING_A_MAX + 1>(m, DLIF_A_BINDING);
	EXPECT_EQ(read_u32(tb[DLIF_BINDING_A_IFINDEX]), 8u);
	EXPECT_EQ(read_mac(tb[DLIF_BINDING_A_MN_ADDR]), bindings[1].mn);
}

TEST(DlifCodec, BindingRoundTrip)
{
	Binding primary{3, *MacAddress::from_string("02:00:00:00:00:01"),
			*MacAddress::from_string("02:00:00:00:00:aa"), true, std::nullopt, std::nullopt};
	Message m;
	m.size = encode_binding_message(m.bytes, to, DLIF_CMD_BINDING_GET, NLM_F_MULTI, primary);
	auto b = decode_binding(m.header());
	ASSERT_TRUE(b) << b.error().describe();
	EXPECT_EQ(*b, primary);
	primary.primary = false;
	primary.rx_packets = 1ull << 40;	// beyond 32 bits, padded
	m.size = encode_binding_message(m.bytes, to, DLIF_CMD_BINDING_GET, NLM_F_MULTI, primary);
	EXPECT_EQ(*decode_binding(m.header()), primary);

	m.size = encode_device_message(m.bytes, to, 0, full_device());
	EXPECT_EQ(decode_binding(m.header()).error().code, EBADMSG);
}

// A binding's router link-local address goes in additions and dumps,
// never in deletions.
TEST(DlifCodec, BindingRouterLinkLocal)
{
	Binding b{7, *MacAddress::from_string("02:00:00:00:00:01"), *MacAddress::from_string("02:00:00:00:00:aa"),
		  false, addr("fe80::aa"), std::nullopt};
	Message m;
	m.size = encode_binding_ops(m.bytes, to, true, {&b, 1});
	auto tb = inner<DLIF_BINDING_A_MAX + 1>(m, DLIF_A_BINDING);
	EXPECT_EQ(read_ipv6(tb[DLIF_BINDING_A_ROUTER_LL]), addr("fe80::aa"));
	m.size = encode_binding_ops(m.bytes, to, false, {&b, 1});
	tb = inner<DLIF_BINDING_A_MAX + 1>(m, DLIF_A_BINDING);
	EXPECT_EQ(tb[DLIF_BINDING_A_ROUTER_LL], nullptr);
	m.size = encode_binding_message(m.bytes, to, DLIF_CMD_BINDING_GET, NLM_F_MULTI, b);
	EXPECT_EQ(*decode_binding(m.header()), b);
}

TEST(DlifCodec, BindingNotifications)
{
	const Binding b{7, *MacAddress::from_string("02:00:00:00:00:01"), *MacAddress::from_string("02:00:00:00:00:aa"),
			false, addr("fe80::aa"), std::nullopt};
	Message m;
	m.size = encode_binding_message(m.bytes, to, DLIF_CMD_BINDING_NEW, 0, b);
	EXPECT_EQ(*decode_binding_notification(m.header()), (BindingNotification{true, b}));
	m.size = encode_binding_message(m.bytes, to, DLIF_CMD_BINDING_DEL, 0, b);
	EXPECT_EQ(*decode_binding_notification(m.header()), (BindingNotification{false, b}));
	m.size = encode_binding_message(m.bytes, to, DLIF_CMD_BINDING_GET, NLM_F_MULTI, b);
	EXPECT_EQ(decode_binding_notification(m.header()).error().code, EOPNOTSUPP);
	EXPECT_EQ(decode_notification(m.header()).error().code, EOPNOTSUPP) << "not an entry's either";
}

TEST(DlifCodec, TooSmallBufferGivesZero)
{
	alignas(8) std::byte small[40];
	EXPECT_EQ(encode_entry_op(small, to, {EntryOpKind::add, full_entry()}), 0u);
	EXPECT_EQ(encode_device_set(small, to, {1, MacAddress{}, addr("::1")}), 0u);
}

}  // namespace
}  // namespace dlif::nl
