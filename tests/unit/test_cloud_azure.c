/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudworker/azjson.c: the NIC transformation (add, remove, foreign
 * configurations untouched, load-balancer pools per mode and updated on
 * a mode change, 256 limit, idempotence), a VM's primary NIC, a VNet's
 * used addresses, AAD token and error bodies, ARM errors, long-running
 * operation status and resource ids.  Fixtures follow the shapes of
 * ../shared/reference/testbed.md §4 (verified with azure-mgmt-network).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azjson.h"
#include "testutil.h"

#define SUB	"/subscriptions/s1/resourceGroups/rg1/providers/"
#define SUBNET	SUB "Microsoft.Network/virtualNetworks/vnet1/subnets/worker"
#define POOL	SUB "Microsoft.Network/loadBalancers/lb/backendAddressPools/pool1"

static const char nic_json[] =
"{\"name\":\"nic1\",\"id\":\"" SUB "Microsoft.Network/networkInterfaces/nic1\","
" \"etag\":\"W/\\\"e1\\\"\",\"location\":\"westeurope\","
" \"properties\":{\"provisioningState\":\"Succeeded\",\"primary\":true,"
"  \"virtualMachine\":{\"id\":\"" SUB "Microsoft.Compute/virtualMachines/vm1\"},"
"  \"ipConfigurations\":["
"   {\"name\":\"pipConfig\",\"id\":\"x\",\"properties\":{"
"     \"provisioningState\":\"Succeeded\",\"privateIPAddress\":\"10.0.1.4\","
"     \"privateIPAllocationMethod\":\"Dynamic\",\"primary\":true,"
"     \"subnet\":{\"id\":\"" SUBNET "\"},"
"     \"loadBalancerBackendAddressPools\":[{\"id\":\"" POOL "\"}]}},"
"   {\"name\":\"someone-else\",\"properties\":{\"privateIPAddress\":"
"     \"10.0.1.77\",\"privateIPAllocationMethod\":\"Static\","
"     \"primary\":false,\"subnet\":{\"id\":\"" SUBNET "\"},"
"     \"unknownField\":{\"kept\":true}}},"
"   {\"name\":\"EgressIP10.0.1.50\",\"properties\":{\"privateIPAddress\":"
"     \"10.0.1.50\",\"privateIPAllocationMethod\":\"Static\","
"     \"primary\":false,\"subnet\":{\"id\":\"" SUBNET "\"},"
"     \"loadBalancerBackendAddressPools\":[{\"id\":\"" POOL "\"}]}}]}}";

static json_t *
load(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);

	ck_assert_msg(j != NULL, "fixture: %s", e.text);
	return j;
}

static void
parse_list(const char *csv, struct eip_ip *v, size_t *n)
{
	char buf[256], *p, *save;

	*n = 0;
	snprintf(buf, sizeof(buf), "%s", csv);
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		ck_assert_int_eq(ip_parse(p, &v[(*n)++]), 0);
}

static const json_t *
config_named(const json_t *nic, const char *name)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(nic, "properties"),
	    "ipConfigurations"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")),
		    name) == 0)
			return c;
	return NULL;
}

static size_t
npools(const json_t *cfg)
{
	return json_array_size(json_object_get(json_object_get(cfg,
	    "properties"), "loadBalancerBackendAddressPools"));
}

START_TEST(t_nic_info)
{
	json_t *nic = load(nic_json);
	struct az_nic_info ni;
	char err[256], s[IP_STRLEN];

	ck_assert_int_eq(az_nic_info(nic, &ni, err, sizeof(err)), 0);
	ck_assert_str_eq(ip_format(&ni.primary, s, sizeof(s)), "10.0.1.4");
	ck_assert_uint_eq(ni.nips, 3);
	ck_assert_str_eq(ni.subnet_id, SUBNET);
	ck_assert_str_eq(ni.etag, "W/\"e1\"");
	ck_assert_str_eq(ni.location, "westeurope");
	ck_assert_uint_eq(json_array_size(ni.pools), 1);
	az_nic_info_clear(&ni);
	json_decref(nic);
}
END_TEST

