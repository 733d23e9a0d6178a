# SPDX-License-Identifier: Apache-2.0
libexec_PROGRAMS += eipam-metricsd
eipam_metricsd_SOURCES = metricsd/eipam-metricsd.c metricsd/metrics.c metricsd/metrics.h
eipam_metricsd_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(ZMQ_CFLAGS) $(LIBEVENT_CFLAGS)
eipam_metricsd_LDADD = $(EIP_WORKER_LIBS) $(EIP_WORKER_DEPLIBS)
