# SPDX-License-Identifier: Apache-2.0
# Shared helpers of the deploy/ tests: TAP output, YAML loading, paths, and
# the translation of a CRD's openAPIV3Schema into a JSON Schema that
# python3-jsonschema enforces the way the API server does.
import glob
import os
import sys

import yaml

TOP = os.environ.get("top_srcdir") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(TOP, "deploy")
CRD_FILE = os.path.join(DEPLOY, "crd", "redhatcop.redhat.io_egressipams.yaml")


class Tap:
    """Collects results and prints TAP; plan at the end."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, name))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
            for line in str(diag or "").splitlines():
                print("# " + line)
        sys.stdout.flush()
        return cond

    def skip(self, name, why):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name, why))

    def done(self):
        print("1..%d" % self.n)
        sys.exit(1 if self.failed else 0)


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def load(path):
    docs = load_all(path)
    if len(docs) != 1:
        raise ValueError("%s: expected one document, found %d" % (path, len(docs)))
    return docs[0]


def yaml_files(root, exclude=()):
    out = []
    for p in sorted(glob.glob(os.path.join(root, "**", "*.yaml"), recursive=True)):
        rel = os.path.relpath(p, root)
        if any(rel.startswith(e) for e in exclude):
            continue
        out.append(p)
    return out


def crd_schema(crd, strict=True):
    """JSON Schema of the CRD's only version, with the Kubernetes
    extensions turned into checks python3-jsonschema knows: int-or-string
    becomes anyOf integer|string, list-type set becomes uniqueItems, and
    list-type map becomes a custom keyword (unique key tuples).  strict adds
    additionalProperties: false, as kubectl's default strict field
    validation rejects unknown fields instead of pruning them."""
    versions = crd["spec"]["versions"]
    if len(versions) != 1:
        raise ValueError("expected one version")
    return _convert(versions[0]["schema"]["openAPIV3Schema"], strict, top=True)


def _convert(s, strict, top=False):
    s = dict(s)
    if s.pop("x-kubernetes-int-or-string", False):
        s["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    lt = s.pop("x-kubernetes-list-type", None)
    keys = s.pop("x-kubernetes-list-map-keys", None)
    s.pop("x-kubernetes-map-type", None)
    s.pop("format", None) if s.get("format") in ("int64", "int32") else None
    if lt == "set":
        s["uniqueItems"] = True
    elif lt == "map":
        s["x-list-map-keys"] = keys
    if "properties" in s:
        s["properties"] = {k: _convert(v, strict) for k, v in s["properties"].items()}
        if strict and "additionalProperties" not in s:
            s["additionalProperties"] = False
    if "items" in s:
        s["items"] = _convert(s["items"], strict)
    if isinstance(s.get("additionalProperties"), dict):
        s["additionalProperties"] = _convert(s["additionalProperties"], strict)
    for k in ("anyOf", "allOf", "oneOf"):
        if k in s:
            s[k] = [_convert(x, strict) for x in s[k]]
    if top:
        # metadata is validated by the API server itself, not the schema.
        s["properties"]["metadata"] = {"type": "object"}
    return s


def validator(crd, strict=True):
    import jsonschema

    def list_map_keys(v, keys, instance, schema):
        if not v.is_type(instance, "array"):
            return
        seen = set()
        for i, item in enumerate(instance):
            if not isinstance(item, dict):
                continue
            key = tuple(item.get(k) for k in keys)
            if key in seen:
                yield jsonschema.ValidationError(
                    "Duplicate value: %r at index %d" % (dict(zip(keys, key)), i))
            seen.add(key)

    cls = jsonschema.validators.extend(
        jsonschema.Draft7Validator, {"x-list-map-keys": list_map_keys})
    return cls(crd_schema(crd, strict), format_checker=jsonschema.FormatChecker())


def error_path(err):
    """Dotted path of a validation error, naming the offending field: for a
    missing required property or an unknown one the field itself."""
    parts = ""
    for p in err.absolute_path:
        parts += "[%d]" % p if isinstance(p, int) else ("." + p if parts else p)
    extra = None
    if err.validator == "required":
        extra = err.message.split("'")[1]
    elif err.validator == "additionalProperties":
        extra = err.message.split("'")[1]
    if extra:
        parts = parts + "." + extra if parts else extra
    return parts


# The reviewed permission set of the operator's ServiceAccount, as
# (apiGroup, resource, verb, resourceName or "").  Changing RBAC means
# changing this list in the same commit.
EXPECTED_PERMISSIONS = set()


def grant(groups, resources, verbs, names=("",)):
    for g in groups:
        for r in resources:
            for v in verbs:
                for n in names:
                    EXPECTED_PERMISSIONS.add((g, r, v, n))


grant([""], ["namespaces"], ["get", "list", "watch", "patch"])
grant([""], ["nodes"], ["get", "list", "watch", "patch"])
grant(["", "events.k8s.io"], ["events"], ["create", "patch"])
grant(["redhatcop.redhat.io"], ["egressipams"], ["get", "list", "watch", "patch", "update"])
grant(["redhatcop.redhat.io"], ["egressipams/status"], ["get", "patch", "update"])
grant(["redhatcop.redhat.io"], ["egressipams/finalizers"], ["update"])
grant(["network.openshift.io"], ["hostsubnets", "netnamespaces"], ["get", "list", "watch", "patch", "update"])
grant(["k8s.ovn.org"], ["egressips"], ["get", "list", "watch", "create", "patch", "update", "delete"])
grant(["config.openshift.io"], ["infrastructures", "networks"], ["get", "list", "watch"])
grant(["coordination.k8s.io"], ["leases"], ["create"])
grant(["coordination.k8s.io"], ["leases"], ["get", "watch", "update", "patch"], ["egressip-ipam-operator-leader"])
grant(["cloudcredential.openshift.io"], ["credentialsrequests"], ["create"])
grant(["cloudcredential.openshift.io"], ["credentialsrequests"], ["get", "update", "patch"], ["egress-ipam-operator"])
grant(["authentication.k8s.io"], ["tokenreviews"], ["create"])
grant(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"])


def expand(rules):
    out = set()
    for r in rules:
        for g in r.get("apiGroups", [None]):
            for res in r.get("resources", r.get("nonResourceURLs", [])):
                for v in r["verbs"]:
                    for n in r.get("resourceNames", [""]):
                        out.add((g, res, v, n))
    return out


def sa_permissions(docs, sa_name):
    """Every (apiGroup, resource, verb, resourceName) that the bindings
    among docs grant to ServiceAccount sa_name."""
    roles = {(x["kind"], x["metadata"]["name"]): x for x in docs
             if x.get("kind") in ("Role", "ClusterRole")}
    granted = set()
    for b in docs:
        if b.get("kind") not in ("RoleBinding", "ClusterRoleBinding"):
            continue
        if not any(s["kind"] == "ServiceAccount" and s["name"] == sa_name for s in b["subjects"]):
            continue
        granted |= expand(roles[(b["roleRef"]["kind"], b["roleRef"]["name"])]["rules"])
    return granted

