// SPDX-License-Identifier: GPL-2.0
#include "sockets.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "dlif/nd/nd.hpp"

#ifndef IPPROTO_MH
#define IPPROTO_MH 135
#endif
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

namespace dlif::daemon {

namespace {

// RFC 4291 §2.7.1: all nodes and all routers on the link.
constexpr Ipv6Address kAllNodes{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
constexpr Ipv6Address kAllRouters{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}};

nl::Error system_error(const std::string &what)
{
	const int code = errno;
	return nl::make_error(code, what + ": " + std::strerror(code));
}

in6_addr to_in6(const Ipv6Address &address)
{
	in6_addr out{};
	std::memcpy(out.s6_addr, address.bytes.data(), 16);
	return out;
}

Ipv6Address from_in6(const in6_addr &address)
{
	Ipv6Address out;
	std::memcpy(out.bytes.data(), address.s6_addr, 16);
	return out;
}

bool set_int(int fd, int level, int option, int value)
{
	return setsockopt(fd, level, option, &value, sizeof(value)) == 0;
}

bool would_block()
{
	return errno == EAGAIN || errno == EWOULDBLOCK;
}

// One datagram from a non-blocking IPv6 raw socket into buffer: its length,
// nullopt when none is waiting. Each IPPROTO_IPV6 control message (packet
// info, hop limit) is handed to on_control.
template <class OnControl>
nl::Result<std::optional<std::size_t>> receive_datagram(int fd, std::vector<std::uint8_t> &buffer, sockaddr_in6 &from,
							 const char *what, OnControl on_control)
{
	for (;;) {
		alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
		iovec iov{buffer.data(), buffer.size()};
		msghdr msg{};
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		const ssize_t n = ::recvmsg(fd, &msg, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (would_block())
				return std::optional<std::size_t>();
			return system_error(what);
		}
		for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == IPPROTO_IPV6)
				on_control(*c);
		return std::optional<std::size_t>(static_cast<std::size_t>(n));
	}
}

in6_pktinfo packet_info(const cmsghdr &control)
{
	in6_pktinfo info;
	std::memcpy(&info, CMSG_DATA(&control), sizeof(info));
	return info;
}

} // namespace

nl::Result<MhSocket> MhSocket::open(const Ipv6Address &address)
{
	UniqueFd fd(::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_MH));
	if (!fd)
		return system_error("cannot open a raw IPPROTO_MH socket");
	if (!set_int(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, 1))
		return system_error("IPV6_RECVPKTINFO");
	// The address may still be tentative (DAD) or not yet configured
	// when the daemon starts: bind anyway, the kernel delivers once it is.
	set_int(fd.get(), IPPROTO_IPV6, IPV6_FREEBIND, 1);
	// Signalling comes in bursts (a CMD updating the previous MAARs of
	// many nodes, their retransmissions) while the event loop may be busy
	// setting up DLIFs: room for thousands of messages rather than the
	// default couple of hundred, beyond net.core.rmem_max when privileged.
	const int receive_bytes = 4 << 20;
	if (!set_int(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, receive_bytes))
		set_int(fd.get(), SOL_SOCKET, SO_RCVBUF, receive_bytes);
	sockaddr_in6 local{};
	local.sin6_family = AF_INET6;
	local.sin6_addr = to_in6(address);
	if (::bind(fd.get(), reinterpret_cast<const sockaddr *>(&local), sizeof(local)) < 0)
		return system_error("cannot bind the MH socket to " + address.to_string());
	return MhSocket(std::move(fd));
}

nl::Result<std::optional<MhSocket::Datagram>> MhSocket::receive()
{
	sockaddr_in6 from{};
	Datagram datagram;
	auto received = receive_datagram(fd_.get(), buffer_, from, "MH receive", [&](const cmsghdr &c) {
		if (c.cmsg_type == IPV6_PKTINFO)
			datagram.destination = from_in6(packet_info(c).ipi6_addr);
	});
	if (!received)
		return received.error();
	if (!*received)
		return std::optional<Datagram>();
	datagram.source = from_in6(from.sin6_addr);
	datagram.bytes = std::span<const std::uint8_t>(buffer_.data(), **received);
	return std::optional<Datagram>(datagram);
}

