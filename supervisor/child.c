/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Worker children: fork + exec with the lifeline on fd 3, a clean
 * environment per role, BOOT, READY/heartbeats, reaping with clear death
 * logs, restarts by the policy of restart.h, and killing hung children.
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "lifeline.h"
#include "log.h"
#include "supervisor.h"
#include "xmalloc.h"

#define START_TIMEOUT	30.0	/* BOOT to READY */

extern char **environ;

const char *
child_state_name(enum child_state s)
{
	switch (s) {
	case CHILD_DOWN:	return "down";
	case CHILD_STARTING:	return "starting";
	case CHILD_READY:	return "ready";
	case CHILD_STOPPING:	return "stopping";
	}
	return "unknown";
}

/*
 * Only what a role needs crosses exec: nothing by default, the
 * in-cluster API variables for the watcher, the cloud ones for the
 * cloudworker alone.
 */
static char **
role_env(enum eip_role role)
{
	static const char *const watcher_vars[] = {
		"KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT",
		"HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy",
		"HOSTNAME", "POD_NAME", NULL
	};
	static const char *const cloud_prefixes[] = {
		"AWS_", "AZURE_", "HTTPS_PROXY=", "https_proxy=", "NO_PROXY=",
		"no_proxy=", NULL
	};
	char **env, **e;
	size_t n = 0, i;

	for (e = environ; *e != NULL; e++)
		n++;
	env = xcalloc(n + 2, sizeof(*env));
	n = 0;
	env[n++] = xstrdup("LC_ALL=C");
	for (e = environ; *e != NULL; e++) {
		if (role == EIP_ROLE_WATCHER) {
			for (i = 0; watcher_vars[i] != NULL; i++) {
				size_t l = strlen(watcher_vars[i]);

				if (strncmp(*e, watcher_vars[i], l) == 0 &&
				    (*e)[l] == '=')
					env[n++] = xstrdup(*e);
			}
		} else if (role == EIP_ROLE_CLOUDWORKER) {
			for (i = 0; cloud_prefixes[i] != NULL; i++)
				if (strncmp(*e, cloud_prefixes[i],
				    strlen(cloud_prefixes[i])) == 0) {
					env[n++] = xstrdup(*e);
					break;
				}
		}
	}
	env[n] = NULL;
	return env;
}

static void
free_env(char **env)
{
	char **e;

	for (e = env; *e != NULL; e++)
		free(*e);
	free(env);
}

static json_t *
boot_body(const struct supervisor *s, const struct child *c)
{
	return json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:b,s:i,s:o}",
	    "role", eip_role_name(c->role), "instance", c->instance,
	    "run_dir", s->opt.run_dir, "log_level", s->opt.log_level,
	    "log_format", s->opt.log_format, "sandbox", s->opt.sandbox,
	    "debug_attachable", s->opt.debug_attachable,
	    "heartbeat_ms", s->opt.heartbeat_ms,
	    "config", options_role_config(&s->opt, c->role));
}

static void
on_child_msg(struct lifeline *l, struct eip_msg *m, void *arg)
{
	struct child *c = arg;

	switch (m->type) {
	case EIP_MSG_READY:
		if (c->state == CHILD_STARTING) {
			c->state = CHILD_READY;
			c->ready_at = c->last_heartbeat = sup_now();
			log_info("%s[%d] ready", c->name, (int)c->pid);
		}
		break;
	case EIP_MSG_HEARTBEAT:
		c->last_heartbeat = sup_now();
		json_decref(c->detail);
		c->detail = json_incref(json_object_get(m->body, "detail"));
		break;
	default:
		log_warn("%s[%d] sent %s on the lifeline; ignored", c->name,
		    (int)c->pid, eip_msg_name(m->type));
	}
}

static void
on_child_eof(struct lifeline *l, void *arg)
{
	struct child *c = arg;

	/* The child closed fd 3 but may still run: make sure it is gone. */
	if (c->pid > 0) {
		log_warn("%s[%d] closed its lifeline", c->name, (int)c->pid);
		kill(c->pid, SIGKILL);
	}
}

