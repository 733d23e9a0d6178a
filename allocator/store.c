/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store of observed objects: what the watcher reports, merged per
 * name (a namespace with its NetNamespace and its EgressIP, a node with
 * its HostSubnet), with every address they carry counted in the index.
 * Each change queues what it touches; nothing is decided here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eip_proto.h"
#include "log.h"
#include "model_int.h"
#include "xmalloc.h"

static const char *const kind_names[K_MAX] = {
	"Namespace", "Node", "EgressIPAM", "HostSubnet", "NetNamespace",
	"EgressIP", "Infrastructure", "Network"
};

/* An event at the rv our last successful write replaced: ignore it. */
int
store_stale(const struct wtrack *w, const char *rv)
{
	return w->stale_rv != NULL && rv != NULL && strcmp(w->stale_rv, rv) == 0;
}

static void
ns_set_want(struct eip_model *m, struct ns *ns, const char *want)
{
	if (streq(ns->want, want))
		return;
	if (ns->ref != NULL) {
		hmap_del(&ns->ref->refs, ns->name, strlen(ns->name));
		q_ipam(m, ns->ref, Q_WRITE | Q_GC);
		ns->ref = NULL;
	}
	setstr(&ns->want, want);
	if (want != NULL) {
		ns->ref = ipam_get(m, want, 1);
		hmap_put(&ns->ref->refs, ns->name, strlen(ns->name), ns);
		q_ipam(m, ns->ref, Q_WRITE);
		if (ns->bound == NULL)
			ns->since = m->now;
	}
}

void
store_ns_annot(struct eip_model *m, struct ns *ns, const char *annot)
{
	struct iplist nl = { NULL, 0 };
	const char *p, *c;
	struct eip_ip ip;
	size_t len;

	if (streq(ns->annot, annot))
		return;
	setstr(&ns->annot, annot);
	/* Every parsable element is "in use", valid for its IPAM or not. */
	if (annot != NULL && annot[0] != '\0') {
		nl.v = xcalloc(strlen(annot) / 2 + 2, sizeof(*nl.v));
		for (p = annot;; p = c + 1) {
			c = strchr(p, ',');
			len = c != NULL ? (size_t)(c - p) : strlen(p);
			if (ip_parsen(p, len, &ip) == 0 && !iplist_has(&nl, &ip))
				nl.v[nl.n++] = ip;
			if (c == NULL)
				break;
		}
	}
	ip_ns_carriers(m, &ns->annot_ips, &nl, ns, NC_ANN);
	iplist_clear(&ns->annot_ips);
	ns->annot_ips = nl;
}

static void
in_namespace(struct eip_model *m, const json_t *b)
{
	struct ns *ns = ns_get(m, eip_str(b, "name"), 1);
	const char *rv = eip_str(b, "rv");

	if (store_stale(&ns->w_annot, rv))
		return;
	ns->present = 1;
	ns->ep_ns = m->epoch[K_NAMESPACE];
	setstr(&ns->rv, rv);
	setstr(&ns->uid, eip_str(b, "uid"));
	setstr(&ns->created, eip_str(b, "created"));
	setstr(&ns->error, eip_str(b, "error"));
	ns->deleting = eip_bool(b, "deleting", 0);
	ns_set_want(m, ns, eip_str(b, "egressipam"));
	store_ns_annot(m, ns, eip_str(b, "egressips"));
	q_ns(m, ns, Q_DIRTY | Q_WRITE);
}

static void
gone_namespace(struct eip_model *m, struct ns *ns)
{
	ns->present = 0;
	ns->deleting = 0;
	ns_set_want(m, ns, NULL);
	store_ns_annot(m, ns, NULL);
	free(ns->rv);
	ns->rv = NULL;
	q_ns(m, ns, Q_DIRTY | Q_WRITE | Q_GC);
}

static void
in_netnamespace(struct eip_model *m, const json_t *b)
{
	struct ns *ns = ns_get(m, eip_str(b, "name"), 1);
	const char *rv = eip_str(b, "rv");
	struct iplist nl = { NULL, 0 };

	if (store_stale(&ns->w_nn, rv))
		return;
	ns->nn_present = 1;
	ns->ep_nn = m->epoch[K_NETNAMESPACE];
	setstr(&ns->nn_rv, rv);
	iplist_parse_json(json_object_get(b, "egress_ips"), &nl);
	store_nn_ips(m, ns, &nl);
	iplist_clear(&nl);
}

