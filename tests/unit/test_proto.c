/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proto/: every message round-trips; malformed headers and bodies are
 * rejected with EPROTO and never crash the decoder.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eip_proto.h"
#include "testutil.h"

struct sample {
	uint16_t	 type;
	enum eip_role	 receiver;
	const char	*body;
};

static const struct sample samples[] = {
	{ EIP_MSG_BOOT, EIP_ROLE_WATCHER, "{\"role\":\"watcher\",\"instance\":0,"
	  "\"run_dir\":\"/run/eipam\",\"log_level\":\"info\",\"log_format\":\"text\","
	  "\"sandbox\":\"enforce\",\"debug_attachable\":false,\"heartbeat_ms\":1000,"
	  "\"config\":{\"kubeconfig\":\"/k\"}}" },
	{ EIP_MSG_READY, EIP_ROLE_SUPERVISOR, "{\"pid\":42,\"proto\":1}" },
	{ EIP_MSG_HEARTBEAT, EIP_ROLE_SUPERVISOR, "{\"seq\":7,\"state\":\"running\"}" },
	{ EIP_MSG_SET_LOG_LEVEL, EIP_ROLE_ALLOCATOR, "{\"level\":\"debug\"}" },
	{ EIP_MSG_PROC_STATS, EIP_ROLE_METRICSD, "{\"procs\":[{\"role\":\"watcher\","
	  "\"instance\":0,\"pid\":10,\"up\":true,\"ready\":true,\"restarts\":2,"
	  "\"rss_bytes\":100000,\"cpu_ms\":12,\"fds\":9}]}" },
	{ EIP_MSG_HELLO, EIP_ROLE_ALLOCATOR, "{\"role\":\"watcher\",\"instance\":\"0\",\"pid\":5,\"proto\":1}" },
	{ EIP_MSG_PING, EIP_ROLE_ALLOCATOR, "{\"seq\":1}" },
	{ EIP_MSG_PONG, EIP_ROLE_WATCHER, "{\"seq\":1}" },
	{ EIP_MSG_RESYNC, EIP_ROLE_WATCHER, "{}" },
	{ EIP_MSG_OBJ_NAMESPACE, EIP_ROLE_ALLOCATOR, "{\"name\":\"ns1\",\"uid\":\"u\","
	  "\"rv\":\"5\",\"egressipam\":\"egressipam-aws\",\"egressips\":null}" },
	{ EIP_MSG_OBJ_NODE, EIP_ROLE_ALLOCATOR, "{\"name\":\"n1\",\"rv\":\"3\","
	  "\"labels\":{\"topology.kubernetes.io/zone\":\"a\"},\"ready\":\"True\","
	  "\"provider_id\":\"aws:///a/i-1\",\"internal_ip\":\"10.0.0.5\",\"capacity\":10,"
	  "\"egress_ipconfig\":[{\"interface\":\"eni-1\",\"ifaddr_v4\":\"10.0.0.0/18\","
	  "\"capacity_v4\":14}]}" },
	{ EIP_MSG_OBJ_EGRESSIPAM, EIP_ROLE_ALLOCATOR, "{\"name\":\"e\",\"rv\":\"9\","
	  "\"generation\":2,\"finalizers\":[\"egressip-ipam-operator.redhat-cop.io/cleanup\"],"
	  "\"spec\":{\"cidrAssignments\":[{\"CIDR\":\"10.0.0.0/24\",\"labelValue\":\"\","
	  "\"reservedIPs\":[\"10.0.0.5\"]}],\"topologyLabel\":\"zone\",\"nodeSelector\":"
	  "{\"matchLabels\":{\"a\":\"b\"},\"matchExpressions\":[{\"key\":\"k\","
	  "\"operator\":\"In\",\"values\":[\"x\"]}]}},\"status\":{\"conditions\":[{"
	  "\"type\":\"Ready\",\"status\":\"True\",\"observedGeneration\":2}],"
	  "\"cidrs\":[{\"CIDR\":\"10.0.0.0/24\",\"size\":\"256\",\"allocated\":1,"
	  "\"reserved\":3,\"free\":\"252\"}],\"namespaces\":1}}" },
	{ EIP_MSG_OBJ_HOSTSUBNET, EIP_ROLE_ALLOCATOR, "{\"name\":\"n1\",\"rv\":\"1\","
	  "\"host\":\"n1\",\"host_ip\":\"10.0.0.5\",\"egress_ips\":[\"10.0.0.9\"],"
	  "\"egress_cidrs\":[]}" },
	{ EIP_MSG_OBJ_NETNAMESPACE, EIP_ROLE_ALLOCATOR, "{\"name\":\"ns1\",\"rv\":\"2\","
	  "\"netid\":123,\"egress_ips\":[\"10.0.0.9\"]}" },
	{ EIP_MSG_OBJ_EGRESSIP, EIP_ROLE_ALLOCATOR, "{\"name\":\"eipam-ns1\",\"rv\":\"2\","
	  "\"labels\":{\"a\":\"b\"},\"egress_ips\":[\"10.0.0.9\"],\"namespace_selector\":"
	  "{\"kubernetes.io/metadata.name\":\"ns1\"},\"owner_uid\":\"u\",\"status\":"
	  "[{\"node\":\"n1\",\"egressIP\":\"10.0.0.9\"}]}" },
	{ EIP_MSG_OBJ_INFRASTRUCTURE, EIP_ROLE_ALLOCATOR, "{\"name\":\"cluster\",\"rv\":\"1\","
	  "\"platform\":\"AWS\",\"aws_region\":\"eu-central-1\"}" },
	{ EIP_MSG_OBJ_NETWORK, EIP_ROLE_ALLOCATOR, "{\"name\":\"cluster\",\"rv\":\"1\","
	  "\"network_type\":\"OpenShiftSDN\"}" },
	{ EIP_MSG_OBJ_DELETE, EIP_ROLE_ALLOCATOR, "{\"kind\":\"Namespace\",\"name\":\"ns1\"}" },
	{ EIP_MSG_SYNCED, EIP_ROLE_ALLOCATOR, "{\"kind\":\"Node\"}" },
	{ EIP_MSG_KIND_UNSERVED, EIP_ROLE_ALLOCATOR, "{\"kind\":\"HostSubnet\",\"reason\":\"404\"}" },
	{ EIP_MSG_LEADER, EIP_ROLE_ALLOCATOR, "{\"leading\":true,\"identity\":\"pod_1\"}" },
	{ EIP_MSG_W_NS_EGRESSIPS, EIP_ROLE_WATCHER, "{\"name\":\"ns1\",\"rv\":\"4\",\"egressips\":\"10.0.0.9\"}" },
	{ EIP_MSG_W_NETNAMESPACE, EIP_ROLE_WATCHER, "{\"name\":\"ns1\",\"egress_ips\":[\"10.0.0.9\"]}" },
	{ EIP_MSG_W_HOSTSUBNET, EIP_ROLE_WATCHER, "{\"name\":\"n1\",\"egress_ips\":[],\"egress_cidrs\":[\"10.0.0.0/24\"]}" },
	{ EIP_MSG_W_EGRESSIP, EIP_ROLE_WATCHER, "{\"name\":\"eipam-ns1\",\"namespace\":\"ns1\","
	  "\"namespace_uid\":\"u\",\"ipam\":\"e\",\"egress_ips\":[\"2001:db8::1\"]}" },
	{ EIP_MSG_W_EGRESSIP_DELETE, EIP_ROLE_WATCHER, "{\"name\":\"eipam-ns1\"}" },
	{ EIP_MSG_W_NODE_ASSIGNABLE, EIP_ROLE_WATCHER, "{\"name\":\"n1\",\"assignable\":true,\"ipam\":\"e\"}" },
	{ EIP_MSG_W_IPAM_FINALIZERS, EIP_ROLE_WATCHER, "{\"name\":\"e\",\"rv\":\"3\",\"finalizers\":[]}" },
	{ EIP_MSG_W_IPAM_STATUS, EIP_ROLE_WATCHER, "{\"name\":\"e\",\"status\":{\"namespaces\":3}}" },
	{ EIP_MSG_W_EVENT, EIP_ROLE_WATCHER, "{\"involved\":{\"kind\":\"Namespace\",\"name\":\"ns1\"},"
	  "\"type\":\"Warning\",\"reason\":\"CIDRExhausted\",\"message\":\"full\"}" },
	{ EIP_MSG_W_CREDREQ, EIP_ROLE_WATCHER, "{\"platform\":\"AWS\",\"secret_namespace\":\"op\"}" },
	{ EIP_MSG_W_RESULT, EIP_ROLE_ALLOCATOR, "{\"ok\":false,\"code\":409,\"reason\":\"Conflict\",\"message\":\"m\"}" },
	{ EIP_MSG_CLOUD_CONFIG, EIP_ROLE_CLOUDWORKER, "{\"platform\":\"Azure\",\"resource_group\":\"rg\"}" },
	{ EIP_MSG_CLOUD_DISCOVER, EIP_ROLE_CLOUDWORKER, "{\"nodes\":[{\"name\":\"n1\","
	  "\"provider_id\":\"aws:///a/i-1\"}],\"cidrs\":[\"10.0.0.0/24\"]}" },
	{ EIP_MSG_CLOUD_DISCOVERED, EIP_ROLE_ALLOCATOR, "{\"nodes\":[{\"name\":\"n1\",\"ok\":true,"
	  "\"instance\":\"i-1\",\"nic\":\"eni-1\",\"primary_ip\":\"10.0.0.5\",\"ips\":[\"10.0.0.5\"],"
	  "\"capacity\":9}],\"subnets\":[{\"cidr\":\"10.0.0.0/24\",\"used\":[\"10.0.0.7\"]}]}" },
	{ EIP_MSG_CLOUD_ENSURE, EIP_ROLE_CLOUDWORKER, "{\"node\":\"n1\",\"owned_cidrs\":"
	  "[\"10.0.0.0/24\"],\"desired\":[\"10.0.0.9\"],\"lb_mode\":\"none\"}" },
	{ EIP_MSG_CLOUD_ENSURED, EIP_ROLE_ALLOCATOR, "{\"node\":\"n1\",\"ok\":true,\"class\":\"ok\",\"ips\":[\"10.0.0.9\"]}" },
	{ EIP_MSG_GAUGES, EIP_ROLE_METRICSD, "{\"synced\":true,\"leader\":false,\"data\":{}}" },
	{ EIP_MSG_TRACE, EIP_ROLE_CTL, "{\"role\":\"allocator\",\"dir\":\"in\",\"peer\":\"watcher\","
	  "\"type\":\"OBJ_NODE\",\"corr\":0,\"summary\":\"n1\"}" },
	{ EIP_MSG_DEBUG_REQ, EIP_ROLE_ALLOCATOR, "{\"cmd\":\"dump\"}" },
	{ EIP_MSG_DEBUG_REP, EIP_ROLE_CTL, "{\"ok\":true,\"result\":{\"x\":1}}" },
};

