/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small helpers of the cloud simulator: a string builder with XML
 * escaping, form decoding, ids and secrets, time formatting, wildcard
 * matching (EC2 filter values) and the subnet address rules.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sim_cloud_priv.h"
#include "xmalloc.h"

static void
sc_buf_grow(struct sc_buf *b, size_t more)
{
	size_t cap;

	if (b->len + more + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	b->s = xreallocarray(b->s, cap, 1);
	b->cap = cap;
}

void
sc_buf_addn(struct sc_buf *b, const char *s, size_t n)
{
	sc_buf_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sc_buf_add(struct sc_buf *b, const char *s)
{
	sc_buf_addn(b, s, strlen(s));
}

void
sc_buf_addf(struct sc_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("out of memory");
	sc_buf_addn(b, s, (size_t)n);
	free(s);
}

/*
 * Escapes text for an XML element (the simulator writes no attribute
 * values but constants, so quotes stay as they are).  Control characters
 * other than tab and newline cannot appear in XML 1.0 at all, so they
 * become U+FFFD rather than an unparsable document.
 */
void
sc_buf_xml(struct sc_buf *b, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			sc_buf_add(b, "&amp;");
			break;
		case '<':
			sc_buf_add(b, "&lt;");
			break;
		case '>':
			sc_buf_add(b, "&gt;");
			break;
		default:
			if (*p < 0x20 && *p != '\t' && *p != '\n')
				sc_buf_add(b, "\xef\xbf\xbd");
			else
				sc_buf_addn(b, (const char *)p, 1);
		}
	}
}

void
sc_buf_elem(struct sc_buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	sc_buf_addf(b, "<%s>", name);
	sc_buf_xml(b, value);
	sc_buf_addf(b, "</%s>", name);
}

char *
sc_buf_take(struct sc_buf *b, size_t *len)
{
	char *s;

	if (b->s == NULL)
		sc_buf_grow(b, 0), b->s[0] = '\0';
	s = b->s;
	if (len != NULL)
		*len = b->len;
	memset(b, 0, sizeof(*b));
	return s;
}

static int
sc_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX (and '+' if asked); a malformed escape stays literal. */
char *
sc_urldecode(const char *s, size_t n, int plus_is_space)
{
	char *out = xmalloc(n + 1);
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (hi = sc_hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = sc_hexval((unsigned char)s[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus_is_space)
			out[o++] = ' ';
		else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

void
sc_form_parse(const char *s, size_t len, struct sc_form *f)
{
	const char *p = s, *end = s + len, *amp, *eq;
	size_t cap = 0;

	memset(f, 0, sizeof(*f));
	if (s == NULL)
		return;
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp > p) {
			if (f->n == cap) {
				cap = cap ? cap * 2 : 16;
				f->name = xreallocarray(f->name, cap,
				    sizeof(*f->name));
				f->value = xreallocarray(f->value, cap,
				    sizeof(*f->value));
			}
			eq = memchr(p, '=', (size_t)(amp - p));
			f->name[f->n] = sc_urldecode(p,
			    (size_t)((eq ? eq : amp) - p), 1);
			f->value[f->n] = eq ? sc_urldecode(eq + 1,
			    (size_t)(amp - eq - 1), 1) : xstrdup("");
			f->n++;
		}
		p = amp + 1;
	}
}

/* The first value of a parameter, or NULL. */
const char *
sc_form_get(const struct sc_form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			return f->value[i];
	return NULL;
}

void
sc_form_free(struct sc_form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->name[i]);
		free(f->value[i]);
	}
	free(f->name);
	free(f->value);
	memset(f, 0, sizeof(*f));
}

double
sc_now(const struct sim_cloud *sc)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9 + sc->clock_offset;
}

