/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cloudworker engine: CLOUD_CONFIG picks and (re)builds the provider
 * (credentials are re-read each time, so a rotated Secret is picked up),
 * DISCOVER runs at once, ENSUREs run one at a time per node and up to
 * max_running nodes at once; every task is answered exactly once, with
 * the correlation id it came with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "alloclink.h"
#include "aws.h"
#include "azure.h"
#include "cw_int.h"
#include "http.h"
#include "log.h"
#include "xmalloc.h"

#define CW_MAX_RUNNING		32
#define CW_ENSURE_DEADLINE_MS	45000	/* the allocator waits 60 s */
#define CW_DISCOVER_DEADLINE_MS	50000

/*
 * Client-side buckets: 80% of the providers' documented per-account
 * buckets (EC2: describe 20/s burst 100, mutate 5/s burst 200; ARM:
 * reads 25/s burst 250, writes 10/s burst 200), because the account's
 * buckets are shared with every other client of the account, the
 * cluster's own controllers included.
 */
static const struct {
	const char	*name;
	double		 qps;
	int		 burst;
} api_defaults[CW_API_MAX] = {
	[CW_API_EC2_DESCRIBE] = { "ec2-describe", 16, 80 },
	[CW_API_EC2_MUTATE] = { "ec2-mutate", 4, 160 },
	[CW_API_STS] = { "sts", 4, 8 },
	[CW_API_ARM_READ] = { "arm-read", 20, 200 },
	[CW_API_ARM_WRITE] = { "arm-write", 8, 160 },
	[CW_API_AAD] = { "aad", 4, 8 },
};

struct event_base *
cw_base(struct cw *cw)
{
	return cw->base;
}

struct eip_http *
cw_http(struct cw *cw)
{
	return cw->http;
}

void
cw_stat(struct cw *cw, const char *action, const char *outcome)
{
	json_t *a, *n;

	if ((a = json_object_get(cw->stats, action)) == NULL) {
		a = json_object();
		json_object_set_new(cw->stats, action, a);
	}
	n = json_object_get(a, outcome);
	json_object_set_new(a, outcome, json_integer((n != NULL ?
	    json_integer_value(n) : 0) + 1));
}

