/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control API under /sim/v1/ (JSON, its own bearer token): scenario
 * replacement, node changes (add, remove, labels, annotations, Ready,
 * lease heartbeat), faults per route, request statistics, the per-object
 * change record, state dumps, token rotation and settings.  Also the
 * fault and statistics hooks the HTTP server calls for every request.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "log.h"
#include "sim_cloud.h"
#include "sim_ctx.h"
#include "xmalloc.h"

#define CHANGES_PER_OBJECT	10000

struct sim_fault {
	char		*route;
	char		*method;	/* NULL: any */
	double		 error_rate;
	int		 code;
	long		 latency_ms;
	int		 watch_close_s;
	int		 watch_gone_next;
	double		 rate_429;
	double		 tokens;
	struct timespec	 last;
};

struct sim_control {
	struct sim_ctx	*sx;
	struct sim_fault *faults;
	size_t		 nfaults;
	json_t		*stats;
	json_t		*changes;	/* "resource/ns/name" -> [[rv,type]] */
	int		 record_changes;
	unsigned int	 rng;
};

static void control_on_event(struct sim_store *, const struct sim_event *,
    void *);

struct sim_control *
control_new(struct sim_ctx *sx)
{
	struct sim_control *c = xcalloc(1, sizeof(*c));

	c->sx = sx;
	c->stats = json_object();
	c->changes = json_object();
	c->record_changes = 1;
	c->rng = (unsigned int)time(NULL);
	store_observe(sx->st, control_on_event, c);
	return c;
}

static void
faults_clear(struct sim_control *c)
{
	size_t i;

	for (i = 0; i < c->nfaults; i++) {
		free(c->faults[i].route);
		free(c->faults[i].method);
	}
	free(c->faults);
	c->faults = NULL;
	c->nfaults = 0;
}

void
control_free(struct sim_control *c)
{
	if (c == NULL)
		return;
	faults_clear(c);
	json_decref(c->stats);
	json_decref(c->changes);
	free(c);
}

static const char *const ev_names[] = { "ADDED", "MODIFIED", "DELETED" };

static void
control_on_event(struct sim_store *st, const struct sim_event *ev, void *arg)
{
	struct sim_control *c = arg;
	const json_t *md = json_object_get(ev->obj, "metadata");
	const char *ns = json_string_value(json_object_get(md, "namespace"));
	char key[700], q[128];
	json_t *lst;

	if (!c->record_changes)
		return;
	rtype_qualified(rtype_get(ev->rt), q, sizeof(q));
	snprintf(key, sizeof(key), "%s/%s/%s", q, ns != NULL ? ns : "",
	    json_string_value(json_object_get(md, "name")));
	if ((lst = json_object_get(c->changes, key)) == NULL) {
		lst = json_array();
		json_object_set_new(c->changes, key, lst);
	}
	if (json_array_size(lst) >= CHANGES_PER_OBJECT)
		json_array_remove(lst, 0);
	json_array_append_new(lst, json_pack("[I,s]", (json_int_t)ev->rv,
	    ev_names[ev->type]));
}

static void
bump(json_t *o, const char *k)
{
	json_object_set_new(o, k, json_integer(json_integer_value(
	    json_object_get(o, k)) + 1));
}

static json_t *
stats_sub(json_t *stats, const char *k)
{
	json_t *o = json_object_get(stats, k);

	if (o == NULL) {
		o = json_object();
		json_object_set_new(stats, k, o);
	}
	return o;
}

void
control_record(struct sim_ctx *sx, const char *method,
    const struct sim_reqinfo *ri, int code)
{
	struct sim_control *c = sx->ctl;
	char buf[32], key[200];

	snprintf(buf, sizeof(buf), "%d", code);
	bump(stats_sub(c->stats, "by_method"), method);
	bump(stats_sub(c->stats, "by_code"), buf);
	if (ri->resource[0] != '\0') {
		bump(stats_sub(c->stats, "by_resource"), ri->resource);
		snprintf(key, sizeof(key), "%s %s %d", ri->verb, ri->resource,
		    code);
		bump(stats_sub(c->stats, "by_verb_resource_code"), key);
	}
	if (ri->write && code < 300 && ri->kind[0] != '\0')
		bump(stats_sub(c->stats, "writes_by_kind"), ri->kind);
	bump(c->stats, "total");
}

