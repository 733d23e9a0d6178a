/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EC2 AssignPrivateIpAddresses and UnassignPrivateIpAddresses with EC2's
 * rules (per-ENI limit by instance type, subnet range and reserved
 * addresses, addresses held elsewhere, AllowReassignment, all or
 * nothing), and the AWS control commands (foreign addresses, STS expiry).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim_aws.h"
#include "xmalloc.h"

static struct sc_eni *
eni_param(struct sc_ctx *ctx, const struct sc_form *f)
{
	const char *id = sc_form_get(f, "NetworkInterfaceId");
	struct sc_eni *e;

	if (id == NULL || *id == '\0') {
		ec2_error(ctx, 400, "MissingParameter", "The request must "
		    "contain the parameter NetworkInterfaceId");
		return NULL;
	}
	if (strncmp(id, "eni-", 4) != 0) {
		ec2_error(ctx, 400, "InvalidNetworkInterfaceID.Malformed",
		    "Invalid id: \"%.64s\" (expecting \"eni-...\")", id);
		return NULL;
	}
	if ((e = aws_eni_find(ctx->sc->aws, id)) == NULL)
		ec2_error(ctx, 400, "InvalidNetworkInterfaceID.NotFound",
		    "The networkInterface ID '%.64s' does not exist", id);
	return e;
}

static int
bool_param(struct sc_ctx *ctx, const struct sc_form *f, const char *name,
    int *out)
{
	const char *v = sc_form_get(f, name);

	*out = 0;
	if (v == NULL)
		return 0;
	if (strcasecmp(v, "true") == 0)
		*out = 1;
	else if (strcasecmp(v, "false") != 0) {
		ec2_error(ctx, 400, "InvalidParameterValue", "Invalid value "
		    "'%.32s' for %s. Expecting a boolean.", v, name);
		return -1;
	}
	return 0;
}

/* Removes address j of e, keeping the order of the rest. */
static void
eni_drop(struct sc_eni *e, size_t j)
{
	memmove(&e->ips[j], &e->ips[j + 1], (e->nips - j - 1) *
	    sizeof(*e->ips));
	e->nips--;
}

static void
eni_add(struct sc_eni *e, const struct eip_ip *ip)
{
	e->ips = xreallocarray(e->ips, e->nips + 1, sizeof(*e->ips));
	e->ips[e->nips++] = *ip;
}

