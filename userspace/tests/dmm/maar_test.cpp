// SPDX-License-Identifier: GPL-2.0
//
// The MAAR core on its own: one rule per test.
#include <nlohmann/json.hpp>

#include "core_util.hpp"

namespace dlif::sim {
namespace {

using mh::BaFlag;
using mh::BuFlag;
using mh::HandoffIndicator;
using mh::Status;

class Maar : public ::testing::Test {
protected:
	TimePoint now{};
	Actions from(maar::MaarCore &core, NodeId sender, mh::Message message)
	{
		return core.handle(received(sender, std::move(message), M1), now);
	}
	// The CMD's answer to a PBU.
	static mh::ProxyBindingAck accept(const mh::ProxyBindingUpdate &pbu)
	{
		mh::ProxyBindingAck pba;
		pba.flags.set(BaFlag::Dmm);
		pba.sequence = pbu.sequence;
		pba.lifetime = pbu.lifetime;
		pba.options.mobile_node_identifier = pbu.options.mobile_node_identifier;
		pba.options.home_network_prefixes = pbu.options.home_network_prefixes;
		return pba;
	}
	// A registered node at MAAR1; returns its PBU.
	mh::ProxyBindingUpdate registered(maar::MaarCore &core, const MacAddress &node = kMn)
	{
		const auto pbu = pbus(core.handle(MnAttached{node, "wlan0"}, now)).at(0);
		from(core, kCmd, accept(pbu));
		return pbu;
	}
};

TEST_F(Maar, StartInstallsLocalExportEntries)
{
	MaarConfig config = test_maar_config(M1);
	config.local_prefixes = {pfx("2001:db8:100::/56"), pfx("2001:db8:101::/56")};
	maar::MaarCore core(config);
	const auto entries = all<InstallEntry>(core.start(now));
	ASSERT_EQ(entries.size(), 2u);
	EXPECT_EQ(entries[0], (InstallEntry{pfx("2001:db8:100::/56"), TunnelRole::local_export, std::nullopt, std::nullopt}));
	EXPECT_TRUE(all<InstallEntry>(maar::MaarCore(test_maar_config(M2)).start(now)).empty());
}

// §4.1 step 2-3: a silent DLIF, then the PBU with every option a MAAR sends.
TEST_F(Maar, AttachmentSendsThePbu)
{
	MaarConfig config = test_maar_config(M2);
	config.local_prefixes = {pfx("2001:db8:200::/56")};
	config.access_technology = mh::AccessTechnologyType::Ieee80211;
	maar::MaarCore core(config);
	const Actions actions = core.handle(MnAttached{kMn, "wlan1"}, now);
	const auto dlifs = all<InstallDlif>(actions);
	ASSERT_EQ(dlifs.size(), 1u);
	EXPECT_EQ(dlifs[0].name, "mn1mar2");
	EXPECT_EQ(dlifs[0].lower, "wlan1");
	EXPECT_FALSE(dlifs[0].advertise);
	EXPECT_TRUE(all<AdvertiseNow>(actions).empty());
	const auto sent = pbus(actions);
	ASSERT_EQ(sent.size(), 1u);
	EXPECT_EQ(all<SendMh>(actions)[0].destination, Network::address(kCmd));
	const auto &pbu = sent[0];
	EXPECT_TRUE(pbu.flags.has(BuFlag::Acknowledge) && pbu.flags.has(BuFlag::ProxyRegistration) &&
		    pbu.flags.has(BuFlag::Dmm));
	EXPECT_EQ(pbu.lifetime.duration(), std::chrono::seconds(400));
	EXPECT_EQ(pbu.options.mobile_node_identifier->text(), mn_id(kMn).nai);
	EXPECT_EQ(pbu.options.home_network_prefixes[0], pref(M2));
	EXPECT_EQ(pbu.options.access_technology_type, mh::AccessTechnologyType::Ieee80211);
	EXPECT_EQ(pbu.options.local_prefixes[0], pfx("2001:db8:200::/56"));
	EXPECT_EQ(pbu.options.dlif_link_local_address, dlifs[0].identity.link_local);
	EXPECT_EQ(all<StartTimer>(actions).at(0).after, Duration(1500));
	// A second RS from the node changes nothing.
	EXPECT_TRUE(pbus(core.handle(MnAttached{kMn, "wlan1"}, now)).empty());
	EXPECT_EQ(core.counters().at("duplicate_attachments"), 1u);
}

TEST_F(Maar, NeverHandsOutItsOwnAddressesPrefix)
{
	MaarConfig config = test_maar_config(M1);
	config.prefix_pool = pfx("2001:db8::/63");	// :0 holds 2001:db8::1 and the CMD
	maar::MaarCore core(config);
	EXPECT_EQ(pbus(core.handle(MnAttached{kMn, "wlan0"}, now)).at(0).options.home_network_prefixes[0],
		  pfx("2001:db8:0:1::/64"));
	// Exhausted: no registration, counted, logged.
	const Actions actions = core.handle(MnAttached{kMn2, "wlan0"}, now);
	EXPECT_TRUE(pbus(actions).empty());
	EXPECT_TRUE(logged(actions, "prefix-pool-exhausted"));
	EXPECT_EQ(core.counters().at("pool_exhausted"), 1u);
}

TEST_F(Maar, AcceptedPbaStartsAdvertisingAndRefreshing)
{
	maar::MaarCore core(test_maar_config(M1));
	const auto pbu = pbus(core.handle(MnAttached{kMn, "wlan0"}, now)).at(0);
	const Actions actions = from(core, kCmd, accept(pbu));
	const auto dlifs = all<InstallDlif>(actions);
	ASSERT_EQ(dlifs.size(), 1u);
	EXPECT_TRUE(dlifs[0].advertise);
	EXPECT_EQ(all<AdvertiseNow>(actions).at(0).dlif, "mn1mar1");
	std::vector<Duration> timers;
	for (const auto &timer : all<StartTimer>(actions))
		timers.push_back(timer.after);
	EXPECT_NE(std::find(timers.begin(), timers.end(), Duration(400000)), timers.end());	// expiry
	EXPECT_NE(std::find(timers.begin(), timers.end(), Duration(320000)), timers.end());	// refresh at 80%
	const auto view = core.session(kMn);
	EXPECT_EQ(view->state, maar::SessionState::serving);
	EXPECT_EQ(view->serving_prefixes, std::vector<Ipv6Prefix>{pref(M1)});
	EXPECT_EQ(core.kernel_state().dlifs.size(), 1u);
}

// R20/A34: a refused registration leaves nothing.
TEST_F(Maar, RefusedRegistrationFreesEverything)
{
	maar::MaarCore core(test_maar_config(M1));
	const auto pbu = pbus(core.handle(MnAttached{kMn, "wlan0"}, now)).at(0);
	auto refusal = accept(pbu);
	refusal.status = Status::AdministrativelyProhibited;
	const Actions actions = from(core, kCmd, refusal);
	EXPECT_EQ(all<RemoveDlif>(actions).at(0).name, "mn1mar1");
	EXPECT_EQ(core.session_count(), 0u);
	EXPECT_EQ(core.counters().at("registration_failures"), 1u);
	// The same prefix is free again (next-fit: after the rest of the pool).
	EXPECT_TRUE(core.kernel_state().dlifs.empty());
}

// R82: a detachment stops refreshing, no de-registration; the lifetime's
// end de-registers and removes the state at once.
TEST_F(Maar, DetachThenExpiry)
{
	maar::MaarCore core(test_maar_config(M1));
	registered(core);
	const Actions detached = core.handle(MnDetached{kMn}, now);
	EXPECT_TRUE(pbus(detached).empty());
	EXPECT_EQ(all<StopTimer>(detached).size(), 1u);	// the refresh
	EXPECT_FALSE(all<InstallDlif>(detached).at(0).advertise);
	EXPECT_FALSE(core.session(kMn)->refresh_at);

	// The expiry timer: find it among the registration's timers.
	maar::MaarCore fresh(test_maar_config(M1));
	const auto pbu = pbus(fresh.handle(MnAttached{kMn, "wlan0"}, now)).at(0);
	const Actions accepted = from(fresh, kCmd, accept(pbu));
	fresh.handle(MnDetached{kMn}, now);
	TimerId expiry = 0;
	for (const auto &timer : all<StartTimer>(accepted))
		if (timer.after == Duration(400000))
			expiry = timer.id;
	now += Duration(400000);
	const Actions expired = fresh.handle(TimerFired{expiry}, now);
	const auto dereg = pbus(expired);
	ASSERT_EQ(dereg.size(), 1u);
	EXPECT_TRUE(dereg[0].lifetime.is_deregistration());
	EXPECT_EQ(all<RemoveDlif>(expired).at(0).name, "mn1mar1");
	EXPECT_EQ(fresh.session(kMn)->state, maar::SessionState::deregistering);
	auto done = accept(dereg[0]);
	done.lifetime = mh::Lifetime::from_units(0);
	from(fresh, kCmd, done);
	EXPECT_EQ(fresh.session_count(), 0u);
	EXPECT_EQ(fresh.counters().at("deregistrations"), 1u);
}

TEST_F(Maar, PreviousMaarPbuRolesAndAnswers)
{
	MaarConfig config = test_maar_config(M1);
	config.local_prefixes = {pfx("2001:db8:100::/56")};
	maar::MaarCore core(config);
	registered(core);
	mh::ProxyBindingUpdate update = make_pbu(40, kMn, pref(M1), HandoffIndicator::HandoffBetweenMags);
	update.options.serving_maar = Network::address(M2);
	const Actions actions = from(core, kCmd, update);
	// R23: the anchor entry first.
	const auto entries = all<InstallEntry>(actions);
	ASSERT_EQ(entries.size(), 1u);
	EXPECT_EQ(entries[0], (InstallEntry{pref(M1), TunnelRole::anchor, Network::address(M2), "mn1mar1"}));
	EXPECT_LT(std::find_if(actions.begin(), actions.end(),
			       [](const Action &a) { return std::holds_alternative<InstallEntry>(a); }) -
			  actions.begin(),
		  std::find_if(actions.begin(), actions.end(),
			       [](const Action &a) { return std::holds_alternative<SendMh>(a); }) -
			  actions.begin());
	const auto answers = pbas(actions);
	ASSERT_EQ(answers.size(), 1u);	// proxy: to the CMD only
	EXPECT_EQ(answers[0].sequence, 40);
	EXPECT_EQ(answers[0].options.serving_maar, Network::address(M2));
	EXPECT_EQ(answers[0].options.local_prefixes[0], pfx("2001:db8:100::/56"));
	EXPECT_EQ(core.session(kMn)->state, maar::SessionState::anchor);
	EXPECT_FALSE(core.session(kMn)->expires_at);	// A: the BCE timer stopped

	// Re-pointing to a newer serving MAAR (R73), in locator mode: a PBA
	// to the serving MAAR too.
	MaarConfig locator = config;
	locator.cmd_mode = CmdMode::locator;
	maar::MaarCore other(locator);
	registered(other);
	from(other, kCmd, update);
	update.sequence = 41;
	update.options.serving_maar = Network::address(M3);
	const Actions repointed = from(other, kCmd, update);
	EXPECT_EQ(all<InstallEntry>(repointed).at(0).peer, Network::address(M3));
	const auto sends = all<SendMh>(repointed);
	ASSERT_EQ(sends.size(), 2u);
	EXPECT_EQ(sends[0].destination, Network::address(M3));
	EXPECT_FALSE(std::get<mh::ProxyBindingAck>(sends[0].message).options.serving_maar);
	EXPECT_EQ(sends[1].destination, Network::address(kCmd));
}

TEST_F(Maar, PbusItMustNotActOn)
{
	maar::MaarCore core(test_maar_config(M1));
	registered(core);
	// About itself (A17).
	auto self = make_pbu(50, kMn, pref(M1));
	self.options.serving_maar = Network::address(M1);
	EXPECT_TRUE(logged(from(core, kCmd, self), "serving-maar-is-self"));
	EXPECT_EQ(core.counters().at("drop_serving_is_self"), 1u);
	// An unknown node: 153.
	auto unknown = make_pbu(51, kMn2, pref(M1));
	unknown.options.serving_maar = Network::address(M2);
	EXPECT_EQ(pbas(from(core, kCmd, unknown)).at(0).status, Status::NotLmaForThisMobileNode);
	// A cleanup for the node it serves: an older session's, ignored.
	auto cleanup = make_pbu(52, kMn, pref(M1), HandoffIndicator::HandoffStateUnknown, 0);
	EXPECT_TRUE(all<SendMh>(from(core, kCmd, cleanup)).empty());
	EXPECT_EQ(core.counters().at("drop_stale_cleanup"), 1u);
	// From another MAAR (004's direct mode is not in this product).
	EXPECT_TRUE(all<SendMh>(from(core, M2, unknown)).empty());
	EXPECT_EQ(core.counters().at("drop_pbu_from_maar"), 1u);
	EXPECT_EQ(core.session(kMn)->state, maar::SessionState::serving);
}

TEST_F(Maar, SequenceResynchronisation)
{
	maar::MaarCore core(test_maar_config(M1));
	const auto pbu = pbus(core.handle(MnAttached{kMn, "wlan0"}, now)).at(0);
	mh::ProxyBindingAck refusal = accept(pbu);
	refusal.status = Status::SequenceNumberOutOfWindow;
	refusal.sequence = 1000;
	const auto again = pbus(from(core, kCmd, refusal));
	ASSERT_EQ(again.size(), 1u);
	EXPECT_EQ(again[0].sequence, 1001);
	from(core, kCmd, accept(again[0]));
	EXPECT_EQ(core.session(kMn)->state, maar::SessionState::serving);
}

TEST_F(Maar, TimestampsFromTheWallClock)
{
	MaarConfig config = test_maar_config(M1);
	config.ordering = Ordering::timestamp;
	maar::MaarCore core(config);
	core.set_wall_clock(now, WallTime{} + std::chrono::seconds(1'700'000'000));
	const auto pbu = pbus(core.handle(MnAttached{kMn, "wlan0"}, now + std::chrono::seconds(5))).at(0);
	ASSERT_TRUE(pbu.options.timestamp);
	EXPECT_EQ(pbu.options.timestamp->seconds(), 1'700'000'005u);
}

TEST_F(Maar, PlainMagMode)
{
	MaarConfig config = test_maar_config(M1);
	config.legacy_mag = true;
	maar::MaarCore core(config);
	const Actions actions = core.handle(MnAttached{kMn, "wlan0"}, now);
	EXPECT_EQ(all<InstallDlif>(actions).at(0).name, "mn1lma");
	const auto pbu = pbus(actions).at(0);
	EXPECT_FALSE(pbu.flags.has(BuFlag::Dmm));
	EXPECT_EQ(pbu.options.home_network_prefixes[0], Ipv6Prefix{});
	EXPECT_FALSE(pbu.options.dlif_link_layer_address);
	mh::ProxyBindingAck answer;
	answer.sequence = pbu.sequence;
	answer.lifetime = pbu.lifetime;
	answer.options.mobile_node_identifier = pbu.options.mobile_node_identifier;
	answer.options.home_network_prefixes.push_back(pfx("2001:db8:f:7::/64"));
	auto with_d = answer;
	with_d.flags.set(BaFlag::Dmm);
	const Actions ignored = from(core, kCmd, with_d);
	EXPECT_TRUE(all<SendMh>(ignored).empty());
	EXPECT_TRUE(logged(ignored, "pba-d-flag-in-mag-mode"));
	EXPECT_EQ(core.session(kMn)->state, maar::SessionState::registering);
	const Actions accepted = from(core, kCmd, answer);
	const auto entries = all<InstallEntry>(accepted);
	ASSERT_EQ(entries.size(), 1u);
	EXPECT_EQ(entries[0], (InstallEntry{pfx("2001:db8:f:7::/64"), TunnelRole::serving, Network::address(kCmd), "mn1lma"}));
	EXPECT_TRUE(core.session(kMn)->legacy);
}

// Alternative B at a previous MAAR: its BCE timer runs with the CMD's
// lifetime; on expiry it asks, and a non-zero answer renews it.
TEST_F(Maar, AlternativeBAtAPreviousMaar)
{
	MaarConfig config = test_maar_config(M1);
	config.deregistration = Deregistration::b;
	maar::MaarCore core(config);
	registered(core);
	auto update = make_pbu(60, kMn, pref(M1), HandoffIndicator::HandoffBetweenMags, 50);
	update.options.serving_maar = Network::address(M2);
	const Actions actions = from(core, kCmd, update);
	TimerId expiry = 0;
	for (const auto &timer : all<StartTimer>(actions))
		if (timer.after == Duration(200000))
			expiry = timer.id;
	ASSERT_NE(expiry, 0u);
	now += Duration(200000);
	const auto ask = pbus(core.handle(TimerFired{expiry}, now));
	ASSERT_EQ(ask.size(), 1u);
	EXPECT_TRUE(ask[0].lifetime.is_deregistration());
	auto renew = accept(ask[0]);
	renew.lifetime = mh::Lifetime::from_units(25);
	const Actions renewed = from(core, kCmd, renew);
	EXPECT_EQ(all<StartTimer>(renewed).at(0).after, Duration(100000));
	EXPECT_EQ(core.session(kMn)->state, maar::SessionState::anchor);
	EXPECT_EQ(core.counters().at("renewals"), 1u);
}

TEST_F(Maar, GarbageNeverThrowsNorActs)
{
	maar::MaarCore core(test_maar_config(M1));
	registered(core);
	EXPECT_TRUE(core.handle(TimerFired{0}, now).empty());
	EXPECT_TRUE(core.handle(TimerFired{~TimerId{0}}, now).empty());
	EXPECT_TRUE(core.handle(MnDetached{kMn2}, now).empty());
	EXPECT_TRUE(all<SendMh>(from(core, kCmd, mh::BindingError{})).empty());
	mh::ProxyBindingAck anonymous;
	const Actions actions = from(core, kCmd, anonymous);
	EXPECT_TRUE(all<SendMh>(actions).empty());
	EXPECT_TRUE(logged(actions, "pba-without-mn-id"));
	EXPECT_EQ(core.counters().at("drop_malformed"), 1u);
	EXPECT_EQ(core.counters().at("internal_errors"), 0u);
}

TEST_F(Maar, ViewsAndJson)
{
	maar::MaarCore core(test_maar_config(M1));
	registered(core);
	const auto views = core.sessions();
	ASSERT_EQ(views.size(), 1u);
	EXPECT_EQ(views[0].mac, kMn);
	EXPECT_EQ(views[0].number, 1u);
	EXPECT_EQ(views[0].dlifs.at(0).name, "mn1mar1");
	EXPECT_EQ(core.session(mn_id(kMn))->mac, kMn);
	const auto json = nlohmann::json::parse(core.sessions_json(now));
	EXPECT_EQ(json.at(0).at("state"), "serving");
	EXPECT_EQ(json.at(0).at("dlifs").at(0).at("identity").at("mac"),
		  derive_dlif_identity(Network::address(M1), mn_id(kMn)).mac.to_string());
	EXPECT_EQ(json.at(0).at("refresh_in_ms"), 320000);
	EXPECT_EQ(nlohmann::json::parse(core.counters_json()).at("registrations"), 1);
}

} // namespace
} // namespace dlif::sim
