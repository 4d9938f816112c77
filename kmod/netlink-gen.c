// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/dlif.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/dlif.h>

/* Common nested types */
const struct nla_policy dlif_binding_nl_policy[DLIF_BINDING_A_RX_PACKETS + 1] = {
	[DLIF_BINDING_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[DLIF_BINDING_A_MN_ADDR] = NLA_POLICY_EXACT_LEN(6),
	[DLIF_BINDING_A_ROUTER_ADDR] = NLA_POLICY_EXACT_LEN(6),
	[DLIF_BINDING_A_PRIMARY] = { .type = NLA_FLAG, },
	[DLIF_BINDING_A_ROUTER_LL] = NLA_POLICY_EXACT_LEN(16),
	[DLIF_BINDING_A_RX_PACKETS] = { .type = NLA_U64, },
};

const struct nla_policy dlif_dev_nl_policy[DLIF_DEV_A_MAAR_ADDR + 1] = {
	[DLIF_DEV_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[DLIF_DEV_A_IFNAME] = { .type = NLA_NUL_STRING, },
	[DLIF_DEV_A_LINK] = { .type = NLA_U32, },
	[DLIF_DEV_A_ADDRESS] = { .type = NLA_BINARY, },
	[DLIF_DEV_A_MN_ADDR] = NLA_POLICY_EXACT_LEN(6),
	[DLIF_DEV_A_MAAR_ADDR] = NLA_POLICY_EXACT_LEN(16),
};

const struct nla_policy dlif_entry_nl_policy[DLIF_ENTRY_A_MN_ADDR + 1] = {
	[DLIF_ENTRY_A_PREFIX] = NLA_POLICY_EXACT_LEN(16),
	[DLIF_ENTRY_A_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[DLIF_ENTRY_A_ROLE] = NLA_POLICY_RANGE(NLA_U8, 1, 5),
	[DLIF_ENTRY_A_PEER] = NLA_POLICY_EXACT_LEN(16),
	[DLIF_ENTRY_A_LOCAL] = NLA_POLICY_EXACT_LEN(16),
	[DLIF_ENTRY_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[DLIF_ENTRY_A_HOP_LIMIT] = NLA_POLICY_MIN(NLA_U8, 1),
	[DLIF_ENTRY_A_STATS] = NLA_POLICY_NESTED(dlif_stats_nl_policy),
	[DLIF_ENTRY_A_MN_ADDR] = NLA_POLICY_EXACT_LEN(6),
};

const struct nla_policy dlif_stats_nl_policy[DLIF_STATS_A_DROP_OTHER + 1] = {
	[DLIF_STATS_A_ENCAP_PACKETS] = { .type = NLA_U64, },
	[DLIF_STATS_A_ENCAP_BYTES] = { .type = NLA_U64, },
	[DLIF_STATS_A_DECAP_PACKETS] = { .type = NLA_U64, },
	[DLIF_STATS_A_DECAP_BYTES] = { .type = NLA_U64, },
	[DLIF_STATS_A_DROP_SPOOF] = { .type = NLA_U64, },
	[DLIF_STATS_A_DROP_TOO_BIG] = { .type = NLA_U64, },
	[DLIF_STATS_A_DROP_NO_ROUTE] = { .type = NLA_U64, },
	[DLIF_STATS_A_DROP_HOP_LIMIT] = { .type = NLA_U64, },
	[DLIF_STATS_A_DROP_ECN] = { .type = NLA_U64, },
	[DLIF_STATS_A_DROP_OTHER] = { .type = NLA_U64, },
};

/* DLIF_CMD_ENTRY_NEW - do */
static const struct nla_policy dlif_entry_new_nl_policy[DLIF_A_ENTRY + 1] = {
	[DLIF_A_ENTRY] = NLA_POLICY_NESTED(dlif_entry_nl_policy),
};

/* DLIF_CMD_ENTRY_SET - do */
static const struct nla_policy dlif_entry_set_nl_policy[DLIF_A_ENTRY + 1] = {
	[DLIF_A_ENTRY] = NLA_POLICY_NESTED(dlif_entry_nl_policy),
};

/* DLIF_CMD_ENTRY_DEL - do */
static const struct nla_policy dlif_entry_del_nl_policy[DLIF_A_ENTRY + 1] = {
	[DLIF_A_ENTRY] = NLA_POLICY_NESTED(dlif_entry_nl_policy),
};

/* DLIF_CMD_ENTRY_GET - do */
static const struct nla_policy dlif_entry_get_do_nl_policy[DLIF_A_ENTRY + 1] = {
	[DLIF_A_ENTRY] = NLA_POLICY_NESTED(dlif_entry_nl_policy),
};

/* DLIF_CMD_ENTRY_GET - dump */
static const struct nla_policy dlif_entry_get_dump_nl_policy[DLIF_A_ENTRY + 1] = {
	[DLIF_A_ENTRY] = NLA_POLICY_NESTED(dlif_entry_nl_policy),
};

/* DLIF_CMD_ENTRY_FLUSH - do */
static const struct nla_policy dlif_entry_flush_nl_policy[DLIF_A_ENTRY + 1] = {
	[DLIF_A_ENTRY] = NLA_POLICY_NESTED(dlif_entry_nl_policy),
};

/* DLIF_CMD_DEV_GET - do */
static const struct nla_policy dlif_dev_get_nl_policy[DLIF_A_DEV + 1] = {
	[DLIF_A_DEV] = NLA_POLICY_NESTED(dlif_dev_nl_policy),
};

/* DLIF_CMD_DEV_SET - do */
static const struct nla_policy dlif_dev_set_nl_policy[DLIF_A_DEV + 1] = {
	[DLIF_A_DEV] = NLA_POLICY_NESTED(dlif_dev_nl_policy),
};

/* DLIF_CMD_BINDING_NEW - do */
static const struct nla_policy dlif_binding_new_nl_policy[DLIF_A_BINDING + 1] = {
	[DLIF_A_BINDING] = NLA_POLICY_NESTED(dlif_binding_nl_policy),
};

/* DLIF_CMD_BINDING_DEL - do */
static const struct nla_policy dlif_binding_del_nl_policy[DLIF_A_BINDING + 1] = {
	[DLIF_A_BINDING] = NLA_POLICY_NESTED(dlif_binding_nl_policy),
};

/* DLIF_CMD_BINDING_GET - dump */
static const struct nla_policy dlif_binding_get_nl_policy[DLIF_A_BINDING + 1] = {
	[DLIF_A_BINDING] = NLA_POLICY_NESTED(dlif_binding_nl_policy),
};

/* Ops table for dlif */
const struct genl_split_ops dlif_nl_ops[12] = {
	{
		.cmd		= DLIF_CMD_ENTRY_NEW,
		.doit		= dlif_nl_entry_new_doit,
		.policy		= dlif_entry_new_nl_policy,
		.maxattr	= DLIF_A_ENTRY,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DLIF_CMD_ENTRY_SET,
		.doit		= dlif_nl_entry_set_doit,
		.policy		= dlif_entry_set_nl_policy,
		.maxattr	= DLIF_A_ENTRY,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DLIF_CMD_ENTRY_DEL,
		.doit		= dlif_nl_entry_del_doit,
		.policy		= dlif_entry_del_nl_policy,
		.maxattr	= DLIF_A_ENTRY,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DLIF_CMD_ENTRY_GET,
		.doit		= dlif_nl_entry_get_doit,
		.policy		= dlif_entry_get_do_nl_policy,
		.maxattr	= DLIF_A_ENTRY,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DLIF_CMD_ENTRY_GET,
		.dumpit		= dlif_nl_entry_get_dumpit,
		.policy		= dlif_entry_get_dump_nl_policy,
		.maxattr	= DLIF_A_ENTRY,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= DLIF_CMD_ENTRY_FLUSH,
		.doit		= dlif_nl_entry_flush_doit,
		.policy		= dlif_entry_flush_nl_policy,
		.maxattr	= DLIF_A_ENTRY,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DLIF_CMD_DEV_GET,
		.doit		= dlif_nl_dev_get_doit,
		.policy		= dlif_dev_get_nl_policy,
		.maxattr	= DLIF_A_DEV,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= DLIF_CMD_DEV_GET,
		.dumpit	= dlif_nl_dev_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= DLIF_CMD_DEV_SET,
		.doit		= dlif_nl_dev_set_doit,
		.policy		= dlif_dev_set_nl_policy,
		.maxattr	= DLIF_A_DEV,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DLIF_CMD_BINDING_NEW,
		.doit		= dlif_nl_binding_new_doit,
		.policy		= dlif_binding_new_nl_policy,
		.maxattr	= DLIF_A_BINDING,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DLIF_CMD_BINDING_DEL,
		.doit		= dlif_nl_binding_del_doit,
		.policy		= dlif_binding_del_nl_policy,
		.maxattr	= DLIF_A_BINDING,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DLIF_CMD_BINDING_GET,
		.dumpit		= dlif_nl_binding_get_dumpit,
		.policy		= dlif_binding_get_nl_policy,
		.maxattr	= DLIF_A_BINDING,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
};

static const struct genl_multicast_group dlif_nl_mcgrps[] = {
	[DLIF_NLGRP_ENTRIES] = { "entries", },
	[DLIF_NLGRP_BINDINGS] = { "bindings", },
};
