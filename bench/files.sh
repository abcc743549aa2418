#!/usr/bin/env bash
# (11) Files created in the store per 1,000 small blobs: a served repository of one commit
# whose tree holds BENCH_FILES_BLOBS (1,000) small distinct text files (100 B to 8 KiB) is
# mirrored by `sediment sync` into a fresh store; the regular files under <store>/blobs/
# are counted (but the visit's record and git pack under blobs/records/ and blobs/git/, one
# each per visit whatever its blobs), and among them the pack files (under
# <store>/blobs/packs/). Target: at most
# one file besides the packs (the loose store writes one file per blob: 1,000 files, plus
# the manifest's). Knobs: bench/lib.sh's, BENCH_FILES_BLOBS. Run by bench/run.sh, or alone.
set -euo pipefail
BENCH_NAME=bench-files
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_FILES_BLOBS=${BENCH_FILES_BLOBS:-1000}
bench_start git
F_STATUS="not run"
flat_repository "small-$BENCH_FILES_BLOBS" "$BENCH_FILES_BLOBS"
F_BLOBS=$(git -C "$FLAT" ls-tree -r main | wc -l)
F_BYTES=$(git -C "$FLAT" ls-tree -r -l main | awk '{ s += $4 } END { print s + 0 }')
log "(11) $F_BLOBS files of $(human_bytes "$F_BYTES") in the tip tree"

F_DIR="$WORK/files-sed"
rm -rf "$F_DIR"
mkdir -p "$F_DIR"
git_config "$F_DIR/config.toml" "$F_DIR/store" "$FLAT_URL"
if run_sync files "$F_DIR/config.toml"; then
	F_STATUS=ok
	F_SECONDS=$LAST_SECONDS
	F_NEW_BLOBS=$(json_field "$WORK/files.json" 'v.get("new_blobs", 0)' 2>/dev/null || echo 0)
	read -r F_FILES F_STORED_BYTES < <(store_files "$F_DIR/store")
	F_PACKS=0
	[ ! -d "$F_DIR/store/blobs/packs" ] || F_PACKS=$(find "$F_DIR/store/blobs/packs" -type f | wc -l)
	F_LOOSE=$((F_FILES - F_PACKS))
	F_TARGET=$((1 + F_PACKS))
	F_PER_1000=$(calc "$F_FILES * 1000 / $F_BLOBS")
	log "(11) sync $(fmt %.2f "$F_SECONDS") s: $F_FILES files under blobs/ ($F_PACKS packs, $F_LOOSE other files), $(human_bytes "$F_STORED_BYTES"); target at most $F_TARGET"
else
	F_STATUS=failed
fi
save_results files BENCH_FILES_BLOBS F_STATUS F_BLOBS F_BYTES F_SECONDS F_NEW_BLOBS F_FILES F_STORED_BYTES F_PACKS F_LOOSE F_TARGET F_PER_1000
[ "$SEDIMENT_FAILURES" = 0 ]
