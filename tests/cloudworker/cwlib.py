# SPDX-License-Identifier: Apache-2.0
"""Helpers for the cloudworker tests: eipam-sim with a cloud scenario, a
real eipam-cloudworker started --standalone, and a small driver that
plays the allocator on alloc.sock (a ZeroMQ ROUTER) with the protocol's
header framing.  The cloud state is checked through the simulator's own
API (its control API, or boto3 for EC2), never through the cloudworker.
Every wait polls a condition with a bound."""
import json
import os
import re
import shutil
import signal
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

import zmq

BUILD = os.environ.get("top_builddir", os.getcwd())
SRC = os.environ.get("top_srcdir", BUILD)
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
from eiptest import Tap, wait_for  # noqa: E402,F401 (re-exported)

MAGIC = 0x45495041
HDR = "!IHHIQ"
T = {"HELLO": 200, "PING": 201, "PONG": 202, "CLOUD_CONFIG": 300,
     "CLOUD_DISCOVER": 301, "CLOUD_DISCOVERED": 302, "CLOUD_ENSURE": 303,
     "CLOUD_ENSURED": 304, "DEBUG_REQ": 500, "DEBUG_REP": 501}
NAMES = {v: k for k, v in T.items()}


def proto_version():
    with open(os.path.join(SRC, "proto", "eip_proto.h")) as f:
        m = re.search(r"#define EIP_PROTO_VERSION\s+(\d+)", f.read())
    return int(m.group(1))


VERSION = proto_version()


def pack(typ, corr, body):
    return [struct.pack(HDR, MAGIC, VERSION, typ, 0, corr),
            json.dumps(body).encode()]


