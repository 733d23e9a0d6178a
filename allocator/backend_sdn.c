/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenShift SDN (SPEC 4): NetNamespace egressIPs per namespace, and per
 * node the HostSubnet's egressIPs (explicit mode) or egressCIDRs (CIDR
 * mode, where the SDN master writes egressIPs itself and we leave them
 * as they are).  Only what is ours changes: addresses and CIDRs outside
 * our EgressIPAMs are kept, except that explicit mode clears egressCIDRs
 * (a node cannot mix both).  An address is added to a HostSubnet only
 * when no other HostSubnet lists it, so a move never shows it twice.
 */
#include <stdlib.h>
#include <string.h>

#include "eip_proto.h"
#include "model_int.h"
#include "xmalloc.h"

static json_t *
ips_json(const struct iplist *l)
{
	json_t *a = json_array();
	char s[IP_STRLEN];
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(ip_format(&l->v[i], s,
		    sizeof(s))));
	return a;
}

static int
iplist_equal(const struct iplist *a, const struct iplist *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!ip_equal(&a->v[i], &b->v[i]))
			return 0;
	return 1;
}

/* The namespace's IPs as the cluster should carry them: its prefix. */
static void
ns_desired(const struct eip_model *m, const struct ns *ns,
    const struct iplist *obs, struct iplist *out)
{
	size_t i;

	out->v = xcalloc(ns->nips + obs->n + 1, sizeof(*out->v));
	out->n = 0;
	if (ns->bound != NULL && ns->present && !ns->deleting) {
		/* Not while another namespace's object still carries it. */
		for (i = 0; i < ns->nips && ns->ips[i] != NULL; i++)
			if (ip_carried_by_other(ns->ips[i], ns) == NULL ||
			    iplist_has(obs, &ns->ips[i]->ip))
				out->v[out->n++] = ns->ips[i]->ip;
		return;
	}
	for (i = 0; i < obs->n; i++)
		if (!ip_owned(m, &obs->v[i]))
			out->v[out->n++] = obs->v[i];
}

void
sdn_ns_writes(struct eip_model *m, struct ns *ns)
{
	struct iplist want = { NULL, 0 };
	json_t *b;

	if (!ns->nn_present || (!bind_writable(m, ns) &&
	    !bind_release_only(m, ns)) || !write_ready(m, &ns->w_nn, ns->nn_rv))
		return;
	ns_desired(m, ns, &ns->nn_ips, &want);
	if (!iplist_equal(&want, &ns->nn_ips) && (bind_writable(m, ns) ||
	    iplist_subset(&want, &ns->nn_ips))) {
		b = json_pack("{s:s, s:s, s:o}", "name", ns->name, "rv",
		    ns->nn_rv, "egress_ips", ips_json(&want));
		write_send(m, EIP_MSG_W_NETNAMESPACE, ns->name, ns->nn_rv, b,
		    &ns->w_nn);
		json_decref(b);
	}
	iplist_clear(&want);
}

/* Is e free to be added to n's HostSubnet (no other lists it)? */
static int
hs_free_for(const struct eip_model *m, const struct ipent *e,
    const struct node *n)
{
	size_t i;

	for (i = 0; i < e->hs.n; i++)
		if (e->hs.v[i] != n)
			return 0;
	/* On a cloud, the NIC must have it before SDN may use it. */
	if (model_cloud(m) && !cloud_on_nic(n, &e->ip))
		return 0;
	return 1;
}

static int
strset_equal(char **a, size_t na, json_t *b)
{
	size_t i, j;

	if (na != json_array_size(b))
		return 0;
	for (i = 0; i < na; i++) {
		for (j = 0; j < na; j++)
			if (streq(a[i], json_string_value(json_array_get(b, j))))
				break;
		if (j == na)
			return 0;
	}
	return 1;
}

/*
 * Explicit mode: the addresses n's HostSubnet should list (what is not
 * ours stays, ours are those placed here), and whether that is what it
 * lists now.  Each listed address is looked up once and compared by
 * marks: a HostSubnet lists hundreds, and this runs after each write.
 */
