// SPDX-License-Identifier: GPL-2.0
//
// The executor against an in-memory kernel: InstallDlif idempotence (a
// second install changes nothing), in-place changes, removal, entries
// not re-installed when unchanged, kernel errors logged and counted, and
// the start-up reconciliation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <set>

#include "executor.hpp"
#include "fixtures.hpp"
#include "reconcile.hpp"

namespace dlif::daemon {
namespace {

using namespace test;

const dmm::TimePoint t0{std::chrono::seconds(100)};

class RecordingSender final : public MhSender {
public:
	void send(const Ipv6Address &destination, const mh::Message &message) override
	{
		sent.emplace_back(destination, message);
	}
	std::vector<std::pair<Ipv6Address, mh::Message>> sent;
};

class ExecutorTest : public testing::Test {
protected:
	ExecutorTest() : log_file_(open_memstream(&log_text_, &log_size_)), log_(log_file_, false), ra_(RaTiming{})
	{
		log_.set_level(dmm::LogLevel::debug);
		executor_ = std::make_unique<Executor>(&kernel_, sender_, timers_, ra_, log_);
		executor_->on_state_changed([this](const std::string &) { ++state_changes_; });
	}
	~ExecutorTest() override
	{
		std::fclose(log_file_);
		std::free(log_text_);
	}

	std::string log() const
	{
		std::fflush(log_file_);
		return std::string(log_text_, log_size_);
	}
	void reset_calls() { kernel_.calls.clear(); }

