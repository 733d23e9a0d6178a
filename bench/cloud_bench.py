# SPDX-License-Identifier: Apache-2.0
"""Cloudworker benchmark against eipam-sim at its default throttles
(EC2: describe 20/s burst 100, mutate 5/s burst 200; ARM: read 25/s burst
250, write 10/s burst 200; the providers' documented defaults).  Prints
JSON: cloud calls per IP attached, Assigns per ENI per batch (AWS), PUTs
per changed NIC (Azure), and IPs attached per second, for a batch
workload (every node's IPs in one ENSURE) and an incremental one (one
more IP per ENSURE, as the allocator places namespaces one by one).
Usage: bench/cloud_bench.py [WORKERS] [IPS_PER_NODE]"""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir",
                os.path.dirname(HERE)), "tests", "cloudworker"))
from cwlib import Env  # noqa: E402

WORKERS = int(sys.argv[1]) if len(sys.argv) > 1 else 24
PER = int(sys.argv[2]) if len(sys.argv) > 2 else 6


def actions(env):
    return env.sim.cloud("stats")["actions"]


def count(a, name):
    return sum(a.get(name, {}).values())


def run_parallel(env, bodies):
    """Sends every ENSURE at once; returns replies and seconds."""
    t0 = time.monotonic()
    corrs = [env.drv.send("CLOUD_ENSURE", b) for b in bodies]
    replies = [env.drv.wait("CLOUD_ENSURED", c, 120) for c in corrs]
    return replies, time.monotonic() - t0


def zone_cidr(scenario, name):
    if scenario.startswith("aws"):
        for z, c in (("1a", "10.0.128.0/20"), ("1b", "10.0.144.0/20"),
                     ("1c", "10.0.160.0/20")):
            if "eu-central-" + z in name:
                return c
    return "10.0.32.0/19"


def addr(cidr, node_i, k):
    a, b, c, _ = cidr.split("/")[0].split(".")
    return "%s.%s.%d.%d" % (a, b, int(c) + 4 + node_i // 40,
                            (node_i % 40) * 6 + 10 + k)


def bench(scenario):
    env = Env(scenario, level="info", workers=WORKERS)
    out = {"scenario": scenario, "workers": WORKERS, "ips_per_node": PER}
    try:
        if scenario.startswith("azure"):
            # The simulator's LRO default: one InProgress poll, 1 s apart.
            pass
        nodes = sorted([n for n in env.sim.nodes() if "worker" in
                        n["name"]], key=lambda n: n["name"])
        d = env.discover([{"name": n["name"], "provider_id":
                           n["provider_id"]} for n in nodes],
                         sorted({zone_cidr(scenario, n["name"])
                                 for n in nodes}), 120)
        nic = {x["name"]: x.get("nic") for x in d["body"]["nodes"]}
        cap = min(x.get("capacity", PER) for x in d["body"]["nodes"])
        per = min(PER, cap)
        out["ips_per_node"] = per

        def body(i, n, k):
            c = zone_cidr(scenario, n["name"])
            return {"node": n["name"], "provider_id": n["provider_id"],
                    "nic": nic[n["name"]], "owned_cidrs": [c],
                    "desired": [addr(c, i, j) for j in range(k)]}

        # Batch: every node gets all its IPs in one ENSURE.
        env.sim.cloud("stats-reset", {})
        replies, secs = run_parallel(env, [body(i, n, per) for i, n in
                                           enumerate(nodes)])
        a = actions(env)
        ips = sum(len(r["body"].get("ips", [])) for r in replies if r)
        calls = sum(sum(v.values()) for v in a.values())
        res = {"ips_attached": ips, "seconds": round(secs, 3),
               "ips_per_second": round(ips / secs, 1),
               "cloud_calls": calls,
               "calls_per_ip": round(calls / max(ips, 1), 3),
               "all_ok": all(r and r["body"]["ok"] for r in replies)}
        if scenario.startswith("aws"):
            res["assign_calls"] = count(a, "ec2:AssignPrivateIpAddresses")
            res["assigns_per_eni_per_batch"] = round(
                res["assign_calls"] / len(nodes), 3)
        else:
            res["put_calls"] = count(a, "arm:nic.put")
            res["puts_per_changed_nic"] = round(res["put_calls"] /
                                                len(nodes), 3)
            res["lro_polls"] = count(a, "arm:op.get")
        res["throttled"] = sum(v.get("RequestLimitExceeded", 0) +
                               v.get("SubscriptionRequestsThrottled", 0)
                               for v in a.values())
        out["batch"] = res
        # Remove them again (not measured) before the incremental run.
        run_parallel(env, [body(i, n, 0) for i, n in enumerate(nodes)])

        # Incremental: one more IP per ENSURE, nodes in parallel.
        env.sim.cloud("stats-reset", {})
        t0 = time.monotonic()
        ok = True
        for k in range(1, per + 1):
            replies, _ = run_parallel(env, [body(i, n, k) for i, n in
                                            enumerate(nodes)])
            ok &= all(r and r["body"]["ok"] for r in replies)
        secs = time.monotonic() - t0
        a = actions(env)
        ips = per * len(nodes)
        calls = sum(sum(v.values()) for v in a.values())
        res = {"ips_attached": ips, "seconds": round(secs, 3),
               "ips_per_second": round(ips / secs, 1), "cloud_calls": calls,
               "calls_per_ip": round(calls / ips, 3), "all_ok": ok,
               "throttled": sum(v.get("RequestLimitExceeded", 0) +
                                v.get("SubscriptionRequestsThrottled", 0)
                                for v in a.values())}
        if scenario.startswith("aws"):
            res["assign_calls"] = count(a, "ec2:AssignPrivateIpAddresses")
        else:
            res["put_calls"] = count(a, "arm:nic.put")
        out["incremental"] = res
        dump = env.worker.debug("dump")["result"]
        out["client_waits"] = {k: v["waits"] for k, v in
                               dump["apis"].items() if v["waits"]}
    finally:
        env.close()
    return out


results = [bench(s) for s in ("aws", "azure")]
print(json.dumps({"benchmark": "cloudworker", "results": results},
                 indent=1))
