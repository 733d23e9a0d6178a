/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Kubernetes REST API over the store: path routing, bearer-token
 * authorization, LIST (selectors, limit/continue), GET, POST, PUT, PATCH
 * (merge, JSON, strategic, apply), DELETE, deletecollection, and the
 * hand-off of WATCH requests to the transport.  Errors are metav1.Status
 * objects with the apiserver's reasons, codes and messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_kube.h"
#include "xmalloc.h"

void
kube_resp_json(struct sim_resp *r, int code, json_t *j)
{
	char *s;

	if (j == NULL) {
		/* Only a bug gets here; answer rather than crash. */
		s = xstrdup("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
		    "\"metadata\":{},\"status\":\"Failure\",\"message\":"
		    "\"eipam-sim could not encode its answer\",\"reason\":"
		    "\"InternalError\",\"code\":500}");
		sim_resp_set(r, 500, "application/json", s, strlen(s));
		return;
	}
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	sim_resp_set(r, code, "application/json", s, strlen(s));
}

void
kube_resp_error(struct sim_resp *r, const struct sim_err *e,
    const char *name, const struct sim_rtype *rt)
{
	kube_resp_json(r, e->code, sim_status_json(e, name, rt));
}

static void
not_found_path(struct sim_resp *r)
{
	struct sim_err e = { 0 };

	sim_err_set(&e, 404, "NotFound",
	    "the server could not find the requested resource");
	kube_resp_error(r, &e, NULL, NULL);
}

/* Splits path into at most max segments, in place. */
static int
split_path(char *p, char **seg, int max)
{
	int n = 0;
	char *s;

	while (*p == '/')
		p++;
	while (*p != '\0') {
		if (n == max)
			return -1;
		seg[n++] = p;
		if ((s = strchr(p, '/')) == NULL)
			break;
		*s = '\0';
		p = s + 1;
		if (*p == '\0')
			break;
	}
	return n;
}

static int
served_rt(const struct sim_store *st, const char *g, const char *v,
    const char *plural)
{
	const struct sim_rtype *rt = rtype_find(g, v, plural);

	if (rt == NULL || !store_served(st, rtype_index(rt)))
		return -1;
	return rtype_index(rt);
}

int
kube_parse_path(const struct sim_store *st, const char *path,
    struct kube_path *kp)
{
	char buf[1024], *seg[12];
	int n, i, rt;

	memset(kp, 0, sizeof(*kp));
	kp->rt = -1;
	if (strlen(path) >= sizeof(buf))
		return 0;
	snprintf(buf, sizeof(buf), "%s", path);
	if ((n = split_path(buf, seg, 12)) <= 0)
		return 0;
	if (n == 1 && strcmp(seg[0], "version") == 0)
		return kp->kind = KP_VERSION;
	if (n == 1 && (strcmp(seg[0], "healthz") == 0 ||
	    strcmp(seg[0], "readyz") == 0 || strcmp(seg[0], "livez") == 0))
		return kp->kind = KP_HEALTH;
	if (strcmp(seg[0], "api") == 0) {
		if (n == 1)
			return kp->kind = KP_API;
		if (strcmp(seg[1], "v1") != 0)
			return 0;
		snprintf(kp->version, sizeof(kp->version), "v1");
		i = 2;
	} else if (strcmp(seg[0], "apis") == 0) {
		if (n == 1)
			return kp->kind = KP_APIS;
		snprintf(kp->group, sizeof(kp->group), "%s", seg[1]);
		if (n == 2)
			return kp->kind = KP_GROUP;
		snprintf(kp->version, sizeof(kp->version), "%s", seg[2]);
		i = 3;
	} else
		return 0;
	if (n == i)
		return kp->kind = KP_RESLIST;
	/* namespaces/<ns>/<plural>[/<name>[/status]] */
	if (strcmp(seg[i], "namespaces") == 0 && n >= i + 3 &&
	    strcmp(seg[i + 2], "status") != 0 &&
	    strcmp(seg[i + 2], "finalize") != 0) {
		snprintf(kp->ns, sizeof(kp->ns), "%s", seg[i + 1]);
		i += 2;
		rt = served_rt(st, kp->group, kp->version, seg[i]);
		if (rt < 0 || !rtype_get(rt)->namespaced)
			return kp->kind = rt < 0 && rtype_find(kp->group,
			    kp->version, seg[i]) != NULL ? KP_NOTSERVED : 0;
	} else {
		rt = served_rt(st, kp->group, kp->version, seg[i]);
		if (rt < 0)
			return kp->kind = rtype_find(kp->group, kp->version,
			    seg[i]) != NULL ? KP_NOTSERVED : 0;
	}
	kp->rt = rt;
	if (n == i + 1)
		return kp->kind = KP_COLL;
	if (rtype_get(rt)->namespaced && kp->ns[0] == '\0')
		return kp->kind = KP_UNKNOWN;
	snprintf(kp->name, sizeof(kp->name), "%s", seg[i + 1]);
	if (n == i + 2)
		return kp->kind = KP_ITEM;
	if (n == i + 3 && strcmp(seg[i + 2], "status") == 0 &&
	    rtype_get(rt)->has_status) {
		kp->status = 1;
		return kp->kind = KP_ITEM;
	}
	return kp->kind = KP_UNKNOWN;
}

