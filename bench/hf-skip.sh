#!/usr/bin/env bash
# (6) A crawl of BENCH_HF_PACKAGES (1000) unchanged Hugging Face models, BENCH_HF_PAGE (100)
# per listing page, on the fixture hub (bench/worlds/huggingface.json): after a first crawl
# archives them all, a crawl with nothing changed should make no git connection (the listed
# sha is the archived head) and ask the API for the listing pages only; the same crawl with
# skip_unchanged = false shows what the skip saves. Run by bench/run.sh, or alone.
set -euo pipefail
BENCH_NAME=bench-hf-skip
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_HF_PACKAGES=${BENCH_HF_PACKAGES:-1000}
BENCH_HF_PAGE=${BENCH_HF_PAGE:-100}
bench_start git curl time

log "(6) Hugging Face skip: generating $BENCH_HF_PACKAGES models"
world_up "$WORK/hf-world" huggingface --set "count=$BENCH_HF_PACKAGES" --set "page_size=$BENCH_HF_PAGE" \
	--set "store=$WORK/hfstore"
SKIP_CONFIG="$WORK/hf-world/sediment.toml"
world_config "$WORK/hf-world" "$WORK/hf-noskip.toml" --set skip_unchanged=false
S_STATUS="failed"
if run_sync hf-first "$SKIP_CONFIG"; then
	S_FIRST=$LAST_SECONDS
	log "(6) first crawl (archives all): $(fmt %.2f "$S_FIRST") s"
	hub_reset "$HUB_URL"
	if run_sync hf-skip "$SKIP_CONFIG"; then
		S_SKIP=$LAST_SECONDS
		read -r S_SKIP_GIT S_SKIP_API < <(hub_stats "$HUB_URL")
		log "(6) unchanged crawl, skip on: $(fmt %.2f "$S_SKIP") s, $S_SKIP_GIT git connections, $S_SKIP_API API requests"
		hub_reset "$HUB_URL"
		if run_sync hf-noskip "$WORK/hf-noskip.toml"; then
			S_NOSKIP=$LAST_SECONDS
			read -r S_NOSKIP_GIT S_NOSKIP_API < <(hub_stats "$HUB_URL")
			log "(6) unchanged crawl, skip off: $(fmt %.2f "$S_NOSKIP") s, $S_NOSKIP_GIT git connections, $S_NOSKIP_API API requests"
			S_RATIO=$(calc "$S_SKIP / $S_NOSKIP")
			S_PAGES=$(((BENCH_HF_PACKAGES + BENCH_HF_PAGE - 1) / BENCH_HF_PAGE))
			S_STATUS="ok"
		fi
	fi
fi
save_results hf-skip BENCH_HF_PACKAGES BENCH_HF_PAGE S_STATUS S_FIRST S_SKIP S_SKIP_GIT S_SKIP_API S_NOSKIP S_NOSKIP_GIT S_RATIO S_PAGES
[ "$SEDIMENT_FAILURES" = 0 ]
