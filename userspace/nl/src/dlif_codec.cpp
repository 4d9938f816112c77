// SPDX-License-Identifier: GPL-2.0
#include "dlif/nl/dlif_codec.hpp"

#include <linux/dlif.h>
#include <net/if.h>

#include <array>
#include <cerrno>

#include "dlif/nl/genl.hpp"

namespace dlif::nl {

namespace {

constexpr uint16_t acked = NLM_F_REQUEST | NLM_F_ACK;

MessageBuilder start(std::span<std::byte> buffer, DlifAddressing to, uint8_t command,
		     uint16_t flags)
{
	return start_genl_message(buffer, {to.family, command, DLIF_FAMILY_VERSION, flags, to.seq});
}

void put_prefix(MessageBuilder &msg, const Ipv6Prefix &prefix)
{
	// The kernel keys entries by the masked prefix: send no host bits.
	msg.put_ipv6(DLIF_ENTRY_A_PREFIX, prefix.masked().address);
	msg.put_u8(DLIF_ENTRY_A_PREFIX_LEN, prefix.length);
}

// Everything but the counters: what ENTRY_NEW / ENTRY_SET take, and what a
// notification carries.
void put_entry_fields(MessageBuilder &msg, const Entry &entry)
{
	put_prefix(msg, entry.prefix);
	msg.put_u8(DLIF_ENTRY_A_ROLE, static_cast<uint8_t>(entry.role));
	if (entry.peer)
		msg.put_ipv6(DLIF_ENTRY_A_PEER, *entry.peer);
	// :: means "by route", which is also what the kernel assumes when the
	// attribute is absent; leaving it out keeps requests short.
	if (!entry.local.is_unspecified())
		msg.put_ipv6(DLIF_ENTRY_A_LOCAL, entry.local);
	if (entry.ifindex != 0)
		msg.put_u32(DLIF_ENTRY_A_IFINDEX, entry.ifindex);
	if (entry.mn)
		msg.put_mac(DLIF_ENTRY_A_MN_ADDR, *entry.mn);
	msg.put_u8(DLIF_ENTRY_A_HOP_LIMIT, entry.hop_limit);
}

void put_stats(MessageBuilder &msg, const EntryStats &stats)
{
	auto nest = msg.begin_nest(DLIF_ENTRY_A_STATS);
	const std::pair<uint16_t, uint64_t> counters[] = {
		{DLIF_STATS_A_ENCAP_PACKETS, stats.encap_packets},
		{DLIF_STATS_A_ENCAP_BYTES, stats.encap_bytes},
		{DLIF_STATS_A_DECAP_PACKETS, stats.decap_packets},
		{DLIF_STATS_A_DECAP_BYTES, stats.decap_bytes},
		{DLIF_STATS_A_DROP_SPOOF, stats.drop_spoof},
		{DLIF_STATS_A_DROP_TOO_BIG, stats.drop_too_big},
		{DLIF_STATS_A_DROP_NO_ROUTE, stats.drop_no_route},
		{DLIF_STATS_A_DROP_HOP_LIMIT, stats.drop_hop_limit},
		{DLIF_STATS_A_DROP_ECN, stats.drop_ecn},
		{DLIF_STATS_A_DROP_OTHER, stats.drop_other},
	};
	for (auto [type, value] : counters)
		msg.put_u64(type, value, DLIF_STATS_A_PAD);
	msg.end_nest(nest);
}

uint8_t entry_command(EntryOpKind kind)
{
	switch (kind) {
	case EntryOpKind::add:
		return DLIF_CMD_ENTRY_NEW;
	case EntryOpKind::replace:
		return DLIF_CMD_ENTRY_SET;
	case EntryOpKind::remove:
		return DLIF_CMD_ENTRY_DEL;
	}
	return 0; // not a command: every kind is handled above
}

Error malformed(const char *what)
{
	return make_error(EBADMSG, std::string("malformed dlif message: ") + what);
}

// The attributes of the top-level nest `type` of a dlif message.
template <std::size_t N>
Result<std::array<const nlattr *, N>> nest_attributes(const nlmsghdr &msg, uint16_t type)
{
	std::array<const nlattr *, DLIF_A_MAX + 1> top{};
	if (!genl_command(msg) || !parse_attributes(genl_attributes(msg), top))
		return malformed("bad attributes");
	std::array<const nlattr *, N> inner{};
	if (!top[type])
		return malformed(type == DLIF_A_ENTRY ? "no entry"
			       : type == DLIF_A_DEV ? "no device"
						    : "no binding");
	if (!parse_nested(*top[type], inner))
		return malformed("bad nested attributes");
	return inner;
}

}  // namespace

std::size_t encode_entry_op(std::span<std::byte> buffer, DlifAddressing to, const EntryOp &op)
{
	auto msg = start(buffer, to, entry_command(op.kind), acked);
	auto nest = msg.begin_nest(DLIF_A_ENTRY);
	if (op.kind == EntryOpKind::remove)
		put_prefix(msg, op.entry.prefix);
	else
		put_entry_fields(msg, op.entry);
	msg.end_nest(nest);
	return msg.size();
}

std::size_t encode_entry_ops(std::span<std::byte> buffer, DlifAddressing to, EntryOpKind kind,
			     std::span<const Entry> entries)
{
	auto msg = start(buffer, to, entry_command(kind), acked);
	for (const Entry &entry : entries) {
		auto nest = msg.begin_nest(DLIF_A_ENTRY);
		if (kind == EntryOpKind::remove)
			put_prefix(msg, entry.prefix);
		else
			put_entry_fields(msg, entry);
		msg.end_nest(nest);
	}
	return msg.size();
}

std::size_t encode_entry_get(std::span<std::byte> buffer, DlifAddressing to, const Ipv6Prefix &prefix)
{
	auto msg = start(buffer, to, DLIF_CMD_ENTRY_GET, acked);
	auto nest = msg.begin_nest(DLIF_A_ENTRY);
	put_prefix(msg, prefix);
	msg.end_nest(nest);
	return msg.size();
}

std::size_t encode_entry_dump(std::span<std::byte> buffer, DlifAddressing to,
			      const EntryFilter &filter)
{
	auto msg = start(buffer, to, DLIF_CMD_ENTRY_GET, NLM_F_REQUEST | NLM_F_DUMP);
	if (filter != EntryFilter{}) {
		auto nest = msg.begin_nest(DLIF_A_ENTRY);
		if (filter.role)
			msg.put_u8(DLIF_ENTRY_A_ROLE, static_cast<uint8_t>(*filter.role));
		if (filter.peer)
			msg.put_ipv6(DLIF_ENTRY_A_PEER, *filter.peer);
		if (filter.ifindex)
			msg.put_u32(DLIF_ENTRY_A_IFINDEX, *filter.ifindex);
		if (filter.mn)
			msg.put_mac(DLIF_ENTRY_A_MN_ADDR, *filter.mn);
		msg.end_nest(nest);
	}
	return msg.size();
}

std::size_t encode_entry_flush(std::span<std::byte> buffer, DlifAddressing to,
			       const FlushFilter &filter)
{
	auto msg = start(buffer, to, DLIF_CMD_ENTRY_FLUSH, acked);
	auto nest = msg.begin_nest(DLIF_A_ENTRY);
	if (filter.peer)
		msg.put_ipv6(DLIF_ENTRY_A_PEER, *filter.peer);
	if (filter.ifindex)
		msg.put_u32(DLIF_ENTRY_A_IFINDEX, *filter.ifindex);
	msg.end_nest(nest);
	return msg.size();
}

std::size_t encode_device_get(std::span<std::byte> buffer, DlifAddressing to, uint32_t ifindex)
{
	auto msg = start(buffer, to, DLIF_CMD_DEV_GET, acked);
	auto nest = msg.begin_nest(DLIF_A_DEV);
	msg.put_u32(DLIF_DEV_A_IFINDEX, ifindex);
	msg.end_nest(nest);
	return msg.size();
}

std::size_t encode_device_dump(std::span<std::byte> buffer, DlifAddressing to)
{
	return start(buffer, to, DLIF_CMD_DEV_GET, NLM_F_REQUEST | NLM_F_DUMP).size();
}

std::size_t encode_device_set(std::span<std::byte> buffer, DlifAddressing to,
			      const DeviceUpdate &update)
{
	auto msg = start(buffer, to, DLIF_CMD_DEV_SET, acked);
	auto nest = msg.begin_nest(DLIF_A_DEV);
	msg.put_u32(DLIF_DEV_A_IFINDEX, update.ifindex);
	if (update.mn)
		msg.put_mac(DLIF_DEV_A_MN_ADDR, *update.mn);
	if (update.maar)
		msg.put_ipv6(DLIF_DEV_A_MAAR_ADDR, *update.maar);
	msg.end_nest(nest);
	return msg.size();
}

std::size_t encode_binding_ops(std::span<std::byte> buffer, DlifAddressing to, bool add,
			       std::span<const Binding> bindings)
{
	auto msg = start(buffer, to, add ? DLIF_CMD_BINDING_NEW : DLIF_CMD_BINDING_DEL, acked);
	for (const Binding &binding : bindings) {
		auto nest = msg.begin_nest(DLIF_A_BINDING);
		msg.put_u32(DLIF_BINDING_A_IFINDEX, binding.ifindex);
		msg.put_mac(DLIF_BINDING_A_MN_ADDR, binding.mn);
		if (add)
			msg.put_mac(DLIF_BINDING_A_ROUTER_ADDR, binding.router);
		if (add && binding.router_ll)
			msg.put_ipv6(DLIF_BINDING_A_ROUTER_LL, *binding.router_ll);
		msg.end_nest(nest);
	}
	return msg.size();
}

std::size_t encode_binding_dump(std::span<std::byte> buffer, DlifAddressing to,
				std::optional<uint32_t> ifindex, std::optional<MacAddress> mn)
{
	auto msg = start(buffer, to, DLIF_CMD_BINDING_GET, NLM_F_REQUEST | NLM_F_DUMP);
	if (ifindex) {
		auto nest = msg.begin_nest(DLIF_A_BINDING);
		msg.put_u32(DLIF_BINDING_A_IFINDEX, *ifindex);
		if (mn)
			msg.put_mac(DLIF_BINDING_A_MN_ADDR, *mn);
		msg.end_nest(nest);
	}
	return msg.size();
}

std::size_t encode_binding_message(std::span<std::byte> buffer, DlifAddressing from, uint8_t command,
				   uint16_t flags, const Binding &binding)
{
	auto msg = start(buffer, from, command, flags);
	auto nest = msg.begin_nest(DLIF_A_BINDING);
	msg.put_u32(DLIF_BINDING_A_IFINDEX, binding.ifindex);
	msg.put_mac(DLIF_BINDING_A_MN_ADDR, binding.mn);
	msg.put_mac(DLIF_BINDING_A_ROUTER_ADDR, binding.router);
	if (binding.primary)
		msg.put_bytes(DLIF_BINDING_A_PRIMARY, {});
	if (binding.router_ll)
		msg.put_ipv6(DLIF_BINDING_A_ROUTER_LL, *binding.router_ll);
	if (binding.rx_packets)
		msg.put_u64(DLIF_BINDING_A_RX_PACKETS, *binding.rx_packets, DLIF_BINDING_A_PAD);
	msg.end_nest(nest);
	return msg.size();
}

std::size_t encode_entry_message(std::span<std::byte> buffer, DlifAddressing from, uint8_t command,
				 uint16_t flags, const Entry &entry)
{
	auto msg = start(buffer, from, command, flags);
	auto nest = msg.begin_nest(DLIF_A_ENTRY);
	put_entry_fields(msg, entry);
	if (entry.stats)
		put_stats(msg, *entry.stats);
	msg.end_nest(nest);
	return msg.size();
}

std::size_t encode_device_message(std::span<std::byte> buffer, DlifAddressing from,
				  uint16_t flags, const DlifDevice &device)
{
	auto msg = start(buffer, from, DLIF_CMD_DEV_GET, flags);
	auto nest = msg.begin_nest(DLIF_A_DEV);
	msg.put_u32(DLIF_DEV_A_IFINDEX, device.ifindex);
	msg.put_string(DLIF_DEV_A_IFNAME, device.name);
	msg.put_u32(DLIF_DEV_A_LINK, device.link);
	msg.put_mac(DLIF_DEV_A_ADDRESS, device.address);
	if (device.mn)
		msg.put_mac(DLIF_DEV_A_MN_ADDR, *device.mn);
	if (device.maar)
		msg.put_ipv6(DLIF_DEV_A_MAAR_ADDR, *device.maar);
	msg.end_nest(nest);
	return msg.size();
}

namespace {

Result<EntryStats> decode_stats(const nlattr &nest)
{
	std::array<const nlattr *, DLIF_STATS_A_MAX + 1> tb{};
	if (!parse_nested(nest, tb))
		return malformed("bad stats");
	EntryStats stats;
	const std::pair<uint16_t, uint64_t *> counters[] = {
		{DLIF_STATS_A_ENCAP_PACKETS, &stats.encap_packets},
		{DLIF_STATS_A_ENCAP_BYTES, &stats.encap_bytes},
		{DLIF_STATS_A_DECAP_PACKETS, &stats.decap_packets},
		{DLIF_STATS_A_DECAP_BYTES, &stats.decap_bytes},
		{DLIF_STATS_A_DROP_SPOOF, &stats.drop_spoof},
		{DLIF_STATS_A_DROP_TOO_BIG, &stats.drop_too_big},
		{DLIF_STATS_A_DROP_NO_ROUTE, &stats.drop_no_route},
		{DLIF_STATS_A_DROP_HOP_LIMIT, &stats.drop_hop_limit},
		{DLIF_STATS_A_DROP_ECN, &stats.drop_ecn},
		{DLIF_STATS_A_DROP_OTHER, &stats.drop_other},
	};
	for (auto [type, field] : counters) {
		if (!tb[type])
			continue;	// an older kernel may count less
		auto value = read_u64(tb[type]);
		if (!value)
			return malformed("bad counter");
		*field = *value;
	}
	return stats;
}

}  // namespace

Result<Entry> decode_entry(const nlmsghdr &msg)
{
	auto tb = nest_attributes<DLIF_ENTRY_A_MAX + 1>(msg, DLIF_A_ENTRY);
	if (!tb)
		return tb.error();
	auto address = read_ipv6((*tb)[DLIF_ENTRY_A_PREFIX]);
	auto length = read_u8((*tb)[DLIF_ENTRY_A_PREFIX_LEN]);
	if (!address || !length)
		return malformed("entry without a prefix");
	auto prefix = Ipv6Prefix::make(*address, *length);
	if (!prefix)
		return malformed("prefix length over 128");
	auto role = read_u8((*tb)[DLIF_ENTRY_A_ROLE]);
	if (!role)
		return malformed("entry without a role");

	Entry entry;
	entry.prefix = *prefix;
	entry.role = static_cast<Role>(*role);
	if (const nlattr *attr = (*tb)[DLIF_ENTRY_A_PEER]) {
		auto peer = read_ipv6(attr);
		if (!peer)
			return malformed("bad peer");
		// :: is never a tunnel endpoint: it can only mean "no peer".
		if (!peer->is_unspecified())
			entry.peer = *peer;
	}
	if (const nlattr *attr = (*tb)[DLIF_ENTRY_A_LOCAL]) {
		auto local = read_ipv6(attr);
		if (!local)
			return malformed("bad local address");
		entry.local = *local;
	}
	if (const nlattr *attr = (*tb)[DLIF_ENTRY_A_IFINDEX]) {
		auto ifindex = read_u32(attr);
		if (!ifindex)
			return malformed("bad ifindex");
		entry.ifindex = *ifindex;
	}
	if (const nlattr *attr = (*tb)[DLIF_ENTRY_A_MN_ADDR]) {
		entry.mn = read_mac(attr);
		if (!entry.mn)
			return malformed("bad mobile node address");
	}
	if (const nlattr *attr = (*tb)[DLIF_ENTRY_A_HOP_LIMIT]) {
		auto hop_limit = read_u8(attr);
		if (!hop_limit)
			return malformed("bad hop limit");
		entry.hop_limit = *hop_limit;
	}
	if (const nlattr *attr = (*tb)[DLIF_ENTRY_A_STATS]) {
		auto stats = decode_stats(*attr);
		if (!stats)
			return stats.error();
		entry.stats = *stats;
	}
	return entry;
}

Result<DlifDevice> decode_device(const nlmsghdr &msg)
{
	auto tb = nest_attributes<DLIF_DEV_A_MAX + 1>(msg, DLIF_A_DEV);
	if (!tb)
		return tb.error();
	auto ifindex = read_u32((*tb)[DLIF_DEV_A_IFINDEX]);
	if (!ifindex)
		return malformed("device without an ifindex");
	DlifDevice device;
	device.ifindex = *ifindex;
	if (auto name = read_string((*tb)[DLIF_DEV_A_IFNAME]))
		device.name = std::string(name->substr(0, IFNAMSIZ - 1));
	device.link = read_u32((*tb)[DLIF_DEV_A_LINK]).value_or(0);
	if (auto address = read_mac((*tb)[DLIF_DEV_A_ADDRESS]))
		device.address = *address;
	if (const nlattr *attr = (*tb)[DLIF_DEV_A_MN_ADDR]) {
		device.mn = read_mac(attr);
		if (!device.mn)
			return malformed("bad mobile node address");
	}
	if (const nlattr *attr = (*tb)[DLIF_DEV_A_MAAR_ADDR]) {
		device.maar = read_ipv6(attr);
		if (!device.maar)
			return malformed("bad MAAR address");
	}
	return device;
}

Result<Binding> decode_binding(const nlmsghdr &msg)
{
	auto tb = nest_attributes<DLIF_BINDING_A_MAX + 1>(msg, DLIF_A_BINDING);
	if (!tb)
		return tb.error();
	auto ifindex = read_u32((*tb)[DLIF_BINDING_A_IFINDEX]);
	auto mn = read_mac((*tb)[DLIF_BINDING_A_MN_ADDR]);
	auto router = read_mac((*tb)[DLIF_BINDING_A_ROUTER_ADDR]);
	if (!ifindex || !mn || !router)
		return malformed("binding without its ifindex, node or router MAC");
	Binding binding{*ifindex, *mn, *router, (*tb)[DLIF_BINDING_A_PRIMARY] != nullptr, std::nullopt, std::nullopt};
	if (const nlattr *attr = (*tb)[DLIF_BINDING_A_ROUTER_LL]) {
		binding.router_ll = read_ipv6(attr);
		if (!binding.router_ll)
			return malformed("bad router link-local address");
	}
	if (const nlattr *attr = (*tb)[DLIF_BINDING_A_RX_PACKETS]) {
		binding.rx_packets = read_u64(attr);
		if (!binding.rx_packets)
			return malformed("bad rx-packets");
	}
	return binding;
}

Result<BindingNotification> decode_binding_notification(const nlmsghdr &msg)
{
	auto command = genl_command(msg);
	if (!command)
		return malformed("no genl header");
	if (*command != DLIF_CMD_BINDING_NEW && *command != DLIF_CMD_BINDING_DEL)
		return make_error(EOPNOTSUPP, "not a binding notification (command " +
						      std::to_string(*command) + ")");
	auto binding = decode_binding(msg);
	if (!binding)
		return binding.error();
	return BindingNotification{*command == DLIF_CMD_BINDING_NEW, std::move(*binding)};
}

Result<Notification> decode_notification(const nlmsghdr &msg)
{
	auto command = genl_command(msg);
	if (!command)
		return malformed("no genl header");
	Notification notification;
	switch (*command) {
	case DLIF_CMD_ENTRY_NEW:
		notification.event = EntryEvent::added;
		break;
	case DLIF_CMD_ENTRY_SET:
		notification.event = EntryEvent::replaced;
		break;
	case DLIF_CMD_ENTRY_DEL:
		notification.event = EntryEvent::deleted;
		break;
	default:
		return make_error(EOPNOTSUPP, "not an entry notification (command " +
						      std::to_string(*command) + ")");
	}
	auto entry = decode_entry(msg);
	if (!entry)
		return entry.error();
	notification.entry = std::move(*entry);
	return notification;
}

}  // namespace dlif::nl
