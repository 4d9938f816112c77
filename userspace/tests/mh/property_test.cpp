// SPDX-License-Identifier: GPL-2.0
//
// Round-trip properties over seeded random messages (build -> parse ->
// equal), and random damage to valid messages (parse gives a message or a
// typed error, and any message it gives round-trips).
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "mh_invariants.hpp"
#include "support.hpp"

namespace dlif::mh {
namespace {

constexpr int kMessages = 20000;

TEST(MhProperties, RandomValidMessagesSurviveBuildAndParse)
{
	test::RandomMessageGenerator generator(0x5eed0001);
	for (int i = 0; i < kMessages; ++i) {
		const Message message = generator.next();
		const auto bytes = build(message);
		ASSERT_TRUE(bytes) << bytes.error() << " for " << to_string(message);
		ASSERT_EQ(bytes->size() % kMhUnit, 0u);
		ASSERT_EQ((*bytes)[kOffsetHeaderLen] + 1u, bytes->size() / kMhUnit);
		const auto parsed = parse(*bytes);
		ASSERT_TRUE(parsed) << parsed.error() << " for " << to_string(message) << "\n" << test::to_hex(*bytes);
		ASSERT_EQ(parsed->message, message) << to_string(parsed->message) << "\n  vs " << to_string(message);
		ASSERT_TRUE(parsed->skipped_options.empty());
	}
}

TEST(MhProperties, BuildIntoAndBuildAgreeOnRandomMessages)
{
	test::RandomMessageGenerator generator(0x5eed0002);
	std::array<std::uint8_t, kMaxMessageSize> buffer;
	for (int i = 0; i < 2000; ++i) {
		const Message message = generator.next();
		const auto bytes = test::built(message);
		const auto written = build_into(message, buffer);
		ASSERT_TRUE(written);
		ASSERT_EQ(*written, bytes.size());
		ASSERT_TRUE(std::equal(bytes.begin(), bytes.end(), buffer.begin()));
		ASSERT_EQ(*encoded_size(message), bytes.size());
	}
}

TEST(MhProperties, MutatedMessagesParseToAMessageOrATypedErrorAndKeepTheInvariants)
{
	test::RandomMessageGenerator generator(0x5eed0003);
	std::mt19937_64 rng(0x5eed0004);
	int parsed_ok = 0;
	int rejected = 0;
	for (int i = 0; i < kMessages; ++i) {
		const auto damaged = test::mutate(test::built(generator.next()), rng);
		const std::string broken = fuzz::check_invariants(damaged);
		ASSERT_EQ(broken, "") << test::to_hex(damaged);
		(parse(damaged) ? parsed_ok : rejected)++;
	}
	// Both outcomes must be exercised for the test to mean anything.
	EXPECT_GT(parsed_ok, kMessages / 20);
	EXPECT_GT(rejected, kMessages / 20);
}

TEST(MhProperties, EveryParseErrorCodeIsReachedByMutation)
{
	test::RandomMessageGenerator generator(0x5eed0005);
	std::mt19937_64 rng(0x5eed0006);
	std::set<ParseErrorCode> seen;
	for (int i = 0; i < 50000 && seen.size() < 10; ++i) {
		const auto parsed = parse(test::mutate(test::built(generator.next()), rng));
		if (!parsed)
			seen.insert(parsed.error().code);
	}
	// All but OutOfMemory.
	EXPECT_EQ(seen.size(), 10u);
}

} // namespace
} // namespace dlif::mh
