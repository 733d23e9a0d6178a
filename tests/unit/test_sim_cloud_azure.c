/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated Azure (AAD + ARM) as pure handlers: token grants and
 * their errors, bearer checks, VM paging, NIC GET/PUT with etags,
 * long-running operations (success, failure, timeout), address rules,
 * the ipConfiguration limit, load-balancer pools, VNet expansion,
 * throttling and the credentials files.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_cloud_test.h"
#include "testutil.h"

#define API	"api-version=2022-07-01"

static struct sim_cloud *sc;
static char *tenant, *client, *secret, *sub, *rg, *vnet;
static char token[4096];

static int
aad(struct sim_cloud *c, const char *ten, const char *body,
    struct sim_resp *r)
{
	char path[256];
	struct tc_req t;

	snprintf(path, sizeof(path), "/azure/aad/%s/oauth2/v2.0/token", ten);
	tc_init(&t, "POST", path, NULL, body);
	tc_hdr(&t, "Content-Type", "application/x-www-form-urlencoded");
	return tc_call(c, &t, r);
}

static void
get_token(struct sim_cloud *c, char *out, size_t len)
{
	char body[512];
	struct sim_resp r;
	json_t *j;

	snprintf(body, sizeof(body), "client_id=%s&client_secret=%s&"
	    "grant_type=client_credentials&scope=https%%3A%%2F%%2F"
	    "management.azure.com%%2F.default&client_info=1", client, secret);
	ck_assert_int_eq(aad(c, tenant, body, &r), 200);
	j = tc_json(&r);
	snprintf(out, len, "Bearer %s", json_string_value(json_object_get(j,
	    "access_token")));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "expires_in")),
	    3599);
	json_decref(j);
	sim_resp_clear(&r);
}

static void
setup(void)
{
	char err[256], pid[512], ip[64];
	json_t *cfg;
	int i;

	cfg = json_loads("{\"region\":\"westeurope\",\"infrastructureName\":"
	    "\"simaz\",\"zones\":[{\"name\":\"westeurope-1\",\"cidr\":"
	    "\"10.0.32.0/19\"},{\"name\":\"westeurope-2\",\"cidr\":"
	    "\"10.0.32.0/19\"}],\"masterCidr\":\"10.0.0.0/19\","
	    "\"vmPageSize\":2}", 0, NULL);
	sc = sim_cloud_new("Azure", "secret", cfg, TC_BASE, err, sizeof(err));
	json_decref(cfg);
	ck_assert_msg(sc != NULL, "%s", err);
	for (i = 0; i < 5; i++) {
		snprintf(err, sizeof(err), "node-%d", i);
		ip[0] = '\0';
		ck_assert_int_eq(sim_cloud_add_node(sc, err, i % 2 ?
		    "westeurope-2" : "westeurope-1", i ? "" : "Standard_D2s_v3",
		    pid, sizeof(pid), ip, sizeof(ip)), 0);
	}
	tenant = tc_dump_str(sc, "tenantId", NULL);
	client = tc_dump_str(sc, "clientId", NULL);
	secret = tc_dump_str(sc, "testCredentials", "clientSecret");
	sub = tc_dump_str(sc, "subscriptionId", NULL);
	rg = tc_dump_str(sc, "resourceGroup", NULL);
	vnet = tc_dump_str(sc, "vnet", NULL);
	get_token(sc, token, sizeof(token));
}

static void
teardown(void)
{
	sim_cloud_free(sc);
	free(tenant);
	free(client);
	free(secret);
	free(sub);
	free(rg);
	free(vnet);
}

/* ARM call: rel is the path after /subscriptions/SUB/resourceGroups/RG. */
static int
arm(const char *method, const char *rel, const char *query, const char *body,
    const char *ifmatch, struct sim_resp *r)
{
	char path[1024];
	struct tc_req t;

	if (rel[0] == '!')	/* subscription-level path */
		snprintf(path, sizeof(path), "/azure/arm/subscriptions/%s%s",
		    sub, rel + 1);
	else
		snprintf(path, sizeof(path), "/azure/arm/subscriptions/%s/"
		    "resourceGroups/%s%s", sub, rg, rel);
	tc_init(&t, method, path, query, body);
	tc_hdr(&t, "Authorization", token);
	tc_hdr(&t, "x-ms-client-request-id", "client-req-1");
	if (body != NULL)
		tc_hdr(&t, "Content-Type", "application/json");
	if (ifmatch != NULL)
		tc_hdr(&t, "If-Match", ifmatch);
	return tc_call(sc, &t, r);
}

