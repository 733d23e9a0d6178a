/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DEALER side of alloc.sock (see alloclink.h).  The link is "up" when
 * a PONG arrived within three heartbeats.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <zmq.h>

#include "alloclink.h"
#include "log.h"
#include "worker.h"
#include "xmalloc.h"
#include "zglue.h"

struct alloc_link {
	struct eip_worker	*w;
	void			*sock;
	struct zmsg_chan	*chan;
	struct event		*timer;
	zmsg_cb			 on_msg;
	void			*arg;
	void			(*on_up)(struct alloc_link *, void *);
	void			*up_arg;
	uint64_t		 seq;
	struct timespec		 last_pong;
	int			 up;
	unsigned long		 outages;
};

static double
since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	    (now.tv_nsec - t->tv_nsec) / 1e9;
}

static void
send_hello(struct alloc_link *l)
{
	json_t *b = json_pack("{s:s,s:s,s:i,s:i}", "role",
	    eip_role_name(l->w->role), "instance", l->w->name, "pid",
	    (int)getpid(), "proto", EIP_PROTO_VERSION);

	if (zmsg_send(l->chan, NULL, EIP_MSG_HELLO, 0, b) == -1)
		log_warn("HELLO not sent: %s", zmq_strerror(errno));
	json_decref(b);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct alloc_link *l = arg;
	double limit = 3.0 * l->w->heartbeat_ms / 1000.0;
	json_t *b;

	if (l->up && since(&l->last_pong) > limit) {
		l->up = 0;
		l->outages++;
		log_warn("allocator silent for %.1f s", since(&l->last_pong));
	}
	b = json_pack("{s:I}", "seq", (json_int_t)++l->seq);
	zmsg_send(l->chan, NULL, EIP_MSG_PING, 0, b);
	json_decref(b);
}

static void
on_message(struct zmsg_chan *c, const char *peer, struct eip_msg *m,
    void *arg)
{
	struct alloc_link *l = arg;

	if (m->type == EIP_MSG_PONG) {
		clock_gettime(CLOCK_MONOTONIC, &l->last_pong);
		if (!l->up) {
			l->up = 1;
			log_info("allocator link up");
			/* A new allocator may not know us yet. */
			if (l->outages > 0)
				send_hello(l);
			if (l->on_up != NULL)
				l->on_up(l, l->up_arg);
		}
		return;
	}
	l->on_msg(c, peer, m, l->arg);
}

struct alloc_link *
alloc_link_new(struct eip_worker *w, zmsg_cb on_msg, void *arg)
{
	struct alloc_link *l = xcalloc(1, sizeof(*l));
	struct timeval tv;
	char *ep;

	l->w = w;
	l->on_msg = on_msg;
	l->arg = arg;
	if ((l->sock = zmq_socket(w->zctx, ZMQ_DEALER)) == NULL ||
	    zsock_setup(l->sock) == -1 ||
	    zmq_setsockopt(l->sock, ZMQ_ROUTING_ID, w->name,
	    strlen(w->name)) == -1)
		fatalx("alloc link socket: %s", zmq_strerror(errno));
	ep = worker_endpoint(w, "alloc.sock");
	if (zmq_connect(l->sock, ep) == -1)
		fatalx("connect %s: %s", ep, zmq_strerror(errno));
	free(ep);
	l->chan = zmsg_chan_new(w->base, l->sock, w->role, 0,
	    EIP_ROLE_ALLOCATOR, "allocator", on_message, l);
	if (l->chan == NULL)
		fatalx("alloc link channel");
	l->timer = event_new(w->base, -1, EV_PERSIST, on_timer, l);
	tv.tv_sec = w->heartbeat_ms / 1000;
	tv.tv_usec = (w->heartbeat_ms % 1000) * 1000;
	event_add(l->timer, &tv);
	send_hello(l);
	on_timer(-1, 0, l);
	return l;
}

void
alloc_link_free(struct alloc_link *l)
{
	if (l == NULL)
		return;
	event_free(l->timer);
	zmsg_chan_free(l->chan);
	zmq_close(l->sock);
	free(l);
}

int
alloc_link_send(struct alloc_link *l, uint16_t type, uint64_t corr,
    const json_t *body)
{
	return zmsg_send(l->chan, NULL, type, corr, body);
}

int
alloc_link_up(const struct alloc_link *l)
{
	return l->up;
}

void
alloc_link_on_up(struct alloc_link *l, void (*fn)(struct alloc_link *, void *),
    void *arg)
{
	l->on_up = fn;
	l->up_arg = arg;
}

json_t *
alloc_link_status(const struct alloc_link *l)
{
	return json_pack("{s:b,s:f,s:I,s:I,s:I}", "up", l->up,
	    "last_pong_age", l->up ? since(&l->last_pong) : -1.0,
	    "outages", (json_int_t)l->outages,
	    "sent", (json_int_t)zmsg_sent(l->chan),
	    "rejected", (json_int_t)zmsg_rejected(l->chan));
}
