/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudworker/plan.c: what an ENSURE adds and removes.  Table cases:
 * foreign secondaries kept and counted, only owned addresses touched,
 * the primary never, the limit cutting in request order, idempotence.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "testutil.h"

#define MAXN	16

struct list {
	struct eip_ip	v[MAXN];
	size_t		n;
};

/* "a,b,c" -> list ("" -> empty). */
static void
ips(struct list *l, const char *csv)
{
	char buf[512], *p, *save;

	l->n = 0;
	snprintf(buf, sizeof(buf), "%s", csv);
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		ck_assert_int_eq(ip_parse(p, &l->v[l->n]), 0);
		l->n++;
	}
}

static void
fmt(char *out, size_t len, const struct eip_ip *v, size_t n)
{
	char s[IP_STRLEN];
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? "," : "",
		    ip_format(&v[i], s, sizeof(s)));
}

struct pcase {
	const char	*current;
	const char	*primary;	/* "" = unknown */
	const char	*owned;		/* CIDRs */
	const char	*desired;
	int		 limit;
	int		 ok;
	const char	*add, *remove, *keep, *no_room;
	int		 capacity;
	size_t		 nforeign;
};

static const struct pcase cases[] = {
	/* Fresh NIC: everything desired is added. */
	{ "10.0.1.10", "10.0.1.10", "10.0.128.0/20", "10.0.128.5,10.0.128.6",
	  10, 1, "10.0.128.5,10.0.128.6", "", "", "", 9, 0 },
	/* Idempotent: the same again changes nothing. */
	{ "10.0.1.10,10.0.128.5,10.0.128.6", "10.0.1.10", "10.0.128.0/20",
	  "10.0.128.6,10.0.128.5", 10, 1, "", "", "10.0.128.5,10.0.128.6", "",
	  9, 0 },
	/* A foreign secondary stays and takes a slot (upstream removed it). */
	{ "10.0.1.10,10.0.1.77,10.0.128.5", "10.0.1.10", "10.0.128.0/20", "",
	  3, 1, "", "10.0.128.5", "", "", 1, 1 },
	/* The limit cuts in request order: the first listed get the room. */
	{ "10.0.1.10,10.0.1.77", "10.0.1.10", "10.0.128.0/20",
	  "10.0.128.9,10.0.128.8,10.0.128.7", 4, 1, "10.0.128.9,10.0.128.8", "",
	  "", "10.0.128.7", 2, 1 },
	/* Removal frees room for additions in the same ENSURE. */
	{ "10.0.1.10,10.0.128.1,10.0.128.2", "10.0.1.10", "10.0.128.0/20",
	  "10.0.128.3,10.0.128.4", 3, 1, "10.0.128.3,10.0.128.4",
	  "10.0.128.1,10.0.128.2", "", "", 2, 0 },
	/* Unknown limit: no cut, capacity unknown. */
	{ "10.0.1.10", "", "10.0.128.0/20", "10.0.128.3", 0, 1, "10.0.128.3",
	  "", "", "", -1, 1 },
	/* Two owned CIDRs; addresses of other CIDRs are foreign. */
	{ "10.0.1.10,10.0.32.4,10.0.64.4,192.168.0.9", "10.0.1.10",
	  "10.0.32.0/24,10.0.64.0/24", "10.0.64.4", 10, 1, "", "10.0.32.4",
	  "10.0.64.4", "", 8, 1 },
	/* Capacity shrank under kept addresses: nothing is taken away. */
	{ "10.0.1.10,10.0.1.77,10.0.1.78,10.0.128.5", "10.0.1.10",
	  "10.0.128.0/20", "10.0.128.5,10.0.128.6", 3, 1, "", "", "10.0.128.5",
	  "10.0.128.6", 0, 2 },
	/* Duplicates in the request count once. */
	{ "10.0.1.10", "10.0.1.10", "10.0.128.0/20", "10.0.128.5,10.0.128.5",
	  10, 1, "10.0.128.5", "", "", "", 9, 0 },
	/* A primary inside an owned CIDR is never removed. */
	{ "10.0.128.1,10.0.128.5", "10.0.128.1", "10.0.128.0/20", "", 10, 1,
	  "", "10.0.128.5", "", "", 9, 0 },
	/* Bad requests: outside the owned CIDRs, or the primary itself. */
	{ "10.0.1.10", "10.0.1.10", "10.0.128.0/20", "10.0.1.20", 10, 0,
	  "", "", "", "", 0, 0 },
	{ "10.0.128.1", "10.0.128.1", "10.0.128.0/20", "10.0.128.1", 10, 0,
	  "", "", "", "", 0, 0 },
	/* IPv6 owned CIDRs work the same. */
	{ "fd00::1,fd00:1::5", "fd00::1", "fd00:1::/64", "fd00:1::6", 10, 1,
	  "fd00:1::6", "fd00:1::5", "", "", 9, 0 },
};

