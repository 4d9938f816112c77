// SPDX-License-Identifier: GPL-2.0
//
// The CMD's handling of a PBU, without socket I/O: the PBU's octets are
// parsed, handed to the core (binding cache lookup and update), and the
// PBA it answers with is built into octets - all a dlifd CMD does per
// message besides the two system calls. Run with 1k, 100k and 1M mobile
// nodes in the binding cache:
//
//   RefreshPbu        a registered node's serving MAAR refreshes it
//   InitialPbu        a new node registers (the cache grows; measured
//                     while filling it)
//   Snapshot          the JSON snapshot of the whole cache (what the state
//                     file of earlier dlifds held, rewritten whole)
//   ServingCounts     dlifctl status's bindings per serving MAAR
//   StateCommit       what dlifd's state database costs per event: the
//                     changed bindings' records in one transaction per
//                     loop iteration, fsync included (args: cache size,
//                     events per transaction)
//   StateRestore      a CMD's start: every binding read from the state
//                     database and restored into a core
//   EtcdCommit        StateCommit to a highly available CMD's store in
//                     etcd instead (a one-member etcd on loopback, fsync
//                     on; skipped when etcd-server is not installed), in
//                     the same run as StateCommit at the same sizes
//
// and a report of the heap bytes per binding (counter "bytes_per_binding").
//
//   make userspace && build/userspace/userspace/bench/cmd_bench

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include <filesystem>
#include <optional>

#include "dlif/cmd/cmd.hpp"
#include "dlif/mh/mh.hpp"
#include "etcd_server.hpp"
#include "etcd_store.hpp"
#include "state_db.hpp"

