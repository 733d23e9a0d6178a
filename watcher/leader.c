/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lease-based leader election (see leader.h), one attempt per retry
 * period: GET the Lease; create it if missing; note when its record last
 * changed; if another holder's record is younger than its duration, wait;
 * else PUT ourselves as holder with the resourceVersion we read, so two
 * contenders race and one gets 409.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "backoff.h"
#include "kclient.h"
#include "leader.h"
#include "log.h"
#include "writer.h"
#include "xmalloc.h"

enum lphase { LP_IDLE, LP_GET, LP_WRITE, LP_RELEASE_GET, LP_RELEASE_PUT };

struct eip_leader {
	struct event_base	*base;
	struct eip_kclient	*kc;
	char			*ns, *name, *id;
	int			 lease_ms, renew_ms, retry_ms;
	eip_leader_fn		 fn;
	void			*arg;
	struct event		*timer;
	struct eip_kreq		*req;
	enum lphase		 phase;
	int			 leading;
	char			*observed;	/* the record last seen */
	uint64_t		 observed_ms;
	uint64_t		 renewed_ms;	/* last successful renewal */
	void			(*release_done)(void *);
	void			*release_arg;
	int			 release_tries;
	char			 path[512];
};

static void attempt(struct eip_leader *);

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
leader_make_identity(char *buf, size_t len)
{
	char host[256];
	unsigned char r[8];

	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		memset(r, 0, sizeof(r));
	snprintf(buf, len, "%s_%02x%02x%02x%02x%02x%02x%02x%02x", host, r[0],
	    r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	attempt(arg);
}

static void
next_try(struct eip_leader *l)
{
	struct timeval tv;
	uint64_t d = (uint64_t)l->retry_ms;

	/* client-go jitters the wait of non-leaders by up to 1.2x. */
	if (!l->leading)
		d += (uint64_t)((double)l->retry_ms * 1.2 * backoff_rand());
	tv.tv_sec = (time_t)(d / 1000);
	tv.tv_usec = (suseconds_t)(d % 1000) * 1000;
	l->phase = LP_IDLE;
	evtimer_add(l->timer, &tv);
}

static void
set_leading(struct eip_leader *l, int on)
{
	if (l->leading == on)
		return;
	l->leading = on;
	if (on)
		log_info("leader: %s became leader of lease %s/%s", l->id,
		    l->ns, l->name);
	else
		log_warn("leader: %s stopped leading lease %s/%s", l->id,
		    l->ns, l->name);
	l->fn(on, l->id, l->arg);
}

/* An attempt failed (or found another holder). */
static void
failed(struct eip_leader *l, const char *why)
{
	if (l->leading && mono_ms() - l->renewed_ms > (uint64_t)l->renew_ms) {
		log_warn("leader: could not renew within %d ms (%s)",
		    l->renew_ms, why);
		set_leading(l, 0);
	} else if (l->leading)
		log_warn("leader: renewal failed (%s); retrying", why);
	else
		log_debug("leader: not acquired (%s)", why);
	next_try(l);
}

static json_t *
lease_object(struct eip_leader *l, const json_t *old_spec, const char *rv,
    int release)
{
	char now[40];
	json_t *o, *spec;
	json_int_t trans = 0;
	const char *holder = json_string_value(json_object_get(old_spec,
	    "holderIdentity"));
	int ours = holder != NULL && strcmp(holder, l->id) == 0;

	kube_time(now, sizeof(now), 1);
	if (json_is_integer(json_object_get(old_spec, "leaseTransitions")))
		trans = json_integer_value(json_object_get(old_spec,
		    "leaseTransitions"));
	spec = json_pack("{s:s,s:i,s:s,s:s}", "holderIdentity",
	    release ? "" : l->id, "leaseDurationSeconds",
	    release ? 1 : (l->lease_ms + 999) / 1000, "acquireTime", now,
	    "renewTime", now);
	if (old_spec != NULL) {
		/* A renewal keeps acquireTime; a takeover counts a transition. */
		if (ours && !release && json_is_string(json_object_get(old_spec,
		    "acquireTime")))
			json_object_set(spec, "acquireTime", json_object_get(
			    old_spec, "acquireTime"));
		json_object_set_new(spec, "leaseTransitions", json_integer(
		    ours || release ? trans : trans + 1));
	} else
		json_object_set_new(spec, "leaseTransitions", json_integer(0));
	o = json_pack("{s:s,s:s,s:{s:s,s:s},s:o}", "apiVersion",
	    "coordination.k8s.io/v1", "kind", "Lease", "metadata", "name",
	    l->name, "namespace", l->ns, "spec", spec);
	if (rv != NULL)
		json_object_set_new(json_object_get(o, "metadata"),
		    "resourceVersion", json_string(rv));
	return o;
}

static void on_resp(const struct eip_kresp *, void *);

static void
send_lease(struct eip_leader *l, const char *method, json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT);
	char coll[512];

	snprintf(coll, sizeof(coll), "/apis/coordination.k8s.io/v1/namespaces/"
	    "%s/leases", l->ns);
	l->req = kclient_request(l->kc, method, strcmp(method, "POST") == 0 ?
	    coll : l->path, "application/json", s, l->renew_ms, NULL, on_resp,
	    l);
	free(s);
	json_decref(obj);
	if (l->req == NULL)
		failed(l, "cannot build the request");
}

