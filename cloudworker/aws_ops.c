/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AWS DISCOVER and ENSURE.  DISCOVER: the nodes' instances (a filter on
 * instance-id, so one terminated instance does not fail the batch), the
 * primary ENI by device index 0, the instance types' address limits
 * (cached), and every address in use in the subnets around the CIDRs
 * (DescribeSubnets, then DescribeNetworkInterfaces page by page).
 * ENSURE: a fresh look at the ENI, the plan, one Unassign and one Assign
 * (AllowReassignment=false) per ENI; an address another ENI holds is set
 * aside and the rest of the batch retried; after a failed change the ENI
 * is read again, so what is reported is what is there.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_int.h"
#include "log.h"
#include "plan.h"
#include "xmalloc.h"

#define ITYPE_BATCH	100

/* ---- DISCOVER ---- */

struct dnode {
	const char	*name;
	char		 iid[72];
	int		 state;		/* 0 looking, 1 found, -1 failed */
	enum cloud_class cls;
	char		 err[300];
	char		*type;
	char		*vpc;
	struct ec2_eni	 eni;
};

struct dsub {
	struct eip_cidr	 cidr;
	char		 subnet_cidr[CIDR_STRLEN];
	struct eip_ip	*used;
	size_t		 nused;
	char		 err[300];
};

struct disc {
	struct aws_op	 op;		/* first: the op is the disc */
	struct dnode	*nodes;
	size_t		 nnodes;
	struct dsub	*subs;
	size_t		 nsubs;
	struct ec2_subnet *subnets;	/* overlapping some CIDR */
	size_t		 nsubnets;
	int		 pending;
	int		 phase;
};

/* One paginated listing: its ids (batch) and where it is. */
struct page {
	struct disc	*d;
	char		**ids;
	size_t		 nids;
};

static void
page_free(struct page *p)
{
	size_t i;

	for (i = 0; i < p->nids; i++)
		free(p->ids[i]);
	free(p->ids);
	free(p);
}

static void
disc_free(struct aws_op *op)
{
	struct disc *d = (struct disc *)op;
	size_t i;

	for (i = 0; i < d->nnodes; i++) {
		free(d->nodes[i].type);
		free(d->nodes[i].vpc);
		ec2_eni_clear(&d->nodes[i].eni);
	}
	for (i = 0; i < d->nsubs; i++)
		free(d->subs[i].used);
	for (i = 0; i < d->nsubnets; i++) {
		free(d->subnets[i].id);
		free(d->subnets[i].vpc_id);
		free(d->subnets[i].zone);
	}
	free(d->subnets);
	free(d->nodes);
	free(d->subs);
	free(d);
}

static void
used_add(struct dsub *s, const struct eip_ip *ip)
{
	if (!cidr_contains(&s->cidr, ip) || plan_has(s->used, s->nused, ip))
		return;
	s->used = xreallocarray(s->used, s->nused + 1, sizeof(*s->used));
	s->used[s->nused++] = *ip;
}

