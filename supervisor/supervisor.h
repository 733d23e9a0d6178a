/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipamd's shared state: the table of worker children and the functions
 * of its files (child.c spawns and reaps, control.c serves eipamctl,
 * procstat.c reads /proc for process metrics).
 */
#ifndef EIP_SUPERVISOR_H
#define EIP_SUPERVISOR_H

#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "eip_proto.h"
#include "options.h"
#include "restart.h"

struct event_base;
struct event;
struct lifeline;

/* A worker exits with this when the whole pod must go (lost the lease). */
#define EIP_EXIT_POD_FATAL	70

enum child_state {
	CHILD_DOWN = 0,		/* not running; a restart may be pending */
	CHILD_STARTING,		/* BOOT sent, waiting for READY */
	CHILD_READY,
	CHILD_STOPPING,		/* SIGTERM sent during shutdown */
};

struct supervisor;

struct child {
	struct supervisor	*sup;
	enum eip_role		 role;
	int			 instance;
	char			 name[32];
	pid_t			 pid;
	enum child_state	 state;
	struct lifeline		*ll;
	struct event		*restart_ev;
	double			 started;	/* monotonic seconds */
	double			 ready_at;
	double			 last_heartbeat;
	unsigned long		 restarts;
	char			 last_exit[128];
	json_t			*detail;	/* from the last heartbeat */
	struct restart_state	 rs;
};

struct supervisor {
	struct eipamd_options	 opt;
	struct event_base	*base;
	struct child		 children[EIP_ROLE_MAX];
	int			 nchildren;
	struct restart_policy	 policy;
	double			 started;
	int			 shutting_down;
	int			 exit_code;
	struct event		*watchdog_ev;
	struct event		*stats_ev;
	struct event		*shutdown_ev;
	int			 control_fd;
	struct event		*control_ev;
};

double	 sup_now(void);

/* child.c */
int	 child_spawn(struct supervisor *, struct child *);
void	 child_reap(struct supervisor *);
void	 child_watchdog(struct supervisor *);
void	 child_stop_all(struct supervisor *, int sig);
int	 child_all_gone(const struct supervisor *);
const char *child_state_name(enum child_state);
void	 child_set_log_level(struct supervisor *, const char *role,
	    const char *level);

/* control.c */
int	 control_open(struct supervisor *);
void	 control_close(struct supervisor *);
json_t	*control_status(const struct supervisor *);

/* procstat.c */
json_t	*procstat_collect(const struct supervisor *);

/* eipamd.c */
void	 sup_shutdown(struct supervisor *, int exit_code, const char *why);

#endif
