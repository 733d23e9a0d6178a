/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ARM and AAD JSON (see azjson.h).  The NIC transformation keeps every
 * ipConfiguration it does not own exactly as it came (foreign secondaries
 * and the primary), removes owned ones that are no longer desired, adds
 * `EgressIP<ip>` ones, and aligns the load-balancer pools of owned ones
 * with the IPAM's mode, so an annotation change reaches configurations
 * made before it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "azjson.h"
#include "xmalloc.h"

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static const json_t *
props(const json_t *o)
{
	return json_object_get(o, "properties");
}

void
az_nic_info_clear(struct az_nic_info *n)
{
	free(n->ips);
	memset(n, 0, sizeof(*n));
}

/* The address of an ipConfiguration; 1 when there is one. */
static int
cfg_ip(const json_t *cfg, struct eip_ip *ip, int *bad)
{
	const json_t *v = json_object_get(props(cfg), "privateIPAddress");

	if (v == NULL || json_is_null(v) || (json_is_string(v) &&
	    *json_string_value(v) == '\0'))
		return 0;
	if (!json_is_string(v) || ip_parse(json_string_value(v), ip) == -1) {
		*bad = 1;
		return 0;
	}
	return 1;
}

int
az_nic_info(const json_t *nic, struct az_nic_info *n, char *err,
    size_t errlen)
{
	const json_t *list, *cfg, *pr = NULL;
	struct eip_ip ip;
	size_t i;
	int bad = 0;

	memset(n, 0, sizeof(*n));
	n->id = jstr(nic, "id");
	n->etag = jstr(nic, "etag");
	n->location = jstr(nic, "location");
	n->state = jstr(props(nic), "provisioningState");
	n->vm_id = jstr(json_object_get(props(nic), "virtualMachine"), "id");
	list = json_object_get(props(nic), "ipConfigurations");
	if (!json_is_object(nic) || n->id == NULL || !json_is_array(list) ||
	    json_array_size(list) == 0) {
		snprintf(err, errlen, "network interface without an id or "
		    "ipConfigurations");
		return -1;
	}
	n->nconfigs = json_array_size(list);
	json_array_foreach(list, i, cfg) {
		if (!json_is_object(cfg) || !json_is_string(json_object_get(cfg,
		    "name"))) {
			snprintf(err, errlen, "%s: an ipConfiguration without a "
			    "name", n->id);
			goto fail;
		}
		if (json_is_true(json_object_get(props(cfg), "primary"))) {
			if (pr != NULL) {
				snprintf(err, errlen, "%s: more than one primary "
				    "ipConfiguration", n->id);
				goto fail;
			}
			pr = cfg;
			n->primary_idx = i;
		}
		if (!cfg_ip(cfg, &ip, &bad)) {
			if (bad) {
				snprintf(err, errlen, "%s: ipConfiguration %s has "
				    "a bad privateIPAddress", n->id,
				    jstr(cfg, "name"));
				goto fail;
			}
			n->nipless++;
			continue;
		}
		n->ips = xreallocarray(n->ips, n->nips + 1, sizeof(*n->ips));
		n->ips[n->nips++] = ip;
	}
	/* A single configuration is the primary even if not marked so. */
	if (pr == NULL && json_array_size(list) == 1) {
		pr = json_array_get(list, 0);
		n->primary_implicit = 1;
	}
	if (pr == NULL) {
		snprintf(err, errlen, "%s: no primary ipConfiguration", n->id);
		goto fail;
	}
	cfg_ip(pr, &n->primary, &bad);
	n->subnet_id = jstr(json_object_get(props(pr), "subnet"), "id");
	n->pools = json_object_get(props(pr), "loadBalancerBackendAddressPools");
	if (n->pools != NULL && !json_is_array(n->pools))
		n->pools = NULL;
	if (n->subnet_id == NULL) {
		snprintf(err, errlen, "%s: the primary ipConfiguration has no "
		    "subnet", n->id);
		goto fail;
	}
	return 0;
fail:
	az_nic_info_clear(n);
	return -1;
}