static void
got_lease(struct eip_leader *l, const struct eip_kresp *r)
{
	const json_t *spec = json_object_get(r->json, "spec");
	const char *rv = json_string_value(json_object_get(json_object_get(
	    r->json, "metadata"), "resourceVersion"));
	const char *holder = json_string_value(json_object_get(spec,
	    "holderIdentity"));
	json_int_t dur = json_integer_value(json_object_get(spec,
	    "leaseDurationSeconds"));
	char *raw;

	if (!json_is_object(spec) || rv == NULL) {
		failed(l, "malformed Lease");
		return;
	}
	raw = json_dumps(spec, JSON_COMPACT | JSON_SORT_KEYS);
	if (l->observed == NULL || strcmp(raw, l->observed) != 0) {
		free(l->observed);
		l->observed = raw;
		l->observed_ms = mono_ms();
	} else
		free(raw);
	if (dur <= 0)
		dur = (l->lease_ms + 999) / 1000;
	if (holder != NULL && *holder != '\0' && strcmp(holder, l->id) != 0 &&
	    l->observed_ms + (uint64_t)dur * 1000 > mono_ms()) {
		if (l->leading)
			/* Someone else took it: we lost it for good. */
			l->renewed_ms = 0;
		failed(l, "held by another");
		return;
	}
	l->phase = LP_WRITE;
	send_lease(l, "PUT", lease_object(l, spec, rv, 0));
}

static void
release_finish(struct eip_leader *l)
{
	void (*done)(void *) = l->release_done;

	l->release_done = NULL;
	l->phase = LP_IDLE;
	if (done != NULL)
		done(l->release_arg);
}

