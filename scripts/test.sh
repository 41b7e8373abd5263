#!/usr/bin/env bash
# The whole test suite against the real Docker engine (set-up included). Test files are found here and passed
# explicitly: Node 20's test runner silently finds no .ts files otherwise. Arguments narrow the run to some
# files (`bash scripts/test.sh tests/tasks/titanic.test.ts`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
status=0
if [ $# -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(find tests -name '*.test.ts' | sort)
  # The whole suite also type-checks src and tests, and runs the linter and format check (Biome).
  npx tsc -p tsconfig.check.json || status=$?
  npx biome check || status=$?
fi
node --expose-gc --import tsx --test --test-reporter=tap "${files[@]}" || status=$?
node dist/cli/main.js sandbox gc >/dev/null
exit $status
