/* SPDX-License-Identifier: Apache-2.0 */
/* Table tests of common/ipaddr.c: parsing, containment, sizes, nth/offset. */
#include <check.h>
#include <string.h>

#include "ipaddr.h"
#include "testutil.h"

static const char *const bad_ips[] = {
	"", " 10.0.0.1", "10.0.0.1 ", "10.0.0", "10.0.0.256", "010.0.0.1",
	"10.0.0.01", "1.2.3.4.5", "10..0.1", "::1%eth0", "fe80::1::2",
	"abc", "1.2.3.-4", "0x0a.0.0.1", "1e2.0.0.1", ":::", "12345::",
	"10.0.0.1/32", NULL
};

START_TEST(t_ip_bad)
{
	struct eip_ip ip;
	int i;

	for (i = 0; bad_ips[i] != NULL; i++)
		ck_assert_msg(ip_parse(bad_ips[i], &ip) == -1,
		    "accepted '%s'", bad_ips[i]);
	ck_assert_int_eq(ip_parse(NULL, &ip), -1);
	ck_assert_int_eq(ip_parsen("1.2.3.4\0x", 9, &ip), -1);
}
END_TEST

START_TEST(t_ip_roundtrip)
{
	static const char *const good[][2] = {
		{ "0.0.0.0", "0.0.0.0" }, { "255.255.255.255", "255.255.255.255" },
		{ "10.0.128.5", "10.0.128.5" }, { "::", "::" },
		{ "2001:DB8::1", "2001:db8::1" }, { "::ffff:1.2.3.4", "::ffff:1.2.3.4" },
		{ "fd00:0:0:0:0:0:0:1", "fd00::1" },
	};
	struct eip_ip ip;
	char buf[IP_STRLEN];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_int_eq(ip_parse(good[i][0], &ip), 0);
		ck_assert_str_eq(ip_format(&ip, buf, sizeof(buf)), good[i][1]);
	}
	ck_assert_int_eq(ip_parse("10.0.0.1", &ip), 0);
	ck_assert_int_eq(ip.family, 4);
	ck_assert(ip.v == 0x0a000001);
}
END_TEST

struct cidr_case {
	const char	*in;
	const char	*net;
	const char	*bcast;
	const char	*size;
};