int
kube_auth_check(const struct sim_auth *a, const char *authz, int *readonly)
{
	const char *tok;

	*readonly = 0;
	if (authz == NULL || strncasecmp(authz, "Bearer ", 7) != 0)
		return -1;
	tok = authz + 7;
	while (*tok == ' ')
		tok++;
	if (a->admin != NULL && strcmp(tok, a->admin) == 0)
		return 0;
	if (a->admin_old != NULL && strcmp(tok, a->admin_old) == 0 &&
	    time(NULL) < a->admin_old_until)
		return 0;
	if (a->readonly != NULL && strcmp(tok, a->readonly) == 0) {
		*readonly = 1;
		return 0;
	}
	return -1;
}

/* Parses and checks a request body as a JSON object. */
static json_t *
body_json(const struct sim_req *req, struct sim_err *e, int any_type)
{
	json_error_t jerr;
	json_t *j;

	if (req->body_len == 0)
		return sim_err_set(e, 400, "BadRequest", "the body of the "
		    "request was empty"), NULL;
	j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL, &jerr);
	if (j == NULL)
		return sim_err_set(e, 400, "BadRequest", "couldn't get "
		    "version/kind; json parse error: %s", jerr.text), NULL;
	if (!any_type && !json_is_object(j)) {
		json_decref(j);
		return sim_err_set(e, 400, "BadRequest", "couldn't get "
		    "version/kind; json parse error: json: cannot unmarshal "
		    "non-object into Go value of type struct"), NULL;
	}
	return j;
}

static int
check_kind(const struct sim_rtype *rt, const json_t *obj, struct sim_err *e)
{
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	const char *av = json_string_value(json_object_get(obj, "apiVersion"));
	char want[96];

	rtype_api_version(rt, want, sizeof(want));
	if (kind != NULL && strcmp(kind, rt->kind) != 0)
		return sim_err_set(e, 400, "BadRequest", "the kind in the "
		    "data (%s) does not match the expected kind (%s)", kind,
		    rt->kind);
	if (av != NULL && strcmp(av, want) != 0)
		return sim_err_set(e, 400, "BadRequest", "the API version in "
		    "the data (%s) does not match the expected API version "
		    "(%s)", av, want);
	return 0;
}

static int
check_json_ctype(const struct sim_req *req, struct sim_err *e)
{
	const char *ct = req->header(req, "Content-Type");
	char mt[128];

	util_media_type(ct, mt, sizeof(mt));
	if (mt[0] == '\0' || strcmp(mt, "application/json") == 0 ||
	    strcmp(mt, "*/*") == 0)
		return 0;
	return sim_err_set(e, 415, "UnsupportedMediaType", "the body of the "
	    "request was in an unknown format - accepted media types "
	    "include: application/json, application/yaml, "
	    "application/vnd.kubernetes.protobuf");
}

/* The copy of a stored object as list items show it. */
static json_t *
list_item(const struct sim_rtype *rt, json_t *obj)
{
	json_t *c;

	if (rt->custom)
		return json_incref(obj);
	c = json_copy(obj);
	json_object_del(c, "kind");
	json_object_del(c, "apiVersion");
	return c;
}