static const char *
err_code(const struct sim_resp *r)
{
	static char code[128];
	json_t *j = tc_json(r);

	snprintf(code, sizeof(code), "%s", json_string_value(json_object_get(
	    json_object_get(j, "error"), "code")));
	json_decref(j);
	return code;
}

#define NIC(n)	"/providers/Microsoft.Network/networkInterfaces/" n

static json_t *
nic_get(const char *name)
{
	struct sim_resp r;
	char rel[256];
	json_t *j;

	snprintf(rel, sizeof(rel), NIC("%s"), name);
	ck_assert_int_eq(arm("GET", rel, API, NULL, NULL, &r), 200);
	j = tc_json(&r);
	sim_resp_clear(&r);
	return j;
}

static json_t *
cfgs_of(json_t *nic)
{
	return json_object_get(json_object_get(nic, "properties"),
	    "ipConfigurations");
}

/* Appends an EgressIP ipConfiguration shaped as the operator sends it. */
static void
add_egress(json_t *nic, const char *ip, int pools)
{
	json_t *prim = json_array_get(cfgs_of(nic), 0), *p;
	char name[64];

	snprintf(name, sizeof(name), "EgressIP%s", ip);
	p = json_pack("{s:s, s:{s:s, s:s, s:O, s:b}}", "name", name,
	    "properties", "privateIPAddress", ip, "privateIPAllocationMethod",
	    "Static", "subnet", json_object_get(json_object_get(prim,
	    "properties"), "subnet"), "primary", 0);
	if (pools)
		json_object_set(json_object_get(p, "properties"),
		    "loadBalancerBackendAddressPools", json_object_get(
		    json_object_get(prim, "properties"),
		    "loadBalancerBackendAddressPools"));
	json_array_append_new(cfgs_of(nic), p);
}

static int
nic_put(const char *name, json_t *nic, const char *ifmatch,
    struct sim_resp *r)
{
	char rel[256], *body = json_dumps(nic, JSON_COMPACT);
	int code;

	snprintf(rel, sizeof(rel), NIC("%s"), name);
	code = arm("PUT", rel, API, body, ifmatch, r);
	free(body);
	return code;
}

/* Polls the operation of a PUT response; returns its final status. */
static char *
poll_op(const struct sim_resp *put, int *polls)
{
	const char *url = tc_resp_header(put, "Azure-AsyncOperation");
	char path[512], query[128], *q, *status = NULL;
	struct sim_resp r;
	struct tc_req t;
	json_t *j;

	ck_assert_ptr_nonnull(url);
	ck_assert_int_eq(strncmp(url, TC_BASE "/azure/arm/subscriptions/",
	    strlen(TC_BASE "/azure/arm/subscriptions/")), 0);
	snprintf(path, sizeof(path), "%s", url + strlen(TC_BASE));
	q = strchr(path, '?');
	*q++ = '\0';
	snprintf(query, sizeof(query), "%s", q);
	for (*polls = 0; *polls < 10; (*polls)++) {
		tc_init(&t, "GET", path, query, NULL);
		tc_hdr(&t, "Authorization", token);
		ck_assert_int_eq(tc_call(sc, &t, &r), 200);
		j = tc_json(&r);
		free(status);
		status = strdup(json_string_value(json_object_get(j, "status")));
		if (strcmp(status, "InProgress") == 0)
			ck_assert_str_eq(tc_resp_header(&r, "Retry-After"), "1");
		json_decref(j);
		sim_resp_clear(&r);
		if (strcmp(status, "InProgress") != 0)
			break;
	}
	return status;
}

