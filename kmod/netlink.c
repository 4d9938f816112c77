// SPDX-License-Identifier: GPL-2.0
/*
 * dlif: the "dlif" generic netlink family, as specified by
 * Documentation/netlink/specs/dlif.yaml. Its policies and split ops are
 * generated from the spec (netlink-gen.c, by scripts/ynl-gen.sh); the
 * handlers and the family are here.
 *
 * Every request is validated by policy before a handler runs; the
 * handlers add the semantic checks, each rejection with an extack message.
 * Every request, reads included, and the "entries" multicast group need
 * CAP_NET_ADMIN in the namespace's user namespace: the table tells who is
 * where, every node's handovers among it. The family runs with
 * parallel_ops: the table has its own lock, device changes take RTNL.
 */

#include <net/addrconf.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/rtnetlink.h>

#include "dlif.h"
#include "netlink-gen.h"

/*
 * The groups are declared here rather than taken from netlink-gen.c: the
 * generator of the 6.12 tree does not render a group's flags, and joining
 * these needs CAP_NET_ADMIN (uns-admin-perm in the spec).
 */
static const struct genl_multicast_group dlif_mcgrps[] = {
	[DLIF_NLGRP_ENTRIES] = {
		.name	= DLIF_MCGRP_ENTRIES,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
	[DLIF_NLGRP_BINDINGS] = {
		.name	= DLIF_MCGRP_BINDINGS,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family dlif_family;

/* A missing attribute, reported both in words and as NLMSGERR_ATTR_MISS. */
#define DLIF_MISSING(extack, nest, tb, type, what) ({			\
	struct netlink_ext_ack *__ack = (extack);			\
	bool __missing = !(tb)[type];					\
	if (__missing) {						\
		NL_SET_ERR_MSG(__ack, "missing " what);			\
		NL_SET_ERR_ATTR_MISS(__ack, (nest), (type));		\
	}								\
	__missing;							\
})

/* The nest @type of a request must be present. */
static int dlif_require_nest(struct genl_info *info, int type)
{
	if (!info->attrs[type]) {
		NL_SET_ERR_MSG(info->extack, "missing the request's attribute nest");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, type);
		return -EINVAL;
	}
	return 0;
}

/*
 * Attributes only replies carry. The spec describes each attribute set
 * once, for requests and replies alike, so the generated policies accept
 * them; a request that sets one is refused rather than silently ignored.
 */
static int dlif_reject_read_only(struct netlink_ext_ack *extack, struct nlattr **tb,
				 const int *types, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (tb[types[i]]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[types[i]],
					    "read-only attribute: only replies carry it");
			return -EINVAL;
		}
	}
	return 0;
}

static int dlif_parse_entry_nest(struct nlattr **tb, const struct nlattr *nest,
				 struct netlink_ext_ack *extack)
{
	static const int read_only[] = { DLIF_ENTRY_A_STATS };
	int err;

	err = nla_parse_nested(tb, DLIF_ENTRY_A_MAX, nest, dlif_entry_nl_policy, extack);
	return err ?: dlif_reject_read_only(extack, tb, read_only, ARRAY_SIZE(read_only));
}

static int dlif_parse_dev_nest(struct nlattr **tb, const struct nlattr *nest,
			       struct netlink_ext_ack *extack)
{
	static const int read_only[] = {
		DLIF_DEV_A_IFNAME, DLIF_DEV_A_LINK, DLIF_DEV_A_ADDRESS,
	};
	int err;

	err = nla_parse_nested(tb, DLIF_DEV_A_MAX, nest, dlif_dev_nl_policy, extack);
	return err ?: dlif_reject_read_only(extack, tb, read_only, ARRAY_SIZE(read_only));
}

/* ---------------------------------------------------------------- replies */

