#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# deploy/ against the running simulator: start eipam-sim (scenario
# baremetal, port 0, 127.0.0.1), apply the CRD, the RBAC and the upstream
# README's sample EgressIPAMs (and upstream's test/ bare-metal samples)
# with kubectl, and read every object back unchanged.  kubectl runs with a
# throwaway HOME and the simulator's kubeconfig; --validate=false because
# the simulator serves no OpenAPI document.
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
import yaml  # noqa: E402

import deploylib as dl  # noqa: E402

t = dl.Tap()
build = os.environ.get("top_builddir") or dl.TOP
SIM = os.path.join(build, "eipam-sim")
if not os.access(SIM, os.X_OK) or not shutil.which("kubectl"):
    print("1..0 # SKIP eipam-sim not built or kubectl missing")
    sys.exit(0)

state = tempfile.mkdtemp(prefix="eipam-sim-deploy-")
home = tempfile.mkdtemp(prefix="eipam-kubectl-")
env = dict(os.environ, HOME=home, KUBECONFIG=os.path.join(state, "kubeconfig"))
sim = subprocess.Popen([SIM, "--state-dir", state, "--port", "0", "--scenario", "baremetal"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_ready(timeout=20.0):
    """The 'ready on' line and sim.port, within a bound."""
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        r, _, _ = select.select([sim.stdout], [], [], 0.2)
        if r:
            line = sim.stdout.readline()
            if not line:
                break
            seen += line
            if "ready on https://127.0.0.1:" in line:
                port_file = os.path.join(state, "sim.port")
                while time.monotonic() < deadline:
                    if os.path.exists(port_file) and os.path.getsize(port_file) > 0:
                        return True, seen
                    time.sleep(0.05)
                return False, seen + "(no sim.port)"
        if sim.poll() is not None:
            break
    return False, seen


def kubectl(*args, stdin=None):
    return subprocess.run(["kubectl", *args], env=env, input=stdin, capture_output=True, text=True, timeout=60)


def apply(path):
    return kubectl("apply", "--validate=false", "-f", path)


def get(kind, name, ns=None):
    args = ["get", kind, name, "-o", "json"] + (["-n", ns] if ns else [])
    r = kubectl(*args)
    return json.loads(r.stdout) if r.returncode == 0 else None


try:
    ok, log = wait_ready()
    t.ok(ok, "eipam-sim starts and prints its ready line", log)
    if not ok:
        t.done()

    # The CRD.
    r = apply(dl.CRD_FILE)
    crd = dl.load(dl.CRD_FILE)
    back = get("crd", crd["metadata"]["name"])
    t.ok(r.returncode == 0 and back and back["spec"]["versions"] == crd["spec"]["versions"]
         and back["spec"]["names"]["kind"] == "EgressIPAM" and back["spec"]["scope"] == "Cluster",
         "the CRD applies and reads back unchanged (schema, printer columns, status subresource)", r.stderr)

    # RBAC: only where the simulator serves rbac.authorization.k8s.io.
    r = kubectl("api-resources", "--api-group=rbac.authorization.k8s.io", "-o", "name")
    if r.returncode == 0 and "clusterroles" in r.stdout:
        for ns in ("egressip-ipam-operator", "openshift-cloud-credential-operator"):
            kubectl("create", "namespace", ns)
        k = kubectl("kustomize", os.path.join(dl.DEPLOY, "rbac"))
        r = kubectl("apply", "--validate=false", "-f", "-", stdin=k.stdout)
        want = [d for d in yaml.safe_load_all(k.stdout) if d]
        bad = []
        for d in want:
            b = get(d["kind"], d["metadata"]["name"], d["metadata"].get("namespace"))
            if not b or b.get("rules") != d.get("rules") or b.get("subjects") != d.get("subjects"):
                bad.append("%s/%s" % (d["kind"], d["metadata"]["name"]))
        t.ok(r.returncode == 0 and not bad, "deploy/rbac applies and reads back (%d objects)" % len(want),
             r.stderr + " ".join(bad))
    else:
        t.skip("deploy/rbac applies and reads back",
               "eipam-sim does not serve rbac.authorization.k8s.io (no ClusterRole, Role, ServiceAccount)")

    # The README samples and upstream's test/ bare-metal samples.
    samples = [p for p in dl.yaml_files(os.path.join(dl.DEPLOY, "samples"))
               if os.path.basename(p) != "kustomization.yaml" and "upstream-test" not in p]
    samples += [os.path.join(dl.DEPLOY, "samples", "upstream-test", f) for f in
                ("egressIPAM-baremetal.yaml", "namespace-baremetal.yaml")]
    names = []
    for p in samples:
        r = apply(p)
        for d in dl.load_all(p):
            b = get(d["kind"], d["metadata"]["name"])
            if d["kind"] == "EgressIPAM":
                names.append(d["metadata"]["name"])
                same = b is not None and b.get("spec") == d["spec"]
            else:
                ann = (b or {}).get("metadata", {}).get("annotations", {})
                same = all(ann.get(k) == v for k, v in d["metadata"]["annotations"].items())
            t.ok(r.returncode == 0 and same, "kubectl apply %s: %s %s reads back unchanged"
                 % (os.path.relpath(p, dl.TOP), d["kind"], d["metadata"]["name"]), r.stderr)
    r = kubectl("get", "egressipams", "-o", "name")
    listed = sorted(x.split("/", 1)[1] for x in r.stdout.split())
    t.ok(listed == sorted(names), "kubectl get egressipams lists the %d samples" % len(names), listed)
    r = kubectl("delete", "egressipam", "example-egressipam", "--wait=false")
    t.ok(r.returncode == 0 and get("egressipam", "example-egressipam") is None,
         "a sample without finalizers deletes", r.stderr)
finally:
    sim.send_signal(signal.SIGTERM)
    try:
        sim.wait(timeout=10)
    except subprocess.TimeoutExpired:
        sim.kill()
        sim.wait()
    shutil.rmtree(state, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
t.done()
