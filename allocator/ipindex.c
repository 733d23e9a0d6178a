/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The index of every address the model knows: who holds it, which nodes
 * have it as primary IP, which observed objects carry it, whether the
 * cloud uses it.  Every change is pushed to the pools containing the
 * address, so "free" in a pool always means free everywhere.
 */
#include <stdlib.h>
#include <string.h>

#include "model_int.h"
#include "xmalloc.h"

static void
key_of(const struct eip_ip *ip, uint8_t key[17])
{
	key[0] = ip->family;
	memcpy(key + 1, &ip->v, 16);
}

struct ipent *
ip_get(struct eip_model *m, const struct eip_ip *ip, int create)
{
	uint8_t key[17];
	struct ipent *e;

	key_of(ip, key);
	e = hmap_get(&m->ips, key, sizeof(key));
	if (e != NULL || !create)
		return e;
	e = xcalloc(1, sizeof(*e));
	memcpy(e->key, key, sizeof(key));
	e->ip = *ip;
	hmap_put(&m->ips, e->key, sizeof(e->key), e);
	return e;
}

static unsigned
flags_of(const struct ipent *e)
{
	unsigned f = 0;

	if (e->holder != NULL)
		f |= POOL_HELD;
	if (e->nodes > 0)
		f |= POOL_NODE;
	if (e->ann.n > 0 || e->nn.n > 0 || e->eip.n > 0 || e->feips > 0 ||
	    e->hs.n > 0 || e->nics.n > 0)
		f |= POOL_SEEN;
	if (e->cloud)
		f |= POOL_CLOUD;
	return f;
}

static void
apply(struct slot *s, const struct ipent *e, unsigned old, unsigned nf)
{
	int before, after;

	if (!pool_contains(s->pool, &e->ip))
		return;
	before = pool_flags(s->pool, &e->ip);
	if (nf & ~old)
		pool_mark(s->pool, &e->ip, nf & ~old);
	if (old & ~nf)
		pool_unmark(s->pool, &e->ip, old & ~nf);
	after = pool_flags(s->pool, &e->ip);
	if (before != 0 && after == 0)
		s->gained = 1;
}

void
ip_sync(struct eip_model *m, struct ipent *e)
{
	unsigned nf = flags_of(e);
	size_t i;

	if (nf != e->pflags) {
		for (i = 0; i < m->slots.n; i++)
			apply(m->slots.v[i], e, e->pflags, nf);
		if (nf == 0 || (e->pflags & POOL_NODE) != (nf & POOL_NODE)) {
			/* Freed, or a node IP came or went: claims may change. */
			if (e->holder != NULL)
				q_ns(m, e->holder, Q_DIRTY);
			for (i = 0; i < e->ann.n; i++)
				q_ns(m, e->ann.v[i], Q_DIRTY);
		}
		e->pflags = nf;
	}
	if (nf == 0 && e->placed == NULL && !(e->queued & Q_GC)) {
		e->queued |= Q_GC;
		ptrvec_push(&m->gc_ip, e);
	}
}

/* A new pool learns every address already known inside its CIDR. */
void
ip_mark_pool(struct eip_model *m, struct slot *s)
{
	struct ipent *e;
	size_t it = 0;

	size_t i;

	while ((e = hmap_next(&m->ips, &it)) != NULL) {
		if (e->pflags == 0)
			continue;
		apply(s, e, 0, e->pflags);
		if (e->holder != NULL || !pool_contains(s->pool, &e->ip))
			continue;
		/* Ours again: whoever carries it unheld lets it go. */
		for (i = 0; i < e->nn.n; i++)
			q_ns(m, e->nn.v[i], Q_WRITE);
		for (i = 0; i < e->eip.n; i++)
			q_ns(m, e->eip.v[i], Q_WRITE);
		for (i = 0; i < e->hs.n; i++)
			q_node(m, e->hs.v[i], Q_WRITE);
	}
}

unsigned *
ipf_feips(struct ipent *e)
{
	return &e->feips;
}

unsigned *
ipf_nodes(struct ipent *e)
{
	return &e->nodes;
}

/*
 * Walks the difference between an object's old and new address lists:
 * f(e, 0) for each address only in old, f(e, 1) for each only in new,
 * then ip_sync.  The mark field makes it linear: 1 = only old, 2 = both,
 * 3 = only new.
 */
static void
ip_diff(struct eip_model *m, const struct iplist *old,
    const struct iplist *nl, void (*f)(struct eip_model *, struct ipent *,
    int, void *), void *arg)
{
	struct ipent *e;
	size_t i;

	for (i = 0; i < old->n; i++)
		ip_get(m, &old->v[i], 1)->mark = 1;
	for (i = 0; i < nl->n; i++) {
		e = ip_get(m, &nl->v[i], 1);
		e->mark = e->mark == 1 ? 2 : 3;
	}
	for (i = 0; i < old->n; i++) {
		e = ip_get(m, &old->v[i], 0);
		if (e->mark == 1) {
			f(m, e, 0, arg);
			ip_sync(m, e);
		}
		e->mark = 0;
	}
	for (i = 0; i < nl->n; i++) {
		e = ip_get(m, &nl->v[i], 0);
		if (e->mark == 3) {
			f(m, e, 1, arg);
			ip_sync(m, e);
		}
		e->mark = 0;
	}
}

