#!/usr/bin/env bash
# Artifact-stream benchmark (issue 12): MB/s of a 1 GB submission through the evaluator, and the host's peak RSS.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash scripts/setup.sh
node dist/cli/main.js bench artifact-stream "$@"
