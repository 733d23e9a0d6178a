/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bindings: which IPs a namespace holds (SPEC 2 and 3).  A binding is
 * rebuilt from the egressips annotation (validated like manual input),
 * extended with fresh addresses while the allocator leads, kept across
 * node changes, and released on opt-out, switch, namespace or IPAM
 * deletion.  Conflicting claims are settled by a fixed priority so the
 * same cluster always gives the same answer (doc/ALLOCATOR.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "manual.h"
#include "model_int.h"
#include "xmalloc.h"

static size_t
prefix_len(const struct ns *ns)
{
	size_t i;

	for (i = 0; i < ns->nips && ns->ips[i] != NULL; i++)
		;
	return i;
}

/* The IPAM's counters of namespaces holding some and all their IPs. */
static void
set_holding(struct eip_model *m, struct ns *ns)
{
	size_t n = ns->bound != NULL ? prefix_len(ns) : 0;
	int h = n > 0, c = ns->bound != NULL && n == ns->bound->nslots;

	if (ns->bound == NULL)
		return;
	if (h != ns->holding) {
		if (h)
			ns->bound->nholding++;
		else
			ns->bound->nholding--;
		ns->holding = h;
		q_ipam(m, ns->bound, Q_WRITE);
	}
	if (c != ns->complete) {
		if (c)
			ns->bound->ncomplete++;
		else
			ns->bound->ncomplete--;
		ns->complete = c;
		q_ipam(m, ns->bound, Q_WRITE);
	}
}

/* Whoever carries or claims e must look again: its holder changed. */
static void
touch_carriers(struct eip_model *m, struct ipent *e)
{
	size_t i;

	for (i = 0; i < e->ann.n; i++)
		if (e->ann.v[i] != e->holder)
			q_ns(m, e->ann.v[i], Q_DIRTY);
	for (i = 0; i < e->hs.n; i++)
		q_node(m, e->hs.v[i], Q_WRITE);
	for (i = 0; i < e->nics.n; i++)
		q_node(m, e->nics.v[i], Q_WRITE);
}

static void
hold(struct eip_model *m, struct ns *ns, size_t pos, struct ipent *e)
{
	ns->ips[pos] = e;
	e->holder = ns;
	e->ours = 1;
	ip_sync(m, e);
	q_ip(m, e);
	touch_carriers(m, e);
}

static void
unhold(struct eip_model *m, struct ns *ns, size_t pos)
{
	struct ipent *e = ns->ips[pos];

	if (e == NULL)
		return;
	ns->ips[pos] = NULL;
	ns->ours &= ~(1u << (pos % 32));
	if (e->holder == ns)
		e->holder = NULL;
	ip_sync(m, e);
	q_ip(m, e);
	touch_carriers(m, e);
}

static void
leave_waiting(struct ns *ns)
{
	if (ns->waiting != NULL) {
		ptrvec_remove(&ns->waiting->waiting, ns);
		ns->waiting = NULL;
	}
}

/* Takes ns off the rejected lists of every IPAM but keep. */
static void
unlist_bad(struct eip_model *m, struct ns *ns, struct ipam *keep)
{
	struct ipam *p;
	size_t it = 0;
	int was;

	while ((p = hmap_next(&m->ipams, &it)) != NULL) {
		if (p == keep || !ptrvec_has(&p->bad, ns))
			continue;
		was = ipam_halted(m, p);
		ptrvec_remove(&p->bad, ns);
		q_ipam(m, p, Q_WRITE);
		if (was && !ipam_halted(m, p)) {
			/* Processing resumes: decide every namespace again. */
			struct ns *o;
			size_t it2 = 0;

			log_info("EgressIPAM %s: processing resumes", p->name);
			while ((o = hmap_next(&p->refs, &it2)) != NULL) {
				size_t k;

				q_ns(m, o, Q_DIRTY | Q_WRITE);
				for (k = 0; k < o->nips; k++)
					if (o->ips[k] != NULL)
						q_ip(m, o->ips[k]);
			}
		}
	}
}

static void
clear_bad(struct eip_model *m, struct ns *ns)
{
	if (ns->bad == NULL)
		return;
	unlist_bad(m, ns, NULL);
	free(ns->bad);
	ns->bad = NULL;
	ns->ev &= ~EV_INVALID;
}

static void
set_bad(struct eip_model *m, struct ns *ns, struct ipam *p, const char *why)
{
	int was = ipam_halted(m, p);

	if (streq(ns->bad, why) && ptrvec_has(&p->bad, ns))
		return;
	unlist_bad(m, ns, p);
	setstr(&ns->bad, why);
	if (!ptrvec_has(&p->bad, ns))
		ptrvec_push(&p->bad, ns);
	leave_waiting(ns);
	q_ipam(m, p, Q_WRITE);
	model_trace_line(m, "namespace %s: egressips rejected: %s", ns->name, why);
	ns->ev &= ~EV_INVALID;
	q_ns(m, ns, Q_WRITE);
	if (!was && ipam_halted(m, p)) {
		struct ns *o;
		size_t it = 0;

		log_warn("EgressIPAM %s: processing stops: namespace %s: %s",
		    p->name, ns->name, why);
		/* Bindings become what the cluster records (see above). */
		while ((o = hmap_next(&p->refs, &it)) != NULL)
			q_ns(m, o, Q_DIRTY | Q_WRITE);
	}
}

int
bind_claim_prio(const struct eip_model *m, const struct ns *ns,
    const struct ipent *e)
{
	if (m->backend == BK_SDN)
		return iplist_has(&ns->nn_ips, &e->ip);
	if (m->backend == BK_OVN)
		return iplist_has(&ns->eip_ips, &e->ip);
	return 0;
}

/*
 * Does a beat b for e?  The namespace whose network object already
 * carries the address, then the earlier created, then the smaller name.
 */
static int
wins(const struct eip_model *m, const struct ns *a, const struct ns *b,
    const struct ipent *e)
{
	int ca = bind_claim_prio(m, a, e), cb = bind_claim_prio(m, b, e), c;

	if (ca != cb)
		return ca > cb;
	if (a->created != NULL && b->created != NULL &&
	    (c = strcmp(a->created, b->created)) != 0)
		return c < 0;
	return strcmp(a->name, b->name) < 0;
}

/*
 * ns loses the IP at pos to an older claim: its annotation is read
 * again (a manual claim is now rejected; one we picked is picked anew).
 */
void
bind_drop_ip(struct eip_model *m, struct ns *ns, size_t pos)
{
	unsigned ours = ns->ours & (1u << (pos % 32));

	unhold(m, ns, pos);
	ns->ours |= ours;
	ns->seen_set = 0;
	q_ns(m, ns, Q_DIRTY | Q_WRITE);
}

void
bind_release(struct eip_model *m, struct ns *ns, const char *why)
{
	struct ipam *p = ns->bound;
	size_t i;

	if (p == NULL)
		return;
	model_trace_line(m, "namespace %s: releases its IPs of %s: %s",
	    ns->name, p->name, why);
	for (i = 0; i < ns->nips; i++)
		unhold(m, ns, i);
	if (ns->holding)
		p->nholding--;
	if (ns->complete)
		p->ncomplete--;
	ns->holding = ns->complete = 0;
	ns->bound = NULL;
	free(ns->ips);
	ns->ips = NULL;
	ns->nips = 0;
	ns->ours = 0;
	ns->seen_set = 0;
	ns->ev &= ~(EV_EXHAUSTED | EV_ASSIGNED);
	free(ns->nocap);
	ns->nocap = NULL;
	leave_waiting(ns);
	if (ns->present && ns->annot != NULL)
		ns->release_annot = 1;
	p->nbound--;
	if (p->nbound == 0 && (!p->present || p->deleting || p->frozen))
		q_ipam(m, p, Q_DIRTY);	/* its pools can go now */
	q_ipam(m, p, Q_WRITE | Q_GC);
	q_ns(m, ns, Q_WRITE | Q_GC);
}

static void
bind_to(struct eip_model *m, struct ns *ns, struct ipam *p)
{
	ns->bound = p;
	ns->nips = p->nslots;
	ns->ips = xcalloc(ns->nips + 1, sizeof(*ns->ips));
	ns->layout = p->layout;
	ns->release_annot = 0;
	p->nbound++;
}

/* The slots changed (CIDR added, removed, reordered): follow them. */
static void
remap(struct eip_model *m, struct ns *ns, struct ipam *p)
{
	struct ipent **old = ns->ips, **nw;
	size_t oldn = ns->nips, i, j;
	unsigned ours = 0;

	nw = xcalloc(p->nslots + 1, sizeof(*nw));
	for (i = 0; i < oldn; i++) {
		if (old[i] == NULL)
			continue;
		for (j = 0; j < p->nslots; j++) {
			if (nw[j] == NULL &&
			    pool_contains(p->slots[j]->pool, &old[i]->ip)) {
				nw[j] = old[i];
				if (ns->ours & (1u << (i % 32)))
					ours |= 1u << (j % 32);
				old[i] = NULL;
				break;
			}
		}
	}
	ns->ips = nw;
	ns->nips = p->nslots;
	ns->layout = p->layout;
	/* What no longer has a CIDR is released (SPEC 2, CIDR removed). */
	for (i = 0; i < oldn; i++) {
		if (old[i] != NULL) {
			model_trace_line(m, "namespace %s: releases an IP whose "
			    "CIDR left %s", ns->name, p->name);
			if (old[i]->holder == ns)
				old[i]->holder = NULL;
			ip_sync(m, old[i]);
			q_ip(m, old[i]);
			touch_carriers(m, old[i]);
		}
	}
	/* The kept ones may change CIDR mode or nodes: place them again. */
	for (i = 0; i < ns->nips; i++)
		if (ns->ips[i] != NULL)
			q_ip(m, ns->ips[i]);
	free(old);
	ns->ours = ours;
}

enum claim {
	CLAIM_OK = 0,
	CLAIM_BAD,		/* rejected: the reason is in buf */
	CLAIM_WAIT,		/* another namespace's network object lets it go */
};

/* Can ns claim ip at position i of p? */
static enum claim
check_state(struct eip_model *m, struct ns *ns, struct ipam *p, size_t i,
    const struct eip_ip *ip, char *buf, size_t len)
{
	struct slot *s = p->slots[i];
	char a[IP_STRLEN];
	struct ipent *e;
	struct ns *o;
	int f = pool_flags(s->pool, ip);

	ip_format(ip, a, sizeof(a));
	e = ip_get(m, ip, 0);
	if (f < 0)
		snprintf(buf, len, "IP %s is not inside CIDR %zu (%s)", a, i + 1,
		    p->spec.a[i].cidr_str);
	else if (f & POOL_STATIC)
		snprintf(buf, len, "IP %s is the network, broadcast or anycast "
		    "address of %s", a, p->spec.a[i].cidr_str);
	else if (f & POOL_RESERVED)
		snprintf(buf, len, "IP %s is reserved in %s", a,
		    p->spec.a[i].cidr_str);
	else if (f & POOL_NODE)
		snprintf(buf, len, "IP %s is the IP of a node", a);
	else if (e != NULL && e->holder != NULL && e->holder != ns &&
	    !wins(m, ns, e->holder, e))
		snprintf(buf, len, "IP %s is held by namespace %s", a,
		    e->holder->name);
	else if (e != NULL && (o = ip_carried_by_other(e, ns)) != NULL &&
	    o != e->holder) {
		/*
		 * The network still carries it for another namespace that
		 * no longer holds it: wait until that is cleaned up.  This
		 * must not depend on how that namespace is judged, so that a
		 * restart, which judges them in another order, agrees.
		 */
		model_trace_line(m, "namespace %s waits: %s is still carried "
		    "for namespace %s", ns->name, a, o->name);
		return CLAIM_WAIT;
	} else
		return CLAIM_OK;
	return CLAIM_BAD;
}

/*
 * A namespace whose annotation is gone, rejected or waiting keeps what
 * the network carries for it (its NetNamespace or EgressIP), each IP at
 * its CIDR's free position: that is what a restart finds it holding, and
 * recheck() then judges it as before.
 */
/* The addresses the network object of ns carries for it. */
static const struct iplist *
carried(const struct eip_model *m, const struct ns *ns)
{
	return m->backend == BK_OVN ? &ns->eip_ips : &ns->nn_ips;
}

static void
adopt_carried(struct eip_model *m, struct ns *ns, struct ipam *p)
{
	const struct iplist *l = carried(m, ns);
	struct ipent *e;
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < p->nslots; j++)
			if (pool_contains(p->slots[j]->pool, &l->v[i]))
				break;
		if (j == p->nslots || ns->ips[j] != NULL)
			continue;
		e = ip_get(m, &l->v[i], 1);
		if (e->holder != NULL && e->holder != ns)
			continue;
		hold(m, ns, j, e);
	}
}

