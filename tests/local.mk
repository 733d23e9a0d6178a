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
