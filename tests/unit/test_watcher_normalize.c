/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watcher/normalize.c with real-looking API objects (tests/watcher/
 * fixtures and inline), including malformed ones: every result validates
 * against the protocol schema, errors are explicit, nothing crashes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eip_proto.h"
#include "normalize.h"
#include "testutil.h"

static json_t *
fixture(const char *name)
{
	char p[512];
	const char *src = getenv("top_srcdir");
	json_error_t je;
	json_t *j;

	snprintf(p, sizeof(p), "%s/tests/watcher/fixtures/%s",
	    src ? src : ".", name);
	j = json_load_file(p, 0, &je);
	ck_assert_msg(j != NULL, "%s: %s", p, je.text);
	return j;
}

/* Normalizes, checks the schema, and returns the body. */
static json_t *
norm(enum wkind k, json_t *obj)
{
	char err[256], why[256];
	json_t *b = normalize_object(k, obj, err, sizeof(err));

	ck_assert_msg(b != NULL, "%s", err);
	ck_assert_msg(eip_validate(b, eip_msg_schema(wkind_info(k)->msg), why,
	    sizeof(why)) == 0, "%s", why);
	json_decref(obj);
	return b;
}

static json_t *
norm_str(enum wkind k, const char *text)
{
	json_error_t je;
	json_t *o = json_loads(text, 0, &je);

	ck_assert_msg(o != NULL, "%s", je.text);
	return norm(k, o);
}

static const char *
s(const json_t *b, const char *k)
{
	return json_string_value(json_object_get(b, k));
}

static void
has_error(const json_t *b, const char *part)
{
	const char *e = s(b, "error");

	ck_assert_msg(e != NULL && strstr(e, part) != NULL, "error '%s' lacks "
	    "'%s'", e ? e : "(none)", part);
}

START_TEST(t_namespace)
{
	json_t *b;

	b = norm_str(WK_NAMESPACE, "{\"metadata\":{\"name\":\"team-a\","
	    "\"uid\":\"u1\",\"resourceVersion\":\"12\",\"annotations\":{"
	    "\"egressip-ipam-operator.redhat-cop.io/egressipam\":\"ipam1\","
	    "\"egressip-ipam-operator.redhat-cop.io/egressips\":"
	    "\"10.0.0.1, bogus\"}}}");
	ck_assert_str_eq(s(b, "egressipam"), "ipam1");
	/* Raw: the allocator judges it. */
	ck_assert_str_eq(s(b, "egressips"), "10.0.0.1, bogus");
	ck_assert_str_eq(s(b, "rv"), "12");
	ck_assert_ptr_null(json_object_get(b, "error"));
	ck_assert_ptr_null(json_object_get(b, "deleting"));
	json_decref(b);
	b = norm_str(WK_NAMESPACE, "{\"metadata\":{\"name\":\"plain\","
	    "\"resourceVersion\":\"3\",\"deletionTimestamp\":\"2026-01-01T00:00:00Z\"}}");
	ck_assert(json_is_null(json_object_get(b, "egressipam")));
	ck_assert(json_is_null(json_object_get(b, "egressips")));
	ck_assert(json_is_true(json_object_get(b, "deleting")));
	json_decref(b);
	b = norm_str(WK_NAMESPACE, "{\"metadata\":{\"name\":\"x\","
	    "\"resourceVersion\":\"3\",\"annotations\":[1]}}");
	has_error(b, "metadata.annotations: not an object");
	json_decref(b);
	b = norm_str(WK_NAMESPACE, "{\"metadata\":{\"name\":\"x\","
	    "\"resourceVersion\":\"3\",\"annotations\":{"
	    "\"egressip-ipam-operator.redhat-cop.io/egressipam\":7}}}");
	has_error(b, "egressipam: not a string");
	json_decref(b);
}
END_TEST

