#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The operator's benchmarks (issue 9), against eipam-sim, printing one
JSON object on stdout (progress on stderr):

  ceiling   (e) the simulator's raw write ceiling: the cold start's writes
            (namespace annotation and NetNamespace merge PATCHes, then the
            HostSubnets) made directly by bench/sim_writes on 1, 4, 16
            keep-alive connections; the best is the ceiling
  cold      (d) PSS of eipamd and its workers, idle; then (a) cold start:
            N opted-in namespaces, the nodes and the EgressIPAM exist
            before eipamd starts; time until every namespace holds its 3
            IPs and they are on HostSubnets, the API calls it made (the
            simulator's statistics), as a fraction of (e); then (d) PSS at
            N namespaces once the writes have settled
  steady    (b) namespaces created at RATE per second for SECONDS on top
            of the cold start's cluster; create -> annotation latency
  failover  (c) a node NotReady -> its IPs on other HostSubnets (bare
            metal, on the cold start's cluster)
  aws       (c) the same on the aws scenario, also through the ENIs

Every time is taken on the simulator's side: a watch stream read in its
own process (bench/opbench_watch.py) stamps each event as it arrives, and
the steady-state latency is the time between a namespace's ADDED event
and the first event that carries its egressips annotation; the change
record (/sim/v1/changes) confirms, for a sample, that these are the
namespace's first two writes in the store.

Usage: op_bench.py [--namespaces N] [--nodes N] [--rate R] [--seconds S]
                   [--trials T] [--qps Q] [PART...]   (default: every part)
Run from the build tree (top_builddir/top_srcdir in the environment).
"""
import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time

BUILD = os.environ.get("top_builddir", os.getcwd())
SRC = os.environ.get("top_srcdir", BUILD)
sys.path.insert(0, os.path.join(SRC, "tests", "e2e"))
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
sys.path.insert(0, os.path.join(SRC, "bench"))
from simclient import Sim  # noqa: E402
from eiptest import Eipamd, wait_for  # noqa: E402
from opbench_watch import Observer  # noqa: E402
from env import ANN_IPAM, ANN_IPS, ipam_3zone  # noqa: E402

NSP = "/api/v1/namespaces"
HSP = "/apis/network.openshift.io/v1/hostsubnets"
NODEP = "/api/v1/nodes"
IPAM = ipam_3zone("bench")


# Everything started, so that a failure anywhere still stops it all.
_cleanup = []


def log(*a):
    print("op_bench:", *a, file=sys.stderr, flush=True)


def pct(v, p):
    v = sorted(v)
    if not v:
        return None
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def ms(x):
    return round(x * 1000, 1) if x is not None else None


# --- the observer's analyses (run in the observer's process) -------------

def ann_ips(obj):
    v = ((obj.get("metadata") or {}).get("annotations") or {}).get(ANN_IPS)
    return v.split(",") if v else []


def cold_fn(events, n, prefix, limit_s):
    """Until n namespaces of prefix hold 3 IPs each and every one of those
    IPs is on a HostSubnet."""
    end = time.monotonic() + limit_s
    ann, hs, where, missing = {}, {}, {}, set()
    t_first = t_annotated = None
    count = 0
    for t, path, typ, obj in events:
        if t > end:
            return {"done": False, "annotated": len(ann),
                    "missing_on_hostsubnets": len(missing)}
        if path is None:
            continue
        count += 1
        name = obj["metadata"]["name"]
        if path == NSP:
            if not name.startswith(prefix):
                continue
            ips = ann_ips(obj) if typ != "DELETED" else []
            old = ann.pop(name, [])
            for ip in old:
                missing.discard(ip)
            if len(ips) == 3:
                ann[name] = ips
                t_first = t_first or t
                missing.update(ip for ip in ips if not where.get(ip))
        else:
            new = set(obj.get("egressIPs") or []) if typ != "DELETED" \
                else set()
            old = hs.get(name, set())
            for ip in new - old:
                where[ip] = where.get(ip, 0) + 1
                missing.discard(ip)
            for ip in old - new:
                where[ip] -= 1
            needed = None
            for ip in old - new:
                if not where[ip]:
                    if needed is None:
                        needed = {i for v in ann.values() for i in v}
                    if ip in needed:
                        missing.add(ip)
            hs[name] = new
        if len(ann) == n and t_annotated is None:
            t_annotated = t
        if len(ann) == n and not missing:
            return {"done": True, "t_first_annotation": t_first,
                    "t_all_annotated": t_annotated, "t_converged": t,
                    "events": count}


def steady_fn(events, prefix, n, limit_s):
    """Per namespace of prefix: ADDED and first annotated event."""
    end = time.monotonic() + limit_s
    added, done = {}, {}
    for t, path, typ, obj in events:
        if t > end or len(done) >= n:
            break
        if path is None:
            continue
        md = obj["metadata"]
        name = md["name"]
        if not name.startswith(prefix):
            continue
        if typ == "ADDED" and name not in added:
            added[name] = (t, md["resourceVersion"])
        if name in added and name not in done and len(ann_ips(obj)) == 3:
            done[name] = (t, md["resourceVersion"])
    return {"added": added, "annotated": done}


def failover_fn(events, node, ips, limit_s):
    """From node's Ready=False event until none of ips is on its
    HostSubnet and each is on another node's."""
    end = time.monotonic() + limit_s
    hs = {}
    t_event = t_cleared = t_moved = None
    ips = set(ips)
    for t, path, typ, obj in events:
        if t > end:
            break
        if path is None:
            continue
        name = obj["metadata"]["name"]
        if path == NODEP:
            if name == node and t_event is None:
                for c in obj.get("status", {}).get("conditions", []):
                    if c.get("type") == "Ready" and c.get("status") != \
                            "True":
                        t_event = t
            continue
        hs[name] = set(obj.get("egressIPs") or [])
        if t_event is None:
            continue
        if t_cleared is None and not (hs.get(node, ips) & ips):
            t_cleared = t
        elsewhere = set().union(*[v for k, v in hs.items() if k != node])
        if t_moved is None and ips <= elsewhere:
            t_moved = t
        if t_cleared is not None and t_moved is not None:
            break
    return {"t_event": t_event, "t_cleared": t_cleared, "t_moved": t_moved}


# --- helpers in the benchmark's process ----------------------------------

def sim_writes(sim, *args):
    r = subprocess.run([os.path.join(BUILD, "bench", "sim_writes"),
                        "--state-dir", sim.state] + [str(a) for a in args],
                       capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError("sim_writes %s: %s" % (args, r.stderr[-2000:]))
    return json.loads(r.stdout)


def list_rv(sim, path):
    return sim.get(path + "?limit=1")["metadata"]["resourceVersion"]


def counts(sim):
    return sim.control("GET", "status")[1].get("objects", {})


def stats(sim):
    return sim.control("GET", "stats")[1]


def operator_pids(op):
    r = subprocess.run(["pgrep", "-P", str(op.proc.pid)],
                       capture_output=True, text=True)
    return [op.proc.pid] + [int(p) for p in r.stdout.split()]


def comm(pid):
    with open("/proc/%d/comm" % pid) as f:
        return f.read().strip()


def pss(op):
    """Pss (kB) of eipamd and every worker, from smaps_rollup."""
    out, total = {}, 0
    for pid in operator_pids(op):
        d = {}
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                p = line.split()
                if len(p) >= 3 and p[2] == "kB":
                    d[p[0].rstrip(":")] = int(p[1])
        out[comm(pid)] = {"pss_kib": d["Pss"], "pss_anon_kib":
                          d.get("Pss_Anon"), "rss_kib": d["Rss"]}
        total += d["Pss"]
    return {"total_pss_kib": total, "total_pss_mib": round(total / 1024, 2),
            "processes": out}


def cpu_s(op):
    out = {}
    for pid in operator_pids(op):
        with open("/proc/%d/stat" % pid) as f:
            s = f.read().rsplit(")", 1)[1].split()
        out[comm(pid)] = (int(s[11]) + int(s[12])) / os.sysconf(
            "SC_CLK_TCK")
    return out


def settle(sim, quiet_s=2.0, limit_s=300):
    """Waits until the simulator has seen no request for quiet_s."""
    end = time.monotonic() + limit_s
    last, since = None, time.monotonic()
    while time.monotonic() < end:
        n = stats(sim).get("total", 0)
        if n != last:
            last, since = n, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return True
        time.sleep(0.25)
    return False


def start_op(sim, qps, extra=()):
    # OPBENCH_EIPAMD_FLAGS: more flags, e.g. to run a worker under
    # valgrind (--libexec-dir of wrappers, --sandbox=off, --hang-timeout).
    more = os.environ.get("OPBENCH_EIPAMD_FLAGS", "").split()
    op = Eipamd(*(sim.flags() + ["--kube-qps=%d" % qps,
                                 "--kube-burst=%d" % max(qps, 100)] +
                  list(extra) + more))
    _cleanup.append(op)
    return op


def new_sim(scenario, nodes):
    sim = Sim(scenario, nodes=nodes, extra=["--log-level", "warn"])
    _cleanup.append(sim)
    return sim


def ipam_ready(sim, name):
    code, b = sim.request(
        "GET", "/apis/redhatcop.redhat.io/v1alpha1/egressipams/" + name)
    for c in ((b or {}).get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready" and c.get("status") == "True":
            return True
    return False


# --- the parts -------------------------------------------------------------

def part_ceiling(a):
    res = {}
    for conns in (1, 4, 16):
        sim = new_sim("baremetal-3zone", a.nodes)
        try:
            sim_writes(sim, "--conns", 8, "create", "bench-", a.namespaces,
                       "none")
            r = sim_writes(sim, "--conns", conns, "ceiling", "bench-",
                           a.namespaces)
            log("ceiling, %d connections: %s" % (conns, r))
            res[str(conns)] = r
        finally:
            sim.cleanup()
    best = max(res.values(), key=lambda r: r["requests_per_s"])
    sim = new_sim("baremetal-3zone", a.nodes)
    try:
        sim_writes(sim, "--conns", 8, "create", "bench-", a.namespaces, "none")
        ev = sim_writes(sim, "--conns", best["conns"], "--events", "ceiling",
                        "bench-", a.namespaces)
        log("ceiling with Events: %s" % ev)
    finally:
        sim.cleanup()
    return {"by_connections": res, "best": best, "with_events": ev}


def part_cold(a, out):
    sim = new_sim("baremetal-3zone", a.nodes)
    code, _ = sim.request("POST", "/apis/redhatcop.redhat.io/v1alpha1/"
                          "egressipams", IPAM)
    if code != 201:
        raise RuntimeError("EgressIPAM: %s" % code)
    # (d) idle: the operator up, synced, leading, with nothing to assign.
    op = start_op(sim, a.qps)
    if not wait_for(lambda: op.all_ready() and ipam_ready(sim, "bench"), 60):
        raise RuntimeError("operator not ready: " + op.logtext()[-3000:])
    settle(sim, 3.0)
    out["memory_idle"] = pss(op)
    log("idle: %s" % out["memory_idle"])
    op.stop()
    op.cleanup()

    # (a) cold start.
    r = sim_writes(sim, "--conns", 8, "create", "bench-", a.namespaces,
                   "bench")
    log("created: %s" % r)
    base = counts(sim).get("netnamespaces.network.openshift.io")
    rv = list_rv(sim, NSP)
    sim.control("DELETE", "stats")
    obs = Observer(sim, [NSP, HSP], rv, cold_fn,
                   (a.namespaces, "bench-", 600))
    obs.ready()
    t0 = time.monotonic()
    op = start_op(sim, a.qps)
    res = obs.result(660)
    t_res = time.monotonic()
    st_conv = stats(sim)
    cpu_conv = cpu_s(op)
    if not res.get("done"):
        raise RuntimeError("cold start did not converge: %s; %s" % (
            res, op.logtext()[-3000:]))
    settle(sim, 3.0)
    st_all = stats(sim)
    t_settled = time.monotonic()
    out["memory_at_n"] = pss(op)
    log("at %d namespaces: %s" % (a.namespaces, out["memory_at_n"]))
    conv = res["t_converged"] - t0
    w_conv = st_conv["by_method"].get("PATCH", 0) + \
        st_conv["by_method"].get("POST", 0) + \
        st_conv["by_method"].get("PUT", 0) + \
        st_conv["by_method"].get("DELETE", 0)
    out["cold_start"] = {
        "namespaces": a.namespaces, "nodes": a.nodes, "cidrs": 3,
        "netnamespaces_before": base,
        "seconds_to_first_annotation": round(res["t_first_annotation"] - t0,
                                             3),
        "seconds_all_annotated": round(res["t_all_annotated"] - t0, 3),
        "seconds_converged": round(conv, 3),
        "observer_lag_s": round(t_res - res["t_converged"], 3),
        "api_calls_at_convergence": st_conv.get("total"),
        "writes_at_convergence": w_conv,
        "writes_by_kind_at_convergence": st_conv.get("writes_by_kind"),
        "api_calls_settled": st_all.get("total"),
        "writes_by_kind_settled": st_all.get("writes_by_kind"),
        "by_verb_resource_code_settled": st_all.get(
            "by_verb_resource_code"),
        "seconds_settled": round(t_settled - t0, 3),
        "cpu_seconds_at_convergence": cpu_conv,
        "write_rate_per_s": round(w_conv / conv, 1),
    }
    log("cold start: %s" % out["cold_start"])
    return sim, op


def post_paced(sim, names, rate, ipam, errors):
    host, port = sim.base.split("//")[1].split(":")
    c = http.client.HTTPSConnection(host, int(port), context=sim.ctx,
                                    timeout=30)
    c.connect()
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t0 = time.monotonic()
    for i, n in enumerate(names):
        due = t0 + i / float(rate)
        d = due - time.monotonic()
        if d > 0:
            time.sleep(d)       # the load's schedule, not a wait
        body = json.dumps({"apiVersion": "v1", "kind": "Namespace",
                           "metadata": {"name": n, "annotations": {
                               ANN_IPAM: ipam}}})
        c.request("POST", NSP, body, {"Authorization": "Bearer " + sim.token,
                                      "Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        if r.status != 201:
            errors.append((n, r.status))
    return time.monotonic() - t0


def part_steady(a, sim, op, out):
    n = int(a.rate * a.seconds)
    names = ["steady-%05d" % i for i in range(n)]
    rv = list_rv(sim, NSP)
    sim.control("DELETE", "stats")
    obs = Observer(sim, [NSP], rv, steady_fn, ("steady-", n,
                                               a.seconds + 120))
    obs.ready()
    errors = []
    took = post_paced(sim, names, a.rate, "bench", errors)
    res = obs.result(a.seconds + 180)
    lat = [res["annotated"][k][0] - res["added"][k][0]
           for k in res["annotated"] if k in res["added"]]
    # The change record: ADDED and the annotation are the store's first
    # two writes of the namespace, at the resourceVersions the watch saw.
    checked = bad = 0
    for k in sorted(res["annotated"])[::max(1, n // 50)]:
        code, ch = sim.control("GET", "changes?resource=namespaces&name=" +
                               k)
        lst = (ch or {}).get("changes") or []
        want = [[res["added"][k][1], "ADDED"],
                [res["annotated"][k][1], "MODIFIED"]]
        checked += 1
        if [[str(x[0]), x[1]] for x in lst[:2]] != want:
            bad += 1
    st = stats(sim)
    out["steady"] = {
        "rate_per_s": a.rate, "seconds": a.seconds, "created": n,
        "create_seconds": round(took, 3), "create_errors": errors[:5],
        "annotated": len(lat), "on_top_of": a.namespaces,
        "latency_ms": {"p50": ms(pct(lat, 50)), "p90": ms(pct(lat, 90)),
                       "p99": ms(pct(lat, 99)), "max": ms(max(lat)) if lat
                       else None, "mean": ms(sum(lat) / len(lat)) if lat
                       else None},
        "change_record_checked": checked, "change_record_mismatch": bad,
        "writes_by_kind": st.get("writes_by_kind"),
    }
    log("steady: %s" % out["steady"])


def hs_of(sim, node):
    return set(sim.get(HSP + "/" + node).get("egressIPs") or [])


def failover_trial(sim, node, limit=30):
    ips = hs_of(sim, node)
    rv = list_rv(sim, NODEP)
    obs = Observer(sim, [NODEP, HSP], rv, failover_fn, (node, ips, limit))
    obs.ready()
    t_sent = time.monotonic()
    code, _ = sim.control("POST", "nodes/%s/ready" % node,
                          {"status": "False"})
    return obs, ips, t_sent, code


def part_failover(a, sim, out):
    nodes = [n["metadata"]["name"] for n in sim.items(NODEP)
             if "node-role.kubernetes.io/worker" in n["metadata"]["labels"]]
    trials = []
    for node in nodes[:a.trials]:
        obs, ips, t_sent, code = failover_trial(sim, node)
        r = obs.result(60)
        sim.control("POST", "nodes/%s/ready" % node, {"status": "True"})
        if r["t_event"] is None or r["t_moved"] is None:
            trials.append({"node": node, "ips": len(ips), "error": r})
            continue
        trials.append({"node": node, "ips": len(ips),
                       "hostsubnets_ms": ms(max(r["t_cleared"],
                                                r["t_moved"]) -
                                            r["t_event"]),
                       "moved_ms": ms(r["t_moved"] - r["t_event"]),
                       "cleared_ms": ms(r["t_cleared"] - r["t_event"])})
        log("failover %s" % trials[-1])
        settle(sim, 1.0, 30)
    ok = [t["hostsubnets_ms"] for t in trials if "hostsubnets_ms" in t]
    out["failover_baremetal"] = {"trials": trials,
                                 "max_ms": max(ok) if ok else None,
                                 "median_ms": pct(ok, 50)}


def cloud_ips(sim):
    d = sim.control("GET", "cloud")[1]
    return {i["node"]: set(i["eni"]["ips"]) for i in d["instances"]}


def part_aws(a, out):
    sim = new_sim("aws", 6)
    op = None
    try:
        r = sim.kubectl("apply", "--validate=false", "-f",
                        os.path.join(sim.state, "egressipam.yaml"))
        if r.returncode != 0:
            raise RuntimeError(r.stderr)
        op = start_op(sim, a.qps)
        sim_writes(sim, "--conns", 2, "create", "aws-", 8, "egressipam-aws")

        def placed():
            nss = [n for n in sim.items(NSP)
                   if n["metadata"]["name"].startswith("aws-")]
            want = {ip for n in nss for ip in ann_ips(n)}
            return len(want) == 24 and want <= set().union(
                *cloud_ips(sim).values())
        if not wait_for(placed, 90, step=0.2):
            raise RuntimeError("aws: not converged: " + op.logtext()[-3000:])
        settle(sim, 2.0)
        workers = sorted(n for n in cloud_ips(sim) if "-worker-" in n and
                         "eu-central-1a" in n)
        trials = []
        for i in range(a.trials):
            node = max(workers, key=lambda n: len(hs_of(sim, n)))
            obs, ips, t_sent, code = failover_trial(sim, node)
            t_eni = None
            end = time.monotonic() + 30
            while time.monotonic() < end:
                c = cloud_ips(sim)
                t = time.monotonic()
                others = set().union(*[v for k, v in c.items() if k != node])
                if not (c[node] & ips) and ips <= others:
                    t_eni = t
                    break
                time.sleep(0.01)    # polling the cloud's state, bounded
            r = obs.result(60)
            sim.control("POST", "nodes/%s/ready" % node, {"status": "True"})
            tr = {"node": node, "ips": len(ips)}
            if r["t_event"] is None or r["t_moved"] is None or t_eni is None:
                tr["error"] = [r, t_eni]
            else:
                tr.update({
                    "hostsubnets_ms": ms(max(r["t_cleared"], r["t_moved"]) -
                                         r["t_event"]),
                    "enis_ms": ms(t_eni - r["t_event"]),
                    "enis_poll_resolution_ms": 10})
            trials.append(tr)
            log("aws failover %s" % tr)
            settle(sim, 2.0, 30)
        ok = [t["enis_ms"] for t in trials if "enis_ms" in t]
        hs = [t["hostsubnets_ms"] for t in trials if "hostsubnets_ms" in t]
        cs = sim.control("GET", "cloud/stats")[1]
        out["failover_aws"] = {"trials": trials, "enis_max_ms": max(ok)
                               if ok else None, "hostsubnets_max_ms":
                               max(hs) if hs else None, "cloud_calls": cs}
    finally:
        if op is not None:
            op.cleanup()
        sim.cleanup()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--namespaces", type=int, default=10000)
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--qps", type=int, default=0,
                    help="eipamd --kube-qps (0: no client-side limit)")
    ap.add_argument("parts", nargs="*")
    a = ap.parse_args()
    parts = a.parts or ["ceiling", "cold", "steady", "failover", "aws"]
    out = {"benchmark": "operator", "cpus": os.cpu_count(),
           "date": time.strftime("%Y-%m-%d"), "config": vars(a)}
    if "ceiling" in parts:
        out["ceiling"] = part_ceiling(a)
    sim = op = None
    try:
        if {"cold", "steady", "failover"} & set(parts):
            sim, op = part_cold(a, out)
            if "ceiling" in out:
                best = out["ceiling"]["best"]
                c = out["cold_start"]
                c["ceiling_seconds_same_writes"] = best["seconds"]
                c["fraction_of_ceiling"] = round(
                    best["seconds"] / c["seconds_converged"], 3)
                c["write_rate_fraction_of_ceiling"] = round(
                    c["write_rate_per_s"] / best["requests_per_s"], 3)
        if "steady" in parts:
            part_steady(a, sim, op, out)
        if "failover" in parts:
            part_failover(a, sim, out)
    finally:
        if op is not None:
            op.cleanup()
        if sim is not None:
            sim.cleanup()
    try:
        if "aws" in parts:
            part_aws(a, out)
    finally:
        for x in reversed(_cleanup):
            x.cleanup()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
