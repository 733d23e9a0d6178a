/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minimal strict YAML reader for kubeconfig files (see kyaml.h).  Pure:
 * text in, JSON tree out.  Line based: each non-empty line is a mapping
 * entry or a sequence item, and indentation gives the nesting.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kyaml.h"
#include "xmalloc.h"

struct yline {
	int	 indent;
	int	 lineno;
	int	 item;		/* began with "- " (the dash is blanked) */
	char	*text;		/* after the indentation, comment cut */
};

struct yparse {
	struct yline	*l;
	size_t		 n, i;
	char		*err;
	size_t		 errlen;
	int		 failed;
};

static void
yerr(struct yparse *p, int lineno, const char *fmt, ...)
{
	va_list ap;
	char msg[200];

	if (p->failed)
		return;
	p->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "line %d: %s", lineno, msg);
}

/* Cuts a comment: '#' at the start or after a blank, outside quotes. */
static void
cut_comment(char *s)
{
	char q = 0, *c;

	for (c = s; *c != '\0'; c++) {
		if (q != 0) {
			if (*c == q)
				q = 0;
		} else if (*c == '"' || *c == '\'') {
			if (c == s || c[-1] == ' ' || c[-1] == ':' ||
			    c[-1] == '-')
				q = *c;
		} else if (*c == '#' && (c == s || c[-1] == ' ' ||
		    c[-1] == '\t')) {
			*c = '\0';
			break;
		}
	}
	c = s + strlen(s);
	while (c > s && (c[-1] == ' ' || c[-1] == '\r'))
		*--c = '\0';
}

static json_t *
scalar(struct yparse *p, int lineno, const char *s)
{
	char *out, *o;
	const char *c;
	size_t len = strlen(s);
	json_t *j;

	if (len == 0 || strcmp(s, "null") == 0 || strcmp(s, "~") == 0)
		return json_null();
	if (strcmp(s, "{}") == 0)
		return json_object();
	if (strcmp(s, "[]") == 0)
		return json_array();
	if (*s == '&' || *s == '*' || *s == '!' || *s == '|' || *s == '>' ||
	    *s == '{' || *s == '[' || *s == '@' || *s == '`') {
		yerr(p, lineno, "unsupported YAML ('%c' at the start of a value)",
		    *s);
		return NULL;
	}
	if (*s != '"' && *s != '\'')
		return json_string(s);
	if (len < 2 || s[len - 1] != *s) {
		yerr(p, lineno, "unterminated quoted string");
		return NULL;
	}
	out = o = xmalloc(len);
	for (c = s + 1; c < s + len - 1; c++) {
		if (*s == '\'' && *c == '\'') {
			if (c[1] != '\'')
				goto bad;
			*o++ = *c++;
		} else if (*s == '"' && *c == '\\') {
			c++;
			switch (*c) {
			case '"': case '\\': case '/': *o++ = *c; break;
			case 'n': *o++ = '\n'; break;
			case 't': *o++ = '\t'; break;
			default: goto bad;
			}
		} else if (*s == '"' && *c == '"') {
			goto bad;
		} else
			*o++ = *c;
	}
	*o = '\0';
	j = json_string(out);
	free(out);
	if (j == NULL)
		yerr(p, lineno, "string is not valid UTF-8");
	return j;
bad:
	free(out);
	yerr(p, lineno, "bad quoting or escape in a string");
	return NULL;
}

static json_t *parse_block(struct yparse *, int indent);

/* Splits "key: value" (or "key:") at the first ": " outside quotes. */
static int
split_key(char *t, char **key, char **val)
{
	char *c;

	if (*t == '"' || *t == '\'') {
		if ((c = strchr(t + 1, *t)) == NULL)
			return -1;
		c++;
	} else
		c = t;
	for (; *c != '\0'; c++)
		if (*c == ':' && (c[1] == ' ' || c[1] == '\0'))
			break;
	if (*c != ':')
		return -1;
	*c = '\0';
	*key = t;
	*val = c[1] != '\0' ? c + 2 : c + 1;
	while (**val == ' ')
		(*val)++;
	return 0;
}

/* Whether a sequence item's text starts a mapping ("key: ..."). */
static int
is_entry(const char *t)
{
	const char *c = t;

	if (*t == '"' || *t == '\'') {
		if ((c = strchr(t + 1, *t)) == NULL)
			return 0;
		return c[1] == ':' && (c[2] == ' ' || c[2] == '\0');
	}
	return strstr(t, ": ") != NULL || t[strlen(t) - 1] == ':';
}

