// SPDX-License-Identifier: GPL-2.0
//
// dlifctl's output, as pure functions: text lines in iproute2's style and
// JSON objects. Interface names are looked up through a callback so that
// tests need no interfaces.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "dlif/nl/dlif_types.hpp"
#include "dlif/nl/result.hpp"
#include <nlohmann/json.hpp>

namespace dlif::cli {

// dlifctl's JSON objects keep their members in the order they are added.
using Json = nlohmann::ordered_json;

// Compact JSON text. Interface names are the kernel's octets: what is not
// UTF-8 is replaced (U+FFFD) rather than thrown on.
std::string json_text(const Json &value);

// The name of an interface index ("if7" style when it has none).
using IfnameOf = std::function<std::string(uint32_t ifindex)>;

// "2001:db8:a::/64 role serving peer 2001:db8::1 local 2001:db8::2 dev mn1mar1 hoplimit 64\n"
// and, with stats (when the entry has them), an indented line of counters.
std::string format_entry(const nl::Entry &entry, const IfnameOf &ifname, bool stats);
// "    encap 10 pkts 1040 bytes decap 9 pkts 936 bytes drops spoof 0 ...\n"
std::string format_stats(const nl::EntryStats &stats);
// One object; "stats" only when with_stats and the entry has them.
Json entry_json(const nl::Entry &entry, const IfnameOf &ifname, bool with_stats);

// "mn1mar1: link veth0 address 00:11:22:33:01:01 mn 02:00:00:00:00:01 maar 2001:db8::1\n"
std::string format_device(const nl::DlifDevice &device, const IfnameOf &ifname);
Json device_json(const nl::DlifDevice &device, const IfnameOf &ifname);
// "IFNAME mn MAC router MAC[ primary]"
std::string format_binding(const nl::Binding &binding, const IfnameOf &ifname);
Json binding_json(const nl::Binding &binding, const IfnameOf &ifname);

// "added <entry line>\n"; JSON: {"event":"added", <entry members>}\n
std::string format_notification(const nl::Notification &notification, const IfnameOf &ifname);
std::string format_notification_json(const nl::Notification &notification,
				     const IfnameOf &ifname);
// "added binding <binding line>\n"; JSON: {"event":"added","binding":{...}}\n
std::string format_binding_notification(const nl::BindingNotification &notification,
					const IfnameOf &ifname);
std::string format_binding_notification_json(const nl::BindingNotification &notification,
					     const IfnameOf &ifname);

// A monitor line stamped with when it was read (-t), TIME an RFC 3339 stamp:
// "[TIME] <line>"; JSON: {"ts":"TIME", <the line's members>}.
std::string stamped_line(std::string_view line, std::string_view time, bool json);

// "Error: <extack message or strerror>." as iproute2 prints kernel errors.
std::string format_error(const nl::Error &error);

}  // namespace dlif::cli
