# SPDX-License-Identifier: Apache-2.0
"""Leader election end to end: two eipamd against one simulator with
--leader-elect (short leases), exactly one leads and writes; the leader is
killed, the other takes over within the lease duration and carries on;
no namespace ever changes its IPs and nothing is written twice."""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from env import Env, Tap, wait_for  # noqa: E402
from eiptest import Eipamd, alive  # noqa: E402

LEASE = ["--leader-elect", "--leader-lease-duration=3",
         "--leader-renew-deadline=2", "--leader-retry-period=0.5"]
LEASES = "/apis/coordination.k8s.io/v1/namespaces/egressip-ipam-operator/leases/"


def holder(e):
    code, body = e.sim.request("GET", LEASES + "egressip-ipam-operator-leader")
    return body.get("spec", {}).get("holderIdentity") if code == 200 else None


def leading(op):
    d = op.roles().get("watcher", {}).get("detail") or {}
    return d.get("leading") is True


t = Tap()
e = Env("baremetal-3zone", nodes=6, flags=LEASE)
b = Eipamd(*(e.sim.flags() + LEASE))
try:
    t.ok(e.ready() and wait_for(lambda: b.all_ready(), 20),
         "two operators running against one simulator")
    t.ok(wait_for(lambda: holder(e), 10), "the Lease has a holder: %s" %
         holder(e))
    t.ok(wait_for(lambda: leading(e.op) != leading(b), 10),
         "exactly one operator leads")
    leader, standby = (e.op, b) if leading(e.op) else (b, e.op)
    ipam = e.apply_sample_ipam()
    names = ["ns-%d" % i for i in range(6)]
    for n in names:
        e.namespace(n, ipam)
    t.ok(not e.converged(), "the leader assigns and places")
    first = {n: e.ips_of(n) for n in names}
    # Kill the leader's whole process tree (supervisor first: children
    # follow by PDEATHSIG), as a node loss would.
    pids = [leader.proc.pid] + [r["pid"] for r in leader.roles().values()]
    t0 = time.monotonic()
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    leader.proc.wait()
    took = [None]
    old_holder = holder(e)

    # Measured on the Lease itself: the supervisor's status of the
    # standby lags by up to a heartbeat.  client-go semantics: the
    # standby sees the last renewal up to one retry period (0.5 s) late,
    # the lease runs out 3 s after that, and the next try comes up to
    # 0.5 s later: 4 s at most, plus 1 s for a loaded machine.
    def took_over():
        h = holder(e)
        if h and h != old_holder:
            took[0] = time.monotonic() - t0
            return True
        return False
    t.ok(wait_for(took_over, 10, step=0.05) and took[0] < 3 + 0.5 + 0.5 + 1 and
         wait_for(lambda: leading(standby), 5),
         "the standby holds the Lease %.1f s after the leader died (lease "
         "3 s) and says it leads" % (took[0] or -1))
    t.ok(wait_for(lambda: not any(alive(p) for p in pids), 5),
         "the old leader's workers are gone with it")
    e.namespace("after-takeover", ipam)
    t.ok(wait_for(lambda: e.ips_of("after-takeover"), 10) and
         not e.converged(), "the new leader carries on")
    t.ok({n: e.ips_of(n) for n in names} == first,
         "no namespace changed its IPs across the takeover")
    code, after = e.sim.control("GET", "changes?resource=namespaces")
    ok = code == 200 and isinstance(after, dict)
    for n in names if ok else []:
        ch = [c for c in after["changes"].get("/" + n, [])
              if c[1] == "MODIFIED"]
        # created with its opt-in by the test; one egressips write by
        # the operators: nothing written twice
        if len(ch) != 1:
            ok = False
    t.ok(code == 200 and ok, "each namespace was written once by the "
         "operators", json.dumps(after)[:1500] if not ok else None)
finally:
    b.cleanup()
    e.close()
t.done()
