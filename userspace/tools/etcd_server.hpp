// SPDX-License-Identifier: GPL-2.0
//
// A throwaway etcd (Debian's etcd-server) for the tests and benchmarks of
// dlifd's etcd store: one member on loopback ports of its own, its data in
// a temporary directory, stopped and removed with the object.
#pragma once

#include <sys/types.h>

#include <string>

#include "etcd_client.hpp"

namespace dlif::tools {

// A loopback TCP port nothing listens on now (the kernel's pick for port
// 0), -1 if none could be had. Another program may take it before it is
// used.
int free_loopback_port();

class EtcdServer {
public:
	static constexpr const char *kBinary = "/usr/bin/etcd";
	static bool installed();

	// http: plain HTTP. tls: HTTPS with client certificates required
	// (--client-cert-auth), from a CA made for it by openssl(1); the
	// client's side in client_tls().
	enum class Transport { http, tls };

	// Starts it and waits (up to 20 s) until it answers; running() says
	// whether it did, and its log is then in directory()/etcd.log.
	explicit EtcdServer(Transport transport = Transport::http);
	~EtcdServer();
	EtcdServer(const EtcdServer &) = delete;
	EtcdServer &operator=(const EtcdServer &) = delete;

	bool running() const noexcept { return ready_; }
	const std::string &endpoint() const noexcept { return endpoint_; }	// http(s)://127.0.0.1:PORT
	const std::string &directory() const noexcept { return directory_; }
	// Transport::tls: the CA and a client certificate and key it signed.
	const daemon::etcd::Tls &client_tls() const noexcept { return client_tls_; }

private:
	pid_t pid_ = -1;
	bool ready_ = false;
	std::string directory_;
	std::string endpoint_;
	daemon::etcd::Tls client_tls_;
};

} // namespace dlif::tools
