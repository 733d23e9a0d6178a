/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The in-memory object store: one sorted array per resource type, one
 * global resourceVersion, a bounded ring of recent events for watch
 * resumption, and the write semantics of the apiserver's generic registry
 * (AlreadyExists, resourceVersion preconditions, status subresource,
 * generation, finalizers).  Stored JSON is never modified in place: every
 * write stores a fresh copy, so history snapshots stay valid.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"
#include "xmalloc.h"

int
sim_err_set(struct sim_err *e, int code, const char *reason,
    const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return code;
}

struct sim_store *
store_new(size_t hist_cap)
{
	struct sim_store *st = xcalloc(1, sizeof(*st));
	int i;

	st->hist_cap = hist_cap > 0 ? hist_cap : 1;
	st->hist = xcalloc(st->hist_cap, sizeof(*st->hist));
	st->uid_seq = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
	for (i = 0; i < rtype_count(); i++)
		st->colls[i].served = rtype_get(i)->always_served;
	return st;
}

static void
event_clear(struct sim_event *ev)
{
	json_decref(ev->obj);
	json_decref(ev->old);
	memset(ev, 0, sizeof(*ev));
}

void
store_free(struct sim_store *st)
{
	size_t i, j;

	if (st == NULL)
		return;
	for (i = 0; i < (size_t)rtype_count(); i++) {
		for (j = 0; j < st->colls[i].n; j++) {
			free(st->colls[i].v[j]->key);
			json_decref(st->colls[i].v[j]->obj);
			free(st->colls[i].v[j]);
		}
		free(st->colls[i].v);
	}
	for (i = 0; i < st->hist_len; i++)
		event_clear(&st->hist[(st->hist_head + i) % st->hist_cap]);
	free(st->hist);
	free(st);
}

void
store_observe(struct sim_store *st, sim_observer_fn fn, void *arg)
{
	if (st->nobs >= (int)(sizeof(st->obs) / sizeof(st->obs[0])))
		return;
	st->obs[st->nobs].fn = fn;
	st->obs[st->nobs].arg = arg;
	st->nobs++;
}

void
store_set_served(struct sim_store *st, int rt, int served)
{
	if (rt >= 0 && rt < rtype_count())
		st->colls[rt].served = served || rtype_get(rt)->always_served;
}

int
store_served(const struct sim_store *st, int rt)
{
	return rt >= 0 && rt < rtype_count() && st->colls[rt].served;
}

char *
store_key(const char *ns, const char *name)
{
	char *k;

	xasprintf(&k, "%s/%s", ns != NULL ? ns : "", name);
	return k;
}