void
ec2_assign(struct sc_ctx *ctx, const struct sc_form *f)
{
	struct sc_aws *aws = ctx->sc->aws;
	struct sc_eni *e, *owner;
	struct eip_ip *want = NULL;
	struct sc_buf b = { 0 };
	char **addrs = NULL, **pfx = NULL, ip[IP_STRLEN], *end;
	const char *cnt = sc_form_get(f, "SecondaryPrivateIpAddressCount");
	size_t n = 0, npfx = 0, nwant = 0, i, j, idx, fresh;
	unsigned long count = 0;
	int realloc_ok;

	if ((e = eni_param(ctx, f)) == NULL ||
	    bool_param(ctx, f, "AllowReassignment", &realloc_ok) == -1)
		return;
	ec2_list(f, "PrivateIpAddress", &addrs, &n);
	ec2_list(f, "Ipv4Prefix", &pfx, &npfx);
	if (npfx > 0 || sc_form_get(f, "Ipv4PrefixCount") != NULL) {
		ec2_error(ctx, 400, "InvalidParameterValue", "IPv4 prefix "
		    "delegation is not served by this simulator.");
		goto out;
	}
	if (cnt != NULL) {
		count = strtoul(cnt, &end, 10);
		if (*cnt == '\0' || *end != '\0' ||
		    !isdigit((unsigned char)*cnt) || count < 1 || count > 50) {
			ec2_error(ctx, 400, "InvalidParameterValue", "Invalid "
			    "value '%.32s' for SecondaryPrivateIpAddressCount",
			    cnt);
			goto out;
		}
	}
	if ((n > 0) == (cnt != NULL)) {
		ec2_error(ctx, 400, n > 0 ? "InvalidParameterCombination" :
		    "MissingParameter", "Specify either PrivateIpAddresses or "
		    "SecondaryPrivateIpAddressCount.");
		goto out;
	}
	want = xcalloc(n + count + 1, sizeof(*want));
	for (i = 0; i < n; i++) {
		if (ip_parse(addrs[i], &want[i]) == -1 ||
		    want[i].family != 4) {
			ec2_error(ctx, 400, "InvalidParameterValue", "invalid "
			    "value for parameter address: %.64s", addrs[i]);
			goto out;
		}
		for (j = 0; j < i; j++)
			if (ip_equal(&want[i], &want[j])) {
				ec2_error(ctx, 400, "InvalidParameterValue",
				    "Address %s appears more than once.",
				    addrs[i]);
				goto out;
			}
		if (!sc_subnet_contains(e->subnet, &want[i])) {
			ec2_error(ctx, 400, "InvalidParameterValue", "Address "
			    "%s does not fall within the subnet's address "
			    "range", addrs[i]);
			goto out;
		}
		if (sc_subnet_reserved(e->subnet, &want[i])) {
			ec2_error(ctx, 400, "InvalidParameterValue", "Address "
			    "%s is in subnet's reserved address range",
			    addrs[i]);
			goto out;
		}
		owner = aws_ip_owner(aws, &want[i], &idx);
		if (owner != NULL && owner != e && (!realloc_ok || idx == 0 ||
		    owner->requester != NULL)) {
			ec2_error(ctx, 400, "InvalidParameterValue", "Address "
			    "%s is already in use by another network interface.",
			    addrs[i]);
			goto out;
		}
	}
	nwant = n;
	for (i = 0; i < count; i++, nwant++)
		if (aws_alloc_ip(aws, e->subnet, want, nwant, &want[nwant]) ==
		    -1) {
			ec2_error(ctx, 400, "InsufficientFreeAddressesInSubnet",
			    "There are not enough free addresses in subnet "
			    "'%s' to satisfy the requested number of "
			    "addresses.", e->subnet->id);
			goto out;
		}
	/* Addresses already on this ENI are kept, not counted twice. */
	for (i = 0, fresh = 0; i < nwant; i++)
		if (aws_ip_owner(aws, &want[i], NULL) != e)
			fresh++;
	if (e->nips + fresh > (size_t)e->limit) {
		ec2_error(ctx, 400, "PrivateIpAddressLimitExceeded", "Number of "
		    "private addresses will exceed limit.");
		goto out;
	}
	ec2_begin(ctx, &b, "AssignPrivateIpAddresses");
	sc_buf_elem(&b, "networkInterfaceId", e->id);
	sc_buf_add(&b, "<assignedPrivateIpAddressesSet>");
	for (i = 0; i < nwant; i++) {
		owner = aws_ip_owner(aws, &want[i], &idx);
		if (owner != e) {
			if (owner != NULL)
				eni_drop(owner, idx);
			eni_add(e, &want[i]);
		}
		sc_buf_add(&b, "<item>");
		sc_buf_elem(&b, "privateIpAddress", ip_format(&want[i], ip,
		    sizeof(ip)));
		sc_buf_add(&b, "</item>");
	}
	sc_buf_add(&b, "</assignedPrivateIpAddressesSet>"
	    "<assignedIpv4PrefixSet/>");
	ec2_finish(ctx, &b, "AssignPrivateIpAddresses");
out:
	free(want);
	ec2_list_free(addrs, n);
	ec2_list_free(pfx, npfx);
}

