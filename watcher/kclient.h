/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Kubernetes API client: common/http plus the server URL, the bearer
 * token (re-read from its file every 60 s and after a 401, because bound
 * service-account tokens rotate) and the parsing of Status error bodies.
 * Informers, the writer, events and leader election all go through it.
 */
#ifndef EIP_KCLIENT_H
#define EIP_KCLIENT_H

#include <stddef.h>

#include <jansson.h>

struct event_base;
struct eip_kubeconf;
struct eip_kclient;
struct eip_kreq;

struct eip_kresp {
	long		 status;	/* 0: no HTTP response */
	const char	*error;		/* transport error, or NULL */
	int		 tls_error;
	long		 retry_after_s;	/* -1 if none */
	const char	*body;
	size_t		 body_len;
	json_t		*json;		/* body parsed, or NULL */
	const char	*reason;	/* Status.reason, or "" */
	const char	*message;	/* Status.message, or a summary */
};

typedef void	(*eip_kdone_cb)(const struct eip_kresp *, void *arg);
typedef int	(*eip_kline_cb)(const char *line, size_t len, void *arg);

struct eip_kclient *kclient_new(struct event_base *,
		    const struct eip_kubeconf *, double qps, int burst,
		    char *err, size_t errlen);
void		 kclient_free(struct eip_kclient *);
/*
 * method and path (with its query); content_type and body may be NULL.
 * on_line makes it a streamed (watch) request.
 */
struct eip_kreq	*kclient_request(struct eip_kclient *, const char *method,
		    const char *path, const char *content_type, const char *body,
		    long timeout_ms, eip_kline_cb on_line, eip_kdone_cb on_done,
		    void *arg);
/*
 * The same for writes and what they need (no streaming): at most a few
 * are in flight at once (KC_BULK_MAX), the rest wait in order
 * without holding a connection, a rate-limiter token or libcurl memory,
 * so a burst of thousands of writes neither opens thousands of
 * connections nor delays the informers' and the Lease's requests.
 * A request's timeout starts when it leaves the queue.
 */
struct eip_kreq	*kclient_request_bulk(struct eip_kclient *, const char *method,
		    const char *path, const char *content_type, const char *body,
		    long timeout_ms, eip_kdone_cb on_done, void *arg);
void		 kclient_cancel(struct eip_kreq *);
/* Re-reads the token file now; 0 if a token is held afterwards. */
int		 kclient_reload_token(struct eip_kclient *);
const char	*kclient_server(const struct eip_kclient *);
unsigned long	 kclient_requests(const struct eip_kclient *);
/* [{"verb","code","count"}] of every request so far (code 0: no answer). */
json_t		*kclient_counters(const struct eip_kclient *);

/* Percent-encodes a query value (continue tokens, selectors). */
void		 kclient_escape(const char *in, char *out, size_t outlen);
/* Whether s is a valid object name to put in a path (DNS subdomain). */
int		 kclient_name_ok(const char *s);

#endif
