/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading the mounted credentials Secret (see creds.h).  Files are small,
 * read whole, trimmed of the trailing newline editors and `kubectl create
 * secret --from-file` leave, and checked for control characters so a
 * corrupted value is a clear error, not a confusing signature mismatch.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "creds.h"
#include "log.h"
#include "xmalloc.h"

const char *
creds_kind_name(enum cred_kind k)
{
	switch (k) {
	case CRED_AWS_STATIC:		return "aws-static-keys";
	case CRED_AWS_WEB_IDENTITY:	return "aws-sts-web-identity";
	case CRED_AZURE_SECRET:		return "azure-client-secret";
	case CRED_AZURE_FEDERATED:	return "azure-workload-identity";
	case CRED_NONE:			break;
	}
	return "none";
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/*
 * Reads a whole small file.  Returns the trimmed content (malloc'ed),
 * or NULL with errno ENOENT when absent and err set otherwise.
 */
static char *
read_small(const char *path, char *err, size_t errlen)
{
	char *buf;
	size_t len = 0, s;
	ssize_t n;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	buf = xmalloc(CREDS_FILE_MAX + 1);
	for (;;) {
		n = read(fd, buf + len, CREDS_FILE_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len > CREDS_FILE_MAX)
			break;
	}
	e = errno;
	close(fd);
	if (n == -1 || len > CREDS_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, n == -1 ? strerror(e) :
		    "larger than 64 KiB");
		wipe_free(buf);
		errno = EINVAL;
		return NULL;
	}
	while (len > 0 && isspace((unsigned char)buf[len - 1]))
		len--;
	buf[len] = '\0';
	for (s = 0; s < len && isspace((unsigned char)buf[s]); s++)
		;
	memmove(buf, buf + s, len - s + 1);
	return buf;
}

/* A single-line value: no control characters. */
static int
value_ok(const char *v)
{
	if (*v == '\0')
		return 0;
	for (; *v != '\0'; v++)
		if (iscntrl((unsigned char)*v))
			return 0;
	return 1;
}

/*
 * The value of file `key` in dir: 0 and *out (malloc'ed), 1 when the
 * file is absent, -1 with err on a bad file.
 */
