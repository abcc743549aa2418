#!/usr/bin/env python3
"""Loopback imitation of the Hugging Face Hub, for tests.

    python3 fixture_hub.py --root DIR --port-file FILE [--port 0] [--latency S] [--verbose]

--latency adds S seconds before every answer, as a distant hub's round trip would.

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
                              "lfs_expired_gets": n, "lfs_unauthorized_gets": n,
                              "git_in_flight_max": {id: n} (most git requests of one
                              model at once), "git_in_flight_max_total": n (most git
                              requests at once: this host's concurrency)}
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
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import git_http_server  # noqa: E402  (sibling modules, path set just above)
import loopback  # noqa: E402
from hub_api import BadModels  # noqa: E402
from hub_handler import HubHandler  # noqa: E402

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class HubServer(git_http_server.GitHTTPServer):
    """The git server plus the Hub state: counters and pending faults."""

    def __init__(self, address, *, root, git, home, verbose, latency=0.0):
        super().__init__(address, HubHandler, root=root, git=git, home=home,
                         log_file=None, receive_pack=False, verbose=verbose)
        self.latency = latency
        self.state_lock = threading.Lock()
        self.git_in_flight = {}
        self.git_in_flight_max = {}
        self.git_in_flight_total = 0
        self.git_in_flight_max_total = 0
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

    def git_started(self, model_id):
        with self.state_lock:
            n = self.git_in_flight.get(model_id, 0) + 1
            self.git_in_flight[model_id] = n
            self.git_in_flight_max[model_id] = max(self.git_in_flight_max.get(model_id, 0), n)
            self.git_in_flight_total += 1
            self.git_in_flight_max_total = max(self.git_in_flight_max_total, self.git_in_flight_total)

    def git_ended(self, model_id):
        with self.state_lock:
            self.git_in_flight[model_id] -= 1
            self.git_in_flight_total -= 1

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

    def entry(self, model, head=False, expand=None):
        """The API object of a model (head: a precomputed head_commit result). Fields the
        Hub gives only when asked (expand: the request's expand[] values) are left out unless
        asked for."""
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
        for key in ("baseModels", "downloadsAllTime"):
            if key in model and (expand is None or key in expand):
                e[key] = model[key]
        return e


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Imitate the Hugging Face Hub on 127.0.0.1.")
    parser.add_argument("--root", required=True, help="folder with models.json and repos")
    parser.add_argument("--port-file", required=True, help="where to write the port")
    parser.add_argument("--port", type=int, default=0, help="TCP port (0: any free one)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added before every answer")
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = parser.parse_args(argv)

    root = os.path.abspath(args.root)
    if not os.path.isdir(root):
        parser.error("--root %s is not a directory" % root)
    return loopback.serve(
        lambda home: HubServer(("127.0.0.1", args.port), root=root, git=shutil.which("git") or "git",
                               home=home, verbose=args.verbose, latency=args.latency),
        args.port_file, "fixture-hub-home.", on_close=lambda server: server.stop_stalling.set())


if __name__ == "__main__":
    sys.exit(main())