START_TEST(t_node_aws)
{
	json_t *b = norm(WK_NODE, fixture("node-aws.json")), *ic;

	ck_assert_str_eq(s(b, "ready"), "True");
	ck_assert_str_eq(s(b, "internal_ip"), "10.0.140.3");
	ck_assert_str_eq(s(b, "provider_id"),
	    "aws:///eu-central-1a/i-0abc123def4567890");
	ck_assert_int_eq(json_integer_value(json_object_get(b, "capacity")), 5);
	ck_assert_str_eq(s(b, "assignable_by"), "egressipam-aws");
	ck_assert_str_eq(s(b, "machine"),
	    "openshift-machine-api/ci-worker-a-x7k2p");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(b,
	    "labels"), "topology.kubernetes.io/zone")), "eu-central-1a");
	ck_assert_int_eq(json_object_size(json_object_get(b, "labels")), 4);
	ic = json_array_get(json_object_get(b, "egress_ipconfig"), 0);
	ck_assert_str_eq(s(ic, "interface"), "eni-0a1b2c3d4e5f");
	ck_assert_str_eq(s(ic, "ifaddr_v4"), "10.0.128.0/18");
	ck_assert_int_eq(json_integer_value(json_object_get(ic, "capacity_v4")),
	    14);
	ck_assert_int_eq(json_integer_value(json_object_get(ic, "capacity_v6")),
	    15);
	/* The first InternalIP did not parse, but a later one did: no error. */
	ck_assert_ptr_null(json_object_get(b, "error"));
	json_decref(b);
}
END_TEST

START_TEST(t_node_bad)
{
	json_t *b = norm(WK_NODE, fixture("node-bad.json"));

	ck_assert_str_eq(s(b, "ready"), "Unknown");
	ck_assert_ptr_null(json_object_get(b, "capacity"));
	ck_assert_ptr_null(json_object_get(b, "egress_ipconfig"));
	ck_assert_ptr_null(json_object_get(b, "internal_ip"));
	has_error(b, "annotation egressip-ipam-operator.redhat-cop.io/capacity:"
	    " '-3' is not a non-negative integer");
	has_error(b, "cloud.network.openshift.io/egress-ipconfig: a capacity");
	has_error(b, "no InternalIP parses");
	json_decref(b);
	b = norm_str(WK_NODE, "{\"metadata\":{\"name\":\"az\","
	    "\"resourceVersion\":\"1\",\"annotations\":{"
	    "\"cloud.network.openshift.io/egress-ipconfig\":"
	    "\"[{\\\"interface\\\":\\\"n1\\\",\\\"ifaddr\\\":{\\\"ipv4\\\":"
	    "\\\"10.1.0.0/24\\\"},\\\"capacity\\\":{\\\"ip\\\":255}}]\","
	    "\"egressip-ipam-operator.redhat-cop.io/capacity\":\"12x\"}},"
	    "\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":"
	    "\"False\"}]}}");
	ck_assert_str_eq(s(b, "ready"), "False");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
	    json_object_get(b, "egress_ipconfig"), 0), "capacity_ip")), 255);
	has_error(b, "'12x' is not a non-negative integer");
	json_decref(b);
	b = norm_str(WK_NODE, "{\"metadata\":{\"name\":\"n\","
	    "\"resourceVersion\":\"1\",\"labels\":{\"a\":1},\"annotations\":{"
	    "\"cloud.network.openshift.io/egress-ipconfig\":\"{nope\"}},"
	    "\"status\":{\"conditions\":{\"type\":\"Ready\"},\"addresses\":7}}");
	has_error(b, "metadata.labels.a: not a string");
	has_error(b, "egress-ipconfig: not JSON");
	has_error(b, "status.conditions: not an array");
	has_error(b, "status.addresses: not an array");
	ck_assert_int_eq(json_object_size(json_object_get(b, "labels")), 0);
	json_decref(b);
}
END_TEST

