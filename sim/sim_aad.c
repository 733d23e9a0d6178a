/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Azure AD (Microsoft identity platform v2.0) of the simulator: the
 * tenant's openid-configuration and the token endpoint with the
 * client-credentials grant, by client secret or by federated assertion
 * (the projected service-account token), with AAD's error bodies; and the
 * bearer tokens ARM accepts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim_az.h"
#include "xmalloc.h"

#define JWT_BEARER "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

static void
aad_reply(struct sc_ctx *ctx, int status, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT);

	json_decref(body);
	if (s == NULL)
		s = xstrdup("{}");
	sim_resp_set(ctx->resp, status, "application/json; charset=utf-8", s,
	    strlen(s));
	sim_resp_header(ctx->resp, "x-ms-request-id", ctx->reqid);
	sim_resp_header(ctx->resp, "Cache-Control", "no-store, no-cache");
	if (status < 300)
		sc_set_outcome(ctx, "ok");
}

/* {"error","error_description":"AADSTSn: ...","error_codes":[n],...}. */
static void
aad_error(struct sc_ctx *ctx, int status, const char *error, int code,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
aad_error(struct sc_ctx *ctx, int status, const char *error, int code,
    const char *fmt, ...)
{
	va_list ap;
	char *msg, *desc, ts[40], corr[37], uri[96], out[32];

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	sc_iso8601(sc_now(ctx->sc), 0, ts, sizeof(ts));
	ts[10] = ' ';
	sc_uuid(ctx->sc, corr);
	xasprintf(&desc, "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s"
	    "\r\nTimestamp: %s", code, msg != NULL ? msg : "", ctx->reqid, corr,
	    ts);
	snprintf(uri, sizeof(uri), "https://login.microsoftonline.com/error?"
	    "code=%d", code);
	aad_reply(ctx, status, json_pack("{s:s, s:s, s:[i], s:s, s:s, s:s, "
	    "s:s}", "error", error, "error_description", desc, "error_codes",
	    code, "timestamp", ts, "trace_id", ctx->reqid, "correlation_id",
	    corr, "error_uri", uri));
	snprintf(out, sizeof(out), "AADSTS%d", code);
	sc_set_outcome(ctx, out);
	free(desc);
	free(msg);
}

static void
aad_openid(struct sc_ctx *ctx, const char *tenant)
{
	struct sim_cloud *sc = ctx->sc;
	char *base, *iss;
	json_t *j;

	xasprintf(&base, "%s/azure/aad/%s", sc->base_url, tenant);
	xasprintf(&iss, "https://login.microsoftonline.com/%s/v2.0", tenant);
	/* msal reads authorization_endpoint and token_endpoint from here. */
	j = json_pack("{s:[s,s,s], s:[s,s,s], s:[s], s:[s], s:[s,s,s], s:s, "
	    "s:b, s:s, s:b, s:b, s:s, s:s, s:s, s:s, s:s}",
	    "token_endpoint_auth_methods_supported", "client_secret_post",
	    "private_key_jwt", "client_secret_basic",
	    "response_modes_supported", "query", "fragment", "form_post",
	    "subject_types_supported", "pairwise",
	    "id_token_signing_alg_values_supported", "RS256",
	    "response_types_supported", "code", "id_token", "code id_token",
	    "issuer", iss, "request_uri_parameter_supported", 0,
	    "userinfo_endpoint", "https://graph.microsoft.com/oidc/userinfo",
	    "http_logout_supported", 1, "frontchannel_logout_supported", 1,
	    "tenant_region_scope", "NA", "cloud_instance_name",
	    "microsoftonline.com", "cloud_graph_host_name", "graph.windows.net",
	    "msgraph_host", "graph.microsoft.com", "rbac_url",
	    "https://pas.windows.net");
	json_object_set_new(j, "token_endpoint", json_sprintf(
	    "%s/oauth2/v2.0/token", base));
	json_object_set_new(j, "jwks_uri", json_sprintf(
	    "%s/discovery/v2.0/keys", base));
	json_object_set_new(j, "authorization_endpoint", json_sprintf(
	    "%s/oauth2/v2.0/authorize", base));
	json_object_set_new(j, "device_authorization_endpoint", json_sprintf(
	    "%s/oauth2/v2.0/devicecode", base));
	json_object_set_new(j, "end_session_endpoint", json_sprintf(
	    "%s/oauth2/v2.0/logout", base));
	json_object_set_new(j, "kerberos_endpoint", json_sprintf(
	    "%s/kerberos", base));
	json_object_set_new(j, "scopes_supported", json_pack("[s,s,s,s]",
	    "openid", "profile", "email", "offline_access"));
	free(base);
	free(iss);
	aad_reply(ctx, 200, j);
}

static void
aad_prune(struct sim_cloud *sc)
{
	struct sc_azure *az = sc->az;
	double now = sc_now(sc);
	size_t i = 0;

	while (i < az->ntoks) {
		if (az->toks[i].exp + 3600 < now) {
			free(az->toks[i].token);
			memmove(&az->toks[i], &az->toks[i + 1],
			    (az->ntoks - i - 1) * sizeof(*az->toks));
			az->ntoks--;
		} else
			i++;
	}
}

/* An access token shaped like AAD's: a JWT ARM only looks up. */
static char *
aad_issue(struct sim_cloud *sc)
{
	struct sc_azure *az = sc->az;
	double now = sc_now(sc);
	char kid[28], sig[87], oid[37], *h, *p, *tok, *payload, iss[96];
	json_t *claims;

	sc_secret(kid, sizeof(kid), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789");
	sc_secret(sig, sizeof(sig), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789-_");
	sc_uuid(sc, oid);
	snprintf(iss, sizeof(iss), "https://sts.windows.net/%s/", az->tenant);
	claims = json_pack("{s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:s, "
	    "s:s, s:s}", "aud", "https://management.azure.com/", "iss", iss,
	    "iat", (json_int_t)now, "nbf", (json_int_t)now, "exp",
	    (json_int_t)(now + az->tok_life), "appid", az->client_id, "oid",
	    oid, "sub", oid, "tid", az->tenant, "idtyp", "app", "ver", "1.0");
	payload = json_dumps(claims, JSON_COMPACT);
	json_decref(claims);
	xasprintf(&h, "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"kid\":\"%s\"}",
	    kid);
	p = sc_b64url(h, strlen(h));
	free(h);
	h = sc_b64url(payload, strlen(payload));
	free(payload);
	xasprintf(&tok, "%s.%s.%s", p, h, sig);
	free(p);
	free(h);
	aad_prune(sc);
	az->toks = xreallocarray(az->toks, az->ntoks + 1, sizeof(*az->toks));
	az->toks[az->ntoks].token = xstrdup(tok);
	az->toks[az->ntoks].exp = now + az->tok_life;
	az->ntoks++;
	return tok;
}

int
sc_aad_check_token(struct sim_cloud *sc, const char *tok)
{
	struct sc_azure *az = sc->az;
	size_t i;

	while (*tok == ' ')
		tok++;
	for (i = 0; i < az->ntoks; i++)
		if (strcmp(az->toks[i].token, tok) == 0)
			return sc_now(sc) < az->toks[i].exp ? 0 : -2;
	return -1;
}

static int
scope_ok(const char *scope)
{
	return scope != NULL &&
	    (strcmp(scope, "https://management.azure.com/.default") == 0 ||
	    strcmp(scope, "https://management.azure.com//.default") == 0 ||
	    strcmp(scope, "https://management.core.windows.net/.default") == 0 ||
	    strcmp(scope, "https://management.core.windows.net//.default") == 0);
}

static void
aad_token(struct sc_ctx *ctx)
{
	struct sim_cloud *sc = ctx->sc;
	struct sc_azure *az = sc->az;
	const struct sim_req *req = ctx->req;
	const char *grant, *cid, *secret, *atype, *assertion, *scope;
	struct sc_form f;
	char *tok;
	int r;

	sc_form_parse(req->body, req->body_len, &f);
	grant = sc_form_get(&f, "grant_type");
	cid = sc_form_get(&f, "client_id");
	secret = sc_form_get(&f, "client_secret");
	atype = sc_form_get(&f, "client_assertion_type");
	assertion = sc_form_get(&f, "client_assertion");
	scope = sc_form_get(&f, "scope");
	if (grant == NULL)
		aad_error(ctx, 400, "invalid_request", 900144, "The request body "
		    "must contain the following parameter: 'grant_type'.");
	else if (strcmp(grant, "client_credentials") != 0)
		aad_error(ctx, 400, "unsupported_grant_type", 70003, "The app "
		    "requested an unsupported grant type '%.64s'.", grant);
	else if (cid == NULL)
		aad_error(ctx, 400, "invalid_request", 900144, "The request body "
		    "must contain the following parameter: 'client_id'.");
	else if (strcmp(cid, az->client_id) != 0)
		aad_error(ctx, 400, "unauthorized_client", 700016, "Application "
		    "with identifier '%.64s' was not found in the directory "
		    "'%s'.", cid, az->tenant);
	else if (scope == NULL)
		aad_error(ctx, 400, "invalid_request", 900144, "The request body "
		    "must contain the following parameter: 'scope'.");
	else if (!scope_ok(scope))
		aad_error(ctx, 400, "invalid_scope", 1002012, "The provided "
		    "value for scope %.128s is not valid. Client credential "
		    "flows must have a scope value with /.default suffixed to "
		    "the resource identifier (application ID URI).", scope);
	else if (secret != NULL) {
		if (strcmp(sc->variant, "secret") != 0 ||
		    strcmp(secret, az->client_secret) != 0)
			aad_error(ctx, 401, "invalid_client", 7000215, "Invalid "
			    "client secret provided. Ensure the secret being "
			    "sent in the request is the client secret value, "
			    "not the client secret ID, for a secret added to "
			    "app '%s'.", az->client_id);
		else
			goto issue;
	} else if (assertion != NULL) {
		if (atype == NULL || strcmp(atype, JWT_BEARER) != 0)
			aad_error(ctx, 400, "invalid_request", 700009, "Client "
			    "assertion type must be '" JWT_BEARER "'.");
		else if (strcmp(sc->variant, "wi") != 0 ||
		    (r = sc_wi_token_check(sc, assertion)) == -1)
			aad_error(ctx, 400, "invalid_client", 700211, "No "
			    "matching federated identity record found for "
			    "presented assertion issuer "
			    "'https://kubernetes.default.svc'.");
		else if (r == -2)
			aad_error(ctx, 400, "invalid_client", 700024, "Client "
			    "assertion is not within its valid time range.");
		else
			goto issue;
	} else
		aad_error(ctx, 401, "invalid_client", 7000216, "'client_assertion'"
		    ", 'client_secret' or 'request' is required for the "
		    "'client_credentials' grant type.");
	sc_form_free(&f);
	return;
issue:
	tok = aad_issue(sc);
	aad_reply(ctx, 200, json_pack("{s:s, s:i, s:i, s:s}", "token_type",
	    "Bearer", "expires_in", (int)az->tok_life, "ext_expires_in",
	    (int)az->tok_life, "access_token", tok));
	free(tok);
	sc_form_free(&f);
}

/* path: "/{tenant}/v2.0/.well-known/openid-configuration" or
 * "/{tenant}/oauth2/v2.0/token". */
void
sc_aad_handle(struct sc_ctx *ctx, const char *path)
{
	struct sim_cloud *sc = ctx->sc;
	const struct sc_fault *f;
	const char *rest, *slash;
	char tenant[128];
	int openid;

	sc_set_action(ctx, "aad:unknown");
	if (*path == '/')
		path++;
	slash = strchr(path, '/');
	if (slash == NULL || slash == path || (size_t)(slash - path) >=
	    sizeof(tenant)) {
		aad_error(ctx, 404, "invalid_request", 90002, "No tenant in the "
		    "request path.");
		return;
	}
	memcpy(tenant, path, (size_t)(slash - path));
	tenant[slash - path] = '\0';
	rest = slash;
	openid = strcmp(rest, "/v2.0/.well-known/openid-configuration") == 0;
	if (openid)
		sc_set_action(ctx, "aad:openid");
	else if (strcmp(rest, "/oauth2/v2.0/token") == 0)
		sc_set_action(ctx, "aad:token");
	else {
		aad_error(ctx, 404, "invalid_request", 90011, "Request path "
		    "%.100s is not served by this simulator.", rest);
		return;
	}
	if (strcasecmp(tenant, sc->az->tenant) != 0) {
		aad_error(ctx, 400, "invalid_tenant", 90002, "Tenant '%.64s' not "
		    "found. Check to make sure you have the correct tenant ID "
		    "and are signing into the correct cloud.", tenant);
		return;
	}
	if ((f = sc_fault_check(ctx)) != NULL) {
		if (f->code != NULL)
			aad_error(ctx, f->status ? f->status : 500, f->code, 50000,
			    "%s", f->message ? f->message : "There was an error "
			    "issuing a token.");
		else
			aad_error(ctx, f->status ? f->status : 500,
			    "temporarily_unavailable", 50000, "%s", f->message ?
			    f->message : "There was an error issuing a token.");
		return;
	}
	if (openid) {
		if (strcmp(ctx->req->method, "GET") != 0)
			aad_error(ctx, 405, "invalid_request", 900561, "The "
			    "endpoint only accepts GET requests.");
		else
			aad_openid(ctx, tenant);
	} else if (strcmp(ctx->req->method, "POST") != 0)
		aad_error(ctx, 400, "invalid_request", 900561, "The endpoint "
		    "only accepts POST requests. Received a %.16s request.",
		    ctx->req->method);
	else
		aad_token(ctx);
}
