/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fake cluster of alloc_fake.h.  Deliberately simple and explicit:
 * each write is checked, applied, answered and echoed the way the
 * watcher will; the SDN master, OVN and the cloud are reduced to what
 * the allocator can observe of them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "alloc_fake.h"
#include "ipaddr.h"
#include "log.h"

static const char *const fk_kind[FK_MAX] = {
	"Namespace", "Node", "EgressIPAM", "HostSubnet", "NetNamespace",
	"EgressIP"
};
static const uint16_t fk_msg[FK_MAX] = {
	EIP_MSG_OBJ_NAMESPACE, EIP_MSG_OBJ_NODE, EIP_MSG_OBJ_EGRESSIPAM,
	EIP_MSG_OBJ_HOSTSUBNET, EIP_MSG_OBJ_NETNAMESPACE, EIP_MSG_OBJ_EGRESSIP
};

#define LABEL_IPAM	"egressip-ipam-operator.redhat-cop.io/egressipam"
#define OVN_LABEL	"k8s.ovn.org/egress-assignable"

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
frand(struct fake *f)
{
	f->rnd ^= f->rnd << 13;
	f->rnd ^= f->rnd >> 7;
	f->rnd ^= f->rnd << 17;
	return f->rnd;
}

static void
to_model(struct fake *f, uint16_t type, uint64_t corr, json_t *body)
{
	json_array_append_new(f->inbox, json_pack("[i, I, o]", type,
	    (json_int_t)corr, body));
}

static const char *
next_rv(struct fake *f)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)++f->rv);
	return buf;
}

static int
is_sdn(const struct fake *f)
{
	return strcmp(f->network, "OpenShiftSDN") == 0;
}

struct fake *
fake_new(const char *network, const char *platform,
    const struct eip_model_config *cfg)
{
	struct fake *f = calloc(1, sizeof(*f));
	int k;

	if (cfg != NULL)
		f->cfg = *cfg;
	else
		model_config_default(&f->cfg);
	if (f->cfg.seed == 0)
		f->cfg.seed = 1;
	snprintf(f->network, sizeof(f->network), "%s", network);
	snprintf(f->platform, sizeof(f->platform), "%s", platform);
	for (k = 0; k < FK_MAX; k++)
		f->objs[k] = json_object();
	f->inbox = json_array();
	f->events = json_array();
	f->cloud_used = json_array();
	f->rnd = 0x9e3779b97f4a7c15ULL;
	f->now = 1000;
	f->sdn_master = 1;
	snprintf(f->subnet, sizeof(f->subnet), "10.0.0.0/16");
	return f;
}

void
fake_free(struct fake *f)
{
	size_t i;
	int k;

	model_free(f->m);
	for (k = 0; k < FK_MAX; k++)
		json_decref(f->objs[k]);
	json_decref(f->inbox);
	json_decref(f->events);
	json_decref(f->cloud_used);
	json_decref(f->held);
	for (i = 0; i < f->ncn; i++) {
		free(f->cn[i].name);
		json_decref(f->cn[i].ips);
	}
	free(f->cn);
	free(f);
}

json_t *
fake_get(struct fake *f, enum fk k, const char *name)
{
	return json_object_get(f->objs[k], name);
}

/* Stores body (owned) as the object's new state and tells the model. */
void
fake_put(struct fake *f, enum fk k, json_t *body)
{
	const char *name = json_string_value(json_object_get(body, "name"));

	json_object_set_new(body, "rv", json_string(next_rv(f)));
	json_object_set(f->objs[k], name, body);
	if (f->m != NULL)
		to_model(f, fk_msg[k], 0, json_deep_copy(body));
	json_decref(body);
}

static void
fake_del(struct fake *f, enum fk k, const char *name)
{
	json_t *o = fake_get(f, k, name);
	char *n;

	if (o == NULL)
		return;
	n = strdup(name);
	json_object_del(f->objs[k], n);
	if (f->m != NULL)
		to_model(f, EIP_MSG_OBJ_DELETE, 0, json_pack("{s:s, s:s}", "kind",
		    fk_kind[k], "name", n));
	free(n);
}

static json_t *
copy(struct fake *f, enum fk k, const char *name)
{
	json_t *o = fake_get(f, k, name);

	return o != NULL ? json_deep_copy(o) : NULL;
}

