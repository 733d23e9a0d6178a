/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EgressIPAM spec parsing and validation (see spec.h).  What counts as an
 * error and what as a warning is written down in doc/ALLOCATOR.md:
 * anything that would make an assignment ambiguous is an error; a
 * reservedIP outside its CIDR could never be handed out anyway, so it is
 * only a warning (the upstream README's own example has one).
 */
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "xmalloc.h"

static void
parse_assign(const json_t *ja, size_t idx, struct eip_assign *a,
    struct eip_issues *iss)
{
	const json_t *res, *r;
	const char *s;
	char f[128], cs[CIDR_STRLEN];
	struct eip_ip ip;
	size_t j, k;

	snprintf(f, sizeof(f), "spec.cidrAssignments[%zu].CIDR", idx);
	s = json_string_value(json_object_get(ja, "CIDR"));
	a->cidr_str = xstrdup(s != NULL ? s : "");
	if (s == NULL || cidr_parse(s, &a->cidr) == -1) {
		issues_add(iss, ISSUE_ERROR, f, "\"%s\" is not a CIDR",
		    a->cidr_str);
	} else {
		a->ok = 1;
		if (!ip_equal(&a->cidr.addr, &a->cidr.net))
			issues_add(iss, ISSUE_WARN, f, "%s has host bits set; "
			    "it is used as %s", s,
			    cidr_format(&a->cidr, cs, sizeof(cs)));
	}
	s = json_string_value(json_object_get(ja, "labelValue"));
	a->label_value = xstrdup(s != NULL ? s : "");
	res = json_object_get(ja, "reservedIPs");
	a->reserved = xcalloc(json_array_size(res) + 1, sizeof(*a->reserved));
	json_array_foreach(res, j, r) {
		snprintf(f, sizeof(f), "spec.cidrAssignments[%zu].reservedIPs[%zu]",
		    idx, j);
		s = json_string_value(r);
		if (s == NULL || ip_parse(s, &ip) == -1) {
			issues_add(iss, ISSUE_ERROR, f, "\"%s\" is not an IP "
			    "address", s != NULL ? s : "");
			continue;
		}
		if (!a->ok)
			continue;
		if (!cidr_contains(&a->cidr, &ip)) {
			issues_add(iss, ISSUE_WARN, f, "%s is outside %s and is "
			    "ignored", s, a->cidr_str);
			continue;
		}
		for (k = 0; k < a->nreserved; k++)
			if (ip_equal(&a->reserved[k], &ip))
				break;
		if (k == a->nreserved)
			a->reserved[a->nreserved++] = ip;
	}
}

void
spec_parse(const json_t *spec, const char *azure_lb, struct eip_spec *out)
{
	const json_t *list, *ja;
	const char *tl;
	char f[128];
	size_t i, j;

	memset(out, 0, sizeof(*out));
	list = spec != NULL ? json_object_get(spec, "cidrAssignments") : NULL;
	out->n = json_array_size(list);
	out->a = xcalloc(out->n + 1, sizeof(*out->a));
	json_array_foreach(list, i, ja)
		parse_assign(ja, i, &out->a[i], &out->issues);
	for (i = 0; i < out->n; i++) {
		for (j = 0; j < i; j++) {
			snprintf(f, sizeof(f), "spec.cidrAssignments[%zu]", i);
			if (strcmp(out->a[i].label_value, out->a[j].label_value) == 0)
				issues_add(&out->issues, ISSUE_ERROR, f,
				    "labelValue \"%s\" is also used by "
				    "spec.cidrAssignments[%zu]",
				    out->a[i].label_value, j);
			if (!out->a[i].ok || !out->a[j].ok)
				continue;
			if (cidr_equal(&out->a[i].cidr, &out->a[j].cidr))
				issues_add(&out->issues, ISSUE_ERROR, f,
				    "CIDR %s duplicates spec.cidrAssignments[%zu]",
				    out->a[i].cidr_str, j);
			else if (cidr_overlaps(&out->a[i].cidr, &out->a[j].cidr))
				issues_add(&out->issues, ISSUE_ERROR, f,
				    "CIDR %s overlaps %s of spec.cidrAssignments[%zu]",
				    out->a[i].cidr_str, out->a[j].cidr_str, j);
		}
	}
	tl = spec != NULL ?
	    json_string_value(json_object_get(spec, "topologyLabel")) : NULL;
	if (tl == NULL || tl[0] == '\0')
		issues_add(&out->issues, ISSUE_ERROR, "spec.topologyLabel",
		    "is required");
	else
		out->topology_label = xstrdup(tl);
	selector_parse(spec != NULL ? json_object_get(spec, "nodeSelector") :
	    NULL, "spec.nodeSelector", &out->sel, &out->issues);
	out->lb = LB_SAME_AS_PRIMARY;
	if (azure_lb != NULL && strcmp(azure_lb, "none") == 0)
		out->lb = LB_NONE;
	else if (azure_lb != NULL && strcmp(azure_lb, "same-as-primary-ip") != 0)
		issues_add(&out->issues, ISSUE_WARN, "metadata.annotations[egressip-"
		    "ipam-operator.redhat-cop.io/azure-egress-load-balancer]",
		    "\"%s\" is neither same-as-primary-ip nor none; "
		    "same-as-primary-ip is used", azure_lb);
}

void
spec_clear(struct eip_spec *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->a[i].cidr_str);
		free(s->a[i].label_value);
		free(s->a[i].reserved);
	}
	free(s->a);
	free(s->topology_label);
	selector_clear(&s->sel);
	issues_clear(&s->issues);
	memset(s, 0, sizeof(*s));
}

int
spec_valid(const struct eip_spec *s)
{
	return s->issues.nerrors == 0;
}

int
spec_find_cidr(const struct eip_spec *s, const struct eip_cidr *c)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->a[i].ok && cidr_equal(&s->a[i].cidr, c))
			return (int)i;
	return -1;
}

int
spec_cidr_of(const struct eip_spec *s, const struct eip_ip *ip)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->a[i].ok && cidr_contains(&s->a[i].cidr, ip))
			return (int)i;
	return -1;
}

int
spec_selects(const struct eip_spec *s, const json_t *labels)
{
	return selector_match(&s->sel, labels);
}

int
spec_assignment_of(const struct eip_spec *s, const json_t *labels)
{
	const char *v;
	size_t i;

	if (s->topology_label == NULL || !selector_match(&s->sel, labels))
		return -1;
	v = json_string_value(json_object_get(labels, s->topology_label));
	if (v == NULL)
		return -1;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->a[i].label_value, v) == 0)
			return (int)i;
	return -1;
}

int
spec_is_reserved(const struct eip_spec *s, size_t i, const struct eip_ip *ip)
{
	size_t k;

	for (k = 0; k < s->a[i].nreserved; k++)
		if (ip_equal(&s->a[i].reserved[k], ip))
			return 1;
	return 0;
}
