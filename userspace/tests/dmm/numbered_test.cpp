// SPDX-License-Identifier: GPL-2.0
//
// The MAAR's table of sessions by number (userspace/maar/src/numbered.hpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "numbered.hpp"

namespace {

using dlif::maar::Numbered;

std::vector<std::uint32_t> numbers(const Numbered<std::string> &table)
{
	std::vector<std::uint32_t> out;
	for (const auto &[number, value] : table)
		out.push_back(number);
	return out;
}

TEST(Numbered, FindsInsertsAndErasesByNumber)
{
	Numbered<std::string> table;
	EXPECT_EQ(table.find(1), nullptr);
	EXPECT_FALSE(table.contains(0));
	auto [first, inserted] = table.emplace(3, "three");
	EXPECT_TRUE(inserted);
	EXPECT_EQ(*first, "three");
	// An object already there stays, as std::map::emplace.
	auto [again, inserted_again] = table.emplace(3, "other");
	EXPECT_FALSE(inserted_again);
	EXPECT_EQ(again, first);
	EXPECT_EQ(*again, "three");
	table.emplace(1, "one");
	EXPECT_EQ(table.size(), 2u);
	// Objects do not move when the table grows.
	table.emplace(1000, "thousand");
	EXPECT_EQ(table.find(3), first);
	EXPECT_EQ(table.at(1000), "thousand");
	EXPECT_THROW((void)table.at(2), std::out_of_range);
	table.erase(3);
	table.erase(3);	// twice: nothing
	table.erase(5000);
	EXPECT_EQ(table.size(), 2u);
	EXPECT_FALSE(table.contains(3));
}

TEST(Numbered, IteratesInOrderFromAnyNumber)
{
	Numbered<std::string> table;
	for (std::uint32_t n : {7u, 2u, 5u, 9u})
		table.emplace(n, std::to_string(n));
	table.erase(9);
	EXPECT_EQ(numbers(table), (std::vector<std::uint32_t>{2, 5, 7}));
	const Numbered<std::string> &view = table;
	std::vector<std::string> after;
	for (auto it = view.upper_bound(2); it != view.end(); ++it)
		after.push_back((*it).second);
	EXPECT_EQ(after, (std::vector<std::string>{"5", "7"}));
	EXPECT_EQ(view.upper_bound(7), view.end());
	EXPECT_EQ(view.upper_bound(100), view.end());
	EXPECT_EQ(numbers(Numbered<std::string>{}), std::vector<std::uint32_t>{});
	for (auto &&[number, value] : table)
		value += "!";
	EXPECT_EQ(table.at(5), "5!");
}

} // namespace
