#!/usr/bin/env bash
# Daemon soak (`make bench` runs it after bench/run.sh): `sediment daemon` over
# SOAK_PACKAGES fixture Hugging Face models (bench/worlds/huggingface.json on
# Tests/Support/fixture_hub.py, 127.0.0.1) for SOAK_CRAWLS crawls: the first archives
# everything, the second finds nothing changed, and before each later one SOAK_CHANGE_PCT
# percent of the models get a new commit upstream.
#
# Reports visits per minute while crawling (first crawl: every package is new; later
# crawls: the changed ones are due because their listed head moved, the others are not
# due), the daemon's peak RSS (GNU time) and the catalog's bytes per package, then
# replaces the "Daemon soak" section of docs/benchmarks.md.
#
# Knobs: bench/lib.sh's, SOAK_PACKAGES (2000), SOAK_CRAWLS (5, at least 2), SOAK_CHANGE_PCT
# (5), SOAK_INTERVAL seconds between crawl starts (15), SOAK_TIMEOUT seconds to wait for one
# crawl (1800). Quick: SOAK_PACKAGES=40 SOAK_CRAWLS=3 SOAK_CHANGE_PCT=10 SOAK_INTERVAL=3.
set -euo pipefail
BENCH_NAME=soak
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${SOAK_PACKAGES:=2000}" "${SOAK_CRAWLS:=5}" "${SOAK_CHANGE_PCT:=5}" "${SOAK_INTERVAL:=15}" "${SOAK_TIMEOUT:=1800}"
TARGET_RSS_MIB=300
bench_start git curl time
DAEMON_PID="" TIME_PID=""
bench_stop() { [ -z "$DAEMON_PID" ] || { kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$TIME_PID" 2>/dev/null; } || true; }

log "generating $SOAK_PACKAGES models"
METRICS_PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
world_up "$WORK/world" huggingface --set "count=$SOAK_PACKAGES" --set page_size=100 --set "interval=${SOAK_INTERVAL}s" \
	--set concurrency=4 --set per_host_concurrency=4 --set "listen=127.0.0.1:$METRICS_PORT" --set min_revisit=1h \
	--set max_revisit=7d --set log_level=notice --set "store=$WORK/store"
CONFIG="$WORK/world/sediment.toml"
ROOT="$WORK/world/hub"
CATALOG="$WORK/store/catalog.sqlite"
sql() { catalog_value "$CATALOG" "$1"; }
finished_crawls() { sql "SELECT COUNT(*) FROM crawl WHERE finished_at IS NOT NULL"; }
# wait_crawls N [AFTER]: until N crawls finished (and the last started after AFTER, an ISO time)
wait_crawls() {
	local deadline=$(($(date +%s) + SOAK_TIMEOUT))
	while [ "$(finished_crawls)" -lt "$1" ] ||
		{ [ -n "${2:-}" ] && [ "$(sql "SELECT COUNT(*) FROM crawl WHERE finished_at IS NOT NULL AND started_at > '$2'")" -lt 1 ]; }; do
		kill -0 "$DAEMON_PID" 2>/dev/null || die "the daemon exited; see $WORK/daemon.err"
		[ "$(date +%s)" -lt "$deadline" ] || die "crawl $1 did not finish within ${SOAK_TIMEOUT}s"
		sleep 0.5
	done
}

# The upstream changes of every later crawl, made now: SOAK_CHANGE_PCT% of the models
# per crawl get a commit (a changed NOTES.md) on top of their head so far.
declare -A HEAD
for crawl in $(seq 3 "$SOAK_CRAWLS"); do
	: >"$WORK/changes-$crawl"
	for i in $(shuf -i 0-$((SOAK_PACKAGES - 1)) -n $((SOAK_PACKAGES * SOAK_CHANGE_PCT / 100)) --random-source=<(yes "$crawl")); do
		bare="$ROOT/bench/model-$i.git"
		parent=${HEAD[$i]:-$(git -C "$bare" rev-parse refs/heads/main)}
		blob=$(printf 'revision %s of model %s\n' "$crawl" "$i" | git -C "$bare" hash-object -w --stdin)
		tree=$( (git -C "$bare" ls-tree "$parent" | grep -v '	NOTES.md$'; printf '100644 blob %s\tNOTES.md\n' "$blob") | git -C "$bare" mktree)
		HEAD[$i]=$(git -C "$bare" commit-tree "$tree" -p "$parent" -m "update $crawl")
		printf '%s %s\n' "$bare/refs/heads/main" "${HEAD[$i]}" >>"$WORK/changes-$crawl"
	done
done

# --- the soak -----------------------------------------------------------------
log "starting the daemon ($SOAK_CRAWLS crawls; ${SOAK_CHANGE_PCT}% of the models changing before each crawl after the second)"
/usr/bin/time -f '%M' -o "$WORK/daemon.rss" "$SEDIMENT" daemon --config "$CONFIG" >/dev/null 2>"$WORK/daemon.err" &
TIME_PID=$!
# Signals go to the daemon itself, GNU time's child; waiting is on time, which exits with it.
for _ in $(seq 1 100); do DAEMON_PID=$(pgrep -P "$TIME_PID" || true); [ -n "$DAEMON_PID" ] && break; sleep 0.05; done
[ -n "$DAEMON_PID" ] || die "the daemon did not start"
wait_crawls 1
log "crawl 1 finished"
# Crawl 2 changes nothing (and starts at once when crawl 1 took longer than the interval).
wait_crawls 2
log "crawl 2 finished (nothing changed)"
CHANGED_TOTAL=0
for crawl in $(seq 3 "$SOAK_CRAWLS"); do
	# The commits were made before the daemon started; moving the refs takes milliseconds,
	# so the changes land between two crawls.
	changed=0
	while read -r ref commit; do
		printf '%s\n' "$commit" >"$ref.tmp" && mv "$ref.tmp" "$ref"
		changed=$((changed + 1))
	done <"$WORK/changes-$crawl"
	CHANGED_TOTAL=$((CHANGED_TOTAL + changed))
	mark=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
	wait_crawls "$crawl" "$mark"
	log "crawl $crawl finished ($changed models changed before it)"
done
METRICS=$(curl -s "http://127.0.0.1:$METRICS_PORT/metrics" || true)
kill -TERM "$DAEMON_PID"
STOP_T0=$(date +%s.%N)
DAEMON_RC=0
wait "$TIME_PID" || DAEMON_RC=$?
STOP_SECONDS=$(awk -v a="$STOP_T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
DAEMON_PID=""
[ "$DAEMON_RC" = 0 ] || die "the daemon exited $DAEMON_RC on SIGTERM; see $WORK/daemon.err"
RSS_KB=$(tail -n 1 "$WORK/daemon.rss" | grep -E '^[0-9]+$' || echo 0)

# The daemon's last connection checkpointed the WAL as it closed; what is left counts too.
CATALOG_BYTES=$(($(stat -c %s "$CATALOG") + $(stat -c %s "$CATALOG-wal" 2>/dev/null || echo 0)))
PACKAGES=$(sql "SELECT COUNT(*) FROM package")
VISITS=$(sql "SELECT COUNT(*) FROM visit")
FAILED=$(sql "SELECT COUNT(*) FROM visit WHERE status = 'failed'")
VERIFY_RC=0
"$SEDIMENT" verify --config "$CONFIG" >"$WORK/verify.out" 2>&1 || VERIFY_RC=$?

# Per crawl: visits, seconds, visits per minute.
CRAWL_ROWS=$("$PY" - "$CATALOG" <<'PY'
import sqlite3, sys
from datetime import datetime
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
parse = lambda t: datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ")
total_visits, total_seconds = 0, 0.0
for n, (started, finished, packages, eventful) in enumerate(db.execute(
        "SELECT started_at, finished_at, packages, eventful FROM crawl WHERE finished_at IS NOT NULL ORDER BY id"), 1):
    seconds = (parse(finished) - parse(started)).total_seconds()
    total_visits += packages; total_seconds += seconds
    print("| %d | %d | %d | %.1f | %.0f |" % (n, packages, eventful, seconds, packages / seconds * 60 if seconds else 0))
print("TOTAL %d %.3f" % (total_visits, total_seconds))
PY
)
read -r _ CRAWL_VISITS CRAWL_SECONDS < <(grep '^TOTAL' <<<"$CRAWL_ROWS")
CRAWL_TABLE=$(grep -v '^TOTAL' <<<"$CRAWL_ROWS")
RATE=$(awk -v v="$CRAWL_VISITS" -v s="$CRAWL_SECONDS" 'BEGIN { printf "%.0f", (s > 0 ? v / s * 60 : 0) }')
RSS_MIB=$(awk -v k="$RSS_KB" 'BEGIN { printf "%.0f", k / 1024 }')
PER_PACKAGE=$(awk -v b="$CATALOG_BYTES" -v p="$PACKAGES" 'BEGIN { printf "%.0f", (p > 0 ? b / p : 0) }')
VERDICT=$(awk -v r="$RSS_MIB" -v t="$TARGET_RSS_MIB" 'BEGIN { print (r < t) ? "met" : "missed" }')
VISITS_METRIC=$(grep -E '^sediment_visits_total\{hub="hf",status="full"\}' <<<"$METRICS" | awk '{ print $2 }' || true)

SECTION=$(cat <<MD
## Daemon soak

Generated by \`bash bench/soak.sh\` (part of \`make bench\`) on $(date -u '+%Y-%m-%d %H:%M UTC'):
\`sediment daemon\` over $SOAK_PACKAGES fixture Hugging Face models (\`Tests/Support/fixture_hub.py\`,
100 per listing page, one small repository each), \`concurrency = 4\`, a crawl started every
${SOAK_INTERVAL} s, \`min_revisit = "1h"\`. Crawl 1 archives every model; crawl 2 finds nothing
changed (nothing is due: it costs the listing only); before each later crawl ${SOAK_CHANGE_PCT}% of the
models got a new commit upstream ($CHANGED_TOTAL changes in all, refs moved between two crawls): those
are due at once because their listed head moved, and the others are not due.

| crawl | visits | eventful | seconds | visits/min |
|---:|---:|---:|---:|---:|
$CRAWL_TABLE

| measure | result | target |
|---|---|---|
| visits per minute while crawling (all crawls) | $RATE | report |
| peak RSS of the daemon (GNU time) | $RSS_MIB MiB | < $TARGET_RSS_MIB MiB — $VERDICT |
| catalog bytes per package (database and WAL after the daemon stopped) | $PER_PACKAGE B ($CATALOG_BYTES B / $PACKAGES packages, $VISITS visits) | report |
| failed visits | $FAILED | 0 |
| SIGTERM to exit | $STOP_SECONDS s, exit $DAEMON_RC | within TimeoutStopSec (90 s), exit 0 |
| \`sediment verify\` afterwards | exit $VERIFY_RC | 0 |
| \`/metrics\` at the end: \`sediment_visits_total{hub="hf",status="full"}\` | ${VISITS_METRIC:-missing} | equals the full visits |
MD
)

echo
echo "$SECTION"
echo
report_section "Daemon soak" "$SECTION"
[ "$VERIFY_RC" = 0 ] || die "verify found problems: $(head -5 "$WORK/verify.out")"
