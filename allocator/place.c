/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Placement (SPEC 4): which node carries each held IP when we place
 * them (OpenShift SDN explicit mode, with or without a cloud).  Each IP
 * goes to a Ready node of its CIDR, the one with the fewest IPs that
 * still has capacity; it stays there (sticky) until that node fails,
 * leaves, or loses capacity.  On OVN and in egressCIDRs mode the network
 * places the IPs itself and nothing here runs.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "model_int.h"
#include "xmalloc.h"

long
place_capacity(const struct eip_model *m, const struct node *n)
{
	long cap = LONG_MAX;

	if (n->cap_annot >= 0)
		cap = n->cap_annot;
	if (model_cloud(m) && n->cloud_cap >= 0 && n->cloud_cap < cap)
		cap = n->cloud_cap;
	return cap;
}

struct slot *
place_slot_of(const struct eip_model *m, const struct ipent *e)
{
	const struct ns *h = e->holder;
	size_t i;

	(void)m;
	if (h == NULL || h->bound == NULL)
		return NULL;
	for (i = 0; i < h->nips && i < h->bound->nslots; i++)
		if (h->ips[i] == e)
			return h->bound->slots[i];
	return NULL;
}

static void
wake_unplaced(struct eip_model *m, struct slot *s, long room)
{
	struct ipent *e;

	while (s->unplaced.n > 0 && room-- > 0) {
		e = s->unplaced.v[0];
		memmove(s->unplaced.v, s->unplaced.v + 1,
		    (s->unplaced.n - 1) * sizeof(void *));
		s->unplaced.n--;
		e->queued &= ~Q_UNPLACED;
		q_ip(m, e);
	}
}

static struct slot *
node_slot(const struct node *n)
{
	if (n->ipam == NULL || n->aidx < 0 || (size_t)n->aidx >= n->ipam->nslots)
		return NULL;
	return n->ipam->slots[n->aidx];
}

void
place_unset(struct eip_model *m, struct ipent *e)
{
	struct node *n = e->placed;
	struct ipent *last;
	struct slot *s;

	if (n == NULL)
		return;
	last = n->placed[--n->nplaced];
	n->placed[e->pidx] = last;
	last->pidx = e->pidx;
	e->placed = NULL;
	q_node(m, n, Q_WRITE);
	if (n->candidate && (s = node_slot(n)) != NULL)
		wake_unplaced(m, s, 1);
	ip_sync(m, e);
}

static void
place_set(struct eip_model *m, struct ipent *e, struct node *n)
{
	char a[IP_STRLEN];

	if (n->nplaced == n->capplaced) {
		n->capplaced = n->capplaced == 0 ? 8 : n->capplaced * 2;
		n->placed = xreallocarray(n->placed, n->capplaced,
		    sizeof(*n->placed));
	}
	e->pidx = n->nplaced;
	n->placed[n->nplaced++] = e;
	e->placed = n;
	q_node(m, n, Q_WRITE);
	model_trace_line(m, "%s of namespace %s placed on node %s",
	    ip_format(&e->ip, a, sizeof(a)), e->holder->name, n->name);
}

static int
fits(const struct eip_model *m, const struct node *n, const struct slot *s)
{
	return n->candidate && n->ipam == s->ipam && n->aidx == (int)s->idx &&
	    (long)n->nplaced < place_capacity(m, n);
}

static int
we_place(const struct eip_model *m, const struct ipam *p)
{
	return m->backend == BK_SDN && !p->cidr_mode;
}

