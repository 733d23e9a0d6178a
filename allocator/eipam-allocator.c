/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipam-allocator: owns the IPAM state and every decision; no network, no
 * secrets, no file after start.  This file is only the process around the
 * model (model.h): it binds alloc.sock (ROUTER) and state.sock (PUB),
 * feeds the model what the watcher and the cloudworker send, runs it when
 * it asks to be run, routes what it hands back, publishes GAUGES for
 * metricsd, and serves dump/trace on its debug socket.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <zmq.h>

#include "explain.h"
#include "log.h"
#include "model.h"
#include "sandbox.h"
#include "worker.h"
#include "xmalloc.h"
#include "zglue.h"
#include "zmsg.h"

#define MAX_PEERS	16
#define GAUGES_MS	2000

struct peer {
	char		 name[64];
	enum eip_role	 role;
	long long	 pid;
	time_t		 seen;
	unsigned long	 pings;
};

struct allocator {
	struct eip_worker	 w;
	void			*router;
	void			*pub;
	struct zmsg_chan	*chan;
	struct zmsg_chan	*pubchan;
	struct eip_model	*model;
	struct event		*run_ev;
	struct event		*gauges_ev;
	struct peer		 peers[MAX_PEERS];
	int			 npeers;
	unsigned long		 undeliverable;
	unsigned long		 nonsense;
};

static const struct sandbox_rule allocator_rules[] = {
	/* Nothing beyond the shared base: AF_UNIX only, no files. */
	SB_END
};
static const struct sandbox_rule *const allocator_tables[] = {
	sandbox_base_rules, allocator_rules, NULL
};
static const struct sandbox_policy allocator_policy = {
	"allocator", allocator_tables, NULL, 0, 0
};

static void
set_time(struct allocator *a)
{
	struct timespec mono, wall;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &wall);
	model_set_time(a->model, (int64_t)mono.tv_sec * 1000 +
	    mono.tv_nsec / 1000000, (int64_t)wall.tv_sec);
}

/* Where an outgoing message goes: the watcher, the cloudworker, or PUB. */
static const char *
route(uint16_t type)
{
	if (type >= 300 && type < 400)
		return "cloudworker-0";
	if (type >= 400 && type < 500)
		return NULL;
	return "watcher";
}

static void
flush_out(struct allocator *a)
{
	struct eip_out *out;
	size_t n, i;
	char **lines;

	n = model_take(a->model, &out);
	for (i = 0; i < n; i++) {
		const char *to = route(out[i].type);

		if (to == NULL) {
			zmsg_send(a->pubchan, NULL, out[i].type, out[i].corr,
			    out[i].body);
			continue;
		}
		/*
		 * A peer that is not connected (restarting): the model times
		 * the request out and re-decides; nothing is lost.
		 */
		if (zmsg_send(a->chan, to, out[i].type, out[i].corr,
		    out[i].body) == -1) {
			a->undeliverable++;
			log_debug("%s to %s not delivered: %s",
			    eip_msg_name(out[i].type), to, zmq_strerror(errno));
		}
	}
	model_out_free(out, n);
	n = model_take_trace(a->model, &lines);
	for (i = 0; i < n; i++) {
		json_t *t = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s}", "role",
		    "allocator", "dir", "out", "peer", "model", "type",
		    "DECISION", "corr", (json_int_t)0, "summary", lines[i]);

		zmsg_send(a->pubchan, NULL, EIP_MSG_TRACE, 0, t);
		json_decref(t);
		free(lines[i]);
	}
	free(lines);
}

