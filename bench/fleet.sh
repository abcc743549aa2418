#!/usr/bin/env bash
# Several workers, one archive: visits per minute of 1, 2 and 4 `sediment sync` workers
# sharing a PostgreSQL catalog and a bucket (moto's S3 server), against the fixture hub
# serving BENCH_FLEET_MODELS small models with BENCH_FLEET_LATENCY seconds added before
# every answer (network-bound, as the real hubs are). Each worker visits 2 repositories at
# once (`daemon.concurrency`); the fleet's per-host limit is set high enough not to be the
# bound. Every server is started here on 127.0.0.1 and stopped by its pid.
#
#   14c. visits per minute at 1, 2 and 4 workers; targets: >= 1.8x one worker's at 2,
#        >= 3x at 4.
#
# Run by `make bench`, or alone after `swift build -c release`. Prints a table and writes
# BENCH_FLEET_REPORT (default docs/benchmarks-fleet.md).
# Knobs: bench/lib.sh's, BENCH_FLEET_MODELS (default 200), BENCH_FLEET_LATENCY (default 0.1).
set -euo pipefail
BENCH_NAME=bench-fleet
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-servers.sh"
: "${BENCH_FLEET_MODELS:=200}" "${BENCH_FLEET_LATENCY:=0.1}" "${BENCH_FLEET_REPORT:=docs/benchmarks-fleet.md}"
TARGET_2=1.8
TARGET_4=3
bench_start git time moto_server curl
HUB_PID=""
bench_stop() {
	[ -z "$HUB_PID" ] || kill "$HUB_PID" 2>/dev/null || true
	servers_stop
}

log "14c: $BENCH_FLEET_MODELS models, $BENCH_FLEET_LATENCY s added to every answer"
"$PY" Tests/Support/fleet_models.py "$WORK/hub" "$BENCH_FLEET_MODELS"
"$PY" Tests/Support/fixture_hub.py --root "$WORK/hub" --port-file "$WORK/hub-port" --latency "$BENCH_FLEET_LATENCY" \
	>"$WORK/hub.log" 2>&1 &
HUB_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/hub-port" ] && break; sleep 0.1; done
[ -s "$WORK/hub-port" ] || die "the fixture hub did not start: $(tail -n 3 "$WORK/hub.log")"
HUB="http://127.0.0.1:$(cat "$WORK/hub-port")"
pg_up
moto_up
"$PY" - "$S3_ENDPOINT" <<'PY' || die "cannot create the bucket"
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/fleet", method="PUT")).read()
PY

# cpu_ticks -> "BUSY IDLE": the machine's CPU time so far (/proc/stat, all cores), in ticks.
cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat; }

# fleet_run WORKERS: WORKERS syncs at once into a new catalog and prefix; prints the seconds.
fleet_run() {
	local workers=$1 db="fleet${1}_$RANDOM" n pids=() start end rc=0
	pg_sql postgres "CREATE DATABASE $db" >/dev/null
	for n in $(seq 1 "$workers"); do
		cat >"$WORK/$db-$n.toml" <<TOML
[storage]
path = "$WORK/$db-$n"
store = "s3://fleet/$db"
endpoint = "$S3_ENDPOINT"
region = "us-east-1"

[catalog]
url = "$(pg_url "$db")"

[daemon]
concurrency = 2
per_host_concurrency = 64

[[hub]]
kind = "huggingface"
name = "hf"
endpoint = "$HUB"
page_size = 100
TOML
	done
	local busy_before idle_before
	read -r busy_before idle_before < <(cpu_ticks)
	start=$(now)
	for n in $(seq 1 "$workers"); do
		timeout "$BENCH_TIMEOUT" /usr/bin/time -f '%U %S' -o "$WORK/$db-$n.time" "$SEDIMENT" sync --config "$WORK/$db-$n.toml" \
			>"$WORK/$db-$n.out" 2>"$WORK/$db-$n.err" &
		pids+=($!)
	done
	for n in "${pids[@]}"; do wait "$n" || rc=$?; done
	end=$(now)
	local busy_after idle_after
	read -r busy_after idle_after < <(cpu_ticks)
	calc "100 * ($busy_after - $busy_before) / ($busy_after - $busy_before + $idle_after - $idle_before)" >"$WORK/cpu-$workers"
	# The workers' own CPU time, against the machine's busy time (ticks of 1/100 s).
	cat "$WORK/$db-"*.time | awk -v busy="$((busy_after - busy_before))" '{ s += $1 + $2 } END { printf "%.0f", 100 * s / (busy / 100) }' >"$WORK/share-$workers"
	[ "$rc" = 0 ] || die "a worker of $workers failed: $(tail -n 3 "$WORK/$db-"*.err)"
	local visits
	visits=$(pg_sql "$db" "SELECT COUNT(DISTINCT package_id) FROM visit")
	[ "$visits" = "$BENCH_FLEET_MODELS" ] || die "$workers workers visited $visits of $BENCH_FLEET_MODELS models"
	# From the first visit's start to the last one's end: the run without the workers' start and the listing.
	pg_sql "$db" "SELECT EXTRACT(EPOCH FROM MAX(finished_at)::timestamptz - MIN(started_at)::timestamptz) FROM visit" >"$WORK/span-$workers"
	calc "$end - $start"
}

