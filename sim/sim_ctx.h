/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One running simulator: the store, the watch hub, the Kubernetes API
 * context, the OpenShift controllers, the scenario, the control API's
 * faults and statistics, and the optional cloud.  eipam-sim.c owns it and
 * lends it to scenario.c, openshift.c and control.c.
 */
#ifndef EIP_SIM_CTX_H
#define EIP_SIM_CTX_H

#include "sim.h"
#include "sim_kube.h"

struct sim_cloud;
struct sim_os;
struct sim_control;

struct sim_ctx {
	struct sim_store	*st;
	struct sim_watch_hub	*hub;
	struct sim_kube		 kube;
	struct sim_auth		 auth;
	struct sim_cloud	*cloud;
	struct sim_os		*os;
	struct sim_control	*ctl;
	json_t			*scenario;	/* the expanded scenario */
	char			*state_dir;	/* NULL in unit tests */
	char			 base_url[64];
	char			*ca_pem;	/* NULL without TLS */
	size_t			 hist_cap;
	int			 bookmark_s;
	int			 lease_s;
	/* Set by the server: run the controllers soon; end watch streams. */
	void			(*kick)(struct sim_ctx *);
	void			(*close_watches)(struct sim_ctx *,
				    const char *route, int gone);
	void			*srv;
};

/* scenario.c */
json_t	*scenario_builtin(const char *name);
json_t	*scenario_read(const char *name_or_file, char *err, size_t errlen);
/* Expands the node list (--nodes N) and defaults; validates. */
json_t	*scenario_expand(const json_t *, int nodes, char *err, size_t);
int	 scenario_apply(struct sim_ctx *, json_t *scn, char *err, size_t);
int	 scenario_write_files(struct sim_ctx *, char *err, size_t);
int	 scenario_add_node(struct sim_ctx *, const json_t *spec, char *err,
	    size_t);
int	 scenario_remove_node(struct sim_ctx *, const char *name);
json_t	*scenario_egressipam(const json_t *scn);
char	*scenario_yaml(const json_t *);
const char *scenario_platform(const json_t *);
const char *scenario_network(const json_t *);

/* openshift.c */
struct sim_os *os_new(struct sim_ctx *);
void	 os_free(struct sim_os *);
/* Runs the controllers until nothing changes (bounded). */
void	 os_run(struct sim_os *);
int	 os_dirty(const struct sim_os *);
void	 os_heartbeat(struct sim_os *);
int	 os_set_heartbeat(struct sim_os *, const char *node, int on);
int	 os_set_ready(struct sim_ctx *, const char *node, const char *status,
	    char *err, size_t);

/* control.c */
struct sim_fault_hit {
	int		 code;		/* 0: no error to inject */
	long		 latency_ms;
	int		 retry_after;
};

struct sim_control *control_new(struct sim_ctx *);
void	 control_free(struct sim_control *);
void	 control_handle(struct sim_ctx *, const struct sim_req *,
	    struct sim_resp *);
void	 control_fault_check(struct sim_ctx *, const struct sim_req *,
	    struct sim_fault_hit *);
/* A watch starting on this path: 1 if it must get a 410 at once. */
int	 control_watch_gone(struct sim_ctx *, const char *path);
/* Watch streams on this path end after this many seconds (0: never). */
int	 control_watch_close_s(struct sim_ctx *, const char *path);
void	 control_record(struct sim_ctx *, const char *method,
	    const struct sim_reqinfo *, int code);
int	 control_rotate_tokens(struct sim_ctx *, long grace_s, char *err,
	    size_t);
int	 sim_write_kubeconfig(struct sim_ctx *, char *err, size_t);

#endif
