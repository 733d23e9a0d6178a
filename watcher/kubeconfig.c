/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kubeconfig and in-cluster configuration (see kubeconfig.h).  The YAML is
 * read with the strict subset reader in kyaml.c; what a kubeconfig may say
 * beyond what we support is refused, never silently ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "kubeconfig.h"
#include "kyaml.h"
#include "xmalloc.h"

#define KC_MAX_FILE	(4u * 1024 * 1024)

char *
kubeconf_read_file(const char *path, size_t max, size_t *len, char *err,
    size_t errlen)
{
	char *buf = NULL;
	size_t n = 0, cap = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = xreallocarray(buf, 1, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n > max) {
			snprintf(err, errlen, "%s: larger than %zu bytes", path,
			    max);
			goto fail;
		}
	}
	if (r == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	close(fd);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

char *
kubeconf_read_token(const char *path, char *err, size_t errlen)
{
	char *t, *s, *e;

	if ((t = kubeconf_read_file(path, 64 * 1024, NULL, err, errlen)) ==
	    NULL)
		return NULL;
	for (s = t; *s == ' ' || *s == '\n' || *s == '\r' || *s == '\t'; s++)
		;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r' ||
	    e[-1] == '\t'))
		e--;
	*e = '\0';
	if (*s == '\0' || strpbrk(s, " \t\r\n") != NULL) {
		snprintf(err, errlen, "%s: %s", path, *s ? 
		    "token contains whitespace" : "token file is empty");
		free(t);
		return NULL;
	}
	memmove(t, s, strlen(s) + 1);
	return t;
}

void
kubeconf_clear(struct eip_kubeconf *kc)
{
	if (kc == NULL)
		return;
	free(kc->server);
	free(kc->ca_pem);
	free(kc->ca_path);
	if (kc->token != NULL)
		explicit_bzero(kc->token, strlen(kc->token));
	free(kc->token);
	free(kc->token_file);
	free(kc->namespace);
	free(kc->source);
	memset(kc, 0, sizeof(*kc));
}

static char *
join_path(const char *base, const char *p)
{
	char *out;

	if (p[0] == '/' || base == NULL)
		return xstrdup(p);
	xasprintf(&out, "%s/%s", base, p);
	return out;
}

static int
b64_decode(const char *in, char **out, size_t *outlen)
{
	size_t n = strlen(in), i, o = 0;
	char *clean = xmalloc(n + 1), *buf;
	int r;

	/* Tolerate line breaks and blanks, as base64 in YAML may have. */
	for (i = 0; i < n; i++)
		if (in[i] != '\n' && in[i] != '\r' && in[i] != ' ')
			clean[o++] = in[i];
	clean[o] = '\0';
	if (o == 0 || o % 4 != 0) {
		free(clean);
		return -1;
	}
	buf = xmalloc(o / 4 * 3 + 1);
	r = EVP_DecodeBlock((unsigned char *)buf, (unsigned char *)clean,
	    (int)o);
	if (r < 0) {
		free(clean);
		free(buf);
		return -1;
	}
	if (clean[o - 1] == '=')
		r--;
	if (clean[o - 2] == '=')
		r--;
	free(clean);
	buf[r] = '\0';
	*out = buf;
	*outlen = (size_t)r;
	return 0;
}

/* The entry of list `key` whose name is `name`, or NULL. */
static json_t *
named(json_t *root, const char *key, const char *name, const char *inner)
{
	json_t *a = json_object_get(root, key), *e;
	size_t i;

	if (!json_is_array(a))
		return NULL;
	json_array_foreach(a, i, e) {
		if (json_is_object(e) && json_is_string(json_object_get(e,
		    "name")) && strcmp(json_string_value(json_object_get(e,
		    "name")), name) == 0)
			return json_object_get(e, inner);
	}
	return NULL;
}

static const char *
str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
check_keys(json_t *o, const char *const *ok, const char *what, char *err,
    size_t errlen)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach(o, k, v) {
		for (i = 0; ok[i] != NULL; i++)
			if (strcmp(ok[i], k) == 0)
				break;
		if (ok[i] == NULL) {
			snprintf(err, errlen, "%s: '%s' is not supported "
			    "(supported: token or tokenFile auth, server, "
			    "certificate-authority[-data])", what, k);
			return -1;
		}
	}
	return 0;
}

