// SPDX-License-Identifier: GPL-2.0
#include "ra_engine.hpp"

#include <algorithm>

namespace dlif::daemon {

RaEngine::RaEngine(RaTiming timing, std::uint64_t seed) : timing_(timing), random_(seed) {}

dmm::Duration RaEngine::jittered_interval()
{
	// Between 3/4 of the interval and the interval, so that the RAs of
	// DLIFs installed together drift apart instead of bunching.
	const auto max = timing_.interval.count();
	const auto min = max - max / 4;
	return dmm::Duration(std::uniform_int_distribution<dmm::Duration::rep>(min, max)(random_));
}

void RaEngine::unschedule(const std::string &name, State &state)
{
	if (state.scheduled)
		schedule_.erase({*state.scheduled, name});
	state.scheduled.reset();
}

void RaEngine::reschedule(const std::string &name, State &state)
{
	unschedule(name, state);
	if (!state.install.advertise)
		return;
	dmm::TimePoint due = state.next_periodic;
	if (state.immediate)
		due = std::min(due, *state.immediate);
	state.scheduled = due;
	schedule_.insert({due, name});
}

void RaEngine::start_burst(State &state, dmm::TimePoint now)
{
	state.initial_left = timing_.initial_count;
	state.next_periodic = now;
	state.immediate.reset();
}

void RaEngine::set_timing(const RaTiming &timing, dmm::TimePoint now)
{
	timing_ = timing;
	for (auto &[name, state] : dlifs_) {
		if (!state.install.advertise || state.initial_left > 0)
			continue;
		state.next_periodic = std::min(state.next_periodic, now + jittered_interval());
		reschedule(name, state);
	}
}

void RaEngine::install(const dmm::InstallDlif &dlif, dmm::TimePoint now)
{
	auto it = dlifs_.find(dlif.name);
	if (it == dlifs_.end()) {
		State state;
		state.install = dlif;
		if (dlif.advertise)
			start_burst(state, now);
		it = dlifs_.emplace(dlif.name, std::move(state)).first;
		reschedule(it->first, it->second);
		return;
	}
	State &state = it->second;
	const bool was_advertising = state.install.advertise;
	const bool plan_changed = state.install.ra != dlif.ra || state.install.identity != dlif.identity ||
				  state.install.mn != dlif.mn;
	state.install = dlif;
	if (dlif.advertise && !was_advertising)
		start_burst(state, now);	// the node is (back) on this link
	else if (dlif.advertise && plan_changed)
		state.immediate = now;
	reschedule(it->first, state);
}

void RaEngine::remove(const std::string &name)
{
	auto it = dlifs_.find(name);
	if (it == dlifs_.end())
		return;
	unschedule(name, it->second);
	dlifs_.erase(it);
}

void RaEngine::advertise_now(const std::string &name, dmm::TimePoint now)
{
	auto it = dlifs_.find(name);
	if (it == dlifs_.end() || !it->second.install.advertise)
		return;
	it->second.immediate = now;
	reschedule(name, it->second);
}

RaEngine::Solicitation RaEngine::solicited(const std::string &name, dmm::TimePoint now)
{
	auto it = dlifs_.find(name);
	if (it == dlifs_.end())
		return Solicitation::unknown;
	State &state = it->second;
	if (!state.install.advertise)
		return Solicitation::silent;
	if (state.last_solicited && now - *state.last_solicited < timing_.min_solicited_interval)
		return Solicitation::rate_limited;
	state.last_solicited = now;
	state.immediate = now;
	reschedule(name, state);
	return Solicitation::answer;
}

std::optional<dmm::TimePoint> RaEngine::next_deadline() const
{
	if (schedule_.empty())
		return std::nullopt;
	return schedule_.begin()->first;
}

std::vector<std::string> RaEngine::take_due(dmm::TimePoint now)
{
	// Collect first: rescheduling below inserts into schedule_.
	std::vector<std::string> due;
	for (const auto &[when, name] : schedule_) {
		if (when > now)
			break;
		due.push_back(name);
	}
	for (const auto &name : due) {
		State &state = dlifs_.at(name);
		if (state.next_periodic <= now) {
			if (state.initial_left > 0)
				--state.initial_left;
			state.next_periodic = now + (state.initial_left > 0 ? timing_.initial_interval : jittered_interval());
		}
		state.immediate.reset();
		reschedule(name, state);
	}
	return due;
}

const dmm::InstallDlif *RaEngine::find(const std::string &name) const
{
	auto it = dlifs_.find(name);
	return it == dlifs_.end() ? nullptr : &it->second.install;
}

std::size_t RaEngine::advertising() const noexcept
{
	return static_cast<std::size_t>(
		std::count_if(dlifs_.begin(), dlifs_.end(), [](const auto &item) { return item.second.install.advertise; }));
}

} // namespace dlif::daemon
