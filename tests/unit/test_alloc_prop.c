/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Property test of the model: thousands of random events (namespaces in
 * and out, manual IPs, nodes failing, recovering, relabelled, capacity
 * changes, CIDRs edited, restarts) against the fake cluster, which feeds
 * the model's own writes back.  After every event the invariants hold:
 * no IP with two namespaces or on two nodes, every IP inside its CIDR and
 * not excluded, no node above capacity, every namespace whose zone has
 * Ready capacity fully placed, and a restart changes nothing.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_testlib.h"
#include "testutil.h"

#define NNS	40
#define NNODES	8
static const char *const zones[] = { "a", "b" };

struct world {
	struct fake	*f;
	uint64_t	 r;
	int		 cidrs_a;	/* IPAM A has 1, 2 or 3 CIDRs */
	int		 reserved;	/* IPAM A reserves an extra address */
	int		 ovn;
	uint64_t	 seed;
	json_t		*dump;		/* the model's dump for this check */
	size_t		 events;
	size_t		 restarts;
};

static uint64_t
rnd(struct world *w, uint64_t n)
{
	w->r ^= w->r << 13;
	w->r ^= w->r >> 7;
	w->r ^= w->r << 17;
	return w->r % n;
}

static const char *const a_cidrs[] = {
	"10.1.0.0/27", "10.1.1.0/28", "10.1.2.0/29"
};

static void
set_ipam_a(struct world *w)
{
	char spec[1024], *p = spec;
	int i;

	p += sprintf(p, "{\"cidrAssignments\":[");
	for (i = 0; i < w->cidrs_a; i++)
		p += sprintf(p, "%s{\"labelValue\":\"%s\",\"CIDR\":\"%s\"%s}",
		    i > 0 ? "," : "", i == 2 ? "c" : zones[i], a_cidrs[i],
		    i == 0 && w->reserved ? ",\"reservedIPs\":[\"10.1.0.7\"]" : "");
	sprintf(p, "],\"topologyLabel\":\"zone\",\"nodeSelector\":{\"matchLabels\":"
	    "{\"ipam\":\"A\"}}}");
	fake_ipam(w->f, "A", spec, NULL);
}

static void
set_node(struct world *w, int i, const char *ready, int cap)
{
	char name[16], labels[128], ip[32];

	snprintf(name, sizeof(name), "n%d", i);
	/* n0-n5 belong to A (zones a, b, c), n6-n7 to B. */
	if (i < 6)
		snprintf(labels, sizeof(labels), "{\"ipam\":\"A\",\"zone\":\"%s\"}",
		    i < 2 ? "a" : i < 4 ? "b" : "c");
	else
		snprintf(labels, sizeof(labels), "{\"ipam\":\"B\",\"zone\":\"x\"}");
	/* Node IPs inside the CIDRs, so they must be excluded. */
	if (i < 6)
		snprintf(ip, sizeof(ip), "10.1.%d.%d", i / 2, 2 + i % 2);
	else
		snprintf(ip, sizeof(ip), "10.2.0.%d", 1 + i);
	fake_node(w->f, name, labels, ready, ip, cap);
}

static void
setup(struct world *w, uint64_t seed, int ovn, int isolate)
{
	struct eip_model_config cfg;
	int i;

	memset(w, 0, sizeof(*w));
	w->r = seed * 2654435761u + 1;
	w->seed = seed;
	w->ovn = ovn;
	model_config_default(&cfg);
	cfg.isolate = isolate;
	cfg.seed = seed;
	w->f = fake_new(ovn ? "OVNKubernetes" : "OpenShiftSDN", "BareMetal", &cfg);
	w->cidrs_a = 2;
	for (i = 0; i < NNODES; i++)
		set_node(w, i, "True", i < 6 ? 6 : -1);
	set_ipam_a(w);
	fake_ipam(w->f, "B", "{\"cidrAssignments\":[{\"labelValue\":\"x\","
	    "\"CIDR\":\"10.2.0.0/28\"}],\"topologyLabel\":\"zone\","
	    "\"nodeSelector\":{\"matchLabels\":{\"ipam\":\"B\"}}}", NULL);
	fake_start(w->f);
}

static const char *
rand_ipam(struct world *w)
{
	int k = (int)rnd(w, 10);

	return k < 6 ? "A" : k < 9 ? "B" : NULL;
}

