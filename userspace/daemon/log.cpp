// SPDX-License-Identifier: GPL-2.0
#include "log.hpp"

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "config.hpp"

namespace dlif::daemon {

int syslog_priority(dmm::LogLevel level) noexcept
{
	switch (level) {
	case dmm::LogLevel::debug:
		return 7;
	case dmm::LogLevel::info:
		return 6;
	case dmm::LogLevel::notice:
		return 5;
	case dmm::LogLevel::warning:
		return 4;
	case dmm::LogLevel::error:
		return 3;
	}
	return 6;
}

std::string logfmt_value(std::string_view value)
{
	bool plain = !value.empty();
	for (char c : value)
		if (c == ' ' || c == '=' || c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
			plain = false;
	if (plain)
		return std::string(value);
	std::string out = "\"";
	for (char c : value) {
		switch (c) {
		case '"':
			out += "\\\"";
			break;
		case '\\':
			out += "\\\\";
			break;
		case '\n':
			out += "\\n";
			break;
		case '\t':
			out += "\\t";
			break;
		case '\r':
			out += "\\r";
			break;
		default:
			if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
				static const char hex[] = "0123456789abcdef";
				out += "\\x";
				out += hex[(c >> 4) & 0xf];
				out += hex[c & 0xf];
			} else {
				out += c;
			}
		}
	}
	return out + "\"";
}

namespace {

// Keys are identifiers: anything else would break a logfmt reader.
std::string logfmt_key(std::string_view key)
{
	std::string out;
	for (char c : key) {
		const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
				c == '.' || c == '-';
		out += ok ? c : '_';
	}
	return out.empty() ? "_" : out;
}

} // namespace

std::string format_log_line(dmm::LogLevel level, std::string_view event, const LogFields &fields,
			    std::optional<dmm::WallTime> timestamp, bool journal)
{
	std::string line;
	if (journal)
		line += "<" + std::to_string(syslog_priority(level)) + ">";
	else if (timestamp)
		line += "ts=" + rfc3339(*timestamp) + " ";
	line += "level=";
	line += name(level);
	line += " event=" + logfmt_value(event);
	for (const auto &[key, value] : fields)
		line += " " + logfmt_key(key) + "=" + logfmt_value(value);
	line += '\n';
	return line;
}

std::vector<std::string> journal_fields(dmm::LogLevel level, std::string_view event, const LogFields &fields)
{
	std::string message = format_log_line(level, event, fields, std::nullopt, false);
	message.pop_back();	// the newline
	std::vector<std::string> out;
	out.reserve(fields.size() + 4);
	out.push_back("MESSAGE=" + message);
	out.push_back("PRIORITY=" + std::to_string(syslog_priority(level)));
	out.push_back("SYSLOG_IDENTIFIER=dlifd");
	out.push_back("DLIF_EVENT=" + std::string(event));
	for (const auto &[key, value] : fields) {
		std::string name = "DLIF_";
		for (char c : key) {
			const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
			name += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : ok ? c : '_';
		}
		out.push_back(name + "=" + value);
	}
	return out;
}

Logger::Logger(std::FILE *out, bool journal, JournalSend send)
	: out_(out), journal_(journal), send_(send ? send : &sd_journal_sendv)
{
}

void Logger::log(dmm::LogLevel level, std::string_view event, const LogFields &fields)
{
	if (!enabled(level))
		return;
	if (journal_) {
		const auto entries = journal_fields(level, event, fields);
		std::vector<iovec> vector;
		vector.reserve(entries.size());
		for (const auto &entry : entries)
			vector.push_back({const_cast<char *>(entry.data()), entry.size()});
		if (send_(vector.data(), static_cast<int>(vector.size())) >= 0)
			return;
	}
	const std::string line = format_log_line(level, event, fields, dmm::WallClock::now(), journal_);
	// One write per line, so that lines from a crash handler or a child
	// never interleave inside one.
	std::fwrite(line.data(), 1, line.size(), out_);
	std::fflush(out_);
}

std::optional<LogFields> MessageSummary::due(dmm::TimePoint now, std::uint64_t sent, std::uint64_t received)
{
	if (!since_) {
		since_ = now;
		sent_ = sent;
		received_ = received;
		return std::nullopt;
	}
	if (now - *since_ < interval_)
		return std::nullopt;
	std::optional<LogFields> fields;
	if (sent != sent_ || received != received_)
		fields = LogFields{{"sent", std::to_string(sent - sent_)},
				   {"received", std::to_string(received - received_)},
				   {"seconds", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - *since_).count())}};
	since_ = now;
	sent_ = sent;
	received_ = received;
	return fields;
}

bool stderr_is_journal()
{
	const char *stream = std::getenv("JOURNAL_STREAM");
	if (stream == nullptr)
		return false;
	unsigned long long device = 0, inode = 0;
	if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2)
		return false;
	struct stat st {};
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return static_cast<unsigned long long>(st.st_dev) == device && static_cast<unsigned long long>(st.st_ino) == inode;
}

} // namespace dlif::daemon
