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
	out += " hoplimit ";
	out += std::to_string(entry.hop_limit);
}

void write_entry_members(JsonWriter &json, const nl::Entry &entry, const IfnameOf &ifname,
			 bool with_stats)
{
	json.member("prefix", entry.prefix.to_string());
	json.member("role", nl::role_name(entry.role));
	if (entry.peer)
		json.member("peer", entry.peer->to_string());
	if (!entry.local.is_unspecified())
		json.member("local", entry.local.to_string());
	if (entry.ifindex != 0) {
		json.member("dev", ifname(entry.ifindex));
		json.member("ifindex", entry.ifindex);
	}
	json.member("hoplimit", entry.hop_limit);
	if (with_stats && entry.stats) {
		const nl::EntryStats &s = *entry.stats;
		json.key("stats");
		json.begin_object();
		json.member("encap_packets", s.encap_packets);
		json.member("encap_bytes", s.encap_bytes);
		json.member("decap_packets", s.decap_packets);
		json.member("decap_bytes", s.decap_bytes);
		json.member("drop_spoof", s.drop_spoof);
		json.member("drop_too_big", s.drop_too_big);
		json.member("drop_no_route", s.drop_no_route);
		json.member("drop_hop_limit", s.drop_hop_limit);
		json.member("drop_ecn", s.drop_ecn);
		json.member("drop_other", s.drop_other);
		json.end_object();
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

void write_entry_json(JsonWriter &json, const nl::Entry &entry, const IfnameOf &ifname,
		      bool with_stats)
{
	json.begin_object();
	write_entry_members(json, entry, ifname, with_stats);
	json.end_object();
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

void write_device_json(JsonWriter &json, const nl::DlifDevice &device, const IfnameOf &ifname)
{
	json.begin_object();
	json.member("ifname", device.name.empty() ? ifname(device.ifindex) : device.name);
	json.member("ifindex", device.ifindex);
	if (device.link != 0) {
		json.member("link", ifname(device.link));
		json.member("link_ifindex", device.link);
	}
	json.member("address", device.address.to_string());
	if (device.mn)
		json.member("mn", device.mn->to_string());
	if (device.maar)
		json.member("maar", device.maar->to_string());
	json.end_object();
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
	std::string out;
	JsonWriter json(out);
	json.begin_object();
	json.member("event", nl::event_name(notification.event));
	write_entry_members(json, notification.entry, ifname, false);
	json.end_object();
	out += '\n';
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
