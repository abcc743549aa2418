#!/usr/bin/env bash
# (4) Hashing throughput: a checkout of the large repository topped up with 1-8 MB
# incompressible files to about BENCH_HASH_MB (200) MB; with the page cache warm,
# `sediment-bench hash DIR` (stores every file into a scratch store through the blob
# store as it is, a batch of puts made durable by one commit, as a sync stores blobs)
# against `sha256sum` over the same files (median of BENCH_REPEAT); for context, hashing
# alone (`--no-store`), the files the store wrote, and a plain `cp -r` + `sync`.
# Run by bench/run.sh, or alone.
set -euo pipefail
BENCH_NAME=bench-hash
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_HASH_MB=${BENCH_HASH_MB:-200}
bench_start git sha256sum time
big_repository

log "(4) hashing: preparing ~$BENCH_HASH_MB MB of files"
HASH_DIR="$WORK/hashdata"
rm -rf "$HASH_DIR"
mkdir -p "$HASH_DIR/checkout" "$HASH_DIR/large"
git -C "$BIG" archive --format=tar main | tar -x -C "$HASH_DIR/checkout"
"$PY" - "$HASH_DIR" "$BENCH_HASH_MB" <<-'PY'
import os, random, sys
root, target = sys.argv[1], int(sys.argv[2]) * 1000 * 1000
total = 0
for dirpath, _, names in os.walk(root):
    for name in names:
        path = os.path.join(dirpath, name)
        if os.path.isfile(path) and not os.path.islink(path):
            total += os.path.getsize(path)
rng = random.Random(4)
i = 0
while total < target and i < 10000:
    size = min(rng.randrange(1, 9) * 1000 * 1000, target - total)
    with open(os.path.join(root, "large", "blob_%04d.bin" % i), "wb") as f:
        f.write(os.urandom(size))
    total += size
    i += 1
PY
read -r H_FILES H_BYTES < <(find "$HASH_DIR" -type f -printf '%s\n' | awk '{ s += $1; n++ } END { printf "%d %d\n", n, s }')
log "(4) $H_FILES files, $(fmt %.0f "$(calc "$H_BYTES / 1000000")") MB; warming the page cache"
for _ in 1 2; do find "$HASH_DIR" -type f -print0 | xargs -0 cat >/dev/null; done

sha_all() { find "$HASH_DIR" -type f -print0 | xargs -0 sha256sum >/dev/null; }
cp_all() { cp -r "$HASH_DIR" "$WORK/hashcopy-$i" && sync -f "$WORK/hashcopy-$i"; }
H_SHA_TIMES=() H_SED_TIMES=() H_SED_SELF=() H_NS_TIMES=() H_CP_TIMES=()
H_SED_STATUS="ok"
for i in $(seq 1 "$BENCH_REPEAT"); do
	timed_step H_SHA_TIMES "(4) run $i: sha256sum" sha_all
	if [ "$H_SED_STATUS" = ok ]; then
		timed_rss "$SEDIMENT_BENCH" hash --store "$WORK/hashstore-$i" "$HASH_DIR" >"$WORK/hash-$i.out" 2>"$WORK/hash-$i.err"
		line=$(grep -E '^files=' "$WORK/hash-$i.out" | tail -n 1 || true)
		if [ "$LAST_RC" != 0 ] || [ -z "$line" ]; then
			log "(4) sediment-bench hash failed (exit $LAST_RC)"
			tail -n 5 "$WORK/hash-$i.err" >&2 || true
			H_SED_STATUS="failed"
			SEDIMENT_FAILURES=$((SEDIMENT_FAILURES + 1))
			continue
		fi
		H_SED_TIMES+=("$LAST_SECONDS")
		H_SED_SELF+=("$(field seconds "$line")")
		if [ "$(field files "$line")" != "$H_FILES" ] || [ "$(field bytes "$line")" != "$H_BYTES" ]; then
			log "(4) warning: sediment-bench hashed $line, expected files=$H_FILES bytes=$H_BYTES"
		fi
		H_STORE_FILES=$(find "$WORK/hashstore-$i" -type f | wc -l)
		log "(4) run $i: sediment-bench hash $(fmt %.2f "$LAST_SECONDS") s wall ($line), $H_STORE_FILES files in the store"
		timed "$SEDIMENT_BENCH" hash --no-store "$HASH_DIR" >/dev/null 2>&1
		[ "$LAST_RC" = 0 ] && H_NS_TIMES+=("$LAST_SECONDS")
		log "(4) run $i: sediment-bench hash --no-store $(fmt %.2f "$LAST_SECONDS") s wall"
	fi
	timed_step H_CP_TIMES "(4) run $i: cp -r + sync" cp_all
done
rm -rf "$WORK"/hashcopy-* "$WORK"/hashstore-* "$HASH_DIR"
H_SHA=$(median "${H_SHA_TIMES[@]}")
H_SHA_MBPS=$(calc "$H_BYTES / 1000000 / $H_SHA")
if [ "$H_SED_STATUS" = ok ]; then
	H_SED=$(median "${H_SED_TIMES[@]}")
	H_SED_MBPS=$(calc "$H_BYTES / 1000000 / $H_SED")
	H_SELF=$(median "${H_SED_SELF[@]}")
	H_SED_SELF_MBPS=$(calc "$H_BYTES / 1000000 / ($H_SELF > 0 ? $H_SELF : 1e-9)")
	H_RATIO=$(calc "$H_SED_MBPS / $H_SHA_MBPS")
	if [ "${#H_NS_TIMES[@]}" -gt 0 ]; then
		H_NS_MBPS=$(calc "$H_BYTES / 1000000 / $(median "${H_NS_TIMES[@]}")")
		H_NS_RATIO=$(calc "$H_NS_MBPS / $H_SHA_MBPS")
	fi
fi
H_CP_MBPS=$(calc "$H_BYTES / 1000000 / $(median "${H_CP_TIMES[@]}")")
save_results hash BENCH_HASH_MB H_FILES H_BYTES H_SHA_TIMES H_SED_TIMES H_SED_SELF H_CP_TIMES H_SED_STATUS H_SHA_MBPS \
	H_SED_MBPS H_SED_SELF_MBPS H_RATIO H_NS_MBPS H_NS_RATIO H_CP_MBPS H_STORE_FILES
[ "$SEDIMENT_FAILURES" = 0 ]
