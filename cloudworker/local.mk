# SPDX-License-Identifier: Apache-2.0
# The cloudworker: pure layers in libeipcloud.a (credentials, EC2/STS
# requests and XML, ARM/AAD JSON, the ENSURE plan, error classes, token
# timing) so the unit tests drive them without a network; the process
# (HTTP calls, AWS and Azure clients, tasks) in eipam-cloudworker.
noinst_LIBRARIES += libeipcloud.a
libeipcloud_a_SOURCES = \
	cloudworker/xml.c cloudworker/xml.h \
	cloudworker/form.c cloudworker/form.h \
	cloudworker/cclass.c cloudworker/cclass.h \
	cloudworker/ec2_req.c cloudworker/ec2_parse.c cloudworker/ec2.h \
	cloudworker/plan.c cloudworker/plan.h \
	cloudworker/creds.c cloudworker/creds.h \
	cloudworker/azjson.c cloudworker/azjson.h \
	cloudworker/tokcache.c cloudworker/tokcache.h \
	cloudworker/url.c cloudworker/url.h
libeipcloud_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(EXPAT_CFLAGS)
EIP_CLOUD_LIBS = libeipcloud.a
EIP_CLOUD_DEPLIBS = $(EXPAT_LIBS) $(JANSSON_LIBS)

# The engine and the AWS and Azure clients (libcurl, OpenSSL).
noinst_LIBRARIES += libeipcloudw.a
libeipcloudw_a_SOURCES = \
	cloudworker/cw.c cloudworker/cw.h cloudworker/cw_int.h \
	cloudworker/cwcall.c \
	cloudworker/aws.c cloudworker/aws_ops.c cloudworker/aws.h \
	cloudworker/aws_int.h \
	cloudworker/azure.c cloudworker/azure_ops.c cloudworker/azure.h \
	cloudworker/azure_int.h
libeipcloudw_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(ZMQ_CFLAGS) $(LIBEVENT_CFLAGS) $(OPENSSL_CFLAGS)
EIP_CLOUDW_LIBS = libeipcloudw.a libeiphttp.a libeipcrypto.a $(EIP_CLOUD_LIBS)
EIP_CLOUDW_DEPLIBS = $(CURL_LIBS) $(OPENSSL_LIBS) $(EIP_CLOUD_DEPLIBS)

libexec_PROGRAMS += eipam-cloudworker
eipam_cloudworker_SOURCES = cloudworker/eipam-cloudworker.c
eipam_cloudworker_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(ZMQ_CFLAGS) $(LIBEVENT_CFLAGS)
eipam_cloudworker_LDADD = $(EIP_CLOUDW_LIBS) $(EIP_WORKER_LIBS) $(EIP_CLOUDW_DEPLIBS) $(EIP_WORKER_DEPLIBS)

# Unit tests of the pure layers.
CLOUD_UNIT_TESTS = tests/unit/test_cloud_ec2 tests/unit/test_cloud_plan \
	tests/unit/test_cloud_creds tests/unit/test_cloud_azure \
	tests/unit/test_cloud_misc
