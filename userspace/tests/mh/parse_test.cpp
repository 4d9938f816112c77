// SPDX-License-Identifier: GPL-2.0
//
// Receive-side rules: every typed parse error, and what a receiver must
// tolerate (any alignment, non-zero reserved fields, prefix bits beyond the
// prefix length, unknown options).
#include <gtest/gtest.h>

#include <cstdio>

#include "support.hpp"

namespace dlif::mh {
namespace {

using test::address;
using test::hex;
using test::prefix;

// A BU (seq 1, flags A|P, lifetime 1) followed by `options` hex, with Header
// Len computed; the caller makes the whole a multiple of 8.
std::vector<std::uint8_t> bu_with_options(const std::string &options)
{
	auto bytes = hex("3b 00 05 00 0000 0001 8200 0001 " + options);
	bytes[1] = static_cast<std::uint8_t>(bytes.size() / 8 - 1);
	return bytes;
}

ParseError parse_error(const std::vector<std::uint8_t> &bytes)
{
	const auto parsed = parse(bytes);
	EXPECT_FALSE(parsed) << to_string(*parsed);
	return parsed ? ParseError{ParseErrorCode::OutOfMemory} : parsed.error();
}

ParsedMessage parsed_ok(const std::vector<std::uint8_t> &bytes)
{
	auto parsed = parse(bytes);
	if (!parsed) {
		ADD_FAILURE() << parsed.error();
		return {};
	}
	return std::move(*parsed);
}

TEST(MhParseErrors, EmptyAndShortInputsAreTruncatedHeaders)
{
	for (std::size_t size = 0; size < 8; ++size) {
		const std::vector<std::uint8_t> bytes(size, 0x3b);
		EXPECT_EQ(parse_error(bytes), (ParseError{ParseErrorCode::TruncatedHeader, static_cast<std::uint16_t>(size)}));
	}
}

TEST(MhParseErrors, HeaderLenSayingMoreThanTheInputIsAMismatch)
{
	EXPECT_EQ(parse_error(hex("3b 02 05 00 0000 0001 8200 0001 01020000")),
		  (ParseError{ParseErrorCode::HeaderLengthMismatch, 1}));
}

TEST(MhParseErrors, HeaderLenSayingLessThanTheInputIsAMismatch)
{
	EXPECT_EQ(parse_error(hex("3b 00 05 00 0000 0001 8200 0001 01020000")),
		  (ParseError{ParseErrorCode::HeaderLengthMismatch, 1}));
}

TEST(MhParseErrors, InputThatIsNotAMultipleOfEightIsAMismatch)
{
	EXPECT_EQ(parse_error(hex("3b 01 05 00 0000 0001 8200 0001 010200")),
		  (ParseError{ParseErrorCode::HeaderLengthMismatch, 1}));
}

TEST(MhParseErrors, PayloadProtoOtherThan59IsRejectedPointingAtOctet0)
{
	EXPECT_EQ(parse_error(hex("06 01 05 00 0000 0001 8200 0001 01020000")),
		  (ParseError{ParseErrorCode::BadPayloadProto, 0}));
}

TEST(MhParseErrors, UnknownMhTypesAreReportedWithTheirTypeForABindingError)
{
	for (std::uint8_t type : std::initializer_list<std::uint8_t>{0, 1, 4, 8, 13, 200, 255}) {
		auto bytes = hex("3b 01 00 00 0000 0000 0000 0000 0000 0000");
		bytes[2] = type;
		EXPECT_EQ(parse_error(bytes), (ParseError{ParseErrorCode::UnsupportedMhType, 2, type}));
	}
}

TEST(MhParseErrors, BindingUpdateAndAckNeedHeaderLenOfAtLeastOne)
{
	EXPECT_EQ(parse_error(hex("3b 00 05 00 0000 0001")), (ParseError{ParseErrorCode::MessageTooShortForType, 1, 5}));
	EXPECT_EQ(parse_error(hex("3b 00 06 00 0000 0001")), (ParseError{ParseErrorCode::MessageTooShortForType, 1, 6}));
}

TEST(MhParseErrors, BindingErrorNeedsHeaderLenOfAtLeastTwo)
{
	EXPECT_EQ(parse_error(hex("3b 01 07 00 0000 02 00 20010db800000000")),
		  (ParseError{ParseErrorCode::MessageTooShortForType, 1, 7}));
}

TEST(MhParseErrors, OptionWithoutRoomForItsLengthOctetIsTruncated)
{
	// PadN(3) then a lone HI Type octet in the last position (offset 15).
	EXPECT_EQ(parse_error(bu_with_options("01 01 00 17")),
		  (ParseError{ParseErrorCode::OptionTruncated, 15, 23}));
}

TEST(MhParseErrors, OptionRunningPastTheEndIsTruncated)
{
	// HNP claims 18 octets of data with 2 left.
	EXPECT_EQ(parse_error(bu_with_options("16 12 00 40")), (ParseError{ParseErrorCode::OptionTruncated, 13, 22}));
	// An unknown option too: skipping needs a Length that fits.
	EXPECT_EQ(parse_error(bu_with_options("c8 05 00 00")), (ParseError{ParseErrorCode::OptionTruncated, 13, 200}));
}

struct WrongLength {
	const char *name;
	const char *options; // at offset 12; the message is padded by the test
	std::uint8_t type;
};

// Named in test output by its name only.
void PrintTo(const WrongLength &value, std::ostream *os)
{
	*os << value.name;
}

class MhWrongOptionLength : public testing::TestWithParam<WrongLength> {};

TEST_P(MhWrongOptionLength, IsRejectedPointingAtTheLengthOctet)
{
	std::string options = GetParam().options;
	auto bytes = bu_with_options(options);
	// Pad to a multiple of 8 with zero octets (Pad1s).
	while (bytes.size() % 8 != 0)
		bytes.push_back(0);
	bytes[1] = static_cast<std::uint8_t>(bytes.size() / 8 - 1);
	EXPECT_EQ(parse_error(bytes), (ParseError{ParseErrorCode::InvalidOptionLength, 13, GetParam().type}));
}

INSTANTIATE_TEST_SUITE_P(
	KnownOptions, MhWrongOptionLength,
	testing::Values(
		WrongLength{"MnIdWithoutSubtype", "08 00", 8},
		WrongLength{"HnpLength17", "16 11 00 40 20010db80001000000000000000000", 22},
		WrongLength{"HnpLength19", "16 13 00 40 20010db8000100000000000000000000 00", 22},
		WrongLength{"HandoffIndicatorLength1", "17 01 01", 23},
		WrongLength{"AccessTechnologyTypeLength3", "18 03 00 04 00", 24},
		WrongLength{"MnLinkLayerIdentifierWithoutAddress", "19 02 0000", 25},
		WrongLength{"LinkLocalAddressLength8", "1a 08 fe80000000000001", 26},
		WrongLength{"TimestampLength4", "1b 04 6553f100", 27},
		WrongLength{"AnchoredPrefixLength16", "41 10 00 40 20010db8000a0000000000000000", 65},
		WrongLength{"LocalPrefixLength20", "42 14 00 40 20010db8000c00000000000000000000 0000", 66},
		// The seeds' layout (Length 33, no Reserved octet) is not RFC 8885.
		WrongLength{"PreviousMaarSeedLayoutLength33",
			    "43 21 40 20010db8000000000000000000000011 20010db8001100000000000000000000", 67},
		WrongLength{"ServingMaarLength15", "44 0f 20010db80000000000000000000000", 68},
		WrongLength{"DlifLinkLocalLength17", "45 11 fe80000000000000000000000000000100", 69},
		WrongLength{"DlifLinkLayerWithoutAddress", "46 02 0000", 70},
		WrongLength{"DlifLinkLayerReservedOnly", "46 01 00", 70}),
	[](const testing::TestParamInfo<WrongLength> &param) { return std::string(param.param.name); });

TEST(MhParseErrors, PrefixLengthAbove128IsRejectedForEveryPrefixOption)
{
	for (const char *type : {"16", "41", "42"}) {
		const auto bytes = bu_with_options(std::string(type) + " 12 00 81 20010db8000100000000000000000000");
		EXPECT_EQ(parse_error(bytes),
			  (ParseError{ParseErrorCode::PrefixLengthTooLong, 15, hex(type)[0]}));
	}
	const auto previous = bu_with_options("43 22 00 ff 20010db8000000000000000000000011 20010db8001100000000000000000000");
	EXPECT_EQ(parse_error(previous), (ParseError{ParseErrorCode::PrefixLengthTooLong, 15, 67}));
}

TEST(MhParseErrors, PrefixLengthOf128IsAccepted)
{
	const auto parsed = parsed_ok(bu_with_options("16 12 00 80 20010db8000100000000000000000001"));
	const auto &bu = std::get<ProxyBindingUpdate>(parsed.message);
	ASSERT_EQ(bu.options.home_network_prefixes.size(), 1u);
	EXPECT_EQ(bu.options.home_network_prefixes[0].address, address("2001:db8:1::1"));
	EXPECT_EQ(bu.options.home_network_prefixes[0].length, 128);
}

TEST(MhParseErrors, PadNWithNonZeroContentIsBadPadding)
{
	EXPECT_EQ(parse_error(bu_with_options("01 02 00 07")), (ParseError{ParseErrorCode::BadPadding, 15, 1}));
}

TEST(MhParseErrors, SecondInstanceOfANonRepeatableOptionIsADuplicate)
{
	EXPECT_EQ(parse_error(bu_with_options("17 02 00 01 17 02 00 04 01 02 0000")),
		  (ParseError{ParseErrorCode::DuplicateOption, 16, 23}));
	EXPECT_EQ(parse_error(bu_with_options("08 02 01 61 08 02 01 62 01 02 0000")),
		  (ParseError{ParseErrorCode::DuplicateOption, 16, 8}));
	EXPECT_EQ(parse_error(bu_with_options("44 10 20010db8000000000000000000000022 44 10 20010db8000000000000000000000023")),
		  (ParseError{ParseErrorCode::DuplicateOption, 30, 68}));
}

TEST(MhParseErrors, ErrorsPrintWithNameOffsetAndType)
{
	EXPECT_EQ(to_string(ParseError{ParseErrorCode::InvalidOptionLength, 13, 67}),
		  "invalid-option-length at offset 13 (option 67)");
	EXPECT_EQ(to_string(ParseError{ParseErrorCode::UnsupportedMhType, 2, 9}), "unsupported-mh-type at offset 2 (MH type 9)");
	EXPECT_EQ(to_string(ParseError{ParseErrorCode::BadPayloadProto, 0}), "bad-payload-proto at offset 0");
}

TEST(MhParseTolerance, OptionsAreAcceptedAtAnyAlignment)
{
	// HNP right after the MN-ID at offset 18 (8n+2, not 8n+4), the Serving
	// MAAR at 38, then the Timestamp at 56 (8n+0, not 8n+2).
	const auto parsed = parsed_ok(bu_with_options("08 04 01 6d6e31"
						      "16 12 00 40 20010db8000100000000000000000000"
						      "44 10 20010db8000000000000000000000022"
						      "1b 08 00006553f1008000"
						      "01 04 00000000"));
	const auto &o = std::get<ProxyBindingUpdate>(parsed.message).options;
	EXPECT_EQ(o.mobile_node_identifier->text(), "mn1");
	EXPECT_EQ(o.home_network_prefixes.front(), prefix("2001:db8:1::/64"));
	EXPECT_EQ(*o.serving_maar, address("2001:db8::22"));
	EXPECT_EQ(*o.timestamp, Timestamp::from_parts(1700000000, 0x8000));
}

TEST(MhParseTolerance, ReservedFieldsAreIgnored)
{
	// MH Reserved 0xff, BU reserved flag bits 0x000f, HNP Reserved 0xff,
	// HI/ATT Reserved, link-layer Reserved, Previous MAAR Reserved.
	auto bytes = hex("3b 00 05 ff 0000 0001 820f 0001"
			 "16 12 ff 40 20010db8000100000000000000000000"
			 "17 02 ff 01 18 02 ff 04"
			 "01 00 46 08 ffff 001122330101"
			 "43 22 ff 40 20010db8000000000000000000000011 20010db8001100000000000000000000");
	bytes[1] = static_cast<std::uint8_t>(bytes.size() / 8 - 1);
	ASSERT_EQ(bytes.size() % 8, 0u);
	const auto parsed = parsed_ok(bytes);
	const auto &bu = std::get<ProxyBindingUpdate>(parsed.message);
	EXPECT_EQ(bu.flags, (BuFlags{BuFlag::Acknowledge, BuFlag::ProxyRegistration}));
	EXPECT_EQ(bu.options.home_network_prefixes.front(), prefix("2001:db8:1::/64"));
	EXPECT_EQ(bu.options.handoff_indicator, HandoffIndicator::AttachmentOverNewInterface);
	EXPECT_EQ(bu.options.dlif_link_layer_address, test::link_layer("00:11:22:33:01:01"));
	EXPECT_EQ(bu.options.previous_maars.front().address, address("2001:db8::11"));

	// The BA's reserved flag bit 0x01 too.
	const auto ba = parsed_ok(hex("3b 01 06 00 0000 00 23 0001 0001 01 02 0000"));
	EXPECT_EQ(std::get<ProxyBindingAck>(ba.message).flags, (BaFlags{BaFlag::ProxyRegistration, BaFlag::Dmm}));
}

TEST(MhParseTolerance, PrefixBitsBeyondThePrefixLengthAreCleared)
{
	const auto parsed = parsed_ok(bu_with_options("41 12 00 30 20010db8000aff01ffffffffffffffff"
						      "01 02 0000 43 22 00 3c 20010db8000000000000000000000011 20010db80011ffffffffffffffffffff"));
	const auto &o = std::get<ProxyBindingUpdate>(parsed.message).options;
	EXPECT_EQ(o.anchored_prefixes.front().address, address("2001:db8:a::"));
	EXPECT_EQ(o.anchored_prefixes.front().length, 48);
	// The P-MAAR address is a full address: nothing is cleared there.
	EXPECT_EQ(o.previous_maars.front().address, address("2001:db8::11"));
	EXPECT_EQ(o.previous_maars.front().home_network_prefix.address, address("2001:db8:11:fff0::"));
}

TEST(MhParseTolerance, UnknownOptionsAreSkippedAndReportedInOrder)
{
	// E-O1: type 200 Length 5 between known options, and type 2 (Binding
	// Refresh Advice, MIPv6 only) at the end.
	const auto parsed = parsed_ok(bu_with_options("17 02 00 01 c8 05 0102030405 18 02 00 04"
						      "02 02 0010 01 07 00000000000000"));
	const auto &o = std::get<ProxyBindingUpdate>(parsed.message).options;
	EXPECT_EQ(o.handoff_indicator, HandoffIndicator::AttachmentOverNewInterface);
	EXPECT_EQ(o.access_technology_type, AccessTechnologyType::Ieee80211);
	ASSERT_EQ(parsed.skipped_options.size(), 2u);
	EXPECT_EQ(parsed.skipped_options[0], (SkippedOption{200, 5, 16}));
	EXPECT_EQ(parsed.skipped_options[1], (SkippedOption{2, 2, 27}));
}

TEST(MhParseTolerance, RepeatableOptionsBeyondTheInlineCapacityAreAllKept)
{
	std::string options;
	for (int i = 0; i < 9; ++i) {
		char byte[3];
		std::snprintf(byte, sizeof(byte), "%02x", i);
		if (i > 0)
			options += "01 02 0000"; // keeps each at 8n+4
		options += std::string("42 12 00 40 20010db8 00") + byte + "00000000000000000000";
	}
	const auto parsed = parsed_ok(bu_with_options(options));
	const auto &local = std::get<ProxyBindingUpdate>(parsed.message).options.local_prefixes;
	ASSERT_EQ(local.size(), 9u);
	EXPECT_TRUE(local.uses_heap());
	for (int i = 0; i < 9; ++i)
		EXPECT_EQ(local[static_cast<std::size_t>(i)].address.bytes[5], i);
}

TEST(MhParseTolerance, ChecksumIsNotTheParsersBusiness)
{
	// Raw IPPROTO_MH sockets verify the checksum in the kernel.
	EXPECT_TRUE(parse(hex("3b 01 05 00 dead 0001 8200 0001 01020000")));
}

TEST(MhParseTolerance, LargestMessageOf2048OctetsParses)
{
	// One PadN per 257 octets is not possible; fill with unknown options.
	std::string options;
	std::size_t size = 12;
	while (size + 257 <= 2048) {
		options += "c9 ff " + std::string(255 * 2, '0');
		size += 257;
	}
	options += "01 " + [&] {
		char length[3];
		std::snprintf(length, sizeof(length), "%02zx", 2048 - size - 2);
		return std::string(length);
	}() + std::string((2048 - size - 2) * 2, '0');
	const auto bytes = bu_with_options(options);
	ASSERT_EQ(bytes.size(), 2048u);
	const auto parsed = parsed_ok(bytes);
	EXPECT_EQ(parsed.skipped_options.size(), 7u);
}

} // namespace
} // namespace dlif::mh
