// SPDX-License-Identifier: GPL-2.0
//
// The state file: its format, the round trip, atomic replacement and
// what happens to files that cannot be used.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "state.hpp"

namespace dlif::daemon {
namespace {

class StateStoreTest : public testing::Test {
protected:
	void SetUp() override
	{
		char pattern[] = "/tmp/dlifd-state-test-XXXXXX";
		ASSERT_NE(mkdtemp(pattern), nullptr);
		dir_ = pattern;
	}
	void TearDown() override { std::filesystem::remove_all(dir_); }

	std::string dir_;
};

const SavedState kState{"maar", "2001:db8::1", 1700000000000, R"({"sessions":[{"mn":"mn1"}],"cursor":3})"};

TEST(StateFormat, RoundTrip)
{
	const std::string text = encode_state(kState);
	EXPECT_NE(text.find("\"format\": \"dlifd-state\""), std::string::npos) << text;
	auto decoded = decode_state(text);
	ASSERT_TRUE(decoded) << decoded.error();
	EXPECT_EQ(decoded->role, "maar");
	EXPECT_EQ(decoded->address, "2001:db8::1");
	EXPECT_EQ(decoded->saved_at_ms, 1700000000000);
	// The snapshot comes back as the same JSON (compact).
	EXPECT_EQ(decoded->core, R"({"cursor":3,"sessions":[{"mn":"mn1"}]})");
}

TEST(StateFormat, ASnapshotThatIsNotJsonIsKeptAsText)
{
	SavedState state = kState;
	state.core = "opaque";
	auto decoded = decode_state(encode_state(state));
	ASSERT_TRUE(decoded);
	EXPECT_EQ(decoded->core, "opaque");
}

TEST(StateFormat, RefusesOtherFiles)
{
	EXPECT_EQ(decode_state("").error(), "not a JSON object");
	EXPECT_EQ(decode_state("{\"format\":\"other\"}").error(), "not a dlifd state file");
	EXPECT_EQ(decode_state("{\"format\":\"dlifd-state\",\"version\":2}").error(),
		  "state file version 2 is not supported");
	EXPECT_NE(decode_state("{\"format\":\"dlifd-state\",\"version\":1}").error().find("malformed state file"),
		  std::string::npos);
}

TEST_F(StateStoreTest, NoFileIsAFirstStart)
{
	StateStore store(dir_ + "/sub", "cmd");
	ASSERT_TRUE(store.prepare());
	struct stat st {};
	ASSERT_EQ(stat((dir_ + "/sub").c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0700u);
	auto loaded = store.load();
	ASSERT_TRUE(loaded);
	EXPECT_FALSE(*loaded);
	EXPECT_EQ(store.path(), dir_ + "/sub/cmd.state.json");
}

TEST_F(StateStoreTest, SaveReplacesAtomicallyAndLeavesNoTemporary)
{
	StateStore store(dir_, "maar");
	ASSERT_TRUE(store.save(kState));
	SavedState newer = kState;
	newer.saved_at_ms += 1000;
	ASSERT_TRUE(store.save(newer));
	auto loaded = store.load();
	ASSERT_TRUE(loaded);
	ASSERT_TRUE(*loaded);
	EXPECT_EQ((*loaded)->saved_at_ms, newer.saved_at_ms);
	EXPECT_FALSE(std::filesystem::exists(store.path() + ".tmp"));
	struct stat st {};
	ASSERT_EQ(stat(store.path().c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(StateStoreTest, AnUnusableFileIsReportedAndCanBeMovedAside)
{
	StateStore store(dir_, "maar");
	std::ofstream(store.path()) << "{ torn";
	auto loaded = store.load();
	ASSERT_FALSE(loaded);
	EXPECT_NE(loaded.error().find("not a JSON object"), std::string::npos);
	auto aside = store.quarantine(42);
	ASSERT_TRUE(aside);
	EXPECT_EQ(*aside, store.path() + ".bad-42");
	EXPECT_TRUE(std::filesystem::exists(*aside));
	auto again = store.load();
	ASSERT_TRUE(again);
	EXPECT_FALSE(*again);
}

TEST_F(StateStoreTest, SaveFailsCleanlyWhereItCannotWrite)
{
	StateStore store(dir_ + "/missing", "maar");
	auto saved = store.save(kState);
	ASSERT_FALSE(saved);
	EXPECT_NE(saved.error().find("cannot create"), std::string::npos);
}

} // namespace
} // namespace dlif::daemon
