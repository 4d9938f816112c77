// SPDX-License-Identifier: GPL-2.0
/*
 * dlif: the per-namespace prefix table.
 *
 * Entries are keyed by their prefix (address masked to its length) in a
 * resizable hash table; a prefix has at most one entry, whatever its
 * role. A longest-prefix-match lookup for one role walks only the prefix
 * lengths that role uses, longest first, with one hash lookup each. Real
 * deployments use one or two lengths (/64, and /48 or /56 for local
 * networks), so a lookup costs one or two hash probes whether the table
 * holds ten entries or a million: its cost does not grow with the number
 * of entries. Readers (the packet paths) take no lock; writers serialise
 * on a per-namespace mutex and publish with RCU.
 *
 * An xarray indexes the entries by a stable id so that dumps can resume
 * across messages without walking the table again, and return each entry
 * present for the whole dump exactly once.
 */

#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "dlif.h"

static unsigned int dlif_net_id __read_mostly;
static struct kmem_cache *dlif_entry_cache __read_mostly;
static struct kmem_cache *dlif_peer_cache __read_mostly;
static struct kmem_cache *dlif_lens_cache __read_mostly;

static const struct rhashtable_params dlif_entry_params = {
	.key_len		= sizeof(struct dlif_key),
	.key_offset		= offsetof(struct dlif_entry, key),
	.head_offset		= offsetof(struct dlif_entry, node),
	.automatic_shrinking	= true,
};

struct dlif_net *dlif_net(const struct net *net)
{
	return net_generic(net, dlif_net_id);
}

static void dlif_make_key(struct dlif_key *key, const struct in6_addr *addr,
			  u8 plen)
{
	memset(key, 0, sizeof(*key));
	ipv6_addr_prefix(&key->prefix, addr, plen);
	key->plen = plen;
}

/* ----------------------------------------------------------------- lookup */

