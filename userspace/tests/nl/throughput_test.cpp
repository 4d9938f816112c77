// SPDX-License-Identifier: GPL-2.0
//
// The client's share of a 100k-entry batch, without a kernel: encoding
// every request into pipeline-sized buffers and parsing one ack per
// request. The target is 100k entries/s of client overhead; the check is
// loose (10x below what an unsanitized build does) so that sanitizer and
// debug builds pass, and the measured rate is printed.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "dlif/nl/dlif_codec.hpp"
#include "test_util.hpp"

namespace dlif::nl {
namespace {

TEST(Throughput, EncodeAndAckOneHundredThousandEntries)
{
	constexpr std::size_t count = 100000;
	constexpr std::size_t chunk = 256 * 1024;
	std::vector<uint64_t> storage(chunk / 8);
	std::span<std::byte> buffer(reinterpret_cast<std::byte *>(storage.data()), chunk);

	Entry entry;
	entry.role = Role::serving;
	entry.peer = Ipv6Address::from_string("2001:db8::1");
	entry.local = *Ipv6Address::from_string("2001:db8::2");
	entry.ifindex = 5;
	auto base = *Ipv6Address::from_string("2001:db8:8000::");

	test::Bytes request;
	request.put(test::header(0x1d, NLM_F_REQUEST | NLM_F_ACK, 1, 0, NLMSG_HDRLEN));
	test::Bytes ack = test::error_message(0, request, true, {}, 1);
	std::size_t acked = 0;
	std::size_t bytes = 0;
	auto start = std::chrono::steady_clock::now();
	std::size_t used = 0;
	for (std::size_t i = 0; i < count; ++i) {
		auto bytes16 = base.bytes;
		bytes16[4] = static_cast<uint8_t>(i >> 16);
		bytes16[5] = static_cast<uint8_t>(i >> 8);
		bytes16[6] = static_cast<uint8_t>(i);
		entry.prefix = *Ipv6Prefix::make(Ipv6Address{bytes16}, 64);
		std::size_t size = encode_entry_op(buffer.subspan(used), {0x1d, static_cast<uint32_t>(i)},
						   {EntryOpKind::add, entry});
		if (size == 0) {
			used = 0;
			size = encode_entry_op(buffer, {0x1d, static_cast<uint32_t>(i)},
					       {EntryOpKind::add, entry});
		}
		ASSERT_GT(size, 0u);
		used += NLMSG_ALIGN(size);
		bytes += size;
		for_each_message(ack.span(), [&](const nlmsghdr &msg) {
			auto parsed = parse_error_message(msg);
			if (parsed && parsed->error == 0)
				++acked;
			return true;
		});
	}
	double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	double rate = static_cast<double>(count) / seconds;
	std::printf("encoded %zu entry requests (%zu bytes) and parsed their acks in %.3f s: %.0f/s\n",
		    count, bytes, seconds, rate);
	RecordProperty("entries_per_second", std::to_string(static_cast<long>(rate)));
	EXPECT_EQ(acked, count);
	EXPECT_GT(rate, 100000.0);
}

}  // namespace
}  // namespace dlif::nl
