/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cluster's own controllers, as far as the operator can see them:
 * the namespace finalizer and the garbage collector (objects owned by a
 * deleted Namespace), the OpenShift SDN master (a NetNamespace per
 * Namespace, a HostSubnet per Node, automatic egress IP placement on
 * HostSubnets with egressCIDRs), OVN-Kubernetes EgressIP placement on
 * egress-assignable nodes (on a cloud, never an address the cloud
 * reserves, as the cloud-network-config-controller would fail to attach
 * it), and kubelet lease heartbeats.  They run from
 * the event loop after writes (sx->kick), never inside a store write,
 * and only the controllers a write concerns run: a write's cost must
 * not grow with the number of objects stored (see doc/PERFORMANCE.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipaddr.h"
#include "sim_ctx.h"
#include "xmalloc.h"

/* Which controllers have work (sim_os.dirty). */
#define D_FINALIZE	0x01u	/* a Namespace is terminating */
#define D_GC		0x02u	/* an owner may be gone */
#define D_SDN		0x04u	/* NetNamespaces/HostSubnets of touched objects */
#define D_SDN_ALL	0x08u	/* ... of every object */
#define D_EGRESS_SDN	0x10u	/* automatic egress IP placement */
#define D_EGRESS_OVN	0x20u	/* EgressIP placement */
#define D_ALL		0x3fu

struct sim_os {
	struct sim_ctx	*sx;
	unsigned	 dirty;
	json_t		*no_heartbeat;	/* node name -> true */
	json_t		*touched_ns;	/* Namespace names added or removed */
	json_t		*touched_node;	/* Node names added, changed or removed */
	json_int_t	 next_netid;
};

static void os_on_event(struct sim_store *, const struct sim_event *,
    void *);

static int
rti(const char *plural)
{
	return rtype_index(rtype_by_name(plural));
}

struct sim_os *
os_new(struct sim_ctx *sx)
{
	struct sim_os *os = xcalloc(1, sizeof(*os));

	os->sx = sx;
	os->no_heartbeat = json_object();
	os->touched_ns = json_object();
	os->touched_node = json_object();
	os->next_netid = 10;
	os->dirty = D_ALL;
	store_observe(sx->st, os_on_event, os);
	return os;
}

void
os_free(struct sim_os *os)
{
	if (os == NULL)
		return;
	json_decref(os->no_heartbeat);
	json_decref(os->touched_ns);
	json_decref(os->touched_node);
	free(os);
}

int
os_dirty(const struct sim_os *os)
{
	return os->dirty;
}

static const char *
md_str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(json_object_get(o,
	    "metadata"), k));
}

static int
owned_by_namespace(const json_t *o)
{
	const json_t *ref;
	const char *k;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(o, "metadata"),
	    "ownerReferences"), i, ref)
		if ((k = json_string_value(json_object_get(ref, "kind"))) !=
		    NULL && strcmp(k, "Namespace") == 0)
			return 1;
	return 0;
}

static void
touch(json_t *set, const json_t *o)
{
	const char *n = md_str(o, "name");

	if (n != NULL)
		json_object_set_new(set, n, json_true());
}

/* What a write means for the controllers. */
static unsigned
event_work(struct sim_os *os, const struct sim_event *ev, const char *p)
{
	unsigned d = 0;
	int addrm = ev->type != SIM_EV_MODIFIED;

	if (ev->type != SIM_EV_DELETED && owned_by_namespace(ev->obj))
		d |= D_GC;
	if (strcmp(p, "namespaces") == 0) {
		if (md_str(ev->obj, "deletionTimestamp") != NULL)
			d |= D_FINALIZE;
		if (ev->type == SIM_EV_DELETED)
			d |= D_GC;
		if (addrm) {
			touch(os->touched_ns, ev->obj);
			d |= D_SDN;
		}
	} else if (strcmp(p, "netnamespaces") == 0) {
		if (addrm) {
			touch(os->touched_ns, ev->obj);
			d |= D_SDN;
		}
		d |= D_EGRESS_SDN;
	} else if (strcmp(p, "hostsubnets") == 0) {
		if (addrm) {
			touch(os->touched_node, ev->obj);
			d |= D_SDN;
		}
		d |= D_EGRESS_SDN;
	} else if (strcmp(p, "nodes") == 0) {
		touch(os->touched_node, ev->obj);
		d |= D_SDN | D_EGRESS_SDN | D_EGRESS_OVN;
	} else if (strcmp(p, "egressips") == 0)
		d |= D_EGRESS_OVN;
	else if (strcmp(p, "customresourcedefinitions") == 0)
		d = D_ALL;	/* what is served may have changed */
	return d;
}