static json_t *
disc_reply(struct disc *d)
{
	json_t *nodes = json_array(), *subs = json_array(), *n, *s;
	struct eip_cidr *cidrs = xcalloc(d->nsubs + 1, sizeof(*cidrs));
	char buf[CIDR_STRLEN];
	size_t i;
	int cap, lim;

	for (i = 0; i < d->nsubs; i++)
		cidrs[i] = d->subs[i].cidr;
	for (i = 0; i < d->nnodes; i++) {
		struct dnode *x = &d->nodes[i];

		if (x->state != 1) {
			n = json_pack("{s:s, s:b, s:s}", "name", x->name, "ok", 0,
			    "class", cloud_class_name(x->state == 0 ?
			    CC_NOT_FOUND : x->cls));
			json_object_set_new(n, "error", cw_safe_string(
			    x->state == 0 ? "the instance does not exist" :
			    x->err));
			json_array_append_new(nodes, n);
			continue;
		}
		n = json_pack("{s:s, s:b, s:s, s:s, s:o}", "name", x->name,
		    "ok", 1, "instance", x->iid, "nic", x->eni.id, "ips",
		    cw_ips_json(x->eni.ips, x->eni.nips));
		if (x->eni.primary_ip.family != 0)
			json_object_set_new(n, "primary_ip", json_string(
			    ip_format(&x->eni.primary_ip, buf, sizeof(buf))));
		lim = aws_itype_limit(d->op.aws, x->type);
		/* A delegated prefix takes one slot. */
		cap = plan_capacity(lim, x->eni.primary_ip.family != 0,
		    plan_foreign(x->eni.ips, x->eni.nips,
		    x->eni.primary_ip.family != 0 ? &x->eni.primary_ip : NULL,
		    cidrs, d->nsubs) + x->eni.nprefixes);
		if (cap >= 0)
			json_object_set_new(n, "capacity", json_integer(cap));
		json_array_append_new(nodes, n);
	}
	for (i = 0; i < d->nsubs; i++) {
		struct dsub *x = &d->subs[i];

		s = json_pack("{s:s}", "cidr", cidr_format(&x->cidr, buf,
		    sizeof(buf)));
		if (x->err[0]) {
			json_object_set_new(s, "error", cw_safe_string(x->err));
		} else {
			if (x->subnet_cidr[0])
				json_object_set_new(s, "subnet_cidr",
				    json_string(x->subnet_cidr));
			json_object_set_new(s, "used", cw_ips_json(x->used,
			    x->nused));
		}
		json_array_append_new(subs, s);
	}
	free(cidrs);
	return json_pack("{s:o, s:o}", "nodes", nodes, "subnets", subs);
}

static void disc_step(struct disc *);

/* One more piece of work done; the last one moves to the next phase. */
static void
disc_release(struct disc *d)
{
	if (--d->pending == 0)
		disc_step(d);
}

static void
subs_fail(struct disc *d, const char *what, const struct cw_resp *rs)
{
	size_t i;

	for (i = 0; i < d->nsubs; i++)
		if (d->subs[i].err[0] == '\0')
			snprintf(d->subs[i].err, sizeof(d->subs[i].err),
			    "%s: %s", what, rs->message[0] ? rs->message :
			    cloud_class_name(rs->cls));
}

static void
instances_done(struct aws_req *r, struct cw_resp *rs)
{
	struct page *p = r->arg;
	struct disc *d = p->d;
	struct ec2_instances l;
	const struct ec2_eni *e;
	char err[256];
	size_t i, j;

	if (rs->cls != CC_OK || ec2_parse_instances(rs->body, rs->body_len,
	    &l, err, sizeof(err)) == -1) {
		for (i = 0; i < d->nnodes; i++)
			for (j = 0; j < p->nids; j++)
				if (d->nodes[i].state == 0 &&
				    strcmp(d->nodes[i].iid, p->ids[j]) == 0) {
					d->nodes[i].state = -1;
					d->nodes[i].cls = rs->cls != CC_OK ?
					    rs->cls : CC_TRANSIENT;
					snprintf(d->nodes[i].err,
					    sizeof(d->nodes[i].err),
					    "DescribeInstances: %s",
					    rs->cls != CC_OK ? rs->message : err);
				}
		page_free(p);
		disc_release(d);
		return;
	}
	for (i = 0; i < l.n; i++)
		for (j = 0; j < d->nnodes; j++) {
			struct dnode *x = &d->nodes[j];

			if (x->state != 0 || strcmp(x->iid, l.v[i].id) != 0)
				continue;
			if (l.v[i].state != NULL && (strcmp(l.v[i].state,
			    "terminated") == 0 || strcmp(l.v[i].state,
			    "shutting-down") == 0)) {
				x->state = -1;
				x->cls = CC_NOT_FOUND;
				snprintf(x->err, sizeof(x->err), "instance %s is "
				    "%s", x->iid, l.v[i].state);
				continue;
			}
			if ((e = ec2_primary_eni(&l.v[i])) == NULL) {
				x->state = -1;
				x->cls = CC_NOT_FOUND;
				snprintf(x->err, sizeof(x->err), "instance %s has "
				    "no network interface at device index 0",
				    x->iid);
				continue;
			}
			x->state = 1;
			x->type = l.v[i].type != NULL ? xstrdup(l.v[i].type) :
			    NULL;
			x->vpc = l.v[i].vpc_id != NULL ?
			    xstrdup(l.v[i].vpc_id) : NULL;
			x->eni = *e;
			/* Taken over: the list must not free it. */
			memset((struct ec2_eni *)e, 0, sizeof(*e));
		}
	if (l.next_token != NULL) {
		aws_send(&d->op, CW_API_EC2_DESCRIBE, "DescribeInstances",
		    ec2_req_describe_instances((const char *const *)p->ids,
		    p->nids, l.next_token), instances_done, p);
		ec2_instances_clear(&l);
		return;
	}
	ec2_instances_clear(&l);
	page_free(p);
	disc_release(d);
}

