/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Azure client's plumbing: AAD client credentials with a secret or a
 * federated token (re-read before every request for a token), the access
 * token cached and renewed ahead of expiry, ARM requests with the bearer
 * token on every attempt, URLs the cloud hands back checked against the
 * ARM origin, and one retry with a fresh token when ARM refuses one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>

#include "azjson.h"
#include "azure.h"
#include "azure_int.h"
#include "cw_int.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "xmalloc.h"

static void req_go(struct az_req *);

static void
req_free(struct az_req *r)
{
	if (r->call != NULL)
		cw_call_cancel(r->call);
	free(r->action);
	free(r->method);
	free(r->url);
	free(r->body);
	free(r->if_match);
	free(r);
}

static void
waiters_remove(struct az *az, struct az_req *r)
{
	struct az_req **pp;

	for (pp = &az->waiters; *pp != NULL; pp = &(*pp)->wnext)
		if (*pp == r) {
			*pp = r->wnext;
			r->waiting = 0;
			return;
		}
}

static void
req_complete(struct az_req *r, struct cw_resp *rs)
{
	struct az_req **pp;

	for (pp = &r->op->reqs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	r->call = NULL;
	r->cb(r, rs);
	req_free(r);
}

static void
req_fail(struct az_req *r, enum cloud_class cls, const char *code,
    const char *msg)
{
	struct cw_resp rs;

	memset(&rs, 0, sizeof(rs));
	rs.cls = cls;
	snprintf(rs.code, sizeof(rs.code), "%s", code);
	snprintf(rs.message, sizeof(rs.message), "%s", msg);
	req_complete(r, &rs);
}

json_t *
az_body(const struct cw_resp *rs)
{
	json_t *j;

	if (rs->body == NULL || rs->body_len == 0)
		return NULL;
	j = json_loadb(rs->body, rs->body_len, JSON_REJECT_DUPLICATES, NULL);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static int
arm_prepare(void *arg, struct cw_req_headers *h, char *err, size_t errlen)
{
	struct az_req *r = arg;
	struct az *az = r->az;

	if (az->token == NULL || !tokcache_usable(&az->tc, time(NULL))) {
		snprintf(err, errlen, "the AAD access token expired");
		return -1;
	}
	cw_headers_add(h, "Authorization: Bearer %s", az->token);
	cw_headers_add(h, "Accept: application/json");
	if (r->body != NULL)
		cw_headers_add(h, "Content-Type: application/json");
	if (r->if_match != NULL)
		cw_headers_add(h, "If-Match: %s", r->if_match);
	return 0;
}

static int
arm_classify(void *arg, struct cw_resp *rs)
{
	struct az_req *r = arg;
	char code[128], msg[512];

	if (rs->transport != NULL) {
		rs->cls = CC_TRANSIENT;
		snprintf(rs->message, sizeof(rs->message), "%s", rs->transport);
		return 1;
	}
	if (rs->status >= 200 && rs->status < 300) {
		rs->cls = CC_OK;
		r->async_url[0] = '\0';
		if (rs->raw != NULL)
			http_resp_header(rs->raw, "Azure-AsyncOperation",
			    r->async_url, sizeof(r->async_url));
		return 0;
	}
	if (arm_parse_error(rs->body, rs->body_len, code, sizeof(code), msg,
	    sizeof(msg)) == 0) {
		snprintf(rs->code, sizeof(rs->code), "%s", code);
		snprintf(rs->message, sizeof(rs->message), "%s: %s", code, msg);
	} else {
		snprintf(rs->code, sizeof(rs->code), "HTTP%ld", rs->status);
		snprintf(rs->message, sizeof(rs->message), "HTTP %ld without "
		    "an ARM error body", rs->status);
	}
	rs->cls = cloud_classify_arm(rs->status, code[0] ? code : NULL, msg);
	/* A stale etag is for the caller to resolve with a fresh GET. */
	if (rs->status == 412)
		return 0;
	/* The other operation ends when it ends: poll, do not back off. */
	if (strcmp(code, "AnotherOperationInProgress") == 0 ||
	    strcmp(code, "RetryableErrorDueToAnotherOperation") == 0)
		rs->retry_in_ms = 1000;
	return cloud_class_retryable(rs->cls);
}

static void
req_done(void *arg, struct cw_resp *rs)
{
	struct az_req *r = arg;

	r->call = NULL;
	if (rs->cls == CC_AUTH_FAILURE && r->auth_retries == 0 &&
	    (rs->status == 401 || strcmp(rs->code, "Prepare") == 0)) {
		r->auth_retries++;
		log_info("cloud: %s: %s; fetching a fresh AAD token",
		    r->action, rs->code);
		tokcache_invalidate(&r->az->tc);
		req_go(r);
		return;
	}
	req_complete(r, rs);
}

static void
req_start_call(struct az_req *r)
{
	struct cw_callopts o;

	memset(&o, 0, sizeof(o));
	o.api = r->api;
	o.action = r->action;
	o.method = r->method;
	o.url = r->url;
	o.body = r->body;
	o.body_len = r->body != NULL ? strlen(r->body) : 0;
	o.deadline_ms = r->op->task->deadline_ms;
	o.prepare = arm_prepare;
	o.classify = arm_classify;
	o.done = req_done;
	o.arg = r;
	o.task = r->op->task;
	if ((r->call = cw_call_start(r->az->cw, &o)) == NULL)
		req_fail(r, CC_TRANSIENT, "NoClient", "no HTTP client");
}

static void aad_request(struct az *);

static void
req_go(struct az_req *r)
{
	struct az *az = r->az;
	time_t now = time(NULL);

	if (az->token != NULL && tokcache_usable(&az->tc, now)) {
		if (tokcache_due(&az->tc, now) && az->aad_call == NULL)
			aad_request(az);
		req_start_call(r);
		return;
	}
	r->waiting = 1;
	r->gen = az->wait_gen;
	r->wnext = az->waiters;
	az->waiters = r;
	if (az->aad_call == NULL && !az->aad_pending_fail)
		aad_request(az);
}

static void
aad_wake(struct az *az, int ok, enum cloud_class cls, const char *code)
{
	struct az_req *r;
	unsigned gen = az->wait_gen++;

	/* As in aws.c: rescan, and leave later requests for the next one. */
	for (;;) {
		for (r = az->waiters; r != NULL && r->gen > gen; r = r->wnext)
			;
		if (r == NULL)
			break;
		waiters_remove(az, r);
		if (ok)
			req_start_call(r);
		else
			req_fail(r, cls, code, az->aad_error);
	}
}

static void
aad_fail_cb(evutil_socket_t fd, short what, void *arg)
{
	struct az *az = arg;

	(void)fd;
	(void)what;
	az->aad_pending_fail = 0;
	aad_wake(az, 0, az->fail_cls, az->fail_code);
}

static void
aad_fail_later(struct az *az, enum cloud_class cls, const char *code)
{
	struct timeval tv = { 0, 0 };

	az->fail_cls = cls;
	snprintf(az->fail_code, sizeof(az->fail_code), "%s", code);
	az->aad_pending_fail = 1;
	evtimer_add(az->fail_ev, &tv);
}

static int
aad_classify(void *arg, struct cw_resp *rs)
{
	char e[64], d[400];

	(void)arg;
	if (rs->transport != NULL) {
		rs->cls = CC_TRANSIENT;
		snprintf(rs->message, sizeof(rs->message), "%s", rs->transport);
		return 1;
	}
	if (rs->status >= 200 && rs->status < 300) {
		rs->cls = CC_OK;
		return 0;
	}
	if (aad_parse_error(rs->body, rs->body_len, e, sizeof(e), d,
	    sizeof(d)) == 0) {
		snprintf(rs->code, sizeof(rs->code), "%s", e);
		snprintf(rs->message, sizeof(rs->message), "%s: %s", e, d);
	} else
		snprintf(rs->message, sizeof(rs->message), "HTTP %ld from the "
		    "token endpoint", rs->status);
	rs->cls = cloud_classify_aad(rs->status, e[0] ? e : NULL);
	return cloud_class_retryable(rs->cls);
}

static int
aad_prepare(void *arg, struct cw_req_headers *h, char *err, size_t errlen)
{
	(void)arg;
	(void)err;
	(void)errlen;
	cw_headers_add(h, "Content-Type: application/x-www-form-urlencoded");
	cw_headers_add(h, "Accept: application/json");
	return 0;
}

static void
aad_done(void *arg, struct cw_resp *rs)
{
	struct az *az = arg;
	char err[256], *tok;
	long exp;
	time_t now = time(NULL);

	az->aad_call = NULL;
	if (rs->cls != CC_OK) {
		az->token_failures++;
		snprintf(az->aad_error, sizeof(az->aad_error), "AAD token: %s",
		    rs->message);
		log_warn("cloud: %s", az->aad_error);
		aad_wake(az, 0, rs->cls, rs->code[0] ? rs->code : "AAD");
		return;
	}
	if (aad_parse_token(rs->body, rs->body_len, &tok, &exp, err,
	    sizeof(err)) == -1) {
		az->token_failures++;
		snprintf(az->aad_error, sizeof(az->aad_error), "%s", err);
		log_warn("cloud: %s", err);
		aad_wake(az, 0, CC_AUTH_FAILURE, "BadTokenResponse");
		return;
	}
	log_register_secret(tok);
	if (az->token != NULL) {
		explicit_bzero(az->token, strlen(az->token));
		free(az->token);
	}
	az->token = tok;
	tokcache_set(&az->tc, now, now + exp);
	az->aad_error[0] = '\0';
	log_info("cloud: AAD access token, valid for %ld s", exp);
	if (!tokcache_usable(&az->tc, now)) {
		snprintf(az->aad_error, sizeof(az->aad_error), "AAD gave a "
		    "token that expires at once");
		aad_wake(az, 0, CC_AUTH_FAILURE, "ShortToken");
		return;
	}
	aad_wake(az, 1, CC_OK, "");
}

static void
aad_request(struct az *az)
{
	struct eip_form f = { NULL, 0, 0 };
	struct cw_callopts o;
	char err[256], *tok = NULL, *body;
	size_t len;

	az->token_requests++;
	form_add(&f, "grant_type", "client_credentials");
	form_add(&f, "client_id", az->creds.client_id);
	form_add(&f, "scope", az->scope);
	if (az->creds.kind == CRED_AZURE_SECRET)
		form_add(&f, "client_secret", az->creds.client_secret);
	else {
		/* The projected token rotates: read it every time. */
		if ((tok = creds_read_token(az->creds.token_file, err,
		    sizeof(err))) == NULL) {
			form_clear(&f);
			az->token_failures++;
			snprintf(az->aad_error, sizeof(az->aad_error),
			    "workload identity %s", err);
			log_warn("cloud: %s", az->aad_error);
			aad_fail_later(az, CC_AUTH_FAILURE, "TokenFile");
			return;
		}
		form_add(&f, "client_assertion_type", "urn:ietf:params:oauth:"
		    "client-assertion-type:jwt-bearer");
		form_add(&f, "client_assertion", tok);
		explicit_bzero(tok, strlen(tok));
		free(tok);
	}
	body = form_take(&f, &len);
	memset(&o, 0, sizeof(o));
	o.api = CW_API_AAD;
	o.action = "aad:token";
	o.method = "POST";
	o.url = az->token_url;
	o.body = body;
	o.body_len = len;
	o.deadline_ms = cw_now_ms() + 30000;
	o.prepare = aad_prepare;
	o.classify = aad_classify;
	o.done = aad_done;
	o.arg = az;
	az->aad_call = cw_call_start(az->cw, &o);
	explicit_bzero(body, len);
	free(body);
	if (az->aad_call == NULL) {
		snprintf(az->aad_error, sizeof(az->aad_error), "no HTTP client");
		aad_fail_later(az, CC_TRANSIENT, "NoClient");
	}
}

int
az_send(struct az_op *op, enum cw_api api, const char *action,
    const char *method, const char *url, const char *api_version, char *body,
    const char *if_match, az_req_cb cb, void *arg)
{
	struct az *az = op->az;
	struct az_req *r = xcalloc(1, sizeof(*r));
	char *path;

	r->az = az;
	r->op = op;
	r->api = api;
	r->action = xstrdup(action);
	r->method = xstrdup(method);
	r->body = body;
	r->if_match = if_match != NULL ? xstrdup(if_match) : NULL;
	r->cb = cb;
	r->arg = arg;
	r->next = op->reqs;
	op->reqs = r;
	if (strncasecmp(url, "https://", 8) == 0) {
		r->url = xstrdup(url);
	} else {
		path = cw_url_join(az->arm_base, url);
		xasprintf(&r->url, "%s%sapi-version=%s", path,
		    strchr(url, '?') != NULL ? "&" : "?", api_version);
		free(path);
	}
	/* The bearer token goes to the ARM endpoint and nowhere else. */
	if (!cw_url_same_origin(r->url, az->arm.origin)) {
		log_warn("cloud: %s: refusing to follow %.200s off %s", action,
		    r->url, az->arm.origin);
		op->reqs = r->next;
		req_free(r);
		return -1;
	}
	req_go(r);
	return 0;
}

void
az_op_add(struct az *az, struct az_op *op, struct cw_task *t,
    void (*free_fn)(struct az_op *))
{
	op->az = az;
	op->task = t;
	op->free = free_fn;
	op->next = az->ops;
	az->ops = op;
}

static void
op_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct az_op *op = arg;

	(void)fd;
	(void)what;
	op->on_timer(op);
}

void
az_op_later(struct az_op *op, uint64_t ms, void (*fn)(struct az_op *))
{
	struct timeval tv;

	if (op->timer == NULL && (op->timer = evtimer_new(cw_base(op->az->cw),
	    op_timer_cb, op)) == NULL)
		fatalx("evtimer_new");
	op->on_timer = fn;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(op->timer, &tv);
}

static void
op_release(struct az_op *op)
{
	struct az *az = op->az;
	struct az_op **pp;
	struct az_req *r;

	for (pp = &az->ops; *pp != NULL; pp = &(*pp)->next)
		if (*pp == op) {
			*pp = op->next;
			break;
		}
	while ((r = op->reqs) != NULL) {
		op->reqs = r->next;
		if (r->waiting)
			waiters_remove(az, r);
		req_free(r);
	}
	if (op->timer != NULL)
		event_free(op->timer);
	op->free(op);
}

void
az_op_finish(struct az_op *op, json_t *reply)
{
	struct cw_task *t = op->task;

	op_release(op);
	cw_task_done(t, reply);
}

static json_t *
az_dump(void *arg)
{
	struct az *az = arg;
	time_t now = time(NULL);
	struct az_op *op;
	json_t *d;
	int n = 0;

	for (op = az->ops; op != NULL; op = op->next)
		n++;
	/* Never the secret or the token: kinds, endpoints and times. */
	d = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:i, s:b, s:I, s:I}",
	    "credentials", creds_kind_name(az->creds.kind), "subscription",
	    az->creds.subscription_id, "arm_endpoint", az->arm_base,
	    "token_endpoint", az->token_url, "resource_group", az->rg,
	    "network_resource_group", az->netrg, "operations", n,
	    "token_valid", az->token != NULL && tokcache_usable(&az->tc, now),
	    "token_requests", (json_int_t)az->token_requests,
	    "token_failures", (json_int_t)az->token_failures);
	if (az->tc.valid)
		json_object_set_new(d, "token_expires_in", json_integer(
		    (json_int_t)(az->tc.expires - now)));
	if (az->aad_error[0])
		json_object_set_new(d, "token_error",
		    cw_safe_string(az->aad_error));
	return d;
}

