/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The allocator's model against a fake cluster: SPEC 2-5 rule by rule.
 * Each test states the rule it shows.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_fake.h"
#include "ipaddr.h"
#include "model_int.h"
#include "testutil.h"

#define WORKER	"\"node-role.kubernetes.io/worker\":\"\""
#define BM_SPEC	"{\"cidrAssignments\":[{\"labelValue\":\"true\",\"CIDR\":" \
	"\"192.169.0.0/24\",\"reservedIPs\":[\"192.159.0.5\"]}],\"topologyLabel\":" \
	"\"egressGateway\",\"nodeSelector\":{\"matchLabels\":{" WORKER "}}}"
#define Z3_SPEC "{\"cidrAssignments\":[" \
	"{\"labelValue\":\"a\",\"CIDR\":\"10.0.128.0/24\"}," \
	"{\"labelValue\":\"b\",\"CIDR\":\"10.0.144.0/24\",\"reservedIPs\":[\"10.0.144.126\"]}," \
	"{\"labelValue\":\"c\",\"CIDR\":\"10.0.160.0/24\"}]," \
	"\"topologyLabel\":\"topology.kubernetes.io/zone\"," \
	"\"nodeSelector\":{\"matchLabels\":{" WORKER "}}}"

static int
in_cidr(const char *ip, const char *cidr)
{
	struct eip_cidr c;
	struct eip_ip a;

	return ip != NULL && ip_parse(ip, &a) == 0 && cidr_parse(cidr, &c) == 0 &&
	    cidr_contains(&c, &a);
}

static void
assert_list(struct fake *f, enum fk k, const char *name, const char *key,
    const char *want)
{
	char *s = fake_list(f, k, name, key);

	ck_assert_msg(strcmp(s, want) == 0, "%s %s: got '%s', want '%s'", name,
	    key, s, want);
	free(s);
}

static struct fake *
baremetal(void)
{
	struct fake *f = fake_new("OpenShiftSDN", "BareMetal", NULL);

	fake_node(f, "w1", "{" WORKER ",\"egressGateway\":\"true\"}", "True",
	    "192.169.0.11", -1);
	fake_node(f, "w2", "{" WORKER ",\"egressGateway\":\"true\"}", "True",
	    "192.169.0.12", -1);
	fake_node(f, "w3", "{" WORKER "}", "True", "192.169.0.13", -1);
	fake_node(f, "m1", "{\"node-role.kubernetes.io/master\":\"\"}", "True",
	    "192.169.0.10", -1);
	fake_ipam(f, "example-egressipam", BM_SPEC, NULL);
	fake_ns(f, "egressipam-baremetal-test", "example-egressipam", NULL);
	fake_ns(f, "egressipam-baremetal-test2", "example-egressipam", NULL);
	return f;
}

/* The README's bare-metal example works as written (SPEC 2, 4). */
START_TEST(t_readme_baremetal)
{
	struct fake *f = baremetal();
	const char *a1, *a2, *reason, *msg;
	char *hs;

	fake_start(f);
	a1 = fake_annot(f, "egressipam-baremetal-test");
	a2 = fake_annot(f, "egressipam-baremetal-test2");
	ck_assert_msg(in_cidr(a1, "192.169.0.0/24"), "a1=%s", a1);
	ck_assert_msg(in_cidr(a2, "192.169.0.0/24"), "a2=%s", a2);
	ck_assert_str_ne(a1, a2);
	/* Neither network, broadcast, nor a node IP. */
	ck_assert_str_ne(a1, "192.169.0.0");
	ck_assert_str_ne(a1, "192.169.0.255");
	ck_assert_str_ne(a1, "192.169.0.11");
	assert_list(f, FK_NETNAMESPACE, "egressipam-baremetal-test", "egress_ips",
	    a1);
	/* One CIDR on bare metal: egressCIDRs on the gateway nodes only. */
	assert_list(f, FK_HOSTSUBNET, "w1", "egress_cidrs", "192.169.0.0/24");
	assert_list(f, FK_HOSTSUBNET, "w2", "egress_cidrs", "192.169.0.0/24");
	assert_list(f, FK_HOSTSUBNET, "w3", "egress_cidrs", "");
	assert_list(f, FK_HOSTSUBNET, "m1", "egress_cidrs", "");
	/* The SDN master (fake) placed them; we did not fight it. */
	hs = fake_list(f, FK_HOSTSUBNET, "w1", "egress_ips");
	ck_assert(strstr(hs, a1) != NULL || strstr(hs, a2) != NULL);
	free(hs);
	ck_assert_str_eq(fake_cond(f, "example-egressipam", "Ready", &reason,
	    &msg), "True");
	ck_assert_msg(strstr(msg, "192.159.0.5 is outside") != NULL, "%s", msg);
	ck_assert_str_eq(fake_cond(f, "example-egressipam", "ReconcileSuccess",
	    NULL, NULL), "True");
	ck_assert_str_eq(fake_cond(f, "example-egressipam", "ReconcileError",
	    NULL, NULL), "False");
	ck_assert_uint_ge(fake_count_events(f, "SpecWarning",
	    "example-egressipam"), 1);
	assert_list(f, FK_EGRESSIPAM, "example-egressipam", "finalizers",
	    "egressip-ipam-operator.redhat-cop.io/cleanup");
	ck_assert_uint_eq(f->schema_errors, 0);
	/* A converged cluster gives zero writes after a restart. */
	ck_assert_uint_eq(fake_restart(f), 0);
	ck_assert_str_eq(fake_annot(f, "egressipam-baremetal-test"), a1);
	fake_free(f);
}
END_TEST


