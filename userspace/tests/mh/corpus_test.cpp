// SPDX-License-Identifier: GPL-2.0
//
// The fuzzer's invariants (userspace/fuzz/mh_invariants.hpp) on the seed
// corpus and on every input the fuzzer ever found a problem with, so that
// a fixed crash stays fixed in every `make unit-tests`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "mh_invariants.hpp"
#include "support.hpp"

namespace dlif::mh {
namespace {

std::size_t check_directory(const std::filesystem::path &directory)
{
	std::size_t files = 0;
	for (const auto &entry : std::filesystem::directory_iterator(directory)) {
		if (!entry.is_regular_file() || entry.path().filename().string().starts_with("README"))
			continue;
		std::ifstream file(entry.path(), std::ios::binary);
		const std::vector<std::uint8_t> input((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
		EXPECT_EQ(fuzz::check_invariants(input), "") << entry.path();
		++files;
	}
	return files;
}

TEST(MhFuzzCorpus, SeedInputsKeepTheInvariants)
{
	EXPECT_GE(check_directory(test::source_dir() + "/userspace/fuzz/corpus/mh"), 20u);
}

TEST(MhFuzzCorpus, PastFindingsKeepTheInvariants)
{
	// May hold no input yet; the directory itself must exist.
	check_directory(test::source_dir() + "/userspace/fuzz/regressions/mh");
}

} // namespace
} // namespace dlif::mh
