# SPDX-License-Identifier: Apache-2.0
"""./quickstart demo: the operator against the simulator, watched live.

Starts eipam-sim (aws by default), starts eipamd pointed at it, applies the
upstream README's EgressIPAM for the scenario and N opted-in namespaces,
shows a live table (namespace -> IPs -> node -> NIC) as it converges, fails
a node carrying IPs and shows them move, prints where /metrics is, and
stops cleanly on Ctrl-C or after --duration seconds."""
import argparse
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "e2e"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "integration"))
from simclient import BUILD, Sim  # noqa: E402
from eiptest import Eipamd  # noqa: E402

ANN_IPAM = "egressip-ipam-operator.redhat-cop.io/egressipam"
ANN_IPS = "egressip-ipam-operator.redhat-cop.io/egressips"

stop = False


def on_signal(sig, frame):
    global stop
    stop = True


def namespaces_yaml(ipam, n):
    docs = []
    for i in range(1, n + 1):
        docs.append("apiVersion: v1\nkind: Namespace\nmetadata:\n"
                    "  name: demo-%02d\n  annotations:\n    %s: %s\n" %
                    (i, ANN_IPAM, ipam))
    return "---\n".join(docs)


def nic_of(sim, platform):
    """node -> NIC id, from the simulated cloud's own state."""
    if platform not in ("AWS", "Azure"):
        return {}
    code, dump = sim.control("GET", "cloud/dump")
    if code != 200 or not isinstance(dump, dict):
        return {}
    out = {}
    for inst in dump.get("instances", []) + dump.get("vms", []):
        nic = inst.get("eni") or inst.get("nic") or {}
        out[inst.get("node")] = nic.get("id") or nic.get("name", "")
    return out


def table(sim, platform, network):
    nss = [n for n in sim.items("/api/v1/namespaces")
           if (n["metadata"].get("annotations") or {}).get(ANN_IPAM)]
    where = {}
    if network == "OpenShiftSDN":
        for hs in sim.items("/apis/network.openshift.io/v1/hostsubnets"):
            for ip in hs.get("egressIPs") or []:
                where[ip] = hs["metadata"]["name"]
    else:
        for e in sim.items("/apis/k8s.ovn.org/v1/egressips"):
            for it in (e.get("status") or {}).get("items") or []:
                where[it["egressIP"]] = it["node"]
    nics = nic_of(sim, platform)
    ready = {n["metadata"]["name"]: any(
        c["type"] == "Ready" and c["status"] == "True"
        for c in n["status"].get("conditions", []))
        for n in sim.items("/api/v1/nodes")}
    rows, done = [], 0
    for ns in sorted(nss, key=lambda n: n["metadata"]["name"]):
        ips = (ns["metadata"].get("annotations") or {}).get(ANN_IPS)
        parts = []
        for ip in (ips.split(",") if ips else []):
            node = where.get(ip, "(unplaced)")
            mark = "" if ready.get(node, True) else " (NotReady!)"
            short = node.rsplit("-", 2)[-2] + "-" + node.rsplit("-", 1)[-1] \
                if node.count("-") > 2 else node
            parts.append("%-15s %-14s%s%s" % (ip, short, mark,
                                              " " + nics[node][:12]
                                              if node in nics else ""))
        placed = ips and all(where.get(ip) for ip in ips.split(","))
        done += 1 if placed else 0
        rows.append("%-10s %s" % (ns["metadata"]["name"],
                                  "  ".join(parts) or "(waiting)"))
    return rows, done, len(nss), where


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="aws")
    ap.add_argument("--namespaces", type=int, default=20)
    ap.add_argument("--nodes", type=int, default=12,
                    help="simulated nodes (enough for 20 namespaces' IPs)")
    ap.add_argument("--duration", type=float, default=0)
    args = ap.parse_args()
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    sim = Sim(args.scenario, nodes=args.nodes)
    op = Eipamd(*sim.flags())
    try:
        print("simulator: %s (scenario %s)" % (sim.base, args.scenario))
        infra = sim.get("/apis/config.openshift.io/v1/infrastructures/cluster")
        platform = infra["status"]["platformStatus"]["type"]
        network = sim.get("/apis/config.openshift.io/v1/networks/cluster")[
            "status"]["networkType"]
        with open(os.path.join(sim.state, "egressipam.yaml")) as f:
            ipam_yaml = f.read()
        ipam = [l.split(":", 1)[1].strip().strip('"') for l in
                ipam_yaml.splitlines() if l.strip().startswith("name:")][0]
        r = sim.kubectl("apply", "--validate=false", "-f", "-",
                        input=ipam_yaml)
        print(r.stdout.strip() or r.stderr.strip())
        r = sim.kubectl("apply", "--validate=false", "-f", "-",
                        input=namespaces_yaml(ipam, args.namespaces))
        print("created %d namespaces opted in to %s" % (args.namespaces, ipam))
        mport = open(os.path.join(op.run, "metrics.port")).read().strip() \
            if os.path.exists(os.path.join(op.run, "metrics.port")) else "?"
        failed = None
        phase = "converging"
        while not stop:
            rows, done, total, where = table(sim, platform, network)
            sys.stdout.write("\033[H\033[2J")
            print("egressip-ipam-operator demo - %s/%s - %s - %d/%d placed"
                  " - %.0f s" % (platform, network, phase, done, total,
                                 time.monotonic() - started))
            print("%-10s %s" % ("NAMESPACE", "IP, NODE and NIC per zone"))
            for row in rows:
                print(row)
            print("\nmetrics: http://127.0.0.1:%s/metrics   operator log: %s"
                  "\nCtrl-C stops." % (mport, op.logpath))
            sys.stdout.flush()
            if failed is None and total and done == total:
                node = sorted(set(where.values()))[0]
                sim.ctl("node-ready", node, "False")
                failed = node
                phase = "node %s failed: IPs moving" % node
            elif failed and done == total and not any(
                    v == failed for v in where.values()):
                phase = "node %s failed: IPs moved" % failed
            if args.duration and time.monotonic() - started > args.duration:
                break
            time.sleep(0.5)
    finally:
        rc = op.stop()
        print("\neipamd exited with %s" % rc)
        op.cleanup()
        sim.cleanup()


if __name__ == "__main__":
    main()
