/* SPDX-License-Identifier: Apache-2.0 */
/*
 * STS AssumeRoleWithWebIdentity (an unsigned form POST checked against
 * the projected service-account token) and the SigV4 check every EC2
 * request goes through, with the static key pair or STS's temporary
 * credentials and their session token.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sigv4.h"
#include "sim_aws.h"
#include "xmalloc.h"

#define STS_XMLNS	"https://sts.amazonaws.com/doc/2011-06-15/"
#define STS_VERSION	"2011-06-15"
#define STS_ROLE_MAX	3600	/* the role's MaxSessionDuration */

static void
sts_error(struct sc_ctx *ctx, int status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
sts_error(struct sc_ctx *ctx, int status, const char *code,
    const char *fmt, ...)
{
	struct sc_buf b = { 0 };
	va_list ap;
	char *msg, *body;
	size_t len;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	sc_buf_add(&b, "<ErrorResponse xmlns=\"" STS_XMLNS "\">\n  <Error>\n"
	    "    <Type>");
	sc_buf_add(&b, status >= 500 ? "Receiver" : "Sender");
	sc_buf_add(&b, "</Type>\n    ");
	sc_buf_elem(&b, "Code", code);
	sc_buf_add(&b, "\n    ");
	sc_buf_elem(&b, "Message", msg != NULL ? msg : "");
	sc_buf_add(&b, "\n  </Error>\n  ");
	sc_buf_elem(&b, "RequestId", ctx->reqid);
	sc_buf_add(&b, "\n</ErrorResponse>\n");
	body = sc_buf_take(&b, &len);
	sim_resp_set(ctx->resp, status, "text/xml", body, len);
	sim_resp_header(ctx->resp, "x-amzn-RequestId", ctx->reqid);
	sc_set_outcome(ctx, code);
	free(msg);
}

/* Drops credentials that expired more than an hour ago. */
static void
sts_prune(struct sim_cloud *sc)
{
	struct sc_aws *aws = sc->aws;
	double now = sc_now(sc);
	size_t i = 0;

	while (i < aws->ncreds) {
		if (aws->creds[i].exp + 3600 < now) {
			free(aws->creds[i].token);
			free(aws->creds[i].session);
			memmove(&aws->creds[i], &aws->creds[i + 1],
			    (aws->ncreds - i - 1) * sizeof(*aws->creds));
			aws->ncreds--;
		} else
			i++;
	}
}

int
sc_sts_lookup(struct sim_cloud *sc, const char *akid, const char **secret,
    const char **token)
{
	struct sc_aws *aws = sc->aws;
	size_t i;

	for (i = 0; i < aws->ncreds; i++)
		if (strcmp(aws->creds[i].akid, akid) == 0) {
			*secret = aws->creds[i].secret;
			*token = aws->creds[i].token;
			return sc_now(sc) < aws->creds[i].exp ? 0 : -2;
		}
	return -1;
}

static int
session_name_ok(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (!isalnum((unsigned char)s[n]) &&
		    strchr("_+=,.@-", s[n]) == NULL)
			return 0;
	return n >= 2 && n <= 64;
}

static void
sts_assume(struct sc_ctx *ctx, const struct sc_form *f)
{
	struct sim_cloud *sc = ctx->sc;
	struct sc_aws *aws = sc->aws;
	const char *arn = sc_form_get(f, "RoleArn");
	const char *sess = sc_form_get(f, "RoleSessionName");
	const char *tok = sc_form_get(f, "WebIdentityToken");
	const char *dur = sc_form_get(f, "DurationSeconds");
	struct sc_stscred *c;
	struct sc_buf b = { 0 };
	unsigned char raw[264];
	char exp[40], rid[24], *body, *end;
	const char *role;
	double life = STS_ROLE_MAX;
	size_t len, i;
	int r;

	if (arn == NULL || sess == NULL || tok == NULL) {
		sts_error(ctx, 400, "ValidationError", "1 validation error "
		    "detected: Value null at '%s' failed to satisfy constraint: "
		    "Member must not be null", arn == NULL ? "roleArn" :
		    sess == NULL ? "roleSessionName" : "webIdentityToken");
		return;
	}
	if (!session_name_ok(sess)) {
		sts_error(ctx, 400, "ValidationError", "1 validation error "
		    "detected: Value at 'roleSessionName' failed to satisfy "
		    "constraint: Member must satisfy regular expression "
		    "pattern: [\\w+=,.@-]*");
		return;
	}
	if (dur != NULL) {
		life = strtod(dur, &end);
		if (*dur == '\0' || *end != '\0' || !(life >= 900 &&
		    life <= 43200) || life != floor(life)) {
			sts_error(ctx, 400, "ValidationError", "1 validation "
			    "error detected: Value '%.16s' at 'durationSeconds' "
			    "failed to satisfy constraint: Member must have "
			    "value between 900 and 43200", dur);
			return;
		}
		if (life > STS_ROLE_MAX) {
			sts_error(ctx, 400, "ValidationError", "The requested "
			    "DurationSeconds exceeds the MaxSessionDuration set "
			    "for this role.");
			return;
		}
	}
	if (strcmp(arn, aws->role_arn) != 0) {
		sts_error(ctx, 403, "AccessDenied", "Not authorized to perform "
		    "sts:AssumeRoleWithWebIdentity");
		return;
	}
	if ((r = sc_wi_token_check(sc, tok)) == -2) {
		sts_error(ctx, 400, "ExpiredTokenException", "Token expired: "
		    "current date/time must be before the expiration date/time "
		    "in the token.");
		return;
	}
	if (r == -1) {
		sts_error(ctx, 400, "InvalidIdentityToken", "The web identity "
		    "token was not issued by this cluster's identity provider.");
		return;
	}
	sts_prune(sc);
	if (aws->sts_max > 0 && aws->sts_max < life)
		life = aws->sts_max;
	aws->creds = xreallocarray(aws->creds, aws->ncreds + 1,
	    sizeof(*aws->creds));
	c = &aws->creds[aws->ncreds++];
	memset(c, 0, sizeof(*c));
	snprintf(c->akid, sizeof(c->akid), "ASIA");
	sc_secret(c->akid + 4, sizeof(c->akid) - 4,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
	sc_secret(c->secret, sizeof(c->secret),
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
	sc_secret((char *)raw, sizeof(raw), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
	    "ghijklmnopqrstuvwxyz0123456789+/=");
	xasprintf(&c->token, "IQoJb3JpZ2luX2VjE%s", (char *)raw);
	c->session = xstrdup(sess);
	c->exp = sc_now(sc) + life;
	sc_iso8601(c->exp, 0, exp, sizeof(exp));
	role = strrchr(aws->role_arn, '/');
	role = role != NULL ? role + 1 : aws->role_arn;
	snprintf(rid, sizeof(rid), "AROA");
	for (i = 4; i < 21 && i < sizeof(rid) - 1; i++)
		rid[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[sc_rand(sc) % 32];
	rid[i] = '\0';

	sc_buf_add(&b, "<AssumeRoleWithWebIdentityResponse xmlns=\"" STS_XMLNS
	    "\">\n  <AssumeRoleWithWebIdentityResult>\n    ");
	sc_buf_elem(&b, "SubjectFromWebIdentityToken", "system:serviceaccount:"
	    "egressip-ipam-operator:egress-ipam-operator");
	sc_buf_add(&b, "\n    <Audience>openshift</Audience>\n"
	    "    <AssumedRoleUser>\n      <Arn>");
	sc_buf_addf(&b, "arn:aws:sts::%s:assumed-role/", aws->account);
	sc_buf_xml(&b, role);
	sc_buf_add(&b, "/");
	sc_buf_xml(&b, sess);
	sc_buf_add(&b, "</Arn>\n      <AssumedRoleId>");
	sc_buf_xml(&b, rid);
	sc_buf_add(&b, ":");
	sc_buf_xml(&b, sess);
	sc_buf_add(&b, "</AssumedRoleId>\n    </AssumedRoleUser>\n"
	    "    <Credentials>\n      ");
	sc_buf_elem(&b, "AccessKeyId", c->akid);
	sc_buf_add(&b, "\n      ");
	sc_buf_elem(&b, "SecretAccessKey", c->secret);
	sc_buf_add(&b, "\n      ");
	sc_buf_elem(&b, "SessionToken", c->token);
	sc_buf_add(&b, "\n      ");
	sc_buf_elem(&b, "Expiration", exp);
	sc_buf_add(&b, "\n    </Credentials>\n    <Provider>"
	    "arn:aws:iam::");
	sc_buf_add(&b, aws->account);
	sc_buf_add(&b, ":oidc-provider/kubernetes.default.svc</Provider>\n"
	    "  </AssumeRoleWithWebIdentityResult>\n  <ResponseMetadata>\n    ");
	sc_buf_elem(&b, "RequestId", ctx->reqid);
	sc_buf_add(&b, "\n  </ResponseMetadata>\n"
	    "</AssumeRoleWithWebIdentityResponse>\n");
	body = sc_buf_take(&b, &len);
	sim_resp_set(ctx->resp, 200, "text/xml", body, len);
	sim_resp_header(ctx->resp, "x-amzn-RequestId", ctx->reqid);
	sc_set_outcome(ctx, "ok");
}

void
sc_sts_handle(struct sc_ctx *ctx)
{
	const struct sim_req *req = ctx->req;
	const struct sc_fault *flt;
	struct sc_form f;
	const char *action, *version;
	size_t i;

	sc_set_action(ctx, "sts:invalid");
	if (strcmp(req->method, "POST") != 0) {
		sts_error(ctx, 400, "InvalidAction", "STS is served with POST "
		    "here.");
		return;
	}
	sc_form_parse(req->body, req->body_len, &f);
	action = sc_form_get(&f, "Action");
	version = sc_form_get(&f, "Version");
	if (action != NULL) {
		for (i = 0; action[i] != '\0' && i < 64 &&
		    isalnum((unsigned char)action[i]); i++)
			;
		if (action[i] == '\0' && i > 0)
			sc_set_action(ctx, "sts:%s", action);
	}
	if (action == NULL || strcmp(action, "AssumeRoleWithWebIdentity") != 0)
		sts_error(ctx, 400, "InvalidAction", "Could not find operation "
		    "%.64s for version " STS_VERSION, action ? action : "(none)");
	else if (version == NULL || strcmp(version, STS_VERSION) != 0)
		sts_error(ctx, 400, "InvalidParameterValue", "Version must be "
		    STS_VERSION);
	else if ((flt = sc_fault_check(ctx)) != NULL)
		sts_error(ctx, flt->status ? flt->status : 500, flt->code ?
		    flt->code : "InternalFailure", "%s", flt->message ?
		    flt->message : "An internal error occurred.");
	else
		sts_assume(ctx, &f);
	sc_form_free(&f);
}

/* "Tue, 26 Nov 2026 22:21:01 GMT" -> amzdate, for clients that sign Date. */
static int
http_date_amz(const char *s, char out[SIGV4_AMZDATE_LEN + 1])
{
	struct tm tm;
	const char *e;

	memset(&tm, 0, sizeof(tm));
	e = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (e == NULL || *e != '\0')
		return -1;
	sigv4_format_amzdate(timegm(&tm), out);
	return 0;
}

#define AUTH_MAX_HEADERS	32

/* Whether a SignedHeaders list ("a;b;c") names a header. */
static int
signed_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; p != NULL; p = strchr(p, ';'), p = p ? p + 1 : p)
		if (strncasecmp(p, name, n) == 0 && (p[n] == ';' ||
		    p[n] == '\0'))
			return 1;
	return 0;
}

int
sts_authenticate(struct sc_ctx *ctx, const struct sc_form *form)
{
	const struct sim_req *req = ctx->req;
	struct sim_cloud *sc = ctx->sc;
	struct sc_aws *aws = sc->aws;
	struct sigv4_header hs[AUTH_MAX_HEADERS];
	struct sigv4_request sr;
	struct sigv4_auth a;
	char err[128], amz[SIGV4_AMZDATE_LEN + 1], names[1024], *name, *save;
	char sig[SIGV4_HEX_LEN + 1], bodyhash[SIGV4_HEX_LEN + 1];
	const char *authz, *d, *secret = NULL, *token = NULL, *v, *payload = NULL;
	size_t nh = 0;
	time_t t;
	int r;

	authz = req->header(req, "Authorization");
	if (authz == NULL) {
		if (sc_form_get(form, "X-Amz-Signature") != NULL ||
		    (req->query != NULL &&
		    strstr(req->query, "X-Amz-Signature=") != NULL))
			ec2_error(ctx, 401, "AuthFailure", "Query-string "
			    "(presigned) authentication is not served by this "
			    "simulator; sign with the Authorization header.");
		else
			ec2_error(ctx, 401, "MissingAuthenticationToken",
			    "Request is missing Authentication Token");
		return -1;
	}
	if (sigv4_parse_authorization(authz, &a, err, sizeof(err)) == -1) {
		ec2_error(ctx, 400, "IncompleteSignature", "The request "
		    "signature does not conform to AWS standards: %s", err);
		return -1;
	}
	if ((d = req->header(req, "X-Amz-Date")) != NULL) {
		if (sigv4_parse_amzdate(d, &t) == -1) {
			ec2_error(ctx, 400, "IncompleteSignature", "X-Amz-Date "
			    "'%.32s' is not ISO 8601 basic format", d);
			return -1;
		}
		snprintf(amz, sizeof(amz), "%s", d);
	} else if ((d = req->header(req, "Date")) != NULL &&
	    http_date_amz(d, amz) == 0)
		sigv4_parse_amzdate(amz, &t);
	else {
		ec2_error(ctx, 400, "IncompleteSignature", "Authorization "
		    "header requires existence of either a 'X-Amz-Date' or a "
		    "'Date' header.");
		return -1;
	}
	if (fabs(sc_now(sc) - (double)t) > aws->skew) {
		ec2_error(ctx, 400, "RequestExpired", "Request has expired.");
		return -1;
	}
	if (strncmp(amz, a.date, 8) != 0 || strcmp(a.region, aws->region) != 0 ||
	    strcmp(a.service, "ec2") != 0) {
		ec2_error(ctx, 401, "AuthFailure", "Credential should be scoped "
		    "to %.8s/%s/ec2.", amz, aws->region);
		return -1;
	}
	if (strcmp(a.access_key, aws->access_key) == 0)
		secret = aws->secret_key;
	else if ((r = sc_sts_lookup(sc, a.access_key, &secret, &token)) != 0) {
		if (r == -2)
			ec2_error(ctx, 400, "RequestExpired", "Request has "
			    "expired.");
		else
			ec2_error(ctx, 401, "AuthFailure", "AWS was not able to "
			    "validate the provided access credentials");
		return -1;
	}
	if (token != NULL && ((v = req->header(req, "X-Amz-Security-Token")) ==
	    NULL || !sigv4_equal(v, token))) {
		ec2_error(ctx, 401, "AuthFailure", "AWS was not able to "
		    "validate the provided access credentials");
		return -1;
	}
	snprintf(names, sizeof(names), "%s", a.signed_headers);
	for (name = strtok_r(names, ";", &save); name != NULL;
	    name = strtok_r(NULL, ";", &save)) {
		v = req->header(req, name);
		if (v == NULL && strcasecmp(name, "host") == 0)
			v = req->host;
		if (v == NULL || nh == AUTH_MAX_HEADERS) {
			ec2_error(ctx, 401, "AuthFailure", "Signed header "
			    "'%.64s' is missing from the request.", name);
			return -1;
		}
		if (strcasecmp(name, "x-amz-content-sha256") == 0)
			payload = v;
		hs[nh].name = name;
		hs[nh++].value = v;
	}
	if (!signed_has(a.signed_headers, "host") || (token != NULL &&
	    !signed_has(a.signed_headers, "x-amz-security-token"))) {
		ec2_error(ctx, 401, "AuthFailure", "The host header%s must be "
		    "signed.", token != NULL ? " and x-amz-security-token" : "");
		return -1;
	}
	/* A declared payload hash must be the body's: EC2 signs bodies. */
	sigv4_sha256_hex(req->body, req->body_len, bodyhash);
	if (payload != NULL && strcmp(payload, bodyhash) != 0) {
		ec2_error(ctx, 400, "XAmzContentSHA256Mismatch", "The provided "
		    "'x-amz-content-sha256' header does not match what was "
		    "computed.");
		return -1;
	}
	memset(&sr, 0, sizeof(sr));
	sr.method = req->method;
	sr.path = req->path;
	sr.query = req->query;
	sr.headers = hs;
	sr.nheaders = nh;
	sr.body = req->body;
	sr.body_len = req->body_len;
	sr.payload_hash = bodyhash;
	if (sigv4_signature(&sr, secret, amz, a.region, a.service, sig) == -1 ||
	    !sigv4_equal(sig, a.signature)) {
		ec2_error(ctx, 401, "AuthFailure", "AWS was not able to "
		    "validate the provided access credentials");
		return -1;
	}
	return 0;
}
