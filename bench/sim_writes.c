/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal client of a running eipam-sim for the operator's benchmarks
 * (bench/op_bench.py), not a test: libcurl's multi interface on N
 * keep-alive HTTPS connections, one request in flight per connection.
 *   create PREFIX COUNT IPAM    POST COUNT opted-in namespaces
 *   ceiling PREFIX COUNT        the operator's cold-start writes, done
 *                               directly: one merge PATCH of each
 *                               namespace's egressips annotation and of
 *                               its NetNamespace, then each worker's
 *                               HostSubnet; with --events also one
 *                               Event POST per namespace
 * Prints one JSON object.  Usage:
 *   sim_writes --state-dir DIR [--conns N] [--events] MODE ARGS
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#define A_IPAM	"egressip-ipam-operator.redhat-cop.io/egressipam"
#define A_IPS	"egressip-ipam-operator.redhat-cop.io/egressips"
#define ZONE	"topology.kubernetes.io/zone"

struct job {
	const char	*method;
	char		*path;
	char		*body;
	const char	*ctype;
	long		 want;		/* expected status */
};

struct client {
	char		 url[200];
	char		 auth[300];
	char		 ca[600];
	struct job	*jobs;
	size_t		 njobs, cap, next, done, failed;
	long		 first_bad;
};

struct conn {
	CURL		*e;
	struct curl_slist *hdrs;
	size_t		 job;
	long		 status;
	char		*buf;
	size_t		 len;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
read_line(const char *dir, const char *name, char *buf, size_t len)
{
	char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, (int)len, f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static void
job_add(struct client *c, const char *method, char *path, json_t *body,
    const char *ctype, long want)
{
	struct job *j;

	if (c->njobs == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1024;
		c->jobs = realloc(c->jobs, c->cap * sizeof(*c->jobs));
		if (c->jobs == NULL)
			abort();
	}
	j = &c->jobs[c->njobs++];
	j->method = method;
	j->path = path;
	j->body = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	j->ctype = ctype;
	j->want = want;
	json_decref(body);
}

static size_t
sink(char *p, size_t sz, size_t n, void *arg)
{
	struct conn *k = arg;
	char *nb;

	if ((nb = realloc(k->buf, k->len + sz * n + 1)) == NULL)
		return 0;
	k->buf = nb;
	memcpy(k->buf + k->len, p, sz * n);
	k->len += sz * n;
	k->buf[k->len] = '\0';
	return sz * n;
}

static void
conn_start(struct client *c, CURLM *m, struct conn *k)
{
	struct job *j = &c->jobs[c->next];
	char url[1200], ct[100];

	k->job = c->next++;
	k->len = 0;
	curl_slist_free_all(k->hdrs);
	k->hdrs = curl_slist_append(NULL, c->auth);
	snprintf(ct, sizeof(ct), "Content-Type: %s", j->ctype ? j->ctype :
	    "application/json");
	k->hdrs = curl_slist_append(k->hdrs, ct);
	k->hdrs = curl_slist_append(k->hdrs, "Accept: application/json");
	snprintf(url, sizeof(url), "%s%s", c->url, j->path);
	curl_easy_setopt(k->e, CURLOPT_URL, url);
	curl_easy_setopt(k->e, CURLOPT_HTTPHEADER, k->hdrs);
	curl_easy_setopt(k->e, CURLOPT_CUSTOMREQUEST, j->method);
	if (j->body != NULL) {
		curl_easy_setopt(k->e, CURLOPT_POSTFIELDS, j->body);
		curl_easy_setopt(k->e, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(j->body));
	} else
		curl_easy_setopt(k->e, CURLOPT_HTTPGET, 1L);
	curl_multi_add_handle(m, k->e);
}

/* Runs every job, nconn at a time; returns the seconds it took. */
static double
run(struct client *c, int nconn)
{
	CURLM *m = curl_multi_init();
	struct conn *k = calloc((size_t)nconn, sizeof(*k));
	CURLMsg *msg;
	double t0;
	int i, running, left;

	for (i = 0; i < nconn; i++) {
		k[i].e = curl_easy_init();
		curl_easy_setopt(k[i].e, CURLOPT_CAINFO, c->ca);
		curl_easy_setopt(k[i].e, CURLOPT_TCP_NODELAY, 1L);
		curl_easy_setopt(k[i].e, CURLOPT_WRITEFUNCTION, sink);
		curl_easy_setopt(k[i].e, CURLOPT_WRITEDATA, &k[i]);
		curl_easy_setopt(k[i].e, CURLOPT_PRIVATE, &k[i]);
		curl_easy_setopt(k[i].e, CURLOPT_TIMEOUT, 60L);
	}
	t0 = now();
	for (i = 0; i < nconn && c->next < c->njobs; i++)
		conn_start(c, m, &k[i]);
	do {
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct conn *kk;
			long code = 0;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&kk);
			curl_easy_getinfo(msg->easy_handle,
			    CURLINFO_RESPONSE_CODE, &code);
			curl_multi_remove_handle(m, msg->easy_handle);
			c->done++;
			if (msg->data.result != CURLE_OK ||
			    code != c->jobs[kk->job].want) {
				if (c->failed++ == 0) {
					c->first_bad = code;
					fprintf(stderr, "sim_writes: %s %s: %ld %s\n",
					    c->jobs[kk->job].method,
					    c->jobs[kk->job].path, code,
					    kk->buf ? kk->buf : "");
				}
			}
			if (c->next < c->njobs)
				conn_start(c, m, kk);
		}
		if (running > 0 || c->next < c->njobs)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	} while (c->done < c->njobs);
	t0 = now() - t0;
	for (i = 0; i < nconn; i++) {
		curl_easy_cleanup(k[i].e);
		curl_slist_free_all(k[i].hdrs);
		free(k[i].buf);
	}
	free(k);
	curl_multi_cleanup(m);
	return t0;
}

