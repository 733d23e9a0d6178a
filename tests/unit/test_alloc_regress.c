/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One regression test per upstream defect of reference/upstream-behaviour.md
 * section 12 that concerns the allocator, named after its number, showing
 * what we do instead.  (12.2 Secrets, 12.22 TODOs and 12.23 Helm are not the
 * allocator's; 12.16 and 12.17 are also in test_alloc_life.c.)
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_testlib.h"
#include "testutil.h"

#define ONE_CIDR(c) "{\"cidrAssignments\":[{\"labelValue\":\"true\",\"CIDR\":\"" \
	c "\"}],\"topologyLabel\":\"egressGateway\"}"

static struct fake *
converged(int nns)
{
	struct fake *f = simple("10.6.0.0/24", NULL);
	char ns[16];
	int k;

	for (k = 0; k < nns; k++) {
		snprintf(ns, sizeof(ns), "n%d", k);
		fake_ns(f, ns, "e", NULL);
	}
	fake_start(f);
	return f;
}

/* 12.1: an event no longer rewrites every NetNamespace and HostSubnet. */
START_TEST(t_12_1_work_per_event)
{
	struct fake *f = converged(50);
	size_t w;

	fake_count_out(f, EIP_MSG_W_NETNAMESPACE);
	fake_count_out(f, EIP_MSG_W_NS_EGRESSIPS);
	w = f->writes;
	fake_ns(f, "new", "e", NULL);
	fake_settle(f);
	/* One annotation and one NetNamespace: nothing for the other 50. */
	ck_assert_uint_eq(fake_count_out(f, EIP_MSG_W_NS_EGRESSIPS), 1);
	ck_assert_uint_eq(fake_count_out(f, EIP_MSG_W_NETNAMESPACE), 1);
	ck_assert_uint_le(f->writes - w, 2);
	fake_free(f);
}
END_TEST

/* 12.3: a label added to an existing node is noticed. */
START_TEST(t_12_3_label_change)
{
	struct fake *f = simple("10.6.0.0/24", NULL);

	fake_node(f, "late", "{}", "True", "172.16.0.9", -1);
	fake_start(f);
	assert_list(f, FK_HOSTSUBNET, "late", "egress_cidrs", "");
	fake_node(f, "late", GW, "True", "172.16.0.9", -1);
	fake_settle(f);
	assert_list(f, FK_HOSTSUBNET, "late", "egress_cidrs", "10.6.0.0/24");
	fake_free(f);
}
END_TEST

/* 12.4: a HostSubnet change is seen whatever its hostIP. */
START_TEST(t_12_4_hostsubnet_event)
{
	struct fake *f = converged(1);

	/* Someone clears our egressCIDRs; the hostIP is not in the CIDR. */
	fake_put(f, FK_HOSTSUBNET, json_pack("{s:s, s:s, s:s, s:[], s:[]}",
	    "name", "g1", "host", "g1", "host_ip", "172.16.0.1", "egress_ips",
	    "egress_cidrs"));
	fake_settle(f);
	assert_list(f, FK_HOSTSUBNET, "g1", "egress_cidrs", "10.6.0.0/24");
	fake_free(f);
}
END_TEST

/* 12.5: changing the egressips value or the opt-in value is noticed. */
START_TEST(t_12_5_value_changes)
{
	struct fake *f = converged(1);

	fake_ns(f, "n0", "e", "10.6.0.200");
	fake_settle(f);
	assert_list(f, FK_NETNAMESPACE, "n0", "egress_ips", "10.6.0.200");
	/* Opt-out alone (upstream never reconciled the IPAM then). */
	fake_node(f, "g1", GW, "True", "172.16.0.1", 10);	/* explicit */
	fake_settle(f);
	fake_ns(f, "n0", NULL, "10.6.0.200");
	fake_settle(f);
	assert_list(f, FK_HOSTSUBNET, "g1", "egress_ips", "");
	assert_list(f, FK_HOSTSUBNET, "g2", "egress_ips", "");
	ck_assert_ptr_null(fake_annot(f, "n0"));
	fake_free(f);
}
END_TEST

/* 12.6: the Azure load-balancer annotation updates existing IPs. */
START_TEST(t_12_6_azure_lb)
{
	struct fake *f = fake_new("OpenShiftSDN", "Azure", NULL);

	snprintf(f->subnet, sizeof(f->subnet), "10.0.32.0/19");
	fake_node(f, "w1", "{" WORKER "}", "True", "10.0.32.4", -1);
	fake_cloud_node(f, "w1", "10.0.32.4", 255);
	fake_ipam(f, "egressipam-azure", "{\"cidrAssignments\":[{\"labelValue\":"
	    "\"\",\"CIDR\":\"10.0.32.0/19\",\"reservedIPs\":[\"10.0.32.8\"]}],"
	    "\"topologyLabel\":\"node-role.kubernetes.io/worker\","
	    "\"nodeSelector\":{\"matchLabels\":{" WORKER "}}}", NULL);
	fake_ns(f, "egressipam-azure-test", "egressipam-azure", NULL);
	fake_start(f);
	ck_assert_str_eq(f->last_lb, "same-as-primary-ip");
	ck_assert_ptr_nonnull(fake_annot(f, "egressipam-azure-test"));
	fake_ipam(f, "egressipam-azure", "{\"cidrAssignments\":[{\"labelValue\":"
	    "\"\",\"CIDR\":\"10.0.32.0/19\",\"reservedIPs\":[\"10.0.32.8\"]}],"
	    "\"topologyLabel\":\"node-role.kubernetes.io/worker\","
	    "\"nodeSelector\":{\"matchLabels\":{" WORKER "}}}", "none");
	fake_settle(f);
	ck_assert_str_eq(f->last_lb, "none");
	fake_free(f);
}
END_TEST

/* 12.7: fewer IPs than CIDRs is a prefix, extended; no crash. */
START_TEST(t_12_7_prefix)
{
	struct fake *f = fake_new("OpenShiftSDN", "BareMetal", NULL);
	char ip[32];

	fake_ipam(f, "e", "{\"cidrAssignments\":[{\"labelValue\":\"a\",\"CIDR\":"
	    "\"10.6.0.0/24\"},{\"labelValue\":\"b\",\"CIDR\":\"10.7.0.0/24\"}],"
	    "\"topologyLabel\":\"z\"}", NULL);
	fake_ns(f, "n", "e", "10.6.0.9");
	fake_start(f);
	ck_assert_str_eq(nth_ip(fake_annot(f, "n"), 0, ip, sizeof(ip)),
	    "10.6.0.9");
	ck_assert(in_cidr(nth_ip(fake_annot(f, "n"), 1, ip, sizeof(ip)),
	    "10.7.0.0/24"));
	fake_free(f);
}
END_TEST

/* 12.8: the last free address of a CIDR is handed out. */
START_TEST(t_12_8_last_address)
{
	struct eip_model_config cfg;
	struct fake *f = simple("10.6.0.0/29", lowest(&cfg));
	char ns[8];
	int k;

	for (k = 0; k < 6; k++) {
		snprintf(ns, sizeof(ns), "n%d", k);
		fake_ns(f, ns, "e", NULL);
	}
	fake_start(f);
	for (k = 0; k < 6; k++) {
		snprintf(ns, sizeof(ns), "n%d", k);
		ck_assert_ptr_nonnull(fake_annot(f, ns));
	}
	ck_assert_uint_eq(fake_count_events(f, "CIDRExhausted", NULL), 0);
	fake_free(f);
}
END_TEST

/* 12.9: a CIDR written with host bits never gives its network address. */
START_TEST(t_12_9_host_bits)
{
	struct eip_model_config cfg;
	struct fake *f = fake_new("OpenShiftSDN", "BareMetal", lowest(&cfg));

	fake_ipam(f, "e", ONE_CIDR("10.6.0.2/30"), NULL);
	fake_ns(f, "a", "e", NULL);
	fake_ns(f, "b", "e", NULL);
	fake_ns(f, "c", "e", NULL);
	fake_start(f);
	ck_assert_uint_eq(fake_count_events(f, "CIDRExhausted", NULL), 1);
	ck_assert(fake_annot(f, "a") == NULL || strcmp(fake_annot(f, "a"),
	    "10.6.0.0") != 0);
	ck_assert(fake_annot(f, "b") == NULL || strcmp(fake_annot(f, "b"),
	    "10.6.0.0") != 0);
	ck_assert(fake_annot(f, "c") == NULL || strcmp(fake_annot(f, "c"),
	    "10.6.0.0") != 0);
	fake_free(f);
}
END_TEST

/* 12.10: the cloud's reserved addresses are excluded, errors not ignored. */
START_TEST(t_12_10_cloud_reserved)
{
	struct eip_model_config cfg;
	struct fake *f = fake_new("OpenShiftSDN", "AWS", lowest(&cfg));
	char ns[8];
	int k;

	snprintf(f->subnet, sizeof(f->subnet), "10.0.128.0/28");
	fake_node(f, "w1", "{\"egressGateway\":\"true\"}", "True", "10.0.128.9",
	    -1);
	fake_cloud_node(f, "w1", "10.0.128.9", 30);
	fake_ipam(f, "e", ONE_CIDR("10.0.128.0/28"), NULL);
	for (k = 0; k < 12; k++) {
		snprintf(ns, sizeof(ns), "n%d", k);
		fake_ns(f, ns, "e", NULL);
	}
	fake_start(f);
	/* 16 - network, .1-.3, broadcast, the node's .9: ten addresses. */
	for (k = 0; k < 12; k++) {
		const char *a;

		snprintf(ns, sizeof(ns), "n%d", k);
		a = fake_annot(f, ns);
		if (a == NULL)
			continue;
		ck_assert_str_ne(a, "10.0.128.1");
		ck_assert_str_ne(a, "10.0.128.2");
		ck_assert_str_ne(a, "10.0.128.3");
		ck_assert_str_ne(a, "10.0.128.9");
		ck_assert_str_ne(a, "10.0.128.15");
	}
	ck_assert_uint_eq(fake_count_events(f, "CIDRExhausted", NULL), 2);
	fake_free(f);
}
END_TEST

/* 12.11: a foreign secondary IP on a NIC is left alone. */
START_TEST(t_12_11_foreign_nic_ip)
{
	struct fake *f = fake_new("OpenShiftSDN", "AWS", NULL);
	char *nic;

	snprintf(f->subnet, sizeof(f->subnet), "10.0.0.0/16");
	fake_node(f, "w1", "{\"egressGateway\":\"true\"}", "True", "10.0.1.9",
	    -1);
	fake_cloud_node(f, "w1", "10.0.1.9", 10);
	json_array_append_new(f->cn[0].ips, json_string("10.0.1.77"));
	fake_ipam(f, "e", ONE_CIDR("10.0.128.0/24"), NULL);
	fake_ns(f, "a", "e", NULL);
	fake_start(f);
	nic = fake_nic(f, "w1");
	ck_assert_msg(strstr(nic, "10.0.1.77") != NULL &&
	    strstr(nic, fake_annot(f, "a")) != NULL, "%s", nic);
	free(nic);
	fake_ns_delete(f, "a");
	fake_settle(f);
	nic = fake_nic(f, "w1");
	ck_assert_str_eq(nic, "10.0.1.77");
	free(nic);
	fake_free(f);
}
END_TEST

/* 12.12: a node never gets more than its capacity. */
START_TEST(t_12_12_capacity)
{
	struct fake *f = simple("10.6.0.0/24", NULL);
	char ns[8];
	int k;

	fake_node(f, "g1", GW, "True", "172.16.0.1", 1);
	fake_node(f, "g2", GW, "True", "172.16.0.2", 1);
	for (k = 0; k < 3; k++) {
		snprintf(ns, sizeof(ns), "n%d", k);
		fake_ns(f, ns, "e", NULL);
	}
	fake_start(f);
	ck_assert_uint_eq(json_array_size(json_object_get(fake_get(f,
	    FK_HOSTSUBNET, "g1"), "egress_ips")), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(fake_get(f,
	    FK_HOSTSUBNET, "g2"), "egress_ips")), 1);
	ck_assert_uint_eq(fake_count_events(f, "NoCapacity", NULL), 1);
	fake_free(f);
}
END_TEST

