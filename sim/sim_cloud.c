/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated cloud as the rest of eipam-sim sees it (sim_cloud.h):
 * creation from the scenario, request dispatch to EC2/STS/ARM/AAD, the
 * projected service-account token, token-bucket throttles, injected
 * faults, call statistics and the control commands common to both clouds.
 */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "sim_cloud_priv.h"
#include "xmalloc.h"

static const char *const sc_class_names[SC_NCLASS] = {
	"describe", "mutate", "read", "write"
};

/*
 * Defaults: EC2's documented buckets (non-mutating 100 burst at 20/s,
 * mutating 200 burst at 5/s); ARM's per-subscription buckets for reads
 * and writes, scaled down so that a storm is reachable in a test.
 */
static const double sc_class_defaults[SC_NCLASS][2] = {
	{ 20, 100 }, { 5, 200 }, { 25, 250 }, { 10, 200 }
};

static void
sc_bucket_set(struct sim_cloud *sc, enum sc_class c, double rate,
    double burst)
{
	struct sc_bucket *b = &sc->buckets[c];

	b->rate = rate;
	b->burst = burst < 1 ? 1 : burst;
	b->tokens = b->burst;
	b->last = sc_now(sc);
}

static int
sc_class_parse(const char *s, enum sc_class *out)
{
	int i;

	for (i = 0; i < SC_NCLASS; i++)
		if (s != NULL && strcmp(s, sc_class_names[i]) == 0) {
			*out = (enum sc_class)i;
			return 0;
		}
	return -1;
}

static void
sc_wi_issue(struct sim_cloud *sc)
{
	char kid[17], sig[87], *h, *p, *payload;
	const char *aud = sc->platform == SC_AWS ? "openshift" :
	    "api://AzureADTokenExchange";
	double now = sc_now(sc);
	json_t *claims;

	sc_secret(kid, sizeof(kid), "abcdef0123456789");
	sc_secret(sig, sizeof(sig), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789-_");
	claims = json_pack("{s:[s], s:I, s:I, s:I, s:s, s:s}", "aud", aud,
	    "exp", (json_int_t)now + 86400, "iat", (json_int_t)now,
	    "nbf", (json_int_t)now, "iss", "https://kubernetes.default.svc",
	    "sub", "system:serviceaccount:egressip-ipam-operator:"
	    "egress-ipam-operator");
	payload = json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(claims);
	xasprintf(&h, "{\"alg\":\"RS256\",\"kid\":\"%s\"}", kid);
	p = sc_b64url(h, strlen(h));
	free(h);
	h = sc_b64url(payload, strlen(payload));
	free(payload);
	sc->wi = xreallocarray(sc->wi, sc->nwi + 1, sizeof(*sc->wi));
	xasprintf(&sc->wi[sc->nwi].token, "%s.%s.%s", p, h, sig);
	sc->wi[sc->nwi].exp = now + 86400;
	sc->nwi++;
	free(p);
	free(h);
}

const char *
sc_wi_token(struct sim_cloud *sc)
{
	return sc->nwi > 0 ? sc->wi[sc->nwi - 1].token : NULL;
}

int
sc_wi_token_check(struct sim_cloud *sc, const char *tok)
{
	size_t i, n;

	if (tok == NULL)
		return -1;
	/* Tolerate the newline a file read may leave. */
	n = strlen(tok);
	while (n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r' ||
	    tok[n - 1] == ' '))
		n--;
	for (i = 0; i < sc->nwi; i++)
		if (strlen(sc->wi[i].token) == n &&
		    strncmp(sc->wi[i].token, tok, n) == 0)
			return sc_now(sc) < sc->wi[i].exp ? 0 : -2;
	return -1;
}

