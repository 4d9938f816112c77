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
#include <fstream>
#include <thread>
#include <vector>

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

namespace {

// In DIRECTORY, by openssl(1) (EC P-256, valid a day): a CA, a member
// certificate for 127.0.0.1 (server and client use: etcd's gateway
// reaches its own gRPC side with it) and a client certificate. Its
// output in pki.log.
bool make_test_pki(const std::string &directory)
{
	std::ofstream(directory + "/server.ext") << "subjectAltName=IP:127.0.0.1\n"
						    "extendedKeyUsage=serverAuth,clientAuth\n";
	std::ofstream(directory + "/client.ext") << "extendedKeyUsage=clientAuth\n";
	const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
	const std::string sign = " -CA ca.crt -CAkey ca.key -CAcreateserial -days 1";
	const std::string commands =
		"cd " + directory + " && openssl req -x509" + key + " -keyout ca.key -out ca.crt -subj /CN=dlif-test-ca -days 1" +
		" && openssl req" + key + " -keyout server.key -out server.csr -subj /CN=etcd" +
		" && openssl x509 -req -in server.csr" + sign + " -out server.crt -extfile server.ext" +
		" && openssl req" + key + " -keyout client.key -out client.csr -subj /CN=dlifd" +
		" && openssl x509 -req -in client.csr" + sign + " -out client.crt -extfile client.ext";
	return std::system(("(" + commands + ") >" + directory + "/pki.log 2>&1").c_str()) == 0;
}

} // namespace

EtcdServer::EtcdServer(Transport transport)
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
	const bool tls = transport == Transport::tls;
	if (tls) {
		if (!make_test_pki(directory_))
			return;
		client_tls_ = {directory_ + "/ca.crt", directory_ + "/client.crt", directory_ + "/client.key"};
	}
	endpoint_ = (tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(client);
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
		std::vector<std::string> arguments = {kBinary, "--name", "test", "--data-dir", data,
						      "--listen-client-urls", endpoint_, "--advertise-client-urls", endpoint_,
						      "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
						      "--initial-cluster", cluster};
		if (tls)
			arguments.insert(arguments.end(), {"--cert-file", directory_ + "/server.crt", "--key-file",
							   directory_ + "/server.key", "--client-cert-auth",
							   "--trusted-ca-file", directory_ + "/ca.crt"});
		std::vector<char *> argv;
		for (auto &argument : arguments)
			argv.push_back(argument.data());
		argv.push_back(nullptr);
		execv(kBinary, argv.data());
		_exit(127);
	}
	// Ready when it answers a range.
	daemon::etcd::Client probe({endpoint_}, 500ms, client_tls_);
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
