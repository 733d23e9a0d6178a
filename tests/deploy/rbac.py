#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# RBAC is least privilege and says why: no rule anywhere under deploy/
# (kustomize tree, Helm chart, OLM bundle) grants anything on Secrets or
# uses wildcards; every rule has a comment; the operator's effective
# permissions are exactly the reviewed list below; the Helm chart and the
# CSV grant the same rules as deploy/rbac.
import os
import re

import sys
sys.dont_write_bytecode = True
import deploylib as dl  # noqa: E402

t = dl.Tap()

def problems(rules):
    """What makes a rule unacceptable: Secrets, wildcards, escalation."""
    bad = []
    for r in rules:
        res = [x.lower() for x in r.get("resources", [])]
        if any(x == "secrets" or x.startswith("secrets/") for x in res):
            bad.append("grants access to Secrets: %r" % r)
        for k in ("apiGroups", "resources", "verbs", "nonResourceURLs"):
            if "*" in r.get(k, []):
                bad.append("wildcard in %s: %r" % (k, r))
        if set(r["verbs"]) & {"escalate", "bind", "impersonate"}:
            bad.append("escalation verb: %r" % r)
    return bad


# The checker itself catches what it must (a check that cannot fail is no
# check).
t.ok(problems([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}])
     and problems([{"apiGroups": [""], "resources": ["Secrets"], "verbs": ["list"]}])
     and problems([{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}])
     and not problems([{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]}]),
     "the checker flags Secrets and wildcards, and passes a plain rule")

# Text scan of every file under deploy/ (Helm templates and the CSV
# included): a rule line naming secrets anywhere is a failure.
hits = []
for root, _, files in os.walk(dl.DEPLOY):
    for f in files:
        p = os.path.join(root, f)
        if not f.endswith((".yaml", ".yml", ".tpl")):
            continue
        with open(p) as fh:
            for i, line in enumerate(fh, 1):
                code = line.split("#", 1)[0]
                if re.search(r"resources:.*\bsecrets\b", code, re.I) or \
                        re.match(r"\s*-\s*[\"']?secrets[\"']?\s*$", code, re.I):
                    hits.append("%s:%d: %s" % (os.path.relpath(p, dl.TOP), i, line.rstrip()))
t.ok(not hits, "no RBAC rule under deploy/ mentions Secrets", "\n".join(hits))

# Parse every Role/ClusterRole in deploy/ (not Helm templates, which are not
# YAML until rendered; they are compared below).
roles = {}
for p in dl.yaml_files(dl.DEPLOY, exclude=("helm/",)):
    for d in dl.load_all(p):
        if d.get("kind") in ("Role", "ClusterRole"):
            roles[(p, d["metadata"]["name"])] = d
t.ok(len(roles) >= 9, "found the Roles and ClusterRoles (%d)" % len(roles))
for (p, name), d in sorted(roles.items()):
    bad = problems(d.get("rules", []))
    t.ok(not bad, "%s %s: no Secrets, wildcards or escalation" % (os.path.relpath(p, dl.TOP), name),
         "\n".join(bad))


# Every rule is preceded by a comment saying why (deploy/rbac and
# deploy/prometheus; the CSV is generated from them).
def uncommented(path):
    lines = open(path).read().splitlines()
    out = []
    for i, line in enumerate(lines):
        if re.match(r"\s*- (apiGroups|nonResourceURLs):", line):
            j = i - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            if j < 0 or not lines[j].strip().startswith("#"):
                out.append("%s:%d" % (os.path.relpath(path, dl.TOP), i + 1))
    return out


for sub in ("rbac", "prometheus"):
    for p in dl.yaml_files(os.path.join(dl.DEPLOY, sub)):
        u = uncommented(p)
        if any(d.get("kind") in ("Role", "ClusterRole") for d in dl.load_all(p)):
            t.ok(not u, "every rule in %s has a comment saying why" % os.path.relpath(p, dl.TOP),
                 "uncommented: " + ", ".join(u))

# The operator's ServiceAccount: what its bindings grant in deploy/rbac.
rbac_dir = os.path.join(dl.DEPLOY, "rbac")
docs = [d for p in dl.yaml_files(rbac_dir) for d in dl.load_all(p)
        if d.get("kind") != "Kustomization"]
byname = {(d["kind"], d["metadata"]["name"]): d for d in docs}
granted = dl.sa_permissions(docs, "controller-manager")
EXPECTED = dl.EXPECTED_PERMISSIONS
t.ok(granted == EXPECTED, "the operator's ServiceAccount holds exactly the reviewed permissions",
     "extra: %s\nmissing: %s" % (sorted(granted - EXPECTED, key=str), sorted(EXPECTED - granted, key=str)))
t.ok(not any(g[1] in ("machines", "machinesets", "configmaps", "secrets") for g in granted),
     "no Machines, MachineSets, ConfigMaps or Secrets (upstream had them)")
t.ok(("", "nodes", "update", "") not in granted and ("", "namespaces", "update", "") not in granted
     and not any(g[1] == "egressipams" and g[2] in ("create", "delete") for g in granted),
     "no update of Nodes or Namespaces, no create/delete of EgressIPAMs")

# The credentials Role lives where the CredentialsRequest does.
cr_role = byname[("Role", "credentialsrequest-role")]
t.ok(cr_role["metadata"]["namespace"] == "openshift-cloud-credential-operator",
     "credentialsrequests are granted in openshift-cloud-credential-operator only")

# The OLM CSV and the Helm chart grant the same (checked in bundle.py and
# helm.py, which import EXPECTED from here).
t.done()
