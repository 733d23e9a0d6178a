# SPDX-License-Identifier: Apache-2.0
"""eipamd end to end: spawn, status, restart within 1 s after kill -9,
hung worker killed, throttling of a worker that dies before READY,
malformed control requests and peer messages, SIGTERM within 5 s."""
import json
import os
import signal
import socket
import stat
import sys
import tempfile
import time

import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eiptest import BUILD, Eipamd, Tap, alive, wait_for  # noqa: E402

t = Tap()
d = Eipamd("--hang-timeout=2", "--heartbeat-ms=200")
try:
    t.ok(wait_for(d.all_ready, 15), "eipamd spawns all four roles",
         d.logtext())
    st = d.status()
    t.ok(st is not None and st["pid"] == d.proc.pid, "status names the supervisor")
    mode = stat.S_IMODE(os.stat(d.run).st_mode)
    t.ok(mode == 0o700, "run directory is 0700 (got %o)" % mode)

    for name in ("allocator", "watcher", "cloudworker-0", "metricsd"):
        before = d.roles()[name]
        os.kill(before["pid"], signal.SIGKILL)
        t0 = time.monotonic()

        def back():
            r = d.roles().get(name)
            return r if r and r["pid"] != before["pid"] and \
                r["state"] == "ready" else None
        after = wait_for(back, 5, step=0.02)
        took = time.monotonic() - t0
        t.ok(after is not None and took < 1.0,
             "%s restarted and READY %.2f s after kill -9" % (name, took),
             d.logtext())
        t.ok(after is not None and after["restarts"] == before["restarts"] + 1
             and after.get("last_exit") == "killed by signal 9",
             "%s restart counted with its cause" % name)
    t.ok("lost child: allocator[" in d.logtext() and "killed by signal 9"
         in d.logtext(), "deaths logged with role, pid and signal")

    # A worker that stops heartbeating is killed and restarted.
    hung = d.roles()["metricsd"]
    os.kill(hung["pid"], signal.SIGSTOP)
    r = wait_for(lambda: d.roles()["metricsd"]["pid"] != hung["pid"] and
                 d.roles()["metricsd"]["state"] == "ready", 10)
    t.ok(r and "hung: no heartbeat" in d.logtext(),
         "a hung worker is killed and restarted", d.logtext())

    # Malformed control requests: error reply, connection closed.
    def control(payload):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(os.path.join(d.run, "control.sock"))
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass    # the server may close before reading it all
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return data, True
                data += chunk
                if data.endswith(b"\n") and payload.endswith(b"\n") and \
                        b"status" in payload and b"ok\":true" in data:
                    return data, False
        except socket.timeout:
            return data, False
        except ConnectionResetError:
            return data, True
        finally:
            s.close()

    for bad in (b"garbage\n", b"[1,2]\n", b'{"cmd":"status","x":"1"}\n',
                b'{"cmd":7}\n', b'{"nocmd":"x"}\n', b"\x00\x01\n",
                b'{"cmd":"status"' + b" " * 70000 + b"}\n"):
        data, closed = control(bad)
        try:
            rep = json.loads(data.splitlines()[0])
        except (ValueError, IndexError):
            rep = {}
        t.ok(rep.get("ok") is False and rep.get("error") and closed,
             "malformed control request %r... answered with an error and "
             "closed" % bad[:20], data[:200])
    data, _ = control(b'{"cmd":"frobnicate"}\n')
    t.ok(b'"ok":false' in data and b"unknown command" in data,
         "unknown command gets an error")
    t.ok(d.proc.poll() is None and d.status() is not None,
         "supervisor unaffected by malformed requests")

    # Malformed peer messages are counted, logged and dropped.
    ctx = zmq.Context()
    z = ctx.socket(zmq.DEALER)
    z.setsockopt(zmq.ROUTING_ID, b"watcher-evil")
    z.setsockopt(zmq.LINGER, 0)
    z.connect("ipc://" + os.path.join(d.run, "alloc.sock"))
    z.send_multipart([b"\x00" * 20, b"{}"])
    z.send_multipart([b"only one frame"])
    z.send_multipart([b"EIPA" + b"\x00" * 16, b"{not json"])
    def rejected():
        dump = d.ctl("dump", "allocator")
        return dump and dump["process"]["rejected"] >= 3
    t.ok(wait_for(rejected, 5), "allocator counted 3 malformed messages")
    t.ok("dropped message from watcher-evil" in d.logtext(),
         "malformed messages logged")
    alloc = d.roles()["allocator"]
    t.ok(alloc["state"] == "ready" and alloc["restarts"] == 1,
         "allocator carried on")
    z.close()
    ctx.term()

    # SIGTERM: every process gone, exit 0, within 5 s.
    pids = [r["pid"] for r in d.roles().values()]
    t0 = time.monotonic()
    d.proc.send_signal(signal.SIGTERM)
    try:
        rc = d.proc.wait(8)
    except Exception:
        rc = None
    took = time.monotonic() - t0
    t.ok(rc == 0 and took < 5.0, "SIGTERM: exit %s after %.2f s" % (rc, took),
         d.logtext())
    t.ok(not any(alive(p) for p in pids), "no worker left behind")
finally:
    d.cleanup()

# A worker that dies before READY is throttled, then the supervisor gives up.
fake = tempfile.mkdtemp(prefix="eipam-fake-")
for role in ("allocator", "watcher", "cloudworker"):
    os.symlink(os.path.join(BUILD, "eipam-" + role),
               os.path.join(fake, "eipam-" + role))
with open(os.path.join(fake, "eipam-metricsd"), "w") as f:
    f.write("#!/bin/sh\necho 'metricsd: cannot start' >&2\nexit 1\n")
os.chmod(os.path.join(fake, "eipam-metricsd"), 0o755)
d = Eipamd("--restart-throttle=0.5", libexec=fake)
try:
    rc = wait_for(lambda: d.proc.poll() is not None, 20)
    log = d.logtext()
    starts = [l for l in log.splitlines() if "started metricsd[" in l]
    t.ok(log.count("died before READY: throttled") >= 5,
         "early deaths are throttled", log)
    t.ok(d.proc.returncode == 1 and "deaths before READY" in log,
         "a worker that cannot reach READY makes eipamd exit 1 "
         "(exit %s)" % d.proc.returncode, log)
    t.ok(len(starts) == 6, "six attempts before giving up (%d)" % len(starts))
finally:
    d.cleanup()
t.done()