/* 12.13: a node without a HostSubnet does not stop the others. */
START_TEST(t_12_13_no_hostsubnet)
{
	struct fake *f = simple("10.6.0.0/24", NULL);

	fake_node(f, "g1", GW, "True", "172.16.0.1", 5);	/* explicit */
	fake_node(f, "fresh", GW, "True", "172.16.0.5", 5);
	fake_remove(f, FK_HOSTSUBNET, "fresh");
	fake_ns(f, "a", "e", NULL);
	fake_start(f);
	ck_assert_ptr_nonnull(fake_annot(f, "a"));
	ck_assert_str_eq(fake_cond(f, "e", "Ready", NULL, NULL), "True");
	fake_free(f);
}
END_TEST

/* 12.14: a NetNamespace not created yet is waited for, not an error. */
START_TEST(t_12_14_netnamespace_later)
{
	struct fake *f = converged(0);

	fake_ns(f, "a", "e", NULL);
	fake_remove(f, FK_NETNAMESPACE, "a");
	fake_settle(f);
	ck_assert_ptr_nonnull(fake_annot(f, "a"));
	ck_assert_str_eq(fake_cond(f, "e", "ReconcileError", NULL, NULL),
	    "False");
	ck_assert_uint_eq(fake_count_events(f, "ProcessingError", NULL), 0);
	fake_put(f, FK_NETNAMESPACE, json_pack("{s:s, s:[]}", "name", "a",
	    "egress_ips"));
	fake_settle(f);
	assert_list(f, FK_NETNAMESPACE, "a", "egress_ips", fake_annot(f, "a"));
	fake_free(f);
}
END_TEST

