#!/usr/bin/env bash
# `sediment serve` on a big catalog and a big revision, release build, all on 127.0.0.1:
#
#   15a. server time of the package page, the trends page, `/api/models?search=`, the home
#        page and the package list, on a synthetic catalog of BENCH_SERVE_PACKAGES packages
#        with BENCH_SERVE_OBSERVATIONS observations each (bench/serve_seed.py; default
#        100,000 and 30: 3,000,000 observations), read from each answer's Server-Timing;
#        p50 and p99. Target: under 200 ms each.
#   15b. `snapshot_download` (huggingface_hub from PyPI, .build/hf-venv) of an archived
#        revision of BENCH_SERVE_MB MB (four safetensors shards of random bytes, fetched by
#        `sediment sync` from the fixture hub) through the endpoint, against reading the same
#        files from the archive's disk into a folder (`cat`; `cp` shown too); `curl` through
#        the endpoint shows the server apart from the client. Median of BENCH_SERVE_REPEAT
#        runs, each into a new folder. Target: at least 0.8x of `cat`.
#
#   15c. the same client on a real repository (BENCH_SERVE_REAL_REPO, default the fetched
#        PyTorch Hub index repository) archived as a `git` hub's package, against
#        `git archive | tar -x` of the same commit.
#
# Run by `make bench`, or alone after `make deps` and `swift build -c release`. Prints a table
# and writes BENCH_SERVE_REPORT (default docs/benchmarks-serve.md).
set -euo pipefail
BENCH_NAME=bench-serve
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${BENCH_SERVE_PACKAGES:=100000}" "${BENCH_SERVE_OBSERVATIONS:=30}" "${BENCH_SERVE_MB:=500}" "${BENCH_SERVE_REPEAT:=3}"
: "${BENCH_SERVE_REPORT:=docs/benchmarks-serve.md}"
TARGET_MS=200
TARGET_RATIO=0.8
HF_PYTHON=$REPO_ROOT/.build/hf-venv/bin/python
[ -x "$HF_PYTHON" ] || die "$HF_PYTHON is missing: make deps installs huggingface_hub there"
bench_start curl git sha256sum dd
SERVE_PID= REAL_PID=
bench_stop() {
	local pid
	for pid in $SERVE_PID $REAL_PID; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}

world_up "$WORK/world" hub --set "store=$WORK/store"
HUB=$WORK/world/hub
mkdir -p "$WORK/objects"
SHARDS=4
log "15b: a revision of $BENCH_SERVE_MB MB in $SHARDS shards"
specs=()
for i in $(seq 1 $SHARDS); do
	dd if=/dev/urandom of="$WORK/objects/shard-$i" bs=1M count=$((BENCH_SERVE_MB / SHARDS)) status=none
	specs+=("model-0000$i-of-0000$SHARDS.safetensors:$WORK/objects/shard-$i")
done
lfs_model "$HUB" bench/big "${specs[@]}"
BIG_HEAD=$(git -C "$HUB/bench/big.git" rev-parse HEAD)
printf '[{"id": "bench/big"}]\n' >"$HUB/models.json"
world_config "$WORK/world" "$WORK/sediment.toml" --set "store=$WORK/store"
"$SEDIMENT" sync --config "$WORK/sediment.toml" >"$WORK/sync.log" 2>&1 || die "sync failed: $(tail -n 3 "$WORK/sync.log")"

log "15a: $BENCH_SERVE_PACKAGES packages x $BENCH_SERVE_OBSERVATIONS observations into the catalog"
SEED=$("$PY" bench/serve_seed.py "$WORK/store/catalog.sqlite" bench "$BENCH_SERVE_PACKAGES" "$BENCH_SERVE_OBSERVATIONS")
log "  $SEED"
# The synthetic hub is a Hugging Face hub: its packages are served under their own ids.
printf '\n[[hub]]\nkind = "huggingface"\nname = "bench"\nendpoint = "%s"\n' "$HUB_URL" >>"$WORK/sediment.toml"

