// SPDX-License-Identifier: GPL-2.0
//
// The Mobility Header checksum over the IPv6 pseudo-header.
#include <gtest/gtest.h>

#include "support.hpp"

namespace dlif::mh {
namespace {

TEST(MhChecksum, MatchesAHandComputedValue)
{
	// Source 2001:db8::1, destination 2001:db8::2, the 16-octet PBU below.
	// Words: source 2001+0db8+0001 = 2dba, destination 2001+0db8+0002 = 2dbb,
	// length 0010, next header 0087; MH 3b01+0500+0000+0007+8200+0064+0102
	// +0000 = c36e. Sum 0x11f7a, folded 0x1f7b, checksum ~0x1f7b = 0xe084.
	const auto source = test::address("2001:db8::1");
	const auto destination = test::address("2001:db8::2");
	auto mh = test::hex("3b 01 05 00 0000 0007 8200 0064 0102 0000");
	EXPECT_EQ(mh_checksum(source, destination, mh), 0xe084);
	set_mh_checksum(source, destination, mh);
	EXPECT_EQ(mh[4], 0xe0);
	EXPECT_EQ(mh[5], 0x84);
	EXPECT_TRUE(mh_checksum_is_valid(source, destination, mh));
}

TEST(MhChecksum, IgnoresWhateverTheChecksumFieldHolds)
{
	const auto source = test::address("2001:db8::1");
	const auto destination = test::address("2001:db8::2");
	const auto zero = test::hex("3b 01 05 00 0000 0007 8200 0064 0102 0000");
	const auto junk = test::hex("3b 01 05 00 abcd 0007 8200 0064 0102 0000");
	EXPECT_EQ(mh_checksum(source, destination, zero), mh_checksum(source, destination, junk));
}

TEST(MhChecksum, DetectsDamageAndSwappedAddresses)
{
	const auto source = test::address("2001:db8::1");
	const auto destination = test::address("2001:db8::3");
	auto mh = test::hex("3b 01 05 00 0000 0007 8200 0064 0102 0000");
	set_mh_checksum(source, destination, mh);
	EXPECT_TRUE(mh_checksum_is_valid(source, destination, mh));
	EXPECT_FALSE(mh_checksum_is_valid(source, test::address("2001:db8::4"), mh));
	mh[7] ^= 1;
	EXPECT_FALSE(mh_checksum_is_valid(source, destination, mh));
	EXPECT_FALSE(mh_checksum_is_valid(source, destination, std::span(mh).first(5)));
}

TEST(MhChecksum, HandlesOddLengths)
{
	// The kernel never hands over an odd length, but the helper is total:
	// the last octet is padded with zero (RFC 1071).
	const auto source = test::address("::1");
	auto mh = test::hex("3b 00 05 00 0000 01 ");
	set_mh_checksum(source, source, mh);
	EXPECT_TRUE(mh_checksum_is_valid(source, source, mh));
}

} // namespace
} // namespace dlif::mh