static struct fake *
zones3(const char *network, const char *platform, const struct eip_model_config *cfg)
{
	struct fake *f = fake_new(network, platform, cfg);
	static const char *const z[] = { "a", "b", "c" };
	char name[32], labels[256], ip[32];
	int i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 2; j++) {
			snprintf(name, sizeof(name), "w%s%d", z[i], j);
			snprintf(labels, sizeof(labels), "{" WORKER ",\"topology."
			    "kubernetes.io/zone\":\"%s\"}", z[i]);
			snprintf(ip, sizeof(ip), "10.0.%d.%d", 128 + 16 * i, 10 + j);
			fake_node(f, name, labels, "True", ip, -1);
			if (strcmp(platform, "AWS") == 0)
				fake_cloud_node(f, name, ip, 10);
		}
	fake_ipam(f, "eipam", Z3_SPEC, NULL);
	return f;
}

/* Explicit mode with three zones: one IP per CIDR, placed (SPEC 4). */
START_TEST(t_three_zones_explicit)
{
	struct fake *f = zones3("OpenShiftSDN", "BareMetal", NULL);
	char *l, ns[32], *ips[3];
	const char *a;
	size_t n[6] = { 0 }, i;
	int k;

	for (k = 0; k < 12; k++) {
		snprintf(ns, sizeof(ns), "ns%d", k);
		fake_ns(f, ns, "eipam", NULL);
	}
	fake_start(f);
	for (k = 0; k < 12; k++) {
		snprintf(ns, sizeof(ns), "ns%d", k);
		a = fake_annot(f, ns);
		ck_assert_msg(a != NULL, "%s has no IPs", ns);
		l = strdup(a);
		ips[0] = strtok(l, ",");
		ips[1] = strtok(NULL, ",");
		ips[2] = strtok(NULL, ",");
		ck_assert(in_cidr(ips[0], "10.0.128.0/24"));
		ck_assert(in_cidr(ips[1], "10.0.144.0/24"));
		ck_assert(in_cidr(ips[2], "10.0.160.0/24"));
		ck_assert_str_ne(ips[1], "10.0.144.126");	/* reserved */
		free(l);
		assert_list(f, FK_NETNAMESPACE, ns, "egress_ips", a);
	}
	/* Every HostSubnet: explicit IPs of its zone, no egressCIDRs. */
	{
		static const char *const nodes[] = { "wa0", "wa1", "wb0", "wb1",
		    "wc0", "wc1" };
		static const char *const zc[] = { "10.0.128.0/24",
		    "10.0.144.0/24", "10.0.160.0/24" };
		size_t total = 0;

		for (i = 0; i < 6; i++) {
			json_t *hs = fake_get(f, FK_HOSTSUBNET, nodes[i]), *x;
			size_t j;

			ck_assert_uint_eq(json_array_size(json_object_get(hs,
			    "egress_cidrs")), 0);
			json_array_foreach(json_object_get(hs, "egress_ips"), j, x)
				ck_assert(in_cidr(json_string_value(x), zc[i / 2]));
			n[i] = json_array_size(json_object_get(hs, "egress_ips"));
			total += n[i];
		}
		ck_assert_uint_eq(total, 36);
		/* Fewest IPs first: 12 per zone split 6/6. */
		for (i = 0; i < 6; i++)
			ck_assert_uint_eq(n[i], 6);
	}
	ck_assert_str_eq(fake_cond(f, "eipam", "Ready", NULL, NULL), "True");
	ck_assert_uint_eq(fake_restart(f), 0);
	fake_free(f);
}
END_TEST

