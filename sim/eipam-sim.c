/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipam-sim: main, the command line, the state directory, and the HTTP(S)
 * server on libevent.  Every request becomes a struct sim_req for the
 * control API, the clouds or the Kubernetes API; watch requests become
 * chunked streams fed by watch.c.  Timers drive bookmarks, node lease
 * heartbeats and the OpenShift controllers.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/ssl.h>

#include "log.h"
#include "sim_cloud.h"
#include "sim_ctx.h"
#include "sim_tls.h"
#include "xmalloc.h"

int	ctl_main(int, char **);

struct wstream;

struct srv {
	struct sim_ctx		 sx;
	struct event_base	*base;
	struct evhttp		*http;
	struct sim_tls		 tls;
	int			 use_tls;
	struct event		*ev_kick;
	struct event		*ev_tick;
	struct event		*ev_term;
	struct event		*ev_int;
	struct wstream		*streams;
	time_t			 last_bookmark;
	time_t			 last_lease;
};

struct wstream {
	struct srv		*s;
	struct evhttp_request	*req;
	struct evhttp_connection *con;
	struct sim_watcher	*w;
	struct event		*timeout;
	char			*path;
	time_t			 started;
	int			 close_s;
	struct wstream		*next;
};

struct pending {
	struct srv		*s;
	struct evhttp_request	*req;
	struct sim_resp		 resp;
};

static const char *
req_header(const struct sim_req *r, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(
	    (struct evhttp_request *)r->hctx), name);
}

static const char *
method_name(enum evhttp_cmd_type t)
{
	switch (t) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	case EVHTTP_REQ_OPTIONS:
		return "OPTIONS";
	default:
		return "OTHER";
	}
}

static const char *
reason_phrase(int code)
{
	switch (code) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 412: return "Precondition Failed";
	case 413: return "Request Entity Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Status";
	}
}

static void
send_resp(struct evhttp_request *req, struct sim_resp *r)
{
	struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
	struct evbuffer *b = evbuffer_new();
	int i;

	evhttp_add_header(oh, "Content-Type", r->content_type != NULL ?
	    r->content_type : "application/json");
	evhttp_add_header(oh, "Cache-Control", "no-cache, private");
	for (i = 0; i < r->nheaders; i++)
		evhttp_add_header(oh, r->headers[i].name, r->headers[i].value);
	if (r->body_len > 0)
		evbuffer_add(b, r->body, r->body_len);
	evhttp_send_reply(req, r->code, reason_phrase(r->code), b);
	evbuffer_free(b);
}

static void
send_pending(evutil_socket_t fd, short ev, void *arg)
{
	struct pending *p = arg;

	send_resp(p->req, &p->resp);
	sim_resp_clear(&p->resp);
	free(p);
}

/* Watch streams. */

static void
ws_send(struct sim_watcher *w, const char *line, size_t len)
{
	struct wstream *ws = w->ctx;
	struct evbuffer *b;

	if (ws->req == NULL || evhttp_request_get_connection(ws->req) == NULL)
		return;
	b = evbuffer_new();
	evbuffer_add(b, line, len);
	evhttp_send_reply_chunk(ws->req, b);
	evbuffer_free(b);
}

static void
ws_unlink(struct srv *s, struct wstream *ws)
{
	struct wstream **pp;

	for (pp = &s->streams; *pp != NULL; pp = &(*pp)->next)
		if (*pp == ws) {
			*pp = ws->next;
			break;
		}
}

static void
ws_free(struct wstream *ws)
{
	ws_unlink(ws->s, ws);
	if (ws->w != NULL)
		watch_stop(ws->s->sx.hub, ws->w);
	if (ws->timeout != NULL)
		event_free(ws->timeout);
	free(ws->path);
	free(ws);
}

/* Ends a stream cleanly (the terminating chunk) and forgets it. */
static void
ws_end(struct wstream *ws)
{
	if (ws->req != NULL) {
		if (ws->con != NULL)
			evhttp_connection_set_closecb(ws->con, NULL, NULL);
		evhttp_send_reply_end(ws->req);
		ws->req = NULL;
	}
	ws_free(ws);
}

