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
#include <net/genetlink.h>

/* 6.5 moved the GSO helpers out of skbuff.h into net/gso.h. */
#if __has_include(<net/gso.h>)
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

/* 6.7 gave dumps a whole struct genl_info (genl_info_dump()). */
static inline struct nlattr **dlif_compat_dump_attrs(struct netlink_callback *cb)
{
#ifdef DLIF_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

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
#if __has_include(<kunit/visibility.h>)
#include <kunit/visibility.h>
#else
#define EXPORT_SYMBOL_IF_KUNIT(symbol)
#endif

#endif /* _DLIF_COMPAT_H */
