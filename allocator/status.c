/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The EgressIPAM side of the output (SPEC 5 and 6): finalizers (ours,
 * and the legacy EgressIPAM_controller, removed once cleanup is
 * complete), status with conditions, pool usage and observedGeneration,
 * events for problems of the IPAM, and the GAUGES body for metricsd.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <limits.h>
#include <stdint.h>

#include "eip_proto.h"
#include "log.h"
#include "model_int.h"
#include "xmalloc.h"

static const double lat_bounds[11] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};

void
status_latency(struct eip_model *m, struct ns *ns)
{
	double s;
	int b;

	if (ns->since <= 0)
		return;
	s = (double)(m->now - ns->since) / 1000.0;
	ns->since = 0;
	for (b = 0; b < 11 && s > lat_bounds[b]; b++)
		;
	m->lat_buckets[b]++;
	m->lat_count++;
	m->lat_sum += s;
}

static int
has_fin(const struct ipam *p, const char *f)
{
	size_t i;

	for (i = 0; i < p->nfinalizers; i++)
		if (streq(p->finalizers[i], f))
			return 1;
	return 0;
}

static int
in_pools(const struct ipam *p, const struct eip_ip *ip)
{
	size_t i;

	for (i = 0; i < p->nslots; i++)
		if (pool_contains(p->slots[i]->pool, ip))
			return 1;
	return 0;
}

/*
 * Everything released: no binding, no egressips annotation on a
 * namespace that opted in, none of our addresses of its CIDRs carried
 * anywhere, no HostSubnet with one of its CIDRs, no node label we added
 * for it.  Runs only for deleting IPAMs, so its cost is not per event.
 */
int
status_cleanup_done(struct eip_model *m, struct ipam *p)
{
	struct ipent *e;
	struct node *n;
	struct ns *ns;
	size_t it, i, j;

	if (p->nbound > 0)
		return 0;
	it = 0;
	while ((ns = hmap_next(&p->refs, &it)) != NULL)
		if (ns->present && !ns->deleting && ns->annot != NULL)
			return 0;
	it = 0;
	while ((e = hmap_next(&m->ips, &it)) != NULL)
		if (e->ours && in_pools(p, &e->ip) && (e->nn.n > 0 ||
		    e->eip.n > 0 || e->hs.n > 0 || e->nics.n > 0))
			return 0;
	it = 0;
	while ((n = hmap_next(&m->nodes, &it)) != NULL) {
		if (streq(n->assignable_by, p->name))
			return 0;
		for (i = 0; i < n->hs_ncidrs; i++) {
			struct eip_cidr c;

			if (cidr_parse(n->hs_cidrs[i], &c) == -1)
				continue;
			for (j = 0; j < p->nslots; j++)
				if (cidr_equal(&c, &p->slots[j]->pool->cidr))
					return 0;
		}
	}
	return 1;
}

static void
finalizers(struct eip_model *m, struct ipam *p)
{
	json_t *list, *b;
	size_t i;
	int add;

	if (!m->leading || !write_ready(m, &p->w_fin, p->rv))
		return;
	add = !p->deleting && !has_fin(p, EIP_FINALIZER);
	if (!add && !(p->deleting && (has_fin(p, EIP_FINALIZER) ||
	    has_fin(p, EIP_FINALIZER_LEGACY))))
		return;
	if (!add && !status_cleanup_done(m, p))
		return;
	list = json_array();
	for (i = 0; i < p->nfinalizers; i++)
		if (add || (!streq(p->finalizers[i], EIP_FINALIZER) &&
		    !streq(p->finalizers[i], EIP_FINALIZER_LEGACY)))
			json_array_append_new(list, json_string(p->finalizers[i]));
	if (add)
		json_array_append_new(list, json_string(EIP_FINALIZER));
	else
		log_info("EgressIPAM %s: every IP is released, the finalizer "
		    "goes", p->name);
	b = json_pack("{s:s, s:s, s:o}", "name", p->name, "rv", p->rv,
	    "finalizers", list);
	write_send(m, EIP_MSG_W_IPAM_FINALIZERS, p->name, p->rv, b, &p->w_fin);
	json_decref(b);
}

