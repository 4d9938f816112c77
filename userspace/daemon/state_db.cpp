// SPDX-License-Identifier: GPL-2.0
#include "state_db.hpp"

#include <cstdio>

#include <sqlite3.h>

namespace dlif::daemon {

namespace {

// "dlif" in ASCII: PRAGMA application_id, so that file(1) and a later
// dlifd tell this database from any other SQLite file.
constexpr int kApplicationId = 0x646c6966;
// The schema's version (PRAGMA user_version); 0 is a database never used.
constexpr int kSchemaVersion = 1;

constexpr const char *kSchema = R"sql(
CREATE TABLE meta (
	name TEXT PRIMARY KEY,
	value ANY NOT NULL
) WITHOUT ROWID;
CREATE TABLE nodes (
	mn TEXT PRIMARY KEY,
	record TEXT NOT NULL
) WITHOUT ROWID;
)sql";

struct Finalize {
	void operator()(sqlite3_stmt *statement) const noexcept { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, Finalize>;

std::string text_of(sqlite3_stmt *statement, int column)
{
	const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(statement, column));
	return text == nullptr ? std::string() : std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, column)));
}

// Binds a text that SQLite copies: the caller's strings do not outlive the
// statement's use.
int bind_text(sqlite3_stmt *statement, int index, std::string_view text)
{
	return sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

} // namespace

struct StateDatabase::Statements {
	Statement begin;
	Statement commit;
	Statement rollback;
	Statement put_meta;
	Statement put_node;
	Statement delete_node;
	Statement delete_nodes;
};

void StateDatabase::Close::operator()(sqlite3 *db) const noexcept
{
	sqlite3_close_v2(db);
}

StateDatabase::StateDatabase(std::string directory, std::string_view role)
	: directory_(std::move(directory)), path_(directory_ + "/" + std::string(role) + ".state.db")
{
}

StateDatabase::~StateDatabase() = default;
StateDatabase::StateDatabase(StateDatabase &&) noexcept = default;
StateDatabase &StateDatabase::operator=(StateDatabase &&) noexcept = default;

