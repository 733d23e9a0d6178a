/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipamd's command line (and --flags-file) parsed into options, and the
 * configuration slice each worker role receives in BOOT: a role only ever
 * sees the settings it needs.
 */
#ifndef EIP_OPTIONS_H
#define EIP_OPTIONS_H

#include <jansson.h>

#include "eip_proto.h"

struct eipamd_options {
	char	*run_dir;
	char	*libexec_dir;
	char	*kubeconfig;
	char	*namespace;
	char	*service_account_dir;
	int	 kube_qps;
	int	 kube_burst;
	int	 leader_elect;
	char	*leader_election_id;
	double	 lease_duration;	/* seconds, client-go defaults */
	double	 renew_deadline;
	double	 retry_period;
	char	*metrics_bind;
	char	*health_bind;
	char	*log_format;
	char	*log_level;
	char	*sandbox;
	int	 debug_attachable;
	char	*platform;
	char	*network_type;
	char	*ip_selection;
	char	*manual_ip_errors;
	char	*credentials_dir;
	char	*ca_bundle;
	char	*aws_ec2_endpoint;
	char	*aws_sts_endpoint;
	char	*azure_arm_endpoint;
	char	*azure_authority;
	int	 shutdown_timeout;
	int	 heartbeat_ms;
	int	 hang_timeout;		/* seconds without heartbeat */
	double	 throttle;		/* restart throttle, seconds */
	long long seed;			/* -1 = OS randomness */
	unsigned roles;			/* bit per enum eip_role */
};

void	 options_init(struct eipamd_options *);
void	 options_free(struct eipamd_options *);
/* Returns 0, or -1 with a message (unknown flag, bad value). */
int	 options_parse(struct eipamd_options *, int argc, char **argv,
	    char *err, size_t errlen);
int	 options_parse_file(struct eipamd_options *, const char *path,
	    char *err, size_t errlen);
/* The BOOT "config" object for a role (new reference). */
json_t	*options_role_config(const struct eipamd_options *, enum eip_role);
void	 options_usage(FILE *);

#endif
