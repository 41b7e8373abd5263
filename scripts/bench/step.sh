#!/usr/bin/env bash
# Step-latency benchmark (issue: foundation). Prints env.step p50/p95, fresh-exec p50, their ratio, create+start p50.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash scripts/setup.sh
node dist/cli/main.js bench step "$@"
