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

# first_mirror URL NAME: after one untimed warm-up clone, BENCH_REPEAT first mirrors of URL:
# `git clone --mirror` into $WORK/NAME-git-i/ and `sediment sync --json` into a fresh store
# in $WORK/NAME-sed-i/ (output $WORK/NAME-i.json), timed with their peak RSS. Sets the
# arrays FM_GIT_TIMES FM_GIT_RSS FM_SED_TIMES FM_SED_RSS, FM_STATUS (ok or failed), and
# FM_GIT_DIR / FM_SED_DIR, the folders of the last repetition (the mirror is
# FM_GIT_DIR/<the URL's last part>, the configuration FM_SED_DIR/config.toml).
# Each repetition writes into new folders, and none is deleted until the end: ext4 makes
# file creation slow right after mass deletions (its inode allocator skips recently
# deleted inodes), which would penalise whichever side creates many files.
first_mirror() {
	local url=$1 name=$2 i
	log "$name: warming up"
	rm -rf "$WORK/warmup.git"
	git clone -q --mirror "$url" "$WORK/warmup.git" || die "git clone --mirror $url failed"
	rm -rf "$WORK/warmup.git"
	FM_GIT_TIMES=() FM_GIT_RSS=() FM_SED_TIMES=() FM_SED_RSS=()
	FM_STATUS="ok"
	for i in $(seq 1 "$BENCH_REPEAT"); do
		FM_GIT_DIR="$WORK/$name-git-$i"
		FM_SED_DIR="$WORK/$name-sed-$i"
		rm -rf "$FM_GIT_DIR" "$FM_SED_DIR" # left by an earlier run in the same BENCH_WORK
		mkdir -p "$FM_GIT_DIR"
		timed_rss git clone -q --mirror "$url" "$FM_GIT_DIR/$(basename "$url")"
		[ "$LAST_RC" = 0 ] || die "git clone --mirror $url failed"
		FM_GIT_TIMES+=("$LAST_SECONDS")
		FM_GIT_RSS+=("$LAST_RSS_KB")
		log "$name run $i: git clone --mirror $(fmt %.2f "$LAST_SECONDS") s, peak RSS $((LAST_RSS_KB / 1024)) MiB"

		mkdir -p "$FM_SED_DIR"
		git_config "$FM_SED_DIR/config.toml" "$FM_SED_DIR/store" "$url"
		if ! run_sync "$name-$i" "$FM_SED_DIR/config.toml"; then
			FM_STATUS="failed"
			break
		fi
		FM_SED_TIMES+=("$LAST_SECONDS")
		FM_SED_RSS+=("$LAST_RSS_KB")
		log "$name run $i: sediment sync $(fmt %.2f "$LAST_SECONDS") s, peak RSS $((LAST_RSS_KB / 1024)) MiB, $JS_OBJECTS objects, $JS_BYTES bytes, $JS_COMMITS new commits"
	done
}

# step_medians FILE...: "fetch 1.93 s, manifests 2.49 s, …", the median over FILEs (each a
# `sediment sync --json` output) of each step's seconds, summed over a file's visits.
step_medians() {
	"$PY" - "$@" <<-'PY'
	import json, statistics, sys
	steps = {}
	for path in sys.argv[1:]:
	    sums = {}
	    for line in open(path, encoding="utf-8", errors="replace"):
	        try:
	            visit = json.loads(line)
	        except ValueError:
	            continue
	        for step, seconds in (visit.get("seconds") or {}).items() if isinstance(visit, dict) else ():
	            sums[step] = sums.get(step, 0) + seconds
	    for step, seconds in sums.items():
	        steps.setdefault(step, []).append(seconds)
	print(", ".join("%s %.2f s" % (step, statistics.median(v)) for step, v in steps.items()) or "unknown")
	PY
}
# step_seconds FILE STEP: STEP's seconds in a `sediment sync --json` output, summed over
# its visits (0 when no visit reports it).
step_seconds() {
	"$PY" -c 'import json, sys
total = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        visit = json.loads(line)
    except ValueError:
        continue
    if isinstance(visit, dict):
        total += (visit.get("seconds") or {}).get(sys.argv[2], 0)
print("%.6f" % total)' "$1" "$2"
}

# lfs_model HUB ID PATH:FILE...: model ID on the fixture hub whose root is HUB (the hub world's
# hub folder): one commit of Git LFS pointers at PATH... to FILE..., which are moved into
# HUB/lfs under their oids, pushed to HUB/ID.git.
lfs_model() {
	local hub=$1 id=$2
	shift 2
	local work=$WORK/work/$id
	mkdir -p "$work" "$hub/lfs"
	git init -q -b main "$work"
	printf '*.bin filter=lfs diff=lfs merge=lfs -text\n*.safetensors filter=lfs diff=lfs merge=lfs -text\n' >"$work/.gitattributes"
	local spec path file oid size
	for spec in "$@"; do
		path=${spec%%:*}; file=${spec#*:}
		oid=$(sha256sum "$file" | cut -d' ' -f1)
		size=$(stat -c %s "$file")
		mkdir -p "$(dirname "$work/$path")"
		printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %s\n' "$oid" "$size" >"$work/$path"
		mv "$file" "$hub/lfs/$oid"
	done
	git -C "$work" add -A && git -C "$work" commit -q -m "upload"
	mkdir -p "$hub/$id.git"
	git init -q --bare "$hub/$id.git"
	git -C "$work" push -q "$hub/$id.git" main
	git -C "$hub/$id.git" symbolic-ref HEAD refs/heads/main
}
