/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fake cluster for the allocator's tests: it stores objects in the
 * watcher's normalized form, executes the model's writes with
 * resourceVersion preconditions (409 with the fresh object first, as the
 * watcher does), plays the OpenShift SDN master in egressCIDRs mode, OVN
 * and a cloudworker, and can restart the model on the same cluster.
 * Every message the model sends is checked against its schema.
 */
#ifndef ALLOC_FAKE_H
#define ALLOC_FAKE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "eip_proto.h"
#include "model.h"

enum fk {
	FK_NAMESPACE = 0, FK_NODE, FK_EGRESSIPAM, FK_HOSTSUBNET,
	FK_NETNAMESPACE, FK_EGRESSIP, FK_MAX
};

struct fake_cloud_node {
	char		*name;
	char		 primary[48];
	json_t		*ips;		/* secondary IPs on the NIC */
	int		 capacity;	/* slots for secondary IPs */
	int		 gone;
};

struct fake {
	struct eip_model_config cfg;
	struct eip_model *m;
	char		 network[32];
	char		 platform[32];
	json_t		*objs[FK_MAX];	/* name -> body */
	uint64_t	 rv;
	int64_t		 now;
	json_t		*inbox;		/* [type, corr, body] waiting for the model */
	json_t		*events;	/* W_EVENT bodies */
	size_t		 writes;	/* cluster writes the model issued */
	size_t		 max_batch;	/* most of them taken in one round */
	size_t		 ensures;
	size_t		 schema_errors;
	int		 shuffle;	/* deliver results and events reordered */
	int		 conflict_pct;	/* fail writes with 409 this often */
	int		 fail_pct;	/* fail writes with 500 this often */
	int		 sdn_master;	/* play SDN in egressCIDRs mode */
	uint64_t	 rnd;
	/* cloud */
	struct fake_cloud_node *cn;
	size_t		 ncn;
	json_t		*cloud_used;	/* IPs used by others in the subnet */
	int		 subnet_errors;	/* fail this many subnet discoveries */
	char		 last_lb[32];	/* lb_mode of the last CLOUD_ENSURE */
	size_t		 discovers;
	size_t		 out_count[600];
	double		 model_s;	/* time spent inside the model */
	char		 subnet[64];
	/* Writes of this type wait, unexecuted, for fake_release (0: none). */
	uint16_t	 hold_type;
	json_t		*held;		/* [type, corr, body] */
};

struct fake *fake_new(const char *network, const char *platform,
	    const struct eip_model_config *);
void	 fake_free(struct fake *);
/* Starts the model: every object, SYNCED of every kind, LEADER. */
void	 fake_start(struct fake *);
/* A new model on the same cluster; returns the writes it then issued. */
size_t	 fake_restart(struct fake *);
/* Runs until nothing moves (bounded); returns the rounds used. */
int	 fake_settle(struct fake *);
void	 fake_advance(struct fake *, int64_t ms);
/* Executes the writes held back by hold_type, in order, and stops holding. */
void	 fake_release(struct fake *);

/* User actions (each sends the watch event to the model). */
void	 fake_ns(struct fake *, const char *name, const char *ipam,
	    const char *egressips);
void	 fake_ns_created(struct fake *, const char *name, const char *ts);
void	 fake_ns_delete(struct fake *, const char *name);
void	 fake_node(struct fake *, const char *name, const char *labels,
	    const char *ready, const char *ip, int capacity);
void	 fake_node_delete(struct fake *, const char *name);
void	 fake_ipam(struct fake *, const char *name, const char *spec,
	    const char *azure_lb);
void	 fake_ipam_finalizers(struct fake *, const char *name, const char *fin);
void	 fake_ipam_delete(struct fake *, const char *name);
void	 fake_put(struct fake *, enum fk, json_t *body);
void	 fake_remove(struct fake *, enum fk, const char *name);
/* The model's outputs of one type since the last call, counted. */
size_t	 fake_count_out(struct fake *, uint16_t type);

/* Cluster state. */
json_t	*fake_get(struct fake *, enum fk, const char *name);
const char *fake_annot(struct fake *, const char *ns);
/* Comma-joined, sorted lists, "" when empty or absent. */
char	*fake_list(struct fake *, enum fk, const char *name, const char *key);
const char *fake_cond(struct fake *, const char *ipam, const char *type,
	    const char **reason, const char **msg);
size_t	 fake_count_events(struct fake *, const char *reason,
	    const char *name);
void	 fake_clear_events(struct fake *);

/* Cloud. */
void	 fake_cloud_node(struct fake *, const char *name, const char *primary,
	    int capacity);
char	*fake_nic(struct fake *, const char *node);

#endif
