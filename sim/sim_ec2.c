/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated EC2 account: building it from the scenario, nodes coming
 * and going, the request pipeline (SigV4, Action and Version, injected
 * faults, token buckets, DryRun) and the EC2 XML envelope.  The actions
 * themselves are in sim_ec2_describe.c and sim_ec2_assign.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "sim_aws.h"
#include "xmalloc.h"

/* Network limits as EC2 publishes them for these types. */
static const struct {
	const char	*name;
	int		 ips, enis, vcpus, mem;
} builtin_types[] = {
	{ "t3.micro", 2, 2, 2, 1024 },
	{ "t3.medium", 6, 3, 2, 4096 },
	{ "t3.large", 12, 3, 2, 8192 },
	{ "m5.large", 10, 3, 2, 8192 },
	{ "m5.xlarge", 15, 4, 4, 16384 },
	{ "m5.2xlarge", 15, 4, 8, 32768 },
	{ "m5.4xlarge", 30, 8, 16, 65536 },
	{ "c5.large", 10, 3, 2, 4096 },
	{ "c5.xlarge", 15, 4, 4, 8192 },
	{ "c5.2xlarge", 15, 4, 8, 16384 },
	{ "r5.large", 10, 3, 2, 16384 },
};

#define UNATTACHED_LIMIT	50

static struct sc_itype *
aws_type_find(struct sc_aws *aws, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < aws->ntypes; i++)
		if (strcmp(aws->types[i].name, name) == 0)
			return &aws->types[i];
	return NULL;
}

static struct sc_itype *
aws_type_add(struct sc_aws *aws, const char *name)
{
	struct sc_itype *t;

	if ((t = aws_type_find(aws, name)) != NULL)
		return t;
	aws->types = xreallocarray(aws->types, aws->ntypes + 1,
	    sizeof(*aws->types));
	t = &aws->types[aws->ntypes++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	t->ips = 10;
	t->enis = 3;
	t->vcpus = 2;
	t->mem_mib = 8192;
	return t;
}

struct sc_eni *
aws_eni_find(struct sc_aws *aws, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < aws->nenis; i++)
		if (strcmp(aws->enis[i]->id, id) == 0)
			return aws->enis[i];
	return NULL;
}

struct sc_inst *
aws_inst_find(struct sc_aws *aws, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < aws->ninsts; i++)
		if (strcmp(aws->insts[i]->id, id) == 0)
			return aws->insts[i];
	return NULL;
}

static struct sc_inst *
aws_inst_by_node(struct sc_aws *aws, const char *node)
{
	size_t i;

	for (i = 0; node != NULL && i < aws->ninsts; i++)
		if (strcmp(aws->insts[i]->node, node) == 0)
			return aws->insts[i];
	return NULL;
}

struct sc_eni *
aws_ip_owner(struct sc_aws *aws, const struct eip_ip *ip, size_t *idx)
{
	size_t i, j;

	for (i = 0; i < aws->nenis; i++)
		for (j = 0; j < aws->enis[i]->nips; j++)
			if (ip_equal(&aws->enis[i]->ips[j], ip)) {
				if (idx != NULL)
					*idx = j;
				return aws->enis[i];
			}
	return NULL;
}

/* ip-10-0-1-10.ec2.internal in us-east-1, else ip-....REGION.compute.internal. */
void
aws_private_dns(struct sc_aws *aws, const struct eip_ip *ip, char *out,
    size_t len)
{
	char s[IP_STRLEN], *p;

	ip_format(ip, s, sizeof(s));
	for (p = s; *p != '\0'; p++)
		if (*p == '.' || *p == ':')
			*p = '-';
	if (strcmp(aws->region, "us-east-1") == 0)
		snprintf(out, len, "ip-%s.ec2.internal", s);
	else
		snprintf(out, len, "ip-%s.%s.compute.internal", s, aws->region);
}

/* us-east-1 + zone c -> use1-az3: the shape of EC2's zone ids. */
void
aws_zone_id(struct sc_aws *aws, const struct sc_subnet *sn, char *out,
    size_t len)
{
	char abbr[24];
	const char *p = aws->region, *dash, *z = sn->zone;
	size_t n = 0;
	int part = 0;

	/* First part whole, middle parts by initial, last part whole. */
	while (*p != '\0' && n + 8 < sizeof(abbr)) {
		dash = strchr(p, '-');
		if (part == 0 || dash == NULL) {
			while (*p != '\0' && *p != '-' && n + 1 < sizeof(abbr))
				abbr[n++] = *p++;
		} else
			abbr[n++] = *p;
		if (dash == NULL)
			break;
		p = dash + 1;
		part++;
	}
	abbr[n] = '\0';
	snprintf(out, len, "%s-az%d", abbr, z != NULL && *z != '\0' &&
	    islower((unsigned char)z[strlen(z) - 1]) ?
	    z[strlen(z) - 1] - 'a' + 1 : 1);
}

