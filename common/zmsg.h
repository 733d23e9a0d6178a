/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Protocol messages over ZeroMQ: [routing id,] header frame, JSON body
 * frame.  Receiving decodes strictly, checks that the sender's role may
 * send the type, counts and logs rejects, and keeps a ring of recent
 * messages for `eipamctl attach`.
 */
#ifndef EIP_ZMSG_H
#define EIP_ZMSG_H

#include <stdint.h>
#include <jansson.h>

#include "eip_proto.h"
#include "zglue.h"

struct event_base;
struct zmsg_chan;

/*
 * peer: the routing id of the sender on a ROUTER socket (e.g. "watcher",
 * "cloudworker-0"), or the fixed peer name on a DEALER/SUB socket.
 */
typedef void (*zmsg_cb)(struct zmsg_chan *, const char *peer,
    struct eip_msg *, void *arg);

/*
 * router: 1 if the socket prefixes messages with a routing id (ROUTER),
 * 0 otherwise.  peer_role: for non-ROUTER sockets, the role of the only
 * peer (used for the sender check); ignored for ROUTER, where the role is
 * derived from the routing id ("<role>" or "<role>-<instance>").
 */
struct zmsg_chan *zmsg_chan_new(struct event_base *, void *zsock,
		    enum eip_role self, int router, enum eip_role peer_role,
		    const char *peer_name, zmsg_cb, void *arg);
void		 zmsg_chan_free(struct zmsg_chan *);
int		 zmsg_send(struct zmsg_chan *, const char *peer, uint16_t type,
		    uint64_t corr, const json_t *body);
struct zev	*zmsg_chan_zev(struct zmsg_chan *);

unsigned long	 zmsg_rejected(const struct zmsg_chan *);
unsigned long	 zmsg_received(const struct zmsg_chan *);
unsigned long	 zmsg_sent(const struct zmsg_chan *);

/* Derive a role from a routing id such as "cloudworker-0". */
int		 zmsg_peer_role(const char *peer, enum eip_role *);

/*
 * Trace ring shared by every channel of the process: the last messages in
 * and out, with a sequence number, for `eipamctl attach`.
 */
void		 zmsg_trace_enable(int on);
void		 zmsg_trace_note(const char *dir, const char *peer,
		    uint16_t type, uint64_t corr, const json_t *body);
/* Entries with seq > since, oldest first; sets *last to the newest seq. */
json_t		*zmsg_trace_since(uint64_t since, uint64_t *last);

#endif
