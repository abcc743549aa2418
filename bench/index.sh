#!/usr/bin/env bash
# A large index crawl (`make bench` runs it after bench/run.sh): a `modelhub` index of
# BENCH_INDEX_PACKAGES entries (default 100,000) that all live in one repository, served by
# git http-backend on 127.0.0.1 (Tests/Support/git_http_server.py); the index repository is a
# local folder. Everything is generated.
#
# One `sediment sync --json` lists the index, records the packages and visits them (one at a
# time: they share a mirror). It is stopped with Ctrl-C (SIGINT) once BENCH_INDEX_VISITS
# visits are done (default 2,000) or BENCH_INDEX_SECONDS have passed since the first one
# (default 120). Printed:
#
#   recording   seconds from the crawl's start (after the listing) to the first visit's start,
#               from the catalog: recording the packages and planning the visits
#   first visit seconds from launching sync to the first visit's line (listing included)
#   visits/s    visits per second after the first, while the queue still holds ~N jobs
#
# and written as the "Index crawl" section at the end of BENCH_REPORT (docs/benchmarks.md),
# replacing the earlier one.
#
# Knobs: SEDIMENT (default .build/release/sediment), BENCH_INDEX_PACKAGES, BENCH_INDEX_VISITS,
# BENCH_INDEX_SECONDS, BENCH_REPORT, BENCH_KEEP=1 (keep the work folder).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"
SEDIMENT=${SEDIMENT:-.build/release/sediment}
case $SEDIMENT in /*) ;; *) SEDIMENT=$REPO_ROOT/$SEDIMENT ;; esac
PACKAGES=${BENCH_INDEX_PACKAGES:-100000}
VISITS=${BENCH_INDEX_VISITS:-2000}
SECONDS_LIMIT=${BENCH_INDEX_SECONDS:-120}
BENCH_REPORT=${BENCH_REPORT:-docs/benchmarks.md}

log() { printf '[bench-index %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
[ -x "$SEDIMENT" ] || { log "error: no sediment binary at $SEDIMENT (build it: swift build -c release)"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sediment-bench-index.XXXXXX")
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

export HOME=$WORK/home GIT_CONFIG_NOSYSTEM=1 GIT_LFS_SKIP_SMUDGE=1 GIT_TERMINAL_PROMPT=0
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.org GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.org
mkdir -p "$HOME" "$WORK/served" "$WORK/work"

# The shared repository: a few folders, so each visit reads a tree.
git init -q -b main "$WORK/work/models"
for i in $(seq 1 20); do
    mkdir -p "$WORK/work/models/m$i"
    printf 'model %s\n' "$i" > "$WORK/work/models/m$i/README.md"
done
git -C "$WORK/work/models" add -A && git -C "$WORK/work/models" commit -q -m "models"
git clone -q --bare "$WORK/work/models" "$WORK/served/models.git"

python3 Tests/Support/git_http_server.py --root "$WORK/served" --port-file "$WORK/port" >/dev/null 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
PORT=$(cat "$WORK/port")

# The index: models.json with PACKAGES entries in one repository.
git init -q -b main "$WORK/index"
python3 - "$PACKAGES" "http://127.0.0.1:$PORT/models.git" > "$WORK/index/models.json" <<'EOF'
import json, sys
count, url = int(sys.argv[1]), sys.argv[2]
json.dump([{"id": i, "name": "model-%06d" % i, "task_extended": "bench", "github": url,
            "github_branch": "main", "backend": "none", "gpu": False} for i in range(count)], sys.stdout)
EOF
git -C "$WORK/index" add -A && git -C "$WORK/index" commit -q -m "index"

cat > "$WORK/sediment.toml" <<EOF
[storage]
path = "$WORK/store"

[[hub]]
kind = "modelhub"
name = "bench"
index = "$WORK/index"
EOF

log "index of $PACKAGES packages in one repository; sync until $VISITS visits or ${SECONDS_LIMIT}s"
python3 - "$SEDIMENT" "$WORK/sediment.toml" "$VISITS" "$SECONDS_LIMIT" "$WORK/store/catalog.sqlite" "$PACKAGES" "$BENCH_REPORT" <<'EOF'
import json, os, signal, sqlite3, subprocess, sys, time
from datetime import datetime, timezone

binary, config, visits, limit, catalog, packages = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], int(sys.argv[6])
report = sys.argv[7]
start = time.monotonic()
sync = subprocess.Popen([binary, "sync", "--json", "--config", config], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
first = last = None
done = 0
failed = 0
for line in sync.stdout:
    try:
        row = json.loads(line)
    except ValueError:
        continue
    if "package" not in row:
        continue
    now = time.monotonic()
    done += 1
    failed += row.get("status") == "failed"
    if first is None:
        first = now
    last = now
    if done >= visits or now - first >= limit:
        sync.send_signal(signal.SIGINT)
        break
for _ in sync.stdout:
    pass
sync.wait()

def instant(text):
    return datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z")

db = sqlite3.connect(catalog)
crawl_start = db.execute("SELECT MIN(started_at) FROM crawl").fetchone()[0]
visit_start = db.execute("SELECT MIN(started_at) FROM visit").fetchone()[0]
recorded = db.execute("SELECT COUNT(*) FROM package").fetchone()[0]
recording = (instant(visit_start) - instant(crawl_start)).total_seconds() if crawl_start and visit_start else float("nan")
rate = (done - 1) / (last - first) if first is not None and last > first else float("nan")
first_after = (first or start) - start
print("index crawl: %d packages listed and recorded (%d in the catalog)" % (packages, recorded))
print("  recording and planning   %8.2f s" % recording)
print("  first visit after        %8.2f s (listing included)" % first_after)
print("  visits                   %8d (%d failed)" % (done, failed))
print("  visits/s                 %8.1f" % rate)
section = """## Index crawl

Generated by `bash bench/index.sh` (part of `make bench`) on %s: a `modelhub` index of
%d entries that all live in one repository (served by `git http-backend` on 127.0.0.1),
one `sediment sync`, stopped after %d visits.

| measure | value |
|---|---|
| recording the %d packages and planning their visits (crawl start to first visit, from the catalog) | %.2f s |
| launch to the first visit's end (index fetch and listing included) | %.2f s |
| visits per second with ~%d jobs queued on one mirror | %.1f |
| failed visits | %d |
""" % (datetime.now(timezone.utc).strftime("%%Y-%%m-%%d %%H:%%M UTC"), packages, done, packages, recording, first_after, packages, rate, failed)
if os.path.exists(report):
    text = open(report).read()
    i = text.find("\n## Index crawl")
    open(report, "w").write((text if i < 0 else text[:i]).rstrip("\n") + "\n\n" + section)
sys.exit(0 if done > 0 and failed == 0 else 1)
EOF