static void
os_on_event(struct sim_store *st, const struct sim_event *ev, void *arg)
{
	struct sim_os *os = arg;
	const char *p = rtype_get(ev->rt)->plural;
	unsigned d;

	/* Leases, events, configmaps and secrets concern no controller. */
	if (strcmp(p, "leases") == 0 || strcmp(p, "events") == 0 ||
	    strcmp(p, "configmaps") == 0 || strcmp(p, "secrets") == 0)
		return;
	if ((d = event_work(os, ev, p)) == 0)
		return;
	if (!os->dirty && os->sx->kick != NULL) {
		os->dirty = d;
		os->sx->kick(os->sx);
	}
	os->dirty |= d;
}

static const char *
obj_name(const json_t *o)
{
	return md_str(o, "name");
}

static int
node_ready(const json_t *node)
{
	const json_t *c;
	size_t i;

	if (md_str(node, "deletionTimestamp") != NULL)
		return 0;
	json_array_foreach(json_object_get(json_object_get(node, "status"),
	    "conditions"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "type")) ?
		    json_string_value(json_object_get(c, "type")) : "",
		    "Ready") == 0)
			return json_is_string(json_object_get(c, "status")) &&
			    strcmp(json_string_value(json_object_get(c,
			    "status")), "True") == 0;
	return 0;
}

static const char *
node_ip(const json_t *node)
{
	const json_t *a;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(node, "status"),
	    "addresses"), i, a)
		if (json_is_string(json_object_get(a, "type")) &&
		    strcmp(json_string_value(json_object_get(a, "type")),
		    "InternalIP") == 0)
			return json_string_value(json_object_get(a, "address"));
	return NULL;
}

/* Writes obj as an update that needs no resourceVersion. */
static void
put(struct sim_os *os, int rt, const char *ns, json_t *obj, int status)
{
	struct sim_err e = { 0 };
	json_t *out = NULL;

	store_update(os->sx->st, rt, ns, obj_name(obj), obj, SIM_UPD_FORCE |
	    (status ? SIM_UPD_STATUS : 0), &out, &e);
	json_decref(out);
}

/* Namespaces being deleted: remove their contents, then them. */
static void
finalize_namespaces(struct sim_os *os)
{
	struct sim_store *st = os->sx->st;
	struct sim_coll *nsc = &st->colls[rti("namespaces")];
	char prefix[300], *name;
	size_t i;
	int r;

	for (i = 0; i < nsc->n; i++) {
		if (md_str(nsc->v[i]->obj, "deletionTimestamp") == NULL)
			continue;
		name = xstrdup(obj_name(nsc->v[i]->obj));
		snprintf(prefix, sizeof(prefix), "%s/", name);
		for (r = 0; r < rtype_count(); r++) {
			struct sim_coll *c = &st->colls[r];
			size_t at;

			if (!rtype_get(r)->namespaced)
				continue;
			while ((at = store_lower_bound(c, prefix)) < c->n &&
			    strncmp(c->v[at]->key, prefix, strlen(prefix)) == 0)
				store_remove_now(st, r, name,
				    obj_name(c->v[at]->obj));
		}
		store_remove_now(st, rti("namespaces"), NULL, name);
		free(name);
		i = (size_t)-1;		/* the array changed: start again */
	}
}

