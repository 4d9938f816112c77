// SPDX-License-Identifier: GPL-2.0
//
// The timer heap: order, restart, stop, lazy deletion and compaction.
#include <gtest/gtest.h>
#include <poll.h>

#include "timers.hpp"

namespace dlif::daemon {
namespace {

using namespace std::chrono_literals;

const dmm::TimePoint t0{std::chrono::seconds(1000)};

TEST(TimerHeap, FiresInDeadlineOrderThenStartOrder)
{
	TimerHeap heap;
	heap.start(3, t0 + 3s);
	heap.start(1, t0 + 1s);
	heap.start(2, t0 + 1s);
	EXPECT_EQ(heap.next_deadline(), t0 + 1s);
	EXPECT_EQ(heap.pop_due(t0), std::vector<dmm::TimerId>{});
	EXPECT_EQ(heap.pop_due(t0 + 2s), (std::vector<dmm::TimerId>{1, 2}));
	EXPECT_EQ(heap.size(), 1u);
	EXPECT_EQ(heap.pop_due(t0 + 10s), std::vector<dmm::TimerId>{3});
	EXPECT_FALSE(heap.next_deadline());
}

TEST(TimerHeap, RestartMovesAndStopCancels)
{
	TimerHeap heap;
	heap.start(1, t0 + 1s);
	heap.start(2, t0 + 2s);
	heap.start(1, t0 + 5s);	// restarted later
	heap.stop(2);
	EXPECT_TRUE(heap.running(1));
	EXPECT_FALSE(heap.running(2));
	EXPECT_EQ(heap.deadline(1), t0 + 5s);
	EXPECT_EQ(heap.next_deadline(), t0 + 5s);
	EXPECT_EQ(heap.pop_due(t0 + 4s), std::vector<dmm::TimerId>{});
	EXPECT_EQ(heap.pop_due(t0 + 5s), std::vector<dmm::TimerId>{1});
	heap.stop(42);	// unknown: nothing happens
	EXPECT_EQ(heap.size(), 0u);
}

TEST(TimerHeap, StaleEntriesDoNotPileUp)
{
	TimerHeap heap;
	for (int i = 0; i < 100000; ++i)
		heap.start(7, t0 + std::chrono::milliseconds(i));
	EXPECT_EQ(heap.size(), 1u);
	EXPECT_LE(heap.heap_size(), 130u);
	EXPECT_EQ(heap.next_deadline(), t0 + 99999ms);
}

TEST(TimerHeap, ClearForgetsEverything)
{
	TimerHeap heap;
	heap.start(1, t0);
	heap.clear();
	EXPECT_EQ(heap.pop_due(t0 + 1s), std::vector<dmm::TimerId>{});
}

TEST(TimerFd, FiresAtADeadlineInThePast)
{
	auto timer = TimerFd::open();
	ASSERT_TRUE(timer);
	timer->arm(dmm::Clock::now() - 1s);
	std::uint64_t expirations = 0;
	// Blocking read on a non-blocking fd: poll until it is readable.
	for (int i = 0; i < 1000 && ::read(timer->fd(), &expirations, sizeof(expirations)) < 0; ++i)
		usleep(1000);
	EXPECT_EQ(expirations, 1u);
	timer->arm(std::nullopt);
}

// Without a clock change the watch stays quiet (the step itself is tested
// in the VM, where the clock may be set: selftests/dlifd_scenarios.sh).
TEST(ClockStepWatch, QuietWhileTheClockIsNotSet)
{
	auto watch = ClockStepWatch::open();
	ASSERT_TRUE(watch);
	pollfd readable{watch->fd(), POLLIN, 0};
	EXPECT_EQ(::poll(&readable, 1, 20), 0);
	EXPECT_FALSE(watch->stepped());
	EXPECT_EQ(::poll(&readable, 1, 0), 0);
}

} // namespace
} // namespace dlif::daemon
