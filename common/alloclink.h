/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A worker's link to the allocator: a DEALER socket on alloc.sock whose
 * routing id is the worker's name, HELLO on start and after every outage,
 * and PING/PONG every heartbeat so both sides know the other is there
 * (ZeroMQ reconnects silently and would not say).
 */
#ifndef EIP_ALLOCLINK_H
#define EIP_ALLOCLINK_H

#include <jansson.h>

#include "zmsg.h"

struct eip_worker;
struct alloc_link;

/* on_msg gets every message except PONG, which the link consumes. */
struct alloc_link *alloc_link_new(struct eip_worker *, zmsg_cb on_msg,
		    void *arg);
void		 alloc_link_free(struct alloc_link *);
int		 alloc_link_send(struct alloc_link *, uint16_t type,
		    uint64_t corr, const json_t *body);
int		 alloc_link_up(const struct alloc_link *);
/* Called when the link comes up again after an outage (allocator restart). */
void		 alloc_link_on_up(struct alloc_link *,
		    void (*fn)(struct alloc_link *, void *), void *arg);
json_t		*alloc_link_status(const struct alloc_link *);

#endif
