/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cloudworker's engine, shared by the AWS and Azure clients: tasks
 * from the allocator (CLOUD_DISCOVER, CLOUD_ENSURE) and their replies,
 * one ENSURE at a time per node and independent nodes in parallel, and
 * cloud calls that pass a token bucket per API class, retry throttles and
 * transient failures with backoff and jitter, honour Retry-After, and
 * give up at the task's deadline.
 */
#ifndef EIP_CLOUD_CW_H
#define EIP_CLOUD_CW_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "backoff.h"
#include "cclass.h"
#include "ipaddr.h"
#include "ratelimit.h"

struct event_base;
struct event;
struct eip_http;
struct eip_http_resp;
struct eip_http_req;
struct cw;
struct cw_task;

/* API classes, each with its own token bucket (per account). */
enum cw_api {
	CW_API_EC2_DESCRIBE = 0,
	CW_API_EC2_MUTATE,
	CW_API_STS,
	CW_API_ARM_READ,
	CW_API_ARM_WRITE,
	CW_API_AAD,
	CW_API_MAX
};

/* One attempt's outcome, as a provider classified it. */
struct cw_resp {
	long			 status;	/* 0: no HTTP response */
	const char		*body;
	size_t			 body_len;
	const char		*transport;	/* transport error or NULL */
	long			 retry_after_s;
	const struct eip_http_resp *raw;	/* headers; valid in callbacks */
	enum cloud_class	 cls;
	char			 code[128];
	char			 message[512];
	int			 attempts;
	int			 gave_up;	/* retries cut by deadline/attempts */
	/*
	 * Set by a classifier for a wait that does not grow (another
	 * operation in progress): the retry comes after this long, bounded
	 * by the deadline only.
	 */
	uint64_t		 retry_in_ms;
};

struct cw_req_headers {
	char	*v[16];
	size_t	 n;
};

/* Before each attempt: add the headers (sign, bearer); -1 to abort. */
typedef int	(*cw_prepare_fn)(void *arg, struct cw_req_headers *,
		    char *err, size_t errlen);
/*
 * After each response: set rs->cls, code and message.  Returns 1 if a
 * retry may help (the engine still bounds it), 0 if not.
 */
typedef int	(*cw_classify_fn)(void *arg, struct cw_resp *);
typedef void	(*cw_done_fn)(void *arg, struct cw_resp *);

struct cw_callopts {
	enum cw_api	 api;
	const char	*action;	/* "ec2:DescribeInstances", for stats */
	const char	*method;
	const char	*url;
	const char	*body;		/* copied; wiped when freed */
	size_t		 body_len;
	uint64_t	 deadline_ms;	/* monotonic; 0: the engine default */
	int		 max_attempts;	/* 0: default */
	cw_prepare_fn	 prepare;
	cw_classify_fn	 classify;
	cw_done_fn	 done;
	void		*arg;
	struct cw_task	*task;		/* counts calls; may be NULL */
};

struct cw_call;

struct cw_call	*cw_call_start(struct cw *, const struct cw_callopts *);
/* Stops a call; done is not called. */
void		 cw_call_cancel(struct cw_call *);
void		 cw_headers_add(struct cw_req_headers *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* Providers: what the engine asks of AWS and Azure. */
struct cw_provider {
	const char	*name;
	void		(*discover)(void *, struct cw_task *);
	void		(*ensure)(void *, struct cw_task *);
	json_t		*(*dump)(void *);
	void		(*free)(void *);
	void		*arg;
};

struct cw_task {
	struct cw		*cw;
	uint16_t		 type;		/* EIP_MSG_CLOUD_DISCOVER|ENSURE */
	uint64_t		 corr;
	json_t			*req;
	char			*node;		/* ENSURE */
	uint64_t		 started_ms;
	uint64_t		 deadline_ms;
	unsigned		 calls;
	struct cw_task		*next;
	uint64_t		*extra_corr;	/* superseded ENSUREs answered too */
	size_t			 nextra;
};

/* Monotonic milliseconds. */
uint64_t	 cw_now_ms(void);
struct event_base *cw_base(struct cw *);
struct eip_http	*cw_http(struct cw *);
/* Counts an outcome of a cloud action (shown in dump and stats). */
void		 cw_stat(struct cw *, const char *action, const char *outcome);

/*
 * Ends a task with its reply body (taken).  ENSURE replies are built with
 * cw_ensure_reply().  The task is freed.
 */
void		 cw_task_done(struct cw_task *, json_t *reply);
json_t		*cw_ensure_reply(struct cw_task *, enum cloud_class,
		    const char *message, const struct eip_ip *, size_t nips,
		    int capacity);
/* A string for a reply, with every registered secret redacted. */
json_t		*cw_safe_string(const char *);

/* Parses a body's IP list / CIDR list (validated by the schema). */
size_t		 cw_json_ips(const json_t *, struct eip_ip **);
size_t		 cw_json_cidrs(const json_t *, struct eip_cidr **);
json_t		*cw_ips_json(const struct eip_ip *, size_t);

#endif
