/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Normalization of API objects into OBJ_* bodies (see normalize.h).  Each
 * kind has one function; a part with the wrong shape is left out and named
 * in `error`.  The result is checked against the protocol schema, and a
 * body that still fails is cut down to its identity plus the error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eip_proto.h"
#include "ipaddr.h"
#include "normalize.h"

#define A_PREFIX	"egressip-ipam-operator.redhat-cop.io/"
#define A_EGRESSIPAM	A_PREFIX "egressipam"
#define A_EGRESSIPS	A_PREFIX "egressips"
#define A_CAPACITY	A_PREFIX "capacity"
#define A_ASSIGNABLE_BY	A_PREFIX "egress-assignable-by"
#define A_AZURE_LB	A_PREFIX "azure-egress-load-balancer"
#define A_IPCONFIG	"cloud.network.openshift.io/egress-ipconfig"
#define A_MACHINE	"machine.openshift.io/machine"

static const struct wkind_info kinds[WK_MAX] = {
	{ "Namespace", "", "v1", "namespaces", EIP_MSG_OBJ_NAMESPACE, 0 },
	{ "Node", "", "v1", "nodes", EIP_MSG_OBJ_NODE, 0 },
	{ "EgressIPAM", "redhatcop.redhat.io", "v1alpha1", "egressipams",
	    EIP_MSG_OBJ_EGRESSIPAM, 0 },
	{ "HostSubnet", "network.openshift.io", "v1", "hostsubnets",
	    EIP_MSG_OBJ_HOSTSUBNET, 0 },
	{ "NetNamespace", "network.openshift.io", "v1", "netnamespaces",
	    EIP_MSG_OBJ_NETNAMESPACE, 0 },
	{ "EgressIP", "k8s.ovn.org", "v1", "egressips", EIP_MSG_OBJ_EGRESSIP,
	    0 },
	{ "Infrastructure", "config.openshift.io", "v1", "infrastructures",
	    EIP_MSG_OBJ_INFRASTRUCTURE, 1 },
	{ "Network", "config.openshift.io", "v1", "networks",
	    EIP_MSG_OBJ_NETWORK, 1 },
};

const struct wkind_info *
wkind_info(enum wkind k)
{
	return (unsigned)k < WK_MAX ? &kinds[k] : NULL;
}

int
wkind_parse(const char *s, enum wkind *out)
{
	int i;

	for (i = 0; i < WK_MAX; i++)
		if (s != NULL && strcmp(s, kinds[i].kind) == 0) {
			*out = (enum wkind)i;
			return 0;
		}
	return -1;
}

void
wkind_path(enum wkind k, char *buf, size_t len)
{
	const struct wkind_info *ki = &kinds[k];

	if (*ki->group == '\0')
		snprintf(buf, len, "/api/%s/%s", ki->version, ki->resource);
	else
		snprintf(buf, len, "/apis/%s/%s/%s", ki->group, ki->version,
		    ki->resource);
}

/* The accumulated `error` text of one object. */
struct nerr {
	char	buf[1024];
};

static void
nerr_add(struct nerr *e, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(e->buf);

	if (n > 0 && n + 2 < sizeof(e->buf)) {
		memcpy(e->buf + n, "; ", 3);
		n += 2;
	}
	if (n + 1 >= sizeof(e->buf))
		return;
	va_start(ap, fmt);
	vsnprintf(e->buf + n, sizeof(e->buf) - n, fmt, ap);
	va_end(ap);
}

static const json_t *
path_get(const json_t *o, const char *a, const char *b, const char *c)
{
	o = json_object_get(o, a);
	if (b != NULL)
		o = json_object_get(o, b);
	if (c != NULL)
		o = json_object_get(o, c);
	return o;
}

/* A string field: copied if present, bounded; the wrong type is an error. */
static void
put_str(json_t *body, const char *key, const json_t *v, size_t max,
    const char *path, struct nerr *e)
{
	if (v == NULL || json_is_null(v))
		return;
	if (!json_is_string(v)) {
		nerr_add(e, "%s: not a string", path);
		return;
	}
	if (json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		nerr_add(e, "%s: longer than %zu bytes", path, max);
		return;
	}
	json_object_set_new(body, key, json_string(json_string_value(v)));
}

