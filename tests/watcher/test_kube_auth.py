#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# TLS and tokens: a wrong CA is a clear TLS error (and nothing synced);
# a rotated token file is picked up after a 401 and the watch and writes
# carry on.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wtest import Driver, Fake, Tap, cleanup, ns, tmpdir, wait  # noqa: E402

NSC = "/api/v1/namespaces"
t = Tap(6)
tmp = tmpdir()
fake = Fake(tmp)
try:
    fake.ctl("apply", [{"coll": NSC, "obj": ns("team-a")}])
    bad = Driver(fake.kubeconfig(token="rw-token",
                                 ca=fake.certs + "/wrong-ca.crt"),
                 "--kinds", "Namespace")
    t.ok(wait(lambda: bad.stderr_has("TLS") and
              bad.stderr_has("certificate"), 10), "a wrong CA gives a clear "
         "TLS certificate error")
    t.ok(not bad.of("SYNCED"), "and nothing is synced")
    t.diag([l for l in bad.err if "TLS" in l][:1])
    bad.stop()

    tokf = os.path.join(tmp, "token")
    with open(tokf, "w") as f:
        f.write("tok-1\n")
    fake.ctl("config", {"rw": ["tok-1"]})
    d = Driver(fake.kubeconfig(token_file=tokf), "--kinds", "Namespace",
               "--watch-min", "1", "--watch-max", "1")
    t.ok(wait(lambda: d.of("SYNCED"), 10), "synced with the first token")
    # Rotate: the old token stops working at once.
    with open(tokf + ".new", "w") as f:
        f.write("tok-2\n")
    os.rename(tokf + ".new", tokf)
    fake.ctl("config", {"rw": ["tok-2"]})
    fake.ctl("close-watches")
    fake.ctl("apply", [{"coll": NSC, "merge": True, "obj": ns("team-a", {
        "x": "after-rotation"})}])
    rv = fake.ctl("get", {"coll": NSC, "name": "team-a"})["metadata"][
        "resourceVersion"]
    t.ok(wait(lambda: d.of("OBJ_NAMESPACE", lambda b: b["rv"] == rv), 15),
         "after rotation the watch goes on (401, token re-read, retried)")
    t.ok(d.stderr_has("token changed"), "the new token was picked up")
    d.send("W_NS_EGRESSIPS", {"name": "team-a", "egressips": "10.1.1.1"}, 9)
    r = wait(lambda: d.of("W_RESULT"), 10)
    t.ok(r and r[0]["b"]["ok"], "writes work with the rotated token")
    d.stop()
finally:
    fake.stop()
    cleanup(tmp)
t.done()
