// SPDX-License-Identifier: GPL-2.0
#include "dlif/dmm/json_writer.hpp"

#include <arpa/inet.h>

namespace dlif::dmm::json {

namespace {

// Appends `text` as a JSON string: quotes, backslashes and the control
// characters escaped (RFC 8259 section 7), everything else as it is.
void append_string(std::string &out, std::string_view text)
{
	static constexpr char kHex[] = "0123456789abcdef";
	out += '"';
	std::size_t plain = 0;	// start of the run not yet appended
	for (std::size_t i = 0; i < text.size(); ++i) {
		const auto c = static_cast<unsigned char>(text[i]);
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		out.append(text, plain, i - plain);
		plain = i + 1;
		switch (c) {
		case '"':
			out += "\\\"";
			break;
		case '\\':
			out += "\\\\";
			break;
		case '\n':
			out += "\\n";
			break;
		case '\r':
			out += "\\r";
			break;
		case '\t':
			out += "\\t";
			break;
		default:
			out += "\\u00";
			out += kHex[c >> 4];
			out += kHex[c & 0x0f];
		}
	}
	out.append(text, plain, text.size() - plain);
	out += '"';
}

} // namespace

Writer &Writer::open(char bracket)
{
	before_value();
	out_ += bracket;
	first_ = true;
	return *this;
}

Writer &Writer::close(char bracket)
{
	out_ += bracket;
	first_ = false;
	return *this;
}

void Writer::before_value()
{
	if (after_key_)
		after_key_ = false;
	else if (!first_)
		out_ += ',';
	first_ = false;
}

Writer &Writer::key(std::string_view name)
{
	before_value();
	append_string(out_, name);
	out_ += ':';
	after_key_ = true;
	return *this;
}

Writer &Writer::value(std::string_view text)
{
	before_value();
	append_string(out_, text);
	return *this;
}

Writer &Writer::value(bool flag)
{
	before_value();
	out_ += flag ? "true" : "false";
	return *this;
}

Writer &Writer::value(std::nullptr_t)
{
	before_value();
	out_ += "null";
	return *this;
}

Writer &Writer::value(const Ipv6Address &address)
{
	// inet_ntop into the stack, not Ipv6Address::to_string()'s heap string.
	char text[INET6_ADDRSTRLEN];
	if (inet_ntop(AF_INET6, address.bytes.data(), text, sizeof(text)) == nullptr)
		return value(std::string_view("?"));
	before_value();
	out_ += '"';
	out_ += text;
	out_ += '"';
	return *this;
}

Writer &Writer::value(const Ipv6Prefix &prefix)
{
	const Ipv6Prefix masked = prefix.masked();
	char text[INET6_ADDRSTRLEN];
	if (inet_ntop(AF_INET6, masked.address.bytes.data(), text, sizeof(text)) == nullptr)
		return value(std::string_view("?"));
	before_value();
	out_ += '"';
	out_ += text;
	out_ += '/';
	char digits[4];
	out_.append(digits, std::to_chars(digits, digits + sizeof(digits), unsigned{masked.length}).ptr);
	out_ += '"';
	return *this;
}

Writer &Writer::value(const MacAddress &mac)
{
	return value(std::string_view(mac.to_string()));
}

Writer &Writer::value(const DlifIdentity &identity)
{
	begin_object();
	member("link_local", identity.link_local);
	member("mac", identity.mac);
	return end_object();
}

Writer &Writer::raw(std::string_view json)
{
	before_value();
	out_ += json;
	return *this;
}

} // namespace dlif::dmm::json