int
sc_wi_rotate(struct sim_cloud *sc, int expire_old, char *err, size_t errlen)
{
	char *dir, *slash;
	size_t i;
	int r;

	if (expire_old)
		for (i = 0; i < sc->nwi; i++)
			sc->wi[i].exp = sc_now(sc) - 1;
	sc_wi_issue(sc);
	if (sc->token_path == NULL)
		return 0;
	dir = xstrdup(sc->token_path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	r = sc_write_file(dir, slash + 1, sc_wi_token(sc), 0600, err, errlen);
	free(dir);
	return r;
}

struct sim_cloud *
sim_cloud_new(const char *platform, const char *variant, const json_t *cfg,
    const char *base_url, char *err, size_t errlen)
{
	struct sim_cloud *sc;
	const json_t *th, *c;
	int i;

	sc = xcalloc(1, sizeof(*sc));
	if (platform != NULL && strcasecmp(platform, "AWS") == 0) {
		sc->platform = SC_AWS;
		if (variant == NULL)
			variant = "static";
		if (strcmp(variant, "static") != 0 &&
		    strcmp(variant, "sts") != 0) {
			snprintf(err, errlen, "AWS credentials variant '%s' is "
			    "not static or sts", variant);
			free(sc);
			return NULL;
		}
	} else if (platform != NULL && strcasecmp(platform, "Azure") == 0) {
		sc->platform = SC_AZURE;
		if (variant == NULL)
			variant = "secret";
		if (strcmp(variant, "secret") != 0 &&
		    strcmp(variant, "wi") != 0) {
			snprintf(err, errlen, "Azure credentials variant '%s' "
			    "is not secret or wi", variant);
			free(sc);
			return NULL;
		}
	} else {
		snprintf(err, errlen, "platform '%s' has no simulated cloud",
		    platform != NULL ? platform : "(null)");
		free(sc);
		return NULL;
	}
	if (cfg != NULL && !json_is_object(cfg)) {
		snprintf(err, errlen, "cloud configuration is not an object");
		free(sc);
		return NULL;
	}
	sc->variant = xstrdup(variant);
	sc->base_url = xstrdup(base_url != NULL ? base_url :
	    "https://127.0.0.1");
	sc->rng = (uint64_t)sc_cfg_num(cfg, "seed", 1);
	sc->stats = json_object();
	sc->infra = xstrdup(sc_cfg_str(cfg, "infrastructureName",
	    "sim-cluster-x7k2p"));
	for (i = 0; i < SC_NCLASS; i++)
		sc_bucket_set(sc, (enum sc_class)i, sc_class_defaults[i][0],
		    sc_class_defaults[i][1]);
	th = cfg != NULL ? json_object_get(cfg, "throttle") : NULL;
	for (i = 0; i < SC_NCLASS && json_is_object(th); i++) {
		c = json_object_get(th, sc_class_names[i]);
		if (json_is_object(c))
			sc_bucket_set(sc, (enum sc_class)i,
			    sc_cfg_num(c, "rate", sc_class_defaults[i][0]),
			    sc_cfg_num(c, "burst", sc_class_defaults[i][1]));
	}
	sc_wi_issue(sc);
	if (sc->platform == SC_AWS)
		sc->aws = sc_aws_new(sc, cfg, err, errlen);
	else
		sc->az = sc_az_new(sc, cfg, err, errlen);
	if (sc->aws == NULL && sc->az == NULL) {
		sim_cloud_free(sc);
		return NULL;
	}
	return sc;
}

void
sim_cloud_free(struct sim_cloud *sc)
{
	size_t i;

	if (sc == NULL)
		return;
	sc_aws_free(sc->aws);
	sc_az_free(sc->az);
	for (i = 0; i < sc->nfaults; i++) {
		free(sc->faults[i].action);
		free(sc->faults[i].code);
		free(sc->faults[i].message);
	}
	free(sc->faults);
	for (i = 0; i < sc->nwi; i++)
		free(sc->wi[i].token);
	free(sc->wi);
	json_decref(sc->stats);
	free(sc->token_path);
	free(sc->variant);
	free(sc->base_url);
	free(sc->infra);
	free(sc);
}

int
sim_cloud_add_node(struct sim_cloud *sc, const char *node, const char *zone,
    const char *itype, char *pid, size_t pidlen, char *ip, size_t iplen)
{
	if (node == NULL || *node == '\0')
		return -1;
	if (sc->platform == SC_AWS)
		return sc_aws_add_node(sc, node, zone, itype, pid, pidlen, ip,
		    iplen);
	return sc_az_add_node(sc, node, zone, itype, pid, pidlen, ip, iplen);
}

int
sim_cloud_remove_node(struct sim_cloud *sc, const char *node)
{
	if (sc->platform == SC_AWS)
		return sc_aws_remove_node(sc, node);
	return sc_az_remove_node(sc, node);
}

char *
sim_cloud_egress_ipconfig(struct sim_cloud *sc, const char *node)
{
	if (sc->platform == SC_AWS)
		return sc_aws_egress_ipconfig(sc, node);
	return sc_az_egress_ipconfig(sc, node);
}

json_t *
sim_cloud_platform_status(struct sim_cloud *sc)
{
	if (sc->platform == SC_AWS)
		return sc_aws_platform_status(sc);
	return sc_az_platform_status(sc);
}

/*
 * The projected service-account token lives next to the credentials
 * directory, as /var/run/secrets/openshift/serviceaccount/token lives
 * outside the mounted Secret: DIR/cloud-credentials -> DIR/cloud-token/token.
 */
static int
sc_write_token(struct sim_cloud *sc, const char *dir, char *err,
    size_t errlen)
{
	char *copy, *tokdir;

	copy = xstrdup(dir);
	xasprintf(&tokdir, "%s/cloud-token", dirname(copy));
	free(copy);
	if (mkdir(tokdir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", tokdir, strerror(errno));
		free(tokdir);
		return -1;
	}
	if (sc_write_file(tokdir, "token", sc_wi_token(sc), 0600, err,
	    errlen) == -1) {
		free(tokdir);
		return -1;
	}
	free(sc->token_path);
	xasprintf(&sc->token_path, "%s/token", tokdir);
	free(tokdir);
	return 0;
}

int
sim_cloud_write_credentials(struct sim_cloud *sc, const char *dir)
{
	char err[256];
	int r;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_error("cloud credentials: %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((strcmp(sc->variant, "sts") == 0 || strcmp(sc->variant, "wi") == 0)
	    && sc_write_token(sc, dir, err, sizeof(err)) == -1) {
		log_error("cloud credentials: %s", err);
		return -1;
	}
	if (sc->platform == SC_AWS)
		r = sc_aws_write_credentials(sc, dir, err, sizeof(err));
	else
		r = sc_az_write_credentials(sc, dir, err, sizeof(err));
	if (r == -1)
		log_error("cloud credentials: %s", err);
	return r;
}

void
sc_set_action(struct sc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->action, sizeof(ctx->action), fmt, ap);
	va_end(ap);
}

void
sc_set_outcome(struct sc_ctx *ctx, const char *code)
{
	snprintf(ctx->outcome, sizeof(ctx->outcome), "%s", code);
}

static void
sc_stats_count(struct sim_cloud *sc, const char *action, const char *outcome)
{
	json_t *a, *n;

	if ((a = json_object_get(sc->stats, action)) == NULL) {
		a = json_object();
		json_object_set_new(sc->stats, action, a);
	}
	n = json_object_get(a, outcome);
	json_object_set_new(a, outcome,
	    json_integer((n != NULL ? json_integer_value(n) : 0) + 1));
}

int
sc_throttle(struct sim_cloud *sc, enum sc_class c, double *retry_after)
{
	struct sc_bucket *b = &sc->buckets[c];
	double now = sc_now(sc);

	if (b->rate <= 0)
		return 0;
	if (now > b->last)
		b->tokens = fmin(b->burst, b->tokens + (now - b->last) * b->rate);
	b->last = now;
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return 0;
	}
	if (retry_after != NULL)
		*retry_after = (1 - b->tokens) / b->rate;
	return -1;
}

