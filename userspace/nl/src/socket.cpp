// SPDX-License-Identifier: GPL-2.0
#include "dlif/nl/socket.hpp"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

namespace dlif::nl {

void Socket::Closer::operator()(mnl_socket *socket) const noexcept
{
	mnl_socket_close(socket);
}

Result<Socket> Socket::open(int bus)
{
	Socket sock;
	sock.socket_.reset(mnl_socket_open2(bus, SOCK_CLOEXEC));
	if (!sock.socket_)
		return make_error(errno, "cannot open netlink socket");
	// Both options exist since Linux 4.12; on an older kernel requests
	// still work, only without the kernel's explanations.
	int one = 1;
	mnl_socket_setsockopt(sock.socket_.get(), NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(sock.socket_.get(), NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(sock.socket_.get(), 0, MNL_SOCKET_AUTOPID) < 0)
		return make_error(errno, "cannot bind netlink socket");
	sock.buffer_.resize(receive_buffer_bytes);
	// Start from the clock like iproute2 does, so that two processes
	// that got the same port id one after the other do not overlap.
	sock.seq_ = static_cast<uint32_t>(std::time(nullptr));
	return sock;
}

int Socket::fd() const
{
	return mnl_socket_get_fd(socket_.get());
}

uint32_t Socket::port_id() const
{
	return mnl_socket_get_portid(socket_.get());
}

Status Socket::send(std::span<const std::byte> bytes)
{
	for (;;) {
		ssize_t sent = mnl_socket_sendto(socket_.get(), bytes.data(), bytes.size());
		if (sent >= 0)
			return {};
		if (errno != EINTR)
			return make_error(errno);
	}
}

Result<std::span<const std::byte>> Socket::receive()
{
	for (;;) {
		ssize_t got = mnl_socket_recvfrom(socket_.get(), buffer_.data(), buffer_.size());
		if (got >= 0)
			return std::span<const std::byte>(buffer_.data(), static_cast<std::size_t>(got));
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS)
			return make_error(ENOBUFS, "netlink messages lost (receive buffer overrun)");
		return make_error(errno);
	}
}

Result<std::size_t> Socket::receive_many(std::span<std::byte> arena, std::size_t slot_bytes,
					 std::span<std::size_t> lengths)
{
	std::size_t slots = std::min(lengths.size(), arena.size() / slot_bytes);
	if (slots == 0)
		return make_error(EINVAL, "receive_many: no room");
	constexpr std::size_t max_slots = 256;
	slots = std::min(slots, max_slots);
	iovec iov[max_slots];
	mmsghdr msgs[max_slots] = {};
	for (std::size_t i = 0; i < slots; ++i) {
		iov[i].iov_base = arena.data() + i * slot_bytes;
		iov[i].iov_len = slot_bytes;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	for (;;) {
		int got = recvmmsg(fd(), msgs, static_cast<unsigned>(slots), MSG_WAITFORONE, nullptr);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS)
				return make_error(ENOBUFS,
						  "netlink acks lost (receive buffer overrun)");
			return make_error(errno);
		}
		for (int i = 0; i < got; ++i) {
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
				return make_error(EMSGSIZE, "netlink reply larger than its buffer");
			lengths[static_cast<std::size_t>(i)] = msgs[i].msg_len;
		}
		return static_cast<std::size_t>(got);
	}
}

Result<bool> Socket::drain()
{
	bool seen = false;
	for (;;) {
		ssize_t got = recv(fd(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
		if (got >= 0 || errno == ENOBUFS) {
			seen = true;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return seen;
		return make_error(errno);
	}
}

Status Socket::join_group(uint32_t group)
{
	if (mnl_socket_setsockopt(socket_.get(), NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
		return make_error(errno, "cannot join the multicast group");
	return {};
}

void Socket::grow_buffers(int receive_bytes, int send_bytes)
{
	if (receive_bytes > 0 &&
	    setsockopt(fd(), SOL_SOCKET, SO_RCVBUFFORCE, &receive_bytes, sizeof(receive_bytes)) < 0)
		setsockopt(fd(), SOL_SOCKET, SO_RCVBUF, &receive_bytes, sizeof(receive_bytes));
	if (send_bytes > 0 &&
	    setsockopt(fd(), SOL_SOCKET, SO_SNDBUFFORCE, &send_bytes, sizeof(send_bytes)) < 0)
		setsockopt(fd(), SOL_SOCKET, SO_SNDBUF, &send_bytes, sizeof(send_bytes));
}

namespace {

std::size_t socket_int_option(int fd, int option)
{
	int value = 0;
	socklen_t len = sizeof(value);
	if (getsockopt(fd, SOL_SOCKET, option, &value, &len) < 0 || value < 0)
		return 0;
	return static_cast<std::size_t>(value);
}

}  // namespace

std::size_t Socket::receive_buffer_size() const
{
	return socket_int_option(fd(), SO_RCVBUF);
}

std::size_t Socket::send_buffer_size() const
{
	return socket_int_option(fd(), SO_SNDBUF);
}

void Socket::set_warning_handler(std::function<void(std::string_view)> handler)
{
	warning_handler_ = std::move(handler);
}

void Socket::warn(std::string_view message) const
{
	if (warning_handler_)
		warning_handler_(message);
}

}  // namespace dlif::nl
