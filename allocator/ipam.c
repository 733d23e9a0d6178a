/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EgressIPAMs in the model: applying a (re)parsed spec to the pools
 * (slots), the checks across EgressIPAMs (overlapping CIDRs, nodes
 * selected twice), and which IPAM and CIDR each node belongs to.
 */
#include <stdlib.h>
#include <string.h>

#include "eip_proto.h"
#include "log.h"
#include "model_int.h"
#include "xmalloc.h"

int
ipam_active(const struct ipam *p)
{
	return p->present && p->parsed && !p->frozen && !p->deleting;
}

int
ipam_halted(const struct eip_model *m, const struct ipam *p)
{
	return !m->cfg.isolate && p->bad.n > 0;
}

static void
slot_set_reserved(struct eip_model *m, struct slot *s,
    const struct eip_assign *a)
{
	size_t i;

	for (i = 0; i < s->reserved.n; i++)
		pool_unmark(s->pool, &s->reserved.v[i], POOL_RESERVED);
	iplist_set(&s->reserved, a->reserved, a->nreserved);
	for (i = 0; i < s->reserved.n; i++)
		if (pool_flags(s->pool, &s->reserved.v[i]) >= 0)
			pool_mark(s->pool, &s->reserved.v[i], POOL_RESERVED);
	/* Unreserving frees addresses; reserving may invalidate claims. */
	s->gained = 1;
	(void)m;
}

static struct slot *
slot_new(struct eip_model *m, struct ipam *p, size_t idx)
{
	struct slot *s = xcalloc(1, sizeof(*s));

	s->ipam = p;
	s->idx = idx;
	s->pool = pool_new(&p->spec.a[idx].cidr);
	ptrvec_push(&m->slots, s);
	ip_mark_pool(m, s);
	s->cloud_ready = !model_cloud(m) || cloud_subnet_ready(m, &s->pool->cidr);
	return s;
}

void
slot_free(struct eip_model *m, struct slot *s)
{
	struct ipent *e;
	struct node *n;
	struct ns *ns;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->waiting.n; i++) {
		ns = s->waiting.v[i];
		ns->waiting = NULL;
		q_ns(m, ns, Q_DIRTY);
	}
	for (i = 0; i < s->unplaced.n; i++) {
		e = s->unplaced.v[i];
		e->queued &= ~Q_UNPLACED;
		q_ip(m, e);
	}
	for (i = 0; i < s->nodes.n; i++) {
		n = s->nodes.v[i];
		if (n->ipam == s->ipam && n->aidx == (int)s->idx) {
			n->aidx = -1;
			q_node(m, n, Q_DIRTY | Q_WRITE);
		}
	}
	ptrvec_remove(&m->slots, s);
	pool_free(s->pool);
	ptrvec_clear(&s->nodes);
	ptrvec_clear(&s->waiting);
	ptrvec_clear(&s->unplaced);
	iplist_clear(&s->reserved);
	iplist_clear(&s->cloud_used);
	free(s);
}

void
ipam_free(struct ipam *p)
{
	size_t i;

	free(p->name);
	free(p->uid);
	free(p->rv);
	free(p->error);
	for (i = 0; i < p->nfinalizers; i++)
		free(p->finalizers[i]);
	free(p->finalizers);
	free(p->spec_text);
	json_decref(p->status_obs);
	spec_clear(&p->spec);
	free(p->slots);
	hmap_clear(&p->refs);
	ptrvec_clear(&p->bad);
	ptrvec_clear(&p->overlap);
	issues_clear(&p->cross);
	free(p->werr);
	free(p->werr_obj);
	free(p->ev_text);
	free(p->w_fin.stale_rv);
	free(p->w_status.stale_rv);
	free(p);
}

static void
queue_refs(struct eip_model *m, struct ipam *p)
{
	struct ns *ns;
	size_t it = 0;

	while ((ns = hmap_next(&p->refs, &it)) != NULL)
		q_ns(m, ns, Q_DIRTY | Q_WRITE);
}

static void
queue_nodes(struct eip_model *m)
{
	struct node *n;
	size_t it = 0;

	while ((n = hmap_next(&m->nodes, &it)) != NULL)
		q_node(m, n, Q_DIRTY | Q_WRITE);
}

