/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudworker/cclass.c, tokcache.c and form.c: the error classes of EC2,
 * STS, ARM and AAD answers; when cached credentials are used and
 * refreshed; form encoding.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cclass.h"
#include "form.h"
#include "http.h"
#include "plan.h"
#include "testutil.h"
#include "tokcache.h"
#include "url.h"

struct ccase {
	long		 status;
	const char	*code;
	const char	*message;
	enum cloud_class want;
};

static const struct ccase aws_cases[] = {
	{ 503, "RequestLimitExceeded", "Request limit exceeded.", CC_THROTTLED },
	{ 400, "Throttling", NULL, CC_THROTTLED },
	{ 401, "AuthFailure", "AWS was not able to validate", CC_AUTH_FAILURE },
	{ 403, "UnauthorizedOperation", NULL, CC_AUTH_FAILURE },
	{ 400, "RequestExpired", "Request has expired.", CC_AUTH_FAILURE },
	{ 400, "ExpiredTokenException", NULL, CC_AUTH_FAILURE },
	{ 400, "InvalidIdentityToken", NULL, CC_AUTH_FAILURE },
	{ 400, "InvalidInstanceID.NotFound", NULL, CC_NOT_FOUND },
	{ 400, "InvalidNetworkInterfaceID.NotFound", NULL, CC_NOT_FOUND },
	{ 400, "PrivateIpAddressLimitExceeded", NULL, CC_LIMIT_EXCEEDED },
	{ 400, "InsufficientFreeAddressesInSubnet", NULL, CC_LIMIT_EXCEEDED },
	{ 400, "InvalidParameterValue", "Address 10.0.1.5 is already in use "
	  "by another network interface.", CC_ADDRESS_IN_USE },
	{ 400, "InvalidIPAddress.InUse", NULL, CC_ADDRESS_IN_USE },
	{ 400, "InvalidParameterValue", "Address 10.0.9.9 does not fall "
	  "within the subnet's address range", CC_INVALID },
	{ 400, "MissingParameter", NULL, CC_INVALID },
	{ 500, "InternalError", NULL, CC_TRANSIENT },
	{ 503, "Unavailable", NULL, CC_TRANSIENT },
	{ 502, NULL, NULL, CC_TRANSIENT },
	{ 503, NULL, NULL, CC_THROTTLED },
	{ 0, NULL, NULL, CC_TRANSIENT },
	{ 403, NULL, NULL, CC_AUTH_FAILURE },
	{ 200, NULL, NULL, CC_OK },
};

static const struct ccase arm_cases[] = {
	{ 429, "SubscriptionRequestsThrottled", NULL, CC_THROTTLED },
	{ 429, NULL, NULL, CC_THROTTLED },
	{ 401, "ExpiredAuthenticationToken", NULL, CC_AUTH_FAILURE },
	{ 403, "AuthorizationFailed", NULL, CC_AUTH_FAILURE },
	{ 404, "ResourceNotFound", NULL, CC_NOT_FOUND },
	{ 404, "NotFound", NULL, CC_NOT_FOUND },
	{ 400, "PrivateIPAddressIsAllocated", "IP configuration x is using the "
	  "private IP address 10.0.1.50 which is already allocated",
	  CC_ADDRESS_IN_USE },
	{ 400, "MaxIpConfigurationsPerNicReached", NULL, CC_LIMIT_EXCEEDED },
	{ 400, "SubnetIsFull", NULL, CC_LIMIT_EXCEEDED },
	{ 409, "AnotherOperationInProgress", NULL, CC_TRANSIENT },
	{ 412, "PreconditionFailed", NULL, CC_TRANSIENT },
	{ 500, "InternalServerError", NULL, CC_TRANSIENT },
	{ 400, "PrivateIPAddressNotInSubnet", NULL, CC_INVALID },
	{ 400, "OutboundRuleCannotBeUsedWithBackendAddressPoolThatIsReferenced"
	  "BySecondaryIpConfigs", NULL, CC_INVALID },
	{ 0, NULL, NULL, CC_TRANSIENT },
	{ 200, NULL, NULL, CC_OK },
};