/* 12.15: duplicate labelValues are reported, not silently starved. */
START_TEST(t_12_15_duplicate_label)
{
	struct fake *f = fake_new("OpenShiftSDN", "BareMetal", NULL);
	const char *msg;

	fake_ipam(f, "e", "{\"cidrAssignments\":[{\"labelValue\":\"a\",\"CIDR\":"
	    "\"10.6.0.0/24\"},{\"labelValue\":\"a\",\"CIDR\":\"10.7.0.0/24\"}],"
	    "\"topologyLabel\":\"z\"}", NULL);
	fake_start(f);
	ck_assert_str_eq(fake_cond(f, "e", "ReconcileError", NULL, &msg), "True");
	ck_assert_msg(strstr(msg, "labelValue \"a\" is also used") != NULL, "%s",
	    msg);
	fake_free(f);
}
END_TEST

/* 12.18: overlapping CIDRs of two IPAMs never give an address twice. */
START_TEST(t_12_18_overlap)
{
	struct eip_model_config cfg;
	struct fake *f = fake_new("OpenShiftSDN", "BareMetal", lowest(&cfg));

	fake_ipam(f, "a", "{\"cidrAssignments\":[{\"labelValue\":\"a\",\"CIDR\":"
	    "\"10.6.0.0/29\"}],\"topologyLabel\":\"z\"}", NULL);
	fake_ipam(f, "b", "{\"cidrAssignments\":[{\"labelValue\":\"b\",\"CIDR\":"
	    "\"10.6.0.0/30\"}],\"topologyLabel\":\"z\"}", NULL);
	fake_ns(f, "x", "a", NULL);
	fake_ns(f, "y", "b", NULL);
	fake_start(f);
	ck_assert_ptr_nonnull(fake_annot(f, "x"));
	ck_assert_ptr_nonnull(fake_annot(f, "y"));
	ck_assert_str_ne(fake_annot(f, "x"), fake_annot(f, "y"));
	ck_assert_str_eq(fake_cond(f, "a", "ReconcileError", NULL, NULL), "True");
	ck_assert_str_eq(fake_cond(f, "b", "ReconcileError", NULL, NULL), "True");
	fake_free(f);
}
END_TEST