static int
ip_ptr_cmp(const void *a, const void *b)
{
	return ip_cmp(a, b);
}

/* Addresses of the subnet held by some ENI, sorted. */
static struct eip_ip *
aws_used(struct sc_aws *aws, const struct sc_subnet *sn, size_t *n)
{
	struct eip_ip *u = NULL;
	size_t i, j, cap = 0;

	*n = 0;
	for (i = 0; i < aws->nenis; i++)
		for (j = 0; j < aws->enis[i]->nips; j++) {
			if (!sc_subnet_contains(sn, &aws->enis[i]->ips[j]))
				continue;
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				u = xreallocarray(u, cap, sizeof(*u));
			}
			u[(*n)++] = aws->enis[i]->ips[j];
		}
	if (*n > 1)
		qsort(u, *n, sizeof(*u), ip_ptr_cmp);
	return u;
}

int
aws_free_count(struct sc_aws *aws, const struct sc_subnet *sn)
{
	size_t n;
	u128 size = cidr_last_offset(&sn->cidr) + 1;
	struct eip_ip *u = aws_used(aws, sn, &n);

	free(u);
	if (size <= 5 + n)
		return 0;
	return size - 5 - n > 0x7fffffff ? 0x7fffffff : (int)(size - 5 - n);
}

int
aws_alloc_ip(struct sc_aws *aws, const struct sc_subnet *sn,
    const struct eip_ip *avoid, size_t navoid, struct eip_ip *out)
{
	struct eip_ip *u, cand;
	size_t n, k = 0, i;
	u128 off, last = cidr_last_offset(&sn->cidr);
	int taken;

	u = aws_used(aws, sn, &n);
	for (off = 4; off < last; off++) {
		cidr_nth(&sn->cidr, off, &cand);
		while (k < n && ip_cmp(&u[k], &cand) < 0)
			k++;
		taken = k < n && ip_equal(&u[k], &cand);
		for (i = 0; !taken && i < navoid; i++)
			taken = ip_equal(&avoid[i], &cand);
		if (!taken) {
			*out = cand;
			free(u);
			return 0;
		}
	}
	free(u);
	return -1;
}

static void
aws_mac(struct sim_cloud *sc, char *out)
{
	uint64_t r = sc_rand(sc);

	snprintf(out, 18, "0e:%02x:%02x:%02x:%02x:%02x",
	    (unsigned)(r & 0xff), (unsigned)(r >> 8 & 0xff),
	    (unsigned)(r >> 16 & 0xff), (unsigned)(r >> 24 & 0xff),
	    (unsigned)(r >> 32 & 0xff));
}

static struct sc_eni *
aws_eni_new(struct sim_cloud *sc, struct sc_subnet *sn, const char *kind,
    const char *descr, const char *requester, int nips, char *err,
    size_t errlen)
{
	struct sc_aws *aws = sc->aws;
	struct sc_eni *e;
	int i;

	e = xcalloc(1, sizeof(*e));
	sc_hexid(sc, "eni-", e->id, sizeof(e->id));
	e->kind = xstrdup(kind);
	e->description = xstrdup(descr != NULL ? descr : "");
	e->requester = requester != NULL ? xstrdup(requester) : NULL;
	e->subnet = sn;
	e->limit = UNATTACHED_LIMIT;
	e->created = sc_now(sc);
	aws_mac(sc, e->mac);
	e->ips = xcalloc((size_t)nips, sizeof(*e->ips));
	for (i = 0; i < nips; i++) {
		if (aws_alloc_ip(aws, sn, e->ips, (size_t)i, &e->ips[i]) == -1) {
			snprintf(err, errlen, "subnet %s is full", sn->id);
			free(e->ips);
			free(e->kind);
			free(e->description);
			free(e->requester);
			free(e);
			return NULL;
		}
		e->nips++;
	}
	aws->enis = xreallocarray(aws->enis, aws->nenis + 1,
	    sizeof(*aws->enis));
	aws->enis[aws->nenis++] = e;
	return e;
}

static void
aws_eni_free(struct sc_eni *e)
{
	free(e->kind);
	free(e->description);
	free(e->requester);
	free(e->ips);
	free(e);
}