void
sc_iso8601(double t, int millis, char *out, size_t len)
{
	time_t s = (time_t)floor(t);
	struct tm tm;
	char base[32];

	gmtime_r(&s, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	if (millis)
		snprintf(out, len, "%s.%03dZ", base,
		    (int)((t - floor(t)) * 1000) % 1000);
	else
		snprintf(out, len, "%sZ", base);
}

/* splitmix64: reproducible ids for a given seed. */
uint64_t
sc_rand(struct sim_cloud *sc)
{
	uint64_t z = (sc->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double
sc_rand01(struct sim_cloud *sc)
{
	return (double)(sc_rand(sc) >> 11) / 9007199254740992.0;
}

void
sc_uuid(struct sim_cloud *sc, char out[37])
{
	uint64_t a = sc_rand(sc), b = sc_rand(sc);

	snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012llx",
	    (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
	    (unsigned)a & 0xfff, (unsigned)((b >> 48) & 0x3fff) | 0x8000,
	    (unsigned long long)(b & 0xffffffffffffULL));
}

/* prefix + 17 hex digits, the shape of EC2's long ids. */
void
sc_hexid(struct sim_cloud *sc, const char *prefix, char *out, size_t len)
{
	uint64_t a = sc_rand(sc), b = sc_rand(sc);

	snprintf(out, len, "%s%01x%016llx", prefix, (unsigned)(b & 0xf),
	    (unsigned long long)a);
}

void
sc_secret(char *out, size_t len, const char *alphabet)
{
	size_t alen = strlen(alphabet), i;
	unsigned char r[256];
	ssize_t n;

	if (len == 0)
		return;
	for (i = 0; i + 1 < len; i++) {
		if (i % sizeof(r) == 0) {
			n = getrandom(r, sizeof(r), 0);
			if (n != (ssize_t)sizeof(r))
				fatal("getrandom");
		}
		out[i] = alphabet[r[i % sizeof(r)] % alen];
	}
	out[len - 1] = '\0';
}

char *
sc_b64url(const void *data, size_t len)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *p = data;
	char *out = xmalloc(len * 4 / 3 + 4), *o = out;
	size_t i;
	uint32_t v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = tab[(v >> 6) & 63];
		*o++ = tab[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)p[i] << 16;
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
	} else if (len - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = tab[(v >> 6) & 63];
	}
	*o = '\0';
	return out;
}

/* EC2 filter values: '*' any run, '?' one character, no escapes. */
int
sc_wildcard(const char *pat, const char *s)
{
	const char *star = NULL, *mark = NULL;

	while (*s != '\0') {
		if (*pat == '*') {
			star = pat++;
			mark = s;
		} else if (*pat == '?' || *pat == *s) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star + 1;
			s = ++mark;
		} else
			return 0;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

const char *
sc_cfg_str(const json_t *cfg, const char *key, const char *dflt)
{
	const json_t *v = cfg != NULL ? json_object_get(cfg, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : dflt;
}

double
sc_cfg_num(const json_t *cfg, const char *key, double dflt)
{
	const json_t *v = cfg != NULL ? json_object_get(cfg, key) : NULL;

	return json_is_number(v) ? json_number_value(v) : dflt;
}

int
sc_subnet_contains(const struct sc_subnet *sn, const struct eip_ip *ip)
{
	return cidr_contains(&sn->cidr, ip);
}

int
sc_subnet_reserved(const struct sc_subnet *sn, const struct eip_ip *ip)
{
	u128 off;

	if (cidr_offset(&sn->cidr, ip, &off) == -1)
		return 0;
	return off < 4 || off == cidr_last_offset(&sn->cidr);
}

int
sc_write_file(const char *dir, const char *name, const char *content,
    int mode, char *err, size_t errlen)
{
	char *path, *tmp;
	size_t len = strlen(content), off = 0;
	ssize_t n;
	int fd;

	xasprintf(&path, "%s/%s", dir, name);
	xasprintf(&tmp, "%s/.%s.tmp", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	while (off < len) {
		n = write(fd, content + off, len - off);
		if (n <= 0) {
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			goto fail;
		}
		off += (size_t)n;
	}
	/* Renamed into place so a reader never sees half a file. */
	if (fchmod(fd, mode) == -1 || close(fd) == -1 ||
	    rename(tmp, path) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto fail;
	}
	free(path);
	free(tmp);
	return 0;
fail:
	free(path);
	free(tmp);
	return -1;
}
