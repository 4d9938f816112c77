// SPDX-License-Identifier: GPL-2.0
#include "liveness.hpp"

namespace dlif::daemon {

namespace {

bool is_link_local(const Ipv6Address &address)
{
	return address.bytes[0] == 0xfe && (address.bytes[1] & 0xc0) == 0x80;
}

} // namespace

void Liveness::schedule(const MacAddress &mn, Node &node, dmm::TimePoint deadline)
{
	deadlines_.erase({node.deadline, mn});
	node.deadline = deadline;
	deadlines_.insert({deadline, mn});
}

void Liveness::heard(const MacAddress &mn, const Ipv6Address &source, dmm::TimePoint now)
{
	if (!enabled())
		return;
	Node &node = nodes_[mn];
	if (is_link_local(source))
		set_target(mn, node, source, true);
	else if (!node.target_is_link_local && source != Ipv6Address{})
		set_target(mn, node, source, false);
	node.probes_sent = 0;
	schedule(mn, node, now + settings_.idle);
}

void Liveness::set_target(const MacAddress &mn, Node &node, const Ipv6Address &target, bool link_local)
{
	if (node.target)
		targets_.erase({*node.target, mn});
	node.target = target;
	node.target_is_link_local = link_local;
	targets_.insert({target, mn});
}

std::vector<MacAddress> Liveness::probed_at(const Ipv6Address &address) const
{
	std::vector<MacAddress> out;
	for (auto it = targets_.lower_bound({address, MacAddress{}}); it != targets_.end() && it->first == address; ++it)
		out.push_back(it->second);
	return out;
}

void Liveness::attached(const MacAddress &mn, dmm::TimePoint now)
{
	heard(mn, Ipv6Address{}, now);
}

void Liveness::forget(const MacAddress &mn)
{
	auto it = nodes_.find(mn);
	if (it == nodes_.end())
		return;
	deadlines_.erase({it->second.deadline, mn});
	if (it->second.target)
		targets_.erase({*it->second.target, mn});
	nodes_.erase(it);
}

Liveness::Due Liveness::take_due(dmm::TimePoint now, const FramesFrom &frames)
{
	Due due;
	while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
		const MacAddress mn = deadlines_.begin()->second;
		Node &node = nodes_.at(mn);
		// Frames since the last check say it is there, whatever they
		// were. The first check only sets the count to compare with.
		const auto received = frames ? frames(mn) : std::nullopt;
		const bool sent = received && node.frames && *received > *node.frames;
		if (received)
			node.frames = received;
		if (sent) {
			due.sending.push_back(mn);
			node.probes_sent = 0;
			schedule(mn, node, now + settings_.idle);
			continue;
		}
		// Probed as often as RFC 4861 probes a neighbour, or watched
		// as long, with neither an answer nor a frame: gone.
		if (node.probes_sent >= settings_.probes) {
			due.gone.push_back(mn);
			forget(mn);
			continue;
		}
		if (node.target)
			due.probes.push_back({mn, *node.target});
		++node.probes_sent;
		schedule(mn, node, now + settings_.probe_interval);
	}
	return due;
}

std::optional<dmm::TimePoint> Liveness::next_deadline() const
{
	if (deadlines_.empty())
		return std::nullopt;
	return deadlines_.begin()->first;
}

} // namespace dlif::daemon
