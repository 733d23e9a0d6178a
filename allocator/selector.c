/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Label selectors (see selector.h).  matchLabels entries become "In"
 * requirements with one value, so matching has a single code path.  The
 * rules are the API server's: In and NotIn need values, Exists and
 * DoesNotExist take none, NotIn matches a node without the key.
 */
#include <stdlib.h>
#include <string.h>

#include "selector.h"
#include "xmalloc.h"

static const char *const op_names[] = {
	"In", "NotIn", "Exists", "DoesNotExist"
};

static void
add_req(struct eip_selector *s, const char *key, enum sel_op op)
{
	struct sel_req *r;

	s->reqs = xreallocarray(s->reqs, s->n + 1, sizeof(*s->reqs));
	r = &s->reqs[s->n++];
	memset(r, 0, sizeof(*r));
	r->key = xstrdup(key);
	r->op = op;
}

static void
add_value(struct sel_req *r, const char *v)
{
	r->values = xreallocarray(r->values, r->nvalues + 1, sizeof(char *));
	r->values[r->nvalues++] = xstrdup(v);
}

int
selector_parse(const json_t *sel, const char *field, struct eip_selector *s,
    struct eip_issues *iss)
{
	const json_t *ml, *me, *e, *vals, *v;
	const char *key, *op;
	char f[512];
	size_t i, j, errs = iss->nerrors;
	int k;

	memset(s, 0, sizeof(*s));
	if (sel == NULL || json_is_null(sel))
		return 0;
	if ((ml = json_object_get(sel, "matchLabels")) != NULL) {
		json_object_foreach((json_t *)ml, key, v) {
			if (key[0] == '\0') {
				snprintf(f, sizeof(f), "%s.matchLabels", field);
				issues_add(iss, ISSUE_ERROR, f, "empty label key");
				continue;
			}
			add_req(s, key, SEL_IN);
			add_value(&s->reqs[s->n - 1], json_string_value(v));
		}
	}
	me = json_object_get(sel, "matchExpressions");
	json_array_foreach(me, i, e) {
		snprintf(f, sizeof(f), "%s.matchExpressions[%zu]", field, i);
		key = json_string_value(json_object_get(e, "key"));
		op = json_string_value(json_object_get(e, "operator"));
		vals = json_object_get(e, "values");
		if (key == NULL || key[0] == '\0') {
			issues_add(iss, ISSUE_ERROR, f, "key is empty");
			continue;
		}
		for (k = 0; k < 4; k++)
			if (op != NULL && strcmp(op, op_names[k]) == 0)
				break;
		if (k == 4) {
			issues_add(iss, ISSUE_ERROR, f, "operator \"%s\" is not "
			    "In, NotIn, Exists or DoesNotExist",
			    op != NULL ? op : "");
			continue;
		}
		if ((k == SEL_IN || k == SEL_NOTIN) && json_array_size(vals) == 0) {
			issues_add(iss, ISSUE_ERROR, f, "operator %s needs values",
			    op_names[k]);
			continue;
		}
		if ((k == SEL_EXISTS || k == SEL_DOESNOTEXIST) &&
		    json_array_size(vals) != 0) {
			issues_add(iss, ISSUE_ERROR, f, "operator %s takes no values",
			    op_names[k]);
			continue;
		}
		add_req(s, key, (enum sel_op)k);
		json_array_foreach(vals, j, v)
			add_value(&s->reqs[s->n - 1], json_string_value(v));
	}
	return iss->nerrors == errs ? 0 : -1;
}

void
selector_clear(struct eip_selector *s)
{
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		free(s->reqs[i].key);
		for (j = 0; j < s->reqs[i].nvalues; j++)
			free(s->reqs[i].values[j]);
		free(s->reqs[i].values);
	}
	free(s->reqs);
	memset(s, 0, sizeof(*s));
}

static int
has_value(const struct sel_req *r, const char *v)
{
	size_t i;

	for (i = 0; i < r->nvalues; i++)
		if (strcmp(r->values[i], v) == 0)
			return 1;
	return 0;
}

int
selector_match(const struct eip_selector *s, const json_t *labels)
{
	const char *v;
	size_t i;

	for (i = 0; i < s->n; i++) {
		v = json_string_value(json_object_get(labels, s->reqs[i].key));
		switch (s->reqs[i].op) {
		case SEL_IN:
			if (v == NULL || !has_value(&s->reqs[i], v))
				return 0;
			break;
		case SEL_NOTIN:
			if (v != NULL && has_value(&s->reqs[i], v))
				return 0;
			break;
		case SEL_EXISTS:
			if (v == NULL)
				return 0;
			break;
		case SEL_DOESNOTEXIST:
			if (v != NULL)
				return 0;
			break;
		}
	}
	return 1;
}

int
selector_equal(const struct eip_selector *a, const struct eip_selector *b)
{
	size_t i, j;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		if (a->reqs[i].op != b->reqs[i].op ||
		    strcmp(a->reqs[i].key, b->reqs[i].key) != 0 ||
		    a->reqs[i].nvalues != b->reqs[i].nvalues)
			return 0;
		for (j = 0; j < a->reqs[i].nvalues; j++)
			if (strcmp(a->reqs[i].values[j], b->reqs[i].values[j]) != 0)
				return 0;
	}
	return 1;
}