mh::Result<bool, std::string> StateDatabase::open()
{
	if (db_)
		return true;
	sqlite3 *raw = nullptr;
	const int opened = sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
							    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
					   nullptr);
	std::unique_ptr<sqlite3, Close> db(raw);
	const auto failed = [&](std::string_view what) {
		return mh::unexpected(path_ + ": " + std::string(what) + ": " +
				      (db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(opened)));
	};
	if (opened != SQLITE_OK)
		return failed("cannot open");
	sqlite3_extended_result_codes(db.get(), 1);
	// An operator's sqlite3 holding a write lock delays a commit this long
	// at most; the loop then retries later instead of stalling.
	sqlite3_busy_timeout(db.get(), 200);

	const auto pragma_int = [&](const char *sql) -> std::optional<int> {
		sqlite3_stmt *raw_statement = nullptr;
		if (sqlite3_prepare_v2(db.get(), sql, -1, &raw_statement, nullptr) != SQLITE_OK)
			return std::nullopt;
		Statement statement(raw_statement);
		if (sqlite3_step(statement.get()) != SQLITE_ROW)
			return std::nullopt;
		return sqlite3_column_int(statement.get(), 0);
	};
	// Reading the header is the first access: a file that is not SQLite
	// fails here ("file is not a database").
	const auto application_id = pragma_int("PRAGMA application_id");
	const auto version = pragma_int("PRAGMA user_version");
	if (!application_id || !version)
		return failed("cannot read");
	if (*version == 0 && *application_id == 0) {
		// New: nothing in it yet, or a file another program made.
		const auto tables = pragma_int("SELECT count(*) FROM sqlite_schema");
		if (!tables)
			return failed("cannot read");
		if (*tables != 0)
			return mh::unexpected(path_ + ": not a dlifd state database (it has tables of another program)");
		const std::string create = "BEGIN; " + std::string(kSchema) + " PRAGMA application_id = " +
					   std::to_string(kApplicationId) + "; PRAGMA user_version = " +
					   std::to_string(kSchemaVersion) + "; COMMIT;";
		if (sqlite3_exec(db.get(), create.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
			return failed("cannot create the schema");
	} else if (*application_id != kApplicationId) {
		return mh::unexpected(path_ + ": not a dlifd state database");
	} else if (*version != kSchemaVersion) {
		return mh::unexpected(path_ + ": state database version " + std::to_string(*version) +
				      " is not supported (this dlifd reads version " + std::to_string(kSchemaVersion) +
				      ")");
	}
	// WAL: a commit appends to the log, readers (sqlite3 on the file) do
	// not block the daemon. FULL: a commit is on disk before the messages
	// that depend on it leave, power cut included.
	const auto journal = [&]() -> std::string {
		sqlite3_stmt *raw_statement = nullptr;
		if (sqlite3_prepare_v2(db.get(), "PRAGMA journal_mode = WAL", -1, &raw_statement, nullptr) != SQLITE_OK)
			return {};
		Statement statement(raw_statement);
		return sqlite3_step(statement.get()) == SQLITE_ROW ? text_of(statement.get(), 0) : std::string();
	}();
	if (journal != "wal")
		return failed("cannot switch to write-ahead logging");
	if (sqlite3_exec(db.get(), "PRAGMA synchronous = FULL", nullptr, nullptr, nullptr) != SQLITE_OK)
		return failed("cannot set synchronous");
	// Pages read through a mapping of the file rather than copied by
	// pread(): at a million bindings (a gigabyte) those copies were a
	// sixth of a commit's time. 2 GiB less 64 KiB is SQLite's default
	// ceiling (SQLITE_MAX_MMAP_SIZE); a larger file is read for the rest.
	if (sqlite3_exec(db.get(), "PRAGMA mmap_size = 2147418112", nullptr, nullptr, nullptr) != SQLITE_OK)
		return failed("cannot map");

	auto statements = std::make_unique<Statements>();
	const auto prepare = [&](Statement &statement, const char *sql) {
		sqlite3_stmt *raw_statement = nullptr;
		const int rc = sqlite3_prepare_v3(db.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw_statement, nullptr);
		statement.reset(raw_statement);
		return rc == SQLITE_OK;
	};
	if (!prepare(statements->begin, "BEGIN IMMEDIATE") || !prepare(statements->commit, "COMMIT") ||
	    !prepare(statements->rollback, "ROLLBACK") ||
	    !prepare(statements->put_meta, "INSERT INTO meta (name, value) VALUES (?1, ?2) "
					   "ON CONFLICT (name) DO UPDATE SET value = excluded.value") ||
	    !prepare(statements->put_node, "INSERT INTO nodes (mn, record) VALUES (?1, ?2) "
					   "ON CONFLICT (mn) DO UPDATE SET record = excluded.record") ||
	    !prepare(statements->delete_node, "DELETE FROM nodes WHERE mn = ?1") ||
	    !prepare(statements->delete_nodes, "DELETE FROM nodes"))
		return failed("cannot prepare");
	db_ = std::move(db);
	statements_ = std::move(statements);
	return true;
}

mh::Result<std::optional<StoredState>, std::string> StateDatabase::load()
{
	if (auto opened = open(); !opened)
		return mh::unexpected(opened.error());
	const auto failed = [&](std::string_view what) {
		return mh::unexpected(path_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_.get()));
	};
	StoredState state;
	bool has_header = false;
	{
		sqlite3_stmt *raw = nullptr;
		if (sqlite3_prepare_v2(db_.get(), "SELECT name, value FROM meta", -1, &raw, nullptr) != SQLITE_OK)
			return failed("cannot read");
		Statement statement(raw);
		int rc;
		while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
			const std::string name = text_of(statement.get(), 0);
			if (name == "role")
				state.role = text_of(statement.get(), 1);
			else if (name == "address")
				state.address = text_of(statement.get(), 1);
			else if (name == "saved_at_ms")
				state.saved_at_ms = sqlite3_column_int64(statement.get(), 1);
			else if (name == "header") {
				state.header = text_of(statement.get(), 1);
				has_header = true;
			}
		}
		if (rc != SQLITE_DONE)
			return failed("cannot read");
	}
	if (!has_header)
		return std::optional<StoredState>();
	sqlite3_stmt *raw = nullptr;
	if (sqlite3_prepare_v2(db_.get(), "SELECT record FROM nodes", -1, &raw, nullptr) != SQLITE_OK)
		return failed("cannot read");
	Statement statement(raw);
	int rc;
	while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW)
		state.records.push_back(text_of(statement.get(), 0));
	if (rc != SQLITE_DONE)
		return failed("cannot read");
	return std::optional<StoredState>(std::move(state));
}