/* Index of the first object whose key is >= key. */
size_t
store_lower_bound(const struct sim_coll *c, const char *key)
{
	size_t lo = 0, hi = c->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(c->v[mid]->key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct sim_obj *
coll_find(struct sim_coll *c, const char *key, size_t *pos)
{
	size_t i = store_lower_bound(c, key);

	if (pos != NULL)
		*pos = i;
	if (i < c->n && strcmp(c->v[i]->key, key) == 0)
		return c->v[i];
	return NULL;
}

const struct sim_obj *
store_get(struct sim_store *st, int rt, const char *ns, const char *name)
{
	char *key = store_key(rtype_get(rt)->namespaced ? ns : NULL, name);
	struct sim_obj *o = coll_find(&st->colls[rt], key, NULL);

	free(key);
	return o;
}

void
store_now(const struct sim_store *st, char *buf, size_t len)
{
	time_t t = time(NULL) + st->now_offset;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* MicroTime: always six fractional digits (client-go parses strictly). */
void
store_now_micro(const struct sim_store *st, char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char sec[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += st->now_offset;
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06ldZ", sec, ts.tv_nsec / 1000);
}

/* Random-looking, unique UUIDs: a counter through a 64-bit mixer. */
static void
store_uid(struct sim_store *st, char *buf, size_t len)
{
	uint64_t a, b;

	a = ++st->uid_seq * 0x9e3779b97f4a7c15ULL;
	a ^= a >> 31;
	b = (a ^ 0xbf58476d1ce4e5b9ULL) * 0x94d049bb133111ebULL;
	b ^= b >> 29;
	snprintf(buf, len, "%08x-%04x-4%03x-%04x-%012llx",
	    (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
	    (unsigned)a & 0xfff, 0x8000 | ((unsigned)(b >> 48) & 0x3fff),
	    (unsigned long long)(b & 0xffffffffffffULL));
}

static void
set_rv(json_t *obj, uint64_t rv)
{
	json_t *md = json_object_get(obj, "metadata");
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)rv);
	json_object_set_new(md, "resourceVersion", json_string(buf));
}

/* Records the event, stamps the rv, and tells the observers. */
static void
store_emit(struct sim_store *st, enum sim_ev_type type, int rt, json_t *obj,
    json_t *old)
{
	struct sim_event *ev;

	if (st->hist_len == st->hist_cap) {
		ev = &st->hist[st->hist_head];
		st->evicted_rv = ev->rv;
		event_clear(ev);
		st->hist_head = (st->hist_head + 1) % st->hist_cap;
		st->hist_len--;
	}
	ev = &st->hist[(st->hist_head + st->hist_len) % st->hist_cap];
	st->hist_len++;
	ev->type = type;
	ev->rt = rt;
	ev->rv = st->rv;
	ev->obj = json_incref(obj);
	ev->old = old != NULL ? json_incref(old) : NULL;
	{
		int i;
		struct sim_event copy = *ev;

		for (i = 0; i < st->nobs; i++)
			st->obs[i].fn(st, &copy, st->obs[i].arg);
	}
}

int
store_rv_expired(const struct sim_store *st, uint64_t rv)
{
	return rv < st->evicted_rv;
}

static const char *
md_str(const json_t *obj, const char *field)
{
	return json_string_value(json_object_get(json_object_get(obj,
	    "metadata"), field));
}

static int
valid_name(const char *s, size_t max, int dots)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (alnum)
			continue;
		if ((c == '-' || (dots && c == '.')) && i > 0 && i < n - 1)
			continue;
		return 0;
	}
	return 1;
}

static int
check_name(const struct sim_rtype *rt, const char *name, struct sim_err *e)
{
	int label = strcmp(rt->plural, "namespaces") == 0;

	if (valid_name(name, label ? 63 : 253, !label))
		return 0;
	sim_err_set(e, 422, "Invalid", "%s \"%s\" is invalid: metadata.name: "
	    "Invalid value: \"%s\": a lowercase RFC 1123 %s must consist of "
	    "lower case alphanumeric characters, '-'%s, and must start and "
	    "end with an alphanumeric character", rt->kind, name, name,
	    label ? "label" : "subdomain", label ? "" : " or '.'");
	snprintf(e->field, sizeof(e->field), "metadata.name");
	return -1;
}

static void
not_found(struct sim_err *e, const struct sim_rtype *rt, const char *name)
{
	char q[128];

	rtype_qualified(rt, q, sizeof(q));
	sim_err_set(e, 404, "NotFound", "%s \"%s\" not found", q, name);
}

static int
coll_insert(struct sim_coll *c, size_t pos, struct sim_obj *o)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
	}
	memmove(&c->v[pos + 1], &c->v[pos], (c->n - pos) * sizeof(*c->v));
	c->v[pos] = o;
	c->n++;
	return 0;
}

static void
coll_remove(struct sim_coll *c, size_t pos)
{
	struct sim_obj *o = c->v[pos];

	memmove(&c->v[pos], &c->v[pos + 1], (c->n - pos - 1) * sizeof(*c->v));
	c->n--;
	free(o->key);
	json_decref(o->obj);
	free(o);
}

static int
has_generation(const struct sim_rtype *rt)
{
	return rt->custom || strcmp(rt->plural, "customresourcedefinitions") == 0;
}

