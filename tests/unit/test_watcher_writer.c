/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pure parts of the watcher's writes: the request built for each
 * W_* message (method, path, content type, body), Events and their
 * aggregation cache, the CredentialsRequest, MicroTime, and the
 * resourceVersion comparison the informers rely on.
 */
#include <check.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "eip_proto.h"
#include "events.h"
#include "informer.h"
#include "writer.h"
#include "testutil.h"

static char *
build(uint16_t type, const char *msg, struct wreq *r)
{
	char err[128], why[256];
	json_t *m = json_loads(msg, 0, NULL);
	char *s;

	ck_assert_msg(m != NULL, "bad test JSON %s", msg);
	ck_assert_msg(eip_validate(m, eip_msg_schema(type), why, sizeof(why))
	    == 0, "%s", why);
	ck_assert_msg(writer_build(type, m, r, err, sizeof(err)) == 0, "%s",
	    err);
	s = r->body ? json_dumps(r->body, JSON_COMPACT | JSON_SORT_KEYS) :
	    strdup("");
	json_decref(r->body);
	json_decref(m);
	return s;
}

struct bcase {
	uint16_t	 type;
	const char	*msg;
	const char	*method;
	const char	*path;
	const char	*body;
};

static const struct bcase cases[] = {
	{ EIP_MSG_W_NS_EGRESSIPS,
	  "{\"name\":\"team-a\",\"rv\":\"12\",\"egressips\":\"10.0.0.1,10.1.0.1\"}",
	  "PATCH", "/api/v1/namespaces/team-a",
	  "{\"metadata\":{\"annotations\":{\"egressip-ipam-operator.redhat-cop.io/"
	  "egressips\":\"10.0.0.1,10.1.0.1\"},\"resourceVersion\":\"12\"}}" },
	{ EIP_MSG_W_NS_EGRESSIPS, "{\"name\":\"team-a\",\"egressips\":null}",
	  "PATCH", "/api/v1/namespaces/team-a",
	  "{\"metadata\":{\"annotations\":{\"egressip-ipam-operator.redhat-cop.io/"
	  "egressips\":null}}}" },
	{ EIP_MSG_W_NETNAMESPACE,
	  "{\"name\":\"team-a\",\"rv\":\"5\",\"egress_ips\":[\"10.0.0.1\"]}",
	  "PATCH", "/apis/network.openshift.io/v1/netnamespaces/team-a",
	  "{\"egressIPs\":[\"10.0.0.1\"],\"metadata\":{\"resourceVersion\":\"5\"}}" },
	{ EIP_MSG_W_HOSTSUBNET, "{\"name\":\"w1\",\"egress_ips\":[],"
	  "\"egress_cidrs\":[\"10.0.0.0/24\"]}",
	  "PATCH", "/apis/network.openshift.io/v1/hostsubnets/w1",
	  "{\"egressCIDRs\":[\"10.0.0.0/24\"],\"egressIPs\":[]}" },
	{ EIP_MSG_W_EGRESSIP, "{\"name\":\"eipam-a\",\"namespace\":\"a\","
	  "\"namespace_uid\":\"u1\",\"ipam\":\"i1\",\"egress_ips\":[\"10.0.0.1\"]}",
	  "POST", "/apis/k8s.ovn.org/v1/egressips",
	  "{\"apiVersion\":\"k8s.ovn.org/v1\",\"kind\":\"EgressIP\",\"metadata\":"
	  "{\"labels\":{\"egressip-ipam-operator.redhat-cop.io/egressipam\":"
	  "\"i1\"},\"name\":\"eipam-a\",\"ownerReferences\":[{\"apiVersion\":"
	  "\"v1\",\"kind\":\"Namespace\",\"name\":\"a\",\"uid\":\"u1\"}]},"
	  "\"spec\":{\"egressIPs\":[\"10.0.0.1\"],\"namespaceSelector\":"
	  "{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"a\"}}}}" },
	{ EIP_MSG_W_EGRESSIP, "{\"name\":\"eipam-a\",\"rv\":\"9\",\"namespace\":"
	  "\"a\",\"namespace_uid\":\"u1\",\"ipam\":\"i1\",\"egress_ips\":[]}",
	  "PATCH", "/apis/k8s.ovn.org/v1/egressips/eipam-a",
	  "{\"metadata\":{\"resourceVersion\":\"9\"},\"spec\":{\"egressIPs\":[]}}" },
	{ EIP_MSG_W_EGRESSIP_DELETE, "{\"name\":\"eipam-a\",\"uid\":\"u9\"}",
	  "DELETE", "/apis/k8s.ovn.org/v1/egressips/eipam-a",
	  "{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\",\"preconditions\":"
	  "{\"uid\":\"u9\"}}" },
	{ EIP_MSG_W_EGRESSIP_DELETE, "{\"name\":\"eipam-a\"}",
	  "DELETE", "/apis/k8s.ovn.org/v1/egressips/eipam-a", "" },
	{ EIP_MSG_W_NODE_ASSIGNABLE, "{\"name\":\"w1\",\"assignable\":true,"
	  "\"ipam\":\"i1\"}", "PATCH", "/api/v1/nodes/w1",
	  "{\"metadata\":{\"annotations\":{\"egressip-ipam-operator.redhat-cop.io/"
	  "egress-assignable-by\":\"i1\"},\"labels\":{\"k8s.ovn.org/"
	  "egress-assignable\":\"\"}}}" },
	{ EIP_MSG_W_NODE_ASSIGNABLE, "{\"name\":\"w1\",\"rv\":\"3\","
	  "\"assignable\":false,\"ipam\":\"i1\"}", "PATCH", "/api/v1/nodes/w1",
	  "{\"metadata\":{\"annotations\":{\"egressip-ipam-operator.redhat-cop.io/"
	  "egress-assignable-by\":null},\"labels\":{\"k8s.ovn.org/"
	  "egress-assignable\":null},\"resourceVersion\":\"3\"}}" },
	{ EIP_MSG_W_IPAM_FINALIZERS, "{\"name\":\"i1\",\"rv\":\"4\","
	  "\"finalizers\":[]}", "PATCH",
	  "/apis/redhatcop.redhat.io/v1alpha1/egressipams/i1",
	  "{\"metadata\":{\"finalizers\":[],\"resourceVersion\":\"4\"}}" },
	{ EIP_MSG_W_IPAM_STATUS, "{\"name\":\"i1\",\"status\":{\"namespaces\":"
	  "2}}", "PATCH",
	  "/apis/redhatcop.redhat.io/v1alpha1/egressipams/i1/status",
	  "{\"status\":{\"namespaces\":2}}" },
};