UNIT_TESTS += $(CLOUD_UNIT_TESTS)
check_PROGRAMS += $(CLOUD_UNIT_TESTS)
CLOUD_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) -I$(top_srcdir)/cloudworker
CLOUD_TEST_LDADD = $(EIP_CLOUD_LIBS) libeipcommon.a $(CHECK_LIBS) $(EIP_CLOUD_DEPLIBS)
tests_unit_test_cloud_ec2_SOURCES = tests/unit/test_cloud_ec2.c
tests_unit_test_cloud_ec2_CFLAGS = $(CLOUD_TEST_CFLAGS)
tests_unit_test_cloud_ec2_LDADD = $(CLOUD_TEST_LDADD)
tests_unit_test_cloud_plan_SOURCES = tests/unit/test_cloud_plan.c
tests_unit_test_cloud_plan_CFLAGS = $(CLOUD_TEST_CFLAGS)
tests_unit_test_cloud_plan_LDADD = $(CLOUD_TEST_LDADD)
tests_unit_test_cloud_creds_SOURCES = tests/unit/test_cloud_creds.c
tests_unit_test_cloud_creds_CFLAGS = $(CLOUD_TEST_CFLAGS)
tests_unit_test_cloud_creds_LDADD = $(CLOUD_TEST_LDADD)
tests_unit_test_cloud_azure_SOURCES = tests/unit/test_cloud_azure.c
tests_unit_test_cloud_azure_CFLAGS = $(CLOUD_TEST_CFLAGS)
tests_unit_test_cloud_azure_LDADD = $(CLOUD_TEST_LDADD)
tests_unit_test_cloud_misc_SOURCES = tests/unit/test_cloud_misc.c
tests_unit_test_cloud_misc_CFLAGS = $(CLOUD_TEST_CFLAGS)
tests_unit_test_cloud_misc_LDADD = libeiphttp.a $(CLOUD_TEST_LDADD) $(CURL_LIBS) $(LIBEVENT_LIBS) $(OPENSSL_LIBS)
# The engine (cw.c) with a stand-in provider.
UNIT_TESTS += tests/unit/test_cloud_engine
check_PROGRAMS += tests/unit/test_cloud_engine
tests_unit_test_cloud_engine_SOURCES = tests/unit/test_cloud_engine.c
tests_unit_test_cloud_engine_CFLAGS = $(CLOUD_TEST_CFLAGS) $(LIBEVENT_CFLAGS) $(ZMQ_CFLAGS)
tests_unit_test_cloud_engine_LDADD = $(EIP_CLOUDW_LIBS) $(EIP_WORKER_LIBS) $(CHECK_LIBS) $(EIP_CLOUDW_DEPLIBS) $(EIP_WORKER_DEPLIBS)

EXTRA_DIST += tests/cloudworker/ec2_oracle.py tests/cloudworker/cwlib.py

# The process against eipam-sim's clouds, driven as the allocator drives it.
TESTS += tests/cloudworker/test_cloud_aws.py tests/cloudworker/test_cloud_azure.py
EXTRA_DIST += tests/cloudworker/test_cloud_aws.py tests/cloudworker/test_cloud_azure.py
# And end to end through eipamd (every role) on the four cloud scenarios.
TESTS += tests/cloudworker/test_cloud_e2e.py
EXTRA_DIST += tests/cloudworker/test_cloud_e2e.py

# libFuzzer targets of the cloud parsers (CC=clang ./configure
# --enable-fuzzing); run one with ./tests/fuzz/fuzz_ec2_xml -max_total_time=60.
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_ec2_xml tests/fuzz/fuzz_azure_json
tests_fuzz_fuzz_ec2_xml_SOURCES = tests/fuzz/fuzz_ec2_xml.c
tests_fuzz_fuzz_ec2_xml_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) -I$(top_srcdir)/cloudworker
tests_fuzz_fuzz_ec2_xml_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_ec2_xml_LDADD = $(EIP_CLOUD_LIBS) libeipcommon.a $(EIP_CLOUD_DEPLIBS)
tests_fuzz_fuzz_azure_json_SOURCES = tests/fuzz/fuzz_azure_json.c
tests_fuzz_fuzz_azure_json_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) -I$(top_srcdir)/cloudworker
tests_fuzz_fuzz_azure_json_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_azure_json_LDADD = $(EIP_CLOUD_LIBS) libeipcommon.a $(EIP_CLOUD_DEPLIBS)
endif

# Benchmark (needs eipam-sim; prints JSON): make bench-cloud
EXTRA_DIST += bench/cloud_bench.py
bench-cloud: all
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(PYTHON3_SYS) $(top_srcdir)/bench/cloud_bench.py
.PHONY: bench-cloud
