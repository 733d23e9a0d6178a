/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Label and field selectors as the apiserver parses them (labelSelector
 * and fieldSelector query parameters), metav1.LabelSelector matching for
 * the OpenShift controllers, and Go's strconv.ParseBool.  Pure functions.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "xmalloc.h"

int
selector_parse_bool(const char *s, int *out)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True",
	    NULL };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false",
	    "False", NULL };
	int i;

	for (i = 0; t[i] != NULL; i++)
		if (strcmp(s, t[i]) == 0)
			return *out = 1, 0;
	for (i = 0; f[i] != NULL; i++)
		if (strcmp(s, f[i]) == 0)
			return *out = 0, 0;
	return -1;
}

void
selector_free(struct sim_selector *s)
{
	int i, j;

	for (i = 0; i < s->nreqs; i++) {
		free(s->reqs[i].key);
		for (j = 0; j < s->reqs[i].nvalues; j++)
			free(s->reqs[i].values[j]);
		free(s->reqs[i].values);
	}
	free(s->reqs);
	memset(s, 0, sizeof(*s));
}

static int
name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

/* A qualified name part or label value: <= 63, alnum at both ends. */
static int
valid_part(const char *s, size_t n, int empty_ok)
{
	size_t i;

	if (n == 0)
		return empty_ok;
	if (n > 63 || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if (!name_char(s[i]))
			return 0;
	return 1;
}

static int
valid_key(const char *k)
{
	const char *slash = strchr(k, '/');
	size_t i;

	if (slash == NULL)
		return valid_part(k, strlen(k), 0);
	if (slash == k || slash - k > 253 || strchr(slash + 1, '/') != NULL)
		return 0;
	for (i = 0; k + i < slash; i++)
		if (!(islower((unsigned char)k[i]) || isdigit((unsigned char)k[i]) ||
		    k[i] == '-' || k[i] == '.'))
			return 0;
	return valid_part(slash + 1, strlen(slash + 1), 0);
}

static void
skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

static struct sim_sel_req *
add_req(struct sim_selector *s, char *key, enum sim_sel_op op)
{
	struct sim_sel_req *r;

	s->reqs = xreallocarray(s->reqs, s->nreqs + 1, sizeof(*s->reqs));
	r = &s->reqs[s->nreqs++];
	memset(r, 0, sizeof(*r));
	r->key = key;
	r->op = op;
	return r;
}

static void
add_value(struct sim_sel_req *r, const char *v, size_t n)
{
	r->values = xreallocarray(r->values, r->nvalues + 1,
	    sizeof(*r->values));
	r->values[r->nvalues++] = xstrndup(v, n);
}

static size_t
token_len(const char *p)
{
	size_t n = 0;

	while (p[n] != '\0' && (name_char(p[n]) || p[n] == '/'))
		n++;
	return n;
}

static int
parse_value(const char **p, struct sim_sel_req *r, char *err, size_t errlen)
{
	size_t n;

	skip_ws(p);
	n = token_len(*p);
	if (!valid_part(*p, n, 1)) {
		snprintf(err, errlen, "unable to parse requirement: invalid "
		    "label value: \"%.*s\"", (int)n, *p);
		return -1;
	}
	add_value(r, *p, n);
	*p += n;
	skip_ws(p);
	return 0;
}

static int
parse_set(const char **p, struct sim_sel_req *r, char *err, size_t errlen)
{
	skip_ws(p);
	if (**p != '(') {
		snprintf(err, errlen, "unable to parse requirement: found "
		    "'%.1s', expected: '('", *p);
		return -1;
	}
	(*p)++;
	for (;;) {
		if (parse_value(p, r, err, errlen) == -1)
			return -1;
		if (**p == ',') {
			(*p)++;
			continue;
		}
		if (**p == ')') {
			(*p)++;
			return 0;
		}
		snprintf(err, errlen, "unable to parse requirement: found "
		    "'%.1s', expected: ',', ')'", *p);
		return -1;
	}
}

int
selector_parse_labels(const char *in, struct sim_selector *s, char *err,
    size_t errlen)
{
	const char *p = in;
	char *key;
	size_t n;
	int neg;

	memset(s, 0, sizeof(*s));
	skip_ws(&p);
	if (*p == '\0')
		return 0;
	for (;;) {
		skip_ws(&p);
		neg = 0;
		if (*p == '!') {
			neg = 1;
			p++;
			skip_ws(&p);
		}
		n = token_len(p);
		key = xstrndup(p, n);
		if (!valid_key(key)) {
			snprintf(err, errlen, "unable to parse requirement: "
			    "invalid label key \"%s\"", key);
			free(key);
			goto fail;
		}
		p += n;
		skip_ws(&p);
		if (neg) {
			add_req(s, key, SEL_NOTEXISTS);
		} else if (*p == ',' || *p == '\0') {
			add_req(s, key, SEL_EXISTS);
		} else if (strncmp(p, "==", 2) == 0 || *p == '=') {
			p += p[1] == '=' ? 2 : 1;
			if (parse_value(&p, add_req(s, key, SEL_EQ), err,
			    errlen) == -1)
				goto fail;
		} else if (strncmp(p, "!=", 2) == 0) {
			p += 2;
			if (parse_value(&p, add_req(s, key, SEL_NE), err,
			    errlen) == -1)
				goto fail;
		} else if (strncmp(p, "in", 2) == 0 && !name_char(p[2])) {
			p += 2;
			if (parse_set(&p, add_req(s, key, SEL_IN), err,
			    errlen) == -1)
				goto fail;
		} else if (strncmp(p, "notin", 5) == 0 && !name_char(p[5])) {
			p += 5;
			if (parse_set(&p, add_req(s, key, SEL_NOTIN), err,
			    errlen) == -1)
				goto fail;
		} else {
			snprintf(err, errlen, "unable to parse requirement: "
			    "found '%s', expected: in, notin, =, ==, !=, gt, "
			    "lt", p);
			free(key);
			goto fail;
		}
		skip_ws(&p);
		if (*p == '\0')
			return 0;
		if (*p != ',') {
			snprintf(err, errlen, "unable to parse requirement: "
			    "found '%s', expected: ','", p);
			goto fail;
		}
		p++;
	}
fail:
	selector_free(s);
	return -1;
}

static int
req_match(const struct sim_sel_req *r, const char *v)
{
	int i, in = 0;

	switch (r->op) {
	case SEL_EXISTS:
		return v != NULL;
	case SEL_NOTEXISTS:
		return v == NULL;
	case SEL_EQ:
		return v != NULL && strcmp(v, r->values[0]) == 0;
	case SEL_NE:
		return v == NULL || strcmp(v, r->values[0]) != 0;
	case SEL_IN:
	case SEL_NOTIN:
		for (i = 0; v != NULL && i < r->nvalues; i++)
			if (strcmp(v, r->values[i]) == 0)
				in = 1;
		return r->op == SEL_IN ? in : !in;
	}
	return 0;
}

int
selector_match_labels(const struct sim_selector *s, const json_t *obj)
{
	const json_t *labels = json_object_get(json_object_get(obj,
	    "metadata"), "labels");
	int i;

	for (i = 0; i < s->nreqs; i++)
		if (!req_match(&s->reqs[i], json_string_value(
		    json_object_get(labels, s->reqs[i].key))))
			return 0;
	return 1;
}

/* Field selector values may escape ',', '=' and '\' with a backslash. */
static char *
unescape_field(const char *p, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t i, j = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 1 < n)
			i++;
		out[j++] = p[i];
	}
	out[j] = '\0';
	return out;
}

