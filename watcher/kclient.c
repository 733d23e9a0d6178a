/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kubernetes API requests over common/http (see kclient.h).  A 401 makes
 * us re-read the token file and retry the request once, as client-go's
 * cached file token source does; a timer re-reads it every minute too.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "http.h"
#include "kclient.h"
#include "kubeconfig.h"
#include "log.h"
#include "xmalloc.h"

#define TOKEN_REFRESH_S	60
#define KC_COUNTERS	64
/*
 * Writes in flight at once (see kclient_request_bulk).  On HTTP/1.1 each
 * is a connection of its own; 16 keeps a single-threaded API server busy
 * without a TLS handshake storm, and stays inside libcurl's pool of 64.
 */
#define KC_BULK_MAX	16

/* Requests by verb and status code, for eipam_kube_requests_total. */
struct kc_counter {
	char		 verb[8];
	long		 code;
	unsigned long	 count;
};

struct eip_kclient {
	struct event_base	*base;
	struct eip_http		*http;
	char			*server;
	char			*token;
	char			*token_file;
	struct event		*refresh_ev;
	unsigned long		 requests;
	struct kc_counter	 counters[KC_COUNTERS];
	int			 ncounters;
	/* Bulk requests waiting for a slot, oldest first. */
	struct eip_kreq		*q_head, *q_tail;
	unsigned		 bulk_active;
	struct event		*pump_ev;
};

static void
kc_count(struct eip_kclient *kc, const char *verb, long code)
{
	int i;

	for (i = 0; i < kc->ncounters; i++)
		if (kc->counters[i].code == code &&
		    strcmp(kc->counters[i].verb, verb) == 0) {
			kc->counters[i].count++;
			return;
		}
	if (kc->ncounters == KC_COUNTERS)
		return;		/* more distinct codes than anyone plots */
	snprintf(kc->counters[i].verb, sizeof(kc->counters[i].verb), "%s", verb);
	kc->counters[i].code = code;
	kc->counters[i].count = 1;
	kc->ncounters++;
}

struct eip_kreq {
	struct eip_kclient	*kc;
	struct eip_http_req	*hr;
	char			*method, *path, *ctype, *body;
	long			 timeout_ms;
	eip_kline_cb		 on_line;
	eip_kdone_cb		 on_done;
	void			*arg;
	int			 retried;
	int			 bulk;		/* holds or waits for a slot */
	int			 queued;	/* waiting in kc->q_* */
	struct eip_kreq		*qnext, *qprev;
};

static void kreq_start(struct eip_kreq *);
static void kreq_free(struct eip_kreq *);
static void kreq_done(const struct eip_http_resp *, void *);

int
kclient_reload_token(struct eip_kclient *kc)
{
	char err[300], *t;

	if (kc->token_file == NULL)
		return kc->token != NULL ? 0 : -1;
	if ((t = kubeconf_read_token(kc->token_file, err, sizeof(err))) ==
	    NULL) {
		/* Keep the old token: a rotation may be half done. */
		log_warn("kube: cannot re-read the token: %s", err);
		return kc->token != NULL ? 0 : -1;
	}
	log_register_secret(t);
	if (kc->token == NULL || strcmp(kc->token, t) != 0) {
		if (kc->token != NULL) {
			log_info("kube: token changed, using the new one");
			explicit_bzero(kc->token, strlen(kc->token));
		}
		free(kc->token);
		kc->token = t;
	} else {
		explicit_bzero(t, strlen(t));
		free(t);
	}
	return 0;
}

static void
refresh_cb(evutil_socket_t fd, short what, void *arg)
{
	kclient_reload_token(arg);
}

static void
q_unlink(struct eip_kclient *kc, struct eip_kreq *r)
{
	if (r->qprev != NULL)
		r->qprev->qnext = r->qnext;
	else
		kc->q_head = r->qnext;
	if (r->qnext != NULL)
		r->qnext->qprev = r->qprev;
	else
		kc->q_tail = r->qprev;
	r->qnext = r->qprev = NULL;
	r->queued = 0;
}

/*
 * Starts queued bulk requests while slots are free.  Always run from
 * the loop (never from inside another request's callbacks), so a
 * request that cannot start may report its failure at once.
 */
static void
pump_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eip_kclient *kc = arg;
	struct eip_http_resp fail;
	struct eip_kreq *r;

	while (kc->q_head != NULL && kc->bulk_active < KC_BULK_MAX) {
		r = kc->q_head;
		q_unlink(kc, r);
		kc->bulk_active++;
		kreq_start(r);
		if (r->hr != NULL)
			continue;
		memset(&fail, 0, sizeof(fail));
		fail.error = "cannot build the request";
		fail.body = "";
		fail.retry_after_s = -1;
		r->retried = 1;
		kreq_done(&fail, r);
	}
}

