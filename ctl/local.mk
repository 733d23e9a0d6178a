# SPDX-License-Identifier: Apache-2.0
bin_PROGRAMS += eipamctl
eipamctl_SOURCES = ctl/eipamctl.c
eipamctl_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(ZMQ_CFLAGS)
eipamctl_LDADD = $(EIP_WORKER_LIBS) $(EIP_WORKER_DEPLIBS)
