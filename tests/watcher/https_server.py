#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# A small HTTPS/1.1 keep-alive server for the HTTP client's unit tests:
# prints "port N" on stdout, then serves until stdin closes.
#   GET  /hello            200 "hello"
#   GET  /peer             the client's source port (connection reuse)
#   GET  /stream?n=N       N JSON lines in chunks that split lines
#   GET  /longline         one 2 MiB line
#   GET  /retry            429 with Retry-After: 3
#   GET  /slow             answers after 3 s
#   GET  /big              1 MiB body
#   *    /echo             JSON of method, body, content type, auth header
import json
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, code, body, ctype="application/json", extra=None):
        b = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(b)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(b)

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def do_GET(self):
        u = urlparse(self.path)
        q = parse_qs(u.query)
        if u.path == "/hello":
            self.reply(200, "hello", "text/plain")
        elif u.path == "/peer":
            self.reply(200, str(self.client_address[1]), "text/plain")
        elif u.path == "/stream":
            n = int(q.get("n", ["10"])[0])
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            data = b"".join(json.dumps({"type": "ADDED", "i": i}).encode() +
                            b"\n" for i in range(n))
            # Chunk boundaries that cut lines anywhere.
            off, step = 0, 7
            while off < len(data):
                self.chunk(data[off:off + step])
                off += step
                step = step % 50 + 13
            self.wfile.write(b"0\r\n\r\n")
        elif u.path == "/longline":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.chunk(b"x" * (2 * 1024 * 1024) + b"\n")
            self.wfile.write(b"0\r\n\r\n")
        elif u.path == "/retry":
            self.reply(429, '{"kind":"Status","code":429}',
                       extra={"Retry-After": "3"})
        elif u.path == "/slow":
            time.sleep(3)
            self.reply(200, "late", "text/plain")
        elif u.path == "/big":
            self.reply(200, "y" * (1024 * 1024), "text/plain")
        else:
            self.reply(404, '{"kind":"Status","code":404}')

    def echo(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode() if n else ""
        self.reply(200, json.dumps({
            "method": self.command, "body": body,
            "ctype": self.headers.get("Content-Type"),
            "auth": self.headers.get("Authorization")}))

    do_POST = do_PUT = do_PATCH = do_DELETE = echo


def main():
    d = sys.argv[1]
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    srv.handle_error = lambda *a: None  # clients that hang up are normal here
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d + "/server.crt", d + "/server.key")
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print("port %d" % srv.server_address[1], flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    sys.stdin.read()


main()
