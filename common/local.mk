# SPDX-License-Identifier: Apache-2.0
# libeipcommon: what every process links (no libcurl, no OpenSSL, so the
# allocator stays free of them).
noinst_LIBRARIES += libeipcommon.a
libeipcommon_a_SOURCES = \
	common/log.c common/log.h \
	common/xmalloc.c common/xmalloc.h \
	common/ipaddr.c common/ipaddr.h
libeipcommon_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(ZMQ_CFLAGS) $(LIBEVENT_CFLAGS) $(SECCOMP_CFLAGS)
