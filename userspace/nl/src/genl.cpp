// SPDX-License-Identifier: GPL-2.0
#include "dlif/nl/genl.hpp"

#include <linux/genetlink.h>

#include <array>
#include <cerrno>

#include "dlif/nl/socket.hpp"
#include "dlif/nl/transaction.hpp"

namespace dlif::nl {

MessageBuilder start_genl_message(std::span<std::byte> buffer, const GenlRequest &request)
{
	MessageBuilder builder(buffer, request.family, request.flags, request.seq);
	if (auto *genl = static_cast<genlmsghdr *>(builder.put_extra_header(sizeof(genlmsghdr)))) {
		genl->cmd = request.command;
		genl->version = request.version;
	}
	return builder;
}

std::optional<uint8_t> genl_command(const nlmsghdr &msg)
{
	auto payload = message_payload(msg);
	if (payload.size() < sizeof(genlmsghdr))
		return std::nullopt;
	return reinterpret_cast<const genlmsghdr *>(payload.data())->cmd;
}

std::span<const std::byte> genl_attributes(const nlmsghdr &msg)
{
	return message_payload(msg, sizeof(genlmsghdr));
}

std::optional<uint32_t> Family::group_id(std::string_view group_name) const
{
	for (const auto &group : groups)
		if (group.name == group_name)
			return group.id;
	return std::nullopt;
}

std::size_t encode_get_family(std::span<std::byte> buffer, uint32_t seq, std::string_view name)
{
	auto builder = start_genl_message(buffer, {GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
						   NLM_F_REQUEST | NLM_F_ACK, seq});
	builder.put_string(CTRL_ATTR_FAMILY_NAME, name);
	return builder.size();
}

Result<Family> decode_family(const nlmsghdr &msg)
{
	if (msg.nlmsg_type != GENL_ID_CTRL || genl_command(msg) != CTRL_CMD_NEWFAMILY)
		return make_error(EBADMSG, "not a genl family description");
	std::array<const nlattr *, CTRL_ATTR_MAX + 1> tb{};
	if (!parse_attributes(genl_attributes(msg), tb))
		return make_error(EBADMSG, "malformed genl family description");
	auto id = read_u16(tb[CTRL_ATTR_FAMILY_ID]);
	auto name = read_string(tb[CTRL_ATTR_FAMILY_NAME]);
	if (!id || !name)
		return make_error(EBADMSG, "genl family description without id or name");
	Family family;
	family.id = *id;
	family.name = std::string(*name);
	family.version = read_u32(tb[CTRL_ATTR_VERSION]).value_or(0);
	family.max_attribute = read_u32(tb[CTRL_ATTR_MAXATTR]).value_or(0);
	if (const nlattr *groups = tb[CTRL_ATTR_MCAST_GROUPS]) {
		// An array: nests numbered 1..n, each with a name and an id.
		auto bytes = attribute_payload(*groups);
		while (bytes.size() >= NLA_HDRLEN) {
			const auto *entry = reinterpret_cast<const nlattr *>(bytes.data());
			if (entry->nla_len < NLA_HDRLEN || entry->nla_len > bytes.size())
				return make_error(EBADMSG, "malformed genl multicast group list");
			std::array<const nlattr *, CTRL_ATTR_MCAST_GRP_MAX + 1> grp{};
			if (!parse_nested(*entry, grp))
				return make_error(EBADMSG, "malformed genl multicast group");
			auto group_name = read_string(grp[CTRL_ATTR_MCAST_GRP_NAME]);
			auto group_id = read_u32(grp[CTRL_ATTR_MCAST_GRP_ID]);
			if (group_name && group_id)
				family.groups.push_back({std::string(*group_name), *group_id});
			std::size_t step = NLA_ALIGN(entry->nla_len);
			if (step >= bytes.size())
				break;
			bytes = bytes.subspan(step);
		}
	}
	return family;
}

Result<Family> resolve_family(Socket &socket, std::string_view name)
{
	alignas(message_alignment) std::byte buffer[256];
	std::size_t size = encode_get_family(buffer, socket.next_seq(), name);
	if (size == 0)
		return make_error(ENAMETOOLONG, "genl family name too long");
	std::optional<Result<Family>> family;
	Status status = transact(socket, std::span(buffer, size), [&](const nlmsghdr &msg) -> Status {
		family = decode_family(msg);
		if (!*family)
			return family->error();
		return {};
	});
	if (!status) {
		if (status.error().code == ENOENT && status.error().message.empty())
			return make_error(ENOENT, "generic netlink family \"" + std::string(name) +
							  "\" not found");
		return status.error();
	}
	if (!family)
		return make_error(EBADMSG, "no genl family description in the reply");
	return std::move(*family);
}

}  // namespace dlif::nl
