// SPDX-License-Identifier: GPL-2.0
//
// A small client of etcd's v3 API through its JSON gateway (etcd 3.4's
// /v3/... endpoints over HTTP): what the highly available CMD needs and no
// more. Keys, ranges, transactions, leases. libcurl does the HTTP; each
// call is synchronous, bounded by the configured timeout, and tries the
// endpoints in turn from the last one that answered. See
// Documentation/dlifd-design.rst for why the gateway and not gRPC.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "dlif/mh/result.hpp"

namespace dlif::daemon::etcd {

template <typename T>
using Result = mh::Result<T, std::string>;

struct KeyValue {
	std::string key;
	std::string value;
	std::int64_t create_revision = 0;
	std::int64_t mod_revision = 0;
	std::int64_t lease = 0;

	friend bool operator==(const KeyValue &, const KeyValue &) = default;
};

// One comparison of a transaction's guard.
struct Compare {
	enum class Target { Create, Value };
	std::string key;
	Target target = Target::Value;
	std::string value;		// Target::Value: equal to this
	std::int64_t revision = 0;	// Target::Create: equal to this (0: absent)
};

// One operation of a transaction's branch.
struct Operation {
	enum class Kind { Put, Delete, Range };
	Kind kind = Kind::Put;
	std::string key;
	std::string value;		// Put
	std::int64_t lease = 0;		// Put: attached to this lease (0: none)

	static Operation put(std::string key, std::string value, std::int64_t lease = 0)
	{
		return {Kind::Put, std::move(key), std::move(value), lease};
	}
	static Operation remove(std::string key) { return {Kind::Delete, std::move(key), {}, 0}; }
	static Operation get(std::string key) { return {Kind::Range, std::move(key), {}, 0}; }
};

struct Transaction {
	std::vector<Compare> compare;
	std::vector<Operation> success;
	std::vector<Operation> failure;
};

struct TransactionResult {
	bool succeeded = false;
	std::vector<KeyValue> found;	// what the Range operations of the branch taken read
};

// TLS toward https:// endpoints (a cluster run with --cert-file and,
// for client certificates, --client-cert-auth): the CA that signed the
// members' certificates (empty: the system's CAs), and this client's
// certificate and key, PEM (empty: none).
struct Tls {
	std::string ca_file;
	std::string cert_file;
	std::string key_file;

	friend bool operator==(const Tls &, const Tls &) = default;
};

class Client {
public:
	// endpoints: "http://host:port" or "https://host:port" each.
	Client(std::vector<std::string> endpoints, std::chrono::milliseconds timeout, Tls tls = {});
	~Client();
	Client(Client &&) noexcept;
	Client &operator=(Client &&) noexcept;
	Client(const Client &) = delete;
	Client &operator=(const Client &) = delete;

	// A lease of TTL seconds; its ID.
	Result<std::int64_t> grant(std::chrono::seconds ttl);
	// The seconds left after the refresh; 0 when the lease has expired.
	Result<std::int64_t> keep_alive(std::int64_t lease);
	Result<bool> revoke(std::int64_t lease);

	// Every key that starts with PREFIX, in key order, read in pages of
	// PAGE keys at the revision of the first page (one consistent view).
	Result<std::vector<KeyValue>> range_prefix(const std::string &prefix, std::int64_t page = 1000);
	Result<TransactionResult> commit(const Transaction &transaction);

	// The endpoint that answered last (for logs).
	const std::string &endpoint() const;

private:
	Result<nlohmann::json> post(const std::string &path, const nlohmann::json &body);

	struct Impl;
	std::unique_ptr<Impl> impl_;
};

// The gateway carries keys and values as base64.
std::string base64_encode(const std::string &bytes);
std::optional<std::string> base64_decode(const std::string &text);
// The end of the range of every key that starts with PREFIX.
std::string prefix_end(std::string prefix);

} // namespace dlif::daemon::etcd