/* Runs the model now and arms the timer for when it wants to run next. */
static void
run_model(struct allocator *a)
{
	struct timespec mono;
	int64_t next, now_ms;
	struct timeval tv;

	set_time(a);
	next = model_run(a->model);
	flush_out(a);
	event_del(a->run_ev);
	if (next < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	now_ms = (int64_t)mono.tv_sec * 1000 + mono.tv_nsec / 1000000;
	next = next > now_ms ? next - now_ms : 0;
	tv.tv_sec = (time_t)(next / 1000);
	tv.tv_usec = (suseconds_t)(next % 1000) * 1000;
	event_add(a->run_ev, &tv);
}

static void
on_run(evutil_socket_t fd, short what, void *arg)
{
	run_model(arg);
}

static void
on_gauges(evutil_socket_t fd, short what, void *arg)
{
	struct allocator *a = arg;
	json_t *g;

	set_time(a);
	if ((g = model_gauges(a->model)) != NULL) {
		zmsg_send(a->pubchan, NULL, EIP_MSG_GAUGES, 0, g);
		json_decref(g);
	}
}

/* A peer we have not seen, or a new incarnation of one. */
static struct peer *
peer_seen(struct allocator *a, const char *name, int *fresh)
{
	enum eip_role role;
	int i;

	*fresh = 0;
	for (i = 0; i < a->npeers; i++)
		if (strcmp(a->peers[i].name, name) == 0)
			return &a->peers[i];
	if (a->npeers == MAX_PEERS || zmsg_peer_role(name, &role) == -1)
		return NULL;
	snprintf(a->peers[a->npeers].name, sizeof(a->peers[0].name), "%s",
	    name);
	a->peers[a->npeers].role = role;
	*fresh = 1;
	return &a->peers[a->npeers++];
}

static void
peer_restarted(struct allocator *a, struct peer *p)
{
	json_t *b;

	log_info("%s (pid %lld) connected", p->name, p->pid);
	set_time(a);
	model_peer_reset(a->model, (uint16_t)p->role);
	if (p->role == EIP_ROLE_WATCHER) {
		/* Ask for everything again: state is rebuilt from the cluster. */
		b = json_object();
		zmsg_send(a->chan, p->name, EIP_MSG_RESYNC, 0, b);
		json_decref(b);
	}
	run_model(a);
}

static void
on_message(struct zmsg_chan *c, const char *name, struct eip_msg *m,
    void *arg)
{
	struct allocator *a = arg;
	struct peer *p;
	char err[512];
	json_t *b;
	int fresh;

	if ((p = peer_seen(a, name, &fresh)) == NULL) {
		log_warn("ignoring unexpected peer %s", name);
		return;
	}
	p->seen = time(NULL);
	/*
	 * The first message of a peer we do not know, whatever its type,
	 * means this allocator (re)started under a running peer: ask it to
	 * start over.  HELLO with a new pid means the peer restarted.
	 */
	if (m->type == EIP_MSG_HELLO) {
		long long pid = eip_int(m->body, "pid", 0);

		if (fresh || p->pid != pid) {
			p->pid = pid;
			peer_restarted(a, p);
		}
		return;
	}
	if (fresh)
		peer_restarted(a, p);
	if (m->type == EIP_MSG_PING) {
		p->pings++;
		b = json_pack("{s:I}", "seq", eip_int(m->body, "seq", 0));
		zmsg_send(c, name, EIP_MSG_PONG, m->corr, b);
		json_decref(b);
		return;
	}
	set_time(a);
	if (model_input(a->model, m->type, m->corr, m->body, err,
	    sizeof(err)) == -1) {
		a->nonsense++;
		log_warn("%s from %s ignored: %s", eip_msg_name(m->type), name,
		    err);
	}
	run_model(a);
}

static json_t *
allocator_status(struct eip_worker *w, void *arg)
{
	struct allocator *a = arg;
	json_t *peers = json_array();
	int i;

	for (i = 0; i < a->npeers; i++)
		json_array_append_new(peers, json_pack("{s:s,s:I,s:I,s:I}",
		    "name", a->peers[i].name, "pid", a->peers[i].pid,
		    "last_seen", (json_int_t)a->peers[i].seen,
		    "pings", (json_int_t)a->peers[i].pings));
	return json_pack("{s:o,s:I,s:I,s:I,s:b,s:b}", "peers", peers,
	    "rejected", (json_int_t)zmsg_rejected(a->chan),
	    "ignored", (json_int_t)a->nonsense,
	    "undeliverable", (json_int_t)a->undeliverable,
	    "synced", model_synced(a->model), "leading",
	    model_leading(a->model));
}

static int
allocator_debug(struct eip_worker *w, const char *cmd, const json_t *args,
    json_t **result, char *err, size_t errlen, void *arg)
{
	struct allocator *a = arg;

	set_time(a);
	if (strcmp(cmd, "dump") == 0) {
		*result = model_dump(a->model);
		json_object_set_new(*result, "process", allocator_status(w, a));
		return 0;
	}
	if (strcmp(cmd, "metrics") == 0) {
		*result = model_gauges(a->model);
		return 0;
	}
	if (strcmp(cmd, "explain") == 0) {
		*result = model_explain(a->model, json_string_value(
		    json_object_get(args, "kind")), json_string_value(
		    json_object_get(args, "name")), err, errlen);
		return *result != NULL ? 0 : -1;
	}
	if (strcmp(cmd, "plan") == 0) {
		*result = model_plan(a->model, json_object_get(args, "object"),
		    err, errlen);
		return *result != NULL ? 0 : -1;
	}
	snprintf(err, errlen, "%s is not supported by the allocator yet", cmd);
	return -1;
}

static void *
bind_socket(struct allocator *a, int type, const char *file)
{
	void *s;
	char *ep, path[4096];
	int one = 1;

	snprintf(path, sizeof(path), "%s/%s", a->w.run_dir, file);
	unlink(path);
	if ((s = zmq_socket(a->w.zctx, type)) == NULL || zsock_setup(s) == -1)
		fatalx("zmq_socket: %s", zmq_strerror(errno));
	if (type == ZMQ_ROUTER &&
	    zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &one, sizeof(one)) == -1)
		fatalx("ZMQ_ROUTER_MANDATORY: %s", zmq_strerror(errno));
	ep = worker_endpoint(&a->w, file);
	if (zmq_bind(s, ep) == -1)
		fatalx("bind %s: %s", ep, zmq_strerror(errno));
	free(ep);
	return s;
}

