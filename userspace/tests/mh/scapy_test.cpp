// SPDX-License-Identifier: GPL-2.0
//
// Reverse cross-check: packets built by scapy (scapy_packets.py, an
// independent builder) parse with the codec to the expected values, carry
// a checksum the codec's helper agrees with, and, where the sender padded
// as the RFCs ask, the codec builds the very same octets.
#include <gtest/gtest.h>

#include <map>

#include "capture.hpp"
#include "support.hpp"

namespace dlif::mh {
namespace {

using test::address;
using test::prefix;

constexpr const char *kPython = "/usr/bin/python3"; // Debian's, which has python3-scapy

class MhScapy : public testing::Test {
protected:
	static void SetUpTestSuite()
	{
		const auto result = test::run(std::string(kPython) + " " + test::source_dir() +
					      "/userspace/tests/mh/scapy_packets.py");
		if (result.exit_status != 0)
			return;
		for (const auto &line : test::lines(result.output)) {
			const auto fields = test::split(line, ' ');
			if (fields.size() == 2)
				packets_[fields[0]] = test::hex(fields[1]);
		}
	}

	void SetUp() override
	{
		if (packets_.empty())
			GTEST_SKIP() << kPython << " with scapy (python3-scapy) is not available";
	}

	// The scapy packet `name`: its checksum checked, its MH parsed.
	ParsedMessage parsed(const std::string &name)
	{
		const auto it = packets_.find(name);
		if (it == packets_.end()) {
			ADD_FAILURE() << "scapy_packets.py printed no " << name;
			return {};
		}
		const auto packet = capture::mobility_header_of(it->second);
		if (!packet) {
			ADD_FAILURE() << name << " has no Mobility Header";
			return {};
		}
		mh_ = packet->mobility_header;
		const std::uint16_t checksum = static_cast<std::uint16_t>(mh_[4] << 8 | mh_[5]);
		EXPECT_EQ(mh_checksum(packet->source, packet->destination, mh_), checksum) << name;
		EXPECT_TRUE(mh_checksum_is_valid(packet->source, packet->destination, mh_)) << name;
		auto result = parse(mh_);
		if (!result) {
			ADD_FAILURE() << name << ": " << result.error();
			return {};
		}
		return std::move(*result);
	}

	// The codec builds what scapy built (the checksum aside: the codec
	// leaves it to the kernel).
	void expect_same_octets(const Message &message)
	{
		auto ours = test::built(message);
		ASSERT_GE(mh_.size(), 6u);
		ours[4] = mh_[4];
		ours[5] = mh_[5];
		EXPECT_EQ(test::to_hex(ours), test::to_hex(mh_));
	}

