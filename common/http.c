/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libcurl multi on libevent (see http.h).  libcurl tells us which sockets
 * to watch (socket callback) and when to wake it (timer callback); we turn
 * both into libevent events and call curl_multi_socket_action.  Finished
 * transfers are collected after every action, outside libcurl's callbacks,
 * so completion callbacks may start or cancel requests freely.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "http.h"
#include "log.h"
#include "ratelimit.h"
#include "xmalloc.h"

#define HTTP_MAX_BODY	(64u * 1024 * 1024)
#define HTTP_MAX_LINE	(16u * 1024 * 1024)
#define HTTP_MAX_HEADERS	(32u * 1024)	/* kept response header bytes */

struct http_sock {
	struct event	*ev;
	struct eip_http	*h;
};

struct eip_http_req {
	struct eip_http		*h;
	struct eip_http_req	*next, *prev;	/* live or dead list */
	CURL			*easy;
	struct curl_slist	*hdrs;
	struct event		*start_ev;	/* waiting for the rate limiter */
	int			 in_multi;
	int			 cancelled;
	int			 aborted;	/* by on_line or a bound */
	char			 abort_msg[160];
	eip_http_line_cb	 on_line;
	eip_http_done_cb	 on_done;
	void			*arg;
	size_t			 max_body;
	size_t			 max_line;
	char			*buf;		/* body, or the partial line */
	size_t			 len, cap;
	long			 retry_after_s;
	char			*hbuf;		/* header lines of the response */
	size_t			 hlen;
	char			 errbuf[CURL_ERROR_SIZE];
};

struct eip_http {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer_ev;
	struct event		*reap_ev;
	struct eip_http_req	*live;
	struct eip_http_req	*dead;
	struct eip_ratelimit	 rl;
	char			*ca;
	size_t			 ca_len;
	char			*ua;
	struct curl_slist	*resolve;
	long			 connect_timeout_ms;
	int			 allow_http;
	int			 running;
	unsigned long		 total;
	unsigned		 outstanding;
	long			 connects;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
list_unlink(struct eip_http_req **head, struct eip_http_req *r)
{
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		*head = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	r->next = r->prev = NULL;
}

static void
list_push(struct eip_http_req **head, struct eip_http_req *r)
{
	r->prev = NULL;
	r->next = *head;
	if (*head != NULL)
		(*head)->prev = r;
	*head = r;
}

static void
req_free(struct eip_http_req *r)
{
	if (r->in_multi)
		curl_multi_remove_handle(r->h->multi, r->easy);
	if (r->start_ev != NULL)
		event_free(r->start_ev);
	curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->hdrs);
	free(r->buf);
	free(r->hbuf);
	free(r);
}

static int
buf_add(struct eip_http_req *r, const char *p, size_t n, size_t max)
{
	size_t ncap;

	if (r->len + n > max)
		return -1;
	if (r->len + n + 1 > r->cap) {
		ncap = r->cap ? r->cap : 4096;
		while (ncap < r->len + n + 1)
			ncap *= 2;
		r->buf = xreallocarray(r->buf, 1, ncap);
		r->cap = ncap;
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
	r->buf[r->len] = '\0';
	return 0;
}

static void
req_abort(struct eip_http_req *r, const char *msg)
{
	r->aborted = 1;
	snprintf(r->abort_msg, sizeof(r->abort_msg), "%s", msg);
}

/* Splits streamed data into lines; a partial line waits in buf. */
static int
stream_lines(struct eip_http_req *r, const char *p, size_t n)
{
	const char *nl;
	size_t take;

	while (n > 0 && !r->cancelled) {
		nl = memchr(p, '\n', n);
		take = nl != NULL ? (size_t)(nl - p) : n;
		if (buf_add(r, p, take, r->max_line) == -1) {
			req_abort(r, "streamed line too long");
			return -1;
		}
		if (nl == NULL)
			break;
		if (r->len > 0 && r->on_line(r->buf, r->len, r->arg) == -1) {
			req_abort(r, "aborted by the receiver");
			return -1;
		}
		r->len = 0;
		p += take + 1;
		n -= take + 1;
	}
	return r->cancelled ? -1 : 0;
}

static size_t
write_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct eip_http_req *r = arg;
	size_t n = size * nmemb;
	long code = 0;

	if (r->cancelled)
		return 0;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
	if (r->on_line != NULL && code >= 200 && code < 300)
		return stream_lines(r, p, n) == 0 ? n : 0;
	if (buf_add(r, p, n, r->max_body) == -1) {
		req_abort(r, "response body too large");
		return 0;
	}
	return n;
}

