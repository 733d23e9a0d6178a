/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipam-metricsd: /metrics, /healthz and /readyz.  It binds its two
 * listeners before the sandbox and afterwards can only accept on them: no
 * new sockets of any network family, no files.  Process figures come from
 * the supervisor over the lifeline (PROC_STATS); IPAM figures from the
 * allocator's state stream (GAUGES).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <zmq.h>

#include "log.h"
#include "metrics.h"
#include "sandbox.h"
#include "worker.h"
#include "xmalloc.h"
#include "zmsg.h"

struct metricsd {
	struct eip_worker	 w;
	struct evhttp		*metrics_http;
	struct evhttp		*health_http;
	void			*sub;
	struct zmsg_chan	*chan;
	struct metrics_state	 st;
};

static const struct sandbox_rule metricsd_rules[] = {
	SB_END
};
static const struct sandbox_rule *const metricsd_tables[] = {
	sandbox_base_rules, metricsd_rules, NULL
};
static const struct sandbox_policy metricsd_policy = {
	"metricsd", metricsd_tables, NULL, 0, 0
};

static void
reply(struct evhttp_request *req, int code, const char *ctype,
    const char *body, size_t len)
{
	struct evbuffer *b = evbuffer_new();

	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", ctype);
	evbuffer_add(b, body, len);
	evhttp_send_reply(req, code, code == 200 ? "OK" :
	    code == 404 ? "Not Found" : code == 405 ? "Method Not Allowed" :
	    "Service Unavailable", b);
	evbuffer_free(b);
}

static int
method_ok(struct evhttp_request *req)
{
	enum evhttp_cmd_type c = evhttp_request_get_command(req);

	if (c == EVHTTP_REQ_GET || c == EVHTTP_REQ_HEAD)
		return 1;
	reply(req, 405, "text/plain", "method not allowed\n", 19);
	return 0;
}

static void
on_request(struct evhttp_request *req, void *arg)
{
	struct metricsd *m = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	char why[256];
	char *body;
	size_t len;

	if (!method_ok(req))
		return;
	if (path == NULL)
		path = "/";
	if (strcmp(path, "/healthz") == 0) {
		reply(req, 200, "text/plain", "ok\n", 3);
	} else if (strcmp(path, "/readyz") == 0) {
		if (metrics_ready(&m->st, time(NULL), why, sizeof(why)))
			reply(req, 200, "text/plain", "ok\n", 3);
		else {
			strncat(why, "\n", sizeof(why) - strlen(why) - 1);
			reply(req, 503, "text/plain", why, strlen(why));
		}
	} else if (strcmp(path, "/metrics") == 0) {
		body = metrics_render(&m->st, &len);
		reply(req, 200, "text/plain; version=0.0.4; charset=utf-8",
		    body, len);
		free(body);
	} else
		reply(req, 404, "text/plain", "not found\n", 10);
}

static void
on_state(struct zmsg_chan *c, const char *peer, struct eip_msg *msg,
    void *arg)
{
	struct metricsd *m = arg;

	if (msg->type == EIP_MSG_GAUGES)
		metrics_set_gauges(&m->st, msg->body, time(NULL));
}

static void
on_lifeline(struct eip_worker *w, struct eip_msg *msg, void *arg)
{
	struct metricsd *m = arg;

	if (msg->type == EIP_MSG_PROC_STATS)
		metrics_set_procs(&m->st, msg->body, time(NULL));
}

/* "host:port", ":port" or "[v6]:port" -> a bound evhttp; writes the port. */
static struct evhttp *
listen_on(struct metricsd *m, const char *addr, const char *portfile)
{
	struct evhttp *h;
	struct evhttp_bound_socket *bs;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], path[4096];
	const char *colon = strrchr(addr, ':');
	long port;
	char *end;
	FILE *fp;

	if (colon == NULL)
		fatalx("bind address %s: expected host:port", addr);
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 0 || port > 65535 || colon[1] == '\0')
		fatalx("bind address %s: bad port", addr);
	snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if (host[0] == '\0')
		snprintf(host, sizeof(host), "0.0.0.0");
	if ((h = evhttp_new(m->w.base)) == NULL)
		fatalx("evhttp_new");
	evhttp_set_allowed_methods(h, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
	evhttp_set_max_headers_size(h, 16384);
	evhttp_set_max_body_size(h, 4096);
	evhttp_set_timeout(h, 10);
	evhttp_set_gencb(h, on_request, m);
	if ((bs = evhttp_bind_socket_with_handle(h, host,
	    (ev_uint16_t)port)) == NULL)
		fatal("cannot listen on %s", addr);
	if (getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&ss, &sl) == 0) {
		port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
		snprintf(path, sizeof(path), "%s/%s", m->w.run_dir, portfile);
		/* Tests bind port 0 and read the real port here. */
		if ((fp = fopen(path, "w")) != NULL) {
			fprintf(fp, "%ld\n", port);
			fclose(fp);
		}
	}
	log_info("listening on %s (port %ld)", addr, port);
	return h;
}

int
main(int argc, char **argv)
{
	struct metricsd m;
	char *ep;

	memset(&m, 0, sizeof(m));
	worker_init(&m.w, EIP_ROLE_METRICSD, &metricsd_policy, argc, argv);
	metrics_init(&m.st);
	m.metrics_http = listen_on(&m, worker_cfg_str(&m.w, "metrics_bind",
	    "127.0.0.1:8080"), "metrics.port");
	m.health_http = listen_on(&m, worker_cfg_str(&m.w, "health_bind",
	    ":8081"), "health.port");
	if ((m.sub = zmq_socket(m.w.zctx, ZMQ_SUB)) == NULL ||
	    zsock_setup(m.sub) == -1 ||
	    zmq_setsockopt(m.sub, ZMQ_SUBSCRIBE, "", 0) == -1)
		fatalx("state subscription: %s", zmq_strerror(errno));
	ep = worker_endpoint(&m.w, "state.sock");
	if (zmq_connect(m.sub, ep) == -1)
		fatalx("connect %s: %s", ep, zmq_strerror(errno));
	free(ep);
	m.chan = zmsg_chan_new(m.w.base, m.sub, EIP_ROLE_METRICSD, 0,
	    EIP_ROLE_ALLOCATOR, "allocator", on_state, &m);
	if (m.chan == NULL)
		fatalx("state channel");
	worker_on_lifeline(&m.w, on_lifeline, &m);
	if (worker_sandbox(&m.w, NULL) == -1)
		return 1;
	worker_ready(&m.w);
	return worker_run(&m.w);
}
