/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Azure Resource Manager front door of the simulator: bearer tokens,
 * api-version, routing (case-insensitive, as ARM is), injected faults,
 * read/write token buckets with 429 + Retry-After, and the read-only
 * resources: VM list (nextLink paging) and GET, NIC list, VNet and subnet
 * GET with $expand of every ipConfiguration.  NIC GET/PUT and operation
 * polling are in sim_azure_nic.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim_az.h"
#include "xmalloc.h"

#define ARM_MAX_SEGS	16

void
arm_reply(struct sc_ctx *ctx, int status, json_t *body)
{
	const char *cid = ctx->req->header(ctx->req, "x-ms-client-request-id");
	char *s;

	s = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (s == NULL)
		s = xstrdup("{}");
	sim_resp_set(ctx->resp, status, "application/json; charset=utf-8", s,
	    strlen(s));
	sim_resp_header(ctx->resp, "x-ms-request-id", ctx->reqid);
	sim_resp_header(ctx->resp, "x-ms-correlation-request-id",
	    cid != NULL && strlen(cid) < 100 ? cid : ctx->reqid);
	if (status < 300)
		sc_set_outcome(ctx, "ok");
}

void
arm_error(struct sc_ctx *ctx, int status, const char *code, const char *fmt,
    ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	arm_reply(ctx, status, json_pack("{s:{s:s, s:s}}", "error", "code",
	    code, "message", msg != NULL ? msg : ""));
	sc_set_outcome(ctx, code);
	free(msg);
}

static int
arm_auth(struct sc_ctx *ctx)
{
	struct sim_cloud *sc = ctx->sc;
	const char *h = ctx->req->header(ctx->req, "Authorization");
	char www[512];
	int r;

	snprintf(www, sizeof(www), "Bearer authorization_uri=\"%s/azure/aad/%s"
	    "\", error=\"invalid_token\", error_description=\"The "
	    "authentication failed because of missing 'Authorization' "
	    "header.\"", sc->base_url, sc->az->tenant);
	if (h == NULL) {
		arm_error(ctx, 401, "AuthenticationFailed", "Authentication "
		    "failed. The 'Authorization' header is missing.");
		sim_resp_header(ctx->resp, "WWW-Authenticate", www);
		return -1;
	}
	if (strncasecmp(h, "Bearer ", 7) != 0) {
		arm_error(ctx, 401, "AuthenticationFailed", "Authentication "
		    "failed. The 'Authorization' header is provided in an "
		    "invalid format.");
		return -1;
	}
	if ((r = sc_aad_check_token(sc, h + 7)) == -2) {
		arm_error(ctx, 401, "ExpiredAuthenticationToken", "The access "
		    "token expiry UTC time is earlier than current UTC time.");
		return -1;
	}
	if (r != 0) {
		arm_error(ctx, 401, "InvalidAuthenticationToken", "The access "
		    "token is invalid.");
		return -1;
	}
	return 0;
}

static json_t *
vm_json(struct sim_cloud *sc, const struct sc_azvm *vm)
{
	struct sc_azure *az = sc->az;
	char *id = az_vm_id(az, vm->name), *nic = az_nic_id(az, vm->nic->name);
	char tag[200];
	json_t *j;

	snprintf(tag, sizeof(tag), "kubernetes.io_cluster.%s", sc->infra);
	j = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s, s:{s:s}, s:s, "
	    "s:{s:s, s:s, s:b}, s:{s:[{s:s, s:{s:b}}]}, s:{s:{s:s, s:s, "
	    "s:i}}}}", "name", vm->name, "id", id, "type",
	    "Microsoft.Compute/virtualMachines", "location", az->location,
	    "tags", tag, "owned", "properties", "vmId", vm->vmid,
	    "hardwareProfile", "vmSize", vm->size, "provisioningState",
	    "Succeeded", "osProfile", "computerName", vm->name,
	    "adminUsername", "core", "allowExtensionOperations", 1,
	    "networkProfile", "networkInterfaces", "id", nic, "properties",
	    "primary", 1, "storageProfile", "osDisk", "osType", "Linux",
	    "name", vm->name, "diskSizeGB", 128);
	if (vm->zone != NULL)
		json_object_set_new(j, "zones", json_pack("[s]", vm->zone));
	free(id);
	free(nic);
	return j;
}

