# SPDX-License-Identifier: Apache-2.0
"""End to end through eipamd (every role) on the four cloud scenarios of
eipam-sim (AWS static keys, AWS STS, Azure secret, Azure workload
identity): the namespaces' annotations, the HostSubnets and the NICs as
the cloud itself reports them (boto3 for EC2, the simulator's control API
for Azure) agree; opting out takes the address off the NIC; a cloudworker
killed while its change is in flight is restarted by the supervisor and
the cloud converges with no leaked and no duplicated address."""
import ipaddress
import os
import re
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, HERE)
from env import ANN_IPAM, Env, Tap, wait_for  # noqa: E402
import invariants  # noqa: E402

t = Tap()


def aws_client(e):
    import boto3
    st = e.sim.state
    cd = os.path.join(st, "cloud-credentials")
    flags = dict(f[2:].split("=", 1) for f in e.sim.flags() if "=" in f)
    region = e.sim.get("/apis/config.openshift.io/v1/infrastructures/"
                       "cluster")["status"]["platformStatus"]["aws"]["region"]
    ca = os.path.join(st, "ca.crt")
    if os.path.exists(os.path.join(cd, "aws_access_key_id")):
        kw = {"aws_access_key_id": open(os.path.join(
            cd, "aws_access_key_id")).read().strip(),
            "aws_secret_access_key": open(os.path.join(
                cd, "aws_secret_access_key")).read().strip()}
    else:
        ini = open(os.path.join(cd, "credentials")).read()
        tf = re.search(r"web_identity_token_file\s*=\s*(\S+)", ini).group(1)
        sts = boto3.client("sts", endpoint_url=flags["aws-sts-endpoint"],
                           region_name=region, verify=ca,
                           aws_access_key_id="x", aws_secret_access_key="x")
        c = sts.assume_role_with_web_identity(
            RoleArn=re.search(r"role_arn\s*=\s*(\S+)", ini).group(1),
            RoleSessionName="e2e", WebIdentityToken=open(tf).read().strip())[
            "Credentials"]
        kw = {"aws_access_key_id": c["AccessKeyId"],
              "aws_secret_access_key": c["SecretAccessKey"],
              "aws_session_token": c["SessionToken"]}
    return boto3.client("ec2", endpoint_url=flags["aws-ec2-endpoint"],
                        region_name=region, verify=ca, **kw)


def cloud_nics(e, ec2):
    """{node: (primary, [every address on its primary NIC])}, and
    address -> [holders], read from the cloud, not the operator."""
    nodes = {n["spec"]["providerID"]: n["metadata"]["name"]
             for n in e.sim.items("/api/v1/nodes")}
    out, holders = {}, {}
    if ec2 is not None:
        for res in ec2.describe_instances()["Reservations"]:
            for i in res["Instances"]:
                name = [v for k, v in nodes.items()
                        if k.endswith("/" + i["InstanceId"])]
                for n in i["NetworkInterfaces"]:
                    ips = [a["PrivateIpAddress"]
                           for a in n["PrivateIpAddresses"]]
                    if name and n["Attachment"]["DeviceIndex"] == 0:
                        out[name[0]] = (n["PrivateIpAddress"], ips)
        for n in ec2.describe_network_interfaces()["NetworkInterfaces"]:
            for a in n["PrivateIpAddresses"]:
                holders.setdefault(a["PrivateIpAddress"], []).append(
                    n["NetworkInterfaceId"])
        return out, holders
    code, d = e.sim.control("GET", "cloud")
    for nic in d["networkInterfaces"]:
        ips = [c["ip"] for c in nic["ipConfigurations"]]
        prim = [c["ip"] for c in nic["ipConfigurations"] if c.get("primary")]
        if nic.get("vm"):
            out[nic["vm"]] = (prim[0] if prim else None, ips)
        for ip in ips:
            holders.setdefault(ip, []).append(nic["name"])
    for f in d.get("frontends", []):
        holders.setdefault(f["ip"], []).append(f["id"])
    return out, holders


