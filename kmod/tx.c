// SPDX-License-Identifier: GPL-2.0
/*
 * dlif: DLIF transmit.
 *
 * A DLIF is a point-to-point link to one mobile node over a shared
 * medium: every frame it sends leaves the lower device from the DLIF's
 * MAC to the node's MAC, multicast included (an RA to ff02::1 is unicast
 * at layer 2), so no other node on the medium sees another node's
 * logical routers.
 *
 * A DLIF with bindings besides its primary one serves several nodes, each
 * seeing its own router MAC, and every frame names one binding: an IPv6
 * packet to a global address by the table (the attached or serving entry
 * of its prefix on this DLIF; none: the primary node), any other frame by
 * its destination MAC (a packet socket's frames name their node; the
 * stack's neighbour entries on the point-to-point link name the primary
 * one). A multicast frame goes to each node, unicast at layer 2.
 *
 * The anchor role intercepts here: while a node anchored at this MAAR is
 * served elsewhere, the route to its prefix still points into its DLIF,
 * and what is routed there is encapsulated to the serving MAAR instead.
 * A handover changes the table entry, never the route.
 */

#include <linux/ipv6.h>
#include <net/ipv6.h>
#include <net/sch_generic.h>

#include "dlif.h"

/*
 * The anchor entry for an outgoing IPv6 packet, if its node is away: an
 * anchor entry of this DLIF for its destination. A DLIF that no anchor
 * entry names (its node is here) sends without looking in the table.
 */
static struct dlif_entry *dlif_anchor_entry(struct sk_buff *skb,
					    struct dlif_dev *dlif)
{
	struct dlif_net *dn = dlif_net(dev_net(dlif->dev));
	const struct ipv6hdr *ip6h;
	struct dlif_entry *e;

	if (skb->protocol != htons(ETH_P_IPV6) ||
	    !READ_ONCE(dlif->anchor_entries))
		return NULL;
	if (!pskb_network_may_pull(skb, sizeof(*ip6h)))
		return NULL;
	ip6h = ipv6_hdr(skb);
	if (ipv6_addr_type(&ip6h->daddr) & (IPV6_ADDR_MULTICAST | IPV6_ADDR_LINKLOCAL))
		return NULL;
	e = dlif_lookup(dn, DLIF_ROLE_ANCHOR, &ip6h->daddr);
	return e && e->dlif == dlif ? e : NULL;
}

/*
 * Send a frame, Ethernet header built, from the DLIF's lower device and
 * count it on the DLIF.
 */
void dlif_lower_xmit(struct sk_buff *skb, struct dlif_dev *dlif)
{
	unsigned int len = skb->len;
	int err;

	skb->dev = dlif->lower;
	/* net_xmit_eval() evaluates its argument twice: never a call. */
	err = dev_queue_xmit(skb);
	if (likely(!net_xmit_eval(err)))
		dlif_dev_count_tx(dlif->dev, len);
	else
		DEV_STATS_INC(dlif->dev, tx_dropped);
}

/*
 * The binding that a packet to @daddr routed into @dlif belongs to: the
 * node named by the attached or serving entry of its prefix on this DLIF,
 * else the DLIF's primary node. (RCU readers)
 */
const struct dlif_mn *dlif_routed_binding(const struct dlif_dev *dlif,
					  const struct in6_addr *daddr)
{
	static const u8 roles[] = { DLIF_ROLE_ATTACHED, DLIF_ROLE_SERVING };
	struct dlif_net *dn;
	struct dlif_entry *e;
	int i;

	if (READ_ONCE(dlif->nr_bindings)) {
		dn = dlif_net(dev_net(dlif->dev));
		for (i = 0; i < ARRAY_SIZE(roles); i++) {
			e = dlif_lookup(dn, roles[i], daddr);
			if (e && e->dlif == dlif)
				return dlif_entry_binding(e);
		}
	}
	return rcu_dereference(dlif->mn);
}

/* Send a frame (Ethernet header already built) to @mn's node. */
static void dlif_xmit_to(struct sk_buff *skb, const struct dlif_mn *mn)
{
	struct dlif_dev *dlif = mn->dlif;
	struct ethhdr *eth;

	if (skb_cow_head(skb, 0)) {
		DEV_STATS_INC(dlif->dev, tx_dropped);
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return;
	}
	eth = (struct ethhdr *)skb->data;
	ether_addr_copy(eth->h_dest, mn->addr);
	ether_addr_copy(eth->h_source, dlif_mn_router(mn));
	dlif_lower_xmit(skb, dlif);
}

/* A multicast frame on a DLIF of several nodes: a copy to each. */
static void dlif_xmit_to_each(struct sk_buff *skb, struct dlif_dev *dlif)
{
	const struct dlif_mn *mn, *prev = rcu_dereference(dlif->mn);
	struct sk_buff *copy;

	list_for_each_entry_rcu(mn, &dlif->bindings, dlif_node) {
		if (READ_ONCE(mn->gone))
			continue;
		if (prev) {
			copy = skb_clone(skb, GFP_ATOMIC);
			if (copy)
				dlif_xmit_to(copy, prev);
			else
				DEV_STATS_INC(dlif->dev, tx_dropped);
		}
		prev = mn;
	}
	if (prev) {
		dlif_xmit_to(skb, prev);
	} else {
		DEV_STATS_INC(dlif->dev, tx_dropped);
		kfree_skb_reason(skb, DLIF_DROP_REASON_NO_TX_TARGET);
	}
}

