/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cloudworker engine's state, for its own files (cw.c, cwcall.c) and
 * the main program.  Providers see only cw.h.
 */
#ifndef EIP_CLOUD_CW_INT_H
#define EIP_CLOUD_CW_INT_H

#include "cw.h"
#include "eip_proto.h"

struct alloc_link;

struct cw_api_state {
	const char		*name;
	struct eip_ratelimit	 rl;
	uint64_t		 hold_until;	/* a throttle slowed the class */
	unsigned long		 throttled;
	unsigned long		 waits;
};

/* One node's ENSUREs: one running, the newest waiting. */
struct cw_nicq {
	char			*node;
	struct cw_task		*running;
	struct cw_task		*pending;
	struct cw_nicq		*next;
};

/* What eipamd's BOOT config gives (options_role_config). */
struct cw_config {
	char	*platform;		/* override, or NULL */
	char	*credentials_dir;
	char	*aws_ec2_endpoint;
	char	*aws_sts_endpoint;
	char	*azure_arm_endpoint;
	char	*azure_authority;
};

struct cw {
	struct event_base	*base;
	struct eip_http		*http;
	struct alloc_link	*link;
	struct cw_config	 cfg;
	struct cw_api_state	 api[CW_API_MAX];
	struct cw_provider	 prov;		/* name NULL until configured */
	char			*platform;
	json_t			*cloud_config;	/* the last CLOUD_CONFIG */
	char			 config_error[512];
	struct cw_nicq		*nics;
	struct cw_task		*runq;		/* ENSUREs waiting for a slot */
	struct cw_task		*discovers;	/* running */
	unsigned		 running;
	unsigned		 max_running;
	int			 in_run;
	json_t			*stats;		/* action -> outcome -> n */
	unsigned long		 calls;
	unsigned long		 retries;
	unsigned long		 tasks_done;
	unsigned long		 ensures_coalesced;
	/* For tests: the reply sink instead of the allocator link. */
	void			(*send)(struct cw *, uint16_t, uint64_t,
				    const json_t *);
};

struct cw	*cw_new(struct event_base *, const char *ca_pem, size_t ca_len,
		    const json_t *boot_config, char *err, size_t errlen);
void		 cw_free(struct cw *);
void		 cw_set_link(struct cw *, struct alloc_link *);
void		 cw_message(struct cw *, const struct eip_msg *);
json_t		*cw_status(struct cw *);
json_t		*cw_dump(struct cw *);

#endif
