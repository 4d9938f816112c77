/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the supported kernels (Debian 12's 6.1 and the
 * bookworm-backports 6.12) is bridged here and nowhere else. Features are
 * detected (kmod/Kbuild greps the kernel headers) rather than inferred
 * from version numbers, because distribution kernels carry backports.
 * For an upstream submission this file and its includes go away.
 */
#ifndef _DLIF_COMPAT_H
#define _DLIF_COMPAT_H

#include <linux/netdevice.h>
#include <linux/slab.h>
#include <net/genetlink.h>

/* 6.5 moved the GSO helpers out of skbuff.h into net/gso.h. */
#ifdef DLIF_HAVE_NET_GSO_H
#include <net/gso.h>
#endif

/* 6.11 turned NETIF_F_LLTX into dev->lltx. */
static inline void dlif_compat_set_lltx(struct net_device *dev)
{
#ifdef DLIF_HAVE_DEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/* 6.12 turned NETIF_F_NETNS_LOCAL into dev->netns_local, which 6.15 (and
 * later 6.12 stable releases) renamed dev->netns_immutable.
 */
static inline void dlif_compat_set_netns_local(struct net_device *dev)
{
#if defined(DLIF_HAVE_DEV_NETNS_IMMUTABLE)
	dev->netns_immutable = true;
#elif defined(DLIF_HAVE_DEV_NETNS_LOCAL)
	dev->netns_local = true;
#else
	dev->features |= NETIF_F_NETNS_LOCAL;
#endif
}

/*
 * Is a tc egress program or filter attached to @dev? 6.6 replaced the
 * clsact qdisc's mini_Qdisc with tcx (which also carries clsact's
 * filters). Under rcu_read_lock().
 */
static inline bool dlif_compat_tc_egress(const struct net_device *dev)
{
#if defined(DLIF_HAVE_TCX) && IS_ENABLED(CONFIG_NET_XGRESS)
	return rcu_access_pointer(dev->tcx_egress);
#elif !defined(DLIF_HAVE_TCX) && IS_ENABLED(CONFIG_NET_CLS_ACT)
	return rcu_access_pointer(dev->miniq_egress);
#else
	return false;
#endif
}

/* Later kernels (6.14) made the per-namespace tap check an RCU reader. */
static inline bool dlif_compat_dev_taps(struct net_device *dev)
{
#ifdef DLIF_HAVE_DEV_NIT_ACTIVE_RCU
	return dev_nit_active_rcu(dev);
#else
	return dev_nit_active(dev);
#endif
}

/* 6.7 gave dumps a whole struct genl_info (genl_info_dump()). */
static inline struct nlattr **dlif_compat_dump_attrs(struct netlink_callback *cb)
{
#ifdef DLIF_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * 6.2 split a command's operations into one struct genl_split_ops per do
 * and per dump, each with its own policy: the table ynl-gen-c renders
 * (netlink-gen.c). 6.1 has one struct genl_ops per command, with both
 * handlers and one policy. There, the generated table is declared with
 * the struct below (kmod/Kbuild force-includes this header into
 * netlink-gen.c) and folded into genl_ops when the family registers: a
 * command's do and dump (adjacent in the table) become one op with the
 * do's policy, as the family had before generation. The dumps' policies
 * in the spec are the do's or none, so nothing is checked less.
 */
#ifdef DLIF_HAVE_GENL_SPLIT_OPS
static inline int dlif_compat_set_split_ops(struct genl_family *family,
					    const struct genl_split_ops *split,
					    unsigned int n)
{
	family->split_ops = split;
	family->n_split_ops = n;
	return 0;
}

static inline void dlif_compat_free_ops(struct genl_family *family)
{
}
#else
struct genl_split_ops {
	int (*doit)(struct sk_buff *skb, struct genl_info *info);
	int (*start)(struct netlink_callback *cb);
	int (*dumpit)(struct sk_buff *skb, struct netlink_callback *cb);
	int (*done)(struct netlink_callback *cb);
	const struct nla_policy *policy;
	unsigned int maxattr;
	u8 cmd;
	u8 internal_flags;
	u8 flags;
	u8 validate;
};

static inline int dlif_compat_set_split_ops(struct genl_family *family,
					    const struct genl_split_ops *split,
					    unsigned int n)
{
	const u8 caps = GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP | GENL_CMD_CAP_HASPOL;
	unsigned int i, n_ops = 0;
	struct genl_ops *ops;

	ops = kcalloc(n, sizeof(*ops), GFP_KERNEL);
	if (!ops)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct genl_split_ops *s = &split[i];
		struct genl_ops *op = &ops[n_ops];

		if (n_ops && ops[n_ops - 1].cmd == s->cmd)
			op = &ops[n_ops - 1];
		else
			n_ops++;
		op->cmd = s->cmd;
		op->flags |= s->flags & ~caps;
		op->internal_flags |= s->internal_flags;
		op->validate |= s->validate;
		if (s->doit)
			op->doit = s->doit;
		if (s->dumpit) {
			op->start = s->start;
			op->dumpit = s->dumpit;
			op->done = s->done;
		}
		if (s->policy && (s->doit || !op->policy)) {
			op->policy = s->policy;
			op->maxattr = s->maxattr;
		}
	}
	family->ops = ops;
	family->n_ops = n_ops;
	return 0;
}

static inline void dlif_compat_free_ops(struct genl_family *family)
{
	kfree(family->ops);
}
#endif

/* Drop reasons newer than 6.1: the nearest older one instead. */
#ifdef DLIF_HAVE_DROP_REASON_TUNNEL_ECN
#define DLIF_DROP_REASON_TUNNEL_ECN	SKB_DROP_REASON_IP_TUNNEL_ECN
#else
#define DLIF_DROP_REASON_TUNNEL_ECN	SKB_DROP_REASON_NOT_SPECIFIED
#endif
#ifdef DLIF_HAVE_DROP_REASON_NO_TX_TARGET
#define DLIF_DROP_REASON_NO_TX_TARGET	SKB_DROP_REASON_NO_TX_TARGET
#else
#define DLIF_DROP_REASON_NO_TX_TARGET	SKB_DROP_REASON_NOT_SPECIFIED
#endif

/* 6.10 added dst_rt6_info(); before, a dst of IPv6 was cast. */
#ifndef DLIF_HAVE_DST_RT6_INFO
#define dst_rt6_info(_ptr) ((struct rt6_info *)(_ptr))
#endif

/* 6.2 added the KUnit-only exports; a kernel without them has no KUnit
 * tests of the module either.
 */
#ifdef DLIF_HAVE_KUNIT_VISIBILITY_H
#include <kunit/visibility.h>
#else
#define EXPORT_SYMBOL_IF_KUNIT(symbol)
#endif

#endif /* _DLIF_COMPAT_H */
