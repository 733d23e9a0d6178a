/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated Azure subscription shared by sim_azure*.c and sim_aad.c:
 * one resource group with the VMs and their NICs (kept as the JSON ARM
 * serves), one VNet with its subnets, load-balancer frontends holding
 * addresses, long-running operations, and the tokens AAD has issued.
 */
#ifndef EIP_SIM_AZ_H
#define EIP_SIM_AZ_H

#include "sim_cloud_priv.h"

struct sc_azop;
struct sc_azvm;

struct sc_aznic {
	char		*name;
	json_t		*doc;		/* the NIC as GET returns it */
	json_t		*prev;		/* before the running PUT */
	struct sc_azop	*op;		/* running operation or NULL */
	struct sc_azvm	*vm;		/* NULL: a foreign NIC */
};

struct sc_azvm {
	char		*name;		/* = node name */
	char		*zone;		/* "1".."3" or NULL */
	char		*size;
	char		 vmid[37];
	struct sc_aznic	*nic;
	struct sc_subnet *subnet;
};

enum sc_opstate { OP_RUNNING = 0, OP_SUCCEEDED, OP_FAILED };

struct sc_azop {
	char		 id[37];
	char		*nic;		/* NIC name */
	enum sc_opstate	 state;
	int		 polls;
	int		 fail;		/* end as Failed */
	char		*code;
	char		*message;
	double		 start;
	double		 end;
};

/* A load-balancer frontend (or other non-NIC holder) of a subnet address. */
struct sc_azfront {
	char		*id;		/* .../frontendIPConfigurations/NAME */
	char		*name;
	struct eip_ip	 ip;
	struct sc_subnet *subnet;
};

struct sc_aztok {
	char		*token;
	double		 exp;
};

struct sc_azure {
	char		*sub;
	char		*tenant;
	char		*client_id;
	char		 client_secret[41];
	char		*location;
	char		*rg;
	char		*netrg;
	char		*vnet;
	char		*vnet_cidr;
	char		 vnet_guid[37];
	char		*default_size;
	struct sc_subnet *subnets;
	size_t		 nsubnets;
	struct sc_azvm	**vms;
	size_t		 nvms;
	struct sc_aznic	**nics;
	size_t		 nnics;
	struct sc_azop	**ops;
	size_t		 nops;
	struct sc_azfront *fronts;
	size_t		 nfronts;
	char		*pool_public;	/* backend pool ids */
	char		*pool_internal;
	int		 outbound_rule;
	int		 ipconfig_limit;
	int		 vm_page;
	int		 lro_polls;
	int		 lro_retry;
	double		 lro_max;
	int		 fail_next;
	char		*fail_nic;
	char		*fail_code;
	char		*fail_message;
	struct sc_aztok	*toks;
	size_t		 ntoks;
	double		 tok_life;
	int		 nforeign;
};

/* ARM ids. */
char	*az_rg_id(struct sc_azure *, const char *rg);
char	*az_nic_id(struct sc_azure *, const char *name);
char	*az_vm_id(struct sc_azure *, const char *name);
char	*az_vnet_id(struct sc_azure *);
char	*az_subnet_id(struct sc_azure *, const char *name);

struct sc_aznic *az_nic_find(struct sc_azure *, const char *name);
struct sc_azvm *az_vm_find(struct sc_azure *, const char *name);
struct sc_subnet *az_subnet_by_id(struct sc_azure *, const char *id);
/* Who holds an address: a NIC (and which ipConfiguration) or a frontend. */
int	 az_ip_holder(struct sc_azure *, const struct eip_ip *,
	    struct sc_aznic **, const char **cfgname, struct sc_azfront **);
int	 az_alloc_ip(struct sc_azure *, const struct sc_subnet *,
	    const struct eip_ip *avoid, size_t navoid, struct eip_ip *);
void	 az_etag(struct sim_cloud *, char *out, size_t);
/* Sets the etag of the NIC and of each ipConfiguration. */
void	 az_set_etag(json_t *doc, const char *etag);
/* Sets provisioningState on the NIC and each ipConfiguration. */
void	 az_nic_state(json_t *doc, const char *state);

/* An ARM error {"error":{"code","message"}}. */
void	 arm_error(struct sc_ctx *, int status, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	 arm_reply(struct sc_ctx *, int status, json_t *body /* taken */);

/* NICs (sim_azure_nic.c). */
void	 az_nic_get(struct sc_ctx *, struct sc_aznic *);
void	 az_nic_put(struct sc_ctx *, const char *name, const char *apiver);
void	 az_op_get(struct sc_ctx *, const char *id);
/* Ends operations that ran past lro.maxSeconds. */
void	 az_ops_tick(struct sim_cloud *);

#endif
