#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions run through timed / trap
# Sediment benchmarks (`make bench` runs `bash bench/run.sh` from the repo root
# after `swift build -c release`).
#
# Everything runs side by side against ONE loopback smart-HTTP server
# (Tests/Support/git_http_server.py, real `git http-backend`, 127.0.0.1 only)
# whose bytes log tells how many bytes each client pulled:
#
#   1. first mirror of a generated ~2,000-commit / ~5,000-file / ~50 MB-packed
#      repository: `sediment sync` (fresh store) vs `git clone --mirror`
#   2. incremental sync after 10 new commits: upload-pack response bytes of
#      `sediment sync` vs `git fetch` in the git mirror
#   3. no-op sync of 100 small repositories: one `sediment sync` vs a bash
#      loop of `git -C <mirror> fetch`
#   4. hashing throughput: `sediment-bench hash DIR` vs sha256sum
#   5. peak RSS of (1), from GNU time
#   6. a crawl of 1,000 unchanged fixture Hugging Face models: git connections
#      (target 0), API requests (the listing pages only), and wall time against
#      the same crawl with skip_unchanged = false
#   8. LFS object downloads against curl, and peak RSS for a 2 GB object
#      (bench/lfs.sh, report in docs/benchmarks-lfs.md)
#
# It prints a table and writes docs/benchmarks.md.
#
# Environment knobs (all optional):
#   SEDIMENT            sediment binary        (default .build/release/sediment)
#   SEDIMENT_BENCH      sediment-bench binary  (default: next to SEDIMENT)
#   BENCH_REPEAT        timed repetitions, the median is reported (default 3)
#   BENCH_COMMITS       commits of the large repository          (default 2000)
#   BENCH_SMALL_REPOS   number of small repositories             (default 100)
#   BENCH_HASH_MB       size of the hashing data set in MB       (default 200)
#   BENCH_HF_PACKAGES   fixture Hugging Face models for (6)      (default 1000)
#   BENCH_HF_PAGE       models per listing page in (6)           (default 100)
#   BENCH_TIMEOUT       limit in seconds for one sediment run    (default 900)
#   BENCH_REPORT        markdown report path     (default docs/benchmarks.md)
#   BENCH_SKIP_SEDIMENT 1: run only the git/coreutils side (no binaries needed)
#   BENCH_STRICT        1: exit 1 when a target is missed
#   BENCH_KEEP          1: keep the temporary work directory
#   BENCH_SKIP_LFS      1: skip the LFS downloads (bench/lfs.sh, its own knobs there)
#
# Exit status: 0 when every measurement ran (targets may still be missed),
# 1 when a sediment run failed or (with BENCH_STRICT=1) a target was missed.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"