/* 12.19: GCP is bare metal: no cloud calls, no credentials needed. */
START_TEST(t_12_19_gcp)
{
	struct fake *f = fake_new("OpenShiftSDN", "GCP", NULL);

	fake_node(f, "g1", GW, "True", "172.16.0.1", -1);
	fake_ipam(f, "e", ONE_CIDR("10.6.0.0/24"), NULL);
	fake_ns(f, "a", "e", NULL);
	fake_start(f);
	ck_assert_ptr_nonnull(fake_annot(f, "a"));
	ck_assert_uint_eq(f->discovers, 0);
	ck_assert_uint_eq(f->ensures, 0);
	ck_assert_uint_eq(fake_count_out(f, EIP_MSG_W_CREDREQ), 0);
	assert_list(f, FK_HOSTSUBNET, "g1", "egress_cidrs", "10.6.0.0/24");
	fake_free(f);
}
END_TEST

/* 12.20: capacity is never reported as 0 or 4294967295 by default. */
START_TEST(t_12_20_capacity_metric)
{
	struct fake *f = converged(2);
	json_t *g = model_gauges(f->m), *nodes, *n;
	size_t i;

	nodes = json_object_get(json_array_get(json_object_get(json_object_get(g,
	    "data"), "ipams"), 0), "nodes");
	ck_assert_uint_eq(json_array_size(nodes), 2);
	json_array_foreach(nodes, i, n) {
		ck_assert_int_eq(json_integer_value(json_object_get(n,
		    "capacity")), -1);
		ck_assert_ptr_nonnull(json_string_value(json_object_get(n, "node")));
	}
	json_decref(g);
	fake_free(f);
}
END_TEST

