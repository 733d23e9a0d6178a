/* SPDX-License-Identifier: Apache-2.0 */
/* Refresh timing of cached cloud credentials (see tokcache.h). */
#include <string.h>

#include "tokcache.h"

void
tokcache_set(struct eip_tokcache *t, time_t now, time_t expires)
{
	time_t life = expires - now, ahead = TOKCACHE_AHEAD_S;

	/* A credential shorter than twice the lead is renewed at half life. */
	if (life < 2 * ahead)
		ahead = life / 2;
	t->valid = 1;
	t->obtained = now;
	t->expires = expires;
	t->refresh_at = expires - ahead;
}

void
tokcache_invalidate(struct eip_tokcache *t)
{
	memset(t, 0, sizeof(*t));
}

int
tokcache_usable(const struct eip_tokcache *t, time_t now)
{
	return t->valid && now < t->expires - TOKCACHE_MARGIN_S;
}

int
tokcache_due(const struct eip_tokcache *t, time_t now)
{
	return !tokcache_usable(t, now) || now >= t->refresh_at;
}
