/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the simulated clouds' request handling.  The first
 * byte picks the service: EC2 (the harness signs the fuzzed body, so the
 * actions themselves are reached), STS, ARM (with a valid bearer token,
 * fuzzed path, query, If-Match and body), AAD, or a control command with
 * fuzzed JSON arguments.  The rest is split at NUL bytes into fields.
 * Anything but a response (or a clean -1 from the control API) is a bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sigv4.h"
#include "sim_cloud.h"
#include "sim_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define HOST	"127.0.0.1:8443"

static struct sim_cloud *aws, *az;
static char *ak, *sk, *bearer;

struct freq {
	const char	*hn[8];
	const char	*hv[8];
	int		 nh;
};

static const char *
fhdr(const struct sim_req *r, const char *name)
{
	const struct freq *f = r->hctx;
	int i;

	for (i = 0; i < f->nh; i++)
		if (strcasecmp(f->hn[i], name) == 0)
			return f->hv[i];
	return NULL;
}

static char *
dump_str(struct sim_cloud *sc, const char *a, const char *b)
{
	json_t *d = sim_cloud_dump(sc), *v = json_object_get(d, a);
	char *s;

	if (b != NULL)
		v = json_object_get(v, b);
	s = strdup(json_string_value(v));
	json_decref(d);
	return s;
}

static void
init(void)
{
	char err[256], pid[512], ip[64], body[512], path[256];
	struct sim_resp resp;
	struct sim_req r;
	struct freq f = { { "Host" }, { HOST }, 1 };
	json_t *j;
	char *tenant, *client, *secret;

	aws = sim_cloud_new("AWS", "sts", NULL, "https://" HOST, err,
	    sizeof(err));
	az = sim_cloud_new("Azure", "secret", NULL, "https://" HOST, err,
	    sizeof(err));
	if (aws == NULL || az == NULL)
		abort();
	ip[0] = '\0';
	sim_cloud_add_node(aws, "n1", "us-east-1a", "t3.medium", pid,
	    sizeof(pid), ip, sizeof(ip));
	ip[0] = '\0';
	sim_cloud_add_node(az, "n1", "", "", pid, sizeof(pid), ip, sizeof(ip));
	ak = dump_str(aws, "testCredentials", "accessKeyId");
	sk = dump_str(aws, "testCredentials", "secretAccessKey");
	tenant = dump_str(az, "tenantId", NULL);
	client = dump_str(az, "clientId", NULL);
	secret = dump_str(az, "testCredentials", "clientSecret");
	snprintf(body, sizeof(body), "client_id=%s&client_secret=%s&"
	    "grant_type=client_credentials&scope=https%%3A%%2F%%2F"
	    "management.azure.com%%2F.default", client, secret);
	snprintf(path, sizeof(path), "/azure/aad/%s/oauth2/v2.0/token", tenant);
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = path;
	r.body = body;
	r.body_len = strlen(body);
	r.header = fhdr;
	r.hctx = &f;
	r.host = HOST;
	memset(&resp, 0, sizeof(resp));
	if (sim_cloud_handle(az, &r, &resp) != 0 || resp.code != 200)
		abort();
	j = json_loadb(resp.body, resp.body_len, 0, NULL);
	if (asprintf(&bearer, "Bearer %s", json_string_value(json_object_get(j,
	    "access_token"))) == -1)
		abort();
	json_decref(j);
	sim_resp_clear(&resp);
	free(tenant);
	free(client);
	free(secret);
}

/* Next NUL-terminated field of the input, or "" at the end. */
static const char *
field(const char **p, const char *end)
{
	const char *s = *p, *z;

	if (s >= end)
		return "";
	z = memchr(s, '\0', (size_t)(end - s));
	*p = z != NULL ? z + 1 : end;
	return s;
}

