# SPDX-License-Identifier: Apache-2.0
# libeipcommon: what every process links (no libcurl, no OpenSSL, so the
# allocator stays free of them).
noinst_LIBRARIES += libeipcommon.a
libeipcommon_a_SOURCES = \
	common/log.c common/log.h \
	common/xmalloc.c common/xmalloc.h \
	common/ipaddr.c common/ipaddr.h \
	common/backoff.c common/backoff.h \
	common/ratelimit.c common/ratelimit.h
libeipcommon_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(ZMQ_CFLAGS) $(LIBEVENT_CFLAGS) $(SECCOMP_CFLAGS)

# libeipcrypto: SigV4 over OpenSSL, for the cloudworker and eipam-sim only.
noinst_LIBRARIES += libeipcrypto.a
libeipcrypto_a_SOURCES = common/sigv4.c common/sigv4.h
libeipcrypto_a_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)

# libeiphttp: libcurl multi on libevent, for the watcher and the
# cloudworker only (it links libcurl and OpenSSL).
noinst_LIBRARIES += libeiphttp.a
libeiphttp_a_SOURCES = common/http.c common/http.h
libeiphttp_a_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(LIBEVENT_CFLAGS)
