#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# A small fake Kubernetes API server for the watcher's tests (until and
# besides eipam-sim): HTTPS on 127.0.0.1, paged LIST, WATCH from a
# resourceVersion with bookmarks, 410 for compacted versions, merge patch
# with resourceVersion preconditions, PUT/POST/DELETE, bearer tokens
# (read-write, read-only, unknown -> 401), discovery with groups that can
# be left unserved.  A control API under /ctl/ (no auth) drives faults and
# returns the change record.  Prints "port N", serves until stdin closes.
import copy
import json
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LOCK = threading.Condition()
S = {"rv": 100, "floor": 0, "log": [], "objs": {}, "record": [],
     "rw": set(), "ro": set(), "unserved": set(), "gen": 0,
     "close_every": 0.0, "requests": [], "patches": 0,
     "fail": {"n": 0, "code": 503, "retry_after": None}}

COLLS = {  # path prefix -> (group, version, kind, namespaced)
    "/api/v1/namespaces": ("", "v1", "Namespace", False),
    "/api/v1/nodes": ("", "v1", "Node", False),
    "/apis/redhatcop.redhat.io/v1alpha1/egressipams":
        ("redhatcop.redhat.io", "v1alpha1", "EgressIPAM", False),
    "/apis/network.openshift.io/v1/hostsubnets":
        ("network.openshift.io", "v1", "HostSubnet", False),
    "/apis/network.openshift.io/v1/netnamespaces":
        ("network.openshift.io", "v1", "NetNamespace", False),
    "/apis/k8s.ovn.org/v1/egressips": ("k8s.ovn.org", "v1", "EgressIP", False),
    "/apis/config.openshift.io/v1/infrastructures":
        ("config.openshift.io", "v1", "Infrastructure", False),
    "/apis/config.openshift.io/v1/networks":
        ("config.openshift.io", "v1", "Network", False),
}
NSCOLLS = {  # namespaced: /.../namespaces/{ns}/<res>
    "events": ("", "v1", "Event"),
    "leases": ("coordination.k8s.io", "v1", "Lease"),
    "credentialsrequests": ("cloudcredential.openshift.io", "v1",
                            "CredentialsRequest"),
}


def status(code, reason, msg):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {},
            "status": "Failure", "message": msg, "reason": reason,
            "code": code}


