#!/usr/bin/env bash
# Object storage (`[storage] store = "s3://…"`), side by side with the AWS CLI, against ONE
# S3 API: moto's server (`moto_server`, installed by `make deps`) on 127.0.0.1, started
# and stopped here. Everything is generated.
#
#   13a. upload of BENCH_S3_LARGE files of BENCH_S3_LARGE_MB MB (random) and BENCH_S3_SMALL
#        small files (100 B – 8 KiB): `sediment-bench hash --store s3://…` (SHA-256, small
#        files packed with zstd and sent one PUT per pack, large ones in multipart uploads
#        of 16 MiB parts, then indexed) against `aws s3 cp --recursive` of the same folder.
#        Throughput = bytes / wall time; medians of BENCH_S3_REPEAT runs, alternately.
#   13b. requests sent to store 1,000 small blobs (the target: one per pack, plus one).
#   13c. peak RSS (GNU time %M) of storing one BENCH_S3_HUGE_MB MB object the way an LFS
#        download is stored (`sediment-bench put-object`: a resumable write, then one
#        multipart upload streamed from its file).
#   13d. `sediment rebuild` from a bucket: an archive of BENCH_S3_PACKAGES fixture
#        Hugging Face models (bench/worlds/huggingface.json) synced with its store in the
#        bucket, its catalog and mirrors then made again from the bucket alone; packages/s.
#
# Run by `make bench`, or alone after `swift build -c release`. Prints a table and writes
# BENCH_S3_REPORT (default docs/benchmarks-s3.md).
# Knobs: bench/lib.sh's and BENCH_S3_* above. Quick: BENCH_S3_LARGE=1 BENCH_S3_LARGE_MB=20
# BENCH_S3_SMALL=200 BENCH_S3_HUGE_MB=100 BENCH_S3_PACKAGES=50 BENCH_S3_REPEAT=1.
set -euo pipefail
BENCH_NAME=bench-s3
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${BENCH_S3_LARGE:=3}" "${BENCH_S3_LARGE_MB:=200}" "${BENCH_S3_SMALL:=2000}" "${BENCH_S3_HUGE_MB:=2048}"
: "${BENCH_S3_PACKAGES:=2000}" "${BENCH_S3_REPEAT:=3}" "${BENCH_S3_REPORT:=docs/benchmarks-s3.md}"
TARGET_S3_RATIO=0.8    # (13a) throughput against the AWS CLI's, at least
TARGET_S3_RSS_MIB=100  # (13c) peak RSS, below
bench_start git time moto_server aws
MOTO_PID=""
bench_stop() { [ -z "$MOTO_PID" ] || kill "$MOTO_PID" 2>/dev/null || true; }

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_DEFAULT_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -s -o /dev/null "$AWS_ENDPOINT_URL" && break; sleep 0.2; done
AWS=(aws --endpoint-url "$AWS_ENDPOINT_URL")
"${AWS[@]}" s3 mb s3://bench >/dev/null

# The data: large random files and small ones, in one folder.
DATA=$WORK/s3-data
mkdir -p "$DATA/small"
for i in $(seq 1 "$BENCH_S3_LARGE"); do head -c $((BENCH_S3_LARGE_MB * 1000000)) /dev/urandom >"$DATA/large-$i.bin"; done
"$PY" - "$DATA/small" "$BENCH_S3_SMALL" <<'PY'
import os, random, sys
random.seed(13)
for i in range(int(sys.argv[2])):
    with open(os.path.join(sys.argv[1], "f%05d.txt" % i), "wb") as f:
        f.write(("line %d of a small file %d\n" % (i, random.random())).encode() * random.randint(4, 300))
PY
read -r DATA_FILES DATA_BYTES < <(find "$DATA" -type f -printf '%s\n' | awk '{ s += $1; n++ } END { printf "%d %d\n", n, s }')
log "(13a) $DATA_FILES files, $(human_bytes "$DATA_BYTES")"

