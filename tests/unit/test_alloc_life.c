/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The model against a fake cluster: choosing IPs (SPEC 2) and the
 * lifecycle (SPEC 5): exhaustion, CIDRs added and removed, switching,
 * opting out, deleting namespaces and EgressIPAMs, overlaps, restarts,
 * conflicts and leadership.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_testlib.h"
#include "testutil.h"

/* --ip-selection=lowest gives upstream's order; random does not. */
START_TEST(t_selection)
{
	struct eip_model_config cfg;
	struct fake *f = simple("10.9.0.0/24", lowest(&cfg));
	struct fake *r = simple("10.9.0.0/24", NULL);
	char ns[16];
	int k, seq = 1;

	for (k = 0; k < 20; k++) {
		snprintf(ns, sizeof(ns), "n%02d", k);
		fake_ns(f, ns, "e", NULL);
		fake_ns(r, ns, "e", NULL);
	}
	fake_start(f);
	fake_start(r);
	{
		int seen[256] = { 0 };
		char ip[32];

		for (k = 0; k < 20; k++) {
			snprintf(ns, sizeof(ns), "n%02d", k);
			ck_assert(in_cidr(fake_annot(f, ns), "10.9.0.0/24"));
			seen[atoi(strrchr(fake_annot(f, ns), '.') + 1)]++;
			snprintf(ip, sizeof(ip), "10.9.0.%d", k + 1);
			if (strcmp(fake_annot(r, ns), ip) != 0)
				seq = 0;
		}
		for (k = 1; k <= 20; k++)
			ck_assert_int_eq(seen[k], 1);	/* exactly .1-.20 */
	}
	ck_assert_msg(!seq, "random selection gave .1-.20 in order");
	fake_free(f);
	fake_free(r);
}
END_TEST

struct small_case {
	const char	*cidr;
	int		 usable;
	const char	*first;
	const char	*last;
};

static const struct small_case smalls[] = {
	{ "10.8.0.5/32", 1, "10.8.0.5", "10.8.0.5" },
	{ "10.8.0.4/31", 2, "10.8.0.4", "10.8.0.5" },
	{ "10.8.0.4/30", 2, "10.8.0.5", "10.8.0.6" },
	{ "10.8.0.0/29", 6, "10.8.0.1", "10.8.0.6" },
	{ "fd00:8::/126", 3, "fd00:8::1", "fd00:8::3" },
	{ "fd00:8::4/127", 2, "fd00:8::4", "fd00:8::5" },
};

/* Network/broadcast excluded (RFC 3021 for /31, /32); last one used. */
START_TEST(t_small_cidrs)
{
	const struct small_case *c = &smalls[_i];
	struct eip_model_config cfg;
	struct fake *f = simple(c->cidr, lowest(&cfg));
	char ns[16];
	int k;

	for (k = 0; k <= c->usable; k++) {
		snprintf(ns, sizeof(ns), "n%d", k);
		fake_ns(f, ns, "e", NULL);
		fake_ns_created(f, ns, k < 10 ? "2024-01-01T00:00:0" "0Z" :
		    "2024-01-01T00:00:10Z");
	}
	fake_start(f);
	{
		int got = 0, first = 0, last = 0;

		for (k = 0; k <= c->usable; k++) {
			const char *a;

			snprintf(ns, sizeof(ns), "n%d", k);
			a = fake_annot(f, ns);
			if (a == NULL)
				continue;
			got++;
			first |= strcmp(a, c->first) == 0;
			last |= strcmp(a, c->last) == 0;
		}
		ck_assert_int_eq(got, c->usable);
		ck_assert(first && last);
	}
	ck_assert_uint_eq(fake_count_events(f, "CIDRExhausted", NULL), 1);
	fake_free(f);
}
END_TEST

