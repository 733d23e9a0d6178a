/* SPDX-License-Identifier: Apache-2.0 */
/*
 * allocator/pool.c, rng.c and hmap.c: usable ranges (RFC 3021, IPv6
 * anycast), the last address is allocatable, random picks are uniform and
 * never return a taken address, near-full pools, sparse pools, and a
 * random comparison of dense, sparse and a naive model.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "ipaddr.h"
#include "pool.h"
#include "rng.h"
#include "testutil.h"

static struct eip_cidr
C(const char *s)
{
	struct eip_cidr c;

	ck_assert_msg(cidr_parse(s, &c) == 0, "bad cidr %s", s);
	return c;
}

static struct eip_ip
I(const char *s)
{
	struct eip_ip ip;

	ck_assert_msg(ip_parse(s, &ip) == 0, "bad ip %s", s);
	return ip;
}

static const char *
fmt(const struct eip_ip *ip)
{
	static char buf[4][IP_STRLEN];
	static int n;

	n = (n + 1) % 4;
	return ip_format(ip, buf[n], sizeof(buf[n]));
}

struct range_case {
	const char	*cidr;
	const char	*first;		/* first usable address */
	const char	*last;		/* last usable address */
	const char	*count;		/* usable addresses */
};

static const struct range_case ranges[] = {
	{ "10.0.0.5/32", "10.0.0.5", "10.0.0.5", "1" },
	{ "10.0.0.4/31", "10.0.0.4", "10.0.0.5", "2" },
	{ "10.0.0.4/30", "10.0.0.5", "10.0.0.6", "2" },
	{ "192.169.0.0/24", "192.169.0.1", "192.169.0.254", "254" },
	/* Host bits set: the masked network is still excluded (upstream 12.9). */
	{ "192.169.0.7/24", "192.169.0.1", "192.169.0.254", "254" },
	{ "10.0.0.0/16", "10.0.0.1", "10.0.255.254", "65534" },
	{ "0.0.0.0/0", "0.0.0.1", "255.255.255.254", "4294967294" },
	{ "2001:db8::5/128", "2001:db8::5", "2001:db8::5", "1" },
	{ "2001:db8::4/127", "2001:db8::4", "2001:db8::5", "2" },
	{ "2001:db8::/126", "2001:db8::1", "2001:db8::3", "3" },
	{ "2001:db8::/120", "2001:db8::1", "2001:db8::ff", "255" },
	{ "2001:db8::/64", "2001:db8::1", "2001:db8::ffff:ffff:ffff:ff7f",
	  "18446744073709551487" },
};

START_TEST(t_usable_ranges)
{
	const struct range_case *rc = &ranges[_i];
	struct eip_cidr c = C(rc->cidr);
	struct eip_pool *p = pool_new(&c);
	struct eip_ip ip, first = I(rc->first), last = I(rc->last);
	struct eip_rng rng;
	char buf[48];

	rng_init(&rng, 1);
	ck_assert_str_eq(u128_format(pool_nfree(p), buf, sizeof(buf)), rc->count);
	ck_assert_int_eq(pool_flags(p, &first), 0);
	ck_assert_int_eq(pool_flags(p, &last), 0);
	ck_assert_int_eq(pool_pick(p, POOL_SEL_LOWEST, &rng, &ip), 0);
	ck_assert_str_eq(fmt(&ip), rc->first);
	/* The address before the first usable and after the last are static. */
	if (first.v > c.net.v) {
		ip = first;
		ip.v--;
		ck_assert_int_eq(pool_flags(p, &ip), POOL_STATIC);
	}
	if (last.v < c.net.v + cidr_last_offset(&c)) {
		ip = last;
		ip.v++;
		ck_assert_int_eq(pool_flags(p, &ip), POOL_STATIC);
	}
	/* Outside the CIDR. */
	ip = c.net;
	ip.v = c.len == 0 ? ip.v : ip.v + cidr_last_offset(&c) + 1;
	if (c.len > 0)
		ck_assert_int_eq(pool_flags(p, &ip), -1);
	pool_free(p);
}
END_TEST

