#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# The watcher's informers against the fake API server: paged lists,
# SYNCED, unserved kinds, watch streams closed every 0.3 s while 2,000
# changes happen (each change seen exactly once, in order, per object),
# a forced 410 with changes and deletions while re-listing, RESYNC.
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wtest import Driver, Fake, Tap, cleanup, ns, tmpdir, wait  # noqa: E402

t = Tap(12)
tmp = tmpdir()
fake = Fake(tmp)
try:
    NSC = "/api/v1/namespaces"
    fake.ctl("apply", [{"coll": NSC, "obj": ns("ns-%04d" % i)}
                       for i in range(1200)])
    fake.ctl("apply", [{"coll": "/apis/config.openshift.io/v1/infrastructures",
                        "obj": {"metadata": {"name": "cluster"},
                                "status": {"platform": "BareMetal"}}},
                       {"coll": "/apis/config.openshift.io/v1/infrastructures",
                        "obj": {"metadata": {"name": "not-cluster"}}}])
    fake.ctl("config", {"unserved": ["network.openshift.io"]})
    kc = fake.kubeconfig(token="rw-token")
    d = Driver(kc, "--page-size", "500", "--watch-min", "2", "--watch-max",
               "3")
    synced = lambda k: d.of("SYNCED", lambda b: b["kind"] == k)
    t.ok(wait(lambda: synced("Namespace"), 30), "Namespace synced")
    nsobjs = d.of("OBJ_NAMESPACE")
    t.ok(len(nsobjs) == 1200 and len({o["b"]["name"] for o in nsobjs}) == 1200,
         "1,200 namespaces listed in pages of 500 (got %d)" % len(nsobjs))
    t.ok(wait(lambda: len(d.of("KIND_UNSERVED")) == 2, 20) and
         {u["b"]["kind"] for u in d.of("KIND_UNSERVED")} ==
         {"HostSubnet", "NetNamespace"},
         "HostSubnet and NetNamespace reported unserved")
    t.ok(wait(lambda: all(synced(k) for k in
                          ("Node", "EgressIPAM", "EgressIP", "Infrastructure",
                           "Network")), 20), "every served kind synced")
    inf = d.of("OBJ_INFRASTRUCTURE")
    t.ok(len(inf) == 1 and inf[0]["b"]["platform"] == "BareMetal",
         "only Infrastructure 'cluster' is sent")

    # 2,000 changes to 50 namespaces while every watch is cut at 0.3 s.
    fake.ctl("config", {"close_every": 0.3})
    names = ["ns-%04d" % i for i in range(50)]
    for batch in range(40):
        fake.ctl("apply", [{"coll": NSC, "merge": True, "obj": ns(n, {
            "egressip-ipam-operator.redhat-cop.io/egressips":
            "10.0.%d.%d" % (batch, i)})} for i, n in enumerate(names)])
    rec = [r for r in fake.ctl("record") if r["coll"] == NSC and
           r["name"] in names and r["type"] == "MODIFIED"]
    want = collections.defaultdict(list)
    for r in rec:
        want[r["name"]].append(r["rv"])
    last = rec[-1]["rv"]

    def got_all():
        return any(o["b"]["rv"] == last for o in d.of("OBJ_NAMESPACE"))
    t.ok(wait(got_all, 60), "the last of 2,000 changes arrived")
    got = collections.defaultdict(list)
    for o in d.of("OBJ_NAMESPACE"):
        if o["b"]["name"] in names:
            got[o["b"]["name"]].append(o["b"]["rv"])
    exact = all(got[n][1:] == want[n] for n in names)
    t.ok(len(rec) == 2000 and exact,
         "each of 2,000 changes seen exactly once, in order, per object")
    if not exact:
        bad = [n for n in names if got[n][1:] != want[n]][:3]
        t.diag("mismatch: %s" % [(n, got[n][:5], want[n][:5]) for n in bad])
    fake.ctl("config", {"close_every": 0})

    # Forced 410: compact, then change and delete while the watcher re-lists.
    before = len(d.of("OBJ_NAMESPACE"))
    fake.ctl("compact")
    fake.ctl("apply", [{"coll": NSC, "merge": True, "obj": ns(n, {
        "egressip-ipam-operator.redhat-cop.io/egressipam": "after-410"})}
        for n in names[:10]] + [{"coll": NSC, "delete": n}
                                for n in names[10:20]])
    final = {o["metadata"]["name"]: o["metadata"]["resourceVersion"]
             for o in fake.ctl("list", {"coll": NSC})}

    def converged():
        cur = {}
        for o in d.of("OBJ_NAMESPACE"):
            cur[o["b"]["name"]] = o["b"]["rv"]
        for o in d.of("OBJ_DELETE", lambda b: b["kind"] == "Namespace"):
            cur.pop(o["b"]["name"], None)
        return cur == final
    t.ok(wait(converged, 30), "after a forced 410 the view equals the server")
    dels = {o["b"]["name"] for o in d.of("OBJ_DELETE")}
    t.ok(dels == set(names[10:20]), "the 10 deletions arrived as OBJ_DELETE")
    d.send("STATS")
    stats = wait(lambda: [l for l in d.lines if l.get("t") == "STATS"], 10)
    t.ok(stats and stats[-1]["relists_410"] >= 1 and stats[-1]["invalid"] == 0,
         "410 counted, every body valid against the schema")
    # Order per object still holds across the 410 (no version goes back).
    mono = True
    seen = collections.defaultdict(int)
    for o in d.of("OBJ_NAMESPACE"):
        rv = int(o["b"]["rv"])
        mono = mono and rv > seen[o["b"]["name"]]
        seen[o["b"]["name"]] = rv
    t.ok(mono, "no object ever went back to an older version")

    # RESYNC replays the cache (1,190 namespaces) and SYNCED again.
    n0 = len(d.of("OBJ_NAMESPACE"))
    s0 = len(synced("Namespace"))
    d.send("RESYNC")
    t.ok(wait(lambda: len(synced("Namespace")) > s0, 20) and
         len(d.of("OBJ_NAMESPACE")) - n0 == 1190,
         "RESYNC replays every cached object, then SYNCED")
    d.stop()
finally:
    fake.stop()
    cleanup(tmp)
t.done()