/* A full CIDR: event, condition, retried when an address frees. */
START_TEST(t_exhausted_then_freed)
{
	struct eip_model_config cfg;
	struct fake *f = simple("10.8.0.0/30", lowest(&cfg));
	const char *msg;
	char a0[32];

	fake_ipam(f, "other", "{\"cidrAssignments\":[{\"labelValue\":\"x\","
	    "\"CIDR\":\"10.7.0.0/24\"}],\"topologyLabel\":\"zone\"}", NULL);
	fake_ns(f, "n0", "e", NULL);
	fake_ns(f, "n1", "e", NULL);
	fake_start(f);
	fake_ns(f, "n2", "e", NULL);
	fake_ns(f, "o1", "other", NULL);
	fake_settle(f);
	ck_assert_ptr_null(fake_annot(f, "n2"));
	ck_assert_uint_eq(fake_count_events(f, "CIDRExhausted", "n2"), 1);
	ck_assert_str_eq(fake_cond(f, "e", "Ready", NULL, &msg), "False");
	ck_assert_msg(strstr(msg, "exhausted") != NULL, "%s", msg);
	/* Not an error for the other IPAM. */
	ck_assert(in_cidr(fake_annot(f, "o1"), "10.7.0.0/24"));
	ck_assert_str_eq(fake_cond(f, "other", "Ready", NULL, NULL), "True");
	snprintf(a0, sizeof(a0), "%s", fake_annot(f, "n0"));
	fake_ns_delete(f, "n0");
	fake_settle(f);
	ck_assert_str_eq(fake_annot(f, "n2"), a0);
	ck_assert_str_eq(fake_cond(f, "e", "Ready", NULL, NULL), "True");
	fake_free(f);
}
END_TEST

#define TWO "{\"cidrAssignments\":[{\"labelValue\":\"true\",\"CIDR\":\"10.6.0.0/24\"}," \
	"{\"labelValue\":\"true2\",\"CIDR\":\"10.6.1.0/24\"}],\"topologyLabel\":\"egressGateway\"}"
#define ONE "{\"cidrAssignments\":[{\"labelValue\":\"true\",\"CIDR\":\"10.6.0.0/24\"}]," \
	"\"topologyLabel\":\"egressGateway\"}"
#define ONE_B "{\"cidrAssignments\":[{\"labelValue\":\"true2\",\"CIDR\":\"10.6.1.0/24\"}]," \
	"\"topologyLabel\":\"egressGateway\"}"

/* CIDR appended: one more IP, in order; removed: released (SPEC 2). */
START_TEST(t_cidr_added_removed)
{
	struct fake *f = simple("10.6.0.0/24", NULL);
	char first[32], ip[32];

	fake_node(f, "g3", "{\"egressGateway\":\"true2\"}", "True",
	    "172.16.0.3", -1);
	fake_ns(f, "a", "e", NULL);
	fake_start(f);
	snprintf(first, sizeof(first), "%s", fake_annot(f, "a"));
	/* Upstream 12.7: this crashed the operator. */
	fake_ipam(f, "e", TWO, NULL);
	fake_settle(f);
	ck_assert_str_eq(nth_ip(fake_annot(f, "a"), 0, ip, sizeof(ip)), first);
	ck_assert(in_cidr(nth_ip(fake_annot(f, "a"), 1, ip, sizeof(ip)),
	    "10.6.1.0/24"));
	/* Two CIDRs: explicit mode now, egressCIDRs cleared. */
	assert_list(f, FK_HOSTSUBNET, "g1", "egress_cidrs", "");
	ck_assert_uint_eq(fake_restart(f), 0);
	/* The first CIDR removed: its IP goes, the second stays. */
	nth_ip(fake_annot(f, "a"), 1, ip, sizeof(ip));
	fake_ipam(f, "e", ONE_B, NULL);
	fake_settle(f);
	ck_assert_str_eq(fake_annot(f, "a"), ip);
	assert_list(f, FK_NETNAMESPACE, "a", "egress_ips", ip);
	assert_list(f, FK_HOSTSUBNET, "g1", "egress_ips", "");
	assert_list(f, FK_HOSTSUBNET, "g2", "egress_ips", "");
	fake_free(f);
}
END_TEST