START_TEST(t_aad)
{
	struct sim_resp r;
	struct tc_req t;
	char path[256], body[512];
	json_t *j;

	snprintf(path, sizeof(path), "/azure/aad/%s/v2.0/.well-known/"
	    "openid-configuration", tenant);
	tc_init(&t, "GET", path, NULL, NULL);
	ck_assert_int_eq(tc_call(sc, &t, &r), 200);
	j = tc_json(&r);
	snprintf(body, sizeof(body), TC_BASE "/azure/aad/%s/oauth2/v2.0/token",
	    tenant);
	ck_assert_str_eq(json_string_value(json_object_get(j,
	    "token_endpoint")), body);
	ck_assert_ptr_nonnull(json_object_get(j, "authorization_endpoint"));
	json_decref(j);
	sim_resp_clear(&r);
	snprintf(body, sizeof(body), "client_id=%s&client_secret=wrong&"
	    "grant_type=client_credentials&scope=https%%3A%%2F%%2F"
	    "management.azure.com%%2F.default", client);
	ck_assert_int_eq(aad(sc, tenant, body, &r), 401);
	j = tc_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "error")),
	    "invalid_client");
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(j,
	    "error_codes"), 0)), 7000215);
	ck_assert_int_eq(strncmp(json_string_value(json_object_get(j,
	    "error_description")), "AADSTS7000215: ", 15), 0);
	json_decref(j);
	sim_resp_clear(&r);
	ck_assert_int_eq(aad(sc, "00000000-0000-0000-0000-000000000000", body,
	    &r), 400);
	sim_resp_clear(&r);
	snprintf(body, sizeof(body), "client_id=%s&client_secret=%s&"
	    "grant_type=client_credentials", client, secret);
	ck_assert_int_eq(aad(sc, tenant, body, &r), 400);
	sim_resp_clear(&r);
	snprintf(body, sizeof(body), "client_id=%s&client_assertion_type="
	    "urn%%3Aietf%%3Aparams%%3Aoauth%%3Aclient-assertion-type%%3A"
	    "jwt-bearer&client_assertion=eyJ.x.y&grant_type="
	    "client_credentials&scope=https%%3A%%2F%%2Fmanagement.azure.com"
	    "%%2F.default", client);
	ck_assert_int_eq(aad(sc, tenant, body, &r), 400);
	j = tc_json(&r);
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(j,
	    "error_codes"), 0)), 700211);
	json_decref(j);
	sim_resp_clear(&r);
	/* An injected AAD failure. */
	json_decref(tc_ctl(sc, "fault", "{\"action\":\"aad:token\",\"rate\":1,"
	    "\"status\":503,\"count\":1}"));
	snprintf(body, sizeof(body), "client_id=%s&client_secret=%s&"
	    "grant_type=client_credentials&scope=https%%3A%%2F%%2F"
	    "management.azure.com%%2F.default", client, secret);
	ck_assert_int_eq(aad(sc, tenant, body, &r), 503);
	sim_resp_clear(&r);
	ck_assert_int_eq(aad(sc, tenant, body, &r), 200);
	sim_resp_clear(&r);
}
END_TEST

START_TEST(t_bearer)
{
	struct sim_resp r;
	struct tc_req t;
	char path[256];

	snprintf(path, sizeof(path), "/azure/arm/subscriptions/%s/"
	    "resourceGroups/%s" NIC("node-0-nic"), sub, rg);
	tc_init(&t, "GET", path, API, NULL);
	ck_assert_int_eq(tc_call(sc, &t, &r), 401);
	ck_assert_str_eq(err_code(&r), "AuthenticationFailed");
	ck_assert_ptr_nonnull(tc_resp_header(&r, "WWW-Authenticate"));
	sim_resp_clear(&r);
	tc_hdr(&t, "Authorization", "Bearer eyJ0eXAi.forged.x");
	ck_assert_int_eq(tc_call(sc, &t, &r), 401);
	ck_assert_str_eq(err_code(&r), "InvalidAuthenticationToken");
	sim_resp_clear(&r);
	ck_assert_int_eq(arm("GET", NIC("node-0-nic"), NULL, NULL, NULL, &r),
	    400);
	ck_assert_str_eq(err_code(&r), "MissingApiVersionParameter");
	sim_resp_clear(&r);
	json_decref(tc_ctl(sc, "aad-expire", NULL));
	ck_assert_int_eq(arm("GET", NIC("node-0-nic"), API, NULL, NULL, &r),
	    401);
	ck_assert_str_eq(err_code(&r), "ExpiredAuthenticationToken");
	sim_resp_clear(&r);
	get_token(sc, token, sizeof(token));
	ck_assert_int_eq(arm("GET", NIC("node-0-nic"), API, NULL, NULL, &r),
	    200);
	ck_assert_str_eq(tc_resp_header(&r, "x-ms-correlation-request-id"),
	    "client-req-1");
	sim_resp_clear(&r);
	/* ARM paths are case-insensitive; unknown ones are errors. */
	ck_assert_int_eq(arm("GET", "/providers/microsoft.network/"
	    "NETWORKINTERFACES/Node-0-NIC", API, NULL, NULL, &r), 200);
	sim_resp_clear(&r);
	ck_assert_int_eq(arm("GET", NIC("nope"), API, NULL, NULL, &r), 404);
	ck_assert_str_eq(err_code(&r), "ResourceNotFound");
	sim_resp_clear(&r);
	ck_assert_int_eq(arm("GET", "/providers/Microsoft.Storage/x", API,
	    NULL, NULL, &r), 404);
	sim_resp_clear(&r);
	ck_assert_int_eq(arm("DELETE", NIC("node-0-nic"), API, NULL, NULL, &r),
	    405);
	sim_resp_clear(&r);
	snprintf(path, sizeof(path), "/azure/arm/subscriptions/%s/"
	    "resourceGroups/other-rg" NIC("node-0-nic"), sub);
	tc_init(&t, "GET", path, API, NULL);
	tc_hdr(&t, "Authorization", token);
	ck_assert_int_eq(tc_call(sc, &t, &r), 404);
	ck_assert_str_eq(err_code(&r), "ResourceGroupNotFound");
	sim_resp_clear(&r);
}
END_TEST

