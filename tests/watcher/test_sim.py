#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# The watcher (in-process, through tests/watcher/wdriver) against
# eipam-sim: watch streams closed by the simulator every second while
# 2,000 changes happen (every change seen exactly once, in order, per
# object, compared with the simulator's change record), no change lost
# across a forced 410, 5,000 namespaces listed in pages, token rotation,
# a read-only token (clear 403s, nothing lost once the good token is
# back), two watchers with one leader and a takeover.
import collections
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simapi import Sim  # noqa: E402
from wtest import Driver, Tap, cleanup, tmpdir, wait  # noqa: E402

A = "egressip-ipam-operator.redhat-cop.io/"
t = Tap(11)
tmp = tmpdir()
sim = None
ds = []


try:
    sim = Sim(tmp)
    state, kube, ctl, readf = sim.state, sim.kube, sim.ctl, sim.readf
    text, kc = sim.text, sim.kubeconfig
    NSP = "/api/v1/namespaces"
    sim.parallel([[("POST", NSP, {"apiVersion": "v1", "kind": "Namespace",
                                     "metadata": {"name": "t-%04d" % i}},
                      "application/json")] for i in range(5000)])
    # tokenFile: rotation rewrites STATE/token, as a kubelet would.
    d = Driver(kc, "--kinds", "Namespace", "--forbidden-max-ms", "1000")
    ds.append(d)
    t.ok(wait(lambda: d.of("SYNCED"), 60), "synced against eipam-sim")
    t.ok(len({o["b"]["name"] for o in d.of("OBJ_NAMESPACE")}) >= 5008,
         "5,000 namespaces (and the scenario's) listed in pages of 500")

    ctl.call("POST", "/sim/v1/faults", {"route": NSP, "watch_close_s": 1})
    names = ["t-%04d" % i for i in range(50)]
    # One job per object keeps each object's 40 changes in order.
    sim.parallel([[("PATCH", NSP + "/" + n, {"metadata": {"annotations": {
        A + "egressips": "10.1.%d.%d" % (b, i)}}},
        "application/merge-patch+json") for b in range(40)]
        for i, n in enumerate(names)], n=25)
    st, ch = ctl.call("GET", "/sim/v1/changes?resource=namespaces")
    want = {}
    for k, v in ch["changes"].items():
        n = k.rsplit("/", 1)[-1]
        if n in names:
            want[n] = [str(rv) for rv, typ in v if typ == "MODIFIED"]
    last = max(int(x) for v in want.values() for x in v)
    t.ok(wait(lambda: any(o["b"]["rv"] == str(last)
                          for o in d.of("OBJ_NAMESPACE")), 90),
         "the last of 2,000 changes arrived through closing watches")
    got = collections.defaultdict(list)
    for o in d.of("OBJ_NAMESPACE"):
        if o["b"]["name"] in names:
            got[o["b"]["name"]].append(o["b"]["rv"])
    exact = sum(len(v) for v in want.values()) == 2000 and \
        all(got[n][1:] == want[n] for n in names)
    t.ok(exact, "each change exactly once, in order, per object "
         "(simulator's change record)")
    ctl.call("DELETE", "/sim/v1/faults")

    # Forced 410: the next watch gets Expired; changes meanwhile are not lost.
    ctl.call("POST", "/sim/v1/faults", {"route": NSP, "watch_gone_next": True})
    ctl.call("POST", "/sim/v1/watches/close", {"route": NSP})
    for n in names[:10]:
        kube.call("PATCH", NSP + "/" + n, {"metadata": {"annotations": {
            A + "egressipam": "after-410"}}}, "application/merge-patch+json")
    for n in names[10:15]:
        kube.call("DELETE", NSP + "/" + n)
    # Namespace deletion finishes asynchronously (the simulator's namespace
    # controller, like the real one): the final state is once they are gone.
    gone = set(names[10:15])

    def settled():
        st, lst = kube.call("GET", NSP)
        if any(o["metadata"]["name"] in gone for o in lst["items"]):
            return None
        return {o["metadata"]["name"]: o["metadata"]["resourceVersion"]
                for o in lst["items"]}
    final = wait(settled, 30)

    def view():
        cur = {}
        for o in d.lines:
            if o["t"] == "OBJ_NAMESPACE":
                cur[o["b"]["name"]] = o["b"]["rv"]
            elif o["t"] == "OBJ_DELETE":
                cur.pop(o["b"]["name"], None)
        return cur
    t.ok(wait(lambda: view() == final, 60), "after a forced 410 the view "
         "equals the simulator (changes and deletions kept)")
    ctl.call("DELETE", "/sim/v1/faults")

    # Token rotation: the old token stops working; the client re-reads.
    ctl.call("POST", "/sim/v1/tokens/rotate", {"grace_s": 0})
    ctl.call("POST", "/sim/v1/watches/close", {"route": NSP})
    kube.call("PATCH", NSP + "/t-0100", {"metadata": {"annotations": {
        "rotated": "yes"}}}, "application/merge-patch+json")
    st, o = kube.call("GET", NSP + "/t-0100")
    rv = o["metadata"]["resourceVersion"]
    t.ok(wait(lambda: d.of("OBJ_NAMESPACE", lambda b: b["rv"] == rv), 30),
         "after a token rotation the watch carries on")

    d.stop()

    # A read-only token: 403, the write is kept; once the token file holds
    # a token with the right, the write goes through.
    ro = [l.split(":", 1)[1].strip() for l in open(
        state + "/kubeconfig-readonly") if "token:" in l][0]
    tf = os.path.join(tmp, "switch-token")
    with open(tf, "w") as f:
        f.write(ro + "\n")
    kc2 = os.path.join(tmp, "kubeconfig-switch")
    with open(kc2, "w") as f:
        f.write(text.replace(state + "/token", tf))
    d = Driver(kc2, "--kinds", "Namespace", "--forbidden-max-ms", "1000")
    ds.append(d)
    t.ok(wait(lambda: d.of("SYNCED"), 60), "a read-only token can list")
    d.send("W_NS_EGRESSIPS", {"name": "t-0200", "egressips": "10.2.0.1"}, 5)
    t.ok(wait(lambda: d.stderr_has("403"), 15) and not d.of("W_RESULT"),
         "read-only token: a clear 403, the write is kept")
    t.diag([l for l in d.err if "403" in l][:1])
    with open(tf, "w") as f:
        f.write(readf("token") + "\n")
    r = wait(lambda: d.of("W_RESULT"), 20)
    st, o = kube.call("GET", NSP + "/t-0200")
    t.ok(r and r[0]["b"]["ok"] and o["metadata"]["annotations"][
        A + "egressips"] == "10.2.0.1", "the good token is back: the write "
         "went through, nothing lost")
    d.stop()

    # Two watchers, one leader; kill it and the other takes over.
    args = ["--kinds", "Namespace", "--leader-elect", "--namespace",
            "egressip-ipam-operator", "--lease-ms", "3000", "--renew-ms",
            "2000", "--retry-ms", "500"]
    a, b = Driver(kc, *args), Driver(kc, *args)
    ds += [a, b]
    lead = lambda: [x for x in (a, b) if x.of("LEADER", lambda y:
                                             y["leading"])]
    t.ok(wait(lambda: len(lead()) == 1, 15) and
         (time.sleep(1.5) or len(lead()) == 1), "two watchers: one leads")
    first = lead()[0]
    other = b if first is a else a
    first.p.send_signal(signal.SIGKILL)
    t0 = time.time()
    t.ok(wait(lambda: other.of("LEADER", lambda y: y["leading"]), 15) and
         time.time() - t0 <= 6.2, "killed: the other leads in %.1f s (lease "
         "3 s)" % (time.time() - t0))
    other.stop()
finally:
    for x in ds:
        if x.p.poll() is None:
            x.p.kill()
    if sim is not None:
        sim.stop()
    cleanup(tmp)
t.done()
