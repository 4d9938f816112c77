// SPDX-License-Identifier: GPL-2.0
//
// dlifd's log: one logfmt line per event on stderr,
//   level=info event=mh.received type=PBU src=2001:db8::11 seq=7 flags=APD ...
// When stderr is the journal (JOURNAL_STREAM names it), each event goes
// to journald over its native protocol instead, as structured fields: the
// same line as MESSAGE, the level as PRIORITY, the event as DLIF_EVENT and
// each field as DLIF_<KEY> (DLIF_MN, DLIF_SRC, DLIF_TYPE, DLIF_STATUS,
// ...), so that `journalctl DLIF_MN=mn1@example` finds a node's events.
// Should journald refuse a message, the line goes to stderr with the
// priority as a "<N>" prefix. The formatting is pure and tested; Logger
// only adds the clock and the write.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dlif/dmm/io.hpp"
#include "dlif/dmm/types.hpp"
#include "dlif/time_format.hpp"

namespace dlif::daemon {

using LogFields = std::vector<std::pair<std::string, std::string>>;

// RFC 5424 severities: debug 7, info 6, notice 5, warning 4, error 3.
int syslog_priority(dmm::LogLevel level) noexcept;

// A logfmt value: bare when it is a plain word, otherwise in double quotes
// with '"', '\' and control characters escaped.
std::string logfmt_value(std::string_view value);

// One line, newline included. `timestamp` (RFC 3339, UTC, milliseconds)
// is written first when given; `journal` puts "<N>" in front instead.
std::string format_log_line(dmm::LogLevel level, std::string_view event, const LogFields &fields,
			    std::optional<dmm::WallTime> timestamp, bool journal);

// The journal fields of one event, "NAME=value" each (journal field names:
// upper case letters, digits and '_'). Values are raw: the native
// protocol carries any octets.
std::vector<std::string> journal_fields(dmm::LogLevel level, std::string_view event, const LogFields &fields);

class Logger {
public:
	// sd_journal_sendv's shape (tests give their own).
	using JournalSend = int (*)(const struct iovec *fields, int count);

	// journal: whether stderr is the journal (see stderr_is_journal()):
	// events then go to journald as structured fields through `send`
	// (default sd_journal_sendv).
	explicit Logger(std::FILE *out = stderr, bool journal = false, JournalSend send = nullptr);

	void set_level(dmm::LogLevel level) noexcept { threshold_ = level; }
	dmm::LogLevel level() const noexcept { return threshold_; }
	bool enabled(dmm::LogLevel level) const noexcept { return level >= threshold_; }

	void log(dmm::LogLevel level, std::string_view event, const LogFields &fields = {});
	void log(const dmm::Log &entry) { log(entry.level, entry.event, entry.fields); }

	void debug(std::string_view event, const LogFields &fields = {}) { log(dmm::LogLevel::debug, event, fields); }
	void info(std::string_view event, const LogFields &fields = {}) { log(dmm::LogLevel::info, event, fields); }
	void notice(std::string_view event, const LogFields &fields = {}) { log(dmm::LogLevel::notice, event, fields); }
	void warning(std::string_view event, const LogFields &fields = {}) { log(dmm::LogLevel::warning, event, fields); }
	void error(std::string_view event, const LogFields &fields = {}) { log(dmm::LogLevel::error, event, fields); }

private:
	std::FILE *out_;
	bool journal_;
	JournalSend send_;
	dmm::LogLevel threshold_ = dmm::LogLevel::info;
};

// Per-message lines (mh.sent, mh.received) are debug. At info, at most one
// summary per interval says how many messages went each way since the
// previous one, so that a busy daemon's info log stays small and its cost
// flat. due() is given the running totals; it returns the summary's
// fields when the interval has passed and something happened (an idle
// interval leaves no line), and starts the next interval whenever one
// has passed.
class MessageSummary {
public:
	explicit MessageSummary(dmm::Duration interval) : interval_(interval) {}

	std::optional<LogFields> due(dmm::TimePoint now, std::uint64_t sent, std::uint64_t received);

private:
	dmm::Duration interval_;
	std::optional<dmm::TimePoint> since_;
	std::uint64_t sent_ = 0;
	std::uint64_t received_ = 0;
};

// systemd sets JOURNAL_STREAM to "DEVICE:INODE" of the stream it connected
// to stderr; the variable alone may be inherited by a child whose stderr
// was redirected, so the device and inode are compared.
bool stderr_is_journal();

} // namespace dlif::daemon