static void
ws_closed(struct evhttp_connection *con, void *arg)
{
	struct wstream *ws = arg;

	/*
	 * The client went away.  A request detached from its connection is
	 * ours to free (evhttp_send_reply_end does that); one still attached
	 * is freed with the connection.
	 */
	if (ws->req != NULL && evhttp_request_get_connection(ws->req) == NULL)
		evhttp_send_reply_end(ws->req);
	ws->req = NULL;
	ws_free(ws);
}

static void
ws_timeout(evutil_socket_t fd, short ev, void *arg)
{
	ws_end(arg);
}

static void
start_watch(struct srv *s, struct evhttp_request *req, const char *path,
    struct sim_watch_spec *spec)
{
	struct wstream *ws = xcalloc(1, sizeof(*ws));
	struct sim_err e = { 0 };
	struct timeval tv;

	ws->s = s;
	ws->req = req;
	ws->con = evhttp_request_get_connection(req);
	ws->path = xstrdup(path);
	ws->started = time(NULL);
	ws->close_s = control_watch_close_s(&s->sx, path);
	ws->next = s->streams;
	s->streams = ws;
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/json");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", "no-cache, private");
	evhttp_send_reply_start(req, 200, "OK");
	if (ws->con != NULL)
		evhttp_connection_set_closecb(ws->con, ws_closed, ws);
	if (control_watch_gone(&s->sx, path)) {
		/* A fault: pretend the history no longer holds the start. */
		snprintf(spec->rv, sizeof(spec->rv), "1");
		spec->rv_set = 1;
		if (s->sx.st->evicted_rv < 2)
			s->sx.st->evicted_rv = 2;
	}
	ws->w = watch_start(s->sx.hub, spec, ws_send, ws, &e);
	free(spec->label_sel);
	free(spec->field_sel);
	if (e.code != 0) {
		ws_end(ws);
		return;
	}
	if (spec->timeout_s > 0) {
		ws->timeout = evtimer_new(s->base, ws_timeout, ws);
		tv.tv_sec = spec->timeout_s;
		tv.tv_usec = 0;
		evtimer_add(ws->timeout, &tv);
	}
}

static void
close_watches(struct sim_ctx *sx, const char *route, int gone)
{
	struct srv *s = sx->srv;
	struct wstream *ws, *next;
	struct sim_err e = { 0 };
	json_t *o;
	char *line;
	size_t len;

	for (ws = s->streams; ws != NULL; ws = next) {
		next = ws->next;
		if (strncmp(ws->path, route, strlen(route)) != 0)
			continue;
		if (gone && ws->w != NULL) {
			sim_err_set(&e, 410, "Expired", "too old resource "
			    "version: %llu (%llu)", (unsigned long long)
			    ws->w->sent_rv, (unsigned long long)sx->st->rv);
			o = json_pack("{s:s,s:s,s:{},s:s,s:s,s:s,s:i}", "kind",
			    "Status", "apiVersion", "v1", "metadata", "status",
			    "Failure", "message", e.message, "reason", "Expired",
			    "code", 410);
			line = watch_line("ERROR", o, &len);
			ws_send(ws->w, line, len);
			free(line);
			json_decref(o);
		}
		ws_end(ws);
	}
}

static void
on_kick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct srv *s = arg;

	os_run(s->sx.os);
}

/*
 * The OpenShift controllers rescan the store, so they run at most every
 * 10 ms however many writes come in between: a bulk load of thousands of
 * namespaces costs one scan per batch, not one per write (O(n^2)).  Real
 * controllers are asynchronous too; 10 ms is far below their latency.
 */
#define KICK_BATCH_US	10000

static void
kick(struct sim_ctx *sx)
{
	struct srv *s = sx->srv;
	struct timeval tv = { 0, KICK_BATCH_US };

	if (!evtimer_pending(s->ev_kick, NULL))
		evtimer_add(s->ev_kick, &tv);
}