/* A list of bounded strings, all or nothing. */
static void
put_strlist(json_t *body, const char *key, const json_t *v, size_t items,
    size_t max, const char *path, struct nerr *e)
{
	const json_t *x;
	size_t i;

	if (v == NULL || json_is_null(v))
		return;
	if (!json_is_array(v)) {
		nerr_add(e, "%s: not an array", path);
		return;
	}
	if (json_array_size(v) > items) {
		nerr_add(e, "%s: more than %zu items", path, items);
		return;
	}
	json_array_foreach(v, i, x) {
		if (!json_is_string(x) || json_string_length(x) > max ||
		    strlen(json_string_value(x)) != json_string_length(x)) {
			nerr_add(e, "%s[%zu]: not a string of at most %zu "
			    "bytes", path, i, max);
			return;
		}
	}
	json_object_set_new(body, key, json_deep_copy(v));
}

/* A map of bounded strings (labels, matchLabels), all or nothing. */
static void
put_strmap(json_t *body, const char *key, const json_t *v, size_t items,
    size_t max, const char *path, struct nerr *e)
{
	const char *k;
	json_t *x;

	if (v == NULL || json_is_null(v)) {
		return;
	}
	if (!json_is_object(v)) {
		nerr_add(e, "%s: not an object", path);
		return;
	}
	if (json_object_size(v) > items) {
		nerr_add(e, "%s: more than %zu entries", path, items);
		return;
	}
	json_object_foreach((json_t *)v, k, x) {
		if (strlen(k) > 317 || !json_is_string(x) ||
		    json_string_length(x) > max ||
		    strlen(json_string_value(x)) != json_string_length(x)) {
			nerr_add(e, "%s.%.100s: not a string of at most %zu "
			    "bytes", path, k, max);
			return;
		}
	}
	json_object_set_new(body, key, json_deep_copy(v));
}

static const json_t *
annotations(const json_t *obj, struct nerr *e)
{
	const json_t *a = path_get(obj, "metadata", "annotations", NULL);

	if (a != NULL && !json_is_null(a) && !json_is_object(a)) {
		nerr_add(e, "metadata.annotations: not an object");
		return NULL;
	}
	return a;
}

static json_t *
meta(const json_t *obj, struct nerr *e, char *err, size_t errlen)
{
	const json_t *md = json_object_get(obj, "metadata");
	const json_t *name = json_object_get(md, "name");
	const json_t *rv = json_object_get(md, "resourceVersion");
	const json_t *dt = json_object_get(md, "deletionTimestamp");
	json_t *body;

	if (!json_is_object(obj) || !json_is_object(md)) {
		snprintf(err, errlen, "object without metadata");
		return NULL;
	}
	if (!json_is_string(name) || json_string_length(name) == 0 ||
	    json_string_length(name) > 253 ||
	    strlen(json_string_value(name)) != json_string_length(name)) {
		snprintf(err, errlen, "object without a valid metadata.name");
		return NULL;
	}
	if (!json_is_string(rv) || json_string_length(rv) == 0 ||
	    json_string_length(rv) > 64) {
		snprintf(err, errlen, "%s: no valid metadata.resourceVersion",
		    json_string_value(name));
		return NULL;
	}
	body = json_object();
	json_object_set_new(body, "name", json_string(json_string_value(name)));
	json_object_set_new(body, "rv", json_string(json_string_value(rv)));
	put_str(body, "uid", json_object_get(md, "uid"), 64, "metadata.uid", e);
	if (dt != NULL && !json_is_null(dt))
		json_object_set_new(body, "deleting", json_true());
	return body;
}

static void
norm_namespace(const json_t *obj, json_t *b, struct nerr *e)
{
	const json_t *a = annotations(obj, e);
	const json_t *v;

	/* null says "absent" explicitly, so the allocator never guesses. */
	json_object_set_new(b, "egressipam", json_null());
	json_object_set_new(b, "egressips", json_null());
	v = json_object_get(a, A_EGRESSIPAM);
	put_str(b, "egressipam", v, 253, "annotation " A_EGRESSIPAM, e);
	v = json_object_get(a, A_EGRESSIPS);
	put_str(b, "egressips", v, 4096, "annotation " A_EGRESSIPS, e);
}

