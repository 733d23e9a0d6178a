/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AWS Signature Version 4 over OpenSSL's SHA-256 and HMAC.  Follows the
 * published algorithm and the AWS SigV4 test suite: paths are normalized
 * and encoded once, query parameters decoded and re-encoded strictly,
 * header values trimmed with inner whitespace folded.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "sigv4.h"
#include "xmalloc.h"

/* A growable string; every append keeps it NUL-terminated. */
struct sv_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

static void
sv_grow(struct sv_buf *b, size_t more)
{
	size_t cap;

	if (b->len + more + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 128;
	while (cap < b->len + more + 1)
		cap *= 2;
	b->s = xreallocarray(b->s, cap, 1);
	b->cap = cap;
}

static void
sv_addn(struct sv_buf *b, const char *s, size_t n)
{
	sv_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
sv_add(struct sv_buf *b, const char *s)
{
	sv_addn(b, s, strlen(s));
}

static void
sv_addc(struct sv_buf *b, char c)
{
	sv_addn(b, &c, 1);
}

static char *
sv_take(struct sv_buf *b)
{
	if (b->s == NULL)
		return xstrdup("");
	return b->s;
}

static int
sv_unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

/* RFC 3986 encoding of every byte outside the unreserved set (and '/'). */
static void
sv_encode(struct sv_buf *b, const char *s, size_t n, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (sv_unreserved(c) || (keep_slash && c == '/'))
			sv_addc(b, (char)c);
		else {
			sv_addc(b, '%');
			sv_addc(b, hex[c >> 4]);
			sv_addc(b, hex[c & 15]);
		}
	}
}

static int
sv_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decodes n bytes into a new buffer, with '+' as a space: clients
 * that build the query with form encoding (botocore does) send "a+b" and
 * sign "a%20b", and a literal plus always arrives as %2B.  A malformed
 * escape is kept as written, so that its '%' is then encoded.
 */
static char *
sv_decode(const char *s, size_t n, size_t *outlen)
{
	char *out = xmalloc(n + 1);
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (hi = sv_hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = sv_hexval((unsigned char)s[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+')
			out[o++] = ' ';
		else
			out[o++] = s[i];
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

char *
sigv4_canonical_uri(const char *path)
{
	struct sv_buf out = { 0 };
	const char **segs;
	size_t *lens, nseg = 0, cap, i, len;
	const char *p, *e;

	if (path == NULL || *path == '\0')
		return xstrdup("/");
	len = strlen(path);
	cap = len / 2 + 2;
	segs = xreallocarray(NULL, cap, sizeof(*segs));
	lens = xreallocarray(NULL, cap, sizeof(*lens));
	/*
	 * Remove dot segments (RFC 3986 5.2.4) and empty segments, which
	 * AWS also drops; keep a leading and (if anything is left) a
	 * trailing slash.
	 */
	for (p = path; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if (e == p || (e - p == 1 && p[0] == '.'))
			continue;
		if (e - p == 2 && p[0] == '.' && p[1] == '.') {
			if (nseg > 0)
				nseg--;
			continue;
		}
		segs[nseg] = p;
		lens[nseg++] = (size_t)(e - p);
	}
	if (path[0] == '/')
		sv_addc(&out, '/');
	for (i = 0; i < nseg; i++) {
		if (i > 0)
			sv_addc(&out, '/');
		sv_encode(&out, segs[i], lens[i], 0);
	}
	if (path[len - 1] == '/' && nseg > 0)
		sv_addc(&out, '/');
	if (out.len == 0)
		sv_addc(&out, '/');
	free(segs);
	free(lens);
	return sv_take(&out);
}

struct sv_param {
	char	*name;
	char	*value;
};

static int
sv_param_cmp(const void *a, const void *b)
{
	const struct sv_param *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->value, y->value);
}

char *
sigv4_canonical_query(const char *query)
{
	struct sv_buf out = { 0 }, tmp;
	struct sv_param *params = NULL;
	size_t n = 0, cap = 0, i, dlen;
	const char *p, *amp, *eq;
	char *d;

	if (query == NULL || *query == '\0')
		return xstrdup("");
	for (p = query; ; p = amp + 1) {
		amp = strchr(p, '&');
		if (amp == NULL)
			amp = p + strlen(p);
		if (amp > p) {
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				params = xreallocarray(params, cap,
				    sizeof(*params));
			}
			eq = memchr(p, '=', (size_t)(amp - p));
			memset(&tmp, 0, sizeof(tmp));
			d = sv_decode(p, (size_t)((eq ? eq : amp) - p), &dlen);
			sv_encode(&tmp, d, dlen, 0);
			free(d);
			params[n].name = sv_take(&tmp);
			memset(&tmp, 0, sizeof(tmp));
			if (eq != NULL) {
				d = sv_decode(eq + 1, (size_t)(amp - eq - 1),
				    &dlen);
				sv_encode(&tmp, d, dlen, 0);
				free(d);
			}
			params[n].value = sv_take(&tmp);
			n++;
		}
		if (*amp == '\0')
			break;
	}
	if (n > 1)
		qsort(params, n, sizeof(*params), sv_param_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0)
			sv_addc(&out, '&');
		sv_add(&out, params[i].name);
		sv_addc(&out, '=');
		sv_add(&out, params[i].value);
		free(params[i].name);
		free(params[i].value);
	}
	free(params);
	return sv_take(&out);
}

struct sv_hdr {
	char	*name;		/* lower case */
	char	*value;		/* trimmed, whitespace folded */
	size_t	 order;
};

static int
sv_hdr_cmp(const void *a, const void *b)
{
	const struct sv_hdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
sv_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' ||
	    c == '\f' || c == '\r';
}

/* Trims a header value and folds inner runs of whitespace to one space. */
static char *
sv_trimall(const char *v)
{
	struct sv_buf b = { 0 };
	int pending = 0;

	for (; *v != '\0'; v++) {
		if (sv_space((unsigned char)*v)) {
			pending = b.len > 0;
			continue;
		}
		if (pending)
			sv_addc(&b, ' ');
		pending = 0;
		sv_addc(&b, *v);
	}
	return sv_take(&b);
}

char *
sigv4_canonical_headers(const struct sigv4_header *hs, size_t n,
    char **signed_headers)
{
	struct sv_buf out = { 0 }, names = { 0 };
	struct sv_hdr *h;
	size_t i, j;
	char *p;

	if (n == 0)
		return NULL;
	h = xcalloc(n, sizeof(*h));
	for (i = 0; i < n; i++) {
		if (hs[i].name == NULL || hs[i].value == NULL ||
		    hs[i].name[0] == '\0') {
			for (j = 0; j < i; j++) {
				free(h[j].name);
				free(h[j].value);
			}
			free(h);
			return NULL;
		}
		h[i].name = sv_trimall(hs[i].name);
		for (p = h[i].name; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		h[i].value = sv_trimall(hs[i].value);
		h[i].order = i;
	}
	qsort(h, n, sizeof(*h), sv_hdr_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(h[i].name, h[i - 1].name) == 0) {
			/* Same name again: join its values with ','. */
			out.len--;		/* drop the '\n' */
			sv_addc(&out, ',');
		} else {
			if (names.len > 0)
				sv_addc(&names, ';');
			sv_add(&names, h[i].name);
			sv_add(&out, h[i].name);
			sv_addc(&out, ':');
		}
		sv_add(&out, h[i].value);
		sv_addc(&out, '\n');
	}
	for (i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
	if (signed_headers != NULL)
		*signed_headers = sv_take(&names);
	else
		free(names.s);
	return sv_take(&out);
}

void
sigv4_sha256_hex(const void *data, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	int i;

	SHA256(data != NULL ? data : (const void *)"", len, md);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[SIGV4_HEX_LEN] = '\0';
}

char *
sigv4_canonical_request(const struct sigv4_request *r)
{
	struct sv_buf out = { 0 };
	char *uri, *query, *hdrs, *names = NULL;
	char hash[SIGV4_HEX_LEN + 1];
	const char *m;

	if (r == NULL || r->method == NULL || r->method[0] == '\0')
		return NULL;
	hdrs = sigv4_canonical_headers(r->headers, r->nheaders, &names);
	if (hdrs == NULL)
		return NULL;
	uri = sigv4_canonical_uri(r->path);
	query = sigv4_canonical_query(r->query);
	for (m = r->method; *m != '\0'; m++)
		sv_addc(&out, (char)toupper((unsigned char)*m));
	sv_addc(&out, '\n');
	sv_add(&out, uri);
	sv_addc(&out, '\n');
	sv_add(&out, query);
	sv_addc(&out, '\n');
	sv_add(&out, hdrs);
	sv_addc(&out, '\n');
	sv_add(&out, names);
	sv_addc(&out, '\n');
	if (r->payload_hash != NULL)
		sv_add(&out, r->payload_hash);
	else {
		sigv4_sha256_hex(r->body, r->body_len, hash);
		sv_add(&out, hash);
	}
	free(uri);
	free(query);
	free(hdrs);
	free(names);
	return sv_take(&out);
}

static int
sv_amzdate_ok(const char *d)
{
	int i;

	if (d == NULL || strlen(d) != SIGV4_AMZDATE_LEN || d[8] != 'T' ||
	    d[15] != 'Z')
		return 0;
	for (i = 0; i < 15; i++)
		if (i != 8 && !isdigit((unsigned char)d[i]))
			return 0;
	return 1;
}

char *
sigv4_string_to_sign(const char *amzdate, const char *region,
    const char *service, const char *creq)
{
	struct sv_buf out = { 0 };
	char hash[SIGV4_HEX_LEN + 1];

	if (!sv_amzdate_ok(amzdate) || region == NULL || service == NULL ||
	    creq == NULL)
		return NULL;
	sv_add(&out, SIGV4_ALGORITHM "\n");
	sv_add(&out, amzdate);
	sv_addc(&out, '\n');
	sv_addn(&out, amzdate, 8);
	sv_addc(&out, '/');
	sv_add(&out, region);
	sv_addc(&out, '/');
	sv_add(&out, service);
	sv_add(&out, "/aws4_request\n");
	sigv4_sha256_hex(creq, strlen(creq), hash);
	sv_add(&out, hash);
	return sv_take(&out);
}

static void
sv_hmac(const unsigned char *key, size_t klen, const char *msg,
    unsigned char out[32])
{
	unsigned int len = 32;

	HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg,
	    strlen(msg), out, &len);
}

void
sigv4_signing_key(const char *secret, const char *date8, const char *region,
    const char *service, unsigned char key[32])
{
	unsigned char k[32];
	char *first;
	size_t flen;

	xasprintf(&first, "AWS4%s", secret);
	flen = strlen(first);
	sv_hmac((const unsigned char *)first, flen, date8, k);
	explicit_bzero(first, flen);
	free(first);
	sv_hmac(k, 32, region, k);
	sv_hmac(k, 32, service, k);
	sv_hmac(k, 32, "aws4_request", key);
	explicit_bzero(k, sizeof(k));
}

int
sigv4_signature(const struct sigv4_request *r, const char *secret,
    const char *amzdate, const char *region, const char *service, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char key[32], sig[32];
	char *creq, *sts, date8[9];
	int i;

	if (secret == NULL || !sv_amzdate_ok(amzdate))
		return -1;
	if ((creq = sigv4_canonical_request(r)) == NULL)
		return -1;
	sts = sigv4_string_to_sign(amzdate, region, service, creq);
	free(creq);
	if (sts == NULL)
		return -1;
	memcpy(date8, amzdate, 8);
	date8[8] = '\0';
	sigv4_signing_key(secret, date8, region, service, key);
	sv_hmac(key, sizeof(key), sts, sig);
	explicit_bzero(key, sizeof(key));
	free(sts);
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[sig[i] >> 4];
		out[2 * i + 1] = hex[sig[i] & 15];
	}
	out[SIGV4_HEX_LEN] = '\0';
	return 0;
}

int
sigv4_sign(const struct sigv4_request *r, const struct sigv4_credentials *c,
    const char *amzdate, char **authorization, char *signature)
{
	char sig[SIGV4_HEX_LEN + 1], *hdrs, *names = NULL;

	if (c == NULL || c->access_key == NULL || c->region == NULL ||
	    c->service == NULL)
		return -1;
	if (sigv4_signature(r, c->secret_key, amzdate, c->region, c->service,
	    sig) == -1)
		return -1;
	hdrs = sigv4_canonical_headers(r->headers, r->nheaders, &names);
	free(hdrs);
	xasprintf(authorization, SIGV4_ALGORITHM " Credential=%s/%.8s/%s/%s/"
	    "aws4_request, SignedHeaders=%s, Signature=%s", c->access_key,
	    amzdate, c->region, c->service, names, sig);
	free(names);
	if (signature != NULL)
		memcpy(signature, sig, sizeof(sig));
	return 0;
}

/* Copies [s, s+n) into dst[cap] if it fits and is non-empty. */
static int
sv_copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n == 0 || n >= cap)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int
sigv4_parse_authorization(const char *h, struct sigv4_auth *a, char *err,
    size_t errlen)
{
	const char *p, *e, *v, *parts[5];
	int have_cred = 0, have_sh = 0, have_sig = 0, i;
	size_t n, alen = strlen(SIGV4_ALGORITHM);

	memset(a, 0, sizeof(*a));
	if (h == NULL) {
		snprintf(err, errlen, "no Authorization header");
		return -1;
	}
	while (*h == ' ')
		h++;
	if (strncmp(h, SIGV4_ALGORITHM, alen) != 0 ||
	    (h[alen] != ' ' && h[alen] != '\t')) {
		snprintf(err, errlen, "Unsupported AWS 'algorithm'");
		return -1;
	}
	for (p = h + alen; *p != '\0'; p = *e ? e + 1 : e) {
		while (*p == ' ' || *p == '\t')
			p++;
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		n = (size_t)(e - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0)
			continue;
		v = memchr(p, '=', n);
		if (v == NULL) {
			snprintf(err, errlen, "Authorization component without "
			    "'='");
			return -1;
		}
		v++;
		n -= (size_t)(v - p);
		if (strncmp(p, "Credential=", 11) == 0 && !have_cred) {
			/* AK/date/region/service/aws4_request */
			parts[0] = v;
			for (i = 1; i < 5; i++) {
				parts[i] = memchr(parts[i - 1], '/',
				    (size_t)(v + n - parts[i - 1]));
				if (parts[i] == NULL)
					break;
				parts[i]++;
			}
			if (i < 5 || memchr(parts[4], '/',
			    (size_t)(v + n - parts[4])) != NULL ||
			    (size_t)(v + n - parts[4]) != 12 ||
			    strncmp(parts[4], "aws4_request", 12) != 0 ||
			    sv_copy(a->access_key, sizeof(a->access_key),
			    parts[0], (size_t)(parts[1] - parts[0] - 1)) ||
			    parts[2] - parts[1] - 1 != 8 ||
			    sv_copy(a->date, sizeof(a->date), parts[1], 8) ||
			    sv_copy(a->region, sizeof(a->region), parts[2],
			    (size_t)(parts[3] - parts[2] - 1)) ||
			    sv_copy(a->service, sizeof(a->service), parts[3],
			    (size_t)(parts[4] - parts[3] - 1))) {
				snprintf(err, errlen, "malformed Credential");
				return -1;
			}
			have_cred = 1;
		} else if (strncmp(p, "SignedHeaders=", 14) == 0 && !have_sh) {
			if (sv_copy(a->signed_headers,
			    sizeof(a->signed_headers), v, n) == -1) {
				snprintf(err, errlen, "malformed SignedHeaders");
				return -1;
			}
			have_sh = 1;
		} else if (strncmp(p, "Signature=", 10) == 0 && !have_sig) {
			if (n != SIGV4_HEX_LEN || sv_copy(a->signature,
			    sizeof(a->signature), v, n) == -1) {
				snprintf(err, errlen, "malformed Signature");
				return -1;
			}
			for (i = 0; i < SIGV4_HEX_LEN; i++)
				if (sv_hexval((unsigned char)v[i]) < 0) {
					snprintf(err, errlen,
					    "malformed Signature");
					return -1;
				}
			have_sig = 1;
		} else {
			snprintf(err, errlen, "unexpected Authorization "
			    "component");
			return -1;
		}
	}
	if (!have_cred || !have_sh || !have_sig) {
		snprintf(err, errlen, "Authorization header requires "
		    "'Credential', 'SignedHeaders' and 'Signature'");
		return -1;
	}
	return 0;
}

void
sigv4_format_amzdate(time_t t, char out[SIGV4_AMZDATE_LEN + 1])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, SIGV4_AMZDATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm);
}

int
sigv4_parse_amzdate(const char *s, time_t *out)
{
	struct tm tm;
	int v[6], i, pos[6] = { 0, 4, 6, 9, 11, 13 }, w[6] = { 4, 2, 2, 2, 2, 2 };
	int j;

	if (!sv_amzdate_ok(s))
		return -1;
	for (i = 0; i < 6; i++) {
		v[i] = 0;
		for (j = 0; j < w[i]; j++)
			v[i] = v[i] * 10 + (s[pos[i] + j] - '0');
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 ||
	    v[4] > 59 || v[5] > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	*out = timegm(&tm);
	return 0;
}

int
sigv4_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = 0;

	if (la != lb)
		return 0;
	for (i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}
