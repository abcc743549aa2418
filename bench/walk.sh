#!/usr/bin/env bash
# (9) History walk of a first mirror, for the generated large repository and (9b) the real
# one: Sediment's figure is `sediment-bench walk MIRROR`, the walk of a first visit alone
# (every commit of the branches and tags diffed against its first parent, renames as
# `git log -M`); shown beside it, the `walk` step of `sediment sync --json` (`seconds.walk`,
# on its own thread while the manifests are built on the other core; `walk-wait` is how
# long the visit then waited for it). The reference is
# `git log --branches --tags --name-status -M` over a `git clone --mirror` of the same
# served repository (output to a file); medians of BENCH_REPEAT. Each sync is a first
# mirror into a fresh store, so every commit is walked.
# Knobs: bench/lib.sh's, BENCH_COMMITS. Run by bench/run.sh (before incremental.sh adds
# commits to the large repository), or alone.
set -euo pipefail
BENCH_NAME=bench-walk
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_start git time

# walk_measure NAME URL: sets W_STATUS, W_SED (median walk s), W_WAIT (median walk-wait s),
# W_GIT (median git log s), W_RATIO, W_COMMITS (sediment's new commits), W_GIT_COMMITS
# (commits git log walks), W_GIT_LINES (lines of its output), W_SED_TIMES, W_GIT_TIMES.
walk_measure() {
	local name=$1 url=$2 i mirror
	W_STATUS="ok" W_SED_TIMES=() W_WAIT_TIMES=() W_GIT_TIMES=() W_ALONE_TIMES=()
	mirror="$WORK/$name-git/$(basename "$url")"
	rm -rf "$WORK/$name-git"
	git clone -q --mirror "$url" "$mirror" || die "git clone --mirror $url failed"
	W_GIT_COMMITS=$(git -C "$mirror" rev-list --count --branches --tags)
	git_log() { git -C "$mirror" log --branches --tags --name-status -M >"$WORK/$name.log"; }
	git_log # warm-up
	for i in $(seq 1 "$BENCH_REPEAT"); do
		timed_step W_GIT_TIMES "$name run $i: git log --branches --tags --name-status -M" git_log
		W_ALONE_TIMES+=("$("$SEDIMENT_BENCH" walk "$mirror" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')")
		log "$name run $i: sediment-bench walk $(fmt %.2f "${W_ALONE_TIMES[-1]}") s"
		rm -rf "$WORK/$name-sed-$i" # left by an earlier run in the same BENCH_WORK
		mkdir -p "$WORK/$name-sed-$i"
		git_config "$WORK/$name-sed-$i/config.toml" "$WORK/$name-sed-$i/store" "$url"
		if ! run_sync "$name-$i" "$WORK/$name-sed-$i/config.toml"; then
			W_STATUS="failed"
			break
		fi
		W_SED_TIMES+=("$(step_seconds "$WORK/$name-$i.json" walk)")
		W_WAIT_TIMES+=("$(step_seconds "$WORK/$name-$i.json" walk-wait)")
		W_COMMITS=$JS_COMMITS
		log "$name run $i: sediment walk $(fmt %.2f "${W_SED_TIMES[-1]}") s (walk-wait $(fmt %.2f "${W_WAIT_TIMES[-1]}") s) of $JS_COMMITS commits, sync $(fmt %.2f "$LAST_SECONDS") s"
	done
	W_GIT_LINES=$(wc -l <"$WORK/$name.log")
	W_GIT=$(median "${W_GIT_TIMES[@]}")
	if [ "$W_STATUS" = ok ]; then
		W_SED=$(median "${W_SED_TIMES[@]}")
		W_WAIT=$(median "${W_WAIT_TIMES[@]}")
		W_ALONE=$(median "${W_ALONE_TIMES[@]}")
		W_RATIO=$(calc "$W_ALONE / ($W_GIT > 0 ? $W_GIT : 1e-9)")
		log "$name: walk alone $(fmt %.2f "$W_ALONE") s, in sync $(fmt %.2f "$W_SED") s (walk-wait $(fmt %.2f "$W_WAIT") s) against git log $(fmt %.2f "$W_GIT") s: $(fmt %.2f "$W_RATIO")×"
	fi
}

big_repository
walk_measure walk-big "$BIG_URL"
WG_STATUS=$W_STATUS WG_ALONE=${W_ALONE:-0} WG_ALONE_TIMES=("${W_ALONE_TIMES[@]}") WG_SED=${W_SED:-0} WG_WAIT=${W_WAIT:-0} WG_GIT=$W_GIT WG_RATIO=${W_RATIO:-0} WG_COMMITS=${W_COMMITS:-0}
WG_GIT_COMMITS=$W_GIT_COMMITS WG_GIT_LINES=$W_GIT_LINES WG_SED_TIMES=("${W_SED_TIMES[@]}") WG_GIT_TIMES=("${W_GIT_TIMES[@]}")

WR_STATUS="not run"
if real_repository; then
	walk_measure walk-real "$REAL_URL"
	WR_STATUS=$W_STATUS WR_ALONE=${W_ALONE:-0} WR_ALONE_TIMES=("${W_ALONE_TIMES[@]}") WR_SED=${W_SED:-0} WR_WAIT=${W_WAIT:-0} WR_GIT=$W_GIT WR_RATIO=${W_RATIO:-0} WR_COMMITS=${W_COMMITS:-0}
	WR_GIT_COMMITS=$W_GIT_COMMITS WR_GIT_LINES=$W_GIT_LINES WR_SED_TIMES=("${W_SED_TIMES[@]}") WR_GIT_TIMES=("${W_GIT_TIMES[@]}")
else
	WR_STATUS=$REAL_STATUS
	log "(9b) skipped: the real repository is $REAL_STATUS"
fi
save_results walk WG_STATUS WG_ALONE WG_ALONE_TIMES WR_ALONE WR_ALONE_TIMES WG_SED WG_WAIT WG_GIT WG_RATIO WG_COMMITS WG_GIT_COMMITS WG_GIT_LINES WG_SED_TIMES WG_GIT_TIMES \
	WR_STATUS WR_SED WR_WAIT WR_GIT WR_RATIO WR_COMMITS WR_GIT_COMMITS WR_GIT_LINES WR_SED_TIMES WR_GIT_TIMES
[ "$SEDIMENT_FAILURES" = 0 ]