START_TEST(t_transform_add_remove)
{
	json_t *nic = load(nic_json), *put, *again;
	struct eip_ip desired[4];
	struct eip_cidr owned;
	struct ensure_plan p;
	const json_t *c, *cp;
	char err[256];
	size_t nd;
	int changed;

	cidr_parse("10.0.1.0/26", &owned);
	parse_list("10.0.1.51,10.0.1.52", desired, &nd);
	put = az_nic_transform(nic, &owned, 1, desired, nd,
	    AZ_LB_SAME_AS_PRIMARY, &changed, &p, err, sizeof(err));
	ck_assert_msg(put != NULL, "%s", err);
	ck_assert_int_eq(changed, 1);
	ck_assert_uint_eq(p.nadd, 2);
	ck_assert_uint_eq(p.nremove, 1);
	/* 10.0.1.77 is outside the owned /26: foreign, kept as it was. */
	c = config_named(put, "someone-else");
	ck_assert_ptr_nonnull(c);
	ck_assert(json_equal(c, config_named(nic, "someone-else")));
	ck_assert_ptr_nonnull(config_named(put, "pipConfig"));
	ck_assert_ptr_null(config_named(put, "EgressIP10.0.1.50"));
	c = config_named(put, "EgressIP10.0.1.52");
	ck_assert_ptr_nonnull(c);
	cp = json_object_get(c, "properties");
	ck_assert_str_eq(json_string_value(json_object_get(cp,
	    "privateIPAddress")), "10.0.1.52");
	ck_assert_str_eq(json_string_value(json_object_get(cp,
	    "privateIPAllocationMethod")), "Static");
	ck_assert(json_is_false(json_object_get(cp, "primary")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(cp,
	    "subnet"), "id")), SUBNET);
	ck_assert_uint_eq(npools(c), 1);
	/* Everything else of the NIC is sent back as it came. */
	ck_assert(json_equal(json_object_get(put, "location"),
	    json_object_get(nic, "location")));
	ck_assert(json_equal(json_object_get(json_object_get(put, "properties"),
	    "virtualMachine"), json_object_get(json_object_get(nic,
	    "properties"), "virtualMachine")));
	ensure_plan_clear(&p);

	/* Applying it and asking again changes nothing: no second PUT. */
	again = az_nic_transform(put, &owned, 1, desired, nd,
	    AZ_LB_SAME_AS_PRIMARY, &changed, &p, err, sizeof(err));
	ck_assert_ptr_nonnull(again);
	ck_assert_int_eq(changed, 0);
	ck_assert_uint_eq(p.nkeep, 2);
	ck_assert(json_equal(again, put));
	ensure_plan_clear(&p);
	json_decref(again);
	json_decref(put);
	json_decref(nic);
}
END_TEST

START_TEST(t_transform_lb_mode)
{
	json_t *nic = load(nic_json), *put, *back;
	struct eip_ip desired[2];
	struct eip_cidr owned;
	struct ensure_plan p;
	char err[256];
	size_t nd;
	int changed;

	cidr_parse("10.0.1.0/26", &owned);
	parse_list("10.0.1.50,10.0.1.53", desired, &nd);
	/* The mode changed to none: the existing egress config leaves the pool. */
	put = az_nic_transform(nic, &owned, 1, desired, nd, AZ_LB_NONE,
	    &changed, &p, err, sizeof(err));
	ck_assert_ptr_nonnull(put);
	ck_assert_int_eq(changed, 1);
	ck_assert_uint_eq(npools(config_named(put, "EgressIP10.0.1.50")), 0);
	ck_assert_uint_eq(npools(config_named(put, "EgressIP10.0.1.53")), 0);
	/* The primary keeps its pool. */
	ck_assert_uint_eq(npools(config_named(put, "pipConfig")), 1);
	ensure_plan_clear(&p);
	/* And back: both join the primary's pool again. */
	back = az_nic_transform(put, &owned, 1, desired, nd,
	    AZ_LB_SAME_AS_PRIMARY, &changed, &p, err, sizeof(err));
	ck_assert_int_eq(changed, 1);
	ck_assert_uint_eq(p.nadd, 0);
	ck_assert_uint_eq(npools(config_named(back, "EgressIP10.0.1.50")), 1);
	ck_assert_uint_eq(npools(config_named(back, "EgressIP10.0.1.53")), 1);
	ensure_plan_clear(&p);
	json_decref(back);
	json_decref(put);
	json_decref(nic);
}
END_TEST

