// SPDX-License-Identifier: GPL-2.0
//
// The plumbing both protocol cores (CmdCore, MaarCore) put around their
// Impl: the noexcept event entry point and the all-or-nothing snapshot
// restore. Each Impl provides on_event(), count(), restore(), and the
// members config, wall and counters.
#pragma once

#include <exception>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "dlif/dmm/core.hpp"
#include "dlif/dmm/json.hpp"
#include "dlif/mh/result.hpp"

namespace dlif::dmm::detail {

// An event's actions. The cores are called from the daemon's event loop:
// an exception (a bug, or memory exhaustion) becomes a counter and, if it
// can still be allocated, a log line - never the end of the loop. The
// reservation avoids regrowth for the few actions an event usually causes.
template <class Impl, class Counter>
Actions handle_guarded(Impl &impl, Counter internal_errors, const Event &event, TimePoint now,
		       std::size_t usual_actions) noexcept
{
	Actions out;
	try {
		out.reserve(usual_actions);
		impl.on_event(event, now, out);
	} catch (const std::exception &error) {
		impl.count(internal_errors);
		try {
			out.push_back(make_log(LogLevel::error, "internal-error", {{"what", error.what()}}));
		} catch (...) {
		}
	} catch (...) {
		impl.count(internal_errors);
	}
	return out;
}

// Restores a snapshot into a fresh Impl that replaces the current one only
// when the whole snapshot was read: a bad file leaves the core as it was.
// The wall clock mapping and the counters carry over. `restore` reads the
// snapshot into the fresh Impl and returns what to re-issue.
template <class Impl, class Restore>
mh::Result<Actions, std::string> restore_whole(std::unique_ptr<Impl> &impl, Restore &&restore)
{
	try {
		auto fresh = std::make_unique<Impl>(impl->config);
		fresh->wall = impl->wall;
		fresh->counters = impl->counters;
		Actions actions = restore(*fresh);
		impl = std::move(fresh);
		return actions;
	} catch (const std::exception &error) {
		return mh::unexpected(std::string("snapshot: ") + error.what());
	}
}

// restore_whole() of a whole snapshot: the list `list_key` holds the
// records.
template <class Impl>
mh::Result<Actions, std::string> restore_snapshot(std::unique_ptr<Impl> &impl, std::string_view text,
						  const char *list_key, TimePoint now)
{
	return restore_whole(impl, [&](Impl &fresh) {
		const auto snapshot = nlohmann::json::parse(text.begin(), text.end());
		return fresh.restore(
			snapshot, [&](const auto &restore_one) {
				for (const auto &item : json::member(snapshot, list_key))
					restore_one(item);
			},
			now);
	});
}

// restore_whole() of a header and its records, parsed one at a time: a
// million records parsed at once would take gigabytes.
template <class Impl>
mh::Result<Actions, std::string> restore_records(std::unique_ptr<Impl> &impl, std::string_view header,
						 std::span<const std::string> records, TimePoint now)
{
	return restore_whole(impl, [&](Impl &fresh) {
		return fresh.restore(
			nlohmann::json::parse(header.begin(), header.end()),
			[&](const auto &restore_one) {
				for (const auto &record : records)
					restore_one(nlohmann::json::parse(record));
			},
			now);
	});
}

}	// namespace dlif::dmm::detail
