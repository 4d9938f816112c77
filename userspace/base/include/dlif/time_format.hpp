// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <chrono>
#include <string>

namespace dlif {

// How many decimals of a second a time stamp carries.
enum class SubSecond { milliseconds, microseconds };

// TIME as RFC 3339 in UTC, "2026-12-07T05:40:01.123Z" (or .123456Z): the
// form of dlifd's log stamps and of dlifctl -t, fixed width, so that two
// stamps of one precision compare as strings.
std::string rfc3339(std::chrono::system_clock::time_point time, SubSecond precision = SubSecond::milliseconds);

} // namespace dlif