static void
itypes_done(struct aws_req *r, struct cw_resp *rs)
{
	struct page *p = r->arg;
	struct disc *d = p->d;
	struct ec2_itypes l;
	char err[256];

	if (rs->cls != CC_OK || ec2_parse_instance_types(rs->body,
	    rs->body_len, &l, err, sizeof(err)) == -1) {
		/* Capacity stays unknown; the nodes themselves are fine. */
		log_warn("cloud: DescribeInstanceTypes: %s", rs->cls != CC_OK ?
		    rs->message : err);
		page_free(p);
		disc_release(d);
		return;
	}
	aws_itype_store(d->op.aws, &l);
	if (l.next_token != NULL) {
		aws_send(&d->op, CW_API_EC2_DESCRIBE, "DescribeInstanceTypes",
		    ec2_req_describe_instance_types((const char *const *)p->ids,
		    p->nids, l.next_token), itypes_done, p);
		ec2_itypes_clear(&l);
		return;
	}
	ec2_itypes_clear(&l);
	page_free(p);
	disc_release(d);
}

static void
enis_done(struct aws_req *r, struct cw_resp *rs)
{
	struct page *p = r->arg;
	struct disc *d = p->d;
	struct ec2_enis l;
	char err[256];
	size_t i, j, k;

	if (rs->cls != CC_OK || ec2_parse_enis(rs->body, rs->body_len, &l,
	    err, sizeof(err)) == -1) {
		if (rs->cls != CC_OK)
			subs_fail(d, "DescribeNetworkInterfaces", rs);
		else {
			struct cw_resp x = *rs;

			snprintf(x.message, sizeof(x.message), "%s", err);
			subs_fail(d, "DescribeNetworkInterfaces", &x);
		}
		page_free(p);
		disc_release(d);
		return;
	}
	for (i = 0; i < l.n; i++)
		for (k = 0; k < d->nsubs; k++) {
			for (j = 0; j < l.v[i].nips; j++)
				used_add(&d->subs[k], &l.v[i].ips[j]);
			for (j = 0; j < l.v[i].nprefix_ips; j++)
				used_add(&d->subs[k], &l.v[i].prefix_ips[j]);
		}
	if (l.next_token != NULL) {
		aws_send(&d->op, CW_API_EC2_DESCRIBE,
		    "DescribeNetworkInterfaces", ec2_req_describe_enis(
		    (const char *const *)p->ids, p->nids, l.next_token),
		    enis_done, p);
		ec2_enis_clear(&l);
		return;
	}
	ec2_enis_clear(&l);
	page_free(p);
	disc_release(d);
}

/* Sends a paginated listing per batch of ids (at most per). */
static void
send_batches(struct disc *d, const char *action, char **ids, size_t n,
    size_t per, char *(*build)(const char *const *, size_t, const char *),
    aws_req_cb cb)
{
	struct page *p;
	size_t i, k;

	for (i = 0; i < n; i += per) {
		p = xcalloc(1, sizeof(*p));
		p->d = d;
		p->nids = n - i < per ? n - i : per;
		p->ids = xcalloc(p->nids, sizeof(*p->ids));
		for (k = 0; k < p->nids; k++)
			p->ids[k] = xstrdup(ids[i + k]);
		d->pending++;
		aws_send(&d->op, CW_API_EC2_DESCRIBE, action, build(
		    (const char *const *)p->ids, p->nids, NULL), cb, p);
	}
}

