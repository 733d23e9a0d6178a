# SPDX-License-Identifier: Apache-2.0
"""End to end on bare metal with three zones (explicit HostSubnet mode):
placement per zone, failover within a second of NotReady, no pull-back on
recovery, node deletion, capacity exhausted then freed, a CIDR appended
and removed, switching IPAM, IPAM deletion with the new and the legacy
finalizer, every worker killed, and the whole operator restarted with
zero writes once converged.  Observed through the simulator only."""
import copy
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from env import ANN_IPAM, ANN_IPS, Env, Tap, wait_for  # noqa: E402
from eiptest import Eipamd  # noqa: E402
import invariants  # noqa: E402

ANN_CAP = invariants.ANN_CAP
IPAMS = "/apis/redhatcop.redhat.io/v1alpha1/egressipams/"


def hostsubnet_ips(e):
    out = {}
    for hs in e.sim.items("/apis/network.openshift.io/v1/hostsubnets"):
        for ip in hs.get("egressIPs") or []:
            out[ip] = hs["metadata"]["name"]
    return out


def writes(e):
    """Mutating requests the simulator has served, by anyone."""
    code, st = e.sim.control("GET", "stats")
    by = st.get("by_method", {}) if isinstance(st, dict) else {}
    return sum(v for k, v in by.items() if k in ("POST", "PUT", "PATCH",
                                                  "DELETE"))


