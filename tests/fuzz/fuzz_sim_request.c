/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for eipam-sim's request handling: the input becomes a
 * Kubernetes API request (method from the first byte; path, query,
 * content type and body split at NUL bytes) handled against a loaded
 * baremetal scenario, so routing, query and selector parsing, continue
 * tokens, JSON bodies and every patch flavour see hostile input.  The
 * store is rebuilt now and then to keep memory bounded.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim_ctx.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct sim_ctx *sx;
static unsigned runs;
static const char *ctype;

static const char *
hdr(const struct sim_req *r, const char *name)
{
	if (strcasecmp(name, "Authorization") == 0)
		return "Bearer adm";
	if (strcasecmp(name, "Content-Type") == 0)
		return ctype;
	return NULL;
}

static void
ctx_free(void)
{
	if (sx == NULL)
		return;
	control_free(sx->ctl);
	os_free(sx->os);
	watch_hub_free(sx->hub);
	store_free(sx->st);
	json_decref(sx->scenario);
	free(sx->auth.admin);
	free(sx->auth.readonly);
	free(sx->auth.control);
	free(sx);
	sx = NULL;
}

static void
ctx_new(void)
{
	char err[256];
	json_t *raw, *scn;

	sx = xcalloc(1, sizeof(*sx));
	sx->st = store_new(64);
	sx->hub = watch_hub_new(sx->st);
	sx->kube.st = sx->st;
	sx->kube.hub = sx->hub;
	sx->kube.auth = &sx->auth;
	sx->kube.body_limit = SIM_BODY_LIMIT;
	sx->auth.admin = xstrdup("adm");
	sx->auth.readonly = xstrdup("ro");
	sx->auth.control = xstrdup("ctl");
	sx->ctl = control_new(sx);
	sx->os = os_new(sx);
	raw = scenario_builtin("baremetal");
	scn = scenario_expand(raw, 1, err, sizeof(err));
	json_decref(raw);
	if (scn == NULL || scenario_apply(sx, scn, err, sizeof(err)) != 0)
		abort();
}

static const char *
next(const char **p, const char *end)
{
	const char *s = *p;
	const char *z = memchr(s, '\0', end - s);

	*p = z != NULL ? z + 1 : end;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "POST", "PUT", "PATCH",
	    "DELETE", "HEAD" };
	static const char *const ctypes[] = { "application/json",
	    "application/merge-patch+json", "application/json-patch+json",
	    "application/strategic-merge-patch+json",
	    "application/apply-patch+yaml" };
	struct sim_req r;
	struct sim_resp resp;
	struct sim_reqinfo ri;
	struct sim_watch_spec ws;
	char *buf;
	const char *p, *end, *path, *query;

	if (size < 2)
		return 0;
	if (sx == NULL || ++runs % 5000 == 0) {
		ctx_free();
		ctx_new();
	}
	buf = xmalloc(size + 1);
	memcpy(buf, data + 2, size - 2);
	buf[size - 2] = '\0';
	p = buf;
	end = buf + size - 2;
	path = next(&p, end);
	query = p < end ? next(&p, end) : NULL;
	ctype = data[1] < 200 ? ctypes[data[1] % 5] : (p < end ?
	    next(&p, end) : NULL);
	memset(&r, 0, sizeof(r));
	memset(&resp, 0, sizeof(resp));
	memset(&ri, 0, sizeof(ri));
	r.method = methods[data[0] % 6];
	r.path = path;
	r.query = query;
	r.body = p;
	r.body_len = (size_t)(end - p);
	r.header = hdr;
	if (kube_handle(&sx->kube, &r, &resp, &ws, &ri) == KUBE_WATCH) {
		free(ws.label_sel);
		free(ws.field_sel);
	}
	sim_resp_clear(&resp);
	os_run(sx->os);
	free(buf);
	return 0;
}