static void
subnets_done(struct aws_req *r, struct cw_resp *rs)
{
	struct page *p = r->arg;
	struct disc *d = p->d;
	struct ec2_subnets l;
	char err[256];
	size_t i, k;

	if (rs->cls != CC_OK || ec2_parse_subnets(rs->body, rs->body_len, &l,
	    err, sizeof(err)) == -1) {
		struct cw_resp x = *rs;

		if (rs->cls == CC_OK)
			snprintf(x.message, sizeof(x.message), "%s", err);
		subs_fail(d, "DescribeSubnets", &x);
		page_free(p);
		disc_release(d);
		return;
	}
	for (i = 0; i < l.n; i++) {
		int keep = 0;

		for (k = 0; k < d->nsubs; k++) {
			struct dsub *s = &d->subs[k];
			char buf[CIDR_STRLEN];
			struct eip_ip ip;
			u128 o;

			if (!cidr_overlaps(&l.v[i].cidr, &s->cidr))
				continue;
			keep = 1;
			/* The subnet holding the CIDR, else one overlapping. */
			if (s->subnet_cidr[0] == '\0' || l.v[i].cidr.len <=
			    s->cidr.len)
				snprintf(s->subnet_cidr, sizeof(s->subnet_cidr),
				    "%s", cidr_format(&l.v[i].cidr, buf,
				    sizeof(buf)));
			/* AWS reserves the first four and the last address. */
			for (o = 0; o < 4 && o <= cidr_last_offset(
			    &l.v[i].cidr); o++) {
				cidr_nth(&l.v[i].cidr, o, &ip);
				used_add(s, &ip);
			}
			cidr_broadcast(&l.v[i].cidr, &ip);
			used_add(s, &ip);
		}
		if (!keep)
			continue;
		d->subnets = xreallocarray(d->subnets, d->nsubnets + 1,
		    sizeof(*d->subnets));
		d->subnets[d->nsubnets++] = l.v[i];
		memset(&l.v[i], 0, sizeof(l.v[i]));
	}
	if (l.next_token != NULL) {
		aws_send(&d->op, CW_API_EC2_DESCRIBE, "DescribeSubnets",
		    ec2_req_describe_subnets((const char *const *)p->ids,
		    p->nids, l.next_token), subnets_done, p);
		ec2_subnets_clear(&l);
		return;
	}
	ec2_subnets_clear(&l);
	page_free(p);
	/* The subnets are known: list every interface in them. */
	if (d->nsubnets > 0) {
		char **ids = xcalloc(d->nsubnets, sizeof(*ids));

		for (i = 0; i < d->nsubnets; i++)
			ids[i] = d->subnets[i].id;
		send_batches(d, "DescribeNetworkInterfaces", ids, d->nsubnets,
		    EC2_FILTER_MAX, ec2_req_describe_enis, enis_done);
		free(ids);
	} else
		for (k = 0; k < d->nsubs; k++)
			log_warn("cloud: no VPC subnet overlaps %s",
			    cidr_format(&d->subs[k].cidr, err, sizeof(err)));
	disc_release(d);
}

static void
disc_step(struct disc *d)
{
	char **ids;
	size_t i, n = 0, k;

	/* Held while sending, so a quick answer cannot end us early. */
	d->pending = 1;
	switch (d->phase++) {
	case 0:
		ids = xcalloc(d->nnodes + 1, sizeof(*ids));
		for (i = 0; i < d->nnodes; i++)
			if (d->nodes[i].state == 0)
				ids[n++] = d->nodes[i].iid;
		send_batches(d, "DescribeInstances", ids, n, EC2_FILTER_MAX,
		    ec2_req_describe_instances, instances_done);
		free(ids);
		break;
	case 1:
		/* Instance types not cached yet, once each. */
		ids = xcalloc(d->nnodes + 1, sizeof(*ids));
		for (i = 0; i < d->nnodes; i++) {
			const char *t = d->nodes[i].type;

			if (d->nodes[i].state != 1 || t == NULL ||
			    aws_itype_limit(d->op.aws, t) >= 0)
				continue;
			for (k = 0; k < n && strcmp(ids[k], t) != 0; k++)
				;
			if (k == n)
				ids[n++] = (char *)t;
		}
		send_batches(d, "DescribeInstanceTypes", ids, n, ITYPE_BATCH,
		    ec2_req_describe_instance_types, itypes_done);
		free(ids);
		/* The VPCs of the nodes narrow the subnet listing. */
		if (d->nsubs > 0) {
			struct page *p = xcalloc(1, sizeof(*p));

			p->d = d;
			p->ids = xcalloc(d->nnodes + 1, sizeof(*p->ids));
			for (i = 0; i < d->nnodes; i++) {
				const char *v = d->nodes[i].vpc;

				if (d->nodes[i].state != 1 || v == NULL)
					continue;
				for (k = 0; k < p->nids &&
				    strcmp(p->ids[k], v) != 0; k++)
					;
				if (k == p->nids && p->nids < EC2_FILTER_MAX)
					p->ids[p->nids++] = xstrdup(v);
			}
			d->pending++;
			aws_send(&d->op, CW_API_EC2_DESCRIBE, "DescribeSubnets",
			    ec2_req_describe_subnets((const char *const *)
			    p->ids, p->nids, NULL), subnets_done, p);
		}
		break;
	default:
		aws_op_finish(&d->op, disc_reply(d));
		return;
	}
	disc_release(d);
}

