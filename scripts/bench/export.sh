#!/usr/bin/env bash
# SFT Parquet export of 200k synthetic episodes vs DuckDB's COPY of the same JSONL (rows/s ratio, goal ≥ 0.5),
# peak RSS (goal ≤ 512 MB), and filter + export peak RSS over the same ~2 GB store. Pass --json for JSON.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
npm run build >/dev/null || echo "export bench: tsc reported errors (npm run build shows them); benchmarking the emitted build" >&2
node dist/cli/main.js bench export "$@"
