// SPDX-License-Identifier: GPL-2.0
//
// What must hold for any input to the Mobility Header parser. The libFuzzer
// target checks it on every input it generates, and a unit test checks it
// on the seed corpus and on every past finding (userspace/fuzz/corpus/mh,
// userspace/fuzz/regressions/mh), so the two can never drift apart.
#pragma once

#include <algorithm>
#include <array>
#include <span>
#include <string>

#include "dlif/mh/mh.hpp"

namespace dlif::mh::fuzz {

// Empty if every invariant holds, else a description of the first broken one.
inline std::string check_invariants(std::span<const std::uint8_t> input)
{
	const auto first = parse(input);
	if (!first) {
		// Errors point inside the input (or just past a truncated header).
		if (first.error().offset > input.size())
			return "error offset past the input: " + to_string(first.error());
		(void)to_string(first.error());
		return {};
	}
	(void)to_string(*first); // every parsed message can be printed

	// The canonical encoding may be longer than the input (alignment
	// padding the sender skipped), so it alone may exceed the maximum.
	const auto size = encoded_size(first->message);
	if (!size) {
		if (size.error().code == BuildErrorCode::MessageTooLong && size.error().required_size > kMaxMessageSize)
			return {};
		return "a parsed message does not build: " + to_string(size.error());
	}
	std::array<std::uint8_t, kMaxMessageSize> buffer;
	const auto written = build_into(first->message, buffer);
	if (!written || *written != *size)
		return "build_into disagrees with encoded_size";
	const std::span<const std::uint8_t> rebuilt(buffer.data(), *written);
	if (rebuilt.size() % kMhUnit != 0)
		return "built message is not a multiple of 8 octets";

	const auto second = parse(rebuilt);
	if (!second)
		return "rebuilt message does not parse: " + to_string(second.error());
	if (!(second->message == first->message))
		return "round trip changed the message: " + to_string(first->message) + " became " +
		       to_string(second->message);
	if (!second->skipped_options.empty())
		return "rebuilt message has options the parser skips";

	// The canonical form is a fixed point and both build paths agree.
	const auto again = build(second->message);
	if (!again || !std::equal(again->begin(), again->end(), rebuilt.begin(), rebuilt.end()))
		return "building the round-tripped message gives other octets";
	return {};
}

} // namespace dlif::mh::fuzz
