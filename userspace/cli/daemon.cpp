// SPDX-License-Identifier: GPL-2.0
#include "daemon.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dlif/unique_fd.hpp"

namespace dlif::cli {

using control::Json;

control::Request daemon_request(const Command &command)
{
	if (std::holds_alternative<MnList>(command))
		return control::MnListRequest{};
	if (const auto *show = std::get_if<MnShow>(&command))
		return control::MnShowRequest{show->id};
	if (std::holds_alternative<DaemonCounters>(command))
		return control::CountersRequest{};
	if (const auto *attach = std::get_if<Attach>(&command))
		return control::AttachRequest{attach->ifname, attach->mac.to_string()};
	if (const auto *detach = std::get_if<Detach>(&command))
		return control::DetachRequest{detach->mac.to_string()};
	return control::StatusRequest{};
}

namespace {

bool is_scalar(const Json &value)
{
	return value.is_primitive();
}

bool is_list_of_scalars(const Json &value)
{
	if (!value.is_array())
		return false;
	for (const auto &item : value)
		if (!is_scalar(item))
			return false;
	return true;
}

std::string scalar_text(const Json &value)
{
	if (value.is_string())
		return value.get<std::string>();
	if (value.is_boolean())
		return value.get<bool>() ? "yes" : "no";
	return value.dump();
}

std::string list_text(const Json &list)
{
	if (list.empty())
		return "none";
	std::string text;
	for (const auto &item : list)
		text += (text.empty() ? "" : ",") + scalar_text(item);
	return text;
}

// " key value key value" for the scalar (and scalar-list) members of an
// object, in its order, skipping `skip` and nulls.
std::string inline_members(const Json &object, std::string_view skip = {})
{
	std::string text;
	for (const auto &[key, value] : object.items()) {
		if (key == skip || value.is_null())
			continue;
		if (is_scalar(value))
			text += " " + key + " " + scalar_text(value);
		else if (is_list_of_scalars(value))
			text += " " + key + " " + list_text(value);
	}
	return text;
}

void nested_blocks(std::string &out, const Json &object, const std::string &indent)
{
	for (const auto &[key, value] : object.items()) {
		if (value.is_null() || is_scalar(value) || is_list_of_scalars(value))
			continue;
		if (value.is_object()) {
			out += indent + key + ":" + inline_members(value) + "\n";
			nested_blocks(out, value, indent + "    ");
			continue;
		}
		// A list of objects: one line each.
		out += indent + key + ":\n";
		for (const auto &item : value) {
			if (item.is_object()) {
				out += indent + "   " + inline_members(item) + "\n";
				nested_blocks(out, item, indent + "        ");
			} else {
				out += indent + "    " + item.dump() + "\n";
			}
		}
	}
}

std::string format_status(const Json &status)
{
	std::string out;
	for (const auto &[key, value] : status.items())
		out += key + " " + (is_scalar(value) ? scalar_text(value) : value.dump()) + "\n";
	return out;
}

std::string format_counters(const Json &counters)
{
	std::string out;
	for (const auto &[group, values] : counters.items()) {
		out += group + ":\n";
		if (!values.is_object())
			continue;
		for (const auto &[name, value] : values.items()) {
			// A latency histogram: its count and percentiles; -j has
			// the buckets.
			if (value.is_object()) {
				out += "    " + name;
				for (const char *key : {"count", "p50_ms", "p99_ms"})
					if (const auto it = value.find(key); it != value.end())
						out += std::string(" ") + key + " " + scalar_text(*it);
				out += "\n";
				continue;
			}
			out += "    " + name + " " + scalar_text(value) + "\n";
		}
	}
	return out;
}

}  // namespace

std::string format_mobile_node(const Json &node)
{
	if (!node.is_object())
		return node.dump() + "\n";
	std::string out;
	const auto mn = node.find("mn");
	out += (mn != node.end() && mn->is_string() ? mn->get<std::string>() : "?") + inline_members(node, "mn") + "\n";
	nested_blocks(out, node, "    ");
	return out;
}

std::string format_daemon_result(const Command &command, const Json &result)
{
	if (std::holds_alternative<DaemonStatus>(command))
		return format_status(result);
	if (std::holds_alternative<DaemonCounters>(command))
		return format_counters(result);
	if (std::holds_alternative<MnList>(command)) {
		std::string out;
		if (result.is_array())
			for (const auto &node : result)
				out += format_mobile_node(node);
		return out;
	}
	if (std::holds_alternative<MnShow>(command))
		return format_mobile_node(result);
	return {};
}

nl::Result<control::Reply> ask_daemon(const std::string &socket_path, const control::Request &request)
{
	auto unreachable = [&](int code) {
		return nl::make_error(code, "cannot reach dlifd at " + socket_path + ": " + std::strerror(code));
	};
	sockaddr_un address{};
	address.sun_family = AF_UNIX;
	if (socket_path.size() >= sizeof(address.sun_path))
		return unreachable(ENAMETOOLONG);
	std::memcpy(address.sun_path, socket_path.data(), socket_path.size());
	const UniqueFd owned(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!owned)
		return unreachable(errno);
	const int fd = owned.get();
	// A daemon that hangs must not hang dlifctl.
	timeval timeout{10, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) < 0)
		return unreachable(errno);
	const std::string line = control::encode_request(request) + "\n";
	for (std::size_t sent = 0; sent < line.size();) {
		const ssize_t n = ::send(fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return unreachable(errno);
		}
		sent += static_cast<std::size_t>(n);
	}
	std::string reply;
	char chunk[65536];
	while (reply.find('\n') == std::string::npos) {
		const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return unreachable(errno == EAGAIN ? ETIMEDOUT : errno);
		}
		if (n == 0)
			return nl::make_error(ECONNRESET, "dlifd at " + socket_path + " closed the connection without a reply");
		reply.append(chunk, static_cast<std::size_t>(n));
	}
	auto decoded = control::decode_reply(std::string_view(reply).substr(0, reply.find('\n')));
	if (!decoded)
		return nl::make_error(EBADMSG, "dlifd at " + socket_path + ": " + decoded.error());
	return *decoded;
}

}  // namespace dlif::cli