void
fake_ns(struct fake *f, const char *name, const char *ipam,
    const char *egressips)
{
	json_t *o = copy(f, FK_NAMESPACE, name);

	if (o == NULL) {
		o = json_pack("{s:s, s:s}", "name", name, "uid", name);
		if (is_sdn(f))
			fake_put(f, FK_NETNAMESPACE, json_pack("{s:s, s:[]}",
			    "name", name, "egress_ips"));
	}
	json_object_set_new(o, "egressipam", ipam ? json_string(ipam) :
	    json_null());
	json_object_set_new(o, "egressips", egressips ? json_string(egressips) :
	    json_null());
	fake_put(f, FK_NAMESPACE, o);
}

void
fake_ns_created(struct fake *f, const char *name, const char *ts)
{
	json_t *o = copy(f, FK_NAMESPACE, name);

	json_object_set_new(o, "created", json_string(ts));
	fake_put(f, FK_NAMESPACE, o);
}

void
fake_ns_delete(struct fake *f, const char *name)
{
	fake_del(f, FK_NAMESPACE, name);
	fake_del(f, FK_NETNAMESPACE, name);
	{
		char e[300];

		snprintf(e, sizeof(e), "eipam-%s", name);
		fake_del(f, FK_EGRESSIP, e);	/* garbage collection */
	}
}

void
fake_node(struct fake *f, const char *name, const char *labels,
    const char *ready, const char *ip, int capacity)
{
	json_t *o = copy(f, FK_NODE, name), *l;
	json_error_t e;

	l = json_loads(labels != NULL ? labels : "{}", 0, &e);
	if (o == NULL) {
		o = json_pack("{s:s, s:s}", "name", name, "uid", name);
		if (is_sdn(f))
			fake_put(f, FK_HOSTSUBNET, json_pack("{s:s, s:s, s:s, s:[], "
			    "s:[]}", "name", name, "host", name, "host_ip", ip,
			    "egress_ips", "egress_cidrs"));
	} else {
		/* Labels we (the operator) put there stay. */
		json_t *old = json_object_get(o, "labels");

		if (json_object_get(old, OVN_LABEL) != NULL &&
		    json_object_get(o, "assignable_by") != NULL)
			json_object_set_new(l, OVN_LABEL, json_string(""));
	}
	json_object_set_new(o, "labels", l);
	json_object_set_new(o, "ready", json_string(ready));
	json_object_set_new(o, "internal_ip", json_string(ip));
	json_object_set_new(o, "provider_id", json_sprintf("aws:///zone/i-%s",
	    name));
	if (capacity >= 0)
		json_object_set_new(o, "capacity", json_integer(capacity));
	else
		json_object_del(o, "capacity");
	fake_put(f, FK_NODE, o);
}

void
fake_node_delete(struct fake *f, const char *name)
{
	size_t i;

	fake_del(f, FK_NODE, name);
	fake_del(f, FK_HOSTSUBNET, name);
	for (i = 0; i < f->ncn; i++)
		if (strcmp(f->cn[i].name, name) == 0)
			f->cn[i].gone = 1;
}

void
fake_ipam(struct fake *f, const char *name, const char *spec,
    const char *azure_lb)
{
	json_t *o = copy(f, FK_EGRESSIPAM, name), *s;
	json_error_t e;

	s = json_loads(spec, 0, &e);
	if (s == NULL) {
		fprintf(stderr, "bad spec %s: %s\n", spec, e.text);
		abort();
	}
	if (o == NULL)
		o = json_pack("{s:s, s:s, s:I}", "name", name, "uid", name,
		    "generation", (json_int_t)0);
	json_object_set_new(o, "generation", json_integer(json_integer_value(
	    json_object_get(o, "generation")) + 1));
	json_object_set_new(o, "spec", s);
	if (azure_lb != NULL)
		json_object_set_new(o, "azure_lb", json_string(azure_lb));
	fake_put(f, FK_EGRESSIPAM, o);
}

void
fake_ipam_finalizers(struct fake *f, const char *name, const char *fin)
{
	json_t *o = copy(f, FK_EGRESSIPAM, name);
	json_error_t e;

	json_object_set_new(o, "finalizers", json_loads(fin, 0, &e));
	fake_put(f, FK_EGRESSIPAM, o);
}

void
fake_ipam_delete(struct fake *f, const char *name)
{
	json_t *o = copy(f, FK_EGRESSIPAM, name);

	if (o == NULL)
		return;
	if (json_array_size(json_object_get(o, "finalizers")) == 0) {
		json_decref(o);
		fake_del(f, FK_EGRESSIPAM, name);
		return;
	}
	json_object_set_new(o, "deleting", json_true());
	fake_put(f, FK_EGRESSIPAM, o);
}

