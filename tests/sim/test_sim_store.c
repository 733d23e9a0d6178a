/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the store (write semantics, history), watch fan-out and
 * the Kubernetes handler without sockets, and the OpenShift controllers
 * on a loaded scenario.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "sim_ctx.h"
#include "testutil.h"
#include "xmalloc.h"

static int
rt(const char *p)
{
	return rtype_index(rtype_by_name(p));
}

static json_t *
J(const char *s)
{
	json_t *j = json_loads(s, 0, NULL);

	ck_assert_msg(j != NULL, "bad JSON %s", s);
	return j;
}

static const char *
rv_of(const json_t *o)
{
	return json_string_value(json_object_get(json_object_get(o,
	    "metadata"), "resourceVersion"));
}

START_TEST(t_create_update_delete)
{
	struct sim_store *st = store_new(100);
	struct sim_err e;
	json_t *ns = J("{\"metadata\":{\"name\":\"a\"}}"), *out = NULL, *u;
	json_t *ipam, *o2 = NULL;
	char rv[24];

	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(store_create(st, rt("namespaces"), NULL, ns, &out,
	    &e), 201);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(out, "metadata"), "labels"),
	    "kubernetes.io/metadata.name")), "a");
	json_decref(out);
	ck_assert_int_eq(store_create(st, rt("namespaces"), NULL, ns, NULL,
	    &e), 409);
	ck_assert_str_eq(e.reason, "AlreadyExists");
	ck_assert_str_eq(e.message, "namespaces \"a\" already exists");
	json_decref(ns);
	/* Custom resources: PUT without RV is 422, stale RV 409. */
	ipam = J("{\"metadata\":{\"name\":\"i\"},\"spec\":{\"x\":1},"
	    "\"status\":{\"s\":1}}");
	ck_assert_int_eq(store_create(st, rt("egressipams"), NULL, ipam, &out,
	    &e), 201);
	json_decref(ipam);
	ck_assert_ptr_null(json_object_get(out, "status"));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    out, "metadata"), "generation")), 1);
	snprintf(rv, sizeof(rv), "%s", rv_of(out));
	json_decref(out);
	u = J("{\"metadata\":{\"name\":\"i\"},\"spec\":{\"x\":2}}");
	ck_assert_int_eq(store_update(st, rt("egressipams"), NULL, "i", u, 0,
	    NULL, &e), 422);
	json_object_set_new(json_object_get(u, "metadata"), "resourceVersion",
	    json_string("1"));
	ck_assert_int_eq(store_update(st, rt("egressipams"), NULL, "i", u, 0,
	    NULL, &e), 409);
	ck_assert(strstr(e.message, "the object has been modified") != NULL);
	json_object_set_new(json_object_get(u, "metadata"), "resourceVersion",
	    json_string(rv));
	ck_assert_int_eq(store_update(st, rt("egressipams"), NULL, "i", u, 0,
	    &out, &e), 200);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    out, "metadata"), "generation")), 2);
	/* A status write changes status only, and not the generation. */
	json_object_set_new(u, "status", J("{\"ok\":true}"));
	json_object_set_new(u, "spec", J("{\"x\":99}"));
	json_object_set(json_object_get(u, "metadata"), "resourceVersion",
	    json_object_get(json_object_get(out, "metadata"),
	    "resourceVersion"));
	json_decref(out);
	ck_assert_int_eq(store_update(st, rt("egressipams"), NULL, "i", u,
	    SIM_UPD_STATUS, &out, &e), 200);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    out, "spec"), "x")), 2);
	ck_assert(json_is_true(json_object_get(json_object_get(out, "status"),
	    "ok")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    out, "metadata"), "generation")), 2);
	/* The same write again is a no-op: no new resourceVersion. */
	snprintf(rv, sizeof(rv), "%s", rv_of(out));
	json_object_set_new(json_object_get(u, "metadata"), "resourceVersion",
	    json_string(rv));
	ck_assert_int_eq(store_update(st, rt("egressipams"), NULL, "i", u,
	    SIM_UPD_STATUS, &o2, &e), 200);
	ck_assert_str_eq(rv_of(o2), rv);
	json_decref(o2);
	json_decref(out);
	json_decref(u);
	/* Finalizers hold a delete until an update removes them. */
	u = json_deep_copy(store_get(st, rt("egressipams"), NULL, "i")->obj);
	json_object_set_new(json_object_get(u, "metadata"), "finalizers",
	    J("[\"f\"]"));
	ck_assert_int_eq(store_update(st, rt("egressipams"), NULL, "i", u, 0,
	    NULL, &e), 200);
	json_decref(u);
	ck_assert_int_eq(store_delete(st, rt("egressipams"), NULL, "i", NULL,
	    NULL, &out, &e), 200);
	ck_assert_ptr_nonnull(json_object_get(json_object_get(out, "metadata"),
	    "deletionTimestamp"));
	json_decref(out);
	ck_assert_ptr_nonnull(store_get(st, rt("egressipams"), NULL, "i"));
	u = json_deep_copy(store_get(st, rt("egressipams"), NULL, "i")->obj);
	json_object_set_new(json_object_get(u, "metadata"), "finalizers",
	    json_array());
	ck_assert_int_eq(store_update(st, rt("egressipams"), NULL, "i", u, 0,
	    NULL, &e), 200);
	json_decref(u);
	ck_assert_ptr_null(store_get(st, rt("egressipams"), NULL, "i"));
	ck_assert_int_eq(store_delete(st, rt("egressipams"), NULL, "i", NULL,
	    NULL, NULL, &e), 404);
	ck_assert_str_eq(e.message,
	    "egressipams.redhatcop.redhat.io \"i\" not found");
	/* Namespaced objects need their namespace. */
	u = J("{\"metadata\":{\"name\":\"c\"}}");
	ck_assert_int_eq(store_create(st, rt("configmaps"), "nope", u, NULL,
	    &e), 404);
	ck_assert_int_eq(store_create(st, rt("configmaps"), "a", u, NULL, &e),
	    201);
	json_decref(u);
	u = J("{\"metadata\":{\"name\":\"Bad_Name\"}}");
	ck_assert_int_eq(store_create(st, rt("configmaps"), "a", u, NULL, &e),
	    422);
	json_decref(u);
	store_free(st);
}
END_TEST

