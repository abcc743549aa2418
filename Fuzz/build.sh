#!/usr/bin/env bash
# Builds the fuzz targets (Fuzz/Targets/<name>/) as libFuzzer executables in .build-fuzz/release/.
#
#   Fuzz/build.sh            every target
#   Fuzz/build.sh NAME...    only these (fuzz-model-card, …)
#
# The targets exist in Package.swift only when SEDIMENT_FUZZ=1, so a plain `swift build`
# never sees them. Every module is compiled with libFuzzer's coverage instrumentation
# (--sanitize fuzzer), optimised, and with testing enabled so that a target can reach a
# parser that is internal to its module (@testable import).
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=($(ls Fuzz/Targets))
fi
for target in "${targets[@]}"; do
    [ -d "Fuzz/Targets/$target" ] || { echo "Fuzz/build.sh: no fuzz target $target (see Fuzz/Targets/)" >&2; exit 2; }
    echo "building $target"
    SEDIMENT_FUZZ=1 "$SWIFT" build -c release --scratch-path .build-fuzz --sanitize fuzzer \
        -Xswiftc -enable-testing --product "$target"
done
