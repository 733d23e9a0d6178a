/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes to the cluster (through the watcher) and requests to the
 * cloudworkers: each gets a correlation id and is tracked until its
 * result, so nothing is issued twice.  A success is applied to the
 * observed state at once (the watch event may come later), a conflict
 * makes the model decide again on the fresh object the watcher sent just
 * before, other failures are retried with backoff and reported.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eip_proto.h"
#include "log.h"
#include "model_int.h"
#include "xmalloc.h"

static const char *
verb_of(uint16_t type)
{
	switch (type) {
	case EIP_MSG_W_NS_EGRESSIPS:	return "Namespace";
	case EIP_MSG_W_NETNAMESPACE:	return "NetNamespace";
	case EIP_MSG_W_HOSTSUBNET:	return "HostSubnet";
	case EIP_MSG_W_EGRESSIP:	return "EgressIP";
	case EIP_MSG_W_EGRESSIP_DELETE:	return "EgressIP";
	case EIP_MSG_W_NODE_ASSIGNABLE:	return "Node";
	case EIP_MSG_W_IPAM_FINALIZERS:	return "EgressIPAM";
	case EIP_MSG_W_IPAM_STATUS:	return "EgressIPAM";
	case EIP_MSG_W_EVENT:		return "Event";
	case EIP_MSG_W_CREDREQ:		return "CredentialsRequest";
	}
	return "object";
}

uint64_t
write_send(struct eip_model *m, uint16_t type, const char *name,
    const char *pre_rv, json_t *body, struct wtrack *w)
{
	struct pending *p = xcalloc(1, sizeof(*p));

	p->corr = m->next_corr++;
	p->type = type;
	p->name = xstrdup(name != NULL ? name : "");
	p->pre_rv = pre_rv != NULL ? xstrdup(pre_rv) : NULL;
	p->body = json_incref(body);
	p->sent = m->now;
	hmap_put(&m->pend, &p->corr, sizeof(p->corr), p);
	if (type != EIP_MSG_CLOUD_DISCOVER && type != EIP_MSG_CLOUD_ENSURE)
		m->inflight++;
	if (w != NULL)
		w->corr = p->corr;
	if (type != EIP_MSG_W_EVENT && type != EIP_MSG_CLOUD_DISCOVER &&
	    type != EIP_MSG_CLOUD_ENSURE)
		m->n_writes++;
	out_push(m, type, p->corr, json_incref(body));
	return p->corr;
}

int
write_ready(const struct eip_model *m, const struct wtrack *w, const char *rv)
{
	(void)rv;
	return m->leading && w->corr == 0 && w->retry_at <= m->now;
}

void
event_send(struct eip_model *m, const char *kind, const char *name,
    const char *uid, int warning, const char *reason, const char *fmt, ...)
{
	json_t *b, *inv;
	va_list ap;
	char msg[4096];

	if (!m->leading || !m->ready)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	inv = json_pack("{s:s, s:s}", "kind", kind, "name", name);
	if (uid != NULL)
		json_object_set_new(inv, "uid", json_string(uid));
	b = json_pack("{s:o, s:s, s:s, s:s}", "involved", inv, "type",
	    warning ? "Warning" : "Normal", "reason", reason, "message", msg);
	write_send(m, EIP_MSG_W_EVENT, name, NULL, b, NULL);
	json_decref(b);
}

/* The tracker of a pending write, and the IPAM its failure is about. */
static struct wtrack *
tracker(struct eip_model *m, const struct pending *p, struct ipam **ip,
    void **obj)
{
	struct ns *ns;
	struct node *n;
	struct ipam *a;

	*ip = NULL;
	*obj = NULL;
	switch (p->type) {
	case EIP_MSG_W_NS_EGRESSIPS:
	case EIP_MSG_W_NETNAMESPACE:
	case EIP_MSG_W_EGRESSIP:
	case EIP_MSG_W_EGRESSIP_DELETE:
		if (p->type == EIP_MSG_W_EGRESSIP ||
		    p->type == EIP_MSG_W_EGRESSIP_DELETE)
			ns = ns_get(m, p->name + strlen(EIP_OBJ_PREFIX), 0);
		else
			ns = ns_get(m, p->name, 0);
		if (ns == NULL)
			return NULL;
		*obj = ns;
		*ip = ns->bound != NULL ? ns->bound : ns->ref;
		return p->type == EIP_MSG_W_NS_EGRESSIPS ? &ns->w_annot :
		    p->type == EIP_MSG_W_NETNAMESPACE ? &ns->w_nn : &ns->w_eip;
	case EIP_MSG_W_HOSTSUBNET:
	case EIP_MSG_W_NODE_ASSIGNABLE:
		if ((n = node_get(m, p->name, 0)) == NULL)
			return NULL;
		*obj = n;
		*ip = n->ipam;
		return p->type == EIP_MSG_W_HOSTSUBNET ? &n->w_hs : &n->w_label;
	case EIP_MSG_W_IPAM_FINALIZERS:
	case EIP_MSG_W_IPAM_STATUS:
		if ((a = ipam_get(m, p->name, 0)) == NULL)
			return NULL;
		*obj = a;
		*ip = a;
		return p->type == EIP_MSG_W_IPAM_STATUS ? &a->w_status :
		    &a->w_fin;
	}
	return NULL;
}