static void
arm_vm_list(struct sc_ctx *ctx, const char *apiver, const char *skip)
{
	struct sim_cloud *sc = ctx->sc;
	struct sc_azure *az = sc->az;
	json_t *value = json_array(), *body;
	unsigned long start = 0;
	char *end, *link;
	size_t i;

	if (skip != NULL) {
		start = strtoul(skip, &end, 10);
		if (*skip == '\0' || *end != '\0' || start > az->nvms) {
			json_decref(value);
			arm_error(ctx, 400, "InvalidSkipToken", "The skip token "
			    "'%.32s' is not valid.", skip);
			return;
		}
	}
	for (i = start; i < az->nvms && i < start + (size_t)az->vm_page; i++)
		json_array_append_new(value, vm_json(sc, az->vms[i]));
	body = json_pack("{s:o}", "value", value);
	if (i < az->nvms) {
		xasprintf(&link, "%s/azure/arm/subscriptions/%s/resourceGroups/"
		    "%s/providers/Microsoft.Compute/virtualMachines?api-version="
		    "%s&%%24skiptoken=%zu", sc->base_url, az->sub, az->rg,
		    apiver, i);
		json_object_set_new(body, "nextLink", json_string(link));
		free(link);
	}
	arm_reply(ctx, 200, body);
}

/* A subnet with its ipConfigurations: references, or expanded. */
static json_t *
subnet_json(struct sim_cloud *sc, const struct sc_subnet *sn, int expand,
    const char *etag)
{
	struct sc_azure *az = sc->az;
	json_t *cfgs = json_array(), *c, *p, *o;
	char cidr[CIDR_STRLEN], ip[IP_STRLEN];
	size_t i, j;

	for (i = 0; i < az->nnics; i++)
		json_array_foreach(json_object_get(json_object_get(
		    az->nics[i]->doc, "properties"), "ipConfigurations"), j, c) {
			p = json_object_get(c, "properties");
			if (strcasecmp(json_string_value(json_object_get(
			    json_object_get(p, "subnet"), "id")), sn->id) != 0)
				continue;
			if (!expand) {
				json_array_append_new(cfgs, json_pack("{s:O}",
				    "id", json_object_get(c, "id")));
				continue;
			}
			o = json_deep_copy(c);
			/* The NIC's load-balancer links are not shown here. */
			json_object_del(json_object_get(o, "properties"),
			    "loadBalancerBackendAddressPools");
			json_array_append_new(cfgs, o);
		}
	for (i = 0; i < az->nfronts; i++) {
		if (az->fronts[i].subnet != sn)
			continue;
		if (!expand)
			o = json_pack("{s:s}", "id", az->fronts[i].id);
		else
			o = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, "
			    "s:{s:s}, s:s}}", "name", az->fronts[i].name, "id",
			    az->fronts[i].id, "etag", etag, "type",
			    "Microsoft.Network/loadBalancers/"
			    "frontendIPConfigurations", "properties",
			    "provisioningState", "Succeeded", "privateIPAddress",
			    ip_format(&az->fronts[i].ip, ip, sizeof(ip)),
			    "privateIPAllocationMethod", "Dynamic", "subnet",
			    "id", sn->id, "privateIPAddressVersion", "IPv4");
		json_array_append_new(cfgs, o);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:o, s:[], s:s, "
	    "s:s}}", "name", sn->name, "id", sn->id, "etag", etag, "type",
	    "Microsoft.Network/virtualNetworks/subnets", "properties",
	    "provisioningState", "Succeeded", "addressPrefix",
	    cidr_format(&sn->cidr, cidr, sizeof(cidr)), "ipConfigurations",
	    cfgs, "delegations", "privateEndpointNetworkPolicies", "Disabled",
	    "privateLinkServiceNetworkPolicies", "Enabled");
}

static void
arm_vnet_get(struct sc_ctx *ctx, const char *expand, const char *subnet)
{
	struct sim_cloud *sc = ctx->sc;
	struct sc_azure *az = sc->az;
	json_t *subs = json_array(), *prefixes = json_array();
	char etag[64], cidr[CIDR_STRLEN], *id;
	size_t i;
	int ex;

	snprintf(etag, sizeof(etag), "W/\"%s\"", az->vnet_guid);
	if (subnet != NULL) {
		ex = expand != NULL && strcasecmp(expand, "ipConfigurations") ==
		    0;
		for (i = 0; i < az->nsubnets; i++)
			if (strcasecmp(az->subnets[i].name, subnet) == 0)
				break;
		json_decref(subs);
		json_decref(prefixes);
		if (i == az->nsubnets) {
			arm_error(ctx, 404, "NotFound", "Resource %s/subnets/"
			    "%.100s not found.", az->vnet, subnet);
			return;
		}
		arm_reply(ctx, 200, subnet_json(sc, &az->subnets[i], ex, etag));
		return;
	}
	ex = expand != NULL && strcasecmp(expand, "subnets/ipConfigurations") ==
	    0;
	for (i = 0; i < az->nsubnets; i++)
		json_array_append_new(subs, subnet_json(sc, &az->subnets[i], ex,
		    etag));
	if (az->vnet_cidr != NULL)
		json_array_append_new(prefixes, json_string(az->vnet_cidr));
	else
		for (i = 0; i < az->nsubnets; i++)
			json_array_append_new(prefixes, json_string(cidr_format(
			    &az->subnets[i].cidr, cidr, sizeof(cidr))));
	id = az_vnet_id(az);
	arm_reply(ctx, 200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:{}, "
	    "s:{s:s, s:s, s:{s:o}, s:o, s:[], s:b}}", "name", az->vnet, "id",
	    id, "etag", etag, "type", "Microsoft.Network/virtualNetworks",
	    "location", az->location, "tags", "properties",
	    "provisioningState", "Succeeded", "resourceGuid", az->vnet_guid,
	    "addressSpace", "addressPrefixes", prefixes, "subnets", subs,
	    "virtualNetworkPeerings", "enableDdosProtection", 0));
	free(id);
}

