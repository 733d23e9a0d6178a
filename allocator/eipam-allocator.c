/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipam-allocator: owns the IPAM state and every decision; no network, no
 * secrets.  This first version proves the topology: it binds alloc.sock
 * (ROUTER) and state.sock (PUB), greets the watcher and cloudworkers that
 * say HELLO and answers their PINGs.  The IPAM engine lands on top of it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <zmq.h>

#include "log.h"
#include "sandbox.h"
#include "worker.h"
#include "xmalloc.h"
#include "zglue.h"
#include "zmsg.h"

#define MAX_PEERS	16

struct peer {
	char		 name[64];
	long long	 pid;
	time_t		 hello;
	time_t		 seen;
	unsigned long	 pings;
};

struct allocator {
	struct eip_worker	 w;
	void			*router;
	void			*pub;
	struct zmsg_chan	*chan;
	struct peer		 peers[MAX_PEERS];
	int			 npeers;
};

static const struct sandbox_rule allocator_rules[] = {
	/* The base table is everything: AF_UNIX only, no files. */
	SB_END
};
static const struct sandbox_rule *const allocator_tables[] = {
	sandbox_base_rules, allocator_rules, NULL
};
static const struct sandbox_policy allocator_policy = {
	"allocator", allocator_tables, NULL, 0, 0
};

static struct peer *
peer_get(struct allocator *a, const char *name)
{
	int i;

	for (i = 0; i < a->npeers; i++)
		if (strcmp(a->peers[i].name, name) == 0)
			return &a->peers[i];
	if (a->npeers == MAX_PEERS)
		return NULL;
	snprintf(a->peers[a->npeers].name, sizeof(a->peers[0].name), "%s",
	    name);
	return &a->peers[a->npeers++];
}

static void
on_message(struct zmsg_chan *c, const char *peer, struct eip_msg *m,
    void *arg)
{
	struct allocator *a = arg;
	struct peer *p;
	json_t *b;

	if ((p = peer_get(a, peer)) == NULL) {
		log_warn("too many peers; ignoring %s", peer);
		return;
	}
	p->seen = time(NULL);
	switch (m->type) {
	case EIP_MSG_HELLO:
		p->hello = p->seen;
		p->pid = eip_int(m->body, "pid", 0);
		log_info("hello from %s (pid %lld)", peer, p->pid);
		break;
	case EIP_MSG_PING:
		p->pings++;
		b = json_pack("{s:I}", "seq", eip_int(m->body, "seq", 0));
		if (zmsg_send(c, peer, EIP_MSG_PONG, m->corr, b) == -1)
			log_warn("PONG to %s: %s", peer, zmq_strerror(errno));
		json_decref(b);
		break;
	default:
		log_debug("%s from %s not handled yet", eip_msg_name(m->type),
		    peer);
	}
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
	return json_pack("{s:o,s:I}", "peers", peers, "rejected",
	    (json_int_t)zmsg_rejected(a->chan));
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

int
main(int argc, char **argv)
{
	struct allocator a;

	memset(&a, 0, sizeof(a));
	worker_init(&a.w, EIP_ROLE_ALLOCATOR, &allocator_policy, argc, argv);
	a.router = bind_socket(&a, ZMQ_ROUTER, "alloc.sock");
	a.pub = bind_socket(&a, ZMQ_PUB, "state.sock");
	a.chan = zmsg_chan_new(a.w.base, a.router, EIP_ROLE_ALLOCATOR, 1,
	    EIP_ROLE_ALLOCATOR, NULL, on_message, &a);
	if (a.chan == NULL)
		fatalx("cannot watch alloc.sock");
	worker_on_status(&a.w, allocator_status, &a);
	if (worker_sandbox(&a.w, NULL) == -1)
		return 1;
	worker_ready(&a.w);
	return worker_run(&a.w);
}
