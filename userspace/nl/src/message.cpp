// SPDX-License-Identifier: GPL-2.0
#include "dlif/nl/message.hpp"

#include <libmnl/libmnl.h>

#include <array>
#include <cstring>

namespace dlif::nl {

MessageBuilder::MessageBuilder(std::span<std::byte> buffer, uint16_t type, uint16_t flags,
			       uint32_t seq)
{
	if (buffer.size() < NLMSG_HDRLEN ||
	    reinterpret_cast<uintptr_t>(buffer.data()) % message_alignment != 0)
		return;
	header_ = mnl_nlmsg_put_header(buffer.data());
	header_->nlmsg_type = type;
	header_->nlmsg_flags = flags;
	header_->nlmsg_seq = seq;
	capacity_ = buffer.size();
	ok_ = true;
}

void *MessageBuilder::put_extra_header(std::size_t size)
{
	if (!ok_)
		return nullptr;
	if (header_->nlmsg_len + MNL_ALIGN(size) > capacity_) {
		ok_ = false;
		return nullptr;
	}
	return mnl_nlmsg_put_extra_header(header_, size);
}

void MessageBuilder::put_bytes(uint16_t type, std::span<const uint8_t> bytes)
{
	if (ok_ && !mnl_attr_put_check(header_, capacity_, type, bytes.size(), bytes.data()))
		ok_ = false;
}

void MessageBuilder::put_u8(uint16_t type, uint8_t value)
{
	put_bytes(type, std::span(&value, 1));
}

void MessageBuilder::put_u16(uint16_t type, uint16_t value)
{
	if (ok_ && !mnl_attr_put_u16_check(header_, capacity_, type, value))
		ok_ = false;
}

void MessageBuilder::put_u32(uint16_t type, uint32_t value)
{
	if (ok_ && !mnl_attr_put_u32_check(header_, capacity_, type, value))
		ok_ = false;
}

void MessageBuilder::put_u64(uint16_t type, uint64_t value, uint16_t pad_type)
{
	if (!ok_)
		return;
	// The value starts one attribute header past the current end.
	if ((header_->nlmsg_len + MNL_ATTR_HDRLEN) % 8 != 0)
		put_bytes(pad_type, {});
	if (ok_ && !mnl_attr_put_u64_check(header_, capacity_, type, value))
		ok_ = false;
}

void MessageBuilder::put_string(uint16_t type, std::string_view text)
{
	if (!ok_)
		return;
	// mnl_attr_put_strz_check wants a C string; build the payload here so
	// that a string_view without a terminator works too.
	std::size_t len = text.size() + 1;
	if (header_->nlmsg_len + MNL_ALIGN(MNL_ATTR_HDRLEN + len) > capacity_) {
		ok_ = false;
		return;
	}
	auto *attr = static_cast<nlattr *>(mnl_nlmsg_get_payload_tail(header_));
	attr->nla_type = type;
	attr->nla_len = static_cast<uint16_t>(MNL_ATTR_HDRLEN + len);
	auto *payload = static_cast<char *>(mnl_attr_get_payload(attr));
	std::memcpy(payload, text.data(), text.size());
	// Zero the terminator and the alignment padding.
	std::memset(payload + text.size(), 0, MNL_ALIGN(len) - text.size());
	header_->nlmsg_len += static_cast<uint32_t>(MNL_ALIGN(attr->nla_len));
}

void MessageBuilder::put_ipv6(uint16_t type, const Ipv6Address &address)
{
	put_bytes(type, address.bytes);
}

void MessageBuilder::put_mac(uint16_t type, const MacAddress &address)
{
	put_bytes(type, address.bytes);
}

MessageBuilder::Nest MessageBuilder::begin_nest(uint16_t type)
{
	if (!ok_)
		return {};
	nlattr *attr = mnl_attr_nest_start_check(header_, capacity_, type);
	if (!attr)
		ok_ = false;
	return {attr};
}

void MessageBuilder::end_nest(Nest nest)
{
	if (ok_ && nest.attr)
		mnl_attr_nest_end(header_, nest.attr);
}

std::span<const std::byte> MessageBuilder::bytes() const
{
	if (!ok_)
		return {};
	return {reinterpret_cast<const std::byte *>(header_), header_->nlmsg_len};
}

std::span<const std::byte> message_payload(const nlmsghdr &msg, std::size_t extra_header)
{
	std::size_t skip = NLMSG_HDRLEN + NLMSG_ALIGN(extra_header);
	if (msg.nlmsg_len < skip)
		return {};
	return {reinterpret_cast<const std::byte *>(&msg) + skip, msg.nlmsg_len - skip};
}

std::span<const std::byte> attribute_payload(const nlattr &attr)
{
	return {reinterpret_cast<const std::byte *>(&attr) + NLA_HDRLEN,
		static_cast<std::size_t>(attr.nla_len - NLA_HDRLEN)};
}

uint16_t attribute_type(const nlattr &attr)
{
	return attr.nla_type & NLA_TYPE_MASK;
}

bool parse_attributes(std::span<const std::byte> bytes, std::span<const nlattr *> table)
{
	for (auto &slot : table)
		slot = nullptr;
	while (bytes.size() >= NLA_HDRLEN) {
		const auto *attr = reinterpret_cast<const nlattr *>(bytes.data());
		if (attr->nla_len < NLA_HDRLEN || attr->nla_len > bytes.size())
			return false;
		uint16_t type = attribute_type(*attr);
		if (type < table.size())
			table[type] = attr;
		std::size_t step = NLA_ALIGN(attr->nla_len);
		if (step >= bytes.size())
			return true;
		bytes = bytes.subspan(step);
	}
	// Fewer bytes left than an attribute header: ignored, as the kernel's
	// own parser does.
	return true;
}

bool parse_nested(const nlattr &nest, std::span<const nlattr *> table)
{
	return parse_attributes(attribute_payload(nest), table);
}

namespace {

template <typename T>
std::optional<T> read_exact(const nlattr *attr)
{
	if (!attr || attr->nla_len != NLA_HDRLEN + sizeof(T))
		return std::nullopt;
	T value;
	std::memcpy(&value, attribute_payload(*attr).data(), sizeof(T));
	return value;
}

}  // namespace

std::optional<uint8_t> read_u8(const nlattr *attr) { return read_exact<uint8_t>(attr); }
std::optional<uint16_t> read_u16(const nlattr *attr) { return read_exact<uint16_t>(attr); }
std::optional<uint32_t> read_u32(const nlattr *attr) { return read_exact<uint32_t>(attr); }
std::optional<uint64_t> read_u64(const nlattr *attr) { return read_exact<uint64_t>(attr); }

std::optional<Ipv6Address> read_ipv6(const nlattr *attr)
{
	auto bytes = read_exact<Ipv6Address::Bytes>(attr);
	if (!bytes)
		return std::nullopt;
	return Ipv6Address{*bytes};
}

std::optional<MacAddress> read_mac(const nlattr *attr)
{
	auto bytes = read_exact<MacAddress::Bytes>(attr);
	if (!bytes)
		return std::nullopt;
	return MacAddress{*bytes};
}

std::optional<std::string_view> read_string(const nlattr *attr)
{
	if (!attr)
		return std::nullopt;
	auto payload = attribute_payload(*attr);
	std::string_view text(reinterpret_cast<const char *>(payload.data()), payload.size());
	return text.substr(0, text.find('\0'));
}

Error Ack::to_error() const
{
	Error result;
	result.code = error;
	result.message = message;
	result.offset = offset;
	result.missing_type = missing_type;
	return result;
}

namespace {

void read_ack_tlvs(std::span<const std::byte> tlvs, Ack &ack)
{
	std::array<const nlattr *, NLMSGERR_ATTR_MAX + 1> tb{};
	// A malformed TLV area loses the details, not the error code.
	if (!parse_attributes(tlvs, tb))
		return;
	if (auto msg = read_string(tb[NLMSGERR_ATTR_MSG]))
		ack.message = std::string(*msg);
	ack.offset = read_u32(tb[NLMSGERR_ATTR_OFFS]);
	ack.missing_type = read_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	ack.missing_nest = read_u32(tb[NLMSGERR_ATTR_MISS_NEST]);
}

}  // namespace

std::optional<Ack> parse_error_message(const nlmsghdr &msg)
{
	auto payload = message_payload(msg);
	if (payload.size() < sizeof(nlmsgerr))
		return std::nullopt;
	nlmsgerr err;
	std::memcpy(&err, payload.data(), sizeof(err));
	Ack ack;
	ack.error = -err.error;
	if (msg.nlmsg_flags & NLM_F_ACK_TLVS) {
		// The echoed request follows struct nlmsgerr unless the kernel
		// capped it (NETLINK_CAP_ACK, or any success ack).
		std::size_t echoed = sizeof(nlmsgerr);
		if (!(msg.nlmsg_flags & NLM_F_CAPPED) && err.msg.nlmsg_len > NLMSG_HDRLEN)
			echoed += err.msg.nlmsg_len - NLMSG_HDRLEN;
		echoed = NLMSG_ALIGN(echoed);
		if (echoed <= payload.size())
			read_ack_tlvs(payload.subspan(echoed), ack);
	}
	return ack;
}

Ack parse_done_message(const nlmsghdr &msg)
{
	Ack ack;
	auto payload = message_payload(msg);
	if (payload.size() < sizeof(int))
		return ack;
	int error;
	std::memcpy(&error, payload.data(), sizeof(error));
	ack.error = -error;
	if ((msg.nlmsg_flags & NLM_F_ACK_TLVS) && payload.size() >= NLMSG_ALIGN(sizeof(int)))
		read_ack_tlvs(payload.subspan(NLMSG_ALIGN(sizeof(int))), ack);
	return ack;
}

}  // namespace dlif::nl
