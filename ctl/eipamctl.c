/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipamctl: ask a running operator what it is doing.  `status` and
 * `log-level` go to the supervisor's control socket; `attach`, `dump` and
 * the other questions go straight to a worker's debug socket in the same
 * run directory.  -o json prints machine-readable answers everywhere.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <zmq.h>

#include "eip_proto.h"
#include "kyaml.h"
#include "log.h"
#include "xmalloc.h"

#define TIMEOUT_MS	5000

static const char *run_dir = "/run/eipam";
static int json_out;
static volatile sig_atomic_t interrupted;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: eipamctl [--run-dir DIR] [-o text|json] COMMAND\n"
	    "commands:\n"
	    "  status                     processes, pids, restarts, state\n"
	    "  log-level ROLE LEVEL       ROLE: a role, \"supervisor\" or \"all\"\n"
	    "  attach ROLE                live message trace of one worker (Ctrl-C detaches)\n"
	    "  dump ROLE                  the worker's whole state as JSON\n"
	    "  explain namespace/NS|ip/IP|node/NODE\n"
	    "  plan -f EGRESSIPAM.json|yaml\n");
	exit(2);
}

/* One request line to the control socket, one reply line back. */
static json_t *
control_request(json_t *req)
{
	struct sockaddr_un sun;
	char buf[1 << 16], *line;
	size_t off = 0;
	json_error_t jerr;
	json_t *rep;
	ssize_t n;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/control.sock",
	    run_dir);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("cannot reach eipamd at %s", sun.sun_path);
	line = json_dumps(req, JSON_COMPACT);
	if (write(fd, line, strlen(line)) == -1 || write(fd, "\n", 1) == -1)
		fatal("control socket");
	free(line);
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int rc;

		/* A Ctrl-C (attach) must not cost the answer. */
		while ((rc = poll(&pfd, 1, TIMEOUT_MS)) == -1 && errno == EINTR)
			;
		if (rc <= 0)
			fatalx("no answer from eipamd");
		n = read(fd, buf + off, sizeof(buf) - 1 - off);
		if (n <= 0)
			fatalx("eipamd closed the connection");
		off += (size_t)n;
		buf[off] = '\0';
		if (memchr(buf, '\n', off) != NULL || off == sizeof(buf) - 1)
			break;
	}
	close(fd);
	if ((rep = json_loads(buf, JSON_DISABLE_EOF_CHECK, &jerr)) == NULL)
		fatalx("bad answer from eipamd: %s", jerr.text);
	return rep;
}

/* One message part; a signal (Ctrl-C during attach) does not lose it. */
static int
recv_part(zmq_msg_t *part, void *s)
{
	int rc;

	while ((rc = zmq_msg_recv(part, s, 0)) == -1 && errno == EINTR)
		;
	return rc;
}

/* DEBUG_REQ to <role>.debug.sock; returns the DEBUG_REP body. */
static json_t *
debug_request(void *zctx, const char *role, const char *cmd, json_t *args)
{
	uint8_t hdr[EIP_HDR_LEN];
	char ep[4200], err[512], *buf;
	struct eip_msg m;
	zmq_msg_t h, b;
	size_t len;
	json_t *req;
	void *s;
	int tmo = TIMEOUT_MS, zero = 0;

	snprintf(ep, sizeof(ep), "ipc://%s/%s.debug.sock", run_dir, role);
	if ((s = zmq_socket(zctx, ZMQ_REQ)) == NULL)
		fatalx("zmq_socket: %s", zmq_strerror(errno));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	if (zmq_connect(s, ep) == -1)
		fatalx("connect %s: %s", ep, zmq_strerror(errno));
	req = json_pack("{s:s}", "cmd", cmd);
	if (args != NULL)
		json_object_set_new(req, "args", args);
	if (eip_msg_encode(EIP_MSG_DEBUG_REQ, 0, 0, req, hdr, &buf, &len, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	json_decref(req);
	if (zmq_send(s, hdr, sizeof(hdr), ZMQ_SNDMORE) == -1 ||
	    zmq_send(s, buf, len, 0) == -1)
		fatalx("send to %s: %s", role, zmq_strerror(errno));
	free(buf);
	zmq_msg_init(&h);
	zmq_msg_init(&b);
	if (recv_part(&h, s) == -1 || recv_part(&b, s) == -1)
		fatalx("no answer from %s (%s): is it running in %s?", role,
		    zmq_strerror(errno), run_dir);
	if (eip_msg_decode(zmq_msg_data(&h), zmq_msg_size(&h),
	    zmq_msg_data(&b), zmq_msg_size(&b), EIP_ROLE_CTL, &m, err,
	    sizeof(err)) == -1)
		fatalx("bad answer from %s: %s", role, err);
	zmq_msg_close(&h);
	zmq_msg_close(&b);
	zmq_close(s);
	return m.body;
}

static void
print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2));
	putchar('\n');
}