/* Only what the network carries for the namespace stays held. */
static void
reset_to_carried(struct eip_model *m, struct ns *ns, struct ipam *p)
{
	const struct iplist *l = carried(m, ns);
	size_t i;

	for (i = 0; i < ns->nips; i++)
		if (ns->ips[i] != NULL && !iplist_has(l, &ns->ips[i]->ip)) {
			unsigned ours = ns->ours & (1u << (i % 32));

			unhold(m, ns, i);
			ns->ours |= ours;
		}
	adopt_carried(m, ns, p);
}

/*
 * An annotation that is a complete list for another active IPAM is what
 * a switch from that IPAM leaves behind while we were not running.
 */
static int
left_by_switch(struct eip_model *m, const struct ns *ns,
    const struct eip_ip *ips, size_t n)
{
	struct ipam *q;
	size_t it = 0, i;

	while ((q = hmap_next(&m->ipams, &it)) != NULL) {
		if (q == ns->ref || !ipam_active(q) || q->nslots != n || n == 0)
			continue;
		for (i = 0; i < n; i++)
			if (!pool_contains(q->slots[i]->pool, &ips[i]))
				break;
		if (i == n)
			return 1;
	}
	return 0;
}

/*
 * Reads the annotation into the binding.  Returns -1 when it is
 * rejected (the namespace is then "bad" and skipped), 1 when it is to be
 * ignored, 0 otherwise.
 */
