// SPDX-License-Identifier: GPL-2.0
//
// gen6: the traffic generator of the data-plane benchmark (make bench-vm).
// pktgen cannot vary IPv6 source addresses, and the serving MAAR selects by
// source, so this sends pre-built small UDP frames whose source (or
// destination) walks over N prefixes, from AF_PACKET sockets with
// sendmmsg, to several interfaces in turn: interleaved slices, one per
// set-up, so that the set-ups are compared under the same host conditions.
//
// usage: gen6 --vary src|dst --prefixes N --fixed ADDR [--slice S]
//             [--cycles C] [--warmup S] IFACE=DSTMAC[/SRCMAC] ...
//
// Prefix i (0 <= i < N) is 2001:db8:<i / 65536>:<i % 65536>::/64 and the
// varying address is its ::1. For each cycle, each interface (starting one
// further each cycle) sends for one slice; a line per slice:
//   slice CYCLE IFACE PACKETS NANOSECONDS

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "dlif/unique_fd.hpp"

namespace {

constexpr std::size_t kPayload = 18;	// 66-byte IPv6 packets, as the baseline
constexpr std::size_t kFrame = 14 + 40 + 8 + kPayload;
constexpr unsigned kBatch = 32;

using Mac = std::array<std::uint8_t, 6>;
using Frame = std::array<std::uint8_t, kFrame>;

struct Target {
	std::string name;
	Mac dst{};
	std::optional<Mac> src;
	int fd = -1;
	int ifindex = 0;
	std::vector<Frame> frames;
};

std::optional<Mac> parse_mac(std::string_view text)
{
	Mac mac{};
	unsigned b[6];
	if (std::sscanf(std::string(text).c_str(), "%x:%x:%x:%x:%x:%x",
			&b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return std::nullopt;
	for (int i = 0; i < 6; i++)
		mac[i] = static_cast<std::uint8_t>(b[i]);
	return mac;
}

in6_addr prefix_address(unsigned i)
{
	in6_addr a{};
	const std::uint8_t bytes[16] = {0x20, 0x01, 0x0d, 0xb8,
		static_cast<std::uint8_t>(i >> 24), static_cast<std::uint8_t>(i >> 16),
		static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i),
		0, 0, 0, 0, 0, 0, 0, 1};
	std::memcpy(&a, bytes, 16);
	return a;
}

std::uint16_t udp_checksum(const in6_addr &src, const in6_addr &dst, const std::uint8_t *udp,
			   std::size_t len)
{
	std::uint32_t sum = 0;
	auto add = [&sum](const std::uint8_t *p, std::size_t n) {
		for (std::size_t i = 0; i + 1 < n; i += 2)
			sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
		if (n & 1)
			sum += static_cast<std::uint32_t>(p[n - 1] << 8);
	};
	add(reinterpret_cast<const std::uint8_t *>(&src), 16);
	add(reinterpret_cast<const std::uint8_t *>(&dst), 16);
	sum += static_cast<std::uint32_t>(len);
	sum += IPPROTO_UDP;
	add(udp, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	const auto folded = static_cast<std::uint16_t>(~sum);
	return folded ? folded : 0xffff;
}

Frame build_frame(const Mac &dst, const Mac &src, const in6_addr &saddr, const in6_addr &daddr)
{
	Frame f{};
	std::memcpy(&f[0], dst.data(), 6);
	std::memcpy(&f[6], src.data(), 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	std::uint8_t *ip = &f[14];
	ip[0] = 0x60;
	const std::uint16_t plen = 8 + kPayload;
	ip[4] = plen >> 8;
	ip[5] = plen & 0xff;
	ip[6] = IPPROTO_UDP;
	ip[7] = 64;
	std::memcpy(ip + 8, &saddr, 16);
	std::memcpy(ip + 24, &daddr, 16);
	std::uint8_t *udp = ip + 40;
	udp[0] = 1024 >> 8;
	udp[1] = 1024 & 0xff;
	udp[2] = 0;
	udp[3] = 9;	// discard
	udp[4] = plen >> 8;
	udp[5] = plen & 0xff;
	for (std::size_t i = 0; i < kPayload; i++)
		udp[8 + i] = static_cast<std::uint8_t>('a' + i);
	const std::uint16_t csum = udp_checksum(saddr, daddr, udp, plen);
	udp[6] = static_cast<std::uint8_t>(csum >> 8);
	udp[7] = static_cast<std::uint8_t>(csum & 0xff);
	return f;
}

double seconds_arg(const char *text)
{
	return std::strtod(text, nullptr);
}

int usage()
{
	std::fprintf(stderr, "usage: gen6 --vary src|dst --prefixes N --fixed ADDR [--slice S] "
			     "[--cycles C] [--warmup S] IFACE=DSTMAC[/SRCMAC] ...\n");
	return 2;
}

// Sends the target's frames in a loop for `seconds`; returns the count.
std::uint64_t send_for(Target &t, double seconds, std::size_t &cursor)
{
	using clock = std::chrono::steady_clock;
	std::array<iovec, kBatch> iov{};
	std::array<mmsghdr, kBatch> msgs{};
	sockaddr_ll addr{};
	addr.sll_family = AF_PACKET;
	addr.sll_ifindex = t.ifindex;
	addr.sll_halen = 6;
	std::memcpy(addr.sll_addr, t.dst.data(), 6);
	const auto end = clock::now() + std::chrono::duration<double>(seconds);
	std::uint64_t sent = 0;
	while (clock::now() < end) {
		for (unsigned i = 0; i < kBatch; i++) {
			Frame &f = t.frames[cursor];
			cursor = (cursor + 1) % t.frames.size();
			iov[i] = {f.data(), f.size()};
			msgs[i] = {};
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &addr;
			msgs[i].msg_hdr.msg_namelen = sizeof(addr);
		}
		const int n = sendmmsg(t.fd, msgs.data(), kBatch, 0);
		if (n > 0)
			sent += static_cast<std::uint64_t>(n);
	}
	return sent;
}

} // namespace

int main(int argc, char **argv)
{
	std::string vary;
	unsigned prefixes = 0;
	in6_addr fixed{};
	bool have_fixed = false;
	double slice = 0.5, warmup = 0.2;
	unsigned cycles = 16;
	std::vector<Target> targets;

	for (int i = 1; i < argc; i++) {
		const std::string_view arg = argv[i];
		const bool has_value = i + 1 < argc;
		if (arg == "--vary" && has_value) {
			vary = argv[++i];
		} else if (arg == "--prefixes" && has_value) {
			prefixes = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 0));
		} else if (arg == "--fixed" && has_value) {
			have_fixed = inet_pton(AF_INET6, argv[++i], &fixed) == 1;
		} else if (arg == "--slice" && has_value) {
			slice = seconds_arg(argv[++i]);
		} else if (arg == "--cycles" && has_value) {
			cycles = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 0));
		} else if (arg == "--warmup" && has_value) {
			warmup = seconds_arg(argv[++i]);
		} else if (const auto eq = arg.find('='); eq != std::string_view::npos) {
			Target t;
			t.name = std::string(arg.substr(0, eq));
			const auto macs = arg.substr(eq + 1);
			const auto slash = macs.find('/');
			const auto dst = parse_mac(macs.substr(0, slash));
			if (!dst)
				return usage();
			t.dst = *dst;
			if (slash != std::string_view::npos) {
				t.src = parse_mac(macs.substr(slash + 1));
				if (!t.src)
					return usage();
			}
			targets.push_back(std::move(t));
		} else {
			return usage();
		}
	}
	if ((vary != "src" && vary != "dst") || !prefixes || !have_fixed || targets.empty())
		return usage();

	std::vector<dlif::UniqueFd> fds;
	std::mt19937 rng(42);
	std::vector<unsigned> order(prefixes);
	for (unsigned i = 0; i < prefixes; i++)
		order[i] = i;
	std::shuffle(order.begin(), order.end(), rng);

	for (auto &t : targets) {
		t.ifindex = static_cast<int>(if_nametoindex(t.name.c_str()));
		if (!t.ifindex) {
			std::fprintf(stderr, "gen6: no interface %s\n", t.name.c_str());
			return 1;
		}
		fds.emplace_back(socket(AF_PACKET, SOCK_RAW, 0));
		t.fd = fds.back().get();
		if (t.fd < 0) {
			std::perror("gen6: socket");
			return 1;
		}
		const int one = 1;
		setsockopt(t.fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
		Mac src{};
		if (t.src) {
			src = *t.src;
		} else {
			char path[64];
			std::snprintf(path, sizeof(path), "/sys/class/net/%s/address", t.name.c_str());
			if (FILE *f = std::fopen(path, "r")) {
				char text[32] = {};
				if (std::fgets(text, sizeof(text), f))
					src = parse_mac(text).value_or(Mac{});
				std::fclose(f);
			}
		}
		t.frames.reserve(prefixes);
		for (unsigned i : order) {
			const in6_addr varying = prefix_address(i);
			t.frames.push_back(vary == "src" ? build_frame(t.dst, src, varying, fixed)
							 : build_frame(t.dst, src, fixed, varying));
		}
	}

	std::vector<std::size_t> cursors(targets.size(), 0);
	for (std::size_t t = 0; t < targets.size(); t++)
		send_for(targets[t], warmup, cursors[t]);
	for (unsigned c = 0; c < cycles; c++) {
		for (std::size_t k = 0; k < targets.size(); k++) {
			const std::size_t t = (k + c) % targets.size();
			const auto start = std::chrono::steady_clock::now();
			const std::uint64_t sent = send_for(targets[t], slice, cursors[t]);
			const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
				std::chrono::steady_clock::now() - start).count();
			std::printf("slice %u %s %llu %lld\n", c, targets[t].name.c_str(),
				    static_cast<unsigned long long>(sent), static_cast<long long>(ns));
			std::fflush(stdout);
		}
	}
	return 0;
}
