// SPDX-License-Identifier: GPL-2.0
//
// The control protocol: requests and replies as JSON lines.
#include <gtest/gtest.h>

#include "control_server.hpp"
#include "dlif/control/protocol.hpp"

namespace dlif::control {
namespace {

TEST(ControlProtocol, EveryRequestRoundTrips)
{
	const std::vector<Request> requests{StatusRequest{},
					    MnListRequest{},
					    MnListRequest{500, std::nullopt},
					    MnListRequest{kMaxPage, "mn7@dlif.example"},
					    MnShowRequest{"mn1@dlif.example"},
					    CountersRequest{},
					    AttachRequest{"eth1", "02:00:00:00:00:01"},
					    DetachRequest{"02:00:00:00:00:01"}};
	for (const auto &request : requests) {
		const std::string line = encode_request(request);
		EXPECT_EQ(line.find('\n'), std::string::npos);
		auto decoded = decode_request(line);
		ASSERT_TRUE(decoded) << line << ": " << decoded.error();
		EXPECT_EQ(*decoded, request) << line;
	}
	EXPECT_EQ(encode_request(AttachRequest{"eth1", "02:00:00:00:00:01"}),
		  R"({"command":"attach","interface":"eth1","mac":"02:00:00:00:00:01"})");
}

TEST(ControlProtocol, BadRequestsSayWhy)
{
	EXPECT_EQ(decode_request("status").error(), "the request is not JSON");
	EXPECT_EQ(decode_request("[1]").error(), "the request must be a JSON object");
	EXPECT_EQ(decode_request("{}").error(), "missing \"command\"");
	EXPECT_EQ(decode_request(R"({"command":1})").error(), "\"command\" must be a string");
	EXPECT_EQ(decode_request(R"({"command":"reboot"})").error(), "unknown command \"reboot\"");
	EXPECT_EQ(decode_request(R"({"command":"mn-show"})").error(), "missing \"mn\"");
	EXPECT_EQ(decode_request(R"({"command":"attach","mac":"x"})").error(), "missing \"interface\"");
	EXPECT_EQ(decode_request(R"({"command":"detach","mac":5})").error(), "\"mac\" must be a string");
	const std::string bad_limit = "\"limit\" must be an integer from 1 to 10000";
	EXPECT_EQ(decode_request(R"({"command":"mn-list","limit":0})").error(), bad_limit);
	EXPECT_EQ(decode_request(R"({"command":"mn-list","limit":10001})").error(), bad_limit);
	EXPECT_EQ(decode_request(R"({"command":"mn-list","limit":-1})").error(), bad_limit);
	EXPECT_EQ(decode_request(R"({"command":"mn-list","limit":"5"})").error(), bad_limit);
	EXPECT_EQ(decode_request(R"({"command":"mn-list","limit":5,"after":5})").error(), "\"after\" must be a string");
	EXPECT_EQ(decode_request(R"({"command":"mn-list","after":"x"})").error(), "\"after\" needs \"limit\"");
}

TEST(ControlProtocol, Replies)
{
	EXPECT_EQ(encode_reply(success({{"mobile_nodes", 2}})), R"({"ok":true,"result":{"mobile_nodes":2}})");
	EXPECT_EQ(encode_reply(failure("no mobile node \"x\"")), R"({"error":"no mobile node \"x\"","ok":false})");
	auto ok = decode_reply(R"({"ok":true,"result":[1,2]})");
	ASSERT_TRUE(ok);
	EXPECT_TRUE(ok->ok);
	EXPECT_EQ(ok->result, Json::array({1, 2}));
	auto refused = decode_reply(R"({"ok":false,"error":"nope"})");
	ASSERT_TRUE(refused);
	EXPECT_FALSE(refused->ok);
	EXPECT_EQ(refused->error, "nope");
	EXPECT_FALSE(decode_reply("garbage"));
	EXPECT_FALSE(decode_reply(R"({"result":1})"));
}

TEST(ControlProtocol, InvalidUtf8IsReplacedNotThrown)
{
	const std::string line = encode_reply(success(Json{{"mn", std::string("\xff\xfe")}}));
	EXPECT_NE(line.find("\"mn\""), std::string::npos);
}

TEST(ControlProtocol, AnswerLineRepliesToEachRequest)
{
	auto handler = [](const Request &request) -> Reply {
		if (std::holds_alternative<StatusRequest>(request))
			return success({{"role", "maar"}});
		return failure("not here");
	};
	EXPECT_EQ(daemon::answer_line(R"({"command":"status"})", handler), "{\"ok\":true,\"result\":{\"role\":\"maar\"}}\n");
	EXPECT_EQ(daemon::answer_line(R"({"command":"counters"})", handler), "{\"error\":\"not here\",\"ok\":false}\n");
	EXPECT_EQ(daemon::answer_line("nonsense", handler), "{\"error\":\"the request is not JSON\",\"ok\":false}\n");
}

} // namespace
} // namespace dlif::control
