/* SPDX-License-Identifier: Apache-2.0 */
/* supervisor/restart.c with a fake clock. */
#include <check.h>
#include <string.h>

#include "restart.h"
#include "testutil.h"

static struct restart_policy P;

static void
setup(void)
{
	restart_policy_default(&P);
}

START_TEST(t_first_kill_is_fast)
{
	struct restart_state s = { 0 };
	double d = restart_on_death(&s, &P, 100.0, 1, 1, 0.999, NULL, 0);

	/* kill -9 of a READY worker: back within a second. */
	ck_assert(d > 0 && d < 0.25);
}
END_TEST

START_TEST(t_backoff_grows_and_caps)
{
	struct restart_state s = { 0 };
	double t = 0, d, prev = 0;
	int i;

	for (i = 0; i < 12; i++) {
		d = restart_on_death(&s, &P, t, 1, 0, 0.5, NULL, 0);
		ck_assert(d >= prev);
		ck_assert(d <= P.backoff_max);
		prev = d;
		t += 0.5;
	}
	ck_assert(prev == P.backoff_max);
	/* Quiet for longer than `recent`: back to the minimum. */
	d = restart_on_death(&s, &P, t + 31, 1, 0, 0.5, NULL, 0);
	ck_assert(d < 0.25);
}
END_TEST

START_TEST(t_early_death_throttles)
{
	struct restart_state s = { 0 };
	char why[64];
	double d = restart_on_death(&s, &P, 10, 0, 0, 0.5, why, sizeof(why));

	ck_assert(d == P.throttle);
	ck_assert_str_eq(why, "died before READY: throttled");
}
END_TEST

START_TEST(t_sigkill_before_ready_not_throttled)
{
	struct restart_state s = { 0 };
	double d = restart_on_death(&s, &P, 10, 0, 1, 0.5, NULL, 0);

	ck_assert(d < 1.0);
}
END_TEST

START_TEST(t_cannot_reach_ready_gives_up)
{
	struct restart_state s = { 0 };
	double t = 0, d = 0;
	int i;

	/* A worker that never reaches READY dies every throttle period. */
	for (i = 0; i < P.max_early; i++) {
		d = restart_on_death(&s, &P, t, 0, 0, 0.5, NULL, 0);
		ck_assert(d == P.throttle);
		t += d + 0.1;
	}
	d = restart_on_death(&s, &P, t, 0, 0, 0.5, NULL, 0);
	ck_assert(d < 0);
}
END_TEST

START_TEST(t_chaos_does_not_trip)
{
	struct restart_state s[4];
	double t = 0, d;
	unsigned r = 12345;

	memset(s, 0, sizeof(s));
	int i;

	/*
	 * The chaos test: a random worker SIGKILLed every 0.5-2 s for 60 s,
	 * each coming back to READY.  No role may give up.
	 */
	while (t < 60) {
		r = r * 1103515245 + 12345;
		i = (int)((r >> 16) % 4);
		d = restart_on_death(&s[i], &P, t, 1, 1, 0.5, NULL, 0);
		ck_assert_msg(d >= 0, "gave up at t=%.1f", t);
		t += 0.5 + (double)((r >> 8) % 1500) / 1000.0;
	}
}
END_TEST

START_TEST(t_every_death_killed_fast_still_trips)
{
	struct restart_state s = { 0 };
	double t = 0, d = 0;
	int i;

	/* Deaths faster than any backoff (externally): the window limit. */
	for (i = 0; i <= P.max_deaths; i++) {
		d = restart_on_death(&s, &P, t, 1, 1, 0.5, NULL, 0);
		t += 0.1;
	}
	ck_assert(d < 0);
	ck_assert_int_eq(restart_count(&s, t, P.window, 0), P.max_deaths + 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("restart");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, t_first_kill_is_fast);
	tcase_add_test(tc, t_backoff_grows_and_caps);
	tcase_add_test(tc, t_early_death_throttles);
	tcase_add_test(tc, t_sigkill_before_ready_not_throttled);
	tcase_add_test(tc, t_cannot_reach_ready_gives_up);
	tcase_add_test(tc, t_chaos_does_not_trip);
	tcase_add_test(tc, t_every_death_killed_fast_still_trips);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
