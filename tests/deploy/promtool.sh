#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The PrometheusRule's groups, extracted to a plain rules file, through
# "promtool check rules" and "promtool test rules" (fixtures/rules_test.yaml:
# input series that fire and that do not fire each alert).  The dashboard's
# queries are checked for syntax the same way, as recording rules.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${PYTHON3_SYS:=/usr/bin/python3}"
cd "$top_srcdir" || exit 1
if ! command -v promtool >/dev/null 2>&1; then
	echo "1..0 # SKIP promtool not installed (Debian package prometheus)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
check() {	# name, command...
	name=$1; shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n - $name"
	else
		fail=$((fail + 1))
		echo "not ok $n - $name"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
}
check "extract the PrometheusRule's groups" "$PYTHON3_SYS" -c '
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
assert d["kind"] == "PrometheusRule"
yaml.safe_dump({"groups": d["spec"]["groups"]}, open(sys.argv[2], "w"), sort_keys=False, width=100000)
' deploy/prometheus/rules.yaml "$tmp/rules.yaml"
cp tests/deploy/fixtures/rules_test.yaml "$tmp/"
check "promtool check rules" promtool check rules "$tmp/rules.yaml"
check "promtool test rules (each alert fires and stays quiet)" sh -c "cd '$tmp' && promtool test rules rules_test.yaml"
# Every alert has at least one test that expects it to fire.
check "every alert is tested firing" "$PYTHON3_SYS" -c '
import sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))
tests = yaml.safe_load(open(sys.argv[2]))
alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
fired = {a["alertname"] for tc in tests["tests"] for a in tc.get("alert_rule_test", []) if a.get("exp_alerts")}
quiet = {a["alertname"] for tc in tests["tests"] for a in tc.get("alert_rule_test", []) if not a.get("exp_alerts")}
missing = (alerts - fired) | (alerts - quiet)
assert len(alerts) == 7 and not missing, "untested: %s" % sorted(missing)
' "$tmp/rules.yaml" "$tmp/rules_test.yaml"
# Upstream's two alerts, unchanged (upstream-behaviour.md section 8.2).
check "upstream's alerts unchanged (group, expr, for, severity, annotations)" "$PYTHON3_SYS" -c '
import sys, yaml
g = yaml.safe_load(open(sys.argv[1]))["groups"][0]
assert g["name"] == "egress-cpu-utilization", g["name"]
def up(pct, dur, sev, name):
    return {"alert": name,
            "annotations": {"message": "Node {{ $labels.node }} has been utilizing more than %d%% of its egressip capacity for the last %d minutes" % (pct, dur),
                            "summary": "Node {{ $labels.node }} is utilizing more than %d%% of its egressip capacity" % pct},
            "expr": "egressip_ip_allocated/egressip_ip_capacity > %s" % ("0.8" if pct == 80 else "0.95"),
            "for": "%dm" % dur, "labels": {"severity": sev}}
want = [up(80, 10, "warning", "HighEgressIPUtilization"), up(95, 5, "critical", "ExtremelyHighEgressIPUtilization")]
assert g["rules"] == want, g["rules"]
' "$tmp/rules.yaml"
# A broken expectation must fail, or the test run above proves nothing.
sed 's/node: n1}/node: n2}/' "$tmp/rules_test.yaml" > "$tmp/broken_test.yaml"
n=$((n + 1))
if (cd "$tmp" && promtool test rules broken_test.yaml) >/dev/null 2>&1; then
	fail=$((fail + 1)); echo "not ok $n - a wrong expectation fails promtool test rules"
else
	echo "ok $n - a wrong expectation fails promtool test rules"
fi
dash=deploy/monitoring/egressip-ipam-operator.json
if [ -f "$dash" ]; then
	check "dashboard queries as recording rules" "$PYTHON3_SYS" tests/deploy/dashboard.py \
	    "$dash" deploy/prometheus/rules.yaml "$tmp/dashboard_rules.yaml"
	check "promtool check rules on the dashboard's queries" promtool check rules "$tmp/dashboard_rules.yaml"
fi
echo "1..$n"
[ "$fail" -eq 0 ]
