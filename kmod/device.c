// SPDX-License-Identifier: GPL-2.0
/*
 * dlif: the DLIF netdevice.
 *
 * A DLIF is the logical router interface that a serving MAAR shows to ONE
 * mobile node on a shared access link (RFC 8885 §3.6): it carries the MAC
 * and link-local address that one anchoring MAAR uses towards that node.
 * Many DLIFs stack on one lower (access) Ethernet device; the lower
 * device's rx_handler (rx.c) hands each a node's frames by the pair (MN
 * MAC, DLIF MAC).
 *
 * The device is IFF_POINTOPOINT with the mobile node's MAC as its
 * "broadcast" (peer) address: IPv6 neighbour entries on it are then NOARP
 * and resolve to the node directly. That is what the link is - one peer -
 * and it keeps the anchor role's traffic flowing into dlif_xmit() after
 * the node has left, when neighbour discovery would fail. `ip link show`
 * prints the node's MAC as "peer".
 */

#include <linux/ethtool.h>
#include <linux/if_arp.h>
#include <linux/module.h>
#include <linux/rhashtable.h>
#include <net/rtnetlink.h>

#include "dlif.h"

/*
 * Ports and bindings come from caches of their own, as entries and peers
 * do (table.c): unloading the module destroys them, and the slab
 * allocator reports any object still allocated then, a leak, on every
 * kernel, not only where kmemleak runs.
 */
static struct kmem_cache *dlif_port_cache __read_mostly;
static struct kmem_cache *dlif_mn_cache __read_mostly;

static struct dlif_port *dlif_port_get_rtnl(const struct net_device *dev)
{
	if (rcu_access_pointer(dev->rx_handler) != dlif_handle_frame)
		return NULL;
	return rtnl_dereference(dev->rx_handler_data);
}

static struct dlif_port *dlif_port_create(struct net_device *lower,
					  struct netlink_ext_ack *extack)
{
	struct dlif_port *port;
	int err;

	port = kmem_cache_zalloc(dlif_port_cache, GFP_KERNEL);
	if (!port) {
		NL_SET_ERR_MSG(extack, "out of memory for the lower device's port");
		return ERR_PTR(-ENOMEM);
	}
	port->dev = lower;
	INIT_LIST_HEAD(&port->dlifs);
	err = rhltable_init(&port->by_mn, &dlif_mn_params);
	if (err) {
		kmem_cache_free(dlif_port_cache, port);
		NL_SET_ERR_MSG(extack, "out of memory for the lower device's port");
		return ERR_PTR(err);
	}

	err = netdev_rx_handler_register(lower, dlif_handle_frame, port);
	if (err) {
		rhltable_destroy(&port->by_mn);
		kmem_cache_free(dlif_port_cache, port);
		NL_SET_ERR_MSG(extack,
			       "lower device already has a receive handler (bridge port, bond slave, macvlan, ...)");
		return ERR_PTR(err);
	}
	return port;
}

/* Not kfree_rcu(): on 6.1 nothing waits for its batches before the
 * module destroys the cache; rcu_barrier() waits for call_rcu().
 */
static void dlif_port_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(dlif_port_cache, container_of(rcu, struct dlif_port, rcu));
}

static void dlif_port_destroy(struct dlif_port *port)
{
	/* No DLIF is left in by_mn, and the unregistration waits for the
	 * receive path's readers (synchronize_net()).
	 */
	netdev_rx_handler_unregister(port->dev);
	rhltable_destroy(&port->by_mn);
	call_rcu(&port->rcu, dlif_port_free_rcu);
}

/*
 * Is the pair (mobile node, router MAC) taken on this port by a binding of
 * a DLIF other than @self? It names the binding the receive demux hands
 * the node's frames sent to that MAC. (RTNL: the index holds only live
 * bindings.)
 */
static bool dlif_pair_taken(struct dlif_port *port, const u8 *mn_addr,
			    const u8 *router, const struct dlif_dev *self)
{
	struct rhlist_head *list, *pos;
	const struct dlif_mn *other;
	bool taken = false;

	if (!mn_addr || is_zero_ether_addr(mn_addr))
		return false;
	rcu_read_lock();
	list = rhltable_lookup(&port->by_mn, mn_addr, dlif_mn_params);
	rhl_for_each_entry_rcu(other, pos, list, node) {
		if (other->dlif != self &&
		    ether_addr_equal(dlif_mn_router(other), router)) {
			taken = true;
			break;
		}
	}
	rcu_read_unlock();
	return taken;
}

/* Does another binding of the node @mn_addr on this port have @router_ll
 * as its router's link-local address? (RTNL)
 */
