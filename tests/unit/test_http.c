/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/http.c against local HTTPS servers on 127.0.0.1: a Python
 * HTTP/1.1 keep-alive server (tests/watcher/https_server.py) and, when
 * installed, nghttpd for HTTP/2.  Certificates come from mkcerts.sh.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "http.h"
#include "testutil.h"

static char certdir[256];
static int py_port;
static pid_t py_pid;
static int py_stdin = -1;
static char *ca_pem, *wrong_pem;
static size_t ca_len, wrong_len;
static struct event_base *base;

struct result {
	int		 done;
	long		 status;
	int		 tls_error, timed_out, version;
	long		 retry_after;
	char		 error[512];
	char		 body[8192];
	int		 lines;
	int		 bad_order;
};

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static uint64_t
ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
run_until(const int *flag, int want, uint64_t bound_ms)
{
	uint64_t end = ms() + bound_ms;

	while (*flag < want && ms() < end)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), usleep(1000);
}

static void
on_done(const struct eip_http_resp *r, void *arg)
{
	struct result *res = arg;

	res->status = r->status;
	res->tls_error = r->tls_error;
	res->timed_out = r->timed_out;
	res->version = r->http_version;
	res->retry_after = r->retry_after_s;
	snprintf(res->error, sizeof(res->error), "%s", r->error ? r->error : "");
	snprintf(res->body, sizeof(res->body), "%s", r->body);
	res->done++;
}

static int
on_line(const char *line, size_t len, void *arg)
{
	struct result *res = arg;
	json_t *j = json_loadb(line, len, 0, NULL);

	if (j == NULL || json_integer_value(json_object_get(j, "i")) !=
	    res->lines)
		res->bad_order++;
	json_decref(j);
	res->lines++;
	return 0;
}

static struct eip_http *
client(const char *pem, size_t len, double qps, int burst)
{
	struct eip_http_opts o = { 0 };
	char err[256];
	struct eip_http *h;

	o.ca_pem = pem;
	o.ca_len = len;
	o.qps = qps;
	o.burst = burst;
	h = http_new(base, &o, err, sizeof(err));
	ck_assert_msg(h != NULL, "%s", err);
	return h;
}

static void
get(struct eip_http *h, const char *path, struct result *res,
    eip_http_line_cb lcb, size_t max_line, long timeout_ms)
{
	struct eip_http_reqopts o = { 0 };
	char url[256];

	snprintf(url, sizeof(url), "https://127.0.0.1:%d%s", py_port, path);
	o.url = url;
	o.on_done = on_done;
	o.on_line = lcb;
	o.max_line = max_line;
	o.timeout_ms = timeout_ms;
	o.arg = res;
	ck_assert(http_request(h, &o) != NULL);
}

START_TEST(t_get_and_reuse)
{
	struct eip_http *h = client(ca_pem, ca_len, 0, 0);
	struct result r[5];
	int i;

	memset(r, 0, sizeof(r));
	get(h, "/hello", &r[0], NULL, 0, 5000);
	run_until(&r[0].done, 1, 5000);
	ck_assert_int_eq(r[0].status, 200);
	ck_assert_str_eq(r[0].body, "hello");
	ck_assert_int_eq(r[0].version, 11);
	/* Sequential requests reuse the one keep-alive connection. */
	for (i = 1; i < 5; i++) {
		get(h, "/peer", &r[i], NULL, 0, 5000);
		run_until(&r[i].done, 1, 5000);
		ck_assert_int_eq(r[i].status, 200);
		if (i > 1)
			ck_assert_str_eq(r[i].body, r[1].body);
	}
	ck_assert_int_eq(http_connects_total(h), 1);
	ck_assert_uint_eq(http_outstanding(h), 0);
	http_free(h);
}
END_TEST

