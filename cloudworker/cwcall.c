/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cloud calls (see cw.h): a token bucket per API class in front of every
 * attempt, retries of throttled and transient answers with exponential
 * backoff and jitter, Retry-After and RequestLimitExceeded honoured, and
 * a throttled answer slowing the whole class down (not just the one
 * call), so a storm is not answered with a storm.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "cw_int.h"
#include "http.h"
#include "log.h"
#include "xmalloc.h"

#define CALL_MAX_ATTEMPTS	8
#define CALL_TIMEOUT_MS		30000	/* one HTTP exchange */

struct cw_call {
	struct cw		*cw;
	struct cw_callopts	 o;
	char			*action;
	char			*method;
	char			*url;
	char			*body;
	struct eip_backoff	 bo;
	int			 attempts;
	struct event		*timer;
	struct eip_http_req	*req;
	struct cw_req_headers	 hdrs;
};

uint64_t
cw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
cw_headers_add(struct cw_req_headers *h, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (h->n >= sizeof(h->v) / sizeof(h->v[0]) - 1)
		fatalx("cloud call: too many headers");
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatalx("vasprintf");
	va_end(ap);
	h->v[h->n++] = s;
	h->v[h->n] = NULL;
}

static void
headers_clear(struct cw_req_headers *h)
{
	size_t i;

	/* Headers carry signatures and bearer tokens. */
	for (i = 0; i < h->n; i++) {
		explicit_bzero(h->v[i], strlen(h->v[i]));
		free(h->v[i]);
	}
	h->n = 0;
	h->v[0] = NULL;
}

static void
call_free(struct cw_call *c)
{
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->req != NULL)
		http_cancel(c->req);
	headers_clear(&c->hdrs);
	if (c->body != NULL) {
		explicit_bzero(c->body, c->o.body_len);
		free(c->body);
	}
	free(c->action);
	free(c->method);
	free(c->url);
	free(c);
}

void
cw_call_cancel(struct cw_call *c)
{
	if (c != NULL)
		call_free(c);
}

static void call_attempt(evutil_socket_t, short, void *);

static void
call_schedule(struct cw_call *c, uint64_t delay_ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(delay_ms / 1000);
	tv.tv_usec = (suseconds_t)(delay_ms % 1000) * 1000;
	evtimer_add(c->timer, &tv);
}

/* Waits for the class's bucket (and any hold a throttle put on it). */
static void
call_queue(struct cw_call *c, uint64_t min_delay)
{
	struct cw_api_state *a = &c->cw->api[c->o.api];
	uint64_t now = cw_now_ms(), wait;

	wait = ratelimit_reserve(&a->rl, now);
	if (a->hold_until > now && a->hold_until - now > wait)
		wait = a->hold_until - now;
	if (min_delay > wait)
		wait = min_delay;
	if (wait > 0)
		a->waits++;
	call_schedule(c, wait);
}

static void
call_finish(struct cw_call *c, struct cw_resp *rs)
{
	cw_done_fn done = c->o.done;
	void *arg = c->o.arg;

	rs->attempts = c->attempts;
	done(arg, rs);
	call_free(c);
}

static void
call_done(const struct eip_http_resp *r, void *arg)
{
	struct cw_call *c = arg;
	struct cw_api_state *a = &c->cw->api[c->o.api];
	struct cw_resp rs;
	uint64_t now = cw_now_ms(), delay;
	int retry;

	c->req = NULL;
	headers_clear(&c->hdrs);
	memset(&rs, 0, sizeof(rs));
	rs.status = r->status;
	rs.body = r->body;
	rs.body_len = r->body_len;
	rs.transport = r->error;
	rs.retry_after_s = r->retry_after_s;
	rs.raw = r;
	retry = c->o.classify(c->o.arg, &rs);
	if (rs.transport != NULL && rs.code[0] == '\0')
		snprintf(rs.code, sizeof(rs.code), "%s", r->timed_out ?
		    "Timeout" : "TransportError");
	cw_stat(c->cw, c->action, rs.cls == CC_OK ? "ok" : rs.code[0] ?
	    rs.code : cloud_class_name(rs.cls));
	if (rs.cls == CC_OK || !retry || !cloud_class_retryable(rs.cls)) {
		call_finish(c, &rs);
		return;
	}
	if (rs.retry_in_ms > 0)
		delay = rs.retry_in_ms;
	else
		delay = backoff_next(&c->bo, now, backoff_rand());
	if (rs.retry_after_s >= 0 && (uint64_t)rs.retry_after_s * 1000 > delay)
		delay = (uint64_t)rs.retry_after_s * 1000;
	if (rs.cls == CC_THROTTLED) {
		/* Everyone of this class waits: the limit is the account's. */
		a->throttled++;
		if (a->hold_until < now + delay)
			a->hold_until = now + delay;
	}
	if ((rs.retry_in_ms == 0 && c->attempts >= (c->o.max_attempts > 0 ?
	    c->o.max_attempts : CALL_MAX_ATTEMPTS)) ||
	    now + delay >= c->o.deadline_ms) {
		rs.gave_up = 1;
		log_info("cloud: %s: %s after %d attempts (%s), giving up",
		    c->action, cloud_class_name(rs.cls), c->attempts, rs.code);
		call_finish(c, &rs);
		return;
	}
	log_debug("cloud: %s: %s (%s), retry %d in %llu ms", c->action,
	    cloud_class_name(rs.cls), rs.code, c->attempts + 1,
	    (unsigned long long)delay);
	c->cw->retries++;
	call_queue(c, delay);
}

