// SPDX-License-Identifier: GPL-2.0
#include "etcd_server.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "etcd_client.hpp"

namespace dlif::tools {

using namespace std::chrono_literals;

int free_loopback_port()
{
	const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	sockaddr_in address{};
	address.sin_family = AF_INET;
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t length = sizeof(address);
	const bool bound = bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) == 0 &&
			   getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == 0;
	close(fd);
	return bound ? ntohs(address.sin_port) : -1;
}

bool EtcdServer::installed()
{
	return access(kBinary, X_OK) == 0;
}

EtcdServer::EtcdServer()
{
	char pattern[] = "/tmp/dlif-etcd-XXXXXX";
	if (!installed() || mkdtemp(pattern) == nullptr)
		return;
	directory_ = pattern;
	// Taken by another program before etcd binds them, etcd fails to
	// start, and running() says so.
	const int client = free_loopback_port();
	const int peer = free_loopback_port();
	if (client < 0 || peer < 0)
		return;
	endpoint_ = "http://127.0.0.1:" + std::to_string(client);
	const std::string peer_url = "http://127.0.0.1:" + std::to_string(peer);
	const std::string data = directory_ + "/data";
	const std::string log = directory_ + "/etcd.log";
	const std::string cluster = "test=" + peer_url;
	pid_ = fork();
	if (pid_ < 0)
		return;
	if (pid_ == 0) {
		if (!std::freopen(log.c_str(), "w", stdout) || !std::freopen(log.c_str(), "a", stderr))
			_exit(126);
		execl(kBinary, kBinary, "--name", "test", "--data-dir", data.c_str(), "--listen-client-urls",
		      endpoint_.c_str(), "--advertise-client-urls", endpoint_.c_str(), "--listen-peer-urls",
		      peer_url.c_str(), "--initial-advertise-peer-urls", peer_url.c_str(), "--initial-cluster",
		      cluster.c_str(), static_cast<char *>(nullptr));
		_exit(127);
	}
	// Ready when it answers a range.
	daemon::etcd::Client probe({endpoint_}, 500ms);
	for (int i = 0; i < 200 && !ready_; ++i) {
		ready_ = probe.range_prefix("/probe").has_value();
		if (!ready_)
			std::this_thread::sleep_for(100ms);
	}
}

EtcdServer::~EtcdServer()
{
	if (pid_ > 0) {
		kill(pid_, SIGTERM);
		waitpid(pid_, nullptr, 0);
	}
	if (!directory_.empty()) {
		std::error_code ignored;
		std::filesystem::remove_all(directory_, ignored);
	}
}

} // namespace dlif::tools
