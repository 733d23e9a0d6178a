/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OVN-Kubernetes (SPEC 4): one k8s.ovn.org/v1 EgressIP `eipam-<ns>` per
 * namespace holding IPs, owned by the Namespace and labelled with the
 * IPAM; the nodes of each IPAM get k8s.ovn.org/egress-assignable, and
 * we remove only labels we added (the watcher records that in the
 * node's egress-assignable-by annotation).  OVN places the IPs itself.
 * On AWS and Azure the cloud-network-config-controller attaches them,
 * and the cloud refuses some addresses: ovn_cloud_reserve keeps those
 * out of the pools without a cloud call of ours.
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

/* The cloud subnet around c: a node's primary NIC subnet holding c. */
static int
nic_subnet(struct eip_model *m, const struct eip_cidr *c,
    struct eip_cidr *sub)
{
	const struct eip_cidr *x;
	struct node *n;
	size_t it = 0;
	int v6 = ip_bits(&c->net) == 128;

	while ((n = hmap_next(&m->nodes, &it)) != NULL) {
		if (!n->present || !(v6 ? n->has_if6 : n->has_if4))
			continue;
		x = v6 ? &n->ovn_if6 : &n->ovn_if4;
		if (ip_bits(&x->net) == ip_bits(&c->net) && x->len <= c->len &&
		    cidr_contains(x, &c->net)) {
			*sub = *x;
			return 1;
		}
	}
	return 0;
}

/*
 * OVN on AWS or Azure: the first four and the last address of the cloud
 * subnet are never handed out (SPEC 2).  The subnet is the one the nodes'
 * egress-ipconfig names for their primary NIC; a CIDR inside none of them
 * is taken as its own subnet, as on OpenShift SDN when the cloud does not
 * know it.  Runs when an EgressIPAM or a node's ifaddr changed, before any
 * namespace is decided.
 */
void
ovn_cloud_reserve(struct eip_model *m)
{
	struct iplist none = { NULL, 0 };
	struct subnet_rec *r;
	struct eip_cidr sub;
	size_t i;
	int found;

	m->subnets_dirty = 0;
	if (m->backend != BK_OVN || m->platform == PF_BAREMETAL)
		return;
	cloud_want_subnets(m);
	for (i = 0; i < m->subnets.n; i++) {
		r = m->subnets.v[i];
		if (!(found = nic_subnet(m, &r->cidr, &sub)))
			sub = r->cidr;
		if (r->done && found == r->has_subnet &&
		    cidr_equal(&sub, &r->subnet))
			continue;
		r->has_subnet = found;
		cloud_subnet_mark(m, r, &sub, &none);
	}
}
