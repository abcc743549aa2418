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
R_STATUS="not run" WG_STATUS="not run" WR_STATUS="not run" B_STATUS="not run" F_STATUS="not run" G_STATUS="not run"
R_GIT_TIMES=() R_SED_TIMES=() WG_SED_TIMES=() WG_GIT_TIMES=() WR_SED_TIMES=() WR_GIT_TIMES=() WG_ALONE_TIMES=() WR_ALONE_TIMES=() G_TIMES=()
BENCH_FILES_BLOBS=${BENCH_FILES_BLOBS:-1000} BENCH_MIGRATE_BLOBS=${BENCH_MIGRATE_BLOBS:-5000}
BENCH_NEW_COMMITS=10 BENCH_SMALL_REPOS=${BENCH_SMALL_REPOS:-100} BENCH_HASH_MB=${BENCH_HASH_MB:-200}
BENCH_HF_PACKAGES=${BENCH_HF_PACKAGES:-1000} BENCH_HF_PAGE=${BENCH_HF_PAGE:-100} BENCH_COMMITS=${BENCH_COMMITS:-2000}
H_FILES=0 H_BYTES=0 BIG_COMMITS=0 BIG_FILES=0 BIG_CONTENT_BYTES=0 BIG_PACK_BYTES=0 M_GIT=0 M_GIT_RSS_MIB=0 I_GIT_WIRE=0
I_GIT_REQUESTS=0 I_GIT_SECONDS=0 N_GIT=0 N_GIT_FIRST=0 N_SED_EVENTFUL=0 H_SHA_MBPS=0 H_CP_MBPS=0
for name in mirror mirror-real walk bytes incremental noop hash hf-skip queries files migrate; do
	# shellcheck disable=SC1090
	[ -f "$BENCH_RESULTS/$name.env" ] && . "$BENCH_RESULTS/$name.env"
done

# Targets (ratios are sediment / reference).
TARGET_MIRROR_RATIO=1.5   # (1) first mirror wall time, at most
TARGET_BYTES_RATIO=1.1    # (2) incremental wire bytes, at most
TARGET_NOOP_RATIO=1.0     # (3) no-op sync wall time, at most
TARGET_HASH_RATIO=0.9     # (4) storing throughput, at least
TARGET_RSS_MIB=200        # (5) peak RSS of (1), below
TARGET_MIRROR_GOAL=1.2    # (1, 1b) the goal beyond the target
TARGET_WALK_RATIO=1.5     # (9) history walk time, at most
TARGET_STORED_RATIO=1.1   # (10) bytes stored against zstd -3, at most

R1=$(result "$M_SED_STATUS" "${M_RATIO:-0}" "<=" "$TARGET_MIRROR_RATIO")
R2=$(result "$I_SED_STATUS" "${I_RATIO:-0}" "<=" "$TARGET_BYTES_RATIO")
R3=$(result "$N_SED_STATUS" "${N_RATIO:-0}" "<=" "$TARGET_NOOP_RATIO")
R4=$(result "$H_SED_STATUS" "${H_RATIO:-0}" ">=" "$TARGET_HASH_RATIO")
R5=$(result "$M_SED_STATUS" "${M_SED_RSS_MIB:-0}" "<" "$TARGET_RSS_MIB")
R6=$(result "$S_STATUS" "${S_SKIP_GIT:-1}" "<=" 0)
if [ "$S_STATUS" = ok ] && [ "${S_SKIP_API:-0}" != "${S_PAGES:-x}" ]; then R6="missed"; fi
R7=$(result "$Q_STATUS" "${D_RATIO:-0}" "<=" 2)
R7B=$(result "$Q_STATUS" "${DL_RATIO:-0}" "<=" 2)
R1B=$(result "$R_STATUS" "${R_RATIO:-0}" "<=" "$TARGET_MIRROR_RATIO")
R9=$(result "$WG_STATUS" "${WG_RATIO:-0}" "<=" "$TARGET_WALK_RATIO")
R9B=$(result "$WR_STATUS" "${WR_RATIO:-0}" "<=" "$TARGET_WALK_RATIO")
R10=$(result "$B_STATUS" "${B_RATIO:-0}" "<=" "$TARGET_STORED_RATIO")
R11=$(result "$F_STATUS" "${F_FILES:-0}" "<=" "${F_TARGET:-1}")
REAL_LABEL="the real repository${REAL_NAME:+ $REAL_NAME}"

