// SPDX-License-Identifier: GPL-2.0
//
// ctlbench: the control-plane benchmark of the dlif table (make bench-vm):
// how long installing and removing N entries takes through the generic
// netlink family, pipelined, with K entries per request (K = 1: one
// request each, as a daemon reacting to one handover sends them).
//
// usage: ctlbench DLIF N [K...]
//   For each K: install N serving entries (prefix i is gen6's), remove
//   them, and print
//     ctl N K install MICROSECONDS_PER_ENTRY remove MICROSECONDS_PER_ENTRY

#include <net/if.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "dlif/nl/dlif_client.hpp"
#include "dlif/nl/dlif_codec.hpp"
#include "dlif/nl/transaction.hpp"

namespace {

using namespace dlif::nl;
using dlif::Ipv6Address;
using dlif::Ipv6Prefix;

Ipv6Prefix prefix_of(unsigned i)
{
	const Ipv6Address::Bytes bytes{0x20, 0x01, 0x0d, 0xb8, static_cast<uint8_t>(i >> 24),
				       static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
				       static_cast<uint8_t>(i)};
	return *Ipv6Prefix::make(Ipv6Address{bytes}, 64);
}

// Applies `kind` to every entry, `per_request` entries per request, all
// pipelined; returns the seconds taken, or a negative number on failure.
double run(DlifClient &client, EntryOpKind kind, const std::vector<Entry> &entries,
	   std::size_t per_request)
{
	std::size_t failures = 0;
	Pipeline pipeline(client.socket(), [&failures](uint64_t tag, const Error &error) {
		if (failures++ == 0)
			std::fprintf(stderr, "ctlbench: request %llu refused: %s\n",
				     static_cast<unsigned long long>(tag), error.describe().c_str());
	});
	const uint16_t family = client.family().id;
	const auto start = std::chrono::steady_clock::now();
	for (std::size_t first = 0; first < entries.size(); first += per_request) {
		const std::size_t count = std::min(per_request, entries.size() - first);
		const std::span<const Entry> chunk(entries.data() + first, count);
		auto status = pipeline.add(first, [&](std::span<std::byte> space, uint32_t seq) {
			return encode_entry_ops(space, {family, seq}, kind, chunk);
		});
		if (!status) {
			std::fprintf(stderr, "ctlbench: %s\n", status.error().describe().c_str());
			return -1;
		}
	}
	if (auto status = pipeline.flush(); !status) {
		std::fprintf(stderr, "ctlbench: %s\n", status.error().describe().c_str());
		return -1;
	}
	const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
	return failures ? -1 : elapsed.count();
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 3) {
		std::fprintf(stderr, "usage: ctlbench DLIF N [K...]\n");
		return 2;
	}
	const unsigned ifindex = if_nametoindex(argv[1]);
	const auto n = static_cast<unsigned>(std::strtoul(argv[2], nullptr, 0));
	if (!ifindex || !n) {
		std::fprintf(stderr, "ctlbench: no such DLIF or no entries\n");
		return 2;
	}
	std::vector<std::size_t> per_request;
	for (int i = 3; i < argc; i++)
		per_request.push_back(std::strtoul(argv[i], nullptr, 0));
	if (per_request.empty())
		per_request.push_back(1);

	auto client = DlifClient::open();
	if (!client) {
		std::fprintf(stderr, "ctlbench: %s\n", client.error().describe().c_str());
		return 1;
	}
	std::vector<Entry> entries(n);
	const Ipv6Address peer{{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
	for (unsigned i = 0; i < n; i++) {
		entries[i].prefix = prefix_of(i);
		entries[i].role = Role::serving;
		entries[i].peer = peer;
		entries[i].ifindex = ifindex;
	}
	for (std::size_t k : per_request) {
		if (!k)
			continue;
		const double install = run(*client, EntryOpKind::add, entries, k);
		const double remove = run(*client, EntryOpKind::remove, entries, k);
		if (install < 0 || remove < 0)
			return 1;
		std::printf("ctl %u %zu install %.2f remove %.2f\n", n, k, install * 1e6 / n,
			    remove * 1e6 / n);
		std::fflush(stdout);
	}
	return 0;
}
