#!/usr/bin/env bash
# The report of bench/run.sh: reads the figures the measurement scripts left in
# BENCH_RESULTS (NAME.env), prints the table and writes the main part of BENCH_REPORT
# (docs/benchmarks.md), keeping its "Daemon soak" and "Index crawl" sections.
# Exit status 1 when (with BENCH_STRICT=1) a target was missed.
set -euo pipefail
BENCH_NAME=bench-report
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_RESULTS=${BENCH_RESULTS:?names the folder of the NAME.env files}
BENCH_STRICT=${BENCH_STRICT:-0}
M_GIT_TIMES=() M_SED_TIMES=() N_GIT_TIMES=() N_SED_TIMES=() H_SHA_TIMES=() H_SED_TIMES=() H_SED_SELF=() H_CP_TIMES=()
M_SED_STATUS="not run" I_SED_STATUS="not run" N_SED_STATUS="not run" H_SED_STATUS="not run" S_STATUS="not run" Q_STATUS="not run"
BENCH_NEW_COMMITS=10 BENCH_SMALL_REPOS=${BENCH_SMALL_REPOS:-100} BENCH_HASH_MB=${BENCH_HASH_MB:-200}
BENCH_HF_PACKAGES=${BENCH_HF_PACKAGES:-1000} BENCH_HF_PAGE=${BENCH_HF_PAGE:-100} BENCH_COMMITS=${BENCH_COMMITS:-2000}
H_FILES=0 H_BYTES=0 BIG_COMMITS=0 BIG_FILES=0 BIG_CONTENT_BYTES=0 BIG_PACK_BYTES=0 M_GIT=0 M_GIT_RSS_MIB=0 I_GIT_WIRE=0
I_GIT_REQUESTS=0 I_GIT_SECONDS=0 N_GIT=0 N_GIT_FIRST=0 N_SED_EVENTFUL=0 H_SHA_MBPS=0 H_CP_MBPS=0
for name in mirror incremental noop hash hf-skip queries; do
	# shellcheck disable=SC1090
	[ -f "$BENCH_RESULTS/$name.env" ] && . "$BENCH_RESULTS/$name.env"
done

# Targets (ratios are sediment / reference).
TARGET_MIRROR_RATIO=1.5   # (1) first mirror wall time, at most
TARGET_BYTES_RATIO=1.1    # (2) incremental wire bytes, at most
TARGET_NOOP_RATIO=1.0     # (3) no-op sync wall time, at most
TARGET_HASH_RATIO=0.7     # (4) hashing throughput, at least
TARGET_RSS_MIB=200        # (5) peak RSS of (1), below

R1=$(result "$M_SED_STATUS" "${M_RATIO:-0}" "<=" "$TARGET_MIRROR_RATIO")
R2=$(result "$I_SED_STATUS" "${I_RATIO:-0}" "<=" "$TARGET_BYTES_RATIO")
R3=$(result "$N_SED_STATUS" "${N_RATIO:-0}" "<=" "$TARGET_NOOP_RATIO")
R4=$(result "$H_SED_STATUS" "${H_RATIO:-0}" ">=" "$TARGET_HASH_RATIO")
R5=$(result "$M_SED_STATUS" "${M_SED_RSS_MIB:-0}" "<" "$TARGET_RSS_MIB")
R6=$(result "$S_STATUS" "${S_SKIP_GIT:-1}" "<=" 0)
if [ "$S_STATUS" = ok ] && [ "${S_SKIP_API:-0}" != "${S_PAGES:-x}" ]; then R6="missed"; fi
R7=$(result "$Q_STATUS" "${D_RATIO:-0}" "<=" 2)
R7B=$(result "$Q_STATUS" "${DL_RATIO:-0}" "<=" 2)