static const char *
nth_ip(const char *annot, int n, char *buf, size_t len)
{
	const char *p = annot, *c;

	while (n-- > 0 && p != NULL && (p = strchr(p, ',')) != NULL)
		p++;
	if (p == NULL)
		return NULL;
	c = strchr(p, ',');
	snprintf(buf, len, "%.*s", (int)(c != NULL ? (size_t)(c - p) :
	    strlen(p)), p);
	return buf;
}

static int
hs_has(struct fake *f, const char *node, const char *ip)
{
	char *l = fake_list(f, FK_HOSTSUBNET, node, "egress_ips");
	int r = strstr(l, ip) != NULL;

	free(l);
	return r;
}

/* Which node's HostSubnet lists ip; NULL if none; fails if several. */
static const char *
carrier(struct fake *f, const char *ip)
{
	static const char *const nodes[] = { "wa0", "wa1", "wb0", "wb1", "wc0",
	    "wc1", NULL };
	const char *found = NULL;
	int i;

	for (i = 0; nodes[i] != NULL; i++)
		if (fake_get(f, FK_HOSTSUBNET, nodes[i]) != NULL &&
		    hs_has(f, nodes[i], ip)) {
			ck_assert_msg(found == NULL, "%s on %s and %s", ip, found,
			    nodes[i]);
			found = nodes[i];
		}
	return found;
}

/* A NotReady node's IPs move within a second; no pull-back (SPEC 5). */
START_TEST(t_failover)
{
	struct fake *f = zones3("OpenShiftSDN", "BareMetal", NULL);
	char ip[48], saved[64];
	const char *on, *a;
	int64_t t0;

	fake_ns(f, "app", "eipam", NULL);
	fake_start(f);
	a = fake_annot(f, "app");
	nth_ip(a, 0, ip, sizeof(ip));
	on = carrier(f, ip);
	ck_assert_ptr_nonnull(on);
	snprintf(saved, sizeof(saved), "%s", on);
	t0 = f->now;
	fake_node(f, saved, "{" WORKER ",\"topology.kubernetes.io/zone\":\"a\"}",
	    "Unknown", strcmp(saved, "wa0") == 0 ? "10.0.128.10" : "10.0.128.11",
	    -1);
	fake_settle(f);
	on = carrier(f, ip);
	ck_assert_ptr_nonnull(on);
	ck_assert_str_ne(on, saved);
	ck_assert_str_eq(fake_annot(f, "app"), a);	/* stable binding */
	ck_assert_msg(f->now - t0 < 1000, "failover took %lld ms",
	    (long long)(f->now - t0));
	ck_assert_uint_ge(fake_count_events(f, "NodeFailover", saved), 1);
	/* Recovery does not pull the IP back. */
	snprintf(saved + 32, 32, "%s", on);
	fake_node(f, saved, "{" WORKER ",\"topology.kubernetes.io/zone\":\"a\"}",
	    "True", strcmp(saved, "wa0") == 0 ? "10.0.128.10" : "10.0.128.11", -1);
	fake_settle(f);
	ck_assert_str_eq(carrier(f, ip), saved + 32);
	/* Deleted node: the same. */
	fake_node_delete(f, saved + 32);
	fake_settle(f);
	ck_assert_str_eq(carrier(f, ip), saved);
	ck_assert_uint_eq(fake_restart(f), 0);
	fake_free(f);
}
END_TEST

/* A node that loses its zone label (unselected) gives its IPs away. */
START_TEST(t_unselected_node)
{
	struct fake *f = zones3("OpenShiftSDN", "BareMetal", NULL);
	char ip[48], was[16];
	const char *on;

	fake_ns(f, "app", "eipam", NULL);
	fake_start(f);
	nth_ip(fake_annot(f, "app"), 1, ip, sizeof(ip));
	on = carrier(f, ip);
	snprintf(was, sizeof(was), "%s", on);
	/* Upstream 12.3: a label change alone was not noticed. */
	fake_node(f, was, "{" WORKER "}", "True", strcmp(was, "wb0") == 0 ?
	    "10.0.144.10" : "10.0.144.11", -1);
	fake_settle(f);
	on = carrier(f, ip);
	ck_assert_ptr_nonnull(on);
	ck_assert_str_ne(on, was);
	assert_list(f, FK_HOSTSUBNET, was, "egress_ips", "");
	fake_free(f);
}
END_TEST

