/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dlif: Distributed Logical Interfaces and per-prefix IPv6-in-IPv6
 * forwarding for network-based Distributed Mobility Management (RFC 8885).
 *
 * Declarations shared between the files of the module. Each file owns one
 * concern: device.c the netdevice, rx.c the lower device's receive demux
 * and the uplink classification, nd.c Neighbor Discovery for the router
 * addresses of bindings, tx.c the DLIF transmit path, table.c the
 * per-namespace prefix table, tunnel.c encapsulation and decapsulation,
 * netlink.c the generic netlink family, stats.c the counters.
 */
#ifndef _DLIF_H
#define _DLIF_H

#include <linux/etherdevice.h>
#include <linux/hashtable.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/rtnetlink.h>
#include <linux/atomic.h>
#include <linux/xarray.h>
#include <net/dst_cache.h>
#include <net/gro_cells.h>

#include <linux/dlif.h>
#include <linux/dlif_link.h>

#include "compat.h"

/* ------------------------------------------------------------------ device */

/*
 * Per lower (access) device state, shared by every DLIF stacked on it. It
 * is the lower device's rx_handler_data. Written under RTNL, read under
 * RCU by the receive path.
 */
struct dlif_port {
	struct net_device *dev;
	struct list_head dlifs;			/* live DLIFs on this port, RTNL */
	unsigned int count;			/* registered DLIFs, RTNL */
	/* Bindings (struct dlif_mn) by mobile node MAC, several per node
	 * (one per anchor). An rhltable: it grows with the nodes on the
	 * port, and its random seed keeps a host choosing source MACs from
	 * stacking them in one chain.
	 */
	struct rhltable by_mn;
	/* Bindings with a router link-local address, whose Neighbor
	 * Solicitations the receive handler answers (nd.c); RTNL to write.
	 */
	unsigned int nd_bindings;
	struct rcu_head rcu;
};

/*
 * A mobile node's binding to a DLIF: what the port's receive demux finds
 * by the node's MAC. Never changed once published: a rebind publishes a
 * new one and frees the old after a grace period, so that the packet
 * paths read a binding without locks and never see half of an address.
 *
 * A DLIF's primary binding is the one set with DEV_SET or IFLA_DLIF_MN_ADDR
 * (dlif->mn): its node sees the DLIF's own MAC as the router, and what
 * the DLIF transmits goes to that node. BINDING_NEW adds others
 * (dlif->bindings), each with the router MAC its node sees, so that one
 * DLIF receives the frames of several nodes. A DLIF has at most one
 * binding per node, and a node's bindings on a port have distinct router
 * MACs: (node MAC, router MAC) names one binding. Its one mutable field
 * is the count of frames its node sent it, for a DLIF of several nodes
 * (whose netdevice counters add them all up).
 */
struct dlif_mn {
	struct rhlist_head node;		/* port->by_mn */
	struct list_head dlif_node;		/* dlif->bindings (not primary) */
	u8 addr[ETH_ALEN];			/* the mobile node's MAC */
	u8 router[ETH_ALEN];			/* not primary: the node's router MAC */
	struct in6_addr router_ll;		/* not primary: its link-local, or :: */
	bool primary;
	bool gone;				/* out of the index (not primary) */
	struct dlif_dev *dlif;			/* fixed for the binding's life */
	atomic64_t rx_packets;			/* not primary: frames received */
	/* Table entries naming the node by its MAC (dlif_entry.mn_node),
	 * so that they go with the binding without a walk of all the
	 * DLIF's; closed once they have gone, and no entry may join it
	 * after. (table lock)
	 */
	struct list_head entries;
	bool closed;
	struct rcu_head rcu;
};