mh::Result<bool, std::string> StateDatabase::write(const StateChanges &changes)
{
	const auto step = [](sqlite3_stmt *statement) {
		const int rc = sqlite3_step(statement);
		sqlite3_reset(statement);
		sqlite3_clear_bindings(statement);
		return rc == SQLITE_DONE;
	};
	const auto failed = [&](std::string_view what) {
		return mh::unexpected(path_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_.get()));
	};
	Statements &s = *statements_;
	const auto put_meta = [&](std::string_view name, std::string_view value) {
		bind_text(s.put_meta.get(), 1, name);
		bind_text(s.put_meta.get(), 2, value);
		return step(s.put_meta.get());
	};
	if (!put_meta("role", changes.role) || !put_meta("address", changes.address) ||
	    !put_meta("header", changes.header))
		return failed("cannot write");
	bind_text(s.put_meta.get(), 1, "saved_at_ms");
	sqlite3_bind_int64(s.put_meta.get(), 2, changes.saved_at_ms);
	if (!step(s.put_meta.get()))
		return failed("cannot write");
	if (changes.replace_all && !step(s.delete_nodes.get()))
		return failed("cannot write");
	for (const auto &[mn, record] : changes.records) {
		if (record) {
			bind_text(s.put_node.get(), 1, mn);
			bind_text(s.put_node.get(), 2, *record);
			if (!step(s.put_node.get()))
				return failed("cannot write");
		} else {
			bind_text(s.delete_node.get(), 1, mn);
			if (!step(s.delete_node.get()))
				return failed("cannot write");
		}
	}
	return true;
}

mh::Result<bool, std::string> StateDatabase::commit(const StateChanges &changes)
{
	if (auto opened = open(); !opened)
		return mh::unexpected(opened.error());
	Statements &s = *statements_;
	const auto run = [](sqlite3_stmt *statement) {
		const int rc = sqlite3_step(statement);
		sqlite3_reset(statement);
		return rc == SQLITE_DONE;
	};
	if (!run(s.begin.get()))
		return mh::unexpected(path_ + ": cannot begin a transaction: " + sqlite3_errmsg(db_.get()));
	auto written = write(changes);
	if (written && run(s.commit.get()))
		return true;
	std::string error = written ? path_ + ": cannot commit: " + sqlite3_errmsg(db_.get()) : written.error();
	// Not committed: nothing of it stays (a failed COMMIT may leave the
	// transaction open).
	if (!sqlite3_get_autocommit(db_.get()))
		run(s.rollback.get());
	return mh::unexpected(std::move(error));
}

std::optional<std::string> StateDatabase::quarantine(std::int64_t now_ms)
{
	statements_.reset();
	db_.reset();
	const std::string aside = path_ + ".bad-" + std::to_string(now_ms);
	if (std::rename(path_.c_str(), aside.c_str()) != 0)
		return std::nullopt;
	// The log belongs to the file moved aside; -shm is rebuilt from it.
	std::rename((path_ + "-wal").c_str(), (aside + "-wal").c_str());
	std::remove((path_ + "-shm").c_str());
	return aside;
}

} // namespace dlif::daemon
