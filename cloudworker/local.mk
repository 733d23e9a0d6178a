# SPDX-License-Identifier: Apache-2.0
libexec_PROGRAMS += eipam-cloudworker
eipam_cloudworker_SOURCES = cloudworker/eipam-cloudworker.c
eipam_cloudworker_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(ZMQ_CFLAGS) $(LIBEVENT_CFLAGS)
eipam_cloudworker_LDADD = $(EIP_WORKER_LIBS) $(EIP_WORKER_DEPLIBS)