struct count_arg {
	unsigned	*(*field)(struct ipent *);
};

static void
count_one(struct eip_model *m, struct ipent *e, int in, void *arg)
{
	struct count_arg *c = arg;

	(void)m;
	if (in)
		(*c->field(e))++;
	else
		(*c->field(e))--;
}

/* Counts the difference between two lists of an object's addresses. */
void
ip_carriers(struct eip_model *m, const struct iplist *old,
    const struct iplist *nl, unsigned *(*field)(struct ipent *))
{
	struct count_arg c = { field };

	ip_diff(m, old, nl, count_one, &c);
}

static struct ptrvec *
ns_vec(struct ipent *e, enum ns_carrier w)
{
	return w == NC_ANN ? &e->ann : w == NC_NN ? &e->nn : &e->eip;
}

/*
 * The same for a namespace's lists (annotation, NetNamespace, EgressIP).
 * When a namespace's network object lets an address go, whoever claims
 * it in an annotation may now have it: they are decided again.
 */
struct ns_arg {
	struct ns		*ns;
	enum ns_carrier		 w;
};

static void
ns_one(struct eip_model *m, struct ipent *e, int in, void *arg)
{
	struct ns_arg *a = arg;
	size_t j;

	if (in) {
		ptrvec_push(ns_vec(e, a->w), a->ns);
		return;
	}
	ptrvec_remove(ns_vec(e, a->w), a->ns);
	if (a->w == NC_ANN)
		return;
	for (j = 0; j < e->ann.n; j++)
		q_ns(m, e->ann.v[j], Q_DIRTY);
	if (e->holder != NULL)
		q_ns(m, e->holder, Q_WRITE);
	/* In CIDR mode nodes drop what nobody lists. */
	for (j = 0; j < e->hs.n; j++)
		q_node(m, e->hs.v[j], Q_WRITE);
}

void
ip_ns_carriers(struct eip_model *m, const struct iplist *old,
    const struct iplist *nl, struct ns *ns, enum ns_carrier w)
{
	struct ns_arg a = { ns, w };

	ip_diff(m, old, nl, ns_one, &a);
}

/* A namespace other than ns whose NetNamespace or EgressIP carries e. */
struct ns *
ip_carried_by_other(const struct ipent *e, const struct ns *ns)
{
	size_t i;

	for (i = 0; i < e->nn.n; i++)
		if (e->nn.v[i] != ns)
			return e->nn.v[i];
	for (i = 0; i < e->eip.n; i++)
		if (e->eip.v[i] != ns)
			return e->eip.v[i];
	return NULL;
}

struct node_arg {
	struct node	*n;
	int		 nic;
};

static void
node_one(struct eip_model *m, struct ipent *e, int in, void *arg)
{
	struct node_arg *a = arg;
	struct ptrvec *v = a->nic ? &e->nics : &e->hs;

	(void)m;
	if (in)
		ptrvec_push(v, a->n);
	else
		ptrvec_remove(v, a->n);
}

/* The same for lists that say where: HostSubnets and cloud NICs. */
void
ip_vec_carriers(struct eip_model *m, const struct iplist *old,
    const struct iplist *nl, struct node *n, int nic)
{
	struct node_arg a = { n, nic };

	ip_diff(m, old, nl, node_one, &a);
}

void
ip_set_cloud(struct eip_model *m, const struct eip_ip *ip, int on)
{
	struct ipent *e = ip_get(m, ip, on);

	if (e == NULL || e->cloud == on)
		return;
	e->cloud = on;
	ip_sync(m, e);
}

/*
 * Ours to remove where it is not wanted: inside a CIDR of an EgressIPAM
 * we manage (its pools exist), or an address we held.
 */
int
ip_owned(const struct eip_model *m, const struct eip_ip *ip)
{
	return ip_owned_ent(m, ip_get((struct eip_model *)m, ip, 0), ip);
}

/* The same, with ip's entry (or NULL) already at hand. */
int
ip_owned_ent(const struct eip_model *m, const struct ipent *e,
    const struct eip_ip *ip)
{
	const struct slot *s;
	size_t i;

	if (e != NULL && e->ours)
		return 1;
	for (i = 0; i < m->slots.n; i++) {
		s = m->slots.v[i];
		if (pool_contains(s->pool, ip))
			return 1;
	}
	return 0;
}

void
ip_gc(struct eip_model *m)
{
	struct ipent *e;

	while (m->gc_ip.n > 0) {
		e = m->gc_ip.v[--m->gc_ip.n];
		e->queued &= ~Q_GC;
		if (e->pflags != 0 || e->placed != NULL || e->queued != 0 ||
		    e->mark != 0 || e->cloud || e->holder != NULL)
			continue;
		hmap_del(&m->ips, e->key, sizeof(e->key));
		ptrvec_clear(&e->ann);
		ptrvec_clear(&e->nn);
		ptrvec_clear(&e->eip);
		ptrvec_clear(&e->hs);
		ptrvec_clear(&e->nics);
		free(e);
	}
}
