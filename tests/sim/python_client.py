#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Fidelity of eipam-sim against Debian's python3-kubernetes: list, watch
(it sends watch=True), patch, a 409 conflict, a 410 re-list, plus raw
bad requests, faults, the change record and token rotation."""
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import http.client

try:
    import kubernetes
    from kubernetes import client, config, watch
    from kubernetes.client.rest import ApiException
except ImportError:
    print("1..0 # SKIP python3-kubernetes not installed")
    sys.exit(0)

TOP = os.environ.get("top_builddir", ".")
N = 0
FAILED = False


def ok(cond, name):
    global N, FAILED
    N += 1
    print(("ok" if cond else "not ok"), N, "-", name, flush=True)
    if not cond:
        FAILED = True


def start_sim(tmp, *args):
    state = os.path.join(tmp, "state")
    out = open(os.path.join(tmp, "out"), "w+")
    p = subprocess.Popen([os.path.join(TOP, "eipam-sim"), "--state-dir",
                          state, "--port", "0", *args], stdout=out,
                         stderr=open(os.path.join(tmp, "err"), "w"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        out.seek(0)
        line = out.read()
        if line.startswith("eipam-sim ready on "):
            return p, state, line.split()[-1]
        if p.poll() is not None:
            break
        time.sleep(0.05)
    print("Bail out! eipam-sim did not start")
    sys.exit(1)


def ctl(state, method, path, body=None):
    port = int(open(os.path.join(state, "sim.port")).read())
    tok = open(os.path.join(state, "control-token")).read().strip()
    ctx = ssl.create_default_context(cafile=os.path.join(state, "ca.crt"))
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx,
                                    timeout=10)
    c.request(method, path, body=json.dumps(body) if body is not None
              else None, headers={"Authorization": "Bearer " + tok})
    r = c.getresponse()
    data = json.loads(r.read() or b"{}")
    c.close()
    return r.status, data


def raw(state, method, path, body=None, ctype="application/json",
        token=None):
    port = int(open(os.path.join(state, "sim.port")).read())
    tok = token or open(os.path.join(state, "token")).read().strip()
    ctx = ssl.create_default_context(cafile=os.path.join(state, "ca.crt"))
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx,
                                    timeout=10)
    h = {"Authorization": "Bearer " + tok}
    if ctype:
        h["Content-Type"] = ctype
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    text = r.read()
    c.close()
    try:
        return r.status, json.loads(text)
    except ValueError:
        return r.status, {}


def main():
    tmp = tempfile.mkdtemp()
    proc, state, url = start_sim(tmp, "--scenario", "ovn", "--history",
                                 "200")
    try:
        run(state)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = -1
        ok(rc == 0, "SIGTERM exits 0")
        shutil.rmtree(tmp)
    print("1..%d" % N)
    sys.exit(1 if FAILED else 0)


def run(state):
    config.load_kube_config(os.path.join(state, "kubeconfig"))
    v1 = client.CoreV1Api()
    co = client.CustomObjectsApi()

    nss = v1.list_namespace(field_selector="metadata.name!=kube-system",
                            limit=3)
    ok(len(nss.items) == 3 and nss.metadata._continue,
       "list with a field selector and limit gives a continue token")
    rest = v1.list_namespace(field_selector="metadata.name!=kube-system",
                             limit=100, _continue=nss.metadata._continue)
    names = [n.metadata.name for n in nss.items + rest.items]
    ok("kube-system" not in names and "default" in names
       and len(names) == len(set(names)),
       "continue returns the rest, once")

    nodes = v1.list_node(label_selector="node-role.kubernetes.io/worker,"
                         "egressGateway in (true)")
    ok(len(nodes.items) == 3, "label selector with in (...)")

    # Watch with bookmarks: python sends watch=True&allowWatchBookmarks=True.
    rv = v1.list_namespace().metadata.resource_version
    seen = []

    def watcher():
        w = watch.Watch()
        for ev in w.stream(v1.list_namespace, resource_version=rv,
                           timeout_seconds=3, allow_watch_bookmarks=True):
            seen.append((ev["type"], ev["object"].metadata.name,
                         ev["object"].metadata.resource_version))
    t = threading.Thread(target=watcher)
    t.start()
    time.sleep(0.3)
    v1.create_namespace(client.V1Namespace(
        metadata=client.V1ObjectMeta(name="py-a")))
    v1.patch_namespace("py-a", {"metadata": {"labels": {"x": "1"}}})
    t.join(10)
    types = [s[0] for s in seen if s[1] == "py-a"]
    ok(types[:2] == ["ADDED", "MODIFIED"],
       "watch=True streams ADDED then MODIFIED (%s)" % types)
    ok(not t.is_alive(), "the watch ends at timeoutSeconds")

    # The change record: the watch saw every change of py-a, in order.
    st, rec = ctl(state, "GET",
                  "/sim/v1/changes?resource=namespaces&name=py-a")
    want = [[c[1], str(c[0])] for c in rec["changes"]]
    got = [[s[0], s[2]] for s in seen if s[1] == "py-a"]
    ok(st == 200 and want == got,
       "change record matches what the client saw (%s / %s)" % (want, got))

    # Patch with a list body is a JSON patch.
    v1.patch_namespace("py-a", [{"op": "add",
                                 "path": "/metadata/annotations",
                                 "value": {"a": "b"}}])
    ok(v1.read_namespace("py-a").metadata.annotations == {"a": "b"},
       "a list body patches as json-patch")

    # 409 on a stale resourceVersion, with the exact Status.
    cm = v1.create_namespaced_config_map("py-a", client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="c1"), data={"k": "1"}))
    v1.patch_namespaced_config_map("c1", "py-a", {"data": {"k": "2"}})
    cm.data = {"k": "3"}
    try:
        v1.replace_namespaced_config_map("c1", "py-a", cm)
        ok(False, "stale PUT gets 409")
    except ApiException as e:
        body = json.loads(e.body)
        ok(e.status == 409 and body["reason"] == "Conflict" and
           "the object has been modified" in body["message"],
           "stale PUT gets 409 Conflict")
    try:
        v1.create_namespaced_config_map("py-a", client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name="c1")))
        ok(False, "create of an existing name gets 409")
    except ApiException as e:
        ok(e.status == 409 and json.loads(e.body)["reason"] ==
           "AlreadyExists", "create of an existing name gets 409 "
           "AlreadyExists")

    # Custom resources: PUT without resourceVersion 422.
    eip = {"apiVersion": "k8s.ovn.org/v1", "kind": "EgressIP",
           "metadata": {"name": "eip-py"},
           "spec": {"egressIPs": ["192.169.0.200"]}}
    co.create_cluster_custom_object("k8s.ovn.org", "v1", "egressips", eip)
    try:
        co.replace_cluster_custom_object("k8s.ovn.org", "v1", "egressips",
                                         "eip-py", eip)
        ok(False, "PUT of a CR without resourceVersion gets 422")
    except ApiException as e:
        ok(e.status == 422, "PUT of a CR without resourceVersion gets 422")

    # OVN placement: label workers egress-assignable, status.items appears.
    for n in ("worker-0", "worker-1"):
        v1.patch_node(n, {"metadata": {"labels": {
            "k8s.ovn.org/egress-assignable": ""}}})
    deadline = time.monotonic() + 5
    items = []
    while time.monotonic() < deadline and not items:
        items = co.get_cluster_custom_object(
            "k8s.ovn.org", "v1", "egressips", "eip-py").get(
                "status", {}).get("items", [])
        time.sleep(0.05)
    ok(len(items) == 1 and items[0]["egressIP"] == "192.169.0.200" and
       items[0]["node"] in ("worker-0", "worker-1"),
       "OVN places the EgressIP on an egress-assignable node")

    # 410: push the history window past an old rv, then re-list.
    old_rv = rv
    for i in range(250):
        v1.patch_namespaced_config_map("c1", "py-a", {"data": {"i": str(i)}})
    try:
        w = watch.Watch()
        for ev in w.stream(v1.list_namespace, resource_version=old_rv,
                           timeout_seconds=2):
            pass
        ok(False, "watch from a too-old resourceVersion gets 410")
    except ApiException as e:
        ok(e.status == 410, "watch from a too-old resourceVersion gets 410")
    fresh = v1.list_namespace()
    got = []
    for ev in watch.Watch().stream(v1.list_namespace, timeout_seconds=1,
                                   resource_version=fresh.metadata
                                   .resource_version):
        got.append(ev)
    ok(True, "re-list and re-watch after 410 work")

    # Faults: 503 on a route, then cleared.
    ctl(state, "POST", "/sim/v1/faults",
        {"route": "/api/v1/nodes", "error_rate": 1.0, "code": 503})
    st, body = raw(state, "GET", "/api/v1/nodes")
    ok(st == 503 and body.get("reason") == "ServiceUnavailable",
       "an injected fault answers 503 with a Status")
    ctl(state, "DELETE", "/sim/v1/faults")
    st, _ = raw(state, "GET", "/api/v1/nodes")
    ok(st == 200, "faults cleared")
    ctl(state, "POST", "/sim/v1/faults",
        {"route": "/api/v1/namespaces", "watch_gone_next": True})
    try:
        for ev in watch.Watch().stream(v1.list_namespace, timeout_seconds=2,
                                       resource_version=fresh.metadata
                                       .resource_version):
            pass
        ok(False, "watch_gone_next gives the next watch a 410")
    except ApiException as e:
        ok(e.status == 410, "watch_gone_next gives the next watch a 410")

    # Bad requests get the right Status.
    st, body = raw(state, "POST", "/api/v1/namespaces", b"{nope")
    ok(st == 400 and body.get("reason") == "BadRequest",
       "malformed JSON: 400 BadRequest")
    st, body = raw(state, "POST", "/api/v1/namespaces", b"{}",
                   ctype="text/plain")
    ok(st == 415 and body.get("reason") == "UnsupportedMediaType",
       "wrong content type: 415")
    st, body = raw(state, "PATCH", "/api/v1/namespaces/py-a", b"{}",
                   ctype="application/xml")
    ok(st == 415, "unknown patch type: 415")
    st, body = raw(state, "POST", "/api/v1/namespaces/py-a/configmaps",
                   b"{" + b" " * (3 * 1024 * 1024 + 10) + b"}")
    ok(st == 413 and body.get("reason") == "RequestEntityTooLarge",
       "oversized body: 413")
    st, body = raw(state, "GET", "/apis/nope.io/v1/things")
    ok(st == 404 and body.get("reason") == "NotFound",
       "unknown path: 404 NotFound")
    st, body = raw(state, "GET", "/api/v1/namespaces",
                   token="not-a-token")
    ok(st == 401 and body.get("reason") == "Unauthorized",
       "unknown token: 401")
    st, body = raw(state, "GET", "/api/v1/nodes?labelSelector=a%20b")
    ok(st == 400, "bad label selector: 400")

    # Token rotation: the old token stops working, the new file works.
    old = open(os.path.join(state, "token")).read().strip()
    st, _ = ctl(state, "POST", "/sim/v1/tokens/rotate", {})
    st_old, _ = raw(state, "GET", "/api/v1/namespaces", token=old)
    st_new, _ = raw(state, "GET", "/api/v1/namespaces")
    ok(st == 200 and st_old == 401 and st_new == 200,
       "token rotation: old 401, new 200")

    st, stats = ctl(state, "GET", "/sim/v1/stats")
    ok(st == 200 and stats["by_code"].get("409", 0) >= 2 and
       stats["writes_by_kind"].get("ConfigMap", 0) >= 250,
       "request statistics count codes and writes per kind")


main()
