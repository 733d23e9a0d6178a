/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the cloud simulator's files: the cloud object, the
 * per-request context, faults, throttles, statistics, and small helpers
 * (string builder, form decoding, ids, time).  sim_cloud.c owns the
 * object; sim_ec2.c, sim_sts.c, sim_azure.c and sim_aad.c serve the APIs.
 */
#ifndef EIP_SIM_CLOUD_PRIV_H
#define EIP_SIM_CLOUD_PRIV_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ipaddr.h"
#include "sim_cloud.h"
#include "sim_http.h"

enum sc_platform {
	SC_AWS = 0,
	SC_AZURE,
};

/* Token-bucket classes: EC2 describe/mutate, ARM read/write. */
enum sc_class {
	SC_EC2_DESCRIBE = 0,
	SC_EC2_MUTATE,
	SC_ARM_READ,
	SC_ARM_WRITE,
	SC_NCLASS,
};

struct sc_bucket {
	double		 rate;		/* tokens per second; <= 0: unlimited */
	double		 burst;		/* bucket size */
	double		 tokens;
	double		 last;		/* time of the last refill */
};

/* An injected fault for one action ("ec2:AssignPrivateIpAddresses", "*"). */
struct sc_fault {
	char		*action;
	double		 rate;		/* probability of an error, 0..1 */
	int		 status;	/* HTTP status of the error */
	char		*code;
	char		*message;
	unsigned	 latency_ms;	/* added to every matching request */
	long		 remaining;	/* errors left to give; -1: no limit */
};

struct sc_aws;
struct sc_azure;

/* A projected service-account token the cloud accepts (web identity). */
struct sc_wi {
	char		*token;
	double		 exp;		/* expiry, cloud time */
};

struct sim_cloud {
	enum sc_platform	 platform;
	char			*variant;	/* static|sts, secret|wi */
	char			*base_url;
	uint64_t		 rng;
	double			 clock_offset;	/* seconds added to real time */
	struct sc_fault		*faults;
	size_t			 nfaults;
	struct sc_bucket	 buckets[SC_NCLASS];
	json_t			*stats;		/* action -> outcome -> count */
	char			*token_path;	/* projected SA token, once written */
	struct sc_wi		*wi;		/* oldest first; the last is current */
	size_t			 nwi;
	char			*infra;		/* infrastructure name */
	struct sc_aws		*aws;
	struct sc_azure		*az;
};

/* One request being served. */
struct sc_ctx {
	struct sim_cloud	*sc;
	const struct sim_req	*req;
	struct sim_resp		*resp;
	char			 reqid[37];
	char			 action[96];	/* statistics key */
	char			 outcome[96];	/* "ok" or the error code */
};

/* A growable NUL-terminated string. */
struct sc_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

