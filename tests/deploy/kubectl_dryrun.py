#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# "kubectl apply --dry-run=client --validate=false" over every manifest in
# deploy/ and over every kustomization's output.  Offline: client dry-run
# still needs discovery and a GET per object (with no server it fails with
# "unable to recognize ... connection refused"), so stub_apiserver.py serves
# discovery for the kinds deploy/ uses on 127.0.0.1:0.  kubectl runs with a
# throwaway HOME and an empty KUBECONFIG, so no cache or context leaks in.
import os
import shutil
import subprocess
import tempfile

import yaml

import sys
sys.dont_write_bytecode = True
import deploylib as dl  # noqa: E402
from stub_apiserver import StubApiServer

t = dl.Tap()
KUBECTL = shutil.which("kubectl")
if not KUBECTL:
    t.skip("kubectl apply --dry-run=client", "kubectl not installed")
    t.done()

home = tempfile.mkdtemp(prefix="eipam-kubectl-")
kubeconfig = os.path.join(home, "kubeconfig")
open(kubeconfig, "w").close()
env = dict(os.environ, HOME=home, KUBECONFIG=kubeconfig)


def kubectl(server, *args, stdin=None):
    return subprocess.run([KUBECTL, "--server", server, *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def is_manifest(doc):
    return isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc \
        and doc["kind"] != "Kustomization" and "metadata" in doc


files, skipped = [], []
for p in dl.yaml_files(dl.DEPLOY, exclude=("helm/egressip-ipam-operator/templates/",)):
    docs = dl.load_all(p)
    n = sum(1 for d in docs if is_manifest(d))
    if n:
        files.append((p, n))
    elif os.path.basename(p) != "kustomization.yaml":
        skipped.append(os.path.relpath(p, dl.TOP))
print("# not Kubernetes objects (skipped): " + ", ".join(skipped))
kdirs = sorted(os.path.dirname(p) for p in dl.yaml_files(dl.DEPLOY)
               if os.path.basename(p) == "kustomization.yaml")

with StubApiServer() as srv:
    # A kind the cluster does not serve must fail, or the stub proves nothing.
    bad = kubectl(srv.url, "apply", "--dry-run=client", "--validate=false", "-f", "-",
                  stdin="apiVersion: redhatcop.redhat.io/v1\nkind: EgressIPAM\nmetadata:\n  name: x\n")
    t.ok(bad.returncode != 0 and "no matches for kind" in bad.stderr,
         "an unserved apiVersion is refused (the stub is not a rubber stamp)", bad.stderr)

    for p, n in files:
        r = kubectl(srv.url, "apply", "--dry-run=client", "--validate=false", "-f", p)
        got = r.stdout.count("(dry run)")
        t.ok(r.returncode == 0 and got == n,
             "dry-run apply %s (%d objects)" % (os.path.relpath(p, dl.TOP), n),
             "rc=%d, %d of %d applied\n%s" % (r.returncode, got, n, r.stderr))

    for d in kdirs:
        k = kubectl(srv.url, "kustomize", d)
        ok = k.returncode == 0
        n = sum(1 for doc in yaml.safe_load_all(k.stdout) if is_manifest(doc)) if ok else 0
        r = kubectl(srv.url, "apply", "--dry-run=client", "--validate=false", "-f", "-", stdin=k.stdout) \
            if ok else k
        t.ok(ok and n > 0 and r.returncode == 0 and r.stdout.count("(dry run)") == n,
             "kustomize %s, then dry-run apply (%d objects)" % (os.path.relpath(d, dl.TOP), n),
             r.stderr)
t.ok(len(files) >= 20, "checked %d manifest files and %d kustomizations" % (len(files), len(kdirs)))
shutil.rmtree(home, ignore_errors=True)
t.done()
