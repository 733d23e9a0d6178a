/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shared life of a worker process (see worker.h): BOOT, debug socket,
 * sandbox entry, READY, heartbeats, shutdown.  Also the --sandbox-test
 * actions that let tests prove, per role, that a forbidden call kills the
 * process and that Landlock denies reads.
 */
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <zmq.h>

#include "config.h"
#include "lifeline.h"
#include "log.h"
#include "worker.h"
#include "xmalloc.h"
#include "zglue.h"
#include "zmsg.h"

#define BOOT_TIMEOUT_MS	10000
/* Free heap that makes a heartbeat hand memory back (see worker_trim). */
#define TRIM_STEP	(1024 * 1024)

static void
usage(const char *prog)
{
	fprintf(stderr,
	    "usage: %s [--standalone --run-dir DIR [--config FILE.json]\n"
	    "       [--instance N] [--log-level L] [--log-format text|json]\n"
	    "       [--sandbox enforce|trap|log|off] [--debug-attachable]]\n"
	    "       [--sandbox-dump] [--sandbox-test ACTION]\n"
	    "Started by eipamd with BOOT on fd 3, or alone with --standalone.\n",
	    prog);
	exit(2);
}

static json_t *
load_json_file(const char *path)
{
	json_error_t err;
	json_t *j;

	if ((j = json_load_file(path, JSON_REJECT_DUPLICATES, &err)) == NULL)
		fatalx("%s:%d: %s", path, err.line, err.text);
	if (!json_is_object(j))
		fatalx("%s: the configuration must be a JSON object", path);
	return j;
}

/* Applies a validated BOOT body. */
static void
apply_boot(struct eip_worker *w, const json_t *b)
{
	enum log_level lvl;
	enum log_format fmt;

	if (log_level_parse(eip_str(b, "log_level"), &lvl) == 0)
		log_set_level(lvl);
	if (log_format_parse(eip_str(b, "log_format"), &fmt) == 0)
		log_set_format(fmt);
	w->instance = (int)eip_int(b, "instance", 0);
	free(w->run_dir);
	w->run_dir = xstrdup(eip_str(b, "run_dir"));
	sandbox_mode_parse(eip_str(b, "sandbox"), &w->sandbox);
	w->debug_attachable = eip_bool(b, "debug_attachable", 0);
	w->heartbeat_ms = (int)eip_int(b, "heartbeat_ms", 1000);
	json_decref(w->config);
	w->config = json_incref(json_object_get(b, "config"));
	if (!json_is_object(w->config)) {
		json_decref(w->config);
		w->config = json_object();
	}
}

static void
debug_reply(struct eip_worker *w, int ok, const char *error, json_t *result)
{
	uint8_t hdr[EIP_HDR_LEN];
	struct zev_frame f[2];
	char err[256], *buf;
	size_t len;
	json_t *rep;

	rep = json_pack("{s:b}", "ok", ok);
	if (error != NULL)
		json_object_set_new(rep, "error", json_string(error));
	if (result != NULL)
		json_object_set_new(rep, "result", result);
	if (eip_msg_encode(EIP_MSG_DEBUG_REP, 0, 0, rep, hdr, &buf, &len, err,
	    sizeof(err)) == -1) {
		json_decref(rep);
		rep = json_pack("{s:b,s:s}", "ok", 0, "error",
		    "reply could not be encoded");
		if (eip_msg_encode(EIP_MSG_DEBUG_REP, 0, 0, rep, hdr, &buf,
		    &len, err, sizeof(err)) == -1)
			fatalx("debug: %s", err);
	}
	json_decref(rep);
	f[0].data = hdr;
	f[0].len = sizeof(hdr);
	f[1].data = buf;
	f[1].len = len;
	/* A REP socket must answer every request, or it stops receiving. */
	if (zev_send(w->debug_zev, f, 2) == -1)
		log_warn("debug: reply not sent: %s", zmq_strerror(errno));
	free(buf);
}

