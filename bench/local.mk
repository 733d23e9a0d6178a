# SPDX-License-Identifier: Apache-2.0
# The watcher's benchmark (needs eipam-sim; prints JSON): make bench-watcher
EXTRA_DIST += bench/watcher_bench.py
bench-watcher: all tests/watcher/wdriver
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(PYTHON3_SYS) $(top_srcdir)/bench/watcher_bench.py
.PHONY: bench-watcher
