/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An EgressIPAM as the allocator uses it: the spec parsed from the
 * watcher's normalized body and checked line by line (CIDRs, reservedIPs,
 * duplicate CIDRs and labelValues, overlaps inside the spec, topology
 * label, node selector), with every problem recorded with its field.
 * Checks across EgressIPAMs (overlapping CIDRs and node sets) are the
 * model's, since they need all of them.
 */
#ifndef EIP_SPEC_H
#define EIP_SPEC_H

#include <stddef.h>

#include <jansson.h>

#include "ipaddr.h"
#include "issue.h"
#include "selector.h"

#define EIP_FINALIZER		"egressip-ipam-operator.redhat-cop.io/cleanup"
#define EIP_FINALIZER_LEGACY	"EgressIPAM_controller"

enum lb_mode {
	LB_SAME_AS_PRIMARY = 0,
	LB_NONE,
};

struct eip_assign {
	char		*cidr_str;	/* as written */
	struct eip_cidr	 cidr;
	int		 ok;		/* cidr parsed */
	char		*label_value;
	struct eip_ip	*reserved;	/* parsed and inside the CIDR */
	size_t		 nreserved;
};

struct eip_spec {
	struct eip_assign *a;
	size_t		 n;
	char		*topology_label;	/* NULL when missing */
	struct eip_selector sel;
	enum lb_mode	 lb;
	struct eip_issues issues;	/* errors make the spec invalid */
};

/*
 * Parses spec (may be NULL) and the Azure load-balancer annotation value
 * (may be NULL).  Never fails: problems go to out->issues.
 */
void	 spec_parse(const json_t *spec, const char *azure_lb,
	    struct eip_spec *out);
void	 spec_clear(struct eip_spec *);
int	 spec_valid(const struct eip_spec *);
/* The index of the assignment whose CIDR equals c, or -1. */
int	 spec_find_cidr(const struct eip_spec *, const struct eip_cidr *);
/* The index of the assignment whose CIDR contains ip, or -1. */
int	 spec_cidr_of(const struct eip_spec *, const struct eip_ip *);
/* Does the node belong to the IPAM, and to which assignment (or -1)? */
int	 spec_selects(const struct eip_spec *, const json_t *labels);
int	 spec_assignment_of(const struct eip_spec *, const json_t *labels);
int	 spec_is_reserved(const struct eip_spec *, size_t i,
	    const struct eip_ip *);

#endif