/* Capacity: never above it; NoCapacity; placed when capacity appears. */
START_TEST(t_capacity)
{
	struct fake *f = fake_new("OpenShiftSDN", "BareMetal", NULL);
	char ns[16];
	int k;

	fake_node(f, "wa0", "{" WORKER ",\"egressGateway\":\"true\"}", "True",
	    "192.169.0.11", 2);
	fake_node(f, "wa1", "{" WORKER ",\"egressGateway\":\"true\"}", "True",
	    "192.169.0.12", 1);
	fake_ipam(f, "eipam", BM_SPEC, NULL);
	for (k = 0; k < 4; k++) {
		snprintf(ns, sizeof(ns), "ns%d", k);
		fake_ns(f, ns, "eipam", NULL);
	}
	fake_start(f);
	/* A capacity annotation means explicit placement, not egressCIDRs. */
	assert_list(f, FK_HOSTSUBNET, "wa0", "egress_cidrs", "");
	{
		json_t *a = json_object_get(fake_get(f, FK_HOSTSUBNET, "wa0"),
		    "egress_ips");
		json_t *b = json_object_get(fake_get(f, FK_HOSTSUBNET, "wa1"),
		    "egress_ips");

		ck_assert_uint_eq(json_array_size(a), 2);
		ck_assert_uint_eq(json_array_size(b), 1);
	}
	/* Every namespace keeps its IP; one waits for capacity. */
	for (k = 0; k < 4; k++) {
		snprintf(ns, sizeof(ns), "ns%d", k);
		ck_assert_ptr_nonnull(fake_annot(f, ns));
	}
	ck_assert_uint_eq(fake_count_events(f, "NoCapacity", NULL), 1);
	ck_assert_str_eq(fake_cond(f, "eipam", "Ready", NULL, NULL), "False");
	fake_node(f, "wa1", "{" WORKER ",\"egressGateway\":\"true\"}", "True",
	    "192.169.0.12", 5);
	fake_settle(f);
	{
		json_t *b = json_object_get(fake_get(f, FK_HOSTSUBNET, "wa1"),
		    "egress_ips");

		ck_assert_uint_eq(json_array_size(b), 2);
	}
	ck_assert_str_eq(fake_cond(f, "eipam", "Ready", NULL, NULL), "True");
	/* Capacity lowered: the extra IP moves away. */
	fake_node(f, "wa0", "{" WORKER ",\"egressGateway\":\"true\"}", "True",
	    "192.169.0.11", 1);
	fake_settle(f);
	ck_assert_uint_eq(json_array_size(json_object_get(fake_get(f,
	    FK_HOSTSUBNET, "wa0"), "egress_ips")), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(fake_get(f,
	    FK_HOSTSUBNET, "wa1"), "egress_ips")), 3);
	ck_assert_uint_eq(fake_restart(f), 0);
	fake_free(f);
}
END_TEST

/* OVN: EgressIP objects and node labels, only ours removed (SPEC 4). */
START_TEST(t_ovn)
{
	struct fake *f = zones3("OVNKubernetes", "BareMetal", NULL);
	json_t *e, *n;
	char *l;

	fake_node(f, "other", "{\"k8s.ovn.org/egress-assignable\":\"\"}", "True",
	    "10.0.1.1", -1);
	fake_node(f, "infra", "{\"node-role.kubernetes.io/infra\":\"\"}", "True",
	    "10.0.1.2", -1);
	fake_ns(f, "app", "eipam", NULL);
	fake_start(f);
	e = fake_get(f, FK_EGRESSIP, "eipam-app");
	ck_assert_ptr_nonnull(e);
	l = fake_list(f, FK_EGRESSIP, "eipam-app", "egress_ips");
	{
		char *sorted = fake_list(f, FK_NAMESPACE, "app", "x");

		free(sorted);
	}
	ck_assert_uint_eq(json_array_size(json_object_get(e, "egress_ips")), 3);
	free(l);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(e,
	    "namespace_selector"), "kubernetes.io/metadata.name")), "app");
	ck_assert_str_eq(json_string_value(json_object_get(e, "owner_uid")), "app");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(e,
	    "labels"), "egressip-ipam-operator.redhat-cop.io/egressipam")), "eipam");
	n = fake_get(f, FK_NODE, "wa0");
	ck_assert_ptr_nonnull(json_object_get(json_object_get(n, "labels"),
	    "k8s.ovn.org/egress-assignable"));
	ck_assert_str_eq(json_string_value(json_object_get(n, "assignable_by")),
	    "eipam");
	n = fake_get(f, FK_NODE, "infra");
	ck_assert_ptr_null(json_object_get(json_object_get(n, "labels"),
	    "k8s.ovn.org/egress-assignable"));
	/* Someone else's label stays; ours goes when the node leaves. */
	n = fake_get(f, FK_NODE, "other");
	ck_assert_ptr_nonnull(json_object_get(json_object_get(n, "labels"),
	    "k8s.ovn.org/egress-assignable"));
	fake_node(f, "wa0", "{\"node-role.kubernetes.io/infra\":\"\"}", "True",
	    "10.0.128.10", -1);
	fake_settle(f);
	n = fake_get(f, FK_NODE, "wa0");
	ck_assert_ptr_null(json_object_get(json_object_get(n, "labels"),
	    "k8s.ovn.org/egress-assignable"));
	ck_assert_ptr_null(json_object_get(n, "assignable_by"));
	ck_assert_uint_eq(fake_restart(f), 0);
	/* Opt-out: the EgressIP goes. */
	fake_ns(f, "app", NULL, fake_annot(f, "app"));
	fake_settle(f);
	ck_assert_ptr_null(fake_get(f, FK_EGRESSIP, "eipam-app"));
	ck_assert_ptr_null(fake_annot(f, "app"));
	ck_assert_uint_eq(f->schema_errors, 0);
	fake_free(f);
}
END_TEST

