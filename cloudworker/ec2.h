/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The EC2 Query API (2016-11-15) and STS AssumeRoleWithWebIdentity as
 * the cloudworker uses them: request bodies (flattened 1-based lists)
 * and the parsed responses, errors included.  Pure functions; the AWS
 * client (aws.c) signs and sends them.
 */
#ifndef EIP_CLOUD_EC2_H
#define EIP_CLOUD_EC2_H

#include <stddef.h>
#include <time.h>

#include "ipaddr.h"

#define EC2_API_VERSION	"2016-11-15"
#define STS_API_VERSION	"2011-06-15"
/* Filter values per request: EC2 accepts 200 values per filter. */
#define EC2_FILTER_MAX	200

struct ec2_eni {
	char		*id;
	char		*subnet_id;
	int		 device_index;	/* -1 when not attached */
	int		 card_index;
	struct eip_ip	 primary_ip;	/* family 0 if none */
	struct eip_ip	*ips;		/* primary and secondary addresses */
	size_t		 nips;
	/*
	 * Delegated prefixes (ipv4PrefixSet): each takes one slot of the
	 * interface's limit, and every address in it is in use.
	 */
	size_t		 nprefixes;
	struct eip_ip	*prefix_ips;
	size_t		 nprefix_ips;
};

struct ec2_instance {
	char		*id;
	char		*type;
	char		*state;
	char		*vpc_id;
	char		*zone;
	struct ec2_eni	*enis;
	size_t		 nenis;
};

struct ec2_instances {
	struct ec2_instance	*v;
	size_t			 n;
	char			*next_token;
};

struct ec2_itype {
	char		*name;
	int		 ipv4_per_eni;
	int		 max_enis;
};

struct ec2_itypes {
	struct ec2_itype	*v;
	size_t			 n;
	char			*next_token;
};

struct ec2_subnet {
	char		*id;
	char		*vpc_id;
	char		*zone;
	struct eip_cidr	 cidr;
};

struct ec2_subnets {
	struct ec2_subnet	*v;
	size_t			 n;
	char			*next_token;
};

/* DescribeNetworkInterfaces: the interfaces and their addresses. */
struct ec2_enis {
	struct ec2_eni	*v;
	size_t		 n;
	char		*next_token;
};

struct ec2_error {
	char		 code[128];
	char		 message[512];
	char		 request_id[80];
};

struct sts_credentials {
	char		*access_key;
	char		*secret_key;
	char		*session_token;
	time_t		 expiration;
};

/* Request bodies (malloc'ed); lists are 1-based and flattened. */
char	*ec2_req_describe_instances(const char *const *ids, size_t n,
	    const char *next_token);
char	*ec2_req_describe_instance_types(const char *const *types, size_t n,
	    const char *next_token);
char	*ec2_req_describe_subnets(const char *const *vpc_ids, size_t n,
	    const char *next_token);
char	*ec2_req_describe_enis(const char *const *subnet_ids, size_t n,
	    const char *next_token);
char	*ec2_req_assign(const char *eni, const struct eip_ip *, size_t n);
char	*ec2_req_unassign(const char *eni, const struct eip_ip *, size_t n);
char	*sts_req_assume_web_identity(const char *role_arn,
	    const char *session_name, const char *token, int duration_s);

/* Responses: 0, or -1 with a reason in err (the output is then empty). */
int	 ec2_parse_instances(const char *, size_t, struct ec2_instances *,
	    char *err, size_t errlen);
int	 ec2_parse_instance_types(const char *, size_t, struct ec2_itypes *,
	    char *err, size_t errlen);
int	 ec2_parse_subnets(const char *, size_t, struct ec2_subnets *,
	    char *err, size_t errlen);
int	 ec2_parse_enis(const char *, size_t, struct ec2_enis *,
	    char *err, size_t errlen);
/* Assign: the addresses the response says were assigned. */
int	 ec2_parse_assign(const char *, size_t, struct eip_ip **, size_t *,
	    char *err, size_t errlen);
/* Unassign: <return>true</return>. */
int	 ec2_parse_unassign(const char *, size_t, char *err, size_t errlen);
/* <Response><Errors><Error> (EC2) or <ErrorResponse><Error> (STS). */
int	 ec2_parse_error(const char *, size_t, struct ec2_error *);
int	 sts_parse_assume(const char *, size_t, struct sts_credentials *,
	    char *err, size_t errlen);

void	 ec2_instances_clear(struct ec2_instances *);
void	 ec2_itypes_clear(struct ec2_itypes *);
void	 ec2_subnets_clear(struct ec2_subnets *);
void	 ec2_enis_clear(struct ec2_enis *);
void	 ec2_eni_clear(struct ec2_eni *);
/* Wipes the secret parts before freeing. */
void	 sts_credentials_clear(struct sts_credentials *);

/* The primary ENI of an instance: device index 0 on network card 0. */
const struct ec2_eni *ec2_primary_eni(const struct ec2_instance *);
/* "aws:///us-east-1a/i-0abc" -> "i-0abc" into out; -1 if not an EC2 id. */
int	 ec2_instance_from_provider_id(const char *, char *out, size_t);
/* ISO 8601 "2099-01-01T00:00:00Z" (fraction optional) -> time_t UTC. */
int	 ec2_parse_time(const char *, time_t *);

#endif
