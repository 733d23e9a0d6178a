/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipamd flags (see options.h).  Flags are accepted as --name=value or
 * --name value; a flags file holds one per line (the simulator writes
 * one), '#' starts a comment.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "xmalloc.h"

enum opt_kind { O_STR, O_INT, O_BOOL, O_DOUBLE, O_ROLES, O_ENUM };

struct opt {
	const char		*name;
	enum opt_kind		 kind;
	size_t			 off;
	const char *const	*values;	/* O_ENUM */
	const char		*help;
};

static const char *const v_log_format[] = { "text", "json", NULL };
static const char *const v_log_level[] = {
	"error", "warn", "info", "debug", "trace", NULL
};
static const char *const v_sandbox[] = { "enforce", "trap", "log", "off", NULL };
static const char *const v_network[] = {
	"OpenShiftSDN", "OVNKubernetes", NULL
};
static const char *const v_selection[] = { "random", "lowest", NULL };
static const char *const v_manual[] = { "halt", "isolate", NULL };

#define OFF(f)	offsetof(struct eipamd_options, f)

static const struct opt opts[] = {
	{ "run-dir", O_STR, OFF(run_dir), NULL, "directory for sockets (0700)" },
	{ "libexec-dir", O_STR, OFF(libexec_dir), NULL, "where the worker programs are" },
	{ "kubeconfig", O_STR, OFF(kubeconfig), NULL, "kubeconfig file (else in-cluster config)" },
	{ "namespace", O_STR, OFF(namespace), NULL, "operator namespace (else the service-account namespace)" },
	{ "service-account-dir", O_STR, OFF(service_account_dir), NULL, "service-account token directory" },
	{ "kube-qps", O_INT, OFF(kube_qps), NULL, "client-side API rate" },
	{ "kube-burst", O_INT, OFF(kube_burst), NULL, "client-side API burst" },
	{ "leader-elect", O_BOOL, OFF(leader_elect), NULL, "use a Lease so only one operator writes" },
	{ "leader-election-id", O_STR, OFF(leader_election_id), NULL, "name of the Lease" },
	{ "leader-lease-duration", O_DOUBLE, OFF(lease_duration), NULL, "seconds a Lease holds without renewal (15)" },
	{ "leader-renew-deadline", O_DOUBLE, OFF(renew_deadline), NULL, "seconds the leader keeps trying to renew (10)" },
	{ "leader-retry-period", O_DOUBLE, OFF(retry_period), NULL, "seconds between attempts (2)" },
	{ "metrics-bind-address", O_STR, OFF(metrics_bind), NULL, "host:port for /metrics" },
	{ "health-probe-bind-address", O_STR, OFF(health_bind), NULL, "host:port for /healthz and /readyz" },
	{ "log-format", O_ENUM, OFF(log_format), v_log_format, "text or json" },
	{ "log-level", O_ENUM, OFF(log_level), v_log_level, "error, warn, info, debug or trace" },
	{ "sandbox", O_ENUM, OFF(sandbox), v_sandbox, "enforce, trap, log or off" },
	{ "debug-attachable", O_BOOL, OFF(debug_attachable), NULL, "keep workers dumpable for gdb/strace" },
	{ "platform", O_STR, OFF(platform), NULL, "override Infrastructure platformStatus.type" },
	{ "network-type", O_ENUM, OFF(network_type), v_network, "override Network status.networkType" },
	{ "ip-selection", O_ENUM, OFF(ip_selection), v_selection, "random or lowest" },
	{ "manual-ip-errors", O_ENUM, OFF(manual_ip_errors), v_manual, "halt or isolate" },
	{ "cloud-credentials-dir", O_STR, OFF(credentials_dir), NULL, "mounted cloud credentials Secret" },
	{ "ca-bundle", O_STR, OFF(ca_bundle), NULL, "extra CA bundle for cloud endpoints" },
	{ "aws-ec2-endpoint", O_STR, OFF(aws_ec2_endpoint), NULL, "EC2 endpoint URL" },
	{ "aws-sts-endpoint", O_STR, OFF(aws_sts_endpoint), NULL, "STS endpoint URL" },
	{ "azure-arm-endpoint", O_STR, OFF(azure_arm_endpoint), NULL, "Azure Resource Manager URL" },
	{ "azure-authority", O_STR, OFF(azure_authority), NULL, "Azure AD authority URL" },
	{ "shutdown-timeout", O_INT, OFF(shutdown_timeout), NULL, "seconds to wait for workers on SIGTERM" },
	{ "heartbeat-ms", O_INT, OFF(heartbeat_ms), NULL, "worker heartbeat period" },
	{ "hang-timeout", O_INT, OFF(hang_timeout), NULL, "seconds without heartbeat before a worker is killed" },
	{ "restart-throttle", O_DOUBLE, OFF(throttle), NULL, "seconds to wait after a death before READY" },
	{ "seed", O_INT, OFF(seed), NULL, "random seed for IP selection (tests)" },
	{ "roles", O_ROLES, OFF(roles), NULL, "comma-separated roles to run (tests)" },
};

