// SPDX-License-Identifier: GPL-2.0
//
// What dlifd tells systemd (sd_notify(3), through libsystemd): READY=1 once
// it serves, RELOADING=1 then READY=1 around a SIGHUP, STOPPING=1 on
// SIGTERM, and WATCHDOG=1 from the event loop, so that a loop stuck
// anywhere stops the pings and systemd restarts the service
// (WatchdogSec= in contrib/systemd/dlifd.service). Started by anything
// else (no NOTIFY_SOCKET in the environment), every call does nothing.
#pragma once

#include <optional>
#include <string_view>

#include "dlif/dmm/types.hpp"

namespace dlif::daemon {

class ServiceNotifier {
public:
	// Reads the watchdog interval systemd set for this process
	// (WATCHDOG_USEC and WATCHDOG_PID), if any.
	ServiceNotifier();

	void ready(std::string_view status) const;
	void reloading() const;
	void stopping() const;
	// STATUS= alone: what systemctl status shows (a standby, a leader).
	void status(std::string_view text) const;

	// How often the loop pings: half the interval systemd expects, as
	// sd_watchdog_enabled(3) advises. Empty without a watchdog.
	std::optional<dmm::Duration> watchdog_period() const noexcept { return watchdog_period_; }
	void feed_watchdog() const;

private:
	void notify(const char *message) const;

	std::optional<dmm::Duration> watchdog_period_;
};

} // namespace dlif::daemon