/* Opt-in moved from A to B: A's IPs released, B's assigned. */
START_TEST(t_switch)
{
	struct fake *f = simple("10.6.0.0/24", NULL);

	fake_node(f, "g3", "{\"egressGateway\":\"b\"}", "True", "172.16.0.3", -1);
	fake_ipam(f, "b", "{\"cidrAssignments\":[{\"labelValue\":\"b\",\"CIDR\":"
	    "\"10.5.0.0/24\"}],\"topologyLabel\":\"egressGateway\"}", NULL);
	fake_ns(f, "a", "e", NULL);
	fake_start(f);
	ck_assert(in_cidr(fake_annot(f, "a"), "10.6.0.0/24"));
	/* Upstream 12.5: a changed value was not noticed. */
	fake_ns(f, "a", "b", fake_annot(f, "a"));
	fake_settle(f);
	ck_assert(in_cidr(fake_annot(f, "a"), "10.5.0.0/24"));
	assert_list(f, FK_NETNAMESPACE, "a", "egress_ips", fake_annot(f, "a"));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(fake_get(f, FK_EGRESSIPAM, "e"), "status"), "cidrs") ?
	    json_array_get(json_object_get(json_object_get(fake_get(f,
	    FK_EGRESSIPAM, "e"), "status"), "cidrs"), 0) : NULL, "CIDR")),
	    "10.6.0.0/24");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
	    json_object_get(json_object_get(fake_get(f, FK_EGRESSIPAM, "e"),
	    "status"), "cidrs"), 0), "allocated")), 0);
	ck_assert_uint_eq(fake_restart(f), 0);
	fake_free(f);
}
END_TEST

/* Opt-out and deletion release everywhere; the address is free again. */
START_TEST(t_opt_out_and_delete)
{
	struct eip_model_config cfg;
	struct fake *f = simple("10.6.0.0/24", lowest(&cfg));
	char ip[32];

	fake_node(f, "g1", GW, "True", "172.16.0.1", 5);	/* explicit */
	fake_ns(f, "a", "e", NULL);
	fake_start(f);
	snprintf(ip, sizeof(ip), "%s", fake_annot(f, "a"));
	ck_assert_str_eq(ip, "10.6.0.1");
	fake_ns(f, "a", NULL, ip);
	fake_settle(f);
	ck_assert_ptr_null(fake_annot(f, "a"));
	assert_list(f, FK_NETNAMESPACE, "a", "egress_ips", "");
	assert_list(f, FK_HOSTSUBNET, "g1", "egress_ips", "");
	assert_list(f, FK_HOSTSUBNET, "g2", "egress_ips", "");
	fake_ns(f, "b", "e", NULL);
	fake_settle(f);
	ck_assert_str_eq(fake_annot(f, "b"), ip);	/* free again */
	fake_ns_delete(f, "b");
	fake_settle(f);
	assert_list(f, FK_HOSTSUBNET, "g1", "egress_ips", "");
	assert_list(f, FK_HOSTSUBNET, "g2", "egress_ips", "");
	fake_ns(f, "c", "e", NULL);
	fake_settle(f);
	ck_assert_str_eq(fake_annot(f, "c"), ip);
	fake_free(f);
}
END_TEST

/* Deletion: the finalizer holds until every IP is released (SPEC 5). */
START_TEST(t_ipam_delete)
{
	struct fake *f = simple("10.6.0.0/24", NULL);

	fake_ns(f, "a", "e", NULL);
	fake_ns(f, "b", "e", NULL);
	fake_start(f);
	/* An upstream-managed object also has the legacy finalizer. */
	fake_ipam_finalizers(f, "e", "[\"EgressIPAM_controller\","
	    "\"egressip-ipam-operator.redhat-cop.io/cleanup\",\"other/keep\"]");
	fake_settle(f);
	fake_ipam_delete(f, "e");
	fake_settle(f);
	ck_assert_ptr_null(fake_annot(f, "a"));
	ck_assert_ptr_null(fake_annot(f, "b"));
	ck_assert_str_eq(json_string_value(json_object_get(fake_get(f,
	    FK_NAMESPACE, "a"), "egressipam")), "e");	/* opt-in kept */
	assert_list(f, FK_NETNAMESPACE, "a", "egress_ips", "");
	assert_list(f, FK_HOSTSUBNET, "g1", "egress_cidrs", "");
	assert_list(f, FK_HOSTSUBNET, "g1", "egress_ips", "");
	/* Only our two finalizers went. */
	assert_list(f, FK_EGRESSIPAM, "e", "finalizers", "other/keep");
	fake_ipam_finalizers(f, "e", "[]");
	fake_ipam_delete(f, "e");
	fake_settle(f);
	ck_assert_ptr_null(fake_get(f, FK_EGRESSIPAM, "e"));
	/* Recreated: the namespaces get IPs again. */
	fake_ipam(f, "e", "{\"cidrAssignments\":[{\"labelValue\":\"true\","
	    "\"CIDR\":\"10.6.0.0/24\"}],\"topologyLabel\":\"egressGateway\"}",
	    NULL);
	fake_settle(f);
	ck_assert(in_cidr(fake_annot(f, "a"), "10.6.0.0/24"));
	fake_free(f);
}
END_TEST

