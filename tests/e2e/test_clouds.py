# SPDX-License-Identifier: Apache-2.0
"""End to end on AWS (static keys and STS web identity) and on OVN-
Kubernetes (bare metal and AWS): the NICs, seen through boto3, carry
exactly the namespaces' IPs; OVN gets EgressIP objects and labelled nodes
and the operator makes no cloud call behind the cloud-network-config-
controller.  Also upstream's manual test (test.sh create N / delete N and
its erroneous namespace), automated."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from env import ANN_IPS, Env, Tap, wait_for  # noqa: E402
from cloudview import aws_nics, azure_nics  # noqa: E402
import invariants  # noqa: E402

t = Tap()


def cloud_ok(e):
    nics, _ = aws_nics(e.sim)
    bad = invariants.check(e.sim, cloud_nics=nics)
    return bad


for scenario in ("aws", "aws-sts"):
    # Enough workers that 14 namespaces fit the ENIs' secondary-IP limits
    # (capacity exhaustion has its own test).
    e = Env(scenario, nodes=12)
    try:
        t.ok(e.ready(), "%s: operator ready" % scenario, e.op.logtext())
        ipam = e.apply_sample_ipam()
        # upstream test/test.sh create 15: ics-egressip-test1..14
        names = ["ics-egressip-test%d" % i for i in range(1, 15)]
        for n in names:
            e.namespace(n, ipam)
        bad = e.converged(timeout=30)
        t.ok(not bad, "%s: 14 namespaces, 3 IPs each, HostSubnets agree"
             % scenario, bad)
        last = []
        ok = wait_for(lambda: not last.__setitem__(slice(None),
                                                   cloud_ok(e)) and not last,
                      20, step=0.5)
        t.ok(ok, "%s: every ENI carries exactly the IPs its HostSubnet "
             "lists (seen with boto3)" % scenario, last)
        nics, _ = aws_nics(e.sim)
        held = {ip for n in names for ip in e.ips_of(n) or []}
        on_nics = {ip for ips in nics.values() for ip in ips}
        t.ok(held <= on_nics, "%s: every assigned IP is on a NIC" % scenario)
        mport = open(os.path.join(e.op.run, "metrics.port")).read().strip()

        def scrape():
            import urllib.request
            with urllib.request.urlopen("http://127.0.0.1:%s/metrics" %
                                        mport, timeout=5) as r:
                return r.read().decode()
        t.ok(wait_for(lambda: 'eipam_cloud_calls_total{provider="aws",'
                      'action="AssignPrivateIpAddresses",outcome="ok"}' in
                      scrape(), 15),
             "%s: /metrics counts the cloud calls by action and outcome"
             % scenario)
        # The erroneous namespace of upstream's test/: halts the IPAM.
        e.namespace("egressipam-aws-test-2", ipam,
                    "11.0.128.7,10.0.144.7,10.0.160.7")
        t.ok(wait_for(lambda: (e.condition(ipam, "ReconcileError") or {})
                      .get("status") == "True", 10) and
             e.events("ProcessingError", about="egressipam-aws-test-2"),
             "%s: erroneous namespace reported as upstream does" % scenario)
        e.kubectl("delete", "namespace", "egressipam-aws-test-2",
                  "--wait=false")
        # test.sh delete 15
        for n in names:
            e.kubectl("delete", "namespace", n, "--wait=false")
        ok = wait_for(lambda: not (set().union(*aws_nics(e.sim)[0].values())
                                   & held), 20, step=0.5)
        t.ok(ok, "%s: deleting the namespaces removes every IP from the "
             "ENIs (no leak)" % scenario)
        t.ok(not e.converged(), "%s: invariants after deletion" % scenario)
    finally:
        e.close()

for scenario in ("azure", "azure-wi"):
    e = Env(scenario, nodes=9)
    try:
        t.ok(e.ready(), "%s: operator ready" % scenario, e.op.logtext())
        ipam = e.apply_sample_ipam()
        names = ["egressipam-azure-test", "egressipam-azure-test-1"] + \
            ["az-%d" % i for i in range(4)]
        for n in names:
            e.namespace(n, ipam)
        t.ok(not e.converged(timeout=40), "%s: README namespaces assigned "
             "and placed" % scenario, e.op.logtext()[-2000:])
        last = []
        ok = wait_for(lambda: not last.__setitem__(slice(None),
                      invariants.check(e.sim, cloud_nics=azure_nics(e.sim)))
                      and not last, 30, step=0.5)
        t.ok(ok, "%s: every NIC (read through AAD + ARM) carries exactly "
             "its HostSubnet's IPs" % scenario, last)
        held = {ip for n in names for ip in e.ips_of(n) or []}
        t.ok(held <= set().union(*azure_nics(e.sim).values()),
             "%s: every assigned IP is an ipConfiguration" % scenario)
        for n in names:
            e.kubectl("delete", "namespace", n, "--wait=false")
        t.ok(wait_for(lambda: not (set().union(*azure_nics(e.sim).values())
                                   & held), 30, step=0.5),
             "%s: deleting the namespaces removes their ipConfigurations"
             % scenario)
    finally:
        e.close()

for scenario in ("ovn", "ovn-aws"):
    # Lowest-first on AWS: the first addresses of each zone's subnet are
    # the cloud's, so the checker sees at once whether they were skipped
    # (at random, one run in a hundred handed one out).
    e = Env(scenario, flags=["--ip-selection=lowest"]
            if scenario == "ovn-aws" else [])
    try:
        t.ok(e.ready(), "%s: operator ready" % scenario, e.op.logtext())
        ipam = e.apply_sample_ipam()
        names = ["ovn-%d" % i for i in range(5)]
        for n in names:
            e.namespace(n, ipam)
        bad = e.converged(timeout=20)
        t.ok(not bad, "%s: EgressIP eipam-<ns> per namespace, owned by it, "
             "nodes labelled egress-assignable" % scenario, bad)
        eips = {x["metadata"]["name"]: x for x in
                e.sim.items("/apis/k8s.ovn.org/v1/egressips")}
        t.ok(wait_for(lambda: all((x.get("status") or {}).get("items") for x in
                                  e.sim.items("/apis/k8s.ovn.org/v1/egressips")),
                      10), "%s: OVN placed every EgressIP" % scenario)
        t.ok(all(x["metadata"]["labels"].get(
            "egressip-ipam-operator.redhat-cop.io/egressipam") == ipam
            for x in eips.values()), "%s: EgressIPs labelled with the IPAM"
            % scenario)
        if scenario == "ovn-aws":
            code, st = e.sim.control("GET", "cloud/stats")
            acts = st.get("actions", {}) if isinstance(st, dict) else {}
            mutating = {k: v for k, v in acts.items()
                        if "Assign" in k or "Unassign" in k}
            t.ok(code == 200 and not mutating,
                 "ovn-aws: no Assign/Unassign by the operator (CNCC's job)",
                 acts)
        e.kubectl("delete", "namespace", names[0], "--wait=false")
        t.ok(wait_for(lambda: "eipam-" + names[0] not in {
            x["metadata"]["name"] for x in
            e.sim.items("/apis/k8s.ovn.org/v1/egressips")}, 10),
            "%s: the EgressIP goes with its namespace" % scenario)
        e.annotate("namespace", names[1],
                   "egressip-ipam-operator.redhat-cop.io/egressipam")
        t.ok(wait_for(lambda: "eipam-" + names[1] not in {
            x["metadata"]["name"] for x in
            e.sim.items("/apis/k8s.ovn.org/v1/egressips")}, 10) and
            not e.converged(), "%s: opt-out deletes the EgressIP" % scenario)
        e.kubectl("delete", "egressipam", ipam, "--wait=false")
        t.ok(wait_for(lambda: not any(
            invariants.OVN_LABEL in n["metadata"].get("labels", {})
            for n in e.sim.items("/api/v1/nodes")), 10),
            "%s: IPAM deleted: the egress-assignable labels we added are "
            "removed" % scenario)
    finally:
        e.close()
t.done()
