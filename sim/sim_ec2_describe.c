/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EC2 Describe* actions of the simulator: DescribeInstances,
 * DescribeInstanceTypes, DescribeSubnets and DescribeNetworkInterfaces,
 * with EC2's list parameters, filters (ANDed names, ORed values,
 * wildcards), MaxResults/NextToken pagination and XML shapes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_aws.h"
#include "xmalloc.h"

struct ec2_item {
	unsigned long	 n;
	char		*v;
};

static int
ec2_item_cmp(const void *a, const void *b)
{
	const struct ec2_item *x = a, *y = b;

	return x->n < y->n ? -1 : x->n > y->n;
}

/* Parses "<digits>" (1-based index) of at most 9 digits. */
static int
ec2_index(const char *s, const char **end, unsigned long *out)
{
	unsigned long v = 0;
	int n = 0;

	while (isdigit((unsigned char)s[n]) && n < 9)
		v = v * 10 + (unsigned long)(s[n++] - '0');
	if (n == 0 || v == 0 || isdigit((unsigned char)s[n]))
		return -1;
	*end = s + n;
	*out = v;
	return 0;
}

int
ec2_list(const struct sc_form *f, const char *prefix, char ***out, size_t *n)
{
	struct ec2_item *it = NULL;
	size_t plen = strlen(prefix), i, k = 0;
	const char *end;
	unsigned long idx;

	for (i = 0; i < f->n; i++) {
		if (strncmp(f->name[i], prefix, plen) != 0 ||
		    f->name[i][plen] != '.' ||
		    ec2_index(f->name[i] + plen + 1, &end, &idx) == -1 ||
		    *end != '\0')
			continue;
		it = xreallocarray(it, k + 1, sizeof(*it));
		it[k].n = idx;
		it[k++].v = f->value[i];
	}
	if (k > 1)
		qsort(it, k, sizeof(*it), ec2_item_cmp);
	*out = xcalloc(k + 1, sizeof(**out));
	for (i = 0; i < k; i++)
		(*out)[i] = xstrdup(it[i].v);
	*n = k;
	free(it);
	return 0;
}

void
ec2_list_free(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

int
ec2_filters(struct sc_ctx *ctx, const struct sc_form *f,
    struct ec2_filter **out, size_t *nout)
{
	struct ec2_filter *fl = NULL;
	unsigned long *ids = NULL, idx;
	size_t n = 0, i, j;
	const char *end;
	char prefix[32];

	for (i = 0; i < f->n; i++) {
		if (strncmp(f->name[i], "Filter.", 7) != 0 ||
		    ec2_index(f->name[i] + 7, &end, &idx) == -1 ||
		    strcmp(end, ".Name") != 0)
			continue;
		fl = xreallocarray(fl, n + 1, sizeof(*fl));
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		ids[n] = idx;
		fl[n].name = xstrdup(f->value[i]);
		snprintf(prefix, sizeof(prefix), "Filter.%lu.Value", idx);
		ec2_list(f, prefix, &fl[n].values, &fl[n].nvalues);
		n++;
		if (fl[n - 1].nvalues == 0) {
			ec2_error(ctx, 400, "InvalidParameterCombination",
			    "The filter '%.64s' requires at least one value.",
			    fl[n - 1].name);
			goto fail;
		}
		for (j = 0; j + 1 < n; j++)
			if (ids[j] == idx) {
				ec2_error(ctx, 400, "InvalidParameterValue",
				    "Filter.%lu is given twice.", idx);
				goto fail;
			}
	}
	free(ids);
	*out = fl;
	*nout = n;
	return 0;
fail:
	free(ids);
	ec2_filters_free(fl, n);
	return -1;
}

void
ec2_filters_free(struct ec2_filter *fl, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(fl[i].name);
		ec2_list_free(fl[i].values, fl[i].nvalues);
	}
	free(fl);
}

/* Rejects filter names the action does not know ("tag:" is always known). */
static int
ec2_filters_check(struct sc_ctx *ctx, const struct ec2_filter *fl, size_t n,
    const char *const *known)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		if (strncmp(fl[i].name, "tag:", 4) == 0 && fl[i].name[4])
			continue;
		for (k = 0; known[k] != NULL; k++)
			if (strcmp(known[k], fl[i].name) == 0)
				break;
		if (known[k] == NULL) {
			ec2_error(ctx, 400, "InvalidParameterValue", "The filter "
			    "'%.64s' is invalid", fl[i].name);
			return -1;
		}
	}
	return 0;
}

static int
any(const struct ec2_filter *f, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < f->nvalues; i++)
		if (sc_wildcard(f->values[i], s))
			return 1;
	return 0;
}