static int
route_match(const struct sim_fault *f, const char *method, const char *path)
{
	return strncmp(path, f->route, strlen(f->route)) == 0 &&
	    (f->method == NULL || strcmp(f->method, method) == 0);
}

void
control_fault_check(struct sim_ctx *sx, const struct sim_req *req,
    struct sim_fault_hit *hit)
{
	struct sim_control *c = sx->ctl;
	struct timespec now;
	double dt;
	size_t i;

	memset(hit, 0, sizeof(*hit));
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < c->nfaults; i++) {
		struct sim_fault *f = &c->faults[i];

		if (!route_match(f, req->method, req->path))
			continue;
		if (f->latency_ms > hit->latency_ms)
			hit->latency_ms = f->latency_ms;
		if (f->rate_429 > 0 && hit->code == 0) {
			dt = (now.tv_sec - f->last.tv_sec) +
			    (now.tv_nsec - f->last.tv_nsec) / 1e9;
			f->last = now;
			f->tokens += dt * f->rate_429;
			if (f->tokens > f->rate_429)
				f->tokens = f->rate_429;
			if (f->tokens < 1) {
				hit->code = 429;
				hit->retry_after = 1;
			} else
				f->tokens -= 1;
		}
		if (f->error_rate > 0 && hit->code == 0 &&
		    (double)rand_r(&c->rng) / RAND_MAX < f->error_rate)
			hit->code = f->code > 0 ? f->code : 500;
	}
}

int
control_watch_gone(struct sim_ctx *sx, const char *path)
{
	struct sim_control *c = sx->ctl;
	size_t i;
	int gone = 0;

	for (i = 0; i < c->nfaults; i++) {
		if (c->faults[i].watch_gone_next &&
		    route_match(&c->faults[i], "GET", path)) {
			c->faults[i].watch_gone_next = 0;
			gone = 1;
		}
	}
	return gone;
}

int
control_watch_close_s(struct sim_ctx *sx, const char *path)
{
	struct sim_control *c = sx->ctl;
	size_t i;
	int s = 0;

	for (i = 0; i < c->nfaults; i++)
		if (c->faults[i].watch_close_s > 0 &&
		    route_match(&c->faults[i], "GET", path) &&
		    (s == 0 || c->faults[i].watch_close_s < s))
			s = c->faults[i].watch_close_s;
	return s;
}

static json_t *
faults_json(struct sim_control *c)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < c->nfaults; i++) {
		struct sim_fault *f = &c->faults[i];

		json_array_append_new(a, json_pack("{s:s,s:s?,s:f,s:i,s:I,s:i,"
		    "s:b,s:f}", "route", f->route, "method", f->method,
		    "error_rate", f->error_rate, "code", f->code, "latency_ms",
		    (json_int_t)f->latency_ms, "watch_close_s",
		    f->watch_close_s, "watch_gone_next", f->watch_gone_next,
		    "rate_429", f->rate_429));
	}
	return a;
}

static int
fault_add(struct sim_control *c, const json_t *j, char *err, size_t errlen)
{
	struct sim_fault f;
	const char *route = json_string_value(json_object_get(j, "route"));
	const char *method = json_string_value(json_object_get(j, "method"));

	memset(&f, 0, sizeof(f));
	if (route == NULL || route[0] != '/') {
		snprintf(err, errlen, "a fault needs \"route\": a path prefix "
		    "such as /api/v1/namespaces");
		return -1;
	}
	f.error_rate = json_number_value(json_object_get(j, "error_rate"));
	f.code = (int)json_integer_value(json_object_get(j, "code"));
	f.latency_ms = (long)json_integer_value(json_object_get(j,
	    "latency_ms"));
	f.watch_close_s = (int)json_integer_value(json_object_get(j,
	    "watch_close_s"));
	f.watch_gone_next = json_is_true(json_object_get(j,
	    "watch_gone_next"));
	f.rate_429 = json_number_value(json_object_get(j, "rate_429"));
	if (f.error_rate < 0 || f.error_rate > 1 || (f.code != 0 &&
	    (f.code < 400 || f.code > 599)) || f.latency_ms < 0 ||
	    f.latency_ms > 600000 || f.watch_close_s < 0 || f.rate_429 < 0) {
		snprintf(err, errlen, "fault: error_rate 0..1, code 400..599, "
		    "latency_ms 0..600000, watch_close_s >= 0, rate_429 >= 0");
		return -1;
	}
	f.route = xstrdup(route);
	f.method = method != NULL ? xstrdup(method) : NULL;
	f.tokens = f.rate_429;
	clock_gettime(CLOCK_MONOTONIC, &f.last);
	c->faults = xreallocarray(c->faults, c->nfaults + 1,
	    sizeof(*c->faults));
	c->faults[c->nfaults++] = f;
	return 0;
}