static void
event(struct world *w)
{
	char ns[16], ip[64];
	int k = (int)rnd(w, 100), i;

	snprintf(ns, sizeof(ns), "ns%d", (int)rnd(w, NNS));
	w->events++;
	if (k < 30) {
		fake_ns(w->f, ns, rand_ipam(w), NULL);
	} else if (k < 38) {
		/* A manual claim: often valid, sometimes not. */
		if (rnd(w, 2))
			snprintf(ip, sizeof(ip), "10.1.0.%d", (int)rnd(w, 34));
		else
			snprintf(ip, sizeof(ip), "10.1.0.%d,10.1.1.%d",
			    (int)rnd(w, 32), (int)rnd(w, 16));
		fake_ns(w->f, ns, "A", ip);
	} else if (k < 50) {
		fake_ns_delete(w->f, ns);
	} else if (k < 56) {
		/* The user drops or keeps the annotation while opting out. */
		json_t *o = fake_get(w->f, FK_NAMESPACE, ns);

		if (o != NULL)
			fake_ns(w->f, ns, NULL, rnd(w, 2) ? fake_annot(w->f, ns) :
			    NULL);
	} else if (k < 60) {
		json_t *o = fake_get(w->f, FK_NAMESPACE, ns);

		if (o != NULL)
			fake_ns(w->f, ns, json_string_value(json_object_get(o,
			    "egressipam")), NULL);
	} else if (k < 75) {
		i = (int)rnd(w, NNODES);
		set_node(w, i, rnd(w, 3) ? "True" : rnd(w, 2) ? "False" :
		    "Unknown", i < 6 ? 1 + (int)rnd(w, 8) : -1);
	} else if (k < 80) {
		char name[16];

		i = (int)rnd(w, NNODES);
		snprintf(name, sizeof(name), "n%d", i);
		if (fake_get(w->f, FK_NODE, name) != NULL)
			fake_node_delete(w->f, name);
		else
			set_node(w, i, "True", i < 6 ? 6 : -1);
	} else if (k < 84) {
		w->cidrs_a = 1 + (int)rnd(w, 3);
		set_ipam_a(w);
	} else if (k < 86) {
		w->reserved = !w->reserved;
		set_ipam_a(w);
	} else {
		fake_ns(w->f, ns, rand_ipam(w), NULL);
	}
	fake_settle(w->f);
}

/* --- invariants, checked on the cluster, not on the model --- */

static int
node_ready(struct world *w, const char *node)
{
	json_t *n = fake_get(w->f, FK_NODE, node);

	return n != NULL && strcmp(json_string_value(json_object_get(n,
	    "ready")), "True") == 0;
}

/*
 * A namespace whose claim the model rejects keeps what it had (nothing
 * is taken away) even if its IP became reserved or a node's since; so
 * does every namespace of a halted IPAM (SPEC 3).
 */
static int
rejected(struct world *w, const char *carrier)
{
	const char *ns = carrier;
	json_t *d, *o;
	int r;

	if (strncmp(ns, "eipam-", 6) == 0)
		ns += 6;
	d = w->dump;
	o = json_object_get(json_object_get(d, "namespaces"), ns);
	r = json_is_string(json_object_get(o, "rejected")) ||
	    json_is_true(json_object_get(json_object_get(json_object_get(d,
	    "ipams"), json_string_value(json_object_get(o, "bound"))),
	    "halted"));
	return r;
}

/*
 * Is the namespace bound in the model?  An address outside every CIDR
 * on a namespace that is not (a CIDR removed while it was frozen, then a
 * restart) is no longer recognisable as ours and is left alone.
 */
static int
bound(struct world *w, const char *carrier)
{
	const char *ns = carrier;
	json_t *d;
	int r;

	if (strncmp(ns, "eipam-", 6) == 0)
		ns += 6;
	d = w->dump;
	r = json_is_string(json_object_get(json_object_get(json_object_get(d,
	    "namespaces"), ns), "bound"));
	return r;
}

/* The model's view of nodes follows the cluster (debug aid). */
static void
check_view(struct world *w)
{
	json_t *d = w->dump, *o, *mn;
	const char *k;

	json_object_foreach(w->f->objs[FK_NODE], k, o) {
		mn = json_object_get(json_object_get(d, "nodes"), k);
		ck_assert_msg(mn != NULL, "event %zu: model lacks node %s",
		    w->events, k);
		ck_assert_msg(json_is_true(json_object_get(mn, "ready")) ==
		    (strcmp(json_string_value(json_object_get(o, "ready")),
		    "True") == 0), "event %zu: node %s readiness differs",
		    w->events, k);
	}
}

