#!/usr/bin/env python3
"""Drives the real huggingface_hub client against `sediment serve` and reports what it got.

    hf_client_check.py CASES.json

HF_ENDPOINT must name the server (it is read when huggingface_hub is imported). CASES.json
lists what to do; the answer, on stdout, is one JSON object with a result per case, each
result carrying what the client returned and, for downloads, how the bytes compare with
upstream: the blob of `git cat-file` for a plain file, the Git LFS object for a pointer.
"""

import fnmatch
import hashlib
import json
import os
import subprocess
import sys

import huggingface_hub
from huggingface_hub import HfApi
from huggingface_hub.errors import RemoteEntryNotFoundError, RevisionNotFoundError, RepositoryNotFoundError


def upstream_files(bare, commit, lfs_dir, ignore):
    """{path: expected bytes} of `commit` in the bare repository, LFS pointers resolved, but
    for the paths matching a pattern of `ignore`."""
    listing = subprocess.run(["git", "--git-dir", bare, "ls-tree", "-r", "-z", commit],
                             check=True, capture_output=True).stdout
    files = {}
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, path = record.split(b"\t", 1)
        mode, kind, blob = meta.split()
        if kind != b"blob" or any(fnmatch.fnmatch(path.decode(), p) for p in ignore):
            continue
        data = subprocess.run(["git", "--git-dir", bare, "cat-file", "blob", blob.decode()],
                              check=True, capture_output=True).stdout
        if data.startswith(b"version https://git-lfs.github.com/spec/v1"):
            oid = [line.split(b":", 1)[1] for line in data.splitlines() if line.startswith(b"oid sha256:")][0].decode()
            with open(os.path.join(lfs_dir, oid), "rb") as f:
                data = f.read()
        files[path.decode()] = data
    return files


def snapshot(case):
    ignore = case.get("ignore", [])
    folder = huggingface_hub.snapshot_download(case["repo"], revision=case["revision"], ignore_patterns=ignore or None)
    got = {}
    for root, _, names in os.walk(folder):
        for name in names:
            full = os.path.join(root, name)
            with open(full, "rb") as f:
                got[os.path.relpath(full, folder)] = f.read()
    want = {path: data for path, data in upstream_files(case["bare"], case["revision"], case["lfs_dir"], ignore).items()}
    return {
        "files": sorted(got),
        "expected": sorted(want),
        "mismatched": sorted(p for p in got if p in want and got[p] != want[p]),
        "bytes": sum(len(v) for v in got.values()),
    }


def error_of(call):
    try:
        call()
    except (RemoteEntryNotFoundError, RevisionNotFoundError, RepositoryNotFoundError) as error:
        return {"error": type(error).__name__, "message": str(error)}
    except Exception as error:  # any other outcome is reported as it is
        return {"error": type(error).__name__, "message": str(error)}
    return {"error": None}


def run(case):
    api = HfApi()
    kind = case["kind"]
    if kind == "snapshot":
        return snapshot(case)
    if kind == "download":
        path = huggingface_hub.hf_hub_download(case["repo"], case["filename"], revision=case.get("revision"))
        with open(path, "rb") as f:
            data = f.read()
        return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    if kind == "info":
        info = api.model_info(case["repo"], revision=case.get("revision"), files_metadata=case.get("blobs", False))
        siblings = [{"name": s.rfilename, "size": s.size, "lfs": s.lfs.sha256 if s.lfs else None} for s in info.siblings or []]
        return {"id": info.id, "sha": info.sha, "downloads": info.downloads, "likes": info.likes,
                "last_modified": info.last_modified.isoformat() if info.last_modified else None, "siblings": siblings}
    if kind == "files":
        return {"files": sorted(api.list_repo_files(case["repo"], revision=case.get("revision")))}
    if kind == "refs":
        refs = api.list_repo_refs(case["repo"])
        return {"branches": {b.name: b.target_commit for b in refs.branches}, "tags": {t.name: t.target_commit for t in refs.tags}}
    if kind == "commits":
        return {"commits": [c.commit_id for c in api.list_repo_commits(case["repo"], revision=case.get("revision"))]}
    if kind == "models":
        found = api.list_models(author=case.get("author"), search=case.get("search"), limit=case.get("limit"))
        return {"ids": [m.id for m in found]}
    if kind == "missing":
        return error_of(lambda: huggingface_hub.hf_hub_download(case["repo"], case["filename"], revision=case.get("revision")))
    if kind == "info_error":
        return error_of(lambda: api.model_info(case["repo"], revision=case.get("revision")))
    raise SystemExit(f"unknown case kind {kind}")


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    results = {}
    for name, case in cases.items():
        try:
            results[name] = run(case)
        except Exception as error:
            results[name] = {"failed": f"{type(error).__name__}: {error}"}
    json.dump(results, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