static char *
cfg_dup(const json_t *c, const char *k)
{
	const char *s = json_string_value(json_object_get(c, k));

	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

struct cw *
cw_new(struct event_base *base, const char *ca_pem, size_t ca_len,
    const json_t *boot, char *err, size_t errlen)
{
	struct eip_http_opts ho;
	struct cw *cw;
	int i;

	cw = xcalloc(1, sizeof(*cw));
	cw->base = base;
	cw->stats = json_object();
	cw->max_running = CW_MAX_RUNNING;
	cw->cfg.platform = cfg_dup(boot, "platform");
	cw->cfg.credentials_dir = cfg_dup(boot, "credentials_dir");
	cw->cfg.aws_ec2_endpoint = cfg_dup(boot, "aws_ec2_endpoint");
	cw->cfg.aws_sts_endpoint = cfg_dup(boot, "aws_sts_endpoint");
	cw->cfg.azure_arm_endpoint = cfg_dup(boot, "azure_arm_endpoint");
	cw->cfg.azure_authority = cfg_dup(boot, "azure_authority");
	for (i = 0; i < CW_API_MAX; i++) {
		cw->api[i].name = api_defaults[i].name;
		ratelimit_init(&cw->api[i].rl, api_defaults[i].qps,
		    api_defaults[i].burst, cw_now_ms());
	}
	if (ca_pem == NULL || ca_len == 0) {
		snprintf(err, errlen, "no CA bundle: cloud endpoints cannot be "
		    "verified");
		return cw;
	}
	memset(&ho, 0, sizeof(ho));
	ho.ca_pem = ca_pem;
	ho.ca_len = ca_len;
	ho.qps = 0;		/* the per-class buckets above limit */
	ho.user_agent = "eipam-cloudworker egressip-ipam-operator";
	if ((cw->http = http_new(base, &ho, err, errlen)) == NULL)
		log_error("cloud HTTP client: %s", err);
	return cw;
}

void
cw_set_link(struct cw *cw, struct alloc_link *link)
{
	cw->link = link;
}

static void
task_free(struct cw_task *t)
{
	json_decref(t->req);
	free(t->node);
	free(t->extra_corr);
	free(t);
}

static void
send_msg(struct cw *cw, uint16_t type, uint64_t corr, const json_t *body)
{
	if (cw->send != NULL) {
		cw->send(cw, type, corr, body);
		return;
	}
	if (cw->link == NULL || alloc_link_send(cw->link, type, corr, body) ==
	    -1)
		log_warn("%s (corr %llu) could not be sent to the allocator",
		    eip_msg_name(type), (unsigned long long)corr);
}

static void
provider_clear(struct cw *cw)
{
	if (cw->prov.free != NULL)
		cw->prov.free(cw->prov.arg);
	memset(&cw->prov, 0, sizeof(cw->prov));
}

void
cw_free(struct cw *cw)
{
	struct cw_nicq *q;
	struct cw_task *t;

	if (cw == NULL)
		return;
	/* Providers cancel their calls; tasks are then simply dropped. */
	provider_clear(cw);
	while ((q = cw->nics) != NULL) {
		cw->nics = q->next;
		if (q->running != NULL)
			task_free(q->running);
		while ((t = q->pending) != NULL) {
			q->pending = t->next;
			task_free(t);
		}
		free(q->node);
		free(q);
	}
	while ((t = cw->discovers) != NULL) {
		cw->discovers = t->next;
		task_free(t);
	}
	while ((t = cw->runq) != NULL) {
		cw->runq = t->next;
		task_free(t);
	}
	http_free(cw->http);
	json_decref(cw->stats);
	json_decref(cw->cloud_config);
	free(cw->platform);
	free(cw->cfg.platform);
	free(cw->cfg.credentials_dir);
	free(cw->cfg.aws_ec2_endpoint);
	free(cw->cfg.aws_sts_endpoint);
	free(cw->cfg.azure_arm_endpoint);
	free(cw->cfg.azure_authority);
	free(cw);
}

json_t *
cw_safe_string(const char *s)
{
	char buf[1100];
	size_t n;

	n = (size_t)snprintf(buf, sizeof(buf), "%.1000s", s != NULL ? s : "");
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	n = log_redact(buf, n, sizeof(buf));
	buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = '\0';
	return json_string(buf);
}

size_t
cw_json_ips(const json_t *a, struct eip_ip **out)
{
	const json_t *v;
	size_t i, n = 0;

	*out = xcalloc(json_array_size(a) + 1, sizeof(**out));
	json_array_foreach(a, i, v)
		if (ip_parse(json_string_value(v), &(*out)[n]) == 0)
			n++;
	return n;
}

size_t
cw_json_cidrs(const json_t *a, struct eip_cidr **out)
{
	const json_t *v;
	size_t i, n = 0;

	*out = xcalloc(json_array_size(a) + 1, sizeof(**out));
	json_array_foreach(a, i, v)
		if (cidr_parse(json_string_value(v), &(*out)[n]) == 0)
			n++;
	return n;
}

json_t *
cw_ips_json(const struct eip_ip *v, size_t n)
{
	json_t *a = json_array();
	char s[IP_STRLEN];
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(ip_format(&v[i], s,
		    sizeof(s))));
	return a;
}

json_t *
cw_ensure_reply(struct cw_task *t, enum cloud_class cls, const char *message,
    const struct eip_ip *ips, size_t nips, int capacity)
{
	json_t *b;

	b = json_pack("{s:s, s:b, s:s, s:i}", "node", t->node, "ok",
	    cls == CC_OK, "class", cloud_class_name(cls), "calls",
	    (int)(t->calls > (1u << 20) ? 1u << 20 : t->calls));
	if (message != NULL && *message != '\0')
		json_object_set_new(b, "message", cw_safe_string(message));
	if (ips != NULL)
		json_object_set_new(b, "ips", cw_ips_json(ips, nips));
	if (capacity >= 0)
		json_object_set_new(b, "capacity", json_integer(capacity));
	return b;
}

static struct cw_nicq *
nicq_get(struct cw *cw, const char *node, int create)
{
	struct cw_nicq *q;

	for (q = cw->nics; q != NULL; q = q->next)
		if (strcmp(q->node, node) == 0)
			return q;
	if (!create)
		return NULL;
	q = xcalloc(1, sizeof(*q));
	q->node = xstrdup(node);
	q->next = cw->nics;
	cw->nics = q;
	return q;
}

static void
nicq_drop(struct cw *cw, struct cw_nicq *q)
{
	struct cw_nicq **pp;

	for (pp = &cw->nics; *pp != NULL; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			free(q->node);
			free(q);
			return;
		}
}

