#!/usr/bin/env bash
# (1) + (5) First mirror of the large repository (bench/gen_repo.py, BENCH_COMMITS commits,
# ~5,000 files, ~50 MB packed): `sediment sync` into a fresh store against
# `git clone --mirror`, wall time (median of BENCH_REPEAT) and peak RSS (GNU time).
# Leaves the last store ($WORK/sed1-N) and git mirror ($WORK/git1-N) for incremental.sh.
# Knobs: bench/lib.sh's, BENCH_COMMITS (default 2000). Run by bench/run.sh, or alone.
set -euo pipefail
BENCH_NAME=bench-mirror
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_start git time
big_repository
log "large repository: $BIG_COMMITS commits, $BIG_FILES files, content $(human_bytes "$BIG_CONTENT_BYTES"), pack $(human_bytes "$BIG_PACK_BYTES")"

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

	SED1="$WORK/sed1-$i"
	mkdir -p "$SED1"
	git_config "$SED1/config.toml" "$SED1/store" "$BIG_URL"
	if run_sync "mirror-$i" "$SED1/config.toml"; then
		M_SED_TIMES+=("$LAST_SECONDS")
		M_SED_RSS+=("$LAST_RSS_KB")
		M_SED_STATUS="ok"
		log "(1) run $i: sediment sync $(fmt %.2f "$LAST_SECONDS") s, peak RSS $((LAST_RSS_KB / 1024)) MiB, $JS_OBJECTS objects, $JS_BYTES bytes, $JS_COMMITS new commits"
	else
		M_SED_STATUS="failed"
		break
	fi
done
M_GIT=$(median "${M_GIT_TIMES[@]}")
M_GIT_RSS_MIB=$(calc "$(maxof "${M_GIT_RSS[@]}") / 1024")
if [ "$M_SED_STATUS" = ok ]; then
	M_SED=$(median "${M_SED_TIMES[@]}")
	M_SED_RSS_MIB=$(calc "$(maxof "${M_SED_RSS[@]}") / 1024")
	M_RATIO=$(calc "$M_SED / $M_GIT")
	# Where the time went in the last run: sediment reports seconds per visit step.
	M_SED_STEPS=$(json_field "$WORK/mirror-$BENCH_REPEAT.json" '", ".join("%s %.2f s" % kv for kv in v.get("seconds", {}).items())' 2>/dev/null || echo unknown)
fi
# Where the store and the mirror of the last repetition are, for incremental.sh and queries.sh.
printf '%s\n' "$SED1" "$GIT1" >"$WORK/mirror-last"
save_results mirror BENCH_COMMITS BIG_COMMITS BIG_FILES BIG_PACK_BYTES BIG_CONTENT_BYTES M_GIT_TIMES M_SED_TIMES M_SED_STATUS \
	M_GIT M_GIT_RSS_MIB M_SED M_SED_RSS_MIB M_RATIO M_SED_STEPS
[ "$SEDIMENT_FAILURES" = 0 ]
