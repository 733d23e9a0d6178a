/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Randomness for the allocator: the OS CSPRNG (getrandom) in production,
 * or a seeded xoshiro256** stream so tests and benchmarks are repeatable.
 * Also the 128-bit "uniform below n" helper the address pools need.
 */
#ifndef EIP_RNG_H
#define EIP_RNG_H

#include <stdint.h>

#include "ipaddr.h"

struct eip_rng {
	int		 seeded;	/* 0: getrandom(), 1: xoshiro256** */
	uint64_t	 s[4];
	/* getrandom() is called in blocks to keep syscalls rare. */
	uint64_t	 buf[32];
	unsigned	 left;
};

/* seed 0 means "use the OS CSPRNG". */
void	 rng_init(struct eip_rng *, uint64_t seed);
uint64_t rng_u64(struct eip_rng *);
/* Uniform in [0, n); n > 0.  Unbiased (rejection sampling). */
uint64_t rng_below(struct eip_rng *, uint64_t n);
u128	 rng_below128(struct eip_rng *, u128 n);

#endif
