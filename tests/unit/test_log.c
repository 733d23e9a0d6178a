/* SPDX-License-Identifier: Apache-2.0 */
/* common/log.c: redaction, line cap, JSON lines, run-time levels. */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "testutil.h"

static char *
redact(const char *in)
{
	static char buf[LOG_LINE_MAX];

	snprintf(buf, sizeof(buf), "%s", in);
	log_redact(buf, strlen(buf), sizeof(buf));
	return buf;
}

START_TEST(t_redact_patterns)
{
	static const char *const cases[][2] = {
		{ "Authorization: Bearer abc.def-ghi",
		  "Authorization: [REDACTED]" },
		{ "hdr authorization: AWS4-HMAC-SHA256 Credential=AKID/x, Signature=deadbeef\r\nHost: h",
		  "hdr authorization: [REDACTED]\r\nHost: h" },
		{ "sent Bearer tok123 to server", "sent Bearer [REDACTED] to server" },
		{ "grant_type=client_credentials&client_secret=s3cr3t&scope=x",
		  "grant_type=client_credentials&client_secret=[REDACTED]&scope=x" },
		{ "{\"access_token\":\"abcdef\",\"expires_in\":3599}",
		  "{\"access_token\":\"[REDACTED]\",\"expires_in\":3599}" },
		{ "<SecretAccessKey>wJalrXUtn</SecretAccessKey>",
		  "<SecretAccessKey>[REDACTED]</SecretAccessKey>" },
		{ "<SessionToken>FwoGZX</SessionToken>",
		  "<SessionToken>[REDACTED]</SessionToken>" },
		{ "X-Amz-Security-Token: FQoG/x+y=", "X-Amz-Security-Token: [REDACTED]" },
		{ "WebIdentityToken=eyJhbGciOi.eyJzdWIi.c2ln&RoleArn=a",
		  "WebIdentityToken=[REDACTED]&RoleArn=a" },
		{ "token file says eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl ok",
		  "token file says [REDACTED] ok" },
		{ "aws_secret_access_key = abc123", "aws_secret_access_key = [REDACTED]" },
		{ "tokens: 5 namespaces", "tokens: 5 namespaces" },
		{ "nothing secret here", "nothing secret here" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_str_eq(redact(cases[i][0]), cases[i][1]);
}
END_TEST

START_TEST(t_redact_registered)
{
	ck_assert_int_eq(log_register_secret("AKIAEXAMPLE12345"), 0);
	ck_assert_int_eq(log_register_secret("ab"), -1);
	ck_assert_str_eq(redact("key AKIAEXAMPLE12345 used twice AKIAEXAMPLE12345"),
	    "key [REDACTED] used twice [REDACTED]");
	log_forget_secrets();
	ck_assert_str_eq(redact("key AKIAEXAMPLE12345"), "key AKIAEXAMPLE12345");
}
END_TEST

static char *
capture(void (*fn)(void))
{
	static char out[3 * LOG_LINE_MAX];
	char path[] = "/tmp/eip-log-XXXXXX";
	int fd = mkstemp(path);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	log_set_fd(fd);
	fn();
	log_set_fd(2);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, out, sizeof(out) - 1);
	ck_assert_int_ge(n, 0);
	out[n] = '\0';
	close(fd);
	return out;
}

static void
emit_long(void)
{
	char big[10000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_info("long %s", big);
}

static void
emit_levels(void)
{
	log_set_level(LOG_LVL_WARN);
	log_info("hidden");
	log_warn("shown warn");
	log_set_level(LOG_LVL_DEBUG);
	log_debug("shown debug");
}

static void
emit_json(void)
{
	log_info("quote \" backslash \\ newline\n token=abc");
}

START_TEST(t_line_cap)
{
	char *out;

	log_init("test", LOG_FMT_TEXT, LOG_LVL_INFO);
	out = capture(emit_long);
	ck_assert_uint_lt(strlen(out), LOG_LINE_MAX);
	ck_assert_int_eq(out[strlen(out) - 1], '\n');
	ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1);
}
END_TEST

START_TEST(t_levels)
{
	char *out;

	log_init("test", LOG_FMT_TEXT, LOG_LVL_INFO);
	out = capture(emit_levels);
	ck_assert_ptr_null(strstr(out, "hidden"));
	ck_assert_ptr_nonnull(strstr(out, "warn  test["));
	ck_assert_ptr_nonnull(strstr(out, "shown debug"));
}
END_TEST

START_TEST(t_json)
{
	json_error_t err;
	json_t *j;
	char *out;

	log_init("watcher", LOG_FMT_JSON, LOG_LVL_INFO);
	out = capture(emit_json);
	ck_assert_int_eq(out[strlen(out) - 1], '\n');
	j = json_loads(out, 0, &err);
	ck_assert_msg(j != NULL, "not JSON: %s (%s)", out, err.text);
	ck_assert_str_eq(json_string_value(json_object_get(j, "role")), "watcher");
	ck_assert_str_eq(json_string_value(json_object_get(j, "level")), "info");
	ck_assert_str_eq(json_string_value(json_object_get(j, "msg")),
	    "quote \" backslash \\ newline\n token=[REDACTED]");
	json_decref(j);
	log_set_format(LOG_FMT_TEXT);
}
END_TEST

START_TEST(t_json_long)
{
	json_t *j;
	char *out;

	log_init("watcher", LOG_FMT_JSON, LOG_LVL_INFO);
	out = capture(emit_long);
	ck_assert_uint_lt(strlen(out), LOG_LINE_MAX);
	j = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(j);
	json_decref(j);
}
END_TEST

START_TEST(t_parse)
{
	enum log_level l;
	enum log_format f;

	ck_assert_int_eq(log_level_parse("debug", &l), 0);
	ck_assert_int_eq(l, LOG_LVL_DEBUG);
	ck_assert_int_eq(log_level_parse("WARNING", &l), 0);
	ck_assert_int_eq(l, LOG_LVL_WARN);
	ck_assert_int_eq(log_level_parse("loud", &l), -1);
	ck_assert_int_eq(log_format_parse("json", &f), 0);
	ck_assert_int_eq(log_format_parse("xml", &f), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, t_redact_patterns);
	tcase_add_test(tc, t_redact_registered);
	tcase_add_test(tc, t_line_cap);
	tcase_add_test(tc, t_levels);
	tcase_add_test(tc, t_json);
	tcase_add_test(tc, t_json_long);
	tcase_add_test(tc, t_parse);
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
