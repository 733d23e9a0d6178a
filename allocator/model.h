/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The allocator's model: every decision of the operator, with no I/O.
 * The process shell feeds it validated message bodies (from the watcher
 * and the cloudworkers) and the time, calls model_run() when the
 * returned deadline passes, and sends what model_take() hands back.
 * Tests drive it the same way, without sockets.
 */
#ifndef EIP_MODEL_H
#define EIP_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pool.h"

struct eip_model;

struct eip_model_config {
	enum pool_sel	 sel;		/* --ip-selection */
	uint64_t	 seed;		/* 0: OS CSPRNG */
	int		 isolate;	/* --manual-ip-errors=isolate */
	const char	*network_type;	/* --network-type, or NULL */
	const char	*platform;	/* --platform, or NULL */
	const char	*op_namespace;	/* where the cloud Secret lives */
	int64_t		 debounce_ms;	/* batch window after an event */
	int64_t		 status_ms;	/* least time between status writes */
	int64_t		 write_timeout_ms;
	int64_t		 rediscover_ms;	/* cloud subnet refresh period */
	/*
	 * Kubernetes writes in flight at most, before namespaces wait for
	 * their turn (0: no limit).  Bounds the memory of every process on
	 * the way (pending bodies here, ZeroMQ queues, the watcher's
	 * requests) when thousands of namespaces are decided at once.
	 */
	size_t		 max_inflight;
};

/* Sensible defaults for everything in the config. */
void	 model_config_default(struct eip_model_config *);

/* An outgoing message; the taker owns body. */
struct eip_out {
	uint16_t	 type;
	uint64_t	 corr;
	json_t		*body;
};

struct eip_model *model_new(const struct eip_model_config *);
void	 model_free(struct eip_model *);

/* The clock: monotonic milliseconds and wall-clock seconds (for status). */
void	 model_set_time(struct eip_model *, int64_t mono_ms, int64_t wall_s);

/*
 * One message from the watcher or a cloudworker, already decoded and
 * validated against its schema.  Returns -1 with a reason when the body
 * is well-formed but makes no sense (it is then ignored).
 */
int	 model_input(struct eip_model *, uint16_t type, uint64_t corr,
	    const json_t *body, char *err, size_t errlen);
/* A peer restarted: its in-flight requests are void. */
void	 model_peer_reset(struct eip_model *, uint16_t role);

/*
 * Reconciles what is due.  Returns the monotonic time at which it wants
 * to run next, or -1 for "only after new input".
 */
int64_t	 model_run(struct eip_model *);
/* Hands over the queued outgoing messages (malloc'ed array). */
size_t	 model_take(struct eip_model *, struct eip_out **);
void	 model_out_free(struct eip_out *, size_t);

/* The whole state as JSON, for the debug socket. */
json_t	*model_dump(struct eip_model *);
/* The GAUGES body (see doc/ALLOCATOR.md for the layout of "data"). */
json_t	*model_gauges(struct eip_model *);
/* Decision tracing: lines are queued while enabled. */
void	 model_trace(struct eip_model *, int on);
size_t	 model_take_trace(struct eip_model *, char ***);

int	 model_synced(const struct eip_model *);
int	 model_leading(const struct eip_model *);

#endif