static void
configure(struct allocator *a, struct eip_model_config *c)
{
	const char *sel = worker_cfg_str(&a->w, "ip_selection", "random");
	const char *man = worker_cfg_str(&a->w, "manual_ip_errors", "halt");
	long long seed = worker_cfg_int(&a->w, "seed", -1);

	model_config_default(c);
	if (strcmp(sel, "lowest") == 0)
		c->sel = POOL_SEL_LOWEST;
	else if (strcmp(sel, "random") != 0)
		fatalx("ip_selection: %s is neither random nor lowest", sel);
	if (strcmp(man, "isolate") == 0)
		c->isolate = 1;
	else if (strcmp(man, "halt") != 0)
		fatalx("manual_ip_errors: %s is neither halt nor isolate", man);
	c->seed = seed > 0 ? (uint64_t)seed : 0;
	c->network_type = worker_cfg_str(&a->w, "network_type", NULL);
	c->platform = worker_cfg_str(&a->w, "platform", NULL);
	c->op_namespace = worker_cfg_str(&a->w, "namespace",
	    c->op_namespace);
}

int
main(int argc, char **argv)
{
	struct eip_model_config cfg;
	struct allocator a;
	struct timeval tv;
	int rc;

	memset(&a, 0, sizeof(a));
	worker_init(&a.w, EIP_ROLE_ALLOCATOR, &allocator_policy, argc, argv);
	configure(&a, &cfg);
	if ((a.model = model_new(&cfg)) == NULL)
		fatalx("cannot build the model");
	a.router = bind_socket(&a, ZMQ_ROUTER, "alloc.sock");
	a.pub = bind_socket(&a, ZMQ_PUB, "state.sock");
	a.chan = zmsg_chan_new(a.w.base, a.router, EIP_ROLE_ALLOCATOR, 1,
	    EIP_ROLE_ALLOCATOR, NULL, on_message, &a);
	/* PUB never receives; the channel is only for sending. */
	a.pubchan = zmsg_chan_new(a.w.base, a.pub, EIP_ROLE_ALLOCATOR, 0,
	    EIP_ROLE_METRICSD, "state", NULL, NULL);
	if (a.chan == NULL || a.pubchan == NULL)
		fatalx("cannot watch the allocator's sockets");
	a.run_ev = evtimer_new(a.w.base, on_run, &a);
	a.gauges_ev = event_new(a.w.base, -1, EV_PERSIST, on_gauges, &a);
	tv.tv_sec = GAUGES_MS / 1000;
	tv.tv_usec = (GAUGES_MS % 1000) * 1000;
	event_add(a.gauges_ev, &tv);
	worker_on_status(&a.w, allocator_status, &a);
	worker_on_debug(&a.w, allocator_debug, &a);
	if (worker_sandbox(&a.w, NULL) == -1)
		return 1;
	worker_ready(&a.w);
	rc = worker_run(&a.w);
	model_free(a.model);
	return rc;
}
