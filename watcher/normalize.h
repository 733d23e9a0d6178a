/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reduces a Kubernetes API object to the OBJ_* body the allocator needs
 * (proto/schema.c).  Pure: JSON in, JSON out.  Raw API JSON never crosses
 * to the allocator; what cannot be parsed is reported in the body's
 * `error` field, never dropped and never a crash.
 */
#ifndef EIP_NORMALIZE_H
#define EIP_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum wkind {
	WK_NAMESPACE = 0,
	WK_NODE,
	WK_EGRESSIPAM,
	WK_HOSTSUBNET,
	WK_NETNAMESPACE,
	WK_EGRESSIP,
	WK_INFRASTRUCTURE,
	WK_NETWORK,
	WK_MAX
};

struct wkind_info {
	const char	*kind;		/* as in the protocol's e_kinds */
	const char	*group;		/* "" for the core group */
	const char	*version;
	const char	*resource;	/* plural */
	uint16_t	 msg;		/* OBJ_* message type */
	int		 only_cluster;	/* only the object named "cluster" */
};

const struct wkind_info *wkind_info(enum wkind);
int	 wkind_parse(const char *, enum wkind *);
/* API path of the collection, e.g. /apis/network.openshift.io/v1/hostsubnets. */
void	 wkind_path(enum wkind, char *, size_t);

/*
 * The OBJ_* body of obj, valid against the kind's schema, or NULL when the
 * object cannot even be named (no metadata.name or resourceVersion); err
 * then says why.
 */
json_t	*normalize_object(enum wkind, const json_t *obj, char *err,
	    size_t errlen);

#endif
