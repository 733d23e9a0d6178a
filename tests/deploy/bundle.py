#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# The OLM bundle: deploy/bundle is exactly what generate.py makes from
# deploy/ today (no drift), and its CSV has what OperatorHub needs: install
# modes, the owned CRD with descriptors, valid alm-examples, the
# Disconnected and multi-arch annotations, related images for mirroring,
# the reviewed permissions and the hardened Deployment.
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
import deploylib as dl  # noqa: E402

t = dl.Tap()
BUNDLE = os.path.join(dl.DEPLOY, "bundle")
tmp = tempfile.mkdtemp(prefix="eipam-bundle-")
r = subprocess.run([os.environ.get("PYTHON3_SYS", "/usr/bin/python3"), os.path.join(BUNDLE, "generate.py"), tmp],
                   capture_output=True, text=True, timeout=60)
t.ok(r.returncode == 0, "generate.py runs", r.stderr)
stale = []
for sub in ("manifests", "metadata"):
    have = sorted(os.listdir(os.path.join(BUNDLE, sub)))
    want = sorted(os.listdir(os.path.join(tmp, sub)))
    if have != want:
        stale.append("%s: files %s, generated %s" % (sub, have, want))
        continue
    for f in want:
        if not filecmp.cmp(os.path.join(BUNDLE, sub, f), os.path.join(tmp, sub, f), shallow=False):
            stale.append("%s/%s differs" % (sub, f))
t.ok(not stale, "the committed bundle is what generate.py makes from deploy/ (run deploy/bundle/generate.py)",
     "\n".join(stale))
shutil.rmtree(tmp, ignore_errors=True)

man = os.path.join(BUNDLE, "manifests")
csv = dl.load(os.path.join(man, "egressip-ipam-operator.clusterserviceversion.yaml"))
crd = dl.load(dl.CRD_FILE)
t.ok(filecmp.cmp(os.path.join(man, "redhatcop.redhat.io_egressipams.yaml"), dl.CRD_FILE, shallow=False),
     "the bundle's CRD is deploy/crd's")
modes = {m["type"]: m["supported"] for m in csv["spec"]["installModes"]}
t.ok(modes == {"OwnNamespace": False, "SingleNamespace": False, "MultiNamespace": False, "AllNamespaces": True},
     "install modes: AllNamespaces only (the operator is cluster-wide)", modes)
owned = csv["spec"]["customresourcedefinitions"]["owned"]
t.ok(len(owned) == 1 and owned[0]["name"] == crd["metadata"]["name"]
     and owned[0]["kind"] == crd["spec"]["names"]["kind"]
     and owned[0]["version"] == crd["spec"]["versions"][0]["name"],
     "owns egressipams.redhatcop.redhat.io v1alpha1 EgressIPAM")
spec_props = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]
bad = [d["path"] for d in owned[0]["specDescriptors"] if d["path"].split(".")[0] not in spec_props["spec"]["properties"]]
bad += [d["path"] for d in owned[0]["statusDescriptors"] if d["path"].split(".")[0] not in spec_props["status"]["properties"]]
t.ok(owned[0]["specDescriptors"] and owned[0]["statusDescriptors"] and not bad,
     "spec and status descriptors name real fields", bad)
v = dl.validator(crd)
examples = json.loads(csv["metadata"]["annotations"]["alm-examples"])
errs = [(e["metadata"]["name"], err.message) for e in examples for err in v.iter_errors(e)]
t.ok(len(examples) == 3 and not errs, "alm-examples are the README samples and validate", errs)
ann, labels = csv["metadata"]["annotations"], csv["metadata"]["labels"]
t.ok("Disconnected" in json.loads(ann["operators.openshift.io/infrastructure-features"])
     and ann["features.operators.openshift.io/disconnected"] == "true",
     "Disconnected annotations (old and new style)")
t.ok(all(labels.get("operatorframework.io/arch.%s" % a) == "supported" for a in ("amd64", "arm64", "ppc64le", "s390x"))
     and labels.get("operatorframework.io/os.linux") == "supported", "multi-arch labels: amd64, arm64, ppc64le, s390x")
dep = csv["spec"]["install"]["spec"]["deployments"][0]
images = {c["image"] for c in dep["spec"]["template"]["spec"]["containers"]}
related = {i["image"] for i in csv["spec"]["relatedImages"]}
t.ok(images <= related and ann["containerImage"] in images,
     "relatedImages list every image of the Deployment (mirroring for disconnected installs)")
src = dl.load(os.path.join(dl.DEPLOY, "manager", "manager.yaml"))
a, b = dict(dep["spec"]["template"]["spec"]), dict(src["spec"]["template"]["spec"])
sa_a, sa_b = a.pop("serviceAccountName"), b.pop("serviceAccountName")
t.ok(a == b and sa_a == "egressip-ipam-operator-" + sa_b
     and dep["name"] == "egressip-ipam-operator-controller-manager",
     "the CSV's Deployment is deploy/manager's (with kustomize's name prefix)")
perms = []
for key in ("permissions", "clusterPermissions"):
    for p in csv["spec"]["install"]["spec"][key]:
        t.ok(p["serviceAccountName"] == "egressip-ipam-operator-controller-manager",
             "%s are for the operator's ServiceAccount" % key)
        perms += p["rules"]
granted = dl.expand(perms)
t.ok(granted == dl.EXPECTED_PERMISSIONS, "the CSV grants exactly the reviewed permissions",
     "extra: %s\nmissing: %s" % (sorted(granted - dl.EXPECTED_PERMISSIONS, key=str),
                                 sorted(dl.EXPECTED_PERMISSIONS - granted, key=str)))
ns_rules = csv["spec"]["install"]["spec"]["permissions"][0]["rules"]
t.ok(all(r["resources"] == ["leases"] for r in ns_rules), "namespaced permissions: the Lease only")
meta = dl.load(os.path.join(BUNDLE, "metadata", "annotations.yaml"))["annotations"]
with open(os.path.join(BUNDLE, "bundle.Containerfile")) as f:
    cf_labels = dict(re.findall(r"(operators\.operatorframework\.io\.bundle\.[a-z0-9.]+)=(\S+)", f.read()))
t.ok(meta == cf_labels and meta["operators.operatorframework.io.bundle.package.v1"] == "egressip-ipam-operator",
     "bundle metadata and the bundle image's labels agree", (meta, cf_labels))
kinds = sorted(dl.load(os.path.join(man, f))["kind"] for f in os.listdir(man))
allowed = {"ClusterServiceVersion", "CustomResourceDefinition", "Service", "ServiceMonitor", "PrometheusRule",
           "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"}
t.ok(set(kinds) <= allowed, "the bundle carries only kinds OLM installs from a bundle", kinds)
t.done()
