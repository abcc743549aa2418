#!/usr/bin/env bash
# Sediment demo: archive six kinds of model hubs, change them upstream, archive again.
#
#   make demo                          build, then run this script
#   bash demo/demo.sh                  run it with ${SEDIMENT:-.build/debug/sediment}
#   DEMO_KEEP=1 bash demo/demo.sh      keep the workspace (archive, fixtures, logs)
#
# Needs no network: everything runs on 127.0.0.1. The script
#   1. generates realistic fixture repositories and listings in a temporary workspace:
#      Hugging Face models (one of them gated), a PyTorch Hub index with its package
#      repositories, an ONNX Model Zoo repository, a Modelhub index with its models, a
#      modelzoo.co catalogue, and a plain git repository;
#   2. starts two loopback servers from Tests/Support: fixture_hub.py (the Hugging Face
#      Hub and the modelzoo.co API) and git_http_server.py (GitHub and a plain git host);
#   3. runs `sediment sync`, "advances time" upstream (new commits, new download counts,
#      a deleted model), runs `sediment sync` again, and shows what the archive holds;
#   4. stops both servers and removes the workspace.
set -euo pipefail

# Run from the repository root, whatever the caller's folder.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SEDIMENT=${SEDIMENT:-.build/debug/sediment}
SUPPORT=Tests/Support

if ! command -v "$SEDIMENT" >/dev/null; then
    echo "demo: $SEDIMENT not found; build it first with 'swift build' (or run 'make demo')" >&2
    exit 1
fi
for tool in git python3 sha256sum; do
    command -v "$tool" >/dev/null || { echo "demo: $tool is required" >&2; exit 1; }
done

# --------------------------------------------------------------------------------------
# Workspace and cleanup
# --------------------------------------------------------------------------------------

WORK=$(mktemp -d /tmp/sediment-demo.XXXXXX)
HUB_ROOT="$WORK/hub"          # fixture_hub.py: models.json, modelzoo.json, <owner>/<name>.git
SERVED="$WORK/served"         # git_http_server.py: github.com/<owner>/<repo>, org/model-a
SRC="$WORK/src"               # working trees the fixture repositories are committed from
GIT_HOME="$WORK/git-home"     # an empty HOME, so no personal git configuration applies
LOGS="$WORK/logs"
CONFIG="$WORK/sediment.toml"
mkdir -p "$HUB_ROOT" "$SERVED" "$SRC" "$GIT_HOME" "$LOGS"

HUB_PID=""
GIT_PID=""

# Stops both servers (each by its own pid); safe to call twice.
stop_servers() {
    local pid
    for pid in "$HUB_PID" "$GIT_PID"; do
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    HUB_PID=""
    GIT_PID=""
}