static int
read_annotation(struct eip_model *m, struct ns *ns, struct ipam *p,
    char *bad, size_t badlen)
{
	struct eip_ip *ips = NULL;
	struct ipent *e;
	char why[512], buf[512];
	const char *r = NULL;
	size_t n = 0, i;
	int ret = 0;

	/*
	 * Unchanged since we read or wrote it: the binding says it all, as
	 * long as we may write it back.
	 */
	if (ns->seen_set && streq(ns->annot, ns->annot_seen) &&
	    bind_writable(m, ns))
		return 0;
	if (ns->annot == NULL) {
		setstr(&ns->annot_seen, NULL);
		ns->seen_set = 1;
		/*
		 * Gone: normally we write it back from the binding.  While we
		 * may not write (halted), the binding is what a restart would
		 * find: what the network carries for the namespace.
		 */
		if (!bind_writable(m, ns)) {
			reset_to_carried(m, ns, p);
			ns->seen_set = 0;
		} else if (prefix_len(ns) == 0)
			adopt_carried(m, ns, p);
		return 0;
	}
	if (manual_parse(ns->annot, &ips, &n, why, sizeof(why)) == -1 ||
	    manual_check(ips, n, &p->spec, why, sizeof(why)) == -1) {
		if (ns->nips > 0 && prefix_len(ns) == 0 && model_decides(m) &&
		    ips != NULL && left_by_switch(m, ns, ips, n))
			ret = 1;
		else
			r = why;
		goto done;
	}
	for (i = 0; i < n && r == NULL; i++) {
		enum claim c;

		if (ns->ips[i] != NULL && ip_equal(&ns->ips[i]->ip, &ips[i]))
			continue;
		/*
		 * Our own pick lost to an older claim: pick again (only
		 * while we may write the new pick; else judge it as a
		 * restart would).
		 */
		e = ip_get(m, &ips[i], 0);
		if ((ns->ours & (1u << (i % 32))) && e != NULL &&
		    e->holder != NULL && e->holder != ns &&
		    bind_writable(m, ns)) {
			n = i;
			break;
		}
		c = check_state(m, ns, p, i, &ips[i], buf, sizeof(buf));
		if (c == CLAIM_BAD)
			r = buf;
		else if (c == CLAIM_WAIT) {
			free(ips);
			reset_to_carried(m, ns, p);
			return 2;
		}
	}
	if (r != NULL)
		goto done;
	/* Valid: the annotation is the binding's prefix. */
	for (i = 0; i < n; i++) {
		if (ns->ips[i] != NULL && ip_equal(&ns->ips[i]->ip, &ips[i]))
			continue;
		unhold(m, ns, i);
		e = ip_get(m, &ips[i], 1);
		if (e->holder != NULL && e->holder != ns) {
			struct ns *o = e->holder;
			size_t k;

			for (k = 0; k < o->nips; k++)
				if (o->ips[k] == e) {
					model_trace_line(m, "namespace %s takes "
					    "an IP of namespace %s (older claim)",
					    ns->name, o->name);
					bind_drop_ip(m, o, k);
				}
		}
		hold(m, ns, i, e);
		ns->ours &= ~(1u << (i % 32));
	}
	/*
	 * While the IPAM is halted nothing is extended or written back, so
	 * the binding is what the annotation says, as after a restart; a
	 * later position exists only as our extension once it is written.
	 */
	if (ipam_halted(m, p))
		for (i = n; i < ns->nips; i++)
			unhold(m, ns, i);
done:
	if (r != NULL) {
		snprintf(bad, badlen, "%s", r);
		free(ips);
		reset_to_carried(m, ns, p);
		return -1;
	}
	free(ips);
	if (ret == 0) {
		setstr(&ns->annot_seen, ns->annot);
		ns->seen_set = 1;
	}
	return ret;
}