TABLE=$(
	echo "| # | Benchmark | Sediment | Reference | Ratio | Target | Result |"
	echo "|---|-----------|---------:|----------:|------:|--------|--------|"
	echo "| 1 | First mirror of the large repository (wall time, median of $BENCH_REPEAT) | $(cell "$M_SED_STATUS" "$(fmt %.2f "${M_SED:-0}") s") | $(fmt %.2f "$M_GIT") s (\`git clone --mirror\`) | $(cell "$M_SED_STATUS" "$(fmt %.2f "${M_RATIO:-0}")×") | ≤ ${TARGET_MIRROR_RATIO}× (goal ${TARGET_MIRROR_GOAL}×) | $R1 |"
	echo "| 1b | First mirror of $REAL_LABEL (wall time, median of $BENCH_REPEAT) | $(cell "$R_STATUS" "$(fmt %.2f "${R_SED:-0}") s") | $(dash "$R_STATUS" "$(fmt %.2f "${R_GIT:-0}") s (\`git clone --mirror\`)") | $(dash "$R_STATUS" "$(fmt %.2f "${R_RATIO:-0}")×") | ≤ ${TARGET_MIRROR_RATIO}× (goal ${TARGET_MIRROR_GOAL}×) | $R1B |"
	echo "| 2 | Incremental sync after $BENCH_NEW_COMMITS commits (upload-pack bytes on the wire) | $(cell "$I_SED_STATUS" "${I_SED_WIRE:-0} B") | ${I_GIT_WIRE} B (\`git fetch\`) | $(cell "$I_SED_STATUS" "$(fmt %.2f "${I_RATIO:-0}")×") | ≤ ${TARGET_BYTES_RATIO}× | $R2 |"
	echo "| 3 | No-op sync of $BENCH_SMALL_REPOS small repositories (wall time, median of $BENCH_REPEAT) | $(cell "$N_SED_STATUS" "$(fmt %.2f "${N_SED:-0}") s") | $(fmt %.2f "$N_GIT") s (\`git fetch\` loop) | $(cell "$N_SED_STATUS" "$(fmt %.2f "${N_RATIO:-0}")×") | ≤ ${TARGET_NOOP_RATIO}× | $R3 |"
	echo "| 4 | Storing throughput, $H_FILES files / $(fmt %.0f "$(calc "$H_BYTES / 1000000")") MB (median of $BENCH_REPEAT) | $(cell "$H_SED_STATUS" "$(fmt %.0f "${H_SED_MBPS:-0}") MB/s") | $(fmt %.0f "$H_SHA_MBPS") MB/s (\`sha256sum\`) | $(cell "$H_SED_STATUS" "$(fmt %.2f "${H_RATIO:-0}")×") | ≥ ${TARGET_HASH_RATIO}× | $R4 |"
	echo "| 5 | Peak RSS of the first mirror (max of $BENCH_REPEAT) | $(cell "$M_SED_STATUS" "$(fmt %.0f "${M_SED_RSS_MIB:-0}") MiB") | $(fmt %.0f "$M_GIT_RSS_MIB") MiB (\`git clone --mirror\`) | – | < ${TARGET_RSS_MIB} MiB | $R5 |"
	echo "| 6 | Crawl of $BENCH_HF_PACKAGES unchanged Hugging Face models: git connections, API requests; wall time vs skip_unchanged = false | $(cell "$S_STATUS" "${S_SKIP_GIT:-0} connections, ${S_SKIP_API:-0} requests, $(fmt %.2f "${S_SKIP:-0}") s") | $(cell "$S_STATUS" "${S_NOSKIP_GIT:-0} connections, $(fmt %.2f "${S_NOSKIP:-0}") s (skip off)") | $(cell "$S_STATUS" "$(fmt %.2f "${S_RATIO:-0}")×") | 0 connections, ${S_PAGES:-?} listing pages | $R6 |"
	echo "| 7 | \`diff\` between the large repository's two snapshots ($(cell "$Q_STATUS" "${D_CHANGES:-0}") changed files; median of $BENCH_REPEAT) | $(cell "$Q_STATUS" "$(fmt %.3f "${D_SED:-0}") s") | $(cell "$Q_STATUS" "$(fmt %.3f "${D_GIT:-0}") s") (\`git diff --name-status -M\`) | $(cell "$Q_STATUS" "$(fmt %.2f "${D_RATIO:-0}")×") | ≤ 2× | $R7 |"
	echo "| 7b | \`diff\` from the large repository's first commit to its head ($(cell "$Q_STATUS" "${DL_CHANGES:-0}") changed files; median of $BENCH_REPEAT) | $(cell "$Q_STATUS" "$(fmt %.3f "${DL_SED:-0}") s") | $(cell "$Q_STATUS" "$(fmt %.3f "${DL_GIT:-0}") s") (\`git diff --name-status -M\`) | $(cell "$Q_STATUS" "$(fmt %.2f "${DL_RATIO:-0}")×") | ≤ 2× | $R7B |"
	echo "| 8 | \`history --json\` of a package with $(cell "$Q_STATUS" "${Q_HISTORY_ROWS:-0}") observations; \`export --format jsonl\` of the large repository's catalog | $(cell "$Q_STATUS" "$(fmt %.0f "${Q_HISTORY_MS:-0}") ms; $(fmt %.0f "${Q_EXPORT_RATE:-0}") rows/s ($(fmt %.0f "${Q_EXPORT_ROWS:-0}") rows), peak RSS $(fmt %.0f "${Q_EXPORT_RSS_MIB:-0}") MiB") | – | – | report | – |"
	echo "| 9 | History walk of the large repository's first mirror (\`sediment-bench walk\`, median of $BENCH_REPEAT) | $(cell "$WG_STATUS" "$(fmt %.2f "${WG_ALONE:-0}") s") | $(fmt %.2f "${WG_GIT:-0}") s (\`git log --branches --tags --name-status -M\`) | $(cell "$WG_STATUS" "$(fmt %.2f "${WG_RATIO:-0}")×") | ≤ ${TARGET_WALK_RATIO}× | $R9 |"
	echo "| 9b | History walk of the first mirror of $REAL_LABEL (\`sediment-bench walk\`, median of $BENCH_REPEAT) | $(cell "$WR_STATUS" "$(fmt %.2f "${WR_ALONE:-0}") s") | $(dash "$WR_STATUS" "$(fmt %.2f "${WR_GIT:-0}") s (\`git log --branches --tags --name-status -M\`)") | $(dash "$WR_STATUS" "$(fmt %.2f "${WR_RATIO:-0}")×") | ≤ ${TARGET_WALK_RATIO}× | $R9B |"
	echo "| 10 | Bytes stored for the tip trees of $REAL_LABEL$([ "$B_STATUS" != ok ] || echo " (${B_BLOBS:-0} distinct blobs, $(human_bytes "${B_RAW:-0}"))") | $(cell "$B_STATUS" "$(human_bytes "${B_SED_BYTES:-0}") (files under blobs/)") | $(dash "$B_STATUS" "$(human_bytes "${B_ZSTD:-0}") (\`zstd -3\` of each file)") | $(dash "$B_STATUS" "$(fmt %.2f "${B_RATIO:-0}")×") | ≤ ${TARGET_STORED_RATIO}× | $R10 |"
	echo "| 11 | Files created in the store for $BENCH_FILES_BLOBS small blobs (one \`sediment sync\`) | $(cell "$F_STATUS" "${F_FILES:-0} files, ${F_PACKS:-0} of them packs") | – | – | ≤ 1 + one per pack ($(cell "$F_STATUS" "${F_TARGET:-0}")) | $R11 |"
	echo "| 12 | \`sediment migrate\` of a loose archive of $BENCH_MIGRATE_BLOBS small files (median of $BENCH_REPEAT) | $(cell "$G_STATUS" "$(fmt %.2f "${G_SECONDS:-0}") s, $(fmt %.0f "${G_RATE:-0}") blobs/s, ${G_PACKED:-0} blobs into ${G_PACKS:-0} packs; files under blobs/: ${G_ARCHIVE_FILES:-0} before, ${G_FILES_AFTER:-0} after") | – | – | report | – |"
	echo "| 13 | Research views on the large repository's archive: commits per month ($(cell "$Q_STATUS" "${R_MONTHS:-0}") months), format changes ($(cell "$Q_STATUS" "${R_FORMAT_ROWS:-0}") rows); median of $BENCH_REPEAT | $(cell "$Q_STATUS" "$(fmt %.0f "${R_MONTH_MS:-0}") ms, $(fmt %.0f "${R_FORMAT_MS:-0}") ms") | $(cell "$Q_STATUS" "$(fmt %.0f "${R_MONTH_GIT_MS:-0}") ms (\`git log --all --format=%cd\`), $(fmt %.0f "${R_FORMAT_GIT_MS:-0}") ms (\`git log --all --name-status\`)") | $(cell "$Q_STATUS" "$(fmt %.2f "${R_MONTH_RATIO:-0}")×, $(fmt %.2f "${R_FORMAT_RATIO:-0}")×") | report | – |"
)

DETAILS=$(
	echo "- Large repository: $BIG_COMMITS commits, $BIG_FILES files in the tip tree, $(human_bytes "$BIG_CONTENT_BYTES") of content in the tip tree, pack $(human_bytes "$BIG_PACK_BYTES") (generated by \`bench/gen_repo.py --profile large --commits $BENCH_COMMITS\`)."
	echo "- (1) git clone --mirror runs: $(fmt_list "${M_GIT_TIMES[@]}"); sediment sync runs: $(fmt_list "${M_SED_TIMES[@]}"); sediment's steps (medians): ${M_SED_STEPS:-not run}. Sediment's fetch alone is the step to compare with \`git clone --mirror\`; the rest is work git does not do: every blob of every ref tip read, hashed and written into the blob store (manifests), while a diff of every commit runs beside it (walk; walk-wait is what the visit then waited for it)."
	echo "- (2) git fetch: $I_GIT_WIRE B in $I_GIT_REQUESTS upload-pack POST(s), $(fmt %.2f "$I_GIT_SECONDS") s; sediment: $(cell "$I_SED_STATUS" "${I_SED_WIRE:-0} B in ${I_SED_REQUESTS:-0} upload-pack POST(s), reported bytes_received ${I_SED_REPORTED:-0}, new_commits ${I_SED_COMMITS:-0}, $(fmt %.2f "${I_SED_SECONDS:-0}") s")."
	echo "- (3) first mirror of all small repositories: git $(fmt %.2f "$N_GIT_FIRST") s, sediment $(cell "$N_SED_STATUS" "$(fmt %.2f "${N_SED_FIRST:-0}") s"); no-op runs: git $(fmt_list "${N_GIT_TIMES[@]}"), sediment $(fmt_list "${N_SED_TIMES[@]}"), eventful no-op visits: $N_SED_EVENTFUL."
	echo "- (4) sha256sum runs: $(fmt_list "${H_SHA_TIMES[@]}"); sediment-bench runs (wall): $(fmt_list "${H_SED_TIMES[@]}"), self-reported: $(fmt_list "${H_SED_SELF[@]}") ($(cell "$H_SED_STATUS" "$(fmt %.0f "${H_SED_SELF_MBPS:-0}") MB/s")), both over the same warm page cache."
	echo "- (4) hashing alone (\`sediment-bench hash --no-store\`, read + SHA-256, nothing written): $(fmt %.0f "${H_NS_MBPS:-0}") MB/s, $(fmt %.2f "${H_NS_RATIO:-0}")× sha256sum; writing the same files with \`cp -r\` + \`sync\`: $(fmt %.0f "$H_CP_MBPS") MB/s (runs $(fmt_list "${H_CP_TIMES[@]}")); the store wrote ${H_STORE_FILES:-?} files for the $H_FILES files."
	if [ -n "${REAL_HEAD:-}" ]; then
		if [ "${REAL_MISSING:-0}" -gt 0 ]; then
			COMPLETED="the copy lacked ${REAL_MISSING} blobs, so its history was rewritten without the entries naming them (${REAL_REMOVED:-0} paths; \`git fsck\` clean after; $REAL_BRANCH was ${REAL_SOURCE_HEAD:0:12} before)"
		else
			COMPLETED="complete as fetched"
		fi
		echo "- Real repository: $REAL_NAME, its branches and tags: $REAL_COMMITS commits, $REAL_REFS refs, $REAL_FILES files at $REAL_BRANCH ${REAL_HEAD:0:12}, pack $(human_bytes "${REAL_PACK_BYTES:-0}"); $COMPLETED."
	else
		echo "- Real repository: $([ "$R_STATUS" = "not run" ] && echo "not run" || echo "$REAL_UNAVAILABLE")."
	fi
	echo "- (1b) $(cell "$R_STATUS" "git clone --mirror runs: $(fmt_list "${R_GIT_TIMES[@]}"), peak RSS $(fmt %.0f "${R_GIT_RSS_MIB:-0}") MiB; sediment sync runs: $(fmt_list "${R_SED_TIMES[@]}"), peak RSS $(fmt %.0f "${R_SED_RSS_MIB:-0}") MiB; sediment's steps (medians): ${R_SED_STEPS:-none}")."
	echo "- (9) large repository: walk alone runs $(fmt_list "${WG_ALONE_TIMES[@]}"); inside \`sync\`, beside the manifests: walk runs $(fmt_list "${WG_SED_TIMES[@]}"), walk-wait (median) $(fmt %.2f "${WG_WAIT:-0}") s, ${WG_COMMITS:-0} commits walked; git log runs $(fmt_list "${WG_GIT_TIMES[@]}") over ${WG_GIT_COMMITS:-0} commits (${WG_GIT_LINES:-0} lines of output)."
	echo "- (9b) real repository: $(cell "$WR_STATUS" "walk alone runs $(fmt_list "${WR_ALONE_TIMES[@]}"); inside \`sync\`, beside the manifests: walk runs $(fmt_list "${WR_SED_TIMES[@]}"), walk-wait (median) $(fmt %.2f "${WR_WAIT:-0}") s, ${WR_COMMITS:-0} commits walked; git log runs $(fmt_list "${WR_GIT_TIMES[@]}") over ${WR_GIT_COMMITS:-0} commits (${WR_GIT_LINES:-0} lines of output)")."
	echo "- (10) $(cell "$B_STATUS" "${B_TIPS:-0} ref tips, ${B_BLOBS:-0} distinct blobs within blob_max_bytes ($(( ${B_BLOBS_ALL:-0} - ${B_BLOBS:-0} )) above it left out on both sides), $(human_bytes "${B_RAW:-0}") uncompressed; the store: ${B_SED_FILES:-0} files under blobs/ (the blobs and ${B_MANIFESTS:-0} manifests), $(human_bytes "${B_SED_BYTES:-0}"), $(human_bytes "${B_SED_DISK:-0}") allocated on disk; the catalog: $(human_bytes "${B_CATALOG:-0}"); beside the blobs, ${B_ARCHIVE_FILES:-0} visit records and git packs (blobs/records/, blobs/git/), $(human_bytes "${B_ARCHIVE_BYTES:-0}")")."
	echo "- (11) $(cell "$F_STATUS" "${F_BLOBS:-0} files ($(human_bytes "${F_BYTES:-0}")) synced in $(fmt %.2f "${F_SECONDS:-0}") s: ${F_FILES:-0} files under blobs/ ($(human_bytes "${F_STORED_BYTES:-0}")), ${F_PACKS:-0} packs and ${F_LOOSE:-0} other files; $(fmt %.0f "${F_PER_1000:-0}") files per 1,000 blobs")."
	echo "- (12) $(cell "$G_STATUS" "the loose archive written by the sediment of ${G_LOOSE_COMMIT:-?}: ${G_ARCHIVE_FILES:-0} files, $(human_bytes "${G_ARCHIVE_BYTES:-0}"), synced in $(fmt %.2f "${G_ARCHIVE_SECONDS:-0}") s; migrate runs $(fmt_list "${G_TIMES[@]}"), peak RSS $(fmt %.0f "${G_RSS_MIB:-0}") MiB; after: ${G_FILES_AFTER:-0} files, $(human_bytes "${G_BYTES_AFTER:-0}"); \`sediment verify\` exit ${G_VERIFY:-?}")."
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

Ratios are Sediment / reference: lower is better for 1, 1b, 2, 3, 7, 9, 9b and 10, higher for 4.

$DETAILS

## What is measured, and how

All network traffic goes to one loopback smart-HTTP server
(\`Tests/Support/git_http_server.py\`, which runs the real \`git http-backend\`
for each request and logs the size of every response body). Both sides of
every comparison fetch the same URLs from that server in the same run; git
runs with no system or user configuration.

Besides the generated repository, a real model repository is served: by default the ONNX
Model Zoo (\`onnx/models\` on GitHub: a few thousand small files, model cards, scripts and
test data, with the weights as LFS pointers), read from \`BENCH_REAL_REPO\` (default
\`/work/.mirror/onnx+models/repo\`, a bare copy of the GitHub repository); where it is
absent, its rows say "not available: set BENCH_REAL_REPO". Only its branches and tags are
served (not GitHub's \`refs/pull/*\`), repacked into one pack. The copy on this machine
lacks 20 blobs those refs reach (early weight files, a notebook, an image), so the
benchmark rewrites its history with \`git filter-branch --index-filter\`, removing only the
tree entries that name a missing blob; authors, dates and messages are kept, so the same
copy always gives the same commits: \`main\` at b1eeaa1ac722dcc1cd1a8284bde34393dab61c3d
becomes cbeda37db2207354871dd8d00bfea6bd791125a2 (255 commits, 4 branches, 4,888 files at
\`main\`, \`git fsck\` clean). The completed repository is kept in \`BENCH_CACHE\` (default
\`.build/bench-cache\`).

1. **First mirror.** \`bench/gen_repo.py\` writes a deterministic history
   (pseudo-random source-like text with small edits, ~5% incompressible
   binary files, directories up to four levels deep, tags and a second
   branch) through \`git fast-import\`; the served repository is repacked
   into one pack. After one untimed warm-up clone, each repetition times
   \`git clone --mirror URL\` and \`sediment sync --config … --json\` into a
   fresh store; the medians are compared. (1b) is the same for the real
   repository, with the median seconds of each step \`sync --json\` reports.
2. **Incremental sync.** $BENCH_NEW_COMMITS more commits (same generator) are
   imported into the served repository. Sediment syncs its store from (1)
   and \`git fetch\` runs in the mirror from (1). Wire bytes are the sum of
   the \`git-upload-pack\` POST response bodies in the server's log during
   each run (Sediment's own \`bytes_received\` is shown alongside).
3. **No-op sync.** $BENCH_SMALL_REPOS small repositories (2–5 commits each) are
   mirrored once by both sides; then one \`sediment sync\` over all of them
   is timed against a bash loop running \`git -C MIRROR fetch\` in each git
   mirror, with nothing new on the server.
4. **Storing throughput.** A checkout of the large repository topped up with
   1–8 MB random files to about $BENCH_HASH_MB MB. With the page cache warm,
   \`sediment-bench hash DIR\` (stores every file into a scratch store through
   the blob store as it is, as a first mirror stores new contents: each file
   hashed and staged without a lookup per blob (\`putUnseen\`), small ones
   packed with zstd on a thread of their own, the whole batch made durable by
   one commit and indexed in a scratch catalog) is timed against
   \`find DIR -type f -print0 | xargs -0 sha256sum\`. Throughput is bytes /
   wall time (MB = 10^6 bytes).
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
9. **History walk.** For the large repository and (9b) the real one, each
   repetition is a first mirror into a fresh store, so every commit is walked;
   Sediment's figure is the \`walk\` step of \`sync --json\` (\`seconds.walk\`:
   the changes of every new commit against its first parent, renames
   included, computed on a thread of its own while the manifests are built;
   \`walk-wait\` is how long the visit then waited for it). The reference is
   \`git log --branches --tags --name-status -M\` in a \`git clone --mirror\`
   of the same served repository, its output written to a file.
10. **Bytes stored.** After a first sync of the real repository, the sum of
   the sizes of the files under \`<store>/blobs/\` (every blob of every ref
   tip's tree within \`blob_max_bytes\`, LFS pointer files included as the
   git content they are, and the manifests), against the distinct blobs of
   the trees of every branch and tag tip of the same repository, within the
   same \`blob_max_bytes\`, each compressed on its own: the sum of
   \`zstd -3 -c FILE | wc -c\`. The space allocated on disk and the catalog's
   size (database and write-ahead log) are shown apart. Without the
   \`zstd\` command (Debian package \`zstd\`) the row is skipped.
11. **Files per 1,000 small blobs.** A repository of one commit of
   $BENCH_FILES_BLOBS small distinct text files (100 B to 8 KiB) is mirrored by
   one \`sediment sync\` into a fresh store; the regular files under
   \`<store>/blobs/\` are counted, and among them the packs
   (\`<store>/blobs/packs/\`).
12. **Migrating a loose archive.** A repository of one commit of
   $BENCH_MIGRATE_BLOBS small files is mirrored by the sediment of the last
   commit before packs (28c939c, built once from \`git archive\` with
   \`swift build -c release\` into \`BENCH_CACHE\`, or \`SEDIMENT_LOOSE\`), which
   writes one file per blob (\`<store>/blobs/<hh>/<64 hex>\`). Each repetition
   copies that archive and times \`sediment migrate --config … --json\` on the
   copy: seconds, blobs packed per second, packs written, files under
   \`blobs/\` before and after; \`sediment verify\` then checks the last copy.
   A sediment without \`migrate\` skips this row.
13. **Research views.** On the catalog of row 8, the questions of
   \`docs/research.md\` for the large repository's package, each one query through
   Python's sqlite3, timed from opening the catalog to the last row (the
   interpreter's start left out; the \`git\` runs are timed whole): commits per month (\`commit_activity\`), which must equal
   \`TZ=UTC git log --all --format=%cd --date=format-local:%Y-%m | sort | uniq -c\`
   in the git mirror, and the commits that added a package's first or removed its
   last safetensors or pickle file (\`format_changes\`), against the
   \`git log --all --no-renames --name-status\` a script would read for it.

Each measurement is a script of its own (\`bench/mirror.sh\` 1 and 5, \`mirror-real.sh\` 1b,
\`incremental.sh\` 2, \`noop.sh\` 3, \`hash.sh\` 4, \`hf-skip.sh\` 6, \`queries.sh\` 7, 8 and 13,
\`walk.sh\` 9, \`bytes.sh\` 10, \`files.sh\` 11, \`migrate.sh\` 12) on the helpers of
\`bench/lib.sh\`; the servers and the configurations come from the fixture worlds of
\`bench/worlds/\` (\`Tests/Support/world.py\`). \`bench/run.sh\` runs them in one work folder
and \`bench/report.sh\` writes this page from their figures.

## Targets

| # | Target |
|---|--------|
| 1, 1b | first mirror within ${TARGET_MIRROR_RATIO}× the time of \`git clone --mirror\` (goal ${TARGET_MIRROR_GOAL}×), for the generated and the real repository |
| 2 | incremental wire bytes within ${TARGET_BYTES_RATIO}× those of \`git fetch\` |
| 3 | no-op sync of $BENCH_SMALL_REPOS repositories no slower than the \`git fetch\` loop (${TARGET_NOOP_RATIO}×) |
| 4 | storing at least ${TARGET_HASH_RATIO}× the throughput of \`sha256sum\` |
| 5 | peak RSS of the first mirror below $TARGET_RSS_MIB MiB |
| 6 | an unchanged crawl makes no git connection and asks only for the listing pages |
| 7 | \`diff\` within 2× the time of \`git diff --name-status -M\` on the same mirror |
| 9, 9b | history walk within ${TARGET_WALK_RATIO}× the time of \`git log --branches --tags --name-status -M\` on the same mirror |
| 10 | bytes stored for the tip trees within ${TARGET_STORED_RATIO}× those of \`zstd -3\` of each file |
| 11 | files created for $BENCH_FILES_BLOBS small blobs: at most one besides the packs |
| 12 | \`sediment migrate\`: reported |
| 13 | research views: reported (commits per month must equal \`git log\`'s) |

LFS object downloads (\`lfs = "fetch"\`: throughput against \`curl\`, peak RSS while
downloading a 2 GB object) are measured by \`bench/lfs.sh\`, which \`make bench\` runs
after the above; its figures are in \`docs/benchmarks-lfs.md\`.
EOF
[ -z "$KEPT" ] || printf '\n%s\n' "$KEPT" >>"$BENCH_REPORT.tmp"
mv "$BENCH_REPORT.tmp" "$BENCH_REPORT"
log "report written to $BENCH_REPORT"

MISSED=$(printf '%s\n' "$R1" "$R1B" "$R2" "$R3" "$R4" "$R5" "$R6" "$R7" "$R7B" "$R9" "$R9B" "$R10" "$R11" | grep -c '^missed$' || true)
if [ "$BENCH_STRICT" = 1 ] && [ "$MISSED" != 0 ]; then
	log "$MISSED target(s) missed"
	exit 1
fi
