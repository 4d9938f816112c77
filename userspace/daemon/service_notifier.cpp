// SPDX-License-Identifier: GPL-2.0
#include "service_notifier.hpp"

#include <systemd/sd-daemon.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace dlif::daemon {

ServiceNotifier::ServiceNotifier()
{
	std::uint64_t usec = 0;
	// The variables stay set: a child the daemon might start is not its
	// watchdog's business, but dlifd starts none.
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
		watchdog_period_ = std::chrono::duration_cast<dmm::Duration>(std::chrono::microseconds(usec / 2));
}

void ServiceNotifier::notify(const char *message) const
{
	// A service manager that went away is no reason to stop serving.
	(void)sd_notify(0, message);
}

void ServiceNotifier::ready(std::string_view status) const
{
	const std::string message = "READY=1\nSTATUS=" + std::string(status);
	notify(message.c_str());
}

void ServiceNotifier::status(std::string_view text) const
{
	const std::string message = "STATUS=" + std::string(text);
	notify(message.c_str());
}

void ServiceNotifier::reloading() const
{
	// systemd 253 and later want the CLOCK_MONOTONIC time of the request,
	// to tell this reload from an earlier one; 252 ignores it.
	timespec now{};
	clock_gettime(CLOCK_MONOTONIC, &now);
	const auto usec = static_cast<std::uint64_t>(now.tv_sec) * 1000000u +
			  static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
	const std::string message = "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec);
	notify(message.c_str());
}

void ServiceNotifier::stopping() const
{
	notify("STOPPING=1");
}

void ServiceNotifier::feed_watchdog() const
{
	if (watchdog_period_)
		notify("WATCHDOG=1");
}

} // namespace dlif::daemon
