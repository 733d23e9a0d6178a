/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OVN-Kubernetes (SPEC 4): one k8s.ovn.org/v1 EgressIP `eipam-<ns>` per
 * namespace holding IPs, owned by the Namespace and labelled with the
 * IPAM; the nodes of each IPAM get k8s.ovn.org/egress-assignable, and
 * we remove only labels we added (the watcher records that in the
 * node's egress-assignable-by annotation).  OVN places the IPs itself.
 */
#include <stdlib.h>
#include <string.h>

#include "eip_proto.h"
#include "model_int.h"
#include "xmalloc.h"

static json_t *
prefix_json(const struct ns *ns, struct iplist *l)
{
	json_t *a = json_array();
	char s[IP_STRLEN];
	size_t i;

	l->v = xcalloc(ns->nips + 1, sizeof(*l->v));
	l->n = 0;
	for (i = 0; i < ns->nips && ns->ips[i] != NULL; i++) {
		/* Not while another namespace's object still carries it. */
		if (ip_carried_by_other(ns->ips[i], ns) != NULL &&
		    !iplist_has(&ns->eip_ips, &ns->ips[i]->ip))
			continue;
		l->v[l->n++] = ns->ips[i]->ip;
		json_array_append_new(a, json_string(ip_format(&ns->ips[i]->ip,
		    s, sizeof(s))));
	}
	return a;
}

void
ovn_ns_writes(struct eip_model *m, struct ns *ns)
{
	struct iplist want = { NULL, 0 };
	char name[300];
	json_t *b, *ips;
	int wanted;

	if ((!bind_writable(m, ns) && !bind_release_only(m, ns)) ||
	    !write_ready(m, &ns->w_eip, ns->eip_rv))
		return;
	snprintf(name, sizeof(name), EIP_OBJ_PREFIX "%s", ns->name);
	ips = prefix_json(ns, &want);
	wanted = ns->bound != NULL && ns->present && !ns->deleting &&
	    want.n > 0 && ns->uid != NULL;
	/* Halted: only taking away (doc: bind_release_only). */
	if (!bind_writable(m, ns) && (!ns->eip_present || (wanted &&
	    !iplist_subset(&want, &ns->eip_ips)))) {
		json_decref(ips);
		iplist_clear(&want);
		return;
	}
	if (wanted && (!ns->eip_present ||
	    !iplist_same_set(&want, &ns->eip_ips) ||
	    !streq(ns->eip_label, ns->bound->name) ||
	    !streq(ns->eip_sel, ns->name) || !streq(ns->eip_owner, ns->uid))) {
		b = json_pack("{s:s, s:s, s:s, s:s, s:O}", "name", name,
		    "namespace", ns->name, "namespace_uid", ns->uid, "ipam",
		    ns->bound->name, "egress_ips", ips);
		if (ns->eip_present)
			json_object_set_new(b, "rv", json_string(ns->eip_rv));
		write_send(m, EIP_MSG_W_EGRESSIP, name, ns->eip_present ?
		    ns->eip_rv : NULL, b, &ns->w_eip);
		json_decref(b);
	} else if (!wanted && ns->eip_present) {
		b = json_pack("{s:s}", "name", name);
		write_send(m, EIP_MSG_W_EGRESSIP_DELETE, name, ns->eip_rv, b,
		    &ns->w_eip);
		json_decref(b);
	}
	json_decref(ips);
	iplist_clear(&want);
}

void
ovn_node_writes(struct eip_model *m, struct node *n)
{
	const char *ipam = NULL;
	json_t *b;
	int want;

	if (!n->present || !write_ready(m, &n->w_label, n->rv))
		return;
	if (n->ipam != NULL && n->ipam->frozen && n->ipam->present &&
	    !n->ipam->deleting)
		return;
	want = n->ipam != NULL && n->aidx >= 0 && ipam_active(n->ipam);
	if (want && (!n->labelled || (n->assignable_by != NULL &&
	    !streq(n->assignable_by, n->ipam->name))))
		ipam = n->ipam->name;
	else if (!want && n->assignable_by != NULL)
		ipam = n->assignable_by;	/* only a label we added */
	if (ipam == NULL)
		return;
	b = json_pack("{s:s, s:s, s:b, s:s}", "name", n->name, "rv", n->rv,
	    "assignable", want, "ipam", ipam);
	write_send(m, EIP_MSG_W_NODE_ASSIGNABLE, n->name, n->rv, b, &n->w_label);
	json_decref(b);
}