START_TEST(t_last_address_allocatable)
{
	/* Upstream never handed out the last free address (12.8). */
	struct eip_cidr c = C("10.1.0.0/29");
	struct eip_pool *p = pool_new(&c);
	struct eip_ip ip;
	struct eip_rng rng;
	int i;

	rng_init(&rng, 7);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(pool_pick(p, POOL_SEL_RANDOM, &rng, &ip), 0);
		ck_assert_int_eq(pool_flags(p, &ip), 0);
		ck_assert_int_eq(pool_mark(p, &ip, POOL_HELD), 0);
	}
	ck_assert(pool_nfree(p) == 0);
	ck_assert_int_eq(pool_pick(p, POOL_SEL_RANDOM, &rng, &ip), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_uint_eq(pool_count(p, POOL_HELD), 6);
	ck_assert(pool_nreserved(p) == 2);	/* network and broadcast */
	pool_free(p);
}
END_TEST

START_TEST(t_reasons_stack)
{
	struct eip_cidr c = C("10.2.0.0/24");
	struct eip_pool *p = pool_new(&c);
	struct eip_ip a = I("10.2.0.9"), out = I("10.3.0.1"), ip;
	struct eip_rng rng;

	rng_init(&rng, 3);
	ck_assert_int_eq(pool_mark(p, &a, POOL_RESERVED), 0);
	ck_assert_int_eq(pool_mark(p, &a, POOL_NODE), 0);
	ck_assert_int_eq(pool_flags(p, &a), POOL_RESERVED | POOL_NODE);
	ck_assert(pool_nfree(p) == 253);
	ck_assert_int_eq(pool_unmark(p, &a, POOL_RESERVED), 0);
	ck_assert(pool_nfree(p) == 253);	/* still a node IP */
	ck_assert_int_eq(pool_unmark(p, &a, POOL_NODE), 0);
	ck_assert(pool_nfree(p) == 254);
	ck_assert_int_eq(pool_mark(p, &out, POOL_HELD), -1);
	/* Marking twice counts once. */
	pool_mark(p, &a, POOL_HELD);
	pool_mark(p, &a, POOL_HELD);
	ck_assert_uint_eq(pool_count(p, POOL_HELD), 1);
	pool_unmark(p, &a, POOL_HELD);
	ck_assert_uint_eq(pool_count(p, POOL_HELD), 0);
	/* Lowest skips taken addresses. */
	ip = I("10.2.0.1");
	pool_mark(p, &ip, POOL_SEEN);
	ck_assert_int_eq(pool_pick(p, POOL_SEL_LOWEST, &rng, &ip), 0);
	ck_assert_str_eq(fmt(&ip), "10.2.0.2");
	pool_free(p);
}
END_TEST

/* Random picks are uniform over the free addresses and never taken ones. */
static void
uniformity(u128 dense_max)
{
	struct eip_cidr c = C("10.4.0.0/27");		/* 30 usable */
	struct eip_pool *p = pool_new_limit(&c, dense_max);
	struct eip_rng rng;
	struct eip_ip ip;
	int hits[32] = { 0 }, i, nfree = 0;

	rng_init(&rng, 11);
	/* Take every address whose offset is a multiple of 3. */
	for (i = 1; i <= 30; i++) {
		ip = c.net;
		ip.v += (u128)i;
		if (i % 3 == 0)
			pool_mark(p, &ip, POOL_RESERVED);
		else
			nfree++;
	}
	ck_assert(pool_nfree(p) == (u128)nfree);
	for (i = 0; i < 40000; i++) {
		ck_assert_int_eq(pool_pick(p, POOL_SEL_RANDOM, &rng, &ip), 0);
		ck_assert_int_eq(pool_flags(p, &ip), 0);
		hits[(int)(ip.v - c.net.v)]++;
	}
	for (i = 1; i <= 30; i++) {
		if (i % 3 == 0) {
			ck_assert_int_eq(hits[i], 0);
			continue;
		}
		/* Expected 2000 each; 5 sigma is about 220. */
		ck_assert_msg(hits[i] > 1700 && hits[i] < 2300,
		    "offset %d picked %d times", i, hits[i]);
	}
	pool_free(p);
}

