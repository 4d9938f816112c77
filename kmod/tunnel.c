// SPDX-License-Identifier: GPL-2.0
/*
 * dlif: IPv6-in-IPv6 encapsulation (RFC 2473) and decapsulation.
 *
 * Encapsulation happens where the table decides it (rx.c for the uplink,
 * tx.c for the anchor's downlink), without a tunnel netdevice in between:
 * the outer route comes from the peer's per-CPU dst cache, the outer
 * header is pushed here and the packet goes to ip6_local_out().
 *
 * Decapsulation runs as an IPPROTO_IPV6 handler of tunnel6, ahead of
 * ip6_tunnel's (lower priority value runs first). A packet is dlif's when
 * its inner addresses fall in a table prefix: then it is accepted only
 * from that entry's peer, and anything else claiming the prefix is
 * dropped and counted. A packet that names no dlif prefix is handed on
 * to the next handler, so stock ip6tnl devices in the same namespace keep
 * working.
 */

#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <net/inet_ecn.h>
#include <net/ip6_route.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/xfrm.h>

#include "dlif.h"

/* tunnel6 runs handlers by ascending priority; ip6_tunnel uses 1. */
#define DLIF_TUNNEL6_PRIORITY	0

/*
 * The outer route to @peer and its source address, from the per-CPU
 * cache of the (peer, local) pair when it holds one.
 */
static struct dst_entry *dlif_outer_route(struct net *net,
					  struct dlif_peer *peer,
					  struct flowi6 *fl6)
{
	struct dst_entry *dst;

	memset(fl6, 0, sizeof(*fl6));
	fl6->flowi6_proto = IPPROTO_IPV6;
	fl6->daddr = peer->addr;

	dst = dst_cache_get_ip6(&peer->dst_cache, &fl6->saddr);
	if (dst)
		return dst;

	fl6->saddr = peer->local;
	dst = ip6_dst_lookup_flow(net, NULL, fl6, NULL);
	if (!IS_ERR(dst))
		dst_cache_set_ip6(&peer->dst_cache, dst, &fl6->saddr);
	return dst;
}

/*
 * Encapsulate an IPv6 packet (skb->data at its header, skb->dev the DLIF
 * it came from or goes to) and send it to @e's peer. Consumes the skb.
 * The caller has done what a forwarding router does to the inner packet
 * (hop limit, checksum state, timestamp); this is the tunnel's part.
 */
void dlif_tunnel_xmit(struct sk_buff *skb, struct dlif_entry *e,
		      struct net_device *dev)
{
	struct dlif_peer *peer = READ_ONCE(e->peer);
	struct net *net = dev_net(dev);
	const struct ipv6hdr *inner;
	struct dst_entry *dst;
	struct ipv6hdr *outer;
	unsigned int mtu, len;
	struct flowi6 fl6;
	u8 dsfield;
	int err;

	if (unlikely(!peer))
		goto drop_other;
	skb_reset_network_header(skb);
	if (!pskb_network_may_pull(skb, sizeof(*inner)))
		goto drop_other;
	inner = ipv6_hdr(skb);
	dsfield = ipv6_get_dsfield(inner);

