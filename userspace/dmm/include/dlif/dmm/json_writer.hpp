// SPDX-License-Identifier: GPL-2.0
//
// JSON text written straight into a string, for the records dlifd
// commits at every event (one per changed binding or session). Building
// nlohmann's DOM first costs an allocation per value and per member and
// was most of a commit's CPU time at a million bindings; the text this
// writes is read back with nlohmann (json.hpp), like any other JSON.
//
// The caller keeps the structure well formed (a key before each member's
// value, ends matching begins); the writer places the commas. Strings
// must be UTF-8, as the cores' strings are (a NAI is checked on arrival).
#pragma once

#include <charconv>
#include <concepts>
#include <cstddef>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "dlif/dmm/types.hpp"

namespace dlif::dmm::json {

class Writer {
public:
	Writer &begin_object() { return open('{'); }
	Writer &end_object() { return close('}'); }
	Writer &begin_array() { return open('['); }
	Writer &end_array() { return close(']'); }

	// The next member's name; its value follows.
	Writer &key(std::string_view name);

	Writer &value(std::string_view text);
	Writer &value(const char *text) { return value(std::string_view(text)); }
	Writer &value(bool flag);
	template <std::integral T>
		requires(!std::same_as<T, bool>)
	Writer &value(T number)
	{
		before_value();
		char digits[24];
		const auto end = std::to_chars(digits, digits + sizeof(digits), number).ptr;
		out_.append(digits, end);
		return *this;
	}
	Writer &value(std::nullptr_t);
	// A Timestamp option's value as its 64 raw bits (1/65536 s).
	Writer &value(mh::Timestamp timestamp) { return value(timestamp.raw()); }
	// Addresses, prefixes and MACs as text, as json.hpp's to_json().
	Writer &value(const Ipv6Address &address);
	Writer &value(const Ipv6Prefix &prefix);
	Writer &value(const MacAddress &mac);
	Writer &value(const DlifIdentity &identity);
	// A list of prefixes (std::vector, mh::SmallVector): an array.
	template <std::ranges::input_range Prefixes>
		requires std::same_as<std::ranges::range_value_t<Prefixes>, Ipv6Prefix>
	Writer &value(const Prefixes &prefixes)
	{
		begin_array();
		for (const Ipv6Prefix &prefix : prefixes)
			value(prefix);
		return end_array();
	}
	// null when empty.
	template <typename T>
	Writer &value(const std::optional<T> &maybe)
	{
		return maybe ? value(*maybe) : value(nullptr);
	}
	// A value that is JSON text already (a nested document).
	Writer &raw(std::string_view json);

	// key(name).value(v).
	template <typename T>
	Writer &member(std::string_view name, const T &v)
	{
		key(name);
		return value(v);
	}

	const std::string &text() const noexcept { return out_; }
	std::string take() noexcept { return std::move(out_); }

private:
	Writer &open(char bracket);
	Writer &close(char bracket);
	void before_value();

	std::string out_;
	// No comma before the first value of an object or array, nor before
	// the value that follows its key.
	bool first_ = true;
	bool after_key_ = false;
};

} // namespace dlif::dmm::json