static void run_queue(struct cw *);

static void
task_start(struct cw *cw, struct cw_task *t)
{
	uint64_t now = cw_now_ms();

	t->started_ms = now;
	t->deadline_ms = now + (t->type == EIP_MSG_CLOUD_ENSURE ?
	    CW_ENSURE_DEADLINE_MS : CW_DISCOVER_DEADLINE_MS);
	if (t->type == EIP_MSG_CLOUD_ENSURE)
		cw->prov.ensure(cw->prov.arg, t);
	else
		cw->prov.discover(cw->prov.arg, t);
}

/* Replies at once to a task that cannot start. */
static void
task_refuse(struct cw *cw, struct cw_task *t, enum cloud_class cls,
    const char *why)
{
	json_t *b;

	if (t->type == EIP_MSG_CLOUD_ENSURE) {
		size_t i;

		b = cw_ensure_reply(t, cls, why, NULL, 0, -1);
		send_msg(cw, EIP_MSG_CLOUD_ENSURED, t->corr, b);
		for (i = 0; i < t->nextra; i++)
			send_msg(cw, EIP_MSG_CLOUD_ENSURED, t->extra_corr[i], b);
	} else {
		json_t *nodes = json_array(), *subs = json_array(), *v;
		size_t i;

		json_array_foreach(json_object_get(t->req, "nodes"), i, v) {
			json_t *n = json_pack("{s:s, s:b, s:s}", "name",
			    json_string_value(json_object_get(v, "name")),
			    "ok", 0, "class", cloud_class_name(cls));

			json_object_set_new(n, "error", cw_safe_string(why));
			json_array_append_new(nodes, n);
		}
		json_array_foreach(json_object_get(t->req, "cidrs"), i, v) {
			json_t *s = json_pack("{s:O}", "cidr", v);

			json_object_set_new(s, "error", cw_safe_string(why));
			json_array_append_new(subs, s);
		}
		b = json_pack("{s:o, s:o}", "nodes", nodes, "subnets", subs);
		send_msg(cw, EIP_MSG_CLOUD_DISCOVERED, t->corr, b);
	}
	json_decref(b);
	task_free(t);
}

void
cw_task_done(struct cw_task *t, json_t *reply)
{
	struct cw *cw = t->cw;
	struct cw_task **pp;
	struct cw_nicq *q;
	size_t i;

	cw->tasks_done++;
	if (t->type == EIP_MSG_CLOUD_DISCOVER) {
		for (pp = &cw->discovers; *pp != NULL; pp = &(*pp)->next)
			if (*pp == t) {
				*pp = t->next;
				break;
			}
		send_msg(cw, EIP_MSG_CLOUD_DISCOVERED, t->corr, reply);
		json_decref(reply);
		task_free(t);
		return;
	}
	log_info("cloud: ENSURE %s: %s in %llu ms, %u calls%s%s", t->node,
	    json_string_value(json_object_get(reply, "class")),
	    (unsigned long long)(cw_now_ms() - t->started_ms), t->calls,
	    json_object_get(reply, "message") ? ": " : "",
	    json_object_get(reply, "message") ? json_string_value(
	    json_object_get(reply, "message")) : "");
	send_msg(cw, EIP_MSG_CLOUD_ENSURED, t->corr, reply);
	/* Superseded requests learn the outcome of the newer one. */
	for (i = 0; i < t->nextra; i++)
		send_msg(cw, EIP_MSG_CLOUD_ENSURED, t->extra_corr[i], reply);
	json_decref(reply);
	q = nicq_get(cw, t->node, 0);
	cw->running--;
	task_free(t);
	if (q != NULL) {
		q->running = NULL;
		if (q->pending != NULL) {
			/* Back in line behind the others waiting for a slot. */
			t = q->pending;
			q->pending = NULL;
			t->next = NULL;
			for (pp = &cw->runq; *pp != NULL; pp = &(*pp)->next)
				;
			*pp = t;
		} else
			nicq_drop(cw, q);
	}
	run_queue(cw);
}

/* Starts queued ENSUREs while slots are free. */
static void
run_queue(struct cw *cw)
{
	struct cw_task *t;
	struct cw_nicq *q;

	/* A task may end inside task_start(): no recursion through here. */
	if (cw->in_run)
		return;
	cw->in_run = 1;
	while (cw->running < cw->max_running && (t = cw->runq) != NULL) {
		cw->runq = t->next;
		t->next = NULL;
		q = nicq_get(cw, t->node, 1);
		q->running = t;
		cw->running++;
		task_start(cw, t);
	}
	cw->in_run = 0;
}