START_TEST(t_classes)
{
	size_t i;

	for (i = 0; i < sizeof(aws_cases) / sizeof(aws_cases[0]); i++)
		ck_assert_msg(cloud_classify_aws(aws_cases[i].status,
		    aws_cases[i].code, aws_cases[i].message) == aws_cases[i].want,
		    "aws case %zu (%s)", i, aws_cases[i].code);
	for (i = 0; i < sizeof(arm_cases) / sizeof(arm_cases[0]); i++)
		ck_assert_msg(cloud_classify_arm(arm_cases[i].status,
		    arm_cases[i].code, arm_cases[i].message) == arm_cases[i].want,
		    "arm case %zu (%s)", i, arm_cases[i].code);
	ck_assert_int_eq(cloud_classify_aad(401, "invalid_client"),
	    CC_AUTH_FAILURE);
	ck_assert_int_eq(cloud_classify_aad(400, "invalid_request"),
	    CC_AUTH_FAILURE);
	ck_assert_int_eq(cloud_classify_aad(429, NULL), CC_THROTTLED);
	ck_assert_int_eq(cloud_classify_aad(503, NULL), CC_TRANSIENT);
	ck_assert_int_eq(cloud_classify_aad(400, "temporarily_unavailable"),
	    CC_TRANSIENT);
	ck_assert_int_eq(cloud_classify_aad(200, NULL), CC_OK);
	ck_assert_str_eq(cloud_class_name(CC_LIMIT_EXCEEDED), "limit_exceeded");
	ck_assert_str_eq(cloud_class_name(CC_ADDRESS_IN_USE), "address_in_use");
	ck_assert_str_eq(cloud_class_name((enum cloud_class)99), "transient");
	ck_assert(cloud_class_retryable(CC_THROTTLED));
	ck_assert(!cloud_class_retryable(CC_AUTH_FAILURE));
}
END_TEST

START_TEST(t_tokcache)
{
	struct eip_tokcache t;

	memset(&t, 0, sizeof(t));
	ck_assert(!tokcache_usable(&t, 1000));
	ck_assert(tokcache_due(&t, 1000));
	/* One hour: refreshed five minutes ahead, used until 30 s before. */
	tokcache_set(&t, 1000, 1000 + 3600);
	ck_assert(tokcache_usable(&t, 1000));
	ck_assert(!tokcache_due(&t, 1000 + 3600 - 301));
	ck_assert(tokcache_due(&t, 1000 + 3600 - 300));
	ck_assert(tokcache_usable(&t, 1000 + 3600 - 31));
	ck_assert(!tokcache_usable(&t, 1000 + 3600 - 30));
	/* Two minutes: refreshed at half its life. */
	tokcache_set(&t, 0, 120);
	ck_assert(!tokcache_due(&t, 59));
	ck_assert(tokcache_due(&t, 60));
	ck_assert(tokcache_usable(&t, 60));
	/* Already expired when obtained (clock skew): never usable. */
	tokcache_set(&t, 100, 90);
	ck_assert(!tokcache_usable(&t, 100));
	tokcache_set(&t, 0, 3600);
	tokcache_invalidate(&t);
	ck_assert(!tokcache_usable(&t, 0));
}
END_TEST

START_TEST(t_form)
{
	struct eip_form f = { NULL, 0, 0 };
	char *s;
	size_t n;

	form_add(&f, "a", "x y");
	form_addf(&f, "é~-._", "List.%d", 3);
	form_add(&f, "empty", NULL);
	s = form_take(&f, &n);
	ck_assert_str_eq(s, "a=x%20y&List.3=%C3%A9~-._&empty=");
	ck_assert_uint_eq(n, strlen(s));
	free(s);
	s = form_take(&f, &n);
	ck_assert_str_eq(s, "");
	free(s);
	s = form_encode("https://management.azure.com/.default");
	ck_assert_str_eq(s, "https%3A%2F%2Fmanagement.azure.com%2F.default");
	free(s);
	form_add(&f, "k", "v");
	form_clear(&f);
	ck_assert_ptr_null(f.buf);
}
END_TEST