/* The pools an egress configuration should be in: [{"id": ...}]. */
static json_t *
target_pools(const struct az_nic_info *ni, enum az_lb_mode mode)
{
	json_t *out = json_array();
	const json_t *p;
	size_t i;

	if (mode == AZ_LB_NONE || ni->pools == NULL)
		return out;
	json_array_foreach(ni->pools, i, p)
		if (jstr(p, "id") != NULL)
			json_array_append_new(out, json_pack("{s:s}", "id",
			    jstr(p, "id")));
	return out;
}

/* Same pool ids, in any order, ARM ids compared without case. */
static int
pools_equal(const json_t *a, const json_t *b)
{
	const json_t *x, *y;
	size_t i, j, na, nb;

	na = json_is_array(a) ? json_array_size(a) : 0;
	nb = json_is_array(b) ? json_array_size(b) : 0;
	if (na != nb)
		return 0;
	json_array_foreach(a, i, x) {
		json_array_foreach(b, j, y)
			if (jstr(x, "id") != NULL && jstr(y, "id") != NULL &&
			    strcasecmp(jstr(x, "id"), jstr(y, "id")) == 0)
				break;
		if (j == nb)
			return 0;
	}
	return 1;
}

static int
name_taken(const json_t *list, const char *name)
{
	const json_t *c;
	size_t i;

	json_array_foreach(list, i, c)
		if (jstr(c, "name") != NULL && strcasecmp(jstr(c, "name"),
		    name) == 0)
			return 1;
	return 0;
}

static json_t *
new_config(const json_t *list, const struct eip_ip *ip, const char *subnet,
    const json_t *pools)
{
	char s[IP_STRLEN], name[IP_STRLEN + 32];
	int k;

	ip_format(ip, s, sizeof(s));
	snprintf(name, sizeof(name), "%s%s", AZ_EGRESS_PREFIX, s);
	/* A leftover of that name with another address must not clash. */
	for (k = 2; name_taken(list, name) && k < 1000; k++)
		snprintf(name, sizeof(name), "%s%s-%d", AZ_EGRESS_PREFIX, s, k);
	return json_pack("{s:s, s:{s:s, s:s, s:s, s:b, s:{s:s}, s:O}}",
	    "name", name, "properties", "privateIPAddress", s,
	    "privateIPAllocationMethod", "Static", "privateIPAddressVersion",
	    ip->family == 6 ? "IPv6" : "IPv4", "primary", 0, "subnet", "id",
	    subnet, "loadBalancerBackendAddressPools", pools);
}

json_t *
az_nic_transform(const json_t *nic, const struct eip_cidr *owned,
    size_t nowned, const struct eip_ip *desired, size_t ndesired,
    enum az_lb_mode mode, int *changed, struct ensure_plan *plan, char *err,
    size_t errlen)
{
	struct az_nic_info ni;
	struct ensure_input in;
	json_t *out = NULL, *list, *nlist, *cfg, *pools = NULL, *cp;
	struct eip_ip ip;
	size_t i;
	int bad = 0;

	*changed = 0;
	memset(plan, 0, sizeof(*plan));
	if (az_nic_info(nic, &ni, err, errlen) == -1)
		return NULL;
	memset(&in, 0, sizeof(in));
	in.current = ni.ips;
	in.ncurrent = ni.nips;
	in.primary = ni.primary.family != 0 ? &ni.primary : NULL;
	in.owned = owned;
	in.nowned = nowned;
	in.desired = desired;
	in.ndesired = ndesired;
	/* Configurations without an address still take a slot. */
	in.limit = AZ_NIC_IPCONFIG_LIMIT - (int)ni.nipless;
	if (ensure_plan_make(&in, plan, err, errlen) == -1)
		goto fail;
	pools = target_pools(&ni, mode);
	out = json_deep_copy(nic);
	list = json_object_get(json_object_get(out, "properties"),
	    "ipConfigurations");
	nlist = json_array();
	json_array_foreach(list, i, cfg) {
		if (cfg_ip(cfg, &ip, &bad) && !(in.primary != NULL &&
		    ip_equal(&ip, in.primary)) && !json_is_true(json_object_get(
		    props(cfg), "primary")) && plan_owned(owned, nowned, &ip)) {
			if (plan_has(plan->remove, plan->nremove, &ip)) {
				*changed = 1;
				continue;
			}
			/* An owned, kept configuration follows the mode. */
			cp = json_object_get(cfg, "properties");
			if (!pools_equal(json_object_get(cp,
			    "loadBalancerBackendAddressPools"), pools)) {
				json_object_set(cp,
				    "loadBalancerBackendAddressPools", pools);
				*changed = 1;
			}
		}
		/*
		 * A lone configuration is the primary without saying so; with
		 * company it must say so, or ARM refuses the NIC.
		 */
		if (ni.primary_implicit && i == ni.primary_idx &&
		    plan->nadd > 0)
			json_object_set_new(json_object_get(cfg, "properties"),
			    "primary", json_true());
		json_array_append(nlist, cfg);
	}
	for (i = 0; i < plan->nadd; i++) {
		json_array_append_new(nlist, new_config(nlist, &plan->add[i],
		    ni.subnet_id, pools));
		*changed = 1;
	}
	json_object_set_new(json_object_get(out, "properties"),
	    "ipConfigurations", nlist);
	json_decref(pools);
	az_nic_info_clear(&ni);
	return out;
fail:
	json_decref(out);
	json_decref(pools);
	ensure_plan_clear(plan);
	az_nic_info_clear(&ni);
	return NULL;
}

