/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated Azure subscription: building it from the scenario (VNet,
 * subnets, load-balancer frontends), VMs and their primary NICs as nodes
 * come and go, the mounted-Secret files, the state dump and the Azure
 * control commands.  Requests are served in sim_azure_arm.c,
 * sim_azure_nic.c and sim_aad.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "sim_az.h"
#include "xmalloc.h"

char *
az_rg_id(struct sc_azure *az, const char *rg)
{
	char *s;

	xasprintf(&s, "/subscriptions/%s/resourceGroups/%s", az->sub, rg);
	return s;
}

char *
az_nic_id(struct sc_azure *az, const char *name)
{
	char *s;

	xasprintf(&s, "/subscriptions/%s/resourceGroups/%s/providers/"
	    "Microsoft.Network/networkInterfaces/%s", az->sub, az->rg, name);
	return s;
}

char *
az_vm_id(struct sc_azure *az, const char *name)
{
	char *s;

	xasprintf(&s, "/subscriptions/%s/resourceGroups/%s/providers/"
	    "Microsoft.Compute/virtualMachines/%s", az->sub, az->rg, name);
	return s;
}

char *
az_vnet_id(struct sc_azure *az)
{
	char *s;

	xasprintf(&s, "/subscriptions/%s/resourceGroups/%s/providers/"
	    "Microsoft.Network/virtualNetworks/%s", az->sub, az->netrg,
	    az->vnet);
	return s;
}

char *
az_subnet_id(struct sc_azure *az, const char *name)
{
	char *v = az_vnet_id(az), *s;

	xasprintf(&s, "%s/subnets/%s", v, name);
	free(v);
	return s;
}

struct sc_aznic *
az_nic_find(struct sc_azure *az, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < az->nnics; i++)
		if (strcasecmp(az->nics[i]->name, name) == 0)
			return az->nics[i];
	return NULL;
}

struct sc_azvm *
az_vm_find(struct sc_azure *az, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < az->nvms; i++)
		if (strcasecmp(az->vms[i]->name, name) == 0)
			return az->vms[i];
	return NULL;
}

struct sc_subnet *
az_subnet_by_id(struct sc_azure *az, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < az->nsubnets; i++)
		if (strcasecmp(az->subnets[i].id, id) == 0)
			return &az->subnets[i];
	return NULL;
}

int
az_ip_holder(struct sc_azure *az, const struct eip_ip *ip,
    struct sc_aznic **nic, const char **cfgname, struct sc_azfront **front)
{
	const json_t *cfgs, *c;
	struct eip_ip a;
	size_t i, j;

	if (nic != NULL)
		*nic = NULL;
	if (front != NULL)
		*front = NULL;
	for (i = 0; i < az->nnics; i++) {
		cfgs = json_object_get(json_object_get(az->nics[i]->doc,
		    "properties"), "ipConfigurations");
		json_array_foreach(cfgs, j, c) {
			if (ip_parse(json_string_value(json_object_get(
			    json_object_get(c, "properties"),
			    "privateIPAddress")), &a) == 0 && ip_equal(&a, ip)) {
				if (nic != NULL)
					*nic = az->nics[i];
				if (cfgname != NULL)
					*cfgname = json_string_value(
					    json_object_get(c, "name"));
				return 1;
			}
		}
	}
	for (i = 0; i < az->nfronts; i++)
		if (ip_equal(&az->fronts[i].ip, ip)) {
			if (front != NULL)
				*front = &az->fronts[i];
			return 1;
		}
	return 0;
}

static int
az_ip_cmp(const void *a, const void *b)
{
	return ip_cmp(a, b);
}

/* Every address of the subnet held by a NIC or a frontend, sorted. */
static struct eip_ip *
az_used(struct sc_azure *az, const struct sc_subnet *sn, size_t *n)
{
	struct eip_ip *u = NULL, a;
	const json_t *c;
	size_t i, j, cap = 0;

	*n = 0;
	for (i = 0; i < az->nnics + az->nfronts; i++) {
		const json_t *cfgs = i < az->nnics ? json_object_get(
		    json_object_get(az->nics[i]->doc, "properties"),
		    "ipConfigurations") : NULL;
		size_t k = i < az->nnics ? json_array_size(cfgs) : 1;

		for (j = 0; j < k; j++) {
			if (i < az->nnics) {
				c = json_array_get(cfgs, j);
				if (ip_parse(json_string_value(json_object_get(
				    json_object_get(c, "properties"),
				    "privateIPAddress")), &a) == -1)
					continue;
			} else
				a = az->fronts[i - az->nnics].ip;
			if (!sc_subnet_contains(sn, &a))
				continue;
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				u = xreallocarray(u, cap, sizeof(*u));
			}
			u[(*n)++] = a;
		}
	}
	if (*n > 1)
		qsort(u, *n, sizeof(*u), az_ip_cmp);
	return u;
}

/*
 * The lowest free address of a subnet past the reserved ones, not in
 * avoid[]: one sorted pass, so that filling a subnet stays quadratic at
 * worst rather than cubic.
 */