int
store_create(struct sim_store *st, int rt_i, const char *ns, json_t *in,
    json_t **out, struct sim_err *e)
{
	const struct sim_rtype *rt = rtype_get(rt_i);
	struct sim_coll *c = &st->colls[rt_i];
	json_t *obj, *md;
	const char *name, *bns, *gen;
	char av[96], buf[64], *key, *genname = NULL;
	struct sim_obj *o;
	size_t pos;

	if (!json_is_object(in))
		return sim_err_set(e, 400, "BadRequest",
		    "the body of the request must be a JSON object");
	obj = json_deep_copy(in);
	md = json_object_get(obj, "metadata");
	if (!json_is_object(md)) {
		md = json_object();
		json_object_set_new(obj, "metadata", md);
	}
	name = md_str(obj, "name");
	gen = md_str(obj, "generateName");
	if ((name == NULL || *name == '\0') && gen != NULL && *gen != '\0') {
		store_uid(st, buf, sizeof(buf));
		xasprintf(&genname, "%s%.5s", gen, buf + 3);
		json_object_set_new(md, "name", json_string(genname));
		free(genname);
		name = md_str(obj, "name");
	}
	if (name == NULL || *name == '\0') {
		json_decref(obj);
		sim_err_set(e, 422, "Invalid", "%s.%s \"\" is invalid: "
		    "metadata.name: Required value: name or generateName is "
		    "required", rt->kind, rt->group);
		snprintf(e->field, sizeof(e->field), "metadata.name");
		return 422;
	}
	if (check_name(rt, name, e) == -1) {
		json_decref(obj);
		return 422;
	}
	if (rt->namespaced) {
		const struct sim_obj *nso;

		bns = md_str(obj, "namespace");
		if (bns != NULL && *bns != '\0' && strcmp(bns, ns) != 0) {
			json_decref(obj);
			return sim_err_set(e, 400, "BadRequest", "the namespace "
			    "of the provided object does not match the "
			    "namespace sent on the request");
		}
		json_object_set_new(md, "namespace", json_string(ns));
		nso = store_get(st, 0, NULL, ns);
		if (nso == NULL) {
			json_decref(obj);
			sim_err_set(e, 404, "NotFound",
			    "namespaces \"%s\" not found", ns);
			return 404;
		}
		if (md_str(nso->obj, "deletionTimestamp") != NULL) {
			sim_err_set(e, 403, "Forbidden", "%s \"%s\" is "
			    "forbidden: unable to create new content in "
			    "namespace %s because it is being terminated",
			    rt->plural, name, ns);
			json_decref(obj);
			return 403;
		}
	} else
		json_object_del(md, "namespace");
	key = store_key(rt->namespaced ? ns : NULL, name);
	if (coll_find(c, key, &pos) != NULL) {
		char q[128];

		free(key);
		rtype_qualified(rt, q, sizeof(q));
		sim_err_set(e, 409, "AlreadyExists",
		    "%s \"%s\" already exists", q, name);
		json_decref(obj);
		return 409;
	}
	json_object_set_new(obj, "apiVersion",
	    json_string(rtype_api_version(rt, av, sizeof(av))));
	json_object_set_new(obj, "kind", json_string(rt->kind));
	store_uid(st, buf, sizeof(buf));
	json_object_set_new(md, "uid", json_string(buf));
	store_now(st, buf, sizeof(buf));
	json_object_set_new(md, "creationTimestamp", json_string(buf));
	json_object_del(md, "deletionTimestamp");
	json_object_del(md, "deletionGracePeriodSeconds");
	json_object_del(md, "generateName");
	if (has_generation(rt))
		json_object_set_new(md, "generation", json_integer(1));
	else
		json_object_del(md, "generation");
	if (rt->custom && rt->has_status)
		json_object_del(obj, "status");
	if (strcmp(rt->plural, "namespaces") == 0) {
		json_t *labels = json_object_get(md, "labels");

		if (!json_is_object(labels)) {
			labels = json_object();
			json_object_set_new(md, "labels", labels);
		}
		json_object_set_new(labels, "kubernetes.io/metadata.name",
		    json_string(name));
		json_object_set_new(obj, "spec", json_pack("{s:[s]}",
		    "finalizers", "kubernetes"));
		json_object_set_new(obj, "status", json_pack("{s:s}", "phase",
		    "Active"));
	}
	st->rv++;
	set_rv(obj, st->rv);
	o = xcalloc(1, sizeof(*o));
	o->key = key;
	o->obj = obj;
	o->rv = st->rv;
	coll_insert(c, pos, o);
	store_emit(st, SIM_EV_ADDED, rt_i, obj, NULL);
	if (out != NULL)
		*out = json_incref(obj);
	return 201;
}

/* Everything but metadata (and status, when it is a subresource). */
static int
spec_changed(const struct sim_rtype *rt, const json_t *a, const json_t *b)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)a, k, v) {
		if (strcmp(k, "metadata") == 0 || strcmp(k, "kind") == 0 ||
		    strcmp(k, "apiVersion") == 0 ||
		    (rt->has_status && strcmp(k, "status") == 0))
			continue;
		if (!json_equal(v, json_object_get(b, k)))
			return 1;
	}
	json_object_foreach((json_t *)b, k, v) {
		if (strcmp(k, "metadata") == 0 || strcmp(k, "kind") == 0 ||
		    strcmp(k, "apiVersion") == 0 ||
		    (rt->has_status && strcmp(k, "status") == 0))
			continue;
		if (json_object_get(a, k) == NULL)
			return 1;
	}
	return 0;
}

static int
finalizers_empty(const json_t *obj)
{
	return json_array_size(json_object_get(json_object_get(obj,
	    "metadata"), "finalizers")) == 0;
}

