/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Azure client of the cloudworker: ARM with AAD tokens (client secret
 * or workload identity), DISCOVER and ENSURE (see cw.h), long-running
 * operations followed to their end.
 */
#ifndef EIP_CLOUD_AZURE_H
#define EIP_CLOUD_AZURE_H

#include <stddef.h>
#include <jansson.h>

struct cw;
struct cw_config;
struct cw_provider;

int	 azure_provider_new(struct cw *, const struct cw_config *,
	    const json_t *cloud_config, struct cw_provider *, char *err,
	    size_t errlen);

#endif
