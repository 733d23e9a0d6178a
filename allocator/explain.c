/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eipamctl explain: why a namespace, an IP or a node has, or lacks, what
 * it has.  Reads the model only (model_int.h) and answers with sentences
 * plus the facts behind them, so people and scripts both get an answer.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "model_int.h"
#include "xmalloc.h"

static void
say(json_t *lines, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(json_t *lines, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	if (s != NULL) {
		json_array_append_new(lines, json_string(s));
		free(s);
	}
}

static const char *
ipstr(const struct eip_ip *ip, char *buf, size_t len)
{
	return ip_format(ip, buf, len) != NULL ? buf : "?";
}

/* The pending write and the last failure of one tracked write. */
static void
say_write(json_t *lines, const struct eip_model *m, const char *what,
    const struct wtrack *w)
{
	if (w->corr != 0)
		say(lines, "A write of its %s is in flight (#%llu).", what,
		    (unsigned long long)w->corr);
	if (w->fails > 0)
		say(lines, "Writing its %s failed %d time(s); next try in %lld "
		    "ms.", what, w->fails, (long long)(w->retry_at > m->now ?
		    w->retry_at - m->now : 0));
}

static const char *
capacity_text(const struct eip_model *m, const struct node *n, char *buf,
    size_t len)
{
	long cap = place_capacity(m, n);

	if (cap == LONG_MAX)
		return "unlimited";
	snprintf(buf, len, "%ld", cap);
	return buf;
}

/* Where an IP is carried, or why it is not: one clause. */
static char *
placement(const struct eip_model *m, struct ipent *e)
{
	struct slot *s;
	char c[32], *out;

	if (m->backend == BK_OVN)
		return xstrdup("OVN-Kubernetes places it on an egress-assignable "
		    "node of its subnet");
	if (e->placed != NULL) {
		xasprintf(&out, "carried by node %s (%s, capacity %s, %zu IPs)",
		    e->placed->name, e->placed->ready ? "Ready" : "NotReady",
		    capacity_text(m, e->placed, c, sizeof(c)),
		    e->placed->nplaced);
		return out;
	}
	s = place_slot_of(m, e);
	if (s != NULL && s->ipam->cidr_mode)
		return xstrdup("CIDR mode: every node of the CIDR has egressCIDRs "
		    "and OpenShift SDN picks the node");
	if (s == NULL || s->nodes.n == 0)
		return xstrdup("not placed: no node belongs to its CIDR "
		    "(nodeSelector and topology label)");
	xasprintf(&out, "not placed: none of the %zu nodes of its CIDR is "
	    "Ready with capacity left (NoCapacity)", s->nodes.n);
	return out;
}

static json_t *
explain_ns(struct eip_model *m, const char *name)
{
	json_t *lines = json_array(), *ips = json_array();
	struct ns *ns = ns_get(m, name, 0);
	char a[IP_STRLEN], *where;
	size_t i;

	if (ns == NULL || !ns->present) {
		say(lines, "Namespace %s is not in the cluster (or not seen "
		    "yet).", name);
		goto out;
	}
	if (ns->deleting)
		say(lines, "Namespace %s is being deleted: its IPs are released.",
		    name);
	if (ns->want == NULL) {
		say(lines, "It has not opted in: no annotation %s.",
		    EIP_LABEL_IPAM);
		if (ns->annot != NULL)
			say(lines, "Its egressips annotation (%s) is ignored "
			    "without an opt-in.", ns->annot);
		goto out;
	}
	say(lines, "It opted in to EgressIPAM %s.", ns->want);
	if (ns->ref == NULL || !ns->ref->present) {
		say(lines, "EgressIPAM %s does not exist: nothing is assigned "
		    "until it does.", ns->want);
		goto out;
	}
	if (ns->ref->deleting)
		say(lines, "EgressIPAM %s is being deleted.", ns->want);
	if (ns->ref->frozen)
		say(lines, "EgressIPAM %s has an invalid spec: nothing is "
		    "changed until it is fixed.", ns->want);
	if (ns->bad != NULL)
		say(lines, "Its egressips annotation is rejected: %s.", ns->bad);
	if (ipam_halted(m, ns->ref) && ns->bad == NULL)
		say(lines, "EgressIPAM %s is halted by another namespace's "
		    "invalid egressips annotation (--manual-ip-errors=halt).",
		    ns->want);
	if (!model_decides(m))
		say(lines, "The allocator is not deciding yet (%s).",
		    !m->ready ? "waiting for the first sync" :
		    "not the leader");
	for (i = 0; i < ns->nips; i++) {
		struct ipent *e = ns->ips[i];

		if (e == NULL)
			continue;
		json_array_append_new(ips, json_string(ipstr(&e->ip, a,
		    sizeof(a))));
		where = placement(m, e);
		say(lines, "IP %zu, %s: from CIDR %s, %s; %s.", i + 1,
		    ipstr(&e->ip, a, sizeof(a)), i < ns->ref->spec.n ?
		    ns->ref->spec.a[i].cidr_str : "?",
		    (ns->ours & (1u << i)) ? "chosen by the operator" :
		    "given in the annotation", where);
		free(where);
	}
	if (ns->waiting != NULL)
		say(lines, "It waits for an address of CIDR %s: the pool is "
		    "exhausted (CIDRExhausted); it gets one as soon as one "
		    "frees.", ns->waiting->ipam->spec.a[ns->waiting->idx].cidr_str);
	else if (ns->ref != NULL && ns->nips < ns->ref->spec.n && ns->bad == NULL)
		say(lines, "It holds %zu of %zu IPs: the rest come at the next "
		    "decision.", ns->nips, ns->ref->spec.n);
	say_write(lines, m, "egressips annotation", &ns->w_annot);
	say_write(lines, m, "NetNamespace", &ns->w_nn);
	say_write(lines, m, "EgressIP", &ns->w_eip);
out:
	return json_pack("{s:s,s:s,s:o,s:o}", "kind", "namespace", "name",
	    name, "ips", ips, "lines", lines);
}

static json_t *
explain_ip(struct eip_model *m, const char *name)
{
	json_t *lines = json_array();
	struct eip_ip ip;
	struct ipent *e;
	struct slot *s = NULL;
	struct ipam *p;
	size_t it = 0, i;
	int fl;

	if (ip_parse(name, &ip) == -1) {
		say(lines, "%s is not an IP address.", name);
		goto out;
	}
	while ((p = hmap_next(&m->ipams, &it)) != NULL)
		for (i = 0; i < p->nslots; i++)
			if (cidr_contains(&p->spec.a[i].cidr, &ip))
				s = p->slots[i];
	if (s == NULL)
		say(lines, "%s is in no CIDR of any EgressIPAM: the operator "
		    "never hands it out nor touches it.", name);
	else {
		say(lines, "%s is in CIDR %s of EgressIPAM %s.", name,
		    s->ipam->spec.a[s->idx].cidr_str, s->ipam->name);
		fl = pool_flags(s->pool, &ip);
		if (fl & POOL_STATIC)
			say(lines, "It is the network, broadcast or anycast "
			    "address: never handed out.");
		if (fl & POOL_RESERVED)
			say(lines, "It is one of the spec's reservedIPs.");
		if (fl & POOL_NODE)
			say(lines, "It is a node's primary IP.");
		if (fl & POOL_CLOUD)
			say(lines, "The cloud reserves it or reports it in use "
			    "in the subnet.");
		if (fl == 0)
			say(lines, "It is free.");
	}
	if ((e = ip_get(m, &ip, 0)) == NULL)
		goto out;
	if (e->holder != NULL)
		say(lines, "It is held by namespace %s.", e->holder->name);
	for (i = 0; i < e->ann.n; i++)
		if (e->ann.v[i] != e->holder)
			say(lines, "The egressips annotation of namespace %s lists "
			    "it.", ((struct ns *)e->ann.v[i])->name);
	if (e->holder != NULL) {
		char *where = placement(m, e);

		say(lines, "It is %s.", where);
		free(where);
	}
	for (i = 0; i < e->nn.n; i++)
		say(lines, "The NetNamespace of %s lists it.",
		    ((struct ns *)e->nn.v[i])->name);
	for (i = 0; i < e->hs.n; i++)
		say(lines, "The HostSubnet of %s lists it.",
		    ((struct node *)e->hs.v[i])->name);
	for (i = 0; i < e->nics.n; i++)
		say(lines, "The cloud NIC of %s carries it.",
		    ((struct node *)e->nics.v[i])->name);
	for (i = 0; i < e->eip.n; i++)
		say(lines, "The EgressIP eipam-%s lists it.",
		    ((struct ns *)e->eip.v[i])->name);
	if (e->feips > 0)
		say(lines, "%u EgressIP object(s) not ours list it.", e->feips);
	if (e->conflict)
		say(lines, "The cloud says another NIC holds it (address in "
		    "use).");
out:
	return json_pack("{s:s,s:s,s:o}", "kind", "ip", "name", name,
	    "lines", lines);
}

static json_t *
explain_node(struct eip_model *m, const char *name)
{
	json_t *lines = json_array(), *placed = json_array();
	struct node *n = node_get(m, name, 0);
	char a[IP_STRLEN], c[32];
	size_t i;

	if (n == NULL || !n->present) {
		say(lines, "Node %s is not in the cluster (or not seen yet).",
		    name);
		goto out;
	}
	say(lines, "Node %s is %s.", name, n->ready ? "Ready" :
	    "NotReady: it carries no egress IPs and its IPs move to its "
	    "zone's other nodes");
	if (n->nsel > 1)
		say(lines, "%d EgressIPAMs select it (overlap): it carries IPs "
		    "of none of them.", n->nsel);
	else if (n->ipam == NULL)
		say(lines, "No EgressIPAM selects it (nodeSelector and topology "
		    "label): it carries no egress IPs.");
	else
		say(lines, "It belongs to EgressIPAM %s, CIDR %s.", n->ipam->name,
		    n->aidx >= 0 && (size_t)n->aidx < n->ipam->spec.n ?
		    n->ipam->spec.a[n->aidx].cidr_str : "?");
	say(lines, "Its capacity is %s (%s).", capacity_text(m, n, c,
	    sizeof(c)), n->cloud == 1 ? "from the cloud: the instance "
	    "type's limit minus the primary and foreign IPs" :
	    n->cap_annot >= 0 ? "from its capacity annotation" :
	    n->ovn_cap4 >= 0 ? "from cloud.network.openshift.io/egress-ipconfig" :
	    "bare metal without a capacity annotation");
	if (n->ipam != NULL && !n->candidate && n->ready)
		say(lines, "It takes no new IPs now (full, or not a candidate).");
	for (i = 0; i < n->nplaced; i++)
		json_array_append_new(placed, json_string(ipstr(
		    &n->placed[i]->ip, a, sizeof(a))));
	say(lines, "It carries %zu egress IP(s).", n->nplaced);
	if (n->cloud == -1)
		say(lines, "Cloud discovery failed for it.");
	if (n->ens_fails > 0)
		say(lines, "Making its NIC carry its IPs failed %d time(s).",
		    n->ens_fails);
	if (n->ens_corr != 0)
		say(lines, "A cloud ENSURE of its NIC is in flight.");
	say_write(lines, m, "HostSubnet", &n->w_hs);
	say_write(lines, m, "egress-assignable label", &n->w_label);
out:
	return json_pack("{s:s,s:s,s:o,s:o}", "kind", "node", "name", name,
	    "ips", placed, "lines", lines);
}

json_t *
model_explain(struct eip_model *m, const char *what, const char *name,
    char *err, size_t errlen)
{
	if (what == NULL || name == NULL || *name == '\0') {
		snprintf(err, errlen, "explain needs kind/name");
		return NULL;
	}
	if (strcmp(what, "namespace") == 0 || strcmp(what, "ns") == 0)
		return explain_ns(m, name);
	if (strcmp(what, "ip") == 0)
		return explain_ip(m, name);
	if (strcmp(what, "node") == 0)
		return explain_node(m, name);
	snprintf(err, errlen, "cannot explain '%s': use namespace/NAME, "
	    "ip/IP or node/NAME", what);
	return NULL;
}