int
az_alloc_ip(struct sc_azure *az, const struct sc_subnet *sn,
    const struct eip_ip *avoid, size_t navoid, struct eip_ip *out)
{
	struct eip_ip cand, *u;
	u128 off, last = cidr_last_offset(&sn->cidr);
	size_t i, k = 0, n;
	int taken;

	u = az_used(az, sn, &n);
	for (off = 4; off < last; off++) {
		cidr_nth(&sn->cidr, off, &cand);
		while (k < n && ip_cmp(&u[k], &cand) < 0)
			k++;
		taken = k < n && ip_equal(&u[k], &cand);
		for (i = 0; !taken && i < navoid; i++)
			taken = ip_equal(&avoid[i], &cand);
		if (!taken) {
			*out = cand;
			free(u);
			return 0;
		}
	}
	free(u);
	return -1;
}

void
az_etag(struct sim_cloud *sc, char *out, size_t len)
{
	char u[37];

	sc_uuid(sc, u);
	snprintf(out, len, "W/\"%s\"", u);
}

void
az_nic_state(json_t *doc, const char *state)
{
	json_t *props = json_object_get(doc, "properties"), *c;
	size_t i;

	json_object_set_new(props, "provisioningState", json_string(state));
	json_array_foreach(json_object_get(props, "ipConfigurations"), i, c)
		json_object_set_new(json_object_get(c, "properties"),
		    "provisioningState", json_string(state));
}

static int
az_subnet_add(struct sim_cloud *sc, const char *name, const char *cidr,
    const json_t *zones, char *err, size_t errlen)
{
	struct sc_azure *az = sc->az;
	struct sc_subnet *sn;
	size_t i;

	az->subnets = xreallocarray(az->subnets, az->nsubnets + 1,
	    sizeof(*az->subnets));
	sn = &az->subnets[az->nsubnets];
	memset(sn, 0, sizeof(*sn));
	if (name == NULL || *name == '\0' || cidr == NULL ||
	    cidr_parse(cidr, &sn->cidr) == -1 || sn->cidr.addr.family != 4 ||
	    sn->cidr.len < 8 || sn->cidr.len > 29) {
		snprintf(err, errlen, "Azure: subnet '%s' needs a name and an "
		    "IPv4 /8../29 cidr", name != NULL ? name : "");
		return -1;
	}
	sn->cidr.addr = sn->cidr.net;
	for (i = 0; i < az->nsubnets; i++)
		if (cidr_overlaps(&sn->cidr, &az->subnets[i].cidr) ||
		    strcasecmp(name, az->subnets[i].name) == 0) {
			snprintf(err, errlen, "Azure: subnet %s overlaps or "
			    "repeats %s", name, az->subnets[i].name);
			return -1;
		}
	sn->name = xstrdup(name);
	sn->id = az_subnet_id(az, name);
	sn->zones = zones != NULL ? json_deep_copy(zones) : NULL;
	az->nsubnets++;
	return 0;
}

/*
 * Subnets from "subnets", else one per distinct zone CIDR (serving the
 * zones that name it) plus masterCidr, else a master and a worker subnet.
 */
static int
az_subnets_init(struct sim_cloud *sc, const json_t *cfg, char *err,
    size_t errlen)
{
	struct sc_azure *az = sc->az;
	const json_t *subs = cfg ? json_object_get(cfg, "subnets") : NULL;
	const json_t *zones = cfg ? json_object_get(cfg, "zones") : NULL, *s;
	const char *master = sc_cfg_str(cfg, "masterCidr", NULL), *c;
	struct eip_cidr cur, mc;
	char name[200];
	size_t i, j, nworker = 0;
	json_t *zl;

	if (json_is_array(subs)) {
		json_array_foreach(subs, i, s)
			if (!json_is_object(s) || az_subnet_add(sc,
			    sc_cfg_str(s, "name", NULL), sc_cfg_str(s, "cidr",
			    NULL), json_is_array(json_object_get(s, "zones")) ?
			    json_object_get(s, "zones") : NULL, err,
			    errlen) == -1) {
				if (!json_is_object(s))
					snprintf(err, errlen, "Azure: subnets[%zu]"
					    " is not an object", i);
				return -1;
			}
		return 0;
	}
	if (master != NULL || !json_is_array(zones)) {
		snprintf(name, sizeof(name), "%s-master-subnet", sc->infra);
		if (az_subnet_add(sc, name, master != NULL ? master :
		    "10.0.0.0/24", NULL, err, errlen) == -1)
			return -1;
	}
	if (!json_is_array(zones) || json_array_size(zones) == 0) {
		snprintf(name, sizeof(name), "%s-worker-subnet", sc->infra);
		return az_subnet_add(sc, name, "10.0.128.0/17", NULL, err,
		    errlen);
	}
	json_array_foreach(zones, i, s) {
		c = sc_cfg_str(s, "cidr", NULL);
		if (c == NULL || cidr_parse(c, &cur) == -1) {
			snprintf(err, errlen, "Azure: zones[%zu] needs a cidr", i);
			return -1;
		}
		for (j = 0; j < az->nsubnets; j++)
			if (cidr_equal(&cur, &az->subnets[j].cidr))
				break;
		if (j < az->nsubnets) {
			if (az->subnets[j].zones == NULL) {
				if (master != NULL && cidr_parse(master,
				    &mc) == 0 && cidr_equal(&mc, &cur))
					az->subnets[j].zones = json_array();
				else
					continue;
			}
			json_array_append_new(az->subnets[j].zones,
			    json_string(sc_cfg_str(s, "name", "")));
			continue;
		}
		if (nworker++ == 0)
			snprintf(name, sizeof(name), "%s-worker-subnet",
			    sc->infra);
		else
			snprintf(name, sizeof(name), "%s-worker-subnet-%zu",
			    sc->infra, nworker);
		zl = json_pack("[s]", sc_cfg_str(s, "name", ""));
		j = az_subnet_add(sc, name, c, zl, err, errlen);
		json_decref(zl);
		if ((int)j == -1)
			return -1;
	}
	return 0;
}

