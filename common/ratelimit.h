/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A token bucket (qps, burst) as client-go's client-side rate limiter:
 * a request reserves a token and learns how long to wait for it.  Pure
 * logic with the clock passed in; the HTTP client and the cloudworker
 * schedule their requests with it.
 */
#ifndef EIP_RATELIMIT_H
#define EIP_RATELIMIT_H

#include <stdint.h>

struct eip_ratelimit {
	double		qps;		/* <= 0: unlimited */
	double		burst;
	double		tokens;		/* may go negative: reserved ahead */
	uint64_t	last_ms;
};

void	 ratelimit_init(struct eip_ratelimit *, double qps, int burst,
	    uint64_t now_ms);
/* Reserves one token; returns how many ms the caller must wait first. */
uint64_t ratelimit_reserve(struct eip_ratelimit *, uint64_t now_ms);

#endif
