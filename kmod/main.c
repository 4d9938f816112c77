// SPDX-License-Identifier: GPL-2.0
/*
 * dlif: module initialisation and teardown.
 *
 * Order matters both ways: the per-namespace table exists before anything
 * can add to it; the ip6ip6 receive handler is in place before devices
 * and entries can be created; the netlink family comes last so that no
 * request arrives half-initialised. Teardown runs in reverse; the device
 * and table parts each wait for their own RCU callbacks before they
 * destroy the caches those callbacks free into, so none is left to run
 * when the module text goes away.
 */

#include <linux/module.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include "dlif.h"

static int __init dlif_init(void)
{
	int err;

	err = dlif_table_init();
	if (err)
		return err;
	err = dlif_tunnel_init();
	if (err)
		goto err_table;
	err = dlif_device_init();
	if (err)
		goto err_tunnel;
	err = dlif_nl_init();
	if (err)
		goto err_device;

	pr_info("Distributed Logical Interfaces for RFC 8885 DMM loaded\n");
	return 0;

err_device:
	dlif_device_uninit();
err_tunnel:
	dlif_tunnel_uninit();
err_table:
	dlif_table_uninit();
	return err;
}

static void __exit dlif_exit(void)
{
	dlif_nl_uninit();
	dlif_device_uninit();
	dlif_tunnel_uninit();
	dlif_table_uninit();
}

module_init(dlif_init);
module_exit(dlif_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Distributed Logical Interfaces and per-prefix tunnels for RFC 8885 DMM");
MODULE_AUTHOR("The dlif developers");
MODULE_VERSION("0.1.0");
MODULE_ALIAS_RTNL_LINK(DLIF_LINK_KIND);
MODULE_ALIAS_GENL_FAMILY(DLIF_FAMILY_NAME);
