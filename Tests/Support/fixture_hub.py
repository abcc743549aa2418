#!/usr/bin/env python3
"""Loopback imitation of the Hugging Face Hub, for tests.

    python3 fixture_hub.py --root DIR --port-file FILE [--port 0] [--verbose]

Serves on 127.0.0.1 only; writes the chosen port atomically to --port-file and
prints `PORT <n>`. SIGTERM and SIGINT stop it with exit status 0.

Data, re-read on every request so tests can change it between crawls:
    DIR/models.json          JSON array of models, in listing order. Keys: id
                             ("owner/name"), downloads, likes, tags, pipeline_tag,
                             library_name, gated (false|"auto"|"manual"), private,
                             disabled, cardData, createdAt, deleted, sha_override.
    DIR/<owner>/<name>.git   bare repository of each model (sha, lastModified).

Endpoints:
    GET  /api/models?author=&search=&filter=&sort=&direction=&limit=&cursor=
                             listing (no deleted/private), Link rel="next" paging
    GET  /api/models/<owner>/<name>[/revision/<rev>]
                             one model; 404 unknown/deleted, 401 gated w/o token
    GET  /<owner>/<name>[.git]/info/refs?service=git-upload-pack
    POST /<owner>/<name>[.git]/git-upload-pack
                             smart HTTP through `git http-backend`; gated models
                             need Authorization (Bearer hf_..., or Basic with a
                             password starting with hf_), else 401 + Basic challenge
    GET  /api/models/0/, /api/models/<slug>/
                             the modelzoo.co API from DIR/modelzoo.json
                             ({"models": [...]}); a Referer header is required
    POST /<owner>/<name>[.git]/info/lfs/objects/batch
                             Git LFS batch API (download): objects stored as
                             DIR/lfs/<oid>; missing ones get a per-object 404 error.
                             Each action carries a header the download must send
                             (Authorization: RemoteAuth fixture-<oid[:16]>)
    GET  /lfs/objects/<oid>  an LFS object's content, streamed from its file
                             (Range: bytes=N- honoured); 401 without the action's
                             header; 410 for the href of an expired action
    GET  /_fixture/stats     {"git_connections": {id: n}, "api_requests": {path: n},
                              "not_modified": {path: n}} (304 answers to conditional requests),
                              "lfs_batches": n (batch requests), "lfs_gets": {oid: n},
                              "lfs_range_gets": {oid: n} (GETs with a Range header),
                              "lfs_expired_gets": n, "lfs_unauthorized_gets": n}
    POST /_fixture/lfs-faults JSON list of {"oid", "kind", "times"} (appended), kind:
                             "wrong-content" (other bytes of the same length),
                             "expired" (the batch answers expires_in 0),
                             "expired-at" (the batch answers an expires_at in the past),
                             "drop-half" (the connection closes after half the body),
                             "ignore-range" (200 and the whole object despite Range),
                             "stall-half" (half the body, then nothing for 120 s)
    DELETE /_fixture/lfs-faults clears them
    POST /_fixture/reset-stats
    POST /_fixture/faults    JSON list of {"path_prefix", "status", "times",
                             "retry_after", "body", "malformed"}; appended.
                             Transport faults instead serve the real git answer
                             badly: "drop_after" (close after N body bytes),
                             "delay" (seconds before each chunk), "chunk_size"
    DELETE /_fixture/faults  clears them

Only the Python standard library is used.
"""

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import git_http_server  # noqa: E402  (sibling module, path set just above)

MAX_LIMIT = 1000
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
GIT_PATH = re.compile(r"^/([^/]+)/([^/]+?)(?:\.git)?/(info/refs|git-upload-pack)$")
# Fault keys that deliver the real answer badly instead of replacing it.
TRANSPORT_FAULT_KEYS = {"drop_after", "delay", "chunk_size"}
LFS_BATCH_PATH = re.compile(r"^/([^/]+)/([^/]+?)(?:\.git)?/info/lfs/objects/batch$")
LFS_OBJECT_PATH = re.compile(r"^/lfs/objects/([0-9a-f]{64})$")
MODEL_PATH = re.compile(r"^/api/models/([^/]+)/([^/]+)(?:/revision/.+)?$")
SORT_KEYS = ("downloads", "likes", "lastModified", "createdAt", "id")
MALFORMED = b'[{"id": "broken"'


