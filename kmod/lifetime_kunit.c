// SPDX-License-Identifier: GPL-2.0
/*
 * dlif: KUnit probes of what a packet path holds outliving a change.
 *
 * The packet paths find an object under rcu_read_lock() (a prefix
 * table entry and its peer; a mobile node's binding in the lower
 * device's index) while the control path, on another CPU, re-points or
 * deletes it. What the reader took must stay valid until it leaves its
 * read-side section. A traffic stress meets that window only by chance,
 * and KASAN's quarantine hides a too-early free unless the window is
 * met: here a reader kthread holds the window open on one CPU while a
 * writer kthread makes the change on another, and then reads what it
 * found. KASAN judges the reads.
 *
 * Objects a change cannot free while a reader holds them are not probed
 * here: a DLIF and its port go through unregister_netdevice() and
 * netdev_rx_handler_unregister(), which wait for the readers themselves
 * (synchronize_net()), so the probe's writer could not finish its change
 * inside the reader's window.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/kthread.h>
#include <linux/rhashtable.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "dlif.h"

/* ---------------------------------------------------------- the harness */

/*
 * One reader and one writer, each a kthread bound to its own CPU. The
 * reader finds the object (hold), says so, and waits inside its
 * read-side section (spinning: it must not sleep there) until the
 * writer has made its change; only then does it read what it found
 * (use). The writer frees nothing itself: whatever its change released
 * must outlive the reader.
 *
 * The writer takes the locks its change needs (lock) before the reader
 * holds anything. A task that holds one of them and yields the reader's
 * CPU to the reader (a kworker holding RTNL: linkwatch, addrconf) runs
 * again only when the reader lets go; a writer waiting for that lock
 * would miss the window (seen: RTNL, binding-del, 2 vCPUs).
 */
struct lifetime_probe {
	bool (*hold)(struct lifetime_probe *p);		/* under RCU: found? */
	void (*lock)(struct lifetime_probe *p);		/* optional */
	int (*change)(struct lifetime_probe *p);	/* may sleep */
	void (*unlock)(struct lifetime_probe *p);	/* optional */
	void (*use)(struct lifetime_probe *p);		/* under RCU, after */
	bool ready, found, changed;		/* release / acquire */
	bool overlapped;			/* changed while the reader held */
	int change_err;
	struct completion read, written;
};

/* Long enough for a writer under KASAN and lockdep in an emulated VM;
 * short of the RCU stall and soft lockup detectors (21 and 20 s).
 */
#define LIFETIME_WAIT	(5 * HZ)

static int lifetime_reader(void *arg)
{
	struct lifetime_probe *p = arg;
	unsigned long deadline = jiffies + LIFETIME_WAIT;
	bool found;

	/* Pairs with the writer's release: it holds its locks. */
	while (!smp_load_acquire(&p->ready) && time_before(jiffies, deadline))
		usleep_range(100, 200);
	deadline = jiffies + LIFETIME_WAIT;
	rcu_read_lock();
	found = p->hold(p);
	/* Pairs with the writer's acquire: it changes nothing before this. */
	smp_store_release(&p->found, found);
	if (found) {
		/* Pairs with the writer's release: its change is complete. */
		while (!smp_load_acquire(&p->changed) && time_before(jiffies, deadline))
			cpu_relax();
		/* Again, for a change that came after the deadline. */
		p->overlapped = smp_load_acquire(&p->changed);
		/* The accesses under test: after the change, before unlock. */
		p->use(p);
	}
	rcu_read_unlock();
	complete(&p->read);
	return 0;
}

static int lifetime_writer(void *arg)
{
	struct lifetime_probe *p = arg;
	unsigned long deadline;

	if (p->lock)
		p->lock(p);
	/* Pairs with the reader's acquire: it may hold the object now. */
	smp_store_release(&p->ready, true);
	deadline = jiffies + 2 * LIFETIME_WAIT;
	/* Pairs with the reader's release: it holds the object now. */
	while (!smp_load_acquire(&p->found) && time_before(jiffies, deadline))
		usleep_range(100, 200);
	p->change_err = p->change(p);
	/* Pairs with the reader's acquire: the change is done. */
	smp_store_release(&p->changed, true);
	if (p->unlock)
		p->unlock(p);
	complete(&p->written);
	return 0;
}

