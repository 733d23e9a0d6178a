/* SPDX-License-Identifier: Apache-2.0 */
/* supervisor/options.c: flags, flags files, role config slices. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "testutil.h"

#define S(x)	((char *)(x))

START_TEST(t_defaults_and_flags)
{
	struct eipamd_options o;
	char *argv[] = { S("eipamd"), S("--run-dir=/tmp/x"), S("--kube-qps"), S("7"),
	    S("--leader-elect"), S("--ip-selection=lowest"), S("--roles=allocator,watcher"),
	    NULL };
	char err[256];

	options_init(&o);
	ck_assert_str_eq(o.metrics_bind, "127.0.0.1:8080");
	ck_assert_str_eq(o.health_bind, ":8081");
	ck_assert_int_eq(options_parse(&o, 7, argv, err, sizeof(err)), 0);
	ck_assert_str_eq(o.run_dir, "/tmp/x");
	ck_assert_int_eq(o.kube_qps, 7);
	ck_assert_int_eq(o.leader_elect, 1);
	ck_assert_str_eq(o.ip_selection, "lowest");
	ck_assert_uint_eq(o.roles, (1u << EIP_ROLE_ALLOCATOR) |
	    (1u << EIP_ROLE_WATCHER));
	options_free(&o);
}
END_TEST

START_TEST(t_bad_flags)
{
	static const char *const bad[] = {
		"--no-such-flag", "--kube-qps=abc", "--kube-qps", "--log-level=loud",
		"--sandbox=maybe", "--roles=watcher,root", "positional",
		"--leader-elect=perhaps", "--network-type=Calico", NULL
	};
	struct eipamd_options o;
	char err[256];
	int i;

	for (i = 0; bad[i] != NULL; i++) {
		char *argv[] = { S("eipamd"), (char *)bad[i], NULL };

		options_init(&o);
		err[0] = '\0';
		ck_assert_msg(options_parse(&o, 2, argv, err, sizeof(err)) == -1,
		    "accepted %s", bad[i]);
		ck_assert(err[0] != '\0');
		options_free(&o);
	}
}
END_TEST

START_TEST(t_flags_file_and_slices)
{
	struct eipamd_options o;
	char path[] = "/tmp/eip-flags-XXXXXX", err[256];
	char *argv[] = { S("eipamd"), S("--flags-file"), path, NULL };
	json_t *c;
	FILE *fp;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	fprintf(fp, "# written by eipam-sim\n--kubeconfig=/s/kubeconfig\n\n"
	    "--platform=AWS\n  --cloud-credentials-dir=/s/creds  \n"
	    "--aws-ec2-endpoint=https://127.0.0.1:1/aws/ec2/\n");
	fclose(fp);
	options_init(&o);
	ck_assert_int_eq(options_parse(&o, 3, argv, err, sizeof(err)), 0);
	/* The watcher never sees cloud settings, the cloudworker never the kubeconfig. */
	c = options_role_config(&o, EIP_ROLE_WATCHER);
	ck_assert_str_eq(json_string_value(json_object_get(c, "kubeconfig")),
	    "/s/kubeconfig");
	ck_assert_ptr_null(json_object_get(c, "credentials_dir"));
	ck_assert_ptr_null(json_object_get(c, "aws_ec2_endpoint"));
	json_decref(c);
	c = options_role_config(&o, EIP_ROLE_CLOUDWORKER);
	ck_assert_str_eq(json_string_value(json_object_get(c,
	    "credentials_dir")), "/s/creds");
	ck_assert_ptr_null(json_object_get(c, "kubeconfig"));
	json_decref(c);
	c = options_role_config(&o, EIP_ROLE_ALLOCATOR);
	ck_assert_ptr_null(json_object_get(c, "kubeconfig"));
	ck_assert_ptr_null(json_object_get(c, "credentials_dir"));
	ck_assert_str_eq(json_string_value(json_object_get(c, "platform")),
	    "AWS");
	json_decref(c);
	options_free(&o);
	unlink(path);
}
END_TEST

START_TEST(t_flags_file_errors)
{
	struct eipamd_options o;
	char path[] = "/tmp/eip-flags-XXXXXX", err[256];
	char *argv[] = { S("eipamd"), S("--flags-file"), path, NULL };
	FILE *fp;
	int fd = mkstemp(path);

	fp = fdopen(fd, "w");
	fprintf(fp, "--kube-qps=1\n--bogus=1\n");
	fclose(fp);
	options_init(&o);
	ck_assert_int_eq(options_parse(&o, 3, argv, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, ":2: unknown flag --bogus") != NULL, "%s", err);
	options_free(&o);
	unlink(path);
	options_init(&o);
	ck_assert_int_eq(options_parse(&o, 3, argv, err, sizeof(err)), -1);
	options_free(&o);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_defaults_and_flags);
	tcase_add_test(tc, t_bad_flags);
	tcase_add_test(tc, t_flags_file_and_slices);
	tcase_add_test(tc, t_flags_file_errors);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
