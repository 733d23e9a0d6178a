/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The model's entry points: configuration, the store of observed objects
 * (what the watcher reports, merged per name: a namespace with its
 * NetNamespace and EgressIP, a node with its HostSubnet), the dirty
 * queues and the reconcile loop.  Decisions live in bind.c, place.c and
 * ipam.c; desired-versus-observed writes in the backend files.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eip_proto.h"
#include "log.h"
#include "model_int.h"
#include "xmalloc.h"

void
model_config_default(struct eip_model_config *c)
{
	memset(c, 0, sizeof(*c));
	c->sel = POOL_SEL_RANDOM;
	c->debounce_ms = 20;
	c->status_ms = 1000;
	c->write_timeout_ms = 60000;
	c->rediscover_ms = 600000;
	c->max_inflight = 256;
	c->op_namespace = "egressip-ipam-operator";
}

void
model_trace_line(struct eip_model *m, const char *fmt, ...)
{
	va_list ap;
	char *s;

	m->n_decisions++;
	if (!m->tracing && !log_enabled(LOG_LVL_DEBUG))
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1) {
		va_end(ap);
		return;
	}
	va_end(ap);
	log_debug("decide: %s", s);
	if (m->tracing && m->trace.n < 10000)
		ptrvec_push(&m->trace, s);
	else
		free(s);
}

void
model_kick(struct eip_model *m)
{
	if (m->due < 0)
		m->due = m->now + m->cfg.debounce_ms;
}

void
timer_add(struct eip_model *m, int64_t at, int kind, const char *name)
{
	struct timer *t;
	size_t i;

	for (i = 0; i < m->timers.n; i++) {
		t = m->timers.v[i];
		if (t->kind == kind && streq(t->name, name)) {
			if (at < t->at)
				t->at = at;
			return;
		}
	}
	t = xcalloc(1, sizeof(*t));
	t->at = at;
	t->kind = kind;
	t->name = name != NULL ? xstrdup(name) : NULL;
	ptrvec_push(&m->timers, t);
}

void
q_ns(struct eip_model *m, struct ns *ns, unsigned what)
{
	if ((what & Q_DIRTY) && !(ns->queued & Q_DIRTY))
		ptrvec_push(&m->q_ns, ns);
	if ((what & Q_WRITE) && !(ns->queued & Q_WRITE))
		ptrvec_push(&m->w_ns, ns);
	if ((what & Q_GC) && !(ns->queued & Q_GC))
		ptrvec_push(&m->gc_ns, ns);
	ns->queued |= what;
	model_kick(m);
}

void
q_node(struct eip_model *m, struct node *n, unsigned what)
{
	if ((what & Q_DIRTY) && !(n->queued & Q_DIRTY))
		ptrvec_push(&m->q_node, n);
	if ((what & Q_WRITE) && !(n->queued & Q_WRITE))
		ptrvec_push(&m->w_node, n);
	if ((what & Q_GC) && !(n->queued & Q_GC))
		ptrvec_push(&m->gc_node, n);
	n->queued |= what;
	model_kick(m);
}

void
q_ipam(struct eip_model *m, struct ipam *p, unsigned what)
{
	if ((what & Q_DIRTY) && !(p->queued & Q_DIRTY))
		ptrvec_push(&m->q_ipam, p);
	if ((what & Q_WRITE) && !(p->queued & Q_WRITE))
		ptrvec_push(&m->w_ipam, p);
	if ((what & Q_GC) && !(p->queued & Q_GC))
		ptrvec_push(&m->gc_ipam, p);
	p->queued |= what;
	model_kick(m);
}

void
q_ip(struct eip_model *m, struct ipent *e)
{
	if (!(e->queued & Q_PLACE)) {
		e->queued |= Q_PLACE;
		ptrvec_push(&m->q_ip, e);
	}
	model_kick(m);
}

struct ns *
ns_get(struct eip_model *m, const char *name, int create)
{
	struct ns *ns = hmap_gets(&m->nss, name);

	if (ns != NULL || !create)
		return ns;
	ns = xcalloc(1, sizeof(*ns));
	ns->name = xstrdup(name);
	hmap_put(&m->nss, ns->name, strlen(ns->name), ns);
	q_ns(m, ns, Q_GC);
	return ns;
}

struct node *
node_get(struct eip_model *m, const char *name, int create)
{
	struct node *n = hmap_gets(&m->nodes, name);

	if (n != NULL || !create)
		return n;
	n = xcalloc(1, sizeof(*n));
	n->name = xstrdup(name);
	n->aidx = -1;
	n->cap_annot = n->ovn_cap4 = n->ovn_cap6 = n->cloud_cap = -1;
	n->lb_applied = -1;
	n->labels = json_object();
	hmap_put(&m->nodes, n->name, strlen(n->name), n);
	q_node(m, n, Q_GC);
	return n;
}

