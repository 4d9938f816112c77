// SPDX-License-Identifier: GPL-2.0
//
// The access link's packet socket hears its own interface only, from the
// moment it exists: Router Solicitations flooding another interface of
// the namespace while the socket is opened (over and over) never reach
// it. Regression test for stray RSs from the core becoming "nodes" of an
// access link. Runs in a private network namespace with two veth pairs;
// skipped where that cannot be made (not root, no netns).
#include <gtest/gtest.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <fcntl.h>
#include <thread>

#include "../../daemon/sockets.hpp"

namespace dlif::daemon {
namespace {

// An Ethernet frame with an IPv6 Router Solicitation, as the socket's
// filter recognises it (Ethertype, next header, ICMPv6 type).
std::array<std::uint8_t, 14 + 40 + 8> router_solicitation()
{
	std::array<std::uint8_t, 14 + 40 + 8> frame{};
	const std::uint8_t head[] = {0x33, 0x33, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 0x66, 0x86, 0xdd};
	std::copy(std::begin(head), std::end(head), frame.begin());
	std::uint8_t *ip = frame.data() + 14;
	ip[0] = 0x60;
	ip[5] = 8;	// payload length
	ip[6] = 58;	// ICMPv6
	ip[7] = 255;
	ip[8] = 0xfe;
	ip[9] = 0x80;
	ip[23] = 0x66;
	ip[24] = 0xff;
	ip[25] = 0x02;
	ip[39] = 2;
	ip[40] = 133;	// Router Solicitation
	return frame;
}

bool run(const char *command)
{
	return std::system(command) == 0;
}

TEST(PacketSocket, HearsNothingFromOtherInterfacesEvenWhileOpening)
{
	if (geteuid() != 0)
		GTEST_SKIP() << "needs root for a network namespace";
	// Namespaces are per thread: this test's thread gets its own, the
	// rest of the test binary stays where it was.
	std::string skipped;
	std::thread([&] {
		if (unshare(CLONE_NEWNET) != 0) {
			skipped = "cannot unshare the network namespace";
			return;
		}
		if (!run("ip link add acc type veth peer name acc-peer && "
			 "ip link add core type veth peer name core-peer && "
			 "for d in acc acc-peer core core-peer; do ip link set $d up || exit 1; done")) {
			skipped = "cannot make veth pairs";
			return;
		}
		const int sender = ::socket(AF_PACKET, SOCK_RAW, 0);
		ASSERT_GE(sender, 0);
		sockaddr_ll to{};
		to.sll_family = AF_PACKET;
		to.sll_ifindex = static_cast<int>(if_nametoindex("core-peer"));
		to.sll_halen = ETH_ALEN;
		const auto frame = router_solicitation();
		std::atomic<bool> stop{false};
		std::atomic<unsigned long> sent{0};
		// Solicitations arrive on "core" as fast as they can be sent.
		std::thread flood([&] {
			while (!stop.load(std::memory_order_relaxed))
				if (::sendto(sender, frame.data(), frame.size(), 0,
					     reinterpret_cast<const sockaddr *>(&to), sizeof(to)) > 0)
					sent.fetch_add(1, std::memory_order_relaxed);
		});
		unsigned heard = 0;
		for (int i = 0; i < 300; ++i) {
			auto socket = PacketSocket::open("acc");
			ASSERT_TRUE(socket) << socket.error().describe();
			for (;;) {
				auto received = socket->receive();
				ASSERT_TRUE(received);
				if (!*received)
					break;
				++heard;
			}
		}
		stop = true;
		flood.join();
		::close(sender);
		EXPECT_GT(sent.load(), 0u) << "the flood sent nothing: the test proves nothing";
		EXPECT_EQ(heard, 0u) << "frames from another interface reached the access socket";
	}).join();
	if (!skipped.empty())
		GTEST_SKIP() << skipped;
}

} // namespace
} // namespace dlif::daemon