void
fake_remove(struct fake *f, enum fk k, const char *name)
{
	fake_del(f, k, name);
}

size_t
fake_count_out(struct fake *f, uint16_t type)
{
	size_t n = f->out_count[type];

	f->out_count[type] = 0;
	return n;
}

/* --- the cloud --- */

void
fake_cloud_node(struct fake *f, const char *name, const char *primary,
    int capacity)
{
	struct fake_cloud_node *c;

	f->cn = realloc(f->cn, (f->ncn + 1) * sizeof(*f->cn));
	c = &f->cn[f->ncn++];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	snprintf(c->primary, sizeof(c->primary), "%s", primary);
	c->ips = json_array();
	c->capacity = capacity;
}

static struct fake_cloud_node *
cnode(struct fake *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->ncn; i++)
		if (strcmp(f->cn[i].name, name) == 0 && !f->cn[i].gone)
			return &f->cn[i];
	return NULL;
}

static int
json_has_str(const json_t *a, const char *s)
{
	const json_t *x;
	size_t i;

	json_array_foreach(a, i, x)
		if (strcmp(json_string_value(x), s) == 0)
			return 1;
	return 0;
}

char *
fake_nic(struct fake *f, const char *node)
{
	struct fake_cloud_node *c = cnode(f, node);
	json_t *x;
	size_t i, len = 1;
	char *s;

	if (c == NULL)
		return strdup("");
	json_array_foreach(c->ips, i, x)
		len += strlen(json_string_value(x)) + 1;
	s = calloc(1, len);
	json_array_foreach(c->ips, i, x) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, json_string_value(x));
	}
	return s;
}

static void
cloud_discover(struct fake *f, uint64_t corr, const json_t *b)
{
	json_t *nodes = json_array(), *subs = json_array(), *x, *used;
	struct fake_cloud_node *c;
	struct eip_cidr cc, sc;
	struct eip_ip ip;
	size_t i, j;

	f->discovers++;
	json_array_foreach(json_object_get(b, "nodes"), i, x) {
		const char *n = json_string_value(json_object_get(x, "name"));

		if ((c = cnode(f, n)) == NULL) {
			json_array_append_new(nodes, json_pack("{s:s, s:b, s:s}",
			    "name", n, "ok", 0, "class", "not_found"));
			continue;
		}
		json_array_append_new(nodes, json_pack("{s:s, s:b, s:s, s:s, "
		    "s:s, s:O, s:i}", "name", n, "ok", 1, "instance", n, "nic",
		    "eni-0", "primary_ip", c->primary, "ips", c->ips, "capacity",
		    c->capacity));
	}
	cidr_parse(f->subnet, &sc);
	json_array_foreach(json_object_get(b, "cidrs"), i, x) {
		cidr_parse(json_string_value(x), &cc);
		used = json_array();
		/* Everything on any NIC in the subnet, plus other users. */
		for (j = 0; j < f->ncn; j++) {
			const json_t *y;
			size_t k;

			if (f->cn[j].gone)
				continue;
			json_array_append_new(used, json_string(f->cn[j].primary));
			json_array_foreach(f->cn[j].ips, k, y)
				json_array_append(used, (json_t *)y);
		}
		{
			json_t *y;

			json_array_foreach(f->cloud_used, j, y)
				json_array_append(used, y);
		}
		for (j = 0; j < json_array_size(used);) {
			ip_parse(json_string_value(json_array_get(used, j)), &ip);
			if (!cidr_contains(&cc, &ip))
				json_array_remove(used, j);
			else
				j++;
		}
		if (f->subnet_errors > 0) {
			f->subnet_errors--;
			json_decref(used);
			json_array_append_new(subs, json_pack("{s:O, s:s}", "cidr",
			    x, "error", "no virtual network (injected)"));
			continue;
		}
		json_array_append_new(subs, json_pack("{s:O, s:s, s:o}", "cidr",
		    x, "subnet_cidr", f->subnet, "used", used));
	}
	to_model(f, EIP_MSG_CLOUD_DISCOVERED, corr, json_pack("{s:o, s:o}",
	    "nodes", nodes, "subnets", subs));
}

