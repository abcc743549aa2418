#!/usr/bin/env python3
"""One `snapshot_download` of REPO at REVISION through HF_ENDPOINT into a new cache, timed.

    serve_download.py REPO REVISION CACHE [--skip-lfs]

With --skip-lfs, only the files that are not Git LFS files (as the tree lists them) are asked
for: a repository archived without its LFS objects. Prints `seconds=… bytes=… files=…`.
"""

import os
import sys
import time

import huggingface_hub


def main():
    repo, revision, cache = sys.argv[1:4]
    ignore = None
    t0 = time.perf_counter()
    if "--skip-lfs" in sys.argv[4:]:
        tree = huggingface_hub.HfApi().list_repo_tree(repo, revision=revision, recursive=True)
        ignore = [entry.path for entry in tree if getattr(entry, "lfs", None) is not None] or None
    folder = huggingface_hub.snapshot_download(repo, revision=revision, cache_dir=cache, ignore_patterns=ignore)
    seconds = time.perf_counter() - t0
    total = files = 0
    for root, _, names in os.walk(folder):
        for name in names:
            total += os.path.getsize(os.path.join(root, name))
            files += 1
    print(f"seconds={seconds:.3f} bytes={total} files={files}")


if __name__ == "__main__":
    main()