struct ec2_tag {
	const char	*key;
	const char	*value;
};

/* 1/0 for tag filters, -1 when f is not a tag filter. */
static int
tag_match(const struct ec2_filter *f, const struct ec2_tag *t, size_t n)
{
	size_t i;
	int m = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(f->name, "tag-key") == 0)
			m |= any(f, t[i].key);
		else if (strcmp(f->name, "tag-value") == 0)
			m |= any(f, t[i].value);
		else if (strncmp(f->name, "tag:", 4) == 0) {
			if (strcmp(f->name + 4, t[i].key) == 0)
				m |= any(f, t[i].value);
		} else
			return -1;
	}
	if (n == 0 && strcmp(f->name, "tag-key") != 0 &&
	    strcmp(f->name, "tag-value") != 0 && strncmp(f->name, "tag:", 4))
		return -1;
	return m;
}

static void
tags_xml(struct sc_buf *b, const struct ec2_tag *t, size_t n)
{
	size_t i;

	if (n == 0) {
		sc_buf_add(b, "<tagSet/>");
		return;
	}
	sc_buf_add(b, "<tagSet>");
	for (i = 0; i < n; i++) {
		sc_buf_add(b, "<item>");
		sc_buf_elem(b, "key", t[i].key);
		sc_buf_elem(b, "value", t[i].value);
		sc_buf_add(b, "</item>");
	}
	sc_buf_add(b, "</tagSet>");
}

/*
 * NextToken is opaque to clients; ours is the base64url of what is being
 * listed, a dot, and the offset of the next item.
 */
void
ec2_next_token(struct sc_buf *b, const char *what, size_t next)
{
	char *w = sc_b64url(what, strlen(what));

	sc_buf_addf(b, "<nextToken>%s.%zu</nextToken>", w, next);
	free(w);
}

int
ec2_page(struct sc_ctx *ctx, const struct sc_form *f, const char *what,
    int lo, int hi, size_t *start, size_t *max)
{
	const char *mr = sc_form_get(f, "MaxResults");
	const char *nt = sc_form_get(f, "NextToken"), *p;
	char *w, *end;
	unsigned long v;
	size_t wl;

	*start = 0;
	*max = 0;
	if (mr != NULL) {
		v = strtoul(mr, &end, 10);
		if (*mr == '\0' || *end != '\0' || !isdigit((unsigned char)*mr)
		    || v < (unsigned long)lo || v > (unsigned long)hi) {
			ec2_error(ctx, 400, "InvalidParameterValue", "Value ( "
			    "%.32s ) for parameter maxResults is invalid. "
			    "Expecting a value between %d and %d.", mr, lo, hi);
			return -1;
		}
		*max = v;
	}
	if (nt != NULL && *nt != '\0') {
		w = sc_b64url(what, strlen(what));
		wl = strlen(w);
		p = nt + wl + 1;
		if (strncmp(nt, w, wl) != 0 || nt[wl] != '.' ||
		    !isdigit((unsigned char)*p) ||
		    (v = strtoul(p, &end, 10), *end != '\0') || v > 1000000) {
			free(w);
			ec2_error(ctx, 400, "InvalidPaginationToken", "The "
			    "pagination token is not valid.");
			return -1;
		}
		free(w);
		*start = v;
	}
	return 0;
}

static void
eni_ips_xml(struct sc_buf *b, struct sc_aws *aws, const struct sc_eni *e)
{
	char ip[IP_STRLEN], dns[96];
	size_t i;

	sc_buf_add(b, "<privateIpAddressesSet>");
	for (i = 0; i < e->nips; i++) {
		ip_format(&e->ips[i], ip, sizeof(ip));
		aws_private_dns(aws, &e->ips[i], dns, sizeof(dns));
		sc_buf_add(b, "<item>");
		sc_buf_elem(b, "privateIpAddress", ip);
		sc_buf_elem(b, "privateDnsName", dns);
		sc_buf_elem(b, "primary", i == 0 ? "true" : "false");
		sc_buf_add(b, "</item>");
	}
	sc_buf_add(b, "</privateIpAddressesSet>");
}

