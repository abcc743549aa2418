#!/usr/bin/env bash
# The catalog on its two databases, side by side in one run: SQLite (the embedded default)
# and PostgreSQL 15 (started here with initdb into the work folder, as an unprivileged user
# when run as root, on a free loopback port, stopped by its pid at the end).
#
#   14a. catalog cost per visit: `sediment-bench catalog-visits` records BENCH_CATALOG_VISITS
#        first visits of as many packages (a commit of 12 files, blobs, manifest, snapshot,
#        hub metadata, observation), then one unchanged visit of each (the hub reported the
#        archived head); milliseconds of catalog writes per visit, on each database.
#   14b. bytes the catalog grows per visit, first and unchanged (SQLite: the closed file;
#        PostgreSQL: tables, indexes and TOAST). Target for an unchanged visit: <= 200 B.
#
# Run by `make bench`, or alone after `swift build -c release`. Prints a table and writes
# BENCH_CATALOG_REPORT (default docs/benchmarks-catalog.md).
# Knobs: bench/lib.sh's, BENCH_CATALOG_VISITS (default 5000).
set -euo pipefail
BENCH_NAME=bench-catalog
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${BENCH_CATALOG_VISITS:=5000}" "${BENCH_CATALOG_REPORT:=docs/benchmarks-catalog.md}"
TARGET_UNCHANGED_BYTES=200
bench_start
. "$(dirname "${BASH_SOURCE[0]}")/lib-servers.sh"
bench_stop() { servers_stop; }
pg_up
pg_sql postgres "CREATE DATABASE bench" >/dev/null || die "cannot create the database"

log "14a/14b: $BENCH_CATALOG_VISITS first and unchanged visits, SQLite"
SQLITE=$("$SEDIMENT_BENCH" catalog-visits "sqlite:$WORK/catalog.sqlite" "$BENCH_CATALOG_VISITS")
log "  $SQLITE"
log "14a/14b: the same, PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }')"
POSTGRES=$("$SEDIMENT_BENCH" catalog-visits "$(pg_url bench)" "$BENCH_CATALOG_VISITS")
log "  $POSTGRES"

row() { # NAME FIELD FORMAT
	printf '| %s | %s | %s |\n' "$1" "$(fmt "$3" "$(field "$2" "$SQLITE")")" "$(fmt "$3" "$(field "$2" "$POSTGRES")")"
}
UNCHANGED_SQLITE=$(field unchanged_bytes "$SQLITE")
UNCHANGED_PG=$(field unchanged_bytes "$POSTGRES")
{
	echo "# Catalog benchmarks: SQLite and PostgreSQL"
	echo
	echo "Written by \`bench/catalog.sh\` (part of \`make bench\`) on $(date -u +%Y-%m-%d), release build,"
	echo "$(nproc) cores; PostgreSQL started by the script on 127.0.0.1 (fsync on), $BENCH_CATALOG_VISITS packages."
	echo
	echo "| per visit | SQLite | PostgreSQL |"
	echo "|---|---|---|"
	row "14a. first visit: catalog writes (ms)" first_ms "%.2f"
	row "14a. unchanged visit: catalog writes (ms)" unchanged_ms "%.2f"
	row "14b. first visit: bytes added" first_bytes "%.0f"
	row "14b. unchanged visit: bytes added" unchanged_bytes "%.0f"
	echo
	echo "Target for an unchanged visit: at most $TARGET_UNCHANGED_BYTES B;" \
		"SQLite $(verdict "$UNCHANGED_SQLITE" "<=" "$TARGET_UNCHANGED_BYTES"), PostgreSQL $(verdict "$UNCHANGED_PG" "<=" "$TARGET_UNCHANGED_BYTES")."
} >"$BENCH_CATALOG_REPORT"
cat "$BENCH_CATALOG_REPORT"