static int
kc_from_json(json_t *root, const char *base, struct eip_kubeconf *kc,
    char *err, size_t errlen)
{
	static const char *const cluster_ok[] = {
		"server", "certificate-authority", "certificate-authority-data",
		"extensions", "tls-server-name", NULL
	};
	static const char *const user_ok[] = {
		"token", "tokenFile", "extensions", NULL
	};
	const char *ctxname, *cname, *uname, *v;
	json_t *ctx, *cl, *us, *a;
	char *path, e2[256];

	if (!json_is_object(root)) {
		snprintf(err, errlen, "not a kubeconfig (no mapping at the top)");
		return -1;
	}
	if ((ctxname = str(root, "current-context")) == NULL) {
		a = json_object_get(root, "contexts");
		if (!json_is_array(a) || json_array_size(a) != 1) {
			snprintf(err, errlen, "no current-context, and not "
			    "exactly one context");
			return -1;
		}
		ctxname = str(json_array_get(a, 0), "name");
	}
	if (ctxname == NULL || (ctx = named(root, "contexts", ctxname,
	    "context")) == NULL || !json_is_object(ctx)) {
		snprintf(err, errlen, "context '%s' not found",
		    ctxname ? ctxname : "");
		return -1;
	}
	cname = str(ctx, "cluster");
	uname = str(ctx, "user");
	if (cname == NULL || (cl = named(root, "clusters", cname,
	    "cluster")) == NULL || !json_is_object(cl)) {
		snprintf(err, errlen, "cluster '%s' of context '%s' not found",
		    cname ? cname : "", ctxname);
		return -1;
	}
	if (json_object_get(cl, "insecure-skip-tls-verify") != NULL &&
	    !json_is_null(json_object_get(cl, "insecure-skip-tls-verify")) &&
	    strcmp(str(cl, "insecure-skip-tls-verify") ?
	    str(cl, "insecure-skip-tls-verify") : "", "false") != 0) {
		snprintf(err, errlen, "cluster '%s': insecure-skip-tls-verify "
		    "is refused: TLS is always verified", cname);
		return -1;
	}
	json_object_del(cl, "insecure-skip-tls-verify");
	if (check_keys(cl, cluster_ok, "cluster", err, errlen) == -1)
		return -1;
	if ((v = str(cl, "server")) == NULL || strncmp(v, "https://", 8) != 0 ||
	    strlen(v) < 9) {
		snprintf(err, errlen, "cluster '%s': server must be an "
		    "https:// URL", cname);
		return -1;
	}
	kc->server = xstrdup(v);
	while (strlen(kc->server) > 8 &&
	    kc->server[strlen(kc->server) - 1] == '/')
		kc->server[strlen(kc->server) - 1] = '\0';
	if ((v = str(cl, "certificate-authority-data")) != NULL) {
		if (b64_decode(v, &kc->ca_pem, &kc->ca_len) == -1) {
			snprintf(err, errlen, "cluster '%s': "
			    "certificate-authority-data is not base64", cname);
			return -1;
		}
	} else if ((v = str(cl, "certificate-authority")) != NULL) {
		path = join_path(base, v);
		kc->ca_pem = kubeconf_read_file(path, KC_MAX_FILE, &kc->ca_len,
		    e2, sizeof(e2));
		if (kc->ca_pem == NULL) {
			snprintf(err, errlen, "certificate-authority: %s", e2);
			free(path);
			return -1;
		}
		kc->ca_path = path;
	} else {
		snprintf(err, errlen, "cluster '%s' names no "
		    "certificate-authority: the system trust store is not "
		    "used", cname);
		return -1;
	}
	if (uname == NULL || (us = named(root, "users", uname, "user")) ==
	    NULL || !json_is_object(us)) {
		snprintf(err, errlen, "user '%s' of context '%s' not found",
		    uname ? uname : "", ctxname);
		return -1;
	}
	if (check_keys(us, user_ok, "user", err, errlen) == -1)
		return -1;
	if ((v = str(us, "tokenFile")) != NULL)
		kc->token_file = join_path(base, v);
	else if ((v = str(us, "token")) != NULL && *v != '\0')
		kc->token = xstrdup(v);
	else {
		snprintf(err, errlen, "user '%s' has no token or tokenFile",
		    uname);
		return -1;
	}
	if ((v = str(ctx, "namespace")) != NULL)
		kc->namespace = xstrdup(v);
	return 0;
}

