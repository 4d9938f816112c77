// SPDX-License-Identifier: GPL-2.0
//
// The state database: transactions of changed records, what a reader sees,
// and every kind of file it must refuse rather than start empty on.
#include <gtest/gtest.h>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "state_db.hpp"
#include "state_changes_for_tests.hpp"

namespace dlif::daemon {
namespace {

class StateDatabaseTest : public testing::Test {
protected:
	void SetUp() override
	{
		char pattern[] = "/tmp/dlifd-state-db-test-XXXXXX";
		ASSERT_NE(mkdtemp(pattern), nullptr);
		dir_ = pattern;
	}
	void TearDown() override { std::filesystem::remove_all(dir_); }

	// Another process's view: a plain sqlite3 connection of its own.
	std::string query(const std::string &sql) const
	{
		sqlite3 *db = nullptr;
		EXPECT_EQ(sqlite3_open_v2((dir_ + "/cmd.state.db").c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
			  SQLITE_OK);
		std::string out;
		char *error = nullptr;
		sqlite3_exec(
			db, sql.c_str(),
			[](void *text, int columns, char **values, char **) {
				auto &result = *static_cast<std::string *>(text);
				for (int i = 0; i < columns; ++i)
					result += std::string(i ? "|" : "") + (values[i] ? values[i] : "NULL");
				result += "\n";
				return 0;
			},
			&out, &error);
		if (error != nullptr) {
			out += std::string("error: ") + error;
			sqlite3_free(error);
		}
		sqlite3_close(db);
		return out;
	}

	std::string dir_;
};

TEST_F(StateDatabaseTest, NothingCommittedIsAFirstStart)
{
	StateDatabase database(dir_, "cmd");
	EXPECT_EQ(database.path(), dir_ + "/cmd.state.db");
	auto loaded = database.load();
	ASSERT_TRUE(loaded) << loaded.error();
	EXPECT_FALSE(*loaded);
	// The schema is there, marked as dlifd's, in WAL mode.
	EXPECT_EQ(query("PRAGMA application_id; PRAGMA user_version; PRAGMA journal_mode"), "1684826470\n1\nwal\n");
}

TEST_F(StateDatabaseTest, CommitsOnlyTheChangedRecordsAndReadsThemBack)
{
	StateDatabase database(dir_, "cmd");
	ASSERT_TRUE(database.commit(test_changes({{"mn1", R"({"mn":"mn1","v":1})"}, {"mn2", R"({"mn":"mn2","v":1})"}})));
	ASSERT_TRUE(database.commit(test_changes({{"mn2", R"({"mn":"mn2","v":2})"}, {"mn3", R"({"mn":"mn3","v":1})"}})));
	ASSERT_TRUE(database.commit(test_changes({{"mn1", std::nullopt}})));
	EXPECT_EQ(query("SELECT mn, json_extract(record, '$.v') FROM nodes ORDER BY mn"), "mn2|2\nmn3|1\n");
	EXPECT_EQ(query("SELECT value FROM meta WHERE name = 'role'"), "cmd\n");

	StateDatabase reopened(dir_, "cmd");
	auto loaded = reopened.load();
	ASSERT_TRUE(loaded) << loaded.error();
	ASSERT_TRUE(*loaded);
	EXPECT_EQ((*loaded)->role, "cmd");
	EXPECT_EQ((*loaded)->address, "2001:db8::100");
	EXPECT_EQ((*loaded)->saved_at_ms, 1700000000000);
	EXPECT_EQ((*loaded)->header, R"({"format":"h"})");
	EXPECT_EQ((*loaded)->records.size(), 2u);
}

TEST_F(StateDatabaseTest, ReplaceAllDeletesTheNodesNotListed)
{
	StateDatabase database(dir_, "cmd");
	ASSERT_TRUE(database.commit(test_changes({{"mn1", "{}"}, {"mn2", "{}"}})));
	ASSERT_TRUE(database.commit(test_changes({{"mn3", "{}"}}, true)));
	EXPECT_EQ(query("SELECT mn FROM nodes"), "mn3\n");
}

// A node named twice in one commit: its last record holds (the etcd store
// does the same).
TEST_F(StateDatabaseTest, ANodeNamedTwiceKeepsItsLastRecord)
{
	StateDatabase database(dir_, "cmd");
	ASSERT_TRUE(database.commit(test_changes({{"mn1", "first"}, {"mn2", "kept"}, {"mn1", "last"}})));
	EXPECT_EQ(query("SELECT mn, record FROM nodes ORDER BY mn"), "mn1|last\nmn2|kept\n");
	ASSERT_TRUE(database.commit(test_changes({{"mn1", "again"}, {"mn1", std::nullopt}, {"mn2", "kept"}}, true)));
	EXPECT_EQ(query("SELECT mn, record FROM nodes"), "mn2|kept\n");
}

TEST_F(StateDatabaseTest, ALockedDatabaseFailsTheCommitAndKeepsTheLastOne)
{
	StateDatabase database(dir_, "cmd");
	ASSERT_TRUE(database.commit(test_changes({{"mn1", "{\"v\":1}"}})));
	sqlite3 *other = nullptr;
	ASSERT_EQ(sqlite3_open((dir_ + "/cmd.state.db").c_str(), &other), SQLITE_OK);
	ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
	auto committed = database.commit(test_changes({{"mn1", "{\"v\":2}"}, {"mn2", "{}"}}));
	ASSERT_FALSE(committed);
	EXPECT_NE(committed.error().find("database is locked"), std::string::npos) << committed.error();
	sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
	sqlite3_close(other);
	EXPECT_EQ(query("SELECT mn, record FROM nodes"), "mn1|{\"v\":1}\n");
	// And the next one goes through.
	ASSERT_TRUE(database.commit(test_changes({{"mn1", "{\"v\":3}"}})));
	EXPECT_EQ(query("SELECT record FROM nodes"), "{\"v\":3}\n");
}

TEST_F(StateDatabaseTest, AFileThatIsNotSqliteIsRefusedAndCanBeMovedAside)
{
	{
		std::ofstream file(dir_ + "/cmd.state.db");
		file << std::string(200, 'x');
	}
	StateDatabase database(dir_, "cmd");
	auto loaded = database.load();
	ASSERT_FALSE(loaded);
	EXPECT_NE(loaded.error().find("file is not a database"), std::string::npos) << loaded.error();
	EXPECT_NE(loaded.error().find(dir_ + "/cmd.state.db"), std::string::npos) << loaded.error();
	auto aside = database.quarantine(42);
	ASSERT_TRUE(aside);
	EXPECT_EQ(*aside, dir_ + "/cmd.state.db.bad-42");
	EXPECT_TRUE(std::filesystem::exists(*aside));
	EXPECT_FALSE(std::filesystem::exists(dir_ + "/cmd.state.db"));
	auto fresh = database.load();
	ASSERT_TRUE(fresh) << fresh.error();
	EXPECT_FALSE(*fresh);
}

TEST_F(StateDatabaseTest, AnotherProgramsDatabaseOrALaterVersionIsRefused)
{
	query("CREATE TABLE t (x)");
	StateDatabase foreign(dir_, "cmd");
	auto loaded = foreign.load();
	ASSERT_FALSE(loaded);
	EXPECT_NE(loaded.error().find("not a dlifd state database"), std::string::npos) << loaded.error();
	ASSERT_TRUE(foreign.quarantine(1));

	StateDatabase database(dir_, "cmd");
	ASSERT_TRUE(database.commit(test_changes({{"mn1", "{}"}})));
	query("PRAGMA user_version = 7");
	StateDatabase later(dir_, "cmd");
	loaded = later.load();
	ASSERT_FALSE(loaded);
	EXPECT_NE(loaded.error().find("state database version 7 is not supported (this dlifd reads version 1)"),
		  std::string::npos)
		<< loaded.error();
	// Refused, not changed.
	EXPECT_EQ(query("PRAGMA user_version"), "7\n");
}

TEST_F(StateDatabaseTest, WhatWasCommittedSurvivesAProcessThatDiesWithoutClosing)
{
	// A child commits, starts another transaction and dies in it
	// (_exit: no destructor, no checkpoint, the -wal stays).
	const pid_t child = fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		StateDatabase database(dir_, "cmd");
		const bool ok = database.commit(test_changes({{"mn1", "{}"}})).has_value();
		sqlite3 *raw = nullptr;
		sqlite3_open((dir_ + "/cmd.state.db").c_str(), &raw);
		sqlite3_exec(raw, "BEGIN IMMEDIATE; INSERT INTO nodes VALUES ('half', '{}')", nullptr, nullptr, nullptr);
		_exit(ok ? 0 : 1);
	}
	int status = 0;
	ASSERT_EQ(waitpid(child, &status, 0), child);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_TRUE(std::filesystem::exists(dir_ + "/cmd.state.db-wal"));
	StateDatabase database(dir_, "cmd");
	auto loaded = database.load();
	ASSERT_TRUE(loaded) << loaded.error();
	ASSERT_TRUE(*loaded);
	EXPECT_EQ((*loaded)->records, std::vector<std::string>{"{}"});
}

} // namespace
} // namespace dlif::daemon
