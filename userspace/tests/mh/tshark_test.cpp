// SPDX-License-Identifier: GPL-2.0
//
// Cross-check with an independent decoder: messages built by the codec,
// put in IPv6 packets with the right checksum, decoded by tshark (Debian
// 4.0.17) to the same type, sequence, flags, lifetime, options and status.
// tshark knows neither the RFC 8885 options (it must still walk over them
// to the end) nor the D flag (display filters on the raw octets see it).
#include <gtest/gtest.h>

#include "examples.hpp"
#include "support.hpp"

namespace dlif::mh {
namespace {

using test::address;
using test::prefix;

// Frames: 1 PBU with every option and D; 2 PBA with every option and D;
// 3 PBU with every flag but S and D; 4 rejected PBA without D; 5 BE.
std::vector<std::vector<std::uint8_t>> frames()
{
	ProxyBindingUpdate flags_only;
	flags_only.sequence = 0xfffe;
	flags_only.lifetime = Lifetime::from_units(0xffff);
	flags_only.flags = BuFlags::from_bits(0xffc0); // A H L K M R P F T B
	flags_only.options.home_network_prefixes.push_back(prefix("2001:db8:5::/48"));
	flags_only.options.home_network_prefixes.push_back(prefix("2001:db8:6::/56"));

	ProxyBindingAck rejected;
	rejected.status = Status::TimestampMismatch;
	rejected.flags = BaFlags{BaFlag::KeyManagementCompatibility, BaFlag::MobileRouter, BaFlag::ProxyRegistration,
				 BaFlag::TlvHeaderFormat, BaFlag::BulkBinding};
	rejected.sequence = 12;
	rejected.options.mobile_node_identifier = MobileNodeIdentifier::nai("mn2");
	rejected.options.timestamp = Timestamp::from_parts(1600000000, 0x4000);

	BindingError be;
	be.home_address = address("2001:db8::5");

	return {test::built(examples::pbu_with_every_option()), test::built(examples::pba_with_every_option()),
		test::built(flags_only), test::built(rejected), test::built(be)};
}

class MhTshark : public testing::Test {
protected:
	void SetUp() override
	{
		if (!test::have_program("tshark"))
			GTEST_SKIP() << "tshark is not installed";
		capture_ = std::make_unique<test::TsharkCapture>("tshark", frames());
	}

