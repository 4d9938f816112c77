// SPDX-License-Identifier: GPL-2.0
#include "dlif/mh/status.hpp"

#include <array>
#include <ostream>
#include <utility>

namespace dlif::mh {
namespace {

constexpr std::array<std::pair<Status, std::string_view>, 26> kStatusNames{{
	{Status::Accepted, "ACCEPTED"},
	{Status::AcceptedPrefixDiscoveryNecessary, "ACCEPTED_PREFIX_DISCOVERY_NECESSARY"},
	{Status::ReasonUnspecified, "REASON_UNSPECIFIED"},
	{Status::AdministrativelyProhibited, "ADMINISTRATIVELY_PROHIBITED"},
	{Status::InsufficientResources, "INSUFFICIENT_RESOURCES"},
	{Status::HomeRegistrationNotSupported, "HOME_REGISTRATION_NOT_SUPPORTED"},
	{Status::NotHomeSubnet, "NOT_HOME_SUBNET"},
	{Status::NotHomeAgentForThisMobileNode, "NOT_HOME_AGENT_FOR_THIS_MOBILE_NODE"},
	{Status::DuplicateAddressDetectionFailed, "DUPLICATE_ADDRESS_DETECTION_FAILED"},
	{Status::SequenceNumberOutOfWindow, "SEQUENCE_NUMBER_OUT_OF_WINDOW"},
	{Status::ExpiredHomeNonceIndex, "EXPIRED_HOME_NONCE_INDEX"},
	{Status::ExpiredCareOfNonceIndex, "EXPIRED_CARE_OF_NONCE_INDEX"},
	{Status::ExpiredNonces, "EXPIRED_NONCES"},
	{Status::RegistrationTypeChangeDisallowed, "REGISTRATION_TYPE_CHANGE_DISALLOWED"},
	{Status::ProxyRegNotEnabled, "PROXY_REG_NOT_ENABLED"},
	{Status::NotLmaForThisMobileNode, "NOT_LMA_FOR_THIS_MOBILE_NODE"},
	{Status::MagNotAuthorizedForProxyReg, "MAG_NOT_AUTHORIZED_FOR_PROXY_REG"},
	{Status::NotAuthorizedForHomeNetworkPrefix, "NOT_AUTHORIZED_FOR_HOME_NETWORK_PREFIX"},
	{Status::TimestampMismatch, "TIMESTAMP_MISMATCH"},
	{Status::TimestampLowerThanPrevAccepted, "TIMESTAMP_LOWER_THAN_PREV_ACCEPTED"},
	{Status::MissingHomeNetworkPrefixOption, "MISSING_HOME_NETWORK_PREFIX_OPTION"},
	{Status::BcePbuPrefixSetDoNotMatch, "BCE_PBU_PREFIX_SET_DO_NOT_MATCH"},
	{Status::MissingMnIdentifierOption, "MISSING_MN_IDENTIFIER_OPTION"},
	{Status::MissingHandoffIndicatorOption, "MISSING_HANDOFF_INDICATOR_OPTION"},
	{Status::MissingAccessTechTypeOption, "MISSING_ACCESS_TECH_TYPE_OPTION"},
	{Status::InvalidCareOfAddress, "INVALID_CARE_OF_ADDRESS"},
}};

} // namespace

std::string_view name(Status status) noexcept
{
	for (const auto &[value, text] : kStatusNames)
		if (value == status)
			return text;
	return {};
}

std::optional<Status> status_from_name(std::string_view text) noexcept
{
	for (const auto &[value, known] : kStatusNames)
		if (known == text)
			return value;
	return std::nullopt;
}

std::string_view name(BindingErrorStatus status) noexcept
{
	switch (status) {
	case BindingErrorStatus::UnknownBindingForHomeAddressDestinationOption:
		return "UNKNOWN_BINDING_FOR_HOME_ADDRESS_DESTINATION_OPTION";
	case BindingErrorStatus::UnrecognizedMhType:
		return "UNRECOGNIZED_MH_TYPE";
	}
	return {};
}

namespace {

template <typename Code>
std::ostream &print_named(std::ostream &os, std::string_view text, Code code)
{
	const auto number = static_cast<unsigned>(code);
	if (text.empty())
		return os << number;
	return os << text << '(' << number << ')';
}

} // namespace

std::ostream &operator<<(std::ostream &os, Status status)
{
	return print_named(os, name(status), status);
}

std::ostream &operator<<(std::ostream &os, BindingErrorStatus status)
{
	return print_named(os, name(status), status);
}

} // namespace dlif::mh
