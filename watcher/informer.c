/* SPDX-License-Identifier: Apache-2.0 */
/*
 * List/watch state machine per kind (see informer.h).  Each informer is
 * in one of: discovering its group/version, listing (page by page),
 * watching, waiting on a timer, or unserved.  Every change reaches the
 * sink exactly once and in order per object: a relist sends only what
 * differs from the cache (and deletes for what vanished), and a watch
 * event that is not newer than the cache is dropped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "backoff.h"
#include "eip_proto.h"
#include "informer.h"
#include "kclient.h"
#include "log.h"
#include "xmalloc.h"

enum istep { STEP_DISCOVER, STEP_LIST, STEP_WATCH };

struct informer {
	struct eip_informers	*set;
	enum wkind		 kind;
	const struct wkind_info	*ki;
	struct eip_kreq		*req;
	struct event		*timer;
	enum istep		 next;
	struct eip_backoff	 bo;
	json_t			*cache;		/* name -> normalized body */
	json_t			*seen;		/* names of the current list */
	char			*cont;		/* continue token of the list */
	char			 rv[80];	/* where the watch resumes */
	int			 synced;
	int			 unserved;
	char			 unserved_why[300];
	int			 relist;	/* the watch asked for a LIST */
	int			 watch_failed;	/* ERROR event, not 410 */
	unsigned long		 watch_events;	/* in the current watch */
	uint64_t		 watch_start;
};

struct eip_informers {
	struct event_base	*base;
	struct eip_kclient	*kc;
	struct eip_informer_opts o;
	eip_sink_fn		 sink;
	void			*arg;
	struct informer		 inf[WK_MAX];
	struct eip_informer_stats st;
};

static void step(struct informer *);

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
rv_compare(const char *a, const char *b)
{
	unsigned long long x, y;
	char *ea, *eb;

	if (strcmp(a, b) == 0)
		return 0;
	if (strspn(a, "0123456789") != strlen(a) ||
	    strspn(b, "0123456789") != strlen(b) || *a == '\0' || *b == '\0')
		return 2;
	errno = 0;
	x = strtoull(a, &ea, 10);
	y = strtoull(b, &eb, 10);
	if (errno != 0)
		return 2;
	return x > y ? 1 : (x < y ? -1 : 0);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	step(arg);
}

static void
schedule(struct informer *in, enum istep next, uint64_t delay_ms)
{
	struct timeval tv;

	in->next = next;
	tv.tv_sec = (time_t)(delay_ms / 1000);
	tv.tv_usec = (suseconds_t)(delay_ms % 1000) * 1000;
	evtimer_add(in->timer, &tv);
}

static void
retry_later(struct informer *in, enum istep next, const char *why)
{
	uint64_t d = backoff_next(&in->bo, mono_ms(), backoff_rand());

	in->set->st.errors++;
	log_warn("%s: %s; retrying in %llu ms", in->ki->kind, why,
	    (unsigned long long)d);
	schedule(in, next, d);
}

static void
emit(struct informer *in, uint16_t type, const json_t *body)
{
	in->set->sink(type, body, in->set->arg);
}

static void
emit_delete(struct informer *in, const char *name, const json_t *cached)
{
	json_t *b = json_object();

	json_object_set_new(b, "kind", json_string(in->ki->kind));
	json_object_set_new(b, "name", json_string(name));
	if (json_object_get(cached, "uid") != NULL)
		json_object_set(b, "uid", json_object_get(cached, "uid"));
	emit(in, EIP_MSG_OBJ_DELETE, b);
	json_decref(b);
}

static void
emit_kind(struct informer *in, uint16_t type)
{
	json_t *b = json_object();

	json_object_set_new(b, "kind", json_string(in->ki->kind));
	if (type == EIP_MSG_KIND_UNSERVED)
		json_object_set_new(b, "reason",
		    json_string(in->unserved_why));
	emit(in, type, b);
	json_decref(b);
}

/*
 * Caches and sends an object.  authoritative: from a LIST, which replaces
 * whatever the cache holds; otherwise an older version is stale.
 */