static int dlif_put_stats(struct sk_buff *skb, const struct dlif_entry *e)
{
	static const int drop_attr[__DLIF_DROP_MAX] = {
		[DLIF_DROP_SPOOF]	= DLIF_STATS_A_DROP_SPOOF,
		[DLIF_DROP_TOO_BIG]	= DLIF_STATS_A_DROP_TOO_BIG,
		[DLIF_DROP_NO_ROUTE]	= DLIF_STATS_A_DROP_NO_ROUTE,
		[DLIF_DROP_HOP_LIMIT]	= DLIF_STATS_A_DROP_HOP_LIMIT,
		[DLIF_DROP_ECN]		= DLIF_STATS_A_DROP_ECN,
		[DLIF_DROP_OTHER]	= DLIF_STATS_A_DROP_OTHER,
	};
	struct dlif_entry_stats st;
	struct nlattr *nest;
	int i;

	dlif_entry_read_stats(e, &st);
	nest = nla_nest_start(skb, DLIF_ENTRY_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, DLIF_STATS_A_ENCAP_PACKETS, st.encap_packets,
			      DLIF_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DLIF_STATS_A_ENCAP_BYTES, st.encap_bytes,
			      DLIF_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DLIF_STATS_A_DECAP_PACKETS, st.decap_packets,
			      DLIF_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DLIF_STATS_A_DECAP_BYTES, st.decap_bytes,
			      DLIF_STATS_A_PAD))
		goto cancel;
	for (i = 0; i < __DLIF_DROP_MAX; i++)
		if (nla_put_u64_64bit(skb, drop_attr[i], st.drops[i], DLIF_STATS_A_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int dlif_put_entry(struct sk_buff *skb, const struct dlif_entry *e,
			  bool with_stats)
{
	const struct dlif_peer *peer;
	struct nlattr *nest;

	nest = nla_nest_start(skb, DLIF_A_ENTRY);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_in6_addr(skb, DLIF_ENTRY_A_PREFIX, &e->key.prefix) ||
	    nla_put_u8(skb, DLIF_ENTRY_A_PREFIX_LEN, e->key.plen) ||
	    nla_put_u8(skb, DLIF_ENTRY_A_ROLE, e->role) ||
	    nla_put_u8(skb, DLIF_ENTRY_A_HOP_LIMIT, e->hop_limit))
		goto cancel;
	peer = READ_ONCE(e->peer);
	if (peer && nla_put_in6_addr(skb, DLIF_ENTRY_A_PEER, &peer->addr))
		goto cancel;
	if (!ipv6_addr_any(&e->local) &&
	    nla_put_in6_addr(skb, DLIF_ENTRY_A_LOCAL, &e->local))
		goto cancel;
	if (e->dlif && nla_put_u32(skb, DLIF_ENTRY_A_IFINDEX, e->dlif->dev->ifindex))
		goto cancel;
	if (!is_zero_ether_addr(e->mn_addr) &&
	    nla_put(skb, DLIF_ENTRY_A_MN_ADDR, ETH_ALEN, e->mn_addr))
		goto cancel;
	if (with_stats && dlif_put_stats(skb, e))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int dlif_entry_msg(struct sk_buff *skb, const struct dlif_entry *e,
			  u32 portid, u32 seq, int flags, u8 cmd, bool with_stats)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &dlif_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (dlif_put_entry(skb, e, with_stats)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

void dlif_nl_notify_entry(struct dlif_net *dn, u8 cmd, const struct dlif_entry *e,
			  const struct dlif_origin *origin)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&dlif_family, dn->net, DLIF_NLGRP_ENTRIES))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (dlif_entry_msg(msg, e, origin ? origin->portid : 0,
			   origin ? origin->seq : 0, 0, cmd, false)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&dlif_family, dn->net, msg, 0,
				DLIF_NLGRP_ENTRIES, GFP_KERNEL);
}

/*
 * The DLIF that a request's ifindex attribute @attr names, held, or an
 * ERR_PTR with the extack saying why not.
 */
static struct net_device *dlif_nl_dlif_get(struct net *net, const struct nlattr *attr,
					   struct netlink_ext_ack *extack)
{
	struct net_device *dev;

	dev = dev_get_by_index(net, nla_get_u32(attr));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "no such device in this network namespace");
		return ERR_PTR(-ENODEV);
	}
	if (!netif_is_dlif(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG_ATTR(extack, attr, "device is not a dlif device");
		return ERR_PTR(-EINVAL);
	}
	return dev;
}

/* ----------------------------------------------------------- entry requests */

static int dlif_parse_entry_cfg(struct genl_info *info, const struct nlattr *nest,
				struct nlattr **tb, struct dlif_entry_cfg *cfg)
{
	struct netlink_ext_ack *extack = info->extack;
	struct net *net = genl_info_net(info);
	struct net_device *dev;
	int type;

	if (DLIF_MISSING(extack, nest, tb, DLIF_ENTRY_A_PREFIX, "prefix") ||
	    DLIF_MISSING(extack, nest, tb, DLIF_ENTRY_A_PREFIX_LEN, "prefix length") ||
	    DLIF_MISSING(extack, nest, tb, DLIF_ENTRY_A_ROLE, "role"))
		return -EINVAL;

