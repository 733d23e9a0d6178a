/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated clouds (EC2 + STS, Azure ARM + AAD) as seen by the rest of
 * the simulator.  The Kubernetes side creates a cloud for AWS and Azure
 * scenarios, tells it about every node that joins or leaves, and routes
 * the cloud URL prefixes to sim_cloud_handle().  Owned by the cloud half
 * (sim_cloud*.c, sim_ec2*.c, sim_sts.c, sim_azure*.c, sim_aad.c).
 *
 * URL prefixes on the simulator's one port (also written to eipamd.flags):
 *   /aws/ec2/    EC2 Query API        /aws/sts/    STS
 *   /azure/arm/  ARM (subscriptions)  /azure/aad/  AAD authority
 * so the endpoints are BASE/aws/ec2/, BASE/aws/sts/, BASE/azure/arm
 * (the ARM base URL, "subscriptions/..." follows) and BASE/azure/aad
 * (the authority; "{tenant}/oauth2/v2.0/token" follows).
 */
#ifndef EIP_SIM_CLOUD_H
#define EIP_SIM_CLOUD_H

#include <stddef.h>
#include <jansson.h>

#include "sim_http.h"

struct sim_cloud;

/*
 * platform: "AWS" or "Azure".  variant: credentials flavour, "static" or
 * "sts" for AWS, "secret" or "wi" for Azure.  base_url:
 * "https://127.0.0.1:PORT" (used in ARM's Azure-AsyncOperation and
 * nextLink URLs and in AAD's openid-configuration).
 *
 * cfg (may be NULL; every key optional) is the scenario's "cloud" object
 * merged with the scenario keys the simulator passes along:
 *   "region"              AWS region / Azure location
 *                         (us-east-1 / centralus)
 *   "zones"               [{"name","cidr"}]: the subnets when "subnets"
 *                         is absent.  AWS: one subnet per zone.  Azure:
 *                         one subnet per distinct CIDR, serving the zones
 *                         that name it (VM zone = the name's suffix after
 *                         the last '-').
 *   "masterCidr"          one more subnet (a node lands there when the IP
 *                         it asks for is in it)
 *   "infrastructureName"  names and tags ("sim-cluster-x7k2p")
 *   "seed"                ids are reproducible for a seed (1)
 *   "throttle"            {"describe"|"mutate"|"read"|"write":
 *                         {"rate": per second, "burst": N}}; rate 0 =
 *                         unlimited.  EC2 describe 20/100, mutate 5/200;
 *                         ARM read 25/250, write 10/200.
 * AWS:   "subnets" [{"zone","cidr","name"?,"id"?}] (default
 *        10.0.128.0/20, .144.0/20, .160.0/20 in zones a, b, c),
 *        "instanceTypes" {"type": ipv4PerInterface | {"ipv4PerInterface",
 *        "maxInterfaces"}} added to the built-in table (t3.micro 2,
 *        t3.medium 6, t3.large 12, m5.large 10, m5.xlarge 15, m5.2xlarge
 *        15, m5.4xlarge 30, c5.large 10, c5.xlarge 15, c5.2xlarge 15,
 *        r5.large 10), "defaultInstanceType" (m5.large), "foreign"
 *        [{"kind": network_load_balancer|nat_gateway|interface, "zone",
 *        "ips"}] (default: an NLB ENI per zone, a NAT gateway and an
 *        unattached 3-address ENI), "accountId", "roleArn",
 *        "accessKeyId"/"secretAccessKey" (default: random per run),
 *        "clockSkewSeconds" (300), "stsMaxSeconds" (cap, 0 = none).
 * Azure: "subscriptionId", "tenantId", "clientId", "resourceGroup",
 *        "networkResourceGroup", "vnet", "vnetCidr", "subnets"
 *        [{"name","cidr","zones"?:[...]}], "defaultVmSize", "vmPageSize"
 *        (nextLink paging, 50), "ipConfigurationLimit" (256), "lro"
 *        {"polls": InProgress answers before the end (1), "retryAfter"
 *        seconds (1), "maxSeconds": an operation nobody polls ends after
 *        this (10)}, "foreign" [{"subnet": name, "ips": N}] (load-balancer
 *        frontends; default: the internal API LB in the master subnet and
 *        an internal ingress LB in the first worker subnet),
 *        "outboundRule" (true: the public LB pool refuses secondary
 *        ipConfigurations, as on ARO), "tokenLifetime" (3599).
 */
struct sim_cloud *sim_cloud_new(const char *platform, const char *variant,
	    const json_t *cfg, const char *base_url, char *err, size_t errlen);
void	 sim_cloud_free(struct sim_cloud *);