static size_t
header_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct eip_http_req *r = arg;
	size_t n = size * nmemb;
	char val[128], *end;
	const char *v;
	size_t vl;
	long secs;
	time_t t;

	/* A new status line starts a new response (after 100 Continue). */
	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		r->retry_after_s = -1;
		r->hlen = 0;
	} else if (r->hlen + n < HTTP_MAX_HEADERS) {
		/* Kept for http_resp_header(); a flood is cut, not stored. */
		r->hbuf = xreallocarray(r->hbuf, r->hlen + n + 1, 1);
		memcpy(r->hbuf + r->hlen, p, n);
		r->hlen += n;
		r->hbuf[r->hlen] = '\0';
	}
	if (n < 12 || strncasecmp(p, "Retry-After:", 12) != 0)
		return n;
	v = p + 12;
	vl = n - 12;
	while (vl > 0 && (*v == ' ' || *v == '\t'))
		v++, vl--;
	while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n' ||
	    v[vl - 1] == ' '))
		vl--;
	if (vl == 0 || vl >= sizeof(val))
		return n;
	memcpy(val, v, vl);
	val[vl] = '\0';
	errno = 0;
	secs = strtol(val, &end, 10);
	if (errno == 0 && *end == '\0' && secs >= 0) {
		r->retry_after_s = secs > 3600 ? 3600 : secs;
	} else if ((t = curl_getdate(val, NULL)) != -1) {
		secs = (long)(t - time(NULL));
		r->retry_after_s = secs < 0 ? 0 : (secs > 3600 ? 3600 : secs);
	}
	return n;
}

static void
reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eip_http *h = arg;
	struct eip_http_req *r;

	while ((r = h->dead) != NULL) {
		list_unlink(&h->dead, r);
		req_free(r);
	}
}

static void
finish(struct eip_http *h, struct eip_http_req *r, CURLcode rc)
{
	struct eip_http_resp resp;
	long ver = 0, nconn = 0;
	char err[CURL_ERROR_SIZE + 200];

	memset(&resp, 0, sizeof(resp));
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &resp.status);
	curl_easy_getinfo(r->easy, CURLINFO_HTTP_VERSION, &ver);
	curl_easy_getinfo(r->easy, CURLINFO_NUM_CONNECTS, &nconn);
	h->connects += nconn;
	resp.http_version = ver == CURL_HTTP_VERSION_2_0 ? 20 : 11;
	resp.retry_after_s = r->retry_after_s;
	resp.headers = r->hbuf != NULL ? r->hbuf : "";
	resp.headers_len = r->hbuf != NULL ? r->hlen : 0;
	if (r->aborted) {
		snprintf(err, sizeof(err), "%s", r->abort_msg);
		resp.error = err;
	} else if (rc != CURLE_OK) {
		resp.tls_error = rc == CURLE_PEER_FAILED_VERIFICATION ||
		    rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SSL_CACERT_BADFILE;
		resp.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
		snprintf(err, sizeof(err), "%s%s%s",
		    resp.tls_error ? "TLS: " : "", curl_easy_strerror(rc),
		    r->errbuf[0] ? ": " : "");
		if (r->errbuf[0])
			strncat(err, r->errbuf, sizeof(err) - strlen(err) - 1);
		resp.error = err;
	}
	/* A streamed 2xx body was handed over; what is left is a cut line. */
	if (r->on_line != NULL && resp.status >= 200 && resp.status < 300) {
		resp.body = "";
		resp.body_len = 0;
	} else {
		resp.body = r->buf != NULL ? r->buf : "";
		resp.body_len = r->len;
	}
	curl_multi_remove_handle(h->multi, r->easy);
	r->in_multi = 0;
	list_unlink(&h->live, r);
	h->outstanding--;
	/* Done: a cancel from inside on_done must be a no-op. */
	r->cancelled = 1;
	if (r->on_done != NULL)
		r->on_done(&resp, r->arg);
	req_free(r);
}

static void
check_done(struct eip_http *h)
{
	struct eip_http_req *r;
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		r = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		if (r == NULL || r->cancelled)
			continue;
		finish(h, r, m->data.result);
	}
}

static void
sock_ev_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eip_http *h = arg;
	int action = 0;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(h->multi, fd, action, &h->running);
	check_done(h);
}

