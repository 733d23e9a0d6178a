#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# eipam-watcher as a process (--standalone, sandbox enforced) against the
# fake API server, with a stand-in allocator (a ZeroMQ ROUTER on
# alloc.sock speaking the real protocol): HELLO, LEADER, OBJ_*, SYNCED,
# KIND_UNSERVED, a write and its W_RESULT, RESYNC, and SIGTERM releasing
# the lease with exit 0.  The server is named "localhost", so the name is
# resolved under the sandbox too.
import json
import os
import queue
import re
import signal
import struct
import subprocess
import sys
import threading
import time

import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wtest import BLD, Fake, Tap, cleanup, ns, tmpdir, wait  # noqa: E402

MAGIC = 0x45495041
with open(os.path.join(os.environ.get("top_srcdir", "."),
                       "proto/eip_proto.h")) as _f:
    VERSION = int(re.search(r"#define EIP_PROTO_VERSION\s+(\d+)",
                            _f.read()).group(1))
TYPES = {100: "BOOT", 200: "HELLO", 201: "PING", 202: "PONG", 203: "RESYNC",
         210: "OBJ_NAMESPACE", 211: "OBJ_NODE", 212: "OBJ_EGRESSIPAM",
         215: "OBJ_EGRESSIP", 216: "OBJ_INFRASTRUCTURE", 217: "OBJ_NETWORK",
         218: "OBJ_DELETE", 219: "SYNCED", 220: "KIND_UNSERVED",
         221: "LEADER", 250: "W_NS_EGRESSIPS", 270: "W_RESULT"}
NUM = {v: k for k, v in TYPES.items()}
t = Tap(9)
tmp = tmpdir()
fake = Fake(tmp)
run = os.path.join(tmp, "run")
os.makedirs(run, 0o700)
ctx = zmq.Context()
router = ctx.socket(zmq.ROUTER)
router.bind("ipc://%s/alloc.sock" % run)
got, lock, peer = [], threading.Lock(), [None]
stop = threading.Event()


outq = queue.Queue()


def send(t_, body, corr=0):
    """Queued: only the pump thread touches the socket (ZeroMQ sockets
    are not thread-safe)."""
    hdr = struct.pack("!IHHIQ", MAGIC, VERSION, NUM[t_], 0, corr)
    outq.put([hdr, json.dumps(body).encode()])


def pump():
    poller = zmq.Poller()
    poller.register(router, zmq.POLLIN)
    while not stop.is_set():
        while peer[0] is not None and not outq.empty():
            router.send_multipart([peer[0]] + outq.get())
        if not poller.poll(20):
            continue
        ident, hdr, body = router.recv_multipart()
        magic, ver, typ, flags, corr = struct.unpack("!IHHIQ", hdr)
        b = json.loads(body)
        peer[0] = ident
        name = TYPES.get(typ, str(typ))
        if name == "PING":
            router.send_multipart([ident, struct.pack("!IHHIQ", MAGIC,
                                  VERSION, NUM["PONG"], 0, 0),
                                  json.dumps(b).encode()])
            continue
        with lock:
            got.append((name, corr, b))


def of(name, pred=lambda b: True):
    with lock:
        return [(c, b) for n, c, b in got if n == name and pred(b)]


th = threading.Thread(target=pump, daemon=True)
th.start()
p = None
try:
    fake.ctl("apply", [{"coll": "/api/v1/namespaces", "obj": ns("team-%d" % i)}
                       for i in range(20)])
    fake.ctl("config", {"unserved": ["network.openshift.io"]})
    cfg = os.path.join(tmp, "config.json")
    with open(cfg, "w") as f:
        json.dump({"kubeconfig": fake.kubeconfig(token="rw-token", host="localhost"),
                   "namespace": "eipam", "leader_elect": True}, f)
    p = subprocess.Popen([os.path.join(BLD, "eipam-watcher"), "--standalone",
                          "--run-dir", run, "--config", cfg, "--sandbox",
                          "enforce"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    t.ok(wait(lambda: of("HELLO"), 10), "HELLO from the watcher")
    t.ok(wait(lambda: of("LEADER", lambda b: b["leading"]), 10),
         "LEADER(true) after taking the Lease")
    t.ok(wait(lambda: len(of("SYNCED")) == 6 and len(of("KIND_UNSERVED")) == 2,
              20) and len(of("OBJ_NAMESPACE")) == 20,
         "20 namespaces, 6 kinds SYNCED, HostSubnet/NetNamespace unserved")
    with open("/proc/%d/status" % p.pid) as f:
        st = f.read()
    t.ok("Seccomp:\t2" in st and "NoNewPrivs:\t1" in st,
         "running under seccomp with no_new_privs")
    send("W_NS_EGRESSIPS", {"name": "team-3", "egressips": "10.9.9.9"}, 77)
    r = wait(lambda: of("W_RESULT"), 10)
    t.ok(r and r[0][0] == 77 and r[0][1]["ok"] and fake.ctl("get", {
        "coll": "/api/v1/namespaces", "name": "team-3"})["metadata"][
        "annotations"]["egressip-ipam-operator.redhat-cop.io/egressips"] ==
        "10.9.9.9", "a write from the allocator lands; W_RESULT keeps its id")
    fake.ctl("apply", [{"coll": "/api/v1/namespaces", "obj": ns("late")}])
    t.ok(wait(lambda: of("OBJ_NAMESPACE", lambda b: b["name"] == "late"), 10),
         "a change is watched and sent")
    n0 = len(of("OBJ_NAMESPACE"))
    send("RESYNC", {})
    t.ok(wait(lambda: len(of("OBJ_NAMESPACE")) - n0 == 21 and
              len(of("SYNCED")) == 12, 10), "RESYNC replays all 21 and SYNCED")
    p.send_signal(signal.SIGTERM)
    rc = p.wait(10)
    lease = fake.ctl("get", {"coll": "/apis/coordination.k8s.io/v1/namespaces/"
                             "eipam/leases", "name":
                             "egressip-ipam-operator-leader"})
    t.ok(rc == 0 and lease["spec"]["holderIdentity"] == "",
         "SIGTERM: lease released, exit 0 (rc %s)" % rc)
    out = p.stdout.read()
    t.ok("rw-token" not in out, "the token never reaches the log")
    if t.failed:
        t.diag(out[-3000:])
finally:
    stop.set()
    if p is not None and p.poll() is None:
        p.kill()
    th.join(2)
    router.close(0)
    ctx.term()
    fake.stop()
    cleanup(tmp)
t.done()
