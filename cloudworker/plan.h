/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ENSURE plan, the same for every cloud: from the addresses a NIC
 * carries now and the operator-owned addresses the allocator wants on
 * it, what to add and what to remove.  Only addresses inside the owned
 * CIDRs are ever touched; the primary and foreign secondaries stay and
 * count against the NIC's limit.  Pure logic.
 */
#ifndef EIP_CLOUD_PLAN_H
#define EIP_CLOUD_PLAN_H

#include <stddef.h>

#include "ipaddr.h"

struct ensure_input {
	const struct eip_ip	*current;	/* every address on the NIC */
	size_t			 ncurrent;
	const struct eip_ip	*primary;	/* NULL if unknown */
	const struct eip_cidr	*owned;
	size_t			 nowned;
	const struct eip_ip	*desired;
	size_t			 ndesired;
	int			 limit;		/* addresses per NIC with the
						   primary; <= 0: unknown */
};

struct ensure_plan {
	struct eip_ip	*add;		/* desired, absent, and room for it */
	size_t		 nadd;
	struct eip_ip	*remove;	/* owned, present, not desired */
	size_t		 nremove;
	struct eip_ip	*keep;		/* owned, present and desired */
	size_t		 nkeep;
	struct eip_ip	*no_room;	/* desired but beyond the limit */
	size_t		 nno_room;
	size_t		 nforeign;	/* secondaries outside the owned CIDRs */
	int		 capacity;	/* slots for owned addresses; -1 unknown */
};

/*
 * Returns 0, or -1 with the reason in err when the request itself is
 * wrong (a desired address outside the owned CIDRs, or the primary).
 * Desired addresses are taken in order: when the limit cuts, the first
 * ones listed get the room.
 */
int	 ensure_plan_make(const struct ensure_input *, struct ensure_plan *,
	    char *err, size_t errlen);
void	 ensure_plan_clear(struct ensure_plan *);

/* Is ip inside one of the CIDRs? */
int	 plan_owned(const struct eip_cidr *, size_t, const struct eip_ip *);
/* Secondaries (not the primary) outside the CIDRs. */
size_t	 plan_foreign(const struct eip_ip *, size_t, const struct eip_ip *primary,
	    const struct eip_cidr *, size_t);
/* Room for owned addresses: limit - primary - foreign, or -1. */
int	 plan_capacity(int limit, int has_primary, size_t nforeign);
int	 plan_has(const struct eip_ip *, size_t, const struct eip_ip *);
/*
 * The addresses of `among` that a cloud error message names ("Address
 * 10.0.1.5 is already in use ..."), so one bad address can be set aside
 * and the rest of a batch retried.  Returns how many; *out malloc'ed.
 */
size_t	 plan_ips_in_text(const char *, const struct eip_ip *among, size_t n,
	    struct eip_ip **out);

#endif