/* One GET, parsed (setup only: not timed). */
static json_t *
get(struct client *c, const char *path)
{
	struct conn k;
	char url[1200];
	json_t *j;

	memset(&k, 0, sizeof(k));
	k.e = curl_easy_init();
	k.hdrs = curl_slist_append(NULL, c->auth);
	snprintf(url, sizeof(url), "%s%s", c->url, path);
	curl_easy_setopt(k.e, CURLOPT_URL, url);
	curl_easy_setopt(k.e, CURLOPT_CAINFO, c->ca);
	curl_easy_setopt(k.e, CURLOPT_HTTPHEADER, k.hdrs);
	curl_easy_setopt(k.e, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(k.e, CURLOPT_WRITEDATA, &k);
	if (curl_easy_perform(k.e) != CURLE_OK || k.buf == NULL) {
		fprintf(stderr, "sim_writes: GET %s failed\n", path);
		exit(1);
	}
	j = json_loads(k.buf, 0, NULL);
	curl_easy_cleanup(k.e);
	curl_slist_free_all(k.hdrs);
	free(k.buf);
	if (j == NULL) {
		fprintf(stderr, "sim_writes: GET %s: not JSON\n", path);
		exit(1);
	}
	return j;
}

static const char *
md(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(json_object_get(o,
	    "metadata"), k));
}

static char *
path_of(const char *base, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", base, name) == -1)
		abort();
	return p;
}

/* The i-th address of 10.(z+1).0.0/16, skipping .0 and .255 of each /24. */
static void
ip_of(int z, size_t i, char *buf, size_t len)
{
	size_t hi = i / 254, lo = i % 254 + 1;

	snprintf(buf, len, "10.%d.%zu.%zu", z + 1, hi, lo);
}

