/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One-line logging in text or JSON, with run-time levels and redaction.
 * Every line is built in a stack buffer, redacted, capped below 4 KiB and
 * written with a single write(2), so lines from several processes sharing
 * the pod's stderr never interleave.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_MAX_SECRETS	32
#define REDACTED	"[REDACTED]"

static char		 log_role[32] = "eipam";
static enum log_format	 log_fmt = LOG_FMT_TEXT;
static volatile enum log_level log_lvl = LOG_LVL_INFO;
static int		 log_fd = 2;
static char		*log_secrets[LOG_MAX_SECRETS];
static size_t		 log_nsecrets;

static const char *const log_names[] = {
	"error", "warn", "info", "debug", "trace",
};

void
log_init(const char *role, enum log_format fmt, enum log_level lvl)
{
	log_set_role(role);
	log_fmt = fmt;
	log_lvl = lvl;
}

void
log_set_role(const char *role)
{
	snprintf(log_role, sizeof(log_role), "%s", role);
}

void
log_set_level(enum log_level lvl)
{
	if (lvl > LOG_LVL_TRACE)
		lvl = LOG_LVL_TRACE;
	log_lvl = lvl;
}

enum log_level
log_get_level(void)
{
	return log_lvl;
}

void
log_set_format(enum log_format fmt)
{
	log_fmt = fmt;
}

enum log_format
log_get_format(void)
{
	return log_fmt;
}

void
log_set_fd(int fd)
{
	log_fd = fd;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (strcasecmp(s, log_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (strcasecmp(s, "warning") == 0) {
		*out = LOG_LVL_WARN;
		return 0;
	}
	return -1;
}

const char *
log_level_name(enum log_level lvl)
{
	if ((unsigned)lvl >= sizeof(log_names) / sizeof(log_names[0]))
		return "unknown";
	return log_names[lvl];
}

int
log_format_parse(const char *s, enum log_format *out)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "text") == 0)
		*out = LOG_FMT_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = LOG_FMT_JSON;
	else
		return -1;
	return 0;
}

int
log_register_secret(const char *value)
{
	size_t i;
	char *dup;

	/* Very short values would redact ordinary words; refuse them. */
	if (value == NULL || strlen(value) < 4)
		return -1;
	for (i = 0; i < log_nsecrets; i++)
		if (strcmp(log_secrets[i], value) == 0)
			return 0;
	if (log_nsecrets == LOG_MAX_SECRETS) {
		/* Drop the oldest: rotated credentials replace old ones. */
		free(log_secrets[0]);
		memmove(log_secrets, log_secrets + 1,
		    (LOG_MAX_SECRETS - 1) * sizeof(log_secrets[0]));
		log_nsecrets--;
	}
	if ((dup = strdup(value)) == NULL)
		return -1;
	log_secrets[log_nsecrets++] = dup;
	return 0;
}

void
log_forget_secrets(void)
{
	size_t i;

	for (i = 0; i < log_nsecrets; i++) {
		explicit_bzero(log_secrets[i], strlen(log_secrets[i]));
		free(log_secrets[i]);
	}
	log_nsecrets = 0;
}

/*
 * Keys whose values are secrets wherever they appear: HTTP headers, query
 * strings, form bodies, JSON and XML.  Matching is case-insensitive and
 * anchored at a non-word boundary.
 */
static const char *const secret_keys[] = {
	"authorization", "x-amz-security-token", "x-amz-signature",
	"signature", "aws_secret_access_key", "aws_session_token",
	"secretaccesskey", "sessiontoken", "webidentitytoken",
	"client_secret", "client_assertion", "access_token", "id_token",
	"refresh_token", "token", "password", "secret", "apikey",
};

