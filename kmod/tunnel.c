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

/* The outer route to @e's peer: from the cache when its source fits. */
static struct dst_entry *dlif_outer_route(struct net *net,
					  const struct dlif_entry *e,
					  struct flowi6 *fl6)
{
	struct dlif_peer *peer = e->peer;
	bool local_given = !ipv6_addr_any(&e->local);
	bool cache_it = true;
	struct dst_entry *dst;
	struct in6_addr saddr;

	memset(fl6, 0, sizeof(*fl6));
	fl6->flowi6_proto = IPPROTO_IPV6;
	fl6->daddr = peer->addr;

	dst = dst_cache_get_ip6(&peer->dst_cache, &saddr);
	if (dst) {
		if (!local_given || ipv6_addr_equal(&saddr, &e->local)) {
			fl6->saddr = saddr;
			return dst;
		}
		/* Entries to one peer with different sources: the cache
		 * keeps the first one's route; this one looks up its own.
		 */
		dst_release(dst);
		cache_it = false;
	}

	fl6->saddr = e->local;
	dst = ip6_dst_lookup_flow(net, NULL, fl6, NULL);
	if (!IS_ERR(dst) && cache_it)
		dst_cache_set_ip6(&peer->dst_cache, dst, &fl6->saddr);
	return dst;
}

/*
 * Encapsulate an IPv6 packet (skb->data at its header, skb->dev the DLIF
 * it came from or goes to) and send it to @e's peer. Consumes the skb.
 */
void dlif_tunnel_xmit(struct sk_buff *skb, struct dlif_entry *e,
		      struct net_device *dev)
{
	struct net *net = dev_net(dev);
	const struct ipv6hdr *inner;
	struct dst_entry *dst;
	struct ipv6hdr *outer;
	unsigned int mtu, len;
	struct flowi6 fl6;
	u8 dsfield;
	int err;

	if (unlikely(!e->peer))
		goto drop_other;
	skb_reset_network_header(skb);
	if (!pskb_network_may_pull(skb, sizeof(*inner)))
		goto drop_other;
	inner = ipv6_hdr(skb);
	dsfield = ipv6_get_dsfield(inner);

	dst = dlif_outer_route(net, e, &fl6);
	if (IS_ERR(dst)) {
		dlif_entry_count_drop(e, DLIF_DROP_NO_ROUTE);
		icmpv6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_NOROUTE, 0);
		kfree_skb(skb);
		return;
	}
	if (unlikely(dst->dev == dev)) {
		/* The way to the peer leads back into this DLIF: a loop. */
		net_warn_ratelimited("%s: route to tunnel peer %pI6c loops back\n",
				     dev->name, &e->peer->addr);
		dst_release(dst);
		goto drop_no_route;
	}

	/* RFC 2473 §7.1: a packet too big for the tunnel is refused with a
	 * Packet Too Big carrying the tunnel MTU, as ip6_tunnel does.
	 */
	mtu = dst_mtu(dst) - sizeof(*outer);
	if (mtu < IPV6_MIN_MTU)
		mtu = IPV6_MIN_MTU;
	if (skb_is_gso(skb) ? !skb_gso_validate_network_len(skb, mtu) : skb->len > mtu) {
		dst_release(dst);
		dlif_entry_count_drop(e, DLIF_DROP_TOO_BIG);
		icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
		kfree_skb(skb);
		return;
	}

	if (skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) + dst->header_len +
			 sizeof(*outer))) {
		dst_release(dst);
		goto drop_other;
	}
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
	outer->daddr = e->peer->addr;

	skb->protocol = htons(ETH_P_IPV6);
	skb_dst_set(skb, dst);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));

	err = ip6_local_out(net, NULL, skb);
	if (likely(!net_xmit_eval(err)))
		dlif_entry_count_encap(e, len);
	else
		dlif_entry_count_drop(e, DLIF_DROP_OTHER);
	return;

