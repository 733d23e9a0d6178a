/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipam-cloudworker: the only process that holds cloud credentials and
 * speaks to cloud APIs.  It takes CLOUD_CONFIG, CLOUD_DISCOVER and
 * CLOUD_ENSURE from the allocator over its DEALER link and answers
 * CLOUD_DISCOVERED and CLOUD_ENSURED; credentials are read from the
 * mounted Secret, never sent anywhere but to the cloud, never logged.
 * Sandbox: outbound TCP only, Landlock reads of the credentials
 * directory, the CA bundle and the resolver files, not dumpable.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloclink.h"
#include "creds.h"
#include "cw_int.h"
#include "log.h"
#include "sandbox.h"
#include "worker.h"
#include "xmalloc.h"

#define SYSTEM_CA	"/etc/ssl/certs/ca-certificates.crt"
#define CA_MAX		(16 * 1024 * 1024)
#define MAX_PATHS	8

/*
 * Nothing beyond the shared tables (base + outbound TCP and DNS): every
 * cloud test runs the cloudworker under them in trap mode (STS and AAD
 * exchanges, token files re-read, names resolved through nsswitch), and
 * no call is missing.  A rule added here needs a test that needs it.
 */
static const struct sandbox_rule cloudworker_rules[] = {
	SB_END
};
static const struct sandbox_rule *const cloudworker_tables[] = {
	sandbox_base_rules, sandbox_net_client_rules, cloudworker_rules, NULL
};
static const struct sandbox_policy cloudworker_policy = {
	"cloudworker", cloudworker_tables, sandbox_dns_paths, 1, 0
};

struct cloudworker {
	struct eip_worker	*w;
	struct cw		*cw;
	struct alloc_link	*link;
};

static void
on_message(struct zmsg_chan *c, const char *peer, struct eip_msg *m,
    void *arg)
{
	struct cloudworker *cwk = arg;

	(void)c;
	(void)peer;
	cw_message(cwk->cw, m);
}

static json_t *
status(struct eip_worker *w, void *arg)
{
	struct cloudworker *cwk = arg;
	json_t *s = cw_status(cwk->cw);

	(void)w;
	json_object_set_new(s, "allocator", alloc_link_status(cwk->link));
	return s;
}

static int
debug(struct eip_worker *w, const char *cmd, const json_t *args,
    json_t **result, char *err, size_t errlen, void *arg)
{
	struct cloudworker *cwk = arg;

	(void)w;
	(void)args;
	if (strcmp(cmd, "dump") != 0) {
		snprintf(err, errlen, "the cloudworker serves dump, log-level "
		    "and trace");
		return -1;
	}
	*result = cw_dump(cwk->cw);
	json_object_set_new(*result, "allocator",
	    alloc_link_status(cwk->link));
	return 0;
}

/* Appends a PEM file to buf; -1 if it cannot be read. */
static int
ca_append(const char *path, char **buf, size_t *len)
{
	char chunk[65536];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (*len + (size_t)n > CA_MAX) {
			close(fd);
			errno = EFBIG;
			return -1;
		}
		*buf = xreallocarray(*buf, *len + (size_t)n + 2, 1);
		memcpy(*buf + *len, chunk, (size_t)n);
		*len += (size_t)n;
	}
	close(fd);
	if (n == -1)
		return -1;
	if (*len > 0 && (*buf)[*len - 1] != '\n')
		(*buf)[(*len)++] = '\n';
	return 0;
}

/*
 * The trust store, in memory before the sandbox: the system bundle plus
 * the configured one (private endpoints, the simulator).
 */
static char *
load_ca(const char *extra, size_t *len)
{
	char *buf = NULL;

	*len = 0;
	if (ca_append(SYSTEM_CA, &buf, len) == -1 && errno != ENOENT)
		log_warn("%s: %s", SYSTEM_CA, strerror(errno));
	if (extra != NULL && *extra != '\0' && ca_append(extra, &buf,
	    len) == -1)
		log_error("CA bundle %s: %s", extra, strerror(errno));
	return buf;
}

/* Is path inside dir (or dir itself)? */
static int
under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && (path[n] == '/' ||
	    path[n] == '\0');
}

int
main(int argc, char **argv)
{
	static struct cloudworker cwk;
	struct eip_worker w;
	const char *paths[MAX_PATHS + 1], *creds_dir, *ca;
	char *tokens[2], *dirs[2], err[512], *pem;
	size_t ca_len, ntok, i;
	int n = 0;

	worker_init(&w, EIP_ROLE_CLOUDWORKER, &cloudworker_policy, argc, argv);
	cwk.w = &w;
	creds_dir = worker_cfg_str(&w, "credentials_dir",
	    "/etc/eipam/cloud-credentials");
	ca = worker_cfg_str(&w, "ca_bundle", "");
	paths[n++] = creds_dir;
	if (*ca != '\0')
		paths[n++] = ca;
	/*
	 * A projected token the Secret points at (STS web identity, Azure
	 * workload identity) is re-read before each exchange, so its
	 * directory stays readable; the kubelet swaps it by symlink.
	 */
	ntok = creds_token_paths(creds_dir, tokens, 2);
	for (i = 0; i < ntok; i++) {
		dirs[i] = dirname(tokens[i]);
		if (!under(dirs[i], creds_dir) && n < MAX_PATHS) {
			paths[n++] = dirs[i];
			log_info("token directory %s stays readable", dirs[i]);
		}
	}
	paths[n] = NULL;
	pem = load_ca(ca, &ca_len);
	err[0] = '\0';
	cwk.cw = cw_new(w.base, pem, ca_len, w.config, err, sizeof(err));
	if (err[0] != '\0')
		log_error("cloud: %s", err);
	if (pem != NULL) {
		explicit_bzero(pem, ca_len);
		free(pem);
	}
	cwk.link = alloc_link_new(&w, on_message, &cwk);
	cw_set_link(cwk.cw, cwk.link);
	worker_on_status(&w, status, &cwk);
	worker_on_debug(&w, debug, &cwk);
	if (worker_sandbox(&w, paths) == -1)
		return 1;
	for (i = 0; i < ntok; i++)
		free(tokens[i]);
	worker_ready(&w);
	n = worker_run(&w);
	cw_free(cwk.cw);
	alloc_link_free(cwk.link);
	return n;
}
