#!/usr/bin/env bash
# The whole test suite against the real Docker engine (set-up included). Test files are listed explicitly:
# Node 20's test runner silently finds no .ts files otherwise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
status=0
node --expose-gc --import tsx --test --test-reporter=tap \
  tests/sandbox/*.test.ts tests/env/*.test.ts tests/cli/*.test.ts || status=$?
node dist/cli/main.js sandbox gc >/dev/null
exit $status