	static std::map<std::string, std::vector<std::uint8_t>> packets_;
	std::vector<std::uint8_t> mh_;
};

std::map<std::string, std::vector<std::uint8_t>> MhScapy::packets_;

const Timestamp kTimestamp = Timestamp::from_parts(1700000000, 0x8000);

TEST_F(MhScapy, InitialRegistrationPbu)
{
	ProxyBindingUpdate bu;
	bu.sequence = 1;
	bu.lifetime = Lifetime::from_units(900);
	bu.options.mobile_node_identifier = MobileNodeIdentifier::nai("mn1@example.net");
	bu.options.home_network_prefixes.push_back(prefix("2001:db8:1::/64"));
	bu.options.handoff_indicator = HandoffIndicator::AttachmentOverNewInterface;
	bu.options.access_technology_type = AccessTechnologyType::Ieee80211;
	bu.options.timestamp = kTimestamp;
	const auto p = parsed("pbu_initial_registration");
	EXPECT_EQ(p.message, Message(bu));
	expect_same_octets(bu);
}

TEST_F(MhScapy, MaarHandoverPbuWithDFlagAndServingMaar)
{
	ProxyBindingUpdate bu;
	bu.sequence = 2;
	bu.flags.set(BuFlag::Dmm);
	bu.lifetime = Lifetime::from_units(900);
	bu.options.mobile_node_identifier = MobileNodeIdentifier::nai("mn1");
	bu.options.home_network_prefixes.push_back(prefix("2001:db8:2::/64"));
	bu.options.handoff_indicator = HandoffIndicator::HandoffStateUnknown;
	bu.options.access_technology_type = AccessTechnologyType::Ieee80211;
	bu.options.serving_maar = address("2001:db8::2");
	const auto p = parsed("pbu_maar_handover");
	EXPECT_EQ(p.message, Message(bu));
	EXPECT_TRUE(std::get<ProxyBindingUpdate>(p.message).flags.has(BuFlag::Dmm));
	expect_same_octets(bu);
}

TEST_F(MhScapy, RelayedPbaWithDFlagAndTwoPreviousMaars)
{
	ProxyBindingAck ba;
	ba.flags.set(BaFlag::Dmm);
	ba.sequence = 2;
	ba.lifetime = Lifetime::from_units(900);
	ba.options.mobile_node_identifier = MobileNodeIdentifier::nai("mn1");
	ba.options.home_network_prefixes.push_back(prefix("2001:db8:2::/64"));
	ba.options.handoff_indicator = HandoffIndicator::HandoffStateUnknown;
	ba.options.access_technology_type = AccessTechnologyType::Ieee80211;
	ba.options.previous_maars.push_back(PreviousMaar{address("2001:db8::1"), prefix("2001:db8:1::/64")});
	ba.options.previous_maars.push_back(PreviousMaar{address("2001:db8::3"), prefix("2001:db8:3::/56")});
	const auto p = parsed("pba_relayed_to_serving_maar");
	EXPECT_EQ(p.message, Message(ba));
	expect_same_octets(ba);
}

TEST_F(MhScapy, RejectedPbaCarriesStatusByName)
{
	ProxyBindingAck ba;
	ba.status = Status::TimestampLowerThanPrevAccepted;
	ba.sequence = 3;
	ba.options.mobile_node_identifier = MobileNodeIdentifier::nai("mn1");
	ba.options.timestamp = kTimestamp;
	const auto p = parsed("pba_rejected_timestamp");
	EXPECT_EQ(p.message, Message(ba));
	EXPECT_EQ(name(std::get<ProxyBindingAck>(p.message).status), "TIMESTAMP_LOWER_THAN_PREV_ACCEPTED");
	expect_same_octets(ba);
}

TEST_F(MhScapy, LocatorPbaWithAnchoredLocalPrefixesAndDlifAddresses)
{
	ProxyBindingAck ba;
	ba.flags.set(BaFlag::Dmm);
	ba.sequence = 4;
	ba.lifetime = Lifetime::from_units(450);
	ba.options.anchored_prefixes.push_back(prefix("2001:db8:1::/64"));
	ba.options.local_prefixes.push_back(prefix("2001:db8:1c::/48"));
	ba.options.local_prefixes.push_back(prefix("2001:db8:1d::/48"));
	ba.options.dlif_link_local_address = address("fe80::211:22ff:fe33:101");
	ba.options.dlif_link_layer_address = test::link_layer("00:11:22:33:01:01");
	const auto p = parsed("pba_locator_to_serving_maar");
	EXPECT_EQ(p.message, Message(ba));
	expect_same_octets(ba);
}

TEST_F(MhScapy, EveryBindingUpdateFlagAndTheLinkOptions)
{
	ProxyBindingUpdate bu;
	bu.sequence = 0xfffe;
	bu.flags = BuFlags::from_bits(0xfff0);
	bu.lifetime = Lifetime::from_units(0xffff);
	bu.options.mobile_node_link_layer_identifier = test::link_layer("00:11:22:33:44:55");
	bu.options.link_local_address = address("fe80::1");
	const auto p = parsed("pbu_every_flag_and_link_options");
	EXPECT_EQ(p.message, Message(bu));
	EXPECT_EQ(flag_letters(std::get<ProxyBindingUpdate>(p.message).flags), "AHLKMRPFTBSD");
	expect_same_octets(bu);
}

TEST_F(MhScapy, UnknownOptionIsSkippedAndReported)
{
	const auto p = parsed("pbu_unknown_option");
	const auto &bu = std::get<ProxyBindingUpdate>(p.message);
	EXPECT_EQ(bu.options.handoff_indicator, HandoffIndicator::AttachmentOverNewInterface);
	EXPECT_EQ(bu.options.access_technology_type, AccessTechnologyType::Ieee80211);
	ASSERT_EQ(p.skipped_options.size(), 1u);
	EXPECT_EQ(p.skipped_options[0], (SkippedOption{200, 5, 16}));
}

TEST_F(MhScapy, UnalignedOptionsAreAccepted)
{
	const auto p = parsed("pbu_unaligned_options");
	const auto &o = std::get<ProxyBindingUpdate>(p.message).options;
	EXPECT_EQ(o.mobile_node_identifier->text(), "mn1");
	EXPECT_EQ(o.home_network_prefixes.front(), prefix("2001:db8:1::/64"));
	EXPECT_EQ(o.serving_maar, address("2001:db8::2"));
}

TEST_F(MhScapy, BindingError)
{
	BindingError be;
	be.status = BindingErrorStatus::UnrecognizedMhType;
	be.home_address = address("2001:db8::5");
	const auto p = parsed("be_unrecognized_mh_type");
	EXPECT_EQ(p.message, Message(be));
	expect_same_octets(be);
}

} // namespace
} // namespace dlif::mh
