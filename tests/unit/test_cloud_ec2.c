/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudworker/ec2_req.c, ec2_parse.c and xml.c: request bodies and the
 * parsers, against fixtures in the shapes of the botocore model, with
 * botocore itself (tests/cloudworker/ec2_oracle.py under /usr/bin/python3)
 * as the oracle for both: it serializes the same requests and parses the
 * same responses.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ec2.h"
#include "testutil.h"
#include "xml.h"

#define NS "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\""

/* Two instances; the first has its secondary ENI listed first. */
static const char instances_xml[] =
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
"<DescribeInstancesResponse " NS ">\n"
" <requestId>r-1</requestId>\n"
" <reservationSet><item><reservationId>r-0a</reservationId>"
"  <ownerId>123456789012</ownerId>\n"
"  <instancesSet>\n"
"   <item><instanceId>i-0aaa</instanceId><instanceType>m5.large</instanceType>"
"    <instanceState><code>16</code><name>running</name></instanceState>"
"    <placement><availabilityZone>us-east-1a</availabilityZone></placement>"
"    <privateIpAddress>10.0.1.10</privateIpAddress>"
"    <subnetId>subnet-1</subnetId><vpcId>vpc-1</vpcId>\n"
"    <networkInterfaceSet>\n"
"     <item><networkInterfaceId>eni-second</networkInterfaceId>"
"      <subnetId>subnet-1</subnetId><status>in-use</status>"
"      <attachment><deviceIndex>1</deviceIndex><status>attached</status>"
"       <networkCardIndex>0</networkCardIndex></attachment>"
"      <privateIpAddress>10.0.1.99</privateIpAddress>"
"      <privateIpAddressesSet><item><privateIpAddress>10.0.1.99"
"       </privateIpAddress><primary>true</primary></item>"
"      </privateIpAddressesSet></item>\n"
"     <item><networkInterfaceId>eni-main</networkInterfaceId>"
"      <subnetId>subnet-1</subnetId><status>in-use</status>"
"      <attachment><deviceIndex>0</deviceIndex><status>attached</status>"
"       <networkCardIndex>0</networkCardIndex></attachment>"
"      <privateIpAddress>10.0.1.10</privateIpAddress>"
"      <privateIpAddressesSet>"
"       <item><privateIpAddress>10.0.1.10</privateIpAddress>"
"        <primary>true</primary></item>"
"       <item><privateIpAddress>10.0.1.30</privateIpAddress>"
"        <primary>false</primary></item>"
"       <item><privateIpAddress>10.0.5.7</privateIpAddress>"
"        <primary>false</primary></item>"
"      </privateIpAddressesSet>"
"      <ipv4PrefixSet><item><ipv4Prefix>10.0.1.64/30</ipv4Prefix></item>"
"      </ipv4PrefixSet></item>\n"
"    </networkInterfaceSet></item>\n"
"   <item><instanceId>i-0bbb</instanceId><instanceType>t3.micro</instanceType>"
"    <instanceState><code>16</code><name>running</name></instanceState>"
"    <vpcId>vpc-1</vpcId><networkInterfaceSet/></item>\n"
"  </instancesSet></item></reservationSet>\n"
" <nextToken>tok-2</nextToken>\n"
"</DescribeInstancesResponse>\n";

static const char itypes_xml[] =
"<DescribeInstanceTypesResponse " NS "><requestId>r</requestId>"
"<instanceTypeSet><item><instanceType>m5.large</instanceType>"
"<networkInfo><maximumNetworkInterfaces>3</maximumNetworkInterfaces>"
"<ipv4AddressesPerInterface>10</ipv4AddressesPerInterface>"
"<ipv6AddressesPerInterface>10</ipv6AddressesPerInterface></networkInfo></item>"
"<item><instanceType>t3.micro</instanceType><networkInfo>"
"<maximumNetworkInterfaces>2</maximumNetworkInterfaces>"
"<ipv4AddressesPerInterface>2</ipv4AddressesPerInterface></networkInfo></item>"
"</instanceTypeSet></DescribeInstanceTypesResponse>";

static const char subnets_xml[] =
"<DescribeSubnetsResponse " NS "><requestId>r</requestId><subnetSet>"
"<item><subnetId>subnet-1</subnetId><vpcId>vpc-1</vpcId>"
"<cidrBlock>10.0.1.0/24</cidrBlock><availabilityZone>us-east-1a"
"</availabilityZone><state>available</state></item>"
"<item><subnetId>subnet-2</subnetId><vpcId>vpc-1</vpcId>"
"<cidrBlock>10.0.2.0/24</cidrBlock><availabilityZone>us-east-1b"
"</availabilityZone><state>available</state></item>"
"</subnetSet></DescribeSubnetsResponse>";

