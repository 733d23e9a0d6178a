# SPDX-License-Identifier: Apache-2.0
# The watcher: the operator's only process that talks to the Kubernetes
# API.  Its logic is in libeipwatcher.a so tests and benchmarks drive it
# in-process; common/http (libeiphttp.a) is its HTTP client.
HTTP_LIBS = libeiphttp.a $(CURL_LIBS) $(OPENSSL_LIBS) $(LIBEVENT_LIBS)

# Unit tests of common/http, backoff and rate limit (the watcher owns them).
UNIT_TESTS += tests/unit/test_http_backoff tests/unit/test_http
check_PROGRAMS += tests/unit/test_http_backoff tests/unit/test_http
tests_unit_test_http_backoff_SOURCES = tests/unit/test_http_backoff.c
tests_unit_test_http_backoff_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_http_backoff_LDADD = $(TEST_LDADD)
tests_unit_test_http_SOURCES = tests/unit/test_http.c
tests_unit_test_http_CFLAGS = $(TEST_CFLAGS) $(CURL_CFLAGS)
tests_unit_test_http_LDADD = $(HTTP_LIBS) $(TEST_LDADD)
EXTRA_DIST += tests/watcher/mkcerts.sh tests/watcher/https_server.py

noinst_LIBRARIES += libeipwatcher.a
libeipwatcher_a_SOURCES = \
	watcher/kyaml.c watcher/kyaml.h \
	watcher/kubeconfig.c watcher/kubeconfig.h
libeipwatcher_a_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/watcher $(JANSSON_CFLAGS) $(CURL_CFLAGS) $(LIBEVENT_CFLAGS) $(OPENSSL_CFLAGS)
WATCHER_LIBS = libeipwatcher.a libeipproto.a $(HTTP_LIBS) libeipcommon.a $(JANSSON_LIBS)
WATCHER_TEST_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/watcher $(CURL_CFLAGS)

UNIT_TESTS += tests/unit/test_watcher_kubeconfig
check_PROGRAMS += tests/unit/test_watcher_kubeconfig
tests_unit_test_watcher_kubeconfig_SOURCES = tests/unit/test_watcher_kubeconfig.c
tests_unit_test_watcher_kubeconfig_CFLAGS = $(WATCHER_TEST_CFLAGS)
tests_unit_test_watcher_kubeconfig_LDADD = $(WATCHER_LIBS) $(TEST_LDADD)
libeipwatcher_a_SOURCES += watcher/normalize.c watcher/normalize.h
UNIT_TESTS += tests/unit/test_watcher_normalize
check_PROGRAMS += tests/unit/test_watcher_normalize
tests_unit_test_watcher_normalize_SOURCES = tests/unit/test_watcher_normalize.c
tests_unit_test_watcher_normalize_CFLAGS = $(WATCHER_TEST_CFLAGS)
tests_unit_test_watcher_normalize_LDADD = $(WATCHER_LIBS) $(TEST_LDADD)
EXTRA_DIST += tests/watcher/fixtures/node-aws.json tests/watcher/fixtures/node-bad.json \
	tests/watcher/fixtures/egressipam.json tests/watcher/fixtures/egressipam-bad.json
libexec_PROGRAMS += eipam-watcher
eipam_watcher_SOURCES = watcher/eipam-watcher.c
eipam_watcher_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/watcher $(CURL_CFLAGS) $(JANSSON_CFLAGS) $(ZMQ_CFLAGS) $(LIBEVENT_CFLAGS)
eipam_watcher_LDADD = libeipwatcher.a libeiphttp.a $(EIP_WORKER_LIBS) $(EIP_WORKER_DEPLIBS) $(CURL_LIBS) $(OPENSSL_LIBS)

libeipwatcher_a_SOURCES += watcher/kclient.c watcher/kclient.h \
	watcher/informer.c watcher/informer.h
libeipwatcher_a_SOURCES += watcher/writer.c watcher/writer.h watcher/writer_build.c \
	watcher/events.c watcher/events.h
libeipwatcher_a_SOURCES += watcher/leader.c watcher/leader.h

# The in-process test driver of the watcher (integration tests, benchmarks).
check_PROGRAMS += tests/watcher/wdriver
tests_watcher_wdriver_SOURCES = tests/watcher/wdriver.c
tests_watcher_wdriver_CFLAGS = $(WATCHER_TEST_CFLAGS)
tests_watcher_wdriver_LDADD = $(WATCHER_LIBS) $(TEST_LDADD)
TESTS += tests/watcher/test_informers.py
EXTRA_DIST += tests/watcher/fake_apiserver.py tests/watcher/wtest.py \
	tests/watcher/test_informers.py
TESTS += tests/watcher/test_writes.py tests/watcher/test_leader.py \
	tests/watcher/test_kube_auth.py
EXTRA_DIST += tests/watcher/test_writes.py tests/watcher/test_leader.py \
	tests/watcher/test_kube_auth.py
TESTS += tests/watcher/test_watcher_process.py
EXTRA_DIST += tests/watcher/test_watcher_process.py
TESTS += tests/watcher/test_sim.py
EXTRA_DIST += tests/watcher/test_sim.py
EXTRA_DIST += tests/watcher/simapi.py
UNIT_TESTS += tests/unit/test_watcher_writer
check_PROGRAMS += tests/unit/test_watcher_writer
tests_unit_test_watcher_writer_SOURCES = tests/unit/test_watcher_writer.c
tests_unit_test_watcher_writer_CFLAGS = $(WATCHER_TEST_CFLAGS)
tests_unit_test_watcher_writer_LDADD = $(WATCHER_LIBS) $(TEST_LDADD)