static int
field_supported(const struct sim_rtype *rt, const char *f)
{
	int i;

	if (strcmp(f, "metadata.name") == 0 ||
	    strcmp(f, "metadata.namespace") == 0)
		return 1;
	for (i = 0; rt != NULL && rt->fields != NULL && rt->fields[i] != NULL;
	    i++)
		if (strcmp(rt->fields[i], f) == 0)
			return 1;
	return 0;
}

int
selector_parse_fields(const char *in, const struct sim_rtype *rt,
    struct sim_selector *s, char *err, size_t errlen)
{
	const char *p = in, *start, *op;
	struct sim_sel_req *r;
	enum sim_sel_op kind;
	char *key;
	size_t n;

	memset(s, 0, sizeof(*s));
	if (*p == '\0')
		return 0;
	for (;;) {
		start = p;
		while (*p != '\0' && *p != '=' && *p != '!' && *p != ',')
			p++;
		op = p;
		if (strncmp(op, "!=", 2) == 0) {
			kind = SEL_NE;
			p += 2;
		} else if (strncmp(op, "==", 2) == 0) {
			kind = SEL_EQ;
			p += 2;
		} else if (*op == '=') {
			kind = SEL_EQ;
			p += 1;
		} else {
			snprintf(err, errlen, "invalid selector: '%s'; can't "
			    "understand '%.*s'", in, (int)(op - start), start);
			goto fail;
		}
		key = xstrndup(start, op - start);
		while (key[0] != '\0' && isspace((unsigned char)
		    key[strlen(key) - 1]))
			key[strlen(key) - 1] = '\0';
		if (!field_supported(rt, key)) {
			snprintf(err, errlen, "field label not supported: %s",
			    key);
			free(key);
			goto fail;
		}
		r = add_req(s, key, kind);
		start = p;
		while (*p != '\0' && *p != ',') {
			if (*p == '\\' && p[1] != '\0')
				p++;
			p++;
		}
		n = p - start;
		r->values = xcalloc(1, sizeof(*r->values));
		r->values[0] = unescape_field(start, n);
		r->nvalues = 1;
		if (*p == '\0')
			return 0;
		p++;
	}
fail:
	selector_free(s);
	return -1;
}