/* How many leading IPs of the binding the annotation records. */
static size_t
recorded(const struct ns *ns)
{
	struct eip_ip *ips = NULL;
	char err[64];
	size_t n = 0, i;

	if (manual_parse(ns->annot, &ips, &n, err, sizeof(err)) == -1)
		return 0;
	for (i = 0; i < n && i < ns->nips && ns->ips[i] != NULL &&
	    ip_equal(&ns->ips[i]->ip, &ips[i]); i++)
		;
	free(ips);
	return i;
}

/*
 * A held IP that became reserved, a node IP or unusable: reported when
 * the annotation records it (the tenant may use it), replaced when it
 * does not (nobody was told of it).  The verdict then depends on the
 * annotation alone, as after a restart.
 */
static int
recheck(struct eip_model *m, struct ns *ns, struct ipam *p, char *bad,
    size_t badlen)
{
	size_t i, rec = recorded(ns);

	for (i = 0; i < ns->nips; i++) {
		if (ns->ips[i] == NULL)
			continue;
		if (check_state(m, ns, p, i, &ns->ips[i]->ip, bad,
		    badlen) != CLAIM_BAD)
			continue;
		if (i < rec)
			return -1;
		unhold(m, ns, i);
	}
	return 0;
}

static void
extend(struct eip_model *m, struct ns *ns, struct ipam *p)
{
	struct slot *s;
	struct eip_ip ip;
	char a[IP_STRLEN];
	size_t i;

	for (i = 0; i < ns->nips; i++) {
		if (ns->ips[i] != NULL)
			continue;
		s = p->slots[i];
		/* Without the cloud's used addresses nothing is picked. */
		if (!s->cloud_ready ||
		    pool_pick(s->pool, m->cfg.sel, &m->rng, &ip) == -1) {
			if (ns->waiting != s) {
				leave_waiting(ns);
				ptrvec_push(&s->waiting, ns);
				ns->waiting = s;
			}
			s->exhausted = s->cloud_ready;
			q_ns(m, ns, Q_WRITE);
			q_ipam(m, p, Q_WRITE);
			model_trace_line(m, "namespace %s: %s is exhausted, waits",
			    ns->name, p->spec.a[i].cidr_str);
			return;
		}
		hold(m, ns, i, ip_get(m, &ip, 1));
		ns->ours |= 1u << (i % 32);
		model_trace_line(m, "namespace %s: gets %s from %s", ns->name,
		    ip_format(&ip, a, sizeof(a)), p->spec.a[i].cidr_str);
	}
	leave_waiting(ns);
	ns->ev &= ~EV_EXHAUSTED;
}

