/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for the cloud simulator's unit tests: build a sim_req with
 * headers, call sim_cloud_handle(), sign EC2 requests with common/sigv4,
 * read values out of the dump, check that XML responses are well formed
 * (Expat) and JSON ones parse.
 */
#ifndef EIP_SIM_CLOUD_TEST_H
#define EIP_SIM_CLOUD_TEST_H

#include <check.h>
#include <expat.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sigv4.h"
#include "sim_cloud.h"
#include "sim_http.h"

#define TC_HOST		"127.0.0.1:8443"
#define TC_BASE		"https://" TC_HOST
#define TC_FORM		"application/x-www-form-urlencoded; charset=utf-8"

struct tc_req {
	struct sim_req	 r;
	const char	*hn[16];
	const char	*hv[16];
	int		 nh;
};

static const char *
tc_header(const struct sim_req *r, const char *name)
{
	const struct tc_req *t = r->hctx;
	int i;

	for (i = 0; i < t->nh; i++)
		if (strcasecmp(t->hn[i], name) == 0)
			return t->hv[i];
	return NULL;
}

static inline void
tc_init(struct tc_req *t, const char *method, const char *path,
    const char *query, const char *body)
{
	memset(t, 0, sizeof(*t));
	t->r.method = method;
	t->r.path = path;
	t->r.query = query;
	t->r.body = body;
	t->r.body_len = body != NULL ? strlen(body) : 0;
	t->r.header = tc_header;
	t->r.hctx = t;
	t->r.host = TC_HOST;
	t->hn[t->nh] = "Host";
	t->hv[t->nh++] = TC_HOST;
}

static inline void
tc_hdr(struct tc_req *t, const char *name, const char *value)
{
	ck_assert_int_lt(t->nh, 16);
	t->hn[t->nh] = name;
	t->hv[t->nh++] = value;
}

/* Calls the cloud; resp must be cleared by the caller (sim_resp_clear). */
static inline int
tc_call(struct sim_cloud *sc, struct tc_req *t, struct sim_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	ck_assert_int_eq(sim_cloud_handle(sc, &t->r, resp), 0);
	ck_assert_int_ne(resp->code, 0);
	return resp->code;
}

static inline const char *
tc_resp_header(const struct sim_resp *resp, const char *name)
{
	int i;

	for (i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

/* Whether body is well-formed XML. */
static inline int
tc_xml_ok(const char *body, size_t len)
{
	XML_Parser p = XML_ParserCreate("UTF-8");
	int ok = XML_Parse(p, body, (int)len, 1) == XML_STATUS_OK;

	XML_ParserFree(p);
	return ok;
}

/* The text of the first <tag>...</tag> in body, or "" (static buffer). */
static inline const char *
tc_xml_text(const char *body, const char *tag)
{
	static char out[4096];
	char open[96], close[96];
	const char *p, *e;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	out[0] = '\0';
	if (body == NULL || (p = strstr(body, open)) == NULL)
		return out;
	p += strlen(open);
	if ((e = strstr(p, close)) == NULL || (size_t)(e - p) >= sizeof(out))
		return out;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return out;
}

static inline int
tc_count(const char *body, const char *needle)
{
	int n = 0;

	while (body != NULL && (body = strstr(body, needle)) != NULL) {
		n++;
		body += strlen(needle);
	}
	return n;
}

/* Control command with a JSON argument text; returns the result. */
static inline json_t *
tc_ctl(struct sim_cloud *sc, const char *cmd, const char *args)
{
	json_t *a = args != NULL ? json_loads(args, 0, NULL) : NULL, *res = NULL;
	char err[256];

	ck_assert_msg(args == NULL || a != NULL, "bad test JSON %s", args);
	ck_assert_msg(sim_cloud_control(sc, cmd, a, &res, err, sizeof(err)) ==
	    0, "%s: %s", cmd, err);
	json_decref(a);
	return res;
}

static inline int
tc_ctl_fails(struct sim_cloud *sc, const char *cmd, const char *args)
{
	json_t *a = args != NULL ? json_loads(args, 0, NULL) : NULL, *res = NULL;
	char err[256];
	int r;

	r = sim_cloud_control(sc, cmd, a, &res, err, sizeof(err));
	json_decref(a);
	json_decref(res);
	return r == -1;
}

/* A string at a JSON path of the dump, e.g. "testCredentials.accessKeyId". */
static inline char *
tc_dump_str(struct sim_cloud *sc, const char *a, const char *b)
{
	json_t *d = sim_cloud_dump(sc), *v = json_object_get(d, a);
	char *s;

	if (b != NULL)
		v = json_object_get(v, b);
	ck_assert_msg(json_is_string(v), "dump has no %s.%s", a, b ? b : "");
	s = strdup(json_string_value(v));
	json_decref(d);
	return s;
}

/*
 * Signs an EC2 form body at time when (with an optional session token)
 * and calls the cloud.
 */
static inline int
tc_ec2(struct sim_cloud *sc, const char *body, const char *ak,
    const char *sk, const char *token, time_t when, const char *region,
    struct sim_resp *resp)
{
	struct sigv4_header hs[4];
	struct sigv4_request sr;
	struct sigv4_credentials c = { ak, sk, token, region, "ec2" };
	struct tc_req t;
	char amz[SIGV4_AMZDATE_LEN + 1], *auth;
	size_t n = 0;
	int code;

	sigv4_format_amzdate(when, amz);
	hs[n].name = "Content-Type";
	hs[n++].value = TC_FORM;
	hs[n].name = "Host";
	hs[n++].value = TC_HOST;
	hs[n].name = "X-Amz-Date";
	hs[n++].value = amz;
	if (token != NULL) {
		hs[n].name = "X-Amz-Security-Token";
		hs[n++].value = token;
	}
	memset(&sr, 0, sizeof(sr));
	sr.method = "POST";
	sr.path = "/aws/ec2/";
	sr.headers = hs;
	sr.nheaders = n;
	sr.body = body;
	sr.body_len = strlen(body);
	ck_assert_int_eq(sigv4_sign(&sr, &c, amz, &auth, NULL), 0);
	tc_init(&t, "POST", "/aws/ec2/", NULL, body);
	tc_hdr(&t, "Content-Type", TC_FORM);
	tc_hdr(&t, "X-Amz-Date", amz);
	tc_hdr(&t, "Authorization", auth);
	if (token != NULL)
		tc_hdr(&t, "X-Amz-Security-Token", token);
	code = tc_call(sc, &t, resp);
	free(auth);
	if (resp->body != NULL)
		ck_assert_msg(tc_xml_ok(resp->body, resp->body_len),
		    "not XML: %.*s", (int)resp->body_len, resp->body);
	return code;
}

/* JSON body of a response (new reference). */
static inline json_t *
tc_json(const struct sim_resp *resp)
{
	json_error_t e;
	json_t *j = json_loadb(resp->body, resp->body_len, 0, &e);

	ck_assert_msg(j != NULL, "not JSON (%s): %.*s", e.text,
	    (int)resp->body_len, resp->body);
	return j;
}

#endif