# 13a: alternately, each run into a prefix of its own.
SED_RUNS=() AWS_RUNS=()
for run in $(seq 1 "$BENCH_S3_REPEAT"); do
	timed "${AWS[@]}" s3 cp --recursive --quiet "$DATA" "s3://bench/aws-$run/"
	[ "$LAST_RC" = 0 ] || die "aws s3 cp failed"
	AWS_RUNS+=("$LAST_SECONDS")
	timed "$SEDIMENT_BENCH" hash --store "s3://bench/sediment-$run" "$DATA" >"$WORK/hash-$run.out"
	[ "$LAST_RC" = 0 ] || die "sediment-bench hash failed"
	SED_RUNS+=("$LAST_SECONDS")
	log "(13a) run $run: aws $(fmt %.2f "${AWS_RUNS[-1]}") s, sediment $(fmt %.2f "$LAST_SECONDS") s ($(cat "$WORK/hash-$run.out"))"
done
SED_SECONDS=$(median "${SED_RUNS[@]}")
AWS_SECONDS=$(median "${AWS_RUNS[@]}")
SED_MBS=$(calc "$DATA_BYTES / $SED_SECONDS / 1000000")
AWS_MBS=$(calc "$DATA_BYTES / $AWS_SECONDS / 1000000")
RATIO=$(calc "$SED_MBS / $AWS_MBS")
SED_REQUESTS=$(field requests "$(cat "$WORK/hash-1.out")")
AWS_OBJECTS=$("${AWS[@]}" s3 ls --recursive s3://bench/aws-1/ | wc -l)

# 13b: requests for 1,000 small blobs, and the packs they went into.
mkdir -p "$WORK/thousand"
find "$DATA/small" -type f | sort | awk "NR <= 1000" | xargs cp -t "$WORK/thousand"
OUT=$("$SEDIMENT_BENCH" hash --store s3://bench/thousand "$WORK/thousand")
REQUESTS_1K=$(field requests "$OUT")
PACKS_1K=$("${AWS[@]}" s3 ls --recursive s3://bench/thousand/packs/ | wc -l)
R13B=$(verdict "$REQUESTS_1K" "<=" "$((PACKS_1K + 1))")
log "(13b) 1,000 small blobs: $REQUESTS_1K requests, $PACKS_1K packs"

# 13c: peak RSS storing one huge object.
rm -rf "$DATA"
head -c $((BENCH_S3_HUGE_MB * 1048576)) /dev/urandom >"$WORK/huge.bin"
/usr/bin/time -f '%M' -o "$WORK/time.txt" "$SEDIMENT_BENCH" put-object --store s3://bench/huge "$WORK/huge.bin" >"$WORK/huge.out" \
	|| die "sediment-bench put-object failed"
RSS_MIB=$(calc "$(tail -n 1 "$WORK/time.txt") / 1024")
HUGE_SECONDS=$(field seconds "$(cat "$WORK/huge.out")")
rm -f "$WORK/huge.bin"
log "(13c) one $BENCH_S3_HUGE_MB MB object: peak RSS $(fmt %.1f "$RSS_MIB") MiB, $(fmt %.1f "$HUGE_SECONDS") s"

# 13d: rebuild from the bucket an archive of BENCH_S3_PACKAGES models.
REBUILD_CELL="not run"
if "$SEDIMENT" --help 2>/dev/null | grep -qE "^ +rebuild "; then
	world_up "$WORK/world" huggingface --set "count=$BENCH_S3_PACKAGES" --set page_size=100 --set concurrency=4 \
		--set per_host_concurrency=4 --set log_level=notice --set "store=$WORK/store"
	CONFIG=$WORK/world/sediment.toml
	"$PY" - "$CONFIG" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
text = text.replace("[storage]\n", '[storage]\nstore = "s3://bench/archive"\n', 1)
open(path, "w").write(text)
PY
	timed "$SEDIMENT" sync --config "$CONFIG"
	[ "$LAST_RC" = 0 ] || die "sediment sync into the bucket failed"
	SYNC_SECONDS=$LAST_SECONDS
	PACKAGES=$(catalog_value "$WORK/store/catalog.sqlite" 'select count(*) from package')
	timed "$SEDIMENT" rebuild --store s3://bench/archive --into "$WORK/rebuilt"
	[ "$LAST_RC" = 0 ] || die "sediment rebuild failed"
	REBUILD_SECONDS=$LAST_SECONDS
	REBUILT=$(catalog_value "$WORK/rebuilt/catalog.sqlite" 'select count(*) from package')
	[ "$REBUILT" = "$PACKAGES" ] || die "rebuild gave $REBUILT packages, the archive has $PACKAGES"
	PER_SECOND=$(calc "$PACKAGES / $REBUILD_SECONDS")
	REBUILD_CELL="$PACKAGES packages in $(fmt %.1f "$REBUILD_SECONDS") s (sync into the bucket: $(fmt %.1f "$SYNC_SECONDS") s)"
	log "(13d) rebuild: $REBUILD_CELL"
fi

R13A=$(verdict "$RATIO" ">=" "$TARGET_S3_RATIO")
R13C=$(verdict "$RSS_MIB" "<" "$TARGET_S3_RSS_MIB")
TABLE=$(cat <<EOF
| # | measurement | sediment | reference | ratio / value | target | verdict |
|---|-------------|----------|-----------|---------------|--------|---------|
| 13a | upload, $BENCH_S3_LARGE × $BENCH_S3_LARGE_MB MB + $BENCH_S3_SMALL small files | $(printf '%.1f' "$SED_MBS") MB/s ($(printf '%.2f' "$SED_SECONDS") s, $SED_REQUESTS requests) | aws s3 cp $(printf '%.1f' "$AWS_MBS") MB/s ($(printf '%.2f' "$AWS_SECONDS") s, $AWS_OBJECTS objects) | $(printf '%.2f' "$RATIO")× | ≥ ${TARGET_S3_RATIO}× | $R13A |
| 13b | requests to store 1,000 small blobs | $REQUESTS_1K ($PACKS_1K packs) | — | $REQUESTS_1K | ≤ 1 + packs ($((PACKS_1K + 1))) | $R13B |
| 13c | peak RSS, one $BENCH_S3_HUGE_MB MiB object | $(printf '%.1f' "$RSS_MIB") MiB ($(printf '%.1f' "$HUGE_SECONDS") s) | — | $(printf '%.1f' "$RSS_MIB") MiB | < $TARGET_S3_RSS_MIB MiB | $R13C |
| 13d | \`rebuild\` from the bucket | $REBUILD_CELL | — | $( [ "$REBUILD_CELL" = "not run" ] && echo — || printf '%.1f packages/s' "$PER_SECOND") | report | — |
EOF
)
echo "$TABLE"
{
	echo "# Object storage benchmarks"
	echo
	echo "Measured on $(date -u +%Y-%m-%d) by \`bash bench/s3.sh\` (also run by \`make bench\`), $(nproc) cores,"
	echo "against moto's S3 server on 127.0.0.1 and $(aws --version 2>&1 | cut -d' ' -f1)."
	echo
	echo "$TABLE"
	echo
	echo "13a runs (s): sediment ${SED_RUNS[*]}; aws ${AWS_RUNS[*]} (medians in the table)."
	echo
	echo "13a stores the folder through the bucket store as a visit stores new contents: every file hashed"
	echo "(SHA-256), files below 4 MiB packed with zstd into packs of up to 32 MiB sent with one PUT each, larger"
	echo "ones sent as multipart uploads of 16 MiB parts, then the packs indexed in a catalog. The AWS CLI"
	echo "sends each file as an object of its own (multipart above 8 MB, 10 requests at a time). Both talk"
	echo "to the same moto server, which keeps objects in memory; on a real bucket the network dominates,"
	echo "and the number of requests (13b) sets the cost. 13c is GNU time's maximum resident set size of"
	echo "the whole process. 13d syncs fixture models whose store is the bucket, then times \`sediment"
	echo "rebuild --store s3://… --into\` (pack index, visit records replayed, mirrors from the stored git packs)."
} >"$BENCH_S3_REPORT"
log "report written to $BENCH_S3_REPORT"
