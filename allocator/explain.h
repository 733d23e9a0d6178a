/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Questions people ask a running allocator (eipamctl explain and plan).
 * Both only read the model: explain says why a namespace, an IP or a node
 * has or lacks what it has; plan says what applying an EgressIPAM would
 * change, computed from the model's state, written nowhere.
 */
#ifndef EIP_EXPLAIN_H
#define EIP_EXPLAIN_H

#include <stddef.h>
#include <jansson.h>

struct eip_model;

/* what: "namespace", "ip" or "node".  Result: {"lines": [...], ...}. */
json_t	*model_explain(struct eip_model *, const char *what,
	    const char *name, char *err, size_t errlen);
/* obj: an EgressIPAM object (apiVersion, kind, metadata.name, spec). */
json_t	*model_plan(struct eip_model *, const json_t *obj, char *err,
	    size_t errlen);

#endif
