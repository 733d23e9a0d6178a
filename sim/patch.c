/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The three PATCH flavours the apiserver accepts: JSON merge patch
 * (RFC 7396), JSON patch (RFC 6902) and strategic merge patch (maps merged,
 * lists merged by their patchMergeKey, $patch / $retainKeys /
 * $deleteFromPrimitiveList directives) for the built-in kinds.  Pure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "xmalloc.h"

json_t *
patch_merge(const json_t *target, const json_t *patch)
{
	json_t *out, *v;
	const char *k;

	if (!json_is_object(patch))
		return json_deep_copy(patch);
	out = json_is_object(target) ? json_deep_copy(target) : json_object();
	json_object_foreach((json_t *)patch, k, v) {
		if (json_is_null(v))
			json_object_del(out, k);
		else
			json_object_set_new(out, k,
			    patch_merge(json_object_get(out, k), v));
	}
	return out;
}

/* One JSON pointer token, unescaped (~1 is '/', ~0 is '~'). */
static char *
ptr_token(const char **p)
{
	const char *s = *p;
	size_t n = strcspn(s, "/"), i, j = 0;
	char *t = xmalloc(n + 1);

	for (i = 0; i < n; i++) {
		if (s[i] == '~' && i + 1 < n && (s[i + 1] == '0' ||
		    s[i + 1] == '1')) {
			t[j++] = s[i + 1] == '1' ? '/' : '~';
			i++;
		} else
			t[j++] = s[i];
	}
	t[j] = '\0';
	*p = s + n;
	return t;
}

static int
array_index(const char *tok, size_t size, int append_ok, size_t *out)
{
	char *end;
	unsigned long v;

	if (append_ok && strcmp(tok, "-") == 0) {
		*out = size;
		return 0;
	}
	if (tok[0] == '\0' || (tok[0] == '0' && tok[1] != '\0') ||
	    tok[0] < '0' || tok[0] > '9')
		return -1;
	v = strtoul(tok, &end, 10);
	if (*end != '\0' || v > size || (!append_ok && v == size))
		return -1;
	*out = v;
	return 0;
}

/*
 * Finds the container of the last token of path; *last receives that
 * token.  Returns NULL when an intermediate element is missing.
 */
static json_t *
ptr_parent(json_t *doc, const char *path, char **last)
{
	const char *p = path;
	json_t *cur = doc;
	char *tok;
	size_t idx;

	*last = NULL;
	if (*p != '/')
		return NULL;
	for (;;) {
		p++;
		tok = ptr_token(&p);
		if (*p == '\0') {
			*last = tok;
			return cur;
		}
		if (json_is_object(cur))
			cur = json_object_get(cur, tok);
		else if (json_is_array(cur) &&
		    array_index(tok, json_array_size(cur), 0, &idx) == 0)
			cur = json_array_get(cur, idx);
		else
			cur = NULL;
		free(tok);
		if (cur == NULL)
			return NULL;
	}
}

static json_t *
ptr_get(json_t *doc, const char *path)
{
	json_t *parent, *v = NULL;
	char *last;
	size_t idx;

	if (*path == '\0')
		return doc;
	if ((parent = ptr_parent(doc, path, &last)) == NULL) {
		free(last);
		return NULL;
	}
	if (json_is_object(parent))
		v = json_object_get(parent, last);
	else if (json_is_array(parent) &&
	    array_index(last, json_array_size(parent), 0, &idx) == 0)
		v = json_array_get(parent, idx);
	free(last);
	return v;
}

static int
op_add(json_t **doc, const char *path, json_t *value, int replace)
{
	json_t *parent;
	char *last;
	size_t idx;
	int rc = -1;

	if (*path == '\0') {
		json_decref(*doc);
		*doc = json_deep_copy(value);
		return 0;
	}
	if ((parent = ptr_parent(*doc, path, &last)) == NULL) {
		free(last);
		return -1;
	}
	if (json_is_object(parent)) {
		if (!replace || json_object_get(parent, last) != NULL)
			rc = json_object_set_new(parent, last,
			    json_deep_copy(value));
	} else if (json_is_array(parent)) {
		if (array_index(last, json_array_size(parent), !replace,
		    &idx) == 0)
			rc = replace ? json_array_set_new(parent, idx,
			    json_deep_copy(value)) : json_array_insert_new(parent,
			    idx, json_deep_copy(value));
	}
	free(last);
	return rc;
}