const struct sc_fault *
sc_fault_check(struct sc_ctx *ctx)
{
	struct sim_cloud *sc = ctx->sc;
	struct sc_fault *f, *hit = NULL;
	size_t i;

	for (i = 0; i < sc->nfaults; i++) {
		f = &sc->faults[i];
		if (strcmp(f->action, ctx->action) != 0 &&
		    strcmp(f->action, "*") != 0)
			continue;
		ctx->resp->delay_ms += f->latency_ms;
		if (hit == NULL && f->rate > 0 && f->remaining != 0 &&
		    sc_rand01(sc) < f->rate) {
			if (f->remaining > 0)
				f->remaining--;
			hit = f;
		}
	}
	return hit;
}

int
sim_cloud_handle(struct sim_cloud *sc, const struct sim_req *req,
    struct sim_resp *resp)
{
	struct sc_ctx ctx;
	const char *p = req->path;
	char id[37], *msg;
	int aws;

	if (p == NULL)
		return -1;
	if (strncmp(p, "/aws/ec2", 8) == 0 && (p[8] == '/' || p[8] == '\0'))
		aws = 1;
	else if (strncmp(p, "/aws/sts", 8) == 0 &&
	    (p[8] == '/' || p[8] == '\0'))
		aws = 1;
	else if (strncmp(p, "/azure/arm/", 11) == 0 ||
	    strncmp(p, "/azure/aad/", 11) == 0)
		aws = 0;
	else
		return -1;
	memset(&ctx, 0, sizeof(ctx));
	ctx.sc = sc;
	ctx.req = req;
	ctx.resp = resp;
	sc_uuid(sc, id);
	memcpy(ctx.reqid, id, sizeof(ctx.reqid));
	snprintf(ctx.action, sizeof(ctx.action), "unknown");
	snprintf(ctx.outcome, sizeof(ctx.outcome), "ok");
	if (aws != (sc->platform == SC_AWS)) {
		msg = xstrdup("this scenario simulates another cloud\n");
		sim_resp_set(resp, 404, "text/plain", msg, strlen(msg));
		sc_set_action(&ctx, "%s", aws ? "aws:other" : "azure:other");
		sc_set_outcome(&ctx, "NotFound");
	} else if (strncmp(p, "/aws/ec2", 8) == 0)
		sc_ec2_handle(&ctx);
	else if (strncmp(p, "/aws/sts", 8) == 0)
		sc_sts_handle(&ctx);
	else if (strncmp(p, "/azure/arm/", 11) == 0)
		sc_arm_handle(&ctx, p + 10);
	else
		sc_aad_handle(&ctx, p + 10);
	sc_stats_count(sc, ctx.action, ctx.outcome);
	return 0;
}

