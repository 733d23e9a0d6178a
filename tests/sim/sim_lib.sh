# SPDX-License-Identifier: Apache-2.0
# Shared by the eipam-sim shell tests: start a simulator in a temporary
# state directory, wait for its ready line (bounded), stop it by pid.
SIM_BIN=${top_builddir:-.}/eipam-sim

sim_start() {
	SIM_DIR=$(mktemp -d)
	"$SIM_BIN" --state-dir "$SIM_DIR/state" --port 0 "$@" \
	    >"$SIM_DIR/out" 2>"$SIM_DIR/err" &
	SIM_PID=$!
	i=0
	while ! grep -q '^eipam-sim ready on ' "$SIM_DIR/out" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$SIM_PID" 2>/dev/null; then
			echo "Bail out! eipam-sim did not start"
			cat "$SIM_DIR/err"
			exit 1
		fi
		sleep 0.1
	done
	SIM_URL=$(sed -n 's/^eipam-sim ready on //p' "$SIM_DIR/out")
	STATE=$SIM_DIR/state
	export KUBECONFIG=$STATE/kubeconfig
	HOME=$(mktemp -d -p "$SIM_DIR")
	export HOME
}

sim_stop() {
	if [ -n "${SIM_PID:-}" ]; then
		kill -TERM "$SIM_PID" 2>/dev/null
		wait "$SIM_PID"
		SIM_RC=$?
		SIM_PID=
	fi
}

sim_cleanup() {
	sim_stop
	rm -rf "$SIM_DIR"
}

T=0
FAILED=0
ok() {
	T=$((T + 1))
	if [ "$1" = 0 ]; then
		echo "ok $T - $2"
	else
		echo "not ok $T - $2"
		FAILED=1
	fi
}

# Polls a command until it succeeds, for at most $1 tenths of a second.
wait_for() {
	n=$1
	shift
	while [ "$n" -gt 0 ]; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		n=$((n - 1))
		sleep 0.1
	done
	return 1
}