START_TEST(t_uniform_dense)
{
	uniformity(POOL_DENSE_MAX);
}
END_TEST

START_TEST(t_uniform_sparse)
{
	uniformity(0);
}
END_TEST

START_TEST(t_near_full)
{
	/* A /16 with one free address: both selections find it at once. */
	struct eip_cidr c = C("10.5.0.0/16");
	struct eip_pool *p = pool_new(&c);
	struct eip_ip ip, hole = I("10.5.200.77");
	struct eip_rng rng;
	u128 i;

	rng_init(&rng, 5);
	for (i = 1; i < 65535; i++) {
		ip = c.net;
		ip.v += i;
		if (!ip_equal(&ip, &hole))
			pool_mark(p, &ip, POOL_HELD);
	}
	ck_assert(pool_nfree(p) == 1);
	ck_assert_int_eq(pool_pick(p, POOL_SEL_RANDOM, &rng, &ip), 0);
	ck_assert(ip_equal(&ip, &hole));
	ck_assert_int_eq(pool_pick(p, POOL_SEL_LOWEST, &rng, &ip), 0);
	ck_assert(ip_equal(&ip, &hole));
	pool_free(p);
}
END_TEST

START_TEST(t_ipv6_large)
{
	struct eip_cidr c = C("2001:db8:1::/64");
	struct eip_pool *p = pool_new(&c);
	struct eip_ip ip, top = I("2001:db8:1:0:ffff:ffff:ffff:ff80");
	struct eip_rng rng;
	int i;

	rng_init(&rng, 9);
	ck_assert_int_eq(p->dense, 0);
	ck_assert_int_eq(pool_flags(p, &top), POOL_STATIC);
	ck_assert_int_eq(pool_pick(p, POOL_SEL_LOWEST, &rng, &ip), 0);
	ck_assert_str_eq(fmt(&ip), "2001:db8:1::1");
	pool_mark(p, &ip, POOL_HELD);
	ck_assert_int_eq(pool_pick(p, POOL_SEL_LOWEST, &rng, &ip), 0);
	ck_assert_str_eq(fmt(&ip), "2001:db8:1::2");
	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq(pool_pick(p, POOL_SEL_RANDOM, &rng, &ip), 0);
		ck_assert_int_eq(pool_flags(p, &ip), 0);
		pool_mark(p, &ip, POOL_HELD);
	}
	ck_assert_uint_eq(pool_count(p, POOL_HELD), 1001);
	pool_free(p);
}
END_TEST

/* Dense, sparse and a naive array agree under random marks and picks. */
START_TEST(t_random_compare)
{
	struct eip_cidr c = C("10.6.0.0/22");		/* 1022 usable */
	struct eip_pool *d = pool_new(&c), *s = pool_new_limit(&c, 0);
	unsigned naive[1024] = { 0 };
	struct eip_rng rng;
	struct eip_ip ip;
	int i, nfree = 1022, off;
	unsigned bit;

	rng_init(&rng, 13);
	for (i = 0; i < 200000; i++) {
		off = 1 + (int)rng_below(&rng, 1022);
		bit = 1u << rng_below(&rng, POOL_NBITS);
		ip = c.net;
		ip.v += (u128)off;
		if (rng_below(&rng, 3) != 0) {
			if (naive[off] == 0)
				nfree--;
			naive[off] |= bit;
			pool_mark(d, &ip, bit);
			pool_mark(s, &ip, bit);
		} else {
			if (naive[off] == bit)
				nfree++;
			naive[off] &= ~bit;
			pool_unmark(d, &ip, bit);
			pool_unmark(s, &ip, bit);
		}
		ck_assert_int_eq(pool_flags(d, &ip), (int)naive[off]);
		ck_assert_int_eq(pool_flags(s, &ip), (int)naive[off]);
		ck_assert(pool_nfree(d) == (u128)nfree);
		ck_assert(pool_nfree(s) == (u128)nfree);
		if (i % 97 == 0 && nfree > 0) {
			int lowest = 1;

			while (naive[lowest] != 0)
				lowest++;
			ck_assert_int_eq(pool_pick(d, POOL_SEL_LOWEST, &rng, &ip), 0);
			ck_assert_int_eq((int)(ip.v - c.net.v), lowest);
			ck_assert_int_eq(pool_pick(s, POOL_SEL_LOWEST, &rng, &ip), 0);
			ck_assert_int_eq((int)(ip.v - c.net.v), lowest);
			ck_assert_int_eq(pool_pick(d, POOL_SEL_RANDOM, &rng, &ip), 0);
			ck_assert_uint_eq(naive[(int)(ip.v - c.net.v)], 0);
			ck_assert_int_eq(pool_pick(s, POOL_SEL_RANDOM, &rng, &ip), 0);
			ck_assert_uint_eq(naive[(int)(ip.v - c.net.v)], 0);
		}
	}
	pool_free(d);
	pool_free(s);
}
END_TEST

