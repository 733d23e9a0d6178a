/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every worker process shares: reading BOOT from the lifeline (or
 * building it from flags with --standalone), the event loop and ZeroMQ
 * context, the debug socket, entering the sandbox, READY and heartbeats,
 * and orderly shutdown on SIGTERM or when the supervisor goes away.
 *
 * A worker's main():
 *	worker_init(&w, EIP_ROLE_X, &x_policy, argc, argv);  BOOT, loop, debug
 *	... open files, create and connect sockets ...
 *	worker_sandbox(&w, extra_paths);	the policy's paths + these
 *	worker_ready(&w);
 *	return worker_run(&w);
 */
#ifndef EIP_WORKER_H
#define EIP_WORKER_H

#include <jansson.h>

#include "eip_proto.h"
#include "sandbox.h"

struct event_base;
struct event;
struct lifeline;
struct zev;
struct eip_worker;

/*
 * Role-specific debug commands (DEBUG_REQ cmd other than the built-in
 * log-level and trace).  Returns 0 and sets *result, or -1 with err.
 */
typedef int (*worker_debug_fn)(struct eip_worker *, const char *cmd,
    const json_t *args, json_t **result, char *err, size_t errlen, void *);
/* Called on SIGTERM or lifeline EOF; must eventually call worker_stop(). */
typedef void (*worker_shutdown_fn)(struct eip_worker *, void *);
/* Role-specific lifeline messages (e.g. PROC_STATS for metricsd). */
typedef void (*worker_lifeline_fn)(struct eip_worker *, struct eip_msg *,
    void *);
/* Detail for heartbeats and `eipamctl status` (a new reference). */
typedef json_t *(*worker_status_fn)(struct eip_worker *, void *);

struct eip_worker {
	enum eip_role		 role;
	int			 instance;
	char			 name[32];	/* "watcher", "cloudworker-0" */
	struct event_base	*base;
	void			*zctx;
	char			*run_dir;
	json_t			*config;	/* BOOT's role config slice */
	int			 standalone;
	enum sandbox_mode	 sandbox;
	int			 debug_attachable;
	int			 heartbeat_ms;
	const struct sandbox_policy *policy;

	/* private */
	struct lifeline		*ll;
	void			*debug_sock;
	struct zev		*debug_zev;
	struct event		*hb_ev;
	struct event		*sig_ev[3];
	uint64_t		 hb_seq;
	size_t			 trim_free;	/* free heap at the last trim */
	char			 state[64];
	int			 ready;
	int			 stopping;
	int			 exit_code;
	int			 sandbox_dump;
	char			*sandbox_test;
	worker_debug_fn		 debug_fn;
	void			*debug_arg;
	worker_shutdown_fn	 shutdown_fn;
	void			*shutdown_arg;
	worker_lifeline_fn	 lifeline_fn;
	void			*lifeline_arg;
	worker_status_fn	 status_fn;
	void			*status_arg;
};

/* --sandbox-dump prints the policy and exits here. */
int	 worker_init(struct eip_worker *, enum eip_role,
	    const struct sandbox_policy *, int argc, char **argv);
/* "ipc://<run_dir>/<file>", malloc'ed. */
char	*worker_endpoint(const struct eip_worker *, const char *file);
int	 worker_sandbox(struct eip_worker *, const char *const *extra_read_paths);
int	 worker_ready(struct eip_worker *);
void	 worker_set_state(struct eip_worker *, const char *);
void	 worker_on_debug(struct eip_worker *, worker_debug_fn, void *);
void	 worker_on_shutdown(struct eip_worker *, worker_shutdown_fn, void *);
void	 worker_on_lifeline(struct eip_worker *, worker_lifeline_fn, void *);
void	 worker_on_status(struct eip_worker *, worker_status_fn, void *);
void	 worker_stop(struct eip_worker *, int exit_code);
int	 worker_run(struct eip_worker *);
/* Config helpers: string/int/bool of the BOOT config slice. */
const char *worker_cfg_str(const struct eip_worker *, const char *key,
	    const char *def);
long long worker_cfg_int(const struct eip_worker *, const char *key,
	    long long def);
int	 worker_cfg_bool(const struct eip_worker *, const char *key, int def);

#endif