void
aws_discover(void *arg, struct cw_task *t)
{
	struct aws *aws = arg;
	struct disc *d = xcalloc(1, sizeof(*d));
	const json_t *nodes = json_object_get(t->req, "nodes"), *v;
	struct eip_cidr *cidrs;
	size_t i, n;

	aws_op_add(aws, &d->op, t, disc_free);
	d->nnodes = json_array_size(nodes);
	d->nodes = xcalloc(d->nnodes + 1, sizeof(*d->nodes));
	json_array_foreach(nodes, i, v) {
		struct dnode *x = &d->nodes[i];
		const char *pid = json_string_value(json_object_get(v,
		    "provider_id"));

		x->name = json_string_value(json_object_get(v, "name"));
		if (ec2_instance_from_provider_id(pid, x->iid,
		    sizeof(x->iid)) == -1) {
			x->state = -1;
			x->cls = CC_NOT_FOUND;
			snprintf(x->err, sizeof(x->err), pid == NULL ?
			    "the node has no providerID yet" : "providerID "
			    "%.200s is not an AWS instance", pid);
		}
	}
	n = cw_json_cidrs(json_object_get(t->req, "cidrs"), &cidrs);
	d->nsubs = n;
	d->subs = xcalloc(n + 1, sizeof(*d->subs));
	for (i = 0; i < n; i++)
		d->subs[i].cidr = cidrs[i];
	free(cidrs);
	disc_step(d);
}

/* ---- ENSURE ---- */

struct ens {
	struct aws_op	 op;
	char		 iid[72];
	char		*eni;
	char		*type;
	int		 limit;
	size_t		 nprefixes;	/* delegated prefixes on the ENI */
	struct eip_ip	 primary;
	int		 has_primary;
	struct eip_ip	*cur;		/* every address on the ENI */
	size_t		 ncur;
	struct eip_cidr	*owned;
	size_t		 nowned;
	struct eip_ip	*desired;
	size_t		 ndesired;
	struct ensure_plan plan;
	struct eip_ip	*in_use;	/* held by another interface */
	size_t		 nin_use;
	struct eip_ip	*todo;		/* left of the Assign batch */
	size_t		 ntodo;
	int		 one_by_one;
	int		 replans;
	int		 verify;	/* read the ENI again before replying */
	int		 verified;
	enum cloud_class err_cls;
	char		 err[600];
};

static void
ens_free(struct aws_op *op)
{
	struct ens *e = (struct ens *)op;

	free(e->eni);
	free(e->type);
	free(e->cur);
	free(e->owned);
	free(e->desired);
	free(e->in_use);
	free(e->todo);
	ensure_plan_clear(&e->plan);
	free(e);
}

static void ens_describe(struct ens *);
static void ens_unassign(struct ens *);
static void ens_assign(struct ens *);

