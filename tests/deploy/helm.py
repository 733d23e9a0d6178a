#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# The Helm chart, tested without helm (none is packaged for Debian 12):
# values.yaml keys are all used and templates use only defined ones; the
# chart's CRD, alerts and RBAC equal deploy/'s; and the chart rendered by
# minihelm.py (a small Go-template subset renderer, NOT Helm) parses, lints,
# applies with kubectl client dry-run, and gives the same hardened pod as
# deploy/default, with upstream's chart bugs fixed.
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
import yaml  # noqa: E402

import deploylib as dl  # noqa: E402
import minihelm  # noqa: E402
from stub_apiserver import StubApiServer  # noqa: E402

t = dl.Tap()
CHART = os.path.join(dl.DEPLOY, "helm", "egressip-ipam-operator")
TEMPLATES = os.path.join(CHART, "templates")
tpl_text = "".join(open(os.path.join(TEMPLATES, f)).read() for f in sorted(os.listdir(TEMPLATES)))
values = yaml.safe_load(open(os.path.join(CHART, "values.yaml")))

# Upstream's values keys (upstream-behaviour.md section 9.3) are all there.
UPSTREAM_KEYS = ["replicaCount", "image.repository", "image.pullPolicy", "image.tag", "imagePullSecrets",
                 "nameOverride", "fullnameOverride", "env", "podAnnotations", "resources.requests",
                 "nodeSelector", "tolerations", "affinity", "kube_rbac_proxy.image.repository",
                 "kube_rbac_proxy.image.pullPolicy", "kube_rbac_proxy.image.tag",
                 "kube_rbac_proxy.resources.requests", "enableMonitoring", "enableCertManager"]


def has(d, path):
    for p in path.split("."):
        if not isinstance(d, dict) or p not in d:
            return False
        d = d[p]
    return True


missing = [k for k in UPSTREAM_KEYS if not has(values, k)]
t.ok(not missing, "values.yaml has every upstream key", missing)


def leaves(d, prefix=""):
    for k, v in d.items():
        p = prefix + k
        if isinstance(v, dict) and v:
            yield from leaves(v, p + ".")
        else:
            yield p


refs = set(re.findall(r"\.Values\.([A-Za-z0-9_.]+)", tpl_text))
unused = [k for k in leaves(values)
          if not any(k == r or k.startswith(r + ".") for r in refs)]
t.ok(not unused, "every values.yaml key is used by a template", unused)
undefined = sorted(r for r in refs if not has(values, r))
t.ok(not undefined, "templates reference only keys defined in values.yaml", undefined)
t.ok(not re.search(r"\{\{-?\s*(range|template|block|tpl|lookup)\b", tpl_text),
     "templates stay simple (no range, template, block, tpl or lookup)")

# Copies of deploy/ files are equal to their sources.
t.ok(filecmp.cmp(os.path.join(CHART, "crds", "redhatcop.redhat.io_egressipams.yaml"), dl.CRD_FILE,
                 shallow=False), "the chart's CRD equals deploy/crd's, byte for byte")
groups = yaml.safe_load(open(os.path.join(CHART, "files", "prometheusrule-groups.yaml")))
rule = dl.load(os.path.join(dl.DEPLOY, "prometheus", "rules.yaml"))
t.ok(groups == {"groups": rule["spec"]["groups"]}, "the chart's alert groups equal deploy/prometheus's")

# minihelm must behave like Go templates where the chart relies on it.
mh = tempfile.mkdtemp(prefix="eipam-minihelm-")
os.makedirs(os.path.join(mh, "templates"))
with open(os.path.join(mh, "Chart.yaml"), "w") as f:
    f.write("name: c\nversion: 1.0.0\nappVersion: '2'\n")
with open(os.path.join(mh, "values.yaml"), "w") as f:
    f.write("a: {b: ''}\nl: [x]\nm: {}\n")
with open(os.path.join(mh, "templates", "t.yaml"), "w") as f:
    f.write('k:\n  {{- with .Values.l }}\n  l:\n    {{- toYaml . | nindent 4 }}\n  {{- end }}\n'
            '  {{- with .Values.m }}\n  m: x\n  {{- end }}\n'
            '  t: {{ .Values.a.b | default .Chart.AppVersion | quote }}\n'
            '{{/* gone */}}\n  n: {{ if not .Values.m }}empty{{ else }}full{{ end }}\n')