static bool dlif_router_ll_taken(struct dlif_port *port, const u8 *mn_addr,
				 const struct in6_addr *router_ll)
{
	struct rhlist_head *list, *pos;
	const struct dlif_mn *other;
	bool taken = false;

	rcu_read_lock();
	list = rhltable_lookup(&port->by_mn, mn_addr, dlif_mn_params);
	rhl_for_each_entry_rcu(other, pos, list, node) {
		if (ipv6_addr_equal(&other->router_ll, router_ll)) {
			taken = true;
			break;
		}
	}
	rcu_read_unlock();
	return taken;
}

/*
 * @dlif's binding for @mac other than its primary one, or NULL: one
 * lookup in the port's index, whose list for a node holds that node's
 * few bindings on the port, however many nodes share the DLIF. (RCU)
 */
static struct dlif_mn *dlif_binding_added(const struct dlif_dev *dlif,
					  const u8 *mac)
{
	struct rhlist_head *list, *pos;
	struct dlif_mn *mn;

	list = rhltable_lookup(&dlif->port->by_mn, mac, dlif_mn_params);
	rhl_for_each_entry_rcu(mn, pos, list, node)
		if (mn->dlif == dlif && !mn->primary && dlif_mn_current(mn))
			return mn;
	return NULL;
}

/* The same for writers. (RTNL: bindings join and leave the index under
 * it, so what is found stays.)
 */
static struct dlif_mn *dlif_binding_find(const struct dlif_dev *dlif,
					 const u8 *mac)
{
	struct dlif_mn *mn;

	if (!dlif->nr_bindings)
		return NULL;
	rcu_read_lock();
	mn = dlif_binding_added(dlif, mac);
	rcu_read_unlock();
	return mn;
}

/*
 * @dlif's binding for the mobile node @mac, primary or not, or NULL. A
 * DLIF with no binding but its primary one costs no index lookup. (RCU
 * readers)
 */
struct dlif_mn *dlif_binding_of(const struct dlif_dev *dlif, const u8 *mac)
{
	struct dlif_mn *mn = rcu_dereference_rtnl(dlif->mn);

	if (mn && ether_addr_equal(mn->addr, mac))
		return mn;
	if (!READ_ONCE(dlif->nr_bindings))
		return NULL;
	return dlif_binding_added(dlif, mac);
}

/* The MAC of the node @dlif is bound to, or NULL. (RTNL) */
static const u8 *dlif_mn_addr_rtnl(const struct dlif_dev *dlif)
{
	const struct dlif_mn *mn = rtnl_dereference(dlif->mn);

	return mn ? mn->addr : NULL;
}

static struct dlif_mn *dlif_mn_alloc(struct dlif_dev *dlif, const u8 *mn_addr)
{
	struct dlif_mn *mn = kmem_cache_zalloc(dlif_mn_cache, GFP_KERNEL);

	if (!mn)
		return NULL;
	ether_addr_copy(mn->addr, mn_addr);
	mn->dlif = dlif;
	INIT_LIST_HEAD(&mn->entries);
	return mn;
}

static void dlif_mn_free(struct dlif_mn *mn)
{
	kmem_cache_free(dlif_mn_cache, mn);
}

static void dlif_mn_free_rcu(struct rcu_head *rcu)
{
	dlif_mn_free(container_of(rcu, struct dlif_mn, rcu));
}

/* Take a binding out of the port's index; freed after a grace period.
 * Its entries have gone before (dlif_table_remove_binding(), or the
 * DLIF's with it).
 */
static void dlif_mn_release(struct dlif_mn *mn)
{
	WARN_ON_ONCE(!list_empty(&mn->entries));
	rhltable_remove(&mn->dlif->port->by_mn, &mn->node, dlif_mn_params);
	call_rcu(&mn->rcu, dlif_mn_free_rcu);
}

/*
 * Bind the DLIF to a mobile node (an all-zero address unbinds it). Called
 * under RTNL; the packet paths read the binding under RCU. The new
 * binding is indexed before the old one leaves, so that a failure (memory
 * only) leaves the DLIF as it was; between the two, the receive demux
 * may find both, and takes only the one the DLIF points to
 * (dlif_mn_current()).
 */
int dlif_dev_bind(struct dlif_dev *dlif, const u8 *mn_addr,
		  struct netlink_ext_ack *extack)
{
	struct dlif_mn *old = rtnl_dereference(dlif->mn), *new = NULL;
	struct net_device *dev = dlif->dev;
	int err;

