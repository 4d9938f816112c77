/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * dlif: the rtnetlink side of the dlif link type (ip link add link DEV
 * name NAME type dlif). In-tree these lines would be in
 * include/uapi/linux/if_link.h. The generic netlink family is in
 * <linux/dlif.h>, generated from Documentation/netlink/specs/dlif.yaml.
 */
#ifndef _UAPI_LINUX_DLIF_LINK_H
#define _UAPI_LINUX_DLIF_LINK_H

/* rtnetlink link kind */
#define DLIF_LINK_KIND		"dlif"

/* IFLA_INFO_DATA attributes of a dlif link (RTM_NEWLINK, RTM_GETLINK). */
enum {
	IFLA_DLIF_UNSPEC,
	IFLA_DLIF_MN_ADDR,	/* binary, ETH_ALEN: the mobile node's MAC */
	IFLA_DLIF_MAAR_ADDR,	/* binary, 16: anchoring MAAR's IPv6 address */
	__IFLA_DLIF_MAX,
};

#define IFLA_DLIF_MAX (__IFLA_DLIF_MAX - 1)

#endif /* _UAPI_LINUX_DLIF_LINK_H */
