// SPDX-License-Identifier: GPL-2.0
//
// The cores' timers: a min-heap of deadlines with lazy deletion (a stopped
// or restarted timer leaves its old heap entry behind, recognised by its
// serial number and skipped), so that StartTimer and StopTimer cost
// O(log n) and O(1) at a million bindings. One timerfd (TimerFd) is armed
// at the earliest deadline of everything the daemon waits for.
#pragma once

#include <cstdint>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "dlif/dmm/io.hpp"
#include "dlif/dmm/types.hpp"
#include "dlif/unique_fd.hpp"

namespace dlif::daemon {

class TimerHeap {
public:
	// Starts the timer, or moves it if it is running.
	void start(dmm::TimerId id, dmm::TimePoint deadline);
	void stop(dmm::TimerId id);
	void clear();

	bool running(dmm::TimerId id) const { return live_.contains(id); }
	std::size_t size() const noexcept { return live_.size(); }
	std::optional<dmm::TimePoint> deadline(dmm::TimerId id) const;

	// The earliest deadline of a running timer.
	std::optional<dmm::TimePoint> next_deadline();
	// Removes and returns the timers due at `now`, earliest first (equal
	// deadlines in the order they were started).
	std::vector<dmm::TimerId> pop_due(dmm::TimePoint now);

	// Heap entries, stale ones included (for tests of the compaction).
	std::size_t heap_size() const noexcept { return heap_.size(); }

private:
	struct Entry {
		dmm::TimePoint deadline;
		std::uint64_t serial;
		dmm::TimerId id;
	};
	struct Later {
		bool operator()(const Entry &a, const Entry &b) const noexcept
		{
			return a.deadline != b.deadline ? a.deadline > b.deadline : a.serial > b.serial;
		}
	};
	struct Live {
		std::uint64_t serial;
		dmm::TimePoint deadline;
	};

	bool stale(const Entry &entry) const;
	void drop_stale_top();
	void compact_if_needed();

	std::priority_queue<Entry, std::vector<Entry>, Later> heap_;
	std::unordered_map<dmm::TimerId, Live> live_;
	std::uint64_t next_serial_ = 0;
};

// A CLOCK_MONOTONIC timerfd (the clock of std::chrono::steady_clock),
// armed at an absolute deadline.
class TimerFd {
public:
	static std::optional<TimerFd> open();
	int fd() const noexcept { return fd_.get(); }
	// nullopt disarms it.
	void arm(std::optional<dmm::TimePoint> deadline);
	// Reads the expiry count so that the fd stops being readable.
	void acknowledge();

private:
	explicit TimerFd(UniqueFd fd) : fd_(std::move(fd)) {}
	UniqueFd fd_;
};

// Tells when the wall clock was set (an NTP step, `date -s`): a timerfd on
// CLOCK_REALTIME armed far ahead with TFD_TIMER_CANCEL_ON_SET becomes
// readable, its read failing with ECANCELED, whenever the clock jumps.
// The daemon then maps its steady clock to the wall clock anew, so that
// Timestamp options and saved deadlines follow the new time.
class ClockStepWatch {
public:
	static std::optional<ClockStepWatch> open();
	int fd() const noexcept { return fd_.get(); }
	// True when the clock was set since the last call; re-arms either way.
	bool stepped();

private:
	explicit ClockStepWatch(UniqueFd fd) : fd_(std::move(fd)) {}
	bool arm();
	UniqueFd fd_;
};

} // namespace dlif::daemon
