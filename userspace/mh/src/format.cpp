// SPDX-License-Identifier: GPL-2.0
#include "dlif/mh/format.hpp"

#include <array>
#include <ostream>
#include <sstream>
#include <utility>

namespace dlif::mh {
namespace {

constexpr std::array<std::pair<BuFlag, char>, 12> kBuLetters{{
	{BuFlag::Acknowledge, 'A'},
	{BuFlag::HomeRegistration, 'H'},
	{BuFlag::LinkLocalCompatibility, 'L'},
	{BuFlag::KeyManagementCompatibility, 'K'},
	{BuFlag::MapRegistration, 'M'},
	{BuFlag::MobileRouter, 'R'},
	{BuFlag::ProxyRegistration, 'P'},
	{BuFlag::ForceUdpEncapsulation, 'F'},
	{BuFlag::TlvHeaderFormat, 'T'},
	{BuFlag::BulkBinding, 'B'},
	{BuFlag::MulticastSignaling, 'S'},
	{BuFlag::Dmm, 'D'},
}};

constexpr std::array<std::pair<BaFlag, char>, 7> kBaLetters{{
	{BaFlag::KeyManagementCompatibility, 'K'},
	{BaFlag::MobileRouter, 'R'},
	{BaFlag::ProxyRegistration, 'P'},
	{BaFlag::TlvHeaderFormat, 'T'},
	{BaFlag::BulkBinding, 'B'},
	{BaFlag::MulticastSignaling, 'S'},
	{BaFlag::Dmm, 'D'},
}};

template <typename Flag, std::size_t N>
std::string letters(Flags<Flag> flags, const std::array<std::pair<Flag, char>, N> &table)
{
	std::string text;
	for (const auto &[flag, letter] : table)
		if (flags.has(flag))
			text += letter;
	return text.empty() ? "-" : text;
}

template <typename Code>
std::ostream &named(std::ostream &os, std::string_view text, Code code)
{
	const auto number = static_cast<unsigned>(code);
	if (text.empty())
		return os << number;
	return os << text << '(' << number << ')';
}

// Printable ASCII as is, the rest as \xNN, so that a hostile NAI cannot
// break a log line.
void quoted(std::ostream &os, std::string_view text)
{
	static constexpr char kHex[] = "0123456789abcdef";
	os << '"';
	for (char c : text) {
		const auto octet = static_cast<unsigned char>(c);
		if (octet >= 0x20 && octet < 0x7f && c != '"' && c != '\\')
			os << c;
		else
			os << "\\x" << kHex[octet >> 4] << kHex[octet & 0xf];
	}
	os << '"';
}

template <typename List>
void list(std::ostream &os, std::string_view label, const List &items)
{
	if (items.empty())
		return;
	os << ' ' << label << '=';
	bool first = true;
	for (const auto &item : items) {
		if (!first)
			os << ',';
		os << item;
		first = false;
	}
}

template <typename T>
void field(std::ostream &os, std::string_view label, const std::optional<T> &value)
{
	if (value)
		os << ' ' << label << '=' << *value;
}

} // namespace

std::string flag_letters(BuFlags flags)
{
	return letters(flags, kBuLetters);
}

std::string flag_letters(BaFlags flags)
{
	return letters(flags, kBaLetters);
}

std::string_view name(HandoffIndicator value) noexcept
{
	switch (value) {
	case HandoffIndicator::Reserved:
		return "RESERVED";
	case HandoffIndicator::AttachmentOverNewInterface:
		return "ATTACHMENT_OVER_NEW_INTERFACE";
	case HandoffIndicator::HandoffBetweenInterfacesOfMobileNode:
		return "HANDOFF_BETWEEN_INTERFACES_OF_MN";
	case HandoffIndicator::HandoffBetweenMags:
		return "HANDOFF_BETWEEN_MAGS";
	case HandoffIndicator::HandoffStateUnknown:
		return "HANDOFF_STATE_UNKNOWN";
	case HandoffIndicator::HandoffStateNotChanged:
		return "HANDOFF_STATE_NOT_CHANGED";
	}
	return {};
}

std::string_view name(AccessTechnologyType value) noexcept
{
	switch (value) {
	case AccessTechnologyType::Reserved:
		return "RESERVED";
	case AccessTechnologyType::Virtual:
		return "VIRTUAL";
	case AccessTechnologyType::Ppp:
		return "PPP";
	case AccessTechnologyType::Ieee8023:
		return "IEEE_802_3";
	case AccessTechnologyType::Ieee80211:
		return "IEEE_802_11";
	case AccessTechnologyType::Ieee80216e:
		return "IEEE_802_16E";
	}
	return {};
}

std::string_view name(OptionType type) noexcept
{
	switch (type) {
	case OptionType::Pad1:
		return "Pad1";
	case OptionType::PadN:
		return "PadN";
	case OptionType::MobileNodeIdentifier:
		return "MN-ID";
	case OptionType::HomeNetworkPrefix:
		return "HNP";
	case OptionType::HandoffIndicator:
		return "HI";
	case OptionType::AccessTechnologyType:
		return "ATT";
	case OptionType::MobileNodeLinkLayerIdentifier:
		return "MN-LLI";
	case OptionType::LinkLocalAddress:
		return "LLA";
	case OptionType::Timestamp:
		return "Timestamp";
	case OptionType::AnchoredPrefix:
		return "Anchored-Prefix";
	case OptionType::LocalPrefix:
		return "Local-Prefix";
	case OptionType::PreviousMaar:
		return "Previous-MAAR";
	case OptionType::ServingMaar:
		return "Serving-MAAR";
	case OptionType::DlifLinkLocalAddress:
		return "DLIF-Link-Local";
	case OptionType::DlifLinkLayerAddress:
		return "DLIF-Link-Layer";
	}
	return {};
}

std::string_view name(MhType type) noexcept
{
	switch (type) {
	case MhType::BindingRefreshRequest:
		return "BRR";
	case MhType::HomeTestInit:
		return "HoTI";
	case MhType::CareOfTestInit:
		return "CoTI";
	case MhType::HomeTest:
		return "HoT";
	case MhType::CareOfTest:
		return "CoT";
	case MhType::BindingUpdate:
		return "PBU";
	case MhType::BindingAcknowledgement:
		return "PBA";
	case MhType::BindingError:
		return "BE";
	}
	return {};
}

std::ostream &operator<<(std::ostream &os, BuFlags flags)
{
	return os << flag_letters(flags);
}

std::ostream &operator<<(std::ostream &os, BaFlags flags)
{
	return os << flag_letters(flags);
}

std::ostream &operator<<(std::ostream &os, Lifetime lifetime)
{
	return os << lifetime.duration().count() << 's';
}

std::ostream &operator<<(std::ostream &os, HandoffIndicator value)
{
	return named(os, name(value), value);
}

std::ostream &operator<<(std::ostream &os, AccessTechnologyType value)
{
	return named(os, name(value), value);
}

std::ostream &operator<<(std::ostream &os, Timestamp timestamp)
{
	// Seconds since 1970 with the fraction in microseconds, truncated.
	const auto micros = (static_cast<std::uint64_t>(timestamp.fraction()) * 1'000'000u) >> 16;
	const auto fill = os.fill('0');
	os << timestamp.seconds() << '.';
	os.width(6);
	os << micros;
	os.fill(fill);
	return os;
}

std::ostream &operator<<(std::ostream &os, const MobileNodeIdentifier &identifier)
{
	if (identifier.subtype == MnIdSubtype::Nai)
		os << "nai:";
	else
		os << "subtype" << static_cast<unsigned>(identifier.subtype) << ':';
	quoted(os, identifier.text());
	return os;
}

std::ostream &operator<<(std::ostream &os, const PreviousMaar &previous_maar)
{
	return os << previous_maar.address << "(hnp " << previous_maar.home_network_prefix << ')';
}

std::ostream &operator<<(std::ostream &os, const MobilityOptions &o)
{
	field(os, "mn-id", o.mobile_node_identifier);
	list(os, "hnp", o.home_network_prefixes);
	field(os, "hi", o.handoff_indicator);
	field(os, "att", o.access_technology_type);
	field(os, "mn-lli", o.mobile_node_link_layer_identifier);
	field(os, "lla", o.link_local_address);
	field(os, "timestamp", o.timestamp);
	list(os, "anchored", o.anchored_prefixes);
	list(os, "local", o.local_prefixes);
	list(os, "prev-maar", o.previous_maars);
	field(os, "s-maar", o.serving_maar);
	field(os, "dlif-ll", o.dlif_link_local_address);
	field(os, "dlif-lla", o.dlif_link_layer_address);
	return os;
}

std::ostream &operator<<(std::ostream &os, const ProxyBindingUpdate &m)
{
	return os << "PBU seq=" << m.sequence << " flags=" << m.flags << " lifetime=" << m.lifetime << m.options;
}

std::ostream &operator<<(std::ostream &os, const ProxyBindingAck &m)
{
	return os << "PBA status=" << m.status << " seq=" << m.sequence << " flags=" << m.flags
		  << " lifetime=" << m.lifetime << m.options;
}

std::ostream &operator<<(std::ostream &os, const BindingError &m)
{
	return os << "BE status=" << m.status << " home=" << m.home_address << m.options;
}

std::ostream &operator<<(std::ostream &os, const Message &message)
{
	std::visit([&](const auto &m) { os << m; }, message);
	return os;
}

std::string to_string(const Message &message)
{
	std::ostringstream os;
	os << message;
	return os.str();
}

std::string to_string(const MobilityOptions &options)
{
	std::ostringstream os;
	os << options;
	// Drop the separator that precedes the first option.
	auto text = os.str();
	return text.empty() ? text : text.substr(1);
}

std::string to_string(const ParsedMessage &parsed)
{
	std::ostringstream os;
	os << parsed.message;
	for (const SkippedOption &skipped : parsed.skipped_options)
		os << " skipped=type" << static_cast<unsigned>(skipped.type) << "/len" << static_cast<unsigned>(skipped.length)
		   << "@" << skipped.offset;
	return os.str();
}

} // namespace dlif::mh
