// SPDX-License-Identifier: GPL-2.0
//
// cores_fuzz's script (userspace/fuzz/cores_script.hpp) on its seed corpus
// and on every input it ever found a problem with, so that a fixed finding
// stays fixed in every `make unit-tests`, plain and under ASan/UBSan. The
// replay also checks, after every state change, that the snapshot and the
// records a state database would hold restore to the same core.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "cores_script.hpp"

namespace dlif::fuzz {
namespace {

std::size_t replay_directory(const std::filesystem::path &directory)
{
	std::size_t files = 0;
	for (const auto &entry : std::filesystem::directory_iterator(directory)) {
		if (!entry.is_regular_file() || entry.path().filename().string().starts_with("README"))
			continue;
		std::ifstream file(entry.path(), std::ios::binary);
		const std::vector<std::uint8_t> input((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
		EXPECT_NO_THROW(EXPECT_EQ(run_cores_script(input, true), "") << entry.path()) << entry.path();
		++files;
	}
	return files;
}

TEST(CoresFuzzCorpus, SeedInputsPassTheChecks)
{
	EXPECT_GE(replay_directory(DLIF_SOURCE_DIR "/userspace/fuzz/corpus/cores"), 4u);
}

TEST(CoresFuzzCorpus, PastFindingsPassTheChecks)
{
	EXPECT_GE(replay_directory(DLIF_SOURCE_DIR "/userspace/fuzz/regressions/cores"), 1u);
}

} // namespace
} // namespace dlif::fuzz