drop_no_route:
	dlif_entry_count_drop(e, DLIF_DROP_NO_ROUTE);
	kfree_skb(skb);
	return;
drop_other:
	dlif_entry_count_drop(e, DLIF_DROP_OTHER);
	kfree_skb(skb);
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
	return e->peer && ipv6_addr_equal(&e->peer->addr, &outer->saddr) &&
	       (ipv6_addr_any(&e->local) || ipv6_addr_equal(&e->local, &outer->daddr));
}

/*
 * Which entry the packet belongs to, and what to do with it. An inner
 * packet may match several entries (a node here sending to a node anchored
 * here): it is accepted if any of them accepts it from this peer.
 */
static enum dlif_decap_action dlif_classify(struct dlif_net *dn,
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
		if (e->peer ? dlif_from_peer(e, outer) : dlif_peer_known(dn, &outer->saddr)) {
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

static int dlif_ip6ip6_rcv(struct sk_buff *skb)
{
	struct dlif_net *dn = dlif_net(dev_net(skb->dev));
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

	action = dlif_classify(dn, &outer, inner, &e);
	switch (action) {
	case DLIF_DECAP_NOT_OURS:
		return -EINVAL;
	case DLIF_DECAP_SPOOF:
		dlif_entry_count_drop(e, DLIF_DROP_SPOOF);
		net_dbg_ratelimited("dlif: ip6ip6 from %pI6c claims %pI6c/%u: dropped\n",
				    &outer.saddr, &e->key.prefix, e->key.plen);
		goto drop;
	default:
		break;
	}

	if (!xfrm6_policy_check(NULL, XFRM_POLICY_IN, skb))
		goto drop_other;

	/* The inner packet is now the packet. */
	skb->protocol = htons(ETH_P_IPV6);
	skb_reset_network_header(skb);
	skb_scrub_packet(skb, false);
	if (iptunnel_pull_offloads(skb))
		goto drop_other;
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));

	ecn = IP6_ECN_decapsulate(&outer, skb);
	if (unlikely(ecn > 1)) {
		dlif_entry_count_drop(e, DLIF_DROP_ECN);
		goto drop;
	}
	len = skb->len;

	if (action == DLIF_DECAP_DELIVER) {
		/* This router forwards the packet onto the access link. */
		if (ipv6_hdr(skb)->hop_limit <= 1) {
			dlif_entry_count_drop(e, DLIF_DROP_HOP_LIMIT);
			skb->dev = e->dlif ? e->dlif->dev : skb->dev;
			icmpv6_send(skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
			goto drop;
		}
		if (!e->dlif || skb_ensure_writable(skb, sizeof(struct ipv6hdr)))
			goto drop_other;
		ipv6_hdr(skb)->hop_limit--;
		dlif_entry_count_decap(e, len);
		dlif_deliver_to_mn(skb, e->dlif);
		return 0;
	}

	/* Routed on, as if received from the node on its DLIF here. */
	if (e->dlif) {
		skb->dev = e->dlif->dev;
		dlif_dev_count_rx(skb->dev, len);
	}
	skb->pkt_type = PACKET_HOST;
	dlif_entry_count_decap(e, len);
	netif_rx(skb);
	return 0;

drop_other:
	dlif_entry_count_drop(e, DLIF_DROP_OTHER);
drop:
	kfree_skb(skb);
	return 0;
}

/* An ICMPv6 error about one of our outer packets: learn the path MTU. */
static int dlif_ip6ip6_err(struct sk_buff *skb, struct inet6_skb_parm *opt,
			   u8 type, u8 code, int offset, __be32 info)
{
	const struct ipv6hdr *outer = (const struct ipv6hdr *)skb->data;
	struct net *net = dev_net(skb->dev);
	struct dlif_net *dn = dlif_net(net);

	if (!READ_ONCE(dn->nr_entries) || !dlif_peer_known(dn, &outer->daddr))
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