static int
handle_list(struct sim_kube *k, const struct kube_path *kp,
    const char *q, struct sim_resp *resp)
{
	const struct sim_rtype *rt = rtype_get(kp->rt);
	const struct sim_coll *c = &k->st->colls[kp->rt];
	struct sim_selector ls, fs;
	struct sim_err e = { 0 };
	char buf[1024], lsel[2048] = "", fsel[2048] = "", err[512], av[96];
	char prefix[300], rvs[24], *tok = NULL, *dec;
	json_t *items, *md, *list, *ct;
	uint64_t list_rv = k->st->rv;
	size_t i, limit = 0, count = 0, remaining = 0, declen;
	const char *start = NULL;

	util_query_get(q, "labelSelector", lsel, sizeof(lsel));
	util_query_get(q, "fieldSelector", fsel, sizeof(fsel));
	if (selector_parse_labels(lsel, &ls, err, sizeof(err)) == -1) {
		sim_err_set(&e, 400, "BadRequest", "%s", err);
		kube_resp_error(resp, &e, NULL, NULL);
		return 0;
	}
	if (selector_parse_fields(fsel, rt, &fs, err, sizeof(err)) == -1) {
		selector_free(&ls);
		sim_err_set(&e, 400, "BadRequest", "%s", err);
		kube_resp_error(resp, &e, NULL, NULL);
		return 0;
	}
	if (util_query_get(q, "limit", buf, sizeof(buf)))
		limit = strtoul(buf, NULL, 10);
	if (util_query_get(q, "resourceVersionMatch", buf, sizeof(buf)) &&
	    strcmp(buf, "Exact") == 0 && util_query_get(q, "resourceVersion",
	    rvs, sizeof(rvs)) && strtoull(rvs, NULL, 10) != k->st->rv) {
		sim_err_set(&e, 410, "Expired", "too old resource version: "
		    "%s (%llu)", rvs, (unsigned long long)k->st->rv);
		goto fail;
	}
	if (util_query_get(q, "continue", buf, sizeof(buf)) && buf[0]) {
		dec = util_b64url_decode(buf, &declen);
		ct = dec != NULL ? json_loadb(dec, declen, 0, NULL) : NULL;
		free(dec);
		if (ct == NULL || !json_is_integer(json_object_get(ct, "rv")) ||
		    !json_is_string(json_object_get(ct, "start"))) {
			json_decref(ct);
			sim_err_set(&e, 400, "BadRequest", "continue key is not "
			    "valid: incorrect encoded start resourceVersion "
			    "(version meta.k8s.io/v1)");
			goto fail;
		}
		list_rv = json_integer_value(json_object_get(ct, "rv"));
		if (store_rv_expired(k->st, list_rv)) {
			json_decref(ct);
			sim_err_set(&e, 410, "Expired", "The provided continue "
			    "parameter is too old to display a consistent list "
			    "result. You can start a new list without the "
			    "continue parameter, or use the continue token in "
			    "this response to retrieve the remainder of the "
			    "results. Continuing with the provided token "
			    "results in an inconsistent list - objects that "
			    "were created, modified, or deleted between the "
			    "time the first chunk was returned and now may "
			    "show up in the list.");
			goto fail;
		}
		tok = xstrdup(json_string_value(json_object_get(ct, "start")));
		json_decref(ct);
		start = tok;
	}
	snprintf(prefix, sizeof(prefix), "%s/", kp->ns);
	i = store_lower_bound(c, start != NULL ? start : (kp->ns[0] ?
	    prefix : ""));
	items = json_array();
	for (; i < c->n; i++) {
		const struct sim_obj *o = c->v[i];

		if (kp->ns[0] != '\0' && strncmp(o->key, prefix,
		    strlen(prefix)) != 0)
			break;
		if (!selector_match_labels(&ls, o->obj) ||
		    !selector_match_fields(&fs, o->obj))
			continue;
		if (limit > 0 && count == limit) {
			remaining++;
			continue;
		}
		json_array_append_new(items, list_item(rt, o->obj));
		count++;
		if (limit > 0 && count == limit) {
			json_t *t;
			char *s, *next;

			free(tok);
			xasprintf(&next, "%s%c", o->key, '\x01');
			t = json_pack("{s:s,s:I,s:s}", "v", "meta.k8s.io/v1",
			    "rv", (json_int_t)list_rv, "start", next);
			free(next);
			s = json_dumps(t, JSON_COMPACT);
			json_decref(t);
			tok = util_b64url_encode(s, strlen(s));
			free(s);
		}
	}
	snprintf(rvs, sizeof(rvs), "%llu", (unsigned long long)list_rv);
	md = json_pack("{s:s}", "resourceVersion", rvs);
	if (remaining > 0) {
		json_object_set_new(md, "continue", json_string(tok));
		if (ls.nreqs == 0 && fs.nreqs == 0)
			json_object_set_new(md, "remainingItemCount",
			    json_integer((json_int_t)remaining));
	}
	snprintf(buf, sizeof(buf), "%sList", rt->kind);
	list = json_pack("{s:s,s:s,s:o,s:o}", "kind", buf, "apiVersion",
	    rtype_api_version(rt, av, sizeof(av)), "metadata", md, "items",
	    items);
	free(tok);
	selector_free(&ls);
	selector_free(&fs);
	kube_resp_json(resp, 200, list);
	return 0;
fail:
	free(tok);
	selector_free(&ls);
	selector_free(&fs);
	kube_resp_error(resp, &e, NULL, NULL);
	return 0;
}

