"""The request handler of fixture_hub.py: routing, answers, credentials and git."""

import base64
import json
import os
import re
import time
import urllib.parse

import git_http_handler
from hub_api import BadModels, HubAPI
from hub_control import HubControl
from hub_lfs import HubLFS

GIT_PATH = re.compile(r"^/([^/]+)/([^/]+?)(?:\.git)?/(info/refs|git-upload-pack)$")
# Fault keys that deliver the real answer badly instead of replacing it.
TRANSPORT_FAULT_KEYS = {"drop_after", "delay", "chunk_size"}
LFS_BATCH_PATH = re.compile(r"^/([^/]+)/([^/]+?)(?:\.git)?/info/lfs/objects/batch$")
LFS_OBJECT_PATH = re.compile(r"^/lfs/objects/([0-9a-f]{64})$")
MODEL_PATH = re.compile(r"^/api/models/([^/]+)/([^/]+)(?:/revision/.+)?$")
# modelzoo.co's API: /api/models/0/ (catalogue) and /api/models/<slug>/ (one model).
MODELZOO_PATH = re.compile(r"^/api/models/([A-Za-z0-9_.-]+)/$")


class HubHandler(HubAPI, HubLFS, HubControl, git_http_handler.Handler):
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

    def send_json(self, status, obj, headers=()):
        self.send_body(status, json.dumps(obj).encode("utf-8"), "application/json",
                       headers)

    def read_all(self):
        """Reads (or, for large bodies, discards) the request body."""
        try:
            body, _ = self.read_body()
        except git_http_handler.BadRequest:
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
        if self.server.latency > 0:
            time.sleep(self.server.latency)
        if git and self.command in ("GET", "POST"):
            model_id = git.group(1) + "/" + git.group(2)
            self.server.git_started(model_id)
            try:
                return self.git_request(git, query)
            finally:
                self.server.git_ended(model_id)
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
