#!/usr/bin/env bash
# Generator benchmark (issue 5): 32 agents against the built-in policy server at 300 ms latency with 32 in-flight
# slots, light commands. Prints LLM-slot utilisation, host CPU ms per step, RSS per agent, reset p50 warm vs cold.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash scripts/setup.sh
node dist/cli/main.js bench generate "$@"