/* The string value of a dotted field path, the way field sets expose it. */
static char *
field_value(const json_t *obj, const char *path)
{
	const json_t *v = obj;
	char *copy = xstrdup(path), *tok, *save = NULL;

	for (tok = strtok_r(copy, ".", &save); tok != NULL && v != NULL;
	    tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	free(copy);
	if (strcmp(path, "source") == 0)
		v = json_object_get(json_object_get(obj, "source"),
		    "component");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_true(v))
		return xstrdup("true");
	if (json_is_false(v) || (v == NULL &&
	    strcmp(path, "spec.unschedulable") == 0))
		return xstrdup("false");
	if (json_is_integer(v)) {
		char *s;

		xasprintf(&s, "%lld", (long long)json_integer_value(v));
		return s;
	}
	return xstrdup("");
}

int
selector_match_fields(const struct sim_selector *s, const json_t *obj)
{
	int i, ok;
	char *v;

	for (i = 0; i < s->nreqs; i++) {
		v = field_value(obj, s->reqs[i].key);
		ok = req_match(&s->reqs[i], v);
		free(v);
		if (!ok)
			return 0;
	}
	return 1;
}

int
selector_match_labelselector(const json_t *sel, const json_t *labels)
{
	const json_t *ml, *me, *e, *vals, *x;
	const char *k, *op, *lv;
	json_t *v;
	size_t i, j;
	int in;

	if (!json_is_object(sel))
		return 1;
	ml = json_object_get(sel, "matchLabels");
	json_object_foreach((json_t *)ml, k, v) {
		lv = json_string_value(json_object_get(labels, k));
		if (lv == NULL || !json_is_string(v) ||
		    strcmp(lv, json_string_value(v)) != 0)
			return 0;
	}
	me = json_object_get(sel, "matchExpressions");
	json_array_foreach(me, i, e) {
		k = json_string_value(json_object_get(e, "key"));
		op = json_string_value(json_object_get(e, "operator"));
		vals = json_object_get(e, "values");
		if (k == NULL || op == NULL)
			return 0;
		lv = json_string_value(json_object_get(labels, k));
		in = 0;
		json_array_foreach(vals, j, x)
			if (lv != NULL && json_is_string(x) &&
			    strcmp(lv, json_string_value(x)) == 0)
				in = 1;
		if (strcmp(op, "In") == 0 && !in)
			return 0;
		if (strcmp(op, "NotIn") == 0 && in)
			return 0;
		if (strcmp(op, "Exists") == 0 && lv == NULL)
			return 0;
		if (strcmp(op, "DoesNotExist") == 0 && lv != NULL)
			return 0;
	}
	return 1;
}
