// SPDX-License-Identifier: GPL-2.0
/*
 * dlif: KUnit tests of the prefix table against a reference model.
 *
 * Random operations (add, replace, delete, flush) on a free-standing
 * table and on a plain array that knows what the table must hold; after
 * each one the table's answers are compared with the model's: every
 * lookup, for every role, is the model's longest matching prefix of that
 * role, and the counts agree. Prefixes are drawn from a small alphabet so
 * that they nest and collide, with lengths from /0 to /128. The seed is
 * fixed: a failure reproduces. WireGuard's allowedips self-test is the
 * model for this test.
 *
 * Built into dlif_kunit.ko, with lifetime_kunit.c, where the kernel has
 * KUnit (the selftests' debug kernel); loading it runs the suites.
 */

#include <kunit/test.h>
#include <linux/prandom.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>

#include "dlif.h"

#define MODEL_MAX	512
#define NR_PEERS	3

struct model_entry {
	struct in6_addr prefix;
	u8 plen;
	u8 role;
	int peer;		/* index into peers[], or -1 */
};

struct model {
	struct model_entry e[MODEL_MAX];
	unsigned int n;
};

struct table_test {
	struct dlif_net *dn;
	struct model model;
	struct rnd_state rnd;
	struct in6_addr peers[NR_PEERS];
};

static const u8 lengths[] = { 0, 16, 32, 48, 56, 63, 64, 65, 96, 127, 128 };
static const u8 alphabet[] = { 0x00, 0x01, 0x80, 0xff };

static u32 rnd(struct table_test *t, u32 below)
{
	return prandom_u32_state(&t->rnd) % below;
}

/* 2001:db8::/32, then bytes from a four-letter alphabet: lots of nesting. */
static void random_addr(struct table_test *t, struct in6_addr *a)
{
	int i;

	a->s6_addr[0] = 0x20;
	a->s6_addr[1] = 0x01;
	a->s6_addr[2] = 0x0d;
	a->s6_addr[3] = 0xb8;
	for (i = 4; i < 16; i++)
		a->s6_addr[i] = alphabet[rnd(t, ARRAY_SIZE(alphabet))];
}

static int model_find(const struct model *m, const struct in6_addr *prefix, u8 plen)
{
	struct in6_addr masked;
	unsigned int i;

	ipv6_addr_prefix(&masked, prefix, plen);
	for (i = 0; i < m->n; i++)
		if (m->e[i].plen == plen && ipv6_addr_equal(&m->e[i].prefix, &masked))
			return i;
	return -1;
}

/* The longest prefix of @role covering @addr, or -1. */
static int model_lookup(const struct model *m, u8 role, const struct in6_addr *addr)
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		if (m->e[i].role != role ||
		    !ipv6_prefix_equal(&m->e[i].prefix, addr, m->e[i].plen))
			continue;
		if (best < 0 || m->e[i].plen > m->e[best].plen)
			best = i;
	}
	return best;
}

static void model_remove(struct model *m, int i)
{
	m->e[i] = m->e[--m->n];
}

static void random_cfg(struct table_test *t, struct dlif_entry_cfg *cfg, int *peer)
{
	memset(cfg, 0, sizeof(*cfg));
	random_addr(t, &cfg->prefix);
	cfg->plen = lengths[rnd(t, ARRAY_SIZE(lengths))];
	ipv6_addr_prefix(&cfg->prefix, &cfg->prefix, cfg->plen);
	cfg->role = 1 + rnd(t, DLIF_ROLE_MAX);
	cfg->hop_limit = DLIF_DEFAULT_HOP_LIMIT;
	*peer = -1;
	if (cfg->role != DLIF_ROLE_LOCAL_EXPORT || rnd(t, 2)) {
		*peer = rnd(t, NR_PEERS);
		cfg->has_peer = true;
		cfg->peer = t->peers[*peer];
	}
}

