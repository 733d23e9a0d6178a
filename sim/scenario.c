/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scenarios: reading one (built-in name or JSON file), expanding its node
 * layout (--nodes N), and loading it into the store: namespaces, the
 * OpenShift CRDs of its network type, Infrastructure and Network, nodes
 * with their leases, machines, extra objects.  Also adds and removes
 * single nodes for the control API and writes the state-dir files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ipaddr.h"
#include "log.h"
#include "sim_cloud.h"
#include "sim_ctx.h"
#include "xmalloc.h"

static const char *const base_namespaces[] = {
	"default", "kube-system", "kube-public", "kube-node-lease",
	"openshift-config", "openshift-machine-api",
	"openshift-cloud-credential-operator", "egressip-ipam-operator", NULL
};

const char *
scenario_platform(const json_t *scn)
{
	const char *p = json_string_value(json_object_get(scn, "platform"));

	return p != NULL ? p : "BareMetal";
}

const char *
scenario_network(const json_t *scn)
{
	const char *p = json_string_value(json_object_get(scn, "networkType"));

	return p != NULL ? p : "OpenShiftSDN";
}

static int
is_cloud(const json_t *scn)
{
	const char *p = scenario_platform(scn);

	return strcmp(p, "AWS") == 0 || strcmp(p, "Azure") == 0;
}

