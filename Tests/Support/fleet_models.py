#!/usr/bin/env python3
"""Many small Hugging Face-like model repositories for the fixture hub, made fast.

    python3 fleet_models.py ROOT COUNT

Writes ROOT/fleet/mNNN.git (NNN from 001 to COUNT), each a bare repository with one commit
of its own (a card and a config, made by `git fast-import`: hundreds of repositories in
seconds), and ROOT/models.json listing them for fixture_hub.py. Only the Python standard
library and git are used.
"""

import json
import os
import subprocess
import sys


def model_id(n):
    return "fleet/m%03d" % n


def make(root, count):
    models = []
    for n in range(1, count + 1):
        repo = os.path.join(root, model_id(n) + ".git")
        subprocess.run(["git", "init", "-q", "--bare", repo], check=True)
        files = {"README.md": "---\nlicense: mit\n---\n# model %d\n" % n,
                 "config.json": '{"model_type": "bert", "hidden_size": %d}\n' % (32 * n)}
        stream = "commit refs/heads/main\ncommitter Fixture <fixture@example.com> %d +0000\ndata 7\ninitial\n" % (1700000000 + n)
        for name, text in files.items():
            stream += "M 644 inline %s\ndata %d\n%s\n" % (name, len(text.encode()), text)
        subprocess.run(["git", "--git-dir", repo, "fast-import", "--quiet"], input=stream.encode(), check=True)
        subprocess.run(["git", "--git-dir", repo, "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
        models.append({"id": model_id(n), "downloads": 10 * n, "likes": n % 7, "tags": ["transformers"],
                       "pipeline_tag": "fill-mask", "library_name": "transformers", "gated": False,
                       "createdAt": "2024-01-01T00:00:00.000Z", "cardData": {"license": "mit"}})
    with open(os.path.join(root, "models.json"), "w", encoding="utf-8") as f:
        json.dump(models, f, indent=1, sort_keys=True)


def main(argv):
    if len(argv) != 3 or not argv[2].isdigit():
        print(__doc__.strip(), file=sys.stderr)
        return 2
    os.makedirs(argv[1], exist_ok=True)
    make(argv[1], int(argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
