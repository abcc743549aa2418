#!/usr/bin/env python3
"""Deterministic repository generator for the Sediment benchmarks.

Writes a `git fast-import` stream on stdout:

    python3 bench/gen_repo.py --profile large --commits 2000 \
        | git -C big.git fast-import --quiet

History is a pure function of (--profile, --seed, commit index), so commits
can be appended later by simulating the same history and emitting only the
commits from --skip on (the first emitted commit continues refs/heads/main):

    python3 bench/gen_repo.py --profile large --commits 2010 --skip 2000 \
        | git -C big.git fast-import --quiet

Profiles:
  large  first commit imports ~1000 files, every later commit adds ~2 files and
         edits 0-3 text files (rarely deletes one); with 2000 commits: ~5000
         files, ~75 MB of content, ~50 MB packed (about half of it
         incompressible binary data), a few directories deep, annotated tags
         every 250 commits and a release branch.
  small  a handful of small files, each commit adds one file and edits one.

--stats prints a summary of the generated tree to stderr.
"""

import argparse
import math
import random
import sys

PROFILES = {
    "large": dict(
        initial_files=1000, new_per_commit=2, max_edits=3, delete_every=40,
        binary_share=0.05, binary_size=(2048, 512 * 1024),
        text_size=(200, 64 * 1024), exec_share=0.02, dirs=240,
        tag_every=250, release_branch_at=1500, symlinks=3, pool=20000,
    ),
    "small": dict(
        initial_files=4, new_per_commit=1, max_edits=1, delete_every=0,
        binary_share=0.1, binary_size=(256, 4096),
        text_size=(80, 4096), exec_share=0.0, dirs=3,
        tag_every=0, release_branch_at=0, symlinks=0, pool=500,
    ),
}

WORDS = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi "
    "omicron pi rho sigma tau upsilon phi chi psi omega mirror archive snapshot "
    "blob tree commit pack index object store hub package visit fetch sync "
    "config storage path bytes hash digest stream buffer reader writer queue "
    "worker thread lock retry error status result value count total limit "
    "return let var func struct class enum case switch guard if else for in "
    "while true false nil self init deinit throws try await async public "
    "private internal static final import module extension protocol where"
).split()

TEXT_EXT = [".swift", ".c", ".h", ".md", ".txt", ".json", ".py", ".toml", ".sh"]
BINARY_EXT = [".bin", ".png", ".dat", ".gz"]
TOP_DIRS = ["src", "lib", "docs", "tests", "assets", "tools", "vendor"]

T0 = 1600000000  # first commit time; every commit is one hour later


def log_uniform(rng, lo, hi):
    return int(math.exp(rng.uniform(math.log(lo), math.log(hi))))