json_t *
scenario_read(const char *name, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *j;

	if ((j = scenario_builtin(name)) != NULL)
		return j;
	if (strchr(name, '/') == NULL && strchr(name, '.') == NULL) {
		snprintf(err, errlen, "unknown scenario \"%s\" (built-in: "
		    "baremetal, baremetal-3zone, aws, aws-sts, azure, azure-wi, "
		    "ovn, ovn-aws)", name);
		return NULL;
	}
	if ((j = json_load_file(name, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		snprintf(err, errlen, "%s:%d: %s", name, jerr.line, jerr.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		snprintf(err, errlen, "%s: a scenario is a JSON object", name);
		return NULL;
	}
	return j;
}

static const char *
jstr(const json_t *o, const char *k, const char *def)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : def;
}

static json_t *
node_spec(const json_t *scn, const char *role, int idx, const json_t *zone,
    const char *itype)
{
	const char *infra = jstr(scn, "infrastructureName", "sim");
	const char *zname = jstr(zone, "name", "");
	char name[256];
	json_t *n, *labels;

	if (!is_cloud(scn))
		snprintf(name, sizeof(name), "%s-%d", role, idx);
	else if (strcmp(role, "master") == 0)
		snprintf(name, sizeof(name), "%s-master-%d", infra, idx);
	else
		snprintf(name, sizeof(name), "%s-worker-%s-%d", infra, zname,
		    idx);
	labels = json_object();
	if (strcmp(role, "worker") == 0 &&
	    json_is_object(json_object_get(scn, "workerLabels")))
		json_object_update(labels, json_object_get(scn,
		    "workerLabels"));
	n = json_pack("{s:s,s:s,s:s,s:o}", "name", name, "role", role, "zone",
	    zname, "labels", labels);
	if (itype != NULL)
		json_object_set_new(n, "instanceType", json_string(itype));
	if (strcmp(role, "master") == 0 && json_object_get(scn, "masterCidr"))
		json_object_set(n, "cidr", json_object_get(scn, "masterCidr"));
	return n;
}

json_t *
scenario_expand(const json_t *in, int nworkers, char *err, size_t errlen)
{
	json_t *scn = json_deep_copy(in), *zones, *nodes, *types, *z;
	const char *net = scenario_network(scn);
	struct eip_cidr c;
	json_int_t masters, workers, i;
	size_t j;

	zones = json_object_get(scn, "zones");
	if (strcmp(net, "OpenShiftSDN") != 0 &&
	    strcmp(net, "OVNKubernetes") != 0) {
		snprintf(err, errlen, "networkType must be OpenShiftSDN or "
		    "OVNKubernetes, not \"%s\"", net);
		goto fail;
	}
	if (!json_is_array(zones) || json_array_size(zones) == 0) {
		snprintf(err, errlen, "a scenario needs \"zones\": "
		    "[{\"name\",\"cidr\"}]");
		goto fail;
	}
	json_array_foreach(zones, j, z) {
		if (cidr_parse(jstr(z, "cidr", ""), &c) == -1 ||
		    c.addr.family != 4) {
			snprintf(err, errlen, "zone %zu: bad cidr \"%s\"", j,
			    jstr(z, "cidr", ""));
			goto fail;
		}
	}
	if (json_object_get(scn, "masterCidr") != NULL &&
	    cidr_parse(jstr(scn, "masterCidr", ""), &c) == -1) {
		snprintf(err, errlen, "bad masterCidr");
		goto fail;
	}
	if (json_is_array(json_object_get(scn, "nodes")) && nworkers <= 0)
		return scn;
	masters = json_integer_value(json_object_get(scn, "masters"));
	workers = json_object_get(scn, "workers") != NULL ?
	    json_integer_value(json_object_get(scn, "workers")) : 3;
	if (nworkers > 0)
		workers = nworkers;
	if (masters < 0 || masters > 100 || workers < 0 || workers > 5000) {
		snprintf(err, errlen, "masters must be 0..100 and workers "
		    "0..5000");
		goto fail;
	}
	types = json_object_get(scn, "instanceTypes");
	nodes = json_array();
	for (i = 0; i < masters; i++)
		json_array_append_new(nodes, node_spec(scn, "master", (int)i,
		    json_array_get(zones, i % json_array_size(zones)),
		    jstr(scn, "masterInstanceType", is_cloud(scn) ? "m5.xlarge" :
		    NULL)));
	for (i = 0; i < workers; i++) {
		const char *t = NULL;

		if (json_array_size(types) > 0)
			t = json_string_value(json_array_get(types,
			    i % json_array_size(types)));
		json_array_append_new(nodes, node_spec(scn, "worker", (int)i,
		    json_array_get(zones, i % json_array_size(zones)), t));
	}
	json_object_set_new(scn, "nodes", nodes);
	return scn;
fail:
	json_decref(scn);
	return NULL;
}

json_t *
scenario_egressipam(const json_t *scn)
{
	return json_object_get(scn, "egressipam");
}

/* Creates an object of a kind, then its status when it is a subresource. */
static int
create_obj(struct sim_ctx *sx, json_t *obj, char *err, size_t errlen)
{
	const struct sim_rtype *rt = NULL;
	const char *kind = jstr(obj, "kind", ""), *av = jstr(obj,
	    "apiVersion", ""), *ns, *name;
	struct sim_err e = { 0 };
	char want[96];
	json_t *st, *out = NULL;
	int i, code;

	for (i = 0; i < rtype_count(); i++) {
		rtype_api_version(rtype_get(i), want, sizeof(want));
		if (strcmp(rtype_get(i)->kind, kind) == 0 &&
		    strcmp(want, av) == 0)
			rt = rtype_get(i);
	}
	if (rt == NULL) {
		snprintf(err, errlen, "object of unknown kind %s %s", av, kind);
		return -1;
	}
	ns = json_string_value(json_object_get(json_object_get(obj,
	    "metadata"), "namespace"));
	if (rt->namespaced && ns == NULL)
		ns = "default";
	code = store_create(sx->st, rtype_index(rt), ns, obj, &out, &e);
	if (code >= 300) {
		snprintf(err, errlen, "%s: %s", kind, e.message);
		return -1;
	}
	name = json_string_value(json_object_get(json_object_get(out,
	    "metadata"), "name"));
	st = json_object_get(obj, "status");
	if (rt->custom && rt->has_status && st != NULL) {
		json_t *s = json_pack("{s:O}", "status", st), *o2 = NULL;

		store_update(sx->st, rtype_index(rt), ns, name, s,
		    SIM_UPD_STATUS | SIM_UPD_FORCE, &o2, &e);
		json_decref(s);
		json_decref(o2);
	}
	if (strcmp(rt->plural, "customresourcedefinitions") == 0)
		kube_crd_changed(sx->st, out, 0);
	json_decref(out);
	return 0;
}

static json_t *
infrastructure(struct sim_ctx *sx, const json_t *scn)
{
	const char *p = scenario_platform(scn);
	const char *infra = jstr(scn, "infrastructureName", "sim");
	const char *region = jstr(scn, "region", "");
	char rg[300];
	json_t *ps;

	snprintf(rg, sizeof(rg), "%s-rg", infra);
#ifdef EIP_SIM_CLOUD
	if (sx->cloud != NULL)
		ps = sim_cloud_platform_status(sx->cloud);
	else
#endif
	if (strcmp(p, "AWS") == 0)
		ps = json_pack("{s:s,s:{s:s}}", "type", "AWS", "aws", "region",
		    region);
	else if (strcmp(p, "Azure") == 0)
		ps = json_pack("{s:s,s:{s:s,s:s,s:s}}", "type", "Azure",
		    "azure", "resourceGroupName", rg,
		    "networkResourceGroupName", rg, "cloudName",
		    "AzurePublicCloud");
	else
		ps = json_pack("{s:s}", "type", p);
	return json_pack("{s:s,s:s,s:{s:s},s:{s:{s:s},s:{s:s}},"
	    "s:{s:s,s:s,s:o,s:s,s:s,s:s,s:s}}", "apiVersion",
	    "config.openshift.io/v1", "kind", "Infrastructure", "metadata",
	    "name", "cluster", "spec", "cloudConfig", "name", "",
	    "platformSpec", "type", p, "status", "infrastructureName", infra,
	    "platform", p, "platformStatus", ps, "apiServerURL", sx->base_url,
	    "apiServerInternalURI", sx->base_url, "controlPlaneTopology",
	    "HighlyAvailable", "infrastructureTopology", "HighlyAvailable");
}

static json_t *
network(const json_t *scn)
{
	const char *nt = scenario_network(scn);

	return json_pack("{s:s,s:s,s:{s:s},s:{s:[{s:s,s:i}],s:[s],s:s},"
	    "s:{s:[{s:s,s:i}],s:[s],s:s,s:i}}", "apiVersion",
	    "config.openshift.io/v1", "kind", "Network", "metadata", "name",
	    "cluster", "spec", "clusterNetwork", "cidr", "10.128.0.0/14",
	    "hostPrefix", 23, "serviceNetwork", "172.30.0.0/16", "networkType",
	    nt, "status", "clusterNetwork", "cidr", "10.128.0.0/14",
	    "hostPrefix", 23, "serviceNetwork", "172.30.0.0/16", "networkType",
	    nt, "clusterNetworkMTU", strcmp(nt, "OVNKubernetes") == 0 ? 1400 :
	    1450);
}

static json_t *
crd_for(const struct sim_rtype *rt)
{
	char name[200], list[80];
	json_t *ver;

	snprintf(name, sizeof(name), "%s.%s", rt->plural, rt->group);
	snprintf(list, sizeof(list), "%sList", rt->kind);
	ver = json_pack("{s:s,s:b,s:b,s:{s:{s:s,s:b}}}", "name", rt->version,
	    "served", 1, "storage", 1, "schema", "openAPIV3Schema", "type",
	    "object", "x-kubernetes-preserve-unknown-fields", 1);
	if (rt->has_status)
		json_object_set_new(ver, "subresources", json_pack("{s:{}}",
		    "status"));
	return json_pack("{s:s,s:s,s:{s:s},s:{s:s,s:{s:s,s:s,s:s,s:s},s:s,"
	    "s:[o]}}", "apiVersion", "apiextensions.k8s.io/v1", "kind",
	    "CustomResourceDefinition", "metadata", "name", name, "spec",
	    "group", rt->group, "names", "plural", rt->plural, "singular",
	    rt->singular, "kind", rt->kind, "listKind", list, "scope",
	    rt->namespaced ? "Namespaced" : "Cluster", "versions", ver);
}

/* The lowest host offset >= 10 of cidr that no node uses yet. */
static int
next_node_ip(struct sim_ctx *sx, const char *cidr, char *ip, size_t len)
{
	const struct sim_coll *c = &sx->st->colls[rtype_index(
	    rtype_by_name("nodes"))];
	struct eip_cidr cd;
	struct eip_ip cand, have;
	u128 off, last;
	size_t i, j;
	int used;

	if (cidr_parse(cidr, &cd) == -1)
		return -1;
	last = cidr_last_offset(&cd);
	for (off = 10; off < last; off++) {
		cidr_nth(&cd, off, &cand);
		used = 0;
		for (i = 0; i < c->n && !used; i++) {
			json_t *a, *addrs = json_object_get(json_object_get(
			    c->v[i]->obj, "status"), "addresses");

			json_array_foreach(addrs, j, a)
				if (ip_parse(jstr(a, "address", ""), &have) ==
				    0 && ip_equal(&have, &cand))
					used = 1;
		}
		if (!used) {
			ip_format(&cand, ip, len);
			return 0;
		}
	}
	return -1;
}

static const json_t *
zone_of(const json_t *scn, const char *zone)
{
	const json_t *z;
	size_t i;

	json_array_foreach(json_object_get(scn, "zones"), i, z)
		if (strcmp(jstr(z, "name", ""), zone) == 0)
			return z;
	return json_array_get(json_object_get(scn, "zones"), 0);
}

/* An AWS ENI's address limit per instance type, for egress-ipconfig. */
static int
ipv4_capacity(const char *platform, const char *itype)
{
	if (strcmp(platform, "Azure") == 0)
		return 255;
	if (itype == NULL)
		return 9;
	if (strcmp(itype, "t3.medium") == 0)
		return 5;
	if (strcmp(itype, "m5.large") == 0)
		return 9;
	return 14;
}

/* A stable per-node identifier (boot ID, machine ID) from its name. */
static const char *
md_uid_hint(const char *name, int salt)
{
	static char buf[4][40];
	static int slot;
	unsigned long h = 5381 + (unsigned long)salt * 7919;
	const char *p;
	char *b = buf[slot++ % 4];

	for (p = name; *p != '\0'; p++)
		h = h * 33 + (unsigned char)*p;
	snprintf(b, sizeof(buf[0]), "%08lx-%04lx-%04lx-%04lx-%012lx",
	    h & 0xffffffff, (h >> 8) & 0xffff, (h >> 16) & 0xffff,
	    (h >> 24) & 0xffff, (h * 2654435761UL) & 0xffffffffffffUL);
	return b;
}

static json_t *
node_object(struct sim_ctx *sx, const json_t *spec, const char *ip,
    const char *prefix_cidr, const char *provider_id)
{
	const json_t *scn = sx->scenario;
	const char *name = jstr(spec, "name", ""), *role = jstr(spec, "role",
	    "worker"), *zone = jstr(spec, "zone", ""), *itype = jstr(spec,
	    "instanceType", NULL), *platform = scenario_platform(scn);
	json_t *labels, *ann, *node, *conds, *taints, *extra;
	struct eip_cidr cd;
	char now[40], buf[512], roleb[80];

	store_now(sx->st, now, sizeof(now));
	labels = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kubernetes.io/hostname",
	    name, "kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64",
	    "beta.kubernetes.io/os", "linux", "beta.kubernetes.io/arch",
	    "amd64", "node.openshift.io/os_id", "rhcos");
	snprintf(roleb, sizeof(roleb), "node-role.kubernetes.io/%s", role);
	json_object_set_new(labels, roleb, json_string(""));
	if (strcmp(role, "master") == 0)
		json_object_set_new(labels,
		    "node-role.kubernetes.io/control-plane", json_string(""));
	if (json_is_true(json_object_get(scn, "zoneLabels")) && *zone) {
		json_object_set_new(labels, "topology.kubernetes.io/zone",
		    json_string(zone));
		json_object_set_new(labels,
		    "failure-domain.beta.kubernetes.io/zone", json_string(zone));
		if (json_object_get(scn, "region") != NULL) {
			json_object_set(labels, "topology.kubernetes.io/region",
			    json_object_get(scn, "region"));
			json_object_set(labels,
			    "failure-domain.beta.kubernetes.io/region",
			    json_object_get(scn, "region"));
		}
	}
	if (itype != NULL) {
		json_object_set_new(labels, "beta.kubernetes.io/instance-type",
		    json_string(itype));
		json_object_set_new(labels, "node.kubernetes.io/instance-type",
		    json_string(itype));
	}
	if (json_is_object(json_object_get(spec, "labels")))
		json_object_update(labels, json_object_get(spec, "labels"));
	ann = json_object();
	if (is_cloud(scn)) {
		snprintf(buf, sizeof(buf), "openshift-machine-api/%s", name);
		json_object_set_new(ann, "machine.openshift.io/machine",
		    json_string(buf));
	}
	if (strcmp(scenario_network(scn), "OVNKubernetes") == 0 &&
	    cidr_parse(prefix_cidr, &cd) == 0) {
		snprintf(buf, sizeof(buf), "{\"ipv4\":\"%s/%u\"}", ip, cd.len);
		json_object_set_new(ann, "k8s.ovn.org/node-primary-ifaddr",
		    json_string(buf));
		if (is_cloud(scn)) {
			char *cfg = NULL;
			char net[CIDR_STRLEN];

#ifdef EIP_SIM_CLOUD
			if (sx->cloud != NULL)
				cfg = sim_cloud_egress_ipconfig(sx->cloud, name);
#endif
			if (cfg == NULL) {
				struct eip_cidr m = cd;

				m.addr = m.net;
				cidr_format(&m, net, sizeof(net));
				xasprintf(&cfg, "[{\"interface\":\"%s-nic0\","
				    "\"ifaddr\":{\"ipv4\":\"%s\"},\"capacity\":"
				    "{\"ipv4\":%d}}]", name, net, ipv4_capacity(
				    platform, itype));
			}
			json_object_set_new(ann,
			    "cloud.network.openshift.io/egress-ipconfig",
			    json_string(cfg));
			free(cfg);
		}
	}
	if (json_is_object(json_object_get(spec, "annotations")))
		json_object_update(ann, json_object_get(spec, "annotations"));
	conds = json_pack("[{s:s,s:s,s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s,s:s,"
	    "s:s},{s:s,s:s,s:s,s:s,s:s,s:s}]",
	    "type", "MemoryPressure", "status", "False", "lastHeartbeatTime",
	    now, "lastTransitionTime", now, "reason",
	    "KubeletHasSufficientMemory", "message",
	    "kubelet has sufficient memory available",
	    "type", "DiskPressure", "status", "False", "lastHeartbeatTime",
	    now, "lastTransitionTime", now, "reason", "KubeletHasNoDiskPressure",
	    "message", "kubelet has no disk pressure",
	    "type", "Ready", "status", json_is_false(json_object_get(spec,
	    "ready")) ? "False" : "True", "lastHeartbeatTime", now,
	    "lastTransitionTime", now, "reason", "KubeletReady", "message",
	    "kubelet is posting ready status");
	taints = strcmp(role, "master") == 0 ? json_pack("[{s:s,s:s}]", "key",
	    "node-role.kubernetes.io/master", "effect", "NoSchedule") :
	    json_array();
	node = json_pack("{s:s,s:s,s:{s:s,s:o,s:o},s:{s:o},s:{s:[{s:s,s:s},"
	    "{s:s,s:s}],s:o,s:{s:s,s:s,s:s},s:{s:s,s:s,s:s},s:{s:s,s:s,s:s,"
	    "s:s,s:s}}}", "apiVersion", "v1", "kind", "Node", "metadata",
	    "name", name, "labels", labels, "annotations", ann, "spec",
	    "taints", taints, "status", "addresses", "type", "InternalIP",
	    "address", ip, "type", "Hostname", "address", name, "conditions",
	    conds, "capacity", "cpu", "4", "memory", "16Gi", "pods", "250",
	    "allocatable", "cpu", "3500m", "memory", "15Gi", "pods", "250",
	    "nodeInfo", "kubeletVersion", "v1.28.5+eipam-sim", "osImage",
	    "Red Hat Enterprise Linux CoreOS", "containerRuntimeVersion",
	    "cri-o://1.28.2", "operatingSystem", "linux", "architecture",
	    "amd64");
	/* Every NodeSystemInfo field is required by typed clients. */
	extra = json_pack("{s:s,s:s,s:s,s:s,s:s}", "bootID",
	    md_uid_hint(name, 1), "machineID", md_uid_hint(name, 2),
	    "systemUUID", md_uid_hint(name, 3), "kernelVersion",
	    "5.14.0-284.el9.x86_64", "kubeProxyVersion", "v1.28.5");
	json_object_update(json_object_get(json_object_get(node, "status"),
	    "nodeInfo"), extra);
	json_decref(extra);
	if (provider_id != NULL && *provider_id)
		json_object_set_new(json_object_get(node, "spec"), "providerID",
		    json_string(provider_id));
	return node;
}

static json_t *
machine_object(const json_t *scn, const json_t *spec, const char *pid)
{
	const char *infra = jstr(scn, "infrastructureName", "sim");
	const char *name = jstr(spec, "name", ""), *zone = jstr(spec, "zone",
	    ""), *itype = jstr(spec, "instanceType", ""), *role = jstr(spec,
	    "role", "worker");
	char buf[300], rg[300], ms[300];
	json_t *ps, *m;

	if (strcmp(scenario_platform(scn), "AWS") == 0) {
		snprintf(buf, sizeof(buf), "%s-private-%s", infra, zone);
		ps = json_pack("{s:s,s:s,s:s,s:{s:s,s:s},s:{s:[{s:s,s:[s]}]}}",
		    "apiVersion", "machine.openshift.io/v1beta1", "kind",
		    "AWSMachineProviderConfig", "instanceType", itype,
		    "placement", "availabilityZone", zone, "region", jstr(scn,
		    "region", ""), "subnet", "filters", "name", "tag:Name",
		    "values", buf);
	} else {
		snprintf(rg, sizeof(rg), "%s-rg", infra);
		snprintf(buf, sizeof(buf), "%s-%s-subnet", infra, role);
		ps = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "apiVersion",
		    "machine.openshift.io/v1beta1", "kind",
		    "AzureMachineProviderSpec", "vmSize", itype, "location",
		    jstr(scn, "region", ""), "resourceGroup", rg,
		    "networkResourceGroup", rg, "subnet", buf, "vnet", "");
		snprintf(buf, sizeof(buf), "%s-vnet", infra);
		json_object_set_new(ps, "vnet", json_string(buf));
	}
	snprintf(ms, sizeof(ms), "%s-%s-%s", infra, role, zone);
	m = json_pack("{s:s,s:s,s:{s:s,s:s,s:{s:s,s:s,s:s}},s:{s:{s:o}},"
	    "s:{s:s,s:{s:s,s:s,s:s}}}", "apiVersion",
	    "machine.openshift.io/v1beta1", "kind", "Machine", "metadata",
	    "name", name, "namespace", "openshift-machine-api", "labels",
	    "machine.openshift.io/cluster-api-cluster", infra,
	    "machine.openshift.io/cluster-api-machine-role", role,
	    "machine.openshift.io/cluster-api-machineset", ms, "spec",
	    "providerSpec", "value", ps, "status", "phase", "Running",
	    "nodeRef", "kind", "Node", "name", name, "uid", "");
	if (pid != NULL && *pid)
		json_object_set_new(json_object_get(m, "spec"), "providerID",
		    json_string(pid));
	return m;
}

