/* SPDX-License-Identifier: Apache-2.0 */
/*
 * When a cached credential (STS temporary keys, an AAD access token) may
 * still be used and when to fetch the next one: refresh ahead of expiry
 * (five minutes, or half the lifetime of a short one), keep using the old
 * one while a refresh fails, never use one within the safety margin of
 * its expiry.  Pure logic over wall-clock seconds passed in.
 */
#ifndef EIP_CLOUD_TOKCACHE_H
#define EIP_CLOUD_TOKCACHE_H

#include <time.h>

#define TOKCACHE_AHEAD_S	300	/* refresh this long before expiry */
#define TOKCACHE_MARGIN_S	30	/* never sign with less left */

struct eip_tokcache {
	int	valid;
	time_t	obtained;
	time_t	expires;
	time_t	refresh_at;
};

/* A new credential obtained at now, expiring at expires. */
void	 tokcache_set(struct eip_tokcache *, time_t now, time_t expires);
void	 tokcache_invalidate(struct eip_tokcache *);
/* It may be used for a request made now. */
int	 tokcache_usable(const struct eip_tokcache *, time_t now);
/* A refresh should start now (ahead of expiry, or it is not usable). */
int	 tokcache_due(const struct eip_tokcache *, time_t now);

#endif