nl::Status MhSocket::send(const Ipv6Address &destination, std::span<const std::uint8_t> bytes)
{
	sockaddr_in6 to{};
	to.sin6_family = AF_INET6;
	to.sin6_addr = to_in6(destination);
	for (;;) {
		if (::sendto(fd_.get(), bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr *>(&to), sizeof(to)) >= 0)
			return {};
		if (errno != EINTR)
			return system_error("MH send to " + destination.to_string());
	}
}

nl::Result<NdSocket> NdSocket::open()
{
	UniqueFd fd(::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6));
	if (!fd)
		return system_error("cannot open a raw ICMPv6 socket");
	icmp6_filter filter;
	ICMP6_FILTER_SETBLOCKALL(&filter);
	ICMP6_FILTER_SETPASS(nd::kIcmpv6RouterSolicitation, &filter);
	ICMP6_FILTER_SETPASS(nd::kIcmpv6NeighborSolicitation, &filter);
	ICMP6_FILTER_SETPASS(nd::kIcmpv6NeighborAdvertisement, &filter);
	if (setsockopt(fd.get(), IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter)) < 0)
		return system_error("ICMP6_FILTER");
	if (!set_int(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) ||
	    !set_int(fd.get(), IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1))
		return system_error("IPV6_RECVPKTINFO");
	// RFC 4861 §6.1.2: hosts drop RAs whose hop limit is not 255.
	if (!set_int(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, nd::kNdHopLimit) ||
	    !set_int(fd.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, nd::kNdHopLimit))
		return system_error("IPV6_MULTICAST_HOPS");
	set_int(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0);
	// Protocol 0: it never receives; each send names ETH_P_IPV6.
	UniqueFd link_fd(::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (!link_fd)
		return system_error("cannot open an AF_PACKET socket for ND on the DLIFs");
	return NdSocket(std::move(fd), std::move(link_fd));
}

nl::Result<std::optional<NdSocket::Solicitation>> NdSocket::receive()
{
	sockaddr_in6 from{};
	Solicitation solicitation;
	auto received = receive_datagram(fd_.get(), buffer_, from, "ICMPv6 receive", [&](const cmsghdr &c) {
		if (c.cmsg_type == IPV6_PKTINFO)
			solicitation.ifindex = static_cast<std::uint32_t>(packet_info(c).ipi6_ifindex);
		else if (c.cmsg_type == IPV6_HOPLIMIT)
			std::memcpy(&solicitation.hop_limit, CMSG_DATA(&c), sizeof(int));
	});
	if (!received)
		return received.error();
	if (!*received)
		return std::optional<Solicitation>();
	solicitation.source = from_in6(from.sin6_addr);
	solicitation.icmp = std::span<const std::uint8_t>(buffer_.data(), **received);
	return std::optional<Solicitation>(solicitation);
}

nl::Status NdSocket::send_advertisement(std::uint32_t ifindex, const Ipv6Address &source,
					std::span<const std::uint8_t> advertisement,
					const std::optional<MacAddress> &node)
{
	return send_on_dlif(ifindex, source, kAllNodes, node.value_or(MacAddress::for_multicast(kAllNodes)),
			    advertisement, "RA send");
}

nl::Status NdSocket::send_solicitation(std::uint32_t ifindex, const Ipv6Address &source, const Ipv6Address &target,
				       const MacAddress &node, std::span<const std::uint8_t> solicitation)
{
	return send_on_dlif(ifindex, source, target, target.is_multicast() ? MacAddress::for_multicast(target) : node,
			    solicitation, "NS send");
}

// What the raw socket's path would have built, without its route lookup:
// hop limit 255 (RFC 4861 §6.1.2, §7.1.1), the checksum over the pseudo
// header. Through the DLIF's own transmit, so that its qdisc, tc and
// netfilter egress hooks and taps see it; ip6tables' OUTPUT chain does
// not (a packet socket's sends never do).
nl::Status NdSocket::send_on_dlif(std::uint32_t ifindex, const Ipv6Address &source, const Ipv6Address &destination,
				  const MacAddress &link_destination, std::span<const std::uint8_t> message,
				  const char *what)
{
	const auto packet = nd::icmpv6_packet(source, destination, nd::kNdHopLimit, message);
	sockaddr_ll to{};
	to.sll_family = AF_PACKET;
	to.sll_protocol = htons(ETH_P_IPV6);
	to.sll_ifindex = static_cast<int>(ifindex);
	to.sll_halen = MacAddress::size;
	std::memcpy(to.sll_addr, link_destination.bytes.data(), MacAddress::size);
	for (;;) {
		if (::sendto(link_fd_.get(), packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr *>(&to),
			     sizeof(to)) >= 0)
			return {};
		if (errno != EINTR)
			return system_error(what);
	}
}