static int
node_rt(void)
{
	return rtype_index(rtype_by_name("nodes"));
}

int
scenario_add_node(struct sim_ctx *sx, const json_t *spec, char *err,
    size_t errlen)
{
	const json_t *scn = sx->scenario, *z;
	const char *name = jstr(spec, "name", NULL), *zone = jstr(spec, "zone",
	    ""), *cidr;
	char ip[IP_STRLEN], pid[512] = "", now[40];
	struct eip_ip tmp;
	json_t *node, *lease, *out = NULL;
	struct sim_err e = { 0 };

	if (name == NULL || *name == '\0') {
		snprintf(err, errlen, "a node needs a name");
		return -1;
	}
	if (store_get(sx->st, node_rt(), NULL, name) != NULL) {
		snprintf(err, errlen, "node %s exists", name);
		return -1;
	}
	z = zone_of(scn, zone);
	cidr = jstr(spec, "cidr", jstr(z, "cidr", ""));
	if (json_object_get(spec, "ip") != NULL) {
		snprintf(ip, sizeof(ip), "%s", jstr(spec, "ip", ""));
		if (ip_parse(ip, &tmp) == -1) {
			snprintf(err, errlen, "bad node ip \"%s\"", ip);
			return -1;
		}
	} else if (next_node_ip(sx, cidr, ip, sizeof(ip)) == -1) {
		snprintf(err, errlen, "no free node address in %s", cidr);
		return -1;
	}
#ifdef EIP_SIM_CLOUD
	if (sx->cloud != NULL && sim_cloud_add_node(sx->cloud, name, zone,
	    jstr(spec, "instanceType", ""), pid, sizeof(pid), ip,
	    sizeof(ip)) == -1) {
		snprintf(err, errlen, "the cloud refused node %s", name);
		return -1;
	}
#endif
	if (pid[0] == '\0' && strcmp(scenario_platform(scn), "AWS") == 0) {
		unsigned long h = 5381;
		const char *p;

		for (p = name; *p; p++)
			h = h * 33 + (unsigned char)*p;
		snprintf(pid, sizeof(pid), "aws:///%s/i-0%016lx", zone, h);
	} else if (pid[0] == '\0' && strcmp(scenario_platform(scn),
	    "Azure") == 0)
		snprintf(pid, sizeof(pid), "azure:///subscriptions/00000000-"
		    "0000-0000-0000-000000000000/resourceGroups/%s-rg/providers/"
		    "Microsoft.Compute/virtualMachines/%s", jstr(scn,
		    "infrastructureName", "sim"), name);
	node = node_object(sx, spec, ip, cidr, pid);
	if (store_create(sx->st, node_rt(), NULL, node, &out, &e) >= 300) {
		snprintf(err, errlen, "node %s: %s", name, e.message);
		json_decref(node);
		return -1;
	}
	json_decref(node);
	json_decref(out);
	store_now_micro(sx->st, now, sizeof(now));
	lease = json_pack("{s:s,s:s,s:{s:s,s:s},s:{s:s,s:i,s:s}}", "apiVersion",
	    "coordination.k8s.io/v1", "kind", "Lease", "metadata", "name",
	    name, "namespace", "kube-node-lease", "spec", "holderIdentity",
	    name, "leaseDurationSeconds", 40, "renewTime", now);
	out = NULL;
	store_create(sx->st, rtype_index(rtype_by_name("leases")),
	    "kube-node-lease", lease, &out, &e);
	json_decref(lease);
	json_decref(out);
	if (is_cloud(scn)) {
		json_t *m = machine_object(scn, spec, pid);

		out = NULL;
		store_create(sx->st, rtype_index(rtype_by_name("machines")),
		    "openshift-machine-api", m, &out, &e);
		json_decref(m);
		json_decref(out);
	}
	return 0;
}

