#!/usr/bin/env bash
# The main job, for now: set up, then run the demo episode through the real sandbox, ACI and evaluator.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
node dist/cli/main.js env demo "$@"
