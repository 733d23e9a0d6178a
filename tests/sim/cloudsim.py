# SPDX-License-Identifier: Apache-2.0
# Shared by the cloud fidelity tests (tests/sim/cloud_*.py): starts
# eipam-sim on a free port with a scenario, waits (bounded) until it is
# ready, calls its control API, prints TAP, and stops it.
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request


class Tap:
    """TAP output: ok/not ok lines, a plan at the end, exit status."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, cond, name, detail=''):
        self.n += 1
        if cond:
            print('ok %d - %s' % (self.n, name))
        else:
            self.failed += 1
            print('not ok %d - %s' % (self.n, name))
            for line in str(detail).splitlines()[-25:]:
                print('# ' + line)
        sys.stdout.flush()
        return cond

    def skip(self, name, why):
        self.n += 1
        print('ok %d - %s # SKIP %s' % (self.n, name, why))

    def run(self, name, fn):
        """Runs fn(); an exception is a failure with its traceback."""
        try:
            r = fn()
            return self.check(r is not False, name)
        except Exception:
            return self.check(False, name, traceback.format_exc())

    def done(self):
        print('1..%d' % self.n)
        sys.exit(1 if self.failed else 0)


class Sim:
    """One eipam-sim process with its state directory."""

    def __init__(self, scenario, nodes=None, timeout=30):
        builddir = os.environ.get('top_builddir', '.')
        self.dir = tempfile.mkdtemp(prefix='cloudsim-')
        args = [os.path.join(builddir, 'eipam-sim'), '--state-dir',
                self.dir, '--port', '0', '--scenario', scenario,
                '--log-level', 'warn']
        if nodes:
            args += ['--nodes', str(nodes)]
        self.log = open(os.path.join(self.dir, 'sim.log'), 'w')
        self.proc = subprocess.Popen(args, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        portfile = os.path.join(self.dir, 'sim.port')
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('eipam-sim exited: ' + self.logtext())
            if os.path.exists(portfile) and 'ready' in self.logtext():
                break
            time.sleep(0.05)
        else:
            self.stop()
            raise RuntimeError('eipam-sim not ready in %ds' % timeout)
        self.port = int(open(portfile).read().strip())
        self.base = 'https://127.0.0.1:%d' % self.port
        self.ca = os.path.join(self.dir, 'ca.crt')
        self.ctx = ssl.create_default_context(cafile=self.ca)
        self.control_token = self.read('control-token').strip()

    def logtext(self):
        self.log.flush()
        with open(os.path.join(self.dir, 'sim.log')) as f:
            return f.read()

    def read(self, rel):
        with open(os.path.join(self.dir, rel)) as f:
            return f.read()

    def cred(self, key):
        return self.read(os.path.join('cloud-credentials', key))

    def control(self, cmd, args=None):
        """POST /sim/v1/cloud/<cmd>; returns the JSON result."""
        path = '/sim/v1/cloud' + ('/' + cmd if cmd else '')
        data = json.dumps(args or {}).encode()
        req = urllib.request.Request(
            self.base + path, data=data if cmd else None,
            method='POST' if cmd else 'GET',
            headers={'Authorization': 'Bearer ' + self.control_token,
                     'Content-Type': 'application/json'})
        with urllib.request.urlopen(req, context=self.ctx, timeout=10) as r:
            return json.loads(r.read() or b'{}')

    def dump(self):
        return self.control(None)

    def stats(self):
        return self.control('stats')

    def http(self, method, path, body=None, headers=None):
        """A plain HTTPS request; returns (status, headers, body bytes)."""
        req = urllib.request.Request(self.base + path, data=body,
                                     method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, context=self.ctx,
                                        timeout=10) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        subprocess.run(['rm', '-rf', self.dir], check=False)


def count(stats, action, outcome=None):
    """Calls of an action (all outcomes, or one) in sim_cloud_stats()."""
    a = stats.get('actions', {}).get(action, {})
    if outcome is None:
        return sum(a.values())
    return a.get(outcome, 0)