static const char enis_xml[] =
"<DescribeNetworkInterfacesResponse " NS "><requestId>r</requestId>"
"<networkInterfaceSet><item><networkInterfaceId>eni-x</networkInterfaceId>"
"<subnetId>subnet-1</subnetId><privateIpAddress>10.0.1.50</privateIpAddress>"
"<privateIpAddressesSet><item><privateIpAddress>10.0.1.50</privateIpAddress>"
"<primary>true</primary></item><item><privateIpAddress>10.0.1.51"
"</privateIpAddress><primary>false</primary></item></privateIpAddressesSet>"
"</item></networkInterfaceSet><nextToken>page2</nextToken>"
"</DescribeNetworkInterfacesResponse>";

static const char assign_xml[] =
"<AssignPrivateIpAddressesResponse " NS "><requestId>r</requestId>"
"<networkInterfaceId>eni-main</networkInterfaceId>"
"<assignedPrivateIpAddressesSet><item><privateIpAddress>10.0.1.31"
"</privateIpAddress></item><item><privateIpAddress>10.0.1.32"
"</privateIpAddress></item></assignedPrivateIpAddressesSet>"
"</AssignPrivateIpAddressesResponse>";

static const char unassign_xml[] =
"<UnassignPrivateIpAddressesResponse " NS "><requestId>r</requestId>"
"<return>true</return></UnassignPrivateIpAddressesResponse>";

static const char ec2_error_xml[] =
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
"<Code>PrivateIpAddressLimitExceeded</Code><Message>Number of private "
"addresses will exceed limit.</Message></Error></Errors>"
"<RequestID>req-9</RequestID></Response>";

static const char sts_ok_xml[] =
"<AssumeRoleWithWebIdentityResponse "
"xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
"<AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>sub"
"</SubjectFromWebIdentityToken><Audience>openshift</Audience>"
"<AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn>"
"<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser><Credentials>"
"<AccessKeyId>ASIATEMP</AccessKeyId><SecretAccessKey>tempsecret/abc+def"
"</SecretAccessKey><SessionToken>FwoGZXIvYXdzEJr//////////token"
"</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>"
"</Credentials><Provider>oidc</Provider></AssumeRoleWithWebIdentityResult>"
"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
"</AssumeRoleWithWebIdentityResponse>";

static const char sts_error_xml[] =
"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
"<Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>"
"<Message>Token is not valid</Message></Error><RequestId>sts-1</RequestId>"
"</ErrorResponse>";

static int
has_ip(const struct eip_ip *v, size_t n, const char *s)
{
	struct eip_ip ip;
	size_t i;

	ck_assert_int_eq(ip_parse(s, &ip), 0);
	for (i = 0; i < n; i++)
		if (ip_equal(&v[i], &ip))
			return 1;
	return 0;
}

START_TEST(t_instances)
{
	struct ec2_instances l;
	const struct ec2_eni *e;
	char err[256];

	ck_assert_int_eq(ec2_parse_instances(instances_xml,
	    strlen(instances_xml), &l, err, sizeof(err)), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.next_token, "tok-2");
	ck_assert_str_eq(l.v[0].id, "i-0aaa");
	ck_assert_str_eq(l.v[0].type, "m5.large");
	ck_assert_str_eq(l.v[0].state, "running");
	ck_assert_str_eq(l.v[0].vpc_id, "vpc-1");
	ck_assert_str_eq(l.v[0].zone, "us-east-1a");
	ck_assert_uint_eq(l.v[0].nenis, 2);
	/* Device index 0, not the first listed (an upstream bug). */
	e = ec2_primary_eni(&l.v[0]);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->id, "eni-main");
	ck_assert(has_ip(&e->primary_ip, 1, "10.0.1.10"));
	/* Primary and two secondaries; the prefix apart, 4 addresses. */
	ck_assert_uint_eq(e->nips, 3);
	ck_assert(has_ip(e->ips, e->nips, "10.0.1.30"));
	ck_assert(has_ip(e->ips, e->nips, "10.0.5.7"));
	ck_assert(!has_ip(e->ips, e->nips, "10.0.1.67"));
	ck_assert_uint_eq(e->nprefixes, 1);
	ck_assert_uint_eq(e->nprefix_ips, 4);
	ck_assert(has_ip(e->prefix_ips, e->nprefix_ips, "10.0.1.67"));
	ck_assert_ptr_null(ec2_primary_eni(&l.v[1]));
	ec2_instances_clear(&l);
}
END_TEST

