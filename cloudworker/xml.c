/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The element tree of xml.h over Expat.  Text is trimmed when its
 * element closes: no EC2 or STS value has meaningful surrounding white
 * space, and pretty-printed responses have plenty.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "xml.h"
#include "xmalloc.h"

struct xml_ctx {
	XML_Parser		 p;
	struct eip_xnode	*root;
	struct eip_xnode	*cur;
	unsigned		 depth;
	size_t			 nodes;
	int			 failed;
	char			 why[128];
};

static void
xml_fail(struct xml_ctx *x, const char *why)
{
	if (x->failed)
		return;
	x->failed = 1;
	snprintf(x->why, sizeof(x->why), "%s", why);
	XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL
on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct xml_ctx *x = arg;
	struct eip_xnode *n;
	const char *colon;

	(void)attrs;
	if (x->failed)
		return;
	if (x->cur == NULL && x->root != NULL) {
		xml_fail(x, "more than one root element");
		return;
	}
	if (++x->depth > XML_MAX_DEPTH) {
		xml_fail(x, "elements nested too deeply");
		return;
	}
	if (++x->nodes > XML_MAX_NODES) {
		xml_fail(x, "too many elements");
		return;
	}
	if ((colon = strrchr(name, ':')) != NULL)
		name = colon + 1;
	n = xcalloc(1, sizeof(*n));
	n->name = xstrdup(name);
	n->text = xstrdup("");
	n->parent = x->cur;
	if (x->cur == NULL)
		x->root = n;
	else if (x->cur->last == NULL)
		x->cur->first = x->cur->last = n;
	else {
		x->cur->last->next = n;
		x->cur->last = n;
	}
	x->cur = n;
}

static void
trim(struct eip_xnode *n)
{
	size_t s = 0, e = n->text_len;

	while (s < e && isspace((unsigned char)n->text[s]))
		s++;
	while (e > s && isspace((unsigned char)n->text[e - 1]))
		e--;
	memmove(n->text, n->text + s, e - s);
	n->text[e - s] = '\0';
	n->text_len = e - s;
}

static void XMLCALL
on_end(void *arg, const XML_Char *name)
{
	struct xml_ctx *x = arg;

	(void)name;
	if (x->failed || x->cur == NULL)
		return;
	trim(x->cur);
	x->cur = x->cur->parent;
	x->depth--;
}

static void XMLCALL
on_text(void *arg, const XML_Char *s, int len)
{
	struct xml_ctx *x = arg;
	struct eip_xnode *n = x->cur;

	if (x->failed || n == NULL || len <= 0)
		return;
	/* A value longer than any field we read is not a valid response. */
	if (n->text_len + (size_t)len > (1u << 20)) {
		xml_fail(x, "element text too long");
		return;
	}
	n->text = xreallocarray(n->text, n->text_len + (size_t)len + 1, 1);
	memcpy(n->text + n->text_len, s, (size_t)len);
	n->text_len += (size_t)len;
	n->text[n->text_len] = '\0';
}

static void XMLCALL
on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal;
	/* No cloud API sends a DTD; refusing one rules out entity tricks. */
	xml_fail(arg, "document type declarations are not accepted");
}

static void XMLCALL
on_entity(void *arg, const XML_Char *name, int is_param,
    const XML_Char *value, int value_len, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid, const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	xml_fail(arg, "entity declarations are not accepted");
}

struct eip_xnode *
xml_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	struct xml_ctx x;
	enum XML_Status st;

	memset(&x, 0, sizeof(x));
	if (buf == NULL || len > (size_t)1 << 30) {
		snprintf(err, errlen, "no XML document");
		return NULL;
	}
	if ((x.p = XML_ParserCreate("UTF-8")) == NULL) {
		snprintf(err, errlen, "out of memory for the XML parser");
		return NULL;
	}
	XML_SetUserData(x.p, &x);
	XML_SetElementHandler(x.p, on_start, on_end);
	XML_SetCharacterDataHandler(x.p, on_text);
	XML_SetStartDoctypeDeclHandler(x.p, on_doctype);
	XML_SetEntityDeclHandler(x.p, on_entity);
	st = XML_Parse(x.p, buf, (int)len, XML_TRUE);
	if (x.failed)
		snprintf(err, errlen, "XML: %s", x.why);
	else if (st != XML_STATUS_OK)
		snprintf(err, errlen, "XML line %lu: %s",
		    (unsigned long)XML_GetCurrentLineNumber(x.p),
		    XML_ErrorString(XML_GetErrorCode(x.p)));
	else if (x.root == NULL) {
		snprintf(err, errlen, "XML: no root element");
		x.failed = 1;
	}
	XML_ParserFree(x.p);
	if (x.failed || st != XML_STATUS_OK) {
		xml_free(x.root);
		return NULL;
	}
	return x.root;
}

void
xml_free(struct eip_xnode *n)
{
	struct eip_xnode *c, *next;

	if (n == NULL)
		return;
	/* Iterative over siblings so wide lists do not recurse deeply. */
	for (c = n->first; c != NULL; c = next) {
		next = c->next;
		xml_free(c);
	}
	free(n->name);
	free(n->text);
	free(n);
}

const struct eip_xnode *
xml_child(const struct eip_xnode *n, const char *name)
{
	const struct eip_xnode *c;

	if (n == NULL)
		return NULL;
	for (c = n->first; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

const struct eip_xnode *
xml_next(const struct eip_xnode *n)
{
	const struct eip_xnode *c;

	if (n == NULL)
		return NULL;
	for (c = n->next; c != NULL; c = c->next)
		if (strcmp(c->name, n->name) == 0)
			return c;
	return NULL;
}

const struct eip_xnode *
xml_path(const struct eip_xnode *n, const char *path)
{
	char part[128];
	const char *p = path, *slash;
	size_t l;

	while (n != NULL && *p != '\0') {
		slash = strchr(p, '/');
		l = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (l == 0 || l >= sizeof(part))
			return NULL;
		memcpy(part, p, l);
		part[l] = '\0';
		n = xml_child(n, part);
		p += l;
		if (*p == '/')
			p++;
	}
	return n;
}

const char *
xml_text(const struct eip_xnode *n, const char *path)
{
	n = xml_path(n, path);
	return n != NULL ? n->text : NULL;
}
