# SPDX-License-Identifier: Apache-2.0
"""The cloudworker against eipam-sim's EC2 and STS, driven as the allocator
drives it, with the ENI state checked through boto3 (not our code):
DISCOVER, ENSURE (add, idempotent, remove, foreign secondaries kept), the
instance limit, an injected PrivateIpAddressLimitExceeded, an address
held by a foreign ENI, a throttling storm, a kill in the middle of an
ENSURE, STS web identity with expired temporary credentials, and no
secret in any log line at debug level."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cwlib import Env, Tap, aws_eni_ips, all_aws_ips, wait_for  # noqa: E402

t = Tap()


def node_req(n):
    return {k: v for k, v in n.items()
            if k in ("name", "provider_id", "instance_type") and v}


def iid(n):
    return n["provider_id"].rsplit("/", 1)[1]


def no_duplicates(ec2):
    dup = {ip: enis for ip, enis in all_aws_ips(ec2).items()
           if len(enis) > 1}
    return not dup, dup


def mutations(env):
    a = env.sim.cloud("stats")["actions"]
    return sum(sum(a.get(k, {}).values()) for k in (
        "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"))


def static_suite():
    env = Env("aws")
    try:
        ec2 = env.sim.boto3_ec2()
        nodes = env.sim.nodes()
        workers = sorted([n for n in nodes if "worker" in n["name"]],
                         key=lambda n: n["name"])
        zone_cidr = {"eu-central-1a": "10.0.128.0/20",
                     "eu-central-1b": "10.0.144.0/20",
                     "eu-central-1c": "10.0.160.0/20"}
        cidrs = sorted(zone_cidr.values())
        d = env.discover([node_req(n) for n in nodes], cidrs)
        ok = d is not None and all(x["ok"] for x in d["body"]["nodes"])
        t.ok(ok, "DISCOVER: every node found", d)
        by = {x["name"]: x for x in d["body"]["nodes"]} if d else {}
        # Compare with what boto3 sees.
        good = True
        types = {}
        for n in nodes:
            r = ec2.describe_instances(InstanceIds=[iid(n)])
            inst = r["Reservations"][0]["Instances"][0]
            eni = [e for e in inst["NetworkInterfaces"]
                   if e["Attachment"]["DeviceIndex"] == 0][0]
            types[inst["InstanceType"]] = None
            x = by.get(n["name"], {})
            good &= x.get("nic") == eni["NetworkInterfaceId"]
            good &= x.get("primary_ip") == eni["PrivateIpAddress"]
            good &= sorted(x.get("ips", [])) == sorted(
                a["PrivateIpAddress"] for a in eni["PrivateIpAddresses"])
            lim = ec2.describe_instance_types(InstanceTypes=[
                inst["InstanceType"]])["InstanceTypes"][0]["NetworkInfo"][
                "Ipv4AddressesPerInterface"]
            good &= x.get("capacity") == lim - len(eni[
                "PrivateIpAddresses"])
        t.ok(good, "DISCOVER: ENI (device index 0), addresses and capacity "
             "match boto3", by)
        used_ok = True
        for s in d["body"]["subnets"]:
            sub = [x for x in ec2.describe_subnets()["Subnets"]
                   if x["CidrBlock"] == s.get("subnet_cidr")]
            if not sub:
                used_ok = False
                continue
            for e in ec2.describe_network_interfaces(Filters=[{
                    "Name": "subnet-id",
                    "Values": [sub[0]["SubnetId"]]}])["NetworkInterfaces"]:
                for a in e["PrivateIpAddresses"]:
                    used_ok &= a["PrivateIpAddress"] in s["used"]
            base = s["cidr"].split("/")[0].rsplit(".", 1)[0]
            used_ok &= base + ".1" in s["used"] and base + ".3" in s["used"]
        t.ok(used_ok, "DISCOVER: every address in use in the subnets, and "
             "the reserved ones, are reported", d["body"]["subnets"])

        a = workers[0]
        a_cidr = "10.0.128.0/20" if "1a" in a["name"] else None
        owned = [a_cidr or "10.0.128.0/20"]
        base = owned[0].split(".")[:2]
        ip = lambda k: "%s.%s.%d.%d" % (base[0], base[1], 128 + k // 200,  # noqa
                                        20 + k % 200)
        want = [ip(1), ip(2), ip(3)]
        before = mutations(env)
        r = env.ensure(a, want, owned)
        got = aws_eni_ips(ec2, iid(a))
        t.ok(r and r["body"]["ok"] and sorted(r["body"]["ips"]) ==
             sorted(want) and all(w in got for w in want),
             "ENSURE adds three addresses to the primary ENI (boto3)",
             (r, got))
        t.ok(mutations(env) - before == 1, "one Assign for the batch "
             "(%d mutating calls)" % (mutations(env) - before))
        before = mutations(env)
        r = env.ensure(a, want, owned)
        t.ok(r and r["body"]["ok"] and mutations(env) == before and
             r["body"]["calls"] == 1, "the same ENSURE again changes "
             "nothing (one Describe, no mutation)", r)

        # A foreign secondary outside the owned CIDR stays.
        foreign = "%s.%s.140.9" % tuple(base)
        ec2.assign_private_ip_addresses(
            NetworkInterfaceId=by[a["name"]]["nic"],
            PrivateIpAddresses=[foreign])
        narrow = ["%s.%s.128.0/21" % tuple(base)]
        r = env.ensure(a, [ip(2)], narrow)
        got = aws_eni_ips(ec2, iid(a))
        t.ok(r and r["body"]["ok"] and foreign in got and ip(2) in got and
             ip(1) not in got and ip(3) not in got,
             "ENSURE removes only owned addresses; the foreign one stays",
             (r, got))
        cap = r["body"].get("capacity") if r else None
        r = env.ensure(a, [], narrow)
        got = aws_eni_ips(ec2, iid(a))
        t.ok(r and r["body"]["ok"] and got == sorted(
            [by[a["name"]]["primary_ip"], foreign]) and
             r["body"].get("capacity") == cap,
             "emptied: primary and foreign remain, the foreign one counts "
             "against capacity (%s)" % cap, (r, got))
        ec2.unassign_private_ip_addresses(
            NetworkInterfaceId=by[a["name"]]["nic"],
            PrivateIpAddresses=[foreign])

        # The instance type's limit: the allocator asked for too many.
        small = [n for n in workers if by[n["name"]].get("capacity", 99) <
                 8]
        s = small[0] if small else workers[-1]
        scap = by[s["name"]]["capacity"]
        sz = [z for z in zone_cidr if z in s["name"]][0]
        sb = zone_cidr[sz].split(".")[:2]
        many = ["%s.%s.%d.%d" % (sb[0], sb[1], int(zone_cidr[sz].split(
            ".")[2]) + 1, 10 + k) for k in range(scap + 2)]
        r = env.ensure(s, many, [zone_cidr[sz]])
        got = aws_eni_ips(ec2, iid(s))
        t.ok(r and r["body"]["class"] == "limit_exceeded" and
             len(r["body"]["ips"]) == scap and len(got) == scap + 1 and
             r["body"]["ips"] == many[:scap],
             "over the limit: the first %d fit, limit_exceeded reported"
             % scap, (r, got))
        r = env.ensure(s, [], [zone_cidr[sz]])
        t.ok(r and r["body"]["ok"] and len(aws_eni_ips(ec2, iid(s))) == 1,
             "and removed again", r)

        # EC2 says PrivateIpAddressLimitExceeded once: look again, retry.
        env.sim.cloud("fault", {"action": "ec2:AssignPrivateIpAddresses",
                                "rate": 1, "status": 400, "code":
                                "PrivateIpAddressLimitExceeded", "message":
                                "Number of private addresses will exceed "
                                "limit.", "count": 1})
        r = env.ensure(a, want, owned)
        got = aws_eni_ips(ec2, iid(a))
        t.ok(r and r["body"]["ok"] and all(w in got for w in want),
             "an injected PrivateIpAddressLimitExceeded: re-read, retried, "
             "converged", (r, got))
        env.sim.cloud("faults-clear", {})

        # An address a foreign ENI holds: set aside, the rest applied.
        taken = ip(50)
        env.sim.cloud("take-address", {"ip": taken})
        r = env.ensure(a, want + [taken, ip(51)], owned)
        got = aws_eni_ips(ec2, iid(a))
        holders = all_aws_ips(ec2).get(taken, [])
        t.ok(r and r["body"]["class"] == "address_in_use" and taken in
             r["body"].get("message", "") and ip(51) in got and taken not
             in got and len(holders) == 1 and holders[0] !=
             by[a["name"]]["nic"] and sorted(r["body"]["ips"]) ==
             sorted(want + [ip(51)]),
             "an address held by a foreign ENI: address_in_use, the others "
             "attached, the foreign ENI keeps it", (r, got, holders))

        # Throttling storm: EC2 allows one mutation a second.
        env.sim.cloud("throttle", {"class": "mutate", "rate": 1,
                                   "burst": 1})
        env.sim.cloud("throttle", {"class": "describe", "rate": 3,
                                   "burst": 2})
        corr = {}
        plan = {}
        for i, n in enumerate(workers):
            z = [zz for zz in zone_cidr if zz in n["name"]][0]
            b3 = zone_cidr[z].split(".")
            plan[n["name"]] = (["%s.%s.%d.%d" % (b3[0], b3[1], int(b3[2]) +
                                2, 30 + k) for k in range(3)],
                               [zone_cidr[z]])
            body = {"node": n["name"], "provider_id": n["provider_id"],
                    "desired": plan[n["name"]][0],
                    "owned_cidrs": plan[n["name"]][1]}
            corr[env.drv.send("CLOUD_ENSURE", body)] = n
        replies = [env.drv.wait("CLOUD_ENSURED", c, 70) for c in corr]
        env.sim.cloud("throttle", {"class": "mutate", "rate": 5,
                                   "burst": 200})
        env.sim.cloud("throttle", {"class": "describe", "rate": 20,
                                   "burst": 100})
        thr = env.sim.cloud("stats")["actions"]
        n429 = sum(v.get("RequestLimitExceeded", 0) for v in thr.values())
        conv = all(r is not None and r["body"]["class"] in ("ok",
                   "throttled") for r in replies)
        # Whatever was reported is what is there; then finish the job.
        for c, n in corr.items():
            r = env.ensure(n, *plan[n["name"]])
        final = all(all(w in aws_eni_ips(ec2, iid(n)) for w in
                        plan[n["name"]][0]) for n in workers)
        nd, dup = no_duplicates(ec2)
        t.ok(conv and final and nd, "throttling storm (%d throttled "
             "answers): every ENSURE answered, converged, no duplicate" %
             n429, (replies, dup))
        t.ok(n429 > 0, "the storm really throttled (%d)" % n429)

        # Killed in the middle of an ENSURE: the reply never comes.
        env.sim.cloud("fault", {"action": "ec2:AssignPrivateIpAddresses",
                                "latencyMs": 3000})
        k = workers[1]
        kz = [zz for zz in zone_cidr if zz in k["name"]][0]
        kb = zone_cidr[kz].split(".")
        kwant = ["%s.%s.%d.%d" % (kb[0], kb[1], int(kb[2]) + 3, 40 + j)
                 for j in range(4)]
        before = env.sim.cloud("stats")["actions"].get(
            "ec2:AssignPrivateIpAddresses", {}).get("ok", 0)
        c = env.drv.send("CLOUD_ENSURE", {"node": k["name"], "provider_id":
                         k["provider_id"], "desired": kwant,
                         "owned_cidrs": [zone_cidr[kz]]})
        seen = wait_for(lambda: env.sim.cloud("stats")["actions"].get(
            "ec2:AssignPrivateIpAddresses", {}).get("ok", 0) > before, 20)
        env.restart_worker()
        env.sim.cloud("faults-clear", {})
        lost = env.drv.wait("CLOUD_ENSURED", c, 1) is None
        r = env.ensure(k, kwant, [zone_cidr[kz]])
        got = aws_eni_ips(ec2, iid(k))
        nd, dup = no_duplicates(ec2)
        t.ok(seen and lost and r and r["body"]["ok"] and
             sorted(x for x in got if x in kwant) == sorted(kwant) and
             len(got) == 1 + len(kwant) and nd and
             mutations(env) >= 0,
             "killed during an Assign, restarted, ENSURE again: converged, "
             "no duplicate, nothing leaked", (seen, lost, r, got, dup))

        # The debug dump shows state, never a secret.
        dump = env.worker.debug("dump")
        text = str(dump)
        t.ok(dump and dump.get("ok") and dump["result"].get("provider") ==
             "aws" and "ec2-mutate" in dump["result"]["apis"] and
             not any(sec in text for sec in env.sim.secrets()),
             "debug dump: provider, API buckets, no secret",
             str(dump)[:1500])
        secrets = env.sim.secrets()
        log = env.worker.text()
        leaked = [s[:6] for s in secrets if s in log]
        t.ok(secrets and not leaked and "debug" in log,
             "static keys: no secret in any log line at debug level "
             "(%d secrets checked)" % len(secrets), leaked)
        t.ok(env.worker.sandbox_clean(), "static keys: the sandbox "
             "refused no call", log[-2000:])
    finally:
        env.close()


def sts_suite():
    env = Env("aws-sts", host="localhost")
    try:
        ec2 = env.sim.boto3_ec2()
        nodes = env.sim.nodes()
        w = sorted([n for n in nodes if "worker" in n["name"]],
                   key=lambda n: n["name"])[0]
        d = env.discover([node_req(n) for n in nodes], ["10.0.128.0/20"])
        t.ok(d and all(x["ok"] for x in d["body"]["nodes"]),
             "STS: DISCOVER with temporary credentials", d)
        want = ["10.0.130.5", "10.0.130.6"]
        r = env.ensure(w, want, ["10.0.128.0/20"])
        got = aws_eni_ips(ec2, iid(w))
        t.ok(r and r["body"]["ok"] and all(x in got for x in want),
             "STS: ENSURE attaches (boto3)", (r, got))
        env.sim.cloud("sts-expire", {})
        # The projected token rotates too: it is read at each exchange.
        rot = env.sim.cloud("rotate-token", {})
        r = env.ensure(w, want[:1], ["10.0.128.0/20"])
        ec2 = env.sim.boto3_ec2()   # the test's own credentials expired too
        got = aws_eni_ips(ec2, iid(w))
        dump = env.worker.debug("dump")["result"]["aws"]
        t.ok(r and r["body"]["ok"] and want[1] not in got and want[0] in
             got and dump["sts_exchanges"] >= 2 and dump["sts_valid"],
             "expired STS credentials: refreshed with the rotated token, "
             "ENSURE converged (%d exchanges)" % dump["sts_exchanges"],
             (r, got, dump, rot))
        r = env.ensure(w, [], ["10.0.128.0/20"])
        t.ok(r and r["body"]["ok"] and len(aws_eni_ips(ec2, iid(w))) == 1,
             "STS: removed again", r)
        # Every secret, the temporary ones included, never in a log line.
        secrets = env.sim.secrets()
        issued = env.sim.cloud().get("stsCredentialsIssued")
        log = env.worker.text()
        leaked = [s[:6] for s in secrets if s in log]
        t.ok(secrets and not leaked, "STS: neither the web identity token "
             "nor anything issued appears in the debug log", (leaked,
                                                              issued))
        t.ok(env.worker.sandbox_clean(), "STS (endpoints by name): the "
             "sandbox refused no call", env.worker.text()[-2000:])
    finally:
        env.close()


static_suite()
sts_suite()
t.done()
