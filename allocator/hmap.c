/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hash map (see hmap.h).  Linear probing at a load factor of at most
 * 1/2, so a lookup touches one or two cache lines; deletion shifts the
 * following cluster back instead of leaving tombstones, so a map that
 * churns (namespaces come and go) never degrades.
 */
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "xmalloc.h"

static uint64_t sip_k0 = 0x0706050403020100ULL;
static uint64_t sip_k1 = 0x0f0e0d0c0b0a0908ULL;

void
hmap_set_key(uint64_t k0, uint64_t k1)
{
	sip_k0 = k0;
	sip_k1 = k1;
}

#define ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

/* SipHash-2-4 as described by Aumasson and Bernstein. */
uint64_t
hmap_hash(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t v0 = 0x736f6d6570736575ULL ^ sip_k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ sip_k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ sip_k0;
	uint64_t v3 = 0x7465646279746573ULL ^ sip_k1;
	uint64_t m, b = (uint64_t)len << 56;
	size_t i, left = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, p + i, 8);	/* little-endian hosts only: fine here */
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (; left > 0; left--)
		b |= (uint64_t)p[i + left - 1] << (8 * (left - 1));
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return (v0 ^ v1 ^ v2 ^ v3) | 1;		/* never 0: 0 marks empty */
}

void
hmap_init(struct hmap *m)
{
	memset(m, 0, sizeof(*m));
}

void
hmap_clear(struct hmap *m)
{
	free(m->tab);
	memset(m, 0, sizeof(*m));
}

static struct hmap_ent *
find(const struct hmap *m, uint64_t h, const void *key, size_t klen)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct hmap_ent *e = &m->tab[i];

		if (e->hash == 0)
			return NULL;
		if (e->hash == h && e->klen == klen &&
		    memcmp(e->key, key, klen) == 0)
			return e;
	}
}

void *
hmap_get(const struct hmap *m, const void *key, size_t klen)
{
	struct hmap_ent *e = find(m, hmap_hash(key, klen), key, klen);

	return e != NULL ? e->val : NULL;
}

static void
insert_new(struct hmap *m, const struct hmap_ent *src)
{
	size_t i;

	for (i = src->hash & (m->cap - 1); m->tab[i].hash != 0;
	    i = (i + 1) & (m->cap - 1))
		;
	m->tab[i] = *src;
}

static void
resize(struct hmap *m, size_t cap)
{
	struct hmap_ent *old = m->tab;
	size_t i, oldcap = m->cap;

	m->cap = cap;
	m->tab = xcalloc(m->cap, sizeof(*m->tab));
	for (i = 0; i < oldcap; i++)
		if (old[i].hash != 0)
			insert_new(m, &old[i]);
	free(old);
}

static void
grow(struct hmap *m)
{
	resize(m, m->cap == 0 ? 16 : m->cap * 2);
}

void *
hmap_put(struct hmap *m, const void *key, size_t klen, void *val)
{
	struct hmap_ent ne, *e;
	uint64_t h = hmap_hash(key, klen);
	void *old;

	if ((e = find(m, h, key, klen)) != NULL) {
		old = e->val;
		e->val = val;
		e->key = key;	/* the new value owns the key now */
		return old;
	}
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	ne.hash = h;
	ne.key = key;
	ne.klen = klen;
	ne.val = val;
	insert_new(m, &ne);
	m->n++;
	return NULL;
}

void *
hmap_del(struct hmap *m, const void *key, size_t klen)
{
	struct hmap_ent *e = find(m, hmap_hash(key, klen), key, klen);
	size_t i, j, home, mask;
	void *val;

	if (e == NULL)
		return NULL;
	val = e->val;
	mask = m->cap - 1;
	i = (size_t)(e - m->tab);
	/*
	 * Backward shift: move each following entry into the hole unless
	 * its home slot lies cyclically in (hole, entry].
	 */
	for (j = (i + 1) & mask; m->tab[j].hash != 0; j = (j + 1) & mask) {
		home = m->tab[j].hash & mask;
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		m->tab[i] = m->tab[j];
		i = j;
	}
	memset(&m->tab[i], 0, sizeof(m->tab[i]));
	m->n--;
	/* Shrink when mostly empty, so iteration stays O(entries). */
	if (m->cap > 64 && m->n * 8 < m->cap)
		resize(m, m->cap / 2);
	return val;
}

void *
hmap_next(const struct hmap *m, size_t *it)
{
	while (*it < m->cap) {
		struct hmap_ent *e = &m->tab[(*it)++];

		if (e->hash != 0)
			return e->val;
	}
	return NULL;
}
