/* SPDX-License-Identifier: Apache-2.0 */
/* Endpoint URLs (see url.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "url.h"
#include "xmalloc.h"

int
cw_url_parse(const char *url, struct cw_url *u, char *err, size_t errlen)
{
	const char *h, *slash;
	size_t hl;

	memset(u, 0, sizeof(*u));
	if (url == NULL || strncasecmp(url, "https://", 8) != 0) {
		snprintf(err, errlen, "endpoint %s is not an https:// URL",
		    url != NULL ? url : "(none)");
		return -1;
	}
	h = url + 8;
	slash = strchr(h, '/');
	hl = slash != NULL ? (size_t)(slash - h) : strlen(h);
	if (hl == 0 || hl >= sizeof(u->host) || memchr(h, '@', hl) != NULL ||
	    strpbrk(url, "?# \t\r\n") != NULL) {
		snprintf(err, errlen, "endpoint %s: host missing, or userinfo, "
		    "query or fragment given", url);
		return -1;
	}
	memcpy(u->host, h, hl);
	u->host[hl] = '\0';
	snprintf(u->origin, sizeof(u->origin), "https://%s", u->host);
	if (snprintf(u->path, sizeof(u->path), "%s", slash != NULL ? slash :
	    "/") >= (int)sizeof(u->path)) {
		snprintf(err, errlen, "endpoint path too long");
		return -1;
	}
	return 0;
}

int
cw_url_same_origin(const char *url, const char *origin)
{
	size_t n = strlen(origin);

	if (url == NULL || strncasecmp(url, origin, n) != 0)
		return 0;
	return url[n] == '\0' || url[n] == '/' || url[n] == '?';
}

char *
cw_url_join(const char *base, const char *path)
{
	size_t bl = strlen(base);
	char *s;

	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	xasprintf(&s, "%.*s%s%s", (int)bl, base, *path == '/' ? "" : "/",
	    path);
	return s;
}
