/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exponential backoff with jitter, as client-go's reflector and workqueue
 * use it: each failure doubles the base delay up to a cap, a random share
 * of the base is added, and a long quiet spell resets it.  Pure logic: the
 * caller passes the clock and the random number, so tests are exact.
 */
#ifndef EIP_BACKOFF_H
#define EIP_BACKOFF_H

#include <stdint.h>

struct eip_backoff {
	uint64_t	initial_ms;
	uint64_t	max_ms;
	uint64_t	reset_ms;	/* quiet time that resets; 0 = never */
	double		jitter;		/* added share of the base, 0..1 */
	uint64_t	base_ms;	/* delay before jitter; 0 = fresh */
	uint64_t	last_ms;	/* time of the last failure */
};

void	 backoff_init(struct eip_backoff *, uint64_t initial_ms,
	    uint64_t max_ms, uint64_t reset_ms, double jitter);
/* A failure at now_ms: returns the delay to wait; u is uniform in [0,1). */
uint64_t backoff_next(struct eip_backoff *, uint64_t now_ms, double u);
void	 backoff_reset(struct eip_backoff *);
/* Uniform random number in [0,1) from the OS CSPRNG (not for tests). */
double	 backoff_rand(void);

#endif