TABLE=$(
	echo "| # | Benchmark | Sediment | Reference | Ratio | Target | Result |"
	echo "|---|-----------|---------:|----------:|------:|--------|--------|"
	echo "| 1 | First mirror of the large repository (wall time, median of $BENCH_REPEAT) | $(cell "$M_SED_STATUS" "$(fmt %.2f "${M_SED:-0}") s") | $(fmt %.2f "$M_GIT") s (\`git clone --mirror\`) | $(cell "$M_SED_STATUS" "$(fmt %.2f "${M_RATIO:-0}")×") | ≤ ${TARGET_MIRROR_RATIO}× | $R1 |"
	echo "| 2 | Incremental sync after $BENCH_NEW_COMMITS commits (upload-pack bytes on the wire) | $(cell "$I_SED_STATUS" "${I_SED_WIRE:-0} B") | ${I_GIT_WIRE} B (\`git fetch\`) | $(cell "$I_SED_STATUS" "$(fmt %.2f "${I_RATIO:-0}")×") | ≤ ${TARGET_BYTES_RATIO}× | $R2 |"
	echo "| 3 | No-op sync of $BENCH_SMALL_REPOS small repositories (wall time, median of $BENCH_REPEAT) | $(cell "$N_SED_STATUS" "$(fmt %.2f "${N_SED:-0}") s") | $(fmt %.2f "$N_GIT") s (\`git fetch\` loop) | $(cell "$N_SED_STATUS" "$(fmt %.2f "${N_RATIO:-0}")×") | ≤ ${TARGET_NOOP_RATIO}× | $R3 |"
	echo "| 4 | Hashing throughput, $H_FILES files / $(fmt %.0f "$(calc "$H_BYTES / 1000000")") MB (median of $BENCH_REPEAT) | $(cell "$H_SED_STATUS" "$(fmt %.0f "${H_SED_MBPS:-0}") MB/s") | $(fmt %.0f "$H_SHA_MBPS") MB/s (\`sha256sum\`) | $(cell "$H_SED_STATUS" "$(fmt %.2f "${H_RATIO:-0}")×") | ≥ ${TARGET_HASH_RATIO}× | $R4 |"
	echo "| 5 | Peak RSS of the first mirror (max of $BENCH_REPEAT) | $(cell "$M_SED_STATUS" "$(fmt %.0f "${M_SED_RSS_MIB:-0}") MiB") | $(fmt %.0f "$M_GIT_RSS_MIB") MiB (\`git clone --mirror\`) | – | < ${TARGET_RSS_MIB} MiB | $R5 |"
	echo "| 6 | Crawl of $BENCH_HF_PACKAGES unchanged Hugging Face models: git connections, API requests; wall time vs skip_unchanged = false | $(cell "$S_STATUS" "${S_SKIP_GIT:-0} connections, ${S_SKIP_API:-0} requests, $(fmt %.2f "${S_SKIP:-0}") s") | $(cell "$S_STATUS" "${S_NOSKIP_GIT:-0} connections, $(fmt %.2f "${S_NOSKIP:-0}") s (skip off)") | $(cell "$S_STATUS" "$(fmt %.2f "${S_RATIO:-0}")×") | 0 connections, ${S_PAGES:-?} listing pages | $R6 |"
	echo "| 7 | \`diff\` between the large repository's two snapshots ($(cell "$Q_STATUS" "${D_CHANGES:-0}") changed files; median of $BENCH_REPEAT) | $(cell "$Q_STATUS" "$(fmt %.3f "${D_SED:-0}") s") | $(cell "$Q_STATUS" "$(fmt %.3f "${D_GIT:-0}") s") (\`git diff --name-status -M\`) | $(cell "$Q_STATUS" "$(fmt %.2f "${D_RATIO:-0}")×") | ≤ 2× | $R7 |"
	echo "| 7b | \`diff\` from the large repository's first commit to its head ($(cell "$Q_STATUS" "${DL_CHANGES:-0}") changed files; median of $BENCH_REPEAT) | $(cell "$Q_STATUS" "$(fmt %.3f "${DL_SED:-0}") s") | $(cell "$Q_STATUS" "$(fmt %.3f "${DL_GIT:-0}") s") (\`git diff --name-status -M\`) | $(cell "$Q_STATUS" "$(fmt %.2f "${DL_RATIO:-0}")×") | ≤ 2× | $R7B |"
	echo "| 8 | \`history --json\` of a package with $(cell "$Q_STATUS" "${Q_HISTORY_ROWS:-0}") observations; \`export --format jsonl\` of the large repository's catalog | $(cell "$Q_STATUS" "$(fmt %.0f "${Q_HISTORY_MS:-0}") ms; $(fmt %.0f "${Q_EXPORT_RATE:-0}") rows/s ($(fmt %.0f "${Q_EXPORT_ROWS:-0}") rows), peak RSS $(fmt %.0f "${Q_EXPORT_RSS_MIB:-0}") MiB") | – | – | report | – |"
)