int
scenario_remove_node(struct sim_ctx *sx, const char *name)
{
	struct sim_err e = { 0 };

	if (store_remove_now(sx->st, node_rt(), NULL, name) == -1)
		return -1;
	store_delete(sx->st, rtype_index(rtype_by_name("leases")),
	    "kube-node-lease", name, NULL, NULL, NULL, &e);
	store_delete(sx->st, rtype_index(rtype_by_name("machines")),
	    "openshift-machine-api", name, NULL, NULL, NULL, &e);
#ifdef EIP_SIM_CLOUD
	if (sx->cloud != NULL)
		sim_cloud_remove_node(sx->cloud, name);
#endif
	return 0;
}

static void
machinesets(struct sim_ctx *sx, const json_t *scn)
{
	const char *infra = jstr(scn, "infrastructureName", "sim");
	const json_t *z, *n;
	struct sim_err e = { 0 };
	char name[300];
	size_t i, j;
	int replicas;
	json_t *ms, *out;

	json_array_foreach(json_object_get(scn, "zones"), i, z) {
		replicas = 0;
		json_array_foreach(json_object_get(scn, "nodes"), j, n)
			if (strcmp(jstr(n, "role", ""), "worker") == 0 &&
			    strcmp(jstr(n, "zone", ""), jstr(z, "name", "")) == 0)
				replicas++;
		snprintf(name, sizeof(name), "%s-worker-%s", infra, jstr(z,
		    "name", ""));
		ms = json_pack("{s:s,s:s,s:{s:s,s:s},s:{s:i,s:{s:{s:s,s:s}}}}",
		    "apiVersion", "machine.openshift.io/v1beta1", "kind",
		    "MachineSet", "metadata", "name", name, "namespace",
		    "openshift-machine-api", "spec", "replicas", replicas,
		    "selector", "matchLabels",
		    "machine.openshift.io/cluster-api-cluster", infra,
		    "machine.openshift.io/cluster-api-machineset", name);
		out = NULL;
		store_create(sx->st, rtype_index(rtype_by_name("machinesets")),
		    "openshift-machine-api", ms, &out, &e);
		json_decref(ms);
		json_decref(out);
	}
}

