# SPDX-License-Identifier: Apache-2.0
# eipam-sim for the watcher's tests and benchmark: start it, talk to its
# Kubernetes API and /sim/v1 control API over keep-alive HTTPS, make many
# writes on parallel connections, and a kubeconfig whose token is read
# from STATE/token (which the simulator rewrites on rotation).
import http.client
import json
import os
import signal
import ssl
import subprocess
import threading

from wtest import BLD


class Api:
    def __init__(self, state, port, token):
        ctx = ssl.create_default_context(cafile=state + "/ca.crt")
        self.c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx,
                                             timeout=60)
        self.token = token

    def call(self, method, path, body=None, ctype="application/json"):
        h = {"Authorization": "Bearer " + self.token(), "Content-Type": ctype}
        self.c.request(method, path, json.dumps(body).encode()
                       if body is not None else None, h)
        r = self.c.getresponse()
        data = r.read()
        return r.status, json.loads(data) if data else None


class Sim:
    def __init__(self, tmp, scenario="baremetal", history=None):
        self.state = os.path.join(tmp, "sim")
        args = [os.path.join(BLD, "eipam-sim"), "--state-dir", self.state,
                "--port", "0", "--scenario", scenario, "--log-level", "warn"]
        if history:
            args += ["--history", str(history)]
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        line = self.p.stdout.readline()
        self.port = int(line.rsplit(":", 1)[1])
        self.kube = Api(self.state, self.port, lambda: self.readf("token"))
        self.ctl = Api(self.state, self.port,
                       lambda: self.readf("control-token"))
        with open(self.state + "/kubeconfig") as f:
            self.text = "\n".join(
                ("    tokenFile: " + self.state + "/token")
                if l.strip().startswith("token:") else l
                for l in f.read().splitlines()) + "\n"
        self.kubeconfig = os.path.join(tmp, "kubeconfig")
        with open(self.kubeconfig, "w") as f:
            f.write(self.text)

    def readf(self, name):
        with open(os.path.join(self.state, name)) as f:
            return f.read().strip()

    def parallel(self, jobs, n=16):
        """Runs jobs (lists of (method, path, body, ctype)) on n keep-alive
        connections; each list stays in order on one connection.  (The
        simulator answers a write in ~45 ms, so one connection is slow.)"""
        def run(lst):
            api = Api(self.state, self.port, lambda: self.readf("token"))
            for m, p, b, c in lst:
                api.call(m, p, b, c)
        ths = [threading.Thread(target=run, args=(sum(jobs[i::n], []),))
               for i in range(n)]
        for th in ths:
            th.start()
        for th in ths:
            th.join()

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