static int
watch_spec_fill(struct sim_kube *k, const struct kube_path *kp,
    const char *q, struct sim_watch_spec *ws, struct sim_resp *resp)
{
	struct sim_selector s;
	struct sim_err e = { 0 };
	char buf[2048], err[512];
	int b;

	memset(ws, 0, sizeof(*ws));
	ws->rt = kp->rt;
	snprintf(ws->ns, sizeof(ws->ns), "%s", kp->ns);
	if (util_query_get(q, "labelSelector", buf, sizeof(buf))) {
		if (selector_parse_labels(buf, &s, err, sizeof(err)) == -1)
			goto bad;
		selector_free(&s);
		ws->label_sel = xstrdup(buf);
	}
	if (util_query_get(q, "fieldSelector", buf, sizeof(buf))) {
		if (selector_parse_fields(buf, rtype_get(kp->rt), &s, err,
		    sizeof(err)) == -1)
			goto bad;
		selector_free(&s);
		ws->field_sel = xstrdup(buf);
	}
	if (util_query_get(q, "resourceVersion", ws->rv, sizeof(ws->rv)))
		ws->rv_set = ws->rv[0] != '\0';
	if (util_query_get(q, "allowWatchBookmarks", buf, sizeof(buf)) &&
	    selector_parse_bool(buf, &b) == 0)
		ws->bookmarks = b;
	if (util_query_get(q, "sendInitialEvents", buf, sizeof(buf)) &&
	    selector_parse_bool(buf, &b) == 0)
		ws->initial_events_end = b;
	ws->timeout_s = k->watch_timeout;
	if (util_query_get(q, "timeoutSeconds", buf, sizeof(buf)))
		ws->timeout_s = strtol(buf, NULL, 10);
	else if (util_query_get(q, "timeout", buf, sizeof(buf)) &&
	    util_parse_duration_ms(buf) > 0)
		ws->timeout_s = (util_parse_duration_ms(buf) + 999) / 1000;
	return KUBE_WATCH;
bad:
	free(ws->label_sel);
	ws->label_sel = NULL;
	sim_err_set(&e, 400, "BadRequest", "%s", err);
	kube_resp_error(resp, &e, NULL, NULL);
	return KUBE_RESP;
}

void
kube_crd_changed(struct sim_store *st, const json_t *crd, int deleted)
{
	const json_t *spec = json_object_get(crd, "spec"), *v;
	const char *group = json_string_value(json_object_get(spec, "group"));
	const char *plural = json_string_value(json_object_get(
	    json_object_get(spec, "names"), "plural"));
	const struct sim_rtype *rt;
	size_t i;

	if (group == NULL || plural == NULL)
		return;
	json_array_foreach(json_object_get(spec, "versions"), i, v) {
		const char *ver = json_string_value(json_object_get(v, "name"));

		if (ver == NULL || (rt = rtype_find(group, ver, plural)) == NULL)
			continue;
		if (deleted) {
			store_purge(st, rtype_index(rt));
			store_set_served(st, rtype_index(rt), 0);
		} else
			store_set_served(st, rtype_index(rt),
			    !json_is_false(json_object_get(v, "served")));
	}
}

/* A new CRD is at once Established, as its names are always accepted. */
static void
crd_established(struct sim_store *st, json_t *crd)
{
	const char *name = json_string_value(json_object_get(
	    json_object_get(crd, "metadata"), "name"));
	struct sim_err e = { 0 };
	char now[40];
	json_t *s, *o = NULL;

	store_now(st, now, sizeof(now));
	s = json_pack("{s:{s:[{s:s,s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s,s:s}],"
	    "s:O}}", "status", "conditions", "type", "NamesAccepted", "status",
	    "True", "reason", "NoConflicts", "message", "no conflicts found",
	    "lastTransitionTime", now, "type", "Established", "status", "True",
	    "reason", "InitialNamesAccepted", "message", "the initial names "
	    "have been accepted", "lastTransitionTime", now, "acceptedNames",
	    json_object_get(json_object_get(crd, "spec"), "names"));
	if (json_object_get(json_object_get(crd, "spec"), "names") == NULL)
		json_object_set_new(json_object_get(s, "status"),
		    "acceptedNames", json_object());
	store_update(st, rtype_index(rtype_by_name(
	    "customresourcedefinitions")), NULL, name, s,
	    SIM_UPD_STATUS | SIM_UPD_FORCE, &o, &e);
	json_decref(s);
	json_decref(o);
}

