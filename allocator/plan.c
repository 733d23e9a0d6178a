/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipamctl plan -f egressipam.yaml: what applying an EgressIPAM would
 * change, computed from the model's current state and written nowhere:
 * validation, CIDRs added and removed with their free addresses, nodes
 * joining and leaving (and the IPs that would move), namespaces gaining
 * and losing IPs, the HostSubnet mode, overlaps with other EgressIPAMs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "model_int.h"
#include "xmalloc.h"

#define PLAN_LIST_MAX	200	/* namespaces and nodes listed by name */

static void
line(json_t *lines, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
line(json_t *lines, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	if (s != NULL) {
		json_array_append_new(lines, json_string(s));
		free(s);
	}
}

static int
opted_in(const struct ns *ns, const char *name)
{
	return ns->present && !ns->deleting && ns->want != NULL &&
	    strcmp(ns->want, name) == 0;
}

/* Free addresses of a new CIDR once everything the model knows is excluded. */
static u128
new_cidr_free(struct eip_model *m, const struct eip_assign *a,
    const struct ipam *self)
{
	struct eip_pool *pool = pool_new(&a->cidr);
	struct ipent *e;
	struct node *n;
	size_t it = 0, i;
	u128 nfree;

	if (pool == NULL)
		return 0;
	for (i = 0; i < a->nreserved; i++)
		pool_mark(pool, &a->reserved[i], POOL_RESERVED);
	while ((n = hmap_next(&m->nodes, &it)) != NULL)
		if (n->present && n->iip.family != 0 &&
		    cidr_contains(&a->cidr, &n->iip))
			pool_mark(pool, &n->iip, POOL_NODE);
	it = 0;
	while ((e = hmap_next(&m->ips, &it)) != NULL)
		if (cidr_contains(&a->cidr, &e->ip) && ((e->holder != NULL &&
		    e->holder->bound != self) || e->cloud))
			pool_mark(pool, &e->ip, e->cloud ? POOL_CLOUD :
			    POOL_HELD);
	nfree = pool_nfree(pool);
	pool_free(pool);
	return nfree;
}

/* Nodes that would belong to assignment i under the new spec. */
static size_t
cidr_nodes(struct eip_model *m, struct eip_spec *sp, size_t i)
{
	struct node *n;
	size_t it = 0, count = 0;

	while ((n = hmap_next(&m->nodes, &it)) != NULL)
		if (n->present && spec_assignment_of(sp, n->labels) == (int)i)
			count++;
	return count;
}

static void
plan_cidrs(struct eip_model *m, const char *name, struct eip_spec *sp,
    struct ipam *p, size_t needed, json_t *cidrs, json_t *lines)
{
	struct ipam *q;
	char a[48], b[48];
	size_t i, j, it;

	for (i = 0; i < sp->n; i++) {
		const struct eip_assign *as = &sp->a[i];
		int kept = p != NULL && spec_find_cidr(&p->spec, &as->cidr) >= 0;
		u128 size, nfree;

		if (!as->ok)
			continue;
		size = cidr_last_offset(&as->cidr) + 1;
		if (kept) {
			json_array_append_new(cidrs, json_pack("{s:s,s:s,s:s}",
			    "CIDR", as->cidr_str, "change", "kept", "zone",
			    as->label_value ? as->label_value : ""));
			continue;
		}
		nfree = new_cidr_free(m, as, p);
		json_array_append_new(cidrs, json_pack("{s:s,s:s,s:s,s:s,s:s,"
		    "s:I}", "CIDR", as->cidr_str, "change", "added", "zone",
		    as->label_value ? as->label_value : "", "size",
		    u128_format(size, a, sizeof(a)), "free",
		    u128_format(nfree, b, sizeof(b)), "needed",
		    (json_int_t)needed));
		line(lines, "CIDR %s (zone \"%s\") is added: %s of %s addresses "
		    "free; %zu namespace(s) get one%s.", as->cidr_str,
		    as->label_value ? as->label_value : "", b, a, needed,
		    nfree < (u128)needed ? " — NOT ENOUGH: the rest wait "
		    "(CIDRExhausted)" : "");
		if (model_cloud(m))
			line(lines, "  (the cloud may hold more of its addresses; "
			    "discovery decides when it is applied.)");
		if (cidr_nodes(m, sp, i) == 0)
			line(lines, "  warning: no node would carry its IPs: no "
			    "node matches the nodeSelector with %s=%s.",
			    sp->topology_label ? sp->topology_label : "?",
			    as->label_value ? as->label_value : "");
		it = 0;
		while ((q = hmap_next(&m->ipams, &it)) != NULL) {
			if (q == p || !q->present || strcmp(q->name, name) == 0)
				continue;
			for (j = 0; j < q->spec.n; j++)
				if (q->spec.a[j].ok && cidr_overlaps(&as->cidr,
				    &q->spec.a[j].cidr))
					line(lines, "ERROR: CIDR %s overlaps %s of "
					    "EgressIPAM %s.", as->cidr_str,
					    q->spec.a[j].cidr_str, q->name);
		}
	}
	for (i = 0; p != NULL && i < p->spec.n; i++) {
		size_t held = i < p->nslots ?
		    pool_count(p->slots[i]->pool, POOL_HELD) : 0;

		if (!p->spec.a[i].ok || spec_find_cidr(sp, &p->spec.a[i].cidr) >= 0)
			continue;
		json_array_append_new(cidrs, json_pack("{s:s,s:s,s:I}", "CIDR",
		    p->spec.a[i].cidr_str, "change", "removed", "released",
		    (json_int_t)held));
		line(lines, "CIDR %s is removed: its %zu held IP(s) are released "
		    "everywhere.", p->spec.a[i].cidr_str, held);
	}
}

static void
plan_nodes(struct eip_model *m, const char *name, struct eip_spec *sp,
    struct ipam *p, json_t *nodes, json_t *lines, int *capnodes)
{
	struct node *n;
	struct ipam *q;
	size_t it = 0, it2, moved = 0, listed = 0;
	int now, was;
	const char *now_c, *was_c, *change;

	while ((n = hmap_next(&m->nodes, &it)) != NULL) {
		if (!n->present)
			continue;
		now = spec_assignment_of(sp, n->labels);
		was = (p != NULL && n->ipam == p) ? n->aidx : -1;
		now_c = now >= 0 ? sp->a[now].cidr_str : NULL;
		was_c = was >= 0 && (size_t)was < p->spec.n ?
		    p->spec.a[was].cidr_str : NULL;
		if (now >= 0 && n->cap_annot >= 0)
			(*capnodes)++;
		if (now >= 0) {
			it2 = 0;
			while ((q = hmap_next(&m->ipams, &it2)) != NULL)
				if (q != p && q->present && !q->deleting &&
				    strcmp(q->name, name) != 0 &&
				    spec_assignment_of(&q->spec, n->labels) >= 0)
					line(lines, "ERROR: node %s would also "
					    "belong to EgressIPAM %s (overlap: it "
					    "would carry IPs of neither).", n->name,
					    q->name);
		}
		if (now_c == NULL && was_c == NULL)
			continue;
		if (now_c != NULL && was_c != NULL && strcmp(now_c, was_c) == 0)
			continue;
		change = was_c == NULL ? "joins" : now_c == NULL ? "leaves" :
		    "moves";
		/* IPs of a removed CIDR are released, not moved. */
		if (was_c != NULL && spec_find_cidr(sp,
		    &p->spec.a[was].cidr) >= 0)
			moved += n->nplaced;
		if (listed++ < PLAN_LIST_MAX)
			json_array_append_new(nodes, json_pack("{s:s,s:s,s:o,s:o,"
			    "s:I}", "node", n->name, "change", change, "from",
			    was_c ? json_string(was_c) : json_null(), "to",
			    now_c ? json_string(now_c) : json_null(),
			    "ips_moving", was_c != NULL && spec_find_cidr(sp,
			    &p->spec.a[was].cidr) >= 0 ? (json_int_t)n->nplaced :
			    0));
	}
	if (listed > 0)
		line(lines, "%zu node(s) join, leave or change CIDR; %zu placed "
		    "IP(s) would move to other nodes of their zone.", listed,
		    moved);
}

static void
plan_namespaces(struct eip_model *m, const char *name, struct eip_spec *sp,
    struct ipam *p, json_t *out, json_t *lines, size_t *needed)
{
	struct ns *ns;
	size_t it = 0, i, listed = 0, gaining = 0, losing = 0;
	char a[IP_STRLEN];

	*needed = 0;
	while ((ns = hmap_next(&m->nss, &it)) != NULL) {
		json_t *gets = json_array(), *loses = json_array();

		if (!opted_in(ns, name)) {
			json_decref(gets);
			json_decref(loses);
			continue;
		}
		(*needed)++;
		for (i = 0; i < sp->n; i++)
			if (sp->a[i].ok && (p == NULL || ns->bound != p ||
			    spec_find_cidr(&p->spec, &sp->a[i].cidr) < 0))
				json_array_append_new(gets,
				    json_string(sp->a[i].cidr_str));
		for (i = 0; ns->bound == p && p != NULL && i < ns->nips; i++)
			if (ns->ips[i] != NULL && i < p->spec.n &&
			    spec_find_cidr(sp, &p->spec.a[i].cidr) < 0)
				json_array_append_new(loses, json_string(ip_format(
				    &ns->ips[i]->ip, a, sizeof(a))));
		gaining += json_array_size(gets) > 0;
		losing += json_array_size(loses) > 0;
		if ((json_array_size(gets) > 0 || json_array_size(loses) > 0) &&
		    listed++ < PLAN_LIST_MAX)
			json_array_append_new(out, json_pack("{s:s,s:o,s:o}",
			    "namespace", ns->name, "gets", gets, "loses", loses));
		else {
			json_decref(gets);
			json_decref(loses);
		}
	}
	line(lines, "%zu namespace(s) opted in: %zu would get new IPs, %zu "
	    "would lose some.", *needed, gaining, losing);
	/* Namespaces that already hold all their CIDRs need no new address. */
	*needed = gaining;
}

json_t *
model_plan(struct eip_model *m, const json_t *obj, char *err, size_t errlen)
{
	json_t *lines = json_array(), *cidrs = json_array();
	json_t *nodes = json_array(), *nss = json_array(), *issues;
	const json_t *md, *spec, *ann;
	struct eip_spec sp;
	struct ipam *p;
	const char *name, *kind, *lb;
	size_t i, needed;
	int capnodes = 0, after, before, valid;

	md = json_object_get(obj, "metadata");
	spec = json_object_get(obj, "spec");
	name = json_string_value(json_object_get(md, "name"));
	kind = json_string_value(json_object_get(obj, "kind"));
	if (!json_is_object(obj) || name == NULL || !json_is_object(spec) ||
	    (kind != NULL && strcmp(kind, "EgressIPAM") != 0)) {
		snprintf(err, errlen, "expected an EgressIPAM with metadata.name "
		    "and spec");
		json_decref(lines);
		json_decref(cidrs);
		json_decref(nodes);
		json_decref(nss);
		return NULL;
	}
	ann = json_object_get(md, "annotations");
	lb = json_string_value(json_object_get(ann, A_PREFIX
	    "azure-egress-load-balancer"));
	memset(&sp, 0, sizeof(sp));
	spec_parse(spec, lb, &sp);
	p = ipam_get(m, name, 0);
	if (p != NULL && !p->present)
		p = NULL;
	line(lines, "EgressIPAM %s %s.", name, p == NULL ? "would be created" :
	    "would be updated");
	issues = json_array();
	for (i = 0; i < sp.issues.n; i++) {
		json_array_append_new(issues, json_pack("{s:s,s:s,s:s}",
		    "severity", sp.issues.v[i].sev == ISSUE_ERROR ? "error" :
		    "warning", "field", sp.issues.v[i].field, "reason",
		    sp.issues.v[i].reason));
		line(lines, "%s: %s: %s", sp.issues.v[i].sev == ISSUE_ERROR ?
		    "ERROR" : "warning", sp.issues.v[i].field,
		    sp.issues.v[i].reason);
	}
	valid = spec_valid(&sp);
	if (!valid)
		line(lines, "The spec is invalid: the operator would change "
		    "nothing for this EgressIPAM until it is fixed.");
	plan_namespaces(m, name, &sp, p, nss, lines, &needed);
	plan_cidrs(m, name, &sp, p, needed, cidrs, lines);
	plan_nodes(m, name, &sp, p, nodes, lines, &capnodes);
	before = p != NULL ? p->cidr_mode : -1;
	after = m->backend == BK_SDN && !model_cloud(m) && sp.n == 1 &&
	    capnodes == 0;
	if (m->backend == BK_SDN && before != after)
		line(lines, "HostSubnets would switch to %s mode.", after ?
		    "egressCIDRs (SDN places the IPs)" : "explicit egressIPs");
	spec_clear(&sp);
	return json_pack("{s:s,s:b,s:o,s:o,s:o,s:o,s:o,s:s}", "name", name,
	    "valid", valid, "issues", issues,
	    "cidrs", cidrs, "nodes", nodes, "namespaces", nss, "lines", lines,
	    "mode", m->backend == BK_OVN ? "ovn" : after ? "cidr" : "explicit");
}