got = minihelm.Chart(mh).render()["t.yaml"]
t.ok(got == 'k:\n  l:\n    - x\n  t: "2"\n\n  n: empty\n', "minihelm: trimming, with, default, quote, if/else",
     repr(got))
shutil.rmtree(mh)
try:
    bad = tempfile.mkdtemp(prefix="eipam-minihelm-")
    os.makedirs(os.path.join(bad, "templates"))
    open(os.path.join(bad, "Chart.yaml"), "w").write("name: c\nversion: 1\n")
    open(os.path.join(bad, "values.yaml"), "w").write("l: []\n")
    open(os.path.join(bad, "templates", "t.yaml"), "w").write("{{ range .Values.l }}x{{ end }}\n")
    minihelm.Chart(bad).render()
    t.ok(False, "minihelm refuses what it does not implement (range)")
except minihelm.Unsupported:
    t.ok(True, "minihelm refuses what it does not implement (range)")


OPENSHIFT = ("v1", "apps/v1", "rbac.authorization.k8s.io/v1", "monitoring.coreos.com/v1",
             "cloudcredential.openshift.io/v1", "config.openshift.io/v1")


def render(vals=None, api_versions=OPENSHIFT):
    out = minihelm.Chart(CHART, vals, api_versions=api_versions).render()
    docs = []
    for f, text in out.items():
        docs += [d for d in yaml.safe_load_all(text) if d]
    return out, docs


out, docs = render()
kinds = sorted(d["kind"] for d in docs)
t.ok(kinds.count("Deployment") == 1 and "ServiceMonitor" in kinds and "PrometheusRule" in kinds
     and "Issuer" not in kinds, "default values render the Deployment, monitoring, no cert-manager", kinds)
tmp = tempfile.mkdtemp(prefix="eipam-helm-")
rendered = os.path.join(tmp, "rendered.yaml")
with open(rendered, "w") as f:
    for name, text in sorted(out.items()):
        f.write("---\n# Source: %s\n%s\n" % (name, text.strip("\n")))
if shutil.which("yamllint"):
    # deploy/.yamllint, less the rules that the template layout (blank
    # lines where comments and conditionals were) trips on.
    r = subprocess.run(["yamllint", "-f", "parsable", "-d",
                        "{extends: default, rules: {line-length: disable, document-start: disable,"
                        " empty-lines: disable, comments-indentation: disable}}", rendered],
                       capture_output=True, text=True)
    t.ok(r.returncode == 0 and not r.stdout, "yamllint on the rendered chart", r.stdout + r.stderr)
else:
    t.skip("yamllint on the rendered chart", "yamllint not installed")

# kubectl client dry-run of the rendered chart (and of the CRD in crds/).
if shutil.which("kubectl"):
    home = tempfile.mkdtemp(prefix="eipam-kubectl-")
    kc = os.path.join(home, "kubeconfig")
    open(kc, "w").close()
    env = dict(os.environ, HOME=home, KUBECONFIG=kc)
    with StubApiServer() as srv:
        r = subprocess.run(["kubectl", "--server", srv.url, "apply", "--dry-run=client", "--validate=false",
                            "-f", rendered, "-f", os.path.join(CHART, "crds")],
                           env=env, capture_output=True, text=True, timeout=120)
    t.ok(r.returncode == 0 and r.stdout.count("(dry run)") == len(docs) + 1,
         "kubectl apply --dry-run=client of the rendered chart (%d objects)" % (len(docs) + 1), r.stderr)
    shutil.rmtree(home, ignore_errors=True)
else:
    t.skip("kubectl dry-run of the rendered chart", "kubectl not installed")

# Same permissions as deploy/rbac.
granted = dl.sa_permissions(docs, "egressip-ipam-operator-controller-manager")
t.ok(granted == dl.EXPECTED_PERMISSIONS, "the chart grants exactly the reviewed permissions",
     "extra: %s\nmissing: %s" % (sorted(granted - dl.EXPECTED_PERMISSIONS, key=str),
                                 sorted(dl.EXPECTED_PERMISSIONS - granted, key=str)))

