// SPDX-License-Identifier: GPL-2.0
//
// Every wire number of the Mobility Header codec, in one place
// (RFC 6275 §6.1/§6.2, RFC 5213 §8, RFC 8885 §4 as registered by IANA;
// see Documentation/codec.rst for where the seed drafts differ).
#pragma once

#include <cstddef>
#include <cstdint>

namespace dlif::mh {

// IPv6 Next Header value of the Mobility Header (RFC 6275 §6.1).
inline constexpr std::uint8_t kIpProtoMobilityHeader = 135;
// Payload Proto of every Mobility Header sent: IPPROTO_NONE.
inline constexpr std::uint8_t kPayloadProtoNone = 59;

// Header Len counts 8-octet units after the first 8 octets, so a Mobility
// Header is at most 256 units long.
inline constexpr std::size_t kMhUnit = 8;
inline constexpr std::size_t kMaxMessageSize = 256 * kMhUnit;

// Offsets inside the Mobility Header.
inline constexpr std::size_t kOffsetPayloadProto = 0;
inline constexpr std::size_t kOffsetHeaderLen = 1;
inline constexpr std::size_t kOffsetMhType = 2;
inline constexpr std::size_t kOffsetChecksum = 4;
inline constexpr std::size_t kOffsetMessageData = 6;

enum class MhType : std::uint8_t {
	BindingRefreshRequest = 0,
	HomeTestInit = 1,
	CareOfTestInit = 2,
	HomeTest = 3,
	CareOfTest = 4,
	BindingUpdate = 5,
	BindingAcknowledgement = 6,
	BindingError = 7,
};

// Message data before the options: Sequence, flags, Lifetime (BU);
// Status, flags, Sequence, Lifetime (BA); Status, Reserved, Home Address (BE).
inline constexpr std::size_t kBindingUpdateFixedSize = 6;
inline constexpr std::size_t kBindingAckFixedSize = 6;
inline constexpr std::size_t kBindingErrorFixedSize = 18;

enum class OptionType : std::uint8_t {
	Pad1 = 0,
	PadN = 1,
	MobileNodeIdentifier = 8,             // RFC 4283
	HomeNetworkPrefix = 22,               // RFC 5213 §8.3
	HandoffIndicator = 23,                // RFC 5213 §8.4
	AccessTechnologyType = 24,            // RFC 5213 §8.5
	MobileNodeLinkLayerIdentifier = 25,   // RFC 5213 §8.6
	LinkLocalAddress = 26,                // RFC 5213 §8.7
	Timestamp = 27,                       // RFC 5213 §8.8
	AnchoredPrefix = 65,                  // RFC 8885 §4.3
	LocalPrefix = 66,                     // RFC 8885 §4.4
	PreviousMaar = 67,                    // RFC 8885 §4.5
	ServingMaar = 68,                     // RFC 8885 §4.6
	DlifLinkLocalAddress = 69,            // RFC 8885 §4.7
	DlifLinkLayerAddress = 70,            // RFC 8885 §4.8
};

// Option Length (octets after Type and Length) of the fixed-size options.
inline constexpr std::uint8_t kPrefixOptionLength = 18;        // 22, 65, 66
inline constexpr std::uint8_t kPreviousMaarOptionLength = 34;  // 67
inline constexpr std::uint8_t kAddressOptionLength = 16;       // 26, 68, 69
inline constexpr std::uint8_t kOneOctetOptionLength = 2;       // 23, 24
inline constexpr std::uint8_t kTimestampOptionLength = 8;      // 27
// Link-layer options (25, 70) have a 2-octet Reserved field first.
inline constexpr std::uint8_t kLinkLayerReservedSize = 2;
// MN Identifier (8) has a 1-octet Subtype first.
inline constexpr std::uint8_t kMnIdSubtypeSize = 1;
inline constexpr std::size_t kMaxOptionDataSize = 255;
// Longest link-layer address an option can carry (255 - Reserved).
inline constexpr std::size_t kMaxLinkLayerAddressSize = kMaxOptionDataSize - kLinkLayerReservedSize;

// The xn+y alignment a sender gives an option's Type octet, counted from
// the start of the Mobility Header (RFC 6275 §6.2). Receivers accept any
// alignment. Where no RFC states one, the choice is explained in
// Documentation/codec.rst.
struct Alignment {
	std::uint8_t multiple; // a power of two (the builder masks with it)
	std::uint8_t offset;
};

constexpr Alignment sending_alignment(OptionType type) noexcept
{
	switch (type) {
	case OptionType::HomeNetworkPrefix:
	case OptionType::AnchoredPrefix:
	case OptionType::LocalPrefix:
	case OptionType::PreviousMaar:
		return {8, 4}; // the 16-octet prefix/address starts 8-aligned
	case OptionType::LinkLocalAddress:
	case OptionType::ServingMaar:
	case OptionType::DlifLinkLocalAddress:
		return {8, 6};
	case OptionType::Timestamp:
	case OptionType::MobileNodeLinkLayerIdentifier:
	case OptionType::DlifLinkLayerAddress:
		return {8, 2};
	default:
		return {1, 0}; // octet strings and single octets: no requirement
	}
}

// Flag bits of the Binding Update (16 bits after the Sequence Number) and
// of the Binding Acknowledgement (8 bits after the Status), as registered
// by IANA. Bits not listed are reserved: sent as 0, ignored on receipt.
enum class BuFlag : std::uint16_t {
	Acknowledge = 0x8000,                // A, RFC 6275
	HomeRegistration = 0x4000,           // H, RFC 6275
	LinkLocalCompatibility = 0x2000,     // L, RFC 6275
	KeyManagementCompatibility = 0x1000, // K, RFC 6275
	MapRegistration = 0x0800,            // M, RFC 4140
	MobileRouter = 0x0400,               // R, RFC 3963
	ProxyRegistration = 0x0200,          // P, RFC 5213
	ForceUdpEncapsulation = 0x0100,      // F, RFC 5555
	TlvHeaderFormat = 0x0080,            // T, RFC 5845
	BulkBinding = 0x0040,                // B, RFC 6602
	MulticastSignaling = 0x0020,         // S, RFC 7161
	Dmm = 0x0010,                        // D, RFC 8885: the PBU comes from a MAAR
};

enum class BaFlag : std::uint8_t {
	KeyManagementCompatibility = 0x80, // K, RFC 6275
	MobileRouter = 0x40,               // R, RFC 3963
	ProxyRegistration = 0x20,          // P, RFC 5213
	TlvHeaderFormat = 0x10,            // T, RFC 5845
	BulkBinding = 0x08,                // B, RFC 6602
	MulticastSignaling = 0x04,         // S, RFC 7161
	Dmm = 0x02,                        // D, RFC 8885: the sender can act as a MAAR
};

} // namespace dlif::mh
