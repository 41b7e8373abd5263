#!/usr/bin/env bash
# Everything labgym needs on a fresh machine, idempotent: a Docker daemon, npm dependencies, the compiled CLI,
# and the base image (rebuilt only when its recipe's content hash changes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/ensure-docker.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npx tsc -p tsconfig.json
bash scripts/images/build-base.sh >/dev/null
