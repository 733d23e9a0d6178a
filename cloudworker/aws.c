/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AWS client's plumbing: endpoints from the configuration (or the
 * region's), credentials from the mounted Secret, STS web identity with
 * the token re-read before every exchange and temporary credentials
 * renewed ahead of expiry (requests wait for an exchange in flight
 * rather than start their own), SigV4 on every attempt, and one retry
 * after fresh credentials when EC2 says they expired or were refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "aws.h"
#include "aws_int.h"
#include "cclass.h"
#include "cw_int.h"
#include "log.h"
#include "sigv4.h"
#include "xmalloc.h"

#define STS_DURATION_S	3600
#define STS_SESSION	"egressip-ipam-operator"

static void req_go(struct aws_req *);

static void
req_free(struct aws_req *r)
{
	if (r->call != NULL)
		cw_call_cancel(r->call);
	free(r->action);
	free(r->body);
	free(r);
}

static void
op_unlink_req(struct aws_op *op, struct aws_req *r)
{
	struct aws_req **pp;

	for (pp = &op->reqs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			return;
		}
}

static void
waiters_remove(struct aws *aws, struct aws_req *r)
{
	struct aws_req **pp;

	for (pp = &aws->waiters; *pp != NULL; pp = &(*pp)->wnext)
		if (*pp == r) {
			*pp = r->wnext;
			r->waiting = 0;
			return;
		}
}

/* The request is answered: it leaves its op first (the op may end). */
static void
req_complete(struct aws_req *r, struct cw_resp *rs)
{
	op_unlink_req(r->op, r);
	r->call = NULL;
	r->cb(r, rs);
	req_free(r);
}

static void
req_fail(struct aws_req *r, enum cloud_class cls, const char *code,
    const char *msg)
{
	struct cw_resp rs;

	memset(&rs, 0, sizeof(rs));
	rs.cls = cls;
	snprintf(rs.code, sizeof(rs.code), "%s", code);
	snprintf(rs.message, sizeof(rs.message), "%s", msg);
	req_complete(r, &rs);
}

/* Which credentials sign now: static keys or the STS ones. */
static int
current_keys(struct aws *aws, const char **ak, const char **sk,
    const char **tok)
{
	if (aws->creds.kind == CRED_AWS_STATIC) {
		*ak = aws->creds.access_key;
		*sk = aws->creds.secret_key;
		*tok = NULL;
		return 0;
	}
	if (!tokcache_usable(&aws->stc, time(NULL)))
		return -1;
	*ak = aws->sts.access_key;
	*sk = aws->sts.secret_key;
	*tok = aws->sts.session_token;
	return 0;
}

static int
sign_prepare(void *arg, struct cw_req_headers *h, char *err, size_t errlen)
{
	struct aws_req *r = arg;
	struct aws *aws = r->aws;
	struct sigv4_header sh[4];
	struct sigv4_request sr;
	struct sigv4_credentials sc;
	char amz[SIGV4_AMZDATE_LEN + 1], *authz;
	const char *ak, *sk, *tok;
	size_t n = 0;

	if (current_keys(aws, &ak, &sk, &tok) == -1) {
		snprintf(err, errlen, "the temporary credentials expired");
		return -1;
	}
	sigv4_format_amzdate(time(NULL), amz);
	sh[n].name = "content-type";
	sh[n++].value = "application/x-www-form-urlencoded; charset=utf-8";
	sh[n].name = "host";
	sh[n++].value = aws->ec2.host;
	sh[n].name = "x-amz-date";
	sh[n++].value = amz;
	if (tok != NULL) {
		sh[n].name = "x-amz-security-token";
		sh[n++].value = tok;
	}
	memset(&sr, 0, sizeof(sr));
	sr.method = "POST";
	sr.path = aws->ec2.path;
	sr.headers = sh;
	sr.nheaders = n;
	sr.body = r->body;
	sr.body_len = strlen(r->body);
	memset(&sc, 0, sizeof(sc));
	sc.access_key = ak;
	sc.secret_key = sk;
	sc.session_token = tok;
	sc.region = aws->region;
	sc.service = "ec2";
	if (sigv4_sign(&sr, &sc, amz, &authz, NULL) == -1) {
		snprintf(err, errlen, "SigV4 signing failed");
		return -1;
	}
	cw_headers_add(h, "Content-Type: %s", sh[0].value);
	cw_headers_add(h, "Host: %s", aws->ec2.host);
	cw_headers_add(h, "X-Amz-Date: %s", amz);
	if (tok != NULL)
		cw_headers_add(h, "X-Amz-Security-Token: %s", tok);
	cw_headers_add(h, "Authorization: %s", authz);
	explicit_bzero(authz, strlen(authz));
	free(authz);
	return 0;
}