static int
crd_valid(const json_t *obj, struct sim_err *e)
{
	const json_t *spec = json_object_get(obj, "spec");
	const char *group = json_string_value(json_object_get(spec, "group"));
	const char *plural = json_string_value(json_object_get(
	    json_object_get(spec, "names"), "plural"));
	const char *name = json_string_value(json_object_get(
	    json_object_get(obj, "metadata"), "name"));
	char want[300];

	if (group == NULL || plural == NULL || name == NULL) {
		sim_err_set(e, 422, "Invalid", "CustomResourceDefinition.apiext"
		    "ensions.k8s.io \"%s\" is invalid: spec.names.plural: "
		    "Required value", name != NULL ? name : "");
		snprintf(e->field, sizeof(e->field), "spec.names.plural");
		return -1;
	}
	snprintf(want, sizeof(want), "%s.%s", plural, group);
	if (strcmp(want, name) != 0) {
		sim_err_set(e, 422, "Invalid", "CustomResourceDefinition.apiext"
		    "ensions.k8s.io \"%s\" is invalid: metadata.name: Invalid "
		    "value: \"%s\": must be spec.names.plural+\".\"+spec.group",
		    name, name);
		snprintf(e->field, sizeof(e->field), "metadata.name");
		return -1;
	}
	return 0;
}

static int
is_crd(int rt)
{
	return strcmp(rtype_get(rt)->plural, "customresourcedefinitions") == 0;
}

static void
handle_create(struct sim_kube *k, const struct kube_path *kp,
    const struct sim_req *req, struct sim_resp *resp)
{
	const struct sim_rtype *rt = rtype_get(kp->rt);
	struct sim_err e = { 0 };
	json_t *in, *out = NULL;
	int code;

	if (check_json_ctype(req, &e) != 0 ||
	    (in = body_json(req, &e, 0)) == NULL ||
	    (check_kind(rt, in, &e) != 0 && (json_decref(in), 1))) {
		kube_resp_error(resp, &e, NULL, rt);
		return;
	}
	if (is_crd(kp->rt) && crd_valid(in, &e) != 0) {
		json_decref(in);
		kube_resp_error(resp, &e, NULL, rt);
		return;
	}
	code = store_create(k->st, kp->rt, kp->ns, in, &out, &e);
	if (code >= 300) {
		kube_resp_error(resp, &e, json_string_value(json_object_get(
		    json_object_get(in, "metadata"), "name")), rt);
		json_decref(in);
		return;
	}
	json_decref(in);
	if (is_crd(kp->rt)) {
		kube_crd_changed(k->st, out, 0);
		crd_established(k->st, out);
		json_decref(out);
		out = json_incref(store_get(k->st, kp->rt, NULL,
		    json_string_value(json_object_get(json_object_get(out,
		    "metadata"), "name")))->obj);
	}
	kube_resp_json(resp, code, out);
}

static void
finish_write(struct sim_kube *k, const struct kube_path *kp,
    struct sim_resp *resp, int code, json_t *out, struct sim_err *e)
{
	if (code >= 300) {
		kube_resp_error(resp, e, kp->name, rtype_get(kp->rt));
		return;
	}
	kube_resp_json(resp, code, out);
}

static void
handle_update(struct sim_kube *k, const struct kube_path *kp,
    const struct sim_req *req, struct sim_resp *resp)
{
	const struct sim_rtype *rt = rtype_get(kp->rt);
	struct sim_err e = { 0 };
	json_t *in, *out = NULL;
	int code;

	if (check_json_ctype(req, &e) != 0 ||
	    (in = body_json(req, &e, 0)) == NULL ||
	    (check_kind(rt, in, &e) != 0 && (json_decref(in), 1))) {
		kube_resp_error(resp, &e, kp->name, rt);
		return;
	}
	code = store_update(k->st, kp->rt, kp->ns, kp->name, in,
	    kp->status ? SIM_UPD_STATUS : 0, &out, &e);
	json_decref(in);
	finish_write(k, kp, resp, code, out, &e);
}