	std::unique_ptr<test::TsharkCapture> capture_;
};

using Column = std::vector<std::string>;

TEST_F(MhTshark, SeesTheMhTypes)
{
	EXPECT_EQ(capture_->column("mip6.mhtype"), (Column{"5", "6", "5", "6", "7"}));
	EXPECT_EQ(capture_->column("mip6.proto"), (Column{"59", "59", "59", "59", "59"}));
}

TEST_F(MhTshark, SeesSequenceNumbersAndLifetimesInFourSecondUnits)
{
	EXPECT_EQ(capture_->column("mip6.bu.seqnr"), (Column{"7", "", "65534", "", ""}));
	EXPECT_EQ(capture_->column("mip6.ba.seqnr"), (Column{"", "7", "", "12", ""}));
	EXPECT_EQ(capture_->column("mip6.bu.lifetime"), (Column{"100", "", "65535", "", ""}));
	EXPECT_EQ(capture_->column("mip6.ba.lifetime"), (Column{"", "100", "", "0", ""}));
}

TEST_F(MhTshark, SeesEveryBindingUpdateFlagItKnows)
{
	const auto rows = capture_->fields({"mip6.bu.a_flag", "mip6.bu.h_flag", "mip6.bu.l_flag", "mip6.bu.k_flag",
					    "mip6.bu.m_flag", "mip6.nemo.bu.r_flag", "mip6.bu.p_flag", "mip6.bu.f_flag",
					    "mip6.bu.t_flag", "mip6.bu.b_flag"},
					   "mip6.mhtype == 5");
	ASSERT_EQ(rows.size(), 2u);
	EXPECT_EQ(rows[0], (Column{"1", "0", "0", "0", "0", "0", "1", "0", "0", "0"})); // A P (and D)
	EXPECT_EQ(rows[1], (Column{"1", "1", "1", "1", "1", "1", "1", "1", "1", "1"}));
}

TEST_F(MhTshark, SeesEveryBindingAckFlagItKnowsAndTheStatus)
{
	const auto rows = capture_->fields({"mip6.ba.status", "mip6.ba.k_flag", "mip6.nemo.ba.r_flag", "mip6.ba.p_flag",
					    "mip6.ba.t_flag", "mip6.ba.b_flag"},
					   "mip6.mhtype == 6");
	ASSERT_EQ(rows.size(), 2u);
	EXPECT_EQ(rows[0], (Column{"0", "0", "0", "1", "0", "0"}));
	EXPECT_EQ(rows[1], (Column{"156", "1", "1", "1", "1", "1"}));
}

TEST_F(MhTshark, SeesTheMobileNodeIdentifier)
{
	EXPECT_EQ(capture_->column("mip6.mnid.identifier"), (Column{"mn1@example.net", "mn1@example.net", "", "mn2", ""}));
	EXPECT_EQ(capture_->column("mip6.mnid.subtype"), (Column{"1", "1", "", "1", ""}));
}

TEST_F(MhTshark, SeesHomeNetworkPrefixesInOrder)
{
	EXPECT_EQ(capture_->column("mip6.nemo.mnp.mnp"), (Column{"2001:db8:1::", "2001:db8:1::", "2001:db8:5::,2001:db8:6::", "", ""}));
	EXPECT_EQ(capture_->column("mip6.nemo.mnp.pfl"), (Column{"64", "64", "48,56", "", ""}));
}

TEST_F(MhTshark, SeesHandoffIndicatorAccessTechnologyAndLinkOptions)
{
	EXPECT_EQ(capture_->column("mip6.hi"), (Column{"3", "3", "", "", ""}));
	EXPECT_EQ(capture_->column("mip6.att"), (Column{"4", "4", "", "", ""}));
	EXPECT_EQ(capture_->column("mip6.mnlli.lli"), (Column{"001122330101", "001122330101", "", "", ""}));
	EXPECT_EQ(capture_->column("mip6.lila_lla"), (Column{"fe80::1", "fe80::1", "", "", ""}));
}

TEST_F(MhTshark, SeesTheTimestampAsSecondsSince1970AndFraction)
{
	EXPECT_EQ(capture_->column("mip6.timestamp_tmp"),
		  (Column{"Nov 14, 2023 22:13:20.500000000 UTC", "Nov 14, 2023 22:13:20.500000000 UTC", "",
			  "Sep 13, 2020 12:26:40.250000000 UTC", ""}));
}

TEST_F(MhTshark, SeesTheBindingError)
{
	EXPECT_EQ(capture_->column("mip6.be.status"), (Column{"", "", "", "", "2"}));
	EXPECT_EQ(capture_->column("mip6.be.haddr"), (Column{"", "", "", "", "2001:db8::5"}));
}

TEST_F(MhTshark, WalksOverTheRfc8885OptionsInOrderToTheEnd)
{
	// tshark lists only the options it does not know under mip6.mobility_opt.
	EXPECT_EQ(capture_->column("mip6.mobility_opt"), (Column{"65,66,67,68,69,70", "65,66,67,68,69,70", "", "", ""}));
	// Known options after them would be decoded too; nothing is malformed.
	EXPECT_TRUE(capture_->frames_matching("_ws.malformed || mip6.bogus_header_length || mip6.opt.len.invalid").empty());
}

TEST_F(MhTshark, SeesTheBindingUpdateDFlagOnlyWhereSet)
{
	EXPECT_EQ(capture_->frames_matching("mip6.mhtype == 5 && mipv6[9] & 0x10"), (std::vector<int>{1}));
	// Negative controls: the reserved bits are clear everywhere.
	EXPECT_TRUE(capture_->frames_matching("mip6.mhtype == 5 && mipv6[9] & 0x0f").empty());
}

TEST_F(MhTshark, SeesTheBindingAckDFlagOnlyWhereSet)
{
	EXPECT_EQ(capture_->frames_matching("mip6.mhtype == 6 && mipv6[7] & 0x02"), (std::vector<int>{2}));
	EXPECT_TRUE(capture_->frames_matching("mip6.mhtype == 6 && mipv6[7] & 0x01").empty());
}

} // namespace
} // namespace dlif::mh