/* CIDR mode: SDN places the IPs itself; see doc/ALLOCATOR.md. */
static int
want_cidr_mode(const struct eip_model *m, const struct ipam *p)
{
	const struct node *n;
	size_t i;

	if (m->backend != BK_SDN || m->platform != PF_BAREMETAL ||
	    p->nslots != 1)
		return 0;
	for (i = 0; i < p->slots[0]->nodes.n; i++) {
		n = p->slots[0]->nodes.v[i];
		if (n->cap_annot >= 0)
			return 0;
	}
	return 1;
}

/* Slots follow the spec's assignments; pools survive when CIDRs do. */
static void
ipam_slots(struct eip_model *m, struct ipam *p)
{
	struct slot **ns, *s;
	size_t i, j;

	ns = xcalloc(p->spec.n + 1, sizeof(*ns));
	for (i = 0; i < p->spec.n; i++) {
		for (j = 0; j < p->nslots; j++) {
			s = p->slots[j];
			if (s != NULL && cidr_equal(&s->pool->cidr,
			    &p->spec.a[i].cidr)) {
				ns[i] = s;
				p->slots[j] = NULL;
				break;
			}
		}
		if (ns[i] == NULL)
			ns[i] = slot_new(m, p, i);
		ns[i]->idx = i;
		slot_set_reserved(m, ns[i], &p->spec.a[i]);
	}
	for (j = 0; j < p->nslots; j++)
		slot_free(m, p->slots[j]);
	free(p->slots);
	p->slots = ns;
	p->nslots = p->spec.n;
	p->layout++;
}

void
ipam_teardown(struct eip_model *m, struct ipam *p)
{
	size_t j;

	for (j = 0; j < p->nslots; j++)
		slot_free(m, p->slots[j]);
	free(p->slots);
	p->slots = NULL;
	p->nslots = 0;
}

void
ipam_apply(struct eip_model *m, struct ipam *p)
{
	int was_frozen = p->frozen;

	queue_refs(m, p);
	q_ipam(m, p, Q_WRITE);
	if (!p->present || !p->parsed) {
		/* Gone: bindings are released first, then the pools go. */
		if (p->nbound == 0)
			ipam_teardown(m, p);	/* else after the last release */
		queue_nodes(m);
		return;
	}
	p->frozen = !spec_valid(&p->spec);
	/*
	 * A deleting IPAM keeps its pools until the finalizer goes, so
	 * what is inside its CIDRs is still recognised as ours to clean.
	 * An invalid spec never blocks deletion (upstream 12.17).
	 */
	if (p->frozen || p->deleting) {
		if (p->frozen && !was_frozen)
			log_warn("EgressIPAM %s: invalid spec, nothing is changed "
			    "for it until it is fixed", p->name);
		queue_nodes(m);
		return;
	}
	ipam_slots(m, p);
	/* The bindings follow the new layout and are placed again. */
	p->cidr_mode = want_cidr_mode(m, p);
	queue_nodes(m);
}

/* Is this egressCIDRs entry one of our CIDRs? */
int
ipam_owns_cidr(const struct eip_model *m, const char *s)
{
	const struct slot *sl;
	struct eip_cidr c;
	size_t i;

	if (s == NULL || cidr_parse(s, &c) == -1)
		return 0;
	for (i = 0; i < m->slots.n; i++) {
		sl = m->slots.v[i];
		if (cidr_equal(&sl->pool->cidr, &c))
			return 1;
	}
	return 0;
}

/* CIDRs overlapping across EgressIPAMs, reported on both. */
void
ipam_cross_check(struct eip_model *m)
{
	struct ipam *a, *b;
	struct eip_issues old;
	size_t it, it2, i, j;
	char f[96];

	it = 0;
	while ((a = hmap_next(&m->ipams, &it)) != NULL) {
		old = a->cross;
		memset(&a->cross, 0, sizeof(a->cross));
		if (ipam_active(a)) {
			it2 = 0;
			while ((b = hmap_next(&m->ipams, &it2)) != NULL) {
				if (b == a || !ipam_active(b))
					continue;
				for (i = 0; i < a->spec.n; i++)
					for (j = 0; j < b->spec.n; j++) {
						if (!cidr_overlaps(&a->spec.a[i].cidr,
						    &b->spec.a[j].cidr))
							continue;
						snprintf(f, sizeof(f),
						    "spec.cidrAssignments[%zu].CIDR", i);
						issues_add(&a->cross, ISSUE_ERROR, f,
						    "%s overlaps %s of EgressIPAM %s",
						    a->spec.a[i].cidr_str,
						    b->spec.a[j].cidr_str, b->name);
					}
			}
		}
		if (!issues_equal(&old, &a->cross))
			q_ipam(m, a, Q_WRITE);
		issues_clear(&old);
	}
}