void
ec2_unassign(struct sc_ctx *ctx, const struct sc_form *f)
{
	struct sc_eni *e;
	struct eip_ip *ips = NULL;
	struct sc_buf b = { 0 };
	char **addrs = NULL;
	size_t n = 0, i, j;

	if ((e = eni_param(ctx, f)) == NULL)
		return;
	ec2_list(f, "PrivateIpAddress", &addrs, &n);
	if (n == 0) {
		ec2_error(ctx, 400, "MissingParameter", "The request must "
		    "contain the parameter PrivateIpAddress");
		goto out;
	}
	ips = xcalloc(n, sizeof(*ips));
	for (i = 0; i < n; i++) {
		if (ip_parse(addrs[i], &ips[i]) == -1 || ips[i].family != 4) {
			ec2_error(ctx, 400, "InvalidParameterValue", "invalid "
			    "value for parameter address: %.64s", addrs[i]);
			goto out;
		}
		for (j = 0; j < e->nips; j++)
			if (ip_equal(&e->ips[j], &ips[i]))
				break;
		if (j == 0) {
			ec2_error(ctx, 400, "InvalidParameterValue", "The "
			    "primary private IP address %s cannot be "
			    "unassigned.", addrs[i]);
			goto out;
		}
		if (j == e->nips) {
			ec2_error(ctx, 400, "InvalidParameterValue", "Some of "
			    "the specified addresses are not assigned to "
			    "interface %s", e->id);
			goto out;
		}
	}
	for (i = 0; i < n; i++)
		for (j = 1; j < e->nips; j++)
			if (ip_equal(&e->ips[j], &ips[i])) {
				eni_drop(e, j);
				break;
			}
	ec2_begin(ctx, &b, "UnassignPrivateIpAddresses");
	sc_buf_add(&b, "<return>true</return>");
	ec2_finish(ctx, &b, "UnassignPrivateIpAddresses");
out:
	free(ips);
	ec2_list_free(addrs, n);
}

static struct sc_inst *
inst_by_node(struct sc_aws *aws, const char *node)
{
	size_t i;

	for (i = 0; node != NULL && i < aws->ninsts; i++)
		if (strcmp(aws->insts[i]->node, node) == 0)
			return aws->insts[i];
	return NULL;
}

/*
 * take-address {"ip": "10.0.128.40"} puts the address on a new unattached
 * ENI in its subnet (another team's interface); with "node": N it becomes
 * a secondary address of that node's primary ENI, put there by someone
 * other than the operator.
 */
static int
aws_take_address(struct sim_cloud *sc, const json_t *args, json_t **res,
    char *err, size_t errlen)
{
	struct sc_aws *aws = sc->aws;
	const char *s = sc_cfg_str(args, "ip", NULL);
	const char *node = sc_cfg_str(args, "node", NULL);
	struct sc_subnet *sn = NULL;
	struct sc_inst *in = NULL;
	struct sc_eni *e;
	struct eip_ip ip;
	size_t i;

	if (s == NULL || ip_parse(s, &ip) == -1 || ip.family != 4) {
		snprintf(err, errlen, "take-address: \"ip\" must be an IPv4 "
		    "address");
		return -1;
	}
	if ((e = aws_ip_owner(aws, &ip, NULL)) != NULL) {
		snprintf(err, errlen, "take-address: %s is held by %s", s,
		    e->id);
		return -1;
	}
	for (i = 0; i < aws->nsubnets && sn == NULL; i++)
		if (sc_subnet_contains(&aws->subnets[i], &ip))
			sn = &aws->subnets[i];
	if (sn == NULL || sc_subnet_reserved(sn, &ip)) {
		snprintf(err, errlen, "take-address: %s is in no subnet or is "
		    "reserved", s);
		return -1;
	}
	if (node != NULL) {
		if ((in = inst_by_node(aws, node)) == NULL ||
		    in->subnet != sn) {
			snprintf(err, errlen, "take-address: node %s is unknown "
			    "or not in %s's subnet", node, s);
			return -1;
		}
		if (in->eni->nips >= (size_t)in->eni->limit) {
			snprintf(err, errlen, "take-address: %s's ENI is full",
			    node);
			return -1;
		}
		eni_add(in->eni, &ip);
		*res = json_pack("{s:s, s:s}", "ip", s, "networkInterface",
		    in->eni->id);
		return 0;
	}
	e = xcalloc(1, sizeof(*e));
	sc_hexid(sc, "eni-", e->id, sizeof(e->id));
	e->kind = xstrdup("interface");
	e->description = xstrdup("foreign: taken through the control API");
	e->subnet = sn;
	e->limit = 50;
	e->created = sc_now(sc);
	snprintf(e->mac, sizeof(e->mac), "0e:00:00:00:%02x:%02x",
	    (unsigned)(ip.v >> 8 & 0xff), (unsigned)(ip.v & 0xff));
	eni_add(e, &ip);
	aws->enis = xreallocarray(aws->enis, aws->nenis + 1,
	    sizeof(*aws->enis));
	aws->enis[aws->nenis++] = e;
	*res = json_pack("{s:s, s:s}", "ip", s, "networkInterface", e->id);
	return 0;
}

