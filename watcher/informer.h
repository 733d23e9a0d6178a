/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Informers: for each kind, LIST (paged) then WATCH from the list's
 * resourceVersion, resuming from the last one seen, re-listing on 410,
 * with client-go's backoff.  Objects are normalized and kept in a cache
 * of normalized bodies; changes go to a sink as OBJ_* / OBJ_DELETE /
 * SYNCED / KIND_UNSERVED bodies (the process sends them to the allocator,
 * the test driver prints them).
 */
#ifndef EIP_INFORMER_H
#define EIP_INFORMER_H

#include <stdint.h>

#include <jansson.h>

#include "normalize.h"

struct event_base;
struct eip_kclient;
struct eip_informers;

/* type is an EIP_MSG_* number; body is borrowed for the call. */
typedef void	(*eip_sink_fn)(uint16_t type, const json_t *body, void *arg);

struct eip_informer_opts {
	unsigned	 kinds;			/* bit per enum wkind */
	int		 page_size;		/* 0: 500 */
	int		 watch_min_s;		/* 0: 300 */
	int		 watch_max_s;		/* 0: 600 */
	int		 unserved_retry_s;	/* 0: 300 */
};

struct eip_informers *informers_new(struct event_base *,
		    struct eip_kclient *, const struct eip_informer_opts *,
		    eip_sink_fn, void *arg);
void		 informers_free(struct eip_informers *);
void		 informers_start(struct eip_informers *);
/* Replays every cached object, then SYNCED (or KIND_UNSERVED) per kind. */
void		 informers_resync(struct eip_informers *);
/*
 * An object read outside the watch (a GET after a 409): cached and sent
 * if it is newer than what the cache holds, so the allocator never sees
 * an object go back in time.  During a relist it does not count as
 * listed: only the LIST says what still exists.
 */
void		 informers_observe(struct eip_informers *, enum wkind,
		    const json_t *obj);
/* The same for an object the cache already holds; others are ignored. */
void		 informers_update(struct eip_informers *, enum wkind,
		    const json_t *);
int		 informers_synced(const struct eip_informers *, enum wkind);
size_t		 informers_cached(const struct eip_informers *, enum wkind);

/* Stats for benchmarks and the debug socket. */
struct eip_informer_stats {
	unsigned long	 events;	/* watch events processed */
	unsigned long	 lists;		/* LIST requests */
	unsigned long	 watches;	/* WATCH requests */
	unsigned long	 relists_410;
	unsigned long	 errors;
};
void		 informers_stats(const struct eip_informers *,
		    struct eip_informer_stats *);

/*
 * Resource versions are opaque, but every API server in use makes them
 * decimal integers that grow; when both are, an older one is stale.
 * Returns 1 if a is newer than b, 0 if equal, -1 if older, 2 if unknown.
 */
int		 rv_compare(const char *a, const char *b);

#endif
