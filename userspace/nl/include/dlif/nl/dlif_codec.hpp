// SPDX-License-Identifier: GPL-2.0
//
// Encoding and decoding of dlif family messages (uapi/linux/dlif.h),
// pure functions over byte buffers. Each encoder writes one whole message
// (netlink header, genl header, the DLIF_A_ENTRY or DLIF_A_DEV nest) at the
// front of the buffer and returns its size, or 0 when the buffer is too
// small. Requests carry exactly the attributes the kernel accepts in them;
// the *_message encoders write what the kernel writes in replies and
// notifications, for tests and fakes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "dlif/nl/dlif_types.hpp"
#include "dlif/nl/message.hpp"
#include "dlif/nl/result.hpp"

namespace dlif::nl {

// Room for any single dlif request or entry reply (a full entry with stats
// is about 250 bytes).
inline constexpr std::size_t max_dlif_message_bytes = 512;

// Where a message goes: the resolved family id and the sequence number.
struct DlifAddressing {
	uint16_t family = 0;
	uint32_t seq = 0;
};

// DLIF_CMD_ENTRY_NEW / _SET / _DEL with NLM_F_ACK.
std::size_t encode_entry_op(std::span<std::byte> buffer, DlifAddressing to, const EntryOp &op);
// One request carrying many entries (ENTRY_NEW / _SET / _DEL take any
// number of DLIF_A_ENTRY nests and apply them in order; the first refused
// one ends the request). 0 when they do not all fit in the buffer.
std::size_t encode_entry_ops(std::span<std::byte> buffer, DlifAddressing to, EntryOpKind kind,
			     std::span<const Entry> entries);

// DLIF_CMD_ENTRY_GET for one prefix (do, NLM_F_ACK).
std::size_t encode_entry_get(std::span<std::byte> buffer, DlifAddressing to, const Ipv6Prefix &prefix);
// DLIF_CMD_ENTRY_GET with NLM_F_DUMP; the filter nest only when a field is set.
std::size_t encode_entry_dump(std::span<std::byte> buffer, DlifAddressing to,
			      const EntryFilter &filter);
// DLIF_CMD_ENTRY_FLUSH (NLM_F_ACK); an empty nest flushes everything.
std::size_t encode_entry_flush(std::span<std::byte> buffer, DlifAddressing to,
			       const FlushFilter &filter);
// DLIF_CMD_DEV_GET do (NLM_F_ACK) or dump.
std::size_t encode_device_get(std::span<std::byte> buffer, DlifAddressing to, uint32_t ifindex);
std::size_t encode_device_dump(std::span<std::byte> buffer, DlifAddressing to);
// DLIF_CMD_DEV_SET (NLM_F_ACK).
std::size_t encode_device_set(std::span<std::byte> buffer, DlifAddressing to,
			      const DeviceUpdate &update);

// DLIF_CMD_BINDING_NEW (@add) or _DEL with NLM_F_ACK, one nest per binding
// (a deletion carries the ifindex and the node's MAC only); 0 when they do
// not all fit in the buffer.
std::size_t encode_binding_ops(std::span<std::byte> buffer, DlifAddressing to, bool add,
			       std::span<const Binding> bindings);
// DLIF_CMD_BINDING_GET dump, of one DLIF when ifindex is given, of one
// node's binding on it when mn is given too.
std::size_t encode_binding_dump(std::span<std::byte> buffer, DlifAddressing to,
				std::optional<uint32_t> ifindex, std::optional<MacAddress> mn = std::nullopt);
// A binding message as the kernel sends it: a dump's (BINDING_GET) or a
// "bindings" group notification (BINDING_NEW, BINDING_DEL).
std::size_t encode_binding_message(std::span<std::byte> buffer, DlifAddressing from, uint8_t command,
				   uint16_t flags, const Binding &binding);
Result<Binding> decode_binding(const nlmsghdr &msg);
// A "bindings" group message: NEW = added, DEL = deleted.
Result<BindingNotification> decode_binding_notification(const nlmsghdr &msg);

// A message as the kernel sends it: command, netlink flags and the whole
// entry (with DLIF_ENTRY_A_STATS when entry.stats is set).
std::size_t encode_entry_message(std::span<std::byte> buffer, DlifAddressing from, uint8_t command,
				 uint16_t flags, const Entry &entry);
std::size_t encode_device_message(std::span<std::byte> buffer, DlifAddressing from,
				  uint16_t flags, const DlifDevice &device);

// The entry of a reply or notification (its DLIF_A_ENTRY nest). Fails with
// EBADMSG when the prefix, its length or the role is missing or malformed.
Result<Entry> decode_entry(const nlmsghdr &msg);
Result<DlifDevice> decode_device(const nlmsghdr &msg);
// An "entries" group message: NEW = added, SET = replaced, DEL = deleted.
Result<Notification> decode_notification(const nlmsghdr &msg);

}  // namespace dlif::nl