START_TEST(t_stream_lines)
{
	struct eip_http *h = client(ca_pem, ca_len, 0, 0);
	struct result r = { 0 };

	get(h, "/stream?n=2000", &r, on_line, 0, 10000);
	run_until(&r.done, 1, 10000);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.error, "");
	ck_assert_int_eq(r.lines, 2000);
	ck_assert_int_eq(r.bad_order, 0);
	http_free(h);
}
END_TEST

START_TEST(t_line_bound)
{
	struct eip_http *h = client(ca_pem, ca_len, 0, 0);
	struct result r = { 0 };

	get(h, "/longline", &r, on_line, 1024 * 1024, 10000);
	run_until(&r.done, 1, 10000);
	ck_assert_int_eq(r.lines, 0);
	ck_assert_str_eq(r.error, "streamed line too long");
	http_free(h);
}
END_TEST

START_TEST(t_retry_after)
{
	struct eip_http *h = client(ca_pem, ca_len, 0, 0);
	struct result r = { 0 };

	get(h, "/retry", &r, on_line, 0, 5000);
	run_until(&r.done, 1, 5000);
	ck_assert_int_eq(r.status, 429);
	ck_assert_int_eq(r.retry_after, 3);
	/* A streamed request's error body is kept for the caller. */
	ck_assert_str_eq(r.body, "{\"kind\":\"Status\",\"code\":429}");
	http_free(h);
}
END_TEST

START_TEST(t_timeout)
{
	struct eip_http *h = client(ca_pem, ca_len, 0, 0);
	struct result r = { 0 };
	uint64_t t0 = ms();

	get(h, "/slow", &r, NULL, 0, 500);
	run_until(&r.done, 1, 5000);
	ck_assert_int_eq(r.timed_out, 1);
	ck_assert(ms() - t0 < 2500);
	http_free(h);
}
END_TEST

START_TEST(t_wrong_ca)
{
	struct eip_http *h = client(wrong_pem, wrong_len, 0, 0);
	struct result r = { 0 };

	get(h, "/hello", &r, NULL, 0, 5000);
	run_until(&r.done, 1, 5000);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.tls_error, 1);
	ck_assert_msg(strstr(r.error, "certificate") != NULL, "%s", r.error);
	http_free(h);
}
END_TEST

START_TEST(t_bad_ca)
{
	struct eip_http_opts o = { 0 };
	char err[256];

	o.ca_pem = "not a certificate";
	o.ca_len = strlen(o.ca_pem);
	ck_assert(http_new(base, &o, err, sizeof(err)) == NULL);
	ck_assert_str_eq(err, "CA bundle holds no PEM certificate");
}
END_TEST

START_TEST(t_https_only)
{
	struct eip_http *h = client(ca_pem, ca_len, 0, 0);
	struct eip_http_reqopts o = { 0 };
	struct result r = { 0 };
	char url[128];

	/* Plain http:// is refused unless the client allows it (IMDS). */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hello", py_port);
	o.url = url;
	o.on_done = on_done;
	o.arg = &r;
	o.timeout_ms = 5000;
	ck_assert(http_request(h, &o) != NULL);
	run_until(&r.done, 1, 5000);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(strstr(r.error, "rotocol") != NULL, "%s", r.error);
	http_free(h);
}
END_TEST