/* Problems of the IPAM: errors block Ready, warnings are only said. */
static void
problems(struct eip_model *m, struct ipam *p, struct eip_issues *out)
{
	struct subnet_rec *r;
	struct ns *ns;
	struct node *n;
	size_t i, j;
	char f[96];

	for (i = 0; i < p->spec.issues.n; i++)
		issues_add(out, p->spec.issues.v[i].sev, p->spec.issues.v[i].field,
		    "%s", p->spec.issues.v[i].reason);
	for (i = 0; i < p->cross.n; i++)
		issues_add(out, ISSUE_ERROR, p->cross.v[i].field, "%s",
		    p->cross.v[i].reason);
	for (i = 0; i < p->overlap.n && i < 5; i++) {
		n = p->overlap.v[i];
		issues_add(out, ISSUE_ERROR, "spec.nodeSelector", "node %s is also "
		    "a node of another EgressIPAM; it carries egress IPs of "
		    "neither", n->name);
	}
	if (p->overlap.n > 5)
		issues_add(out, ISSUE_ERROR, "spec.nodeSelector", "and %zu more "
		    "nodes of other EgressIPAMs too", p->overlap.n - 5);
	for (i = 0; i < p->bad.n && i < 5; i++) {
		ns = p->bad.v[i];
		snprintf(f, sizeof(f), "namespace %s", ns->name);
		issues_add(out, m->cfg.isolate ? ISSUE_WARN : ISSUE_ERROR, f,
		    "%s%s", ns->bad, m->cfg.isolate ? " (namespace skipped)" :
		    " (processing stopped)");
	}
	if (p->bad.n > 5)
		issues_add(out, m->cfg.isolate ? ISSUE_WARN : ISSUE_ERROR,
		    "namespaces", "and %zu more rejected annotations",
		    p->bad.n - 5);
	if (p->werr != NULL)
		issues_add(out, ISSUE_ERROR, "write", "%s", p->werr);
	for (i = 0; i < p->nslots; i++) {
		struct slot *s = p->slots[i];

		snprintf(f, sizeof(f), "spec.cidrAssignments[%zu]", i);
		if (s->exhausted)
			issues_add(out, ISSUE_WARN, f, "CIDR %s is exhausted: %zu "
			    "namespaces wait for an address",
			    p->spec.a[i].cidr_str, s->waiting.n);
		if (s->unplaced.n > 0)
			issues_add(out, ISSUE_WARN, f, "%zu IPs of CIDR %s wait for "
			    "a Ready node with capacity", s->unplaced.n,
			    p->spec.a[i].cidr_str);
		for (j = 0; j < m->subnets.n; j++) {
			r = m->subnets.v[j];
			if (r->error != NULL && cidr_equal(&r->cidr,
			    &s->pool->cidr))
				issues_add(out, ISSUE_ERROR, f, "cloud: %s",
				    r->error);
		}
	}
}

static void
rfc3339(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *
condition(struct eip_model *m, struct ipam *p, const char *type, int ok,
    const char *reason, const char *msg)
{
	const json_t *old = NULL, *c;
	char ts[32];
	size_t i;

	json_array_foreach(json_object_get(p->status_obs, "conditions"), i, c)
		if (streq(eip_str(c, "type"), type))
			old = c;
	/* The transition time changes only when the status does. */
	if (old != NULL && streq(eip_str(old, "status"), ok ? "True" : "False") &&
	    eip_str(old, "lastTransitionTime") != NULL)
		snprintf(ts, sizeof(ts), "%s", eip_str(old, "lastTransitionTime"));
	else
		rfc3339(m->wall, ts, sizeof(ts));
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "type", type,
	    "status", ok ? "True" : "False", "reason", reason, "message", msg,
	    "observedGeneration", (json_int_t)p->generation,
	    "lastTransitionTime", ts);
}

