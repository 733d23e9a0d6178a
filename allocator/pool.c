/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-CIDR free-address structure (see pool.h).  Dense pools keep one
 * flag byte per address, a bitmap of free addresses and a Fenwick tree
 * of free counts per 64-bit word, so "the k-th free address" is a
 * descent of log2(words) steps plus a select inside one word.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "xmalloc.h"

struct sparse_ent {
	u128		off;		/* the key: 16 bytes */
	unsigned	flags;
};

void
pool_usable_range(const struct eip_cidr *c, u128 *lo, u128 *n)
{
	u128 last = cidr_last_offset(c);	/* size - 1 */

	if (c->net.family == 4) {
		/* RFC 3021: a /31 has two usable addresses, a /32 one. */
		if (c->len >= 31) {
			*lo = 0;
			*n = last + 1;
		} else {
			*lo = 1;		/* network */
			*n = last - 1;		/* minus network and broadcast */
		}
		return;
	}
	/*
	 * IPv6: /127 (RFC 6164) and /128 use every address.  Otherwise the
	 * first address is the Subnet-Router anycast (RFC 4291 2.6.1), and in
	 * a /64 or shorter the highest 128 are the reserved subnet anycast
	 * addresses of RFC 2526.
	 */
	if (c->len >= 127) {
		*lo = 0;
		*n = last + 1;
	} else if (c->len <= 64) {
		*lo = 1;
		*n = last - 128;	/* last + 1 - 1 - 128 */
	} else {
		*lo = 1;
		*n = last;
	}
}

struct eip_pool *
pool_new_limit(const struct eip_cidr *c, u128 dense_max)
{
	struct eip_pool *p = xcalloc(1, sizeof(*p));
	size_t i, w;

	p->cidr = *c;
	pool_usable_range(c, &p->lo, &p->n);
	p->nfree = p->n;
	hmap_init(&p->taken);
	if (p->n > dense_max)
		return p;
	p->dense = 1;
	p->nwords = (size_t)((p->n + 63) / 64);
	p->flags = xcalloc((size_t)p->n, 1);
	p->bits = xcalloc(p->nwords, sizeof(*p->bits));
	p->fen = xcalloc(p->nwords + 1, sizeof(*p->fen));
	for (w = 0; w < p->nwords; w++) {
		size_t nb = (w + 1) * 64 <= p->n ? 64 : (size_t)(p->n - w * 64);

		p->bits[w] = nb == 64 ? ~0ULL : ((1ULL << nb) - 1);
		/* Linear-time Fenwick build: push each node into its parent. */
		p->fen[w + 1] += (uint32_t)nb;
		i = (w + 1) + ((w + 1) & -(w + 1));
		if (i <= p->nwords)
			p->fen[i] += p->fen[w + 1];
	}
	return p;
}

struct eip_pool *
pool_new(const struct eip_cidr *c)
{
	return pool_new_limit(c, POOL_DENSE_MAX);
}

void
pool_free(struct eip_pool *p)
{
	size_t it = 0;
	void *v;

	if (p == NULL)
		return;
	while ((v = hmap_next(&p->taken, &it)) != NULL)
		free(v);
	hmap_clear(&p->taken);
	free(p->flags);
	free(p->bits);
	free(p->fen);
	free(p);
}

/* The index of ip in the usable range; 1 if static, -1 if outside. */
static int
index_of(const struct eip_pool *p, const struct eip_ip *ip, u128 *idx)
{
	u128 off;

	if (cidr_offset(&p->cidr, ip, &off) == -1)
		return -1;
	if (off < p->lo || off - p->lo >= p->n)
		return 1;
	*idx = off - p->lo;
	return 0;
}

static void
fen_add(struct eip_pool *p, size_t w, int delta)
{
	size_t i;

	for (i = w + 1; i <= p->nwords; i += i & -i)
		p->fen[i] += (uint32_t)delta;
}

static unsigned
get_flags(const struct eip_pool *p, u128 idx)
{
	struct sparse_ent *e;

	if (p->dense)
		return p->flags[(size_t)idx];
	e = hmap_get(&p->taken, &idx, sizeof(idx));
	return e != NULL ? e->flags : 0;
}

static void
set_flags(struct eip_pool *p, u128 idx, unsigned old, unsigned nf)
{
	struct sparse_ent *e;
	size_t w;
	unsigned b;

	for (b = 0; b < POOL_NBITS; b++) {
		if ((old & (1u << b)) && !(nf & (1u << b)))
			p->count[b]--;
		else if (!(old & (1u << b)) && (nf & (1u << b)))
			p->count[b]++;
	}
	if (old == 0 && nf != 0)
		p->nfree--;
	else if (old != 0 && nf == 0)
		p->nfree++;
	if (p->dense) {
		w = (size_t)(idx / 64);
		p->flags[(size_t)idx] = (uint8_t)nf;
		if (old == 0 && nf != 0) {
			p->bits[w] &= ~(1ULL << (idx % 64));
			fen_add(p, w, -1);
		} else if (old != 0 && nf == 0) {
			p->bits[w] |= 1ULL << (idx % 64);
			fen_add(p, w, 1);
		}
		return;
	}
	if (old == 0 && nf != 0) {
		e = xmalloc(sizeof(*e));
		e->off = idx;
		e->flags = nf;
		hmap_put(&p->taken, &e->off, sizeof(e->off), e);
	} else if (nf == 0) {
		free(hmap_del(&p->taken, &idx, sizeof(idx)));
	} else {
		e = hmap_get(&p->taken, &idx, sizeof(idx));
		e->flags = nf;
	}
}

