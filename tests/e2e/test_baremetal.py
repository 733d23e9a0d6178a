# SPDX-License-Identifier: Apache-2.0
"""End to end, bare metal with one CIDR (the upstream README's example,
reserved IP outside its CIDR included): assignment, CIDR-mode HostSubnets,
opt-out, deletion, manual IPs valid and invalid (halt), then the isolate
policy.  Observed through the simulator only."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from env import ANN_IPAM, ANN_IPS, Env, Tap, wait_for  # noqa: E402

t = Tap()
e = Env("baremetal")
try:
    t.ok(e.ready(), "operator ready against eipam-sim", e.op.logtext())
    ipam = e.apply_sample_ipam()
    t.ok(ipam == "example-egressipam", "README EgressIPAM applied as written")
    for ns in ("egressipam-baremetal-test", "egressipam-baremetal-test2"):
        e.namespace(ns, ipam)
    bad = e.converged()
    t.ok(not bad, "both README namespaces hold an IP, NetNamespaces and "
         "HostSubnets agree", "\n".join(bad or []))
    ips = e.ips_of("egressipam-baremetal-test") or []
    t.ok(len(ips) == 1 and ips[0].startswith("192.169.0."),
         "one IP of 192.169.0.0/24: %s" % ips)
    ready = e.condition(ipam, "Ready")
    t.ok(ready and ready["status"] == "True" and "192.159.0.5" in
         ready.get("message", ""), "Ready, and the condition names the "
         "reserved IP outside the CIDR", ready)
    t.ok(wait_for(lambda: any("192.159.0.5" in ev.get("message", "")
                              for ev in e.events(kind="EgressIPAM")), 5),
         "a Warning event reports the reserved IP outside its CIDR")
    err = e.condition(ipam, "ReconcileError")
    t.ok(err is None or err["status"] == "False",
         "ReconcileError is not True alongside success")

    # Opt-out: the IP is released everywhere.
    released = e.ips_of("egressipam-baremetal-test2")[0]
    e.annotate("namespace", "egressipam-baremetal-test2", ANN_IPAM)
    t.ok(wait_for(lambda: e.ips_of("egressipam-baremetal-test2") is None, 10),
         "opt-out removes the egressips annotation")
    t.ok(not e.converged(), "after opt-out: NetNamespace emptied, nothing "
         "left behind")

    # Manual IPs: a valid one is taken as given.
    manual = e.unheld_ip("192.169.0.77")
    e.namespace("manual-ok", ipam, manual)
    t.ok(not e.converged() and e.ips_of("manual-ok") == [manual],
         "a valid manual IP is kept", e.ips_of("manual-ok"))
    # Deleting a namespace frees its IP.
    e.kubectl("delete", "namespace", "manual-ok", "--wait=false")
    t.ok(not e.converged(), "namespace deleted: its IP released")

    # Invalid manual IPs halt the whole IPAM (default policy).
    e.namespace("manual-bad", ipam, "10.0.0.1")
    t.ok(wait_for(lambda: (e.condition(ipam, "ReconcileError") or {}).get(
        "status") == "True", 10), "invalid manual IP: ReconcileError True")
    msg = (e.condition(ipam, "ReconcileError") or {}).get("message", "")
    t.ok("manual-bad" in msg, "the condition names the namespace: %s" % msg)
    t.ok(wait_for(lambda: e.events("ProcessingError", about="manual-bad",
                                   kind="Namespace"), 5) and
         e.events("ProcessingError", about=ipam, kind="EgressIPAM"),
         "ProcessingError events on the namespace and the EgressIPAM")
    e.namespace("after-halt", ipam)
    wait_for(lambda: e.ips_of("after-halt"), 3, scale=False)  # must NOT come
    t.ok(e.ips_of("after-halt") is None, "halted: a new namespace gets "
         "nothing while the error stands")
    t.ok(e.ips_of("egressipam-baremetal-test") == ips,
         "halted: what was assigned is kept")
    e.annotate("namespace", "manual-bad", ANN_IPS,
               e.unheld_ip("192.169.0.88"))
    t.ok(wait_for(lambda: e.ips_of("after-halt"), 10) and not e.converged(),
         "fixing the annotation resumes processing", e.op.logtext()[-3000:])

    # A pool exhausted, then freed: the waiting namespace gets the address.
    e.node_add("tiny-0", "zone-t", "edge", "10.51.0.0/24")
    e.sim.ctl("node-label", "tiny-0", "tiny=yes")
    e.apply({"apiVersion": "redhatcop.redhat.io/v1alpha1",
             "kind": "EgressIPAM", "metadata": {"name": "tiny"},
             "spec": {"cidrAssignments": [{"labelValue": "yes",
                                           "CIDR": "10.50.0.0/30"}],
                      "topologyLabel": "tiny",
                      "nodeSelector": {"matchLabels": {"tiny": "yes"}}}})
    for n in ("tiny-a", "tiny-b", "tiny-c"):
        e.namespace(n, "tiny")
    wait_for(lambda: sum(1 for n in ("tiny-a", "tiny-b", "tiny-c")
                         if e.ips_of(n)) == 2, 10)
    waiting = [n for n in ("tiny-a", "tiny-b", "tiny-c") if not e.ips_of(n)]
    got = sorted(ip for n in ("tiny-a", "tiny-b", "tiny-c")
                 for ip in e.ips_of(n) or [])
    t.ok(len(waiting) == 1 and got == ["10.50.0.1", "10.50.0.2"],
         "a /30 gives its two usable addresses, the third namespace waits",
         (waiting, got))
    t.ok(wait_for(lambda: e.events("CIDRExhausted", about=waiting[0]), 5),
         "the waiting namespace gets a CIDRExhausted event")
    def exhausted():
        c = e.condition("tiny", "Ready") or {}
        return c.get("status") == "False" and "10.50.0.0/30" in \
            c.get("message", "")
    t.ok(wait_for(exhausted, 10), "the IPAM's condition says the pool is "
         "exhausted", e.condition("tiny", "Ready"))
    freed = [n for n in ("tiny-a", "tiny-b", "tiny-c") if n not in waiting][0]
    e.kubectl("delete", "namespace", freed, "--wait=false")
    t.ok(wait_for(lambda: e.ips_of(waiting[0]), 10) and
         not e.converged(), "an address frees: the waiting namespace gets it")
finally:
    e.close()

# --manual-ip-errors=isolate: only the offending namespace is skipped.
e = Env("baremetal", flags=["--manual-ip-errors=isolate"])
try:
    t.ok(e.ready(), "operator ready (isolate)")
    ipam = e.apply_sample_ipam()
    e.namespace("bad", ipam, "192.169.0.0")
    e.namespace("good", ipam)
    t.ok(wait_for(lambda: e.ips_of("good"), 10),
         "isolate: other namespaces are still served")
    t.ok(e.ips_of("bad") == ["192.169.0.0"] and wait_for(
        lambda: e.events("InvalidManualIPs", about="bad"), 5),
         "isolate: the bad namespace is reported, its annotation untouched")
    t.ok(not e.converged(waiting=("bad",)), "isolate: invariants hold")
finally:
    e.close()
t.done()