/* An ENI in DescribeNetworkInterfaces, or (full = 0) inside an instance. */
static void
eni_xml(struct sc_buf *b, struct sc_aws *aws, const struct sc_eni *e,
    int full)
{
	char ip[IP_STRLEN], dns[96], t[40];

	ip_format(&e->ips[0], ip, sizeof(ip));
	aws_private_dns(aws, &e->ips[0], dns, sizeof(dns));
	sc_buf_add(b, "<item>");
	sc_buf_elem(b, "networkInterfaceId", e->id);
	sc_buf_elem(b, "subnetId", e->subnet->id);
	sc_buf_elem(b, "vpcId", aws->vpc_id);
	if (full)
		sc_buf_elem(b, "availabilityZone", e->subnet->zone);
	sc_buf_elem(b, "description", e->description);
	sc_buf_elem(b, "ownerId", aws->account);
	if (full) {
		sc_buf_elem(b, "requesterId", e->requester);
		sc_buf_elem(b, "requesterManaged", e->requester != NULL ?
		    "true" : "false");
	}
	sc_buf_elem(b, "status", e->inst != NULL || e->requester != NULL ?
	    "in-use" : "available");
	sc_buf_elem(b, "macAddress", e->mac);
	sc_buf_elem(b, "privateIpAddress", ip);
	sc_buf_elem(b, "privateDnsName", dns);
	sc_buf_elem(b, "sourceDestCheck", "true");
	if (e->inst != NULL || !full) {
		sc_buf_add(b, "<groupSet><item>");
		sc_buf_elem(b, "groupId", aws->sg_id);
		sc_buf_add(b, "<groupName>node</groupName></item></groupSet>");
	} else
		sc_buf_add(b, "<groupSet/>");
	if (e->inst != NULL) {
		sc_iso8601(e->created, 1, t, sizeof(t));
		sc_buf_add(b, "<attachment>");
		sc_buf_elem(b, "attachmentId", e->attach_id);
		if (full) {
			sc_buf_elem(b, "instanceId", e->inst->id);
			sc_buf_elem(b, "instanceOwnerId", aws->account);
		}
		sc_buf_add(b, "<deviceIndex>0</deviceIndex>"
		    "<networkCardIndex>0</networkCardIndex>"
		    "<status>attached</status>");
		sc_buf_elem(b, "attachTime", t);
		sc_buf_add(b, "<deleteOnTermination>true</deleteOnTermination>"
		    "</attachment>");
	}
	if (full)
		sc_buf_add(b, "<tagSet/>");
	eni_ips_xml(b, aws, e);
	sc_buf_add(b, "<ipv6AddressesSet/>");
	sc_buf_elem(b, "interfaceType", e->kind);
	sc_buf_add(b, "</item>");
}

static size_t
inst_tags(struct sim_cloud *sc, const struct sc_inst *in, struct ec2_tag *t,
    char *ckey, size_t cklen)
{
	snprintf(ckey, cklen, "kubernetes.io/cluster/%s", sc->infra);
	t[0].key = "Name";
	t[0].value = in->node;
	t[1].key = ckey;
	t[1].value = "owned";
	return 2;
}

static void
inst_xml(struct sc_buf *b, struct sim_cloud *sc, const struct sc_inst *in)
{
	struct sc_aws *aws = sc->aws;
	struct ec2_tag tags[2];
	char ip[IP_STRLEN], dns[96], t[40], ckey[160];

	ip_format(&in->eni->ips[0], ip, sizeof(ip));
	aws_private_dns(aws, &in->eni->ips[0], dns, sizeof(dns));
	sc_iso8601(in->launched, 1, t, sizeof(t));
	sc_buf_add(b, "<item>");
	sc_buf_elem(b, "reservationId", in->resv);
	sc_buf_elem(b, "ownerId", aws->account);
	sc_buf_add(b, "<groupSet/><instancesSet><item>");
	sc_buf_elem(b, "instanceId", in->id);
	sc_buf_add(b, "<imageId>ami-0e4eipamsim0000000</imageId>"
	    "<instanceState><code>16</code><name>running</name>"
	    "</instanceState>");
	sc_buf_elem(b, "privateDnsName", dns);
	sc_buf_add(b, "<dnsName/><reason/><amiLaunchIndex>0</amiLaunchIndex>"
	    "<productCodes/>");
	sc_buf_elem(b, "instanceType", in->type->name);
	sc_buf_elem(b, "launchTime", t);
	sc_buf_add(b, "<placement>");
	sc_buf_elem(b, "availabilityZone", in->subnet->zone);
	sc_buf_add(b, "<groupName/><tenancy>default</tenancy></placement>"
	    "<monitoring><state>disabled</state></monitoring>");
	sc_buf_elem(b, "subnetId", in->subnet->id);
	sc_buf_elem(b, "vpcId", aws->vpc_id);
	sc_buf_elem(b, "privateIpAddress", ip);
	sc_buf_add(b, "<sourceDestCheck>true</sourceDestCheck><groupSet><item>");
	sc_buf_elem(b, "groupId", aws->sg_id);
	sc_buf_add(b, "<groupName>node</groupName></item></groupSet>"
	    "<architecture>x86_64</architecture><rootDeviceType>ebs"
	    "</rootDeviceType><rootDeviceName>/dev/xvda</rootDeviceName>"
	    "<blockDeviceMapping/><virtualizationType>hvm"
	    "</virtualizationType><clientToken/>");
	tags_xml(b, tags, inst_tags(sc, in, tags, ckey, sizeof(ckey)));
	sc_buf_add(b, "<hypervisor>xen</hypervisor><networkInterfaceSet>");
	eni_xml(b, aws, in->eni, 0);
	sc_buf_add(b, "</networkInterfaceSet><ebsOptimized>false"
	    "</ebsOptimized><enaSupport>true</enaSupport></item>"
	    "</instancesSet></item>");
}