struct ipam *
ipam_get(struct eip_model *m, const char *name, int create)
{
	struct ipam *p = hmap_gets(&m->ipams, name);

	if (p != NULL || !create)
		return p;
	p = xcalloc(1, sizeof(*p));
	p->name = xstrdup(name);
	hmap_init(&p->refs);
	hmap_put(&m->ipams, p->name, strlen(p->name), p);
	q_ipam(m, p, Q_GC);
	return p;
}

int
model_cloud(const struct eip_model *m)
{
	return m->backend == BK_SDN && m->platform != PF_BAREMETAL;
}

int
model_decides(const struct eip_model *m)
{
	return m->ready && m->leading;
}

struct eip_model *
model_new(const struct eip_model_config *cfg)
{
	struct eip_model *m = xcalloc(1, sizeof(*m));

	m->cfg = *cfg;
	rng_init(&m->rng, cfg->seed);
	hmap_init(&m->nss);
	hmap_init(&m->nodes);
	hmap_init(&m->ipams);
	hmap_init(&m->ips);
	hmap_init(&m->foreign_eips);
	hmap_init(&m->pend);
	m->next_corr = 1;
	m->due = -1;
	return m;
}

static void
wtrack_clear(struct wtrack *w)
{
	free(w->stale_rv);
	memset(w, 0, sizeof(*w));
}

static void
ns_free(struct ns *ns)
{
	free(ns->name);
	free(ns->uid);
	free(ns->rv);
	free(ns->created);
	free(ns->error);
	free(ns->want);
	free(ns->annot);
	free(ns->annot_seen);
	iplist_clear(&ns->annot_ips);
	free(ns->ips);
	free(ns->bad);
	free(ns->nocap);
	free(ns->nn_rv);
	iplist_clear(&ns->nn_ips);
	free(ns->eip_rv);
	iplist_clear(&ns->eip_ips);
	free(ns->eip_label);
	free(ns->eip_sel);
	free(ns->eip_owner);
	iplist_clear(&ns->eip_status);
	ptrvec_clear(&ns->eip_status_nodes);
	wtrack_clear(&ns->w_annot);
	wtrack_clear(&ns->w_nn);
	wtrack_clear(&ns->w_eip);
	free(ns);
}

static void
node_free(struct node *n)
{
	size_t i;

	free(n->name);
	free(n->uid);
	free(n->rv);
	free(n->error);
	json_decref(n->labels);
	free(n->provider_id);
	free(n->assignable_by);
	free(n->hs_rv);
	iplist_clear(&n->hs_ips);
	for (i = 0; i < n->hs_ncidrs; i++)
		free(n->hs_cidrs[i]);
	free(n->hs_cidrs);
	free(n->nic);
	iplist_clear(&n->nic_ips);
	free(n->placed);
	ptrvec_clear(&n->sel);
	wtrack_clear(&n->w_hs);
	wtrack_clear(&n->w_label);
	free(n);
}

