/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lifeline: a SOCK_SEQPACKET socketpair between the supervisor and
 * each worker (fd 3 in the worker).  BOOT goes down it, READY and
 * heartbeats come back, and EOF on either side means the peer is gone,
 * which ZeroMQ alone cannot tell.  One packet = header + JSON body.
 */
#ifndef EIP_LIFELINE_H
#define EIP_LIFELINE_H

#include <stdint.h>
#include <jansson.h>

#include "eip_proto.h"

#define LIFELINE_FD		3
#define LIFELINE_MAX_PACKET	(192 * 1024)

struct event_base;
struct lifeline;

typedef void (*lifeline_msg_cb)(struct lifeline *, struct eip_msg *, void *);
typedef void (*lifeline_eof_cb)(struct lifeline *, void *);

struct lifeline	*lifeline_new(struct event_base *, int fd, enum eip_role self,
		    enum eip_role peer, lifeline_msg_cb, lifeline_eof_cb,
		    void *arg);
void		 lifeline_free(struct lifeline *);	/* closes the fd */
int		 lifeline_send(struct lifeline *, uint16_t type, uint64_t corr,
		    const json_t *body);
unsigned long	 lifeline_rejected(const struct lifeline *);

/* Blocking helpers for before the event loop runs (BOOT). */
int	 lifeline_write(int fd, uint16_t type, uint64_t corr, const json_t *);
int	 lifeline_read(int fd, enum eip_role self, int timeout_ms,
	    struct eip_msg *, char *err, size_t errlen);

#endif
