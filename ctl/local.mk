# SPDX-License-Identifier: Apache-2.0
bin_PROGRAMS += eipamctl
eipamctl_SOURCES = ctl/eipamctl.c watcher/kyaml.c watcher/kyaml.h
eipamctl_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/watcher $(JANSSON_CFLAGS) $(ZMQ_CFLAGS)
eipamctl_LDADD = $(EIP_WORKER_LIBS) $(EIP_WORKER_DEPLIBS)
