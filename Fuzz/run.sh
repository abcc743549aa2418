#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for FUZZ_SECONDS each, after Fuzz/build.sh.
#
#   FUZZ_SECONDS=60      time budget per target, in seconds
#   FUZZ_RSS_MB=512      memory limit per target (-rss_limit_mb; an input over it is an out-of-memory finding)
#   FUZZ_TIMEOUT=10      seconds one input may take (-timeout; slower is a hang finding)
#   FUZZ_FLAGS=…         more libFuzzer flags (-max_len=65536, -jobs=…)
#
# Each target starts from its committed seeds (Fuzz/corpus/<target>/) and a working corpus
# kept between runs in .build-fuzz/corpus/<target>/ (new inputs go there, not into git).
# Crashes, hangs and out-of-memory inputs are written to Fuzz/findings/<target>/ (ignored by
# git). Prints one line per target with its executions and seconds; exits 1 if any target
# found something or did not run.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
rss=${FUZZ_RSS_MB:-512}
timeout=${FUZZ_TIMEOUT:-10}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=($(ls Fuzz/Targets))
fi
mkdir -p Fuzz/findings .build-fuzz/logs
failed=()
summary=()
for target in "${targets[@]}"; do
    binary=.build-fuzz/release/$target
    [ -x "$binary" ] || { echo "Fuzz/run.sh: $binary is missing; run Fuzz/build.sh first" >&2; failed+=("$target(not built)"); continue; }
    mkdir -p ".build-fuzz/corpus/$target" "Fuzz/findings/$target"
    log=.build-fuzz/logs/$target.log
    echo "fuzzing $target for ${seconds}s (log: $log)"
    start=$(date +%s)
    # Swift's own crash handler would take the signal before libFuzzer could save the input.
    SWIFT_BACKTRACE=enable=no "$binary" -max_total_time="$seconds" -rss_limit_mb="$rss" -timeout="$timeout" \
        -print_final_stats=1 -artifact_prefix="Fuzz/findings/$target/" ${FUZZ_FLAGS:-} \
        ".build-fuzz/corpus/$target" "Fuzz/corpus/$target" > "$log" 2>&1
    status=$?
    elapsed=$(( $(date +%s) - start ))
    runs=$(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$log" | tail -n 1 | awk '{print $2}')
    line=$(printf '%-24s %12s executions %6ss' "$target" "${runs:-?}" "$elapsed")
    if [ $status -ne 0 ]; then
        line="$line  FAILED (exit $status): $(grep -E 'ERROR:|Fatal error|Assertion|Test unit written' "$log" | head -n 2 | tr '\n' ' ')"
        failed+=("$target")
    fi
    summary+=("$line")
    echo "$line"
done
echo
echo "fuzz summary (FUZZ_SECONDS=$seconds, -rss_limit_mb=$rss, -timeout=$timeout):"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "findings in: ${failed[*]} (inputs in Fuzz/findings/, logs in .build-fuzz/logs/)" >&2
    exit 1
fi