static void
on_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct srv *s = arg;
	struct wstream *ws, *next;
	time_t now = time(NULL);

	if (s->sx.bookmark_s > 0 && now - s->last_bookmark >= s->sx.bookmark_s) {
		s->last_bookmark = now;
		watch_bookmarks(s->sx.hub);
	}
	if (s->sx.lease_s > 0 && now - s->last_lease >= s->sx.lease_s) {
		s->last_lease = now;
		os_heartbeat(s->sx.os);
	}
	for (ws = s->streams; ws != NULL; ws = next) {
		next = ws->next;
		if (ws->close_s > 0 && now - ws->started >= ws->close_s)
			ws_end(ws);
	}
}

/*
 * Small answers on a keep-alive connection must not wait for the
 * client's delayed ACK (Nagle): without TCP_NODELAY a one-client write
 * loop runs at 25 requests per second.
 */
static void
set_nodelay(struct evhttp_request *req)
{
	struct evhttp_connection *con = evhttp_request_get_connection(req);
	struct bufferevent *bev;
	int one = 1;

	if (con != NULL && (bev = evhttp_connection_get_bufferevent(con)) !=
	    NULL && bufferevent_getfd(bev) >= 0)
		setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY,
		    &one, sizeof(one));
}

static void
on_request(struct evhttp_request *req, void *arg)
{
	struct srv *s = arg;
	struct sim_ctx *sx = &s->sx;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *uri = evhttp_request_get_uri(req), *qm;
	struct sim_req r;
	struct sim_resp resp;
	struct sim_reqinfo ri;
	struct sim_watch_spec spec;
	struct sim_fault_hit hit;
	struct sim_err e = { 0 };
	char *path, *rawpath;
	size_t blen = evbuffer_get_length(in), plen;
	int is_control, rc = KUBE_RESP;

	memset(&r, 0, sizeof(r));
	memset(&resp, 0, sizeof(resp));
	memset(&ri, 0, sizeof(ri));
	memset(&hit, 0, sizeof(hit));
	set_nodelay(req);
	qm = strchr(uri, '?');
	rawpath = xstrndup(uri, qm != NULL ? (size_t)(qm - uri) : strlen(uri));
	path = evhttp_uridecode(rawpath, 0, &plen);
	free(rawpath);
	if (path == NULL || strlen(path) != plen)
		path = (free(path), xstrdup("/invalid"));
	r.method = method_name(evhttp_request_get_command(req));
	r.path = path;
	r.query = qm != NULL ? qm + 1 : NULL;
	r.header = req_header;
	r.hctx = req;
	r.host = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Host");
	is_control = strncmp(path, "/sim/v1/", 8) == 0;
	if (blen > sx->kube.body_limit) {
		sim_err_set(&e, 413, "RequestEntityTooLarge", "limit is %zu",
		    sx->kube.body_limit);
		kube_resp_error(&resp, &e, NULL, NULL);
		goto send;
	}
	r.body = blen > 0 ? (const char *)evbuffer_pullup(in, -1) : NULL;
	r.body_len = blen;
	if (is_control) {
		control_handle(sx, &r, &resp);
		goto send;
	}
	control_fault_check(sx, &r, &hit);
	if (hit.code != 0) {
		const char *reason = hit.code == 429 ? "TooManyRequests" :
		    hit.code == 503 ? "ServiceUnavailable" : hit.code == 504 ?
		    "Timeout" : hit.code == 409 ? "Conflict" : "InternalError";

		sim_err_set(&e, hit.code, reason, "eipam-sim: injected fault "
		    "(%d) on %s %s", hit.code, r.method, path);
		kube_resp_error(&resp, &e, NULL, NULL);
		if (hit.retry_after > 0) {
			char ra[16];

			snprintf(ra, sizeof(ra), "%d", hit.retry_after);
			sim_resp_header(&resp, "Retry-After", ra);
		}
		snprintf(ri.resource, sizeof(ri.resource), "fault");
	} else if (strncmp(path, "/aws/", 5) == 0 ||
	    strncmp(path, "/azure/", 7) == 0) {
		snprintf(ri.resource, sizeof(ri.resource), "cloud:%s",
		    path[1] == 'a' && path[2] == 'w' ? "aws" : "azure");
#ifdef EIP_SIM_CLOUD
		if (sx->cloud == NULL ||
		    sim_cloud_handle(sx->cloud, &r, &resp) != 0)
#endif
		{
			sim_err_set(&e, 404, "NotFound", "this scenario has no "
			    "cloud at %s", path);
			sim_resp_clear(&resp);
			kube_resp_error(&resp, &e, NULL, NULL);
		}
	} else
		rc = kube_handle(&sx->kube, &r, &resp, &spec, &ri);
	if (rc == KUBE_WATCH) {
		control_record(sx, r.method, &ri, 200);
		start_watch(s, req, path, &spec);
		free(path);
		return;
	}
send:
	if (!is_control)
		control_record(sx, r.method, &ri, resp.code);
	/* A cloud latency fault rides on the response (sim_http.h). */
	if (!is_control && (long)resp.delay_ms > hit.latency_ms)
		hit.latency_ms = (long)resp.delay_ms;
	if (!is_control && hit.latency_ms > 0) {
		struct pending *p = xcalloc(1, sizeof(*p));
		struct timeval tv;

		p->s = s;
		p->req = req;
		p->resp = resp;
		tv.tv_sec = hit.latency_ms / 1000;
		tv.tv_usec = (hit.latency_ms % 1000) * 1000;
		event_base_once(s->base, -1, EV_TIMEOUT, send_pending, p, &tv);
	} else {
		send_resp(req, &resp);
		sim_resp_clear(&resp);
	}
	free(path);
}

