#!/usr/bin/env bash
# (7) `sediment diff` between the large repository's two snapshots (before and after
# incremental.sh's new commits) and (7b) from its first commit to its head, against
# `git diff --name-status -M` in the git mirror (median of BENCH_REPEAT); (8) `sediment
# history --json` of a package given 1,000 observations (copies of its latest, recorded
# through the catalog by `sediment-bench seed-observations`) and `sediment export --format
# jsonl` of that catalog: rows per second and peak RSS. Run by bench/run.sh after
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
	Q_STATUS="ok"
fi
save_results queries Q_STATUS D_SED D_GIT D_RATIO D_CHANGES DL_SED DL_GIT DL_RATIO DL_CHANGES Q_HISTORY_MS Q_HISTORY_ROWS \
	Q_EXPORT_RSS_MIB Q_EXPORT_ROWS Q_EXPORT_RATE
[ "$SEDIMENT_FAILURES" = 0 ]