static void
timer_ev_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eip_http *h = arg;

	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0,
	    &h->running);
	check_done(h);
}

static int
sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *sockp)
{
	struct eip_http *h = userp;
	struct http_sock *hs = sockp;
	short kind;

	if (what == CURL_POLL_REMOVE) {
		if (hs != NULL) {
			event_free(hs->ev);
			free(hs);
		}
		curl_multi_assign(h->multi, s, NULL);
		return 0;
	}
	if (hs == NULL) {
		hs = xcalloc(1, sizeof(*hs));
		hs->h = h;
		curl_multi_assign(h->multi, s, hs);
	} else
		event_free(hs->ev);
	kind = EV_PERSIST;
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	hs->ev = event_new(h->base, s, kind, sock_ev_cb, h);
	if (hs->ev == NULL || event_add(hs->ev, NULL) == -1)
		fatalx("http: cannot watch a socket");
	return 0;
}

static int
timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	struct eip_http *h = userp;
	struct timeval tv;

	/* Never act from inside libcurl: a zero timeout fires on the loop. */
	if (timeout_ms < 0) {
		evtimer_del(h->timer_ev);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(h->timer_ev, &tv);
	return 0;
}

static int
ca_count(const char *pem, size_t len)
{
	BIO *bio;
	X509 *x;
	int n = 0;

	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return 0;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		X509_free(x);
		n++;
	}
	BIO_free(bio);
	return n;
}

struct eip_http *
http_new(struct event_base *base, const struct eip_http_opts *o, char *err,
    size_t errlen)
{
	struct eip_http *h;

	static int curl_ready;

	/* Before any thread and before the sandbox (libcurl reads no file). */
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(err, errlen, "curl_global_init failed");
			return NULL;
		}
		curl_ready = 1;
	}
	if (o->ca_pem == NULL || o->ca_len == 0 || o->ca_len > INT32_MAX ||
	    ca_count(o->ca_pem, o->ca_len) == 0) {
		snprintf(err, errlen, "CA bundle holds no PEM certificate");
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	h->base = base;
	h->ca = xmalloc(o->ca_len);
	memcpy(h->ca, o->ca_pem, o->ca_len);
	h->ca_len = o->ca_len;
	h->ua = xstrdup(o->user_agent != NULL ? o->user_agent : "eipam");
	h->connect_timeout_ms = o->connect_timeout_ms > 0 ?
	    o->connect_timeout_ms : 10000;
	h->allow_http = o->allow_http;
	if (o->resolve != NULL)
		h->resolve = curl_slist_append(NULL, o->resolve);
	ratelimit_init(&h->rl, o->qps, o->burst, now_ms());
	h->multi = curl_multi_init();
	h->timer_ev = evtimer_new(base, timer_ev_cb, h);
	h->reap_ev = evtimer_new(base, reap_cb, h);
	if (h->multi == NULL || h->timer_ev == NULL || h->reap_ev == NULL)
		fatalx("http: cannot set up libcurl multi");
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	/* Watches hold a connection each on HTTP/1.1; keep them all. */
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, 64L);
	return h;
}

void
http_free(struct eip_http *h)
{
	struct eip_http_req *r;

	if (h == NULL)
		return;
	while ((r = h->live) != NULL) {
		list_unlink(&h->live, r);
		req_free(r);
	}
	while ((r = h->dead) != NULL) {
		list_unlink(&h->dead, r);
		req_free(r);
	}
	curl_multi_cleanup(h->multi);
	event_free(h->timer_ev);
	event_free(h->reap_ev);
	curl_slist_free_all(h->resolve);
	free(h->ca);
	free(h->ua);
	free(h);
}

static void
start_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eip_http_req *r = arg;

	event_free(r->start_ev);
	r->start_ev = NULL;
	if (curl_multi_add_handle(r->h->multi, r->easy) != CURLM_OK)
		fatalx("http: curl_multi_add_handle failed");
	r->in_multi = 1;
}

int
http_method_ok(const char *m, const char *body)
{
	if (strcmp(m, "GET") == 0)
		return body == NULL;
	return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 ||
	    strcmp(m, "PATCH") == 0 || strcmp(m, "DELETE") == 0;
}