START_TEST(t_rng)
{
	struct eip_rng a, b, os;
	u128 big = ((u128)1 << 100) + 12345, x;
	int i;

	rng_init(&a, 42);
	rng_init(&b, 42);
	rng_init(&os, 0);
	for (i = 0; i < 1000; i++) {
		uint64_t xa = rng_u64(&a), xb = rng_u64(&b);

		ck_assert_uint_eq(xa, xb);
	}
	for (i = 0; i < 1000; i++) {
		ck_assert_uint_lt(rng_below(&a, 7), 7);
		x = rng_below128(&a, big);
		ck_assert(x < big);
		ck_assert_uint_lt(rng_below(&os, 1000), 1000);
	}
	ck_assert_uint_eq(rng_below(&a, 1), 0);
	ck_assert_uint_eq(rng_below(&a, 0), 0);
}
END_TEST

START_TEST(t_hmap)
{
	struct hmap m;
	static char keys[5000][16];
	static int present[5000];
	struct eip_rng rng;
	size_t it, n;
	int i, k;
	void *v;

	hmap_init(&m);
	rng_init(&rng, 17);
	for (i = 0; i < 5000; i++)
		snprintf(keys[i], sizeof(keys[i]), "ns-%d", i);
	for (i = 0; i < 100000; i++) {
		k = (int)rng_below(&rng, 5000);
		if (rng_below(&rng, 2)) {
			v = hmap_put(&m, keys[k], strlen(keys[k]), keys[k]);
			ck_assert_ptr_eq(v, present[k] ? keys[k] : NULL);
			present[k] = 1;
		} else {
			v = hmap_del(&m, keys[k], strlen(keys[k]));
			ck_assert_ptr_eq(v, present[k] ? keys[k] : NULL);
			present[k] = 0;
		}
		if (i % 1000 == 0) {
			for (k = 0, n = 0; k < 5000; k++) {
				ck_assert_ptr_eq(hmap_gets(&m, keys[k]),
				    present[k] ? keys[k] : NULL);
				n += (size_t)present[k];
			}
			ck_assert_uint_eq(m.n, n);
			for (it = 0, n = 0; hmap_next(&m, &it) != NULL; n++)
				;
			ck_assert_uint_eq(m.n, n);
		}
	}
	hmap_clear(&m);
	ck_assert_ptr_null(hmap_gets(&m, "x"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("alloc_pool");
	TCase *tc = tcase_create("pool");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, t_usable_ranges, 0,
	    (int)(sizeof(ranges) / sizeof(ranges[0])));
	tcase_add_test(tc, t_last_address_allocatable);
	tcase_add_test(tc, t_reasons_stack);
	tcase_add_test(tc, t_uniform_dense);
	tcase_add_test(tc, t_uniform_sparse);
	tcase_add_test(tc, t_near_full);
	tcase_add_test(tc, t_ipv6_large);
	tcase_add_test(tc, t_random_compare);
	tcase_add_test(tc, t_rng);
	tcase_add_test(tc, t_hmap);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return eip_run_suite(suite());
}