/* The private part of a DLIF netdevice. */
struct dlif_dev {
	struct net_device *dev;
	struct net_device *lower;
	struct dlif_port *port;
	struct dlif_mn __rcu *mn;		/* primary; NULL when unbound; RTNL to write */
	struct list_head bindings;		/* the others (dlif_mn); RTNL, RCU */
	unsigned int nr_bindings;		/* length of bindings; RTNL to write */
	struct list_head port_node;		/* port->dlifs, RTNL */
	struct list_head entries;		/* table entries naming it */
	struct in6_addr maar_addr;		/* the anchoring MAAR it represents */
	struct gro_cells gro_cells;		/* decapsulated packets routed on */
	/* Entries naming this DLIF, counted so that the packet paths skip
	 * the table where no entry can claim a packet (table lock to
	 * write): serving and local-net entries for the uplink of its node,
	 * anchor entries for what is routed into it.
	 */
	unsigned int uplink_entries;
	unsigned int anchor_entries;
	bool dead;				/* being unregistered (table lock) */
};

extern struct rtnl_link_ops dlif_link_ops;

struct dlif_mn *dlif_binding_of(const struct dlif_dev *dlif, const u8 *mac);

/* Is @mn, found in the port's index, still its DLIF's binding? A rebind
 * or a deletion leaves the old one to readers that found it until a grace
 * period has passed. (RCU readers)
 */
static inline bool dlif_mn_current(const struct dlif_mn *mn)
{
	if (mn->primary)
		return rcu_access_pointer(mn->dlif->mn) == mn;
	return !READ_ONCE(mn->gone);
}

/* The MAC that @mn's node sends to for its DLIF (RCU readers or RTNL). */
static inline const u8 *dlif_mn_router(const struct dlif_mn *mn)
{
	return mn->primary ? mn->dlif->dev->dev_addr : mn->router;
}

/* The port index key: the mobile node's MAC (rhashtable hashes it with
 * jhash and a per-table random seed).
 */
static const struct rhashtable_params dlif_mn_params __maybe_unused = {
	.key_len		= ETH_ALEN,
	.key_offset		= offsetof(struct dlif_mn, addr),
	.head_offset		= offsetof(struct dlif_mn, node),
	.automatic_shrinking	= true,
};

bool netif_is_dlif(const struct net_device *dev);
int dlif_device_init(void);
void dlif_device_uninit(void);
int dlif_dev_bind(struct dlif_dev *dlif, const u8 *mn_addr,
		  struct netlink_ext_ack *extack);
struct dlif_origin;
int dlif_binding_add(struct dlif_dev *dlif, const u8 *mn_addr,
		     const u8 *router, const struct in6_addr *router_ll,
		     const struct dlif_origin *origin,
		     struct netlink_ext_ack *extack);
int dlif_binding_del(struct dlif_dev *dlif, const u8 *mn_addr,
		     const struct dlif_origin *origin,
		     struct netlink_ext_ack *extack);

/* ------------------------------------------------------------------- table */

/*
 * Per-entry counters. Atomics, not per-CPU counters: a table holds up to
 * hundreds of thousands of entries, and per-CPU memory for each would cost
 * (entries x possible CPUs) and a per-CPU allocation per entry added; an
 * entry's traffic is one mobile node's prefix, so the cache line is
 * rarely contended. They sit on a cache line of their own (struct
 * dlif_entry), so that counting a packet never takes from other CPUs the
 * line every lookup reads.
 */
struct dlif_entry_counters {
	atomic64_t encap_packets;
	atomic64_t encap_bytes;
	atomic64_t decap_packets;
	atomic64_t decap_bytes;
};

/* Drop reasons, counted per entry. */
enum dlif_drop {
	DLIF_DROP_SPOOF,
	DLIF_DROP_TOO_BIG,
	DLIF_DROP_NO_ROUTE,
	DLIF_DROP_HOP_LIMIT,
	DLIF_DROP_ECN,
	DLIF_DROP_OTHER,
	__DLIF_DROP_MAX,
};

/*
 * A tunnel endpoint as (peer address, local address), shared by every
 * entry that names both; its outer route and source address are cached
 * per CPU. Keyed by both so that entries with different local addresses
 * never take each other's source from the cache. Freed after an RCU
 * grace period once no entry names it; an entry's peer pointer never
 * changes while the entry lives, so readers holding the entry may follow
 * it.
 */
struct dlif_peer {
	struct hlist_node node;			/* dlif_net->peers, RCU */
	struct in6_addr addr;
	struct in6_addr local;			/* :: = chosen by the route */
	struct dst_cache dst_cache;
	unsigned int refs;			/* entries naming it; table lock */
	struct rcu_head rcu;
};