static void
aws_eni_remove(struct sc_aws *aws, struct sc_eni *e)
{
	size_t i;

	for (i = 0; i < aws->nenis; i++)
		if (aws->enis[i] == e) {
			memmove(&aws->enis[i], &aws->enis[i + 1],
			    (aws->nenis - i - 1) * sizeof(*aws->enis));
			aws->nenis--;
			break;
		}
	aws_eni_free(e);
}

static struct sc_subnet *
aws_subnet_by_zone(struct sc_aws *aws, const char *zone)
{
	size_t i;

	if (zone == NULL || *zone == '\0')
		return &aws->subnets[0];
	for (i = 0; i < aws->nsubnets; i++)
		if (strcmp(aws->subnets[i].zone, zone) == 0)
			return &aws->subnets[i];
	return NULL;
}

/* A foreign ENI described by the scenario: {"kind","zone","ips"}. */
static int
aws_foreign_add(struct sim_cloud *sc, const char *kind, const char *zone,
    int nips, char *err, size_t errlen)
{
	struct sc_aws *aws = sc->aws;
	struct sc_subnet *sn;
	char descr[128], rid[32];
	const char *requester = NULL;

	if ((sn = aws_subnet_by_zone(aws, zone)) == NULL) {
		snprintf(err, errlen, "foreign ENI: no subnet in zone '%s'",
		    zone);
		return -1;
	}
	if (strcmp(kind, "network_load_balancer") == 0) {
		sc_hexid(sc, "", rid, sizeof(rid));
		snprintf(descr, sizeof(descr), "ELB net/%s-int/%.16s",
		    sc->infra, rid);
		requester = "amazon-elb";
	} else if (strcmp(kind, "nat_gateway") == 0) {
		sc_hexid(sc, "nat-", rid, sizeof(rid));
		snprintf(descr, sizeof(descr), "Interface for NAT Gateway %s",
		    rid);
		requester = "440000000000";
	} else if (strcmp(kind, "interface") == 0)
		snprintf(descr, sizeof(descr), "unattached interface");
	else {
		snprintf(err, errlen, "foreign ENI kind '%s' is not "
		    "network_load_balancer, nat_gateway or interface", kind);
		return -1;
	}
	if (nips < 1 || nips > UNATTACHED_LIMIT) {
		snprintf(err, errlen, "foreign ENI: ips must be 1..%d",
		    UNATTACHED_LIMIT);
		return -1;
	}
	return aws_eni_new(sc, sn, kind, descr, requester, nips, err,
	    errlen) != NULL ? 0 : -1;
}

static int
aws_subnet_add(struct sim_cloud *sc, const char *zone, const char *cidr,
    const char *name, const char *id, char *err, size_t errlen)
{
	struct sc_aws *aws = sc->aws;
	struct sc_subnet *sn;
	char nbuf[160], ibuf[32];
	size_t i;

	aws->subnets = xreallocarray(aws->subnets, aws->nsubnets + 1,
	    sizeof(*aws->subnets));
	sn = &aws->subnets[aws->nsubnets];
	memset(sn, 0, sizeof(*sn));
	if (cidr == NULL || cidr_parse(cidr, &sn->cidr) == -1 ||
	    sn->cidr.addr.family != 4 || sn->cidr.len > 28 ||
	    sn->cidr.len < 16) {
		snprintf(err, errlen, "AWS: subnet cidr '%s' is not an IPv4 "
		    "/16../28", cidr != NULL ? cidr : "");
		return -1;
	}
	if (zone == NULL || *zone == '\0') {
		snprintf(err, errlen, "AWS: subnet %s needs a zone", cidr);
		return -1;
	}
	sn->cidr.addr = sn->cidr.net;
	for (i = 0; i < aws->nsubnets; i++)
		if (cidr_overlaps(&sn->cidr, &aws->subnets[i].cidr)) {
			snprintf(err, errlen, "AWS: subnet %s overlaps %s (an "
			    "AWS subnet lives in one zone)", cidr,
			    aws->subnets[i].id);
			return -1;
		}
	snprintf(nbuf, sizeof(nbuf), "%s-subnet-private-%s", sc->infra, zone);
	sc_hexid(sc, "subnet-", ibuf, sizeof(ibuf));
	sn->id = xstrdup(id != NULL ? id : ibuf);
	sn->name = xstrdup(name != NULL ? name : nbuf);
	sn->zone = xstrdup(zone);
	aws->nsubnets++;
	return 0;
}