	memset(cfg, 0, sizeof(*cfg));
	cfg->prefix = nla_get_in6_addr(tb[DLIF_ENTRY_A_PREFIX]);
	cfg->plen = nla_get_u8(tb[DLIF_ENTRY_A_PREFIX_LEN]);
	cfg->role = nla_get_u8(tb[DLIF_ENTRY_A_ROLE]);
	cfg->hop_limit = tb[DLIF_ENTRY_A_HOP_LIMIT] ?
			 nla_get_u8(tb[DLIF_ENTRY_A_HOP_LIMIT]) : DLIF_DEFAULT_HOP_LIMIT;

	if (tb[DLIF_ENTRY_A_PEER] && cfg->role == DLIF_ROLE_ATTACHED) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DLIF_ENTRY_A_PEER],
				    "the attached role has no peer (the prefix is anchored here)");
		return -EINVAL;
	} else if (tb[DLIF_ENTRY_A_PEER]) {
		cfg->peer = nla_get_in6_addr(tb[DLIF_ENTRY_A_PEER]);
		type = ipv6_addr_type(&cfg->peer);
		if (!(type & IPV6_ADDR_UNICAST) ||
		    (type & (IPV6_ADDR_LINKLOCAL | IPV6_ADDR_LOOPBACK | IPV6_ADDR_MAPPED))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[DLIF_ENTRY_A_PEER],
					    "peer must be a global unicast IPv6 address");
			return -EINVAL;
		}
		cfg->has_peer = true;
	} else if (cfg->role != DLIF_ROLE_LOCAL_EXPORT && cfg->role != DLIF_ROLE_ATTACHED) {
		NL_SET_ERR_MSG(extack, "this role needs a peer (the other MAAR)");
		NL_SET_ERR_ATTR_MISS(extack, nest, DLIF_ENTRY_A_PEER);
		return -EINVAL;
	}

	if (tb[DLIF_ENTRY_A_LOCAL]) {
		cfg->local = nla_get_in6_addr(tb[DLIF_ENTRY_A_LOCAL]);
		if (ipv6_addr_type(&cfg->local) & (IPV6_ADDR_MULTICAST | IPV6_ADDR_LINKLOCAL)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[DLIF_ENTRY_A_LOCAL],
					    "local address must be a global unicast IPv6 address");
			return -EINVAL;
		}
		if (!ipv6_chk_addr(net, &cfg->local, NULL, 0)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[DLIF_ENTRY_A_LOCAL],
					    "local address is not an address of this network namespace");
			return -EADDRNOTAVAIL;
		}
	}

	if (tb[DLIF_ENTRY_A_IFINDEX]) {
		dev = dlif_nl_dlif_get(net, tb[DLIF_ENTRY_A_IFINDEX], extack);
		if (IS_ERR(dev))
			return PTR_ERR(dev);
		cfg->dev = dev;
	} else if (cfg->role == DLIF_ROLE_ANCHOR || cfg->role == DLIF_ROLE_SERVING ||
		   cfg->role == DLIF_ROLE_ATTACHED) {
		NL_SET_ERR_MSG(extack,
			       "the anchor, serving and attached roles need the mobile node's dlif (ifindex)");
		NL_SET_ERR_ATTR_MISS(extack, nest, DLIF_ENTRY_A_IFINDEX);
		return -EINVAL;
	}

	if (tb[DLIF_ENTRY_A_MN_ADDR]) {
		const u8 *mac = nla_data(tb[DLIF_ENTRY_A_MN_ADDR]);

		if (!cfg->dev) {
			NL_SET_ERR_MSG_ATTR(extack, tb[DLIF_ENTRY_A_MN_ADDR],
					    "mn-addr names a binding of the entry's dlif: give its ifindex");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(mac)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[DLIF_ENTRY_A_MN_ADDR],
					    "mobile node address must be a unicast MAC address");
			dev_put(cfg->dev);
			cfg->dev = NULL;
			return -EINVAL;
		}
		ether_addr_copy(cfg->mn_addr, mac);
	}
	return 0;
}

static struct dlif_origin dlif_origin_of(const struct genl_info *info)
{
	return (struct dlif_origin){ .portid = info->snd_portid, .seq = info->snd_seq };
}

enum dlif_entry_op {
	DLIF_OP_ADD,
	DLIF_OP_REPLACE,
	DLIF_OP_DEL,
};

