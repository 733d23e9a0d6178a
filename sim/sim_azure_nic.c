/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ARM network interfaces of the simulator: GET, and the whole-object PUT
 * with If-Match, validation of every ipConfiguration (subnet, reserved
 * and allocated addresses, the per-NIC limit, load-balancer pools), and
 * the long-running operation it starts (Azure-AsyncOperation polling,
 * InProgress then Succeeded, or Failed with the NIC restored).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim_az.h"
#include "xmalloc.h"

#define OPS_KEPT	1024

static char *
op_url(struct sim_cloud *sc, const struct sc_azop *op, const char *apiver)
{
	char *s;

	xasprintf(&s, "%s/azure/arm/subscriptions/%s/providers/"
	    "Microsoft.Network/locations/%s/operations/%s?api-version=%s",
	    sc->base_url, sc->az->sub, sc->az->location, op->id, apiver);
	return s;
}

void
az_nic_get(struct sc_ctx *ctx, struct sc_aznic *nic)
{
	arm_reply(ctx, 200, json_deep_copy(nic->doc));
}

static void
op_complete(struct sim_cloud *sc, struct sc_azop *op)
{
	struct sc_aznic *nic = az_nic_find(sc->az, op->nic);
	char etag[48];

	op->end = sc_now(sc);
	op->state = op->fail ? OP_FAILED : OP_SUCCEEDED;
	if (nic == NULL || nic->op != op)
		return;
	if (op->fail && nic->prev != NULL) {
		/* The change did not happen; the NIC says why it failed. */
		json_decref(nic->doc);
		nic->doc = nic->prev;
		nic->prev = NULL;
		az_nic_state(nic->doc, "Failed");
	} else
		az_nic_state(nic->doc, "Succeeded");
	json_decref(nic->prev);
	nic->prev = NULL;
	az_etag(sc, etag, sizeof(etag));
	az_set_etag(nic->doc, etag);
	nic->op = NULL;
}

void
az_ops_tick(struct sim_cloud *sc)
{
	struct sc_azure *az = sc->az;
	double now = sc_now(sc);
	size_t i;

	for (i = 0; i < az->nops; i++)
		if (az->ops[i]->state == OP_RUNNING &&
		    now - az->ops[i]->start >= az->lro_max)
			op_complete(sc, az->ops[i]);
}

void
az_op_get(struct sc_ctx *ctx, const char *id)
{
	struct sim_cloud *sc = ctx->sc;
	struct sc_azure *az = sc->az;
	struct sc_azop *op = NULL;
	char t0[40], t1[40], ra[16];
	json_t *body;
	size_t i;

	for (i = 0; i < az->nops; i++)
		if (strcasecmp(az->ops[i]->id, id) == 0)
			op = az->ops[i];
	if (op == NULL) {
		arm_error(ctx, 404, "NotFound", "Operation %.64s was not found.",
		    id);
		return;
	}
	if (op->state == OP_RUNNING && ++op->polls > az->lro_polls)
		op_complete(sc, op);
	sc_iso8601(op->start, 1, t0, sizeof(t0));
	body = json_pack("{s:s, s:s, s:s}", "name", op->id, "status",
	    op->state == OP_RUNNING ? "InProgress" : op->state ==
	    OP_SUCCEEDED ? "Succeeded" : "Failed", "startTime", t0);
	if (op->state != OP_RUNNING) {
		sc_iso8601(op->end, 1, t1, sizeof(t1));
		json_object_set_new(body, "endTime", json_string(t1));
	}
	if (op->state == OP_FAILED)
		json_object_set_new(body, "error", json_pack("{s:s, s:s, s:[]}",
		    "code", op->code, "message", op->message, "details"));
	arm_reply(ctx, 200, body);
	if (op->state == OP_RUNNING) {
		snprintf(ra, sizeof(ra), "%d", az->lro_retry);
		sim_resp_header(ctx->resp, "Retry-After", ra);
	}
}