static int
op_remove(json_t *doc, const char *path)
{
	json_t *parent;
	char *last;
	size_t idx;
	int rc = -1;

	if ((parent = ptr_parent(doc, path, &last)) == NULL) {
		free(last);
		return -1;
	}
	if (json_is_object(parent))
		rc = json_object_del(parent, last);
	else if (json_is_array(parent) &&
	    array_index(last, json_array_size(parent), 0, &idx) == 0)
		rc = json_array_remove(parent, idx);
	free(last);
	return rc;
}

int
patch_json(json_t **doc, const json_t *ops, struct sim_err *e)
{
	const char *op, *path, *from;
	json_t *o, *value, *src;
	size_t i;
	int rc;

	if (!json_is_array(ops))
		return sim_err_set(e, 400, "BadRequest", "json: cannot "
		    "unmarshal object into Go value of type jsonpatch.Patch");
	json_array_foreach(ops, i, o) {
		op = json_string_value(json_object_get(o, "op"));
		path = json_string_value(json_object_get(o, "path"));
		from = json_string_value(json_object_get(o, "from"));
		value = json_object_get(o, "value");
		if (op == NULL || path == NULL || (*path != '\0' &&
		    *path != '/'))
			return sim_err_set(e, 400, "BadRequest", "the server "
			    "rejected our request due to an error in our "
			    "request: operation %zu lacks a valid op or path",
			    i);
		if ((strcmp(op, "add") == 0 || strcmp(op, "replace") == 0 ||
		    strcmp(op, "test") == 0) && value == NULL)
			return sim_err_set(e, 400, "BadRequest", "the server "
			    "rejected our request due to an error in our "
			    "request: operation %zu (%s) lacks a value", i, op);
		if (strcmp(op, "add") == 0)
			rc = op_add(doc, path, value, 0);
		else if (strcmp(op, "replace") == 0)
			rc = op_add(doc, path, value, 1);
		else if (strcmp(op, "remove") == 0)
			rc = op_remove(*doc, path);
		else if (strcmp(op, "test") == 0)
			rc = json_equal(ptr_get(*doc, path), value) ? 0 : -1;
		else if (strcmp(op, "move") == 0 || strcmp(op, "copy") == 0) {
			if (from == NULL || (src = ptr_get(*doc, from)) == NULL)
				rc = -1;
			else {
				src = json_deep_copy(src);
				rc = 0;
				if (strcmp(op, "move") == 0)
					rc = op_remove(*doc, from);
				if (rc == 0)
					rc = op_add(doc, path, src, 0);
				json_decref(src);
			}
		} else
			return sim_err_set(e, 400, "BadRequest", "the server "
			    "rejected our request due to an error in our "
			    "request: unexpected kind of operation \"%s\"", op);
		if (rc != 0 && strcmp(op, "test") == 0)
			return sim_err_set(e, 422, "Invalid", "the server rejected "
			    "our request due to an error in our request: testing "
			    "value %s failed", path);
		if (rc != 0)
			return sim_err_set(e, 422, "Invalid", "the server rejected "
			    "our request due to an error in our request: %s "
			    "operation does not apply: doc is missing path: \"%s\"",
			    op, path);
	}
	return 0;
}

/* patchMergeKey of the list fields of the built-in kinds we serve. */
static const char *
merge_key(const char *field)
{
	static const char *const keys[][2] = {
		{ "conditions", "type" }, { "addresses", "type" },
		{ "containers", "name" }, { "initContainers", "name" },
		{ "volumes", "name" }, { "env", "name" },
		{ "ownerReferences", "uid" }, { "taints", "key" },
		{ "ports", "containerPort" }, { "volumeMounts", "mountPath" },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i][0], field) == 0)
			return keys[i][1];
	return NULL;
}

static int
primitive_merge(const char *field)
{
	return strcmp(field, "finalizers") == 0;
}

static json_t *smp_map(const json_t *, const json_t *, struct sim_err *);