#define NOPTS	(sizeof(opts) / sizeof(opts[0]))

void
options_init(struct eipamd_options *o)
{
	memset(o, 0, sizeof(*o));
	o->run_dir = xstrdup("/run/eipam");
	o->libexec_dir = xstrdup(EIP_LIBEXECDIR);
	o->service_account_dir =
	    xstrdup("/var/run/secrets/kubernetes.io/serviceaccount");
	o->kube_qps = 50;
	o->kube_burst = 100;
	o->leader_election_id = xstrdup("egressip-ipam-operator-leader");
	o->lease_duration = 15;
	o->renew_deadline = 10;
	o->retry_period = 2;
	o->metrics_bind = xstrdup("127.0.0.1:8080");
	o->health_bind = xstrdup(":8081");
	o->log_format = xstrdup("text");
	o->log_level = xstrdup("info");
	o->sandbox = xstrdup("enforce");
	o->ip_selection = xstrdup("random");
	o->manual_ip_errors = xstrdup("halt");
	o->credentials_dir = xstrdup("/etc/eipam/cloud-credentials");
	o->shutdown_timeout = 5;
	o->heartbeat_ms = 1000;
	o->hang_timeout = 10;
	o->throttle = 30.0;
	o->seed = -1;
	o->roles = (1u << EIP_ROLE_WATCHER) | (1u << EIP_ROLE_ALLOCATOR) |
	    (1u << EIP_ROLE_CLOUDWORKER) | (1u << EIP_ROLE_METRICSD);
}

void
options_free(struct eipamd_options *o)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (opts[i].kind == O_STR || opts[i].kind == O_ENUM) {
			char **p = (char **)((char *)o + opts[i].off);

			free(*p);
			*p = NULL;
		}
}

static int
set_opt(struct eipamd_options *o, const struct opt *op, const char *val,
    char *err, size_t errlen)
{
	char *p = (char *)o + op->off, *end, *dup, *tok, *save;
	long long n;
	double d;
	size_t i;
	enum eip_role r;

	switch (op->kind) {
	case O_STR:
	case O_ENUM:
		if (op->kind == O_ENUM) {
			for (i = 0; op->values[i] != NULL; i++)
				if (strcmp(val, op->values[i]) == 0)
					break;
			if (op->values[i] == NULL) {
				snprintf(err, errlen, "--%s: '%s' is not one "
				    "of the allowed values", op->name, val);
				return -1;
			}
		}
		free(*(char **)p);
		*(char **)p = xstrdup(val);
		return 0;
	case O_INT:
		errno = 0;
		n = strtoll(val, &end, 10);
		if (errno != 0 || end == val || *end != '\0' || n < -1 ||
		    (op->off != OFF(seed) && n > INT_MAX)) {
			snprintf(err, errlen, "--%s: '%s' is not a number",
			    op->name, val);
			return -1;
		}
		if (op->off == OFF(seed))
			*(long long *)p = n;
		else
			*(int *)p = (int)n;
		return 0;
	case O_DOUBLE:
		d = strtod(val, &end);
		if (end == val || *end != '\0' || d < 0) {
			snprintf(err, errlen, "--%s: '%s' is not a number",
			    op->name, val);
			return -1;
		}
		*(double *)p = d;
		return 0;
	case O_BOOL:
		if (strcmp(val, "true") == 0 || strcmp(val, "1") == 0)
			*(int *)p = 1;
		else if (strcmp(val, "false") == 0 || strcmp(val, "0") == 0)
			*(int *)p = 0;
		else {
			snprintf(err, errlen, "--%s: expected true or false",
			    op->name);
			return -1;
		}
		return 0;
	case O_ROLES:
		*(unsigned *)p = 0;
		dup = xstrdup(val);
		for (tok = strtok_r(dup, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			if (eip_role_parse(tok, &r) == -1 ||
			    r == EIP_ROLE_SUPERVISOR || r == EIP_ROLE_CTL) {
				snprintf(err, errlen, "--roles: unknown worker "
				    "role '%s'", tok);
				free(dup);
				return -1;
			}
			*(unsigned *)p |= 1u << r;
		}
		free(dup);
		return 0;
	}
	return -1;
}

static int
parse_one(struct eipamd_options *o, const char *arg, const char *next,
    int *used_next, char *err, size_t errlen)
{
	const char *name, *eq;
	size_t nlen, i;

	*used_next = 0;
	if (strncmp(arg, "--", 2) != 0) {
		snprintf(err, errlen, "unexpected argument '%s'", arg);
		return -1;
	}
	name = arg + 2;
	eq = strchr(name, '=');
	nlen = eq != NULL ? (size_t)(eq - name) : strlen(name);
	if (nlen == 10 && strncmp(name, "flags-file", 10) == 0) {
		if (eq == NULL && next == NULL) {
			snprintf(err, errlen, "--flags-file needs a file");
			return -1;
		}
		*used_next = eq == NULL;
		return options_parse_file(o, eq != NULL ? eq + 1 : next, err,
		    errlen);
	}
	for (i = 0; i < NOPTS; i++) {
		if (strlen(opts[i].name) != nlen ||
		    strncmp(opts[i].name, name, nlen) != 0)
			continue;
		if (eq != NULL)
			return set_opt(o, &opts[i], eq + 1, err, errlen);
		if (opts[i].kind == O_BOOL)
			return set_opt(o, &opts[i], "true", err, errlen);
		if (next == NULL) {
			snprintf(err, errlen, "--%s needs a value", opts[i].name);
			return -1;
		}
		*used_next = 1;
		return set_opt(o, &opts[i], next, err, errlen);
	}
	snprintf(err, errlen, "unknown flag --%.*s", (int)nlen, name);
	return -1;
}

int
options_parse(struct eipamd_options *o, int argc, char **argv, char *err,
    size_t errlen)
{
	int i, used;

	for (i = 1; i < argc; i++) {
		if (parse_one(o, argv[i], i + 1 < argc ? argv[i + 1] : NULL,
		    &used, err, errlen) == -1)
			return -1;
		i += used;
	}
	return 0;
}

int
options_parse_file(struct eipamd_options *o, const char *path, char *err,
    size_t errlen)
{
	char line[4096], *s, *e;
	FILE *fp;
	int used, lineno = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' ||
		    e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		if (parse_one(o, s, NULL, &used, err, errlen) == -1) {
			char why[512];

			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			fclose(fp);
			return -1;
		}
	}
	fclose(fp);
	return 0;
}

