// SPDX-License-Identifier: GPL-2.0
//
// A daemon restart: the core's snapshot restored into a new core, which
// re-issues what it owns (the kernel is reconciled without tearing flows
// down) and carries on, between handovers and in the middle of one.
#include "test_util.hpp"

namespace dlif::sim {
namespace {

class Restart : public ::testing::TestWithParam<CmdMode> {
protected:
	SimOptions options()
	{
		SimOptions o;
		o.mode = GetParam();
		o.check_snapshots = true;
		o.local_prefixes = {{pfx("2001:db8:100::/56")}, {}, {}};
		return o;
	}
};

TEST_P(Restart, BetweenHandovers)
{
	Network net(options());
	net.attach(M1, kMn);
	net.attach(M2, kMn2);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M1, M2);
	ASSERT_TRUE(net.settle());
	std::vector<Kernel> before;
	std::vector<std::string> snapshots;
	for (NodeId node = 0; node <= kMaars; ++node) {
		before.push_back(net.kernel(node));
		snapshots.push_back(node == kCmd ? net.cmd().snapshot() : net.maar(node).snapshot());
	}
	for (NodeId node = 0; node <= kMaars; ++node)
		net.restart(node);
	EXPECT_TRUE(net.problems().empty()) << ::testing::PrintToString(net.problems());
	for (NodeId node = 0; node <= kMaars; ++node) {
		// Nothing torn down, nothing changed; the state is the same.
		EXPECT_EQ(net.kernel(node).dlifs, before[static_cast<std::size_t>(node)].dlifs) << node;
		EXPECT_EQ(net.kernel(node).entries, before[static_cast<std::size_t>(node)].entries) << node;
		EXPECT_EQ(node == kCmd ? net.cmd().snapshot() : net.maar(node).snapshot(),
			  snapshots[static_cast<std::size_t>(node)]);
	}
	EXPECT_INVARIANTS(net);
	// And it carries on: refreshes, another handover, a return.
	net.run_for(std::chrono::seconds(500));
	net.move(kMn, M2, M3);
	ASSERT_TRUE(net.settle());
	net.move(kMn, M3, M1);
	ASSERT_TRUE(net.settle());
	EXPECT_EQ(net.cmd().binding(mn_id(kMn))->serving_maar, Network::address(M1));
	EXPECT_INVARIANTS(net);
}

// Each node restarted at each step of a handover in flight.
TEST_P(Restart, DuringHandover)
{
	for (NodeId restarted = 0; restarted <= kMaars; ++restarted) {
		for (int step = 1; step <= 6; ++step) {
			SCOPED_TRACE("node " + std::to_string(restarted) + " after " + std::to_string(step * 3) + " ms");
			Network net(options());
			for (NodeId a = 0; a <= kMaars; ++a)
				for (NodeId b = 0; b <= kMaars; ++b)
					net.link(a, b).delay = Duration(4);
			net.attach(M1, kMn);
			ASSERT_TRUE(net.settle());
			net.move(kMn, M1, M2);
			ASSERT_TRUE(net.settle());
			net.move(kMn, M2, M3);
			net.run_for(Duration(step * 3));
			net.restart(restarted);
			ASSERT_TRUE(net.settle());
			EXPECT_INVARIANTS(net);
			const auto binding = net.cmd().binding(mn_id(kMn));
			ASSERT_TRUE(binding);
			EXPECT_EQ(binding->serving_maar, Network::address(M3));
			EXPECT_EQ(binding->previous_maars.size(), 2u);
		}
	}
}

// Down for a while: messages to and from it are lost meanwhile; the
// retransmissions of the others and its own restored ones recover.
TEST_P(Restart, DownDuringHandover)
{
	for (NodeId restarted = 0; restarted <= kMaars; ++restarted) {
		SCOPED_TRACE("node " + std::to_string(restarted));
		Network net(options());
		net.attach(M1, kMn);
		ASSERT_TRUE(net.settle());
		net.move(kMn, M1, M2);
		net.run_for(Duration(7));
		net.set_down(restarted, true);
		net.run_for(std::chrono::seconds(2));
		net.restart(restarted);
		net.set_down(restarted, false);
		ASSERT_TRUE(net.settle());
		EXPECT_INVARIANTS(net);
		EXPECT_EQ(net.cmd().binding(mn_id(kMn))->serving_maar, Network::address(M2));
	}
}

INSTANTIATE_TEST_SUITE_P(Modes, Restart, ::testing::Values(CmdMode::relay, CmdMode::locator, CmdMode::proxy),
			 mode_name);

// A snapshot that does not parse, or does not fit, changes nothing.
TEST(RestartErrors, BadSnapshotsAreRefused)
{
	Network net;
	net.attach(M1, kMn);
	ASSERT_TRUE(net.settle());
	const std::string cmd_before = net.cmd().snapshot();
	const std::string maar_before = net.maar(M1).snapshot();
	for (const char *bad : {"", "{", "[]", "{\"format\":\"dlifd-cmd-snapshot\",\"version\":99}",
				"{\"format\":\"dlifd-maar-snapshot\",\"version\":1}"}) {
		const auto cmd_result = net.cmd().restore(bad, net.now());
		EXPECT_FALSE(cmd_result.has_value()) << bad;
		const auto maar_result = net.maar(M1).restore(bad, net.now());
		EXPECT_FALSE(maar_result.has_value()) << bad;
	}
	// Another MAAR's snapshot.
	EXPECT_FALSE(net.maar(M2).restore(maar_before, net.now()).has_value());
	// A CMD snapshot naming a MAAR outside the domain.
	std::string foreign = cmd_before;
	const auto at = foreign.find("2001:db8::1\"");
	ASSERT_NE(at, std::string::npos);
	foreign.replace(at, 11, "2001:db8::9");
	EXPECT_FALSE(net.cmd().restore(foreign, net.now()).has_value());
	EXPECT_EQ(net.cmd().snapshot(), cmd_before);
	EXPECT_EQ(net.maar(M1).snapshot(), maar_before);
	const auto error = net.cmd().restore("{", net.now());
	ASSERT_FALSE(error.has_value());
	EXPECT_NE(error.error().find("snapshot"), std::string::npos);
}

} // namespace
} // namespace dlif::sim
