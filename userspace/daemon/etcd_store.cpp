// SPDX-License-Identifier: GPL-2.0
#include "etcd_store.hpp"

#include <charconv>
#include <unordered_set>

namespace dlif::daemon {

namespace {

constexpr const char *kVersion = "1";
// etcd refuses transactions of more than --max-txn-ops (128 by default).
constexpr std::size_t kOperationsPerTransaction = 100;

} // namespace

EtcdStore::EtcdStore(EtcdStoreConfig config)
	: config_(std::move(config)), client_(config_.endpoints, config_.timeout, config_.tls)
{
}

std::string EtcdStore::where() const
{
	return "etcd " + config_.prefix + " at " + client_.endpoint();
}

etcd::Result<bool> EtcdStore::campaign()
{
	if (lease_ != 0)
		return true;
	auto lease = client_.grant(config_.lease_ttl);
	if (!lease)
		return mh::unexpected(lease.error());
	etcd::Transaction take;
	take.compare.push_back({key("leader"), etcd::Compare::Target::Create, {}, 0});
	take.success.push_back(etcd::Operation::put(key("leader"), config_.name, *lease));
	take.failure.push_back(etcd::Operation::get(key("leader")));
	auto taken = client_.commit(take);
	if (!taken) {
		(void)client_.revoke(*lease);
		return mh::unexpected(taken.error());
	}
	if (!taken->succeeded) {
		// Another instance leads; our lease would only expire.
		(void)client_.revoke(*lease);
		known_leader_ = taken->found.empty() ? std::string() : taken->found.front().value;
		return false;
	}
	lease_ = *lease;
	known_leader_ = config_.name;
	return true;
}

etcd::Result<bool> EtcdStore::keep_alive()
{
	if (lease_ == 0)
		return false;
	auto left = client_.keep_alive(lease_);
	if (!left)
		return mh::unexpected(left.error());
	if (*left <= 0) {
		lease_ = 0;
		known_leader_.clear();
		return false;
	}
	return true;
}

void EtcdStore::resign()
{
	if (lease_ == 0)
		return;
	// The key goes with the lease; if etcd does not answer, the lease
	// expires within its TTL all the same.
	(void)client_.revoke(lease_);
	lease_ = 0;
	known_leader_.clear();
}

mh::Result<std::optional<StoredState>, std::string> EtcdStore::load()
{
	auto kvs = client_.range_prefix(config_.prefix);
	if (!kvs)
		return mh::unexpected(kvs.error());
	StoredState state;
	std::string version;
	bool any = false;
	const std::string nodes = key("nodes/");
	for (auto &kv : *kvs) {
		if (kv.key.starts_with(nodes)) {
			state.records.push_back(std::move(kv.value));
			any = true;
			continue;
		}
		const std::string_view name = std::string_view(kv.key).substr(config_.prefix.size());
		if (name == "meta/version")
			version = kv.value;
		else if (name == "meta/role")
			state.role = kv.value;
		else if (name == "meta/address")
			state.address = kv.value;
		else if (name == "meta/header")
			state.header = kv.value;
		else if (name == "meta/saved_at_ms")
			std::from_chars(kv.value.data(), kv.value.data() + kv.value.size(), state.saved_at_ms);
		else
			continue;	// the leader key, or a later version's
		any = true;
	}
	if (!any)
		return std::optional<StoredState>();
	if (version != kVersion)
		return mh::unexpected("state version '" + version + "' under " + config_.prefix +
				      " is not supported (this dlifd writes version " + kVersion + ")");
	return std::optional<StoredState>(std::move(state));
}

mh::Result<bool, std::string> EtcdStore::guarded(std::vector<etcd::Operation> operations)
{
	etcd::Transaction transaction;
	transaction.compare.push_back({key("leader"), etcd::Compare::Target::Value, config_.name, 0});
	transaction.success = std::move(operations);
	transaction.failure.push_back(etcd::Operation::get(key("leader")));
	auto done = client_.commit(transaction);
	if (!done)
		return mh::unexpected(done.error());
	if (!done->succeeded) {
		lease_ = 0;
		known_leader_ = done->found.empty() ? std::string() : done->found.front().value;
		return mh::unexpected("not the leader any more (the leader key holds '" + known_leader_ + "')");
	}
	return true;
}

mh::Result<bool, std::string> EtcdStore::commit(const StateChanges &changes)
{
	if (lease_ == 0)
		return mh::unexpected(std::string("not the leader"));
	std::vector<etcd::Operation> operations{
		etcd::Operation::put(key("meta/version"), kVersion),
		etcd::Operation::put(key("meta/role"), changes.role),
		etcd::Operation::put(key("meta/address"), changes.address),
		etcd::Operation::put(key("meta/saved_at_ms"), std::to_string(changes.saved_at_ms)),
		etcd::Operation::put(key("meta/header"), changes.header),
	};
	// One operation per key: etcd refuses a transaction that names a key
	// twice. The last record given for a node is the one that holds (as
	// the SQLite store's upserts in order).
	std::unordered_set<std::string> named;
	for (auto it = changes.records.rbegin(); it != changes.records.rend(); ++it) {
		std::string node_key = key("nodes/" + it->first);
		if (named.contains(node_key))
			continue;
		operations.push_back(it->second ? etcd::Operation::put(node_key, *it->second)
						: etcd::Operation::remove(node_key));
		named.insert(std::move(node_key));
	}
	if (changes.replace_all) {
		// The nodes that are not listed any more go.
		auto stored = client_.range_prefix(key("nodes/"));
		if (!stored)
			return mh::unexpected(stored.error());
		for (const auto &kv : *stored)
			if (!named.contains(kv.key))
				operations.push_back(etcd::Operation::remove(kv.key));
	}
	for (std::size_t first = 0; first < operations.size(); first += kOperationsPerTransaction) {
		const auto last = std::min(operations.size(), first + kOperationsPerTransaction);
		auto done = guarded({operations.begin() + static_cast<std::ptrdiff_t>(first),
				     operations.begin() + static_cast<std::ptrdiff_t>(last)});
		if (!done)
			return done;
	}
	return true;
}

} // namespace dlif::daemon
