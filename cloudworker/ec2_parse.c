/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EC2 and STS responses into the structures of ec2.h, through the
 * Expat element tree.  Every value from the cloud is checked (ids are
 * bounded, addresses must parse); an item that does not check fails the
 * whole response rather than being half used.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec2.h"
#include "xmalloc.h"
#include "xml.h"

#define ID_MAX	255

/* A bounded id-like string, or NULL when absent; *bad on overlong. */
static char *
dup_id(const struct eip_xnode *n, const char *path, int *bad)
{
	const char *s = xml_text(n, path);

	if (s == NULL || *s == '\0')
		return NULL;
	if (strlen(s) > ID_MAX) {
		*bad = 1;
		return NULL;
	}
	return xstrdup(s);
}

static int
parse_int(const char *s, int def, int *bad)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > 1000000) {
		*bad = 1;
		return def;
	}
	return (int)v;
}

/* Checks the root element's name; returns the root or NULL. */
static struct eip_xnode *
parse_root(const char *buf, size_t len, const char *want, char *err,
    size_t errlen)
{
	struct eip_xnode *root;

	if ((root = xml_parse(buf, len, err, errlen)) == NULL)
		return NULL;
	if (strcmp(root->name, want) != 0) {
		snprintf(err, errlen, "expected <%s>, got <%.64s>", want,
		    root->name);
		xml_free(root);
		return NULL;
	}
	return root;
}

static char *
next_token(const struct eip_xnode *root, int *bad)
{
	return dup_id(root, "nextToken", bad);
}

void
ec2_eni_clear(struct ec2_eni *e)
{
	free(e->id);
	free(e->subnet_id);
	free(e->ips);
	free(e->prefix_ips);
	memset(e, 0, sizeof(*e));
}

static int
ips_add(struct eip_ip **v, size_t *n, const struct eip_ip *ip)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (ip_equal(&(*v)[i], ip))
			return 0;
	if (*n >= 4096)
		return -1;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = *ip;
	return 0;
}

static int
eni_add_ip(struct ec2_eni *e, const char *s)
{
	struct eip_ip ip;

	if (s == NULL || ip_parse(s, &ip) == -1)
		return -1;
	return ips_add(&e->ips, &e->nips, &ip);
}

/*
 * One networkInterfaceSet item, from DescribeInstances or
 * DescribeNetworkInterfaces: both use the same element names.
 */
static int
parse_eni(const struct eip_xnode *it, struct ec2_eni *e, char *err,
    size_t errlen)
{
	const struct eip_xnode *a;
	const char *s;
	int bad = 0;

	memset(e, 0, sizeof(*e));
	e->id = dup_id(it, "networkInterfaceId", &bad);
	e->subnet_id = dup_id(it, "subnetId", &bad);
	e->device_index = parse_int(xml_text(it, "attachment/deviceIndex"), -1,
	    &bad);
	e->card_index = parse_int(xml_text(it,
	    "attachment/networkCardIndex"), 0, &bad);
	if (bad || e->id == NULL) {
		snprintf(err, errlen, "network interface without a valid id "
		    "or attachment");
		goto fail;
	}
	if ((s = xml_text(it, "privateIpAddress")) != NULL && *s != '\0') {
		if (ip_parse(s, &e->primary_ip) == -1) {
			snprintf(err, errlen, "%s: bad privateIpAddress",
			    e->id);
			goto fail;
		}
		eni_add_ip(e, s);
	}
	for (a = xml_path(it, "privateIpAddressesSet/item"); a != NULL;
	    a = xml_next(a)) {
		s = xml_text(a, "privateIpAddress");
		if (eni_add_ip(e, s) == -1) {
			snprintf(err, errlen, "%s: bad private address", e->id);
			goto fail;
		}
		if (xml_text(a, "primary") != NULL &&
		    strcmp(xml_text(a, "primary"), "true") == 0)
			ip_parse(s, &e->primary_ip);
	}
	/*
	 * Delegated prefixes hold addresses too: every address of one is in
	 * use, and the prefix takes one slot of the limit.
	 */
	for (a = xml_path(it, "ipv4PrefixSet/item"); a != NULL;
	    a = xml_next(a)) {
		struct eip_cidr c;
		struct eip_ip ip;
		u128 k;

		s = xml_text(a, "ipv4Prefix");
		if (s == NULL || cidr_parse(s, &c) == -1 || c.len < 24) {
			snprintf(err, errlen, "%s: bad ipv4Prefix", e->id);
			goto fail;
		}
		e->nprefixes++;
		for (k = 0; k <= cidr_last_offset(&c); k++) {
			cidr_nth(&c, k, &ip);
			if (ips_add(&e->prefix_ips, &e->nprefix_ips, &ip) == -1) {
				snprintf(err, errlen, "%s: too many prefixes",
				    e->id);
				goto fail;
			}
		}
	}
	return 0;
fail:
	ec2_eni_clear(e);
	return -1;
}

