/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runs the allocator's writes against the API server (see writer.h):
 * one `struct wop` per W_* message, from its first try to its single
 * W_RESULT.  Requests come from writer_build.c and events.c; retries,
 * conflict refreshes and leadership are handled here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "backoff.h"
#include "eip_proto.h"
#include "events.h"
#include "informer.h"
#include "kclient.h"
#include "log.h"
#include "normalize.h"
#include "writer.h"
#include "xmalloc.h"

#define CREDREQ_PATH "/apis/cloudcredential.openshift.io/v1/namespaces/" \
	"openshift-cloud-credential-operator/credentialsrequests"

enum wphase {
	PH_MAIN,		/* the write itself */
	PH_REFRESH,		/* GET after a 409 */
	PH_CR_GET,		/* CredentialsRequest: read it first */
	PH_EV_PATCH,		/* Event: count update of an earlier one */
};

struct wop {
	struct eip_writer	*w;
	struct wop		*next, *prev;
	uint16_t		 type;
	uint64_t		 corr;
	json_t			*msg;
	enum wphase		 phase;
	int			 tries;
	int			 denied;	/* 401/403 seen */
	struct eip_backoff	 bo;
	struct event		*timer;
	struct eip_kreq		*req;
	json_t			*result;	/* held during a refresh */
	char			 evkey[1024];
	char			 evname[300];
	long			 evcount;
	int			 drain;		/* counted in w->ndrain */
	int			 kind;		/* enum wkind written, -1 none */
	int			 is_delete;
};

struct eip_writer {
	struct event_base	*base;
	struct eip_kclient	*kc;
	struct eip_informers	*inf;
	struct eip_writer_opts	 o;
	char			*identity, *host;
	eip_result_fn		 result;
	void			*arg;
	int			 leading;
	struct wop		*ops;
	unsigned		 pending;
	struct evcache		*evc;
	/* writer_drain(): ops submitted before it, and who waits for them. */
	unsigned		 ndrain;
	void			(*drained)(void *);
	void			*drained_arg;
	struct event		*drain_timer;
};

static void op_run(struct wop *);

static void
drained(struct eip_writer *w)
{
	void (*cb)(void *) = w->drained;

	w->drained = NULL;
	w->ndrain = 0;
	if (w->drain_timer != NULL)
		evtimer_del(w->drain_timer);
	if (cb != NULL)
		cb(w->drained_arg);
}

static void
drain_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct eip_writer *w = arg;
	struct wop *op;

	if (w->ndrain > 0) {
		log_warn("%u earlier writes still unfinished after %d ms: the "
		    "cache is replayed without them", w->ndrain,
		    WRITER_DRAIN_MS);
		for (op = w->ops; op != NULL; op = op->next)
			op->drain = 0;
	}
	drained(w);
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
op_free(struct wop *op)
{
	struct eip_writer *w = op->w;

	if (op->prev != NULL)
		op->prev->next = op->next;
	else
		w->ops = op->next;
	if (op->next != NULL)
		op->next->prev = op->prev;
	w->pending--;
	kclient_cancel(op->req);
	event_free(op->timer);
	json_decref(op->msg);
	json_decref(op->result);
	/*
	 * Not from here: the caller still has the write's answer to put
	 * into the cache (op_done), and the replay must include it.
	 */
	if (op->drain && --w->ndrain == 0 && w->drain_timer != NULL) {
		struct timeval now = { 0, 0 };

		evtimer_add(w->drain_timer, &now);
	}
	free(op);
}

static void
finish(struct wop *op, int ok, long code, const char *reason,
    const char *message, const char *rv)
{
	json_t *b = json_pack("{s:b,s:I}", "ok", ok, "code", (json_int_t)code);
	char m[4096];

	if (reason != NULL && *reason != '\0')
		json_object_set_new(b, "reason", json_stringn(reason,
		    strnlen(reason, 128)));
	if (message != NULL && *message != '\0') {
		snprintf(m, sizeof(m), "%s", message);
		json_object_set_new(b, "message", json_string(m));
	}
	if (rv != NULL && strlen(rv) <= 64)
		json_object_set_new(b, "rv", json_string(rv));
	/* A reason or message that is not UTF-8 must not lose the result. */
	if (json_object_get(b, "reason") == NULL && reason != NULL && *reason)
		json_object_set_new(b, "reason", json_string("Unknown"));
	op->w->result(op->corr, b, op->w->arg);
	json_decref(b);
	op_free(op);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	op_run(arg);
}

