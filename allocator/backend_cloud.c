/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AWS and Azure with OpenShift SDN: the cloudworker attaches the placed
 * IPs to each node's primary NIC.  We tell it the platform once
 * (CLOUD_CONFIG), ask what exists (CLOUD_DISCOVER: NICs, capacities,
 * addresses in use in the subnets around our CIDRs) before any decision,
 * and then ask, one request in flight per node, that a NIC carry exactly
 * the operator-owned IPs placed on it (CLOUD_ENSURE).  An IP moves only
 * after the old NIC let it go; SDN is told only once the NIC has it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eip_proto.h"
#include "log.h"
#include "model_int.h"
#include "xmalloc.h"

#define CLOUD_KIND	(-1)	/* timer kind: wake the cloud tick */

static struct subnet_rec *
subnet_find(const struct eip_model *m, const struct eip_cidr *c)
{
	struct subnet_rec *r;
	size_t i;

	for (i = 0; i < m->subnets.n; i++) {
		r = m->subnets.v[i];
		if (cidr_equal(&r->cidr, c))
			return r;
	}
	return NULL;
}

int
cloud_subnet_ready(const struct eip_model *m, const struct eip_cidr *c)
{
	struct subnet_rec *r = subnet_find(m, c);

	return r != NULL && r->done;
}

int
cloud_on_nic(const struct node *n, const struct eip_ip *ip)
{
	return iplist_has(&n->nic_ips, ip);
}

/* Every CIDR of every IPAM that parsed, even before its pool exists. */
void
cloud_want_subnets(struct eip_model *m)
{
	struct subnet_rec *r;
	struct ipam *p;
	size_t it = 0, i;

	while ((p = hmap_next(&m->ipams, &it)) != NULL) {
		if (!p->present || !p->parsed)
			continue;
		for (i = 0; i < p->spec.n; i++) {
			if (!p->spec.a[i].ok || subnet_find(m, &p->spec.a[i].cidr))
				continue;
			r = xcalloc(1, sizeof(*r));
			r->cidr = p->spec.a[i].cidr;
			ptrvec_push(&m->subnets, r);
		}
	}
}

void
cloud_discover_node(struct eip_model *m, struct node *n)
{
	if (n != NULL)
		n->disc_pending = 1;
	model_kick(m);
}

void
cloud_start(struct eip_model *m)
{
	struct node *n;
	size_t it = 0;

	while ((n = hmap_next(&m->nodes, &it)) != NULL)
		if (n->present)
			n->disc_pending = 1;
	m->discovered = 0;
	m->ready = 0;
	model_kick(m);
}

static void
send_config(struct eip_model *m)
{
	const json_t *i = m->infra;
	json_t *b;

	b = json_pack("{s:s}", "platform", m->platform == PF_AWS ? "AWS" :
	    "Azure");
	if (eip_str(i, "aws_region") != NULL)
		json_object_set_new(b, "region", json_string(eip_str(i,
		    "aws_region")));
	if (eip_str(i, "azure_rg") != NULL)
		json_object_set_new(b, "resource_group", json_string(eip_str(i,
		    "azure_rg")));
	if (eip_str(i, "azure_network_rg") != NULL)
		json_object_set_new(b, "network_resource_group",
		    json_string(eip_str(i, "azure_network_rg")));
	if (eip_str(i, "infra_name") != NULL)
		json_object_set_new(b, "infra_name", json_string(eip_str(i,
		    "infra_name")));
	out_push(m, EIP_MSG_CLOUD_CONFIG, 0, b);
	m->cloud_configured = 1;
}

