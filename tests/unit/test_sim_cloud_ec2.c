/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated EC2 and STS as pure handlers: SigV4 checks, Describe*
 * filters and pagination, Assign/Unassign rules, throttles, faults,
 * web-identity credentials and the credentials files.  Every response
 * body is checked to be well-formed XML.
 */
#include <sys/stat.h>

#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim_cloud_test.h"
#include "testutil.h"

static struct sim_cloud *sc;
static char *ak, *sk, *region;
static char pid1[256], ip1[64], pid2[256], ip2[64], pid3[256], ip3[64];

static void
setup(void)
{
	char err[256];

	sc = sim_cloud_new("AWS", "static", NULL, TC_BASE, err, sizeof(err));
	ck_assert_msg(sc != NULL, "%s", err);
	ip1[0] = ip2[0] = ip3[0] = '\0';
	ck_assert_int_eq(sim_cloud_add_node(sc, "node-a", "us-east-1a",
	    "m5.large", pid1, sizeof(pid1), ip1, sizeof(ip1)), 0);
	ck_assert_int_eq(sim_cloud_add_node(sc, "node-b", "us-east-1a",
	    "t3.medium", pid2, sizeof(pid2), ip2, sizeof(ip2)), 0);
	/* The address asked for is kept when it is free. */
	snprintf(ip3, sizeof(ip3), "10.0.144.77");
	ck_assert_int_eq(sim_cloud_add_node(sc, "node<&>c", "us-east-1b", "",
	    pid3, sizeof(pid3), ip3, sizeof(ip3)), 0);
	ak = tc_dump_str(sc, "testCredentials", "accessKeyId");
	sk = tc_dump_str(sc, "testCredentials", "secretAccessKey");
	region = tc_dump_str(sc, "region", NULL);
}

static void
teardown(void)
{
	sim_cloud_free(sc);
	free(ak);
	free(sk);
	free(region);
}

static int
call(const char *body, struct sim_resp *r)
{
	return tc_ec2(sc, body, ak, sk, NULL, time(NULL), region, r);
}

/* Calls and checks the code and (for errors) the EC2 error code. */
static void
expect(const char *body, int code, const char *ecode)
{
	struct sim_resp r;

	ck_assert_msg(call(body, &r) == code, "%s -> %d: %.*s", body, r.code,
	    (int)r.body_len, r.body);
	if (ecode != NULL) {
		ck_assert_msg(strncmp(r.body, "<?xml version=\"1.0\" encoding="
		    "\"UTF-8\"?>\n<Response><Errors><Error><Code>", 59) == 0,
		    "not the EC2 error shape: %s", r.body);
		ck_assert_str_eq(tc_xml_text(r.body, "Code"), ecode);
		ck_assert_int_gt(strlen(tc_xml_text(r.body, "RequestID")), 30);
	}
	sim_resp_clear(&r);
}

static char *
eni_of(const char *pid)
{
	struct sim_resp r;
	char body[256];
	char *eni;

	snprintf(body, sizeof(body), "Action=DescribeInstances&Version="
	    "2016-11-15&InstanceId.1=%s", strrchr(pid, '/') + 1);
	ck_assert_int_eq(call(body, &r), 200);
	eni = strdup(tc_xml_text(r.body, "networkInterfaceId"));
	sim_resp_clear(&r);
	ck_assert_int_eq(strncmp(eni, "eni-", 4), 0);
	return eni;
}

START_TEST(t_nodes)
{
	char *cfg;
	json_t *ps, *a;

	ck_assert_int_eq(strncmp(pid1, "aws:///us-east-1a/i-", 20), 0);
	ck_assert_int_eq(strncmp(pid3, "aws:///us-east-1b/i-", 20), 0);
	ck_assert_str_eq(ip3, "10.0.144.77");
	/* Foreign ENIs took the first free addresses of the subnet. */
	ck_assert_int_eq(strncmp(ip1, "10.0.128.", 9), 0);
	ck_assert_str_ne(ip1, "10.0.128.4");
	ck_assert_str_ne(ip1, ip2);
	ps = sim_cloud_platform_status(sc);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(ps,
	    "aws"), "region")), "us-east-1");
	json_decref(ps);
	cfg = sim_cloud_egress_ipconfig(sc, "node-b");
	a = json_loads(cfg, 0, NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_array_get(a, 0), "capacity"), "ipv4")), 5);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_array_get(a, 0), "ifaddr"), "ipv4")), "10.0.128.0/20");
	json_decref(a);
	free(cfg);
	ck_assert_ptr_null(sim_cloud_egress_ipconfig(sc, "nope"));
	/* Unknown zone or type is refused; adding twice is idempotent. */
	ck_assert_int_eq(sim_cloud_add_node(sc, "x", "mars-1a", "", pid2,
	    sizeof(pid2), ip2, sizeof(ip2)), -1);
	ck_assert_int_eq(sim_cloud_add_node(sc, "x", "us-east-1a", "z9.huge",
	    pid2, sizeof(pid2), ip2, sizeof(ip2)), -1);
	ck_assert_int_eq(sim_cloud_add_node(sc, "node-a", "us-east-1a", "",
	    pid2, sizeof(pid2), ip2, sizeof(ip2)), 0);
	ck_assert_str_eq(pid2, pid1);
	ck_assert_int_eq(sim_cloud_remove_node(sc, "node-a"), 0);
	ck_assert_int_eq(sim_cloud_remove_node(sc, "node-a"), -1);
}
END_TEST

