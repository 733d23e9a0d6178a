/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Watch streams: the store's events filtered per watcher (type, namespace,
 * label and field selectors, with objects entering or leaving a selection
 * sent as ADDED or DELETED), resumption from the event history, the 410
 * ERROR event for a resourceVersion older than the history, and bookmarks.
 * The transport (chunked HTTP in eipam-sim.c) is behind two callbacks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "xmalloc.h"

static void watch_on_event(struct sim_store *, const struct sim_event *,
    void *);

struct sim_watch_hub *
watch_hub_new(struct sim_store *st)
{
	struct sim_watch_hub *h = xcalloc(1, sizeof(*h));

	h->st = st;
	store_observe(st, watch_on_event, h);
	return h;
}

void
watch_hub_free(struct sim_watch_hub *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++) {
		selector_free(&h->v[i]->lsel);
		selector_free(&h->v[i]->fsel);
		free(h->v[i]->ns);
		free(h->v[i]);
	}
	free(h->v);
	free(h);
}

size_t
watch_count(const struct sim_watch_hub *h)
{
	return h->n;
}

char *
watch_line(const char *type, const json_t *obj, size_t *len)
{
	json_t *ev = json_pack("{s:s,s:O}", "type", type, "object", obj);
	char *s = json_dumps(ev, JSON_COMPACT);
	size_t n = strlen(s);

	json_decref(ev);
	s = xreallocarray(s, n + 2, 1);
	s[n] = '\n';
	s[n + 1] = '\0';
	*len = n + 1;
	return s;
}

static int
watcher_match(const struct sim_watcher *w, const json_t *obj)
{
	const char *ns;

	if (obj == NULL)
		return 0;
	if (w->ns != NULL) {
		ns = json_string_value(json_object_get(json_object_get(obj,
		    "metadata"), "namespace"));
		if (ns == NULL || strcmp(ns, w->ns) != 0)
			return 0;
	}
	return selector_match_labels(&w->lsel, obj) &&
	    selector_match_fields(&w->fsel, obj);
}

/* What a watcher sees of an event, or NULL: selections turn into ADD/DEL. */
static const char *
watcher_type(const struct sim_watcher *w, const struct sim_event *ev)
{
	int now, before;

	if (w->dead || w->rt != ev->rt)
		return NULL;
	now = watcher_match(w, ev->obj);
	switch (ev->type) {
	case SIM_EV_ADDED:
		return now ? "ADDED" : NULL;
	case SIM_EV_DELETED:
		return now ? "DELETED" : NULL;
	case SIM_EV_MODIFIED:
		before = watcher_match(w, ev->old);
		if (now && before)
			return "MODIFIED";
		if (now)
			return "ADDED";
		if (before)
			return "DELETED";
		return NULL;
	}
	return NULL;
}

static void
watch_on_event(struct sim_store *st, const struct sim_event *ev, void *arg)
{
	struct sim_watch_hub *h = arg;
	char *lines[3] = { NULL, NULL, NULL };
	size_t lens[3] = { 0, 0, 0 }, i;
	const char *type;
	int t;

	for (i = 0; i < h->n; i++) {
		struct sim_watcher *w = h->v[i];

		if ((type = watcher_type(w, ev)) == NULL)
			continue;
		t = type[0] == 'A' ? 0 : type[0] == 'M' ? 1 : 2;
		if (lines[t] == NULL)
			lines[t] = watch_line(type, ev->obj, &lens[t]);
		w->send(w, lines[t], lens[t]);
		w->sent_rv = ev->rv;
		h->events_sent++;
	}
	for (t = 0; t < 3; t++)
		free(lines[t]);
}

static void
send_obj(struct sim_watcher *w, const char *type, const json_t *obj)
{
	size_t len;
	char *line = watch_line(type, obj, &len);

	w->send(w, line, len);
	free(line);
}

static void
send_bookmark(struct sim_watch_hub *h, struct sim_watcher *w, int end)
{
	const struct sim_rtype *rt = rtype_get(w->rt);
	char av[96], rv[24];
	json_t *o;

	snprintf(rv, sizeof(rv), "%llu", (unsigned long long)h->st->rv);
	o = json_pack("{s:s,s:s,s:{s:s}}", "kind", rt->kind, "apiVersion",
	    rtype_api_version(rt, av, sizeof(av)), "metadata",
	    "resourceVersion", rv);
	if (end)
		json_object_set_new(json_object_get(o, "metadata"),
		    "annotations", json_pack("{s:s}",
		    "k8s.io/initial-events-end", "true"));
	send_obj(w, "BOOKMARK", o);
	json_decref(o);
}

struct sim_watcher *
watch_start(struct sim_watch_hub *h, const struct sim_watch_spec *spec,
    sim_watch_send_fn send, void *ctx, struct sim_err *e)
{
	struct sim_store *st = h->st;
	struct sim_watcher *w = xcalloc(1, sizeof(*w));
	const struct sim_coll *c = &st->colls[spec->rt];
	char err[256];
	uint64_t from = 0;
	size_t i;

	e->code = 0;
	w->rt = spec->rt;
	w->ns = spec->ns[0] != '\0' ? xstrdup(spec->ns) : NULL;
	w->bookmarks = spec->bookmarks;
	w->send = send;
	w->ctx = ctx;
	if (spec->label_sel != NULL)
		selector_parse_labels(spec->label_sel, &w->lsel, err,
		    sizeof(err));
	if (spec->field_sel != NULL)
		selector_parse_fields(spec->field_sel, rtype_get(spec->rt),
		    &w->fsel, err, sizeof(err));
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->v = xreallocarray(h->v, h->cap, sizeof(*h->v));
	}
	h->v[h->n++] = w;
	if (spec->rv_set && strcmp(spec->rv, "0") != 0)
		from = strtoull(spec->rv, NULL, 10);
	if (from == 0) {
		/* No resourceVersion: the current state as ADDED events. */
		for (i = 0; i < c->n; i++)
			if (watcher_match(w, c->v[i]->obj))
				send_obj(w, "ADDED", c->v[i]->obj);
		w->sent_rv = st->rv;
		if (spec->initial_events_end && w->bookmarks)
			send_bookmark(h, w, 1);
		return w;
	}
	if (store_rv_expired(st, from)) {
		json_t *o;

		sim_err_set(e, 410, "Expired", "too old resource version: "
		    "%llu (%llu)", (unsigned long long)from,
		    (unsigned long long)st->evicted_rv);
		o = json_pack("{s:s,s:s,s:{},s:s,s:s,s:s,s:i}", "kind",
		    "Status", "apiVersion", "v1", "metadata", "status",
		    "Failure", "message", e->message, "reason", "Expired",
		    "code", 410);
		send_obj(w, "ERROR", o);
		json_decref(o);
		w->dead = 1;
		return w;
	}
	for (i = 0; i < st->hist_len; i++) {
		const struct sim_event *ev =
		    &st->hist[(st->hist_head + i) % st->hist_cap];
		const char *type;

		if (ev->rv <= from || (type = watcher_type(w, ev)) == NULL)
			continue;
		send_obj(w, type, ev->obj);
		w->sent_rv = ev->rv;
	}
	return w;
}

void
watch_stop(struct sim_watch_hub *h, struct sim_watcher *w)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		if (h->v[i] != w)
			continue;
		h->v[i] = h->v[--h->n];
		selector_free(&w->lsel);
		selector_free(&w->fsel);
		free(w->ns);
		free(w);
		return;
	}
}

void
watch_bookmarks(struct sim_watch_hub *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->v[i]->bookmarks && !h->v[i]->dead)
			send_bookmark(h, h->v[i], 0);
}
