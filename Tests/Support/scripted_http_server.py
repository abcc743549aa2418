#!/usr/bin/env python3
"""A loopback HTTP server with scripted behaviours, for testing Sediment's HTTP client.

    python3 scripted_http_server.py --port-file FILE

Listens on 127.0.0.1 (port chosen by the OS, written to --port-file atomically).
Paths (KEY lets several tests count separately):

    /ok                       200 "hello", ETag "v1", Last-Modified; 304 when the validators match
    /flaky/N/KEY              503 for the first N requests of KEY, then 200 "recovered"
    /retry-after/S/KEY        429 with Retry-After: S (seconds) once for KEY, then 200
    /retry-after-date/S/KEY   429 with Retry-After as an HTTP date S seconds ahead, once, then 200
    /ratelimit/S/KEY          200 with "RateLimit: limit=5, remaining=0, reset=S" once, then 200
    /status/CODE              that status, always
    /pages?page=N             page N of 3, with Link rel="next" until the last
    /redirect                 302 to /ok;   /loop: 302 to itself
    /big/N                    N bytes
    /gzip                     a gzip-encoded body (Content-Encoding: gzip)
    /json-bomb/MB[/...]       a gzip body (well under 1 MB) that expands to MB megabytes of
                              `[{},{},...,{}]`; any path after MB is ignored (a hub's endpoint)
    /json-flood/MB[/...]      the same JSON array, MB megabytes, sent uncompressed
    /paused-listing/KEY[/...] an empty JSON array with "RateLimit: limit=1000, remaining=0,
                              reset=315360000" (ten years) and Link rel="next" to ?page=2,
                              which answers an empty array (a hub listing that pauses)
    /echo                     200, the request's method, Authorization header and body as JSON
    /slow/S                   200 after S seconds
    /count/KEY                how many requests KEY's paths received (JSON)
    /requests                 every request received so far (but these), as JSON:
                              [{"method", "path", "authorization"}]
    /hf/MODE[/ARG]/api/models a hostile Hugging Face listing: one model per page, and
                              a Link rel="next" chosen by MODE:
                              offsite/PORT  to http://127.0.0.1:PORT/api/models
                              self          to the very URL requested
                              cursor        the same cursor each time, other parameters changing
                              stale         fresh cursors, always the same model
    /lfs-batch/SIZE/PORT/objects/batch  a Git LFS batch answer whose download action for
                              each object is http://127.0.0.1:PORT/lfs-object/SIZE
    /lfs-object/SIZE          SIZE bytes of zeros

SIGTERM stops it. Standard library only.
"""

import argparse
import gzip
import json
import os
import signal
import sys
import threading
import time
import zlib
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

COUNTS = {}
REQUESTS = []
LOCK = threading.Lock()
BOMBS = {}