START_TEST(t_vm_list)
{
	char path[1024], *q;
	struct sim_resp r;
	struct tc_req t;
	json_t *j, *vm;
	int pages = 0, vms = 0;

	ck_assert_int_eq(arm("GET", "/providers/Microsoft.Compute/"
	    "virtualMachines", "api-version=2020-06-30", NULL, NULL, &r), 200);
	for (;;) {
		j = tc_json(&r);
		sim_resp_clear(&r);
		pages++;
		vms += (int)json_array_size(json_object_get(j, "value"));
		if (pages == 1) {
			vm = json_array_get(json_object_get(j, "value"), 0);
			ck_assert_str_eq(json_string_value(json_object_get(vm,
			    "name")), "node-0");
			ck_assert_str_eq(json_string_value(json_array_get(
			    json_object_get(vm, "zones"), 0)), "1");
			ck_assert(json_is_true(json_object_get(json_object_get(
			    json_array_get(json_object_get(json_object_get(
			    json_object_get(vm, "properties"), "networkProfile"),
			    "networkInterfaces"), 0), "properties"), "primary")));
		}
		if (json_object_get(j, "nextLink") == NULL) {
			json_decref(j);
			break;
		}
		snprintf(path, sizeof(path), "%s", json_string_value(
		    json_object_get(j, "nextLink")) + strlen(TC_BASE));
		json_decref(j);
		q = strchr(path, '?');
		*q++ = '\0';
		tc_init(&t, "GET", path, q, NULL);
		tc_hdr(&t, "Authorization", token);
		ck_assert_int_eq(tc_call(sc, &t, &r), 200);
	}
	ck_assert_int_eq(vms, 5);
	ck_assert_int_eq(pages, 3);
	ck_assert_int_eq(arm("GET", "/providers/Microsoft.Compute/"
	    "virtualMachines/node-3", API, NULL, NULL, &r), 200);
	j = tc_json(&r);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j,
	    "zones"), 0)), "2");
	json_decref(j);
	sim_resp_clear(&r);
}
END_TEST

START_TEST(t_nic_put_lro)
{
	struct sim_resp r, r2;
	json_t *nic = nic_get("node-1-nic"), *got;
	char *etag = strdup(json_string_value(json_object_get(nic, "etag")));
	char *status;
	int polls;

	ck_assert_int_eq(strncmp(etag, "W/\"", 3), 0);
	add_egress(nic, "10.0.33.10", 1);
	ck_assert_int_eq(nic_put("node-1-nic", nic, etag, &r), 200);
	got = tc_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(got,
	    "properties"), "provisioningState")), "Updating");
	ck_assert_str_ne(json_string_value(json_object_get(got, "etag")), etag);
	ck_assert_str_eq(tc_resp_header(&r, "Retry-After"), "1");
	json_decref(got);
	/* While it runs: another PUT is refused, GET says Updating. */
	ck_assert_int_eq(nic_put("node-1-nic", nic, NULL, &r2), 409);
	ck_assert_str_eq(err_code(&r2), "AnotherOperationInProgress");
	sim_resp_clear(&r2);
	status = poll_op(&r, &polls);
	ck_assert_str_eq(status, "Succeeded");
	ck_assert_int_eq(polls, 1);
	free(status);
	sim_resp_clear(&r);
	got = nic_get("node-1-nic");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(got,
	    "properties"), "provisioningState")), "Succeeded");
	ck_assert_int_eq(json_array_size(cfgs_of(got)), 2);
	/* The pools went along (backend pool references preserved). */
	ck_assert_int_eq(json_array_size(json_object_get(json_object_get(
	    json_array_get(cfgs_of(got), 1), "properties"),
	    "loadBalancerBackendAddressPools")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    cfgs_of(got), 1), "name")), "EgressIP10.0.33.10");
	/* The stale etag no longer matches. */
	ck_assert_int_eq(nic_put("node-1-nic", got, etag, &r), 412);
	ck_assert_str_eq(err_code(&r), "PreconditionFailed");
	sim_resp_clear(&r);
	free(etag);
	etag = strdup(json_string_value(json_object_get(got, "etag")));
	json_decref(tc_ctl(sc, "bump-etag", "{\"nic\":\"node-1-nic\"}"));
	ck_assert_int_eq(nic_put("node-1-nic", got, etag, &r), 412);
	sim_resp_clear(&r);
	free(etag);
	json_decref(got);
	json_decref(nic);
}
END_TEST

