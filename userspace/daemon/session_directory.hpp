// SPDX-License-Identifier: GPL-2.0
//
// The domain's session database of direct mode ([maar.sessions]): one etcd
// key per (node, MAAR) that anchors prefixes of the node,
//
//     <prefix><MN-ID>/<MAAR address>  ->  {"maar", "prefixes", "identity", "local_prefixes"}
//
// written when the MAAR allocates the node's prefix and deleted when it
// releases it (seed 002 §3.2 option 2, R122). A MAAR where the node
// attaches reads every key under <prefix><MN-ID>/ (LookupSessions). Calls
// are synchronous, bounded by request_timeout (the etcd client's); a write
// the cluster did not take is kept, newest per node, and tried again.
//
// Every record is put on one lease of this MAAR's (lease_ttl), renewed a
// third of the way through: records outlive the MAAR by at most that long,
// so a MAAR that is gone, or comes back without its state, leaves none
// behind. A daemon that starts, or finds its lease expired, writes every
// record again (publish_all) on a fresh lease.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dlif/dmm/io.hpp"
#include "dlif/dmm/types.hpp"
#include "config.hpp"
#include "etcd_client.hpp"

namespace dlif::daemon {

// A record as its key holds it (JSON text), and back; nullopt for one
// that is not a record.
std::string encode_session_record(const dmm::SessionRecord &record);
std::optional<dmm::SessionRecord> decode_session_record(std::string_view text);

class SessionDirectory {
public:
	explicit SessionDirectory(const SessionDirectoryConfig &config);

	// Every record of the node; records that do not parse are skipped
	// and counted in malformed().
	etcd::Result<std::vector<dmm::SessionRecord>> lookup(const std::string &mn);

	// Writes (or, without a record, deletes) `maar`'s record of the node.
	// On failure the change waits for retry_due(); the error is returned.
	std::optional<std::string> publish(const std::string &mn, const Ipv6Address &maar,
					   const std::optional<dmm::SessionRecord> &record, dmm::TimePoint now);
	// Writes every record on the current lease (a fresh one after a
	// lost one), in transactions of kBatch puts, until one fails: what
	// remains then waits for retry_due().
	struct PublishedAll {
		std::size_t written = 0;
		std::optional<std::string> error;
	};
	PublishedAll publish_all(const Ipv6Address &maar, const std::vector<dmm::PublishSession> &records,
				 dmm::TimePoint now);
	// Tries the waiting changes again once their time has come; how many
	// it wrote.
	std::size_t retry_due(dmm::TimePoint now);
	std::optional<dmm::TimePoint> next_retry() const;

	enum class Renewal { not_due, renewed, failed, lost };
	// Renews the lease when a third of its time has passed. lost: it had
	// expired and every record on it is gone (publish_all again).
	Renewal renew_due(dmm::TimePoint now);
	std::optional<dmm::TimePoint> next_renewal() const;
	std::int64_t lease() const noexcept { return lease_; }
	static constexpr std::size_t kBatch = 100;	// etcd's --max-txn-ops is 128
	std::size_t unwritten() const noexcept { return unwritten_.size(); }
	std::uint64_t malformed() const noexcept { return malformed_; }
	std::string key(const std::string &mn, const Ipv6Address &maar) const;

	static constexpr dmm::Duration kRetry{1000};

private:
	etcd::Result<bool> write(const std::string &key, const std::optional<dmm::SessionRecord> &record,
				 dmm::TimePoint now);
	etcd::Result<std::int64_t> ensure_lease(dmm::TimePoint now);
	std::int64_t lease_ = 0;
	std::optional<dmm::TimePoint> next_renewal_;

	SessionDirectoryConfig config_;
	etcd::Client client_;
	// By key: the newest change the cluster has not taken yet.
	std::map<std::string, std::optional<dmm::SessionRecord>> unwritten_;
	std::optional<dmm::TimePoint> next_retry_;
	std::uint64_t malformed_ = 0;
};

} // namespace dlif::daemon
