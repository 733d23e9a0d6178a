# SPDX-License-Identifier: Apache-2.0
# Helpers for the watcher's integration tests: certificates, the fake API
# server (or eipam-sim), a kubeconfig, the wdriver process and its output,
# bounded waits, and TAP output.
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import ssl

SRC = os.environ.get("top_srcdir", ".")
BLD = os.environ.get("top_builddir", ".")


class Tap:
    def __init__(self, n):
        self.n, self.i, self.failed = n, 0, 0
        print("1..%d" % n, flush=True)

    def ok(self, cond, what):
        self.i += 1
        if not cond:
            self.failed += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.i, what),
              flush=True)
        return cond

    def diag(self, msg):
        for line in str(msg).splitlines():
            print("# " + line, flush=True)

    def done(self):
        while self.i < self.n:
            self.ok(False, "not reached")
        sys.exit(1 if self.failed else 0)


def wait(pred, timeout, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


class Fake:
    """The fake API server of tests/watcher/fake_apiserver.py."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.certs = os.path.join(tmp, "certs")
        subprocess.check_call(["sh", os.path.join(SRC, "tests/watcher/mkcerts.sh"),
                               self.certs])
        self.p = subprocess.Popen(
            [sys.executable, os.path.join(SRC, "tests/watcher/fake_apiserver.py"),
             self.certs], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.port = int(self.p.stdout.readline().split()[1])
        self.ctx = ssl.create_default_context(cafile=self.certs + "/ca.crt")
        self.ctl("config", {"rw": ["rw-token"], "ro": ["ro-token"]})

    def ctl(self, what, body=None):
        req = urllib.request.Request(
            "https://127.0.0.1:%d/ctl/%s" % (self.port, what),
            data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(req, context=self.ctx, timeout=30) as r:
            return json.loads(r.read() or b"null")

    def kubeconfig(self, token=None, token_file=None, ca=None,
                   host="127.0.0.1"):
        path = os.path.join(self.tmp, "kubeconfig-%d" % time.time_ns())
        user = ("    tokenFile: %s\n" % token_file) if token_file else \
            ("    token: %s\n" % token)
        with open(path, "w") as f:
            f.write("apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n"
                    "  cluster:\n    server: https://%s:%d\n"
                    "    certificate-authority: %s\n"
                    "contexts:\n- name: fake\n  context:\n    cluster: fake\n"
                    "    user: u\ncurrent-context: fake\nusers:\n- name: u\n"
                    "  user:\n%s" % (host, self.port, ca or self.certs + "/ca.crt",
                                     user))
        return path

    def stop(self):
        self.p.stdin.close()
        self.p.wait(10)


class Driver:
    """A wdriver process; its output lines are parsed and kept."""

    def __init__(self, kubeconfig, *args):
        self.lines, self.err = [], []
        self.cv = threading.Condition()
        self.p = subprocess.Popen(
            [os.path.join(BLD, "tests/watcher/wdriver"), "--kubeconfig",
             kubeconfig] + list(args), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, args=(self.p.stdout, True),
                         daemon=True).start()
        threading.Thread(target=self._read, args=(self.p.stderr, False),
                         daemon=True).start()

    def _read(self, f, out):
        for line in f:
            with self.cv:
                if out:
                    self.lines.append(json.loads(line))
                else:
                    self.err.append(line.rstrip("\n"))

    def of(self, t, pred=lambda b: True):
        with self.cv:
            return [l for l in self.lines if l["t"] == t and pred(l["b"])]

    def send(self, t, body=None, corr=0):
        self.p.stdin.write(json.dumps({"t": t, "corr": corr, "b": body}) + "\n")
        self.p.stdin.flush()

    def stderr_has(self, s):
        with self.cv:
            return any(s in l for l in self.err)

    def stop(self, timeout=10):
        try:
            self.send("QUIT")
        except (BrokenPipeError, ValueError):
            pass
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return self.p.wait()


def ns(name, annotations=None):
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "annotations": annotations or {}}}


def tmpdir():
    d = tempfile.mkdtemp(prefix="eipam-wtest.")
    return d


def cleanup(d):
    shutil.rmtree(d, ignore_errors=True)
