// SPDX-License-Identifier: GPL-2.0
//
// A small streaming JSON writer: it appends to a string and inserts the
// commas itself. dlifctl's output is flat objects and arrays of strings and
// numbers, which is all this supports.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dlif::cli {

class JsonWriter {
public:
	explicit JsonWriter(std::string &out) : out_(out) {}

	void begin_object();
	void end_object();
	void begin_array();
	void end_array();
	void key(std::string_view name);
	void value(std::string_view text);
	void value(const char *text) { value(std::string_view(text)); }
	void value(bool flag);
	template <std::unsigned_integral T>
		requires(!std::same_as<T, bool>)
	void value(T number)
	{
		number_value(static_cast<uint64_t>(number));
	}

	template <typename T>
	void member(std::string_view name, const T &v)
	{
		key(name);
		value(v);
	}

private:
	void before_value();
	void number_value(uint64_t number);

	std::string &out_;
	// One flag per open container: has it got an element yet?
	std::vector<bool> has_element_;
	bool after_key_ = false;
};

// The JSON string literal of text, quotes included.
std::string json_quote(std::string_view text);

}  // namespace dlif::cli
