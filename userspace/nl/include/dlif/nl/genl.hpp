// SPDX-License-Identifier: GPL-2.0
//
// Generic netlink: the header every genl message starts with, and family
// resolution through the controller (CTRL_CMD_GETFAMILY), which gives the
// family's id and the ids of its multicast groups. The kernel loads the
// module of a family it does not know yet on that request.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dlif/nl/message.hpp"
#include "dlif/nl/result.hpp"

namespace dlif::nl {

class Socket;

struct GenlRequest {
	uint16_t family = 0;	// family id (the netlink message type)
	uint8_t command = 0;
	uint8_t version = 0;
	uint16_t flags = 0;	// NLM_F_*
	uint32_t seq = 0;
};

// A MessageBuilder with the netlink and genl headers written.
MessageBuilder start_genl_message(std::span<std::byte> buffer, const GenlRequest &request);

// The genl command of a received message (nullopt when too short).
std::optional<uint8_t> genl_command(const nlmsghdr &msg);
// The attributes after the genl header.
std::span<const std::byte> genl_attributes(const nlmsghdr &msg);

struct MulticastGroup {
	std::string name;
	uint32_t id = 0;
};

struct Family {
	std::string name;
	uint16_t id = 0;
	uint32_t version = 0;
	uint32_t max_attribute = 0;
	std::vector<MulticastGroup> groups;

	std::optional<uint32_t> group_id(std::string_view group_name) const;
};

// CTRL_CMD_GETFAMILY for one family by name (with NLM_F_ACK).
std::size_t encode_get_family(std::span<std::byte> buffer, uint32_t seq, std::string_view name);
Result<Family> decode_family(const nlmsghdr &msg);

// Asks the controller; ENOENT (with a message naming the family) when the
// kernel has no such family, even after trying to load its module.
Result<Family> resolve_family(Socket &socket, std::string_view name);

}  // namespace dlif::nl
