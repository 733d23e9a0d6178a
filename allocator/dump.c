/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The debug dump: the model's whole state as JSON, keyed the way
 * `eipamctl explain` asks (namespace/<ns>, ip/<ip>, node/<node>), each
 * record carrying the facts a decision was made from.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "eip_proto.h"
#include "model_int.h"
#include "xmalloc.h"

static json_t *
ips_json(const struct iplist *l)
{
	json_t *a = json_array();
	char s[IP_STRLEN];
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(ip_format(&l->v[i], s,
		    sizeof(s))));
	return a;
}

static json_t *
jstr(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
dump_ns(struct ns *ns)
{
	json_t *o, *ips = json_array();
	char s[IP_STRLEN];
	size_t i;

	for (i = 0; i < ns->nips; i++)
		json_array_append_new(ips, ns->ips[i] != NULL ?
		    json_string(ip_format(&ns->ips[i]->ip, s, sizeof(s))) :
		    json_null());
	o = json_pack("{s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:I, s:o}",
	    "present", ns->present, "deleting", ns->deleting,
	    "opt_in", jstr(ns->want), "annotation", jstr(ns->annot),
	    "bound", jstr(ns->bound != NULL ? ns->bound->name : NULL),
	    "ips", ips, "rejected", jstr(ns->bad), "ours", (json_int_t)ns->ours,
	    "waiting_for", jstr(ns->waiting != NULL ?
	    ns->waiting->ipam->spec.a[ns->waiting->idx].cidr_str : NULL));
	if (ns->nn_present)
		json_object_set_new(o, "netnamespace", ips_json(&ns->nn_ips));
	if (ns->eip_present)
		json_object_set_new(o, "egressip", json_pack("{s:o, s:o}", "ips",
		    ips_json(&ns->eip_ips), "placed", ips_json(&ns->eip_status)));
	json_object_set_new(o, "writes_in_flight", json_pack("{s:b, s:b, s:b}",
	    "annotation", ns->w_annot.corr != 0, "netnamespace",
	    ns->w_nn.corr != 0, "egressip", ns->w_eip.corr != 0));
	return o;
}

static json_t *
dump_node(const struct eip_model *m, struct node *n)
{
	json_t *o, *placed = json_array(), *cidrs = json_array();
	char s[IP_STRLEN];
	size_t i;
	long cap = place_capacity(m, n);

	for (i = 0; i < n->nplaced; i++)
		json_array_append_new(placed, json_string(ip_format(
		    &n->placed[i]->ip, s, sizeof(s))));
	for (i = 0; i < n->hs_ncidrs; i++)
		json_array_append_new(cidrs, json_string(n->hs_cidrs[i]));
	o = json_pack("{s:b, s:b, s:o, s:i, s:i, s:b, s:o, s:o, s:o}",
	    "present", n->present, "ready", n->ready,
	    "ipam", jstr(n->ipam != NULL ? n->ipam->name : NULL),
	    "cidr_index", n->aidx, "selected_by", n->nsel,
	    "candidate", n->candidate, "capacity", cap == LONG_MAX ?
	    json_null() : json_integer(cap), "placed", placed,
	    "labelled_by_us", jstr(n->assignable_by));
	if (n->hs_present)
		json_object_set_new(o, "hostsubnet", json_pack("{s:o, s:o}",
		    "egressIPs", ips_json(&n->hs_ips), "egressCIDRs", cidrs));
	else
		json_decref(cidrs);
	if (n->cloud != 0)
		json_object_set_new(o, "cloud", json_pack("{s:b, s:o, s:o, s:I}",
		    "ok", n->cloud == 1, "nic", jstr(n->nic), "ips",
		    ips_json(&n->nic_ips), "capacity", (json_int_t)n->cloud_cap));
	return o;
}

static json_t *
dump_ipam(struct eip_model *m, struct ipam *p)
{
	json_t *o, *slots = json_array(), *nodes, *bad = json_array();
	char a[48], *issues;
	size_t i, j;

	for (i = 0; i < p->nslots; i++) {
		struct slot *s = p->slots[i];

		nodes = json_array();
		for (j = 0; j < s->nodes.n; j++)
			json_array_append_new(nodes, json_string(
			    ((struct node *)s->nodes.v[j])->name));
		json_array_append_new(slots, json_pack("{s:s, s:s, s:I, s:o, "
		    "s:I, s:I, s:b, s:b}", "cidr", p->spec.a[i].cidr_str, "free",
		    u128_format(pool_nfree(s->pool), a, sizeof(a)), "held",
		    (json_int_t)pool_count(s->pool, POOL_HELD), "nodes", nodes,
		    "waiting", (json_int_t)s->waiting.n, "unplaced",
		    (json_int_t)s->unplaced.n, "exhausted", s->exhausted,
		    "cloud_ready", s->cloud_ready));
	}
	for (i = 0; i < p->bad.n; i++)
		json_array_append_new(bad, json_string(((struct ns *)
		    p->bad.v[i])->name));
	issues = issues_text(&p->spec.issues, ISSUE_WARN);
	o = json_pack("{s:b, s:b, s:b, s:b, s:b, s:I, s:s, s:o, s:I, s:I, "
	    "s:I, s:o, s:b}", "present", p->present, "deleting", p->deleting,
	    "frozen", p->frozen, "cidr_mode", p->cidr_mode, "halted",
	    ipam_halted(m, p), "generation", (json_int_t)p->generation,
	    "spec_issues", issues, "slots", slots, "opted_in",
	    (json_int_t)p->refs.n, "holding", (json_int_t)p->nholding,
	    "complete", (json_int_t)p->ncomplete, "rejected", bad,
	    "cleanup_done", p->deleting && status_cleanup_done(m, p));
	free(issues);
	return o;
}

json_t *
dump_model(struct eip_model *m)
{
	json_t *root, *nss, *nodes, *ipams, *ips;
	struct ipam *p;
	struct node *n;
	struct ns *ns;
	struct ipent *e;
	char s[IP_STRLEN];
	size_t it;

	nss = json_object();
	it = 0;
	while ((ns = hmap_next(&m->nss, &it)) != NULL)
		json_object_set_new(nss, ns->name, dump_ns(ns));
	nodes = json_object();
	it = 0;
	while ((n = hmap_next(&m->nodes, &it)) != NULL)
		json_object_set_new(nodes, n->name, dump_node(m, n));
	ipams = json_object();
	it = 0;
	while ((p = hmap_next(&m->ipams, &it)) != NULL)
		json_object_set_new(ipams, p->name, dump_ipam(m, p));
	ips = json_object();
	it = 0;
	while ((e = hmap_next(&m->ips, &it)) != NULL)
		json_object_set_new(ips, ip_format(&e->ip, s, sizeof(s)),
		    json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:o, s:b}",
		    "holder", jstr(e->holder != NULL ? e->holder->name : NULL),
		    "node_ip_of", (json_int_t)e->nodes, "annotations",
		    (json_int_t)e->ann.n, "netnamespaces", (json_int_t)e->nn.n,
		    "egressips", (json_int_t)(e->eip.n + e->feips), "hostsubnets",
		    (json_int_t)e->hs.n, "nics", (json_int_t)e->nics.n,
		    "cloud_used", e->cloud, "placed", jstr(e->placed != NULL ?
		    e->placed->name : NULL), "ours", e->ours));
	root = json_pack("{s:b, s:b, s:b, s:s, s:s, s:I, s:I, s:o, s:o, s:o, "
	    "s:o}", "synced", m->all_synced, "ready", m->ready, "leading",
	    m->leading, "network", m->backend == BK_SDN ? "OpenShiftSDN" :
	    m->backend == BK_OVN ? "OVNKubernetes" : "unknown", "platform",
	    m->platform == PF_AWS ? "AWS" : m->platform == PF_AZURE ? "Azure" :
	    "BareMetal", "writes_in_flight", (json_int_t)m->pend.n,
	    "timers", (json_int_t)m->timers.n, "ipams", ipams, "namespaces",
	    nss, "nodes", nodes, "ips", ips);
	return root;
}