static const struct cidr_case cidr_cases[] = {
	{ "0.0.0.0/0", "0.0.0.0/0", "255.255.255.255", "4294967296" },
	{ "10.0.128.0/20", "10.0.128.0/20", "10.0.143.255", "4096" },
	{ "192.169.0.0/24", "192.169.0.0/24", "192.169.0.255", "256" },
	{ "192.169.0.77/24", "192.169.0.0/24", "192.169.0.255", "256" },
	{ "10.1.2.3/31", "10.1.2.2/31", "10.1.2.3", "2" },
	{ "10.1.2.3/32", "10.1.2.3/32", "10.1.2.3", "1" },
	{ "::/0", "::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	    "340282366920938463463374607431768211456" },
	{ "2001:db8::/64", "2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff",
	    "18446744073709551616" },
	{ "2001:db8::5/127", "2001:db8::4/127", "2001:db8::5", "2" },
	{ "2001:db8::5/128", "2001:db8::5/128", "2001:db8::5", "1" },
};

START_TEST(t_cidr_table)
{
	const struct cidr_case *c = &cidr_cases[_i];
	struct eip_cidr cidr;
	struct eip_ip b;
	char buf[CIDR_STRLEN], sz[48];
	u128 size;
	int r;

	ck_assert_int_eq(cidr_parse(c->in, &cidr), 0);
	ck_assert_str_eq(cidr_format(&cidr, buf, sizeof(buf)), c->net);
	cidr_broadcast(&cidr, &b);
	ck_assert_str_eq(ip_format(&b, buf, sizeof(buf)), c->bcast);
	r = cidr_size(&cidr, &size);
	if (strcmp(c->in, "::/0") == 0) {
		ck_assert_int_eq(r, -1);
		/* Exact size is one more than the last offset. */
		ck_assert(cidr_last_offset(&cidr) == ~(u128)0);
	} else {
		ck_assert_int_eq(r, 0);
		ck_assert_str_eq(u128_format(size, sz, sizeof(sz)), c->size);
	}
	ck_assert(cidr_contains(&cidr, &b));
	ck_assert(cidr_contains(&cidr, &cidr.net));
}
END_TEST

START_TEST(t_cidr_bad)
{
	static const char *const bad[] = {
		"10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1",
		"10.0.0.0/08", "10.0.0.0/8 ", "10.0.0.0/8/8", "/8",
		"10.0.0/8", "::/129", "::/1a", "10.0.0.0/+8", "foo/8",
		"10.0.0.0/0x8", "10.0.0.0/1000", NULL
	};
	struct eip_cidr c;
	int i;

	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(cidr_parse(bad[i], &c) == -1, "accepted '%s'",
		    bad[i]);
	ck_assert_int_eq(cidr_parse(NULL, &c), -1);
}
END_TEST

START_TEST(t_cidr_nth_offset)
{
	struct eip_cidr c, v6;
	struct eip_ip ip, other;
	char buf[IP_STRLEN];
	u128 off;

	ck_assert_int_eq(cidr_parse("10.0.128.0/20", &c), 0);
	ck_assert_int_eq(cidr_nth(&c, 0, &ip), 0);
	ck_assert_str_eq(ip_format(&ip, buf, sizeof(buf)), "10.0.128.0");
	ck_assert_int_eq(cidr_nth(&c, 4095, &ip), 0);
	ck_assert_str_eq(ip_format(&ip, buf, sizeof(buf)), "10.0.143.255");
	ck_assert_int_eq(cidr_nth(&c, 4096, &ip), -1);
	ck_assert_int_eq(ip_parse("10.0.130.7", &ip), 0);
	ck_assert_int_eq(cidr_offset(&c, &ip, &off), 0);
	ck_assert(off == 2 * 256 + 7);
	ck_assert_int_eq(ip_parse("10.0.144.0", &other), 0);
	ck_assert_int_eq(cidr_offset(&c, &other, &off), -1);
	ck_assert_int_eq(ip_parse("2001:db8::1", &other), 0);
	ck_assert(!cidr_contains(&c, &other));
	ck_assert_int_eq(cidr_parse("2001:db8::/64", &v6), 0);
	ck_assert_int_eq(cidr_offset(&v6, &other, &off), 0);
	ck_assert(off == 1);
	ck_assert_int_eq(cidr_nth(&v6, ((u128)1 << 64) - 1, &ip), 0);
	ck_assert_str_eq(ip_format(&ip, buf, sizeof(buf)),
	    "2001:db8::ffff:ffff:ffff:ffff");
	ck_assert_int_eq(cidr_nth(&v6, (u128)1 << 64, &ip), -1);
}
END_TEST

START_TEST(t_cidr_overlap)
{
	struct eip_cidr a, b, c, d;

	ck_assert_int_eq(cidr_parse("10.0.0.0/16", &a), 0);
	ck_assert_int_eq(cidr_parse("10.0.128.0/20", &b), 0);
	ck_assert_int_eq(cidr_parse("10.1.0.0/16", &c), 0);
	ck_assert_int_eq(cidr_parse("::/0", &d), 0);
	ck_assert(cidr_overlaps(&a, &b));
	ck_assert(cidr_overlaps(&b, &a));
	ck_assert(!cidr_overlaps(&a, &c));
	ck_assert(!cidr_overlaps(&a, &d));
	ck_assert(!cidr_equal(&a, &b));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ipaddr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_ip_bad);
	tcase_add_test(tc, t_ip_roundtrip);
	tcase_add_loop_test(tc, t_cidr_table, 0,
	    sizeof(cidr_cases) / sizeof(cidr_cases[0]));
	tcase_add_test(tc, t_cidr_bad);
	tcase_add_test(tc, t_cidr_nth_offset);
	tcase_add_test(tc, t_cidr_overlap);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
