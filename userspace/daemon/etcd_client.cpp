// SPDX-License-Identifier: GPL-2.0
#include "etcd_client.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <charconv>
#include <mutex>
#include <nlohmann/json.hpp>

namespace dlif::daemon::etcd {

using nlohmann::json;

namespace {

// The gateway writes 64-bit numbers as JSON strings (proto3 mapping).
std::int64_t number(const json &object, const char *name)
{
	const auto it = object.find(name);
	if (it == object.end())
		return 0;
	std::int64_t value = 0;
	if (it->is_string()) {
		const auto &text = it->get_ref<const std::string &>();
		std::from_chars(text.data(), text.data() + text.size(), value);
	} else if (it->is_number_integer()) {
		value = it->get<std::int64_t>();
	}
	return value;
}

Result<KeyValue> key_value(const json &kv)
{
	KeyValue out;
	if (!kv.is_object())
		return mh::unexpected(std::string("a key-value that is not an object"));
	const auto text = [&](const char *name) {
		const auto it = kv.find(name);
		return it != kv.end() && it->is_string() ? it->get<std::string>() : std::string();
	};
	auto key = base64_decode(text("key"));
	auto value = base64_decode(text("value"));
	if (!key || !value)
		return mh::unexpected(std::string("a key or value that is not base64"));
	out.key = std::move(*key);
	out.value = std::move(*value);
	out.create_revision = number(kv, "create_revision");
	out.mod_revision = number(kv, "mod_revision");
	out.lease = number(kv, "lease");
	return out;
}

// The decoded key-values of a "kvs" array appended to OUT.
Result<bool> append_key_values(const json &kvs, std::vector<KeyValue> &out)
{
	for (const auto &kv : kvs) {
		auto decoded = key_value(kv);
		if (!decoded)
			return mh::unexpected(decoded.error());
		out.push_back(std::move(*decoded));
	}
	return true;
}

json operation_json(const Operation &op)
{
	switch (op.kind) {
	case Operation::Kind::Put: {
		json put = {{"key", base64_encode(op.key)}, {"value", base64_encode(op.value)}};
		if (op.lease != 0)
			put["lease"] = std::to_string(op.lease);
		return {{"request_put", put}};
	}
	case Operation::Kind::Delete:
		return {{"request_delete_range", {{"key", base64_encode(op.key)}}}};
	case Operation::Kind::Range:
		break;
	}
	return {{"request_range", {{"key", base64_encode(op.key)}}}};
}

size_t collect(char *data, size_t size, size_t count, void *user)
{
	static_cast<std::string *>(user)->append(data, size * count);
	return size * count;
}

struct CurlDeleter {
	void operator()(CURL *curl) const noexcept { curl_easy_cleanup(curl); }
};

} // namespace

std::string base64_encode(const std::string &bytes)
{
	std::string out(4 * ((bytes.size() + 2) / 3), '\0');
	const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
				      reinterpret_cast<const unsigned char *>(bytes.data()), static_cast<int>(bytes.size()));
	out.resize(static_cast<std::size_t>(n));
	return out;
}

std::optional<std::string> base64_decode(const std::string &text)
{
	if (text.size() % 4 != 0)
		return std::nullopt;
	std::string out(3 * (text.size() / 4), '\0');
	const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char *>(out.data()),
				      reinterpret_cast<const unsigned char *>(text.data()), static_cast<int>(text.size()));
	if (n < 0)
		return std::nullopt;
	// EVP_DecodeBlock counts the padding as zero octets.
	std::size_t length = static_cast<std::size_t>(n);
	if (text.ends_with("=="))
		length -= 2;
	else if (text.ends_with("="))
		length -= 1;
	out.resize(length);
	return out;
}

std::string prefix_end(std::string prefix)
{
	// The first key after every key that starts with the prefix: the
	// last octet that can be incremented is, and what follows it dropped.
	while (!prefix.empty()) {
		auto &last = reinterpret_cast<unsigned char &>(prefix.back());
		if (last < 0xff) {
			++last;
			return prefix;
		}
		prefix.pop_back();
	}
	return std::string(1, '\0');	// every key
}

struct Client::Impl {
	std::vector<std::string> endpoints;
	std::size_t current = 0;
	long timeout_ms;
	Tls tls;
	std::unique_ptr<CURL, CurlDeleter> curl;
};

