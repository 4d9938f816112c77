/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * dlif: Distributed Logical Interfaces and per-prefix IPv6-in-IPv6 tunnel
 * forwarding for network-based Distributed Mobility Management (RFC 8885).
 *
 * Documentation/netlink/specs/dlif.yaml is the specification of the
 * generic netlink family; this header is its C rendering and must be kept
 * in step with it.
 */
#ifndef _UAPI_LINUX_DLIF_H
#define _UAPI_LINUX_DLIF_H

/* rtnetlink link kind: ip link add link DEV name NAME type dlif */
#define DLIF_LINK_KIND		"dlif"

/* IFLA_INFO_DATA attributes of a dlif link (RTM_NEWLINK, RTM_GETLINK). */
enum {
	IFLA_DLIF_UNSPEC,
	IFLA_DLIF_MN_ADDR,	/* binary, ETH_ALEN: the mobile node's MAC */
	IFLA_DLIF_MAAR_ADDR,	/* binary, 16: anchoring MAAR's IPv6 address */
	__IFLA_DLIF_MAX,
};
#define IFLA_DLIF_MAX (__IFLA_DLIF_MAX - 1)

#define DLIF_GENL_NAME		"dlif"
#define DLIF_GENL_VERSION	1
#define DLIF_MCGRP_ENTRIES	"entries"

/*
 * Role of a tunnel table entry: what this node does for the prefix.
 *
 * @DLIF_ROLE_ANCHOR: this node anchors the prefix; the mobile node is
 *	served by the peer. Packets routed into the entry's DLIF are
 *	encapsulated to the peer; ip6ip6 from the peer whose inner source is
 *	in the prefix is decapsulated and routed on.
 * @DLIF_ROLE_SERVING: the prefix is anchored at the peer; the mobile node
 *	is attached here. Packets from the mobile node (any of its DLIFs)
 *	whose source is in the prefix are encapsulated to the peer; ip6ip6
 *	from the peer whose inner destination is in the prefix is
 *	decapsulated and sent to the mobile node through the entry's DLIF.
 * @DLIF_ROLE_LOCAL_NET: a network reachable only through the peer (an
 *	RFC 8885 Local Prefix): packets from mobile nodes on DLIFs whose
 *	destination is in the prefix are encapsulated to the peer.
 * @DLIF_ROLE_LOCAL_EXPORT: a network local to this node that mobile nodes
 *	served elsewhere may reach through their serving MAAR: ip6ip6 whose
 *	inner destination is in the prefix is accepted and routed on when it
 *	comes from the entry's peer or, with no peer set, from any peer of
 *	another entry in the table.
 */
enum dlif_role {
	DLIF_ROLE_UNSPEC,
	DLIF_ROLE_ANCHOR,
	DLIF_ROLE_SERVING,
	DLIF_ROLE_LOCAL_NET,
	DLIF_ROLE_LOCAL_EXPORT,
	__DLIF_ROLE_MAX,
};
#define DLIF_ROLE_MAX (__DLIF_ROLE_MAX - 1)

#define DLIF_DEFAULT_HOP_LIMIT	64

enum dlif_cmd {
	DLIF_CMD_UNSPEC,
	DLIF_CMD_ENTRY_NEW,	/* add; -EEXIST if the prefix has an entry */
	DLIF_CMD_ENTRY_SET,	/* add, or atomically replace the prefix's entry */
	DLIF_CMD_ENTRY_DEL,	/* delete the entry of a prefix */
	DLIF_CMD_ENTRY_GET,	/* get one entry (do) or all entries (dump) */
	DLIF_CMD_ENTRY_FLUSH,	/* delete all entries, or those of a peer / DLIF */
	DLIF_CMD_DEV_GET,	/* get one DLIF (do) or all DLIFs (dump) */
	DLIF_CMD_DEV_SET,	/* set a DLIF's mobile node and anchoring MAAR */
	__DLIF_CMD_MAX,
};
#define DLIF_CMD_MAX (__DLIF_CMD_MAX - 1)

/* Top-level attributes of every message. */
enum {
	DLIF_A_UNSPEC,
	DLIF_A_ENTRY,		/* nest: DLIF_ENTRY_A_* */
	DLIF_A_DEV,		/* nest: DLIF_DEV_A_* */
	__DLIF_A_MAX,
};
#define DLIF_A_MAX (__DLIF_A_MAX - 1)

/* A tunnel table entry. The prefix (with its length) is the key. */
enum {
	DLIF_ENTRY_A_UNSPEC,
	DLIF_ENTRY_A_PAD,
	DLIF_ENTRY_A_PREFIX,	/* binary, 16; bits past PREFIX_LEN ignored */
	DLIF_ENTRY_A_PREFIX_LEN,/* u8, 0..128 */
	DLIF_ENTRY_A_ROLE,	/* u8, enum dlif_role */
	DLIF_ENTRY_A_PEER,	/* binary, 16: the other MAAR (tunnel endpoint) */
	DLIF_ENTRY_A_LOCAL,	/* binary, 16: outer source; :: = by route */
	DLIF_ENTRY_A_IFINDEX,	/* u32: the DLIF of the entry */
	DLIF_ENTRY_A_HOP_LIMIT,	/* u8, 1..255: outer hop limit (default 64) */
	DLIF_ENTRY_A_STATS,	/* nest: DLIF_STATS_A_* (replies only) */
	__DLIF_ENTRY_A_MAX,
};
#define DLIF_ENTRY_A_MAX (__DLIF_ENTRY_A_MAX - 1)

/* Per-entry counters. */
enum {
	DLIF_STATS_A_UNSPEC,
	DLIF_STATS_A_PAD,
	DLIF_STATS_A_ENCAP_PACKETS,	/* u64 */
	DLIF_STATS_A_ENCAP_BYTES,	/* u64, inner packet bytes */
	DLIF_STATS_A_DECAP_PACKETS,	/* u64 */
	DLIF_STATS_A_DECAP_BYTES,	/* u64, inner packet bytes */
	DLIF_STATS_A_DROP_SPOOF,	/* u64: claimed the prefix from another node */
	DLIF_STATS_A_DROP_TOO_BIG,	/* u64: over the path MTU (Packet Too Big sent) */
	DLIF_STATS_A_DROP_NO_ROUTE,	/* u64: no route to the peer */
	DLIF_STATS_A_DROP_HOP_LIMIT,	/* u64: inner hop limit exhausted */
	DLIF_STATS_A_DROP_ECN,		/* u64: CE on a not-ECT inner packet */
	DLIF_STATS_A_DROP_OTHER,	/* u64: malformed, out of memory, ... */
	__DLIF_STATS_A_MAX,
};
#define DLIF_STATS_A_MAX (__DLIF_STATS_A_MAX - 1)

/* A DLIF (the dlif netdevice). */
enum {
	DLIF_DEV_A_UNSPEC,
	DLIF_DEV_A_IFINDEX,	/* u32: the DLIF */
	DLIF_DEV_A_IFNAME,	/* string (replies only) */
	DLIF_DEV_A_LINK,	/* u32: the lower (access) device (replies only) */
	DLIF_DEV_A_ADDRESS,	/* binary, ETH_ALEN: the DLIF's MAC (replies only) */
	DLIF_DEV_A_MN_ADDR,	/* binary, ETH_ALEN: the mobile node's MAC */
	DLIF_DEV_A_MAAR_ADDR,	/* binary, 16: the anchoring MAAR it represents */
	__DLIF_DEV_A_MAX,
};
#define DLIF_DEV_A_MAX (__DLIF_DEV_A_MAX - 1)

#endif /* _UAPI_LINUX_DLIF_H */
