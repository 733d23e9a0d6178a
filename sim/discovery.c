/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Discovery documents (/version, /api, /apis, /apis/<g>, resource lists)
 * for the types the store serves, and the metav1.Status error object.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "sim_kube.h"

json_t *
sim_status_json(const struct sim_err *e, const char *name,
    const struct sim_rtype *rt)
{
	json_t *st, *details = NULL;

	st = json_pack("{s:s,s:s,s:{},s:s,s:s,s:s,s:i}", "kind", "Status",
	    "apiVersion", "v1", "metadata", "status", "Failure", "message",
	    e->message, "reason", e->reason, "code", e->code);
	if (name != NULL || rt != NULL) {
		details = json_object();
		if (name != NULL)
			json_object_set_new(details, "name", json_string(name));
		if (rt != NULL) {
			if (rt->group[0] != '\0')
				json_object_set_new(details, "group",
				    json_string(rt->group));
			json_object_set_new(details, "kind",
			    json_string(e->code == 422 ? rt->kind : rt->plural));
		}
	}
	if (e->field[0] != '\0') {
		if (details == NULL)
			details = json_object();
		json_object_set_new(details, "causes", json_pack("[{s:s,s:s,"
		    "s:s}]", "reason", "FieldValueInvalid", "message",
		    e->message, "field", e->field));
	}
	if (details != NULL)
		json_object_set_new(st, "details", details);
	return st;
}

json_t *
discovery_version(void)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "major", "1",
	    "minor", "28", "gitVersion", "v1.28.5+eipam-sim", "gitCommit",
	    "0000000000000000000000000000000000000000", "gitTreeState",
	    "clean", "buildDate", "2026-01-01T00:00:00Z", "goVersion",
	    "go1.20.12", "compiler", "gc", "platform", "linux/amd64");
}

json_t *
discovery_api(const char *server)
{
	return json_pack("{s:s,s:[s],s:[{s:s,s:s}]}", "kind", "APIVersions",
	    "versions", "v1", "serverAddressByClientCIDRs", "clientCIDR",
	    "0.0.0.0/0", "serverAddress", server);
}

static json_t *
group_json(const char *group, const char *version)
{
	char gv[128];

	snprintf(gv, sizeof(gv), "%s/%s", group, version);
	return json_pack("{s:s,s:[{s:s,s:s}],s:{s:s,s:s}}", "name", group,
	    "versions", "groupVersion", gv, "version", version,
	    "preferredVersion", "groupVersion", gv, "version", version);
}

static int
group_served(const struct sim_store *st, const char *group,
    const char *version)
{
	int i;

	for (i = 0; i < rtype_count(); i++) {
		const struct sim_rtype *rt = rtype_get(i);

		if (strcmp(rt->group, group) == 0 && (version == NULL ||
		    strcmp(rt->version, version) == 0) && store_served(st, i))
			return 1;
	}
	return 0;
}

json_t *
discovery_apis(const struct sim_store *st)
{
	json_t *groups = json_array();
	int i, j, dup;

	for (i = 0; i < rtype_count(); i++) {
		const struct sim_rtype *rt = rtype_get(i);

		if (rt->group[0] == '\0' || !store_served(st, i))
			continue;
		for (dup = 0, j = 0; j < i; j++)
			if (strcmp(rtype_get(j)->group, rt->group) == 0 &&
			    store_served(st, j))
				dup = 1;
		if (!dup)
			json_array_append_new(groups,
			    group_json(rt->group, rt->version));
	}
	return json_pack("{s:s,s:s,s:o}", "kind", "APIGroupList", "apiVersion",
	    "v1", "groups", groups);
}

json_t *
discovery_group(const struct sim_store *st, const char *group)
{
	int i;
	json_t *g;

	for (i = 0; i < rtype_count(); i++) {
		const struct sim_rtype *rt = rtype_get(i);

		if (strcmp(rt->group, group) == 0 && store_served(st, i)) {
			g = group_json(rt->group, rt->version);
			json_object_set_new(g, "kind", json_string("APIGroup"));
			json_object_set_new(g, "apiVersion", json_string("v1"));
			return g;
		}
	}
	return NULL;
}

json_t *
discovery_resources(const struct sim_store *st, const char *group,
    const char *version)
{
	static const char *const verbs[] = { "create", "delete",
	    "deletecollection", "get", "list", "patch", "update", "watch",
	    NULL };
	json_t *res, *r, *v, *sn;
	char gv[128], sub[128], *tok, *save, buf[64];
	int i, j;

	if (!group_served(st, group, version))
		return NULL;
	res = json_array();
	for (i = 0; i < rtype_count(); i++) {
		const struct sim_rtype *rt = rtype_get(i);

		if (strcmp(rt->group, group) != 0 ||
		    strcmp(rt->version, version) != 0 || !store_served(st, i))
			continue;
		v = json_array();
		for (j = 0; verbs[j] != NULL; j++)
			json_array_append_new(v, json_string(verbs[j]));
		r = json_pack("{s:s,s:s,s:b,s:s,s:o}", "name", rt->plural,
		    "singularName", rt->singular, "namespaced", rt->namespaced,
		    "kind", rt->kind, "verbs", v);
		if (rt->short_names != NULL) {
			sn = json_array();
			snprintf(buf, sizeof(buf), "%s", rt->short_names);
			for (tok = strtok_r(buf, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save))
				json_array_append_new(sn, json_string(tok));
			json_object_set_new(r, "shortNames", sn);
		}
		json_array_append_new(res, r);
		if (rt->has_status) {
			snprintf(sub, sizeof(sub), "%s/status", rt->plural);
			json_array_append_new(res, json_pack("{s:s,s:s,s:b,s:s,"
			    "s:[s,s,s]}", "name", sub, "singularName", "",
			    "namespaced", rt->namespaced, "kind", rt->kind,
			    "verbs", "get", "patch", "update"));
		}
	}
	if (group[0] == '\0')
		snprintf(gv, sizeof(gv), "%s", version);
	else
		snprintf(gv, sizeof(gv), "%s/%s", group, version);
	return json_pack("{s:s,s:s,s:s,s:o}", "kind", "APIResourceList",
	    "apiVersion", "v1", "groupVersion", gv, "resources", res);
}
