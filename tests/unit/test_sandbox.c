/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/sandbox.c: a forbidden call kills, allowed work goes on, a soft
 * deny fails with its errno, Landlock limits reads to the granted paths.
 * Check forks a process per test, so each test sandboxes only itself.
 * The sanitizer build forces the sandbox off, so these tests skip there.
 */
#include <check.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "sandbox.h"
#include "testutil.h"

static char dir_ok[64], dir_no[64];

static const struct sandbox_rule test_rules[] = {
	SB_ALLOW("openat", "the test reads files after entering"),
	SB_ALLOW("timer_create", "Check's per-test timeout"),
	SB_ALLOW("timer_settime", "Check's per-test timeout"),
	SB_ALLOW("timer_delete", "Check's per-test timeout"),
	SB_ALLOW("unlink", "Check's temporary files"),
	SB_END
};
static const struct sandbox_rule *const tables[] = {
	sandbox_base_rules, test_rules, NULL
};
static const char *const read_ok[] = { dir_ok, NULL };
static const struct sandbox_policy policy = {
	"test", tables, read_ok, 0, 0
};

static void
enter(enum sandbox_mode mode)
{
	char err[256];

	ck_assert_msg(sandbox_apply(&policy, NULL, mode, 1, err,
	    sizeof(err)) == 0, "%s", err);
}

static void
setup(void)
{
	FILE *fp;

	snprintf(dir_ok, sizeof(dir_ok), "/tmp/eip-sb-ok-%d", (int)getpid());
	snprintf(dir_no, sizeof(dir_no), "/tmp/eip-sb-no-%d", (int)getpid());
	mkdir(dir_ok, 0700);
	mkdir(dir_no, 0700);
	fp = fopen("/tmp/eip-sb-ok-f", "w");
	if (fp != NULL)
		fclose(fp);
	{
		char p[128];

		snprintf(p, sizeof(p), "%s/a", dir_ok);
		if ((fp = fopen(p, "w")) != NULL)
			fclose(fp);
		snprintf(p, sizeof(p), "%s/b", dir_no);
		if ((fp = fopen(p, "w")) != NULL)
			fclose(fp);
	}
	log_set_level(LOG_LVL_ERROR);
}

/* In the parent, once: the children are sandboxed and cannot unlink. */
static void
teardown(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/a", dir_ok);
	unlink(p);
	snprintf(p, sizeof(p), "%s/b", dir_no);
	unlink(p);
	rmdir(dir_ok);
	rmdir(dir_no);
	unlink("/tmp/eip-sb-ok-f");
}

START_TEST(t_forbidden_socket_kills)
{
	enter(SANDBOX_ENFORCE);
	socket(AF_INET, SOCK_STREAM, 0);
	ck_abort_msg("socket(AF_INET) survived");
}
END_TEST

START_TEST(t_forbidden_execve_kills)
{
	char *const av[] = { (char *)"/bin/true", NULL };

	enter(SANDBOX_ENFORCE);
	execve("/bin/true", av, NULL);
	ck_abort_msg("execve survived");
}
END_TEST

START_TEST(t_trap_mode_kills_too)
{
	enter(SANDBOX_TRAP);
	fork();
	ck_abort_msg("fork survived");
}
END_TEST

START_TEST(t_allowed_work)
{
	struct timespec ts;
	int fd;

	enter(SANDBOX_ENFORCE);
	/* Unix sockets, memory and time still work. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	close(fd);
	free(malloc(1 << 20));
	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
}
END_TEST

START_TEST(t_landlock_reads)
{
	char p[128];
	int fd;

	if (sandbox_landlock_abi() < 1)
		return;		/* logged by sandbox_apply as a warning */
	enter(SANDBOX_ENFORCE);
	snprintf(p, sizeof(p), "%s/a", dir_ok);
	fd = open(p, O_RDONLY);
	ck_assert_msg(fd >= 0, "granted path denied: %s", strerror(errno));
	close(fd);
	snprintf(p, sizeof(p), "%s/b", dir_no);
	ck_assert_int_eq(open(p, O_RDONLY), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(open("/etc/passwd", O_RDONLY), -1);
	/* Writing even inside the granted directory is denied. */
	snprintf(p, sizeof(p), "%s/new", dir_ok);
	ck_assert_int_eq(open(p, O_WRONLY | O_CREAT, 0600), -1);
}
END_TEST

START_TEST(t_dump)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	sandbox_dump(&policy, NULL, fp);
	fclose(fp);
	ck_assert_ptr_nonnull(strstr(buf, "default: kill"));
	ck_assert_ptr_nonnull(strstr(buf, "# libzmq mailboxes"));
	/* The test table's openat overrides the base table's soft deny. */
	ck_assert_ptr_null(strstr(buf, "openat             errno"));
	ck_assert_ptr_nonnull(strstr(buf, dir_ok));
	free(buf);
}
END_TEST

START_TEST(t_modes)
{
	enum sandbox_mode m;

	ck_assert_int_eq(sandbox_mode_parse("trap", &m), 0);
	ck_assert_int_eq(m, SANDBOX_TRAP);
	ck_assert_int_eq(sandbox_mode_parse("lax", &m), -1);
	ck_assert_str_eq(sandbox_mode_name(SANDBOX_LOG), "log");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_dump);
	tcase_add_test(tc, t_modes);
#ifndef EIP_SANITIZERS
	tcase_add_test_raise_signal(tc, t_forbidden_socket_kills, SIGSYS);
	tcase_add_test_raise_signal(tc, t_forbidden_execve_kills, SIGSYS);
	tcase_add_test_raise_signal(tc, t_trap_mode_kills_too, SIGSYS);
	tcase_add_test(tc, t_allowed_work);
	tcase_add_test(tc, t_landlock_reads);
#endif
	suite_add_tcase(s, tc);
	return eip_run_suite(s);
}
