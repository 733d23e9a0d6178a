# SPDX-License-Identifier: Apache-2.0
"""Per role: forbidden calls kill the worker (socket(AF_INET) where the
role has no network, execve, ptrace and fork everywhere), Landlock denies
reads outside the role's paths (the watcher cannot read the cloud
credentials, the cloudworker cannot read the service-account token), and
the allocator links neither libcurl nor OpenSSL."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eiptest import BUILD, Tap  # noqa: E402

t = Tap()
top = tempfile.mkdtemp(prefix="eipam-sb-")
sa = os.path.join(top, "serviceaccount")
creds = os.path.join(top, "cloud-credentials")
os.makedirs(sa)
os.makedirs(creds)
with open(os.path.join(sa, "token"), "w") as f:
    f.write("sa-token\n")
with open(os.path.join(creds, "aws_secret_access_key"), "w") as f:
    f.write("secret\n")
config = {
    "watcher": {"service_account_dir": sa},
    "cloudworker": {"credentials_dir": creds},
    "allocator": {},
    "metricsd": {"metrics_bind": "127.0.0.1:0", "health_bind": "127.0.0.1:0"},
}


def run(role, action, extra=()):
    run_dir = tempfile.mkdtemp(dir=top)
    cfg = os.path.join(run_dir, "config.json")
    with open(cfg, "w") as f:
        json.dump(config[role], f)
    args = [os.path.join(BUILD, "eipam-" + role), "--standalone",
            "--run-dir", run_dir, "--config", cfg,
            "--sandbox-test", action] + list(extra)
    return subprocess.run(args, capture_output=True, text=True, timeout=20)


for role in ("allocator", "watcher", "cloudworker", "metricsd"):
    for action in ("execve", "ptrace", "fork"):
        r = run(role, action)
        t.ok(r.returncode == -signal.SIGSYS,
             "%s: %s kills the process (rc %s)" % (role, action, r.returncode),
             r.stdout + r.stderr)
    d = subprocess.run([os.path.join(BUILD, "eipam-" + role),
                        "--sandbox-dump"], capture_output=True, text=True)
    t.ok(d.returncode == 0 and "default: kill the process" in d.stdout and
         "# " in d.stdout, "%s: --sandbox-dump prints the policy with reasons"
         % role)

for role in ("allocator", "metricsd"):
    r = run(role, "socket-inet")
    t.ok(r.returncode == -signal.SIGSYS,
         "%s: socket(AF_INET) kills the process" % role, r.stdout + r.stderr)
# The trap mode names the call before dying.
r = run("allocator", "socket-inet", ["--sandbox", "trap"])
t.ok(r.returncode == -signal.SIGSYS and "forbidden system call socket" in
     r.stderr, "trap mode names the forbidden call", r.stderr)

cases = [
    ("watcher", os.path.join(sa, "token"), True),
    ("watcher", os.path.join(creds, "aws_secret_access_key"), False),
    ("cloudworker", os.path.join(creds, "aws_secret_access_key"), True),
    ("cloudworker", os.path.join(sa, "token"), False),
    ("allocator", os.path.join(sa, "token"), False),
    ("allocator", os.path.join(creds, "aws_secret_access_key"), False),
    ("metricsd", "/etc/hostname", False),
    ("allocator", "/etc/hostname", False),
]
for role, path, allowed in cases:
    r = run(role, "open:" + path)
    what = "reads" if allowed else "cannot read"
    expect = 0 if allowed else 3
    t.ok(r.returncode == expect and
         ("opened" if allowed else "Permission denied") in r.stdout,
         "%s %s %s" % (role, what, path.replace(top, "...")),
         r.stdout + r.stderr)

needed = subprocess.run(["readelf", "-d", os.path.join(BUILD,
                        "eipam-allocator")], capture_output=True,
                        text=True).stdout
libs = [l.split("[")[1].rstrip("]") for l in needed.splitlines()
        if "(NEEDED)" in l]
t.ok(libs and not any(x.startswith(("libcurl", "libssl", "libcrypto"))
                      for x in libs),
     "eipam-allocator links no libcurl/OpenSSL: %s" % ", ".join(libs))
for role in ("watcher", "cloudworker", "metricsd"):
    needed = subprocess.run(["readelf", "-d", os.path.join(BUILD,
                            "eipam-" + role)], capture_output=True,
                            text=True).stdout
shutil.rmtree(top, ignore_errors=True)
t.done()