static json_t *
build_status(struct eip_model *m, struct ipam *p, struct eip_issues *iss)
{
	json_t *st, *conds, *cidrs;
	char *etext, *wtext, *msg, a[48], b[48];
	const char *reason;
	size_t i, unplaced = 0, refs = p->refs.n;
	int ready;

	etext = issues_text(iss, ISSUE_ERROR);
	wtext = issues_text(iss, ISSUE_WARN);
	for (i = 0; i < p->nslots; i++)
		unplaced += p->slots[i]->unplaced.n;
	ready = iss->nerrors == 0 && p->ncomplete == refs && unplaced == 0 &&
	    !p->deleting;
	if (p->deleting)
		reason = "Deleting";
	else if (p->frozen)
		reason = "InvalidSpec";
	else if (ipam_halted(m, p))
		reason = "Halted";
	else if (iss->nerrors > 0)
		reason = "Error";
	else if (p->ncomplete < refs)
		reason = "Pending";
	else if (unplaced > 0)
		reason = "NoCapacity";
	else
		reason = "AllAssigned";
	xasprintf(&msg, "%zu of %zu namespaces hold all their IPs%s%s",
	    p->ncomplete, refs, wtext[0] != '\0' ? "; " : "", wtext);
	conds = json_array();
	json_array_append_new(conds, condition(m, p, "Ready", ready, reason, msg));
	json_array_append_new(conds, condition(m, p, "ReconcileSuccess",
	    iss->nerrors == 0, iss->nerrors == 0 ? "LastReconcileCycleSucceded" :
	    "LastReconcileCycleFailed", ""));
	json_array_append_new(conds, condition(m, p, "ReconcileError",
	    iss->nerrors > 0, iss->nerrors > 0 ? "LastReconcileCycleFailed" :
	    "LastReconcileCycleSucceded", etext));
	cidrs = json_array();
	for (i = 0; i < p->nslots; i++) {
		struct eip_pool *pool = p->slots[i]->pool;

		json_array_append_new(cidrs, json_pack("{s:s, s:s, s:I, s:I, s:s}",
		    "CIDR", p->spec.a[i].cidr_str, "size",
		    u128_format(pool_size(pool), a, sizeof(a)), "allocated",
		    (json_int_t)pool_count(pool, POOL_HELD), "reserved",
		    (json_int_t)(pool_nreserved(pool) > (u128)INT64_MAX ?
		    INT64_MAX : (int64_t)pool_nreserved(pool)), "free",
		    u128_format(pool_nfree(pool), b, sizeof(b))));
	}
	st = json_pack("{s:o, s:o, s:I, s:I}", "conditions", conds, "cidrs",
	    cidrs, "namespaces", (json_int_t)p->nholding, "observedGeneration",
	    (json_int_t)p->generation);
	if (json_array_size(cidrs) == 0)
		json_object_del(st, "cidrs");
	free(etext);
	free(wtext);
	free(msg);
	return st;
}

/* One event per problem line, when it appears. */
static void
ipam_events(struct eip_model *m, struct ipam *p, const struct eip_issues *iss)
{
	char *all = xstrdup(""), *line, *tmp;
	size_t i;

	for (i = 0; i < iss->n; i++) {
		xasprintf(&line, "%s: %s", iss->v[i].field, iss->v[i].reason);
		if (strncmp(iss->v[i].field, "namespace", 9) != 0 &&
		    (p->ev_text == NULL || strstr(p->ev_text, line) == NULL))
			event_send(m, "EgressIPAM", p->name, p->uid, 1,
			    iss->v[i].sev == ISSUE_ERROR ? "ProcessingError" :
			    "SpecWarning", "%s", line);
		xasprintf(&tmp, "%s%s\n", all, line);
		free(all);
		free(line);
		all = tmp;
	}
	free(p->ev_text);
	p->ev_text = all;
}

void
status_ipam_writes(struct eip_model *m, struct ipam *p)
{
	struct eip_issues iss = { 0 };
	json_t *st, *b;

	if (!p->present || p->rv == NULL)
		return;
	finalizers(m, p);
	problems(m, p, &iss);
	if (iss.nerrors > 0)
		m->n_ipam_err++;
	else
		m->n_ipam_ok++;
	if (m->leading)
		ipam_events(m, p, &iss);
	st = build_status(m, p, &iss);
	issues_clear(&iss);
	if (json_equal(st, p->status_obs) || !m->leading ||
	    p->w_status.corr != 0) {
		json_decref(st);
		return;
	}
	if (m->now < p->status_at || m->now < p->w_status.retry_at) {
		/* At most one status write per IPAM per status_ms. */
		timer_add(m, p->status_at > p->w_status.retry_at ? p->status_at :
		    p->w_status.retry_at, K_EGRESSIPAM, p->name);
		json_decref(st);
		return;
	}
	p->status_at = m->now + m->cfg.status_ms;
	b = json_pack("{s:s, s:o}", "name", p->name, "status", st);
	write_send(m, EIP_MSG_W_IPAM_STATUS, p->name, p->rv, b, &p->w_status);
	json_decref(b);
}

