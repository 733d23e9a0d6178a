# SPDX-License-Identifier: Apache-2.0
"""The independent checker of the end-to-end suites: reads the cluster
(and, on clouds, the NICs) straight from the simulator and checks SPEC
§2-§5's invariants.  It shares no code with the operator.

check(sim, ...) returns a list of violations (empty = all good)."""
import ipaddress
import json

ANN_IPAM = "egressip-ipam-operator.redhat-cop.io/egressipam"
ANN_IPS = "egressip-ipam-operator.redhat-cop.io/egressips"
ANN_CAP = "egressip-ipam-operator.redhat-cop.io/capacity"
OVN_LABEL = "k8s.ovn.org/egress-assignable"
CLOUDS = ("AWS", "Azure")


def selector_matches(sel, labels):
    sel = sel or {}
    for k, v in (sel.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in sel.get("matchExpressions") or []:
        k, op, vals = e["key"], e["operator"], e.get("values") or []
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and k in labels and labels[k] in vals:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


def node_ready(node):
    for c in node.get("status", {}).get("conditions", []):
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


def internal_ip(node):
    for a in node.get("status", {}).get("addresses", []):
        if a.get("type") == "InternalIP":
            return a.get("address")
    return None


def excluded(net, ip, reserved, node_ips, cloud):
    """Why ip may never be handed out of net, or None."""
    if ip not in net:
        return "outside %s" % net
    if net.version == 4 and net.prefixlen < 31 and \
            ip in (net.network_address, net.broadcast_address):
        return "network or broadcast address"
    if str(ip) in reserved:
        return "a reservedIP"
    if str(ip) in node_ips:
        return "a node's primary IP"
    if cloud and net.version == 4:
        off = int(ip) - int(net.network_address)
        if off < 4 or ip == net.broadcast_address:
            return "reserved by the cloud in its subnet"
    return None


class Cluster:
    """One consistent-enough read of everything the checker needs."""

    def __init__(self, sim):
        self.sim = sim
        g = sim.get
        infra = g("/apis/config.openshift.io/v1/infrastructures/cluster")
        self.platform = (infra.get("status", {}).get("platformStatus", {})
                         .get("type", "None"))
        net = g("/apis/config.openshift.io/v1/networks/cluster")
        self.network = net.get("status", {}).get("networkType",
                                                 "OpenShiftSDN")
        self.ipams = sim.items("/apis/redhatcop.redhat.io/v1alpha1/egressipams")
        self.namespaces = {n["metadata"]["name"]: n
                           for n in sim.items("/api/v1/namespaces")}
        self.nodes = {n["metadata"]["name"]: n
                      for n in sim.items("/api/v1/nodes")}
        self.hostsubnets = {}
        self.netnamespaces = {}
        self.egressips = {}
        if self.network == "OpenShiftSDN":
            self.hostsubnets = {h["metadata"]["name"]: h for h in sim.items(
                "/apis/network.openshift.io/v1/hostsubnets")}
            self.netnamespaces = {n["metadata"]["name"]: n for n in sim.items(
                "/apis/network.openshift.io/v1/netnamespaces")}
        else:
            self.egressips = {e["metadata"]["name"]: e for e in sim.items(
                "/apis/k8s.ovn.org/v1/egressips")}


def check(sim, waiting=(), unplaced=(), cloud_nics=None):
    """waiting: namespaces allowed to lack IPs (exhausted pool, halted
    manual IPs); unplaced: namespaces whose IPs may lack a node (no
    capacity).  cloud_nics: {node: set(ips on its primary NIC)} read by
    the caller through the cloud's own API, or None."""
    c = Cluster(sim)
    bad = []
    cloud = c.platform in CLOUDS
    node_ips = {internal_ip(n) for n in c.nodes.values()}
    holder = {}
    all_assigned = set()
    for ipam in c.ipams:
        name = ipam["metadata"]["name"]
        spec = ipam.get("spec", {})
        cidrs = [a["CIDR"] for a in spec.get("cidrAssignments", [])]
        nets = [ipaddress.ip_network(x, strict=False) for x in cidrs]
        reserved = [set(a.get("reservedIPs") or [])
                    for a in spec.get("cidrAssignments", [])]
        deleting = "deletionTimestamp" in ipam["metadata"]
        # A node belongs to an IPAM when the selector matches and its
        # topology label names one of the IPAM's zones (doc/ALLOCATOR.md).
        zones = {a.get("labelValue") for a in spec.get("cidrAssignments", [])}
        sel_nodes = {n: v for n, v in c.nodes.items() if selector_matches(
            spec.get("nodeSelector"), v["metadata"].get("labels", {})) and
            v["metadata"].get("labels", {}).get(spec.get("topologyLabel"))
            in zones}
        for nsname, ns in c.namespaces.items():
            ann = ns["metadata"].get("annotations") or {}
            if ann.get(ANN_IPAM) != name or "deletionTimestamp" in \
                    ns["metadata"]:
                continue
            if nsname in waiting:
                continue        # the test expects it to lack IPs
            if deleting:
                if ANN_IPS in ann:
                    bad.append("%s: still holds IPs of deleted %s" %
                               (nsname, name))
                continue
            if ANN_IPS not in ann:
                bad.append("%s: opted in to %s but has no IPs" %
                           (nsname, name))
                continue
            ips = ann[ANN_IPS].split(",") if ann[ANN_IPS] else []
            if len(ips) != len(cidrs):
                bad.append("%s: %d IPs for %d CIDRs" % (nsname, len(ips),
                                                        len(cidrs)))
            for i, s in enumerate(ips[:len(nets)]):
                try:
                    ip = ipaddress.ip_address(s)
                except ValueError:
                    bad.append("%s: %r is not an IP" % (nsname, s))
                    continue
                why = excluded(nets[i], ip, reserved[i], node_ips, cloud)
                if why:
                    bad.append("%s: %s is %s" % (nsname, s, why))
                if s in holder and holder[s] != nsname:
                    bad.append("%s held by %s and %s" % (s, holder[s], nsname))
                holder[s] = nsname
                all_assigned.add(s)
            if c.network == "OpenShiftSDN":
                nn = c.netnamespaces.get(nsname)
                if nn is None or (nn.get("egressIPs") or []) != ips:
                    bad.append("%s: NetNamespace egressIPs %s != %s" % (
                        nsname, nn and nn.get("egressIPs"), ips))
            else:
                eip = c.egressips.get("eipam-" + nsname)
                if eip is None:
                    bad.append("%s: no EgressIP eipam-%s" % (nsname, nsname))
                else:
                    if sorted(eip["spec"].get("egressIPs") or []) != \
                            sorted(ips):
                        bad.append("%s: EgressIP has %s" % (
                            nsname, eip["spec"].get("egressIPs")))
                    owners = eip["metadata"].get("ownerReferences") or []
                    if not any(o.get("kind") == "Namespace" and
                               o.get("uid") == ns["metadata"]["uid"]
                               for o in owners):
                        bad.append("%s: EgressIP not owned by its Namespace"
                                   % nsname)
        if c.network == "OpenShiftSDN" and not deleting:
            bad += check_hostsubnets(c, name, spec, nets, sel_nodes, holder,
                                     unplaced, cloud)
        if c.network != "OpenShiftSDN" and not deleting:
            for n in sel_nodes.values():
                if OVN_LABEL not in n["metadata"].get("labels", {}):
                    bad.append("node %s of %s lacks %s" % (
                        n["metadata"]["name"], name, OVN_LABEL))
        bad += check_status(ipam)
    # Nothing left behind for namespaces without IPs.
    if c.network == "OpenShiftSDN":
        for nsname, nn in c.netnamespaces.items():
            stray = set(nn.get("egressIPs") or []) - all_assigned
            if stray:
                bad.append("NetNamespace %s carries unassigned %s" % (
                    nsname, sorted(stray)))
    else:
        for ename, e in c.egressips.items():
            if ename.startswith("eipam-") and ename[6:] not in {
                    holder.get(ip) for ip in all_assigned}:
                bad.append("EgressIP %s left behind" % ename)
    if cloud_nics is not None:
        bad += check_cloud(c, cloud_nics, all_assigned)
    return bad


def check_hostsubnets(c, name, spec, nets, sel_nodes, holder, unplaced,
                      cloud):
    bad = []
    topo = spec.get("topologyLabel")
    zones = [a.get("labelValue") for a in spec.get("cidrAssignments", [])]
    has_cap = any(ANN_CAP in (n["metadata"].get("annotations") or {})
                  for n in sel_nodes.values())
    cidr_mode = not cloud and len(nets) == 1 and not has_cap
    if cidr_mode:
        for n in sel_nodes.values():
            if n["metadata"].get("labels", {}).get(topo) != zones[0]:
                continue
            hs = c.hostsubnets.get(n["metadata"]["name"])
            if hs is None or (hs.get("egressCIDRs") or []) != \
                    [str(nets[0])]:
                bad.append("HostSubnet %s: egressCIDRs %s, want [%s]" % (
                    n["metadata"]["name"], hs and hs.get("egressCIDRs"),
                    nets[0]))
        return bad
    where = {}
    for hname, hs in c.hostsubnets.items():
        if hs.get("egressCIDRs") and hname in sel_nodes:
            bad.append("HostSubnet %s: egressCIDRs %s in explicit mode" % (
                hname, hs["egressCIDRs"]))
        for ip in hs.get("egressIPs") or []:
            where.setdefault(ip, []).append(hname)
    per_node = {}
    for ip, ns in holder.items():
        a = ipaddress.ip_address(ip)
        idx = [i for i, n in enumerate(nets) if a in n]
        if not idx:
            continue        # another IPAM's address
        hosts = where.get(ip, [])
        if not hosts:
            if ns not in unplaced:
                bad.append("%s (%s) is on no node" % (ip, ns))
            continue
        if len(hosts) > 1:
            bad.append("%s is on %s" % (ip, hosts))
        h = hosts[0]
        node = c.nodes.get(h)
        if node is None or h not in sel_nodes:
            bad.append("%s on %s, not a node of %s" % (ip, h, name))
            continue
        if not node_ready(node):
            bad.append("%s on NotReady node %s" % (ip, h))
        if node["metadata"].get("labels", {}).get(topo) != zones[idx[0]]:
            bad.append("%s on %s outside its zone" % (ip, h))
        per_node[h] = per_node.get(h, 0) + 1
    for ip, hosts in where.items():
        a = ipaddress.ip_address(ip)
        if any(a in n for n in nets) and ip not in holder:
            bad.append("%s on %s belongs to no namespace" % (ip, hosts))
    for h, count in per_node.items():
        cap = (c.nodes[h]["metadata"].get("annotations") or {}).get(ANN_CAP)
        if cap is not None and count > int(cap):
            bad.append("%s carries %d IPs, capacity %s" % (h, count, cap))
    return bad


def check_status(ipam):
    bad = []
    st = ipam.get("status") or {}
    gen = ipam["metadata"].get("generation")
    conds = {x["type"]: x for x in st.get("conditions") or []}
    if "deletionTimestamp" in ipam["metadata"]:
        return bad
    ok, err = conds.get("ReconcileSuccess"), conds.get("ReconcileError")
    if ok and err and ok.get("status") == "True" and \
            err.get("status") == "True":
        bad.append("%s: ReconcileSuccess and ReconcileError both True" %
                   ipam["metadata"]["name"])
    for x in conds.values():
        if x.get("observedGeneration") not in (None, gen):
            bad.append("%s: condition %s observedGeneration %s != %s" % (
                ipam["metadata"]["name"], x["type"],
                x.get("observedGeneration"), gen))
    return bad


def check_cloud(c, cloud_nics, assigned):
    """Every address inside an IPAM CIDR on a node's NIC (its primary
    aside) is one its HostSubnet lists, and the other way round: nothing
    leaked, nothing missing.  Foreign addresses outside the CIDRs are the
    cloud's business."""
    bad = []
    nets = [ipaddress.ip_network(a["CIDR"], strict=False)
            for p in c.ipams for a in p.get("spec", {}).get(
                "cidrAssignments", [])]
    for node, hs in c.hostsubnets.items():
        want = set(hs.get("egressIPs") or [])
        have = cloud_nics.get(node)
        if have is None:
            continue
        primary = internal_ip(c.nodes[node]) if node in c.nodes else None
        ours = {ip for ip in have if ip != primary and any(
            ipaddress.ip_address(ip) in n for n in nets)}
        if ours != want:
            bad.append("NIC of %s has %s, HostSubnet says %s" % (
                node, sorted(ours), sorted(want)))
    return bad


def report(t, bad, what):
    t.ok(not bad, what, "\n".join(bad[:30]))
    return not bad