START_TEST(t_egressipam)
{
	json_t *b = norm(WK_EGRESSIPAM, fixture("egressipam.json")), *ca;
	char *d;

	ck_assert_int_eq(json_integer_value(json_object_get(b, "generation")), 3);
	ck_assert_str_eq(s(b, "azure_lb"), "none");
	ck_assert_ptr_null(json_object_get(b, "error"));
	ca = json_object_get(json_object_get(b, "spec"), "cidrAssignments");
	ck_assert_int_eq(json_array_size(ca), 2);
	d = json_dumps(json_object_get(b, "spec"), JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(d, "{\"cidrAssignments\":[{\"CIDR\":\"10.0.128.0/20\","
	    "\"labelValue\":\"eu-central-1a\",\"reservedIPs\":[\"10.0.128.5\"]},"
	    "{\"CIDR\":\"10.0.144.0/20\",\"labelValue\":\"eu-central-1b\"}],"
	    "\"nodeSelector\":{\"matchExpressions\":[{\"key\":\"egress\","
	    "\"operator\":\"In\",\"values\":[\"yes\"]}],\"matchLabels\":{"
	    "\"node-role.kubernetes.io/worker\":\"\"}},\"topologyLabel\":"
	    "\"topology.kubernetes.io/zone\"}");
	free(d);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(b,
	    "status"), "namespaces")), 2);
	ck_assert_int_eq(json_array_size(json_object_get(json_object_get(b,
	    "status"), "cidrs")), 1);
	json_decref(b);
	b = norm(WK_EGRESSIPAM, fixture("egressipam-bad.json"));
	has_error(b, "spec.cidrAssignments: not an array");
	has_error(b, "spec.nodeSelector.matchExpressions[0].key: missing");
	has_error(b, "status: not an object");
	ck_assert(json_is_true(json_object_get(b, "deleting")));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(b,
	    "finalizers"), 0)), "EgressIPAM_controller");
	ck_assert_str_eq(s(json_object_get(b, "spec"), "topologyLabel"), "zone");
	ck_assert_ptr_null(json_object_get(json_object_get(b, "spec"),
	    "cidrAssignments"));
	json_decref(b);
	/* One bad assignment drops the list (positions matter), not the rest. */
	b = norm_str(WK_EGRESSIPAM, "{\"metadata\":{\"name\":\"i\","
	    "\"resourceVersion\":\"1\",\"generation\":\"x\"},\"spec\":{"
	    "\"cidrAssignments\":[{\"CIDR\":\"10.0.0.0/24\",\"labelValue\":\"a\"},"
	    "{\"CIDR\":5,\"labelValue\":\"b\"}],\"topologyLabel\":\"z\"}}");
	has_error(b, "spec.cidrAssignments[1].CIDR");
	has_error(b, "metadata.generation");
	ck_assert_ptr_null(json_object_get(json_object_get(b, "spec"),
	    "cidrAssignments"));
	ck_assert_str_eq(s(json_object_get(b, "spec"), "topologyLabel"), "z");
	json_decref(b);
}
END_TEST

