/* SPDX-License-Identifier: Apache-2.0 */
/* Form and query encoding for the cloud APIs (see form.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "xmalloc.h"

static void
form_put(struct eip_form *f, const char *s, size_t n)
{
	if (f->len + n + 1 > f->cap) {
		f->cap = (f->len + n + 1) * 2;
		f->buf = xreallocarray(f->buf, f->cap, 1);
	}
	memcpy(f->buf + f->len, s, n);
	f->len += n;
	f->buf[f->len] = '\0';
}

static void
form_put_encoded(struct eip_form *f, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			form_put(f, (const char *)&c, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		form_put(f, e, 3);
	}
}

void
form_add(struct eip_form *f, const char *name, const char *value)
{
	if (f->len > 0)
		form_put(f, "&", 1);
	form_put_encoded(f, name);
	form_put(f, "=", 1);
	form_put_encoded(f, value != NULL ? value : "");
}

void
form_addf(struct eip_form *f, const char *value, const char *namefmt, ...)
{
	char name[256];
	va_list ap;

	va_start(ap, namefmt);
	vsnprintf(name, sizeof(name), namefmt, ap);
	va_end(ap);
	form_add(f, name, value);
}

char *
form_take(struct eip_form *f, size_t *len)
{
	char *s = f->buf != NULL ? f->buf : xstrdup("");

	if (len != NULL)
		*len = f->len;
	f->buf = NULL;
	f->len = f->cap = 0;
	return s;
}

void
form_clear(struct eip_form *f)
{
	free(f->buf);
	f->buf = NULL;
	f->len = f->cap = 0;
}

char *
form_encode(const char *s)
{
	struct eip_form f = { NULL, 0, 0 };

	form_put_encoded(&f, s);
	return form_take(&f, NULL);
}
