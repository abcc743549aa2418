#!/usr/bin/env bash
# (1) + (5) First mirror of the large repository (bench/gen_repo.py, BENCH_COMMITS commits,
# ~5,000 files, ~50 MB packed): `sediment sync` into a fresh store against
# `git clone --mirror`, wall time (median of BENCH_REPEAT) and peak RSS (GNU time).
# Leaves the last store ($WORK/mirror-sed-N) and git mirror ($WORK/mirror-git-N) for
# incremental.sh and queries.sh (their folders in $WORK/mirror-last).
# Knobs: bench/lib.sh's, BENCH_COMMITS (default 2000). Run by bench/run.sh, or alone.
set -euo pipefail
BENCH_NAME=bench-mirror
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_start git time
big_repository
log "large repository: $BIG_COMMITS commits, $BIG_FILES files, content $(human_bytes "$BIG_CONTENT_BYTES"), pack $(human_bytes "$BIG_PACK_BYTES")"

first_mirror "$BIG_URL" mirror
M_GIT_TIMES=("${FM_GIT_TIMES[@]}") M_GIT_RSS=("${FM_GIT_RSS[@]}") M_SED_TIMES=("${FM_SED_TIMES[@]}") M_SED_RSS=("${FM_SED_RSS[@]}")
M_SED_STATUS=$FM_STATUS
M_GIT=$(median "${M_GIT_TIMES[@]}")
M_GIT_RSS_MIB=$(calc "$(maxof "${M_GIT_RSS[@]}") / 1024")
if [ "$M_SED_STATUS" = ok ]; then
	M_SED=$(median "${M_SED_TIMES[@]}")
	M_SED_RSS_MIB=$(calc "$(maxof "${M_SED_RSS[@]}") / 1024")
	M_RATIO=$(calc "$M_SED / $M_GIT")
	# Where the time went: sediment reports seconds per visit step (medians of the runs).
	M_SED_STEPS=$(step_medians "$WORK"/mirror-[0-9]*.json)
fi
# Where the store and the mirror of the last repetition are, for incremental.sh and queries.sh.
printf '%s\n' "$FM_SED_DIR" "$FM_GIT_DIR" >"$WORK/mirror-last"
save_results mirror BENCH_COMMITS BIG_COMMITS BIG_FILES BIG_PACK_BYTES BIG_CONTENT_BYTES M_GIT_TIMES M_SED_TIMES M_SED_STATUS \
	M_GIT M_GIT_RSS_MIB M_SED M_SED_RSS_MIB M_RATIO M_SED_STEPS
[ "$SEDIMENT_FAILURES" = 0 ]