static void
instance_clear(struct ec2_instance *in)
{
	size_t i;

	free(in->id);
	free(in->type);
	free(in->state);
	free(in->vpc_id);
	free(in->zone);
	for (i = 0; i < in->nenis; i++)
		ec2_eni_clear(&in->enis[i]);
	free(in->enis);
	memset(in, 0, sizeof(*in));
}

void
ec2_instances_clear(struct ec2_instances *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		instance_clear(&l->v[i]);
	free(l->v);
	free(l->next_token);
	memset(l, 0, sizeof(*l));
}

static int
parse_instance(const struct eip_xnode *it, struct ec2_instance *in,
    char *err, size_t errlen)
{
	const struct eip_xnode *ni;
	int bad = 0;

	memset(in, 0, sizeof(*in));
	in->id = dup_id(it, "instanceId", &bad);
	in->type = dup_id(it, "instanceType", &bad);
	in->state = dup_id(it, "instanceState/name", &bad);
	in->vpc_id = dup_id(it, "vpcId", &bad);
	in->zone = dup_id(it, "placement/availabilityZone", &bad);
	if (bad || in->id == NULL) {
		snprintf(err, errlen, "instance without a valid instanceId");
		goto fail;
	}
	for (ni = xml_path(it, "networkInterfaceSet/item"); ni != NULL;
	    ni = xml_next(ni)) {
		in->enis = xreallocarray(in->enis, in->nenis + 1,
		    sizeof(*in->enis));
		if (parse_eni(ni, &in->enis[in->nenis], err, errlen) == -1)
			goto fail;
		in->nenis++;
	}
	return 0;
fail:
	instance_clear(in);
	return -1;
}

int
ec2_parse_instances(const char *buf, size_t len, struct ec2_instances *out,
    char *err, size_t errlen)
{
	const struct eip_xnode *r, *it;
	struct eip_xnode *root;
	int bad = 0;

	memset(out, 0, sizeof(*out));
	if ((root = parse_root(buf, len, "DescribeInstancesResponse", err,
	    errlen)) == NULL)
		return -1;
	for (r = xml_path(root, "reservationSet/item"); r != NULL;
	    r = xml_next(r))
		for (it = xml_path(r, "instancesSet/item"); it != NULL;
		    it = xml_next(it)) {
			out->v = xreallocarray(out->v, out->n + 1,
			    sizeof(*out->v));
			if (parse_instance(it, &out->v[out->n], err,
			    errlen) == -1)
				goto fail;
			out->n++;
		}
	out->next_token = next_token(root, &bad);
	if (bad) {
		snprintf(err, errlen, "nextToken too long");
		goto fail;
	}
	xml_free(root);
	return 0;
fail:
	xml_free(root);
	ec2_instances_clear(out);
	return -1;
}

void
ec2_itypes_clear(struct ec2_itypes *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	free(l->next_token);
	memset(l, 0, sizeof(*l));
}

int
ec2_parse_instance_types(const char *buf, size_t len, struct ec2_itypes *out,
    char *err, size_t errlen)
{
	const struct eip_xnode *it;
	struct eip_xnode *root;
	struct ec2_itype t;
	int bad = 0;

	memset(out, 0, sizeof(*out));
	if ((root = parse_root(buf, len, "DescribeInstanceTypesResponse", err,
	    errlen)) == NULL)
		return -1;
	for (it = xml_path(root, "instanceTypeSet/item"); it != NULL;
	    it = xml_next(it)) {
		memset(&t, 0, sizeof(t));
		t.name = dup_id(it, "instanceType", &bad);
		t.ipv4_per_eni = parse_int(xml_text(it,
		    "networkInfo/ipv4AddressesPerInterface"), -1, &bad);
		t.max_enis = parse_int(xml_text(it,
		    "networkInfo/maximumNetworkInterfaces"), -1, &bad);
		if (bad || t.name == NULL || t.ipv4_per_eni < 1) {
			free(t.name);
			snprintf(err, errlen, "instance type without a name or "
			    "a valid ipv4AddressesPerInterface");
			goto fail;
		}
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = t;
	}
	out->next_token = next_token(root, &bad);
	if (bad) {
		snprintf(err, errlen, "nextToken too long");
		goto fail;
	}
	xml_free(root);
	return 0;
fail:
	xml_free(root);
	ec2_itypes_clear(out);
	return -1;
}