char *
az_vm_primary_nic(const json_t *vm, char *err, size_t errlen)
{
	const json_t *list, *n;
	const char *only = NULL;
	size_t i;

	list = json_object_get(json_object_get(props(vm), "networkProfile"),
	    "networkInterfaces");
	if (!json_is_array(list) || json_array_size(list) == 0) {
		snprintf(err, errlen, "virtual machine %s has no network "
		    "interfaces", jstr(vm, "name") ? jstr(vm, "name") : "?");
		return NULL;
	}
	json_array_foreach(list, i, n) {
		if (jstr(n, "id") == NULL)
			continue;
		/* "primary" may be absent (or null) with one NIC only. */
		if (json_is_true(json_object_get(props(n), "primary")))
			return xstrdup(jstr(n, "id"));
		if (json_array_size(list) == 1)
			only = jstr(n, "id");
	}
	if (only != NULL)
		return xstrdup(only);
	snprintf(err, errlen, "virtual machine %s has no primary network "
	    "interface", jstr(vm, "name") ? jstr(vm, "name") : "?");
	return NULL;
}

static void
used_add(struct eip_ip **v, size_t *n, const struct eip_ip *ip)
{
	if (plan_has(*v, *n, ip))
		return;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = *ip;
}

/* The first four and the last address of a subnet, inside cidr. */
static void
used_reserved(const struct eip_cidr *sub, const struct eip_cidr *cidr,
    struct eip_ip **v, size_t *n)
{
	struct eip_ip ip;
	u128 k;

	for (k = 0; k < 4 && k <= cidr_last_offset(sub); k++) {
		cidr_nth(sub, k, &ip);
		if (cidr_contains(cidr, &ip))
			used_add(v, n, &ip);
	}
	cidr_broadcast(sub, &ip);
	if (cidr_contains(cidr, &ip))
		used_add(v, n, &ip);
}

