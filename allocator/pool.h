/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The free addresses of one CIDR.  Every address carries a set of reasons
 * why it is taken (reserved, a node's IP, the cloud, held by a namespace,
 * seen on a cluster object); it is free when the set is empty.  Network,
 * broadcast and anycast addresses are excluded by range and never stored.
 * Picks are "random free address" in O(1) expected time (a few uniform
 * probes, then rank/select over a Fenwick tree of free counts, so a pool
 * that is 99.9% full is as fast as an empty one) or "lowest free".
 * Ranges above POOL_DENSE_MAX addresses (large IPv6) keep only the taken
 * addresses, in a hash map.  Pure logic, no I/O.
 */
#ifndef EIP_POOL_H
#define EIP_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "hmap.h"
#include "ipaddr.h"
#include "rng.h"

#define POOL_RESERVED	0x01u	/* spec reservedIPs */
#define POOL_NODE	0x02u	/* a node's primary IP */
#define POOL_CLOUD	0x04u	/* cloud-reserved, or in use in the cloud subnet */
#define POOL_HELD	0x08u	/* bound to a namespace */
#define POOL_SEEN	0x10u	/* carried by a cluster object (in use) */
#define POOL_STATIC	0x80u	/* network/broadcast/anycast: never stored */
#define POOL_NBITS	5

#define POOL_DENSE_MAX	((u128)1 << 22)

enum pool_sel {
	POOL_SEL_RANDOM = 0,
	POOL_SEL_LOWEST,
};

struct eip_pool {
	struct eip_cidr	 cidr;
	u128		 lo;		/* first usable offset in the CIDR */
	u128		 n;		/* usable addresses: offsets lo..lo+n-1 */
	u128		 nfree;
	size_t		 count[POOL_NBITS];	/* addresses having each bit */
	int		 dense;
	/* dense */
	uint8_t		*flags;
	uint64_t	*bits;		/* 1 = free */
	uint32_t	*fen;		/* Fenwick tree of free bits per word */
	size_t		 nwords;
	/* sparse */
	struct hmap	 taken;
};

/* The usable range of a CIDR (see doc/ALLOCATOR.md "Addresses never used"). */
void	 pool_usable_range(const struct eip_cidr *, u128 *lo, u128 *n);
struct eip_pool *pool_new(const struct eip_cidr *);
struct eip_pool *pool_new_limit(const struct eip_cidr *, u128 dense_max);
void	 pool_free(struct eip_pool *);

/* 0 when ip is in the CIDR (the bit is set or cleared), -1 otherwise. */
int	 pool_mark(struct eip_pool *, const struct eip_ip *, unsigned bit);
int	 pool_unmark(struct eip_pool *, const struct eip_ip *, unsigned bit);
/* The reasons ip is taken; 0 = free; POOL_STATIC; -1 if outside. */
int	 pool_flags(const struct eip_pool *, const struct eip_ip *);
int	 pool_contains(const struct eip_pool *, const struct eip_ip *);

/* A free address, or -1 (ENOSPC) when there is none.  Does not mark it. */
int	 pool_pick(struct eip_pool *, enum pool_sel, struct eip_rng *,
	    struct eip_ip *);

u128	 pool_size(const struct eip_pool *);	/* all addresses of the CIDR */
u128	 pool_nfree(const struct eip_pool *);
size_t	 pool_count(const struct eip_pool *, unsigned bit);
/* Addresses that are neither free nor held: static plus other reasons. */
u128	 pool_nreserved(const struct eip_pool *);

#endif