/* The annotation can only say a prefix: nothing is held past a gap. */
static void
truncate_gap(struct eip_model *m, struct ns *ns)
{
	size_t i, n = prefix_len(ns);

	for (i = n + 1; i < ns->nips; i++)
		unhold(m, ns, i);
}

void
bind_reconcile(struct eip_model *m, struct ns *ns)
{
	struct ipam *p = ns->ref, *b = ns->bound;
	char why[512];
	int r = 0;

	if (!ns->present || ns->deleting || p == NULL || !p->present ||
	    p->deleting || !p->parsed)
		p = NULL;
	/* A frozen (invalid) IPAM: nothing of it moves. */
	if (b != NULL && b->frozen && b->present && !b->deleting &&
	    ns->present && !ns->deleting)
		return;
	/*
	 * Leaving a halted IPAM is allowed: the halt stops the processing
	 * of its namespaces, and this one is no longer one of them.
	 */
	if (b != NULL && b != p)
		bind_release(m, ns, p == NULL ? (ns->present && !ns->deleting ?
		    "opted out or its EgressIPAM is gone" : "namespace deleted") :
		    "switched EgressIPAM");
	if (p == NULL || p->frozen) {
		/* Cleaning up after a deleted IPAM: its IPs are ours to remove. */
		if (ns->ref != NULL && ns->ref->deleting) {
			size_t i;

			for (i = 0; i < ns->annot_ips.n; i++)
				ip_get(m, &ns->annot_ips.v[i], 1)->ours = 1;
		}
		clear_bad(m, ns);
		leave_waiting(ns);
		q_ns(m, ns, Q_WRITE);
		return;
	}
	if (ns->bound == NULL)
		bind_to(m, ns, p);
	else if (ns->layout != p->layout)
		remap(m, ns, p);
	/*
	 * Our own write in flight is not a user's edit.  The verdict on the
	 * namespace is given once, at the end, so that judging it never
	 * flips an IPAM's halt back and forth within a pass.
	 */
	if (ns->w_annot.corr == 0)
		r = read_annotation(m, ns, p, why, sizeof(why));
	if (r == -1 || (r != 2 && recheck(m, ns, p, why, sizeof(why)) < 0)) {
		/* Rejected: it keeps what the network carries (as read_annotation). */
		set_bad(m, ns, p, why);
		reset_to_carried(m, ns, p);
		goto out;
	}
	clear_bad(m, ns);
	if (r == 2)
		goto out;	/* waits for another namespace's IP */
	/*
	 * New addresses only once every namespace queued with it has been
	 * read: one of them may halt the IPAM (bind_extend_queued).
	 */
	if (!(ns->queued & Q_EXT)) {
		ns->queued |= Q_EXT;
		ptrvec_push(&m->q_ext, ns);
	}
out:
	set_holding(m, ns);
	q_ns(m, ns, Q_WRITE);
}