void
ec2_subnets_clear(struct ec2_subnets *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].vpc_id);
		free(l->v[i].zone);
	}
	free(l->v);
	free(l->next_token);
	memset(l, 0, sizeof(*l));
}

int
ec2_parse_subnets(const char *buf, size_t len, struct ec2_subnets *out,
    char *err, size_t errlen)
{
	const struct eip_xnode *it;
	struct eip_xnode *root;
	struct ec2_subnet s;
	const char *c;
	int bad = 0;

	memset(out, 0, sizeof(*out));
	if ((root = parse_root(buf, len, "DescribeSubnetsResponse", err,
	    errlen)) == NULL)
		return -1;
	for (it = xml_path(root, "subnetSet/item"); it != NULL;
	    it = xml_next(it)) {
		memset(&s, 0, sizeof(s));
		s.id = dup_id(it, "subnetId", &bad);
		s.vpc_id = dup_id(it, "vpcId", &bad);
		s.zone = dup_id(it, "availabilityZone", &bad);
		c = xml_text(it, "cidrBlock");
		if (bad || s.id == NULL || c == NULL ||
		    cidr_parse(c, &s.cidr) == -1) {
			free(s.id);
			free(s.vpc_id);
			free(s.zone);
			snprintf(err, errlen, "subnet without a valid id or "
			    "cidrBlock");
			goto fail;
		}
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = s;
	}
	out->next_token = next_token(root, &bad);
	if (bad) {
		snprintf(err, errlen, "nextToken too long");
		goto fail;
	}
	xml_free(root);
	return 0;
fail:
	xml_free(root);
	ec2_subnets_clear(out);
	return -1;
}

void
ec2_enis_clear(struct ec2_enis *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		ec2_eni_clear(&l->v[i]);
	free(l->v);
	free(l->next_token);
	memset(l, 0, sizeof(*l));
}

int
ec2_parse_enis(const char *buf, size_t len, struct ec2_enis *out, char *err,
    size_t errlen)
{
	const struct eip_xnode *it;
	struct eip_xnode *root;
	int bad = 0;

	memset(out, 0, sizeof(*out));
	if ((root = parse_root(buf, len, "DescribeNetworkInterfacesResponse",
	    err, errlen)) == NULL)
		return -1;
	for (it = xml_path(root, "networkInterfaceSet/item"); it != NULL;
	    it = xml_next(it)) {
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		if (parse_eni(it, &out->v[out->n], err, errlen) == -1)
			goto fail;
		out->n++;
	}
	out->next_token = next_token(root, &bad);
	if (bad) {
		snprintf(err, errlen, "nextToken too long");
		goto fail;
	}
	xml_free(root);
	return 0;
fail:
	xml_free(root);
	ec2_enis_clear(out);
	return -1;
}

int
ec2_parse_assign(const char *buf, size_t len, struct eip_ip **ips,
    size_t *n, char *err, size_t errlen)
{
	const struct eip_xnode *it;
	struct eip_xnode *root;
	struct eip_ip ip;

	*ips = NULL;
	*n = 0;
	if ((root = parse_root(buf, len, "AssignPrivateIpAddressesResponse",
	    err, errlen)) == NULL)
		return -1;
	for (it = xml_path(root, "assignedPrivateIpAddressesSet/item");
	    it != NULL; it = xml_next(it)) {
		if (ip_parse(xml_text(it, "privateIpAddress"), &ip) == -1 ||
		    *n >= 4096) {
			snprintf(err, errlen, "bad assigned address");
			free(*ips);
			*ips = NULL;
			*n = 0;
			xml_free(root);
			return -1;
		}
		*ips = xreallocarray(*ips, *n + 1, sizeof(**ips));
		(*ips)[(*n)++] = ip;
	}
	xml_free(root);
	return 0;
}

