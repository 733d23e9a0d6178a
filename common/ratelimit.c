/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Token bucket (see ratelimit.h).  Reservations may drive the bucket
 * negative, so that queued callers are spaced 1/qps apart in order.
 */
#include <stdint.h>

#include "ratelimit.h"

void
ratelimit_init(struct eip_ratelimit *r, double qps, int burst,
    uint64_t now_ms)
{
	r->qps = qps;
	r->burst = burst > 0 ? burst : 1;
	r->tokens = r->burst;
	r->last_ms = now_ms;
}

uint64_t
ratelimit_reserve(struct eip_ratelimit *r, uint64_t now_ms)
{
	double need;
	uint64_t wait;

	if (r->qps <= 0)
		return 0;
	/* A clock that went backwards adds nothing rather than underflowing. */
	if (now_ms > r->last_ms) {
		r->tokens += (double)(now_ms - r->last_ms) * r->qps / 1000.0;
		if (r->tokens > r->burst)
			r->tokens = r->burst;
		r->last_ms = now_ms;
	}
	r->tokens -= 1.0;
	if (r->tokens >= 0)
		return 0;
	/* Round up, so a caller that waits this long finds its token. */
	need = -r->tokens * 1000.0 / r->qps;
	wait = (uint64_t)need;
	if ((double)wait < need)
		wait++;
	return wait;
}