START_TEST(t_build)
{
	struct wreq r;
	size_t i;
	char *b;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b = build(cases[i].type, cases[i].msg, &r);
		ck_assert_str_eq(r.method, cases[i].method);
		ck_assert_str_eq(r.path, cases[i].path);
		ck_assert_msg(strcmp(b, cases[i].body) == 0, "case %zu: %s", i,
		    b);
		if (strcmp(r.method, "PATCH") == 0)
			ck_assert_str_eq(r.ctype, "application/merge-patch+json");
		free(b);
	}
}
END_TEST

START_TEST(t_build_refused)
{
	struct wreq r;
	char err[128];
	json_t *m;

	/* A name that would escape the path is refused, not sent. */
	m = json_pack("{s:s,s:n}", "name", "../secrets", "egressips");
	ck_assert_int_eq(writer_build(EIP_MSG_W_NS_EGRESSIPS, m, &r, err,
	    sizeof(err)), -1);
	json_decref(m);
	m = json_pack("{s:s}", "name", "a");
	ck_assert_int_eq(writer_build(EIP_MSG_W_EVENT, m, &r, err,
	    sizeof(err)), -1);
	json_decref(m);
}
END_TEST

START_TEST(t_event_and_cache)
{
	json_t *msg = json_loads("{\"involved\":{\"kind\":\"Namespace\","
	    "\"name\":\"team-a\",\"uid\":\"u1\",\"rv\":\"7\"},\"type\":"
	    "\"Warning\",\"reason\":\"CIDRExhausted\",\"message\":\"full\"}", 0,
	    NULL);
	struct evcache *c = evcache_new(2);
	char key[512], name[300], now[40];
	json_t *ev;
	long count;
	char *s;

	kube_time(now, sizeof(now), 0);
	ev = event_object(msg, "team-a.abc", NULL, "h", "inst", now);
	s = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_msg(strstr(s, "\"involvedObject\":{\"apiVersion\":\"v1\","
	    "\"kind\":\"Namespace\",\"name\":\"team-a\",\"resourceVersion\":"
	    "\"7\",\"uid\":\"u1\"}") != NULL, "%s", s);
	ck_assert(strstr(s, "\"namespace\":\"default\"") != NULL);
	ck_assert(strstr(s, "\"component\":\"Namespace_controller\"") != NULL);
	ck_assert(strstr(s, "\"count\":1") != NULL);
	free(s);
	json_decref(ev);
	event_key(msg, key, sizeof(key));
	ck_assert_str_eq(key, "Namespace/team-a/Warning/CIDRExhausted/full");
	ck_assert_int_eq(evcache_lookup(c, key, 1000, name, sizeof(name),
	    &count), 0);
	evcache_store(c, key, "team-a.abc", 1, 1000);
	ck_assert_int_eq(evcache_lookup(c, key, 1000 + 599999, name,
	    sizeof(name), &count), 1);
	ck_assert_str_eq(name, "team-a.abc");
	ck_assert_int_eq(count, 1);
	/* Ten minutes later it is a new Event. */
	ck_assert_int_eq(evcache_lookup(c, key, 1000 + 600001, name,
	    sizeof(name), &count), 0);
	/* Bounded: a full cache drops what aged out, then everything. */
	evcache_store(c, "a", "n", 1, 0);
	evcache_store(c, "b", "n", 1, 1);
	evcache_store(c, "c", "n", 1, 2);
	ck_assert_uint_le(json_object_size(c->map), 2);
	evcache_free(c);
	json_decref(msg);
	event_name("team-a", name, sizeof(name));
	ck_assert(strncmp(name, "team-a.", 7) == 0 && strlen(name) > 20);
}
END_TEST