START_TEST(t_resp_header)
{
	static const char hdrs[] = "Content-Type: application/json\r\n"
	    "azure-asyncoperation:  https://h/op/1?api-version=x \r\n"
	    "Retry-After: 2\r\n\r\n";
	struct eip_http_resp r;
	char v[64], tiny[4];

	memset(&r, 0, sizeof(r));
	r.headers = hdrs;
	r.headers_len = sizeof(hdrs) - 1;
	ck_assert_int_eq(http_resp_header(&r, "Azure-AsyncOperation", v,
	    sizeof(v)), 0);
	ck_assert_str_eq(v, "https://h/op/1?api-version=x");
	ck_assert_int_eq(http_resp_header(&r, "retry-after", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "2");
	ck_assert_int_eq(http_resp_header(&r, "Location", v, sizeof(v)), -1);
	ck_assert_int_eq(http_resp_header(&r, "Content-Type", tiny,
	    sizeof(tiny)), -1);
	/* A prefix of a header name is not that header. */
	ck_assert_int_eq(http_resp_header(&r, "Retry", v, sizeof(v)), -1);
	r.headers = NULL;
	ck_assert_int_eq(http_resp_header(&r, "Retry-After", v, sizeof(v)), -1);
}
END_TEST

START_TEST(t_url)
{
	struct cw_url u;
	char err[128], *s;

	ck_assert_int_eq(cw_url_parse("https://127.0.0.1:8443/aws/ec2/", &u,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(u.host, "127.0.0.1:8443");
	ck_assert_str_eq(u.path, "/aws/ec2/");
	ck_assert_str_eq(u.origin, "https://127.0.0.1:8443");
	ck_assert_int_eq(cw_url_parse("https://ec2.eu-west-1.amazonaws.com", &u,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(u.path, "/");
	ck_assert_int_eq(cw_url_parse("http://x/", &u, err, sizeof(err)), -1);
	ck_assert_int_eq(cw_url_parse("https://u:p@x/", &u, err, sizeof(err)),
	    -1);
	ck_assert_int_eq(cw_url_parse("https://x/?a=1", &u, err, sizeof(err)),
	    -1);
	ck_assert_int_eq(cw_url_parse("https:///path", &u, err, sizeof(err)),
	    -1);
	/* URLs handed back by the cloud must stay on the ARM origin. */
	ck_assert(cw_url_same_origin("https://m.example/sub?x", "https://m.example"));
	ck_assert(cw_url_same_origin("https://m.example", "https://m.example"));
	ck_assert(!cw_url_same_origin("https://m.example.evil/x",
	    "https://m.example"));
	ck_assert(!cw_url_same_origin("https://m.example:444/x",
	    "https://m.example"));
	ck_assert(!cw_url_same_origin("http://m.example/x", "https://m.example"));
	s = cw_url_join("https://h/azure/arm/", "/subscriptions/s");
	ck_assert_str_eq(s, "https://h/azure/arm/subscriptions/s");
	free(s);
}
END_TEST

START_TEST(t_ips_in_text)
{
	struct eip_ip among[3], *out;
	size_t n;

	ip_parse("10.0.1.5", &among[0]);
	ip_parse("10.0.1.50", &among[1]);
	ip_parse("fd00::5", &among[2]);
	n = plan_ips_in_text("Address 10.0.1.50 is already in use by another "
	    "network interface.", among, 3, &out);
	ck_assert_uint_eq(n, 1);
	ck_assert(ip_equal(&out[0], &among[1]));
	free(out);
	n = plan_ips_in_text("IP configuration .../EgressIP10.0.1.5 is using "
	    "the private IP address 10.0.1.5 which is already allocated to "
	    "resource x. And fd00::5.", among, 3, &out);
	ck_assert_uint_eq(n, 2);
	free(out);
	/* Not among the asked-for ones, or not an address: not named. */
	n = plan_ips_in_text("10.0.1.6 in use; 1.2.3 and 10.0.1.500", among, 3,
	    &out);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(out);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("cloud_misc");
	TCase *tc = tcase_create("misc");

	tcase_add_test(tc, t_classes);
	tcase_add_test(tc, t_tokcache);
	tcase_add_test(tc, t_form);
	tcase_add_test(tc, t_resp_header);
	tcase_add_test(tc, t_url);
	tcase_add_test(tc, t_ips_in_text);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return eip_run_suite(suite());
}