void	 sc_buf_addn(struct sc_buf *, const char *, size_t);
void	 sc_buf_add(struct sc_buf *, const char *);
void	 sc_buf_addf(struct sc_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 sc_buf_xml(struct sc_buf *, const char *);	/* escaped text */
/* <name>escaped value</name>; nothing when value is NULL. */
void	 sc_buf_elem(struct sc_buf *, const char *name, const char *value);
char	*sc_buf_take(struct sc_buf *, size_t *len);

/* Decoded application/x-www-form-urlencoded (or query) parameters. */
struct sc_form {
	char	**name;
	char	**value;
	size_t	  n;
};

void	 sc_form_parse(const char *, size_t, struct sc_form *);
const char *sc_form_get(const struct sc_form *, const char *);
void	 sc_form_free(struct sc_form *);
char	*sc_urldecode(const char *, size_t, int plus_is_space);

/* Time: real time plus the control API's offset. */
double	 sc_now(const struct sim_cloud *);
void	 sc_iso8601(double, int millis, char *out, size_t);

/* Deterministic ids from the cloud's generator. */
uint64_t sc_rand(struct sim_cloud *);
double	 sc_rand01(struct sim_cloud *);
void	 sc_uuid(struct sim_cloud *, char out[37]);
void	 sc_hexid(struct sim_cloud *, const char *prefix, char *out, size_t);
/* Unpredictable secrets (getrandom), letters and digits. */
void	 sc_secret(char *out, size_t len, const char *alphabet);
char	*sc_b64url(const void *, size_t);

int	 sc_wildcard(const char *pattern, const char *s);

/* Configuration reading with defaults. */
const char *sc_cfg_str(const json_t *, const char *, const char *dflt);
double	 sc_cfg_num(const json_t *, const char *, double dflt);

/* Throttles and faults (sim_cloud.c). */
int	 sc_throttle(struct sim_cloud *, enum sc_class, double *retry_after);
const struct sc_fault *sc_fault_check(struct sc_ctx *);
void	 sc_set_action(struct sc_ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 sc_set_outcome(struct sc_ctx *, const char *);

/* Subnet address rules shared by EC2 and Azure. */
struct sc_subnet {
	char		*id;		/* subnet-... or the ARM id */
	char		*name;		/* Name tag / ARM name */
	char		*zone;		/* AWS zone; Azure: NULL = every zone */
	json_t		*zones;		/* Azure: zone labels served, or NULL */
	struct eip_cidr	 cidr;
};

/* The subnet's first four addresses and its last one are the cloud's. */
int	 sc_subnet_reserved(const struct sc_subnet *, const struct eip_ip *);
int	 sc_subnet_contains(const struct sc_subnet *, const struct eip_ip *);

/* EC2 and STS (sim_ec2.c, sim_sts.c). */
struct sc_aws	*sc_aws_new(struct sim_cloud *, const json_t *, char *, size_t);
void	 sc_aws_free(struct sc_aws *);
int	 sc_aws_add_node(struct sim_cloud *, const char *, const char *,
	    const char *, char *, size_t, char *, size_t);
int	 sc_aws_remove_node(struct sim_cloud *, const char *);
char	*sc_aws_egress_ipconfig(struct sim_cloud *, const char *);
json_t	*sc_aws_platform_status(struct sim_cloud *);
json_t	*sc_aws_dump(struct sim_cloud *);
void	 sc_ec2_handle(struct sc_ctx *);
void	 sc_sts_handle(struct sc_ctx *);
int	 sc_aws_write_credentials(struct sim_cloud *, const char *dir,
	    char *, size_t);
int	 sc_aws_control(struct sim_cloud *, const char *, const json_t *,
	    json_t **, char *, size_t);
/* STS side of EC2 authentication: 0 found, -1 unknown, -2 expired. */
int	 sc_sts_lookup(struct sim_cloud *, const char *akid, const char **secret,
	    const char **token);

/* Azure ARM and AAD (sim_azure.c, sim_aad.c). */
struct sc_azure	*sc_az_new(struct sim_cloud *, const json_t *, char *, size_t);
void	 sc_az_free(struct sc_azure *);
int	 sc_az_add_node(struct sim_cloud *, const char *, const char *,
	    const char *, char *, size_t, char *, size_t);
int	 sc_az_remove_node(struct sim_cloud *, const char *);
char	*sc_az_egress_ipconfig(struct sim_cloud *, const char *);
json_t	*sc_az_platform_status(struct sim_cloud *);
json_t	*sc_az_dump(struct sim_cloud *);
void	 sc_arm_handle(struct sc_ctx *, const char *path);
void	 sc_aad_handle(struct sc_ctx *, const char *path);
int	 sc_az_write_credentials(struct sim_cloud *, const char *dir,
	    char *, size_t);
int	 sc_az_control(struct sim_cloud *, const char *, const json_t *,
	    json_t **, char *, size_t);
/* Bearer token check for ARM: 0 valid, -1 unknown, -2 expired. */
int	 sc_aad_check_token(struct sim_cloud *, const char *);

/* The projected service-account token (web identity / federated). */
const char *sc_wi_token(struct sim_cloud *);
int	 sc_wi_token_check(struct sim_cloud *, const char *);	/* 0, -1, -2 */
int	 sc_wi_rotate(struct sim_cloud *, int expire_old, char *, size_t);

/* Writes a file with mode 0600 (or 0644); returns 0 or -1 with err. */
int	 sc_write_file(const char *dir, const char *name, const char *content,
	    int mode, char *err, size_t errlen);

#endif
