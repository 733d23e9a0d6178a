/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark of eipam-sim (not a test): starts a simulator, then measures
 * simple writes per second from one keep-alive HTTPS client, how many
 * concurrent watch streams it holds (each must see a change), and the
 * memory per stored small object (RSS growth over N ConfigMaps).  Prints
 * one JSON object.  Usage: sim_bench [EIPAM_SIM] [WRITES] [WATCHERS] [OBJS]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

struct sim {
	pid_t	 pid;
	char	 dir[256];
	char	 url[128];
	char	 token[128];
	char	 ca[300];
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t
sink(char *p, size_t sz, size_t n, void *arg)
{
	size_t *count = arg;

	if (count != NULL)
		*count += sz * n;
	return sz * n;
}

static int
read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (f == NULL || fgets(buf, (int)len, f) == NULL) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int
sim_start(struct sim *s, const char *bin)
{
	char path[400], port[32];
	int i;

	snprintf(s->dir, sizeof(s->dir), "/tmp/sim_bench.XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		return -1;
	if ((s->pid = fork()) == 0) {
		char d[300];

		snprintf(d, sizeof(d), "%s/state", s->dir);
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		execl(bin, bin, "--state-dir", d, "--port", "0", "--scenario",
		    "baremetal", "--history", "1000", (char *)NULL);
		_exit(127);
	}
	snprintf(path, sizeof(path), "%s/state/sim.port", s->dir);
	for (i = 0; i < 100 && read_line(path, port, sizeof(port)) != 0; i++)
		usleep(100000);
	if (i == 100)
		return -1;
	snprintf(s->url, sizeof(s->url), "https://127.0.0.1:%s", port);
	snprintf(path, sizeof(path), "%s/state/token", s->dir);
	read_line(path, s->token, sizeof(s->token));
	snprintf(s->ca, sizeof(s->ca), "%s/state/ca.crt", s->dir);
	return 0;
}

static long
rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

static CURL *
handle(struct sim *s, struct curl_slist *h)
{
	CURL *c = curl_easy_init();

	curl_easy_setopt(c, CURLOPT_CAINFO, s->ca);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	return c;
}

/* n POSTs of small ConfigMaps on one connection; returns writes/s. */
static double
writes(struct sim *s, struct curl_slist *h, int n, const char *prefix,
    int *fail)
{
	char url[256], body[256];
	CURL *c = handle(s, h);
	double t0;
	long code;
	int i;

	snprintf(url, sizeof(url), "%s/api/v1/namespaces/default/configmaps",
	    s->url);
	curl_easy_setopt(c, CURLOPT_URL, url);
	t0 = now();
	for (i = 0; i < n; i++) {
		snprintf(body, sizeof(body), "{\"metadata\":{\"name\":"
		    "\"%s-%d\"},\"data\":{\"k\":\"v\"}}", prefix, i);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		if (curl_easy_perform(c) != CURLE_OK ||
		    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) !=
		    CURLE_OK || code != 201)
			(*fail)++;
	}
	t0 = now() - t0;
	curl_easy_cleanup(c);
	return n / t0;
}

int
main(int argc, char **argv)
{
	const char *bin = argc > 1 ? argv[1] : "./eipam-sim";
	int nwrites = argc > 2 ? atoi(argv[2]) : 20000;
	int nwatch = argc > 3 ? atoi(argv[3]) : 250;
	int nobjs = argc > 4 ? atoi(argv[4]) : 20000;
	struct sim s;
	struct curl_slist *h = NULL;
	char auth[200], url[256];
	CURLM *m;
	CURL **w;
	size_t *got;
	double wps, t0;
	long rss0, rss1;
	int i, running, fail = 0, held = 0, saw = 0, status;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (sim_start(&s, bin) != 0) {
		fprintf(stderr, "sim_bench: cannot start %s\n", bin);
		return 1;
	}
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", s.token);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");

	wps = writes(&s, h, nwrites, "w", &fail);

	/* Watchers: all streams open, then one write each must see. */
	m = curl_multi_init();
	w = calloc(nwatch, sizeof(*w));
	got = calloc(nwatch, sizeof(*got));
	snprintf(url, sizeof(url), "%s/api/v1/namespaces/default/configmaps"
	    "?watch=true&resourceVersion=1000000000&timeoutSeconds=120", s.url);
	for (i = 0; i < nwatch; i++) {
		w[i] = handle(&s, h);
		curl_easy_setopt(w[i], CURLOPT_URL, url);
		curl_easy_setopt(w[i], CURLOPT_WRITEDATA, &got[i]);
		curl_multi_add_handle(m, w[i]);
	}
	t0 = now();
	while (now() - t0 < 20) {
		curl_multi_perform(m, &running);
		curl_multi_poll(m, NULL, 0, 100, NULL);
		for (held = 0, i = 0; i < nwatch; i++) {
			long code = 0;

			curl_easy_getinfo(w[i], CURLINFO_RESPONSE_CODE, &code);
			held += code == 200;
		}
		if (held == nwatch)
			break;
	}
	writes(&s, h, 1, "watched", &fail);
	t0 = now();
	while (now() - t0 < 10) {
		curl_multi_perform(m, &running);
		curl_multi_poll(m, NULL, 0, 100, NULL);
		for (saw = 0, i = 0; i < nwatch; i++)
			saw += got[i] > 0;
		if (saw == nwatch)
			break;
	}
	for (i = 0; i < nwatch; i++) {
		curl_multi_remove_handle(m, w[i]);
		curl_easy_cleanup(w[i]);
	}
	curl_multi_cleanup(m);

	/* Memory: RSS growth over nobjs more small objects. */
	rss0 = rss_kb(s.pid);
	writes(&s, h, nobjs, "m", &fail);
	rss1 = rss_kb(s.pid);

	printf("{\"writes_per_second\":%.0f,\"writes\":%d,\"write_failures\":%d,"
	    "\"watch_streams_requested\":%d,\"watch_streams_held\":%d,"
	    "\"watch_streams_saw_change\":%d,\"objects_for_memory\":%d,"
	    "\"rss_kb_before\":%ld,\"rss_kb_after\":%ld,"
	    "\"bytes_per_object\":%.0f}\n", wps, nwrites, fail, nwatch, held,
	    saw, nobjs, rss0, rss1, (rss1 - rss0) * 1024.0 / nobjs);
	kill(s.pid, SIGTERM);
	waitpid(s.pid, &status, 0);
	curl_slist_free_all(h);
	free(w);
	free(got);
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s.dir);
		if (system(cmd) != 0)
			fprintf(stderr, "sim_bench: could not remove %s\n",
			    s.dir);
	}
	return fail != 0 || held != nwatch || saw != nwatch;
}
