/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test driver: runs the watcher's informers, writer and leader election
 * in one process without the allocator.  Everything the allocator would
 * receive is printed as a JSON line {"t":TYPE,"corr":N,"b":BODY} (bodies
 * are checked against the protocol schema first); writes are read from
 * stdin as lines of the same shape, plus {"t":"RESYNC"}, {"t":"STATS"}
 * and {"t":"QUIT"} (release the lease and exit 0).  Losing the lease
 * after leading exits 3, as the watcher does.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "eip_proto.h"
#include "informer.h"
#include "kclient.h"
#include "kubeconfig.h"
#include "leader.h"
#include "log.h"
#include "writer.h"
#include "xmalloc.h"

static struct event_base *base;
static struct eip_informers *inf;
static struct eip_writer *wr;
static struct eip_leader *ld;
static struct eip_kclient *kc;
static int led, invalid;

static void
out(uint16_t type, uint64_t corr, const json_t *body)
{
	char why[256], *s;
	json_t *line;

	if (eip_validate(body, eip_msg_schema(type), why, sizeof(why)) == -1) {
		invalid++;
		fprintf(stderr, "wdriver: INVALID %s body: %s\n",
		    eip_msg_name(type), why);
	}
	line = json_pack("{s:s,s:I,s:O}", "t", eip_msg_name(type), "corr",
	    (json_int_t)corr, "b", body);
	s = json_dumps(line, JSON_COMPACT);
	printf("%s\n", s);
	fflush(stdout);
	free(s);
	json_decref(line);
}

static void
sink(uint16_t type, const json_t *body, void *arg)
{
	out(type, 0, body);
}

static void
result(uint64_t corr, const json_t *body, void *arg)
{
	out(EIP_MSG_W_RESULT, corr, body);
}

static void
on_leader(int leading, const char *id, void *arg)
{
	json_t *b = json_pack("{s:b,s:s}", "leading", leading, "identity", id);

	out(EIP_MSG_LEADER, 0, b);
	json_decref(b);
	writer_set_leading(wr, leading);
	if (leading)
		led = 1;
	else if (led) {
		fprintf(stderr, "wdriver: lost the lease, exiting 3\n");
		exit(3);
	}
}

static void
released(void *arg)
{
	event_base_loopbreak(base);
}

static void
stats(void)
{
	struct eip_informer_stats st;
	json_t *b;
	char *s;

	informers_stats(inf, &st);
	b = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:i}", "t", "STATS",
	    "events", (json_int_t)st.events, "lists", (json_int_t)st.lists,
	    "watches", (json_int_t)st.watches,
	    "relists_410", (json_int_t)st.relists_410,
	    "errors", (json_int_t)st.errors,
	    "requests", (json_int_t)kclient_requests(kc),
	    "invalid", invalid);
	s = json_dumps(b, JSON_COMPACT);
	printf("%s\n", s);
	fflush(stdout);
	free(s);
	json_decref(b);
}

static void
replay(void *arg)
{
	(void)arg;
	informers_resync(inf);
}

static void
command(const char *line)
{
	json_t *j = json_loads(line, 0, NULL);
	const char *t = json_string_value(json_object_get(j, "t"));
	const json_t *b = json_object_get(j, "b");
	char why[256];
	int type;

	if (t == NULL) {
		fprintf(stderr, "wdriver: bad command: %s\n", line);
	} else if (strcmp(t, "RESYNC") == 0) {
		/* As eipam-watcher: after the writes already submitted. */
		if (wr != NULL)
			writer_drain(wr, replay, NULL);
		else
			informers_resync(inf);
	} else if (strcmp(t, "STATS") == 0) {
		stats();
	} else if (strcmp(t, "QUIT") == 0) {
		if (ld != NULL)
			leader_release(ld, released, NULL);
		else
			event_base_loopbreak(base);
	} else {
		for (type = 250; type <= 259; type++)
			if (strcmp(eip_msg_name((uint16_t)type), t) == 0)
				break;
		if (type > 259 || eip_validate(b, eip_msg_schema((uint16_t)type),
		    why, sizeof(why)) == -1)
			fprintf(stderr, "wdriver: bad write %s: %s\n", t,
			    type > 259 ? "unknown" : why);
		else
			writer_submit(wr, (uint16_t)type, (uint64_t)
			    json_integer_value(json_object_get(j, "corr")), b);
	}
	json_decref(j);
}