static void
set_str(json_t *o, const char *k, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, k, json_string(v));
}

json_t *
options_role_config(const struct eipamd_options *o, enum eip_role role)
{
	json_t *c = json_object();

	switch (role) {
	case EIP_ROLE_WATCHER:
		set_str(c, "kubeconfig", o->kubeconfig);
		set_str(c, "namespace", o->namespace);
		set_str(c, "service_account_dir", o->service_account_dir);
		json_object_set_new(c, "kube_qps", json_integer(o->kube_qps));
		json_object_set_new(c, "kube_burst", json_integer(o->kube_burst));
		json_object_set_new(c, "leader_elect",
		    json_boolean(o->leader_elect));
		set_str(c, "leader_election_id", o->leader_election_id);
		json_object_set_new(c, "lease_ms",
		    json_integer((json_int_t)(o->lease_duration * 1000)));
		json_object_set_new(c, "renew_ms",
		    json_integer((json_int_t)(o->renew_deadline * 1000)));
		json_object_set_new(c, "retry_ms",
		    json_integer((json_int_t)(o->retry_period * 1000)));
		json_object_set_new(c, "shutdown_timeout",
		    json_integer(o->shutdown_timeout));
		break;
	case EIP_ROLE_ALLOCATOR:
		set_str(c, "namespace", o->namespace);
		set_str(c, "platform", o->platform);
		set_str(c, "network_type", o->network_type);
		set_str(c, "ip_selection", o->ip_selection);
		set_str(c, "manual_ip_errors", o->manual_ip_errors);
		json_object_set_new(c, "seed", json_integer(o->seed));
		break;
	case EIP_ROLE_CLOUDWORKER:
		set_str(c, "platform", o->platform);
		set_str(c, "credentials_dir", o->credentials_dir);
		set_str(c, "ca_bundle", o->ca_bundle);
		set_str(c, "aws_ec2_endpoint", o->aws_ec2_endpoint);
		set_str(c, "aws_sts_endpoint", o->aws_sts_endpoint);
		set_str(c, "azure_arm_endpoint", o->azure_arm_endpoint);
		set_str(c, "azure_authority", o->azure_authority);
		break;
	case EIP_ROLE_METRICSD:
		set_str(c, "metrics_bind", o->metrics_bind);
		set_str(c, "health_bind", o->health_bind);
		break;
	default:
		break;
	}
	return c;
}

void
options_usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: eipamd [--flag=value ...] [--flags-file FILE]\n");
	for (i = 0; i < NOPTS; i++)
		fprintf(fp, "  --%-28s %s\n", opts[i].name, opts[i].help);
}
