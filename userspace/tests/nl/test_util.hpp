// SPDX-License-Identifier: GPL-2.0
//
// Hand-assembled netlink bytes for the tests, written without
// MessageBuilder so that the builder and the parsers are checked against
// an independent rendering of the wire format.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace dlif::nl::test {

// A growable, 8-byte aligned byte buffer.
class Bytes {
public:
	std::size_t size() const { return size_; }
	std::byte *data() { return reinterpret_cast<std::byte *>(words_.data()); }
	const std::byte *data() const { return reinterpret_cast<const std::byte *>(words_.data()); }
	std::span<const std::byte> span() const { return {data(), size_}; }
	operator std::span<const std::byte>() const { return span(); }

	void append(const void *bytes, std::size_t len)
	{
		if (len == 0)
			return;
		words_.resize((size_ + len + 7) / 8 + 1);
		std::memcpy(data() + size_, bytes, len);
		size_ += len;
	}
	void pad_to(std::size_t alignment)
	{
		static const char zeros[8] = {};
		append(zeros, (alignment - size_ % alignment) % alignment);
	}
	template <typename T>
	void put(const T &value) { append(&value, sizeof(value)); }
	void attr(uint16_t type, const void *payload, std::size_t len)
	{
		nlattr a{static_cast<uint16_t>(NLA_HDRLEN + len), type};
		put(a);
		append(payload, len);
		pad_to(NLA_ALIGNTO);
	}
	void attr_string(uint16_t type, const std::string &text)
	{
		attr(type, text.c_str(), text.size() + 1);
	}
	template <typename T>
	void attr_value(uint16_t type, T value) { attr(type, &value, sizeof(value)); }
	void concat(const Bytes &other) { append(other.data(), other.size()); }

	// Patches a u32 at offset (for nlmsg_len / nla_len fix-ups).
	void set_u32(std::size_t offset, uint32_t value) { std::memcpy(data() + offset, &value, 4); }
	void set_u16(std::size_t offset, uint16_t value) { std::memcpy(data() + offset, &value, 2); }

private:
	std::vector<uint64_t> words_;
	std::size_t size_ = 0;
};

inline nlmsghdr header(uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid, uint32_t len = 0)
{
	nlmsghdr h{};
	h.nlmsg_len = len;
	h.nlmsg_type = type;
	h.nlmsg_flags = flags;
	h.nlmsg_seq = seq;
	h.nlmsg_pid = pid;
	return h;
}

// NLMSG_ERROR answering `request` (a whole request message) as the kernel
// writes it: echoed request unless capped, then the extack TLVs.
inline Bytes error_message(int error, std::span<const std::byte> request, bool capped,
			   const Bytes &tlvs, uint32_t pid)
{
	nlmsghdr orig;
	std::memcpy(&orig, request.data(), sizeof(orig));
	uint16_t flags = 0;
	if (capped || error == 0)
		flags |= NLM_F_CAPPED;
	if (tlvs.size() > 0)
		flags |= NLM_F_ACK_TLVS;
	Bytes m;
	m.put(header(NLMSG_ERROR, flags, orig.nlmsg_seq, pid));
	m.put(-error);
	if (flags & NLM_F_CAPPED)
		m.put(orig);
	else
		m.append(request.data(), orig.nlmsg_len);
	m.pad_to(NLMSG_ALIGNTO);
	m.concat(tlvs);
	m.set_u32(0, static_cast<uint32_t>(m.size()));
	return m;
}

inline Bytes done_message(uint32_t seq, uint32_t pid, int error = 0, const Bytes &tlvs = {})
{
	Bytes m;
	m.put(header(NLMSG_DONE, NLM_F_MULTI | (tlvs.size() ? NLM_F_ACK_TLVS : 0), seq, pid));
	m.put(-error);
	m.concat(tlvs);
	m.set_u32(0, static_cast<uint32_t>(m.size()));
	return m;
}

}  // namespace dlif::nl::test