static void
ensure_enqueue(struct cw *cw, struct cw_task *t)
{
	struct cw_nicq *q = nicq_get(cw, t->node, 1);
	struct cw_task **pp, *old = NULL;

	if (q->running == NULL) {
		/* Maybe already waiting for a slot: the newest wins. */
		for (pp = &cw->runq; *pp != NULL; pp = &(*pp)->next)
			if (strcmp((*pp)->node, t->node) == 0) {
				old = *pp;
				t->next = old->next;
				*pp = t;
				break;
			}
		if (old == NULL) {
			for (pp = &cw->runq; *pp != NULL; pp = &(*pp)->next)
				;
			*pp = t;
		}
	} else {
		old = q->pending;
		q->pending = t;
	}
	if (old != NULL) {
		/*
		 * One NIC, one change at a time: a newer desired set
		 * replaces one not yet started, and both are answered
		 * with the result.
		 */
		cw->ensures_coalesced++;
		t->extra_corr = xreallocarray(t->extra_corr, old->nextra +
		    t->nextra + 1, sizeof(uint64_t));
		if (old->nextra > 0)
			memcpy(t->extra_corr + t->nextra, old->extra_corr,
			    old->nextra * sizeof(uint64_t));
		t->nextra += old->nextra;
		t->extra_corr[t->nextra++] = old->corr;
		task_free(old);
	}
	run_queue(cw);
}

static void
abort_running(struct cw *cw)
{
	struct cw_nicq *q, *next;
	struct cw_task *t, **pp;

	while ((t = cw->discovers) != NULL) {
		cw->discovers = t->next;
		task_refuse(cw, t, CC_TRANSIENT, "reconfigured while running");
	}
	for (q = cw->nics; q != NULL; q = next) {
		next = q->next;
		if ((t = q->running) == NULL)
			continue;
		q->running = NULL;
		cw->running--;
		task_refuse(cw, t, CC_TRANSIENT, "reconfigured while running");
		if (q->pending != NULL) {
			for (pp = &cw->runq; *pp != NULL; pp = &(*pp)->next)
				;
			*pp = q->pending;
			q->pending->next = NULL;
			q->pending = NULL;
		}
		nicq_drop(cw, q);
	}
}

static void
configure(struct cw *cw, const json_t *b)
{
	const char *platform = json_string_value(json_object_get(b, "platform"));
	char err[512];
	int r;

	if (cw->cfg.platform != NULL && platform != NULL &&
	    strcmp(cw->cfg.platform, platform) != 0) {
		log_info("cloud: platform %s overridden to %s by --platform",
		    platform, cw->cfg.platform);
		platform = cw->cfg.platform;
	}
	/* In-flight tasks of the old provider are answered as transient. */
	provider_clear(cw);
	abort_running(cw);
	json_decref(cw->cloud_config);
	cw->cloud_config = json_deep_copy(b);
	free(cw->platform);
	cw->platform = platform != NULL ? xstrdup(platform) : NULL;
	cw->config_error[0] = '\0';
	if (cw->http == NULL) {
		snprintf(cw->config_error, sizeof(cw->config_error), "no usable "
		    "CA bundle for the cloud endpoints");
		log_error("cloud: %s", cw->config_error);
		return;
	}
	if (platform != NULL && strcmp(platform, "AWS") == 0)
		r = aws_provider_new(cw, &cw->cfg, b, &cw->prov, err,
		    sizeof(err));
	else if (platform != NULL && strcmp(platform, "Azure") == 0)
		r = azure_provider_new(cw, &cw->cfg, b, &cw->prov, err,
		    sizeof(err));
	else {
		snprintf(err, sizeof(err), "platform %s has no cloud API here",
		    platform != NULL ? platform : "(none)");
		r = -1;
	}
	if (r == -1) {
		memset(&cw->prov, 0, sizeof(cw->prov));
		snprintf(cw->config_error, sizeof(cw->config_error), "%s", err);
		log_error("cloud: %s", err);
		return;
	}
	log_info("cloud: configured for %s", cw->prov.name);
	run_queue(cw);
}