static void
send_discover(struct eip_model *m, int all_subnets)
{
	json_t *nodes = json_array(), *cidrs = json_array(), *b, *o;
	struct subnet_rec *r;
	char cs[CIDR_STRLEN];
	struct node *n;
	const char *it_type;
	size_t it = 0, i;

	while ((n = hmap_next(&m->nodes, &it)) != NULL) {
		if (!n->disc_pending || !n->present)
			continue;
		n->disc_pending = 0;
		o = json_pack("{s:s}", "name", n->name);
		if (n->provider_id != NULL)
			json_object_set_new(o, "provider_id",
			    json_string(n->provider_id));
		it_type = json_string_value(json_object_get(n->labels,
		    "node.kubernetes.io/instance-type"));
		if (it_type == NULL)
			it_type = json_string_value(json_object_get(n->labels,
			    "beta.kubernetes.io/instance-type"));
		if (it_type != NULL && strlen(it_type) <= 64)
			json_object_set_new(o, "instance_type",
			    json_string(it_type));
		json_array_append_new(nodes, o);
	}
	for (i = 0; i < m->subnets.n; i++) {
		r = m->subnets.v[i];
		if ((r->done && !all_subnets) || (!r->done &&
		    r->retry_at > m->now))
			continue;
		r->inflight = 1;
		json_array_append_new(cidrs, json_string(cidr_format(&r->cidr,
		    cs, sizeof(cs))));
	}
	if (json_array_size(nodes) == 0 && json_array_size(cidrs) == 0 &&
	    m->discovered) {
		json_decref(nodes);
		json_decref(cidrs);
		return;
	}
	b = json_pack("{s:o, s:o}", "nodes", nodes, "cidrs", cidrs);
	m->disc_corr = write_send(m, EIP_MSG_CLOUD_DISCOVER, "discover", NULL,
	    b, NULL);
	m->disc_at = m->now;
	json_decref(b);
}

void
cloud_tick(struct eip_model *m)
{
	struct node *n;
	size_t it = 0, i;
	int pending = 0, all = 0;

	if (!m->cloud_configured && m->infra != NULL)
		send_config(m);
	if (m->leading && !m->credreq_sent) {
		json_t *b = json_pack("{s:s, s:s}", "platform",
		    m->platform == PF_AWS ? "AWS" : "Azure", "secret_namespace",
		    m->cfg.op_namespace);

		write_send(m, EIP_MSG_W_CREDREQ, "credreq", NULL, b, NULL);
		json_decref(b);
		m->credreq_sent = 1;
	}
	if (m->disc_corr != 0 || !m->cloud_configured)
		return;
	cloud_want_subnets(m);
	if (m->discovered && m->now >= m->rediscover_at) {
		/* Subnets change behind our back; failed nodes may be back. */
		all = 1;
		while ((n = hmap_next(&m->nodes, &it)) != NULL)
			if (n->present && n->cloud != 1)
				n->disc_pending = 1;
		m->rediscover_at = m->now + m->cfg.rediscover_ms;
		timer_add(m, m->rediscover_at, CLOUD_KIND, "rediscover");
	}
	it = 0;
	while ((n = hmap_next(&m->nodes, &it)) != NULL)
		pending |= n->disc_pending && n->present;
	for (i = 0; i < m->subnets.n; i++) {
		struct subnet_rec *r = m->subnets.v[i];

		pending |= !r->done && r->retry_at <= m->now;
	}
	if (pending || all || !m->discovered)
		send_discover(m, all);
}

/* The NIC's secondary addresses, counted as carriers. */
static void
set_nic_ips(struct eip_model *m, struct node *n, const json_t *ips)
{
	struct iplist l = { NULL, 0 };
	size_t i;

	iplist_parse_json(ips, &l);
	for (i = 0; i < l.n; i++)
		if (ip_equal(&l.v[i], &n->cprimary))
			l.v[i--] = l.v[--l.n];
	ip_vec_carriers(m, &n->nic_ips, &l, n, 1);
	iplist_clear(&n->nic_ips);
	n->nic_ips = l;
}

