/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of sim/sim_http.c: response set, header replace/limit, clear. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "sim_http.h"
#include "testutil.h"
#include "xmalloc.h"

START_TEST(t_resp_set_clear)
{
	struct sim_resp r;

	memset(&r, 0, sizeof(r));
	sim_resp_set(&r, 200, "application/json", xstrdup("{}"), 2);
	ck_assert_int_eq(r.code, 200);
	ck_assert_str_eq(r.content_type, "application/json");
	ck_assert_int_eq(r.body_len, 2);
	/* A second set replaces the first without leaking it. */
	sim_resp_set(&r, 404, "text/plain", NULL, 5);
	ck_assert_int_eq(r.code, 404);
	ck_assert_ptr_null(r.body);
	ck_assert_int_eq(r.body_len, 0);
	sim_resp_clear(&r);
	ck_assert_int_eq(r.code, 0);
	ck_assert_ptr_null(r.content_type);
}
END_TEST

START_TEST(t_resp_headers)
{
	struct sim_resp r;
	char name[32];
	int i;

	memset(&r, 0, sizeof(r));
	sim_resp_header(&r, "Retry-After", "1");
	sim_resp_header(&r, "retry-after", "2");
	ck_assert_int_eq(r.nheaders, 1);
	ck_assert_str_eq(r.headers[0].value, "2");
	for (i = 0; i < SIM_RESP_MAX_HEADERS + 4; i++) {
		snprintf(name, sizeof(name), "X-H%d", i);
		sim_resp_header(&r, name, "v");
	}
	ck_assert_int_eq(r.nheaders, SIM_RESP_MAX_HEADERS);
	sim_resp_clear(&r);
	ck_assert_int_eq(r.nheaders, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sim_http");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_resp_set_clear);
	tcase_add_test(tc, t_resp_headers);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