static void
node_ready(const json_t *obj, json_t *b, struct nerr *e)
{
	const json_t *conds = path_get(obj, "status", "conditions", NULL), *c;
	const char *st = "Unknown", *s;
	size_t i;

	if (conds != NULL && !json_is_null(conds) && !json_is_array(conds))
		nerr_add(e, "status.conditions: not an array");
	json_array_foreach(conds, i, c) {
		if (!json_is_string(json_object_get(c, "type")) ||
		    strcmp(json_string_value(json_object_get(c, "type")),
		    "Ready") != 0)
			continue;
		s = json_string_value(json_object_get(c, "status"));
		if (s != NULL && (strcmp(s, "True") == 0 ||
		    strcmp(s, "False") == 0 || strcmp(s, "Unknown") == 0))
			st = s;
		else
			nerr_add(e, "status.conditions[%zu]: Ready status is "
			    "not True, False or Unknown", i);
		break;
	}
	json_object_set_new(b, "ready", json_string(st));
}

static void
node_internal_ip(const json_t *obj, json_t *b, struct nerr *e)
{
	const json_t *addrs = path_get(obj, "status", "addresses", NULL), *x;
	const char *t, *a;
	struct eip_ip ip;
	size_t i;
	int seen = 0;

	if (addrs != NULL && !json_is_null(addrs) && !json_is_array(addrs)) {
		nerr_add(e, "status.addresses: not an array");
		return;
	}
	json_array_foreach(addrs, i, x) {
		t = json_string_value(json_object_get(x, "type"));
		a = json_string_value(json_object_get(x, "address"));
		if (t == NULL || strcmp(t, "InternalIP") != 0)
			continue;
		seen++;
		if (a != NULL && ip_parse(a, &ip) == 0) {
			json_object_set_new(b, "internal_ip", json_string(a));
			return;
		}
	}
	if (seen > 0)
		nerr_add(e, "status.addresses: no InternalIP parses as an IP");
}

static void
node_capacity(const json_t *a, json_t *b, struct nerr *e)
{
	const json_t *v = json_object_get(a, A_CAPACITY);
	const char *s;
	char *end;
	long long n;

	if (v == NULL)
		return;
	s = json_string_value(v);
	if (s == NULL) {
		nerr_add(e, "annotation " A_CAPACITY ": not a string");
		return;
	}
	errno = 0;
	n = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || n < 0 ||
	    strspn(s, "0123456789") != strlen(s)) {
		nerr_add(e, "annotation " A_CAPACITY ": '%.64s' is not a "
		    "non-negative integer", s);
		return;
	}
	if (n > (1 << 20)) {
		nerr_add(e, "annotation " A_CAPACITY ": %lld is too large "
		    "(at most %d)", n, 1 << 20);
		return;
	}
	json_object_set_new(b, "capacity", json_integer(n));
}

static int
ipconfig_int(const json_t *cap, const char *k, json_t *out, const char *ok)
{
	const json_t *v = json_object_get(cap, k);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < -1 ||
	    json_integer_value(v) > (1 << 20))
		return -1;
	json_object_set_new(out, ok, json_integer(json_integer_value(v)));
	return 0;
}