static json_t *
node_gauges(struct eip_model *m, struct ipam *p)
{
	json_t *arr = json_array(), *o;
	struct node *n;
	size_t i, j;
	long cap;

	for (i = 0; i < p->nslots; i++) {
		for (j = 0; j < p->slots[i]->nodes.n; j++) {
			n = p->slots[i]->nodes.v[j];
			cap = place_capacity(m, n);
			if (m->backend == BK_OVN)
				cap = n->ovn_cap4 >= 0 ? n->ovn_cap4 : -1;
			/*
			 * Upstream's meaning: +1 for the primary IP.  -1 when
			 * unknown or unlimited (bare metal without the
			 * annotation): metricsd then leaves the capacity series
			 * out instead of a 0 or 4294967295 that makes the
			 * utilisation alerts meaningless (upstream 12.20).
			 */
			o = json_pack("{s:s, s:I, s:b, s:I}", "node", n->name,
			    "allocated", (json_int_t)n->nplaced + 1, "ready",
			    n->ready, "capacity", cap < 0 || cap == LONG_MAX ?
			    (json_int_t)-1 : (json_int_t)cap + 1);
			json_array_append_new(arr, o);
		}
	}
	return arr;
}

json_t *
status_gauges(struct eip_model *m)
{
	json_t *data, *ipams, *cidrs, *o, *lat, *counts;
	struct ipam *p;
	char a[48], b[48];
	size_t it = 0, i, waiting;

	ipams = json_array();
	while ((p = hmap_next(&m->ipams, &it)) != NULL) {
		if (!p->present)
			continue;
		cidrs = json_array();
		/* Opted in without all their IPs, or with IPs not placed. */
		waiting = p->refs.n - (p->ncomplete < p->refs.n ? p->ncomplete :
		    p->refs.n);
		for (i = 0; i < p->nslots; i++) {
			struct eip_pool *pool = p->slots[i]->pool;

			waiting += p->slots[i]->unplaced.n;
			json_array_append_new(cidrs, json_pack("{s:s, s:s, s:I, "
			    "s:s, s:I}", "cidr", p->spec.a[i].cidr_str, "size",
			    u128_format(pool_size(pool), a, sizeof(a)), "allocated",
			    (json_int_t)pool_count(pool, POOL_HELD), "free",
			    u128_format(pool_nfree(pool), b, sizeof(b)),
			    "unplaced", (json_int_t)p->slots[i]->unplaced.n));
		}
		if (waiting > p->refs.n)
			waiting = p->refs.n;
		o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:o, s:o}", "name",
		    p->name, "mode", m->backend == BK_OVN ? "ovn" : p->cidr_mode ?
		    "cidr" : "explicit", "namespaces", (json_int_t)p->nholding,
		    "opted_in", (json_int_t)p->refs.n, "waiting",
		    (json_int_t)waiting, "cidrs", cidrs, "nodes",
		    node_gauges(m, p));
		json_array_append_new(ipams, o);
	}
	counts = json_array();
	for (i = 0; i < 12; i++)
		json_array_append_new(counts, json_integer((json_int_t)
		    m->lat_buckets[i]));
	lat = json_pack("{s:[f,f,f,f,f,f,f,f,f,f,f], s:o, s:f, s:I}", "le",
	    lat_bounds[0], lat_bounds[1], lat_bounds[2], lat_bounds[3],
	    lat_bounds[4], lat_bounds[5], lat_bounds[6], lat_bounds[7],
	    lat_bounds[8], lat_bounds[9], lat_bounds[10], "counts", counts,
	    "sum", m->lat_sum, "count", (json_int_t)m->lat_count);
	data = json_pack("{s:o, s:o, s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I, "
	    "s:I}}", "ipams", ipams, "assign_latency_seconds", lat,
	    "reconciles", "ok", (json_int_t)m->n_ipam_ok, "error",
	    (json_int_t)m->n_ipam_err, "counters",
	    "reconciles", (json_int_t)m->n_reconciles, "decisions",
	    (json_int_t)m->n_decisions, "writes", (json_int_t)m->n_writes,
	    "write_errors", (json_int_t)m->n_write_errors, "conflicts",
	    (json_int_t)m->n_conflicts);
	return json_pack("{s:b, s:b, s:o}", "synced", m->all_synced && m->ready,
	    "leader", m->leading, "data", data);
}