namespace {

using namespace dlif;

const dlif::Ipv6Address kCmd = *dlif::Ipv6Address::from_string("2001:db8:ff::100");
const dlif::Ipv6Address kMaar = *dlif::Ipv6Address::from_string("2001:db8:ff::1");

dmm::CmdConfig config()
{
	dmm::CmdConfig c;
	c.address = kCmd;
	c.mode = dmm::CmdMode::proxy;
	c.domain.maars = {kMaar, *dlif::Ipv6Address::from_string("2001:db8:ff::2"),
			  *dlif::Ipv6Address::from_string("2001:db8:ff::3")};
	return c;
}

// Node i: its NAI and its /64, both of fixed size so that a PBU can be
// re-targeted by patching octets.
std::string nai(unsigned i)
{
	char text[32];
	std::snprintf(text, sizeof(text), "mn-%08u@dlif.example", i);
	return text;
}

dlif::Ipv6Prefix prefix(unsigned i)
{
	dlif::Ipv6Prefix p;
	p.address.bytes = {0x20, 0x01, 0x0d, 0xb8, 0x10, static_cast<std::uint8_t>(i >> 24),
			   static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
			   static_cast<std::uint8_t>(i)};
	p.length = 64;
	return p;
}

mh::ProxyBindingUpdate pbu(unsigned i, std::uint16_t seq, mh::HandoffIndicator hi)
{
	mh::ProxyBindingUpdate u;
	u.sequence = seq;
	u.flags.set(mh::BuFlag::Dmm);
	u.lifetime = mh::Lifetime::at_most(std::chrono::seconds(3600));
	u.options.mobile_node_identifier = mh::MobileNodeIdentifier::nai(nai(i));
	u.options.home_network_prefixes.push_back(prefix(i));
	u.options.handoff_indicator = hi;
	u.options.access_technology_type = mh::AccessTechnologyType::Ieee8023;
	return u;
}

// Parses the octets, hands the PBU to the core and builds the reply.
std::size_t process(cmd::CmdCore &core, std::span<const std::uint8_t> octets,
		    dmm::TimePoint now, std::array<std::uint8_t, mh::kMaxMessageSize> &out)
{
	auto parsed = mh::parse(octets);
	if (!parsed)
		return 0;
	dmm::Actions actions = core.handle(
		dmm::MhReceived{kMaar, kCmd, std::move(parsed.value().message)}, now);
	for (const dmm::Action &action : actions) {
		if (const auto *send = std::get_if<dmm::SendMh>(&action)) {
			auto built = mh::build_into(send->message, out);
			return built ? built.value() : 0;
		}
	}
	return 0;
}

struct Cache {
	cmd::CmdCore core{config()};
	std::vector<std::uint16_t> seq;
	dmm::TimePoint now{};
	std::size_t heap_bytes = 0;
};

// Registers n nodes; reports the heap the bindings took.
void fill(Cache &cache, unsigned n)
{
	std::array<std::uint8_t, mh::kMaxMessageSize> out{};
	cache.seq.assign(n, 1);
	const std::size_t before = mallinfo2().uordblks;
	for (unsigned i = 0; i < n; i++) {
		auto octets = mh::build(pbu(i, 1, mh::HandoffIndicator::HandoffStateUnknown));
		cache.now += std::chrono::microseconds(1);
		process(cache.core, octets.value(), cache.now, out);
	}
	cache.heap_bytes = mallinfo2().uordblks - before;
}

void RefreshPbu(benchmark::State &state)
{
	const auto n = static_cast<unsigned>(state.range(0));
	Cache cache;
	fill(cache, n);
	if (cache.core.binding_count() != n)
		state.SkipWithError("not every node registered");

	// One template PBU; the node's NAI digits, prefix and sequence number
	// are patched in per message, so that building PBUs costs nothing.
	auto templ = mh::build(pbu(0, 2, mh::HandoffIndicator::HandoffStateNotChanged)).value();
	const std::string nai0 = nai(0);
	const auto nai_at = std::search(templ.begin(), templ.end(), nai0.begin(), nai0.end()) - templ.begin();
	const auto p0 = prefix(0).address.bytes;
	const auto prefix_at = std::search(templ.begin(), templ.end(), p0.begin(), p0.begin() + 8) - templ.begin();

	std::mt19937 rng(1);
	std::uniform_int_distribution<unsigned> pick(0, n - 1);
	std::array<std::uint8_t, mh::kMaxMessageSize> out{};
	std::size_t replies = 0;
	for (auto _ : state) {
		const unsigned i = pick(rng);
		const std::uint16_t seq = ++cache.seq[i];
		templ[6] = static_cast<std::uint8_t>(seq >> 8);
		templ[7] = static_cast<std::uint8_t>(seq);
		const std::string id = nai(i);
		std::memcpy(&templ[static_cast<std::size_t>(nai_at)], id.data(), id.size());
		const auto p = prefix(i).address.bytes;
		std::memcpy(&templ[static_cast<std::size_t>(prefix_at)], p.data(), 8);
		cache.now += std::chrono::microseconds(1);
		replies += process(cache.core, templ, cache.now, out) > 0;
	}
	if (replies != static_cast<std::size_t>(state.iterations()))
		state.SkipWithError("a refresh went unanswered");
	state.counters["bytes_per_binding"] = static_cast<double>(cache.heap_bytes) / n;
	state.counters["pbu_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()),
							 benchmark::Counter::kIsRate);
}

void InitialPbu(benchmark::State &state)
{
	const auto n = static_cast<unsigned>(state.range(0));
	Cache cache;
	fill(cache, n);
	std::array<std::uint8_t, mh::kMaxMessageSize> out{};
	unsigned next = n;
	std::vector<std::vector<std::uint8_t>> octets;
	for (auto _ : state) {
		state.PauseTiming();
		auto message = mh::build(pbu(next++, 1, mh::HandoffIndicator::HandoffStateUnknown)).value();
		state.ResumeTiming();
		cache.now += std::chrono::microseconds(1);
		benchmark::DoNotOptimize(process(cache.core, message, cache.now, out));
	}
	state.counters["pbu_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()),
							 benchmark::Counter::kIsRate);
}

BENCHMARK(RefreshPbu)->Arg(1000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kNanosecond);

// The whole cache as one JSON text, as earlier dlifds rewrote their state
// file: its cost grows with the cache, which is why the state database
// writes only the records that changed (StateCommit).
void Snapshot(benchmark::State &state)
{
	const auto n = static_cast<unsigned>(state.range(0));
	Cache cache;
	fill(cache, n);
	std::size_t bytes = 0;
	for (auto _ : state) {
		const std::string text = cache.core.snapshot();
		bytes = text.size();
		benchmark::DoNotOptimize(text.data());
	}
	state.counters["bytes"] = static_cast<double>(bytes);
	state.counters["bytes_per_binding"] = static_cast<double>(bytes) / n;
}
BENCHMARK(Snapshot)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

// dlifctl status at a CMD: its bindings per serving MAAR, what each poll
// of it (an operator's metrics, the load tests) costs the event loop. The
// core keeps the counts as bindings change: the same at any cache size
// (a pass over the cache cost 14 ms at 100k and 190-250 ms at 1M).
void ServingCounts(benchmark::State &state)
{
	const auto n = static_cast<unsigned>(state.range(0));
	Cache cache;
	fill(cache, n);
	std::size_t counted = 0;
	for (auto _ : state) {
		counted = 0;
		for (const auto &[maar, count] : cache.core.bindings_by_serving_maar())
			counted += count.bindings;
		benchmark::DoNotOptimize(counted);
	}
	if (counted != n)
		state.SkipWithError("a binding was not counted");
}
BENCHMARK(ServingCounts)->Arg(100000)->Arg(1000000)->Unit(benchmark::kNanosecond);

// A commit's header, with no record yet.
daemon::StateChanges header_only(const Cache &cache)
{
	return {"cmd", kCmd.to_string(), 0, cache.core.snapshot_header(), {}, false};
}

// Every binding of the cache, as a full rewrite.
daemon::StateChanges every_binding(const Cache &cache, unsigned n)
{
	daemon::StateChanges all = header_only(cache);
	all.replace_all = true;
	for (unsigned i = 0; i < n; i++)
		all.records.emplace_back(nai(i), cache.core.snapshot_record(nai(i)));
	return all;
}

// The timed loop of StateCommit and EtcdCommit: per iteration, `batch`
// of the cache's n bindings, chosen at random, serialised and handed to
// `commit` (a store's commit) in one change; their rate in the counter
// "events_per_s". False, the run skipped with the error, when a commit
// failed.
template <typename Commit>
bool commit_random_batches(benchmark::State &state, const Cache &cache, unsigned n, unsigned batch, Commit commit)
{
	std::mt19937 rng(1);
	std::uniform_int_distribution<unsigned> pick(0, n - 1);
	for (auto _ : state) {
		daemon::StateChanges changes = header_only(cache);
		for (unsigned k = 0; k < batch; k++) {
			const std::string mn = nai(pick(rng));
			changes.records.emplace_back(mn, cache.core.snapshot_record(mn));
		}
		if (auto committed = commit(changes); !committed) {
			state.SkipWithError(("a commit failed: " + committed.error()).c_str());
			return false;
		}
	}
	state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()) * batch,
							    benchmark::Counter::kIsRate);
	return true;
}