static json_t *
sc_faults_json(struct sim_cloud *sc)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < sc->nfaults; i++)
		json_array_append_new(a, json_pack("{s:s, s:f, s:i, s:s?, s:s?, "
		    "s:i, s:I}", "action", sc->faults[i].action, "rate",
		    sc->faults[i].rate, "status", sc->faults[i].status, "code",
		    sc->faults[i].code, "message", sc->faults[i].message,
		    "latencyMs", (int)sc->faults[i].latency_ms, "count",
		    (json_int_t)sc->faults[i].remaining));
	return a;
}

static void
sc_fault_remove(struct sim_cloud *sc, size_t i)
{
	free(sc->faults[i].action);
	free(sc->faults[i].code);
	free(sc->faults[i].message);
	memmove(&sc->faults[i], &sc->faults[i + 1],
	    (sc->nfaults - i - 1) * sizeof(*sc->faults));
	sc->nfaults--;
}

/*
 * {"action": "ec2:AssignPrivateIpAddresses" | "arm:nic.put" | "*",
 *  "rate": 0..1, "status": 503, "code": "...", "message": "...",
 *  "latencyMs": N, "count": N (errors to give; default unlimited)}.
 * A rule with neither rate nor latency removes the action's rule.
 */
static int
sc_ctl_fault(struct sim_cloud *sc, const json_t *args, char *err,
    size_t errlen)
{
	const char *action = sc_cfg_str(args, "action", NULL);
	double rate = sc_cfg_num(args, "rate", 0);
	double lat = sc_cfg_num(args, "latencyMs", 0);
	double status = sc_cfg_num(args, "status", 0);
	struct sc_fault *f;
	size_t i;

	if (action == NULL || *action == '\0') {
		snprintf(err, errlen, "fault: \"action\" is required");
		return -1;
	}
	if (!(rate >= 0 && rate <= 1) || !(lat >= 0 && lat <= 600000) ||
	    (status != 0 && (status < 400 || status > 599))) {
		snprintf(err, errlen, "fault: rate must be 0..1, latencyMs "
		    "0..600000, status 400..599");
		return -1;
	}
	for (i = 0; i < sc->nfaults; i++)
		if (strcmp(sc->faults[i].action, action) == 0) {
			sc_fault_remove(sc, i);
			break;
		}
	if (rate == 0 && lat == 0)
		return 0;
	sc->faults = xreallocarray(sc->faults, sc->nfaults + 1,
	    sizeof(*sc->faults));
	f = &sc->faults[sc->nfaults++];
	memset(f, 0, sizeof(*f));
	f->action = xstrdup(action);
	f->rate = rate;
	f->latency_ms = (unsigned)lat;
	f->status = status != 0 ? (int)status : 0;
	f->code = sc_cfg_str(args, "code", NULL) ?
	    xstrdup(sc_cfg_str(args, "code", NULL)) : NULL;
	f->message = sc_cfg_str(args, "message", NULL) ?
	    xstrdup(sc_cfg_str(args, "message", NULL)) : NULL;
	f->remaining = (long)sc_cfg_num(args, "count", -1);
	return 0;
}

static json_t *
sc_throttles_json(struct sim_cloud *sc)
{
	json_t *o = json_object();
	int i;

	for (i = 0; i < SC_NCLASS; i++)
		json_object_set_new(o, sc_class_names[i], json_pack("{s:f, s:f}",
		    "rate", sc->buckets[i].rate, "burst", sc->buckets[i].burst));
	return o;
}

