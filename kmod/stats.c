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
