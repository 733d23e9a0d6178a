# SPDX-License-Identifier: Apache-2.0
"""Helpers for the integration tests: TAP output, bounded polling, and
starting eipamd from the build tree.  Every wait polls a condition with a
deadline; nothing sleeps blindly."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("top_builddir", os.getcwd())
SRC = os.environ.get("top_srcdir", BUILD)


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0
        # An exception in a test still ends with a plan and a failure.
        prev = sys.excepthook

        def hook(t, v, tb):
            prev(t, v, tb)
            self.ok(False, "the test raised %s: %s" % (t.__name__, v))
            print("1..%d" % self.n)
            sys.stdout.flush()
        sys.excepthook = hook

    def ok(self, cond, what, diag=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, what))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, what))
            if diag:
                for line in str(diag).splitlines()[-30:]:
                    print("# " + line)
        sys.stdout.flush()
        return cond

    def done(self):
        if _watched:
            for d in list(_daemons):
                d.scan_crashes()
            self.ok(not _crashes, "no worker of any eipamd here died of "
                    "SIGSYS, SIGSEGV, SIGABRT, SIGBUS, SIGILL or SIGFPE",
                    "\n".join(_crashes[:20]))
        print("1..%d" % self.n)
        sys.exit(1 if self.failed else 0)


# Bounds are generous on a loaded machine (CI runs two suites at once);
# a passing run never waits for them.  EIP_TIMEOUT_SCALE tunes them.
SCALE = float(os.environ.get("EIP_TIMEOUT_SCALE", "3"))


def wait_for(cond, timeout, step=0.05, scale=True):
    """Polls cond() until it returns a true value or the deadline passes."""
    deadline = time.monotonic() + timeout * (SCALE if scale else 1)
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() >= deadline:
            return v
        time.sleep(step)


def alive(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("State:"):
                    return "Z" not in line.split()[1]
    except OSError:
        return False
    return True


# A worker killed by one of these is a defect even when the supervisor's
# restart hides it (a seccomp policy missing a call kills with SIGSYS):
# Tap.done() reports every such death of every eipamd the test started.
CRASH_SIGNALS = (4, 6, 7, 8, 11, 31)
_daemons = []
_crashes = []
_watched = []


class Eipamd:
    """eipamd from the build tree in a private run directory."""

    def __init__(self, *flags, libexec=None):
        self.dir = tempfile.mkdtemp(prefix="eipam-it-")
        self.run = os.path.join(self.dir, "run")
        self.logpath = os.path.join(self.dir, "eipamd.log")
        self.log = open(self.logpath, "w")
        args = [os.path.join(BUILD, "eipamd"), "--run-dir=" + self.run,
                "--libexec-dir=" + (libexec or BUILD),
                "--metrics-bind-address=127.0.0.1:0",
                "--health-probe-bind-address=127.0.0.1:0"] + list(flags)
        self.proc = subprocess.Popen(args, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        if libexec is None:     # fake workers are the tests' own doubles
            _daemons.append(self)
            _watched.append(True)

    def scan_crashes(self):
        if self not in _daemons:
            return
        _daemons.remove(self)
        for line in self.logtext().splitlines():
            m = re.search(r"killed by signal (\d+)", line)
            if m and int(m.group(1)) in CRASH_SIGNALS:
                _crashes.append(line)

    def ctl(self, *args):
        r = subprocess.run([os.path.join(BUILD, "eipamctl"), "--run-dir",
                            self.run, "-o", "json"] + list(args),
                           capture_output=True, text=True, timeout=20)
        if r.returncode != 0:
            return None
        return json.loads(r.stdout)

    def status(self):
        try:
            return self.ctl("status")
        except (ValueError, subprocess.TimeoutExpired):
            return None

    def roles(self):
        st = self.status()
        return {r["name"]: r for r in st["roles"]} if st else {}

    def all_ready(self, n=4):
        r = self.roles()
        return len(r) == n and all(x["state"] == "ready" for x in r.values())

    def logtext(self):
        self.log.flush()
        with open(self.logpath) as f:
            return f.read()

    def stop(self, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def cleanup(self):
        self.stop()
        self.scan_crashes()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
