/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Azure DISCOVER and ENSURE.  DISCOVER lists the VMs and NICs of the
 * resource groups involved (a page per call, not a call per node), takes
 * the primary NIC of each node's VM, and reads each VNet once with
 * $expand=subnets/ipConfigurations for the addresses in use.  ENSURE is
 * one GET and, when something changes, one PUT with If-Match, followed to
 * the end of its long-running operation; a stale etag means a fresh GET
 * and plan, an address another NIC holds is set aside and the rest
 * applied, and after a failure the NIC is read again so what is reported
 * is what is there.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "azjson.h"
#include "azure_int.h"
#include "log.h"
#include "plan.h"
#include "xmalloc.h"

#define AZ_MAX_REPLANS	6
#define AZ_POLL_MS	1000

/* ---- DISCOVER ---- */

struct aznode {
	const char	*name;
	char		 rg[256];
	char		 vm[256];
	int		 state;		/* 0 looking, 1 found, -1 failed */
	enum cloud_class cls;
	char		 err[300];
	char		*vm_id;
	char		*nic_id;
	json_t		*nic;
};

struct azsub {
	struct eip_cidr	 cidr;
	char		 subnet_cidr[CIDR_STRLEN];
	struct eip_ip	*used;
	size_t		 nused;
	char		 err[300];
};

struct azdisc {
	struct az_op	 op;
	struct aznode	*nodes;
	size_t		 nnodes;
	char		**vnets;	/* VNet ids to read */
	size_t		 nvnets;
	struct azsub	*subs;
	size_t		 nsubs;
	int		 pending;
	int		 phase;
};

/* A listing in a resource group, page by page. */
struct azlist {
	struct azdisc	*d;
	char		 rg[256];
	int		 nics;		/* 1: NIC listing, 2: NICs for their
					   VNets, 0: VM listing */
};

static void
disc_free(struct az_op *op)
{
	struct azdisc *d = (struct azdisc *)op;
	size_t i;

	for (i = 0; i < d->nnodes; i++) {
		free(d->nodes[i].vm_id);
		free(d->nodes[i].nic_id);
		json_decref(d->nodes[i].nic);
	}
	for (i = 0; i < d->nsubs; i++)
		free(d->subs[i].used);
	for (i = 0; i < d->nvnets; i++)
		free(d->vnets[i]);
	free(d->vnets);
	free(d->nodes);
	free(d->subs);
	free(d);
}

/* Adds a VNet id once (case-insensitively), to the op and the cache. */
static void
vnet_add(struct azdisc *d, const char *id)
{
	struct az *az = d->op.az;
	size_t i;

	if (id == NULL || !az_id_ok(id))
		return;
	for (i = 0; i < d->nvnets; i++)
		if (strcasecmp(d->vnets[i], id) == 0)
			return;
	d->vnets = xreallocarray(d->vnets, d->nvnets + 1, sizeof(*d->vnets));
	d->vnets[d->nvnets++] = xstrdup(id);
	for (i = 0; i < az->nvnets; i++)
		if (strcasecmp(az->vnets[i], id) == 0)
			return;
	if (az->nvnets < AZ_VNET_CACHE) {
		az->vnets = xreallocarray(az->vnets, az->nvnets + 1,
		    sizeof(*az->vnets));
		az->vnets[az->nvnets++] = xstrdup(id);
	}
}

/* The VNet of a NIC's primary subnet. */
static void
vnet_of_nic(struct azdisc *d, const json_t *nic)
{
	struct az_nic_info ni;
	char err[256], *v;

	if (nic == NULL || az_nic_info(nic, &ni, err, sizeof(err)) == -1)
		return;
	if ((v = az_subnet_vnet(ni.subnet_id)) != NULL) {
		vnet_add(d, v);
		free(v);
	}
	az_nic_info_clear(&ni);
}

static void disc_step(struct azdisc *);

static void
disc_release(struct azdisc *d)
{
	if (--d->pending == 0)
		disc_step(d);
}