static void
call_attempt(evutil_socket_t fd, short what, void *arg)
{
	struct cw_call *c = arg;
	struct eip_http_reqopts ro;
	struct cw_resp rs;
	char err[256];
	uint64_t now = cw_now_ms();

	(void)fd;
	(void)what;
	if (now >= c->o.deadline_ms && c->attempts > 0) {
		memset(&rs, 0, sizeof(rs));
		rs.cls = CC_THROTTLED;
		rs.gave_up = 1;
		snprintf(rs.code, sizeof(rs.code), "Deadline");
		snprintf(rs.message, sizeof(rs.message), "no answer before the "
		    "task's deadline");
		call_finish(c, &rs);
		return;
	}
	headers_clear(&c->hdrs);
	if (c->o.prepare != NULL && c->o.prepare(c->o.arg, &c->hdrs, err,
	    sizeof(err)) == -1) {
		memset(&rs, 0, sizeof(rs));
		rs.cls = CC_AUTH_FAILURE;
		snprintf(rs.code, sizeof(rs.code), "Prepare");
		snprintf(rs.message, sizeof(rs.message), "%s", err);
		call_finish(c, &rs);
		return;
	}
	memset(&ro, 0, sizeof(ro));
	ro.method = c->method;
	ro.url = c->url;
	ro.headers = (const char *const *)c->hdrs.v;
	ro.body = c->body;
	ro.body_len = c->o.body_len;
	ro.timeout_ms = CALL_TIMEOUT_MS;
	if (c->o.deadline_ms > now && c->o.deadline_ms - now < CALL_TIMEOUT_MS)
		ro.timeout_ms = (long)(c->o.deadline_ms - now) + 1000;
	ro.max_body = 64u * 1024 * 1024;
	ro.on_done = call_done;
	ro.arg = c;
	c->attempts++;
	if (c->o.task != NULL)
		c->o.task->calls++;
	c->cw->calls++;
	log_debug("cloud: %s %s (%s) attempt %d", c->method, c->url,
	    c->action, c->attempts);
	if ((c->req = http_request(c->cw->http, &ro)) == NULL) {
		memset(&rs, 0, sizeof(rs));
		rs.cls = CC_INVALID;
		snprintf(rs.code, sizeof(rs.code), "BadRequest");
		snprintf(rs.message, sizeof(rs.message), "the HTTP client "
		    "refused %s %s", c->method, c->url);
		call_finish(c, &rs);
	}
}

struct cw_call *
cw_call_start(struct cw *cw, const struct cw_callopts *o)
{
	struct cw_call *c;

	if (cw->http == NULL)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->cw = cw;
	c->o = *o;
	c->action = xstrdup(o->action);
	c->method = xstrdup(o->method);
	c->url = xstrdup(o->url);
	if (o->body != NULL) {
		c->body = xmalloc(o->body_len + 1);
		memcpy(c->body, o->body, o->body_len);
		c->body[o->body_len] = '\0';
	}
	c->o.action = c->o.method = c->o.url = c->o.body = NULL;
	if (c->o.deadline_ms == 0)
		c->o.deadline_ms = cw_now_ms() + 45000;
	/* 200 ms doubling to 10 s, half the base as jitter. */
	backoff_init(&c->bo, 200, 10000, 0, 0.5);
	c->timer = evtimer_new(cw->base, call_attempt, c);
	if (c->timer == NULL)
		fatalx("evtimer_new");
	call_queue(c, 0);
	return c;
}
