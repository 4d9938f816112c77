// SPDX-License-Identifier: GPL-2.0
//
// The RA engine's schedule: the initial burst, periodic RAs with jitter,
// answers to solicitations (rate-limited), silent DLIFs, plan changes.
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "ra_engine.hpp"

namespace dlif::daemon {
namespace {

using namespace test;

const dmm::TimePoint t0{std::chrono::seconds(5000)};

RaTiming timing()
{
	RaTiming timing;
	timing.initial_count = 3;
	timing.initial_interval = 500ms;
	timing.interval = 30s;
	timing.min_solicited_interval = 500ms;
	return timing;
}

using Names = std::vector<std::string>;

TEST(RaEngine, InitialBurstThenPeriodicWithJitter)
{
	RaEngine engine(timing());
	engine.install(dlif_install(), t0);
	EXPECT_EQ(engine.next_deadline(), t0);
	EXPECT_EQ(engine.take_due(t0), Names{"mn1mar1"});
	EXPECT_EQ(engine.next_deadline(), t0 + 500ms);
	EXPECT_EQ(engine.take_due(t0 + 499ms), Names{});
	EXPECT_EQ(engine.take_due(t0 + 500ms), Names{"mn1mar1"});
	EXPECT_EQ(engine.take_due(t0 + 1000ms), Names{"mn1mar1"});
	// Three sent: now periodic, between 3/4 of the interval and the interval.
	const auto next = *engine.next_deadline() - (t0 + 1000ms);
	EXPECT_GE(next, 22500ms);
	EXPECT_LE(next, 30s);
	for (int i = 0; i < 50; ++i) {
		const dmm::TimePoint now = *engine.next_deadline();
		EXPECT_EQ(engine.take_due(now), Names{"mn1mar1"});
		const auto gap = *engine.next_deadline() - now;
		EXPECT_GE(gap, 22500ms);
		EXPECT_LE(gap, 30s);
	}
}

TEST(RaEngine, SolicitationsAreAnsweredAtOnceButNotTooOften)
{
	RaEngine engine(timing());
	engine.install(dlif_install(), t0);
	for (auto at : {t0, t0 + 500ms, t0 + 1000ms})
		engine.take_due(at);
	const auto periodic = *engine.next_deadline();
	const dmm::TimePoint rs = t0 + 5s;
	EXPECT_EQ(engine.solicited("mn1mar1", rs), RaEngine::Solicitation::answer);
	EXPECT_EQ(engine.next_deadline(), rs);
	EXPECT_EQ(engine.solicited("mn1mar1", rs + 100ms), RaEngine::Solicitation::rate_limited);
	EXPECT_EQ(engine.take_due(rs + 100ms), Names{"mn1mar1"});
	// The answer does not move the periodic schedule.
	EXPECT_EQ(engine.next_deadline(), periodic);
	EXPECT_EQ(engine.solicited("mn1mar1", rs + 600ms), RaEngine::Solicitation::answer);
	EXPECT_EQ(engine.solicited("other", rs), RaEngine::Solicitation::unknown);
}

TEST(RaEngine, SilentDlifsSendNothingAndReportSolicitations)
{
	RaEngine engine(timing());
	dmm::InstallDlif silent = dlif_install();
	silent.advertise = false;
	engine.install(silent, t0);
	EXPECT_FALSE(engine.next_deadline());
	EXPECT_EQ(engine.solicited("mn1mar1", t0), RaEngine::Solicitation::silent);
	EXPECT_EQ(engine.advertising(), 0u);
	// Advertising again (the node registered back here): a new burst.
	engine.install(dlif_install(), t0 + 10s);
	EXPECT_EQ(engine.next_deadline(), t0 + 10s);
	EXPECT_EQ(engine.advertising(), 1u);
	// And silent again: nothing scheduled.
	engine.install(silent, t0 + 11s);
	EXPECT_FALSE(engine.next_deadline());
}

TEST(RaEngine, APlanChangeOrAdvertiseNowSendsAtOnce)
{
	RaEngine engine(timing());
	engine.install(dlif_install(), t0);
	for (auto at : {t0, t0 + 500ms, t0 + 1000ms})
		engine.take_due(at);
	// The same install again: nothing new.
	engine.install(dlif_install(), t0 + 2s);
	EXPECT_GT(*engine.next_deadline(), t0 + 20s);
	dmm::InstallDlif deprecated = dlif_install();
	deprecated.ra.prefixes[0].preferred_lifetime = 0s;
	engine.install(deprecated, t0 + 3s);
	EXPECT_EQ(engine.next_deadline(), t0 + 3s);
	EXPECT_EQ(engine.take_due(t0 + 3s), Names{"mn1mar1"});
	EXPECT_EQ(engine.find("mn1mar1")->ra.prefixes[0].preferred_lifetime, 0s);
	engine.advertise_now("mn1mar1", t0 + 4s);
	EXPECT_EQ(engine.take_due(t0 + 4s), Names{"mn1mar1"});
	engine.advertise_now("unknown", t0 + 4s);	// nothing happens
}

TEST(RaEngine, RemovedDlifsStop)
{
	RaEngine engine(timing());
	engine.install(dlif_install("a"), t0);
	engine.install(dlif_install("b", "02:00:00:00:00:02"), t0 + 1ms);
	engine.remove("a");
	EXPECT_EQ(engine.take_due(t0 + 1ms), Names{"b"});
	EXPECT_EQ(engine.find("a"), nullptr);
	EXPECT_EQ(engine.size(), 1u);
}

TEST(RaEngine, AShorterIntervalTakesEffectAtOnce)
{
	RaEngine engine(timing());
	engine.install(dlif_install(), t0);
	for (auto at : {t0, t0 + 500ms, t0 + 1000ms})
		engine.take_due(at);
	RaTiming faster = timing();
	faster.interval = 4s;
	engine.set_timing(faster, t0 + 2s);
	EXPECT_LE(*engine.next_deadline(), t0 + 6s);
}

} // namespace
} // namespace dlif::daemon
