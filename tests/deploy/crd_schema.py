#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# The EgressIPAM CRD's openAPIV3Schema, enforced with python3-jsonschema:
# every upstream sample and the additions (IPv6, status) are accepted; each
# invalid fixture is rejected naming the field in its "# expect:" line; the
# schema keeps upstream's IPv4 pattern verbatim and accepts everything it
# accepted; the IPv6 pattern agrees with Python's ipaddress parser.
import glob
import ipaddress
import os
import random
import re

import sys
sys.dont_write_bytecode = True
import deploylib as dl  # noqa: E402

# Upstream's pattern, from config/crd/bases of v1.2.6 (upstream-behaviour.md
# section 1).  It must stay one branch of the CIDR's anyOf, character for
# character.
UPSTREAM_V4 = (r"^(([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\.){3}"
               r"([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])"
               r"(\/(3[0-2]|[1-2][0-9]|[0-9]))$")

t = dl.Tap()
crd = dl.load(dl.CRD_FILE)
v = dl.validator(crd)
here = os.path.dirname(os.path.abspath(__file__))


def errors(obj):
    return sorted(v.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))


# The shape of the CRD itself.
ver = crd["spec"]["versions"][0]
t.ok(crd["spec"]["scope"] == "Cluster" and crd["spec"]["group"] == "redhatcop.redhat.io"
     and crd["spec"]["names"]["kind"] == "EgressIPAM" and ver["name"] == "v1alpha1"
     and ver["served"] and ver["storage"], "CRD: cluster-scoped redhatcop.redhat.io/v1alpha1 EgressIPAM")
t.ok(ver.get("subresources") == {"status": {}}, "CRD: status subresource")
cols = [(c["name"], c["type"], c["jsonPath"]) for c in ver["additionalPrinterColumns"]]
t.ok([c[0] for c in cols] == ["CIDRs", "Namespaces", "Free", "Ready", "Age"],
     "CRD: printer columns CIDRs, Namespaces, Free, Ready, Age", cols)
spec = ver["schema"]["openAPIV3Schema"]["properties"]["spec"]
ca = spec["properties"]["cidrAssignments"]
t.ok(spec["required"] == ["topologyLabel"] and ca["x-kubernetes-list-type"] == "map"
     and ca["x-kubernetes-list-map-keys"] == ["CIDR"]
     and ca["items"]["required"] == ["CIDR", "labelValue"]
     and ca["items"]["properties"]["reservedIPs"]["x-kubernetes-list-type"] == "set"
     and "pattern" not in ca["items"]["properties"]["reservedIPs"]["items"]
     and spec["properties"]["nodeSelector"]["x-kubernetes-map-type"] == "atomic",
     "CRD: upstream's required fields, list types and map type kept")
branches = [b.get("pattern") for b in ca["items"]["properties"]["CIDR"]["anyOf"]]
t.ok(branches[0] == UPSTREAM_V4, "CRD: upstream's IPv4 CIDR pattern kept verbatim", branches[0])
st = ver["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"]
t.ok(set(st) >= {"conditions", "cidrs", "namespaces", "observedGeneration"}
     and set(st["cidrs"]["items"]["properties"]) == {"CIDR", "size", "allocated", "reserved", "free"}
     and "observedGeneration" in st["conditions"]["items"]["properties"],
     "CRD: status has conditions (with observedGeneration), cidrs and namespaces")

# The schema is structural (what the API server requires of an
# apiextensions v1 CRD; no API server here checks it for us).
def structural(node, path, out, in_junctor=False):
    if in_junctor:
        for k in ("type", "description", "default", "additionalProperties", "nullable"):
            if k in node:
                out.append("%s: %s inside a junctor" % (path, k))
    elif "type" not in node and not node.get("x-kubernetes-int-or-string"):
        out.append("%s: no type" % path)
    if node.get("x-kubernetes-int-or-string") and "type" in node:
        out.append("%s: int-or-string with a type" % path)
    for k, v in node.get("properties", {}).items():
        structural(v, path + "." + k, out, in_junctor)
    if isinstance(node.get("additionalProperties"), dict):
        structural(node["additionalProperties"], path + ".*", out, in_junctor)
    if "items" in node:
        structural(node["items"], path + "[]", out, in_junctor)
        lt = node.get("x-kubernetes-list-type")
        it = node["items"]
        if lt == "set" and it.get("type") not in ("string", "integer", "number", "boolean"):
            out.append("%s: set of non-scalars" % path)
        if lt == "map":
            for key in node.get("x-kubernetes-list-map-keys", []):
                if key not in it.get("required", []) or \
                        it["properties"][key].get("type") not in ("string", "integer", "number", "boolean"):
                    out.append("%s: map key %s not a required scalar" % (path, key))
    for j in ("anyOf", "allOf", "oneOf"):
        for i, sub in enumerate(node.get(j, [])):
            structural(sub, "%s.%s[%d]" % (path, j, i), out, True)


root = ver["schema"]["openAPIV3Schema"]
problems = []
structural(root, "openAPIV3Schema", problems)
if set(root["properties"]["metadata"]) - {"type"}:
    problems.append("metadata restricted beyond name/generateName")
t.ok(not problems, "the schema is structural (types everywhere, plain junctors, list keys)", problems)
bad_tree = {"type": "object", "properties": {"a": {"anyOf": [{"type": "string"}]}, "b": {}}}
probe = []
structural(bad_tree, "x", probe)
t.ok(len(probe) == 3, "the structural check catches a missing type and a typed junctor", probe)

