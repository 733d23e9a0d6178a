/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small codecs for the Kubernetes API handler: query strings,
 * percent-decoding, base64url (continue tokens), Go durations and media
 * types.  Pure functions over untrusted input.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_kube.h"
#include "xmalloc.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
util_url_decode(const char *in, size_t n, char *out, size_t len)
{
	size_t i, j = 0;
	int h, l;

	if (len == 0)
		return;
	for (i = 0; i < n && j + 1 < len; i++) {
		if (in[i] == '%' && i + 2 < n &&
		    (h = hexval(in[i + 1])) >= 0 && (l = hexval(in[i + 2])) >= 0) {
			out[j++] = (char)(h * 16 + l);
			i += 2;
		} else if (in[i] == '+')
			out[j++] = ' ';
		else
			out[j++] = in[i];
	}
	out[j] = '\0';
}

int
util_query_get(const char *q, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key), n;
	const char *p = q, *amp, *eq;
	char name[128];

	while (p != NULL && *p != '\0') {
		amp = strchr(p, '&');
		n = amp != NULL ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', n);
		util_url_decode(p, eq != NULL ? (size_t)(eq - p) : n, name,
		    sizeof(name));
		if (strlen(name) == klen && strcmp(name, key) == 0) {
			if (eq != NULL)
				util_url_decode(eq + 1, n - (eq + 1 - p), buf,
				    len);
			else if (len > 0)
				buf[0] = '\0';
			return 1;
		}
		p = amp != NULL ? amp + 1 : NULL;
	}
	return 0;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *
util_b64url_encode(const char *in, size_t n)
{
	char *out = xmalloc(n / 3 * 4 + 5), *o = out;
	const unsigned char *s = (const unsigned char *)in;
	size_t i;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = s[i] << 16 | s[i + 1] << 8 | s[i + 2];
		*o++ = b64[v >> 18];
		*o++ = b64[(v >> 12) & 63];
		*o++ = b64[(v >> 6) & 63];
		*o++ = b64[v & 63];
	}
	if (n - i == 1) {
		v = s[i] << 16;
		*o++ = b64[v >> 18];
		*o++ = b64[(v >> 12) & 63];
	} else if (n - i == 2) {
		v = s[i] << 16 | s[i + 1] << 8;
		*o++ = b64[v >> 18];
		*o++ = b64[(v >> 12) & 63];
		*o++ = b64[(v >> 6) & 63];
	}
	*o = '\0';
	return out;
}

/* Accepts base64url or standard base64, padded or not; NULL if invalid. */
char *
util_b64url_decode(const char *in, size_t *outlen)
{
	size_t n = strlen(in), i, j = 0;
	char *out = xmalloc(n * 3 / 4 + 3);
	unsigned v = 0;
	int bits = 0, c;
	const char *p;

	while (n > 0 && in[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++) {
		c = in[i] == '+' ? '-' : in[i] == '/' ? '_' : in[i];
		if (c == '\0' || (p = strchr(b64, c)) == NULL) {
			free(out);
			return NULL;
		}
		v = (v << 6) | (unsigned)(p - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[j++] = (char)((v >> bits) & 0xff);
		}
	}
	out[j] = '\0';
	*outlen = j;
	return out;
}

long
util_parse_duration_ms(const char *s)
{
	double total = 0, v;
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	if (strcmp(s, "0") == 0)
		return 0;
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s) && *s != '.')
			return -1;
		v = strtod(s, &end);
		if (end == s)
			return -1;
		s = end;
		if (strncmp(s, "ms", 2) == 0) {
			total += v;
			s += 2;
		} else if (*s == 's') {
			total += v * 1000;
			s++;
		} else if (*s == 'm') {
			total += v * 60000;
			s++;
		} else if (*s == 'h') {
			total += v * 3600000;
			s++;
		} else
			return -1;
		if (total > 1e12)
			return -1;
	}
	return (long)total;
}

void
util_media_type(const char *ctype, char *buf, size_t len)
{
	size_t i, j = 0;

	if (len == 0)
		return;
	for (i = 0; ctype != NULL && ctype[i] != '\0' && ctype[i] != ';' &&
	    j + 1 < len; i++)
		if (!isspace((unsigned char)ctype[i]))
			buf[j++] = (char)tolower((unsigned char)ctype[i]);
	buf[j] = '\0';
}