static int
pool_known(struct sc_azure *az, const char *id)
{
	return id != NULL && (strcasecmp(id, az->pool_public) == 0 ||
	    strcasecmp(id, az->pool_internal) == 0);
}

/* What the PUT is turned into, one ipConfiguration at a time. */
struct nic_cfg {
	json_t		*c;		/* the new ipConfiguration (borrowed) */
	const char	*name;
	struct sc_subnet *subnet;
	int		 is_static;
	int		 primary;
	struct eip_ip	 ip;
	int		 has_ip;
};

/* The address an ipConfiguration of this name had before, if any. */
static int
old_address(const json_t *olddoc, const char *name, struct eip_ip *ip)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(olddoc,
	    "properties"), "ipConfigurations"), i, c)
		if (strcasecmp(json_string_value(json_object_get(c, "name")),
		    name) == 0)
			return ip_parse(json_string_value(json_object_get(
			    json_object_get(c, "properties"), "privateIPAddress")),
			    ip) == 0 ? 0 : -1;
	return -1;
}

/* Checks one ipConfiguration's shape; fills cfg. */
static int
cfg_read(struct sc_ctx *ctx, json_t *c, struct nic_cfg *cfg)
{
	struct sc_azure *az = ctx->sc->az;
	json_t *p, *sub, *method, *ver, *pools, *pool, *ipv;
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->c = c;
	if (!json_is_object(c) ||
	    !json_is_string(json_object_get(c, "name")) ||
	    json_string_length(json_object_get(c, "name")) == 0 ||
	    json_string_length(json_object_get(c, "name")) > 80 ||
	    !json_is_object(p = json_object_get(c, "properties"))) {
		arm_error(ctx, 400, "InvalidRequestFormat", "Cannot parse the "
		    "request: every ipConfiguration needs a name (1..80 "
		    "characters) and properties.");
		return -1;
	}
	cfg->name = json_string_value(json_object_get(c, "name"));
	sub = json_object_get(p, "subnet");
	if (!json_is_object(sub) ||
	    !json_is_string(json_object_get(sub, "id"))) {
		arm_error(ctx, 400, "SubnetIsRequired", "Subnet is required for "
		    "ipConfiguration %s.", cfg->name);
		return -1;
	}
	if ((cfg->subnet = az_subnet_by_id(az, json_string_value(
	    json_object_get(sub, "id")))) == NULL) {
		arm_error(ctx, 400, "InvalidResourceReference", "Resource "
		    "%.300s referenced by resource %s was not found. Please make "
		    "sure that the referenced resource exists, and that both "
		    "resources are in the same region.", json_string_value(
		    json_object_get(sub, "id")), cfg->name);
		return -1;
	}
	method = json_object_get(p, "privateIPAllocationMethod");
	if (method != NULL && (!json_is_string(method) ||
	    (strcasecmp(json_string_value(method), "Static") != 0 &&
	    strcasecmp(json_string_value(method), "Dynamic") != 0))) {
		arm_error(ctx, 400, "InvalidRequestFormat", "Cannot parse the "
		    "request: privateIPAllocationMethod must be Static or "
		    "Dynamic.");
		return -1;
	}
	cfg->is_static = method != NULL &&
	    strcasecmp(json_string_value(method), "Static") == 0;
	ver = json_object_get(p, "privateIPAddressVersion");
	if (ver != NULL && !json_is_null(ver) && (!json_is_string(ver) ||
	    strcasecmp(json_string_value(ver), "IPv4") != 0)) {
		arm_error(ctx, 400, "InvalidRequestFormat", "Cannot parse the "
		    "request: only IPv4 ipConfigurations are served.");
		return -1;
	}
	ipv = json_object_get(p, "privateIPAddress");
	if (ipv != NULL && !json_is_null(ipv)) {
		if (!json_is_string(ipv) || ip_parse(json_string_value(ipv),
		    &cfg->ip) == -1 || cfg->ip.family != 4) {
			arm_error(ctx, 400, "InvalidRequestFormat", "Cannot parse "
			    "the request: privateIPAddress of %s is not an IPv4 "
			    "address.", cfg->name);
			return -1;
		}
		cfg->has_ip = 1;
	}
	if (cfg->is_static && !cfg->has_ip) {
		arm_error(ctx, 400, "InvalidRequestFormat", "Cannot parse the "
		    "request: a Static ipConfiguration (%s) needs "
		    "privateIPAddress.", cfg->name);
		return -1;
	}
	cfg->primary = json_is_true(json_object_get(p, "primary"));
	pools = json_object_get(p, "loadBalancerBackendAddressPools");
	if (pools != NULL && !json_is_null(pools) && !json_is_array(pools)) {
		arm_error(ctx, 400, "InvalidRequestFormat", "Cannot parse the "
		    "request: loadBalancerBackendAddressPools is not a list.");
		return -1;
	}
	json_array_foreach(pools, i, pool) {
		if (!pool_known(az, json_string_value(json_object_get(pool,
		    "id")))) {
			arm_error(ctx, 400, "InvalidResourceReference", "Resource "
			    "%.300s referenced by resource %s was not found.",
			    json_string_value(json_object_get(pool, "id")) ?
			    json_string_value(json_object_get(pool, "id")) :
			    "(no id)", cfg->name);
			return -1;
		}
		if (az->outbound_rule && !cfg->primary && strcasecmp(
		    json_string_value(json_object_get(pool, "id")),
		    az->pool_public) == 0) {
			arm_error(ctx, 400, "OutboundRuleCannotBeUsedWithBackend"
			    "AddressPoolThatIsReferencedBySecondaryIpConfigs",
			    "OutboundRule %s/outboundRules/outbound cannot be "
			    "used with Backend Address Pool %s that contains "
			    "Secondary IPConfig %s.", az->pool_public,
			    az->pool_public, cfg->name);
			return -1;
		}
	}
	return 0;
}