#define NSAMPLES	(sizeof(samples) / sizeof(samples[0]))

START_TEST(t_every_message_has_sample)
{
	static const uint16_t all[] = {
#define X(name, num, s, r)	num,
		EIP_MESSAGES(X)
#undef X
	};
	size_t i, j;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		ck_assert_ptr_nonnull(eip_msg_schema(all[i]));
		for (j = 0; j < NSAMPLES; j++)
			if (samples[j].type == all[i])
				break;
		ck_assert_msg(j < NSAMPLES, "no sample for %s",
		    eip_msg_name(all[i]));
	}
}
END_TEST

START_TEST(t_roundtrip)
{
	const struct sample *s = &samples[_i];
	uint8_t hdr[EIP_HDR_LEN];
	struct eip_msg m;
	char err[256], *buf, *again;
	size_t len;
	json_t *in;

	in = json_loads(s->body, 0, NULL);
	ck_assert_msg(in != NULL, "sample %s not JSON", eip_msg_name(s->type));
	ck_assert_msg(eip_msg_encode(s->type, 0, 0x1122334455667788ULL, in,
	    hdr, &buf, &len, err, sizeof(err)) == 0, "%s: %s",
	    eip_msg_name(s->type), err);
	ck_assert_msg(eip_msg_decode(hdr, sizeof(hdr), buf, len, s->receiver,
	    &m, err, sizeof(err)) == 0, "%s: %s", eip_msg_name(s->type), err);
	ck_assert_uint_eq(m.type, s->type);
	ck_assert(m.corr == 0x1122334455667788ULL);
	ck_assert(json_equal(m.body, in));
	again = json_dumps(m.body, JSON_COMPACT);
	ck_assert_str_eq(again, buf);
	free(again);
	free(buf);
	eip_msg_clear(&m);
	json_decref(in);
}
END_TEST

