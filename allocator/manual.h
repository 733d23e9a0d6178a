/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The egressips annotation, "ip1,ip2": parsed strictly and checked
 * against the spec's CIDRs by position (SPEC 3).  A valid prefix (fewer
 * IPs than CIDRs, each in place) is accepted and extended by the caller.
 * Checks that depend on cluster state (reserved, node IP, held by another
 * namespace) are the model's.
 */
#ifndef EIP_MANUAL_H
#define EIP_MANUAL_H

#include <stddef.h>

#include "ipaddr.h"
#include "spec.h"

/* Splits and parses; -1 with a reason when an element is not an IP. */
int	 manual_parse(const char *annot, struct eip_ip **ips, size_t *n,
	    char *err, size_t errlen);
/*
 * Position check against the spec: -1 with a reason if there are more
 * IPs than CIDRs or IP i is not inside CIDR i.
 */
int	 manual_check(const struct eip_ip *ips, size_t n,
	    const struct eip_spec *, char *err, size_t errlen);
/* "ip1,ip2" of n IPs; NULL entries (family 0) end the list. */
char	*manual_format(const struct eip_ip *ips, size_t n);

#endif