static void
upsert(struct informer *in, const json_t *obj, int authoritative)
{
	char err[300];
	const char *name, *rv;
	json_t *body, *old;
	int cmp;

	name = json_string_value(json_object_get(json_object_get(obj,
	    "metadata"), "name"));
	if (in->ki->only_cluster && (name == NULL ||
	    strcmp(name, "cluster") != 0))
		return;
	if ((body = normalize_object(in->kind, obj, err, sizeof(err))) ==
	    NULL) {
		in->set->st.errors++;
		log_warn("%s: object ignored, it cannot be identified: %s",
		    in->ki->kind, err);
		return;
	}
	name = json_string_value(json_object_get(body, "name"));
	rv = json_string_value(json_object_get(body, "rv"));
	if (in->seen != NULL)
		json_object_set_new(in->seen, name, json_true());
	if ((old = json_object_get(in->cache, name)) != NULL) {
		cmp = rv_compare(rv, json_string_value(json_object_get(old,
		    "rv")));
		if (cmp == 0 || (!authoritative && cmp == -1)) {
			json_decref(body);
			return;
		}
	}
	if (json_object_get(body, "error") != NULL)
		log_warn("%s %s: %s", in->ki->kind, name,
		    json_string_value(json_object_get(body, "error")));
	json_object_set_new(in->cache, name, body);
	emit(in, in->ki->msg, body);
}

static void
remove_obj(struct informer *in, const json_t *obj)
{
	const char *name = json_string_value(json_object_get(json_object_get(
	    obj, "metadata"), "name"));
	json_t *old;

	if (name == NULL || (old = json_object_get(in->cache, name)) == NULL)
		return;
	json_incref(old);
	json_object_del(in->cache, name);
	emit_delete(in, name, old);
	json_decref(old);
}

static void
set_unserved(struct informer *in, const char *why)
{
	const char *k;
	json_t *v, *tmp;
	void *it;

	if (!in->unserved || strcmp(in->unserved_why, why) != 0) {
		snprintf(in->unserved_why, sizeof(in->unserved_why), "%s", why);
		log_warn("%s: not served by this cluster (%s); skipped, "
		    "checked again every %d s", in->ki->kind, why,
		    in->set->o.unserved_retry_s);
		in->unserved = 1;
		/* What was cached is gone with its API. */
		tmp = in->cache;
		in->cache = json_object();
		json_object_foreach_safe(tmp, it, k, v)
			emit_delete(in, k, v);
		json_decref(tmp);
		in->synced = 0;
		emit_kind(in, EIP_MSG_KIND_UNSERVED);
	}
	schedule(in, *in->ki->group ? STEP_DISCOVER : STEP_LIST,
	    (uint64_t)in->set->o.unserved_retry_s * 1000);
}

static void
path_of(struct informer *in, char *buf, size_t len)
{
	wkind_path(in->kind, buf, len);
}

static void
discover_done(const struct eip_kresp *r, void *arg)
{
	struct informer *in = arg;
	json_t *res, *x;
	size_t i;
	char why[300];

	in->req = NULL;
	if (r->status == 404) {
		snprintf(why, sizeof(why), "%s/%s: HTTP 404", in->ki->group,
		    in->ki->version);
		set_unserved(in, why);
		return;
	}
	if (r->status != 200 || r->json == NULL) {
		retry_later(in, STEP_DISCOVER, r->message);
		return;
	}
	res = json_object_get(r->json, "resources");
	json_array_foreach(res, i, x) {
		if (json_is_string(json_object_get(x, "name")) &&
		    strcmp(json_string_value(json_object_get(x, "name")),
		    in->ki->resource) == 0) {
			schedule(in, STEP_LIST, 0);
			return;
		}
	}
	snprintf(why, sizeof(why), "%s/%s has no resource %s", in->ki->group,
	    in->ki->version, in->ki->resource);
	set_unserved(in, why);
}

