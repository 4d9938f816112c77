// SPDX-License-Identifier: GPL-2.0
#include "metrics.hpp"

#include <array>
#include <cstdio>
#include <string_view>

namespace dlif::cli {

namespace {

constexpr std::array<nl::Role, 5> kRoles = {nl::Role::anchor, nl::Role::serving, nl::Role::local_net,
					     nl::Role::local_export, nl::Role::attached};

// Metric names allow [a-zA-Z0-9_:]; the daemon's counter names are
// snake_case already, anything else becomes '_'. A one-letter word joins
// the next one (rejected_d_flag: rejected_dflag), which Prometheus's
// linter would otherwise read as a unit ("d", days).
std::string metric_name(std::string_view name)
{
	std::string out;
	for (std::size_t i = 0; i < name.size(); ++i) {
		const char c = name[i];
		const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		const bool one_letter_word_ends = !word && i > 0 && (i == 1 || name[i - 2] == '_');
		if (!word && one_letter_word_ends && i + 1 < name.size())
			continue;
		out += word ? c : '_';
	}
	return out;
}

// Label values escape backslash, double quote and newline.
std::string label_value(std::string_view value)
{
	std::string out;
	for (const char c : value) {
		if (c == '\\' || c == '"')
			out += '\\';
		if (c == '\n') {
			out += "\\n";
			continue;
		}
		out += c;
	}
	return out;
}

class Writer {
public:
	void family(std::string_view name, std::string_view type, std::string_view help)
	{
		text_ += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
		text_ += "# TYPE " + std::string(name) + " " + std::string(type) + "\n";
	}
	void sample(std::string_view name, std::string_view labels, std::uint64_t value)
	{
		sample(name, labels, std::to_string(value));
	}
	void sample(std::string_view name, std::string_view labels, std::string_view value)
	{
		text_ += std::string(name) + (labels.empty() ? "" : "{" + std::string(labels) + "}") + " " +
			 std::string(value) + "\n";
	}
	std::string take() { return std::move(text_); }

private:
	std::string text_;
};

std::uint64_t unsigned_member(const control::Json &object, const char *key)
{
	const auto it = object.find(key);
	return it != object.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

std::string string_member(const control::Json &object, const char *key)
{
	const auto it = object.find(key);
	return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The daemon's latency histograms (dlifctl counters' "latency": each with
// its non-empty buckets [[upper bound in µs, count], ...]) as one
// Prometheus histogram with a "phase" label, on a fixed set of bounds so
// that series of different daemons add up. A bound counts the buckets
// that end at or below it: exact to the daemon's resolution (19 %).
void latency_metrics(Writer &out, const control::Json &latency)
{
	static constexpr std::array<double, 15> kBoundsS{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
							 0.5,   1.0,    2.5,   5.0,  10.0,  30.0, 60.0};
	bool first = true;
	for (const auto &[phase, histogram] : latency.items()) {
		const auto buckets = histogram.find("buckets");
		if (!histogram.is_object() || buckets == histogram.end() || !buckets->is_array())
			continue;
		if (first) {
			out.family("dlifd_latency_seconds", "histogram",
				   "How long each phase of a registration took at this MAAR "
				   "(Documentation/admin-guide.rst, Metrics).");
			first = false;
		}
		const std::string label = "phase=\"" + label_value(phase) + "\"";
		for (const double bound : kBoundsS) {
			std::uint64_t at_or_below = 0;
			for (const auto &bucket : *buckets)
				if (bucket.is_array() && bucket.size() == 2 && bucket[0].is_number() &&
				    bucket[1].is_number_unsigned() && bucket[0].get<double>() <= bound * 1e6)
					at_or_below += bucket[1].get<std::uint64_t>();
			char le[32];
			std::snprintf(le, sizeof(le), "%g", bound);
			out.sample("dlifd_latency_seconds_bucket", label + ",le=\"" + le + "\"", at_or_below);
		}
		const std::uint64_t count = unsigned_member(histogram, "count");
		out.sample("dlifd_latency_seconds_bucket", label + ",le=\"+Inf\"", count);
		const auto sum = histogram.find("sum_s");
		char text[32];
		std::snprintf(text, sizeof(text), "%.6f", sum != histogram.end() && sum->is_number() ? sum->get<double>() : 0.0);
		out.sample("dlifd_latency_seconds_sum", label, std::string_view(text));
		out.sample("dlifd_latency_seconds_count", label, count);
	}
}

void daemon_metrics(Writer &out, const MetricsInput &input)
{
	const bool up = input.status && input.status->is_object();
	out.family("dlifd_up", "gauge", "1 when dlifd answered on its control socket.");
	out.sample("dlifd_up", "", up ? 1 : 0);
	if (!up)
		return;
	const control::Json &status = *input.status;
	out.family("dlifd_info", "gauge", "The running dlifd: its version, role and address.");
	out.sample("dlifd_info",
		   "version=\"" + label_value(string_member(status, "version")) + "\",role=\"" +
			   label_value(string_member(status, "role")) + "\",address=\"" +
			   label_value(string_member(status, "address")) + "\"",
		   1);
	out.family("dlifd_uptime_seconds", "gauge", "Seconds since dlifd started.");
	out.sample("dlifd_uptime_seconds", "", unsigned_member(status, "uptime_s"));
	out.family("dlifd_mobile_nodes", "gauge", "Mobile nodes the daemon's core holds (bindings or sessions).");
	out.sample("dlifd_mobile_nodes", "", unsigned_member(status, "mobile_nodes"));
	out.family("dlifd_state_commit_failing_seconds", "gauge",
		   "Seconds the state database has refused every commit (0: commits succeed); "
		   "dlifd sends no Mobility Header meanwhile.");
	out.sample("dlifd_state_commit_failing_seconds", "", unsigned_member(status, "state_commit_failing_s"));
	if (const auto maars = status.find("serving_maars"); maars != status.end() && maars->is_object()) {
		out.family("dlifd_cmd_bindings", "gauge",
			   "A CMD's bindings by serving MAAR; state=\"registered\": those with nothing outstanding.");
		for (const auto &[maar, count] : maars->items()) {
			const std::string label = "maar=\"" + label_value(maar) + "\"";
			out.sample("dlifd_cmd_bindings", label + ",state=\"all\"", unsigned_member(count, "bindings"));
			out.sample("dlifd_cmd_bindings", label + ",state=\"registered\"",
				   unsigned_member(count, "registered"));
		}
	}
	if (!input.counters || !input.counters->is_object())
		return;
	// One family per counter; a counter appears once it is non-zero
	// (dlifctl counters lists the same ones).
	for (const auto &[group, values] : input.counters->items()) {
		if (!values.is_object())
			continue;
		for (const auto &[counter, value] : values.items()) {
			if (!value.is_number_unsigned())
				continue;
			const std::string name = "dlifd_" + metric_name(group) + "_" + metric_name(counter) + "_total";
			out.family(name, "counter",
				   "dlifd " + group + " counter " + counter + " (Documentation/admin-guide.rst).");
			out.sample(name, "", value.get<std::uint64_t>());
		}
	}
	if (const auto latency = input.counters->find("latency");
	    latency != input.counters->end() && latency->is_object())
		latency_metrics(out, *latency);
}

void kernel_metrics(Writer &out, const MetricsInput &input)
{
	out.family("dlif_kernel_up", "gauge", "1 when the dlif generic netlink family answered the dump of the table.");
	out.sample("dlif_kernel_up", "", input.kernel ? 1 : 0);
	if (!input.kernel)
		return;
	const auto each_role = [&](std::string_view name, std::string_view type, std::string_view help,
				   auto value) {
		out.family(name, type, help);
		for (std::size_t i = 0; i < kRoles.size(); ++i)
			out.sample(name, "role=\"" + nl::role_name(kRoles[i]) + "\"", value(input.kernel->roles[i]));
	};
	using PerRole = KernelTotals::PerRole;
	each_role("dlif_entries", "gauge", "Tunnel table entries in this network namespace.",
		  [](const PerRole &r) { return r.entries; });
	each_role("dlif_encap_packets_total", "counter", "Packets encapsulated by the entries.",
		  [](const PerRole &r) { return r.stats.encap_packets; });
	each_role("dlif_encap_bytes_total", "counter", "Inner bytes encapsulated by the entries.",
		  [](const PerRole &r) { return r.stats.encap_bytes; });
	each_role("dlif_decap_packets_total", "counter", "Packets decapsulated for the entries.",
		  [](const PerRole &r) { return r.stats.decap_packets; });
	each_role("dlif_decap_bytes_total", "counter", "Inner bytes decapsulated for the entries.",
		  [](const PerRole &r) { return r.stats.decap_bytes; });
	out.family("dlif_dropped_packets_total", "counter",
		   "Packets the entries dropped, by reason (Documentation/netlink/specs/dlif.yaml, stats).");
	const std::pair<const char *, std::uint64_t nl::EntryStats::*> reasons[] = {
		{"spoof", &nl::EntryStats::drop_spoof},		{"too-big", &nl::EntryStats::drop_too_big},
		{"no-route", &nl::EntryStats::drop_no_route},	{"hop-limit", &nl::EntryStats::drop_hop_limit},
		{"ecn", &nl::EntryStats::drop_ecn},		{"other", &nl::EntryStats::drop_other},
	};
	for (std::size_t i = 0; i < kRoles.size(); ++i)
		for (const auto &[reason, member] : reasons)
			out.sample("dlif_dropped_packets_total",
				   "role=\"" + nl::role_name(kRoles[i]) + "\",reason=\"" + reason + "\"",
				   input.kernel->roles[i].stats.*member);
}

} // namespace

void KernelTotals::add(const nl::Entry &entry)
{
	for (std::size_t i = 0; i < kRoles.size(); ++i) {
		if (kRoles[i] != entry.role)
			continue;
		PerRole &role = roles[i];
		++role.entries;
		if (entry.stats)
			role.stats += *entry.stats;
		return;
	}
}

std::string prometheus_text(const MetricsInput &input)
{
	Writer out;
	daemon_metrics(out, input);
	kernel_metrics(out, input);
	return out.take();
}

} // namespace dlif::cli