void
store_nn_ips(struct eip_model *m, struct ns *ns, const struct iplist *nl)
{
	ip_ns_carriers(m, &ns->nn_ips, nl, ns, NC_NN);
	iplist_set(&ns->nn_ips, nl->v, nl->n);
	q_ns(m, ns, Q_WRITE);
	if (ns->bound != NULL)
		q_ns(m, ns, Q_DIRTY);	/* carried IPs decide claims */
}

static void
gone_netnamespace(struct eip_model *m, struct ns *ns)
{
	struct iplist empty = { NULL, 0 };

	ip_ns_carriers(m, &ns->nn_ips, &empty, ns, NC_NN);
	iplist_clear(&ns->nn_ips);
	ns->nn_present = 0;
	free(ns->nn_rv);
	ns->nn_rv = NULL;
	q_ns(m, ns, Q_WRITE | Q_GC);
}

/* Our EgressIP objects carry our label; anything else is foreign. */
static int
eip_is_ours(const char *name, const json_t *b)
{
	return strncmp(name, EIP_OBJ_PREFIX, strlen(EIP_OBJ_PREFIX)) == 0 &&
	    name[strlen(EIP_OBJ_PREFIX)] != '\0' &&
	    json_object_get(json_object_get(b, "labels"), EIP_LABEL_IPAM) != NULL;
}

static void
foreign_eip_set(struct eip_model *m, const char *name, const json_t *ips)
{
	struct iplist *l = hmap_gets(&m->foreign_eips, name), nl = { 0 };
	char **keyp;

	if (l == NULL && ips == NULL)
		return;
	if (l == NULL) {
		/* The name is kept right after the list, as the map's key. */
		l = xcalloc(1, sizeof(*l) + sizeof(char *));
		keyp = (char **)(l + 1);
		*keyp = xstrdup(name);
		hmap_put(&m->foreign_eips, *keyp, strlen(*keyp), l);
	}
	iplist_parse_json(ips, &nl);
	ip_carriers(m, l, &nl, ipf_feips);
	iplist_clear(l);
	*l = nl;
	if (ips == NULL) {
		keyp = (char **)(l + 1);
		hmap_del(&m->foreign_eips, *keyp, strlen(*keyp));
		free(*keyp);
		free(l);
	}
}

static void gone_egressip(struct eip_model *, struct ns *);

void
store_eip_gone(struct eip_model *m, struct ns *ns)
{
	if (ns->eip_present)
		gone_egressip(m, ns);
}

void
store_eip_ips(struct eip_model *m, struct ns *ns, const struct iplist *nl)
{
	ip_ns_carriers(m, &ns->eip_ips, nl, ns, NC_EIP);
	iplist_set(&ns->eip_ips, nl->v, nl->n);
	q_ns(m, ns, Q_WRITE);
}