	ASSERT_RTNL();
	if (old ? ether_addr_equal(mn_addr, old->addr) : is_zero_ether_addr(mn_addr))
		return 0;
	if (!is_zero_ether_addr(mn_addr) && !is_valid_ether_addr(mn_addr)) {
		NL_SET_ERR_MSG(extack, "mobile node address must be a unicast MAC address");
		return -EINVAL;
	}
	if (!is_zero_ether_addr(mn_addr) && dlif_binding_find(dlif, mn_addr)) {
		NL_SET_ERR_MSG(extack,
			       "the dlif has another binding for this mobile node (binding-del it first)");
		return -EEXIST;
	}
	if (dlif_pair_taken(dlif->port, mn_addr, dev->dev_addr, dlif)) {
		NL_SET_ERR_MSG(extack,
			       "another dlif on this lower device has the same MAC for this mobile node");
		return -EADDRINUSE;
	}

	if (!is_zero_ether_addr(mn_addr)) {
		new = dlif_mn_alloc(dlif, mn_addr);
		if (!new) {
			NL_SET_ERR_MSG(extack, "out of memory for the mobile node's binding");
			return -ENOMEM;
		}
		new->primary = true;
		err = rhltable_insert(&dlif->port->by_mn, &new->node, dlif_mn_params);
		if (err) {
			dlif_mn_free(new);
			NL_SET_ERR_MSG(extack, "out of memory indexing the mobile node");
			return err;
		}
	}
	/* Entries that named the old node by its MAC go with it; those
	 * naming the primary node follow the new one.
	 */
	if (old)
		dlif_table_remove_binding(old);
	rcu_assign_pointer(dlif->mn, new);
	if (old)
		dlif_mn_release(old);
	if (new)
		ether_addr_copy(dev->broadcast, new->addr);
	else
		eth_broadcast_addr(dev->broadcast);
	/* Not netdev_state_change(): IPv6 answers NETDEV_CHANGE with a walk
	 * of the whole FIB. This one still sends RTM_NEWLINK.
	 */
	if (dev->reg_state == NETREG_REGISTERED)
		call_netdevice_notifiers(NETDEV_CHANGEINFODATA, dev);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dlif_dev_bind);

/*
 * While @dlif is up, the router MAC of each of its bindings is in the
 * lower device's unicast filter, so that a lower device that filters by
 * MAC passes the node's frames to it. They go there directly, as a
 * macvlan's own MAC does, not through the DLIF's filter: syncing that
 * walks the whole filter on every change, and a shared DLIF has one
 * router MAC per node. (RTNL)
 */
static int dlif_router_filter_add(struct dlif_dev *dlif, const u8 *router)
{
	if (!(dlif->dev->flags & IFF_UP))
		return 0;
	return dev_uc_add(dlif->lower, router);
}

static void dlif_router_filter_del(struct dlif_dev *dlif, const u8 *router)
{
	if (dlif->dev->flags & IFF_UP)
		dev_uc_del(dlif->lower, router);
}

/*
 * Add a binding of @dlif to the mobile node @mn_addr, whose frames to
 * @router the port's demux then hands to @dlif (RTNL). @router joins the
 * lower device's unicast filter while the DLIF is up.
 */
int dlif_binding_add(struct dlif_dev *dlif, const u8 *mn_addr,
		     const u8 *router, const struct in6_addr *router_ll,
		     const struct dlif_origin *origin,
		     struct netlink_ext_ack *extack)
{
	const struct dlif_mn *primary = rtnl_dereference(dlif->mn);
	struct dlif_mn *mn;
	int err;

	ASSERT_RTNL();
	if (!is_valid_ether_addr(mn_addr)) {
		NL_SET_ERR_MSG(extack, "mobile node address must be a unicast MAC address");
		return -EINVAL;
	}
	if (!is_valid_ether_addr(router)) {
		NL_SET_ERR_MSG(extack, "router address must be a unicast MAC address");
		return -EINVAL;
	}
	if ((primary && ether_addr_equal(primary->addr, mn_addr)) ||
	    dlif_binding_find(dlif, mn_addr)) {
		NL_SET_ERR_MSG(extack, "the dlif already has a binding for this mobile node");
		return -EEXIST;
	}
	if (dlif_pair_taken(dlif->port, mn_addr, router, NULL)) {
		NL_SET_ERR_MSG(extack,
			       "another binding on this lower device has this router MAC for this mobile node");
		return -EADDRINUSE;
	}
	if (router_ll) {
		int type = ipv6_addr_type(router_ll);

		if (!(type & IPV6_ADDR_LINKLOCAL) || !(type & IPV6_ADDR_UNICAST)) {
			NL_SET_ERR_MSG(extack,
				       "router link-local address must be a unicast fe80::/10 address");
			return -EINVAL;
		}
		if (dlif_router_ll_taken(dlif->port, mn_addr, router_ll)) {
			NL_SET_ERR_MSG(extack,
				       "another binding of the node has this router link-local");
			return -EADDRINUSE;
		}
	}