static void
node_ipconfig(const json_t *a, json_t *b, struct nerr *e)
{
	const json_t *v = json_object_get(a, A_IPCONFIG), *x, *ifa, *cap;
	json_t *arr, *list, *o;
	json_error_t je;
	size_t i;
	const char *why = NULL;

	if (v == NULL)
		return;
	if (!json_is_string(v)) {
		nerr_add(e, "annotation " A_IPCONFIG ": not a string");
		return;
	}
	arr = json_loads(json_string_value(v), JSON_REJECT_DUPLICATES, &je);
	if (arr == NULL || !json_is_array(arr)) {
		nerr_add(e, "annotation " A_IPCONFIG ": %s", arr == NULL ?
		    "not JSON" : "not a JSON array");
		json_decref(arr);
		return;
	}
	list = json_array();
	json_array_foreach(arr, i, x) {
		if (i >= 16) {
			why = "more than 16 interfaces";
			break;
		}
		o = json_object();
		json_array_append_new(list, o);
		if (!json_is_object(x)) {
			why = "an entry is not an object";
			break;
		}
		ifa = json_object_get(x, "ifaddr");
		cap = json_object_get(x, "capacity");
		if ((json_object_get(x, "interface") != NULL &&
		    (!json_is_string(json_object_get(x, "interface")) ||
		    json_string_length(json_object_get(x, "interface")) > 128)) ||
		    (ifa != NULL && !json_is_object(ifa)) ||
		    (cap != NULL && !json_is_object(cap))) {
			why = "interface, ifaddr or capacity has the wrong type";
			break;
		}
		if (json_object_get(x, "interface") != NULL)
			json_object_set(o, "interface",
			    json_object_get(x, "interface"));
		if (json_is_string(json_object_get(ifa, "ipv4")) &&
		    json_string_length(json_object_get(ifa, "ipv4")) <= 64)
			json_object_set(o, "ifaddr_v4", json_object_get(ifa,
			    "ipv4"));
		if (json_is_string(json_object_get(ifa, "ipv6")) &&
		    json_string_length(json_object_get(ifa, "ipv6")) <= 64)
			json_object_set(o, "ifaddr_v6", json_object_get(ifa,
			    "ipv6"));
		if (ipconfig_int(cap, "ipv4", o, "capacity_v4") == -1 ||
		    ipconfig_int(cap, "ipv6", o, "capacity_v6") == -1 ||
		    ipconfig_int(cap, "ip", o, "capacity_ip") == -1) {
			why = "a capacity is not an integer in range";
			break;
		}
	}
	json_decref(arr);
	if (why != NULL) {
		nerr_add(e, "annotation " A_IPCONFIG ": %s", why);
		json_decref(list);
		return;
	}
	json_object_set_new(b, "egress_ipconfig", list);
}

static void
norm_node(const json_t *obj, json_t *b, struct nerr *e)
{
	const json_t *a = annotations(obj, e);

	json_object_set_new(b, "labels", json_object());
	put_strmap(b, "labels", path_get(obj, "metadata", "labels", NULL), 512,
	    1024, "metadata.labels", e);
	node_ready(obj, b, e);
	put_str(b, "provider_id", path_get(obj, "spec", "providerID", NULL),
	    512, "spec.providerID", e);
	node_internal_ip(obj, b, e);
	node_capacity(a, b, e);
	node_ipconfig(a, b, e);
	put_str(b, "assignable_by", json_object_get(a, A_ASSIGNABLE_BY), 253,
	    "annotation " A_ASSIGNABLE_BY, e);
	put_str(b, "machine", json_object_get(a, A_MACHINE), 512,
	    "annotation " A_MACHINE, e);
}

/* The sub-schema of field `key` of message msg (spec, status, ...). */
static const struct eip_field *
sub_schema(uint16_t msg, const char *key)
{
	const struct eip_field *f;

	for (f = eip_msg_schema(msg); f->name != NULL; f++)
		if (strcmp(f->name, key) == 0)
			return f->sub;
	return NULL;
}

/*
 * Puts part under key in dst if it validates against dst's schema (where
 * every other key is optional); otherwise leaves it out and says why.
 */
static void
put_part(json_t *dst, const struct eip_field *schema, const char *key,
    json_t *part, const char *path, struct nerr *e)
{
	struct eip_field one[2];
	const struct eip_field *f;
	json_t *tmp;
	char why[256];

	for (f = schema; f != NULL && f->name != NULL; f++)
		if (strcmp(f->name, key) == 0)
			break;
	if (f == NULL || f->name == NULL) {
		json_decref(part);
		return;
	}
	/* Validate this one field alone: the others are checked elsewhere. */
	memset(one, 0, sizeof(one));
	one[0] = *f;
	tmp = json_object();
	json_object_set(tmp, key, part);
	if (eip_validate(tmp, one, why, sizeof(why)) == -1) {
		/* The validator's message starts with key: show our path. */
		nerr_add(e, "%s%s", path, strncmp(why, key, strlen(key)) == 0 ?
		    why + strlen(key) : why);
		json_decref(part);
	} else
		json_object_set_new(dst, key, part);
	json_decref(tmp);
}

/* Copies the known keys of src into a new object; a missing src gives {}. */
static json_t *
pick(const json_t *src, const char *const *keys)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		if (json_object_get(src, keys[i]) != NULL &&
		    !json_is_null(json_object_get(src, keys[i])))
			json_object_set(o, keys[i], json_object_get(src,
			    keys[i]));
	return o;
}

