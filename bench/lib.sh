# shellcheck shell=bash
# What every benchmark script shares: the binaries, arithmetic and timing helpers, an
# isolated workspace, the fixture world's servers (Tests/Support/world.py), sediment runs
# and the report's sections. Sourced with BENCH_NAME set: `. "$(dirname "$0")/lib.sh"`.
#
# Knobs common to every script:
#   SEDIMENT         sediment binary        (default .build/release/sediment)
#   SEDIMENT_BENCH   sediment-bench binary  (default: next to SEDIMENT)
#   BENCH_REPEAT     timed repetitions, the median is reported (default 3)
#   BENCH_TIMEOUT    limit in seconds for one sediment run (default 900)
#   BENCH_REPORT     markdown report (default docs/benchmarks.md)
#   BENCH_WORK       a folder shared by the scripts of one `bench/run.sh` (default: a new one)
#   BENCH_RESULTS    where a script leaves its figures as NAME=VALUE lines (default BENCH_WORK)
#   BENCH_KEEP       1: keep the work folder
#   BENCH_REAL_REPO, BENCH_CACHE: see bench/lib-repos.sh

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"
SEDIMENT=${SEDIMENT:-.build/release/sediment}
case $SEDIMENT in /*) ;; *) SEDIMENT=$REPO_ROOT/$SEDIMENT ;; esac
SEDIMENT_BENCH=${SEDIMENT_BENCH:-$(dirname "$SEDIMENT")/sediment-bench}
case $SEDIMENT_BENCH in /*) ;; *) SEDIMENT_BENCH=$REPO_ROOT/$SEDIMENT_BENCH ;; esac
BENCH_REPEAT=${BENCH_REPEAT:-3}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-900}
BENCH_REPORT=${BENCH_REPORT:-docs/benchmarks.md}
BENCH_KEEP=${BENCH_KEEP:-0}
PY=$(command -v python3) || { echo "python3 is required" >&2; exit 1; }
WORLD_PY="$REPO_ROOT/Tests/Support/world.py"
SEDIMENT_FAILURES=0

log() { printf '[%s %s] %s\n' "${BENCH_NAME:-bench}" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
now() { date +%s.%N; }
# Float arithmetic and formatting through awk (bash has integers only).
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
fmt() { awk -v v="$2" "BEGIN { printf \"$1\", v }"; }
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

# Like timed, for an external command, also sets LAST_RSS_KB (peak RSS from GNU time) and
# bounds the run by BENCH_TIMEOUT.
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

# require TOOL...: each on the PATH (GNU time at /usr/bin/time), else stop.
require() {
	local tool
	for tool in "$@"; do
		if [ "$tool" = time ]; then
			/usr/bin/time -f '%M' -o /dev/null true 2>/dev/null || die "GNU time is required at /usr/bin/time (apt-get install time)"
		else
			command -v "$tool" >/dev/null || die "$tool is required"
		fi
	done
}
require_sediment() {
	[ -x "$SEDIMENT" ] || die "$SEDIMENT not found: run 'swift build -c release' first"
	[ -x "$SEDIMENT_BENCH" ] || die "$SEDIMENT_BENCH not found: run 'swift build -c release' first"
}

# bench_start TOOL...: the tools and both binaries are there, and the workspace is made.
bench_start() {
	require "$@"
	require_sediment
	bench_workspace
}

# timed_step ARRAY WHAT COMMAND...: COMMAND timed (stops the script when it fails), its
# seconds appended to the array named ARRAY and logged as WHAT.
timed_step() {
	local -n times=$1
	local what=$2
	shift 2
	timed "$@"
	[ "$LAST_RC" = 0 ] || die "$what failed"
	times+=("$LAST_SECONDS")
	log "$what: $(fmt %.2f "$LAST_SECONDS") s"
}

# bench_workspace: WORK (BENCH_WORK, or a new folder removed at exit unless BENCH_KEEP=1)
# and a git that no configuration on this machine reaches (the system one may carry url
# rewrites and a required git-lfs filter) and that never prompts.
bench_workspace() {
	if [ -n "${BENCH_WORK:-}" ]; then
		WORK=$BENCH_WORK
		OWN_WORK=0
	else
		WORK=$(mktemp -d "${TMPDIR:-/tmp}/sediment-$BENCH_NAME.XXXXXX")
		OWN_WORK=1
	fi
	BENCH_RESULTS=${BENCH_RESULTS:-$WORK}
	mkdir -p "$WORK/home" "$WORK/tmp" "$BENCH_RESULTS"
	# The caller's home and temporary folder, for what must run as the caller would (a build).
	export BENCH_USER_HOME=${BENCH_USER_HOME:-$HOME} BENCH_USER_TMPDIR=${BENCH_USER_TMPDIR:-${TMPDIR:-/tmp}}
	export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 GIT_LFS_SKIP_SMUDGE=1 GIT_TERMINAL_PROMPT=0
	export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.org GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.org
	export TMPDIR="$WORK/tmp"
	unset XDG_CONFIG_HOME GIT_DIR GIT_WORK_TREE 2>/dev/null || true
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
	# A command that stops a script (set -e) says which.
	trap 'log "stopped: \"$BASH_COMMAND\" exited $? (${BASH_SOURCE[0]##*/} line $LINENO)"' ERR
}
# At exit, the owner of the work folder (not a script run inside another's BENCH_WORK)
# stops the servers of every world in it, then removes it.
# A script's own clean-up, when it has one, is its function bench_stop, called first.
bench_cleanup() {
	local rc=$? state
	if declare -F bench_stop >/dev/null; then bench_stop || true; fi
	if [ "$OWN_WORK" = 1 ]; then
		for state in "$WORK"/*/world-state.json; do
			[ -f "$state" ] && { "$PY" "$WORLD_PY" down "$(dirname "$state")" || true; }
		done
		if [ "$BENCH_KEEP" = 1 ]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
	fi
	exit "$rc"
}

# world_up DIR DESCRIPTION [ARGS...]: the fixture world of bench/worlds/DESCRIPTION.json
# built under DIR (in WORK) and served (ARGS: --set NAME=VALUE, --bytes-log FILE); stopped
# at exit. Sets HUB_URL / GIT_URL for its servers.
world_up() {
	local dir=$1 description=$2
	shift 2
	"$PY" "$WORLD_PY" up "$dir" --description "$REPO_ROOT/bench/worlds/$description.json" "$@" >"$WORK/world-$description.log" ||
		die "the fixture world $description did not start: $(tail -n 3 "$WORK/world-$description.log")"
	HUB_URL=$("$PY" "$WORLD_PY" url "$dir" hub 2>/dev/null || true)
	GIT_URL=$("$PY" "$WORLD_PY" url "$dir" git 2>/dev/null || true)
}
# world_config DIR FILE [--set NAME=VALUE]...: the world's configuration with other values.
world_config() { "$PY" "$WORLD_PY" config "$@"; }

# hub_stats URL -> "GIT_CONNECTIONS API_REQUESTS" counted by the fixture hub; hub_reset URL.
hub_stats() {
	curl -s "$1/_fixture/stats" | "$PY" -c 'import json, sys
s = json.load(sys.stdin)
print(sum(s["git_connections"].values()), sum(s["api_requests"].values()))'
}
hub_reset() { curl -s -X POST "$1/_fixture/reset-stats" >/dev/null; }

# --- the git server's bytes log ------------------------------------------------------
# Lines: <unix_time> <METHOD> <path?query> <status> <response_body_bytes>. The server
# writes a request's line as it finishes the response, which may be a moment after the
# client has exited: wait_log_quiet waits (bounded) until the log stops growing.
wait_log_quiet() {
	local prev=-1 cur
	for _ in $(seq 1 50); do
		cur=$(stat -c %s "$BYTES_LOG")
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 0.1
	done
}
log_mark() { wait_log_quiet; wc -l <"$BYTES_LOG"; }
# upload_pack_bytes_since LINE: sets UP_BYTES and UP_REQUESTS, the git-upload-pack POST
# response bytes and requests after LINE.
upload_pack_bytes_since() {
	wait_log_quiet
	read -r UP_BYTES UP_REQUESTS < <(awk -v from="$1" 'NR > from && $2 == "POST" && $3 ~ /\/git-upload-pack$/ { s += $5; n++ } END { printf "%d %d\n", s, n }' "$BYTES_LOG")
}

# . bench/lib-sediment.sh holds the sediment runs, bench/lib-repos.sh the served repositories
# besides the generated one, bench/lib-report.sh the results.
. "$REPO_ROOT/bench/lib-sediment.sh"
. "$REPO_ROOT/bench/lib-repos.sh"
. "$REPO_ROOT/bench/lib-report.sh"