static json_t *
worker_status(struct eip_worker *w)
{
	json_t *st = json_pack("{s:s,s:s,s:i,s:b,s:s}", "role",
	    eip_role_name(w->role), "name", w->name, "pid", (int)getpid(),
	    "ready", w->ready, "state", w->state);

	if (w->status_fn != NULL) {
		json_t *d = w->status_fn(w, w->status_arg);

		if (d != NULL)
			json_object_set_new(st, "detail", d);
	}
	return st;
}

static void
debug_request(struct zev *z, const struct zev_frame *f, int n, void *arg)
{
	struct eip_worker *w = arg;
	struct eip_msg m;
	enum log_level lvl;
	const char *cmd;
	json_t *args, *result = NULL;
	char err[512];
	uint64_t last;

	if (n != 2) {
		debug_reply(w, 0, "expected a header and a body frame", NULL);
		return;
	}
	if (eip_msg_decode(f[0].data, f[0].len, f[1].data, f[1].len, w->role,
	    &m, err, sizeof(err)) == -1) {
		debug_reply(w, 0, err, NULL);
		return;
	}
	if (m.type != EIP_MSG_DEBUG_REQ) {
		debug_reply(w, 0, "only DEBUG_REQ is served here", NULL);
		eip_msg_clear(&m);
		return;
	}
	cmd = eip_str(m.body, "cmd");
	args = json_object_get(m.body, "args");
	if (strcmp(cmd, "log-level") == 0) {
		if (log_level_parse(eip_str(args, "level"), &lvl) == -1)
			debug_reply(w, 0, "args.level: unknown level", NULL);
		else {
			log_set_level(lvl);
			log_info("log level set to %s", log_level_name(lvl));
			debug_reply(w, 1, NULL, json_pack("{s:s}", "level",
			    log_level_name(lvl)));
		}
	} else if (strcmp(cmd, "trace") == 0) {
		json_t *since = json_object_get(args, "since");
		json_int_t s = json_is_integer(since) ?
		    json_integer_value(since) : 0;

		/* Tracing starts with the first attach and stays on. */
		zmsg_trace_enable(1);
		result = json_object();
		json_object_set_new(result, "entries",
		    zmsg_trace_since(s < 0 ? 0 : (uint64_t)s, &last));
		json_object_set_new(result, "last", json_integer((json_int_t)last));
		json_object_set_new(result, "status", worker_status(w));
		debug_reply(w, 1, NULL, result);
	} else if (strcmp(cmd, "dump") == 0 && w->debug_fn == NULL) {
		debug_reply(w, 1, NULL, worker_status(w));
	} else if (w->debug_fn != NULL) {
		err[0] = '\0';
		if (w->debug_fn(w, cmd, args, &result, err, sizeof(err),
		    w->debug_arg) == -1)
			debug_reply(w, 0, err[0] ? err : "command failed", NULL);
		else
			debug_reply(w, 1, NULL, result);
	} else
		debug_reply(w, 0, "command not supported by this role", NULL);
	eip_msg_clear(&m);
}