DETAILS=$(
	echo "- Large repository: $BIG_COMMITS commits, $BIG_FILES files in the tip tree, $(human_bytes "$BIG_CONTENT_BYTES") of content in the tip tree, pack $(human_bytes "$BIG_PACK_BYTES") (generated by \`bench/gen_repo.py --profile large --commits $BENCH_COMMITS\`)."
	echo "- (1) git clone --mirror runs: $(fmt_list "${M_GIT_TIMES[@]}"); sediment sync runs: $(fmt_list "${M_SED_TIMES[@]}"); the last sediment run's steps: ${M_SED_STEPS:-not run}. Sediment's fetch alone is the step to compare with \`git clone --mirror\`; the rest is work git does not do: every blob of every ref tip read, hashed and written as its own file into the blob store, while a diff of every commit runs beside it (walk)."
	echo "- (2) git fetch: $I_GIT_WIRE B in $I_GIT_REQUESTS upload-pack POST(s), $(fmt %.2f "$I_GIT_SECONDS") s; sediment: $(cell "$I_SED_STATUS" "${I_SED_WIRE:-0} B in ${I_SED_REQUESTS:-0} upload-pack POST(s), reported bytes_received ${I_SED_REPORTED:-0}, new_commits ${I_SED_COMMITS:-0}, $(fmt %.2f "${I_SED_SECONDS:-0}") s")."
	echo "- (3) first mirror of all small repositories: git $(fmt %.2f "$N_GIT_FIRST") s, sediment $(cell "$N_SED_STATUS" "$(fmt %.2f "${N_SED_FIRST:-0}") s"); no-op runs: git $(fmt_list "${N_GIT_TIMES[@]}"), sediment $(fmt_list "${N_SED_TIMES[@]}"), eventful no-op visits: $N_SED_EVENTFUL."
	echo "- (4) sha256sum runs: $(fmt_list "${H_SHA_TIMES[@]}"); sediment-bench runs (wall): $(fmt_list "${H_SED_TIMES[@]}"), self-reported: $(fmt_list "${H_SED_SELF[@]}") ($(cell "$H_SED_STATUS" "$(fmt %.0f "${H_SED_SELF_MBPS:-0}") MB/s")), both over the same warm page cache."
	echo "- (4) hashing alone (\`sediment-bench hash --no-store\`, read + SHA-256, nothing written): $(fmt %.0f "${H_NS_MBPS:-0}") MB/s, $(fmt %.2f "${H_NS_RATIO:-0}")× sha256sum; writing the same files with \`cp -r\` + \`sync\`: $(fmt %.0f "$H_CP_MBPS") MB/s (runs $(fmt_list "${H_CP_TIMES[@]}")). Storing is bound by creating one file per blob on this disk, not by hashing."
)

echo
echo "Sediment benchmarks ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs)"
echo
echo "$TABLE"
echo
echo "$DETAILS"
echo

# --- docs/benchmarks.md --------------------------------------------------------

