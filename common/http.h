/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shared HTTPS client of the watcher and the cloudworker: libcurl's
 * multi interface driven by a libevent loop.  HTTP/2 when the server offers
 * it (one multiplexed connection), else keep-alive HTTP/1.1 connections
 * that are reused.  TLS is always verified against a CA bundle held in
 * memory (loaded before the sandbox).  Requests pass a token bucket;
 * streamed responses (watches) are handed over line by line.
 */
#ifndef EIP_HTTP_H
#define EIP_HTTP_H

#include <stddef.h>

struct event_base;
struct eip_http;
struct eip_http_req;

struct eip_http_opts {
	const char	*ca_pem;	/* CA bundle, PEM; copied; required */
	size_t		 ca_len;
	double		 qps;		/* <= 0: unlimited */
	int		 burst;
	long		 connect_timeout_ms;	/* 0: 10 s */
	const char	*user_agent;
	const char	*resolve;	/* "host:port:addr" pinned, or NULL */
	int		 allow_http;	/* plain http:// too (IMDS); else https only */
};

struct eip_http_resp {
	long		 status;	/* HTTP status; 0 when none came */
	const char	*error;		/* transport error, or NULL */
	int		 tls_error;	/* the error is a TLS verification failure */
	int		 timed_out;
	const char	*body;		/* NUL-terminated, "" when empty */
	size_t		 body_len;
	long		 retry_after_s;	/* Retry-After in seconds, -1 if absent */
	int		 http_version;	/* 11 or 20 */
	const char	*headers;	/* the final response's header lines */
	size_t		 headers_len;
};

/* One complete line without its '\n'; return -1 to abort the request. */
typedef int	(*eip_http_line_cb)(const char *line, size_t len, void *arg);
/* Called exactly once per request unless it was cancelled. */
typedef void	(*eip_http_done_cb)(const struct eip_http_resp *, void *arg);

struct eip_http_reqopts {
	const char		*method;	/* GET POST PUT PATCH DELETE */
	const char		*url;
	const char *const	*headers;	/* NULL-terminated "Name: value" */
	const char		*body;		/* copied */
	size_t			 body_len;
	long			 timeout_ms;	/* whole request; 0: none */
	size_t			 max_body;	/* 0: 64 MiB */
	/*
	 * Streaming: a 2xx body is split into lines and handed to on_line
	 * as it arrives (never stored); other bodies are stored as usual.
	 */
	eip_http_line_cb	 on_line;
	size_t			 max_line;	/* 0: 16 MiB */
	eip_http_done_cb	 on_done;
	void			*arg;
};

struct eip_http	*http_new(struct event_base *, const struct eip_http_opts *,
		    char *err, size_t errlen);
void		 http_free(struct eip_http *);
/* Starts a request (after the rate limiter allows it); NULL on bad input. */
struct eip_http_req *http_request(struct eip_http *,
		    const struct eip_http_reqopts *);
/* Stops a request; its callbacks are not called again.  Safe anywhere. */
void		 http_cancel(struct eip_http_req *);
/* Would http_request take this method (and a body with it)? */
int		 http_method_ok(const char *method, const char *body);
/*
 * The value of response header `name` (case-insensitive, first one,
 * trimmed) into out; 0, or -1 when absent or longer than outlen.
 */
int		 http_resp_header(const struct eip_http_resp *, const char *name,
		    char *out, size_t outlen);
/* Requests started and currently outstanding, for stats and tests. */
unsigned long	 http_requests_total(const struct eip_http *);
unsigned	 http_outstanding(const struct eip_http *);
/* Connections libcurl opened so far (reuse keeps this low). */
long		 http_connects_total(const struct eip_http *);

#endif
