/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated AWS account shared by sim_ec2*.c and sim_sts.c: one VPC
 * with a subnet per zone, instances with their primary ENI, foreign ENIs
 * (load balancer, NAT gateway, unattached), instance types, the static
 * key pair and the temporary credentials STS has issued.
 */
#ifndef EIP_SIM_AWS_H
#define EIP_SIM_AWS_H

#include "sim_cloud_priv.h"

#define EC2_XMLNS	"http://ec2.amazonaws.com/doc/2016-11-15/"
#define EC2_VERSION	"2016-11-15"

struct sc_itype {
	char		*name;
	int		 ips;		/* Ipv4AddressesPerInterface */
	int		 enis;		/* MaximumNetworkInterfaces */
	int		 vcpus;
	int		 mem_mib;
};

struct sc_inst;

struct sc_eni {
	char		 id[32];
	char		*kind;		/* interface|network_load_balancer|nat_gateway */
	char		*description;
	char		*requester;	/* requester-managed: who, else NULL */
	char		 mac[18];
	struct sc_subnet *subnet;
	struct sc_inst	*inst;		/* attached instance or NULL */
	char		 attach_id[32];
	struct eip_ip	*ips;		/* [0] is the primary address */
	size_t		 nips;
	int		 limit;		/* addresses per ENI, primary included */
	double		 created;
};

struct sc_inst {
	char		 id[32];
	char		 resv[32];
	char		*node;
	struct sc_itype	*type;
	struct sc_subnet *subnet;
	struct sc_eni	*eni;		/* device index 0 */
	double		 launched;
};

struct sc_stscred {
	char		 akid[21];
	char		 secret[41];
	char		*token;
	char		*session;
	double		 exp;
};

struct sc_aws {
	char		*region;
	char		*account;
	char		*vpc_id;
	char		*sg_id;
	char		*role_arn;
	char		 access_key[21];
	char		 secret_key[41];
	double		 skew;		/* allowed clock skew, seconds */
	double		 sts_max;	/* cap on temporary credentials, s */
	struct sc_subnet *subnets;
	size_t		 nsubnets;
	struct sc_itype	*types;
	size_t		 ntypes;
	struct sc_itype	*default_type;
	struct sc_inst	**insts;
	size_t		 ninsts;
	struct sc_eni	**enis;		/* creation order */
	size_t		 nenis;
	struct sc_stscred *creds;
	size_t		 ncreds;
};

/* An EC2 error in <Response><Errors>; code NULL means the fault's own. */
void	 ec2_error(struct sc_ctx *, int status, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Starts <XResponse xmlns=...><requestId>...</requestId>. */
void	 ec2_begin(struct sc_ctx *, struct sc_buf *, const char *action);
void	 ec2_finish(struct sc_ctx *, struct sc_buf *, const char *action);

/* Owner of an address among all ENIs, or NULL. */
struct sc_eni *aws_ip_owner(struct sc_aws *, const struct eip_ip *,
	    size_t *idx);
struct sc_eni *aws_eni_find(struct sc_aws *, const char *id);
struct sc_inst *aws_inst_find(struct sc_aws *, const char *id);
void	 aws_private_dns(struct sc_aws *, const struct eip_ip *, char *, size_t);
void	 aws_zone_id(struct sc_aws *, const struct sc_subnet *, char *, size_t);
int	 aws_free_count(struct sc_aws *, const struct sc_subnet *);
/* Lowest free address of a subnet not in avoid[]; -1 if none. */
int	 aws_alloc_ip(struct sc_aws *, const struct sc_subnet *,
	    const struct eip_ip *avoid, size_t navoid, struct eip_ip *out);

/* Request parameters: lists (Name.N), filters and pagination. */
struct ec2_filter {
	char		*name;
	char		**values;
	size_t		 nvalues;
};

int	 ec2_list(const struct sc_form *, const char *prefix, char ***out,
	    size_t *n);
void	 ec2_list_free(char **, size_t);
int	 ec2_filters(struct sc_ctx *, const struct sc_form *,
	    struct ec2_filter **, size_t *);
void	 ec2_filters_free(struct ec2_filter *, size_t);
/* Pagination: 0 ok (start, max set; max 0 = all), -1 error sent. */
int	 ec2_page(struct sc_ctx *, const struct sc_form *, const char *what,
	    int lo, int hi, size_t *start, size_t *max);
void	 ec2_next_token(struct sc_buf *, const char *what, size_t next);

void	 ec2_describe_instances(struct sc_ctx *, const struct sc_form *);
void	 ec2_describe_instance_types(struct sc_ctx *, const struct sc_form *);
void	 ec2_describe_subnets(struct sc_ctx *, const struct sc_form *);
void	 ec2_describe_enis(struct sc_ctx *, const struct sc_form *);
void	 ec2_assign(struct sc_ctx *, const struct sc_form *);
void	 ec2_unassign(struct sc_ctx *, const struct sc_form *);

/*
 * SigV4 check of an EC2 request against the static key and STS's
 * temporary credentials.  Returns 0, or sends the error and returns -1.
 */
int	 sts_authenticate(struct sc_ctx *, const struct sc_form *);

#endif
