// SPDX-License-Identifier: GPL-2.0
//
// One transaction of a CMD at 2001:db8::100 with a fixed header, for the
// tests of the state stores (SQLite and etcd) alike.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "state_db.hpp"

namespace dlif::daemon {

inline StateChanges test_changes(std::vector<std::pair<std::string, std::optional<std::string>>> records,
				 bool replace_all = false)
{
	return StateChanges{"cmd", "2001:db8::100", 1700000000000, R"({"format":"h"})", std::move(records), replace_all};
}

} // namespace dlif::daemon
