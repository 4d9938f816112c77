// SPDX-License-Identifier: GPL-2.0
//
// Netlink messages as bytes: building one request into a caller's buffer,
// walking the messages of a received datagram, reading attributes with
// their lengths checked, and decoding NLMSG_ERROR / NLMSG_DONE with their
// extended ack. Everything here is a pure function of its buffers, so it is
// tested without a kernel; sockets live in socket.hpp.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "dlif/address.hpp"
#include "dlif/nl/result.hpp"

namespace dlif::nl {

// Buffers handed to MessageBuilder must be aligned like this.
inline constexpr std::size_t message_alignment = NLMSG_ALIGNTO;

// Writes one netlink message at the front of a caller-provided buffer.
// Nothing is allocated. Once something does not fit, the builder turns
// not-ok and every later call does nothing, so a caller checks ok() once at
// the end instead of after every attribute.
class MessageBuilder {
public:
	struct Nest {
		nlattr *attr = nullptr;
	};

	MessageBuilder(std::span<std::byte> buffer, uint16_t type, uint16_t flags, uint32_t seq);

	// Reserves and zeroes a fixed header after the netlink header (e.g.
	// struct genlmsghdr); nullptr when it does not fit.
	void *put_extra_header(std::size_t size);

	void put_u8(uint16_t type, uint8_t value);
	void put_u16(uint16_t type, uint16_t value);
	void put_u32(uint16_t type, uint32_t value);
	// Like the kernel's nla_put_u64_64bit: a pad_type attribute first when
	// needed so the value sits on an 8-byte boundary of the message.
	void put_u64(uint16_t type, uint64_t value, uint16_t pad_type);
	void put_bytes(uint16_t type, std::span<const uint8_t> bytes);
	void put_string(uint16_t type, std::string_view text);	// NUL-terminated
	void put_ipv6(uint16_t type, const Ipv6Address &address);
	void put_mac(uint16_t type, const MacAddress &address);

	Nest begin_nest(uint16_t type);
	void end_nest(Nest nest);

	bool ok() const { return ok_; }
	nlmsghdr *header() { return ok_ ? header_ : nullptr; }
	std::size_t size() const { return ok_ ? header_->nlmsg_len : 0; }
	std::span<const std::byte> bytes() const;

private:
	nlmsghdr *header_ = nullptr;
	std::size_t capacity_ = 0;
	bool ok_ = false;
};

// ---- reading -----------------------------------------------------------

// Payload of a message after its netlink header and extra_header bytes;
// empty when the message is shorter than that.
std::span<const std::byte> message_payload(const nlmsghdr &msg, std::size_t extra_header = 0);
std::span<const std::byte> attribute_payload(const nlattr &attr);
// Attribute type without NLA_F_NESTED / NLA_F_NET_BYTEORDER.
uint16_t attribute_type(const nlattr &attr);

// Stores each attribute of bytes whose type is below table.size() into
// table[type] (the last one wins); types past the table are skipped, since
// a newer kernel may send attributes this code does not know. The table is
// cleared first. False when an attribute's length runs past the bytes.
bool parse_attributes(std::span<const std::byte> bytes, std::span<const nlattr *> table);
bool parse_nested(const nlattr &nest, std::span<const nlattr *> table);

// Typed reads; nullopt when the attribute is absent or its payload does not
// have exactly the size of the type.
std::optional<uint8_t> read_u8(const nlattr *attr);
std::optional<uint16_t> read_u16(const nlattr *attr);
std::optional<uint32_t> read_u32(const nlattr *attr);
std::optional<uint64_t> read_u64(const nlattr *attr);
std::optional<Ipv6Address> read_ipv6(const nlattr *attr);
std::optional<MacAddress> read_mac(const nlattr *attr);
// Up to the first NUL (or the end); nullopt when absent.
std::optional<std::string_view> read_string(const nlattr *attr);

// Calls visit(const nlmsghdr &) for each message of a datagram in order;
// stops early when visit returns false. Returns false when the datagram
// ends inside a message (a truncated or corrupt datagram).
template <typename Visit>
bool for_each_message(std::span<const std::byte> datagram, Visit &&visit)
{
	const std::byte *pos = datagram.data();
	std::size_t left = datagram.size();
	while (left >= sizeof(nlmsghdr)) {
		const auto *msg = reinterpret_cast<const nlmsghdr *>(pos);
		if (msg->nlmsg_len < sizeof(nlmsghdr) || msg->nlmsg_len > left)
			return false;
		if (!visit(*msg))
			return true;
		std::size_t step = NLMSG_ALIGN(msg->nlmsg_len);
		if (step >= left)
			return true;
		pos += step;
		left -= step;
	}
	return left == 0;
}

// The outcome the kernel reports in NLMSG_ERROR (an ack when error is 0)
// or in the NLMSG_DONE ending a dump, with its extended ack.
struct Ack {
	int error = 0;			// 0, or a positive errno
	std::string message;		// NLMSGERR_ATTR_MSG; with error 0 it is a warning
	std::optional<uint32_t> offset;
	std::optional<uint32_t> missing_type;
	std::optional<uint32_t> missing_nest;

	Error to_error() const;
};

// NLMSG_ERROR: nullopt when the message is too short to hold struct nlmsgerr.
std::optional<Ack> parse_error_message(const nlmsghdr &msg);
// NLMSG_DONE: a dump may end with an error there; a bare DONE is success.
Ack parse_done_message(const nlmsghdr &msg);

}  // namespace dlif::nl
