/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket (run_dir/control.sock) that eipamctl talks to:
 * newline-delimited JSON requests and replies.  Callers are checked with
 * SO_PEERCRED (same user or root).  A malformed request gets an error
 * reply and the connection is closed; the supervisor carries on.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "log.h"
#include "supervisor.h"
#include "xmalloc.h"

#define CONTROL_LINE_MAX	65536
#define CONTROL_CLIENTS_MAX	32

static int nclients;

static void
send_json(struct bufferevent *bev, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	if (s != NULL) {
		bufferevent_write(bev, s, strlen(s));
		bufferevent_write(bev, "\n", 1);
		free(s);
	}
	json_decref(j);
}

static void
client_close(struct bufferevent *bev)
{
	nclients--;
	bufferevent_free(bev);
}

static void
close_after_write(struct bufferevent *bev, void *arg)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		client_close(bev);
}

/* Error reply, then the connection closes once the reply is flushed. */
static void
fail_and_close(struct bufferevent *bev, const char *msg)
{
	send_json(bev, json_pack("{s:b,s:s}", "ok", 0, "error", msg));
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, close_after_write, NULL, NULL);
}

json_t *
control_status(const struct supervisor *s)
{
	json_t *roles = json_array();
	double now = sup_now();
	int i;

	for (i = 0; i < s->nchildren; i++) {
		const struct child *c = &s->children[i];
		json_t *r = json_pack("{s:s,s:s,s:i,s:s,s:I,s:f}",
		    "role", eip_role_name(c->role), "name", c->name,
		    "pid", (int)c->pid, "state", child_state_name(c->state),
		    "restarts", (json_int_t)c->restarts,
		    "uptime", c->pid > 0 ? now - c->started : 0.0);

		if (c->last_exit[0] != '\0')
			json_object_set_new(r, "last_exit",
			    json_string(c->last_exit));
		if (c->detail != NULL)
			json_object_set(r, "detail", c->detail);
		json_array_append_new(roles, r);
	}
	return json_pack("{s:i,s:f,s:s,s:b,s:o}", "pid", (int)getpid(),
	    "uptime", now - s->started, "run_dir", s->opt.run_dir,
	    "shutting_down", s->shutting_down, "roles", roles);
}

static void
handle_line(struct supervisor *s, struct bufferevent *bev, const char *line)
{
	json_error_t jerr;
	json_t *req, *v;
	const char *cmd, *k, *role, *level;
	char err[256];

	req = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL || !json_is_object(req)) {
		snprintf(err, sizeof(err), "malformed request: %s",
		    req == NULL ? jerr.text : "not an object");
		json_decref(req);
		fail_and_close(bev, err);
		return;
	}
	json_object_foreach(req, k, v) {
		if (strcmp(k, "cmd") != 0 && strcmp(k, "role") != 0 &&
		    strcmp(k, "level") != 0) {
			snprintf(err, sizeof(err), "unknown key '%.64s'", k);
			json_decref(req);
			fail_and_close(bev, err);
			return;
		}
		if (!json_is_string(v)) {
			snprintf(err, sizeof(err), "'%.64s' must be a string", k);
			json_decref(req);
			fail_and_close(bev, err);
			return;
		}
	}
	cmd = json_string_value(json_object_get(req, "cmd"));
	if (cmd == NULL) {
		json_decref(req);
		fail_and_close(bev, "missing 'cmd'");
		return;
	}
	if (strcmp(cmd, "status") == 0) {
		send_json(bev, json_pack("{s:b,s:o}", "ok", 1, "result",
		    control_status(s)));
	} else if (strcmp(cmd, "ping") == 0) {
		send_json(bev, json_pack("{s:b,s:s}", "ok", 1, "result",
		    "pong"));
	} else if (strcmp(cmd, "log-level") == 0) {
		enum log_level lvl;

		role = json_string_value(json_object_get(req, "role"));
		level = json_string_value(json_object_get(req, "level"));
		if (role == NULL || log_level_parse(level, &lvl) == -1) {
			send_json(bev, json_pack("{s:b,s:s}", "ok", 0, "error",
			    "log-level needs 'role' and a valid 'level'"));
		} else {
			if (strcmp(role, "supervisor") == 0 ||
			    strcmp(role, "all") == 0)
				log_set_level(lvl);
			child_set_log_level(s, role, log_level_name(lvl));
			send_json(bev, json_pack("{s:b,s:{s:s,s:s}}", "ok", 1,
			    "result", "role", role, "level",
			    log_level_name(lvl)));
		}
	} else {
		snprintf(err, sizeof(err), "unknown command '%.64s'", cmd);
		send_json(bev, json_pack("{s:b,s:s}", "ok", 0, "error", err));
	}
	json_decref(req);
}

static void
client_read(struct bufferevent *bev, void *arg)
{
	struct supervisor *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len;
	char *line;

	while ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) != NULL) {
		if (len > CONTROL_LINE_MAX || memchr(line, '\0', len) != NULL) {
			free(line);
			fail_and_close(bev, "request too long or not text");
			return;
		}
		handle_line(s, bev, line);
		free(line);
		if (bufferevent_get_enabled(bev) == 0 ||
		    !(bufferevent_get_enabled(bev) & EV_READ))
			return;		/* closing */
	}
	if (evbuffer_get_length(in) > CONTROL_LINE_MAX)
		fail_and_close(bev, "request too long");
}

static void
client_event(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		client_close(bev);
}

static void
control_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct supervisor *s = arg;
	struct bufferevent *bev;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	if (nclients >= CONTROL_CLIENTS_MAX) {
		close(fd);
		return;
	}
	nclients++;
	bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		nclients--;
		close(fd);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    (cred.uid != geteuid() && cred.uid != 0)) {
		log_warn("control: refused a client (uid %d)",
		    len == sizeof(cred) ? (int)cred.uid : -1);
		bufferevent_enable(bev, EV_WRITE);
		fail_and_close(bev, "permission denied");
		return;
	}
	bufferevent_setcb(bev, client_read, NULL, client_event, s);
	bufferevent_setwatermark(bev, EV_READ, 0, CONTROL_LINE_MAX + 1);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

int
control_open(struct supervisor *s)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path),
	    "%s/control.sock", s->opt.run_dir) >= sizeof(sun.sun_path)) {
		log_error("control: run dir path too long");
		return -1;
	}
	unlink(sun.sun_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(sun.sun_path, 0600) == -1 || listen(fd, 16) == -1) {
		log_error("control: %s: %s", sun.sun_path, strerror(errno));
		close(fd);
		return -1;
	}
	s->control_fd = fd;
	s->control_ev = event_new(s->base, fd, EV_READ | EV_PERSIST,
	    control_accept, s);
	return event_add(s->control_ev, NULL);
}

void
control_close(struct supervisor *s)
{
	if (s->control_ev != NULL)
		event_free(s->control_ev);
	if (s->control_fd > 0)
		close(s->control_fd);
}