START_TEST(t_sigv4)
{
	static const char body[] = "Action=DescribeInstances&Version=2016-11-15";
	struct sim_resp r;
	struct tc_req t;

	ck_assert_int_eq(call(body, &r), 200);
	ck_assert_ptr_nonnull(strstr(r.body, "<DescribeInstancesResponse "
	    "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"));
	ck_assert_int_eq(tc_count(r.body, "<instanceId>"), 3);
	ck_assert_str_eq(tc_resp_header(&r, "x-amzn-RequestId"),
	    tc_xml_text(r.body, "requestId"));
	sim_resp_clear(&r);
	/* Wrong secret, unknown key, skewed clock, other region. */
	ck_assert_int_eq(tc_ec2(sc, body, ak, "wrong", NULL, time(NULL),
	    region, &r), 401);
	ck_assert_str_eq(tc_xml_text(r.body, "Code"), "AuthFailure");
	sim_resp_clear(&r);
	ck_assert_int_eq(tc_ec2(sc, body, "AKIAUNKNOWN0000000000", sk, NULL,
	    time(NULL), region, &r), 401);
	sim_resp_clear(&r);
	ck_assert_int_eq(tc_ec2(sc, body, ak, sk, NULL, time(NULL) - 301,
	    region, &r), 400);
	ck_assert_str_eq(tc_xml_text(r.body, "Code"), "RequestExpired");
	sim_resp_clear(&r);
	ck_assert_int_eq(tc_ec2(sc, body, ak, sk, NULL, time(NULL) + 240,
	    region, &r), 200);
	sim_resp_clear(&r);
	ck_assert_int_eq(tc_ec2(sc, body, ak, sk, NULL, time(NULL),
	    "eu-west-1", &r), 401);
	sim_resp_clear(&r);
	/* No Authorization at all. */
	tc_init(&t, "POST", "/aws/ec2/", NULL, body);
	ck_assert_int_eq(tc_call(sc, &t, &r), 401);
	ck_assert_str_eq(tc_xml_text(r.body, "Code"),
	    "MissingAuthenticationToken");
	sim_resp_clear(&r);
	tc_hdr(&t, "Authorization", "AWS4-HMAC-SHA256 garbage");
	ck_assert_int_eq(tc_call(sc, &t, &r), 400);
	ck_assert_str_eq(tc_xml_text(r.body, "Code"), "IncompleteSignature");
	sim_resp_clear(&r);
}
END_TEST

START_TEST(t_tampered)
{
	static const char body[] = "Action=DescribeInstances&Version=2016-11-15";
	struct sigv4_header hs[3] = { { "Content-Type", TC_FORM },
	    { "Host", TC_HOST }, { "X-Amz-Date", NULL } };
	struct sigv4_credentials c = { ak, sk, NULL, region, "ec2" };
	struct sigv4_request sr = { "POST", "/aws/ec2/", NULL, hs, 3, body,
	    sizeof(body) - 1, NULL };
	char amz[SIGV4_AMZDATE_LEN + 1], *auth;
	struct sim_resp r;
	struct tc_req t;

	sigv4_format_amzdate(time(NULL), amz);
	hs[2].value = amz;
	ck_assert_int_eq(sigv4_sign(&sr, &c, amz, &auth, NULL), 0);
	/* The body a man in the middle changed. */
	tc_init(&t, "POST", "/aws/ec2/", NULL, "Action=DescribeInstances&"
	    "Version=2016-11-15&InstanceId.1=i-0123456789abcdef0");
	tc_hdr(&t, "Content-Type", TC_FORM);
	tc_hdr(&t, "X-Amz-Date", amz);
	tc_hdr(&t, "Authorization", auth);
	ck_assert_int_eq(tc_call(sc, &t, &r), 401);
	ck_assert_str_eq(tc_xml_text(r.body, "Code"), "AuthFailure");
	sim_resp_clear(&r);
	/* The same request untouched passes. */
	tc_init(&t, "POST", "/aws/ec2/", NULL, body);
	tc_hdr(&t, "Content-Type", TC_FORM);
	tc_hdr(&t, "X-Amz-Date", amz);
	tc_hdr(&t, "Authorization", auth);
	ck_assert_int_eq(tc_call(sc, &t, &r), 200);
	sim_resp_clear(&r);
	/* A signed header that went missing. */
	tc_init(&t, "POST", "/aws/ec2/", NULL, body);
	tc_hdr(&t, "X-Amz-Date", amz);
	tc_hdr(&t, "Authorization", auth);
	ck_assert_int_eq(tc_call(sc, &t, &r), 401);
	sim_resp_clear(&r);
	free(auth);
}
END_TEST

