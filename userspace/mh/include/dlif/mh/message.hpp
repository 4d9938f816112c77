// SPDX-License-Identifier: GPL-2.0
//
// The Mobility Header messages PMIPv6 uses (RFC 5213 §8.1, §8.2; RFC 6275
// §6.1.7-§6.1.9) with the RFC 8885 D flag, as plain value types.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <initializer_list>
#include <type_traits>
#include <variant>

#include "dlif/mh/address.hpp"
#include "dlif/mh/options.hpp"
#include "dlif/mh/status.hpp"
#include "dlif/mh/wire.hpp"

namespace dlif::mh {

// Which bits a flag field defines; the others are reserved.
template <typename Flag>
struct FlagTraits;

template <>
struct FlagTraits<BuFlag> {
	static constexpr std::uint16_t kDefinedBits = 0xfff0;
};

template <>
struct FlagTraits<BaFlag> {
	static constexpr std::uint8_t kDefinedBits = 0xfe;
};

// A set of BU or BA flags. Reserved bits cannot be set: they are dropped on
// receipt (RFC 6275 says to ignore them) and therefore sent as zero.
template <typename Flag>
class Flags {
public:
	using Bits = std::underlying_type_t<Flag>;

	constexpr Flags() = default;
	constexpr Flags(std::initializer_list<Flag> flags)
	{
		for (Flag flag : flags)
			set(flag);
	}
	static constexpr Flags from_bits(Bits bits) noexcept
	{
		Flags flags;
		flags.bits_ = static_cast<Bits>(bits & FlagTraits<Flag>::kDefinedBits);
		return flags;
	}

	constexpr bool has(Flag flag) const noexcept { return (bits_ & static_cast<Bits>(flag)) != 0; }
	constexpr Flags &set(Flag flag, bool on = true) noexcept
	{
		bits_ = on ? static_cast<Bits>(bits_ | static_cast<Bits>(flag))
			   : static_cast<Bits>(bits_ & ~static_cast<Bits>(flag));
		return *this;
	}
	constexpr Bits bits() const noexcept { return bits_; }

	friend constexpr bool operator==(Flags, Flags) = default;

private:
	Bits bits_ = 0;
};

using BuFlags = Flags<BuFlag>;
using BaFlags = Flags<BaFlag>;

// Binding lifetime as the wire carries it: 16 bits in units of 4 seconds
// (RFC 6275 §6.1.7); 0 asks for (or acknowledges) a de-registration.
class Lifetime {
public:
	static constexpr std::chrono::seconds kUnit{4};
	static constexpr std::uint16_t kMaxUnits = 0xffff;

	constexpr Lifetime() = default;
	static constexpr Lifetime from_units(std::uint16_t units) noexcept { return Lifetime(units); }
	// The longest wire lifetime not exceeding `duration` (a granted
	// lifetime must not exceed the requested one), saturated at
	// 65535 units = 262140 s; negative durations give 0.
	static constexpr Lifetime at_most(std::chrono::seconds duration) noexcept
	{
		if (duration.count() <= 0)
			return Lifetime(0);
		const auto units = duration.count() / kUnit.count();
		return Lifetime(units >= kMaxUnits ? kMaxUnits : static_cast<std::uint16_t>(units));
	}

	constexpr std::uint16_t units() const noexcept { return units_; }
	constexpr std::chrono::seconds duration() const noexcept { return units_ * kUnit; }
	constexpr bool is_deregistration() const noexcept { return units_ == 0; }

	friend constexpr bool operator==(Lifetime, Lifetime) = default;
	friend constexpr auto operator<=>(Lifetime, Lifetime) = default;

private:
	constexpr explicit Lifetime(std::uint16_t units) : units_(units) {}
	std::uint16_t units_ = 0;
};

// Binding Update, MH type 5. The flags default to A and P, which RFC 5213
// §6.9.1.5 requires in every Proxy Binding Update; a parsed message has
// exactly the flags received.
struct ProxyBindingUpdate {
	std::uint16_t sequence = 0;
	BuFlags flags{BuFlag::Acknowledge, BuFlag::ProxyRegistration};
	Lifetime lifetime;
	MobilityOptions options;

	friend bool operator==(const ProxyBindingUpdate &, const ProxyBindingUpdate &) = default;
};

// Binding Acknowledgement, MH type 6. The flags default to P, which RFC
// 5213 §8.2 requires in every Proxy Binding Acknowledgement.
struct ProxyBindingAck {
	Status status = Status::Accepted;
	BaFlags flags{BaFlag::ProxyRegistration};
	std::uint16_t sequence = 0; // copied from the PBU it answers
	Lifetime lifetime;
	MobilityOptions options;

	friend bool operator==(const ProxyBindingAck &, const ProxyBindingAck &) = default;
};

// Binding Error, MH type 7 (RFC 6275 §6.1.9): sent back for an
// unrecognised MH type (status 2).
struct BindingError {
	BindingErrorStatus status = BindingErrorStatus::UnrecognizedMhType;
	Ipv6Address home_address; // unspecified (::) when none applies
	MobilityOptions options;

	friend bool operator==(const BindingError &, const BindingError &) = default;
};

using Message = std::variant<ProxyBindingUpdate, ProxyBindingAck, BindingError>;

MhType mh_type(const Message &message) noexcept;
const MobilityOptions &options_of(const Message &message) noexcept;
MobilityOptions &options_of(Message &message) noexcept;

} // namespace dlif::mh