/* The lookup key: the prefix, masked to its length. Padding is zero. */
struct dlif_key {
	struct in6_addr prefix;
	u8 plen;
	u8 pad[3];
};

/*
 * A table entry. The first cache line holds what the packet paths read
 * (the hash chain, the key, the role and the tunnel) and is written only
 * by the control plane; the counters, written per packet, start the next
 * one, with the fields that only writers and dumps touch after them.
 * dlif_table_init() checks the split at build time.
 */
struct dlif_entry {
	struct rhash_head node;			/* dlif_net->entries */
	struct dlif_key key;
	u8 role;				/* enum dlif_role */
	u8 hop_limit;
	/* NULL for attached and open local-export entries; fixed for the
	 * entry's life.
	 */
	struct dlif_peer *peer;
	struct dlif_dev *dlif;			/* NULL when it names no DLIF */
	struct in6_addr local;			/* outer source, :: = by route */

	struct dlif_entry_counters counters ____cacheline_aligned_in_smp;
	atomic_long_t drops[__DLIF_DROP_MAX];
	/* The node of the DLIF's binding that the prefix belongs to; zero
	 * for the DLIF's primary node. Off the first cache line: the packet
	 * paths read it only on a DLIF with more than one binding.
	 */
	u8 mn_addr[ETH_ALEN];
	u32 id;					/* dlif_net->ids, dump order */
	netdevice_tracker dev_tracker;
	struct list_head dlif_node;		/* dlif->entries */
	/* The binding that mn_addr names, on whose list of entries this
	 * one is; NULL without mn_addr. (table lock)
	 */
	struct dlif_mn *mn;
	struct list_head mn_node;
	struct rcu_head rcu;
};

/* Prefix lengths present for one role, longest first (RCU published). */
struct dlif_lens {
	unsigned int n;
	u8 len[129];
	struct rcu_head rcu;
};

/* Per network namespace state. */
struct dlif_net {
	struct net *net;
	struct mutex lock;			/* serialises writers */
	struct rhashtable entries;		/* keyed by struct dlif_key */
	struct xarray ids;			/* entry id -> entry, for dumps */
	struct dlif_lens __rcu *lens[__DLIF_ROLE_MAX];
	unsigned int len_count[__DLIF_ROLE_MAX][129];	/* table lock */
	/* Local-net entries naming no DLIF: they apply to every node, so
	 * every node's uplink must look (read locklessly).
	 */
	unsigned int open_local_nets;
	unsigned int nr_entries;		/* read locklessly */
	DECLARE_HASHTABLE(peers, 6);
	u32 next_id;
	/* Bumped on every change, for NLM_F_DUMP_INTR (table lock to write,
	 * never zero: a zero cb->seq disables the dump consistency check).
	 */
	unsigned int generation;
};

/* Who asked for a change: notifications carry the requester's netlink
 * port and sequence number, so that a daemon can tell its own changes
 * from others'. Internal changes (a DLIF going away) have none (zero).
 */
struct dlif_origin {
	u32 portid;
	u32 seq;
};

/* What a netlink request asks an entry to be. */
struct dlif_entry_cfg {
	struct in6_addr prefix;
	u8 plen;
	u8 role;
	u8 hop_limit;
	bool has_peer;
	struct in6_addr peer;
	struct in6_addr local;
	struct net_device *dev;			/* a DLIF (held by the caller) or NULL */
	u8 mn_addr[ETH_ALEN];			/* a node of dev's; zero: its primary */
};

/* Which entries a flush or a dump applies to; zero fields match all. */
struct dlif_entry_filter {
	u8 role;
	bool has_peer;
	struct in6_addr peer;
	int ifindex;
	u8 mn_addr[ETH_ALEN];			/* entries naming this node */
};

/*
 * The binding @e's prefix belongs to: its DLIF's binding for the entry's
 * node, or the DLIF's primary binding. NULL when the DLIF has none (it is
 * unbound, or going away). (RCU readers)
 */