static int
in_owned(const json_t *owned, const char *ips)
{
	struct eip_cidr c;
	struct eip_ip ip;
	const json_t *x;
	size_t i;

	ip_parse(ips, &ip);
	json_array_foreach(owned, i, x) {
		cidr_parse(json_string_value(x), &c);
		if (cidr_contains(&c, &ip))
			return 1;
	}
	return 0;
}

static void
cloud_ensure(struct fake *f, uint64_t corr, const json_t *b)
{
	const char *node = json_string_value(json_object_get(b, "node"));
	const json_t *owned = json_object_get(b, "owned_cidrs"), *x;
	const json_t *desired = json_object_get(b, "desired");
	struct fake_cloud_node *c = cnode(f, node);
	json_t *ips;
	size_t i, j;
	int ok = 1;
	const char *cls = "ok";

	f->ensures++;
	snprintf(f->last_lb, sizeof(f->last_lb), "%s", json_string_value(
	    json_object_get(b, "lb_mode")) != NULL ? json_string_value(
	    json_object_get(b, "lb_mode")) : "");
	if (c == NULL) {
		to_model(f, EIP_MSG_CLOUD_ENSURED, corr, json_pack("{s:s, s:b, "
		    "s:s}", "node", node, "ok", 0, "class", "not_found"));
		return;
	}
	ips = json_array();
	json_array_foreach(c->ips, i, x)
		if (!in_owned(owned, json_string_value(x)) ||
		    json_has_str(desired, json_string_value(x)))
			json_array_append(ips, (json_t *)x);
	json_array_foreach(desired, i, x) {
		if (json_has_str(ips, json_string_value(x)))
			continue;
		/* Another NIC has it: the cloud refuses (no reassignment). */
		for (j = 0; j < f->ncn; j++)
			if (&f->cn[j] != c && !f->cn[j].gone &&
			    json_has_str(f->cn[j].ips, json_string_value(x)))
				break;
		if (j < f->ncn || json_has_str(f->cloud_used,
		    json_string_value(x))) {
			ok = 0;
			cls = "address_in_use";
			continue;
		}
		if ((int)json_array_size(ips) >= c->capacity) {
			ok = 0;
			cls = "limit_exceeded";
			continue;
		}
		json_array_append(ips, (json_t *)x);
	}
	json_decref(c->ips);
	c->ips = ips;
	to_model(f, EIP_MSG_CLOUD_ENSURED, corr, json_pack("{s:s, s:b, s:s, "
	    "s:O, s:i}", "node", node, "ok", ok, "class", cls, "ips", ips,
	    "capacity", c->capacity));
}

/* --- writes --- */

static void
result(struct fake *f, uint64_t corr, int ok, int code, const char *rv)
{
	json_t *r = json_pack("{s:b, s:i}", "ok", ok, "code", code);

	if (rv != NULL)
		json_object_set_new(r, "rv", json_string(rv));
	to_model(f, EIP_MSG_W_RESULT, corr, r);
}

static void
conflict(struct fake *f, uint64_t corr, enum fk k, const char *name)
{
	json_t *o = fake_get(f, k, name);

	if (o != NULL)
		to_model(f, fk_msg[k], 0, json_deep_copy(o));
	result(f, corr, 0, o != NULL ? 409 : 404, NULL);
}

/* Applies changes to a copy of the object, stores it, answers. */
static void
commit(struct fake *f, uint64_t corr, enum fk k, json_t *o)
{
	json_t *echo;
	const char *rv;

	json_object_set_new(o, "rv", json_string(next_rv(f)));
	rv = json_string_value(json_object_get(o, "rv"));
	json_object_set(f->objs[k], json_string_value(json_object_get(o,
	    "name")), o);
	echo = json_deep_copy(o);
	if (f->shuffle && frand(f) % 2) {
		to_model(f, fk_msg[k], 0, echo);
		result(f, corr, 1, 200, rv);
	} else {
		result(f, corr, 1, 200, rv);
		to_model(f, fk_msg[k], 0, echo);
	}
	json_decref(o);
}

static int
check_rv(struct fake *f, uint64_t corr, enum fk k, const json_t *b)
{
	const char *name = json_string_value(json_object_get(b, "name"));
	const char *rv = json_string_value(json_object_get(b, "rv"));
	json_t *o = fake_get(f, k, name);

	if (o == NULL || (rv != NULL && strcmp(rv, json_string_value(
	    json_object_get(o, "rv"))) != 0) ||
	    (f->conflict_pct > 0 && (int)(frand(f) % 100) < f->conflict_pct)) {
		conflict(f, corr, k, name);
		return -1;
	}
	if (f->fail_pct > 0 && (int)(frand(f) % 100) < f->fail_pct) {
		to_model(f, EIP_MSG_W_RESULT, corr, json_pack("{s:b, s:i, s:s}",
		    "ok", 0, "code", 500, "message", "injected failure"));
		return -1;
	}
	return 0;
}

