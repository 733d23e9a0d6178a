/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipam-watcher: the only process that speaks to the Kubernetes API and
 * holds the service-account token.  It reads its client configuration and
 * CA before the sandbox, then runs the informers (objects to the
 * allocator), the writer (the allocator's W_* requests) and leader
 * election over one libcurl multi handle on the worker's libevent loop.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "alloclink.h"
#include "informer.h"
#include "kclient.h"
#include "kubeconfig.h"
#include "leader.h"
#include "log.h"
#include "sandbox.h"
#include "worker.h"
#include "writer.h"

/*
 * What the watcher needs beyond the shared base and outbound-client
 * tables.  Everything else (execve, ptrace, fork, listening sockets)
 * kills it.
 */
static const struct sandbox_rule watcher_rules[] = {
	SB_ALLOW("sendmmsg", "glibc's resolver sends the A and AAAA queries "
	    "of the API host together"),
	SB_END
};
static const struct sandbox_rule *const watcher_tables[] = {
	sandbox_base_rules, sandbox_net_client_rules, watcher_rules, NULL
};
static const struct sandbox_policy watcher_policy = {
	"watcher", watcher_tables, sandbox_dns_paths, 1, 0
};

#define CONFIG_RETRY_S	10

struct watcher {
	struct eip_worker	 w;
	struct eip_kubeconf	 conf;
	struct alloc_link	*link;
	struct eip_kclient	*kc;
	struct eip_informers	*inf;
	struct eip_writer	*wr;
	struct eip_leader	*ld;
	char			 identity[300];
	char			 host[256];
	struct event		*retry_ev;
	int			 leading, led;
};

static void
send_leader(struct watcher *W)
{
	json_t *b = json_pack("{s:b,s:s}", "leading", W->leading, "identity",
	    W->identity);

	alloc_link_send(W->link, EIP_MSG_LEADER, 0, b);
	json_decref(b);
}

static void
sink(uint16_t type, const json_t *body, void *arg)
{
	struct watcher *W = arg;

	alloc_link_send(W->link, type, 0, body);
}

static void
result(uint64_t corr, const json_t *body, void *arg)
{
	struct watcher *W = arg;

	alloc_link_send(W->link, EIP_MSG_W_RESULT, corr, body);
}

static void
on_leader(int leading, const char *id, void *arg)
{
	struct watcher *W = arg;

	W->leading = leading;
	writer_set_leading(W->wr, leading);
	send_leader(W);
	worker_set_state(&W->w, leading ? "leading" : "following");
	if (leading)
		W->led = 1;
	else if (W->led) {
		/* As client-go operators do: the pod restarts and competes. */
		log_error("lost the lease after leading: exiting");
		worker_stop(&W->w, 1);
	}
}

/* A write before the API client exists: refused like a non-leader's. */
static void
not_ready(struct watcher *W, uint64_t corr)
{
	json_t *b = json_pack("{s:b,s:i,s:s,s:s}", "ok", 0, "code", 0,
	    "reason", "NotLeader", "message", "no API client configuration");

	alloc_link_send(W->link, EIP_MSG_W_RESULT, corr, b);
	json_decref(b);
}

static void
replay(void *arg)
{
	struct watcher *W = arg;

	log_info("replaying the cache to the allocator");
	informers_resync(W->inf);
}

static void
on_message(struct zmsg_chan *c, const char *peer, struct eip_msg *m,
    void *arg)
{
	struct watcher *W = arg;

	if (m->type >= EIP_MSG_W_NS_EGRESSIPS && m->type <= EIP_MSG_W_CREDREQ) {
		if (W->wr != NULL)
			writer_submit(W->wr, m->type, m->corr, m->body);
		else
			not_ready(W, m->corr);
		return;
	}
	switch (m->type) {
	case EIP_MSG_RESYNC:
		/* The allocator restarted: it gets everything again. */
		send_leader(W);
		if (W->inf == NULL)
			break;
		/*
		 * Its predecessor's writes still queued or in flight land
		 * first, and their answers go into the cache: replayed
		 * before them, the new allocator could give an address
		 * again that a late write has just given to another
		 * namespace.
		 */
		log_info("RESYNC from %s: replaying the cache once %u earlier "
		    "writes are done", peer, W->wr != NULL ?
		    writer_pending(W->wr) : 0);
		if (W->wr != NULL)
			writer_drain(W->wr, replay, W);
		else
			informers_resync(W->inf);
		break;
	default:
		log_debug("%s from %s ignored", eip_msg_name(m->type), peer);
		break;
	}
}

static json_t *
watcher_status(struct eip_worker *w, void *arg)
{
	struct watcher *W = arg;
	struct eip_informer_stats st;
	json_t *synced;
	int k;

	if (W->inf == NULL)
		return json_pack("{s:o,s:b,s:s}", "allocator",
		    alloc_link_status(W->link), "leading", 0, "api",
		    "no usable configuration (see the log)");
	synced = json_object();
	informers_stats(W->inf, &st);
	for (k = 0; k < WK_MAX; k++)
		json_object_set_new(synced, wkind_info((enum wkind)k)->kind,
		    json_pack("{s:b,s:I}", "synced",
		    informers_synced(W->inf, (enum wkind)k), "objects",
		    (json_int_t)informers_cached(W->inf, (enum wkind)k)));
	return json_pack("{s:o,s:b,s:s,s:s,s:o,s:I,s:{s:I,s:I,s:I,s:I,s:I},"
	    "s:I,s:{s:o}}",
	    "allocator", alloc_link_status(W->link),
	    "leading", W->leading, "identity", W->identity,
	    "server", kclient_server(W->kc), "kinds", synced,
	    "pending_writes", (json_int_t)writer_pending(W->wr),
	    "informers", "events", (json_int_t)st.events,
	    "lists", (json_int_t)st.lists, "watches", (json_int_t)st.watches,
	    "relists_410", (json_int_t)st.relists_410,
	    "errors", (json_int_t)st.errors,
	    "requests", (json_int_t)kclient_requests(W->kc),
	    "metrics", "kube_requests", kclient_counters(W->kc));
}

static void
released(void *arg)
{
	struct watcher *W = arg;

	worker_stop(&W->w, 0);
}

static void
on_shutdown(struct eip_worker *w, void *arg)
{
	struct watcher *W = arg;

	/* Hand the lease over now rather than make the next pod wait. */
	if (W->wr != NULL)
		writer_set_leading(W->wr, 0);
	if (W->ld != NULL)
		leader_release(W->ld, released, W);
	else
		worker_stop(w, 0);
}

/*
 * Reads the client configuration and builds everything that talks to the
 * API.  Without a usable configuration (no in-cluster variables, token not
 * mounted yet, bad kubeconfig) the watcher stays up, not synced, says why
 * in its state and retries: the pod is then alive but not ready.
 */
static int
start_client(struct watcher *W)
{
	struct eip_informer_opts io;
	struct eip_leader_opts lo;
	struct eip_writer_opts wo;
	const char *kcfg = worker_cfg_str(&W->w, "kubeconfig", "");
	const char *sa = worker_cfg_str(&W->w, "service_account_dir",
	    EIP_SA_DIR);
	const char *ns = worker_cfg_str(&W->w, "namespace", "");
	char err[512], state[64];
	int rc;

	if (*kcfg != '\0')
		rc = kubeconf_from_file(kcfg, &W->conf, err, sizeof(err));
	else
		rc = kubeconf_in_cluster(sa, &W->conf, err, sizeof(err));
	if (rc == 0) {
		W->kc = kclient_new(W->w.base, &W->conf, (double)worker_cfg_int(
		    &W->w, "kube_qps", 50), (int)worker_cfg_int(&W->w,
		    "kube_burst", 100), err, sizeof(err));
		if (W->kc == NULL)
			kubeconf_clear(&W->conf);
	}
	if (rc == -1 || W->kc == NULL) {
		log_error("no usable API client configuration: %s; retrying "
		    "in %d s", err, CONFIG_RETRY_S);
		snprintf(state, sizeof(state), "no API configuration");
		worker_set_state(&W->w, state);
		return -1;
	}
	log_info("API server %s (%s)", W->conf.server, *kcfg ? kcfg :
	    "in-cluster");
	if (*ns == '\0')
		ns = W->conf.namespace != NULL ? W->conf.namespace :
		    "egressip-ipam-operator";
	memset(&io, 0, sizeof(io));
	io.kinds = (1u << WK_MAX) - 1;
	W->inf = informers_new(W->w.base, W->kc, &io, sink, W);
	memset(&wo, 0, sizeof(wo));
	wo.identity = W->identity;
	wo.host = W->host;
	W->wr = writer_new(W->w.base, W->kc, W->inf, &wo, result, W);
	if (worker_cfg_bool(&W->w, "leader_elect", 0)) {
		memset(&lo, 0, sizeof(lo));
		lo.ns = ns;
		lo.name = worker_cfg_str(&W->w, "leader_election_id",
		    "egressip-ipam-operator-leader");
		lo.identity = W->identity;
		lo.lease_ms = (int)worker_cfg_int(&W->w, "lease_ms", 15000);
		lo.renew_ms = (int)worker_cfg_int(&W->w, "renew_ms", 10000);
		lo.retry_ms = (int)worker_cfg_int(&W->w, "retry_ms", 2000);
		/* client-go's constraint: duration > deadline > 1.2 x retry. */
		if (!(lo.lease_ms > lo.renew_ms && lo.renew_ms * 10 >
		    lo.retry_ms * 12) || lo.retry_ms < 100) {
			log_error("leader election: need lease duration > renew "
			    "deadline > 1.2 x retry period (>= 0.1 s); using "
			    "15/10/2 s");
			lo.lease_ms = 15000;
			lo.renew_ms = 10000;
			lo.retry_ms = 2000;
		}
		W->ld = leader_new(W->w.base, W->kc, &lo, on_leader, W);
	}
	worker_set_state(&W->w, "following");
	informers_start(W->inf);
	if (W->ld != NULL)
		leader_start(W->ld);
	else
		on_leader(1, W->identity, W);
	return 0;
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct watcher *W = arg;

	if (start_client(W) == 0)
		event_del(W->retry_ev);
}

int
main(int argc, char **argv)
{
	struct watcher W;
	const char *paths[6];
	struct timeval tv = { CONFIG_RETRY_S, 0 };
	int n = 0, rc;

	memset(&W, 0, sizeof(W));
	worker_init(&W.w, EIP_ROLE_WATCHER, &watcher_policy, argc, argv);
	leader_make_identity(W.identity, sizeof(W.identity));
	if (gethostname(W.host, sizeof(W.host)) == -1)
		strcpy(W.host, "unknown");
	W.host[sizeof(W.host) - 1] = '\0';
	/* libcurl and OpenSSL set up while files and threads are still free. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("curl_global_init failed");
	W.link = alloc_link_new(&W.w, on_message, &W);
	worker_on_status(&W.w, watcher_status, &W);
	worker_on_shutdown(&W.w, on_shutdown, &W);
	/* The configuration is read before the sandbox when it can be. */
	if (W.w.sandbox_test == NULL && start_client(&W) == -1) {
		W.retry_ev = event_new(W.w.base, -1, EV_PERSIST, retry_cb, &W);
		event_add(W.retry_ev, &tv);
	}
	/*
	 * Landlock: the service-account directory, the kubeconfig, the CA
	 * file and the token file; the CA is in memory already, but a
	 * configuration read late (see start_client) needs them.
	 */
	paths[n++] = worker_cfg_str(&W.w, "service_account_dir", EIP_SA_DIR);
	paths[n++] = worker_cfg_str(&W.w, "kubeconfig", "");
	if (W.conf.ca_path != NULL)
		paths[n++] = W.conf.ca_path;
	if (W.conf.token_file != NULL)
		paths[n++] = W.conf.token_file;
	paths[n] = NULL;
	if (access(paths[0], F_OK) == -1)
		paths[0] = "";
	if (worker_sandbox(&W.w, paths) == -1)
		return 1;
	worker_ready(&W.w);
	rc = worker_run(&W.w);
	if (W.retry_ev != NULL)
		event_free(W.retry_ev);
	leader_free(W.ld);
	writer_free(W.wr);
	informers_free(W.inf);
	kclient_free(W.kc);
	kubeconf_clear(&W.conf);
	return rc;
}