int
az_vnet_used(const json_t *vnet, const struct eip_cidr *cidr,
    struct eip_ip **used, size_t *nused, char *subnet_cidr, size_t sclen,
    char *err, size_t errlen)
{
	const json_t *subs, *s, *cfgs, *c, *pfx, *pl;
	struct eip_cidr sc;
	struct eip_ip ip;
	char buf[CIDR_STRLEN];
	size_t i, j, k;
	int bad, contains, contains_found = 0;

	*used = NULL;
	*nused = 0;
	if (sclen > 0)
		subnet_cidr[0] = '\0';
	subs = json_object_get(props(vnet), "subnets");
	if (!json_is_array(subs)) {
		snprintf(err, errlen, "virtual network %s lists no subnets",
		    jstr(vnet, "name") ? jstr(vnet, "name") : "?");
		return -1;
	}
	json_array_foreach(subs, i, s) {
		/* addressPrefix, or addressPrefixes on dual-stack subnets. */
		pl = json_object_get(props(s), "addressPrefixes");
		pfx = json_object_get(props(s), "addressPrefix");
		for (k = 0; ; k++) {
			const json_t *p = json_is_array(pl) ?
			    json_array_get(pl, k) : (k == 0 ? pfx : NULL);

			if (p == NULL)
				break;
			if (cidr_parse(json_string_value(p), &sc) == -1) {
				snprintf(err, errlen, "subnet %s has a bad "
				    "address prefix", jstr(s, "name") ?
				    jstr(s, "name") : "?");
				goto fail;
			}
			if (!cidr_overlaps(&sc, cidr))
				continue;
			/* Overlapping with a shorter prefix: it contains. */
			contains = sc.len <= cidr->len;
			if (sclen > 0 && (subnet_cidr[0] == '\0' ||
			    (contains && !contains_found))) {
				snprintf(subnet_cidr, sclen, "%s",
				    cidr_format(&sc, buf, sizeof(buf)));
				contains_found = contains;
			}
			used_reserved(&sc, cidr, used, nused);
		}
		cfgs = json_object_get(props(s), "ipConfigurations");
		json_array_foreach(cfgs, j, c) {
			bad = 0;
			if (cfg_ip(c, &ip, &bad) && cidr_contains(cidr, &ip))
				used_add(used, nused, &ip);
			if (bad) {
				snprintf(err, errlen, "subnet %s: an "
				    "ipConfiguration has a bad address",
				    jstr(s, "name") ? jstr(s, "name") : "?");
				goto fail;
			}
		}
	}
	return 0;
fail:
	free(*used);
	*used = NULL;
	*nused = 0;
	return -1;
}

static json_t *
load_obj(const char *body, size_t len)
{
	json_t *j;

	if (body == NULL)
		return NULL;
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int
aad_parse_token(const char *body, size_t len, char **token, long *expires_in,
    char *err, size_t errlen)
{
	json_t *j = load_obj(body, len), *e;
	const char *t, *tt;
	long long v = -1;
	char *end;

	*token = NULL;
	if (j == NULL) {
		snprintf(err, errlen, "AAD: the token response is not JSON");
		return -1;
	}
	t = jstr(j, "access_token");
	tt = jstr(j, "token_type");
	e = json_object_get(j, "expires_in");
	/* IMDS and some authorities send numbers as strings. */
	if (json_is_integer(e))
		v = json_integer_value(e);
	else if (json_is_string(e)) {
		v = strtoll(json_string_value(e), &end, 10);
		if (*end != '\0' || end == json_string_value(e))
			v = -1;
	}
	if (t == NULL || *t == '\0' || strlen(t) > 65536 || v <= 0 ||
	    v > 31 * 86400 || (tt != NULL && strcasecmp(tt, "Bearer") != 0)) {
		snprintf(err, errlen, "AAD: the token response has no usable "
		    "Bearer access_token and expires_in");
		json_decref(j);
		return -1;
	}
	*token = xstrdup(t);
	*expires_in = (long)v;
	/* Do not leave a copy of the token in freed memory. */
	explicit_bzero((char *)t, strlen(t));
	json_decref(j);
	return 0;
}

int
aad_parse_error(const char *body, size_t len, char *error, size_t elen,
    char *desc, size_t dlen)
{
	json_t *j = load_obj(body, len);
	const char *e, *d;
	size_t n;

	if (elen > 0)
		error[0] = '\0';
	if (dlen > 0)
		desc[0] = '\0';
	if (j == NULL)
		return -1;
	e = jstr(j, "error");
	d = jstr(j, "error_description");
	if (e == NULL) {
		json_decref(j);
		return -1;
	}
	snprintf(error, elen, "%s", e);
	if (d != NULL) {
		n = strcspn(d, "\r\n");
		snprintf(desc, dlen, "%.*s", (int)(n < 400 ? n : 400), d);
	}
	json_decref(j);
	return 0;
}

int
arm_parse_error(const char *body, size_t len, char *code, size_t clen,
    char *msg, size_t mlen)
{
	json_t *j = load_obj(body, len), *e;

	if (clen > 0)
		code[0] = '\0';
	if (mlen > 0)
		msg[0] = '\0';
	if (j == NULL)
		return -1;
	e = json_object_get(j, "error");
	if (!json_is_object(e) || jstr(e, "code") == NULL) {
		json_decref(j);
		return -1;
	}
	snprintf(code, clen, "%s", jstr(e, "code"));
	if (jstr(e, "message") != NULL)
		snprintf(msg, mlen, "%s", jstr(e, "message"));
	json_decref(j);
	return 0;
}

int
az_lro_parse(const char *body, size_t len, enum az_lro *st, char *code,
    size_t clen, char *msg, size_t mlen)
{
	json_t *j = load_obj(body, len), *e;
	const char *s;

	if (clen > 0)
		code[0] = '\0';
	if (mlen > 0)
		msg[0] = '\0';
	if (j == NULL || (s = jstr(j, "status")) == NULL) {
		json_decref(j);
		return -1;
	}
	if (strcasecmp(s, "Succeeded") == 0)
		*st = AZ_LRO_SUCCEEDED;
	else if (strcasecmp(s, "Failed") == 0 || strcasecmp(s, "Canceled") ==
	    0) {
		*st = AZ_LRO_FAILED;
		e = json_object_get(j, "error");
		snprintf(code, clen, "%s", jstr(e, "code") != NULL ?
		    jstr(e, "code") : s);
		if (jstr(e, "message") != NULL)
			snprintf(msg, mlen, "%s", jstr(e, "message"));
	} else
		*st = AZ_LRO_RUNNING;
	json_decref(j);
	return 0;
}

int
az_id_ok(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 1024)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("/-_.()", *s) != NULL))
			return 0;
	return 1;
}