static void
handle_patch(struct sim_kube *k, const struct kube_path *kp,
    const struct sim_req *req, const char *q, struct sim_resp *resp)
{
	const struct sim_rtype *rt = rtype_get(kp->rt);
	const struct sim_obj *o;
	struct sim_err e = { 0 };
	char mt[128], fm[256];
	json_t *p, *doc = NULL, *out = NULL, *md;
	int code, apply;

	util_media_type(req->header(req, "Content-Type"), mt, sizeof(mt));
	apply = strcmp(mt, "application/apply-patch+yaml") == 0;
	if (strcmp(mt, "application/merge-patch+json") != 0 &&
	    strcmp(mt, "application/json-patch+json") != 0 && !apply &&
	    (strcmp(mt, "application/strategic-merge-patch+json") != 0 ||
	    rt->custom)) {
		sim_err_set(&e, 415, "UnsupportedMediaType", "the body of the "
		    "request was in an unknown format - accepted media types "
		    "include: application/json-patch+json, application/merge-"
		    "patch+json, application/apply-patch+yaml%s",
		    rt->custom ? "" : ", application/strategic-merge-patch+"
		    "json");
		kube_resp_error(resp, &e, kp->name, rt);
		return;
	}
	if (apply && (!util_query_get(q, "fieldManager", fm, sizeof(fm)) ||
	    fm[0] == '\0')) {
		sim_err_set(&e, 422, "Invalid", "PatchOptions.meta.k8s.io \"\" "
		    "is invalid: fieldManager: Required value: is required for "
		    "apply patch");
		snprintf(e.field, sizeof(e.field), "fieldManager");
		kube_resp_error(resp, &e, kp->name, rt);
		return;
	}
	if ((p = body_json(req, &e, 1)) == NULL) {
		if (apply)
			snprintf(e.message, sizeof(e.message), "error decoding "
			    "YAML: eipam-sim accepts apply patches in JSON form "
			    "only");
		kube_resp_error(resp, &e, kp->name, rt);
		return;
	}
	o = store_get(k->st, kp->rt, kp->ns, kp->name);
	if (o == NULL && apply) {
		/* Server-side apply creates what does not exist. */
		code = check_kind(rt, p, &e);
		if (code == 0)
			code = store_create(k->st, kp->rt, kp->ns, p, &out, &e);
		json_decref(p);
		finish_write(k, kp, resp, code, out, &e);
		return;
	}
	if (o == NULL) {
		json_decref(p);
		rtype_qualified(rt, fm, sizeof(fm));
		sim_err_set(&e, 404, "NotFound", "%s \"%s\" not found", fm,
		    kp->name);
		kube_resp_error(resp, &e, kp->name, rt);
		return;
	}
	if (strcmp(mt, "application/json-patch+json") == 0) {
		doc = json_deep_copy(o->obj);
		if (patch_json(&doc, p, &e) != 0) {
			json_decref(doc);
			json_decref(p);
			kube_resp_error(resp, &e, kp->name, rt);
			return;
		}
	} else if (!json_is_object(p)) {
		json_decref(p);
		sim_err_set(&e, 400, "BadRequest", "json: cannot unmarshal "
		    "array into Go value of type map[string]interface {}");
		kube_resp_error(resp, &e, kp->name, rt);
		return;
	} else if (strcmp(mt, "application/strategic-merge-patch+json") == 0) {
		if ((doc = patch_strategic(o->obj, p, &e)) == NULL) {
			json_decref(p);
			kube_resp_error(resp, &e, kp->name, rt);
			return;
		}
	} else
		doc = patch_merge(o->obj, p);
	/*
	 * A resourceVersion in the patch is a precondition; without one the
	 * patch applies to whatever is current.
	 */
	md = json_object_get(json_is_object(p) ? p : NULL, "metadata");
	if (!json_is_object(doc) || !json_is_object(json_object_get(doc,
	    "metadata"))) {
		json_decref(doc);
		json_decref(p);
		sim_err_set(&e, 422, "Invalid", "%s \"%s\" is invalid: the "
		    "patch result is not an object", rt->kind, kp->name);
		kube_resp_error(resp, &e, kp->name, rt);
		return;
	}
	if (json_object_get(md, "resourceVersion") == NULL)
		json_object_set(json_object_get(doc, "metadata"),
		    "resourceVersion", json_object_get(json_object_get(o->obj,
		    "metadata"), "resourceVersion"));
	json_decref(p);
	code = store_update(k->st, kp->rt, kp->ns, kp->name, doc,
	    kp->status ? SIM_UPD_STATUS : 0, &out, &e);
	json_decref(doc);
	finish_write(k, kp, resp, code, out, &e);
}

static void
handle_delete(struct sim_kube *k, const struct kube_path *kp,
    const struct sim_req *req, struct sim_resp *resp)
{
	struct sim_err e = { 0 };
	json_t *opts = NULL, *pre, *out = NULL;
	const char *puid = NULL, *prv = NULL;
	int code;

	if (req->body_len > 0) {
		if ((opts = body_json(req, &e, 0)) == NULL) {
			kube_resp_error(resp, &e, kp->name, rtype_get(kp->rt));
			return;
		}
		pre = json_object_get(opts, "preconditions");
		puid = json_string_value(json_object_get(pre, "uid"));
		prv = json_string_value(json_object_get(pre,
		    "resourceVersion"));
	}
	code = store_delete(k->st, kp->rt, kp->ns, kp->name, puid, prv, &out,
	    &e);
	json_decref(opts);
	if (code < 300 && is_crd(kp->rt) && json_object_get(json_object_get(
	    out, "metadata"), "deletionTimestamp") == NULL)
		kube_crd_changed(k->st, out, 1);
	finish_write(k, kp, resp, code, out, &e);
}

