/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pure builders for what the writer creates in several steps: core/v1
 * Events as client-go's recorder writes them (with the aggregation cache
 * that turns a repeat within 10 minutes into a count update), and the
 * CredentialsRequest that asks for the cloudworker's least privileges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "normalize.h"
#include "writer.h"
#include "xmalloc.h"

#define EV_AGG_MS	(10u * 60 * 1000)

void
kube_time(char *buf, size_t len, int micro)
{
	struct timespec ts;
	struct tm tm;
	char b[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm);
	/* MicroTime is parsed strictly: always six digits. */
	if (micro)
		snprintf(buf, len, "%s.%06ldZ", b, ts.tv_nsec / 1000);
	else
		snprintf(buf, len, "%sZ", b);
}

/* Upstream's recorder names, so events read as they did. */
static const char *
component_of(const char *kind)
{
	if (strcmp(kind, "EgressIPAM") == 0)
		return "EgressIPAM_controller";
	if (strcmp(kind, "Namespace") == 0)
		return "Namespace_controller";
	return "egressip-ipam-operator";
}

json_t *
event_object(const json_t *msg, const char *name, const char *component,
    const char *host, const char *instance, const char *now)
{
	const json_t *inv = json_object_get(msg, "involved");
	const char *kind = json_string_value(json_object_get(inv, "kind"));
	const struct wkind_info *ki;
	enum wkind k;
	json_t *io, *ev;
	char apiv[128];

	if (kind == NULL || wkind_parse(kind, &k) == -1)
		return NULL;
	ki = wkind_info(k);
	if (*ki->group)
		snprintf(apiv, sizeof(apiv), "%s/%s", ki->group, ki->version);
	else
		snprintf(apiv, sizeof(apiv), "%s", ki->version);
	io = json_pack("{s:s,s:O,s:s}", "kind", kind, "name",
	    json_object_get(inv, "name"), "apiVersion", apiv);
	if (json_object_get(inv, "uid") != NULL)
		json_object_set(io, "uid", json_object_get(inv, "uid"));
	if (json_object_get(inv, "rv") != NULL)
		json_object_set(io, "resourceVersion", json_object_get(inv, "rv"));
	if (component == NULL)
		component = component_of(kind);
	/* Every subject here is cluster-scoped: such events go to default. */
	ev = json_pack("{s:s,s:s,s:{s:s,s:s},s:o,s:O,s:O,s:O,s:{s:s,s:s},"
	    "s:s,s:s,s:i,s:s,s:s}",
	    "apiVersion", "v1", "kind", "Event",
	    "metadata", "name", name, "namespace", "default",
	    "involvedObject", io,
	    "reason", json_object_get(msg, "reason"),
	    "message", json_object_get(msg, "message"),
	    "type", json_object_get(msg, "type"),
	    "source", "component", component, "host", host,
	    "firstTimestamp", now, "lastTimestamp", now, "count", 1,
	    "reportingComponent", "egressip-ipam-operator",
	    "reportingInstance", instance);
	return ev;
}

void
event_key(const json_t *msg, char *buf, size_t len)
{
	const json_t *inv = json_object_get(msg, "involved");

	snprintf(buf, len, "%s/%s/%s/%s/%s",
	    json_string_value(json_object_get(inv, "kind")),
	    json_string_value(json_object_get(inv, "name")),
	    json_string_value(json_object_get(msg, "type")),
	    json_string_value(json_object_get(msg, "reason")),
	    json_string_value(json_object_get(msg, "message")));
}

void
event_name(const char *obj, char *buf, size_t len)
{
	struct timespec ts;
	unsigned long long ns;

	clock_gettime(CLOCK_REALTIME, &ts);
	ns = (unsigned long long)ts.tv_sec * 1000000000ull +
	    (unsigned long long)ts.tv_nsec;
	snprintf(buf, len, "%.200s.%llx", obj, ns);
}

struct evcache *
evcache_new(size_t max)
{
	struct evcache *c = xcalloc(1, sizeof(*c));

	c->map = json_object();
	c->max = max;
	return c;
}

void
evcache_free(struct evcache *c)
{
	if (c == NULL)
		return;
	json_decref(c->map);
	free(c);
}

int
evcache_lookup(struct evcache *c, const char *key, uint64_t now_ms,
    char *name, size_t namelen, long *count)
{
	json_t *e = json_object_get(c->map, key);
	uint64_t last;

	if (e == NULL)
		return 0;
	last = (uint64_t)json_integer_value(json_object_get(e, "last"));
	if (now_ms < last || now_ms - last > EV_AGG_MS) {
		json_object_del(c->map, key);
		return 0;
	}
	snprintf(name, namelen, "%s", json_string_value(json_object_get(e,
	    "name")));
	*count = (long)json_integer_value(json_object_get(e, "count"));
	return 1;
}

void
evcache_forget(struct evcache *c, const char *key)
{
	json_object_del(c->map, key);
}

void
evcache_store(struct evcache *c, const char *key, const char *name,
    long count, uint64_t now_ms)
{
	const char *k;
	json_t *v;
	void *it;

	/* Bounded like client-go's LRU: drop what aged out, then everything. */
	if (json_object_size(c->map) >= c->max) {
		json_object_foreach_safe(c->map, it, k, v) {
			if (now_ms - (uint64_t)json_integer_value(
			    json_object_get(v, "last")) > EV_AGG_MS)
				json_object_del(c->map, k);
		}
		if (json_object_size(c->map) >= c->max)
			json_object_clear(c->map);
	}
	json_object_set_new(c->map, key, json_pack("{s:s,s:I,s:I}", "name",
	    name, "count", (json_int_t)count, "last", (json_int_t)now_ms));
}

json_t *
credreq_object(const char *platform, const char *secret_namespace)
{
	json_t *ps;

	if (strcmp(platform, "AWS") == 0)
		/* Exactly what the cloudworker calls (upstream §5.7). */
		ps = json_pack("{s:s,s:s,s:[{s:s,s:[s,s,s,s,s,s],s:s}]}",
		    "apiVersion", "cloudcredential.openshift.io/v1",
		    "kind", "AWSProviderSpec",
		    "statementEntries", "effect", "Allow", "action",
		    "ec2:DescribeInstances", "ec2:DescribeInstanceTypes",
		    "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
		    "ec2:AssignPrivateIpAddresses",
		    "ec2:UnassignPrivateIpAddresses", "resource", "*");
	else if (strcmp(platform, "Azure") == 0)
		/*
		 * Upstream asked for Contributor.  NIC ipConfigurations and
		 * load-balancer pools need Network Contributor; finding a
		 * node's NIC needs reading VMs, which Reader gives.
		 */
		ps = json_pack("{s:s,s:s,s:[{s:s},{s:s}]}",
		    "apiVersion", "cloudcredential.openshift.io/v1",
		    "kind", "AzureProviderSpec", "roleBindings",
		    "role", "Network Contributor", "role", "Reader");
	else
		return NULL;
	return json_pack("{s:s,s:s,s:{s:s,s:s},s:{s:{s:s,s:s},s:o}}",
	    "apiVersion", "cloudcredential.openshift.io/v1",
	    "kind", "CredentialsRequest",
	    "metadata", "name", "egress-ipam-operator",
	    "namespace", "openshift-cloud-credential-operator",
	    "spec", "secretRef", "name", "egress-ipam-operator-cloud-credentials",
	    "namespace", secret_namespace, "providerSpec", ps);
}
