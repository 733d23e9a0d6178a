# SPDX-License-Identifier: Apache-2.0
# libeipcommon: what every process links (no libcurl, no OpenSSL, so the
# allocator stays free of them).
noinst_LIBRARIES += libeipcommon.a
libeipcommon_a_SOURCES = \
	common/log.c common/log.h \
	common/xmalloc.c common/xmalloc.h \
	common/ipaddr.c common/ipaddr.h \
	common/backoff.c common/backoff.h \
	common/ratelimit.c common/ratelimit.h \
	common/zglue.c common/zglue.h \
	common/sandbox.c common/sandbox.h common/sandbox_rules.c
libeipcommon_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(ZMQ_CFLAGS) $(LIBEVENT_CFLAGS) $(SECCOMP_CFLAGS)

# libeipworker: the parts that need both common/ and proto/ (the lifeline,
# protocol messages over ZeroMQ, the shared worker life).  Link order:
# $(EIP_WORKER_LIBS) = libeipworker.a libeipproto.a libeipcommon.a.
noinst_LIBRARIES += libeipworker.a
libeipworker_a_SOURCES = \
	common/lifeline.c common/lifeline.h \
	common/zmsg.c common/zmsg.h \
	common/worker.c common/worker.h \
	common/alloclink.c common/alloclink.h
libeipworker_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(ZMQ_CFLAGS) $(LIBEVENT_CFLAGS) $(SECCOMP_CFLAGS)
EIP_WORKER_LIBS = libeipworker.a libeipproto.a libeipcommon.a
EIP_WORKER_DEPLIBS = $(JANSSON_LIBS) $(ZMQ_LIBS) $(LIBEVENT_LIBS) $(SECCOMP_LIBS)

# libeipcrypto: SigV4 over OpenSSL, for the cloudworker and eipam-sim only.
noinst_LIBRARIES += libeipcrypto.a
libeipcrypto_a_SOURCES = common/sigv4.c common/sigv4.h
libeipcrypto_a_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)

# libeiphttp: libcurl multi on libevent, for the watcher and the
# cloudworker only (it links libcurl and OpenSSL).
noinst_LIBRARIES += libeiphttp.a
libeiphttp_a_SOURCES = common/http.c common/http.h
libeiphttp_a_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(LIBEVENT_CFLAGS)