static int
eni_has_ip(const struct ec2_filter *f, const struct sc_eni *e)
{
	char ip[IP_STRLEN];
	size_t i;

	for (i = 0; i < e->nips; i++)
		if (any(f, ip_format(&e->ips[i], ip, sizeof(ip))))
			return 1;
	return 0;
}

static int
inst_match(struct sim_cloud *sc, const struct sc_inst *in,
    const struct ec2_filter *f)
{
	struct sc_aws *aws = sc->aws;
	struct ec2_tag tags[2];
	char buf[160], ckey[160];
	const char *n = f->name;
	int m;

	if ((m = tag_match(f, tags, inst_tags(sc, in, tags, ckey,
	    sizeof(ckey)))) != -1)
		return m;
	if (strcmp(n, "instance-id") == 0)
		return any(f, in->id);
	if (strcmp(n, "private-dns-name") == 0) {
		aws_private_dns(aws, &in->eni->ips[0], buf, sizeof(buf));
		return any(f, buf);
	}
	if (strcmp(n, "private-ip-address") == 0)
		return any(f, ip_format(&in->eni->ips[0], buf, sizeof(buf)));
	if (strcmp(n, "availability-zone") == 0)
		return any(f, in->subnet->zone);
	if (strcmp(n, "instance-type") == 0)
		return any(f, in->type->name);
	if (strcmp(n, "subnet-id") == 0 ||
	    strcmp(n, "network-interface.subnet-id") == 0)
		return any(f, in->subnet->id);
	if (strcmp(n, "vpc-id") == 0)
		return any(f, aws->vpc_id);
	if (strcmp(n, "instance-state-name") == 0)
		return any(f, "running");
	if (strcmp(n, "instance-state-code") == 0)
		return any(f, "16");
	if (strcmp(n, "network-interface.network-interface-id") == 0)
		return any(f, in->eni->id);
	if (strcmp(n, "network-interface.addresses.private-ip-address") == 0)
		return eni_has_ip(f, in->eni);
	return 0;
}

static const char *const inst_filters[] = {
	"instance-id", "private-dns-name", "private-ip-address",
	"availability-zone", "instance-type", "subnet-id", "vpc-id",
	"instance-state-name", "instance-state-code",
	"network-interface.network-interface-id",
	"network-interface.subnet-id",
	"network-interface.addresses.private-ip-address", "tag-key",
	"tag-value", NULL
};

/* "a, b" of the ids in want[] that none of have[] matches. */
static int
missing_ids(struct sc_buf *b, char **want, size_t n, int (*found)(void *,
    const char *), void *arg)
{
	size_t i;
	int k = 0;

	for (i = 0; i < n; i++)
		if (!found(arg, want[i])) {
			if (k++ > 0)
				sc_buf_add(b, ", ");
			sc_buf_add(b, want[i]);
		}
	return k;
}

static int
inst_found(void *arg, const char *id)
{
	return aws_inst_find(arg, id) != NULL;
}

static int
id_ok(const char *id, const char *prefix)
{
	size_t pl = strlen(prefix), n = 0;

	if (strncmp(id, prefix, pl) != 0)
		return 0;
	for (id += pl; id[n] != '\0'; n++)
		if (!isxdigit((unsigned char)id[n]))
			return 0;
	return n == 8 || n == 17;
}