static void
in_egressip(struct eip_model *m, const json_t *b)
{
	static json_t *empty_list;
	const char *name = eip_str(b, "name"), *rv = eip_str(b, "rv");
	const json_t *sel, *st, *x;
	struct iplist nl = { NULL, 0 };
	struct eip_ip ip;
	struct node *n;
	struct ns *ns;
	size_t i;

	if (empty_list == NULL)
		empty_list = json_array();
	if (!eip_is_ours(name, b)) {
		/* An object of ours that lost its label is not ours any more. */
		if (strncmp(name, EIP_OBJ_PREFIX, strlen(EIP_OBJ_PREFIX)) == 0 &&
		    (ns = ns_get(m, name + strlen(EIP_OBJ_PREFIX), 0)) != NULL &&
		    ns->eip_present)
			gone_egressip(m, ns);
		foreign_eip_set(m, name, json_object_get(b, "egress_ips") != NULL ?
		    json_object_get(b, "egress_ips") : empty_list);
		return;
	}
	foreign_eip_set(m, name, NULL);
	ns = ns_get(m, name + strlen(EIP_OBJ_PREFIX), 1);
	if (store_stale(&ns->w_eip, rv))
		return;
	ns->eip_present = 1;
	ns->ep_eip = m->epoch[K_EGRESSIP];
	setstr(&ns->eip_rv, rv);
	iplist_parse_json(json_object_get(b, "egress_ips"), &nl);
	store_eip_ips(m, ns, &nl);
	iplist_clear(&nl);
	setstr(&ns->eip_label, json_string_value(json_object_get(
	    json_object_get(b, "labels"), EIP_LABEL_IPAM)));
	sel = json_object_get(b, "namespace_selector");
	setstr(&ns->eip_sel, json_object_size(sel) == 1 ?
	    json_string_value(json_object_get(sel, NS_NAME_LABEL)) : NULL);
	setstr(&ns->eip_owner, eip_str(b, "owner_uid"));
	iplist_clear(&ns->eip_status);
	ns->eip_status_nodes.n = 0;
	st = json_object_get(b, "status");
	ns->eip_status.v = xcalloc(json_array_size(st) + 1, sizeof(struct eip_ip));
	json_array_foreach(st, i, x) {
		if (ip_parse(eip_str(x, "egressIP"), &ip) == -1)
			continue;
		n = node_get(m, eip_str(x, "node"), 1);
		ns->eip_status.v[ns->eip_status.n++] = ip;
		ptrvec_push(&ns->eip_status_nodes, n);
	}
	q_ns(m, ns, Q_WRITE);
	if (ns->bound != NULL)
		q_ns(m, ns, Q_DIRTY);
}

static void
gone_egressip(struct eip_model *m, struct ns *ns)
{
	struct iplist empty = { NULL, 0 };

	ip_ns_carriers(m, &ns->eip_ips, &empty, ns, NC_EIP);
	iplist_clear(&ns->eip_ips);
	iplist_clear(&ns->eip_status);
	ns->eip_status_nodes.n = 0;
	ns->eip_present = 0;
	free(ns->eip_rv);
	ns->eip_rv = NULL;
	q_ns(m, ns, Q_WRITE | Q_GC);
}

static void
node_set_ip(struct eip_model *m, struct eip_ip *slot, const char *s)
{
	struct iplist o = { NULL, 0 }, nl = { NULL, 0 };
	struct eip_ip ip;

	memset(&ip, 0, sizeof(ip));
	if (s != NULL && ip_parse(s, &ip) == -1)
		memset(&ip, 0, sizeof(ip));
	if (ip_equal(slot, &ip))
		return;
	if (slot->family != 0) {
		o.v = slot;
		o.n = 1;
	}
	if (ip.family != 0) {
		nl.v = &ip;
		nl.n = 1;
	}
	ip_carriers(m, &o, &nl, ipf_nodes);
	*slot = ip;
}

static void
in_hostsubnet(struct eip_model *m, const json_t *b)
{
	struct node *n = node_get(m, eip_str(b, "name"), 1);
	const char *rv = eip_str(b, "rv");
	struct iplist nl = { NULL, 0 };

	if (store_stale(&n->w_hs, rv))
		return;
	n->hs_present = 1;
	n->ep_hs = m->epoch[K_HOSTSUBNET];
	setstr(&n->hs_rv, rv);
	node_set_ip(m, &n->hs_hostip, eip_str(b, "host_ip"));
	iplist_parse_json(json_object_get(b, "egress_ips"), &nl);
	store_hs(m, n, &nl, json_object_get(b, "egress_cidrs"));
	iplist_clear(&nl);
	q_node(m, n, Q_DIRTY);
}