static json_t *
pick_list(const json_t *src, const char *const *keys, const char *path,
    struct nerr *e, int *bad)
{
	json_t *out = json_array();
	const json_t *x;
	size_t i;

	*bad = 0;
	if (src == NULL || json_is_null(src))
		return out;
	if (!json_is_array(src)) {
		nerr_add(e, "%s: not an array", path);
		*bad = 1;
		return out;
	}
	json_array_foreach(src, i, x) {
		if (!json_is_object(x)) {
			nerr_add(e, "%s[%zu]: not an object", path, i);
			*bad = 1;
			return out;
		}
		json_array_append_new(out, pick(x, keys));
	}
	return out;
}

static void
ipam_spec(const json_t *spec, json_t *b, struct nerr *e)
{
	static const char *const ca_keys[] = {
		"CIDR", "labelValue", "reservedIPs", NULL
	};
	static const char *const me_keys[] = {
		"key", "operator", "values", NULL
	};
	static const char *const sel_keys[] = { "matchLabels", NULL };
	const struct eip_field *sch = sub_schema(EIP_MSG_OBJ_EGRESSIPAM, "spec");
	const json_t *ns;
	json_t *out, *l, *sel;
	int bad;

	if (spec == NULL || json_is_null(spec))
		return;
	if (!json_is_object(spec)) {
		nerr_add(e, "spec: not an object");
		return;
	}
	out = json_object();
	/* All assignments or none: positions matter (IP i is in CIDR i). */
	l = pick_list(json_object_get(spec, "cidrAssignments"), ca_keys,
	    "spec.cidrAssignments", e, &bad);
	if (!bad)
		put_part(out, sch, "cidrAssignments", l,
		    "spec.cidrAssignments", e);
	else
		json_decref(l);
	put_str(out, "topologyLabel", json_object_get(spec, "topologyLabel"),
	    317, "spec.topologyLabel", e);
	ns = json_object_get(spec, "nodeSelector");
	if (ns != NULL && !json_is_null(ns)) {
		if (!json_is_object(ns))
			nerr_add(e, "spec.nodeSelector: not an object");
		else {
			sel = pick(ns, sel_keys);
			l = pick_list(json_object_get(ns, "matchExpressions"),
			    me_keys, "spec.nodeSelector.matchExpressions", e,
			    &bad);
			if (!bad && json_array_size(l) > 0)
				json_object_set_new(sel, "matchExpressions", l);
			else
				json_decref(l);
			if (!bad)
				put_part(out, sch, "nodeSelector", sel,
				    "spec.nodeSelector", e);
			else
				json_decref(sel);
		}
	}
	json_object_set_new(b, "spec", out);
}

static void
ipam_status(const json_t *st, json_t *b, struct nerr *e)
{
	static const char *const cond_keys[] = {
		"type", "status", "reason", "message", "observedGeneration",
		"lastTransitionTime", NULL
	};
	static const char *const cidr_keys[] = {
		"CIDR", "size", "allocated", "reserved", "free", NULL
	};
	const struct eip_field *sch = sub_schema(EIP_MSG_OBJ_EGRESSIPAM,
	    "status");
	json_t *out, *l;
	int bad;

	if (st == NULL || json_is_null(st))
		return;
	if (!json_is_object(st)) {
		nerr_add(e, "status: not an object");
		return;
	}
	out = json_object();
	if (json_is_integer(json_object_get(st, "namespaces")))
		put_part(out, sch, "namespaces", json_incref(json_object_get(st,
		    "namespaces")), "status.namespaces", e);
	if (json_is_integer(json_object_get(st, "observedGeneration")))
		put_part(out, sch, "observedGeneration", json_incref(
		    json_object_get(st, "observedGeneration")),
		    "status.observedGeneration", e);
	l = pick_list(json_object_get(st, "conditions"), cond_keys,
	    "status.conditions", e, &bad);
	if (!bad && json_array_size(l) > 0)
		put_part(out, sch, "conditions", l, "status.conditions",
		    e);
	else
		json_decref(l);
	l = pick_list(json_object_get(st, "cidrs"), cidr_keys, "status.cidrs",
	    e, &bad);
	if (!bad && json_array_size(l) > 0)
		put_part(out, sch, "cidrs", l, "status.cidrs", e);
	else
		json_decref(l);
	json_object_set_new(b, "status", out);
}

