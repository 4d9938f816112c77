// SPDX-License-Identifier: GPL-2.0
//
// The CMD's state in etcd, shared by several dlifd instances of which one,
// the leader, answers. The same parts as the SQLite database (a header and
// one record per node) under a key prefix:
//
//   PREFIX leader           the leader's instance name, on its lease
//   PREFIX meta/version     "1"
//   PREFIX meta/role        meta/address  meta/saved_at_ms  meta/header
//   PREFIX nodes/MN-ID      the node's record
//
// Leadership is the leader key: created only where it is absent, on a
// lease of a few seconds that the leader keeps alive. Every commit is a
// transaction guarded by "the leader key still holds my name", so an
// instance that lost its lease (paused, cut off) cannot overwrite what a
// newer leader wrote: its commit fails and it steps down.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "etcd_client.hpp"
#include "state_db.hpp"

namespace dlif::daemon {

struct EtcdStoreConfig {
	std::vector<std::string> endpoints;
	std::string prefix = "/dlif/cmd/";
	std::string name;			// this instance, unique in the cluster
	std::chrono::seconds lease_ttl{5};
	std::chrono::milliseconds timeout{1000};	// per request
	etcd::Tls tls;					// toward https:// endpoints
};

class EtcdStore {
public:
	explicit EtcdStore(EtcdStoreConfig config);

	const EtcdStoreConfig &config() const noexcept { return config_; }
	// "etcd PREFIX at ENDPOINT", for logs and status.
	std::string where() const;

	// Leadership. campaign(): true when this instance is the leader now
	// (it already was, or the key was free and it took it).
	etcd::Result<bool> campaign();
	// Refreshes the lease; false when it had expired (leadership lost).
	etcd::Result<bool> keep_alive();
	// Gives the leadership up at once (revokes the lease).
	void resign();
	bool leader() const noexcept { return lease_ != 0; }
	// The name in the leader key (empty: none), as read last.
	const std::string &known_leader() const noexcept { return known_leader_; }

	// As StateDatabase::load: nullopt when nothing was ever committed.
	mh::Result<std::optional<StoredState>, std::string> load();
	// Only while leader; a refused guard ends the leadership. A large
	// change goes in several transactions (etcd's --max-txn-ops), each
	// guarded, the header first.
	mh::Result<bool, std::string> commit(const StateChanges &changes);

private:
	std::string key(const std::string &suffix) const { return config_.prefix + suffix; }
	mh::Result<bool, std::string> guarded(std::vector<etcd::Operation> operations);

	EtcdStoreConfig config_;
	etcd::Client client_;
	std::int64_t lease_ = 0;	// ours while leader
	std::string known_leader_;
};

} // namespace dlif::daemon