class Generator:
    def __init__(self, profile, seed):
        self.p = PROFILES[profile]
        self.seed = seed
        self.rng = random.Random("%s/%d/structure" % (profile, seed))
        self.profile = profile
        self.make_pool()
        self.make_dirs()
        self.files = {}      # path -> ("text", [line ids]) | ("bin", size)
        self.modes = {}      # path -> git mode
        self.text_paths = []  # paths of live text files (for edits)
        self.counter = 0

    # -- building blocks ---------------------------------------------------

    def make_pool(self):
        """A pool of source-like lines; text files are sequences of these."""
        rng = random.Random("%s/%d/pool" % (self.profile, self.seed))
        pool = []
        for i in range(self.p["pool"]):
            indent = "    " * rng.randrange(0, 4)
            n = rng.randrange(2, 12)
            words = rng.choices(WORDS, k=n)
            if rng.random() < 0.3:
                words.append("%d" % rng.randrange(0, 100000))
            end = rng.choice(["", "", ";", " {", "}", ",", ")"])
            pool.append((indent + " ".join(words) + end + "\n").encode())
        self.pool = pool

    def make_dirs(self):
        rng = self.rng
        dirs = list(TOP_DIRS[: max(1, min(len(TOP_DIRS), self.p["dirs"]))])
        while len(dirs) < self.p["dirs"]:
            parent = rng.choice(dirs)
            if parent.count("/") >= 3:  # at most four levels deep
                continue
            child = "%s/%s_%d" % (parent, rng.choice(WORDS), rng.randrange(100))
            if child not in dirs:
                dirs.append(child)
        self.dirs = dirs

    def text_lines(self, size):
        n = max(1, size // 48)
        return [self.rng.randrange(len(self.pool)) for _ in range(n)]

    def new_path(self, binary):
        rng = self.rng
        self.counter += 1
        if binary:
            candidates = [d for d in self.dirs if d.startswith("assets")] or self.dirs
            ext = rng.choice(BINARY_EXT)
        else:
            candidates = self.dirs
            ext = rng.choice(TEXT_EXT)
        d = rng.choice(candidates)
        return "%s/%s_%05d%s" % (d, rng.choice(WORDS), self.counter, ext)

    def add_file(self, changes):
        rng = self.rng
        binary = rng.random() < self.p["binary_share"]
        path = self.new_path(binary)
        if binary:
            self.files[path] = ("bin", log_uniform(rng, *self.p["binary_size"]))
            self.modes[path] = "100644"
        else:
            self.files[path] = ("text", self.text_lines(log_uniform(rng, *self.p["text_size"])))
            self.modes[path] = "100755" if rng.random() < self.p["exec_share"] else "100644"
            self.text_paths.append(path)
        changes.append(("M", path))

    def edit_file(self, changes):
        """A small edit (replace, insert or delete a few lines)."""
        rng = self.rng
        if not self.text_paths:
            return
        path = rng.choice(self.text_paths)
        lines = list(self.files[path][1])
        for _ in range(rng.randrange(1, 4)):
            op = rng.random()
            pos = rng.randrange(len(lines) + 1)
            if op < 0.4 and lines:
                lines[min(pos, len(lines) - 1)] = rng.randrange(len(self.pool))
            elif op < 0.8:
                lines[pos:pos] = [rng.randrange(len(self.pool))
                                  for _ in range(rng.randrange(1, 6))]
            elif len(lines) > 1:
                del lines[min(pos, len(lines) - 1)]
        self.files[path] = ("text", lines)
        changes.append(("M", path))

    def delete_file(self, changes):
        rng = self.rng
        if len(self.text_paths) < 10:
            return
        path = self.text_paths.pop(rng.randrange(len(self.text_paths)))
        del self.files[path]
        del self.modes[path]
        changes.append(("D", path))

    def content(self, path):
        kind, value = self.files[path]
        if kind == "text":
            pool = self.pool
            return b"".join(pool[i] for i in value)
        # Incompressible; seeded per path so skipped commits cost nothing.
        return random.Random("%s/%d/bin/%s" % (self.profile, self.seed, path)).randbytes(value)

    # -- history -------------------------------------------------------------

    def commit_changes(self, index):
        """Mutates the simulated tree for commit `index`, returns its changes."""
        rng = self.rng
        changes = []
        if index == 0:
            for _ in range(self.p["initial_files"]):
                self.add_file(changes)
            for k in range(self.p["symlinks"]):
                target = rng.choice(self.text_paths)
                link = "links/link_%d" % k
                self.files[link] = ("link", target)
                changes.append(("L", link))
            return changes
        for _ in range(self.p["new_per_commit"]):
            self.add_file(changes)
        for _ in range(rng.randrange(0, self.p["max_edits"] + 1)):
            self.edit_file(changes)
        if self.p["delete_every"] and index % self.p["delete_every"] == 0:
            self.delete_file(changes)
        return changes

    def run(self, commits, skip, out, branch):
        write = out.write
        first_emitted = True
        for index in range(commits):
            changes = self.commit_changes(index)
            if index < skip:
                continue
            when = T0 + index * 3600
            msg = ("Commit %d: %d changes\n\nGenerated by bench/gen_repo.py.\n"
                   % (index, len(changes))).encode()
            write(b"commit refs/heads/%s\nmark :%d\n" % (branch.encode(), index + 1))
            write(b"author Bench Author <author@bench.invalid> %d +0000\n" % when)
            write(b"committer Bench Committer <committer@bench.invalid> %d +0000\n" % when)
            write(b"data %d\n%s\n" % (len(msg), msg))
            if first_emitted and skip > 0:
                write(b"from refs/heads/%s^0\n" % branch.encode())
            first_emitted = False
            for op, path in changes:
                bpath = path.encode()
                if op == "D":
                    write(b"D %s\n" % bpath)
                elif op == "L":
                    target = self.files[path][1].encode()
                    rel = b"../" + target
                    write(b"M 120000 inline %s\ndata %d\n%s\n" % (bpath, len(rel), rel))
                else:
                    data = self.content(path)
                    write(b"M %s inline %s\ndata %d\n" % (self.modes[path].encode(),
                                                         bpath, len(data)))
                    write(data)
                    write(b"\n")
            write(b"\n")
            if self.p["tag_every"] and index > 0 and index % self.p["tag_every"] == 0:
                name = "v1.%d" % (index // self.p["tag_every"])
                tmsg = ("Release %s\n" % name).encode()
                write(b"tag %s\nfrom :%d\n" % (name.encode(), index + 1))
                write(b"tagger Bench Committer <committer@bench.invalid> %d +0000\n" % when)
                write(b"data %d\n%s\n" % (len(tmsg), tmsg))
            if self.p["release_branch_at"] and index == self.p["release_branch_at"]:
                write(b"reset refs/heads/release-1\nfrom :%d\n\n" % (index + 1))
        write(b"done\n")

    def stats(self):
        text = sum(len(self.content(p)) for p, (k, _) in self.files.items() if k == "text")
        binary = sum(v for k, v in self.files.values() if k == "bin")
        return len(self.files), text, binary


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Write a deterministic git fast-import stream on stdout.")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="large")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--commits", type=int, default=2000,
                        help="length of the simulated history")
    parser.add_argument("--skip", type=int, default=0,
                        help="simulate but do not emit the first N commits "
                             "(append mode: continues refs/heads/<branch>)")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--stats", action="store_true",
                        help="print files and content bytes of the final tree to stderr")
    args = parser.parse_args(argv)
    if args.commits < 1 or not 0 <= args.skip < args.commits:
        parser.error("need --commits >= 1 and 0 <= --skip < --commits")

    gen = Generator(args.profile, args.seed)
    out = sys.stdout.buffer
    gen.run(args.commits, args.skip, out, args.branch)
    out.flush()
    if args.stats:
        files, text, binary = gen.stats()
        sys.stderr.write("files=%d text_bytes=%d binary_bytes=%d total_bytes=%d\n"
                         % (files, text, binary, text + binary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
