/* SPDX-License-Identifier: Apache-2.0 */
/* watcher/kyaml.c and watcher/kubeconfig.c: what is read, what is refused. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kubeconfig.h"
#include "kyaml.h"
#include "testutil.h"

/* base64 of "-----BEGIN CERTIFICATE-----\nX\n" (content is not checked here). */
#define CA_B64 "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tClgK"

static const char kubectl_style[] =
    "apiVersion: v1\n"
    "kind: Config\n"
    "# written by a tool\n"
    "clusters:\n"
    "- cluster:\n"
    "    certificate-authority-data: " CA_B64 "\n"
    "    server: https://127.0.0.1:6443/\n"
    "  name: sim\n"
    "- cluster:\n"
    "    server: https://other:6443\n"
    "    certificate-authority-data: " CA_B64 "\n"
    "  name: other\n"
    "contexts:\n"
    "- context:\n"
    "    cluster: sim\n"
    "    user: \"admin\"   # quoted\n"
    "    namespace: 'egressip-ipam-operator'\n"
    "  name: sim\n"
    "current-context: sim\n"
    "preferences: {}\n"
    "users:\n"
    "  - name: admin\n"
    "    user:\n"
    "      token: abc.def-ghi\n";

START_TEST(t_kubectl_style)
{
	struct eip_kubeconf kc;
	char err[256];

	ck_assert_msg(kubeconf_from_text(kubectl_style, strlen(kubectl_style),
	    "/x", &kc, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(kc.server, "https://127.0.0.1:6443");
	ck_assert_str_eq(kc.token, "abc.def-ghi");
	ck_assert_ptr_null(kc.token_file);
	ck_assert_str_eq(kc.namespace, "egressip-ipam-operator");
	ck_assert_uint_eq(kc.ca_len, 30);
	ck_assert(memcmp(kc.ca_pem, "-----BEGIN CERTIFICATE-----\nX\n", 30) == 0);
	kubeconf_clear(&kc);
}
END_TEST

START_TEST(t_files_and_json)
{
	char dir[] = "/tmp/eipam-kc.XXXXXX", p[300], err[256];
	const char *json = "{\"current-context\":\"c\",\"contexts\":[{\"name\":"
	    "\"c\",\"context\":{\"cluster\":\"k\",\"user\":\"u\"}}],"
	    "\"clusters\":[{\"name\":\"k\",\"cluster\":{\"server\":"
	    "\"https://[::1]:443\",\"certificate-authority\":\"ca.pem\"}}],"
	    "\"users\":[{\"name\":\"u\",\"user\":{\"tokenFile\":\"tok\"}}]}";
	struct eip_kubeconf kc;
	FILE *f;
	char *t;

	ck_assert(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/ca.pem", dir);
	f = fopen(p, "w");
	fputs("PEM", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/tok", dir);
	f = fopen(p, "w");
	fputs("  tok123\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/config", dir);
	f = fopen(p, "w");
	fputs(json, f);
	fclose(f);
	ck_assert_msg(kubeconf_from_file(p, &kc, err, sizeof(err)) == 0, "%s",
	    err);
	ck_assert_str_eq(kc.server, "https://[::1]:443");
	ck_assert_str_eq(kc.ca_pem, "PEM");
	ck_assert_str_eq(kc.source, p);
	t = kubeconf_read_token(kc.token_file, err, sizeof(err));
	ck_assert_str_eq(t, "tok123");
	free(t);
	kubeconf_clear(&kc);
	/* In-cluster from the same directory. */
	snprintf(p, sizeof(p), "%s/ca.crt", dir);
	f = fopen(p, "w");
	fputs("PEM2", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/token", dir);
	f = fopen(p, "w");
	fputs("sa-token\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/namespace", dir);
	f = fopen(p, "w");
	fputs("eipam\n", f);
	fclose(f);
	unsetenv("KUBERNETES_SERVICE_HOST");
	ck_assert(kubeconf_in_cluster(dir, &kc, err, sizeof(err)) == -1);
	ck_assert(strstr(err, "KUBERNETES_SERVICE_HOST") != NULL);
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	ck_assert_msg(kubeconf_in_cluster(dir, &kc, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_str_eq(kc.server, "https://[fd00::1]:443");
	ck_assert_str_eq(kc.ca_pem, "PEM2");
	ck_assert_str_eq(kc.namespace, "eipam");
	kubeconf_clear(&kc);
	setenv("KUBERNETES_SERVICE_PORT", "44x", 1);
	ck_assert(kubeconf_in_cluster(dir, &kc, err, sizeof(err)) == -1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	unlink(p);
	snprintf(p, sizeof(p), "%s/token", dir);
	f = fopen(p, "w");
	fputs(" \n", f);
	fclose(f);
	ck_assert(kubeconf_in_cluster(dir, &kc, err, sizeof(err)) == -1);
	ck_assert_msg(strstr(err, "token file is empty") != NULL, "%s", err);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	ck_assert_int_eq(system(p), 0);
}
END_TEST

static const char *const refused[][2] = {
	{ "clusters:\n- name: c\n  cluster:\n    server: https://h\n"
	  "    insecure-skip-tls-verify: true\n"
	  "    certificate-authority-data: " CA_B64 "\n"
	  "contexts:\n- name: x\n  context: {cluster: c}\n", "" },
	{ "current-context: x\n", "context 'x' not found" },
	{ "a: 1\n\tb: 2\n", "line 2: tab in indentation" },
	{ "a: &anchor x\n", "line 1: unsupported YAML ('&'" },
	{ "a: |\n  text\n", "line 1: unsupported YAML ('|'" },
	{ "a: [x, y]\n", "line 1: unsupported YAML ('['" },
	{ "a: 1\na: 2\n", "line 2: duplicate key 'a'" },
	{ "a: 1\n  b: 2\n", "line 2: unexpected indentation" },
	{ "a: \"open\n", "line 1: unterminated quoted string" },
	{ "a: 1\n---\nb: 2\n", "line 2: multiple documents" },
	{ "just text\n", "line 1: expected 'key: value'" },
};

#define GOODCTX "contexts:\n- name: x\n  context:\n    cluster: c\n" \
	"    user: u\ncurrent-context: x\n"
#define GOODCL "clusters:\n- name: c\n  cluster:\n    server: https://h\n" \
	"    certificate-authority-data: " CA_B64 "\n"

static const char *const refused_kc[][2] = {
	{ GOODCTX GOODCL "users:\n- name: u\n  user:\n"
	  "    client-certificate-data: AAAA\n", "'client-certificate-data' is not supported" },
	{ GOODCTX GOODCL "users:\n- name: u\n  user:\n    exec:\n"
	  "      command: aws\n", "'exec' is not supported" },
	{ GOODCTX GOODCL "users:\n- name: u\n  user: {}\n",
	  "user 'u' has no token or tokenFile" },
	{ GOODCTX "clusters:\n- name: c\n  cluster:\n    server: http://h\n"
	  "    certificate-authority-data: " CA_B64 "\n"
	  "users:\n- name: u\n  user:\n    token: t\n",
	  "server must be an https:// URL" },
	{ GOODCTX "clusters:\n- name: c\n  cluster:\n    server: https://h\n"
	  "    insecure-skip-tls-verify: true\n"
	  "users:\n- name: u\n  user:\n    token: t\n",
	  "insecure-skip-tls-verify is refused" },
	{ GOODCTX "clusters:\n- name: c\n  cluster:\n    server: https://h\n"
	  "users:\n- name: u\n  user:\n    token: t\n",
	  "names no certificate-authority" },
	{ GOODCTX "clusters:\n- name: c\n  cluster:\n    server: https://h\n"
	  "    certificate-authority-data: '!!!'\n"
	  "users:\n- name: u\n  user:\n    token: t\n", "is not base64" },
	{ GOODCTX GOODCL "users:\n- name: v\n  user:\n    token: t\n",
	  "user 'u' of context 'x' not found" },
};

START_TEST(t_refused)
{
	struct eip_kubeconf kc;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(kubeconf_from_text(refused[i][0],
		    strlen(refused[i][0]), NULL, &kc, err, sizeof(err)) == -1,
		    "accepted case %zu", i);
		ck_assert_msg(strstr(err, refused[i][1]) != NULL,
		    "case %zu: '%s'", i, err);
	}
	for (i = 0; i < sizeof(refused_kc) / sizeof(refused_kc[0]); i++) {
		ck_assert_msg(kubeconf_from_text(refused_kc[i][0],
		    strlen(refused_kc[i][0]), NULL, &kc, err, sizeof(err)) == -1,
		    "accepted kc case %zu", i);
		ck_assert_msg(strstr(err, refused_kc[i][1]) != NULL,
		    "kc case %zu: '%s'", i, err);
	}
}
END_TEST

START_TEST(t_yaml_shapes)
{
	const char *y = "a:\n  - x\n  - 'it''s'\n  -\n    k: v\nb:\n"
	    "- \"q\\\"uote\"\nc: ~\nd: https://h:1/p#frag\ne: v # c\n";
	char err[128];
	json_t *j = kyaml_parse(y, strlen(y), err, sizeof(err));
	char *s;

	ck_assert_msg(j != NULL, "%s", err);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(s, "{\"a\":[\"x\",\"it's\",{\"k\":\"v\"}],"
	    "\"b\":[\"q\\\"uote\"],\"c\":null,\"d\":\"https://h:1/p#frag\","
	    "\"e\":\"v\"}");
	free(s);
	json_decref(j);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("kubeconfig");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_kubectl_style);
	tcase_add_test(tc, t_files_and_json);
	tcase_add_test(tc, t_refused);
	tcase_add_test(tc, t_yaml_shapes);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