static void
discovered_node(struct eip_model *m, const json_t *x)
{
	struct node *n = node_get(m, eip_str(x, "name"), 0);
	struct iplist o = { NULL, 0 }, nl = { NULL, 0 };
	struct eip_ip pip;

	if (n == NULL)
		return;
	if (!eip_bool(x, "ok", 0)) {
		log_warn("cloud: node %s: %s %s", n->name, eip_str(x, "class") ?
		    eip_str(x, "class") : "", eip_str(x, "error") ?
		    eip_str(x, "error") : "");
		n->cloud = -1;
		q_node(m, n, Q_DIRTY | Q_WRITE);
		return;
	}
	n->cloud = 1;
	setstr(&n->nic, eip_str(x, "nic"));
	memset(&pip, 0, sizeof(pip));
	if (eip_str(x, "primary_ip") != NULL)
		ip_parse(eip_str(x, "primary_ip"), &pip);
	if (!ip_equal(&pip, &n->cprimary)) {
		if (n->cprimary.family != 0) {
			o.v = &n->cprimary;
			o.n = 1;
		}
		if (pip.family != 0) {
			nl.v = &pip;
			nl.n = 1;
		}
		ip_carriers(m, &o, &nl, ipf_nodes);
		n->cprimary = pip;
	}
	set_nic_ips(m, n, json_object_get(x, "ips"));
	n->cloud_cap = (long)eip_int(x, "capacity", -1);
	q_node(m, n, Q_DIRTY | Q_WRITE);
}

/* Addresses the cloud uses or reserves, minus what our NICs carry. */
static void
discovered_subnet(struct eip_model *m, const json_t *x)
{
	struct eip_cidr c, sub;
	struct subnet_rec *r;
	struct iplist nl = { NULL, 0 };
	struct slot *s;
	size_t i;

	if (cidr_parse(eip_str(x, "cidr"), &c) == -1 ||
	    (r = subnet_find(m, &c)) == NULL)
		return;
	r->inflight = 0;
	if (eip_str(x, "error") != NULL) {
		/* Retried with backoff; said once per different error. */
		if (!streq(r->error, eip_str(x, "error")))
			log_warn("cloud: subnet of %s: %s (retried with backoff)",
			    eip_str(x, "cidr"), eip_str(x, "error"));
		setstr(&r->error, eip_str(x, "error"));
		r->fails++;
		r->retry_at = m->now + (r->fails < 7 ? 1000LL << r->fails : 60000);
		timer_add(m, r->retry_at, CLOUD_KIND, "subnet-retry");
		if (!r->done)
			for (i = 0; i < m->slots.n; i++) {
				s = m->slots.v[i];
				if (cidr_equal(&s->pool->cidr, &c))
					q_ipam(m, s->ipam, Q_WRITE);
			}
		return;
	}
	if (r->error != NULL)
		log_info("cloud: subnet of %s: discovered", eip_str(x, "cidr"));
	setstr(&r->error, NULL);
	r->fails = 0;
	r->retry_at = 0;
	r->has_subnet = eip_str(x, "subnet_cidr") != NULL &&
	    cidr_parse(eip_str(x, "subnet_cidr"), &sub) == 0;
	if (!r->has_subnet)
		sub = c;	/* at least the CIDR's own first four and last */
	iplist_parse_json(json_object_get(x, "used"), &nl);
	cloud_subnet_mark(m, r, &sub, &nl);
}

/*
 * What the cloud keeps from us in r's subnet sub: the addresses it
 * reports in use (nl, taken over) and the first four and the last, which
 * AWS and Azure reserve in every subnet.  Addresses our NICs carry are
 * ours, not the cloud's.
 */
