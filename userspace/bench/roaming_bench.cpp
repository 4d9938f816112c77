// SPDX-License-Identifier: GPL-2.0
//
// Handovers through a whole domain, without kernel or sockets: one CmdCore
// (proxy mode) and 100 MaarCores, every Mobility Header built into octets
// and parsed back (as between two dlifds), delivered in order until the
// domain is quiet. N nodes are first registered at random MAARs (untimed);
// each timed event is one handover: the node leaves its MAAR (MnDetached)
// and attaches at another one picked at random (MnAttached), then the PBU
// to the CMD, the CMD's PBU to the previous MAAR, and both PBAs.
//
// The nodes move in a random order, each at most once while timed, so
// every timed event is some node's first handover (one previous MAAR)
// whatever N is: the cost per event at 10k and 100k (and 1M) nodes then
// differs only by what the cores' state size costs. Timers are not fired
// (no retransmission, refresh or expiry happens during a run).
//
// Counters: handovers_per_s (one core of this machine does every node's
// work: the CMD's and both MAARs'), messages per handover, and the heap a
// registered node takes (its CMD binding plus its session at one MAAR).
//
//   cmake --build build-j/userspace -j1 --target roaming_bench
//   DLIF_BENCH_LARGE=1 build-j/userspace/userspace/bench/roaming_bench
//           --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//   (one command line)
//
// (without DLIF_BENCH_LARGE=1, 10k and 100k nodes only).

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <deque>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "dlif/cmd/cmd.hpp"
#include "dlif/maar/maar.hpp"
#include "dlif/mh/mh.hpp"