/*
 * Deletion whose last step is the HostSubnet's egressCIDRs being cleared
 * (the write answered after everything else): the finalizer still goes.
 * The e2e suite saw a deleted EgressIPAM stay, once in 40 runs.
 */
START_TEST(t_ipam_delete_hostsubnet_last)
{
	struct fake *f = simple("10.6.0.0/24", NULL);

	fake_ns(f, "a", "e", NULL);
	fake_start(f);
	assert_list(f, FK_HOSTSUBNET, "g1", "egress_cidrs", "10.6.0.0/24");
	f->hold_type = EIP_MSG_W_HOSTSUBNET;
	fake_ipam_delete(f, "e");
	fake_settle(f);
	ck_assert_ptr_null(fake_annot(f, "a"));
	ck_assert_ptr_nonnull(fake_get(f, FK_EGRESSIPAM, "e"));	/* held */
	fake_release(f);
	fake_settle(f);
	assert_list(f, FK_HOSTSUBNET, "g1", "egress_cidrs", "");
	ck_assert_ptr_null(fake_get(f, FK_EGRESSIPAM, "e"));
	fake_free(f);
}
END_TEST

/* An invalid spec never blocks deletion (upstream 12.17). */
START_TEST(t_invalid_spec_delete)
{
	struct fake *f = simple("10.6.0.0/24", NULL);
	const char *msg;
	char ip[32];

	fake_ns(f, "a", "e", NULL);
	fake_start(f);
	snprintf(ip, sizeof(ip), "%s", fake_annot(f, "a"));
	fake_ipam(f, "e", "{\"cidrAssignments\":[{\"labelValue\":\"true\","
	    "\"CIDR\":\"10.6.0.0/24\",\"reservedIPs\":[\"bogus\"]}],"
	    "\"topologyLabel\":\"egressGateway\"}", NULL);
	fake_ns(f, "late", "e", NULL);
	fake_settle(f);
	ck_assert_str_eq(fake_cond(f, "e", "ReconcileError", NULL, &msg), "True");
	ck_assert_msg(strstr(msg, "reservedIPs[0]") != NULL, "%s", msg);
	ck_assert_ptr_null(fake_annot(f, "late"));	/* frozen */
	ck_assert_str_eq(fake_annot(f, "a"), ip);	/* untouched */
	fake_ipam_delete(f, "e");
	fake_settle(f);
	ck_assert_ptr_null(fake_get(f, FK_EGRESSIPAM, "e"));
	ck_assert_ptr_null(fake_annot(f, "a"));
	assert_list(f, FK_NETNAMESPACE, "a", "egress_ips", "");
	assert_list(f, FK_HOSTSUBNET, "g1", "egress_cidrs", "");
	fake_free(f);
}
END_TEST

/* Overlaps across EgressIPAMs are reported on both, never undefined. */
START_TEST(t_overlaps)
{
	struct fake *f = simple("10.6.0.0/24", NULL);
	const char *m1, *m2;
	char *l;

	fake_ipam(f, "o", "{\"cidrAssignments\":[{\"labelValue\":\"true\","
	    "\"CIDR\":\"10.6.0.128/25\"}],\"topologyLabel\":\"egressGateway\"}",
	    NULL);
	fake_ns(f, "a", "e", NULL);
	fake_ns(f, "b", "o", NULL);
	fake_start(f);
	ck_assert_str_eq(fake_cond(f, "e", "ReconcileError", NULL, &m1), "True");
	ck_assert_str_eq(fake_cond(f, "o", "ReconcileError", NULL, &m2), "True");
	ck_assert_msg(strstr(m1, "overlaps 10.6.0.128/25 of EgressIPAM o"), "%s", m1);
	ck_assert_msg(strstr(m1, "node g1 is also a node"), "%s", m1);
	ck_assert_msg(strstr(m2, "node g2 is also a node"), "%s", m2);
	/* Still no address given twice. */
	if (fake_annot(f, "a") != NULL && fake_annot(f, "b") != NULL)
		ck_assert_str_ne(fake_annot(f, "a"), fake_annot(f, "b"));
	/* Nodes selected twice carry neither's IPs. */
	l = fake_list(f, FK_HOSTSUBNET, "g1", "egress_cidrs");
	ck_assert_str_eq(l, "");
	free(l);
	fake_free(f);
}
END_TEST

