// SPDX-License-Identifier: GPL-2.0
//
// The log line format: logfmt, with a timestamp on a terminal; and the
// structured fields that go to journald instead when stderr is the
// journal.
#include <gtest/gtest.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "log.hpp"

namespace dlif::daemon {
namespace {

// At most one summary per interval, with what happened since the last
// one; an idle interval leaves no line.
TEST(Log, MessageSummaryAtMostOncePerInterval)
{
	using std::chrono::seconds;
	MessageSummary summary(seconds(60));
	const dmm::TimePoint t0{seconds(1000)};
	EXPECT_FALSE(summary.due(t0, 5, 3));
	EXPECT_FALSE(summary.due(t0 + seconds(59), 50, 30));
	const auto first = summary.due(t0 + seconds(61), 105, 103);
	ASSERT_TRUE(first);
	EXPECT_EQ(*first, (LogFields{{"sent", "100"}, {"received", "100"}, {"seconds", "61"}}));
	EXPECT_FALSE(summary.due(t0 + seconds(100), 200, 200));
	const auto second = summary.due(t0 + seconds(200), 200, 200);
	ASSERT_TRUE(second);
	EXPECT_EQ(*second, (LogFields{{"sent", "95"}, {"received", "97"}, {"seconds", "139"}}));
	// Nothing since the last line: the interval passes without one.
	MessageSummary idle(seconds(60));
	EXPECT_FALSE(idle.due(t0, 7, 7));
	EXPECT_FALSE(idle.due(t0 + seconds(60), 7, 7));
	const auto later = idle.due(t0 + seconds(120), 8, 7);
	ASSERT_TRUE(later);
	EXPECT_EQ(*later, (LogFields{{"sent", "1"}, {"received", "0"}, {"seconds", "60"}}));
}

TEST(Log, LogfmtValuesAreQuotedOnlyWhenNeeded)
{
	EXPECT_EQ(logfmt_value("2001:db8::1"), "2001:db8::1");
	EXPECT_EQ(logfmt_value(""), "\"\"");
	EXPECT_EQ(logfmt_value("PBU seq=7 flags=APD"), "\"PBU seq=7 flags=APD\"");
	EXPECT_EQ(logfmt_value("nai:\"mn1\""), "\"nai:\\\"mn1\\\"\"");
	EXPECT_EQ(logfmt_value("a\\b"), "\"a\\\\b\"");
	EXPECT_EQ(logfmt_value("line\nbreak"), "\"line\\nbreak\"");
	EXPECT_EQ(logfmt_value(std::string_view("\x01", 1)), "\"\\x01\"");
}

TEST(Log, LineWithTimestamp)
{
	const dmm::WallTime at{std::chrono::milliseconds(1700000000123)};
	EXPECT_EQ(format_log_line(dmm::LogLevel::info, "pbu.received", {{"mn", "mn1@dlif.example"}, {"seq", "7"}}, at, false),
		  "ts=2023-11-14T22:13:20.123Z level=info event=pbu.received mn=mn1@dlif.example seq=7\n");
}

TEST(Log, JournalLinesCarryThePriorityInstead)
{
	const dmm::WallTime at{std::chrono::milliseconds(0)};
	EXPECT_EQ(format_log_line(dmm::LogLevel::warning, "x", {}, at, true), "<4>level=warning event=x\n");
	EXPECT_EQ(format_log_line(dmm::LogLevel::error, "x", {}, std::nullopt, true), "<3>level=error event=x\n");
	EXPECT_EQ(format_log_line(dmm::LogLevel::debug, "x", {}, std::nullopt, true), "<7>level=debug event=x\n");
	EXPECT_EQ(format_log_line(dmm::LogLevel::notice, "x", {}, std::nullopt, false), "level=notice event=x\n");
}

TEST(Log, KeysStayIdentifiers)
{
	EXPECT_EQ(format_log_line(dmm::LogLevel::info, "e", {{"a key=", "v"}}, std::nullopt, false),
		  "level=info event=e a_key_=v\n");
}

TEST(Log, JournalFieldsOfAnEvent)
{
	EXPECT_EQ(journal_fields(dmm::LogLevel::notice, "mh.dropped",
				 {{"mn", "mn1@dlif.example"}, {"src", "2001:db8::11"}, {"reason", "bad seq"}, {"a-b.c", "v"}}),
		  (std::vector<std::string>{
			  "MESSAGE=level=notice event=mh.dropped mn=mn1@dlif.example src=2001:db8::11 reason=\"bad seq\" a-b.c=v",
			  "PRIORITY=5", "SYSLOG_IDENTIFIER=dlifd", "DLIF_EVENT=mh.dropped", "DLIF_MN=mn1@dlif.example",
			  "DLIF_SRC=2001:db8::11", "DLIF_REASON=bad seq", "DLIF_A_B_C=v"}));
}

// What the fake journal was given, field by field.
std::vector<std::string> g_journal;
int journal_accepts(const struct iovec *fields, int count)
{
	for (int i = 0; i < count; ++i)
		g_journal.emplace_back(static_cast<const char *>(fields[i].iov_base), fields[i].iov_len);
	return 0;
}
int journal_refuses(const struct iovec *, int)
{
	return -ENOENT;
}

TEST(Log, JournalGetsStructuredEventsAndNothingGoesToStderr)
{
	char *text = nullptr;
	std::size_t size = 0;
	std::FILE *out = open_memstream(&text, &size);
	ASSERT_NE(out, nullptr);
	g_journal.clear();
	{
		Logger log(out, true, journal_accepts);
		log.info("daemon.started", {{"role", "cmd"}});
	}
	std::fclose(out);
	EXPECT_EQ(size, 0u);
	std::free(text);
	EXPECT_EQ(g_journal, journal_fields(dmm::LogLevel::info, "daemon.started", {{"role", "cmd"}}));
}

TEST(Log, LoggerFiltersByLevelAndFallsBackWhenTheJournalRefuses)
{
	char *text = nullptr;
	std::size_t size = 0;
	std::FILE *out = open_memstream(&text, &size);
	ASSERT_NE(out, nullptr);
	{
		Logger log(out, true, journal_refuses);
		log.set_level(dmm::LogLevel::notice);
		log.info("hidden");
		log.notice("shown", {{"k", "v"}});
		log.log(dmm::Log{dmm::LogLevel::error, "from.core", {{"mn", "x"}}});
		EXPECT_FALSE(log.enabled(dmm::LogLevel::debug));
	}
	std::fclose(out);
	EXPECT_EQ(std::string(text, size), "<5>level=notice event=shown k=v\n<3>level=error event=from.core mn=x\n");
	std::free(text);
}

} // namespace
} // namespace dlif::daemon