# Every sample, unchanged, and the valid additions.
samples = dl.yaml_files(os.path.join(dl.DEPLOY, "samples"))
samples += sorted(glob.glob(os.path.join(here, "fixtures", "valid", "*.yaml")))
n_ipam = 0
for path in samples:
    for doc in dl.load_all(path):
        if doc.get("kind") != "EgressIPAM":
            continue
        n_ipam += 1
        errs = errors(doc)
        t.ok(not errs, "accepted: %s %s" % (os.path.relpath(path, dl.TOP), doc["metadata"]["name"]),
             "\n".join("%s: %s" % (dl.error_path(e), e.message) for e in errs))
t.ok(n_ipam >= 10, "found the README, upstream test/ and extra samples (%d)" % n_ipam)

# Every invalid fixture is rejected, naming its field.
for path in sorted(glob.glob(os.path.join(here, "fixtures", "invalid", "*.yaml"))):
    with open(path) as f:
        m = re.search(r"^# expect: (\S+)$", f.read(), re.M)
    want = m.group(1)
    errs = errors(dl.load(path))
    paths = [dl.error_path(e) for e in errs]
    t.ok(errs and want in paths, "rejected naming %s: %s" % (want, os.path.basename(path)),
         "errors: %r" % ["%s: %s" % (dl.error_path(e), e.message) for e in errs])

# The validator does not simply reject everything.
t.ok(not errors({"apiVersion": "redhatcop.redhat.io/v1alpha1", "kind": "EgressIPAM",
                 "metadata": {"name": "x"}, "spec": {"topologyLabel": "a"}}),
     "a minimal object is accepted")


def cidr_ok(s):
    return not errors({"apiVersion": "redhatcop.redhat.io/v1alpha1", "kind": "EgressIPAM",
                       "metadata": {"name": "x"},
                       "spec": {"topologyLabel": "a",
                                "cidrAssignments": [{"labelValue": "", "CIDR": s}]}})


rng = random.Random(20261126)
# Additive: whatever upstream's pattern accepted is still accepted.
up = re.compile(UPSTREAM_V4)
corpus = ["0.0.0.0/0", "255.255.255.255/32", "10.0.0.1/32", "192.169.0.0/24", "1.2.3.4/9",
          "10.0.128.0/20", "100.64.0.0/10"]
for _ in range(400):
    o = [rng.choice([0, 9, 10, 99, 100, 199, 200, 249, 250, 255, rng.randrange(256)]) for _ in range(4)]
    corpus.append("%d.%d.%d.%d/%d" % (o[0], o[1], o[2], o[3], rng.randrange(33)))
bad = [c for c in corpus if up.search(c) and not cidr_ok(c)]
t.ok(len(corpus) > 400 and all(up.search(c) for c in corpus) and not bad,
     "every one of %d IPv4 CIDRs upstream accepted is still accepted" % len(corpus), bad[:5])

# The IPv6 branch agrees with Python's parser on valid networks in every
# spelling and on mutated strings (bounded corpus, fixed seed).
def py_v6(s):
    if "%" in s or "/" not in s:
        return False
    addr, _, plen = s.partition("/")
    if not re.fullmatch(r"0|[1-9][0-9]{0,2}", plen):
        return False
    try:
        ipaddress.IPv6Network(s, strict=False)
        return True
    except ValueError:
        return False


v6 = []
for _ in range(300):
    n = rng.randrange(9)
    words = [rng.choice([0, 0, 1, 0xdb8, 0xffff, rng.randrange(65536)]) for _ in range(8)]
    a = ipaddress.IPv6Address(sum(w << (16 * (7 - i)) for i, w in enumerate(words)))
    plen = rng.randrange(129)
    form = rng.randrange(3)
    text = a.compressed if form == 0 else a.exploded if form == 1 else \
        ":".join("%x" % w for w in words)
    if n == 0 and a.ipv4_mapped:
        text = "::ffff:" + str(a.ipv4_mapped)
    v6.append("%s/%d" % (text, plen))
v6 += ["::/0", "::1/128", "::ffff:10.1.0.0/120", "2001:db8::/32", "fe80::1:2:3:4/64",
       "1:2:3:4:5:6:1.2.3.4/128", "1::2:3:4:5:6:7/64"]
wrong = [s for s in v6 if not (py_v6(s) and cidr_ok(s))]
t.ok(not wrong, "%d valid IPv6 CIDRs accepted" % len(v6), wrong[:5])

mutants = ["2001:db8::1::/64", ":::/64", "2001:db8:/64", "12345::/64", "g::/64", "::/129", "::/01",
           "1:2:3:4:5:6:7:8:9/64", "1:2:3:4:5:6:7/64", "::ffff:1.2.3/96", "::ffff:1.2.3.256/96",
           "2001:db8::", "2001:db8::/", "2001:db8::/ 64", "fe80::1%eth0/64"]
alphabet = "0123456789abcdef:./"
for s in v6[:150]:
    chars = list(s)
    for _ in range(rng.randrange(1, 3)):
        op = rng.randrange(3)
        i = rng.randrange(len(chars) + 1)
        if op == 0:
            chars.insert(i, rng.choice(alphabet))
        elif op == 1 and chars:
            del chars[min(i, len(chars) - 1)]
        elif chars:
            chars[min(i, len(chars) - 1)] = rng.choice(alphabet)
    mutants.append("".join(chars))
disagree = []
for s in mutants:
    mine = cidr_ok(s)
    ref = py_v6(s) or (bool(up.search(s)))
    if mine != ref:
        disagree.append((s, mine, ref))
t.ok(not disagree, "%d mutated CIDR strings: schema agrees with ipaddress (or upstream's IPv4 pattern)"
     % len(mutants), disagree[:8])
t.done()