cleanup() {
    local status=$?
    if [ "$status" -ne 0 ]; then
        echo "demo: failed (exit status $status); last lines of the server logs:" >&2
        tail -n 5 "$LOGS"/*.log >&2 2>/dev/null || true
    fi
    stop_servers
    if [ "${DEMO_KEEP:-0}" = 1 ]; then
        echo "workspace kept: $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

section() {
    printf '\n==== %s\n\n' "$*"
}

# --------------------------------------------------------------------------------------
# Git helpers
# --------------------------------------------------------------------------------------

# git_at DATE "NAME <EMAIL>" ARGS...: runs git isolated from every configuration on this
# machine; a commit it makes has that author and committer, at that date.
git_at() {
    local date=$1 who=$2
    shift 2
    local name=${who% <*} email=${who##*<}
    email=${email%>}
    HOME="$GIT_HOME" GIT_CONFIG_NOSYSTEM=1 GIT_LFS_SKIP_SMUDGE=1 GIT_TERMINAL_PROMPT=0 \
        GIT_AUTHOR_NAME="$name" GIT_AUTHOR_EMAIL="$email" GIT_AUTHOR_DATE="$date" \
        GIT_COMMITTER_NAME="$name" GIT_COMMITTER_EMAIL="$email" GIT_COMMITTER_DATE="$date" \
        git "$@"
}

# git_ ARGS...: git for commands that make no commit.
git_() {
    git_at "2020-01-01T00:00:00Z" "Sediment Demo <demo@example.org>" "$@"
}

# new_repo TREE BRANCH: an empty working repository whose first branch is BRANCH.
new_repo() {
    mkdir -p "$1"
    git_ -C "$1" init -q -b "$2"
}

# commit TREE DATE "NAME <EMAIL>" MESSAGE: commits every change in TREE.
commit() {
    local tree=$1 date=$2 who=$3 message=$4
    git_ -C "$tree" add -A
    git_at "$date" "$who" -C "$tree" commit -q -m "$message"
}

# tag TREE DATE "NAME <EMAIL>" TAG: an annotated tag on TREE's head.
tag() {
    git_at "$2" "$3" -C "$1" tag -a "$4" -m "Release $4"
}

# publish TREE BARE: pushes TREE's branches and tags to the bare repository BARE, which
# is created the first time with HEAD on TREE's current branch.
publish() {
    local tree=$1 bare=$2 branch
    branch=$(git_ -C "$tree" symbolic-ref --short HEAD)
    if [ ! -d "$bare" ]; then
        mkdir -p "$bare"
        git_ -C "$bare" init -q --bare -b "$branch"
    fi
    git_ -C "$tree" push -q "$bare" --all
    git_ -C "$tree" push -q "$bare" --tags
}

# lfs_pointer FILE SEED SIZE: writes FILE as the Git LFS pointer of SIZE bytes of
# generated "weights" (SEED repeated), exactly as `git lfs` commits it, and sets OID.
# Sizes are kept small so the demo stays fast.
lfs_pointer() {
    local file=$1 seed=$2 size=$3
    # `yes` is stopped by SIGPIPE once `head` has enough; that is expected.
    OID=$({ yes "$seed" || :; } | head -c "$size" | sha256sum | cut -d ' ' -f 1)
    mkdir -p "$(dirname "$file")"
    printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %s\n' "$OID" "$size" >"$file"
}

# lfs_attributes FILE: the .gitattributes a Hugging Face repository starts with.
lfs_attributes() {
    cat >"$1" <<'EOF'
*.7z filter=lfs diff=lfs merge=lfs -text
*.bin filter=lfs diff=lfs merge=lfs -text
*.ckpt filter=lfs diff=lfs merge=lfs -text
*.gguf filter=lfs diff=lfs merge=lfs -text
*.h5 filter=lfs diff=lfs merge=lfs -text
*.msgpack filter=lfs diff=lfs merge=lfs -text
*.onnx filter=lfs diff=lfs merge=lfs -text
*.ot filter=lfs diff=lfs merge=lfs -text
*.pt filter=lfs diff=lfs merge=lfs -text
*.pth filter=lfs diff=lfs merge=lfs -text
*.safetensors filter=lfs diff=lfs merge=lfs -text
*.tar.gz filter=lfs diff=lfs merge=lfs -text
*.tflite filter=lfs diff=lfs merge=lfs -text
*.zip filter=lfs diff=lfs merge=lfs -text
*tfevents* filter=lfs diff=lfs merge=lfs -text
EOF
}

# tokenizer_json FILE TYPE TOKEN...: a tokenizer.json (WordPiece or BPE) over TOKENS.
tokenizer_json() {
    local file=$1 type=$2
    shift 2
    local i=0 token vocab=""
    for token in "$@"; do
        vocab+="${vocab:+,}\"$token\":$i"
        i=$((i + 1))
    done
    if [ "$type" = WordPiece ]; then
        cat >"$file" <<EOF
{"version":"1.0","truncation":null,"padding":null,
 "added_tokens":[{"id":0,"content":"[PAD]","special":true},{"id":1,"content":"[UNK]","special":true},
                 {"id":2,"content":"[CLS]","special":true},{"id":3,"content":"[SEP]","special":true},
                 {"id":4,"content":"[MASK]","special":true}],
 "normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true},
 "pre_tokenizer":{"type":"BertPreTokenizer"},
 "decoder":{"type":"WordPiece","prefix":"##","cleanup":true},
 "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,
          "vocab":{$vocab}}}
EOF
    else
        cat >"$file" <<EOF
{"version":"1.0","truncation":null,"padding":null,"added_tokens":[],
 "normalizer":null,"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},
 "decoder":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true},
 "model":{"type":"BPE","dropout":null,"unk_token":null,"continuing_subword_prefix":"","end_of_word_suffix":"",
          "fuse_unk":false,"byte_fallback":false,"vocab":{$vocab},"merges":["Ġ t","Ġt he","i n","Ġ a"]}}
EOF
    fi
}

BERT_TOKENS=("[PAD]" "[UNK]" "[CLS]" "[SEP]" "[MASK]" the of and to in a is was for on as with
             "##s" "##ing" "##ed" "##ly" model language train data bert)
GPT2_TOKENS=("!" "\\\"" "#" "\$" "%" "&" "'" "(" ")" a b c d e t h "Ġt" "Ġthe" in "Ġa" "Ġof"
             "Ġand" "Ġmodel" "<|endoftext|>")
LLAMA_TOKENS=("<unk>" "<s>" "</s>" "<0x00>" "<0x01>" "▁t" "▁the" "▁a" "er" "in" "▁model" "▁of")

# --------------------------------------------------------------------------------------
# Fixtures: Hugging Face (served by fixture_hub.py from HUB_ROOT)
# --------------------------------------------------------------------------------------

section "Generating fixtures in $WORK"

HF_STAFF="Hugging Face Staff <staff@huggingface.example>"

# google-bert/bert-tiny: a small masked language model, three commits.
T="$SRC/hf/bert-tiny"
new_repo "$T" main
lfs_attributes "$T/.gitattributes"
printf -- '---\nlicense: apache-2.0\n---\n' >"$T/README.md"
commit "$T" "2024-03-11T09:02:41+00:00" "$HF_STAFF" "initial commit"

cat >"$T/config.json" <<'EOF'
{
  "architectures": ["BertForMaskedLM"],
  "attention_probs_dropout_prob": 0.1,
  "hidden_act": "gelu",
  "hidden_dropout_prob": 0.1,
  "hidden_size": 128,
  "initializer_range": 0.02,
  "intermediate_size": 512,
  "max_position_embeddings": 512,
  "model_type": "bert",
  "num_attention_heads": 2,
  "num_hidden_layers": 2,
  "pad_token_id": 0,
  "torch_dtype": "float32",
  "transformers_version": "4.38.2",
  "type_vocab_size": 2,
  "vocab_size": 30522
}
EOF
printf '%s\n' "${BERT_TOKENS[@]}" >"$T/vocab.txt"
tokenizer_json "$T/tokenizer.json" WordPiece "${BERT_TOKENS[@]}"
cat >"$T/tokenizer_config.json" <<'EOF'
{"do_lower_case": true, "model_max_length": 512, "tokenizer_class": "BertTokenizer"}
EOF
lfs_pointer "$T/model.safetensors" "bert-tiny weights, first training run" 4412304
commit "$T" "2024-03-11T09:15:07+00:00" "Turc Iulia <iulia.turc@google.example>" "Upload BertForMaskedLM"

cat >"$T/README.md" <<'EOF'
---
language:
- en
license: apache-2.0
tags:
- bert
- exbert
- fill-mask
datasets:
- bookcorpus
- wikipedia
pipeline_tag: fill-mask
library_name: transformers
model-index:
- name: bert-tiny
  results:
  - task:
      type: fill-mask
      name: Masked Language Modeling
    dataset:
      name: Wikipedia (English)
      type: wikipedia
    metrics:
    - type: perplexity
      value: 14.21
      name: Perplexity
---

# BERT Tiny (L=2, H=128)

The smallest of the 24 compact BERT models of *Well-Read Students Learn Better*
(Turc et al., 2019), pre-trained on BookCorpus and English Wikipedia with the
masked language modelling objective. Meant for environments with restricted
compute, and as a student for knowledge distillation.

```python
from transformers import pipeline
unmasker = pipeline("fill-mask", model="google-bert/bert-tiny")
unmasker("The capital of France is [MASK].")
```

## Limitations

Two layers are not much: expect far lower accuracy than BERT-Base on GLUE.
EOF
commit "$T" "2024-05-02T14:40:19+00:00" "$HF_STAFF" "Update README.md"
publish "$T" "$HUB_ROOT/google-bert/bert-tiny.git"

# openai-community/gpt2-mini: a text generation model, two commits.
T="$SRC/hf/gpt2-mini"
new_repo "$T" main
lfs_attributes "$T/.gitattributes"
cat >"$T/config.json" <<'EOF'
{
  "activation_function": "gelu_new",
  "architectures": ["GPT2LMHeadModel"],
  "bos_token_id": 50256,
  "eos_token_id": 50256,
  "hidden_size": 256,
  "model_type": "gpt2",
  "n_ctx": 512,
  "n_embd": 256,
  "n_head": 4,
  "n_layer": 4,
  "n_positions": 512,
  "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}},
  "torch_dtype": "float32",
  "transformers_version": "4.35.0",
  "vocab_size": 50257
}
EOF
cat >"$T/generation_config.json" <<'EOF'
{"_from_model_config": true, "bos_token_id": 50256, "eos_token_id": 50256, "transformers_version": "4.35.0"}
EOF
tokenizer_json "$T/tokenizer.json" BPE "${GPT2_TOKENS[@]}"
printf '#version: 0.2\nĠ t\nĠt he\ni n\nĠ a\n' >"$T/merges.txt"
lfs_pointer "$T/model.safetensors" "gpt2-mini weights" 6291712
lfs_pointer "$T/pytorch_model.bin" "gpt2-mini weights, pickled" 6293501
commit "$T" "2023-11-20T18:21:55+00:00" "Mira Okafor <mira@openai-community.example>" "Add GPT-2 mini weights, config and tokenizer"

cat >"$T/README.md" <<'EOF'
---
language: en
license: mit
tags:
- exbert
- gpt2
- text-generation
datasets:
- openwebtext
pipeline_tag: text-generation
library_name: transformers
model-index:
- name: gpt2-mini
  results:
  - task:
      type: text-generation
      name: Causal Language Modeling
    dataset:
      name: WikiText-103
      type: wikitext
    metrics:
    - type: perplexity
      value: 61.8
      name: Perplexity
---

# GPT-2 mini

A 4-layer GPT-2 trained on OpenWebText for quick experiments and tests. It uses
the GPT-2 byte-level BPE tokenizer and generates English text.

```python
from transformers import pipeline, set_seed
generator = pipeline("text-generation", model="openai-community/gpt2-mini")
set_seed(42)
generator("Hello, I'm a language model,", max_length=30)
```
EOF
commit "$T" "2024-02-14T08:05:33+00:00" "Mira Okafor <mira@openai-community.example>" "Add model card"
publish "$T" "$HUB_ROOT/openai-community/gpt2-mini.git"

# acme/vit-small: an image classifier, two commits (deleted upstream later on).
T="$SRC/hf/vit-small"
new_repo "$T" main
lfs_attributes "$T/.gitattributes"
cat >"$T/config.json" <<'EOF'
{
  "architectures": ["ViTForImageClassification"],
  "attention_probs_dropout_prob": 0.0,
  "hidden_act": "gelu",
  "hidden_size": 384,
  "image_size": 224,
  "intermediate_size": 1536,
  "model_type": "vit",
  "num_attention_heads": 6,
  "num_channels": 3,
  "num_hidden_layers": 12,
  "patch_size": 16,
  "qkv_bias": true,
  "torch_dtype": "float32",
  "transformers_version": "4.41.2"
}
EOF
cat >"$T/preprocessor_config.json" <<'EOF'
{"do_normalize": true, "do_rescale": true, "do_resize": true, "image_mean": [0.5, 0.5, 0.5],
 "image_processor_type": "ViTImageProcessor", "image_std": [0.5, 0.5, 0.5], "resample": 2,
 "rescale_factor": 0.00392156862745098, "size": {"height": 224, "width": 224}}
EOF
lfs_pointer "$T/model.safetensors" "vit-small weights" 8802304
commit "$T" "2024-06-03T11:47:02+00:00" "Dana Reyes <dana@acme.example>" "Upload ViTForImageClassification"
cat >"$T/README.md" <<'EOF'
---
license: apache-2.0
tags:
- vision
- image-classification
- vit
datasets:
- imagenet-1k
pipeline_tag: image-classification
library_name: transformers
model-index:
- name: vit-small
  results:
  - task:
      type: image-classification
    dataset:
      name: ImageNet-1k
      type: imagenet-1k
    metrics:
    - type: accuracy
      value: 0.794
      name: Top-1 accuracy
---

# ViT-Small/16

A Vision Transformer (ViT-S/16) fine-tuned on ImageNet-1k at 224x224.
EOF
commit "$T" "2024-09-17T16:30:45+00:00" "Dana Reyes <dana@acme.example>" "Add model card"
publish "$T" "$HUB_ROOT/acme/vit-small.git"

# acme/llama-gated: a gated ("manual") text generation model; cloning it needs a token.
T="$SRC/hf/llama-gated"
new_repo "$T" main
lfs_attributes "$T/.gitattributes"
cat >"$T/README.md" <<'EOF'
---
license: other
license_name: acme-community-license
language:
- en
- de
- fr
tags:
- llama
- text-generation
- conversational
pipeline_tag: text-generation
library_name: transformers
extra_gated_prompt: You agree to the ACME Community License and Acceptable Use Policy.
extra_gated_fields:
  Affiliation: text
  I accept the license: checkbox
model-index:
- name: llama-gated
  results:
  - task:
      type: text-generation
    dataset:
      name: MMLU (5-shot)
      type: cais/mmlu
    metrics:
    - type: accuracy
      value: 0.452
      name: Accuracy
---

# ACME Llama (gated)

A small Llama-architecture chat model. Access is granted after accepting the
license on the model page.
EOF
cat >"$T/config.json" <<'EOF'
{
  "architectures": ["LlamaForCausalLM"],
  "bos_token_id": 1,
  "eos_token_id": 2,
  "hidden_act": "silu",
  "hidden_size": 512,
  "intermediate_size": 1376,
  "max_position_embeddings": 2048,
  "model_type": "llama",
  "num_attention_heads": 8,
  "num_hidden_layers": 8,
  "num_key_value_heads": 4,
  "rms_norm_eps": 1e-05,
  "rope_theta": 10000.0,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.46.1",
  "vocab_size": 32000
}
EOF
tokenizer_json "$T/tokenizer.json" BPE "${LLAMA_TOKENS[@]}"
lfs_pointer "$T/model.safetensors" "llama-gated weights" 9437696
commit "$T" "2025-01-08T10:12:00+00:00" "Dana Reyes <dana@acme.example>" "Release llama-gated v1"
cat >"$T/generation_config.json" <<'EOF'
{"bos_token_id": 1, "do_sample": true, "eos_token_id": 2, "temperature": 0.6, "top_p": 0.9, "transformers_version": "4.46.1"}
EOF
commit "$T" "2025-04-22T07:55:13+00:00" "Sam Whitfield <sam@acme.example>" "Add generation_config.json"
publish "$T" "$HUB_ROOT/acme/llama-gated.git"

# The Hub's listing: what /api/models says of each model (sha and lastModified are
# computed by the server from the repositories).
cat >"$HUB_ROOT/models.json" <<'EOF'
[
  {"id": "google-bert/bert-tiny", "downloads": 1843211, "likes": 112,
   "tags": ["transformers", "pytorch", "safetensors", "bert", "fill-mask", "exbert", "en",
            "dataset:bookcorpus", "dataset:wikipedia", "license:apache-2.0", "region:us"],
   "pipeline_tag": "fill-mask", "library_name": "transformers", "gated": false,
   "cardData": {"language": ["en"], "license": "apache-2.0", "tags": ["bert", "exbert", "fill-mask"],
                "datasets": ["bookcorpus", "wikipedia"]},
   "createdAt": "2024-03-11T09:02:41.000Z"},
  {"id": "openai-community/gpt2-mini", "downloads": 402377, "likes": 58,
   "tags": ["transformers", "pytorch", "safetensors", "gpt2", "text-generation", "exbert", "en",
            "dataset:openwebtext", "license:mit", "region:us"],
   "pipeline_tag": "text-generation", "library_name": "transformers", "gated": false,
   "cardData": {"language": "en", "license": "mit", "tags": ["exbert", "gpt2", "text-generation"],
                "datasets": ["openwebtext"]},
   "createdAt": "2023-11-20T18:21:55.000Z"},
  {"id": "acme/vit-small", "downloads": 9120, "likes": 7,
   "tags": ["transformers", "safetensors", "vit", "image-classification", "vision",
            "dataset:imagenet-1k", "license:apache-2.0", "region:us"],
   "pipeline_tag": "image-classification", "library_name": "transformers", "gated": false,
   "cardData": {"license": "apache-2.0", "tags": ["vision", "image-classification", "vit"],
                "datasets": ["imagenet-1k"]},
   "createdAt": "2024-06-03T11:47:02.000Z"},
  {"id": "acme/llama-gated", "downloads": 25604, "likes": 340,
   "tags": ["transformers", "safetensors", "llama", "text-generation", "conversational",
            "en", "de", "fr", "license:other", "region:us"],
   "pipeline_tag": "text-generation", "library_name": "transformers", "gated": "manual",
   "cardData": {"license": "other", "license_name": "acme-community-license",
                "language": ["en", "de", "fr"], "tags": ["llama", "text-generation", "conversational"]},
   "createdAt": "2025-01-08T10:12:00.000Z"}
]
EOF
echo "hf_demo_token_0123456789" >"$WORK/hf-token"
chmod 600 "$WORK/hf-token"
echo "Hugging Face: 4 models (acme/llama-gated is gated)"

# --------------------------------------------------------------------------------------
# Fixtures: PyTorch Hub (index pytorch/hub, packages pytorch/vision and WSL-Images)
# --------------------------------------------------------------------------------------

PT_DEV="Nicolas Hug <nicolas@pytorch.example>"

# pytorch_card FILE TITLE SUMMARY GITHUB_ID ENTRYPOINT IMAGE ORDER [AUTHOR]: a PyTorch Hub
# model card (front matter as in the pytorch/hub repository, then a usage example).
pytorch_card() {
    local file=$1 title=$2 summary=$3 github_id=$4 entrypoint=$5 image=$6 order=$7
    cat >"$file" <<EOF
---
layout: hub_detail
background-class: hub-background
body-class: hub
title: $title
summary: $summary
category: researchers
image: $image
author: ${8:-Pytorch Team}
tags: [vision, scriptable]
github-link: https://github.com/$github_id/blob/main/hubconf.py
github-id: $github_id
featured_image_1: $image
featured_image_2: no-image
accelerator: cuda-optional
order: $order
---

\`\`\`python
import torch
model = torch.hub.load('$github_id', '$entrypoint', pretrained=True)
model.eval()
\`\`\`

All pre-trained models expect input images normalized in the same way, i.e.
mini-batches of 3-channel RGB images of shape \`(3 x H x W)\`, where \`H\` and \`W\` are
expected to be at least \`224\`.

### Model Description

$summary.
EOF
}

T="$SRC/github/pytorch/hub"
new_repo "$T" master
cat >"$T/README.md" <<'EOF'
# PyTorch Hub

Each `<owner>_<repo>_<model>.md` file is the card of one model published on
https://pytorch.org/hub. To add a model, send a pull request with its card; its
repository must have a `hubconf.py` at the top.
EOF
pytorch_card "$T/pytorch_vision_resnet.md" ResNet "Deep residual networks pre-trained on ImageNet" \
    pytorch/vision resnet18 resnet.png 1
pytorch_card "$T/pytorch_vision_alexnet.md" AlexNet "The 2012 ImageNet winner achieved a top-5 error of 15.3%" \
    pytorch/vision alexnet alexnet1.png 2
commit "$T" "2024-08-29T17:03:11+00:00" "$PT_DEV" "Add ResNet and AlexNet cards"
pytorch_card "$T/facebookresearch_WSL-Images_resnext.md" "ResNext WSL" \
    "ResNext models trained with billion scale weakly-supervised data" \
    facebookresearch/WSL-Images resnext101_32x8d_wsl wsl-image.png 10 "Facebook AI"
commit "$T" "2024-10-07T09:48:30+00:00" "Laurens van der Maaten <lvdm@fb.example>" "Add ResNext WSL card"
publish "$T" "$SERVED/github.com/pytorch/hub"

# pytorch/vision: hubconf.py entry points resnet18 and alexnet; tagged v0.19.0.
T="$SRC/github/pytorch/vision"
new_repo "$T" main
mkdir -p "$T/torchvision/models"
cat >"$T/README.md" <<'EOF'
# torchvision

The torchvision package consists of popular datasets, model architectures, and
common image transformations for computer vision.
EOF
cat >"$T/torchvision/models/__init__.py" <<'EOF'
from .alexnet import alexnet
from .resnet import resnet18
EOF
cat >"$T/torchvision/models/resnet.py" <<'EOF'
import torch.nn as nn


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


def resnet18(*, weights=None, progress=True, **kwargs):
    raise NotImplementedError("fixture: the layers are left out")
EOF
cat >"$T/torchvision/models/alexnet.py" <<'EOF'
import torch.nn as nn


def alexnet(*, weights=None, progress=True, **kwargs):
    raise NotImplementedError("fixture: the layers are left out")
EOF
commit "$T" "2024-06-12T13:22:09+00:00" "$PT_DEV" "Add ResNet and AlexNet builders"
cat >"$T/hubconf.py" <<'EOF'
# Optional list of dependencies required by the package
dependencies = ['torch']

from torchvision.models import alexnet as _alexnet, resnet18 as _resnet18


def _weights(name, pretrained):
    """The weights enum entry to load, or None for random initialisation."""
    return f"{name}_Weights.IMAGENET1K_V1" if pretrained else None


def resnet18(pretrained=False, progress=True, **kwargs):
    """ResNet-18 from `Deep Residual Learning for Image Recognition`."""
    return _resnet18(weights=_weights("ResNet18", pretrained), progress=progress, **kwargs)


def alexnet(pretrained=False, progress=True, **kwargs):
    """AlexNet from `One weird trick for parallelizing convolutional neural networks`."""
    return _alexnet(weights=_weights("AlexNet", pretrained), progress=progress, **kwargs)
EOF
commit "$T" "2024-07-30T10:01:57+00:00" "$PT_DEV" "Add hubconf.py for torch.hub"
tag "$T" "2024-07-30T10:05:00+00:00" "$PT_DEV" v0.19.0
publish "$T" "$SERVED/github.com/pytorch/vision"

# facebookresearch/WSL-Images: one hubconf.py, two commits.
T="$SRC/github/facebookresearch/WSL-Images"
new_repo "$T" main
cat >"$T/README.md" <<'EOF'
# ResNeXt WSL

ResNeXt models pre-trained in weakly-supervised fashion on 940 million public
images with 1.5K hashtags matching 1000 ImageNet1K synsets, then fine-tuned on
ImageNet1K. Mahajan et al., "Exploring the Limits of Weakly Supervised Pretraining", 2018.
EOF
printf 'Attribution-NonCommercial 4.0 International\n' >"$T/LICENSE"
commit "$T" "2019-06-10T21:11:42+00:00" "Dhruv Mahajan <dhruvm@fb.example>" "Initial commit"
cat >"$T/hubconf.py" <<'EOF'
dependencies = ['torch', 'torchvision']

from torch.hub import load_state_dict_from_url
from torchvision.models.resnet import ResNet, Bottleneck

model_urls = {
    'resnext101_32x8d': 'https://download.pytorch.org/models/ig_resnext101_32x8-c38310e5.pth',
    'resnext101_32x16d': 'https://download.pytorch.org/models/ig_resnext101_32x16-c6f796b0.pth',
}


def _resnext(arch, block, layers, pretrained, progress, **kwargs):
    model = ResNet(block, layers, **kwargs)
    state_dict = load_state_dict_from_url(model_urls[arch], progress=progress)
    model.load_state_dict(state_dict)
    return model


def resnext101_32x8d_wsl(progress=True, **kwargs):
    """ResNeXt-101 32x8d pre-trained on weakly-supervised data, fine-tuned on ImageNet."""
    kwargs['groups'] = 32
    kwargs['width_per_group'] = 8
    return _resnext('resnext101_32x8d', Bottleneck, [3, 4, 23, 3], True, progress, **kwargs)


def resnext101_32x16d_wsl(progress=True, **kwargs):
    """ResNeXt-101 32x16d pre-trained on weakly-supervised data, fine-tuned on ImageNet."""
    kwargs['groups'] = 32
    kwargs['width_per_group'] = 16
    return _resnext('resnext101_32x16d', Bottleneck, [3, 4, 23, 3], True, progress, **kwargs)
EOF
commit "$T" "2019-06-12T15:30:00+00:00" "Dhruv Mahajan <dhruvm@fb.example>" "Add torch.hub entry points"
publish "$T" "$SERVED/github.com/facebookresearch/WSL-Images"
echo "PyTorch Hub: index with 3 cards, packages pytorch/vision and facebookresearch/WSL-Images"

# --------------------------------------------------------------------------------------
# Fixtures: ONNX Model Zoo (onnx/models, one package per ONNX_HUB_MANIFEST.json entry)
# --------------------------------------------------------------------------------------

ONNX_DEV="Jacky Chen <jacky@onnx.example>"
T="$SRC/github/onnx/models"
new_repo "$T" main
printf '*.onnx filter=lfs diff=lfs merge=lfs -text\n*.tar.gz filter=lfs diff=lfs merge=lfs -text\n' >"$T/.gitattributes"
cat >"$T/README.md" <<'EOF'
# ONNX Model Zoo

Pre-trained, state-of-the-art models in the ONNX format, contributed by community
members. `ONNX_HUB_MANIFEST.json` lists every model for `onnx.hub`.
EOF

RESNET="validated/vision/classification/resnet"
BERTSQUAD="validated/text/machine_comprehension/bert-squad"
mkdir -p "$T/$RESNET/model" "$T/$BERTSQUAD/model"
cat >"$T/$RESNET/README.md" <<'EOF'
# ResNet

Deeper neural networks are more difficult to train. Residual learning eases the
training of networks substantially deeper than those used previously.

| Model | Top-1 accuracy (%) | Top-5 accuracy (%) | Opset |
|-------|--------------------|--------------------|-------|
| ResNet50-v1 | 74.93 | 92.38 | 7 |
| ResNet50-v2 | 75.81 | 92.82 | 7 |
EOF
cat >"$T/$BERTSQUAD/README.md" <<'EOF'
# BERT-Squad

BERT fine-tuned on SQuAD v1.1 for question answering: given a paragraph and a
question, it predicts the span of the paragraph that answers it.
EOF
lfs_pointer "$T/$RESNET/model/resnet50-v1-7.onnx" "resnet50-v1-7" 5120345
RESNET_V1_SHA=$OID
lfs_pointer "$T/$RESNET/model/resnet50-v2-7.onnx" "resnet50-v2-7" 5118762
RESNET_V2_SHA=$OID
lfs_pointer "$T/$BERTSQUAD/model/bertsquad-12.onnx" "bertsquad-12" 7340551
BERTSQUAD_SHA=$OID
cat >"$T/ONNX_HUB_MANIFEST.json" <<EOF
[
  {
    "model": "ResNet50",
    "model_path": "$RESNET/model/resnet50-v1-7.onnx",
    "onnx_version": "1.2.1",
    "opset_version": 7,
    "metadata": {
      "model_sha": "$RESNET_V1_SHA",
      "model_bytes": 5120345,
      "tags": ["vision", "classification", "resnet"],
      "io_ports": {
        "inputs": [{"name": "data", "shape": [1, 3, 224, 224], "type": "tensor(float)"}],
        "outputs": [{"name": "resnetv17_dense0_fwd", "shape": [1, 1000], "type": "tensor(float)"}]
      }
    }
  },
  {
    "model": "ResNet50-v2",
    "model_path": "$RESNET/model/resnet50-v2-7.onnx",
    "onnx_version": "1.2.1",
    "opset_version": 7,
    "metadata": {
      "model_sha": "$RESNET_V2_SHA",
      "model_bytes": 5118762,
      "tags": ["vision", "classification", "resnet"],
      "io_ports": {
        "inputs": [{"name": "data", "shape": [1, 3, 224, 224], "type": "tensor(float)"}],
        "outputs": [{"name": "resnetv24_dense0_fwd", "shape": [1, 1000], "type": "tensor(float)"}]
      }
    }
  },
  {
    "model": "BERT-Squad",
    "model_path": "$BERTSQUAD/model/bertsquad-12.onnx",
    "onnx_version": "1.9",
    "opset_version": 12,
    "metadata": {
      "model_sha": "$BERTSQUAD_SHA",
      "model_bytes": 7340551,
      "tags": ["text", "machine comprehension", "bert-squad"],
      "io_ports": {
        "inputs": [{"name": "unique_ids_raw_output___9:0", "shape": ["unk__475"], "type": "tensor(int64)"},
                   {"name": "segment_ids:0", "shape": ["unk__476", 256], "type": "tensor(int64)"},
                   {"name": "input_mask:0", "shape": ["unk__477", 256], "type": "tensor(int64)"},
                   {"name": "input_ids:0", "shape": ["unk__478", 256], "type": "tensor(int64)"}],
        "outputs": [{"name": "unstack:1", "shape": ["unk__479", 256], "type": "tensor(float)"},
                    {"name": "unstack:0", "shape": ["unk__480", 256], "type": "tensor(float)"},
                    {"name": "unique_ids:0", "shape": ["unk__481"], "type": "tensor(int64)"}]
      }
    }
  }
]
EOF
commit "$T" "2023-03-21T22:14:05+00:00" "$ONNX_DEV" "Add ResNet50 and BERT-Squad with the hub manifest"
cat >>"$T/$RESNET/README.md" <<'EOF'

## Preprocessing

Resize to 256, center-crop to 224x224, scale to [0, 1], then normalize with
mean = [0.485, 0.456, 0.406] and std = [0.229, 0.224, 0.225].
EOF
commit "$T" "2023-07-02T06:40:51+00:00" "Wei Zhang <wei@onnx.example>" "ResNet: document preprocessing"
publish "$T" "$SERVED/github.com/onnx/models"
echo "ONNX Model Zoo: onnx/models with 3 manifest entries in 2 model folders"

# --------------------------------------------------------------------------------------
# Fixtures: Modelhub (index modelhub-ai/modelhub, packages squeezenet and alexnet)
# --------------------------------------------------------------------------------------

MH_DEV="Ahmed Hosny <ahmed@modelhub.example>"

# modelhub_model TREE BRANCH NAME TASK DATE ID: a Modelhub contribution repository.
modelhub_model() {
    local tree=$1 branch=$2 name=$3 task=$4 date=$5 id=$6
    new_repo "$tree" "$branch"
    mkdir -p "$tree/contrib_src/model" "$tree/contrib_src/sample_data"
    printf 'contrib_src/model/*.onnx filter=lfs diff=lfs merge=lfs -text\n' >"$tree/.gitattributes"
    printf 'FROM modelhub/main_onnx_cpu:latest\nRUN pip install onnxruntime==1.16.3\n' >"$tree/Dockerfile"
    cat >"$tree/README.md" <<EOF
# $name

$task, packaged for modelhub.ai: run \`python start.py $name\` to serve it.
EOF
    cat >"$tree/contrib_src/model/config.json" <<EOF
{
  "id": "$id",
  "meta": {"name": "$name", "application_area": "ImageNet", "task": "Classification",
           "task_extended": "$task", "data_type": "Image/Photo", "data_source": "http://www.image-net.org/"},
  "model": {"description": "$name trained on ImageNet", "provenance": "https://github.com/onnx/models",
            "architecture": "Convolutional Neural Network (CNN)", "learning_type": "Supervised learning",
            "format": ".onnx", "io": {"input": {"format": ["image/png", "image/jpeg"],
            "dim_limits": [{"min": 1, "max": 4}, {"min": 32}, {"min": 32}]},
            "output": [{"name": "probabilities", "type": "label_list"}]}},
  "publication": {"title": "ImageNet Classification with Deep Convolutional Neural Networks", "year": 2012}
}
EOF
    cat >"$tree/contrib_src/inference.py" <<'EOF'
import onnxruntime as rt
from processing import ImageProcessor
from modelhublib.model import ModelBase


class Model(ModelBase):
    def __init__(self):
        self._imageProcessor = ImageProcessor(self._config)
        self._session = rt.InferenceSession("model/model.onnx")

    def infer(self, input):
        inputAsNpArr = self._imageProcessor.loadAndPreprocess(input)
        result = self._session.run(None, {self._session.get_inputs()[0].name: inputAsNpArr})[0]
        return self._imageProcessor.computeOutput(result)
EOF
    lfs_pointer "$tree/contrib_src/model/model.onnx" "modelhub $name" 1245321
    commit "$tree" "$date" "$MH_DEV" "Contribute $name"
}

modelhub_model "$SRC/github/modelhub-ai/squeezenet" master squeezenet \
    "SqueezeNet: AlexNet-level accuracy with 50x fewer parameters" "2018-10-04T12:00:00+00:00" \
    "9e7c6a3d-1f0b-4b8e-9d52-3c1e8f7a2b40"
publish "$SRC/github/modelhub-ai/squeezenet" "$SERVED/github.com/modelhub-ai/squeezenet"
modelhub_model "$SRC/github/modelhub-ai/alexnet" main alexnet \
    "ImageNet classification with a deep convolutional network" "2018-11-19T09:30:00+00:00" \
    "4b1d2e8f-7a6c-4e31-8f09-a5d3c2b1e604"
publish "$SRC/github/modelhub-ai/alexnet" "$SERVED/github.com/modelhub-ai/alexnet"

T="$SRC/github/modelhub-ai/modelhub"
new_repo "$T" master
printf '# Modelhub\n\nA repository of deep learning models, packaged to run anywhere.\n' >"$T/README.md"
cat >"$T/models.json" <<'EOF'
[
  {"id": 1, "name": "squeezenet", "task_extended": "ImageNet classification",
   "github": "https://github.com/modelhub-ai/squeezenet", "github_branch": "master",
   "backend": ["onnx"], "gpu": false},
  {"id": 2, "name": "alexnet", "task_extended": "ImageNet classification",
   "github": "https://github.com/modelhub-ai/alexnet", "github_branch": "main",
   "backend": ["onnx"], "gpu": false}
]
EOF
commit "$T" "2018-11-20T10:00:00+00:00" "$MH_DEV" "List squeezenet and alexnet"
publish "$T" "$SERVED/github.com/modelhub-ai/modelhub"
echo "Modelhub: index with 2 models (branches master and main)"

# --------------------------------------------------------------------------------------
# Fixtures: modelzoo.co (catalogue served by fixture_hub.py; one repository on "GitHub")
# --------------------------------------------------------------------------------------

T="$SRC/github/tensorflow/models"
new_repo "$T" master
mkdir -p "$T/research/deeplab" "$T/official"
printf '# TensorFlow Model Garden\n\nState-of-the-art models implemented with TensorFlow.\n' >"$T/README.md"
printf '# Official models\n\nMaintained, tested and kept up to date with the latest TensorFlow API.\n' >"$T/official/README.md"
cat >"$T/research/deeplab/README.md" <<'EOF'
# DeepLab: Deep Labelling for Semantic Image Segmentation

DeepLab is a state-of-the-art deep learning model for semantic image segmentation,
assigning a semantic label (person, dog, cat, ...) to every pixel of an image.
EOF
printf '"""DeepLab v3+ model definition."""\n\nimport tensorflow as tf\n' >"$T/research/deeplab/model.py"
commit "$T" "2022-05-16T19:25:00+00:00" "Liang-Chieh Chen <lcchen@tf.example>" "DeepLab v3+ release"
publish "$T" "$SERVED/github.com/tensorflow/models"

cat >"$HUB_ROOT/modelzoo.json" <<'EOF'
{"models": [
  {"id": 101, "slug": "deeplab", "title": "DeepLab",
   "description": "Deep Labelling for Semantic Image Segmentation",
   "stars": 77120, "link": "https://github.com/tensorflow/models/tree/master/research/deeplab",
   "framework": {"name": "TensorFlow"}, "categories": [{"name": "Computer Vision"}, {"name": "Semantic Segmentation"}],
   "long_desc": "<p>DeepLab assigns a semantic label to every pixel of an image.</p>",
   "papers": [{"title": "Encoder-Decoder with Atrous Separable Convolution for Semantic Image Segmentation",
               "link": "https://arxiv.org/abs/1802.02611"}]},
  {"id": 102, "slug": "pix2pix-web", "title": "pix2pix in the browser",
   "description": "Image-to-image translation with conditional adversarial nets, running in a web page",
   "stars": 1480, "link": "https://affinelayer.example/pixsrv/",
   "framework": {"name": "TensorFlow.js"}, "categories": [{"name": "Generative Models"}],
   "long_desc": "<p>An interactive demo; the model is not published as a repository.</p>",
   "papers": [{"title": "Image-to-Image Translation with Conditional Adversarial Networks",
               "link": "https://arxiv.org/abs/1611.07004"}]},
  {"id": 103, "slug": "torchvision", "title": "torchvision models",
   "description": "Datasets, transforms and pre-trained models for computer vision",
   "stars": 16012, "link": "https://github.com/pytorch/vision",
   "framework": {"name": "PyTorch"}, "categories": [{"name": "Computer Vision"}],
   "long_desc": "<p>ResNet, AlexNet and many more, pre-trained on ImageNet.</p>",
   "papers": []}
]}
EOF
echo "modelzoo.co: 3 models (one metadata-only)"

# --------------------------------------------------------------------------------------
# Fixtures: a plain git repository (served at /org/model-a)
# --------------------------------------------------------------------------------------

T="$SRC/plain/model-a"
new_repo "$T" main
lfs_attributes "$T/.gitattributes"
printf '# model-a\n\nOur in-house sentiment classifier.\n' >"$T/README.md"
printf '{"architectures": ["DistilBertForSequenceClassification"], "model_type": "distilbert", "num_labels": 3}\n' >"$T/config.json"
lfs_pointer "$T/model.safetensors" "model-a weights" 2097496
commit "$T" "2025-09-01T08:00:00+00:00" "Research Team <research@ours.example>" "First model"
tag "$T" "2025-09-01T08:05:00+00:00" "Research Team <research@ours.example>" v1.0
publish "$T" "$SERVED/org/model-a"
echo "plain git: org/model-a (tag v1.0)"

# --------------------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------------------

section "Starting the servers"

# wait_for_port FILE PID: the port a server wrote to FILE (up to 10 s).
wait_for_port() {
    local file=$1 pid=$2 i
    for i in $(seq 100); do
        if [ -s "$file" ]; then
            cat "$file"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { echo "demo: server $pid exited; see its log" >&2; return 1; }
        sleep 0.1
    done
    echo "demo: server $pid wrote no port file in 10 s" >&2
    return 1
}

python3 "$SUPPORT/fixture_hub.py" --root "$HUB_ROOT" --port-file "$WORK/hub.port" \
    >"$LOGS/fixture_hub.log" 2>&1 &
HUB_PID=$!
python3 "$SUPPORT/git_http_server.py" --root "$SERVED" --port 0 --port-file "$WORK/git.port" \
    >"$LOGS/git_http_server.log" 2>&1 &
GIT_PID=$!
HUB_PORT=$(wait_for_port "$WORK/hub.port" "$HUB_PID")
GIT_PORT=$(wait_for_port "$WORK/git.port" "$GIT_PID")
echo "Hugging Face Hub and modelzoo.co API  http://127.0.0.1:$HUB_PORT  (pid $HUB_PID)"
echo "GitHub and plain git                  http://127.0.0.1:$GIT_PORT  (pid $GIT_PID)"

# --------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------

cat >"$CONFIG" <<EOF
# Sediment demo configuration: six hubs, all served from 127.0.0.1.
[storage]
path = "$WORK/archive"

[daemon]
concurrency = 4
per_host_concurrency = 2

[http]
max_attempts = 3
backoff = "100ms"

[[hub]]
kind = "huggingface"
name = "hf"
endpoint = "http://127.0.0.1:$HUB_PORT"
token_file = "$WORK/hf-token"
page_size = 2

[[hub]]
kind = "pytorch-hub"
name = "pytorch"
index = "https://github.com/pytorch/hub"

[[hub]]
kind = "onnx-model-zoo"
name = "onnx"
repository = "https://github.com/onnx/models"

[[hub]]
kind = "modelhub"
name = "modelhub"
index = "https://github.com/modelhub-ai/modelhub"

[[hub]]
kind = "modelzoo"
name = "modelzoo"
endpoint = "http://127.0.0.1:$HUB_PORT"

[[hub]]
kind = "git"
name = "ours"
repositories = ["http://127.0.0.1:$GIT_PORT/org/model-a"]

# GitHub is played by the local git server.
[[rewrite]]
prefix = "https://github.com/"
replacement = "http://127.0.0.1:$GIT_PORT/github.com/"
EOF
section "Configuration ($CONFIG)"
cat "$CONFIG"

# run_sync LABEL: runs `sediment sync`; a failed visit (exit status 1) is reported, not fatal.
run_sync() {
    section "$1: sediment sync"
    local status=0
    "$SEDIMENT" sync --config "$CONFIG" || status=$?
    case $status in
        0) echo "(sync exit status 0)" ;;
        1) echo "(sync exit status 1: a visit failed or found its package gone; the demo goes on)" ;;
        *) echo "demo: sediment sync stopped with exit status $status" >&2; exit "$status" ;;
    esac
}

run_sync "First crawl"

# --------------------------------------------------------------------------------------
# Time passes upstream
# --------------------------------------------------------------------------------------

section "Time passes upstream"
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# bert-tiny is retrained: new weights (a new LFS pointer) and a changed config.json.
T="$SRC/hf/bert-tiny"
sed -i -e 's/"transformers_version": "4.38.2"/"transformers_version": "4.44.2"/' \
       -e 's/"hidden_dropout_prob": 0.1/"hidden_dropout_prob": 0.05/' "$T/config.json"
lfs_pointer "$T/model.safetensors" "bert-tiny weights, second training run" 4412304
commit "$T" "$NOW" "Turc Iulia <iulia.turc@google.example>" "Retrain with longer schedule; lower dropout"
publish "$T" "$HUB_ROOT/google-bert/bert-tiny.git"
echo "hf:google-bert/bert-tiny         new commit: retrained weights, config.json changed"

# torchvision gains an entry point and a release tag.
T="$SRC/github/pytorch/vision"
cat >>"$T/hubconf.py" <<'EOF'


def resnet50(pretrained=False, progress=True, **kwargs):
    """ResNet-50 from `Deep Residual Learning for Image Recognition`."""
    from torchvision.models.resnet import resnet50 as _resnet50
    return _resnet50(weights=_weights("ResNet50", pretrained), progress=progress, **kwargs)
EOF
cat >>"$T/torchvision/models/resnet.py" <<'EOF'


def resnet50(*, weights=None, progress=True, **kwargs):
    raise NotImplementedError("fixture: the layers are left out")
EOF
commit "$T" "$NOW" "$PT_DEV" "Add resnet50 to hubconf.py"
tag "$T" "$NOW" "$PT_DEV" v0.20.0
publish "$T" "$SERVED/github.com/pytorch/vision"
echo "pytorch/vision                   new commit and tag v0.20.0 (3 packages use this repository)"

# The ONNX Model Zoo re-exports BERT-Squad (new weights in its model/ folder, a new
# sha and size in the manifest) and documents its accuracy; ResNet is untouched.
T="$SRC/github/onnx/models"
lfs_pointer "$T/$BERTSQUAD/model/bertsquad-12.onnx" "bertsquad-12, re-exported" 7340869
sed -i -e "s/$BERTSQUAD_SHA/$OID/" -e 's/"model_bytes": 7340551/"model_bytes": 7340869/' \
    "$T/ONNX_HUB_MANIFEST.json"
cat >>"$T/$BERTSQUAD/README.md" <<'EOF'

## Results

| Model | Exact match (%) | F1 (%) | Opset |
|-------|-----------------|--------|-------|
| BERT-Squad | 80.67 | 88.15 | 12 |
EOF
commit "$T" "$NOW" "$ONNX_DEV" "BERT-Squad: re-export with onnx 1.14; add accuracy table"
publish "$T" "$SERVED/github.com/onnx/models"
echo "onnx/models                      new commit in the bert-squad folder only"

# The Hub's counters move on, and acme/vit-small is deleted.
python3 - "$HUB_ROOT/models.json" <<'EOF'
import json, sys
path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    models = json.load(f)
for model in models:
    model["downloads"] = int(model["downloads"] * 1.08) + 17
    model["likes"] += 3
    if model["id"] == "acme/vit-small":
        model["deleted"] = True
with open(path, "w", encoding="utf-8") as f:
    json.dump(models, f, indent=1)
EOF
echo "Hub listing                      downloads and likes up; acme/vit-small deleted"

run_sync "Second crawl"

# --------------------------------------------------------------------------------------
# What the archive holds
# --------------------------------------------------------------------------------------

section "sediment status"
"$SEDIMENT" status --config "$CONFIG"

section "sediment snapshots hf:google-bert/bert-tiny"
"$SEDIMENT" snapshots hf:google-bert/bert-tiny --config "$CONFIG"

section "sediment show hf:google-bert/bert-tiny (the latest manifest)"
"$SEDIMENT" show hf:google-bert/bert-tiny --config "$CONFIG"

section "sediment log hf:google-bert/bert-tiny (first 20 lines)"
"$SEDIMENT" log hf:google-bert/bert-tiny --config "$CONFIG" >"$WORK/log.txt"
head -n 20 "$WORK/log.txt"

section "sediment packages"
"$SEDIMENT" packages --config "$CONFIG"

section "Stopping the servers"
stop_servers
echo "stopped; the demo took ${SECONDS}s"
