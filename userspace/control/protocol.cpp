// SPDX-License-Identifier: GPL-2.0
#include "dlif/control/protocol.hpp"

#include "dlif/overloaded.hpp"

namespace dlif::control {

namespace {

dlif::Result<std::string, std::string> string_member(const Json &object, const char *key)
{
	const auto it = object.find(key);
	if (it == object.end())
		return dlif::unexpected("missing \"" + std::string(key) + "\"");
	if (!it->is_string())
		return dlif::unexpected("\"" + std::string(key) + "\" must be a string");
	return it->get<std::string>();
}

} // namespace

std::string encode_request(const Request &request)
{
	const Json object = std::visit(
		Overloaded{
			[](const StatusRequest &) { return Json{{"command", "status"}}; },
			[](const MnListRequest &r) {
				Json json{{"command", "mn-list"}};
				if (r.limit)
					json["limit"] = *r.limit;
				if (r.after)
					json["after"] = *r.after;
				return json;
			},
			[](const MnShowRequest &r) { return Json{{"command", "mn-show"}, {"mn", r.mn}}; },
			[](const CountersRequest &) { return Json{{"command", "counters"}}; },
			[](const AttachRequest &r) {
				return Json{{"command", "attach"}, {"interface", r.interface}, {"mac", r.mac}};
			},
			[](const DetachRequest &r) { return Json{{"command", "detach"}, {"mac", r.mac}}; },
		},
		request);
	return object.dump();
}

dlif::Result<Request, std::string> decode_request(std::string_view line)
{
	const Json object = Json::parse(line, nullptr, false);
	if (object.is_discarded())
		return dlif::unexpected(std::string("the request is not JSON"));
	if (!object.is_object())
		return dlif::unexpected(std::string("the request must be a JSON object"));
	auto command = string_member(object, "command");
	if (!command)
		return dlif::unexpected(command.error());
	if (*command == "status")
		return Request(StatusRequest{});
	if (*command == "mn-list") {
		MnListRequest list;
		if (const auto limit = object.find("limit"); limit != object.end()) {
			if (!limit->is_number_unsigned() || *limit == 0 || *limit > kMaxPage)
				return dlif::unexpected("\"limit\" must be an integer from 1 to " + std::to_string(kMaxPage));
			list.limit = limit->get<std::uint32_t>();
		}
		if (object.contains("after")) {
			auto after = string_member(object, "after");
			if (!after)
				return dlif::unexpected(after.error());
			if (!list.limit)
				return dlif::unexpected(std::string("\"after\" needs \"limit\""));
			list.after = *after;
		}
		return Request(list);
	}
	if (*command == "counters")
		return Request(CountersRequest{});
	if (*command == "mn-show") {
		auto mn = string_member(object, "mn");
		if (!mn)
			return dlif::unexpected(mn.error());
		return Request(MnShowRequest{*mn});
	}
	if (*command == "attach") {
		auto interface = string_member(object, "interface");
		if (!interface)
			return dlif::unexpected(interface.error());
		auto mac = string_member(object, "mac");
		if (!mac)
			return dlif::unexpected(mac.error());
		return Request(AttachRequest{*interface, *mac});
	}
	if (*command == "detach") {
		auto mac = string_member(object, "mac");
		if (!mac)
			return dlif::unexpected(mac.error());
		return Request(DetachRequest{*mac});
	}
	return dlif::unexpected("unknown command \"" + *command + "\"");
}

std::string encode_reply(const Reply &reply)
{
	Json object = reply.ok ? Json{{"ok", true}, {"result", reply.result}} : Json{{"ok", false}, {"error", reply.error}};
	// Replace invalid UTF-8 (a NAI is octets) rather than throw.
	return object.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Reply success(Json result)
{
	return Reply{true, std::move(result), {}};
}

Reply failure(std::string message)
{
	return Reply{false, nullptr, std::move(message)};
}

dlif::Result<Reply, std::string> decode_reply(std::string_view line)
{
	const Json object = Json::parse(line, nullptr, false);
	if (object.is_discarded() || !object.is_object())
		return dlif::unexpected(std::string("the reply is not a JSON object"));
	const auto ok = object.find("ok");
	if (ok == object.end() || !ok->is_boolean())
		return dlif::unexpected(std::string("the reply has no \"ok\""));
	if (ok->get<bool>()) {
		const auto result = object.find("result");
		return success(result == object.end() ? Json() : *result);
	}
	const auto error = object.find("error");
	return failure(error != object.end() && error->is_string() ? error->get<std::string>() : "unspecified error");
}

} // namespace dlif::control