START_TEST(t_describe_instances)
{
	struct sim_resp r;
	char body[512], dns[128], *p;

	snprintf(body, sizeof(body), "Action=DescribeInstances&Version="
	    "2016-11-15&InstanceId.1=%s&InstanceId.2=i-0123456789abcdef0&"
	    "InstanceId.3=i-0123456789abcdef1", strrchr(pid1, '/') + 1);
	ck_assert_int_eq(call(body, &r), 400);
	ck_assert_str_eq(tc_xml_text(r.body, "Code"),
	    "InvalidInstanceID.NotFound");
	ck_assert_str_eq(tc_xml_text(r.body, "Message"), "The instance IDs "
	    "'i-0123456789abcdef0, i-0123456789abcdef1' do not exist");
	sim_resp_clear(&r);
	expect("Action=DescribeInstances&Version=2016-11-15&InstanceId.1=bad",
	    400, "InvalidInstanceID.Malformed");
	snprintf(dns, sizeof(dns), "ip-%s.ec2.internal", ip2);
	for (p = dns; *p; p++)
		if (*p == '.' && p < dns + 3 + strlen(ip2))
			*p = '-';
	snprintf(body, sizeof(body), "Action=DescribeInstances&Version="
	    "2016-11-15&Filter.1.Name=private-dns-name&Filter.1.Value.1=%s",
	    dns);
	ck_assert_int_eq(call(body, &r), 200);
	ck_assert_int_eq(tc_count(r.body, "<instanceId>"), 1);
	ck_assert_str_eq(tc_xml_text(r.body, "instanceType"), "t3.medium");
	ck_assert_str_eq(tc_xml_text(r.body, "privateIpAddress"), ip2);
	sim_resp_clear(&r);
	/* Filters AND, values OR, wildcards; the name tag is escaped. */
	ck_assert_int_eq(call("Action=DescribeInstances&Version=2016-11-15&"
	    "Filter.1.Name=availability-zone&Filter.1.Value.1=us-east-1%3F&"
	    "Filter.2.Name=tag%3AName&Filter.2.Value.1=node-a&"
	    "Filter.2.Value.2=node%3C*", &r), 200);
	ck_assert_int_eq(tc_count(r.body, "<instanceId>"), 2);
	ck_assert_ptr_nonnull(strstr(r.body, "<value>node&lt;&amp;&gt;c"
	    "</value>"));
	sim_resp_clear(&r);
	expect("Action=DescribeInstances&Version=2016-11-15&Filter.1.Name="
	    "bogus&Filter.1.Value.1=x", 400, "InvalidParameterValue");
	expect("Action=DescribeInstances&Version=2016-11-15&Filter.1.Name="
	    "instance-id", 400, "InvalidParameterCombination");
	expect("Action=DescribeInstances&Version=2016-11-15&MaxResults=5&"
	    "InstanceId.1=i-0123456789abcdef0", 400,
	    "InvalidParameterCombination");
	/* Paging: one at a time is below EC2's minimum of 5. */
	expect("Action=DescribeInstances&Version=2016-11-15&MaxResults=1", 400,
	    "InvalidParameterValue");
}
END_TEST

START_TEST(t_describe_enis_paging)
{
	struct sim_resp r;
	char body[512], tok[256];
	int total = 0, pages = 0, all;

	ck_assert_int_eq(call("Action=DescribeNetworkInterfaces&Version="
	    "2016-11-15", &r), 200);
	all = tc_count(r.body, "<networkInterfaceId>");
	/* 3 node ENIs, 3 load balancer ENIs, a NAT gateway, an unattached. */
	ck_assert_int_eq(all, 8);
	ck_assert_int_eq(tc_count(r.body, "<interfaceType>"
	    "network_load_balancer</interfaceType>"), 3);
	ck_assert_int_eq(tc_count(r.body, "<interfaceType>nat_gateway"
	    "</interfaceType>"), 1);
	ck_assert_int_eq(tc_count(r.body, "<status>available</status>"), 1);
	sim_resp_clear(&r);
	tok[0] = '\0';
	do {
		snprintf(body, sizeof(body), "Action=DescribeNetworkInterfaces&"
		    "Version=2016-11-15&MaxResults=5%s%s", tok[0] ?
		    "&NextToken=" : "", tok);
		ck_assert_int_eq(call(body, &r), 200);
		total += tc_count(r.body, "<networkInterfaceId>");
		snprintf(tok, sizeof(tok), "%s", tc_xml_text(r.body,
		    "nextToken"));
		sim_resp_clear(&r);
		pages++;
	} while (tok[0] != '\0' && pages < 10);
	ck_assert_int_eq(total, all);
	ck_assert_int_eq(pages, 2);
	expect("Action=DescribeNetworkInterfaces&Version=2016-11-15&"
	    "NextToken=forged", 400, "InvalidPaginationToken");
	/* The filters the operator uses. */
	snprintf(body, sizeof(body), "Action=DescribeNetworkInterfaces&Version="
	    "2016-11-15&Filter.1.Name=attachment.instance-id&Filter.1.Value.1="
	    "%s", strrchr(pid2, '/') + 1);
	ck_assert_int_eq(call(body, &r), 200);
	ck_assert_int_eq(tc_count(r.body, "<networkInterfaceId>"), 1);
	ck_assert_str_eq(tc_xml_text(r.body, "privateIpAddress"), ip2);
	sim_resp_clear(&r);
	ck_assert_int_eq(call("Action=DescribeSubnets&Version=2016-11-15&"
	    "Filter.1.Name=cidr-block&Filter.1.Value.1=10.0.128.0%2F20", &r),
	    200);
	ck_assert_int_eq(tc_count(r.body, "<subnetId>"), 1);
	snprintf(body, sizeof(body), "Action=DescribeNetworkInterfaces&Version="
	    "2016-11-15&Filter.1.Name=subnet-id&Filter.1.Value.1=%s",
	    tc_xml_text(r.body, "subnetId"));
	sim_resp_clear(&r);
	ck_assert_int_eq(call(body, &r), 200);
	/* node-a, node-b, the zone's NLB and the NAT gateway. */
	ck_assert_int_eq(tc_count(r.body, "<networkInterfaceId>"), 4);
	sim_resp_clear(&r);
	expect("Action=DescribeNetworkInterfaces&Version=2016-11-15&"
	    "NetworkInterfaceId.1=eni-0123456789abcdef0", 400,
	    "InvalidNetworkInterfaceID.NotFound");
}
END_TEST