static void run_lifetime_probe(struct kunit *test, struct lifetime_probe *p)
{
	struct task_struct *reader, *writer;
	int cpu_r, cpu_w;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs: the reader and the writer run at once");
	init_completion(&p->read);
	init_completion(&p->written);

	cpu_r = cpumask_first(cpu_online_mask);
	cpu_w = cpumask_next(cpu_r, cpu_online_mask);
	reader = kthread_create(lifetime_reader, p, "dlif_kunit_r");
	KUNIT_ASSERT_FALSE(test, IS_ERR(reader));
	writer = kthread_create(lifetime_writer, p, "dlif_kunit_w");
	if (IS_ERR(writer)) {
		kthread_stop(reader);
		KUNIT_FAIL(test, "cannot create the writer");
		return;
	}
	kthread_bind(reader, cpu_r);
	kthread_bind(writer, cpu_w);
	wake_up_process(reader);
	wake_up_process(writer);
	/* Both always finish: each gives up after LIFETIME_WAIT. */
	wait_for_completion(&p->read);
	wait_for_completion(&p->written);

	KUNIT_ASSERT_TRUE_MSG(test, READ_ONCE(p->found), "the reader did not find the object");
	KUNIT_EXPECT_EQ(test, p->change_err, 0);
	/* Else nothing was tested: does the writer wait for readers now? */
	KUNIT_EXPECT_TRUE_MSG(test, p->overlapped,
			      "the change did not complete while the reader held the object");
}

/* ------------------------------------------- table entries and peers */

#define NR_PEERS	2

struct entry_probe {
	struct lifetime_probe probe;
	struct dlif_net *dn;
	struct in6_addr addr;			/* looked up, serving role */
	struct dlif_entry_cfg other;		/* what a re-point installs */
	struct in6_addr peers[NR_PEERS];
	const struct dlif_entry *e;		/* held */
	const struct dlif_peer *peer;		/* held */
	u8 seen_plen;
	struct in6_addr seen_peer;
};

static int entry_probe_init(struct kunit *test)
{
	struct entry_probe *ep;
	int i;

	ep = kunit_kzalloc(test, sizeof(*ep), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ep);
	ep->dn = kunit_kzalloc(test, sizeof(*ep->dn), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ep->dn);
	/* Notifications go to init_net's "entries" group; nobody listens
	 * in the VM that runs this.
	 */
	KUNIT_ASSERT_EQ(test, dlif_table_net_init(ep->dn, &init_net), 0);
	for (i = 0; i < NR_PEERS; i++)
		ipv6_addr_set(&ep->peers[i], htonl(0x20010db8), htonl(0xff), 0, htonl(i + 1));
	test->priv = ep;
	return 0;
}

static void entry_probe_exit(struct kunit *test)
{
	struct entry_probe *ep = test->priv;

	/* Flushes what is left; WARNs if a peer outlived its entries. */
	dlif_table_net_exit(ep->dn);
	rcu_barrier();
}

static bool entry_hold(struct lifetime_probe *p)
{
	struct entry_probe *ep = container_of(p, struct entry_probe, probe);

	ep->e = dlif_lookup(ep->dn, DLIF_ROLE_SERVING, &ep->addr);
	if (ep->e)
		ep->peer = READ_ONCE(ep->e->peer);
	return ep->e && ep->peer;
}

static void entry_use(struct lifetime_probe *p)
{
	struct entry_probe *ep = container_of(p, struct entry_probe, probe);

	ep->seen_plen = READ_ONCE(ep->e->key.plen);
	ep->seen_peer = ep->peer->addr;
}

static int repoint_to_other_peer(struct lifetime_probe *p)
{
	struct entry_probe *ep = container_of(p, struct entry_probe, probe);

	return dlif_table_add(ep->dn, &ep->other, true, NULL, NULL);
}

static int delete_entry(struct lifetime_probe *p)
{
	struct entry_probe *ep = container_of(p, struct entry_probe, probe);

	return dlif_table_del(ep->dn, &ep->other.prefix, ep->other.plen, NULL, NULL);
}

static void run_entry_probe(struct kunit *test, int (*change)(struct lifetime_probe *p))
{
	struct entry_probe *ep = test->priv;
	struct dlif_entry_cfg cfg = {
		.plen = 64,
		.role = DLIF_ROLE_SERVING,
		.hop_limit = DLIF_DEFAULT_HOP_LIMIT,
		.has_peer = true,
	};

	ipv6_addr_set(&cfg.prefix, htonl(0x20010db8), htonl(0xa), 0, 0);
	/* The entry holds the only reference to its peer: the change
	 * releases the peer as well as the entry.
	 */
	cfg.peer = ep->peers[0];
	KUNIT_ASSERT_EQ(test, dlif_table_add(ep->dn, &cfg, false, NULL, NULL), 0);

	ep->addr = cfg.prefix;
	ep->addr.s6_addr[15] = 1;
	ep->other = cfg;
	ep->other.peer = ep->peers[1];
	ep->probe.hold = entry_hold;
	ep->probe.change = change;
	ep->probe.use = entry_use;
	run_lifetime_probe(test, &ep->probe);

	KUNIT_EXPECT_EQ(test, ep->seen_plen, 64);
	KUNIT_EXPECT_TRUE_MSG(test, ipv6_addr_equal(&ep->seen_peer, &ep->peers[0]),
			      "the reader's peer read %pI6c after the change", &ep->seen_peer);
}