/* 12.21: a node leaving the selection loses our egressCIDRs. */
START_TEST(t_12_21_left_selection)
{
	struct fake *f = converged(1);

	assert_list(f, FK_HOSTSUBNET, "g2", "egress_cidrs", "10.6.0.0/24");
	fake_node(f, "g2", "{\"egressGateway\":\"no\"}", "True", "172.16.0.2", -1);
	fake_settle(f);
	assert_list(f, FK_HOSTSUBNET, "g2", "egress_cidrs", "");
	fake_free(f);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("alloc_regress");
	TCase *tc = tcase_create("upstream12");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, t_12_1_work_per_event);
	tcase_add_test(tc, t_12_3_label_change);
	tcase_add_test(tc, t_12_4_hostsubnet_event);
	tcase_add_test(tc, t_12_5_value_changes);
	tcase_add_test(tc, t_12_6_azure_lb);
	tcase_add_test(tc, t_12_7_prefix);
	tcase_add_test(tc, t_12_8_last_address);
	tcase_add_test(tc, t_12_9_host_bits);
	tcase_add_test(tc, t_12_10_cloud_reserved);
	tcase_add_test(tc, t_12_11_foreign_nic_ip);
	tcase_add_test(tc, t_12_12_capacity);
	tcase_add_test(tc, t_12_13_no_hostsubnet);
	tcase_add_test(tc, t_12_14_netnamespace_later);
	tcase_add_test(tc, t_12_15_duplicate_label);
	tcase_add_test(tc, t_12_18_overlap);
	tcase_add_test(tc, t_12_19_gcp);
	tcase_add_test(tc, t_12_20_capacity_metric);
	tcase_add_test(tc, t_12_21_left_selection);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return eip_run_suite(suite());
}