/* AWS: IPs on the NICs, cloud-used and reserved addresses excluded. */
START_TEST(t_aws)
{
	struct eip_model_config cfg;
	struct fake *f;
	char ns[16], *nic, ip[48];
	const char *a, *on;
	int k;

	model_config_default(&cfg);
	cfg.sel = POOL_SEL_LOWEST;
	f = zones3("OpenShiftSDN", "AWS", &cfg);
	snprintf(f->subnet, sizeof(f->subnet), "10.0.128.0/17");
	/* Used by an ELB, and a foreign secondary IP on a NIC. */
	json_array_append_new(f->cloud_used, json_string("10.0.128.4"));
	json_array_append_new(f->cn[0].ips, json_string("10.0.128.200"));
	json_array_append_new(f->cn[0].ips, json_string("10.0.1.7"));
	for (k = 0; k < 3; k++) {
		snprintf(ns, sizeof(ns), "ns%d", k);
		fake_ns(f, ns, "eipam", NULL);
	}
	fake_start(f);
	/* Lowest free: .1-.3 are the cloud's (our CIDR starts the subnet),
	 * .4 the ELB's, .10/.11 node IPs.  (Order of namespaces varies.) */
	for (k = 0; k < 3; k++) {
		snprintf(ns, sizeof(ns), "ns%d", k);
		a = fake_annot(f, ns);
		ck_assert_ptr_nonnull(a);
		nth_ip(a, 0, ip, sizeof(ip));
		ck_assert_msg(strcmp(ip, "10.0.128.5") == 0 ||
		    strcmp(ip, "10.0.128.6") == 0 || strcmp(ip, "10.0.128.7") == 0,
		    "got %s", ip);
		on = carrier(f, ip);
		ck_assert_ptr_nonnull(on);
		nic = fake_nic(f, on);
		ck_assert_msg(strstr(nic, ip) != NULL, "%s not on %s's NIC (%s)",
		    ip, on, nic);
		free(nic);
	}
	/* The foreign secondary IPs stay (upstream 12.11). */
	nic = fake_nic(f, "wa0");
	ck_assert_msg(strstr(nic, "10.0.1.7") != NULL, "%s", nic);
	free(nic);
	ck_assert_uint_eq(fake_restart(f), 0);
	fake_free(f);
}
END_TEST

/* A node's egress-ipconfig naming its primary NIC's cloud subnet. */
static void
ovn_ifaddr(struct fake *f, const char *node, const char *subnet)
{
	json_t *o = json_deep_copy(fake_get(f, FK_NODE, node));

	json_object_set_new(o, "egress_ipconfig", json_pack("[{s:s,s:i}]",
	    "ifaddr_v4", subnet, "capacity_v4", 10));
	fake_put(f, FK_NODE, o);
}

/*
 * OVN on AWS: the cloud's first four and last address of the subnet are
 * never handed out, the subnet read from egress-ipconfig (the CIDR itself
 * when no node names one), and no cloud call of ours (SPEC 2, 4).
 */
