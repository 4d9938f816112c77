/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/dlif.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_DLIF_GEN_H
#define _LINUX_DLIF_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/dlif.h>

/* Common nested types */
extern const struct nla_policy dlif_binding_nl_policy[DLIF_BINDING_A_RX_PACKETS + 1];
extern const struct nla_policy dlif_dev_nl_policy[DLIF_DEV_A_MAAR_ADDR + 1];
extern const struct nla_policy dlif_entry_nl_policy[DLIF_ENTRY_A_MN_ADDR + 1];
extern const struct nla_policy dlif_stats_nl_policy[DLIF_STATS_A_DROP_OTHER + 1];

/* Ops table for dlif */
extern const struct genl_split_ops dlif_nl_ops[12];

int dlif_nl_entry_new_doit(struct sk_buff *skb, struct genl_info *info);
int dlif_nl_entry_set_doit(struct sk_buff *skb, struct genl_info *info);
int dlif_nl_entry_del_doit(struct sk_buff *skb, struct genl_info *info);
int dlif_nl_entry_get_doit(struct sk_buff *skb, struct genl_info *info);
int dlif_nl_entry_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int dlif_nl_entry_flush_doit(struct sk_buff *skb, struct genl_info *info);
int dlif_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info);
int dlif_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int dlif_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info);
int dlif_nl_binding_new_doit(struct sk_buff *skb, struct genl_info *info);
int dlif_nl_binding_del_doit(struct sk_buff *skb, struct genl_info *info);
int dlif_nl_binding_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb);

enum {
	DLIF_NLGRP_ENTRIES,
	DLIF_NLGRP_BINDINGS,
};

#endif /* _LINUX_DLIF_GEN_H */
