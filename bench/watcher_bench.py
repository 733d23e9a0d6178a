#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Watcher benchmark against eipam-sim, printing one JSON object:
#  - the initial LIST of 10,000 namespaces (pages of 500): seconds, objects/s
#  - the watcher's resident memory once synced with them
#  - watch events per second delivered to the allocator's side: the
#    watcher is stopped (SIGSTOP) while 5,000 changes pile up in its watch
#    stream, then continued; the time to deliver them all is measured.
# Usage: bench/watcher_bench.py [--namespaces N] [--changes N]
# (top_builddir/top_srcdir from the environment, default: the cwd).
import argparse
import json
import os
import signal
import sys
import time


sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", "."), "tests",
                                "watcher"))
from wtest import Driver, cleanup, tmpdir, wait  # noqa: E402
from simapi import Sim  # noqa: E402


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--namespaces", type=int, default=10000)
    ap.add_argument("--changes", type=int, default=5000)
    a = ap.parse_args()
    tmp = tmpdir()
    sim = Sim(tmp, history=a.changes * 2 + 1000)
    d = None
    try:
        NSP = "/api/v1/namespaces"
        sim.parallel([[("POST", NSP, {"apiVersion": "v1", "kind": "Namespace",
                                      "metadata": {"name": "b-%05d" % i}},
                        "application/json")] for i in range(a.namespaces)])
        t0 = time.time()
        d = Driver(sim.kubeconfig, "--kinds", "Namespace", "--qps", "50",
                   "--burst", "100")
        if not wait(lambda: d.of("SYNCED"), 300):
            raise SystemExit("not synced")
        list_s = time.time() - t0
        listed = len(d.of("OBJ_NAMESPACE"))
        time.sleep(1)
        rss = rss_kib(d.p.pid)
        names = ["b-%05d" % i for i in range(a.changes)]
        os.kill(d.p.pid, signal.SIGSTOP)
        sim.parallel([[("PATCH", NSP + "/" + n, {"metadata": {"annotations": {
            "bench": "1"}}}, "application/merge-patch+json")] for n in names],
            n=25)
        st, o = sim.kube.call("GET", NSP + "/" + names[-1])
        n0 = len(d.lines)
        t1 = time.time()
        os.kill(d.p.pid, signal.SIGCONT)
        wait(lambda: len(d.lines) - n0 >= a.changes, 300, step=0.01)
        ev_s = time.time() - t1
        got = len(d.lines) - n0
        d.send("STATS")
        wait(lambda: [l for l in d.lines if l.get("t") == "STATS"], 10)
        out = {
            "benchmark": "watcher",
            "namespaces": listed,
            "list_seconds": round(list_s, 3),
            "list_objects_per_s": round(listed / list_s, 1),
            "rss_kib_synced": rss,
            "watch_events": got,
            "watch_seconds": round(ev_s, 3),
            "events_per_s": round(got / ev_s, 1) if ev_s > 0 else None,
            "kube_requests": [l for l in d.lines if l.get("t") ==
                              "STATS"][-1]["requests"],
        }
        print(json.dumps(out))
    finally:
        if d is not None and d.p.poll() is None:
            os.kill(d.p.pid, signal.SIGCONT)
            d.stop()
        sim.stop()
        cleanup(tmp)


main()
