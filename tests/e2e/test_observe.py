# SPDX-License-Identifier: Apache-2.0
"""What people see of a running operator against eipam-sim: a real
/metrics scrape linted by promtool, the probes, eipamctl explain and plan
for the upstream README's examples (including a namespace without
capacity and a manual-IP error), and eipamctl attach showing a live
message trace while namespaces are assigned, then detaching."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from env import ANN_IPS, Env, Tap, wait_for  # noqa: E402
from eiptest import BUILD  # noqa: E402

ANN_CAP = "egressip-ipam-operator.redhat-cop.io/capacity"
t = Tap()


def ctl(e, *args):
    r = subprocess.run([os.path.join(BUILD, "eipamctl"), "--run-dir",
                        e.op.run] + list(args), capture_output=True,
                       text=True, timeout=20)
    return r.returncode, r.stdout + r.stderr


def http(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%s%s" % (port, path),
                                    timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


e = Env("baremetal")
try:
    t.ok(e.ready(), "operator ready")
    ipam = e.apply_sample_ipam()
    # attach to the allocator before the namespaces come.
    att = subprocess.Popen([os.path.join(BUILD, "eipamctl"), "--run-dir",
                            e.op.run, "attach", "allocator"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    seen = []
    reader = threading.Thread(target=lambda: seen.extend(iter(
        att.stdout.readline, "")), daemon=True)
    reader.start()
    alloc_pid = e.op.roles()["allocator"]["pid"]
    for ns in ("egressipam-baremetal-test", "egressipam-baremetal-test2"):
        e.namespace(ns, ipam)
    t.ok(not e.converged(), "README namespaces assigned")
    # The namespaces' own writes, not the EgressIPAM's earlier ones.
    wait_for(lambda: any("W_NS_EGRESSIPS" in l for l in list(seen)), 10)
    att.send_signal(signal.SIGINT)
    att.wait(timeout=10)
    reader.join(10)
    out = "".join(seen)
    t.ok("attached to allocator" in out and "OBJ_NAMESPACE" in out and
         "W_NS_EGRESSIPS" in out and "W_RESULT" in out,
         "attach shows the live trace (objects in, writes out, results)",
         out[-2000:])
    t.ok(att.returncode == 0 and "detached from allocator" in out and
         e.op.roles()["allocator"]["pid"] == alloc_pid and
         e.op.roles()["allocator"]["state"] == "ready",
         "Ctrl-C detaches; the allocator runs on, unaffected",
         [att.returncode, out[-500:], e.op.roles().get("allocator")])

    # A real scrape of the running operator, linted by promtool.
    mport = open(os.path.join(e.op.run, "metrics.port")).read().strip()
    hport = open(os.path.join(e.op.run, "health.port")).read().strip()
    wait_for(lambda: "egressip_ip_allocated{" in http(mport, "/metrics")[1],
             10)
    code, page = http(mport, "/metrics")
    lint = subprocess.run(["promtool", "check", "metrics"], input=page,
                          capture_output=True, text=True)
    t.ok(code == 200 and lint.returncode == 0,
         "promtool check metrics passes on a real scrape",
         lint.stdout + lint.stderr)
    t.ok('egressip_ip_allocated{egressipam="example-egressipam"' in page and
         'egressip_cidr_free{egressipam="example-egressipam",cidr="192.169.0.0/24"}'
         in page, "upstream's gauges and pool usage are exposed")
    wait_for(lambda: 'eipam_kube_requests_total{verb="PATCH",code="200"}'
             in http(mport, "/metrics")[1], 10)
    page = http(mport, "/metrics")[1]
    t.ok('eipam_up{role="allocator",instance="0"} 1' in page and
         'eipam_kube_requests_total{verb="PATCH",code="200"}' in page,
         "process and API figures are exposed", page[-3000:])
    t.ok(http(hport, "/healthz")[0] == 200 and
         wait_for(lambda: http(hport, "/readyz")[0] == 200, 10),
         "/healthz and /readyz answer 200")

    # explain for the README example.
    rc, out = ctl(e, "explain", "namespace/egressipam-baremetal-test")
    t.ok(rc == 0 and "opted in to EgressIPAM example-egressipam" in out and
         "CIDR mode" in out, "explain namespace: IPAM, CIDR, placement", out)
    ip = e.ips_of("egressipam-baremetal-test")[0]
    rc, out = ctl(e, "explain", "ip/" + ip)
    t.ok(rc == 0 and "held by namespace egressipam-baremetal-test" in out,
         "explain ip: its holder", out)
    rc, out = ctl(e, "explain", "ip/192.169.0.255")
    t.ok("broadcast" in out, "explain ip: why the broadcast is never given")
    rc, out = ctl(e, "-o", "json", "explain", "node/worker-0")
    t.ok(rc == 0 and json.loads(out)["kind"] == "node",
         "explain node answers in JSON with -o json")

    # A namespace without capacity: every egress node full.
    for n in e.sim.items("/api/v1/nodes"):
        if n["metadata"]["labels"].get("egressGateway") == "true":
            e.annotate("node", n["metadata"]["name"], ANN_CAP, "0")
    e.namespace("no-capacity", ipam)
    wait_for(lambda: e.ips_of("no-capacity"), 10)
    rc, out = ctl(e, "explain", "namespace/no-capacity")
    t.ok(wait_for(lambda: "NoCapacity" in ctl(
        e, "explain", "namespace/no-capacity")[1], 10),
        "explain: a namespace without capacity says NoCapacity",
        ctl(e, "explain", "namespace/no-capacity")[1])
    rc, out = ctl(e, "explain", "node/worker-0")
    t.ok("capacity is 0 (from its capacity annotation)" in out,
         "explain node: capacity and where it comes from", out)

    # A manual-IP error halts the IPAM: both sides explained.
    e.namespace("manual-bad", ipam, "10.0.0.1")
    wait_for(lambda: "rejected" in ctl(e, "explain",
                                       "namespace/manual-bad")[1], 10)
    rc, out = ctl(e, "explain", "namespace/manual-bad")
    t.ok("Its egressips annotation is rejected" in out and
         "not inside" in out, "explain: the rejected manual IP and why", out)
    e.namespace("halted", ipam)
    rc, out = ctl(e, "explain", "namespace/halted")
    t.ok(wait_for(lambda: "halted by another namespace" in ctl(
        e, "explain", "namespace/halted")[1], 10),
        "explain: a namespace waiting behind a halted IPAM says why")

    # plan: the README example with a CIDR added, written nowhere.
    with open(os.path.join(e.sim.state, "egressipam.yaml")) as f:
        y = f.read()
    y2 = y.replace('  topologyLabel:', '  - labelValue: "edge"\n'
                   '    CIDR: "192.170.0.0/30"\n  topologyLabel:')
    path = os.path.join(e.sim.dir, "plan.yaml")
    with open(path, "w") as f:
        f.write(y2)
    before = e.ipam(ipam)["metadata"]["resourceVersion"]
    rc, out = ctl(e, "plan", "-f", path)
    t.ok(rc == 0 and "would be updated" in out and
         "CIDR 192.170.0.0/30" in out and "NOT ENOUGH" in out and
         "no node would carry" in out,
         "plan: the added CIDR, its free addresses and the shortage", out)
    rc, js = ctl(e, "-o", "json", "plan", "-f", path)
    p = json.loads(js)
    t.ok([c["change"] for c in p["cidrs"]] == ["kept", "added"] and
         p["mode"] == "explicit", "plan -o json: CIDRs and the HostSubnet "
         "mode switch")
    t.ok(e.ipam(ipam)["metadata"]["resourceVersion"] == before,
         "plan writes nothing")
    bad = y.replace('"192.169.0.0/24"', '"192.169.0.0/33"')
    with open(path, "w") as f:
        f.write(bad)
    rc, out = ctl(e, "plan", "-f", path)
    t.ok("ERROR" in out and "invalid" in out, "plan reports an invalid spec",
         out)
finally:
    e.close()

# plan for the upstream README's AWS example on the aws scenario.
e = Env("aws")
try:
    t.ok(e.ready(), "aws: operator ready")
    path = os.path.join(e.sim.dir, "aws.yaml")
    with open(path, "w") as f:
        f.write(open(os.path.join(e.sim.state, "egressipam.yaml")).read())
    e.namespace("waiting-for-ipam", "egressipam-aws")
    rc, out = ctl(e, "plan", "-f", path)
    t.ok(rc == 0 and "would be created" in out and out.count(
        "is added") == 3 and "1 namespace(s) opted in: 1 would get new IPs"
        in out, "plan: the README's AWS EgressIPAM, before it exists", out)
finally:
    e.close()
t.done()