int
ec2_parse_unassign(const char *buf, size_t len, char *err, size_t errlen)
{
	struct eip_xnode *root;
	const char *r;
	int rc = 0;

	if ((root = parse_root(buf, len, "UnassignPrivateIpAddressesResponse",
	    err, errlen)) == NULL)
		return -1;
	r = xml_text(root, "return");
	if (r != NULL && strcmp(r, "true") != 0) {
		snprintf(err, errlen, "UnassignPrivateIpAddresses returned %.16s",
		    r);
		rc = -1;
	}
	xml_free(root);
	return rc;
}

int
ec2_parse_error(const char *buf, size_t len, struct ec2_error *out)
{
	const struct eip_xnode *e = NULL;
	struct eip_xnode *root;
	const char *s;
	char err[128];

	memset(out, 0, sizeof(*out));
	if ((root = xml_parse(buf, len, err, sizeof(err))) == NULL)
		return -1;
	if (strcmp(root->name, "Response") == 0)
		e = xml_path(root, "Errors/Error");
	else if (strcmp(root->name, "ErrorResponse") == 0)
		e = xml_child(root, "Error");
	else if (strcmp(root->name, "Error") == 0)
		e = root;
	if (e == NULL || (s = xml_text(e, "Code")) == NULL || *s == '\0') {
		xml_free(root);
		return -1;
	}
	snprintf(out->code, sizeof(out->code), "%s", s);
	if ((s = xml_text(e, "Message")) != NULL)
		snprintf(out->message, sizeof(out->message), "%s", s);
	if ((s = xml_text(root, "RequestID")) != NULL ||
	    (s = xml_text(root, "RequestId")) != NULL)
		snprintf(out->request_id, sizeof(out->request_id), "%s", s);
	xml_free(root);
	return 0;
}

void
sts_credentials_clear(struct sts_credentials *c)
{
	if (c->secret_key != NULL)
		explicit_bzero(c->secret_key, strlen(c->secret_key));
	if (c->session_token != NULL)
		explicit_bzero(c->session_token, strlen(c->session_token));
	free(c->access_key);
	free(c->secret_key);
	free(c->session_token);
	memset(c, 0, sizeof(*c));
}

int
sts_parse_assume(const char *buf, size_t len, struct sts_credentials *out,
    char *err, size_t errlen)
{
	const struct eip_xnode *c;
	struct eip_xnode *root;
	const char *ak, *sk, *st, *ex;

	memset(out, 0, sizeof(*out));
	if ((root = parse_root(buf, len, "AssumeRoleWithWebIdentityResponse",
	    err, errlen)) == NULL)
		return -1;
	c = xml_path(root, "AssumeRoleWithWebIdentityResult/Credentials");
	ak = xml_text(c, "AccessKeyId");
	sk = xml_text(c, "SecretAccessKey");
	st = xml_text(c, "SessionToken");
	ex = xml_text(c, "Expiration");
	if (ak == NULL || *ak == '\0' || sk == NULL || *sk == '\0' ||
	    st == NULL || *st == '\0' || strlen(ak) > 128 ||
	    strlen(sk) > 1024 || strlen(st) > 16384) {
		snprintf(err, errlen, "AssumeRoleWithWebIdentity: no usable "
		    "credentials in the response");
		xml_free(root);
		return -1;
	}
	if (ec2_parse_time(ex, &out->expiration) == -1) {
		snprintf(err, errlen, "AssumeRoleWithWebIdentity: bad "
		    "Expiration");
		xml_free(root);
		return -1;
	}
	out->access_key = xstrdup(ak);
	out->secret_key = xstrdup(sk);
	out->session_token = xstrdup(st);
	/* The tree held copies of the secrets: wipe them before freeing. */
	explicit_bzero((char *)sk, strlen(sk));
	explicit_bzero((char *)st, strlen(st));
	xml_free(root);
	return 0;
}

const struct ec2_eni *
ec2_primary_eni(const struct ec2_instance *in)
{
	size_t i;

	for (i = 0; i < in->nenis; i++)
		if (in->enis[i].device_index == 0 &&
		    in->enis[i].card_index == 0)
			return &in->enis[i];
	return NULL;
}
