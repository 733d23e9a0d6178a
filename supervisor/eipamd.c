/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipamd: the supervisor.  It parses the configuration, creates the run
 * directory, starts every worker role with its lifeline, restarts the ones
 * that die (restart.h), kills hung ones, serves eipamctl on the control
 * socket, feeds metricsd with process figures, and on SIGTERM stops every
 * worker within --shutdown-timeout and exits 0.  It holds no secret and
 * never speaks to the network.
 */
#include <sys/stat.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "lifeline.h"
#include "log.h"
#include "supervisor.h"
#include "xmalloc.h"

#define STATS_INTERVAL	5

static struct supervisor sup;

double
sup_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
on_shutdown_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct supervisor *s = arg;

	log_warn("workers still running after %d s: killing them",
	    s->opt.shutdown_timeout);
	child_stop_all(s, SIGKILL);
}

void
sup_shutdown(struct supervisor *s, int exit_code, const char *why)
{
	struct timeval tv;

	if (exit_code != 0)
		s->exit_code = exit_code;
	if (s->shutting_down)
		return;
	s->shutting_down = 1;
	log_info("shutting down: %s", why);
	child_stop_all(s, SIGTERM);
	if (child_all_gone(s)) {
		event_base_loopexit(s->base, NULL);
		return;
	}
	tv.tv_sec = s->opt.shutdown_timeout;
	tv.tv_usec = 0;
	s->shutdown_ev = evtimer_new(s->base, on_shutdown_timeout, s);
	evtimer_add(s->shutdown_ev, &tv);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct supervisor *s = arg;

	switch (sig) {
	case SIGCHLD:
		child_reap(s);
		if (s->shutting_down && child_all_gone(s))
			event_base_loopexit(s->base, NULL);
		break;
	case SIGTERM:
	case SIGINT:
		sup_shutdown(s, 0, sig == SIGTERM ? "SIGTERM" : "SIGINT");
		break;
	default:
		break;
	}
}

static void
on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	child_watchdog(arg);
}

static void
on_stats(evutil_socket_t fd, short what, void *arg)
{
	struct supervisor *s = arg;
	json_t *stats;
	int i;

	for (i = 0; i < s->nchildren; i++) {
		struct child *c = &s->children[i];

		if (c->role != EIP_ROLE_METRICSD || c->ll == NULL ||
		    c->state != CHILD_READY)
			continue;
		stats = procstat_collect(s);
		if (lifeline_send(c->ll, EIP_MSG_PROC_STATS, 0, stats) == -1)
			log_debug("PROC_STATS: %s", strerror(errno));
		json_decref(stats);
	}
}

static void
add_children(struct supervisor *s)
{
	static const enum eip_role order[] = {
		EIP_ROLE_ALLOCATOR, EIP_ROLE_WATCHER, EIP_ROLE_CLOUDWORKER,
		EIP_ROLE_METRICSD
	};
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct child *c;

		if (!(s->opt.roles & (1u << order[i])))
			continue;
		c = &s->children[s->nchildren++];
		c->sup = s;
		c->role = order[i];
		c->instance = 0;
		if (c->role == EIP_ROLE_CLOUDWORKER)
			snprintf(c->name, sizeof(c->name), "cloudworker-0");
		else
			snprintf(c->name, sizeof(c->name), "%s",
			    eip_role_name(c->role));
	}
}

int
main(int argc, char **argv)
{
	struct supervisor *s = &sup;
	struct event *sig_ev[4];
	int sigs[4] = { SIGCHLD, SIGTERM, SIGINT, SIGPIPE };
	enum log_level lvl;
	enum log_format fmt;
	struct timeval tv;
	char err[512];
	int i;

	log_init("supervisor", LOG_FMT_TEXT, LOG_LVL_INFO);
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		options_usage(stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("eipamd %s (protocol %d)\n", PACKAGE_VERSION,
		    EIP_PROTO_VERSION);
		return 0;
	}
	options_init(&s->opt);
	if (options_parse(&s->opt, argc, argv, err, sizeof(err)) == -1) {
		fprintf(stderr, "eipamd: %s\n", err);
		options_usage(stderr);
		return 2;
	}
	if (log_level_parse(s->opt.log_level, &lvl) == 0)
		log_set_level(lvl);
	if (log_format_parse(s->opt.log_format, &fmt) == 0)
		log_set_format(fmt);
	restart_policy_default(&s->policy);
	s->policy.throttle = s->opt.throttle;
	srandom((unsigned)(time(NULL) ^ getpid()));

	/*
	 * Sockets and files we create are ours alone (the workers inherit
	 * this).  The run directory is 0700 when we own it; in a pod it may
	 * be an emptyDir owned by root (mode 0777), which we cannot chmod:
	 * then the 0600/0700 sockets themselves keep other users out.
	 */
	umask(077);
	if (mkdir(s->opt.run_dir, 0700) == -1 && errno != EEXIST)
		fatal("mkdir %s", s->opt.run_dir);
	if (chmod(s->opt.run_dir, 0700) == -1) {
		if (errno != EPERM)
			fatal("chmod %s", s->opt.run_dir);
		log_warn("run directory %s is not ours; relying on the "
		    "sockets' own permissions (0600)", s->opt.run_dir);
	}
	if ((s->base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	s->started = sup_now();
	for (i = 0; i < 4; i++) {
		sig_ev[i] = evsignal_new(s->base, sigs[i], on_signal, s);
		if (sig_ev[i] == NULL || event_add(sig_ev[i], NULL) == -1)
			fatalx("signal setup failed");
	}
	if (control_open(s) == -1)
		fatalx("cannot open the control socket in %s", s->opt.run_dir);

	add_children(s);
	log_info("eipamd %s starting %d workers from %s (run dir %s)",
	    PACKAGE_VERSION, s->nchildren, s->opt.libexec_dir, s->opt.run_dir);
	for (i = 0; i < s->nchildren; i++)
		if (child_spawn(s, &s->children[i]) == -1)
			fatalx("cannot start %s", s->children[i].name);

	s->watchdog_ev = event_new(s->base, -1, EV_PERSIST, on_watchdog, s);
	tv.tv_sec = 0;
	tv.tv_usec = 500000;
	event_add(s->watchdog_ev, &tv);
	s->stats_ev = event_new(s->base, -1, EV_PERSIST, on_stats, s);
	tv.tv_sec = STATS_INTERVAL;
	tv.tv_usec = 0;
	event_add(s->stats_ev, &tv);

	event_base_dispatch(s->base);

	child_reap(s);
	control_close(s);
	log_info("exiting (%d)", s->exit_code);
	options_free(&s->opt);
	return s->exit_code;
}
