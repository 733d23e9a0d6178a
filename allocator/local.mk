# SPDX-License-Identifier: Apache-2.0
# The allocator: libeipalloc.a holds the pure logic (pools, specs, the
# model, backends, status) so unit tests and benchmarks drive it directly;
# eipam-allocator is the process around it.  Neither links libcurl nor
# OpenSSL.
ALLOC_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
ALLOC_LIBS = libeipalloc.a libeipproto.a libeipcommon.a $(JANSSON_LIBS)

noinst_LIBRARIES += libeipalloc.a
libeipalloc_a_CFLAGS = $(ALLOC_CFLAGS)
libeipalloc_a_SOURCES = \
	allocator/rng.c allocator/rng.h \
	allocator/hmap.c allocator/hmap.h \
	allocator/pool.c allocator/pool.h \
	allocator/issue.c allocator/issue.h \
	allocator/selector.c allocator/selector.h \
	allocator/spec.c allocator/spec.h \
	allocator/manual.c allocator/manual.h \
	allocator/model.c allocator/model.h allocator/model_int.h \
	allocator/util.c allocator/store.c allocator/ipindex.c \
	allocator/ipam.c allocator/bind.c allocator/place.c \
	allocator/writes.c allocator/annot.c allocator/status.c \
	allocator/backend_sdn.c allocator/backend_ovn.c \
	allocator/backend_cloud.c allocator/dump.c

ALLOC_TEST_CFLAGS = $(ALLOC_CFLAGS) $(CHECK_CFLAGS) -I$(top_srcdir)/allocator -I$(top_srcdir)/tests/unit
ALLOC_TEST_LIBS = $(ALLOC_LIBS) $(CHECK_LIBS)

UNIT_TESTS += tests/unit/test_alloc_pool
check_PROGRAMS += tests/unit/test_alloc_pool
tests_unit_test_alloc_pool_SOURCES = tests/unit/test_alloc_pool.c
tests_unit_test_alloc_pool_CFLAGS = $(ALLOC_TEST_CFLAGS)
tests_unit_test_alloc_pool_LDADD = $(ALLOC_TEST_LIBS)

UNIT_TESTS += tests/unit/test_alloc_spec
check_PROGRAMS += tests/unit/test_alloc_spec
tests_unit_test_alloc_spec_SOURCES = tests/unit/test_alloc_spec.c
tests_unit_test_alloc_spec_CFLAGS = $(ALLOC_TEST_CFLAGS)
tests_unit_test_alloc_spec_LDADD = $(ALLOC_TEST_LIBS)
# The allocator never links libcurl or OpenSSL (tests/unit check it).
libexec_PROGRAMS += eipam-allocator
eipam_allocator_SOURCES = allocator/eipam-allocator.c
eipam_allocator_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/allocator $(JANSSON_CFLAGS) $(ZMQ_CFLAGS) $(LIBEVENT_CFLAGS)
eipam_allocator_LDADD = libeipalloc.a $(EIP_WORKER_LIBS) $(EIP_WORKER_DEPLIBS)


# The fake cluster the model tests run against.
noinst_LIBRARIES += tests/unit/libeipallocfake.a
tests_unit_libeipallocfake_a_SOURCES = tests/unit/alloc_fake.c tests/unit/alloc_fake.h
tests_unit_libeipallocfake_a_CFLAGS = $(ALLOC_TEST_CFLAGS)
ALLOC_FAKE_LIBS = tests/unit/libeipallocfake.a $(ALLOC_TEST_LIBS)

UNIT_TESTS += tests/unit/test_alloc_model
check_PROGRAMS += tests/unit/test_alloc_model
tests_unit_test_alloc_model_SOURCES = tests/unit/test_alloc_model.c
tests_unit_test_alloc_model_CFLAGS = $(ALLOC_TEST_CFLAGS)
tests_unit_test_alloc_model_LDADD = $(ALLOC_FAKE_LIBS)

UNIT_TESTS += tests/unit/test_alloc_life
check_PROGRAMS += tests/unit/test_alloc_life
tests_unit_test_alloc_life_SOURCES = tests/unit/test_alloc_life.c tests/unit/alloc_testlib.h
tests_unit_test_alloc_life_CFLAGS = $(ALLOC_TEST_CFLAGS)
tests_unit_test_alloc_life_LDADD = $(ALLOC_FAKE_LIBS)
# eipamctl explain and plan: read-only questions to the model.
libeipalloc_a_SOURCES += allocator/explain.c allocator/plan.c allocator/explain.h


UNIT_TESTS += tests/unit/test_alloc_prop
check_PROGRAMS += tests/unit/test_alloc_prop
tests_unit_test_alloc_prop_SOURCES = tests/unit/test_alloc_prop.c tests/unit/alloc_testlib.h
tests_unit_test_alloc_prop_CFLAGS = $(ALLOC_TEST_CFLAGS)
tests_unit_test_alloc_prop_LDADD = $(ALLOC_FAKE_LIBS)

UNIT_TESTS += tests/unit/test_alloc_regress
check_PROGRAMS += tests/unit/test_alloc_regress
tests_unit_test_alloc_regress_SOURCES = tests/unit/test_alloc_regress.c tests/unit/alloc_testlib.h
tests_unit_test_alloc_regress_CFLAGS = $(ALLOC_TEST_CFLAGS)
tests_unit_test_alloc_regress_LDADD = $(ALLOC_FAKE_LIBS)

# The allocator's benchmark (JSON on stdout; not part of make check):
#   ./bench/alloc_bench [picks] [events]
noinst_PROGRAMS += bench/alloc_bench
bench_alloc_bench_SOURCES = bench/alloc_bench.c
bench_alloc_bench_CFLAGS = $(ALLOC_TEST_CFLAGS)
bench_alloc_bench_LDADD = $(ALLOC_FAKE_LIBS)