void
ec2_describe_instances(struct sc_ctx *ctx, const struct sc_form *form)
{
	struct sim_cloud *sc = ctx->sc;
	struct sc_aws *aws = sc->aws;
	struct ec2_filter *fl = NULL;
	struct sc_buf b = { 0 }, miss = { 0 };
	char **ids = NULL;
	size_t nids = 0, nfl = 0, start, max, i, j, k, shown = 0;
	struct sc_inst *in;
	int n, ok;

	ec2_list(form, "InstanceId", &ids, &nids);
	if (ec2_filters(ctx, form, &fl, &nfl) == -1 ||
	    ec2_filters_check(ctx, fl, nfl, inst_filters) == -1 ||
	    ec2_page(ctx, form, "DescribeInstances", 5, 1000, &start,
	    &max) == -1)
		goto out;
	if (nids > 0 && sc_form_get(form, "MaxResults") != NULL) {
		ec2_error(ctx, 400, "InvalidParameterCombination", "The "
		    "parameter instancesSet cannot be used with the parameter "
		    "maxResults");
		goto out;
	}
	for (i = 0; i < nids; i++)
		if (!id_ok(ids[i], "i-")) {
			ec2_error(ctx, 400, "InvalidInstanceID.Malformed",
			    "Invalid id: \"%.64s\"", ids[i]);
			goto out;
		}
	if ((n = missing_ids(&miss, ids, nids, inst_found, aws)) > 0) {
		ec2_error(ctx, 400, "InvalidInstanceID.NotFound", "The instance "
		    "ID%s '%s' %s not exist", n > 1 ? "s" : "", miss.s,
		    n > 1 ? "do" : "does");
		goto out;
	}
	ec2_begin(ctx, &b, "DescribeInstances");
	sc_buf_add(&b, "<reservationSet>");
	for (i = 0, k = 0; i < aws->ninsts; i++) {
		in = aws->insts[i];
		ok = nids == 0;
		for (j = 0; j < nids && !ok; j++)
			ok = strcmp(ids[j], in->id) == 0;
		for (j = 0; j < nfl && ok; j++)
			ok = inst_match(sc, in, &fl[j]);
		if (!ok || k++ < start)
			continue;
		if (max > 0 && shown == max) {
			sc_buf_add(&b, "</reservationSet>");
			ec2_next_token(&b, "DescribeInstances", k - 1);
			goto done;
		}
		inst_xml(&b, sc, in);
		shown++;
	}
	sc_buf_add(&b, "</reservationSet>");
done:
	ec2_finish(ctx, &b, "DescribeInstances");
out:
	free(miss.s);
	ec2_list_free(ids, nids);
	ec2_filters_free(fl, nfl);
}

static void
itype_xml(struct sc_buf *b, const struct sc_itype *t)
{
	sc_buf_add(b, "<item>");
	sc_buf_elem(b, "instanceType", t->name);
	sc_buf_add(b, "<currentGeneration>true</currentGeneration>"
	    "<freeTierEligible>false</freeTierEligible>"
	    "<supportedUsageClasses><item>on-demand</item><item>spot</item>"
	    "</supportedUsageClasses><supportedRootDeviceTypes><item>ebs"
	    "</item></supportedRootDeviceTypes><supportedVirtualizationTypes>"
	    "<item>hvm</item></supportedVirtualizationTypes><bareMetal>false"
	    "</bareMetal><hypervisor>nitro</hypervisor>");
	sc_buf_addf(b, "<vCpuInfo><defaultVCpus>%d</defaultVCpus></vCpuInfo>"
	    "<memoryInfo><sizeInMiB>%d</sizeInMiB></memoryInfo>", t->vcpus,
	    t->mem_mib);
	sc_buf_addf(b, "<networkInfo><networkPerformance>Up to 10 Gigabit"
	    "</networkPerformance><maximumNetworkInterfaces>%d"
	    "</maximumNetworkInterfaces><maximumNetworkCards>1"
	    "</maximumNetworkCards><defaultNetworkCardIndex>0"
	    "</defaultNetworkCardIndex><networkCards><item><networkCardIndex>0"
	    "</networkCardIndex><networkPerformance>Up to 10 Gigabit"
	    "</networkPerformance><maximumNetworkInterfaces>%d"
	    "</maximumNetworkInterfaces></item></networkCards>"
	    "<ipv4AddressesPerInterface>%d</ipv4AddressesPerInterface>"
	    "<ipv6AddressesPerInterface>%d</ipv6AddressesPerInterface>"
	    "<ipv6Supported>true</ipv6Supported><enaSupport>required"
	    "</enaSupport><efaSupported>false</efaSupported>"
	    "<encryptionInTransitSupported>false"
	    "</encryptionInTransitSupported></networkInfo>", t->enis,
	    t->enis, t->ips, t->ips);
	sc_buf_add(b, "</item>");
}

