/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ZeroMQ sockets inside a libevent loop.  ZMQ_FD is edge-triggered and only
 * says "look at ZMQ_EVENTS": after every send, receive or ZMQ_EVENTS read
 * the socket must be drained until no ZMQ_POLLIN remains, or the loop
 * stalls.  This file is the one place that knows that.  Outgoing messages
 * that meet a full pipe wait in a queue until ZMQ_POLLOUT.
 */
#ifndef EIP_ZGLUE_H
#define EIP_ZGLUE_H

#include <stddef.h>
#include <sys/uio.h>

struct event_base;
struct zev;

#define ZEV_MAX_FRAMES	4

struct zev_frame {
	const void	*data;
	size_t		 len;
};

/* One complete multipart message; frames are valid during the call only. */
typedef void (*zev_cb)(struct zev *, const struct zev_frame *, int nframes,
    void *arg);

struct zev	*zev_new(struct event_base *, void *zsock, zev_cb, void *arg);
void		 zev_free(struct zev *);
void		*zev_socket(struct zev *);
/*
 * Sends a multipart message (copied).  Never blocks: if the pipe is full
 * the message is queued and sent when the peer drains.  Returns -1 only
 * for errors other than EAGAIN (e.g. EHOSTUNREACH on a ROUTER with
 * ZMQ_ROUTER_MANDATORY, when the peer is not connected).
 */
int		 zev_send(struct zev *, const struct zev_frame *, int nframes);
size_t		 zev_queued(const struct zev *);
/* Messages dropped because they had more frames than ZEV_MAX_FRAMES. */
unsigned long	 zev_dropped(const struct zev *);

/* Socket setup shared by every role: linger, HWMs, no blocking forever. */
int		 zsock_setup(void *zsock);

#endif
