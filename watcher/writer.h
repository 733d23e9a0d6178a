/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes on the allocator's request: each W_* message becomes one API
 * request built here (merge patches with resourceVersion preconditions,
 * creates, deletes, status updates, Events, the CredentialsRequest), and
 * exactly one W_RESULT with the same correlation id comes back.
 *
 * Outcomes: 2xx ok.  409: the fresh object is read and sent (through the
 * informers) before the W_RESULT(ok=false, 409).  429, 5xx and transport
 * errors: retried with backoff honouring Retry-After, at most 6 tries.
 * 401 (after the kube client's token re-read) and 403: logged clearly and
 * retried with backoff until they succeed, so a read-only token loses no
 * write; the W_RESULT comes when the write is done.  Writes are refused
 * (ok=false, reason NotLeader) while the watcher does not lead.
 */
#ifndef EIP_WRITER_H
#define EIP_WRITER_H

#include <stdint.h>

#include <jansson.h>

struct event_base;
struct eip_kclient;
struct eip_informers;
struct eip_writer;

typedef void	(*eip_result_fn)(uint64_t corr, const json_t *body, void *arg);

struct eip_writer_opts {
	const char	*identity;	/* reportingInstance of Events */
	const char	*host;		/* source.host of Events */
	int		 max_tries;	/* 429/5xx; 0: 6 */
	int		 forbidden_max_ms;	/* 403 backoff cap; 0: 30 s */
};

struct eip_writer *writer_new(struct event_base *, struct eip_kclient *,
		    struct eip_informers *, const struct eip_writer_opts *,
		    eip_result_fn, void *arg);
void		 writer_free(struct eip_writer *);
void		 writer_set_leading(struct eip_writer *, int);
/* body was validated by the protocol decoder. */
void		 writer_submit(struct eip_writer *, uint16_t type, uint64_t corr,
		    const json_t *body);
unsigned	 writer_pending(const struct eip_writer *);
/*
 * Calls cb once every write submitted so far has finished (their results
 * are in the informer cache by then), or after WRITER_DRAIN_MS: the
 * watcher replays its cache to a restarted allocator only then, so that
 * the new allocator knows every address its predecessor's writes gave.
 */
#define WRITER_DRAIN_MS	5000
void		 writer_drain(struct eip_writer *, void (*cb)(void *), void *);

/*
 * Pure: the HTTP request for one write (method, path, content type, body
 * as JSON).  Events and the CredentialsRequest are multi-step and built
 * elsewhere.  Returns -1 with err for a request it cannot build.
 */
struct wreq {
	const char	*method;
	char		 path[1024];
	const char	*ctype;
	json_t		*body;		/* NULL for none */
	int		 kind;		/* enum wkind of the object, -1 none */
	char		 name[256];
};
int		 writer_build(uint16_t type, const json_t *msg, struct wreq *,
		    char *err, size_t errlen);

/* Pure builders used by the writer's multi-step writes (and tests). */
json_t		*credreq_object(const char *platform,
		    const char *secret_namespace);
json_t		*event_object(const json_t *msg, const char *name,
		    const char *component, const char *host,
		    const char *instance, const char *now);
/* MicroTime ("2006-01-02T15:04:05.000000Z") or Time (no fraction). */
void		 kube_time(char *buf, size_t len, int micro);

#endif