START_TEST(t_ovn_aws)
{
	struct eip_model_config cfg;
	struct fake *f;
	char ns[16], ip[48];
	const char *a;
	int j, k, z;
	static const char *const want[3][3] = {
		/* 10.0.128.0/20 starts with the CIDR: .1-.3 are the cloud's */
		{ "10.0.128.4", "10.0.128.5", "10.0.128.6" },
		/* no subnet known: the CIDR's own first four */
		{ "10.0.144.4", "10.0.144.5", "10.0.144.6" },
		/* the CIDR inside 10.0.160.0/20, not at its start */
		{ "10.0.161.1", "10.0.161.2", "10.0.161.3" },
	};

	model_config_default(&cfg);
	cfg.sel = POOL_SEL_LOWEST;
	f = zones3("OVNKubernetes", "AWS", &cfg);
	fake_ipam(f, "eipam", "{\"cidrAssignments\":["
	    "{\"labelValue\":\"a\",\"CIDR\":\"10.0.128.0/24\"},"
	    "{\"labelValue\":\"b\",\"CIDR\":\"10.0.144.0/24\"},"
	    "{\"labelValue\":\"c\",\"CIDR\":\"10.0.161.0/24\"}],"
	    "\"topologyLabel\":\"topology.kubernetes.io/zone\","
	    "\"nodeSelector\":{\"matchLabels\":{" WORKER "}}}", NULL);
	ovn_ifaddr(f, "wa0", "10.0.128.0/20");
	ovn_ifaddr(f, "wa1", "10.0.128.0/20");
	ovn_ifaddr(f, "wc0", "10.0.160.0/20");
	for (k = 0; k < 3; k++) {
		snprintf(ns, sizeof(ns), "ns%d", k);
		fake_ns(f, ns, "eipam", NULL);
	}
	fake_start(f);
	for (z = 0; z < 3; z++) {
		int got[3] = { 0, 0, 0 };

		for (k = 0; k < 3; k++) {
			snprintf(ns, sizeof(ns), "ns%d", k);
			a = fake_annot(f, ns);
			ck_assert_ptr_nonnull(a);
			nth_ip(a, z, ip, sizeof(ip));
			for (j = 0; j < 3 && strcmp(ip, want[z][j]) != 0; j++)
				;
			ck_assert_msg(j < 3, "zone %d: got %s", z, ip);
			got[j]++;
		}
		ck_assert(got[0] == 1 && got[1] == 1 && got[2] == 1);
	}
	ck_assert_uint_eq(fake_count_out(f, EIP_MSG_CLOUD_DISCOVER), 0);
	ck_assert_uint_eq(fake_count_out(f, EIP_MSG_CLOUD_ENSURE), 0);
	ck_assert_uint_eq(fake_restart(f), 0);
	fake_free(f);
}
END_TEST

/* A cloud subnet that cannot be read is retried with backoff. */
START_TEST(t_cloud_backoff)
{
	struct fake *f = zones3("OpenShiftSDN", "AWS", NULL);
	const char *msg;
	size_t before;

	snprintf(f->subnet, sizeof(f->subnet), "10.0.128.0/17");
	f->subnet_errors = 1000000;	/* until we say otherwise */
	fake_ns(f, "app", "eipam", NULL);
	fake_start(f);
	before = f->discovers;
	fake_advance(f, 10000);
	fake_settle(f);
	ck_assert_msg(f->discovers - before < 8, "%zu discoveries in 10 s",
	    f->discovers - before);
	/* Nothing picked without the cloud's used addresses; said why. */
	ck_assert_ptr_null(fake_annot(f, "app"));
	ck_assert_str_eq(fake_cond(f, "eipam", "ReconcileError", NULL, &msg),
	    "True");
	ck_assert_msg(strstr(msg, "no virtual network") != NULL, "%s", msg);
	f->subnet_errors = 0;
	fake_advance(f, 70000);
	fake_settle(f);
	ck_assert_ptr_nonnull(fake_annot(f, "app"));
	ck_assert_str_eq(fake_cond(f, "eipam", "ReconcileError", NULL, NULL),
	    "False");
	fake_free(f);
}
END_TEST

/* Manual IPs: taken, extended, rejected; halt and isolate (SPEC 3). */
static struct fake *
manual_setup(int isolate)
{
	struct eip_model_config cfg;
	struct fake *f;

	model_config_default(&cfg);
	cfg.isolate = isolate;
	f = zones3("OpenShiftSDN", "BareMetal", &cfg);
	fake_ns(f, "good", "eipam", "10.0.128.7,10.0.144.7,10.0.160.7");
	fake_ns(f, "prefix", "eipam", "10.0.128.8");
	fake_ns(f, "plain", "eipam", NULL);
	return f;
}