	char *log_text_ = nullptr;
	std::size_t log_size_ = 0;
	std::FILE *log_file_;
	Logger log_;
	FakeKernel kernel_;
	RecordingSender sender_;
	TimerHeap timers_;
	RaEngine ra_;
	std::unique_ptr<Executor> executor_;
	int state_changes_ = 0;
};

using Calls = std::vector<std::string>;

TEST_F(ExecutorTest, InstallDlifCreatesConfiguresAndStartsAdvertising)
{
	const auto dlif = dlif_install();
	executor_->apply(dmm::Actions{dlif}, t0);
	const std::string ll = dlif.identity.link_local.to_string();
	const std::string gateway = node_gateway(dlif.mn).to_string();
	EXPECT_EQ(kernel_.calls, (Calls{"create mn1mar1", "ipv6 mn1mar1", "up mn1mar1",
					"neigh mn1mar1 " + gateway + " " + dlif.mn.to_string(),
					"route mn1mar1 2001:db8:1:1::/64 via " + gateway, "add mn1mar1 " + ll + "/64",
					"add mn1mar1 2001:db8:1:1::1/64"}));
	EXPECT_EQ(kernel_.routes.at("mn1mar1"), (std::vector<KernelRoute>{{prefix("2001:db8:1:1::/64"),
									     node_gateway(dlif.mn)}}));
	EXPECT_FALSE(kernel_.addrs.at("mn1mar1").back().prefix_route);
	EXPECT_TRUE(kernel_.links.at("mn1mar1").up);
	EXPECT_TRUE(executor_->has_dlif("eth1", dlif.mn));
	EXPECT_FALSE(executor_->has_dlif("eth2", dlif.mn));
	EXPECT_NE(ra_.find("mn1mar1"), nullptr);
	EXPECT_EQ(ra_.next_deadline(), t0);
	EXPECT_EQ(executor_->counters().at("dlifs_created"), 1u);
	EXPECT_NE(log().find("event=dlif.created dlif=mn1mar1"), std::string::npos);
}

TEST_F(ExecutorTest, InstallDlifTwiceChangesNothingTheSecondTime)
{
	executor_->apply(dmm::Actions{dlif_install()}, t0);
	reset_calls();
	executor_->apply(dmm::Actions{dlif_install()}, t0 + 1s);
	// Nothing is written again, the IPv6 settings neither (the link
	// says they are set).
	EXPECT_EQ(kernel_.calls, Calls{});
	EXPECT_NE(log().find("event=dlif.unchanged"), std::string::npos);
}

TEST_F(ExecutorTest, ADlifWhoseIpv6SettingsChangedIsConfiguredAgain)
{
	executor_->apply(dmm::Actions{dlif_install()}, t0);
	kernel_.links.at("mn1mar1").ipv6_router = false;	// forwarding turned off by hand
	reset_calls();
	executor_->apply(dmm::Actions{dlif_install()}, t0 + 1s);
	EXPECT_EQ(kernel_.calls, Calls{"ipv6 mn1mar1"});
}

TEST_F(ExecutorTest, AnExistingDlifOfAPreviousRunIsAdoptedNotRecreated)
{
	const auto dlif = dlif_install();
	executor_->apply(dmm::Actions{dlif}, t0);
	// A new daemon (executor) finds the same DLIF; its node has a new
	// prefix in the wanted state.
	Executor fresh(&kernel_, sender_, timers_, ra_, log_);
	reset_calls();
	dmm::InstallDlif moved = dlif;
	moved.prefixes = {prefix("2001:db8:1:9::/64")};
	fresh.apply(dmm::Actions{moved}, t0);
	const std::string gateway = node_gateway(dlif.mn).to_string();
	EXPECT_EQ(kernel_.calls, (Calls{"neigh mn1mar1 " + gateway + " " + dlif.mn.to_string(),
					"route mn1mar1 2001:db8:1:9::/64 via " + gateway,
					"route del mn1mar1 2001:db8:1:1::/64", "del mn1mar1 2001:db8:1:1::1/64",
					"add mn1mar1 2001:db8:1:9::1/64"}));
	EXPECT_EQ(kernel_.routes.at("mn1mar1"), (std::vector<KernelRoute>{{prefix("2001:db8:1:9::/64"),
									     node_gateway(dlif.mn)}}));
}

// A route to the prefix left with another node's gateway (dlifd stopped
// between changing the DLIF's node and its routes): when the address is
// added again, the route is replaced, not kept because one exists.
TEST_F(ExecutorTest, ARouteLeftWithAnotherGatewayIsCorrected)
{
	const auto dlif = dlif_install();
	executor_->apply(dmm::Actions{dlif}, t0);
	const KernelRoute stale{prefix("2001:db8:1:1::/64"), node_gateway(mac("02:00:00:00:00:42"))};
	kernel_.routes["mn1mar1"] = {stale};
	std::erase_if(kernel_.addrs["mn1mar1"], [](const KernelAddress &a) { return !a.prefix_route; });
	Executor fresh(&kernel_, sender_, timers_, ra_, log_);
	fresh.apply(dmm::Actions{dlif}, t0);
	EXPECT_EQ(kernel_.routes.at("mn1mar1"),
		  (std::vector<KernelRoute>{{prefix("2001:db8:1:1::/64"), node_gateway(dlif.mn)}}));
}

TEST_F(ExecutorTest, ANodeChangeIsAnInPlaceUpdate)
{
	executor_->apply(dmm::Actions{dlif_install()}, t0);
	reset_calls();
	executor_->apply(dmm::Actions{dlif_install("mn1mar1", "02:00:00:00:00:42")}, t0);
	const std::string gateway = node_gateway(mac("02:00:00:00:00:42")).to_string();
	EXPECT_EQ(kernel_.calls, (Calls{"update mn1mar1", "neigh mn1mar1 " + gateway + " 02:00:00:00:00:42",
					"neigh del mn1mar1 " + node_gateway(mac("02:00:00:00:00:01")).to_string(),
					"route mn1mar1 2001:db8:1:1::/64 via " + gateway}));
	EXPECT_EQ(kernel_.neighbours.at("mn1mar1"),
		  (std::vector<KernelNeighbour>{{node_gateway(mac("02:00:00:00:00:42")), mac("02:00:00:00:00:42")}}));
	EXPECT_EQ(kernel_.links.at("mn1mar1").mn, mac("02:00:00:00:00:42"));
	EXPECT_FALSE(executor_->has_dlif("eth1", mac("02:00:00:00:00:01")));
	EXPECT_TRUE(executor_->has_dlif("eth1", mac("02:00:00:00:00:42")));
}

TEST_F(ExecutorTest, RemoveDlifStopsAdvertisingAndDeletes)
{
	executor_->apply(dmm::Actions{dlif_install(), dmm::RemoveDlif{"mn1mar1"}}, t0);
	EXPECT_FALSE(kernel_.links.contains("mn1mar1"));
	EXPECT_EQ(ra_.find("mn1mar1"), nullptr);
	EXPECT_FALSE(executor_->has_dlif("eth1", mac("02:00:00:00:00:01")));
	// Removing what is already gone is not an error.
	executor_->apply(dmm::Actions{dmm::RemoveDlif{"mn1mar1"}}, t0);
	EXPECT_EQ(executor_->counters().count("netlink_errors"), 0u);
}

// RFC 4861 §6.2.5: the daemon says farewell on an advertising DLIF, before
// the kernel deletes it; a silent one (its node is elsewhere) goes quietly.
TEST_F(ExecutorTest, AnAdvertisingDlifSaysFarewellBeforeItGoes)
{
	std::vector<std::string> farewells;
	executor_->on_farewell([&](const dmm::InstallDlif &dlif) {
		farewells.push_back(dlif.name + (kernel_.links.contains(dlif.name) ? " present" : " gone"));
		EXPECT_EQ(dlif.ra.router_lifetime, 1800s);	// what it advertised
	});
	auto silent = dlif_install("mn2mar1", "02:00:00:00:00:02");
	silent.advertise = false;
	executor_->apply(dmm::Actions{dlif_install(), silent, dmm::RemoveDlif{"mn1mar1"}, dmm::RemoveDlif{"mn2mar1"}},
			 t0);
	EXPECT_EQ(farewells, std::vector<std::string>{"mn1mar1 present"});
	EXPECT_FALSE(kernel_.links.contains("mn1mar1"));
	EXPECT_FALSE(kernel_.links.contains("mn2mar1"));
	executor_->apply(dmm::Actions{dmm::RemoveDlif{"mn1mar1"}}, t0);
	EXPECT_EQ(farewells.size(), 1u);
}

// defer_departures: a previous MAAR's answer (sent at the end of the
// daemon's iteration) does not wait for the netdevices of the node that
// left; they go after it, or before the next batch.
TEST_F(ExecutorTest, ADepartureWaitsForTheAnswerUnlessTheBatchNamesItAgain)
{
	executor_->defer_departures(true);
	const dmm::InstallEntry anchor{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"),
				       "mn1mar1"};
	executor_->apply(dmm::Actions{dlif_install("mn1mar1"), dlif_install("mn1mar2"), anchor}, t0);
	dmm::InstallEntry repointed = anchor;
	repointed.peer = address("2001:db8::3");
	mh::ProxyBindingAck pba;
	reset_calls();
	executor_->apply(dmm::Actions{repointed, dmm::RemoveDlif{"mn1mar2"}, dmm::SendMh{address("2001:db8::3"), pba},
				      dmm::RemoveEntry{prefix("2001:db8:100::/56")}},
			 t0);
	EXPECT_EQ(kernel_.calls, (Calls{"entry 2001:db8:1:1::/64", "unentry 2001:db8:100::/56"}));
	EXPECT_EQ(sender_.sent.size(), 1u);
	EXPECT_TRUE(kernel_.links.contains("mn1mar2"));
	EXPECT_EQ(executor_->pending_departures(), 1u);
	executor_->finish_departures(t0);
	EXPECT_FALSE(kernel_.links.contains("mn1mar2"));
	EXPECT_EQ(ra_.find("mn1mar2"), nullptr);
	EXPECT_EQ(executor_->pending_departures(), 0u);
	EXPECT_TRUE(kernel_.links.contains("mn1mar1"));

	// Named again later in the batch: removed in its place, as before.
	executor_->apply(dmm::Actions{dlif_install("mn1mar2")}, t0);
	reset_calls();
	executor_->apply(dmm::Actions{dmm::RemoveDlif{"mn1mar2"}, dlif_install("mn1mar2", "02:00:00:00:00:02")}, t0);
	ASSERT_FALSE(kernel_.calls.empty());
	EXPECT_EQ(kernel_.calls.front(), "delete mn1mar2");
	EXPECT_TRUE(kernel_.links.contains("mn1mar2"));
	EXPECT_EQ(executor_->pending_departures(), 0u);

	// Left pending, it goes before the next batch, whatever that holds.
	executor_->apply(dmm::Actions{dmm::RemoveDlif{"mn1mar2"}}, t0);
	EXPECT_TRUE(kernel_.links.contains("mn1mar2"));
	reset_calls();
	executor_->apply(dmm::Actions{dlif_install("mn1mar2")}, t0);
	ASSERT_FALSE(kernel_.calls.empty());
	EXPECT_EQ(kernel_.calls.front(), "delete mn1mar2");
	EXPECT_TRUE(kernel_.links.contains("mn1mar2"));
	EXPECT_EQ(executor_->dlifs().at("mn1mar2").mn, mac("02:00:00:00:00:01"));

	// A refused deletion is retried like any other.
	kernel_.set_failure("delete", EBUSY);
	executor_->apply(dmm::Actions{dmm::RemoveDlif{"mn1mar2"}}, t0);
	executor_->finish_departures(t0);
	EXPECT_TRUE(kernel_.links.contains("mn1mar2"));
	EXPECT_EQ(executor_->pending_retries(), 1u);
	kernel_.failures.clear();
	executor_->retry_due(t0 + Executor::kFirstRetry);
	EXPECT_FALSE(kernel_.links.contains("mn1mar2"));
}

TEST_F(ExecutorTest, EntriesAreReplacedOnlyWhenTheyChange)
{
	const dmm::InstallEntry entry{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"),
				      "mn1mar1"};
	executor_->apply(dmm::Actions{dlif_install(), entry}, t0);
	reset_calls();
	executor_->apply(dmm::Actions{entry}, t0);
	EXPECT_EQ(kernel_.calls, Calls{});
	dmm::InstallEntry moved = entry;
	moved.peer = address("2001:db8::3");
	executor_->apply(dmm::Actions{moved}, t0);
	EXPECT_EQ(kernel_.calls, Calls{"entry 2001:db8:1:1::/64"});
	EXPECT_EQ(kernel_.table.at(0).peer, address("2001:db8::3"));
	executor_->apply(dmm::Actions{dmm::RemoveEntry{prefix("2001:db8:1:1::/64")}}, t0);
	EXPECT_TRUE(kernel_.table.empty());
	EXPECT_TRUE(executor_->entries().empty());
}

// A DLIF's removal forgets the entries naming it (the kernel deletes them
// with it), and only those: not one since moved to another DLIF, nor one
// naming none.
TEST_F(ExecutorTest, RemovingADlifForgetsTheEntriesNamingItOnly)
{
	const dmm::InstallEntry first{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"),
				      "mn1mar1"};
	const dmm::InstallEntry second{prefix("2001:db8:1:2::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"),
				       "mn1mar1"};
	const dmm::InstallEntry shared{prefix("2001:db8:100::/56"), dmm::TunnelRole::local_net, address("2001:db8::3"),
				       std::nullopt};
	executor_->apply(dmm::Actions{dlif_install(), dlif_install("mn1mar2"), first, second, shared}, t0);
	dmm::InstallEntry moved = second;
	moved.dlif = "mn1mar2";
	executor_->apply(dmm::Actions{moved, dmm::RemoveDlif{"mn1mar1"}}, t0);
	EXPECT_FALSE(executor_->entries().contains("2001:db8:1:1::/64"));
	ASSERT_TRUE(executor_->entries().contains("2001:db8:1:2::/64"));
	EXPECT_EQ(executor_->entries().at("2001:db8:1:2::/64").dlif, "mn1mar2");
	EXPECT_TRUE(executor_->entries().contains("2001:db8:100::/56"));
	EXPECT_EQ(executor_->entry_keys_of("mn1mar2"), std::set<std::string>{"2001:db8:1:2::/64"});
	EXPECT_EQ(executor_->dlifs_of(mac("02:00:00:00:00:01")), std::set<std::string>{"mn1mar2"});
	executor_->apply(dmm::Actions{dmm::RemoveDlif{"mn1mar2"}}, t0);
	EXPECT_FALSE(executor_->entries().contains("2001:db8:1:2::/64"));
	EXPECT_EQ(executor_->entries().size(), 1u);
	EXPECT_TRUE(executor_->entry_keys_of("mn1mar2").empty());
	EXPECT_TRUE(executor_->dlifs_of(mac("02:00:00:00:00:01")).empty());
}

// The DLIFs shown to a node follow in-place changes of the node.
TEST_F(ExecutorTest, DlifsOfANodeFollowItsChanges)
{
	executor_->apply(dmm::Actions{dlif_install("mn1mar1"), dlif_install("mn1mar2"),
				      dlif_install("mn2mar1", "02:00:00:00:00:02")},
			 t0);
	EXPECT_EQ(executor_->dlifs_of(mac("02:00:00:00:00:01")), (std::set<std::string>{"mn1mar1", "mn1mar2"}));
	executor_->apply(dmm::Actions{dlif_install("mn1mar2", "02:00:00:00:00:02")}, t0);
	EXPECT_EQ(executor_->dlifs_of(mac("02:00:00:00:00:01")), std::set<std::string>{"mn1mar1"});
	EXPECT_EQ(executor_->dlifs_of(mac("02:00:00:00:00:02")), (std::set<std::string>{"mn1mar2", "mn2mar1"}));
}

TEST_F(ExecutorTest, KernelErrorsAreLoggedWithTheKernelsWordsAndCounted)
{
	kernel_.set_failure("create", EADDRINUSE);
	executor_->apply(dmm::Actions{dlif_install()}, t0);
	EXPECT_EQ(executor_->counters().at("netlink_errors"), 1u);
	EXPECT_NE(log().find("level=error event=dlif.create.failed dlif=mn1mar1 lower=eth1 mn=02:00:00:00:00:01 "
			     "error=\"fake failure of create mn1mar1\" errno=98"),
		  std::string::npos)
		<< log();
	EXPECT_EQ(ra_.find("mn1mar1"), nullptr);
	kernel_.failures.clear();
	kernel_.set_failure("entry", EINVAL);
	executor_->apply(dmm::Actions{dmm::InstallEntry{prefix("2001:db8::/64"), dmm::TunnelRole::serving,
							address("2001:db8::2"), std::nullopt}},
			 t0);
	EXPECT_EQ(executor_->counters().at("netlink_errors"), 2u);
	EXPECT_TRUE(executor_->entries().empty());
}

// What the kernel refused is tried again, 1 s, then 2, 4, ... apart, and
// counted and logged when it finally goes in.
TEST_F(ExecutorTest, RefusedKernelActionsAreRetriedWithBackoff)
{
	using namespace std::chrono_literals;
	kernel_.set_failure("create", ENOMEM);
	kernel_.set_failure("entry", ENODEV);	// as the kernel answers for a missing DLIF
	const dmm::InstallEntry entry{prefix("2001:db8:1::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"),
				      std::string("mn1mar1")};
	executor_->apply(dmm::Actions{dlif_install(), entry}, t0);
	EXPECT_EQ(executor_->pending_retries(), 2u);
	EXPECT_EQ(executor_->next_retry(), t0 + 1s);
	reset_calls();
	executor_->retry_due(t0 + 999ms);
	EXPECT_TRUE(kernel_.calls.empty());
	executor_->retry_due(t0 + 1s);			// fails again: next in 2 s
	EXPECT_EQ(executor_->next_retry(), t0 + 3s);
	EXPECT_EQ(executor_->counters().at("kernel_retries"), 2u);
	kernel_.failures.clear();
	executor_->retry_due(t0 + 3s);
	EXPECT_EQ(executor_->pending_retries(), 0u);
	EXPECT_FALSE(executor_->next_retry());
	EXPECT_TRUE(kernel_.links.contains("mn1mar1"));
	ASSERT_EQ(kernel_.table.size(), 1u);
	EXPECT_EQ(executor_->counters().at("kernel_retries_succeeded"), 2u);
	EXPECT_NE(log().find("event=kernel.retry.succeeded object=\"dlif mn1mar1\" attempts=3"), std::string::npos)
		<< log();
	EXPECT_NE(ra_.find("mn1mar1"), nullptr);
}

TEST_F(ExecutorTest, BackoffStopsGrowingAtAMinute)
{
	using namespace std::chrono_literals;
	kernel_.set_failure("entry", ENOBUFS);
	executor_->apply(dmm::Actions{dmm::InstallEntry{prefix("2001:db8:1::/64"), dmm::TunnelRole::local_net,
							address("2001:db8::2"), std::nullopt}},
			 t0);
	dmm::TimePoint now = t0;
	std::vector<dmm::Duration> gaps;
	for (int i = 0; i < 9; ++i) {
		const auto next = *executor_->next_retry();
		gaps.push_back(std::chrono::duration_cast<dmm::Duration>(next - now));
		now = next;
		executor_->retry_due(now);
	}
	EXPECT_EQ(gaps, (std::vector<dmm::Duration>{1s, 2s, 4s, 8s, 16s, 32s, 60s, 60s, 60s}));
}

TEST_F(ExecutorTest, ANewerActionReplacesAPendingRetry)
{
	using namespace std::chrono_literals;
	kernel_.set_failure("create", ENOMEM);
	kernel_.set_failure("entry", ENODEV);
	executor_->apply(dmm::Actions{dlif_install()}, t0);
	const dmm::InstallEntry entry{prefix("2001:db8:1::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"),
				      std::string("mn1mar1")};
	executor_->apply(dmm::Actions{entry}, t0);
	EXPECT_EQ(executor_->pending_retries(), 2u);
	// The core gives the node up: the DLIF's removal replaces its install,
	// and the entry naming it is dropped at its turn instead of retried.
	executor_->apply(dmm::Actions{dmm::RemoveDlif{"mn1mar1"}}, t0 + 10ms);
	EXPECT_EQ(executor_->pending_retries(), 1u);
	kernel_.failures.clear();
	reset_calls();
	executor_->retry_due(t0 + 1s);
	EXPECT_EQ(executor_->pending_retries(), 0u);
	EXPECT_TRUE(kernel_.calls.empty());
	EXPECT_FALSE(kernel_.links.contains("mn1mar1"));
}

TEST_F(ExecutorTest, ANonDlifLinkWithTheNameIsNotTouched)
{
	KernelLink dummy;
	dummy.name = "mn1mar1";
	dummy.kind = "dummy";
	kernel_.add_link(dummy);
	executor_->apply(dmm::Actions{dlif_install()}, t0);
	EXPECT_EQ(kernel_.calls, Calls{});
	EXPECT_EQ(executor_->counters().at("dlif_conflicts"), 1u);
}

TEST_F(ExecutorTest, TimersMessagesStateAndLogs)
{
	mh::ProxyBindingUpdate pbu;
	pbu.sequence = 9;
	executor_->apply(dmm::Actions{dmm::StartTimer{1, 5s}, dmm::StartTimer{2, 1s}, dmm::StopTimer{2},
				      dmm::SendMh{address("2001:db8::100"), pbu}, dmm::StateChanged{},
				      dmm::Log{dmm::LogLevel::notice, "core.said", {{"k", "v"}}}},
			 t0);
	EXPECT_EQ(timers_.deadline(1), t0 + 5s);
	EXPECT_FALSE(timers_.running(2));
	ASSERT_EQ(sender_.sent.size(), 1u);
	EXPECT_EQ(sender_.sent[0].first, address("2001:db8::100"));
	EXPECT_EQ(state_changes_, 1);
	EXPECT_NE(log().find("level=notice event=core.said k=v"), std::string::npos);
}

TEST_F(ExecutorTest, NoKernelForTheRoleIsAnErrorNotACrash)
{
	Executor without(nullptr, sender_, timers_, ra_, log_);
	without.apply(dmm::Actions{dlif_install(), dmm::InstallEntry{prefix("2001:db8::/64"), dmm::TunnelRole::anchor,
								    address("2001:db8::2"), "mn1mar1"}},
		      t0);
	EXPECT_EQ(without.counters().at("kernel_unavailable"), 2u);
}

// A restart re-installs its DLIFs from the reconciliation's dumps (links,
// addresses): no lookup per DLIF. A DLIF the dumps do not have (new), or
// installed a second time, is asked of the kernel.
TEST_F(ExecutorTest, ReconcileInstallsTheKeptDlifsFromItsDumps)
{
	const auto kept = dlif_install("mn1mar1");
	executor_->apply(dmm::Actions{kept}, t0);
	Executor restarted(&kernel_, sender_, timers_, ra_, log_);
	reset_calls();
	kernel_.set_failure("get link", EIO);
	Scope scope;
	scope.lowers = {"eth1"};
	restarted.reconcile(dmm::Actions{kept}, scope, t0 + 10s);
	EXPECT_EQ(kernel_.calls, Calls{});
	EXPECT_EQ(restarted.counters().count("netlink_errors"), 0u);
	EXPECT_TRUE(restarted.has_dlif("eth1", kept.mn));

	// Not in the dumps: looked up (and here the lookup fails).
	const auto added = dlif_install("mn2mar1", "02:00:00:00:00:02");
	restarted.reconcile(dmm::Actions{kept, added}, scope, t0 + 20s);
	EXPECT_EQ(restarted.counters().at("netlink_errors"), 1u);
	EXPECT_NE(log().find("event=dlif.lookup.failed dlif=mn2mar1"), std::string::npos);

	// The dumps serve one install of a DLIF: a second sees what the first
	// changed (moved away from the dumped prefix, and back).
	kernel_.failures.clear();
	dmm::InstallDlif moved = kept;
	moved.prefixes = {prefix("2001:db8:1:9::/64")};
	restarted.reconcile(dmm::Actions{moved, kept}, scope, t0 + 30s);
	EXPECT_EQ(kernel_.routes.at("mn1mar1"),
		  (std::vector<KernelRoute>{{prefix("2001:db8:1:1::/64"), node_gateway(kept.mn)}}));
}

TEST_F(ExecutorTest, ReconcileKeepsWhatTheRestoredStateOwnsAndRemovesTheRest)
{
	// What a previous run left: two DLIFs and their entries.
	const auto kept = dlif_install("mn1mar1");
	const auto stale = dlif_install("mn2mar1", "02:00:00:00:00:02");
	const dmm::InstallEntry kept_entry{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"),
					   "mn1mar1"};
	const dmm::InstallEntry stale_entry{prefix("2001:db8:1:2::/64"), dmm::TunnelRole::anchor,
					    address("2001:db8::2"), "mn2mar1"};
	executor_->apply(dmm::Actions{kept, stale, kept_entry, stale_entry}, t0);

	// The restarted daemon's core re-issues only mn1mar1 and its entry.
	Executor restarted(&kernel_, sender_, timers_, ra_, log_);
	reset_calls();
	Scope scope;
	scope.lowers = {"eth1"};
	scope.peers = {address("2001:db8::2")};
	const auto plan = restarted.reconcile(dmm::Actions{kept, kept_entry}, scope, t0 + 10s);
	EXPECT_EQ(plan.keep_dlifs, std::vector<std::string>{"mn1mar1"});
	EXPECT_EQ(plan.remove_dlifs, std::vector<std::string>{"mn2mar1"});
	// Kept as they are: no create, no entry replacement, no address change.
	EXPECT_EQ(kernel_.calls, (Calls{"unentry 2001:db8:1:2::/64", "delete mn2mar1"}));
	EXPECT_TRUE(kernel_.links.contains("mn1mar1"));
	EXPECT_EQ(kernel_.table.size(), 1u);
	EXPECT_EQ(restarted.dlifs().size(), 1u);
	EXPECT_EQ(restarted.entries().size(), 1u);
	EXPECT_NE(log().find("event=reconcile.done dlifs_kept=1 dlifs_created=0 dlifs_removed=1 entries_kept=1"),
		  std::string::npos);
}

// What changed behind the daemon's back is put back; what did not change
// is not touched (no entry replaced: that would reset its counters).
TEST_F(ExecutorTest, RepairPutsBackWhatChangedBehindItsBackAndNothingElse)
{
	const auto first = dlif_install("mn1mar1");
	const auto second = dlif_install("mn2mar1", "02:00:00:00:00:02");
	const dmm::InstallEntry first_entry{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::anchor,
					    address("2001:db8::2"), "mn1mar1"};
	const dmm::InstallEntry second_entry{prefix("2001:db8:1:2::/64"), dmm::TunnelRole::anchor,
					     address("2001:db8::2"), "mn2mar1"};
	executor_->apply(dmm::Actions{first, second, first_entry, second_entry}, t0);
	Scope scope;
	scope.lowers = {"eth1"};
	scope.peers = {address("2001:db8::2"), address("2001:db8::3")};

	reset_calls();
	EXPECT_EQ(executor_->repair(scope, t0 + 30s), 0u);
	EXPECT_EQ(kernel_.calls, Calls{});
	EXPECT_FALSE(executor_->counters().contains("repairs"));

	// An operator deletes a DLIF (its entry goes with it), re-points the
	// other entry, and adds an entry towards a domain node.
	kernel_.links.erase("mn2mar1");
	std::erase_if(kernel_.table, [](const KernelEntry &e) { return e.dlif == "mn2mar1"; });
	kernel_.table.at(0).peer = address("2001:db8::3");
	kernel_.table.push_back(KernelEntry{prefix("2001:db8:9::/64"), dmm::TunnelRole::anchor, address("2001:db8::3"),
					    std::nullopt, std::nullopt});
	reset_calls();
	EXPECT_EQ(executor_->repair(scope, t0 + 60s), 4u);
	const std::string gateway = node_gateway(second.mn).to_string();
	EXPECT_EQ(kernel_.calls, (Calls{"unentry 2001:db8:9::/64", "create mn2mar1", "ipv6 mn2mar1", "up mn2mar1",
					"neigh mn2mar1 " + gateway + " " + second.mn.to_string(),
					"route mn2mar1 2001:db8:1:1::/64 via " + gateway,
					"add mn2mar1 " + second.identity.link_local.to_string() + "/64",
					"add mn2mar1 2001:db8:1:1::1/64", "entry 2001:db8:1:1::/64",
					"entry 2001:db8:1:2::/64"}));
	ASSERT_EQ(kernel_.table.size(), 2u);
	for (const auto &entry : kernel_.table)
		EXPECT_EQ(entry.peer, address("2001:db8::2")) << entry.prefix.to_string();
	EXPECT_EQ(executor_->counters().at("repairs"), 4u);
	EXPECT_NE(log().find("event=repair.dlif dlif=mn2mar1 found=missing"), std::string::npos);
	EXPECT_NE(log().find("event=repair.entry prefix=2001:db8:1:1::/64 found=changed"), std::string::npos);
	EXPECT_NE(log().find("event=repair.entry.removed prefix=2001:db8:9::/64"), std::string::npos);

	// Repaired: the next run finds nothing.
	reset_calls();
	EXPECT_EQ(executor_->repair(scope, t0 + 90s), 0u);
	EXPECT_EQ(kernel_.calls, Calls{});
}

TEST_F(ExecutorTest, RepairThatCannotDumpChangesNothing)
{
	executor_->apply(dmm::Actions{dlif_install()}, t0);
	kernel_.links.clear();
	kernel_.set_failure("dump", EPERM);
	reset_calls();
	EXPECT_EQ(executor_->repair(Scope{}, t0 + 30s), 0u);
	EXPECT_NE(log().find("event=repair.dump.failed"), std::string::npos);
}

// [maar] shared_dlifs: the same installs, on one netdevice per (access
// interface, anchoring MAAR).
class SharedExecutorTest : public ExecutorTest {
protected:
	SharedExecutorTest() { executor_->share_dlifs(); }

