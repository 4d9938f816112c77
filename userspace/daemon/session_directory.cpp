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

etcd::Result<bool> SessionDirectory::write(const std::string &key, const std::optional<dmm::SessionRecord> &record)
{
	etcd::Transaction transaction;
	transaction.success.push_back(record ? etcd::Operation::put(key, encode_session_record(*record))
					     : etcd::Operation::remove(key));
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
	auto written = write(where, record);
	if (written)
		return std::nullopt;
	unwritten_.emplace(std::move(where), record);
	if (!next_retry_)
		next_retry_ = now + kRetry;
	return written.error();
}

std::size_t SessionDirectory::retry_due(dmm::TimePoint now)
{
	if (!next_retry_ || *next_retry_ > now)
		return 0;
	std::size_t written = 0;
	for (auto it = unwritten_.begin(); it != unwritten_.end();) {
		if (!write(it->first, it->second))
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