static void
mode_create(struct client *c, const char *prefix, long count,
    const char *ipam)
{
	char name[300];
	long i;

	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "%s%05ld", prefix, i);
		job_add(c, "POST", strdup("/api/v1/namespaces"), json_pack(
		    "{s:s,s:s,s:{s:s,s:{s:s}}}", "apiVersion", "v1", "kind",
		    "Namespace", "metadata", "name", name, "annotations",
		    A_IPAM, ipam), NULL, 201);
	}
}

/*
 * The writes of a cold start, as the operator makes them (merge
 * patches carrying the resourceVersion read in one LIST beforehand),
 * with three zones of workers and 10.1-3.0.0/16.
 */
static void
mode_ceiling(struct client *c, const char *prefix, long count, int events)
{
	json_t *nss = get(c, "/api/v1/namespaces");
	json_t *nns = get(c, "/apis/network.openshift.io/v1/netnamespaces");
	json_t *nodes = get(c, "/api/v1/nodes");
	json_t *hss = get(c, "/apis/network.openshift.io/v1/hostsubnets");
	json_t *rv_ns = json_object(), *rv_nn = json_object();
	json_t *zone_nodes = json_object(), *hs_ips = json_object(), *o, *a;
	const char *zones[3] = { "zone-a", "zone-b", "zone-c" };
	char name[300], ip[3][40], ips[200], ev[400];
	size_t i;
	long n;
	int z;

	json_array_foreach(json_object_get(nss, "items"), i, o)
		json_object_set_new(rv_ns, md(o, "name"), json_string(md(o,
		    "resourceVersion")));
	json_array_foreach(json_object_get(nns, "items"), i, o)
		json_object_set_new(rv_nn, md(o, "name"), json_string(md(o,
		    "resourceVersion")));
	for (z = 0; z < 3; z++)
		json_object_set_new(zone_nodes, zones[z], json_array());
	json_array_foreach(json_object_get(nodes, "items"), i, o) {
		const char *zn = json_string_value(json_object_get(
		    json_object_get(json_object_get(o, "metadata"), "labels"),
		    ZONE));
		json_t *l = zn != NULL ? json_object_get(zone_nodes, zn) : NULL;

		if (l == NULL || json_object_get(json_object_get(
		    json_object_get(o, "metadata"), "labels"),
		    "node-role.kubernetes.io/worker") == NULL)
			continue;
		json_array_append_new(l, json_string(md(o, "name")));
		json_object_set_new(hs_ips, md(o, "name"), json_array());
	}
	for (n = 0; n < count; n++) {
		snprintf(name, sizeof(name), "%s%05ld", prefix, n);
		if (json_object_get(rv_ns, name) == NULL ||
		    json_object_get(rv_nn, name) == NULL) {
			fprintf(stderr, "sim_writes: no namespace or "
			    "NetNamespace %s\n", name);
			exit(1);
		}
		for (z = 0; z < 3; z++) {
			json_t *zl = json_object_get(zone_nodes, zones[z]);

			ip_of(z, (size_t)n + 10, ip[z], sizeof(ip[z]));
			if (json_array_size(zl) > 0)
				json_array_append_new(json_object_get(hs_ips,
				    json_string_value(json_array_get(zl,
				    (size_t)n % json_array_size(zl)))),
				    json_string(ip[z]));
		}
		snprintf(ips, sizeof(ips), "%s,%s,%s", ip[0], ip[1], ip[2]);
		job_add(c, "PATCH", path_of("/api/v1/namespaces", name),
		    json_pack("{s:{s:O,s:{s:s}}}", "metadata",
		    "resourceVersion", json_object_get(rv_ns, name),
		    "annotations", A_IPS, ips),
		    "application/merge-patch+json", 200);
		job_add(c, "PATCH", path_of(
		    "/apis/network.openshift.io/v1/netnamespaces", name),
		    json_pack("{s:{s:O},s:[s,s,s]}", "metadata",
		    "resourceVersion", json_object_get(rv_nn, name),
		    "egressIPs", ip[0], ip[1], ip[2]),
		    "application/merge-patch+json", 200);
		if (!events)
			continue;
		snprintf(ev, sizeof(ev), "%s.%lx", name, (long)n);
		job_add(c, "POST", strdup("/api/v1/namespaces/default/events"),
		    json_pack("{s:s,s:s,s:{s:s,s:s},s:{s:s,s:s,s:s},s:s,s:s,"
		    "s:s,s:{s:s},s:i}", "apiVersion", "v1", "kind", "Event",
		    "metadata", "name", ev, "namespace", "default",
		    "involvedObject", "kind", "Namespace", "name", name,
		    "apiVersion", "v1", "reason", "EgressIPsAssigned",
		    "message", ips, "type", "Normal", "source", "component",
		    "egressip-ipam-operator", "count", 1), NULL, 201);
	}
	json_array_foreach(json_object_get(hss, "items"), i, o) {
		if ((a = json_object_get(hs_ips, md(o, "name"))) == NULL)
			continue;
		job_add(c, "PATCH", path_of(
		    "/apis/network.openshift.io/v1/hostsubnets", md(o, "name")),
		    json_pack("{s:{s:s},s:O,s:[]}", "metadata",
		    "resourceVersion", md(o, "resourceVersion"), "egressIPs",
		    a, "egressCIDRs"), "application/merge-patch+json", 200);
	}
	json_decref(nss);
	json_decref(nns);
	json_decref(nodes);
	json_decref(hss);
	json_decref(rv_ns);
	json_decref(rv_nn);
	json_decref(zone_nodes);
	json_decref(hs_ips);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "state-dir", required_argument, NULL, 'd' },
		{ "conns", required_argument, NULL, 'c' },
		{ "events", no_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	struct client c;
	const char *dir = NULL, *mode;
	char port[32];
	int ch, nconn = 8, events = 0;
	double secs;
	size_t i;

	memset(&c, 0, sizeof(c));
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1)
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'c':
			nconn = atoi(optarg);
			break;
		case 'e':
			events = 1;
			break;
		default:
			return 2;
		}
	argc -= optind;
	argv += optind;
	if (dir == NULL || argc < 3 || nconn < 1) {
		fprintf(stderr, "usage: sim_writes --state-dir DIR [--conns N] "
		    "[--events] create PREFIX COUNT IPAM | ceiling PREFIX "
		    "COUNT\n");
		return 2;
	}
	mode = argv[0];
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (read_line(dir, "sim.port", port, sizeof(port)) == -1 ||
	    read_line(dir, "token", c.auth + 22, sizeof(c.auth) - 22) == -1) {
		fprintf(stderr, "sim_writes: no simulator in %s\n", dir);
		return 1;
	}
	memcpy(c.auth, "Authorization: Bearer ", 22);
	snprintf(c.url, sizeof(c.url), "https://127.0.0.1:%s", port);
	snprintf(c.ca, sizeof(c.ca), "%s/ca.crt", dir);
	if (strcmp(mode, "create") == 0 && argc == 4)
		mode_create(&c, argv[1], atol(argv[2]), argv[3]);
	else if (strcmp(mode, "ceiling") == 0 && argc == 3)
		mode_ceiling(&c, argv[1], atol(argv[2]), events);
	else {
		fprintf(stderr, "sim_writes: unknown mode %s\n", mode);
		return 2;
	}
	secs = run(&c, nconn);
	printf("{\"mode\": \"%s\", \"conns\": %d, \"requests\": %zu, "
	    "\"failed\": %zu, \"seconds\": %.3f, \"requests_per_s\": %.0f}\n",
	    mode, nconn, c.njobs, c.failed, secs, c.njobs / secs);
	for (i = 0; i < c.njobs; i++) {
		free(c.jobs[i].path);
		free(c.jobs[i].body);
	}
	free(c.jobs);
	curl_global_cleanup();
	return c.failed != 0;
}