KEPT=$("$PY" - "$BENCH_REPORT" <<-'PY'
import os, sys
text = open(sys.argv[1], encoding="utf-8").read() if os.path.exists(sys.argv[1]) else ""
starts = [i for i in (text.find("\n## Daemon soak\n"), text.find("\n## Index crawl\n")) if i >= 0]
print(text[min(starts):].strip("\n") if starts else "")
PY
)
MEM_MIB=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo)
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
COMMIT=$(git -c safe.directory='*' -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
mkdir -p "$(dirname "$BENCH_REPORT")"
cat >"$BENCH_REPORT.tmp" <<EOF
# Benchmarks

Generated by \`make bench\` (\`bash bench/run.sh\`); rerun it to refresh this page.

- Date: $(date -u '+%Y-%m-%d %H:%M UTC')
- Commit: $COMMIT
- Machine: $(nproc) CPUs (${CPU_MODEL:-unknown CPU}), $MEM_MIB MiB memory, Linux $(uname -r)
- Tools: $(git --version), $("$PY" --version 2>&1)

## Results

$TABLE

Ratios are Sediment / reference: lower is better for 1–3, higher for 4.

$DETAILS

## What is measured, and how

All network traffic goes to one loopback smart-HTTP server
(\`Tests/Support/git_http_server.py\`, which runs the real \`git http-backend\`
for each request and logs the size of every response body). Both sides of
every comparison fetch the same URLs from that server in the same run; git
runs with no system or user configuration.

1. **First mirror.** \`bench/gen_repo.py\` writes a deterministic history
   (pseudo-random source-like text with small edits, ~5% incompressible
   binary files, directories up to four levels deep, tags and a second
   branch) through \`git fast-import\`; the served repository is repacked
   into one pack. After one untimed warm-up clone, each repetition times
   \`git clone --mirror URL\` and \`sediment sync --config … --json\` into a
   fresh store; the medians are compared.
2. **Incremental sync.** $BENCH_NEW_COMMITS more commits (same generator) are
   imported into the served repository. Sediment syncs its store from (1)
   and \`git fetch\` runs in the mirror from (1). Wire bytes are the sum of
   the \`git-upload-pack\` POST response bodies in the server's log during
   each run (Sediment's own \`bytes_received\` is shown alongside).
3. **No-op sync.** $BENCH_SMALL_REPOS small repositories (2–5 commits each) are
   mirrored once by both sides; then one \`sediment sync\` over all of them
   is timed against a bash loop running \`git -C MIRROR fetch\` in each git
   mirror, with nothing new on the server.
4. **Hashing throughput.** A checkout of the large repository topped up with
   1–8 MB random files to about $BENCH_HASH_MB MB. With the page cache warm,
   \`sediment-bench hash DIR\` (stores every file in a scratch SHA-256 blob
   store) is timed against \`find DIR -type f -print0 | xargs -0 sha256sum\`.
   Throughput is bytes / wall time (MB = 10^6 bytes).
5. **Peak memory.** Maximum resident set size of the \`sediment sync\` runs of
   (1), from GNU time's \`%M\` (MiB = 2^20 bytes).
6. **Unchanged Hugging Face crawl.** $BENCH_HF_PACKAGES one-commit models on the fixture hub
   (\`Tests/Support/fixture_hub.py\`, the listing API and smart-HTTP git), $BENCH_HF_PAGE per
   listing page. After a first crawl archives them, a crawl with nothing changed is timed and
   the hub's counters give the git connections (\`info/refs\` requests) and API requests it
   made; then the same crawl with \`skip_unchanged = false\`.
7. **Queries.** \`sediment diff\` between the large repository's two snapshots (before and
   after (2)), and (7b) from its first commit to its head, against
   \`git diff --name-status -M\` in the git mirror (a small diff is dominated by starting the
   process and opening the catalog, about 30 ms); \`sediment history
   --json\` of a package given 1,000 observations (copies of its latest, recorded
   through the catalog by \`sediment-bench seed-observations\`); \`sediment export --format
   jsonl\` of that catalog: rows per second and peak RSS.

Each measurement is a script of its own (\`bench/mirror.sh\` 1 and 5, \`incremental.sh\` 2,
\`noop.sh\` 3, \`hash.sh\` 4, \`hf-skip.sh\` 6, \`queries.sh\` 7 and 8) on the helpers of
\`bench/lib.sh\`; the servers and the configurations come from the fixture worlds of
\`bench/worlds/\` (\`Tests/Support/world.py\`). \`bench/run.sh\` runs them in one work folder
and \`bench/report.sh\` writes this page from their figures.

## Targets

| # | Target |
|---|--------|
| 1 | first mirror within ${TARGET_MIRROR_RATIO}× the time of \`git clone --mirror\` |
| 2 | incremental wire bytes within ${TARGET_BYTES_RATIO}× those of \`git fetch\` |
| 3 | no-op sync of $BENCH_SMALL_REPOS repositories no slower than the \`git fetch\` loop (${TARGET_NOOP_RATIO}×) |
| 4 | hashing at least ${TARGET_HASH_RATIO}× the throughput of \`sha256sum\` |
| 5 | peak RSS of the first mirror below $TARGET_RSS_MIB MiB |
| 6 | an unchanged crawl makes no git connection and asks only for the listing pages |
| 7 | \`diff\` within 2× the time of \`git diff --name-status -M\` on the same mirror |

LFS object downloads (\`lfs = "fetch"\`: throughput against \`curl\`, peak RSS while
downloading a 2 GB object) are measured by \`bench/lfs.sh\`, which \`make bench\` runs
after the above; its figures are in \`docs/benchmarks-lfs.md\`.
EOF
[ -z "$KEPT" ] || printf '\n%s\n' "$KEPT" >>"$BENCH_REPORT.tmp"
mv "$BENCH_REPORT.tmp" "$BENCH_REPORT"
log "report written to $BENCH_REPORT"

MISSED=$(printf '%s\n' "$R1" "$R2" "$R3" "$R4" "$R5" "$R6" "$R7" "$R7B" | grep -c '^missed$' || true)
if [ "$BENCH_STRICT" = 1 ] && [ "$MISSED" != 0 ]; then
	log "$MISSED target(s) missed"
	exit 1
fi
