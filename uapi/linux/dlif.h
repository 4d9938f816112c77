/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/dlif.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_DLIF_H
#define _UAPI_LINUX_DLIF_H

#define DLIF_FAMILY_NAME	"dlif"
#define DLIF_FAMILY_VERSION	1

#define DLIF_DEFAULT_HOP_LIMIT	64

/**
 * enum dlif_role - What this node does for an entry's prefix.
 * @DLIF_ROLE_ANCHOR: This node anchors the prefix; the mobile node is served
 *   by the peer. Packets routed into the entry's DLIF are encapsulated to the
 *   peer; ip6ip6 from the peer whose inner source is in the prefix is
 *   decapsulated and routed on.
 * @DLIF_ROLE_SERVING: The prefix is anchored at the peer; the mobile node is
 *   here. Packets from the node (any of its DLIFs) whose source is in the
 *   prefix are encapsulated to the peer; ip6ip6 from the peer whose inner
 *   destination is in the prefix is decapsulated and sent to the node (the
 *   entry's binding) through the entry's DLIF.
 * @DLIF_ROLE_LOCAL_NET: A network reachable only through the peer (an RFC 8885
 *   Local Prefix): packets from mobile nodes on DLIFs whose destination is in
 *   the prefix are encapsulated to the peer.
 * @DLIF_ROLE_LOCAL_EXPORT: A network local to this node: ip6ip6 whose inner
 *   destination is in the prefix is accepted and routed on when it comes from
 *   the entry's peer or, with no peer set, from any peer of the table.
 * @DLIF_ROLE_ATTACHED: This node anchors the prefix and the mobile node is
 *   here: what is routed into the entry's DLIF for the prefix goes to the
 *   entry's node (mn-addr, or the DLIF's primary node). Needed only on a DLIF
 *   with bindings other than its primary one; no peer.
 */
enum dlif_role {
	DLIF_ROLE_ANCHOR = 1,
	DLIF_ROLE_SERVING,
	DLIF_ROLE_LOCAL_NET,
	DLIF_ROLE_LOCAL_EXPORT,
	DLIF_ROLE_ATTACHED,

	/* private: */
	__DLIF_ROLE_MAX,
	DLIF_ROLE_MAX = (__DLIF_ROLE_MAX - 1)
};

enum {
	DLIF_A_ENTRY = 1,
	DLIF_A_DEV,
	DLIF_A_BINDING,

	__DLIF_A_MAX,
	DLIF_A_MAX = (__DLIF_A_MAX - 1)
};

enum {
	DLIF_ENTRY_A_PAD = 1,
	DLIF_ENTRY_A_PREFIX,
	DLIF_ENTRY_A_PREFIX_LEN,
	DLIF_ENTRY_A_ROLE,
	DLIF_ENTRY_A_PEER,
	DLIF_ENTRY_A_LOCAL,
	DLIF_ENTRY_A_IFINDEX,
	DLIF_ENTRY_A_HOP_LIMIT,
	DLIF_ENTRY_A_STATS,
	DLIF_ENTRY_A_MN_ADDR,

	__DLIF_ENTRY_A_MAX,
	DLIF_ENTRY_A_MAX = (__DLIF_ENTRY_A_MAX - 1)
};

enum {
	DLIF_STATS_A_PAD = 1,
	DLIF_STATS_A_ENCAP_PACKETS,
	DLIF_STATS_A_ENCAP_BYTES,
	DLIF_STATS_A_DECAP_PACKETS,
	DLIF_STATS_A_DECAP_BYTES,
	DLIF_STATS_A_DROP_SPOOF,
	DLIF_STATS_A_DROP_TOO_BIG,
	DLIF_STATS_A_DROP_NO_ROUTE,
	DLIF_STATS_A_DROP_HOP_LIMIT,
	DLIF_STATS_A_DROP_ECN,
	DLIF_STATS_A_DROP_OTHER,

	__DLIF_STATS_A_MAX,
	DLIF_STATS_A_MAX = (__DLIF_STATS_A_MAX - 1)
};

enum {
	DLIF_DEV_A_IFINDEX = 1,
	DLIF_DEV_A_IFNAME,
	DLIF_DEV_A_LINK,
	DLIF_DEV_A_ADDRESS,
	DLIF_DEV_A_MN_ADDR,
	DLIF_DEV_A_MAAR_ADDR,

	__DLIF_DEV_A_MAX,
	DLIF_DEV_A_MAX = (__DLIF_DEV_A_MAX - 1)
};

enum {
	DLIF_BINDING_A_IFINDEX = 1,
	DLIF_BINDING_A_MN_ADDR,
	DLIF_BINDING_A_ROUTER_ADDR,
	DLIF_BINDING_A_PRIMARY,
	DLIF_BINDING_A_ROUTER_LL,
	DLIF_BINDING_A_PAD,
	DLIF_BINDING_A_RX_PACKETS,

	__DLIF_BINDING_A_MAX,
	DLIF_BINDING_A_MAX = (__DLIF_BINDING_A_MAX - 1)
};

enum dlif_cmd {
	DLIF_CMD_ENTRY_NEW = 1,
	DLIF_CMD_ENTRY_SET,
	DLIF_CMD_ENTRY_DEL,
	DLIF_CMD_ENTRY_GET,
	DLIF_CMD_ENTRY_FLUSH,
	DLIF_CMD_DEV_GET,
	DLIF_CMD_DEV_SET,
	DLIF_CMD_BINDING_NEW,
	DLIF_CMD_BINDING_DEL,
	DLIF_CMD_BINDING_GET,

	__DLIF_CMD_MAX,
	DLIF_CMD_MAX = (__DLIF_CMD_MAX - 1)
};

enum dlif_ntf {
	DLIF_CMD_ENTRY_NEW_NTF = 1,
	DLIF_CMD_ENTRY_SET_NTF = 2,
	DLIF_CMD_ENTRY_DEL_NTF = 3,
	DLIF_CMD_BINDING_NEW_NTF = 8,
	DLIF_CMD_BINDING_DEL_NTF = 9,
};

#define DLIF_MCGRP_ENTRIES	"entries"
#define DLIF_MCGRP_BINDINGS	"bindings"

#endif /* _UAPI_LINUX_DLIF_H */
