/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small JSON-to-YAML writer for the files eipam-sim leaves for people
 * (egressipam.yaml): block style, strings always double-quoted, so the
 * output is YAML that kubectl and yamllint accept and humans can read.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_ctx.h"
#include "xmalloc.h"

struct ybuf {
	char	*s;
	size_t	 n;
	size_t	 cap;
};

static void
yput(struct ybuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void
yputs(struct ybuf *b, const char *s)
{
	yput(b, s, strlen(s));
}

static void
yindent(struct ybuf *b, int n)
{
	while (n-- > 0)
		yputs(b, "  ");
}

static int
plain_key(const char *k)
{
	size_t i;

	if (*k == '\0')
		return 0;
	for (i = 0; k[i] != '\0'; i++)
		if (!isalnum((unsigned char)k[i]) && strchr("_./-", k[i]) ==
		    NULL)
			return 0;
	return 1;
}

static void
yscalar(struct ybuf *b, const json_t *v)
{
	char *s;

	if (json_is_object(v) && json_object_size(v) == 0) {
		yputs(b, "{}");
		return;
	}
	if (json_is_array(v) && json_array_size(v) == 0) {
		yputs(b, "[]");
		return;
	}
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	yputs(b, s);
	free(s);
}

static int
is_block(const json_t *v)
{
	return (json_is_object(v) && json_object_size(v) > 0) ||
	    (json_is_array(v) && json_array_size(v) > 0);
}

static void yvalue(struct ybuf *, const json_t *, int, int);

static void
ykey(struct ybuf *b, const char *k)
{
	if (plain_key(k))
		yputs(b, k);
	else {
		json_t *s = json_string(k);

		yscalar(b, s);
		json_decref(s);
	}
	yputs(b, ":");
}

/* first: the first line is already indented (after "- "). */
static void
yvalue(struct ybuf *b, const json_t *v, int depth, int first)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_object(v) && json_object_size(v) > 0) {
		json_object_foreach((json_t *)v, k, x) {
			if (!first)
				yindent(b, depth);
			first = 0;
			ykey(b, k);
			if (is_block(x)) {
				yputs(b, "\n");
				yvalue(b, x, json_is_array(x) ? depth : depth + 1,
				    0);
			} else {
				yputs(b, " ");
				yscalar(b, x);
				yputs(b, "\n");
			}
		}
	} else if (json_is_array(v) && json_array_size(v) > 0) {
		json_array_foreach(v, i, x) {
			if (!first)
				yindent(b, depth);
			first = 0;
			yputs(b, "- ");
			if (is_block(x))
				yvalue(b, x, depth + 1, 1);
			else {
				yscalar(b, x);
				yputs(b, "\n");
			}
		}
	} else {
		yscalar(b, v);
		yputs(b, "\n");
	}
}

char *
scenario_yaml(const json_t *v)
{
	struct ybuf b = { NULL, 0, 0 };

	yputs(&b, "");
	yvalue(&b, v, 0, 0);
	return b.s;
}