void
cw_message(struct cw *cw, const struct eip_msg *m)
{
	struct cw_task *t;

	switch (m->type) {
	case EIP_MSG_CLOUD_CONFIG:
		configure(cw, m->body);
		return;
	case EIP_MSG_CLOUD_DISCOVER:
	case EIP_MSG_CLOUD_ENSURE:
		break;
	default:
		log_debug("%s not handled", eip_msg_name(m->type));
		return;
	}
	t = xcalloc(1, sizeof(*t));
	t->cw = cw;
	t->type = m->type;
	t->corr = m->corr;
	t->req = json_incref(m->body);
	if (m->type == EIP_MSG_CLOUD_ENSURE)
		t->node = xstrdup(json_string_value(json_object_get(m->body,
		    "node")));
	if (cw->prov.name == NULL) {
		/* The allocator configures again after our restart. */
		task_refuse(cw, t, cw->cloud_config == NULL ? CC_TRANSIENT :
		    CC_AUTH_FAILURE, cw->cloud_config == NULL ?
		    "not configured yet (no CLOUD_CONFIG)" : cw->config_error);
		return;
	}
	if (m->type == EIP_MSG_CLOUD_DISCOVER) {
		t->next = cw->discovers;
		cw->discovers = t;
		task_start(cw, t);
		return;
	}
	ensure_enqueue(cw, t);
}

/*
 * Calls by action and outcome ("ok", or the cloud's error code), in the
 * shape metricsd renders as eipam_cloud_calls_total (proto/SCHEMA.md).
 */
static json_t *
cw_metrics(struct cw *cw)
{
	json_t *calls = json_array(), *outcomes, *n;
	const char *action, *outcome, *slash;

	json_object_foreach(cw->stats, action, outcomes)
		json_object_foreach(outcomes, outcome, n) {
			/* Actions are "ec2:AssignPrivateIpAddresses" and the like. */
			slash = strchr(action, ':');
			json_array_append_new(calls, json_pack("{s:s,s:s,s:s,s:O}",
			    "provider", cw->prov.name != NULL ? cw->prov.name :
			    "none", "action", slash != NULL ? slash + 1 : action,
			    "outcome", outcome, "count", n));
		}
	return json_pack("{s:o}", "cloud_calls", calls);
}

json_t *
cw_status(struct cw *cw)
{
	return json_pack("{s:s?, s:s?, s:I, s:I, s:I, s:I, s:o}", "provider",
	    cw->prov.name, "error", cw->config_error[0] ? cw->config_error :
	    NULL, "running", (json_int_t)cw->running, "calls",
	    (json_int_t)cw->calls, "retries", (json_int_t)cw->retries,
	    "tasks", (json_int_t)cw->tasks_done, "metrics", cw_metrics(cw));
}

json_t *
cw_dump(struct cw *cw)
{
	json_t *d = cw_status(cw), *apis = json_object(), *nics = json_array();
	struct cw_nicq *q;
	struct cw_task *t;
	uint64_t now = cw_now_ms();
	int i, queued = 0;

	for (i = 0; i < CW_API_MAX; i++)
		json_object_set_new(apis, cw->api[i].name, json_pack("{s:f, s:i, "
		    "s:I, s:I, s:I}", "qps", cw->api[i].rl.qps, "burst",
		    (int)cw->api[i].rl.burst, "throttled",
		    (json_int_t)cw->api[i].throttled, "waits",
		    (json_int_t)cw->api[i].waits, "held_ms",
		    (json_int_t)(cw->api[i].hold_until > now ?
		    cw->api[i].hold_until - now : 0)));
	for (q = cw->nics; q != NULL; q = q->next)
		json_array_append_new(nics, json_pack("{s:s, s:b, s:b}", "node",
		    q->node, "running", q->running != NULL, "pending",
		    q->pending != NULL));
	for (t = cw->runq; t != NULL; t = t->next)
		queued++;
	json_object_set_new(d, "apis", apis);
	json_object_set_new(d, "nics", nics);
	json_object_set_new(d, "queued", json_integer(queued));
	json_object_set_new(d, "coalesced", json_integer((json_int_t)
	    cw->ensures_coalesced));
	json_object_set_new(d, "actions", json_deep_copy(cw->stats));
	if (cw->cloud_config != NULL)
		json_object_set_new(d, "config", json_deep_copy(
		    cw->cloud_config));
	if (cw->prov.dump != NULL)
		json_object_set_new(d, cw->prov.name, cw->prov.dump(
		    cw->prov.arg));
	return d;
}
