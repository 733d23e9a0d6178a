/* SPDX-License-Identifier: Apache-2.0 */
/* common/backoff.c and common/ratelimit.c driven with a fake clock. */
#include <check.h>

#include "backoff.h"
#include "ratelimit.h"
#include "testutil.h"

START_TEST(t_backoff_doubles_and_caps)
{
	struct eip_backoff b;
	static const uint64_t want[] = {
		800, 1600, 3200, 6400, 12800, 25600, 30000, 30000
	};
	uint64_t now = 1000;
	size_t i;

	/* The reflector's numbers: 800 ms doubling to 30 s, reset after 2 min. */
	backoff_init(&b, 800, 30000, 120000, 1.0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_uint_eq(backoff_next(&b, now, 0.0), want[i]);
		now += 1000;
	}
}
END_TEST

START_TEST(t_backoff_jitter)
{
	struct eip_backoff b;

	backoff_init(&b, 800, 30000, 0, 1.0);
	ck_assert_uint_eq(backoff_next(&b, 0, 0.5), 1200);
	ck_assert_uint_eq(backoff_next(&b, 0, 0.25), 2000);
	/* Out-of-range randomness is treated as no jitter, not as a bug. */
	ck_assert_uint_eq(backoff_next(&b, 0, 7.0), 3200);
	backoff_init(&b, 100, 1000, 0, 0.1);
	ck_assert_uint_eq(backoff_next(&b, 0, 0.999), 109);
}
END_TEST

START_TEST(t_backoff_reset)
{
	struct eip_backoff b;

	backoff_init(&b, 800, 30000, 120000, 0);
	ck_assert_uint_eq(backoff_next(&b, 0, 0), 800);
	ck_assert_uint_eq(backoff_next(&b, 1000, 0), 1600);
	/* Quiet for less than the reset time: keeps growing. */
	ck_assert_uint_eq(backoff_next(&b, 119000, 0), 3200);
	/* Quiet for two minutes: starts over. */
	ck_assert_uint_eq(backoff_next(&b, 239000, 0), 800);
	backoff_reset(&b);
	ck_assert_uint_eq(backoff_next(&b, 239001, 0), 800);
	/* A clock going backwards does not reset or crash. */
	ck_assert_uint_eq(backoff_next(&b, 5, 0), 1600);
}
END_TEST

START_TEST(t_backoff_rand)
{
	int i;
	double u;

	for (i = 0; i < 1000; i++) {
		u = backoff_rand();
		ck_assert(u >= 0.0 && u < 1.0);
	}
}
END_TEST

START_TEST(t_ratelimit_burst_then_qps)
{
	struct eip_ratelimit r;
	int i;

	ratelimit_init(&r, 5, 3, 1000);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(ratelimit_reserve(&r, 1000), 0);
	/* Queued callers are spaced 200 ms apart. */
	ck_assert_uint_eq(ratelimit_reserve(&r, 1000), 200);
	ck_assert_uint_eq(ratelimit_reserve(&r, 1000), 400);
	/* After a second, 5 tokens came back: 2 repay the debt, 3 remain. */
	ck_assert_uint_eq(ratelimit_reserve(&r, 2000), 0);
	ck_assert_uint_eq(ratelimit_reserve(&r, 2000), 0);
	ck_assert_uint_eq(ratelimit_reserve(&r, 2000), 0);
	ck_assert_uint_eq(ratelimit_reserve(&r, 2000), 200);
}
END_TEST

START_TEST(t_ratelimit_caps_and_unlimited)
{
	struct eip_ratelimit r;

	ratelimit_init(&r, 10, 2, 0);
	ck_assert_uint_eq(ratelimit_reserve(&r, 0), 0);
	ck_assert_uint_eq(ratelimit_reserve(&r, 0), 0);
	ck_assert_uint_eq(ratelimit_reserve(&r, 0), 100);
	/* A long idle time refills to the burst only. */
	ck_assert_uint_eq(ratelimit_reserve(&r, 100000), 0);
	ck_assert_uint_eq(ratelimit_reserve(&r, 100000), 0);
	ck_assert_uint_eq(ratelimit_reserve(&r, 100000), 100);
	/* Rounding up: 3 qps means 334 ms, never 333. */
	ratelimit_init(&r, 3, 1, 0);
	ck_assert_uint_eq(ratelimit_reserve(&r, 0), 0);
	ck_assert_uint_eq(ratelimit_reserve(&r, 0), 334);
	ratelimit_init(&r, 0, 1, 0);
	ck_assert_uint_eq(ratelimit_reserve(&r, 0), 0);
	ck_assert_uint_eq(ratelimit_reserve(&r, 0), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("backoff");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_backoff_doubles_and_caps);
	tcase_add_test(tc, t_backoff_jitter);
	tcase_add_test(tc, t_backoff_reset);
	tcase_add_test(tc, t_backoff_rand);
	tcase_add_test(tc, t_ratelimit_burst_then_qps);
	tcase_add_test(tc, t_ratelimit_caps_and_unlimited);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
