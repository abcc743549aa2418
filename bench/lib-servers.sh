# shellcheck shell=bash
# The servers some benchmarks start on 127.0.0.1 and stop by their pid at exit (call
# servers_stop from the script's bench_stop). Sourced after lib.sh.
#
#   pg_up         PostgreSQL (Debian's, installed by `make deps`) initialised into WORK, as
#                 `nobody` when run as root (initdb refuses root), fsync on; sets PG_BIN,
#                 PG_PORT, PGPASSWORD (exported, with PGPASSFILE=/nonexistent), and
#                 pg_url DATABASE prints a catalog URL; pg_sql DATABASE SQL runs SQL.
#   moto_up       moto's S3 server (installed by `make deps`); sets S3_ENDPOINT and exports
#                 AWS_* credentials for it.

PG_PID=""
MOTO_PID=""
servers_stop() {
	[ -z "$PG_PID" ] || { kill -INT "$PG_PID" 2>/dev/null || true; wait "$PG_PID" 2>/dev/null || true; }
	[ -z "$MOTO_PID" ] || kill "$MOTO_PID" 2>/dev/null || true
}

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

pg_up() {
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -x "$PG_BIN/initdb" ] || die "PostgreSQL's server is not installed: run make deps"
	local dir="$WORK/postgres" as=()
	mkdir -p "$dir"
	if [ "$(id -u)" = 0 ]; then
		chown nobody:nogroup "$dir"
		chmod 755 "$WORK"
		as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
	fi
	PGPASSWORD=$("$PY" -c 'import secrets; print(secrets.token_hex(16))')
	printf '%s\n' "$PGPASSWORD" >"$dir/pwfile"
	[ "$(id -u)" = 0 ] && chown nobody:nogroup "$dir/pwfile"
	"${as[@]}" "$PG_BIN/initdb" --pgdata="$dir/data" --username=sediment --auth-local=trust --auth-host=scram-sha-256 \
		--pwfile="$dir/pwfile" --encoding=UTF8 --locale=C >"$WORK/initdb.log" 2>&1 || die "initdb failed: $(cat "$WORK/initdb.log")"
	PG_PORT=$(free_port)
	# Durable commits, as a production server runs (fsync on).
	"${as[@]}" "$PG_BIN/postgres" -D "$dir/data" -k "$dir" -p "$PG_PORT" -c listen_addresses=127.0.0.1 -c max_connections=200 \
		>"$WORK/postgres.log" 2>&1 &
	PG_PID=$!
	for _ in $(seq 1 300); do "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.2; done
	"$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" || die "PostgreSQL did not start: $(cat "$WORK/postgres.log")"
	export PGPASSWORD PGPASSFILE=/nonexistent
}
pg_sql() { "$PG_BIN/psql" -X -q -A -t -h 127.0.0.1 -p "$PG_PORT" -U sediment -d "$1" -c "$2"; }
pg_url() { echo "postgresql://sediment@127.0.0.1:$PG_PORT/$1?sslmode=disable"; }

moto_up() {
	local port
	port=$(free_port)
	moto_server -H 127.0.0.1 -p "$port" >"$WORK/moto.log" 2>&1 &
	MOTO_PID=$!
	export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_DEFAULT_REGION=us-east-1
	S3_ENDPOINT="http://127.0.0.1:$port"
	for _ in $(seq 1 100); do curl -s -o /dev/null "$S3_ENDPOINT" && break; sleep 0.2; done
	curl -s -o /dev/null "$S3_ENDPOINT" || die "moto's server did not start: $(tail -n 3 "$WORK/moto.log")"
}
