# SPDX-License-Identifier: Apache-2.0
bin_PROGRAMS += eipamd
eipamd_SOURCES = supervisor/eipamd.c supervisor/supervisor.h \
	supervisor/child.c supervisor/control.c supervisor/procstat.c \
	supervisor/options.c supervisor/options.h \
	supervisor/restart.c supervisor/restart.h
eipamd_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(LIBEVENT_CFLAGS) $(ZMQ_CFLAGS)
eipamd_LDADD = $(EIP_WORKER_LIBS) $(EIP_WORKER_DEPLIBS) -lm
