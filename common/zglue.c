/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libevent <-> ZeroMQ glue (see zglue.h).  The read callback drains up to
 * a budget of messages, then re-arms itself with event_active() so one
 * busy socket cannot starve the loop; every send also re-activates the
 * drain, because a send may consume the edge of ZMQ_FD.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <zmq.h>

#include "log.h"
#include "xmalloc.h"
#include "zglue.h"

#define ZEV_BUDGET	256

struct zev_out {
	struct zev_out	*next;
	int		 nframes;
	zmq_msg_t	 frames[ZEV_MAX_FRAMES];
};

struct zev {
	void		*sock;
	struct event	*ev;
	zev_cb		 cb;
	void		*arg;
	struct zev_out	*qhead;
	struct zev_out	**qtail;
	size_t		 queued;
	unsigned long	 dropped;
	int		 in_cb;
	int		 freed;
};

static void	zev_handle(evutil_socket_t, short, void *);

int
zsock_setup(void *zsock)
{
	int linger = 0, hwm = 0;

	/* Peers are local; a restarting worker must not wait for them. */
	if (zmq_setsockopt(zsock, ZMQ_LINGER, &linger, sizeof(linger)) == -1)
		return -1;
	/*
	 * No high-water mark: ROUTER sockets would silently drop, and every
	 * message between our processes matters.  Memory stays bounded by the
	 * size of the cluster, and the send queue is observable.
	 */
	if (zmq_setsockopt(zsock, ZMQ_SNDHWM, &hwm, sizeof(hwm)) == -1 ||
	    zmq_setsockopt(zsock, ZMQ_RCVHWM, &hwm, sizeof(hwm)) == -1)
		return -1;
	return 0;
}

struct zev *
zev_new(struct event_base *base, void *zsock, zev_cb cb, void *arg)
{
	struct zev *z;
	size_t fdlen;
	int fd;

	fdlen = sizeof(fd);
	if (zmq_getsockopt(zsock, ZMQ_FD, &fd, &fdlen) == -1)
		return NULL;
	z = xcalloc(1, sizeof(*z));
	z->sock = zsock;
	z->cb = cb;
	z->arg = arg;
	z->qtail = &z->qhead;
	z->ev = event_new(base, fd, EV_READ | EV_PERSIST, zev_handle, z);
	if (z->ev == NULL || event_add(z->ev, NULL) == -1) {
		if (z->ev != NULL)
			event_free(z->ev);
		free(z);
		return NULL;
	}
	/* Messages may already be waiting; the edge for them is gone. */
	event_active(z->ev, EV_READ, 0);
	return z;
}

static void
out_free(struct zev_out *o)
{
	int i;

	for (i = 0; i < o->nframes; i++)
		zmq_msg_close(&o->frames[i]);
	free(o);
}

void
zev_free(struct zev *z)
{
	struct zev_out *o, *next;

	if (z == NULL)
		return;
	for (o = z->qhead; o != NULL; o = next) {
		next = o->next;
		out_free(o);
	}
	event_free(z->ev);
	if (z->in_cb) {
		/* Freed from inside our own callback: finish in zev_handle. */
		z->freed = 1;
		z->ev = NULL;
		return;
	}
	free(z);
}

void *
zev_socket(struct zev *z)
{
	return z->sock;
}

size_t
zev_queued(const struct zev *z)
{
	return z->queued;
}

unsigned long
zev_dropped(const struct zev *z)
{
	return z->dropped;
}

/* Tries to send one queued message; 1 sent, 0 would block, -1 error. */
static int
out_try(struct zev *z, struct zev_out *o)
{
	int i;

	for (i = 0; i < o->nframes; i++) {
		int flags = ZMQ_DONTWAIT |
		    (i + 1 < o->nframes ? ZMQ_SNDMORE : 0);

		/*
		 * ZeroMQ sends multipart messages atomically: if the first
		 * frame is accepted, the rest are too (same pipe, no HWM).
		 */
		if (zmq_msg_send(&o->frames[i], z->sock, flags) == -1) {
			if (errno == EAGAIN && i == 0)
				return 0;
			return -1;
		}
	}
	o->nframes = 0;		/* zmq_msg_send took ownership */
	return 1;
}

