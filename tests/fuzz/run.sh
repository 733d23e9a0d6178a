#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer target of a fuzzing build for SECONDS each and
# prints TAP.  Usage: tests/fuzz/run.sh BUILD_DIR [SECONDS]
# (BUILD_DIR configured with CC=clang --enable-fuzzing and built.)
set -u
build=$1
secs=${2:-30}
n=0
fail=0
for f in "$build"/tests/fuzz/fuzz_*; do
	case "$f" in *.o|*.c|*.log) continue ;; esac
	[ -x "$f" ] || continue
	n=$((n + 1))
	name=$(basename "$f")
	corpus="$build/fuzz-corpus/$name"
	mkdir -p "$corpus"
	if "$f" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
	    -print_final_stats=1 "$corpus" >"$build/$name.fuzz.log" 2>&1; then
		runs=$(grep -m1 'stat::number_of_executed_units' \
		    "$build/$name.fuzz.log" | awk '{print $2}')
		echo "ok $n - $name: ${runs:-?} runs in ${secs} s, no crash"
	else
		fail=$((fail + 1))
		echo "not ok $n - $name"
		tail -n 30 "$build/$name.fuzz.log" | sed 's/^/# /'
	fi
done
echo "1..$n"
[ "$fail" -eq 0 ]
