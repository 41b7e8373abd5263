#!/usr/bin/env bash
# Everything labgym needs on a fresh machine, idempotent: a Docker daemon, npm dependencies, the compiled CLI,
# and the base image (rebuilt only when its recipe's content hash changes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/ensure-docker.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm install, not npm ci: the registry reachable here serves only the linux-x64 build of @duckdb's optional
  # platform bindings, so the lock file cannot list the others and npm ci would refuse it. The lock still pins
  # every version that is installed.
  npm install --no-audit --no-fund --no-save
fi
npx tsc -p tsconfig.json
bash scripts/images/build-base.sh >/dev/null