/* Replaces whatever is loaded with scn (taken). */
int
scenario_apply(struct sim_ctx *sx, json_t *scn, char *err, size_t errlen)
{
	const char *net = scenario_network(scn);
	const json_t *n, *o;
	json_t *obj;
	size_t i;
	int r;

	for (r = 0; r < rtype_count(); r++) {
		store_purge(sx->st, r);
		store_set_served(sx->st, r, 0);
	}
	json_decref(sx->scenario);
	sx->scenario = scn;
#ifdef EIP_SIM_CLOUD
	if (sx->cloud != NULL) {
		sim_cloud_free(sx->cloud);
		sx->cloud = NULL;
	}
	if (is_cloud(scn)) {
		const char *cred = jstr(scn, "credentials",
		    strcmp(scenario_platform(scn), "AWS") == 0 ? "static" :
		    "secret");
		json_t *cfg = json_pack("{s:O,s:O,s:O,s:O}", "region",
		    json_object_get(scn, "region") ? json_object_get(scn,
		    "region") : json_null(), "zones", json_object_get(scn,
		    "zones"), "infrastructureName", json_object_get(scn,
		    "infrastructureName") ? json_object_get(scn,
		    "infrastructureName") : json_null(), "masterCidr",
		    json_object_get(scn, "masterCidr") ? json_object_get(scn,
		    "masterCidr") : json_null());

		if (json_is_object(json_object_get(scn, "cloud")))
			json_object_update(cfg, json_object_get(scn, "cloud"));
		sx->cloud = sim_cloud_new(scenario_platform(scn),
		    strcmp(cred, "sts") == 0 || strcmp(cred, "wi") == 0 ?
		    (strcmp(cred, "sts") == 0 ? "sts" : "wi") : cred, cfg,
		    sx->base_url, err, errlen);
		json_decref(cfg);
		if (sx->cloud == NULL)
			return -1;
	}
#endif
	for (i = 0; base_namespaces[i] != NULL; i++) {
		obj = json_pack("{s:s,s:s,s:{s:s}}", "apiVersion", "v1", "kind",
		    "Namespace", "metadata", "name", base_namespaces[i]);
		r = create_obj(sx, obj, err, errlen);
		json_decref(obj);
		if (r != 0)
			return -1;
	}
	for (r = 0; r < rtype_count(); r++) {
		const struct sim_rtype *rt = rtype_get(r);

		if (rt->always_served || (strcmp(rt->group,
		    "network.openshift.io") == 0 && strcmp(net,
		    "OpenShiftSDN") != 0) || (strcmp(rt->group, "k8s.ovn.org") ==
		    0 && strcmp(net, "OVNKubernetes") != 0))
			continue;
		obj = crd_for(rt);
		create_obj(sx, obj, err, errlen);
		json_decref(obj);
	}
	obj = infrastructure(sx, scn);
	r = create_obj(sx, obj, err, errlen);
	json_decref(obj);
	obj = network(scn);
	r |= create_obj(sx, obj, err, errlen);
	json_decref(obj);
	if (r != 0)
		return -1;
	json_array_foreach(json_object_get(scn, "nodes"), i, n)
		if (scenario_add_node(sx, n, err, errlen) != 0)
			return -1;
	if (is_cloud(scn))
		machinesets(sx, scn);
	json_array_foreach(json_object_get(scn, "objects"), i, o) {
		obj = json_deep_copy(o);
		r = create_obj(sx, obj, err, errlen);
		json_decref(obj);
		if (r != 0)
			return -1;
	}
	if (sx->kick != NULL)
		sx->kick(sx);
	return 0;
}

