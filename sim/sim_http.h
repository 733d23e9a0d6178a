/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulator's transport-neutral request and response: the HTTP server
 * (sim/eipam-sim.c, on libevent) turns each request into a sim_req, hands
 * it to a service (Kubernetes, EC2/STS, Azure ARM/AAD, control API) and
 * sends back the sim_resp.  Services stay testable without sockets.
 */
#ifndef EIP_SIM_HTTP_H
#define EIP_SIM_HTTP_H

#include <stddef.h>

#define SIM_RESP_MAX_HEADERS	16

struct sim_req {
	const char	*method;	/* "GET", "POST", ... */
	const char	*path;		/* decoded path, no query */
	const char	*query;		/* raw query string or NULL */
	const char	*body;		/* not NUL-terminated */
	size_t		 body_len;
	/* Returns a request header's value (case-insensitive) or NULL. */
	const char	*(*header)(const struct sim_req *, const char *);
	void		*hctx;		/* for header() */
	const char	*host;		/* Host header as sent */
};

struct sim_resp_header {
	char		*name;
	char		*value;
};

struct sim_resp {
	int			 code;		/* HTTP status */
	char			*body;		/* malloc'ed, may be NULL */
	size_t			 body_len;
	char			*content_type;	/* malloc'ed */
	struct sim_resp_header	 headers[SIM_RESP_MAX_HEADERS];
	int			 nheaders;
	/*
	 * Fault injection (added latency): the server holds the response
	 * this many milliseconds before sending it.  0 = send at once.
	 */
	unsigned		 delay_ms;
};

/* Helpers (sim/sim_http.c). */
void	sim_resp_set(struct sim_resp *, int code, const char *ctype,
	    char *body /* taken */, size_t len);
void	sim_resp_header(struct sim_resp *, const char *, const char *);
void	sim_resp_clear(struct sim_resp *);

#endif