static char *
random_token(void)
{
	unsigned char b[24];
	char *s = xmalloc(sizeof(b) * 2 + 1);
	size_t i;

	if (RAND_bytes(b, sizeof(b)) != 1)
		fatalx("RAND_bytes failed");
	for (i = 0; i < sizeof(b); i++)
		snprintf(s + 2 * i, 3, "%02x", b[i]);
	return s;
}

static int
write_secret(const char *dir, const char *name, const char *text, char *err,
    size_t errlen)
{
	char path[4096], tmp[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	fputs(text, f);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static char *
kubeconfig_text(struct sim_ctx *sx, const char *user, const char *token)
{
	char *ca = NULL, *text;
	size_t n;

	if (sx->ca_pem != NULL) {
		n = strlen(sx->ca_pem);
		ca = xmalloc(4 * ((n + 2) / 3) + 1);
		EVP_EncodeBlock((unsigned char *)ca,
		    (const unsigned char *)sx->ca_pem, (int)n);
	}
	xasprintf(&text, "apiVersion: v1\nkind: Config\nclusters:\n"
	    "- name: eipam-sim\n  cluster:\n    server: %s\n%s%s%s"
	    "users:\n- name: %s\n  user:\n    token: %s\n"
	    "contexts:\n- name: eipam-sim\n  context:\n    cluster: eipam-sim\n"
	    "    user: %s\n    namespace: default\n"
	    "current-context: eipam-sim\npreferences: {}\n", sx->base_url,
	    ca != NULL ? "    certificate-authority-data: " : "",
	    ca != NULL ? ca : "", ca != NULL ? "\n" : "", user, token, user);
	free(ca);
	return text;
}

int
sim_write_kubeconfig(struct sim_ctx *sx, char *err, size_t errlen)
{
	char *kc, *line;
	int rc;

	if (sx->state_dir == NULL)
		return 0;
	kc = kubeconfig_text(sx, "eipam-sim-admin", sx->auth.admin);
	rc = write_secret(sx->state_dir, "kubeconfig", kc, err, errlen);
	free(kc);
	kc = kubeconfig_text(sx, "eipam-sim-readonly", sx->auth.readonly);
	rc |= write_secret(sx->state_dir, "kubeconfig-readonly", kc, err,
	    errlen);
	free(kc);
	xasprintf(&line, "%s\n", sx->auth.admin);
	rc |= write_secret(sx->state_dir, "token", line, err, errlen);
	free(line);
	xasprintf(&line, "%s\n", sx->auth.control);
	rc |= write_secret(sx->state_dir, "control-token", line, err, errlen);
	free(line);
	return rc != 0 ? -1 : 0;
}

int
control_rotate_tokens(struct sim_ctx *sx, long grace_s, char *err,
    size_t errlen)
{
	struct sim_auth *a = &sx->auth;

	free(a->admin_old);
	a->admin_old = NULL;
	if (grace_s > 0 && a->admin != NULL) {
		a->admin_old = a->admin;
		a->admin_old_until = time(NULL) + grace_s;
	} else
		free(a->admin);
	a->admin = random_token();
	free(a->readonly);
	a->readonly = random_token();
	if (a->control == NULL)
		a->control = random_token();
	log_register_secret(a->admin);
	log_register_secret(a->readonly);
	log_register_secret(a->control);
	return sim_write_kubeconfig(sx, err, errlen);
}

static void
reply(struct sim_resp *r, int code, json_t *j)
{
	kube_resp_json(r, code, j);
}

static void
reply_err(struct sim_resp *r, int code, const char *msg)
{
	reply(r, code, json_pack("{s:s}", "error", msg));
}

static json_t *
dump_json(struct sim_ctx *sx)
{
	json_t *res = json_object(), *arr;
	char q[128];
	size_t i;
	int r;

	for (r = 0; r < rtype_count(); r++) {
		const struct sim_coll *c = &sx->st->colls[r];

		if (c->n == 0)
			continue;
		arr = json_array();
		for (i = 0; i < c->n; i++)
			json_array_append(arr, c->v[i]->obj);
		rtype_qualified(rtype_get(r), q, sizeof(q));
		json_object_set_new(res, q, arr);
	}
	res = json_pack("{s:I,s:o}", "resourceVersion", (json_int_t)sx->st->rv,
	    "resources", res);
#ifdef EIP_SIM_CLOUD
	if (sx->cloud != NULL)
		json_object_set_new(res, "cloud", sim_cloud_dump(sx->cloud));
#endif
	return res;
}

static json_t *
status_json(struct sim_ctx *sx)
{
	json_t *objs = json_object();
	char q[128];
	int r;

	for (r = 0; r < rtype_count(); r++) {
		if (!store_served(sx->st, r))
			continue;
		rtype_qualified(rtype_get(r), q, sizeof(q));
		json_object_set_new(objs, q, json_integer(
		    (json_int_t)sx->st->colls[r].n));
	}
	return json_pack("{s:O?,s:s,s:s,s:I,s:I,s:I,s:o,s:b}", "scenario",
	    json_object_get(sx->scenario, "name"), "platform",
	    scenario_platform(sx->scenario), "networkType",
	    scenario_network(sx->scenario), "resourceVersion",
	    (json_int_t)sx->st->rv, "watchers",
	    (json_int_t)watch_count(sx->hub), "historyOldest",
	    (json_int_t)sx->st->evicted_rv, "objects", objs, "cloud",
	    sx->cloud != NULL);
}

static int
node_meta(struct sim_ctx *sx, const char *node, const char *field,
    const json_t *kv, char *err, size_t errlen)
{
	const struct sim_obj *o = store_get(sx->st, rtype_index(
	    rtype_by_name("nodes")), NULL, node);
	struct sim_err e = { 0 };
	json_t *n, *m, *v, *out = NULL;
	const char *k;

	if (o == NULL) {
		snprintf(err, errlen, "no node %s", node);
		return -1;
	}
	if (!json_is_object(kv)) {
		snprintf(err, errlen, "body: {\"key\": \"value\" or null}");
		return -1;
	}
	n = json_deep_copy(o->obj);
	m = json_object_get(json_object_get(n, "metadata"), field);
	if (m == NULL) {
		m = json_object();
		json_object_set_new(json_object_get(n, "metadata"), field, m);
	}
	json_object_foreach((json_t *)kv, k, v) {
		if (json_is_null(v))
			json_object_del(m, k);
		else if (json_is_string(v))
			json_object_set(m, k, v);
	}
	store_update(sx->st, rtype_index(rtype_by_name("nodes")), NULL, node,
	    n, SIM_UPD_FORCE, &out, &e);
	json_decref(n);
	json_decref(out);
	if (e.code >= 300) {
		snprintf(err, errlen, "%s", e.message);
		return -1;
	}
	return 0;
}

static void
handle_scenario(struct sim_ctx *sx, const json_t *body, struct sim_resp *r)
{
	const char *name = json_string_value(json_object_get(body, "name"));
	int nodes = (int)json_integer_value(json_object_get(body, "nodes"));
	char err[512] = "";
	json_t *raw, *scn;

	if (json_is_object(json_object_get(body, "scenario")))
		raw = json_incref(json_object_get(body, "scenario"));
	else if (name != NULL)
		raw = scenario_read(name, err, sizeof(err));
	else {
		reply_err(r, 400, "body: {\"name\": NAME|FILE} or "
		    "{\"scenario\": {...}}, optional \"nodes\"");
		return;
	}
	if (raw == NULL) {
		reply_err(r, 400, err);
		return;
	}
	scn = scenario_expand(raw, nodes, err, sizeof(err));
	json_decref(raw);
	if (scn == NULL) {
		reply_err(r, 400, err);
		return;
	}
	if (sx->close_watches != NULL)
		sx->close_watches(sx, "/", 0);
	if (scenario_apply(sx, scn, err, sizeof(err)) != 0 ||
	    (sx->state_dir != NULL && scenario_write_files(sx, err,
	    sizeof(err)) != 0)) {
		reply_err(r, 500, err);
		return;
	}
	reply(r, 200, status_json(sx));
}

static void
handle_node(struct sim_ctx *sx, const char *method, char **seg, int n,
    const json_t *body, struct sim_resp *r)
{
	char err[512] = "";
	int rc = -1;

	if (n == 1 && strcmp(method, "POST") == 0) {
		rc = scenario_add_node(sx, body, err, sizeof(err));
	} else if (n == 2 && strcmp(method, "DELETE") == 0) {
		rc = scenario_remove_node(sx, seg[1]);
		if (rc != 0)
			snprintf(err, sizeof(err), "no node %s", seg[1]);
	} else if (n == 3 && strcmp(method, "POST") == 0) {
		if (strcmp(seg[2], "labels") == 0 ||
		    strcmp(seg[2], "annotations") == 0)
			rc = node_meta(sx, seg[1], seg[2], body, err,
			    sizeof(err));
		else if (strcmp(seg[2], "ready") == 0)
			rc = os_set_ready(sx, seg[1], json_string_value(
			    json_object_get(body, "status")) ?
			    json_string_value(json_object_get(body, "status")) :
			    "", err, sizeof(err));
		else if (strcmp(seg[2], "heartbeat") == 0) {
			rc = os_set_heartbeat(sx->os, seg[1], !json_is_false(
			    json_object_get(body, "on")));
			if (rc != 0)
				snprintf(err, sizeof(err), "no node %s",
				    seg[1]);
		} else
			snprintf(err, sizeof(err), "unknown node operation");
	} else
		snprintf(err, sizeof(err), "unknown node request");
	if (rc != 0) {
		reply_err(r, 400, err);
		return;
	}
	reply(r, 200, json_pack("{s:b}", "ok", 1));
}

static void
handle_changes(struct sim_ctx *sx, const char *q, struct sim_resp *r)
{
	struct sim_control *c = sx->ctl;
	char res[128] = "", ns[254] = "", name[254] = "", key[700];
	const struct sim_rtype *rt;
	json_t *out, *v;
	const char *k;

	util_query_get(q, "resource", res, sizeof(res));
	util_query_get(q, "namespace", ns, sizeof(ns));
	util_query_get(q, "name", name, sizeof(name));
	if ((rt = rtype_by_name(res)) == NULL) {
		reply_err(r, 400, "changes: ?resource=<plural>[&namespace=]"
		    "[&name=]");
		return;
	}
	rtype_qualified(rt, res, sizeof(res));
	if (name[0] != '\0') {
		snprintf(key, sizeof(key), "%s/%s/%s", res, ns, name);
		v = json_object_get(c->changes, key);
		reply(r, 200, json_pack("{s:s,s:O}", "key", key, "changes",
		    v != NULL ? v : json_array()));
		return;
	}
	out = json_object();
	snprintf(key, sizeof(key), "%s/%s", res, ns);
	json_object_foreach(c->changes, k, v)
		if (strncmp(k, key, strlen(key)) == 0)
			json_object_set(out, k + strlen(res) + 1, v);
	reply(r, 200, json_pack("{s:o}", "changes", out));
}

static void
handle_settings(struct sim_ctx *sx, const json_t *b, struct sim_resp *r)
{
	if (json_is_integer(json_object_get(b, "bookmark_s")))
		sx->bookmark_s = (int)json_integer_value(json_object_get(b,
		    "bookmark_s"));
	if (json_is_integer(json_object_get(b, "lease_s")))
		sx->lease_s = (int)json_integer_value(json_object_get(b,
		    "lease_s"));
	if (json_is_boolean(json_object_get(b, "record_changes")))
		sx->ctl->record_changes = json_is_true(json_object_get(b,
		    "record_changes"));
	if (json_is_integer(json_object_get(b, "watch_timeout_s")))
		sx->kube.watch_timeout = (long)json_integer_value(
		    json_object_get(b, "watch_timeout_s"));
	reply(r, 200, json_pack("{s:i,s:i,s:b,s:I}", "bookmark_s",
	    sx->bookmark_s, "lease_s", sx->lease_s, "record_changes",
	    sx->ctl->record_changes, "watch_timeout_s",
	    (json_int_t)sx->kube.watch_timeout));
}

void
control_handle(struct sim_ctx *sx, const struct sim_req *req,
    struct sim_resp *r)
{
	const char *authz = req->header(req, "Authorization");
	const char *m = req->method;
	char path[1024], *seg[8], *p, *save = NULL, err[512] = "";
	json_t *body = NULL;
	int n = 0;

	if (authz == NULL || strncmp(authz, "Bearer ", 7) != 0 ||
	    strcmp(authz + 7, sx->auth.control) != 0) {
		reply_err(r, 401, "the control API needs the token in "
		    "STATE_DIR/control-token");
		return;
	}
	if (req->body_len > 0 && (body = json_loadb(req->body, req->body_len,
	    0, NULL)) == NULL) {
		reply_err(r, 400, "the body is not JSON");
		return;
	}
	if (body == NULL)
		body = json_object();
	snprintf(path, sizeof(path), "%s", req->path + strlen("/sim/v1/"));
	for (p = strtok_r(path, "/", &save); p != NULL && n < 8;
	    p = strtok_r(NULL, "/", &save))
		seg[n++] = p;
	if (n == 0)
		reply_err(r, 404, "unknown control path");
	else if (n == 1 && strcmp(seg[0], "status") == 0)
		reply(r, 200, status_json(sx));
	else if (n == 1 && strcmp(seg[0], "dump") == 0)
		reply(r, 200, dump_json(sx));
	else if (n == 1 && strcmp(seg[0], "scenario") == 0 &&
	    strcmp(m, "POST") == 0)
		handle_scenario(sx, body, r);
	else if (strcmp(seg[0], "nodes") == 0)
		handle_node(sx, m, seg, n, body, r);
	else if (n == 1 && strcmp(seg[0], "faults") == 0) {
		if (strcmp(m, "DELETE") == 0)
			faults_clear(sx->ctl);
		else if (strcmp(m, "POST") == 0 && fault_add(sx->ctl, body, err,
		    sizeof(err)) != 0) {
			reply_err(r, 400, err);
			goto out;
		}
		reply(r, 200, json_pack("{s:o}", "faults",
		    faults_json(sx->ctl)));
	} else if (n == 1 && strcmp(seg[0], "stats") == 0) {
		reply(r, 200, json_deep_copy(sx->ctl->stats));
		if (strcmp(m, "DELETE") == 0) {
			json_decref(sx->ctl->stats);
			sx->ctl->stats = json_object();
		}
	} else if (n == 1 && strcmp(seg[0], "changes") == 0)
		handle_changes(sx, req->query != NULL ? req->query : "", r);
	else if (n == 2 && strcmp(seg[0], "tokens") == 0 &&
	    strcmp(seg[1], "rotate") == 0 && strcmp(m, "POST") == 0) {
		if (control_rotate_tokens(sx, (long)json_integer_value(
		    json_object_get(body, "grace_s")), err, sizeof(err)) != 0)
			reply_err(r, 500, err);
		else
			reply(r, 200, json_pack("{s:s,s:s}", "token",
			    sx->auth.admin, "readonly", sx->auth.readonly));
	} else if (n == 2 && strcmp(seg[0], "watches") == 0 &&
	    strcmp(seg[1], "close") == 0 && strcmp(m, "POST") == 0) {
		const char *route = json_string_value(json_object_get(body,
		    "route"));

		if (sx->close_watches != NULL)
			sx->close_watches(sx, route != NULL ? route : "/",
			    json_is_true(json_object_get(body, "gone")));
		reply(r, 200, json_pack("{s:b}", "ok", 1));
	} else if (n == 1 && strcmp(seg[0], "settings") == 0)
		handle_settings(sx, body, r);
	else if (strcmp(seg[0], "cloud") == 0) {
#ifdef EIP_SIM_CLOUD
		json_t *res = NULL;

		if (sx->cloud == NULL)
			reply_err(r, 404, "this scenario has no cloud");
		else if (n == 1)
			reply(r, 200, sim_cloud_dump(sx->cloud));
		else if (n == 2 && strcmp(seg[1], "stats") == 0)
			reply(r, 200, sim_cloud_stats(sx->cloud));
		else if (sim_cloud_control(sx->cloud, seg[1], body, &res, err,
		    sizeof(err)) != 0)
			reply_err(r, 400, err);
		else
			reply(r, 200, res != NULL ? res : json_object());
#else
		reply_err(r, 404, "this build has no cloud module");
#endif
	} else
		reply_err(r, 404, "unknown control path");
out:
	json_decref(body);
}
