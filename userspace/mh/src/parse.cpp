// SPDX-License-Identifier: GPL-2.0
//
// Mobility Header parser. Every read is bounds-checked against the input
// span before it happens; the only way out is a ParsedMessage or a
// ParseError.
#include <algorithm>
#include <new>
#include <optional>

#include "dlif/mh/codec.hpp"

namespace dlif::mh {
namespace {

using Bytes = std::span<const std::uint8_t>;

std::uint16_t load16(const std::uint8_t *p) noexcept
{
	return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

std::uint64_t load64(const std::uint8_t *p) noexcept
{
	std::uint64_t value = 0;
	for (int i = 0; i < 8; ++i)
		value = (value << 8) | p[i];
	return value;
}

Ipv6Address load_address(const std::uint8_t *p) noexcept
{
	Ipv6Address address;
	std::copy(p, p + address.bytes.size(), address.bytes.begin());
	return address;
}

ParseError fail(ParseErrorCode code, std::size_t offset, std::uint8_t type = 0) noexcept
{
	return ParseError{code, static_cast<std::uint16_t>(offset), type};
}

// Walks the option area of one message and fills in MobilityOptions.
class OptionParser {
public:
	OptionParser(Bytes mh, MobilityOptions &options, SmallVector<SkippedOption, 4> &skipped) noexcept
		: mh_(mh), options_(options), skipped_(skipped)
	{
	}

	std::optional<ParseError> run(std::size_t offset)
	{
		while (offset < mh_.size()) {
			const std::uint8_t type = mh_[offset];
			if (type == static_cast<std::uint8_t>(OptionType::Pad1)) {
				++offset; // Pad1 is the one option without a Length
				continue;
			}
			if (offset + 2 > mh_.size())
				return fail(ParseErrorCode::OptionTruncated, offset, type);
			const std::uint8_t length = mh_[offset + 1];
			if (offset + 2 + length > mh_.size())
				return fail(ParseErrorCode::OptionTruncated, offset + 1, type);
			if (auto error = option(type, offset, mh_.subspan(offset + 2, length)))
				return error;
			offset += 2u + length;
		}
		return std::nullopt;
	}

private:
	// Checks a fixed Option Length; `offset` is the option's Type octet.
	std::optional<ParseError> expect_length(Bytes data, std::size_t expected, std::size_t offset,
						std::uint8_t type) const noexcept
	{
		if (data.size() != expected)
			return fail(ParseErrorCode::InvalidOptionLength, offset + 1, type);
		return std::nullopt;
	}

	// Stores a non-repeatable option, refusing a second instance.
	template <typename T>
	std::optional<ParseError> store_once(std::optional<T> &slot, T value, std::size_t offset,
					     std::uint8_t type) const
	{
		if (slot)
			return fail(ParseErrorCode::DuplicateOption, offset, type);
		slot = std::move(value);
		return std::nullopt;
	}

	// Reserved(1) Prefix Length(1) Prefix(16): HNP, Anchored and Local Prefix.
	std::optional<ParseError> prefix_option(PrefixList &list, Bytes data, std::size_t offset, std::uint8_t type) const
	{
		if (auto bad = expect_length(data, kPrefixOptionLength, offset, type))
			return bad;
		const std::uint8_t length = data[1];
		if (length > kMaxPrefixLength)
			return fail(ParseErrorCode::PrefixLengthTooLong, offset + 3, type);
		list.push_back(Ipv6Prefix{load_address(&data[2]), length}.masked());
		return std::nullopt;
	}

	std::optional<ParseError> address_option(std::optional<Ipv6Address> &slot, Bytes data, std::size_t offset,
						 std::uint8_t type) const
	{
		if (auto bad = expect_length(data, kAddressOptionLength, offset, type))
			return bad;
		return store_once(slot, load_address(data.data()), offset, type);
	}

	// Reserved(2) Link-layer address(n): MN Link-layer Identifier, DLIF
	// Link-layer Address. An empty address says nothing and is refused.
	std::optional<ParseError> link_layer_option(std::optional<LinkLayerAddress> &slot, Bytes data, std::size_t offset,
						    std::uint8_t type) const
	{
		if (data.size() <= kLinkLayerReservedSize)
			return fail(ParseErrorCode::InvalidOptionLength, offset + 1, type);
		LinkLayerAddress address;
		address.bytes.assign(data.subspan(kLinkLayerReservedSize));
		return store_once(slot, std::move(address), offset, type);
	}

	template <typename Enum>
	std::optional<ParseError> octet_option(std::optional<Enum> &slot, Bytes data, std::size_t offset,
					       std::uint8_t type) const
	{
		if (auto bad = expect_length(data, kOneOctetOptionLength, offset, type))
			return bad;
		return store_once(slot, static_cast<Enum>(data[1]), offset, type);
	}

	std::optional<ParseError> option(std::uint8_t type, std::size_t offset, Bytes data)
	{
		switch (static_cast<OptionType>(type)) {
		case OptionType::Pad1: // handled by the caller
		case OptionType::PadN: {
			const auto nonzero = std::find_if(data.begin(), data.end(), [](std::uint8_t b) { return b != 0; });
			if (nonzero != data.end())
				return fail(ParseErrorCode::BadPadding,
					     offset + 2 + static_cast<std::size_t>(nonzero - data.begin()), type);
			return std::nullopt;
		}
		case OptionType::MobileNodeIdentifier: {
			if (data.size() < kMnIdSubtypeSize)
				return fail(ParseErrorCode::InvalidOptionLength, offset + 1, type);
			MobileNodeIdentifier id;
			id.subtype = static_cast<MnIdSubtype>(data[0]);
			id.identifier.assign(data.subspan(kMnIdSubtypeSize));
			return store_once(options_.mobile_node_identifier, std::move(id), offset, type);
		}
		case OptionType::HomeNetworkPrefix:
			return prefix_option(options_.home_network_prefixes, data, offset, type);
		case OptionType::HandoffIndicator:
			return octet_option(options_.handoff_indicator, data, offset, type);
		case OptionType::AccessTechnologyType:
			return octet_option(options_.access_technology_type, data, offset, type);
		case OptionType::MobileNodeLinkLayerIdentifier:
			return link_layer_option(options_.mobile_node_link_layer_identifier, data, offset, type);
		case OptionType::LinkLocalAddress:
			return address_option(options_.link_local_address, data, offset, type);
		case OptionType::Timestamp:
			if (auto bad = expect_length(data, kTimestampOptionLength, offset, type))
				return bad;
			return store_once(options_.timestamp, Timestamp::from_raw(load64(data.data())), offset, type);
		case OptionType::AnchoredPrefix:
			return prefix_option(options_.anchored_prefixes, data, offset, type);
		case OptionType::LocalPrefix:
			return prefix_option(options_.local_prefixes, data, offset, type);
		case OptionType::PreviousMaar: {
			// Reserved(1) Prefix Length(1) P-MAAR address(16) HNP(16)
			if (auto bad = expect_length(data, kPreviousMaarOptionLength, offset, type))
				return bad;
			const std::uint8_t length = data[1];
			if (length > kMaxPrefixLength)
				return fail(ParseErrorCode::PrefixLengthTooLong, offset + 3, type);
			options_.previous_maars.push_back(
				PreviousMaar{load_address(&data[2]), Ipv6Prefix{load_address(&data[18]), length}.masked()});
			return std::nullopt;
		}
		case OptionType::ServingMaar:
			return address_option(options_.serving_maar, data, offset, type);
		case OptionType::DlifLinkLocalAddress:
			return address_option(options_.dlif_link_local_address, data, offset, type);
		case OptionType::DlifLinkLayerAddress:
			return link_layer_option(options_.dlif_link_layer_address, data, offset, type);
		}
		// RFC 6275 §6.2.1: skip what we do not understand, tell the caller.
		skipped_.push_back(SkippedOption{type, static_cast<std::uint8_t>(data.size()), static_cast<std::uint16_t>(offset)});
		return std::nullopt;
	}

	Bytes mh_;
	MobilityOptions &options_;
	SmallVector<SkippedOption, 4> &skipped_;
};

std::optional<ParseError> parse_options(Bytes mh, std::size_t offset, MobilityOptions &options,
					SmallVector<SkippedOption, 4> &skipped)
{
	return OptionParser(mh, options, skipped).run(offset);
}

// Fills `out` (a message is about 1 KiB: it is built where the caller's
// Result holds it rather than moved there).
std::optional<ParseError> parse_into(Bytes mh, ParsedMessage &out)
{
	if (mh.size() < kMhUnit)
		return fail(ParseErrorCode::TruncatedHeader, mh.size());
	if ((mh[kOffsetHeaderLen] + 1u) * kMhUnit != mh.size())
		return fail(ParseErrorCode::HeaderLengthMismatch, kOffsetHeaderLen);
	if (mh[kOffsetPayloadProto] != kPayloadProtoNone)
		return fail(ParseErrorCode::BadPayloadProto, kOffsetPayloadProto);

	const std::uint8_t type = mh[kOffsetMhType];
	const std::uint8_t *data = &mh[kOffsetMessageData];
	auto too_short = [&](std::size_t fixed) { return mh.size() < kOffsetMessageData + fixed; };

	switch (static_cast<MhType>(type)) {
	case MhType::BindingUpdate: {
		if (too_short(kBindingUpdateFixedSize))
			return fail(ParseErrorCode::MessageTooShortForType, kOffsetHeaderLen, type);
		auto &bu = out.message.emplace<ProxyBindingUpdate>();
		bu.sequence = load16(data);
		bu.flags = BuFlags::from_bits(load16(data + 2));
		bu.lifetime = Lifetime::from_units(load16(data + 4));
		return parse_options(mh, kOffsetMessageData + kBindingUpdateFixedSize, bu.options, out.skipped_options);
	}
	case MhType::BindingAcknowledgement: {
		if (too_short(kBindingAckFixedSize))
			return fail(ParseErrorCode::MessageTooShortForType, kOffsetHeaderLen, type);
		auto &ba = out.message.emplace<ProxyBindingAck>();
		ba.status = static_cast<Status>(data[0]);
		ba.flags = BaFlags::from_bits(data[1]);
		ba.sequence = load16(data + 2);
		ba.lifetime = Lifetime::from_units(load16(data + 4));
		return parse_options(mh, kOffsetMessageData + kBindingAckFixedSize, ba.options, out.skipped_options);
	}
	case MhType::BindingError: {
		if (too_short(kBindingErrorFixedSize))
			return fail(ParseErrorCode::MessageTooShortForType, kOffsetHeaderLen, type);
		auto &be = out.message.emplace<BindingError>();
		be.status = static_cast<BindingErrorStatus>(data[0]);
		be.home_address = load_address(data + 2);
		return parse_options(mh, kOffsetMessageData + kBindingErrorFixedSize, be.options, out.skipped_options);
	}
	default:
		return fail(ParseErrorCode::UnsupportedMhType, kOffsetMhType, type);
	}
}

} // namespace

Result<ParsedMessage, ParseError> parse(std::span<const std::uint8_t> mobility_header) noexcept
{
	Result<ParsedMessage, ParseError> result(std::in_place);
	try {
		if (auto error = parse_into(mobility_header, *result))
			result = unexpected(*error);
	} catch (const std::bad_alloc &) {
		// Only a list spilling to the heap can allocate.
		result = unexpected(fail(ParseErrorCode::OutOfMemory, 0));
	}
	return result;
}

} // namespace dlif::mh