static void
ovn_place(struct fake *f, json_t *eip)
{
	json_t *st = json_array(), *x, *n;
	const char *k;
	size_t i;

	/* OVN: each IP on some assignable Ready node (the first found). */
	json_array_foreach(json_object_get(eip, "egress_ips"), i, x) {
		json_object_foreach(f->objs[FK_NODE], k, n) {
			if (json_object_get(json_object_get(n, "labels"),
			    OVN_LABEL) == NULL || strcmp(json_string_value(
			    json_object_get(n, "ready")), "True") != 0)
				continue;
			json_array_append_new(st, json_pack("{s:s, s:O}", "node",
			    k, "egressIP", x));
			break;
		}
	}
	json_object_set_new(eip, "status", st);
}

static void
do_write(struct fake *f, uint16_t type, uint64_t corr, const json_t *b)
{
	const char *name = json_string_value(json_object_get(b, "name"));
	json_t *o;

	switch (type) {
	case EIP_MSG_W_NS_EGRESSIPS:
		if (check_rv(f, corr, FK_NAMESPACE, b) == -1)
			return;
		o = copy(f, FK_NAMESPACE, name);
		json_object_set(o, "egressips", json_object_get(b, "egressips"));
		commit(f, corr, FK_NAMESPACE, o);
		break;
	case EIP_MSG_W_NETNAMESPACE:
		if (check_rv(f, corr, FK_NETNAMESPACE, b) == -1)
			return;
		o = copy(f, FK_NETNAMESPACE, name);
		json_object_set(o, "egress_ips", json_object_get(b, "egress_ips"));
		commit(f, corr, FK_NETNAMESPACE, o);
		break;
	case EIP_MSG_W_HOSTSUBNET:
		if (check_rv(f, corr, FK_HOSTSUBNET, b) == -1)
			return;
		o = copy(f, FK_HOSTSUBNET, name);
		json_object_set(o, "egress_ips", json_object_get(b, "egress_ips"));
		json_object_set(o, "egress_cidrs", json_object_get(b,
		    "egress_cidrs"));
		commit(f, corr, FK_HOSTSUBNET, o);
		break;
	case EIP_MSG_W_EGRESSIP:
		if (json_object_get(b, "rv") == NULL) {
			if (fake_get(f, FK_EGRESSIP, name) != NULL ||
			    fake_get(f, FK_NAMESPACE, json_string_value(
			    json_object_get(b, "namespace"))) == NULL) {
				conflict(f, corr, FK_EGRESSIP, name);
				return;
			}
			o = json_pack("{s:s, s:s}", "name", name, "uid", name);
		} else {
			if (check_rv(f, corr, FK_EGRESSIP, b) == -1)
				return;
			o = copy(f, FK_EGRESSIP, name);
		}
		json_object_set_new(o, "labels", json_pack("{s:O}", LABEL_IPAM,
		    json_object_get(b, "ipam")));
		json_object_set(o, "egress_ips", json_object_get(b, "egress_ips"));
		json_object_set_new(o, "namespace_selector", json_pack("{s:O}",
		    "kubernetes.io/metadata.name", json_object_get(b,
		    "namespace")));
		json_object_set(o, "owner_uid", json_object_get(b,
		    "namespace_uid"));
		ovn_place(f, o);
		commit(f, corr, FK_EGRESSIP, o);
		break;
	case EIP_MSG_W_EGRESSIP_DELETE:
		if (fake_get(f, FK_EGRESSIP, name) == NULL) {
			result(f, corr, 0, 404, NULL);
			return;
		}
		fake_del(f, FK_EGRESSIP, name);
		result(f, corr, 1, 200, NULL);
		break;
	case EIP_MSG_W_NODE_ASSIGNABLE:
		if (check_rv(f, corr, FK_NODE, b) == -1)
			return;
		o = copy(f, FK_NODE, name);
		if (json_is_true(json_object_get(b, "assignable"))) {
			json_object_set_new(json_object_get(o, "labels"), OVN_LABEL,
			    json_string(""));
			json_object_set(o, "assignable_by", json_object_get(b,
			    "ipam"));
		} else {
			json_object_del(json_object_get(o, "labels"), OVN_LABEL);
			json_object_del(o, "assignable_by");
		}
		commit(f, corr, FK_NODE, o);
		break;
	case EIP_MSG_W_IPAM_FINALIZERS:
		if (check_rv(f, corr, FK_EGRESSIPAM, b) == -1)
			return;
		o = copy(f, FK_EGRESSIPAM, name);
		json_object_set(o, "finalizers", json_object_get(b, "finalizers"));
		if (json_is_true(json_object_get(o, "deleting")) &&
		    json_array_size(json_object_get(o, "finalizers")) == 0) {
			json_decref(o);
			fake_del(f, FK_EGRESSIPAM, name);
			result(f, corr, 1, 200, NULL);
			return;
		}
		commit(f, corr, FK_EGRESSIPAM, o);
		break;
	case EIP_MSG_W_IPAM_STATUS:
		if (fake_get(f, FK_EGRESSIPAM, name) == NULL) {
			result(f, corr, 0, 404, NULL);
			return;
		}
		o = copy(f, FK_EGRESSIPAM, name);
		json_object_set(o, "status", json_object_get(b, "status"));
		commit(f, corr, FK_EGRESSIPAM, o);
		break;
	case EIP_MSG_W_EVENT:
		json_array_append(f->events, (json_t *)b);
		result(f, corr, 1, 201, NULL);
		return;
	case EIP_MSG_W_CREDREQ:
		result(f, corr, 1, 200, NULL);
		return;
	default:
		return;
	}
}

