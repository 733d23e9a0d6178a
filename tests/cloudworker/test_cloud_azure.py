# SPDX-License-Identifier: Apache-2.0
"""The cloudworker against eipam-sim's ARM and AAD, driven as the
allocator drives it, with the NIC state read from the simulator's own
control API (not through our code): DISCOVER, ENSURE (ipConfigurations
EgressIP<ip>, Static, primary false, in the primary's pools; idempotent
without a PUT; pools follow the lb_mode; foreign configurations kept), an
address held elsewhere, a failed long-running operation, an etag
conflict, an AAD failure, workload identity, and no secret in any log
line at debug level."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cwlib import Env, Tap, wait_for  # noqa: E402

t = Tap()


def node_req(n):
    return {k: v for k, v in n.items()
            if k in ("name", "provider_id", "instance_type") and v}


def sim_nic(env, name):
    for n in env.sim.cloud()["networkInterfaces"]:
        if n["name"].lower() == name.lower():
            return n
    return None


def egress(nic):
    return {c["ip"]: c for c in nic["ipConfigurations"] if not
            c.get("primary")}


def stat(env, action, outcome="ok"):
    return env.sim.cloud("stats")["actions"].get(action, {}).get(outcome, 0)


def no_duplicates(env):
    seen = {}
    d = env.sim.cloud()
    for n in d["networkInterfaces"]:
        for c in n["ipConfigurations"]:
            seen.setdefault(c["ip"], []).append(n["name"])
    for f in d.get("frontends", []):
        seen.setdefault(f["ip"], []).append(f["id"])
    return {ip: h for ip, h in seen.items() if len(h) > 1}


def jwt_free(log):
    return re.search(r"eyJ[A-Za-z0-9_-]{10,}\.", log) is None


def suite(scenario, full):
    env = Env(scenario, host="localhost" if not full else None)
    tag = "Azure (%s)" % ("workload identity" if scenario == "azure-wi"
                          else "client secret")
    try:
        env.sim.cloud("lro", {"polls": 1, "retryAfter": 0})
        nodes = env.sim.nodes()
        workers = sorted([n for n in nodes if "worker" in n["name"]],
                         key=lambda n: n["name"])
        cidr = "10.0.32.0/19"
        d = env.discover([node_req(n) for n in nodes], [cidr])
        ok = d is not None and all(x["ok"] for x in d["body"]["nodes"])
        t.ok(ok, "%s: DISCOVER: every node found" % tag, d)
        by = {x["name"]: x for x in d["body"]["nodes"]}
        dump = env.sim.cloud()
        good = True
        for vm in dump["vms"]:
            nic = sim_nic(env, vm["nic"])
            x = by.get(vm["name"], {})
            good &= x.get("nic", "").lower().endswith("/" + vm["nic"].lower())
            good &= x.get("primary_ip") == nic["ipConfigurations"][0]["ip"]
            good &= x.get("capacity") == 256 - len(nic["ipConfigurations"])
        t.ok(good, "%s: DISCOVER: primary NICs, addresses and capacity 256 "
             "match the simulator" % tag, by)
        sub = d["body"]["subnets"][0]
        inuse = [c["ip"] for n in dump["networkInterfaces"]
                 for c in n["ipConfigurations"] if c["ip"].startswith(
                     "10.0.3") or c["ip"].startswith("10.0.4") or
                 c["ip"].startswith("10.0.5") or c["ip"].startswith("10.0.6")]
        t.ok(sub.get("subnet_cidr") == cidr and all(ip in sub["used"] for ip
                                                     in inuse) and
             "10.0.32.3" in sub["used"] and "10.0.63.255" in sub["used"],
             "%s: DISCOVER: the VNet's addresses in use and the reserved "
             "ones" % tag, sub)

        a = workers[0]
        nic_a = [v["nic"] for v in dump["vms"] if v["name"] == a["name"]][0]
        nid = by[a["name"]]["nic"]
        want = ["10.0.40.10", "10.0.40.11", "10.0.40.12"]
        puts = stat(env, "arm:nic.put")
        r = env.ensure(a, want, [cidr], nic=nid, lb_mode="same-as-primary-ip")
        nic = sim_nic(env, nic_a)
        eg = egress(nic)
        prim = [c for c in nic["ipConfigurations"] if c.get("primary")][0]
        shape = all(ip in eg and eg[ip]["name"] == "EgressIP" + ip and
                    eg[ip].get("pools") == prim.get("pools")
                    for ip in want)
        t.ok(r and r["body"]["ok"] and sorted(r["body"]["ips"]) ==
             sorted(want) and shape and stat(env, "arm:nic.put") == puts + 1,
             "%s: ENSURE: one PUT adds EgressIP<ip> configurations in the "
             "primary's pools" % tag, (r, nic))
        puts = stat(env, "arm:nic.put")
        r = env.ensure(a, want, [cidr], nic=nid, lb_mode="same-as-primary-ip")
        t.ok(r and r["body"]["ok"] and stat(env, "arm:nic.put") == puts and
             r["body"]["calls"] == 1,
             "%s: the same ENSURE again: one GET, no PUT" % tag, r)
        r = env.ensure(a, want, [cidr], nic=nid, lb_mode="none")
        eg = egress(sim_nic(env, nic_a))
        t.ok(r and r["body"]["ok"] and all(not eg[ip].get("pools") for ip in
                                           want),
             "%s: lb_mode none: existing egress configurations leave the "
             "pools" % tag, (r, eg))
        if not full:
            # Workload identity: the projected token rotates and the
            # access token expires; the next ENSURE reads the new file.
            env.sim.cloud("rotate-token", {"expireOld": True})
            env.sim.cloud("aad-expire", {})
            r = env.ensure(a, ["10.0.40.10"], [cidr], nic=nid)
            d2 = env.worker.debug("dump")["result"]["azure"]
            eg = egress(sim_nic(env, nic_a))
            t.ok(r and r["body"]["ok"] and sorted(eg) == ["10.0.40.10"] and
                 d2["token_requests"] >= 2 and d2["token_valid"],
                 "%s: rotated federated token and expired access token: a "
                 "new token, converged (%d token requests)" % (
                     tag, d2["token_requests"]), (r, d2))
        if full:
            # Owned narrower than what is there: the rest is foreign, kept.
            r = env.ensure(a, ["10.0.40.10"], ["10.0.40.10/31"], nic=nid,
                           lb_mode="none")
            eg = egress(sim_nic(env, nic_a))
            t.ok(r and r["body"]["ok"] and sorted(eg) == ["10.0.40.10",
                                                          "10.0.40.12"] and
                 r["body"]["ips"] == ["10.0.40.10"] and
                 r["body"]["capacity"] == 256 - 1 - 1,
                 "%s: only owned addresses are touched; others count against "
                 "capacity" % tag, (r, eg))
            r = env.ensure(a, ["10.0.40.10"], [cidr], nic=nid, lb_mode="none")
            eg = egress(sim_nic(env, nic_a))
            t.ok(r and r["body"]["ok"] and sorted(eg) == ["10.0.40.10"],
                 "%s: removing owned configurations" % tag, (r, eg))

            # Another NIC holds an address: set aside, the rest applied.
            env.sim.cloud("take-address", {"ip": "10.0.40.50"})
            r = env.ensure(a, ["10.0.40.10", "10.0.40.50", "10.0.40.51"], [cidr],
                           nic=nid)
            eg = egress(sim_nic(env, nic_a))
            t.ok(r and r["body"]["class"] == "address_in_use" and
                 "10.0.40.50" in r["body"]["message"] and sorted(eg) ==
                 ["10.0.40.10", "10.0.40.51"] and not no_duplicates(env),
                 "%s: an address held elsewhere: address_in_use, the rest "
                 "attached, no duplicate" % tag, (r, eg))

            # A long-running operation that fails: retried, converged.
            env.sim.cloud("fail-next-lro", {"nic": nic_a})
            r = env.ensure(a, ["10.0.40.10", "10.0.40.52"], [cidr], nic=nid)
            eg = egress(sim_nic(env, nic_a))
            t.ok(r and r["body"]["ok"] and sorted(eg) == ["10.0.40.10",
                                                          "10.0.40.52"] and
                 stat(env, "arm:op.get", "Failed") + stat(env, "arm:op.get") > 0,
                 "%s: a failed long-running operation: read again, retried, "
                 "converged" % tag, (r, eg, env.sim.cloud("stats")))

            # An etag conflict: the NIC changes between our GET and PUT.
            b = workers[1]
            nic_b = [v["nic"] for v in dump["vms"] if v["name"] == b["name"]][0]
            gets = stat(env, "arm:nic.get")
            env.sim.cloud("fault", {"action": "arm:nic.get", "latencyMs": 1500})
            c = env.drv.send("CLOUD_ENSURE", {"node": b["name"], "provider_id":
                             b["provider_id"], "nic": by[b["name"]]["nic"],
                             "desired": ["10.0.41.7"], "owned_cidrs": [cidr]})
            seen = wait_for(lambda: stat(env, "arm:nic.get") > gets, 10)
            env.sim.cloud("fault", {"action": "arm:nic.get"})
            env.sim.cloud("bump-etag", {"nic": nic_b})
            r = env.drv.wait("CLOUD_ENSURED", c, 60)
            eg = egress(sim_nic(env, nic_b))
            st = env.sim.cloud("stats")["actions"].get("arm:nic.put", {})
            t.ok(seen and r and r["body"]["ok"] and list(eg) == ["10.0.41.7"] and
                 st.get("PreconditionFailed", 0) >= 1,
                 "%s: an etag conflict (412): fresh GET, PUT again, converged"
                 % tag, (r, eg, st))

            # Killed while its PUT runs: the next ENSURE converges.
            env.sim.cloud("lro", {"polls": 3, "retryAfter": 1})
            puts = stat(env, "arm:nic.put")
            c = env.drv.send("CLOUD_ENSURE", {"node": b["name"], "provider_id":
                             b["provider_id"], "nic": by[b["name"]]["nic"],
                             "desired": ["10.0.41.7", "10.0.41.8"],
                             "owned_cidrs": [cidr]})
            seen = wait_for(lambda: stat(env, "arm:nic.put") > puts, 10)
            env.restart_worker()
            env.sim.cloud("lro", {"polls": 1, "retryAfter": 0})
            r = env.ensure(b, ["10.0.41.7", "10.0.41.8"], [cidr],
                           nic=by[b["name"]]["nic"])
            eg = egress(sim_nic(env, nic_b))
            t.ok(seen and r and r["body"]["ok"] and sorted(eg) ==
                 ["10.0.41.7", "10.0.41.8"] and not no_duplicates(env),
                 "%s: killed during a PUT's operation, restarted: converged, no "
                 "duplicate" % tag, (r, eg))

            # AAD refuses: reported as auth_failure, then recovers.
            env.sim.cloud("fault", {"action": "aad:token", "rate": 1,
                                    "status": 401, "code": "invalid_client",
                                    "message": "AADSTS7000215: Invalid client "
                                    "secret provided."})
            env.sim.cloud("aad-expire", {})
            r = env.ensure(b, ["10.0.41.7"], [cidr], nic=by[b["name"]]["nic"])
            eg = egress(sim_nic(env, nic_b))
            t.ok(r and r["body"]["class"] == "auth_failure" and not
                 r["body"]["ok"] and sorted(eg) == ["10.0.41.7", "10.0.41.8"],
                 "%s: an AAD failure: auth_failure reported, nothing changed"
                 % tag, (r, eg))
            env.sim.cloud("fault", {"action": "aad:token"})
            r = env.ensure(b, ["10.0.41.7"], [cidr], nic=by[b["name"]]["nic"])
            eg = egress(sim_nic(env, nic_b))
            t.ok(r and r["body"]["ok"] and sorted(eg) == ["10.0.41.7"],
                 "%s: AAD back: converged" % tag, (r, eg))

        if full:
            # ARM configured by another name than the one its operation
            # URLs carry: the bearer token is not sent to that URL.
            import json as _json
            cfg = _json.load(open(env.worker.cfg))
            cfg["azure_arm_endpoint"] = cfg["azure_arm_endpoint"].replace(
                "127.0.0.1", "localhost")
            _json.dump(cfg, open(env.worker.cfg, "w"))
            env.restart_worker()
            polls = sum(env.sim.cloud("stats")["actions"].get(
                "arm:op.get", {}).values())
            r = env.ensure(b, ["10.0.41.9"], [cidr], nic=by[b["name"]]["nic"])
            after = sum(env.sim.cloud("stats")["actions"].get(
                "arm:op.get", {}).values())
            t.ok(r and r["body"]["class"] == "invalid" and "leaves the ARM "
                 "endpoint" in r["body"].get("message", "") and
                 after == polls, "%s: an operation URL off the configured "
                 "ARM origin is not followed (no token sent there)" % tag,
                 (r, polls, after))
        dump = env.worker.debug("dump")
        text = str(dump)
        secrets = env.sim.secrets()
        t.ok(dump and dump["ok"] and dump["result"]["provider"] == "azure"
             and not any(s in text for s in secrets),
             "%s: debug dump without secrets" % tag, text[:1500])
        log = env.worker.text()
        leaked = [s[:6] for s in secrets if s in log]
        t.ok(secrets and not leaked and jwt_free(log),
             "%s: no secret and no token in any log line at debug level "
             "(%d secrets checked)" % (tag, len(secrets)), leaked)
        t.ok(env.worker.sandbox_clean(), "%s: the sandbox refused no call"
             % tag, log[-2000:])
    finally:
        env.close()


suite("azure", full=True)
suite("azure-wi", full=False)
t.done()