START_TEST(t_describe_types_subnets)
{
	struct sim_resp r;

	ck_assert_int_eq(call("Action=DescribeInstanceTypes&Version=2016-11-15&"
	    "InstanceType.1=m5.large&InstanceType.2=t3.medium", &r), 200);
	ck_assert_int_eq(tc_count(r.body, "<instanceType>"), 2);
	ck_assert_ptr_nonnull(strstr(r.body, "<instanceType>m5.large"
	    "</instanceType>"));
	ck_assert_ptr_nonnull(strstr(r.body, "<ipv4AddressesPerInterface>10<"));
	ck_assert_ptr_nonnull(strstr(r.body, "<ipv4AddressesPerInterface>6<"));
	sim_resp_clear(&r);
	expect("Action=DescribeInstanceTypes&Version=2016-11-15&"
	    "InstanceType.1=z9.huge", 400, "InvalidInstanceType");
	ck_assert_int_eq(call("Action=DescribeSubnets&Version=2016-11-15&"
	    "Filter.1.Name=tag%3AName&Filter.1.Value.1=*-us-east-1b", &r), 200);
	ck_assert_int_eq(tc_count(r.body, "<subnetId>"), 1);
	ck_assert_str_eq(tc_xml_text(r.body, "cidrBlock"), "10.0.144.0/20");
	ck_assert_str_eq(tc_xml_text(r.body, "availabilityZone"), "us-east-1b");
	/* 4096 - 5 reserved - one node - one load balancer. */
	ck_assert_str_eq(tc_xml_text(r.body, "availableIpAddressCount"),
	    "4089");
	sim_resp_clear(&r);
	expect("Action=DescribeSubnets&Version=2016-11-15&SubnetId.1="
	    "subnet-0123456789abcdef0", 400, "InvalidSubnetID.NotFound");
}
END_TEST

static int
eni_ips(const char *eni)
{
	struct sim_resp r;
	char body[256];
	int n;

	snprintf(body, sizeof(body), "Action=DescribeNetworkInterfaces&Version="
	    "2016-11-15&NetworkInterfaceId.1=%s", eni);
	ck_assert_int_eq(call(body, &r), 200);
	n = tc_count(r.body, "<primary>");
	sim_resp_clear(&r);
	return n;
}