START_TEST(t_manual_valid)
{
	struct fake *f = manual_setup(0);
	char ip[48];

	fake_start(f);
	ck_assert_str_eq(fake_annot(f, "good"), "10.0.128.7,10.0.144.7,10.0.160.7");
	ck_assert(strncmp(fake_annot(f, "prefix"), "10.0.128.8,", 11) == 0);
	ck_assert(in_cidr(nth_ip(fake_annot(f, "prefix"), 2, ip, sizeof(ip)),
	    "10.0.160.0/24"));
	ck_assert_str_eq(fake_cond(f, "eipam", "Ready", NULL, NULL), "True");
	fake_free(f);
}
END_TEST

struct reject_case {
	const char	*annot;
	const char	*why;
};

static const struct reject_case rejects[] = {
	{ "11.0.128.7,10.0.144.7,10.0.160.7", "is not inside CIDR 1" },
	{ "10.0.128.9,10.0.144.126", "is reserved" },
	{ "10.0.128.10", "is the IP of a node" },
	{ "10.0.128.0", "network, broadcast" },
	{ "10.0.128.7,10.0.144.7,10.0.160.7", "is held by namespace good" },
	{ "10.0.128.7 ,10.0.144.7", "is not an IP address" },
	{ "10.0.128.9,10.0.144.9,10.0.160.9,10.0.160.10", "4 IPs for 3 CIDRs" },
};

START_TEST(t_manual_halt)
{
	const struct reject_case *c = &rejects[_i];
	struct fake *f = manual_setup(0);
	const char *msg, *plain;
	char *good_nn;

	fake_start(f);
	plain = fake_annot(f, "plain");
	ck_assert_ptr_nonnull(plain);
	good_nn = fake_list(f, FK_NETNAMESPACE, "good", "egress_ips");
	/* "good" was created first: for the "held by" case it keeps it. */
	fake_ns(f, "bad", "eipam", strcmp(c->why, "is held by namespace good") ?
	    c->annot : "10.0.128.7");
	fake_ns(f, "late", "eipam", NULL);
	fake_settle(f);
	ck_assert_str_eq(fake_cond(f, "eipam", "ReconcileError", NULL, &msg),
	    "True");
	ck_assert_msg(strstr(msg, "namespace bad") != NULL &&
	    strstr(msg, c->why) != NULL, "%s", msg);
	ck_assert_str_eq(fake_cond(f, "eipam", "Ready", NULL, NULL), "False");
	ck_assert_str_eq(fake_cond(f, "eipam", "ReconcileSuccess", NULL, NULL),
	    "False");
	ck_assert_uint_ge(fake_count_events(f, "ProcessingError", "bad"), 1);
	ck_assert_uint_ge(fake_count_events(f, "ProcessingError", "eipam"), 1);
	ck_assert_uint_ge(fake_count_events(f, "InvalidManualIPs", "bad"), 1);
	/* Halted: nothing new, nothing taken away. */
	ck_assert_ptr_null(fake_annot(f, "late"));
	ck_assert_str_eq(fake_annot(f, "plain"), plain);
	assert_list(f, FK_NETNAMESPACE, "good", "egress_ips", good_nn);
	/* Fixed: processing resumes, the stale error is cleared (12.16). */
	fake_ns(f, "bad", "eipam", NULL);
	fake_settle(f);
	ck_assert_ptr_nonnull(fake_annot(f, "late"));
	ck_assert_ptr_nonnull(fake_annot(f, "bad"));
	ck_assert_str_eq(fake_cond(f, "eipam", "ReconcileError", NULL, NULL),
	    "False");
	ck_assert_str_eq(fake_cond(f, "eipam", "Ready", NULL, NULL), "True");
	free(good_nn);
	fake_free(f);
}
END_TEST

START_TEST(t_manual_isolate)
{
	struct fake *f = manual_setup(1);
	const char *msg;

	fake_start(f);
	fake_ns(f, "bad", "eipam", "11.0.128.7,10.0.144.7,10.0.160.7");
	fake_ns(f, "late", "eipam", NULL);
	fake_settle(f);
	/* Only the offending namespace is skipped; its annotation stays. */
	ck_assert_ptr_nonnull(fake_annot(f, "late"));
	ck_assert_str_eq(fake_annot(f, "bad"), "11.0.128.7,10.0.144.7,10.0.160.7");
	assert_list(f, FK_NETNAMESPACE, "bad", "egress_ips", "");
	ck_assert_uint_ge(fake_count_events(f, "InvalidManualIPs", "bad"), 1);
	ck_assert_uint_eq(fake_count_events(f, "ProcessingError", "bad"), 0);
	ck_assert_str_eq(fake_cond(f, "eipam", "Ready", NULL, &msg), "False");
	ck_assert_msg(strstr(msg, "namespace skipped") != NULL, "%s", msg);
	fake_free(f);
}
END_TEST
/*
 * A burst of namespaces is written a few at a time (max_inflight), and
 * every one is written in the end; without the limit all go at once.
 */