START_TEST(t_credreq_and_time)
{
	json_t *cr = credreq_object("AWS", "eipam");
	regex_t re;
	char now[40], *s;

	s = json_dumps(cr, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_msg(strstr(s, "\"secretRef\":{\"name\":"
	    "\"egress-ipam-operator-cloud-credentials\",\"namespace\":"
	    "\"eipam\"}") != NULL, "%s", s);
	ck_assert(strstr(s, "\"ec2:AssignPrivateIpAddresses\"") != NULL);
	ck_assert(strstr(s, "\"kind\":\"AWSProviderSpec\"") != NULL);
	ck_assert(strstr(s, "\"namespace\":\"openshift-cloud-credential-"
	    "operator\"") != NULL);
	free(s);
	json_decref(cr);
	cr = credreq_object("Azure", "eipam");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(cr, "spec"), "providerSpec"), "kind")),
	    "AzureProviderSpec");
	json_decref(cr);
	ck_assert_ptr_null(credreq_object("GCP", "eipam"));
	kube_time(now, sizeof(now), 1);
	ck_assert_int_eq(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:"
	    "[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$", REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_msg(regexec(&re, now, 0, NULL, 0) == 0, "%s", now);
	regfree(&re);
}
END_TEST

START_TEST(t_rv_compare)
{
	ck_assert_int_eq(rv_compare("10", "10"), 0);
	ck_assert_int_eq(rv_compare("10", "9"), 1);
	ck_assert_int_eq(rv_compare("9", "10"), -1);
	ck_assert_int_eq(rv_compare("abc", "10"), 2);
	ck_assert_int_eq(rv_compare("", "10"), 2);
	ck_assert_int_eq(rv_compare("99999999999999999999999", "1"), 2);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("writer");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_build);
	tcase_add_test(tc, t_build_refused);
	tcase_add_test(tc, t_event_and_cache);
	tcase_add_test(tc, t_credreq_and_time);
	tcase_add_test(tc, t_rv_compare);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