/* The first subnet for nodes: one serving zones, else the first. */
static struct sc_subnet *
az_worker_subnet(struct sc_azure *az)
{
	size_t i;

	for (i = 0; i < az->nsubnets; i++)
		if (az->subnets[i].zones != NULL)
			return &az->subnets[i];
	return &az->subnets[az->nsubnets > 1 ? 1 : 0];
}

static int
az_front_add(struct sim_cloud *sc, const char *lb, const char *fname,
    struct sc_subnet *sn, char *err, size_t errlen)
{
	struct sc_azure *az = sc->az;
	struct sc_azfront *f;

	az->fronts = xreallocarray(az->fronts, az->nfronts + 1,
	    sizeof(*az->fronts));
	f = &az->fronts[az->nfronts];
	if (az_alloc_ip(az, sn, NULL, 0, &f->ip) == -1) {
		snprintf(err, errlen, "Azure: subnet %s is full", sn->name);
		return -1;
	}
	xasprintf(&f->id, "/subscriptions/%s/resourceGroups/%s/providers/"
	    "Microsoft.Network/loadBalancers/%s/frontendIPConfigurations/%s",
	    az->sub, az->rg, lb, fname);
	f->name = xstrdup(fname);
	f->subnet = sn;
	az->nfronts++;
	return 0;
}

static int
az_fronts_init(struct sim_cloud *sc, const json_t *cfg, char *err,
    size_t errlen)
{
	struct sc_azure *az = sc->az;
	const json_t *fl = cfg ? json_object_get(cfg, "foreign") : NULL, *f;
	struct sc_subnet *sn;
	char lb[200], fname[64];
	size_t i;
	int k, n;

	if (fl == NULL) {
		/*
		 * As an OpenShift cluster has them: the internal API load
		 * balancer's frontend in the master subnet, and an internal
		 * ingress load balancer's in the worker subnet.
		 */
		snprintf(lb, sizeof(lb), "%s-internal", sc->infra);
		if (az_front_add(sc, lb, "internal-lb-ip-v4",
		    &az->subnets[0], err, errlen) == -1)
			return -1;
		snprintf(lb, sizeof(lb), "%s-ingress-internal", sc->infra);
		return az_front_add(sc, lb, "ingress-ip", az_worker_subnet(az),
		    err, errlen);
	}
	if (!json_is_array(fl)) {
		snprintf(err, errlen, "Azure: foreign must be an array");
		return -1;
	}
	json_array_foreach(fl, i, f) {
		sn = NULL;
		for (k = 0; k < (int)az->nsubnets; k++)
			if (strcmp(az->subnets[k].name, sc_cfg_str(f, "subnet",
			    "")) == 0)
				sn = &az->subnets[k];
		n = (int)sc_cfg_num(f, "ips", 1);
		if (sn == NULL || n < 1 || n > 64) {
			snprintf(err, errlen, "Azure: foreign[%zu] needs a known "
			    "subnet and ips 1..64", i);
			return -1;
		}
		snprintf(lb, sizeof(lb), "foreign-lb-%zu", i + 1);
		for (k = 0; k < n; k++) {
			snprintf(fname, sizeof(fname), "frontend-%d", k + 1);
			if (az_front_add(sc, lb, fname, sn, err, errlen) == -1)
				return -1;
		}
	}
	return 0;
}

