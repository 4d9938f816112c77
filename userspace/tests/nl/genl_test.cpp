// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>
#include <linux/genetlink.h>

#include <array>

#include "dlif/nl/genl.hpp"
#include "test_util.hpp"

namespace dlif::nl {
namespace {

using test::Bytes;

TEST(Genl, GetFamilyRequest)
{
	alignas(8) std::byte buf[128];
	std::size_t size = encode_get_family(buf, 99, "dlif");
	ASSERT_GT(size, 0u);
	const auto *h = reinterpret_cast<const nlmsghdr *>(buf);
	EXPECT_EQ(h->nlmsg_len, size);
	EXPECT_EQ(h->nlmsg_type, GENL_ID_CTRL);
	EXPECT_EQ(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	EXPECT_EQ(h->nlmsg_seq, 99u);
	EXPECT_EQ(genl_command(*h), CTRL_CMD_GETFAMILY);
	std::array<const nlattr *, CTRL_ATTR_MAX + 1> tb{};
	ASSERT_TRUE(parse_attributes(genl_attributes(*h), tb));
	EXPECT_EQ(read_string(tb[CTRL_ATTR_FAMILY_NAME]), "dlif");
	EXPECT_EQ(encode_get_family(std::span(buf, 24), 1, "dlif"), 0u);
}

Bytes family_description(bool with_groups)
{
	Bytes m;
	m.put(test::header(GENL_ID_CTRL, 0, 1, 1));
	genlmsghdr g{CTRL_CMD_NEWFAMILY, 2, 0};
	m.put(g);
	m.attr_value<uint16_t>(CTRL_ATTR_FAMILY_ID, 0x1f);
	m.attr_string(CTRL_ATTR_FAMILY_NAME, "dlif");
	m.attr_value<uint32_t>(CTRL_ATTR_VERSION, 1);
	m.attr_value<uint32_t>(CTRL_ATTR_MAXATTR, 2);
	if (with_groups) {
		Bytes grp1, grp2, list;
		grp1.attr_string(CTRL_ATTR_MCAST_GRP_NAME, "entries");
		grp1.attr_value<uint32_t>(CTRL_ATTR_MCAST_GRP_ID, 11);
		grp2.attr_value<uint32_t>(CTRL_ATTR_MCAST_GRP_ID, 12);
		grp2.attr_string(CTRL_ATTR_MCAST_GRP_NAME, "other");
		list.attr(1 | NLA_F_NESTED, grp1.data(), grp1.size());
		list.attr(2 | NLA_F_NESTED, grp2.data(), grp2.size());
		m.attr(CTRL_ATTR_MCAST_GROUPS | NLA_F_NESTED, list.data(), list.size());
	}
	m.set_u32(0, static_cast<uint32_t>(m.size()));
	return m;
}

TEST(Genl, DecodesFamilyWithGroups)
{
	Bytes m = family_description(true);
	auto family = decode_family(*reinterpret_cast<const nlmsghdr *>(m.data()));
	ASSERT_TRUE(family) << family.error().describe();
	EXPECT_EQ(family->id, 0x1f);
	EXPECT_EQ(family->name, "dlif");
	EXPECT_EQ(family->version, 1u);
	EXPECT_EQ(family->max_attribute, 2u);
	ASSERT_EQ(family->groups.size(), 2u);
	EXPECT_EQ(family->group_id("entries"), 11u);
	EXPECT_EQ(family->group_id("other"), 12u);
	EXPECT_FALSE(family->group_id("missing"));
}

TEST(Genl, DecodesFamilyWithoutGroups)
{
	Bytes m = family_description(false);
	auto family = decode_family(*reinterpret_cast<const nlmsghdr *>(m.data()));
	ASSERT_TRUE(family);
	EXPECT_TRUE(family->groups.empty());
}

TEST(Genl, RejectsOtherMessages)
{
	Bytes m;
	m.put(test::header(0x20, 0, 1, 1));
	genlmsghdr g{CTRL_CMD_NEWFAMILY, 2, 0};
	m.put(g);
	m.set_u32(0, static_cast<uint32_t>(m.size()));
	EXPECT_FALSE(decode_family(*reinterpret_cast<const nlmsghdr *>(m.data())));

	Bytes noid;
	noid.put(test::header(GENL_ID_CTRL, 0, 1, 1));
	noid.put(g);
	noid.attr_string(CTRL_ATTR_FAMILY_NAME, "dlif");
	noid.set_u32(0, static_cast<uint32_t>(noid.size()));
	auto family = decode_family(*reinterpret_cast<const nlmsghdr *>(noid.data()));
	ASSERT_FALSE(family);
	EXPECT_EQ(family.error().code, EBADMSG);
}

}  // namespace
}  // namespace dlif::nl
