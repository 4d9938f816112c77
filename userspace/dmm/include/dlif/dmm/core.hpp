// SPDX-License-Identifier: GPL-2.0
//
// Pieces both protocol cores (cmd/, maar/) use: the steady-to-wall clock
// mapping, the PMIPv6 ordering rules, timer identifiers and counters.
// Pure, like the cores.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "dlif/dmm/io.hpp"
#include "dlif/dmm/types.hpp"
#include "dlif/mh/options.hpp"

namespace dlif::dmm {

// Counters by name ("rx_pbu", "drop_unknown_peer", ...), for the control
// socket and dlifctl.
using CounterMap = std::map<std::string, std::uint64_t>;

// How the daemon's steady clock maps to the wall clock. The cores keep
// deadlines as steady time points; the Timestamp option and snapshots
// need wall-clock time. Until set, steady time is taken as wall time
// (the epoch of TimePoint{} is 1970), which is what the tests use.
class WallClockMap {
public:
	void set(TimePoint steady_now, WallTime wall_now) noexcept
	{
		offset_ = wall_now.time_since_epoch() -
			  std::chrono::duration_cast<WallClock::duration>(steady_now.time_since_epoch());
	}
	WallTime to_wall(TimePoint steady) const noexcept
	{
		return WallTime(std::chrono::duration_cast<WallClock::duration>(steady.time_since_epoch()) + offset_);
	}
	TimePoint to_steady(WallTime wall) const noexcept
	{
		return TimePoint(std::chrono::duration_cast<Clock::duration>(wall.time_since_epoch() - offset_));
	}
	// Milliseconds since 1970 of a steady time point: how snapshots store
	// deadlines, so that a restored core re-arms them at the same instant.
	std::int64_t to_wall_ms(TimePoint steady) const noexcept
	{
		return std::chrono::duration_cast<std::chrono::milliseconds>(to_wall(steady).time_since_epoch()).count();
	}
	TimePoint from_wall_ms(std::int64_t ms) const noexcept
	{
		return to_steady(WallTime(std::chrono::duration_cast<WallClock::duration>(std::chrono::milliseconds(ms))));
	}
	mh::Timestamp timestamp(TimePoint steady) const noexcept { return timestamp_at(to_wall(steady)); }

private:
	WallClock::duration offset_{0};
};

// RFC 6275 §9.5.1: `candidate` is newer than `last` when it lies in the
// 32767 values after it, modulo 2^16.
constexpr bool sequence_newer(std::uint16_t candidate, std::uint16_t last) noexcept
{
	const auto distance = static_cast<std::uint16_t>(candidate - last);
	return distance != 0 && distance < 0x8000u;
}

// `value` is in [first, last], modulo 2^16 (the sequence numbers one
// exchange used: its first PBU and each retransmission).
constexpr bool sequence_in_range(std::uint16_t value, std::uint16_t first, std::uint16_t last) noexcept
{
	return static_cast<std::uint16_t>(value - first) <= static_cast<std::uint16_t>(last - first);
}

enum class TimestampVerdict : std::uint8_t { ok, mismatch, not_newer };

// RFC 5213 §5.5: a timestamp more than `window` away from the receiver's
// clock is a mismatch (156); one not newer than the last accepted is
// refused (157). Without a window, only the second rule applies.
//
// A last accepted timestamp later than the receiver's clock plus the
// window was accepted before the clocks were set back (an NTP step; the
// receiver's window check makes it impossible otherwise): kept as the
// bar, it would refuse every fresh message of the node until the clock
// caught up again, so it no longer orders and the window alone judges.
// The cost: a message captured before the step whose old-clock timestamp
// now falls in the window passes, once, where the step was as large as
// the message's age.
inline TimestampVerdict check_timestamp(mh::Timestamp received, mh::Timestamp now, std::optional<Duration> window,
					std::optional<mh::Timestamp> last_accepted) noexcept
{
	if (window) {
		const std::uint64_t a = received.raw();
		const std::uint64_t b = now.raw();
		const std::uint64_t distance = a > b ? a - b : b - a;
		// Raw units are 1/65536 s; a negative window counts as none.
		const auto ms = static_cast<std::uint64_t>(std::max<Duration::rep>(window->count(), 0));
		const std::uint64_t window_units = ms * 65536u / 1000u;
		if (distance > window_units)
			return TimestampVerdict::mismatch;
		if (last_accepted && last_accepted->raw() > b && last_accepted->raw() - b > window_units)
			return TimestampVerdict::ok;
	}
	if (last_accepted && received <= *last_accepted)
		return TimestampVerdict::not_newer;
	return TimestampVerdict::ok;
}

// A TimerId names what a timer is for, so that a core finds its state
// from the id alone: the owner (a binding or session slot), a kind, an
// index within the owner, and a generation that changes on every arm so
// that a fire the daemon delivered late for an older arm is recognised.
struct TimerKey {
	std::uint32_t owner = 0;
	std::uint8_t kind = 0;
	std::uint8_t index = 0;
	std::uint16_t generation = 0;

	constexpr TimerId id() const noexcept
	{
		return (static_cast<TimerId>(owner) << 32) | (static_cast<TimerId>(kind) << 24) |
		       (static_cast<TimerId>(index) << 16) | generation;
	}
	static constexpr TimerKey from(TimerId id) noexcept
	{
		return TimerKey{static_cast<std::uint32_t>(id >> 32), static_cast<std::uint8_t>(id >> 24),
				static_cast<std::uint8_t>(id >> 16), static_cast<std::uint16_t>(id)};
	}
	friend constexpr bool operator==(TimerKey, TimerKey) = default;
};

// RFC 6275 §11.8 back-off: the next timeout after `current`.
inline Duration next_backoff(Duration current, Duration max) noexcept
{
	return current * 2 > max ? max : current * 2;
}

// A Log action with fields.
inline Log make_log(LogLevel level, std::string event,
		    std::initializer_list<std::pair<std::string, std::string>> fields)
{
	return Log{level, std::move(event), std::vector<std::pair<std::string, std::string>>(fields)};
}

} // namespace dlif::dmm