START_TEST(t_assign)
{
	char *ea = eni_of(pid1), *eb = eni_of(pid2), body[1024];
	struct sim_resp r;
	json_t *d;

	/* t3.medium: 6 addresses per ENI, the primary included. */
	snprintf(body, sizeof(body), "Action=AssignPrivateIpAddresses&Version="
	    "2016-11-15&NetworkInterfaceId=%s&PrivateIpAddress.1=10.0.130.1&"
	    "PrivateIpAddress.2=10.0.130.2&PrivateIpAddress.3=10.0.130.3&"
	    "PrivateIpAddress.4=10.0.130.4&PrivateIpAddress.5=10.0.130.5&"
	    "PrivateIpAddress.6=10.0.130.6&AllowReassignment=false", eb);
	expect(body, 400, "PrivateIpAddressLimitExceeded");
	ck_assert_int_eq(eni_ips(eb), 1);
	snprintf(body, sizeof(body), "Action=AssignPrivateIpAddresses&Version="
	    "2016-11-15&NetworkInterfaceId=%s&PrivateIpAddress.1=10.0.130.1&"
	    "PrivateIpAddress.2=10.0.130.2&AllowReassignment=false", eb);
	ck_assert_int_eq(call(body, &r), 200);
	ck_assert_int_eq(tc_count(r.body, "<privateIpAddress>"), 2);
	ck_assert_str_eq(tc_xml_text(r.body, "networkInterfaceId"), eb);
	sim_resp_clear(&r);
	/* Again: already there, nothing changes. */
	ck_assert_int_eq(call(body, &r), 200);
	sim_resp_clear(&r);
	ck_assert_int_eq(eni_ips(eb), 3);
	/* Held by another ENI: refused without AllowReassignment. */
	snprintf(body, sizeof(body), "Action=AssignPrivateIpAddresses&Version="
	    "2016-11-15&NetworkInterfaceId=%s&PrivateIpAddress.1=10.0.130.2",
	    ea);
	expect(body, 400, "InvalidParameterValue");
	snprintf(body + strlen(body), sizeof(body) - strlen(body),
	    "&AllowReassignment=true");
	expect(body, 200, NULL);
	ck_assert_int_eq(eni_ips(ea), 2);
	ck_assert_int_eq(eni_ips(eb), 2);
	/* The load balancer's address, even with AllowReassignment. */
	snprintf(body, sizeof(body), "Action=AssignPrivateIpAddresses&Version="
	    "2016-11-15&NetworkInterfaceId=%s&PrivateIpAddress.1=10.0.128.4&"
	    "AllowReassignment=true", ea);
	expect(body, 400, "InvalidParameterValue");
	/* Reserved, outside, malformed; all or nothing. */
	snprintf(body, sizeof(body), "Action=AssignPrivateIpAddresses&Version="
	    "2016-11-15&NetworkInterfaceId=%s&PrivateIpAddress.1=10.0.131.9&"
	    "PrivateIpAddress.2=10.0.143.255", ea);
	expect(body, 400, "InvalidParameterValue");
	ck_assert_int_eq(eni_ips(ea), 2);
	snprintf(body, sizeof(body), "Action=AssignPrivateIpAddresses&Version="
	    "2016-11-15&NetworkInterfaceId=%s&PrivateIpAddress.1=10.0.128.3",
	    ea);
	expect(body, 400, "InvalidParameterValue");
	snprintf(body, sizeof(body), "Action=AssignPrivateIpAddresses&Version="
	    "2016-11-15&NetworkInterfaceId=%s&PrivateIpAddress.1=10.0.144.20",
	    ea);
	expect(body, 400, "InvalidParameterValue");
	snprintf(body, sizeof(body), "Action=AssignPrivateIpAddresses&Version="
	    "2016-11-15&NetworkInterfaceId=%s&PrivateIpAddress.1=10.0.1", ea);
	expect(body, 400, "InvalidParameterValue");
	snprintf(body, sizeof(body), "Action=AssignPrivateIpAddresses&Version="
	    "2016-11-15&NetworkInterfaceId=%s&SecondaryPrivateIpAddressCount=2",
	    ea);
	ck_assert_int_eq(call(body, &r), 200);
	ck_assert_int_eq(tc_count(r.body, "<privateIpAddress>"), 2);
	sim_resp_clear(&r);
	ck_assert_int_eq(eni_ips(ea), 4);
	snprintf(body, sizeof(body), "Action=AssignPrivateIpAddresses&Version="
	    "2016-11-15&NetworkInterfaceId=%s&SecondaryPrivateIpAddressCount=1&"
	    "PrivateIpAddress.1=10.0.130.9", ea);
	expect(body, 400, "InvalidParameterCombination");
	snprintf(body, sizeof(body), "Action=AssignPrivateIpAddresses&Version="
	    "2016-11-15&NetworkInterfaceId=%s", ea);
	expect(body, 400, "MissingParameter");
	expect("Action=AssignPrivateIpAddresses&Version=2016-11-15&"
	    "NetworkInterfaceId=eni-0123456789abcdef0&PrivateIpAddress.1="
	    "10.0.130.9", 400, "InvalidNetworkInterfaceID.NotFound");
	expect("Action=AssignPrivateIpAddresses&Version=2016-11-15&"
	    "PrivateIpAddress.1=10.0.130.9", 400, "MissingParameter");
	/* The dump agrees. */
	d = sim_cloud_dump(sc);
	ck_assert_int_eq(json_array_size(json_object_get(json_object_get(
	    json_array_get(json_object_get(d, "instances"), 0), "eni"), "ips")),
	    4);
	json_decref(d);
	free(ea);
	free(eb);
}
END_TEST

START_TEST(t_unassign)
{
	char *ea = eni_of(pid1), body[512];
	struct sim_resp r;

	snprintf(body, sizeof(body), "Action=AssignPrivateIpAddresses&Version="
	    "2016-11-15&NetworkInterfaceId=%s&PrivateIpAddress.1=10.0.130.1&"
	    "PrivateIpAddress.2=10.0.130.2", ea);
	expect(body, 200, NULL);
	snprintf(body, sizeof(body), "Action=UnassignPrivateIpAddresses&"
	    "Version=2016-11-15&NetworkInterfaceId=%s&PrivateIpAddress.1="
	    "10.0.130.1&PrivateIpAddress.2=10.0.130.7", ea);
	expect(body, 400, "InvalidParameterValue");
	ck_assert_int_eq(eni_ips(ea), 3);
	snprintf(body, sizeof(body), "Action=UnassignPrivateIpAddresses&"
	    "Version=2016-11-15&NetworkInterfaceId=%s&PrivateIpAddress.1=%s",
	    ea, ip1);
	expect(body, 400, "InvalidParameterValue");
	snprintf(body, sizeof(body), "Action=UnassignPrivateIpAddresses&"
	    "Version=2016-11-15&NetworkInterfaceId=%s&PrivateIpAddress.1="
	    "10.0.130.1", ea);
	ck_assert_int_eq(call(body, &r), 200);
	ck_assert_str_eq(tc_xml_text(r.body, "return"), "true");
	sim_resp_clear(&r);
	ck_assert_int_eq(eni_ips(ea), 2);
	free(ea);
}
END_TEST

