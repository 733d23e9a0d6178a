/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Azure Resource Manager and AAD JSON as the cloudworker reads and
 * writes it: the NIC transformation of an ENSURE (GET body -> PUT body
 * with ipConfigurations `EgressIP<ip>`), a NIC's addresses, a VM's
 * primary NIC, a VNet's used addresses, token and error bodies,
 * long-running operation status, and resource ids.  Pure functions over
 * jansson; the ARM client (azure.c) sends what they build.
 */
#ifndef EIP_CLOUD_AZJSON_H
#define EIP_CLOUD_AZJSON_H

#include <stddef.h>
#include <jansson.h>

#include "ipaddr.h"
#include "plan.h"

#define AZ_NIC_IPCONFIG_LIMIT	256
#define AZ_EGRESS_PREFIX	"EgressIP"

enum az_lb_mode {
	AZ_LB_SAME_AS_PRIMARY = 0,	/* egress configs join the primary's pools */
	AZ_LB_NONE,			/* egress configs join no pool */
};

/* What the cloudworker needs of a NIC (pointers into the JSON). */
struct az_nic_info {
	const char	*id;
	const char	*etag;
	const char	*location;
	const char	*state;		/* provisioningState */
	const char	*vm_id;		/* properties.virtualMachine.id */
	const char	*subnet_id;	/* of the primary ipConfiguration */
	const json_t	*pools;		/* primary's backend pools, or NULL */
	struct eip_ip	 primary;	/* family 0 when none */
	struct eip_ip	*ips;		/* every address of every config */
	size_t		 nips;
	size_t		 nipless;	/* configurations without an address */
	size_t		 nconfigs;
	size_t		 primary_idx;	/* index of the primary configuration */
	int		 primary_implicit; /* the only one, not marked primary */
};

/* Parses a NIC; 0, or -1 with err. */
int	 az_nic_info(const json_t *nic, struct az_nic_info *, char *err,
	    size_t errlen);
void	 az_nic_info_clear(struct az_nic_info *);

/*
 * The ENSURE transformation: the PUT body (a new reference) for a NIC
 * GET body, the owned CIDRs, the desired addresses and the pool mode.
 * *changed is 0 when the NIC already is as asked (send no PUT then).
 * The plan says what is added, removed, kept, and what found no room.
 * Returns NULL with err when the NIC or the request is unusable.
 */
json_t	*az_nic_transform(const json_t *nic, const struct eip_cidr *owned,
	    size_t nowned, const struct eip_ip *desired, size_t ndesired,
	    enum az_lb_mode, int *changed, struct ensure_plan *, char *err,
	    size_t errlen);

/* The id of a VM's primary NIC (malloc'ed), or NULL with err. */
char	*az_vm_primary_nic(const json_t *vm, char *err, size_t errlen);

/*
 * Addresses in use inside cidr according to a VNet GET with
 * $expand=subnets/ipConfigurations, plus the first four and the last
 * address of each overlapping subnet (Azure reserves them).  subnet_cidr
 * gets the prefix of the subnet that contains (or else overlaps) cidr,
 * "" if none.  0, or -1 with err.
 */
int	 az_vnet_used(const json_t *vnet, const struct eip_cidr *cidr,
	    struct eip_ip **used, size_t *nused, char *subnet_cidr,
	    size_t sclen, char *err, size_t errlen);

/* AAD token response: access token (malloc'ed) and lifetime in seconds. */
int	 aad_parse_token(const char *body, size_t len, char **token,
	    long *expires_in, char *err, size_t errlen);
/* AAD error body: "error" and "error_description" (first line). */
int	 aad_parse_error(const char *body, size_t len, char *error,
	    size_t elen, char *desc, size_t dlen);
/* ARM error body {"error":{"code","message"}}; 0 when found. */
int	 arm_parse_error(const char *body, size_t len, char *code,
	    size_t clen, char *msg, size_t mlen);

enum az_lro { AZ_LRO_RUNNING = 0, AZ_LRO_SUCCEEDED, AZ_LRO_FAILED };
/* Azure-AsyncOperation status body; error code/message when failed. */
int	 az_lro_parse(const char *body, size_t len, enum az_lro *,
	    char *code, size_t clen, char *msg, size_t mlen);

/*
 * An ARM id "/subscriptions/S/resourceGroups/RG/providers/NS/TYPE/NAME[/..]":
 * fills the parts that are asked for (NULL to skip); -1 if not one.
 */
int	 az_id_parse(const char *id, char *sub, size_t slen, char *rg,
	    size_t rlen, char *type, size_t tlen, char *name, size_t nlen);
/* "azure:///subscriptions/.../virtualMachines/NAME" -> the ARM id part. */
const char *az_provider_id_path(const char *provider_id);
/* The VNet id of a subnet id (malloc'ed), or NULL. */
char	*az_subnet_vnet(const char *subnet_id);
/* A resource id or name is safe to put in a URL path. */
int	 az_id_ok(const char *);

#endif
