/* SPDX-License-Identifier: Apache-2.0 */
/* Table tests of sim/patch.c: RFC 7396, RFC 6902 and strategic merge. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "testutil.h"

static void
expect_json(json_t *got, const char *want)
{
	json_t *w = json_loads(want, 0, NULL);
	char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);

	ck_assert_msg(w != NULL, "bad expectation %s", want);
	ck_assert_msg(json_equal(got, w), "got %s want %s", g, want);
	free(g);
	json_decref(w);
}

START_TEST(t_merge)
{
	/* The RFC 7396 appendix examples that matter here. */
	static const char *const cases[][3] = {
		{ "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
		{ "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}" },
		{ "{\"a\":\"b\"}", "{\"a\":null}", "{}" },
		{ "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}" },
		{ "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}",
		    "{\"a\":{\"b\":\"d\"}}" },
		{ "[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}" },
		{ "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}",
		    "{\"a\":{\"bb\":{}}}" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *t = json_loads(cases[i][0], 0, NULL);
		json_t *p = json_loads(cases[i][1], 0, NULL);
		json_t *r = patch_merge(t, p);

		expect_json(r, cases[i][2]);
		json_decref(t);
		json_decref(p);
		json_decref(r);
	}
}
END_TEST

START_TEST(t_json_patch)
{
	static const char *const ok[][3] = {
		{ "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/b\",\"value\":2}]",
		    "{\"a\":1,\"b\":2}" },
		{ "{\"a\":[1,3]}", "[{\"op\":\"add\",\"path\":\"/a/1\","
		    "\"value\":2},{\"op\":\"add\",\"path\":\"/a/-\",\"value\":4}]",
		    "{\"a\":[1,2,3,4]}" },
		{ "{\"m\":{\"x/y\":\"1\",\"t~\":\"2\"}}", "[{\"op\":\"remove\","
		    "\"path\":\"/m/x~1y\"},{\"op\":\"replace\",\"path\":"
		    "\"/m/t~0\",\"value\":\"3\"}]", "{\"m\":{\"t~\":\"3\"}}" },
		{ "{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a/b\","
		    "\"path\":\"/c\"},{\"op\":\"copy\",\"from\":\"/c\",\"path\":"
		    "\"/d\"},{\"op\":\"test\",\"path\":\"/d\",\"value\":1}]",
		    "{\"a\":{},\"c\":1,\"d\":1}" },
	};
	static const char *const bad[][2] = {
		{ "[{\"op\":\"add\",\"path\":\"/x/y\",\"value\":1}]", "422" },
		{ "[{\"op\":\"remove\",\"path\":\"/nope\"}]", "422" },
		{ "[{\"op\":\"replace\",\"path\":\"/nope\",\"value\":1}]", "422" },
		{ "[{\"op\":\"test\",\"path\":\"/a\",\"value\":2}]", "422" },
		{ "[{\"op\":\"frob\",\"path\":\"/a\"}]", "400" },
		{ "[{\"path\":\"/a\"}]", "400" },
		{ "[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]", "400" },
		{ "{\"op\":\"add\"}", "400" },
		{ "[{\"op\":\"add\",\"path\":\"/a/01\",\"value\":1}]", "422" },
	};
	struct sim_err e;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		json_t *d = json_loads(ok[i][0], 0, NULL);
		json_t *p = json_loads(ok[i][1], 0, NULL);

		memset(&e, 0, sizeof(e));
		ck_assert_msg(patch_json(&d, p, &e) == 0, "%s: %s", ok[i][1],
		    e.message);
		expect_json(d, ok[i][2]);
		json_decref(d);
		json_decref(p);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *d = json_loads("{\"a\":1}", 0, NULL);
		json_t *p = json_loads(bad[i][0], 0, NULL);

		memset(&e, 0, sizeof(e));
		ck_assert_msg(patch_json(&d, p, &e) != 0, "accepted %s",
		    bad[i][0]);
		ck_assert_int_eq(e.code, atoi(bad[i][1]));
		json_decref(d);
		json_decref(p);
	}
}
END_TEST

START_TEST(t_strategic)
{
	struct sim_err e;
	json_t *t, *p, *r;

	memset(&e, 0, sizeof(e));
	t = json_loads("{\"metadata\":{\"finalizers\":[\"a\"],\"labels\":"
	    "{\"x\":\"1\",\"y\":\"2\"}},\"status\":{\"conditions\":[{\"type\":"
	    "\"Ready\",\"status\":\"True\"},{\"type\":\"Disk\",\"status\":"
	    "\"False\"}]},\"data\":[1,2]}", 0, NULL);
	p = json_loads("{\"metadata\":{\"finalizers\":[\"b\"],\"labels\":"
	    "{\"y\":null}},\"status\":{\"conditions\":[{\"type\":\"Ready\","
	    "\"status\":\"False\"},{\"type\":\"Disk\",\"$patch\":\"delete\"},"
	    "{\"type\":\"New\",\"status\":\"True\"}]},\"data\":[3]}", 0, NULL);
	r = patch_strategic(t, p, &e);
	ck_assert_ptr_nonnull(r);
	expect_json(r, "{\"metadata\":{\"finalizers\":[\"a\",\"b\"],"
	    "\"labels\":{\"x\":\"1\"}},\"status\":{\"conditions\":[{\"type\":"
	    "\"Ready\",\"status\":\"False\"},{\"type\":\"New\",\"status\":"
	    "\"True\"}]},\"data\":[3]}");
	json_decref(r);
	json_decref(p);
	p = json_loads("{\"metadata\":{\"$patch\":\"replace\",\"name\":\"z\"},"
	    "\"$setElementOrder/x\":[],\"data\":null}", 0, NULL);
	r = patch_strategic(t, p, &e);
	expect_json(r, "{\"metadata\":{\"name\":\"z\"},\"status\":"
	    "{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"},"
	    "{\"type\":\"Disk\",\"status\":\"False\"}]}}");
	json_decref(r);
	json_decref(p);
	p = json_loads("{\"status\":{\"conditions\":[{\"status\":\"x\"}]}}",
	    0, NULL);
	ck_assert_ptr_null(patch_strategic(t, p, &e));
	ck_assert_int_eq(e.code, 422);
	json_decref(p);
	p = json_loads("[1]", 0, NULL);
	ck_assert_ptr_null(patch_strategic(t, p, &e));
	json_decref(p);
	json_decref(t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sim_patch");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_merge);
	tcase_add_test(tc, t_json_patch);
	tcase_add_test(tc, t_strategic);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