void
store_hs(struct eip_model *m, struct node *n, const struct iplist *nl,
    const json_t *cl)
{
	const json_t *x;
	struct ipent *e;
	size_t i;

	/*
	 * The echo of our own write repeats what we applied already: a
	 * list of thousands is then compared, not walked through the index.
	 */
	if (nl->n == n->hs_ips.n && (nl->n == 0 || memcmp(nl->v, n->hs_ips.v,
	    nl->n * sizeof(*nl->v)) == 0))
		goto cidrs;
	/*
	 * Wake the nodes whose IPs leave or enter this HostSubnet (marks:
	 * linear in the list, which may hold thousands).
	 */
	for (i = 0; i < nl->n; i++)
		ip_get(m, &nl->v[i], 1)->mark = 1;
	for (i = 0; i < n->hs_ips.n; i++) {
		e = ip_get(m, &n->hs_ips.v[i], 1);
		if (e->mark == 0 && e->placed != NULL)
			q_node(m, e->placed, Q_WRITE);
		if (e->mark == 1)
			e->mark = 2;
	}
	for (i = 0; i < nl->n; i++) {
		e = ip_get(m, &nl->v[i], 0);
		if (e->mark == 1 && e->placed != NULL && e->placed != n)
			q_node(m, e->placed, Q_WRITE);
		e->mark = 0;
	}
	for (i = 0; i < n->hs_ips.n; i++)
		ip_get(m, &n->hs_ips.v[i], 0)->mark = 0;
	ip_vec_carriers(m, &n->hs_ips, nl, n, 0);
	iplist_set(&n->hs_ips, nl->v, nl->n);
cidrs:
	for (i = 0; i < n->hs_ncidrs; i++)
		free(n->hs_cidrs[i]);
	free(n->hs_cidrs);
	n->hs_ncidrs = 0;
	n->hs_cidrs = xcalloc(json_array_size(cl) + 1, sizeof(char *));
	json_array_foreach(cl, i, x)
		n->hs_cidrs[n->hs_ncidrs++] = xstrdup(json_string_value(x));
	q_node(m, n, Q_WRITE);
}

static void
gone_hostsubnet(struct eip_model *m, struct node *n)
{
	struct iplist empty = { NULL, 0 };
	size_t i;

	ip_vec_carriers(m, &n->hs_ips, &empty, n, 0);
	iplist_clear(&n->hs_ips);
	node_set_ip(m, &n->hs_hostip, NULL);
	for (i = 0; i < n->hs_ncidrs; i++)
		free(n->hs_cidrs[i]);
	free(n->hs_cidrs);
	n->hs_cidrs = NULL;
	n->hs_ncidrs = 0;
	n->hs_present = 0;
	free(n->hs_rv);
	n->hs_rv = NULL;
	q_node(m, n, Q_DIRTY | Q_WRITE | Q_GC);
}

/* One ifaddr of egress-ipconfig; a change marks the subnets dirty. */
static void
node_set_ifaddr(struct eip_model *m, struct eip_cidr *have, int *has,
    const char *s)
{
	struct eip_cidr c;
	int ok = s != NULL && cidr_parse(s, &c) == 0;

	if (ok == *has && (!ok || cidr_equal(&c, have)))
		return;
	*has = ok;
	if (ok)
		*have = c;
	m->subnets_dirty = 1;
}

static void
node_set_ifaddrs(struct eip_model *m, struct node *n, const json_t *primary)
{
	node_set_ifaddr(m, &n->ovn_if4, &n->has_if4, eip_str(primary,
	    "ifaddr_v4"));
	node_set_ifaddr(m, &n->ovn_if6, &n->has_if6, eip_str(primary,
	    "ifaddr_v6"));
}

