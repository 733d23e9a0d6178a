/* SPDX-License-Identifier: Apache-2.0 */
/*
 * allocator/spec.c, selector.c, manual.c: table tests of EgressIPAM
 * validation (each rule with the field it names), label selectors, and
 * manual IP annotations (SPEC 3).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "manual.h"
#include "selector.h"
#include "spec.h"
#include "testutil.h"

static json_t *
J(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);

	ck_assert_msg(j != NULL, "bad json %s: %s", s, e.text);
	return j;
}

struct spec_case {
	const char	*spec;
	const char	*lb;
	int		 valid;
	const char	*text;		/* issues_text(WARN), "" for none */
};

#define TL "\"topologyLabel\":\"zone\""
static const struct spec_case spec_cases[] = {
	/* The upstream README bare-metal example: reserved IP outside. */
	{ "{\"cidrAssignments\":[{\"labelValue\":\"true\",\"CIDR\":\"192.169.0.0/24\","
	  "\"reservedIPs\":[\"192.159.0.5\"]}],\"topologyLabel\":\"egressGateway\","
	  "\"nodeSelector\":{\"matchLabels\":{\"node-role.kubernetes.io/worker\":\"\"}}}",
	  NULL, 1, "spec.cidrAssignments[0].reservedIPs[0]: 192.159.0.5 is outside "
	  "192.169.0.0/24 and is ignored" },
	/* The README AWS example: three zones, valid, nothing to say. */
	{ "{\"cidrAssignments\":[{\"labelValue\":\"eu-central-1a\",\"CIDR\":\"10.0.128.0/20\"},"
	  "{\"labelValue\":\"eu-central-1b\",\"CIDR\":\"10.0.144.0/20\"},"
	  "{\"labelValue\":\"eu-central-1c\",\"CIDR\":\"10.0.160.0/20\"}],"
	  "\"topologyLabel\":\"failure-domain.beta.kubernetes.io/zone\"}", NULL, 1, "" },
	{ "{\"cidrAssignments\":[{\"labelValue\":\"a\",\"CIDR\":\"10.0.0.0/33\"}]," TL "}",
	  NULL, 0, "spec.cidrAssignments[0].CIDR: \"10.0.0.0/33\" is not a CIDR" },
	{ "{\"cidrAssignments\":[{\"labelValue\":\"a\",\"CIDR\":\"10.0.0.0/24\"},"
	  "{\"labelValue\":\"b\",\"CIDR\":\"10.0.0.0/24\"}]," TL "}", NULL, 0,
	  "spec.cidrAssignments[1]: CIDR 10.0.0.0/24 duplicates spec.cidrAssignments[0]" },
	/* Same network written with host bits: still a duplicate. */
	{ "{\"cidrAssignments\":[{\"labelValue\":\"a\",\"CIDR\":\"10.0.0.0/24\"},"
	  "{\"labelValue\":\"b\",\"CIDR\":\"10.0.0.9/24\"}]," TL "}", NULL, 0,
	  "spec.cidrAssignments[1].CIDR: 10.0.0.9/24 has host bits set; it is used as "
	  "10.0.0.0/24; spec.cidrAssignments[1]: CIDR 10.0.0.9/24 duplicates "
	  "spec.cidrAssignments[0]" },
	{ "{\"cidrAssignments\":[{\"labelValue\":\"a\",\"CIDR\":\"10.0.0.0/16\"},"
	  "{\"labelValue\":\"b\",\"CIDR\":\"10.0.5.0/24\"}]," TL "}", NULL, 0,
	  "spec.cidrAssignments[1]: CIDR 10.0.5.0/24 overlaps 10.0.0.0/16 of "
	  "spec.cidrAssignments[0]" },
	/* Upstream 12.15: duplicate labelValues silently starved a CIDR. */
	{ "{\"cidrAssignments\":[{\"labelValue\":\"a\",\"CIDR\":\"10.0.0.0/24\"},"
	  "{\"labelValue\":\"a\",\"CIDR\":\"10.0.1.0/24\"}]," TL "}", NULL, 0,
	  "spec.cidrAssignments[1]: labelValue \"a\" is also used by "
	  "spec.cidrAssignments[0]" },
	{ "{\"cidrAssignments\":[{\"labelValue\":\"a\",\"CIDR\":\"10.0.0.0/24\","
	  "\"reservedIPs\":[\"10.0.0.300\"]}]," TL "}", NULL, 0,
	  "spec.cidrAssignments[0].reservedIPs[0]: \"10.0.0.300\" is not an IP address" },
	{ "{\"cidrAssignments\":[]}", NULL, 0, "spec.topologyLabel: is required" },
	{ "{\"topologyLabel\":\"\"}", NULL, 0, "spec.topologyLabel: is required" },
	{ "{" TL ",\"nodeSelector\":{\"matchExpressions\":[{\"key\":\"k\","
	  "\"operator\":\"Gt\",\"values\":[\"1\"]}]}}", NULL, 0,
	  "spec.nodeSelector.matchExpressions[0]: operator \"Gt\" is not In, NotIn, "
	  "Exists or DoesNotExist" },
	{ "{" TL ",\"nodeSelector\":{\"matchExpressions\":[{\"key\":\"k\","
	  "\"operator\":\"In\",\"values\":[]}]}}", NULL, 0,
	  "spec.nodeSelector.matchExpressions[0]: operator In needs values" },
	{ "{" TL ",\"nodeSelector\":{\"matchExpressions\":[{\"key\":\"k\","
	  "\"operator\":\"Exists\",\"values\":[\"x\"]}]}}", NULL, 0,
	  "spec.nodeSelector.matchExpressions[0]: operator Exists takes no values" },
	{ "{" TL ",\"cidrAssignments\":[{\"labelValue\":\"a\",\"CIDR\":\"fd00:1::/64\","
	  "\"reservedIPs\":[\"fd00:1::5\",\"10.0.0.1\"]}]}", NULL, 1,
	  "spec.cidrAssignments[0].reservedIPs[1]: 10.0.0.1 is outside fd00:1::/64 "
	  "and is ignored" },
	{ "{" TL "}", "none", 1, "" },
	{ "{" TL "}", "bogus", 1, "metadata.annotations[egressip-ipam-operator."
	  "redhat-cop.io/azure-egress-load-balancer]: \"bogus\" is neither "
	  "same-as-primary-ip nor none; same-as-primary-ip is used" },
	{ NULL, NULL, 0, "spec.topologyLabel: is required" },
};