static int
is_word(int c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

static int
is_token_char(int c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' ||
	    c == '~' || c == '+' || c == '/' || c == '=' || c == '-' ||
	    c == '%';
}

/*
 * At in[i] a secret key may start; if so, return the offset where its
 * value starts and set *vend to where the value ends.
 */
static int
match_key(const char *in, size_t len, size_t i, size_t *vstart, size_t *vend)
{
	size_t k, n, j;
	int auth, xml;

	if (i > 0 && is_word(in[i - 1]))
		return 0;
	for (k = 0; k < sizeof(secret_keys) / sizeof(secret_keys[0]); k++) {
		n = strlen(secret_keys[k]);
		if (i + n > len || strncasecmp(in + i, secret_keys[k], n) != 0)
			continue;
		j = i + n;
		if (j < len && is_word(in[j]))
			continue;
		xml = 0;
		if (j < len && (in[j] == '"' || in[j] == '\''))
			j++;
		while (j < len && in[j] == ' ')
			j++;
		if (j >= len)
			continue;
		if (in[j] == '>')
			xml = 1;
		else if (in[j] != ':' && in[j] != '=')
			continue;
		j++;
		while (j < len && in[j] == ' ')
			j++;
		if (j < len && (in[j] == '"' || in[j] == '\''))
			j++;
		*vstart = j;
		auth = (k == 0);
		/* An Authorization value runs to the end of the header. */
		while (j < len) {
			char c = in[j];

			if (c == '\r' || c == '\n' || c == '"' || c == '\'')
				break;
			if (xml && c == '<')
				break;
			if (!auth && !xml && (c == '&' || c == ',' ||
			    c == ';' || c == ' ' || c == '}' || c == '<'))
				break;
			j++;
		}
		*vend = j;
		return j > *vstart;
	}
	return 0;
}

/* JSON Web Tokens: three base64url parts, the first starting "eyJ". */
static size_t
match_jwt(const char *in, size_t len, size_t i)
{
	size_t j = i, dots = 0;

	if (i + 10 > len || strncmp(in + i, "eyJ", 3) != 0)
		return 0;
	if (i > 0 && is_token_char(in[i - 1]) && in[i - 1] != '=')
		return 0;
	while (j < len && (isalnum((unsigned char)in[j]) || in[j] == '-' ||
	    in[j] == '_' || in[j] == '.')) {
		if (in[j] == '.')
			dots++;
		j++;
	}
	return dots >= 2 ? j - i : 0;
}

size_t
log_redact(char *buf, size_t len, size_t cap)
{
	char out[LOG_LINE_MAX * 2];
	size_t i = 0, o = 0, s, vs, ve, n, sl;
	const size_t rl = sizeof(REDACTED) - 1;

	if (len >= sizeof(out))
		len = sizeof(out) - 1;
	while (i < len && o + rl + 1 < sizeof(out)) {
		for (s = 0; s < log_nsecrets; s++) {
			sl = strlen(log_secrets[s]);
			if (sl <= len - i &&
			    memcmp(buf + i, log_secrets[s], sl) == 0)
				break;
		}
		if (s < log_nsecrets) {
			memcpy(out + o, REDACTED, rl);
			o += rl;
			i += strlen(log_secrets[s]);
			continue;
		}
		if (match_key(buf, len, i, &vs, &ve)) {
			n = vs - i;
			if (o + n + rl >= sizeof(out))
				break;
			memcpy(out + o, buf + i, n);
			o += n;
			memcpy(out + o, REDACTED, rl);
			o += rl;
			i = ve;
			continue;
		}
		if (i + 7 <= len && strncasecmp(buf + i, "bearer ", 7) == 0 &&
		    (i == 0 || !is_word(buf[i - 1]))) {
			memcpy(out + o, buf + i, 7);
			o += 7;
			i += 7;
			if (i < len && is_token_char(buf[i])) {
				while (i < len && is_token_char(buf[i]))
					i++;
				memcpy(out + o, REDACTED, rl);
				o += rl;
			}
			continue;
		}
		if ((n = match_jwt(buf, len, i)) > 0) {
			memcpy(out + o, REDACTED, rl);
			o += rl;
			i += n;
			continue;
		}
		out[o++] = buf[i++];
	}
	if (o >= cap)
		o = cap - 1;
	memcpy(buf, out, o);
	buf[o] = '\0';
	return o;
}

static size_t
json_escape(char *out, size_t cap, const char *in)
{
	size_t o = 0;
	const unsigned char *p;

	for (p = (const unsigned char *)in; *p != '\0' && o + 7 < cap; p++) {
		switch (*p) {
		case '"':
		case '\\':
			out[o++] = '\\';
			out[o++] = (char)*p;
			break;
		case '\n':
			out[o++] = '\\';
			out[o++] = 'n';
			break;
		case '\r':
			out[o++] = '\\';
			out[o++] = 'r';
			break;
		case '\t':
			out[o++] = '\\';
			out[o++] = 't';
			break;
		default:
			if (*p < 0x20)
				o += (size_t)snprintf(out + o, cap - o,
				    "\\u%04x", *p);
			else
				out[o++] = (char)*p;
		}
	}
	out[o] = '\0';
	return o;
}

size_t
log_format_line(char *out, size_t cap, enum log_level lvl, const char *msg)
{
	char ts[40], esc[LOG_LINE_MAX];
	struct timespec now;
	struct tm tm;
	size_t n, mlen;
	int r;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
	if (log_fmt == LOG_FMT_JSON) {
		json_escape(esc, sizeof(esc), msg);
		r = snprintf(out, cap, "{\"ts\":\"%s\",\"level\":\"%s\","
		    "\"role\":\"%s\",\"pid\":%ld,\"msg\":\"", ts,
		    log_level_name(lvl), log_role, (long)getpid());
		if (r < 0)
			return 0;
		n = (size_t)r;
		mlen = strlen(esc);
		/* Keep room for the closing "}\n; cut the message if need be. */
		if (n + mlen + 4 > cap) {
			mlen = cap > n + 4 ? cap - n - 4 : 0;
			/* Do not end inside an escape sequence. */
			while (mlen > 0 && esc[mlen - 1] == '\\')
				mlen--;
		}
		memcpy(out + n, esc, mlen);
		n += mlen;
		memcpy(out + n, "\"}\n", 4);
		return n + 3;
	}
	r = snprintf(out, cap, "%s %-5s %s[%ld] ", ts, log_level_name(lvl),
	    log_role, (long)getpid());
	if (r < 0)
		return 0;
	n = (size_t)r;
	mlen = strlen(msg);
	if (n + mlen + 2 > cap)
		mlen = cap > n + 2 ? cap - n - 2 : 0;
	memcpy(out + n, msg, mlen);
	n += mlen;
	/* One event, one line: embedded newlines become spaces. */
	for (size_t k = (size_t)r; k < n; k++)
		if (out[k] == '\n' || out[k] == '\r')
			out[k] = ' ';
	out[n++] = '\n';
	out[n] = '\0';
	return n;
}

void
log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX], line[LOG_LINE_MAX];
	size_t len;
	ssize_t w;
	int saved = errno;

	if (lvl > log_lvl)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_redact(msg, strlen(msg), sizeof(msg));
	len = log_format_line(line, sizeof(line), lvl, msg);
	do {
		w = write(log_fd, line, len);
	} while (w < 0 && errno == EINTR);
	errno = saved;
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

#define LOG_FN(name, lvl)				\
void							\
name(const char *fmt, ...)				\
{							\
	va_list ap;					\
							\
	va_start(ap, fmt);				\
	log_vmsg(lvl, fmt, ap);				\
	va_end(ap);					\
}
LOG_FN(log_error, LOG_LVL_ERROR)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)
LOG_FN(log_trace, LOG_LVL_TRACE)

void
fatal(const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (saved != 0)
		log_msg(LOG_LVL_ERROR, "fatal in %s: %s: %s", log_role, msg,
		    strerror(saved));
	else
		log_msg(LOG_LVL_ERROR, "fatal in %s: %s", log_role, msg);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_msg(LOG_LVL_ERROR, "fatal in %s: %s", log_role, msg);
	exit(1);
}