static void
handle_delete_coll(struct sim_kube *k, const struct kube_path *kp,
    const char *q, struct sim_resp *resp)
{
	const struct sim_rtype *rt = rtype_get(kp->rt);
	struct sim_coll *c = &k->st->colls[kp->rt];
	struct sim_selector ls, fs;
	struct sim_err e = { 0 };
	char lsel[2048] = "", fsel[2048] = "", err[512], prefix[300];
	char **names = NULL, **nss = NULL, av[96], kind[80];
	size_t i, n = 0;
	json_t *items = json_array(), *out;

	util_query_get(q, "labelSelector", lsel, sizeof(lsel));
	util_query_get(q, "fieldSelector", fsel, sizeof(fsel));
	if (selector_parse_labels(lsel, &ls, err, sizeof(err)) == -1 ||
	    (selector_parse_fields(fsel, rt, &fs, err, sizeof(err)) == -1 &&
	    (selector_free(&ls), 1))) {
		json_decref(items);
		sim_err_set(&e, 400, "BadRequest", "%s", err);
		kube_resp_error(resp, &e, NULL, NULL);
		return;
	}
	snprintf(prefix, sizeof(prefix), "%s/", kp->ns);
	for (i = 0; i < c->n; i++) {
		const json_t *md = json_object_get(c->v[i]->obj, "metadata");

		if (kp->ns[0] != '\0' && strncmp(c->v[i]->key, prefix,
		    strlen(prefix)) != 0)
			continue;
		if (!selector_match_labels(&ls, c->v[i]->obj) ||
		    !selector_match_fields(&fs, c->v[i]->obj))
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		nss = xreallocarray(nss, n + 1, sizeof(*nss));
		names[n] = xstrdup(json_string_value(json_object_get(md,
		    "name")));
		nss[n++] = xstrdup(kp->ns[0] ? kp->ns : "");
	}
	for (i = 0; i < n; i++) {
		out = NULL;
		if (store_delete(k->st, kp->rt, nss[i], names[i], NULL, NULL,
		    &out, &e) < 300)
			json_array_append_new(items, out);
		free(names[i]);
		free(nss[i]);
	}
	free(names);
	free(nss);
	selector_free(&ls);
	selector_free(&fs);
	snprintf(kind, sizeof(kind), "%sList", rt->kind);
	kube_resp_json(resp, 200, json_pack("{s:s,s:s,s:{},s:o}", "kind", kind,
	    "apiVersion", rtype_api_version(rt, av, sizeof(av)), "metadata",
	    "items", items));
}

static const char *
verb_name(const char *method, const struct kube_path *kp, int watch)
{
	if (strcmp(method, "GET") == 0)
		return watch ? "watch" : kp->kind == KP_COLL ? "list" : "get";
	if (strcmp(method, "POST") == 0)
		return "create";
	if (strcmp(method, "PUT") == 0)
		return "update";
	if (strcmp(method, "PATCH") == 0)
		return "patch";
	if (strcmp(method, "DELETE") == 0)
		return kp->kind == KP_COLL ? "deletecollection" : "delete";
	return "unknown";
}

static void
forbidden(struct sim_resp *resp, const struct kube_path *kp,
    const char *verb)
{
	const struct sim_rtype *rt = rtype_get(kp->rt);
	struct sim_err e = { 0 };
	char where[300];

	if (kp->ns[0] != '\0')
		snprintf(where, sizeof(where), "in the namespace \"%s\"",
		    kp->ns);
	else
		snprintf(where, sizeof(where), "at the cluster scope");
	sim_err_set(&e, 403, "Forbidden", "%s%s%s is forbidden: User "
	    "\"system:serviceaccount:eipam-sim:readonly\" cannot %s resource "
	    "\"%s%s\" in API group \"%s\" %s", rt->plural,
	    kp->name[0] ? " \"" : "", kp->name[0] ? kp->name : "", verb,
	    rt->plural, kp->status ? "/status" : "", rt->group, where);
	if (kp->name[0] != '\0') {
		/* Go quotes the name: ns "x" is forbidden. */
		char m[sizeof(e.message)];

		snprintf(m, sizeof(m), "%s \"%s\" is forbidden: User "
		    "\"system:serviceaccount:eipam-sim:readonly\" cannot %s "
		    "resource \"%s%s\" in API group \"%s\" %s", rt->plural,
		    kp->name, verb, rt->plural, kp->status ? "/status" : "",
		    rt->group, where);
		snprintf(e.message, sizeof(e.message), "%s", m);
	}
	kube_resp_error(resp, &e, kp->name[0] ? kp->name : NULL, rt);
}

int
kube_handle(struct sim_kube *k, const struct sim_req *req,
    struct sim_resp *resp, struct sim_watch_spec *ws, struct sim_reqinfo *ri)
{
	struct kube_path kp;
	struct sim_err e = { 0 };
	const char *q = req->query != NULL ? req->query : "";
	const char *m = req->method;
	char buf[32];
	int readonly, watch = 0, b;
	json_t *j;

