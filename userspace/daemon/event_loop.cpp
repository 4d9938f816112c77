// SPDX-License-Identifier: GPL-2.0
#include "event_loop.hpp"

#include <sys/epoll.h>

#include <cerrno>
#include <cstring>

namespace dlif::daemon {

nl::Result<EventLoop> EventLoop::open()
{
	UniqueFd fd(epoll_create1(EPOLL_CLOEXEC));
	if (!fd)
		return nl::make_error(errno, std::string("epoll_create1: ") + std::strerror(errno));
	return EventLoop(std::move(fd));
}

nl::Status EventLoop::add(int fd, std::uint32_t events, Handler handler)
{
	epoll_event event{};
	event.events = events;
	event.data.fd = fd;
	if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) < 0)
		return nl::make_error(errno, std::string("epoll_ctl: ") + std::strerror(errno));
	handlers_[fd] = std::make_shared<Handler>(std::move(handler));
	return {};
}

nl::Status EventLoop::modify(int fd, std::uint32_t events)
{
	epoll_event event{};
	event.events = events;
	event.data.fd = fd;
	if (epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &event) < 0)
		return nl::make_error(errno, std::string("epoll_ctl: ") + std::strerror(errno));
	return {};
}

void EventLoop::remove(int fd)
{
	epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
	handlers_.erase(fd);
}

nl::Status EventLoop::run_once(int timeout_ms)
{
	epoll_event events[32];
	const int ready = epoll_wait(epoll_.get(), events, 32, timeout_ms);
	if (ready < 0) {
		if (errno == EINTR)
			return {};
		return nl::make_error(errno, std::string("epoll_wait: ") + std::strerror(errno));
	}
	for (int i = 0; i < ready; ++i) {
		auto it = handlers_.find(events[i].data.fd);
		if (it == handlers_.end())
			continue;	// removed by an earlier handler of this round
		// Hold the handler: it may remove its own fd while it runs.
		const std::shared_ptr<Handler> handler = it->second;
		(*handler)(events[i].events);
	}
	return {};
}

} // namespace dlif::daemon