START_TEST(t_nic_lro_fail_timeout)
{
	struct sim_resp r;
	json_t *nic = nic_get("node-2-nic"), *got, *op;
	char *status;
	int polls;

	json_decref(tc_ctl(sc, "fail-next-lro", "{\"nic\":\"node-2-nic\","
	    "\"code\":\"InternalServerError\"}"));
	add_egress(nic, "10.0.33.20", 0);
	ck_assert_int_eq(nic_put("node-2-nic", nic, NULL, &r), 200);
	status = poll_op(&r, &polls);
	ck_assert_str_eq(status, "Failed");
	free(status);
	sim_resp_clear(&r);
	got = nic_get("node-2-nic");
	ck_assert_int_eq(json_array_size(cfgs_of(got)), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(got,
	    "properties"), "provisioningState")), "Failed");
	json_decref(got);
	/* Nobody polls: the operation ends after lro.maxSeconds. */
	json_decref(tc_ctl(sc, "lro", "{\"polls\":3,\"maxSeconds\":30}"));
	ck_assert_int_eq(nic_put("node-2-nic", nic, NULL, &r), 200);
	sim_resp_clear(&r);
	got = nic_get("node-2-nic");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(got,
	    "properties"), "provisioningState")), "Updating");
	json_decref(got);
	json_decref(tc_ctl(sc, "clock", "{\"advance\":31}"));
	got = nic_get("node-2-nic");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(got,
	    "properties"), "provisioningState")), "Succeeded");
	ck_assert_int_eq(json_array_size(cfgs_of(got)), 2);
	json_decref(got);
	/* Three InProgress answers, then the end. */
	nic = (json_decref(nic), nic_get("node-2-nic"));
	add_egress(nic, "10.0.33.21", 0);
	ck_assert_int_eq(nic_put("node-2-nic", nic, NULL, &r), 200);
	status = poll_op(&r, &polls);
	ck_assert_str_eq(status, "Succeeded");
	ck_assert_int_eq(polls, 3);
	free(status);
	sim_resp_clear(&r);
	op = tc_ctl(sc, "dump", NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(op, "operations")),
	    3);
	json_decref(op);
	json_decref(nic);
}
END_TEST

static void
put_expect(json_t *nic, const char *name, int code, const char *ecode)
{
	struct sim_resp r;

	ck_assert_int_eq(nic_put(name, nic, NULL, &r), code);
	if (ecode != NULL)
		ck_assert_str_eq(err_code(&r), ecode);
	sim_resp_clear(&r);
}