START_TEST(t_inflight_limit)
{
	struct eip_model_config cfg;
	struct fake *f;
	char name[32];
	int i, limited = _i;

	model_config_default(&cfg);
	cfg.sel = POOL_SEL_LOWEST;
	cfg.max_inflight = limited ? 4 : 0;
	f = fake_new("OpenShiftSDN", "BareMetal", &cfg);
	fake_node(f, "w1", "{" WORKER ",\"egressGateway\":\"true\"}", "True",
	    "192.169.0.11", -1);
	fake_node(f, "w2", "{" WORKER ",\"egressGateway\":\"true\"}", "True",
	    "192.169.0.12", -1);
	fake_ipam(f, "example-egressipam", BM_SPEC, NULL);
	fake_start(f);
	f->max_batch = 0;
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "burst-%02d", i);
		fake_ns(f, name, "example-egressipam", NULL);
	}
	fake_settle(f);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "burst-%02d", i);
		ck_assert_msg(fake_annot(f, name) != NULL, "%s not annotated",
		    name);
	}
	/* One namespace past the limit may add its two writes. */
	if (limited)
		ck_assert_msg(f->max_batch <= 4 + 2, "%zu writes at once",
		    f->max_batch);
	else
		ck_assert_msg(f->max_batch >= 40, "%zu writes at once",
		    f->max_batch);
	ck_assert_uint_eq(f->schema_errors, 0);
	fake_free(f);
}
END_TEST

/*
 * Address lists as long as a HostSubnet's: parsed without duplicates in
 * their order, compared as sets (the sorted path past 16 entries).
 */
START_TEST(t_iplist_long)
{
	struct iplist a = { NULL, 0 }, b = { NULL, 0 };
	json_t *ja = json_array(), *jb = json_array();
	char ip[32];
	int i;

	for (i = 0; i < 300; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i % 3, i / 200, i % 200);
		json_array_append_new(ja, json_string(ip));
		if (i % 7 == 0)		/* a repeat, later in the list */
			json_array_append_new(ja, json_string(ip));
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", (299 - i) % 3,
		    (299 - i) / 200, (299 - i) % 200);
		json_array_append_new(jb, json_string(ip));
	}
	json_array_append_new(ja, json_string("not-an-ip"));
	ck_assert_int_eq(iplist_parse_json(ja, &a), 1);
	ck_assert_int_eq(iplist_parse_json(jb, &b), 0);
	ck_assert_uint_eq(a.n, 300);
	ck_assert_uint_eq(b.n, 300);
	for (i = 0; i < 300; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i % 3, i / 200, i % 200);
		ck_assert_str_eq(ip_format(&a.v[i], (char[IP_STRLEN]){ 0 },
		    IP_STRLEN), ip);
	}
	ck_assert(iplist_same_set(&a, &b));
	b.v[17] = b.v[18];		/* one address twice, one missing */
	ck_assert(!iplist_same_set(&a, &b));
	ck_assert(!iplist_same_set(&b, &a));
	b.n = 299;
	ck_assert(!iplist_same_set(&a, &b));
	iplist_clear(&a);
	iplist_clear(&b);
	json_decref(ja);
	json_decref(jb);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("alloc_model");
	TCase *tc = tcase_create("model");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, t_readme_baremetal);
	tcase_add_test(tc, t_three_zones_explicit);
	tcase_add_test(tc, t_failover);
	tcase_add_test(tc, t_unselected_node);
	tcase_add_test(tc, t_capacity);
	tcase_add_test(tc, t_ovn);
	tcase_add_test(tc, t_aws);
	tcase_add_test(tc, t_ovn_aws);
	tcase_add_test(tc, t_cloud_backoff);
	tcase_add_test(tc, t_manual_valid);
	tcase_add_loop_test(tc, t_manual_halt, 0,
	    (int)(sizeof(rejects) / sizeof(rejects[0])));
	tcase_add_test(tc, t_manual_isolate);
	tcase_add_loop_test(tc, t_inflight_limit, 0, 2);
	tcase_add_test(tc, t_iplist_long);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return eip_run_suite(suite());
}