static int dlif_parse_key(struct genl_info *info, const struct nlattr *nest,
			  struct nlattr **tb, struct in6_addr *prefix, u8 *plen)
{
	if (DLIF_MISSING(info->extack, nest, tb, DLIF_ENTRY_A_PREFIX, "prefix") ||
	    DLIF_MISSING(info->extack, nest, tb, DLIF_ENTRY_A_PREFIX_LEN, "prefix length"))
		return -EINVAL;
	*prefix = nla_get_in6_addr(tb[DLIF_ENTRY_A_PREFIX]);
	*plen = nla_get_u8(tb[DLIF_ENTRY_A_PREFIX_LEN]);
	return 0;
}

static int dlif_entry_apply(struct genl_info *info, const struct nlattr *nest,
			    enum dlif_entry_op op)
{
	struct dlif_net *dn = dlif_net(genl_info_net(info));
	struct dlif_origin origin = dlif_origin_of(info);
	struct nlattr *tb[DLIF_ENTRY_A_MAX + 1];
	struct dlif_entry_cfg cfg;
	struct in6_addr prefix;
	u8 plen;
	int err;

	err = dlif_parse_entry_nest(tb, nest, info->extack);
	if (err)
		return err;
	if (op == DLIF_OP_DEL) {
		err = dlif_parse_key(info, nest, tb, &prefix, &plen);
		return err ?: dlif_table_del(dn, &prefix, plen, &origin, info->extack);
	}
	err = dlif_parse_entry_cfg(info, nest, tb, &cfg);
	if (err)
		return err;
	err = dlif_table_add(dn, &cfg, op == DLIF_OP_REPLACE, &origin, info->extack);
	dev_put(cfg.dev);
	return err;
}

/*
 * ENTRY_NEW, ENTRY_SET and ENTRY_DEL take one entry nest, or many: every
 * DLIF_A_ENTRY of the request is applied in order, and the first one
 * refused ends the request with its error (the extack's offset points
 * into that nest); those before it stay applied. A bulk request spares
 * installing thousands of entries the per-message cost of netlink.
 */
static int dlif_nl_entries(struct genl_info *info, enum dlif_entry_op op)
{
	const struct nlattr *attr;
	unsigned int n = 0;
	int rem, err;

	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != DLIF_A_ENTRY)
			continue;
		err = dlif_entry_apply(info, attr, op);
		if (err)
			return err;
		if (!(++n % 256))
			cond_resched();
	}
	if (!n) {
		NL_SET_ERR_MSG(info->extack, "missing the request's attribute nest");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, DLIF_A_ENTRY);
		return -EINVAL;
	}
	return 0;
}

int dlif_nl_entry_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dlif_nl_entries(info, DLIF_OP_ADD);
}

int dlif_nl_entry_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dlif_nl_entries(info, DLIF_OP_REPLACE);
}

int dlif_nl_entry_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dlif_nl_entries(info, DLIF_OP_DEL);
}

int dlif_nl_entry_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct dlif_net *dn = dlif_net(genl_info_net(info));
	struct nlattr *tb[DLIF_ENTRY_A_MAX + 1];
	struct in6_addr prefix;
	struct dlif_entry *e;
	struct sk_buff *msg;
	u8 plen;
	int err;

	err = dlif_require_nest(info, DLIF_A_ENTRY) ?:
	      dlif_parse_entry_nest(tb, info->attrs[DLIF_A_ENTRY], info->extack);
	if (err)
		return err;
	err = dlif_parse_key(info, info->attrs[DLIF_A_ENTRY], tb, &prefix, &plen);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rcu_read_lock();
	e = dlif_table_find(dn, &prefix, plen);
	if (e)
		err = dlif_entry_msg(msg, e, info->snd_portid, info->snd_seq, 0,
				     DLIF_CMD_ENTRY_GET, true);
	rcu_read_unlock();

	if (!e) {
		nlmsg_free(msg);
		NL_SET_ERR_MSG(info->extack, "no entry for this prefix");
		return -ENOENT;
	}
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int dlif_parse_filter(struct nlattr *nest, struct dlif_entry_filter *filter,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[DLIF_ENTRY_A_MAX + 1];
	int err;

	memset(filter, 0, sizeof(*filter));
	if (!nest)
		return 0;
	err = dlif_parse_entry_nest(tb, nest, extack);
	if (err)
		return err;
	if (tb[DLIF_ENTRY_A_ROLE])
		filter->role = nla_get_u8(tb[DLIF_ENTRY_A_ROLE]);
	if (tb[DLIF_ENTRY_A_PEER]) {
		filter->peer = nla_get_in6_addr(tb[DLIF_ENTRY_A_PEER]);
		filter->has_peer = true;
	}
	if (tb[DLIF_ENTRY_A_IFINDEX])
		filter->ifindex = nla_get_u32(tb[DLIF_ENTRY_A_IFINDEX]);
	if (tb[DLIF_ENTRY_A_MN_ADDR])
		ether_addr_copy(filter->mn_addr, nla_data(tb[DLIF_ENTRY_A_MN_ADDR]));
	return 0;
}