static void
in_node(struct eip_model *m, const json_t *b)
{
	struct node *n = node_get(m, eip_str(b, "name"), 1);
	const json_t *cfg, *x;
	const char *pid = eip_str(b, "provider_id");
	int newpid;
	size_t i;

	if (store_stale(&n->w_label, eip_str(b, "rv")))
		return;
	newpid = !streq(n->provider_id, pid) || !n->present;
	n->present = 1;
	n->ep_node = m->epoch[K_NODE];
	setstr(&n->rv, eip_str(b, "rv"));
	setstr(&n->uid, eip_str(b, "uid"));
	setstr(&n->error, eip_str(b, "error"));
	json_decref(n->labels);
	n->labels = json_deep_copy(json_object_get(b, "labels"));
	if (n->labels == NULL)
		n->labels = json_object();
	n->ready = streq(eip_str(b, "ready"), "True") && !eip_bool(b,
	    "deleting", 0);
	setstr(&n->provider_id, pid);
	node_set_ip(m, &n->iip, eip_str(b, "internal_ip"));
	n->cap_annot = (long)eip_int(b, "capacity", -1);
	n->ovn_cap4 = n->ovn_cap6 = -1;
	cfg = json_object_get(b, "egress_ipconfig");
	json_array_foreach(cfg, i, x) {
		/* Azure and GCP report one family-agnostic capacity. */
		long c4 = (long)eip_int(x, "capacity_v4", -1);
		long c6 = (long)eip_int(x, "capacity_v6", -1);
		long ci = (long)eip_int(x, "capacity_ip", -1);

		if (i > 0)
			break;		/* the first interface is the primary */
		n->ovn_cap4 = c4 >= 0 ? c4 : ci;
		n->ovn_cap6 = c6 >= 0 ? c6 : ci;
	}
	node_set_ifaddrs(m, n, json_array_get(cfg, 0));
	setstr(&n->assignable_by, eip_str(b, "assignable_by"));
	n->labelled = json_object_get(n->labels, OVN_ASSIGNABLE) != NULL;
	if (newpid && model_cloud(m))
		cloud_discover_node(m, n);
	q_node(m, n, Q_DIRTY | Q_WRITE);
}

static void
gone_node(struct eip_model *m, struct node *n)
{
	n->present = 0;
	n->ready = 0;
	node_set_ip(m, &n->iip, NULL);
	node_set_ifaddrs(m, n, NULL);
	json_decref(n->labels);
	n->labels = json_object();
	free(n->rv);
	n->rv = NULL;
	q_node(m, n, Q_DIRTY | Q_WRITE | Q_GC);
}

static void
in_egressipam(struct eip_model *m, const json_t *b)
{
	struct ipam *p = ipam_get(m, eip_str(b, "name"), 1);
	const json_t *spec = json_object_get(b, "spec"), *fin, *x;
	const char *lb = eip_str(b, "azure_lb");
	char *text, *sj;
	size_t i;

	if (store_stale(&p->w_fin, eip_str(b, "rv")) ||
	    store_stale(&p->w_status, eip_str(b, "rv")))
		return;
	if (!p->present || p->deleting != eip_bool(b, "deleting", 0))
		q_ipam(m, p, Q_DIRTY);
	p->present = 1;
	p->ep = m->epoch[K_EGRESSIPAM];
	setstr(&p->rv, eip_str(b, "rv"));
	setstr(&p->uid, eip_str(b, "uid"));
	setstr(&p->error, eip_str(b, "error"));
	p->generation = eip_int(b, "generation", 0);
	p->deleting = eip_bool(b, "deleting", 0);
	for (i = 0; i < p->nfinalizers; i++)
		free(p->finalizers[i]);
	free(p->finalizers);
	fin = json_object_get(b, "finalizers");
	p->nfinalizers = 0;
	p->finalizers = xcalloc(json_array_size(fin) + 1, sizeof(char *));
	json_array_foreach(fin, i, x)
		p->finalizers[p->nfinalizers++] = xstrdup(json_string_value(x));
	json_decref(p->status_obs);
	p->status_obs = json_incref(json_object_get(b, "status"));
	sj = spec != NULL ? json_dumps(spec, JSON_SORT_KEYS | JSON_COMPACT) :
	    NULL;
	xasprintf(&text, "%s|%s|%s", sj != NULL ? sj : "null",
	    lb != NULL ? lb : "", p->error != NULL ? p->error : "");
	free(sj);
	if (!streq(text, p->spec_text)) {
		free(p->spec_text);
		p->spec_text = text;
		spec_clear(&p->spec);
		spec_parse(spec, lb, &p->spec);
		if (p->error != NULL)
			issues_add(&p->spec.issues, ISSUE_ERROR, "object", "%s",
			    p->error);
		p->parsed = 1;
		q_ipam(m, p, Q_DIRTY);
	} else
		free(text);
	q_ipam(m, p, Q_WRITE);
}