static void
pump_later(struct eip_kclient *kc)
{
	struct timeval tv = { 0, 0 };

	if (kc->q_head != NULL && kc->bulk_active < KC_BULK_MAX)
		evtimer_add(kc->pump_ev, &tv);
}

/* A bulk request gave its slot back. */
static void
bulk_release(struct eip_kreq *r)
{
	if (!r->bulk)
		return;
	r->bulk = 0;
	r->kc->bulk_active--;
	pump_later(r->kc);
}

struct eip_kclient *
kclient_new(struct event_base *base, const struct eip_kubeconf *conf,
    double qps, int burst, char *err, size_t errlen)
{
	struct eip_http_opts o;
	struct eip_kclient *kc;
	struct timeval tv = { TOKEN_REFRESH_S, 0 };

	memset(&o, 0, sizeof(o));
	o.ca_pem = conf->ca_pem;
	o.ca_len = conf->ca_len;
	o.qps = qps;
	o.burst = burst;
	o.user_agent = "egressip-ipam-operator/" PACKAGE_VERSION;
	kc = xcalloc(1, sizeof(*kc));
	kc->base = base;
	if ((kc->http = http_new(base, &o, err, errlen)) == NULL) {
		free(kc);
		return NULL;
	}
	if ((kc->pump_ev = evtimer_new(base, pump_cb, kc)) == NULL)
		fatalx("kclient: evtimer_new failed");
	kc->server = xstrdup(conf->server);
	if (conf->token != NULL) {
		kc->token = xstrdup(conf->token);
		log_register_secret(kc->token);
	}
	if (conf->token_file != NULL) {
		kc->token_file = xstrdup(conf->token_file);
		if (kclient_reload_token(kc) == -1) {
			snprintf(err, errlen, "no token in %s", kc->token_file);
			kclient_free(kc);
			return NULL;
		}
		kc->refresh_ev = event_new(base, -1, EV_PERSIST, refresh_cb,
		    kc);
		event_add(kc->refresh_ev, &tv);
	}
	return kc;
}

void
kclient_free(struct eip_kclient *kc)
{
	if (kc == NULL)
		return;
	while (kc->q_head != NULL) {
		struct eip_kreq *r = kc->q_head;

		q_unlink(kc, r);
		kreq_free(r);
	}
	if (kc->pump_ev != NULL)
		event_free(kc->pump_ev);
	http_free(kc->http);
	if (kc->refresh_ev != NULL)
		event_free(kc->refresh_ev);
	if (kc->token != NULL)
		explicit_bzero(kc->token, strlen(kc->token));
	free(kc->token);
	free(kc->token_file);
	free(kc->server);
	free(kc);
}

static void
kreq_free(struct eip_kreq *r)
{
	free(r->method);
	free(r->path);
	free(r->ctype);
	free(r->body);
	free(r);
}

static void
kreq_done(const struct eip_http_resp *hr, void *arg)
{
	struct eip_kreq *r = arg;
	struct eip_kresp kr;
	char msg[600];
	json_t *j = NULL;
	const char *s;

	r->hr = NULL;
	kc_count(r->kc, r->method, hr->status);
	/* Bound tokens rotate: re-read the file and try once more. */
	if (hr->status == 401 && !r->retried && r->kc->token_file != NULL) {
		r->retried = 1;
		log_info("kube: 401 on %s %s: re-reading the token and "
		    "retrying once", r->method, r->path);
		kclient_reload_token(r->kc);
		kreq_start(r);
		if (r->hr != NULL)
			return;
	}
	memset(&kr, 0, sizeof(kr));
	kr.status = hr->status;
	kr.error = hr->error;
	kr.tls_error = hr->tls_error;
	kr.retry_after_s = hr->retry_after_s;
	kr.body = hr->body;
	kr.body_len = hr->body_len;
	kr.reason = "";
	if (hr->body_len > 0)
		j = json_loadb(hr->body, hr->body_len, 0, NULL);
	kr.json = j;
	if (hr->error != NULL) {
		snprintf(msg, sizeof(msg), "%s %s%s: %s", r->method, r->kc->server,
		    r->path, hr->error);
		kr.message = msg;
	} else if (hr->status < 200 || hr->status >= 300) {
		if ((s = json_string_value(json_object_get(j, "reason"))) !=
		    NULL)
			kr.reason = s;
		s = json_string_value(json_object_get(j, "message"));
		snprintf(msg, sizeof(msg), "%s %s: HTTP %ld%s%s", r->method,
		    r->path, hr->status, s ? ": " : "", s ? s : "");
		kr.message = msg;
	} else
		kr.message = "";
	bulk_release(r);
	r->on_done(&kr, r->arg);
	json_decref(j);
	kreq_free(r);
}