/*
 * cb->args[0]: the next entry id to dump; cb->args[1]: dump complete.
 * Each entry present for the whole dump is returned exactly once; if the
 * table changed meanwhile, a later message of the dump carries
 * NLM_F_DUMP_INTR (cb->seq is the table generation).
 */
int dlif_nl_entry_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct dlif_net *dn = dlif_net(sock_net(skb->sk));
	struct nlattr **attrs = dlif_compat_dump_attrs(cb);
	struct dlif_entry_filter filter;
	unsigned long id = cb->args[0];
	struct dlif_entry *e;
	int err;

	if (cb->args[1])
		return 0;
	err = dlif_parse_filter(attrs[DLIF_A_ENTRY], &filter, cb->extack);
	if (err)
		return err;

	rcu_read_lock();
	cb->seq = READ_ONCE(dn->generation);
	xa_for_each_start(&dn->ids, id, e, cb->args[0]) {
		if (!dlif_entry_matches(e, &filter))
			continue;
		if (dlif_entry_msg(skb, e, NETLINK_CB(cb->skb).portid,
				   cb->nlh->nlmsg_seq, NLM_F_MULTI,
				   DLIF_CMD_ENTRY_GET, true)) {
			rcu_read_unlock();
			cb->args[0] = id;
			return skb->len;
		}
		nl_dump_check_consistent(cb, nlmsg_hdr(skb));
	}
	rcu_read_unlock();
	cb->args[1] = 1;
	return skb->len;
}

int dlif_nl_entry_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct dlif_entry_filter filter;
	struct dlif_origin origin;
	int err;

	err = dlif_parse_filter(info->attrs[DLIF_A_ENTRY], &filter, info->extack);
	if (err)
		return err;
	origin = dlif_origin_of(info);
	dlif_table_flush(dlif_net(genl_info_net(info)), &filter, &origin);
	return 0;
}

/* ------------------------------------------------------------ DLIF requests */

static int dlif_put_dev(struct sk_buff *skb, const struct net_device *dev,
			u32 portid, u32 seq, int flags)
{
	const struct dlif_dev *dlif = netdev_priv(dev);
	const struct dlif_mn *mn = rcu_dereference_rtnl(dlif->mn);	/* doit or dump */
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &dlif_family, flags, DLIF_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, DLIF_A_DEV);
	if (!nest)
		goto cancel;
	if (nla_put_u32(skb, DLIF_DEV_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, DLIF_DEV_A_IFNAME, dev->name) ||
	    nla_put_u32(skb, DLIF_DEV_A_LINK, READ_ONCE(dlif->lower->ifindex)) ||
	    nla_put(skb, DLIF_DEV_A_ADDRESS, ETH_ALEN, dev->dev_addr))
		goto cancel;
	if (mn && nla_put(skb, DLIF_DEV_A_MN_ADDR, ETH_ALEN, mn->addr))
		goto cancel;
	if (!ipv6_addr_any(&dlif->maar_addr) &&
	    nla_put_in6_addr(skb, DLIF_DEV_A_MAAR_ADDR, &dlif->maar_addr))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* The DLIF named by a request's DLIF_DEV_A_IFINDEX, held. */
static struct net_device *dlif_nl_get_dev(struct genl_info *info, struct nlattr **tb)
{
	struct nlattr *nest = info->attrs[DLIF_A_DEV];

	if (DLIF_MISSING(info->extack, nest, tb, DLIF_DEV_A_IFINDEX, "ifindex"))
		return ERR_PTR(-EINVAL);
	return dlif_nl_dlif_get(genl_info_net(info), tb[DLIF_DEV_A_IFINDEX], info->extack);
}

