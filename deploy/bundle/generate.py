#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Writes the OLM bundle (deploy/bundle/manifests, metadata) from csv-base.yaml
# and the kustomize tree, so the bundle never drifts from deploy/: the
# Deployment comes from deploy/manager, the permissions from deploy/rbac, the
# CRD from deploy/crd, the metrics Service, ServiceMonitor, alerts and
# Prometheus's access from deploy/manager and deploy/prometheus, and
# alm-examples from the README samples.
# usage: generate.py [OUTDIR]   (default: the directory of this script)
import copy
import json
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DEPLOY = os.path.dirname(HERE)
PREFIX = "egressip-ipam-operator-"
PACKAGE = "egressip-ipam-operator"
CHANNEL = "alpha"


class Dumper(yaml.SafeDumper):
    """Indented sequences, as deploy/.yamllint wants."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _str(dumper, s):
    # Multi-line strings (alm-examples, the description) as literal blocks.
    style = "|" if "\n" in s else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=style)


Dumper.add_representer(str, _str)


def load_all(*parts):
    with open(os.path.join(DEPLOY, *parts)) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def strip_ns(obj):
    obj = copy.deepcopy(obj)
    obj["metadata"].pop("namespace", None)
    return obj


def named(obj, name):
    obj["metadata"]["name"] = name
    return obj


def main(out):
    csv = load_all("bundle", "csv-base.yaml")[0]
    crd = load_all("crd", "redhatcop.redhat.io_egressipams.yaml")[0]
    dep = load_all("manager", "manager.yaml")[0]
    sa = PREFIX + "controller-manager"

    # Permissions: every role bound to the operator's ServiceAccount.
    # Roles in the operator's namespace become "permissions"; ClusterRoles,
    # and Roles in other namespaces (OLM can only create Roles in the
    # install namespace), become "clusterPermissions".
    rbac = [d for f in sorted(os.listdir(os.path.join(DEPLOY, "rbac")))
            if f.endswith(".yaml") and f != "kustomization.yaml" for d in load_all("rbac", f)]
    roles = {(d["kind"], d["metadata"]["name"]): d for d in rbac if d["kind"] in ("Role", "ClusterRole")}
    ns_rules, cluster_rules = [], []
    for b in rbac:
        if b["kind"] not in ("RoleBinding", "ClusterRoleBinding"):
            continue
        if not any(s["kind"] == "ServiceAccount" and s["name"] == "controller-manager" for s in b["subjects"]):
            continue
        role = roles[(b["roleRef"]["kind"], b["roleRef"]["name"])]
        if role["kind"] == "Role" and role["metadata"]["namespace"] == "egressip-ipam-operator":
            ns_rules += role["rules"]
        else:
            cluster_rules += role["rules"]

    spec = copy.deepcopy(dep["spec"])
    spec["template"]["spec"]["serviceAccountName"] = sa
    images = sorted({c["image"] for c in spec["template"]["spec"]["containers"]})
    csv["metadata"]["annotations"]["containerImage"] = next(i for i in images if "egressip-ipam-operator" in i)
    samples = [load_all("samples", f)[0] for f in
               ("example-egressipam.yaml", "egressipam-aws.yaml", "egressipam-azure.yaml")]
    csv["metadata"]["annotations"]["alm-examples"] = json.dumps(samples, indent=2)
    csv["spec"]["customresourcedefinitions"]["owned"][0]["version"] = crd["spec"]["versions"][0]["name"]
    csv["spec"]["relatedImages"] = [{"name": i.rsplit("/", 1)[-1].split(":")[0], "image": i} for i in images]
    csv["spec"]["install"] = {"strategy": "deployment", "spec": {
        "deployments": [{"name": PREFIX + dep["metadata"]["name"], "label": dep["metadata"]["labels"],
                         "spec": spec}],
        "permissions": [{"serviceAccountName": sa, "rules": ns_rules}],
        "clusterPermissions": [{"serviceAccountName": sa, "rules": cluster_rules}],
    }}

    # Objects OLM creates beside the CSV (kinds a bundle may carry).
    extra = []
    svc = load_all("manager", "service.yaml")[0]
    extra.append(("metrics-service", named(strip_ns(svc), PREFIX + svc["metadata"]["name"])))
    for d in load_all("prometheus", "monitor.yaml") + load_all("prometheus", "rules.yaml"):
        extra.append((d["kind"].lower(), named(strip_ns(d), PREFIX + d["metadata"]["name"])))
    for d in load_all("prometheus", "role.yaml"):
        d = named(strip_ns(d), PREFIX + d["metadata"]["name"])
        if "roleRef" in d:
            d["roleRef"]["name"] = PREFIX + d["roleRef"]["name"]
        extra.append((d["kind"].lower() + "-" + d["metadata"]["name"][len(PREFIX):], d))
    reader = next(r for r in roles.values() if r["metadata"]["name"] == "metrics-reader")
    extra.append(("metrics-reader", named(copy.deepcopy(reader), PREFIX + "metrics-reader")))

    man = os.path.join(out, "manifests")
    meta = os.path.join(out, "metadata")
    os.makedirs(man, exist_ok=True)
    os.makedirs(meta, exist_ok=True)
    head = "# Generated by deploy/bundle/generate.py from deploy/; do not edit.\n"

    def write(path, obj):
        with open(path, "w") as f:
            f.write(head)
            yaml.dump(obj, f, Dumper=Dumper, sort_keys=False, width=100000, default_flow_style=False)

    write(os.path.join(man, PACKAGE + ".clusterserviceversion.yaml"), csv)
    with open(os.path.join(man, "redhatcop.redhat.io_egressipams.yaml"), "w") as f, \
            open(os.path.join(DEPLOY, "crd", "redhatcop.redhat.io_egressipams.yaml")) as src:
        f.write(src.read())
    for name, obj in extra:
        write(os.path.join(man, "%s%s.yaml" % (PREFIX, name)), obj)
    write(os.path.join(meta, "annotations.yaml"), {"annotations": {
        "operators.operatorframework.io.bundle.mediatype.v1": "registry+v1",
        "operators.operatorframework.io.bundle.manifests.v1": "manifests/",
        "operators.operatorframework.io.bundle.metadata.v1": "metadata/",
        "operators.operatorframework.io.bundle.package.v1": PACKAGE,
        "operators.operatorframework.io.bundle.channels.v1": CHANNEL,
        "operators.operatorframework.io.bundle.channel.default.v1": CHANNEL,
    }})


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else HERE)