static void
finish_list(struct informer *in, const char *rv)
{
	const char *k;
	json_t *v;
	void *it;

	json_object_foreach_safe(in->cache, it, k, v) {
		if (json_object_get(in->seen, k) == NULL) {
			json_incref(v);
			json_object_del(in->cache, k);
			emit_delete(in, k, v);
			json_decref(v);
		}
	}
	json_decref(in->seen);
	in->seen = NULL;
	snprintf(in->rv, sizeof(in->rv), "%s", rv);
	if (in->unserved) {
		in->unserved = 0;
		log_info("%s: now served", in->ki->kind);
	}
	if (!in->synced) {
		in->synced = 1;
		log_info("%s: synced, %zu objects at resourceVersion %s",
		    in->ki->kind, json_object_size(in->cache), rv);
		emit_kind(in, EIP_MSG_SYNCED);
	}
	schedule(in, STEP_WATCH, 0);
}

static void
list_done(const struct eip_kresp *r, void *arg)
{
	struct informer *in = arg;
	const json_t *md, *items, *x;
	const char *rv, *cont;
	size_t i;

	in->req = NULL;
	if (r->status == 404) {
		set_unserved(in, "list: HTTP 404");
		return;
	}
	if (r->status == 410) {
		/* The continue token expired: start the list over. */
		free(in->cont);
		in->cont = NULL;
		json_decref(in->seen);
		in->seen = NULL;
		in->set->st.relists_410++;
		schedule(in, STEP_LIST, 0);
		return;
	}
	md = json_object_get(r->json, "metadata");
	items = json_object_get(r->json, "items");
	rv = json_string_value(json_object_get(md, "resourceVersion"));
	if (r->status != 200 || !json_is_array(items) || rv == NULL ||
	    strlen(rv) >= sizeof(in->rv)) {
		free(in->cont);
		in->cont = NULL;
		json_decref(in->seen);
		in->seen = NULL;
		retry_later(in, STEP_LIST, r->status == 200 ?
		    "list: malformed reply" : r->message);
		return;
	}
	if (in->seen == NULL)
		in->seen = json_object();
	json_array_foreach(items, i, x)
		upsert(in, x, 1);
	cont = json_string_value(json_object_get(md, "continue"));
	free(in->cont);
	in->cont = cont != NULL && *cont != '\0' ? xstrdup(cont) : NULL;
	if (in->cont != NULL)
		schedule(in, STEP_LIST, 0);
	else
		finish_list(in, rv);
}

static int
watch_line(const char *line, size_t len, void *arg)
{
	struct informer *in = arg;
	const char *type, *rv, *reason;
	json_t *ev, *obj;
	json_error_t je;
	long long code;

	ev = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	type = json_string_value(json_object_get(ev, "type"));
	obj = json_object_get(ev, "object");
	if (type == NULL || !json_is_object(obj)) {
		/* We cannot know what this event said: list again. */
		log_warn("%s: malformed watch event (%s); re-listing",
		    in->ki->kind, ev == NULL ? je.text : "no type or object");
		json_decref(ev);
		in->relist = 1;
		return -1;
	}
	in->set->st.events++;
	in->watch_events++;
	if (strcmp(type, "ERROR") == 0) {
		code = json_integer_value(json_object_get(obj, "code"));
		reason = json_string_value(json_object_get(obj, "reason"));
		if (code == 410 || (reason != NULL &&
		    (strcmp(reason, "Expired") == 0 ||
		    strcmp(reason, "Gone") == 0))) {
			log_info("%s: watch expired (%s); re-listing",
			    in->ki->kind, json_string_value(json_object_get(obj,
			    "message")) ?: "410");
			in->relist = 1;
			in->set->st.relists_410++;
		} else {
			log_warn("%s: watch error: %s", in->ki->kind,
			    json_string_value(json_object_get(obj, "message")) ?:
			    "(no message)");
			in->watch_failed = 1;
		}
		json_decref(ev);
		return -1;
	}
	rv = json_string_value(json_object_get(json_object_get(obj,
	    "metadata"), "resourceVersion"));
	if (strcmp(type, "ADDED") == 0 || strcmp(type, "MODIFIED") == 0)
		upsert(in, obj, 0);
	else if (strcmp(type, "DELETED") == 0)
		remove_obj(in, obj);
	else if (strcmp(type, "BOOKMARK") != 0)
		log_warn("%s: unknown watch event type '%.32s' ignored",
		    in->ki->kind, type);
	if (rv != NULL && *rv != '\0' && strlen(rv) < sizeof(in->rv))
		snprintf(in->rv, sizeof(in->rv), "%s", rv);
	json_decref(ev);
	return 0;
}