/* Address rules for a configuration that names its address. */
static int
cfg_check_ip(struct sc_ctx *ctx, struct sc_aznic *nic, struct nic_cfg *cfg,
    const char *cfgid)
{
	struct sc_azure *az = ctx->sc->az;
	struct sc_aznic *holder;
	struct sc_azfront *front;
	const char *hname;
	char s[IP_STRLEN], *hid;

	ip_format(&cfg->ip, s, sizeof(s));
	if (!sc_subnet_contains(cfg->subnet, &cfg->ip)) {
		arm_error(ctx, 400, "PrivateIPAddressNotInSubnet", "IP "
		    "configuration %s is using the private IP address %s which "
		    "is outside of the subnet %s address range.", cfgid, s,
		    cfg->subnet->id);
		return -1;
	}
	if (sc_subnet_reserved(cfg->subnet, &cfg->ip)) {
		arm_error(ctx, 400, "PrivateIPAddressInReservedRange", "IP "
		    "configuration %s is using the private IP address %s which "
		    "falls in reserved IP range of subnet prefix.", cfgid, s);
		return -1;
	}
	if (az_ip_holder(az, &cfg->ip, &holder, &hname, &front) &&
	    holder != nic) {
		if (holder != NULL)
			xasprintf(&hid, "%s/ipConfigurations/%s",
			    json_string_value(json_object_get(holder->doc, "id")),
			    hname);
		else
			hid = xstrdup(front->id);
		arm_error(ctx, 400, "PrivateIPAddressIsAllocated", "IP "
		    "configuration %s is using the private IP address %s which "
		    "is already allocated to resource %s.", cfgid, s, hid);
		free(hid);
		return -1;
	}
	return 0;
}

/*
 * Validates the PUT body against the NIC and builds the new document;
 * NULL after sending the error.
 */