struct dlif_entry *dlif_lookup(struct dlif_net *dn, u8 role,
			       const struct in6_addr *addr)
{
	const struct dlif_lens *lens;
	struct dlif_entry *e;
	struct dlif_key key;
	unsigned int i;

	lens = rcu_dereference(dn->lens[role]);
	if (!lens)
		return NULL;
	for (i = 0; i < lens->n; i++) {
		dlif_make_key(&key, addr, lens->len[i]);
		e = rhashtable_lookup(&dn->entries, &key, dlif_entry_params);
		if (e && e->role == role)
			return e;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(dlif_lookup);

/* The entry of exactly this prefix, whatever its role (RCU or lock). */
struct dlif_entry *dlif_table_find(struct dlif_net *dn,
				   const struct in6_addr *prefix, u8 plen)
{
	struct dlif_key key;

	dlif_make_key(&key, prefix, plen);
	return rhashtable_lookup_fast(&dn->entries, &key, dlif_entry_params);
}
EXPORT_SYMBOL_IF_KUNIT(dlif_table_find);

static u32 dlif_peer_hash(const struct in6_addr *addr)
{
	return ipv6_addr_hash(addr);
}

/* Is @addr the peer of any entry? (RCU) */
bool dlif_peer_known(struct dlif_net *dn, const struct in6_addr *addr)
{
	struct dlif_peer *peer;

	hash_for_each_possible_rcu(dn->peers, peer, node, dlif_peer_hash(addr)) {
		if (ipv6_addr_equal(&peer->addr, addr))
			return true;
	}
	return false;
}

/* ------------------------------------------------------- peers (locked) */

static struct dlif_peer *dlif_peer_get(struct dlif_net *dn,
				       const struct in6_addr *addr,
				       const struct in6_addr *local)
{
	struct dlif_peer *peer;

	lockdep_assert_held(&dn->lock);
	hash_for_each_possible(dn->peers, peer, node, dlif_peer_hash(addr)) {
		if (ipv6_addr_equal(&peer->addr, addr) &&
		    ipv6_addr_equal(&peer->local, local)) {
			peer->refs++;
			return peer;
		}
	}
	peer = kmem_cache_zalloc(dlif_peer_cache, GFP_KERNEL);
	if (!peer)
		return NULL;
	if (dst_cache_init(&peer->dst_cache, GFP_KERNEL)) {
		kmem_cache_free(dlif_peer_cache, peer);
		return NULL;
	}
	peer->addr = *addr;
	peer->local = *local;
	peer->refs = 1;
	hash_add_rcu(dn->peers, &peer->node, dlif_peer_hash(addr));
	return peer;
}

static void dlif_peer_free_rcu(struct rcu_head *rcu)
{
	struct dlif_peer *peer = container_of(rcu, struct dlif_peer, rcu);

	dst_cache_destroy(&peer->dst_cache);
	kmem_cache_free(dlif_peer_cache, peer);
}

static void dlif_peer_put(struct dlif_net *dn, struct dlif_peer *peer)
{
	lockdep_assert_held(&dn->lock);
	if (!peer || --peer->refs)
		return;
	hash_del_rcu(&peer->node);
	call_rcu(&peer->rcu, dlif_peer_free_rcu);
}

/* ------------------------------------------------ prefix lengths (locked) */

static void dlif_lens_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(dlif_lens_cache, container_of(rcu, struct dlif_lens, rcu));
}

/* Republish the lengths in use by @role, longest first. */
static int dlif_lens_publish(struct dlif_net *dn, u8 role)
{
	struct dlif_lens *lens, *old;
	int l;

	lens = kmem_cache_zalloc(dlif_lens_cache, GFP_KERNEL);
	if (!lens)
		return -ENOMEM;
	for (l = 128; l >= 0; l--)
		if (dn->len_count[role][l])
			lens->len[lens->n++] = l;
	old = rcu_replace_pointer(dn->lens[role], lens, lockdep_is_held(&dn->lock));
	if (old)
		call_rcu(&old->rcu, dlif_lens_free_rcu);
	return 0;
}

static int dlif_lens_add(struct dlif_net *dn, u8 role, u8 plen)
{
	int err;

	if (dn->len_count[role][plen]++)
		return 0;
	err = dlif_lens_publish(dn, role);
	if (err)
		dn->len_count[role][plen]--;
	return err;
}

static void dlif_lens_del(struct dlif_net *dn, u8 role, u8 plen)
{
	if (--dn->len_count[role][plen])
		return;
	/* On allocation failure the stale list only costs a wasted probe. */
	dlif_lens_publish(dn, role);
}

/* ------------------------------------------------------ entries (locked) */

static void dlif_entry_free_rcu(struct rcu_head *rcu)
{
	struct dlif_entry *e = container_of(rcu, struct dlif_entry, rcu);

	if (e->dlif)
		netdev_put(e->dlif->dev, &e->dev_tracker);
	kmem_cache_free(dlif_entry_cache, e);
}

/* Undo what dlif_entry_create() took, for an entry that was never seen. */
static void dlif_entry_destroy(struct dlif_net *dn, struct dlif_entry *e)
{
	dlif_peer_put(dn, e->peer);
	if (e->dlif)
		netdev_put(e->dlif->dev, &e->dev_tracker);
	kmem_cache_free(dlif_entry_cache, e);
}

static struct dlif_entry *dlif_entry_create(struct dlif_net *dn,
					    const struct dlif_entry_cfg *cfg)
{
	struct dlif_entry *e;

	/* Zeroed: the counters and drops start at zero. */
	e = kmem_cache_zalloc(dlif_entry_cache, GFP_KERNEL);
	if (!e)
		return NULL;
	if (cfg->has_peer) {
		e->peer = dlif_peer_get(dn, &cfg->peer, &cfg->local);
		if (!e->peer) {
			kmem_cache_free(dlif_entry_cache, e);
			return NULL;
		}
	}
	dlif_make_key(&e->key, &cfg->prefix, cfg->plen);
	e->role = cfg->role;
	e->hop_limit = cfg->hop_limit;
	e->local = cfg->local;
	INIT_LIST_HEAD(&e->dlif_node);
	INIT_LIST_HEAD(&e->mn_node);
	if (cfg->dev) {
		e->dlif = netdev_priv(cfg->dev);
		netdev_hold(cfg->dev, &e->dev_tracker, GFP_KERNEL);
	}
	ether_addr_copy(e->mn_addr, cfg->mn_addr);
	return e;
}

/* Dumps in progress see NLM_F_DUMP_INTR after any change. */
static void dlif_table_changed(struct dlif_net *dn)
{
	unsigned int gen = dn->generation + 1;

	WRITE_ONCE(dn->generation, gen ?: 1);
}

/*
 * The packet paths look in the table only where an entry could claim the
 * packet. The uplink, for a node with a serving or local-net entry naming
 * one of its DLIFs, or for any node while a local-net entry names no DLIF
 * (a serving entry naming no DLIF claims nothing); a DLIF's transmit, when
 * an anchor entry names it. The counts go up once an entry is in the
 * table and down once it has left (a replacement links the new entry
 * before it unlinks the old one), so a reader that sees zero acts as it
 * would have an instant before the entry was added.
 */
static void dlif_entry_count_claims(struct dlif_net *dn, struct dlif_entry *e,
				    int delta)
{
	struct dlif_dev *dlif = e->dlif;

	switch (e->role) {
	case DLIF_ROLE_ANCHOR:
		if (dlif)
			WRITE_ONCE(dlif->anchor_entries, dlif->anchor_entries + delta);
		break;
	case DLIF_ROLE_SERVING:
	case DLIF_ROLE_LOCAL_NET:
		if (dlif)
			WRITE_ONCE(dlif->uplink_entries, dlif->uplink_entries + delta);
		else if (e->role == DLIF_ROLE_LOCAL_NET)
			WRITE_ONCE(dn->open_local_nets, dn->open_local_nets + delta);
		break;
	}
}

/* Account for a new entry now visible in the table. */
static void dlif_entry_link(struct dlif_net *dn, struct dlif_entry *e)
{
	dlif_table_changed(dn);
	if (e->dlif)
		list_add_tail(&e->dlif_node, &e->dlif->entries);
	if (e->mn)
		list_add_tail(&e->mn_node, &e->mn->entries);
	dlif_entry_count_claims(dn, e, 1);
	WRITE_ONCE(dn->nr_entries, dn->nr_entries + 1);
}

/*
 * Forget an entry no longer in the table and free it after readers.
 * Readers that found it before it left the table may still use every
 * field, e->peer included: the peer's reference is dropped here, but
 * the peer itself is freed after a grace period too (dlif_peer_put()).
 */
static void dlif_entry_unlink(struct dlif_net *dn, struct dlif_entry *e)
{
	dlif_table_changed(dn);
	if (e->dlif)
		list_del(&e->dlif_node);
	if (e->mn)
		list_del(&e->mn_node);
	dlif_entry_count_claims(dn, e, -1);
	WRITE_ONCE(dn->nr_entries, dn->nr_entries - 1);
	dlif_lens_del(dn, e->role, e->key.plen);
	dlif_peer_put(dn, e->peer);
	call_rcu(&e->rcu, dlif_entry_free_rcu);
}

/*
 * Can an entry name @cfg's DLIF (and node)? @mn is set to the binding an
 * entry naming a node by MAC joins. Under the table lock, that binding
 * stays: it is freed only after its entries have been removed under the
 * lock and it was closed (dlif_table_remove_binding()), or after its
 * DLIF was marked dead (dlif_table_remove_dlif()).
 */
static int dlif_check_dlif(struct dlif_net *dn, const struct dlif_entry_cfg *cfg,
			   struct dlif_mn **mn, struct netlink_ext_ack *extack)
{
	const struct dlif_dev *dlif;
	struct dlif_mn *bound;

	*mn = NULL;
	if (!cfg->dev)
		return 0;
	dlif = netdev_priv(cfg->dev);
	if (dlif->dead) {
		NL_SET_ERR_MSG(extack, "the dlif device is being deleted");
		return -ENODEV;
	}
	if (is_zero_ether_addr(cfg->mn_addr))
		return 0;
	rcu_read_lock();
	bound = dlif_binding_of(dlif, cfg->mn_addr);
	if (bound && bound->closed)
		bound = NULL;
	rcu_read_unlock();
	if (!bound) {
		NL_SET_ERR_MSG(extack, "the dlif has no binding for this mobile node");
		return -ENOENT;
	}
	*mn = bound;
	return 0;
}

int dlif_table_add(struct dlif_net *dn, const struct dlif_entry_cfg *cfg,
		   bool replace, const struct dlif_origin *origin,
		   struct netlink_ext_ack *extack)
{
	struct dlif_entry *e, *old;
	struct dlif_mn *mn;
	int err;

	mutex_lock(&dn->lock);
	err = dlif_check_dlif(dn, cfg, &mn, extack);
	if (err)
		goto out;

	e = dlif_entry_create(dn, cfg);
	if (!e) {
		NL_SET_ERR_MSG(extack, "out of memory for the entry");
		err = -ENOMEM;
		goto out;
	}
	e->mn = mn;
	old = rhashtable_lookup_fast(&dn->entries, &e->key, dlif_entry_params);
	if (old && !replace) {
		NL_SET_ERR_MSG(extack, "the prefix already has an entry");
		err = -EEXIST;
		goto err_destroy;
	}

	err = dlif_lens_add(dn, e->role, e->key.plen);
	if (err) {
		NL_SET_ERR_MSG(extack, "out of memory for the prefix lengths");
		goto err_destroy;
	}

	if (old) {
		/* One atomic swap for the readers: a handover re-points the
		 * prefix without a window where it has no entry.
		 */
		e->id = old->id;
		err = rhashtable_replace_fast(&dn->entries, &old->node, &e->node,
					      dlif_entry_params);
		if (err)
			goto err_lens;
		xa_store(&dn->ids, e->id, e, GFP_KERNEL);
		dlif_entry_link(dn, e);
		dlif_entry_unlink(dn, old);
		dlif_nl_notify_entry(dn, DLIF_CMD_ENTRY_SET, e, origin);
	} else {
		err = xa_alloc_cyclic(&dn->ids, &e->id, e, xa_limit_32b,
				      &dn->next_id, GFP_KERNEL);
		if (err < 0)
			goto err_lens;
		err = rhashtable_insert_fast(&dn->entries, &e->node,
					     dlif_entry_params);
		if (err) {
			xa_erase(&dn->ids, e->id);
			goto err_lens;
		}
		dlif_entry_link(dn, e);
		dlif_nl_notify_entry(dn, DLIF_CMD_ENTRY_NEW, e, origin);
	}
	mutex_unlock(&dn->lock);
	return 0;

err_lens:
	dlif_lens_del(dn, e->role, e->key.plen);
	if (err == -EBUSY || err == -E2BIG)
		NL_SET_ERR_MSG(extack, "the table cannot take more entries now");
	else
		NL_SET_ERR_MSG(extack, "out of memory for the table");
err_destroy:
	dlif_entry_destroy(dn, e);
out:
	mutex_unlock(&dn->lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(dlif_table_add);

static void dlif_entry_remove(struct dlif_net *dn, struct dlif_entry *e,
			      const struct dlif_origin *origin)
{
	rhashtable_remove_fast(&dn->entries, &e->node, dlif_entry_params);
	xa_erase(&dn->ids, e->id);
	dlif_nl_notify_entry(dn, DLIF_CMD_ENTRY_DEL, e, origin);
	dlif_entry_unlink(dn, e);
}

int dlif_table_del(struct dlif_net *dn, const struct in6_addr *prefix, u8 plen,
		   const struct dlif_origin *origin, struct netlink_ext_ack *extack)
{
	struct dlif_entry *e;
	struct dlif_key key;
	int err = 0;

	dlif_make_key(&key, prefix, plen);
	mutex_lock(&dn->lock);
	e = rhashtable_lookup_fast(&dn->entries, &key, dlif_entry_params);
	if (e) {
		dlif_entry_remove(dn, e, origin);
	} else {
		NL_SET_ERR_MSG(extack, "no entry for this prefix");
		err = -ENOENT;
	}
	mutex_unlock(&dn->lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(dlif_table_del);

bool dlif_entry_matches(const struct dlif_entry *e,
			const struct dlif_entry_filter *filter)
{
	if (filter->role && e->role != filter->role)
		return false;
	if (filter->has_peer &&
	    (!e->peer || !ipv6_addr_equal(&e->peer->addr, &filter->peer)))
		return false;
	if (filter->ifindex && (!e->dlif || e->dlif->dev->ifindex != filter->ifindex))
		return false;
	if (!is_zero_ether_addr(filter->mn_addr) &&
	    !ether_addr_equal(e->mn_addr, filter->mn_addr))
		return false;
	return true;
}

unsigned int dlif_table_flush(struct dlif_net *dn,
			      const struct dlif_entry_filter *filter,
			      const struct dlif_origin *origin)
{
	struct dlif_entry *e;
	unsigned int n = 0;
	unsigned long id;

	mutex_lock(&dn->lock);
	xa_for_each(&dn->ids, id, e) {
		if (!dlif_entry_matches(e, filter))
			continue;
		dlif_entry_remove(dn, e, origin);
		n++;
		if (!(n % 1024))
			cond_resched();
	}
	mutex_unlock(&dn->lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(dlif_table_flush);

/* A DLIF is going away (ndo_uninit, RTNL held): so do its entries. */
void dlif_table_remove_dlif(struct dlif_dev *dlif)
{
	struct dlif_net *dn = dlif_net(dev_net(dlif->dev));
	struct dlif_entry *e, *next;

	mutex_lock(&dn->lock);
	dlif->dead = true;
	list_for_each_entry_safe(e, next, &dlif->entries, dlif_node)
		dlif_entry_remove(dn, e, NULL);
	mutex_unlock(&dn->lock);
}

/*
 * A binding is going (RTNL held): so are the entries that named its node
 * by MAC, the binding's own list, however many nodes share the DLIF; none
 * may join it after. Entries naming the DLIF's primary node without a MAC
 * stay with the DLIF.
 */
void dlif_table_remove_binding(struct dlif_mn *mn)
{
	struct dlif_net *dn = dlif_net(dev_net(mn->dlif->dev));
	struct dlif_entry *e, *next;

	mutex_lock(&dn->lock);
	mn->closed = true;
	list_for_each_entry_safe(e, next, &mn->entries, mn_node)
		dlif_entry_remove(dn, e, NULL);
	mutex_unlock(&dn->lock);
}

/* ------------------------------------------------------ namespace lifetime */

/* A table for @net (its own, or a free-standing one for the KUnit tests). */
int dlif_table_net_init(struct dlif_net *dn, struct net *net)
{
	dn->net = net;
	mutex_init(&dn->lock);
	xa_init_flags(&dn->ids, XA_FLAGS_ALLOC);
	hash_init(dn->peers);
	dn->generation = 1;
	return rhashtable_init(&dn->entries, &dlif_entry_params);
}
EXPORT_SYMBOL_IF_KUNIT(dlif_table_net_init);

/* Empty the table (no entry may name a DLIF any more) and free it. */
void dlif_table_net_exit(struct dlif_net *dn)
{
	struct dlif_entry_filter all = {};
	int role;

	dlif_table_flush(dn, &all, NULL);
	rhashtable_destroy(&dn->entries);
	xa_destroy(&dn->ids);
	for (role = 0; role < __DLIF_ROLE_MAX; role++) {
		struct dlif_lens *lens = rcu_replace_pointer(dn->lens[role], NULL, true);

		if (lens)
			call_rcu(&lens->rcu, dlif_lens_free_rcu);
	}
	WARN_ON_ONCE(!hash_empty(dn->peers));
}
EXPORT_SYMBOL_IF_KUNIT(dlif_table_net_exit);

static int __net_init dlif_net_init(struct net *net)
{
	return dlif_table_net_init(dlif_net(net), net);
}

/* Devices (and with them their entries) are gone by now: the pernet
 * device operations of the namespace's devices exit before subsystems.
 */
static void __net_exit dlif_net_exit(struct net *net)
{
	dlif_table_net_exit(dlif_net(net));
}

static struct pernet_operations dlif_net_ops = {
	.init = dlif_net_init,
	.exit = dlif_net_exit,
	.id   = &dlif_net_id,
	.size = sizeof(struct dlif_net),
};

int dlif_table_init(void)
{
	int err;

	/* The packet paths' fields share one cache line (of 64 octets or
	 * more, as on every 64-bit architecture), and on SMP the counters
	 * stay off it (struct dlif_entry).
	 */
	BUILD_BUG_ON(SMP_CACHE_BYTES >= 64 &&
		     offsetofend(struct dlif_entry, local) > SMP_CACHE_BYTES);
	BUILD_BUG_ON(IS_ENABLED(CONFIG_SMP) &&
		     offsetof(struct dlif_entry, counters) < SMP_CACHE_BYTES);

	/* KMEM_CACHE() aligns each entry as the structure says: to a cache
	 * line.
	 */
	dlif_entry_cache = KMEM_CACHE(dlif_entry, 0);
	dlif_peer_cache = KMEM_CACHE(dlif_peer, 0);
	dlif_lens_cache = KMEM_CACHE(dlif_lens, 0);
	if (!dlif_entry_cache || !dlif_peer_cache || !dlif_lens_cache) {
		err = -ENOMEM;
		goto err_caches;
	}
	err = register_pernet_subsys(&dlif_net_ops);
	if (err)
		goto err_caches;
	return 0;

err_caches:
	kmem_cache_destroy(dlif_lens_cache);
	kmem_cache_destroy(dlif_peer_cache);
	kmem_cache_destroy(dlif_entry_cache);
	return err;
}

/* The caches report, on destruction, any entry, peer or list of prefix
 * lengths still allocated: a leak, seen on every kernel when the module
 * unloads. Their objects are freed by call_rcu(), which rcu_barrier()
 * waits for (on 6.1 nothing waits for kfree_rcu()'s batches).
 */
void dlif_table_uninit(void)
{
	unregister_pernet_subsys(&dlif_net_ops);
	rcu_barrier();
	kmem_cache_destroy(dlif_lens_cache);
	kmem_cache_destroy(dlif_peer_cache);
	kmem_cache_destroy(dlif_entry_cache);
}
