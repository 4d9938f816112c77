// SPDX-License-Identifier: GPL-2.0
//
// One input of cores_fuzz run in the in-process domain of the unit tests
// (userspace/tests/dmm/sim.hpp): a CMD and three MAARs fed arbitrary
// Mobility Headers from peers and strangers, interleaved with nodes
// attaching and leaving, time passing and restarts. Shared by the fuzz
// target and by dmm_sim_tests, which replays the seed corpus and every
// past finding with exactly the same checks. Whatever peers send: no
// undefined behaviour (the sanitizers watch), no exception, no
// inconsistent kernel request (an entry naming no DLIF, ...), and nothing
// a peer may not claim in any node's kernel (claims.hpp): no ::/0 entry,
// no DLIF without a link-local identity.
//
// The input is a script, one operation per step:
//   0 FROM TO LEN_LO LEN_HI BYTES...  a Mobility Header from FROM to TO
//   1 MAAR NODE                       a node attaches
//   2 MAAR NODE                       a node leaves
//   3 TICKS                           time passes (TICKS x 50 ms); with
//                                     release_idle_after (one input in
//                                     five), every MAAR's traffic is then
//                                     sampled, moving when TICKS is odd
//   4 NODE                            a daemon restarts (snapshot, restore);
//                                     the first kMaxRestarts of an input only
// FROM: 0 the CMD, 1-3 a MAAR, 4 a stranger; TO: 0 the CMD, 1-3 a MAAR.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "dlif/dmm/claims.hpp"
#include "dlif/mh/mh.hpp"
#include "sim.hpp"

namespace dlif::fuzz {

class CoresScript {
public:
	explicit CoresScript(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
	bool done() const { return at_ >= bytes_.size(); }
	std::uint8_t next() { return done() ? 0 : bytes_[at_++]; }
	std::span<const std::uint8_t> take(std::size_t n)
	{
		n = std::min(n, bytes_.size() - at_);
		const auto part = bytes_.subspan(at_, n);
		at_ += n;
		return part;
	}

private:
	std::span<const std::uint8_t> bytes_;
	std::size_t at_ = 0;
};

// A restart serialises and parses a whole core: without a cap, inputs
// full of them spent two fifths of the campaign's time there. A few per
// input reach every restart path (a restart between any two events).
inline constexpr unsigned kMaxRestarts = 3;

// What is wrong with the domain's kernels, "" when nothing.
inline std::string cores_problem(sim::Network &net)
{
	using sim::NodeId;
	if (!net.problems().empty())
		return "kernel request problem: " + net.problems().front();
	for (NodeId node = 0; node <= sim::kMaars; ++node) {
		if (!net.kernel(node).problems.empty())
			return "kernel model problem: " + net.kernel(node).problems.front();
		for (const auto &[name, dlif] : net.kernel(node).dlifs)
			if (node != sim::kCmd && dmm::dlif_identity_problem(dlif.identity))
				return "DLIF " + name + " with identity " + dlif.identity.link_local.to_string();
		for (const auto &[text, entry] : net.kernel(node).entries)
			if (entry.prefix.length == 0)
				return "an entry for ::/0 at node " + std::to_string(node);
	}
	// A home LMA relays only home prefixes, each to the MAAR whose pool
	// holds it, for a node a visited MAAR serves.
	for (const auto &[text, relay] : net.kernel(sim::kCmd).relays) {
		const NodeId anchor = net.node_of(relay.anchor.remote);
		if (anchor < 1 || anchor > sim::kMaars || !net.cmd_config().roaming ||
		    net.cmd_config().roaming->visited.front() == relay.anchor.remote)
			return "a relay to " + relay.anchor.remote.to_string() + ", not a home MAAR";
		const dmm::MaarClaims *claims = net.cmd_config().domain.claims_of(relay.anchor.remote);
		if (claims && !claims->pool.contains(relay.prefix.address))
			return "relay of " + text + " to a MAAR whose pool does not hold it";
	}
	return {};
}

// Runs one input to its end and two minutes beyond; returns the problem
// found ("" for none) with the domain's state. Exceptions propagate.
// check_snapshots: after every state change, the snapshot and the stored
// records must restore to the same core (slower: for the corpus replay).
inline std::string run_cores_script(std::span<const std::uint8_t> input, bool check_snapshots = false)
{
	using namespace sim;
	static const MacAddress nodes[] = {mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"),
					   mac("02:00:00:00:00:03")};
	static const Ipv6Address stranger = addr("2001:db8:bad::1");
	SimOptions options;
	options.domain_claims = true;
	options.local_prefixes = {{pfx("2001:db8:100::/64")}, {}, {}};
	options.mode = static_cast<CmdMode>(input.size() % 3);
	// Two in five inputs run a domain without a CMD (direct mode), on the
	// session database or by queries; one in five two domains, MAAR3 a
	// partner's reaching the nodes' home prefixes through the CMD as home
	// LMA.
	const std::size_t variant = (input.size() / 3) % 5;
	options.direct = variant == 2 || variant == 3;
	options.discovery = variant == 3 ? MaarConfig::Discovery::query : MaarConfig::Discovery::database;
	options.inter_domain = variant == 4;
	if (variant == 1)
		options.release_idle_after = std::chrono::seconds(5);
	if (options.inter_domain) {
		options.visitors.assign(std::begin(nodes), std::end(nodes));
		if (options.mode == CmdMode::locator)
			options.mode = CmdMode::proxy;	// refused with roaming
	}
	options.check_snapshots = check_snapshots;
	Network net(options);
	CoresScript script(input);
	unsigned restarts = 0;
	std::uint64_t packets = 0;
	for (unsigned steps = 0; !script.done() && steps < 64; ++steps) {
		switch (script.next() % 5) {
		case 0: {
			const NodeId from = script.next() % 5;
			const NodeId to = script.next() % (kMaars + 1);
			std::size_t length = script.next();
			length |= static_cast<std::size_t>(script.next()) << 8;
			const auto parsed = mh::parse(script.take(std::min<std::size_t>(length, mh::kMaxMessageSize)));
			if (parsed)
				net.inject_from(from == kMaars + 1 ? stranger : Network::address(from), to, parsed->message);
			break;
		}
		case 1:
			net.attach(1 + script.next() % kMaars, nodes[script.next() % 3]);
			break;
		case 2:
			net.detach(1 + script.next() % kMaars, nodes[script.next() % 3]);
			break;
		case 3: {
			const unsigned ticks = script.next();
			net.run_for(dmm::Duration(50 * (1 + ticks)));
			if (options.release_idle_after == dmm::Duration::zero())
				break;
			packets += ticks % 2;
			for (NodeId maar = 1; maar <= kMaars; ++maar) {
				std::map<Ipv6Prefix, std::uint64_t> counters;
				for (const auto &[key, entry] : net.kernel(maar).entries)
					counters[entry.prefix] = packets;
				net.sample_traffic(maar, counters);
			}
			break;
		}
		case 4: {
			const NodeId node = script.next() % (kMaars + 1);
			if (restarts++ < kMaxRestarts)
				net.restart(node);
			break;
		}
		}
		net.run_for(dmm::Duration(10));
	}
	net.run_for(std::chrono::minutes(2));
	const std::string problem = cores_problem(net);
	return problem.empty() ? problem : problem + "\n" + net.dump(30);
}

} // namespace dlif::fuzz