void
cloud_subnet_mark(struct eip_model *m, struct subnet_rec *r,
    const struct eip_cidr *subnet, struct iplist *used)
{
	struct iplist nl = *used;
	struct eip_cidr sub = *subnet;
	struct eip_ip ip;
	struct ipent *e;
	struct slot *s;
	size_t i, cap;

	used->v = NULL;
	used->n = 0;
	r->subnet = sub;
	cap = nl.n + 5;
	nl.v = xreallocarray(nl.v, cap, sizeof(*nl.v));
	/* AWS and Azure reserve the first four and the last address. */
	for (i = 0; i < 4 && (u128)i <= cidr_last_offset(&sub); i++) {
		cidr_nth(&sub, i, &ip);
		if (!iplist_has(&nl, &ip))
			nl.v[nl.n++] = ip;
	}
	cidr_broadcast(&sub, &ip);
	if (!iplist_has(&nl, &ip))
		nl.v[nl.n++] = ip;
	for (i = 0; i < nl.n; i++) {
		e = ip_get(m, &nl.v[i], 0);
		if (e != NULL && e->nics.n > 0)
			nl.v[i--] = nl.v[--nl.n];	/* ours, on a NIC */
	}
	for (i = 0; i < r->used.n; i++)
		if (!iplist_has(&nl, &r->used.v[i]))
			ip_set_cloud(m, &r->used.v[i], 0);
	for (i = 0; i < nl.n; i++)
		ip_set_cloud(m, &nl.v[i], 1);
	iplist_clear(&r->used);
	r->used = nl;
	r->done = 1;
	for (i = 0; i < m->slots.n; i++) {
		s = m->slots.v[i];
		if (cidr_equal(&s->pool->cidr, &r->cidr) && !s->cloud_ready) {
			s->cloud_ready = 1;
			s->gained = 1;
		}
	}
}

void
cloud_discovered(struct eip_model *m, const json_t *b)
{
	const json_t *x;
	size_t i;

	m->disc_corr = 0;
	json_array_foreach(json_object_get(b, "nodes"), i, x)
		discovered_node(m, x);
	json_array_foreach(json_object_get(b, "subnets"), i, x)
		discovered_subnet(m, x);
	if (!m->discovered) {
		m->discovered = 1;
		m->ready = 1;
		m->rediscover_at = m->now + m->cfg.rediscover_ms;
		timer_add(m, m->rediscover_at, CLOUD_KIND, "rediscover");
		log_info("cloud discovery done: deciding");
		queue_all(m);
	}
	model_kick(m);
}

void
cloud_lost(struct eip_model *m, uint16_t type, const char *name,
    uint64_t corr)
{
	struct node *n;
	size_t i;

	if (type == EIP_MSG_CLOUD_DISCOVER) {
		if (m->disc_corr == corr)
			m->disc_corr = 0;
		for (i = 0; i < m->subnets.n; i++)
			((struct subnet_rec *)m->subnets.v[i])->inflight = 0;
		model_kick(m);
		return;
	}
	if ((n = node_get(m, name, 0)) != NULL && n->ens_corr == corr) {
		n->ens_corr = 0;
		n->ens_retry = m->now + 1000;
		timer_add(m, n->ens_retry, K_NODE, n->name);
	}
}

static int
owned_or_placed(const struct eip_model *m, const struct eip_ip *ip)
{
	return ip_owned(m, ip);
}