static void
unthrottle(struct sim_cloud *sc)
{
	static const char *const classes[] = { "describe", "mutate", "read",
	    "write" };
	char err[128];
	json_t *a, *res;
	int i;

	for (i = 0; i < 4; i++) {
		a = json_pack("{s:s, s:i}", "class", classes[i], "rate", 0);
		res = NULL;
		sim_cloud_control(sc, "throttle", a, &res, err, sizeof(err));
		json_decref(res);
		json_decref(a);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "POST", "PUT", "DELETE" };
	static const char *const cmds[] = { "fault", "throttle", "clock",
	    "take-address", "release-address", "bump-etag", "fail-next-lro",
	    "lro", "sts-duration", "token-lifetime", "rotate-token" };
	struct freq f;
	struct sim_req r;
	struct sim_resp resp;
	struct sigv4_header hs[3];
	struct sigv4_request sr;
	struct sigv4_credentials c;
	struct sim_cloud *sc;
	char *buf, *auth = NULL, amz[SIGV4_AMZDATE_LEN + 1], path[600];
	char err[256];
	const char *p, *end, *f1, *f2, *f3;
	json_t *args, *res;
	int mode;

	if (aws == NULL) {
		init();
		unthrottle(aws);
		unthrottle(az);
	}
	if (size < 1)
		return 0;
	mode = data[0] % 6;
	buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	p = buf;
	end = buf + size - 1;
	memset(&f, 0, sizeof(f));
	f.hn[f.nh] = "Host";
	f.hv[f.nh++] = HOST;
	memset(&r, 0, sizeof(r));
	r.header = fhdr;
	r.hctx = &f;
	r.host = HOST;
	r.method = methods[(data[0] / 6) % 4];
	sc = mode >= 2 && mode <= 4 ? az : aws;
	switch (mode) {
	case 0:		/* EC2, signed by the harness */
		r.method = "POST";
		r.path = "/aws/ec2/";
		r.body = p;
		r.body_len = (size_t)(end - p);
		sigv4_format_amzdate(time(NULL), amz);
		hs[0].name = "Host";
		hs[0].value = HOST;
		hs[1].name = "X-Amz-Date";
		hs[1].value = amz;
		memset(&sr, 0, sizeof(sr));
		sr.method = "POST";
		sr.path = r.path;
		sr.headers = hs;
		sr.nheaders = 2;
		sr.body = r.body;
		sr.body_len = r.body_len;
		c.access_key = ak;
		c.secret_key = sk;
		c.session_token = NULL;
		c.region = "us-east-1";
		c.service = "ec2";
		if (sigv4_sign(&sr, &c, amz, &auth, NULL) == 0) {
			f.hn[f.nh] = "X-Amz-Date";
			f.hv[f.nh++] = amz;
			f.hn[f.nh] = "Authorization";
			f.hv[f.nh++] = auth;
		}
		break;
	case 1:		/* STS, or EC2 with fuzzed headers */
		f1 = field(&p, end);
		f2 = field(&p, end);
		r.path = data[0] & 0x40 ? "/aws/sts/" : "/aws/ec2/";
		f.hn[f.nh] = "Authorization";
		f.hv[f.nh++] = f1;
		f.hn[f.nh] = "X-Amz-Date";
		f.hv[f.nh++] = f2;
		r.body = p;
		r.body_len = (size_t)(end - p);
		break;
	case 2:		/* ARM with a valid token */
	case 3:		/* AAD */
		f1 = field(&p, end);
		f2 = field(&p, end);
		f3 = field(&p, end);
		snprintf(path, sizeof(path), "%s%s", mode == 2 ? "/azure/arm/" :
		    "/azure/aad/", f1);
		r.path = path;
		r.query = *f2 ? f2 : NULL;
		if (mode == 2) {
			f.hn[f.nh] = "Authorization";
			f.hv[f.nh++] = bearer;
		}
		if (*f3) {
			f.hn[f.nh] = "If-Match";
			f.hv[f.nh++] = f3;
		}
		r.body = p;
		r.body_len = (size_t)(end - p);
		break;
	default:	/* control commands with fuzzed arguments */
		sc = data[0] & 0x80 ? az : aws;
		args = json_loadb(p, (size_t)(end - p), 0, NULL);
		res = NULL;
		sim_cloud_control(sc, cmds[(data[0] >> 3) % 11], args, &res, err,
		    sizeof(err));
		json_decref(res);
		json_decref(args);
		/* Keep the clock and throttles sane for the next inputs. */
		args = json_pack("{s:f}", "offset", 0.0);
		res = NULL;
		sim_cloud_control(sc, "clock", args, &res, err, sizeof(err));
		json_decref(res);
		json_decref(args);
		unthrottle(sc);
		free(buf);
		return 0;
	}
	memset(&resp, 0, sizeof(resp));
	if (sim_cloud_handle(sc, &r, &resp) != 0 || resp.code < 200 ||
	    resp.code > 599)
		abort();
	sim_resp_clear(&resp);
	free(auth);
	free(buf);
	return 0;
}
