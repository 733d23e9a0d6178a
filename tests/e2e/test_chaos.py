# SPDX-License-Identifier: Apache-2.0
"""Chaos: a bulk assignment of many namespaces while (1) a random worker
is SIGKILLed every 0.5-2 s, and (2) the API server misbehaves (10% 5xx,
5% 429, watch streams closed every 5 s, one 410 storm).  Afterwards the
operator must converge and the independent checker must find nothing.

CI runs a short version; CHAOS_NAMESPACES=5000 CHAOS_SECONDS=60 is the
long one."""
import http.client
import json
import os
import random
import signal
import ssl
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from env import ANN_IPAM, Env, Tap, ipam_3zone, wait_for  # noqa: E402
import invariants  # noqa: E402

N = int(os.environ.get("CHAOS_NAMESPACES", "400"))
SECS = float(os.environ.get("CHAOS_SECONDS", "12"))
ROLES = ("watcher", "allocator", "cloudworker-0", "metricsd")
IPAM = ipam_3zone("chaos")


def bulk_create(sim, names, errors, done=None):
    """POSTs namespaces on one keep-alive connection, retrying what the
    faulty API server refuses (as kubectl would be retried by a user).
    done, if given, counts the namespaces created so far."""
    host, port = sim.base.split("//")[1].split(":")
    conn = None
    deadline = time.monotonic() + 120 + len(names) / 20
    for name in names:
        if time.monotonic() > deadline:
            errors.append(name)     # bounded: never outlive the test
            continue
        body = json.dumps({"apiVersion": "v1", "kind": "Namespace",
                           "metadata": {"name": name, "annotations": {
                               ANN_IPAM: "chaos"}}})
        for attempt in range(50):
            try:
                if conn is None:
                    conn = http.client.HTTPSConnection(
                        host, int(port), context=sim.ctx, timeout=30)
                conn.request("POST", "/api/v1/namespaces", body, {
                    "Authorization": "Bearer " + sim.token,
                    "Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                if r.status in (201, 409):
                    if done is not None:
                        done.append(name)
                    break
            except (OSError, http.client.HTTPException):
                conn = None
            time.sleep(0.01 * (attempt + 1))
        else:
            errors.append(name)


def chaos_kills(e, seconds, log):
    end = time.monotonic() + seconds
    rnd = random.Random(4242)
    while time.monotonic() < end:
        role = rnd.choice(ROLES)
        r = e.op.roles().get(role)
        if r and r["pid"] > 0:
            try:
                os.kill(r["pid"], signal.SIGKILL)
                log.append(role)
            except ProcessLookupError:
                pass
        # The chaos schedule itself, not a wait for a condition.
        time.sleep(rnd.uniform(0.5, 2.0))


def exits(e):
    """The supervisor's account of every worker exit that was not ours
    (a SIGKILL from this test is signal 9): what CI needs when the
    operator does not converge."""
    return [l for l in e.op.logtext().splitlines()
            if ("exited with" in l or "killed by signal" in l)
            and "signal 9" not in l][-20:]


def all_assigned(e, names):
    nss = {n["metadata"]["name"]: n for n in e.sim.items("/api/v1/namespaces")}
    return all(len(((nss.get(n) or {}).get("metadata", {}).get(
        "annotations") or {}).get(invariants.ANN_IPS, "").split(",")) == 3
        for n in names)


t = Tap()

# 1. Workers killed at random during the bulk assignment.
e = Env("baremetal-3zone", nodes=9)
try:
    t.ok(e.ready(), "operator ready")
    e.apply(IPAM)
    names = ["chaos-%05d" % i for i in range(N)]
    errors, killed = [], []
    maker = threading.Thread(target=bulk_create, args=(e.sim, names, errors),
                             daemon=True)
    t0 = time.monotonic()
    maker.start()
    chaos_kills(e, SECS, killed)
    maker.join(180 + N / 10)
    t.ok(not errors and not maker.is_alive(), "%d namespaces created while %d workers were killed "
         "in %.0f s" % (N, len(killed), SECS), errors[:5])
    t.ok(e.op.proc.poll() is None, "the supervisor rode it out (no restart "
         "limit reached)", e.op.logtext()[-2000:])
    ok = wait_for(lambda: all_assigned(e, names), 60 + N / 50, step=1)
    took = time.monotonic() - t0
    t.ok(ok, "every namespace holds its 3 IPs (%.0f s after the start)"
         % took, "\n".join(exits(e)))
    bad = e.converged(timeout=60)
    t.ok(not bad, "the checker finds nothing: unique IPs, NetNamespaces and "
         "HostSubnets agree, nothing leaked", "\n".join(bad[:20]))
    restarts = sum(r["restarts"] for r in e.op.roles().values())
    t.ok(restarts >= len(killed) - 1, "%d restarts for %d kills" % (
        restarts, len(killed)))
finally:
    e.close()

# 2. The API server misbehaves during the bulk assignment.
e = Env("baremetal-3zone", nodes=9)
try:
    t.ok(e.ready(), "operator ready (API faults)")
    e.apply(IPAM)
    faults = [("/api/", {"error_rate": 0.10, "code": 500}),
              ("/apis/", {"error_rate": 0.10, "code": 503}),
              ("/api/v1/namespaces", {"error_rate": 0.05, "code": 429}),
              ("/api/", {"watch_close_s": 5}),
              ("/apis/", {"watch_close_s": 5})]
    for route, f in faults:
        body = dict(f, route=route)
        code, _ = e.sim.control("POST", "faults", body)
        t.ok(code in (200, 201), "fault on %s: %s" % (route, f))
    names = ["fault-%05d" % i for i in range(N)]
    errors, created = [], []
    maker = threading.Thread(target=bulk_create,
                             args=(e.sim, names, errors, created), daemon=True)
    maker.start()
    # The storm comes mid-way through the load (counted by the creator:
    # the faulty API server would refuse our own reads too).
    wait_for(lambda: len(created) >= N // 2, 60, step=0.05)
    code, _ = e.sim.control("POST", "watches/close", {"route": "/",
                                                      "gone": True})
    t.ok(code in (200, 201), "a 410 storm: every watch closed with Expired")
    maker.join(180 + N / 10)
    code, st = e.sim.control("GET", "stats")
    by = st.get("by_code", {}) if isinstance(st, dict) else {}
    t.ok(by.get("500", 0) > 0 and by.get("503", 0) > 0 and
         by.get("429", 0) > 0, "the faults hit: %s" % by)
    code, _ = e.sim.control("DELETE", "faults")
    t.ok(not errors and code in (200, 204), "%d namespaces created through "
         "the faults; faults cleared" % N)
    ok = wait_for(lambda: all_assigned(e, names), 60 + N / 50, step=1)
    t.ok(ok, "every namespace holds its 3 IPs after the faults",
         "\n".join(exits(e)))
    bad = e.converged(timeout=60)
    t.ok(not bad, "the checker finds nothing after the faults",
         "\n".join(bad[:20]))
    st = e.op.ctl("dump", "watcher") or {}
    t.ok(e.op.proc.poll() is None, "no crash under API faults")
finally:
    e.close()
t.done()
