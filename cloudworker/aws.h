/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AWS client of the cloudworker: EC2 over the Query API signed with
 * SigV4, static keys or STS web identity (temporary credentials refreshed
 * before they expire), DISCOVER and ENSURE (see cw.h).
 */
#ifndef EIP_CLOUD_AWS_H
#define EIP_CLOUD_AWS_H

#include <stddef.h>
#include <jansson.h>

struct cw;
struct cw_config;
struct cw_provider;

int	 aws_provider_new(struct cw *, const struct cw_config *,
	    const json_t *cloud_config, struct cw_provider *, char *err,
	    size_t errlen);

#endif
