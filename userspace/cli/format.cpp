// SPDX-License-Identifier: GPL-2.0
#include "format.hpp"

namespace dlif::cli {

namespace {

void append_entry_line(std::string &out, const nl::Entry &entry, const IfnameOf &ifname)
{
	out += entry.prefix.to_string();
	out += " role ";
	out += nl::role_name(entry.role);
	if (entry.peer) {
		out += " peer ";
		out += entry.peer->to_string();
	}
	if (!entry.local.is_unspecified()) {
		out += " local ";
		out += entry.local.to_string();
	}
	if (entry.ifindex != 0) {
		out += " dev ";
		out += ifname(entry.ifindex);
	}
	if (entry.mn) {
		out += " mn ";
		out += entry.mn->to_string();
	}
	out += " hoplimit ";
	out += std::to_string(entry.hop_limit);
}

// The members in the order iproute2 users read them (ordered_json keeps
// insertion order; nlohmann::json would sort the keys).
void add_entry_members(Json &object, const nl::Entry &entry, const IfnameOf &ifname, bool with_stats)
{
	object["prefix"] = entry.prefix.to_string();
	object["role"] = nl::role_name(entry.role);
	if (entry.peer)
		object["peer"] = entry.peer->to_string();
	if (!entry.local.is_unspecified())
		object["local"] = entry.local.to_string();
	if (entry.ifindex != 0) {
		object["dev"] = ifname(entry.ifindex);
		object["ifindex"] = entry.ifindex;
	}
	if (entry.mn)
		object["mn"] = entry.mn->to_string();
	object["hoplimit"] = entry.hop_limit;
	if (with_stats && entry.stats) {
		const nl::EntryStats &s = *entry.stats;
		object["stats"] = {{"encap_packets", s.encap_packets},   {"encap_bytes", s.encap_bytes},
				   {"decap_packets", s.decap_packets},   {"decap_bytes", s.decap_bytes},
				   {"drop_spoof", s.drop_spoof},         {"drop_too_big", s.drop_too_big},
				   {"drop_no_route", s.drop_no_route},   {"drop_hop_limit", s.drop_hop_limit},
				   {"drop_ecn", s.drop_ecn},             {"drop_other", s.drop_other}};
	}
}

}  // namespace

std::string format_stats(const nl::EntryStats &s)
{
	std::string out = "    encap ";
	out += std::to_string(s.encap_packets) + " pkts " + std::to_string(s.encap_bytes) + " bytes";
	out += " decap " + std::to_string(s.decap_packets) + " pkts " +
	       std::to_string(s.decap_bytes) + " bytes";
	out += " drops spoof " + std::to_string(s.drop_spoof);
	out += " too-big " + std::to_string(s.drop_too_big);
	out += " no-route " + std::to_string(s.drop_no_route);
	out += " hop-limit " + std::to_string(s.drop_hop_limit);
	out += " ecn " + std::to_string(s.drop_ecn);
	out += " other " + std::to_string(s.drop_other);
	out += '\n';
	return out;
}

std::string format_entry(const nl::Entry &entry, const IfnameOf &ifname, bool stats)
{
	std::string out;
	append_entry_line(out, entry, ifname);
	out += '\n';
	if (stats && entry.stats)
		out += format_stats(*entry.stats);
	return out;
}

std::string json_text(const Json &value)
{
	return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json entry_json(const nl::Entry &entry, const IfnameOf &ifname, bool with_stats)
{
	Json object = Json::object();
	add_entry_members(object, entry, ifname, with_stats);
	return object;
}

std::string format_device(const nl::DlifDevice &device, const IfnameOf &ifname)
{
	std::string out = device.name.empty() ? ifname(device.ifindex) : device.name;
	out += ":";
	if (device.link != 0)
		out += " link " + ifname(device.link);
	out += " address " + device.address.to_string();
	if (device.mn)
		out += " mn " + device.mn->to_string();
	if (device.maar)
		out += " maar " + device.maar->to_string();
	out += '\n';
	return out;
}

Json device_json(const nl::DlifDevice &device, const IfnameOf &ifname)
{
	Json object = Json::object();
	object["ifname"] = device.name.empty() ? ifname(device.ifindex) : device.name;
	object["ifindex"] = device.ifindex;
	if (device.link != 0) {
		object["link"] = ifname(device.link);
		object["link_ifindex"] = device.link;
	}
	object["address"] = device.address.to_string();
	if (device.mn)
		object["mn"] = device.mn->to_string();
	if (device.maar)
		object["maar"] = device.maar->to_string();
	return object;
}

std::string format_binding(const nl::Binding &binding, const IfnameOf &ifname)
{
	std::string out = ifname(binding.ifindex);
	out += " mn " + binding.mn.to_string();
	out += " router " + binding.router.to_string();
	if (binding.router_ll)
		out += " router-ll " + binding.router_ll->to_string();
	if (binding.primary)
		out += " primary";
	if (binding.rx_packets)
		out += " rx-packets " + std::to_string(*binding.rx_packets);
	out += '\n';
	return out;
}

Json binding_json(const nl::Binding &binding, const IfnameOf &ifname)
{
	Json object = Json::object();
	object["dev"] = ifname(binding.ifindex);
	object["ifindex"] = binding.ifindex;
	object["mn"] = binding.mn.to_string();
	object["router"] = binding.router.to_string();
	if (binding.router_ll)
		object["router_ll"] = binding.router_ll->to_string();
	object["primary"] = binding.primary;
	if (binding.rx_packets)
		object["rx_packets"] = *binding.rx_packets;
	return object;
}

std::string format_notification(const nl::Notification &notification, const IfnameOf &ifname)
{
	std::string out(nl::event_name(notification.event));
	out += ' ';
	append_entry_line(out, notification.entry, ifname);
	out += '\n';
	return out;
}

std::string format_notification_json(const nl::Notification &notification,
				     const IfnameOf &ifname)
{
	Json object = {{"event", nl::event_name(notification.event)}};
	add_entry_members(object, notification.entry, ifname, false);
	return json_text(object) + '\n';
}

std::string format_binding_notification(const nl::BindingNotification &notification,
					const IfnameOf &ifname)
{
	return std::string(notification.added ? "added" : "deleted") + " binding " +
	       format_binding(notification.binding, ifname);
}

std::string format_binding_notification_json(const nl::BindingNotification &notification,
					     const IfnameOf &ifname)
{
	Json object = {{"event", notification.added ? "added" : "deleted"},
		       {"binding", binding_json(notification.binding, ifname)}};
	return json_text(object) + '\n';
}

std::string stamped_line(std::string_view line, std::string_view time, bool json)
{
	std::string out;
	out.reserve(line.size() + time.size() + 9);
	if (json && line.starts_with('{')) {
		// Every monitor object has members: the stamp goes first of them.
		out.append("{\"ts\":\"").append(time).append("\",").append(line.substr(1));
	} else {
		out.append("[").append(time).append("] ").append(line);
	}
	return out;
}

std::string format_error(const nl::Error &error)
{
	std::string text = error.describe();
	if (error.message.empty() && error.missing_type)
		text += " (missing attribute " + std::to_string(*error.missing_type) + ")";
	std::string out = "Error: " + text;
	if (!text.ends_with('.'))
		out += '.';
	return out;
}

}  // namespace dlif::cli