static void
norm_egressipam(const json_t *obj, json_t *b, struct nerr *e)
{
	const json_t *a = annotations(obj, e);
	const json_t *gen = path_get(obj, "metadata", "generation", NULL);

	if (json_is_integer(gen) && json_integer_value(gen) >= 0)
		json_object_set_new(b, "generation",
		    json_integer(json_integer_value(gen)));
	else {
		if (gen != NULL)
			nerr_add(e, "metadata.generation: not a non-negative "
			    "integer");
		json_object_set_new(b, "generation", json_integer(0));
	}
	put_strlist(b, "finalizers", path_get(obj, "metadata", "finalizers",
	    NULL), 64, 317, "metadata.finalizers", e);
	put_str(b, "azure_lb", json_object_get(a, A_AZURE_LB), 64,
	    "annotation " A_AZURE_LB, e);
	ipam_spec(json_object_get(obj, "spec"), b, e);
	ipam_status(json_object_get(obj, "status"), b, e);
}

static void
norm_hostsubnet(const json_t *obj, json_t *b, struct nerr *e)
{
	put_str(b, "host", json_object_get(obj, "host"), 253, "host", e);
	put_str(b, "host_ip", json_object_get(obj, "hostIP"), 64, "hostIP", e);
	put_strlist(b, "egress_ips", json_object_get(obj, "egressIPs"), 65536,
	    64, "egressIPs", e);
	put_strlist(b, "egress_cidrs", json_object_get(obj, "egressCIDRs"),
	    1024, 64, "egressCIDRs", e);
}

static void
norm_netnamespace(const json_t *obj, json_t *b, struct nerr *e)
{
	const json_t *id = json_object_get(obj, "netid");

	if (json_is_integer(id) && json_integer_value(id) >= 0 &&
	    json_integer_value(id) <= 0xffffffffLL)
		json_object_set_new(b, "netid",
		    json_integer(json_integer_value(id)));
	else if (id != NULL && !json_is_null(id))
		nerr_add(e, "netid: not a 32-bit unsigned integer");
	put_strlist(b, "egress_ips", json_object_get(obj, "egressIPs"), 1024,
	    64, "egressIPs", e);
}

static void
norm_egressip(const json_t *obj, json_t *b, struct nerr *e)
{
	static const char *const item_keys[] = { "node", "egressIP", NULL };
	const json_t *refs = path_get(obj, "metadata", "ownerReferences", NULL);
	const json_t *r;
	json_t *l;
	size_t i;
	int bad;

	put_strmap(b, "labels", path_get(obj, "metadata", "labels", NULL), 512,
	    1024, "metadata.labels", e);
	put_strlist(b, "egress_ips", path_get(obj, "spec", "egressIPs", NULL),
	    1024, 64, "spec.egressIPs", e);
	put_strmap(b, "namespace_selector", path_get(obj, "spec",
	    "namespaceSelector", "matchLabels"), 64, 1024,
	    "spec.namespaceSelector.matchLabels", e);
	if (refs != NULL && !json_is_null(refs) && !json_is_array(refs))
		nerr_add(e, "metadata.ownerReferences: not an array");
	json_array_foreach(refs, i, r) {
		if (json_is_string(json_object_get(r, "kind")) &&
		    strcmp(json_string_value(json_object_get(r, "kind")),
		    "Namespace") == 0) {
			put_str(b, "owner_uid", json_object_get(r, "uid"), 64,
			    "metadata.ownerReferences.uid", e);
			break;
		}
	}
	l = pick_list(path_get(obj, "status", "items", NULL), item_keys,
	    "status.items", e, &bad);
	if (!bad && json_array_size(l) > 0)
		put_part(b, eip_msg_schema(EIP_MSG_OBJ_EGRESSIP), "status", l,
		    "status.items", e);
	else
		json_decref(l);
}