START_TEST(t_sdn_ovn)
{
	json_t *b;

	b = norm_str(WK_HOSTSUBNET, "{\"kind\":\"HostSubnet\",\"metadata\":{"
	    "\"name\":\"worker-1\",\"uid\":\"h1\",\"resourceVersion\":\"9\"},"
	    "\"host\":\"worker-1\",\"hostIP\":\"10.0.0.11\",\"subnet\":"
	    "\"10.128.2.0/23\",\"egressIPs\":[\"10.0.0.100\"],"
	    "\"egressCIDRs\":[\"10.0.0.0/24\"]}");
	ck_assert_str_eq(s(b, "host_ip"), "10.0.0.11");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(b,
	    "egress_cidrs"), 0)), "10.0.0.0/24");
	json_decref(b);
	b = norm_str(WK_NETNAMESPACE, "{\"metadata\":{\"name\":\"team-a\","
	    "\"resourceVersion\":\"9\"},\"netname\":\"team-a\",\"netid\":"
	    "4294967295,\"egressIPs\":[\"10.0.0.100\",7]}");
	ck_assert_int_eq(json_integer_value(json_object_get(b, "netid")),
	    4294967295LL);
	ck_assert_ptr_null(json_object_get(b, "egress_ips"));
	has_error(b, "egressIPs[1]: not a string");
	json_decref(b);
	b = norm_str(WK_EGRESSIP, "{\"apiVersion\":\"k8s.ovn.org/v1\","
	    "\"kind\":\"EgressIP\",\"metadata\":{\"name\":\"eipam-team-a\","
	    "\"uid\":\"e1\",\"resourceVersion\":\"44\",\"labels\":{"
	    "\"egressip-ipam-operator.redhat-cop.io/egressipam\":\"ipam1\"},"
	    "\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"Namespace\","
	    "\"name\":\"team-a\",\"uid\":\"ns-uid-1\"}]},\"spec\":{\"egressIPs\":"
	    "[\"10.0.0.100\"],\"namespaceSelector\":{\"matchLabels\":{"
	    "\"kubernetes.io/metadata.name\":\"team-a\"}}},\"status\":{\"items\":"
	    "[{\"node\":\"worker-1\",\"egressIP\":\"10.0.0.100\"}]}}");
	ck_assert_str_eq(s(b, "owner_uid"), "ns-uid-1");
	ck_assert_str_eq(s(json_array_get(json_object_get(b, "status"), 0),
	    "node"), "worker-1");
	ck_assert_str_eq(s(json_object_get(b, "namespace_selector"),
	    "kubernetes.io/metadata.name"), "team-a");
	ck_assert_ptr_null(json_object_get(b, "error"));
	json_decref(b);
	b = norm_str(WK_EGRESSIP, "{\"metadata\":{\"name\":\"e\","
	    "\"resourceVersion\":\"4\"},\"status\":{\"items\":[{\"node\":1}]}}");
	has_error(b, "status.items[0].node");
	json_decref(b);
}
END_TEST

START_TEST(t_cluster_config)
{
	json_t *b;

	b = norm_str(WK_INFRASTRUCTURE, "{\"metadata\":{\"name\":\"cluster\","
	    "\"resourceVersion\":\"5\"},\"status\":{\"infrastructureName\":"
	    "\"ci-x7k2p\",\"platform\":\"Azure\",\"platformStatus\":{\"type\":"
	    "\"Azure\",\"azure\":{\"resourceGroupName\":\"ci-rg\","
	    "\"networkResourceGroupName\":\"ci-net-rg\",\"cloudName\":"
	    "\"AzurePublicCloud\"}}}}");
	ck_assert_str_eq(s(b, "platform"), "Azure");
	ck_assert_str_eq(s(b, "azure_rg"), "ci-rg");
	ck_assert_str_eq(s(b, "azure_network_rg"), "ci-net-rg");
	ck_assert_str_eq(s(b, "azure_cloud"), "AzurePublicCloud");
	ck_assert_str_eq(s(b, "infra_name"), "ci-x7k2p");
	json_decref(b);
	b = norm_str(WK_INFRASTRUCTURE, "{\"metadata\":{\"name\":\"cluster\","
	    "\"resourceVersion\":\"5\"},\"status\":{\"platform\":\"AWS\"}}");
	ck_assert_str_eq(s(b, "platform"), "AWS");
	json_decref(b);
	b = norm_str(WK_INFRASTRUCTURE, "{\"metadata\":{\"name\":\"cluster\","
	    "\"resourceVersion\":\"5\"}}");
	ck_assert_str_eq(s(b, "platform"), "None");
	ck_assert_ptr_null(json_object_get(b, "error"));
	json_decref(b);
	b = norm_str(WK_INFRASTRUCTURE, "{\"metadata\":{\"name\":\"cluster\","
	    "\"resourceVersion\":\"5\"},\"status\":{\"platformStatus\":{"
	    "\"type\":\"AWS\",\"aws\":{\"region\":\"eu-central-1\"}}}}");
	ck_assert_str_eq(s(b, "aws_region"), "eu-central-1");
	json_decref(b);
	b = norm_str(WK_NETWORK, "{\"metadata\":{\"name\":\"cluster\","
	    "\"resourceVersion\":\"5\"},\"status\":{\"networkType\":"
	    "\"OVNKubernetes\"}}");
	ck_assert_str_eq(s(b, "network_type"), "OVNKubernetes");
	json_decref(b);
	b = norm_str(WK_NETWORK, "{\"metadata\":{\"name\":\"cluster\","
	    "\"resourceVersion\":\"5\"},\"status\":{}}");
	ck_assert_str_eq(s(b, "network_type"), "");
	has_error(b, "status.networkType: missing");
	json_decref(b);
}
END_TEST