/* Two namespaces claim one IP after a restart: the older keeps it. */
static struct fake *
dup_setup(int isolate, int young_carries)
{
	struct eip_model_config cfg;
	struct fake *f;

	model_config_default(&cfg);
	cfg.isolate = isolate;
	f = simple("10.6.0.0/24", &cfg);
	fake_ns(f, "young", "e", "10.6.0.9");
	fake_ns_created(f, "young", "2024-05-01T00:00:00Z");
	fake_ns(f, "old", "e", "10.6.0.9");
	fake_ns_created(f, "old", "2023-05-01T00:00:00Z");
	if (young_carries)
		fake_put(f, FK_NETNAMESPACE, json_pack("{s:s, s:[s]}", "name",
		    "young", "egress_ips", "10.6.0.9"));
	return f;
}

START_TEST(t_restart_duplicate)
{
	struct fake *f;
	const char *msg;

	/* Halt (default): reported, nothing written for the IPAM. */
	f = dup_setup(0, 0);
	fake_start(f);
	ck_assert_str_eq(fake_cond(f, "e", "ReconcileError", NULL, &msg), "True");
	ck_assert_msg(strstr(msg, "namespace young: IP 10.6.0.9 is held by "
	    "namespace old") != NULL, "%s", msg);
	assert_list(f, FK_NETNAMESPACE, "old", "egress_ips", "");
	fake_free(f);
	/* Isolate: the older one is served, the younger skipped. */
	f = dup_setup(1, 0);
	fake_start(f);
	assert_list(f, FK_NETNAMESPACE, "old", "egress_ips", "10.6.0.9");
	assert_list(f, FK_NETNAMESPACE, "young", "egress_ips", "");
	ck_assert_str_eq(fake_annot(f, "young"), "10.6.0.9");	/* untouched */
	ck_assert_uint_eq(fake_restart(f), 0);
	ck_assert_str_eq(fake_cond(f, "e", "Ready", NULL, &msg), "False");
	ck_assert_msg(strstr(msg, "namespace young") != NULL, "%s", msg);
	fake_free(f);
	/* The one whose NetNamespace already carries it wins over age. */
	f = dup_setup(1, 1);
	fake_start(f);
	ck_assert_str_eq(fake_cond(f, "e", "Ready", NULL, &msg), "False");
	ck_assert_msg(strstr(msg, "namespace old: IP 10.6.0.9 is held by "
	    "namespace young") != NULL, "%s", msg);
	assert_list(f, FK_NETNAMESPACE, "young", "egress_ips", "10.6.0.9");
	fake_free(f);
}
END_TEST

/* Conflicts, failures and reordered answers still converge. */
START_TEST(t_conflicts)
{
	struct fake *f = simple("10.6.0.0/24", NULL);
	char ns[16];
	int k;

	fake_node(f, "g1", GW, "True", "172.16.0.1", 50);
	f->conflict_pct = 20;
	f->fail_pct = 10;
	f->shuffle = 1;
	for (k = 0; k < 30; k++) {
		snprintf(ns, sizeof(ns), "n%d", k);
		fake_ns(f, ns, "e", NULL);
	}
	fake_start(f);
	for (k = 0; k < 20; k++) {
		fake_advance(f, 31000);
		fake_settle(f);
	}
	f->conflict_pct = f->fail_pct = 0;
	fake_advance(f, 31000);
	fake_settle(f);
	for (k = 0; k < 30; k++) {
		snprintf(ns, sizeof(ns), "n%d", k);
		ck_assert_msg(in_cidr(fake_annot(f, ns), "10.6.0.0/24"), "%s", ns);
		assert_list(f, FK_NETNAMESPACE, ns, "egress_ips", fake_annot(f, ns));
	}
	ck_assert_str_eq(fake_cond(f, "e", "Ready", NULL, NULL), "True");
	ck_assert_str_eq(fake_cond(f, "e", "ReconcileError", NULL, NULL), "False");
	ck_assert_uint_eq(fake_restart(f), 0);
	fake_free(f);
}
END_TEST

