// SPDX-License-Identifier: GPL-2.0
//
// Mobility Header builder. One template walks the message twice: a
// counting pass sizes it (and checks the buffer once), a writing pass
// stores octets without further bounds checks. Both passes share the
// padding logic, so the size can never disagree with what is written.
#include <algorithm>
#include <cstring>
#include <new>
#include <optional>

#include "dlif/mh/codec.hpp"

namespace dlif::mh {
namespace {

class CountingSink {
public:
	std::size_t position() const noexcept { return position_; }
	void octet(std::uint8_t) noexcept { ++position_; }
	void u16(std::uint16_t) noexcept { position_ += 2; }
	void u64(std::uint64_t) noexcept { position_ += 8; }
	void bytes(std::span<const std::uint8_t> data) noexcept { position_ += data.size(); }
	void zeros(std::size_t count) noexcept { position_ += count; }

private:
	std::size_t position_ = 0;
};

// Writes into a buffer the counting pass has proved large enough.
class WritingSink {
public:
	explicit WritingSink(std::uint8_t *out) noexcept : out_(out) {}
	std::size_t position() const noexcept { return position_; }
	void octet(std::uint8_t value) noexcept { out_[position_++] = value; }
	void u16(std::uint16_t value) noexcept
	{
		octet(static_cast<std::uint8_t>(value >> 8));
		octet(static_cast<std::uint8_t>(value));
	}
	void u64(std::uint64_t value) noexcept
	{
		for (int shift = 56; shift >= 0; shift -= 8)
			octet(static_cast<std::uint8_t>(value >> shift));
	}
	void bytes(std::span<const std::uint8_t> data) noexcept
	{
		if (!data.empty())
			std::memcpy(out_ + position_, data.data(), data.size());
		position_ += data.size();
	}
	void zeros(std::size_t count) noexcept
	{
		std::memset(out_ + position_, 0, count);
		position_ += count;
	}

private:
	std::uint8_t *out_;
	std::size_t position_ = 0;
};

// Pad1 for one octet, PadN for more (RFC 6275 §6.2.2/§6.2.3).
template <typename Sink>
void padding(Sink &sink, std::size_t count) noexcept
{
	if (count == 0)
		return;
	if (count == 1) {
		sink.octet(static_cast<std::uint8_t>(OptionType::Pad1));
		return;
	}
	sink.octet(static_cast<std::uint8_t>(OptionType::PadN));
	sink.octet(static_cast<std::uint8_t>(count - 2));
	sink.zeros(count - 2);
}

// Pads so that the Type octet of the next option lands on its xn+y.
template <typename Sink>
void option_header(Sink &sink, OptionType type, std::size_t length) noexcept
{
	// The multiples are powers of two (1 or 8): a mask, not a division.
	const Alignment a = sending_alignment(type);
	const std::size_t mask = a.multiple - 1u;
	padding(sink, (a.offset - sink.position()) & mask);
	sink.octet(static_cast<std::uint8_t>(type));
	sink.octet(static_cast<std::uint8_t>(length));
}

template <typename Sink>
void prefix_body(Sink &sink, const Ipv6Prefix &prefix) noexcept
{
	sink.octet(prefix.length);
	sink.bytes(prefix.masked().address.bytes); // bits beyond the length go out as zero
}

template <typename Sink>
void prefix_options(Sink &sink, OptionType type, const PrefixList &prefixes) noexcept
{
	for (const Ipv6Prefix &prefix : prefixes) {
		option_header(sink, type, kPrefixOptionLength);
		sink.octet(0); // Reserved
		prefix_body(sink, prefix);
	}
}

template <typename Sink>
void address_option(Sink &sink, OptionType type, const std::optional<Ipv6Address> &address) noexcept
{
	if (!address)
		return;
	option_header(sink, type, kAddressOptionLength);
	sink.bytes(address->bytes);
}

template <typename Sink>
void link_layer_option(Sink &sink, OptionType type, const std::optional<LinkLayerAddress> &address) noexcept
{
	if (!address)
		return;
	option_header(sink, type, kLinkLayerReservedSize + address->bytes.size());
	sink.zeros(kLinkLayerReservedSize);
	sink.bytes(address->bytes.span());
}

template <typename Sink, typename Enum>
void octet_option(Sink &sink, OptionType type, const std::optional<Enum> &value) noexcept
{
	if (!value)
		return;
	option_header(sink, type, kOneOctetOptionLength);
	sink.octet(0); // Reserved
	sink.octet(static_cast<std::uint8_t>(*value));
}

template <typename Sink>
void options(Sink &sink, const MobilityOptions &o) noexcept
{
	if (const auto &id = o.mobile_node_identifier) {
		option_header(sink, OptionType::MobileNodeIdentifier, kMnIdSubtypeSize + id->identifier.size());
		sink.octet(static_cast<std::uint8_t>(id->subtype));
		sink.bytes(id->identifier.span());
	}
	prefix_options(sink, OptionType::HomeNetworkPrefix, o.home_network_prefixes);
	octet_option(sink, OptionType::HandoffIndicator, o.handoff_indicator);
	octet_option(sink, OptionType::AccessTechnologyType, o.access_technology_type);
	link_layer_option(sink, OptionType::MobileNodeLinkLayerIdentifier, o.mobile_node_link_layer_identifier);
	address_option(sink, OptionType::LinkLocalAddress, o.link_local_address);
	if (o.timestamp) {
		option_header(sink, OptionType::Timestamp, kTimestampOptionLength);
		sink.u64(o.timestamp->raw());
	}
	prefix_options(sink, OptionType::AnchoredPrefix, o.anchored_prefixes);
	prefix_options(sink, OptionType::LocalPrefix, o.local_prefixes);
	for (const PreviousMaar &previous : o.previous_maars) {
		option_header(sink, OptionType::PreviousMaar, kPreviousMaarOptionLength);
		sink.octet(0); // Reserved
		sink.octet(previous.home_network_prefix.length);
		sink.bytes(previous.address.bytes);
		sink.bytes(previous.home_network_prefix.masked().address.bytes);
	}
	address_option(sink, OptionType::ServingMaar, o.serving_maar);
	address_option(sink, OptionType::DlifLinkLocalAddress, o.dlif_link_local_address);
	link_layer_option(sink, OptionType::DlifLinkLayerAddress, o.dlif_link_layer_address);
}

template <typename Sink>
void header(Sink &sink, MhType type, std::size_t total_size) noexcept
{
	sink.octet(kPayloadProtoNone);
	sink.octet(static_cast<std::uint8_t>(total_size / kMhUnit - 1)); // Header Len
	sink.octet(static_cast<std::uint8_t>(type));
	sink.octet(0);  // Reserved
	sink.u16(0);    // Checksum: left to the kernel or set_mh_checksum()
}

template <typename Sink>
void body(Sink &sink, const ProxyBindingUpdate &bu) noexcept
{
	sink.u16(bu.sequence);
	sink.u16(bu.flags.bits());
	sink.u16(bu.lifetime.units());
	options(sink, bu.options);
}

template <typename Sink>
void body(Sink &sink, const ProxyBindingAck &ba) noexcept
{
	sink.octet(static_cast<std::uint8_t>(ba.status));
	sink.octet(ba.flags.bits());
	sink.u16(ba.sequence);
	sink.u16(ba.lifetime.units());
	options(sink, ba.options);
}

template <typename Sink>
void body(Sink &sink, const BindingError &be) noexcept
{
	sink.octet(static_cast<std::uint8_t>(be.status));
	sink.octet(0); // Reserved
	sink.bytes(be.home_address.bytes);
	options(sink, be.options);
}

// `total_size` is only known after the counting pass; that pass passes 0.
template <typename Sink>
void message(Sink &sink, const Message &m, std::size_t total_size) noexcept
{
	header(sink, mh_type(m), total_size);
	std::visit([&](const auto &typed) { body(sink, typed); }, m);
	padding(sink, (kMhUnit - sink.position() % kMhUnit) % kMhUnit); // whole MH: 8n octets
}

bool prefix_ok(const Ipv6Prefix &prefix) noexcept
{
	return prefix.length <= kMaxPrefixLength;
}

bool link_layer_ok(const std::optional<LinkLayerAddress> &address, std::optional<BuildErrorCode> &error) noexcept
{
	if (!address)
		return true;
	if (address->bytes.empty())
		error = BuildErrorCode::LinkLayerAddressEmpty;
	else if (address->bytes.size() > kMaxLinkLayerAddressSize)
		error = BuildErrorCode::LinkLayerAddressTooLong;
	return !error;
}

// Values the types can hold but the wire cannot carry.
std::optional<BuildErrorCode> validate(const MobilityOptions &o) noexcept
{
	if (o.mobile_node_identifier && o.mobile_node_identifier->identifier.size() > MobileNodeIdentifier::kMaxSize)
		return BuildErrorCode::IdentifierTooLong;
	const bool prefixes_ok = std::all_of(o.home_network_prefixes.begin(), o.home_network_prefixes.end(), prefix_ok) &&
				 std::all_of(o.anchored_prefixes.begin(), o.anchored_prefixes.end(), prefix_ok) &&
				 std::all_of(o.local_prefixes.begin(), o.local_prefixes.end(), prefix_ok) &&
				 std::all_of(o.previous_maars.begin(), o.previous_maars.end(),
					     [](const PreviousMaar &p) { return prefix_ok(p.home_network_prefix); });
	if (!prefixes_ok)
		return BuildErrorCode::PrefixLengthTooLong;
	std::optional<BuildErrorCode> error;
	if (!link_layer_ok(o.mobile_node_link_layer_identifier, error) || !link_layer_ok(o.dlif_link_layer_address, error))
		return error;
	return std::nullopt;
}

} // namespace

Result<std::size_t, BuildError> encoded_size(const Message &m) noexcept
{
	if (auto error = validate(options_of(m)))
		return unexpected(BuildError{*error});
	CountingSink counter;
	message(counter, m, 0);
	if (counter.position() > kMaxMessageSize)
		return unexpected(BuildError{BuildErrorCode::MessageTooLong, counter.position()});
	return counter.position();
}

Result<std::size_t, BuildError> build_into(const Message &m, std::span<std::uint8_t> out) noexcept
{
	auto size = encoded_size(m);
	if (!size)
		return size;
	if (out.size() < *size)
		return unexpected(BuildError{BuildErrorCode::BufferTooSmall, *size});
	WritingSink writer(out.data());
	message(writer, m, *size);
	return size;
}

Result<std::vector<std::uint8_t>, BuildError> build(const Message &m) noexcept
{
	auto size = encoded_size(m);
	if (!size)
		return unexpected(size.error());
	try {
		std::vector<std::uint8_t> bytes(*size);
		WritingSink writer(bytes.data());
		message(writer, m, *size);
		return bytes;
	} catch (const std::bad_alloc &) {
		return unexpected(BuildError{BuildErrorCode::OutOfMemory, *size});
	}
}

} // namespace dlif::mh