static int
cmd_status(void)
{
	json_t *rep = control_request(json_pack("{s:s}", "cmd", "status"));
	json_t *res = json_object_get(rep, "result"), *r;
	size_t i;

	if (!json_is_true(json_object_get(rep, "ok")))
		fatalx("%s", json_string_value(json_object_get(rep, "error")));
	if (json_out) {
		print_json(res);
		json_decref(rep);
		return 0;
	}
	printf("eipamd pid %lld, up %.0f s, run dir %s%s\n",
	    (long long)json_integer_value(json_object_get(res, "pid")),
	    json_real_value(json_object_get(res, "uptime")),
	    json_string_value(json_object_get(res, "run_dir")),
	    json_is_true(json_object_get(res, "shutting_down")) ?
	    " (shutting down)" : "");
	printf("%-14s %-8s %-9s %8s %9s  %s\n", "ROLE", "PID", "STATE",
	    "UPTIME", "RESTARTS", "LAST EXIT");
	json_array_foreach(json_object_get(res, "roles"), i, r) {
		const char *le = json_string_value(json_object_get(r,
		    "last_exit"));

		printf("%-14s %-8lld %-9s %7.0fs %9lld  %s\n",
		    json_string_value(json_object_get(r, "name")),
		    (long long)json_integer_value(json_object_get(r, "pid")),
		    json_string_value(json_object_get(r, "state")),
		    json_real_value(json_object_get(r, "uptime")),
		    (long long)json_integer_value(json_object_get(r,
		    "restarts")), le != NULL ? le : "-");
	}
	json_decref(rep);
	return 0;
}

static int
cmd_log_level(const char *role, const char *level)
{
	json_t *rep = control_request(json_pack("{s:s,s:s,s:s}", "cmd",
	    "log-level", "role", role, "level", level));
	int ok = json_is_true(json_object_get(rep, "ok"));

	if (json_out)
		print_json(rep);
	else if (ok)
		printf("%s: log level %s\n", role, level);
	else
		fprintf(stderr, "eipamctl: %s\n",
		    json_string_value(json_object_get(rep, "error")));
	json_decref(rep);
	return ok ? 0 : 1;
}

static int
debug_simple(void *zctx, const char *role, const char *cmd, json_t *args)
{
	json_t *rep = debug_request(zctx, role, cmd, args);
	int ok = json_is_true(json_object_get(rep, "ok"));

	if (!ok) {
		fprintf(stderr, "eipamctl: %s: %s\n", role,
		    json_string_value(json_object_get(rep, "error")));
		json_decref(rep);
		return 1;
	}
	print_json(json_object_get(rep, "result"));
	json_decref(rep);
	return 0;
}

/* Prints an explain/plan answer: its sentences, or the JSON. */
static int
print_lines(json_t *rep, const char *role)
{
	json_t *res = json_object_get(rep, "result"), *l;
	size_t i;

	if (!json_is_true(json_object_get(rep, "ok"))) {
		fprintf(stderr, "eipamctl: %s: %s\n", role,
		    json_string_value(json_object_get(rep, "error")));
		return 1;
	}
	if (json_out) {
		print_json(res);
		return 0;
	}
	json_array_foreach(json_object_get(res, "lines"), i, l)
		printf("%s\n", json_string_value(l));
	return 0;
}

static int
cmd_explain(void *zctx, const char *what)
{
	const char *slash = strchr(what, '/');
	char kind[32];
	json_t *rep;
	int rc;

	if (slash == NULL || slash == what || (size_t)(slash - what) >=
	    sizeof(kind) || slash[1] == '\0')
		usage();
	snprintf(kind, sizeof(kind), "%.*s", (int)(slash - what), what);
	rep = debug_request(zctx, "allocator", "explain", json_pack("{s:s,s:s}",
	    "kind", kind, "name", slash + 1));
	rc = print_lines(rep, "allocator");
	json_decref(rep);
	return rc;
}

