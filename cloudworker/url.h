/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Endpoint URLs of the cloud APIs: split into origin, host and path for
 * signing and request building, and the check that a URL the cloud hands
 * back (ARM nextLink, Azure-AsyncOperation) stays on the configured
 * origin, so a bearer token is never sent anywhere else.  Pure.
 */
#ifndef EIP_CLOUD_URL_H
#define EIP_CLOUD_URL_H

#include <stddef.h>

struct cw_url {
	char	origin[512];	/* "https://host[:port]" */
	char	host[512];	/* "host[:port]", as the Host header */
	char	path[1024];	/* "/..." (at least "/") */
};

/* https:// URLs only, no userinfo, query or fragment; 0 or -1. */
int	 cw_url_parse(const char *, struct cw_url *, char *err, size_t errlen);
/* url starts with origin followed by '/' or '?' or ends there. */
int	 cw_url_same_origin(const char *url, const char *origin);
/* base without trailing '/' + path ("/subscriptions/..."), malloc'ed. */
char	*cw_url_join(const char *base, const char *path);

#endif