int
sim_cloud_control(struct sim_cloud *sc, const char *cmd, const json_t *args,
    json_t **result, char *err, size_t errlen)
{
	enum sc_class c;
	double v;
	int r;

	*result = NULL;
	if (cmd == NULL) {
		snprintf(err, errlen, "no command");
		return -1;
	}
	if (args != NULL && !json_is_object(args)) {
		snprintf(err, errlen, "arguments must be a JSON object");
		return -1;
	}
	if (strcmp(cmd, "fault") == 0) {
		if (sc_ctl_fault(sc, args, err, errlen) == -1)
			return -1;
		*result = sc_faults_json(sc);
		return 0;
	}
	if (strcmp(cmd, "faults") == 0) {
		*result = sc_faults_json(sc);
		return 0;
	}
	if (strcmp(cmd, "faults-clear") == 0) {
		while (sc->nfaults > 0)
			sc_fault_remove(sc, 0);
		*result = sc_faults_json(sc);
		return 0;
	}
	if (strcmp(cmd, "throttle") == 0) {
		if (sc_class_parse(sc_cfg_str(args, "class", NULL), &c) == -1) {
			snprintf(err, errlen, "throttle: \"class\" must be "
			    "describe, mutate, read or write");
			return -1;
		}
		v = sc_cfg_num(args, "rate", sc->buckets[c].rate);
		if (!(v >= 0) || !(sc_cfg_num(args, "burst", 1) >= 1)) {
			snprintf(err, errlen, "throttle: rate >= 0 (0 = "
			    "unlimited), burst >= 1");
			return -1;
		}
		sc_bucket_set(sc, c, v, sc_cfg_num(args, "burst",
		    sc->buckets[c].burst));
		*result = sc_throttles_json(sc);
		return 0;
	}
	if (strcmp(cmd, "throttles") == 0) {
		*result = sc_throttles_json(sc);
		return 0;
	}
	if (strcmp(cmd, "clock") == 0) {
		/* {"advance": seconds} or {"offset": seconds}. */
		v = sc_cfg_num(args, "advance", 0);
		if (!isfinite(v) || !isfinite(sc_cfg_num(args, "offset", 0))) {
			snprintf(err, errlen, "clock: bad number");
			return -1;
		}
		sc->clock_offset = sc_cfg_num(args, "offset",
		    sc->clock_offset) + v;
		*result = json_pack("{s:f}", "offset", sc->clock_offset);
		return 0;
	}
	if (strcmp(cmd, "stats") == 0) {
		*result = sim_cloud_stats(sc);
		return 0;
	}
	if (strcmp(cmd, "stats-reset") == 0) {
		json_object_clear(sc->stats);
		*result = sim_cloud_stats(sc);
		return 0;
	}
	if (strcmp(cmd, "dump") == 0) {
		*result = sim_cloud_dump(sc);
		return 0;
	}
	if (strcmp(cmd, "rotate-token") == 0) {
		/* {"expireOld": true} also makes every older token expired. */
		r = sc_wi_rotate(sc, json_is_true(args != NULL ?
		    json_object_get(args, "expireOld") : NULL), err, errlen);
		if (r == 0)
			*result = json_pack("{s:s?}", "tokenFile",
			    sc->token_path);
		return r;
	}
	if (sc->platform == SC_AWS)
		return sc_aws_control(sc, cmd, args, result, err, errlen);
	return sc_az_control(sc, cmd, args, result, err, errlen);
}

json_t *
sim_cloud_dump(struct sim_cloud *sc)
{
	json_t *d;

	d = sc->platform == SC_AWS ? sc_aws_dump(sc) : sc_az_dump(sc);
	json_object_set_new(d, "platform", json_string(sc->platform ==
	    SC_AWS ? "AWS" : "Azure"));
	json_object_set_new(d, "credentials", json_string(sc->variant));
	json_object_set_new(d, "faults", sc_faults_json(sc));
	json_object_set_new(d, "throttles", sc_throttles_json(sc));
	json_object_set_new(d, "clockOffset", json_real(sc->clock_offset));
	return d;
}

/*
 * {"calls": N, "actions": {"ec2:AssignPrivateIpAddresses": {"ok": 3,
 * "PrivateIpAddressLimitExceeded": 1}, ...}}.
 */
json_t *
sim_cloud_stats(struct sim_cloud *sc)
{
	json_t *a, *o;
	const char *k, *k2;
	json_int_t total = 0;

	json_object_foreach(sc->stats, k, a)
		json_object_foreach(a, k2, o)
			total += json_integer_value(o);
	return json_pack("{s:I, s:O}", "calls", total, "actions", sc->stats);
}