t0=$(now)
"$SEDIMENT" serve --config "$WORK/sediment.toml" --listen 127.0.0.1:0 2>"$WORK/serve.log" &
SERVE_PID=$!
for _ in $(seq 1 1200); do grep -q "on http://" "$WORK/serve.log" && break; kill -0 "$SERVE_PID" 2>/dev/null || die "serve exited: $(cat "$WORK/serve.log")"; sleep 0.1; done
STARTUP=$(calc "$(now) - $t0")
ORIGIN=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/serve.log" | head -n 1)
[ -n "$ORIGIN" ] || die "serve did not start: $(cat "$WORK/serve.log")"
log "serving on $ORIGIN after $(fmt %.1f "$STARTUP") s (the catalog read into memory)"

# The requests: random packages and searches (seeded), every page more than once.
"$PY" - "$BENCH_SERVE_PACKAGES" "$WORK" <<'EOF'
import random, sys
n, work = int(sys.argv[1]), sys.argv[2]
rng = random.Random(11)
def write(name, paths):
    with open(f"{work}/paths-{name}", "w") as f:
        f.write("\n".join(paths) + "\n")
write("package", [f"/package/bench/org-{k % 2000}/model-{k}" for k in (rng.randrange(n) for _ in range(300))])
write("trends", ["/trends/bench"] * 50)
write("search", [f"/api/models?search=model-{rng.randrange(n)}" for _ in range(300)])
write("home", ["/"] * 20)
write("list", [f"/packages?q=org-{rng.randrange(2000)}/" for _ in range(100)])
EOF
TIMES=""
for page in package trends search home list; do
	TIMES="$TIMES $("$PY" bench/serve_timing.py "$ORIGIN" "$page" <"$WORK/paths-$page")"
done
log "  $TIMES"
RSS_KB=$(awk '/VmRSS/ { print $2 }' "/proc/$SERVE_PID/status")

