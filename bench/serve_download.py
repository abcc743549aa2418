#!/usr/bin/env python3
"""One `snapshot_download` of REPO at REVISION through HF_ENDPOINT into a new cache, timed.

    serve_download.py REPO REVISION CACHE

Prints `seconds=… bytes=… files=…`.
"""

import os
import sys
import time

import huggingface_hub


def main():
    repo, revision, cache = sys.argv[1:4]
    t0 = time.perf_counter()
    folder = huggingface_hub.snapshot_download(repo, revision=revision, cache_dir=cache)
    seconds = time.perf_counter() - t0
    total = files = 0
    for root, _, names in os.walk(folder):
        for name in names:
            total += os.path.getsize(os.path.join(root, name))
            files += 1
    print(f"seconds={seconds:.3f} bytes={total} files={files}")


if __name__ == "__main__":
    main()
