// SPDX-License-Identifier: GPL-2.0
//
// Helpers for unit tests that drive one core directly.
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "dlif/cmd/cmd.hpp"
#include "dlif/maar/maar.hpp"
#include "test_util.hpp"

namespace dlif::sim {

template <typename T>
std::vector<T> all(const Actions &actions)
{
	std::vector<T> out;
	for (const auto &action : actions)
		if (const auto *item = std::get_if<T>(&action))
			out.push_back(*item);
	return out;
}

inline std::vector<mh::ProxyBindingAck> pbas(const Actions &actions)
{
	std::vector<mh::ProxyBindingAck> out;
	for (const auto &send : all<SendMh>(actions))
		if (const auto *pba = std::get_if<mh::ProxyBindingAck>(&send.message))
			out.push_back(*pba);
	return out;
}

inline std::vector<mh::ProxyBindingUpdate> pbus(const Actions &actions)
{
	std::vector<mh::ProxyBindingUpdate> out;
	for (const auto &send : all<SendMh>(actions))
		if (const auto *pbu = std::get_if<mh::ProxyBindingUpdate>(&send.message))
			out.push_back(*pbu);
	return out;
}

inline bool logged(const Actions &actions, const std::string &event)
{
	for (const auto &log : all<Log>(actions))
		if (log.event == event)
			return true;
	return false;
}

inline MhReceived received(NodeId from, mh::Message message, NodeId to = kCmd)
{
	return MhReceived{Network::address(from), Network::address(to), std::move(message)};
}

inline CmdConfig test_cmd_config(CmdMode mode = CmdMode::proxy)
{
	CmdConfig config;
	config.address = Network::address(kCmd);
	config.mode = mode;
	config.timers = SimOptions::default_timers();
	for (NodeId node = 1; node <= kMaars; ++node)
		config.domain.maars.push_back(Network::address(node));
	return config;
}

inline MaarConfig test_maar_config(NodeId node)
{
	MaarConfig config;
	config.address = Network::address(node);
	config.cmd = Network::address(kCmd);
	config.timers = SimOptions::default_timers();
	for (NodeId other = 1; other <= kMaars; ++other)
		config.domain.maars.push_back(Network::address(other));
	Ipv6Prefix pool = pfx("2001:db8::/48");
	pool.address.bytes[5] = static_cast<std::uint8_t>(node);
	config.prefix_pool = pool;
	config.access_interfaces = {"wlan0"};
	return config;
}

} // namespace dlif::sim