void
bind_extend_queued(struct eip_model *m)
{
	struct ns *ns;
	struct ipam *p;
	size_t i;

	for (i = 0; i < m->q_ext.n; i++) {
		ns = m->q_ext.v[i];
		ns->queued &= ~Q_EXT;
		p = ns->bound;
		if (p == NULL || p != ns->ref || ns->bad != NULL || !ipam_active(p))
			continue;
		if (model_decides(m) && !ipam_halted(m, p))
			extend(m, ns, p);
		truncate_gap(m, ns);
		set_holding(m, ns);
		q_ns(m, ns, Q_WRITE);
	}
	m->q_ext.n = 0;
}

/* Addresses came free in s: the first waiters try again. */
void
bind_wake(struct eip_model *m, struct slot *s)
{
	u128 nfree = pool_nfree(s->pool);
	struct ns *ns;
	size_t k = 0;

	if (nfree > 0 && s->exhausted && s->waiting.n == 0) {
		s->exhausted = 0;
		q_ipam(m, s->ipam, Q_WRITE);
	}
	while (s->waiting.n > 0 && (u128)k < nfree) {
		ns = s->waiting.v[0];
		memmove(s->waiting.v, s->waiting.v + 1,
		    (s->waiting.n - 1) * sizeof(void *));
		s->waiting.n--;
		ns->waiting = NULL;
		q_ns(m, ns, Q_DIRTY);
		k++;
	}
	/* Claims rejected for reserved or node IPs may be valid now. */
	for (k = 0; k < s->ipam->bad.n; k++)
		q_ns(m, s->ipam->bad.v[k], Q_DIRTY);
}

/* May we write for this namespace now (SPEC 3: halt and isolate)? */
int
bind_writable(const struct eip_model *m, const struct ns *ns)
{
	const struct ipam *b = ns->bound;

	if (b != NULL && (b->frozen || ipam_halted(m, b)))
		return 0;
	if (ns->bad != NULL && m->cfg.isolate)
		return 0;
	return 1;
}

/*
 * While its IPAM is halted a (good) namespace may still lose IPs: a CIDR
 * removed, an opt-out.  Writes that only take away are allowed then, so
 * the cluster keeps saying what the binding is (SPEC 3: nothing new).
 */
int
bind_release_only(const struct eip_model *m, const struct ns *ns)
{
	const struct ipam *b = ns->bound;

	return b != NULL && !b->frozen && ipam_halted(m, b) && ns->bad == NULL;
}
