#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Leader election between two watchers on one fake API server (short
# timings: lease 3 s, renew 2 s, retry 0.5 s): exactly one leads and
# writes; the Lease is client-go's (MicroTime with six digits); killing
# the leader hands over within the lease duration plus a retry; a clean
# stop releases the lease; a leader that loses the lease exits non-zero.
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wtest import Driver, Fake, Tap, cleanup, ns, tmpdir, wait  # noqa: E402

LC = "/apis/coordination.k8s.io/v1/namespaces/eipam/leases"
MICRO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
t = Tap(10)
tmp = tmpdir()
fake = Fake(tmp)
ds = []
try:
    fake.ctl("apply", [{"coll": "/api/v1/namespaces", "obj": ns("team-a")}])
    kc = fake.kubeconfig(token="rw-token")
    args = ["--kinds", "Namespace", "--leader-elect", "--namespace", "eipam",
            "--lease-ms", "3000", "--renew-ms", "2000", "--retry-ms", "500"]
    a = Driver(kc, *(args + ["--identity", "host-a_1"]))
    b = Driver(kc, *(args + ["--identity", "host-b_2"]))
    ds = [a, b]

    def leaders():
        return [d for d in ds if d.of("LEADER", lambda x: x["leading"])]
    t.ok(wait(lambda: len(leaders()) == 1, 10) and
         (time.sleep(2) or len(leaders()) == 1), "exactly one of two leads")
    lead = leaders()[0]
    other = b if lead is a else a
    lease = fake.ctl("get", {"coll": LC,
                             "name": "egressip-ipam-operator-leader"})
    sp = lease["spec"]
    t.ok(sp["holderIdentity"] == lead.of("LEADER")[0]["b"]["identity"] and
         sp["leaseDurationSeconds"] == 3 and MICRO.match(sp["renewTime"]) and
         MICRO.match(sp["acquireTime"]) and sp["leaseTransitions"] == 0,
         "the Lease names the leader, MicroTime has six digits")
    lead.send("W_NS_EGRESSIPS", {"name": "team-a", "egressips": "1.2.3.4"}, 1)
    other.send("W_NS_EGRESSIPS", {"name": "team-a", "egressips": "5.6.7.8"}, 2)
    r1 = wait(lambda: lead.of("W_RESULT"), 10)
    r2 = wait(lambda: other.of("W_RESULT"), 10)
    t.ok(r1 and r1[0]["b"]["ok"] and r2 and not r2[0]["b"]["ok"] and
         r2[0]["b"]["reason"] == "NotLeader", "only the leader writes")
    renew1 = sp["renewTime"]
    time.sleep(1.2)
    sp2 = fake.ctl("get", {"coll": LC, "name":
                           "egressip-ipam-operator-leader"})["spec"]
    t.ok(sp2["renewTime"] != renew1 and sp2["acquireTime"] ==
         sp["acquireTime"], "renewals move renewTime and keep acquireTime")

    lead.p.send_signal(signal.SIGKILL)
    t0 = time.time()
    ok = wait(lambda: other.of("LEADER", lambda x: x["leading"]), 10)
    took = time.time() - t0
    # Bound: the lease, plus up to two jittered retry waits (2 x 1.1 s:
    # one to see the last renewal, one to act after expiry), plus 1 s.
    t.ok(ok and took <= 3.0 + 2.2 + 1.0, "killed leader: the other leads "
         "in %.1f s (lease 3 s, retry 0.5 s)" % took)
    sp3 = fake.ctl("get", {"coll": LC, "name":
                           "egressip-ipam-operator-leader"})["spec"]
    t.ok(sp3["leaseTransitions"] == 1 and sp3["holderIdentity"] ==
         other.of("LEADER")[0]["b"]["identity"], "the takeover is counted")

    rc = other.stop()
    sp4 = fake.ctl("get", {"coll": LC, "name":
                           "egressip-ipam-operator-leader"})["spec"]
    t.ok(rc == 0 and sp4["holderIdentity"] == "" and
         sp4["leaseDurationSeconds"] == 1 and sp4["leaseTransitions"] == 1,
         "a clean stop releases the lease")
    c = Driver(kc, *(args + ["--identity", "host-c_3"]))
    ds.append(c)
    t0 = time.time()
    t.ok(wait(lambda: c.of("LEADER", lambda x: x["leading"]), 5) and
         time.time() - t0 < 2.5, "a released lease is taken at once")
    # Someone else takes the lease: the leader stops and exits non-zero.
    lease = fake.ctl("get", {"coll": LC,
                             "name": "egressip-ipam-operator-leader"})
    lease["spec"]["holderIdentity"] = "intruder"
    lease["spec"]["leaseDurationSeconds"] = 60
    fake.ctl("apply", [{"coll": LC, "obj": lease}])
    rc = wait(lambda: c.p.poll(), 10)
    t.ok(rc == 3 and c.of("LEADER", lambda x: not x["leading"]),
         "losing the lease after leading: LEADER false, exit non-zero")
    t.ok(c.stderr_has("stopped leading"), "the loss is logged")
finally:
    for d in ds:
        if d.p.poll() is None:
            d.p.kill()
    fake.stop()
    cleanup(tmp)
t.done()
