// SPDX-License-Identifier: GPL-2.0
#include "control_server.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

namespace dlif::daemon {

namespace {

nl::Error system_error(const std::string &what)
{
	const int code = errno;
	return nl::make_error(code, what + ": " + std::strerror(code));
}

sockaddr_un address_of(const std::string &path)
{
	sockaddr_un address{};
	address.sun_family = AF_UNIX;
	std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
	return address;
}

} // namespace

std::string answer_line(std::string_view line, const ControlServer::Handler &handler)
{
	auto request = control::decode_request(line);
	const control::Reply reply = request ? handler(*request) : control::failure(request.error());
	return control::encode_reply(reply) + "\n";
}

nl::Result<std::unique_ptr<ControlServer>> ControlServer::open(const std::string &path, EventLoop &loop,
							       Handler handler)
{
	if (path.size() >= sizeof(sockaddr_un::sun_path))
		return nl::make_error(ENAMETOOLONG, "control socket path too long: " + path);
	const sockaddr_un address = address_of(path);

	// A socket file already there: a running dlifd answers on it (refuse
	// to start a second one); a dead one's file refuses connections.
	struct stat st {};
	if (::lstat(path.c_str(), &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return nl::make_error(EEXIST, path + " exists and is not a socket");
		UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
		if (probe && ::connect(probe.get(), reinterpret_cast<const sockaddr *>(&address), sizeof(address)) == 0)
			return nl::make_error(EADDRINUSE, "another dlifd is running (it answers on " + path + ")");
		::unlink(path.c_str());
	}

	// The default lives in its own directory (/run/dlifd, which systemd's
	// RuntimeDirectory= makes for an unprivileged service user); started
	// by hand, dlifd makes it, for its user only. A deeper missing path is
	// a configuration mistake and stays an error.
	if (const auto slash = path.rfind('/'); slash != std::string::npos && slash > 0) {
		const std::string directory = path.substr(0, slash);
		if (::mkdir(directory.c_str(), 0700) < 0 && errno != EEXIST)
			return system_error("cannot make the control socket's directory " + directory);
	}

	UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (!fd)
		return system_error("cannot open the control socket");
	// Created without group or other permissions from the start: no
	// window in which another user could connect.
	const mode_t old_mask = ::umask(0177);
	const int bound = ::bind(fd.get(), reinterpret_cast<const sockaddr *>(&address), sizeof(address));
	::umask(old_mask);
	if (bound < 0)
		return system_error("cannot bind the control socket " + path);
	::chmod(path.c_str(), 0600);
	if (::listen(fd.get(), 16) < 0)
		return system_error("cannot listen on " + path);
	auto server = std::make_unique<ControlServer>(Key(), path, std::move(fd), loop, std::move(handler));
	ControlServer *self = server.get();
	if (auto status = loop.add(self->fd_.get(), EPOLLIN, [self](std::uint32_t) { self->accept_clients(); }); !status)
		return status.error();
	return server;
}

ControlServer::ControlServer(Key, std::string path, UniqueFd fd, EventLoop &loop, Handler handler)
	: path_(std::move(path)), fd_(std::move(fd)), loop_(loop), handler_(std::move(handler))
{
}

ControlServer::~ControlServer()
{
	for (const auto &[fd, client] : clients_)
		loop_.remove(fd);
	loop_.remove(fd_.get());
	::unlink(path_.c_str());
}

void ControlServer::accept_clients()
{
	for (;;) {
		UniqueFd client(::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
		if (!client)
			return;	// EAGAIN, or a client gone before we got to it
		if (clients_.size() >= kMaxClients)
			continue;	// closed at once: the client sees EOF
		const int fd = client.get();
		if (!loop_.add(fd, EPOLLIN, [this, fd](std::uint32_t events) { on_client(fd, events); }))
			continue;
		clients_.emplace(fd, Client{std::move(client), {}, {}});
	}
}

void ControlServer::drop(int fd)
{
	loop_.remove(fd);
	clients_.erase(fd);
}

void ControlServer::flush(Client &client)
{
	while (!client.output.empty()) {
		const ssize_t n = ::send(client.fd.get(), client.output.data(), client.output.size(), MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			client.output.clear();
			drop(client.fd.get());
			return;
		}
		client.output.erase(0, static_cast<std::size_t>(n));
	}
	const int fd = client.fd.get();
	if (!loop_.modify(fd, client.output.empty() ? EPOLLIN : EPOLLIN | EPOLLOUT))
		drop(fd);
}

void ControlServer::on_client(int fd, std::uint32_t events)
{
	auto it = clients_.find(fd);
	if (it == clients_.end())
		return;
	Client &client = it->second;
	if (events & EPOLLOUT) {
		flush(client);
		if (!clients_.contains(fd))
			return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	char chunk[4096];
	bool closed = false;
	for (;;) {
		const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
		if (n > 0) {
			client.input.append(chunk, static_cast<std::size_t>(n));
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		closed = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
		break;
	}
	std::size_t start = 0;
	for (std::size_t end; (end = client.input.find('\n', start)) != std::string::npos; start = end + 1) {
		std::string_view line(client.input.data() + start, end - start);
		if (!line.empty() && line.back() == '\r')
			line.remove_suffix(1);
		if (line.empty())
			continue;
		client.output += answer_line(line, handler_);
	}
	client.input.erase(0, start);
	if (client.input.size() > control::kMaxRequestBytes || client.output.size() > kMaxPendingReplyBytes) {
		drop(fd);
		return;
	}
	if (!client.output.empty())
		flush(client);
	if (closed && clients_.contains(fd) && clients_.at(fd).output.empty())
		drop(fd);
}

} // namespace dlif::daemon