struct sink {
	char	buf[65536];
	size_t	len;
};

static void
sink_send(struct sim_watcher *w, const char *line, size_t len)
{
	struct sink *s = w->ctx;

	if (s->len + len < sizeof(s->buf)) {
		memcpy(s->buf + s->len, line, len);
		s->len += len;
		s->buf[s->len] = '\0';
	}
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

START_TEST(t_watch)
{
	struct sim_store *st = store_new(5);
	struct sim_watch_hub *h = watch_hub_new(st);
	struct sim_watch_spec spec;
	struct sim_err e;
	struct sink a, b, c;
	struct sim_watcher *wa, *wb, *wc;
	json_t *o;
	char name[16];
	int i;

	memset(&e, 0, sizeof(e));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	o = J("{\"metadata\":{\"name\":\"n0\",\"labels\":{\"k\":\"v\"}}}");
	store_create(st, rt("namespaces"), NULL, o, NULL, &e);
	json_decref(o);
	memset(&spec, 0, sizeof(spec));
	spec.rt = rt("namespaces");
	spec.label_sel = (char *)(uintptr_t)"k=v";
	spec.bookmarks = 1;
	wa = watch_start(h, &spec, sink_send, &a, &e);
	ck_assert_int_eq(count(a.buf, "\"ADDED\""), 1);
	/* Leaving the selection is DELETED, entering it ADDED. */
	o = J("{\"metadata\":{\"name\":\"n0\",\"labels\":{\"k\":\"w\"}}}");
	store_update(st, rt("namespaces"), NULL, "n0", o, 0, NULL, &e);
	json_decref(o);
	ck_assert_int_eq(count(a.buf, "\"DELETED\""), 1);
	for (i = 1; i <= 6; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		o = json_pack("{s:{s:s,s:{s:s}}}", "metadata", "name", name,
		    "labels", "k", "v");
		store_create(st, rt("namespaces"), NULL, o, NULL, &e);
		json_decref(o);
	}
	ck_assert_int_eq(count(a.buf, "\"ADDED\""), 7);
	watch_bookmarks(h);
	ck_assert_int_eq(count(a.buf, "\"BOOKMARK\""), 1);
	/* Resuming inside the history replays only later events. */
	memset(&spec, 0, sizeof(spec));
	spec.rt = rt("namespaces");
	snprintf(spec.rv, sizeof(spec.rv), "%llu",
	    (unsigned long long)st->rv - 2);
	spec.rv_set = 1;
	wb = watch_start(h, &spec, sink_send, &b, &e);
	ck_assert_int_eq(e.code, 0);
	ck_assert_int_eq(count(b.buf, "\"ADDED\""), 2);
	/* Before the history window: an ERROR 410 event. */
	snprintf(spec.rv, sizeof(spec.rv), "2");
	wc = watch_start(h, &spec, sink_send, &c, &e);
	ck_assert_int_eq(e.code, 410);
	ck_assert(strstr(c.buf, "\"type\":\"ERROR\"") != NULL);
	ck_assert(strstr(c.buf, "too old resource version: 2 (") != NULL);
	ck_assert_ptr_eq(store_get(st, rt("namespaces"), NULL, "n6")->obj,
	    store_get(st, rt("namespaces"), NULL, "n6")->obj);
	watch_stop(h, wc);
	watch_stop(h, wb);
	watch_stop(h, wa);
	ck_assert_int_eq(watch_count(h), 0);
	watch_hub_free(h);
	store_free(st);
}
END_TEST

static const char *
hdr(const struct sim_req *r, const char *name)
{
	const char *const *h = r->hctx;

	for (; h[0] != NULL; h += 2)
		if (strcasecmp(h[0], name) == 0)
			return h[1];
	return NULL;
}

static struct sim_ctx *
ctx_new(const char *scenario)
{
	struct sim_ctx *sx = xcalloc(1, sizeof(*sx));
	char err[256];
	json_t *raw, *scn;

	sx->st = store_new(1000);
	sx->hub = watch_hub_new(sx->st);
	sx->kube.st = sx->st;
	sx->kube.hub = sx->hub;
	sx->kube.auth = &sx->auth;
	sx->kube.body_limit = SIM_BODY_LIMIT;
	sx->auth.admin = xstrdup("adm");
	sx->auth.readonly = xstrdup("ro");
	sx->auth.control = xstrdup("ctl");
	sx->ctl = control_new(sx);
	sx->os = os_new(sx);
	snprintf(sx->base_url, sizeof(sx->base_url), "https://127.0.0.1:1");
	raw = scenario_read(scenario, err, sizeof(err));
	ck_assert_ptr_nonnull(raw);
	scn = scenario_expand(raw, 0, err, sizeof(err));
	json_decref(raw);
	ck_assert_int_eq(scenario_apply(sx, scn, err, sizeof(err)), 0);
	os_run(sx->os);
	return sx;
}

static void
ctx_free(struct sim_ctx *sx)
{
	control_free(sx->ctl);
	os_free(sx->os);
	watch_hub_free(sx->hub);
	store_free(sx->st);
	json_decref(sx->scenario);
	free(sx->auth.admin);
	free(sx->auth.readonly);
	free(sx->auth.control);
	free(sx);
}

static int
call(struct sim_ctx *sx, const char *method, const char *path,
    const char *query, const char *ctype, const char *body, const char *tok,
    json_t **out)
{
	const char *h[8] = { NULL };
	char authz[64];
	struct sim_req r;
	struct sim_resp resp;
	struct sim_reqinfo ri;
	struct sim_watch_spec ws;
	int code, n = 0;

	snprintf(authz, sizeof(authz), "Bearer %s", tok);
	h[n++] = "Authorization";
	h[n++] = authz;
	if (ctype != NULL) {
		h[n++] = "Content-Type";
		h[n++] = ctype;
	}
	memset(&r, 0, sizeof(r));
	memset(&resp, 0, sizeof(resp));
	memset(&ri, 0, sizeof(ri));
	r.method = method;
	r.path = path;
	r.query = query;
	r.body = body;
	r.body_len = body != NULL ? strlen(body) : 0;
	r.header = hdr;
	r.hctx = h;
	ck_assert_int_eq(kube_handle(&sx->kube, &r, &resp, &ws, &ri),
	    KUBE_RESP);
	code = resp.code;
	if (out != NULL)
		*out = json_loadb(resp.body, resp.body_len, 0, NULL);
	sim_resp_clear(&resp);
	return code;
}

START_TEST(t_kube_api)
{
	struct sim_ctx *sx = ctx_new("baremetal");
	json_t *o = NULL;
	const char *cont;
	char q[512];

	ck_assert_int_eq(call(sx, "GET", "/api/v1/namespaces", NULL, NULL,
	    NULL, "bad", NULL), 401);
	ck_assert_int_eq(call(sx, "GET", "/api/v1/namespaces", "limit=3",
	    NULL, NULL, "adm", &o), 200);
	ck_assert_int_eq(json_array_size(json_object_get(o, "items")), 3);
	ck_assert_ptr_null(json_object_get(json_array_get(json_object_get(o,
	    "items"), 0), "kind"));
	cont = json_string_value(json_object_get(json_object_get(o,
	    "metadata"), "continue"));
	ck_assert_ptr_nonnull(cont);
	snprintf(q, sizeof(q), "limit=100&continue=%s", cont);
	json_decref(o);
	ck_assert_int_eq(call(sx, "GET", "/api/v1/namespaces", q, NULL, NULL,
	    "adm", &o), 200);
	ck_assert_int_eq(json_array_size(json_object_get(o, "items")), 5);
	json_decref(o);
	ck_assert_int_eq(call(sx, "GET", "/api/v1/namespaces",
	    "continue=%%%", NULL, NULL, "adm", NULL), 400);
	ck_assert_int_eq(call(sx, "GET", "/api/v1/nodes",
	    "labelSelector=node-role.kubernetes.io%2Fworker&fieldSelector="
	    "metadata.name%21%3Dworker-0", NULL, NULL, "adm", &o), 200);
	ck_assert_int_eq(json_array_size(json_object_get(o, "items")), 2);
	json_decref(o);
	ck_assert_int_eq(call(sx, "GET", "/api/v1/nodes", "fieldSelector=x=1",
	    NULL, NULL, "adm", NULL), 400);
	ck_assert_int_eq(call(sx, "POST", "/api/v1/namespaces", NULL,
	    "application/json", "{\"metadata\":{\"name\":\"t1\"}}", "ro",
	    &o), 403);
	ck_assert(strstr(json_string_value(json_object_get(o, "message")),
	    "cannot create resource \"namespaces\"") != NULL);
	json_decref(o);
	ck_assert_int_eq(call(sx, "POST", "/api/v1/namespaces", NULL,
	    "application/json", "{\"metadata\":{\"name\":\"t1\"}}", "adm",
	    NULL), 201);
	ck_assert_int_eq(call(sx, "POST", "/api/v1/namespaces", NULL,
	    "text/plain", "{}", "adm", NULL), 415);
	ck_assert_int_eq(call(sx, "POST", "/api/v1/namespaces", NULL,
	    "application/json", "{nope", "adm", &o), 400);
	ck_assert_str_eq(json_string_value(json_object_get(o, "reason")),
	    "BadRequest");
	json_decref(o);
	ck_assert_int_eq(call(sx, "POST", "/api/v1/namespaces", NULL,
	    "application/json", "{\"kind\":\"Node\",\"metadata\":{\"name\":"
	    "\"t2\"}}", "adm", NULL), 400);
	/* Strategic merge on a custom resource is 415; merge works. */
	ck_assert_int_eq(call(sx, "PATCH",
	    "/apis/network.openshift.io/v1/hostsubnets/worker-0", NULL,
	    "application/strategic-merge-patch+json", "{}", "adm", NULL), 415);
	ck_assert_int_eq(call(sx, "PATCH",
	    "/apis/network.openshift.io/v1/hostsubnets/worker-0", NULL,
	    "application/merge-patch+json", "{\"egressCIDRs\":["
	    "\"192.169.0.0/24\"]}", "adm", NULL), 200);
	ck_assert_int_eq(call(sx, "PATCH", "/api/v1/namespaces/t1", NULL,
	    "application/strategic-merge-patch+json", "{\"metadata\":"
	    "{\"labels\":{\"a\":\"b\"}}}", "adm", NULL), 200);
	ck_assert_int_eq(call(sx, "PATCH", "/api/v1/namespaces/t1", NULL,
	    "application/merge-patch+json", "{\"metadata\":"
	    "{\"resourceVersion\":\"1\"}}", "adm", NULL), 409);
	ck_assert_int_eq(call(sx, "PATCH", "/api/v1/namespaces/nope", NULL,
	    "application/merge-patch+json", "{}", "adm", NULL), 404);
	ck_assert_int_eq(call(sx, "GET", "/api/v1/nope", NULL, NULL, NULL,
	    "adm", &o), 404);
	ck_assert_str_eq(json_string_value(json_object_get(o, "message")),
	    "the server could not find the requested resource");
	json_decref(o);
	/* OVN kinds are not served in an SDN scenario. */
	ck_assert_int_eq(call(sx, "GET", "/apis/k8s.ovn.org/v1/egressips",
	    NULL, NULL, NULL, "adm", NULL), 404);
	ck_assert_int_eq(call(sx, "GET", "/apis", NULL, NULL, NULL, "adm",
	    &o), 200);
	{
		char *d = json_dumps(o, 0);

		ck_assert(strstr(d, "k8s.ovn.org") == NULL);
		free(d);
	}
	json_decref(o);
	ck_assert_int_eq(call(sx, "GET", "/version", NULL, NULL, NULL, "none",
	    NULL), 200);
	ctx_free(sx);
}
END_TEST

static json_t *
get(struct sim_ctx *sx, const char *plural, const char *ns, const char *n)
{
	const struct sim_obj *o = store_get(sx->st, rt(plural), ns, n);

	return o != NULL ? o->obj : NULL;
}

START_TEST(t_openshift_sdn)
{
	struct sim_ctx *sx = ctx_new("baremetal");
	struct sim_err e;
	json_t *hs, *nn, *o;
	char err[128];
	const char *holder;

	memset(&e, 0, sizeof(e));
	hs = get(sx, "hostsubnets", NULL, "worker-1");
	ck_assert_ptr_nonnull(hs);
	ck_assert_str_eq(json_string_value(json_object_get(hs, "hostIP")),
	    "192.169.0.14");
	ck_assert_ptr_nonnull(get(sx, "netnamespaces", NULL, "default"));
	/* Automatic mode: worker-0 and worker-1 carry the CIDR. */
	o = json_deep_copy(get(sx, "hostsubnets", NULL, "worker-0"));
	json_object_set_new(o, "egressCIDRs", J("[\"192.169.0.0/24\"]"));
	store_update(sx->st, rt("hostsubnets"), NULL, "worker-0", o,
	    SIM_UPD_FORCE, NULL, &e);
	json_decref(o);
	o = json_deep_copy(get(sx, "hostsubnets", NULL, "worker-1"));
	json_object_set_new(o, "egressCIDRs", J("[\"192.169.0.0/24\"]"));
	store_update(sx->st, rt("hostsubnets"), NULL, "worker-1", o,
	    SIM_UPD_FORCE, NULL, &e);
	json_decref(o);
	o = J("{\"metadata\":{\"name\":\"app\"}}");
	store_create(sx->st, rt("namespaces"), NULL, o, NULL, &e);
	json_decref(o);
	os_run(sx->os);
	nn = json_deep_copy(get(sx, "netnamespaces", NULL, "app"));
	ck_assert_ptr_nonnull(nn);
	json_object_set_new(nn, "egressIPs", J("[\"192.169.0.100\","
	    "\"10.9.9.9\"]"));
	store_update(sx->st, rt("netnamespaces"), NULL, "app", nn,
	    SIM_UPD_FORCE, NULL, &e);
	json_decref(nn);
	os_run(sx->os);
	if (json_array_size(json_object_get(get(sx, "hostsubnets", NULL,
	    "worker-0"), "egressIPs")) == 1)
		holder = "worker-0";
	else
		holder = "worker-1";
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
	    get(sx, "hostsubnets", NULL, holder), "egressIPs"), 0)),
	    "192.169.0.100");
	/* The holder goes NotReady: the IP moves to the other node. */
	ck_assert_int_eq(os_set_ready(sx, holder, "False", err, sizeof(err)),
	    0);
	os_run(sx->os);
	ck_assert_int_eq(json_array_size(json_object_get(get(sx, "hostsubnets",
	    NULL, holder), "egressIPs")), 0);
	ck_assert_int_eq(json_array_size(json_object_get(get(sx, "hostsubnets",
	    NULL, strcmp(holder, "worker-0") == 0 ? "worker-1" : "worker-0"),
	    "egressIPs")), 1);
	/* Deleting the namespace removes it, its NetNamespace, its objects. */
	o = J("{\"metadata\":{\"name\":\"c\"}}");
	store_create(sx->st, rt("configmaps"), "app", o, NULL, &e);
	json_decref(o);
	store_delete(sx->st, rt("namespaces"), NULL, "app", NULL, NULL, NULL,
	    &e);
	ck_assert_ptr_nonnull(get(sx, "namespaces", NULL, "app"));
	os_run(sx->os);
	ck_assert_ptr_null(get(sx, "namespaces", NULL, "app"));
	ck_assert_ptr_null(get(sx, "netnamespaces", NULL, "app"));
	ck_assert_ptr_null(get(sx, "configmaps", "app", "c"));
	/* Node removal removes its HostSubnet. */
	ck_assert_int_eq(scenario_remove_node(sx, "worker-2"), 0);
	os_run(sx->os);
	ck_assert_ptr_null(get(sx, "hostsubnets", NULL, "worker-2"));
	ctx_free(sx);
}
END_TEST