void
ec2_describe_instance_types(struct sc_ctx *ctx, const struct sc_form *form)
{
	static const char *const known[] = { "instance-type",
	    "network-info.ipv4-addresses-per-interface", NULL };
	struct sc_aws *aws = ctx->sc->aws;
	struct ec2_filter *fl = NULL;
	struct sc_buf b = { 0 }, miss = { 0 };
	char **names = NULL, num[16];
	size_t n = 0, nfl = 0, start, max, i, j, k, shown = 0;
	int ok;

	ec2_list(form, "InstanceType", &names, &n);
	if (ec2_filters(ctx, form, &fl, &nfl) == -1 ||
	    ec2_filters_check(ctx, fl, nfl, known) == -1 ||
	    ec2_page(ctx, form, "DescribeInstanceTypes", 5, 100, &start,
	    &max) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		for (j = 0; j < aws->ntypes; j++)
			if (strcmp(aws->types[j].name, names[i]) == 0)
				break;
		if (j == aws->ntypes) {
			if (miss.len > 0)
				sc_buf_add(&miss, ", ");
			sc_buf_add(&miss, names[i]);
		}
	}
	if (miss.len > 0) {
		ec2_error(ctx, 400, "InvalidInstanceType", "The following "
		    "supplied instance types do not exist: [%s]", miss.s);
		goto out;
	}
	ec2_begin(ctx, &b, "DescribeInstanceTypes");
	sc_buf_add(&b, "<instanceTypeSet>");
	for (i = 0, k = 0; i < aws->ntypes; i++) {
		ok = n == 0;
		for (j = 0; j < n && !ok; j++)
			ok = strcmp(names[j], aws->types[i].name) == 0;
		for (j = 0; j < nfl && ok; j++) {
			snprintf(num, sizeof(num), "%d", aws->types[i].ips);
			ok = strcmp(fl[j].name, "instance-type") == 0 ?
			    any(&fl[j], aws->types[i].name) : any(&fl[j], num);
		}
		if (!ok || k++ < start)
			continue;
		if (max > 0 && shown == max) {
			sc_buf_add(&b, "</instanceTypeSet>");
			ec2_next_token(&b, "DescribeInstanceTypes", k - 1);
			goto done;
		}
		itype_xml(&b, &aws->types[i]);
		shown++;
	}
	sc_buf_add(&b, "</instanceTypeSet>");
done:
	ec2_finish(ctx, &b, "DescribeInstanceTypes");
out:
	free(miss.s);
	ec2_list_free(names, n);
	ec2_filters_free(fl, nfl);
}

static size_t
subnet_tags(struct sim_cloud *sc, const struct sc_subnet *sn,
    struct ec2_tag *t, char *ckey, size_t cklen)
{
	snprintf(ckey, cklen, "kubernetes.io/cluster/%s", sc->infra);
	t[0].key = "Name";
	t[0].value = sn->name;
	t[1].key = ckey;
	t[1].value = "owned";
	return 2;
}

static int
subnet_match(struct sim_cloud *sc, const struct sc_subnet *sn,
    const struct ec2_filter *f)
{
	struct ec2_tag tags[2];
	char ckey[160], buf[CIDR_STRLEN];
	const char *n = f->name;
	int m;

	if ((m = tag_match(f, tags, subnet_tags(sc, sn, tags, ckey,
	    sizeof(ckey)))) != -1)
		return m;
	if (strcmp(n, "subnet-id") == 0)
		return any(f, sn->id);
	if (strcmp(n, "cidr-block") == 0 || strcmp(n, "cidr") == 0 ||
	    strcmp(n, "cidrBlock") == 0)
		return any(f, cidr_format(&sn->cidr, buf, sizeof(buf)));
	if (strcmp(n, "availability-zone") == 0 ||
	    strcmp(n, "availabilityZone") == 0)
		return any(f, sn->zone);
	if (strcmp(n, "availability-zone-id") == 0) {
		aws_zone_id(sc->aws, sn, buf, sizeof(buf));
		return any(f, buf);
	}
	if (strcmp(n, "vpc-id") == 0)
		return any(f, sc->aws->vpc_id);
	if (strcmp(n, "state") == 0)
		return any(f, "available");
	if (strcmp(n, "owner-id") == 0)
		return any(f, sc->aws->account);
	if (strcmp(n, "default-for-az") == 0)
		return any(f, "false");
	return 0;
}

