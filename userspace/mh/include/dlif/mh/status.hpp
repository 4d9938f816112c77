// SPDX-License-Identifier: GPL-2.0
//
// Status codes of the Binding Acknowledgement (RFC 6275 §6.1.8, RFC 5213
// §8.9) and of the Binding Error (RFC 6275 §6.1.9), by name.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string_view>

namespace dlif::mh {

// Any octet is a valid Status on the wire; the enumerators name the ones
// PMIPv6 uses. Values below 128 mean the binding was accepted.
enum class Status : std::uint8_t {
	Accepted = 0,
	AcceptedPrefixDiscoveryNecessary = 1,
	ReasonUnspecified = 128,
	AdministrativelyProhibited = 129,
	InsufficientResources = 130,
	HomeRegistrationNotSupported = 131,
	NotHomeSubnet = 132,
	NotHomeAgentForThisMobileNode = 133,
	DuplicateAddressDetectionFailed = 134,
	SequenceNumberOutOfWindow = 135,
	ExpiredHomeNonceIndex = 136,
	ExpiredCareOfNonceIndex = 137,
	ExpiredNonces = 138,
	RegistrationTypeChangeDisallowed = 139,
	// RFC 5213 §8.9
	ProxyRegNotEnabled = 152,
	NotLmaForThisMobileNode = 153,
	MagNotAuthorizedForProxyReg = 154,
	NotAuthorizedForHomeNetworkPrefix = 155,
	TimestampMismatch = 156,
	TimestampLowerThanPrevAccepted = 157,
	MissingHomeNetworkPrefixOption = 158,
	BcePbuPrefixSetDoNotMatch = 159,
	MissingMnIdentifierOption = 160,
	MissingHandoffIndicatorOption = 161,
	MissingAccessTechTypeOption = 162,
	InvalidCareOfAddress = 174,
};

constexpr bool is_accepted(Status status) noexcept
{
	return static_cast<std::uint8_t>(status) < 128;
}

// The RFC name in UPPER_SNAKE form ("TIMESTAMP_MISMATCH"); empty for
// values without a name here.
std::string_view name(Status status) noexcept;
std::optional<Status> status_from_name(std::string_view name) noexcept;

enum class BindingErrorStatus : std::uint8_t {
	UnknownBindingForHomeAddressDestinationOption = 1,
	UnrecognizedMhType = 2,
};

std::string_view name(BindingErrorStatus status) noexcept;

// "TIMESTAMP_MISMATCH(156)", or "200" for an unnamed value.
std::ostream &operator<<(std::ostream &os, Status status);
std::ostream &operator<<(std::ostream &os, BindingErrorStatus status);

} // namespace dlif::mh