/* The SDN master in egressCIDRs mode: it places NetNamespace IPs. */
static void
sdn_master(struct fake *f)
{
	const char *k, *hk;
	json_t *nn, *x, *hs, *best;
	struct eip_cidr c;
	struct eip_ip ip;
	size_t i, j;

	json_object_foreach(f->objs[FK_NETNAMESPACE], k, nn) {
		json_array_foreach(json_object_get(nn, "egress_ips"), i, x) {
			int placed = 0;

			ip_parse(json_string_value(x), &ip);
			best = NULL;
			json_object_foreach(f->objs[FK_HOSTSUBNET], hk, hs) {
				json_t *node = fake_get(f, FK_NODE, hk), *y;
				int ok = 0;

				json_array_foreach(json_object_get(hs,
				    "egress_cidrs"), j, y) {
					cidr_parse(json_string_value(y), &c);
					ok |= cidr_contains(&c, &ip);
				}
				if (!ok || node == NULL || strcmp(json_string_value(
				    json_object_get(node, "ready")), "True") != 0)
					continue;
				if (json_has_str(json_object_get(hs, "egress_ips"),
				    json_string_value(x)))
					placed = 1;
				if (best == NULL || json_array_size(json_object_get(
				    hs, "egress_ips")) < json_array_size(
				    json_object_get(best, "egress_ips")))
					best = hs;
			}
			if (!placed && best != NULL) {
				json_t *o = json_deep_copy(best), *l;
				size_t q;

				/* A move: it leaves the node that failed. */
				json_object_foreach(f->objs[FK_HOSTSUBNET], hk, hs) {
					l = json_object_get(hs, "egress_ips");
					for (q = 0; q < json_array_size(l); q++)
						if (strcmp(json_string_value(
						    json_array_get(l, q)),
						    json_string_value(x)) == 0)
							break;
					if (q < json_array_size(l)) {
						json_t *cp = json_deep_copy(hs);

						json_array_remove(json_object_get(cp,
						    "egress_ips"), q);
						fake_put(f, FK_HOSTSUBNET, cp);
					}
				}
				json_array_append(json_object_get(o, "egress_ips"),
				    x);
				fake_put(f, FK_HOSTSUBNET, o);
			}
		}
	}
}

