# SPDX-License-Identifier: Apache-2.0
"""One end-to-end environment: eipam-sim with a scenario, eipamd from the
build tree pointed at it, and helpers to act as a user (kubectl) and to
wait, with a bound, until the independent checker is satisfied."""
import ipaddress
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from simclient import Sim  # noqa: E402
from eiptest import Eipamd, Tap, wait_for  # noqa: E402
import invariants  # noqa: E402

ANN_IPAM = invariants.ANN_IPAM
ANN_IPS = invariants.ANN_IPS


def ipam_3zone(name):
    """An EgressIPAM with one /16 per zone of the baremetal-3zone
    scenario's workers (the chaos test's and the benchmarks')."""
    return {"apiVersion": "redhatcop.redhat.io/v1alpha1",
            "kind": "EgressIPAM", "metadata": {"name": name},
            "spec": {"cidrAssignments": [
                {"labelValue": "zone-a", "CIDR": "10.1.0.0/16"},
                {"labelValue": "zone-b", "CIDR": "10.2.0.0/16"},
                {"labelValue": "zone-c", "CIDR": "10.3.0.0/16"}],
                "topologyLabel": "topology.kubernetes.io/zone",
                "nodeSelector": {"matchLabels": {
                    "node-role.kubernetes.io/worker": ""}}}}


class Env:
    def __init__(self, scenario, nodes=None, flags=(), sim_extra=()):
        self.sim = Sim(scenario, nodes=nodes, extra=sim_extra)
        self.op = Eipamd(*(self.sim.flags() + list(flags)))
        self.scenario = scenario

    # --- acting as a user -------------------------------------------------
    def kubectl(self, *args, input=None):
        r = self.sim.kubectl(*args, input=input)
        if r.returncode != 0:
            raise RuntimeError("kubectl %s: %s" % (" ".join(args), r.stderr))
        return r.stdout

    def apply(self, obj):
        return self.kubectl("apply", "--validate=false", "-f", "-",
                            input=json.dumps(obj) if not isinstance(obj, str)
                            else obj)

    def apply_sample_ipam(self):
        with open(os.path.join(self.sim.state, "egressipam.yaml")) as f:
            text = f.read()
        self.apply(text)
        return [l.split(":", 1)[1].strip().strip('"')
                for l in text.splitlines()
                if l.strip().startswith("name:")][0]

    def namespace(self, name, ipam=None, ips=None):
        ann = {}
        if ipam:
            ann[ANN_IPAM] = ipam
        if ips is not None:
            ann[ANN_IPS] = ips
        self.apply({"apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": name, "annotations": ann}})

    def annotate(self, kind, name, key, value=None):
        arg = "%s-" % key if value is None else "%s=%s" % (key, value)
        self.kubectl("annotate", "--overwrite", kind, name, arg)

    def ns(self, name):
        code, body = self.sim.request("GET", "/api/v1/namespaces/" + name)
        return body if code == 200 else None

    def ips_of(self, name):
        ns = self.ns(name)
        v = ((ns or {}).get("metadata", {}).get("annotations") or {}).get(
            ANN_IPS)
        return v.split(",") if v else ([] if v == "" else None)

    def node_add(self, name, zone, role, cidr):
        """A new node whose InternalIP comes from cidr.  Without it, a zone
        the scenario does not know takes the first zone's network, where
        the node could get an address a namespace already holds: a real
        clash, which the operator reports (1 run in 20 failed on it)."""
        code, body = self.sim.control("POST", "nodes", {
            "name": name, "zone": zone, "role": role, "cidr": cidr})
        if code >= 300:
            raise RuntimeError("node-add %s: %s %s" % (name, code, body))

    def unheld_ip(self, first):
        """The first address from `first` on that no namespace holds and
        no node has: a test's manual IP must not be one the operator
        happened to pick at random (1 run in 250 did)."""
        held = {invariants.internal_ip(n)
                for n in self.sim.items("/api/v1/nodes")}
        for ns in self.sim.items("/api/v1/namespaces"):
            v = (ns["metadata"].get("annotations") or {}).get(ANN_IPS)
            held.update(v.split(",") if v else [])
        a = ipaddress.ip_address(first)
        while str(a) in held:
            a += 1
        return str(a)

    def ipam(self, name):
        code, body = self.sim.request(
            "GET", "/apis/redhatcop.redhat.io/v1alpha1/egressipams/" + name)
        return body if code == 200 else None

    def condition(self, ipam, ctype):
        for c in ((self.ipam(ipam) or {}).get("status") or {}).get(
                "conditions") or []:
            if c["type"] == ctype:
                return c
        return None

    def events(self, reason=None, about=None, kind=None):
        """core/v1 Events (all namespaces: a cluster-scoped subject's land in
        "default"), filtered by reason and by the involved object's name."""
        evs = self.sim.items("/api/v1/events")
        return [e for e in evs
                if (reason is None or e.get("reason") == reason) and
                (about is None or e["involvedObject"].get("name") == about)
                and (kind is None or e["involvedObject"].get("kind") == kind)]

    # --- waiting ----------------------------------------------------------
    def converged(self, timeout=20, **kw):
        """Waits until the checker finds nothing; returns the last list."""
        last = [None]

        def ok():
            try:
                last[0] = invariants.check(self.sim, **kw)
            except Exception as e:      # a read during a change
                last[0] = ["checker: %s" % e]
            return not last[0]
        if not wait_for(ok, timeout, step=0.2):
            self.why_not_converged(timeout, last[0])
        return last[0]

    def why_not_converged(self, timeout, bad):
        """A convergence that times out says, in the test's log, what the
        checker found and what the operator was doing: CI shows no more."""
        say = sys.stderr.write
        say("# not converged after %s s; the checker finds:\n" % timeout)
        for b in (bad or [])[:30]:
            say("#   %s\n" % b)
        try:
            d = self.op.ctl("dump", "allocator") or {}
            say("# allocator: %s\n" % json.dumps(
                {k: v for k, v in d.items() if not isinstance(v, (dict,
                                                                  list))}))
        except Exception as x:          # the diagnosis must not fail a test
            say("# allocator dump: %s\n" % x)
        for line in self.op.logtext().splitlines()[-150:]:
            say("# log: %s\n" % line[:400])

    def ready(self, timeout=20):
        return wait_for(lambda: self.op.all_ready(), timeout)

    def close(self):
        try:
            self.op.cleanup()
        finally:
            self.sim.cleanup()