/*
 * Subnets from "subnets", else from the scenario's zones (and masterCidr),
 * else three zones of the region.
 */
static int
aws_subnets_init(struct sim_cloud *sc, const json_t *cfg, char *err,
    size_t errlen)
{
	struct sc_aws *aws = sc->aws;
	const json_t *subs = cfg ? json_object_get(cfg, "subnets") : NULL;
	const json_t *zones = cfg ? json_object_get(cfg, "zones") : NULL, *s;
	static const char *const dflt[][2] = {
		{ "a", "10.0.128.0/20" }, { "b", "10.0.144.0/20" },
		{ "c", "10.0.160.0/20" },
	};
	const char *master = sc_cfg_str(cfg, "masterCidr", NULL);
	struct eip_cidr mc;
	char zone[64];
	size_t i;

	if (json_is_array(subs)) {
		json_array_foreach(subs, i, s) {
			if (!json_is_object(s) || aws_subnet_add(sc,
			    sc_cfg_str(s, "zone", NULL), sc_cfg_str(s, "cidr",
			    NULL), sc_cfg_str(s, "name", NULL), sc_cfg_str(s,
			    "id", NULL), err, errlen) == -1) {
				if (!json_is_object(s))
					snprintf(err, errlen, "AWS: subnets[%zu] "
					    "is not an object", i);
				return -1;
			}
		}
	} else if (json_is_array(zones) && json_array_size(zones) > 0) {
		json_array_foreach(zones, i, s)
			if (aws_subnet_add(sc, sc_cfg_str(s, "name", NULL),
			    sc_cfg_str(s, "cidr", NULL), NULL, NULL, err,
			    errlen) == -1)
				return -1;
	} else {
		for (i = 0; i < 3; i++) {
			snprintf(zone, sizeof(zone), "%s%s", aws->region,
			    dflt[i][0]);
			if (aws_subnet_add(sc, zone, dflt[i][1], NULL, NULL, err,
			    errlen) == -1)
				return -1;
		}
	}
	if (aws->nsubnets == 0) {
		snprintf(err, errlen, "AWS: at least one subnet is needed");
		return -1;
	}
	if (master != NULL && cidr_parse(master, &mc) == 0) {
		for (i = 0; i < aws->nsubnets; i++)
			if (cidr_equal(&mc, &aws->subnets[i].cidr))
				break;
		if (i == aws->nsubnets && aws_subnet_add(sc,
		    aws->subnets[0].zone, master, NULL, NULL, err, errlen) == -1)
			return -1;
	}
	return 0;
}

static int
aws_types_init(struct sc_aws *aws, const json_t *cfg, char *err,
    size_t errlen)
{
	const json_t *types = cfg ? json_object_get(cfg, "instanceTypes") :
	    NULL, *v;
	struct sc_itype *t;
	const char *k;
	size_t i;

	for (i = 0; i < sizeof(builtin_types) / sizeof(builtin_types[0]);
	    i++) {
		t = aws_type_add(aws, builtin_types[i].name);
		t->ips = builtin_types[i].ips;
		t->enis = builtin_types[i].enis;
		t->vcpus = builtin_types[i].vcpus;
		t->mem_mib = builtin_types[i].mem;
	}
	/* {"x1.small": 4} or {"x1.small": {"ipv4PerInterface": 4, ...}}. */
	json_object_foreach((json_t *)types, k, v) {
		t = aws_type_add(aws, k);
		if (json_is_integer(v))
			t->ips = (int)json_integer_value(v);
		else if (json_is_object(v)) {
			t->ips = (int)sc_cfg_num(v, "ipv4PerInterface", t->ips);
			t->enis = (int)sc_cfg_num(v, "maxInterfaces", t->enis);
		} else {
			snprintf(err, errlen, "AWS: instanceTypes.%s is not a "
			    "number or object", k);
			return -1;
		}
		if (t->ips < 1 || t->ips > 50 || t->enis < 1 || t->enis > 16) {
			snprintf(err, errlen, "AWS: instanceTypes.%s out of "
			    "range", k);
			return -1;
		}
	}
	aws->default_type = aws_type_find(aws, sc_cfg_str(cfg,
	    "defaultInstanceType", "m5.large"));
	if (aws->default_type == NULL) {
		snprintf(err, errlen, "AWS: unknown defaultInstanceType");
		return -1;
	}
	return 0;
}