static void
requeue(struct eip_model *m, const struct pending *p, void *obj)
{
	if (obj == NULL)
		return;
	switch (p->type) {
	case EIP_MSG_W_NS_EGRESSIPS:
	case EIP_MSG_W_NETNAMESPACE:
	case EIP_MSG_W_EGRESSIP:
	case EIP_MSG_W_EGRESSIP_DELETE:
		q_ns(m, obj, Q_DIRTY | Q_WRITE | Q_GC);
		break;
	case EIP_MSG_W_HOSTSUBNET:
	case EIP_MSG_W_NODE_ASSIGNABLE:
		q_node(m, obj, Q_DIRTY | Q_WRITE | Q_GC);
		break;
	case EIP_MSG_W_IPAM_FINALIZERS:
	case EIP_MSG_W_IPAM_STATUS:
		q_ipam(m, obj, Q_WRITE | Q_GC);
		break;
	}
}

static void
set_rv(char **dst, const json_t *res)
{
	const char *rv = res != NULL ? eip_str(res, "rv") : NULL;

	if (rv != NULL)
		setstr(dst, rv);
}

/* What we wrote is now what the cluster has. */
static void
applied(struct eip_model *m, const struct pending *p, void *obj,
    struct wtrack *w, const json_t *res)
{
	const json_t *b = p->body;
	struct iplist l = { NULL, 0 };
	struct ns *ns = obj;
	struct node *n = obj;
	struct ipam *a = obj;
	const json_t *x;
	size_t i;

	setstr(&w->stale_rv, p->pre_rv);
	switch (p->type) {
	case EIP_MSG_W_NS_EGRESSIPS:
		store_ns_annot(m, ns, eip_str(b, "egressips"));
		setstr(&ns->annot_seen, eip_str(b, "egressips"));
		ns->seen_set = ns->bound != NULL;
		set_rv(&ns->rv, res);
		if (eip_str(b, "egressips") == NULL)
			ns->release_annot = 0;
		else {
			status_latency(m, ns);
			event_send(m, "Namespace", ns->name, ns->uid, 0,
			    "EgressIPsAssigned", "egress IPs %s of EgressIPAM %s",
			    eip_str(b, "egressips"), ns->bound != NULL ?
			    ns->bound->name : "?");
		}
		break;
	case EIP_MSG_W_NETNAMESPACE:
		iplist_parse_json(json_object_get(b, "egress_ips"), &l);
		store_nn_ips(m, ns, &l);
		set_rv(&ns->nn_rv, res);
		break;
	case EIP_MSG_W_HOSTSUBNET:
		iplist_parse_json(json_object_get(b, "egress_ips"), &l);
		store_hs(m, n, &l, json_object_get(b, "egress_cidrs"));
		set_rv(&n->hs_rv, res);
		break;
	case EIP_MSG_W_EGRESSIP:
		iplist_parse_json(json_object_get(b, "egress_ips"), &l);
		ns->eip_present = 1;
		store_eip_ips(m, ns, &l);
		setstr(&ns->eip_label, eip_str(b, "ipam"));
		setstr(&ns->eip_sel, eip_str(b, "namespace"));
		setstr(&ns->eip_owner, eip_str(b, "namespace_uid"));
		set_rv(&ns->eip_rv, res);
		break;
	case EIP_MSG_W_EGRESSIP_DELETE:
		store_eip_gone(m, ns);
		break;
	case EIP_MSG_W_NODE_ASSIGNABLE:
		n->labelled = eip_bool(b, "assignable", 0);
		if (n->labelled)
			json_object_set_new(n->labels, OVN_ASSIGNABLE,
			    json_string(""));
		else
			json_object_del(n->labels, OVN_ASSIGNABLE);
		setstr(&n->assignable_by, n->labelled ? eip_str(b, "ipam") :
		    NULL);
		set_rv(&n->rv, res);
		break;
	case EIP_MSG_W_IPAM_FINALIZERS:
		for (i = 0; i < a->nfinalizers; i++)
			free(a->finalizers[i]);
		free(a->finalizers);
		x = json_object_get(b, "finalizers");
		a->nfinalizers = 0;
		a->finalizers = xcalloc(json_array_size(x) + 1, sizeof(char *));
		json_array_foreach(x, i, b)
			a->finalizers[a->nfinalizers++] =
			    xstrdup(json_string_value(b));
		set_rv(&a->rv, res);
		break;
	case EIP_MSG_W_IPAM_STATUS:
		json_decref(a->status_obs);
		a->status_obs = json_incref(json_object_get(p->body, "status"));
		set_rv(&a->rv, res);
		break;
	}
	iplist_clear(&l);
}