START_TEST(t_spec_table)
{
	const struct spec_case *c = &spec_cases[_i];
	json_t *j = c->spec != NULL ? J(c->spec) : NULL;
	struct eip_spec s;
	char *text;

	spec_parse(j, c->lb, &s);
	text = issues_text(&s.issues, ISSUE_WARN);
	ck_assert_str_eq(text, c->text);
	ck_assert_int_eq(spec_valid(&s), c->valid);
	free(text);
	spec_clear(&s);
	json_decref(j);
}
END_TEST

START_TEST(t_spec_fields)
{
	json_t *j = J("{\"cidrAssignments\":[{\"labelValue\":\"a\",\"CIDR\":"
	    "\"10.0.0.0/24\",\"reservedIPs\":[\"10.0.0.5\",\"10.0.0.5\"]},"
	    "{\"labelValue\":\"b\",\"CIDR\":\"10.0.1.0/24\"}],\"topologyLabel\":"
	    "\"zone\",\"nodeSelector\":{\"matchLabels\":{\"w\":\"\"}}}");
	json_t *la = J("{\"zone\":\"a\",\"w\":\"\"}");
	json_t *lb = J("{\"zone\":\"b\",\"w\":\"\"}");
	json_t *lc = J("{\"zone\":\"c\",\"w\":\"\"}");
	json_t *ln = J("{\"zone\":\"a\"}");
	struct eip_spec s;
	struct eip_ip ip;
	struct eip_cidr c;

	spec_parse(j, NULL, &s);
	ck_assert(spec_valid(&s));
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.a[0].nreserved, 1);
	ip_parse("10.0.0.5", &ip);
	ck_assert(spec_is_reserved(&s, 0, &ip));
	ck_assert(!spec_is_reserved(&s, 1, &ip));
	ck_assert_int_eq(spec_cidr_of(&s, &ip), 0);
	cidr_parse("10.0.1.0/24", &c);
	ck_assert_int_eq(spec_find_cidr(&s, &c), 1);
	ck_assert_int_eq(spec_assignment_of(&s, la), 0);
	ck_assert_int_eq(spec_assignment_of(&s, lb), 1);
	ck_assert_int_eq(spec_assignment_of(&s, lc), -1);
	ck_assert_int_eq(spec_selects(&s, lc), 1);
	ck_assert_int_eq(spec_assignment_of(&s, ln), -1);	/* not selected */
	ck_assert_int_eq(s.lb, LB_SAME_AS_PRIMARY);
	spec_clear(&s);
	json_decref(j);
	json_decref(la);
	json_decref(lb);
	json_decref(lc);
	json_decref(ln);
}
END_TEST

struct sel_case {
	const char	*sel;
	const char	*labels;
	int		 match;
};