int
pool_mark(struct eip_pool *p, const struct eip_ip *ip, unsigned bit)
{
	unsigned old;
	u128 idx;
	int r;

	if ((r = index_of(p, ip, &idx)) != 0)
		return r == 1 ? 0 : -1;
	old = get_flags(p, idx);
	if ((old | bit) != old)
		set_flags(p, idx, old, old | bit);
	return 0;
}

int
pool_unmark(struct eip_pool *p, const struct eip_ip *ip, unsigned bit)
{
	unsigned old;
	u128 idx;
	int r;

	if ((r = index_of(p, ip, &idx)) != 0)
		return r == 1 ? 0 : -1;
	old = get_flags(p, idx);
	if ((old & ~bit) != old)
		set_flags(p, idx, old, old & ~bit);
	return 0;
}

int
pool_flags(const struct eip_pool *p, const struct eip_ip *ip)
{
	u128 idx;
	int r;

	if ((r = index_of(p, ip, &idx)) != 0)
		return r == 1 ? (int)POOL_STATIC : -1;
	return (int)get_flags(p, idx);
}

int
pool_contains(const struct eip_pool *p, const struct eip_ip *ip)
{
	return cidr_contains(&p->cidr, ip);
}

/* The position of the k-th (0-based) set bit of x; k < popcount(x). */
static unsigned
select_in_word(uint64_t x, unsigned k)
{
	unsigned pos = 0, c;

	/* Skip whole bytes first, then bits. */
	for (;;) {
		c = (unsigned)__builtin_popcountll(x & 0xff);
		if (k < c)
			break;
		k -= c;
		x >>= 8;
		pos += 8;
	}
	for (;; pos++, x >>= 1) {
		if ((x & 1) && k-- == 0)
			return pos;
	}
}

/* The k-th free address (0-based) of a dense pool. */
static u128
dense_select(const struct eip_pool *p, u128 k)
{
	size_t pos = 0, step = 1;
	uint32_t kk = (uint32_t)k;

	while (step * 2 <= p->nwords)
		step *= 2;
	for (; step > 0; step /= 2) {
		if (pos + step <= p->nwords && p->fen[pos + step] <= kk) {
			pos += step;
			kk -= p->fen[pos];
		}
	}
	/* Word `pos` (0-based) holds the answer. */
	return (u128)pos * 64 + select_in_word(p->bits[pos], kk);
}

static int
is_free_idx(const struct eip_pool *p, u128 idx)
{
	if (p->dense)
		return (p->bits[(size_t)(idx / 64)] >> (idx % 64)) & 1;
	return hmap_get(&p->taken, &idx, sizeof(idx)) == NULL;
}

int
pool_pick(struct eip_pool *p, enum pool_sel sel, struct eip_rng *rng,
    struct eip_ip *out)
{
	u128 idx;
	int i;

	if (p->nfree == 0) {
		errno = ENOSPC;
		return -1;
	}
	if (sel == POOL_SEL_LOWEST) {
		if (p->dense)
			idx = dense_select(p, 0);
		else
			for (idx = 0; !is_free_idx(p, idx); idx++)
				;
		goto found;
	}
	/*
	 * Uniform probes first: while the pool is not nearly full one of
	 * them hits.  Rejection keeps the choice uniform over free addresses,
	 * and so does the fallback, so the mix is uniform too.
	 */
	for (i = 0; i < (p->dense ? 4 : 64); i++) {
		idx = rng_below128(rng, p->n);
		if (is_free_idx(p, idx))
			goto found;
	}
	if (p->dense) {
		idx = dense_select(p, rng_below128(rng, p->nfree));
		goto found;
	}
	/*
	 * A sparse pool that failed 64 probes is almost entirely taken,
	 * which needs millions of entries: walk from a random start.
	 */
	idx = rng_below128(rng, p->n);
	while (!is_free_idx(p, idx))
		idx = idx + 1 == p->n ? 0 : idx + 1;
found:
	return cidr_nth(&p->cidr, p->lo + idx, out);
}

u128
pool_size(const struct eip_pool *p)
{
	u128 s;

	cidr_size(&p->cidr, &s);
	return s;
}

u128
pool_nfree(const struct eip_pool *p)
{
	return p->nfree;
}

size_t
pool_count(const struct eip_pool *p, unsigned bit)
{
	unsigned b;

	for (b = 0; b < POOL_NBITS; b++)
		if (bit == (1u << b))
			return p->count[b];
	return 0;
}

u128
pool_nreserved(const struct eip_pool *p)
{
	return pool_size(p) - p->nfree - p->count[3];
}