/* release-address {"ip"}: frees a secondary address, or a taken ENI. */
static int
aws_release_address(struct sim_cloud *sc, const json_t *args, json_t **res,
    char *err, size_t errlen)
{
	struct sc_aws *aws = sc->aws;
	const char *s = sc_cfg_str(args, "ip", NULL);
	struct sc_eni *e;
	struct eip_ip ip;
	size_t idx, i;

	if (s == NULL || ip_parse(s, &ip) == -1 ||
	    (e = aws_ip_owner(aws, &ip, &idx)) == NULL) {
		snprintf(err, errlen, "release-address: \"ip\" is not held");
		return -1;
	}
	if (idx > 0)
		eni_drop(e, idx);
	else if (e->inst == NULL && e->requester == NULL) {
		for (i = 0; i < aws->nenis; i++)
			if (aws->enis[i] == e) {
				memmove(&aws->enis[i], &aws->enis[i + 1],
				    (aws->nenis - i - 1) * sizeof(*aws->enis));
				aws->nenis--;
				break;
			}
		free(e->kind);
		free(e->description);
		free(e->requester);
		free(e->ips);
		free(e);
	} else {
		snprintf(err, errlen, "release-address: %s is a primary "
		    "address", s);
		return -1;
	}
	*res = json_pack("{s:s}", "released", s);
	return 0;
}

int
sc_aws_control(struct sim_cloud *sc, const char *cmd, const json_t *args,
    json_t **res, char *err, size_t errlen)
{
	struct sc_aws *aws = sc->aws;
	double v;
	size_t i;

	if (strcmp(cmd, "take-address") == 0)
		return aws_take_address(sc, args, res, err, errlen);
	if (strcmp(cmd, "release-address") == 0)
		return aws_release_address(sc, args, res, err, errlen);
	if (strcmp(cmd, "sts-expire") == 0) {
		/* Every temporary credential issued so far expires now. */
		for (i = 0; i < aws->ncreds; i++)
			if (aws->creds[i].exp > sc_now(sc) - 1)
				aws->creds[i].exp = sc_now(sc) - 1;
		*res = json_pack("{s:i}", "expired", (int)aws->ncreds);
		return 0;
	}
	if (strcmp(cmd, "sts-duration") == 0) {
		/* {"seconds": N}: caps new credentials' lifetime (0 = none). */
		v = sc_cfg_num(args, "seconds", -1);
		if (!(v >= 0 && v <= 43200)) {
			snprintf(err, errlen, "sts-duration: seconds 0..43200");
			return -1;
		}
		aws->sts_max = v;
		*res = json_pack("{s:f}", "seconds", v);
		return 0;
	}
	snprintf(err, errlen, "unknown cloud command '%.64s' for AWS", cmd);
	return -1;
}
