/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exponential backoff with jitter (see backoff.h).  Used by the watcher's
 * informers and writes and by the cloudworker's API calls.
 */
#include <stdint.h>
#include <sys/random.h>

#include "backoff.h"

void
backoff_init(struct eip_backoff *b, uint64_t initial_ms, uint64_t max_ms,
    uint64_t reset_ms, double jitter)
{
	b->initial_ms = initial_ms > 0 ? initial_ms : 1;
	b->max_ms = max_ms >= b->initial_ms ? max_ms : b->initial_ms;
	b->reset_ms = reset_ms;
	b->jitter = jitter < 0 ? 0 : (jitter > 1 ? 1 : jitter);
	b->base_ms = 0;
	b->last_ms = 0;
}

uint64_t
backoff_next(struct eip_backoff *b, uint64_t now_ms, double u)
{
	/* After a quiet spell the next failure starts from the beginning. */
	if (b->base_ms != 0 && b->reset_ms != 0 && now_ms >= b->last_ms &&
	    now_ms - b->last_ms >= b->reset_ms)
		b->base_ms = 0;
	if (b->base_ms == 0)
		b->base_ms = b->initial_ms;
	else if (b->base_ms >= b->max_ms / 2)
		b->base_ms = b->max_ms;
	else
		b->base_ms *= 2;
	b->last_ms = now_ms;
	if (u < 0 || u >= 1)
		u = 0;
	return b->base_ms + (uint64_t)((double)b->base_ms * b->jitter * u);
}

void
backoff_reset(struct eip_backoff *b)
{
	b->base_ms = 0;
}

double
backoff_rand(void)
{
	uint32_t r = 0;

	/* getrandom on a tiny buffer does not block once the pool is up. */
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return 0.5;
	return (double)r / 4294967296.0;
}