/* Every lookup of every role agrees with the model, and so do the counts. */
static void check_table(struct kunit *test, struct table_test *t, unsigned int probes)
{
	const struct model *m = &t->model;
	unsigned int open_local_nets = 0;
	const struct dlif_peer *peer;
	struct dlif_entry *e;
	struct in6_addr addr;
	unsigned int i;
	int want, role;

	/* The entries here name no DLIF: every local-net one is open to
	 * every node, and gates the uplink of nodes without entries.
	 */
	for (i = 0; i < m->n; i++)
		open_local_nets += m->e[i].role == DLIF_ROLE_LOCAL_NET;
	KUNIT_EXPECT_EQ(test, READ_ONCE(t->dn->nr_entries), m->n);
	KUNIT_EXPECT_EQ(test, READ_ONCE(t->dn->open_local_nets), open_local_nets);

	rcu_read_lock();
	for (i = 0; i < m->n; i++) {
		e = dlif_table_find(t->dn, &m->e[i].prefix, m->e[i].plen);
		KUNIT_ASSERT_NOT_NULL(test, e);
		KUNIT_EXPECT_EQ(test, e->role, m->e[i].role);
		peer = READ_ONCE(e->peer);
		if (m->e[i].peer < 0)
			KUNIT_EXPECT_NULL(test, peer);
		else
			KUNIT_EXPECT_TRUE(test, peer &&
					  ipv6_addr_equal(&peer->addr, &t->peers[m->e[i].peer]));
	}
	for (i = 0; i < probes; i++) {
		/* Half the probes inside a known prefix, half anywhere. */
		random_addr(t, &addr);
		if (m->n && rnd(t, 2)) {
			const struct model_entry *me = &m->e[rnd(t, m->n)];
			struct in6_addr host = addr;
			int b;

			for (b = 0; b < me->plen; b++) {
				u8 bit = 0x80 >> (b % 8);

				host.s6_addr[b / 8] &= ~bit;
				host.s6_addr[b / 8] |= me->prefix.s6_addr[b / 8] & bit;
			}
			addr = host;
		}
		for (role = 1; role <= DLIF_ROLE_MAX; role++) {
			want = model_lookup(m, role, &addr);
			e = dlif_lookup(t->dn, role, &addr);
			if (want < 0) {
				KUNIT_EXPECT_NULL_MSG(test, e,
						      "role %d %pI6c: the table found %pI6c/%u",
						      role, &addr, e ? &e->key.prefix : &addr,
						      e ? e->key.plen : 0);
				continue;
			}
			KUNIT_ASSERT_NOT_NULL_MSG(test, e,
						  "role %d %pI6c: the table found nothing, not %pI6c/%u",
						  role, &addr, &m->e[want].prefix, m->e[want].plen);
			KUNIT_EXPECT_EQ(test, e->key.plen, m->e[want].plen);
			KUNIT_EXPECT_TRUE(test,
					  ipv6_addr_equal(&e->key.prefix, &m->e[want].prefix));
			KUNIT_EXPECT_EQ(test, e->role, role);
		}
	}
	rcu_read_unlock();
}

static int table_test_init(struct kunit *test)
{
	struct table_test *t;
	int i;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->dn = kunit_kzalloc(test, sizeof(*t->dn), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->dn);
	/* Notifications go to init_net's "entries" group; nobody listens
	 * in the VM that runs this, and a listener would only see noise.
	 */
	KUNIT_ASSERT_EQ(test, dlif_table_net_init(t->dn, &init_net), 0);
	prandom_seed_state(&t->rnd, 0x646c6966);	/* "dlif" */
	for (i = 0; i < NR_PEERS; i++)
		ipv6_addr_set(&t->peers[i], htonl(0x20010db8), htonl(0xff), 0, htonl(i + 1));
	test->priv = t;
	return 0;
}

static void table_test_exit(struct kunit *test)
{
	struct table_test *t = test->priv;

	/* Flushes what is left; WARNs if a peer outlived its entries. */
	dlif_table_net_exit(t->dn);
	rcu_barrier();
}

