/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the Azure client shared by azure.c (AAD tokens, ARM
 * requests) and azure_ops.c (DISCOVER and ENSURE).
 */
#ifndef EIP_CLOUD_AZURE_INT_H
#define EIP_CLOUD_AZURE_INT_H

#include "creds.h"
#include "cw.h"
#include "tokcache.h"
#include "url.h"

#define ARM_API_NETWORK	"2023-09-01"
#define ARM_API_COMPUTE	"2023-03-01"
#define AZ_VNET_CACHE	16	/* VNet ids remembered across DISCOVERs */

struct event;
struct az;
struct az_op;
struct az_req;

typedef void	(*az_req_cb)(struct az_req *, struct cw_resp *);

struct az_req {
	struct az	*az;
	struct az_op	*op;
	enum cw_api	 api;
	char		*action;	/* "arm:nic.get" */
	char		*method;
	char		*url;
	char		*body;
	char		*if_match;
	az_req_cb	 cb;
	void		*arg;
	int		 auth_retries;
	struct cw_call	*call;
	struct az_req	*next;
	struct az_req	*wnext;
	int		 waiting;
	unsigned	 gen;
	char		 async_url[1024];	/* Azure-AsyncOperation */
};

struct az_op {
	struct az	*az;
	struct cw_task	*task;
	struct az_req	*reqs;
	struct az_op	*next;
	void		(*free)(struct az_op *);
	struct event	*timer;		/* polls and retries */
	void		(*on_timer)(struct az_op *);
};

struct az {
	struct cw		*cw;
	char			*cred_dir;
	struct eip_creds	 creds;
	char			*arm_base;	/* without trailing '/' */
	struct cw_url		 arm;
	char			*token_url;
	char			*scope;
	char			*rg;		/* VMs */
	char			*netrg;		/* VNets */
	/* AAD access token */
	char			*token;
	struct eip_tokcache	 tc;
	struct cw_call		*aad_call;
	struct az_req		*waiters;
	unsigned		 wait_gen;
	struct event		*fail_ev;
	int			 aad_pending_fail;
	enum cloud_class	 fail_cls;
	char			 fail_code[64];
	char			 aad_error[512];
	unsigned long		 token_requests;
	unsigned long		 token_failures;
	char			**vnets;	/* VNets seen in NIC subnets */
	size_t			 nvnets;
	struct az_op		*ops;
};

/*
 * Sends an ARM request of op: url is a path ("/subscriptions/...", the
 * api-version is added) or a full URL the cloud gave (nextLink, an
 * operation), which must be on the ARM origin: -1 (nothing sent) if it
 * is not.  body (JSON) is taken.
 */
int	 az_send(struct az_op *, enum cw_api, const char *action,
	    const char *method, const char *url, const char *api_version,
	    char *body, const char *if_match, az_req_cb, void *arg);
void	 az_op_add(struct az *, struct az_op *, struct cw_task *,
	    void (*free_fn)(struct az_op *));
void	 az_op_finish(struct az_op *, json_t *reply);
/* Calls op->on_timer after ms. */
void	 az_op_later(struct az_op *, uint64_t ms, void (*fn)(struct az_op *));
/* The JSON body of a reply, or NULL. */
json_t	*az_body(const struct cw_resp *);

void	 az_discover(void *, struct cw_task *);
void	 az_ensure(void *, struct cw_task *);

#endif