Client::Client(std::vector<std::string> endpoints, std::chrono::milliseconds timeout, Tls tls)
	: impl_(std::make_unique<Impl>())
{
	static std::once_flag initialised;
	std::call_once(initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
	impl_->endpoints = std::move(endpoints);
	impl_->timeout_ms = static_cast<long>(timeout.count());
	impl_->tls = std::move(tls);
	impl_->curl.reset(curl_easy_init());
}

Client::~Client() = default;
Client::Client(Client &&) noexcept = default;
Client &Client::operator=(Client &&) noexcept = default;

const std::string &Client::endpoint() const
{
	static const std::string none;
	return impl_->endpoints.empty() ? none : impl_->endpoints[impl_->current];
}

Result<json> Client::post(const std::string &path, const json &body)
{
	if (!impl_->curl)
		return mh::unexpected(std::string("libcurl could not start"));
	if (impl_->endpoints.empty())
		return mh::unexpected(std::string("no etcd endpoint"));
	const std::string request = body.dump();
	std::string failures;
	// From the endpoint that answered last, each once.
	for (std::size_t tried = 0; tried < impl_->endpoints.size(); ++tried) {
		const std::size_t index = (impl_->current + tried) % impl_->endpoints.size();
		const std::string url = impl_->endpoints[index] + path;
		std::string response;
		CURL *curl = impl_->curl.get();
		curl_easy_reset(curl);
		curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.c_str());
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.size()));
		curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, impl_->timeout_ms);
		curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, impl_->timeout_ms);
		curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
		// Only the two schemes the configuration accepts, even through a
		// redirect; certificates checked (libcurl's default, kept).
		curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
		const Tls &tls = impl_->tls;
		if (!tls.ca_file.empty())
			curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
		if (!tls.cert_file.empty()) {
			curl_easy_setopt(curl, CURLOPT_SSLCERT, tls.cert_file.c_str());
			curl_easy_setopt(curl, CURLOPT_SSLKEY, tls.key_file.c_str());
		}
		const CURLcode rc = curl_easy_perform(curl);
		long status = 0;
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		if (rc != CURLE_OK) {
			failures += (failures.empty() ? "" : "; ") + url + ": " + curl_easy_strerror(rc);
			continue;
		}
		impl_->current = index;
		json answer = json::parse(response, nullptr, false);
		if (answer.is_discarded() || !answer.is_object())
			return mh::unexpected(url + ": an answer that is not JSON (HTTP " + std::to_string(status) + ")");
		if (status != 200) {
			// The gateway's error: {"error": "...", "code": N, "message": "..."}.
			std::string message;
			for (const char *name : {"message", "error"})
				if (const auto it = answer.find(name); message.empty() && it != answer.end() && it->is_string())
					message = it->get<std::string>();
			return mh::unexpected(url + ": HTTP " + std::to_string(status) + ": " + message);
		}
		return answer;
	}
	return mh::unexpected(failures);
}

Result<std::int64_t> Client::grant(std::chrono::seconds ttl)
{
	auto answer = post("/v3/lease/grant", {{"TTL", std::to_string(ttl.count())}});
	if (!answer)
		return mh::unexpected(answer.error());
	const std::int64_t id = number(*answer, "ID");
	if (id == 0)
		return mh::unexpected(std::string("the lease grant carried no ID"));
	return id;
}

Result<std::int64_t> Client::keep_alive(std::int64_t lease)
{
	// A streaming call in gRPC; through the gateway one request, one
	// answer: {"result": {"ID": ..., "TTL": ...}} (no TTL: expired).
	auto answer = post("/v3/lease/keepalive", {{"ID", std::to_string(lease)}});
	if (!answer)
		return mh::unexpected(answer.error());
	const auto result = answer->find("result");
	if (result == answer->end() || !result->is_object())
		return mh::unexpected(std::string("a keep-alive answer without a result"));
	return number(*result, "TTL");
}

Result<bool> Client::revoke(std::int64_t lease)
{
	auto answer = post("/v3/lease/revoke", {{"ID", std::to_string(lease)}});
	if (!answer)
		return mh::unexpected(answer.error());
	return true;
}

Result<std::vector<KeyValue>> Client::range_prefix(const std::string &prefix, std::int64_t page)
{
	std::vector<KeyValue> out;
	const std::string end = base64_encode(prefix_end(prefix));
	std::string from = prefix;
	std::int64_t revision = 0;
	for (;;) {
		json request = {{"key", base64_encode(from)}, {"range_end", end}, {"limit", std::to_string(page)}};
		if (revision != 0)
			request["revision"] = std::to_string(revision);
		auto answer = post("/v3/kv/range", request);
		if (!answer)
			return mh::unexpected(answer.error());
		if (revision == 0)
			if (const auto header = answer->find("header"); header != answer->end() && header->is_object())
				revision = number(*header, "revision");
		const auto kvs = answer->find("kvs");
		if (kvs == answer->end() || !kvs->is_array())
			break;
		if (auto appended = append_key_values(*kvs, out); !appended)
			return mh::unexpected(appended.error());
		const auto more = answer->find("more");
		if (more == answer->end() || !more->is_boolean() || !more->get<bool>() || kvs->empty())
			break;
		from = out.back().key + std::string(1, '\0');
	}
	return out;
}

Result<TransactionResult> Client::commit(const Transaction &transaction)
{
	json compare = json::array();
	for (const auto &c : transaction.compare) {
		json item = {{"key", base64_encode(c.key)}, {"result", "EQUAL"}};
		if (c.target == Compare::Target::Create) {
			item["target"] = "CREATE";
			item["create_revision"] = std::to_string(c.revision);
		} else {
			item["target"] = "VALUE";
			item["value"] = base64_encode(c.value);
		}
		compare.push_back(std::move(item));
	}
	json success = json::array();
	for (const auto &op : transaction.success)
		success.push_back(operation_json(op));
	json failure = json::array();
	for (const auto &op : transaction.failure)
		failure.push_back(operation_json(op));
	auto answer = post("/v3/kv/txn", {{"compare", compare}, {"success", success}, {"failure", failure}});
	if (!answer)
		return mh::unexpected(answer.error());
	TransactionResult result;
	// proto3 leaves out a false "succeeded" and empty lists.
	const auto succeeded = answer->find("succeeded");
	result.succeeded = succeeded != answer->end() && succeeded->is_boolean() && succeeded->get<bool>();
	const auto responses = answer->find("responses");
	if (responses == answer->end() || !responses->is_array())
		return result;
	for (const auto &response : *responses) {
		const auto range = response.find("response_range");
		if (range == response.end() || !range->is_object())
			continue;
		const auto kvs = range->find("kvs");
		if (kvs == range->end() || !kvs->is_array())
			continue;
		if (auto appended = append_key_values(*kvs, result.found); !appended)
			return mh::unexpected(appended.error());
	}
	return result;
}

} // namespace dlif::daemon::etcd
