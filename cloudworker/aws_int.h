/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the AWS client shared by aws.c (credentials, STS, signed
 * requests) and aws_ops.c (DISCOVER and ENSURE).
 */
#ifndef EIP_CLOUD_AWS_INT_H
#define EIP_CLOUD_AWS_INT_H

#include "creds.h"
#include "cw.h"
#include "ec2.h"
#include "tokcache.h"
#include "url.h"

struct event;
struct aws;
struct aws_op;
struct aws_req;

typedef void	(*aws_req_cb)(struct aws_req *, struct cw_resp *);

/* One EC2 request of an operation. */
struct aws_req {
	struct aws	*aws;
	struct aws_op	*op;
	enum cw_api	 api;
	char		*action;	/* "DescribeInstances" */
	char		*body;
	aws_req_cb	 cb;
	void		*arg;
	int		 auth_retries;
	struct cw_call	*call;
	struct aws_req	*next;		/* the op's live requests */
	struct aws_req	*wnext;		/* waiting for credentials */
	int		 waiting;
	unsigned	 gen;		/* which exchange it waits for */
};

/* A DISCOVER or ENSURE in progress; the kind's state follows. */
struct aws_op {
	struct aws	*aws;
	struct cw_task	*task;
	struct aws_req	*reqs;
	struct aws_op	*next;
	void		(*free)(struct aws_op *);
};

struct aws {
	struct cw		*cw;
	char			*cred_dir;
	struct eip_creds	 creds;
	char			 region[64];
	char			*ec2_url;
	struct cw_url		 ec2;
	char			*sts_url;
	/* STS web identity: temporary credentials and their exchange. */
	struct sts_credentials	 sts;
	struct eip_tokcache	 stc;
	struct cw_call		*sts_call;
	struct aws_req		*waiters;
	unsigned		 wait_gen;
	struct event		*fail_ev;
	int			 sts_pending_fail;
	enum cloud_class	 fail_cls;
	char			 fail_code[64];
	unsigned long		 exchanges;
	unsigned long		 exchange_failures;
	char			 sts_error[512];
	/* instance type -> IPv4 addresses per interface */
	json_t			*itypes;
	struct aws_op		*ops;
};

/* Sends an EC2 request of op (body taken); cb gets the final answer. */
void	 aws_send(struct aws_op *, enum cw_api, const char *action,
	    char *body, aws_req_cb, void *arg);
/* Registers op; aws_op_finish() answers its task and frees it. */
void	 aws_op_add(struct aws *, struct aws_op *, struct cw_task *,
	    void (*free_fn)(struct aws_op *));
void	 aws_op_finish(struct aws_op *, json_t *reply);
/* IPv4 addresses per interface of a type from the cache, or -1. */
int	 aws_itype_limit(struct aws *, const char *type);
void	 aws_itype_store(struct aws *, const struct ec2_itypes *);

void	 aws_discover(void *, struct cw_task *);
void	 aws_ensure(void *, struct cw_task *);

#endif
