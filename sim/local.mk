# SPDX-License-Identifier: Apache-2.0
# eipam-sim: the cluster simulator (Kubernetes + OpenShift + clouds).
# libeipsim.a holds every service so unit tests link them without sockets;
# the cloud half adds its files to libeipsim_a_SOURCES below.
SIM_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBEVENT_OPENSSL_CFLAGS) $(OPENSSL_CFLAGS) $(EXPAT_CFLAGS) $(CURL_CFLAGS)
SIM_LIBS = libeipsim.a libeipcrypto.a libeipcommon.a $(LIBEVENT_OPENSSL_LIBS) $(LIBEVENT_LIBS) $(OPENSSL_LIBS) $(JANSSON_LIBS) $(EXPAT_LIBS) -lm

noinst_LIBRARIES += libeipsim.a
libeipsim_a_CFLAGS = $(SIM_CFLAGS)
libeipsim_a_SOURCES = \
	sim/sim_http.c sim/sim_http.h sim/sim_cloud.h sim/sim.h sim/sim_kube.h \
	sim/sim_ctx.h sim/sim_tls.h \
	sim/rtypes.c sim/store.c sim/selector.c sim/patch.c sim/watch.c \
	sim/discovery.c sim/util.c sim/kube_api.c sim/yaml.c \
	sim/scenario.c sim/scenario_builtin.c sim/openshift.c sim/control.c \
	sim/tls.c

bin_PROGRAMS += eipam-sim
eipam_sim_SOURCES = sim/eipam-sim.c sim/ctl.c
eipam_sim_CFLAGS = $(SIM_CFLAGS)
eipam_sim_LDADD = $(SIM_LIBS) $(CURL_LIBS)
EXTRA_DIST += sim/README.md

# Unit tests of the simulator's pure logic.
SIM_TEST_CFLAGS = $(SIM_CFLAGS) $(CHECK_CFLAGS) -I$(top_srcdir)/sim -I$(top_srcdir)/tests/unit
SIM_TEST_LIBS = $(SIM_LIBS) $(CHECK_LIBS)
UNIT_TESTS += tests/sim/test_sim_http
check_PROGRAMS += tests/sim/test_sim_http
tests_sim_test_sim_http_SOURCES = tests/sim/test_sim_http.c
tests_sim_test_sim_http_CFLAGS = $(SIM_TEST_CFLAGS)
tests_sim_test_sim_http_LDADD = $(SIM_TEST_LIBS)
UNIT_TESTS += tests/sim/test_sim_selector
check_PROGRAMS += tests/sim/test_sim_selector
tests_sim_test_sim_selector_SOURCES = tests/sim/test_sim_selector.c
tests_sim_test_sim_selector_CFLAGS = $(SIM_TEST_CFLAGS)
tests_sim_test_sim_selector_LDADD = $(SIM_TEST_LIBS)
UNIT_TESTS += tests/sim/test_sim_patch
check_PROGRAMS += tests/sim/test_sim_patch
tests_sim_test_sim_patch_SOURCES = tests/sim/test_sim_patch.c
tests_sim_test_sim_patch_CFLAGS = $(SIM_TEST_CFLAGS)
tests_sim_test_sim_patch_LDADD = $(SIM_TEST_LIBS)
UNIT_TESTS += tests/sim/test_sim_store
check_PROGRAMS += tests/sim/test_sim_store
tests_sim_test_sim_store_SOURCES = tests/sim/test_sim_store.c
tests_sim_test_sim_store_CFLAGS = $(SIM_TEST_CFLAGS)
tests_sim_test_sim_store_LDADD = $(SIM_TEST_LIBS)

# The simulated clouds (EC2 + STS, Azure ARM + AAD), see sim/sim_cloud.h:
# in libeipsim.a, with SigV4 from libeipcrypto.a.
libeipsim_a_SOURCES += \
	sim/sim_cloud.c sim/sim_cloud_priv.h sim/sim_cloud_util.c \
	sim/sim_aws.h sim/sim_ec2.c sim/sim_ec2_describe.c \
	sim/sim_ec2_assign.c sim/sim_sts.c \
	sim/sim_az.h sim/sim_azure.c sim/sim_azure_arm.c sim/sim_azure_nic.c \
	sim/sim_aad.c
SIM_CFLAGS += -DEIP_SIM_CLOUD

# Unit tests of the simulated clouds (pure handlers, no sockets).
SIM_CLOUD_TEST_CFLAGS = $(SIM_TEST_CFLAGS) $(OPENSSL_CFLAGS)
UNIT_TESTS += tests/unit/test_sim_cloud_ec2
check_PROGRAMS += tests/unit/test_sim_cloud_ec2
tests_unit_test_sim_cloud_ec2_SOURCES = tests/unit/test_sim_cloud_ec2.c \
	tests/unit/sim_cloud_test.h
tests_unit_test_sim_cloud_ec2_CFLAGS = $(SIM_CLOUD_TEST_CFLAGS)
tests_unit_test_sim_cloud_ec2_LDADD = $(SIM_TEST_LIBS)
UNIT_TESTS += tests/unit/test_sim_cloud_azure
check_PROGRAMS += tests/unit/test_sim_cloud_azure
tests_unit_test_sim_cloud_azure_SOURCES = tests/unit/test_sim_cloud_azure.c \
	tests/unit/sim_cloud_test.h
tests_unit_test_sim_cloud_azure_CFLAGS = $(SIM_CLOUD_TEST_CFLAGS)
tests_unit_test_sim_cloud_azure_LDADD = $(SIM_TEST_LIBS)

# Fidelity tests against real clients (kubectl, python3-kubernetes).
TESTS += tests/sim/kubectl.sh tests/sim/python_client.py
EXTRA_DIST += tests/sim/sim_lib.sh tests/sim/kubectl.sh tests/sim/python_client.py

# Fidelity of the clouds against boto3/botocore and python3-azure, through
# the real server.
TESTS += tests/sim/cloud_aws.py tests/sim/cloud_azure.py
EXTRA_DIST += tests/sim/cloudsim.py tests/sim/cloud_aws.py \
	tests/sim/cloud_azure.py

# libFuzzer target of the cloud request handling (fuzzing builds only):
# ./tests/fuzz/fuzz_sim_cloud_req -max_total_time=60
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_sim_cloud_req
tests_fuzz_fuzz_sim_cloud_req_SOURCES = tests/fuzz/fuzz_sim_cloud_req.c
tests_fuzz_fuzz_sim_cloud_req_CFLAGS = $(SIM_CFLAGS) -I$(top_srcdir)/sim
tests_fuzz_fuzz_sim_cloud_req_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_sim_cloud_req_LDADD = $(SIM_LIBS)
endif

# libFuzzer target for request handling: only in a fuzzing build
# (CC=clang ./configure --enable-fuzzing); run it with
# ./tests/fuzz/fuzz_sim_request -max_total_time=60.
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_sim_request
tests_fuzz_fuzz_sim_request_SOURCES = tests/fuzz/fuzz_sim_request.c
tests_fuzz_fuzz_sim_request_CFLAGS = $(SIM_CFLAGS) -I$(top_srcdir)/sim
tests_fuzz_fuzz_sim_request_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_sim_request_LDADD = $(SIM_LIBS)
endif

# The simulator benchmark (bench/sim_bench.c): built, never run by make
# check; see doc/PERFORMANCE.md.
noinst_PROGRAMS += bench/sim_bench
bench_sim_bench_SOURCES = bench/sim_bench.c
bench_sim_bench_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
bench_sim_bench_LDADD = $(CURL_LIBS)