static int
aws_foreign_init(struct sim_cloud *sc, const json_t *cfg, char *err,
    size_t errlen)
{
	struct sc_aws *aws = sc->aws;
	const json_t *fl = cfg ? json_object_get(cfg, "foreign") : NULL, *f;
	size_t i;

	if (fl == NULL) {
		/*
		 * The default account looks like an OpenShift cluster's: an
		 * internal NLB in every zone, a NAT gateway and one stray
		 * unattached interface, all holding subnet addresses.
		 */
		for (i = 0; i < aws->nsubnets; i++)
			if (aws_foreign_add(sc, "network_load_balancer",
			    aws->subnets[i].zone, 1, err, errlen) == -1)
				return -1;
		if (aws_foreign_add(sc, "nat_gateway", aws->subnets[0].zone, 1,
		    err, errlen) == -1 || aws_foreign_add(sc, "interface",
		    aws->subnets[aws->nsubnets - 1].zone, 3, err, errlen) == -1)
			return -1;
		return 0;
	}
	if (!json_is_array(fl)) {
		snprintf(err, errlen, "AWS: foreign must be an array");
		return -1;
	}
	json_array_foreach(fl, i, f) {
		if (!json_is_object(f) || sc_cfg_str(f, "kind", NULL) == NULL) {
			snprintf(err, errlen, "AWS: foreign[%zu] needs a kind",
			    i);
			return -1;
		}
		if (aws_foreign_add(sc, sc_cfg_str(f, "kind", NULL),
		    sc_cfg_str(f, "zone", NULL), (int)sc_cfg_num(f, "ips", 1),
		    err, errlen) == -1)
			return -1;
	}
	return 0;
}

