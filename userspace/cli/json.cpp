// SPDX-License-Identifier: GPL-2.0
#include "json.hpp"

namespace dlif::cli {

std::string json_quote(std::string_view text)
{
	static constexpr char hex[] = "0123456789abcdef";
	std::string quoted;
	quoted.reserve(text.size() + 2);
	quoted += '"';
	for (char c : text) {
		auto byte = static_cast<unsigned char>(c);
		switch (c) {
		case '"':
			quoted += "\\\"";
			break;
		case '\\':
			quoted += "\\\\";
			break;
		case '\n':
			quoted += "\\n";
			break;
		case '\t':
			quoted += "\\t";
			break;
		case '\r':
			quoted += "\\r";
			break;
		default:
			if (byte < 0x20) {
				quoted += "\\u00";
				quoted += hex[byte >> 4];
				quoted += hex[byte & 0xf];
			} else {
				quoted += c;
			}
		}
	}
	quoted += '"';
	return quoted;
}

void JsonWriter::before_value()
{
	if (after_key_) {
		after_key_ = false;
		return;
	}
	if (!has_element_.empty()) {
		if (has_element_.back())
			out_ += ',';
		has_element_.back() = true;
	}
}

void JsonWriter::begin_object()
{
	before_value();
	out_ += '{';
	has_element_.push_back(false);
}

void JsonWriter::end_object()
{
	out_ += '}';
	has_element_.pop_back();
}

void JsonWriter::begin_array()
{
	before_value();
	out_ += '[';
	has_element_.push_back(false);
}

void JsonWriter::end_array()
{
	out_ += ']';
	has_element_.pop_back();
}

void JsonWriter::key(std::string_view name)
{
	before_value();
	out_ += json_quote(name);
	out_ += ':';
	after_key_ = true;
}

void JsonWriter::value(std::string_view text)
{
	before_value();
	out_ += json_quote(text);
}

void JsonWriter::number_value(uint64_t number)
{
	before_value();
	out_ += std::to_string(number);
}

void JsonWriter::value(bool flag)
{
	before_value();
	out_ += flag ? "true" : "false";
}

}  // namespace dlif::cli