START_TEST(t_nic_rules)
{
	json_t *nic = nic_get("node-3-nic"), *n2, *p;
	struct sim_resp r;
	char ip[32];
	int i;

	n2 = json_deep_copy(nic);
	add_egress(n2, "10.0.32.1", 0);
	put_expect(n2, "node-3-nic", 400, "PrivateIPAddressInReservedRange");
	json_decref(n2);
	n2 = json_deep_copy(nic);
	add_egress(n2, "10.0.63.255", 0);
	put_expect(n2, "node-3-nic", 400, "PrivateIPAddressInReservedRange");
	json_decref(n2);
	n2 = json_deep_copy(nic);
	add_egress(n2, "10.0.64.10", 0);
	put_expect(n2, "node-3-nic", 400, "PrivateIPAddressNotInSubnet");
	json_decref(n2);
	/* Another node's address, and the ingress load balancer's (.4). */
	n2 = json_deep_copy(nic);
	add_egress(n2, "10.0.32.4", 0);
	put_expect(n2, "node-3-nic", 400, "PrivateIPAddressIsAllocated");
	json_decref(n2);
	p = nic_get("node-0-nic");
	n2 = json_deep_copy(nic);
	add_egress(n2, json_string_value(json_object_get(json_object_get(
	    json_array_get(cfgs_of(p), 0), "properties"), "privateIPAddress")),
	    0);
	json_decref(p);
	put_expect(n2, "node-3-nic", 400, "PrivateIPAddressIsAllocated");
	json_decref(n2);
	/* An unknown backend pool, a missing location, no primary. */
	n2 = json_deep_copy(nic);
	add_egress(n2, "10.0.33.30", 0);
	json_object_set_new(json_object_get(json_array_get(cfgs_of(n2), 1),
	    "properties"), "loadBalancerBackendAddressPools", json_pack(
	    "[{s:s}]", "id", "/subscriptions/x/resourceGroups/y/providers/"
	    "Microsoft.Network/loadBalancers/z/backendAddressPools/w"));
	put_expect(n2, "node-3-nic", 400, "InvalidResourceReference");
	json_decref(n2);
	n2 = json_deep_copy(nic);
	json_object_del(n2, "location");
	put_expect(n2, "node-3-nic", 400, "LocationRequired");
	json_decref(n2);
	n2 = json_deep_copy(nic);
	add_egress(n2, "10.0.33.31", 0);
	json_object_set_new(json_object_get(json_array_get(cfgs_of(n2), 0),
	    "properties"), "primary", json_false());
	put_expect(n2, "node-3-nic", 400,
	    "NetworkInterfaceMustHaveOnePrimaryIpConfiguration");
	json_decref(n2);
	n2 = json_deep_copy(nic);
	json_object_set_new(json_object_get(n2, "properties"),
	    "ipConfigurations", json_array());
	put_expect(n2, "node-3-nic", 400,
	    "NetworkInterfaceMustHaveIpConfiguration");
	json_decref(n2);
	put_expect(NULL, "node-3-nic", 415, "UnsupportedMediaType");
	ck_assert_int_eq(arm("PUT", NIC("node-3-nic"), API, "{\"location\":",
	    NULL, &r), 400);
	ck_assert_str_eq(err_code(&r), "InvalidRequestContent");
	sim_resp_clear(&r);
	ck_assert_int_eq(arm("PUT", NIC("node-3-nic"), API, "[]", NULL, &r),
	    400);
	ck_assert_str_eq(err_code(&r), "InvalidRequestContent");
	sim_resp_clear(&r);
	/* 256 ipConfigurations fit, 257 do not. */
	n2 = json_deep_copy(nic);
	for (i = 0; i < 256; i++) {
		snprintf(ip, sizeof(ip), "10.0.40.%d", i);
		if (i == 255)
			snprintf(ip, sizeof(ip), "10.0.41.0");
		add_egress(n2, ip, 0);
	}
	put_expect(n2, "node-3-nic", 400, "MaxIpConfigurationsPerNicReached");
	json_array_remove(cfgs_of(n2), 256);
	put_expect(n2, "node-3-nic", 200, NULL);
	json_decref(n2);
	/* Unknown properties of a whole-object PUT are kept. */
	n2 = nic_get("node-4-nic");
	json_object_set_new(n2, "tags", json_pack("{s:s}", "team", "net"));
	put_expect(n2, "node-4-nic", 200, NULL);
	json_decref(n2);
	n2 = nic_get("node-4-nic");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(n2,
	    "tags"), "team")), "net");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(n2, "properties"), "virtualMachine"), "id")) +
	    strlen(json_string_value(json_object_get(json_object_get(
	    json_object_get(n2, "properties"), "virtualMachine"), "id"))) - 7,
	    "/node-4");
	json_decref(n2);
	put_expect(nic, "no-such-nic", 400, "UnsupportedOperation");
	json_decref(nic);
}
END_TEST

START_TEST(t_outbound_rule)
{
	char err[256], pid[512], ip[64];
	struct sim_cloud *saved = sc;
	struct sim_resp r;
	json_t *cfg, *nic;

	cfg = json_loads("{\"outboundRule\":true,\"lro\":{\"polls\":0}}", 0,
	    NULL);
	sc = sim_cloud_new("Azure", "secret", cfg, TC_BASE, err, sizeof(err));
	json_decref(cfg);
	ck_assert_ptr_nonnull(sc);
	ip[0] = '\0';
	ck_assert_int_eq(sim_cloud_add_node(sc, "w", "", "", pid, sizeof(pid),
	    ip, sizeof(ip)), 0);
	free(tenant);
	free(client);
	free(secret);
	free(sub);
	free(rg);
	tenant = tc_dump_str(sc, "tenantId", NULL);
	client = tc_dump_str(sc, "clientId", NULL);
	secret = tc_dump_str(sc, "testCredentials", "clientSecret");
	sub = tc_dump_str(sc, "subscriptionId", NULL);
	rg = tc_dump_str(sc, "resourceGroup", NULL);
	get_token(sc, token, sizeof(token));
	nic = nic_get("w-nic");
	add_egress(nic, "10.0.128.40", 1);
	ck_assert_int_eq(nic_put("w-nic", nic, NULL, &r), 400);
	ck_assert_str_eq(err_code(&r), "OutboundRuleCannotBeUsedWithBackend"
	    "AddressPoolThatIsReferencedBySecondaryIpConfigs");
	sim_resp_clear(&r);
	json_array_remove(cfgs_of(nic), 1);
	add_egress(nic, "10.0.128.40", 0);
	ck_assert_int_eq(nic_put("w-nic", nic, NULL, &r), 200);
	sim_resp_clear(&r);
	json_decref(nic);
	/* lro.polls 0: the first poll already says Succeeded. */
	sim_cloud_free(sc);
	sc = saved;
}
END_TEST