static void
stdin_cb(evutil_socket_t fd, short what, void *arg)
{
	static char buf[1 << 20];
	static size_t len;
	ssize_t n = read(0, buf + len, sizeof(buf) - len - 1);
	char *nl, *p;

	if (n <= 0) {
		command("{\"t\":\"QUIT\"}");
		event_del(arg);
		return;
	}
	len += (size_t)n;
	buf[len] = '\0';
	p = buf;
	while ((nl = strchr(p, '\n')) != NULL) {
		*nl = '\0';
		if (*p != '\0')
			command(p);
		p = nl + 1;
	}
	len -= (size_t)(p - buf);
	memmove(buf, p, len);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "kubeconfig", required_argument, NULL, 'k' },
		{ "kinds", required_argument, NULL, 'K' },
		{ "page-size", required_argument, NULL, 'p' },
		{ "watch-min", required_argument, NULL, 'w' },
		{ "watch-max", required_argument, NULL, 'W' },
		{ "leader-elect", no_argument, NULL, 'l' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "lease", required_argument, NULL, 'L' },
		{ "identity", required_argument, NULL, 'i' },
		{ "lease-ms", required_argument, NULL, 'd' },
		{ "renew-ms", required_argument, NULL, 'r' },
		{ "retry-ms", required_argument, NULL, 't' },
		{ "unserved-retry", required_argument, NULL, 'u' },
		{ "qps", required_argument, NULL, 'q' },
		{ "burst", required_argument, NULL, 'b' },
		{ "forbidden-max-ms", required_argument, NULL, 'f' },
		{ "log-level", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct eip_informer_opts io;
	struct eip_leader_opts lo2;
	struct eip_writer_opts wo;
	struct eip_kubeconf conf;
	enum log_level lvl = LOG_LVL_INFO;
	const char *kcfg = NULL, *kinds = NULL;
	char err[512], *tok, *save = NULL, *k;
	double qps = 0;
	int c, burst = 0, elect = 0;
	struct event *ev;
	enum wkind wk;

	memset(&io, 0, sizeof(io));
	memset(&lo2, 0, sizeof(lo2));
	memset(&wo, 0, sizeof(wo));
	lo2.ns = "egressip-ipam-operator";
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'k': kcfg = optarg; break;
		case 'K': kinds = optarg; break;
		case 'p': io.page_size = atoi(optarg); break;
		case 'w': io.watch_min_s = atoi(optarg); break;
		case 'W': io.watch_max_s = atoi(optarg); break;
		case 'l': elect = 1; break;
		case 'n': lo2.ns = optarg; break;
		case 'L': lo2.name = optarg; break;
		case 'i': lo2.identity = optarg; break;
		case 'd': lo2.lease_ms = atoi(optarg); break;
		case 'r': lo2.renew_ms = atoi(optarg); break;
		case 't': lo2.retry_ms = atoi(optarg); break;
		case 'u': io.unserved_retry_s = atoi(optarg); break;
		case 'q': qps = atof(optarg); break;
		case 'b': burst = atoi(optarg); break;
		case 'f': wo.forbidden_max_ms = atoi(optarg); break;
		case 'v': log_level_parse(optarg, &lvl); break;
		default: return 2;
		}
	}
	log_init("wdriver", LOG_FMT_TEXT, lvl);
	log_set_fd(2);
	if (kcfg == NULL) {
		fprintf(stderr, "usage: wdriver --kubeconfig FILE ...\n");
		return 2;
	}
	if (kubeconf_from_file(kcfg, &conf, err, sizeof(err)) == -1)
		fatalx("%s", err);
	io.kinds = 0;
	if (kinds == NULL)
		io.kinds = (1u << WK_MAX) - 1;
	else {
		k = xstrdup(kinds);
		for (tok = strtok_r(k, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			if (wkind_parse(tok, &wk) == -1)
				fatalx("unknown kind %s", tok);
			io.kinds |= 1u << wk;
		}
		free(k);
	}
	base = event_base_new();
	if ((kc = kclient_new(base, &conf, qps, burst, err, sizeof(err))) ==
	    NULL)
		fatalx("%s", err);
	inf = informers_new(base, kc, &io, sink, NULL);
	wo.identity = lo2.identity ? lo2.identity : "wdriver";
	wo.host = "wdriver-host";
	wr = writer_new(base, kc, inf, &wo, result, NULL);
	ev = event_new(base, 0, EV_READ | EV_PERSIST, stdin_cb, event_self_cbarg());
	event_add(ev, NULL);
	informers_start(inf);
	if (elect) {
		ld = leader_new(base, kc, &lo2, on_leader, NULL);
		leader_start(ld);
	} else
		on_leader(1, "no-election", NULL);
	event_base_dispatch(base);
	stats();
	leader_free(ld);
	writer_free(wr);
	informers_free(inf);
	kclient_free(kc);
	event_free(ev);
	event_base_free(base);
	kubeconf_clear(&conf);
	return 0;
}