void
model_free(struct eip_model *m)
{
	struct pending *p;
	struct ipent *e;
	struct iplist *l;
	struct timer *t;
	struct ipam *ip;
	size_t it, i;
	void *v;

	if (m == NULL)
		return;
	it = 0;
	while ((ip = hmap_next(&m->ipams, &it)) != NULL) {
		for (i = 0; i < ip->nslots; i++)
			slot_free(m, ip->slots[i]);
		ip->nslots = 0;
		ipam_free(ip);
	}
	it = 0;
	while ((v = hmap_next(&m->nss, &it)) != NULL)
		ns_free(v);
	it = 0;
	while ((v = hmap_next(&m->nodes, &it)) != NULL)
		node_free(v);
	it = 0;
	while ((e = hmap_next(&m->ips, &it)) != NULL) {
		ptrvec_clear(&e->ann);
		ptrvec_clear(&e->nn);
		ptrvec_clear(&e->eip);
		ptrvec_clear(&e->hs);
		ptrvec_clear(&e->nics);
		free(e);
	}
	it = 0;
	while ((l = hmap_next(&m->foreign_eips, &it)) != NULL) {
		free(*(char **)(l + 1));
		iplist_clear(l);
		free(l);
	}
	it = 0;
	while ((p = hmap_next(&m->pend, &it)) != NULL) {
		free(p->name);
		free(p->pre_rv);
		json_decref(p->body);
		free(p);
	}
	for (i = 0; i < m->timers.n; i++) {
		t = m->timers.v[i];
		free(t->name);
		free(t);
	}
	for (i = 0; i < m->trace.n; i++)
		free(m->trace.v[i]);
	for (i = 0; i < m->subnets.n; i++) {
		struct subnet_rec *r = m->subnets.v[i];

		iplist_clear(&r->used);
		free(r->error);
		free(r);
	}
	ptrvec_clear(&m->subnets);
	hmap_clear(&m->nss);
	hmap_clear(&m->nodes);
	hmap_clear(&m->ipams);
	hmap_clear(&m->ips);
	hmap_clear(&m->foreign_eips);
	hmap_clear(&m->pend);
	ptrvec_clear(&m->q_ipam);
	ptrvec_clear(&m->q_node);
	ptrvec_clear(&m->q_ns);
	ptrvec_clear(&m->q_ip);
	ptrvec_clear(&m->q_mode);
	ptrvec_clear(&m->q_node_place);
	ptrvec_clear(&m->q_ext);
	ptrvec_clear(&m->w_ipam);
	ptrvec_clear(&m->w_node);
	ptrvec_clear(&m->w_ns);
	ptrvec_clear(&m->gc_ip);
	ptrvec_clear(&m->gc_ns);
	ptrvec_clear(&m->gc_node);
	ptrvec_clear(&m->gc_ipam);
	ptrvec_clear(&m->slots);
	ptrvec_clear(&m->timers);
	ptrvec_clear(&m->trace);
	model_out_free(m->out, m->nout);
	free(m->platform_name);
	free(m->network_type);
	json_decref(m->infra);
	free(m);
}

void
model_set_time(struct eip_model *m, int64_t mono_ms, int64_t wall_s)
{
	m->now = mono_ms;
	m->wall = wall_s;
}

int
model_synced(const struct eip_model *m)
{
	return m->all_synced;
}

int
model_leading(const struct eip_model *m)
{
	return m->leading;
}

void
model_trace(struct eip_model *m, int on)
{
	m->tracing = on;
}

size_t
model_take_trace(struct eip_model *m, char ***lines)
{
	size_t n = m->trace.n;

	*lines = (char **)m->trace.v;
	memset(&m->trace, 0, sizeof(m->trace));
	return n;
}

/*
 * Every object, decided and compared again: after the initial sync,
 * when leadership is gained, when the backend becomes known.
 */
void
queue_all(struct eip_model *m)
{
	struct ipam *p;
	struct node *n;
	struct ns *ns;
	size_t it;

	it = 0;
	while ((p = hmap_next(&m->ipams, &it)) != NULL)
		q_ipam(m, p, Q_DIRTY | Q_WRITE);
	it = 0;
	while ((n = hmap_next(&m->nodes, &it)) != NULL)
		q_node(m, n, Q_DIRTY | Q_WRITE);
	it = 0;
	while ((ns = hmap_next(&m->nss, &it)) != NULL)
		q_ns(m, ns, Q_DIRTY | Q_WRITE);
}

void
model_peer_reset(struct eip_model *m, uint16_t role)
{
	struct pending *p;
	struct node *n;
	size_t it = 0;
	int k;

	/* Requests in flight to the restarted peer will never be answered. */
	while ((p = hmap_next(&m->pend, &it)) != NULL) {
		int cloud = p->type == EIP_MSG_CLOUD_ENSURE ||
		    p->type == EIP_MSG_CLOUD_DISCOVER;

		if ((role == EIP_ROLE_CLOUDWORKER) == cloud) {
			write_result(m, p->corr, NULL);
			it = 0;
		}
	}
	if (role == EIP_ROLE_CLOUDWORKER) {
		m->cloud_configured = 0;
		it = 0;
		while ((n = hmap_next(&m->nodes, &it)) != NULL)
			n->lb_applied = -1;
		if (m->all_synced && model_cloud(m))
			cloud_start(m);
		return;
	}
	/* The watcher replays everything; SYNCED then sweeps what is gone. */
	for (k = 0; k < K_MAX; k++)
		m->epoch[k]++;
	m->synced = 0;
}

