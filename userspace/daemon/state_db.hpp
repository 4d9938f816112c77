// SPDX-License-Identifier: GPL-2.0
//
// The state database: a core's state in SQLite (WAL, synchronous=FULL),
// one row per mobile node (the CMD's binding, the MAAR's session) and a
// header row, so that an event loop iteration writes what it changed in one
// transaction whatever the number of nodes, and a crash at any moment
// leaves the last committed transaction. The daemon sends the messages of
// an iteration only after its commit.
//
// An operator reads it with sqlite3(1) while dlifd runs:
//   sqlite3 /var/lib/dlifd/cmd.state.db "SELECT mn, json_extract(record, '$.serving') FROM nodes"
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dlif/mh/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace dlif::daemon {

// What the database holds: whose state it is, and the core's parts.
struct StoredState {
	std::string role;		// "cmd" or "maar"
	std::string address;		// the node's address when it was saved
	std::int64_t saved_at_ms = 0;	// wall clock of the last commit
	std::string header;		// the core's snapshot_header()
	std::vector<std::string> records;	// every node's snapshot_record()

	friend bool operator==(const StoredState &, const StoredState &) = default;
};

// One transaction.
struct StateChanges {
	std::string role;
	std::string address;
	std::int64_t saved_at_ms = 0;
	std::string header;
	// MN-ID and its record; nullopt: the node is gone.
	std::vector<std::pair<std::string, std::optional<std::string>>> records;
	// Every record is listed: the rows of nodes not listed are deleted.
	bool replace_all = false;
};

class StateDatabase {
public:
	// The file is DIRECTORY/ROLE.state.db; nothing is opened yet.
	StateDatabase(std::string directory, std::string_view role);
	~StateDatabase();
	StateDatabase(StateDatabase &&) noexcept;
	StateDatabase &operator=(StateDatabase &&) noexcept;
	StateDatabase(const StateDatabase &) = delete;
	StateDatabase &operator=(const StateDatabase &) = delete;

	const std::string &path() const noexcept { return path_; }

	// nullopt when nothing was ever committed (a first start). Fails on a
	// file that is not a dlifd state database, of a later version, or
	// damaged: the caller decides whether to start empty.
	mh::Result<std::optional<StoredState>, std::string> load();
	// All of it or nothing.
	mh::Result<bool, std::string> commit(const StateChanges &changes);
	// Closes the database and moves its files aside (FILE.bad-<ms>, with
	// its -wal), for an operator to look at; the new name.
	std::optional<std::string> quarantine(std::int64_t now_ms);

private:
	struct Statements;
	mh::Result<bool, std::string> open();
	mh::Result<bool, std::string> write(const StateChanges &changes);

	struct Close {
		void operator()(sqlite3 *db) const noexcept;
	};

	std::string directory_;
	std::string path_;
	std::unique_ptr<sqlite3, Close> db_;
	std::unique_ptr<Statements> statements_;	// freed before db_
};

} // namespace dlif::daemon
