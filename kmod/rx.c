// SPDX-License-Identifier: GPL-2.0
/*
 * dlif: receive demultiplexing on the lower device, and the uplink.
 *
 * Frames from a mobile node that has DLIFs go to them (after nd.c has
 * answered those that solicit a binding's router link-local address): a
 * unicast frame to the DLIF whose binding for the node has that
 * destination as its router MAC (the DLIF's own MAC for its primary
 * binding), a multicast or broadcast frame (RS, NS, MLD) to every DLIF of
 * the node. Everything else - frames of nodes without DLIFs, such as a
 * new node's first Router Solicitation - stays on the lower device
 * untouched.
 *
 * Before a node's unicast IPv6 packet enters the stack on its DLIF, the
 * table is asked whether it leaves through a tunnel instead: a source in
 * a prefix served here but anchored elsewhere (serving role, reverse
 * tunnelling) or a destination in a network reachable only through
 * another MAAR (local-network role).
 */

#include <linux/ipv6.h>
#include <linux/rhashtable.h>
#include <net/addrconf.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>

#include "dlif.h"

/*
 * Is @src one of the prefixes of @mn's node here: does this MAAR route it
 * to a DLIF of the same node, for that node (its local prefix, or one
 * anchored here)?
 */
static bool dlif_source_is_nodes(struct net *net, const struct in6_addr *src,
				 const struct dlif_mn *mn)
{
	struct flowi6 fl6 = {
		.daddr = *src,
		.flowi6_flags = FLOWI_FLAG_ANYSRC,
	};
	const struct dlif_dev *to;
	struct dst_entry *dst;
	bool ours = false;

	dst = ip6_route_output(net, NULL, &fl6);
	if (!dst->error && netif_is_dlif(dst->dev)) {
		const struct dlif_mn *owner;

		to = netdev_priv(dst->dev);
		owner = to->port == mn->dlif->port ? dlif_routed_binding(to, src) : NULL;
		ours = owner && ether_addr_equal(owner->addr, mn->addr);
	}
	dst_release(dst);
	return ours;
}

/*
 * Should this packet from @mn's node, received on its DLIF, be tunnelled?
 * Consumes it if so. @node_entries: the serving and local-net entries
 * naming any of the node's DLIFs; without them, and without a local-net
 * entry open to every node, no entry can claim the packet and the table
 * is not probed (a node at home costs the uplink nothing).
 */
static bool dlif_uplink(struct sk_buff *skb, const struct dlif_mn *mn,
			unsigned int node_entries)
{
	struct dlif_dev *dlif = mn->dlif;
	struct dlif_net *dn = dlif_net(dev_net(dlif->dev));
	struct dlif_entry *e;
	struct ipv6hdr *ip6h;
	unsigned int len;
	int dtype;

	if (!node_entries && !READ_ONCE(dn->open_local_nets))
		return false;
	if (skb->protocol != htons(ETH_P_IPV6))
		return false;
	if (!pskb_may_pull(skb, sizeof(*ip6h)))
		return false;
	ip6h = ipv6_hdr(skb);
	if (ip6h->version != 6)
		return false;
	/* A zero payload length is a jumbogram for the stack, or a BIG TCP
	 * GRO packet, which is tunnelled like any other.
	 */
	if (ip6h->payload_len)
		len = sizeof(*ip6h) + ntohs(ip6h->payload_len);
	else if (skb_is_gso(skb))
		len = skb->len;
	else
		return false;
	/* Link-scope and multicast traffic is for this router (ND, MLD). */
	dtype = ipv6_addr_type(&ip6h->daddr);
	if (dtype & (IPV6_ADDR_MULTICAST | IPV6_ADDR_LINKLOCAL |
		     IPV6_ADDR_LOOPBACK | IPV6_ADDR_SITELOCAL))
		return false;
	/* An exhausted hop limit is the stack's to report (Time Exceeded). */
	if (ip6h->hop_limit <= 1)
		return false;

	e = dlif_lookup(dn, DLIF_ROLE_SERVING, &ip6h->saddr);
	/* Only the node the prefix belongs to may send from it. */
	if (e && !dlif_entry_is_nodes(e, dlif->port, mn->addr))
		e = NULL;
	if (!e) {
		e = dlif_lookup(dn, DLIF_ROLE_LOCAL_NET, &ip6h->daddr);
		if (e && e->dlif && !dlif_entry_is_nodes(e, dlif->port, mn->addr))
			e = NULL;
		if (!e)
			return false;
		/* Into another MAAR's local network only from the node's
		 * own prefixes: nothing else may claim to come from here.
		 */
		if (!dlif_source_is_nodes(dev_net(dlif->dev), &ip6h->saddr, mn)) {
			dlif_entry_drop(e, skb, DLIF_DROP_SPOOF);
			return true;
		}
	}

	/* Drop Ethernet padding: the tunnel carries the IPv6 packet only. */
	if (len > skb->len || pskb_trim_rcsum(skb, len) ||
	    skb_ensure_writable(skb, sizeof(*ip6h))) {
		dlif_entry_drop(e, skb, DLIF_DROP_OTHER);
		return true;
	}
	/* This router forwards the packet into the tunnel (ip6_forward()'s
	 * part: checksum state before the hop limit changes, and no receive
	 * timestamp towards the egress qdisc).
	 */
	skb_forward_csum(skb);
	ipv6_hdr(skb)->hop_limit--;
	skb_clear_tstamp(skb);
	dlif_tunnel_xmit(skb, e, dlif->dev);
	return true;
}

