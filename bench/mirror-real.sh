#!/usr/bin/env bash
# (1b) First mirror of the real model repository (BENCH_REAL_REPO, see bench/lib-repos.sh)
# served on loopback: `sediment sync` into a fresh store against `git clone --mirror`, wall
# time (median of BENCH_REPEAT) and peak RSS, with the median seconds of each step
# `sync --json` reports. Leaves the last store and git mirror for bench/bytes.sh (their
# folders in $WORK/real-mirror-last). Skipped when the repository is not available.
# Knobs: bench/lib.sh's. Run by bench/run.sh, or alone.
set -euo pipefail
BENCH_NAME=bench-mirror-real
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_start git time
R_STATUS="not run"
if ! real_repository; then
	R_STATUS=$REAL_STATUS
	log "(1b) skipped: the real repository is $REAL_STATUS"
	save_results mirror-real R_STATUS
	exit 0
fi

first_mirror "$REAL_URL" real-mirror
R_GIT_TIMES=("${FM_GIT_TIMES[@]}") R_SED_TIMES=("${FM_SED_TIMES[@]}")
R_STATUS=$FM_STATUS
R_GIT=$(median "${R_GIT_TIMES[@]}")
R_GIT_RSS_MIB=$(calc "$(maxof "${FM_GIT_RSS[@]}") / 1024")
if [ "$R_STATUS" = ok ]; then
	R_SED=$(median "${R_SED_TIMES[@]}")
	R_SED_RSS_MIB=$(calc "$(maxof "${FM_SED_RSS[@]}") / 1024")
	R_RATIO=$(calc "$R_SED / $R_GIT")
	R_SED_STEPS=$(step_medians "$WORK"/real-mirror-[0-9]*.json)
	log "(1b) sediment sync $(fmt %.2f "$R_SED") s against git clone --mirror $(fmt %.2f "$R_GIT") s: $(fmt %.2f "$R_RATIO")×; steps: $R_SED_STEPS"
fi
printf '%s\n' "$FM_SED_DIR" "$FM_GIT_DIR" >"$WORK/real-mirror-last"
save_results mirror-real R_STATUS REAL_NAME REAL_HEAD REAL_SOURCE_HEAD REAL_BRANCH REAL_MISSING REAL_REMOVED REAL_COMMITS REAL_REFS \
	REAL_FILES REAL_PACK_BYTES R_GIT_TIMES R_SED_TIMES R_GIT R_GIT_RSS_MIB R_SED R_SED_RSS_MIB R_RATIO R_SED_STEPS
[ "$SEDIMENT_FAILURES" = 0 ]