static void
retry(struct wop *op, uint64_t delay_ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(delay_ms / 1000);
	tv.tv_usec = (suseconds_t)(delay_ms % 1000) * 1000;
	evtimer_add(op->timer, &tv);
}

static const char *
resp_rv(const struct eip_kresp *r)
{
	return json_string_value(json_object_get(json_object_get(r->json,
	    "metadata"), "resourceVersion"));
}

static void op_done(const struct eip_kresp *, void *);

/*
 * What a write returned is what the cluster now holds: the cache takes
 * it at once (the watch event at the same resourceVersion is then not
 * news), so that a replay to a restarted allocator includes it.
 */
static void
observe(struct eip_informers *inf, int kind, int is_delete, const json_t *obj)
{
	if (inf != NULL && obj != NULL && json_is_object(obj) && kind >= 0 &&
	    !is_delete)
		informers_update(inf, (enum wkind)kind, obj);
}

static void
start(struct wop *op, const char *method, const char *path,
    const char *ctype, const json_t *body)
{
	char *s = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;

	op->req = kclient_request_bulk(op->w->kc, method, path, ctype, s,
	    30000, op_done, op);
	free(s);
	if (op->req == NULL)
		finish(op, 0, 0, "InternalError", "cannot build the request",
		    NULL);
}

/* After a 409: read the object, send it (if newer), then the result. */
static void
refresh(struct wop *op, const struct eip_kresp *r, enum wkind k,
    const char *name)
{
	char path[1024];

	op->result = json_pack("{s:s,s:s}", "reason", r->reason,
	    "message", r->message);
	op->phase = PH_REFRESH;
	wkind_path(k, path, sizeof(path));
	strncat(path, "/", sizeof(path) - strlen(path) - 1);
	strncat(path, name, sizeof(path) - strlen(path) - 1);
	start(op, "GET", path, NULL, NULL);
}

/* Retries that may end: throttling, server errors, transport errors. */
static int
transient(struct wop *op, const struct eip_kresp *r)
{
	uint64_t d;
	int max = op->w->o.max_tries > 0 ? op->w->o.max_tries : 6;

	if (!(r->status == 0 || r->status == 429 || r->status >= 500))
		return 0;
	if (++op->tries >= max)
		return 0;
	d = backoff_next(&op->bo, mono_ms(), backoff_rand());
	if (r->retry_after_s >= 0 && (uint64_t)r->retry_after_s * 1000 > d)
		d = (uint64_t)r->retry_after_s * 1000;
	log_info("write %s #%llu: %s; try %d in %llu ms", eip_msg_name(op->type),
	    (unsigned long long)op->corr, r->message, op->tries + 1,
	    (unsigned long long)d);
	retry(op, d);
	return 1;
}

/* 401 and 403: a token without the right comes back fixed, later. */
static int
denied(struct wop *op, const struct eip_kresp *r)
{
	uint64_t d;

	if (r->status != 401 && r->status != 403)
		return 0;
	op->denied++;
	/* The token may have been swapped for one with the right. */
	kclient_reload_token(op->w->kc);
	d = backoff_next(&op->bo, mono_ms(), backoff_rand());
	if (op->denied == 1 || op->denied % 10 == 0)
		log_warn("write %s #%llu refused (%s); the token lacks the "
		    "right: kept and retried (attempt %d, next in %llu ms)",
		    eip_msg_name(op->type), (unsigned long long)op->corr,
		    r->message, op->denied, (unsigned long long)d);
	retry(op, d);
	return 1;
}

/* Create, or update over what is there (upstream overwrote it too). */
static void
credreq_write(struct wop *op, const char *method, const json_t *cur)
{
	json_t *cr = credreq_object(json_string_value(json_object_get(op->msg,
	    "platform")), json_string_value(json_object_get(op->msg,
	    "secret_namespace")));
	char path[512];

	op->phase = PH_MAIN;
	if (cr == NULL) {
		finish(op, 0, 0, "Invalid", "unknown platform", NULL);
		return;
	}
	if (cur != NULL) {
		json_object_set(json_object_get(cr, "metadata"),
		    "resourceVersion", json_object_get(json_object_get(cur,
		    "metadata"), "resourceVersion"));
		snprintf(path, sizeof(path), "%s/egress-ipam-operator",
		    CREDREQ_PATH);
	} else
		snprintf(path, sizeof(path), "%s", CREDREQ_PATH);
	start(op, method, path, "application/json", cr);
	json_decref(cr);
}