static void
conflict(struct sim_err *e, const struct sim_rtype *rt, const char *name)
{
	char q[128];

	rtype_qualified(rt, q, sizeof(q));
	sim_err_set(e, 409, "Conflict", "Operation cannot be fulfilled on "
	    "%s \"%s\": the object has been modified; please apply your "
	    "changes to the latest version and try again", q, name);
}

/* Removes the object at pos and emits DELETED with state obj. */
static void
store_remove(struct sim_store *st, int rt_i, size_t pos, json_t *obj)
{
	st->rv++;
	set_rv(obj, st->rv);
	coll_remove(&st->colls[rt_i], pos);
	store_emit(st, SIM_EV_DELETED, rt_i, obj, NULL);
}

int
store_update(struct sim_store *st, int rt_i, const char *ns, const char *name,
    json_t *in, int flags, json_t **out, struct sim_err *e)
{
	const struct sim_rtype *rt = rtype_get(rt_i);
	struct sim_coll *c = &st->colls[rt_i];
	struct sim_obj *o;
	json_t *obj, *md, *omd, *old;
	const char *bname, *brv;
	static const char *const keep[] = { "uid", "creationTimestamp",
	    "deletionTimestamp", "deletionGracePeriodSeconds", "generation",
	    "namespace", "name", NULL };
	char *key, av[96];
	size_t pos;
	int i;

	if (!json_is_object(in))
		return sim_err_set(e, 400, "BadRequest",
		    "the body of the request must be a JSON object");
	key = store_key(rt->namespaced ? ns : NULL, name);
	o = coll_find(c, key, &pos);
	free(key);
	if (o == NULL) {
		not_found(e, rt, name);
		return 404;
	}
	bname = md_str(in, "name");
	if (bname != NULL && strcmp(bname, name) != 0)
		return sim_err_set(e, 400, "BadRequest", "the name of the "
		    "object (%s) does not match the name on the URL (%s)",
		    bname, name);
	brv = md_str(in, "resourceVersion");
	if (!(flags & SIM_UPD_FORCE)) {
		if ((brv == NULL || *brv == '\0') && rt->custom) {
			sim_err_set(e, 422, "Invalid", "%s.%s \"%s\" is "
			    "invalid: metadata.resourceVersion: Invalid value: "
			    "0x0: must be specified for an update", rt->kind,
			    rt->group, name);
			snprintf(e->field, sizeof(e->field),
			    "metadata.resourceVersion");
			return 422;
		}
		if (brv != NULL && *brv != '\0' &&
		    strcmp(brv, md_str(o->obj, "resourceVersion")) != 0) {
			conflict(e, rt, name);
			return 409;
		}
	}
	old = o->obj;
	omd = json_object_get(old, "metadata");
	if (flags & SIM_UPD_STATUS) {
		/* The status subresource changes status and nothing else. */
		obj = json_deep_copy(old);
		if (json_object_get(in, "status") != NULL)
			json_object_set(obj, "status",
			    json_object_get(in, "status"));
		else
			json_object_del(obj, "status");
	} else {
		obj = json_deep_copy(in);
		md = json_object_get(obj, "metadata");
		if (!json_is_object(md)) {
			md = json_object();
			json_object_set_new(obj, "metadata", md);
		}
		for (i = 0; keep[i] != NULL; i++) {
			json_t *v = json_object_get(omd, keep[i]);

			if (v != NULL)
				json_object_set(md, keep[i], v);
			else
				json_object_del(md, keep[i]);
		}
		if (rt->has_status) {
			if (json_object_get(old, "status") != NULL)
				json_object_set(obj, "status",
				    json_object_get(old, "status"));
			else
				json_object_del(obj, "status");
		}
		if (strcmp(rt->plural, "namespaces") == 0) {
			json_t *labels = json_object_get(md, "labels");

			if (!json_is_object(labels)) {
				labels = json_object();
				json_object_set_new(md, "labels", labels);
			}
			json_object_set_new(labels,
			    "kubernetes.io/metadata.name", json_string(name));
			json_object_set(obj, "spec",
			    json_object_get(old, "spec"));
		}
		json_object_set_new(obj, "apiVersion",
		    json_string(rtype_api_version(rt, av, sizeof(av))));
		json_object_set_new(obj, "kind", json_string(rt->kind));
	}
	md = json_object_get(obj, "metadata");
	json_object_set(md, "resourceVersion",
	    json_object_get(omd, "resourceVersion"));
	json_object_del(md, "managedFields");
	if (json_equal(obj, old)) {
		/* A no-op write: no new resourceVersion, no event. */
		json_decref(obj);
		if (out != NULL)
			*out = json_incref(old);
		return 200;
	}
	if (has_generation(rt) && spec_changed(rt, old, obj))
		json_object_set_new(md, "generation", json_integer(
		    json_integer_value(json_object_get(omd, "generation")) + 1));
	if (md_str(old, "deletionTimestamp") != NULL && finalizers_empty(obj) &&
	    strcmp(rt->plural, "namespaces") != 0) {
		if (out != NULL)
			*out = json_incref(obj);
		store_remove(st, rt_i, pos, obj);
		json_decref(obj);
		return 200;
	}
	st->rv++;
	set_rv(obj, st->rv);
	o->obj = obj;
	o->rv = st->rv;
	store_emit(st, SIM_EV_MODIFIED, rt_i, obj, old);
	json_decref(old);
	if (out != NULL)
		*out = json_incref(obj);
	return 200;
}