	mn = dlif_mn_alloc(dlif, mn_addr);
	if (!mn) {
		NL_SET_ERR_MSG(extack, "out of memory for the mobile node's binding");
		return -ENOMEM;
	}
	ether_addr_copy(mn->router, router);
	if (router_ll)
		mn->router_ll = *router_ll;
	err = dlif_router_filter_add(dlif, router);
	if (err) {
		dlif_mn_free(mn);
		NL_SET_ERR_MSG(extack,
			       "cannot add the router MAC to the lower device's unicast filter");
		return err;
	}
	err = rhltable_insert(&dlif->port->by_mn, &mn->node, dlif_mn_params);
	if (err) {
		dlif_router_filter_del(dlif, router);
		dlif_mn_free(mn);
		NL_SET_ERR_MSG(extack, "out of memory indexing the mobile node");
		return err;
	}
	list_add_tail_rcu(&mn->dlif_node, &dlif->bindings);
	WRITE_ONCE(dlif->nr_bindings, dlif->nr_bindings + 1);
	if (router_ll)
		WRITE_ONCE(dlif->port->nd_bindings, dlif->port->nd_bindings + 1);
	dlif_nl_notify_binding(DLIF_CMD_BINDING_NEW, mn, origin);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dlif_binding_add);

/* Take a binding other than the primary one away, announced as by
 * @origin; readers that found it see it gone, and it is freed after a
 * grace period. (RTNL)
 */
static void dlif_binding_release(struct dlif_mn *mn, const struct dlif_origin *origin)
{
	struct dlif_dev *dlif = mn->dlif;

	dlif_nl_notify_binding(DLIF_CMD_BINDING_DEL, mn, origin);
	/* Readers that still find it in the index or the list skip it. */
	WRITE_ONCE(mn->gone, true);
	list_del_rcu(&mn->dlif_node);
	WRITE_ONCE(dlif->nr_bindings, dlif->nr_bindings - 1);
	if (!ipv6_addr_any(&mn->router_ll))
		WRITE_ONCE(dlif->port->nd_bindings, dlif->port->nd_bindings - 1);
	/* An unregistering DLIF was closed before ndo_uninit. */
	dlif_router_filter_del(dlif, mn->router);
	dlif_mn_release(mn);
}

int dlif_binding_del(struct dlif_dev *dlif, const u8 *mn_addr,
		     const struct dlif_origin *origin,
		     struct netlink_ext_ack *extack)
{
	const struct dlif_mn *primary = rtnl_dereference(dlif->mn);
	struct dlif_mn *mn;

	ASSERT_RTNL();
	mn = dlif_binding_find(dlif, mn_addr);
	if (mn) {
		/* Its entries first: the table refuses new ones from then on. */
		dlif_table_remove_binding(mn);
		dlif_binding_release(mn, origin);
		return 0;
	}
	if (primary && ether_addr_equal(primary->addr, mn_addr)) {
		NL_SET_ERR_MSG(extack,
			       "this is the dlif's primary binding: unbind it with dev-set (an all-zero mn-addr)");
		return -EINVAL;
	}
	NL_SET_ERR_MSG(extack, "the dlif has no binding for this mobile node");
	return -ENOENT;
}
EXPORT_SYMBOL_IF_KUNIT(dlif_binding_del);

/* ------------------------------------------------------------ netdev ops */

/* ndo_init and ndo_uninit pair up: joining the port is undone by leaving
 * it, whichever way registration ends.
 */
static int dlif_init(struct net_device *dev)
{
	struct dlif_dev *dlif = netdev_priv(dev);
	int err;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	err = gro_cells_init(&dlif->gro_cells, dev);
	if (err) {
		free_percpu(dev->tstats);
		dev->tstats = NULL;
		return err;
	}
	netdev_lockdep_set_classes(dev);
	list_add_tail(&dlif->port_node, &dlif->port->dlifs);
	dlif->port->count++;
	return 0;
}

/*
 * The port lives as long as a DLIF is registered on it (count). A DLIF
 * leaves port->dlifs as soon as it is queued for deletion (dellink), so
 * that the lower device's notifier never queues it a second time; a
 * registration that failed after ndo_init leaves it here.
 */
static void dlif_uninit(struct net_device *dev)
{
	struct dlif_dev *dlif = netdev_priv(dev);
	struct dlif_mn *mn = rtnl_dereference(dlif->mn), *tmp;
	struct dlif_port *port = dlif->port;

	dlif_table_remove_dlif(dlif);
	if (mn) {
		RCU_INIT_POINTER(dlif->mn, NULL);
		dlif_mn_release(mn);
	}
	list_for_each_entry_safe(mn, tmp, &dlif->bindings, dlif_node)
		dlif_binding_release(mn, NULL);
	list_del_init(&dlif->port_node);
	if (!--port->count)
		dlif_port_destroy(port);
}