START_TEST(t_openshift_ovn)
{
	struct sim_ctx *sx = ctx_new("ovn");
	struct sim_err e;
	json_t *o, *items, *ns;
	const char *uid;
	char buf[512];
	int i;

	memset(&e, 0, sizeof(e));
	ck_assert(!store_served(sx->st, rt("hostsubnets")));
	for (i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "worker-%d", i);
		o = json_deep_copy(get(sx, "nodes", NULL, name));
		json_object_set_new(json_object_get(json_object_get(o,
		    "metadata"), "labels"), "k8s.ovn.org/egress-assignable",
		    json_string(""));
		store_update(sx->st, rt("nodes"), NULL, name, o, SIM_UPD_FORCE,
		    NULL, &e);
		json_decref(o);
	}
	ns = J("{\"metadata\":{\"name\":\"app\"}}");
	store_create(sx->st, rt("namespaces"), NULL, ns, &o, &e);
	json_decref(ns);
	uid = json_string_value(json_object_get(json_object_get(o, "metadata"),
	    "uid"));
	snprintf(buf, sizeof(buf), "{\"metadata\":{\"name\":\"eipam-app\","
	    "\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"Namespace\","
	    "\"name\":\"app\",\"uid\":\"%s\"}]},\"spec\":{\"egressIPs\":["
	    "\"192.169.0.100\",\"192.169.0.101\",\"10.1.1.1\"]}}", uid);
	json_decref(o);
	o = J(buf);
	store_create(sx->st, rt("egressips"), NULL, o, NULL, &e);
	json_decref(o);
	os_run(sx->os);
	items = json_object_get(json_object_get(get(sx, "egressips", NULL,
	    "eipam-app"), "status"), "items");
	ck_assert_int_eq(json_array_size(items), 2);
	ck_assert_str_ne(json_string_value(json_object_get(json_array_get(
	    items, 0), "node")), json_string_value(json_object_get(
	    json_array_get(items, 1), "node")));
	/* Owned by the Namespace: collected with it. */
	store_delete(sx->st, rt("namespaces"), NULL, "app", NULL, NULL, NULL,
	    &e);
	os_run(sx->os);
	ck_assert_ptr_null(get(sx, "egressips", NULL, "eipam-app"));
	ctx_free(sx);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sim_store");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_create_update_delete);
	tcase_add_test(tc, t_watch);
	tcase_add_test(tc, t_kube_api);
	tcase_add_test(tc, t_openshift_sdn);
	tcase_add_test(tc, t_openshift_ovn);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
