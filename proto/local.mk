# SPDX-License-Identifier: Apache-2.0
noinst_LIBRARIES += libeipproto.a
libeipproto_a_SOURCES = proto/eip_proto.h proto/proto.c proto/schema.c
libeipproto_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
EXTRA_DIST += proto/SCHEMA.md