static void ens_error(struct ens *, enum cloud_class, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* The first error of an ENSURE is the one reported. */
static void
ens_error(struct ens *e, enum cloud_class cls, const char *fmt, ...)
{
	va_list ap;

	if (e->err_cls != CC_OK)
		return;
	e->err_cls = cls;
	va_start(ap, fmt);
	vsnprintf(e->err, sizeof(e->err), fmt, ap);
	va_end(ap);
}

static void
ens_reply(struct ens *e)
{
	struct eip_ip *mine;
	size_t n = 0, i, nforeign;
	enum cloud_class cls = e->err_cls;
	char msg[900], s[IP_STRLEN];
	int cap;

	mine = xcalloc(e->ncur + 1, sizeof(*mine));
	for (i = 0; i < e->ncur; i++)
		if (!(e->has_primary && ip_equal(&e->cur[i], &e->primary)) &&
		    plan_owned(e->owned, e->nowned, &e->cur[i]))
			mine[n++] = e->cur[i];
	nforeign = plan_foreign(e->cur, e->ncur, e->has_primary ? &e->primary :
	    NULL, e->owned, e->nowned);
	cap = plan_capacity(e->limit, e->has_primary, nforeign + e->nprefixes);
	snprintf(msg, sizeof(msg), "%s", e->err);
	if (cls == CC_OK && e->nin_use > 0) {
		size_t o = 0;

		cls = CC_ADDRESS_IN_USE;
		o = (size_t)snprintf(msg, sizeof(msg), "held by another network "
		    "interface:");
		for (i = 0; i < e->nin_use && o < sizeof(msg) - IP_STRLEN - 2;
		    i++)
			o += (size_t)snprintf(msg + o, sizeof(msg) - o, " %s",
			    ip_format(&e->in_use[i], s, sizeof(s)));
	} else if (cls == CC_OK && e->plan.nno_room > 0) {
		cls = CC_LIMIT_EXCEEDED;
		snprintf(msg, sizeof(msg), "%s (%s) has room for %d operator "
		    "addresses; %zu did not fit", e->eni, e->type != NULL ?
		    e->type : "?", cap, e->plan.nno_room);
	}
	aws_op_finish(&e->op, cw_ensure_reply(e->op.task, cls, msg, mine, n,
	    cap));
	free(mine);
}

static void
cur_remove(struct ens *e, const struct eip_ip *v, size_t n)
{
	size_t i;

	for (i = 0; i < e->ncur; i++)
		if (plan_has(v, n, &e->cur[i]))
			e->cur[i--] = e->cur[--e->ncur];
}

static void
cur_add(struct ens *e, const struct eip_ip *ip)
{
	if (plan_has(e->cur, e->ncur, ip))
		return;
	e->cur = xreallocarray(e->cur, e->ncur + 1, sizeof(*e->cur));
	e->cur[e->ncur++] = *ip;
}

/* After a failed change: read the truth, then reply. */
static void
ens_finish(struct ens *e)
{
	if (e->verify && !e->verified) {
		e->verified = 1;
		ens_describe(e);
		return;
	}
	ens_reply(e);
}

static void
ens_plan(struct ens *e)
{
	struct ensure_input in;
	char err[300];
	size_t i;

	for (i = 0; i < e->ndesired; i++)
		if (e->desired[i].family != 4) {
			ens_error(e, CC_INVALID, "%s", "IPv6 egress addresses "
			    "are not supported on AWS");
			ens_reply(e);
			return;
		}
	ensure_plan_clear(&e->plan);
	memset(&in, 0, sizeof(in));
	in.current = e->cur;
	in.ncurrent = e->ncur;
	in.primary = e->has_primary ? &e->primary : NULL;
	in.owned = e->owned;
	in.nowned = e->nowned;
	in.desired = e->desired;
	in.ndesired = e->ndesired;
	/* Each delegated prefix takes a slot of the limit. */
	in.limit = e->limit > 0 ? e->limit - (int)e->nprefixes : e->limit;
	if (e->limit > 0 && in.limit < 1)
		in.limit = 1;
	if (ensure_plan_make(&in, &e->plan, err, sizeof(err)) == -1) {
		ens_error(e, CC_INVALID, "%s", err);
		ens_reply(e);
		return;
	}
	/* Addresses known to be elsewhere are not asked for again. */
	for (i = 0; i < e->plan.nadd; i++)
		if (plan_has(e->in_use, e->nin_use, &e->plan.add[i]))
			e->plan.add[i--] = e->plan.add[--e->plan.nadd];
	free(e->todo);
	e->todo = xcalloc(e->plan.nadd + 1, sizeof(*e->todo));
	if (e->plan.nadd > 0)
		memcpy(e->todo, e->plan.add, e->plan.nadd * sizeof(*e->todo));
	e->ntodo = e->plan.nadd;
	e->one_by_one = 0;
	if (e->plan.nremove > 0) {
		ens_unassign(e);
		return;
	}
	ens_assign(e);
}

static void
unassign_done(struct aws_req *r, struct cw_resp *rs)
{
	struct ens *e = (struct ens *)r->op;
	char err[256];

	if (rs->cls == CC_OK && ec2_parse_unassign(rs->body, rs->body_len, err,
	    sizeof(err)) == 0) {
		cur_remove(e, e->plan.remove, e->plan.nremove);
		ens_assign(e);
		return;
	}
	/* An address already gone (a race): look again and replan. */
	if (rs->cls == CC_INVALID && e->replans < 2) {
		e->replans++;
		ens_describe(e);
		return;
	}
	e->verify = 1;
	ens_error(e, rs->cls != CC_OK ? rs->cls : CC_TRANSIENT,
	    "UnassignPrivateIpAddresses: %s", rs->cls != CC_OK ? rs->message :
	    err);
	ens_finish(e);
}

static void
ens_unassign(struct ens *e)
{
	aws_send(&e->op, CW_API_EC2_MUTATE, "UnassignPrivateIpAddresses",
	    ec2_req_unassign(e->eni, e->plan.remove, e->plan.nremove),
	    unassign_done, NULL);
}

static void
assign_done(struct aws_req *r, struct cw_resp *rs)
{
	struct ens *e = (struct ens *)r->op;
	struct eip_ip *ips, *named;
	size_t n = r->arg != NULL ? 1 : e->ntodo, k, i;
	char err[256];

	if (rs->cls == CC_OK) {
		if (ec2_parse_assign(rs->body, rs->body_len, &ips, &k, err,
		    sizeof(err)) == 0)
			free(ips);
		/* What we asked for is there (the answer may list none). */
		for (i = 0; i < n; i++)
			cur_add(e, &e->todo[i]);
		memmove(e->todo, e->todo + n, (e->ntodo - n) * sizeof(*e->todo));
		e->ntodo -= n;
		ens_assign(e);
		return;
	}
	if (rs->cls == CC_ADDRESS_IN_USE) {
		k = plan_ips_in_text(rs->message, e->todo, n, &named);
		if (k == 0 && n == 1) {
			named = xcalloc(1, sizeof(*named));
			named[0] = e->todo[0];
			k = 1;
		}
		if (k > 0) {
			/* Set those aside; the rest of the batch goes again. */
			for (i = 0; i < k; i++) {
				e->in_use = xreallocarray(e->in_use,
				    e->nin_use + 1, sizeof(*e->in_use));
				e->in_use[e->nin_use++] = named[i];
			}
			for (i = 0; i < e->ntodo; i++)
				if (plan_has(named, k, &e->todo[i])) {
					memmove(e->todo + i, e->todo + i + 1,
					    (e->ntodo - i - 1) *
					    sizeof(*e->todo));
					e->ntodo--;
					i--;
				}
			free(named);
		} else
			/* Cannot tell which: one at a time finds out. */
			e->one_by_one = 1;
		ens_assign(e);
		return;
	}
	if (rs->cls == CC_LIMIT_EXCEEDED && e->replans < 2) {
		/* Someone else took room since we looked: look again. */
		e->replans++;
		ens_describe(e);
		return;
	}
	e->verify = 1;
	ens_error(e, rs->cls, "AssignPrivateIpAddresses: %s", rs->message);
	ens_finish(e);
}

static void
ens_assign(struct ens *e)
{
	size_t n;

	if (e->ntodo == 0) {
		ens_finish(e);
		return;
	}
	n = e->one_by_one ? 1 : e->ntodo;
	aws_send(&e->op, CW_API_EC2_MUTATE, "AssignPrivateIpAddresses",
	    ec2_req_assign(e->eni, e->todo, n), assign_done,
	    e->one_by_one ? e : NULL);
}

static void
itype_done(struct aws_req *r, struct cw_resp *rs)
{
	struct ens *e = (struct ens *)r->op;
	struct ec2_itypes l;
	char err[256];

	if (rs->cls == CC_OK && ec2_parse_instance_types(rs->body,
	    rs->body_len, &l, err, sizeof(err)) == 0) {
		aws_itype_store(e->op.aws, &l);
		ec2_itypes_clear(&l);
	} else
		log_warn("cloud: DescribeInstanceTypes %s: %s", e->type,
		    rs->cls != CC_OK ? rs->message : err);
	/* Unknown stays unknown: EC2 still enforces its limit. */
	e->limit = aws_itype_limit(e->op.aws, e->type);
	ens_plan(e);
}

static void
describe_done(struct aws_req *r, struct cw_resp *rs)
{
	struct ens *e = (struct ens *)r->op;
	struct ec2_instances l;
	const struct ec2_eni *eni = NULL;
	char err[256];
	size_t i;

	if (rs->cls != CC_OK || ec2_parse_instances(rs->body, rs->body_len,
	    &l, err, sizeof(err)) == -1) {
		ens_error(e, rs->cls != CC_OK ? rs->cls : CC_TRANSIENT,
		    "DescribeInstances: %s", rs->cls != CC_OK ? rs->message :
		    err);
		/* Whatever we believed is all we can report. */
		e->verify = 0;
		ens_reply(e);
		return;
	}
	for (i = 0; i < l.n; i++)
		if (strcmp(l.v[i].id, e->iid) == 0 &&
		    (eni = ec2_primary_eni(&l.v[i])) != NULL)
			break;
	if (eni == NULL || (l.v[i].state != NULL && strcmp(l.v[i].state,
	    "terminated") == 0)) {
		ec2_instances_clear(&l);
		ens_error(e, CC_NOT_FOUND, "instance %s or its primary network "
		    "interface does not exist", e->iid);
		free(e->cur);
		e->cur = NULL;
		e->ncur = 0;
		ens_reply(e);
		return;
	}
	free(e->eni);
	e->eni = xstrdup(eni->id);
	free(e->type);
	e->type = l.v[i].type != NULL ? xstrdup(l.v[i].type) : NULL;
	e->has_primary = eni->primary_ip.family != 0;
	e->primary = eni->primary_ip;
	e->nprefixes = eni->nprefixes;
	free(e->cur);
	e->cur = xcalloc(eni->nips + 1, sizeof(*e->cur));
	if (eni->nips > 0)
		memcpy(e->cur, eni->ips, eni->nips * sizeof(*e->cur));
	e->ncur = eni->nips;
	ec2_instances_clear(&l);
	if (e->verified) {
		ens_reply(e);
		return;
	}
	if ((e->limit = aws_itype_limit(e->op.aws, e->type)) < 0 &&
	    e->type != NULL) {
		const char *t = e->type;

		aws_send(&e->op, CW_API_EC2_DESCRIBE, "DescribeInstanceTypes",
		    ec2_req_describe_instance_types(&t, 1, NULL), itype_done,
		    NULL);
		return;
	}
	ens_plan(e);
}

static void
ens_describe(struct ens *e)
{
	const char *id = e->iid;

	aws_send(&e->op, CW_API_EC2_DESCRIBE, "DescribeInstances",
	    ec2_req_describe_instances(&id, 1, NULL), describe_done, NULL);
}

void
aws_ensure(void *arg, struct cw_task *t)
{
	struct aws *aws = arg;
	struct ens *e = xcalloc(1, sizeof(*e));
	const char *pid = json_string_value(json_object_get(t->req,
	    "provider_id"));

	aws_op_add(aws, &e->op, t, ens_free);
	e->limit = -1;
	e->nowned = cw_json_cidrs(json_object_get(t->req, "owned_cidrs"),
	    &e->owned);
	e->ndesired = cw_json_ips(json_object_get(t->req, "desired"),
	    &e->desired);
	if (ec2_instance_from_provider_id(pid, e->iid, sizeof(e->iid)) == -1) {
		ens_error(e, CC_NOT_FOUND, "%s", pid == NULL ? "the node has no "
		    "providerID" : "the providerID is not an AWS instance");
		ens_reply(e);
		return;
	}
	ens_describe(e);
}
