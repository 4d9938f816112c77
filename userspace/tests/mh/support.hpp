// SPDX-License-Identifier: GPL-2.0
//
// Helpers shared by the Mobility Header codec tests.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dlif/mh/mh.hpp"

namespace dlif::mh::test {

// Octets from hex text ("3b 01 05 00 ..."); spaces and newlines ignored.
// Aborts on malformed text: a broken vector is a broken test.
std::vector<std::uint8_t> hex(std::string_view text);
std::string to_hex(std::span<const std::uint8_t> bytes);

Ipv6Address address(std::string_view text);
Ipv6Prefix prefix(std::string_view text);
LinkLayerAddress link_layer(std::string_view text);

// build() that aborts on failure, for messages a test knows to be valid.
std::vector<std::uint8_t> built(const Message &message);

// A seeded generator of random valid messages: every option, any count of
// the repeatable ones (beyond their inline capacity too), identifiers and
// link-layer addresses up to their maximum length, any octet in the enum
// fields, prefixes with garbage beyond their length.
class RandomMessageGenerator {
public:
	explicit RandomMessageGenerator(std::uint64_t seed) : rng_(seed) {}
	Message next();

private:
	bool chance(unsigned percent);
	std::uint8_t octet();
	std::uint16_t u16();
	Ipv6Address any_address();
	Ipv6Prefix any_prefix();
	LinkLayerAddress any_link_layer();
	std::size_t count(std::size_t max);
	MobilityOptions options();

	std::mt19937_64 rng_;
};

// Random damage to an encoded message: flipped bits, changed octets,
// truncation, extension, inserted or removed octets, a rewritten Header Len.
std::vector<std::uint8_t> mutate(std::vector<std::uint8_t> bytes, std::mt19937_64 &rng);

struct CommandResult {
	int exit_status;
	std::string output; // standard output; standard error is discarded
};

CommandResult run(const std::string &command);
bool have_program(const std::string &name);

// A path for a scratch file, unique to this process and `name`.
std::string scratch_path(const std::string &name);

// The repository (for contrib/ and the fuzz corpus).
std::string source_dir();

// A pcap file of Mobility Headers in IPv6 packets (2001:db8::a ->
// 2001:db8::b, checksum set), read back with tshark. `lua_plugin` loads a
// Lua dissector with -X lua_script: when not empty. The file is removed
// when the object goes.
class TsharkCapture {
public:
	TsharkCapture(const std::string &name, const std::vector<std::vector<std::uint8_t>> &mobility_headers,
		      std::string lua_plugin = {});
	~TsharkCapture();
	TsharkCapture(const TsharkCapture &) = delete;
	TsharkCapture &operator=(const TsharkCapture &) = delete;

	// One row per frame (matching `filter` if given), one column per field;
	// repeated occurrences joined with ','.
	std::vector<std::vector<std::string>> fields(const std::vector<std::string> &names,
						     const std::string &filter = {}) const;
	// One field of every frame (repeated occurrences joined with ',').
	std::vector<std::string> column(const std::string &name) const;
	// Numbers of the frames matching a display filter.
	std::vector<int> frames_matching(const std::string &filter) const;
	// The -V text of every frame.
	std::string verbose() const;

private:
	std::string tshark() const;
	std::string path_;
	std::string lua_plugin_;
};

// Lines of `text` split on '\n', without the newlines.
std::vector<std::string> lines(const std::string &text);
// `text` split on `separator` (kept empty fields).
std::vector<std::string> split(const std::string &text, char separator);

} // namespace dlif::mh::test