START_TEST(t_plan_table)
{
	const struct pcase *c = &cases[_i];
	struct list cur, pri, des;
	struct eip_cidr owned[4];
	struct ensure_input in;
	struct ensure_plan p;
	char buf[512], err[256], *s, *save;
	size_t no = 0;
	int r;

	ips(&cur, c->current);
	ips(&pri, c->primary);
	ips(&des, c->desired);
	snprintf(buf, sizeof(buf), "%s", c->owned);
	for (s = strtok_r(buf, ",", &save); s != NULL;
	    s = strtok_r(NULL, ",", &save))
		ck_assert_int_eq(cidr_parse(s, &owned[no++]), 0);
	memset(&in, 0, sizeof(in));
	in.current = cur.v;
	in.ncurrent = cur.n;
	in.primary = pri.n > 0 ? &pri.v[0] : NULL;
	in.owned = owned;
	in.nowned = no;
	in.desired = des.v;
	in.ndesired = des.n;
	in.limit = c->limit;
	r = ensure_plan_make(&in, &p, err, sizeof(err));
	ck_assert_int_eq(r, c->ok ? 0 : -1);
	if (!c->ok) {
		ck_assert(strlen(err) > 0);
		return;
	}
	fmt(buf, sizeof(buf), p.add, p.nadd);
	ck_assert_str_eq(buf, c->add);
	fmt(buf, sizeof(buf), p.remove, p.nremove);
	ck_assert_str_eq(buf, c->remove);
	fmt(buf, sizeof(buf), p.keep, p.nkeep);
	ck_assert_str_eq(buf, c->keep);
	fmt(buf, sizeof(buf), p.no_room, p.nno_room);
	ck_assert_str_eq(buf, c->no_room);
	ck_assert_int_eq(p.capacity, c->capacity);
	ck_assert_uint_eq(p.nforeign, c->nforeign);
	ensure_plan_clear(&p);
}
END_TEST

/* Applying a plan and planning again yields nothing to do. */
START_TEST(t_plan_converges)
{
	struct list cur, des;
	struct eip_cidr owned;
	struct ensure_input in;
	struct ensure_plan p;
	struct eip_ip after[MAXN];
	char err[128];
	size_t n = 0, i;

	ips(&cur, "10.0.1.10,10.0.1.77,10.0.128.1,10.0.128.2");
	ips(&des, "10.0.128.2,10.0.128.3,10.0.128.4");
	cidr_parse("10.0.128.0/20", &owned);
	memset(&in, 0, sizeof(in));
	in.current = cur.v;
	in.ncurrent = cur.n;
	in.primary = &cur.v[0];
	in.owned = &owned;
	in.nowned = 1;
	in.desired = des.v;
	in.ndesired = des.n;
	in.limit = 10;
	ck_assert_int_eq(ensure_plan_make(&in, &p, err, sizeof(err)), 0);
	for (i = 0; i < cur.n; i++)
		if (!plan_has(p.remove, p.nremove, &cur.v[i]))
			after[n++] = cur.v[i];
	for (i = 0; i < p.nadd; i++)
		after[n++] = p.add[i];
	ensure_plan_clear(&p);
	in.current = after;
	in.ncurrent = n;
	ck_assert_int_eq(ensure_plan_make(&in, &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p.nadd, 0);
	ck_assert_uint_eq(p.nremove, 0);
	ck_assert_uint_eq(p.nkeep, 3);
	/* The foreign address survived both rounds. */
	ck_assert(plan_has(after, n, &cur.v[1]));
	ensure_plan_clear(&p);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("cloud_plan");
	TCase *tc = tcase_create("plan");

	tcase_add_loop_test(tc, t_plan_table, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, t_plan_converges);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return eip_run_suite(suite());
}