static void
event_written(struct wop *op, const struct eip_kresp *r)
{
	long count = op->phase == PH_EV_PATCH ? op->evcount + 1 : 1;

	evcache_store(op->w->evc, op->evkey, op->evname, count, mono_ms());
	finish(op, 1, r->status, NULL, NULL, resp_rv(r));
}

static void
op_done(const struct eip_kresp *r, void *arg)
{
	struct wop *op = arg;
	const char *name;

	op->req = NULL;
	if (op->phase == PH_REFRESH) {
		if (r->status == 200 && r->json != NULL && op->kind >= 0)
			informers_observe(op->w->inf, (enum wkind)op->kind,
			    r->json);
		finish(op, 0, 409, json_string_value(json_object_get(op->result,
		    "reason")), json_string_value(json_object_get(op->result,
		    "message")), NULL);
		return;
	}
	if (r->status >= 200 && r->status < 300) {
		if (op->type == EIP_MSG_W_EVENT)
			event_written(op, r);
		else if (op->phase == PH_CR_GET)
			credreq_write(op, "PUT", r->json);
		else {
			struct eip_informers *inf = op->w->inf;
			int kind = op->kind, is_delete = op->is_delete;

			finish(op, 1, r->status, NULL, NULL, resp_rv(r));
			observe(inf, kind, is_delete, r->json);
		}
		return;
	}
	if (transient(op, r) || denied(op, r))
		return;
	switch (op->type) {
	case EIP_MSG_W_CREDREQ:
		if (op->phase == PH_CR_GET && r->status == 404) {
			credreq_write(op, "POST", NULL);
			return;
		}
		/* Someone updated it between our read and write: again. */
		if (r->status == 409 && op->tries++ < 5) {
			op->phase = PH_CR_GET;
			op_run(op);
			return;
		}
		break;
	case EIP_MSG_W_EVENT:
		/* The Event we meant to count up expired: write a new one. */
		if (op->phase == PH_EV_PATCH && r->status == 404) {
			evcache_forget(op->w->evc, op->evkey);
			op->phase = PH_MAIN;
			op_run(op);
			return;
		}
		/* client-go drops AlreadyExists. */
		if (r->status == 409) {
			finish(op, 1, 409, r->reason, NULL, NULL);
			return;
		}
		break;
	case EIP_MSG_W_EGRESSIP_DELETE:
		/* Already gone is what was asked for. */
		if (r->status == 404) {
			finish(op, 1, 404, r->reason, r->message, NULL);
			return;
		}
		break;
	default:
		break;
	}
	if (r->status == 409 && op->type != EIP_MSG_W_CREDREQ) {
		name = json_string_value(json_object_get(op->msg, "name"));
		if (op->kind >= 0) {
			refresh(op, r, (enum wkind)op->kind, name);
			return;
		}
	}
	finish(op, 0, r->status, r->reason[0] ? r->reason :
	    (r->error ? "Transport" : ""), r->message, NULL);
}

static void
run_event(struct wop *op)
{
	const json_t *inv = json_object_get(op->msg, "involved");
	json_t *ev;
	char now[40], path[512];

	kube_time(now, sizeof(now), 0);
	event_key(op->msg, op->evkey, sizeof(op->evkey));
	if (op->phase == PH_MAIN && evcache_lookup(op->w->evc, op->evkey,
	    mono_ms(), op->evname, sizeof(op->evname), &op->evcount)) {
		op->phase = PH_EV_PATCH;
		ev = json_pack("{s:I,s:s,s:O}", "count",
		    (json_int_t)op->evcount + 1, "lastTimestamp", now,
		    "message", json_object_get(op->msg, "message"));
		snprintf(path, sizeof(path), "/api/v1/namespaces/default/"
		    "events/%s", op->evname);
		start(op, "PATCH", path, "application/merge-patch+json", ev);
		json_decref(ev);
		return;
	}
	if (op->phase == PH_EV_PATCH) {
		/* A retry of the count update. */
		op->phase = PH_MAIN;
		evcache_store(op->w->evc, op->evkey, op->evname, op->evcount,
		    mono_ms());
		run_event(op);
		return;
	}
	event_name(json_string_value(json_object_get(inv, "name")),
	    op->evname, sizeof(op->evname));
	ev = event_object(op->msg, op->evname, NULL, op->w->host,
	    op->w->identity, now);
	if (ev == NULL) {
		finish(op, 0, 0, "Invalid", "unknown involved kind", NULL);
		return;
	}
	start(op, "POST", "/api/v1/namespaces/default/events",
	    "application/json", ev);
	json_decref(ev);
}

