/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The namespace side of the output: the egressips annotation (written in
 * CIDR order, removed on release and on IPAM deletion, never changed for
 * a rejected or halted namespace) and the namespace's events
 * (InvalidManualIPs, ProcessingError, CIDRExhausted, NoCapacity).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eip_proto.h"
#include "manual.h"
#include "model_int.h"
#include "xmalloc.h"

static void
ns_events(struct eip_model *m, struct ns *ns)
{
	struct ipam *p = ns->bound != NULL ? ns->bound : ns->ref;
	char buf[512], a[IP_STRLEN];
	size_t i, n = 0;

	if (!m->leading || !ns->present || p == NULL)
		return;
	if (ns->bad != NULL && !(ns->ev & EV_INVALID)) {
		ns->ev |= EV_INVALID;
		event_send(m, "Namespace", ns->name, ns->uid, 1, "InvalidManualIPs",
		    "the egressips annotation is rejected: %s", ns->bad);
		if (!m->cfg.isolate) {
			event_send(m, "Namespace", ns->name, ns->uid, 1,
			    "ProcessingError", "%s; processing of EgressIPAM %s "
			    "stops until it is fixed", ns->bad, p->name);
			event_send(m, "EgressIPAM", p->name, p->uid, 1,
			    "ProcessingError", "namespace %s: %s; processing "
			    "stops until it is fixed", ns->name, ns->bad);
		}
	}
	if (ns->waiting != NULL && ns->waiting->exhausted &&
	    !(ns->ev & EV_EXHAUSTED)) {
		ns->ev |= EV_EXHAUSTED;
		event_send(m, "Namespace", ns->name, ns->uid, 1, "CIDRExhausted",
		    "no free address in CIDR %s of EgressIPAM %s; the namespace "
		    "gets one as soon as an address is released",
		    p->spec.a[ns->waiting->idx].cidr_str, p->name);
	}
	buf[0] = '\0';
	for (i = 0; i < ns->nips; i++) {
		if (ns->ips[i] == NULL || !(ns->ips[i]->queued & Q_UNPLACED))
			continue;
		if (n++ == 0)
			snprintf(buf, sizeof(buf), "no Ready node of CIDR %s has "
			    "capacity for %s", p->spec.a[i].cidr_str,
			    ip_format(&ns->ips[i]->ip, a, sizeof(a)));
	}
	if (n > 0 && !streq(ns->nocap, buf)) {
		setstr(&ns->nocap, buf);
		event_send(m, "Namespace", ns->name, ns->uid, 1, "NoCapacity",
		    "%s; it keeps its IP and is placed as soon as capacity "
		    "appears", buf);
	} else if (n == 0 && ns->nocap != NULL) {
		free(ns->nocap);
		ns->nocap = NULL;
	}
}

/* Does the annotation say exactly the binding's prefix? */
static int
annot_matches(const struct ns *ns)
{
	struct eip_ip *ips = NULL;
	char err[256];
	size_t n = 0, i;
	int ok;

	if (ns->annot == NULL)
		return 0;
	if (manual_parse(ns->annot, &ips, &n, err, sizeof(err)) == -1)
		return 0;
	ok = 1;
	for (i = 0; i < n && ok; i++)
		ok = i < ns->nips && ns->ips[i] != NULL &&
		    ip_equal(&ns->ips[i]->ip, &ips[i]);
	if (ok && n < ns->nips && ns->ips[n] != NULL)
		ok = 0;
	free(ips);
	return ok;
}

void
ns_annot_writes(struct eip_model *m, struct ns *ns)
{
	struct eip_ip *ips;
	json_t *b;
	char *want;
	size_t i, n;

	ns_events(m, ns);
	if (!ns->present || ns->deleting || !write_ready(m, &ns->w_annot, ns->rv))
		return;
	if (ns->bound != NULL) {
		if ((!bind_writable(m, ns) && !bind_release_only(m, ns)) ||
		    ns->nips == 0 || ns->ips[0] == NULL || annot_matches(ns))
			return;
		ips = xcalloc(ns->nips + 1, sizeof(*ips));
		for (n = 0; n < ns->nips && ns->ips[n] != NULL; n++)
			ips[n] = ns->ips[n]->ip;
		/* Halted: only a list that drops IPs may be written. */
		if (!bind_writable(m, ns)) {
			struct iplist have = ns->annot_ips, w = { ips, n };

			if (ns->annot == NULL || !iplist_subset(&w, &have)) {
				free(ips);
				return;
			}
		}
		want = manual_format(ips, n);
		free(ips);
		b = json_pack("{s:s, s:s, s:s}", "name", ns->name, "rv", ns->rv,
		    "egressips", want);
		free(want);
	} else if (ns->annot != NULL && (ns->release_annot ||
	    (ns->ref != NULL && ns->ref->deleting && ns->ref->present))) {
		/* Released, or its IPAM is being deleted: the opt-in stays. */
		b = json_pack("{s:s, s:s, s:n}", "name", ns->name, "rv", ns->rv,
		    "egressips");
	} else
		return;
	write_send(m, EIP_MSG_W_NS_EGRESSIPS, ns->name, ns->rv, b, &ns->w_annot);
	json_decref(b);
	(void)i;
}