/* Status: observedGeneration, pool usage, stable transition times. */
START_TEST(t_status)
{
	struct fake *f = simple("10.6.0.0/24", NULL);
	const json_t *st, *c;
	char t1[64];

	fake_ns(f, "a", "e", NULL);
	fake_start(f);
	st = json_object_get(fake_get(f, FK_EGRESSIPAM, "e"), "status");
	ck_assert_int_eq(json_integer_value(json_object_get(st,
	    "observedGeneration")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(st, "namespaces")), 1);
	c = json_array_get(json_object_get(st, "cidrs"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "size")), "256");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "allocated")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "reserved")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(c, "free")), "253");
	c = json_array_get(json_object_get(st, "conditions"), 1);
	ck_assert_str_eq(json_string_value(json_object_get(c, "type")),
	    "ReconcileSuccess");
	snprintf(t1, sizeof(t1), "%s", json_string_value(json_object_get(c,
	    "lastTransitionTime")));
	ck_assert_int_eq(json_integer_value(json_object_get(c,
	    "observedGeneration")), 1);
	fake_advance(f, 120000);
	fake_ns(f, "b", "e", NULL);
	fake_settle(f);
	st = json_object_get(fake_get(f, FK_EGRESSIPAM, "e"), "status");
	ck_assert_int_eq(json_integer_value(json_object_get(st, "namespaces")), 2);
	c = json_array_get(json_object_get(st, "conditions"), 1);
	/* Upstream 12.16: rewritten on every success; here only on change. */
	ck_assert_str_eq(json_string_value(json_object_get(c,
	    "lastTransitionTime")), t1);
	fake_free(f);
}
END_TEST

/* Not leading: nothing is written; leading again: it catches up. */
START_TEST(t_leader)
{
	struct fake *f = simple("10.6.0.0/24", NULL);
	char err[64];
	size_t w;

	fake_ns(f, "a", "e", NULL);
	fake_start(f);
	json_t *b = json_pack("{s:b, s:s}", "leading", 0, "identity", "x");
	model_input(f->m, EIP_MSG_LEADER, 0, b, err, sizeof(err));
	json_decref(b);
	w = f->writes;
	fake_ns(f, "b", "e", NULL);
	fake_settle(f);
	ck_assert_uint_eq(f->writes, w);
	ck_assert_ptr_null(fake_annot(f, "b"));
	b = json_pack("{s:b, s:s}", "leading", 1, "identity", "x");
	model_input(f->m, EIP_MSG_LEADER, 0, b, err, sizeof(err));
	json_decref(b);
	fake_settle(f);
	ck_assert(in_cidr(fake_annot(f, "b"), "10.6.0.0/24"));
	fake_free(f);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("alloc_life");
	TCase *tc = tcase_create("life");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, t_selection);
	tcase_add_loop_test(tc, t_small_cidrs, 0,
	    (int)(sizeof(smalls) / sizeof(smalls[0])));
	tcase_add_test(tc, t_exhausted_then_freed);
	tcase_add_test(tc, t_cidr_added_removed);
	tcase_add_test(tc, t_switch);
	tcase_add_test(tc, t_opt_out_and_delete);
	tcase_add_test(tc, t_ipam_delete);
	tcase_add_test(tc, t_ipam_delete_hostsubnet_last);
	tcase_add_test(tc, t_invalid_spec_delete);
	tcase_add_test(tc, t_overlaps);
	tcase_add_test(tc, t_restart_duplicate);
	tcase_add_test(tc, t_conflicts);
	tcase_add_test(tc, t_status);
	tcase_add_test(tc, t_leader);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return eip_run_suite(suite());
}
