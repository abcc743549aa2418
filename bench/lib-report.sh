# shellcheck shell=bash
# Results between the scripts, and the report's sections (sourced by bench/lib.sh).

# save_results NAME VAR...: the variables' values into $BENCH_RESULTS/NAME.env (arrays as
# their words), for bench/report.sh to read.
save_results() {
	local name=$1 var
	shift
	{
		for var in "$@"; do
			if declare -p "$var" 2>/dev/null | grep -q '^declare -a'; then
				local -n ref=$var
				if [ "${#ref[@]}" = 0 ]; then printf '%s=()\n' "$var"; else printf '%s=(%s)\n' "$var" "$(printf '%q ' "${ref[@]}")"; fi
				unset -n ref
			else
				printf '%s=%q\n' "$var" "${!var:-}"
			fi
		done
		printf 'SEDIMENT_FAILURES_%s=%d\n' "${name//-/_}" "$SEDIMENT_FAILURES"
	} >"$BENCH_RESULTS/$name.env"
}

# cell STATUS VALUE-TEXT: the value when STATUS is ok, else the status.
cell() { if [ "$1" = ok ]; then printf '%s' "$2"; else printf '%s' "$1"; fi; }
# dash STATUS VALUE-TEXT: the value when STATUS is ok, else "–" (for the cells after the
# one that says the status).
dash() { if [ "$1" = ok ]; then printf '%s' "$2"; else printf '–'; fi; }
# result STATUS VALUE OP TARGET: met / missed, or the status ("skipped" for a measurement
# skipped or not available, whose cell says why).
result() {
	case $1 in
	ok) verdict "$2" "$3" "$4" ;;
	skipped* | "not available"*) printf 'skipped' ;;
	*) printf '%s' "$1" ;;
	esac
}

# report_section TITLE TEXT: replaces the "## TITLE" section of BENCH_REPORT (and what
# follows it up to the next one) with TEXT, or appends it.
report_section() {
	[ -f "$BENCH_REPORT" ] || return 0
	"$PY" - "$BENCH_REPORT" "$1" "$2" <<-'PY'
	import sys
	path, title, section = sys.argv[1:]
	text = open(path, encoding="utf-8").read()
	start = text.find("\n## " + title + "\n")
	if start < 0:
	    text = text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
	else:
	    end = text.find("\n## ", start + 1)
	    rest = "" if end < 0 else "\n" + text[end:].lstrip("\n")
	    text = text[:start].rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n" + rest
	open(path, "w", encoding="utf-8").write(text)
	PY
	log "section \"$1\" written to $BENCH_REPORT"
}