static int
read_file_key(const char *dir, const char *key, int secret, int multiline,
    char **out, char *err, size_t errlen)
{
	char path[4096], e[256];

	*out = NULL;
	if (snprintf(path, sizeof(path), "%s/%s", dir, key) >=
	    (int)sizeof(path)) {
		snprintf(err, errlen, "credentials directory path too long");
		return -1;
	}
	if ((*out = read_small(path, e, sizeof(e))) == NULL) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "credentials key %s: %s", key, e);
		return -1;
	}
	if (secret && !multiline)
		log_register_secret(*out);
	if (multiline ? **out == '\0' : !value_ok(*out)) {
		snprintf(err, errlen, "credentials key %s is empty%s", key,
		    multiline ? "" : " or not a single line");
		wipe_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static int
read_key(const char *dir, const char *key, int secret, char **out,
    char *err, size_t errlen)
{
	return read_file_key(dir, key, secret, 0, out, err, errlen);
}

/* The `credentials` INI spans lines; other keys are one line. */
static int
read_ini(const char *dir, char **out, char *err, size_t errlen)
{
	return read_file_key(dir, "credentials", 1, 1, out, err, errlen);
}

char *
creds_ini_get(const char *ini, const char *section, const char *key)
{
	const char *p = ini, *eol, *eq, *ks, *ke, *vs, *ve;
	int in = 1;	/* keys before any header count as [default] */
	size_t sl = strlen(section), kl = strlen(key);

	while (p != NULL && *p != '\0') {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		ks = p;
		while (ks < eol && isspace((unsigned char)*ks))
			ks++;
		ke = eol;
		while (ke > ks && isspace((unsigned char)ke[-1]))
			ke--;
		if (ks < ke && *ks == '[') {
			in = ke - ks == (long)sl + 2 && ke[-1] == ']' &&
			    strncmp(ks + 1, section, sl) == 0;
		} else if (in && ks < ke && *ks != '#' && *ks != ';' &&
		    (eq = memchr(ks, '=', (size_t)(ke - ks))) != NULL) {
			const char *kend = eq;

			while (kend > ks && isspace((unsigned char)kend[-1]))
				kend--;
			vs = eq + 1;
			while (vs < ke && isspace((unsigned char)*vs))
				vs++;
			ve = ke;
			if ((size_t)(kend - ks) == kl &&
			    strncasecmp(ks, key, kl) == 0)
				return xstrndup(vs, (size_t)(ve - vs));
		}
		p = *eol == '\n' ? eol + 1 : eol;
	}
	return NULL;
}

/* A token path relative to the Secret means a file inside it. */
static char *
token_path(const char *dir, const char *p)
{
	char *s;

	if (*p == '/')
		return xstrdup(p);
	xasprintf(&s, "%s/%s", dir, p);
	return s;
}

static int
load_aws(const char *dir, struct eip_creds *c, char *err, size_t errlen)
{
	char *ini = NULL, *arn = NULL, *tf = NULL, *ak = NULL, *sk = NULL;
	int r;

	if ((r = read_ini(dir, &ini, err, errlen)) == -1)
		return -1;
	if (ini != NULL) {
		arn = creds_ini_get(ini, "default", "role_arn");
		tf = creds_ini_get(ini, "default", "web_identity_token_file");
		if (arn != NULL && tf != NULL && *arn != '\0' && *tf != '\0') {
			c->kind = CRED_AWS_WEB_IDENTITY;
			c->role_arn = arn;
			c->token_file = token_path(dir, tf);
			free(tf);
			wipe_free(ini);
			return 0;
		}
		if ((arn != NULL) != (tf != NULL)) {
			snprintf(err, errlen, "credentials: the [default] "
			    "section needs both role_arn and "
			    "web_identity_token_file");
			free(arn);
			free(tf);
			wipe_free(ini);
			return -1;
		}
		free(arn);
		free(tf);
		/* The CCO's mint mode writes the static keys here too. */
		ak = creds_ini_get(ini, "default", "aws_access_key_id");
		sk = creds_ini_get(ini, "default", "aws_secret_access_key");
		if (sk != NULL)
			log_register_secret(sk);
		wipe_free(ini);
	}
	if ((r = read_key(dir, "aws_access_key_id", 0, &c->access_key, err,
	    errlen)) == -1 || (r == 1 && ak == NULL))
		goto missing_ak;
	if ((r = read_key(dir, "aws_secret_access_key", 1, &c->secret_key, err,
	    errlen)) == -1 || (r == 1 && sk == NULL))
		goto missing_sk;
	if (c->access_key == NULL) {
		c->access_key = ak;
		ak = NULL;
	}
	if (c->secret_key == NULL) {
		c->secret_key = sk;
		sk = NULL;
	}
	free(ak);
	wipe_free(sk);
	if (!value_ok(c->access_key) || !value_ok(c->secret_key)) {
		snprintf(err, errlen, "credentials: the static keys are empty "
		    "or not single lines");
		return -1;
	}
	c->kind = CRED_AWS_STATIC;
	return 0;
missing_ak:
	if (r == 1)
		snprintf(err, errlen, "credentials: no aws_access_key_id and no "
		    "STS role (credentials with role_arn and "
		    "web_identity_token_file) in %s", dir);
	free(ak);
	wipe_free(sk);
	return -1;
missing_sk:
	if (r == 1)
		snprintf(err, errlen, "credentials: aws_access_key_id without "
		    "aws_secret_access_key in %s", dir);
	free(ak);
	wipe_free(sk);
	return -1;
}

static int
load_azure(const char *dir, struct eip_creds *c, char *err, size_t errlen)
{
	static const char *const need[] = { "azure_client_id",
	    "azure_tenant_id", "azure_subscription_id" };
	char **dst[3], *tf = NULL;
	int r, i;

	dst[0] = &c->client_id;
	dst[1] = &c->tenant_id;
	dst[2] = &c->subscription_id;
	for (i = 0; i < 3; i++) {
		if ((r = read_key(dir, need[i], 0, dst[i], err, errlen)) == -1)
			return -1;
		if (r == 1) {
			snprintf(err, errlen, "credentials: no %s in %s",
			    need[i], dir);
			return -1;
		}
	}
	if ((r = read_key(dir, "azure_client_secret", 1, &c->client_secret,
	    err, errlen)) == -1)
		return -1;
	if (r == 0) {
		c->kind = CRED_AZURE_SECRET;
		return 0;
	}
	if ((r = read_key(dir, "azure_federated_token_file", 0, &tf, err,
	    errlen)) == -1)
		return -1;
	if (r == 1) {
		snprintf(err, errlen, "credentials: neither azure_client_secret "
		    "nor azure_federated_token_file in %s", dir);
		return -1;
	}
	c->token_file = token_path(dir, tf);
	free(tf);
	c->kind = CRED_AZURE_FEDERATED;
	return 0;
}

int
creds_load(const char *dir, const char *platform, struct eip_creds *c,
    char *err, size_t errlen)
{
	int r;

	memset(c, 0, sizeof(*c));
	if (dir == NULL || *dir == '\0') {
		snprintf(err, errlen, "no credentials directory configured");
		return -1;
	}
	if (platform != NULL && strcmp(platform, "AWS") == 0)
		r = load_aws(dir, c, err, errlen);
	else if (platform != NULL && strcmp(platform, "Azure") == 0)
		r = load_azure(dir, c, err, errlen);
	else {
		snprintf(err, errlen, "no cloud credentials for platform %s",
		    platform != NULL ? platform : "(none)");
		r = -1;
	}
	if (r == -1)
		creds_clear(c);
	return r;
}

void
creds_clear(struct eip_creds *c)
{
	free(c->access_key);
	wipe_free(c->secret_key);
	free(c->role_arn);
	free(c->token_file);
	free(c->client_id);
	free(c->tenant_id);
	free(c->subscription_id);
	wipe_free(c->client_secret);
	memset(c, 0, sizeof(*c));
}

char *
creds_read_token(const char *path, char *err, size_t errlen)
{
	char *t, e[256];

	if ((t = read_small(path, e, sizeof(e))) == NULL) {
		snprintf(err, errlen, "token file %s", e);
		return NULL;
	}
	log_register_secret(t);
	if (!value_ok(t)) {
		snprintf(err, errlen, "token file %s is empty or not a single "
		    "line", path);
		wipe_free(t);
		return NULL;
	}
	return t;
}

size_t
creds_token_paths(const char *dir, char **out, size_t max)
{
	char *ini = NULL, *v = NULL, err[256];
	size_t n = 0;

	if (max > 0 && read_ini(dir, &ini, err, sizeof(err)) == 0) {
		v = creds_ini_get(ini, "default", "web_identity_token_file");
		if (v != NULL && *v != '\0')
			out[n++] = token_path(dir, v);
		free(v);
		wipe_free(ini);
	}
	if (n < max && read_key(dir, "azure_federated_token_file", 0, &v, err,
	    sizeof(err)) == 0) {
		out[n++] = token_path(dir, v);
		free(v);
	}
	return n;
}