static json_t *
smp_list(const char *field, const json_t *target, const json_t *patch,
    struct sim_err *e)
{
	const char *mk = merge_key(field);
	json_t *out, *pe, *te, *m;
	size_t i, j;
	int found;

	if (primitive_merge(field)) {
		out = json_is_array(target) ? json_deep_copy(target) :
		    json_array();
		json_array_foreach(patch, i, pe) {
			found = 0;
			json_array_foreach(out, j, te)
				if (json_equal(te, pe))
					found = 1;
			if (!found)
				json_array_append(out, pe);
		}
		return out;
	}
	if (mk == NULL || !json_is_array(target))
		return json_deep_copy(patch);
	out = json_deep_copy(target);
	json_array_foreach(patch, i, pe) {
		json_t *pk = json_object_get(pe, mk);
		const char *dir = json_string_value(json_object_get(pe,
		    "$patch"));

		if (pk == NULL) {
			sim_err_set(e, 422, "Invalid", "map: %s does not "
			    "contain declared merge key: %s", field, mk);
			json_decref(out);
			return NULL;
		}
		found = 0;
		for (j = 0; j < json_array_size(out); j++) {
			te = json_array_get(out, j);
			if (!json_equal(json_object_get(te, mk), pk))
				continue;
			found = 1;
			if (dir != NULL && strcmp(dir, "delete") == 0) {
				json_array_remove(out, j);
				break;
			}
			if ((m = smp_map(te, pe, e)) == NULL) {
				json_decref(out);
				return NULL;
			}
			json_array_set_new(out, j, m);
			break;
		}
		if (!found && (dir == NULL || strcmp(dir, "delete") != 0)) {
			m = smp_map(NULL, pe, e);
			if (m == NULL) {
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, m);
		}
	}
	return out;
}

static json_t *
smp_map(const json_t *target, const json_t *patch, struct sim_err *e)
{
	json_t *out, *v, *m, *keep;
	const char *k, *dir;
	size_t i;

	dir = json_string_value(json_object_get(patch, "$patch"));
	if (dir != NULL && strcmp(dir, "replace") == 0) {
		out = json_deep_copy(patch);
		json_object_del(out, "$patch");
		return out;
	}
	out = json_is_object(target) ? json_deep_copy(target) : json_object();
	json_object_foreach((json_t *)patch, k, v) {
		if (strcmp(k, "$patch") == 0 || strcmp(k, "$retainKeys") == 0 ||
		    strncmp(k, "$setElementOrder/", 17) == 0)
			continue;
		if (strncmp(k, "$deleteFromPrimitiveList/", 25) == 0) {
			json_t *lst = json_object_get(out, k + 25), *x, *y;
			size_t j;

			json_array_foreach(v, i, x)
				for (j = 0; j < json_array_size(lst); j++) {
					y = json_array_get(lst, j);
					if (json_equal(x, y)) {
						json_array_remove(lst, j);
						j--;
					}
				}
			continue;
		}
		if (json_is_null(v)) {
			json_object_del(out, k);
			continue;
		}
		dir = json_string_value(json_object_get(v, "$patch"));
		if (json_is_object(v) && dir != NULL &&
		    strcmp(dir, "delete") == 0) {
			json_object_del(out, k);
			continue;
		}
		if (json_is_object(v))
			m = smp_map(json_object_get(out, k), v, e);
		else if (json_is_array(v))
			m = smp_list(k, json_object_get(out, k), v, e);
		else
			m = json_deep_copy(v);
		if (m == NULL) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, k, m);
	}
	keep = json_object_get(patch, "$retainKeys");
	if (json_is_array(keep)) {
		void *tmp;

		json_object_foreach_safe(out, tmp, k, v) {
			int found = 0;
			json_t *x;

			json_array_foreach(keep, i, x)
				if (json_is_string(x) &&
				    strcmp(json_string_value(x), k) == 0)
					found = 1;
			if (!found)
				json_object_del(out, k);
		}
	}
	return out;
}

json_t *
patch_strategic(const json_t *target, const json_t *patch, struct sim_err *e)
{
	if (!json_is_object(patch)) {
		sim_err_set(e, 400, "BadRequest", "the body of the request "
		    "must be a JSON object for a strategic merge patch");
		return NULL;
	}
	return smp_map(target, patch, e);
}