/* A handover re-points the prefix while a packet is on its way out. */
static void peer_outlives_a_repoint_until_readers_leave(struct kunit *test)
{
	run_entry_probe(test, repoint_to_other_peer);
}

/* A departure deletes it. */
static void entry_outlives_its_deletion_until_readers_leave(struct kunit *test)
{
	run_entry_probe(test, delete_entry);
}

static struct kunit_case dlif_lifetime_cases[] = {
	KUNIT_CASE(peer_outlives_a_repoint_until_readers_leave),
	KUNIT_CASE(entry_outlives_its_deletion_until_readers_leave),
	{}
};

static struct kunit_suite dlif_lifetime_suite = {
	.name = "dlif_lifetime",
	.init = entry_probe_init,
	.exit = entry_probe_exit,
	.test_cases = dlif_lifetime_cases,
};

/* ------------------------------------------------------------ bindings */

/*
 * A real DLIF, made as `ip link add link LOWER type dlif mn-addr NODE`
 * makes it (rtnl_create_link() and the link type's newlink), on a lower
 * Ethernet device of the test's own that drops what it is given.
 */
struct binding_probe {
	struct lifetime_probe probe;
	struct net_device *lower;
	struct dlif_dev *dlif;
	u8 mac[ETH_ALEN];			/* the node the reader looks up */
	struct dlif_mn *mn;			/* held */
	u8 seen_addr[ETH_ALEN];
	u8 seen_router[ETH_ALEN];
	bool seen_current;
};

static const u8 node_a[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const u8 node_b[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };
static const u8 node_c[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c };
static const u8 router_b[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x01, 0x0b };

static netdev_tx_t lower_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_kfree_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops lower_ops = {
	.ndo_start_xmit	= lower_xmit,
};

static void lower_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &lower_ops;
}

/* Netlink attributes as rtnetlink hands them to newlink (validated). */
struct nla_u32 {
	struct nlattr nla;
	u32 value;
};

struct nla_mac {
	struct nlattr nla;
	u8 addr[ETH_ALEN];
};

static struct net_device *make_dlif(struct net_device *lower, const u8 *mn,
				    struct netlink_ext_ack *extack)
{
	struct nla_u32 link = {
		.nla = { .nla_len = nla_attr_size(sizeof(u32)), .nla_type = IFLA_LINK },
		.value = lower->ifindex,
	};
	struct nla_mac mn_addr = {
		.nla = { .nla_len = nla_attr_size(ETH_ALEN), .nla_type = IFLA_DLIF_MN_ADDR },
	};
	struct nlattr *data[IFLA_DLIF_MAX + 1] = {};
	struct nlattr **tb;
	struct net_device *dev;
	int err;

	tb = kcalloc(IFLA_MAX + 1, sizeof(*tb), GFP_KERNEL);
	if (!tb)
		return ERR_PTR(-ENOMEM);
	tb[IFLA_LINK] = &link.nla;
	ether_addr_copy(mn_addr.addr, mn);
	data[IFLA_DLIF_MN_ADDR] = &mn_addr.nla;

	dev = rtnl_create_link(&init_net, "dlifkt%d", NET_NAME_ENUM, &dlif_link_ops,
			       tb, extack);
	if (IS_ERR(dev))
		goto out;
	err = dlif_link_ops.newlink(&init_net, dev, tb, data, extack);
	if (err) {
		free_netdev(dev);
		dev = ERR_PTR(err);
		goto out;
	}
	err = rtnl_configure_link(dev, NULL, 0, NULL);
	if (!err)
		err = dev_open(dev, extack);
	if (err) {
		/* The lower device's unregistration takes it with it. */
		dev = ERR_PTR(err);
	}
out:
	kfree(tb);
	return dev;
}