log "15b: snapshot_download of bench/big@${BIG_HEAD:0:12} ($BENCH_SERVE_MB MB); curl of its files; cat and cp of them"
OIDS=$(for f in "$HUB"/lfs/*; do basename "$f"; done)
NAMES=$(git -C "$HUB/bench/big.git" ls-tree --name-only "$BIG_HEAD" | grep safetensors)
downloads=() curls=() cats=() copies=()
# timed_into ARRAY COMMAND...: COMMAND's seconds, the files it wrote into $WORK/out flushed.
timed_into() {
	local -n into=$1
	shift
	rm -rf "$WORK/out" && mkdir -p "$WORK/out"
	local t0
	t0=$(now)
	"$@"
	sync -f "$WORK/out"
	into+=("$(calc "$(now) - $t0")")
	rm -rf "$WORK/out"
}
curl_all() {
	local name pids=()
	for name in $NAMES; do curl -sSf -o "$WORK/out/$name" "$ORIGIN/bench/big/resolve/$BIG_HEAD/$name" & pids+=($!); done
	wait "${pids[@]}"
}
cat_all() { for oid in $OIDS; do cat "$WORK/store/blobs/${oid:0:2}/$oid" >"$WORK/out/$oid"; done; }
cp_all() { for oid in $OIDS; do cp "$WORK/store/blobs/${oid:0:2}/$oid" "$WORK/out/"; done; }
for r in $(seq 1 "$BENCH_SERVE_REPEAT"); do
	out=$(HF_ENDPOINT=$ORIGIN HF_HUB_DISABLE_TELEMETRY=1 HF_HUB_DISABLE_XET=1 HF_HUB_DISABLE_PROGRESS_BARS=1 HF_HOME="$WORK/hf-home" \
		"$HF_PYTHON" bench/serve_download.py bench/big "$BIG_HEAD" "$WORK/hf-cache-$r")
	downloads+=("$(field seconds "$out")")
	DOWNLOAD_BYTES=$(field bytes "$out")
	rm -rf "$WORK/hf-cache-$r"
	timed_into curls curl_all
	timed_into cats cat_all
	timed_into copies cp_all
	log "  run $r: snapshot_download $(fmt %.2f "${downloads[-1]}") s, curl $(fmt %.2f "${curls[-1]}") s, cat $(fmt %.2f "${cats[-1]}") s, cp $(fmt %.2f "${copies[-1]}") s"
done
DOWNLOAD=$(median "${downloads[@]}")
CURL=$(median "${curls[@]}")
CAT=$(median "${cats[@]}")
COPY=$(median "${copies[@]}")
RATIO=$(calc "$CAT / $DOWNLOAD")
RATIO_CP=$(calc "$COPY / $DOWNLOAD")
RATIO_CURL=$(calc "$CAT / $CURL")
mbps() { calc "$DOWNLOAD_BYTES / 1048576 / $1"; }

row() { # LABEL NAME
	local p50 p99
	p50=$(field "${2}_p50_ms" "$TIMES"); p99=$(field "${2}_p99_ms" "$TIMES")
	printf '| %s | %s | %.1f | %.1f | %.1f | %s |\n' "$1" "$(field "${2}_requests" "$TIMES")" "$p50" "$p99" \
		"$(field "${2}_wall_p50_ms" "$TIMES")" "$(verdict "$p99" "<" "$TARGET_MS")"
}
{
	echo "# \`sediment serve\` benchmarks"
	echo
	echo "Written by \`bench/serve.sh\` (part of \`make bench\`) on $(date -u +%Y-%m-%d), release build, $(nproc) cores,"
	echo "everything on 127.0.0.1, SQLite catalog."
	echo
	echo "## 15a. Pages and searches on $BENCH_SERVE_PACKAGES packages and $((BENCH_SERVE_PACKAGES * BENCH_SERVE_OBSERVATIONS)) observations"
	echo
	echo "Server time from each answer's \`Server-Timing\`, in ms; \"client\" is the whole request as"
	echo "Python's http.client saw it on a kept-alive connection. Target: p99 under $TARGET_MS ms."
	echo
	echo "| page | requests | p50 | p99 | client p50 | target |"
	echo "|---|---|---|---|---|---|"
	row "package page (\`/package/HUB/ID\`)" package
	row "trends page (\`/trends/HUB\`)" trends
	row "\`/api/models?search=\`" search
	row "home (\`/\`)" home
	row "package list (\`/packages?q=\`)" list
	echo
	echo "Reading the catalog into memory (lists, ids, trends) took $(fmt %.1f "$STARTUP") s at start, and takes"
	echo "as long again at each \`[serve] refresh\` (default 5 minutes), in the background. The server's"
	echo "resident memory after the requests: $(human_bytes $((RSS_KB * 1024)))."
	echo
	echo "## 15b. snapshot_download of a $BENCH_SERVE_MB MB revision"
	echo
	echo "Each run writes the $SHARDS files into a new folder, flushed with \`sync -f\`; the medians of $BENCH_SERVE_REPEAT runs."
	echo
	echo "| | seconds | MB/s | cat time / this time |"
	echo "|---|---|---|---|"
	printf '| `snapshot_download` through `sediment serve` (huggingface_hub %s, its 8 threads) | %.2f | %.0f | %.2fx |\n' \
		"$("$HF_PYTHON" -c 'import huggingface_hub; print(huggingface_hub.__version__)')" "$DOWNLOAD" "$(mbps "$DOWNLOAD")" "$RATIO"
	printf '| `curl` of the same files through `sediment serve`, %d at once | %.2f | %.0f | %.2fx |\n' "$SHARDS" "$CURL" "$(mbps "$CURL")" "$RATIO_CURL"
	printf '| `cat` of the same files from the archive'"'"'s disk into the folder | %.2f | %.0f | 1.00x |\n' "$CAT" "$(mbps "$CAT")"
	printf '| `cp` of the same files (copy_file_range: no user-space copy) | %.2f | %.0f | %.2fx |\n' "$COPY" "$(mbps "$COPY")" "$(calc "$CAT / $COPY")"
	echo
	echo "Target: snapshot_download at least ${TARGET_RATIO}x of reading the files from disk (\`cat\`): $(fmt %.2f "$RATIO")x, $(verdict "$RATIO" ">=" "$TARGET_RATIO")"
	echo "($(fmt %.2f "$RATIO_CP")x of \`cp\`). The endpoint itself, with \`curl\` as the client: $(fmt %.2f "$RATIO_CURL")x of \`cat\`."
	echo "Every byte sent is read from the store and checked against its SHA-256 as it goes."
} >"$BENCH_SERVE_REPORT"
# 15c. The same on a real repository: BENCH_SERVE_REAL_REPO (default the PyTorch Hub index
# repository, as fetched), served by the git server and archived as a `git` hub's package.
BENCH_REAL_REPO=${BENCH_SERVE_REAL_REPO:-/work/.mirror/pytorch+hub/repo}
REAL_DOWNLOAD=0 REAL_ARCHIVE=0 REAL_RATIO=0 REAL_FILES=0
if real_repository; then
	git_config "$WORK/real.toml" "$WORK/real-store" "$REAL_URL"
	"$SEDIMENT" sync --config "$WORK/real.toml" >"$WORK/real-sync.log" 2>&1 || die "sync of $REAL_NAME failed: $(tail -n 3 "$WORK/real-sync.log")"
	"$SEDIMENT" serve --config "$WORK/real.toml" --listen 127.0.0.1:0 2>"$WORK/real-serve.log" &
	REAL_PID=$!
	for _ in $(seq 1 600); do grep -q "on http://" "$WORK/real-serve.log" && break; sleep 0.1; done
	REAL_ORIGIN=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/real-serve.log" | head -n 1)
	REAL_ID=$(curl -sSf "$REAL_ORIGIN/api/models" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
	log "15c: snapshot_download of the real repository $REAL_NAME (as $REAL_ID) at ${REAL_HEAD:0:12}, and git archive of it"
	real_downloads=() real_archives=()
	for r in $(seq 1 "$BENCH_SERVE_REPEAT"); do
		out=$(HF_ENDPOINT=$REAL_ORIGIN HF_HUB_DISABLE_TELEMETRY=1 HF_HUB_DISABLE_XET=1 HF_HUB_DISABLE_PROGRESS_BARS=1 HF_HOME="$WORK/hf-home" \
			"$HF_PYTHON" bench/serve_download.py "$REAL_ID" "$REAL_HEAD" "$WORK/real-cache-$r" --skip-lfs)
		real_downloads+=("$(field seconds "$out")")
		REAL_FILES=$(field files "$out")
		REAL_BYTES=$(field bytes "$out")
		rm -rf "$WORK/real-cache-$r"
		timed_into real_archives sh -c 'git -C "$1" archive "$2" | tar -x -C "$3"' sh "$REAL" "$REAL_HEAD" "$WORK/out"
		log "  run $r: snapshot_download $(fmt %.2f "${real_downloads[-1]}") s ($REAL_FILES files), git archive | tar -x $(fmt %.2f "${real_archives[-1]}") s"
	done
	kill "$REAL_PID" 2>/dev/null || true
	wait "$REAL_PID" 2>/dev/null || true
	REAL_DOWNLOAD=$(median "${real_downloads[@]}")
	REAL_ARCHIVE=$(median "${real_archives[@]}")
	REAL_RATIO=$(calc "$REAL_ARCHIVE / $REAL_DOWNLOAD")
fi
{
	echo
	echo "## 15c. snapshot_download of a real repository"
	echo
	if [ "$REAL_STATUS" = ok ]; then
		echo "$REAL_NAME at ${REAL_HEAD:0:12} ($REAL_COMMITS commits), archived by \`sediment sync\` as a \`git\` hub's package and served"
		echo "as \`$REAL_ID\`: $REAL_FILES files, $(human_bytes "$REAL_BYTES"). Medians of $BENCH_SERVE_REPEAT runs."
		echo
		echo "| | seconds | git archive time / this time |"
		echo "|---|---|---|"
		printf '| `snapshot_download` through `sediment serve` | %.2f | %.2fx |\n' "$REAL_DOWNLOAD" "$REAL_RATIO"
		printf '| `git archive HEAD \\| tar -x` from the bare repository | %.2f | 1.00x |\n' "$REAL_ARCHIVE"
		echo
		echo "A file costs the client a HEAD and a GET: with many small files, requests, not bytes, set the pace."
	else
		echo "$REAL_STATUS"
	fi
} >>"$BENCH_SERVE_REPORT"
cat "$BENCH_SERVE_REPORT"
save_results serve STARTUP TIMES DOWNLOAD CURL CAT COPY RATIO RATIO_CP RATIO_CURL REAL_DOWNLOAD REAL_ARCHIVE REAL_RATIO