static void
arm_nic_list(struct sc_ctx *ctx)
{
	struct sc_azure *az = ctx->sc->az;
	json_t *value = json_array();
	size_t i;

	for (i = 0; i < az->nnics; i++)
		json_array_append(value, az->nics[i]->doc);
	arm_reply(ctx, 200, json_pack("{s:o}", "value", value));
}

static int
seg_is(const char *seg, const char *want)
{
	return seg != NULL && strcasecmp(seg, want) == 0;
}

/* What a request is, for statistics, faults and throttles. */
enum arm_route {
	R_NONE = 0, R_VM_LIST, R_VM_GET, R_NIC_LIST, R_NIC, R_VNET, R_SUBNET,
	R_OP,
};

static const char *const route_names[] = {
	"unknown", "vm.list", "vm.get", "nic.list", "nic", "vnet.get",
	"subnet.get", "op.get",
};

void
sc_arm_handle(struct sc_ctx *ctx, const char *path)
{
	struct sim_cloud *sc = ctx->sc;
	struct sc_azure *az = sc->az;
	const struct sim_req *req = ctx->req;
	const struct sc_fault *f;
	struct sc_form q;
	enum arm_route route = R_NONE;
	enum sc_class cls;
	const char *seg[ARM_MAX_SEGS], *apiver, *rgkind = NULL;
	char *copy, *p, *save, rem[32], ra[16];
	struct sc_azvm *vm;
	double wait;
	size_t n = 0;
	int put = strcmp(req->method, "PUT") == 0;

	sc_set_action(ctx, "arm:unknown");
	sc_form_parse(req->query, req->query ? strlen(req->query) : 0, &q);
	copy = xstrdup(path);
	for (p = strtok_r(copy, "/", &save); p != NULL && n < ARM_MAX_SEGS;
	    p = strtok_r(NULL, "/", &save))
		seg[n++] = p;
	if (n >= 8 && seg_is(seg[0], "subscriptions") &&
	    seg_is(seg[2], "providers") &&
	    seg_is(seg[3], "Microsoft.Network") &&
	    seg_is(seg[4], "locations") && seg_is(seg[6], "operations") &&
	    n == 8)
		route = R_OP;
	else if (n >= 7 && seg_is(seg[0], "subscriptions") &&
	    seg_is(seg[2], "resourceGroups") && seg_is(seg[4], "providers")) {
		if (seg_is(seg[5], "Microsoft.Compute") &&
		    seg_is(seg[6], "virtualMachines") && n <= 8)
			route = n == 7 ? R_VM_LIST : R_VM_GET;
		else if (seg_is(seg[5], "Microsoft.Network") &&
		    seg_is(seg[6], "networkInterfaces") && n <= 8)
			route = n == 7 ? R_NIC_LIST : R_NIC;
		else if (seg_is(seg[5], "Microsoft.Network") &&
		    seg_is(seg[6], "virtualNetworks") && (n == 8 ||
		    (n == 10 && seg_is(seg[8], "subnets"))))
			route = n == 8 ? R_VNET : R_SUBNET;
		rgkind = route == R_VNET || route == R_SUBNET ? az->netrg :
		    az->rg;
	}
	if (route == R_NIC)
		sc_set_action(ctx, "arm:nic.%s", put ? "put" : "get");
	else
		sc_set_action(ctx, "arm:%s", route_names[route]);
	if (arm_auth(ctx) == -1)
		goto out;
	apiver = sc_form_get(&q, "api-version");
	if (apiver == NULL || *apiver == '\0') {
		arm_error(ctx, 400, "MissingApiVersionParameter", "The "
		    "api-version query parameter (?api-version=) is required "
		    "for all requests.");
		goto out;
	}
	if (route == R_NONE) {
		arm_error(ctx, 404, "InvalidResourceType", "The resource type "
		    "of '%.200s' is not served by this simulator.", path);
		goto out;
	}
	if (strcasecmp(seg[1], az->sub) != 0) {
		arm_error(ctx, 404, "SubscriptionNotFound", "The subscription "
		    "'%.64s' could not be found.", seg[1]);
		goto out;
	}
	if (route == R_OP && strcasecmp(seg[5], az->location) != 0) {
		arm_error(ctx, 404, "NotFound", "Operation not found in "
		    "location '%.64s'.", seg[5]);
		goto out;
	}
	if (rgkind != NULL && strcasecmp(seg[3], az->rg) != 0 &&
	    strcasecmp(seg[3], az->netrg) != 0) {
		arm_error(ctx, 404, "ResourceGroupNotFound", "Resource group "
		    "'%.90s' could not be found.", seg[3]);
		goto out;
	}
	if ((put && route != R_NIC) || (!put && strcmp(req->method, "GET"))) {
		arm_error(ctx, 405, "MethodNotAllowed", "The requested resource "
		    "does not support http method '%.16s'.", req->method);
		goto out;
	}
	if ((f = sc_fault_check(ctx)) != NULL) {
		arm_error(ctx, f->status ? f->status : 500, f->code ? f->code :
		    "InternalServerError", "%s", f->message ? f->message :
		    "An error has occurred.");
		goto out;
	}
	cls = put ? SC_ARM_WRITE : SC_ARM_READ;
	if (sc_throttle(sc, cls, &wait) == -1) {
		snprintf(ra, sizeof(ra), "%d", (int)ceil(wait) > 0 ?
		    (int)ceil(wait) : 1);
		arm_error(ctx, 429, "SubscriptionRequestsThrottled", "Number of "
		    "'%s' requests for subscription '%s' exceeded. Please try "
		    "again after '%s' seconds after additional tokens are "
		    "available. Refer to https://aka.ms/arm-throttling", put ?
		    "write" : "read", az->sub, ra);
		sim_resp_header(ctx->resp, "Retry-After", ra);
		goto out;
	}
	snprintf(rem, sizeof(rem), "%d", (int)floor(sc->buckets[cls].tokens));
	az_ops_tick(sc);
	switch (route) {
	case R_OP:
		az_op_get(ctx, seg[7]);
		break;
	case R_VM_LIST:
		if (strcasecmp(seg[3], az->rg) != 0)
			arm_reply(ctx, 200, json_pack("{s:[]}", "value"));
		else
			arm_vm_list(ctx, apiver, sc_form_get(&q, "$skiptoken"));
		break;
	case R_VM_GET:
		if ((vm = az_vm_find(az, seg[7])) == NULL ||
		    strcasecmp(seg[3], az->rg) != 0)
			arm_error(ctx, 404, "ResourceNotFound", "The Resource "
			    "'Microsoft.Compute/virtualMachines/%.90s' under "
			    "resource group '%.90s' was not found. For more "
			    "details please go to "
			    "https://aka.ms/ARMResourceNotFoundFix", seg[7],
			    seg[3]);
		else
			arm_reply(ctx, 200, vm_json(sc, vm));
		break;
	case R_NIC_LIST:
		if (strcasecmp(seg[3], az->rg) != 0)
			arm_reply(ctx, 200, json_pack("{s:[]}", "value"));
		else
			arm_nic_list(ctx);
		break;
	case R_NIC:
		if (strcasecmp(seg[3], az->rg) != 0 || (!put &&
		    az_nic_find(az, seg[7]) == NULL))
			arm_error(ctx, 404, "ResourceNotFound", "The Resource "
			    "'Microsoft.Network/networkInterfaces/%.90s' under "
			    "resource group '%.90s' was not found. For more "
			    "details please go to "
			    "https://aka.ms/ARMResourceNotFoundFix", seg[7],
			    seg[3]);
		else if (put)
			az_nic_put(ctx, seg[7], apiver);
		else
			az_nic_get(ctx, az_nic_find(az, seg[7]));
		break;
	case R_VNET:
	case R_SUBNET:
		if (strcasecmp(seg[3], az->netrg) != 0 ||
		    strcasecmp(seg[7], az->vnet) != 0)
			arm_error(ctx, 404, "ResourceNotFound", "The Resource "
			    "'Microsoft.Network/virtualNetworks/%.90s' under "
			    "resource group '%.90s' was not found. For more "
			    "details please go to "
			    "https://aka.ms/ARMResourceNotFoundFix", seg[7],
			    seg[3]);
		else
			arm_vnet_get(ctx, sc_form_get(&q, "$expand"),
			    route == R_SUBNET ? seg[9] : NULL);
		break;
	default:
		break;
	}
	if (ctx->resp->code < 300)
		sim_resp_header(ctx->resp, put ?
		    "x-ms-ratelimit-remaining-subscription-writes" :
		    "x-ms-ratelimit-remaining-subscription-reads", rem);
out:
	free(copy);
	sc_form_free(&q);
}
