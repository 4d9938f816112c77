// SPDX-License-Identifier: GPL-2.0
//
// Snapshots: exact round trips, what restore() re-issues, deadlines kept
// across a restart through the wall clock.
#include <nlohmann/json.hpp>

#include "core_util.hpp"

namespace dlif::sim {
namespace {

using mh::BaFlag;
using mh::HandoffIndicator;

TEST(CmdSnapshot, EmptyRoundTrip)
{
	cmd::CmdCore core(test_cmd_config());
	const std::string text = core.snapshot();
	const auto json = nlohmann::json::parse(text);
	EXPECT_EQ(json.at("format"), "dlifd-cmd-snapshot");
	EXPECT_EQ(json.at("version"), 1);
	cmd::CmdCore restored(test_cmd_config());
	const auto actions = restored.restore(text, TimePoint{});
	ASSERT_TRUE(actions.has_value()) << actions.error();
	EXPECT_TRUE(actions->empty());
	EXPECT_EQ(restored.snapshot(), text);
}

// A binding in the middle of a proxy handover: the outstanding PBU's timer
// and the expiry come back at their remaining time.
TEST(CmdSnapshot, PendingHandoverRoundTrip)
{
	TimePoint now{};
	cmd::CmdCore core(test_cmd_config(CmdMode::proxy));
	core.handle(received(M1, make_pbu(1, kMn, pref(M1))), now);
	now += std::chrono::seconds(10);
	core.handle(received(M2, make_pbu(1, kMn, pref(M2))), now);
	core.handle(received(M3, make_pbu(1, kMn2, pref(M3))), now);
	const std::string text = core.snapshot();

	now += Duration(500);
	cmd::CmdCore restored(test_cmd_config(CmdMode::proxy));
	const auto actions = restored.restore(text, now);
	ASSERT_TRUE(actions.has_value()) << actions.error();
	EXPECT_EQ(restored.snapshot(), text);
	std::vector<Duration> timers;
	for (const auto &timer : all<StartTimer>(*actions))
		timers.push_back(timer.after);
	std::sort(timers.begin(), timers.end());
	// Retransmission to MAAR1 due 1.5 s after the handover; two expiries.
	EXPECT_EQ(timers, (std::vector<Duration>{Duration(1000), Duration(401000), Duration(401000)}));
	const auto view = restored.binding(mn_id(kMn));
	ASSERT_TRUE(view);
	EXPECT_EQ(view->state, cmd::BindingState::handover);
	EXPECT_EQ(view->outstanding, 1u);
	// And it carries on: the retransmission fires as the original's would.
	TimerId retransmission = 0;
	for (const auto &timer : all<StartTimer>(*actions))
		if (timer.after == Duration(1000))
			retransmission = timer.id;
	const auto repeated = pbus(restored.handle(TimerFired{retransmission}, now + Duration(1000)));
	ASSERT_EQ(repeated.size(), 1u);
	EXPECT_EQ(repeated[0].options.serving_maar, Network::address(M2));
	EXPECT_EQ(restored.counters().at("retransmissions"), 1u);
}

TEST(CmdSnapshot, LmaBindingsAreReissued)
{
	CmdConfig config = test_cmd_config();
	config.lma = LmaConfig{pfx("2001:db8:f::/48"), 64, "lma0"};
	cmd::CmdCore core(config);
	core.handle(received(M1, make_pbu(1, kMn, Ipv6Prefix{}, HandoffIndicator::AttachmentOverNewInterface, 100, false)),
		    TimePoint{});
	cmd::CmdCore restored(config);
	const auto actions = restored.restore(core.snapshot(), TimePoint{});
	ASSERT_TRUE(actions.has_value()) << actions.error();
	EXPECT_EQ(all<InstallDlif>(*actions).at(0).name, "mn1lma");
	EXPECT_EQ(all<InstallEntry>(*actions).at(0).peer, Network::address(M1));
	// Its pool knows the prefix is taken.
	const auto next = pbas(restored.handle(
		received(M2, make_pbu(1, kMn2, Ipv6Prefix{}, HandoffIndicator::AttachmentOverNewInterface, 100, false)),
		TimePoint{}));
	EXPECT_EQ(next.at(0).options.home_network_prefixes[0], pfx("2001:db8:f:1::/64"));
	// Without [lma] the snapshot does not fit.
	EXPECT_FALSE(cmd::CmdCore(test_cmd_config()).restore(core.snapshot(), TimePoint{}).has_value());
}

TEST(CmdSnapshot, QueuedPbusSurvive)
{
	cmd::CmdCore core(test_cmd_config(CmdMode::relay));
	core.handle(received(M1, make_pbu(1, kMn, pref(M1))), TimePoint{});
	core.handle(received(M2, make_pbu(1, kMn, pref(M2))), TimePoint{});
	core.handle(received(M3, make_pbu(5, kMn, pref(M3))), TimePoint{});
	cmd::CmdCore restored(test_cmd_config(CmdMode::relay));
	ASSERT_TRUE(restored.restore(core.snapshot(), TimePoint{}).has_value());
	EXPECT_EQ(restored.binding(mn_id(kMn))->queued, 1u);
	EXPECT_EQ(restored.snapshot(), core.snapshot());
}

// Deadlines are stored as wall-clock time: a daemon restarted after a
// reboot (another steady epoch) re-arms them for what is left.
TEST(CmdSnapshot, DeadlinesFollowTheWallClock)
{
	const WallTime wall = WallTime{} + std::chrono::seconds(1'700'000'000);
	cmd::CmdCore core(test_cmd_config());
	const TimePoint boot1 = TimePoint{} + std::chrono::hours(100);
	core.set_wall_clock(boot1, wall);
	core.handle(received(M1, make_pbu(1, kMn, pref(M1))), boot1);
	const std::string text = core.snapshot();

	cmd::CmdCore restored(test_cmd_config());
	const TimePoint boot2 = TimePoint{} + std::chrono::minutes(1);
	// 100 s of wall time later, on a steady clock started afresh.
	restored.set_wall_clock(boot2, wall + std::chrono::seconds(100));
	const auto actions = restored.restore(text, boot2);
	ASSERT_TRUE(actions.has_value()) << actions.error();
	EXPECT_EQ(all<StartTimer>(*actions).at(0).after, Duration(401500 - 100000));
	EXPECT_EQ(restored.snapshot(), text);
}

TEST(MaarSnapshot, RegisteringSessionRoundTrip)
{
	MaarConfig config = test_maar_config(M1);
	config.local_prefixes = {pfx("2001:db8:100::/56")};
	maar::MaarCore core(config);
	core.start(TimePoint{});
	core.handle(MnAttached{kMn, "wlan0"}, TimePoint{});
	const std::string text = core.snapshot();
	EXPECT_EQ(nlohmann::json::parse(text).at("format"), "dlifd-maar-snapshot");

	maar::MaarCore restored(config);
	const auto actions = restored.restore(text, TimePoint{} + Duration(1000));
	ASSERT_TRUE(actions.has_value()) << actions.error();
	EXPECT_EQ(restored.snapshot(), text);
	// The local-export entry, the silent DLIF, the retransmission timer.
	EXPECT_EQ(all<InstallEntry>(*actions).at(0).role, TunnelRole::local_export);
	const auto dlifs = all<InstallDlif>(*actions);
	ASSERT_EQ(dlifs.size(), 1u);
	EXPECT_FALSE(dlifs[0].advertise);
	EXPECT_EQ(all<StartTimer>(*actions).at(0).after, Duration(500));
	// The restored core answers the PBA of the PBU its predecessor sent.
	const auto pbu = pbus(maar::MaarCore(config).handle(MnAttached{kMn, "wlan0"}, TimePoint{})).at(0);
	mh::ProxyBindingAck pba;
	pba.flags.set(BaFlag::Dmm);
	pba.sequence = pbu.sequence;
	pba.lifetime = pbu.lifetime;
	pba.options.mobile_node_identifier = pbu.options.mobile_node_identifier;
	restored.handle(received(kCmd, pba, M1), TimePoint{} + Duration(1000));
	EXPECT_EQ(restored.session(kMn)->state, maar::SessionState::serving);
	// Its pool knows the prefix is taken.
	EXPECT_NE(pbus(restored.handle(MnAttached{kMn2, "wlan0"}, TimePoint{})).at(0).options.home_network_prefixes[0],
		  pref(M1));
}

TEST(MaarSnapshot, BadTextChangesNothing)
{
	maar::MaarCore core(test_maar_config(M1));
	core.handle(MnAttached{kMn, "wlan0"}, TimePoint{});
	const std::string before = core.snapshot();
	auto json = nlohmann::json::parse(before);
	json["sessions"][0]["prefixes"][0] = "2001:db8:99::/64";	// not its pool's
	EXPECT_FALSE(core.restore(json.dump(), TimePoint{}).has_value());
	json = nlohmann::json::parse(before);
	json["sessions"][0]["state"] = "flying";
	EXPECT_FALSE(core.restore(json.dump(), TimePoint{}).has_value());
	json = nlohmann::json::parse(before);
	json["sessions"].push_back(json["sessions"][0]);
	EXPECT_FALSE(core.restore(json.dump(), TimePoint{}).has_value());
	EXPECT_EQ(core.snapshot(), before);
	EXPECT_EQ(core.session_count(), 1u);
}

} // namespace
} // namespace dlif::sim
