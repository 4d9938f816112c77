// SPDX-License-Identifier: GPL-2.0
//
// The control socket: a UNIX stream socket (mode 0600: root only, like
// the changes it allows) taking one JSON request per line and answering
// each with one JSON line (include/dlif/control/protocol.hpp). Clients are
// served from the event loop without blocking it: replies wait in a
// per-client buffer until the socket takes them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "dlif/control/protocol.hpp"
#include "dlif/unique_fd.hpp"
#include "event_loop.hpp"

namespace dlif::daemon {

class ControlServer {
public:
	using Handler = std::function<control::Reply(const control::Request &)>;

	// Refuses to take over the socket of a running dlifd; removes a stale
	// socket file left by one that died.
	static nl::Result<std::unique_ptr<ControlServer>> open(const std::string &path, EventLoop &loop, Handler handler);

	// Only open() can make the key: a server exists only once listening.
	class Key {
		friend class ControlServer;
		Key() = default;
	};
	ControlServer(Key, std::string path, UniqueFd fd, EventLoop &loop, Handler handler);
	~ControlServer();
	ControlServer(const ControlServer &) = delete;
	ControlServer &operator=(const ControlServer &) = delete;

	const std::string &path() const noexcept { return path_; }
	std::size_t clients() const noexcept { return clients_.size(); }

	static constexpr std::size_t kMaxClients = 32;
	static constexpr std::size_t kMaxPendingReplyBytes = 64u << 20;

private:
	struct Client {
		UniqueFd fd;
		std::string input;
		std::string output;
	};

	void accept_clients();
	void on_client(int fd, std::uint32_t events);
	void flush(Client &client);
	void drop(int fd);

	std::string path_;
	UniqueFd fd_;
	EventLoop &loop_;
	Handler handler_;
	std::map<int, Client> clients_;
};

// The line a request gets: the handler's reply, or an error for a line
// that is not a request.
std::string answer_line(std::string_view line, const ControlServer::Handler &handler);

} // namespace dlif::daemon