struct bad {
	const char	*why;
	uint32_t	 magic;
	uint16_t	 version;
	uint16_t	 type;
	size_t		 hlen;
	enum eip_role	 self;
	const char	*body;
	size_t		 blen;		/* 0 = strlen(body) */
};

#define M	EIP_PROTO_MAGIC
#define V	EIP_PROTO_VERSION
#define A	EIP_ROLE_ALLOCATOR
#define H	EIP_HDR_LEN
#define X10	"xxxxxxxxxx"
#define X100	X10 X10 X10 X10 X10 X10 X10 X10 X10 X10

static const struct bad bads[] = {
	{ "wrong magic", 0xdeadbeef, V, 201, H, A, "{\"seq\":1}", 0 },
	{ "version 0", M, 0, 201, H, A, "{\"seq\":1}", 0 },
	{ "future version", M, V + 1, 201, H, A, "{\"seq\":1}", 0 },
	{ "unknown type", M, V, 999, H, A, "{\"seq\":1}", 0 },
	{ "type 0", M, V, 0, H, A, "{\"seq\":1}", 0 },
	{ "truncated header", M, V, 201, H - 1, A, "{\"seq\":1}", 0 },
	{ "long header", M, V, 201, H + 1, A, "{\"seq\":1}", 0 },
	{ "empty header", M, V, 201, 0, A, "{\"seq\":1}", 0 },
	{ "wrong receiver", M, V, 219, H, EIP_ROLE_WATCHER, "{\"kind\":\"Node\"}", 0 },
	{ "empty body", M, V, 201, H, A, "", 0 },
	{ "trailing bytes", M, V, 201, H, A, "{\"seq\":1} x", 0 },
	{ "two objects", M, V, 201, H, A, "{\"seq\":1}{\"seq\":2}", 0 },
	{ "NUL inside", M, V, 201, H, A, "{\"seq\":1}\0", 10 },
	{ "not an object", M, V, 201, H, A, "[1]", 0 },
	{ "bare string", M, V, 201, H, A, "\"x\"", 0 },
	{ "invalid JSON", M, V, 201, H, A, "{seq:1}", 0 },
	{ "truncated JSON", M, V, 201, H, A, "{\"seq\":", 0 },
	{ "unknown key", M, V, 201, H, A, "{\"seq\":1,\"extra\":2}", 0 },
	{ "duplicate key", M, V, 201, H, A, "{\"seq\":1,\"seq\":2}", 0 },
	{ "missing key", M, V, 201, H, A, "{}", 0 },
	{ "string for int", M, V, 201, H, A, "{\"seq\":\"1\"}", 0 },
	{ "float for int", M, V, 201, H, A, "{\"seq\":1.5}", 0 },
	{ "negative int", M, V, 201, H, A, "{\"seq\":-1}", 0 },
	{ "null for int", M, V, 201, H, A, "{\"seq\":null}", 0 },
	{ "bad enum", M, V, 219, H, A, "{\"kind\":\"Pod\"}", 0 },
	{ "int for enum", M, V, 219, H, A, "{\"kind\":3}", 0 },
	{ "bad IP in list", M, V, 251, H, EIP_ROLE_WATCHER,
	  "{\"name\":\"n\",\"egress_ips\":[\"10.0.0.300\"]}", 0 },
	{ "IP with spaces", M, V, 251, H, EIP_ROLE_WATCHER,
	  "{\"name\":\"n\",\"egress_ips\":[\" 10.0.0.3\"]}", 0 },
	{ "number in IP list", M, V, 251, H, EIP_ROLE_WATCHER,
	  "{\"name\":\"n\",\"egress_ips\":[10]}", 0 },
	{ "bad CIDR", M, V, 252, H, EIP_ROLE_WATCHER,
	  "{\"name\":\"n\",\"egress_ips\":[],\"egress_cidrs\":[\"10.0.0.0/33\"]}", 0 },
	{ "oversized name", M, V, 218, H, A,
	  "{\"kind\":\"Node\",\"name\":\"" X100 X100 X100 "\"}", 0 },
	{ "label value not string", M, V, 211, H, A,
	  "{\"name\":\"n\",\"rv\":\"1\",\"labels\":{\"a\":1},\"ready\":\"True\"}", 0 },
	{ "nested unknown key", M, V, 212, H, A,
	  "{\"name\":\"e\",\"rv\":\"1\",\"generation\":1,\"spec\":{\"bogus\":1}}", 0 },
	{ "nested wrong type", M, V, 212, H, A,
	  "{\"name\":\"e\",\"rv\":\"1\",\"generation\":1,\"spec\":{\"cidrAssignments\":{}}}", 0 },
	{ "NUL escape in string", M, V, 218, H, A,
	  "{\"kind\":\"Node\",\"name\":\"a\\u0000b\"}", 0 },
	{ "bool as string", M, V, 221, H, A, "{\"leading\":\"true\",\"identity\":\"x\"}", 0 },
	{ "null not allowed", M, V, 221, H, A, "{\"leading\":null,\"identity\":\"x\"}", 0 },
};

