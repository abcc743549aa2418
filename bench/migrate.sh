#!/usr/bin/env bash
# (12) `sediment migrate` of a loose archive of about 5,000 blobs. The archive: a served
# repository of one commit of BENCH_MIGRATE_BLOBS (5,000) small files mirrored by the
# sediment of BENCH_LOOSE_COMMIT, the last commit before packs, which writes one file per
# blob (<store>/blobs/<hh>/<64 hex>) and its catalog; that binary is built once with
# `swift build -c release` from `git archive` of the commit into BENCH_CACHE (several
# minutes the first time), or given as SEDIMENT_LOOSE. Each repetition copies the archive
# and times `sediment migrate --config … --json` on the copy (median of BENCH_REPEAT):
# seconds, blobs packed per second (its `packed` count), packs written, files under
# blobs/ before and after; then `sediment verify` of the last copy. Skipped, with a line
# saying why, when `sediment migrate --help` fails or does not describe the command (a
# sediment without packs);
# BENCH_MIGRATE_PREPARE=1 builds the loose archive even then, to check the preparation.
# Knobs: bench/lib.sh's, BENCH_MIGRATE_BLOBS, BENCH_LOOSE_COMMIT, SEDIMENT_LOOSE,
# BENCH_MIGRATE_PREPARE. Run by bench/run.sh, or alone.
set -euo pipefail
BENCH_NAME=bench-migrate
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_MIGRATE_BLOBS=${BENCH_MIGRATE_BLOBS:-5000}
BENCH_LOOSE_COMMIT=${BENCH_LOOSE_COMMIT:-28c939c}
SEDIMENT_LOOSE=${SEDIMENT_LOOSE:-}
bench_start git time
G_STATUS="not run"
G_TIMES=()
done_here() { save_results migrate BENCH_MIGRATE_BLOBS G_STATUS G_LOOSE_COMMIT G_ARCHIVE_FILES G_ARCHIVE_BYTES G_ARCHIVE_SECONDS G_TIMES G_SECONDS \
	G_PACKED G_PACKS G_RATE G_FILES_AFTER G_BYTES_AFTER G_RSS_MIB G_VERIFY; exit "${1:-0}"; }

# `sediment migrate --help` fails, or (an unknown subcommand) prints the general help.
if ! "$SEDIMENT" migrate --help >"$WORK/migrate-help.out" 2>&1 || ! grep -q 'USAGE: sediment migrate' "$WORK/migrate-help.out"; then
	G_STATUS="skipped: this sediment has no migrate command"
	log "(12) $G_STATUS ('$SEDIMENT migrate --help' does not describe it)"
	[ "${BENCH_MIGRATE_PREPARE:-0}" = 1 ] || done_here
fi

# loose_binary: SEDIMENT_LOOSE, built from BENCH_LOOSE_COMMIT when not given; 1 when it
# cannot be had.
loose_binary() {
	local commit dir
	if [ -n "$SEDIMENT_LOOSE" ]; then
		G_LOOSE_COMMIT="given ($SEDIMENT_LOOSE)"
		[ -x "$SEDIMENT_LOOSE" ]
		return
	fi
	commit=$(git -c safe.directory='*' -C "$REPO_ROOT" rev-parse -q --verify "$BENCH_LOOSE_COMMIT^{commit}") || {
		log "(12) commit $BENCH_LOOSE_COMMIT is not in $REPO_ROOT"
		return 1
	}
	G_LOOSE_COMMIT=${commit:0:12}
	dir="$BENCH_CACHE/loose-$G_LOOSE_COMMIT"
	SEDIMENT_LOOSE="$dir/build/release/sediment"
	[ -x "$SEDIMENT_LOOSE" ] && return 0
	log "(12) building the sediment of $G_LOOSE_COMMIT (loose blobs) once, into $dir: swift build -c release, several minutes"
	rm -rf "$dir/src"
	mkdir -p "$dir/src"
	git -c safe.directory='*' -C "$REPO_ROOT" archive "$commit" | tar -x -C "$dir/src"
	[ ! -f "$REPO_ROOT/Package.resolved" ] || cp "$REPO_ROOT/Package.resolved" "$dir/src/"
	# As the caller would build: their home (package caches) and this machine's git
	# configuration (it may say where the packages are).
	if ! (cd "$dir/src" && env -u GIT_CONFIG_NOSYSTEM -u GIT_TERMINAL_PROMPT HOME="$BENCH_USER_HOME" TMPDIR="$BENCH_USER_TMPDIR" \
		swift build -c release --product sediment --scratch-path "$dir/build") >"$dir/build.log" 2>&1; then
		log "(12) building $G_LOOSE_COMMIT failed: $(tail -n 3 "$dir/build.log")"
		return 1
	fi
	rm -rf "$dir/src"
}
if ! loose_binary; then
	G_STATUS="skipped: no sediment of $BENCH_LOOSE_COMMIT to write the loose archive"
	log "(12) $G_STATUS"
	done_here
