#!/usr/bin/env bash
# Sediment benchmarks (`make bench` runs `bash bench/run.sh` from the repo root after
# `swift build -c release`, then bench/soak.sh and bench/index.sh).
#
# Runs each measurement script in one work folder, against the loopback servers of the
# fixture worlds of bench/worlds/ (Tests/Support/world.py), then bench/report.sh, which
# prints the table and writes docs/benchmarks.md:
#
#   1, 5  bench/mirror.sh       first mirror of a generated ~2,000-commit / ~5,000-file /
#                               ~50 MB-packed repository: `sediment sync` vs
#                               `git clone --mirror`, wall time and peak RSS
#   1b    bench/mirror-real.sh  the same for a real model repository (BENCH_REAL_REPO,
#                               bench/lib-repos.sh), with sync --json's step seconds
#   9     bench/walk.sh         history walk of a first mirror (`sediment-bench walk`, and
#                               `seconds.walk` of sync --json beside it) vs
#                               `git log --branches --tags --name-status -M`, generated and
#                               real repository
#   10    bench/bytes.sh        bytes under <store>/blobs after a first sync of the real
#                               repository vs `zstd -3` of each distinct tip-tree blob
#   2     bench/incremental.sh  sync after 10 new commits: upload-pack bytes on the wire
#                               of `sediment sync` vs `git fetch`
#   3     bench/noop.sh         no-op sync of 100 small repositories: one `sediment sync`
#                               vs a loop of `git -C <mirror> fetch`
#   4     bench/hash.sh         storing throughput: `sediment-bench hash DIR` vs sha256sum
#   6     bench/hf-skip.sh      a crawl of 1,000 unchanged Hugging Face models: git
#                               connections (target 0), API requests (the listing pages
#                               only), wall time against skip_unchanged = false
#   7, 8, 13 bench/queries.sh   diff, history, export and the research views against the
#                               archive of 1 and 2
#   11    bench/files.sh        files created under <store>/blobs by one sync of 1,000
#                               small files
#   12    bench/migrate.sh      `sediment migrate` of a loose archive of 5,000 small files
#                               (skipped when this sediment has no migrate command)
#   8     bench/lfs.sh          LFS downloads against curl, peak RSS for a 2 GB object
#                               (its own report, docs/benchmarks-lfs.md)
#
# Knobs: those of bench/lib.sh (SEDIMENT, SEDIMENT_BENCH, BENCH_REPEAT, BENCH_TIMEOUT,
# BENCH_REPORT, BENCH_KEEP, BENCH_REAL_REPO, BENCH_CACHE) and of each script
# (BENCH_COMMITS, BENCH_SMALL_REPOS, BENCH_HASH_MB, BENCH_HF_PACKAGES, BENCH_HF_PAGE,
# BENCH_FILES_BLOBS, BENCH_MIGRATE_BLOBS, BENCH_LOOSE_COMMIT, SEDIMENT_LOOSE), plus
#   BENCH_STRICT     1: exit 1 when a target is missed
#   BENCH_SKIP_LFS   1: skip bench/lfs.sh (its own knobs there)
# For a quick run of everything: BENCH_REPEAT=1 BENCH_COMMITS=100 BENCH_SMALL_REPOS=5
# BENCH_HASH_MB=10 BENCH_HF_PACKAGES=20 BENCH_HF_PAGE=5 BENCH_MIGRATE_BLOBS=500
# BENCH_REPORT=/tmp/b.md.
#
# Exit status: 0 when every measurement ran (targets may still be missed), 1 when a
# sediment run failed or (with BENCH_STRICT=1) a target was missed.
set -euo pipefail
BENCH_NAME=bench
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_start git sha256sum curl time
export BENCH_WORK=$WORK BENCH_RESULTS=$WORK/results SEDIMENT SEDIMENT_BENCH BENCH_REPEAT BENCH_TIMEOUT BENCH_REPORT
"$SEDIMENT" --help >/dev/null 2>&1 || log "warning: '$SEDIMENT --help' failed"

FAILED=()
# walk.sh before incremental.sh adds commits to the large repository, so that (1) and (9)
# measure the same history.
for script in mirror mirror-real walk bytes incremental noop hash hf-skip queries files migrate; do
	log "--- bench/$script.sh"
	bash "$REPO_ROOT/bench/$script.sh" || FAILED+=("$script")
done
STATUS=0
bash "$REPO_ROOT/bench/report.sh" || STATUS=1

if [ "${BENCH_SKIP_LFS:-0}" != 1 ]; then
	env -u BENCH_WORK -u BENCH_RESULTS bash "$REPO_ROOT/bench/lfs.sh" || FAILED+=(lfs)
fi
if [ "${#FAILED[@]}" != 0 ]; then
	log "failed: ${FAILED[*]}"
	exit 1
fi
exit "$STATUS"