/* Objects whose ownerReferences name a Namespace that no longer exists. */
static void
collect_garbage(struct sim_os *os)
{
	struct sim_store *st = os->sx->st;
	struct sim_coll *nsc = &st->colls[rti("namespaces")];
	json_t *uids = json_object(), *ref;
	struct sim_err e = { 0 };
	size_t i, j;
	int r, orphan;

	for (i = 0; i < nsc->n; i++)
		json_object_set_new(uids, md_str(nsc->v[i]->obj, "uid"),
		    json_true());
	for (r = 0; r < rtype_count(); r++) {
		struct sim_coll *c = &st->colls[r];

		for (i = 0; i < c->n; i++) {
			const json_t *o = c->v[i]->obj;

			orphan = 0;
			json_array_foreach(json_object_get(json_object_get(o,
			    "metadata"), "ownerReferences"), j, ref) {
				const char *k = json_string_value(
				    json_object_get(ref, "kind"));
				const char *u = json_string_value(
				    json_object_get(ref, "uid"));

				if (k != NULL && strcmp(k, "Namespace") == 0 &&
				    u != NULL && json_object_get(uids, u) == NULL)
					orphan = 1;
			}
			if (!orphan || md_str(o, "deletionTimestamp") != NULL)
				continue;
			{
				char *name = xstrdup(obj_name(o));
				char *ns = md_str(o, "namespace") ?
				    xstrdup(md_str(o, "namespace")) : NULL;
				size_t before = c->n;

				store_delete(st, r, ns, name, NULL, NULL, NULL,
				    &e);
				free(name);
				free(ns);
				if (c->n < before)
					i--;
			}
		}
	}
	json_decref(uids);
}

/* A NetNamespace for Namespace n if it has none; none if n is gone. */
static void
sdn_netnamespace(struct sim_os *os, const char *n)
{
	struct sim_store *st = os->sx->st;
	struct sim_err e = { 0 };
	json_t *o, *out = NULL;
	int has_ns = store_get(st, rti("namespaces"), NULL, n) != NULL;
	int has_nn = store_get(st, rti("netnamespaces"), NULL, n) != NULL;
	char *name;

	if (has_ns && !has_nn) {
		o = json_pack("{s:s,s:s,s:{s:s},s:s,s:I,s:[]}", "apiVersion",
		    "network.openshift.io/v1", "kind", "NetNamespace",
		    "metadata", "name", n, "netname", n, "netid",
		    strcmp(n, "default") == 0 ? (json_int_t)0 :
		    os->next_netid++, "egressIPs");
		store_create(st, rti("netnamespaces"), NULL, o, &out, &e);
		json_decref(o);
		json_decref(out);
	} else if (!has_ns && has_nn) {
		name = xstrdup(n);
		store_remove_now(st, rti("netnamespaces"), NULL, name);
		free(name);
	}
}

/* The HostSubnet of node n: created, its hostIP kept, removed with it. */
static void
sdn_hostsubnet(struct sim_os *os, const char *n)
{
	struct sim_store *st = os->sx->st;
	struct sim_coll *hsc = &st->colls[rti("hostsubnets")];
	const struct sim_obj *node = store_get(st, rti("nodes"), NULL, n);
	const struct sim_obj *hs = store_get(st, rti("hostsubnets"), NULL, n);
	struct sim_err e = { 0 };
	json_t *o, *out, *used;
	const char *ip, *hip;
	char subnet[32], *name;
	size_t i;
	int k;

	if (node == NULL) {
		if (hs != NULL) {
			name = xstrdup(n);
			store_remove_now(st, rti("hostsubnets"), NULL, name);
			free(name);
		}
		return;
	}
	ip = node_ip(node->obj);
	if (hs != NULL) {
		hip = json_string_value(json_object_get(hs->obj, "hostIP"));
		if (ip != NULL && (hip == NULL || strcmp(hip, ip) != 0)) {
			o = json_deep_copy(hs->obj);
			json_object_set_new(o, "hostIP", json_string(ip));
			put(os, rti("hostsubnets"), NULL, o, 0);
			json_decref(o);
		}
		return;
	}
	used = json_object();
	for (i = 0; i < hsc->n; i++)
		json_object_set_new(used, json_string_value(json_object_get(
		    hsc->v[i]->obj, "subnet")) ? json_string_value(
		    json_object_get(hsc->v[i]->obj, "subnet")) : "",
		    json_true());
	for (k = 0; k < 512; k++) {
		snprintf(subnet, sizeof(subnet), "10.%d.%d.0/23",
		    128 + k / 128, (k % 128) * 2);
		if (json_object_get(used, subnet) == NULL)
			break;
	}
	json_decref(used);
	o = json_pack("{s:s,s:s,s:{s:s,s:{s:s}},s:s,s:s,s:s}",
	    "apiVersion", "network.openshift.io/v1", "kind",
	    "HostSubnet", "metadata", "name", n,
	    "annotations", "pod.network.openshift.io/node-uid",
	    md_str(node->obj, "uid"), "host", n, "hostIP",
	    ip != NULL ? ip : "", "subnet", subnet);
	out = NULL;
	store_create(st, rti("hostsubnets"), NULL, o, &out, &e);
	json_decref(o);
	json_decref(out);
}