static void
fire_timers(struct eip_model *m)
{
	struct timer *t;
	struct ipam *p;
	struct node *n;
	struct ns *ns;
	size_t i;

	for (i = 0; i < m->timers.n;) {
		t = m->timers.v[i];
		if (t->at > m->now) {
			i++;
			continue;
		}
		if (t->kind == K_NAMESPACE && (ns = ns_get(m, t->name, 0)) != NULL)
			q_ns(m, ns, Q_DIRTY | Q_WRITE);
		else if (t->kind == K_NODE && (n = node_get(m, t->name, 0)) != NULL)
			q_node(m, n, Q_DIRTY | Q_WRITE);
		else if (t->kind == K_EGRESSIPAM &&
		    (p = ipam_get(m, t->name, 0)) != NULL)
			q_ipam(m, p, Q_WRITE);
		free(t->name);
		free(t);
		m->timers.v[i] = m->timers.v[--m->timers.n];
	}
}

static int64_t
next_deadline(const struct eip_model *m)
{
	int64_t d = m->due;
	struct timer *t;
	size_t i;

	for (i = 0; i < m->timers.n; i++) {
		t = m->timers.v[i];
		if (d < 0 || t->at < d)
			d = t->at;
	}
	if (m->ready && d < 0 && m->pend.n > 0)
		d = m->now + 1000;	/* look for timed-out writes */
	if (d >= 0 && d < m->now)
		d = m->now;
	return d;
}

/* Decisions, until nothing is dirty. */
static void
decide(struct eip_model *m)
{
	struct ipam *p;
	struct node *n;
	struct ns *ns;
	struct ipent *e;
	struct slot *s;
	size_t i;
	int round, any_ipam;

	for (round = 0; round < 100; round++) {
		any_ipam = m->q_ipam.n > 0;
		while (m->q_ipam.n > 0) {
			p = m->q_ipam.v[--m->q_ipam.n];
			p->queued &= ~Q_DIRTY;
			ipam_apply(m, p);
		}
		if (any_ipam) {
			ipam_cross_check(m);
			m->subnets_dirty = 1;
		}
		while (m->q_node.n > 0) {
			n = m->q_node.v[--m->q_node.n];
			n->queued &= ~Q_DIRTY;
			ipam_membership(m, n);
			if (!(n->queued & Q_NPLACE)) {
				n->queued |= Q_NPLACE;
				ptrvec_push(&m->q_node_place, n);
			}
		}
		while (m->q_mode.n > 0) {
			p = m->q_mode.v[--m->q_mode.n];
			ipam_mode_check(m, p);
		}
		while (m->q_node_place.n > 0) {
			n = m->q_node_place.v[--m->q_node_place.n];
			n->queued &= ~Q_NPLACE;
			place_node_changed(m, n);
		}
		if (m->subnets_dirty)
			ovn_cloud_reserve(m);
		/* FIFO: earlier events are decided first. */
		while (m->q_ns_head < m->q_ns.n) {
			ns = m->q_ns.v[m->q_ns_head++];
			ns->queued &= ~Q_DIRTY;
			bind_reconcile(m, ns);
		}
		m->q_ns.n = m->q_ns_head = 0;
		bind_extend_queued(m);
		for (i = 0; i < m->slots.n; i++) {
			s = m->slots.v[i];
			if (s->gained) {
				s->gained = 0;
				bind_wake(m, s);
			}
		}
		/*
		 * IPs the cluster already carries keep their node before
		 * new ones take capacity: a restart then changes nothing.
		 */
		for (i = 0; i < m->q_ip.n;) {
			e = m->q_ip.v[i];
			if (e->hs.n == 0 && e->nics.n == 0) {
				i++;
				continue;
			}
			m->q_ip.v[i] = m->q_ip.v[--m->q_ip.n];
			e->queued &= ~Q_PLACE;
			place_ip(m, e);
		}
		while (m->q_ip.n > 0) {
			e = m->q_ip.v[--m->q_ip.n];
			e->queued &= ~Q_PLACE;
			place_ip(m, e);
		}
		if (m->q_ipam.n == 0 && m->q_node.n == 0 && m->q_ns.n == 0 &&
		    m->q_ip.n == 0 && m->q_node_place.n == 0 && m->q_ext.n == 0)
			return;
	}
	log_warn("reconcile did not settle after %d rounds", round);
}