static int
setup_easy(struct eip_http *h, struct eip_http_req *r,
    const struct eip_http_reqopts *o)
{
	struct curl_blob ca;
	CURL *e = r->easy;
	const char *const *hp;
	const char *m = o->method != NULL ? o->method : "GET";

	ca.data = h->ca;
	ca.len = h->ca_len;
	ca.flags = CURL_BLOB_NOCOPY;
	for (hp = o->headers; hp != NULL && *hp != NULL; hp++)
		r->hdrs = curl_slist_append(r->hdrs, *hp);
	/* Never wait for 100 Continue on a large body. */
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_URL, o->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR,
	    h->allow_http ? "https,http" : "https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, h->allow_http ?
	    (long)(CURLPROTO_HTTPS | CURLPROTO_HTTP) : (long)CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	/* Only the bundle in memory is trusted: no file is read later. */
	curl_easy_setopt(e, CURLOPT_CAINFO, NULL);
	curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
	if (curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &ca) != CURLE_OK)
		return -1;
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(e, CURLOPT_USERAGENT, h->ua);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);
	if (h->resolve != NULL)
		curl_easy_setopt(e, CURLOPT_RESOLVE, h->resolve);
	if (!http_method_ok(m, o->body))
		return -1;
	if (strcmp(m, "GET") != 0) {
		if (strcmp(m, "POST") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
		if (o->body != NULL || strcmp(m, "DELETE") != 0) {
			curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)(o->body != NULL ? o->body_len : 0));
			curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS,
			    o->body != NULL ? o->body : "");
		}
	}
	return 0;
}

struct eip_http_req *
http_request(struct eip_http *h, const struct eip_http_reqopts *o)
{
	struct eip_http_req *r;
	struct timeval tv;
	uint64_t wait;

	if (o->url == NULL || o->on_done == NULL)
		return NULL;
	r = xcalloc(1, sizeof(*r));
	r->h = h;
	r->on_line = o->on_line;
	r->on_done = o->on_done;
	r->arg = o->arg;
	r->max_body = o->max_body ? o->max_body : HTTP_MAX_BODY;
	r->max_line = o->max_line ? o->max_line : HTTP_MAX_LINE;
	r->retry_after_s = -1;
	if ((r->easy = curl_easy_init()) == NULL)
		fatalx("http: curl_easy_init failed");
	if (setup_easy(h, r, o) == -1) {
		req_free(r);
		return NULL;
	}
	list_push(&h->live, r);
	h->total++;
	h->outstanding++;
	wait = ratelimit_reserve(&h->rl, now_ms());
	if (wait == 0) {
		if (curl_multi_add_handle(h->multi, r->easy) != CURLM_OK)
			fatalx("http: curl_multi_add_handle failed");
		r->in_multi = 1;
		return r;
	}
	r->start_ev = evtimer_new(h->base, start_cb, r);
	tv.tv_sec = (time_t)(wait / 1000);
	tv.tv_usec = (suseconds_t)(wait % 1000) * 1000;
	evtimer_add(r->start_ev, &tv);
	return r;
}

void
http_cancel(struct eip_http_req *r)
{
	struct eip_http *h;
	struct timeval tv = { 0, 0 };

	if (r == NULL || r->cancelled)
		return;
	h = r->h;
	/*
	 * We may be inside a libcurl callback, where removing a handle is
	 * not allowed: park the request and free it from the loop.
	 */
	r->cancelled = 1;
	r->on_done = NULL;
	r->on_line = NULL;
	if (r->start_ev != NULL)
		evtimer_del(r->start_ev);
	list_unlink(&h->live, r);
	list_push(&h->dead, r);
	h->outstanding--;
	evtimer_add(h->reap_ev, &tv);
}

int
http_resp_header(const struct eip_http_resp *resp, const char *name,
    char *out, size_t outlen)
{
	const char *p, *end, *eol, *v, *ve;
	size_t nl = strlen(name);

	if (resp->headers == NULL)
		return -1;
	p = resp->headers;
	end = p + resp->headers_len;
	for (; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if ((size_t)(eol - p) <= nl || p[nl] != ':' ||
		    strncasecmp(p, name, nl) != 0)
			continue;
		v = p + nl + 1;
		ve = eol;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' ||
		    ve[-1] == '\t'))
			ve--;
		if ((size_t)(ve - v) >= outlen)
			return -1;
		memcpy(out, v, (size_t)(ve - v));
		out[ve - v] = '\0';
		return 0;
	}
	return -1;
}

unsigned long
http_requests_total(const struct eip_http *h)
{
	return h->total;
}

unsigned
http_outstanding(const struct eip_http *h)
{
	return h->outstanding;
}

long
http_connects_total(const struct eip_http *h)
{
	return h->connects;
}
