/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event aggregation (client-go's recorder semantics): a repeat of the same
 * object, type, reason and message within 10 minutes updates the count
 * of the Event already written instead of creating another.
 */
#ifndef EIP_EVENTS_H
#define EIP_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct evcache {
	json_t	*map;		/* key -> {name, count, last} */
	size_t	 max;
};

struct evcache	*evcache_new(size_t max);
void		 evcache_free(struct evcache *);
/* 1 and the Event's name and count if a recent one exists. */
int		 evcache_lookup(struct evcache *, const char *key,
		    uint64_t now_ms, char *name, size_t namelen, long *count);
void		 evcache_store(struct evcache *, const char *key,
		    const char *name, long count, uint64_t now_ms);
void		 evcache_forget(struct evcache *, const char *key);
void		 event_key(const json_t *msg, char *buf, size_t len);
/* "<object>.<hex unix nanoseconds>", as client-go names them. */
void		 event_name(const char *obj, char *buf, size_t len);

#endif