struct sc_aws *
sc_aws_new(struct sim_cloud *sc, const json_t *cfg, char *err, size_t errlen)
{
	struct sc_aws *aws;
	char id[32], arn[256];
	const char *ak, *sk;

	aws = xcalloc(1, sizeof(*aws));
	sc->aws = aws;
	aws->region = xstrdup(sc_cfg_str(cfg, "region", "us-east-1"));
	aws->account = xstrdup(sc_cfg_str(cfg, "accountId", "123456789012"));
	sc_hexid(sc, "vpc-", id, sizeof(id));
	aws->vpc_id = xstrdup(id);
	sc_hexid(sc, "sg-", id, sizeof(id));
	aws->sg_id = xstrdup(id);
	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:role/%s-egress-ipam-"
	    "operator", aws->account, sc->infra);
	aws->role_arn = xstrdup(sc_cfg_str(cfg, "roleArn", arn));
	aws->skew = sc_cfg_num(cfg, "clockSkewSeconds", 300);
	aws->sts_max = sc_cfg_num(cfg, "stsMaxSeconds", 0);
	/* Fresh keys each run: a leak into a log is then unmistakable. */
	ak = sc_cfg_str(cfg, "accessKeyId", NULL);
	sk = sc_cfg_str(cfg, "secretAccessKey", NULL);
	snprintf(aws->access_key, sizeof(aws->access_key), "AKIA");
	sc_secret(aws->access_key + 4, sizeof(aws->access_key) - 4,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
	sc_secret(aws->secret_key, sizeof(aws->secret_key),
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
	if (ak != NULL)
		snprintf(aws->access_key, sizeof(aws->access_key), "%s", ak);
	if (sk != NULL)
		snprintf(aws->secret_key, sizeof(aws->secret_key), "%s", sk);
	if (aws_subnets_init(sc, cfg, err, errlen) == -1 ||
	    aws_types_init(aws, cfg, err, errlen) == -1 ||
	    aws_foreign_init(sc, cfg, err, errlen) == -1) {
		sc_aws_free(aws);
		sc->aws = NULL;
		return NULL;
	}
	return aws;
}

void
sc_aws_free(struct sc_aws *aws)
{
	size_t i;

	if (aws == NULL)
		return;
	for (i = 0; i < aws->nenis; i++)
		aws_eni_free(aws->enis[i]);
	free(aws->enis);
	for (i = 0; i < aws->ninsts; i++) {
		free(aws->insts[i]->node);
		free(aws->insts[i]);
	}
	free(aws->insts);
	for (i = 0; i < aws->nsubnets; i++) {
		free(aws->subnets[i].id);
		free(aws->subnets[i].name);
		free(aws->subnets[i].zone);
	}
	free(aws->subnets);
	for (i = 0; i < aws->ntypes; i++)
		free(aws->types[i].name);
	free(aws->types);
	for (i = 0; i < aws->ncreds; i++) {
		free(aws->creds[i].token);
		free(aws->creds[i].session);
	}
	free(aws->creds);
	free(aws->region);
	free(aws->account);
	free(aws->vpc_id);
	free(aws->sg_id);
	free(aws->role_arn);
	explicit_bzero(aws->secret_key, sizeof(aws->secret_key));
	free(aws);
}

int
sc_aws_add_node(struct sim_cloud *sc, const char *node, const char *zone,
    const char *itype, char *pid, size_t pidlen, char *ip, size_t iplen)
{
	struct sc_aws *aws = sc->aws;
	struct sc_inst *in;
	struct sc_subnet *sn;
	struct sc_itype *t;
	struct eip_ip want;
	char err[128];
	size_t i;
	int hint;

	if ((in = aws_inst_by_node(aws, node)) != NULL)
		goto out;
	sn = aws_subnet_by_zone(aws, zone);
	hint = ip != NULL && ip[0] != '\0' && ip_parse(ip, &want) == 0 &&
	    want.family == 4 && aws_ip_owner(aws, &want, NULL) == NULL;
	for (i = 0; hint && i < aws->nsubnets; i++)
		if (sc_subnet_contains(&aws->subnets[i], &want) &&
		    !sc_subnet_reserved(&aws->subnets[i], &want)) {
			sn = &aws->subnets[i];
			break;
		}
	hint = hint && i < aws->nsubnets;
	if (sn == NULL) {
		log_warn("sim cloud: node %s: no subnet in zone %s", node, zone);
		return -1;
	}
	t = itype != NULL && *itype != '\0' ? aws_type_find(aws, itype) :
	    aws->default_type;
	if (t == NULL) {
		log_warn("sim cloud: node %s: unknown instance type %s", node,
		    itype);
		return -1;
	}
	in = xcalloc(1, sizeof(*in));
	sc_hexid(sc, "i-", in->id, sizeof(in->id));
	sc_hexid(sc, "r-", in->resv, sizeof(in->resv));
	in->eni = aws_eni_new(sc, sn, "interface", "", NULL, hint ? 0 : 1,
	    err, sizeof(err));
	if (in->eni != NULL && hint) {
		in->eni->ips = xreallocarray(in->eni->ips, 1,
		    sizeof(*in->eni->ips));
		in->eni->ips[0] = want;
		in->eni->nips = 1;
	}
	if (in->eni == NULL) {
		log_warn("sim cloud: node %s: %s", node, err);
		free(in);
		return -1;
	}
	in->node = xstrdup(node);
	in->type = t;
	in->subnet = sn;
	in->launched = sc_now(sc);
	in->eni->inst = in;
	in->eni->limit = t->ips;
	sc_hexid(sc, "eni-attach-", in->eni->attach_id,
	    sizeof(in->eni->attach_id));
	aws->insts = xreallocarray(aws->insts, aws->ninsts + 1,
	    sizeof(*aws->insts));
	aws->insts[aws->ninsts++] = in;
out:
	snprintf(pid, pidlen, "aws:///%s/%s", in->subnet->zone, in->id);
	ip_format(&in->eni->ips[0], ip, iplen);
	return 0;
}

int
sc_aws_remove_node(struct sim_cloud *sc, const char *node)
{
	struct sc_aws *aws = sc->aws;
	struct sc_inst *in = aws_inst_by_node(aws, node);
	size_t i;

	if (in == NULL)
		return -1;
	aws_eni_remove(aws, in->eni);
	for (i = 0; i < aws->ninsts; i++)
		if (aws->insts[i] == in) {
			memmove(&aws->insts[i], &aws->insts[i + 1],
			    (aws->ninsts - i - 1) * sizeof(*aws->insts));
			aws->ninsts--;
			break;
		}
	free(in->node);
	free(in);
	return 0;
}

/*
 * cloud.network.openshift.io/egress-ipconfig as the
 * cloud-network-config-controller publishes it on AWS: the primary ENI,
 * its subnet, and how many more addresses it can take.
 */
char *
sc_aws_egress_ipconfig(struct sim_cloud *sc, const char *node)
{
	struct sc_inst *in = aws_inst_by_node(sc->aws, node);
	char cidr[CIDR_STRLEN];
	json_t *a;
	char *s;
	int cap;

	if (in == NULL)
		return NULL;
	cidr_format(&in->subnet->cidr, cidr, sizeof(cidr));
	cap = in->eni->limit - (int)in->eni->nips;
	a = json_pack("[{s:s, s:{s:s}, s:{s:i, s:i}}]", "interface",
	    in->eni->id, "ifaddr", "ipv4", cidr, "capacity", "ipv4",
	    cap < 0 ? 0 : cap, "ipv6", in->type->ips);
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

json_t *
sc_aws_platform_status(struct sim_cloud *sc)
{
	return json_pack("{s:s, s:{s:s}}", "type", "AWS", "aws", "region",
	    sc->aws->region);
}

static json_t *
aws_eni_json(struct sc_eni *e)
{
	char s[IP_STRLEN];
	json_t *ips = json_array();
	size_t i;

	for (i = 0; i < e->nips; i++)
		json_array_append_new(ips, json_string(ip_format(&e->ips[i], s,
		    sizeof(s))));
	return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:i, s:o}", "id", e->id,
	    "kind", e->kind, "subnet", e->subnet->id, "zone", e->subnet->zone,
	    "instance", e->inst != NULL ? e->inst->id : NULL, "limit",
	    e->limit, "ips", ips);
}