fi

flat_repository "small-$BENCH_MIGRATE_BLOBS" "$BENCH_MIGRATE_BLOBS"
ARCHIVE="$WORK/loose-archive"
rm -rf "$ARCHIVE"
mkdir -p "$ARCHIVE"
git_config "$ARCHIVE/config.toml" "$ARCHIVE/store" "$FLAT_URL"
SEDIMENT=$SEDIMENT_LOOSE run_sync loose-archive "$ARCHIVE/config.toml" || { G_STATUS="failed"; done_here 1; }
G_ARCHIVE_SECONDS=$LAST_SECONDS
read -r G_ARCHIVE_FILES G_ARCHIVE_BYTES < <(store_files "$ARCHIVE/store")
log "(12) loose archive by $G_LOOSE_COMMIT in $(fmt %.2f "$G_ARCHIVE_SECONDS") s: $G_ARCHIVE_FILES files under blobs/, $(human_bytes "$G_ARCHIVE_BYTES")"
[ "$G_STATUS" = "not run" ] || done_here

# migrate_json FILE KEY: KEY of the JSON object `migrate --json` printed (the whole output,
# or its last line), or 0.
migrate_json() {
	"$PY" -c 'import json, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
try:
    v = json.loads(text)
except ValueError:
    lines = [l for l in text.splitlines() if l.strip()]
    v = json.loads(lines[-1]) if lines else {}
print(v.get(sys.argv[2], 0) if isinstance(v, dict) else 0)' "$1" "$2" 2>/dev/null || echo 0
}
G_STATUS=ok
G_RSS=()
for i in $(seq 1 "$BENCH_REPEAT"); do
	COPY="$WORK/migrate-$i"
	rm -rf "$COPY"
	mkdir -p "$COPY"
	cp -a "$ARCHIVE/store" "$COPY/store"
	git_config "$COPY/config.toml" "$COPY/store" "$FLAT_URL"
	timed_rss "$SEDIMENT" migrate --config "$COPY/config.toml" --json >"$WORK/migrate-$i.json" 2>"$WORK/migrate-$i.err"
	if [ "$LAST_RC" != 0 ]; then
		log "(12) sediment migrate failed (exit $LAST_RC): $(tail -n 3 "$WORK/migrate-$i.err")"
		SEDIMENT_FAILURES=$((SEDIMENT_FAILURES + 1))
		G_STATUS="failed"
		break
	fi
	G_TIMES+=("$LAST_SECONDS")
	G_RSS+=("$LAST_RSS_KB")
	G_PACKED=$(migrate_json "$WORK/migrate-$i.json" packed)
	G_PACKS=$(migrate_json "$WORK/migrate-$i.json" packs)
	read -r G_FILES_AFTER G_BYTES_AFTER < <(store_files "$COPY/store")
	log "(12) run $i: migrate $(fmt %.2f "$LAST_SECONDS") s, $G_PACKED blobs packed into $G_PACKS packs; files under blobs/ $G_ARCHIVE_FILES -> $G_FILES_AFTER"
done
if [ "$G_STATUS" = ok ]; then
	G_SECONDS=$(median "${G_TIMES[@]}")
	G_RATE=$(calc "$G_PACKED / ($G_SECONDS > 0 ? $G_SECONDS : 1e-9)")
	G_RSS_MIB=$(calc "$(maxof "${G_RSS[@]}") / 1024")
	if "$SEDIMENT" verify --config "$COPY/config.toml" >"$WORK/migrate-verify.out" 2>&1; then G_VERIFY=0; else G_VERIFY=$?; fi
	log "(12) sediment verify after migrate: exit $G_VERIFY"
	[ "$G_VERIFY" = 0 ] || { tail -n 5 "$WORK/migrate-verify.out" >&2; SEDIMENT_FAILURES=$((SEDIMENT_FAILURES + 1)); }
fi
save_results migrate BENCH_MIGRATE_BLOBS G_STATUS G_LOOSE_COMMIT G_ARCHIVE_FILES G_ARCHIVE_BYTES G_ARCHIVE_SECONDS G_TIMES G_SECONDS \
	G_PACKED G_PACKS G_RATE G_FILES_AFTER G_BYTES_AFTER G_RSS_MIB G_VERIFY
[ "$SEDIMENT_FAILURES" = 0 ]