static void
watch_done(const struct eip_kresp *r, void *arg)
{
	struct informer *in = arg;
	int progressed = in->watch_events > 0 ||
	    mono_ms() - in->watch_start >= 1000;

	in->req = NULL;
	if (in->relist || r->status == 410) {
		in->relist = 0;
		if (r->status == 410)
			in->set->st.relists_410++;
		schedule(in, STEP_LIST, 0);
		return;
	}
	if (r->status == 404) {
		set_unserved(in, "watch: HTTP 404");
		return;
	}
	if (in->watch_failed || r->status != 200) {
		in->watch_failed = 0;
		retry_later(in, STEP_WATCH, r->message);
		return;
	}
	/* A clean end, or a stream dropped after it worked: resume now. */
	if (r->error == NULL || progressed) {
		if (r->error != NULL)
			log_info("%s: watch stream ended (%s); resuming from "
			    "%s", in->ki->kind, r->error, in->rv);
		schedule(in, STEP_WATCH, 0);
		return;
	}
	retry_later(in, STEP_WATCH, r->message);
}

static void
step(struct informer *in)
{
	struct eip_informers *s = in->set;
	char path[2048], q[1024], tok[1024];
	int secs;
	const char *sel = in->ki->only_cluster ?
	    "&fieldSelector=metadata.name%3Dcluster" : "";

	path_of(in, path, sizeof(path));
	switch (in->next) {
	case STEP_DISCOVER:
		snprintf(q, sizeof(q), "/apis/%s/%s", in->ki->group,
		    in->ki->version);
		in->req = kclient_request(s->kc, "GET", q, NULL, NULL, 30000,
		    NULL, discover_done, in);
		break;
	case STEP_LIST:
		tok[0] = '\0';
		if (in->cont != NULL) {
			memcpy(tok, "&continue=", 11);
			kclient_escape(in->cont, tok + 10, sizeof(tok) - 10);
		}
		snprintf(q, sizeof(q), "?limit=%d%s%s", s->o.page_size, tok,
		    sel);
		strncat(path, q, sizeof(path) - strlen(path) - 1);
		s->st.lists++;
		in->req = kclient_request(s->kc, "GET", path, NULL, NULL, 60000,
		    NULL, list_done, in);
		break;
	case STEP_WATCH:
		secs = s->o.watch_min_s + (int)(backoff_rand() *
		    (double)(s->o.watch_max_s - s->o.watch_min_s + 1));
		kclient_escape(in->rv, tok, sizeof(tok));
		snprintf(q, sizeof(q), "?watch=1&resourceVersion=%s&"
		    "allowWatchBookmarks=true&timeoutSeconds=%d%s", tok, secs,
		    sel);
		strncat(path, q, sizeof(path) - strlen(path) - 1);
		s->st.watches++;
		in->watch_events = 0;
		in->watch_start = mono_ms();
		in->relist = in->watch_failed = 0;
		/* The server ends it; our bound only catches a silent peer. */
		in->req = kclient_request(s->kc, "GET", path, NULL, NULL,
		    (long)(secs + 30) * 1000, watch_line, watch_done, in);
		break;
	}
	if (in->req == NULL)
		retry_later(in, in->next, "cannot start a request");
}