static void
subnet_xml(struct sc_buf *b, struct sim_cloud *sc, const struct sc_subnet *sn)
{
	struct sc_aws *aws = sc->aws;
	struct ec2_tag tags[2];
	char ckey[160], buf[CIDR_STRLEN];

	sc_buf_add(b, "<item>");
	sc_buf_elem(b, "subnetId", sn->id);
	sc_buf_addf(b, "<subnetArn>arn:aws:ec2:%s:%s:subnet/", aws->region,
	    aws->account);
	sc_buf_xml(b, sn->id);
	sc_buf_add(b, "</subnetArn><state>available</state>");
	sc_buf_elem(b, "vpcId", aws->vpc_id);
	sc_buf_elem(b, "ownerId", aws->account);
	sc_buf_elem(b, "cidrBlock", cidr_format(&sn->cidr, buf, sizeof(buf)));
	sc_buf_add(b, "<ipv6CidrBlockAssociationSet/>");
	sc_buf_addf(b, "<availableIpAddressCount>%d</availableIpAddressCount>",
	    aws_free_count(aws, sn));
	sc_buf_elem(b, "availabilityZone", sn->zone);
	aws_zone_id(aws, sn, buf, sizeof(buf));
	sc_buf_elem(b, "availabilityZoneId", buf);
	sc_buf_add(b, "<defaultForAz>false</defaultForAz><mapPublicIpOnLaunch>"
	    "false</mapPublicIpOnLaunch><assignIpv6AddressOnCreation>false"
	    "</assignIpv6AddressOnCreation>");
	tags_xml(b, tags, subnet_tags(sc, sn, tags, ckey, sizeof(ckey)));
	sc_buf_add(b, "</item>");
}

static int
subnet_found(void *arg, const char *id)
{
	struct sc_aws *aws = arg;
	size_t i;

	for (i = 0; i < aws->nsubnets; i++)
		if (strcmp(aws->subnets[i].id, id) == 0)
			return 1;
	return 0;
}

void
ec2_describe_subnets(struct sc_ctx *ctx, const struct sc_form *form)
{
	static const char *const known[] = { "subnet-id", "cidr-block",
	    "cidr", "cidrBlock", "availability-zone", "availabilityZone",
	    "availability-zone-id", "vpc-id", "state", "owner-id",
	    "default-for-az", "tag-key", "tag-value", NULL };
	struct sim_cloud *sc = ctx->sc;
	struct sc_aws *aws = sc->aws;
	struct ec2_filter *fl = NULL;
	struct sc_buf b = { 0 }, miss = { 0 };
	char **ids = NULL;
	size_t nids = 0, nfl = 0, start, max, i, j, k, shown = 0;
	int ok, n;

	ec2_list(form, "SubnetId", &ids, &nids);
	if (ec2_filters(ctx, form, &fl, &nfl) == -1 ||
	    ec2_filters_check(ctx, fl, nfl, known) == -1 ||
	    ec2_page(ctx, form, "DescribeSubnets", 5, 1000, &start,
	    &max) == -1)
		goto out;
	for (i = 0; i < nids; i++)
		if (!id_ok(ids[i], "subnet-")) {
			ec2_error(ctx, 400, "InvalidSubnetID.Malformed",
			    "Invalid id: \"%.64s\"", ids[i]);
			goto out;
		}
	if ((n = missing_ids(&miss, ids, nids, subnet_found, aws)) > 0) {
		ec2_error(ctx, 400, "InvalidSubnetID.NotFound", "The subnet "
		    "ID%s '%s' %s not exist", n > 1 ? "s" : "", miss.s,
		    n > 1 ? "do" : "does");
		goto out;
	}
	ec2_begin(ctx, &b, "DescribeSubnets");
	sc_buf_add(&b, "<subnetSet>");
	for (i = 0, k = 0; i < aws->nsubnets; i++) {
		ok = nids == 0;
		for (j = 0; j < nids && !ok; j++)
			ok = strcmp(ids[j], aws->subnets[i].id) == 0;
		for (j = 0; j < nfl && ok; j++)
			ok = subnet_match(sc, &aws->subnets[i], &fl[j]);
		if (!ok || k++ < start)
			continue;
		if (max > 0 && shown == max) {
			sc_buf_add(&b, "</subnetSet>");
			ec2_next_token(&b, "DescribeSubnets", k - 1);
			goto done;
		}
		subnet_xml(&b, sc, &aws->subnets[i]);
		shown++;
	}
	sc_buf_add(&b, "</subnetSet>");
done:
	ec2_finish(ctx, &b, "DescribeSubnets");
out:
	free(miss.s);
	ec2_list_free(ids, nids);
	ec2_filters_free(fl, nfl);
}

