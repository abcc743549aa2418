#!/usr/bin/env bash
# LFS object downloads (`lfs = "fetch"`), side by side with curl, against ONE loopback
# server: the fixture hub (Tests/Support/fixture_hub.py, 127.0.0.1 only), which serves the
# Git LFS batch API and streams objects from their files with sendfile.
#
#   8a. download of the same objects (BENCH_LFS_LARGE of BENCH_LFS_LARGE_MB MB and
#       BENCH_LFS_SMALL of 100 KB): the LFS step of one `sediment sync` (its visit's
#       "lfs" seconds: batch requests, downloads, hashing, fsync, rename) against one
#       `curl` process fetching the same hrefs one after the other on one connection,
#       with the same action header. Throughput = bytes / wall time (MB = 10^6 bytes).
#       Each side runs BENCH_LFS_REPEAT times (default 5), alternately; medians are reported.
#   8b. peak RSS (GNU time %M) of a `sediment sync` that downloads one object of
#       BENCH_LFS_HUGE_MB MB (default 2048).
#
# Run by bench/run.sh (section 8), or alone: `bash bench/lfs.sh` after
# `swift build -c release`. Prints a table and writes BENCH_LFS_REPORT
# (default docs/benchmarks-lfs.md). The data lives in a temporary folder, deleted at the end.
# Knobs: bench/lib.sh's and BENCH_LFS_* above; BENCH_LFS_REPORT (docs/benchmarks-lfs.md).
# Quick: BENCH_LFS_LARGE=1 BENCH_LFS_LARGE_MB=5 BENCH_LFS_SMALL=10 BENCH_LFS_HUGE_MB=20 BENCH_LFS_REPEAT=1.
set -euo pipefail
BENCH_NAME=bench-lfs
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${BENCH_LFS_LARGE:=3}" "${BENCH_LFS_LARGE_MB:=200}" "${BENCH_LFS_SMALL:=200}" "${BENCH_LFS_HUGE_MB:=2048}"
: "${BENCH_LFS_REPEAT:=5}" "${BENCH_LFS_REPORT:=docs/benchmarks-lfs.md}"
TARGET_LFS_RATIO=0.8   # (8a) throughput against curl's, at least
TARGET_LFS_RSS_MIB=100 # (8b) peak RSS, below
bench_start curl git sha256sum dd time
world_up "$WORK/world" hub --set "store=$WORK/store"
HUB=$WORK/world/hub
ENDPOINT=$HUB_URL
mkdir -p "$HUB/lfs" "$WORK/objects"

# A model whose files are pointers to the objects given as "path:file" arguments; the
# objects move to the hub's lfs/ folder under their oid.
make_model() { lfs_model "$HUB" "$@"; }

log "generating $BENCH_LFS_LARGE x $BENCH_LFS_LARGE_MB MB and $BENCH_LFS_SMALL x 100 KB"
specs=()
for i in $(seq 1 "$BENCH_LFS_LARGE"); do
	dd if=/dev/urandom of="$WORK/objects/large-$i.bin" bs=1M count="$BENCH_LFS_LARGE_MB" status=none
	specs+=("large-$i.bin:$WORK/objects/large-$i.bin")
done
dd if=/dev/urandom of="$WORK/objects/small-all" bs=102400 count="$BENCH_LFS_SMALL" status=none
(cd "$WORK/objects" && split -a 4 -d -b 102400 small-all small- && rm small-all)
for file in "$WORK"/objects/small-*; do specs+=("small/$(basename "$file").bin:$file"); done
make_model bench/weights "${specs[@]}"
log "generating one object of $BENCH_LFS_HUGE_MB MB"
dd if=/dev/urandom of="$WORK/objects/huge.bin" bs=1M count="$BENCH_LFS_HUGE_MB" status=none
HUGE_OID=$(sha256sum "$WORK/objects/huge.bin" | cut -d' ' -f1)
make_model bench/huge "model.bin:$WORK/objects/huge.bin"
printf '[{"id": "bench/weights"}, {"id": "bench/huge"}]\n' >"$HUB/models.json"

# configure STORE: the world's configuration (lfs = "fetch") with its store at STORE.
configure() { world_config "$WORK/world" "$WORK/sediment.toml" --set "store=$1"; }

# 8a: sediment and curl, alternately, BENCH_LFS_REPEAT times (medians reported). Dirty
# pages of the generated data are written out first, so that no client pays for them.
"$PY" - "$HUB" "$ENDPOINT" "$WORK/curl.cfg" "$WORK/curl-out" "$HUGE_OID" <<'EOF'
import os, sys
_, hub, endpoint, cfg, out, huge = sys.argv
entries = []
for oid in sorted(os.listdir(os.path.join(hub, "lfs"))):
    if oid == huge:
        continue  # the huge object is 8b's
    entries.append('url = "%s/lfs/objects/%s"\noutput = "%s/%s"\nheader = "Authorization: RemoteAuth fixture-%s"\n'
                   % (endpoint, oid, out, oid, oid[:16]))
