// SPDX-License-Identifier: GPL-2.0
//
// dlifctl metrics: the Prometheus text written from what answered.
#include <gtest/gtest.h>

#include "metrics.hpp"

namespace dlif::cli {
namespace {

bool has_line(const std::string &text, const std::string &line)
{
	return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(Metrics, NothingAnsweredSaysSo)
{
	const std::string text = prometheus_text({});
	EXPECT_TRUE(has_line(text, "dlifd_up 0")) << text;
	EXPECT_TRUE(has_line(text, "dlif_kernel_up 0")) << text;
	EXPECT_EQ(text.find("dlif_entries"), std::string::npos) << text;
}

TEST(Metrics, DaemonStatusAndCounters)
{
	MetricsInput input;
	input.status = control::Json{{"version", "0.1.0"}, {"role", "maar"}, {"address", "2001:db8::1"},
				     {"uptime_s", 42u}, {"mobile_nodes", 7u}, {"state_commit_failing_s", 12u}};
	input.counters = control::Json{{"core", {{"registrations", 3u}, {"rejected_d_flag", 1u}}},
				       {"daemon", {{"mh_rx_unknown_peer", 2u}}}};
	const std::string text = prometheus_text(input);
	EXPECT_TRUE(has_line(text, "dlifd_up 1")) << text;
	EXPECT_TRUE(has_line(text, R"(dlifd_info{version="0.1.0",role="maar",address="2001:db8::1"} 1)")) << text;
	EXPECT_TRUE(has_line(text, "dlifd_uptime_seconds 42")) << text;
	EXPECT_TRUE(has_line(text, "dlifd_mobile_nodes 7")) << text;
	EXPECT_TRUE(has_line(text, "dlifd_state_commit_failing_seconds 12")) << text;
	EXPECT_TRUE(has_line(text, "# TYPE dlifd_core_registrations_total counter")) << text;
	EXPECT_TRUE(has_line(text, "dlifd_core_registrations_total 3")) << text;
	// A one-letter word joins the next: no "_d_" for the linter to take
	// for days.
	EXPECT_TRUE(has_line(text, "dlifd_core_rejected_dflag_total 1")) << text;
	EXPECT_TRUE(has_line(text, "dlifd_daemon_mh_rx_unknown_peer_total 2")) << text;
}

// A CMD's status counts its bindings per serving MAAR: one gauge, a
// sample per MAAR and state.
TEST(Metrics, CmdBindingsPerServingMaar)
{
	MetricsInput input;
	input.status = control::Json{{"version", "0.1.0"}, {"role", "cmd"}, {"address", "2001:db8::100"},
				     {"mobile_nodes", 5u},
				     {"serving_maars", {{"2001:db8::1", {{"bindings", 3u}, {"registered", 3u}}},
							{"2001:db8::2", {{"bindings", 2u}, {"registered", 1u}}}}}};
	const std::string text = prometheus_text(input);
	EXPECT_TRUE(has_line(text, "# TYPE dlifd_cmd_bindings gauge")) << text;
	EXPECT_TRUE(has_line(text, R"(dlifd_cmd_bindings{maar="2001:db8::1",state="all"} 3)")) << text;
	EXPECT_TRUE(has_line(text, R"(dlifd_cmd_bindings{maar="2001:db8::2",state="all"} 2)")) << text;
	EXPECT_TRUE(has_line(text, R"(dlifd_cmd_bindings{maar="2001:db8::2",state="registered"} 1)")) << text;
	input.status->erase("serving_maars");	// a MAAR
	EXPECT_EQ(prometheus_text(input).find("dlifd_cmd_bindings"), std::string::npos);
}

// dlifctl counters' "latency" becomes one histogram with a phase label,
// on fixed bounds: a bucket counts at each bound it ends at or below.
TEST(Metrics, LatencyHistograms)
{
	MetricsInput input;
	input.status = control::Json{{"role", "maar"}};
	input.counters = control::Json{
		{"core", control::Json::object()},
		{"latency",
		 {{"attach_to_registered",
		   {{"count", 3u}, {"sum_s", 0.0125}, {"buckets", {{861u, 1u}, {11585u, 2u}}}}},
		  {"pbu_to_pba", {{"count", 0u}, {"sum_s", 0.0}, {"buckets", control::Json::array()}}}}}};
	const std::string text = prometheus_text(input);
	EXPECT_TRUE(has_line(text, "# TYPE dlifd_latency_seconds histogram")) << text;
	EXPECT_TRUE(has_line(text, R"(dlifd_latency_seconds_bucket{phase="attach_to_registered",le="0.001"} 1)")) << text;
	EXPECT_TRUE(has_line(text, R"(dlifd_latency_seconds_bucket{phase="attach_to_registered",le="0.01"} 1)")) << text;
	EXPECT_TRUE(has_line(text, R"(dlifd_latency_seconds_bucket{phase="attach_to_registered",le="0.025"} 3)")) << text;
	EXPECT_TRUE(has_line(text, R"(dlifd_latency_seconds_bucket{phase="attach_to_registered",le="+Inf"} 3)")) << text;
	EXPECT_TRUE(has_line(text, R"(dlifd_latency_seconds_sum{phase="attach_to_registered"} 0.012500)")) << text;
	EXPECT_TRUE(has_line(text, R"(dlifd_latency_seconds_count{phase="attach_to_registered"} 3)")) << text;
	EXPECT_TRUE(has_line(text, R"(dlifd_latency_seconds_count{phase="pbu_to_pba"} 0)")) << text;
	EXPECT_EQ(text.find("# TYPE dlifd_latency_seconds histogram"), text.rfind("# TYPE dlifd_latency_seconds"))
		<< "one family: " << text;
}

TEST(Metrics, LabelValuesAreEscaped)
{
	MetricsInput input;
	input.status = control::Json{{"version", "a\"b\\c\nd"}, {"role", "cmd"}, {"address", "::1"}};
	const std::string text = prometheus_text(input);
	EXPECT_TRUE(has_line(text, R"(dlifd_info{version="a\"b\\c\nd",role="cmd",address="::1"} 1)")) << text;
}

TEST(Metrics, KernelTableSummedPerRole)
{
	KernelTotals totals;
	nl::Entry anchor;
	anchor.role = nl::Role::anchor;
	anchor.stats = nl::EntryStats{.encap_packets = 5, .encap_bytes = 500, .drop_spoof = 2};
	totals.add(anchor);
	anchor.stats = nl::EntryStats{.encap_packets = 1, .drop_spoof = 1};
	totals.add(anchor);
	nl::Entry serving;
	serving.role = nl::Role::serving;
	totals.add(serving);	// no counters in the message: counted, nothing summed
	MetricsInput input;
	input.kernel = totals;
	const std::string text = prometheus_text(input);
	EXPECT_TRUE(has_line(text, "dlif_kernel_up 1")) << text;
	EXPECT_TRUE(has_line(text, R"(dlif_entries{role="anchor"} 2)")) << text;
	EXPECT_TRUE(has_line(text, R"(dlif_entries{role="serving"} 1)")) << text;
	EXPECT_TRUE(has_line(text, R"(dlif_entries{role="local-net"} 0)")) << text;
	EXPECT_TRUE(has_line(text, R"(dlif_entries{role="attached"} 0)")) << text;
	EXPECT_TRUE(has_line(text, R"(dlif_encap_packets_total{role="anchor"} 6)")) << text;
	EXPECT_TRUE(has_line(text, R"(dlif_encap_bytes_total{role="anchor"} 500)")) << text;
	EXPECT_TRUE(has_line(text, R"(dlif_dropped_packets_total{role="anchor",reason="spoof"} 3)")) << text;
	EXPECT_TRUE(has_line(text, R"(dlif_dropped_packets_total{role="serving",reason="spoof"} 0)")) << text;
}

} // namespace
} // namespace dlif::cli