static void
flush_queue(struct zev *z)
{
	struct zev_out *o;
	int r;

	while ((o = z->qhead) != NULL) {
		if ((r = out_try(z, o)) == 0)
			break;
		if (r == -1)
			log_warn("zeromq: dropping queued message: %s",
			    zmq_strerror(errno));
		z->qhead = o->next;
		if (z->qhead == NULL)
			z->qtail = &z->qhead;
		z->queued--;
		out_free(o);
	}
}

int
zev_send(struct zev *z, const struct zev_frame *f, int nframes)
{
	struct zev_out *o;
	int i, r;

	if (nframes < 1 || nframes > ZEV_MAX_FRAMES) {
		errno = EINVAL;
		return -1;
	}
	o = xcalloc(1, sizeof(*o));
	for (i = 0; i < nframes; i++) {
		if (zmq_msg_init_size(&o->frames[i], f[i].len) == -1) {
			o->nframes = i;
			out_free(o);
			return -1;
		}
		if (f[i].len > 0)
			memcpy(zmq_msg_data(&o->frames[i]), f[i].data, f[i].len);
	}
	o->nframes = nframes;
	if (z->qhead == NULL) {
		r = out_try(z, o);
		if (r == 1) {
			free(o);
			/* The send may have eaten the edge: drain again. */
			if (z->ev != NULL)
				event_active(z->ev, EV_READ, 0);
			return 0;
		}
		if (r == -1) {
			int saved = errno;

			out_free(o);
			errno = saved;
			return -1;
		}
	}
	*z->qtail = o;
	z->qtail = &o->next;
	z->queued++;
	if (z->ev != NULL)
		event_active(z->ev, EV_READ, 0);
	return 0;
}

static int
recv_one(struct zev *z)
{
	zmq_msg_t parts[ZEV_MAX_FRAMES + 1];
	struct zev_frame f[ZEV_MAX_FRAMES];
	int n = 0, more, i, too_many = 0;
	size_t mlen;

	for (;;) {
		zmq_msg_t *m = &parts[n < ZEV_MAX_FRAMES ? n : ZEV_MAX_FRAMES];

		zmq_msg_init(m);
		if (zmq_msg_recv(m, z->sock, ZMQ_DONTWAIT) == -1) {
			zmq_msg_close(m);
			for (i = 0; i < n && i < ZEV_MAX_FRAMES; i++)
				zmq_msg_close(&parts[i]);
			return errno == EAGAIN ? 0 : -1;
		}
		mlen = sizeof(more);
		zmq_getsockopt(z->sock, ZMQ_RCVMORE, &more, &mlen);
		if (n >= ZEV_MAX_FRAMES) {
			/* Excess frames are read and discarded. */
			zmq_msg_close(m);
			too_many = 1;
		} else
			n++;
		if (!more)
			break;
	}
	if (too_many) {
		z->dropped++;
		log_warn("zeromq: dropped a message with too many frames");
	} else {
		for (i = 0; i < n; i++) {
			f[i].data = zmq_msg_data(&parts[i]);
			f[i].len = zmq_msg_size(&parts[i]);
		}
		z->in_cb = 1;
		z->cb(z, f, n, z->arg);
		z->in_cb = 0;
	}
	for (i = 0; i < n; i++)
		zmq_msg_close(&parts[i]);
	return 1;
}

static void
zev_handle(evutil_socket_t fd, short what, void *arg)
{
	struct zev *z = arg;
	int events, budget = ZEV_BUDGET, r;
	size_t len;

	for (;;) {
		len = sizeof(events);
		if (zmq_getsockopt(z->sock, ZMQ_EVENTS, &events, &len) == -1)
			return;
		if ((events & ZMQ_POLLOUT) && z->qhead != NULL)
			flush_queue(z);
		if (!(events & ZMQ_POLLIN))
			break;
		if (budget-- == 0) {
			/* Yield to other events; come back at once. */
			event_active(z->ev, EV_READ, 0);
			return;
		}
		r = recv_one(z);
		if (z->freed) {
			free(z);
			return;
		}
		if (r <= 0)
			break;
	}
}
