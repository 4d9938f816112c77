// SPDX-License-Identifier: GPL-2.0
//
// JSON (nlohmann-json, Debian's nlohmann-json3-dev) for the value types
// the cores keep in snapshots and show in views. Addresses, prefixes and
// MACs are written as text, so that a snapshot reads like the logs.
//
// Readers throw SnapshotError on anything malformed; the cores' restore()
// catches it and reports the message, so nothing escapes to the daemon.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlif/dmm/config.hpp"
#include "dlif/dmm/io.hpp"
#include "dlif/dmm/types.hpp"

namespace dlif::dmm::json {

using Json = nlohmann::json;

struct SnapshotError : std::runtime_error {
	using std::runtime_error::runtime_error;
};

Json to_json(const Ipv6Address &address);
Json to_json(const Ipv6Prefix &prefix);
Json to_json(const MacAddress &mac);
Json to_json(const DlifIdentity &identity);
Json to_json(const std::vector<Ipv6Prefix> &prefixes);
Json to_json(const InstallEntry &entry);
Json to_json(const InstallDlif &dlif);
Json to_json(const RaPlan &plan);

Ipv6Address address_from(const Json &value);
Ipv6Prefix prefix_from(const Json &value);
MacAddress mac_from(const Json &value);
DlifIdentity identity_from(const Json &value);
std::vector<Ipv6Prefix> prefixes_from(const Json &value);

// The member `key` of `object`, or SnapshotError naming it.
const Json &member(const Json &object, const char *key);
std::int64_t integer_from(const Json &value);
std::uint64_t unsigned_from(const Json &value, std::uint64_t max);
bool bool_from(const Json &value);
std::string string_from(const Json &value);

std::string_view name(TunnelRole role) noexcept;
std::string_view name(RouterPreference preference) noexcept;
std::string_view name(CmdMode mode) noexcept;
std::string_view name(Ordering ordering) noexcept;
std::string_view name(Deregistration deregistration) noexcept;

} // namespace dlif::dmm::json