struct sc_azure *
sc_az_new(struct sim_cloud *sc, const json_t *cfg, char *err, size_t errlen)
{
	struct sc_azure *az;
	const json_t *lro = cfg ? json_object_get(cfg, "lro") : NULL;
	char u[37], buf[300];

	az = xcalloc(1, sizeof(*az));
	sc->az = az;
	az->location = xstrdup(sc_cfg_str(cfg, "region", "centralus"));
	sc_uuid(sc, u);
	az->sub = xstrdup(sc_cfg_str(cfg, "subscriptionId", u));
	sc_uuid(sc, u);
	az->tenant = xstrdup(sc_cfg_str(cfg, "tenantId", u));
	sc_uuid(sc, u);
	az->client_id = xstrdup(sc_cfg_str(cfg, "clientId", u));
	sc_uuid(sc, az->vnet_guid);
	/* The shape of an AAD client secret: 40 characters with a "Q~". */
	sc_secret(az->client_secret, sizeof(az->client_secret),
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
	az->client_secret[3] = '8';
	az->client_secret[4] = 'Q';
	az->client_secret[5] = '~';
	snprintf(buf, sizeof(buf), "%s-rg", sc->infra);
	az->rg = xstrdup(sc_cfg_str(cfg, "resourceGroup", buf));
	az->netrg = xstrdup(sc_cfg_str(cfg, "networkResourceGroup", az->rg));
	snprintf(buf, sizeof(buf), "%s-vnet", sc->infra);
	az->vnet = xstrdup(sc_cfg_str(cfg, "vnet", buf));
	az->vnet_cidr = sc_cfg_str(cfg, "vnetCidr", NULL) ?
	    xstrdup(sc_cfg_str(cfg, "vnetCidr", NULL)) : NULL;
	az->default_size = xstrdup(sc_cfg_str(cfg, "defaultVmSize",
	    "Standard_D4s_v3"));
	az->ipconfig_limit = (int)sc_cfg_num(cfg, "ipConfigurationLimit", 256);
	az->vm_page = (int)sc_cfg_num(cfg, "vmPageSize", 50);
	az->outbound_rule = json_is_true(cfg ? json_object_get(cfg,
	    "outboundRule") : NULL);
	az->lro_polls = (int)sc_cfg_num(lro, "polls", 1);
	az->lro_retry = (int)sc_cfg_num(lro, "retryAfter", 1);
	az->lro_max = sc_cfg_num(lro, "maxSeconds", 10);
	az->tok_life = sc_cfg_num(cfg, "tokenLifetime", 3599);
	xasprintf(&az->pool_public, "/subscriptions/%s/resourceGroups/%s/"
	    "providers/Microsoft.Network/loadBalancers/%s/backendAddressPools/"
	    "%s", az->sub, az->rg, sc->infra, sc->infra);
	xasprintf(&az->pool_internal, "/subscriptions/%s/resourceGroups/%s/"
	    "providers/Microsoft.Network/loadBalancers/%s-internal/"
	    "backendAddressPools/%s-internal", az->sub, az->rg, sc->infra,
	    sc->infra);
	if (az->ipconfig_limit < 1 || az->ipconfig_limit > 1024 ||
	    az->vm_page < 1 || az->lro_polls < 0 || az->lro_polls > 100 ||
	    az->lro_retry < 0 || az->lro_retry > 60 || !(az->lro_max >= 0) ||
	    !(az->tok_life >= 1)) {
		snprintf(err, errlen, "Azure: ipConfigurationLimit 1..1024, "
		    "vmPageSize >= 1, lro.polls 0..100, lro.retryAfter 0..60, "
		    "tokenLifetime >= 1");
		goto fail;
	}
	if (az_subnets_init(sc, cfg, err, errlen) == -1 ||
	    az_fronts_init(sc, cfg, err, errlen) == -1)
		goto fail;
	return az;
fail:
	sc_az_free(az);
	sc->az = NULL;
	return NULL;
}

static void
az_op_free(struct sc_azop *op)
{
	free(op->nic);
	free(op->code);
	free(op->message);
	free(op);
}

static void
az_nic_free(struct sc_aznic *n)
{
	free(n->name);
	json_decref(n->doc);
	json_decref(n->prev);
	free(n);
}

void
sc_az_free(struct sc_azure *az)
{
	size_t i;

	if (az == NULL)
		return;
	for (i = 0; i < az->nvms; i++) {
		free(az->vms[i]->name);
		free(az->vms[i]->zone);
		free(az->vms[i]->size);
		free(az->vms[i]);
	}
	free(az->vms);
	for (i = 0; i < az->nnics; i++)
		az_nic_free(az->nics[i]);
	free(az->nics);
	for (i = 0; i < az->nops; i++)
		az_op_free(az->ops[i]);
	free(az->ops);
	for (i = 0; i < az->nsubnets; i++) {
		free(az->subnets[i].id);
		free(az->subnets[i].name);
		json_decref(az->subnets[i].zones);
	}
	free(az->subnets);
	for (i = 0; i < az->nfronts; i++) {
		free(az->fronts[i].id);
		free(az->fronts[i].name);
	}
	free(az->fronts);
	for (i = 0; i < az->ntoks; i++)
		free(az->toks[i].token);
	free(az->toks);
	free(az->sub);
	free(az->tenant);
	free(az->client_id);
	explicit_bzero(az->client_secret, sizeof(az->client_secret));
	free(az->location);
	free(az->rg);
	free(az->netrg);
	free(az->vnet);
	free(az->vnet_cidr);
	free(az->default_size);
	free(az->pool_public);
	free(az->pool_internal);
	free(az->fail_nic);
	free(az->fail_code);
	free(az->fail_message);
	free(az);
}

void
az_set_etag(json_t *doc, const char *etag)
{
	json_t *c;
	size_t i;

	json_object_set_new(doc, "etag", json_string(etag));
	json_array_foreach(json_object_get(json_object_get(doc, "properties"),
	    "ipConfigurations"), i, c)
		json_object_set_new(c, "etag", json_string(etag));
}

/* A NIC document as ARM serves it, with one primary ipConfiguration. */
static json_t *
az_nic_doc(struct sim_cloud *sc, const char *name, const char *vm_name,
    const struct sc_subnet *sn, const struct eip_ip *ip)
{
	struct sc_azure *az = sc->az;
	char *id = az_nic_id(az, name), *vmid = vm_name ?
	    az_vm_id(az, vm_name) : NULL, *cfgid, guid[37], etag[48], s[IP_STRLEN];
	char mac[18], nsg[400], dns[64];
	uint64_t r = sc_rand(sc);
	json_t *doc, *pools;

	sc_uuid(sc, guid);
	az_etag(sc, etag, sizeof(etag));
	xasprintf(&cfgid, "%s/ipConfigurations/pipConfig", id);
	snprintf(mac, sizeof(mac), "00-22-48-%02X-%02X-%02X",
	    (unsigned)(r & 0xff), (unsigned)(r >> 8 & 0xff),
	    (unsigned)(r >> 16 & 0xff));
	snprintf(nsg, sizeof(nsg), "/subscriptions/%s/resourceGroups/%s/"
	    "providers/Microsoft.Network/networkSecurityGroups/%s-nsg", az->sub,
	    az->rg, sc->infra);
	snprintf(dns, sizeof(dns), "%.12s.bx.internal.cloudapp.net", guid);
	pools = vm_name != NULL ? json_pack("[{s:s},{s:s}]", "id",
	    az->pool_public, "id", az->pool_internal) : json_array();
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{}, s:{s:s, s:s, "
	    "s:[{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:{s:s}, s:b, s:s, "
	    "s:o}}], s:{s:[], s:[], s:s}, s:s, s:b, s:b, s:b, s:{s:s}, s:b, "
	    "s:[], s:[], s:s, s:s, s:s}}", "name", name, "id", id, "etag",
	    etag, "type", "Microsoft.Network/networkInterfaces", "location",
	    az->location, "tags", "properties", "provisioningState",
	    "Succeeded", "resourceGuid", guid, "ipConfigurations", "name",
	    "pipConfig", "id", cfgid, "etag", etag, "type",
	    "Microsoft.Network/networkInterfaces/ipConfigurations",
	    "properties", "provisioningState", "Succeeded", "privateIPAddress",
	    ip_format(ip, s, sizeof(s)), "privateIPAllocationMethod",
	    "Dynamic", "subnet", "id", sn->id, "primary", 1,
	    "privateIPAddressVersion", "IPv4",
	    "loadBalancerBackendAddressPools", pools, "dnsSettings",
	    "dnsServers", "appliedDnsServers", "internalDomainNameSuffix", dns,
	    "macAddress", mac, "enableAcceleratedNetworking", 1,
	    "vnetEncryptionSupported", 0, "enableIPForwarding", 0,
	    "networkSecurityGroup", "id", nsg, "primary", vm_name != NULL,
	    "hostedWorkloads", "tapConfigurations", "nicType", "Standard",
	    "auxiliaryMode", "None", "auxiliarySku", "None");
	if (vmid != NULL)
		json_object_set_new(json_object_get(doc, "properties"),
		    "virtualMachine", json_pack("{s:s}", "id", vmid));
	free(id);
	free(vmid);
	free(cfgid);
	return doc;
}

static struct sc_aznic *
az_nic_add(struct sc_azure *az, const char *name, json_t *doc)
{
	struct sc_aznic *n = xcalloc(1, sizeof(*n));

	n->name = xstrdup(name);
	n->doc = doc;
	az->nics = xreallocarray(az->nics, az->nnics + 1, sizeof(*az->nics));
	az->nics[az->nnics++] = n;
	return n;
}

static void
az_nic_remove(struct sc_azure *az, struct sc_aznic *n)
{
	size_t i;

	for (i = 0; i < az->nnics; i++)
		if (az->nics[i] == n) {
			memmove(&az->nics[i], &az->nics[i + 1],
			    (az->nnics - i - 1) * sizeof(*az->nics));
			az->nnics--;
			break;
		}
	az_nic_free(n);
}

static int
zone_served(const struct sc_subnet *sn, const char *zone)
{
	const json_t *z;
	size_t i;

	json_array_foreach(sn->zones, i, z)
		if (strcmp(json_string_value(z) ? json_string_value(z) : "",
		    zone) == 0)
			return 1;
	return 0;
}

int
sc_az_add_node(struct sim_cloud *sc, const char *node, const char *zone,
    const char *size, char *pid, size_t pidlen, char *ip, size_t iplen)
{
	struct sc_azure *az = sc->az;
	struct sc_subnet *sn = NULL;
	struct sc_azvm *vm;
	struct eip_ip want;
	const char *dash, *p;
	char nicname[300], *vmid;
	size_t i;
	int hint;

	if ((vm = az_vm_find(az, node)) != NULL)
		goto out;
	hint = ip != NULL && ip[0] != '\0' && ip_parse(ip, &want) == 0 &&
	    want.family == 4 && !az_ip_holder(az, &want, NULL, NULL, NULL);
	for (i = 0; hint && i < az->nsubnets && sn == NULL; i++)
		if (sc_subnet_contains(&az->subnets[i], &want) &&
		    !sc_subnet_reserved(&az->subnets[i], &want))
			sn = &az->subnets[i];
	hint = sn != NULL;
	for (i = 0; sn == NULL && zone != NULL && i < az->nsubnets; i++)
		if (zone_served(&az->subnets[i], zone))
			sn = &az->subnets[i];
	if (sn == NULL)
		sn = az_worker_subnet(az);
	if (!hint && az_alloc_ip(az, sn, NULL, 0, &want) == -1) {
		log_warn("sim cloud: node %s: subnet %s is full", node,
		    sn->name);
		return -1;
	}
	vm = xcalloc(1, sizeof(*vm));
	vm->name = xstrdup(node);
	vm->size = xstrdup(size != NULL && *size != '\0' ? size :
	    az->default_size);
	/* Zone label westeurope-2 -> VM zone "2". */
	if (zone != NULL && (dash = strrchr(zone, '-')) != NULL &&
	    dash[1] != '\0') {
		for (p = dash + 1; isdigit((unsigned char)*p); p++)
			;
		if (*p == '\0')
			vm->zone = xstrdup(dash + 1);
	}
	sc_uuid(sc, vm->vmid);
	vm->subnet = sn;
	snprintf(nicname, sizeof(nicname), "%s-nic", node);
	vm->nic = az_nic_add(az, nicname, az_nic_doc(sc, nicname, node, sn,
	    &want));
	vm->nic->vm = vm;
	az->vms = xreallocarray(az->vms, az->nvms + 1, sizeof(*az->vms));
	az->vms[az->nvms++] = vm;
out:
	vmid = az_vm_id(az, vm->name);
	snprintf(pid, pidlen, "azure://%s", vmid);
	free(vmid);
	snprintf(ip, iplen, "%s", json_string_value(json_object_get(
	    json_object_get(json_array_get(json_object_get(json_object_get(
	    vm->nic->doc, "properties"), "ipConfigurations"), 0),
	    "properties"), "privateIPAddress")));
	return 0;
}

int
sc_az_remove_node(struct sim_cloud *sc, const char *node)
{
	struct sc_azure *az = sc->az;
	struct sc_azvm *vm = az_vm_find(az, node);
	size_t i;

	if (vm == NULL)
		return -1;
	az_nic_remove(az, vm->nic);
	for (i = 0; i < az->nvms; i++)
		if (az->vms[i] == vm) {
			memmove(&az->vms[i], &az->vms[i + 1],
			    (az->nvms - i - 1) * sizeof(*az->vms));
			az->nvms--;
			break;
		}
	free(vm->name);
	free(vm->zone);
	free(vm->size);
	free(vm);
	return 0;
}

/* As cloud-network-config-controller publishes it on Azure. */
char *
sc_az_egress_ipconfig(struct sim_cloud *sc, const char *node)
{
	struct sc_azure *az = sc->az;
	struct sc_azvm *vm = az_vm_find(az, node);
	char cidr[CIDR_STRLEN], *s;
	json_t *a;
	int n;

	if (vm == NULL)
		return NULL;
	n = (int)json_array_size(json_object_get(json_object_get(vm->nic->doc,
	    "properties"), "ipConfigurations"));
	cidr_format(&vm->subnet->cidr, cidr, sizeof(cidr));
	a = json_pack("[{s:s, s:{s:s}, s:{s:i}}]", "interface", vm->nic->name,
	    "ifaddr", "ipv4", cidr, "capacity", "ip",
	    az->ipconfig_limit - n > 0 ? az->ipconfig_limit - n : 0);
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

json_t *
sc_az_platform_status(struct sim_cloud *sc)
{
	return json_pack("{s:s, s:{s:s, s:s, s:s}}", "type", "Azure", "azure",
	    "resourceGroupName", sc->az->rg, "networkResourceGroupName",
	    sc->az->netrg, "cloudName", "AzurePublicCloud");
}

static json_t *
az_nic_summary(struct sc_aznic *n)
{
	json_t *cfgs = json_array(), *c, *p;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(n->doc,
	    "properties"), "ipConfigurations"), i, c) {
		p = json_object_get(c, "properties");
		json_array_append_new(cfgs, json_pack("{s:O, s:O, s:b, s:O*}",
		    "name", json_object_get(c, "name"), "ip",
		    json_object_get(p, "privateIPAddress"), "primary",
		    json_is_true(json_object_get(p, "primary")), "pools",
		    json_object_get(p, "loadBalancerBackendAddressPools")));
	}
	return json_pack("{s:s, s:O, s:O, s:s?, s:o, s:s?}", "name", n->name,
	    "etag", json_object_get(n->doc, "etag"), "provisioningState",
	    json_object_get(json_object_get(n->doc, "properties"),
	    "provisioningState"), "vm", n->vm != NULL ? n->vm->name : NULL,
	    "ipConfigurations", cfgs, "operation", n->op != NULL ? n->op->id :
	    NULL);
}

