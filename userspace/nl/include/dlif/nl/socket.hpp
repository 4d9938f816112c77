// SPDX-License-Identifier: GPL-2.0
//
// A netlink socket (libmnl's mnl_socket, owned): the only place of this
// library that makes system calls. Opened with NETLINK_EXT_ACK, so that
// the kernel says why it refused a request, and NETLINK_CAP_ACK, so that an
// error does not echo the whole request back (which matters when thousands
// of acks are in flight).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "dlif/nl/result.hpp"

struct mnl_socket;

namespace dlif::nl {

// Large enough for any single datagram the kernel sends: dumps fill at
// most 32 KiB per message batch, whatever the reader offers.
inline constexpr std::size_t receive_buffer_bytes = 32768;

class Socket {
public:
	// bus: NETLINK_GENERIC for genl families, NETLINK_ROUTE for rtnetlink.
	static Result<Socket> open(int bus);

	Socket(Socket &&) noexcept = default;
	Socket &operator=(Socket &&) noexcept = default;
	~Socket() = default;

	int fd() const;
	uint32_t port_id() const;
	// Sequence numbers increase per request so that a late reply to an
	// abandoned request is recognised and skipped.
	uint32_t next_seq() { return seq_++; }
	uint32_t peek_seq() const { return seq_; }

	// One sendmsg of one or many messages.
	Status send(std::span<const std::byte> bytes);
	// One datagram into the socket's own buffer; the span is valid until
	// the next receive. ENOBUFS means the kernel dropped messages for us.
	Result<std::span<const std::byte>> receive();
	// Up to datagrams.size() datagrams with one recvmmsg, waiting for the
	// first only. Slot i of arena (slot_bytes each) receives datagram i;
	// its length goes to lengths[i]. Returns the number received.
	Result<std::size_t> receive_many(std::span<std::byte> arena, std::size_t slot_bytes,
					 std::span<std::size_t> lengths);

	Status join_group(uint32_t group);
	// Reads and discards whatever is queued, without waiting. True when
	// anything was there (a message, or an overrun that lost some): for
	// a subscriber that reads the state again on any change.
	Result<bool> drain();
	// Raises SO_RCVBUF / SO_SNDBUF, past the sysctl limits when the
	// process has CAP_NET_ADMIN (the *FORCE variants), else up to them.
	void grow_buffers(int receive_bytes, int send_bytes);
	// The sizes in force (as the kernel accounts them, i.e. doubled).
	std::size_t receive_buffer_size() const;
	std::size_t send_buffer_size() const;

	// Where kernel warnings (an ack with error 0 and a message) go; they
	// are dropped when no handler is set.
	void set_warning_handler(std::function<void(std::string_view)> handler);
	void warn(std::string_view message) const;

private:
	struct Closer {
		void operator()(mnl_socket *socket) const noexcept;
	};

	Socket() = default;

	std::unique_ptr<mnl_socket, Closer> socket_;
	std::vector<std::byte> buffer_;
	uint32_t seq_ = 0;
	std::function<void(std::string_view)> warning_handler_;
};

}  // namespace dlif::nl