START_TEST(t_methods)
{
	static const char *const methods[] = {
		"POST", "PUT", "PATCH", "DELETE"
	};
	static const char *const hdrs[] = {
		"Content-Type: application/merge-patch+json",
		"Authorization: Bearer sekrit", NULL
	};
	struct eip_http *h = client(ca_pem, ca_len, 0, 0);
	struct eip_http_reqopts o = { 0 };
	struct result r;
	char url[128];
	json_t *j;
	size_t i;

	snprintf(url, sizeof(url), "https://127.0.0.1:%d/echo", py_port);
	for (i = 0; i < 4; i++) {
		memset(&r, 0, sizeof(r));
		o.method = methods[i];
		o.url = url;
		o.headers = hdrs;
		o.body = "{\"a\":null}";
		o.body_len = strlen(o.body);
		o.timeout_ms = 5000;
		o.on_done = on_done;
		o.arg = &r;
		ck_assert(http_request(h, &o) != NULL);
		run_until(&r.done, 1, 5000);
		ck_assert_int_eq(r.status, 200);
		j = json_loads(r.body, 0, NULL);
		ck_assert(j != NULL);
		ck_assert_str_eq(json_string_value(json_object_get(j, "method")),
		    methods[i]);
		ck_assert_str_eq(json_string_value(json_object_get(j, "body")),
		    "{\"a\":null}");
		ck_assert_str_eq(json_string_value(json_object_get(j, "ctype")),
		    "application/merge-patch+json");
		ck_assert_str_eq(json_string_value(json_object_get(j, "auth")),
		    "Bearer sekrit");
		json_decref(j);
	}
	/* A body on GET and an unknown method are refused up front. */
	o.method = "GET";
	ck_assert(http_request(h, &o) == NULL);
	o.method = "BREW";
	ck_assert(http_request(h, &o) == NULL);
	http_free(h);
}
END_TEST

START_TEST(t_rate_limit)
{
	struct eip_http *h = client(ca_pem, ca_len, 10, 1);
	struct result r[5];
	int i, done;
	uint64_t t0 = ms();

	memset(r, 0, sizeof(r));
	for (i = 0; i < 5; i++)
		get(h, "/hello", &r[i], NULL, 0, 5000);
	for (i = 0; i < 5; i++) {
		run_until(&r[i].done, 1, 5000);
		ck_assert_int_eq(r[i].status, 200);
	}
	/* Burst 1 at 10 qps: the fifth request starts 400 ms in. */
	done = (int)(ms() - t0);
	ck_assert_msg(done >= 390, "took %d ms", done);
	http_free(h);
}
END_TEST

START_TEST(t_cancel_and_bounds)
{
	struct eip_http *h = client(ca_pem, ca_len, 0, 0);
	struct eip_http_reqopts o = { 0 };
	struct eip_http_req *q;
	struct result slow = { 0 }, ok = { 0 }, big = { 0 };
	char url[128];

	get(h, "/slow", &slow, NULL, 0, 5000);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/slow", py_port);
	o.url = url;
	o.on_done = on_done;
	o.arg = &slow;
	q = http_request(h, &o);
	http_cancel(q);
	http_cancel(q);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/big", py_port);
	o.url = url;
	o.max_body = 1000;
	o.arg = &big;
	ck_assert(http_request(h, &o) != NULL);
	get(h, "/hello", &ok, NULL, 0, 5000);
	run_until(&ok.done, 1, 5000);
	run_until(&big.done, 1, 5000);
	run_until(&slow.done, 1, 5000);
	ck_assert_int_eq(ok.status, 200);
	ck_assert_str_eq(big.error, "response body too large");
	/* The first /slow finished; the cancelled one never called back. */
	ck_assert_int_eq(slow.done, 1);
	ck_assert_str_eq(slow.body, "late");
	http_free(h);
}
END_TEST

static int
free_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == -1)
		abort();
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void
get_port(struct eip_http *h, int port, const char *path, struct result *res)
{
	struct eip_http_reqopts o = { 0 };
	char url[256];

	snprintf(url, sizeof(url), "https://127.0.0.1:%d%s", port, path);
	o.url = url;
	o.on_done = on_done;
	o.timeout_ms = 5000;
	o.arg = res;
	ck_assert(http_request(h, &o) != NULL);
}