def merge(dst, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(dst) if isinstance(dst, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge(out.get(k), v)
    return out


def bump(coll, typ, obj):
    """Records a change (lock held): new rv, log entry, record entry."""
    S["rv"] += 1
    if typ != "DELETED":
        obj["metadata"]["resourceVersion"] = str(S["rv"])
    S["log"].append((S["rv"], coll, typ, copy.deepcopy(obj)))
    S["record"].append({"coll": coll, "name": obj["metadata"]["name"],
                        "rv": str(S["rv"]), "type": typ})
    LOCK.notify_all()


def put_obj(coll, obj, typ=None):
    name = obj["metadata"]["name"]
    key = (coll, name)
    old = S["objs"].get(key)
    md = obj["metadata"]
    md.setdefault("uid", old["metadata"]["uid"] if old else str(uuid.uuid4()))
    md.setdefault("creationTimestamp", "2026-11-26T00:00:00Z")
    if "generation" not in md:
        md["generation"] = old["metadata"].get("generation", 1) if old else 1
    S["objs"][key] = obj
    bump(coll, typ or ("MODIFIED" if old else "ADDED"), obj)
    return obj


def split(path):
    """-> (collection key, name, subresource) or None."""
    parts = path.split("/")

    # /api/v1/namespaces/{ns}/events[/{n}] or /apis/g/v/namespaces/{ns}/res[/{n}]
    if "namespaces" in parts:
        i = parts.index("namespaces")
        if len(parts) > i + 2 and parts[i + 2] in NSCOLLS:
            coll = "/".join(parts[:i + 3])
            return coll, parts[i + 3] if len(parts) > i + 3 else None, None
    for c in COLLS:
        if path == c:
            return c, None, None
        if path.startswith(c + "/"):
            rest = path[len(c) + 1:].split("/")
            return c, rest[0], rest[1] if len(rest) > 1 else None
    return None


def gv_of(coll):
    for c, v in COLLS.items():
        if c == coll:
            return v[0], v[1], v[2]
    res = coll.split("/")[-1]
    g, v, k = NSCOLLS[res]
    return g, v, k


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, code, obj, extra=None):
        b = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(b)

    def body(self):
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n) if n else b""

    def auth(self, write):
        a = self.headers.get("Authorization", "")
        tok = a[7:] if a.startswith("Bearer ") else None
        with LOCK:
            rw, ro = tok in S["rw"], tok in S["ro"]
        if not (rw or ro):
            self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
            return False
        if write and not rw:
            self.send_json(403, status(403, "Forbidden",
                'forbidden: User "system:serviceaccount:test:ro" cannot '
                'write this resource'))
            return False
        return True

    def handle_one(self, method):
        u = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        with LOCK:
            S["requests"].append([method, u.path,
                                  self.headers.get("Content-Type")])
        if u.path.startswith("/ctl/"):
            return self.control(method, u.path, q)
        if not self.auth(method not in ("GET",)):
            return
        for g in S["unserved"]:
            if u.path.startswith("/apis/" + g + "/") or \
                    u.path == "/apis/" + g:
                return self.send_json(404, status(404, "NotFound",
                    "the server could not find the requested resource"))
        parts = u.path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "apis":
            res = [{"name": c.split("/")[-1], "namespaced": False,
                    "kind": v[2], "verbs": ["get", "list", "watch"]}
                   for c, v in COLLS.items()
                   if v[0] == parts[1] and v[1] == parts[2]]
            res += [{"name": r, "namespaced": True, "kind": v[2],
                     "verbs": ["get"]} for r, v in NSCOLLS.items()
                    if v[0] == parts[1] and v[1] == parts[2]]
            if not res:
                return self.send_json(404, status(404, "NotFound", "nope"))
            return self.send_json(200, {"kind": "APIResourceList",
                "groupVersion": parts[1] + "/" + parts[2],
                "resources": res})
        sp = split(u.path)
        if sp is None:
            return self.send_json(404, status(404, "NotFound",
                "the server could not find the requested resource"))
        coll, name, sub = sp
        if method == "GET" and name is None:
            if q.get("watch") in ("1", "true", "True"):
                return self.watch(coll, q)
            return self.list(coll, q)
        return self.item(method, coll, name, sub)

    def list(self, coll, q):
        limit = int(q.get("limit", "0"))
        cont = q.get("continue")
        fsel = q.get("fieldSelector", "")
        with LOCK:
            items = sorted([o for (c, n), o in S["objs"].items()
                            if c == coll], key=lambda o: o["metadata"]["name"])
            if fsel.startswith("metadata.name="):
                items = [o for o in items
                         if o["metadata"]["name"] == fsel[14:]]
            if cont:
                off, lrv = cont.split(":")
                off, lrv = int(off), lrv
                if int(lrv) < S["floor"]:
                    return self.send_json(410, status(410, "Expired",
                        "The provided continue parameter is too old"))
            else:
                off, lrv = 0, str(S["rv"])
            page = items[off:off + limit] if limit else items[off:]
            md = {"resourceVersion": lrv}
            if limit and off + limit < len(items):
                md["continue"] = "%d:%s" % (off + limit, lrv)
            body = {"kind": "List", "apiVersion": "v1", "metadata": md,
                    "items": copy.deepcopy(page)}
        self.send_json(200, body)

    def chunk(self, obj):
        b = json.dumps(obj).encode() + b"\n"
        self.wfile.write(b"%x\r\n%s\r\n" % (len(b), b))
        self.wfile.flush()

    def watch(self, coll, q):
        rv = int(q.get("resourceVersion", "0") or "0")
        tmo = int(q.get("timeoutSeconds", "1800"))
        bookmarks = q.get("allowWatchBookmarks") in ("1", "true", "True")
        fsel = q.get("fieldSelector", "")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        start = time.time()
        gen = S["gen"]
        g, v, kind = gv_of(coll)
        with LOCK:
            if rv < S["floor"]:
                ev = {"type": "ERROR", "object": status(410, "Expired",
                      "too old resource version: %d (%d)" %
                      (rv, S["floor"] - 1))}
                self.chunk(ev)
                self.wfile.write(b"0\r\n\r\n")
                return
        last_bm = time.time()
        pos = 0
        try:
            while True:
                with LOCK:
                    out = []
                    log = S["log"]
                    while pos < len(log) and log[pos][0] <= rv:
                        pos += 1
                    while pos < len(log):
                        erv, c, typ, obj = log[pos]
                        pos += 1
                        if c != coll:
                            continue
                        if fsel.startswith("metadata.name=") and \
                                obj["metadata"]["name"] != fsel[14:]:
                            continue
                        out.append({"type": typ, "object": obj})
                        rv = erv
                    # Everything logged so far was looked at: a bookmark
                    # may say so, and no more (a later write's rv in a
                    # bookmark would make the client skip that write).
                    scanned = max(rv, log[pos - 1][0]) if pos else rv
                    ce = S["close_every"]
                    if not out and S["gen"] == gen:
                        LOCK.wait(0.2)
                    closed = S["gen"] != gen
                for ev in out:
                    self.chunk(ev)
                now = time.time()
                if closed or now - start >= tmo or \
                        (ce and now - start >= ce):
                    break
                if bookmarks and now - last_bm > 1.0:
                    last_bm = now
                    brv = str(scanned)
                    self.chunk({"type": "BOOKMARK", "object": {
                        "kind": kind, "apiVersion": (g + "/" if g else "") + v,
                        "metadata": {"resourceVersion": brv}}})
                    rv = max(rv, scanned)
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    def item(self, method, coll, name, sub):
        raw = self.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return self.send_json(400, status(400, "BadRequest", "bad json"))
        g, v, kind = gv_of(coll)
        with LOCK:
            f = S["fail"]
            if method != "GET" and f["n"] > 0:
                f["n"] -= 1
                extra = {"Retry-After": str(f["retry_after"])} \
                    if f["retry_after"] is not None else None
                return self.send_json(f["code"], status(f["code"],
                    "TooManyRequests" if f["code"] == 429 else
                    "ServiceUnavailable", "injected failure"), extra)
            key = (coll, name)
            cur = S["objs"].get(key)
            if method == "GET":
                if cur is None:
                    return self.send_json(404, status(404, "NotFound",
                        '%s "%s" not found' % (coll.split("/")[-1], name)))
                return self.send_json(200, cur)
            if method == "POST":
                name = body["metadata"]["name"]
                if (coll, name) in S["objs"]:
                    return self.send_json(409, status(409, "AlreadyExists",
                        '%s "%s" already exists' % (coll.split("/")[-1],
                                                    name)))
                body.setdefault("kind", kind)
                body.setdefault("apiVersion", (g + "/" if g else "") + v)
                return self.send_json(201, put_obj(coll, body, "ADDED"))
            if cur is None:
                return self.send_json(404, status(404, "NotFound",
                    '%s "%s" not found' % (coll.split("/")[-1], name)))
            conflict = status(409, "Conflict",
                'Operation cannot be fulfilled on %s "%s": the object has '
                'been modified; please apply your changes to the latest '
                'version and try again' % (coll.split("/")[-1], name))
            if method == "DELETE":
                pre = (body or {}).get("preconditions", {}).get("uid")
                if pre and pre != cur["metadata"]["uid"]:
                    return self.send_json(409, conflict)
                del S["objs"][key]
                bump(coll, "DELETED", cur)
                return self.send_json(200, cur)
            want = (body.get("metadata") or {}).get("resourceVersion")
            if want is not None and want != cur["metadata"]["resourceVersion"]:
                return self.send_json(409, conflict)
            if method == "PATCH":
                ct = self.headers.get("Content-Type", "")
                if ct != "application/merge-patch+json":
                    return self.send_json(415, status(415,
                        "UnsupportedMediaType", "unsupported " + ct))
                S["patches"] += 1
                if sub == "status":
                    new = copy.deepcopy(cur)
                    new["status"] = merge(cur.get("status"),
                                          body.get("status"))
                else:
                    p = dict(body)
                    p.pop("status", None)
                    new = merge(cur, p)
            elif method == "PUT":
                if want is None and g:
                    return self.send_json(422, status(422, "Invalid",
                        "metadata.resourceVersion: must be specified"))
                new = body
            else:
                return self.send_json(405, status(405, "MethodNotAllowed",
                                                  method))
            new["metadata"]["resourceVersion"] = cur["metadata"]["resourceVersion"]
            new["metadata"]["uid"] = cur["metadata"]["uid"]
            return self.send_json(200, put_obj(coll, new, "MODIFIED"))

    def control(self, method, path, q):
        b = json.loads(self.body() or b"null")
        with LOCK:
            if path == "/ctl/apply":          # [{coll, obj}|{coll, delete}]
                for e in b:
                    if "delete" in e:
                        cur = S["objs"].pop((e["coll"], e["delete"]), None)
                        if cur:
                            bump(e["coll"], "DELETED", cur)
                    else:
                        o = e["obj"]
                        cur = S["objs"].get((e["coll"], o["metadata"]["name"]))
                        if cur and e.get("merge"):
                            o = merge(cur, o)
                        put_obj(e["coll"], copy.deepcopy(o))
                out = {"rv": S["rv"]}
            elif path == "/ctl/compact":      # forced 410 for older versions
                S["floor"] = S["rv"]
                S["gen"] += 1
                LOCK.notify_all()
                out = {"floor": S["floor"]}
            elif path == "/ctl/close-watches":
                S["gen"] += 1
                LOCK.notify_all()
                out = {}
            elif path == "/ctl/config":
                for k in ("rw", "ro", "unserved"):
                    if k in b:
                        S[k] = set(b[k])
                if "fail" in b:
                    S["fail"] = b["fail"]
                if "close_every" in b:
                    S["close_every"] = b["close_every"]
                out = {}
            elif path == "/ctl/record":
                out = S["record"]
            elif path == "/ctl/get":
                o = S["objs"].get((b["coll"], b["name"]))
                out = o
            elif path == "/ctl/list":
                out = [o for (c, n), o in S["objs"].items() if c == b["coll"]]
            elif path == "/ctl/requests":
                out = S["requests"]
            else:
                out = None
        self.send_json(200 if out is not None or path == "/ctl/get" else 404,
                       out)

    def do_GET(self):
        self.handle_one("GET")

    def do_POST(self):
        self.handle_one("POST")

    def do_PUT(self):
        self.handle_one("PUT")

    def do_PATCH(self):
        self.handle_one("PATCH")

    def do_DELETE(self):
        self.handle_one("DELETE")


def main():
    d = sys.argv[1]
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    srv.handle_error = lambda *a: None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d + "/server.crt", d + "/server.key")
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print("port %d" % srv.server_address[1], flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    sys.stdin.read()


main()