// A state database in a fresh directory on the disk (not tmpfs: the fsync
// is part of the cost), holding every binding of the cache.
class BenchDatabase {
public:
	BenchDatabase(const Cache &cache, unsigned n)
	{
		char pattern[] = "/var/tmp/dlif-state-bench-XXXXXX";
		if (mkdtemp(pattern) != nullptr)
			directory_ = pattern;
		database_ = std::make_unique<daemon::StateDatabase>(directory_, "cmd");
		ok_ = !directory_.empty() && database_->commit(every_binding(cache, n)).has_value();
	}
	~BenchDatabase()
	{
		database_.reset();
		if (!directory_.empty())
			std::filesystem::remove_all(directory_);
	}
	BenchDatabase(const BenchDatabase &) = delete;
	BenchDatabase &operator=(const BenchDatabase &) = delete;

	bool ok() const { return ok_; }
	daemon::StateDatabase &database() { return *database_; }
	std::uintmax_t bytes() const
	{
		std::uintmax_t total = 0;
		for (const auto &entry : std::filesystem::directory_iterator(directory_))
			total += entry.file_size();
		return total;
	}

private:
	std::string directory_;
	std::unique_ptr<daemon::StateDatabase> database_;
	bool ok_ = false;
};

void StateCommit(benchmark::State &state)
{
	const auto n = static_cast<unsigned>(state.range(0));
	const auto batch = static_cast<unsigned>(state.range(1));
	Cache cache;
	fill(cache, n);
	BenchDatabase db(cache, n);
	if (!db.ok()) {
		state.SkipWithError("cannot create the state database");
		return;
	}
	if (!commit_random_batches(state, cache, n, batch,
				   [&](const daemon::StateChanges &changes) { return db.database().commit(changes); }))
		return;
	state.counters["file_bytes_per_binding"] = static_cast<double>(db.bytes()) / n;
}
BENCHMARK(StateCommit)
	->Args({1000, 1})
	->Args({1000, 64})
	->Args({10000, 1})
	->Args({10000, 64})
	->Args({100000, 1})
	->Args({100000, 64})
	->Args({1000000, 1})
	->Args({1000000, 64})
	->Unit(benchmark::kMicrosecond)
	->UseRealTime();