json_t *
sc_aws_dump(struct sim_cloud *sc)
{
	struct sc_aws *aws = sc->aws;
	json_t *d, *subs = json_array(), *insts = json_array(), *enis;
	char cidr[CIDR_STRLEN];
	size_t i;

	enis = json_array();
	for (i = 0; i < aws->nsubnets; i++) {
		cidr_format(&aws->subnets[i].cidr, cidr, sizeof(cidr));
		json_array_append_new(subs, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:i}", "id", aws->subnets[i].id, "name",
		    aws->subnets[i].name, "zone", aws->subnets[i].zone, "cidr",
		    cidr, "free", aws_free_count(aws, &aws->subnets[i])));
	}
	for (i = 0; i < aws->ninsts; i++)
		json_array_append_new(insts, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:i, s:o}", "id", aws->insts[i]->id, "node",
		    aws->insts[i]->node, "type", aws->insts[i]->type->name,
		    "zone", aws->insts[i]->subnet->zone, "ipsPerInterface",
		    aws->insts[i]->type->ips, "eni",
		    aws_eni_json(aws->insts[i]->eni)));
	for (i = 0; i < aws->nenis; i++)
		json_array_append_new(enis, aws_eni_json(aws->enis[i]));
	d = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:{s:s, s:s}, s:s, "
	    "s:i}", "region", aws->region, "account", aws->account, "vpc",
	    aws->vpc_id, "subnets", subs, "instances", insts,
	    "networkInterfaces", enis, "testCredentials", "accessKeyId",
	    aws->access_key, "secretAccessKey", aws->secret_key, "roleArn",
	    aws->role_arn, "stsCredentialsIssued", (int)aws->ncreds);
	return d;
}

int
sc_aws_write_credentials(struct sim_cloud *sc, const char *dir, char *err,
    size_t errlen)
{
	struct sc_aws *aws = sc->aws;
	char *ini;
	int r;

	if (strcmp(sc->variant, "static") == 0)
		return sc_write_file(dir, "aws_access_key_id", aws->access_key,
		    0600, err, errlen) == -1 || sc_write_file(dir,
		    "aws_secret_access_key", aws->secret_key, 0600, err,
		    errlen) == -1 ? -1 : 0;
	/* The cloud-credential-operator's STS form of the Secret. */
	xasprintf(&ini, "[default]\nsts_regional_endpoints = regional\n"
	    "role_arn = %s\nweb_identity_token_file = %s\n", aws->role_arn,
	    sc->token_path);
	r = sc_write_file(dir, "credentials", ini, 0600, err, errlen);
	free(ini);
	return r;
}

/* EC2's error envelope. */
void
ec2_error(struct sc_ctx *ctx, int status, const char *code,
    const char *fmt, ...)
{
	struct sc_buf b = { 0 };
	va_list ap;
	char *msg, *body;
	size_t len;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatalx("out of memory");
	va_end(ap);
	sc_buf_add(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Response><Errors><Error>");
	sc_buf_elem(&b, "Code", code);
	sc_buf_elem(&b, "Message", msg);
	sc_buf_add(&b, "</Error></Errors>");
	sc_buf_elem(&b, "RequestID", ctx->reqid);
	sc_buf_add(&b, "</Response>");
	body = sc_buf_take(&b, &len);
	sim_resp_set(ctx->resp, status, "text/xml;charset=UTF-8", body, len);
	sim_resp_header(ctx->resp, "x-amzn-RequestId", ctx->reqid);
	sc_set_outcome(ctx, code);
	free(msg);
}

void
ec2_begin(struct sc_ctx *ctx, struct sc_buf *b, const char *action)
{
	sc_buf_addf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<%sResponse xmlns=\"" EC2_XMLNS "\">\n", action);
	sc_buf_elem(b, "requestId", ctx->reqid);
}