static int binding_probe_init(struct kunit *test)
{
	struct netlink_ext_ack extack = {};
	struct binding_probe *bp;
	struct net_device *dev;
	int err;

	bp = kunit_kzalloc(test, sizeof(*bp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bp);
	test->priv = bp;
	bp->lower = alloc_netdev(0, "dlifkl%d", NET_NAME_ENUM, lower_setup);
	KUNIT_ASSERT_NOT_NULL(test, bp->lower);
	eth_hw_addr_random(bp->lower);

	rtnl_lock();
	err = register_netdevice(bp->lower);
	if (err) {
		rtnl_unlock();
		free_netdev(bp->lower);
		bp->lower = NULL;
		KUNIT_ASSERT_EQ(test, err, 0);
	}
	err = dev_open(bp->lower, &extack);
	dev = err ? ERR_PTR(err) : make_dlif(bp->lower, node_a, &extack);
	if (!IS_ERR(dev)) {
		bp->dlif = netdev_priv(dev);
		/* A second node bound to the same DLIF, as a MAAR shares
		 * one DLIF per anchoring MAAR between its nodes.
		 */
		err = dlif_binding_add(bp->dlif, node_b, router_b, NULL, NULL, &extack);
	}
	rtnl_unlock();
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(dev), "cannot make the DLIF: %ld %s",
			       PTR_ERR(dev), extack._msg ?: "");
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "cannot add the binding: %s", extack._msg ?: "");
	return 0;
}

static void binding_probe_exit(struct kunit *test)
{
	struct binding_probe *bp = test->priv;

	if (!bp || !bp->lower)
		return;
	/* Its DLIF goes with it (the module's device notifier). */
	unregister_netdev(bp->lower);
	free_netdev(bp->lower);
	rcu_barrier();
}

/* As the receive demux finds a node's frames' binding (rx.c). */
static bool binding_hold(struct lifetime_probe *p)
{
	struct binding_probe *bp = container_of(p, struct binding_probe, probe);
	struct rhlist_head *list, *pos;
	struct dlif_mn *mn;

	list = rhltable_lookup(&bp->dlif->port->by_mn, bp->mac, dlif_mn_params);
	rhl_for_each_entry_rcu(mn, pos, list, node) {
		if (dlif_mn_current(mn)) {
			bp->mn = mn;
			return true;
		}
	}
	return false;
}

static void binding_use(struct lifetime_probe *p)
{
	struct binding_probe *bp = container_of(p, struct binding_probe, probe);
	struct dlif_mn *mn = bp->mn;

	ether_addr_copy(bp->seen_addr, mn->addr);
	ether_addr_copy(bp->seen_router, dlif_mn_router(mn));
	bp->seen_current = dlif_mn_current(mn);
	if (!mn->primary)
		atomic64_inc(&mn->rx_packets);
}

static void binding_lock(struct lifetime_probe *p)
{
	rtnl_lock();
}

static void binding_unlock(struct lifetime_probe *p)
{
	rtnl_unlock();
}

static int delete_binding(struct lifetime_probe *p)
{
	struct binding_probe *bp = container_of(p, struct binding_probe, probe);

	return dlif_binding_del(bp->dlif, node_b, NULL, NULL);
}

static int rebind_to_other_node(struct lifetime_probe *p)
{
	struct binding_probe *bp = container_of(p, struct binding_probe, probe);

	return dlif_dev_bind(bp->dlif, node_c, NULL);
}

static void run_binding_probe(struct kunit *test, const u8 *mac,
			      int (*change)(struct lifetime_probe *p))
{
	struct binding_probe *bp = test->priv;

	ether_addr_copy(bp->mac, mac);
	bp->probe.hold = binding_hold;
	bp->probe.lock = binding_lock;
	bp->probe.change = change;
	bp->probe.unlock = binding_unlock;
	bp->probe.use = binding_use;
	run_lifetime_probe(test, &bp->probe);

	KUNIT_EXPECT_TRUE(test, ether_addr_equal(bp->seen_addr, mac));
	/* Readers that found it see it gone, and skip it. */
	KUNIT_EXPECT_FALSE(test, bp->seen_current);
}

/* A node leaves a DLIF it shared: binding-del. */
static void binding_outlives_its_deletion_until_readers_leave(struct kunit *test)
{
	struct binding_probe *bp = test->priv;

	run_binding_probe(test, node_b, delete_binding);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(bp->seen_router, router_b));
}

/* A DLIF is handed to another node: dev-set mn-addr. */
static void primary_binding_outlives_a_rebind_until_readers_leave(struct kunit *test)
{
	struct binding_probe *bp = test->priv;

	run_binding_probe(test, node_a, rebind_to_other_node);
	KUNIT_EXPECT_TRUE(test, ether_addr_equal(bp->seen_router, bp->dlif->dev->dev_addr));
}

static struct kunit_case dlif_binding_lifetime_cases[] = {
	KUNIT_CASE(binding_outlives_its_deletion_until_readers_leave),
	KUNIT_CASE(primary_binding_outlives_a_rebind_until_readers_leave),
	{}
};

static struct kunit_suite dlif_binding_lifetime_suite = {
	.name = "dlif_binding_lifetime",
	.init = binding_probe_init,
	.exit = binding_probe_exit,
	.test_cases = dlif_binding_lifetime_cases,
};

kunit_test_suites(&dlif_lifetime_suite, &dlif_binding_lifetime_suite);