START_TEST(t_protocol_errors)
{
	struct sim_resp r;
	struct tc_req t;

	expect("Version=2016-11-15", 400, "MissingAction");
	expect("Action=RunInstances&Version=2016-11-15", 400, "InvalidAction");
	expect("Action=DescribeInstances", 400, "MissingParameter");
	expect("Action=DescribeInstances&Version=2014-01-01", 400,
	    "InvalidParameterValue");
	expect("Action=DescribeSubnets&Version=2016-11-15&DryRun=true", 412,
	    "DryRunOperation");
	tc_init(&t, "DELETE", "/aws/ec2/", NULL, NULL);
	ck_assert_int_eq(tc_call(sc, &t, &r), 400);
	sim_resp_clear(&r);
	/* Not a cloud path: the caller keeps it. */
	tc_init(&t, "GET", "/api/v1/nodes", NULL, NULL);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(sim_cloud_handle(sc, &t.r, &r), -1);
	/* An Azure path on an AWS cloud. */
	tc_init(&t, "GET", "/azure/arm/subscriptions", NULL, NULL);
	ck_assert_int_eq(tc_call(sc, &t, &r), 404);
	sim_resp_clear(&r);
}
END_TEST

START_TEST(t_throttle_faults)
{
	static const char body[] = "Action=DescribeSubnets&Version=2016-11-15";
	struct sim_resp r;
	json_t *st;
	int i, ok = 0, limited = 0;

	json_decref(tc_ctl(sc, "throttle", "{\"class\":\"describe\","
	    "\"rate\":0.001,\"burst\":3}"));
	for (i = 0; i < 5; i++) {
		if (call(body, &r) == 200)
			ok++;
		else {
			ck_assert_int_eq(r.code, 503);
			ck_assert_str_eq(tc_xml_text(r.body, "Code"),
			    "RequestLimitExceeded");
			limited++;
		}
		sim_resp_clear(&r);
	}
	ck_assert_int_eq(ok, 3);
	ck_assert_int_eq(limited, 2);
	/* Mutations have their own bucket. */
	expect("Action=UnassignPrivateIpAddresses&Version=2016-11-15", 400,
	    "MissingParameter");
	json_decref(tc_ctl(sc, "throttle", "{\"class\":\"describe\","
	    "\"rate\":0}"));
	json_decref(tc_ctl(sc, "fault", "{\"action\":\"ec2:DescribeSubnets\","
	    "\"rate\":1,\"status\":503,\"code\":\"Unavailable\",\"count\":1,"
	    "\"latencyMs\":250}"));
	ck_assert_int_eq(call(body, &r), 503);
	ck_assert_str_eq(tc_xml_text(r.body, "Code"), "Unavailable");
	ck_assert_uint_eq(r.delay_ms, 250);
	sim_resp_clear(&r);
	ck_assert_int_eq(call(body, &r), 200);
	ck_assert_uint_eq(r.delay_ms, 250);
	sim_resp_clear(&r);
	json_decref(tc_ctl(sc, "faults-clear", NULL));
	ck_assert_int_eq(call(body, &r), 200);
	ck_assert_uint_eq(r.delay_ms, 0);
	sim_resp_clear(&r);
	ck_assert(tc_ctl_fails(sc, "fault", "{\"rate\":1}"));
	ck_assert(tc_ctl_fails(sc, "fault", "{\"action\":\"*\",\"rate\":2}"));
	ck_assert(tc_ctl_fails(sc, "throttle", "{\"class\":\"x\"}"));
	ck_assert(tc_ctl_fails(sc, "no-such-command", NULL));
	st = sim_cloud_stats(sc);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_object_get(st, "actions"), "ec2:DescribeSubnets"),
	    "RequestLimitExceeded")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_object_get(st, "actions"), "ec2:DescribeSubnets"), "ok")), 5);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_object_get(st, "actions"), "ec2:DescribeSubnets"),
	    "Unavailable")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(st, "calls")), 9);
	json_decref(st);
}
END_TEST

