/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipam-sim ctl: the human command line of the control API.  Reads the
 * port, control token and CA from the state directory, turns a command
 * into one /sim/v1/ request with libcurl, and prints the JSON answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "xmalloc.h"

int	ctl_main(int, char **);

struct rbuf {
	char	*s;
	size_t	 n;
};

static size_t
on_data(char *p, size_t sz, size_t nm, void *arg)
{
	struct rbuf *b = arg;
	size_t n = sz * nm;

	b->s = xreallocarray(b->s, b->n + n + 1, 1);
	memcpy(b->s + b->n, p, n);
	b->n += n;
	b->s[b->n] = '\0';
	return n;
}

static char *
read_line(const char *dir, const char *name)
{
	char path[4096], buf[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return xstrdup(buf);
}

static void
ctl_usage(void)
{
	fprintf(stderr,
	    "usage: eipam-sim ctl --state-dir DIR COMMAND [ARGS]\n"
	    "  status | dump | stats | stats-reset | faults | faults-clear\n"
	    "  scenario NAME|FILE [NODES]\n"
	    "  node-add NAME [ZONE [ROLE [INSTANCE_TYPE]]]\n"
	    "  node-remove NAME\n"
	    "  node-ready NAME True|False|Unknown\n"
	    "  node-label NAME KEY=VALUE|KEY- ...\n"
	    "  node-annotate NAME KEY=VALUE|KEY- ...\n"
	    "  heartbeat-stop NAME | heartbeat-resume NAME\n"
	    "  fault ROUTE [method=M] [error_rate=F] [code=N] [latency_ms=N]\n"
	    "        [watch_close_s=N] [watch_gone_next=true] [rate_429=F]\n"
	    "  changes RESOURCE [[NAMESPACE/]NAME]\n"
	    "  rotate-tokens [GRACE_S]\n"
	    "  watches-close [ROUTE] [gone]\n"
	    "  set KEY=VALUE ...   (bookmark_s, lease_s, record_changes, "
	    "watch_timeout_s)\n"
	    "  call METHOD PATH [JSON]\n");
	exit(2);
}

/* "k=v" pairs into an object; numbers and booleans typed, "k-" = null. */
static json_t *
kv_object(char **argv, int argc, int typed)
{
	json_t *o = json_object(), *v;
	char *eq, *end, *k;
	double d;
	int i;

	for (i = 0; i < argc; i++) {
		eq = strchr(argv[i], '=');
		if (eq == NULL) {
			size_t n = strlen(argv[i]);

			if (n > 1 && argv[i][n - 1] == '-') {
				k = xstrndup(argv[i], n - 1);
				json_object_set_new(o, k, json_null());
				free(k);
			}
			continue;
		}
		k = xstrndup(argv[i], eq - argv[i]);
		d = strtod(eq + 1, &end);
		if (!typed)
			v = json_string(eq + 1);
		else if (strcmp(eq + 1, "true") == 0)
			v = json_true();
		else if (strcmp(eq + 1, "false") == 0)
			v = json_false();
		else if (*(eq + 1) != '\0' && *end == '\0')
			v = d == (double)(long long)d ? json_integer(
			    (json_int_t)d) : json_real(d);
		else
			v = json_string(eq + 1);
		json_object_set_new(o, k, v);
		free(k);
	}
	return o;
}

int
ctl_main(int argc, char **argv)
{
	const char *dir = NULL, *method = "GET", *cmd;
	char path[2048], url[2300], auth[600], *port, *token, *bodys = NULL;
	json_t *body = NULL, *j;
	struct curl_slist *h = NULL;
	struct rbuf rb = { NULL, 0 };
	long code = 0;
	CURL *c;
	int i = 1;

	if (argc >= 3 && strcmp(argv[1], "--state-dir") == 0) {
		dir = argv[2];
		i = 3;
	} else if (argc >= 2 && strncmp(argv[1], "--state-dir=", 12) == 0) {
		dir = argv[1] + 12;
		i = 2;
	}
	if (dir == NULL || i >= argc)
		ctl_usage();
	cmd = argv[i++];
	argc -= i;
	argv += i;
	if (strcmp(cmd, "status") == 0 || strcmp(cmd, "dump") == 0 ||
	    strcmp(cmd, "stats") == 0 || strcmp(cmd, "faults") == 0)
		snprintf(path, sizeof(path), "/sim/v1/%s", cmd);
	else if (strcmp(cmd, "stats-reset") == 0) {
		method = "DELETE";
		snprintf(path, sizeof(path), "/sim/v1/stats");
	} else if (strcmp(cmd, "faults-clear") == 0) {
		method = "DELETE";
		snprintf(path, sizeof(path), "/sim/v1/faults");
	} else if (strcmp(cmd, "scenario") == 0 && argc >= 1) {
		method = "POST";
		snprintf(path, sizeof(path), "/sim/v1/scenario");
		body = json_pack("{s:s,s:i}", "name", argv[0], "nodes",
		    argc > 1 ? atoi(argv[1]) : 0);
	} else if (strcmp(cmd, "node-add") == 0 && argc >= 1) {
		method = "POST";
		snprintf(path, sizeof(path), "/sim/v1/nodes");
		body = json_pack("{s:s,s:s,s:s}", "name", argv[0], "zone",
		    argc > 1 ? argv[1] : "", "role", argc > 2 ? argv[2] :
		    "worker");
		if (argc > 3)
			json_object_set_new(body, "instanceType",
			    json_string(argv[3]));
	} else if (strcmp(cmd, "node-remove") == 0 && argc == 1) {
		method = "DELETE";
		snprintf(path, sizeof(path), "/sim/v1/nodes/%s", argv[0]);
	} else if (strcmp(cmd, "node-ready") == 0 && argc == 2) {
		method = "POST";
		snprintf(path, sizeof(path), "/sim/v1/nodes/%s/ready", argv[0]);
		body = json_pack("{s:s}", "status", argv[1]);
	} else if ((strcmp(cmd, "node-label") == 0 ||
	    strcmp(cmd, "node-annotate") == 0) && argc >= 2) {
		method = "POST";
		snprintf(path, sizeof(path), "/sim/v1/nodes/%s/%s", argv[0],
		    cmd[5] == 'l' ? "labels" : "annotations");
		body = kv_object(argv + 1, argc - 1, 0);
	} else if ((strcmp(cmd, "heartbeat-stop") == 0 ||
	    strcmp(cmd, "heartbeat-resume") == 0) && argc == 1) {
		method = "POST";
		snprintf(path, sizeof(path), "/sim/v1/nodes/%s/heartbeat",
		    argv[0]);
		body = json_pack("{s:b}", "on", cmd[10] == 'r');
	} else if (strcmp(cmd, "fault") == 0 && argc >= 1) {
		method = "POST";
		snprintf(path, sizeof(path), "/sim/v1/faults");
		body = kv_object(argv + 1, argc - 1, 1);
		json_object_set_new(body, "route", json_string(argv[0]));
	} else if (strcmp(cmd, "changes") == 0 && argc >= 1) {
		const char *name = argc > 1 ? argv[1] : "", *slash;
		char *e1, *e2, *e3;

		slash = strchr(name, '/');
		e1 = curl_easy_escape(NULL, argv[0], 0);
		e2 = curl_easy_escape(NULL, slash != NULL ? name : "",
		    slash != NULL ? (int)(slash - name) : 0);
		e3 = curl_easy_escape(NULL, slash != NULL ? slash + 1 : name, 0);
		snprintf(path, sizeof(path), "/sim/v1/changes?resource=%s"
		    "&namespace=%s&name=%s", e1, e2, e3);
		curl_free(e1);
		curl_free(e2);
		curl_free(e3);
	} else if (strcmp(cmd, "rotate-tokens") == 0) {
		method = "POST";
		snprintf(path, sizeof(path), "/sim/v1/tokens/rotate");
		body = json_pack("{s:i}", "grace_s", argc > 0 ? atoi(argv[0]) :
		    0);
	} else if (strcmp(cmd, "watches-close") == 0) {
		method = "POST";
		snprintf(path, sizeof(path), "/sim/v1/watches/close");
		body = json_pack("{s:s,s:b}", "route", argc > 0 ? argv[0] : "/",
		    "gone", argc > 1 && strcmp(argv[1], "gone") == 0);
	} else if (strcmp(cmd, "set") == 0 && argc >= 1) {
		method = "POST";
		snprintf(path, sizeof(path), "/sim/v1/settings");
		body = kv_object(argv, argc, 1);
	} else if (strcmp(cmd, "call") == 0 && argc >= 2) {
		method = argv[0];
		snprintf(path, sizeof(path), "%s", argv[1]);
		if (argc > 2 && (body = json_loads(argv[2], 0, NULL)) == NULL) {
			fprintf(stderr, "eipam-sim ctl: the body is not JSON\n");
			return 2;
		}
	} else
		ctl_usage();
	if ((port = read_line(dir, "sim.port")) == NULL ||
	    (token = read_line(dir, "control-token")) == NULL) {
		fprintf(stderr, "eipam-sim ctl: no simulator state in %s\n",
		    dir);
		return 1;
	}
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	c = curl_easy_init();
	{
		char ca[4096];
		FILE *f;

		snprintf(ca, sizeof(ca), "%s/ca.crt", dir);
		f = fopen(ca, "r");
		snprintf(url, sizeof(url), "%s://127.0.0.1:%s%s", f != NULL ?
		    "https" : "http", port, path);
		if (f != NULL) {
			fclose(f);
			curl_easy_setopt(c, CURLOPT_CAINFO, ca);
		}
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &rb);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	if (body != NULL) {
		bodys = json_dumps(body, JSON_COMPACT);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, bodys);
	}
	if (curl_easy_perform(c) != CURLE_OK) {
		fprintf(stderr, "eipam-sim ctl: cannot reach %s\n", url);
		return 1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rb.s != NULL && (j = json_loads(rb.s, 0, NULL)) != NULL) {
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else if (rb.s != NULL)
		puts(rb.s);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	json_decref(body);
	free(bodys);
	free(rb.s);
	free(port);
	free(token);
	return code >= 200 && code < 300 ? 0 : 1;
}