START_TEST(t_malformed)
{
	const struct bad *b = &bads[_i];
	struct eip_hdr h = { b->magic, b->version, b->type, 0, 1 };
	uint8_t hdr[EIP_HDR_LEN + 1];
	struct eip_msg m;
	char err[256] = "";
	size_t blen = b->blen ? b->blen : strlen(b->body);

	memset(hdr, 0, sizeof(hdr));
	eip_hdr_pack(&h, hdr);
	errno = 0;
	ck_assert_msg(eip_msg_decode(hdr, b->hlen, b->body, blen, b->self, &m,
	    err, sizeof(err)) == -1, "accepted: %s", b->why);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_msg(err[0] != '\0', "no reason given: %s", b->why);
	ck_assert_ptr_null(m.body);
}
END_TEST

START_TEST(t_oversized_body)
{
	struct eip_hdr h = { EIP_PROTO_MAGIC, EIP_PROTO_VERSION, 201, 0, 1 };
	uint8_t hdr[EIP_HDR_LEN];
	struct eip_msg m;
	char err[256];
	size_t n = EIP_BODY_MAX + 2;
	char *big = malloc(n);

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	eip_hdr_pack(&h, hdr);
	ck_assert_int_eq(eip_msg_decode(hdr, sizeof(hdr), big, n,
	    EIP_ROLE_ALLOCATOR, &m, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EPROTO);
	free(big);
}
END_TEST

START_TEST(t_encode_rejects_bad_body)
{
	uint8_t hdr[EIP_HDR_LEN];
	char err[256], *buf = NULL;
	size_t len;
	json_t *b = json_pack("{s:s}", "seq", "one");

	ck_assert_int_eq(eip_msg_encode(EIP_MSG_PING, 0, 0, b, hdr, &buf, &len,
	    err, sizeof(err)), -1);
	ck_assert_ptr_null(buf);
	ck_assert_int_eq(eip_msg_encode(777, 0, 0, b, hdr, &buf, &len,
	    err, sizeof(err)), -1);
	json_decref(b);
}
END_TEST

START_TEST(t_roles)
{
	enum eip_role r;

	ck_assert(eip_msg_allowed(EIP_MSG_OBJ_NODE, EIP_ROLE_WATCHER,
	    EIP_ROLE_ALLOCATOR));
	ck_assert(!eip_msg_allowed(EIP_MSG_OBJ_NODE, EIP_ROLE_CLOUDWORKER,
	    EIP_ROLE_ALLOCATOR));
	ck_assert(!eip_msg_allowed(EIP_MSG_CLOUD_ENSURE, EIP_ROLE_ALLOCATOR,
	    EIP_ROLE_WATCHER));
	ck_assert_int_eq(eip_role_parse("cloudworker", &r), 0);
	ck_assert_int_eq(r, EIP_ROLE_CLOUDWORKER);
	ck_assert_int_eq(eip_role_parse("root", &r), -1);
	ck_assert_str_eq(eip_msg_name(EIP_MSG_W_RESULT), "W_RESULT");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_every_message_has_sample);
	tcase_add_loop_test(tc, t_roundtrip, 0, NSAMPLES);
	tcase_add_loop_test(tc, t_malformed, 0, sizeof(bads) / sizeof(bads[0]));
	tcase_add_test(tc, t_oversized_body);
	tcase_add_test(tc, t_encode_rejects_bad_body);
	tcase_add_test(tc, t_roles);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
