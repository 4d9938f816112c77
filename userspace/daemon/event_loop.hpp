// SPDX-License-Identifier: GPL-2.0
//
// An epoll loop: fds with a handler each. Handlers may add and remove fds
// (their own included) while the loop dispatches.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "dlif/nl/result.hpp"
#include "dlif/unique_fd.hpp"

namespace dlif::daemon {

class EventLoop {
public:
	using Handler = std::function<void(std::uint32_t events)>;

	static nl::Result<EventLoop> open();

	nl::Status add(int fd, std::uint32_t events, Handler handler);
	nl::Status modify(int fd, std::uint32_t events);
	void remove(int fd);

	// Waits until something is ready (or timeout_ms passes, -1 = forever)
	// and runs the handlers of what is.
	nl::Status run_once(int timeout_ms = -1);

private:
	explicit EventLoop(UniqueFd epoll) : epoll_(std::move(epoll)) {}
	UniqueFd epoll_;
	std::map<int, std::shared_ptr<Handler>> handlers_;
};

} // namespace dlif::daemon