START_TEST(t_transform_limit_and_bad)
{
	json_t *nic = load(nic_json), *put, *list, *c;
	struct eip_ip desired[4];
	struct eip_cidr owned;
	struct ensure_plan p;
	char err[256], name[32], ip[32];
	size_t nd, i;
	int changed;

	/* Fill the NIC to 255 configurations with foreign ones. */
	list = json_object_get(json_object_get(nic, "properties"),
	    "ipConfigurations");
	for (i = 0; i < 252; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		snprintf(ip, sizeof(ip), "10.0.%zu.%zu", 100 + i / 200,
		    i % 200 + 5);
		c = json_pack("{s:s,s:{s:s,s:b,s:{s:s}}}", "name", name,
		    "properties", "privateIPAddress", ip, "primary", 0, "subnet",
		    "id", SUBNET);
		json_array_append_new(list, c);
	}
	cidr_parse("10.0.1.0/26", &owned);
	parse_list("10.0.1.50,10.0.1.51,10.0.1.52", desired, &nd);
	put = az_nic_transform(nic, &owned, 1, desired, nd,
	    AZ_LB_SAME_AS_PRIMARY, &changed, &p, err, sizeof(err));
	ck_assert_ptr_nonnull(put);
	/* 256 - primary - 253 foreign = 2 slots: .50 kept, .51 added. */
	ck_assert_int_eq(p.capacity, 2);
	ck_assert_uint_eq(p.nkeep, 1);
	ck_assert_uint_eq(p.nadd, 1);
	ck_assert_uint_eq(p.nno_room, 1);
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(put,
	    "properties"), "ipConfigurations")), 256);
	ensure_plan_clear(&p);
	json_decref(put);
	/* A desired address outside the owned CIDRs is refused. */
	parse_list("10.0.9.9", desired, &nd);
	ck_assert_ptr_null(az_nic_transform(nic, &owned, 1, desired, nd,
	    AZ_LB_NONE, &changed, &p, err, sizeof(err)));
	ck_assert(strstr(err, "outside") != NULL);
	json_decref(nic);
	/* A NIC without configurations is not a NIC we can work on. */
	nic = load("{\"id\":\"x\",\"properties\":{\"ipConfigurations\":[]}}");
	ck_assert_ptr_null(az_nic_transform(nic, &owned, 1, desired, 0,
	    AZ_LB_NONE, &changed, &p, err, sizeof(err)));
	json_decref(nic);
	nic = load("{\"id\":\"x\",\"properties\":{\"ipConfigurations\":[{"
	    "\"name\":\"a\",\"properties\":{\"primary\":true,"
	    "\"privateIPAddress\":\"300.1.1.1\",\"subnet\":{\"id\":\"s\"}}}]}}");
	ck_assert_ptr_null(az_nic_transform(nic, &owned, 1, desired, 0,
	    AZ_LB_NONE, &changed, &p, err, sizeof(err)));
	json_decref(nic);
}
END_TEST

/* A lone configuration not marked primary becomes marked when joined. */
START_TEST(t_transform_implicit_primary)
{
	json_t *nic, *put, *again;
	struct eip_ip desired[1];
	struct eip_cidr owned;
	struct ensure_plan p;
	char err[256];
	size_t nd;
	int changed;

	nic = load("{\"id\":\"x\",\"properties\":{\"ipConfigurations\":[{"
	    "\"name\":\"p\",\"properties\":{\"privateIPAddress\":\"10.0.1.4\","
	    "\"subnet\":{\"id\":\"" SUBNET "\"}}}]}}");
	cidr_parse("10.0.1.0/26", &owned);
	parse_list("10.0.1.50", desired, &nd);
	put = az_nic_transform(nic, &owned, 1, desired, nd, AZ_LB_NONE,
	    &changed, &p, err, sizeof(err));
	ck_assert_ptr_nonnull(put);
	ck_assert(json_is_true(json_object_get(json_object_get(config_named(
	    put, "p"), "properties"), "primary")));
	ensure_plan_clear(&p);
	again = az_nic_transform(put, &owned, 1, desired, nd, AZ_LB_NONE,
	    &changed, &p, err, sizeof(err));
	ck_assert_ptr_nonnull(again);
	ck_assert_int_eq(changed, 0);
	ensure_plan_clear(&p);
	json_decref(again);
	json_decref(put);
	json_decref(nic);
	/* Two configurations marked primary is not a NIC ARM would serve. */
	nic = load("{\"id\":\"x\",\"properties\":{\"ipConfigurations\":[{"
	    "\"name\":\"a\",\"properties\":{\"primary\":true,\"subnet\":{"
	    "\"id\":\"s\"}}},{\"name\":\"b\",\"properties\":{\"primary\":"
	    "true,\"subnet\":{\"id\":\"s\"}}}]}}");
	ck_assert_ptr_null(az_nic_transform(nic, &owned, 1, desired, nd,
	    AZ_LB_NONE, &changed, &p, err, sizeof(err)));
	ck_assert(strstr(err, "more than one primary") != NULL);
	json_decref(nic);
}
END_TEST

