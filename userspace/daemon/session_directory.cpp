// SPDX-License-Identifier: GPL-2.0
#include "session_directory.hpp"

#include <nlohmann/json.hpp>

#include "dlif/dmm/json.hpp"

namespace dlif::daemon {

namespace json = dmm::json;

std::string encode_session_record(const dmm::SessionRecord &record)
{
	return json::Json{{"maar", json::to_json(record.maar)},
			  {"prefixes", json::to_json(record.prefixes)},
			  {"identity", json::to_json(record.identity)},
			  {"local_prefixes", json::to_json(record.local_prefixes)}}
		.dump();
}

std::optional<dmm::SessionRecord> decode_session_record(std::string_view text)
{
	const json::Json value = json::Json::parse(text, nullptr, false);
	if (value.is_discarded() || !value.is_object())
		return std::nullopt;
	try {
		dmm::SessionRecord record;
		record.maar = json::address_from(json::member(value, "maar"));
		record.prefixes = json::prefixes_from(json::member(value, "prefixes"));
		record.identity = json::identity_from(json::member(value, "identity"));
		record.local_prefixes = json::prefixes_from(json::member(value, "local_prefixes"));
		return record;
	} catch (const json::SnapshotError &) {
		return std::nullopt;
	}
}

SessionDirectory::SessionDirectory(const SessionDirectoryConfig &config)
	: config_(config),
	  client_(config.endpoints, std::chrono::duration_cast<std::chrono::milliseconds>(config.request_timeout))
{
}

std::string SessionDirectory::key(const std::string &mn, const Ipv6Address &maar) const
{
	return config_.prefix + mn + "/" + maar.to_string();
}

etcd::Result<std::vector<dmm::SessionRecord>> SessionDirectory::lookup(const std::string &mn)
{
	auto found = client_.range_prefix(config_.prefix + mn + "/");
	if (!found)
		return mh::unexpected(found.error());
	std::vector<dmm::SessionRecord> records;
	for (const auto &kv : *found) {
		if (auto record = decode_session_record(kv.value))
			records.push_back(std::move(*record));
		else
			++malformed_;
	}
	return records;
}

etcd::Result<std::int64_t> SessionDirectory::ensure_lease(dmm::TimePoint now)
{
	if (lease_ != 0)
		return lease_;
	auto granted = client_.grant(std::chrono::ceil<std::chrono::seconds>(config_.lease_ttl));
	if (!granted)
		return mh::unexpected(granted.error());
	lease_ = *granted;
	next_renewal_ = now + config_.lease_ttl / 3;
	return lease_;
}

etcd::Result<bool> SessionDirectory::write(const std::string &key, const std::optional<dmm::SessionRecord> &record,
					   dmm::TimePoint now)
{
	etcd::Transaction transaction;
	if (record) {
		auto lease = ensure_lease(now);
		if (!lease)
			return mh::unexpected(lease.error());
		transaction.success.push_back(etcd::Operation::put(key, encode_session_record(*record), *lease));
	} else {
		transaction.success.push_back(etcd::Operation::remove(key));
	}
	auto committed = client_.commit(transaction);
	if (!committed)
		return mh::unexpected(committed.error());
	return true;
}

std::optional<std::string> SessionDirectory::publish(const std::string &mn, const Ipv6Address &maar,
						     const std::optional<dmm::SessionRecord> &record,
						     dmm::TimePoint now)
{
	std::string where = key(mn, maar);
	// A newer change replaces one still waiting: only the last counts.
	unwritten_.erase(where);
	auto written = write(where, record, now);
	if (written)
		return std::nullopt;
	unwritten_.emplace(std::move(where), record);
	if (!next_retry_)
		next_retry_ = now + kRetry;
	return written.error();
}

SessionDirectory::PublishedAll SessionDirectory::publish_all(const Ipv6Address &maar,
							     const std::vector<dmm::PublishSession> &records,
							     dmm::TimePoint now)
{
	PublishedAll result;
	for (; result.written < records.size(); result.written += kBatch) {
		const std::size_t first = result.written;
		const std::size_t last = std::min(records.size(), first + kBatch);
		auto lease = ensure_lease(now);
		if (!lease) {
			result.error = lease.error();
			break;
		}
		etcd::Transaction transaction;
		for (std::size_t i = first; i < last; ++i)
			transaction.success.push_back(etcd::Operation::put(key(records[i].mn, maar),
									    encode_session_record(*records[i].record), *lease));
		if (auto committed = client_.commit(transaction); !committed) {
			result.error = committed.error();
			break;
		}
		// Newer than any change still waiting for these keys.
		for (std::size_t i = first; i < last; ++i)
			unwritten_.erase(key(records[i].mn, maar));
	}
	result.written = std::min(result.written, records.size());
	if (!result.error)
		return result;
	// The rest waits, as a publish() that failed would.
	for (std::size_t i = result.written; i < records.size(); ++i)
		unwritten_.insert_or_assign(key(records[i].mn, maar), records[i].record);
	if (!next_retry_)
		next_retry_ = now + kRetry;
	return result;
}

SessionDirectory::Renewal SessionDirectory::renew_due(dmm::TimePoint now)
{
	if (lease_ == 0 || !next_renewal_ || *next_renewal_ > now)
		return Renewal::not_due;
	auto left = client_.keep_alive(lease_);
	if (!left) {
		// Tried again soon: the lease may still be alive.
		next_renewal_ = now + kRetry;
		return Renewal::failed;
	}
	if (*left <= 0) {
		lease_ = 0;
		next_renewal_.reset();
		return Renewal::lost;
	}
	next_renewal_ = now + config_.lease_ttl / 3;
	return Renewal::renewed;
}

std::optional<dmm::TimePoint> SessionDirectory::next_renewal() const
{
	return next_renewal_;
}

std::size_t SessionDirectory::retry_due(dmm::TimePoint now)
{
	if (!next_retry_ || *next_retry_ > now)
		return 0;
	std::size_t written = 0;
	for (auto it = unwritten_.begin(); it != unwritten_.end();) {
		if (!write(it->first, it->second, now))
			break;	// the cluster is still away: the rest waits too
		it = unwritten_.erase(it);
		++written;
	}
	next_retry_ = unwritten_.empty() ? std::nullopt : std::optional(now + kRetry);
	return written;
}

std::optional<dmm::TimePoint> SessionDirectory::next_retry() const
{
	return next_retry_;
}

} // namespace dlif::daemon