t = Tap()
e = Env("baremetal-3zone", nodes=6)
try:
    t.ok(e.ready(), "operator ready", e.op.logtext())
    ipam = e.apply_sample_ipam()
    names = ["ns-%d" % i for i in range(6)]
    for n in names:
        e.namespace(n, ipam)
    bad = e.converged()
    t.ok(not bad, "six namespaces, three IPs each, placed per zone", bad)
    t.ok(all(len(e.ips_of(n) or []) == 3 for n in names),
         "one IP per CIDR, in spec order")

    # Failover: a node carrying IPs goes NotReady.
    where = hostsubnet_ips(e)
    victim = sorted(set(where.values()))[0]
    moved = [ip for ip, h in where.items() if h == victim]
    t0 = time.monotonic()
    e.sim.ctl("node-ready", victim, "False")
    ok = wait_for(lambda: not any(hostsubnet_ips(e).get(ip) in (None, victim)
                                  for ip in moved), 5, step=0.02)
    took = time.monotonic() - t0
    t.ok(ok and took < 1.0, "%d IPs left NotReady %s in %.2f s" % (
        len(moved), victim, took))
    t.ok(not e.converged(), "invariants hold after failover")
    t.ok(wait_for(lambda: e.events("NodeFailover"), 5),
         "a NodeFailover event says what happened")
    e.sim.ctl("node-ready", victim, "True")
    t.ok(wait_for(lambda: not e.converged(), 5) and not any(
        h == victim for h in hostsubnet_ips(e).values()),
         "a recovered node does not pull its IPs back")

    # Node deleted: its IPs move too.
    where = hostsubnet_ips(e)
    victim = sorted(set(where.values()))[-1]
    e.kubectl("delete", "node", victim, "--wait=false")
    t.ok(wait_for(lambda: victim not in hostsubnet_ips(e).values(), 5) and
         not e.converged(), "a deleted node's IPs move to its zone's peers")

    # Capacity: zone-a nodes may carry one IP each.
    za = [n["metadata"]["name"] for n in e.sim.items("/api/v1/nodes")
          if n["metadata"]["labels"].get("topology.kubernetes.io/zone") ==
          "zone-a" and "node-role.kubernetes.io/worker" in
          n["metadata"]["labels"]]
    for n in za:
        e.annotate("node", n, ANN_CAP, "1")
    unplaced = set()
    wait_for(lambda: e.events("NoCapacity"), 5)
    t.ok(e.events("NoCapacity"), "NoCapacity reported when zone-a is full")
    t.ok(not e.converged(unplaced=set(names)),
         "no node above its capacity; every IP still held by its namespace")
    for n in za:
        e.annotate("node", n, ANN_CAP)
    t.ok(not e.converged(), "capacity freed: everything placed again")

    # A CIDR appended (a new zone with its node): a fourth IP, in order.
    e.node_add("worker-d0", "zone-d", "worker", "192.168.40.0/24")
    obj = e.ipam(ipam)
    spec = copy.deepcopy(obj["spec"])
    spec["cidrAssignments"].append({"labelValue": "zone-d",
                                    "CIDR": "192.168.40.0/24"})
    e.kubectl("patch", "egressipam", ipam, "--type=merge", "-p",
              json.dumps({"spec": spec}))
    four = wait_for(lambda: all(len(e.ips_of(n) or []) == 4 for n in names),
                    10)
    bad = e.converged()
    t.ok(four and not bad, "CIDR appended: a 4th IP each",
         "\n".join(["%s: %s" % (n, e.ips_of(n)) for n in names] +
                    (bad or [])[:20] + [json.dumps(e.op.ctl(
                        "explain", "namespace/" + names[0]))]))
    first = {n: e.ips_of(n)[:3] for n in names}
    spec["cidrAssignments"].pop()
    e.kubectl("patch", "egressipam", ipam, "--type=merge", "-p",
              json.dumps({"spec": spec}))
    t.ok(wait_for(lambda: all(e.ips_of(n) == first[n] for n in names), 10)
         and not e.converged(), "CIDR removed: its IPs released, the "
         "others kept")

    # Switching IPAM: a second IPAM on other nodes (not workers).
    e.node_add("edge-0", "zone-e", "edge", "10.99.0.0/24")
    e.sim.ctl("node-label", "edge-0", "edge=true")
    e.apply({"apiVersion": "redhatcop.redhat.io/v1alpha1",
             "kind": "EgressIPAM", "metadata": {"name": "edge"},
             "spec": {"cidrAssignments": [{"labelValue": "true",
                                           "CIDR": "10.99.0.0/24"}],
                      "topologyLabel": "edge",
                      "nodeSelector": {"matchLabels": {"edge": "true"}}}})
    old = e.ips_of("ns-0")
    e.annotate("namespace", "ns-0", ANN_IPAM, "edge")
    t.ok(wait_for(lambda: (e.ips_of("ns-0") or [""])[0].startswith(
        "10.99.0."), 10) and not e.converged(),
        "opt-in switched: IPs of the first IPAM released, one of the second")
    t.ok(not set(old) & set(sum([e.ips_of(n) for n in names[1:]], [])),
         "released addresses are not in two namespaces")

    # Overlapping node selections are reported on both IPAMs: edge-0
    # becomes a zone-a worker too, so both IPAMs claim it.
    e.sim.ctl("node-label", "edge-0", "node-role.kubernetes.io/worker=",
              "topology.kubernetes.io/zone=zone-a")
    def overlap(name):
        c = e.condition(name, "Ready") or {}
        return c.get("status") == "False" and "edge-0" in c.get("message", "")
    t.ok(wait_for(lambda: overlap(ipam) and overlap("edge"), 10),
         "a node selected by two IPAMs is reported on both",
         [e.condition(n, "Ready") for n in (ipam, "edge")])
    e.sim.ctl("node-label", "edge-0", "node-role.kubernetes.io/worker-",
              "topology.kubernetes.io/zone=zone-e")
    t.ok(wait_for(lambda: not overlap(ipam) and not overlap("edge"), 10),
         "the report clears when the overlap goes")

    # Every worker killed in turn: state is rebuilt, nothing lost.
    before = {n: e.ips_of(n) for n in names}
    for role in ("watcher", "allocator", "cloudworker-0", "metricsd"):
        os.kill(e.op.roles()[role]["pid"], signal.SIGKILL)
        wait_for(lambda: e.op.all_ready(), 10)
    e.namespace("after-kills", ipam)
    t.ok(not e.converged() and {n: e.ips_of(n) for n in names} == before,
         "after killing every worker: bindings unchanged, new work done")

    # The whole operator restarted: zero writes once converged.
    e.op.stop()
    w0 = writes(e)
    e.op = Eipamd(*e.sim.flags())
    t.ok(e.ready(), "operator restarted")
    e.namespace("probe", None)          # one event to wait for sync through

    def settled():
        d = e.op.ctl("dump", "allocator") or {}
        return d.get("synced") and d.get("leading") and \
            "probe" in d.get("namespaces", {}) and \
            d.get("writes_in_flight") == 0
    t.ok(wait_for(settled, 20), "the restarted allocator synced, saw the "
         "new namespace and has no write in flight")
    t.ok(writes(e) - w0 == 1 and {n: e.ips_of(n) for n in names} == before,
         "restart of a converged cluster: no write by the operator "
         "(%d writes, 1 is the test's namespace)" % (writes(e) - w0))

    # IPAM deleted: the new finalizer holds it until every IP is released.
    e.kubectl("delete", "egressipam", "edge", "--wait=false")
    t.ok(wait_for(lambda: e.ipam("edge") is None, 10),
         "deleted IPAM goes once cleaned up",
         [e.ipam("edge"), ((e.op.ctl("dump", "allocator") or {}).get(
             "ipams") or {}).get("edge")])
    ns0 = e.ns("ns-0")["metadata"]["annotations"]
    t.ok(ANN_IPS not in ns0 and ns0.get(ANN_IPAM) == "edge",
         "its namespaces lose egressips, keep the opt-in")
    # The legacy upstream finalizer is honoured and removed the same way.
    e.kubectl("patch", "egressipam", ipam, "--type=merge", "-p", json.dumps(
        {"metadata": {"finalizers": [
            "EgressIPAM_controller",
            "egressip-ipam-operator.redhat-cop.io/cleanup"]}}))
    e.kubectl("delete", "egressipam", ipam, "--wait=false")
    t.ok(wait_for(lambda: e.ipam(ipam) is None, 10),
         "legacy finalizer EgressIPAM_controller removed with ours")
    t.ok(wait_for(lambda: not any(e.ips_of(n) for n in names[1:]), 5) and
         not any(hostsubnet_ips(e)), "every IP released everywhere")
finally:
    e.close()
t.done()