static int
kreq_line(const char *line, size_t len, void *arg)
{
	struct eip_kreq *r = arg;

	return r->on_line(line, len, r->arg);
}

static void
kreq_start(struct eip_kreq *r)
{
	struct eip_http_reqopts o;
	char url[4096], auth[8192], ct[200];
	const char *hdrs[5];
	int n = 0;

	snprintf(url, sizeof(url), "%s%s", r->kc->server, r->path);
	hdrs[n++] = "Accept: application/json";
	if (r->kc->token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
		    r->kc->token);
		hdrs[n++] = auth;
	}
	if (r->ctype != NULL) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", r->ctype);
		hdrs[n++] = ct;
	}
	hdrs[n] = NULL;
	memset(&o, 0, sizeof(o));
	o.method = r->method;
	o.url = url;
	o.headers = hdrs;
	o.body = r->body;
	o.body_len = r->body != NULL ? strlen(r->body) : 0;
	o.timeout_ms = r->timeout_ms;
	o.on_line = r->on_line != NULL ? kreq_line : NULL;
	o.on_done = kreq_done;
	o.arg = r;
	r->kc->requests++;
	r->hr = http_request(r->kc->http, &o);
	explicit_bzero(auth, sizeof(auth));
}

static struct eip_kreq *
kreq_new(struct eip_kclient *kc, const char *method, const char *path,
    const char *content_type, const char *body, long timeout_ms,
    eip_kline_cb on_line, eip_kdone_cb on_done, void *arg)
{
	struct eip_kreq *r = xcalloc(1, sizeof(*r));

	r->kc = kc;
	r->method = xstrdup(method);
	r->path = xstrdup(path);
	r->ctype = content_type ? xstrdup(content_type) : NULL;
	r->body = body ? xstrdup(body) : NULL;
	r->timeout_ms = timeout_ms;
	r->on_line = on_line;
	r->on_done = on_done;
	r->arg = arg;
	return r;
}

struct eip_kreq *
kclient_request(struct eip_kclient *kc, const char *method, const char *path,
    const char *content_type, const char *body, long timeout_ms,
    eip_kline_cb on_line, eip_kdone_cb on_done, void *arg)
{
	struct eip_kreq *r = kreq_new(kc, method, path, content_type, body,
	    timeout_ms, on_line, on_done, arg);

	kreq_start(r);
	if (r->hr == NULL) {
		kreq_free(r);
		return NULL;
	}
	return r;
}

struct eip_kreq *
kclient_request_bulk(struct eip_kclient *kc, const char *method,
    const char *path, const char *content_type, const char *body,
    long timeout_ms, eip_kdone_cb on_done, void *arg)
{
	struct eip_kreq *r;

	/* What http_request would refuse is refused now, not when dequeued. */
	if (!http_method_ok(method, body))
		return NULL;
	r = kreq_new(kc, method, path, content_type, body, timeout_ms, NULL,
	    on_done, arg);
	r->bulk = 1;
	if (kc->q_head == NULL && kc->bulk_active < KC_BULK_MAX) {
		kc->bulk_active++;
		kreq_start(r);
		if (r->hr == NULL) {
			bulk_release(r);
			kreq_free(r);
			return NULL;
		}
		return r;
	}
	r->queued = 1;
	r->qprev = kc->q_tail;
	if (kc->q_tail != NULL)
		kc->q_tail->qnext = r;
	else
		kc->q_head = r;
	kc->q_tail = r;
	return r;
}

/* Not from the request's own on_done (it is freed after that returns). */
void
kclient_cancel(struct eip_kreq *r)
{
	if (r == NULL)
		return;
	if (r->queued)
		q_unlink(r->kc, r);
	else {
		http_cancel(r->hr);
		bulk_release(r);
	}
	kreq_free(r);
}

const char *
kclient_server(const struct eip_kclient *kc)
{
	return kc->server;
}

json_t *
kclient_counters(const struct eip_kclient *kc)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < kc->ncounters; i++)
		json_array_append_new(a, json_pack("{s:s,s:I,s:I}", "verb",
		    kc->counters[i].verb, "code", (json_int_t)kc->counters[i].code,
		    "count", (json_int_t)kc->counters[i].count));
	return a;
}

unsigned long
kclient_requests(const struct eip_kclient *kc)
{
	return kc->requests;
}

void
kclient_escape(const char *in, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	unsigned char c;

	for (; *in != '\0' && o + 4 < outlen; in++) {
		c = (unsigned char)*in;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

int
kclient_name_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0, i;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '-' || s[i] == '.'))
			return 0;
	return s[0] != '-' && s[0] != '.' && s[n - 1] != '-' &&
	    s[n - 1] != '.';
}