START_TEST(t_http2)
{
	struct eip_http *probe, *h;
	struct result r[8], pr;
	char dir[300], path[400], key[300], crt[300], ports[16];
	pid_t pid;
	int i, port;
	uint64_t end;
	FILE *f;

	if (access("/usr/sbin/nghttpd", X_OK) != 0) {
		fprintf(stderr, "# nghttpd not installed: HTTP/2 not tested\n");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/h2", certdir);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/hello", dir);
	f = fopen(path, "w");
	fputs("h2 hello", f);
	fclose(f);
	snprintf(key, sizeof(key), "%s/server.key", certdir);
	snprintf(crt, sizeof(crt), "%s/server.crt", certdir);
	port = free_port();
	snprintf(ports, sizeof(ports), "%d", port);
	if ((pid = fork()) == 0) {
		execl("/usr/sbin/nghttpd", "nghttpd", "-a", "127.0.0.1", "-d",
		    dir, ports, key, crt, NULL);
		_exit(127);
	}
	/* Wait (bounded) until nghttpd answers. */
	probe = client(ca_pem, ca_len, 0, 0);
	end = ms() + 10000;
	do {
		memset(&pr, 0, sizeof(pr));
		get_port(probe, port, "/hello", &pr);
		run_until(&pr.done, 1, 5000);
		if (pr.status != 200)
			usleep(50000);
	} while (pr.status != 200 && ms() < end);
	ck_assert_int_eq(pr.status, 200);
	/* Eight parallel requests share one multiplexed connection. */
	h = client(ca_pem, ca_len, 0, 0);
	memset(r, 0, sizeof(r));
	for (i = 0; i < 8; i++)
		get_port(h, port, "/hello", &r[i]);
	for (i = 0; i < 8; i++) {
		run_until(&r[i].done, 1, 5000);
		ck_assert_int_eq(r[i].status, 200);
		ck_assert_int_eq(r[i].version, 20);
		ck_assert_str_eq(r[i].body, "h2 hello");
	}
	ck_assert_int_eq(http_connects_total(h), 1);
	http_free(h);
	http_free(probe);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}
END_TEST

static void
start_python(void)
{
	int in[2], out[2];
	char line[64], script[512];
	const char *src = getenv("top_srcdir");
	FILE *f;

	if (src == NULL)
		src = ".";
	snprintf(script, sizeof(script), "%s/tests/watcher/https_server.py",
	    src);
	if (pipe(in) == -1 || pipe(out) == -1)
		abort();
	if ((py_pid = fork()) == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl("/usr/bin/python3", "python3", script, certdir, NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	py_stdin = in[1];
	f = fdopen(out[0], "r");
	if (fgets(line, sizeof(line), f) == NULL ||
	    sscanf(line, "port %d", &py_port) != 1) {
		fprintf(stderr, "https_server.py did not start\n");
		exit(1);
	}
}

int
main(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("core");
	char cmd[600], p[300];
	const char *src = getenv("top_srcdir");
	int rc;

	signal(SIGPIPE, SIG_IGN);
	snprintf(certdir, sizeof(certdir), "/tmp/eipam-test-http.XXXXXX");
	if (mkdtemp(certdir) == NULL)
		return 1;
	snprintf(cmd, sizeof(cmd), "sh %s/tests/watcher/mkcerts.sh %s",
	    src ? src : ".", certdir);
	if (system(cmd) != 0)
		return 1;
	snprintf(p, sizeof(p), "%s/ca.crt", certdir);
	ca_pem = slurp(p, &ca_len);
	snprintf(p, sizeof(p), "%s/wrong-ca.crt", certdir);
	wrong_pem = slurp(p, &wrong_len);
	start_python();
	base = event_base_new();
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_get_and_reuse);
	tcase_add_test(tc, t_stream_lines);
	tcase_add_test(tc, t_line_bound);
	tcase_add_test(tc, t_retry_after);
	tcase_add_test(tc, t_timeout);
	tcase_add_test(tc, t_wrong_ca);
	tcase_add_test(tc, t_bad_ca);
	tcase_add_test(tc, t_https_only);
	tcase_add_test(tc, t_methods);
	tcase_add_test(tc, t_rate_limit);
	tcase_add_test(tc, t_cancel_and_bounds);
	tcase_add_test(tc, t_http2);
	suite_add_tcase(s, tc);
	rc = eip_run_suite(s);
	close(py_stdin);
	waitpid(py_pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", certdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