// One etcd for every EtcdCommit run of the program, started on first use.
tools::EtcdServer &etcd_server()
{
	static tools::EtcdServer server;
	return server;
}

// As StateCommit, to the store of a leading CMD in etcd: each commit is one
// transaction guarded by the leader key (several past 100 operations, as
// etcd's default --max-txn-ops asks), over HTTP to the v3 JSON gateway.
void EtcdCommit(benchmark::State &state)
{
	const auto n = static_cast<unsigned>(state.range(0));
	const auto batch = static_cast<unsigned>(state.range(1));
	if (!tools::EtcdServer::installed()) {
		state.SkipWithError("etcd is not installed (scripts/deps.sh installs etcd-server)");
		return;
	}
	tools::EtcdServer &server = etcd_server();
	if (!server.running()) {
		state.SkipWithError(("etcd did not start: see " + server.directory() + "/etcd.log").c_str());
		return;
	}
	// Each run its own prefix: a repetition does not meet the lease of the
	// one before.
	static unsigned runs = 0;
	daemon::EtcdStore store({{server.endpoint()},
				 "/bench/" + std::to_string(++runs) + "/",
				 "bench",
				 std::chrono::seconds(60),
				 std::chrono::milliseconds(5000),
				 {}});
	const auto led = store.campaign();
	if (!led || !*led) {
		state.SkipWithError("cannot lead in etcd");
		return;
	}
	Cache cache;
	fill(cache, n);
	if (!store.commit(every_binding(cache, n))) {
		state.SkipWithError("cannot store the bindings in etcd");
		return;
	}
	commit_random_batches(state, cache, n, batch,
			      [&](const daemon::StateChanges &changes) { return store.commit(changes); });
	store.resign();
}
BENCHMARK(EtcdCommit)
	->Args({1000, 1})
	->Args({1000, 64})
	->Args({10000, 1})
	->Args({10000, 64})
	->Unit(benchmark::kMicrosecond)
	->UseRealTime();

void StateRestore(benchmark::State &state)
{
	const auto n = static_cast<unsigned>(state.range(0));
	std::optional<BenchDatabase> db;
	{
		Cache cache;
		fill(cache, n);
		db.emplace(cache, n);
	}
	if (!db->ok()) {
		state.SkipWithError("cannot create the state database");
		return;
	}
	for (auto _ : state) {
		auto loaded = db->database().load();
		cmd::CmdCore core(config());
		if (!loaded || !*loaded || !core.restore((*loaded)->header, (*loaded)->records, dmm::TimePoint{})) {
			state.SkipWithError("the restore failed");
			return;
		}
		if (core.binding_count() != n)
			state.SkipWithError("bindings missing after the restore");
	}
}
BENCHMARK(StateRestore)->Arg(100000)->Arg(1000000)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(InitialPbu)->Arg(1000)->Arg(100000)->Unit(benchmark::kNanosecond);

} // namespace

BENCHMARK_MAIN();