static void dlif_free(struct net_device *dev)
{
	struct dlif_dev *dlif = netdev_priv(dev);

	gro_cells_destroy(&dlif->gro_cells);
	free_percpu(dev->tstats);
}

/* The router MACs of @dlif's bindings before @end leave the lower
 * device's filter (all of them for NULL).
 */
static void dlif_routers_unfilter(struct dlif_dev *dlif, const struct dlif_mn *end)
{
	struct dlif_mn *mn;

	list_for_each_entry(mn, &dlif->bindings, dlif_node) {
		if (mn == end)
			break;
		dev_uc_del(dlif->lower, mn->router);
	}
}

static int dlif_routers_filter(struct dlif_dev *dlif)
{
	struct dlif_mn *mn;
	int err;

	list_for_each_entry(mn, &dlif->bindings, dlif_node) {
		err = dev_uc_add(dlif->lower, mn->router);
		if (err) {
			dlif_routers_unfilter(dlif, mn);
			return err;
		}
	}
	return 0;
}

static int dlif_open(struct net_device *dev)
{
	struct dlif_dev *dlif = netdev_priv(dev);
	struct net_device *lower = dlif->lower;
	int err;

	if (!(lower->flags & IFF_UP))
		return -ENETDOWN;
	err = dev_uc_add(lower, dev->dev_addr);
	if (err)
		return err;
	err = dlif_routers_filter(dlif);
	if (err)
		goto err_uc;
	if (dev->flags & IFF_ALLMULTI) {
		err = dev_set_allmulti(lower, 1);
		if (err)
			goto err_routers;
	}
	if (dev->flags & IFF_PROMISC) {
		err = dev_set_promiscuity(lower, 1);
		if (err)
			goto err_allmulti;
	}
	netif_stacked_transfer_operstate(lower, dev);
	return 0;

err_allmulti:
	if (dev->flags & IFF_ALLMULTI)
		dev_set_allmulti(lower, -1);
err_routers:
	dlif_routers_unfilter(dlif, NULL);
err_uc:
	dev_uc_del(lower, dev->dev_addr);
	return err;
}

static int dlif_stop(struct net_device *dev)
{
	struct dlif_dev *dlif = netdev_priv(dev);
	struct net_device *lower = dlif->lower;

	dev_uc_unsync(lower, dev);
	dev_mc_unsync(lower, dev);
	if (dev->flags & IFF_ALLMULTI)
		dev_set_allmulti(lower, -1);
	if (dev->flags & IFF_PROMISC)
		dev_set_promiscuity(lower, -1);
	dlif_routers_unfilter(dlif, NULL);
	dev_uc_del(lower, dev->dev_addr);
	netif_carrier_off(dev);
	return 0;
}

static int dlif_set_mac_address(struct net_device *dev, void *p)
{
	struct dlif_dev *dlif = netdev_priv(dev);
	struct sockaddr *sa = p;
	int err;

	if (!is_valid_ether_addr(sa->sa_data))
		return -EADDRNOTAVAIL;
	if (dlif_pair_taken(dlif->port, dlif_mn_addr_rtnl(dlif), sa->sa_data, dlif))
		return -EADDRINUSE;
	if (dev->flags & IFF_UP) {
		err = dev_uc_add(dlif->lower, sa->sa_data);
		if (err)
			return err;
		dev_uc_del(dlif->lower, dev->dev_addr);
	}
	eth_hw_addr_set(dev, sa->sa_data);
	return 0;
}

static void dlif_change_rx_flags(struct net_device *dev, int change)
{
	struct dlif_dev *dlif = netdev_priv(dev);

	if (!(dev->flags & IFF_UP))
		return;
	if (change & IFF_ALLMULTI)
		dev_set_allmulti(dlif->lower, dev->flags & IFF_ALLMULTI ? 1 : -1);
	if (change & IFF_PROMISC)
		dev_set_promiscuity(dlif->lower, dev->flags & IFF_PROMISC ? 1 : -1);
}

static void dlif_set_rx_mode(struct net_device *dev)
{
	struct dlif_dev *dlif = netdev_priv(dev);

	dev_mc_sync(dlif->lower, dev);
	dev_uc_sync(dlif->lower, dev);
}

static int dlif_change_mtu(struct net_device *dev, int new_mtu)
{
	struct dlif_dev *dlif = netdev_priv(dev);

	/* max_mtu follows the lower device; this guards the window where
	 * it has not yet.
	 */
	if (new_mtu > READ_ONCE(dlif->lower->mtu))
		return -EINVAL;
	WRITE_ONCE(dev->mtu, new_mtu);
	return 0;
}

static int dlif_get_iflink(const struct net_device *dev)
{
	const struct dlif_dev *dlif = netdev_priv(dev);

	return READ_ONCE(dlif->lower->ifindex);
}

