#!/usr/bin/env bash
# The main job: set up (Docker, npm ci, compile, base image), then a small demo generation: the scripted policy
# on four CPU tasks at the reduced scale (scripts/demo-spec.yaml: 24 episodes, 8 at once) into runs/<run-id>/.
# Task images and datasets missing on this machine are built by `generate` before the first episode.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
node dist/cli/main.js generate -c scripts/demo-spec.yaml "$@"

# Export step (issue 6): the demo run as a Parquet dataset in the Hugging Face layout (data/train-*.parquet +
# README.md card): the submitted episodes that did not fall below their task's baseline.
run_dir=$(ls -td runs/demo-*/ | head -n1)
node dist/cli/main.js export "$run_dir" --format sft --where submitted --where 'improvement>=0' \
  --out "datasets/exports/$(basename "$run_dir")-sft" --overwrite