static void
gone_egressipam(struct eip_model *m, struct ipam *p)
{
	p->present = 0;
	p->deleting = 1;
	free(p->rv);
	p->rv = NULL;
	q_ipam(m, p, Q_DIRTY | Q_WRITE | Q_GC);
}

static enum platform
platform_of(const char *s)
{
	if (streq(s, "AWS"))
		return PF_AWS;
	if (streq(s, "Azure"))
		return PF_AZURE;
	/* GCP, BareMetal, VSphere, oVirt, OpenStack, None...: bare metal. */
	return PF_BAREMETAL;
}

static void
decide_backend(struct eip_model *m)
{
	const char *nt = m->cfg.network_type != NULL ? m->cfg.network_type :
	    m->network_type;
	enum backend old = m->backend;
	enum platform oldp = m->platform;

	if (streq(nt, "OpenShiftSDN"))
		m->backend = BK_SDN;
	else if (streq(nt, "OVNKubernetes"))
		m->backend = BK_OVN;
	else if (m->all_synced && !(m->unserved & (1u << K_HOSTSUBNET)))
		m->backend = BK_SDN;	/* no Network object: what is served */
	else if (m->all_synced && !(m->unserved & (1u << K_EGRESSIP)))
		m->backend = BK_OVN;
	else
		m->backend = BK_UNKNOWN;
	m->platform = platform_of(m->cfg.platform != NULL ? m->cfg.platform :
	    m->platform_name);
	if (m->all_synced && (old != m->backend || oldp != m->platform)) {
		log_info("network %s, platform %s",
		    m->backend == BK_SDN ? "OpenShiftSDN" : m->backend == BK_OVN ?
		    "OVNKubernetes" : "unknown", m->platform == PF_AWS ? "AWS" :
		    m->platform == PF_AZURE ? "Azure" : "bare metal");
		queue_all(m);
	}
}

static void
in_infrastructure(struct eip_model *m, const json_t *b)
{
	setstr(&m->platform_name, eip_str(b, "platform"));
	json_decref(m->infra);
	m->infra = json_deep_copy(b);
	decide_backend(m);
}

static void
in_network(struct eip_model *m, const json_t *b)
{
	setstr(&m->network_type, eip_str(b, "network_type"));
	decide_backend(m);
}

static int
kind_of(const char *s)
{
	int i;

	for (i = 0; i < K_MAX; i++)
		if (streq(s, kind_names[i]))
			return i;
	return -1;
}

static void
in_delete(struct eip_model *m, const json_t *b)
{
	const char *name = eip_str(b, "name");
	struct ipam *p;
	struct node *n;
	struct ns *ns;

	switch (kind_of(eip_str(b, "kind"))) {
	case K_NAMESPACE:
		if ((ns = ns_get(m, name, 0)) != NULL && ns->present)
			gone_namespace(m, ns);
		break;
	case K_NETNAMESPACE:
		if ((ns = ns_get(m, name, 0)) != NULL && ns->nn_present)
			gone_netnamespace(m, ns);
		break;
	case K_EGRESSIP:
		foreign_eip_set(m, name, NULL);
		if (strncmp(name, EIP_OBJ_PREFIX, strlen(EIP_OBJ_PREFIX)) == 0 &&
		    (ns = ns_get(m, name + strlen(EIP_OBJ_PREFIX), 0)) != NULL &&
		    ns->eip_present)
			gone_egressip(m, ns);
		break;
	case K_NODE:
		if ((n = node_get(m, name, 0)) != NULL && n->present)
			gone_node(m, n);
		break;
	case K_HOSTSUBNET:
		if ((n = node_get(m, name, 0)) != NULL && n->hs_present)
			gone_hostsubnet(m, n);
		break;
	case K_EGRESSIPAM:
		if ((p = ipam_get(m, name, 0)) != NULL && p->present)
			gone_egressipam(m, p);
		break;
	case K_INFRASTRUCTURE:
		setstr(&m->platform_name, NULL);
		decide_backend(m);
		break;
	case K_NETWORK:
		setstr(&m->network_type, NULL);
		decide_backend(m);
		break;
	}
}

/*
 * After a replay, objects of the kind that were not sent again are gone:
 * the watcher lists what exists, it does not list what was deleted.
 */