void
place_ip(struct eip_model *m, struct ipent *e)
{
	struct slot *s = place_slot_of(m, e);
	struct node *best = NULL, *n;
	struct ns *h = e->holder;
	size_t i;

	if (s == NULL || !we_place(m, s->ipam) || h->bound->frozen) {
		if (s != NULL && h->bound->frozen)
			return;		/* nothing of a frozen IPAM moves */
		place_unset(m, e);
		if (e->queued & Q_UNPLACED) {
			struct slot *o;

			for (i = 0; i < m->slots.n; i++) {
				o = m->slots.v[i];
				ptrvec_remove(&o->unplaced, e);
			}
			e->queued &= ~Q_UNPLACED;
		}
		return;
	}
	/*
	 * Halted (SPEC 3: nothing new): only what the network already
	 * carries for the namespace is placed and keeps moving (failover);
	 * a placement nothing routes through is dropped, as a restart would.
	 */
	if ((ipam_halted(m, s->ipam) || h->bad != NULL) &&
	    !bind_claim_prio(m, h, e)) {
		place_unset(m, e);
		q_ipam(m, s->ipam, Q_WRITE);
		return;
	}
	if (e->placed != NULL) {
		n = e->placed;
		/* Sticky while the node is fit; capacity counts this IP. */
		if (n->candidate && n->ipam == s->ipam && n->aidx == (int)s->idx &&
		    (long)n->nplaced <= place_capacity(m, n))
			return;
		place_unset(m, e);
	}
	/* Where the cluster already has it (restart, or SDN's own choice). */
	for (i = 0; i < e->nics.n && best == NULL; i++)
		if (fits(m, e->nics.v[i], s))
			best = e->nics.v[i];
	for (i = 0; i < e->hs.n && best == NULL; i++)
		if (fits(m, e->hs.v[i], s))
			best = e->hs.v[i];
	if (best == NULL) {
		for (i = 0; i < s->nodes.n; i++) {
			n = s->nodes.v[i];
			if (!fits(m, n, s))
				continue;
			if (best == NULL || n->nplaced < best->nplaced ||
			    (n->nplaced == best->nplaced &&
			    strcmp(n->name, best->name) < 0))
				best = n;
		}
	}
	if (best == NULL) {
		if (!(e->queued & Q_UNPLACED)) {
			e->queued |= Q_UNPLACED;
			ptrvec_push(&s->unplaced, e);
		}
		q_ns(m, h, Q_WRITE);	/* NoCapacity is reported there */
		q_ipam(m, s->ipam, Q_WRITE);
		return;
	}
	if (e->queued & Q_UNPLACED) {
		ptrvec_remove(&s->unplaced, e);
		e->queued &= ~Q_UNPLACED;
	}
	place_set(m, e, best);
	q_ns(m, h, Q_WRITE);
	q_ipam(m, s->ipam, Q_WRITE);
}

/*
 * A node changed: if it can no longer carry IPs they move (failover);
 * if it can carry more, IPs waiting for capacity get a chance.
 */
void
place_node_changed(struct eip_model *m, struct node *n)
{
	long cap = place_capacity(m, n);
	struct slot *s = node_slot(n);
	struct ipent *e;
	size_t moved = 0;

	if (!n->candidate && n->nplaced > 0) {
		moved = n->nplaced;
		while (n->nplaced > 0) {
			e = n->placed[n->nplaced - 1];
			place_unset(m, e);
			q_ip(m, e);
		}
		log_info("node %s cannot carry egress IPs any more: %zu move",
		    n->name, moved);
		event_send(m, "Node", n->name, n->uid, 1, "NodeFailover",
		    "%zu egress IPs move to other nodes: the node is %s", moved,
		    !n->present ? "deleted" : !n->ready ? "not Ready" :
		    n->ipam == NULL ? "no longer selected" :
		    "not usable for egress IPs");
	} else if (n->candidate && (long)n->nplaced > cap) {
		while ((long)n->nplaced > cap) {
			e = n->placed[n->nplaced - 1];
			place_unset(m, e);
			q_ip(m, e);
		}
	}
	if (n->candidate && s != NULL && (!n->was_cand || cap > n->last_cap ||
	    (long)n->nplaced < cap))
		wake_unplaced(m, s, cap - (long)n->nplaced);
	n->was_cand = n->candidate;
	n->last_cap = cap;
}