static json_t *
nic_build(struct sc_ctx *ctx, struct sc_aznic *nic, json_t *body,
    const char *etag)
{
	struct sim_cloud *sc = ctx->sc;
	struct sc_azure *az = sc->az;
	struct nic_cfg *cfgs = NULL;
	struct eip_ip *used = NULL, old;
	json_t *nd = NULL, *props, *oldp, *list, *c, *cp, *v;
	const char *loc, *nicid;
	char *cfgid = NULL, s[IP_STRLEN];
	size_t n, i, j, nprim = 0;
	static const char *const ro[] = { "provisioningState", "resourceGuid",
	    "macAddress", "virtualMachine", "primary", "hostedWorkloads",
	    "vnetEncryptionSupported", "dnsSettings", NULL };

	nicid = json_string_value(json_object_get(nic->doc, "id"));
	oldp = json_object_get(nic->doc, "properties");
	loc = json_string_value(json_object_get(body, "location"));
	if (loc == NULL) {
		arm_error(ctx, 400, "LocationRequired", "The location property "
		    "is required for this definition.");
		return NULL;
	}
	if (strcasecmp(loc, az->location) != 0) {
		arm_error(ctx, 400, "InvalidResourceLocation", "The resource "
		    "'%s' already exists in location '%s' in resource group "
		    "'%s'. A resource with the same name cannot be created in "
		    "location '%.64s'. Please select a new resource name.",
		    nic->name, az->location, az->rg, loc);
		return NULL;
	}
	props = json_object_get(body, "properties");
	list = json_object_get(props, "ipConfigurations");
	if (!json_is_object(props) || !json_is_array(list) ||
	    (n = json_array_size(list)) == 0) {
		arm_error(ctx, 400, "NetworkInterfaceMustHaveIpConfiguration",
		    "Network interface %s must have at least one IP "
		    "configuration.", nicid);
		return NULL;
	}
	if (n > (size_t)az->ipconfig_limit) {
		arm_error(ctx, 400, "MaxIpConfigurationsPerNicReached", "Network "
		    "interface %s has %zu IP configurations; at most %d are "
		    "allowed per network interface.", nicid, n,
		    az->ipconfig_limit);
		return NULL;
	}
	nd = json_deep_copy(body);
	props = json_object_get(nd, "properties");
	list = json_object_get(props, "ipConfigurations");
	cfgs = xcalloc(n, sizeof(*cfgs));
	used = xcalloc(n, sizeof(*used));
	json_array_foreach(list, i, c) {
		if (cfg_read(ctx, c, &cfgs[i]) == -1)
			goto fail;
		for (j = 0; j < i; j++)
			if (strcasecmp(cfgs[j].name, cfgs[i].name) == 0) {
				arm_error(ctx, 400, "InvalidRequestFormat",
				    "Cannot parse the request: two "
				    "ipConfigurations are named %s.",
				    cfgs[i].name);
				goto fail;
			}
		nprim += cfgs[i].primary;
	}
	if (n == 1 && nprim == 0)
		cfgs[0].primary = 1, nprim = 1;
	if (nprim != 1) {
		arm_error(ctx, 400, "NetworkInterfaceMustHaveOnePrimary"
		    "IpConfiguration", "Network interface %s must have exactly "
		    "one primary IP configuration; it has %zu.", nicid, nprim);
		goto fail;
	}
	/* Named addresses first, then Dynamic ones around them. */
	for (i = 0; i < n; i++) {
		if (!cfgs[i].is_static && !(cfgs[i].has_ip &&
		    old_address(nic->doc, cfgs[i].name, &old) == 0 &&
		    ip_equal(&old, &cfgs[i].ip)))
			continue;
		xasprintf(&cfgid, "%s/ipConfigurations/%s", nicid, cfgs[i].name);
		if (cfg_check_ip(ctx, nic, &cfgs[i], cfgid) == -1)
			goto fail;
		for (j = 0; j < i; j++)
			if (cfgs[j].has_ip && ip_equal(&cfgs[j].ip,
			    &cfgs[i].ip)) {
				arm_error(ctx, 400, "PrivateIPAddressIsAllocated",
				    "IP configuration %s is using the private IP "
				    "address %s which is already allocated to "
				    "resource %s/ipConfigurations/%s.", cfgid,
				    ip_format(&cfgs[i].ip, s, sizeof(s)), nicid,
				    cfgs[j].name);
				goto fail;
			}
		free(cfgid);
		cfgid = NULL;
		cfgs[i].has_ip = 2;	/* settled */
	}
	for (i = 0, j = 0; i < n; i++)
		if (cfgs[i].has_ip == 2)
			used[j++] = cfgs[i].ip;
	for (i = 0; i < n; i++) {
		if (cfgs[i].has_ip == 2)
			continue;
		/* Dynamic keeps its address while it stays valid. */
		if (old_address(nic->doc, cfgs[i].name, &old) == 0 &&
		    sc_subnet_contains(cfgs[i].subnet, &old)) {
			for (nprim = 0; nprim < j; nprim++)
				if (ip_equal(&used[nprim], &old))
					break;
			if (nprim == j) {
				cfgs[i].ip = old;
				used[j++] = old;
				continue;
			}
		}
		if (az_alloc_ip(az, cfgs[i].subnet, used, j, &cfgs[i].ip) ==
		    -1) {
			arm_error(ctx, 400, "SubnetIsFull", "Subnet %s with "
			    "address prefix has no free address.",
			    cfgs[i].subnet->id);
			goto fail;
		}
		used[j++] = cfgs[i].ip;
	}
	/* The server's fields, whatever the client sent. */
	for (i = 0; i < n; i++) {
		c = cfgs[i].c;
		cp = json_object_get(c, "properties");
		xasprintf(&cfgid, "%s/ipConfigurations/%s", nicid, cfgs[i].name);
		json_object_set_new(c, "id", json_string(cfgid));
		free(cfgid);
		cfgid = NULL;
		json_object_set_new(c, "etag", json_string(etag));
		json_object_set_new(c, "type", json_string(
		    "Microsoft.Network/networkInterfaces/ipConfigurations"));
		json_object_set_new(cp, "privateIPAddress", json_string(
		    ip_format(&cfgs[i].ip, s, sizeof(s))));
		json_object_set_new(cp, "privateIPAllocationMethod", json_string(
		    cfgs[i].is_static ? "Static" : "Dynamic"));
		json_object_set_new(cp, "privateIPAddressVersion",
		    json_string("IPv4"));
		json_object_set_new(cp, "primary", json_boolean(
		    cfgs[i].primary));
		json_object_set_new(cp, "subnet", json_pack("{s:s}", "id",
		    cfgs[i].subnet->id));
		json_object_set_new(cp, "provisioningState",
		    json_string("Updating"));
	}
	for (i = 0; ro[i] != NULL; i++) {
		json_object_del(props, ro[i]);
		if ((v = json_object_get(oldp, ro[i])) != NULL)
			json_object_set(props, ro[i], v);
	}
	json_object_set_new(props, "provisioningState",
	    json_string("Updating"));
	json_object_set(nd, "name", json_object_get(nic->doc, "name"));
	json_object_set(nd, "id", json_object_get(nic->doc, "id"));
	json_object_set(nd, "type", json_object_get(nic->doc, "type"));
	json_object_set_new(nd, "location", json_string(az->location));
	json_object_set_new(nd, "etag", json_string(etag));
	free(cfgs);
	free(used);
	return nd;
fail:
	free(cfgid);
	free(cfgs);
	free(used);
	json_decref(nd);
	return NULL;
}