/* Every name of a collection, copied (the collection changes meanwhile). */
static void
names_of(struct sim_os *os, const char *plural, json_t *set)
{
	struct sim_coll *c = &os->sx->st->colls[rti(plural)];
	size_t i;

	for (i = 0; i < c->n; i++)
		touch(set, c->v[i]->obj);
}

/*
 * NetNamespaces follow Namespaces and HostSubnets follow Nodes: for the
 * names a write touched, or for every object after a full kick.
 */
static void
sdn_objects(struct sim_os *os, int all)
{
	json_t *nss = os->touched_ns, *nodes = os->touched_node;
	const char *n;
	void *tmp;
	json_t *v;

	os->touched_ns = json_object();
	os->touched_node = json_object();
	if (all) {
		names_of(os, "namespaces", nss);
		names_of(os, "netnamespaces", nss);
		names_of(os, "nodes", nodes);
		names_of(os, "hostsubnets", nodes);
	}
	json_object_foreach_safe(nss, tmp, n, v)
		sdn_netnamespace(os, n);
	json_object_foreach_safe(nodes, tmp, n, v)
		sdn_hostsubnet(os, n);
	json_decref(nss);
	json_decref(nodes);
}

static int
str_in(const json_t *arr, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

static int
ip_in_cidrs(const char *ip, const json_t *cidrs)
{
	struct eip_ip a;
	struct eip_cidr c;
	const json_t *v;
	size_t i;

	if (ip_parse(ip, &a) == -1)
		return 0;
	json_array_foreach(cidrs, i, v)
		if (cidr_parse(json_string_value(v) ? json_string_value(v) : "",
		    &c) == 0 && cidr_contains(&c, &a))
			return 1;
	return 0;
}

/*
 * Automatic mode: HostSubnets with egressCIDRs get the NetNamespace
 * egress IPs inside those CIDRs, each on one Ready node, sticky while that
 * node stays Ready, otherwise on the candidate holding the fewest.
 */
static void
sdn_egress(struct sim_os *os)
{
	struct sim_store *st = os->sx->st;
	struct sim_coll *nnc = &st->colls[rti("netnamespaces")];
	struct sim_coll *hsc = &st->colls[rti("hostsubnets")];
	size_t i, j, h, best;
	json_t *want, *ips, *v;
	const char *ip;
	char *cand;

	/* Only HostSubnets with egressCIDRs of Ready nodes take part. */
	cand = xcalloc(hsc->n + 1, 1);
	for (h = 0, j = 0; h < hsc->n; h++) {
		const json_t *hs = hsc->v[h]->obj;
		const struct sim_obj *node;

		if (json_array_size(json_object_get(hs, "egressCIDRs")) == 0)
			continue;
		j++;
		node = store_get(st, rti("nodes"), NULL, obj_name(hs));
		cand[h] = node != NULL && node_ready(node->obj);
	}
	if (j == 0) {
		free(cand);
		return;		/* no automatic mode anywhere */
	}
	want = json_array();
	for (h = 0; h < hsc->n; h++)
		json_array_append_new(want, json_array());
	for (i = 0; i < nnc->n; i++) {
		json_array_foreach(json_object_get(nnc->v[i]->obj, "egressIPs"),
		    j, v) {
			if ((ip = json_string_value(v)) == NULL)
				continue;
			best = (size_t)-1;
			for (h = 0; h < hsc->n; h++) {
				const json_t *hs = hsc->v[h]->obj;

				if (!cand[h] || !ip_in_cidrs(ip,
				    json_object_get(hs, "egressCIDRs")))
					continue;
				if (str_in(json_object_get(hs, "egressIPs"),
				    ip)) {
					best = h;
					break;
				}
				if (best == (size_t)-1 || json_array_size(
				    json_array_get(want, h)) < json_array_size(
				    json_array_get(want, best)))
					best = h;
			}
			if (best != (size_t)-1)
				json_array_append_new(json_array_get(want, best),
				    json_string(ip));
		}
	}
	for (h = 0; h < hsc->n; h++) {
		const json_t *hs = hsc->v[h]->obj;
		json_t *o;

		if (json_array_size(json_object_get(hs, "egressCIDRs")) == 0)
			continue;
		ips = json_array_get(want, h);
		v = json_object_get(hs, "egressIPs");
		if (json_equal(v, ips) || (v == NULL &&
		    json_array_size(ips) == 0))
			continue;
		o = json_deep_copy(hs);
		json_object_set(o, "egressIPs", ips);
		/* The key stays, so index h still names this HostSubnet. */
		put(os, rti("hostsubnets"), NULL, o, 0);
		json_decref(o);
	}
	json_decref(want);
	free(cand);
}

/* The egress subnet of a node for OVN: egress-ipconfig or primary ifaddr. */
static int
ovn_node_subnet(const json_t *node, struct eip_cidr *c, long *cap)
{
	const json_t *ann = json_object_get(json_object_get(node, "metadata"),
	    "annotations"), *cfg, *e0;
	const char *s;
	json_t *j;
	int rc = -1;

	*cap = -1;
	s = json_string_value(json_object_get(ann,
	    "cloud.network.openshift.io/egress-ipconfig"));
	if (s != NULL && (j = json_loads(s, 0, NULL)) != NULL) {
		e0 = json_array_get(j, 0);
		cfg = json_object_get(json_object_get(e0, "ifaddr"), "ipv4");
		if (json_is_string(cfg) && cidr_parse(json_string_value(cfg),
		    c) == 0)
			rc = 0;
		cfg = json_object_get(e0, "capacity");
		if (json_is_integer(json_object_get(cfg, "ipv4")))
			*cap = (long)json_integer_value(json_object_get(cfg,
			    "ipv4"));
		else if (json_is_integer(json_object_get(cfg, "ip")))
			*cap = (long)json_integer_value(json_object_get(cfg,
			    "ip"));
		json_decref(j);
		if (rc == 0)
			return 0;
	}
	s = json_string_value(json_object_get(ann,
	    "k8s.ovn.org/node-primary-ifaddr"));
	if (s != NULL && (j = json_loads(s, 0, NULL)) != NULL) {
		cfg = json_object_get(j, "ipv4");
		if (json_is_string(cfg) && cidr_parse(json_string_value(cfg),
		    c) == 0)
			rc = 0;
		json_decref(j);
	}
	return rc;
}

/*
 * On a cloud (the node has egress-ipconfig) the cloud-network-config-
 * controller cannot attach the subnet's first four or last address: the
 * cloud reserves them, so OVN never gets such an IP onto the node.
 */
static int
cncc_refuses(const json_t *node, const struct eip_cidr *c,
    const struct eip_ip *a)
{
	struct eip_ip b;
	u128 off;

	if (json_object_get(json_object_get(json_object_get(node, "metadata"),
	    "annotations"), "cloud.network.openshift.io/egress-ipconfig") ==
	    NULL || cidr_offset(c, a, &off) != 0)
		return 0;
	cidr_broadcast(c, &b);
	return off < 4 || ip_equal(a, &b);
}

static int
ovn_assignable(const json_t *node)
{
	return json_object_get(json_object_get(json_object_get(node,
	    "metadata"), "labels"), "k8s.ovn.org/egress-assignable") != NULL &&
	    node_ready(node);
}

static void
ovn_egress(struct sim_os *os)
{
	struct sim_store *st = os->sx->st;
	struct sim_coll *eic = &st->colls[rti("egressips")];
	struct sim_coll *nodes = &st->colls[rti("nodes")];
	json_t *load = json_object(), *items, *it, *v, *o;
	struct eip_cidr c;
	struct eip_ip a;
	const char *ip, *nn;
	size_t i, j, k, n;
	long cap;

	/* First pass: keep every still-valid assignment and count it. */
	for (i = 0; i < eic->n; i++) {
		json_array_foreach(json_object_get(json_object_get(
		    eic->v[i]->obj, "status"), "items"), j, it) {
			nn = json_string_value(json_object_get(it, "node"));
			if (nn != NULL)
				json_object_set_new(load, nn, json_integer(
				    json_integer_value(json_object_get(load,
				    nn)) + 1));
		}
	}
	for (i = 0; i < eic->n; i++) {
		const json_t *eo = eic->v[i]->obj;

		items = json_array();
		json_array_foreach(json_object_get(json_object_get(eo, "spec"),
		    "egressIPs"), j, v) {
			const struct sim_obj *keep = NULL;
			size_t best = (size_t)-1;
			long best_load = 0, l;

			if ((ip = json_string_value(v)) == NULL ||
			    ip_parse(ip, &a) == -1)
				continue;
			json_array_foreach(json_object_get(json_object_get(eo,
			    "status"), "items"), k, it) {
				const char *iip = json_string_value(
				    json_object_get(it, "egressIP"));

				nn = json_string_value(json_object_get(it,
				    "node"));
				if (iip == NULL || nn == NULL ||
				    strcmp(iip, ip) != 0)
					continue;
				keep = store_get(st, rti("nodes"), NULL, nn);
				if (keep != NULL && (!ovn_assignable(keep->obj) ||
				    ovn_node_subnet(keep->obj, &c, &cap) != 0 ||
				    !cidr_contains(&c, &a)))
					keep = NULL;
			}
			if (keep != NULL) {
				json_array_append_new(items, json_pack(
				    "{s:s,s:s}", "node", obj_name(keep->obj),
				    "egressIP", ip));
				continue;
			}
			for (n = 0; n < nodes->n; n++) {
				const json_t *node = nodes->v[n]->obj;
				int taken = 0;

				if (!ovn_assignable(node) ||
				    ovn_node_subnet(node, &c, &cap) != 0 ||
				    !cidr_contains(&c, &a) ||
				    cncc_refuses(node, &c, &a))
					continue;
				json_array_foreach(items, k, it)
					if (strcmp(json_string_value(
					    json_object_get(it, "node")),
					    obj_name(node)) == 0)
						taken = 1;
				l = (long)json_integer_value(json_object_get(
				    load, obj_name(node)));
				if (taken || (cap >= 0 && l >= cap))
					continue;
				if (best == (size_t)-1 || l < best_load) {
					best = n;
					best_load = l;
				}
			}
			if (best == (size_t)-1)
				continue;
			nn = obj_name(nodes->v[best]->obj);
			json_object_set_new(load, nn, json_integer(best_load + 1));
			json_array_append_new(items, json_pack("{s:s,s:s}",
			    "node", nn, "egressIP", ip));
		}
		v = json_object_get(json_object_get(eo, "status"), "items");
		if (json_equal(v, items) || (v == NULL &&
		    json_array_size(items) == 0)) {
			json_decref(items);
			continue;
		}
		o = json_deep_copy(eo);
		json_object_set_new(o, "status", json_pack("{s:o}", "items",
		    items));
		put(os, rti("egressips"), NULL, o, 0);
		json_decref(o);
	}
	json_decref(load);
}

void
os_run(struct sim_os *os)
{
	struct sim_store *st = os->sx->st;
	int pass;

	unsigned d;

	for (pass = 0; pass < 8 && os->dirty; pass++) {
		d = os->dirty;
		os->dirty = 0;
		if (d & D_FINALIZE)
			finalize_namespaces(os);
		if (d & D_GC)
			collect_garbage(os);
		if (store_served(st, rti("netnamespaces")) &&
		    store_served(st, rti("hostsubnets"))) {
			if (d & (D_SDN | D_SDN_ALL))
				sdn_objects(os, (d & D_SDN_ALL) != 0);
			if (d & D_EGRESS_SDN)
				sdn_egress(os);
		}
		if ((d & D_EGRESS_OVN) && store_served(st, rti("egressips")))
			ovn_egress(os);
	}
	/* Without SDN nobody consumes the touched names. */
	if (!store_served(st, rti("netnamespaces")) ||
	    !store_served(st, rti("hostsubnets"))) {
		json_object_clear(os->touched_ns);
		json_object_clear(os->touched_node);
	}
}

void
os_heartbeat(struct sim_os *os)
{
	struct sim_store *st = os->sx->st;
	struct sim_coll *nodes = &st->colls[rti("nodes")];
	const struct sim_obj *l;
	char now[40];
	json_t *o;
	size_t i;

	store_now_micro(st, now, sizeof(now));
	for (i = 0; i < nodes->n; i++) {
		const char *n = obj_name(nodes->v[i]->obj);

		if (json_object_get(os->no_heartbeat, n) != NULL ||
		    (l = store_get(st, rti("leases"), "kube-node-lease", n)) ==
		    NULL)
			continue;
		o = json_deep_copy(l->obj);
		json_object_set_new(json_object_get(o, "spec"), "renewTime",
		    json_string(now));
		put(os, rti("leases"), "kube-node-lease", o, 0);
		json_decref(o);
	}
}

int
os_set_heartbeat(struct sim_os *os, const char *node, int on)
{
	if (store_get(os->sx->st, rti("nodes"), NULL, node) == NULL)
		return -1;
	if (on)
		json_object_del(os->no_heartbeat, node);
	else
		json_object_set_new(os->no_heartbeat, node, json_true());
	return 0;
}

int
os_set_ready(struct sim_ctx *sx, const char *node, const char *status,
    char *err, size_t errlen)
{
	const struct sim_obj *o = store_get(sx->st, rti("nodes"), NULL, node);
	json_t *n, *c;
	char now[40];
	size_t i;

	if (o == NULL) {
		snprintf(err, errlen, "no node %s", node);
		return -1;
	}
	if (strcmp(status, "True") != 0 && strcmp(status, "False") != 0 &&
	    strcmp(status, "Unknown") != 0) {
		snprintf(err, errlen, "status must be True, False or Unknown");
		return -1;
	}
	store_now(sx->st, now, sizeof(now));
	n = json_deep_copy(o->obj);
	json_array_foreach(json_object_get(json_object_get(n, "status"),
	    "conditions"), i, c) {
		if (strcmp(json_string_value(json_object_get(c, "type")) ?
		    json_string_value(json_object_get(c, "type")) : "",
		    "Ready") != 0)
			continue;
		if (!json_is_string(json_object_get(c, "status")) ||
		    strcmp(json_string_value(json_object_get(c, "status")),
		    status) != 0)
			json_object_set_new(c, "lastTransitionTime",
			    json_string(now));
		json_object_set_new(c, "status", json_string(status));
		json_object_set_new(c, "lastHeartbeatTime", json_string(now));
		json_object_set_new(c, "reason", json_string(strcmp(status,
		    "True") == 0 ? "KubeletReady" : strcmp(status, "False") ==
		    0 ? "KubeletNotReady" : "NodeStatusUnknown"));
		json_object_set_new(c, "message", json_string(strcmp(status,
		    "True") == 0 ? "kubelet is posting ready status" :
		    strcmp(status, "False") == 0 ? "container runtime network "
		    "not ready" : "Kubelet stopped posting node status."));
	}
	put(sx->os, rti("nodes"), NULL, n, 1);
	json_decref(n);
	return 0;
}