json_t *
sc_az_dump(struct sim_cloud *sc)
{
	struct sc_azure *az = sc->az;
	json_t *subs = json_array(), *vms = json_array(), *nics = json_array();
	json_t *fronts = json_array();
	char cidr[CIDR_STRLEN], s[IP_STRLEN];
	size_t i;

	for (i = 0; i < az->nsubnets; i++)
		json_array_append_new(subs, json_pack("{s:s, s:s, s:s, s:O*}",
		    "name", az->subnets[i].name, "id", az->subnets[i].id,
		    "cidr", cidr_format(&az->subnets[i].cidr, cidr,
		    sizeof(cidr)), "zones", az->subnets[i].zones));
	for (i = 0; i < az->nvms; i++)
		json_array_append_new(vms, json_pack("{s:s, s:s?, s:s, s:s, "
		    "s:s}", "name", az->vms[i]->name, "zone", az->vms[i]->zone,
		    "size", az->vms[i]->size, "nic", az->vms[i]->nic->name,
		    "subnet", az->vms[i]->subnet->name));
	for (i = 0; i < az->nnics; i++)
		json_array_append_new(nics, az_nic_summary(az->nics[i]));
	for (i = 0; i < az->nfronts; i++)
		json_array_append_new(fronts, json_pack("{s:s, s:s, s:s}", "id",
		    az->fronts[i].id, "ip", ip_format(&az->fronts[i].ip, s,
		    sizeof(s)), "subnet", az->fronts[i].subnet->name));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, "
	    "s:o, s:i, s:{s:s}}", "subscriptionId", az->sub, "tenantId",
	    az->tenant, "clientId", az->client_id, "location", az->location,
	    "resourceGroup", az->rg, "networkResourceGroup", az->netrg,
	    "vnet", az->vnet, "subnets", subs, "vms", vms,
	    "networkInterfaces", nics, "frontends", fronts, "operations",
	    (int)az->nops, "testCredentials", "clientSecret",
	    az->client_secret);
}