/* EC2 and STS answers: the <Errors> or <ErrorResponse> body. */
static int
aws_classify(void *arg, struct cw_resp *rs)
{
	struct ec2_error e;

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
	if (ec2_parse_error(rs->body, rs->body_len, &e) == 0) {
		snprintf(rs->code, sizeof(rs->code), "%s", e.code);
		snprintf(rs->message, sizeof(rs->message), "%s%s%s", e.code,
		    e.message[0] ? ": " : "", e.message);
	} else
		snprintf(rs->message, sizeof(rs->message), "HTTP %ld without "
		    "an AWS error body", rs->status);
	rs->cls = cloud_classify_aws(rs->status, rs->code[0] ? rs->code : NULL,
	    rs->message);
	return cloud_class_retryable(rs->cls);
}

/* Would fresh credentials help with this refusal? */
static int
refreshable(const char *code)
{
	static const char *const codes[] = { "RequestExpired", "ExpiredToken",
	    "ExpiredTokenException", "AuthFailure", "InvalidClientTokenId",
	    "UnrecognizedClientException", "Prepare", NULL };
	size_t i;

	for (i = 0; codes[i] != NULL; i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

/* The Secret may have been rotated: read it again; 1 if it changed. */
static int
reload_static(struct aws *aws)
{
	struct eip_creds c;
	char err[256];
	int changed;

	if (creds_load(aws->cred_dir, "AWS", &c, err, sizeof(err)) == -1) {
		log_warn("cloud: re-reading AWS credentials: %s", err);
		return 0;
	}
	changed = c.kind != aws->creds.kind || (c.kind == CRED_AWS_STATIC &&
	    (strcmp(c.access_key, aws->creds.access_key) != 0 ||
	    strcmp(c.secret_key, aws->creds.secret_key) != 0));
	if (changed) {
		log_info("cloud: the AWS credentials changed (%s)",
		    creds_kind_name(c.kind));
		creds_clear(&aws->creds);
		aws->creds = c;
		tokcache_invalidate(&aws->stc);
	} else
		creds_clear(&c);
	return changed;
}

static void
req_done(void *arg, struct cw_resp *rs)
{
	struct aws_req *r = arg;
	struct aws *aws = r->aws;

	r->call = NULL;
	if (rs->cls == CC_AUTH_FAILURE && r->auth_retries == 0 &&
	    refreshable(rs->code)) {
		r->auth_retries++;
		if (aws->creds.kind == CRED_AWS_WEB_IDENTITY) {
			log_info("cloud: %s: %s; fetching fresh temporary "
			    "credentials", r->action, rs->code);
			tokcache_invalidate(&aws->stc);
			req_go(r);
			return;
		}
		if (reload_static(aws)) {
			req_go(r);
			return;
		}
	}
	req_complete(r, rs);
}

static void
req_start_call(struct aws_req *r)
{
	struct cw_callopts o;
	char action[96];

	snprintf(action, sizeof(action), "ec2:%s", r->action);
	memset(&o, 0, sizeof(o));
	o.api = r->api;
	o.action = action;
	o.method = "POST";
	o.url = r->aws->ec2_url;
	o.body = r->body;
	o.body_len = strlen(r->body);
	o.deadline_ms = r->op->task->deadline_ms;
	o.prepare = sign_prepare;
	o.classify = aws_classify;
	o.done = req_done;
	o.arg = r;
	o.task = r->op->task;
	if ((r->call = cw_call_start(r->aws->cw, &o)) == NULL)
		req_fail(r, CC_TRANSIENT, "NoClient", "no HTTP client");
}

static void sts_exchange(struct aws *);

static void
req_go(struct aws_req *r)
{
	struct aws *aws = r->aws;
	time_t now = time(NULL);

	if (aws->creds.kind == CRED_AWS_STATIC) {
		req_start_call(r);
		return;
	}
	if (tokcache_usable(&aws->stc, now)) {
		/* Renew in the background before they run out. */
		if (tokcache_due(&aws->stc, now) && aws->sts_call == NULL)
			sts_exchange(aws);
		req_start_call(r);
		return;
	}
	r->waiting = 1;
	r->gen = aws->wait_gen;
	r->wnext = aws->waiters;
	aws->waiters = r;
	if (aws->sts_call == NULL && !aws->sts_pending_fail)
		sts_exchange(aws);
}

static void
sts_wake(struct aws *aws, int ok, enum cloud_class cls, const char *code)
{
	struct aws_req *r;
	unsigned gen = aws->wait_gen++;

	/*
	 * Callbacks may end ops (freeing their other waiting requests) and
	 * queue new ones: rescan from the head each time, and leave the new
	 * ones (a later generation) for the next exchange.
	 */
	for (;;) {
		for (r = aws->waiters; r != NULL && r->gen > gen; r = r->wnext)
			;
		if (r == NULL)
			break;
		waiters_remove(aws, r);
		if (ok)
			req_start_call(r);
		else
			req_fail(r, cls, code, aws->sts_error);
	}
}

/* A failure found before any call is reported from the loop, never
 * from inside aws_send(), so callers never see their op end under them. */
static void
sts_fail_cb(evutil_socket_t fd, short what, void *arg)
{
	struct aws *aws = arg;

	(void)fd;
	(void)what;
	aws->sts_pending_fail = 0;
	sts_wake(aws, 0, aws->fail_cls, aws->fail_code);
}

static void
sts_fail_later(struct aws *aws, enum cloud_class cls, const char *code)
{
	struct timeval tv = { 0, 0 };

	aws->fail_cls = cls;
	snprintf(aws->fail_code, sizeof(aws->fail_code), "%s", code);
	aws->sts_pending_fail = 1;
	evtimer_add(aws->fail_ev, &tv);
}

static int
sts_classify(void *arg, struct cw_resp *rs)
{
	return aws_classify(arg, rs);
}

static void
sts_done(void *arg, struct cw_resp *rs)
{
	struct aws *aws = arg;
	struct sts_credentials c;
	char err[256];
	time_t now = time(NULL);

	aws->sts_call = NULL;
	if (rs->cls != CC_OK) {
		aws->exchange_failures++;
		snprintf(aws->sts_error, sizeof(aws->sts_error), "STS "
		    "AssumeRoleWithWebIdentity: %s", rs->message);
		log_warn("cloud: %s", aws->sts_error);
		sts_wake(aws, 0, rs->cls, rs->code);
		return;
	}
	if (sts_parse_assume(rs->body, rs->body_len, &c, err,
	    sizeof(err)) == -1) {
		aws->exchange_failures++;
		snprintf(aws->sts_error, sizeof(aws->sts_error), "%s", err);
		log_warn("cloud: %s", err);
		sts_wake(aws, 0, CC_AUTH_FAILURE, "BadSTSResponse");
		return;
	}
	log_register_secret(c.secret_key);
	log_register_secret(c.session_token);
	sts_credentials_clear(&aws->sts);
	aws->sts = c;
	tokcache_set(&aws->stc, now, c.expiration);
	aws->sts_error[0] = '\0';
	if (!tokcache_usable(&aws->stc, now)) {
		snprintf(aws->sts_error, sizeof(aws->sts_error), "STS gave "
		    "credentials that expire at once (clock skew?)");
		sts_wake(aws, 0, CC_AUTH_FAILURE, "ExpiredToken");
		return;
	}
	log_info("cloud: temporary credentials from STS, valid for %lld s",
	    (long long)(c.expiration - now));
	sts_wake(aws, 1, CC_OK, "");
}

/* STS is unsigned but needs a form content type. */
static int
sts_prepare(void *arg, struct cw_req_headers *h, char *err, size_t errlen)
{
	(void)arg;
	(void)err;
	(void)errlen;
	cw_headers_add(h, "Content-Type: application/x-www-form-urlencoded; "
	    "charset=utf-8");
	return 0;
}

static void
sts_exchange(struct aws *aws)
{
	struct cw_callopts o;
	char err[256], *tok, *body;

	aws->exchanges++;
	/* The kubelet rotates the projected token: read it every time. */
	if ((tok = creds_read_token(aws->creds.token_file, err,
	    sizeof(err))) == NULL) {
		aws->exchange_failures++;
		snprintf(aws->sts_error, sizeof(aws->sts_error), "web identity "
		    "%s", err);
		log_warn("cloud: %s", aws->sts_error);
		sts_fail_later(aws, CC_AUTH_FAILURE, "TokenFile");
		return;
	}
	body = sts_req_assume_web_identity(aws->creds.role_arn, STS_SESSION,
	    tok, STS_DURATION_S);
	explicit_bzero(tok, strlen(tok));
	free(tok);
	memset(&o, 0, sizeof(o));
	o.api = CW_API_STS;
	o.action = "sts:AssumeRoleWithWebIdentity";
	o.method = "POST";
	o.url = aws->sts_url;
	o.body = body;
	o.body_len = strlen(body);
	o.deadline_ms = cw_now_ms() + 30000;
	o.prepare = sts_prepare;
	o.classify = sts_classify;
	o.done = sts_done;
	o.arg = aws;
	aws->sts_call = cw_call_start(aws->cw, &o);
	explicit_bzero(body, strlen(body));
	free(body);
	if (aws->sts_call == NULL) {
		snprintf(aws->sts_error, sizeof(aws->sts_error), "no HTTP "
		    "client");
		sts_fail_later(aws, CC_TRANSIENT, "NoClient");
	}
}

void
aws_send(struct aws_op *op, enum cw_api api, const char *action, char *body,
    aws_req_cb cb, void *arg)
{
	struct aws_req *r = xcalloc(1, sizeof(*r));

	r->aws = op->aws;
	r->op = op;
	r->api = api;
	r->action = xstrdup(action);
	r->body = body;
	r->cb = cb;
	r->arg = arg;
	r->next = op->reqs;
	op->reqs = r;
	req_go(r);
}

void
aws_op_add(struct aws *aws, struct aws_op *op, struct cw_task *t,
    void (*free_fn)(struct aws_op *))
{
	op->aws = aws;
	op->task = t;
	op->free = free_fn;
	op->next = aws->ops;
	aws->ops = op;
}

static void
op_release(struct aws_op *op)
{
	struct aws *aws = op->aws;
	struct aws_op **pp;
	struct aws_req *r;

	for (pp = &aws->ops; *pp != NULL; pp = &(*pp)->next)
		if (*pp == op) {
			*pp = op->next;
			break;
		}
	while ((r = op->reqs) != NULL) {
		op->reqs = r->next;
		if (r->waiting)
			waiters_remove(aws, r);
		req_free(r);
	}
	op->free(op);
}

void
aws_op_finish(struct aws_op *op, json_t *reply)
{
	struct cw_task *t = op->task;

	op_release(op);
	cw_task_done(t, reply);
}

int
aws_itype_limit(struct aws *aws, const char *type)
{
	json_t *v;

	if (type == NULL || (v = json_object_get(aws->itypes, type)) == NULL)
		return -1;
	return (int)json_integer_value(v);
}

void
aws_itype_store(struct aws *aws, const struct ec2_itypes *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		json_object_set_new(aws->itypes, l->v[i].name,
		    json_integer(l->v[i].ipv4_per_eni));
}

static json_t *
aws_dump(void *arg)
{
	struct aws *aws = arg;
	time_t now = time(NULL);
	json_t *d;
	struct aws_op *op;
	int nops = 0;

	for (op = aws->ops; op != NULL; op = op->next)
		nops++;
	/* Kinds, endpoints and times only: never a key or a token. */
	d = json_pack("{s:s, s:s, s:s, s:s, s:O, s:i, s:I, s:I}",
	    "credentials", creds_kind_name(aws->creds.kind), "region",
	    aws->region, "ec2_endpoint", aws->ec2_url, "sts_endpoint",
	    aws->sts_url, "instance_types", aws->itypes, "operations", nops,
	    "sts_exchanges", (json_int_t)aws->exchanges,
	    "sts_failures", (json_int_t)aws->exchange_failures);
	if (aws->creds.kind == CRED_AWS_WEB_IDENTITY) {
		json_object_set_new(d, "sts_valid", json_boolean(
		    tokcache_usable(&aws->stc, now)));
		if (aws->stc.valid)
			json_object_set_new(d, "sts_expires_in", json_integer(
			    (json_int_t)(aws->stc.expires - now)));
		if (aws->sts_error[0])
			json_object_set_new(d, "sts_error",
			    cw_safe_string(aws->sts_error));
	}
	return d;
}

static void
aws_free(void *arg)
{
	struct aws *aws = arg;

	while (aws->ops != NULL)
		op_release(aws->ops);
	if (aws->sts_call != NULL)
		cw_call_cancel(aws->sts_call);
	if (aws->fail_ev != NULL)
		event_free(aws->fail_ev);
	sts_credentials_clear(&aws->sts);
	creds_clear(&aws->creds);
	json_decref(aws->itypes);
	free(aws->cred_dir);
	free(aws->ec2_url);
	free(aws->sts_url);
	free(aws);
}

/* The partition's domain: the China regions have their own. */
static const char *
aws_domain(const char *region)
{
	return strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" :
	    "amazonaws.com";
}

int
aws_provider_new(struct cw *cw, const struct cw_config *cfg,
    const json_t *cc, struct cw_provider *p, char *err, size_t errlen)
{
	const char *region = json_string_value(json_object_get(cc, "region"));
	struct cw_url su;
	struct aws *aws;

	if (region == NULL || *region == '\0') {
		snprintf(err, errlen, "no AWS region (Infrastructure "
		    "status.platformStatus.aws.region)");
		return -1;
	}
	aws = xcalloc(1, sizeof(*aws));
	aws->cw = cw;
	aws->itypes = json_object();
	if ((aws->fail_ev = evtimer_new(cw_base(cw), sts_fail_cb, aws)) ==
	    NULL)
		fatalx("evtimer_new");
	snprintf(aws->region, sizeof(aws->region), "%s", region);
	aws->cred_dir = xstrdup(cfg->credentials_dir != NULL ?
	    cfg->credentials_dir : "");
	if (cfg->aws_ec2_endpoint != NULL)
		aws->ec2_url = xstrdup(cfg->aws_ec2_endpoint);
	else
		xasprintf(&aws->ec2_url, "https://ec2.%s.%s/", region,
		    aws_domain(region));
	if (cfg->aws_sts_endpoint != NULL)
		aws->sts_url = xstrdup(cfg->aws_sts_endpoint);
	else
		xasprintf(&aws->sts_url, "https://sts.%s.%s/", region,
		    aws_domain(region));
	if (cw_url_parse(aws->ec2_url, &aws->ec2, err, errlen) == -1 ||
	    cw_url_parse(aws->sts_url, &su, err, errlen) == -1 ||
	    creds_load(aws->cred_dir, "AWS", &aws->creds, err, errlen) == -1) {
		aws_free(aws);
		return -1;
	}
	log_info("cloud: AWS %s with %s, EC2 at %s", region,
	    creds_kind_name(aws->creds.kind), aws->ec2_url);
	memset(p, 0, sizeof(*p));
	p->name = "aws";
	p->discover = aws_discover;
	p->ensure = aws_ensure;
	p->dump = aws_dump;
	p->free = aws_free;
	p->arg = aws;
	return 0;
}