static int
seg(const char **p, char *out, size_t outlen)
{
	const char *s = *p, *e;
	size_t n;

	if (*s != '/')
		return -1;
	s++;
	e = strchr(s, '/');
	n = e != NULL ? (size_t)(e - s) : strlen(s);
	if (n == 0 || n >= outlen)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	*p = s + n;
	return 0;
}

int
az_id_parse(const char *id, char *sub, size_t slen, char *rg, size_t rlen,
    char *type, size_t tlen, char *name, size_t nlen)
{
	char k[256], s[256], r[256], ns[256], t[256], n[256];
	const char *p = id;

	if (!az_id_ok(id))
		return -1;
	if (seg(&p, k, sizeof(k)) == -1 || strcasecmp(k, "subscriptions") ||
	    seg(&p, s, sizeof(s)) == -1 || seg(&p, k, sizeof(k)) == -1 ||
	    strcasecmp(k, "resourceGroups") || seg(&p, r, sizeof(r)) == -1 ||
	    seg(&p, k, sizeof(k)) == -1 || strcasecmp(k, "providers") ||
	    seg(&p, ns, sizeof(ns)) == -1 || seg(&p, t, sizeof(t)) == -1 ||
	    seg(&p, n, sizeof(n)) == -1)
		return -1;
	if (sub != NULL)
		snprintf(sub, slen, "%s", s);
	if (rg != NULL)
		snprintf(rg, rlen, "%s", r);
	if (type != NULL)
		snprintf(type, tlen, "%s/%s", ns, t);
	if (name != NULL)
		snprintf(name, nlen, "%s", n);
	return 0;
}

const char *
az_provider_id_path(const char *pid)
{
	if (pid == NULL || strncmp(pid, "azure://", 8) != 0)
		return NULL;
	pid += 8;
	return *pid == '/' ? pid : NULL;
}

char *
az_subnet_vnet(const char *subnet_id)
{
	const char *p;

	if (!az_id_ok(subnet_id) || (p = strcasestr(subnet_id,
	    "/subnets/")) == NULL || p == subnet_id)
		return NULL;
	return xstrndup(subnet_id, (size_t)(p - subnet_id));
}
