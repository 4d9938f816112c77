// SPDX-License-Identifier: GPL-2.0
//
// Mobility Header codec: parse and build of a typical PBU (MN-ID, HNP,
// Timestamp, two Previous MAAR options) and PBA. Goal: under 200 ns each
// (Documentation/performance.rst has the figures and the command).
#include <benchmark/benchmark.h>

#include <array>

#include "dlif/mh/mh.hpp"
#include "examples.hpp"

namespace {

using namespace dlif::mh;

std::vector<std::uint8_t> encoded(const Message &message)
{
	auto bytes = build(message);
	if (!bytes)
		std::abort();
	return *bytes;
}

void parse_message(benchmark::State &state, const Message &message)
{
	const auto bytes = encoded(message);
	for (auto _ : state) {
		auto parsed = parse(bytes);
		benchmark::DoNotOptimize(parsed);
	}
	state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
	state.counters["octets"] = static_cast<double>(bytes.size());
}

// build_into: the daemon's path, into a reused buffer, no allocation.
void build_message(benchmark::State &state, const Message &message)
{
	std::array<std::uint8_t, kMaxMessageSize> buffer;
	for (auto _ : state) {
		auto written = build_into(message, buffer);
		benchmark::DoNotOptimize(written);
		benchmark::ClobberMemory();
	}
	state.counters["octets"] = static_cast<double>(encoded(message).size());
}

// build(): the convenience path, one vector allocation per message.
void build_vector(benchmark::State &state, const Message &message)
{
	for (auto _ : state) {
		auto bytes = build(message);
		benchmark::DoNotOptimize(bytes);
	}
}

void BM_ParsePbu(benchmark::State &state)
{
	parse_message(state, examples::typical_pbu());
}

void BM_ParsePba(benchmark::State &state)
{
	parse_message(state, examples::typical_pba());
}

void BM_BuildPbu(benchmark::State &state)
{
	build_message(state, examples::typical_pbu());
}

void BM_BuildPba(benchmark::State &state)
{
	build_message(state, examples::typical_pba());
}

void BM_BuildPbuVector(benchmark::State &state)
{
	build_vector(state, examples::typical_pbu());
}

void BM_ParsePbaEveryOption(benchmark::State &state)
{
	parse_message(state, examples::pba_with_every_option());
}

} // namespace

BENCHMARK(BM_ParsePbu);
BENCHMARK(BM_BuildPbu);
BENCHMARK(BM_ParsePba);
BENCHMARK(BM_BuildPba);
BENCHMARK(BM_BuildPbuVector);
BENCHMARK(BM_ParsePbaEveryOption);

BENCHMARK_MAIN();