int
sc_az_write_credentials(struct sim_cloud *sc, const char *dir, char *err,
    size_t errlen)
{
	struct sc_azure *az = sc->az;

	if (sc_write_file(dir, "azure_client_id", az->client_id, 0600, err,
	    errlen) == -1 || sc_write_file(dir, "azure_tenant_id",
	    az->tenant, 0600, err, errlen) == -1 || sc_write_file(dir,
	    "azure_subscription_id", az->sub, 0600, err, errlen) == -1 ||
	    sc_write_file(dir, "azure_region", az->location, 0600, err,
	    errlen) == -1 || sc_write_file(dir, "azure_resourcegroup", az->rg,
	    0600, err, errlen) == -1)
		return -1;
	if (strcmp(sc->variant, "wi") == 0)
		return sc_write_file(dir, "azure_federated_token_file",
		    sc->token_path, 0600, err, errlen);
	return sc_write_file(dir, "azure_client_secret", az->client_secret,
	    0600, err, errlen);
}

/*
 * take-address {"ip"}: a foreign NIC (no VM) holds the address;
 * {"ip","node"}: a foreign ipConfiguration on the node's NIC.
 */
static int
az_take_address(struct sim_cloud *sc, const json_t *args, json_t **res,
    char *err, size_t errlen)
{
	struct sc_azure *az = sc->az;
	const char *s = sc_cfg_str(args, "ip", NULL);
	const char *node = sc_cfg_str(args, "node", NULL);
	struct sc_subnet *sn = NULL;
	struct sc_azvm *vm;
	struct eip_ip ip;
	char name[64], etag[48], *cfgid;
	json_t *cfgs, *c;
	size_t i;

	if (s == NULL || ip_parse(s, &ip) == -1 || ip.family != 4) {
		snprintf(err, errlen, "take-address: \"ip\" must be an IPv4 "
		    "address");
		return -1;
	}
	if (az_ip_holder(az, &ip, NULL, NULL, NULL)) {
		snprintf(err, errlen, "take-address: %s is held already", s);
		return -1;
	}
	for (i = 0; i < az->nsubnets && sn == NULL; i++)
		if (sc_subnet_contains(&az->subnets[i], &ip))
			sn = &az->subnets[i];
	if (sn == NULL || sc_subnet_reserved(sn, &ip)) {
		snprintf(err, errlen, "take-address: %s is in no subnet or "
		    "reserved", s);
		return -1;
	}
	if (node == NULL) {
		snprintf(name, sizeof(name), "foreign-nic-%d", ++az->nforeign);
		az_nic_add(az, name, az_nic_doc(sc, name, NULL, sn, &ip));
		*res = json_pack("{s:s, s:s}", "ip", s, "networkInterface",
		    name);
		return 0;
	}
	if ((vm = az_vm_find(az, node)) == NULL || vm->nic->op != NULL) {
		snprintf(err, errlen, "take-address: node %s unknown or busy",
		    node);
		return -1;
	}
	snprintf(name, sizeof(name), "foreign-%s", s);
	xasprintf(&cfgid, "%s/ipConfigurations/%s", json_string_value(
	    json_object_get(vm->nic->doc, "id")), name);
	cfgs = json_object_get(json_object_get(vm->nic->doc, "properties"),
	    "ipConfigurations");
	c = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:{s:s}, s:b, s:s}}",
	    "name", name, "id", cfgid, "type",
	    "Microsoft.Network/networkInterfaces/ipConfigurations",
	    "properties", "provisioningState", "Succeeded", "privateIPAddress",
	    s, "privateIPAllocationMethod", "Static", "subnet", "id", sn->id,
	    "primary", 0, "privateIPAddressVersion", "IPv4");
	json_array_append_new(cfgs, c);
	free(cfgid);
	az_etag(sc, etag, sizeof(etag));
	az_set_etag(vm->nic->doc, etag);
	*res = json_pack("{s:s, s:s, s:s}", "ip", s, "networkInterface",
	    vm->nic->name, "ipConfiguration", name);
	return 0;
}