int dlif_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[DLIF_DEV_A_MAX + 1];
	struct net_device *dev;
	struct sk_buff *msg;
	int err;

	err = dlif_require_nest(info, DLIF_A_DEV) ?:
	      dlif_parse_dev_nest(tb, info->attrs[DLIF_A_DEV], info->extack);
	if (err)
		return err;
	dev = dlif_nl_get_dev(info, tb);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		dev_put(dev);
		return -ENOMEM;
	}
	rtnl_lock();
	err = dlif_put_dev(msg, dev, info->snd_portid, info->snd_seq, 0);
	rtnl_unlock();
	dev_put(dev);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * cb->args[0]: how many DLIFs of the namespace were dumped already. The
 * namespace's device list generation marks a dump that devices came or
 * went during with NLM_F_DUMP_INTR.
 */
int dlif_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct net_device *dev;
	long idx = 0;

	rcu_read_lock();
	cb->seq = READ_ONCE(net->dev_base_seq);
	for_each_netdev_rcu(net, dev) {
		if (!netif_is_dlif(dev))
			continue;
		if (idx++ < cb->args[0])
			continue;
		if (dlif_put_dev(skb, dev, NETLINK_CB(cb->skb).portid,
				 cb->nlh->nlmsg_seq, NLM_F_MULTI)) {
			idx--;
			break;
		}
		nl_dump_check_consistent(cb, nlmsg_hdr(skb));
	}
	rcu_read_unlock();
	cb->args[0] = idx;
	return skb->len;
}

int dlif_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[DLIF_DEV_A_MAX + 1];
	struct net_device *dev;
	struct dlif_dev *dlif;
	int err;

	err = dlif_require_nest(info, DLIF_A_DEV) ?:
	      dlif_parse_dev_nest(tb, info->attrs[DLIF_A_DEV], info->extack);
	if (err)
		return err;
	if (!tb[DLIF_DEV_A_MN_ADDR] && !tb[DLIF_DEV_A_MAAR_ADDR]) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to set: give the mobile node's MAC and/or the MAAR's address");
		return -EINVAL;
	}
	dev = dlif_nl_get_dev(info, tb);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	rtnl_lock();
	dlif = netdev_priv(dev);
	if (dev->reg_state != NETREG_REGISTERED) {
		NL_SET_ERR_MSG(info->extack, "the dlif device is being deleted");
		err = -ENODEV;
	} else if (tb[DLIF_DEV_A_MN_ADDR]) {
		err = dlif_dev_bind(dlif, nla_data(tb[DLIF_DEV_A_MN_ADDR]), info->extack);
	}
	if (!err && tb[DLIF_DEV_A_MAAR_ADDR]) {
		dlif->maar_addr = nla_get_in6_addr(tb[DLIF_DEV_A_MAAR_ADDR]);
		call_netdevice_notifiers(NETDEV_CHANGEINFODATA, dev);
	}
	rtnl_unlock();
	dev_put(dev);
	return err;
}

/* -------------------------------------------------------- binding requests */

static int dlif_parse_binding_nest(struct nlattr **tb, const struct nlattr *nest,
				   struct netlink_ext_ack *extack)
{
	static const int read_only[] = { DLIF_BINDING_A_PRIMARY, DLIF_BINDING_A_RX_PACKETS };
	int err;

	err = nla_parse_nested(tb, DLIF_BINDING_A_MAX, nest, dlif_binding_nl_policy, extack);
	return err ?: dlif_reject_read_only(extack, tb, read_only, ARRAY_SIZE(read_only));
}

/* One binding nest of BINDING_NEW (@add) or BINDING_DEL, under RTNL. */
static int dlif_binding_apply(struct genl_info *info, const struct nlattr *nest,
			      bool add)
{
	struct dlif_origin origin = dlif_origin_of(info);
	struct nlattr *tb[DLIF_BINDING_A_MAX + 1];
	struct net_device *dev;
	int err;

	err = dlif_parse_binding_nest(tb, nest, info->extack);
	if (err)
		return err;
	if (DLIF_MISSING(info->extack, nest, tb, DLIF_BINDING_A_IFINDEX, "ifindex") ||
	    DLIF_MISSING(info->extack, nest, tb, DLIF_BINDING_A_MN_ADDR, "mobile node address") ||
	    (add && DLIF_MISSING(info->extack, nest, tb, DLIF_BINDING_A_ROUTER_ADDR,
				 "router address")))
		return -EINVAL;
	if (!add && (tb[DLIF_BINDING_A_ROUTER_ADDR] || tb[DLIF_BINDING_A_ROUTER_LL])) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[DLIF_BINDING_A_ROUTER_ADDR] ?: tb[DLIF_BINDING_A_ROUTER_LL],
				    "a binding is deleted by ifindex and mobile node address only");
		return -EINVAL;
	}
	dev = dlif_nl_dlif_get(genl_info_net(info), tb[DLIF_BINDING_A_IFINDEX], info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	if (dev->reg_state != NETREG_REGISTERED) {
		NL_SET_ERR_MSG(info->extack, "the dlif device is being deleted");
		err = -ENODEV;
	} else if (add) {
		err = dlif_binding_add(netdev_priv(dev), nla_data(tb[DLIF_BINDING_A_MN_ADDR]),
				       nla_data(tb[DLIF_BINDING_A_ROUTER_ADDR]),
				       tb[DLIF_BINDING_A_ROUTER_LL] ?
				       nla_data(tb[DLIF_BINDING_A_ROUTER_LL]) : NULL,
				       &origin, info->extack);
	} else {
		err = dlif_binding_del(netdev_priv(dev), nla_data(tb[DLIF_BINDING_A_MN_ADDR]),
				       &origin, info->extack);
	}
	dev_put(dev);
	return err;
}

