#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The demo, run by `./quickstart demo`.  Until the simulator-driven demo of
# issue 9 lands, it starts the supervisor with every worker from the build
# tree and shows what `eipamctl status` reports, then stops cleanly on
# Ctrl-C or after --duration seconds.
set -eu
cd "$(dirname "$0")/.."
duration=0
while [ $# -gt 0 ]; do
	case "$1" in
	--duration) duration=$2; shift 2 ;;
	--duration=*) duration=${1#*=}; shift ;;
	*) echo "demo: unknown option $1" >&2; exit 2 ;;
	esac
done
run=$(mktemp -d /tmp/eipam-demo.XXXXXX)
./eipamd --run-dir="$run/run" --libexec-dir=. \
    --metrics-bind-address=127.0.0.1:0 \
    --health-probe-bind-address=127.0.0.1:0 >"$run/eipamd.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$run"; exit 0' INT TERM EXIT
i=0
until ./eipamctl --run-dir "$run/run" status >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 100 ] && { cat "$run/eipamd.log"; exit 1; }
	sleep 0.1
done
sleep 1
./eipamctl --run-dir "$run/run" status
echo
echo "metrics: http://127.0.0.1:$(cat "$run/run/metrics.port")/metrics"
echo "probes:  http://127.0.0.1:$(cat "$run/run/health.port")/readyz"
echo "log:     $run/eipamd.log   (Ctrl-C stops)"
start=$(date +%s)
while kill -0 $pid 2>/dev/null; do
	if [ "$duration" -gt 0 ] && [ $(( $(date +%s) - start )) -ge "$duration" ]; then
		break
	fi
	sleep 1
done
