/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prometheus text format 0.0.4 for metricsd (see metrics.h).  Every family
 * has HELP and TYPE; label values are escaped; series of things that are
 * gone are simply not rendered, because the page is rebuilt from the
 * latest snapshots on every scrape.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "xmalloc.h"

#define STALE_PROCS	10	/* seconds without PROC_STATS */
#define STALE_GAUGES	30	/* seconds without GAUGES */

struct out {
	char	*buf;
	size_t	 len;
	size_t	 cap;
};

static void
out_add(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
out_add(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		o->cap = o->cap * 2 + (n > 0 ? (size_t)n : 0);
		o->buf = xreallocarray(o->buf, o->cap, 1);
	}
}

/* Label values: backslash, double quote and newline escaped. */
static const char *
esc(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; s != NULL && *s != '\0' && o + 3 < len; s++) {
		if (*s == '\\' || *s == '"') {
			buf[o++] = '\\';
			buf[o++] = *s;
		} else if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else
			buf[o++] = *s;
	}
	buf[o] = '\0';
	return buf;
}

void
metrics_init(struct metrics_state *st)
{
	memset(st, 0, sizeof(*st));
}

void
metrics_clear(struct metrics_state *st)
{
	json_decref(st->procs);
	json_decref(st->gauges);
	memset(st, 0, sizeof(*st));
}

void
metrics_set_procs(struct metrics_state *st, const json_t *b, time_t now)
{
	json_decref(st->procs);
	st->procs = json_deep_copy(b);
	st->procs_at = now;
}

void
metrics_set_gauges(struct metrics_state *st, const json_t *b, time_t now)
{
	json_decref(st->gauges);
	st->gauges = json_deep_copy(b);
	st->gauges_at = now;
}

int
metrics_ready(const struct metrics_state *st, time_t now, char *why,
    size_t whylen)
{
	json_t *p;
	size_t i;

	if (st->procs == NULL || now - st->procs_at > STALE_PROCS) {
		snprintf(why, whylen, "no process report from the supervisor");
		return 0;
	}
	json_array_foreach(json_object_get(st->procs, "procs"), i, p) {
		if (!json_is_true(json_object_get(p, "up")) ||
		    !json_is_true(json_object_get(p, "ready"))) {
			snprintf(why, whylen, "%s is not ready",
			    json_string_value(json_object_get(p, "role")));
			return 0;
		}
	}
	if (st->gauges == NULL || now - st->gauges_at > STALE_GAUGES) {
		snprintf(why, whylen, "no state from the allocator");
		return 0;
	}
	if (!json_is_true(json_object_get(st->gauges, "synced"))) {
		snprintf(why, whylen, "watches not synced yet");
		return 0;
	}
	return 1;
}

static void
render_procs(const struct metrics_state *st, struct out *o)
{
	static const struct {
		const char *name, *type, *help, *key;
		double scale;
	} fam[] = {
		{ "eipam_up", "gauge", "Whether the worker role is running and READY.", NULL, 1 },
		{ "eipam_worker_restarts_total", "counter", "Restarts of each worker role by the supervisor.", "restarts", 1 },
		{ "eipam_process_resident_memory_bytes", "gauge", "Resident memory of each operator process.", "rss_bytes", 1 },
		{ "eipam_process_cpu_seconds_total", "counter", "CPU time used by each operator process.", "cpu_ms", 0.001 },
		{ "eipam_process_open_fds", "gauge", "Open file descriptors of each operator process.", "fds", 1 },
	};
	char r[64], inst[16];
	json_t *procs = json_object_get(st->procs, "procs"), *p, *v;
	size_t f, i;

	for (f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		out_add(o, "# HELP %s %s\n# TYPE %s %s\n", fam[f].name,
		    fam[f].help, fam[f].name, fam[f].type);
		json_array_foreach(procs, i, p) {
			esc(json_string_value(json_object_get(p, "role")), r,
			    sizeof(r));
			snprintf(inst, sizeof(inst), "%lld", (long long)
			    json_integer_value(json_object_get(p, "instance")));
			if (fam[f].key == NULL) {
				out_add(o, "%s{role=\"%s\",instance=\"%s\"} %d\n",
				    fam[f].name, r, inst,
				    json_is_true(json_object_get(p, "up")) &&
				    json_is_true(json_object_get(p, "ready")));
				continue;
			}
			if ((v = json_object_get(p, fam[f].key)) == NULL)
				continue;
			out_add(o, "%s{role=\"%s\",instance=\"%s\"} %.17g\n",
			    fam[f].name, r, inst,
			    (double)json_integer_value(v) * fam[f].scale);
		}
	}
}