static int
explicit_want(struct eip_model *m, struct node *n, struct iplist *want)
{
	struct ipent **oe, *e;
	size_t i, matched = 0;
	int same;

	want->v = xcalloc(n->hs_ips.n + n->nplaced + 1, sizeof(*want->v));
	want->n = 0;
	oe = xcalloc(n->hs_ips.n + 1, sizeof(*oe));
	for (i = 0; i < n->hs_ips.n; i++)
		if ((oe[i] = ip_get(m, &n->hs_ips.v[i], 0)) != NULL)
			oe[i]->mark |= 4;
	for (i = 0; i < n->hs_ips.n; i++)
		if (!ip_owned_ent(m, oe[i], &n->hs_ips.v[i])) {
			want->v[want->n++] = n->hs_ips.v[i];
			matched++;
		}
	for (i = 0; i < n->nplaced; i++) {
		e = n->placed[i];
		if (!hs_free_for(m, e, n))
			continue;
		want->v[want->n++] = e->ip;
		/* Placed addresses are ours, never among the kept ones. */
		if (e->mark & 4)
			matched++;
	}
	/* Both lists are free of repeats: equal sizes, all found, equal. */
	same = matched == want->n && want->n == n->hs_ips.n;
	for (i = 0; i < n->hs_ips.n; i++)
		if (oe[i] != NULL)
			oe[i]->mark &= ~4u;
	free(oe);
	return same;
}

void
sdn_node_writes(struct eip_model *m, struct node *n)
{
	struct iplist want = { NULL, 0 };
	struct eip_cidr c;
	char cs[CIDR_STRLEN];
	json_t *cidrs, *b;
	size_t i;
	int member, cmode, same = -1;

	if (!n->hs_present || !write_ready(m, &n->w_hs, n->hs_rv))
		return;
	if (n->ipam != NULL && n->ipam->frozen && n->ipam->present &&
	    !n->ipam->deleting)
		return;
	member = n->ipam != NULL && n->aidx >= 0 && ipam_active(n->ipam);
	cmode = member && n->ipam->cidr_mode;
	cidrs = json_array();
	if (!member || cmode)
		for (i = 0; i < n->hs_ncidrs; i++)
			if (!ipam_owns_cidr(m, n->hs_cidrs[i]))
				json_array_append_new(cidrs,
				    json_string(n->hs_cidrs[i]));
	if (cmode) {
		c = n->ipam->slots[n->aidx]->pool->cidr;
		json_array_append_new(cidrs, json_string(cidr_format(&c, cs,
		    sizeof(cs))));
		/*
		 * The SDN master owns egressIPs in this mode; only addresses
		 * of ours that no namespace holds and no NetNamespace lists
		 * (so SDN will not put them back) are taken away.
		 */
		want.v = xcalloc(n->hs_ips.n + 1, sizeof(*want.v));
		for (i = 0; i < n->hs_ips.n; i++) {
			struct ipent *e = ip_get(m, &n->hs_ips.v[i], 0);

			if (!ip_owned(m, &n->hs_ips.v[i]) || e == NULL ||
			    e->holder != NULL || e->nn.n > 0)
				want.v[want.n++] = n->hs_ips.v[i];
		}
	} else
		same = explicit_want(m, n, &want);
	if (same == -1)
		same = iplist_same_set(&want, &n->hs_ips);
	if (!same || !strset_equal(n->hs_cidrs, n->hs_ncidrs, cidrs)) {
		b = json_pack("{s:s, s:s, s:o, s:O}", "name", n->name, "rv",
		    n->hs_rv, "egress_ips", ips_json(&want), "egress_cidrs",
		    cidrs);
		write_send(m, EIP_MSG_W_HOSTSUBNET, n->name, n->hs_rv, b,
		    &n->w_hs);
		json_decref(b);
	}
	json_decref(cidrs);
	iplist_clear(&want);
}
