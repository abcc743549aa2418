#!/usr/bin/env bash
# (10) Bytes stored for the real repository's tip trees against `zstd -3` of the same
# files. Sediment's figure: the sum of the sizes of the files under <store>/blobs/ after a
# first sync (every blob of every ref tip's tree within blob_max_bytes, LFS pointer files
# included as the git content they are, plus the manifests), and, apart, the catalog's
# size. The reference: the distinct blobs (by content) of the trees of every branch and tag
# tip of the same repository, within the same blob_max_bytes, each compressed on its own:
# the sum of `zstd -3 -c FILE | wc -c`. Uses the store bench/mirror-real.sh left, else
# syncs one. Skipped when the real repository is not available.
# Knobs: bench/lib.sh's. Run by bench/run.sh, or alone.
set -euo pipefail
BENCH_NAME=bench-bytes
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_start git
B_STATUS="not run"
if ! command -v zstd >/dev/null; then
	B_STATUS="skipped: zstd is not installed (apt-get install zstd)"
	log "(10) $B_STATUS"
	save_results bytes B_STATUS
	exit 0
fi
if ! real_repository; then
	B_STATUS=$REAL_STATUS
	log "(10) skipped: the real repository is $REAL_STATUS"
	save_results bytes B_STATUS
	exit 0
fi

if [ -f "$WORK/real-mirror-last" ]; then
	read -r B_DIR <"$WORK/real-mirror-last"
else
	B_DIR="$WORK/bytes-sed"
	mkdir -p "$B_DIR"
	git_config "$B_DIR/config.toml" "$B_DIR/store" "$REAL_URL"
	run_sync bytes "$B_DIR/config.toml" || { B_STATUS="failed"; save_results bytes B_STATUS; exit 1; }
fi
STORE="$B_DIR/store"
B_MAX=$("$PY" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["storage"].get("blob_max_bytes", 0))' "$B_DIR/config.toml")
read -r B_SED_FILES B_SED_BYTES < <(store_files "$STORE")
read -r B_ARCHIVE_FILES B_ARCHIVE_BYTES < <(archive_files "$STORE")
B_SED_DISK=$(du -s -B1 --exclude=records --exclude=git "$STORE/blobs" | cut -f1)
B_CATALOG=$(catalog_bytes "$STORE")
B_MANIFESTS=$(catalog_value "$STORE/catalog.sqlite" 'select count(*) from manifest')

# The reference: every distinct blob of the tip trees, written out once, then compressed.
CONTENT="$WORK/bytes-content"
rm -rf "$CONTENT"
mkdir -p "$CONTENT"
git -C "$REAL" for-each-ref --format='%(objectname)^{commit}' refs/heads refs/tags | git -C "$REAL" cat-file --batch-check='%(objectname)' >"$WORK/bytes-tips"
while read -r tip; do git -C "$REAL" ls-tree -r -l --full-tree "$tip"; done <"$WORK/bytes-tips" |
	awk '$2 == "blob" { print $3, $4 }' | sort -u >"$WORK/bytes-blobs"
"$PY" - "$REAL" "$CONTENT" "$B_MAX" "$WORK/bytes-blobs" <<-'PY'
import os, subprocess, sys
repo, out, cap, listing = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ids = [line.split()[0] for line in open(listing) if cap <= 0 or int(line.split()[1]) <= cap]
with open(os.path.join(out, "..", "bytes-ids"), "w") as f:
    f.write("".join(i + "\n" for i in ids))
# The ids come from a file, so git never waits on a full pipe while this reads.
cat = subprocess.Popen(["git", "-C", repo, "cat-file", "--batch"], stdin=open(os.path.join(out, "..", "bytes-ids")), stdout=subprocess.PIPE)
for i in ids:
    header = cat.stdout.readline().split()
    size = int(header[2])
    with open(os.path.join(out, i), "wb") as f:
        f.write(cat.stdout.read(size))
    cat.stdout.read(1)
cat.wait()
PY
B_TIPS=$(wc -l <"$WORK/bytes-tips")
B_BLOBS_ALL=$(wc -l <"$WORK/bytes-blobs")
read -r B_BLOBS B_RAW < <(find "$CONTENT" -type f -printf '%s\n' | awk '{ s += $1; n++ } END { printf "%d %d\n", n, s }')
# zstd compresses each file given with -c into a frame of its own: the sum of per-file sizes.
B_ZSTD=$(find "$CONTENT" -type f -print0 | sort -z | xargs -0 zstd -3 -q -c | wc -c)
rm -rf "$CONTENT"
B_RATIO=$(calc "$B_SED_BYTES / ($B_ZSTD > 0 ? $B_ZSTD : 1)")
B_STATUS=ok
log "(10) $B_TIPS ref tips, $B_BLOBS distinct blobs ($((B_BLOBS_ALL - B_BLOBS)) above blob_max_bytes left out), $(human_bytes "$B_RAW") raw, $(human_bytes "$B_ZSTD") with zstd -3"
log "(10) store: $B_SED_FILES files, $(human_bytes "$B_SED_BYTES") ($(human_bytes "$B_SED_DISK") on disk), $B_MANIFESTS manifests; catalog $(human_bytes "$B_CATALOG"); $(fmt %.2f "$B_RATIO")× zstd -3; besides the blobs, $B_ARCHIVE_FILES visit records and git packs, $(human_bytes "$B_ARCHIVE_BYTES")"
save_results bytes B_STATUS B_MAX B_TIPS B_BLOBS B_BLOBS_ALL B_RAW B_ZSTD B_SED_FILES B_SED_BYTES B_SED_DISK B_CATALOG B_MANIFESTS B_RATIO B_ARCHIVE_FILES B_ARCHIVE_BYTES
[ "$SEDIMENT_FAILURES" = 0 ]