static void
norm_infrastructure(const json_t *obj, json_t *b, struct nerr *e)
{
	const json_t *ps = path_get(obj, "status", "platformStatus", NULL);
	const json_t *t = json_object_get(ps, "type");

	/* Old clusters have only status.platform; absent means None. */
	if (!json_is_string(t))
		t = path_get(obj, "status", "platform", NULL);
	json_object_set_new(b, "platform", json_string("None"));
	put_str(b, "platform", t, 64, "status.platformStatus.type", e);
	put_str(b, "infra_name", path_get(obj, "status", "infrastructureName",
	    NULL), 253, "status.infrastructureName", e);
	put_str(b, "aws_region", path_get(ps, "aws", "region", NULL), 64,
	    "status.platformStatus.aws.region", e);
	put_str(b, "azure_rg", path_get(ps, "azure", "resourceGroupName", NULL),
	    253, "status.platformStatus.azure.resourceGroupName", e);
	put_str(b, "azure_network_rg", path_get(ps, "azure",
	    "networkResourceGroupName", NULL), 253,
	    "status.platformStatus.azure.networkResourceGroupName", e);
	put_str(b, "azure_cloud", path_get(ps, "azure", "cloudName", NULL), 64,
	    "status.platformStatus.azure.cloudName", e);
}

static void
norm_network(const json_t *obj, json_t *b, struct nerr *e)
{
	const json_t *t = path_get(obj, "status", "networkType", NULL);

	/* Early in an install only spec.networkType may be set. */
	if (!json_is_string(t) || json_string_length(t) == 0)
		t = path_get(obj, "spec", "networkType", NULL);
	json_object_set_new(b, "network_type", json_string(""));
	if (!json_is_string(t))
		nerr_add(e, "status.networkType: missing");
	else
		put_str(b, "network_type", t, 64, "status.networkType", e);
}

/* The smallest valid body: identity, required fields, the error. */
static json_t *
cut_down(enum wkind k, json_t *full, const char *why)
{
	json_t *b = json_object();
	char msg[1024];

	json_object_set(b, "name", json_object_get(full, "name"));
	json_object_set(b, "rv", json_object_get(full, "rv"));
	if (json_object_get(full, "uid") != NULL)
		json_object_set(b, "uid", json_object_get(full, "uid"));
	switch (k) {
	case WK_NODE:
		json_object_set_new(b, "labels", json_object());
		json_object_set_new(b, "ready", json_string("Unknown"));
		break;
	case WK_EGRESSIPAM:
		json_object_set_new(b, "generation", json_integer(0));
		break;
	case WK_INFRASTRUCTURE:
		json_object_set_new(b, "platform", json_string("None"));
		break;
	case WK_NETWORK:
		json_object_set_new(b, "network_type", json_string(""));
		break;
	default:
		break;
	}
	snprintf(msg, sizeof(msg), "unusable object: %s", why);
	json_object_set_new(b, "error", json_string(msg));
	return b;
}

json_t *
normalize_object(enum wkind k, const json_t *obj, char *err, size_t errlen)
{
	struct nerr e;
	json_t *b, *small;
	char why[512];

	if ((unsigned)k >= WK_MAX) {
		snprintf(err, errlen, "unknown kind");
		return NULL;
	}
	memset(&e, 0, sizeof(e));
	if ((b = meta(obj, &e, err, errlen)) == NULL)
		return NULL;
	switch (k) {
	case WK_NAMESPACE:	norm_namespace(obj, b, &e); break;
	case WK_NODE:		norm_node(obj, b, &e); break;
	case WK_EGRESSIPAM:	norm_egressipam(obj, b, &e); break;
	case WK_HOSTSUBNET:	norm_hostsubnet(obj, b, &e); break;
	case WK_NETNAMESPACE:	norm_netnamespace(obj, b, &e); break;
	case WK_EGRESSIP:	norm_egressip(obj, b, &e); break;
	case WK_INFRASTRUCTURE:	norm_infrastructure(obj, b, &e); break;
	case WK_NETWORK:	norm_network(obj, b, &e); break;
	default:		break;
	}
	/* Our messages quote input; keep them valid UTF-8 whatever it was. */
	if (e.buf[0] != '\0' && json_object_set_new(b, "error",
	    json_string(e.buf)) == -1)
		json_object_set_new(b, "error", json_string("malformed fields "
		    "(the details are not valid UTF-8)"));
	if (eip_validate(b, eip_msg_schema(kinds[k].msg), why,
	    sizeof(why)) == 0)
		return b;
	/* A bug or a shape we did not foresee: never send an invalid body. */
	small = cut_down(k, b, why);
	json_decref(b);
	return small;
}
