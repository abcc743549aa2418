# shellcheck shell=bash
# Sediment runs and the shared data of the benchmarks (sourced by bench/lib.sh).

# git_config FILE STORE URL...: a one-hub configuration of the git repositories URL...,
# written by the fixture world of bench/worlds/git.json (git_world must have run).
git_config() {
	local file=$1 store=$2 list
	shift 2
	list=$("$PY" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@")
	world_config "$WORK/git-world" "$file" --set "store=$store" --set "repositories=$list"
}

# git_world: the git server of bench/worlds/git.json over $WORK/git-world/served, whose
# bytes log is BYTES_LOG; BASE_URL is its address. Started once per BENCH_WORK.
git_world() {
	BYTES_LOG="$WORK/bytes.log"
	SERVED="$WORK/git-world/served"
	if [ -f "$WORK/git-world/world-state.json" ]; then
		GIT_URL=$("$PY" "$WORLD_PY" url "$WORK/git-world" git)
	else
		: >"$BYTES_LOG"
		world_up "$WORK/git-world" git --bytes-log "$BYTES_LOG"
	fi
	BASE_URL=$GIT_URL
}

# big_repository: the served large repository of BENCH_COMMITS commits (generated once per
# BENCH_WORK by bench/gen_repo.py through git fast-import, then repacked into one pack, as
# a served repository would be). Sets BIG, BIG_URL and BIG_* figures.
BENCH_COMMITS=${BENCH_COMMITS:-2000}
BENCH_NEW_COMMITS=10
big_repository() {
	git_world
	BIG="$SERVED/big.git"
	BIG_URL="$BASE_URL/big.git"
	if [ ! -d "$BIG" ]; then
		log "generating the large repository ($BENCH_COMMITS commits)"
		git init -q --bare -b main "$BIG"
		# shellcheck disable=SC2016  # expanded by the inner bash
		timed bash -c 'set -o pipefail; "$1" bench/gen_repo.py --profile large --commits "$2" | git -C "$3" fast-import --quiet' _ "$PY" "$BENCH_COMMITS" "$BIG"
		[ "$LAST_RC" = 0 ] || die "generating the repository failed"
		git -C "$BIG" repack -a -d -q
		log "generated in $(fmt %.1f "$LAST_SECONDS") s"
	fi
	BIG_FILES=$(git -C "$BIG" ls-tree -r main | wc -l)
	BIG_COMMITS=$(git -C "$BIG" rev-list --count --all)
	BIG_PACK_BYTES=$(cat "$BIG"/objects/pack/*.pack | wc -c)
	BIG_CONTENT_BYTES=$(git -C "$BIG" ls-tree -r -l main | awk '$2 == "blob" { s += $4 } END { print s + 0 }')
}

# Summarizes `sediment sync --json` output; sets JS_VISITS JS_FAILED JS_EVENTFUL JS_BYTES
# JS_OBJECTS JS_COMMITS.
json_summary() {
	read -r JS_VISITS JS_FAILED JS_EVENTFUL JS_BYTES JS_OBJECTS JS_COMMITS < <("$PY" - "$1" <<-'PY'
	import json, sys
	visits = failed = eventful = 0
	sums = {"bytes_received": 0, "objects_received": 0, "new_commits": 0}
	for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
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
	print(visits, failed, eventful, sums["bytes_received"], sums["objects_received"], sums["new_commits"])
	PY
	)
}

# run_sync NAME CONFIG: one timed `sediment sync --json`, output in $WORK/NAME.json and
# .err; sets LAST_* and JS_*; counts a failure in SEDIMENT_FAILURES.
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

# json_field FILE EXPRESSION: EXPRESSION (Python, over `v`, the last JSON line of FILE).
json_field() {
	"$PY" -c 'import json, sys
v = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
print(eval(sys.argv[2]))' "$1" "$2"
}

# catalog_value CATALOG QUERY: the first column of the first row, read-only (0 when the
# catalog or the row is missing).
catalog_value() {
	"$PY" - "$1" "$2" <<-'PY'
	import os, sqlite3, sys
	if not os.path.exists(sys.argv[1]):
	    print(0); sys.exit()
	try:
	    row = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True).execute(sys.argv[2]).fetchone()
	except sqlite3.OperationalError:
	    row = None
	print(row[0] if row and row[0] is not None else 0)
	PY
}