int
kubeconf_from_text(const char *text, size_t len, const char *base,
    struct eip_kubeconf *kc, char *err, size_t errlen)
{
	json_t *root;
	char e2[256];

	memset(kc, 0, sizeof(*kc));
	if ((root = kyaml_parse(text, len, e2, sizeof(e2))) == NULL) {
		snprintf(err, errlen, "%s", e2);
		return -1;
	}
	if (kc_from_json(root, base, kc, err, errlen) == -1) {
		json_decref(root);
		kubeconf_clear(kc);
		return -1;
	}
	json_decref(root);
	return 0;
}

int
kubeconf_from_file(const char *path, struct eip_kubeconf *kc, char *err,
    size_t errlen)
{
	char *text, *base, *slash, e2[300];
	size_t len;
	int rc;

	if ((text = kubeconf_read_file(path, KC_MAX_FILE, &len, e2,
	    sizeof(e2))) == NULL) {
		snprintf(err, errlen, "kubeconfig %s", e2);
		return -1;
	}
	base = xstrdup(path);
	if ((slash = strrchr(base, '/')) != NULL)
		*slash = '\0';
	else
		strcpy(base, ".");
	rc = kubeconf_from_text(text, len, base, kc, e2, sizeof(e2));
	if (rc == -1)
		snprintf(err, errlen, "kubeconfig %s: %s", path, e2);
	else
		kc->source = xstrdup(path);
	free(base);
	free(text);
	return rc;
}

int
kubeconf_in_cluster(const char *sa_dir, struct eip_kubeconf *kc, char *err,
    size_t errlen)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	char *p, e2[300], *t;

	memset(kc, 0, sizeof(*kc));
	if (sa_dir == NULL)
		sa_dir = EIP_SA_DIR;
	if (host == NULL || *host == '\0' || port == NULL || *port == '\0') {
		snprintf(err, errlen, "not in a cluster: KUBERNETES_SERVICE_HOST "
		    "and KUBERNETES_SERVICE_PORT must be set (or give "
		    "--kubeconfig)");
		return -1;
	}
	if (strspn(port, "0123456789") != strlen(port) || strlen(port) > 5) {
		snprintf(err, errlen, "KUBERNETES_SERVICE_PORT '%.16s' is not a "
		    "port", port);
		return -1;
	}
	/* IPv6 literals are bracketed, as JoinHostPort does. */
	if (strchr(host, ':') != NULL)
		xasprintf(&kc->server, "https://[%s]:%s", host, port);
	else
		xasprintf(&kc->server, "https://%s:%s", host, port);
	xasprintf(&p, "%s/ca.crt", sa_dir);
	kc->ca_pem = kubeconf_read_file(p, KC_MAX_FILE, &kc->ca_len, e2,
	    sizeof(e2));
	kc->ca_path = p;
	if (kc->ca_pem == NULL) {
		snprintf(err, errlen, "in-cluster CA: %s", e2);
		goto fail;
	}
	xasprintf(&kc->token_file, "%s/token", sa_dir);
	/* Check the token now, so a missing mount fails at start. */
	if ((t = kubeconf_read_token(kc->token_file, e2, sizeof(e2))) == NULL) {
		snprintf(err, errlen, "in-cluster token: %s", e2);
		goto fail;
	}
	explicit_bzero(t, strlen(t));
	free(t);
	xasprintf(&p, "%s/namespace", sa_dir);
	kc->namespace = kubeconf_read_token(p, e2, sizeof(e2));
	free(p);
	kc->source = xstrdup(sa_dir);
	return 0;
fail:
	kubeconf_clear(kc);
	return -1;
}