START_TEST(t_vnet)
{
	char rel[256];
	struct sim_resp r;
	json_t *j, *subs, *s, *c;
	size_t i, k;
	int front = 0, nics = 0;

	snprintf(rel, sizeof(rel), "/providers/Microsoft.Network/"
	    "virtualNetworks/%s", vnet);
	ck_assert_int_eq(arm("GET", rel, API "&$expand=subnets%2F"
	    "ipConfigurations", NULL, NULL, &r), 200);
	j = tc_json(&r);
	sim_resp_clear(&r);
	subs = json_object_get(json_object_get(j, "properties"), "subnets");
	ck_assert_int_eq(json_array_size(subs), 2);
	json_array_foreach(subs, i, s)
		json_array_foreach(json_object_get(json_object_get(s,
		    "properties"), "ipConfigurations"), k, c) {
			ck_assert_ptr_nonnull(json_object_get(json_object_get(c,
			    "properties"), "privateIPAddress"));
			if (strstr(json_string_value(json_object_get(c, "id")),
			    "/loadBalancers/") != NULL)
				front++;
			else
				nics++;
		}
	ck_assert_int_eq(front, 2);
	ck_assert_int_eq(nics, 5);
	json_decref(j);
	/* Without $expand only references. */
	ck_assert_int_eq(arm("GET", rel, API, NULL, NULL, &r), 200);
	j = tc_json(&r);
	sim_resp_clear(&r);
	c = json_array_get(json_object_get(json_object_get(json_array_get(
	    json_object_get(json_object_get(j, "properties"), "subnets"), 1),
	    "properties"), "ipConfigurations"), 0);
	ck_assert_int_eq(json_object_size(c), 1);
	json_decref(j);
}
END_TEST

START_TEST(t_throttle)
{
	struct sim_resp r;
	json_t *nic = nic_get("node-0-nic");
	int ok = 0, limited = 0, i;

	json_decref(tc_ctl(sc, "throttle", "{\"class\":\"write\",\"rate\":0.01,"
	    "\"burst\":1}"));
	json_decref(tc_ctl(sc, "lro", "{\"polls\":0,\"maxSeconds\":0}"));
	for (i = 0; i < 3; i++) {
		if (nic_put("node-0-nic", nic, NULL, &r) == 200)
			ok++;
		else {
			ck_assert_int_eq(r.code, 429);
			ck_assert_str_eq(err_code(&r),
			    "SubscriptionRequestsThrottled");
			ck_assert_int_ge(atoi(tc_resp_header(&r,
			    "Retry-After")), 1);
			limited++;
		}
		sim_resp_clear(&r);
	}
	ck_assert_int_eq(ok, 1);
	ck_assert_int_eq(limited, 2);
	/* Reads have their own bucket. */
	json_decref(nic);
	nic = nic_get("node-0-nic");
	json_decref(nic);
}
END_TEST

