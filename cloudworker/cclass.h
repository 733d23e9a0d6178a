/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The error classes the cloudworker reports to the allocator
 * (CLOUD_ENSURED.class, CLOUD_DISCOVERED.nodes[].class), and the mapping
 * from what EC2, STS, ARM and AAD answer to them.  Pure functions.
 */
#ifndef EIP_CLOUD_CCLASS_H
#define EIP_CLOUD_CCLASS_H

enum cloud_class {
	CC_OK = 0,
	CC_LIMIT_EXCEEDED,	/* the NIC (or subnet) has no room */
	CC_ADDRESS_IN_USE,	/* another interface holds the address */
	CC_NOT_FOUND,		/* instance, VM or NIC is gone */
	CC_AUTH_FAILURE,	/* credentials refused or missing */
	CC_THROTTLED,		/* the API's rate limit, retries exhausted */
	CC_TRANSIENT,		/* network, 5xx, conflicts: try again */
	CC_INVALID,		/* the request cannot succeed as asked */
};

const char	*cloud_class_name(enum cloud_class);
/* Worth retrying in a moment (throttled, transient). */
int		 cloud_class_retryable(enum cloud_class);

/*
 * EC2 and STS: HTTP status (0 when none came back), error code and
 * message of the <Errors> or <ErrorResponse> body.
 */
enum cloud_class cloud_classify_aws(long status, const char *code,
		    const char *message);
/* ARM: HTTP status and error.code / error.message. */
enum cloud_class cloud_classify_arm(long status, const char *code,
		    const char *message);
/* AAD token endpoint: HTTP status and the OAuth "error" value. */
enum cloud_class cloud_classify_aad(long status, const char *error);

#endif