	dst = dlif_outer_route(net, peer, &fl6);
	if (IS_ERR(dst)) {
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_NOROUTE, 0);
		dlif_entry_drop(e, skb, DLIF_DROP_NO_ROUTE);
		return;
	}
	if (unlikely(dst->dev == dev)) {
		/* The way to the peer leads back into this DLIF: a loop. */
		net_warn_ratelimited("%s: route to tunnel peer %pI6c loops back\n",
				     dev->name, &peer->addr);
		dst_release(dst);
		dlif_entry_drop(e, skb, DLIF_DROP_NO_ROUTE);
		return;
	}

	/* RFC 2473 §7.1: a packet too big for the tunnel is refused with a
	 * Packet Too Big carrying the tunnel MTU, as ip6_tunnel does.
	 */
	mtu = dst_mtu(dst) - sizeof(*outer);
	if (mtu < IPV6_MIN_MTU)
		mtu = IPV6_MIN_MTU;
	if (skb_is_gso(skb) ? !skb_gso_validate_network_len(skb, mtu) : skb->len > mtu) {
		dst_release(dst);
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
		dlif_entry_drop(e, skb, DLIF_DROP_TOO_BIG);
		return;
	}

	if (skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) + dst->header_len +
			 sizeof(*outer))) {
		dst_release(dst);
		goto drop_other;
	}
	/* The outer flow label comes from the skb's hash. A packet that
	 * arrived without one (no RSS, an unconnected socket) would get a
	 * hash of the outer addresses, one label for every flow between two
	 * MAARs, and ECMP on the core would keep them all on one path: hash
	 * the inner flow while its headers are still first (RFC 6438).
	 */
	skb_get_hash(skb);
	skb_scrub_packet(skb, false);
	if (iptunnel_handle_offloads(skb, SKB_GSO_IPXIP6)) {
		dst_release(dst);
		goto drop_other;
	}
	skb_set_inner_ipproto(skb, IPPROTO_IPV6);

	len = skb->len;
	skb_push(skb, sizeof(*outer));
	skb_reset_network_header(skb);
	outer = ipv6_hdr(skb);
	/* Traffic class copied (RFC 2473 §5.1; ECN normal mode, RFC 6040). */
	ip6_flow_hdr(outer, dsfield,
		     ip6_make_flowlabel(net, skb, 0, true, &fl6));
	outer->payload_len = htons(len <= IPV6_MAXPLEN ? len : 0);
	outer->nexthdr = IPPROTO_IPV6;
	outer->hop_limit = e->hop_limit;
	outer->saddr = fl6.saddr;
	outer->daddr = peer->addr;

	skb->protocol = htons(ETH_P_IPV6);
	skb_dst_set(skb, dst);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));

	err = ip6_local_out(net, NULL, skb);
	if (likely(!net_xmit_eval(err)))
		dlif_entry_count_encap(e, len);
	else
		dlif_entry_count_drop(e, DLIF_DROP_OTHER);
	return;

drop_other:
	dlif_entry_drop(e, skb, DLIF_DROP_OTHER);
}

/* ------------------------------------------------------------------ receive */

enum dlif_decap_action {
	DLIF_DECAP_NOT_OURS,
	DLIF_DECAP_DELIVER,	/* serving: to the node through the DLIF */
	DLIF_DECAP_ROUTE,	/* anchor, local export: routed on */
	DLIF_DECAP_SPOOF,	/* claims a prefix, from the wrong node */
};

static bool dlif_from_peer(const struct dlif_entry *e,
			   const struct ipv6hdr *outer)
{
	const struct dlif_peer *peer = READ_ONCE(e->peer);

	return peer && ipv6_addr_equal(&peer->addr, &outer->saddr) &&
	       (ipv6_addr_any(&e->local) || ipv6_addr_equal(&e->local, &outer->daddr));
}

/*
 * Does this MAAR route @src back through the tunnel's sender @from? True
 * for a prefix anchored here and served at @from (its anchor entry), or
 * for one that the routing table sends to @from (the sender's own,
 * natively routed prefix). A local network is exported only to packets
 * whose source is such a prefix of a node at the sending MAAR.
 */
static bool dlif_source_behind(struct net *net, struct dlif_net *dn,
			       const struct in6_addr *src,
			       const struct in6_addr *from)
{
	struct dlif_entry *anchor;
	struct rt6_info *rt;
	struct flowi6 fl6 = {
		.daddr = *src,
		.flowi6_flags = FLOWI_FLAG_ANYSRC,
	};
	struct dst_entry *dst;
	bool behind;

	anchor = dlif_lookup(dn, DLIF_ROLE_ANCHOR, src);
	if (anchor) {
		const struct dlif_peer *peer = READ_ONCE(anchor->peer);

		return peer && ipv6_addr_equal(&peer->addr, from);
	}
	dst = ip6_route_output(net, NULL, &fl6);
	rt = dst_rt6_info(dst);
	behind = !dst->error && (rt->rt6i_flags & RTF_GATEWAY) &&
		 ipv6_addr_equal(&rt->rt6i_gateway, from);
	dst_release(dst);
	return behind;
}

/*
 * Which entry the packet belongs to, and what to do with it. An inner
 * packet may match several entries (a node here sending to a node anchored
 * here): it is accepted if any of them accepts it from this peer.
 */
static enum dlif_decap_action dlif_classify(struct net *net,
					    struct dlif_net *dn,
					    const struct ipv6hdr *outer,
					    const struct ipv6hdr *inner,
					    struct dlif_entry **entry)
{
	struct dlif_entry *e, *claimed = NULL;

