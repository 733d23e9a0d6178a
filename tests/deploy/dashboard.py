#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Checks the Grafana dashboard and the alert rules use only the metrics the
# operator exports (SPEC section 6, issue 7) and that the dashboard has the
# panels issue 7 asks for; writes every panel query as a recording rule so
# that promtool.sh can have "promtool check rules" parse them.
# usage: dashboard.py DASHBOARD.json PROMETHEUSRULE.yaml OUT-rules.yaml
# (exit 1 on a problem)
import json
import re
import sys

import yaml

KNOWN = {
    "egressip_ip_capacity", "egressip_ip_allocated",
    "egressip_cidr_addresses", "egressip_cidr_allocated", "egressip_cidr_free",
    "egressip_namespaces_waiting",
    "egressip_assign_latency_seconds_bucket", "egressip_assign_latency_seconds_count",
    "egressip_assign_latency_seconds_sum",
    "eipam_kube_requests_total", "eipam_cloud_calls_total",
    "eipam_worker_restarts_total", "eipam_leader", "eipam_up",
}
# Issue 7's panels: each must exist, found by the metric it plots.
REQUIRED = {
    "pool usage per CIDR": "egressip_cidr_free",
    "node capacity": "egressip_ip_capacity",
    "node allocation": "egressip_ip_allocated",
    "assignment latency": "egressip_assign_latency_seconds_bucket",
    "API errors": "eipam_kube_requests_total",
    "cloud errors": "eipam_cloud_calls_total",
    "worker restarts": "eipam_worker_restarts_total",
}
METRIC = re.compile(r"\b((?:egressip|eipam)_[a-z0-9_]+)\b")

dash = json.load(open(sys.argv[1]))
problems = []
exprs = []


def walk(panels):
    for p in panels:
        if p.get("type") == "row":
            walk(p.get("panels", []))
            continue
        if not p.get("title") or not p.get("description"):
            problems.append("panel %r lacks a title or description" % p.get("id"))
        for tgt in p.get("targets", []):
            exprs.append((p["title"], tgt["expr"]))


walk(dash["panels"])
ids = [p["id"] for p in dash["panels"]]
if len(ids) != len(set(ids)):
    problems.append("duplicate panel ids")
used = set()
for title, e in exprs:
    for m in METRIC.findall(e):
        used.add(m)
        if m not in KNOWN:
            problems.append("panel %r uses unknown metric %s" % (title, m))
for what, metric in REQUIRED.items():
    if metric not in used:
        problems.append("no panel for %s (%s)" % (what, metric))
rules = yaml.safe_load(open(sys.argv[2]))
for g in rules["spec"]["groups"]:
    for r in g["rules"]:
        for m in METRIC.findall(r["expr"]):
            if m not in KNOWN:
                problems.append("alert %s uses unknown metric %s" % (r["alert"], m))

out = {"groups": [{"name": "dashboard", "rules": [
    {"record": "dashboard:query:%d" % i,
     "expr": e.replace("$__rate_interval", "5m").replace("$egressipam", ".*")}
    for i, (_, e) in enumerate(exprs)]}]}
with open(sys.argv[3], "w") as f:
    yaml.safe_dump(out, f, width=100000)
print("%d queries, %d metrics" % (len(exprs), len(used)))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
