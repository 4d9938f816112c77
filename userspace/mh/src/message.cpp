// SPDX-License-Identifier: GPL-2.0
#include "dlif/mh/message.hpp"

#include <algorithm>

namespace dlif::mh {

MhType mh_type(const Message &message) noexcept
{
	switch (message.index()) {
	case 0:
		return MhType::BindingUpdate;
	case 1:
		return MhType::BindingAcknowledgement;
	default:
		return MhType::BindingError;
	}
}

const MobilityOptions &options_of(const Message &message) noexcept
{
	return std::visit([](const auto &m) -> const MobilityOptions & { return m.options; }, message);
}

MobilityOptions &options_of(Message &message) noexcept
{
	return std::visit([](auto &m) -> MobilityOptions & { return m.options; }, message);
}

MobileNodeIdentifier MobileNodeIdentifier::nai(std::string_view text)
{
	MobileNodeIdentifier id;
	id.subtype = MnIdSubtype::Nai;
	for (char c : text)
		id.identifier.push_back(static_cast<std::uint8_t>(c));
	return id;
}

std::string_view MobileNodeIdentifier::text() const noexcept
{
	// The identifier is an octet string; viewing octets as char is always
	// allowed.
	return {reinterpret_cast<const char *>(identifier.data()), identifier.size()};
}

Timestamp Timestamp::from_time_point(std::chrono::system_clock::time_point time) noexcept
{
	using namespace std::chrono;
	const auto since_epoch = time.time_since_epoch();
	if (since_epoch.count() <= 0)
		return Timestamp();
	const auto whole = duration_cast<std::chrono::seconds>(since_epoch);
	const auto rest = duration_cast<nanoseconds>(since_epoch - whole);
	// 1/65536 s units, truncated: rest < 1 s, so the result fits 16 bits.
	const auto fraction = static_cast<std::uint16_t>((static_cast<std::uint64_t>(rest.count()) << 16) / 1'000'000'000u);
	return from_parts(static_cast<std::uint64_t>(whole.count()), fraction);
}

std::chrono::system_clock::time_point Timestamp::to_time_point() const noexcept
{
	using namespace std::chrono;
	// 48 bits of seconds outrun a 64-bit nanosecond clock (year 2262):
	// saturate rather than overflow.
	constexpr auto kLastSecond = duration_cast<std::chrono::seconds>(system_clock::duration::max()).count() - 1;
	if (this->seconds() > static_cast<std::uint64_t>(kLastSecond))
		return system_clock::time_point::max();
	const auto nanos = (static_cast<std::uint64_t>(fraction()) * 1'000'000'000u) >> 16;
	const auto since_epoch = duration_cast<system_clock::duration>(std::chrono::seconds(static_cast<std::int64_t>(this->seconds()))) +
				 duration_cast<system_clock::duration>(nanoseconds(static_cast<std::int64_t>(nanos)));
	return system_clock::time_point(since_epoch);
}

} // namespace dlif::mh
