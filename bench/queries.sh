#!/usr/bin/env bash
# (7) `sediment diff` between the large repository's two snapshots (before and after
# incremental.sh's new commits) and (7b) from its first commit to its head, against
# `git diff --name-status -M` in the git mirror (median of BENCH_REPEAT); (8) `sediment
# history --json` of a package given 1,000 observations (copies of its latest, recorded
# through the catalog by `sediment-bench seed-observations`) and `sediment export --format
# jsonl` of that catalog: rows per second and peak RSS; (13) the research views
# `commit_activity` and `format_changes` of that package (docs/research.md) against the `git
# log` runs that answer the same (commits per month must agree). Run by bench/run.sh after
# incremental.sh in the same BENCH_WORK; alone, it runs incremental.sh first.
set -euo pipefail
BENCH_NAME=bench-queries
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_start git time
[ -f "$BENCH_RESULTS/incremental.env" ] || BENCH_WORK=$WORK BENCH_RESULTS=$BENCH_RESULTS bash "$REPO_ROOT/bench/incremental.sh"
# shellcheck disable=SC1091
. "$BENCH_RESULTS/incremental.env"
{ read -r SED1; read -r GIT1; } <"$WORK/mirror-last"
CONFIG="$SED1/config.toml"

Q_STATUS="not run"
if [ "$I_SED_STATUS" = ok ]; then
	read -r SNAP_OLD SNAP_NEW < <("$SEDIMENT" snapshots big --config "$CONFIG" --json | "$PY" -c 'import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
print(rows[0]["head"], rows[-1]["head"])')
	ROOT=$(git -C "$GIT1/big.git" rev-list --max-parents=0 refs/heads/main | head -n 1)
	# diff_pair FROM TO NAME: sets DIFF_SED DIFF_GIT DIFF_RATIO DIFF_CHANGES (medians).
	diff_pair() {
		local sed_times=() git_times=()
		for _ in $(seq 1 "$BENCH_REPEAT"); do
			timed "$SEDIMENT" diff big "$1" "$2" --config "$CONFIG" --json >"$WORK/$3.json"
			[ "$LAST_RC" = 0 ] || die "sediment diff big $1 $2 failed"
			sed_times+=("$LAST_SECONDS")
			timed git -C "$GIT1/big.git" diff --name-status -M "$1" "$2" >"$WORK/$3.git"
			git_times+=("$LAST_SECONDS")
		done
		DIFF_SED=$(median "${sed_times[@]}")
		DIFF_GIT=$(median "${git_times[@]}")
		DIFF_RATIO=$(calc "$DIFF_SED / $DIFF_GIT")
		DIFF_CHANGES=$(wc -l <"$WORK/$3.git")
		log "(7) $3: sediment $(fmt %.3f "$DIFF_SED") s, git $(fmt %.3f "$DIFF_GIT") s, $DIFF_CHANGES changed files"
	}
	diff_pair "$SNAP_OLD" "$SNAP_NEW" diff
	D_SED=$DIFF_SED D_GIT=$DIFF_GIT D_RATIO=$DIFF_RATIO D_CHANGES=$DIFF_CHANGES
	# The same between the first commit and the head: nearly every one of the ~5,000 files.
	diff_pair "$ROOT" "$SNAP_NEW" diff-large
	DL_SED=$DIFF_SED DL_GIT=$DIFF_GIT DL_RATIO=$DIFF_RATIO DL_CHANGES=$DIFF_CHANGES

	"$SEDIMENT_BENCH" seed-observations "$SED1/store/catalog.sqlite" big 1000 >"$WORK/seed.out" ||
		die "sediment-bench seed-observations failed"
	H_TIMES=()
	for _ in $(seq 1 "$BENCH_REPEAT"); do
		timed "$SEDIMENT" history big --config "$CONFIG" --json >"$WORK/history.json"
		H_TIMES+=("$LAST_SECONDS")
	done
	Q_HISTORY_MS=$(calc "$(median "${H_TIMES[@]}") * 1000")
	Q_HISTORY_ROWS=$(wc -l <"$WORK/history.json")
	log "(8) history: $Q_HISTORY_ROWS observations in $(fmt %.0f "$Q_HISTORY_MS") ms"

	rm -rf "$WORK/export"
	timed_rss "$SEDIMENT" export --format jsonl --out "$WORK/export" --config "$CONFIG"
	[ "$LAST_RC" = 0 ] || die "sediment export failed"
	Q_EXPORT_SECONDS=$LAST_SECONDS
	Q_EXPORT_RSS_MIB=$(calc "$LAST_RSS_KB / 1024")
	Q_EXPORT_ROWS=$(cat "$WORK"/export/*.jsonl | wc -l)
	Q_EXPORT_RATE=$(calc "$Q_EXPORT_ROWS / $Q_EXPORT_SECONDS")
	log "(8) export: $Q_EXPORT_ROWS rows in $(fmt %.2f "$Q_EXPORT_SECONDS") s, peak RSS $(fmt %.0f "$Q_EXPORT_RSS_MIB") MiB"

	# (13) research views on the same archive: one query on the catalog against the git CLI
	# run a study would script for the same answer. Commits per month must agree exactly.
	# research_sql QUERY: its rows on stdout; LAST_SECONDS is the query's own time (opening the
	# catalog, running the query, reading every row), without the interpreter's start.
	research_sql() {
		"$PY" -c 'import sqlite3, sys, time
t0 = time.perf_counter()
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
rows = db.execute(sys.argv[2]).fetchall()
elapsed = time.perf_counter() - t0
for row in rows:
    print("|".join("" if v is None else str(v) for v in row))
print(elapsed, file=sys.stderr)' "$SED1/store/catalog.sqlite" "$1" 2>"$WORK/query.seconds"
		LAST_RC=$?
		LAST_SECONDS=$(cat "$WORK/query.seconds")
	}
	git_months() { TZ=UTC git -C "$GIT1/big.git" log --all --format=%cd --date=format-local:%Y-%m | sort | uniq -c | awk '{ print $2 "|" $1 }'; }
	git_changes() { git -C "$GIT1/big.git" log --all --date-order --reverse --no-renames --name-status --format='C %ct %H'; }
	R_MONTH_SED=() R_MONTH_GIT=() R_FORMAT_SED=() R_FORMAT_GIT=()
	for _ in $(seq 1 "$BENCH_REPEAT"); do
		research_sql "SELECT month, commits FROM commit_activity WHERE package = 'big' ORDER BY month" >"$WORK/months.sed"
		[ "$LAST_RC" = 0 ] || die "the commit_activity query failed"
		R_MONTH_SED+=("$LAST_SECONDS")
		timed git_months >"$WORK/months.git"
		R_MONTH_GIT+=("$LAST_SECONDS")
		research_sql "SELECT format, change, commit_id, commit_time FROM format_changes WHERE package = 'big'" >"$WORK/formats.sed"
		[ "$LAST_RC" = 0 ] || die "the format_changes query failed"
		R_FORMAT_SED+=("$LAST_SECONDS")
		timed git_changes >"$WORK/formats.git"
		R_FORMAT_GIT+=("$LAST_SECONDS")
	done
	cmp -s "$WORK/months.sed" "$WORK/months.git" || die "commits per month differ from git log's: $(diff "$WORK/months.sed" "$WORK/months.git" | head -n 5)"
	R_MONTHS=$(wc -l <"$WORK/months.sed")
	R_FORMAT_ROWS=$(wc -l <"$WORK/formats.sed")
	R_MONTH_MS=$(calc "$(median "${R_MONTH_SED[@]}") * 1000") R_MONTH_GIT_MS=$(calc "$(median "${R_MONTH_GIT[@]}") * 1000")
	R_FORMAT_MS=$(calc "$(median "${R_FORMAT_SED[@]}") * 1000") R_FORMAT_GIT_MS=$(calc "$(median "${R_FORMAT_GIT[@]}") * 1000")
	R_MONTH_RATIO=$(calc "$R_MONTH_MS / $R_MONTH_GIT_MS") R_FORMAT_RATIO=$(calc "$R_FORMAT_MS / $R_FORMAT_GIT_MS")
	log "(13) commits per month ($R_MONTHS months): query $(fmt %.0f "$R_MONTH_MS") ms, git log $(fmt %.0f "$R_MONTH_GIT_MS") ms"
	log "(13) format changes ($R_FORMAT_ROWS rows): query $(fmt %.0f "$R_FORMAT_MS") ms, git log --name-status $(fmt %.0f "$R_FORMAT_GIT_MS") ms"
	Q_STATUS="ok"
fi
save_results queries Q_STATUS D_SED D_GIT D_RATIO D_CHANGES DL_SED DL_GIT DL_RATIO DL_CHANGES Q_HISTORY_MS Q_HISTORY_ROWS \
	Q_EXPORT_RSS_MIB Q_EXPORT_ROWS Q_EXPORT_RATE R_MONTHS R_MONTH_MS R_MONTH_GIT_MS R_MONTH_RATIO R_FORMAT_ROWS R_FORMAT_MS \
	R_FORMAT_GIT_MS R_FORMAT_RATIO
[ "$SEDIMENT_FAILURES" = 0 ]
