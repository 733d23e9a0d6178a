/* SPDX-License-Identifier: Apache-2.0 */
/* Table tests of sim/selector.c: label/field selector syntax and matching. */
#include <check.h>
#include <string.h>

#include "sim.h"
#include "testutil.h"

static json_t *
obj(const char *labels)
{
	json_t *l = json_loads(labels, 0, NULL);

	return json_pack("{s:{s:s,s:s,s:o},s:{s:b},s:{s:s}}", "metadata",
	    "name", "n1", "namespace", "ns1", "labels", l, "spec",
	    "unschedulable", 1, "involvedObject", "kind", "Pod");
}

START_TEST(t_labels_match)
{
	static const struct {
		const char *sel;
		int match;
	} cases[] = {
		{ "", 1 }, { "a=1", 1 }, { "a==1", 1 }, { "a!=1", 0 },
		{ "a=2", 0 }, { "b!=1", 1 }, { "a in (1,2)", 1 },
		{ "a notin (1,2)", 0 }, { "b notin (1)", 1 }, { "a", 1 },
		{ "!a", 0 }, { "!b", 1 }, { "a=1,x.io/y=", 1 },
		{ "a=1, c in ( z )", 0 }, { "a in (3),a=1", 0 },
		{ "x.io/y", 1 }, { "x.io/y=v", 0 },
	};
	struct sim_selector s;
	char err[256];
	json_t *o = obj("{\"a\":\"1\",\"x.io/y\":\"\"}");
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(selector_parse_labels(cases[i].sel, &s, err,
		    sizeof(err)) == 0, "parse '%s': %s", cases[i].sel, err);
		ck_assert_msg(selector_match_labels(&s, o) == cases[i].match,
		    "match '%s'", cases[i].sel);
		selector_free(&s);
	}
	json_decref(o);
}
END_TEST

START_TEST(t_labels_bad)
{
	static const char *const bad[] = { "a=", "=1", "a in 1", "a in (1",
	    "a b", "a=1,", "-a=1", "a=b c", "a=(1)", "a in (x y)", "!",
	    "a/b/c=1", NULL };
	struct sim_selector s;
	char err[256];
	int i;

	/* "a=" (empty value) is valid; everything else here is not. */
	ck_assert_int_eq(selector_parse_labels(bad[0], &s, err, sizeof(err)),
	    0);
	selector_free(&s);
	for (i = 1; bad[i] != NULL; i++) {
		err[0] = '\0';
		ck_assert_msg(selector_parse_labels(bad[i], &s, err,
		    sizeof(err)) == -1, "accepted '%s'", bad[i]);
		ck_assert(strstr(err, "unable to parse requirement") != NULL);
	}
}
END_TEST

START_TEST(t_fields)
{
	const struct sim_rtype *node = rtype_by_name("nodes");
	const struct sim_rtype *ev = rtype_find("", "v1", "events");
	struct sim_selector s;
	char err[256];
	json_t *o = obj("{}");

	ck_assert_int_eq(selector_parse_fields("metadata.name=n1,"
	    "metadata.namespace!=x", node, &s, err, sizeof(err)), 0);
	ck_assert(selector_match_fields(&s, o));
	selector_free(&s);
	ck_assert_int_eq(selector_parse_fields("spec.unschedulable==true",
	    node, &s, err, sizeof(err)), 0);
	ck_assert(selector_match_fields(&s, o));
	selector_free(&s);
	ck_assert_int_eq(selector_parse_fields("spec.unschedulable=true",
	    ev, &s, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "field label not supported: spec.unschedulable");
	ck_assert_int_eq(selector_parse_fields("involvedObject.kind=Pod", ev,
	    &s, err, sizeof(err)), 0);
	ck_assert(selector_match_fields(&s, o));
	selector_free(&s);
	ck_assert_int_eq(selector_parse_fields("metadata.name", node, &s, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(selector_parse_fields("metadata.name=a\\,b", node,
	    &s, err, sizeof(err)), 0);
	ck_assert_str_eq(s.reqs[0].values[0], "a,b");
	selector_free(&s);
	json_decref(o);
}
END_TEST

START_TEST(t_labelselector_and_bool)
{
	json_t *l = json_pack("{s:s,s:s}", "role", "worker", "zone", "a");
	json_t *sel;
	int b;

	sel = json_loads("{\"matchLabels\":{\"role\":\"worker\"},"
	    "\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"In\","
	    "\"values\":[\"a\",\"b\"]},{\"key\":\"gpu\",\"operator\":"
	    "\"DoesNotExist\"}]}", 0, NULL);
	ck_assert(selector_match_labelselector(sel, l));
	json_decref(sel);
	sel = json_loads("{\"matchExpressions\":[{\"key\":\"zone\","
	    "\"operator\":\"NotIn\",\"values\":[\"a\"]}]}", 0, NULL);
	ck_assert(!selector_match_labelselector(sel, l));
	json_decref(sel);
	ck_assert(selector_match_labelselector(NULL, l));
	ck_assert_int_eq(selector_parse_bool("True", &b), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(selector_parse_bool("t", &b), 0);
	ck_assert_int_eq(selector_parse_bool("0", &b), 0);
	ck_assert_int_eq(b, 0);
	ck_assert_int_eq(selector_parse_bool("yes", &b), -1);
	ck_assert_int_eq(selector_parse_bool("tRUE", &b), -1);
	json_decref(l);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sim_selector");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_labels_match);
	tcase_add_test(tc, t_labels_bad);
	tcase_add_test(tc, t_fields);
	tcase_add_test(tc, t_labelselector_and_bool);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