# modelzoo.co's API: /api/models/0/ (catalogue) and /api/models/<slug>/ (one model).
MODELZOO_PATH = re.compile(r"^/api/models/([A-Za-z0-9_.-]+)/$")


class BadModels(Exception):
    pass


def encode_cursor(offset):
    return base64.urlsafe_b64encode(b"offset:%d" % offset).decode("ascii")


def decode_cursor(cursor):
    """Inverse of encode_cursor; ValueError when the cursor is not one of ours."""
    text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
    if not text.startswith("offset:"):
        raise ValueError(cursor)
    return max(int(text[len("offset:"):]), 0)


class HubServer(git_http_server.GitHTTPServer):
    """The git server plus the Hub state: counters and pending faults."""

    def __init__(self, address, *, root, git, home, verbose):
        super().__init__(address, HubHandler, root=root, git=git, home=home,
                         log_file=None, receive_pack=False, verbose=verbose)
        self.state_lock = threading.Lock()
        self.git_connections = {}
        self.api_requests = {}
        self.not_modified = {}
        self.faults = []
        self.lfs_faults = []
        self.lfs_batches = 0
        self.lfs_gets = {}
        self.lfs_range_gets = {}
        self.lfs_expired_gets = 0
        self.lfs_unauthorized_gets = 0
        self.stop_stalling = threading.Event()

    def bump(self, table, key):
        with self.state_lock:
            table[key] = table.get(key, 0) + 1

    def take_fault(self, path):
        """Consumes one use of the first pending fault matching path."""
        with self.state_lock:
            for fault in self.faults:
                if path.startswith(fault["path_prefix"]):
                    fault["times"] -= 1
                    if fault["times"] <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def take_lfs_fault(self, oid, kinds):
        """Consumes one use of the first pending LFS fault of oid among kinds."""
        with self.state_lock:
            for fault in self.lfs_faults:
                if fault["oid"] == oid and fault["kind"] in kinds:
                    fault["times"] -= 1
                    if fault["times"] <= 0:
                        self.lfs_faults.remove(fault)
                    return fault["kind"]
        return None

    def load_models(self):
        """models.json (missing: no models); BadModels when it is malformed."""
        try:
            with open(os.path.join(self.root, "models.json"), encoding="utf-8") as f:
                models = json.load(f)
        except FileNotFoundError:
            return []
        except ValueError as exc:
            raise BadModels(exc)
        if not isinstance(models, list) or not all(
                isinstance(m, dict) and isinstance(m.get("id"), str) for m in models):
            raise BadModels("expected a JSON array of objects with a string id")
        return models

    def repo_dir(self, model_id):
        owner, _, name = model_id.partition("/")
        if not (NAME.match(owner) and NAME.match(name)) or ".." in model_id:
            return None
        return os.path.join(self.root, owner, name + ".git")

    def head_commit(self, model_id):
        """(sha, committer unix time) of HEAD, or None (no repo or no commits)."""
        repo = self.repo_dir(model_id)
        if repo is None or not os.path.isdir(repo):
            return None
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
               "GIT_CONFIG_NOSYSTEM": "1"}
        proc = subprocess.run(
            [self.git, "-c", "safe.directory=*", "-C", repo, "log", "-1",
             "--format=%H %ct", "HEAD"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        parts = proc.stdout.split()
        if proc.returncode != 0 or len(parts) != 2:
            return None
        return parts[0], int(parts[1])

    def entry(self, model, head=False):
        """The API object of a model (head: a precomputed head_commit result)."""
        mid = model["id"]
        if head is False:
            head = self.head_commit(mid)
        e = {"_id": hashlib.md5(mid.encode("utf-8")).hexdigest()[:24],
             "id": mid, "modelId": mid, "author": mid.partition("/")[0]}
        if "sha_override" in model:
            e["sha"] = model["sha_override"]
        elif head:
            e["sha"] = head[0]
        if head:
            e["lastModified"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                              time.gmtime(head[1]))
        if "createdAt" in model:
            e["createdAt"] = model["createdAt"]
        e["private"] = bool(model.get("private", False))
        e["disabled"] = bool(model.get("disabled", False))
        e["gated"] = model.get("gated", False)
        e["downloads"] = model.get("downloads", 0)
        e["likes"] = model.get("likes", 0)
        e["tags"] = list(model.get("tags", []))
        for key in ("pipeline_tag", "library_name", "cardData"):
            if key in model:
                e[key] = model[key]
        return e


class HubHandler(git_http_server.Handler):
    server_version = "sediment-fixture-hub/1"

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    # -- responses -----------------------------------------------------------

    def send_body(self, status, data, content_type, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()

    def send_json(self, status, obj, headers=()):
        self.send_body(status, json.dumps(obj).encode("utf-8"), "application/json",
                       headers)

    def read_all(self):
        """Reads (or, for large bodies, discards) the request body."""
        try:
            body, _ = self.read_body()
        except git_http_server.BadRequest:
            self.close_connection = True
            return None
        if not isinstance(body, bytes):
            body.close()
            return None
        return body

    def authorized(self):
        """Bearer hf_... or Basic user:hf_... (what git sends after a challenge)."""
        scheme, _, value = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            return value.strip().startswith("hf_")
        if scheme.lower() == "basic":
            try:
                text = base64.b64decode(value.strip()).decode("utf-8")
            except ValueError:
                return False
            return text.partition(":")[2].startswith("hf_")
        return False

    # -- routing ---------------------------------------------------------------

    def dispatch(self):
        server = self.server
        split = urllib.parse.urlsplit(self.path)
        path = split.path
        if path.startswith("/_fixture/"):
            return self.control(path, self.read_all())
        git = GIT_PATH.match(path)
        # Counted before anything can fail, so refused requests count too (a
        # gated clone with credentials is two: the 401 challenge, then the retry).
        if path.startswith("/api/"):
            server.bump(server.api_requests, path)
        elif git and git.group(3) == "info/refs":
            server.bump(server.git_connections, git.group(1) + "/" + git.group(2))
        fault = server.take_fault(path)
        if fault is not None and TRANSPORT_FAULT_KEYS.intersection(fault):
            # The answer is the real one, delivered badly (see git_http_server.relay).
            self.drop_after = fault.get("drop_after")
            self.chunk_delay = float(fault.get("delay", 0))
            self.chunk_size = fault.get("chunk_size")
        elif fault is not None:
            self.read_all()
            return self.send_fault(fault)
        try:
            self.route(path, split.query, git)
        except BadModels as exc:  # tests write models.json by hand: say so loudly
            self.send_json(500, {"error": "fixture: bad models.json: %s" % exc})

    def route(self, path, query, git):
        if git and self.command in ("GET", "POST"):
            return self.git_request(git, query)
        if LFS_BATCH_PATH.match(path) and self.command == "POST":
            return self.lfs_batch(self.read_all())
        if LFS_OBJECT_PATH.match(path) and self.command in ("GET", "HEAD"):
            self.read_all()
            return self.lfs_object(LFS_OBJECT_PATH.match(path).group(1), query)
        self.read_all()
        model = MODEL_PATH.match(path)
        if self.command not in ("GET", "HEAD"):
            self.send_json(404, {"error": "Not found"})
        elif path == "/api/models":
            self.list_models(query)
        elif MODELZOO_PATH.match(path):
            self.modelzoo(MODELZOO_PATH.match(path).group(1))
        elif model:
            self.one_model(model.group(1) + "/" + model.group(2))
        else:
            self.send_json(404, {"error": "Not found"})

    def lfs_batch(self, body):
        """The Git LFS batch API, download operation, basic transfer."""
        try:
            request = json.loads(body or b"{}")
            objects = request["objects"]
        except (ValueError, KeyError, TypeError):
            return self.send_json(422, {"message": "malformed batch request"})
        server = self.server
        with server.state_lock:
            server.lfs_batches += 1
        base = "http://127.0.0.1:%d" % server.server_address[1]
        answers = []
        for obj in objects:
            oid, size = str(obj.get("oid", "")), obj.get("size")
            path = os.path.join(server.root, "lfs", oid)
            if re.fullmatch(r"[0-9a-f]{64}", oid) and os.path.isfile(path):
                download = {"href": "%s/lfs/objects/%s" % (base, oid), "expires_in": 3600,
                            "header": {"Authorization": "RemoteAuth fixture-%s" % oid[:16]}}
                expired = server.take_lfs_fault(oid, ("expired", "expired-at"))
                if expired == "expired":
                    download["href"] += "?expired=1"
                    download["expires_in"] = 0
                elif expired == "expired-at":
                    download["href"] += "?expired=1"
                    del download["expires_in"]
                    download["expires_at"] = "2001-01-01T00:00:00Z"
                answers.append({"oid": oid, "size": os.path.getsize(path), "authenticated": True,
                                "actions": {"download": download}})
            else:
                answers.append({"oid": oid, "size": size, "error": {"code": 404, "message": "Object does not exist"}})
        body = json.dumps({"transfer": "basic", "objects": answers}).encode()
        self.send_body(200, body, "application/vnd.git-lfs+json")

    def lfs_object(self, oid, query):
        server = self.server
        path = os.path.join(server.root, "lfs", oid)
        if not os.path.isfile(path):
            return self.send_json(404, {"message": "Object does not exist"})
        if "expired=1" in query:
            with server.state_lock:
                server.lfs_expired_gets += 1
            return self.send_json(410, {"message": "this download link has expired"})
        if self.headers.get("Authorization") != "RemoteAuth fixture-%s" % oid[:16]:
            with server.state_lock:
                server.lfs_unauthorized_gets += 1
            return self.send_json(401, {"message": "the action's header is required"})
        server.bump(server.lfs_gets, oid)
        range_header = self.headers.get("Range", "")
        if range_header:
            server.bump(server.lfs_range_gets, oid)
        fault = server.take_lfs_fault(oid, ("wrong-content", "drop-half", "ignore-range", "stall-half"))
        size = os.path.getsize(path)
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", range_header)
        if match and int(match.group(1)) < size and fault != "ignore-range":
            start = int(match.group(1))
        length = size - start
        self.send_response(206 if start else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        if start:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, size - 1, size))
        self.end_headers()
        if self.command == "HEAD":
            return
        self.wfile.flush()
        stop = length if fault not in ("drop-half", "stall-half") else length // 2
        with open(path, "rb") as f:
            if fault == "wrong-content":
                f.seek(start)
                left = length
                while left > 0:
                    chunk = f.read(min(left, 1 << 20))
                    self.wfile.write(bytes(b ^ 0x5A for b in chunk))
                    left -= len(chunk)
            else:
                # socket.sendfile copes with the socket's timeout (non-blocking at the OS level).
                if stop > 0:
                    self.connection.sendfile(f, start, stop)
        if fault == "stall-half":
            server.stop_stalling.wait(120)
        if fault in ("drop-half", "stall-half"):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def modelzoo(self, slug):
        """The modelzoo.co API from DIR/modelzoo.json ({"models": [full entries]}):
        /api/models/0/ is the catalogue, /api/models/<slug>/ one model. Like the real
        site, it answers only requests that carry a Referer header."""
        if not self.headers.get("Referer"):
            return self.send_json(403, {"detail": "Referer required"})
        try:
            with open(os.path.join(self.server.root, "modelzoo.json"), "rb") as f:
                models = json.load(f)["models"]
        except (OSError, ValueError, KeyError) as exc:
            return self.send_json(500, {"error": "fixture: bad modelzoo.json: %s" % exc})
        if slug == "0":
            keys = ("slug", "title", "description", "stars", "link", "framework", "categories")
            return self.send_cacheable({"models": [{k: m.get(k) for k in keys} for m in models]})
        for m in models:
            if m.get("slug") == slug:
                keys = ("title", "description", "stars", "long_desc", "link", "papers", "framework", "categories", "id")
                return self.send_cacheable({k: m.get(k) for k in keys})
        return self.send_json(404, {"detail": "Not found."})

    def send_cacheable(self, obj):
        """A JSON answer with an ETag; 304 when the request's If-None-Match matches it."""
        body = json.dumps(obj, sort_keys=True).encode()
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
        if self.headers.get("If-None-Match") == etag:
            path = urllib.parse.urlsplit(self.path).path
            self.server.bump(self.server.not_modified, path)
            return self.send_body(304, b"", "application/json", [("ETag", etag)])
        return self.send_body(200, body, "application/json", [("ETag", etag)])

    def send_fault(self, fault):
        if fault.get("malformed"):
            return self.send_body(200, MALFORMED, "application/json")
        status = fault["status"]
        headers = []
        if fault.get("retry_after") is not None:
            headers.append(("Retry-After", str(fault["retry_after"])))
        if "body" in fault:
            self.send_body(status, str(fault["body"]).encode("utf-8"),
                           "text/plain; charset=utf-8", headers)
        else:
            self.send_json(status, {"error": "injected fault %d" % status}, headers)

    def control(self, path, body):
        server = self.server
        if path == "/_fixture/stats" and self.command == "GET":
            with server.state_lock:
                stats = {"git_connections": dict(server.git_connections),
                         "api_requests": dict(server.api_requests),
                         "not_modified": dict(server.not_modified),
                         "lfs_batches": server.lfs_batches,
                         "lfs_gets": dict(server.lfs_gets),
                         "lfs_range_gets": dict(server.lfs_range_gets),
                         "lfs_expired_gets": server.lfs_expired_gets,
                         "lfs_unauthorized_gets": server.lfs_unauthorized_gets}
            return self.send_json(200, stats)
        if path == "/_fixture/reset-stats" and self.command == "POST":
            with server.state_lock:
                server.git_connections.clear()
                server.api_requests.clear()
                server.not_modified.clear()
                server.lfs_gets.clear()
                server.lfs_range_gets.clear()
                server.lfs_batches = 0
                server.lfs_expired_gets = 0
                server.lfs_unauthorized_gets = 0
            return self.send_json(200, {"ok": True})
        if path == "/_fixture/lfs-faults" and self.command == "DELETE":
            with server.state_lock:
                server.lfs_faults.clear()
            return self.send_json(200, {"ok": True})
        if path == "/_fixture/lfs-faults" and self.command == "POST":
            kinds = ("wrong-content", "expired", "expired-at", "drop-half", "ignore-range", "stall-half")
            try:
                faults = [dict(oid=str(f["oid"]), kind=str(f["kind"]), times=int(f.get("times", 1)))
                          for f in json.loads(body or b"null")]
                if any(f["kind"] not in kinds for f in faults):
                    raise ValueError("unknown kind")
            except (ValueError, TypeError, KeyError):
                return self.send_json(400, {"error": "expected a JSON list of {oid, kind, times}, kind one of %s" % ", ".join(kinds)})
            with server.state_lock:
                server.lfs_faults.extend(f for f in faults if f["times"] > 0)
            return self.send_json(200, {"ok": True})
        if path == "/_fixture/faults" and self.command == "DELETE":
            with server.state_lock:
                server.faults.clear()
            return self.send_json(200, {"ok": True})
        if path == "/_fixture/faults" and self.command == "POST":
            try:
                faults = json.loads(body or b"null")
                if isinstance(faults, dict):
                    faults = [faults]
                faults = [dict(f, path_prefix=str(f["path_prefix"]),
                               status=int(f.get("status", 500)),
                               times=int(f.get("times", 1))) for f in faults]
            except (ValueError, TypeError, KeyError):
                return self.send_json(400, {"error": "expected a JSON list of faults"})
            with server.state_lock:
                server.faults.extend(f for f in faults if f["times"] > 0)
                pending = len(server.faults)
            return self.send_json(200, {"ok": True, "pending": pending})
        self.send_json(404, {"error": "Not found"})

    # -- Hub API -----------------------------------------------------------------

    def list_models(self, query):
        server = self.server
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        arg = lambda name: (params.get(name) or [""])[-1]
        tags = [t.strip() for v in params.get("filter", []) for t in v.split(",")
                if t.strip()]
        try:
            limit = min(max(int(arg("limit") or MAX_LIMIT), 1), MAX_LIMIT)
            offset = decode_cursor(arg("cursor")) if arg("cursor") else 0
        except ValueError:
            return self.send_json(400, {"error": "Invalid limit or cursor"})
        models = [m for m in server.load_models()
                  if not m.get("deleted") and not m.get("private")
                  and (not arg("author") or m["id"].partition("/")[0] == arg("author"))
                  and arg("search").lower() in m["id"].lower()
                  and all(t in m.get("tags", []) for t in tags)]
        sort = arg("sort")
        heads = {}  # lastModified sorting needs every head; otherwise the page's
        if sort in SORT_KEYS:
            if sort == "lastModified":
                heads = {m["id"]: server.head_commit(m["id"]) for m in models}
                key = lambda m: (heads[m["id"]] or ("", 0))[1]
            elif sort in ("downloads", "likes"):
                key = lambda m: m.get(sort) or 0
            else:
                key = lambda m: str(m.get(sort) or "")
            descending = arg("direction") in ("", "-1")
            models.sort(key=key, reverse=descending)
        page = models[offset:offset + limit]
        body = [server.entry(m, heads.get(m["id"], False)) for m in page]
        headers = []
        if offset + limit < len(models):
            rest = [(k, v) for k, v in
                    urllib.parse.parse_qsl(query, keep_blank_values=True) if k != "cursor"]
            rest.append(("cursor", encode_cursor(offset + limit)))
            url = "http://127.0.0.1:%d/api/models?%s" % (
                server.server_address[1], urllib.parse.urlencode(rest))
            headers.append(("Link", '<%s>; rel="next"' % url))
        self.send_json(200, body, headers)

    def find_model(self, model_id):
        """The models.json object of a live (not deleted) model, or None."""
        for m in self.server.load_models():
            if m.get("id") == model_id and not m.get("deleted"):
                return m
        return None

    def one_model(self, model_id):
        model = self.find_model(model_id)
        if model is None:
            return self.send_json(404, {"error": "Repository not found"},
                                  [("X-Error-Code", "RepoNotFound")])
        if model.get("gated") and not self.authorized():
            return self.send_json(401, {"error": "Access to model %s is restricted. You "
                                        "must be authenticated to access it." % model_id},
                                  [("X-Error-Code", "GatedRepo")])
        self.send_json(200, self.server.entry(model))

    # -- git ---------------------------------------------------------------------

    def git_request(self, match, query):
        model_id = match.group(1) + "/" + match.group(2)
        model = self.find_model(model_id)
        repo = self.server.repo_dir(model_id)
        if model is None or repo is None or not os.path.isdir(repo):
            self.read_all()
            return self.send_body(404, b"Repository not found\n", "text/plain")
        if model.get("gated") and not self.authorized():
            self.read_all()
            return self.send_body(401, b"Authentication required\n", "text/plain",
                                  [("WWW-Authenticate", 'Basic realm="fixture"')])
        # http-backend resolves PATH_INFO below the root: use the on-disk name.
        self.path = "/%s.git/%s" % (model_id, match.group(3))
        if query:
            self.path += "?" + query
        self.run_backend()


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Imitate the Hugging Face Hub on 127.0.0.1.")
    parser.add_argument("--root", required=True, help="folder with models.json and repos")
    parser.add_argument("--port-file", required=True, help="where to write the port")
    parser.add_argument("--port", type=int, default=0, help="TCP port (0: any free one)")
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = parser.parse_args(argv)

    root = os.path.abspath(args.root)
    if not os.path.isdir(root):
        parser.error("--root %s is not a directory" % root)

    def on_term(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    home = tempfile.mkdtemp(prefix="fixture-hub-home.")
    server = None
    try:
        server = HubServer(("127.0.0.1", args.port), root=root,
                           git=shutil.which("git") or "git", home=home,
                           verbose=args.verbose)
        port = server.server_address[1]
        git_http_server.write_port_file(args.port_file, port)
        sys.stdout.write("PORT %d\n" % port)
        sys.stdout.flush()
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if server is not None:
            server.stop_stalling.set()
            server.server_close()
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