	e = dlif_lookup(dn, DLIF_ROLE_SERVING, &inner->daddr);
	if (e) {
		if (dlif_from_peer(e, outer)) {
			*entry = e;
			return DLIF_DECAP_DELIVER;
		}
		claimed = e;
	}
	e = dlif_lookup(dn, DLIF_ROLE_ANCHOR, &inner->saddr);
	if (e) {
		if (dlif_from_peer(e, outer)) {
			*entry = e;
			return DLIF_DECAP_ROUTE;
		}
		claimed = claimed ?: e;
	}
	e = dlif_lookup(dn, DLIF_ROLE_LOCAL_EXPORT, &inner->daddr);
	if (e) {
		if ((READ_ONCE(e->peer) ? dlif_from_peer(e, outer) :
					  dlif_peer_known(dn, &outer->saddr)) &&
		    dlif_source_behind(net, dn, &inner->saddr, &outer->saddr)) {
			*entry = e;
			return DLIF_DECAP_ROUTE;
		}
		claimed = claimed ?: e;
	}
	if (claimed) {
		*entry = claimed;
		return DLIF_DECAP_SPOOF;
	}
	return DLIF_DECAP_NOT_OURS;
}

/*
 * A decapsulated packet for a node served here: this router forwards it
 * onto the access link through the node's DLIF, doing what ip6_forward()
 * would (hop limit, Time Exceeded, Packet Too Big, checksum state, the
 * receive timestamp that must not reach the egress qdisc). Consumes it.
 */
static int dlif_decap_deliver(struct sk_buff *skb, struct dlif_entry *e,
			      unsigned int len)
{
	struct dlif_dev *dlif = e->dlif;
	unsigned int mtu;

	if (unlikely(!dlif)) {
		dlif_entry_drop(e, skb, DLIF_DROP_OTHER);
		return 0;
	}
	skb->dev = dlif->dev;
	if (ipv6_hdr(skb)->hop_limit <= 1) {
		icmpv6_ndo_send(skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
		dlif_entry_drop(e, skb, DLIF_DROP_HOP_LIMIT);
		return 0;
	}
	mtu = READ_ONCE(dlif->dev->mtu);
	if (skb_is_gso(skb) ? !skb_gso_validate_network_len(skb, mtu) : skb->len > mtu) {
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
		dlif_entry_drop(e, skb, DLIF_DROP_TOO_BIG);
		return 0;
	}
	if (skb_ensure_writable(skb, sizeof(struct ipv6hdr))) {
		dlif_entry_drop(e, skb, DLIF_DROP_OTHER);
		return 0;
	}
	skb_forward_csum(skb);
	ipv6_hdr(skb)->hop_limit--;
	skb_clear_tstamp(skb);
	dlif_entry_count_decap(e, len);
	dlif_deliver_to_mn(skb, dlif, dlif_entry_binding(e));
	return 0;
}

static int dlif_ip6ip6_rcv(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	struct dlif_net *dn = dlif_net(net);
	enum dlif_decap_action action;
	const struct ipv6hdr *inner;
	struct dlif_entry *e = NULL;
	struct ipv6hdr outer;
	unsigned int len;
	int ecn;

	if (!READ_ONCE(dn->nr_entries))
		return -EINVAL;
	if (!pskb_may_pull(skb, sizeof(*inner)))
		return -EINVAL;
	outer = *ipv6_hdr(skb);
	inner = (const struct ipv6hdr *)skb->data;
	if (inner->version != 6)
		return -EINVAL;

	action = dlif_classify(net, dn, &outer, inner, &e);
	switch (action) {
	case DLIF_DECAP_NOT_OURS:
		return -EINVAL;
	case DLIF_DECAP_SPOOF:
		net_dbg_ratelimited("dlif: ip6ip6 from %pI6c claims %pI6c/%u: dropped\n",
				    &outer.saddr, &e->key.prefix, e->key.plen);
		dlif_entry_drop(e, skb, DLIF_DROP_SPOOF);
		return 0;
	default:
		break;
	}

	if (!xfrm6_policy_check(NULL, XFRM_POLICY_IN, skb)) {
		dlif_entry_count_drop(e, DLIF_DROP_OTHER);
		kfree_skb_reason(skb, SKB_DROP_REASON_XFRM_POLICY);
		return 0;
	}

	/* The inner packet is now the packet. */
	skb->protocol = htons(ETH_P_IPV6);
	skb_reset_network_header(skb);
	skb_reset_mac_header(skb);
	skb_scrub_packet(skb, false);
	if (iptunnel_pull_offloads(skb))
		goto drop_other;
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));

	ecn = IP6_ECN_decapsulate(&outer, skb);
	if (unlikely(ecn > 1)) {
		dlif_entry_drop(e, skb, DLIF_DROP_ECN);
		return 0;
	}
	len = skb->len;

	if (action == DLIF_DECAP_DELIVER)
		return dlif_decap_deliver(skb, e, len);

	/* Routed on, as if received from the node on its DLIF here. */
	skb->pkt_type = PACKET_HOST;
	dlif_entry_count_decap(e, len);
	if (e->dlif) {
		/* Through the DLIF's GRO cells: a TCP flow's segments are
		 * merged before they are routed and filtered, once per
		 * merged packet rather than once per segment. The DLIF
		 * outlives this reader (the entry holds it); a DLIF that is
		 * down drops the packet, as its node's link would.
		 */
		skb->dev = e->dlif->dev;
		dlif_dev_count_rx(skb->dev, len);
		gro_cells_receive(&e->dlif->gro_cells, skb);
	} else {
		netif_rx(skb);
	}
	return 0;

