/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for struct sim_resp (sim_http.h): every service, Kubernetes or
 * cloud, fills a response through these, and the HTTP server in
 * eipam-sim.c sends it and then clears it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim_http.h"
#include "xmalloc.h"

void
sim_resp_set(struct sim_resp *r, int code, const char *ctype, char *body,
    size_t len)
{
	r->code = code;
	free(r->body);
	r->body = body;
	r->body_len = body != NULL ? len : 0;
	free(r->content_type);
	r->content_type = ctype != NULL ? xstrdup(ctype) : NULL;
}

/*
 * Adds a header, replacing one of the same name (case-insensitive), so a
 * service can set Retry-After twice without sending it twice.  Headers
 * beyond SIM_RESP_MAX_HEADERS are dropped: the table is sized for every
 * response the simulator produces.
 */
void
sim_resp_header(struct sim_resp *r, const char *name, const char *value)
{
	int i;

	for (i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->headers[i].name, name) == 0) {
			free(r->headers[i].value);
			r->headers[i].value = xstrdup(value);
			return;
		}
	}
	if (r->nheaders >= SIM_RESP_MAX_HEADERS)
		return;
	r->headers[r->nheaders].name = xstrdup(name);
	r->headers[r->nheaders].value = xstrdup(value);
	r->nheaders++;
}

void
sim_resp_clear(struct sim_resp *r)
{
	int i;

	free(r->body);
	free(r->content_type);
	for (i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	memset(r, 0, sizeof(*r));
}