int
store_delete(struct sim_store *st, int rt_i, const char *ns, const char *name,
    const char *puid, const char *prv, json_t **out, struct sim_err *e)
{
	const struct sim_rtype *rt = rtype_get(rt_i);
	struct sim_coll *c = &st->colls[rt_i];
	struct sim_obj *o;
	json_t *obj, *md;
	char *key, buf[64];
	const char *ouid, *orv;
	size_t pos;
	int is_ns = strcmp(rt->plural, "namespaces") == 0;

	key = store_key(rt->namespaced ? ns : NULL, name);
	o = coll_find(c, key, &pos);
	free(key);
	if (o == NULL) {
		not_found(e, rt, name);
		return 404;
	}
	ouid = md_str(o->obj, "uid");
	orv = md_str(o->obj, "resourceVersion");
	if (puid != NULL && strcmp(puid, ouid) != 0)
		return sim_err_set(e, 409, "Conflict", "Precondition failed: "
		    "UID in precondition: %s, UID in object meta: %s", puid,
		    ouid);
	if (prv != NULL && strcmp(prv, orv) != 0)
		return sim_err_set(e, 409, "Conflict", "Precondition failed: "
		    "ResourceVersion in precondition: %s, ResourceVersion in "
		    "object meta: %s", prv, orv);
	/*
	 * Objects with finalizers (and every Namespace, whose spec finalizer
	 * is run by the namespace controller) are only marked.
	 */
	if (!finalizers_empty(o->obj) || is_ns) {
		if (md_str(o->obj, "deletionTimestamp") != NULL) {
			if (out != NULL)
				*out = json_incref(o->obj);
			return 200;
		}
		obj = json_deep_copy(o->obj);
		md = json_object_get(obj, "metadata");
		store_now(st, buf, sizeof(buf));
		json_object_set_new(md, "deletionTimestamp", json_string(buf));
		json_object_set_new(md, "deletionGracePeriodSeconds",
		    json_integer(0));
		if (is_ns)
			json_object_set_new(obj, "status", json_pack("{s:s}",
			    "phase", "Terminating"));
		st->rv++;
		set_rv(obj, st->rv);
		json_t *old = o->obj;
		o->obj = obj;
		o->rv = st->rv;
		store_emit(st, SIM_EV_MODIFIED, rt_i, obj, old);
		json_decref(old);
		if (out != NULL)
			*out = json_incref(obj);
		return 200;
	}
	obj = json_deep_copy(o->obj);
	store_remove(st, rt_i, pos, obj);
	if (out != NULL)
		*out = obj;
	else
		json_decref(obj);
	return 200;
}

/* Removes every object of a type (its CRD was deleted). */
void
store_purge(struct sim_store *st, int rt_i)
{
	struct sim_coll *c = &st->colls[rt_i];
	json_t *obj;

	while (c->n > 0) {
		obj = json_deep_copy(c->v[c->n - 1]->obj);
		store_remove(st, rt_i, c->n - 1, obj);
		json_decref(obj);
	}
}

/* Removes an object regardless of finalizers (a namespace finalized). */
int
store_remove_now(struct sim_store *st, int rt_i, const char *ns,
    const char *name)
{
	const struct sim_rtype *rt = rtype_get(rt_i);
	char *key = store_key(rt->namespaced ? ns : NULL, name);
	struct sim_obj *o;
	json_t *obj;
	size_t pos;

	o = coll_find(&st->colls[rt_i], key, &pos);
	free(key);
	if (o == NULL)
		return -1;
	obj = json_deep_copy(o->obj);
	store_remove(st, rt_i, pos, obj);
	json_decref(obj);
	return 0;
}