static size_t
deliver(struct fake *f)
{
	size_t n = 0, i;
	json_t *inbox = f->inbox, *x;
	char err[256];
	double t0;

	f->inbox = json_array();
	if (f->shuffle) {
		/* Results and events of different objects interleave. */
		for (i = json_array_size(inbox); i > 1; i--) {
			size_t j = frand(f) % i;
			json_t *a = json_incref(json_array_get(inbox, i - 1));

			if (json_integer_value(json_array_get(a, 0)) !=
			    EIP_MSG_W_RESULT || frand(f) % 4 != 0) {
				json_decref(a);
				continue;
			}
			json_array_set(inbox, i - 1, json_array_get(inbox, j));
			json_array_set_new(inbox, j, a);
		}
	}
	json_array_foreach(inbox, i, x) {
		uint16_t type = (uint16_t)json_integer_value(json_array_get(x, 0));
		const json_t *body = json_array_get(x, 2);

		if (eip_validate(body, eip_msg_schema(type), err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "fake: invalid %s to the model: %s\n",
			    eip_msg_name(type), err);
			f->schema_errors++;
			continue;
		}
		model_set_time(f->m, f->now, 1700000000 + f->now / 1000);
		t0 = mono_s();
		model_input(f->m, type, (uint64_t)json_integer_value(
		    json_array_get(x, 1)), body, err, sizeof(err));
		f->model_s += mono_s() - t0;
		n++;
	}
	json_decref(inbox);
	return n;
}

static size_t
execute(struct fake *f)
{
	struct eip_out *o;
	size_t n, i, batch = 0;
	char err[256];

	n = model_take(f->m, &o);
	for (i = 0; i < n; i++) {
		if (eip_validate(o[i].body, eip_msg_schema(o[i].type), err,
		    sizeof(err)) == -1) {
			char *s = json_dumps(o[i].body, JSON_COMPACT);

			fprintf(stderr, "fake: invalid %s from the model: %s: %s\n",
			    eip_msg_name(o[i].type), err, s);
			free(s);
			f->schema_errors++;
			continue;
		}
		if (o[i].type < 600)
			f->out_count[o[i].type]++;
		if (getenv("FAKE_TRACE") != NULL) {
			char *t = json_dumps(o[i].body, JSON_COMPACT);

			fprintf(stderr, "fake: t=%lld %s %s\n", (long long)f->now,
			    eip_msg_name(o[i].type), t);
			free(t);
		}
		if (o[i].type >= EIP_MSG_W_NS_EGRESSIPS &&
		    o[i].type <= EIP_MSG_W_CREDREQ && o[i].type != EIP_MSG_W_EVENT &&
		    o[i].type != EIP_MSG_W_CREDREQ && o[i].type != EIP_MSG_W_IPAM_STATUS) {
			f->writes++;
			/* Every result comes back before the next round. */
			if (++batch > f->max_batch)
				f->max_batch = batch;
		}
		if (o[i].type == EIP_MSG_CLOUD_DISCOVER)
			cloud_discover(f, o[i].corr, o[i].body);
		else if (o[i].type == EIP_MSG_CLOUD_ENSURE)
			cloud_ensure(f, o[i].corr, o[i].body);
		else if (f->hold_type != 0 && o[i].type == f->hold_type) {
			if (f->held == NULL)
				f->held = json_array();
			json_array_append_new(f->held, json_pack("[i, I, O]",
			    o[i].type, (json_int_t)o[i].corr, o[i].body));
		} else if (o[i].type != EIP_MSG_CLOUD_CONFIG)
			do_write(f, o[i].type, o[i].corr, o[i].body);
	}
	model_out_free(o, n);
	return n;
}

void
fake_advance(struct fake *f, int64_t ms)
{
	f->now += ms;
}

void
fake_release(struct fake *f)
{
	json_t *held = f->held, *x;
	size_t i;

	f->hold_type = 0;
	f->held = NULL;
	json_array_foreach(held, i, x)
		do_write(f, (uint16_t)json_integer_value(json_array_get(x, 0)),
		    (uint64_t)json_integer_value(json_array_get(x, 1)),
		    json_array_get(x, 2));
	json_decref(held);
}

int
fake_settle(struct fake *f)
{
	int round;
	int64_t next;
	size_t moved;
	double t0;

	for (round = 0; round < 2000; round++) {
		moved = deliver(f);
		model_set_time(f->m, f->now, 1700000000 + f->now / 1000);
		t0 = mono_s();
		next = model_run(f->m);
		f->model_s += mono_s() - t0;
		moved += execute(f);
		if (f->sdn_master && is_sdn(f)) {
			sdn_master(f);
			moved += json_array_size(f->inbox);
		}
		if (moved == 0 && json_array_size(f->inbox) == 0) {
			/* Nothing moved: jump to the model's next deadline. */
			if (next < 0 || next - f->now > 5000)
				return round;
			f->now = next > f->now ? next : f->now + 1;
		} else
			f->now += 5;
	}
	return round;
}