void
cloud_node_writes(struct eip_model *m, struct node *n)
{
	struct iplist want = { NULL, 0 }, have = { NULL, 0 };
	json_t *b, *desired, *owned;
	char s[CIDR_STRLEN];
	struct ipent *e;
	struct slot *sl;
	size_t i, j;
	int lb, move_wait = 0;

	if (n->cloud != 1 || n->ens_corr != 0 || n->ens_retry > m->now ||
	    !m->leading)
		return;
	want.v = xcalloc(n->nplaced + 1, sizeof(*want.v));
	for (i = 0; i < n->nplaced; i++) {
		e = n->placed[i];
		/* A NIC gets an IP only once no other NIC has it. */
		for (j = 0; j < e->nics.n; j++)
			if (e->nics.v[j] != n)
				break;
		if (j < e->nics.n) {
			move_wait = 1;
			continue;
		}
		want.v[want.n++] = e->ip;
	}
	have.v = xcalloc(n->nic_ips.n + 1, sizeof(*have.v));
	for (i = 0; i < n->nic_ips.n; i++)
		if (owned_or_placed(m, &n->nic_ips.v[i]))
			have.v[have.n++] = n->nic_ips.v[i];
	lb = n->ipam != NULL ? (int)n->ipam->spec.lb : LB_SAME_AS_PRIMARY;
	if (iplist_same_set(&want, &have) && (m->platform != PF_AZURE ||
	    want.n == 0 || n->lb_applied == lb)) {
		iplist_clear(&want);
		iplist_clear(&have);
		(void)move_wait;
		return;
	}
	desired = json_array();
	for (i = 0; i < want.n; i++)
		json_array_append_new(desired, json_string(ip_format(&want.v[i],
		    s, sizeof(s))));
	owned = json_array();
	for (i = 0; i < m->slots.n; i++) {
		sl = m->slots.v[i];
		json_array_append_new(owned, json_string(cidr_format(
		    &sl->pool->cidr, s, sizeof(s))));
	}
	b = json_pack("{s:s, s:o, s:o}", "node", n->name, "owned_cidrs", owned,
	    "desired", desired);
	if (n->provider_id != NULL)
		json_object_set_new(b, "provider_id", json_string(n->provider_id));
	if (n->nic != NULL)
		json_object_set_new(b, "nic", json_string(n->nic));
	if (m->platform == PF_AZURE)
		json_object_set_new(b, "lb_mode", json_string(lb == LB_NONE ?
		    "none" : "same-as-primary-ip"));
	n->ens_lb = lb;
	n->ens_corr = write_send(m, EIP_MSG_CLOUD_ENSURE, n->name, NULL, b,
	    NULL);
	json_decref(b);
	iplist_clear(&want);
	iplist_clear(&have);
}

void
cloud_ensured(struct eip_model *m, uint64_t corr, const json_t *b)
{
	struct pending *p = hmap_del(&m->pend, &corr, sizeof(corr));
	struct node *n = node_get(m, eip_str(b, "node"), 0);
	const char *cls = eip_str(b, "class");
	struct ipent *e;
	int64_t backoff;
	size_t i;

	if (p != NULL) {
		free(p->name);
		free(p->pre_rv);
		json_decref(p->body);
		free(p);
	}
	if (n == NULL || n->ens_corr != corr)
		return;
	n->ens_corr = 0;
	if (json_object_get(b, "ips") != NULL)
		set_nic_ips(m, n, json_object_get(b, "ips"));
	if (eip_int(b, "capacity", -1) >= 0)
		n->cloud_cap = (long)eip_int(b, "capacity", -1);
	q_node(m, n, Q_DIRTY | Q_WRITE);
	if (eip_bool(b, "ok", 0)) {
		n->ens_fails = 0;
		n->lb_applied = n->ens_lb;
		return;
	}
	log_warn("cloud: node %s: %s: %s", n->name, cls, eip_str(b, "message") ?
	    eip_str(b, "message") : "");
	if (streq(cls, "not_found")) {
		n->cloud = -1;		/* the instance is gone: fail over */
		n->disc_pending = 1;
	} else if (streq(cls, "limit_exceeded") && eip_int(b, "capacity", -1) < 0)
		n->cloud_cap = (long)n->nic_ips.n;
	else if (streq(cls, "address_in_use")) {
		for (i = 0; i < n->nplaced; i++) {
			e = n->placed[i];
			if (!cloud_on_nic(n, &e->ip) && e->holder != NULL &&
			    !e->conflict) {
				e->conflict = 1;
				event_send(m, "Namespace", e->holder->name,
				    e->holder->uid, 1, "AddressInUse", "an egress IP "
				    "of this namespace is in use by another network "
				    "interface in the cloud: %s", eip_str(b,
				    "message") ? eip_str(b, "message") : "");
			}
		}
	}
	n->ens_fails++;
	backoff = 1000LL << (n->ens_fails < 8 ? n->ens_fails : 8);
	if (backoff > 300000)
		backoff = 300000;
	n->ens_retry = m->now + backoff;
	timer_add(m, n->ens_retry, K_NODE, n->name);
}