# A first run warms the servers up (the bucket's first writes, PostgreSQL's caches); not counted.
log "  warm-up: 1 worker, not counted"
fleet_run 1 >/dev/null
declare -A SECONDS_BY RATE CPU_BUSY SPAN SHARE
for workers in 1 2 4; do
	SECONDS_BY[$workers]=$(fleet_run "$workers")
	RATE[$workers]=$(calc "$BENCH_FLEET_MODELS * 60 / ${SECONDS_BY[$workers]}")
	CPU_BUSY[$workers]=$(cat "$WORK/cpu-$workers")
	SPAN[$workers]=$(cat "$WORK/span-$workers")
	SHARE[$workers]=$(cat "$WORK/share-$workers")
	log "  $workers worker(s): $(fmt %.1f "${SECONDS_BY[$workers]}") s ($(fmt %.1f "${SPAN[$workers]}") s visiting), $(fmt %.0f "${RATE[$workers]}") visits/min, CPU $(fmt %.0f "${CPU_BUSY[$workers]}")% busy"
done
R2=$(calc "${RATE[2]} / ${RATE[1]}")
R4=$(calc "${RATE[4]} / ${RATE[1]}")
# The same while the workers visit: without each worker's start and the listing, which a
# running daemon does not pay for every visit.
declare -A VRATE
for workers in 1 2 4; do VRATE[$workers]=$(calc "$BENCH_FLEET_MODELS * 60 / ${SPAN[$workers]}"); done
V2=$(calc "${VRATE[2]} / ${VRATE[1]}")
V4=$(calc "${VRATE[4]} / ${VRATE[1]}")
printf 'fleet_rate_1=%s fleet_rate_2=%s fleet_rate_4=%s\n' "${RATE[1]}" "${RATE[2]}" "${RATE[4]}" >"$BENCH_RESULTS/fleet.txt"
{
	echo "# Several workers: visits per minute"
	echo
	echo "Written by \`bench/fleet.sh\` (part of \`make bench\`) on $(date -u +%Y-%m-%d), release build, $(nproc) cores."
	echo "$BENCH_FLEET_MODELS models on the fixture hub with $BENCH_FLEET_LATENCY s added before every answer; each worker a"
	echo "\`sediment sync\` visiting 2 repositories at once; PostgreSQL 15 catalog and moto's S3 server, all on 127.0.0.1."
	echo
	echo "| workers | seconds, start to end | visits per minute | against one worker | seconds visiting | visits per minute visiting | against one worker | machine's CPU busy | of it, the workers |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for workers in 1 2 4; do
		printf '| %s | %.1f | %.0f | %.2fx | %.1f | %.0f | %.2fx | %.0f%% | %s%% |\n' "$workers" "${SECONDS_BY[$workers]}" "${RATE[$workers]}" \
			"$(calc "${RATE[$workers]} / ${RATE[1]}")" "${SPAN[$workers]}" "${VRATE[$workers]}" "$(calc "${VRATE[$workers]} / ${VRATE[1]}")" \
			"${CPU_BUSY[$workers]}" "${SHARE[$workers]}"
	done
	echo
	echo "Targets, start to end: at least ${TARGET_2}x at 2 workers ($(verdict "$R2" ">=" "$TARGET_2")), at least ${TARGET_4}x at 4 ($(verdict "$R4" ">=" "$TARGET_4"));"
	echo "while visiting (from the first visit's start to the last one's end, as the catalog records them):"
	echo "${TARGET_2}x at 2 ($(verdict "$V2" ">=" "$TARGET_2")), ${TARGET_4}x at 4 ($(verdict "$V4" ">=" "$TARGET_4"))."
	echo "The workers, the hub (a git http-backend process per request), PostgreSQL and the S3 server share this"
	echo "machine's $(nproc) cores: once they are all busy (the CPU columns: the machine's, and the workers' own share"
	echo "of it, the rest being the hub's git processes, PostgreSQL and the S3 server), more workers add no throughput here, as they"
	echo "would on machines of their own. Start to end includes each worker's start (catalog, bucket), the listing"
	echo "(one worker lists while the others wait for its listing) and the end of the slowest worker."
} >"$BENCH_FLEET_REPORT"
cat "$BENCH_FLEET_REPORT"