static void
family(struct out *o, const char *name, const char *type, const char *help)
{
	out_add(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static double
num(const json_t *v)
{
	if (json_is_integer(v))
		return (double)json_integer_value(v);
	if (json_is_real(v))
		return json_real_value(v);
	if (json_is_string(v))
		return strtod(json_string_value(v), NULL);
	return 0;
}

static const char *
str(const json_t *o, const char *k, char *buf, size_t len)
{
	return esc(json_string_value(json_object_get(o, k)), buf, len);
}

/* Per IPAM and node: upstream's two gauges, same names, labels, meaning. */
static void
render_ipams(const json_t *ipams, struct out *o)
{
	char a[256], b[256];
	json_t *ip, *x;
	size_t i, j;

	family(o, "egressip_ip_capacity", "gauge",
	    "Number of IPs that a node can carry (including the primary IP)");
	json_array_foreach(ipams, i, ip)
		json_array_foreach(json_object_get(ip, "nodes"), j, x)
			if (num(json_object_get(x, "capacity")) >= 0)
				out_add(o, "egressip_ip_capacity{egressipam=\"%s\","
				    "node=\"%s\"} %.17g\n", str(ip, "name", a,
				    sizeof(a)), str(x, "node", b, sizeof(b)),
				    num(json_object_get(x, "capacity")));
	family(o, "egressip_ip_allocated", "gauge",
	    "Number IPs allocated to a node (including the primary IP)");
	json_array_foreach(ipams, i, ip)
		json_array_foreach(json_object_get(ip, "nodes"), j, x)
			out_add(o, "egressip_ip_allocated{egressipam=\"%s\","
			    "node=\"%s\"} %.17g\n", str(ip, "name", a, sizeof(a)),
			    str(x, "node", b, sizeof(b)),
			    num(json_object_get(x, "allocated")));
	{
		static const struct {
			const char *name, *key, *help;
		} cf[] = {
			{ "egressip_cidr_addresses", "size", "Addresses in the CIDR." },
			{ "egressip_cidr_allocated", "allocated", "Addresses of the CIDR held by namespaces." },
			{ "egressip_cidr_reserved", "reserved", "Addresses of the CIDR never handed out (network, broadcast, reserved, node and cloud addresses)." },
			{ "egressip_cidr_free", "free", "Addresses of the CIDR still free." },
		};
		size_t f;

		for (f = 0; f < sizeof(cf) / sizeof(cf[0]); f++) {
			family(o, cf[f].name, "gauge", cf[f].help);
			json_array_foreach(ipams, i, ip)
				json_array_foreach(json_object_get(ip, "cidrs"),
				    j, x)
					if (json_object_get(x, cf[f].key) != NULL)
					out_add(o, "%s{egressipam=\"%s\",cidr="
					    "\"%s\"} %.17g\n", cf[f].name,
					    str(ip, "name", a, sizeof(a)),
					    str(x, "cidr", b, sizeof(b)),
					    num(json_object_get(x, cf[f].key)));
		}
	}
	family(o, "egressip_namespaces_assigned", "gauge",
	    "Namespaces holding IPs of the EgressIPAM.");
	json_array_foreach(ipams, i, ip)
		out_add(o, "egressip_namespaces_assigned{egressipam=\"%s\"} "
		    "%.17g\n", str(ip, "name", a, sizeof(a)),
		    num(json_object_get(ip, "namespaces")));
	family(o, "egressip_namespaces_waiting", "gauge",
	    "Opted-in namespaces still without all their IPs or placement.");
	json_array_foreach(ipams, i, ip)
		out_add(o, "egressip_namespaces_waiting{egressipam=\"%s\"} "
		    "%.17g\n", str(ip, "name", a, sizeof(a)),
		    num(json_object_get(ip, "waiting")));
}

/*
 * The histogram comes either cumulative ("latency": counts per le) or per
 * bucket ("assign_latency_seconds": one count per le plus the overflow);
 * Prometheus wants cumulative buckets.
 */
static void
render_latency(const json_t *data, struct out *o)
{
	const json_t *lat = json_object_get(data, "latency");
	const json_t *le, *counts;
	int per_bucket = 0;
	double acc = 0;
	size_t i;

	if (lat == NULL && (lat = json_object_get(data,
	    "assign_latency_seconds")) != NULL)
		per_bucket = 1;
	le = json_object_get(lat, "le");
	counts = json_object_get(lat, "counts");
	family(o, "egressip_assign_latency_seconds", "histogram",
	    "Time from a namespace opting in to its IPs being written.");
	if (!json_is_array(le) || !json_is_array(counts) ||
	    json_array_size(counts) < json_array_size(le))
		return;
	for (i = 0; i < json_array_size(le); i++) {
		acc = per_bucket ? acc + num(json_array_get(counts, i)) :
		    num(json_array_get(counts, i));
		out_add(o, "egressip_assign_latency_seconds_bucket{le=\"%g\"} "
		    "%.17g\n", num(json_array_get(le, i)), acc);
	}
	out_add(o, "egressip_assign_latency_seconds_bucket{le=\"+Inf\"} "
	    "%.17g\n", num(json_object_get(lat, "count")));
	out_add(o, "egressip_assign_latency_seconds_sum %.17g\n",
	    num(json_object_get(lat, "sum")));
	out_add(o, "egressip_assign_latency_seconds_count %.17g\n",
	    num(json_object_get(lat, "count")));
}

/* Counters workers report in their heartbeats (via PROC_STATS). */
static void
render_worker_counters(const struct metrics_state *st, struct out *o)
{
	json_t *procs = json_object_get(st->procs, "procs"), *p, *x;
	char a[128], b[128], c[128];
	size_t i, j;

	family(o, "eipam_kube_requests_total", "counter",
	    "Kubernetes API requests by verb and HTTP status code.");
	json_array_foreach(procs, i, p)
		json_array_foreach(json_object_get(json_object_get(p,
		    "metrics"), "kube_requests"), j, x)
			out_add(o, "eipam_kube_requests_total{verb=\"%s\","
			    "code=\"%lld\"} %.17g\n", str(x, "verb", a,
			    sizeof(a)), (long long)num(json_object_get(x,
			    "code")), num(json_object_get(x, "count")));
	family(o, "eipam_cloud_calls_total", "counter",
	    "Cloud API calls by provider, action and outcome.");
	json_array_foreach(procs, i, p)
		json_array_foreach(json_object_get(json_object_get(p,
		    "metrics"), "cloud_calls"), j, x)
			out_add(o, "eipam_cloud_calls_total{provider=\"%s\","
			    "action=\"%s\",outcome=\"%s\"} %.17g\n",
			    str(x, "provider", a, sizeof(a)),
			    str(x, "action", b, sizeof(b)),
			    str(x, "outcome", c, sizeof(c)),
			    num(json_object_get(x, "count")));
}

/* The allocator's own counters ("counters" in GAUGES), if it sends them. */
static void
render_counters(const json_t *c, struct out *o)
{
	static const struct {
		const char *key, *name, *help;
	} cf[] = {
		{ "reconciles", "eipam_reconcile_passes_total",
		    "Reconcile passes of the allocator." },
		{ "decisions", "eipam_decisions_total",
		    "Decisions the allocator took (IPs chosen, placed, released)." },
		{ "writes", "eipam_writes_total",
		    "Writes the allocator asked for." },
		{ "write_errors", "eipam_write_errors_total",
		    "Writes that failed." },
		{ "conflicts", "eipam_write_conflicts_total",
		    "Writes refused on a stale resourceVersion (decided again)." },
	};
	size_t f;

	for (f = 0; f < sizeof(cf) / sizeof(cf[0]); f++) {
		if (json_object_get(c, cf[f].key) == NULL)
			continue;
		family(o, cf[f].name, "counter", cf[f].help);
		out_add(o, "%s %.17g\n", cf[f].name,
		    num(json_object_get(c, cf[f].key)));
	}
}

static void
render_gauges(const struct metrics_state *st, struct out *o)
{
	const json_t *g = st->gauges;
	const json_t *data = json_object_get(g, "data");
	const json_t *rec = json_object_get(data, "reconciles");

	out_add(o, "# HELP eipam_leader Whether this operator instance leads "
	    "(1) or stands by (0).\n# TYPE eipam_leader gauge\n");
	if (g != NULL)
		out_add(o, "eipam_leader %d\n",
		    json_is_true(json_object_get(g, "leader")));
	out_add(o, "# HELP eipam_synced Whether every watch has completed its "
	    "first list.\n# TYPE eipam_synced gauge\n");
	if (g != NULL)
		out_add(o, "eipam_synced %d\n",
		    json_is_true(json_object_get(g, "synced")));
	render_ipams(json_object_get(data, "ipams"), o);
	render_latency(data, o);
	family(o, "eipam_reconciles_total", "counter",
	    "Reconciliations of EgressIPAMs by result.");
	if (rec != NULL) {
		out_add(o, "eipam_reconciles_total{result=\"ok\"} %.17g\n",
		    num(json_object_get(rec, "ok")));
		out_add(o, "eipam_reconciles_total{result=\"error\"} %.17g\n",
		    num(json_object_get(rec, "error")));
	}
	render_counters(json_object_get(data, "counters"), o);
}

char *
metrics_render(const struct metrics_state *st, size_t *len)
{
	struct out o = { NULL, 0, 0 };

	o.cap = 4096;
	o.buf = xmalloc(o.cap);
	o.buf[0] = '\0';
	render_procs(st, &o);
	render_gauges(st, &o);
	render_worker_counters(st, &o);
	*len = o.len;
	return o.buf;
}