static const struct net_device_ops dlif_netdev_ops = {
	.ndo_init		= dlif_init,
	.ndo_uninit		= dlif_uninit,
	.ndo_open		= dlif_open,
	.ndo_stop		= dlif_stop,
	.ndo_start_xmit		= dlif_xmit,
	.ndo_set_mac_address	= dlif_set_mac_address,
	.ndo_change_rx_flags	= dlif_change_rx_flags,
	.ndo_set_rx_mode	= dlif_set_rx_mode,
	.ndo_change_mtu		= dlif_change_mtu,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_get_iflink		= dlif_get_iflink,
	.ndo_validate_addr	= eth_validate_addr,
};

bool netif_is_dlif(const struct net_device *dev)
{
	return dev->netdev_ops == &dlif_netdev_ops;
}

static void dlif_get_drvinfo(struct net_device *dev,
			     struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->bus_info, "dlif", sizeof(info->bus_info));
}

static const struct ethtool_ops dlif_ethtool_ops = {
	.get_drvinfo	= dlif_get_drvinfo,
	.get_link	= ethtool_op_get_link,
};

#define DLIF_FEATURES (NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_HIGHDMA | \
		       NETIF_F_FRAGLIST | NETIF_F_GSO_SOFTWARE | NETIF_F_RXCSUM)

static void dlif_setup(struct net_device *dev)
{
	ether_setup(dev);

	/* One peer per link: see the comment at the top of this file. */
	dev->flags |= IFF_POINTOPOINT;
	dev->flags &= ~IFF_BROADCAST;
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->priv_flags |= IFF_NO_QUEUE | IFF_UNICAST_FLT;

	dev->netdev_ops = &dlif_netdev_ops;
	dev->ethtool_ops = &dlif_ethtool_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = dlif_free;

	/* Room for the outer IPv6 header when the anchor role encapsulates. */
	dev->needed_headroom = LL_MAX_HEADER + sizeof(struct ipv6hdr);

	/* Bounded by the lower device's MTU in newlink, once it is known;
	 * the core must not refuse IFLA_MTU against Ethernet's 1500 first.
	 */
	dev->max_mtu = ETH_MAX_MTU;

	dev->features |= DLIF_FEATURES;
	dev->hw_features |= DLIF_FEATURES;
	dev->vlan_features |= DLIF_FEATURES;
	dlif_compat_set_lltx(dev);
	dlif_compat_set_netns_local(dev);
}

/* -------------------------------------------------------------- rtnl link */

static const struct nla_policy dlif_link_policy[IFLA_DLIF_MAX + 1] = {
	[IFLA_DLIF_MN_ADDR]	= NLA_POLICY_ETH_ADDR,
	[IFLA_DLIF_MAAR_ADDR]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

static int dlif_validate(struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS] && !is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
				    "dlif address must be a unicast MAC address");
		return -EADDRNOTAVAIL;
	}
	if (data && data[IFLA_DLIF_MN_ADDR]) {
		const u8 *mn = nla_data(data[IFLA_DLIF_MN_ADDR]);

		if (!is_zero_ether_addr(mn) && !is_valid_ether_addr(mn)) {
			NL_SET_ERR_MSG_ATTR(extack, data[IFLA_DLIF_MN_ADDR],
					    "mobile node address must be a unicast MAC address");
			return -EINVAL;
		}
	}
	return 0;
}