static void
az_free(void *arg)
{
	struct az *az = arg;
	size_t l;

	while (az->ops != NULL)
		op_release(az->ops);
	if (az->aad_call != NULL)
		cw_call_cancel(az->aad_call);
	if (az->fail_ev != NULL)
		event_free(az->fail_ev);
	if (az->token != NULL) {
		explicit_bzero(az->token, strlen(az->token));
		free(az->token);
	}
	creds_clear(&az->creds);
	for (l = 0; l < az->nvnets; l++)
		free(az->vnets[l]);
	free(az->vnets);
	free(az->cred_dir);
	free(az->arm_base);
	free(az->token_url);
	free(az->scope);
	free(az->rg);
	free(az->netrg);
	free(az);
}

/* The token's audience: sovereign clouds have their own ARM host. */
static char *
arm_scope(const struct cw_url *arm)
{
	static const char *const hosts[] = { "management.azure.com",
	    "management.usgovcloudapi.net", "management.chinacloudapi.cn",
	    "management.microsoftazure.de", NULL };
	char *s;
	size_t i;

	for (i = 0; hosts[i] != NULL; i++)
		if (strcasecmp(arm->host, hosts[i]) == 0) {
			xasprintf(&s, "https://%s/.default", hosts[i]);
			return s;
		}
	/* Private endpoints and stand-ins still want the public audience. */
	return xstrdup("https://management.azure.com/.default");
}