static void
send_all(struct fake *f)
{
	const char *k;
	json_t *o;
	int i;

	for (i = 0; i < FK_MAX; i++)
		json_object_foreach(f->objs[i], k, o)
			to_model(f, fk_msg[i], 0, json_deep_copy(o));
	to_model(f, EIP_MSG_OBJ_INFRASTRUCTURE, 0, json_pack("{s:s, s:s, s:s, "
	    "s:s}", "name", "cluster", "rv", "1", "platform", f->platform,
	    "aws_region", "eu-central-1"));
	to_model(f, EIP_MSG_OBJ_NETWORK, 0, json_pack("{s:s, s:s, s:s}", "name",
	    "cluster", "rv", "1", "network_type", f->network));
	for (i = 0; i < FK_MAX; i++) {
		if ((i == FK_HOSTSUBNET || i == FK_NETNAMESPACE) && !is_sdn(f))
			to_model(f, EIP_MSG_KIND_UNSERVED, 0, json_pack("{s:s, s:s}",
			    "kind", fk_kind[i], "reason", "not served"));
		else if (i == FK_EGRESSIP && is_sdn(f))
			to_model(f, EIP_MSG_KIND_UNSERVED, 0, json_pack("{s:s, s:s}",
			    "kind", fk_kind[i], "reason", "not served"));
		else
			to_model(f, EIP_MSG_SYNCED, 0, json_pack("{s:s}", "kind",
			    fk_kind[i]));
	}
	to_model(f, EIP_MSG_SYNCED, 0, json_pack("{s:s}", "kind",
	    "Infrastructure"));
	to_model(f, EIP_MSG_SYNCED, 0, json_pack("{s:s}", "kind", "Network"));
	to_model(f, EIP_MSG_LEADER, 0, json_pack("{s:b, s:s}", "leading", 1,
	    "identity", "test"));
}

void
fake_start(struct fake *f)
{
	f->m = model_new(&f->cfg);
	json_array_clear(f->inbox);
	send_all(f);
	fake_settle(f);
}

size_t
fake_restart(struct fake *f)
{
	size_t before;

	model_free(f->m);
	f->m = model_new(&f->cfg);
	json_array_clear(f->inbox);
	before = f->writes;
	if (getenv("FAKE_TRACE") != NULL)
		fprintf(stderr, "fake: === restart ===\n");
	send_all(f);
	fake_settle(f);
	return f->writes - before;
}

const char *
fake_annot(struct fake *f, const char *ns)
{
	return json_string_value(json_object_get(fake_get(f, FK_NAMESPACE, ns),
	    "egressips"));
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
fake_list(struct fake *f, enum fk k, const char *name, const char *key)
{
	const json_t *l = json_object_get(fake_get(f, k, name), key), *x;
	const char **v;
	size_t i, n = json_array_size(l), len = 1;
	char *s;

	v = calloc(n + 1, sizeof(*v));
	json_array_foreach(l, i, x) {
		v[i] = json_string_value(x);
		len += strlen(v[i]) + 1;
	}
	qsort(v, n, sizeof(*v), cmpstr);
	s = calloc(1, len);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, v[i]);
	}
	free(v);
	return s;
}

const char *
fake_cond(struct fake *f, const char *ipam, const char *type,
    const char **reason, const char **msg)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(fake_get(f,
	    FK_EGRESSIPAM, ipam), "status"), "conditions"), i, c) {
		if (strcmp(json_string_value(json_object_get(c, "type")),
		    type) != 0)
			continue;
		if (reason != NULL)
			*reason = json_string_value(json_object_get(c, "reason"));
		if (msg != NULL)
			*msg = json_string_value(json_object_get(c, "message"));
		return json_string_value(json_object_get(c, "status"));
	}
	return NULL;
}

size_t
fake_count_events(struct fake *f, const char *reason, const char *name)
{
	const json_t *e;
	size_t i, n = 0;

	json_array_foreach(f->events, i, e) {
		if (reason != NULL && strcmp(json_string_value(json_object_get(e,
		    "reason")), reason) != 0)
			continue;
		if (name != NULL && strcmp(json_string_value(json_object_get(
		    json_object_get(e, "involved"), "name")), name) != 0)
			continue;
		n++;
	}
	return n;
}

void
fake_clear_events(struct fake *f)
{
	json_array_clear(f->events);
}
