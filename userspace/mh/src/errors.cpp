// SPDX-License-Identifier: GPL-2.0
#include <ostream>
#include <sstream>

#include "dlif/mh/codec.hpp"

namespace dlif::mh {

std::string_view name(ParseErrorCode code) noexcept
{
	switch (code) {
	case ParseErrorCode::TruncatedHeader:
		return "truncated-header";
	case ParseErrorCode::HeaderLengthMismatch:
		return "header-length-mismatch";
	case ParseErrorCode::BadPayloadProto:
		return "bad-payload-proto";
	case ParseErrorCode::UnsupportedMhType:
		return "unsupported-mh-type";
	case ParseErrorCode::MessageTooShortForType:
		return "message-too-short-for-type";
	case ParseErrorCode::OptionTruncated:
		return "option-truncated";
	case ParseErrorCode::InvalidOptionLength:
		return "invalid-option-length";
	case ParseErrorCode::PrefixLengthTooLong:
		return "prefix-length-too-long";
	case ParseErrorCode::BadPadding:
		return "bad-padding";
	case ParseErrorCode::DuplicateOption:
		return "duplicate-option";
	case ParseErrorCode::OutOfMemory:
		return "out-of-memory";
	}
	return "unknown-parse-error";
}

std::string_view name(BuildErrorCode code) noexcept
{
	switch (code) {
	case BuildErrorCode::BufferTooSmall:
		return "buffer-too-small";
	case BuildErrorCode::MessageTooLong:
		return "message-too-long";
	case BuildErrorCode::PrefixLengthTooLong:
		return "prefix-length-too-long";
	case BuildErrorCode::IdentifierTooLong:
		return "identifier-too-long";
	case BuildErrorCode::LinkLayerAddressEmpty:
		return "link-layer-address-empty";
	case BuildErrorCode::LinkLayerAddressTooLong:
		return "link-layer-address-too-long";
	case BuildErrorCode::OutOfMemory:
		return "out-of-memory";
	}
	return "unknown-build-error";
}

std::ostream &operator<<(std::ostream &os, const ParseError &error)
{
	os << name(error.code) << " at offset " << error.offset;
	switch (error.code) {
	case ParseErrorCode::UnsupportedMhType:
	case ParseErrorCode::MessageTooShortForType:
		os << " (MH type " << static_cast<unsigned>(error.type) << ')';
		break;
	case ParseErrorCode::OptionTruncated:
	case ParseErrorCode::InvalidOptionLength:
	case ParseErrorCode::PrefixLengthTooLong:
	case ParseErrorCode::BadPadding:
	case ParseErrorCode::DuplicateOption:
		os << " (option " << static_cast<unsigned>(error.type) << ')';
		break;
	default:
		break;
	}
	return os;
}

std::ostream &operator<<(std::ostream &os, const BuildError &error)
{
	os << name(error.code);
	if (error.required_size != 0)
		os << " (" << error.required_size << " octets)";
	return os;
}

std::string to_string(const ParseError &error)
{
	std::ostringstream os;
	os << error;
	return os.str();
}

std::string to_string(const BuildError &error)
{
	std::ostringstream os;
	os << error;
	return os.str();
}

} // namespace dlif::mh