START_TEST(t_vm_primary_nic)
{
	json_t *vm;
	char err[128], *id;

	vm = load("{\"name\":\"vm1\",\"properties\":{\"networkProfile\":{"
	    "\"networkInterfaces\":[{\"id\":\"/a\",\"properties\":{\"primary\":"
	    "false}},{\"id\":\"/b\",\"properties\":{\"primary\":true}}]}}}");
	id = az_vm_primary_nic(vm, err, sizeof(err));
	ck_assert_str_eq(id, "/b");
	free(id);
	json_decref(vm);
	/* One NIC with primary null (upstream panicked here). */
	vm = load("{\"name\":\"vm1\",\"properties\":{\"networkProfile\":{"
	    "\"networkInterfaces\":[{\"id\":\"/only\",\"properties\":{"
	    "\"primary\":null}}]}}}");
	id = az_vm_primary_nic(vm, err, sizeof(err));
	ck_assert_str_eq(id, "/only");
	free(id);
	json_decref(vm);
	vm = load("{\"name\":\"vm1\",\"properties\":{\"networkProfile\":{"
	    "\"networkInterfaces\":[{\"id\":\"/a\"},{\"id\":\"/b\"}]}}}");
	ck_assert_ptr_null(az_vm_primary_nic(vm, err, sizeof(err)));
	ck_assert(strstr(err, "primary") != NULL);
	json_decref(vm);
	vm = load("{\"name\":\"vm1\"}");
	ck_assert_ptr_null(az_vm_primary_nic(vm, err, sizeof(err)));
	json_decref(vm);
}
END_TEST

