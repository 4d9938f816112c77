// SPDX-License-Identifier: GPL-2.0
//
// The daemon's sockets, each an owned, non-blocking fd:
//   MhSocket      raw IPPROTO_MH bound to the node's address; the kernel
//                 computes and verifies the MH checksum (R155);
//                 IPV6_PKTINFO tells the destination of what arrives.
//   NdSocket      raw ICMPv6 that lets in only Router and Neighbor
//                 Solicitations and Neighbor Advertisements (ICMP6_FILTER),
//                 with the receiving DLIF's ifindex, and sends the NA for
//                 the CMD's address on the core. What dlifd sends on a
//                 DLIF (each DLIF's RA from its link-local address to
//                 ff02::1, which the DLIF unicasts at layer 2, and the
//                 liveness probes, NSs to a node's address) leaves
//                 through an AF_PACKET datagram socket, the IPv6 header
//                 built here: thousands of DLIFs' link-local routes make
//                 the route lookup of the raw socket's path the largest
//                 cost of an RA (Documentation/performance.rst).
//   PacketSocket  AF_PACKET on one access interface with a BPF filter for
//                 Router Solicitations: the Ethernet source names a new
//                 node even when its IPv6 source is unspecified.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dlif/dmm/types.hpp"
#include "dlif/nl/result.hpp"
#include "dlif/unique_fd.hpp"

namespace dlif::daemon {

class MhSocket {
public:
	static nl::Result<MhSocket> open(const Ipv6Address &address);
	int fd() const noexcept { return fd_.get(); }

	struct Datagram {
		Ipv6Address source;
		Ipv6Address destination;
		std::span<const std::uint8_t> bytes;	// valid until the next receive
	};
	// nullopt when nothing is waiting.
	nl::Result<std::optional<Datagram>> receive();
	nl::Status send(const Ipv6Address &destination, std::span<const std::uint8_t> bytes);

private:
	explicit MhSocket(UniqueFd fd) : fd_(std::move(fd)), buffer_(65536) {}
	UniqueFd fd_;
	std::vector<std::uint8_t> buffer_;
};

class NdSocket {
public:
	static nl::Result<NdSocket> open();
	int fd() const noexcept { return fd_.get(); }

	struct Solicitation {
		std::uint32_t ifindex = 0;
		Ipv6Address source;
		int hop_limit = -1;
		// RS, or NS / NA (a node's own neighbour traffic, which says
		// it is still there: liveness.hpp).
		std::span<const std::uint8_t> icmp;	// valid until the next receive
	};
	nl::Result<std::optional<Solicitation>> receive();
	// A DLIF's RA, to all nodes; on a DLIF shared by several nodes, to
	// `node` (the frame's destination MAC names it).
	nl::Status send_advertisement(std::uint32_t ifindex, const Ipv6Address &source,
				      std::span<const std::uint8_t> advertisement,
				      const std::optional<MacAddress> &node = std::nullopt);
	// A Neighbor Solicitation from `source` to `target` (the node
	// `node`'s address), on the DLIF.
	nl::Status send_solicitation(std::uint32_t ifindex, const Ipv6Address &source, const Ipv6Address &target,
				     const MacAddress &node, std::span<const std::uint8_t> solicitation);
	// A Neighbor Advertisement to all nodes on the link (any link).
	nl::Status send_neighbor_advertisement(std::uint32_t ifindex, const Ipv6Address &source,
					       std::span<const std::uint8_t> advertisement);

private:
	NdSocket(UniqueFd fd, UniqueFd link_fd) : fd_(std::move(fd)), link_fd_(std::move(link_fd)), buffer_(2048) {}
	nl::Status send_to(std::uint32_t ifindex, const Ipv6Address &source, const in6_addr &destination,
			   std::span<const std::uint8_t> message, const char *what);
	nl::Status send_on_dlif(std::uint32_t ifindex, const Ipv6Address &source, const Ipv6Address &destination,
				const MacAddress &link_destination, std::span<const std::uint8_t> message,
				const char *what);
	UniqueFd fd_;
	UniqueFd link_fd_;	// AF_PACKET, SOCK_DGRAM, protocol 0: sends only
	std::vector<std::uint8_t> buffer_;
};

class PacketSocket {
public:
	static nl::Result<PacketSocket> open(const std::string &interface);
	int fd() const noexcept { return fd_.get(); }
	const std::string &interface() const noexcept { return interface_; }

	nl::Result<std::optional<std::span<const std::uint8_t>>> receive();

private:
	PacketSocket(UniqueFd fd, std::string interface, unsigned ifindex)
		: fd_(std::move(fd)), interface_(std::move(interface)), ifindex_(ifindex), buffer_(2048)
	{
	}
	UniqueFd fd_;
	std::string interface_;
	unsigned ifindex_;
	std::vector<std::uint8_t> buffer_;
};

} // namespace dlif::daemon
