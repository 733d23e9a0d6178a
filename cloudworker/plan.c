/* SPDX-License-Identifier: Apache-2.0 */
/* The ENSURE plan (see plan.h): set differences bounded by the NIC's room. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "xmalloc.h"

int
plan_has(const struct eip_ip *v, size_t n, const struct eip_ip *ip)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ip_equal(&v[i], ip))
			return 1;
	return 0;
}

int
plan_owned(const struct eip_cidr *c, size_t n, const struct eip_ip *ip)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cidr_contains(&c[i], ip))
			return 1;
	return 0;
}

size_t
plan_foreign(const struct eip_ip *cur, size_t n, const struct eip_ip *primary,
    const struct eip_cidr *owned, size_t nowned)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (primary != NULL && ip_equal(&cur[i], primary))
			continue;
		if (!plan_owned(owned, nowned, &cur[i]))
			k++;
	}
	return k;
}

int
plan_capacity(int limit, int has_primary, size_t nforeign)
{
	long c;

	if (limit <= 0)
		return -1;
	c = (long)limit - (has_primary ? 1 : 0) - (long)nforeign;
	return c < 0 ? 0 : (int)c;
}

static void
push(struct eip_ip **v, size_t *n, const struct eip_ip *ip)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = *ip;
}

int
ensure_plan_make(const struct ensure_input *in, struct ensure_plan *p,
    char *err, size_t errlen)
{
	char s[IP_STRLEN];
	size_t i, used;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < in->ndesired; i++) {
		if (!plan_owned(in->owned, in->nowned, &in->desired[i])) {
			snprintf(err, errlen, "desired address %s is outside "
			    "the owned CIDRs", ip_format(&in->desired[i], s,
			    sizeof(s)));
			return -1;
		}
		if (in->primary != NULL && ip_equal(&in->desired[i],
		    in->primary)) {
			snprintf(err, errlen, "desired address %s is the "
			    "NIC's primary address", ip_format(in->primary, s,
			    sizeof(s)));
			return -1;
		}
	}
	p->nforeign = plan_foreign(in->current, in->ncurrent, in->primary,
	    in->owned, in->nowned);
	p->capacity = plan_capacity(in->limit, in->primary != NULL,
	    p->nforeign);
	for (i = 0; i < in->ncurrent; i++) {
		const struct eip_ip *ip = &in->current[i];

		if ((in->primary != NULL && ip_equal(ip, in->primary)) ||
		    !plan_owned(in->owned, in->nowned, ip) ||
		    plan_has(p->remove, p->nremove, ip) ||
		    plan_has(p->keep, p->nkeep, ip))
			continue;
		if (plan_has(in->desired, in->ndesired, ip))
			push(&p->keep, &p->nkeep, ip);
		else
			push(&p->remove, &p->nremove, ip);
	}
	used = p->nkeep;
	for (i = 0; i < in->ndesired; i++) {
		const struct eip_ip *ip = &in->desired[i];

		if (plan_has(p->keep, p->nkeep, ip) ||
		    plan_has(p->add, p->nadd, ip) ||
		    plan_has(p->no_room, p->nno_room, ip))
			continue;
		if (p->capacity >= 0 && used >= (size_t)p->capacity) {
			push(&p->no_room, &p->nno_room, ip);
			continue;
		}
		push(&p->add, &p->nadd, ip);
		used++;
	}
	return 0;
}

void
ensure_plan_clear(struct ensure_plan *p)
{
	free(p->add);
	free(p->remove);
	free(p->keep);
	free(p->no_room);
	memset(p, 0, sizeof(*p));
}

size_t
plan_ips_in_text(const char *text, const struct eip_ip *among, size_t n,
    struct eip_ip **out)
{
	const char *p = text, *s;
	struct eip_ip ip;
	size_t k = 0, len;

	*out = NULL;
	while (p != NULL && *p != '\0') {
		/* A token of address characters, IPv4 or IPv6. */
		s = p;
		while (*p != '\0' && (isxdigit((unsigned char)*p) ||
		    *p == '.' || *p == ':'))
			p++;
		len = (size_t)(p - s);
		while (len > 0 && (s[len - 1] == '.' || s[len - 1] == ':'))
			len--;
		if (len > 0 && len < IP_STRLEN && ip_parsen(s, len, &ip) == 0 &&
		    plan_has(among, n, &ip) && !plan_has(*out, k, &ip)) {
			*out = xreallocarray(*out, k + 1, sizeof(**out));
			(*out)[k++] = ip;
		}
		if (*p != '\0')
			p++;
	}
	return k;
}
