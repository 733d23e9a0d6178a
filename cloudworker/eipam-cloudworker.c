/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipam-cloudworker: the only process that holds cloud credentials and
 * speaks to cloud APIs.  This first version proves the topology and the
 * sandbox: it links to the allocator (HELLO, PING) with Landlock access to
 * its credentials directory and CA bundle only.  The AWS and Azure
 * clients land on top.
 */
#include <stdlib.h>
#include <string.h>

#include "alloclink.h"
#include "log.h"
#include "sandbox.h"
#include "worker.h"

static const struct sandbox_rule cloudworker_rules[] = {
	SB_END
};
static const struct sandbox_rule *const cloudworker_tables[] = {
	sandbox_base_rules, sandbox_net_client_rules, cloudworker_rules, NULL
};
static const struct sandbox_policy cloudworker_policy = {
	"cloudworker", cloudworker_tables, sandbox_dns_paths, 1, 0
};

static void
on_message(struct zmsg_chan *c, const char *peer, struct eip_msg *m,
    void *arg)
{
	log_debug("%s from %s not handled yet", eip_msg_name(m->type), peer);
}

static json_t *
cloudworker_status(struct eip_worker *w, void *arg)
{
	return json_pack("{s:o}", "allocator", alloc_link_status(arg));
}

int
main(int argc, char **argv)
{
	struct eip_worker w;
	struct alloc_link *link;
	const char *paths[3];
	int n = 0;

	worker_init(&w, EIP_ROLE_CLOUDWORKER, &cloudworker_policy, argc, argv);
	paths[n++] = worker_cfg_str(&w, "credentials_dir",
	    "/etc/eipam/cloud-credentials");
	paths[n++] = worker_cfg_str(&w, "ca_bundle", "");
	paths[n] = NULL;
	link = alloc_link_new(&w, on_message, NULL);
	worker_on_status(&w, cloudworker_status, link);
	if (worker_sandbox(&w, paths) == -1)
		return 1;
	worker_ready(&w);
	return worker_run(&w);
}
