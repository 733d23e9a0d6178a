/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metav1.LabelSelector: matchLabels and matchExpressions (In, NotIn,
 * Exists, DoesNotExist), parsed from a normalized EgressIPAM spec and
 * matched against a node's labels (a JSON object of strings).  An empty
 * selector matches every node, as in Kubernetes.
 */
#ifndef EIP_SELECTOR_H
#define EIP_SELECTOR_H

#include <stddef.h>

#include <jansson.h>

#include "issue.h"

enum sel_op {
	SEL_IN = 0,
	SEL_NOTIN,
	SEL_EXISTS,
	SEL_DOESNOTEXIST,
};

struct sel_req {
	char		*key;
	enum sel_op	 op;
	char		**values;
	size_t		 nvalues;
};

struct eip_selector {
	struct sel_req	*reqs;
	size_t		 n;
};

/* Adds errors to issues under `field`; returns -1 if any was found. */
int	 selector_parse(const json_t *, const char *field,
	    struct eip_selector *, struct eip_issues *);
void	 selector_clear(struct eip_selector *);
int	 selector_match(const struct eip_selector *, const json_t *labels);
int	 selector_equal(const struct eip_selector *, const struct eip_selector *);

#endif