drop_other:
	dlif_entry_drop(e, skb, DLIF_DROP_OTHER);
	return 0;
}

/* Did this MAAR tunnel @inner to @peer_addr? (the error handler's test) */
static bool dlif_sent(struct dlif_net *dn, const struct ipv6hdr *inner,
		      const struct in6_addr *peer_addr)
{
	const struct {
		u8 role;
		const struct in6_addr *addr;
	} uses[] = {
		{ DLIF_ROLE_SERVING, &inner->saddr },	/* uplink, reverse tunnel */
		{ DLIF_ROLE_LOCAL_NET, &inner->daddr },	/* uplink, local network */
		{ DLIF_ROLE_ANCHOR, &inner->daddr },	/* downlink */
	};
	const struct dlif_peer *peer;
	struct dlif_entry *e;
	int i;

	for (i = 0; i < ARRAY_SIZE(uses); i++) {
		e = dlif_lookup(dn, uses[i].role, uses[i].addr);
		peer = e ? READ_ONCE(e->peer) : NULL;
		if (peer && ipv6_addr_equal(&peer->addr, peer_addr))
			return true;
	}
	return false;
}

/*
 * An ICMPv6 error about an outer packet this MAAR sent: learn the path
 * MTU. Errors about anyone else's ip6ip6 packets (a stock ip6tnl device
 * to the same peer, say) go on to the next handler.
 */
static int dlif_ip6ip6_err(struct sk_buff *skb, struct inet6_skb_parm *opt,
			   u8 type, u8 code, int offset, __be32 info)
{
	const struct ipv6hdr *outer, *inner;
	struct net *net = dev_net(skb->dev);
	struct dlif_net *dn = dlif_net(net);

	if (!READ_ONCE(dn->nr_entries))
		return -ENOENT;
	if (!pskb_may_pull(skb, offset + sizeof(*inner)))
		return -ENOENT;
	outer = (const struct ipv6hdr *)skb->data;
	inner = (const struct ipv6hdr *)(skb->data + offset);
	if (inner->version != 6 || !dlif_sent(dn, inner, &outer->daddr))
		return -ENOENT;

	if (type == ICMPV6_PKT_TOOBIG)
		ip6_update_pmtu(skb, net, info, 0, 0, sock_net_uid(net, NULL));
	else if (type == NDISC_REDIRECT)
		ip6_redirect(skb, net, skb->dev->ifindex, 0, sock_net_uid(net, NULL));
	return 0;
}

static struct xfrm6_tunnel dlif_ip6ip6_handler __read_mostly = {
	.handler	= dlif_ip6ip6_rcv,
	.err_handler	= dlif_ip6ip6_err,
	.priority	= DLIF_TUNNEL6_PRIORITY,
};

int dlif_tunnel_init(void)
{
	int err;

	err = xfrm6_tunnel_register(&dlif_ip6ip6_handler, AF_INET6);
	if (err)
		pr_err("cannot register the ip6ip6 handler (priority %d): %d\n",
		       DLIF_TUNNEL6_PRIORITY, err);
	return err;
}

void dlif_tunnel_uninit(void)
{
	xfrm6_tunnel_deregister(&dlif_ip6ip6_handler, AF_INET6);
}