	kube_parse_path(k->st, req->path, &kp);
	snprintf(ri->resource, sizeof(ri->resource), "%s",
	    kp.kind == KP_COLL || kp.kind == KP_ITEM ? "" : "discovery");
	if (kp.kind == KP_VERSION || kp.kind == KP_HEALTH) {
		snprintf(ri->verb, sizeof(ri->verb), "get");
		if (kp.kind == KP_HEALTH)
			sim_resp_set(resp, 200, "text/plain", xstrdup("ok"), 2);
		else
			kube_resp_json(resp, 200, discovery_version());
		return KUBE_RESP;
	}
	if (kube_auth_check(k->auth, req->header(req, "Authorization"),
	    &readonly) != 0) {
		sim_err_set(&e, 401, "Unauthorized", "Unauthorized");
		kube_resp_error(resp, &e, NULL, NULL);
		return KUBE_RESP;
	}
	if (kp.kind == KP_COLL || kp.kind == KP_ITEM) {
		const struct sim_rtype *rt = rtype_get(kp.rt);

		rtype_qualified(rt, ri->resource, sizeof(ri->resource));
		snprintf(ri->kind, sizeof(ri->kind), "%s", rt->kind);
		if (strcmp(m, "GET") == 0 && kp.kind == KP_COLL &&
		    util_query_get(q, "watch", buf, sizeof(buf)) &&
		    selector_parse_bool(buf, &b) == 0 && b)
			watch = 1;
		snprintf(ri->verb, sizeof(ri->verb), "%s",
		    verb_name(m, &kp, watch));
		ri->write = strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0;
		if (ri->write && readonly) {
			forbidden(resp, &kp, ri->verb);
			return KUBE_RESP;
		}
	} else
		snprintf(ri->verb, sizeof(ri->verb), "get");
	switch (kp.kind) {
	case KP_API:
		kube_resp_json(resp, 200, discovery_api(k->server_addr));
		return KUBE_RESP;
	case KP_APIS:
		kube_resp_json(resp, 200, discovery_apis(k->st));
		return KUBE_RESP;
	case KP_GROUP:
		if ((j = discovery_group(k->st, kp.group)) == NULL)
			break;
		kube_resp_json(resp, 200, j);
		return KUBE_RESP;
	case KP_RESLIST:
		if ((j = discovery_resources(k->st, kp.group, kp.version)) ==
		    NULL)
			break;
		kube_resp_json(resp, 200, j);
		return KUBE_RESP;
	case KP_COLL:
		if (strcmp(m, "GET") == 0) {
			if (watch)
				return watch_spec_fill(k, &kp, q, ws, resp);
			handle_list(k, &kp, q, resp);
			return KUBE_RESP;
		}
		if (strcmp(m, "POST") == 0) {
			if (rtype_get(kp.rt)->namespaced && kp.ns[0] == '\0')
				break;
			handle_create(k, &kp, req, resp);
			return KUBE_RESP;
		}
		if (strcmp(m, "DELETE") == 0) {
			handle_delete_coll(k, &kp, q, resp);
			return KUBE_RESP;
		}
		goto notallowed;
	case KP_ITEM:
		if (strcmp(m, "GET") == 0) {
			const struct sim_obj *o = store_get(k->st, kp.rt,
			    kp.ns, kp.name);
			char qn[128];

			if (o != NULL) {
				kube_resp_json(resp, 200, json_incref(o->obj));
				return KUBE_RESP;
			}
			rtype_qualified(rtype_get(kp.rt), qn, sizeof(qn));
			sim_err_set(&e, 404, "NotFound", "%s \"%s\" not found",
			    qn, kp.name);
			kube_resp_error(resp, &e, kp.name, rtype_get(kp.rt));
			return KUBE_RESP;
		}
		if (strcmp(m, "PUT") == 0) {
			handle_update(k, &kp, req, resp);
			return KUBE_RESP;
		}
		if (strcmp(m, "PATCH") == 0) {
			handle_patch(k, &kp, req, q, resp);
			return KUBE_RESP;
		}
		if (strcmp(m, "DELETE") == 0 && !kp.status) {
			handle_delete(k, &kp, req, resp);
			return KUBE_RESP;
		}
		goto notallowed;
	default:
		break;
	}
	not_found_path(resp);
	return KUBE_RESP;
notallowed:
	sim_err_set(&e, 405, "MethodNotAllowed", "the server does not allow "
	    "this method on the requested resource");
	kube_resp_error(resp, &e, NULL, NULL);
	return KUBE_RESP;
}