static void
write_phase(struct eip_model *m)
{
	struct ipam *p;
	struct node *n;
	struct ns *ns;
	size_t it;

	while (m->w_ns.n > 0) {
		/*
		 * Over the limit, the rest keep Q_WRITE and wait: each
		 * result frees a place and runs us again (write_result).
		 */
		if (m->cfg.max_inflight > 0 && m->leading && m->ready &&
		    m->inflight >= m->cfg.max_inflight)
			break;
		ns = m->w_ns.v[--m->w_ns.n];
		ns->queued &= ~Q_WRITE;
		if (!m->leading || !m->ready)
			continue;
		ns_annot_writes(m, ns);
		if (m->backend == BK_SDN)
			sdn_ns_writes(m, ns);
		else if (m->backend == BK_OVN)
			ovn_ns_writes(m, ns);
	}
	while (m->w_node.n > 0) {
		n = m->w_node.v[--m->w_node.n];
		n->queued &= ~Q_WRITE;
		if (!m->leading || !m->ready)
			continue;
		if (m->backend == BK_SDN) {
			if (model_cloud(m))
				cloud_node_writes(m, n);
			sdn_node_writes(m, n);
		} else if (m->backend == BK_OVN)
			ovn_node_writes(m, n);
	}
	/*
	 * A deleting EgressIPAM waits until its last IP has left every
	 * object, and what clears the last one may concern a node or a
	 * namespace no longer linked to it (a HostSubnet's egressCIDRs
	 * written after it left the IPAM): while one is being deleted, it
	 * looks again after every pass.  No kick: this pass handles it.
	 */
	it = 0;
	while ((p = hmap_next(&m->ipams, &it)) != NULL)
		if (p->present && p->deleting && !(p->queued & Q_WRITE)) {
			p->queued |= Q_WRITE;
			ptrvec_push(&m->w_ipam, p);
		}
	while (m->w_ipam.n > 0) {
		p = m->w_ipam.v[--m->w_ipam.n];
		p->queued &= ~Q_WRITE;
		if (!m->ready)
			continue;
		status_ipam_writes(m, p);
	}
}

static void
gc(struct eip_model *m)
{
	struct ipam *p;
	struct node *n;
	struct ns *ns;

	while (m->gc_ns.n > 0) {
		ns = m->gc_ns.v[--m->gc_ns.n];
		ns->queued &= ~Q_GC;
		if (ns->present || ns->nn_present || ns->eip_present ||
		    ns->nips > 0 || ns->queued != 0 || ns->w_annot.corr != 0 ||
		    ns->w_nn.corr != 0 || ns->w_eip.corr != 0 ||
		    ns->waiting != NULL || ns->ref != NULL || ns->bad != NULL)
			continue;
		hmap_del(&m->nss, ns->name, strlen(ns->name));
		ns_free(ns);
	}
	while (m->gc_node.n > 0) {
		n = m->gc_node.v[--m->gc_node.n];
		n->queued &= ~Q_GC;
		if (n->present || n->hs_present || n->nplaced > 0 ||
		    n->queued != 0 || n->w_hs.corr != 0 || n->w_label.corr != 0 ||
		    n->ens_corr != 0 || n->nic_ips.n > 0 || n->ipam != NULL)
			continue;
		hmap_del(&m->nodes, n->name, strlen(n->name));
		node_free(n);
	}
	while (m->gc_ipam.n > 0) {
		p = m->gc_ipam.v[--m->gc_ipam.n];
		p->queued &= ~Q_GC;
		if (p->present || p->refs.n > 0 || p->nbound > 0 ||
		    p->queued != 0 || p->nslots > 0 || p->w_fin.corr != 0 ||
		    p->w_status.corr != 0)
			continue;
		hmap_del(&m->ipams, p->name, strlen(p->name));
		ipam_free(p);
	}
	ip_gc(m);
}

int64_t
model_run(struct eip_model *m)
{
	if (m->due >= 0 && m->due > m->now) {
		int64_t d = next_deadline(m);

		if (d > m->now)
			return d;
	}
	m->due = -1;
	fire_timers(m);
	if (m->all_synced && model_cloud(m))
		cloud_tick(m);
	if (m->ready) {
		write_expire(m);
		m->n_reconciles++;
		decide(m);
		write_phase(m);
	}
	gc(m);
	return next_deadline(m);
}

void
out_push(struct eip_model *m, uint16_t type, uint64_t corr, json_t *body)
{
	if (m->nout == m->capout) {
		m->capout = m->capout == 0 ? 64 : m->capout * 2;
		m->out = xreallocarray(m->out, m->capout, sizeof(*m->out));
	}
	m->out[m->nout].type = type;
	m->out[m->nout].corr = corr;
	m->out[m->nout].body = body;
	m->nout++;
}

size_t
model_take(struct eip_model *m, struct eip_out **out)
{
	size_t n = m->nout;

	*out = m->out;
	m->out = NULL;
	m->nout = m->capout = 0;
	return n;
}

void
model_out_free(struct eip_out *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		json_decref(o[i].body);
	free(o);
}

json_t *
model_dump(struct eip_model *m)
{
	return dump_model(m);
}

json_t *
model_gauges(struct eip_model *m)
{
	return status_gauges(m);
}
