/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EC2 and STS Query API request bodies, the instance id of a node's
 * providerID, and ISO 8601 times (see ec2.h).  Pure functions.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ec2.h"
#include "form.h"
#include "xmalloc.h"

static void
ec2_action(struct eip_form *f, const char *action)
{
	form_add(f, "Action", action);
	form_add(f, "Version", EC2_API_VERSION);
}

/* Filter.1.Name=<name>&Filter.1.Value.N=... (nothing when n is 0). */
static void
ec2_filter(struct eip_form *f, const char *name, const char *const *v,
    size_t n)
{
	size_t i;

	if (n == 0)
		return;
	form_add(f, "Filter.1.Name", name);
	for (i = 0; i < n; i++)
		form_addf(f, v[i], "Filter.1.Value.%zu", i + 1);
}

static char *
ec2_finish(struct eip_form *f, const char *next_token)
{
	if (next_token != NULL && *next_token != '\0')
		form_add(f, "NextToken", next_token);
	return form_take(f, NULL);
}

/*
 * A filter on instance-id rather than InstanceId.N: one unknown id
 * would fail the whole call with InvalidInstanceID.NotFound, while a
 * filter simply leaves it out, which is what discovery wants to learn.
 */
char *
ec2_req_describe_instances(const char *const *ids, size_t n,
    const char *next_token)
{
	struct eip_form f = { NULL, 0, 0 };

	ec2_action(&f, "DescribeInstances");
	ec2_filter(&f, "instance-id", ids, n);
	return ec2_finish(&f, next_token);
}

char *
ec2_req_describe_instance_types(const char *const *types, size_t n,
    const char *next_token)
{
	struct eip_form f = { NULL, 0, 0 };
	size_t i;

	ec2_action(&f, "DescribeInstanceTypes");
	for (i = 0; i < n; i++)
		form_addf(&f, types[i], "InstanceType.%zu", i + 1);
	return ec2_finish(&f, next_token);
}

char *
ec2_req_describe_subnets(const char *const *vpc_ids, size_t n,
    const char *next_token)
{
	struct eip_form f = { NULL, 0, 0 };

	ec2_action(&f, "DescribeSubnets");
	ec2_filter(&f, "vpc-id", vpc_ids, n);
	form_add(&f, "MaxResults", "1000");
	return ec2_finish(&f, next_token);
}

char *
ec2_req_describe_enis(const char *const *subnet_ids, size_t n,
    const char *next_token)
{
	struct eip_form f = { NULL, 0, 0 };

	ec2_action(&f, "DescribeNetworkInterfaces");
	ec2_filter(&f, "subnet-id", subnet_ids, n);
	form_add(&f, "MaxResults", "1000");
	return ec2_finish(&f, next_token);
}

static char *
ec2_req_ips(const char *action, const char *eni, const struct eip_ip *ips,
    size_t n, int assign)
{
	struct eip_form f = { NULL, 0, 0 };
	char s[IP_STRLEN];
	size_t i;

	ec2_action(&f, action);
	form_add(&f, "NetworkInterfaceId", eni);
	for (i = 0; i < n; i++)
		form_addf(&f, ip_format(&ips[i], s, sizeof(s)),
		    "PrivateIpAddress.%zu", i + 1);
	/* Never take an address away from another interface. */
	if (assign)
		form_add(&f, "AllowReassignment", "false");
	return form_take(&f, NULL);
}

char *
ec2_req_assign(const char *eni, const struct eip_ip *ips, size_t n)
{
	return ec2_req_ips("AssignPrivateIpAddresses", eni, ips, n, 1);
}

char *
ec2_req_unassign(const char *eni, const struct eip_ip *ips, size_t n)
{
	return ec2_req_ips("UnassignPrivateIpAddresses", eni, ips, n, 0);
}

char *
sts_req_assume_web_identity(const char *role_arn, const char *session_name,
    const char *token, int duration_s)
{
	struct eip_form f = { NULL, 0, 0 };
	char d[16];

	form_add(&f, "Action", "AssumeRoleWithWebIdentity");
	form_add(&f, "Version", STS_API_VERSION);
	form_add(&f, "RoleArn", role_arn);
	form_add(&f, "RoleSessionName", session_name);
	form_add(&f, "WebIdentityToken", token);
	if (duration_s > 0) {
		snprintf(d, sizeof(d), "%d", duration_s);
		form_add(&f, "DurationSeconds", d);
	}
	return form_take(&f, NULL);
}

static int
id_ok(const char *s, const char *prefix)
{
	size_t n = strlen(prefix), i;

	if (strncmp(s, prefix, n) != 0 || s[n] == '\0' || strlen(s) > 64)
		return 0;
	for (i = n; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]))
			return 0;
	return 1;
}

int
ec2_instance_from_provider_id(const char *pid, char *out, size_t outlen)
{
	const char *last;

	if (pid == NULL || strncmp(pid, "aws://", 6) != 0)
		return -1;
	last = strrchr(pid, '/');
	if (last == NULL || !id_ok(last + 1, "i-") ||
	    strlen(last + 1) >= outlen)
		return -1;
	snprintf(out, outlen, "%s", last + 1);
	return 0;
}

int
ec2_parse_time(const char *s, time_t *out)
{
	struct tm tm;
	const char *p;
	time_t t;

	if (s == NULL)
		return -1;
	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return -1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*out = t;
	return 0;
}
