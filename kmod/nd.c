// SPDX-License-Identifier: GPL-2.0
/*
 * dlif: Neighbor Discovery for the router addresses of bindings.
 *
 * A node bound to a DLIF by BINDING_NEW sees its router there as a MAC
 * and, optionally, a link-local address of its own (router-ll). That
 * address is not an address of the DLIF: a netdevice shared by many
 * nodes would carry one per node, and adding or removing an IPv6
 * address walks the namespace's FIB. So the receive handler answers the
 * node's Neighbor Solicitations for it (RFC 4861 section 7.2.4), before
 * the stack sees them: the node resolves its router, confirms its
 * reachability and defends the address in DAD as it would with any
 * router. The advertisement goes from the binding's router MAC to the
 * node's MAC only, unicast at layer 2 like everything a DLIF sends.
 */

#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <linux/rhashtable.h>
#include <net/addrconf.h>
#include <net/ip6_checksum.h>
#include <net/ndisc.h>

#include "dlif.h"

/* An NS as the receive handler reads it: IPv6 header, ICMPv6 NS. */
struct dlif_ns {
	struct ipv6hdr ip6h;
	struct icmp6hdr icmph;
	struct in6_addr target;
};

/* The Target Link-Layer Address option for Ethernet: 8 octets. */
#define DLIF_ND_OPT_LEN		8

/*
 * Send @mn's node a Neighbor Advertisement for its router link-local
 * address, to @daddr: the soliciting address, or all-nodes for a
 * solicitation from the unspecified address (DAD, unsolicited then).
 */
static void dlif_nd_send_na(const struct dlif_mn *mn, const struct in6_addr *daddr,
			    bool solicited)
{
	struct dlif_dev *dlif = mn->dlif;
	struct net_device *lower = dlif->lower;
	unsigned int len = sizeof(struct nd_msg) + DLIF_ND_OPT_LEN;
	struct ipv6hdr *ip6h;
	struct nd_msg *na;
	struct sk_buff *skb;

	skb = alloc_skb(LL_RESERVED_SPACE(lower) + sizeof(*ip6h) + len +
			lower->needed_tailroom, GFP_ATOMIC);
	if (!skb) {
		DEV_STATS_INC(dlif->dev, tx_dropped);
		return;
	}
	skb_reserve(skb, LL_RESERVED_SPACE(lower));
	skb_reset_network_header(skb);
	ip6h = skb_put(skb, sizeof(*ip6h));
	na = skb_put_zero(skb, len);

	na->icmph.icmp6_type = NDISC_NEIGHBOUR_ADVERTISEMENT;
	na->icmph.icmp6_router = 1;
	na->icmph.icmp6_solicited = solicited;
	na->icmph.icmp6_override = 1;
	na->target = mn->router_ll;
	na->opt[0] = ND_OPT_TARGET_LL_ADDR;
	na->opt[1] = DLIF_ND_OPT_LEN / 8;
	ether_addr_copy(&na->opt[2], mn->router);

	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->payload_len = htons(len);
	ip6h->nexthdr = IPPROTO_ICMPV6;
	ip6h->hop_limit = 255;
	ip6h->saddr = mn->router_ll;
	ip6h->daddr = *daddr;
	na->icmph.icmp6_cksum = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len,
						IPPROTO_ICMPV6,
						csum_partial(na, len, 0));

	skb->protocol = htons(ETH_P_IPV6);
	if (dev_hard_header(skb, lower, ETH_P_IPV6, mn->addr, mn->router, skb->len) < 0) {
		DEV_STATS_INC(dlif->dev, tx_dropped);
		kfree_skb(skb);
		return;
	}
	dlif_lower_xmit(skb, dlif);
}

/*
 * Is @skb, a frame from a node whose bindings on the port are
 * @node_bindings, a Neighbor Solicitation for the router link-local
 * address of one of them? If so, answer it and consume the frame. Reads
 * the frame without changing it: the skb may still be shared. (RCU)
 */
bool dlif_nd_answer(struct sk_buff *skb, struct rhlist_head *node_bindings)
{
	const struct ethhdr *eth = eth_hdr(skb);
	const struct dlif_mn *mn, *found = NULL;
	const struct dlif_ns *ns;
	struct rhlist_head *pos;
	struct dlif_ns buf;
	unsigned int len;
	bool dad;

	if (skb->protocol != htons(ETH_P_IPV6))
		return false;
	ns = skb_header_pointer(skb, 0, sizeof(buf), &buf);
	if (!ns || ns->ip6h.version != 6 || ns->ip6h.nexthdr != IPPROTO_ICMPV6 ||
	    ns->icmph.icmp6_type != NDISC_NEIGHBOUR_SOLICITATION)
		return false;

	rhl_for_each_entry_rcu(mn, pos, node_bindings, node) {
		if (!mn->primary && dlif_mn_current(mn) &&
		    ipv6_addr_equal(&mn->router_ll, &ns->target) &&
		    (is_multicast_ether_addr(eth->h_dest) ||
		     ether_addr_equal(eth->h_dest, mn->router))) {
			found = mn;
			break;
		}
	}
	if (!found || !netif_running(found->dlif->dev))
		return false;

	/* RFC 4861 section 7.1.1; anything else is the stack's to drop. */
	len = ntohs(ns->ip6h.payload_len);
	if (ns->ip6h.hop_limit != 255 || ns->icmph.icmp6_code ||
	    len < sizeof(struct nd_msg) || sizeof(struct ipv6hdr) + len > skb->len)
		return false;
	if (csum_ipv6_magic(&ns->ip6h.saddr, &ns->ip6h.daddr, len, IPPROTO_ICMPV6,
			    skb_checksum(skb, sizeof(struct ipv6hdr), len, 0)))
		return false;
	dad = ipv6_addr_any(&ns->ip6h.saddr);
	if (dad && !ipv6_addr_is_solict_mult(&ns->ip6h.daddr))
		return false;

	dlif_dev_count_rx(found->dlif->dev, skb->len);
	dlif_nd_send_na(found, dad ? &in6addr_linklocal_allnodes : &ns->ip6h.saddr, !dad);
	consume_skb(skb);
	return true;
}