static int
eni_match(struct sc_aws *aws, const struct sc_eni *e,
    const struct ec2_filter *f)
{
	char buf[96];
	const char *n = f->name;
	int m;

	if ((m = tag_match(f, NULL, 0)) != -1)
		return m;
	if (strcmp(n, "network-interface-id") == 0)
		return any(f, e->id);
	if (strcmp(n, "subnet-id") == 0)
		return any(f, e->subnet->id);
	if (strcmp(n, "vpc-id") == 0)
		return any(f, aws->vpc_id);
	if (strcmp(n, "availability-zone") == 0)
		return any(f, e->subnet->zone);
	if (strcmp(n, "attachment.instance-id") == 0)
		return e->inst != NULL && any(f, e->inst->id);
	if (strcmp(n, "attachment.device-index") == 0)
		return e->inst != NULL && any(f, "0");
	if (strcmp(n, "attachment.status") == 0)
		return e->inst != NULL && any(f, "attached");
	if (strcmp(n, "private-ip-address") == 0)
		return any(f, ip_format(&e->ips[0], buf, sizeof(buf)));
	if (strcmp(n, "addresses.private-ip-address") == 0)
		return eni_has_ip(f, e);
	if (strcmp(n, "status") == 0)
		return any(f, e->inst != NULL || e->requester != NULL ?
		    "in-use" : "available");
	if (strcmp(n, "interface-type") == 0)
		return any(f, e->kind);
	if (strcmp(n, "requester-managed") == 0)
		return any(f, e->requester != NULL ? "true" : "false");
	if (strcmp(n, "description") == 0)
		return any(f, e->description);
	if (strcmp(n, "mac-address") == 0)
		return any(f, e->mac);
	if (strcmp(n, "owner-id") == 0)
		return any(f, aws->account);
	return 0;
}

static int
eni_found(void *arg, const char *id)
{
	return aws_eni_find(arg, id) != NULL;
}

void
ec2_describe_enis(struct sc_ctx *ctx, const struct sc_form *form)
{
	static const char *const known[] = { "network-interface-id",
	    "subnet-id", "vpc-id", "availability-zone",
	    "attachment.instance-id", "attachment.device-index",
	    "attachment.status", "private-ip-address",
	    "addresses.private-ip-address", "status", "interface-type",
	    "requester-managed", "description", "mac-address", "owner-id",
	    "tag-key", "tag-value", NULL };
	struct sc_aws *aws = ctx->sc->aws;
	struct ec2_filter *fl = NULL;
	struct sc_buf b = { 0 }, miss = { 0 };
	char **ids = NULL;
	size_t nids = 0, nfl = 0, start, max, i, j, k, shown = 0;
	int ok, n;

	ec2_list(form, "NetworkInterfaceId", &ids, &nids);
	if (ec2_filters(ctx, form, &fl, &nfl) == -1 ||
	    ec2_filters_check(ctx, fl, nfl, known) == -1 ||
	    ec2_page(ctx, form, "DescribeNetworkInterfaces", 5, 1000, &start,
	    &max) == -1)
		goto out;
	if (nids > 0 && sc_form_get(form, "MaxResults") != NULL) {
		ec2_error(ctx, 400, "InvalidParameterCombination", "The "
		    "parameter NetworkInterfaceIds cannot be used with the "
		    "parameter maxResults");
		goto out;
	}
	for (i = 0; i < nids; i++)
		if (!id_ok(ids[i], "eni-")) {
			ec2_error(ctx, 400, "InvalidNetworkInterfaceID.Malformed",
			    "Invalid id: \"%.64s\" (expecting \"eni-...\")",
			    ids[i]);
			goto out;
		}
	if ((n = missing_ids(&miss, ids, nids, eni_found, aws)) > 0) {
		ec2_error(ctx, 400, "InvalidNetworkInterfaceID.NotFound", "The "
		    "networkInterface ID%s '%s' %s not exist", n > 1 ? "s" : "",
		    miss.s, n > 1 ? "do" : "does");
		goto out;
	}
	ec2_begin(ctx, &b, "DescribeNetworkInterfaces");
	sc_buf_add(&b, "<networkInterfaceSet>");
	for (i = 0, k = 0; i < aws->nenis; i++) {
		ok = nids == 0;
		for (j = 0; j < nids && !ok; j++)
			ok = strcmp(ids[j], aws->enis[i]->id) == 0;
		for (j = 0; j < nfl && ok; j++)
			ok = eni_match(aws, aws->enis[i], &fl[j]);
		if (!ok || k++ < start)
			continue;
		if (max > 0 && shown == max) {
			sc_buf_add(&b, "</networkInterfaceSet>");
			ec2_next_token(&b, "DescribeNetworkInterfaces", k - 1);
			goto done;
		}
		eni_xml(&b, aws, aws->enis[i], 1);
		shown++;
	}
	sc_buf_add(&b, "</networkInterfaceSet>");
done:
	ec2_finish(ctx, &b, "DescribeNetworkInterfaces");
out:
	free(miss.s);
	ec2_list_free(ids, nids);
	ec2_filters_free(fl, nfl);
}