static void
on_resp(const struct eip_kresp *r, void *arg)
{
	struct eip_leader *l = arg;
	const char *holder;

	l->req = NULL;
	switch (l->phase) {
	case LP_GET:
		if (r->status == 404) {
			l->phase = LP_WRITE;
			send_lease(l, "POST", lease_object(l, NULL, NULL, 0));
		} else if (r->status == 200)
			got_lease(l, r);
		else
			failed(l, r->message);
		return;
	case LP_WRITE:
		if (r->status == 200 || r->status == 201) {
			free(l->observed);
			l->observed = json_dumps(json_object_get(r->json, "spec"),
			    JSON_COMPACT | JSON_SORT_KEYS);
			l->observed_ms = l->renewed_ms = mono_ms();
			set_leading(l, 1);
			next_try(l);
		} else
			failed(l, r->message);
		return;
	case LP_RELEASE_GET:
		holder = json_string_value(json_object_get(json_object_get(
		    r->json, "spec"), "holderIdentity"));
		if (r->status != 200 || holder == NULL ||
		    strcmp(holder, l->id) != 0) {
			release_finish(l);
			return;
		}
		l->phase = LP_RELEASE_PUT;
		send_lease(l, "PUT", lease_object(l, json_object_get(r->json,
		    "spec"), json_string_value(json_object_get(json_object_get(
		    r->json, "metadata"), "resourceVersion")), 1));
		return;
	case LP_RELEASE_PUT:
		/* Retried on a conflict, as client-go does, a few times. */
		if (r->status == 409 && ++l->release_tries < 3) {
			l->phase = LP_RELEASE_GET;
			l->req = kclient_request(l->kc, "GET", l->path, NULL,
			    NULL, 2000, NULL, on_resp, l);
			if (l->req != NULL)
				return;
		}
		if (r->status == 200)
			log_info("leader: released lease %s/%s", l->ns,
			    l->name);
		release_finish(l);
		return;
	case LP_IDLE:
		return;
	}
}

static void
attempt(struct eip_leader *l)
{
	if (l->phase != LP_IDLE)
		return;
	/* A leader that cannot even reach the server gives up in time. */
	if (l->leading && mono_ms() - l->renewed_ms > (uint64_t)l->renew_ms) {
		failed(l, "renew deadline passed");
		return;
	}
	l->phase = LP_GET;
	l->req = kclient_request(l->kc, "GET", l->path, NULL, NULL,
	    l->leading ? l->renew_ms : 10000, NULL, on_resp, l);
	if (l->req == NULL)
		failed(l, "cannot build the request");
}

struct eip_leader *
leader_new(struct event_base *base, struct eip_kclient *kc,
    const struct eip_leader_opts *o, eip_leader_fn fn, void *arg)
{
	struct eip_leader *l = xcalloc(1, sizeof(*l));
	char id[300];

	l->base = base;
	l->kc = kc;
	l->ns = xstrdup(o->ns);
	l->name = xstrdup(o->name ? o->name : "egressip-ipam-operator-leader");
	if (o->identity == NULL)
		leader_make_identity(id, sizeof(id));
	l->id = xstrdup(o->identity ? o->identity : id);
	l->lease_ms = o->lease_ms > 0 ? o->lease_ms : 15000;
	l->renew_ms = o->renew_ms > 0 ? o->renew_ms : 10000;
	l->retry_ms = o->retry_ms > 0 ? o->retry_ms : 2000;
	l->fn = fn;
	l->arg = arg;
	l->timer = evtimer_new(base, timer_cb, l);
	snprintf(l->path, sizeof(l->path), "/apis/coordination.k8s.io/v1/"
	    "namespaces/%s/leases/%s", l->ns, l->name);
	return l;
}

void
leader_free(struct eip_leader *l)
{
	if (l == NULL)
		return;
	kclient_cancel(l->req);
	event_free(l->timer);
	free(l->observed);
	free(l->ns);
	free(l->name);
	free(l->id);
	free(l);
}

void
leader_start(struct eip_leader *l)
{
	attempt(l);
}

void
leader_release(struct eip_leader *l, void (*done)(void *), void *arg)
{
	evtimer_del(l->timer);
	kclient_cancel(l->req);
	l->req = NULL;
	l->release_done = done;
	l->release_arg = arg;
	if (!l->leading) {
		release_finish(l);
		return;
	}
	l->leading = 0;
	l->phase = LP_RELEASE_GET;
	l->req = kclient_request(l->kc, "GET", l->path, NULL, NULL, 2000,
	    NULL, on_resp, l);
	if (l->req == NULL)
		release_finish(l);
}

int
leader_leading(const struct eip_leader *l)
{
	return l->leading;
}

const char *
leader_identity(const struct eip_leader *l)
{
	return l->id;
}
