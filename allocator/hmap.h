/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A hash map from byte-string keys to pointers, with open addressing and
 * backward-shift deletion.  Keys are not copied: they must live inside
 * the value (a name, an address) for as long as the entry.  The hash is
 * SipHash-2-4 with a per-process key, because namespace names are chosen
 * by tenants and must not be able to degrade the map.
 */
#ifndef EIP_HMAP_H
#define EIP_HMAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct hmap_ent {
	uint64_t	 hash;		/* 0 = empty slot */
	const void	*key;
	size_t		 klen;
	void		*val;
};

struct hmap {
	struct hmap_ent	*tab;
	size_t		 cap;		/* power of two, or 0 */
	size_t		 n;
};

/* The process sets a random key once at start; tests keep the default. */
void	 hmap_set_key(uint64_t k0, uint64_t k1);
uint64_t hmap_hash(const void *, size_t);

void	 hmap_init(struct hmap *);
void	 hmap_clear(struct hmap *);	/* frees the table, not the values */
void	*hmap_get(const struct hmap *, const void *key, size_t klen);
/* Inserts or replaces; returns the replaced value or NULL. */
void	*hmap_put(struct hmap *, const void *key, size_t klen, void *val);
void	*hmap_del(struct hmap *, const void *key, size_t klen);
/* Iteration: start with *it = 0; returns NULL at the end. */
void	*hmap_next(const struct hmap *, size_t *it);

static inline void *
hmap_gets(const struct hmap *m, const char *s)
{
	return hmap_get(m, s, strlen(s));
}

#endif