with open(cfg, "w") as f:
    f.write("next\n".join(entries))
EOF
SED_RUNS=() CURL_RUNS=()
for run in $(seq 1 "$BENCH_LFS_REPEAT"); do
	rm -rf "$WORK/store" "$WORK/curl-out"
	mkdir -p "$WORK/curl-out"
	configure "$WORK/store"
	sync
	log "run $run: sediment sync (lfs = fetch) of bench/weights"
	"$SEDIMENT" sync --json --package bench/weights --config "$WORK/sediment.toml" >"$WORK/sync.json" 2>"$WORK/sync.err" || die "sediment sync failed: $(cat "$WORK/sync.err")"
	SED_RUNS+=("$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["seconds"]["lfs"])' "$WORK/sync.json")")
	SED_STORED=$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["lfs_stored_bytes"])' "$WORK/sync.json")
	sync
	log "run $run: curl of the same objects"
	T0=$(now)
	curl -s -f -K "$WORK/curl.cfg"
	T1=$(now)
	CURL_RUNS+=("$(calc "$T1 - $T0")")
	CURL_BYTES=$(find "$WORK/curl-out" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
done
rm -rf "$WORK/store" "$WORK/curl-out"
SED_SECONDS=$(median "${SED_RUNS[@]}")
CURL_SECONDS=$(median "${CURL_RUNS[@]}")
[ "$SED_STORED" -gt 0 ] || die "sediment stored nothing"
[ "$SED_STORED" = "$CURL_BYTES" ] || die "sediment stored $SED_STORED bytes, curl received $CURL_BYTES"
SED_MBS=$(calc "$SED_STORED / $SED_SECONDS / 1000000")
CURL_MBS=$(calc "$CURL_BYTES / $CURL_SECONDS / 1000000")
RATIO=$(calc "$SED_MBS / $CURL_MBS")
log "sediment runs: ${SED_RUNS[*]} s; curl runs: ${CURL_RUNS[*]} s"

# 8b: peak RSS while downloading the huge object (a fresh store).
sync
configure "$WORK/store-huge"
log "sediment sync of one $BENCH_LFS_HUGE_MB MB object, under GNU time"
/usr/bin/time -f '%M %e' -o "$WORK/time.txt" "$SEDIMENT" sync --package bench/huge --config "$WORK/sediment.toml" >/dev/null 2>"$WORK/huge.err" \
	|| die "sediment sync of the huge object failed: $(cat "$WORK/huge.err")"
read -r RSS_KB HUGE_SECONDS <"$WORK/time.txt"
RSS_MIB=$(calc "$RSS_KB / 1024")
HUGE_MBS=$(calc "$BENCH_LFS_HUGE_MB * 1048576 / $HUGE_SECONDS / 1000000")

R8A=$(verdict "$RATIO" ">=" "$TARGET_LFS_RATIO")
R8B=$(verdict "$RSS_MIB" "<" "$TARGET_LFS_RSS_MIB")

TABLE=$(cat <<EOF
| # | measurement | sediment | reference | ratio / value | target | verdict |
|---|-------------|----------|-----------|---------------|--------|---------|
| 8a | LFS download, $BENCH_LFS_LARGE × $BENCH_LFS_LARGE_MB MB + $BENCH_LFS_SMALL × 100 KB | $(printf '%.1f' "$SED_MBS") MB/s ($(printf '%.2f' "$SED_SECONDS") s) | curl $(printf '%.1f' "$CURL_MBS") MB/s ($(printf '%.2f' "$CURL_SECONDS") s) | $(printf '%.2f' "$RATIO")× | ≥ ${TARGET_LFS_RATIO}× | $R8A |
| 8b | peak RSS, one $BENCH_LFS_HUGE_MB MB object | $(printf '%.1f' "$RSS_MIB") MiB ($(printf '%.1f' "$HUGE_MBS") MB/s whole sync) | — | $(printf '%.1f' "$RSS_MIB") MiB | < $TARGET_LFS_RSS_MIB MiB | $R8B |
EOF
)
echo "$TABLE"
{
	echo "# LFS benchmarks"
	echo
	echo "Measured on $(date -u +%Y-%m-%d) by \`bash bench/lfs.sh\` (also run by \`make bench\`), $(nproc) cores."
	echo
	echo "$TABLE"
	echo
	echo "8a runs (s): sediment ${SED_RUNS[*]}; curl ${CURL_RUNS[*]} (medians in the table)."
	echo
	echo "8a times the LFS step of one \`sediment sync --json\` (its visit's \`seconds.lfs\`: batch requests, streaming"
	echo "downloads hashed on the fly, fsync and rename into the blob store) against one \`curl -K\` process"
	echo "fetching the same hrefs with the same action header one after the other (no hashing, no fsync)."
	echo "Both talk to the fixture hub on 127.0.0.1, which sends objects with sendfile. 8b is GNU time's"
	echo "maximum resident set size of a whole \`sediment sync\` that downloads one object."
} >"$BENCH_LFS_REPORT"
log "report written to $BENCH_LFS_REPORT"