static void
pending_free(struct pending *p)
{
	free(p->name);
	free(p->pre_rv);
	json_decref(p->body);
	free(p);
}

/* res NULL: the request is lost (timeout, peer restart). */
void
write_result(struct eip_model *m, uint64_t corr, const json_t *res)
{
	struct pending *p = hmap_del(&m->pend, &corr, sizeof(corr));
	struct ipam *ip;
	struct wtrack *w;
	void *obj;
	long long code;
	int64_t backoff;

	if (p == NULL)
		return;
	if (p->type == EIP_MSG_CLOUD_DISCOVER || p->type == EIP_MSG_CLOUD_ENSURE) {
		if (res == NULL)
			cloud_lost(m, p->type, p->name, p->corr);
		pending_free(p);
		return;
	}
	m->inflight--;
	/*
	 * Namespaces held back by the limit get their turn as soon as half
	 * the window is free: no debounce then, or the window would sit
	 * half empty for it (the write rate was window / (round trip +
	 * debounce)); and not at every result, or each run would take one.
	 */
	if (m->w_ns.n > 0) {
		if (m->inflight <= m->cfg.max_inflight / 2)
			m->due = m->now;
		else
			model_kick(m);
	}
	w = tracker(m, p, &ip, &obj);
	if (w != NULL && w->corr == corr)
		w->corr = 0;
	if (res != NULL && eip_bool(res, "ok", 0)) {
		if (w != NULL) {
			w->fails = 0;
			w->retry_at = 0;
			applied(m, p, obj, w, res);
		}
		if (ip != NULL && ip->werr != NULL && streq(ip->werr_obj,
		    p->name)) {
			free(ip->werr);
			ip->werr = NULL;
			q_ipam(m, ip, Q_WRITE);
		}
		requeue(m, p, obj);
		pending_free(p);
		return;
	}
	code = res != NULL ? eip_int(res, "code", 0) : 0;
	if (code == 409) {
		/* The fresh object came just before: decide on it. */
		m->n_conflicts++;
		requeue(m, p, obj);
		pending_free(p);
		return;
	}
	if (code == 404 && p->type == EIP_MSG_W_EGRESSIP_DELETE) {
		if (obj != NULL)
			store_eip_gone(m, obj);
		requeue(m, p, obj);
		pending_free(p);
		return;
	}
	if (p->type != EIP_MSG_W_EVENT)
		m->n_write_errors++;
	if (w != NULL) {
		w->fails++;
		backoff = 200LL << (w->fails < 8 ? w->fails : 8);
		if (backoff > 30000)
			backoff = 30000;
		w->retry_at = m->now + backoff;
		timer_add(m, w->retry_at, p->type == EIP_MSG_W_HOSTSUBNET ||
		    p->type == EIP_MSG_W_NODE_ASSIGNABLE ? K_NODE :
		    p->type == EIP_MSG_W_IPAM_FINALIZERS ||
		    p->type == EIP_MSG_W_IPAM_STATUS ? K_EGRESSIPAM : K_NAMESPACE,
		    obj == NULL ? p->name : p->type == EIP_MSG_W_HOSTSUBNET ||
		    p->type == EIP_MSG_W_NODE_ASSIGNABLE ? ((struct node *)obj)->name :
		    p->type == EIP_MSG_W_IPAM_FINALIZERS ||
		    p->type == EIP_MSG_W_IPAM_STATUS ? ((struct ipam *)obj)->name :
		    ((struct ns *)obj)->name);
	}
	if (ip != NULL && p->type != EIP_MSG_W_EVENT) {
		free(ip->werr);
		xasprintf(&ip->werr, "writing %s %s failed: %s%lld %s", verb_of(p->type),
		    p->name, res == NULL ? "no answer " : "", code,
		    res != NULL && eip_str(res, "message") != NULL ?
		    eip_str(res, "message") : "");
		setstr(&ip->werr_obj, p->name);
		q_ipam(m, ip, Q_WRITE);
	}
	log_warn("write %s %s: %s %lld %s", verb_of(p->type), p->name,
	    res == NULL ? "lost" : "failed", code, res != NULL &&
	    eip_str(res, "message") != NULL ? eip_str(res, "message") : "");
	pending_free(p);
}

void
write_expire(struct eip_model *m)
{
	struct pending *p;
	size_t it = 0;

	/* A scan of everything in flight, at most once a second. */
	if (m->pend.n == 0 || m->now < m->expire_at)
		return;
	m->expire_at = m->now + 1000;
	while ((p = hmap_next(&m->pend, &it)) != NULL) {
		if (m->now - p->sent < m->cfg.write_timeout_ms)
			continue;
		write_result(m, p->corr, NULL);
		it = 0;		/* the map changed */
	}
}
