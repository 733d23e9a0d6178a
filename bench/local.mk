# SPDX-License-Identifier: Apache-2.0
# The watcher's benchmark (needs eipam-sim; prints JSON): make bench-watcher
EXTRA_DIST += bench/watcher_bench.py
bench-watcher: all tests/watcher/wdriver
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(PYTHON3_SYS) $(top_srcdir)/bench/watcher_bench.py
.PHONY: bench-watcher

# The operator's benchmarks (bench/op_bench.py; needs eipam-sim and eipamd;
# prints JSON): make bench.  Never part of make check.
noinst_PROGRAMS += bench/sim_writes
bench_sim_writes_SOURCES = bench/sim_writes.c
bench_sim_writes_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
bench_sim_writes_LDADD = $(CURL_LIBS) $(JANSSON_LIBS)
EXTRA_DIST += bench/op_bench.py bench/opbench_watch.py
bench: all bench/sim_writes
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(PYTHON3_SYS) $(top_srcdir)/bench/op_bench.py $(BENCH_ARGS)
.PHONY: bench