/*
 * BINDING_NEW and BINDING_DEL: every DLIF_A_BINDING of the request in
 * order, under one hold of RTNL; the first one refused ends the request
 * (the extack points into its nest), those before it stay.
 */
static int dlif_nl_bindings(struct genl_info *info, bool add)
{
	const struct nlattr *attr;
	unsigned int n = 0;
	int rem, err = 0;

	rtnl_lock();
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != DLIF_A_BINDING)
			continue;
		err = dlif_binding_apply(info, attr, add);
		if (err)
			break;
		n++;
	}
	rtnl_unlock();
	if (!err && !n) {
		NL_SET_ERR_MSG(info->extack, "missing the request's attribute nest");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, DLIF_A_BINDING);
		err = -EINVAL;
	}
	return err;
}

int dlif_nl_binding_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dlif_nl_bindings(info, true);
}

int dlif_nl_binding_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return dlif_nl_bindings(info, false);
}

static int dlif_put_binding(struct sk_buff *skb, const struct dlif_mn *mn,
			    u32 portid, u32 seq, int flags, u8 cmd)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &dlif_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, DLIF_A_BINDING);
	if (!nest ||
	    nla_put_u32(skb, DLIF_BINDING_A_IFINDEX, mn->dlif->dev->ifindex) ||
	    nla_put(skb, DLIF_BINDING_A_MN_ADDR, ETH_ALEN, mn->addr) ||
	    nla_put(skb, DLIF_BINDING_A_ROUTER_ADDR, ETH_ALEN, dlif_mn_router(mn)) ||
	    (mn->primary && nla_put_flag(skb, DLIF_BINDING_A_PRIMARY)) ||
	    (!ipv6_addr_any(&mn->router_ll) &&
	     nla_put_in6_addr(skb, DLIF_BINDING_A_ROUTER_LL, &mn->router_ll)) ||
	    (!mn->primary && cmd == DLIF_CMD_BINDING_GET &&
	     nla_put_u64_64bit(skb, DLIF_BINDING_A_RX_PACKETS,
			       atomic64_read(&mn->rx_packets), DLIF_BINDING_A_PAD))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * A binding other than a primary one was added or is about to be deleted
 * (RTNL): its BINDING_NEW or BINDING_DEL to the bindings group, with the
 * requester's port and sequence number (none for a DLIF going away).
 */
void dlif_nl_notify_binding(u8 cmd, const struct dlif_mn *mn,
			    const struct dlif_origin *origin)
{
	struct net *net = dev_net(mn->dlif->dev);
	struct sk_buff *msg;

	if (!genl_has_listeners(&dlif_family, net, DLIF_NLGRP_BINDINGS))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (dlif_put_binding(msg, mn, origin ? origin->portid : 0,
			     origin ? origin->seq : 0, 0, cmd)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&dlif_family, net, msg, 0, DLIF_NLGRP_BINDINGS,
				GFP_KERNEL);
}

/*
 * BINDING_GET of one node on one DLIF: a lookup in the lower device's
 * index, not a walk of the DLIF's bindings.
 */
static int dlif_nl_binding_get_one(struct sk_buff *skb, struct netlink_callback *cb,
				   u32 ifindex, const struct nlattr *mn_attr)
{
	const struct dlif_mn *mn;
	struct net_device *dev;
	int err = 0;

	if (cb->args[0])
		return 0;
	rcu_read_lock();
	dev = dev_get_by_index_rcu(sock_net(skb->sk), ifindex);
	if (!dev) {
		NL_SET_ERR_MSG_MOD(cb->extack, "no such device");
		err = -ENODEV;
		goto out;
	}
	if (!netif_is_dlif(dev)) {
		NL_SET_ERR_MSG_MOD(cb->extack, "not a dlif device");
		err = -ENODEV;
		goto out;
	}
	mn = dlif_binding_of(netdev_priv(dev), nla_data(mn_attr));
	if (mn)
		err = dlif_put_binding(skb, mn, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				       NLM_F_MULTI, DLIF_CMD_BINDING_GET);
	if (!err)
		cb->args[0] = 1;
out:
	rcu_read_unlock();
	return err ?: skb->len;
}

/*
 * cb->args[0]: DLIFs of the namespace done; cb->args[1]: bindings of the
 * current one done (its primary first). Devices coming or going mark the
 * dump NLM_F_DUMP_INTR, as for DEV_GET; bindings changing on a DLIF
 * during the dump do not.
 */
int dlif_nl_binding_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = dlif_compat_dump_attrs(cb);
	struct nlattr *tb[DLIF_BINDING_A_MAX + 1];
	struct net *net = sock_net(skb->sk);
	const struct nlattr *mn_attr;
	const struct dlif_dev *dlif;
	const struct dlif_mn *mn;
	struct net_device *dev;
	long idx = 0, nb;
	u32 ifindex = 0;
	int err;

	if (attrs[DLIF_A_BINDING]) {
		err = dlif_parse_binding_nest(tb, attrs[DLIF_A_BINDING], cb->extack);
		if (err)
			return err;
		if (tb[DLIF_BINDING_A_IFINDEX])
			ifindex = nla_get_u32(tb[DLIF_BINDING_A_IFINDEX]);
		mn_attr = tb[DLIF_BINDING_A_MN_ADDR];
		if (mn_attr && !ifindex) {
			NL_SET_ERR_MSG_ATTR(cb->extack, mn_attr,
					    "a node's binding is looked up on one dlif: give its ifindex");
			return -EINVAL;
		}
		if (mn_attr)
			return dlif_nl_binding_get_one(skb, cb, ifindex, mn_attr);
	}

	rcu_read_lock();
	cb->seq = READ_ONCE(net->dev_base_seq);
	for_each_netdev_rcu(net, dev) {
		if (!netif_is_dlif(dev) || (ifindex && dev->ifindex != ifindex))
			continue;
		if (idx++ < cb->args[0])
			continue;
		dlif = netdev_priv(dev);
		nb = 0;
		mn = rcu_dereference(dlif->mn);
		if (mn && nb++ >= cb->args[1]) {
			if (dlif_put_binding(skb, mn, NETLINK_CB(cb->skb).portid,
					     cb->nlh->nlmsg_seq, NLM_F_MULTI,
					     DLIF_CMD_BINDING_GET))
				goto full;
			nl_dump_check_consistent(cb, nlmsg_hdr(skb));
		}
		list_for_each_entry_rcu(mn, &dlif->bindings, dlif_node) {
			if (nb++ < cb->args[1])
				continue;
			if (dlif_put_binding(skb, mn, NETLINK_CB(cb->skb).portid,
					     cb->nlh->nlmsg_seq, NLM_F_MULTI,
					     DLIF_CMD_BINDING_GET))
				goto full;
			nl_dump_check_consistent(cb, nlmsg_hdr(skb));
		}
		cb->args[1] = 0;
	}
	rcu_read_unlock();
	cb->args[0] = idx;
	return skb->len;

full:
	rcu_read_unlock();
	cb->args[0] = idx - 1;
	cb->args[1] = nb - 1;
	return skb->len;
}

/* ------------------------------------------------------------------ family */

static struct genl_family dlif_family __ro_after_init = {
	.name		= DLIF_FAMILY_NAME,
	.version	= DLIF_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.mcgrps		= dlif_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(dlif_mcgrps),
};

int dlif_nl_init(void)
{
	int err;

	err = dlif_compat_set_split_ops(&dlif_family, dlif_nl_ops,
					ARRAY_SIZE(dlif_nl_ops));
	if (err)
		return err;
	err = genl_register_family(&dlif_family);
	if (err)
		dlif_compat_free_ops(&dlif_family);
	return err;
}

void dlif_nl_uninit(void)
{
	genl_unregister_family(&dlif_family);
	dlif_compat_free_ops(&dlif_family);
}
