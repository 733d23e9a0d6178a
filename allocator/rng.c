/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Random numbers (see rng.h).  getrandom() never fails on a Linux that
 * has finished booting except with EINTR, which is retried; any other
 * failure means the kernel cannot give us randomness, a setup failure.
 */
#include <sys/random.h>
#include <errno.h>
#include <string.h>

#include "log.h"
#include "rng.h"

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rng_init(struct eip_rng *r, uint64_t seed)
{
	int i;

	memset(r, 0, sizeof(*r));
	if (seed == 0)
		return;
	r->seeded = 1;
	for (i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static void
refill(struct eip_rng *r)
{
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(r->buf)) {
		n = getrandom((char *)r->buf + got, sizeof(r->buf) - got, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("getrandom");
		}
		got += (size_t)n;
	}
	r->left = sizeof(r->buf) / sizeof(r->buf[0]);
}

uint64_t
rng_u64(struct eip_rng *r)
{
	uint64_t res, t;

	if (!r->seeded) {
		if (r->left == 0)
			refill(r);
		return r->buf[--r->left];
	}
	res = rotl(r->s[1] * 5, 7) * 9;
	t = r->s[1] << 17;
	r->s[2] ^= r->s[0];
	r->s[3] ^= r->s[1];
	r->s[1] ^= r->s[2];
	r->s[0] ^= r->s[3];
	r->s[2] ^= t;
	r->s[3] = rotl(r->s[3], 45);
	return res;
}

uint64_t
rng_below(struct eip_rng *r, uint64_t n)
{
	uint64_t x, lim;

	if (n <= 1)
		return 0;
	/* Reject the top partial block so every residue is equally likely. */
	lim = UINT64_MAX - (UINT64_MAX % n + 1) % n;
	do
		x = rng_u64(r);
	while (x > lim);
	return x % n;
}

u128
rng_below128(struct eip_rng *r, u128 n)
{
	u128 mask, x;
	int bits = 0;

	if (n <= 1)
		return 0;
	if (n <= (u128)UINT64_MAX)
		return rng_below(r, (uint64_t)n);
	/* Mask to the bit length of n - 1 and reject: < 2 tries expected. */
	for (mask = n - 1; mask != 0; mask >>= 1)
		bits++;
	mask = bits == 128 ? ~(u128)0 : (((u128)1 << bits) - 1);
	do {
		x = ((u128)rng_u64(r) << 64) | rng_u64(r);
		x &= mask;
	} while (x >= n);
	return x;
}
