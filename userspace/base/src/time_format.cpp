// SPDX-License-Identifier: GPL-2.0
#include "dlif/time_format.hpp"

#include <cstdio>
#include <ctime>

namespace dlif {

std::string rfc3339(std::chrono::system_clock::time_point time, SubSecond precision)
{
	using namespace std::chrono;
	const auto since_epoch = time.time_since_epoch();
	// floor, not truncation: a time before 1970 keeps a fraction in [0, 1).
	const auto whole = floor<seconds>(since_epoch);
	const auto fraction = duration_cast<microseconds>(since_epoch - whole).count();
	const std::time_t t = static_cast<std::time_t>(whole.count());
	std::tm tm{};
	gmtime_r(&t, &tm);
	const bool micro = precision == SubSecond::microseconds;
	char text[64];
	std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%0*dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micro ? 6 : 3,
		      static_cast<int>(micro ? fraction : fraction / 1000));
	return text;
}

} // namespace dlif