SEDIMENT=${SEDIMENT:-.build/release/sediment}
case $SEDIMENT in /*) ;; *) SEDIMENT=$REPO_ROOT/$SEDIMENT ;; esac
SEDIMENT_BENCH=${SEDIMENT_BENCH:-$(dirname "$SEDIMENT")/sediment-bench}
case $SEDIMENT_BENCH in /*) ;; *) SEDIMENT_BENCH=$REPO_ROOT/$SEDIMENT_BENCH ;; esac
BENCH_REPEAT=${BENCH_REPEAT:-3}
BENCH_COMMITS=${BENCH_COMMITS:-2000}
BENCH_NEW_COMMITS=10
BENCH_SMALL_REPOS=${BENCH_SMALL_REPOS:-100}
BENCH_HASH_MB=${BENCH_HASH_MB:-200}
BENCH_HF_PACKAGES=${BENCH_HF_PACKAGES:-1000}
BENCH_HF_PAGE=${BENCH_HF_PAGE:-100}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-900}
BENCH_REPORT=${BENCH_REPORT:-docs/benchmarks.md}
BENCH_SKIP_SEDIMENT=${BENCH_SKIP_SEDIMENT:-0}
BENCH_STRICT=${BENCH_STRICT:-0}
BENCH_KEEP=${BENCH_KEEP:-0}

# Targets (ratios are sediment / reference).
TARGET_MIRROR_RATIO=1.5   # (1) first mirror wall time, at most
TARGET_BYTES_RATIO=1.1    # (2) incremental wire bytes, at most
TARGET_NOOP_RATIO=1.0     # (3) no-op sync wall time, at most
TARGET_HASH_RATIO=0.7     # (4) hashing throughput, at least
TARGET_RSS_MIB=200        # (5) peak RSS of (1), below

# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
now() { date +%s.%N; }
# Float arithmetic / formatting through awk (bash has integers only).
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
fmt() { awk -v v="$2" "BEGIN { printf \"$1\", v }"; }
# median of the arguments
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# fmt_list SECONDS... -> "1.23, 4.56 s" (or "none")
fmt_list() { if [ $# = 0 ]; then printf 'none'; else printf '%s\n' "$@" | awk '{ printf "%s%.2f", (NR > 1 ? ", " : ""), $1 } END { printf " s" }'; fi; }
maxof() { printf '%s\n' "$@" | sort -g | tail -n 1; }
# verdict VALUE OP TARGET -> met / missed   (OP is <=, >=, <)
verdict() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? v <= t : (op == ">=") ? v >= t : v < t; print ok ? "met" : "missed" }'; }
# field KEY "k1=v1 k2=v2 ..." -> the numeric value of KEY, or 0
field() { grep -oE "(^| )$1=[0-9.eE+-]+" <<<"$2" | head -n 1 | cut -d= -f2 | grep . || echo 0; }
human_bytes() { awk -v b="$1" 'BEGIN { split("B KiB MiB GiB", u, " "); i = 1; while (b >= 1024 && i < 4) { b /= 1024; i++ } printf (i == 1 ? "%d %s" : "%.1f %s"), b, u[i] }'; }

# Runs "$@" and sets LAST_SECONDS and LAST_RC (works with shell functions).
timed() {
	local t0 t1
	t0=$(now)
	if "$@"; then LAST_RC=0; else LAST_RC=$?; fi
	t1=$(now)
	LAST_SECONDS=$(calc "$t1 - $t0")
}

# Like timed, for an external command, also sets LAST_RSS_KB (peak RSS from
# GNU time) and bounds the run by BENCH_TIMEOUT.
timed_rss() {
	local tf="$WORK/time.out" t0 t1
	rm -f "$tf"
	t0=$(now)
	if timeout -k 10 "$BENCH_TIMEOUT" /usr/bin/time -f '%M' -o "$tf" "$@"; then LAST_RC=0; else LAST_RC=$?; fi
	t1=$(now)
	LAST_SECONDS=$(calc "$t1 - $t0")
	# On failure GNU time writes "Command exited with non-zero status N" first.
	LAST_RSS_KB=$(tail -n 1 "$tf" 2>/dev/null | grep -E '^[0-9]+$' || echo 0)
}

# --- the server's bytes log ---------------------------------------------------
# Lines: <unix_time> <METHOD> <path?query> <status> <response_body_bytes>

# Waits (bounded) until the log stops growing: the server writes a request's
# line as it finishes the response, which may be a moment after the client
# has exited.
wait_log_quiet() {
	local prev=-1 cur i
	for i in $(seq 1 50); do
		cur=$(stat -c %s "$BYTES_LOG")
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 0.1
	done
}
log_mark() { wait_log_quiet; wc -l <"$BYTES_LOG"; }
# Sum of git-upload-pack POST response bytes after line $1; sets
# UP_BYTES and UP_REQUESTS.
upload_pack_bytes_since() {
	wait_log_quiet
	read -r UP_BYTES UP_REQUESTS < <(awk -v from="$1" 'NR > from && $2 == "POST" && $3 ~ /\/git-upload-pack$/ { s += $5; n++ } END { printf "%d %d\n", s, n }' "$BYTES_LOG")
}

# --- sediment ---------------------------------------------------------------

# write_config FILE STORE URL... : a one-hub sediment config
write_config() {
	local file=$1 store=$2 sep="" url list=""
	shift 2
	for url in "$@"; do list+="$sep\"$url\""; sep=", "; done
	cat >"$file" <<-EOF
	[storage]
	path = "$store"
	blob_max_bytes = 10485760

	[[hub]]
	kind = "git"
	name = "bench"
	repositories = [$list]
	EOF
}

# Summarizes `sediment sync --json` output; sets JS_VISITS JS_FAILED
# JS_EVENTFUL JS_BYTES JS_OBJECTS JS_COMMITS.
json_summary() {
	read -r JS_VISITS JS_FAILED JS_EVENTFUL JS_BYTES JS_OBJECTS JS_COMMITS < <("$PY" - "$1" <<-'PY'
	import json, sys
	visits = failed = eventful = 0
	sums = {"bytes_received": 0, "objects_received": 0, "new_commits": 0}
	for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
	    line = line.strip()
	    if not line.startswith("{"):
	        continue
	    try:
	        visit = json.loads(line)
	    except ValueError:
	        continue
	    if not isinstance(visit, dict):
	        continue
	    visits += 1
	    if visit.get("error") not in (None, "") or visit.get("status") in ("failed", "error"):
	        failed += 1
	    if visit.get("eventful"):
	        eventful += 1
	    for key in sums:
	        value = visit.get(key)
	        if isinstance(value, (int, float)) and not isinstance(value, bool):
	            sums[key] += int(value)
	print(visits, failed, eventful, sums["bytes_received"], sums["objects_received"],
	      sums["new_commits"])
	PY
	)
}

SEDIMENT_FAILURES=0
# run_sync NAME CONFIG : one timed `sediment sync --json`; output in
# $WORK/NAME.json / .err; sets LAST_* and JS_*; counts failures.
run_sync() {
	local name=$1 config=$2
	timed_rss "$SEDIMENT" sync --config "$config" --json >"$WORK/$name.json" 2>"$WORK/$name.err"
	json_summary "$WORK/$name.json"
	if [ "$LAST_RC" != 0 ] || [ "$JS_FAILED" != 0 ]; then
		SEDIMENT_FAILURES=$((SEDIMENT_FAILURES + 1))
		log "sediment sync ($name) failed: exit $LAST_RC, $JS_FAILED failed visit(s) of $JS_VISITS"
		tail -n 5 "$WORK/$name.err" >&2 || true
		grep -m 3 '"error" *: *"' "$WORK/$name.json" >&2 || true
		return 1
	fi
	return 0
}

# ---------------------------------------------------------------------------
# Set-up
# ---------------------------------------------------------------------------

PY=$(python3 -c 'import sys; print(sys.executable)') || die "python3 is required"
command -v git >/dev/null || die "git is required"
/usr/bin/time -f '%M' -o /dev/null true 2>/dev/null || die "GNU time is required at /usr/bin/time (apt-get install time)"
command -v sha256sum >/dev/null || die "sha256sum is required"
if [ "$BENCH_SKIP_SEDIMENT" != 1 ]; then
	[ -x "$SEDIMENT" ] || die "$SEDIMENT not found: run 'swift build -c release' first (or BENCH_SKIP_SEDIMENT=1)"
	[ -x "$SEDIMENT_BENCH" ] || die "$SEDIMENT_BENCH not found: run 'swift build -c release' first"
fi

WORK=$(mktemp -d /tmp/sediment-bench.XXXXXX)
SERVER_PID=""
cleanup() {
	local rc=$?
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	if [ "$BENCH_KEEP" = 1 ]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Isolated git: no system or user config (the system one may carry url
# rewrites and a required git-lfs filter), never prompt.
mkdir -p "$WORK/home" "$WORK/tmp" "$WORK/served"
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 GIT_LFS_SKIP_SMUDGE=1 GIT_TERMINAL_PROMPT=0
export TMPDIR="$WORK/tmp"
unset XDG_CONFIG_HOME GIT_DIR GIT_WORK_TREE 2>/dev/null || true

BYTES_LOG="$WORK/bytes.log"
: >"$BYTES_LOG"
"$PY" Tests/Support/git_http_server.py --root "$WORK/served" --port 0 \
	--bytes-log "$BYTES_LOG" --port-file "$WORK/port" >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 1 100); do
	[ -s "$WORK/port" ] && break
	kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.err" >&2; die "git_http_server.py exited"; }
	sleep 0.1
done
[ -s "$WORK/port" ] || die "git_http_server.py did not start"
PORT=$(cat "$WORK/port")
BASE_URL="http://127.0.0.1:$PORT"
log "server on $BASE_URL (pid $SERVER_PID), work dir $WORK"

if [ "$BENCH_SKIP_SEDIMENT" != 1 ]; then
	"$SEDIMENT" --help >/dev/null 2>&1 || log "warning: '$SEDIMENT --help' failed"
fi

# ---------------------------------------------------------------------------
# Data: the large repository
# ---------------------------------------------------------------------------

BIG="$WORK/served/big.git"
BIG_URL="$BASE_URL/big.git"
log "generating the large repository ($BENCH_COMMITS commits)"
git init -q --bare -b main "$BIG"
# shellcheck disable=SC2016  # expanded by the inner bash
timed bash -c 'set -o pipefail; "$1" bench/gen_repo.py --profile large --commits "$2" | git -C "$3" fast-import --quiet' _ "$PY" "$BENCH_COMMITS" "$BIG"
[ "$LAST_RC" = 0 ] || die "generating the repository failed"
git -C "$BIG" repack -a -d -q # one pack (with bitmap), as a served repository would have
BIG_FILES=$(git -C "$BIG" ls-tree -r main | wc -l)
BIG_COMMITS=$(git -C "$BIG" rev-list --count --all)
BIG_PACK_BYTES=$(cat "$BIG"/objects/pack/*.pack | wc -c)
BIG_CONTENT_BYTES=$(git -C "$BIG" ls-tree -r -l main | awk '$2 == "blob" { s += $4 } END { print s + 0 }')
log "large repository: $BIG_COMMITS commits, $BIG_FILES files, content $(human_bytes "$BIG_CONTENT_BYTES"), pack $(human_bytes "$BIG_PACK_BYTES") (generated in $(fmt %.1f "$LAST_SECONDS") s)"

# ---------------------------------------------------------------------------
# (1) + (5) First mirror
# ---------------------------------------------------------------------------

log "(1) first mirror: warming up"
git clone -q --mirror "$BIG_URL" "$WORK/warmup.git"
rm -rf "$WORK/warmup.git"

M_GIT_TIMES=() M_GIT_RSS=() M_SED_TIMES=() M_SED_RSS=()
M_SED_STATUS="not run"
# Each repetition writes into a new folder, and none is deleted until the end: ext4 makes
# file creation slow right after mass deletions (its inode allocator skips recently
# deleted inodes), which would penalise whichever side creates many files.
for i in $(seq 1 "$BENCH_REPEAT"); do
	GIT1="$WORK/git1-$i"
	mkdir -p "$GIT1"
	timed_rss git clone -q --mirror "$BIG_URL" "$GIT1/big.git"
	[ "$LAST_RC" = 0 ] || die "git clone --mirror failed"
	M_GIT_TIMES+=("$LAST_SECONDS")
	M_GIT_RSS+=("$LAST_RSS_KB")
	log "(1) run $i: git clone --mirror $(fmt %.2f "$LAST_SECONDS") s, peak RSS $((LAST_RSS_KB / 1024)) MiB"

	if [ "$BENCH_SKIP_SEDIMENT" != 1 ]; then
		SED1="$WORK/sed1-$i"
		mkdir -p "$SED1"
		write_config "$SED1/config.toml" "$SED1/store" "$BIG_URL"
		if run_sync "mirror-$i" "$SED1/config.toml"; then
			M_SED_TIMES+=("$LAST_SECONDS")
			M_SED_RSS+=("$LAST_RSS_KB")
			M_SED_STATUS="ok"
			log "(1) run $i: sediment sync $(fmt %.2f "$LAST_SECONDS") s, peak RSS $((LAST_RSS_KB / 1024)) MiB, $JS_OBJECTS objects, $JS_BYTES bytes, $JS_COMMITS new commits"
		else
			M_SED_STATUS="failed"
			break
		fi
	fi
done
M_GIT=$(median "${M_GIT_TIMES[@]}")
M_GIT_RSS_MIB=$(calc "$(maxof "${M_GIT_RSS[@]}") / 1024")
if [ "$M_SED_STATUS" = ok ]; then
	M_SED=$(median "${M_SED_TIMES[@]}")
	M_SED_RSS_MIB=$(calc "$(maxof "${M_SED_RSS[@]}") / 1024")
	M_RATIO=$(calc "$M_SED / $M_GIT")
	# Where the time went in the last run: sediment reports seconds per visit step.
	M_SED_STEPS=$("$PY" -c 'import json, sys
v = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
print(", ".join("%s %.2f s" % kv for kv in v.get("seconds", {}).items()))' "$WORK/mirror-$BENCH_REPEAT.json" 2>/dev/null || echo "unknown")
fi

# ---------------------------------------------------------------------------
# (2) Incremental sync after new commits
# ---------------------------------------------------------------------------

log "(2) incremental: appending $BENCH_NEW_COMMITS commits to the served repository"
"$PY" bench/gen_repo.py --profile large --commits "$((BENCH_COMMITS + BENCH_NEW_COMMITS))" --skip "$BENCH_COMMITS" |
	git -C "$BIG" fast-import --quiet
BIG_TIP=$(git -C "$BIG" rev-parse refs/heads/main)

I_SED_STATUS="not run"
if [ "$M_SED_STATUS" = ok ]; then
	mark=$(log_mark)
	if run_sync incremental "$SED1/config.toml"; then
		upload_pack_bytes_since "$mark"
		I_SED_WIRE=$UP_BYTES I_SED_REQUESTS=$UP_REQUESTS
		I_SED_REPORTED=$JS_BYTES I_SED_COMMITS=$JS_COMMITS I_SED_SECONDS=$LAST_SECONDS
		I_SED_STATUS="ok"
		log "(2) sediment: $I_SED_WIRE bytes on the wire in $I_SED_REQUESTS upload-pack POST(s), reported bytes_received $I_SED_REPORTED, new commits $I_SED_COMMITS"
		[ "$I_SED_COMMITS" = "$BENCH_NEW_COMMITS" ] || log "(2) warning: sediment reported $I_SED_COMMITS new commits, expected $BENCH_NEW_COMMITS"
	else
		I_SED_STATUS="failed"
	fi
fi

mark=$(log_mark)
timed git -C "$GIT1/big.git" fetch -q
[ "$LAST_RC" = 0 ] || die "git fetch failed"
upload_pack_bytes_since "$mark"
I_GIT_WIRE=$UP_BYTES I_GIT_REQUESTS=$UP_REQUESTS I_GIT_SECONDS=$LAST_SECONDS
[ "$(git -C "$GIT1/big.git" rev-parse refs/heads/main)" = "$BIG_TIP" ] || die "git mirror did not reach the new tip"
log "(2) git fetch: $I_GIT_WIRE bytes on the wire in $I_GIT_REQUESTS upload-pack POST(s)"
if [ "$I_SED_STATUS" = ok ]; then
	I_RATIO=$(calc "$I_SED_WIRE / ($I_GIT_WIRE > 0 ? $I_GIT_WIRE : 1)")
fi

# ---------------------------------------------------------------------------
# (3) No-op sync of many small repositories
# ---------------------------------------------------------------------------

log "(3) no-op: generating $BENCH_SMALL_REPOS small repositories"
mkdir -p "$WORK/served/small" "$WORK/git3"
SMALL_URLS=()
for i in $(seq 1 "$BENCH_SMALL_REPOS"); do
	name=$(printf 'r%03d' "$i")
	git init -q --bare -b main "$WORK/served/small/$name.git"
	"$PY" bench/gen_repo.py --profile small --seed "$i" --commits "$((2 + i % 4))" |
		git -C "$WORK/served/small/$name.git" fast-import --quiet
	SMALL_URLS+=("$BASE_URL/small/$name.git")
done

git_mirror_all() {
	local i
	for i in $(seq 1 "$BENCH_SMALL_REPOS"); do
		git clone -q --mirror "${SMALL_URLS[$((i - 1))]}" "$WORK/git3/$(printf 'r%03d' "$i").git" || return 1
	done
}
git_fetch_all() {
	local m
	for m in "$WORK"/git3/*.git; do
		git -C "$m" fetch -q || return 1
	done
}

timed git_mirror_all
[ "$LAST_RC" = 0 ] || die "git clone --mirror of the small repositories failed"
N_GIT_FIRST=$LAST_SECONDS
log "(3) first git mirror of all: $(fmt %.2f "$N_GIT_FIRST") s"

N_SED_STATUS="not run"
if [ "$BENCH_SKIP_SEDIMENT" != 1 ]; then
	mkdir -p "$WORK/sed3"
	write_config "$WORK/sed3/config.toml" "$WORK/sed3/store" "${SMALL_URLS[@]}"
	if run_sync small-first "$WORK/sed3/config.toml"; then
		N_SED_FIRST=$LAST_SECONDS
		N_SED_STATUS="ok"
		log "(3) first sediment sync of all: $(fmt %.2f "$N_SED_FIRST") s, $JS_VISITS visits"
		[ "$JS_VISITS" = "$BENCH_SMALL_REPOS" ] || log "(3) warning: $JS_VISITS visits reported, expected $BENCH_SMALL_REPOS"
	else
		N_SED_STATUS="failed"
	fi
fi

N_GIT_TIMES=() N_SED_TIMES=()
N_SED_EVENTFUL=0
for i in $(seq 1 "$BENCH_REPEAT"); do
	timed git_fetch_all
	[ "$LAST_RC" = 0 ] || die "git fetch of the small mirrors failed"
	N_GIT_TIMES+=("$LAST_SECONDS")
	log "(3) run $i: git fetch loop $(fmt %.2f "$LAST_SECONDS") s"
	if [ "$N_SED_STATUS" = ok ]; then
		if run_sync "small-noop-$i" "$WORK/sed3/config.toml"; then
			N_SED_TIMES+=("$LAST_SECONDS")
			N_SED_EVENTFUL=$((N_SED_EVENTFUL + JS_EVENTFUL))
			log "(3) run $i: sediment no-op sync $(fmt %.2f "$LAST_SECONDS") s, $JS_VISITS visits, $JS_EVENTFUL eventful"
		else
			N_SED_STATUS="failed"
		fi
	fi
done
N_GIT=$(median "${N_GIT_TIMES[@]}")
if [ "$N_SED_STATUS" = ok ]; then
	N_SED=$(median "${N_SED_TIMES[@]}")
	N_RATIO=$(calc "$N_SED / $N_GIT")
	[ "$N_SED_EVENTFUL" = 0 ] || log "(3) warning: $N_SED_EVENTFUL no-op visits were reported eventful"
fi

# ---------------------------------------------------------------------------
# (4) Hashing throughput
# ---------------------------------------------------------------------------

log "(4) hashing: preparing ~$BENCH_HASH_MB MB of files"
HASH_DIR="$WORK/hashdata"
mkdir -p "$HASH_DIR/checkout" "$HASH_DIR/large"
# A checkout of the large repository (thousands of small and mid-size files) ...
git -C "$BIG" archive --format=tar main | tar -x -C "$HASH_DIR/checkout"
# ... topped up with 1-8 MB incompressible files up to BENCH_HASH_MB.
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
# The cost of writing the same files anywhere on this disk, for context: a plain copy.
cp_all() { cp -r "$HASH_DIR" "$WORK/hashcopy-$i" && sync -f "$WORK/hashcopy-$i"; }
H_SHA_TIMES=() H_SED_TIMES=() H_SED_SELF=() H_NS_TIMES=() H_CP_TIMES=()
H_SED_STATUS="not run"
[ "$BENCH_SKIP_SEDIMENT" = 1 ] || H_SED_STATUS="ok"
for i in $(seq 1 "$BENCH_REPEAT"); do
	timed sha_all
	[ "$LAST_RC" = 0 ] || die "sha256sum failed"
	H_SHA_TIMES+=("$LAST_SECONDS")
	log "(4) run $i: sha256sum $(fmt %.2f "$LAST_SECONDS") s"
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
		files=$(field files "$line")
		bytes=$(field bytes "$line")
		if [ "$files" != "$H_FILES" ] || [ "$bytes" != "$H_BYTES" ]; then
			log "(4) warning: sediment-bench hashed files=$files bytes=$bytes, expected files=$H_FILES bytes=$H_BYTES"
		fi
		log "(4) run $i: sediment-bench hash $(fmt %.2f "$LAST_SECONDS") s wall ($line)"
		timed "$SEDIMENT_BENCH" hash --no-store "$HASH_DIR" >/dev/null 2>&1
		[ "$LAST_RC" = 0 ] && H_NS_TIMES+=("$LAST_SECONDS")
		log "(4) run $i: sediment-bench hash --no-store $(fmt %.2f "$LAST_SECONDS") s wall"
	fi
	timed cp_all
	H_CP_TIMES+=("$LAST_SECONDS")
	log "(4) run $i: cp -r + sync $(fmt %.2f "$LAST_SECONDS") s"
done
rm -rf "$WORK"/hashcopy-* "$WORK"/hashstore-*
H_SHA=$(median "${H_SHA_TIMES[@]}")
H_SHA_MBPS=$(calc "$H_BYTES / 1000000 / $H_SHA")
if [ "$H_SED_STATUS" = ok ]; then
	H_SED=$(median "${H_SED_TIMES[@]}")
	H_SED_MBPS=$(calc "$H_BYTES / 1000000 / $H_SED")
	H_SED_SELF_MBPS=$(calc "$H_BYTES / 1000000 / ($(median "${H_SED_SELF[@]}") > 0 ? $(median "${H_SED_SELF[@]}") : 1e-9)")
	H_RATIO=$(calc "$H_SED_MBPS / $H_SHA_MBPS")
	if [ "${#H_NS_TIMES[@]}" -gt 0 ]; then
		H_NS_MBPS=$(calc "$H_BYTES / 1000000 / $(median "${H_NS_TIMES[@]}")")
		H_NS_RATIO=$(calc "$H_NS_MBPS / $H_SHA_MBPS")
	fi
fi
H_CP_MBPS=$(calc "$H_BYTES / 1000000 / $(median "${H_CP_TIMES[@]}")")

# ---------------------------------------------------------------------------
# (6) A crawl of Hugging Face packages where nothing changed
# ---------------------------------------------------------------------------
# BENCH_HF_PACKAGES models on the fixture hub (Tests/Support/fixture_hub.py), each its own
# small repository. After a first crawl archives them all, a second crawl with nothing
# changed should make no git connection (the listed sha is the archived head) and ask the
# API for the listing pages only; a third crawl with skip_unchanged = false shows what the
# skip saves.
S_STATUS="not run"
if [ "$BENCH_SKIP_SEDIMENT" != 1 ]; then
	log "(6) Hugging Face skip: generating $BENCH_HF_PACKAGES models"
	HF_ROOT="$WORK/hfhub"
	mkdir -p "$HF_ROOT/bench"
	TEMPLATE="$WORK/hf-template"
	git init -q -b main "$TEMPLATE"
	printf -- '---\nlicense: mit\n---\n# model\n' >"$TEMPLATE/README.md"
	printf '{"model_type": "bert"}\n' >"$TEMPLATE/config.json"
	printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize 1234\n' "$(printf x | sha256sum | cut -c1-64)" >"$TEMPLATE/model.safetensors"
	git -C "$TEMPLATE" add -A
	git -C "$TEMPLATE" -c user.name=Bench -c user.email=bench@example.org commit -q -m "initial upload"
	git clone -q --bare "$TEMPLATE" "$HF_ROOT/bench/model-0.git"
	for i in $(seq 1 $((BENCH_HF_PACKAGES - 1))); do cp -r "$HF_ROOT/bench/model-0.git" "$HF_ROOT/bench/model-$i.git"; done
	"$PY" -c 'import json, sys
n = int(sys.argv[1])
json.dump([{"id": "bench/model-%d" % i, "downloads": i, "likes": i % 7, "tags": ["bench"]} for i in range(n)], open(sys.argv[2], "w"))' \
		"$BENCH_HF_PACKAGES" "$HF_ROOT/models.json"
	"$PY" Tests/Support/fixture_hub.py --root "$HF_ROOT" --port-file "$WORK/hf-port" >"$WORK/hf.out" 2>"$WORK/hf.err" &
	HF_PID=$!
	for _ in $(seq 1 100); do [ -s "$WORK/hf-port" ] && break; sleep 0.1; done
	[ -s "$WORK/hf-port" ] || die "fixture_hub.py did not start"
	HF_URL="http://127.0.0.1:$(cat "$WORK/hf-port")"
	hf_config() { # hf_config FILE SKIP
		printf '[storage]\npath = "%s"\n\n[[hub]]\nkind = "huggingface"\nname = "hf"\nendpoint = "%s"\npage_size = %s\nskip_unchanged = %s\n' \
			"$WORK/hfstore" "$HF_URL" "$BENCH_HF_PAGE" "$2" >"$1"
	}
	hf_stats() { curl -s "$HF_URL/_fixture/stats" | "$PY" -c 'import json, sys
s = json.load(sys.stdin)
print(sum(s["git_connections"].values()), sum(s["api_requests"].values()))'; }
	hf_config "$WORK/hf-skip.toml" true
	hf_config "$WORK/hf-noskip.toml" false
	S_STATUS="ok"
	if run_sync hf-first "$WORK/hf-skip.toml"; then
		S_FIRST=$LAST_SECONDS
		log "(6) first crawl (archives all): $(fmt %.2f "$S_FIRST") s"
		curl -s -X POST "$HF_URL/_fixture/reset-stats" >/dev/null
		if run_sync hf-skip "$WORK/hf-skip.toml"; then
			S_SKIP=$LAST_SECONDS
			read -r S_SKIP_GIT S_SKIP_API < <(hf_stats)
			log "(6) unchanged crawl, skip on: $(fmt %.2f "$S_SKIP") s, $S_SKIP_GIT git connections, $S_SKIP_API API requests"
			curl -s -X POST "$HF_URL/_fixture/reset-stats" >/dev/null
			if run_sync hf-noskip "$WORK/hf-noskip.toml"; then
				S_NOSKIP=$LAST_SECONDS
				read -r S_NOSKIP_GIT S_NOSKIP_API < <(hf_stats)
				log "(6) unchanged crawl, skip off: $(fmt %.2f "$S_NOSKIP") s, $S_NOSKIP_GIT git connections"
				S_RATIO=$(calc "$S_SKIP / $S_NOSKIP")
				S_PAGES=$(( (BENCH_HF_PACKAGES + BENCH_HF_PAGE - 1) / BENCH_HF_PAGE ))
			else S_STATUS="failed"; fi
		else S_STATUS="failed"; fi
	else S_STATUS="failed"; fi
	kill "$HF_PID" 2>/dev/null || true
	wait "$HF_PID" 2>/dev/null || true
fi

# ---------------------------------------------------------------------------
# (7) Queries: diff, history, export
# ---------------------------------------------------------------------------
# diff between the two snapshots of the large repository (before and after (2)'s new
# commits) against `git diff --name-status -M` on the git mirror; history of a package
# with 1,000 observations; export --format jsonl of the large repository's catalog.
Q_STATUS="not run"
if [ "$BENCH_SKIP_SEDIMENT" != 1 ] && [ "${I_SED_STATUS:-}" = ok ]; then
	Q_STATUS="ok"
	read -r SNAP_OLD SNAP_NEW < <("$SEDIMENT" snapshots big --config "$SED1/config.toml" --json | "$PY" -c 'import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
print(rows[0]["head"], rows[-1]["head"])')
	D_SED_TIMES=() D_GIT_TIMES=()
	for _ in $(seq 1 "$BENCH_REPEAT"); do
		timed "$SEDIMENT" diff big "$SNAP_OLD" "$SNAP_NEW" --config "$SED1/config.toml" --json >"$WORK/diff.json"
		D_SED_TIMES+=("$LAST_SECONDS")
		timed git -C "$GIT1/big.git" diff --name-status -M "$SNAP_OLD" "$SNAP_NEW" >"$WORK/diff.git"
		D_GIT_TIMES+=("$LAST_SECONDS")
	done
	D_SED=$(median "${D_SED_TIMES[@]}")
	D_GIT=$(median "${D_GIT_TIMES[@]}")
	D_RATIO=$(calc "$D_SED / $D_GIT")
	D_CHANGES=$(wc -l <"$WORK/diff.git")
	log "(7) diff: sediment $(fmt %.3f "$D_SED") s, git $(fmt %.3f "$D_GIT") s, $D_CHANGES changed files"
	# The same between the first commit and the head: nearly every one of the ~5,000 files.
	ROOT=$(git -C "$GIT1/big.git" rev-list --max-parents=0 refs/heads/main | head -n 1)
	DL_SED_TIMES=() DL_GIT_TIMES=()
	for _ in $(seq 1 "$BENCH_REPEAT"); do
		timed "$SEDIMENT" diff big "$ROOT" "$SNAP_NEW" --config "$SED1/config.toml" --json >"$WORK/diff-large.json"
		DL_SED_TIMES+=("$LAST_SECONDS")
		timed git -C "$GIT1/big.git" diff --name-status -M "$ROOT" "$SNAP_NEW" >"$WORK/diff-large.git"
		DL_GIT_TIMES+=("$LAST_SECONDS")
	done
	DL_SED=$(median "${DL_SED_TIMES[@]}")
	DL_GIT=$(median "${DL_GIT_TIMES[@]}")
	DL_RATIO=$(calc "$DL_SED / $DL_GIT")
	DL_CHANGES=$(wc -l <"$WORK/diff-large.git")
	log "(7) large diff: sediment $(fmt %.3f "$DL_SED") s, git $(fmt %.3f "$DL_GIT") s, $DL_CHANGES changed files"

	# 1,000 observations of one package: the first one repeated, as 1,000 visits would leave.
	"$PY" - "$SED1/store/catalog.sqlite" <<-'PY'
	import sqlite3, sys
	db = sqlite3.connect(sys.argv[1])
	pkg, = db.execute("SELECT package_id FROM observation LIMIT 1").fetchone()
	have, = db.execute("SELECT COUNT(*) FROM observation WHERE package_id = ?", (pkg,)).fetchone()
	columns = [r[1] for r in db.execute("PRAGMA table_info(observation)") if r[1] not in ("visit_id",)]
	for i in range(1000 - have):
	    cur = db.execute("INSERT INTO visit(package_id, started_at, finished_at, status, eventful) VALUES (?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'full', 0)", (pkg,))
	    db.execute("INSERT INTO observation(visit_id, %s) SELECT ?, %s FROM observation WHERE package_id = ? LIMIT 1"
	               % (", ".join(columns), ", ".join(columns)), (cur.lastrowid, pkg))
	db.commit()
	PY
	H_TIMES=()
	for _ in $(seq 1 "$BENCH_REPEAT"); do
		timed "$SEDIMENT" history big --config "$SED1/config.toml" --json >"$WORK/history.json"
		H_TIMES+=("$LAST_SECONDS")
	done
	Q_HISTORY_MS=$(calc "$(median "${H_TIMES[@]}") * 1000")
	Q_HISTORY_ROWS=$(wc -l <"$WORK/history.json")
	log "(7) history: $Q_HISTORY_ROWS observations in $(fmt %.0f "$Q_HISTORY_MS") ms"

	timed_rss "$SEDIMENT" export --format jsonl --out "$WORK/export" --config "$SED1/config.toml"
	Q_EXPORT_SECONDS=$LAST_SECONDS
	Q_EXPORT_RSS_MIB=$(calc "$LAST_RSS_KB / 1024")
	Q_EXPORT_ROWS=$(cat "$WORK"/export/*.jsonl | wc -l)
	Q_EXPORT_RATE=$(calc "$Q_EXPORT_ROWS / $Q_EXPORT_SECONDS")
	log "(7) export: $Q_EXPORT_ROWS rows in $(fmt %.2f "$Q_EXPORT_SECONDS") s, peak RSS $(fmt %.0f "$Q_EXPORT_RSS_MIB") MiB"
fi

# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------

# cell STATUS VALUE-TEXT : the value when STATUS is ok, else the status
cell() { if [ "$1" = ok ]; then printf '%s' "$2"; else printf '%s' "$1"; fi; }
# result STATUS VALUE OP TARGET
result() { if [ "$1" = ok ]; then verdict "$2" "$3" "$4"; else printf '%s' "$1"; fi; }

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
- Tools: $(git --version), $("$PY" --version 2>&1)$([ "$BENCH_SKIP_SEDIMENT" = 1 ] && echo "; sediment side not run (BENCH_SKIP_SEDIMENT=1)")

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
   --json\` of a package given 1,000 observations (copies of its first, inserted with
   SQLite); \`sediment export --format jsonl\` of that catalog: rows per second and peak RSS.

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
mv "$BENCH_REPORT.tmp" "$BENCH_REPORT"
log "report written to $BENCH_REPORT"

# 8. LFS downloads, in their own script and report.
if [ "$BENCH_SKIP_SEDIMENT" != 1 ] && [ "${BENCH_SKIP_LFS:-0}" != 1 ]; then
	SEDIMENT=$SEDIMENT BENCH_KEEP=$BENCH_KEEP bash "$REPO_ROOT/bench/lfs.sh" || SEDIMENT_FAILURES=$((SEDIMENT_FAILURES + 1))
fi

MISSED=$(printf '%s\n' "$R1" "$R2" "$R3" "$R4" "$R5" "$R6" "$R7" "$R7B" | grep -c '^missed$' || true)
if [ "$SEDIMENT_FAILURES" != 0 ]; then
	log "$SEDIMENT_FAILURES sediment run(s) failed"
	exit 1
fi
if [ "$BENCH_STRICT" = 1 ] && [ "$MISSED" != 0 ]; then
	log "$MISSED target(s) missed"
	exit 1
fi
exit 0