int
child_spawn(struct supervisor *s, struct child *c)
{
	char path[4096], prog[64];
	char *const argv[] = { prog, NULL };
	char **env;
	json_t *boot;
	int sv[2];
	pid_t pid;

	snprintf(prog, sizeof(prog), "eipam-%s", eip_role_name(c->role));
	snprintf(path, sizeof(path), "%s/%s", s->opt.libexec_dir, prog);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_error("socketpair: %s", strerror(errno));
		return -1;
	}
	env = role_env(c->role);
	switch ((pid = fork())) {
	case -1:
		log_error("fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		free_env(env);
		return -1;
	case 0:
		/* Child: fd 3 is the lifeline, nothing else survives exec. */
		if (sv[1] == LIFELINE_FD) {
			if (fcntl(LIFELINE_FD, F_SETFD, 0) == -1)
				_exit(127);
		} else if (dup2(sv[1], LIFELINE_FD) == -1)
			_exit(127);
		close_range(LIFELINE_FD + 1, ~0U, 0);
		{
			sigset_t set;

			sigemptyset(&set);
			sigprocmask(SIG_SETMASK, &set, NULL);
			signal(SIGPIPE, SIG_DFL);
			signal(SIGCHLD, SIG_DFL);
		}
		execve(path, argv, env);
		dprintf(2, "eipamd: exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	free_env(env);
	close(sv[1]);
	c->pid = pid;
	c->state = CHILD_STARTING;
	c->started = c->last_heartbeat = sup_now();
	c->ll = lifeline_new(s->base, sv[0], EIP_ROLE_SUPERVISOR, c->role,
	    on_child_msg, on_child_eof, c);
	if (c->ll == NULL) {
		close(sv[0]);
		kill(pid, SIGKILL);
		return -1;
	}
	boot = boot_body(s, c);
	if (lifeline_write(sv[0], EIP_MSG_BOOT, 0, boot) == -1)
		log_warn("BOOT to %s[%d]: %s", c->name, (int)pid,
		    strerror(errno));
	json_decref(boot);
	log_info("started %s[%d]", c->name, (int)pid);
	return 0;
}

static void
restart_cb(evutil_socket_t fd, short what, void *arg)
{
	struct child *c = arg;
	struct supervisor *s = c->sup;

	if (s->shutting_down || c->state != CHILD_DOWN)
		return;
	c->restarts++;
	if (child_spawn(s, c) == -1)
		sup_shutdown(s, 1, "cannot start a worker");
}

static double
jitter01(void)
{
	return (double)random() / ((double)RAND_MAX + 1.0);
}

static void
describe_exit(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d%s", WTERMSIG(status),
		    WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "stopped (status %#x)", status);
}

static void
child_died(struct supervisor *s, struct child *c, int status)
{
	struct timeval tv;
	char why[128];
	double delay;
	int was_ready = c->state == CHILD_READY;
	int external = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;

	describe_exit(status, c->last_exit, sizeof(c->last_exit));
	log_warn("lost child: %s[%d] %s", c->name, (int)c->pid, c->last_exit);
	lifeline_free(c->ll);
	c->ll = NULL;
	c->pid = 0;
	json_decref(c->detail);
	c->detail = NULL;
	if (s->shutting_down || c->state == CHILD_STOPPING) {
		c->state = CHILD_DOWN;
		return;
	}
	c->state = CHILD_DOWN;
	if (WIFEXITED(status) && WEXITSTATUS(status) == EIP_EXIT_POD_FATAL) {
		sup_shutdown(s, 1, "a worker asked for the pod to end");
		return;
	}
	delay = restart_on_death(&c->rs, &s->policy, sup_now(), was_ready,
	    external, jitter01(), why, sizeof(why));
	if (delay < 0) {
		log_error("%s keeps dying (%s): giving up", c->name, why);
		sup_shutdown(s, 1, "restart limit reached");
		return;
	}
	log_info("restarting %s in %.2f s (%s)", c->name, delay, why);
	if (c->restart_ev == NULL)
		c->restart_ev = evtimer_new(s->base, restart_cb, c);
	tv.tv_sec = (time_t)delay;
	tv.tv_usec = (suseconds_t)((delay - (double)tv.tv_sec) * 1e6);
	evtimer_add(c->restart_ev, &tv);
}

void
child_reap(struct supervisor *s)
{
	pid_t pid;
	int status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < s->nchildren; i++)
			if (s->children[i].pid == pid)
				break;
		if (i == s->nchildren) {
			log_debug("reaped unknown pid %d", (int)pid);
			continue;
		}
		child_died(s, &s->children[i], status);
	}
}

void
child_watchdog(struct supervisor *s)
{
	double now = sup_now(), hang = (double)s->opt.hang_timeout;
	struct child *c;
	int i;

	for (i = 0; i < s->nchildren; i++) {
		c = &s->children[i];
		if (c->pid <= 0)
			continue;
		if (c->state == CHILD_STARTING && now - c->started >
		    START_TIMEOUT) {
			log_warn("%s[%d] not READY after %.0f s: killing it",
			    c->name, (int)c->pid, START_TIMEOUT);
			kill(c->pid, SIGKILL);
		} else if (c->state == CHILD_READY &&
		    now - c->last_heartbeat > hang) {
			log_warn("%s[%d] hung: no heartbeat for %.1f s; "
			    "killing it", c->name, (int)c->pid,
			    now - c->last_heartbeat);
			kill(c->pid, SIGKILL);
		}
	}
}

void
child_stop_all(struct supervisor *s, int sig)
{
	int i;

	for (i = 0; i < s->nchildren; i++) {
		struct child *c = &s->children[i];

		if (c->restart_ev != NULL)
			evtimer_del(c->restart_ev);
		if (c->pid > 0) {
			if (sig == SIGTERM)
				c->state = CHILD_STOPPING;
			kill(c->pid, sig);
		}
	}
}

int
child_all_gone(const struct supervisor *s)
{
	int i;

	for (i = 0; i < s->nchildren; i++)
		if (s->children[i].pid > 0)
			return 0;
	return 1;
}

void
child_set_log_level(struct supervisor *s, const char *role, const char *level)
{
	json_t *b = json_pack("{s:s}", "level", level);
	int i;

	for (i = 0; i < s->nchildren; i++) {
		struct child *c = &s->children[i];

		if (c->ll == NULL || (strcmp(role, "all") != 0 &&
		    strcmp(role, eip_role_name(c->role)) != 0 &&
		    strcmp(role, c->name) != 0))
			continue;
		if (lifeline_send(c->ll, EIP_MSG_SET_LOG_LEVEL, 0, b) == -1)
			log_warn("log level to %s: %s", c->name,
			    strerror(errno));
	}
	json_decref(b);
}