static json_t *
parse_map(struct yparse *p, int indent)
{
	json_t *m = json_object(), *v, *k;
	struct yline *l;
	char *key, *val;

	while (p->i < p->n && !p->failed) {
		l = &p->l[p->i];
		if (l->indent < indent || (l->indent == indent && l->item))
			break;
		if (l->indent > indent) {
			yerr(p, l->lineno, "unexpected indentation");
			break;
		}
		if (split_key(l->text, &key, &val) == -1) {
			yerr(p, l->lineno, "expected 'key: value'");
			break;
		}
		if ((k = scalar(p, l->lineno, key)) == NULL ||
		    !json_is_string(k)) {
			json_decref(k);
			yerr(p, l->lineno, "bad key");
			break;
		}
		if (json_object_get(m, json_string_value(k)) != NULL) {
			yerr(p, l->lineno, "duplicate key '%.64s'",
			    json_string_value(k));
			json_decref(k);
			break;
		}
		p->i++;
		if (*val == '\0' && p->i < p->n &&
		    (p->l[p->i].indent > indent ||
		    (p->l[p->i].indent == indent && p->l[p->i].item)))
			v = parse_block(p, p->l[p->i].indent);
		else
			v = scalar(p, l->lineno, val);
		if (v == NULL) {
			json_decref(k);
			break;
		}
		json_object_set_new(m, json_string_value(k), v);
		json_decref(k);
	}
	return m;
}

static json_t *
parse_seq(struct yparse *p, int indent)
{
	json_t *a = json_array(), *v;
	struct yline *l;

	while (p->i < p->n && !p->failed) {
		l = &p->l[p->i];
		if (l->indent != indent || !l->item)
			break;
		/* The item's content sits two columns right of the dash. */
		l->item = 0;
		l->indent += 2;
		if (*l->text == '\0') {
			p->i++;
			if (p->i < p->n && p->l[p->i].indent > indent)
				v = parse_block(p, p->l[p->i].indent);
			else
				v = json_null();
		} else if (!is_entry(l->text)) {
			v = scalar(p, l->lineno, l->text);
			p->i++;
		} else
			v = parse_map(p, l->indent);
		if (v == NULL)
			break;
		json_array_append_new(a, v);
		if (p->i < p->n && p->l[p->i].indent > indent &&
		    !p->failed) {
			yerr(p, p->l[p->i].lineno, "unexpected indentation");
			break;
		}
	}
	return a;
}

static json_t *
parse_block(struct yparse *p, int indent)
{
	if (p->l[p->i].item)
		return parse_seq(p, indent);
	return parse_map(p, indent);
}

/* Splits the text into lines; dashes of sequence items become blanks. */
static int
split_lines(struct yparse *p, char *s)
{
	char *line, *save = NULL, *t;
	int lineno = 0, ind;
	size_t cap = 0;

	for (line = strtok_r(s, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		cut_comment(line);
		for (ind = 0; line[ind] == ' '; ind++)
			;
		t = line + ind;
		if (*t == '\t') {
			yerr(p, lineno, "tab in indentation");
			return -1;
		}
		if (*t == '\0')
			continue;
		if (strcmp(t, "---") == 0 && p->n == 0)
			continue;
		if (strncmp(t, "---", 3) == 0 || strncmp(t, "...", 3) == 0) {
			yerr(p, lineno, "multiple documents are not supported");
			return -1;
		}
		if (p->n == cap) {
			cap = cap ? cap * 2 : 64;
			p->l = xreallocarray(p->l, cap, sizeof(*p->l));
		}
		p->l[p->n].indent = ind;
		p->l[p->n].lineno = lineno;
		p->l[p->n].item = 0;
		if (t[0] == '-' && (t[1] == ' ' || t[1] == '\0')) {
			p->l[p->n].item = 1;
			t += t[1] ? 2 : 1;
			while (*t == ' ')
				t++;
		}
		p->l[p->n].text = t;
		p->n++;
	}
	return 0;
}

json_t *
kyaml_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct yparse p;
	json_error_t je;
	json_t *root = NULL;
	char *copy;
	size_t i;

	for (i = 0; i < len && (text[i] == ' ' || text[i] == '\n' ||
	    text[i] == '\r' || text[i] == '\t'); i++)
		;
	if (i < len && text[i] == '{') {
		root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
		if (root == NULL)
			snprintf(err, errlen, "line %d: %s", je.line, je.text);
		return root;
	}
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "NUL byte in the file");
		return NULL;
	}
	memset(&p, 0, sizeof(p));
	p.err = err;
	p.errlen = errlen;
	copy = xstrndup(text, len);
	if (split_lines(&p, copy) == 0) {
		if (p.n == 0)
			root = json_object();
		else if (p.l[0].indent != 0)
			yerr(&p, p.l[0].lineno, "unexpected indentation");
		else {
			root = parse_block(&p, 0);
			if (!p.failed && p.i < p.n)
				yerr(&p, p.l[p.i].lineno,
				    "unexpected indentation");
		}
	}
	if (p.failed) {
		json_decref(root);
		root = NULL;
	}
	free(p.l);
	free(copy);
	return root;
}