static void
ops_prune(struct sc_azure *az)
{
	size_t i = 0;

	while (az->nops >= OPS_KEPT && i < az->nops) {
		if (az->ops[i]->state != OP_RUNNING) {
			free(az->ops[i]->nic);
			free(az->ops[i]->code);
			free(az->ops[i]->message);
			free(az->ops[i]);
			memmove(&az->ops[i], &az->ops[i + 1],
			    (az->nops - i - 1) * sizeof(*az->ops));
			az->nops--;
		} else
			i++;
	}
}

void
az_nic_put(struct sc_ctx *ctx, const char *name, const char *apiver)
{
	struct sim_cloud *sc = ctx->sc;
	struct sc_azure *az = sc->az;
	struct sc_aznic *nic = az_nic_find(az, name);
	const struct sim_req *req = ctx->req;
	const char *im = req->header(req, "If-Match");
	const char *inm = req->header(req, "If-None-Match"), *ct;
	struct sc_azop *op;
	json_error_t jerr;
	json_t *body, *nd;
	char etag[48], ra[16], *url;

	if (nic == NULL) {
		arm_error(ctx, 400, "UnsupportedOperation", "eipam-sim does not "
		    "create network interfaces; '%.90s' does not exist.", name);
		return;
	}
	if ((im != NULL && strcmp(im, "*") != 0 && strcmp(im,
	    json_string_value(json_object_get(nic->doc, "etag"))) != 0) ||
	    (inm != NULL && strcmp(inm, "*") == 0)) {
		arm_error(ctx, 412, "PreconditionFailed", "The condition "
		    "specified using HTTP conditional header(s) is not met.");
		return;
	}
	if (nic->op != NULL) {
		url = op_url(sc, nic->op, apiver);
		arm_error(ctx, 409, "AnotherOperationInProgress", "Another "
		    "operation on this or dependent resource is in progress. To "
		    "retrieve status of the operation use uri: %s.", url);
		free(url);
		return;
	}
	ct = req->header(req, "Content-Type");
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0) {
		arm_error(ctx, 415, "UnsupportedMediaType", "The content media "
		    "type '%.64s' is not supported. Only 'application/json' is "
		    "supported.", ct != NULL ? ct : "");
		return;
	}
	body = req->body_len > 0 ? json_loadb(req->body, req->body_len,
	    JSON_REJECT_DUPLICATES, &jerr) : NULL;
	if (!json_is_object(body)) {
		arm_error(ctx, 400, "InvalidRequestContent", "The request "
		    "content was invalid and could not be deserialized: '%s'.",
		    body == NULL && req->body_len > 0 ? jerr.text :
		    "a JSON object is expected");
		json_decref(body);
		return;
	}
	az_etag(sc, etag, sizeof(etag));
	nd = nic_build(ctx, nic, body, etag);
	json_decref(body);
	if (nd == NULL)
		return;
	ops_prune(az);
	op = xcalloc(1, sizeof(*op));
	sc_uuid(sc, op->id);
	op->nic = xstrdup(nic->name);
	op->start = sc_now(sc);
	if (az->fail_next && (az->fail_nic == NULL ||
	    strcasecmp(az->fail_nic, nic->name) == 0)) {
		op->fail = 1;
		op->code = xstrdup(az->fail_code);
		op->message = xstrdup(az->fail_message);
		az->fail_next = 0;
	}
	az->ops = xreallocarray(az->ops, az->nops + 1, sizeof(*az->ops));
	az->ops[az->nops++] = op;
	json_decref(nic->prev);
	nic->prev = nic->doc;
	nic->doc = nd;
	nic->op = op;
	arm_reply(ctx, 200, json_deep_copy(nd));
	url = op_url(sc, op, apiver);
	sim_resp_header(ctx->resp, "Azure-AsyncOperation", url);
	free(url);
	snprintf(ra, sizeof(ra), "%d", az->lro_retry);
	sim_resp_header(ctx->resp, "Retry-After", ra);
	/* With no polls configured the operation is over at once. */
	if (az->lro_polls == 0 && az->lro_max <= 0)
		op_complete(sc, op);
}