/* The EgressIPAM to plan, from JSON or the YAML subset kubeconfigs use. */
static json_t *
read_object(const char *path)
{
	char err[512], *buf;
	size_t len = 0, cap = 65536;
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	json_t *j;

	if (fp == NULL)
		fatal("%s", path);
	buf = xmalloc(cap);
	while (!feof(fp) && len < 4 * 1024 * 1024) {
		if (len + 4096 > cap)
			buf = xreallocarray(buf, cap *= 2, 1);
		len += fread(buf + len, 1, cap - len - 1, fp);
		if (ferror(fp))
			fatal("%s", path);
	}
	buf[len] = '\0';
	if (fp != stdin)
		fclose(fp);
	if ((j = kyaml_parse(buf, len, err, sizeof(err))) == NULL)
		fatalx("%s: %s", path, err);
	free(buf);
	return j;
}

static int
cmd_plan(void *zctx, const char *path)
{
	json_t *obj = read_object(path), *rep;
	int rc;

	rep = debug_request(zctx, "allocator", "plan", json_pack("{s:o}",
	    "object", obj));
	rc = print_lines(rep, "allocator");
	json_decref(rep);
	return rc;
}

static void
on_sigint(int sig)
{
	interrupted = 1;
}

/* Polls the worker's trace ring: the worker is never blocked by us. */
static int
cmd_attach(void *zctx, const char *role)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	json_int_t since = -1;
	json_t *rep, *res, *e;
	size_t i;

	signal(SIGINT, on_sigint);
	/* After Ctrl-C, one last poll: what happened up to then is shown. */
	for (int last_poll = 0; !last_poll;) {
		last_poll = interrupted;
		rep = debug_request(zctx, role, "trace", json_pack("{s:I}",
		    "since", since < 0 ? (json_int_t)0 : since));
		if (!json_is_true(json_object_get(rep, "ok")))
			fatalx("%s: %s", role, json_string_value(
			    json_object_get(rep, "error")));
		res = json_object_get(rep, "result");
		if (since < 0) {
			json_t *st = json_object_get(res, "status");

			if (json_out)
				print_json(st);
			else {
				char *s = json_dumps(json_object_get(st,
				    "detail"), JSON_COMPACT);

				printf("attached to %s (pid %lld, %s): %s\n",
				    role, (long long)json_integer_value(
				    json_object_get(st, "pid")),
				    json_string_value(json_object_get(st,
				    "state")), s != NULL ? s : "{}");
				free(s);
			}
		}
		json_array_foreach(json_object_get(res, "entries"), i, e) {
			if (since < 0)
				continue;	/* history before attaching */
			if (json_out) {
				json_dumpf(e, stdout, JSON_COMPACT);
				putchar('\n');
			} else
				printf("%.3f %-3s %-14s %-18s #%lld %s\n",
				    json_real_value(json_object_get(e, "ts")),
				    json_string_value(json_object_get(e, "dir")),
				    json_string_value(json_object_get(e, "peer")),
				    json_string_value(json_object_get(e, "type")),
				    (long long)json_integer_value(
				    json_object_get(e, "corr")),
				    json_string_value(json_object_get(e,
				    "summary")));
		}
		fflush(stdout);
		since = json_integer_value(json_object_get(res, "last"));
		json_decref(rep);
		if (!interrupted)
			nanosleep(&ts, NULL);
	}
	if (!json_out)
		printf("detached from %s\n", role);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "run-dir", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	void *zctx;
	int c, rc;

	log_init("eipamctl", LOG_FMT_TEXT, LOG_LVL_WARN);
	if (getenv("EIPAM_RUN_DIR") != NULL)
		run_dir = getenv("EIPAM_RUN_DIR");
	while ((c = getopt_long(argc, argv, "+o:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			run_dir = optarg;
			break;
		case 'o':
			if (strcmp(optarg, "json") == 0)
				json_out = 1;
			else if (strcmp(optarg, "text") != 0)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (strcmp(argv[0], "status") == 0 && argc == 1)
		return cmd_status();
	if (strcmp(argv[0], "log-level") == 0 && argc == 3)
		return cmd_log_level(argv[1], argv[2]);
	if ((zctx = zmq_ctx_new()) == NULL)
		fatal("zmq_ctx_new");
	if (strcmp(argv[0], "attach") == 0 && argc == 2)
		rc = cmd_attach(zctx, argv[1]);
	else if (strcmp(argv[0], "dump") == 0 && argc == 2)
		rc = debug_simple(zctx, argv[1], "dump", NULL);
	else if (strcmp(argv[0], "explain") == 0 && argc == 2)
		rc = cmd_explain(zctx, argv[1]);
	else if (strcmp(argv[0], "plan") == 0 && argc == 3 &&
	    strcmp(argv[1], "-f") == 0)
		rc = cmd_plan(zctx, argv[2]);
	else {
		usage();
		rc = 2;
	}
	zmq_ctx_term(zctx);
	return rc;
}
