/* SPDX-License-Identifier: Apache-2.0 */
/* Small assertions the allocator's scenario tests share. */
#ifndef ALLOC_TESTLIB_H
#define ALLOC_TESTLIB_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_fake.h"
#include "ipaddr.h"

#define WORKER	"\"node-role.kubernetes.io/worker\":\"\""
#define GW	"{" WORKER ",\"egressGateway\":\"true\"}"

static inline int
in_cidr(const char *ip, const char *cidr)
{
	struct eip_cidr c;
	struct eip_ip a;

	return ip != NULL && ip_parse(ip, &a) == 0 && cidr_parse(cidr, &c) == 0 &&
	    cidr_contains(&c, &a);
}

static inline void
assert_list(struct fake *f, enum fk k, const char *name, const char *key,
    const char *want)
{
	char *s = fake_list(f, k, name, key);

	ck_assert_msg(strcmp(s, want) == 0, "%s %s: got '%s', want '%s'", name,
	    key, s, want);
	free(s);
}

static inline const char *
nth_ip(const char *annot, int n, char *buf, size_t len)
{
	const char *p = annot, *c;

	while (n-- > 0 && p != NULL && (p = strchr(p, ',')) != NULL)
		p++;
	if (p == NULL)
		return NULL;
	c = strchr(p, ',');
	snprintf(buf, len, "%.*s", (int)(c != NULL ? (size_t)(c - p) :
	    strlen(p)), p);
	return buf;
}

/* A one-CIDR bare-metal IPAM named "e" on gateway nodes g1, g2. */
static inline struct fake *
simple(const char *cidr, const struct eip_model_config *cfg)
{
	struct fake *f = fake_new("OpenShiftSDN", "BareMetal", cfg);
	char spec[512];

	fake_node(f, "g1", GW, "True", "172.16.0.1", -1);
	fake_node(f, "g2", GW, "True", "172.16.0.2", -1);
	snprintf(spec, sizeof(spec), "{\"cidrAssignments\":[{\"labelValue\":"
	    "\"true\",\"CIDR\":\"%s\"}],\"topologyLabel\":\"egressGateway\"}",
	    cidr);
	fake_ipam(f, "e", spec, NULL);
	return f;
}

static inline struct eip_model_config *
lowest(struct eip_model_config *cfg)
{
	model_config_default(cfg);
	cfg->sel = POOL_SEL_LOWEST;
	return cfg;
}

#endif