static void
begin_shutdown(struct eip_worker *w, const char *why)
{
	if (w->stopping)
		return;
	w->stopping = 1;
	log_info("shutting down: %s", why);
	if (w->shutdown_fn != NULL)
		w->shutdown_fn(w, w->shutdown_arg);
	else
		worker_stop(w, 0);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct eip_worker *w = arg;

	if (sig == SIGPIPE)
		return;
	begin_shutdown(w, sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void
on_lifeline_msg(struct lifeline *l, struct eip_msg *m, void *arg)
{
	struct eip_worker *w = arg;
	enum log_level lvl;

	switch (m->type) {
	case EIP_MSG_SET_LOG_LEVEL:
		if (log_level_parse(eip_str(m->body, "level"), &lvl) == 0) {
			log_set_level(lvl);
			log_info("log level set to %s", log_level_name(lvl));
		}
		break;
	case EIP_MSG_HEARTBEAT:
		break;
	default:
		if (w->lifeline_fn != NULL)
			w->lifeline_fn(w, m, w->lifeline_arg);
		else
			log_debug("lifeline: ignoring %s",
			    eip_msg_name(m->type));
	}
}

static void
on_lifeline_eof(struct lifeline *l, void *arg)
{
	struct eip_worker *w = arg;

	/* The supervisor is gone: a worker never outlives it. */
	log_warn("lifeline closed by the supervisor");
	w->exit_code = 1;
	begin_shutdown(w, "supervisor gone");
}

/*
 * A burst (a cold start, a relist) leaves the heap with megabytes that
 * are free but still resident: glibc only trims the very top.  Once the
 * free part has grown by TRIM_STEP since the last look, give its whole
 * pages back to the kernel (madvise), so the resident size follows the
 * live state rather than its high-water mark.
 */
static void
worker_trim(struct eip_worker *w)
{
#ifdef __GLIBC__
	struct mallinfo2 mi = mallinfo2();

	if (mi.fordblks < w->trim_free)
		w->trim_free = mi.fordblks;
	if (mi.fordblks < w->trim_free + TRIM_STEP)
		return;
	w->trim_free = mi.fordblks;
	malloc_trim(0);
#else
	(void)w;
#endif
}

static void
on_heartbeat(evutil_socket_t fd, short what, void *arg)
{
	struct eip_worker *w = arg;
	json_t *b, *d;

	worker_trim(w);
	if (w->ll == NULL)
		return;
	b = json_pack("{s:I,s:s}", "seq", (json_int_t)++w->hb_seq, "state",
	    w->state);
	if (w->status_fn != NULL && (d = w->status_fn(w, w->status_arg)) != NULL)
		json_object_set_new(b, "detail", d);
	if (lifeline_send(w->ll, EIP_MSG_HEARTBEAT, 0, b) == -1 &&
	    errno != EAGAIN)
		log_debug("heartbeat not sent: %s", strerror(errno));
	json_decref(b);
}

static int
open_debug_socket(struct eip_worker *w)
{
	char path[4096], *ep;

	snprintf(path, sizeof(path), "%s/%s.debug.sock", w->run_dir, w->name);
	unlink(path);		/* stale socket of a previous incarnation */
	if ((w->debug_sock = zmq_socket(w->zctx, ZMQ_REP)) == NULL ||
	    zsock_setup(w->debug_sock) == -1)
		return -1;
	ep = worker_endpoint(w, strrchr(path, '/') + 1);
	if (zmq_bind(w->debug_sock, ep) == -1) {
		log_error("cannot bind %s: %s", ep, zmq_strerror(errno));
		free(ep);
		return -1;
	}
	free(ep);
	w->debug_zev = zev_new(w->base, w->debug_sock, debug_request, w);
	return w->debug_zev == NULL ? -1 : 0;
}

int
worker_init(struct eip_worker *w, enum eip_role role,
    const struct sandbox_policy *policy, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "standalone", no_argument, NULL, 'S' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "instance", required_argument, NULL, 'i' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "log-format", required_argument, NULL, 'f' },
		{ "sandbox", required_argument, NULL, 's' },
		{ "debug-attachable", no_argument, NULL, 'd' },
		{ "sandbox-dump", no_argument, NULL, 'D' },
		{ "sandbox-test", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum log_level lvl = LOG_LVL_INFO;
	enum log_format fmt = LOG_FMT_TEXT;
	const char *config_file = NULL;
	struct eip_msg boot;
	char err[512];
	int c, i, sigs[3] = { SIGTERM, SIGINT, SIGPIPE };

	/*
	 * One malloc arena: libzmq's I/O and reaper threads would otherwise
	 * get arenas of their own, each holding pages for a few small
	 * messages.  Our threads never contend on malloc.
	 */
#ifdef __GLIBC__
	mallopt(M_ARENA_MAX, 1);
#endif
	memset(w, 0, sizeof(*w));
	w->role = role;
	w->policy = policy;
	w->heartbeat_ms = 1000;
	snprintf(w->state, sizeof(w->state), "starting");
	log_init(eip_role_name(role), LOG_FMT_TEXT, LOG_LVL_INFO);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			w->standalone = 1;
			break;
		case 'r':
			free(w->run_dir);
			w->run_dir = xstrdup(optarg);
			break;
		case 'c':
			config_file = optarg;
			break;
		case 'i':
			w->instance = atoi(optarg);
			break;
		case 'l':
			if (log_level_parse(optarg, &lvl) == -1)
				usage(argv[0]);
			break;
		case 'f':
			if (log_format_parse(optarg, &fmt) == -1)
				usage(argv[0]);
			break;
		case 's':
			if (sandbox_mode_parse(optarg, &w->sandbox) == -1)
				usage(argv[0]);
			break;
		case 'd':
			w->debug_attachable = 1;
			break;
		case 'D':
			w->sandbox_dump = 1;
			break;
		case 'T':
			w->sandbox_test = xstrdup(optarg);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc)
		usage(argv[0]);
	log_set_level(lvl);
	log_set_format(fmt);

	if (w->standalone) {
		if (w->run_dir == NULL)
			fatalx("--standalone needs --run-dir");
		if (mkdir(w->run_dir, 0700) == -1 && errno != EEXIST)
			fatal("mkdir %s", w->run_dir);
		w->config = config_file != NULL ? load_json_file(config_file) :
		    json_object();
	} else if (!w->sandbox_dump) {
		if (fcntl(LIFELINE_FD, F_GETFD) == -1)
			fatalx("no lifeline on fd %d: start me from eipamd, or "
			    "use --standalone", LIFELINE_FD);
		if (lifeline_read(LIFELINE_FD, role, BOOT_TIMEOUT_MS, &boot,
		    err, sizeof(err)) == -1)
			fatalx("reading BOOT: %s", err);
		if (boot.type != EIP_MSG_BOOT)
			fatalx("expected BOOT, got %s", eip_msg_name(boot.type));
		if (strcmp(eip_str(boot.body, "role"), eip_role_name(role)) != 0)
			fatalx("BOOT is for role %s", eip_str(boot.body, "role"));
		apply_boot(w, boot.body);
		eip_msg_clear(&boot);
		/* The supervisor's death ends us even if fd 3 lingers. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) == -1)
			fatal("PR_SET_PDEATHSIG");
		if (getppid() == 1)
			fatalx("supervisor gone before start");
	}
	if (role == EIP_ROLE_CLOUDWORKER)
		snprintf(w->name, sizeof(w->name), "%s-%d",
		    eip_role_name(role), w->instance);
	else
		snprintf(w->name, sizeof(w->name), "%s", eip_role_name(role));
	log_set_role(w->name);
	if (w->config == NULL)
		w->config = json_object();
	if (w->sandbox_dump) {
		sandbox_dump(policy, NULL, stdout);
		printf("  (and the paths the role's configuration names)\n");
		exit(0);
	}

	if ((w->base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((w->zctx = zmq_ctx_new()) == NULL)
		fatal("zmq_ctx_new");
	if (open_debug_socket(w) == -1)
		fatalx("cannot open the debug socket in %s", w->run_dir);
	if (!w->standalone) {
		w->ll = lifeline_new(w->base, LIFELINE_FD, role,
		    EIP_ROLE_SUPERVISOR, on_lifeline_msg, on_lifeline_eof, w);
		if (w->ll == NULL)
			fatalx("lifeline setup failed");
	}
	for (i = 0; i < 3; i++) {
		w->sig_ev[i] = evsignal_new(w->base, sigs[i], on_signal, w);
		if (w->sig_ev[i] == NULL || event_add(w->sig_ev[i], NULL) == -1)
			fatalx("signal setup failed");
	}
	return 0;
}

char *
worker_endpoint(const struct eip_worker *w, const char *file)
{
	char *ep;

	xasprintf(&ep, "ipc://%s/%s", w->run_dir, file);
	return ep;
}

/* Things a role must not be able to do, for tests (see --sandbox-test). */
static void
sandbox_selftest(struct eip_worker *w)
{
	const char *a = w->sandbox_test;
	int fd;

	printf("sandbox-test %s: trying\n", a);
	fflush(stdout);
	if (strcmp(a, "socket-inet") == 0)
		fd = socket(AF_INET, SOCK_STREAM, 0);
	else if (strcmp(a, "execve") == 0) {
		char *const av[] = { (char *)"/bin/true", NULL };

		fd = execve("/bin/true", av, NULL);
	} else if (strcmp(a, "ptrace") == 0)
		fd = (int)ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	else if (strcmp(a, "fork") == 0)
		fd = fork();
	else if (strncmp(a, "open:", 5) == 0) {
		fd = open(a + 5, O_RDONLY | O_CLOEXEC);
		printf("sandbox-test %s: %s\n", a, fd == -1 ? strerror(errno) :
		    "opened");
		exit(fd == -1 ? 3 : 0);
	} else
		fatalx("unknown --sandbox-test action %s", a);
	printf("sandbox-test %s: survived (%d)\n", a, fd);
	exit(0);
}

int
worker_sandbox(struct eip_worker *w, const char *const *extra)
{
	char err[512];

	if (sandbox_apply(w->policy, extra, w->sandbox, w->debug_attachable, err,
	    sizeof(err)) == -1) {
		log_error("sandbox: %s", err);
		return -1;
	}
	if (w->sandbox_test != NULL)
		sandbox_selftest(w);
	return 0;
}

int
worker_ready(struct eip_worker *w)
{
	struct timeval tv;
	json_t *b;

	w->ready = 1;
	snprintf(w->state, sizeof(w->state), "running");
	if (w->ll != NULL) {
		b = json_pack("{s:i,s:i}", "pid", (int)getpid(), "proto",
		    EIP_PROTO_VERSION);
		if (lifeline_send(w->ll, EIP_MSG_READY, 0, b) == -1) {
			json_decref(b);
			return -1;
		}
		json_decref(b);
		w->hb_ev = event_new(w->base, -1, EV_PERSIST, on_heartbeat, w);
		tv.tv_sec = w->heartbeat_ms / 1000;
		tv.tv_usec = (w->heartbeat_ms % 1000) * 1000;
		event_add(w->hb_ev, &tv);
	}
	log_info("ready (pid %d)", (int)getpid());
	return 0;
}

void
worker_set_state(struct eip_worker *w, const char *state)
{
	snprintf(w->state, sizeof(w->state), "%s", state);
}

void
worker_on_debug(struct eip_worker *w, worker_debug_fn fn, void *arg)
{
	w->debug_fn = fn;
	w->debug_arg = arg;
}

void
worker_on_shutdown(struct eip_worker *w, worker_shutdown_fn fn, void *arg)
{
	w->shutdown_fn = fn;
	w->shutdown_arg = arg;
}

void
worker_on_lifeline(struct eip_worker *w, worker_lifeline_fn fn, void *arg)
{
	w->lifeline_fn = fn;
	w->lifeline_arg = arg;
}

void
worker_on_status(struct eip_worker *w, worker_status_fn fn, void *arg)
{
	w->status_fn = fn;
	w->status_arg = arg;
}

void
worker_stop(struct eip_worker *w, int exit_code)
{
	if (exit_code != 0 || w->exit_code == 0)
		w->exit_code = exit_code;
	event_base_loopexit(w->base, NULL);
}

int
worker_run(struct eip_worker *w)
{
	int i;

	event_base_dispatch(w->base);
	/* A second SIGTERM during cleanup must not turn into a kill. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	for (i = 0; i < 3; i++)
		if (w->sig_ev[i] != NULL)
			event_free(w->sig_ev[i]);
	if (w->hb_ev != NULL)
		event_free(w->hb_ev);
	zev_free(w->debug_zev);
	zmq_close(w->debug_sock);
	lifeline_free(w->ll);
	log_info("exiting (%d)", w->exit_code);
	json_decref(w->config);
	w->config = NULL;
	free(w->run_dir);
	w->run_dir = NULL;
	free(w->sandbox_test);
	w->sandbox_test = NULL;
	return w->exit_code;
}

const char *
worker_cfg_str(const struct eip_worker *w, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(w->config, key));

	return s != NULL ? s : def;
}

long long
worker_cfg_int(const struct eip_worker *w, const char *key, long long def)
{
	json_t *v = json_object_get(w->config, key);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

int
worker_cfg_bool(const struct eip_worker *w, const char *key, int def)
{
	json_t *v = json_object_get(w->config, key);

	return json_is_boolean(v) ? json_is_true(v) : def;
}