START_TEST(t_unnamed_and_garbage)
{
	static const char *const bad[] = {
		"[]", "{}", "{\"metadata\":5}", "{\"metadata\":{}}",
		"{\"metadata\":{\"name\":\"\",\"resourceVersion\":\"1\"}}",
		"{\"metadata\":{\"name\":\"a\"}}",
		"{\"metadata\":{\"name\":7,\"resourceVersion\":\"1\"}}",
	};
	char err[256];
	json_t *o, *b;
	size_t i;
	int k;
	char big[3000];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (k = 0; k < WK_MAX; k++) {
			o = json_loads(bad[i], 0, NULL);
			err[0] = '\0';
			b = normalize_object((enum wkind)k, o, err, sizeof(err));
			ck_assert_msg(b == NULL, "accepted %s", bad[i]);
			ck_assert(err[0] != '\0');
			json_decref(o);
		}
	/* Oversized and mistyped everything: still a valid body. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (k = 0; k < WK_MAX; k++) {
		o = json_pack("{s:{s:s,s:s,s:s,s:{s:s},s:{s:s,s:s}},s:{s:s},s:i,"
		    "s:[s],s:{s:s}}",
		    "metadata", "name", "n", "resourceVersion", "1", "uid", big,
		    "labels", "k", big, "annotations",
		    "egressip-ipam-operator.redhat-cop.io/egressips", big,
		    "machine.openshift.io/machine", big,
		    "spec", "providerID", big, "netid", -4,
		    "egressIPs", big, "status", "networkType", big);
		b = norm((enum wkind)k, o);
		ck_assert_msg(json_object_get(b, "error") != NULL, "kind %d", k);
		json_decref(b);
	}
}
END_TEST

START_TEST(t_kinds)
{
	char p[128];
	enum wkind k;

	wkind_path(WK_NAMESPACE, p, sizeof(p));
	ck_assert_str_eq(p, "/api/v1/namespaces");
	wkind_path(WK_EGRESSIPAM, p, sizeof(p));
	ck_assert_str_eq(p, "/apis/redhatcop.redhat.io/v1alpha1/egressipams");
	wkind_path(WK_NETWORK, p, sizeof(p));
	ck_assert_str_eq(p, "/apis/config.openshift.io/v1/networks");
	ck_assert_int_eq(wkind_parse("EgressIP", &k), 0);
	ck_assert_int_eq(k, WK_EGRESSIP);
	ck_assert_int_eq(wkind_parse("Pod", &k), -1);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("normalize");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_namespace);
	tcase_add_test(tc, t_node_aws);
	tcase_add_test(tc, t_node_bad);
	tcase_add_test(tc, t_egressipam);
	tcase_add_test(tc, t_sdn_ovn);
	tcase_add_test(tc, t_cluster_config);
	tcase_add_test(tc, t_unnamed_and_garbage);
	tcase_add_test(tc, t_kinds);
	suite_add_tcase(su, tc);
	return eip_run_suite(su);
}