struct eip_informers *
informers_new(struct event_base *base, struct eip_kclient *kc,
    const struct eip_informer_opts *o, eip_sink_fn sink, void *arg)
{
	struct eip_informers *s = xcalloc(1, sizeof(*s));
	struct informer *in;
	int k;

	s->base = base;
	s->kc = kc;
	s->o = *o;
	if (s->o.page_size <= 0)
		s->o.page_size = 500;
	if (s->o.watch_min_s <= 0)
		s->o.watch_min_s = 300;
	if (s->o.watch_max_s < s->o.watch_min_s)
		s->o.watch_max_s = s->o.watch_min_s == 300 ? 600 :
		    s->o.watch_min_s;
	if (s->o.unserved_retry_s <= 0)
		s->o.unserved_retry_s = 300;
	s->sink = sink;
	s->arg = arg;
	for (k = 0; k < WK_MAX; k++) {
		in = &s->inf[k];
		in->set = s;
		in->kind = (enum wkind)k;
		in->ki = wkind_info(in->kind);
		in->cache = json_object();
		in->timer = evtimer_new(base, timer_cb, in);
		/* client-go's reflector: 800 ms doubling to 30 s, reset after 2 min. */
		backoff_init(&in->bo, 800, 30000, 120000, 1.0);
	}
	return s;
}

void
informers_start(struct eip_informers *s)
{
	struct informer *in;
	int k;

	for (k = 0; k < WK_MAX; k++) {
		in = &s->inf[k];
		if (!(s->o.kinds & (1u << k)))
			continue;
		schedule(in, *in->ki->group ? STEP_DISCOVER : STEP_LIST, 0);
	}
}

void
informers_free(struct eip_informers *s)
{
	int k;

	if (s == NULL)
		return;
	for (k = 0; k < WK_MAX; k++) {
		kclient_cancel(s->inf[k].req);
		event_free(s->inf[k].timer);
		json_decref(s->inf[k].cache);
		json_decref(s->inf[k].seen);
		free(s->inf[k].cont);
	}
	free(s);
}

void
informers_resync(struct eip_informers *s)
{
	struct informer *in;
	const char *name;
	json_t *v;
	int k;

	for (k = 0; k < WK_MAX; k++) {
		in = &s->inf[k];
		if (!(s->o.kinds & (1u << k)))
			continue;
		json_object_foreach(in->cache, name, v)
			emit(in, in->ki->msg, v);
		if (in->synced)
			emit_kind(in, EIP_MSG_SYNCED);
		else if (in->unserved)
			emit_kind(in, EIP_MSG_KIND_UNSERVED);
	}
}

/*
 * An API server's answer (to a write, or the GET after a 409), not a
 * watch event.  During a relist only the LIST says what still exists, so
 * an answer must not count as seen there: an object deleted meanwhile
 * would stay cached.  only_cached: the answer may come after the watch
 * said the object was deleted, and must not bring it back.
 */
static void
answer(struct eip_informers *s, enum wkind k, const json_t *obj,
    int only_cached)
{
	struct informer *in;
	const char *name;
	int unseen;

	if ((unsigned)k >= WK_MAX || !(s->o.kinds & (1u << k)))
		return;
	in = &s->inf[k];
	name = json_string_value(json_object_get(json_object_get(obj,
	    "metadata"), "name"));
	if (name == NULL) {
		upsert(in, obj, 0);	/* reported as unidentifiable */
		return;
	}
	if (only_cached && json_object_get(in->cache, name) == NULL)
		return;
	unseen = in->seen != NULL && json_object_get(in->seen, name) == NULL;
	upsert(in, obj, 0);
	if (unseen)
		json_object_del(in->seen, name);
}

void
informers_observe(struct eip_informers *s, enum wkind k, const json_t *obj)
{
	answer(s, k, obj, 0);
}

void
informers_update(struct eip_informers *s, enum wkind k, const json_t *obj)
{
	answer(s, k, obj, 1);
}

int
informers_synced(const struct eip_informers *s, enum wkind k)
{
	return (unsigned)k < WK_MAX && s->inf[k].synced;
}

size_t
informers_cached(const struct eip_informers *s, enum wkind k)
{
	return (unsigned)k < WK_MAX ? json_object_size(s->inf[k].cache) : 0;
}

void
informers_stats(const struct eip_informers *s, struct eip_informer_stats *st)
{
	*st = s->st;
}