static char *
read_file(const char *dir, const char *name)
{
	char path[512], buf[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

START_TEST(t_credentials_static)
{
	char dir[] = "/tmp/simcloud-XXXXXX", sub[600], *s;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/cloud-credentials", dir);
	ck_assert_int_eq(sim_cloud_write_credentials(sc, sub), 0);
	s = read_file(sub, "aws_access_key_id");
	ck_assert_str_eq(s, ak);
	free(s);
	s = read_file(sub, "aws_secret_access_key");
	ck_assert_str_eq(s, sk);
	free(s);
	ck_assert_ptr_null(read_file(sub, "credentials"));
	snprintf(sub, sizeof(sub), "rm -rf %s", dir);
	ck_assert_int_eq(system(sub), 0);
}
END_TEST

/* The value of "key = value" in an INI text (static buffer). */
static const char *
ini_get(const char *ini, const char *key)
{
	static char out[512];
	const char *p = strstr(ini, key), *e;

	out[0] = '\0';
	if (p == NULL)
		return out;
	p += strlen(key);
	while (*p == ' ' || *p == '=')
		p++;
	e = strchr(p, '\n');
	snprintf(out, sizeof(out), "%.*s", (int)(e ? e - p : (long)strlen(p)),
	    p);
	return out;
}

static int
sts_call(struct sim_cloud *c, const char *role, const char *tok,
    struct sim_resp *r)
{
	struct tc_req t;
	char *body, *enc;
	size_t i, n = 0;

	enc = malloc(strlen(tok) * 3 + 1);
	for (i = 0; tok[i] != '\0'; i++)
		n += (size_t)sprintf(enc + n, isalnum((unsigned char)tok[i]) ||
		    strchr("-_.~", tok[i]) ? "%c" : "%%%02X",
		    (unsigned char)tok[i]);
	enc[n] = '\0';
	ck_assert_int_gt(asprintf(&body, "Action=AssumeRoleWithWebIdentity&"
	    "Version=2011-06-15&RoleArn=%s&RoleSessionName=botocore-session-1&"
	    "WebIdentityToken=%s", role, enc), 0);
	tc_init(&t, "POST", "/aws/sts/", NULL, body);
	tc_hdr(&t, "Content-Type", TC_FORM);
	tc_call(c, &t, r);
	ck_assert(tc_xml_ok(r->body, r->body_len));
	free(body);
	free(enc);
	return r->code;
}

START_TEST(t_sts)
{
	char dir[] = "/tmp/simcloud-XXXXXX", sub[600], err[256];
	char *ini, *tok, *role, *tokpath, *akid, *secret, *session;
	struct sim_cloud *s2;
	struct sim_resp r;
	json_t *res;

	s2 = sim_cloud_new("AWS", "sts", NULL, TC_BASE, err, sizeof(err));
	ck_assert_ptr_nonnull(s2);
	err[0] = '\0';
	ck_assert_int_eq(sim_cloud_add_node(s2, "n", "us-east-1a", "", sub,
	    sizeof(sub), err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/cloud-credentials", dir);
	ck_assert_int_eq(sim_cloud_write_credentials(s2, sub), 0);
	ck_assert_ptr_null(read_file(sub, "aws_access_key_id"));
	ini = read_file(sub, "credentials");
	ck_assert_int_eq(strncmp(ini, "[default]\n", 10), 0);
	role = strdup(ini_get(ini, "role_arn"));
	tokpath = strdup(ini_get(ini, "web_identity_token_file"));
	snprintf(err, sizeof(err), "%s/cloud-token/token", dir);
	ck_assert_str_eq(tokpath, err);
	*strrchr(tokpath, '/') = '\0';
	tok = read_file(tokpath, "token");
	ck_assert_ptr_nonnull(tok);
	ck_assert_int_eq(tc_count(tok, "."), 2);

	ck_assert_int_eq(sts_call(s2, "arn:aws:iam::123456789012:role/other",
	    tok, &r), 403);
	ck_assert_ptr_nonnull(strstr(r.body, "<ErrorResponse xmlns=\"https://"
	    "sts.amazonaws.com/doc/2011-06-15/\">"));
	ck_assert_str_eq(tc_xml_text(r.body, "Code"), "AccessDenied");
	ck_assert_str_eq(tc_xml_text(r.body, "Type"), "Sender");
	sim_resp_clear(&r);
	ck_assert_int_eq(sts_call(s2, role, "eyJhbGciOi.forged.token", &r),
	    400);
	ck_assert_str_eq(tc_xml_text(r.body, "Code"), "InvalidIdentityToken");
	sim_resp_clear(&r);
	ck_assert_int_eq(sts_call(s2, role, tok, &r), 200);
	akid = strdup(tc_xml_text(r.body, "AccessKeyId"));
	secret = strdup(tc_xml_text(r.body, "SecretAccessKey"));
	session = strdup(tc_xml_text(r.body, "SessionToken"));
	ck_assert_int_eq(strncmp(akid, "ASIA", 4), 0);
	ck_assert_int_eq(strlen(tc_xml_text(r.body, "Expiration")), 20);
	sim_resp_clear(&r);

	/* EC2 takes the temporary credentials with their session token. */
	ck_assert_int_eq(tc_ec2(s2, "Action=DescribeInstances&Version="
	    "2016-11-15", akid, secret, session, time(NULL), "us-east-1", &r),
	    200);
	sim_resp_clear(&r);
	ck_assert_int_eq(tc_ec2(s2, "Action=DescribeInstances&Version="
	    "2016-11-15", akid, secret, NULL, time(NULL), "us-east-1", &r),
	    401);
	sim_resp_clear(&r);
	json_decref(tc_ctl(s2, "sts-expire", NULL));
	ck_assert_int_eq(tc_ec2(s2, "Action=DescribeInstances&Version="
	    "2016-11-15", akid, secret, session, time(NULL), "us-east-1", &r),
	    400);
	ck_assert_str_eq(tc_xml_text(r.body, "Code"), "RequestExpired");
	sim_resp_clear(&r);

	/* A rotated token: the old one expired, the new one in the file. */
	res = tc_ctl(s2, "rotate-token", "{\"expireOld\":true}");
	json_decref(res);
	ck_assert_int_eq(sts_call(s2, role, tok, &r), 400);
	ck_assert_str_eq(tc_xml_text(r.body, "Code"), "ExpiredTokenException");
	sim_resp_clear(&r);
	free(tok);
	tok = read_file(tokpath, "token");
	ck_assert_int_eq(sts_call(s2, role, tok, &r), 200);
	sim_resp_clear(&r);
	/* A short lifetime through the control API. */
	json_decref(tc_ctl(s2, "sts-duration", "{\"seconds\":5}"));
	ck_assert_int_eq(sts_call(s2, role, tok, &r), 200);
	free(akid);
	free(secret);
	free(session);
	akid = strdup(tc_xml_text(r.body, "AccessKeyId"));
	secret = strdup(tc_xml_text(r.body, "SecretAccessKey"));
	session = strdup(tc_xml_text(r.body, "SessionToken"));
	sim_resp_clear(&r);
	json_decref(tc_ctl(s2, "clock", "{\"advance\":6}"));
	ck_assert_int_eq(tc_ec2(s2, "Action=DescribeSubnets&Version="
	    "2016-11-15", akid, secret, session, time(NULL) + 6, "us-east-1",
	    &r), 400);
	ck_assert_str_eq(tc_xml_text(r.body, "Code"), "RequestExpired");
	sim_resp_clear(&r);

	snprintf(sub, sizeof(sub), "rm -rf %s", dir);
	ck_assert_int_eq(system(sub), 0);
	free(akid);
	free(secret);
	free(session);
	free(ini);
	free(role);
	free(tok);
	free(tokpath);
	sim_cloud_free(s2);
}
END_TEST

START_TEST(t_take_address)
{
	char *ea = eni_of(pid1), body[512];
	json_t *res;

	res = tc_ctl(sc, "take-address", "{\"ip\":\"10.0.130.40\"}");
	ck_assert_int_eq(strncmp(json_string_value(json_object_get(res,
	    "networkInterface")), "eni-", 4), 0);
	json_decref(res);
	snprintf(body, sizeof(body), "Action=AssignPrivateIpAddresses&Version="
	    "2016-11-15&NetworkInterfaceId=%s&PrivateIpAddress.1=10.0.130.40",
	    ea);
	expect(body, 400, "InvalidParameterValue");
	ck_assert(tc_ctl_fails(sc, "take-address", "{\"ip\":\"10.0.130.40\"}"));
	ck_assert(tc_ctl_fails(sc, "take-address", "{\"ip\":\"10.0.128.1\"}"));
	json_decref(tc_ctl(sc, "release-address", "{\"ip\":\"10.0.130.40\"}"));
	expect(body, 200, NULL);
	/* A foreign secondary address on the node's own ENI. */
	json_decref(tc_ctl(sc, "take-address", "{\"ip\":\"10.0.130.41\","
	    "\"node\":\"node-a\"}"));
	ck_assert_int_eq(eni_ips(ea), 3);
	free(ea);
}
END_TEST

START_TEST(t_config)
{
	char err[256], pid[128], ip[64];
	struct sim_cloud *c;
	json_t *cfg;

	ck_assert_ptr_null(sim_cloud_new("GCP", NULL, NULL, TC_BASE, err,
	    sizeof(err)));
	ck_assert_ptr_null(sim_cloud_new("AWS", "wi", NULL, TC_BASE, err,
	    sizeof(err)));
	cfg = json_loads("{\"region\":\"eu-central-1\",\"zones\":["
	    "{\"name\":\"eu-central-1a\",\"cidr\":\"10.1.0.0/24\"},"
	    "{\"name\":\"eu-central-1b\",\"cidr\":\"10.1.1.0/24\"}],"
	    "\"foreign\":[],\"instanceTypes\":{\"x1.tiny\":3}}", 0, NULL);
	c = sim_cloud_new("AWS", "static", cfg, TC_BASE, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ip[0] = '\0';
	ck_assert_int_eq(sim_cloud_add_node(c, "n", "eu-central-1b", "x1.tiny",
	    pid, sizeof(pid), ip, sizeof(ip)), 0);
	ck_assert_str_eq(ip, "10.1.1.4");
	sim_cloud_free(c);
	json_decref(cfg);
	cfg = json_loads("{\"zones\":[{\"name\":\"a\",\"cidr\":\"10.1.0.0/24\"},"
	    "{\"name\":\"b\",\"cidr\":\"10.1.0.0/24\"}]}", 0, NULL);
	ck_assert_ptr_null(sim_cloud_new("AWS", "static", cfg, TC_BASE, err,
	    sizeof(err)));
	json_decref(cfg);
	cfg = json_loads("{\"instanceTypes\":{\"x\":900}}", 0, NULL);
	ck_assert_ptr_null(sim_cloud_new("AWS", "static", cfg, TC_BASE, err,
	    sizeof(err)));
	json_decref(cfg);
}
END_TEST

static Suite *
ec2_suite(void)
{
	Suite *s = suite_create("sim_cloud_ec2");
	TCase *tc = tcase_create("ec2");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_nodes);
	tcase_add_test(tc, t_sigv4);
	tcase_add_test(tc, t_tampered);
	tcase_add_test(tc, t_describe_instances);
	tcase_add_test(tc, t_describe_enis_paging);
	tcase_add_test(tc, t_describe_types_subnets);
	tcase_add_test(tc, t_assign);
	tcase_add_test(tc, t_unassign);
	tcase_add_test(tc, t_protocol_errors);
	tcase_add_test(tc, t_throttle_faults);
	tcase_add_test(tc, t_credentials_static);
	tcase_add_test(tc, t_sts);
	tcase_add_test(tc, t_take_address);
	tcase_add_test(tc, t_config);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return eip_run_suite(ec2_suite());
}
