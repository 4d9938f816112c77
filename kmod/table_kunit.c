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
 * A second suite holds a reader inside its RCU read-side section on one
 * CPU while a writer on another re-points or deletes the entry it found:
 * what the reader took (the entry, its peer) must stay valid until it
 * leaves, which KASAN judges. A traffic stress meets that window only by
 * chance; here it is held open on purpose.
 *
 * Built as dlif_kunit.ko where the kernel has KUnit (the selftests' debug
 * kernel); loading it runs the suites.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
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
				KUNIT_EXPECT_NULL_MSG(test, e, "role %d %pI6c: the table found %pI6c/%u",
						      role, &addr, e ? &e->key.prefix : &addr,
						      e ? e->key.plen : 0);
				continue;
			}
			KUNIT_ASSERT_NOT_NULL_MSG(test, e, "role %d %pI6c: the table found nothing, not %pI6c/%u",
						  role, &addr, &m->e[want].prefix, m->e[want].plen);
			KUNIT_EXPECT_EQ(test, e->key.plen, m->e[want].plen);
			KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&e->key.prefix, &m->e[want].prefix));
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
	for (i = 0; i < NR_PEERS; i++) {
		ipv6_addr_set(&t->peers[i], htonl(0x20010db8), htonl(0xff), 0, htonl(i + 1));
	}
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
				m->e[m->n++] = (struct model_entry){ cfg.prefix, cfg.plen, cfg.role, peer };
		} else if (dice < 65 && (i >= 0 || m->n < MODEL_MAX)) {
			/* Replace: a handover re-points the prefix, maybe to
			 * another role, in one step.
			 */
			err = dlif_table_add(t->dn, &cfg, true, NULL, NULL);
			KUNIT_ASSERT_EQ_MSG(test, err, 0, "replace %pI6c/%u", &cfg.prefix, cfg.plen);
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

/* ------------------------------------------- lifetimes across a change */

/*
 * One reader and one writer, each a kthread bound to its own CPU. The
 * reader looks the prefix up, says so, and waits inside its read-side
 * section (spinning: it must not sleep there) until the writer has made
 * its change; only then does it read what it found. The writer frees
 * nothing itself: whatever its change released must outlive the reader.
 */
struct lifetime_probe {
	struct dlif_net *dn;
	struct in6_addr addr;			/* looked up, serving role */
	int (*change)(struct lifetime_probe *p);
	struct dlif_entry_cfg other;		/* what a re-point installs */
	bool found, changed;			/* release / acquire */
	bool overlapped;			/* changed while the reader held */
	int change_err;
	u8 seen_plen;
	struct in6_addr seen_peer;
	struct completion read, written;
};

/* Long enough for a writer under KASAN and lockdep in an emulated VM;
 * short of the RCU stall and soft lockup detectors (21 and 20 s).
 */
#define LIFETIME_WAIT	(5 * HZ)

static int lifetime_reader(void *arg)
{
	struct lifetime_probe *p = arg;
	unsigned long deadline = jiffies + LIFETIME_WAIT;
	const struct dlif_peer *peer = NULL;
	struct dlif_entry *e;

	rcu_read_lock();
	e = dlif_lookup(p->dn, DLIF_ROLE_SERVING, &p->addr);
	if (e)
		peer = READ_ONCE(e->peer);
	/* Pairs with the writer's acquire: it changes nothing before this. */
	smp_store_release(&p->found, e && peer);
	if (e && peer) {
		/* Pairs with the writer's release: its change is complete. */
		while (!smp_load_acquire(&p->changed) && time_before(jiffies, deadline))
			cpu_relax();
		/* Again, for a change that came after the deadline. */
		p->overlapped = smp_load_acquire(&p->changed);
		/* The accesses under test: after the change, before unlock. */
		p->seen_plen = READ_ONCE(e->key.plen);
		p->seen_peer = peer->addr;
	}
	rcu_read_unlock();
	complete(&p->read);
	return 0;
}

static int lifetime_writer(void *arg)
{
	struct lifetime_probe *p = arg;
	unsigned long deadline = jiffies + LIFETIME_WAIT;

	/* Pairs with the reader's release: it holds the entry now. */
	while (!smp_load_acquire(&p->found) && time_before(jiffies, deadline))
		usleep_range(100, 200);
	p->change_err = p->change(p);
	/* Pairs with the reader's acquire: the change is done. */
	smp_store_release(&p->changed, true);
	complete(&p->written);
	return 0;
}

static int repoint_to_other_peer(struct lifetime_probe *p)
{
	return dlif_table_add(p->dn, &p->other, true, NULL, NULL);
}

static int delete_entry(struct lifetime_probe *p)
{
	return dlif_table_del(p->dn, &p->other.prefix, p->other.plen, NULL, NULL);
}

static void run_lifetime_probe(struct kunit *test, int (*change)(struct lifetime_probe *p))
{
	struct table_test *t = test->priv;
	struct task_struct *reader, *writer;
	struct dlif_entry_cfg cfg = {
		.plen = 64,
		.role = DLIF_ROLE_SERVING,
		.hop_limit = DLIF_DEFAULT_HOP_LIMIT,
		.has_peer = true,
	};
	struct lifetime_probe *p;
	int cpu_r, cpu_w;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs: the reader and the writer run at once");
	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	ipv6_addr_set(&cfg.prefix, htonl(0x20010db8), htonl(0xa), 0, 0);
	/* The entry holds the only reference to its peer: the change
	 * releases the peer as well as the entry.
	 */
	cfg.peer = t->peers[0];
	KUNIT_ASSERT_EQ(test, dlif_table_add(t->dn, &cfg, false, NULL, NULL), 0);

	p->dn = t->dn;
	p->addr = cfg.prefix;
	p->addr.s6_addr[15] = 1;
	p->change = change;
	p->other = cfg;
	p->other.peer = t->peers[1];
	init_completion(&p->read);
	init_completion(&p->written);

	cpu_r = cpumask_first(cpu_online_mask);
	cpu_w = cpumask_next(cpu_r, cpu_online_mask);
	reader = kthread_create(lifetime_reader, p, "dlif_kunit_r");
	KUNIT_ASSERT_FALSE(test, IS_ERR(reader));
	writer = kthread_create(lifetime_writer, p, "dlif_kunit_w");
	if (IS_ERR(writer)) {
		kthread_stop(reader);
		KUNIT_FAIL(test, "cannot create the writer");
		return;
	}
	kthread_bind(reader, cpu_r);
	kthread_bind(writer, cpu_w);
	wake_up_process(reader);
	wake_up_process(writer);
	/* Both always finish: each gives up after LIFETIME_WAIT. */
	wait_for_completion(&p->read);
	wait_for_completion(&p->written);

	KUNIT_ASSERT_TRUE_MSG(test, READ_ONCE(p->found), "the reader did not find the entry");
	KUNIT_EXPECT_EQ(test, p->change_err, 0);
	/* Else nothing was tested: does the writer wait for readers now? */
	KUNIT_EXPECT_TRUE_MSG(test, p->overlapped,
			      "the change did not complete while the reader held the entry");
	KUNIT_EXPECT_EQ(test, p->seen_plen, 64);
	KUNIT_EXPECT_TRUE_MSG(test, ipv6_addr_equal(&p->seen_peer, &t->peers[0]),
			      "the reader's peer read %pI6c after the change", &p->seen_peer);
}

/* A handover re-points the prefix while a packet is on its way out. */
static void peer_outlives_a_repoint_until_readers_leave(struct kunit *test)
{
	run_lifetime_probe(test, repoint_to_other_peer);
}

/* A departure deletes it. */
static void entry_outlives_its_deletion_until_readers_leave(struct kunit *test)
{
	run_lifetime_probe(test, delete_entry);
}

static struct kunit_case dlif_lifetime_cases[] = {
	KUNIT_CASE(peer_outlives_a_repoint_until_readers_leave),
	KUNIT_CASE(entry_outlives_its_deletion_until_readers_leave),
	{}
};

static struct kunit_suite dlif_lifetime_suite = {
	.name = "dlif_lifetime",
	.init = table_test_init,
	.exit = table_test_exit,
	.test_cases = dlif_lifetime_cases,
};

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

kunit_test_suites(&dlif_table_suite, &dlif_lifetime_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of the dlif prefix table");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
