#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# The watcher's writes against the fake API server: every W_* message
# builds the right request; 409 sends the fresh object before the result;
# 503 with Retry-After is retried and honoured; a read-only token gets
# clear 403s and loses nothing once a good token is back; Events are
# aggregated; the CredentialsRequest is created, then updated.
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wtest import Driver, Fake, Tap, cleanup, ns, tmpdir, wait  # noqa: E402

A = "egressip-ipam-operator.redhat-cop.io/"
NSC = "/api/v1/namespaces"
EIPC = "/apis/k8s.ovn.org/v1/egressips"
t = Tap(23)
tmp = tmpdir()
fake = Fake(tmp)
corr = [0]


def result(d, c, timeout=15):
    r = wait(lambda: d.of("W_RESULT") and
             [x for x in d.of("W_RESULT") if x["corr"] == c], timeout)
    return r[0]["b"] if r else None


def write(d, t_, body, timeout=15):
    corr[0] += 1
    d.send(t_, body, corr[0])
    return corr[0], result(d, corr[0], timeout)


def get(coll, name):
    return fake.ctl("get", {"coll": coll, "name": name})


try:
    fake.ctl("apply", [
        {"coll": NSC, "obj": ns("team-a", {A + "egressipam": "ipam1"})},
        {"coll": "/api/v1/nodes", "obj": {"metadata": {"name": "w1",
                                          "labels": {"zone": "a"}}}},
        {"coll": "/apis/network.openshift.io/v1/netnamespaces",
         "obj": {"metadata": {"name": "team-a"}, "netid": 5}},
        {"coll": "/apis/network.openshift.io/v1/hostsubnets",
         "obj": {"metadata": {"name": "w1"}, "host": "w1",
                 "hostIP": "10.0.0.11"}},
        {"coll": "/apis/redhatcop.redhat.io/v1alpha1/egressipams",
         "obj": {"metadata": {"name": "ipam1"}, "spec": {
             "topologyLabel": "zone", "cidrAssignments": [
                 {"CIDR": "10.0.0.0/24", "labelValue": "a"}]}}}])
    d = Driver(fake.kubeconfig(token="rw-token"), "--forbidden-max-ms",
               "800")
    t.ok(wait(lambda: len(d.of("SYNCED")) == 8, 30), "all kinds synced")
    rv = get(NSC, "team-a")["metadata"]["resourceVersion"]
    c, r = write(d, "W_NS_EGRESSIPS", {"name": "team-a", "rv": rv,
                                       "egressips": "10.0.0.7"})
    cur = get(NSC, "team-a")
    t.ok(r and r["ok"] and r["rv"] == cur["metadata"]["resourceVersion"] and
         cur["metadata"]["annotations"][A + "egressips"] == "10.0.0.7" and
         cur["metadata"]["annotations"][A + "egressipam"] == "ipam1",
         "W_NS_EGRESSIPS merge-patches the annotation, result has the new rv")
    # Stale rv: 409, and the fresh object reaches the allocator first.
    fake.ctl("apply", [{"coll": NSC, "merge": True,
                        "obj": ns("team-a", {"user": "edit"})}])
    fresh = get(NSC, "team-a")["metadata"]["resourceVersion"]
    c, r = write(d, "W_NS_EGRESSIPS", {"name": "team-a", "rv": rv,
                                       "egressips": None})
    idx = [i for i, l in enumerate(d.lines) if l["t"] == "W_RESULT" and
           l["corr"] == c]
    before = [l for l in d.lines[:idx[0]] if l["t"] == "OBJ_NAMESPACE" and
              l["b"]["rv"] == fresh] if idx else []
    t.ok(r and not r["ok"] and r["code"] == 409 and r["reason"] == "Conflict",
         "a stale rv gives W_RESULT 409 Conflict")
    t.ok(len(before) == 1, "the fresh object was sent before the 409 result")
    c, r = write(d, "W_NS_EGRESSIPS", {"name": "team-a", "egressips": None})
    t.ok(r and r["ok"] and A + "egressips" not in
         get(NSC, "team-a")["metadata"]["annotations"],
         "null removes the annotation (no rv: unconditional)")

    c, r = write(d, "W_EGRESSIP", {"name": "eipam-team-a", "namespace":
                                   "team-a", "namespace_uid": "uid-1",
                                   "ipam": "ipam1",
                                   "egress_ips": ["10.0.0.7"]})
    e = get(EIPC, "eipam-team-a")
    t.ok(r and r["ok"] and e["spec"]["egressIPs"] == ["10.0.0.7"] and
         e["spec"]["namespaceSelector"]["matchLabels"] ==
         {"kubernetes.io/metadata.name": "team-a"} and
         e["metadata"]["ownerReferences"] == [{"apiVersion": "v1", "kind":
            "Namespace", "name": "team-a", "uid": "uid-1"}] and
         e["metadata"]["labels"] == {A + "egressipam": "ipam1"},
         "W_EGRESSIP without rv creates the EgressIP owned by the Namespace")
    c, r = write(d, "W_EGRESSIP", {"name": "eipam-team-a", "rv":
                                   e["metadata"]["resourceVersion"],
                                   "namespace": "team-a", "namespace_uid":
                                   "uid-1", "ipam": "ipam1",
                                   "egress_ips": ["10.0.0.8"]})
    t.ok(r and r["ok"] and get(EIPC, "eipam-team-a")["spec"]["egressIPs"] ==
         ["10.0.0.8"], "W_EGRESSIP with rv patches spec.egressIPs")
    c, r = write(d, "W_EGRESSIP_DELETE", {"name": "eipam-team-a",
                                          "uid": "wrong"})
    t.ok(r and not r["ok"] and r["code"] == 409,
         "W_EGRESSIP_DELETE with a wrong uid precondition fails")
    c, r = write(d, "W_EGRESSIP_DELETE", {"name": "eipam-team-a",
                                          "uid": e["metadata"]["uid"]})
    c2, r2 = write(d, "W_EGRESSIP_DELETE", {"name": "eipam-team-a"})
    t.ok(r and r["ok"] and get(EIPC, "eipam-team-a") is None and r2["ok"] and
         r2["code"] == 404, "W_EGRESSIP_DELETE deletes; a second is ok (404)")

    c, r = write(d, "W_NODE_ASSIGNABLE", {"name": "w1", "assignable": True,
                                          "ipam": "ipam1"})
    n = get("/api/v1/nodes", "w1")["metadata"]
    ok1 = r["ok"] and n["labels"].get("k8s.ovn.org/egress-assignable") == "" \
        and n["annotations"][A + "egress-assignable-by"] == "ipam1"
    c, r = write(d, "W_NODE_ASSIGNABLE", {"name": "w1", "assignable": False,
                                          "ipam": "ipam1"})
    n = get("/api/v1/nodes", "w1")["metadata"]
    t.ok(ok1 and r["ok"] and n["labels"] == {"zone": "a"} and
         A + "egress-assignable-by" not in n.get("annotations", {}),
         "W_NODE_ASSIGNABLE sets, then removes, the label and its record")

    hs = get("/apis/network.openshift.io/v1/hostsubnets", "w1")
    c, r = write(d, "W_HOSTSUBNET", {"name": "w1", "rv":
                                     hs["metadata"]["resourceVersion"],
                                     "egress_ips": ["10.0.0.7"],
                                     "egress_cidrs": []})
    c2, r2 = write(d, "W_NETNAMESPACE", {"name": "team-a",
                                         "egress_ips": ["10.0.0.7"]})
    t.ok(r["ok"] and r2["ok"] and get(
        "/apis/network.openshift.io/v1/hostsubnets", "w1")["egressIPs"] ==
        ["10.0.0.7"] and get("/apis/network.openshift.io/v1/netnamespaces",
                             "team-a")["egressIPs"] == ["10.0.0.7"],
        "W_HOSTSUBNET and W_NETNAMESPACE patch egressIPs")

    IPC = "/apis/redhatcop.redhat.io/v1alpha1/egressipams"
    ip = get(IPC, "ipam1")
    c, r = write(d, "W_IPAM_FINALIZERS", {"name": "ipam1", "rv":
                                          ip["metadata"]["resourceVersion"],
                                          "finalizers": [A + "cleanup"]})
    c2, r2 = write(d, "W_IPAM_STATUS", {"name": "ipam1", "status": {
        "conditions": [{"type": "Ready", "status": "True", "reason": "Ok"}],
        "namespaces": 1}})
    ip = get(IPC, "ipam1")
    reqs = fake.ctl("requests")
    t.ok(r["ok"] and r2["ok"] and ip["metadata"]["finalizers"] ==
         [A + "cleanup"] and ip["status"]["namespaces"] == 1 and
         ["PATCH", IPC + "/ipam1/status", "application/merge-patch+json"]
         in reqs, "finalizers patched; status patched on /status")
    t.ok(all(q[2] == "application/merge-patch+json" for q in reqs
             if q[0] == "PATCH"), "every PATCH is a JSON merge patch")

    ev = {"involved": {"kind": "EgressIPAM", "name": "ipam1", "uid": "u"},
          "type": "Warning", "reason": "CIDRExhausted", "message": "full"}
    write(d, "W_EVENT", ev)
    c, r = write(d, "W_EVENT", ev)
    # The Event expired on the server: the next repeat creates a new one.
    for e in fake.ctl("list", {"coll": "/api/v1/namespaces/default/events"}):
        fake.ctl("apply", [{"coll": "/api/v1/namespaces/default/events",
                            "delete": e["metadata"]["name"]}])
    c3, r3 = write(d, "W_EVENT", ev)
    evs3 = fake.ctl("list", {"coll": "/api/v1/namespaces/default/events"})
    t.ok(r3 and r3["ok"] and len(evs3) == 1 and evs3[0]["count"] == 1,
         "a repeat of an Event gone from the server creates a new one")
    for e in evs3:
        fake.ctl("apply", [{"coll": "/api/v1/namespaces/default/events",
                            "delete": e["metadata"]["name"]}])
    write(d, "W_EVENT", ev)
    c, r = write(d, "W_EVENT", ev)
    evs = fake.ctl("list", {"coll": "/api/v1/namespaces/default/events"})
    t.ok(r["ok"] and len(evs) == 1 and evs[0]["count"] == 2 and
         evs[0]["involvedObject"]["apiVersion"] ==
         "redhatcop.redhat.io/v1alpha1" and
         evs[0]["source"]["component"] == "EgressIPAM_controller" and
         re.match(r"^ipam1\.[0-9a-f]+$", evs[0]["metadata"]["name"]),
         "a repeated Event in default is counted, not duplicated")

    c, r = write(d, "W_CREDREQ", {"platform": "AWS",
                                  "secret_namespace": "eipam"})
    CR = ("/apis/cloudcredential.openshift.io/v1/namespaces/"
          "openshift-cloud-credential-operator/credentialsrequests")
    cr = get(CR, "egress-ipam-operator")
    acts = cr["spec"]["providerSpec"]["statementEntries"][0]["action"] \
        if cr else []
    t.ok(r["ok"] and len(acts) == 6 and cr["spec"]["secretRef"] ==
         {"name": "egress-ipam-operator-cloud-credentials",
          "namespace": "eipam"}, "W_CREDREQ creates the CredentialsRequest")
    c, r = write(d, "W_CREDREQ", {"platform": "Azure",
                                  "secret_namespace": "eipam"})
    cr = get(CR, "egress-ipam-operator")
    t.ok(r["ok"] and cr["spec"]["providerSpec"]["kind"] ==
         "AzureProviderSpec", "a second W_CREDREQ updates it")

    # 503 + Retry-After: honoured; too many: reported.
    fake.ctl("config", {"fail": {"n": 2, "code": 503, "retry_after": 1}})
    t0 = time.time()
    c, r = write(d, "W_NS_EGRESSIPS", {"name": "team-a", "egressips": "10.0.0.9"})
    t.ok(r and r["ok"] and time.time() - t0 >= 1.9,
         "503 twice with Retry-After 1: retried after >= 2 s, then ok")
    # A restarted allocator's replay comes after the writes its
    # predecessor had handed over, and carries what they wrote.
    fake.ctl("config", {"fail": {"n": 1, "code": 503, "retry_after": 1}})
    corr[0] += 1
    c = corr[0]
    n0 = len(d.lines)
    d.send("W_NS_EGRESSIPS", {"name": "team-a", "egressips": "10.0.0.10"}, c)
    d.send("RESYNC")
    r = result(d, c, 15)
    # The replay's own SYNCED (one per kind), not earlier ones.
    synced = wait(lambda: sum(1 for l in d.lines[n0:]
                              if l["t"] == "SYNCED") >= 8, 15)
    after = d.lines[n0:]
    ir = [i for i, l in enumerate(after) if l["t"] == "W_RESULT" and
          l["corr"] == c]
    replayed = [l["b"] for l in after[ir[0]:] if l["t"] == "OBJ_NAMESPACE"
                and l["b"]["name"] == "team-a"] if ir else []
    first_sync = min([i for i, l in enumerate(after) if l["t"] == "SYNCED"]
                     or [-1])
    t.ok(r and r["ok"] and synced and first_sync > ir[0] and replayed and
         replayed[0].get("egressips") ==
         "10.0.0.10", "RESYNC while a write is retried: the replay comes "
         "after its result and carries what it wrote")
    if not (replayed and first_sync > (ir or [0])[0]):
        t.diag("result %r, first SYNCED at %r, result at %r, replayed %r" %
               (r, first_sync, ir, replayed[:1]))
    fake.ctl("config", {"fail": {"n": 50, "code": 429, "retry_after": 0}})
    c, r = write(d, "W_NS_EGRESSIPS", {"name": "team-a", "egressips": "x"},
                 timeout=60)
    t.ok(r and not r["ok"] and r["code"] == 429, "429 without end: reported "
         "after the bounded tries")
    fake.ctl("config", {"fail": {"n": 0, "code": 503, "retry_after": None}})

    # Read-only token: clear 403s, nothing lost.
    fake.ctl("config", {"rw": [], "ro": ["rw-token"]})
    corr[0] += 1
    c = corr[0]
    d.send("W_NS_EGRESSIPS", {"name": "team-a", "egressips": "10.0.0.42"}, c)
    t.ok(wait(lambda: d.stderr_has("refused") and d.stderr_has("403"), 10)
         and result(d, c, 1) is None, "a read-only token: the 403 is logged "
         "clearly and the write is kept")
    fake.ctl("config", {"rw": ["rw-token"], "ro": []})
    r = result(d, c, 15)
    t.ok(r and r["ok"] and get(NSC, "team-a")["metadata"]["annotations"]
         [A + "egressips"] == "10.0.0.42",
         "once the token may write, the kept write goes through")
    d.send("STATS")
    st = wait(lambda: [l for l in d.lines if l.get("t") == "STATS"], 10)
    t.ok(st and st[-1]["invalid"] == 0, "every message valid against the "
         "schema")
    d.stop()
except Exception as ex:
    t.diag("exception: %r" % ex)
    t.diag("\n".join(d.err[-15:]))
finally:
    fake.stop()
    cleanup(tmp)
t.done()