def json_array(megabytes):
    """Chunks of `[{},{},...,{}]`, megabytes * 2^20 bytes in all."""
    chunk = b"{}," * (1 << 18)  # 768 KiB
    total = megabytes << 20
    yield b"["
    sent = 1
    while sent + len(chunk) < total - 3:
        yield chunk
        sent += len(chunk)
    rest = total - sent - 3
    yield b"{}," * (rest // 3) + b" " * (rest % 3) + b"{}]"


def gzip_bomb(megabytes):
    """The gzip of json_array(megabytes), made once per size."""
    with LOCK:
        if megabytes not in BOMBS:
            packer = zlib.compressobj(9, zlib.DEFLATED, 31)
            BOMBS[megabytes] = b"".join(packer.compress(c) for c in json_array(megabytes)) + packer.flush()
        return BOMBS[megabytes]


def bump(key):
    with LOCK:
        COUNTS[key] = COUNTS.get(key, 0) + 1
        return COUNTS[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def do_HEAD(self):
        self.route()

    def route(self):
        url = urlparse(self.path)
        parts = [p for p in url.path.split("/") if p]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        head = parts[0] if parts else ""
        if head != "requests":
            with LOCK:
                REQUESTS.append({"method": self.command, "path": self.path,
                                 "authorization": self.headers.get("Authorization")})
        if head in ("flaky", "retry-after", "retry-after-date", "ratelimit") and len(parts) == 3:
            n = bump(parts[2])
        if head == "paused-listing":
            bump(parts[1])
            if parse_qs(url.query).get("page") == ["2"]:
                return self.send(200, "[]", [("Content-Type", "application/json")])
            link = "<http://127.0.0.1:%d%s?page=2>; rel=\"next\"" % (self.server.server_port, url.path)
            return self.send(200, "[]", [("Content-Type", "application/json"), ("Link", link),
                                         ("RateLimit", "limit=1000, remaining=0, reset=315360000")])
        if head == "ok":
            etag, modified = '"v1"', "Wed, 01 Jan 2025 00:00:00 GMT"
            if self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == modified:
                return self.send(304, b"", [("ETag", etag)])
            return self.send(200, "hello", [("ETag", etag), ("Last-Modified", modified)])
        if head == "flaky":
            if n <= int(parts[1]):
                return self.send(503, "try later")
            return self.send(200, "recovered")
        if head == "retry-after":
            if n == 1:
                return self.send(429, "slow down", [("Retry-After", parts[1])])
            return self.send(200, "after wait")
        if head == "retry-after-date":
            if n == 1:
                return self.send(429, "slow down", [("Retry-After", formatdate(time.time() + float(parts[1]), usegmt=True))])
            return self.send(200, "after date")
        if head == "ratelimit":
            if n == 1:
                return self.send(200, "last one", [("RateLimit", "limit=5, remaining=0, reset=%s" % parts[1]),
                                                   ("RateLimit-Policy", "5;w=60")])
            return self.send(200, "next window")
        if head == "status":
            return self.send(int(parts[1]), "status %s" % parts[1])
        if head == "pages":
            page = int(parse_qs(url.query).get("page", ["1"])[0])
            headers = []
            if page < 3:
                headers.append(("Link", '<http://127.0.0.1:%d/pages?page=%d>; rel="next"' % (self.server.server_port, page + 1)))
            return self.send(200, json.dumps({"page": page}), headers)
        if head == "redirect":
            return self.send(302, "", [("Location", "/ok")])
        if head == "loop":
            return self.send(302, "", [("Location", "/loop")])
        if head == "big":
            return self.send(200, b"x" * int(parts[1]))
        if head == "gzip":
            return self.send(200, gzip.compress(b"compressed hello" * 100), [("Content-Encoding", "gzip")])
        if head == "json-bomb":
            return self.send(200, gzip_bomb(int(parts[1])), [("Content-Encoding", "gzip"), ("Content-Type", "application/json")])
        if head == "json-flood":
            total = int(parts[1]) << 20
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(total))
            self.end_headers()
            try:
                for chunk in json_array(int(parts[1])):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client stopped reading: what is tested
            return
        if head == "echo":
            return self.send(200, json.dumps({"method": self.command, "authorization": self.headers.get("Authorization"),
                                              "body": body.decode("utf-8", "replace")}), [("Content-Type", "application/json")])
        if head == "slow":
            time.sleep(float(parts[1]))
            return self.send(200, "late")
        if head == "requests":
            with LOCK:
                return self.send(200, json.dumps(REQUESTS), [("Content-Type", "application/json")])
        if head == "hf" and parts[-2:] == ["api", "models"]:
            return self.hostile_listing(parts[1], parts[2:-2], parse_qs(url.query))
        if head == "lfs-batch" and len(parts) == 5:
            request = json.loads(body or b"{}")
            href = "http://127.0.0.1:%s/lfs-object/%s" % (parts[2], parts[1])
            answers = [{"oid": o["oid"], "size": o["size"], "actions": {"download": {"href": href}}}
                       for o in request.get("objects", [])]
            return self.send(200, json.dumps({"transfer": "basic", "objects": answers}),
                             [("Content-Type", "application/vnd.git-lfs+json")])
        if head == "lfs-object" and len(parts) == 2:
            return self.send(200, b"\0" * int(parts[1]), [("Content-Type", "application/octet-stream")])
        if head == "count":
            with LOCK:
                return self.send(200, json.dumps({"count": COUNTS.get(parts[1], 0)}))
        return self.send(404, "no such path")

    def hostile_listing(self, mode, args, query):
        n = bump("hf-" + mode)
        port = self.server.server_port
        model = [{"id": "hostile/model-%d" % (1 if mode == "stale" else n)}]
        if mode == "offsite":
            link = "http://127.0.0.1:%s/api/models?cursor=next" % args[0]
        elif mode == "self":
            link = "http://127.0.0.1:%d%s" % (port, self.path)
        elif mode == "cursor":
            link = "http://127.0.0.1:%d/hf/cursor/api/models?cursor=same&n=%d" % (port, n)
        elif mode == "stale":
            link = "http://127.0.0.1:%d/hf/stale/api/models?cursor=c%d" % (port, n)
        else:
            return self.send(404, "no such mode")
        return self.send(200, json.dumps(model), [("Content-Type", "application/json"),
                                                  ("Link", '<%s>; rel="next"' % link)])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_port))
    os.rename(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
