# SPDX-License-Identifier: Apache-2.0
# Unit tests (Check programs, TAP output).  UNIT_TESTS is what the
# sanitizer build runs; TESTS also holds the integration suites.
TEST_LDADD = libeipproto.a libeipcommon.a $(CHECK_LIBS) $(JANSSON_LIBS) $(ZMQ_LIBS) $(LIBEVENT_LIBS) $(SECCOMP_LIBS)
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(ZMQ_CFLAGS) $(LIBEVENT_CFLAGS)

UNIT_TESTS += tests/unit/test_ipaddr tests/unit/test_log tests/unit/test_proto
check_PROGRAMS += tests/unit/test_ipaddr tests/unit/test_log tests/unit/test_proto
tests_unit_test_ipaddr_SOURCES = tests/unit/test_ipaddr.c
tests_unit_test_ipaddr_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_ipaddr_LDADD = $(TEST_LDADD)
tests_unit_test_log_SOURCES = tests/unit/test_log.c
tests_unit_test_log_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_log_LDADD = $(TEST_LDADD)
tests_unit_test_proto_SOURCES = tests/unit/test_proto.c
tests_unit_test_proto_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_proto_LDADD = $(TEST_LDADD)


# SigV4 against the AWS vector, botocore and curl (libeipcrypto).
UNIT_TESTS += tests/unit/test_sigv4
check_PROGRAMS += tests/unit/test_sigv4
tests_unit_test_sigv4_SOURCES = tests/unit/test_sigv4.c
tests_unit_test_sigv4_CFLAGS = $(TEST_CFLAGS) $(OPENSSL_CFLAGS)
tests_unit_test_sigv4_LDADD = libeipcrypto.a $(TEST_LDADD) $(OPENSSL_LIBS)
EXTRA_DIST += tests/unit/sigv4_oracle.py

# Foundation: supervisor policy and options, ZeroMQ glue, lifeline, sandbox,
# metricsd's exposition.
FOUNDATION_TESTS = tests/unit/test_restart tests/unit/test_options \
	tests/unit/test_zglue tests/unit/test_lifeline tests/unit/test_sandbox \
	tests/unit/test_metrics
UNIT_TESTS += $(FOUNDATION_TESTS)
check_PROGRAMS += $(FOUNDATION_TESTS)
WORKER_TEST_LDADD = $(EIP_WORKER_LIBS) $(EIP_WORKER_DEPLIBS) $(CHECK_LIBS)
tests_unit_test_restart_SOURCES = tests/unit/test_restart.c supervisor/restart.c
tests_unit_test_restart_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/supervisor
tests_unit_test_restart_LDADD = $(WORKER_TEST_LDADD) -lm
tests_unit_test_options_SOURCES = tests/unit/test_options.c supervisor/options.c
tests_unit_test_options_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/supervisor
tests_unit_test_options_LDADD = $(WORKER_TEST_LDADD)
tests_unit_test_zglue_SOURCES = tests/unit/test_zglue.c
tests_unit_test_zglue_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_zglue_LDADD = $(WORKER_TEST_LDADD)
tests_unit_test_lifeline_SOURCES = tests/unit/test_lifeline.c
tests_unit_test_lifeline_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_lifeline_LDADD = $(WORKER_TEST_LDADD)
tests_unit_test_sandbox_SOURCES = tests/unit/test_sandbox.c
tests_unit_test_sandbox_CFLAGS = $(TEST_CFLAGS) $(SECCOMP_CFLAGS)
tests_unit_test_sandbox_LDADD = $(WORKER_TEST_LDADD)
tests_unit_test_metrics_SOURCES = tests/unit/test_metrics.c metricsd/metrics.c
tests_unit_test_metrics_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/metricsd
tests_unit_test_metrics_LDADD = $(WORKER_TEST_LDADD)

# Integration: the supervisor and its workers as real processes.
TESTS += tests/integration/test_supervisor.py tests/integration/test_sandbox_roles.py
TESTS += tests/e2e/test_baremetal.py tests/e2e/test_lifecycle.py tests/e2e/test_clouds.py tests/e2e/test_observe.py tests/e2e/test_leader.py tests/e2e/test_chaos.py
EXTRA_DIST += tests/integration/eiptest.py tests/integration/test_supervisor.py \
	tests/integration/test_sandbox_roles.py tests/e2e/env.py tests/e2e/simclient.py \
	tests/e2e/invariants.py tests/e2e/cloudview.py

# libFuzzer targets: only in a fuzzing build (CC=clang ./configure
# --enable-fuzzing); run one with ./tests/fuzz/fuzz_proto -max_total_time=30.
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_proto
tests_fuzz_fuzz_proto_SOURCES = tests/fuzz/fuzz_proto.c
tests_fuzz_fuzz_proto_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_fuzz_fuzz_proto_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_proto_LDADD = libeipproto.a libeipcommon.a $(JANSSON_LIBS)
noinst_PROGRAMS += tests/fuzz/fuzz_normalize tests/fuzz/fuzz_ipam_input
tests_fuzz_fuzz_normalize_SOURCES = tests/fuzz/fuzz_normalize.c
tests_fuzz_fuzz_normalize_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/watcher $(JANSSON_CFLAGS)
tests_fuzz_fuzz_normalize_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_normalize_LDADD = $(WATCHER_LIBS)
tests_fuzz_fuzz_ipam_input_SOURCES = tests/fuzz/fuzz_ipam_input.c
tests_fuzz_fuzz_ipam_input_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/allocator $(JANSSON_CFLAGS)
tests_fuzz_fuzz_ipam_input_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_ipam_input_LDADD = $(ALLOC_LIBS)
endif
