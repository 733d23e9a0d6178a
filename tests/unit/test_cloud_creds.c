/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cloudworker/creds.c: the mounted Secret's files for each flavour
 * (AWS static keys, STS web identity, Azure secret, Azure workload
 * identity), the CCO's INI, missing and broken keys with messages that
 * name the key but never the value, token re-reading, and that every
 * secret is registered with the log redactor.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"
#include "log.h"
#include "testutil.h"

static char dir[64];

static void
put(const char *name, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/eip-creds-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	log_forget_secrets();
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	log_forget_secrets();
}

/* Is s redacted by the log layer? */
static int
redacted(const char *s)
{
	char buf[512];
	size_t n;

	n = (size_t)snprintf(buf, sizeof(buf), "value %s here", s);
	n = log_redact(buf, n, sizeof(buf));
	buf[n] = '\0';
	return strstr(buf, s) == NULL;
}

START_TEST(t_aws_static)
{
	struct eip_creds c;
	char err[256];

	put("aws_access_key_id", "AKIDEXAMPLE\n");
	put("aws_secret_access_key", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n");
	ck_assert_int_eq(creds_load(dir, "AWS", &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.kind, CRED_AWS_STATIC);
	ck_assert_str_eq(c.access_key, "AKIDEXAMPLE");
	ck_assert_str_eq(c.secret_key,
	    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
	ck_assert(redacted("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
	creds_clear(&c);
	ck_assert_ptr_null(c.secret_key);
}
END_TEST

START_TEST(t_aws_sts)
{
	struct eip_creds c;
	char err[256], *tok, path[256], *paths[2];

	/* The CCO writes the INI; the token path is outside the Secret. */
	put("credentials", "[default]\nrole_arn = arn:aws:iam::1:role/eipam\n"
	    "web_identity_token_file = /var/run/secrets/openshift/"
	    "serviceaccount/token\n");
	ck_assert_int_eq(creds_load(dir, "AWS", &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.kind, CRED_AWS_WEB_IDENTITY);
	ck_assert_str_eq(c.role_arn, "arn:aws:iam::1:role/eipam");
	ck_assert_str_eq(c.token_file,
	    "/var/run/secrets/openshift/serviceaccount/token");
	ck_assert_uint_eq(creds_token_paths(dir, paths, 2), 1);
	ck_assert_str_eq(paths[0], c.token_file);
	free(paths[0]);
	creds_clear(&c);
	/* A relative token path means a file of the Secret. */
	put("credentials", "role_arn=arn:aws:iam::1:role/x\n"
	    "web_identity_token_file=token\n");
	put("token", "eyJhbGciOi.first.sig\n");
	ck_assert_int_eq(creds_load(dir, "AWS", &c, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/token", dir);
	ck_assert_str_eq(c.token_file, path);
	/* Re-read on every exchange: rotation is seen. */
	tok = creds_read_token(c.token_file, err, sizeof(err));
	ck_assert_str_eq(tok, "eyJhbGciOi.first.sig");
	ck_assert(redacted("eyJhbGciOi.first.sig"));
	free(tok);
	put("token", "eyJhbGciOi.second.sig");
	tok = creds_read_token(c.token_file, err, sizeof(err));
	ck_assert_str_eq(tok, "eyJhbGciOi.second.sig");
	free(tok);
	unlink(path);
	ck_assert_ptr_null(creds_read_token(c.token_file, err, sizeof(err)));
	ck_assert(strstr(err, "No such file") != NULL);
	creds_clear(&c);
}
END_TEST

START_TEST(t_aws_ini_static_and_errors)
{
	struct eip_creds c;
	char err[256];

	/* Mint mode: the keys only in the INI. */
	put("credentials", "# CCO\n[default]\naws_access_key_id = AKIAINI\n"
	    "aws_secret_access_key = iniSecretValue123\n[other]\nrole_arn=x\n");
	ck_assert_int_eq(creds_load(dir, "AWS", &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.kind, CRED_AWS_STATIC);
	ck_assert_str_eq(c.access_key, "AKIAINI");
	ck_assert(redacted("iniSecretValue123"));
	creds_clear(&c);
	/* role_arn without a token file is an error, not static keys. */
	put("credentials", "[default]\nrole_arn=arn:aws:iam::1:role/x\n");
	ck_assert_int_eq(creds_load(dir, "AWS", &c, err, sizeof(err)), -1);
	ck_assert(strstr(err, "web_identity_token_file") != NULL);
	teardown();
	setup();
	ck_assert_int_eq(creds_load(dir, "AWS", &c, err, sizeof(err)), -1);
	ck_assert(strstr(err, "aws_access_key_id") != NULL);
	put("aws_access_key_id", "AKID");
	ck_assert_int_eq(creds_load(dir, "AWS", &c, err, sizeof(err)), -1);
	ck_assert(strstr(err, "aws_secret_access_key") != NULL);
	/* A secret of two lines is refused, and not echoed. */
	put("aws_secret_access_key", "line-one-secret\nline-two\n");
	ck_assert_int_eq(creds_load(dir, "AWS", &c, err, sizeof(err)), -1);
	ck_assert(strstr(err, "line-one") == NULL);
	ck_assert(strstr(err, "aws_secret_access_key") != NULL);
	ck_assert_int_eq(creds_load(dir, "GCP", &c, err, sizeof(err)), -1);
	ck_assert_int_eq(creds_load(NULL, "AWS", &c, err, sizeof(err)), -1);
	ck_assert_int_eq(creds_load("/nonexistent/dir", "AWS", &c, err,
	    sizeof(err)), -1);
}
END_TEST

START_TEST(t_azure)
{
	struct eip_creds c;
	char err[256], *paths[2];

	put("azure_client_id", "11111111-2222-3333-4444-555555555555");
	put("azure_tenant_id", "tenant-guid");
	put("azure_subscription_id", "sub-guid\n");
	ck_assert_int_eq(creds_load(dir, "Azure", &c, err, sizeof(err)), -1);
	ck_assert(strstr(err, "azure_client_secret") != NULL);
	put("azure_federated_token_file", "/var/run/secrets/openshift/"
	    "serviceaccount/token");
	ck_assert_int_eq(creds_load(dir, "Azure", &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.kind, CRED_AZURE_FEDERATED);
	ck_assert_str_eq(c.subscription_id, "sub-guid");
	ck_assert_str_eq(c.token_file,
	    "/var/run/secrets/openshift/serviceaccount/token");
	ck_assert_uint_eq(creds_token_paths(dir, paths, 2), 1);
	free(paths[0]);
	creds_clear(&c);
	/* With a secret, the secret wins (classic mode). */
	put("azure_client_secret", "s3cr3t~value.x");
	ck_assert_int_eq(creds_load(dir, "Azure", &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.kind, CRED_AZURE_SECRET);
	ck_assert_str_eq(c.client_secret, "s3cr3t~value.x");
	ck_assert(redacted("s3cr3t~value.x"));
	/* Identifiers are not secrets: they appear in ARM paths. */
	ck_assert(!redacted("sub-guid"));
	creds_clear(&c);
	unlink("azure_tenant_id");
	put("azure_tenant_id", "");
	ck_assert_int_eq(creds_load(dir, "Azure", &c, err, sizeof(err)), -1);
	ck_assert(strstr(err, "azure_tenant_id") != NULL);
}
END_TEST

START_TEST(t_ini)
{
	const char *ini = "top = 1\n[default]\n  Role_ARN =  a b \n; c\n"
	    "#x=1\n[s]\nrole_arn=other\n[default]\nk=v\n";
	char *v;

	v = creds_ini_get(ini, "default", "role_arn");
	ck_assert_str_eq(v, "a b");
	free(v);
	v = creds_ini_get(ini, "default", "top");
	ck_assert_str_eq(v, "1");
	free(v);
	v = creds_ini_get(ini, "s", "role_arn");
	ck_assert_str_eq(v, "other");
	free(v);
	v = creds_ini_get(ini, "default", "k");
	ck_assert_str_eq(v, "v");
	free(v);
	ck_assert_ptr_null(creds_ini_get(ini, "default", "x"));
	ck_assert_ptr_null(creds_ini_get(ini, "none", "k"));
	ck_assert_ptr_null(creds_ini_get("", "default", "k"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("cloud_creds");
	TCase *tc = tcase_create("creds");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_aws_static);
	tcase_add_test(tc, t_aws_sts);
	tcase_add_test(tc, t_aws_ini_static_and_errors);
	tcase_add_test(tc, t_azure);
	tcase_add_test(tc, t_ini);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return eip_run_suite(suite());
}
