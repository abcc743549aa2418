#!/usr/bin/env bash
# (3) No-op sync of BENCH_SMALL_REPOS (100) small repositories (2-5 commits each, from
# bench/gen_repo.py): after both sides mirrored them once, one `sediment sync` over all of
# them against a bash loop of `git -C MIRROR fetch`, nothing new on the server (median of
# BENCH_REPEAT). Run by bench/run.sh, or alone.
set -euo pipefail
BENCH_NAME=bench-noop
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_SMALL_REPOS=${BENCH_SMALL_REPOS:-100}
bench_start git time
git_world

log "(3) no-op: generating $BENCH_SMALL_REPOS small repositories"
mkdir -p "$SERVED/small" "$WORK/git3" "$WORK/sed3"
SMALL_URLS=()
for i in $(seq 1 "$BENCH_SMALL_REPOS"); do
	name=$(printf 'r%03d' "$i")
	git init -q --bare -b main "$SERVED/small/$name.git"
	"$PY" bench/gen_repo.py --profile small --seed "$i" --commits "$((2 + i % 4))" |
		git -C "$SERVED/small/$name.git" fast-import --quiet
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

N_SED_STATUS="failed"
git_config "$WORK/sed3/config.toml" "$WORK/sed3/store" "${SMALL_URLS[@]}"
if run_sync small-first "$WORK/sed3/config.toml"; then
	N_SED_FIRST=$LAST_SECONDS
	N_SED_STATUS="ok"
	log "(3) first sediment sync of all: $(fmt %.2f "$N_SED_FIRST") s, $JS_VISITS visits"
	[ "$JS_VISITS" = "$BENCH_SMALL_REPOS" ] || log "(3) warning: $JS_VISITS visits reported, expected $BENCH_SMALL_REPOS"
fi

N_GIT_TIMES=() N_SED_TIMES=()
N_SED_EVENTFUL=0
for i in $(seq 1 "$BENCH_REPEAT"); do
	timed_step N_GIT_TIMES "(3) run $i: git fetch loop" git_fetch_all
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
save_results noop BENCH_SMALL_REPOS N_GIT_FIRST N_SED_FIRST N_SED_STATUS N_GIT_TIMES N_SED_TIMES N_SED_EVENTFUL N_GIT N_SED N_RATIO
[ "$SEDIMENT_FAILURES" = 0 ]