static void node_fail(struct aznode *, enum cloud_class, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
node_fail(struct aznode *x, enum cloud_class cls, const char *fmt, ...)
{
	va_list ap;

	if (x->state != 0)
		return;
	x->state = -1;
	x->cls = cls;
	va_start(ap, fmt);
	vsnprintf(x->err, sizeof(x->err), fmt, ap);
	va_end(ap);
}

static void
subs_fail(struct azdisc *d, const char *what, const char *msg)
{
	size_t i;

	for (i = 0; i < d->nsubs; i++)
		if (d->subs[i].err[0] == '\0')
			snprintf(d->subs[i].err, sizeof(d->subs[i].err),
			    "%s: %s", what, msg);
}

static void list_done(struct az_req *, struct cw_resp *);

static void
list_fail(struct azlist *l, const struct cw_resp *rs, const char *msg)
{
	struct azdisc *d = l->d;
	size_t i;

	/* A listing for VNets only: the subnets report it, not the nodes. */
	if (l->nics == 2) {
		log_warn("cloud: %s", msg);
		return;
	}
	for (i = 0; i < d->nnodes; i++) {
		struct aznode *x = &d->nodes[i];

		if (strcasecmp(x->rg, l->rg) != 0 || (l->nics &&
		    x->nic_id == NULL))
			continue;
		node_fail(x, rs != NULL && rs->cls != CC_OK ? rs->cls :
		    CC_TRANSIENT, "%s", msg);
	}
}

/* The resource group of a NIC id, for its listing. */
static int
nic_rg(const char *id, char *rg, size_t len)
{
	char type[256];

	return az_id_parse(id, NULL, 0, rg, len, type, sizeof(type), NULL, 0)
	    == 0 && strcasecmp(type, "Microsoft.Network/networkInterfaces") ==
	    0 ? 0 : -1;
}

static void
list_done(struct az_req *r, struct cw_resp *rs)
{
	struct azlist *l = r->arg;
	struct azdisc *d = l->d;
	const json_t *v, *it;
	json_t *body;
	const char *next;
	char err[300], rg[256];
	size_t i, k;

	body = rs->cls == CC_OK ? az_body(rs) : NULL;
	v = json_object_get(body, "value");
	if (rs->cls != CC_OK || !json_is_array(v)) {
		snprintf(err, sizeof(err), "listing %s of %s: %s", l->nics ?
		    "NICs" : "VMs", l->rg, rs->cls != CC_OK ? rs->message :
		    "no value list");
		list_fail(l, rs, err);
		json_decref(body);
		free(l);
		disc_release(d);
		return;
	}
	json_array_foreach(v, i, it) {
		const char *name = json_string_value(json_object_get(it,
		    "name"));

		if (l->nics == 2) {
			vnet_of_nic(d, it);
			continue;
		}
		const char *id = json_string_value(json_object_get(it, "id"));

		for (k = 0; k < d->nnodes; k++) {
			struct aznode *x = &d->nodes[k];

			if (x->state != 0 || id == NULL)
				continue;
			if (!l->nics) {
				if (name == NULL || strcasecmp(x->rg, l->rg) ||
				    strcasecmp(x->vm, name))
					continue;
				free(x->vm_id);
				x->vm_id = xstrdup(id);
				x->nic_id = az_vm_primary_nic(it, err,
				    sizeof(err));
				if (x->nic_id == NULL)
					node_fail(x, CC_NOT_FOUND, "%s", err);
				else if (nic_rg(x->nic_id, rg, sizeof(rg)) == -1)
					node_fail(x, CC_INVALID, "primary NIC "
					    "id %.200s is not a NIC id",
					    x->nic_id);
			} else if (x->nic_id != NULL && x->nic == NULL &&
			    strcasecmp(x->nic_id, id) == 0)
				x->nic = json_deep_copy(it);
		}
	}
	next = json_string_value(json_object_get(body, "nextLink"));
	if (next != NULL && *next != '\0') {
		if (az_send(&d->op, CW_API_ARM_READ, l->nics ? "arm:nic.list" :
		    "arm:vm.list", "GET", next, NULL, NULL, NULL, list_done,
		    l) == 0) {
			json_decref(body);
			return;
		}
		list_fail(l, NULL, "nextLink leaves the ARM endpoint");
	}
	json_decref(body);
	free(l);
	disc_release(d);
}

static void
vnet_done(struct az_req *r, struct cw_resp *rs)
{
	struct azdisc *d = r->arg;
	struct eip_ip *used;
	json_t *body;
	char err[300], sc[CIDR_STRLEN];
	size_t i, j, n;

	body = rs->cls == CC_OK ? az_body(rs) : NULL;
	if (body == NULL) {
		subs_fail(d, "reading the virtual network", rs->cls != CC_OK ?
		    rs->message : "not JSON");
		disc_release(d);
		return;
	}
	for (i = 0; i < d->nsubs; i++) {
		struct azsub *s = &d->subs[i];

		if (az_vnet_used(body, &s->cidr, &used, &n, sc, sizeof(sc),
		    err, sizeof(err)) == -1) {
			snprintf(s->err, sizeof(s->err), "%s", err);
			continue;
		}
		if (s->subnet_cidr[0] == '\0')
			snprintf(s->subnet_cidr, sizeof(s->subnet_cidr), "%s",
			    sc);
		for (j = 0; j < n; j++)
			if (!plan_has(s->used, s->nused, &used[j])) {
				s->used = xreallocarray(s->used, s->nused + 1,
				    sizeof(*s->used));
				s->used[s->nused++] = used[j];
			}
		free(used);
	}
	json_decref(body);
	disc_release(d);
}

static json_t *
disc_reply(struct azdisc *d)
{
	json_t *nodes = json_array(), *subs = json_array(), *n, *s;
	struct eip_cidr *cidrs = xcalloc(d->nsubs + 1, sizeof(*cidrs));
	struct az_nic_info ni;
	char buf[CIDR_STRLEN], err[256];
	size_t i;
	int cap;

	for (i = 0; i < d->nsubs; i++)
		cidrs[i] = d->subs[i].cidr;
	for (i = 0; i < d->nnodes; i++) {
		struct aznode *x = &d->nodes[i];

		if (x->state == 0 && x->nic == NULL)
			node_fail(x, CC_NOT_FOUND, "%s", x->vm_id == NULL ?
			    "the virtual machine does not exist" :
			    "its primary network interface does not exist");
		if (x->state == 0 && az_nic_info(x->nic, &ni, err,
		    sizeof(err)) == -1)
			node_fail(x, CC_INVALID, "%s", err);
		if (x->state != 0) {
			n = json_pack("{s:s, s:b, s:s}", "name", x->name, "ok",
			    0, "class", cloud_class_name(x->cls));
			json_object_set_new(n, "error", cw_safe_string(x->err));
			json_array_append_new(nodes, n);
			continue;
		}
		n = json_pack("{s:s, s:b, s:s, s:s, s:o}", "name", x->name,
		    "ok", 1, "instance", x->vm_id, "nic", ni.id, "ips",
		    cw_ips_json(ni.ips, ni.nips));
		if (ni.primary.family != 0)
			json_object_set_new(n, "primary_ip", json_string(
			    ip_format(&ni.primary, buf, sizeof(buf))));
		cap = plan_capacity(AZ_NIC_IPCONFIG_LIMIT - (int)ni.nipless,
		    ni.primary.family != 0, plan_foreign(ni.ips, ni.nips,
		    ni.primary.family != 0 ? &ni.primary : NULL, cidrs,
		    d->nsubs));
		json_object_set_new(n, "capacity", json_integer(cap));
		json_array_append_new(nodes, n);
		az_nic_info_clear(&ni);
	}
	for (i = 0; i < d->nsubs; i++) {
		struct azsub *x = &d->subs[i];

		s = json_pack("{s:s}", "cidr", cidr_format(&x->cidr, buf,
		    sizeof(buf)));
		if (x->err[0])
			json_object_set_new(s, "error", cw_safe_string(x->err));
		else {
			if (x->subnet_cidr[0])
				json_object_set_new(s, "subnet_cidr",
				    json_string(x->subnet_cidr));
			json_object_set_new(s, "used", cw_ips_json(x->used,
			    x->nused));
		}
		json_array_append_new(subs, s);
	}
	free(cidrs);
	return json_pack("{s:o, s:o}", "nodes", nodes, "subnets", subs);
}

/* One listing per distinct resource group of the nodes still looking. */
static void
send_lists(struct azdisc *d, int nics)
{
	struct azlist *l;
	char **seen, rg[256], *path;
	size_t i, k, n = 0;

	seen = xcalloc(d->nnodes + 1, sizeof(*seen));
	for (i = 0; i < d->nnodes; i++) {
		struct aznode *x = &d->nodes[i];

		if (x->state != 0)
			continue;
		if (nics) {
			if (x->nic_id == NULL || nic_rg(x->nic_id, rg,
			    sizeof(rg)) == -1)
				continue;
		} else
			snprintf(rg, sizeof(rg), "%s", x->rg);
		for (k = 0; k < n && strcasecmp(seen[k], rg) != 0; k++)
			;
		if (k < n)
			continue;
		seen[n++] = xstrdup(rg);
		l = xcalloc(1, sizeof(*l));
		l->d = d;
		l->nics = nics;
		snprintf(l->rg, sizeof(l->rg), "%s", rg);
		xasprintf(&path, "/subscriptions/%s/resourceGroups/%s/providers/"
		    "%s", d->op.az->creds.subscription_id, rg, nics ?
		    "Microsoft.Network/networkInterfaces" :
		    "Microsoft.Compute/virtualMachines");
		d->pending++;
		az_send(&d->op, CW_API_ARM_READ, nics ? "arm:nic.list" :
		    "arm:vm.list", "GET", path, nics ? ARM_API_NETWORK :
		    ARM_API_COMPUTE, NULL, NULL, list_done, l);
		free(path);
	}
	for (k = 0; k < n; k++)
		free(seen[k]);
	free(seen);
}

/*
 * The VNets around the CIDRs: those of the nodes' primary subnets, those
 * seen before (a later DISCOVER may name CIDRs only), else those of the
 * NICs in the resource groups (one listing each).
 */
static void
collect_vnets(struct azdisc *d)
{
	struct az *az = d->op.az;
	struct azlist *l;
	char *path;
	size_t i;
	int k;

	for (i = 0; i < d->nnodes; i++)
		if (d->nodes[i].state == 0)
			vnet_of_nic(d, d->nodes[i].nic);
	for (i = 0; i < az->nvnets; i++)
		vnet_add(d, az->vnets[i]);
	if (d->nvnets > 0)
		return;
	for (k = 0; k < 2; k++) {
		const char *rg = k == 0 ? az->rg : az->netrg;

		if (rg == NULL || (k == 1 && az->rg != NULL &&
		    strcasecmp(az->rg, rg) == 0))
			continue;
		l = xcalloc(1, sizeof(*l));
		l->d = d;
		l->nics = 2;
		snprintf(l->rg, sizeof(l->rg), "%s", rg);
		xasprintf(&path, "/subscriptions/%s/resourceGroups/%s/providers/"
		    "Microsoft.Network/networkInterfaces",
		    az->creds.subscription_id, rg);
		d->pending++;
		az_send(&d->op, CW_API_ARM_READ, "arm:nic.list", "GET", path,
		    ARM_API_NETWORK, NULL, NULL, list_done, l);
		free(path);
	}
}

/* Each VNet once, with every address of its subnets. */
static void
send_vnets(struct azdisc *d)
{
	char *path;
	size_t i;

	if (d->nvnets == 0) {
		subs_fail(d, "no virtual network", "neither the nodes' NICs nor "
		    "the resource group's name a subnet");
		return;
	}
	for (i = 0; i < d->nvnets; i++) {
		xasprintf(&path, "%s?$expand=subnets/ipConfigurations",
		    d->vnets[i]);
		d->pending++;
		az_send(&d->op, CW_API_ARM_READ, "arm:vnet.get", "GET", path,
		    ARM_API_NETWORK, NULL, NULL, vnet_done, d);
		free(path);
	}
}

static void
disc_step(struct azdisc *d)
{
	d->pending = 1;
	switch (d->phase++) {
	case 0:
		send_lists(d, 0);
		break;
	case 1:
		send_lists(d, 1);
		break;
	case 2:
		if (d->nsubs > 0)
			collect_vnets(d);
		break;
	case 3:
		if (d->nsubs > 0)
			send_vnets(d);
		break;
	default:
		az_op_finish(&d->op, disc_reply(d));
		return;
	}
	disc_release(d);
}

/* Where a node's VM is: its providerID, else the configured group. */
static int
node_vm(struct az *az, const char *name, const char *pid, char *rg,
    size_t rlen, char *vm, size_t vlen, char *err, size_t errlen)
{
	const char *path = az_provider_id_path(pid);
	char type[256];

	if (path != NULL) {
		if (az_id_parse(path, NULL, 0, rg, rlen, type, sizeof(type), vm,
		    vlen) == -1 || strcasecmp(type,
		    "Microsoft.Compute/virtualMachines") != 0) {
			snprintf(err, errlen, "providerID %.200s is not an "
			    "Azure virtual machine", pid);
			return -1;
		}
		return 0;
	}
	if (pid != NULL && *pid != '\0') {
		snprintf(err, errlen, "providerID %.200s is not an Azure one",
		    pid);
		return -1;
	}
	/* Upstream's rule: the VM is named as the node. */
	if (az->rg == NULL || !az_id_ok(name)) {
		snprintf(err, errlen, "no providerID and no resource group to "
		    "look for VM %.200s in", name);
		return -1;
	}
	snprintf(rg, rlen, "%s", az->rg);
	snprintf(vm, vlen, "%s", name);
	return 0;
}

void
az_discover(void *arg, struct cw_task *t)
{
	struct az *az = arg;
	struct azdisc *d = xcalloc(1, sizeof(*d));
	const json_t *nodes = json_object_get(t->req, "nodes"), *v;
	struct eip_cidr *cidrs;
	char err[300];
	size_t i;

	az_op_add(az, &d->op, t, disc_free);
	d->nnodes = json_array_size(nodes);
	d->nodes = xcalloc(d->nnodes + 1, sizeof(*d->nodes));
	json_array_foreach(nodes, i, v) {
		struct aznode *x = &d->nodes[i];

		x->name = json_string_value(json_object_get(v, "name"));
		if (node_vm(az, x->name, json_string_value(json_object_get(v,
		    "provider_id")), x->rg, sizeof(x->rg), x->vm, sizeof(x->vm),
		    err, sizeof(err)) == -1)
			node_fail(x, CC_NOT_FOUND, "%s", err);
	}
	d->nsubs = cw_json_cidrs(json_object_get(t->req, "cidrs"), &cidrs);
	d->subs = xcalloc(d->nsubs + 1, sizeof(*d->subs));
	for (i = 0; i < d->nsubs; i++)
		d->subs[i].cidr = cidrs[i];
	free(cidrs);
	disc_step(d);
}

/* ---- ENSURE ---- */

struct azens {
	struct az_op	 op;
	char		 rg[256];
	char		 vm[256];
	char		*nic_id;
	struct eip_cidr	*owned;
	size_t		 nowned;
	struct eip_ip	*desired;
	size_t		 ndesired;
	enum az_lb_mode	 lb;
	struct eip_ip	*in_use;
	size_t		 nin_use;
	struct ensure_plan plan;
	json_t		*nic;		/* the last state seen */
	int		 replans;
	int		 lro_failures;
	char		 async_url[1024];
	int		 verified;
	enum cloud_class err_cls;
	char		 err[600];
};

static void
ens_free(struct az_op *op)
{
	struct azens *e = (struct azens *)op;

	free(e->nic_id);
	free(e->owned);
	free(e->desired);
	free(e->in_use);
	ensure_plan_clear(&e->plan);
	json_decref(e->nic);
	free(e);
}

static void ens_get(struct azens *);
static void ens_get_later(struct az_op *);

/* provisioningState Updating or Creating: a change is being applied. */
static int
updating(const json_t *nic)
{
	const char *st = json_string_value(json_object_get(json_object_get(
	    nic, "properties"), "provisioningState"));

	return st != NULL && (strcasecmp(st, "Updating") == 0 ||
	    strcasecmp(st, "Creating") == 0);
}

static void ens_error(struct azens *, enum cloud_class, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* The first error of an ENSURE is the one reported. */
static void
ens_error(struct azens *e, enum cloud_class cls, const char *fmt, ...)
{
	va_list ap;

	if (e->err_cls != CC_OK)
		return;
	e->err_cls = cls;
	va_start(ap, fmt);
	vsnprintf(e->err, sizeof(e->err), fmt, ap);
	va_end(ap);
}

static void
ens_reply(struct azens *e)
{
	struct az_nic_info ni;
	struct eip_ip *mine = NULL;
	enum cloud_class cls = e->err_cls;
	char msg[900], s[IP_STRLEN], err[256];
	size_t n = 0, i, o;
	int cap = -1, known;

	known = e->nic != NULL && az_nic_info(e->nic, &ni, err,
	    sizeof(err)) == 0;
	if (known) {
		mine = xcalloc(ni.nips + 1, sizeof(*mine));
		for (i = 0; i < ni.nips; i++)
			if (!(ni.primary.family != 0 && ip_equal(&ni.ips[i],
			    &ni.primary)) && plan_owned(e->owned, e->nowned,
			    &ni.ips[i]))
				mine[n++] = ni.ips[i];
		cap = plan_capacity(AZ_NIC_IPCONFIG_LIMIT - (int)ni.nipless,
		    ni.primary.family != 0, plan_foreign(ni.ips, ni.nips,
		    ni.primary.family != 0 ? &ni.primary : NULL, e->owned,
		    e->nowned));
		az_nic_info_clear(&ni);
	}
	snprintf(msg, sizeof(msg), "%s", e->err);
	if (cls == CC_OK && e->nin_use > 0) {
		cls = CC_ADDRESS_IN_USE;
		o = (size_t)snprintf(msg, sizeof(msg), "held by another network "
		    "interface:");
		for (i = 0; i < e->nin_use && o < sizeof(msg) - IP_STRLEN - 2;
		    i++)
			o += (size_t)snprintf(msg + o, sizeof(msg) - o, " %s",
			    ip_format(&e->in_use[i], s, sizeof(s)));
	} else if (cls == CC_OK && e->plan.nno_room > 0) {
		cls = CC_LIMIT_EXCEEDED;
		snprintf(msg, sizeof(msg), "the NIC has room for %d operator "
		    "addresses; %zu did not fit", cap, e->plan.nno_room);
	}
	az_op_finish(&e->op, cw_ensure_reply(e->op.task, cls, msg, known ?
	    mine : NULL, n, cap));
	free(mine);
}

/* After a failure: read the NIC once more, then reply. */
static void
ens_verify(struct azens *e)
{
	if (e->verified || e->nic_id == NULL) {
		ens_reply(e);
		return;
	}
	e->verified = 1;
	ens_get(e);
}

static void
nic_final_done(struct az_req *r, struct cw_resp *rs)
{
	struct azens *e = (struct azens *)r->op;
	json_t *b = rs->cls == CC_OK ? az_body(rs) : NULL;

	if (b != NULL) {
		json_decref(e->nic);
		e->nic = b;
	} else
		ens_error(e, rs->cls != CC_OK ? rs->cls : CC_TRANSIENT,
		    "reading the NIC after the change: %s", rs->message);
	ens_reply(e);
}

static void
ens_final_get(struct azens *e)
{
	az_send(&e->op, CW_API_ARM_READ, "arm:nic.get", "GET", e->nic_id,
	    ARM_API_NETWORK, NULL, NULL, nic_final_done, NULL);
}

/*
 * A change failed with cls/code/message: set aside an address another
 * NIC holds, retry what can be retried, else report and verify.
 */
static void
ens_failed(struct azens *e, enum cloud_class cls, const char *message)
{
	struct eip_ip *named;
	size_t k, i;

	if (cls == CC_ADDRESS_IN_USE && e->replans < AZ_MAX_REPLANS) {
		k = plan_ips_in_text(message, e->plan.add, e->plan.nadd, &named);
		if (k == 0) {
			/* Cannot tell which: all the new ones are suspect. */
			named = xcalloc(e->plan.nadd + 1, sizeof(*named));
			if (e->plan.nadd > 0)
				memcpy(named, e->plan.add,
				    e->plan.nadd * sizeof(*named));
			k = e->plan.nadd;
		}
		for (i = 0; i < k; i++)
			if (!plan_has(e->in_use, e->nin_use, &named[i])) {
				e->in_use = xreallocarray(e->in_use,
				    e->nin_use + 1, sizeof(*e->in_use));
				e->in_use[e->nin_use++] = named[i];
			}
		free(named);
		if (k > 0) {
			e->replans++;
			ens_get(e);
			return;
		}
	}
	if ((cls == CC_LIMIT_EXCEEDED || cls == CC_TRANSIENT) &&
	    e->replans < 2) {
		/* Another writer changed the NIC, or ARM hiccuped: again. */
		e->replans++;
		ens_get(e);
		return;
	}
	ens_error(e, cls, "%s", message);
	ens_verify(e);
}

static void poll_op(struct az_op *);

/* ARM's Retry-After, at least 100 ms; a second when it says nothing. */
static uint64_t
poll_wait(long retry_after_s)
{
	if (retry_after_s < 0)
		return AZ_POLL_MS;
	return retry_after_s == 0 ? 100 : (uint64_t)retry_after_s * 1000;
}

static void
op_done(struct az_req *r, struct cw_resp *rs)
{
	struct azens *e = (struct azens *)r->op;
	enum az_lro st;
	char code[128], msg[512], full[700];
	uint64_t wait;

	if (rs->cls != CC_OK || az_lro_parse(rs->body, rs->body_len, &st, code,
	    sizeof(code), msg, sizeof(msg)) == -1) {
		ens_error(e, rs->cls != CC_OK ? rs->cls : CC_TRANSIENT,
		    "following the NIC update: %s", rs->cls != CC_OK ?
		    rs->message : "no operation status");
		ens_verify(e);
		return;
	}
	if (st == AZ_LRO_RUNNING) {
		wait = poll_wait(rs->retry_after_s);
		if (cw_now_ms() + wait >= e->op.task->deadline_ms) {
			ens_error(e, CC_TRANSIENT, "%s", "the NIC update was "
			    "still running at the deadline");
			ens_verify(e);
			return;
		}
		az_op_later(&e->op, wait, poll_op);
		return;
	}
	if (st == AZ_LRO_SUCCEEDED) {
		ens_final_get(e);
		return;
	}
	e->lro_failures++;
	snprintf(full, sizeof(full), "the NIC update failed: %s: %s", code,
	    msg);
	ens_failed(e, cloud_classify_arm(0, code, msg), full);
}

static void
poll_op(struct az_op *op)
{
	struct azens *e = (struct azens *)op;

	if (az_send(op, CW_API_ARM_READ, "arm:operation", "GET", e->async_url,
	    NULL, NULL, NULL, op_done, NULL) == -1) {
		ens_error(e, CC_INVALID, "%s", "the operation URL leaves the "
		    "ARM endpoint");
		ens_verify(e);
	}
}

static void nic_wait(struct az_op *);

static void
nic_wait_done(struct az_req *r, struct cw_resp *rs)
{
	struct azens *e = (struct azens *)r->op;
	json_t *b = rs->cls == CC_OK ? az_body(rs) : NULL;
	const char *st;

	if (b == NULL) {
		ens_error(e, rs->cls != CC_OK ? rs->cls : CC_TRANSIENT,
		    "following the NIC update: %s", rs->message);
		ens_reply(e);
		return;
	}
	json_decref(e->nic);
	e->nic = b;
	st = json_string_value(json_object_get(json_object_get(b,
	    "properties"), "provisioningState"));
	if (updating(b)) {
		if (cw_now_ms() + AZ_POLL_MS >= e->op.task->deadline_ms) {
			ens_error(e, CC_TRANSIENT, "%s", "the NIC was still "
			    "updating at the deadline");
			ens_reply(e);
			return;
		}
		az_op_later(&e->op, AZ_POLL_MS, nic_wait);
		return;
	}
	if (st != NULL && strcasecmp(st, "Failed") == 0)
		ens_error(e, CC_TRANSIENT, "%s", "the NIC update ended in "
		    "provisioningState Failed");
	ens_reply(e);
}

static void
nic_wait(struct az_op *op)
{
	struct azens *e = (struct azens *)op;

	az_send(op, CW_API_ARM_READ, "arm:nic.get", "GET", e->nic_id,
	    ARM_API_NETWORK, NULL, NULL, nic_wait_done, NULL);
}

static void
put_done(struct az_req *r, struct cw_resp *rs)
{
	struct azens *e = (struct azens *)r->op;
	json_t *b;
	const char *st;

	if (rs->cls == CC_OK) {
		b = az_body(rs);
		if (r->async_url[0] != '\0') {
			snprintf(e->async_url, sizeof(e->async_url), "%s",
			    r->async_url);
			json_decref(b);
			az_op_later(&e->op, poll_wait(rs->retry_after_s),
			    poll_op);
			return;
		}
		st = json_string_value(json_object_get(json_object_get(b,
		    "properties"), "provisioningState"));
		if (b != NULL && (st == NULL || strcasecmp(st, "Succeeded") ==
		    0)) {
			json_decref(e->nic);
			e->nic = b;
			ens_reply(e);
			return;
		}
		json_decref(b);
		az_op_later(&e->op, AZ_POLL_MS, nic_wait);
		return;
	}
	if (rs->status == 412 && e->replans < AZ_MAX_REPLANS) {
		/* Someone changed the NIC since our GET: look again. */
		e->replans++;
		ens_get(e);
		return;
	}
	ens_failed(e, rs->cls, rs->message);
}

static void
nic_done(struct az_req *r, struct cw_resp *rs)
{
	struct azens *e = (struct azens *)r->op;
	struct eip_ip *want;
	json_t *b, *put;
	const char *etag;
	char err[300];
	size_t n = 0, i;
	int changed;

	b = rs->cls == CC_OK ? az_body(rs) : NULL;
	if (b == NULL) {
		ens_error(e, rs->cls != CC_OK ? rs->cls : CC_TRANSIENT,
		    "reading the NIC: %s", rs->cls != CC_OK ? rs->message :
		    "not JSON");
		ens_reply(e);
		return;
	}
	json_decref(e->nic);
	e->nic = b;
	if (e->verified) {
		ens_reply(e);
		return;
	}
	/*
	 * Another change is still being applied (ours from before a restart,
	 * or someone else's): what the NIC shows may yet be rolled back, so
	 * wait for it to settle before deciding or answering.
	 */
	if (updating(b)) {
		if (cw_now_ms() + AZ_POLL_MS >= e->op.task->deadline_ms) {
			ens_error(e, CC_TRANSIENT, "%s", "the NIC was still "
			    "being updated by another operation");
			ens_reply(e);
			return;
		}
		az_op_later(&e->op, AZ_POLL_MS, ens_get_later);
		return;
	}
	want = xcalloc(e->ndesired + 1, sizeof(*want));
	for (i = 0; i < e->ndesired; i++)
		if (!plan_has(e->in_use, e->nin_use, &e->desired[i]))
			want[n++] = e->desired[i];
	ensure_plan_clear(&e->plan);
	put = az_nic_transform(b, e->owned, e->nowned, want, n, e->lb,
	    &changed, &e->plan, err, sizeof(err));
	free(want);
	if (put == NULL) {
		ens_error(e, CC_INVALID, "%s", err);
		ens_reply(e);
		return;
	}
	if (!changed) {
		/* Already as asked: no PUT at all. */
		json_decref(put);
		ens_reply(e);
		return;
	}
	etag = json_string_value(json_object_get(b, "etag"));
	az_send(&e->op, CW_API_ARM_WRITE, "arm:nic.put", "PUT", e->nic_id,
	    ARM_API_NETWORK, json_dumps(put, JSON_COMPACT), etag, put_done,
	    NULL);
	json_decref(put);
}

static void
ens_get(struct azens *e)
{
	az_send(&e->op, CW_API_ARM_READ, "arm:nic.get", "GET", e->nic_id,
	    ARM_API_NETWORK, NULL, NULL, nic_done, NULL);
}

static void
ens_get_later(struct az_op *op)
{
	ens_get((struct azens *)op);
}

static void
vm_done(struct az_req *r, struct cw_resp *rs)
{
	struct azens *e = (struct azens *)r->op;
	json_t *b = rs->cls == CC_OK ? az_body(rs) : NULL;
	char err[300], rg[256];

	if (b == NULL) {
		ens_error(e, rs->cls != CC_OK ? rs->cls : CC_TRANSIENT,
		    "reading the virtual machine: %s", rs->cls != CC_OK ?
		    rs->message : "not JSON");
		ens_reply(e);
		return;
	}
	e->nic_id = az_vm_primary_nic(b, err, sizeof(err));
	json_decref(b);
	if (e->nic_id == NULL || nic_rg(e->nic_id, rg, sizeof(rg)) == -1) {
		ens_error(e, CC_NOT_FOUND, "%s", e->nic_id == NULL ? err :
		    "the primary NIC id is not a NIC id");
		ens_reply(e);
		return;
	}
	ens_get(e);
}

void
az_ensure(void *arg, struct cw_task *t)
{
	struct az *az = arg;
	struct azens *e = xcalloc(1, sizeof(*e));
	const char *nic = json_string_value(json_object_get(t->req, "nic"));
	const char *mode = json_string_value(json_object_get(t->req,
	    "lb_mode"));
	char err[300], rg[256], *path;

	az_op_add(az, &e->op, t, ens_free);
	e->nowned = cw_json_cidrs(json_object_get(t->req, "owned_cidrs"),
	    &e->owned);
	e->ndesired = cw_json_ips(json_object_get(t->req, "desired"),
	    &e->desired);
	e->lb = mode != NULL && strcmp(mode, "none") == 0 ? AZ_LB_NONE :
	    AZ_LB_SAME_AS_PRIMARY;
	/* The NIC from DISCOVER if it is one; else through the VM. */
	if (nic != NULL && nic_rg(nic, rg, sizeof(rg)) == 0) {
		e->nic_id = xstrdup(nic);
		ens_get(e);
		return;
	}
	if (node_vm(az, t->node, json_string_value(json_object_get(t->req,
	    "provider_id")), e->rg, sizeof(e->rg), e->vm, sizeof(e->vm), err,
	    sizeof(err)) == -1) {
		ens_error(e, CC_NOT_FOUND, "%s", err);
		ens_reply(e);
		return;
	}
	xasprintf(&path, "/subscriptions/%s/resourceGroups/%s/providers/"
	    "Microsoft.Compute/virtualMachines/%s", az->creds.subscription_id,
	    e->rg, e->vm);
	az_send(&e->op, CW_API_ARM_READ, "arm:vm.get", "GET", path,
	    ARM_API_COMPUTE, NULL, NULL, vm_done, NULL);
	free(path);
}