static void dlif_deliver_clone(struct sk_buff *skb, struct dlif_dev *dlif)
{
	skb->dev = dlif->dev;
	dlif_dev_count_rx(dlif->dev, skb->len);
	netif_rx(skb);
}

rx_handler_result_t dlif_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct dlif_mn *mn, *found = NULL;
	unsigned int node_entries = 0;
	struct rhlist_head *list, *pos;
	const struct ethhdr *eth;
	struct dlif_port *port;
	struct net_device *dev;
	struct sk_buff *clone;

	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;
	port = rcu_dereference(skb->dev->rx_handler_data);
	eth = eth_hdr(skb);
	list = rhltable_lookup(&port->by_mn, eth->h_source, dlif_mn_params);
	/* A solicitation for a binding's router link-local is answered here. */
	if (unlikely(READ_ONCE(port->nd_bindings)) && list && dlif_nd_answer(skb, list))
		return RX_HANDLER_CONSUMED;

	/* A binding found here may have been replaced by a rebind that is
	 * waiting for this reader: only the DLIF's current one counts.
	 */
	if (is_multicast_ether_addr(eth->h_dest)) {
		/* Every logical router of the node sees its RS, NS and MLD. */
		rhl_for_each_entry_rcu(mn, pos, list, node) {
			if (!dlif_mn_current(mn) || !netif_running(mn->dlif->dev))
				continue;
			if (found) {
				clone = skb_clone(skb, GFP_ATOMIC);
				if (clone)
					dlif_deliver_clone(clone, found->dlif);
				else
					dev_core_stats_rx_dropped_inc(found->dlif->dev);
			}
			found = mn;
		}
	} else {
		/* The whole list: a node's entries may name any of its
		 * DLIFs (a serving entry claims the prefix's packets
		 * whichever logical router they are sent to).
		 */
		rhl_for_each_entry_rcu(mn, pos, list, node) {
			if (!dlif_mn_current(mn))
				continue;
			node_entries += READ_ONCE(mn->dlif->uplink_entries);
			if (!found &&
			    ether_addr_equal(dlif_mn_router(mn), eth->h_dest) &&
			    netif_running(mn->dlif->dev))
				found = mn;
		}
	}
	if (!found)
		return RX_HANDLER_PASS;
	dev = found->dlif->dev;
	if (!found->primary)
		atomic64_inc(&found->rx_packets);

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb) {
		dev_core_stats_rx_dropped_inc(dev);
		return RX_HANDLER_CONSUMED;
	}
	*pskb = skb;
	skb->dev = dev;
	if (skb->pkt_type == PACKET_OTHERHOST)
		skb->pkt_type = PACKET_HOST;
	dlif_dev_count_rx(dev, skb->len);

	if (skb->pkt_type == PACKET_HOST && dlif_uplink(skb, found, node_entries))
		return RX_HANDLER_CONSUMED;
	return RX_HANDLER_ANOTHER;
}