/*
 * A node joined: the cloud creates its instance (AWS; name tag = node) or
 * VM (Azure; VM name = node) with its primary NIC in the zone's subnet.
 * ip is in/out: on entry the address the scenario would like (or ""); it
 * is kept when it is free and inside one of the cloud's subnets, else the
 * lowest free address of the zone's subnet is taken.  On return pid holds
 * spec.providerID ("aws:///ZONE/i-..." or "azure:///subscriptions/...
 * /virtualMachines/NAME") and ip the node's InternalIP.  instance_type ""
 * or NULL picks the default; an unknown one is refused.  Adding a node
 * that exists returns its data again.  Returns 0 or -1.
 */
int	 sim_cloud_add_node(struct sim_cloud *, const char *node,
	    const char *zone, const char *instance_type, char *provider_id,
	    size_t pidlen, char *ip, size_t iplen);
/* Removes the node's instance/VM and NIC (and their addresses). */
int	 sim_cloud_remove_node(struct sim_cloud *, const char *node);

/*
 * OVN on a cloud: the node's cloud.network.openshift.io/egress-ipconfig
 * value (malloc'ed JSON text, NULL for an unknown node).
 */
char	*sim_cloud_egress_ipconfig(struct sim_cloud *, const char *node);

/* status.platformStatus of Infrastructure/cluster for this cloud. */
json_t	*sim_cloud_platform_status(struct sim_cloud *);

/*
 * Writes the files of the Secret egress-ipam-operator-cloud-credentials
 * into dir (created 0700 if missing), as the mounted Secret holds them:
 * AWS static: aws_access_key_id, aws_secret_access_key; AWS sts:
 * credentials (INI: role_arn, web_identity_token_file); Azure:
 * azure_client_id, azure_tenant_id, azure_subscription_id, azure_region,
 * azure_resourcegroup, and azure_client_secret (secret) or
 * azure_federated_token_file (wi).  The projected service-account token
 * of sts/wi goes to DIR/../cloud-token/token (outside the Secret, as
 * /var/run/secrets/openshift/serviceaccount/token is).  Returns 0 or -1.
 */
int	 sim_cloud_write_credentials(struct sim_cloud *, const char *dir);

/*
 * Handles requests under the cloud prefixes; returns -1 if not a cloud
 * path (resp untouched), else 0 with resp filled, including
 * resp->delay_ms when a latency fault applies.
 */
int	 sim_cloud_handle(struct sim_cloud *, const struct sim_req *,
	    struct sim_resp *);

/*
 * Control API: /sim/v1/cloud/<cmd> with a JSON object of arguments.
 * Returns 0 with *result (may be NULL) or -1 with err.  Commands:
 *   fault {"action","rate","status","code","message","latencyMs","count"}
 *         action: "ec2:<Action>", "sts:AssumeRoleWithWebIdentity",
 *         "arm:vm.list|vm.get|nic.list|nic.get|nic.put|vnet.get|
 *         subnet.get|op.get", "aad:token|aad:openid", or "*";
 *         rate 0 and latencyMs 0 remove the action's rule
 *   faults, faults-clear
 *   throttle {"class": describe|mutate|read|write, "rate", "burst"}
 *   throttles
 *   clock {"advance": s} | {"offset": s}   shifts the cloud's clock
 *   stats, stats-reset, dump
 *   rotate-token {"expireOld": bool}       new projected SA token file
 *   take-address {"ip", "node"?}           a foreign holder takes the IP:
 *         a new unattached ENI / NIC, or with "node" a secondary address
 *         (AWS) / ipConfiguration (Azure) on that node's NIC
 *   release-address {"ip"}                 undoes take-address
 *   AWS:   sts-expire (every issued credential expires now),
 *          sts-duration {"seconds"} (cap on new credentials, 0 = none)
 *   Azure: fail-next-lro {"nic"?, "code"?, "message"?},
 *          bump-etag {"nic"} (the NIC changes behind the client's back),
 *          lro {"polls"?, "retryAfter"?, "maxSeconds"?},
 *          aad-expire (every issued bearer token expires now),
 *          token-lifetime {"seconds"}
 */
int	 sim_cloud_control(struct sim_cloud *, const char *cmd,
	    const json_t *args, json_t **result, char *err, size_t errlen);

/*
 * Every instance/VM, NIC and subnet with its addresses, faults, throttles
 * and (AWS) a test key pair for scripted checks.
 */
json_t	*sim_cloud_dump(struct sim_cloud *);

/*
 * Calls per action and outcome: {"calls": N, "actions":
 * {"ec2:AssignPrivateIpAddresses": {"ok": 3, "RequestLimitExceeded": 1}}}.
 */
json_t	*sim_cloud_stats(struct sim_cloud *);

#endif
