// SPDX-License-Identifier: GPL-2.0
//
// Byte-exact vectors, written by hand from the RFC layouts (RFC 6275 §6.1,
// RFC 5213 §8, RFC 8885 §4 with the numbers of spec/wire-format.md), for
// every message and every option: the builder must produce them octet for
// octet and the parser must read them back to the same value.
#include <gtest/gtest.h>

#include "support.hpp"

namespace dlif::mh {
namespace {

using test::address;
using test::hex;
using test::link_layer;
using test::prefix;

// PBU header used by the option vectors: Payload Proto 59, Header Len (hl),
// MH type 5, Reserved, Checksum 0, Sequence 0x1234, flags A|P (0x8200),
// Lifetime 100 units (400 s). The options start at offset 12.
std::string pbu_header(const char *header_len)
{
	return std::string("3b ") + header_len + " 05 00 0000 1234 8200 0064 ";
}

ProxyBindingUpdate pbu_with(MobilityOptions options)
{
	ProxyBindingUpdate bu;
	bu.sequence = 0x1234;
	bu.flags = BuFlags{BuFlag::Acknowledge, BuFlag::ProxyRegistration};
	bu.lifetime = Lifetime::from_units(100);
	bu.options = std::move(options);
	return bu;
}

void expect_vector(const Message &message, const std::vector<std::uint8_t> &expected)
{
	const auto bytes = build(message);
	ASSERT_TRUE(bytes) << bytes.error();
	EXPECT_EQ(test::to_hex(*bytes), test::to_hex(expected));
	const auto parsed = parse(expected);
	ASSERT_TRUE(parsed) << parsed.error();
	EXPECT_EQ(parsed->message, message) << to_string(parsed->message) << "\n  vs " << to_string(message);
	EXPECT_TRUE(parsed->skipped_options.empty());
}

TEST(MhVectors, BindingUpdateWithoutOptionsIsPaddedToSixteenOctets)
{
	// 12 octets of header and BU data, then PadN(4) to reach 16.
	expect_vector(pbu_with({}), hex(pbu_header("01") + "01 02 0000"));
}

TEST(MhVectors, BindingUpdateCarriesEveryFlagBitInWireOrder)
{
	ProxyBindingUpdate bu = pbu_with({});
	bu.flags = BuFlags{BuFlag::Acknowledge,
			   BuFlag::HomeRegistration,
			   BuFlag::LinkLocalCompatibility,
			   BuFlag::KeyManagementCompatibility,
			   BuFlag::MapRegistration,
			   BuFlag::MobileRouter,
			   BuFlag::ProxyRegistration,
			   BuFlag::ForceUdpEncapsulation,
			   BuFlag::TlvHeaderFormat,
			   BuFlag::BulkBinding,
			   BuFlag::MulticastSignaling,
			   BuFlag::Dmm};
	expect_vector(bu, hex("3b 01 05 00 0000 1234 fff0 0064 01 02 0000"));
}

TEST(MhVectors, BindingUpdateDFlagIsBit0x0010OfTheFlagsWord)
{
	ProxyBindingUpdate bu = pbu_with({});
	bu.flags = BuFlags{BuFlag::Dmm};
	expect_vector(bu, hex("3b 01 05 00 0000 1234 0010 0064 01 02 0000"));
}

TEST(MhVectors, BindingAckCarriesEveryFlagBitAndTheDFlagIs0x02)
{
	ProxyBindingAck ba;
	ba.status = Status::Accepted;
	ba.flags = BaFlags{BaFlag::KeyManagementCompatibility, BaFlag::MobileRouter, BaFlag::ProxyRegistration,
			   BaFlag::TlvHeaderFormat, BaFlag::BulkBinding, BaFlag::MulticastSignaling, BaFlag::Dmm};
	ba.sequence = 0xbeef;
	ba.lifetime = Lifetime::from_units(0xffff);
	expect_vector(ba, hex("3b 01 06 00 0000 00 fe beef ffff 01 02 0000"));

	ba.flags = BaFlags{BaFlag::Dmm};
	ba.status = Status::TimestampLowerThanPrevAccepted;
	expect_vector(ba, hex("3b 01 06 00 0000 9d 02 beef ffff 01 02 0000"));
}

TEST(MhVectors, BindingErrorCarriesStatusAndHomeAddress)
{
	BindingError be;
	be.status = BindingErrorStatus::UnrecognizedMhType;
	be.home_address = address("2001:db8::5");
	// 6 + Status + Reserved + 16 = 24 octets, already a multiple of 8.
	expect_vector(be, hex("3b 02 07 00 0000 02 00 20010db8000000000000000000000005"));
}

TEST(MhVectors, MobileNodeIdentifierNaiHasNoAlignmentAndIsPaddedAtTheEnd)
{
	MobilityOptions o;
	o.mobile_node_identifier = MobileNodeIdentifier::nai("mn1");
	// Type 8, Length 4, Subtype 1 (NAI), "mn1" at offset 12; PadN(6) to 24.
	expect_vector(pbu_with(o), hex(pbu_header("02") + "08 04 01 6d6e31  01 04 00000000"));
}

TEST(MhVectors, MobileNodeIdentifierKeepsOtherSubtypes)
{
	MobilityOptions o;
	o.mobile_node_identifier = MobileNodeIdentifier{static_cast<MnIdSubtype>(4), {0x01, 0x02}};
	expect_vector(pbu_with(o), hex(pbu_header("02") + "08 03 04 0102  01 05 0000000000"));
}

TEST(MhVectors, HomeNetworkPrefixAt8nPlus4)
{
	MobilityOptions o;
	o.home_network_prefixes.push_back(prefix("2001:db8:1::/64"));
	// Offset 12 is already 8n+4: Type 22, Length 18, Reserved, Prefix Length 64.
	expect_vector(pbu_with(o), hex(pbu_header("03") + "16 12 00 40 20010db8000100000000000000000000"));
}

TEST(MhVectors, HandoffIndicatorAndAccessTechnologyTypeNeedNoPadding)
{
	MobilityOptions o;
	o.handoff_indicator = HandoffIndicator::AttachmentOverNewInterface;
	o.access_technology_type = AccessTechnologyType::Ieee80211;
	expect_vector(pbu_with(o), hex(pbu_header("02") + "17 02 00 01  18 02 00 04  01 02 0000"));
}

TEST(MhVectors, MobileNodeLinkLayerIdentifierAt8nPlus2)
{
	MobilityOptions o;
	o.mobile_node_link_layer_identifier = link_layer("00:11:22:33:01:01");
	// PadN(6) from 12 to 18 = 8*2+2; Type 25, Length 8, Reserved(2), MAC; PadN(4) to 32.
	expect_vector(pbu_with(o), hex(pbu_header("03") + "01 04 00000000  19 08 0000 001122330101  01 02 0000"));
}

TEST(MhVectors, LinkLocalAddressAt8nPlus6)
{
	MobilityOptions o;
	o.link_local_address = address("fe80::1");
	// PadN(2) from 12 to 14 = 8+6; Type 26, Length 16: ends at 32.
	expect_vector(pbu_with(o), hex(pbu_header("03") + "01 00  1a 10 fe800000000000000000000000000001"));
}

TEST(MhVectors, TimestampAt8nPlus2With48BitSecondsAnd16BitFraction)
{
	MobilityOptions o;
	o.timestamp = Timestamp::from_parts(1700000000, 0x8000); // 2023-11-14 22:13:20.5 UTC
	expect_vector(pbu_with(o), hex(pbu_header("03") + "01 04 00000000  1b 08 00006553f100 8000  01 02 0000"));
}

TEST(MhVectors, AnchoredPrefixAt8nPlus4)
{
	MobilityOptions o;
	o.anchored_prefixes.push_back(prefix("2001:db8:a::/64"));
	expect_vector(pbu_with(o), hex(pbu_header("03") + "41 12 00 40 20010db8000a00000000000000000000"));
}

TEST(MhVectors, LocalPrefixAt8nPlus4)
{
	MobilityOptions o;
	o.local_prefixes.push_back(prefix("2001:db8:1c::/48"));
	expect_vector(pbu_with(o), hex(pbu_header("03") + "42 12 00 30 20010db8001c00000000000000000000"));
}

TEST(MhVectors, PreviousMaarHasLength34WithReservedOctetAt8nPlus4)
{
	MobilityOptions o;
	o.previous_maars.push_back(PreviousMaar{address("2001:db8::11"), prefix("2001:db8:11::/64")});
	// Type 67, Length 34, Reserved, Prefix Length, P-MAAR (offset 16, 8-aligned),
	// HNP (offset 32, 8-aligned): 48 octets in all.
	expect_vector(pbu_with(o), hex(pbu_header("05") +
				       "43 22 00 40 20010db8000000000000000000000011 20010db8001100000000000000000000"));
}

TEST(MhVectors, ServingMaarAt8nPlus6)
{
	MobilityOptions o;
	o.serving_maar = address("2001:db8::22");
	expect_vector(pbu_with(o), hex(pbu_header("03") + "01 00  44 10 20010db8000000000000000000000022"));
}

TEST(MhVectors, DlifLinkLocalAddressAt8nPlus6)
{
	MobilityOptions o;
	o.dlif_link_local_address = address("fe80::211:22ff:fe33:101");
	expect_vector(pbu_with(o), hex(pbu_header("03") + "01 00  45 10 fe80000000000000021122fffe330101"));
}

TEST(MhVectors, DlifLinkLayerAddressAt8nPlus2)
{
	MobilityOptions o;
	o.dlif_link_layer_address = link_layer("00:11:22:33:01:01");
	// The 4.10 encoding "46 08 00 00 00 11 22 33 01 01", sent at 8n+2.
	expect_vector(pbu_with(o), hex(pbu_header("03") + "01 04 00000000  46 08 0000 001122330101  01 02 0000"));
}

TEST(MhVectors, Pad1FillsASingleOctetGap)
{
	MobilityOptions o;
	o.mobile_node_identifier = MobileNodeIdentifier::nai("mn12"); // 7 octets: 12..19
	o.home_network_prefixes.push_back(prefix("2001:db8:1::/64"));  // needs 20 = 8n+4
	expect_vector(pbu_with(o), hex(pbu_header("04") + "08 05 01 6d6e3132  00  16 12 00 40 20010db8000100000000000000000000"));
}

TEST(MhVectors, RepeatedOptionsKeepTheirOrder)
{
	MobilityOptions o;
	o.home_network_prefixes.push_back(prefix("2001:db8:2::/64"));
	o.home_network_prefixes.push_back(prefix("2001:db8:1::/56"));
	// The second HNP starts at 32 and needs 36 = 8n+4: PadN(4).
	// 56 octets in all, no final padding.
	expect_vector(pbu_with(o), hex(pbu_header("06") + "16 12 00 40 20010db8000200000000000000000000"
							  "01 02 0000"
							  "16 12 00 38 20010db8000100000000000000000000"));
}

// Requirements §4.10 (a), corrected to the project's wire format: the PBA the
// CMD relays to the new MAAR (PBA* C->M2), status 0, flags P and D (0x22),
// MN-ID "mn1", HNP Pref2, HI 4, ATT 4 and a Previous MAAR option for M1 /
// Pref1 with Length 34 and a Reserved octet, sent at 8n+4: 88 octets.
TEST(MhVectors, RequirementsExampleAPbaRelayedToTheServingMaar)
{
	ProxyBindingAck ba;
	ba.status = Status::Accepted;
	ba.flags = BaFlags{BaFlag::ProxyRegistration, BaFlag::Dmm};
	ba.sequence = 0x0102;
	ba.lifetime = Lifetime::at_most(std::chrono::seconds(3600)); // 900 units
	ba.options.mobile_node_identifier = MobileNodeIdentifier::nai("mn1");
	ba.options.home_network_prefixes.push_back(prefix("2001:db8:2::/64"));
	ba.options.handoff_indicator = HandoffIndicator::HandoffStateUnknown;
	ba.options.access_technology_type = AccessTechnologyType::Ieee80211;
	ba.options.previous_maars.push_back(PreviousMaar{address("2001:db8::1"), prefix("2001:db8:1::/64")});
	expect_vector(ba, hex("3b 0a 06 00 0000"                             // 0-5
			      "00 22 0102 0384"                              // 6-11: status, P|D, seq, 900
			      "08 04 01 6d6e31"                              // 12-17: MN-ID "mn1"
			      "01 00"                                        // 18-19: PadN(2)
			      "16 12 00 40 20010db8000200000000000000000000" // 20-39: HNP
			      "17 02 00 04"                                  // 40-43: HI
			      "18 02 00 04"                                  // 44-47: ATT
			      "01 02 0000"                                   // 48-51: PadN(4)
			      "43 22 00 40 20010db8000000000000000000000001" // 52-71: Previous MAAR ...
			      "20010db8000100000000000000000000"));          // 72-87: ... Pref1
}

// Requirements §4.10 (b), corrected: the PBU the CMD sends to the previous
// MAAR (PBU* C->M1), flags A, P and D (0x8210), with a Serving MAAR option
// for M2 at 8n+6: 72 octets.
TEST(MhVectors, RequirementsExampleBPbuSentToThePreviousMaar)
{
	ProxyBindingUpdate bu;
	bu.sequence = 0x0a0b;
	bu.flags = BuFlags{BuFlag::Acknowledge, BuFlag::ProxyRegistration, BuFlag::Dmm};
	bu.lifetime = Lifetime::from_units(900);
	bu.options.mobile_node_identifier = MobileNodeIdentifier::nai("mn1");
	bu.options.home_network_prefixes.push_back(prefix("2001:db8:1::/64"));
	bu.options.handoff_indicator = HandoffIndicator::HandoffStateUnknown;
	bu.options.access_technology_type = AccessTechnologyType::Ieee80211;
	bu.options.serving_maar = address("2001:db8::2");
	expect_vector(bu, hex("3b 08 05 00 0000"                             // 0-5
			      "0a0b 8210 0384"                               // 6-11
			      "08 04 01 6d6e31 01 00"                        // 12-19
			      "16 12 00 40 20010db8000100000000000000000000" // 20-39
			      "17 02 00 04 18 02 00 04"                      // 40-47
			      "01 04 00000000"                               // 48-53: PadN(6)
			      "44 10 20010db8000000000000000000000002"));    // 54-71
}

TEST(MhVectors, EveryOptionInOneMessageParsesBackEqual)
{
	ProxyBindingAck ba;
	ba.flags.set(BaFlag::Dmm);
	auto &o = ba.options;
	o.mobile_node_identifier = MobileNodeIdentifier::nai("mn1@example.net");
	o.home_network_prefixes = {prefix("2001:db8:1::/64"), prefix("2001:db8:2::/64")};
	o.handoff_indicator = HandoffIndicator::HandoffBetweenMags;
	o.access_technology_type = AccessTechnologyType::Ieee8023;
	o.mobile_node_link_layer_identifier = link_layer("00:11:22:33:01:01");
	o.link_local_address = address("fe80::1");
	o.timestamp = Timestamp::from_parts(1700000000, 1);
	o.anchored_prefixes = {prefix("2001:db8:a::/64"), prefix("2001:db8:b::/64")};
	o.local_prefixes = {prefix("2001:db8:c::/64")};
	o.previous_maars = {PreviousMaar{address("2001:db8::11"), prefix("2001:db8:11::/64")},
			    PreviousMaar{address("2001:db8::12"), prefix("2001:db8:12::/64")}};
	o.serving_maar = address("2001:db8::22");
	o.dlif_link_local_address = address("fe80::2");
	o.dlif_link_layer_address = link_layer("02:00:00:00:00:01");
	const auto bytes = test::built(ba);
	EXPECT_EQ(bytes.size() % 8, 0u);
	EXPECT_EQ(bytes[1], bytes.size() / 8 - 1);
	const auto parsed = parse(bytes);
	ASSERT_TRUE(parsed) << parsed.error();
	EXPECT_EQ(parsed->message, Message(ba));
}

TEST(MhVectors, EveryOptionIsBuiltAtItsAlignment)
{
	// Walk the built options and check each Type octet's offset.
	ProxyBindingUpdate bu;
	auto &o = bu.options;
	o.mobile_node_identifier = MobileNodeIdentifier::nai("x");
	o.home_network_prefixes = {prefix("2001:db8:1::/64")};
	o.handoff_indicator = HandoffIndicator::HandoffStateNotChanged;
	o.access_technology_type = AccessTechnologyType::Virtual;
	o.mobile_node_link_layer_identifier = link_layer("00:11:22:33:44:55:66");
	o.link_local_address = address("fe80::1");
	o.timestamp = Timestamp::from_raw(42);
	o.anchored_prefixes = {prefix("2001:db8:a::/64")};
	o.local_prefixes = {prefix("2001:db8:b::/64")};
	o.previous_maars = {PreviousMaar{address("2001:db8::11"), prefix("2001:db8:11::/64")}};
	o.serving_maar = address("2001:db8::22");
	o.dlif_link_local_address = address("fe80::2");
	o.dlif_link_layer_address = link_layer("02:00:00:00:00:01");
	const auto bytes = test::built(bu);
	std::size_t offset = 12;
	int seen = 0;
	while (offset < bytes.size()) {
		const auto type = static_cast<OptionType>(bytes[offset]);
		if (type == OptionType::Pad1) {
			++offset;
			continue;
		}
		if (type != OptionType::PadN) {
			const Alignment a = sending_alignment(type);
			EXPECT_EQ(offset % a.multiple, a.offset) << "option " << int(bytes[offset]) << " at " << offset;
			++seen;
		}
		offset += 2u + bytes[offset + 1];
	}
	EXPECT_EQ(offset, bytes.size());
	EXPECT_EQ(seen, 13);
}

} // namespace
} // namespace dlif::mh
