// SPDX-License-Identifier: GPL-2.0
/*
 * dlif: counters. Per-entry counters are atomics (see struct
 * dlif_entry_counters); DLIFs keep the standard per-device statistics in
 * their per-CPU tstats.
 */

#include <linux/netdevice.h>

#include "dlif.h"

void dlif_entry_count_encap(struct dlif_entry *e, unsigned int len)
{
	atomic64_inc(&e->counters.encap_packets);
	atomic64_add(len, &e->counters.encap_bytes);
}

void dlif_entry_count_decap(struct dlif_entry *e, unsigned int len)
{
	atomic64_inc(&e->counters.decap_packets);
	atomic64_add(len, &e->counters.decap_bytes);
}

void dlif_entry_count_drop(struct dlif_entry *e, enum dlif_drop reason)
{
	atomic_long_inc(&e->drops[reason]);
}

/*
 * Count a drop on its entry and free the packet with the kernel's drop
 * reason for it, so that perf, dropwatch and the skb:kfree_skb tracepoint
 * say why as well.
 */
void dlif_entry_drop(struct dlif_entry *e, struct sk_buff *skb,
		     enum dlif_drop reason)
{
	static const enum skb_drop_reason skb_reason[__DLIF_DROP_MAX] = {
		[DLIF_DROP_SPOOF]	= SKB_DROP_REASON_IP_RPFILTER,
		[DLIF_DROP_TOO_BIG]	= SKB_DROP_REASON_PKT_TOO_BIG,
		[DLIF_DROP_NO_ROUTE]	= SKB_DROP_REASON_IP_OUTNOROUTES,
		[DLIF_DROP_HOP_LIMIT]	= SKB_DROP_REASON_IP_INHDR,
		[DLIF_DROP_ECN]		= DLIF_DROP_REASON_TUNNEL_ECN,
		[DLIF_DROP_OTHER]	= SKB_DROP_REASON_NOT_SPECIFIED,
	};

	dlif_entry_count_drop(e, reason);
	kfree_skb_reason(skb, skb_reason[reason]);
}

void dlif_entry_read_stats(const struct dlif_entry *e,
			   struct dlif_entry_stats *out)
{
	int i;

	out->encap_packets = atomic64_read(&e->counters.encap_packets);
	out->encap_bytes = atomic64_read(&e->counters.encap_bytes);
	out->decap_packets = atomic64_read(&e->counters.decap_packets);
	out->decap_bytes = atomic64_read(&e->counters.decap_bytes);
	for (i = 0; i < __DLIF_DROP_MAX; i++)
		out->drops[i] = atomic_long_read(&e->drops[i]);
}

void dlif_dev_count_rx(struct net_device *dev, unsigned int len)
{
	dev_sw_netstats_rx_add(dev, len);
}

void dlif_dev_count_tx(struct net_device *dev, unsigned int len)
{
	dev_sw_netstats_tx_add(dev, 1, len);
}