nl::Status NdSocket::send_neighbor_advertisement(std::uint32_t ifindex, const Ipv6Address &source,
						std::span<const std::uint8_t> advertisement)
{
	return send_to(ifindex, source, to_in6(kAllNodes), advertisement, "NA send");
}

nl::Status NdSocket::send_to(std::uint32_t ifindex, const Ipv6Address &source, const in6_addr &destination,
			     std::span<const std::uint8_t> message, const char *what)
{
	sockaddr_in6 to{};
	to.sin6_family = AF_INET6;
	to.sin6_addr = destination;
	to.sin6_scope_id = ifindex;
	alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
	iovec iov{const_cast<std::uint8_t *>(message.data()), message.size()};
	msghdr msg{};
	msg.msg_name = &to;
	msg.msg_namelen = sizeof(to);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control;
	msg.msg_controllen = sizeof(control);
	cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
	in6_pktinfo info{};
	info.ipi6_addr = to_in6(source);
	info.ipi6_ifindex = ifindex;
	std::memcpy(CMSG_DATA(c), &info, sizeof(info));
	for (;;) {
		if (::sendmsg(fd_.get(), &msg, 0) >= 0)
			return {};
		if (errno != EINTR)
			return system_error(what);
	}
}

nl::Result<PacketSocket> PacketSocket::open(const std::string &interface)
{
	const unsigned ifindex = if_nametoindex(interface.c_str());
	if (ifindex == 0)
		return system_error("access interface " + interface);
	// Protocol 0: the socket receives nothing until bind() names the
	// protocol and the interface. A socket opened with ETH_P_IPV6 would
	// queue frames from every interface of the namespace until bind(),
	// and an RS heard on the core in that window would be taken for a
	// node attaching to this access link.
	UniqueFd fd(::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (!fd)
		return system_error("cannot open an AF_PACKET socket");
	auto program = nd::router_solicitation_filter();
	sock_fprog fprog{static_cast<unsigned short>(program.size()), program.data()};
	if (setsockopt(fd.get(), SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)) < 0)
		return system_error("SO_ATTACH_FILTER");
	set_int(fd.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, 1);
	// A node's frame that dlif.ko handed to one of its DLIFs comes here
	// too, named by the DLIF unless the socket asks for the device it
	// arrived on: the access interface.
	set_int(fd.get(), SOL_PACKET, PACKET_ORIGDEV, 1);
	sockaddr_ll address{};
	address.sll_family = AF_PACKET;
	address.sll_protocol = htons(ETH_P_IPV6);
	address.sll_ifindex = static_cast<int>(ifindex);
	if (::bind(fd.get(), reinterpret_cast<const sockaddr *>(&address), sizeof(address)) < 0)
		return system_error("cannot bind to " + interface);
	// RSs go to ff02::2 (33:33:00:00:00:02): make sure the NIC lets that
	// group in even when no router role on the device joined it.
	packet_mreq membership{};
	membership.mr_ifindex = static_cast<int>(ifindex);
	membership.mr_type = PACKET_MR_MULTICAST;
	membership.mr_alen = MacAddress::size;
	std::memcpy(membership.mr_address, MacAddress::for_multicast(kAllRouters).bytes.data(), MacAddress::size);
	setsockopt(fd.get(), SOL_PACKET, PACKET_ADD_MEMBERSHIP, &membership, sizeof(membership));
	return PacketSocket(std::move(fd), interface, ifindex);
}

nl::Result<std::optional<std::span<const std::uint8_t>>> PacketSocket::receive()
{
	for (;;) {
		sockaddr_ll from{};
		socklen_t from_len = sizeof(from);
		const ssize_t n = ::recvfrom(fd_.get(), buffer_.data(), buffer_.size(), 0,
					     reinterpret_cast<sockaddr *>(&from), &from_len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (would_block())
				return std::optional<std::span<const std::uint8_t>>();
			return system_error("packet receive on " + interface_);
		}
		// Bound to one interface, so this holds; checked anyway because
		// a frame from another link must never become an attachment.
		if (from.sll_ifindex != static_cast<int>(ifindex_))
			continue;
		return std::optional<std::span<const std::uint8_t>>(
			std::span<const std::uint8_t>(buffer_.data(), static_cast<std::size_t>(n)));
	}
}

} // namespace dlif::daemon
