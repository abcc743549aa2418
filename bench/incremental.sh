#!/usr/bin/env bash
# (2) Incremental sync after BENCH_NEW_COMMITS (10) new commits in the large repository:
# upload-pack response bytes on the wire (the git server's bytes log) of `sediment sync`
# into mirror.sh's store against `git fetch` in its git mirror. Run by bench/run.sh after
# mirror.sh in the same BENCH_WORK; alone, it runs mirror.sh first (BENCH_REPEAT=1).
set -euo pipefail
BENCH_NAME=bench-incremental
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_start git time
if [ ! -f "$WORK/mirror-last" ]; then
	BENCH_WORK=$WORK BENCH_REPEAT=1 bash "$REPO_ROOT/bench/mirror.sh"
fi
{ read -r SED1; read -r GIT1; } <"$WORK/mirror-last"
big_repository

log "(2) incremental: appending $BENCH_NEW_COMMITS commits to the served repository"
"$PY" bench/gen_repo.py --profile large --commits "$((BENCH_COMMITS + BENCH_NEW_COMMITS))" --skip "$BENCH_COMMITS" |
	git -C "$BIG" fast-import --quiet
BIG_TIP=$(git -C "$BIG" rev-parse refs/heads/main)

I_SED_STATUS="not run"
if [ -f "$SED1/store/catalog.sqlite" ]; then
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
[ "$I_SED_STATUS" != ok ] || I_RATIO=$(calc "$I_SED_WIRE / ($I_GIT_WIRE > 0 ? $I_GIT_WIRE : 1)")
save_results incremental BENCH_NEW_COMMITS I_SED_STATUS I_SED_WIRE I_SED_REQUESTS I_SED_REPORTED I_SED_COMMITS \
	I_SED_SECONDS I_GIT_WIRE I_GIT_REQUESTS I_GIT_SECONDS I_RATIO
[ "$SEDIMENT_FAILURES" = 0 ]
