// SPDX-License-Identifier: GPL-2.0
#include "timers.hpp"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace dlif::daemon {

void TimerHeap::start(dmm::TimerId id, dmm::TimePoint deadline)
{
	const std::uint64_t serial = next_serial_++;
	live_[id] = Live{serial, deadline};
	heap_.push(Entry{deadline, serial, id});
	compact_if_needed();
}

void TimerHeap::stop(dmm::TimerId id)
{
	live_.erase(id);
	compact_if_needed();
}

void TimerHeap::clear()
{
	live_.clear();
	heap_ = {};
}

std::optional<dmm::TimePoint> TimerHeap::deadline(dmm::TimerId id) const
{
	auto it = live_.find(id);
	if (it == live_.end())
		return std::nullopt;
	return it->second.deadline;
}

bool TimerHeap::stale(const Entry &entry) const
{
	auto it = live_.find(entry.id);
	return it == live_.end() || it->second.serial != entry.serial;
}

void TimerHeap::drop_stale_top()
{
	while (!heap_.empty() && stale(heap_.top()))
		heap_.pop();
}

void TimerHeap::compact_if_needed()
{
	// Stopped and restarted timers leave entries behind; rebuild when
	// they outnumber the live ones, so memory stays O(live timers).
	if (heap_.size() <= 64 || heap_.size() <= 2 * live_.size())
		return;
	std::vector<Entry> entries;
	entries.reserve(live_.size());
	for (const auto &[id, live] : live_)
		entries.push_back(Entry{live.deadline, live.serial, id});
	heap_ = std::priority_queue<Entry, std::vector<Entry>, Later>(Later{}, std::move(entries));
}

std::optional<dmm::TimePoint> TimerHeap::next_deadline()
{
	drop_stale_top();
	if (heap_.empty())
		return std::nullopt;
	return heap_.top().deadline;
}

std::vector<dmm::TimerId> TimerHeap::pop_due(dmm::TimePoint now)
{
	std::vector<dmm::TimerId> due;
	for (;;) {
		drop_stale_top();
		if (heap_.empty() || heap_.top().deadline > now)
			break;
		due.push_back(heap_.top().id);
		live_.erase(heap_.top().id);
		heap_.pop();
	}
	return due;
}

std::optional<TimerFd> TimerFd::open()
{
	UniqueFd fd(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
	if (!fd)
		return std::nullopt;
	return TimerFd(std::move(fd));
}

void TimerFd::arm(std::optional<dmm::TimePoint> deadline)
{
	itimerspec spec{};
	if (deadline) {
		const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline->time_since_epoch()).count();
		// An all-zero it_value disarms: a deadline at the clock's origin
		// (or before) is due now, so ask for the smallest one instead.
		const auto when = ns > 0 ? ns : 1;
		spec.it_value.tv_sec = static_cast<time_t>(when / 1000000000);
		spec.it_value.tv_nsec = static_cast<long>(when % 1000000000);
	}
	timerfd_settime(fd_.get(), TFD_TIMER_ABSTIME, &spec, nullptr);
}

void TimerFd::acknowledge()
{
	std::uint64_t expirations = 0;
	[[maybe_unused]] auto got = ::read(fd_.get(), &expirations, sizeof(expirations));
}

std::optional<ClockStepWatch> ClockStepWatch::open()
{
	UniqueFd fd(timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC));
	if (!fd)
		return std::nullopt;
	ClockStepWatch watch(std::move(fd));
	if (!watch.arm())
		return std::nullopt;
	return watch;
}

bool ClockStepWatch::arm()
{
	// Absolute and far ahead (2^62 ns, in the year 2116): it never
	// expires, it is only cancelled by a clock change.
	itimerspec spec{};
	spec.it_value.tv_sec = static_cast<time_t>((std::int64_t{1} << 62) / 1'000'000'000);
	return timerfd_settime(fd_.get(), TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, nullptr) == 0;
}

bool ClockStepWatch::stepped()
{
	std::uint64_t expirations = 0;
	const bool cancelled = ::read(fd_.get(), &expirations, sizeof(expirations)) < 0 && errno == ECANCELED;
	// A cancelled timer stays readable until it is armed again.
	arm();
	return cancelled;
}

} // namespace dlif::daemon
