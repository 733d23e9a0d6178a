# SPDX-License-Identifier: Apache-2.0
bin_PROGRAMS += eipamd
eipamd_SOURCES = supervisor/eipamd.c
eipamd_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(LIBEVENT_CFLAGS)
eipamd_LDADD = libeipproto.a libeipcommon.a $(JANSSON_LIBS) $(LIBEVENT_LIBS)
