// SPDX-License-Identifier: GPL-2.0
/*
 * dlif: counters. Per-entry packet and byte counters are per CPU (the
 * fast path writes them); drops are rare and counted with atomics. DLIFs
 * keep the standard per-device statistics in their tstats.
 */

#include <linux/netdevice.h>

#include "dlif.h"

void dlif_entry_count_encap(struct dlif_entry *e, unsigned int len)
{
	struct dlif_entry_pcpu_stats *s = this_cpu_ptr(e->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->encap_packets);
	u64_stats_add(&s->encap_bytes, len);
	u64_stats_update_end(&s->syncp);
}

void dlif_entry_count_decap(struct dlif_entry *e, unsigned int len)
{
	struct dlif_entry_pcpu_stats *s = this_cpu_ptr(e->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->decap_packets);
	u64_stats_add(&s->decap_bytes, len);
	u64_stats_update_end(&s->syncp);
}

void dlif_entry_count_drop(struct dlif_entry *e, enum dlif_drop reason)
{
	atomic_long_inc(&e->drops[reason]);
}

void dlif_entry_read_stats(const struct dlif_entry *e,
			   struct dlif_entry_stats *out)
{
	unsigned int start;
	int cpu, i;

	memset(out, 0, sizeof(*out));
	for_each_possible_cpu(cpu) {
		const struct dlif_entry_pcpu_stats *s = per_cpu_ptr(e->stats, cpu);
		u64 ep, eb, dp, db;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			ep = u64_stats_read(&s->encap_packets);
			eb = u64_stats_read(&s->encap_bytes);
			dp = u64_stats_read(&s->decap_packets);
			db = u64_stats_read(&s->decap_bytes);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		out->encap_packets += ep;
		out->encap_bytes += eb;
		out->decap_packets += dp;
		out->decap_bytes += db;
	}
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