static inline const struct dlif_mn *dlif_entry_binding(const struct dlif_entry *e)
{
	if (!e->dlif)
		return NULL;
	if (is_zero_ether_addr(e->mn_addr))
		return rcu_dereference_rtnl(e->dlif->mn);
	return dlif_binding_of(e->dlif, e->mn_addr);
}

/* Is @mac, on @port, the node that @e's prefix belongs to? (RCU readers) */
static inline bool dlif_entry_is_nodes(const struct dlif_entry *e,
				       const struct dlif_port *port, const u8 *mac)
{
	const struct dlif_mn *mn;

	if (!e->dlif || e->dlif->port != port)
		return false;
	mn = dlif_entry_binding(e);
	return mn && ether_addr_equal(mn->addr, mac);
}

struct dlif_net *dlif_net(const struct net *net);
int dlif_table_init(void);
int dlif_table_net_init(struct dlif_net *dn, struct net *net);
void dlif_table_net_exit(struct dlif_net *dn);
void dlif_table_uninit(void);

struct dlif_entry *dlif_lookup(struct dlif_net *dn, u8 role,
			       const struct in6_addr *addr);
struct dlif_entry *dlif_table_find(struct dlif_net *dn,
				   const struct in6_addr *prefix, u8 plen);
bool dlif_peer_known(struct dlif_net *dn, const struct in6_addr *addr);

int dlif_table_add(struct dlif_net *dn, const struct dlif_entry_cfg *cfg,
		   bool replace, const struct dlif_origin *origin,
		   struct netlink_ext_ack *extack);
int dlif_table_del(struct dlif_net *dn, const struct in6_addr *prefix, u8 plen,
		   const struct dlif_origin *origin, struct netlink_ext_ack *extack);
unsigned int dlif_table_flush(struct dlif_net *dn,
			      const struct dlif_entry_filter *filter,
			      const struct dlif_origin *origin);
void dlif_table_remove_dlif(struct dlif_dev *dlif);
void dlif_table_remove_binding(struct dlif_mn *mn);
bool dlif_entry_matches(const struct dlif_entry *e,
			const struct dlif_entry_filter *filter);

/* ------------------------------------------------------- packet paths */

rx_handler_result_t dlif_handle_frame(struct sk_buff **pskb);
bool dlif_nd_answer(struct sk_buff *skb, struct rhlist_head *node_bindings);
netdev_tx_t dlif_xmit(struct sk_buff *skb, struct net_device *dev);
void dlif_lower_xmit(struct sk_buff *skb, struct dlif_dev *dlif);
void dlif_tunnel_xmit(struct sk_buff *skb, struct dlif_entry *e,
		      struct net_device *dev);
const struct dlif_mn *dlif_routed_binding(const struct dlif_dev *dlif,
					  const struct in6_addr *daddr);
void dlif_deliver_to_mn(struct sk_buff *skb, struct dlif_dev *dlif,
			const struct dlif_mn *mn);
int dlif_tunnel_init(void);
void dlif_tunnel_uninit(void);

/* ----------------------------------------------------------------- stats */

void dlif_entry_count_encap(struct dlif_entry *e, unsigned int len);
void dlif_entry_count_decap(struct dlif_entry *e, unsigned int len);
void dlif_entry_count_drop(struct dlif_entry *e, enum dlif_drop reason);
void dlif_entry_drop(struct dlif_entry *e, struct sk_buff *skb,
		     enum dlif_drop reason);
void dlif_dev_count_rx(struct net_device *dev, unsigned int len);
void dlif_dev_count_tx(struct net_device *dev, unsigned int len);

struct dlif_entry_stats {
	u64 encap_packets, encap_bytes, decap_packets, decap_bytes;
	u64 drops[__DLIF_DROP_MAX];
};

void dlif_entry_read_stats(const struct dlif_entry *e,
			   struct dlif_entry_stats *out);

/* --------------------------------------------------------------- netlink */

int dlif_nl_init(void);
void dlif_nl_uninit(void);
void dlif_nl_notify_entry(struct dlif_net *dn, u8 cmd,
			  const struct dlif_entry *e,
			  const struct dlif_origin *origin);
void dlif_nl_notify_binding(u8 cmd, const struct dlif_mn *mn,
			    const struct dlif_origin *origin);

#endif /* _DLIF_H */