static void
check(struct world *w)
{
	json_decref(w->dump);
	w->dump = model_dump(w->f->m);
	check_view(w);
	json_t *seen = json_object(), *on = json_object(), *o, *x;
	const char *k;
	struct eip_ip ip;
	size_t i;
	char where[256];

	/* No IP carried for two namespaces. */
	json_object_foreach(w->f->objs[w->ovn ? FK_EGRESSIP : FK_NETNAMESPACE],
	    k, o) {
		json_array_foreach(json_object_get(o, "egress_ips"), i, x) {
			const char *s = json_string_value(x);

			if (json_object_get(seen, s) != NULL &&
			    getenv("PROP_DEBUG") != NULL) {
				json_t *d = model_dump(w->f->m);
				char *t = json_dumps(json_object_get(d, "namespaces"),
				    JSON_COMPACT);

				fprintf(stderr, "%s\n", t);
				free(t);
				json_decref(d);
			}
			ck_assert_msg(json_object_get(seen, s) == NULL,
			    "event %zu: %s carried for %s and %s", w->events, s,
			    json_string_value(json_object_get(seen, s)), k);
			json_object_set_new(seen, s, json_string(k));
			ck_assert_int_eq(ip_parse(s, &ip), 0);
		}
	}
	/* Every carried IP: inside a CIDR, not network/broadcast/node/reserved. */
	json_object_foreach(seen, k, x) {
		int inside = in_cidr(k, "10.2.0.0/28");
		char node[16];
		int j;

		for (j = 0; j < w->cidrs_a; j++)
			inside |= in_cidr(k, a_cidrs[j]);
		if (!inside && getenv("PROP_DEBUG") != NULL) {
			json_t *d = model_dump(w->f->m);
			const char *nsn = json_string_value(x);
			char *t;

			if (strncmp(nsn, "eipam-", 6) == 0)
				nsn += 6;
			t = json_dumps(json_object_get(json_object_get(d,
			    "namespaces"), nsn), JSON_COMPACT);
			fprintf(stderr, "%s: %s\n", nsn, t);
			free(t);
			json_decref(d);
		}
		ck_assert_msg(inside || rejected(w, json_string_value(x)) ||
		    !bound(w, json_string_value(x)),
		    "event %zu: %s outside every CIDR", w->events, k);
		ck_assert_msg(strcmp(k, "10.1.0.0") && strcmp(k, "10.1.0.31") &&
		    strcmp(k, "10.2.0.15") && strcmp(k, "10.2.0.0"),
		    "event %zu: %s is a network or broadcast", w->events, k);
		ck_assert_msg(!(w->reserved && strcmp(k, "10.1.0.7") == 0) ||
		    rejected(w, json_string_value(x)) ||
		    !bound(w, json_string_value(x)),
		    "event %zu: reserved 10.1.0.7 given to %s", w->events,
		    json_string_value(x));
		for (j = 0; j < NNODES; j++) {
			json_t *n;

			snprintf(node, sizeof(node), "n%d", j);
			n = fake_get(w->f, FK_NODE, node);
			if (n != NULL && strcmp(json_string_value(json_object_get(n,
			    "internal_ip")), k) == 0 &&
			    !rejected(w, json_string_value(x)) &&
			    bound(w, json_string_value(x)))
				ck_abort_msg("event %zu: node IP %s given to %s",
				    w->events, k, json_string_value(x));
		}
	}
	if (!w->ovn) {
		/* No IP on two HostSubnets; none above capacity. */
		json_object_foreach(w->f->objs[FK_HOSTSUBNET], k, o) {
			json_t *n = fake_get(w->f, FK_NODE, k);
			json_t *cap = json_object_get(n, "capacity");

			json_array_foreach(json_object_get(o, "egress_ips"), i, x) {
				const char *s = json_string_value(x);

				ck_assert_msg(json_object_get(on, s) == NULL,
				    "event %zu: %s on %s and %s", w->events, s,
				    json_string_value(json_object_get(on, s)), k);
				json_object_set_new(on, s, json_string(k));
			}
			if (cap != NULL)
				ck_assert_msg((json_int_t)json_array_size(
				    json_object_get(o, "egress_ips")) <=
				    json_integer_value(cap), "event %zu: %s above "
				    "capacity", w->events, k);
		}
		/*
		 * Every IP of IPAM A whose zone has a Ready node with room
		 * is on a Ready node of that zone.
		 */
		json_object_foreach(seen, k, x) {
			char zone[2] = { 0 }, node[16];
			int j, room = 0, placed = 0;
			json_t *hsn;

			if (!in_cidr(k, "10.1.0.0/16") ||
			    rejected(w, json_string_value(x)) ||
			    !bound(w, json_string_value(x)))
				continue;
			zone[0] = in_cidr(k, a_cidrs[0]) ? 'a' :
			    in_cidr(k, a_cidrs[1]) ? 'b' : 'c';
			for (j = 0; j < 6; j++) {
				json_t *n, *hs;

				snprintf(node, sizeof(node), "n%d", j);
				n = fake_get(w->f, FK_NODE, node);
				hs = fake_get(w->f, FK_HOSTSUBNET, node);
				if (n == NULL || hs == NULL || !node_ready(w, node) ||
				    strcmp(json_string_value(json_object_get(
				    json_object_get(n, "labels"), "zone")), zone) != 0)
					continue;
				room += (int)json_integer_value(json_object_get(n,
				    "capacity")) - (int)json_array_size(
				    json_object_get(hs, "egress_ips"));
			}
			hsn = json_object_get(on, k);
			if (hsn != NULL) {
				json_t *n = fake_get(w->f, FK_NODE,
				    json_string_value(hsn));

				placed = node_ready(w, json_string_value(hsn)) &&
				    strcmp(json_string_value(json_object_get(
				    json_object_get(n, "labels"), "zone")), zone) == 0;
			}
			snprintf(where, sizeof(where), "%s",
			    hsn != NULL ? json_string_value(hsn) : "nowhere");
			ck_assert_msg(placed || room <= 0, "event %zu: %s of %s is "
			    "on %s though zone %s has room %d", w->events, k,
			    json_string_value(x), where, zone, room);
		}
	}
	json_decref(seen);
	json_decref(on);
}

