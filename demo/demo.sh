#!/usr/bin/env bash
# Sediment demo: archive six kinds of model hubs, let time pass upstream, archive again,
# and ask the archive what changed.
#
#   make demo                          build, then run this script
#   bash demo/demo.sh                  run it with ${SEDIMENT:-.build/debug/sediment}
#   DEMO_KEEP=1 bash demo/demo.sh      keep the workspace (archive, fixture world, logs)
#
# Needs no network: the hubs are the fixture world of Tests/Fixtures/world.json, built and
# served on 127.0.0.1 by Tests/Support/world.py (Hugging Face and modelzoo.co from
# fixture_hub.py; GitHub and a plain git host from git_http_server.py).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
SEDIMENT=${SEDIMENT:-.build/debug/sediment}
WORLD="python3 Tests/Support/world.py"
if ! command -v "$SEDIMENT" >/dev/null; then
    echo "demo: $SEDIMENT not found; build it first with 'swift build' (or run 'make demo')" >&2
    exit 1
fi
for tool in git python3; do
    command -v "$tool" >/dev/null || { echo "demo: $tool is required" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/sediment-demo.XXXXXX)
CONFIG="$WORK/sediment.toml"
cleanup() {
    local status=$?
    if [ "$status" -ne 0 ]; then
        echo "demo: failed (exit status $status); last lines of the server logs:" >&2
        tail -n 5 "$WORK"/logs/*.log >&2 2>/dev/null || true
    fi
    [ -f "$WORK/world-state.json" ] && $WORLD down "$WORK"
    if [ "${DEMO_KEEP:-0}" = 1 ]; then echo "workspace kept: $WORK"; else rm -rf "$WORK"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

section() { printf '\n==== %s\n\n' "$*"; }
# sediment ARGS...: the built binary on the demo's configuration.
sediment() { "$SEDIMENT" "$@" --config "$CONFIG"; }
# crawl LABEL: `sediment sync`; a failed visit or a package gone upstream (exit status 1)
# is part of the story, anything else stops the demo.
crawl() {
    section "$1: sediment sync"
    local status=0
    sediment sync || status=$?
    case $status in
        0) echo "(exit status 0)" ;;
        1) echo "(exit status 1: a package failed or is gone upstream; the demo goes on)" ;;
        *) echo "demo: sediment sync stopped with exit status $status" >&2; exit "$status" ;;
    esac
}

section "The world upstream (in $WORK)"
echo "Hugging Face: bert-tiny, gpt2-mini, vit-small and the gated llama-gated (a token is in"
echo "the configuration); PyTorch Hub: an index of cards over pytorch/vision and WSL-Images;"
echo "ONNX Model Zoo: onnx/models with its manifest; Modelhub: an index of two models;"
echo "modelzoo.co: a catalogue (one entry names no repository); a plain git repository."
echo
$WORLD up "$WORK"

section "The configuration"
cat "$CONFIG"

crawl "First crawl"

section "Time passes upstream"
echo "bert-tiny is retrained (new weights, a lower dropout in config.json); torchvision gains"
echo "resnet50 and tag v0.20.0; the ONNX Model Zoo re-exports BERT-Squad; the Hub's counters"
echo "move on and acme/vit-small is deleted; and org/model-a force-pushes main, dropping a"
echo "commit whose evaluation figures were wrong."
echo
$WORLD advance "$WORK"

crawl "Second crawl"

section "sediment status"
sediment status

section "sediment snapshots hf:google-bert/bert-tiny"
sediment snapshots hf:google-bert/bert-tiny

section "sediment diff hf:google-bert/bert-tiny (the commits upstream after each crawl)"
before=$($WORLD head "$WORK" hub:google-bert/bert-tiny 1)
after=$($WORLD head "$WORK" hub:google-bert/bert-tiny 2)
sediment diff hf:google-bert/bert-tiny "$before" "$after"

section "sediment history hf:google-bert/bert-tiny (one row a visit)"
sediment history hf:google-bert/bert-tiny

section "sediment refs ours:org/model-a --lost (the tip main had before the force-push)"
sediment refs ours:org/model-a --lost
lost=$(sediment refs ours:org/model-a --lost --json | python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["target"])')

section "sediment log ours:org/model-a (the lost commit $lost stays in the archive)"
sediment log ours:org/model-a

section "sediment diff ours:org/model-a (the lost tip against the rewritten main)"
sediment diff ours:org/model-a "$lost" main

section "sediment packages"
sediment packages

section "Stopping the servers"
$WORLD down "$WORK"
echo "stopped; the demo took ${SECONDS}s"