static int
az_release_address(struct sim_cloud *sc, const json_t *args, json_t **res,
    char *err, size_t errlen)
{
	struct sc_azure *az = sc->az;
	const char *s = sc_cfg_str(args, "ip", NULL), *cfg = NULL;
	struct sc_aznic *nic;
	struct eip_ip ip;
	char etag[48];
	json_t *cfgs, *c = NULL;
	size_t i;

	if (s == NULL || ip_parse(s, &ip) == -1 ||
	    !az_ip_holder(az, &ip, &nic, &cfg, NULL) || nic == NULL) {
		snprintf(err, errlen, "release-address: no NIC holds \"ip\"");
		return -1;
	}
	if (nic->vm == NULL) {
		az_nic_remove(az, nic);
	} else {
		cfgs = json_object_get(json_object_get(nic->doc, "properties"),
		    "ipConfigurations");
		json_array_foreach(cfgs, i, c)
			if (strcmp(json_string_value(json_object_get(c,
			    "name")), cfg) == 0)
				break;
		if (i == 0 || i == json_array_size(cfgs) ||
		    json_is_true(json_object_get(json_object_get(
		    json_array_get(cfgs, i), "properties"), "primary"))) {
			snprintf(err, errlen, "release-address: %s is the "
			    "primary address", s);
			return -1;
		}
		json_array_remove(cfgs, i);
		az_etag(sc, etag, sizeof(etag));
		az_set_etag(nic->doc, etag);
	}
	*res = json_pack("{s:s}", "released", s);
	return 0;
}