START_TEST(t_vnet_used)
{
	json_t *v;
	struct eip_cidr c;
	struct eip_ip *used;
	size_t n;
	char err[128], sc[64];

	v = load("{\"name\":\"vnet1\",\"properties\":{\"subnets\":["
	    "{\"name\":\"worker\",\"properties\":{\"addressPrefix\":\"10.0.1.0/24\","
	    " \"ipConfigurations\":[{\"properties\":{\"privateIPAddress\":"
	    " \"10.0.1.4\"}},{\"properties\":{\"privateIPAddress\":\"10.0.1.200\"}},"
	    " {\"properties\":{}}]}},"
	    "{\"name\":\"master\",\"properties\":{\"addressPrefixes\":"
	    " [\"10.0.0.0/24\",\"fd00::/64\"],\"ipConfigurations\":[{"
	    " \"properties\":{\"privateIPAddress\":\"10.0.0.5\"}}]}}]}}");
	cidr_parse("10.0.1.0/25", &c);
	ck_assert_int_eq(az_vnet_used(v, &c, &used, &n, sc, sizeof(sc), err,
	    sizeof(err)), 0);
	ck_assert_str_eq(sc, "10.0.1.0/24");
	/* .0-.3 reserved, .4 in use; .200 and .255 are outside the /25. */
	ck_assert_uint_eq(n, 5);
	free(used);
	cidr_parse("10.0.0.0/16", &c);
	ck_assert_int_eq(az_vnet_used(v, &c, &used, &n, sc, sizeof(sc), err,
	    sizeof(err)), 0);
	/* Both subnets overlap: 5 reserved each, plus .4, .200 and .0.5. */
	ck_assert_uint_eq(n, 13);
	free(used);
	cidr_parse("192.168.0.0/24", &c);
	ck_assert_int_eq(az_vnet_used(v, &c, &used, &n, sc, sizeof(sc), err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(sc, "");
	json_decref(v);
	v = load("{\"properties\":{}}");
	ck_assert_int_eq(az_vnet_used(v, &c, &used, &n, sc, sizeof(sc), err,
	    sizeof(err)), -1);
	json_decref(v);
}
END_TEST

START_TEST(t_aad_and_errors)
{
	const char *ok = "{\"token_type\":\"Bearer\",\"expires_in\":3599,"
	    "\"ext_expires_in\":3599,\"access_token\":\"eyJ0eXAi.x.y\"}";
	const char *ok_str = "{\"token_type\":\"Bearer\",\"expires_in\":\"3600\","
	    "\"access_token\":\"tok\"}";
	const char *bad = "{\"error\":\"invalid_client\",\"error_description\":"
	    "\"AADSTS7000215: Invalid client secret provided.\\r\\nTrace ID: 1\","
	    "\"error_codes\":[7000215]}";
	const char *another = "{\"error\":{\"code\":"
	    "\"AnotherOperationInProgress\",\"message\":\"m\"}}";
	const char *failed = "{\"status\":\"Failed\",\"error\":{\"code\":"
	    "\"InternalServerError\",\"message\":\"boom\"}}";
	char *tok, err[256], e[64], d[256], code[64], msg[256];
	long exp;
	enum az_lro st;

	ck_assert_int_eq(aad_parse_token(ok, strlen(ok), &tok, &exp, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(tok, "eyJ0eXAi.x.y");
	ck_assert_int_eq(exp, 3599);
	free(tok);
	ck_assert_int_eq(aad_parse_token(ok_str, strlen(ok_str), &tok, &exp, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(exp, 3600);
	free(tok);
	ck_assert_int_eq(aad_parse_token(bad, strlen(bad), &tok, &exp, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(aad_parse_token("[]", 2, &tok, &exp, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(aad_parse_error(bad, strlen(bad), e, sizeof(e), d,
	    sizeof(d)), 0);
	ck_assert_str_eq(e, "invalid_client");
	ck_assert_str_eq(d, "AADSTS7000215: Invalid client secret provided.");
	ck_assert_int_eq(arm_parse_error(another, strlen(another), code,
	    sizeof(code), msg, sizeof(msg)), 0);
	ck_assert_str_eq(code, "AnotherOperationInProgress");
	ck_assert_str_eq(msg, "m");
	ck_assert_int_eq(arm_parse_error("{}", 2, code, sizeof(code), msg,
	    sizeof(msg)), -1);
	ck_assert_int_eq(az_lro_parse("{\"status\":\"InProgress\"}", 23, &st,
	    code, sizeof(code), msg, sizeof(msg)), 0);
	ck_assert_int_eq(st, AZ_LRO_RUNNING);
	ck_assert_int_eq(az_lro_parse("{\"status\":\"Succeeded\"}", 22, &st,
	    code, sizeof(code), msg, sizeof(msg)), 0);
	ck_assert_int_eq(st, AZ_LRO_SUCCEEDED);
	ck_assert_int_eq(az_lro_parse(failed, strlen(failed), &st, code,
	    sizeof(code), msg, sizeof(msg)), 0);
	ck_assert_int_eq(st, AZ_LRO_FAILED);
	ck_assert_str_eq(code, "InternalServerError");
	ck_assert_str_eq(msg, "boom");
	ck_assert_int_eq(az_lro_parse("nope", 4, &st, code, sizeof(code), msg,
	    sizeof(msg)), -1);
}
END_TEST

START_TEST(t_ids)
{
	char sub[64], rg[64], type[128], name[64], *v;

	ck_assert_int_eq(az_id_parse(SUB "Microsoft.Network/networkInterfaces/"
	    "nic1", sub, sizeof(sub), rg, sizeof(rg), type, sizeof(type), name,
	    sizeof(name)), 0);
	ck_assert_str_eq(sub, "s1");
	ck_assert_str_eq(rg, "rg1");
	ck_assert_str_eq(type, "Microsoft.Network/networkInterfaces");
	ck_assert_str_eq(name, "nic1");
	ck_assert_int_eq(az_id_parse("/subscriptions/s/resourceGroups/r", sub,
	    sizeof(sub), rg, sizeof(rg), NULL, 0, NULL, 0), -1);
	ck_assert_int_eq(az_id_parse(SUB "Microsoft.Network/networkInterfaces/"
	    "nic1?x=1", NULL, 0, NULL, 0, NULL, 0, NULL, 0), -1);
	ck_assert_int_eq(az_id_parse(SUB "Microsoft.Network/networkInterfaces/"
	    "a b", NULL, 0, NULL, 0, NULL, 0, NULL, 0), -1);
	ck_assert_str_eq(az_provider_id_path("azure:///subscriptions/s/x"),
	    "/subscriptions/s/x");
	ck_assert_ptr_null(az_provider_id_path("aws:///z/i-1"));
	v = az_subnet_vnet(SUBNET);
	ck_assert_str_eq(v, SUB "Microsoft.Network/virtualNetworks/vnet1");
	free(v);
	ck_assert_ptr_null(az_subnet_vnet("/nosubnet"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("cloud_azure");
	TCase *tc = tcase_create("azure");

	tcase_add_test(tc, t_nic_info);
	tcase_add_test(tc, t_transform_add_remove);
	tcase_add_test(tc, t_transform_lb_mode);
	tcase_add_test(tc, t_transform_limit_and_bad);
	tcase_add_test(tc, t_transform_implicit_primary);
	tcase_add_test(tc, t_vm_primary_nic);
	tcase_add_test(tc, t_vnet_used);
	tcase_add_test(tc, t_aad_and_errors);
	tcase_add_test(tc, t_ids);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return eip_run_suite(suite());
}