/* Which binding a frame on a DLIF of several nodes is for (see above). */
static const struct dlif_mn *dlif_frame_binding(struct sk_buff *skb,
						struct dlif_dev *dlif)
{
	const struct ethhdr *eth = (const struct ethhdr *)skb->data;
	const struct ipv6hdr *ip6h;

	if (eth->h_proto == htons(ETH_P_IPV6) &&
	    pskb_may_pull(skb, ETH_HLEN + sizeof(*ip6h))) {
		eth = (const struct ethhdr *)skb->data;
		ip6h = (const struct ipv6hdr *)(skb->data + ETH_HLEN);
		if (!(ipv6_addr_type(&ip6h->daddr) &
		      (IPV6_ADDR_MULTICAST | IPV6_ADDR_LINKLOCAL | IPV6_ADDR_LOOPBACK)))
			return dlif_routed_binding(dlif, &ip6h->daddr);
	}
	return dlif_binding_of(dlif, eth->h_dest);
}

/* Send a frame (Ethernet header already built) to the DLIF's node. */
static netdev_tx_t dlif_xmit_to_mn(struct sk_buff *skb, struct dlif_dev *dlif)
{
	bool shared = READ_ONCE(dlif->nr_bindings);
	const struct dlif_mn *mn;

	if (shared && is_multicast_ether_addr(((struct ethhdr *)skb->data)->h_dest)) {
		dlif_xmit_to_each(skb, dlif);
		return NETDEV_TX_OK;
	}
	mn = shared ? dlif_frame_binding(skb, dlif) : rcu_dereference(dlif->mn);
	if (unlikely(!mn)) {
		DEV_STATS_INC(dlif->dev, tx_dropped);
		kfree_skb_reason(skb, DLIF_DROP_REASON_NO_TX_TARGET);
		return NETDEV_TX_OK;
	}
	dlif_xmit_to(skb, mn);
	return NETDEV_TX_OK;
}

netdev_tx_t dlif_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct dlif_dev *dlif = netdev_priv(dev);
	struct dlif_entry *e;
	netdev_tx_t ret;

	/* The core calls this under rcu_read_lock_bh() only; the table's
	 * lookups are rcu_dereference()s.
	 */
	rcu_read_lock();
	e = dlif_anchor_entry(skb, dlif);
	if (e) {
		dlif_dev_count_tx(dev, skb->len - skb_network_offset(skb));
		skb_pull(skb, skb_network_offset(skb));
		dlif_tunnel_xmit(skb, e, dev);
		ret = NETDEV_TX_OK;
	} else {
		ret = dlif_xmit_to_mn(skb, dlif);
	}
	rcu_read_unlock();
	return ret;
}

/*
 * Does anything act on what the DLIF itself transmits: a packet tap
 * (tcpdump on the DLIF, or on every device), a qdisc other than
 * noqueue, a tc egress filter or program, a netfilter egress hook? Under
 * rcu_read_lock().
 */
static bool dlif_egress_hooked(struct net_device *dev)
{
	const struct Qdisc *q = rcu_dereference(dev->qdisc);

	if (q->enqueue || dlif_compat_tc_egress(dev) || dlif_compat_dev_taps(dev))
		return true;
#ifdef CONFIG_NETFILTER_EGRESS
	if (rcu_access_pointer(dev->nf_hooks_egress))
		return true;
#endif
	return false;
}

/*
 * Hand a decapsulated IPv6 packet (skb->data at its header) to @mn's node
 * (NULL: none) on @dlif, as if routed out of the DLIF. With nothing on the
 * DLIF's egress it goes straight to the lower device: the DLIF's own
 * transmit would only rewrite the header built here. Otherwise it is
 * transmitted on the DLIF, so that taps, qdiscs, tc and netfilter there
 * see it.
 */
void dlif_deliver_to_mn(struct sk_buff *skb, struct dlif_dev *dlif,
			const struct dlif_mn *mn)
{
	enum skb_drop_reason reason = SKB_DROP_REASON_DEV_READY;
	struct net_device *dev = dlif->dev;

	if (unlikely(!netif_running(dev)))
		goto drop;
	reason = DLIF_DROP_REASON_NO_TX_TARGET;
	if (unlikely(!mn))
		goto drop;
	reason = SKB_DROP_REASON_NOMEM;
	if (skb_cow_head(skb, LL_RESERVED_SPACE(dev)))
		goto drop;
	skb->dev = dev;
	skb->protocol = htons(ETH_P_IPV6);
	reason = SKB_DROP_REASON_DEV_HDR;
	if (dev_hard_header(skb, dev, ETH_P_IPV6, mn->addr, dlif_mn_router(mn),
			    skb->len) < 0)
		goto drop;
	if (dlif_egress_hooked(dev))
		dev_queue_xmit(skb);
	else
		dlif_lower_xmit(skb, dlif);
	return;

drop:
	DEV_STATS_INC(dev, tx_dropped);
	kfree_skb_reason(skb, reason);
}
