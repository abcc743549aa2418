# shellcheck shell=bash
# The served repositories besides the generated large one (sourced by bench/lib.sh): a real
# model repository, and flat ones of many small files.
#
#   BENCH_REAL_REPO   a bare git repository of a real model repository (default
#                     /work/.mirror/onnx+models/repo, the ONNX Model Zoo); when absent, the
#                     rows that use it say "not available: set BENCH_REAL_REPO"
#   BENCH_CACHE       where costly preparations are kept between runs (default
#                     .build/bench-cache): the completed real repository, the loose-format
#                     binary of bench/migrate.sh

BENCH_REAL_REPO=${BENCH_REAL_REPO:-/work/.mirror/onnx+models/repo}
BENCH_CACHE=${BENCH_CACHE:-$REPO_ROOT/.build/bench-cache}
case $BENCH_CACHE in /*) ;; *) BENCH_CACHE=$REPO_ROOT/$BENCH_CACHE ;; esac
REAL_UNAVAILABLE="not available: set BENCH_REAL_REPO"
# git_at DIR ARGS...: git in a repository this user may not own (only read).
git_at() { git -c safe.directory='*' -C "$@"; }

# real_repository: the served copy of BENCH_REAL_REPO's branches and tags ($SERVED/real.git),
# complete (see complete_repository). Sets REAL, REAL_URL, REAL_STATUS (ok, or why not) and
# the REAL_* figures. Returns 1 when the repository is not available.
real_repository() {
	git_world
	REAL="$SERVED/real.git"
	REAL_URL="$BASE_URL/real.git"
	if ! git_at "$BENCH_REAL_REPO" rev-parse --git-dir >/dev/null 2>&1; then
		REAL_STATUS=$REAL_UNAVAILABLE
		log "real repository: $BENCH_REAL_REPO is $REAL_STATUS"
		return 1
	fi
	# Its name: owner/name from the folder fetched copies live in (owner+name/repo), else
	# the folder's own name.
	REAL_NAME=$(basename "$(dirname "$BENCH_REAL_REPO")")
	[ "$(basename "$BENCH_REAL_REPO")" = repo ] || REAL_NAME=$(basename "$BENCH_REAL_REPO" .git)
	REAL_NAME=${REAL_NAME/+//}
	if [ ! -d "$REAL" ]; then
		local key complete
		key=$(git_at "$BENCH_REAL_REPO" for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags | sha256sum | cut -c1-16)
		complete="$BENCH_CACHE/real-$key.git"
		[ -d "$complete" ] || complete_repository "$BENCH_REAL_REPO" "$complete"
		cp -a "$complete" "$REAL"
	fi
	REAL_STATUS=ok
	REAL_HEAD=$(git -C "$REAL" rev-parse HEAD)
	REAL_BRANCH=$(git -C "$REAL" symbolic-ref --short HEAD)
	REAL_SOURCE_HEAD=$(git_at "$BENCH_REAL_REPO" rev-parse "refs/heads/$REAL_BRANCH" 2>/dev/null || echo unknown)
	REAL_MISSING=$(grep -c . "$REAL/missing-blobs" 2>/dev/null || true)
	REAL_REMOVED=$(grep -c . "$REAL/removed-paths" 2>/dev/null || true)
	REAL_COMMITS=$(git -C "$REAL" rev-list --count --branches --tags)
	REAL_REFS=$(git -C "$REAL" for-each-ref refs/heads refs/tags | wc -l)
	REAL_FILES=$(git -C "$REAL" ls-tree -r HEAD | wc -l)
	REAL_PACK_BYTES=$(cat "$REAL"/objects/pack/*.pack | wc -c)
	log "real repository $REAL_NAME: $REAL_COMMITS commits, $REAL_REFS refs, $REAL_FILES files at $REAL_BRANCH ${REAL_HEAD:0:12}, pack $(human_bytes "$REAL_PACK_BYTES")"
}

# complete_repository SOURCE DEST: a bare repository of SOURCE's branches and tags into DEST,
# one pack, `git fsck` clean. Where SOURCE lacks blobs those refs reach (a partial copy),
# their history is rewritten (`git filter-branch --index-filter`) with only the tree entries
# naming a missing blob removed; authors, dates and messages are kept, so the same SOURCE
# always gives the same commits. DEST/missing-blobs lists those blobs, DEST/removed-paths
# the paths whose entries went.
complete_repository() {
	local source=$1 dest=$2 tmp missing
	tmp="$WORK/complete-real"
	rm -rf "$tmp"
	mkdir -p "$tmp" "$(dirname "$dest")"
	# A repository that borrows SOURCE's objects and holds only its branches and tags.
	git init -q --bare "$tmp/borrow.git"
	(cd "$source" && git -c safe.directory='*' rev-parse --path-format=absolute --git-path objects) >"$tmp/borrow.git/objects/info/alternates"
	git_at "$source" for-each-ref --format='create %(refname) %(objectname)' refs/heads refs/tags | git -C "$tmp/borrow.git" update-ref --stdin
	# HEAD: SOURCE's branch, else its first one.
	local head
	head=$(git_at "$source" symbolic-ref -q HEAD || true)
	git -C "$tmp/borrow.git" show-ref -q --verify "${head:-none}" || head=$(git -C "$tmp/borrow.git" for-each-ref --count=1 --format='%(refname)' refs/heads)
	[ -n "$head" ] || die "$source has no branch"
	git -C "$tmp/borrow.git" symbolic-ref HEAD "$head"
	missing="$tmp/missing-blobs"
	git -C "$tmp/borrow.git" rev-list --objects --missing=print --branches --tags | sed -n 's/^?//p' >"$missing"
	if [ -s "$missing" ]; then
		log "real repository: $(grep -c . "$missing") blobs are missing from $source; rewriting its history without the entries naming them"
		# shellcheck disable=SC2016  # expanded by filter-branch's shell
		(cd "$tmp/borrow.git" && FILTER_BRANCH_SQUELCH_WARNING=1 MISSING="$missing" git -c core.logAllRefUpdates=false filter-branch -f --tag-name-filter cat \
			--index-filter 'git ls-files -s -z | grep -z -F -f "$MISSING" | cut -z -f2 | tee -a "$MISSING.entries" | git update-index -z --force-remove --stdin' \
			-- --branches --tags >"$tmp/filter-branch.log" 2>&1) || die "rewriting $source failed: $(tail -n 3 "$tmp/filter-branch.log")"
	fi
	# Fetching copies only what the (rewritten) branches and tags reach: none of the old
	# history, and nothing through the alternates.
	git init -q --bare "$tmp/real.git"
	git -C "$tmp/real.git" fetch -q "$tmp/borrow.git" '+refs/heads/*:refs/heads/*' '+refs/tags/*:refs/tags/*' || die "copying $source failed"
	git -C "$tmp/real.git" symbolic-ref HEAD "$(git -C "$tmp/borrow.git" symbolic-ref HEAD)"
	git -C "$tmp/real.git" repack -a -d -q
	git -C "$tmp/real.git" fsck --no-dangling >"$tmp/fsck.log" 2>&1 || die "the copy of $source is not complete: $(head -n 3 "$tmp/fsck.log")"
	cp "$missing" "$tmp/real.git/missing-blobs"
	touch "$missing.entries"
	tr '\0' '\n' <"$missing.entries" | sort -u >"$tmp/real.git/removed-paths"
	rm -rf "$dest"
	mv "$tmp/real.git" "$dest"
	rm -rf "$tmp"
	log "real repository: complete copy of $source in $dest"
}

# flat_repository NAME COUNT: a served repository ($SERVED/NAME.git) of one commit whose
# tree holds COUNT small distinct text files (100 B to 8 KiB, 20 per folder), generated
# once per BENCH_WORK. Sets FLAT and FLAT_URL.
flat_repository() {
	local name=$1 count=$2
	git_world
	FLAT="$SERVED/$name.git"
	FLAT_URL="$BASE_URL/$name.git"
	[ -d "$FLAT" ] && return 0
	git init -q --bare -b main "$FLAT"
	"$PY" - "$count" <<-'PY' | git -C "$FLAT" fast-import --quiet || die "generating $name failed"
	import random, sys
	count = int(sys.argv[1])
	rng = random.Random("flat/%d" % count)
	words = "model weight layer tensor token vocab config batch epoch label score train eval".split()
	out = sys.stdout.buffer
	message = b"%d small files" % count
	out.write(b"commit refs/heads/main\ncommitter Bench <bench@example.org> 1700000000 +0000\n")
	out.write(b"data %d\n%s\n" % (len(message), message))
	for i in range(count):
	    size = int(100 * (80 ** rng.random()))
	    text = " ".join(rng.choice(words) for _ in range(size // 6 + 1))[:size]
	    body = ("# file %d\n%s\n" % (i, text)).encode()
	    out.write(b"M 100644 inline d%03d/f%05d.txt\ndata %d\n%s\n" % (i // 20, i, len(body), body))
	PY
}

# store_files STORE -> "FILES BYTES" of the regular files under STORE/blobs (bytes: the
# sum of their sizes).
# Blobs only: the records and git packs under blobs/records/ and blobs/git/ (one each per
# visit, whatever its blobs) are counted by archive_files.
store_files() {
	{ [ ! -d "$1/blobs" ] || find "$1/blobs" -type f -not -path "$1/blobs/records/*" -not -path "$1/blobs/git/*" -printf '%s\n'; } |
		awk '{ s += $1; n++ } END { printf "%d %d\n", n, s }'
}
# archive_files STORE: "FILES BYTES" of the visit records and git packs under <STORE>/blobs/.
archive_files() {
	{ for folder in "$1/blobs/records" "$1/blobs/git"; do [ ! -d "$folder" ] || find "$folder" -type f -printf '%s\n'; done; } |
		awk '{ s += $1; n++ } END { printf "%d %d\n", n, s }'
}
# catalog_bytes STORE: the catalog's size, database and write-ahead log.
catalog_bytes() {
	local file total=0
	for file in "$1/catalog.sqlite" "$1/catalog.sqlite-wal"; do
		[ ! -f "$file" ] || total=$((total + $(stat -c %s "$file")))
	done
	echo "$total"
}