void
ec2_finish(struct sc_ctx *ctx, struct sc_buf *b, const char *action)
{
	char *body;
	size_t len;

	sc_buf_addf(b, "</%sResponse>", action);
	body = sc_buf_take(b, &len);
	sim_resp_set(ctx->resp, 200, "text/xml;charset=UTF-8", body, len);
	sim_resp_header(ctx->resp, "x-amzn-RequestId", ctx->reqid);
	sc_set_outcome(ctx, "ok");
}

static const struct {
	const char	*name;
	enum sc_class	 cls;
	void		(*fn)(struct sc_ctx *, const struct sc_form *);
} ec2_actions[] = {
	{ "DescribeInstances", SC_EC2_DESCRIBE, ec2_describe_instances },
	{ "DescribeInstanceTypes", SC_EC2_DESCRIBE,
	    ec2_describe_instance_types },
	{ "DescribeSubnets", SC_EC2_DESCRIBE, ec2_describe_subnets },
	{ "DescribeNetworkInterfaces", SC_EC2_DESCRIBE, ec2_describe_enis },
	{ "AssignPrivateIpAddresses", SC_EC2_MUTATE, ec2_assign },
	{ "UnassignPrivateIpAddresses", SC_EC2_MUTATE, ec2_unassign },
};

static int
ec2_action_ok(const char *a)
{
	size_t n = 0;

	for (; a[n] != '\0'; n++)
		if (!isalnum((unsigned char)a[n]) || n >= 64)
			return 0;
	return n > 0;
}

void
sc_ec2_handle(struct sc_ctx *ctx)
{
	const struct sim_req *req = ctx->req;
	const struct sc_fault *f;
	struct sc_form form;
	const char *action, *version, *dry;
	double wait;
	size_t i;

	sc_set_action(ctx, "ec2:invalid");
	if (strcmp(req->method, "POST") == 0)
		sc_form_parse(req->body, req->body_len, &form);
	else if (strcmp(req->method, "GET") == 0)
		sc_form_parse(req->query, req->query ? strlen(req->query) : 0,
		    &form);
	else {
		ec2_error(ctx, 400, "InvalidAction", "The HTTP method %.16s is "
		    "not supported; use POST.", req->method);
		return;
	}
	action = sc_form_get(&form, "Action");
	if (action != NULL && ec2_action_ok(action))
		sc_set_action(ctx, "ec2:%s", action);
	if (sts_authenticate(ctx, &form) == -1)
		goto out;
	if (action == NULL) {
		ec2_error(ctx, 400, "MissingAction", "The request must contain "
		    "the parameter Action.");
		goto out;
	}
	for (i = 0; i < sizeof(ec2_actions) / sizeof(ec2_actions[0]); i++)
		if (strcmp(ec2_actions[i].name, action) == 0)
			break;
	if (i == sizeof(ec2_actions) / sizeof(ec2_actions[0])) {
		ec2_error(ctx, 400, "InvalidAction", "The action %.64s is not "
		    "valid for this web service.", action);
		goto out;
	}
	version = sc_form_get(&form, "Version");
	if (version == NULL) {
		ec2_error(ctx, 400, "MissingParameter", "The request must "
		    "contain the parameter Version.");
		goto out;
	}
	if (strcmp(version, EC2_VERSION) != 0) {
		ec2_error(ctx, 400, "InvalidParameterValue", "Version %.32s is "
		    "not served by this simulator; use " EC2_VERSION ".",
		    version);
		goto out;
	}
	if ((f = sc_fault_check(ctx)) != NULL) {
		ec2_error(ctx, f->status ? f->status : 500, f->code ? f->code :
		    "InternalError", "%s", f->message ? f->message :
		    "An internal error has occurred.");
		goto out;
	}
	if (sc_throttle(ctx->sc, ec2_actions[i].cls, &wait) == -1) {
		/* EC2 sends no Retry-After: clients back off on their own. */
		ec2_error(ctx, 503, "RequestLimitExceeded", "Request limit "
		    "exceeded.");
		goto out;
	}
	dry = sc_form_get(&form, "DryRun");
	if (dry != NULL && strcasecmp(dry, "true") == 0) {
		ec2_error(ctx, 412, "DryRunOperation", "Request would have "
		    "succeeded, but DryRun flag is set.");
		goto out;
	}
	ec2_actions[i].fn(ctx, &form);
out:
	sc_form_free(&form);
}
