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
render_gauges(const struct metrics_state *st, struct out *o)
{
	const json_t *g = st->gauges;

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
	*len = o.len;
	return o.buf;
}
