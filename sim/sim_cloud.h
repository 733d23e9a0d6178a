/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated clouds (EC2 + STS, Azure ARM + AAD) as seen by the rest of
 * the simulator.  The Kubernetes side creates a cloud for AWS and Azure
 * scenarios, tells it about every node that joins or leaves, and routes
 * the cloud URL prefixes to sim_cloud_handle().
 *
 * URL prefixes on the simulator's one port (also written to eipamd.flags):
 *   /aws/ec2/    EC2 Query API        /aws/sts/    STS
 *   /azure/arm/  ARM (subscriptions)  /azure/aad/  AAD authority
 */
#ifndef EIP_SIM_CLOUD_H
#define EIP_SIM_CLOUD_H

#include <stddef.h>
#include <jansson.h>

#include "sim_http.h"

struct sim_cloud;

/*
 * platform: "AWS" or "Azure".  variant: credentials flavour, "static" or
 * "sts" for AWS, "secret" or "wi" for Azure.  cfg: the scenario's "cloud"
 * object (may be NULL for defaults).  base_url: "https://127.0.0.1:PORT".
 */
struct sim_cloud *sim_cloud_new(const char *platform, const char *variant,
	    const json_t *cfg, const char *base_url, char *err, size_t errlen);
void	 sim_cloud_free(struct sim_cloud *);

/*
 * A node joined: the cloud creates its VM/instance and primary NIC in the
 * zone's subnet.  Fills the Node's spec.providerID and InternalIP.
 */
int	 sim_cloud_add_node(struct sim_cloud *, const char *node,
	    const char *zone, const char *instance_type, char *provider_id,
	    size_t pidlen, char *ip, size_t iplen);
int	 sim_cloud_remove_node(struct sim_cloud *, const char *node);

/* OVN on a cloud: the node's cloud.network.openshift.io/egress-ipconfig value. */
char	*sim_cloud_egress_ipconfig(struct sim_cloud *, const char *node);

/* status.platformStatus of Infrastructure/cluster for this cloud. */
json_t	*sim_cloud_platform_status(struct sim_cloud *);

/* Writes the mounted-Secret files of the credentials variant into dir. */
int	 sim_cloud_write_credentials(struct sim_cloud *, const char *dir);

/* Handles requests under the cloud prefixes; returns -1 if not a cloud path. */
int	 sim_cloud_handle(struct sim_cloud *, const struct sim_req *,
	    struct sim_resp *);

/* Control API: /sim/v1/cloud/<cmd> (faults, throttles, state dump). */
int	 sim_cloud_control(struct sim_cloud *, const char *cmd,
	    const json_t *args, json_t **result, char *err, size_t errlen);
json_t	*sim_cloud_dump(struct sim_cloud *);
json_t	*sim_cloud_stats(struct sim_cloud *);

#endif
