// SPDX-License-Identifier: GPL-2.0
#include "dlif/dmm/json.hpp"

#include <limits>

namespace dlif::dmm::json {

Json to_json(const Ipv6Address &address)
{
	return address.to_string();
}

Json to_json(const Ipv6Prefix &prefix)
{
	return prefix.to_string();
}

Json to_json(const MacAddress &mac)
{
	return mac.to_string();
}

Json to_json(const DlifIdentity &identity)
{
	return Json{{"mac", to_json(identity.mac)}, {"link_local", to_json(identity.link_local)}};
}

Json to_json(const std::vector<Ipv6Prefix> &prefixes)
{
	Json list = Json::array();
	for (const auto &prefix : prefixes)
		list.push_back(to_json(prefix));
	return list;
}

std::string_view name(TunnelRole role) noexcept
{
	switch (role) {
	case TunnelRole::anchor:
		return "anchor";
	case TunnelRole::serving:
		return "serving";
	case TunnelRole::local_net:
		return "local-net";
	case TunnelRole::local_export:
		return "local-export";
	case TunnelRole::attached:
		return "attached";
	}
	return "?";
}

std::string_view name(RouterPreference preference) noexcept
{
	switch (preference) {
	case RouterPreference::low:
		return "low";
	case RouterPreference::medium:
		return "medium";
	case RouterPreference::high:
		return "high";
	}
	return "?";
}

std::string_view name(CmdMode mode) noexcept
{
	switch (mode) {
	case CmdMode::relay:
		return "relay";
	case CmdMode::locator:
		return "locator";
	case CmdMode::proxy:
		return "proxy";
	}
	return "?";
}

std::string_view name(Ordering ordering) noexcept
{
	return ordering == Ordering::timestamp ? "timestamp" : "sequence-number";
}

std::string_view name(Deregistration deregistration) noexcept
{
	return deregistration == Deregistration::b ? "B" : "A";
}

Json to_json(const InstallEntry &entry)
{
	Json value{{"prefix", to_json(entry.prefix)}, {"role", name(entry.role)}};
	if (entry.peer)
		value["peer"] = to_json(*entry.peer);
	if (entry.dlif)
		value["dlif"] = *entry.dlif;
	return value;
}

Json to_json(const RaPlan &plan)
{
	Json prefixes = Json::array();
	for (const auto &prefix : plan.prefixes)
		prefixes.push_back({{"prefix", to_json(prefix.prefix)},
				    {"valid_ms", prefix.valid_lifetime.count()},
				    {"preferred_ms", prefix.preferred_lifetime.count()}});
	Json routes = Json::array();
	for (const auto &route : plan.routes)
		routes.push_back({{"prefix", to_json(route.prefix)},
				  {"lifetime_ms", route.lifetime.count()},
				  {"preference", name(route.preference)}});
	Json value{{"router_lifetime_ms", plan.router_lifetime.count()},
		   {"preference", name(plan.preference)},
		   {"prefixes", std::move(prefixes)},
		   {"routes", std::move(routes)}};
	if (plan.mtu)
		value["mtu"] = *plan.mtu;
	return value;
}

Json to_json(const InstallDlif &dlif)
{
	return Json{{"name", dlif.name},
		    {"lower", dlif.lower},
		    {"identity", to_json(dlif.identity)},
		    {"mn", to_json(dlif.mn)},
		    {"anchoring_maar", to_json(dlif.anchoring_maar)},
		    {"prefixes", to_json(dlif.prefixes)},
		    {"advertise", dlif.advertise},
		    {"ra", to_json(dlif.ra)}};
}

const Json &member(const Json &object, const char *key)
{
	if (!object.is_object())
		throw SnapshotError(std::string("expected an object holding \"") + key + "\"");
	const auto it = object.find(key);
	if (it == object.end())
		throw SnapshotError(std::string("missing \"") + key + "\"");
	return *it;
}

std::string string_from(const Json &value)
{
	if (!value.is_string())
		throw SnapshotError("expected a string, got " + value.dump());
	return value.get<std::string>();
}

std::int64_t integer_from(const Json &value)
{
	if (!value.is_number_integer())
		throw SnapshotError("expected an integer, got " + value.dump());
	return value.get<std::int64_t>();
}

std::uint64_t unsigned_from(const Json &value, std::uint64_t max)
{
	if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<std::int64_t>() >= 0))
		throw SnapshotError("expected a non-negative integer, got " + value.dump());
	const auto number = value.get<std::uint64_t>();
	if (number > max)
		throw SnapshotError("integer out of range: " + value.dump());
	return number;
}

bool bool_from(const Json &value)
{
	if (!value.is_boolean())
		throw SnapshotError("expected true or false, got " + value.dump());
	return value.get<bool>();
}

Ipv6Address address_from(const Json &value)
{
	const auto address = Ipv6Address::from_string(string_from(value));
	if (!address)
		throw SnapshotError("not an IPv6 address: " + value.dump());
	return *address;
}

Ipv6Prefix prefix_from(const Json &value)
{
	const auto prefix = Ipv6Prefix::from_string(string_from(value));
	if (!prefix)
		throw SnapshotError("not an IPv6 prefix: " + value.dump());
	return prefix->masked();
}

MacAddress mac_from(const Json &value)
{
	const auto mac = MacAddress::from_string(string_from(value));
	if (!mac)
		throw SnapshotError("not a MAC address: " + value.dump());
	return *mac;
}

DlifIdentity identity_from(const Json &value)
{
	return DlifIdentity{mac_from(member(value, "mac")), address_from(member(value, "link_local"))};
}

std::vector<Ipv6Prefix> prefixes_from(const Json &value)
{
	if (!value.is_array())
		throw SnapshotError("expected a list of prefixes, got " + value.dump());
	std::vector<Ipv6Prefix> prefixes;
	prefixes.reserve(value.size());
	for (const auto &item : value)
		prefixes.push_back(prefix_from(item));
	return prefixes;
}

} // namespace dlif::dmm::json
