// SPDX-License-Identifier: GPL-2.0
//
// The Lua dissector in contrib/wireshark/dlif-rfc8885.lua, loaded into
// tshark: every field of options 65-70 and the D flags, on messages built
// by the codec.
#include <gtest/gtest.h>

#include "examples.hpp"
#include "support.hpp"

namespace dlif::mh {
namespace {

using test::address;
using test::prefix;

std::string plugin()
{
	return test::source_dir() + "/contrib/wireshark/dlif-rfc8885.lua";
}

// Frames: 1 PBU with every option and D; 2 PBA with every option and D;
// 3 typical PBA (two Previous MAARs, D); 4 PBU without D; 5 PBA without D;
// 6 an Anchored Prefix option with Length 16 (malformed).
std::vector<std::vector<std::uint8_t>> frames()
{
	ProxyBindingUpdate plain_bu;
	plain_bu.flags.set(BuFlag::Dmm, false);
	ProxyBindingAck plain_ba;
	plain_ba.options.serving_maar = address("2001:db8::22");
	return {test::built(examples::pbu_with_every_option()),
		test::built(examples::pba_with_every_option()),
		test::built(examples::typical_pba()),
		test::built(plain_bu),
		test::built(plain_ba),
		test::hex("3b 03 05 00 0000 0001 8210 0001 41 10 00 40 20010db8000a0000000000000000 01 00")};
}

class MhWiresharkPlugin : public testing::Test {
protected:
	void SetUp() override
	{
		if (!test::have_program("tshark"))
			GTEST_SKIP() << "tshark is not installed";
		capture_ = std::make_unique<test::TsharkCapture>("plugin", frames(), plugin());
	}

	std::unique_ptr<test::TsharkCapture> capture_;
};

using Column = std::vector<std::string>;

TEST_F(MhWiresharkPlugin, DecodesTheTypeAndTheRightLengthOfEachOption)
{
	EXPECT_EQ(capture_->column("rfc8885.opt.type"),
		  (Column{"65,66,67,68,69,70", "65,66,67,68,69,70", "67,67", "", "68", "65"}));
	EXPECT_EQ(capture_->column("rfc8885.opt.len"), (Column{"18,18,34,16,16,8", "18,18,34,16,16,8", "34,34", "", "16", "16"}));
}

TEST_F(MhWiresharkPlugin, DecodesAnchoredAndLocalPrefixes)
{
	EXPECT_EQ(capture_->column("rfc8885.anchored_prefix"), (Column{"2001:db8:a::", "2001:db8:a::", "", "", "", ""}));
	EXPECT_EQ(capture_->column("rfc8885.local_prefix"), (Column{"2001:db8:1c::", "2001:db8:1c::", "", "", "", ""}));
	// Anchored /64, Local /48, Previous MAAR /64.
	EXPECT_EQ(capture_->column("rfc8885.prefix_len"), (Column{"64,48,64", "64,48,64", "64,64", "", "", ""}));
}

TEST_F(MhWiresharkPlugin, DecodesPreviousMaarAddressesAndPrefixesInOrder)
{
	EXPECT_EQ(capture_->column("rfc8885.pmaar.address"), (Column{"2001:db8::11", "2001:db8::11", "2001:db8::11,2001:db8::12", "", "", ""}));
	EXPECT_EQ(capture_->column("rfc8885.pmaar.hnp"),
		  (Column{"2001:db8:11::", "2001:db8:11::", "2001:db8:11::,2001:db8:12::", "", "", ""}));
}

TEST_F(MhWiresharkPlugin, DecodesServingMaarAndDlifAddresses)
{
	EXPECT_EQ(capture_->column("rfc8885.smaar.address"), (Column{"2001:db8::22", "2001:db8::22", "", "", "2001:db8::22", ""}));
	EXPECT_EQ(capture_->column("rfc8885.dlif.link_local"),
		  (Column{"fe80::211:22ff:fe33:101", "fe80::211:22ff:fe33:101", "", "", "", ""}));
	EXPECT_EQ(capture_->column("rfc8885.dlif.link_layer"), (Column{"02:11:22:33:01:01", "02:11:22:33:01:01", "", "", "", ""}));
}

TEST_F(MhWiresharkPlugin, ShowsTheDFlagOfPbuAndPba)
{
	EXPECT_EQ(capture_->column("rfc8885.bu.d_flag"), (Column{"1", "", "", "0", "", "1"}));
	EXPECT_EQ(capture_->column("rfc8885.ba.d_flag"), (Column{"", "1", "1", "", "0", ""}));
	EXPECT_EQ(capture_->frames_matching("rfc8885.bu.d_flag == 1"), (std::vector<int>{1, 6}));
	EXPECT_EQ(capture_->frames_matching("rfc8885.ba.d_flag == 1"), (std::vector<int>{2, 3}));
}

TEST_F(MhWiresharkPlugin, FlagsAWrongOptionLength)
{
	EXPECT_EQ(capture_->frames_matching("rfc8885.bad_length"), (std::vector<int>{6}));
}

TEST_F(MhWiresharkPlugin, RunsWithoutLuaErrors)
{
	const auto text = capture_->verbose();
	EXPECT_NE(text.find("RFC 8885 Previous MAAR: 2001:db8::11 anchors 2001:db8:11::/64"), std::string::npos);
	EXPECT_EQ(text.find("Lua Error"), std::string::npos);
}

} // namespace
} // namespace dlif::mh