	// Node N (02:00:00:00:00:0N) with prefix 2001:db8:1:N::/64 of the
	// MAAR 2001:db8::1, seen as its own router.
	static dmm::InstallDlif node(int n)
	{
		const std::string digit = std::to_string(n);
		auto dlif = dlif_install(("mn" + digit + "mar1").c_str(), ("02:00:00:00:00:0" + digit).c_str());
		dlif.identity = dmm::derive_dlif_identity(dlif.anchoring_maar, dmm::MnId{"mn" + digit + "@dlif.example"});
		dlif.prefixes = {prefix(("2001:db8:1:" + digit + "::/64").c_str())};
		dlif.ra.prefixes = {{dlif.prefixes[0], 3600s, 1800s}};
		return dlif;
	}
	const KernelEntry *kernel_entry(const char *prefix_text) const
	{
		for (const auto &entry : kernel_.table)
			if (entry.prefix == prefix(prefix_text))
				return &entry;
		return nullptr;
	}
};

TEST_F(SharedExecutorTest, NodesOfOneMaarShareOneNetdevice)
{
	const auto one = node(1);
	const auto two = node(2);
	executor_->apply(dmm::Actions{one, two}, t0);
	const SharedPlaceholder placeholder = shared_placeholder(one.anchoring_maar);
	const std::string gw1 = node_gateway(one.mn).to_string();
	const std::string gw2 = node_gateway(two.mn).to_string();
	EXPECT_EQ(kernel_.calls,
		  (Calls{"create dls0", "ipv6 dls0", "up dls0", "bind dls0 " + one.mn.to_string(),
			 "neigh dls0 " + gw1 + " " + one.mn.to_string(), "route dls0 2001:db8:1:1::/64 via " + gw1,
			 "entry 2001:db8:1:1::/64", "bind dls0 " + two.mn.to_string(),
			 "neigh dls0 " + gw2 + " " + two.mn.to_string(), "route dls0 2001:db8:1:2::/64 via " + gw2,
			 "entry 2001:db8:1:2::/64"}));
	// The netdevice's own node and MAC are placeholders; no address on it.
	EXPECT_EQ(kernel_.links.at("dls0").mn, placeholder.mn);
	EXPECT_EQ(kernel_.links.at("dls0").mac, placeholder.router);
	EXPECT_TRUE(kernel_.addrs["dls0"].empty());
	EXPECT_EQ(kernel_.binding_table.at("dls0"),
		  (std::vector<KernelBinding>{{one.mn, one.identity.mac, one.identity.link_local},
					      {two.mn, two.identity.mac, two.identity.link_local}}));
	// Each prefix's entry names its node.
	ASSERT_NE(kernel_entry("2001:db8:1:2::/64"), nullptr);
	EXPECT_EQ(*kernel_entry("2001:db8:1:2::/64"),
		  (KernelEntry{prefix("2001:db8:1:2::/64"), dmm::TunnelRole::attached, std::nullopt, "dls0", two.mn}));
	// Frames for a DLIF go to its node on the netdevice.
	const auto link = executor_->link_of("mn2mar1");
	ASSERT_TRUE(link);
	EXPECT_EQ(link->device, "dls0");
	EXPECT_EQ(link->node, two.mn);
	EXPECT_TRUE(executor_->is_shared_device("dls0"));
	EXPECT_EQ(executor_->node_at("dls0", address("2001:db8:1:2::99")), two.mn);
	EXPECT_EQ(executor_->node_at("dls0", address("2001:db8:1:7::99")), std::nullopt);
	EXPECT_EQ(executor_->node_at("dls9", address("2001:db8:1:2::99")), std::nullopt);
	EXPECT_TRUE(executor_->has_dlif("eth1", two.mn));

	// Another anchoring MAAR: another netdevice.
	auto other = node(3);
	other.anchoring_maar = address("2001:db8::2");
	executor_->apply(dmm::Actions{other}, t0);
	EXPECT_EQ(executor_->link_of("mn3mar1")->device, "dls1");

	// Installed again unchanged: nothing in the kernel.
	reset_calls();
	executor_->apply(dmm::Actions{one, two}, t0 + 1s);
	EXPECT_EQ(kernel_.calls, (Calls{"neigh dls0 " + gw1 + " " + one.mn.to_string(),
					"neigh dls0 " + gw2 + " " + two.mn.to_string()}));
}

TEST_F(SharedExecutorTest, ACoreEntryReplacesTheAttachedOneAndGivesItBack)
{
	const auto one = node(1);
	const dmm::InstallEntry anchor{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"),
				       "mn1mar1"};
	executor_->apply(dmm::Actions{one, anchor}, t0);
	EXPECT_EQ(*kernel_entry("2001:db8:1:1::/64"), (KernelEntry{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::anchor,
								    address("2001:db8::2"), "dls0", one.mn}));
	// The node is back: the anchor entry goes, the prefix stays the node's.
	reset_calls();
	executor_->apply(dmm::Actions{dmm::RemoveEntry{anchor.prefix}}, t0 + 1s);
	EXPECT_EQ(kernel_.calls, Calls{"entry 2001:db8:1:1::/64"});
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64")->role, dmm::TunnelRole::attached);
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64")->mn, one.mn);

	// A prefix the DLIF no longer has loses its route and attached entry.
	auto moved = one;
	moved.prefixes = {prefix("2001:db8:1:9::/64")};
	reset_calls();
	executor_->apply(dmm::Actions{moved}, t0 + 2s);
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64"), nullptr);
	ASSERT_NE(kernel_entry("2001:db8:1:9::/64"), nullptr);
	EXPECT_EQ(kernel_.routes.at("dls0"),
		  (std::vector<KernelRoute>{{prefix("2001:db8:1:9::/64"), node_gateway(one.mn)}}));
}

// A node arriving with a prefix the core serves: its DLIF, then the
// core's entry, set once (no attached entry first). Leaving: the core
// removes its entries, then its DLIF; the binding's removal takes the
// entries, no attached entry in between.
TEST_F(SharedExecutorTest, ANodesEntriesAreSetOnceAndGoWithItsBinding)
{
	const auto one = node(1);
	const auto two = node(2);
	const dmm::InstallEntry serving{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::serving, address("2001:db8::2"),
					"mn1mar1"};
	reset_calls();
	executor_->apply(dmm::Actions{one, two, serving}, t0);
	EXPECT_EQ(std::count(kernel_.calls.begin(), kernel_.calls.end(), "entry 2001:db8:1:1::/64"), 1);
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64")->role, dmm::TunnelRole::serving);
	EXPECT_EQ(kernel_entry("2001:db8:1:2::/64")->role, dmm::TunnelRole::attached);
	reset_calls();
	executor_->apply(dmm::Actions{dmm::RemoveEntry{serving.prefix}, dmm::RemoveDlif{"mn1mar1"}}, t0 + 1s);
	const std::string gw1 = node_gateway(one.mn).to_string();
	EXPECT_EQ(kernel_.calls, (Calls{"route del dls0 2001:db8:1:1::/64", "neigh del dls0 " + gw1,
					"unbind dls0 " + one.mn.to_string()}));
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64"), nullptr);
	EXPECT_FALSE(executor_->entries().contains("2001:db8:1:1::/64"));
	EXPECT_NE(kernel_entry("2001:db8:1:2::/64"), nullptr);

	// The binding's removal refused: the entry stays with it until the
	// retry; the node's return before then attaches its prefix again.
	executor_->apply(dmm::Actions{one, serving}, t0 + 2s);
	kernel_.set_failure("unbind", EBUSY);
	executor_->apply(dmm::Actions{dmm::RemoveEntry{serving.prefix}, dmm::RemoveDlif{"mn1mar1"}}, t0 + 3s);
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64")->role, dmm::TunnelRole::serving);
	kernel_.failures.clear();
	reset_calls();
	executor_->apply(dmm::Actions{one}, t0 + 4s);
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64")->role, dmm::TunnelRole::attached);
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64")->mn, one.mn);

	// Alone, a RemoveEntry still hands the prefix back to its DLIF.
	executor_->apply(dmm::Actions{serving}, t0 + 5s);
	executor_->apply(dmm::Actions{dmm::RemoveEntry{serving.prefix}}, t0 + 6s);
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64")->role, dmm::TunnelRole::attached);
}

// On a shared netdevice a departure is the node's binding: it waits for
// the answer with the entry it takes, unless the batch sets an entry of
// a prefix routed to that DLIF.
TEST_F(SharedExecutorTest, ABindingLeavesAfterTheAnswer)
{
	executor_->defer_departures(true);
	const auto one = node(1);
	const auto two = node(2);
	const dmm::InstallEntry serving{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::serving, address("2001:db8::2"),
					"mn1mar1"};
	executor_->apply(dmm::Actions{one, two, serving}, t0);
	reset_calls();
	executor_->apply(dmm::Actions{dmm::RemoveEntry{serving.prefix}, dmm::RemoveDlif{"mn1mar1"}}, t0 + 1s);
	EXPECT_EQ(kernel_.calls, Calls{});
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64")->role, dmm::TunnelRole::serving);
	executor_->finish_departures(t0 + 1s);
	const std::string gw1 = node_gateway(one.mn).to_string();
	EXPECT_EQ(kernel_.calls, (Calls{"route del dls0 2001:db8:1:1::/64", "neigh del dls0 " + gw1,
					"unbind dls0 " + one.mn.to_string()}));
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64"), nullptr);
	EXPECT_NE(kernel_entry("2001:db8:1:2::/64"), nullptr);

	// An entry of its prefix later in the batch: the binding goes first.
	executor_->apply(dmm::Actions{one, serving}, t0 + 2s);
	reset_calls();
	executor_->apply(dmm::Actions{dmm::RemoveDlif{"mn1mar1"}, dmm::RemoveEntry{serving.prefix}}, t0 + 3s);
	EXPECT_EQ(executor_->pending_departures(), 0u);
	ASSERT_FALSE(kernel_.calls.empty());
	EXPECT_EQ(kernel_.calls.front(), "route del dls0 2001:db8:1:1::/64");
}

TEST_F(SharedExecutorTest, TheLastNodeTakesTheNetdeviceAlong)
{
	const auto one = node(1);
	const auto two = node(2);
	executor_->apply(dmm::Actions{one, two}, t0);
	reset_calls();
	executor_->apply(dmm::Actions{dmm::RemoveDlif{"mn1mar1"}}, t0 + 1s);
	const std::string gw1 = node_gateway(one.mn).to_string();
	EXPECT_EQ(kernel_.calls, (Calls{"route del dls0 2001:db8:1:1::/64", "neigh del dls0 " + gw1,
					"unbind dls0 " + one.mn.to_string()}));
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64"), nullptr);
	EXPECT_NE(kernel_entry("2001:db8:1:2::/64"), nullptr);
	EXPECT_FALSE(executor_->link_of("mn1mar1"));
	EXPECT_EQ(executor_->node_at("dls0", address("2001:db8:1:1::99")), std::nullopt);

	executor_->apply(dmm::Actions{dmm::RemoveDlif{"mn2mar1"}}, t0 + 2s);
	EXPECT_FALSE(kernel_.links.contains("dls0"));
	EXPECT_TRUE(kernel_.table.empty());
	EXPECT_TRUE(executor_->entries().empty());
	// The next node of that MAAR gets a new one.
	executor_->apply(dmm::Actions{one}, t0 + 3s);
	EXPECT_EQ(executor_->link_of("mn1mar1")->device, "dls1");
}

// [maar] shared_dlif_linger: a netdevice its last node left is kept for
// the next node of that MAAR, and deleted once idle for the linger time.
TEST_F(SharedExecutorTest, AnIdleNetdeviceLingersForTheNextNode)
{
	executor_ = std::make_unique<Executor>(&kernel_, sender_, timers_, ra_, log_);
	executor_->share_dlifs(30s);
	const auto one = node(1);
	const auto two = node(2);
	executor_->apply(dmm::Actions{one}, t0);
	EXPECT_EQ(executor_->next_expiry(), std::nullopt);
	executor_->apply(dmm::Actions{dmm::RemoveDlif{"mn1mar1"}}, t0 + 1s);
	EXPECT_TRUE(kernel_.links.contains("dls0"));
	EXPECT_TRUE(kernel_.binding_table["dls0"].empty());
	EXPECT_TRUE(executor_->is_shared_device("dls0"));
	EXPECT_EQ(executor_->next_expiry(), t0 + 31s);

	// The next node takes it: a binding, no netdevice made.
	reset_calls();
	executor_->apply(dmm::Actions{two}, t0 + 20s);
	EXPECT_EQ(kernel_.calls.front(), "bind dls0 " + two.mn.to_string());
	EXPECT_EQ(executor_->link_of("mn2mar1")->device, "dls0");
	EXPECT_EQ(executor_->counters().at("shared_dlifs_reused"), 1u);
	EXPECT_EQ(executor_->next_expiry(), std::nullopt);
	// Not deleted when its first idle time would have ended.
	executor_->retry_due(t0 + 40s);
	EXPECT_TRUE(kernel_.links.contains("dls0"));

	// Idle again from its node's leaving; deleted after the linger time,
	// not before.
	executor_->apply(dmm::Actions{dmm::RemoveDlif{"mn2mar1"}}, t0 + 50s);
	executor_->retry_due(t0 + 79s);
	EXPECT_TRUE(kernel_.links.contains("dls0"));
	reset_calls();
	executor_->retry_due(t0 + 80s);
	EXPECT_EQ(kernel_.calls, Calls{"delete dls0"});
	EXPECT_FALSE(executor_->is_shared_device("dls0"));
	EXPECT_EQ(executor_->next_expiry(), std::nullopt);
	EXPECT_NE(log().find("event=dlif.shared.removed dlif=dls0 reason=idle"), std::string::npos);
	// The next node of that MAAR gets a new one.
	executor_->apply(dmm::Actions{one}, t0 + 90s);
	EXPECT_EQ(executor_->link_of("mn1mar1")->device, "dls1");
}

// A deletion the kernel refuses is tried again a linger time later; the
// netdevice stays known and usable meanwhile.
TEST_F(SharedExecutorTest, AnIdleNetdeviceTheKernelKeepsIsTriedAgainLater)
{
	executor_ = std::make_unique<Executor>(&kernel_, sender_, timers_, ra_, log_);
	executor_->share_dlifs(30s);
	executor_->apply(dmm::Actions{node(1)}, t0);
	executor_->apply(dmm::Actions{dmm::RemoveDlif{"mn1mar1"}}, t0 + 1s);
	kernel_.set_failure("delete dls0", EBUSY);
	executor_->retry_due(t0 + 31s);
	EXPECT_TRUE(kernel_.links.contains("dls0"));
	EXPECT_TRUE(executor_->is_shared_device("dls0"));
	EXPECT_EQ(executor_->next_expiry(), t0 + 61s);
	kernel_.failures.clear();
	executor_->retry_due(t0 + 60s);
	EXPECT_TRUE(kernel_.links.contains("dls0"));
	executor_->retry_due(t0 + 61s);
	EXPECT_FALSE(kernel_.links.contains("dls0"));
}

TEST_F(SharedExecutorTest, ANewIdentityRebindsTheNodeAndPutsItsEntriesBack)
{
	auto one = node(1);
	const dmm::InstallEntry anchor{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"),
				       "mn1mar1"};
	executor_->apply(dmm::Actions{one, anchor}, t0);
	one.identity = dmm::derive_dlif_identity(one.anchoring_maar, dmm::MnId{"renamed@dlif.example"});
	reset_calls();
	executor_->apply(dmm::Actions{one}, t0 + 1s);
	EXPECT_EQ(kernel_.calls[0], "unbind dls0 " + one.mn.to_string());
	EXPECT_EQ(kernel_.calls[1], "bind dls0 " + one.mn.to_string());
	EXPECT_EQ(kernel_.binding_table.at("dls0").at(0).router, one.identity.mac);
	// The kernel took the anchor entry with the old binding: back.
	ASSERT_NE(kernel_entry("2001:db8:1:1::/64"), nullptr);
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64")->role, dmm::TunnelRole::anchor);
}

TEST_F(SharedExecutorTest, ARefusedBindingIsRetriedAndAnEntryWaitsForIt)
{
	const auto one = node(1);
	kernel_.set_failure("bind", ENOMEM);
	const dmm::InstallEntry anchor{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"),
				       "mn1mar1"};
	executor_->apply(dmm::Actions{one, anchor}, t0);
	EXPECT_EQ(executor_->pending_retries(), 1u);	// the DLIF; the entry went in
	kernel_.failures.clear();
	executor_->retry_due(t0 + 2s);
	EXPECT_EQ(executor_->pending_retries(), 0u);
	EXPECT_EQ(kernel_.binding_table.at("dls0").size(), 1u);
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64")->role, dmm::TunnelRole::anchor);
}

TEST_F(SharedExecutorTest, ARestartAdoptsTheNetdevicesAndDropsWhatNobodyWants)
{
	const auto one = node(1);
	const auto two = node(2);
	auto other = node(3);
	other.anchoring_maar = address("2001:db8::2");
	executor_->apply(dmm::Actions{one, two, other}, t0);
	ASSERT_TRUE(kernel_.links.contains("dls1"));

	// The restored state has node 1 only.
	Executor restarted(&kernel_, sender_, timers_, ra_, log_);
	restarted.share_dlifs();
	reset_calls();
	Scope scope;
	scope.lowers = {"eth1"};
	scope.peers = {address("2001:db8::2")};
	restarted.reconcile(dmm::Actions{one}, scope, t0 + 10s);
	const std::string gw1 = node_gateway(one.mn).to_string();
	// Its binding, route and entry stay (the entry is not set again:
	// that would reset its counters); node 2's entry and binding and the
	// other MAAR's netdevice go.
	EXPECT_EQ(kernel_.calls, (Calls{"unentry 2001:db8:1:2::/64", "unentry 2001:db8:1:3::/64", "delete dls1",
					"neigh dls0 " + gw1 + " " + one.mn.to_string(),
					"route dls0 2001:db8:1:1::/64 via " + gw1, "unbind dls0 " + two.mn.to_string()}));
	EXPECT_EQ(*kernel_entry("2001:db8:1:1::/64"), (KernelEntry{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::attached,
								    std::nullopt, "dls0", one.mn}));
	EXPECT_EQ(kernel_.binding_table.at("dls0").size(), 1u);
	EXPECT_EQ(restarted.link_of("mn1mar1")->device, "dls0");
	// New netdevices are numbered after the adopted ones.
	restarted.apply(dmm::Actions{other}, t0 + 20s);
	EXPECT_EQ(restarted.link_of("mn3mar1")->device, "dls2");
}

// A restart leaves a core's entry on a shared netdevice alone when the
// restored state wants it as it is, and replaces it (in place) when not.
TEST_F(SharedExecutorTest, ARestartKeepsTheEntriesItsStateStillWants)
{
	const auto one = node(1);
	const auto two = node(2);
	const dmm::InstallEntry anchor1{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"),
					"mn1mar1"};
	const dmm::InstallEntry anchor2{prefix("2001:db8:1:2::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"),
					"mn2mar1"};
	executor_->apply(dmm::Actions{one, two, anchor1, anchor2}, t0);

	// Node 2's entry now points elsewhere.
	auto moved = anchor2;
	moved.peer = address("2001:db8::3");
	Executor restarted(&kernel_, sender_, timers_, ra_, log_);
	restarted.share_dlifs();
	reset_calls();
	Scope scope;
	scope.lowers = {"eth1"};
	scope.peers = {address("2001:db8::2"), address("2001:db8::3")};
	restarted.reconcile(dmm::Actions{one, two, anchor1, moved}, scope, t0 + 10s);
	Calls entry_calls;
	std::copy_if(kernel_.calls.begin(), kernel_.calls.end(), std::back_inserter(entry_calls),
		     [](const std::string &call) { return call.find("entry") != std::string::npos; });
	EXPECT_EQ(entry_calls, Calls{"entry 2001:db8:1:2::/64"});
	EXPECT_EQ(*kernel_entry("2001:db8:1:1::/64"), (KernelEntry{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::anchor,
								    address("2001:db8::2"), "dls0", one.mn}));
	EXPECT_EQ(*kernel_entry("2001:db8:1:2::/64"), (KernelEntry{prefix("2001:db8:1:2::/64"), dmm::TunnelRole::anchor,
								    address("2001:db8::3"), "dls0", two.mn}));

	// The kept entries are the executor's as if it had set them: the
	// node's return gives the prefix back to its DLIF as before.
	reset_calls();
	restarted.apply(dmm::Actions{dmm::RemoveEntry{anchor1.prefix}}, t0 + 20s);
	EXPECT_EQ(kernel_.calls, Calls{"entry 2001:db8:1:1::/64"});
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64")->role, dmm::TunnelRole::attached);
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64")->mn, one.mn);
}

TEST_F(SharedExecutorTest, RepairBindsTheNodesOfADeletedNetdeviceAgain)
{
	const auto one = node(1);
	const dmm::InstallEntry anchor{prefix("2001:db8:1:1::/64"), dmm::TunnelRole::anchor, address("2001:db8::2"),
				       "mn1mar1"};
	executor_->apply(dmm::Actions{one, node(2), anchor}, t0);
	Scope scope;
	scope.lowers = {"eth1"};
	scope.peers = {address("2001:db8::2")};
	reset_calls();
	EXPECT_EQ(executor_->repair(scope, t0 + 30s), 0u);
	EXPECT_EQ(kernel_.calls, Calls{});

	ASSERT_TRUE(kernel_.delete_dlif("dls0"));
	EXPECT_GT(executor_->repair(scope, t0 + 60s), 0u);
	const auto link = executor_->link_of("mn1mar1");
	ASSERT_TRUE(link);
	EXPECT_EQ(kernel_.binding_table.at(link->device).size(), 2u);
	ASSERT_NE(kernel_entry("2001:db8:1:1::/64"), nullptr);
	EXPECT_EQ(kernel_entry("2001:db8:1:1::/64")->role, dmm::TunnelRole::anchor);
	EXPECT_EQ(kernel_entry("2001:db8:1:2::/64")->role, dmm::TunnelRole::attached);
	reset_calls();
	EXPECT_EQ(executor_->repair(scope, t0 + 90s), 0u);
}

// A home LMA relaying 2001:db8:5::/48 from the MAAR 2001:db8::1 that
// anchors it to the visited MAAR 2001:db8:2::1 that serves its node.
dmm::InstallRelay relay(const char *prefix_text = "2001:db8:5::/48", const char *serving = "dlrs1",
			const char *serving_remote = "2001:db8:2::1", std::uint32_t table = 1001)
{
	dmm::InstallRelay relay;
	relay.prefix = prefix(prefix_text);
	relay.local = address("2001:db8::100");
	relay.anchor = dmm::RelayTunnel{address("2001:db8::1"), "dlra1"};
	relay.serving = dmm::RelayTunnel{address(serving_remote), serving};
	relay.table = table;
	relay.rule_priority = 1000;
	return relay;
}

TEST_F(ExecutorTest, InstallRelayMakesTunnelsRoutesAndRule)
{
	executor_->apply(dmm::Actions{relay()}, t0);
	EXPECT_EQ(kernel_.calls, (Calls{"tunnel dlra1 2001:db8::100 2001:db8::1", "tunnel dlrs1 2001:db8::100 2001:db8:2::1",
					"droute 1001 ::/0 dev dlra1", "droute 254 2001:db8:5::/48 dev dlrs1",
					"rule 1000 from 2001:db8:5::/48 iif dlrs1 table 1001"}));
	EXPECT_EQ(kernel_.rule_list, (std::vector<KernelRule>{{1000, prefix("2001:db8:5::/48"), "dlrs1", 1001}}));
	EXPECT_TRUE(kernel_.links.at("dlra1").is_ip6tnl());
	EXPECT_EQ(executor_->relays().size(), 1u);
	EXPECT_EQ(executor_->pending_retries(), 0u);

	// Again: the tunnels are reused, the rule already there is success.
	reset_calls();
	executor_->apply(dmm::Actions{relay()}, t0);
	EXPECT_EQ(kernel_.calls, (Calls{"droute 1001 ::/0 dev dlra1", "droute 254 2001:db8:5::/48 dev dlrs1",
					"rule 1000 from 2001:db8:5::/48 iif dlrs1 table 1001"}));
	EXPECT_EQ(kernel_.rule_list.size(), 1u);
	EXPECT_EQ(executor_->counters().count("netlink_errors"), 0u);
}

TEST_F(ExecutorTest, TunnelsSharedByRelaysGoWithTheLastOne)
{
	executor_->apply(dmm::Actions{relay("2001:db8:5::/48"), relay("2001:db8:6::/48")}, t0);
	EXPECT_EQ(executor_->relay_tunnel_users("dlra1"), 2u);
	EXPECT_EQ(kernel_.rule_list.size(), 2u);

	reset_calls();
	executor_->apply(dmm::Actions{dmm::RemoveRelay{prefix("2001:db8:5::/48")}}, t0);
	EXPECT_EQ(kernel_.calls, (Calls{"rule del 1000 from 2001:db8:5::/48", "droute del 254 2001:db8:5::/48 dev dlrs1"}));
	EXPECT_TRUE(kernel_.links.contains("dlra1"));
	EXPECT_TRUE(kernel_.links.contains("dlrs1"));

	reset_calls();
	executor_->apply(dmm::Actions{dmm::RemoveRelay{prefix("2001:db8:6::/48")}}, t0);
	EXPECT_EQ(kernel_.calls, (Calls{"rule del 1000 from 2001:db8:6::/48", "droute del 254 2001:db8:6::/48 dev dlrs1",
					"tunnel del dlra1", "tunnel del dlrs1"}));
	EXPECT_TRUE(kernel_.rule_list.empty());
	EXPECT_TRUE(kernel_.device_route_table.empty());
	EXPECT_TRUE(executor_->relays().empty());

	// Removing what is not there is success (a dump of the rules finds
	// nothing from the prefix).
	reset_calls();
	executor_->apply(dmm::Actions{dmm::RemoveRelay{prefix("2001:db8:6::/48")}}, t0);
	EXPECT_TRUE(kernel_.calls.empty());
	EXPECT_EQ(executor_->pending_retries(), 0u);
}

TEST_F(ExecutorTest, ARelayMovedToAnotherServingTunnelReplacesRuleAndRoute)
{
	executor_->apply(dmm::Actions{relay("2001:db8:5::/48", "dlrs1", "2001:db8:2::1", 1001)}, t0);
	reset_calls();
	executor_->apply(dmm::Actions{relay("2001:db8:5::/48", "dlrs2", "2001:db8:3::1", 1002)}, t0);
	EXPECT_EQ(kernel_.calls, (Calls{"tunnel dlrs2 2001:db8::100 2001:db8:3::1", "droute 1002 ::/0 dev dlra1",
					"droute 254 2001:db8:5::/48 dev dlrs2", "rule del 1000 from 2001:db8:5::/48",
					"rule 1000 from 2001:db8:5::/48 iif dlrs2 table 1002",
					"droute del 1001 ::/0 dev dlra1", "tunnel del dlrs1"}));
	EXPECT_EQ(kernel_.rule_list, (std::vector<KernelRule>{{1000, prefix("2001:db8:5::/48"), "dlrs2", 1002}}));
	EXPECT_EQ(kernel_.device_route_table,
		  (std::vector<KernelDeviceRoute>{{Ipv6Prefix{}, "dlra1", 1002}, {prefix("2001:db8:5::/48"), "dlrs2", 254}}));
	EXPECT_FALSE(kernel_.links.contains("dlrs1"));
}

TEST_F(ExecutorTest, ARelayRefusesADeviceThatIsNotItsTunnel)
{
	KernelLink dummy;
	dummy.name = "dlra1";
	dummy.kind = "dummy";
	kernel_.add_link(dummy);
	executor_->apply(dmm::Actions{relay()}, t0);
	EXPECT_TRUE(kernel_.calls.empty());
	EXPECT_EQ(kernel_.links.at("dlra1").kind, "dummy");
	EXPECT_EQ(executor_->counters().at("relay_conflicts"), 1u);
	EXPECT_NE(log().find("a dummy link named dlra1 exists"), std::string::npos);
	EXPECT_EQ(executor_->pending_retries(), 1u);

	// An ip6tnl to another remote is not reused either.
	kernel_.links.erase("dlra1");
	KernelLink other;
	other.name = "dlra1";
	other.kind = "ip6tnl";
	other.tunnel_local = address("2001:db8::100");
	other.tunnel_remote = address("2001:db8::9");
	kernel_.add_link(other);
	executor_->retry_due(t0 + Executor::kFirstRetry);
	EXPECT_TRUE(kernel_.calls.empty());
	EXPECT_NE(log().find("runs from 2001:db8::100 to 2001:db8::9, not from 2001:db8::100 to 2001:db8::1"),
		  std::string::npos);

	// Once the name is free, the retry installs the relay.
	kernel_.links.erase("dlra1");
	executor_->retry_due(t0 + Executor::kFirstRetry * 3);
	EXPECT_EQ(kernel_.rule_list.size(), 1u);
	EXPECT_EQ(executor_->pending_retries(), 0u);
}

TEST_F(ExecutorTest, ConvergeRemovesStaleRelayStateAndKeepsWhatIsWanted)
{
	// Left by the daemon before a restart: the wanted relay, a stale one
	// through its own serving tunnel, a stale rule and route through a
	// tunnel that stays, a relay tunnel with other addresses, and the
	// operator's tunnel and rule.
	executor_->apply(dmm::Actions{relay("2001:db8:5::/48"), relay("2001:db8:6::/48", "dlrs2", "2001:db8:3::1"),
				      relay("2001:db8:7::/48")},
			 t0);
	ASSERT_TRUE(kernel_.create_tunnel(KernelTunnel{"dlrx", address("2001:db8::100"), address("2001:db8::77")}));
	ASSERT_TRUE(kernel_.create_tunnel(KernelTunnel{"tun0", address("2001:db8::100"), address("2001:db8::88")}));
	kernel_.rule_list.push_back(KernelRule{500, prefix("2001:db8:9::/48"), "eth0", 200});
	Executor restarted(&kernel_, sender_, timers_, ra_, log_);
	reset_calls();

	const RelayPlan plan = restarted.converge_relays({relay("2001:db8:5::/48")}, t0);
	EXPECT_EQ(plan.remove_tunnels, (std::vector<std::string>{"dlrs2", "dlrx"}));
	EXPECT_EQ(plan.remove_rules, (std::vector<KernelRule>{{1000, prefix("2001:db8:6::/48"), "dlrs2", 1001},
							      {1000, prefix("2001:db8:7::/48"), "dlrs1", 1001}}));
	EXPECT_EQ(plan.remove_routes, (std::vector<KernelDeviceRoute>{{prefix("2001:db8:7::/48"), "dlrs1", 254}}));
	EXPECT_FALSE(kernel_.links.contains("dlrs2"));
	EXPECT_FALSE(kernel_.links.contains("dlrx"));
	EXPECT_TRUE(kernel_.links.contains("tun0"));
	EXPECT_EQ(kernel_.rule_list, (std::vector<KernelRule>{{1000, prefix("2001:db8:5::/48"), "dlrs1", 1001},
							      {500, prefix("2001:db8:9::/48"), "eth0", 200}}));
	EXPECT_EQ(kernel_.device_route_table,
		  (std::vector<KernelDeviceRoute>{{Ipv6Prefix{}, "dlra1", 1001}, {prefix("2001:db8:5::/48"), "dlrs1", 254}}));
	EXPECT_EQ(restarted.relays().size(), 1u);
	EXPECT_EQ(restarted.relay_tunnel_users("dlra1"), 1u);

	// A MAAR's reconcile leaves relay state alone: it never relays.
	Executor maar(&kernel_, sender_, timers_, ra_, log_);
	const ReconcilePlan untouched = maar.reconcile(dmm::Actions{}, Scope{}, t0);
	EXPECT_TRUE(untouched.relays.remove_tunnels.empty());
	EXPECT_TRUE(kernel_.links.contains("dlra1"));
	EXPECT_EQ(kernel_.rule_list.size(), 2u);

	// Reconcile at start converges the relays of the reissued actions;
	// none wanted: every relay goes.
	Executor again(&kernel_, sender_, timers_, ra_, log_);
	const ReconcilePlan all = again.reconcile(dmm::Actions{relay("2001:db8:5::/48"), dmm::RemoveRelay{prefix("2001:db8:5::/48")}},
						  Scope{}, t0);
	EXPECT_EQ(all.relays.remove_tunnels, (std::vector<std::string>{"dlra1", "dlrs1"}));
	EXPECT_EQ(kernel_.rule_list, (std::vector<KernelRule>{{500, prefix("2001:db8:9::/48"), "eth0", 200}}));
	EXPECT_TRUE(kernel_.device_route_table.empty());
	EXPECT_TRUE(again.relays().empty());
}

TEST_F(ExecutorTest, ARelayWhoseRuleFailsIsRetriedAndRemovable)
{
	kernel_.set_failure("rule 1000", ENOMEM);
	executor_->apply(dmm::Actions{relay()}, t0);
	EXPECT_EQ(executor_->pending_retries(), 1u);
	EXPECT_EQ(executor_->relays().size(), 1u);	// what it may have left is known
	kernel_.failures.clear();
	executor_->apply(dmm::Actions{dmm::RemoveRelay{prefix("2001:db8:5::/48")}}, t0);
	EXPECT_EQ(executor_->pending_retries(), 0u);	// the newer action replaced the retry
	EXPECT_FALSE(kernel_.links.contains("dlra1"));
	EXPECT_TRUE(kernel_.device_route_table.empty());
}

} // namespace
} // namespace dlif::daemon
