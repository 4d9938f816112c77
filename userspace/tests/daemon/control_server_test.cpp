// SPDX-License-Identifier: GPL-2.0
//
// The control socket for real, in a temporary directory: mode 0600,
// several requests on one connection, a second daemon refused, a stale
// socket file replaced, oversized requests cut off.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "control_server.hpp"

namespace dlif::daemon {
namespace {

class ControlServerTest : public testing::Test {
protected:
	void SetUp() override
	{
		char pattern[] = "/tmp/dlifd-control-test-XXXXXX";
		ASSERT_NE(mkdtemp(pattern), nullptr);
		dir_ = pattern;
		path_ = dir_ + "/dlifd.sock";
		auto loop = EventLoop::open();
		ASSERT_TRUE(loop);
		loop_.emplace(std::move(*loop));
	}
	void TearDown() override { std::filesystem::remove_all(dir_); }

	static control::Reply handle(const control::Request &request)
	{
		if (std::holds_alternative<control::StatusRequest>(request))
			return control::success({{"role", "maar"}});
		if (const auto *show = std::get_if<control::MnShowRequest>(&request))
			return control::failure("no mobile node \"" + show->mn + "\"");
		return control::success(nlohmann::json::array());
	}

	UniqueFd connect_client()
	{
		UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
		sockaddr_un address{};
		address.sun_family = AF_UNIX;
		std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
		EXPECT_EQ(::connect(fd.get(), reinterpret_cast<const sockaddr *>(&address), sizeof(address)), 0);
		return fd;
	}

	// Runs the loop until `lines` reply lines have arrived on fd.
	std::string replies(int fd, int lines)
	{
		std::string text;
		for (int round = 0; round < 100 && std::count(text.begin(), text.end(), '\n') < lines; ++round) {
			EXPECT_TRUE(loop_->run_once(50));
			char chunk[4096];
			const ssize_t n = ::recv(fd, chunk, sizeof(chunk), MSG_DONTWAIT);
			if (n > 0)
				text.append(chunk, static_cast<std::size_t>(n));
		}
		return text;
	}

	std::string dir_;
	std::string path_;
	std::optional<EventLoop> loop_;
};

TEST_F(ControlServerTest, AnswersEachLineInOrderOnARootOnlySocket)
{
	auto server = ControlServer::open(path_, *loop_, handle);
	ASSERT_TRUE(server) << server.error().describe();
	struct stat st {};
	ASSERT_EQ(::stat(path_.c_str(), &st), 0);
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(st.st_mode & 0777, 0600u);

	UniqueFd client = connect_client();
	const std::string requests = "{\"command\":\"status\"}\n{\"command\":\"mn-show\",\"mn\":\"x\"}\r\n\nbogus\n";
	ASSERT_EQ(::send(client.get(), requests.data(), requests.size(), 0), static_cast<ssize_t>(requests.size()));
	EXPECT_EQ(replies(client.get(), 3),
		  "{\"ok\":true,\"result\":{\"role\":\"maar\"}}\n"
		  "{\"error\":\"no mobile node \\\"x\\\"\",\"ok\":false}\n"
		  "{\"error\":\"the request is not JSON\",\"ok\":false}\n");
}

TEST_F(ControlServerTest, ASecondDaemonIsRefusedAStaleSocketReplaced)
{
	{
		auto first = ControlServer::open(path_, *loop_, handle);
		ASSERT_TRUE(first);
		auto second = ControlServer::open(path_, *loop_, handle);
		ASSERT_FALSE(second);
		EXPECT_EQ(second.error().code, EADDRINUSE);
		EXPECT_EQ(second.error().message, "another dlifd is running (it answers on " + path_ + ")");
	}
	// The server removes its socket when it goes.
	EXPECT_FALSE(std::filesystem::exists(path_));

	// A socket file nobody listens on (a dlifd that was killed).
	{
		UniqueFd orphan(::socket(AF_UNIX, SOCK_STREAM, 0));
		sockaddr_un address{};
		address.sun_family = AF_UNIX;
		std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
		ASSERT_EQ(::bind(orphan.get(), reinterpret_cast<const sockaddr *>(&address), sizeof(address)), 0);
	}
	auto replacement = ControlServer::open(path_, *loop_, handle);
	ASSERT_TRUE(replacement) << replacement.error().describe();

	std::filesystem::remove(path_);
	std::filesystem::create_directory(path_);
	replacement->reset();
	auto blocked = ControlServer::open(path_, *loop_, handle);
	ASSERT_FALSE(blocked);
	EXPECT_EQ(blocked.error().message, path_ + " exists and is not a socket");
}

TEST_F(ControlServerTest, AnOversizedRequestClosesTheConnection)
{
	auto server = ControlServer::open(path_, *loop_, handle);
	ASSERT_TRUE(server);
	UniqueFd client = connect_client();
	const std::string huge(control::kMaxRequestBytes + 100, 'x');
	ASSERT_GT(::send(client.get(), huge.data(), huge.size(), 0), 0);
	for (int i = 0; i < 10 && (*server)->clients() > 0; ++i)
		ASSERT_TRUE(loop_->run_once(50));
	EXPECT_EQ((*server)->clients(), 0u);
}

} // namespace
} // namespace dlif::daemon
