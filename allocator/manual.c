/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Manual IP annotations (see manual.h).  Parsing is as strict as
 * upstream's: comma-separated, no spaces; an empty value is an empty
 * list, which is a valid prefix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manual.h"
#include "xmalloc.h"

int
manual_parse(const char *annot, struct eip_ip **ips, size_t *n, char *err,
    size_t errlen)
{
	const char *p, *comma;
	size_t cap = 1, len;

	*ips = NULL;
	*n = 0;
	if (annot == NULL || annot[0] == '\0')
		return 0;
	for (p = annot; *p != '\0'; p++)
		if (*p == ',')
			cap++;
	*ips = xcalloc(cap, sizeof(**ips));
	for (p = annot;; p = comma + 1) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (ip_parsen(p, len, &(*ips)[*n]) == -1) {
			snprintf(err, errlen, "element %zu \"%.*s\" is not an IP "
			    "address", *n + 1, (int)(len > 64 ? 64 : len), p);
			free(*ips);
			*ips = NULL;
			*n = 0;
			return -1;
		}
		(*n)++;
		if (comma == NULL)
			break;
	}
	return 0;
}

int
manual_check(const struct eip_ip *ips, size_t n, const struct eip_spec *s,
    char *err, size_t errlen)
{
	char ip[IP_STRLEN];
	size_t i;

	if (n > s->n) {
		snprintf(err, errlen, "%zu IPs for %zu CIDRs", n, s->n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!s->a[i].ok || !cidr_contains(&s->a[i].cidr, &ips[i])) {
			snprintf(err, errlen, "IP %s is not inside CIDR %zu (%s)",
			    ip_format(&ips[i], ip, sizeof(ip)), i + 1,
			    s->a[i].cidr_str);
			return -1;
		}
	}
	return 0;
}

char *
manual_format(const struct eip_ip *ips, size_t n)
{
	char *s = xmalloc(n * (IP_STRLEN + 1) + 1), *p = s;
	size_t i;

	*p = '\0';
	for (i = 0; i < n && ips[i].family != 0; i++) {
		if (i > 0)
			*p++ = ',';
		ip_format(&ips[i], p, IP_STRLEN);
		p += strlen(p);
	}
	return s;
}
