// SPDX-License-Identifier: GPL-2.0
//
// When each DLIF sends its Router Advertisement (R203, RFC 4861 §6.2.4,
// §6.2.6): a short burst of initial RAs as soon as the DLIF is installed
// (they are unicast to one node, so the burst needs not be spread over
// 16 s as for multicast), then one every `interval` with jitter, one at
// once on the node's RS (at most one per min_solicited_interval) and on
// AdvertiseNow or a changed plan. A silent DLIF (advertise false) sends
// nothing; an RS on it means the node is back (the daemon reports
// MnAttached). Pure: the daemon asks take_due() which DLIFs to send now
// and arms its timer at next_deadline(); sending is its business.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config.hpp"
#include "dlif/dmm/io.hpp"

namespace dlif::daemon {

class RaEngine {
public:
	explicit RaEngine(RaTiming timing, std::uint64_t seed = 0x646c6966u);

	// New timing: periodic RAs come no later than the new interval allows.
	void set_timing(const RaTiming &timing, dmm::TimePoint now);
	const RaTiming &timing() const noexcept { return timing_; }

	void install(const dmm::InstallDlif &dlif, dmm::TimePoint now);
	void remove(const std::string &name);
	void advertise_now(const std::string &name, dmm::TimePoint now);

	enum class Solicitation : std::uint8_t {
		answer,		// an RA is due now
		rate_limited,	// answered one a moment ago
		silent,		// the DLIF does not advertise: the node is back
		unknown,	// not a DLIF of ours
	};
	Solicitation solicited(const std::string &name, dmm::TimePoint now);

	std::optional<dmm::TimePoint> next_deadline() const;
	// The DLIFs whose RA is due at `now`, each once; their next RA is
	// scheduled as if these were sent.
	std::vector<std::string> take_due(dmm::TimePoint now);

	const dmm::InstallDlif *find(const std::string &name) const;
	std::size_t size() const noexcept { return dlifs_.size(); }
	std::size_t advertising() const noexcept;

private:
	struct State {
		dmm::InstallDlif install;
		unsigned initial_left = 0;	// RAs of the initial burst still to send
		dmm::TimePoint next_periodic{};
		std::optional<dmm::TimePoint> immediate;
		std::optional<dmm::TimePoint> last_solicited;
		std::optional<dmm::TimePoint> scheduled;	// its key in schedule_
	};

	dmm::Duration jittered_interval();
	void start_burst(State &state, dmm::TimePoint now);
	void reschedule(const std::string &name, State &state);
	void unschedule(const std::string &name, State &state);

	RaTiming timing_;
	std::mt19937_64 random_;
	std::map<std::string, State> dlifs_;
	std::set<std::pair<dmm::TimePoint, std::string>> schedule_;
};

} // namespace dlif::daemon