namespace {

using namespace dlif;

constexpr unsigned kMaars = 100;
constexpr unsigned kTimedHandovers = 10000;
const char *const kAccess = "wlan0";

// MAAR k (1..100) is 2001:db8:ff::k with the pool 2001:db8:k::/48; the CMD
// is 2001:db8:ff::ffff. The last two octets of an address name its node.
dlif::Ipv6Address address_of(unsigned node)
{
	dlif::Ipv6Address address = *dlif::Ipv6Address::from_string("2001:db8:ff::");
	address.bytes[14] = static_cast<std::uint8_t>(node >> 8);
	address.bytes[15] = static_cast<std::uint8_t>(node);
	return address;
}
constexpr unsigned kCmdNode = 0xffff;

unsigned node_of(const dlif::Ipv6Address &address)
{
	return static_cast<unsigned>(address.bytes[14]) << 8 | address.bytes[15];
}

dlif::MacAddress mac_of(unsigned i)
{
	dlif::MacAddress mac;
	mac.bytes = {0x02, 0x10, static_cast<std::uint8_t>(i >> 24), static_cast<std::uint8_t>(i >> 16),
		     static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
	return mac;
}

class Domain {
public:
	Domain()
	{
		dmm::Domain domain;
		for (unsigned k = 1; k <= kMaars; ++k)
			domain.maars.push_back(address_of(k));
		dmm::CmdConfig cmd;
		cmd.address = address_of(kCmdNode);
		cmd.mode = dmm::CmdMode::proxy;
		cmd.domain = domain;
		cmd_ = std::make_unique<cmd::CmdCore>(cmd);
		for (unsigned k = 1; k <= kMaars; ++k) {
			dmm::MaarConfig maar;
			maar.address = address_of(k);
			maar.cmd = cmd.address;
			maar.domain = domain;
			maar.cmd_mode = cmd.mode;
			maar.access_interfaces = {kAccess};
			maar.prefix_pool = *dlif::Ipv6Prefix::from_string("2001:db8::/48");
			maar.prefix_pool.address.bytes[4] = static_cast<std::uint8_t>(k >> 8);
			maar.prefix_pool.address.bytes[5] = static_cast<std::uint8_t>(k);
			maar.prefix_length = 64;
			maars_.push_back(std::make_unique<maar::MaarCore>(maar));
		}
		handle(kCmdNode, cmd_->start(now_));
		for (unsigned k = 1; k <= kMaars; ++k)
			handle(k, maars_[k - 1]->start(now_));
	}

	void attach(unsigned maar, const dlif::MacAddress &mn) { event(maar, dmm::MnAttached{mn, kAccess}); }
	void detach(unsigned maar, const dlif::MacAddress &mn) { event(maar, dmm::MnDetached{mn}); }

	// Delivers every message in flight, in order, until none is left.
	void settle()
	{
		while (!in_flight_.empty()) {
			Delivery delivery = std::move(in_flight_.front());
			in_flight_.pop_front();
			auto parsed = mh::parse(delivery.octets);
			if (!parsed) {
				++errors_;
				continue;
			}
			event(delivery.to, dmm::MhReceived{address_of(delivery.from), address_of(delivery.to),
							   std::move(parsed.value().message)});
		}
	}

	cmd::CmdCore &cmd() { return *cmd_; }
	maar::MaarCore &maar(unsigned k) { return *maars_.at(k - 1); }
	std::uint64_t messages() const noexcept { return messages_; }
	std::uint64_t errors() const noexcept { return errors_; }

private:
	struct Delivery {
		unsigned from;
		unsigned to;
		std::vector<std::uint8_t> octets;
	};

	void event(unsigned node, const dmm::Event &event)
	{
		now_ += std::chrono::microseconds(1);
		handle(node, node == kCmdNode ? cmd_->handle(event, now_) : maars_[node - 1]->handle(event, now_));
	}

	// Only the messages matter here: the kernel, timer and log actions are
	// what a daemon's executor would carry out, outside the cores.
	void handle(unsigned from, const dmm::Actions &actions)
	{
		for (const auto &action : actions) {
			const auto *send = std::get_if<dmm::SendMh>(&action);
			if (!send)
				continue;
			auto built = mh::build_into(send->message, buffer_);
			if (!built) {
				++errors_;
				continue;
			}
			++messages_;
			in_flight_.push_back(Delivery{from, node_of(send->destination),
						      {buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(*built)}});
		}
	}

	std::unique_ptr<cmd::CmdCore> cmd_;
	std::vector<std::unique_ptr<maar::MaarCore>> maars_;
	std::deque<Delivery> in_flight_;
	std::array<std::uint8_t, mh::kMaxMessageSize> buffer_{};
	dmm::TimePoint now_{};
	std::uint64_t messages_ = 0;
	std::uint64_t errors_ = 0;
};

void Handover(benchmark::State &state)
{
	const auto n = static_cast<unsigned>(state.range(0));
	Domain domain;
	std::mt19937 rng(1);
	std::uniform_int_distribution<unsigned> any_maar(1, kMaars);
	std::vector<std::uint8_t> at(n);
	const std::size_t heap_before = mallinfo2().uordblks;
	for (unsigned i = 0; i < n; ++i) {
		at[i] = static_cast<std::uint8_t>(any_maar(rng));
		domain.attach(at[i], mac_of(i));
		domain.settle();
	}
	if (domain.cmd().binding_count() != n || domain.errors() != 0) {
		state.SkipWithError("not every node registered");
		return;
	}
	// A registered node's heap: its CMD binding and its session at one MAAR.
	const double bytes_per_node = static_cast<double>(mallinfo2().uordblks - heap_before) / n;
	std::vector<unsigned> order(n);
	std::iota(order.begin(), order.end(), 0u);
	std::shuffle(order.begin(), order.end(), rng);
	std::uniform_int_distribution<unsigned> other_maar(1, kMaars - 1);

	const std::uint64_t messages_before = domain.messages();
	std::size_t next = 0;
	for (auto _ : state) {
		const unsigned i = order[next++ % n];
		const unsigned from = at[i];
		unsigned to = other_maar(rng);
		if (to >= from)
			++to;
		domain.detach(from, mac_of(i));
		domain.attach(to, mac_of(i));
		domain.settle();
		at[i] = static_cast<std::uint8_t>(to);
	}
	// Every moved node's binding names its new MAAR, with its first MAAR
	// as the previous one.
	for (std::size_t k = 0; k < std::min<std::size_t>(next, n); ++k) {
		const unsigned i = order[k];
		const auto binding = domain.cmd().binding(dmm::mn_id_from_mac(mac_of(i), "dlif.example"));
		if (!binding || binding->serving_maar != address_of(at[i]) || binding->previous_maars.empty()) {
			state.SkipWithError("a handover did not complete");
			return;
		}
	}
	if (domain.errors() != 0)
		state.SkipWithError("a message failed to build or parse");
	const auto events = static_cast<double>(state.iterations());
	state.counters["handovers_per_s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
	state.counters["bytes_per_node"] = bytes_per_node;
	state.counters["messages_per_handover"] = static_cast<double>(domain.messages() - messages_before) / events;
}

BENCHMARK(Handover)->Arg(10000)->Arg(100000)->Iterations(kTimedHandovers)->Unit(benchmark::kMicrosecond);

} // namespace

// 1M nodes take about 20 s to set up and 1.4 GB: only with
// DLIF_BENCH_LARGE=1, so that make check's single run of each benchmark
// stays short.
int main(int argc, char **argv)
{
	if (const char *large = std::getenv("DLIF_BENCH_LARGE"); large && std::string_view(large) == "1")
		benchmark::RegisterBenchmark("Handover", Handover)
			->Arg(1000000)
			->Iterations(kTimedHandovers)
			->Unit(benchmark::kMicrosecond);
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