# Off OpenShift (no cloudcredential.openshift.io) the CredentialsRequest Role,
# whose namespace would not exist, is left out, and nothing else changes.
_, plain = render(api_versions=("v1", "apps/v1", "rbac.authorization.k8s.io/v1"))
cco = {p for p in dl.EXPECTED_PERMISSIONS if p[0] == "cloudcredential.openshift.io"}
t.ok(not any(d["metadata"].get("namespace") == "openshift-cloud-credential-operator" for d in plain)
     and dl.sa_permissions(plain, "egressip-ipam-operator-controller-manager") == dl.EXPECTED_PERMISSIONS - cco,
     "without cloudcredential.openshift.io/v1 the CredentialsRequest Role is left out")

# Same pod as deploy/default (kustomize), apart from labels and nodeSelector.
dep = next(d for d in docs if d["kind"] == "Deployment")
if shutil.which("kubectl"):
    home = tempfile.mkdtemp(prefix="eipam-kubectl-")
    k = subprocess.run(["kubectl", "kustomize", os.path.join(dl.DEPLOY, "default")],
                       env=dict(os.environ, HOME=home), capture_output=True, text=True, timeout=60)
    shutil.rmtree(home, ignore_errors=True)
    kdep = next(d for d in yaml.safe_load_all(k.stdout) if d and d["kind"] == "Deployment")
    a, b = dep["spec"]["template"]["spec"], kdep["spec"]["template"]["spec"]
    diffs = [key for key in sorted(set(a) | set(b)) if key != "nodeSelector" and a.get(key) != b.get(key)]
    t.ok(not diffs, "the chart's pod spec equals deploy/default's (nodeSelector aside)",
         "\n".join("%s:\n helm: %s\n kustomize: %s" % (key, a.get(key), b.get(key)) for key in diffs))
else:
    t.skip("the chart's pod spec equals deploy/default's", "kubectl not installed")

# Upstream's chart bugs, fixed (upstream-behaviour.md section 12, item 23).
out, docs = render({"env": [{"name": "HTTPS_PROXY", "value": "http://proxy:3128"}],
                    "extraArgs": ["--network-type=OVNKubernetes"]})
dep = next(d for d in docs if d["kind"] == "Deployment")
c = {x["name"]: x for x in dep["spec"]["template"]["spec"]["containers"]}
t.ok(any(e["name"] == "HTTPS_PROXY" for e in c["manager"]["env"]) and "env" not in c["kube-rbac-proxy"],
     "env reaches the manager container, not kube-rbac-proxy")
t.ok("--metrics-bind-address=127.0.0.1:8080" in c["manager"]["args"]
     and "--network-type=OVNKubernetes" in c["manager"]["args"],
     "metrics bind to loopback only; extraArgs are appended")
sc_ok = all(x["securityContext"]["allowPrivilegeEscalation"] is False
            and x["securityContext"]["readOnlyRootFilesystem"] is True
            and x["securityContext"]["capabilities"]["drop"] == ["ALL"] for x in c.values())
t.ok(sc_ok and dep["spec"]["template"]["spec"]["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault",
     "both containers have a hardened securityContext")
out, docs = render({"enableMonitoring": False, "enableCertManager": True})
kinds = sorted(d["kind"] for d in docs)
svc = next(d for d in docs if d["kind"] == "Service")
t.ok("ServiceMonitor" not in kinds and "PrometheusRule" not in kinds and "Issuer" in kinds
     and "Certificate" in kinds and "annotations" not in svc["metadata"],
     "enableMonitoring=false drops monitoring; enableCertManager=true issues the certificate", kinds)
cert = next(d for d in docs if d["kind"] == "Certificate")
vol = next(v for v in dep["spec"]["template"]["spec"]["volumes"] if v["name"] == "tls-cert")
t.ok(cert["spec"]["secretName"] == vol["secret"]["secretName"],
     "the certificate's Secret is the one kube-rbac-proxy mounts")
shutil.rmtree(tmp, ignore_errors=True)
t.done()
