# SPDX-License-Identifier: Apache-2.0
"""The benchmarks' observer: watch streams on eipam-sim read in a process
of their own (so its timestamps are not delayed by the benchmark's other
threads), each event stamped with time.monotonic() as it arrives.  The
simulator emits a watch event when its store applies the write, so the
time between two events of one stream is the time between the two writes
as the simulator saw them, give or take the stream's own delivery."""
import http.client
import json
import multiprocessing
import os
import ssl
import threading
import time


def _stream(base, token, cafile, path, rv, out, stop):
    host, port = base.split("//")[1].split(":")
    ctx = ssl.create_default_context(cafile=cafile)
    c = http.client.HTTPSConnection(host, int(port), context=ctx,
                                    timeout=3600)
    c.request("GET", "%s?watch=true&resourceVersion=%s&timeoutSeconds=3000"
              % (path, rv), headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    if r.status != 200:
        out.put(("error", path, r.status))
        return
    out.put(("open", path, time.monotonic()))
    while not stop.is_set():
        line = r.readline()
        if not line:
            break
        t = time.monotonic()
        out.put(("event", path, t, line))


class Observer:
    """Runs fn(events) in a child process; events yields
    (t, path, type, object).  fn's return value comes back from result()."""

    def __init__(self, sim, paths, rv, fn, args=()):
        self.q = multiprocessing.Queue()
        self.p = multiprocessing.Process(target=self._main, args=(
            sim.base, sim.token, os.path.join(sim.state, "ca.crt"), paths,
            rv, fn, args, self.q))
        self.p.start()

    @staticmethod
    def _main(base, token, cafile, paths, rv, fn, args, q):
        import queue
        raw = queue.Queue()
        stop = threading.Event()
        for p in paths:
            threading.Thread(target=_stream, args=(base, token, cafile, p,
                                                   rv, raw, stop),
                             daemon=True).start()
        opened = 0

        def events():
            """Yields events, and (now, None, None, None) every 0.2 s
            without one, so fn can keep its own deadline."""
            nonlocal opened
            while True:
                try:
                    m = raw.get(timeout=0.2)
                except queue.Empty:
                    yield time.monotonic(), None, None, None
                    continue
                if m[0] == "error":
                    raise RuntimeError("watch %s: HTTP %s" % m[1:])
                if m[0] == "open":
                    opened += 1
                    if opened == len(paths):
                        q.put(("ready", m[2]))
                    continue
                ev = json.loads(m[3])
                yield m[2], m[1], ev["type"], ev["object"]
        try:
            q.put(("result", fn(events(), *args)))
        except Exception as e:          # reported, not hidden
            q.put(("result", {"error": repr(e)}))
        stop.set()

    def ready(self, timeout=30):
        m = self.q.get(timeout=timeout)
        if m[0] != "ready":
            raise RuntimeError("observer: %r" % (m,))
        return m[1]

    def result(self, timeout):
        m = self.q.get(timeout=timeout)
        self.p.join(5)
        if self.p.is_alive():
            self.p.terminate()
        return m[1]

    def kill(self):
        if self.p.is_alive():
            self.p.terminate()
