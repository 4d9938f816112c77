// SPDX-License-Identifier: GPL-2.0
//
// The value types: lifetimes in 4-second units, RFC 5213 timestamps,
// flags, addresses and prefixes, status names, build-time validation,
// and the one-line log format.
#include <gtest/gtest.h>

#include <sstream>

#include "support.hpp"

namespace dlif::mh {
namespace {

using namespace std::chrono_literals;
using test::address;
using test::prefix;

TEST(MhLifetime, IsCountedInFourSecondUnits)
{
	EXPECT_EQ(Lifetime::from_units(100).duration(), 400s);
	EXPECT_EQ(Lifetime::at_most(400s).units(), 100);
	EXPECT_TRUE(Lifetime().is_deregistration());
}

TEST(MhLifetime, AtMostRoundsDownAndSaturates)
{
	EXPECT_EQ(Lifetime::at_most(403s).units(), 100); // never grants more than asked
	EXPECT_EQ(Lifetime::at_most(3s).units(), 0);
	EXPECT_EQ(Lifetime::at_most(-5s).units(), 0);
	EXPECT_EQ(Lifetime::at_most(262140s).units(), 65535);
	EXPECT_EQ(Lifetime::at_most(std::chrono::hours(24 * 365)).units(), 65535);
}

TEST(MhTimestamp, Splits48BitSecondsAnd16BitFraction)
{
	const auto ts = Timestamp::from_parts(1700000000, 0x8000);
	EXPECT_EQ(ts.raw(), (std::uint64_t{1700000000} << 16) | 0x8000);
	EXPECT_EQ(ts.seconds(), 1700000000u);
	EXPECT_EQ(ts.fraction(), 0x8000);
	// Seconds beyond 48 bits are dropped, not smeared into other fields.
	EXPECT_EQ(Timestamp::from_parts(std::uint64_t{1} << 48 | 5, 0).seconds(), 5u);
}

TEST(MhTimestamp, ConvertsFromAndToSystemClock)
{
	const std::chrono::system_clock::time_point t{std::chrono::seconds(1700000000) + 250ms};
	const auto ts = Timestamp::from_time_point(t);
	EXPECT_EQ(ts.seconds(), 1700000000u);
	EXPECT_EQ(ts.fraction(), 0x4000);
	EXPECT_EQ(ts.to_time_point(), t);
	EXPECT_EQ(Timestamp::from_time_point(std::chrono::system_clock::time_point{} - 1s).raw(), 0u);
	// 48-bit seconds past what the clock holds saturate instead of overflowing.
	EXPECT_EQ(Timestamp::from_raw(~std::uint64_t{0}).to_time_point(), std::chrono::system_clock::time_point::max());
}

TEST(MhTimestamp, OrdersChronologically)
{
	EXPECT_LT(Timestamp::from_parts(10, 0xffff), Timestamp::from_parts(11, 0));
}

TEST(MhFlags, ReservedBitsCannotBeSet)
{
	EXPECT_EQ(BuFlags::from_bits(0xffff).bits(), 0xfff0);
	EXPECT_EQ(BaFlags::from_bits(0xff).bits(), 0xfe);
	BuFlags flags;
	flags.set(BuFlag::Dmm).set(BuFlag::ProxyRegistration).set(BuFlag::Dmm, false);
	EXPECT_TRUE(flags.has(BuFlag::ProxyRegistration));
	EXPECT_FALSE(flags.has(BuFlag::Dmm));
}

TEST(MhFlags, ProxyMessagesDefaultToTheFlagsRfc5213Requires)
{
	EXPECT_EQ(ProxyBindingUpdate().flags, (BuFlags{BuFlag::Acknowledge, BuFlag::ProxyRegistration}));
	EXPECT_EQ(ProxyBindingAck().flags, (BaFlags{BaFlag::ProxyRegistration}));
}

TEST(MhAddresses, ParseAndPrint)
{
	EXPECT_EQ(address("2001:db8::1").to_string(), "2001:db8::1");
	EXPECT_FALSE(Ipv6Address::from_string("2001:db8::g"));
	EXPECT_FALSE(Ipv6Address::from_string(std::string(100, '1')));
	EXPECT_EQ(prefix("2001:db8:1::/64").to_string(), "2001:db8:1::/64");
	EXPECT_FALSE(Ipv6Prefix::from_string("2001:db8::/129"));
	EXPECT_FALSE(Ipv6Prefix::from_string("2001:db8::/"));
	EXPECT_FALSE(Ipv6Prefix::from_string("2001:db8::/6x"));
	EXPECT_FALSE(Ipv6Prefix::from_string("2001:db8::"));
	EXPECT_EQ(test::link_layer("00:11:22:33:01:01").to_string(), "00:11:22:33:01:01");
	EXPECT_EQ(test::link_layer("0a-0B-0c").to_string(), "0a:0b:0c");
	EXPECT_FALSE(LinkLayerAddress::from_string(""));
	EXPECT_FALSE(LinkLayerAddress::from_string("00:11:"));
	EXPECT_FALSE(LinkLayerAddress::from_string("0:11"));
	EXPECT_FALSE(LinkLayerAddress::from_string("00.11"));
}

TEST(MhAddresses, PrefixesCompareAndMatchOnTheirLengthOnly)
{
	EXPECT_EQ(prefix("2001:db8:1:0:ffff::/64"), prefix("2001:db8:1::/64"));
	EXPECT_NE(prefix("2001:db8:1::/64"), prefix("2001:db8:1::/63"));
	EXPECT_EQ(prefix("2001:db8:1:ffff::/61").masked().address, address("2001:db8:1:fff8::"));
	EXPECT_EQ(prefix("::/0").masked().address, address("::"));
	EXPECT_TRUE(prefix("2001:db8:1::/48").contains(address("2001:db8:1:2::3")));
	EXPECT_FALSE(prefix("2001:db8:1::/48").contains(address("2001:db8:2::3")));
	EXPECT_TRUE(prefix("::/0").contains(address("2001:db8:2::3")));
}

TEST(MhStatus, CodesHaveTheirRfcNames)
{
	EXPECT_EQ(name(Status::Accepted), "ACCEPTED");
	EXPECT_EQ(name(Status::ProxyRegNotEnabled), "PROXY_REG_NOT_ENABLED");
	EXPECT_EQ(name(Status::TimestampMismatch), "TIMESTAMP_MISMATCH");
	EXPECT_EQ(name(Status::MissingAccessTechTypeOption), "MISSING_ACCESS_TECH_TYPE_OPTION");
	EXPECT_EQ(static_cast<int>(Status::MissingHandoffIndicatorOption), 161);
	EXPECT_EQ(status_from_name("BCE_PBU_PREFIX_SET_DO_NOT_MATCH"), Status::BcePbuPrefixSetDoNotMatch);
	EXPECT_FALSE(status_from_name("NO_SUCH_STATUS"));
	EXPECT_TRUE(is_accepted(Status::AcceptedPrefixDiscoveryNecessary));
	EXPECT_FALSE(is_accepted(Status::ReasonUnspecified));
	std::ostringstream os;
	os << Status::SequenceNumberOutOfWindow << ' ' << static_cast<Status>(200) << ' '
	   << BindingErrorStatus::UnrecognizedMhType;
	EXPECT_EQ(os.str(), "SEQUENCE_NUMBER_OUT_OF_WINDOW(135) 200 UNRECOGNIZED_MH_TYPE(2)");
}

TEST(MhBuildErrors, ValuesTheWireCannotCarryAreRefused)
{
	ProxyBindingUpdate bu;
	bu.options.home_network_prefixes.push_back(Ipv6Prefix{address("2001:db8::"), 129});
	EXPECT_EQ(build(bu).error().code, BuildErrorCode::PrefixLengthTooLong);

	bu = {};
	bu.options.previous_maars.push_back(PreviousMaar{address("2001:db8::1"), Ipv6Prefix{address("::"), 200}});
	EXPECT_EQ(build(bu).error().code, BuildErrorCode::PrefixLengthTooLong);

	bu = {};
	bu.options.mobile_node_identifier = MobileNodeIdentifier::nai(std::string(255, 'a'));
	EXPECT_EQ(build(bu).error().code, BuildErrorCode::IdentifierTooLong);
	bu.options.mobile_node_identifier = MobileNodeIdentifier::nai(std::string(254, 'a'));
	EXPECT_TRUE(build(bu));

	bu = {};
	bu.options.dlif_link_layer_address = LinkLayerAddress{};
	EXPECT_EQ(build(bu).error().code, BuildErrorCode::LinkLayerAddressEmpty);
	bu.options.dlif_link_layer_address->bytes.assign(std::vector<std::uint8_t>(254, 1));
	EXPECT_EQ(build(bu).error().code, BuildErrorCode::LinkLayerAddressTooLong);
	bu.options.dlif_link_layer_address->bytes.assign(std::vector<std::uint8_t>(253, 1));
	EXPECT_TRUE(build(bu));
}

TEST(MhBuildErrors, MessagesOver2048OctetsAreRefused)
{
	ProxyBindingUpdate bu;
	// The first HNP fills 12..32; each further one needs PadN(4) to reach
	// 8n+4 again: 32 + 84 * 24 = 2048 octets for 85 of them.
	for (int i = 0; i < 85; ++i)
		bu.options.home_network_prefixes.push_back(prefix("2001:db8::/64"));
	EXPECT_EQ(*encoded_size(bu), 2048u);
	bu.options.home_network_prefixes.push_back(prefix("2001:db8::/64"));
	const auto size = encoded_size(bu);
	ASSERT_FALSE(size);
	EXPECT_EQ(size.error(), (BuildError{BuildErrorCode::MessageTooLong, 2072}));
}

TEST(MhBuildErrors, BuildIntoReportsTheSizeItNeeds)
{
	std::array<std::uint8_t, 15> small{};
	const auto written = build_into(ProxyBindingUpdate{}, small);
	ASSERT_FALSE(written);
	EXPECT_EQ(written.error(), (BuildError{BuildErrorCode::BufferTooSmall, 16}));
	EXPECT_EQ(to_string(written.error()), "buffer-too-small (16 octets)");
	std::array<std::uint8_t, 16> exact{};
	EXPECT_EQ(*build_into(ProxyBindingUpdate{}, exact), 16u);
}

TEST(MhFormat, APbuIsOneReadableLine)
{
	ProxyBindingUpdate bu;
	bu.sequence = 7;
	bu.flags.set(BuFlag::Dmm);
	bu.lifetime = Lifetime::at_most(400s);
	bu.options.mobile_node_identifier = MobileNodeIdentifier::nai("mn1");
	bu.options.home_network_prefixes.push_back(prefix("2001:db8:1::/64"));
	bu.options.handoff_indicator = HandoffIndicator::HandoffBetweenMags;
	bu.options.access_technology_type = AccessTechnologyType::Ieee80211;
	bu.options.timestamp = Timestamp::from_parts(1700000000, 0x8000);
	bu.options.previous_maars.push_back(PreviousMaar{address("2001:db8::11"), prefix("2001:db8:11::/64")});
	bu.options.previous_maars.push_back(PreviousMaar{address("2001:db8::12"), prefix("2001:db8:12::/64")});
	EXPECT_EQ(to_string(Message(bu)),
		  "PBU seq=7 flags=APD lifetime=400s mn-id=nai:\"mn1\" hnp=2001:db8:1::/64 "
		  "hi=HANDOFF_BETWEEN_MAGS(3) att=IEEE_802_11(4) timestamp=1700000000.500000 "
		  "prev-maar=2001:db8::11(hnp 2001:db8:11::/64),2001:db8::12(hnp 2001:db8:12::/64)");
}

TEST(MhFormat, APbaAndABindingErrorAreOneReadableLine)
{
	ProxyBindingAck ba;
	ba.status = Status::TimestampMismatch;
	ba.sequence = 9;
	ba.options.serving_maar = address("2001:db8::22");
	ba.options.dlif_link_layer_address = test::link_layer("02:00:00:00:00:01");
	EXPECT_EQ(to_string(Message(ba)),
		  "PBA status=TIMESTAMP_MISMATCH(156) seq=9 flags=P lifetime=0s s-maar=2001:db8::22 "
		  "dlif-lla=02:00:00:00:00:01");
	EXPECT_EQ(to_string(Message(BindingError{})), "BE status=UNRECOGNIZED_MH_TYPE(2) home=::");
	EXPECT_EQ(flag_letters(BaFlags{}), "-");
}

TEST(MhFormat, HostileIdentifiersCannotBreakTheLogLine)
{
	MobilityOptions o;
	o.mobile_node_identifier = MobileNodeIdentifier::nai("a\nb\"c\\");
	o.mobile_node_identifier->identifier.push_back(0xff);
	EXPECT_EQ(to_string(o), "mn-id=nai:\"a\\x0ab\\x22c\\x5c\\xff\"");
}

TEST(MhFormat, SkippedOptionsAreShown)
{
	const auto parsed = parse(test::hex("3b 01 05 00 0000 0001 8200 0001 c8 02 0000"));
	ASSERT_TRUE(parsed);
	EXPECT_EQ(to_string(*parsed), "PBU seq=1 flags=AP lifetime=4s skipped=type200/len2@12");
}

} // namespace
} // namespace dlif::mh
