// SPDX-License-Identifier: GPL-2.0
//
// Random sequences of attachments, moves, detachments, losses, restarts
// and time over several nodes never break the network-wide invariants
// (Network::invariant_violations: each prefix anchored at exactly one
// MAAR, no chained tunnels, every serving entry's peer anchoring it back,
// identities the domain's, the CMD agreeing with the MAARs), and leave no
// state once every node has left and every lifetime has run out.
#include <algorithm>
#include <cstdlib>
#include <random>
#include <set>

#include "test_util.hpp"

namespace dlif::sim {
namespace {

struct Case {
	CmdMode mode;
	Deregistration deregistration;
	Ordering ordering;
	std::uint64_t seed;
};

std::string case_name(const ::testing::TestParamInfo<Case> &info)
{
	return std::string(dmm::json::name(info.param.mode)) + "_" +
	       std::string(dmm::json::name(info.param.deregistration)) + "_" +
	       (info.param.ordering == Ordering::timestamp ? "ts" : "seq") + "_" + std::to_string(info.param.seed);
}

class RandomWalk : public ::testing::TestWithParam<Case> {};

TEST_P(RandomWalk, InvariantsHold)
{
	const Case c = GetParam();
	SimOptions o;
	o.mode = c.mode;
	o.deregistration = c.deregistration;
	o.ordering = c.ordering;
	o.seed = c.seed;
	o.check_snapshots = true;
	o.relay_timeout = c.seed % 2 == 0 ? Duration(50) : Duration(0);
	o.local_prefixes = {{pfx("2001:db8:100::/56")}, {pfx("2001:db8:200::/56")}, {}};
	Network net(o);
	std::mt19937_64 random(c.seed * 7919);
	const auto pick = [&](int low, int high) { return std::uniform_int_distribution<int>(low, high)(random); };

	for (NodeId a = 0; a <= kMaars; ++a)
		for (NodeId b = 0; b <= kMaars; ++b)
			net.link(a, b).jitter = Duration(pick(0, 30));

	constexpr int kNodes = 5;
	std::vector<MacAddress> nodes;
	for (int i = 0; i < kNodes; ++i)
		nodes.push_back(MacAddress{{0x02, 0, 0, 0, 1, static_cast<std::uint8_t>(i + 1)}});
	std::vector<std::optional<NodeId>> where(kNodes);
	// A node stays at least this long between two layer-2 events: longer
	// than any signalling delay here (5 + 30 ms). Moving faster than its
	// own PBUs travel would let the CMD see two MAARs' PBUs out of order,
	// which sequence numbers cannot tell (A32; timestamps can).
	constexpr Duration kDwell{200};
	std::vector<TimePoint> last_event(kNodes, TimePoint{});
	const auto dwell = [&](int node) {
		const TimePoint ready = last_event[static_cast<std::size_t>(node)] + kDwell;
		if (net.now() < ready)
			net.run_for(std::chrono::ceil<Duration>(ready - net.now()));
		last_event[static_cast<std::size_t>(node)] = net.now();
	};

	unsigned checks = 0;
	for (int step = 0; step < 80; ++step) {
		const int node = pick(0, kNodes - 1);
		switch (pick(0, 9)) {
		case 0:
		case 1:
		case 2:
		case 3: {
			// Moves always tell the old MAAR (layer-2 detach).
			NodeId to = pick(1, kMaars);
			dwell(node);
			net.move(nodes[node], where[node], to);
			where[node] = to;
			break;
		}
		case 4:
			if (where[node]) {
				dwell(node);
				net.detach(*where[node], nodes[node]);
				where[node].reset();
			}
			break;
		case 5: {
			// Bounded loss: one burst per exchange, shorter than its
			// retransmissions (what RFC 6275's give-up rule assumes of
			// a path that works): a new burst only when nothing is in
			// progress.
			const NodeId a = pick(0, kMaars);
			const NodeId b = pick(0, kMaars);
			if (a == b || !net.quiet())
				break;
			for (NodeId x = 0; x <= kMaars; ++x)
				for (NodeId y = 0; y <= kMaars; ++y)
					net.link(x, y).drop_next = 0;
			net.link(a, b).drop_next = static_cast<unsigned>(pick(1, 3));
			break;
		}
		case 6:
			net.restart(pick(0, kMaars));
			break;
		case 7:
			net.run_for(std::chrono::seconds(pick(1, 500)));
			break;
		default:
			net.run_for(Duration(pick(0, 3000)));
			break;
		}
		net.run_for(Duration(pick(0, 50)));
		if (net.quiet()) {
			++checks;
			std::set<MacAddress> departed;
			for (int i = 0; i < kNodes; ++i)
				if (!where[i])
					departed.insert(nodes[i]);
			const auto violations = net.invariant_violations(departed);
			ASSERT_TRUE(violations.empty()) << "step " << step << ": " << ::testing::PrintToString(violations)
							<< "\n" << net.dump();
		}
	}
	// Calm down, then check once more.
	for (NodeId a = 0; a <= kMaars; ++a)
		for (NodeId b = 0; b <= kMaars; ++b)
			net.link(a, b).drop_next = 0;
	ASSERT_TRUE(net.settle(std::chrono::minutes(10)));
	std::set<MacAddress> departed;
	for (int i = 0; i < kNodes; ++i)
		if (!where[i])
			departed.insert(nodes[i]);
	const auto violations = net.invariant_violations(departed);
	EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations) << "\n" << net.dump();
	++checks;
	for (int i = 0; i < kNodes; ++i) {
		if (where[i]) {
			EXPECT_TRUE(net.cmd().binding(mn_id(nodes[i])).has_value());
		}
	}
	EXPECT_GT(checks, 1u);

	// Everybody leaves: after the lifetimes, nothing is left anywhere.
	for (int i = 0; i < kNodes; ++i)
		if (where[i])
			net.detach(*where[i], nodes[i]);
	net.run_for(std::chrono::seconds(1500));
	EXPECT_EQ(net.cmd().binding_count(), 0u);
	for (NodeId maar = 1; maar <= kMaars; ++maar) {
		EXPECT_EQ(net.maar(maar).session_count(), 0u) << "MAAR" << maar;
		EXPECT_TRUE(net.kernel(maar).empty_of_sessions()) << "MAAR" << maar;
	}
	EXPECT_TRUE(net.problems().empty()) << ::testing::PrintToString(net.problems());
}

// DLIF_SIM_SEEDS=N runs N walks per combination (default 4).
std::vector<Case> cases()
{
	int per_combination = 4;
	if (const char *text = std::getenv("DLIF_SIM_SEEDS"))
		per_combination = std::max(1, std::atoi(text));
	std::vector<Case> all;
	std::uint64_t seed = 1;
	for (const auto mode : {CmdMode::relay, CmdMode::locator, CmdMode::proxy})
		for (const auto deregistration : {Deregistration::a, Deregistration::b})
			for (const auto ordering : {Ordering::sequence_number, Ordering::timestamp})
				for (int i = 0; i < per_combination; ++i)
					all.push_back(Case{mode, deregistration, ordering, seed++});
	return all;
}

INSTANTIATE_TEST_SUITE_P(Cases, RandomWalk, ::testing::ValuesIn(cases()), case_name);

} // namespace
} // namespace dlif::sim