static int dlif_newlink(struct net *src_net, struct net_device *dev,
			struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	struct dlif_dev *dlif = netdev_priv(dev);
	struct net_device *lower;
	struct dlif_port *port;
	bool new_port = false;
	u8 mn[ETH_ALEN] = {};
	int err;

	if (!tb[IFLA_LINK]) {
		NL_SET_ERR_MSG(extack,
			       "dlif needs a lower device: ip link add link DEV name NAME type dlif");
		return -EINVAL;
	}
	lower = __dev_get_by_index(src_net, nla_get_u32(tb[IFLA_LINK]));
	if (!lower) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK], "lower device not found");
		return -ENODEV;
	}
	if (netif_is_dlif(lower)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "a dlif cannot be the lower device of a dlif");
		return -EINVAL;
	}
	if (lower->type != ARPHRD_ETHER || lower->addr_len != ETH_ALEN ||
	    (lower->flags & IFF_LOOPBACK)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "lower device must be an Ethernet device");
		return -EINVAL;
	}
	if (!net_eq(dev_net(lower), dev_net(dev))) {
		NL_SET_ERR_MSG(extack,
			       "dlif must be in the network namespace of its lower device");
		return -EINVAL;
	}
	if (tb[IFLA_MTU] && nla_get_u32(tb[IFLA_MTU]) > lower->mtu) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_MTU],
				    "MTU exceeds the lower device's MTU");
		return -EINVAL;
	}

	/* The mobile node: IFLA_DLIF_MN_ADDR, or the peer ("broadcast")
	 * address given to ip link add.
	 */
	if (data && data[IFLA_DLIF_MN_ADDR])
		ether_addr_copy(mn, nla_data(data[IFLA_DLIF_MN_ADDR]));
	else if (tb[IFLA_BROADCAST] && is_valid_ether_addr(dev->broadcast))
		ether_addr_copy(mn, dev->broadcast);
	eth_broadcast_addr(dev->broadcast);

	if (!tb[IFLA_ADDRESS])
		eth_hw_addr_random(dev);
	if (!tb[IFLA_MTU])
		dev->mtu = lower->mtu;
	dev->max_mtu = lower->mtu;
	netif_inherit_tso_max(dev, lower);

	port = dlif_port_get_rtnl(lower);
	if (!port) {
		port = dlif_port_create(lower, extack);
		if (IS_ERR(port))
			return PTR_ERR(port);
		new_port = true;
	}

	dlif->dev = dev;
	dlif->lower = lower;
	dlif->port = port;
	INIT_LIST_HEAD(&dlif->entries);
	INIT_LIST_HEAD(&dlif->bindings);
	if (data && data[IFLA_DLIF_MAAR_ADDR])
		dlif->maar_addr = nla_get_in6_addr(data[IFLA_DLIF_MAAR_ADDR]);

	if (dlif_pair_taken(port, mn, dev->dev_addr, NULL)) {
		NL_SET_ERR_MSG(extack,
			       "another dlif on this lower device has the same MAC for this mobile node");
		err = -EADDRINUSE;
		goto err_port;
	}

	/* No carrier until it takes its lower device's (open, notifier), so
	 * that the first transfer reports the operational state.
	 */
	netif_carrier_off(dev);

	/* From here on, unregistering undoes everything (ndo_uninit). */
	err = register_netdevice(dev);
	if (err)
		goto err_port;
	err = netdev_upper_dev_link(lower, dev, extack);
	if (err)
		goto err_unregister;
	if (!is_zero_ether_addr(mn)) {
		err = dlif_dev_bind(dlif, mn, extack);
		if (err)
			goto err_unlink;
	}
	netif_stacked_transfer_operstate(lower, dev);
	linkwatch_fire_event(dev);
	return 0;

err_unlink:
	netdev_upper_dev_unlink(lower, dev);
err_unregister:
	unregister_netdevice(dev);
	return err;
err_port:
	/* A failed registration may already have left and destroyed it. */
	if (new_port && dlif_port_get_rtnl(lower) == port && !port->count)
		dlif_port_destroy(port);
	return err;
}

static void dlif_dellink(struct net_device *dev, struct list_head *head)
{
	struct dlif_dev *dlif = netdev_priv(dev);

	/* Off the port's list now: queued once, whoever queued it. */
	list_del_init(&dlif->port_node);
	unregister_netdevice_queue(dev, head);
	netdev_upper_dev_unlink(dlif->lower, dev);
}

static int dlif_changelink(struct net_device *dev, struct nlattr *tb[],
			   struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	struct dlif_dev *dlif = netdev_priv(dev);
	int err;

	if (!data)
		return 0;
	if (data[IFLA_DLIF_MN_ADDR]) {
		err = dlif_dev_bind(dlif, nla_data(data[IFLA_DLIF_MN_ADDR]), extack);
		if (err)
			return err;
	}
	if (data[IFLA_DLIF_MAAR_ADDR])
		dlif->maar_addr = nla_get_in6_addr(data[IFLA_DLIF_MAAR_ADDR]);
	return 0;
}

static size_t dlif_get_size(const struct net_device *dev)
{
	return nla_total_size(ETH_ALEN) +			/* IFLA_DLIF_MN_ADDR */
	       nla_total_size(sizeof(struct in6_addr));	/* IFLA_DLIF_MAAR_ADDR */
}

static int dlif_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	const struct dlif_dev *dlif = netdev_priv(dev);
	const u8 *mn = dlif_mn_addr_rtnl(dlif);

	if (mn && nla_put(skb, IFLA_DLIF_MN_ADDR, ETH_ALEN, mn))
		return -EMSGSIZE;
	if (!ipv6_addr_any(&dlif->maar_addr) &&
	    nla_put_in6_addr(skb, IFLA_DLIF_MAAR_ADDR, &dlif->maar_addr))
		return -EMSGSIZE;
	return 0;
}

static struct net *dlif_get_link_net(const struct net_device *dev)
{
	const struct dlif_dev *dlif = netdev_priv(dev);

	return dev_net(dlif->lower);
}

