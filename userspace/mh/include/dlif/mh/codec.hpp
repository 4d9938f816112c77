// SPDX-License-Identifier: GPL-2.0
//
// Parsing and building Mobility Headers. Pure functions: no I/O, no
// exceptions; every outcome is a value.
//
// The byte strings are the Mobility Header alone (what a raw IPPROTO_MH
// socket delivers and takes), starting at Payload Proto.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dlif/mh/message.hpp"
#include "dlif/mh/result.hpp"
#include "dlif/mh/small_vector.hpp"
#include "dlif/mh/wire.hpp"

namespace dlif::mh {

enum class ParseErrorCode : std::uint8_t {
	TruncatedHeader,        // fewer than 8 octets
	HeaderLengthMismatch,   // (Header Len + 1) * 8 differs from the input size
	BadPayloadProto,        // Payload Proto is not 59 (RFC 6275 §9.2: discard)
	UnsupportedMhType,      // not BU, BA or BE: answer with a Binding Error, status 2
	MessageTooShortForType, // Header Len below the minimum of the MH type
	OptionTruncated,        // an option runs past the end of the message
	InvalidOptionLength,    // a known option with a Length its layout forbids
	PrefixLengthTooLong,    // Prefix Length above 128
	BadPadding,             // PadN with non-zero content
	DuplicateOption,        // a non-repeatable option appears twice
	OutOfMemory,            // an oversized list could not spill to the heap
};

struct ParseError {
	ParseErrorCode code;
	// Octet offset of the field at fault from the start of the Mobility
	// Header: what an ICMPv6 Parameter Problem pointer needs.
	std::uint16_t offset = 0;
	// The MH type or option type concerned, when there is one.
	std::uint8_t type = 0;

	friend bool operator==(const ParseError &, const ParseError &) = default;
};

// An option the codec does not know, skipped as RFC 6275 §6.2.1 requires.
struct SkippedOption {
	std::uint8_t type;
	std::uint8_t length;
	std::uint16_t offset;

	friend bool operator==(const SkippedOption &, const SkippedOption &) = default;
};

struct ParsedMessage {
	Message message;
	SmallVector<SkippedOption, 4> skipped_options;
};

// Parses one Mobility Header. Total: any byte string gives a message or a
// ParseError. The checksum is not verified (the kernel does that for raw
// IPPROTO_MH sockets; see checksum.hpp otherwise). Reserved fields are
// ignored; prefix bits beyond the prefix length are cleared.
Result<ParsedMessage, ParseError> parse(std::span<const std::uint8_t> mobility_header) noexcept;

enum class BuildErrorCode : std::uint8_t {
	BufferTooSmall,          // build_into: `required_size` octets are needed
	MessageTooLong,          // over 2048 octets, more than Header Len can express
	PrefixLengthTooLong,     // a prefix longer than 128 bits
	IdentifierTooLong,       // MN Identifier over 254 octets
	LinkLayerAddressEmpty,   // a link-layer option with no address
	LinkLayerAddressTooLong, // a link-layer address over 253 octets
	OutOfMemory,             // build(): the vector could not be allocated
};

struct BuildError {
	BuildErrorCode code;
	std::size_t required_size = 0; // for BufferTooSmall and MessageTooLong

	friend bool operator==(const BuildError &, const BuildError &) = default;
};

// Octets build_into() will write for `message`.
Result<std::size_t, BuildError> encoded_size(const Message &message) noexcept;

// Writes `message` at the start of `out` and returns the number of octets
// written: options padded to their alignment (wire.hpp), the whole message
// padded to a multiple of 8, Checksum 0 (the kernel fills it in on raw
// IPPROTO_MH sockets; set_mh_checksum() otherwise). Never allocates.
Result<std::size_t, BuildError> build_into(const Message &message, std::span<std::uint8_t> out) noexcept;

// The same, into a new vector of exactly the encoded size.
Result<std::vector<std::uint8_t>, BuildError> build(const Message &message) noexcept;

std::string_view name(ParseErrorCode code) noexcept;
std::string_view name(BuildErrorCode code) noexcept;
std::string to_string(const ParseError &error);
std::string to_string(const BuildError &error);
std::ostream &operator<<(std::ostream &os, const ParseError &error);
std::ostream &operator<<(std::ostream &os, const BuildError &error);

} // namespace dlif::mh