int
sc_az_control(struct sim_cloud *sc, const char *cmd, const json_t *args,
    json_t **res, char *err, size_t errlen)
{
	struct sc_azure *az = sc->az;
	struct sc_aznic *nic;
	const char *s;
	char etag[48];
	double v;
	size_t i;

	if (strcmp(cmd, "take-address") == 0)
		return az_take_address(sc, args, res, err, errlen);
	if (strcmp(cmd, "release-address") == 0)
		return az_release_address(sc, args, res, err, errlen);
	if (strcmp(cmd, "fail-next-lro") == 0) {
		s = sc_cfg_str(args, "nic", NULL);
		free(az->fail_nic);
		free(az->fail_code);
		free(az->fail_message);
		az->fail_nic = s != NULL ? xstrdup(s) : NULL;
		az->fail_code = xstrdup(sc_cfg_str(args, "code",
		    "InternalServerError"));
		az->fail_message = xstrdup(sc_cfg_str(args, "message",
		    "An error occurred."));
		az->fail_next = 1;
		*res = json_pack("{s:b}", "armed", 1);
		return 0;
	}
	if (strcmp(cmd, "bump-etag") == 0) {
		if ((nic = az_nic_find(az, sc_cfg_str(args, "nic", NULL))) ==
		    NULL) {
			snprintf(err, errlen, "bump-etag: unknown \"nic\"");
			return -1;
		}
		az_etag(sc, etag, sizeof(etag));
		az_set_etag(nic->doc, etag);
		*res = json_pack("{s:s}", "etag", etag);
		return 0;
	}
	if (strcmp(cmd, "lro") == 0) {
		az->lro_polls = (int)sc_cfg_num(args, "polls", az->lro_polls);
		az->lro_retry = (int)sc_cfg_num(args, "retryAfter",
		    az->lro_retry);
		az->lro_max = sc_cfg_num(args, "maxSeconds", az->lro_max);
		if (az->lro_polls < 0 || az->lro_polls > 100 ||
		    az->lro_retry < 0 || az->lro_retry > 60 ||
		    !(az->lro_max >= 0)) {
			az->lro_polls = 1;
			az->lro_retry = 1;
			az->lro_max = 10;
			snprintf(err, errlen, "lro: polls 0..100, retryAfter "
			    "0..60, maxSeconds >= 0 (reset to defaults)");
			return -1;
		}
		*res = json_pack("{s:i, s:i, s:f}", "polls", az->lro_polls,
		    "retryAfter", az->lro_retry, "maxSeconds", az->lro_max);
		return 0;
	}
	if (strcmp(cmd, "aad-expire") == 0) {
		for (i = 0; i < az->ntoks; i++)
			if (az->toks[i].exp > sc_now(sc) - 1)
				az->toks[i].exp = sc_now(sc) - 1;
		*res = json_pack("{s:i}", "expired", (int)az->ntoks);
		return 0;
	}
	if (strcmp(cmd, "token-lifetime") == 0) {
		v = sc_cfg_num(args, "seconds", 0);
		if (!(v >= 1 && v <= 86400)) {
			snprintf(err, errlen, "token-lifetime: seconds 1..86400");
			return -1;
		}
		az->tok_life = v;
		*res = json_pack("{s:f}", "seconds", v);
		return 0;
	}
	snprintf(err, errlen, "unknown cloud command '%.64s' for Azure", cmd);
	return -1;
}