class Sim:
    """eipam-sim with one scenario in a private state directory."""

    def __init__(self, scenario, tmp, workers=0):
        self.dir = os.path.join(tmp, "sim")
        os.makedirs(self.dir)
        self.log = open(os.path.join(tmp, "sim.log"), "w")
        extra = ["--nodes", str(workers)] if workers > 0 else []
        self.proc = subprocess.Popen(
            [os.path.join(BUILD, "eipam-sim"), "--state-dir", self.dir,
             "--port", "0", "--scenario", scenario] + extra,
            stdout=self.log, stderr=subprocess.STDOUT)
        flags = os.path.join(self.dir, "eipamd.flags")
        if not wait_for(lambda: os.path.exists(flags) and
                        os.path.getsize(flags) > 0, 20):
            raise RuntimeError("eipam-sim did not start")
        self.flags = {}
        with open(flags) as f:
            for line in f:
                line = line.strip()
                if line.startswith("--") and "=" in line:
                    k, v = line[2:].split("=", 1)
                    self.flags[k] = v
        self.port = int(open(os.path.join(self.dir, "sim.port")).read())
        self.base = "https://127.0.0.1:%d" % self.port
        self.ca = os.path.join(self.dir, "ca.crt")
        self.ctx = ssl.create_default_context(cafile=self.ca)
        self.control_token = open(os.path.join(
            self.dir, "control-token")).read().strip()
        self.kube_token = open(os.path.join(self.dir, "token")).read().strip()

    def _req(self, method, path, token, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data,
                                     method=method)
        req.add_header("Authorization", "Bearer " + token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, context=self.ctx, timeout=20) as r:
            return json.loads(r.read() or b"{}")

    def cloud(self, cmd=None, args=None):
        """The simulator's cloud control API (dump, stats, faults...)."""
        path = "/sim/v1/cloud" + ("/" + cmd if cmd else "")
        return self._req("POST" if args is not None else "GET", path,
                         self.control_token, args)

    def kube(self, path):
        return self._req("GET", path, self.kube_token)

    def nodes(self):
        out = []
        for n in self.kube("/api/v1/nodes")["items"]:
            lab = n["metadata"].get("labels", {})
            out.append({"name": n["metadata"]["name"],
                        "provider_id": n["spec"].get("providerID"),
                        "instance_type": lab.get(
                            "node.kubernetes.io/instance-type"),
                        "labels": lab})
        return out

    def infra(self):
        return self.kube("/apis/config.openshift.io/v1/infrastructures/"
                         "cluster")["status"]

    def cloud_config(self):
        st = self.infra()
        ps = st.get("platformStatus", {})
        body = {"platform": ps.get("type"),
                "infra_name": st.get("infrastructureName")}
        if "aws" in ps:
            body["region"] = ps["aws"]["region"]
        if "azure" in ps:
            body["resource_group"] = ps["azure"]["resourceGroupName"]
            body["network_resource_group"] = ps["azure"].get(
                "networkResourceGroupName", ps["azure"]["resourceGroupName"])
        return body

    def boto3_ec2(self):
        import boto3
        cd = self.flags["cloud-credentials-dir"]
        kw = {}
        if os.path.exists(os.path.join(cd, "aws_access_key_id")):
            kw["aws_access_key_id"] = open(os.path.join(
                cd, "aws_access_key_id")).read().strip()
            kw["aws_secret_access_key"] = open(os.path.join(
                cd, "aws_secret_access_key")).read().strip()
        else:
            # STS flavour: exchange the token like any client would.
            sts = boto3.client("sts", endpoint_url=self.flags[
                "aws-sts-endpoint"], region_name=self.region(),
                verify=self.ca, aws_access_key_id="x",
                aws_secret_access_key="x")
            ini = open(os.path.join(cd, "credentials")).read()
            arn = re.search(r"role_arn\s*=\s*(\S+)", ini).group(1)
            tf = re.search(r"web_identity_token_file\s*=\s*(\S+)",
                           ini).group(1)
            c = sts.assume_role_with_web_identity(
                RoleArn=arn, RoleSessionName="test",
                WebIdentityToken=open(tf).read().strip())["Credentials"]
            kw = {"aws_access_key_id": c["AccessKeyId"],
                  "aws_secret_access_key": c["SecretAccessKey"],
                  "aws_session_token": c["SessionToken"]}
        return boto3.client("ec2", endpoint_url=self.flags[
            "aws-ec2-endpoint"], region_name=self.region(), verify=self.ca,
            **kw)

    def region(self):
        return self.infra()["platformStatus"]["aws"]["region"]

    def secrets(self):
        """Every secret value the cloudworker could come across."""
        cd = self.flags["cloud-credentials-dir"]
        out = []
        for k in ("aws_secret_access_key", "azure_client_secret"):
            p = os.path.join(cd, k)
            if os.path.exists(p):
                out.append(open(p).read().strip())
        for k in ("credentials", "azure_federated_token_file"):
            p = os.path.join(cd, k)
            if not os.path.exists(p):
                continue
            txt = open(p).read()
            m = re.search(r"web_identity_token_file\s*=\s*(\S+)", txt)
            tf = m.group(1) if m else txt.strip()
            if os.path.exists(tf):
                out.append(open(tf).read().strip())
        return [s for s in out if s]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Driver:
    """Plays the allocator: a ROUTER on RUN/alloc.sock."""

    def __init__(self, run_dir):
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.bind("ipc://" + os.path.join(run_dir, "alloc.sock"))
        self.corr = 1000
        self.inbox = []
        self.peer = b"cloudworker-0"
        self.hellos = 0

    def pump(self, timeout_ms=50):
        while self.sock.poll(timeout_ms):
            timeout_ms = 0
            frames = self.sock.recv_multipart()
            if len(frames) != 3:
                continue
            peer, hdr, body = frames
            magic, ver, typ, flags, corr = struct.unpack(HDR, hdr)
            msg = {"peer": peer, "type": NAMES.get(typ, typ), "corr": corr,
                   "body": json.loads(body)}
            if typ == T["PING"]:
                self.sock.send_multipart([peer] + pack(
                    T["PONG"], corr, msg["body"]))
                continue
            if typ == T["HELLO"]:
                self.hellos += 1
                self.peer = peer
            self.inbox.append(msg)

    def send(self, typ, body, corr=None):
        if corr is None:
            self.corr += 1
            corr = self.corr
        self.sock.send_multipart([self.peer] + pack(T[typ], corr, body))
        return corr

    def wait(self, typ, corr=None, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, m in enumerate(self.inbox):
                if m["type"] == typ and (corr is None or m["corr"] == corr):
                    return self.inbox.pop(i)
            self.pump(100)
        return None

    def wait_hello(self, timeout=20):
        n = self.hellos
        return wait_for(lambda: (self.pump(50), self.hellos > n)[1], timeout)

    def call(self, typ, body, reply, timeout=60):
        return self.wait(reply, self.send(typ, body), timeout)

    def close(self):
        self.sock.close()
        self.ctx.term()


class Worker:
    """A real eipam-cloudworker, --standalone in run_dir, its sandbox in
    trap mode (a missing rule names the call and ends the test)."""

    def __init__(self, tmp, config, level="debug", name="cw"):
        self.run = os.path.join(tmp, "run")
        os.makedirs(self.run, exist_ok=True)
        self.cfg = os.path.join(tmp, name + ".json")
        with open(self.cfg, "w") as f:
            json.dump(config, f)
        self.logpath = os.path.join(tmp, name + ".log")
        self.level = level
        self.proc = None
        self.logs = []

    def start(self):
        log = open(self.logpath, "a")
        self.proc = subprocess.Popen(
            [os.path.join(BUILD, "eipam-cloudworker"), "--standalone",
             "--run-dir", self.run, "--config", self.cfg, "--log-level",
             self.level, "--sandbox", os.environ.get("EIPAM_SANDBOX", "trap")],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def kill(self, sig=signal.SIGKILL):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def text(self):
        with open(self.logpath) as f:
            return f.read()

    def sandbox_clean(self):
        """The sandbox was entered and no call was refused."""
        log = self.text()
        return ("sandbox: cloudworker entered" in log and
                "forbidden system call" not in log)

    def debug(self, cmd="dump", args=None):
        """eipamctl-style DEBUG_REQ on the worker's debug socket."""
        ctx = zmq.Context()
        s = ctx.socket(zmq.REQ)
        s.setsockopt(zmq.LINGER, 0)
        s.connect("ipc://" + os.path.join(self.run,
                                          "cloudworker-0.debug.sock"))
        s.send_multipart(pack(T["DEBUG_REQ"], 0, {"cmd": cmd,
                                                  "args": args or {}}))
        rep = None
        if s.poll(10000):
            rep = json.loads(s.recv_multipart()[1])
        s.close()
        ctx.term()
        return rep


def worker_config(sim, host=None):
    """The cloudworker's BOOT config for the simulator; host replaces
    127.0.0.1 in the endpoints (localhost: names resolved in the sandbox),
    but for ARM, whose operation URLs name the simulator's own address
    (the cloudworker rightly refuses to follow them anywhere else)."""
    f = sim.flags
    c = {"credentials_dir": f["cloud-credentials-dir"],
         "ca_bundle": f["ca-bundle"]}
    for k in ("aws-ec2-endpoint", "aws-sts-endpoint", "azure-arm-endpoint",
              "azure-authority"):
        if k in f:
            c[k.replace("-", "_")] = f[k] if host is None or \
                k == "azure-arm-endpoint" else f[k].replace("127.0.0.1", host)
    return c


class Env:
    """A simulator, a cloudworker and the driver, set up and configured."""

    def __init__(self, scenario, level="debug", workers=0, host=None):
        self.tmp = tempfile.mkdtemp(prefix="eipam-cw-")
        self.sim = Sim(scenario, self.tmp, workers)
        self.worker = Worker(self.tmp, worker_config(self.sim, host), level)
        self.drv = Driver(self.worker.run)
        self.worker.start()
        if not self.drv.wait_hello():
            raise RuntimeError("no HELLO from the cloudworker:\n" +
                               self.worker.text()[-3000:])
        self.drv.send("CLOUD_CONFIG", self.sim.cloud_config())

    def restart_worker(self):
        self.worker.kill()
        self.worker.start()
        if not self.drv.wait_hello():
            raise RuntimeError("no HELLO after restart")
        self.drv.send("CLOUD_CONFIG", self.sim.cloud_config())

    def discover(self, nodes, cidrs, timeout=60):
        return self.drv.call("CLOUD_DISCOVER", {"nodes": nodes,
                             "cidrs": cidrs}, "CLOUD_DISCOVERED", timeout)

    def ensure(self, node, desired, owned, nic=None, lb_mode=None,
               timeout=70):
        body = {"node": node["name"], "owned_cidrs": owned,
                "desired": desired}
        if node.get("provider_id"):
            body["provider_id"] = node["provider_id"]
        if nic:
            body["nic"] = nic
        if lb_mode:
            body["lb_mode"] = lb_mode
        return self.drv.call("CLOUD_ENSURE", body, "CLOUD_ENSURED", timeout)

    def close(self):
        self.worker.stop()
        self.drv.close()
        self.sim.stop()
        if os.environ.get("EIPAM_KEEP_TMP"):
            print("# kept " + self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def aws_eni_ips(ec2, instance_id):
    """Every private address on the instance's device-index-0 ENI (boto3)."""
    r = ec2.describe_instances(InstanceIds=[instance_id])
    for res in r["Reservations"]:
        for i in res["Instances"]:
            for n in i["NetworkInterfaces"]:
                if n["Attachment"]["DeviceIndex"] == 0:
                    return sorted(a["PrivateIpAddress"]
                                  for a in n["PrivateIpAddresses"])
    return None


def all_aws_ips(ec2):
    """address -> [ENI ids]: a duplicate would show as two ENIs."""
    out = {}
    for n in ec2.describe_network_interfaces()["NetworkInterfaces"]:
        for a in n["PrivateIpAddresses"]:
            out.setdefault(a["PrivateIpAddress"], []).append(
                n["NetworkInterfaceId"])
    return out
