// SPDX-License-Identifier: GPL-2.0
//
// The I/O edge against a real kernel, through the genl controller family
// (nlctrl) that every kernel has: family resolution, a multipart dump and
// the pipelined batch path with thousands of requests in flight. Skipped
// where netlink sockets cannot be opened.
#include <gtest/gtest.h>
#include <linux/genetlink.h>

#include <cerrno>
#include <chrono>
#include <cstdio>

#include "dlif/nl/genl.hpp"
#include "dlif/nl/socket.hpp"
#include "dlif/nl/transaction.hpp"

namespace dlif::nl {
namespace {

#define OPEN_OR_SKIP(var)                                                              \
	auto var##_opened = Socket::open(NETLINK_GENERIC);                             \
	if (!var##_opened)                                                             \
		GTEST_SKIP() << "no netlink: " << var##_opened.error().describe();     \
	Socket &var = *var##_opened

TEST(Live, ResolvesTheControllerFamily)
{
	OPEN_OR_SKIP(socket);
	EXPECT_NE(socket.port_id(), 0u);
	auto family = resolve_family(socket, "nlctrl");
	ASSERT_TRUE(family) << family.error().describe();
	EXPECT_EQ(family->id, GENL_ID_CTRL);
	EXPECT_EQ(family->name, "nlctrl");
	EXPECT_TRUE(family->group_id("notify"));
}

TEST(Live, DumpsEveryFamily)
{
	OPEN_OR_SKIP(socket);
	alignas(8) std::byte buf[64];
	auto msg = start_genl_message(buf, {GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
					    NLM_F_REQUEST | NLM_F_DUMP, socket.next_seq()});
	ASSERT_TRUE(msg.ok());
	std::vector<std::string> names;
	auto summary = dump(socket, msg.bytes(), [&](const nlmsghdr &m) -> Status {
		auto family = decode_family(m);
		if (!family)
			return family.error();
		names.push_back(family->name);
		return {};
	});
	ASSERT_TRUE(summary) << summary.error().describe();
	EXPECT_EQ(summary->replies, names.size());
	EXPECT_NE(std::find(names.begin(), names.end(), "nlctrl"), names.end());

	// The socket is still in step: a request right after works.
	EXPECT_TRUE(resolve_family(socket, "nlctrl"));
}

TEST(Live, RefusalCarriesTheErrno)
{
	OPEN_OR_SKIP(socket);
	alignas(8) std::byte buf[64];
	// By id, so that the kernel does not try to load a module.
	auto msg = start_genl_message(buf, {GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
					    NLM_F_REQUEST | NLM_F_ACK, socket.next_seq()});
	msg.put_u16(CTRL_ATTR_FAMILY_ID, 0xfffe);
	Status status = transact(socket, msg.bytes());
	ASSERT_FALSE(status);
	EXPECT_EQ(status.error().code, ENOENT);
}

// Request i of the pipeline tests: even ones look up a family id that does
// not exist (ENOENT), odd ones use a command nlctrl does not have
// (EOPNOTSUPP). Neither produces a reply besides the error ack.
std::size_t encode_refused(std::span<std::byte> space, uint32_t seq, uint64_t i)
{
	bool unknown_command = i % 2;
	auto msg = start_genl_message(space, {GENL_ID_CTRL,
					      static_cast<uint8_t>(unknown_command ? 200 : CTRL_CMD_GETFAMILY),
					      1, NLM_F_REQUEST | NLM_F_ACK, seq});
	msg.put_u16(CTRL_ATTR_FAMILY_ID, 0xfffe);
	return msg.size();
}

void run_pipeline(std::size_t count, PipelineOptions options, bool report_rate)
{
	OPEN_OR_SKIP(socket);
	std::vector<std::pair<uint64_t, int>> failures;
	failures.reserve(count);
	Pipeline pipeline(socket, [&](uint64_t tag, const Error &error) {
		failures.emplace_back(tag, error.code);
	}, options);
	auto start = std::chrono::steady_clock::now();
	for (uint64_t i = 0; i < count; ++i) {
		Status pushed = pipeline.add(1000 + i, [i](std::span<std::byte> space, uint32_t seq) {
			return encode_refused(space, seq, i);
		});
		ASSERT_TRUE(pushed) << pushed.error().describe();
	}
	Status flushed = pipeline.flush();
	ASSERT_TRUE(flushed) << flushed.error().describe();
	double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

	EXPECT_EQ(pipeline.sent(), count);
	EXPECT_EQ(pipeline.failed(), count);
	ASSERT_EQ(failures.size(), count);
	for (uint64_t i = 0; i < count; ++i) {
		EXPECT_EQ(failures[i].first, 1000 + i);
		EXPECT_EQ(failures[i].second, i % 2 ? EOPNOTSUPP : ENOENT) << i;
	}
	if (report_rate) {
		std::printf("pipelined %zu requests in %.3f s: %.0f requests/s (in flight <= %zu)\n",
			    count, seconds, static_cast<double>(count) / seconds, pipeline.max_in_flight());
		::testing::Test::RecordProperty("requests_per_second",
						std::to_string(static_cast<long>(static_cast<double>(count) / seconds)));
	}

	// The socket is usable after the pipeline.
	EXPECT_TRUE(resolve_family(socket, "nlctrl"));
}

TEST(Live, PipelineInSmallWindows)
{
	run_pipeline(1000, {.chunk_bytes = 4096, .max_in_flight = 7}, false);
}

TEST(Live, PipelineOfOneHundredThousand)
{
	run_pipeline(100000, {}, true);
}

}  // namespace
}  // namespace dlif::nl