static void
op_run(struct wop *op)
{
	struct wreq wr;
	char err[256], path[512];

	if (!op->w->leading) {
		finish(op, 0, 0, "NotLeader", "the watcher does not lead",
		    NULL);
		return;
	}
	switch (op->type) {
	case EIP_MSG_W_EVENT:
		run_event(op);
		return;
	case EIP_MSG_W_CREDREQ:
		op->phase = PH_CR_GET;
		snprintf(path, sizeof(path), "%s/egress-ipam-operator",
		    CREDREQ_PATH);
		start(op, "GET", path, NULL, NULL);
		return;
	default:
		break;
	}
	if (writer_build(op->type, op->msg, &wr, err, sizeof(err)) == -1) {
		finish(op, 0, 400, "Invalid", err, NULL);
		return;
	}
	op->phase = PH_MAIN;
	op->kind = wr.kind;
	op->is_delete = strcmp(wr.method, "DELETE") == 0;
	start(op, wr.method, wr.path, wr.ctype, wr.body);
	json_decref(wr.body);
}

struct eip_writer *
writer_new(struct event_base *base, struct eip_kclient *kc,
    struct eip_informers *inf, const struct eip_writer_opts *o,
    eip_result_fn result, void *arg)
{
	struct eip_writer *w = xcalloc(1, sizeof(*w));

	w->base = base;
	w->kc = kc;
	w->inf = inf;
	w->o = *o;
	w->identity = xstrdup(o->identity ? o->identity : "eipam");
	w->host = xstrdup(o->host ? o->host : "");
	w->result = result;
	w->arg = arg;
	w->evc = evcache_new(4096);
	return w;
}

void
writer_free(struct eip_writer *w)
{
	if (w == NULL)
		return;
	w->drained = NULL;
	while (w->ops != NULL)
		op_free(w->ops);
	if (w->drain_timer != NULL)
		event_free(w->drain_timer);
	evcache_free(w->evc);
	free(w->identity);
	free(w->host);
	free(w);
}

void
writer_set_leading(struct eip_writer *w, int leading)
{
	struct wop *op, *next;

	w->leading = leading;
	if (leading)
		return;
	for (op = w->ops; op != NULL; op = next) {
		next = op->next;
		finish(op, 0, 0, "NotLeader", "leadership lost", NULL);
	}
}

void
writer_submit(struct eip_writer *w, uint16_t type, uint64_t corr,
    const json_t *body)
{
	struct wop *op = xcalloc(1, sizeof(*op));
	uint64_t forb = w->o.forbidden_max_ms > 0 ?
	    (uint64_t)w->o.forbidden_max_ms : 30000;

	op->w = w;
	op->type = type;
	op->corr = corr;
	op->kind = -1;
	op->msg = json_deep_copy(body);
	op->timer = evtimer_new(w->base, timer_cb, op);
	backoff_init(&op->bo, 500, forb, 0, 0.5);
	op->next = w->ops;
	if (w->ops != NULL)
		w->ops->prev = op;
	w->ops = op;
	w->pending++;
	op_run(op);
}

void
writer_drain(struct eip_writer *w, void (*cb)(void *), void *arg)
{
	struct timeval tv = { WRITER_DRAIN_MS / 1000,
	    (WRITER_DRAIN_MS % 1000) * 1000 };
	struct wop *op;

	w->drained = cb;
	w->drained_arg = arg;
	w->ndrain = 0;
	for (op = w->ops; op != NULL; op = op->next) {
		op->drain = 1;
		w->ndrain++;
	}
	if (w->ndrain == 0) {
		drained(w);
		return;
	}
	if (w->drain_timer == NULL)
		w->drain_timer = evtimer_new(w->base, drain_timeout, w);
	evtimer_add(w->drain_timer, &tv);
}

unsigned
writer_pending(const struct eip_writer *w)
{
	return w->pending;
}