static void table_matches_model_under_random_operations(struct kunit *test)
{
	struct table_test *t = test->priv;
	struct model *m = &t->model;
	struct dlif_entry_cfg cfg;
	int op, i, want, err, peer;

	for (op = 0; op < 4000; op++) {
		unsigned int dice = rnd(t, 100);

		random_cfg(t, &cfg, &peer);
		i = model_find(m, &cfg.prefix, cfg.plen);
		if (dice < 45 && m->n < MODEL_MAX) {
			err = dlif_table_add(t->dn, &cfg, false, NULL, NULL);
			want = i >= 0 ? -EEXIST : 0;
			KUNIT_ASSERT_EQ_MSG(test, err, want, "add %pI6c/%u", &cfg.prefix, cfg.plen);
			if (!err)
				m->e[m->n++] = (struct model_entry){
					cfg.prefix, cfg.plen, cfg.role, peer
				};
		} else if (dice < 65 && (i >= 0 || m->n < MODEL_MAX)) {
			/* Replace: a handover re-points the prefix, maybe to
			 * another role, in one step.
			 */
			err = dlif_table_add(t->dn, &cfg, true, NULL, NULL);
			KUNIT_ASSERT_EQ_MSG(test, err, 0, "replace %pI6c/%u",
					    &cfg.prefix, cfg.plen);
			if (i < 0)
				i = m->n++;
			m->e[i] = (struct model_entry){ cfg.prefix, cfg.plen, cfg.role, peer };
		} else if (dice < 90) {
			/* Delete, mostly something that is there. */
			if (m->n && rnd(t, 4)) {
				i = rnd(t, m->n);
				cfg.prefix = m->e[i].prefix;
				cfg.plen = m->e[i].plen;
			}
			err = dlif_table_del(t->dn, &cfg.prefix, cfg.plen, NULL, NULL);
			KUNIT_ASSERT_EQ_MSG(test, err, i >= 0 ? 0 : -ENOENT,
					    "delete %pI6c/%u", &cfg.prefix, cfg.plen);
			if (i >= 0)
				model_remove(m, i);
		} else {
			check_table(test, t, 16);
		}
	}
	check_table(test, t, 256);
}

static void flush_by_role_and_peer(struct kunit *test)
{
	struct table_test *t = test->priv;
	struct model *m = &t->model;
	struct dlif_entry_filter filter = {};
	struct dlif_entry_cfg cfg;
	unsigned int n, want;
	int i, peer;

	for (i = 0; i < 300; i++) {
		random_cfg(t, &cfg, &peer);
		if (model_find(m, &cfg.prefix, cfg.plen) >= 0)
			continue;
		KUNIT_ASSERT_EQ(test, dlif_table_add(t->dn, &cfg, false, NULL, NULL), 0);
		m->e[m->n++] = (struct model_entry){ cfg.prefix, cfg.plen, cfg.role, peer };
	}

	filter.role = DLIF_ROLE_SERVING;
	filter.has_peer = true;
	filter.peer = t->peers[1];
	for (want = 0, i = m->n - 1; i >= 0; i--) {
		if (m->e[i].role == DLIF_ROLE_SERVING && m->e[i].peer == 1) {
			model_remove(m, i);
			want++;
		}
	}
	n = dlif_table_flush(t->dn, &filter, NULL);
	KUNIT_EXPECT_EQ(test, n, want);
	check_table(test, t, 128);
}

/* A wrapped generation counter must not read as "no check" (zero). */
static void generation_is_never_zero(struct kunit *test)
{
	struct table_test *t = test->priv;
	struct dlif_entry_cfg cfg;
	int peer;

	random_cfg(t, &cfg, &peer);
	t->dn->generation = UINT_MAX;
	KUNIT_ASSERT_EQ(test, dlif_table_add(t->dn, &cfg, false, NULL, NULL), 0);
	KUNIT_EXPECT_NE(test, READ_ONCE(t->dn->generation), 0U);
	KUNIT_ASSERT_EQ(test, dlif_table_del(t->dn, &cfg.prefix, cfg.plen, NULL, NULL), 0);
	KUNIT_EXPECT_NE(test, READ_ONCE(t->dn->generation), 0U);
}

static struct kunit_case dlif_table_cases[] = {
	KUNIT_CASE(table_matches_model_under_random_operations),
	KUNIT_CASE(flush_by_role_and_peer),
	KUNIT_CASE(generation_is_never_zero),
	{}
};

static struct kunit_suite dlif_table_suite = {
	.name = "dlif_table",
	.init = table_test_init,
	.exit = table_test_exit,
	.test_cases = dlif_table_cases,
};

kunit_test_suite(dlif_table_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of dlif: the prefix table, and lifetimes across a change");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