/* For PROP_DEBUG: what a failing restart saw is kept in /tmp. */
static void
debug_dump(const char *path, json_t *j, int steal)
{
	json_dump_file(j, path, JSON_COMPACT);
	if (steal)
		json_decref(j);
}

/* A restart of a converged cluster: no write, same bindings. */
static void
restart(struct world *w)
{
	json_t *before = json_deep_copy(w->f->objs[FK_NAMESPACE]);
	int dbg = getenv("PROP_DEBUG") != NULL;
	size_t n;

	w->restarts++;
	if (dbg) {
		debug_dump("/tmp/prop_before.json", model_dump(w->f->m), 1);
		debug_dump("/tmp/prop_nodes.json", w->f->objs[FK_NODE], 0);
		debug_dump("/tmp/prop_hs.json", w->f->objs[FK_HOSTSUBNET], 0);
	}
	n = fake_restart(w->f);
	if (dbg)
		debug_dump("/tmp/prop_after.json", model_dump(w->f->m), 1);
	ck_assert_msg(n == 0, "seed %llu event %zu: restart issued %zu writes",
	    (unsigned long long)w->seed, w->events, n);
	ck_assert_msg(json_equal(before, w->f->objs[FK_NAMESPACE]),
	    "event %zu: namespaces changed over a restart", w->events);
	json_decref(before);
}

static void
run(uint64_t seed, int ovn, int isolate, int n)
{
	struct world w;
	int i;

	if (getenv("PROP_SEED") != NULL &&
	    strtoull(getenv("PROP_SEED"), NULL, 10) != seed)
		return;
	setup(&w, seed, ovn, isolate);
	for (i = 0; i < n; i++) {
		event(&w);
		check(&w);
		if (i % 150 == 149)
			restart(&w);
	}
	ck_assert_uint_eq(w.f->schema_errors, 0);
	json_decref(w.dump);
	fake_free(w.f);
}

START_TEST(t_prop_sdn_isolate)
{
	run(1 + (uint64_t)_i, 0, 1, 1500);
}
END_TEST

START_TEST(t_prop_sdn_halt)
{
	run(11 + (uint64_t)_i, 0, 0, 1000);
}
END_TEST

START_TEST(t_prop_ovn)
{
	run(21, 1, 1, 1000);
}
END_TEST

/* More seeds on demand: PROP_EXTRA=N runs N of each kind. */
START_TEST(t_prop_extra)
{
	const char *e = getenv("PROP_EXTRA");
	int n = e != NULL ? atoi(e) : 0, i;

	for (i = 0; i < n; i++) {
		run(1000 + (uint64_t)i, 0, 1, 1500);
		run(2000 + (uint64_t)i, 0, 0, 1500);
		run(3000 + (uint64_t)i, 1, 1, 1500);
		run(4000 + (uint64_t)i, 1, 0, 1500);
	}
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("alloc_prop");
	TCase *tc = tcase_create("prop");

	tcase_set_timeout(tc, getenv("PROP_EXTRA") != NULL ? 3600 : 120);
	tcase_add_loop_test(tc, t_prop_sdn_isolate, 0, 2);
	tcase_add_loop_test(tc, t_prop_sdn_halt, 0, 1);
	tcase_add_test(tc, t_prop_ovn);
	tcase_add_test(tc, t_prop_extra);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return eip_run_suite(suite());
}
