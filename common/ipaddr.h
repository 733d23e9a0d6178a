/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IPv4 and IPv6 addresses and CIDRs as 128-bit integers: strict parsing,
 * containment, masked network, broadcast (last address), size, nth address
 * and offset.  Pure functions, no I/O; the allocator and every parser of
 * outside input use them.
 */
#ifndef EIP_IPADDR_H
#define EIP_IPADDR_H

#include <stddef.h>
#include <stdint.h>

typedef unsigned __int128 u128;

struct eip_ip {
	uint8_t		family;		/* 4 or 6 */
	u128		v;		/* IPv4 in the low 32 bits */
};

struct eip_cidr {
	struct eip_ip	addr;		/* as written, host bits kept */
	struct eip_ip	net;		/* masked network address */
	uint8_t		len;		/* prefix length */
};

#define IP_STRLEN	46		/* INET6_ADDRSTRLEN */
#define CIDR_STRLEN	(IP_STRLEN + 4)

int	 ip_parse(const char *, struct eip_ip *);
int	 ip_parsen(const char *, size_t, struct eip_ip *);
char	*ip_format(const struct eip_ip *, char *, size_t);
int	 ip_cmp(const struct eip_ip *, const struct eip_ip *);
int	 ip_equal(const struct eip_ip *, const struct eip_ip *);
unsigned ip_bits(const struct eip_ip *);

int	 cidr_parse(const char *, struct eip_cidr *);
char	*cidr_format(const struct eip_cidr *, char *, size_t);
int	 cidr_contains(const struct eip_cidr *, const struct eip_ip *);
int	 cidr_overlaps(const struct eip_cidr *, const struct eip_cidr *);
void	 cidr_network(const struct eip_cidr *, struct eip_ip *);
void	 cidr_broadcast(const struct eip_cidr *, struct eip_ip *);
/* Number of addresses minus one: exact even for ::/0. */
u128	 cidr_last_offset(const struct eip_cidr *);
/* Number of addresses; saturates at UINT128 max for ::/0 (returns -1 then). */
int	 cidr_size(const struct eip_cidr *, u128 *);
int	 cidr_nth(const struct eip_cidr *, u128, struct eip_ip *);
int	 cidr_offset(const struct eip_cidr *, const struct eip_ip *, u128 *);
int	 cidr_equal(const struct eip_cidr *, const struct eip_cidr *);

/* Decimal formatting of a 128-bit count. */
char	*u128_format(u128, char *, size_t);

#endif