static struct bufferevent *
tls_bev(struct event_base *base, void *arg)
{
	struct srv *s = arg;
	struct bufferevent *bev;
	SSL *ssl = SSL_new(s->tls.ctx);

	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	/* Clients that hang up without close_notify are normal here. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

static void
on_signal(evutil_socket_t sig, short ev, void *arg)
{
	struct srv *s = arg;

	log_info("signal %d: exiting", (int)sig);
	event_base_loopbreak(s->base);
}

static int
write_text(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void
usage(void)
{
	fprintf(stderr, "usage: eipam-sim --state-dir DIR [--port N|0] "
	    "[--scenario NAME|FILE] [--nodes N] [--no-tls]\n"
	    "       [--history N] [--log-level LEVEL]\n"
	    "       eipam-sim ctl --state-dir DIR COMMAND [ARGS] "
	    "(eipam-sim ctl help)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "scenario", required_argument, NULL, 's' },
		{ "nodes", required_argument, NULL, 'n' },
		{ "no-tls", no_argument, NULL, 'T' },
		{ "history", required_argument, NULL, 'H' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct srv s;
	struct sim_ctx *sx = &s.sx;
	struct evhttp_bound_socket *bound;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const char *scenario = "baremetal", *dir = NULL;
	enum log_level lvl = LOG_LVL_INFO;
	char err[1024], buf[128];
	struct timeval one = { 1, 0 };
	json_t *raw, *scn;
	long port = 0, nodes = 0, hist = 10000;
	int c, port_out;
	struct wstream *ws;

	if (argc > 1 && strcmp(argv[1], "ctl") == 0)
		return ctl_main(argc - 1, argv + 1);
	memset(&s, 0, sizeof(s));
	s.use_tls = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'p':
			port = strtol(optarg, NULL, 10);
			if (port < 0 || port > 65535)
				usage();
			break;
		case 's':
			scenario = optarg;
			break;
		case 'n':
			nodes = strtol(optarg, NULL, 10);
			if (nodes < 0 || nodes > 5000)
				usage();
			break;
		case 'T':
			s.use_tls = 0;
			break;
		case 'H':
			hist = strtol(optarg, NULL, 10);
			if (hist < 1 || hist > 10000000)
				usage();
			break;
		case 'l':
			if (log_level_parse(optarg, &lvl) == -1)
				usage();
			break;
		default:
			usage();
		}
	}
	if (dir == NULL || optind != argc)
		usage();
	log_init("eipam-sim", LOG_FMT_TEXT, lvl);
	signal(SIGPIPE, SIG_IGN);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		fatal("%s", dir);
	if ((raw = scenario_read(scenario, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if ((scn = scenario_expand(raw, (int)nodes, err, sizeof(err))) == NULL)
		fatalx("scenario %s: %s", scenario, err);
	json_decref(raw);
	if (json_object_get(scn, "name") == NULL)
		json_object_set_new(scn, "name", json_string(scenario));

	sx->state_dir = xstrdup(dir);
	sx->hist_cap = (size_t)hist;
	sx->st = store_new(sx->hist_cap);
	sx->hub = watch_hub_new(sx->st);
	sx->kube.st = sx->st;
	sx->kube.hub = sx->hub;
	sx->kube.auth = &sx->auth;
	sx->kube.body_limit = SIM_BODY_LIMIT;
	sx->kube.watch_timeout = 1800;
	sx->bookmark_s = 5;
	sx->lease_s = 10;
	sx->ctl = control_new(sx);
	sx->os = os_new(sx);
	sx->srv = &s;
	sx->kick = kick;
	sx->close_watches = close_watches;

	if ((s.base = event_base_new()) == NULL ||
	    (s.http = evhttp_new(s.base)) == NULL)
		fatalx("libevent setup failed");
	s.ev_kick = evtimer_new(s.base, on_kick_cb, &s);
	evhttp_set_allowed_methods(s.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
	evhttp_set_max_body_size(s.http, 64L * 1024 * 1024);
	evhttp_set_timeout(s.http, 86400);
	evhttp_set_gencb(s.http, on_request, &s);
	if (s.use_tls) {
		if (tls_setup(&s.tls) != 0)
			fatalx("TLS setup failed");
		evhttp_set_bevcb(s.http, tls_bev, &s);
		sx->ca_pem = s.tls.ca_pem;
	}
	if ((bound = evhttp_bind_socket_with_handle(s.http, "127.0.0.1",
	    (ev_uint16_t)port)) == NULL)
		fatalx("cannot listen on 127.0.0.1:%ld", port);
	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&ss, &sl) == -1)
		fatal("getsockname");
	port_out = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	snprintf(sx->base_url, sizeof(sx->base_url), "%s://127.0.0.1:%d",
	    s.use_tls ? "https" : "http", port_out);
	snprintf(sx->kube.server_addr, sizeof(sx->kube.server_addr),
	    "127.0.0.1:%d", port_out);

	if (control_rotate_tokens(sx, 0, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if (scenario_apply(sx, scn, err, sizeof(err)) != 0)
		fatalx("scenario %s: %s", scenario, err);
	os_run(sx->os);
	if (s.use_tls && write_text(dir, "ca.crt", s.tls.ca_pem) != 0)
		fatal("%s/ca.crt", dir);
	if (scenario_write_files(sx, err, sizeof(err)) != 0)
		fatalx("%s", err);
	snprintf(buf, sizeof(buf), "%d\n", port_out);
	if (write_text(dir, "sim.port", buf) != 0)
		fatal("%s/sim.port", dir);

	s.ev_tick = event_new(s.base, -1, EV_PERSIST, on_tick, &s);
	event_add(s.ev_tick, &one);
	s.ev_term = evsignal_new(s.base, SIGTERM, on_signal, &s);
	s.ev_int = evsignal_new(s.base, SIGINT, on_signal, &s);
	event_add(s.ev_term, NULL);
	event_add(s.ev_int, NULL);
	s.last_bookmark = s.last_lease = time(NULL);

	printf("eipam-sim ready on %s\n", sx->base_url);
	fflush(stdout);
	log_info("scenario %s, %zu nodes, state in %s",
	    json_string_value(json_object_get(sx->scenario, "name")),
	    sx->st->colls[rtype_index(rtype_by_name("nodes"))].n, dir);
	event_base_dispatch(s.base);

	while ((ws = s.streams) != NULL)
		ws_end(ws);
	evhttp_free(s.http);
	event_free(s.ev_kick);
	event_free(s.ev_tick);
	event_free(s.ev_term);
	event_free(s.ev_int);
	event_base_free(s.base);
	control_free(sx->ctl);
	os_free(sx->os);
	watch_hub_free(sx->hub);
	store_free(sx->st);
	json_decref(sx->scenario);
#ifdef EIP_SIM_CLOUD
	sim_cloud_free(sx->cloud);
#endif
	if (s.use_tls)
		tls_free(&s.tls);
	free(sx->state_dir);
	free(sx->auth.admin);
	free(sx->auth.admin_old);
	free(sx->auth.readonly);
	free(sx->auth.control);
	return 0;
}