static void
sweep_kind(struct eip_model *m, int k)
{
	unsigned ep = m->epoch[k];
	struct ipam *p;
	struct node *n;
	struct ns *ns;
	size_t it = 0;

	switch (k) {
	case K_NAMESPACE:
	case K_NETNAMESPACE:
	case K_EGRESSIP:
		while ((ns = hmap_next(&m->nss, &it)) != NULL) {
			if (k == K_NAMESPACE && ns->present && ns->ep_ns != ep)
				gone_namespace(m, ns);
			if (k == K_NETNAMESPACE && ns->nn_present &&
			    ns->ep_nn != ep)
				gone_netnamespace(m, ns);
			if (k == K_EGRESSIP && ns->eip_present &&
			    ns->ep_eip != ep)
				gone_egressip(m, ns);
		}
		break;
	case K_NODE:
	case K_HOSTSUBNET:
		while ((n = hmap_next(&m->nodes, &it)) != NULL) {
			if (k == K_NODE && n->present && n->ep_node != ep)
				gone_node(m, n);
			if (k == K_HOSTSUBNET && n->hs_present && n->ep_hs != ep)
				gone_hostsubnet(m, n);
		}
		break;
	case K_EGRESSIPAM:
		while ((p = hmap_next(&m->ipams, &it)) != NULL)
			if (p->present && p->ep != ep)
				gone_egressipam(m, p);
		break;
	}
}

static void
in_synced(struct eip_model *m, const json_t *b, int unserved)
{
	int k = kind_of(eip_str(b, "kind"));

	if (k < 0)
		return;
	if (unserved) {
		m->unserved |= 1u << k;
		log_info("%s is not served by this cluster: %s", kind_names[k],
		    eip_str(b, "reason"));
	} else
		m->unserved &= ~(1u << k);
	sweep_kind(m, k);
	m->synced |= 1u << k;
	if (m->all_synced || m->synced != (1u << K_MAX) - 1)
		return;
	m->all_synced = 1;
	log_info("every kind is synced");
	decide_backend(m);
	if (model_cloud(m))
		cloud_start(m);
	else
		m->ready = 1;
	queue_all(m);
}

static void
in_leader(struct eip_model *m, const json_t *b)
{
	int l = eip_bool(b, "leading", 0);

	if (l == m->leading)
		return;
	m->leading = l;
	log_info("%s", l ? "leading: writes enabled" : "not leading: no writes");
	if (l)
		queue_all(m);
}


int
model_input(struct eip_model *m, uint16_t type, uint64_t corr,
    const json_t *b, char *err, size_t errlen)
{
	switch (type) {
	case EIP_MSG_OBJ_NAMESPACE:	in_namespace(m, b); break;
	case EIP_MSG_OBJ_NODE:		in_node(m, b); break;
	case EIP_MSG_OBJ_EGRESSIPAM:	in_egressipam(m, b); break;
	case EIP_MSG_OBJ_HOSTSUBNET:	in_hostsubnet(m, b); break;
	case EIP_MSG_OBJ_NETNAMESPACE:	in_netnamespace(m, b); break;
	case EIP_MSG_OBJ_EGRESSIP:	in_egressip(m, b); break;
	case EIP_MSG_OBJ_INFRASTRUCTURE: in_infrastructure(m, b); break;
	case EIP_MSG_OBJ_NETWORK:	in_network(m, b); break;
	case EIP_MSG_OBJ_DELETE:	in_delete(m, b); break;
	case EIP_MSG_SYNCED:		in_synced(m, b, 0); break;
	case EIP_MSG_KIND_UNSERVED:	in_synced(m, b, 1); break;
	case EIP_MSG_LEADER:		in_leader(m, b); break;
	case EIP_MSG_W_RESULT:		write_result(m, corr, b); break;
	case EIP_MSG_CLOUD_DISCOVERED:	cloud_discovered(m, b); break;
	case EIP_MSG_CLOUD_ENSURED:	cloud_ensured(m, corr, b); break;
	default:
		snprintf(err, errlen, "%s is not for the model",
		    eip_msg_name(type));
		errno = EINVAL;
		return -1;
	}
	return 0;
}

