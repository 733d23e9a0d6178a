/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipam-watcher: the only process that speaks to the Kubernetes API and
 * holds the service-account token.  This first version proves the
 * topology and the sandbox: it links to the allocator (HELLO, PING) under
 * its own seccomp policy and Landlock paths.  The API client lands on top.
 */
#include <stdlib.h>
#include <string.h>

#include "alloclink.h"
#include "log.h"
#include "sandbox.h"
#include "worker.h"

static const struct sandbox_rule watcher_rules[] = {
	SB_END
};
static const struct sandbox_rule *const watcher_tables[] = {
	sandbox_base_rules, sandbox_net_client_rules, watcher_rules, NULL
};
static const struct sandbox_policy watcher_policy = {
	"watcher", watcher_tables, sandbox_dns_paths, 1, 0
};

static void
on_message(struct zmsg_chan *c, const char *peer, struct eip_msg *m,
    void *arg)
{
	log_debug("%s from %s not handled yet", eip_msg_name(m->type), peer);
}

static json_t *
watcher_status(struct eip_worker *w, void *arg)
{
	return json_pack("{s:o}", "allocator", alloc_link_status(arg));
}

int
main(int argc, char **argv)
{
	struct eip_worker w;
	struct alloc_link *link;
	const char *paths[4];
	int n = 0;

	worker_init(&w, EIP_ROLE_WATCHER, &watcher_policy, argc, argv);
	/* Only what the API client must still read: SA token, CA, kubeconfig. */
	paths[n++] = worker_cfg_str(&w, "service_account_dir",
	    "/var/run/secrets/kubernetes.io/serviceaccount");
	paths[n++] = worker_cfg_str(&w, "kubeconfig", "");
	paths[n++] = worker_cfg_str(&w, "kube_ca_file", "");
	paths[n] = NULL;
	link = alloc_link_new(&w, on_message, NULL);
	worker_on_status(&w, watcher_status, link);
	if (worker_sandbox(&w, paths) == -1)
		return 1;
	worker_ready(&w);
	return worker_run(&w);
}