struct rtnl_link_ops dlif_link_ops __read_mostly = {
	.kind		= DLIF_LINK_KIND,
	.priv_size	= sizeof(struct dlif_dev),
	.setup		= dlif_setup,
	.maxtype	= IFLA_DLIF_MAX,
	.policy		= dlif_link_policy,
	.validate	= dlif_validate,
	.newlink	= dlif_newlink,
	.changelink	= dlif_changelink,
	.dellink	= dlif_dellink,
	.get_size	= dlif_get_size,
	.fill_info	= dlif_fill_info,
	.get_link_net	= dlif_get_link_net,
};
EXPORT_SYMBOL_IF_KUNIT(dlif_link_ops);

/* ------------------------------------------------------ device notifier */

/* `ip link set DLIF broadcast MAC` rebinds the mobile node, if it can. */
static void dlif_broadcast_changed(struct dlif_dev *dlif)
{
	struct net_device *dev = dlif->dev;
	const u8 *mn = dlif_mn_addr_rtnl(dlif);
	u8 wanted[ETH_ALEN];

	if (mn ? ether_addr_equal(dev->broadcast, mn) : is_broadcast_ether_addr(dev->broadcast))
		return;
	ether_addr_copy(wanted, dev->broadcast);
	if (is_valid_ether_addr(wanted) && !dlif_dev_bind(dlif, wanted, NULL))
		return;
	if (mn) {
		netdev_warn(dev, "peer address %pM refused; the mobile node stays %pM\n",
			    wanted, mn);
		ether_addr_copy(dev->broadcast, mn);
	} else {
		netdev_warn(dev, "peer address %pM refused; the dlif stays unbound\n",
			    wanted);
		eth_broadcast_addr(dev->broadcast);
	}
}

static int dlif_device_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct dlif_dev *dlif, *next;
	struct dlif_port *port;
	LIST_HEAD(kill);

	if (netif_is_dlif(dev)) {
		if (event == NETDEV_CHANGEADDR)
			dlif_broadcast_changed(netdev_priv(dev));
		return NOTIFY_DONE;
	}

	port = dlif_port_get_rtnl(dev);
	if (!port)
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		list_for_each_entry(dlif, &port->dlifs, port_node)
			netif_stacked_transfer_operstate(dev, dlif->dev);
		break;
	case NETDEV_CHANGEMTU:
		/* The DLIFs never exceed the lower device's MTU; one that an
		 * administrator set lower stays as it is.
		 */
		list_for_each_entry(dlif, &port->dlifs, port_node) {
			dlif->dev->max_mtu = dev->mtu;
			if (dlif->dev->mtu > dev->mtu)
				dev_set_mtu(dlif->dev, dev->mtu);
		}
		break;
	case NETDEV_FEAT_CHANGE:
		list_for_each_entry(dlif, &port->dlifs, port_node)
			netif_inherit_tso_max(dlif->dev, dev);
		break;
	case NETDEV_PRE_TYPE_CHANGE:
		/* The DLIFs need an Ethernet lower device. */
		return NOTIFY_BAD;
	case NETDEV_UNREGISTER:
		/* Lower device going away, or moving to another namespace
		 * (a DLIF must stay with its lower device, and is
		 * netns-local itself): its DLIFs go with it, and with them
		 * their entries.
		 */
		list_for_each_entry_safe(dlif, next, &port->dlifs, port_node)
			dlif_link_ops.dellink(dlif->dev, &kill);
		unregister_netdevice_many(&kill);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block dlif_notifier_block __read_mostly = {
	.notifier_call = dlif_device_event,
};

static void dlif_device_caches_destroy(void)
{
	/* Every port and binding was released with its DLIF; wait for
	 * their callbacks, then the caches report what is left.
	 */
	rcu_barrier();
	kmem_cache_destroy(dlif_mn_cache);
	kmem_cache_destroy(dlif_port_cache);
}

int dlif_device_init(void)
{
	int err;

	dlif_port_cache = KMEM_CACHE(dlif_port, 0);
	dlif_mn_cache = KMEM_CACHE(dlif_mn, 0);
	if (!dlif_port_cache || !dlif_mn_cache) {
		err = -ENOMEM;
		goto err_caches;
	}
	err = register_netdevice_notifier(&dlif_notifier_block);
	if (err)
		goto err_caches;
	err = rtnl_link_register(&dlif_link_ops);
	if (err)
		goto err_notifier;
	return 0;

err_notifier:
	unregister_netdevice_notifier(&dlif_notifier_block);
err_caches:
	dlif_device_caches_destroy();
	return err;
}

void dlif_device_uninit(void)
{
	rtnl_link_unregister(&dlif_link_ops);
	unregister_netdevice_notifier(&dlif_notifier_block);
	dlif_device_caches_destroy();
}