START_TEST(t_other_responses)
{
	struct ec2_itypes t;
	struct ec2_subnets s;
	struct ec2_enis e;
	struct eip_ip *ips;
	size_t n;
	char err[256];

	ck_assert_int_eq(ec2_parse_instance_types(itypes_xml,
	    strlen(itypes_xml), &t, err, sizeof(err)), 0);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_str_eq(t.v[1].name, "t3.micro");
	ck_assert_int_eq(t.v[0].ipv4_per_eni, 10);
	ck_assert_int_eq(t.v[1].ipv4_per_eni, 2);
	ck_assert_ptr_null(t.next_token);
	ec2_itypes_clear(&t);

	ck_assert_int_eq(ec2_parse_subnets(subnets_xml, strlen(subnets_xml),
	    &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.v[1].id, "subnet-2");
	ck_assert_int_eq(s.v[1].cidr.len, 24);
	ec2_subnets_clear(&s);

	ck_assert_int_eq(ec2_parse_enis(enis_xml, strlen(enis_xml), &e, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(e.n, 1);
	ck_assert_uint_eq(e.v[0].nips, 2);
	ck_assert_str_eq(e.next_token, "page2");
	ck_assert_int_eq(e.v[0].device_index, -1);
	ec2_enis_clear(&e);

	ck_assert_int_eq(ec2_parse_assign(assign_xml, strlen(assign_xml), &ips,
	    &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(has_ip(ips, n, "10.0.1.32"));
	free(ips);
	ck_assert_int_eq(ec2_parse_unassign(unassign_xml, strlen(unassign_xml),
	    err, sizeof(err)), 0);
	/* A success body of another action is not a success of this one. */
	ck_assert_int_eq(ec2_parse_unassign(assign_xml, strlen(assign_xml),
	    err, sizeof(err)), -1);
}
END_TEST

START_TEST(t_errors)
{
	struct ec2_error e;

	ck_assert_int_eq(ec2_parse_error(ec2_error_xml, strlen(ec2_error_xml),
	    &e), 0);
	ck_assert_str_eq(e.code, "PrivateIpAddressLimitExceeded");
	ck_assert_str_eq(e.request_id, "req-9");
	ck_assert(strstr(e.message, "exceed limit") != NULL);
	ck_assert_int_eq(ec2_parse_error(sts_error_xml, strlen(sts_error_xml),
	    &e), 0);
	ck_assert_str_eq(e.code, "InvalidIdentityToken");
	ck_assert_str_eq(e.request_id, "sts-1");
	ck_assert_int_eq(ec2_parse_error(unassign_xml, strlen(unassign_xml),
	    &e), -1);
	ck_assert_int_eq(ec2_parse_error("<html>oops", 10, &e), -1);
	ck_assert_int_eq(ec2_parse_error("", 0, &e), -1);
}
END_TEST

START_TEST(t_sts)
{
	struct sts_credentials c;
	char err[256];

	ck_assert_int_eq(sts_parse_assume(sts_ok_xml, strlen(sts_ok_xml), &c,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(c.access_key, "ASIATEMP");
	ck_assert_str_eq(c.secret_key, "tempsecret/abc+def");
	ck_assert_str_eq(c.session_token, "FwoGZXIvYXdzEJr//////////token");
	ck_assert(c.expiration == 4070908800);
	sts_credentials_clear(&c);
	ck_assert_ptr_null(c.secret_key);
	ck_assert_int_eq(sts_parse_assume(sts_error_xml, strlen(sts_error_xml),
	    &c, err, sizeof(err)), -1);
}
END_TEST

static const char *const bad_docs[] = {
	/* Entity expansion ("billion laughs") and external entities. */
	"<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaa\">"
	"<!ENTITY b \"&a;&a;&a;&a;\">]><DescribeInstancesResponse>&b;"
	"</DescribeInstancesResponse>",
	"<!DOCTYPE r SYSTEM \"file:///etc/passwd\"><DescribeInstancesResponse/>",
	"<DescribeInstancesResponse><reservationSet>",
	"<DescribeInstancesResponse></DescribeInstancesResponse><x/>",
	"",
	"not xml",
	"<Wrong/>",
	/* An instance without an id, an ENI with a bad address. */
	"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
	"<instanceType>m5</instanceType></item></instancesSet></item>"
	"</reservationSet></DescribeInstancesResponse>",
	"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
	"<instanceId>i-1</instanceId><networkInterfaceSet><item>"
	"<networkInterfaceId>eni-1</networkInterfaceId><privateIpAddress>"
	"10.0.0.300</privateIpAddress></item></networkInterfaceSet></item>"
	"</instancesSet></item></reservationSet></DescribeInstancesResponse>",
	"<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
	"<instanceId>i-1</instanceId><networkInterfaceSet><item>"
	"<networkInterfaceId>eni-1</networkInterfaceId><attachment>"
	"<deviceIndex>-3</deviceIndex></attachment></item>"
	"</networkInterfaceSet></item></instancesSet></item></reservationSet>"
	"</DescribeInstancesResponse>",
	NULL
};

START_TEST(t_bad_xml)
{
	struct ec2_instances l;
	char err[256];
	int i;

	for (i = 0; bad_docs[i] != NULL; i++) {
		err[0] = '\0';
		ck_assert_msg(ec2_parse_instances(bad_docs[i],
		    strlen(bad_docs[i]), &l, err, sizeof(err)) == -1,
		    "accepted doc %d", i);
		ck_assert_msg(err[0] != '\0', "no reason for doc %d", i);
		ck_assert_uint_eq(l.n, 0);
	}
}
END_TEST

START_TEST(t_xml_limits)
{
	struct eip_xnode *n;
	char err[128], *deep;
	size_t i, len = 0;

	deep = malloc(XML_MAX_DEPTH * 8 + 64);
	for (i = 0; i < XML_MAX_DEPTH + 1; i++)
		len += (size_t)sprintf(deep + len, "<a>");
	ck_assert_ptr_null(xml_parse(deep, len, err, sizeof(err)));
	ck_assert(strstr(err, "deeply") != NULL);
	free(deep);
	n = xml_parse("<r xmlns:x=\"u\"><x:a> v  </x:a><b/><a>w</a></r>", 46,
	    err, sizeof(err));
	ck_assert_ptr_nonnull(n);
	ck_assert_str_eq(xml_text(n, "a"), "v");
	ck_assert_str_eq(xml_next(xml_child(n, "a"))->text, "w");
	ck_assert_str_eq(xml_text(n, "b"), "");
	ck_assert_ptr_null(xml_text(n, "c"));
	ck_assert_ptr_null(xml_path(n, "a/b"));
	xml_free(n);
}
END_TEST

START_TEST(t_requests_exact)
{
	const char *ids[] = { "i-1", "i-2" };
	struct eip_ip ips[2];
	char *b;

	b = ec2_req_describe_instances(ids, 2, NULL);
	ck_assert_str_eq(b, "Action=DescribeInstances&Version=2016-11-15&"
	    "Filter.1.Name=instance-id&Filter.1.Value.1=i-1&"
	    "Filter.1.Value.2=i-2");
	free(b);
	ip_parse("10.0.1.30", &ips[0]);
	ip_parse("10.0.1.31", &ips[1]);
	b = ec2_req_assign("eni-1", ips, 2);
	ck_assert_str_eq(b, "Action=AssignPrivateIpAddresses&Version=2016-11-15"
	    "&NetworkInterfaceId=eni-1&PrivateIpAddress.1=10.0.1.30&"
	    "PrivateIpAddress.2=10.0.1.31&AllowReassignment=false");
	free(b);
	b = sts_req_assume_web_identity("arn:aws:iam::1:role/r", "eipam",
	    "a+b/c=", 3600);
	ck_assert_str_eq(b, "Action=AssumeRoleWithWebIdentity&Version="
	    "2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&"
	    "RoleSessionName=eipam&WebIdentityToken=a%2Bb%2Fc%3D&"
	    "DurationSeconds=3600");
	free(b);
}
END_TEST

START_TEST(t_provider_id_and_time)
{
	char id[64];
	time_t t;

	ck_assert_int_eq(ec2_instance_from_provider_id(
	    "aws:///us-east-1a/i-0abc123", id, sizeof(id)), 0);
	ck_assert_str_eq(id, "i-0abc123");
	ck_assert_int_eq(ec2_instance_from_provider_id("aws:///i-9", id,
	    sizeof(id)), 0);
	ck_assert_int_eq(ec2_instance_from_provider_id("azure:///x/i-1", id,
	    sizeof(id)), -1);
	ck_assert_int_eq(ec2_instance_from_provider_id("aws:///zone/", id,
	    sizeof(id)), -1);
	ck_assert_int_eq(ec2_instance_from_provider_id("aws:///z/i-1&x=2", id,
	    sizeof(id)), -1);
	ck_assert_int_eq(ec2_instance_from_provider_id(NULL, id, sizeof(id)),
	    -1);
	ck_assert_int_eq(ec2_parse_time("2024-01-01T00:00:00Z", &t), 0);
	ck_assert(t == 1704067200);
	ck_assert_int_eq(ec2_parse_time("2024-01-01T00:00:01.500Z", &t), 0);
	ck_assert(t == 1704067201);
	ck_assert_int_eq(ec2_parse_time("2024-01-01 00:00:00", &t), -1);
	ck_assert_int_eq(ec2_parse_time("2024-01-01T00:00:00+02:00", &t), -1);
}
END_TEST

/* botocore as the oracle: serializer for requests, parsers for responses. */
static const char *
python3(void)
{
	const char *p = getenv("PYTHON3_SYS");

	return p != NULL && *p != '\0' ? p : "/usr/bin/python3";
}

static json_t *
run_oracle(json_t *in)
{
	char tmpl[] = "/tmp/ec2-oracle-XXXXXX", *cmd;
	const char *src = getenv("top_srcdir");
	json_error_t jerr;
	json_t *out;
	FILE *f;
	int fd;

	fd = mkstemp(tmpl);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(json_dumpfd(in, fd, 0), 0);
	close(fd);
	ck_assert_int_gt(asprintf(&cmd, "%s %s/tests/cloudworker/ec2_oracle.py "
	    "< %s", python3(), src != NULL ? src : ".", tmpl), 0);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	out = json_loadf(f, 0, &jerr);
	pclose(f);
	unlink(tmpl);
	free(cmd);
	ck_assert_msg(out != NULL, "oracle output: %s", jerr.text);
	return out;
}

static void
add_req(json_t *reqs, const char *service, const char *op, const char *params,
    char *body)
{
	json_t *p = json_loads(params, 0, NULL);

	ck_assert_ptr_nonnull(p);
	json_array_append_new(reqs, json_pack("{s:s,s:s,s:o,s:s}", "service",
	    service, "op", op, "params", p, "body", body));
	free(body);
}

static void
add_resp(json_t *resps, const char *service, const char *op, const char *xml,
    int status)
{
	json_array_append_new(resps, json_pack("{s:s,s:s,s:s,s:i}", "service",
	    service, "op", op, "xml", xml, "status", status));
}

START_TEST(t_botocore_oracle)
{
	const char *ids[] = { "i-0aaa", "i-0bbb" };
	const char *types[] = { "m5.large", "t3.micro" };
	const char *vpcs[] = { "vpc-1" };
	const char *subnets[] = { "subnet-1", "subnet-2" };
	struct eip_ip ips[3];
	json_t *in, *reqs, *resps, *out, *r, *x;
	size_t i;

	ip_parse("10.0.1.30", &ips[0]);
	ip_parse("10.0.1.31", &ips[1]);
	ip_parse("fd00::5", &ips[2]);
	reqs = json_array();
	add_req(reqs, "ec2", "DescribeInstances", "{\"Filters\":[{\"Name\":"
	    "\"instance-id\",\"Values\":[\"i-0aaa\",\"i-0bbb\"]}],"
	    "\"NextToken\":\"a b/c+=\"}",
	    ec2_req_describe_instances(ids, 2, "a b/c+="));
	add_req(reqs, "ec2", "DescribeInstanceTypes", "{\"InstanceTypes\":"
	    "[\"m5.large\",\"t3.micro\"]}",
	    ec2_req_describe_instance_types(types, 2, NULL));
	add_req(reqs, "ec2", "DescribeSubnets", "{\"Filters\":[{\"Name\":"
	    "\"vpc-id\",\"Values\":[\"vpc-1\"]}],\"MaxResults\":1000}",
	    ec2_req_describe_subnets(vpcs, 1, NULL));
	add_req(reqs, "ec2", "DescribeNetworkInterfaces", "{\"Filters\":"
	    "[{\"Name\":\"subnet-id\",\"Values\":[\"subnet-1\",\"subnet-2\"]}],"
	    "\"MaxResults\":1000,\"NextToken\":\"t\"}",
	    ec2_req_describe_enis(subnets, 2, "t"));
	add_req(reqs, "ec2", "AssignPrivateIpAddresses", "{\"NetworkInterfaceId\":"
	    "\"eni-1\",\"PrivateIpAddresses\":[\"10.0.1.30\",\"10.0.1.31\"],"
	    "\"AllowReassignment\":false}", ec2_req_assign("eni-1", ips, 2));
	add_req(reqs, "ec2", "UnassignPrivateIpAddresses", "{\"NetworkInterfaceId\":"
	    "\"eni-1\",\"PrivateIpAddresses\":[\"10.0.1.30\"]}",
	    ec2_req_unassign("eni-1", ips, 1));
	add_req(reqs, "sts", "AssumeRoleWithWebIdentity", "{\"RoleArn\":"
	    "\"arn:aws:iam::1:role/r\",\"RoleSessionName\":\"eipam\","
	    "\"WebIdentityToken\":\"eyJ.a+b/c=\",\"DurationSeconds\":3600}",
	    sts_req_assume_web_identity("arn:aws:iam::1:role/r", "eipam",
	    "eyJ.a+b/c=", 3600));
	resps = json_array();
	add_resp(resps, "ec2", "DescribeInstances", instances_xml, 200);
	add_resp(resps, "ec2", "DescribeInstanceTypes", itypes_xml, 200);
	add_resp(resps, "ec2", "DescribeNetworkInterfaces", enis_xml, 200);
	add_resp(resps, "ec2", "AssignPrivateIpAddresses", assign_xml, 200);
	add_resp(resps, "ec2", "AssignPrivateIpAddresses", ec2_error_xml, 400);
	add_resp(resps, "sts", "AssumeRoleWithWebIdentity", sts_ok_xml, 200);
	add_resp(resps, "sts", "AssumeRoleWithWebIdentity", sts_error_xml, 400);
	in = json_pack("{s:o,s:o}", "requests", reqs, "responses", resps);
	out = run_oracle(in);
	json_decref(in);

	json_array_foreach(json_object_get(out, "requests"), i, r) {
		char *d = json_dumps(r, JSON_COMPACT);

		ck_assert_msg(json_is_true(json_object_get(r, "equal")),
		    "request %zu differs from botocore: %s", i, d);
		free(d);
	}
	resps = json_object_get(out, "responses");
	/* botocore sees what our parser sees. */
	x = json_object_get(json_array_get(json_object_get(json_array_get(
	    json_object_get(json_array_get(resps, 0), "Reservations"), 0),
	    "Instances"), 0), "NetworkInterfaces");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(x, 1),
	    "NetworkInterfaceId")), "eni-main");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_array_get(x, 1), "Attachment"), "DeviceIndex")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(json_array_get(x, 1),
	    "PrivateIpAddresses")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(resps,
	    0), "NextToken")), "tok-2");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_array_get(json_object_get(json_array_get(resps, 1),
	    "InstanceTypes"), 0), "NetworkInfo"), "Ipv4AddressesPerInterface")),
	    10);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(resps,
	    2), "NextToken")), "page2");
	ck_assert_uint_eq(json_array_size(json_object_get(json_array_get(resps,
	    3), "AssignedPrivateIpAddresses")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_array_get(resps, 4), "Error"), "Code")),
	    "PrivateIpAddressLimitExceeded");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_array_get(resps, 5), "Credentials"), "Expiration")),
	    "2099-01-01T00:00:00Z");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_array_get(resps, 6), "Error"), "Code")),
	    "InvalidIdentityToken");
	json_decref(out);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("cloud_ec2");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, t_instances);
	tcase_add_test(tc, t_other_responses);
	tcase_add_test(tc, t_errors);
	tcase_add_test(tc, t_sts);
	tcase_add_test(tc, t_bad_xml);
	tcase_add_test(tc, t_xml_limits);
	suite_add_tcase(s, tc);
	tc = tcase_create("requests");
	tcase_add_test(tc, t_requests_exact);
	tcase_add_test(tc, t_provider_id_and_time);
	suite_add_tcase(s, tc);
	tc = tcase_create("oracle");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, t_botocore_oracle);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return eip_run_suite(suite());
}