def check(e, ec2, cidrs):
    """The checker's invariants plus: on every node's NIC, the addresses
    inside the IPAM's CIDRs (but the primary) are exactly its HostSubnet's
    egressIPs, and no address is on two interfaces."""
    nics, holders = cloud_nics(e, ec2)
    bad = invariants.check(e.sim, cloud_nics={n: set(v[1]) for n, v in
                                              nics.items()})
    nets = [ipaddress.ip_network(c) for c in cidrs]
    hs = {h["metadata"]["name"]: set(h.get("egressIPs") or [])
          for h in e.sim.items("/apis/network.openshift.io/v1/hostsubnets")}
    for node, (prim, ips) in nics.items():
        ours = {ip for ip in ips if ip != prim and
                any(ipaddress.ip_address(ip) in n for n in nets)}
        if ours != hs.get(node, set()):
            bad.append("NIC of %s carries %s, HostSubnet %s" % (
                node, sorted(ours), sorted(hs.get(node, set()))))
    for ip, h in holders.items():
        if len(h) > 1:
            bad.append("%s is on %s" % (ip, h))
    return bad


def converge(e, ec2, cidrs, timeout=40):
    last = [None]

    def ok():
        try:
            last[0] = check(e, ec2, cidrs)
        except Exception as ex:     # a read during a change
            last[0] = ["checker: %s" % ex]
        return not last[0]
    wait_for(ok, timeout, step=0.3)
    return last[0]


def cloudworker_pid(e):
    r = e.op.roles().get("cloudworker-0")
    return r and r.get("pid")


def suite(scenario, kill):
    e = Env(scenario)
    aws = scenario.startswith("aws")
    try:
        t.ok(e.ready(30), "%s: eipamd with every role ready" % scenario,
             e.op.logtext()[-3000:])
        if not aws:
            e.sim.control("POST", "cloud/lro", {"polls": 1, "retryAfter": 0})
        ipam = e.apply_sample_ipam()
        spec = e.ipam(ipam)["spec"]
        cidrs = sorted({a["CIDR"] for a in spec["cidrAssignments"]})
        ec2 = aws_client(e) if aws else None
        names = ["team-%d" % i for i in range(4)]
        for n in names:
            e.namespace(n, ipam)
        bad = converge(e, ec2, cidrs)
        t.ok(not bad, "%s: every namespace's IPs are on its nodes' NICs in "
             "the cloud, nothing else is" % scenario, "\n".join(bad or []))
        gone = e.ips_of(names[0]) or []
        e.annotate("namespace", names[0], ANN_IPAM)
        bad = converge(e, ec2, cidrs)
        nics, _ = cloud_nics(e, ec2)
        still = [ip for ip in gone for v in nics.values() if ip in v[1]]
        t.ok(gone and not bad and not still, "%s: opt-out takes %s off the "
             "NIC" % (scenario, gone), "\n".join((bad or []) + still))
        if kill:
            pid = cloudworker_pid(e)
            if aws:
                e.sim.control("POST", "cloud/fault", {
                    "action": "ec2:AssignPrivateIpAddresses",
                    "latencyMs": 3000})
                act = "ec2:AssignPrivateIpAddresses"
            else:
                e.sim.control("POST", "cloud/lro", {"polls": 4,
                                                    "retryAfter": 1})
                act = "arm:nic.put"

            def sent():
                code, s = e.sim.control("GET", "cloud/stats")
                return s["actions"].get(act, {}).get("ok", 0)
            before = sent()
            e.namespace("late", ipam)
            seen = wait_for(lambda: sent() > before, 20)
            os.kill(pid, signal.SIGKILL)
            back = wait_for(lambda: cloudworker_pid(e) not in (None, pid)
                            and e.op.all_ready(), 30)
            if aws:
                e.sim.control("POST", "cloud/fault", {
                    "action": "ec2:AssignPrivateIpAddresses"})
            else:
                e.sim.control("POST", "cloud/lro", {"polls": 1,
                                                    "retryAfter": 0})
            bad = converge(e, ec2, cidrs, 60)
            t.ok(seen and back and not bad and e.ips_of("late"),
                 "%s: cloudworker killed while its change was in flight, "
                 "restarted by eipamd: converged, no leak, no duplicate"
                 % scenario, "\n".join(bad or []) + e.op.logtext()[-2000:])
    finally:
        e.close()


suite("aws", kill=True)
suite("aws-sts", kill=False)
suite("azure", kill=True)
suite("azure-wi", kill=False)
t.done()