static char *
read_file(const char *dir, const char *name)
{
	char path[512], buf[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

START_TEST(t_credentials)
{
	char dir[] = "/tmp/simaz-XXXXXX", sub2[600], err[256], body[8192];
	char *s, *path, *tok, *cid, *ten;
	struct sim_cloud *wi;
	struct sim_resp r;
	int i;
	static const char *const keys[] = { "azure_client_id",
	    "azure_tenant_id", "azure_subscription_id", "azure_region",
	    "azure_resourcegroup", NULL };

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub2, sizeof(sub2), "%s/cloud-credentials", dir);
	ck_assert_int_eq(sim_cloud_write_credentials(sc, sub2), 0);
	for (i = 0; keys[i] != NULL; i++) {
		s = read_file(sub2, keys[i]);
		ck_assert_msg(s != NULL && *s != '\0', "%s", keys[i]);
		free(s);
	}
	s = read_file(sub2, "azure_client_secret");
	ck_assert_str_eq(s, secret);
	free(s);
	s = read_file(sub2, "azure_region");
	ck_assert_str_eq(s, "westeurope");
	free(s);
	ck_assert_ptr_null(read_file(sub2, "azure_federated_token_file"));

	/* Workload identity: a token file, and the assertion grant. */
	wi = sim_cloud_new("Azure", "wi", NULL, TC_BASE, err, sizeof(err));
	ck_assert_ptr_nonnull(wi);
	snprintf(sub2, sizeof(sub2), "%s/wi-credentials", dir);
	ck_assert_int_eq(sim_cloud_write_credentials(wi, sub2), 0);
	ck_assert_ptr_null(read_file(sub2, "azure_client_secret"));
	path = read_file(sub2, "azure_federated_token_file");
	ck_assert_ptr_nonnull(path);
	*strrchr(path, '/') = '\0';
	tok = read_file(path, "token");
	cid = read_file(sub2, "azure_client_id");
	ten = read_file(sub2, "azure_tenant_id");
	snprintf(body, sizeof(body), "client_id=%s&client_assertion_type="
	    "urn%%3Aietf%%3Aparams%%3Aoauth%%3Aclient-assertion-type%%3A"
	    "jwt-bearer&client_assertion=%s&grant_type=client_credentials&"
	    "scope=https%%3A%%2F%%2Fmanagement.azure.com%%2F.default", cid, tok);
	ck_assert_int_eq(aad(wi, ten, body, &r), 200);
	sim_resp_clear(&r);
	/* A secret is not enough for a workload-identity app. */
	json_decref(tc_ctl(wi, "rotate-token", "{\"expireOld\":true}"));
	ck_assert_int_eq(aad(wi, ten, body, &r), 400);
	ck_assert_ptr_nonnull(strstr(r.body, "AADSTS700024"));
	sim_resp_clear(&r);
	free(tok);
	tok = read_file(path, "token");
	snprintf(body, sizeof(body), "client_id=%s&client_assertion_type="
	    "urn%%3Aietf%%3Aparams%%3Aoauth%%3Aclient-assertion-type%%3A"
	    "jwt-bearer&client_assertion=%s&grant_type=client_credentials&"
	    "scope=https%%3A%%2F%%2Fmanagement.azure.com%%2F.default", cid, tok);
	ck_assert_int_eq(aad(wi, ten, body, &r), 200);
	sim_resp_clear(&r);
	free(tok);
	free(cid);
	free(ten);
	free(path);
	sim_cloud_free(wi);
	snprintf(sub2, sizeof(sub2), "rm -rf %s", dir);
	ck_assert_int_eq(system(sub2), 0);
}
END_TEST

START_TEST(t_take_address)
{
	json_t *nic, *res, *st;
	char *cfg;

	res = tc_ctl(sc, "take-address", "{\"ip\":\"10.0.33.50\"}");
	json_decref(res);
	nic = nic_get("node-0-nic");
	add_egress(nic, "10.0.33.50", 0);
	put_expect(nic, "node-0-nic", 400, "PrivateIPAddressIsAllocated");
	json_decref(tc_ctl(sc, "release-address", "{\"ip\":\"10.0.33.50\"}"));
	put_expect(nic, "node-0-nic", 200, NULL);
	json_decref(nic);
	/* A foreign ipConfiguration on a node's NIC counts against it. */
	json_decref(tc_ctl(sc, "take-address", "{\"ip\":\"10.0.33.51\","
	    "\"node\":\"node-4\"}"));
	cfg = sim_cloud_egress_ipconfig(sc, "node-4");
	ck_assert_ptr_nonnull(strstr(cfg, "\"ip\":254"));
	free(cfg);
	st = sim_cloud_platform_status(sc);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(st,
	    "azure"), "resourceGroupName")), "simaz-rg");
	json_decref(st);
}
END_TEST

static Suite *
azure_suite(void)
{
	Suite *s = suite_create("sim_cloud_azure");
	TCase *tc = tcase_create("azure");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_aad);
	tcase_add_test(tc, t_bearer);
	tcase_add_test(tc, t_vm_list);
	tcase_add_test(tc, t_nic_put_lro);
	tcase_add_test(tc, t_nic_lro_fail_timeout);
	tcase_add_test(tc, t_nic_rules);
	tcase_add_test(tc, t_outbound_rule);
	tcase_add_test(tc, t_vnet);
	tcase_add_test(tc, t_throttle);
	tcase_add_test(tc, t_credentials);
	tcase_add_test(tc, t_take_address);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return eip_run_suite(azure_suite());
}