int
azure_provider_new(struct cw *cw, const struct cw_config *cfg,
    const json_t *cc, struct cw_provider *p, char *err, size_t errlen)
{
	const char *rg = json_string_value(json_object_get(cc,
	    "resource_group"));
	const char *netrg = json_string_value(json_object_get(cc,
	    "network_resource_group"));
	struct cw_url au;
	struct az *az;
	size_t l;

	az = xcalloc(1, sizeof(*az));
	az->cw = cw;
	if ((az->fail_ev = evtimer_new(cw_base(cw), aad_fail_cb, az)) == NULL)
		fatalx("evtimer_new");
	az->cred_dir = xstrdup(cfg->credentials_dir != NULL ?
	    cfg->credentials_dir : "");
	az->arm_base = xstrdup(cfg->azure_arm_endpoint != NULL ?
	    cfg->azure_arm_endpoint : "https://management.azure.com");
	for (l = strlen(az->arm_base); l > 0 && az->arm_base[l - 1] == '/';
	    l--)
		az->arm_base[l - 1] = '\0';
	az->rg = rg != NULL && *rg != '\0' ? xstrdup(rg) : NULL;
	az->netrg = netrg != NULL && *netrg != '\0' ? xstrdup(netrg) :
	    (az->rg != NULL ? xstrdup(az->rg) : NULL);
	if (cw_url_parse(az->arm_base, &az->arm, err, errlen) == -1 ||
	    cw_url_parse(cfg->azure_authority != NULL ? cfg->azure_authority :
	    "https://login.microsoftonline.com", &au, err, errlen) == -1 ||
	    creds_load(az->cred_dir, "Azure", &az->creds, err, errlen) == -1) {
		az_free(az);
		return -1;
	}
	if (!az_id_ok(az->creds.tenant_id) ||
	    !az_id_ok(az->creds.subscription_id) ||
	    (az->rg != NULL && !az_id_ok(az->rg)) ||
	    (az->netrg != NULL && !az_id_ok(az->netrg))) {
		snprintf(err, errlen, "the tenant, subscription or resource "
		    "group has characters an ARM path cannot carry");
		az_free(az);
		return -1;
	}
	{
		char *base = xstrdup(cfg->azure_authority != NULL ?
		    cfg->azure_authority : "https://login.microsoftonline.com");

		for (l = strlen(base); l > 0 && base[l - 1] == '/'; l--)
			base[l - 1] = '\0';
		xasprintf(&az->token_url, "%s/%s/oauth2/v2.0/token", base,
		    az->creds.tenant_id);
		free(base);
	}
	az->scope = arm_scope(&az->arm);
	log_info("cloud: Azure subscription %s with %s, ARM at %s",
	    az->creds.subscription_id, creds_kind_name(az->creds.kind),
	    az->arm_base);
	memset(p, 0, sizeof(*p));
	p->name = "azure";
	p->discover = az_discover;
	p->ensure = az_ensure;
	p->dump = az_dump;
	p->free = az_free;
	p->arg = az;
	return 0;
}