static int
write_file(const char *dir, const char *name, const char *text, char *err,
    size_t errlen)
{
	char path[4096], tmp[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
scenario_write_files(struct sim_ctx *sx, char *err, size_t errlen)
{
	const json_t *scn = sx->scenario;
	const char *p = scenario_platform(scn);
	char *yaml, *flags, *cloud = NULL;
	json_t *ipam = scenario_egressipam(scn);
	int rc;

	if (ipam != NULL) {
		yaml = scenario_yaml(ipam);
		rc = write_file(sx->state_dir, "egressipam.yaml", yaml, err,
		    errlen);
		free(yaml);
		if (rc != 0)
			return -1;
	}
	char ca[4200] = "";

	if (sx->ca_pem != NULL)
		snprintf(ca, sizeof(ca), "--ca-bundle=%s/ca.crt\n",
		    sx->state_dir);
	if (strcmp(p, "AWS") == 0)
		xasprintf(&cloud, "--cloud-credentials-dir=%s/cloud-credentials\n"
		    "%s--aws-ec2-endpoint=%s/aws/ec2/\n"
		    "--aws-sts-endpoint=%s/aws/sts/\n", sx->state_dir, ca,
		    sx->base_url, sx->base_url);
	else if (strcmp(p, "Azure") == 0)
		xasprintf(&cloud, "--cloud-credentials-dir=%s/cloud-credentials\n"
		    "%s--azure-arm-endpoint=%s/azure/arm/\n"
		    "--azure-authority=%s/azure/aad/\n", sx->state_dir, ca,
		    sx->base_url, sx->base_url);
	xasprintf(&flags, "--kubeconfig=%s/kubeconfig\n"
	    "--namespace=egressip-ipam-operator\n--platform=%s\n"
	    "--network-type=%s\n%s", sx->state_dir,
	    strcmp(p, "AWS") == 0 || strcmp(p, "Azure") == 0 ? p : "BareMetal",
	    scenario_network(scn), cloud != NULL ? cloud : "");
	free(cloud);
	rc = write_file(sx->state_dir, "eipamd.flags", flags, err, errlen);
	free(flags);
#ifdef EIP_SIM_CLOUD
	if (rc == 0 && sx->cloud != NULL) {
		char dir[4096];

		snprintf(dir, sizeof(dir), "%s/cloud-credentials",
		    sx->state_dir);
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			return -1;
		}
		if (sim_cloud_write_credentials(sx->cloud, dir) != 0) {
			snprintf(err, errlen, "writing cloud credentials");
			return -1;
		}
	}
#endif
	return rc;
}
