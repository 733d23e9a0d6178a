# SPDX-License-Identifier: Apache-2.0
"""An independent observer of eipam-sim: plain HTTPS with the simulator's
CA and bearer token (from its state directory), never through the
operator.  Also starts and stops the simulator for tests."""
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

BUILD = os.environ.get("top_builddir", os.getcwd())


class Sim:
    def __init__(self, scenario="baremetal", nodes=None, extra=()):
        self.dir = tempfile.mkdtemp(prefix="eipam-sim-")
        self.state = os.path.join(self.dir, "state")
        args = [os.path.join(BUILD, "eipam-sim"), "--state-dir", self.state,
                "--port", "0", "--scenario", scenario] + list(extra)
        if nodes is not None:
            args += ["--nodes", str(nodes)]
        self.log = open(os.path.join(self.dir, "sim.log"), "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"eipam-sim ready on (https?://127\.0\.0\.1:\d+)", line)
        if not m:
            self.stop()
            raise RuntimeError("eipam-sim did not start: %r" % line)
        self.base = m.group(1)
        with open(os.path.join(self.state, "token")) as f:
            self.token = f.read().strip()
        with open(os.path.join(self.state, "control-token")) as f:
            self.control_token = f.read().strip()
        self.ctx = ssl.create_default_context(
            cafile=os.path.join(self.state, "ca.crt"))

    def flags(self):
        with open(os.path.join(self.state, "eipamd.flags")) as f:
            return [l.strip() for l in f if l.strip() and
                    not l.startswith("#")]

    def request(self, method, path, body=None, ctype="application/json",
                token=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data,
                                     method=method)
        req.add_header("Authorization", "Bearer " + (token or self.token))
        if data is not None:
            req.add_header("Content-Type", ctype)
        try:
            with urllib.request.urlopen(req, context=self.ctx,
                                        timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, raw.decode(errors="replace")

    def get(self, path):
        code, body = self.request("GET", path)
        if code != 200:
            raise RuntimeError("GET %s: %s %s" % (path, code, body))
        return body

    def items(self, path):
        return self.get(path).get("items", [])

    def control(self, method, path, body=None):
        return self.request(method, "/sim/v1/" + path, body,
                            token=self.control_token)

    def ctl(self, *args):
        return subprocess.run([os.path.join(BUILD, "eipam-sim"), "ctl",
                               "--state-dir", self.state] + list(args),
                              capture_output=True, text=True, timeout=30)

    def kubectl(self, *args, input=None):
        home = os.path.join(self.dir, "home")
        os.makedirs(home, exist_ok=True)
        env = dict(os.environ, HOME=home,
                   KUBECONFIG=os.path.join(self.state, "kubeconfig"))
        return subprocess.run(["kubectl"] + list(args), input=input,
                              capture_output=True, text=True, env=env,
                              timeout=60)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