static void
mode_queue(struct eip_model *m, struct ipam *p)
{
	q_ipam(m, p, Q_WRITE);
	if (!p->mode_check) {
		p->mode_check = 1;
		ptrvec_push(&m->q_mode, p);
	}
}

/*
 * The nodes of an IPAM changed: CIDR mode may turn on or off, and with
 * it who places the IPs.  Rare, so touching every binding is fine.
 */
void
ipam_mode_check(struct eip_model *m, struct ipam *p)
{
	struct ns *ns;
	size_t it = 0, i;
	int mode;

	p->mode_check = 0;
	if (!ipam_active(p))
		return;
	mode = want_cidr_mode(m, p);
	if (mode == p->cidr_mode)
		return;
	log_info("EgressIPAM %s: %s", p->name, mode ? "egressCIDRs mode" :
	    "explicit egressIPs mode");
	p->cidr_mode = mode;
	while ((ns = hmap_next(&p->refs, &it)) != NULL)
		if (ns->bound == p)
			for (i = 0; i < ns->nips; i++)
				if (ns->ips[i] != NULL)
					q_ip(m, ns->ips[i]);
	queue_nodes(m);
}

static void
slot_node_del(struct node *n)
{
	if (n->ipam != NULL && n->aidx >= 0 && (size_t)n->aidx < n->ipam->nslots)
		ptrvec_remove(&n->ipam->slots[n->aidx]->nodes, n);
}

void
ipam_membership(struct eip_model *m, struct node *n)
{
	struct ptrvec sel = { NULL, 0, 0 };
	struct ipam *p, *np = NULL;
	size_t it = 0, i;
	int aidx = -1, cand;

	/* A frozen IPAM keeps its nodes as they are. */
	if (n->ipam != NULL && n->ipam->frozen && n->ipam->present &&
	    !n->ipam->deleting && n->present)
		return;
	/*
	 * A node belongs to an IPAM when its selector matches and its
	 * topology label names one of the IPAM's CIDRs.  Nodes that belong
	 * to two carry IPs of neither (doc/ALLOCATOR.md).
	 */
	while (n->present && (p = hmap_next(&m->ipams, &it)) != NULL)
		if (ipam_active(p) && spec_assignment_of(&p->spec, n->labels) >= 0)
			ptrvec_push(&sel, p);
	for (i = 0; i < n->sel.n; i++) {
		p = n->sel.v[i];
		if (ptrvec_remove(&p->overlap, n))
			q_ipam(m, p, Q_WRITE);
	}
	if (sel.n > 1)
		for (i = 0; i < sel.n; i++) {
			ptrvec_push(&((struct ipam *)sel.v[i])->overlap, n);
			q_ipam(m, sel.v[i], Q_WRITE);
		}
	ptrvec_clear(&n->sel);
	n->sel = sel;
	n->nsel = (int)sel.n;
	if (sel.n == 1) {
		np = sel.v[0];
		aidx = spec_assignment_of(&np->spec, n->labels);
	}
	if (np != n->ipam || aidx != n->aidx) {
		slot_node_del(n);
		if (n->ipam != NULL)
			mode_queue(m, n->ipam);
		n->ipam = np;
		n->aidx = aidx;
		if (np != NULL && aidx >= 0)
			ptrvec_push(&np->slots[aidx]->nodes, n);
		if (np != NULL)
			mode_queue(m, np);
		q_node(m, n, Q_WRITE);
	}
	if (np != NULL && n->cap_annot != n->seen_cap)
		mode_queue(m, np);	/* CIDR mode may change */
	n->seen_cap = n->cap_annot;
	cand = np != NULL && aidx >= 0 && n->present && n->ready;
	if (m->backend == BK_SDN && !n->hs_present)
		cand = 0;
	if (model_cloud(m) && n->cloud != 1)
		cand = 0;
	n->candidate = cand;
}