static const struct sel_case sel_cases[] = {
	{ "{}", "{}", 1 },
	{ "null", "{\"a\":\"b\"}", 1 },
	{ "{\"matchLabels\":{\"a\":\"b\"}}", "{\"a\":\"b\"}", 1 },
	{ "{\"matchLabels\":{\"a\":\"b\"}}", "{\"a\":\"c\"}", 0 },
	{ "{\"matchLabels\":{\"a\":\"\"}}", "{\"a\":\"\"}", 1 },
	{ "{\"matchLabels\":{\"a\":\"\"}}", "{}", 0 },
	{ "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\",\"values\":[\"x\",\"y\"]}]}",
	  "{\"a\":\"y\"}", 1 },
	{ "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\",\"values\":[\"x\"]}]}",
	  "{}", 0 },
	{ "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"NotIn\",\"values\":[\"x\"]}]}",
	  "{}", 1 },
	{ "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"NotIn\",\"values\":[\"x\"]}]}",
	  "{\"a\":\"x\"}", 0 },
	{ "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\"}]}",
	  "{\"a\":\"\"}", 1 },
	{ "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\"}]}", "{}", 0 },
	{ "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"DoesNotExist\"}]}",
	  "{}", 1 },
	{ "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"DoesNotExist\"}]}",
	  "{\"a\":\"1\"}", 0 },
	/* All requirements must hold (AND). */
	{ "{\"matchLabels\":{\"w\":\"\"},\"matchExpressions\":[{\"key\":\"a\","
	  "\"operator\":\"DoesNotExist\"}]}", "{\"w\":\"\",\"a\":\"1\"}", 0 },
	{ "{\"matchLabels\":{\"w\":\"\"},\"matchExpressions\":[{\"key\":\"a\","
	  "\"operator\":\"DoesNotExist\"}]}", "{\"w\":\"\"}", 1 },
};

START_TEST(t_selector_table)
{
	const struct sel_case *c = &sel_cases[_i];
	json_t *sel = J(c->sel), *labels = J(c->labels);
	struct eip_issues iss = { 0 };
	struct eip_selector s;

	ck_assert_int_eq(selector_parse(sel, "sel", &s, &iss), 0);
	ck_assert_int_eq(selector_match(&s, labels), c->match);
	ck_assert(selector_equal(&s, &s));
	selector_clear(&s);
	issues_clear(&iss);
	json_decref(sel);
	json_decref(labels);
}
END_TEST

struct manual_case {
	const char	*annot;
	int		 ok;		/* parse and position check pass */
	size_t		 n;
	const char	*err;
};

static const struct manual_case manual_cases[] = {
	{ "10.0.128.7,10.0.144.7,10.0.160.7", 1, 3, "" },
	{ "10.0.128.7,10.0.144.7", 1, 2, "" },		/* valid prefix */
	{ "", 1, 0, "" },
	{ "10.0.128.7,10.0.144.7,10.0.160.7,10.0.160.8", 0, 4, "4 IPs for 3 CIDRs" },
	/* The upstream test's erroneous namespace. */
	{ "11.0.128.7,10.0.144.7,10.0.160.7", 0, 3,
	  "IP 11.0.128.7 is not inside CIDR 1 (10.0.128.0/20)" },
	{ "10.0.144.7,10.0.128.7", 0, 2,
	  "IP 10.0.144.7 is not inside CIDR 1 (10.0.128.0/20)" },
	{ "10.0.128.7, 10.0.144.7", 0, 0, "element 2 \" 10.0.144.7\" is not an IP address" },
	{ "10.0.128.7,", 0, 0, "element 2 \"\" is not an IP address" },
	{ "bogus", 0, 0, "element 1 \"bogus\" is not an IP address" },
};

START_TEST(t_manual_table)
{
	const struct manual_case *c = &manual_cases[_i];
	json_t *j = J("{\"cidrAssignments\":[{\"labelValue\":\"a\",\"CIDR\":"
	    "\"10.0.128.0/20\"},{\"labelValue\":\"b\",\"CIDR\":\"10.0.144.0/20\"},"
	    "{\"labelValue\":\"c\",\"CIDR\":\"10.0.160.0/20\"}],\"topologyLabel\":\"z\"}");
	struct eip_spec s;
	struct eip_ip *ips;
	size_t n;
	char err[256] = "";
	int ok;
	char *back;

	spec_parse(j, NULL, &s);
	ok = manual_parse(c->annot, &ips, &n, err, sizeof(err)) == 0 &&
	    manual_check(ips, n, &s, err, sizeof(err)) == 0;
	ck_assert_int_eq(ok, c->ok);
	ck_assert_uint_eq(n, c->n);
	ck_assert_str_eq(err, c->err);
	if (ok) {
		back = manual_format(ips, n);
		ck_assert_str_eq(back, c->annot);
		free(back);
	}
	free(ips);
	spec_clear(&s);
	json_decref(j);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("alloc_spec");
	TCase *tc = tcase_create("spec");

	tcase_add_loop_test(tc, t_spec_table, 0,
	    (int)(sizeof(spec_cases) / sizeof(spec_cases[0])));
	tcase_add_test(tc, t_spec_fields);
	tcase_add_loop_test(tc, t_selector_table, 0,
	    (int)(sizeof(sel_cases) / sizeof(sel_cases[0])));
	tcase_add_loop_test(tc, t_manual_table, 0,
	    (int)(sizeof(manual_cases) / sizeof(manual_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return eip_run_suite(suite());
}
